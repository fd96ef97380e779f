// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: pipes and FIFOs (CKPT_REC_PIPE).
 *
 * A pipe whose every open file is in the image is saved once, with the
 * bytes it holds, before the first file that uses it.  On restart the
 * record makes a new pipe at once, sized with the rules of F_SETPIPE_SZ
 * and filled from the image, so the bytes live in pipe buffers, under the
 * pipe limits, and never in a kernel copy.  An anonymous pipe hands its
 * read and write end to the files of the image, once each.  A FIFO is
 * reopened by path when its first file is; the bytes move into it, which
 * restart only does when no other process has the FIFO open.
 */

#include <linux/bvec.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/pipe_fs_i.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "internal.h"

#define CKPT_PIPE_CHUNK		SZ_64K

static long ckpt_pipe_users(void *ptr)
{
	struct pipe_inode_info *pipe = ptr;

	return READ_ONCE(pipe->files);
}

static int ckpt_dump_pipe(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct pipe_inode_info *pipe = obj->ptr;
	struct ckpt_rec_pipe r = { .objref = cpu_to_le32(obj->ref) };
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
			ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
				       "packet-mode pipe");
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
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FILE, -1, 0,
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

/* a pipe of the image while restart rebuilds its ends */
struct ckpt_rst_pipe {
	struct file *rd, *wr;	/* an anonymous pipe's ends, handed out once */
	struct file *keeper;	/* a FIFO's read end, held open */
	u64 bytes;		/* bytes in the pipe of @rd */
	bool fifo;		/* @rd and @wr only carry the bytes */
};

static void ckpt_pipe_release(struct ckpt_obj *obj)
{
	struct ckpt_rst_pipe *p = obj->ptr;

	if (p->rd)
		fput(p->rd);
	if (p->wr)
		fput(p->wr);
	if (p->keeper)
		fput(p->keeper);
	kfree(p);
}

/* move @len bytes from the image, or from @from, into the pipe of @to */
static int ckpt_pipe_copy(struct ckpt_ctx *ctx, struct file *from,
			  struct file *to, size_t len)
{
	size_t n = min_t(size_t, len, CKPT_PIPE_CHUNK);
	struct iov_iter iter;
	struct kvec kv;
	void *buf;
	int ret = 0;

	if (!len)
		return 0;
	buf = kvmalloc(n, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	while (len && !ret) {
		n = min_t(size_t, len, CKPT_PIPE_CHUNK);
		kv = (struct kvec){ .iov_base = buf, .iov_len = n };
		if (from) {
			iov_iter_kvec(&iter, ITER_DEST, &kv, 1, n);
			ret = ckpt_read_at(from, &iter, NULL);
		} else {
			ret = ckpt_read(ctx, buf, n);
		}
		if (ret)
			break;
		iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, n);
		while (iov_iter_count(&iter) && !ret) {
			ssize_t w = vfs_iter_write(to, &iter, NULL, 0);

			ret = w < 0 ? w : !w ? -EIO : 0;
		}
		len -= n;
	}
	kvfree(buf);
	return ret == -EAGAIN ? -ENOSPC : ret;
}

/* the size of the pipe of @w: as F_SETPIPE_SZ sets it, with its limits */
static int ckpt_pipe_size(struct file *w, u64 size, u64 bytes)
{
	long ret = pipe_fcntl(w, F_GETPIPE_SZ, 0);

	if (ret >= 0 && ret != size)
		ret = pipe_fcntl(w, F_SETPIPE_SZ, size);
	if (ret < 0)
		return ret;
	return ret < bytes ? -EINVAL : 0;
}

/* CKPT_REC_PIPE: a new pipe with the saved size and bytes */
static int ckpt_restore_pipe(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_pipe r;
	struct ckpt_rst_pipe *p;
	struct file *res[2];
	u64 size, bytes;
	int ret;

	ret = ckpt_read(ctx, &r.objref, sizeof(r) - sizeof(r.h));
	if (ret)
		return ret;
	size = le64_to_cpu(r.size);
	bytes = le64_to_cpu(r.nr_bytes);
	if (h->len != sizeof(r) + bytes || bytes > size || size > INT_MAX ||
	    r.__pad)
		return -EINVAL;
	/* its two ends */
	ret = ckpt_count_files(ctx, 2);
	if (ret)
		return ret;
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	ret = create_pipe_files(res, O_NONBLOCK);
	if (ret) {
		kfree(p);
		return ret;
	}
	p->rd = res[0];
	p->wr = res[1];
	p->bytes = bytes;
	ret = ckpt_pipe_size(p->wr, size, bytes);
	if (!ret)
		ret = ckpt_pipe_copy(ctx, NULL, p->wr, bytes);
	if (!ret && h->len != ckpt_padded(h->len)) {
		u8 pad[CKPT_ALIGN];
		size_t n = ckpt_padded(h->len) - h->len;

		ret = ckpt_read(ctx, pad, n);
		if (!ret && !ckpt_zero(pad, n))
			ret = -EINVAL;
	}
	if (ret) {
		struct ckpt_obj tmp = { .ptr = p };

		ckpt_pipe_release(&tmp);
		return ret;
	}
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r.objref),
					    &ckpt_pipe_ops, p, 0));
}

