// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: fd tables (CKPT_REC_FILES) and open files
 * (CKPT_REC_FILE).
 *
 * Each open file description is saved once, however many fds and tables
 * hold it, so that dup()ed fds and fds inherited across fork() share one
 * offset and one set of status flags after restart as before.  A pipe or
 * FIFO whose every open file is in the image is saved with its buffered
 * bytes (pipe.c); one with an end outside the image, and a terminal, are
 * "external": restart hands the caller's fd of the same number in.
 *
 * On restart, files are reopened by path as the caller: the path is looked
 * up first, the inode found must be of the saved type (and device), and
 * only then is it opened, with the checks open(2) makes, so that an image
 * can never make restart open a device or FIFO it did not name.
 */

#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fsnotify.h>
#include <linux/kdev_t.h>
#include <linux/major.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/net.h>
#include <linux/pipe_fs_i.h>
#include <linux/rcupdate.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/socket.h>

#include "internal.h"

/* an fd table as collected: what each fd holds */
struct ckpt_fdsnap {
	unsigned int nr;
	unsigned int max;
	struct {
		struct file *file;
		struct ckpt_obj *obj;
		unsigned int fd;
		bool cloexec;
	} fds[];
};

/* kinds of open files whose state is an object of its own, by type */
static const struct ckpt_file_kind *ckpt_file_kinds[CKPT_FILE_SIGNALFD + 1];

/**
 * ckpt_register_file_kind - declare a kind of open file saved as an object
 * @kind: the kind, in the file of the resource
 *
 * Called at boot.  Return: 0, or -EINVAL for a type that is out of range
 * or registered twice
 */
int ckpt_register_file_kind(const struct ckpt_file_kind *kind)
{
	if (WARN_ON(kind->type >= ARRAY_SIZE(ckpt_file_kinds) ||
		    ckpt_file_kinds[kind->type] || !kind->obj || !kind->match))
		return -EINVAL;
	ckpt_file_kinds[kind->type] = kind;
	return 0;
}

/* the kind of @file, if it is one of them */
static const struct ckpt_file_kind *ckpt_file_kind_of(struct file *file)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ckpt_file_kinds); i++)
		if (ckpt_file_kinds[i] && ckpt_file_kinds[i]->match(file))
			return ckpt_file_kinds[i];
	return NULL;
}

static void *ckpt_files_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct files_struct *files;

	task_lock(t);
	files = t->files;
	if (files)
		atomic_inc(&files->count);
	task_unlock(t);
	return files;
}

static void ckpt_files_drop(void *ptr)
{
	put_files_struct(ptr);
}

static long ckpt_files_users(void *ptr)
{
	struct files_struct *files = ptr;

	return atomic_read(&files->count) - 1;
}

static int ckpt_snap_fd(const void *p, struct file *file, unsigned int fd)
{
	struct ckpt_fdsnap *s = (struct ckpt_fdsnap *)p;

	if (s->nr < s->max) {
		s->fds[s->nr].file = get_file(file);
		s->fds[s->nr].fd = fd;
	}
	s->nr++;
	return 0;
}

static void ckpt_snap_free(struct ckpt_fdsnap *s)
{
	unsigned int i;

	if (!s)
		return;
	for (i = 0; i < min(s->nr, s->max); i++)
		if (s->fds[i].file && !s->fds[i].obj)
			fput(s->fds[i].file);
	kvfree(s);
}

/* the open files of an fd table, with a reference each */
static struct ckpt_fdsnap *ckpt_snap_files(struct files_struct *files)
{
	struct ckpt_fdsnap count = {}, *s;
	unsigned int i;

