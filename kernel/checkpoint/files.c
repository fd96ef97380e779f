// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the fd table and the open files.
 *
 * Each open file description is saved once, as a CKPT_REC_FILE, by the
 * ops of its kind; the fd table then names it by object id.  A pipe or a
 * FIFO is saved with its buffered bytes when the image holds both of its
 * ends; otherwise its other end is outside and the fd is saved as external,
 * like a terminal, so that restart can hand the caller's own fds in.
 */

#include <linux/bvec.h>
#include <linux/checkpoint.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pipe_fs_i.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uio.h>

struct ckpt_fd {
	struct file *file;
	unsigned int fd;
	bool cloexec;
};

struct ckpt_fdtable {
	struct ckpt_fd *fds;
	unsigned int nr;
	unsigned int max_fds;
};

/* ops for one kind of open file */
struct ckpt_file_ops {
	u32 type;
	int (*dump)(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
		    struct ckpt_fd *e, struct ckpt_rec_file *r);
};

static bool ckpt_pipe_end_in(struct ckpt_fdtable *tbl,
			     struct pipe_inode_info *pipe, fmode_t mode)
{
	unsigned int i;

	for (i = 0; i < tbl->nr; i++) {
		struct file *f = tbl->fds[i].file;

		if ((f->f_mode & mode) && get_pipe_info(f, false) == pipe)
			return true;
	}
	return false;
}

/*
 * An anonymous pipe has one open file per end: one reopened through /proc,
 * or opened for both reading and writing, cannot be made again.
 */
static bool ckpt_pipe_end_reopened(struct ckpt_fdtable *tbl, struct file *file)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	fmode_t mode = file->f_mode & (FMODE_READ | FMODE_WRITE);
	unsigned int i;

	if (mode == (FMODE_READ | FMODE_WRITE))
		return true;
	for (i = 0; i < tbl->nr; i++) {
		struct file *f = tbl->fds[i].file;

		if (f != file && get_pipe_info(f, false) == pipe &&
		    (f->f_mode & mode))
			return true;
	}
	return false;
}

/* both ends of the pipe of @file are in the image */
static bool ckpt_pipe_internal(struct ckpt_fdtable *tbl, struct file *file)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);

	return ckpt_pipe_end_in(tbl, pipe, FMODE_READ) &&
	       ckpt_pipe_end_in(tbl, pipe, FMODE_WRITE);
}

static int ckpt_dump_pipe_buf(struct ckpt_ctx *ctx, struct ckpt_fd *e,
			      struct pipe_inode_info *pipe, u32 ref)
{
	struct ckpt_rec_pipe r = { .objref = cpu_to_le32(ref) };
	unsigned int tail, n = 0, i;
	struct bio_vec *bv;
	struct iov_iter iter;
	size_t bytes = 0;
	int ret = 0;

	pipe_lock(pipe);
	bv = kvmalloc_array(pipe->ring_size, sizeof(*bv), GFP_KERNEL);
	if (!bv) {
		pipe_unlock(pipe);
		return -ENOMEM;
	}
	r.size = cpu_to_le64((u64)pipe->max_usage * PAGE_SIZE);
	for (tail = pipe->tail; tail != pipe->head; tail++) {
		struct pipe_buffer *buf = pipe_buf(pipe, tail);

		if (buf->flags & PIPE_BUF_FLAG_PACKET) {
			ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd,
				       0, "packet-mode pipe");
			break;
		}
		ret = pipe_buf_confirm(pipe, buf);
		if (ret)
			break;
		get_page(buf->page);
		bvec_set_page(&bv[n++], buf->page, buf->len, buf->offset);
		bytes += buf->len;
	}
	pipe_unlock(pipe);

	if (!ret && bytes > CKPT_REC_MAX_LEN - sizeof(r))
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd, 0,
			       "pipe holds too much data");
	if (!ret) {
		r.nr_bytes = cpu_to_le64(bytes);
		iov_iter_bvec(&iter, ITER_SOURCE, bv, n, bytes);
		ret = ckpt_write_record_iter(ctx, CKPT_REC_PIPE, &r, sizeof(r),
					     &iter);
	}
	for (i = 0; i < n; i++)
		put_page(bv[i].bv_page);
	kvfree(bv);
	return ret;
}