/* another process has the FIFO of @inode open, or waits in open() */
static bool ckpt_fifo_in_use(struct inode *inode)
{
	bool used;

	spin_lock(&inode->i_lock);
	used = !!inode->i_pipe;
	spin_unlock(&inode->i_lock);
	return used;
}

/*
 * Open the FIFO at @path, which must still be a FIFO; with @unused, one
 * that nobody has open.  An open for reading would let a writer blocked
 * in open() go on (and one for writing a reader), so that is checked
 * before.
 */
static struct file *ckpt_open_fifo(struct ckpt_ctx *ctx, const char *path,
				   u32 f_flags, bool unused)
{
	struct inode *inode;
	struct path pinned;
	struct file *file;
	int ret;

	ret = ckpt_lookup(ctx, path, LOOKUP_FOLLOW, &pinned);
	if (ret)
		return ERR_PTR(ret);
	inode = d_inode(pinned.dentry);
	if (!S_ISFIFO(inode->i_mode))
		file = ERR_PTR(-ESTALE);
	else if (unused && ckpt_fifo_in_use(inode))
		file = ERR_PTR(-EBUSY);
	else
		file = ckpt_open_pinned(&pinned, f_flags | O_NONBLOCK);
	path_put(&pinned);
	if (!IS_ERR(file) && !get_pipe_info(file, false)) {
		fput(file);
		file = ERR_PTR(-ESTALE);
	}
	return file;
}

/* the first end of a FIFO: hold it open and move the bytes in */
static int ckpt_fill_fifo(struct ckpt_ctx *ctx, struct ckpt_rst_pipe *p,
			  const char *path)
{
	struct pipe_inode_info *pipe;
	struct file *w;
	long size;
	int ret;

	/* never open, or add bytes to, a FIFO that another process uses */
	p->keeper = ckpt_open_fifo(ctx, path, O_RDONLY, true);
	if (IS_ERR(p->keeper)) {
		ret = PTR_ERR(p->keeper);
		p->keeper = NULL;
		return ret;
	}
	pipe = get_pipe_info(p->keeper, false);
	/* someone opened it meanwhile */
	if (READ_ONCE(pipe->files) != 1)
		return -EBUSY;
	w = ckpt_open_fifo(ctx, path, O_WRONLY, false);
	if (IS_ERR(w))
		return PTR_ERR(w);
	size = pipe_fcntl(p->wr, F_GETPIPE_SZ, 0);
	ret = size < 0 ? size : ckpt_pipe_size(w, size, p->bytes);
	if (!ret)
		ret = ckpt_pipe_copy(ctx, p->rd, w, p->bytes);
	fput(w);
	fput(p->wr);
	p->wr = NULL;
	fput(p->rd);
	p->rd = NULL;
	return ret;
}

/**
 * ckpt_open_pipe - an end of a pipe or FIFO of the image
 * @ctx: restart context
 * @ref: object id of the pipe
 * @path: the FIFO's path, NULL for an anonymous pipe
 * @f_flags: open flags of the end
 *
 * Return: the file, or an ERR_PTR()
 */
struct file *ckpt_open_pipe(struct ckpt_ctx *ctx, u32 ref, const char *path,
			    u32 f_flags)
{
	struct ckpt_obj *obj = ckpt_obj_lookup(ctx, ref, &ckpt_pipe_ops);
	struct ckpt_rst_pipe *p;
	struct file **end, *file;
	int ret;

	if (!obj)
		return ERR_PTR(-EINVAL);
	p = obj->ptr;
	if (path) {
		if (!p->keeper && (!p->rd || p->fifo))
			return ERR_PTR(-EINVAL);
		if (!p->keeper) {
			p->fifo = true;
			ret = ckpt_fill_fifo(ctx, p, path);
			if (ret)
				return ERR_PTR(ret);
		}
		file = ckpt_open_fifo(ctx, path, f_flags, false);
		if (!IS_ERR(file) &&
		    get_pipe_info(file, false) != get_pipe_info(p->keeper, false)) {
			fput(file);
			file = ERR_PTR(-ESTALE);
		}
		return file;
	}
	if (p->fifo || p->keeper)
		return ERR_PTR(-EINVAL);
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
	file = *end;
	*end = NULL;
	return file;
}

const struct ckpt_obj_ops ckpt_pipe_ops = {
	.type = CKPT_REC_PIPE,
	.err_kind = CKPT_OBJ_FILE,
	.users = ckpt_pipe_users,
	.dump = ckpt_dump_pipe,
	.release = ckpt_pipe_release,
};

static const struct ckpt_rec_ops ckpt_pipe_records[] = {
	{
		.type = CKPT_REC_PIPE,
		.name = "PIPE",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_pipe),
		.max_len = CKPT_REC_MAX_LEN,
		.raw = true,
		.restore = ckpt_restore_pipe,
	},
};

static int __init ckpt_pipe_init(void)
{
	return ckpt_register_records(ckpt_pipe_records,
				     ARRAY_SIZE(ckpt_pipe_records));
}
core_initcall(ckpt_pipe_init);