	iterate_fd(files, 0, ckpt_snap_fd, &count);
	s = kvzalloc(struct_size(s, fds, count.nr), GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->max = count.nr;
	iterate_fd(files, 0, ckpt_snap_fd, s);
	if (s->nr != s->max) {
		/* the table is held still: it cannot have changed */
		ckpt_snap_free(s);
		return ERR_PTR(-EAGAIN);
	}
	spin_lock(&files->file_lock);
	for (i = 0; i < s->nr; i++)
		s->fds[i].cloexec = close_on_exec(s->fds[i].fd, files);
	spin_unlock(&files->file_lock);
	return s;
}

static int ckpt_collect_files(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_fdsnap *s;
	unsigned int i;

	s = ckpt_snap_files(obj->ptr);
	if (IS_ERR(s))
		return PTR_ERR(s);
	obj->priv = (unsigned long)s;
	if (s->nr * sizeof(struct ckpt_fd_entry) >
	    CKPT_REC_MAX_LEN - sizeof(struct ckpt_rec_files))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
				"too many open files");
	for (i = 0; i < s->nr; i++) {
		struct ckpt_obj *f;

		f = ckpt_obj_collect(ctx, &ckpt_file_ops, s->fds[i].file);
		if (IS_ERR(f)) {
			s->fds[i].file = NULL;	/* dropped by the table */
			return PTR_ERR(f);
		}
		s->fds[i].obj = f;
		/* the file's first fd names it in messages */
		if (f->users == 1)
			f->priv = s->fds[i].fd;
	}
	return 0;
}

static int ckpt_dump_files(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_fdsnap *s = (struct ckpt_fdsnap *)obj->priv;
	struct ckpt_rec_files r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_fd_entry *ents;
	unsigned int i;
	int ret = 0;

	ents = kvcalloc(max(s->nr, 1U), sizeof(*ents), GFP_KERNEL);
	if (!ents)
		return -ENOMEM;
	for (i = 0; i < s->nr && !ret; i++) {
		ret = ckpt_obj_dump(ctx, s->fds[i].obj);
		ents[i].fd = cpu_to_le32(s->fds[i].fd);
		ents[i].file_ref = cpu_to_le32(s->fds[i].obj->ref);
		ents[i].flags = cpu_to_le32(s->fds[i].cloexec ?
					    CKPT_FD_CLOEXEC : 0);
	}
	r.nr_fds = cpu_to_le32(s->nr);
	r.max_fds = cpu_to_le32(s->nr ? s->fds[s->nr - 1].fd + 1 : 0);
	if (!ret)
		ret = ckpt_write_record(ctx, CKPT_REC_FILES, &r, sizeof(r),
					ents, s->nr * sizeof(*ents));
	kvfree(ents);
	return ret;
}

static void ckpt_files_forget(struct ckpt_obj *obj)
{
	ckpt_snap_free((struct ckpt_fdsnap *)obj->priv);
	put_files_struct(obj->ptr);
}

static void ckpt_files_release(struct ckpt_obj *obj)
{
	put_files_struct(obj->ptr);
}

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

static void ckpt_file_drop(void *ptr)
{
	fput(ptr);
}

static int ckpt_collect_file(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct pipe_inode_info *pipe = get_pipe_info(obj->ptr, false);
	const struct ckpt_file_kind *kind;
	struct file *file = obj->ptr;
	struct ckpt_obj *p = NULL;

	if (pipe) {
		p = ckpt_obj_collect(ctx, &ckpt_pipe_ops, pipe);
	} else if (ckpt_is_socket(file)) {
		if (!(ctx->cur && (ctx->cur->exclude & CKPT_EXCLUDE_NET)) &&
		    !ckpt_is_dead_socket(file))
			p = ckpt_sock_collect_file(ctx, file);
	} else {
		p = ckpt_pty_collect_file(ctx, file);
		if (!p)
			p = ckpt_mq_collect_file(ctx, file);
		if (!p && ckpt_content_wanted(file)) {
			p = ckpt_content_collect(ctx, file, false, false);
		} else if (!p) {
			kind = ckpt_file_kind_of(file);
			/* one state object per file: the file holds it */
			if (kind)
				p = ckpt_obj_collect(ctx, kind->obj,
						     file->private_data);
			if (!IS_ERR_OR_NULL(p))
				p->priv = (unsigned long)file;
		}
	}
	return PTR_ERR_OR_ZERO(p);
}

/**
 * ckpt_file_fd - the fd number that names a file of the image in messages
 * @ctx: checkpoint context
 * @file: the file
 *
 * Return: its first fd in the first fd table that has it, or -1
 */
int ckpt_file_fd(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_obj *obj = ckpt_obj_find(ctx, file);

	return obj && obj->ops == &ckpt_file_ops ? (int)obj->priv : -1;
}

/**
 * ckpt_file_at_fd - whether an fd table of the image has a file at an fd
 * @ctx: checkpoint context, whose objects are all collected
 * @file: the file
 * @fd: the fd number
 */