static int ckpt_dump_pipe(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
			  struct ckpt_fd *e, struct ckpt_rec_file *r)
{
	struct pipe_inode_info *pipe = get_pipe_info(e->file, false);
	u32 ref = ckpt_obj_lookup(ctx, pipe);
	int ret;

	if (!ref) {
		ret = ckpt_obj_insert(ctx, pipe, &ref);
		if (!ret)
			ret = ckpt_dump_pipe_buf(ctx, e, pipe, ref);
		if (ret)
			return ret;
	}
	r->pipe_ref = cpu_to_le32(ref);
	return 0;
}

static int ckpt_dump_regular(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
			     struct ckpt_fd *e, struct ckpt_rec_file *r)
{
	r->pos = cpu_to_le64(e->file->f_pos);
	return 0;
}

static int ckpt_dump_nothing(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
			     struct ckpt_fd *e, struct ckpt_rec_file *r)
{
	return 0;
}

static const struct ckpt_file_ops ckpt_regular_ops = {
	.type = CKPT_FILE_REGULAR,
	.dump = ckpt_dump_regular,
};

static const struct ckpt_file_ops ckpt_pipe_ops = {
	.type = CKPT_FILE_PIPE,
	.dump = ckpt_dump_pipe,
};

static const struct ckpt_file_ops ckpt_fifo_ops = {
	.type = CKPT_FILE_FIFO,
	.dump = ckpt_dump_pipe,
};

static const struct ckpt_file_ops ckpt_chrdev_ops = {
	.type = CKPT_FILE_CHRDEV,
	.dump = ckpt_dump_nothing,
};

static const struct ckpt_file_ops ckpt_external_ops = {
	.type = CKPT_FILE_EXTERNAL,
	.dump = ckpt_dump_nothing,
};

/* a device number as the image stores it: major << 20 | minor */
static u32 ckpt_encode_rdev(dev_t rdev)
{
	return MAJOR(rdev) << 20 | MINOR(rdev);
}

/* /dev/null, /dev/zero, /dev/random, /dev/urandom */
static bool ckpt_chrdev_supported(dev_t rdev)
{
	return MAJOR(rdev) == MEM_MAJOR &&
	       (MINOR(rdev) == 3 || MINOR(rdev) == 5 ||
		MINOR(rdev) == 8 || MINOR(rdev) == 9);
}

static bool ckpt_chrdev_is_tty(dev_t rdev)
{
	unsigned int major = MAJOR(rdev);

	return major == TTY_MAJOR || major == TTYAUX_MAJOR ||
	       (major >= UNIX98_PTY_SLAVE_MAJOR &&
		major < UNIX98_PTY_SLAVE_MAJOR + UNIX98_PTY_MAJOR_COUNT);
}

/* the ops for @file, or an error for a kind of file that is refused */
static const struct ckpt_file_ops *
ckpt_file_ops(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
	      struct ckpt_fd *e, const char *path)
{
	struct file *file = e->file;
	struct inode *inode = file_inode(file);
	umode_t mode = inode->i_mode;
	bool named = path[0] == '/';

	if (file->f_flags & FASYNC) {
		ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd, 0,
			 "fd %u: O_ASYNC is not supported", e->fd);
		return ERR_PTR(-EOPNOTSUPP);
	}
	if (get_pipe_info(file, false)) {
		if (!ckpt_pipe_internal(tbl, file))
			return &ckpt_external_ops;
		if (!named && ckpt_pipe_end_reopened(tbl, file)) {
			ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd, 0,
				 "fd %u: pipe end opened twice", e->fd);
			return ERR_PTR(-EOPNOTSUPP);
		}
		return named ? &ckpt_fifo_ops : &ckpt_pipe_ops;
	}
	if ((S_ISREG(mode) || S_ISDIR(mode)) && named &&
	    !(file->f_path.mnt->mnt_flags & MNT_INTERNAL)) {
		if (d_unlinked(file->f_path.dentry))
			goto deleted;
		return &ckpt_regular_ops;
	}
	if (S_ISCHR(mode) && ckpt_chrdev_supported(inode->i_rdev))
		return &ckpt_chrdev_ops;
	if (S_ISCHR(mode) && ckpt_chrdev_is_tty(inode->i_rdev))
		return &ckpt_external_ops;

	ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd, 0,
		 "fd %u: %s is not supported", e->fd, path);
	return ERR_PTR(-EOPNOTSUPP);
