// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: reading and writing image records.
 *
 * Records go to and come from the image file as they are produced or
 * consumed, through iov_iter based I/O, so that any file that can be
 * written (a regular file, a pipe, a socket, /dev/null) holds an image and
 * no image is ever held in kernel memory as a whole.
 */

#include <linux/checkpoint.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/kdev_t.h>
#include <linux/kernel.h>
#include <linux/path.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/utsname.h>

static const u8 ckpt_zeroes[CKPT_ALIGN];

static int ckpt_io_error(ssize_t ret)
{
	/* the system call must not be restarted once it wrote or read */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		return -EINTR;
	return ret;
}

/**
 * ckpt_write_iter - write all of @iter to the image
 * @ctx: checkpoint context
 * @iter: data, an ITER_SOURCE iterator
 *
 * Loops on short writes.  Return: 0 or a negative errno.
 */
int ckpt_write_iter(struct ckpt_ctx *ctx, struct iov_iter *iter)
{
	while (iov_iter_count(iter)) {
		ssize_t ret = vfs_iter_write(ctx->file, iter, ctx->ppos, 0);

		if (ret < 0)
			return ckpt_io_error(ret);
		if (!ret)
			return -EIO;
		ctx->bytes += ret;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	return ckpt_write_iter(ctx, &iter);
}

/**
 * ckpt_write_record_iter - write one record
 * @ctx: checkpoint context
 * @type: record type
 * @rec: the record's fixed part, starting with a struct ckpt_hdr that this
 *	 function fills in
 * @size: bytes of @rec
 * @data: the record's variable part, may be NULL
 *
 * The record is padded with zeroes to a multiple of CKPT_ALIGN.
 */
int ckpt_write_record_iter(struct ckpt_ctx *ctx, u32 type, void *rec,
			   size_t size, struct iov_iter *data)
{
	struct ckpt_hdr *h = rec;
	size_t len = size + (data ? iov_iter_count(data) : 0);
	int ret;

	if (WARN_ON_ONCE(size < sizeof(*h) || len > CKPT_REC_MAX_LEN))
		return -EINVAL;
	h->type = cpu_to_le32(type);
	h->len = cpu_to_le32(len);
	ret = ckpt_write(ctx, rec, size);
	if (!ret && data)
		ret = ckpt_write_iter(ctx, data);
	if (!ret && len != ckpt_padded(len))
		ret = ckpt_write(ctx, ckpt_zeroes, ckpt_padded(len) - len);
	if (!ret)
		ctx->nr_records++;
	return ret;
}

int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t size,
		      const void *data, size_t data_len)
{
	struct kvec kv = { .iov_base = (void *)data, .iov_len = data_len };
	struct iov_iter iter;

	if (!data_len)
		return ckpt_write_record_iter(ctx, type, rec, size, NULL);
	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, data_len);
	return ckpt_write_record_iter(ctx, type, rec, size, &iter);
}

int ckpt_write_header(struct ckpt_ctx *ctx, u32 nr_tasks)
{
	struct ckpt_rec_header *h;
	int ret;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return -ENOMEM;
	memcpy(h->magic, CKPT_MAGIC, sizeof(h->magic));
	h->major = cpu_to_le16(CKPT_VERSION_MAJOR);
	h->minor = cpu_to_le16(CKPT_VERSION_MINOR);
	h->arch = cpu_to_le16(CKPT_ARCH_X86_64);
	h->page_size = cpu_to_le32(PAGE_SIZE);
	h->nr_tasks = cpu_to_le32(nr_tasks);
	h->flags = cpu_to_le64(ctx->flags);
	h->time = cpu_to_le64(ktime_get_real_seconds());
	h->id = cpu_to_le64(ctx->id);
	strscpy(h->release, init_utsname()->release, sizeof(h->release));
	strscpy(h->machine, init_utsname()->machine, sizeof(h->machine));
	ret = ckpt_write_record(ctx, CKPT_REC_HEADER, h, sizeof(*h), NULL, 0);
	kfree(h);
	return ret;
}

int ckpt_write_tail(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_tail t = {
		.nr_records = cpu_to_le64(ctx->nr_records),
		.size = cpu_to_le64(ctx->bytes),
	};

	memcpy(t.magic, CKPT_MAGIC, sizeof(t.magic));
	return ckpt_write_record(ctx, CKPT_REC_TAIL, &t, sizeof(t), NULL, 0);
}

int ckpt_write_error(struct ckpt_ctx *ctx)
{
	struct ckpt_error *e = &ctx->error;
	struct ckpt_rec_error r = {
		.error = cpu_to_le32(-e->err),
		.pid = cpu_to_le32(e->pid),
		.kind = cpu_to_le32(e->kind),
		.fd = cpu_to_le32(e->fd),
		.addr = cpu_to_le64(e->addr),
	};

	return ckpt_write_record(ctx, CKPT_REC_ERROR, &r, sizeof(r), e->msg,
				 strlen(e->msg) + 1);
}