bool ckpt_file_at_fd(struct ckpt_ctx *ctx, struct file *file, unsigned int fd)
{
	struct ckpt_obj *obj;
	unsigned long ref;

	xa_for_each(&ctx->objs, ref, obj) {
		struct ckpt_fdsnap *s = (struct ckpt_fdsnap *)obj->priv;
		unsigned int lo = 0, hi;

		if (obj->ops != &ckpt_files_ops || !s)
			continue;
		/* the fds of a table are in ascending order */
		hi = min(s->nr, s->max);
		while (lo < hi) {
			unsigned int mid = lo + (hi - lo) / 2;

			if (s->fds[mid].fd < fd)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < min(s->nr, s->max) && s->fds[lo].fd == fd &&
		    s->fds[lo].file == file)
			return true;
	}
	return false;
}

/**
 * ckpt_file_external - whether a file of the image is handed in at restart
 * @ctx: checkpoint context, whose objects are all collected
 * @file: the file
 *
 * A pipe or FIFO end with another end outside the image, and a terminal,
 * are the caller's own fd of the same number at restart.
 */
bool ckpt_file_external(struct ckpt_ctx *ctx, struct file *file)
{
	struct pipe_inode_info *pipe = get_pipe_info(file, false);
	struct inode *inode = file_inode(file);

	u32 ref;

	if (pipe)
		return ckpt_obj_find(ctx, pipe)->users < ckpt_pipe_ops.users(pipe);
	/* a pty whose master is in the image is the image's own */
	if (ckpt_pty_file_type(ctx, file, &ref) > 0)
		return false;
	return S_ISCHR(inode->i_mode) && ckpt_chrdev_is_tty(inode->i_rdev);
}

/* the kind of open file @file is, or a negative errno if it is refused */
static int ckpt_file_type(struct ckpt_ctx *ctx, struct ckpt_obj *obj,
			  const char *path, u32 *obj_ref)
{
	struct file *file = obj->ptr;
	struct inode *inode = file_inode(file);
	int fd = obj->priv;
	umode_t mode = inode->i_mode;
	bool named = path[0] == '/' &&
		     !(file->f_path.mnt->mnt_flags & MNT_INTERNAL);
	const struct ckpt_file_kind *kind;
	struct pipe_inode_info *pipe;
	struct ckpt_obj *c;
	int ret;

	if (file->f_flags & FASYNC)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: O_ASYNC is not supported", fd);
	/*
	 * cr.exclude's net bit: the runtime reconnects by itself.  A dead
	 * socket an earlier restart left in its place stays one.
	 */
	if (S_ISSOCK(mode) && ((ctx->cur->exclude & CKPT_EXCLUDE_NET) ||
			       ckpt_is_dead_socket(file)))
		return CKPT_FILE_NET_SKIPPED;
	if (ckpt_is_socket(file))
		return ckpt_sock_file_type(ctx, obj, obj_ref);
	/* an end of a pty whose master is in the image: the pty is an object */
	ret = ckpt_pty_file_type(ctx, file, obj_ref);
	if (ret)
		return ret;
	/* a POSIX message queue: saved as an object */
	*obj_ref = ckpt_mq_file_ref(ctx, file);
	if (*obj_ref)
		return CKPT_FILE_MQUEUE;
	kind = ckpt_file_kind_of(file);
	if (kind) {
		if (file->f_flags & ~(O_ACCMODE | O_NONBLOCK | O_APPEND |
				      O_LARGEFILE))
			return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
					"fd %d: flags %#o of %s are not supported",
					fd, file->f_flags, path);
		*obj_ref = ckpt_obj_find(ctx, file->private_data)->ref;
		return kind->type;
	}
	/*
	 * Contents in the image (shmem.c): shared memory, or a regular file
	 * that has them with it, or found again by path after all.
	 */
	c = ckpt_content_wanted(file) ? ckpt_obj_find(ctx, inode) : NULL;
	if (c) {
		ret = ckpt_obj_dump(ctx, c);
		if (ret)
			return ret;
		switch (ckpt_content_kind(c)) {
		case CKPT_REC_SHMEM:
			*obj_ref = c->ref;
			return CKPT_FILE_SHMEM;
		case CKPT_REC_FILEDATA:
			*obj_ref = c->ref;
			return CKPT_FILE_REGULAR;
		}
	}
	pipe = get_pipe_info(file, false);
	if (pipe) {
		struct ckpt_obj *p = ckpt_obj_find(ctx, pipe);

		if (named && d_unlinked(file->f_path.dentry))
			goto deleted;
		/* an end outside the image: the caller hands it in */
		if (p->users < ckpt_pipe_ops.users(pipe))
			return CKPT_FILE_EXTERNAL;
		*obj_ref = p->ref;
		return named ? CKPT_FILE_FIFO : CKPT_FILE_PIPE;
	}
	if ((S_ISREG(mode) || S_ISDIR(mode)) && named) {
		if (d_unlinked(file->f_path.dentry))
			goto deleted;
		return CKPT_FILE_REGULAR;
	}
	if (file->f_mode & FMODE_PATH)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
				"fd %d: O_PATH of %s is not supported", fd,
				path);
	if (S_ISCHR(mode) && ckpt_chrdev_supported(inode->i_rdev))
		return CKPT_FILE_CHRDEV;
	if (S_ISCHR(mode) && ckpt_chrdev_is_tty(inode->i_rdev))
		return CKPT_FILE_EXTERNAL;
	return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
			"fd %d: %s is not supported", fd, path);