deleted:
	ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, e->fd, 0,
		 "fd %u: deleted file %s", e->fd, path);
	return ERR_PTR(-EOPNOTSUPP);
}

static int ckpt_dump_file(struct ckpt_ctx *ctx, struct ckpt_fdtable *tbl,
			  struct ckpt_fd *e, u32 *ref)
{
	struct file *file = e->file;
	struct inode *inode = file_inode(file);
	const struct ckpt_file_ops *ops;
	struct ckpt_rec_file r = {};
	u32 path_len;
	char *path;
	int ret;

	*ref = ckpt_obj_lookup(ctx, file);
	if (*ref)
		return 0;

	path = ckpt_path(ctx, &file->f_path, &path_len);
	if (IS_ERR(path))
		return ckpt_err(ctx, PTR_ERR(path), CKPT_OBJ_FILE, e->fd, 0,
				"fd %u: no path", e->fd);
	ops = ckpt_file_ops(ctx, tbl, e, path);
	if (IS_ERR(ops))
		return PTR_ERR(ops);

	/* the ops do not use the path buffer: path stays valid */
	ret = ops->dump(ctx, tbl, e, &r);
	if (ret)
		return ret;

	ret = ckpt_obj_insert(ctx, file, ref);
	if (ret)
		return ret;
	r.objref = cpu_to_le32(*ref);
	r.type = cpu_to_le32(ops->type);
	r.f_flags = cpu_to_le32(file->f_flags);
	r.f_mode = cpu_to_le32(inode->i_mode);
	r.rdev = cpu_to_le32(ckpt_encode_rdev(inode->i_rdev));
	ckpt_fill_identity(file, &r.dev, &r.ino, &r.size, &r.mtime_sec,
			   &r.mtime_nsec);
	r.path_len = cpu_to_le32(path_len);
	return ckpt_write_record(ctx, CKPT_REC_FILE, &r, sizeof(r), path,
				 path_len);
}

/* take a reference on every open file of @t */
static int ckpt_collect_fds(struct ckpt_ctx *ctx, struct task_struct *t,
			    struct ckpt_fdtable *tbl)
{
	struct files_struct *files;
	unsigned int fd, size = 0;
	struct file *file;
	bool shared;

	task_lock(t);
	files = t->files;
	shared = files && atomic_read(&files->count) > 1;
	if (files) {
		rcu_read_lock();
		tbl->max_fds = files_fdtable(files)->max_fds;
		rcu_read_unlock();
	}
	task_unlock(t);
	if (!files)
		return -ESRCH;
	if (shared)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
				"fd table shared with another process");

	for (fd = 0;; fd++) {
		rcu_read_lock();
		file = task_lookup_next_fdget_rcu(t, &fd);
		rcu_read_unlock();
		if (!file)
			break;
		if (tbl->nr == size) {
			struct ckpt_fd *fds;

			size = size ? 2 * size : 64;
			fds = kvrealloc(tbl->fds, size * sizeof(*fds),
					GFP_KERNEL);
			if (!fds) {
				fput(file);
				return -ENOMEM;
			}
			tbl->fds = fds;
		}
		tbl->fds[tbl->nr].file = file;
		tbl->fds[tbl->nr].fd = fd;
		task_lock(t);
		rcu_read_lock();
		tbl->fds[tbl->nr].cloexec = t->files &&
					    close_on_exec(fd, t->files);
		rcu_read_unlock();
		task_unlock(t);
		tbl->nr++;
	}
	if (tbl->nr * sizeof(struct ckpt_fd_entry) >
	    CKPT_REC_MAX_LEN - sizeof(struct ckpt_rec_files))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
				"too many open files");
	return 0;
}

/**
 * ckpt_dump_files - save the fd table of @t and the files it holds
 * @ctx: checkpoint context
 * @t: the task
 * @ref: set to the object id of the fd table
 */