/**
 * ckpt_err - note why checkpoint fails
 * @ctx: checkpoint context
 * @err: negative errno
 * @kind: enum ckpt_obj_kind of the resource
 * @fd: fd number for a file, else -1
 * @addr: address for a VMA, else 0
 * @fmt: the reason
 *
 * The first error is kept for the error record that ends a failed image.
 * Return: @err
 */
int ckpt_err(struct ckpt_ctx *ctx, int err, u32 kind, int fd, u64 addr,
	     const char *fmt, ...)
{
	struct ckpt_error *e = &ctx->error;
	va_list args;

	if (e->err)
		return err;
	e->err = err;
	e->pid = ctx->root ? task_pid_vnr(ctx->root) : 0;
	e->kind = kind;
	e->fd = fd;
	e->addr = addr;
	va_start(args, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, args);
	va_end(args);
	pr_info_ratelimited("checkpoint: pid %d: %s (error %d)\n", e->pid,
			    e->msg, err);
	return err;
}

/**
 * ckpt_path - the path of @path as the caller sees it
 * @ctx: context, whose path buffer holds the result
 * @path: what to name
 * @len: set to the length with the NUL
 *
 * Return: the path in @ctx->pathbuf, or an ERR_PTR()
 */
char *ckpt_path(struct ckpt_ctx *ctx, const struct path *path, u32 *len)
{
	char *p = d_path(path, ctx->pathbuf, PATH_MAX);

	if (!IS_ERR(p))
		*len = strlen(p) + 1;
	return p;
}

/**
 * ckpt_fill_identity - what identifies the file open or mapped by @file
 * @file: the file
 * @dev: set to the encoded device of its filesystem
 * @ino: its inode number
 * @size: its size
 * @sec: its mtime, seconds
 * @nsec: nanoseconds
 */
void ckpt_fill_identity(struct file *file, __le64 *dev, __le64 *ino,
			__le64 *size, __le64 *sec, __le32 *nsec)
{
	struct inode *inode = file_inode(file);
	struct timespec64 mtime = inode_get_mtime(inode);

	*dev = cpu_to_le64(new_encode_dev(inode->i_sb->s_dev));
	*ino = cpu_to_le64(inode->i_ino);
	*size = cpu_to_le64(i_size_read(inode));
	*sec = cpu_to_le64(mtime.tv_sec);
	*nsec = cpu_to_le32(mtime.tv_nsec);
}

/**
 * ckpt_ctx_alloc - start a checkpoint or a restart on @file
 * @file: the image
 * @flags: the system call's flags
 * @restart: for restart(2), which reads @file; checkpoint(2) writes it
 *
 * Return: the context, or ERR_PTR(-EBADF) if @file is not open for that
 * direction, -EINVAL if it cannot be read or written that way, -ENOMEM
 */
struct ckpt_ctx *ckpt_ctx_alloc(struct file *file, unsigned long flags,
				bool restart)
{
	struct ckpt_ctx *ctx;

	if (!(file->f_mode & (restart ? FMODE_READ : FMODE_WRITE)))
		return ERR_PTR(-EBADF);
	if (restart ? !(file->f_mode & FMODE_CAN_READ) || !file->f_op->read_iter :
		      !(file->f_mode & FMODE_CAN_WRITE) || !file->f_op->write_iter)
		return ERR_PTR(-EINVAL);

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	hash_init(ctx->objs);
	ctx->pathbuf = __getname();
	if (restart)
		ctx->rst = kzalloc(sizeof(*ctx->rst), GFP_KERNEL);
	if (!ctx->pathbuf || (restart && !ctx->rst)) {
		ckpt_ctx_free(ctx);
		return ERR_PTR(-ENOMEM);
	}
	ctx->file = file;
	ctx->ppos = (file->f_mode & FMODE_STREAM) ? NULL : &ctx->pos;
	ctx->pos = file->f_pos;
	ctx->flags = flags;
	return ctx;
}

/**
 * ckpt_ctx_free - end a checkpoint or a restart
 * @ctx: its context
 *
 * The file position is left after what was written or read.
 */
void ckpt_ctx_free(struct ckpt_ctx *ctx)
{
	if (ctx->ppos)
		ctx->file->f_pos = ctx->pos;
	ckpt_mm_free(ctx);
	ckpt_obj_free(ctx);
	if (ctx->rst)
		ckpt_rst_free(ctx->rst);
	if (ctx->pathbuf)
		__putname(ctx->pathbuf);
	kfree(ctx);
}

/**
 * ckpt_read_at - fill all of @iter from @file at *@ppos
 * @file: the image
 * @iter: destination, an ITER_DEST iterator
 * @ppos: position, advanced; NULL for a stream
 *
 * Return: 0, -EINVAL if the image ends early, -EINTR for a fatal signal, or
 * the read error
 */