deleted:
	return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, fd, 0,
			"fd %d: deleted file %s", fd, path);
}

static int ckpt_dump_file(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct file *file = obj->ptr;
	struct inode *inode = file_inode(file);
	struct ckpt_rec_file r = { .objref = cpu_to_le32(obj->ref) };
	int type, fd = obj->priv;
	u32 path_len, obj_ref = 0;
	char *path;
	int ret;

	path = ckpt_path(ctx, &file->f_path, &path_len);
	if (IS_ERR(path))
		return ckpt_err(ctx, PTR_ERR(path), CKPT_OBJ_FILE, fd, 0,
				"fd %d: no path", fd);
	type = ckpt_file_type(ctx, obj, path, &obj_ref);
	if (type < 0)
		return type;
	if (obj_ref) {
		/* the object goes first (a pipe's; the others' went already) */
		ret = ckpt_obj_dump(ctx, xa_load(&ctx->objs, obj_ref));
		if (ret)
			return ret;
	}
	/* the objects may have used the path buffer */
	path = ckpt_path(ctx, &file->f_path, &path_len);
	if (IS_ERR(path))
		return PTR_ERR(path);
	r.type = cpu_to_le32(type);
	r.f_flags = cpu_to_le32(file->f_flags);
	r.obj_ref = cpu_to_le32(obj_ref);
	if ((type < ARRAY_SIZE(ckpt_file_kinds) && ckpt_file_kinds[type]) ||
	    type == CKPT_FILE_PTY_MASTER || type == CKPT_FILE_PTY_SLAVE) {
		/* no path, no identity: the object says what it is */
		return ckpt_write_record(ctx, CKPT_REC_FILE, &r, sizeof(r),
					 NULL, 0);
	}
	r.f_mode = cpu_to_le32(inode->i_mode);
	if (type == CKPT_FILE_REGULAR || type == CKPT_FILE_SHMEM)
		r.pos = cpu_to_le64(file->f_pos);
	r.rdev = cpu_to_le32(ckpt_encode_rdev(inode->i_rdev));
	if (type == CKPT_FILE_NET_SKIPPED)
		r.rdev = cpu_to_le32(ckpt_socket_kind(file));
	ckpt_fill_identity(file, &r.dev, &r.ino, &r.size, &r.mtime_sec,
			   &r.mtime_nsec);
	/* a socket has no path: its SOCKET record says what it is */
	if (type == CKPT_FILE_SOCKET)
		path_len = 0;
	r.path_len = cpu_to_le32(path_len);
	ret = ckpt_write_record(ctx, CKPT_REC_FILE, &r, sizeof(r), path,
				path_len);
	/* a socket's data, after the files in flight in it */
	if (!ret && type == CKPT_FILE_SOCKET)
		ret = ckpt_sock_file_done(ctx);
	return ret;
}

static void ckpt_file_release(struct ckpt_obj *obj)
{
	if (obj->ptr)
		fput(obj->ptr);
}

/**
 * ckpt_count_files - account files restart opens
 * @ctx: restart context
 * @nr: how many more
 *
 * The image may not make restart hold more open files than the caller may.
 * Return: 0, or -EMFILE
 */