int ckpt_dump_files(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref)
{
	struct ckpt_rec_files r = {};
	struct ckpt_fdtable tbl = {};
	struct ckpt_fd_entry *ents;
	unsigned int i;
	int ret;

	ret = ckpt_collect_fds(ctx, t, &tbl);
	if (ret)
		goto out;
	ret = -ENOMEM;
	ents = kvcalloc(max(tbl.nr, 1U), sizeof(*ents), GFP_KERNEL);
	if (!ents)
		goto out;
	for (i = 0; i < tbl.nr; i++) {
		u32 file_ref;

		ret = ckpt_dump_file(ctx, &tbl, &tbl.fds[i], &file_ref);
		if (ret)
			goto out_ents;
		ents[i].fd = cpu_to_le32(tbl.fds[i].fd);
		ents[i].file_ref = cpu_to_le32(file_ref);
		ents[i].flags = cpu_to_le32(tbl.fds[i].cloexec ?
					    CKPT_FD_CLOEXEC : 0);
	}
	ret = ckpt_obj_insert(ctx, t->files, ref);
	if (ret)
		goto out_ents;
	r.objref = cpu_to_le32(*ref);
	r.nr_fds = cpu_to_le32(tbl.nr);
	r.max_fds = cpu_to_le32(tbl.max_fds);
	ret = ckpt_write_record(ctx, CKPT_REC_FILES, &r, sizeof(r), ents,
				tbl.nr * sizeof(*ents));
out_ents:
	kvfree(ents);
out:
	for (i = 0; i < tbl.nr; i++)
		fput(tbl.fds[i].file);
	kvfree(tbl.fds);
	return ret;
}

/* a pipe of the image while restart rebuilds its ends */
struct ckpt_rst_pipe {
	struct ckpt_rec_pipe *rec;	/* size and buffered bytes */
	struct file *rd, *wr;		/* a pipe's ends, handed out once */
	struct file *keeper;		/* a FIFO's read end, held open */
};

static void ckpt_rst_pipe_release(void *ptr)
{
	struct ckpt_rst_pipe *p = ptr;

	if (p->rd)
		fput(p->rd);
	if (p->wr)
		fput(p->wr);
	if (p->keeper)
		fput(p->keeper);
	kvfree(p->rec);
	kfree(p);
}

static void ckpt_fput(void *ptr)
{
	if (ptr)
		fput(ptr);
}

int ckpt_restore_pipe(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_pipe *r;
	struct ckpt_rst_pipe *p;
	u64 size, bytes;

	r = ckpt_read_payload(ctx, h, sizeof(*r), CKPT_REC_MAX_LEN);
	if (IS_ERR(r))
		return PTR_ERR(r);
	size = le64_to_cpu(r->size);
	bytes = le64_to_cpu(r->nr_bytes);
	if (h->len != sizeof(*r) + bytes || bytes > size || size > INT_MAX) {
		kvfree(r);
		return -EINVAL;
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		kvfree(r);
		return -ENOMEM;
	}
	p->rec = r;
	return ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_PIPE, p,
			    ckpt_rst_pipe_release);
}

/* size the pipe of @w and put the saved bytes into it */
static int ckpt_fill_pipe(struct ckpt_rst_pipe *p, struct file *w)
{
	u64 size = le64_to_cpu(p->rec->size);
	u64 bytes = le64_to_cpu(p->rec->nr_bytes);
	struct kvec kv = { .iov_base = p->rec->data, .iov_len = bytes };
	struct iov_iter iter;
	long ret;

	ret = pipe_fcntl(w, F_GETPIPE_SZ, 0);
	if (ret >= 0 && ret != size)
		ret = pipe_fcntl(w, F_SETPIPE_SZ, size);
	if (ret < 0)
		return ret;
	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, bytes);
	while (iov_iter_count(&iter)) {
		ret = vfs_iter_write(w, &iter, NULL, 0);
		if (ret <= 0)
			return ret ? ret : -EIO;
	}
	return 0;
}

static void ckpt_set_nonblock(struct file *file, u32 f_flags)
{
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~O_NONBLOCK) | (f_flags & O_NONBLOCK);
	spin_unlock(&file->f_lock);
}