int ckpt_read_at(struct file *file, struct iov_iter *iter, loff_t *ppos)
{
	while (iov_iter_count(iter)) {
		ssize_t ret = vfs_iter_read(file, iter, ppos, 0);

		if (ret < 0)
			return ckpt_io_error(ret);
		if (!ret)
			return -EINVAL;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

/**
 * ckpt_read_iter - fill all of @iter from the image
 * @ctx: restart context
 * @iter: destination, an ITER_DEST iterator
 *
 * Return: as ckpt_read_at()
 */
int ckpt_read_iter(struct ckpt_ctx *ctx, struct iov_iter *iter)
{
	size_t len = iov_iter_count(iter);
	int ret = ckpt_read_at(ctx->file, iter, ctx->ppos);

	if (!ret)
		ctx->bytes += len;
	return ret;
}

int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return ckpt_read_iter(ctx, &iter);
}

int ckpt_skip(struct ckpt_ctx *ctx, size_t len)
{
	u8 buf[64];
	int ret = 0;

	while (len && !ret) {
		size_t n = min(len, sizeof(buf));

		ret = ckpt_read(ctx, buf, n);
		len -= n;
	}
	return ret;
}

static bool ckpt_type_known(u32 type)
{
	return type >= CKPT_REC_HEADER && type <= CKPT_REC_TASK_END;
}

/**
 * ckpt_read_hdr - read the next record header that is not to be skipped
 * @ctx: restart context
 * @h: the header, in CPU byte order
 *
 * Optional records of types this kernel does not know are skipped.
 * Return: 0, or -EINVAL for a malformed or unknown mandatory record
 */
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_rhdr *h)
{
	struct ckpt_hdr raw;
	int ret;

	for (;;) {
		ret = ckpt_read(ctx, &raw, sizeof(raw));
		if (ret)
			return ret;
		h->type = le32_to_cpu(raw.type);
		h->len = le32_to_cpu(raw.len);
		if (h->len < sizeof(raw) || h->len > CKPT_REC_MAX_LEN)
			return -EINVAL;
		ctx->nr_records++;
		if (ckpt_type_known(h->type))
			return 0;
		if (!(h->type & CKPT_TYPE_OPTIONAL))
			return -EINVAL;
		ret = ckpt_skip(ctx, ckpt_padded(h->len) - sizeof(raw));
		if (ret)
			return ret;
	}
}

/**
 * ckpt_read_payload - read the rest of the record whose header was read
 * @ctx: restart context
 * @h: the header, from ckpt_read_hdr()
 * @min_len: smallest valid length, header included
 * @max_len: largest valid length
 *
 * Return: the whole record (header included) in a kvmalloc()ed buffer of
 * at least @min_len bytes, free it with kvfree(); or an ERR_PTR()
 */
void *ckpt_read_payload(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
			size_t min_len, size_t max_len)
{
	struct ckpt_hdr *rec;
	int ret;

	if (h->len < min_len || h->len > max_len)
		return ERR_PTR(-EINVAL);
	rec = kvzalloc(max(ckpt_padded(h->len), min_len), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	rec->type = cpu_to_le32(h->type);
	rec->len = cpu_to_le32(h->len);
	ret = ckpt_read(ctx, rec + 1, ckpt_padded(h->len) - sizeof(*h));
	if (ret) {
		kvfree(rec);
		return ERR_PTR(ret);
	}
	return rec;
}

/**
 * ckpt_read_record - read the next record, which must be of type @type
 * @ctx: restart context
 * @type: expected type
 * @min_len: smallest valid length, header included
 * @max_len: largest valid length
 * @lenp: set to the record's length
 *
 * Return: as ckpt_read_payload()
 */
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min_len,
		       size_t max_len, size_t *lenp)
{
	struct ckpt_rhdr h;
	void *rec;
	int ret;

	ret = ckpt_read_hdr(ctx, &h);
	if (ret)
		return ERR_PTR(ret);
	if (h.type != type)
		return ERR_PTR(-EINVAL);
	rec = ckpt_read_payload(ctx, &h, min_len, max_len);
	if (!IS_ERR(rec))
		*lenp = h.len;
	return rec;
}

/**
 * ckpt_read_header - read and check the image's first record
 * @ctx: restart context
 * @hdr: the record
 *
 * Return: 0, or -EINVAL if this kernel cannot restart the image
 */
int ckpt_read_header(struct ckpt_ctx *ctx, struct ckpt_rec_header *hdr)
{
	struct ckpt_rec_header *h;
	size_t len;
	int ret = -EINVAL;

	h = ckpt_read_record(ctx, CKPT_REC_HEADER, sizeof(*h), sizeof(*h), &len);
	if (IS_ERR(h))
		return PTR_ERR(h);
	if (!memcmp(h->magic, CKPT_MAGIC, sizeof(h->magic)) &&
	    le16_to_cpu(h->major) == CKPT_VERSION_MAJOR &&
	    le16_to_cpu(h->arch) == CKPT_ARCH_X86_64 &&
	    le32_to_cpu(h->page_size) == PAGE_SIZE &&
	    memchr(h->release, 0, sizeof(h->release)) &&
	    memchr(h->machine, 0, sizeof(h->machine))) {
		*hdr = *h;
		ret = 0;
	}
	kvfree(h);
	return ret;
}