int ckpt_count_files(struct ckpt_ctx *ctx, unsigned int nr)
{
	ctx->nr_files += nr;
	if (ctx->nr_files > task_rlimit(ctx->caller, RLIMIT_NOFILE))
		return -EMFILE;
	return 0;
}

/**
 * ckpt_open_pinned - open a path already looked up, as open(2) would
 * @path: the path; the caller checked its type
 * @flags: open flags, without O_CREAT, O_TRUNC and O_EXCL
 *
 * Return: the file, or an ERR_PTR() of the checks open(2) makes
 */
struct file *ckpt_open_pinned(const struct path *path, int flags)
{
	int acc_mode = ACC_MODE(flags) | ((flags & O_APPEND) ? MAY_APPEND : 0);
	struct file *file;
	int ret;

	/* O_PATH opens nothing: the lookup's permission checks are all */
	ret = (flags & O_PATH) ? 0 :
	      may_open(mnt_idmap(path->mnt), path, acc_mode, flags);
	if (ret)
		return ERR_PTR(ret);
	file = dentry_open(path, flags, current_cred());
	if (!IS_ERR(file))
		fsnotify_open(file);
	return file;
}

/* a file reopened by path, which must still be of the type it was */
static struct file *ckpt_open_path(struct ckpt_ctx *ctx,
				   const struct ckpt_rec_file *r, u32 f_flags)
{
	u32 type = le32_to_cpu(r->type), rdev = le32_to_cpu(r->rdev);
	umode_t mode = le32_to_cpu(r->f_mode);
	loff_t pos = le64_to_cpu(r->pos);
	struct inode *inode;
	struct file *file;
	struct path path;
	int ret;

	if (type == CKPT_FILE_CHRDEV ?
	    !S_ISCHR(mode) || !ckpt_chrdev_supported(MKDEV(rdev >> 20, rdev & MINORMASK)) :
	    !S_ISREG(mode) && !S_ISDIR(mode))
		return ERR_PTR(-EINVAL);
	ret = ckpt_lookup(ctx, r->path,
			  (f_flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &path);
	if (ret)
		return ERR_PTR(ret);
	inode = d_inode(path.dentry);
	file = ERR_PTR(-ESTALE);
	if ((inode->i_mode & S_IFMT) != (mode & S_IFMT) ||
	    (type == CKPT_FILE_CHRDEV && ckpt_encode_rdev(inode->i_rdev) != rdev))
		goto out;
	file = ckpt_open_pinned(&path, f_flags);
	if (IS_ERR(file) || type != CKPT_FILE_REGULAR || !pos)
		goto out;
	if (vfs_llseek(file, pos, SEEK_SET) != pos) {
		fput(file);
		file = ERR_PTR(-EINVAL);
	}
out:
	path_put(&path);
	return file;
}

/*
 * An open file description of shared memory, or of a file whose contents
 * were restored, earlier: one restart created for the image is opened
 * without a permission check, a file that has a name with open(2)'s.
 */
static struct file *ckpt_open_content(struct ckpt_ctx *ctx,
				      const struct ckpt_rec_file *r,
				      u32 f_flags)
{
	u32 ref = le32_to_cpu(r->obj_ref);
	loff_t pos = le64_to_cpu(r->pos);
	struct file *obj, *file;
	bool named = false;

	if (le32_to_cpu(r->type) == CKPT_FILE_SHMEM)
		obj = ckpt_shmem_file(ctx, ref);
	else
		obj = ckpt_filedata_file(ctx, ref, &named);
	if (IS_ERR(obj))
		return obj;
	if ((f_flags & (O_DIRECTORY | O_PATH)) ||
	    (le32_to_cpu(r->f_mode) & S_IFMT) != S_IFREG)
		return ERR_PTR(-EINVAL);
	if (named)
		file = ckpt_open_pinned(&obj->f_path, f_flags);
	else
		file = dentry_open(&obj->f_path, f_flags, current_cred());
	if (IS_ERR(file))
		return file;
	file->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	if (pos && vfs_llseek(file, pos, SEEK_SET) != pos) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	return file;
}

/* a socket left out by cr.exclude's net bit: a dead one takes its place */
static struct file *ckpt_open_dead_socket(const struct ckpt_rec_file *r,
					  u32 f_flags)
{
	u32 kind = le32_to_cpu(r->rdev);
	int family = kind >> 16, type = kind & 0xffff;

	if (!S_ISSOCK(le32_to_cpu(r->f_mode)) || r->pos || !family ||
	    family >= AF_MAX || type < SOCK_STREAM || type > SOCK_PACKET ||
	    (f_flags & O_ACCMODE) != O_RDWR)
		return ERR_PTR(-EINVAL);
	return ckpt_dead_socket(family, type, f_flags);
}

/*
 * A file whose object record made it: the FILE record has no path, no
 * identity, and the flags such a file can have; the object hands its
 * file to one FILE record only.
 */
static struct file *ckpt_open_kind(struct ckpt_ctx *ctx,
				   const struct ckpt_rec_file *r,
				   const struct ckpt_file_kind *kind)
{
	const u32 known = O_ACCMODE | O_NONBLOCK | O_APPEND | O_LARGEFILE;
	u32 f_flags = le32_to_cpu(r->f_flags);
	struct ckpt_obj *obj;
	struct file *file;

	if ((f_flags & ~known) || (f_flags & O_ACCMODE) != O_RDWR ||
	    r->f_mode || r->pos || r->rdev || r->dev || r->ino || r->size ||
	    r->mtime_sec || r->mtime_nsec || r->path_len)
		return ERR_PTR(-EINVAL);
	obj = ckpt_obj_lookup(ctx, le32_to_cpu(r->obj_ref), kind->obj);
	if (!obj || !obj->ptr)
		return ERR_PTR(-EINVAL);
	file = obj->ptr;
	obj->ptr = NULL;
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~(O_NONBLOCK | O_APPEND)) |
			(f_flags & (O_NONBLOCK | O_APPEND));
	spin_unlock(&file->f_lock);
	return file;
}