/* the end of an anonymous pipe that @f_flags asks for */
static struct file *ckpt_open_pipe_end(struct ckpt_rst_pipe *p, u32 f_flags)
{
	struct file **end, *res[2];
	int ret;

	if (!p->rd && !p->wr && !p->keeper) {
		ret = create_pipe_files(res, O_NONBLOCK);
		if (ret)
			return ERR_PTR(ret);
		p->rd = res[0];
		p->wr = res[1];
		p->keeper = get_file(res[0]);
		ret = ckpt_fill_pipe(p, p->wr);
		if (ret)
			return ERR_PTR(ret);
	}
	switch (f_flags & O_ACCMODE) {
	case O_RDONLY:
		end = &p->rd;
		break;
	case O_WRONLY:
		end = &p->wr;
		break;
	default:
		return ERR_PTR(-EINVAL);
	}
	if (!*end)
		return ERR_PTR(-EINVAL);	/* an end used twice */
	res[0] = *end;
	*end = NULL;
	ckpt_set_nonblock(res[0], f_flags);
	return res[0];
}

/* an end of the FIFO at @path */
static struct file *ckpt_open_fifo_end(struct ckpt_rst_pipe *p,
				       const char *path, u32 f_flags)
{
	struct file *file, *w;
	int ret;

	if (!p->keeper) {
		file = filp_open(path, O_RDONLY | O_NONBLOCK, 0);
		if (IS_ERR(file))
			return file;
		p->keeper = file;
		if (!S_ISFIFO(file_inode(file)->i_mode) ||
		    !get_pipe_info(file, false))
			return ERR_PTR(-ESTALE);
		w = filp_open(path, O_WRONLY | O_NONBLOCK, 0);
		if (IS_ERR(w))
			return w;
		ret = ckpt_fill_pipe(p, w);
		fput(w);
		if (ret)
			return ERR_PTR(ret);
	}
	file = filp_open(path, f_flags | O_NONBLOCK, 0);
	if (IS_ERR(file))
		return file;
	if (get_pipe_info(file, false) != get_pipe_info(p->keeper, false)) {
		fput(file);
		return ERR_PTR(-ESTALE);
	}
	ckpt_set_nonblock(file, f_flags);
	return file;
}

/* a file reopened by path, which must still be of the type it was */
static struct file *ckpt_open_path(const struct ckpt_rec_file *r,
				   const char *path, u32 f_flags)
{
	u32 type = le32_to_cpu(r->type);
	umode_t mode = le32_to_cpu(r->f_mode);
	loff_t pos = le64_to_cpu(r->pos);
	struct inode *inode;
	struct file *file;

	if (type == CKPT_FILE_CHRDEV ?
	    !S_ISCHR(mode) ||
	    !ckpt_chrdev_supported(MKDEV(le32_to_cpu(r->rdev) >> 20,
					 le32_to_cpu(r->rdev) & MINORMASK)) :
	    !S_ISREG(mode) && !S_ISDIR(mode))
		return ERR_PTR(-EINVAL);
	/* not to block on what is now a FIFO */
	file = filp_open(path, f_flags | O_NONBLOCK, 0);
	if (IS_ERR(file))
		return file;
	inode = file_inode(file);
	if ((inode->i_mode & S_IFMT) != (mode & S_IFMT) ||
	    (type == CKPT_FILE_CHRDEV &&
	     ckpt_encode_rdev(inode->i_rdev) != le32_to_cpu(r->rdev))) {
		fput(file);
		return ERR_PTR(-ESTALE);
	}
	if (type == CKPT_FILE_REGULAR && pos &&
	    vfs_llseek(file, pos, SEEK_SET) != pos) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	ckpt_set_nonblock(file, f_flags);
	return file;
}

/**
 * ckpt_restore_file - reopen an open file description
 * @ctx: restart context
 * @h: the CKPT_REC_FILE header
 *
 * Files are opened by path as the caller, with the saved flags less those
 * that would create or truncate.  An external file is filled in from the
 * caller's fd of the same number when the fd table is restored.
 */