/* an end of a pty of the image: no path, no identity, the usual flags */
static struct file *ckpt_open_pty(struct ckpt_ctx *ctx,
				  const struct ckpt_rec_file *r, bool master)
{
	const u32 known = O_ACCMODE | O_NONBLOCK | O_APPEND | O_LARGEFILE;
	u32 f_flags = le32_to_cpu(r->f_flags);
	struct file *file;

	if ((f_flags & ~known) || r->f_mode || r->pos || r->rdev || r->dev ||
	    r->ino || r->size || r->mtime_sec || r->mtime_nsec || r->path_len)
		return ERR_PTR(-EINVAL);
	file = ckpt_pty_open(ctx, le32_to_cpu(r->obj_ref), master, f_flags);
	if (IS_ERR(file))
		return file;
	spin_lock(&file->f_lock);
	file->f_flags = (file->f_flags & ~(O_NONBLOCK | O_APPEND)) |
			(f_flags & (O_NONBLOCK | O_APPEND));
	spin_unlock(&file->f_lock);
	return file;
}

/*
 * CKPT_REC_FILE: reopen an open file description, with the saved flags
 * less those that would create or truncate.  An external file is filled
 * in from the caller's fd of the same number when the fd table is
 * restored.
 */
static int ckpt_restore_file(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     const struct ckpt_rhdr *h, void *rec)
{
	const u32 known = O_ACCMODE | O_APPEND | O_NONBLOCK | O_DSYNC |
			  O_DIRECT | O_LARGEFILE | O_DIRECTORY |
			  O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
			  O_PATH;
	struct ckpt_rec_file *r = rec;
	u32 type = le32_to_cpu(r->type), path_len = le32_to_cpu(r->path_len);
	u32 f_flags = le32_to_cpu(r->f_flags) & ~(O_CREAT | O_EXCL | O_TRUNC |
						   O_NOCTTY);
	const struct ckpt_file_kind *kind = NULL;
	struct file *file = NULL;
	int ret;

	if (h->len != sizeof(*r) + path_len || (f_flags & ~known) ||
	    (path_len && !ckpt_valid_str(r->path, path_len, PATH_MAX)))
		return -EINVAL;
	if (type < ARRAY_SIZE(ckpt_file_kinds))
		kind = ckpt_file_kinds[type];
	if (kind) {
		/* counted when its object record made it */
		file = ckpt_open_kind(ctx, r, kind);
		if (IS_ERR(file))
			return PTR_ERR(file);
		return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
						    &ckpt_file_ops, file, 0));
	}
	if (type == CKPT_FILE_PTY_MASTER || type == CKPT_FILE_PTY_SLAVE) {
		/* the master is counted with its CKPT_REC_PTY */
		file = ckpt_open_pty(ctx, r, type == CKPT_FILE_PTY_MASTER);
		if (IS_ERR(file))
			return PTR_ERR(file);
		return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
						    &ckpt_file_ops, file, 0));
	}
	if (type != CKPT_FILE_PIPE && type != CKPT_FILE_FIFO &&
	    type != CKPT_FILE_SHMEM && type != CKPT_FILE_REGULAR &&
	    type != CKPT_FILE_MQUEUE && type != CKPT_FILE_SOCKET && r->obj_ref)
		return -EINVAL;
	/* a path to open: not for an object of the image's own */
	if (type == CKPT_FILE_SOCKET ? path_len :
	    type != CKPT_FILE_EXTERNAL && type != CKPT_FILE_PIPE &&
	    type != CKPT_FILE_SHMEM && type != CKPT_FILE_NET_SKIPPED &&
	    type != CKPT_FILE_MQUEUE && !r->obj_ref &&
	    (!path_len || r->path[0] != '/'))
		return -EINVAL;
	ret = ckpt_count_files(ctx, 1);
	if (ret)
		return ret;
	/* the file is opened with its status flags, then O_NONBLOCK is set */
	f_flags |= O_NONBLOCK;

	switch (type) {
	case CKPT_FILE_REGULAR:
		if (r->obj_ref) {
			file = ckpt_open_content(ctx, r, f_flags);
			break;
		}
		fallthrough;
	case CKPT_FILE_CHRDEV:
		file = ckpt_open_path(ctx, r, f_flags);
		break;
	case CKPT_FILE_PIPE:
	case CKPT_FILE_FIFO:
		file = ckpt_open_pipe(ctx, le32_to_cpu(r->obj_ref),
				      type == CKPT_FILE_FIFO ? r->path : NULL,
				      f_flags);
		break;
	case CKPT_FILE_SHMEM:
		file = ckpt_open_content(ctx, r, f_flags);
		break;
	case CKPT_FILE_NET_SKIPPED:
		file = ckpt_open_dead_socket(r, f_flags);
		break;
	case CKPT_FILE_MQUEUE:
		file = ckpt_mq_open(ctx, le32_to_cpu(r->obj_ref), f_flags);
		break;
	case CKPT_FILE_SOCKET:
		file = ckpt_sock_open(ctx, le32_to_cpu(r->obj_ref), f_flags);
		break;
	case CKPT_FILE_EXTERNAL:
		break;
	default:
		return -EINVAL;
	}
	if (IS_ERR(file))
		return PTR_ERR(file);
	if (file) {
		spin_lock(&file->f_lock);
		file->f_flags = (file->f_flags & ~O_NONBLOCK) |
				(le32_to_cpu(r->f_flags) & O_NONBLOCK);
		spin_unlock(&file->f_lock);
	}
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_file_ops, file, 0));
}

/**
 * ckpt_external - the caller's fd @fd, which exec(2) would pass on
 * @ctx: restart context
 * @fd: the fd number of an external file
 *
 * Return: the file, with a reference, or ERR_PTR(-EBADF)
 */
struct file *ckpt_external(struct ckpt_ctx *ctx, unsigned int fd)
{
	struct task_struct *caller = ctx->caller;
	struct file *file = fget_task(caller, fd);
	bool cloexec = true;

	if (!file)
		return ERR_PTR(-EBADF);
	task_lock(caller);
	if (caller->files) {
		spin_lock(&caller->files->file_lock);
		cloexec = close_on_exec(fd, caller->files);
		spin_unlock(&caller->files->file_lock);
	}
	task_unlock(caller);
	if (cloexec) {
		fput(file);
		return ERR_PTR(-EBADF);
	}
	return file;
}

/* make @files current's, as unshare(CLONE_FILES) does; it takes a count */
static void ckpt_install_files(struct files_struct *files)
{
	struct files_struct *old;

	task_lock(current);
	old = current->files;
	current->files = files;
	task_unlock(current);
	put_files_struct(old);
}

/**
 * ckpt_attach_files - share the fd table restored for another process
 * @ptr: the table
 *
 * Return: 0
 */
int ckpt_attach_files(void *ptr)
{
	struct files_struct *files = ptr;

	if (current->files == files)
		return 0;
	atomic_inc(&files->count);
	ckpt_install_files(files);
	return 0;
}