int ckpt_restore_file(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	const u32 known = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC |
			  O_DIRECT | O_LARGEFILE | O_DIRECTORY |
			  O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
			  O_PATH;
	struct ckpt_rst_pipe *p = NULL;
	struct file *file = NULL;
	struct ckpt_rec_file *r;
	u32 type, f_flags, path_len;
	const char *path;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r) + PATH_MAX);
	if (IS_ERR(r))
		return PTR_ERR(r);
	type = le32_to_cpu(r->type);
	f_flags = le32_to_cpu(r->f_flags) & ~(O_CREAT | O_EXCL | O_TRUNC |
					      O_NOCTTY);
	path_len = le32_to_cpu(r->path_len);
	path = r->path;
	if (h->len != sizeof(*r) + path_len || (f_flags & ~known) ||
	    (path_len && !ckpt_valid_str(r->path, path_len, PATH_MAX)))
		goto out;
	if (type == CKPT_FILE_PIPE || type == CKPT_FILE_FIFO) {
		p = ckpt_obj_get(ctx, le32_to_cpu(r->pipe_ref), CKPT_REC_PIPE);
		if (IS_ERR(p))
			goto out;
	}
	if (type != CKPT_FILE_EXTERNAL && type != CKPT_FILE_PIPE &&
	    (!path_len || path[0] != '/'))
		goto out;

	switch (type) {
	case CKPT_FILE_REGULAR:
	case CKPT_FILE_CHRDEV:
		file = ckpt_open_path(r, path, f_flags);
		break;
	case CKPT_FILE_PIPE:
		file = ckpt_open_pipe_end(p, f_flags);
		break;
	case CKPT_FILE_FIFO:
		file = ckpt_open_fifo_end(p, path, f_flags);
		break;
	case CKPT_FILE_EXTERNAL:
		break;
	default:
		goto out;
	}
	ret = PTR_ERR_OR_ZERO(file);
	if (!ret)
		ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_FILE,
				   file, ckpt_fput);
out:
	kvfree(r);
	return ret;
}

/**
 * ckpt_restore_files - install the restored files at their fd numbers
 * @ctx: restart context
 * @h: the CKPT_REC_FILES header
 *
 * The new task starts with a copy of the caller's fds; an external fd n
 * takes the caller's fd n, then every other fd is closed.
 */
int ckpt_restore_files(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_files *r;
	struct file **files;
	u32 i, nr;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), CKPT_REC_MAX_LEN);
	if (IS_ERR(r))
		return PTR_ERR(r);
	nr = le32_to_cpu(r->nr_fds);
	if (h->len != sizeof(*r) + (u64)nr * sizeof(r->fds[0]))
		goto out;
	ret = -ENOMEM;
	files = kvcalloc(max(nr, 1U), sizeof(*files), GFP_KERNEL);
	if (!files)
		goto out;

	ret = 0;
	for (i = 0; i < nr && !ret; i++) {
		const struct ckpt_fd_entry *e = &r->fds[i];
		u32 fd = le32_to_cpu(e->fd);

		ret = -EINVAL;
		if ((i && fd <= le32_to_cpu(r->fds[i - 1].fd)) ||
		    fd > INT_MAX || (le32_to_cpu(e->flags) & ~CKPT_FD_CLOEXEC))
			break;
		files[i] = ckpt_obj_get(ctx, le32_to_cpu(e->file_ref),
					CKPT_REC_FILE);
		if (IS_ERR(files[i])) {
			files[i] = NULL;
			break;
		}
		/* an external file: the caller's fd of the same number */
		files[i] = files[i] ? get_file(files[i]) : fget(fd);
		ret = files[i] ? 0 : -EBADF;
	}

	if (!ret)
		ret = __close_range(0, ~0U, 0);
	for (i = 0; i < nr && !ret; i++) {
		const struct ckpt_fd_entry *e = &r->fds[i];
		u32 flags = le32_to_cpu(e->flags) & CKPT_FD_CLOEXEC;

		ret = replace_fd(le32_to_cpu(e->fd), files[i],
				 flags ? O_CLOEXEC : 0);
		if (ret > 0)
			ret = 0;
	}
	if (!ret)
		ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_FILES,
				   current->files, NULL);
	for (i = 0; i < nr; i++)
		if (files[i])
			fput(files[i]);
	kvfree(files);
out:
	kvfree(r);
	return ret;
}