static int ckpt_files_rec_valid(const struct ckpt_rhdr *h,
				const struct ckpt_rec_files *r)
{
	u32 i, nr = le32_to_cpu(r->nr_fds);

	if (h->len != sizeof(*r) + (u64)nr * sizeof(r->fds[0]) || r->__pad)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const struct ckpt_fd_entry *e = &r->fds[i];

		if ((i && le32_to_cpu(e->fd) <= le32_to_cpu(r->fds[i - 1].fd)) ||
		    le32_to_cpu(e->fd) > INT_MAX || e->__pad ||
		    (le32_to_cpu(e->flags) & ~CKPT_FD_CLOEXEC))
			return -EINVAL;
	}
	return 0;
}

/*
 * CKPT_REC_FILES: a new fd table with the restored files at their numbers;
 * an external fd n takes the caller's fd n.
 */
static int ckpt_restore_files(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	struct fd_range all = { 0, ~0U };
	struct ckpt_rec_files *r = rec;
	struct files_struct *files;
	struct file **fds;
	u32 i, nr = le32_to_cpu(r->nr_fds);
	int ret;

	ret = ckpt_files_rec_valid(h, r);
	if (ret)
		return ret;
	fds = kvcalloc(max(nr, 1U), sizeof(*fds), GFP_KERNEL_ACCOUNT);
	if (!fds)
		return -ENOMEM;
	for (i = 0; i < nr && !ret; i++) {
		struct file *f = ckpt_obj_get(ctx, le32_to_cpu(r->fds[i].file_ref),
					      &ckpt_file_ops);

		if (IS_ERR(f))
			ret = PTR_ERR(f);
		else
			fds[i] = f ? get_file(f) :
				 ckpt_external(ctx, le32_to_cpu(r->fds[i].fd));
		if (IS_ERR_OR_NULL(fds[i])) {
			ret = ret ?: PTR_ERR(fds[i]);
			fds[i] = NULL;
		}
	}
	if (ret)
		goto out;
	files = dup_fd(current->files, &all);
	ret = PTR_ERR_OR_ZERO(files);
	if (ret)
		goto out;
	/* one count for current, one for the table */
	atomic_inc(&files->count);
	ckpt_install_files(files);
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_files_ops, files, 0));
	for (i = 0; i < nr && !ret; i++) {
		u32 flags = le32_to_cpu(r->fds[i].flags) & CKPT_FD_CLOEXEC;

		ret = replace_fd(le32_to_cpu(r->fds[i].fd), fds[i],
				 flags ? O_CLOEXEC : 0);
		if (ret > 0)
			ret = 0;
	}
out:
	for (i = 0; i < nr; i++)
		if (fds[i])
			fput(fds[i]);
	kvfree(fds);
	return ret;
}

const struct ckpt_obj_ops ckpt_files_ops = {
	.type = CKPT_REC_FILES,
	.err_kind = CKPT_OBJ_FILE,
	.shared_msg = "fd table shared with a task outside the image",
	.get = ckpt_files_get,
	.drop = ckpt_files_drop,
	.users = ckpt_files_users,
	.collect = ckpt_collect_files,
	.forget = ckpt_files_forget,
	.dump = ckpt_dump_files,
	.release = ckpt_files_release,
};

const struct ckpt_obj_ops ckpt_file_ops = {
	.type = CKPT_REC_FILE,
	.err_kind = CKPT_OBJ_FILE,
	.drop = ckpt_file_drop,
	.collect = ckpt_collect_file,
	.dump = ckpt_dump_file,
	.release = ckpt_file_release,
};

static const struct ckpt_rec_ops ckpt_files_records[] = {
	{
		.type = CKPT_REC_FILE,
		.name = "FILE",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_file),
		.max_len = sizeof(struct ckpt_rec_file) + PATH_MAX,
		.restore = ckpt_restore_file,
	},
	{
		.type = CKPT_REC_FILES,
		.name = "FILES",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_files),
		.max_len = CKPT_REC_MAX_LEN,
		.restore = ckpt_restore_files,
	},
};

static int __init ckpt_files_init(void)
{
	return ckpt_register_records(ckpt_files_records,
				     ARRAY_SIZE(ckpt_files_records));
}
core_initcall(ckpt_files_init);
