// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: reading and writing image records.
 *
 * Records go to and come from the image file as they are produced or
 * consumed, through iov_iter based I/O, so that any file that can be
 * written (a regular file, a pipe, a socket, /dev/null) holds an image and
 * no image is ever held in kernel memory as a whole.
 *
 * When the image is a regular file, restart may have the contents of a
 * batch of pages read on another CPU while it goes on with the next
 * records (ckpt_read_async()): a work item reads at the batch's position.
 */

#include <linux/bvec.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/kdev_t.h>
#include <linux/kernel.h>
#include <linux/memcontrol.h>
#include <linux/path.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/utsname.h>

#include "internal.h"

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
 * ckpt_zero - whether @len bytes at @p are all zero
 * @p: the bytes
 * @len: how many
 */
bool ckpt_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* write all of @iter to the image, looping on short writes */
static int ckpt_write_iter(struct ckpt_ctx *ctx, struct iov_iter *iter)
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

/**
 * ckpt_write - write @len bytes to the image
 * @ctx: checkpoint context
 * @buf: the bytes
 * @len: how many
 */
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
 *	 function fills in; every other byte of it must have been written
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

/**
 * ckpt_write_record - write one record whose variable part is in memory
 * @ctx: checkpoint context
 * @type: record type
 * @rec: the fixed part, see ckpt_write_record_iter()
 * @size: bytes of @rec
 * @data: the variable part
 * @data_len: its bytes, may be 0
 */
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

/**
 * ckpt_write_header - write the first record
 * @ctx: checkpoint context
 * @exclude: the CKPT_EXCLUDE_* mask in force
 */
int ckpt_write_header(struct ckpt_ctx *ctx, u32 exclude)
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
	h->nr_tasks = cpu_to_le32(ctx->nr_tasks);
	h->flags = cpu_to_le64(ctx->flags);
	h->exclude = cpu_to_le64(exclude);
	h->time = cpu_to_le64(ktime_get_real_seconds());
	h->id = cpu_to_le64(ctx->id);
	strscpy(h->release, init_utsname()->release, sizeof(h->release));
	strscpy(h->machine, init_utsname()->machine, sizeof(h->machine));
	ret = ckpt_write_record(ctx, CKPT_REC_HEADER, h, sizeof(*h), NULL, 0);
	kfree(h);
	return ret;
}

/**
 * ckpt_write_tail - write the record that proves the image complete
 * @ctx: checkpoint context
 */
int ckpt_write_tail(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_tail t = {
		.nr_records = cpu_to_le64(ctx->nr_records),
		.size = cpu_to_le64(ctx->bytes),
	};

	memcpy(t.magic, CKPT_MAGIC, sizeof(t.magic));
	return ckpt_write_record(ctx, CKPT_REC_TAIL, &t, sizeof(t), NULL, 0);
}

/**
 * ckpt_write_error - end a failed image with the reason
 * @ctx: checkpoint context
 */
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
 * The first error is kept for the error record that ends a failed image,
 * with the task being saved.
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
	/* taken when the tree was listed: the task may be reaped since */
	e->pid = ctx->cur ? ctx->cur->vnr : 0;
	e->kind = kind;
	e->fd = fd;
	e->addr = addr;
	va_start(args, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, args);
	va_end(args);
	pr_debug("checkpoint: pid %d: %s (error %d)\n", e->pid, e->msg, err);
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

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	xa_init(&ctx->index);
	INIT_LIST_HEAD(&ctx->mapped);
	spin_lock_init(&ctx->lock);
	init_waitqueue_head(&ctx->wait);
	init_completion(&ctx->finish);
	ctx->file = file;
	ctx->ppos = (file->f_mode & FMODE_STREAM) ? NULL : &ctx->pos;
	ctx->pos = file->f_pos;
	ctx->seekable = ctx->ppos && S_ISREG(file_inode(file)->i_mode) &&
			(file->f_mode & FMODE_PREAD);
	ctx->flags = flags;
	ctx->pathbuf = __getname();
	if (!ctx->pathbuf || ckpt_obj_init(ctx, restart)) {
		if (ctx->pathbuf)
			__putname(ctx->pathbuf);
		kfree(ctx);
		return ERR_PTR(-ENOMEM);
	}
	if (restart) {
		ctx->caller = current;
		ctx->caller_cred = get_current_cred();
		get_fs_root(current->fs, &ctx->root);
	}
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
	unsigned int i;

	if (ctx->ppos)
		ctx->file->f_pos = ctx->pos;
	ckpt_mm_free(ctx);
	ckpt_ns_free(ctx);
	for (i = 0; ctx->tasks && i < ctx->nr_tasks; i++)
		ckpt_task_free(&ctx->tasks[i]);
	kvfree(ctx->tasks);
	ckpt_restart_release(ctx);
	ckpt_obj_free(ctx);
	ckpt_net_free(ctx);
	xa_destroy(&ctx->index);
	if (ctx->pidns)
		put_pid_ns(ctx->pidns);
	if (ctx->caller_cred) {
		put_cred(ctx->caller_cred);
		path_put(&ctx->root);
	}
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

/**
 * ckpt_read - read @len bytes of the image
 * @ctx: restart context
 * @buf: where to
 * @len: how many
 */
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len)
{
	struct kvec kv = { .iov_base = buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, len);
	return ckpt_read_iter(ctx, &iter);
}

/**
 * ckpt_skip - pass over @len bytes of the image
 * @ctx: restart context
 * @len: how many
 */
int ckpt_skip(struct ckpt_ctx *ctx, size_t len)
{
	struct iov_iter iter;

	iov_iter_discard(&iter, ITER_DEST, len);
	return ckpt_read_iter(ctx, &iter);
}

/* the padding of a record of @len bytes whose payload was consumed */
static int ckpt_read_padding(struct ckpt_ctx *ctx, u32 len)
{
	u8 pad[CKPT_ALIGN];
	size_t n = ckpt_padded(len) - len;
	int ret;

	if (!n)
		return 0;
	ret = ckpt_read(ctx, pad, n);
	if (!ret && !ckpt_zero(pad, n))
		ret = -EINVAL;
	return ret;
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

	if (ctx->pushed) {
		ctx->pushed = false;
		*h = ctx->pushback;
		return 0;
	}
	for (;;) {
		ret = ckpt_read(ctx, &raw, sizeof(raw));
		if (ret)
			return ret;
		h->type = le32_to_cpu(raw.type);
		h->len = le32_to_cpu(raw.len);
		if (h->len < sizeof(raw) || h->len > CKPT_REC_MAX_LEN)
			return -EINVAL;
		ctx->nr_records++;
		/* a type of this version: whoever reads it decides */
		if (h->type >= CKPT_REC_HEADER && h->type < CKPT_REC_NR)
			return 0;
		if (!(h->type & CKPT_TYPE_OPTIONAL))
			return -EINVAL;
		ret = ckpt_skip(ctx, h->len - sizeof(raw));
		if (!ret)
			ret = ckpt_read_padding(ctx, h->len);
		if (ret)
			return ret;
	}
}

/**
 * ckpt_push_hdr - give back a header that ckpt_read_hdr() returned
 * @ctx: restart context
 * @h: the header; the next ckpt_read_hdr() returns it again
 */
void ckpt_push_hdr(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	WARN_ON_ONCE(ctx->pushed);
	ctx->pushback = *h;
	ctx->pushed = true;
}

/**
 * ckpt_read_payload - read the rest of the record whose header was read
 * @ctx: restart context
 * @h: the header, from ckpt_read_hdr()
 * @min_len: smallest valid length, header included
 * @max_len: largest valid length
 *
 * The padding after the record must be zero.
 * Return: the whole record (header included) in a kvmalloc()ed buffer of
 * at least @min_len bytes, free it with kvfree(); or an ERR_PTR()
 */
void *ckpt_read_payload(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
			size_t min_len, size_t max_len)
{
	size_t padded = ckpt_padded(h->len);
	struct ckpt_hdr *rec;
	int ret;

	if (h->len < min_len || h->len > max_len)
		return ERR_PTR(-EINVAL);
	rec = kvzalloc(max(padded, min_len), GFP_KERNEL_ACCOUNT);
	if (!rec)
		return ERR_PTR(-ENOMEM);
	rec->type = cpu_to_le32(h->type);
	rec->len = cpu_to_le32(h->len);
	ret = ckpt_read(ctx, rec + 1, padded - sizeof(*h));
	if (!ret && !ckpt_zero((u8 *)rec + h->len, padded - h->len))
		ret = -EINVAL;
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
	    le16_to_cpu(h->arch) == CKPT_ARCH_X86_64 && !h->__pad &&
	    le32_to_cpu(h->page_size) == PAGE_SIZE &&
	    !(le64_to_cpu(h->flags) & ~CHECKPOINT_FLAGS_ALL) &&
	    !(le64_to_cpu(h->exclude) & ~(u64)CKPT_EXCLUDE_ALL) &&
	    memchr(h->release, 0, sizeof(h->release)) &&
	    memchr(h->machine, 0, sizeof(h->machine))) {
		*hdr = *h;
		ret = 0;
	}
	kvfree(h);
	return ret;
}

/**
 * ckpt_read_tail - read and check the image's last record
 * @ctx: restart context
 *
 * Its counts must be those of what was read before it.
 * Return: 0 or -EINVAL
 */
int ckpt_read_tail(struct ckpt_ctx *ctx)
{
	u64 nr_records, size;
	struct ckpt_rec_tail *t;
	struct ckpt_rhdr h;
	int ret;

	ret = ckpt_read_hdr(ctx, &h);
	if (ret)
		return ret;
	if (h.type != CKPT_REC_TAIL)
		return -EINVAL;
	nr_records = ctx->nr_records - 1;
	size = ctx->bytes - sizeof(struct ckpt_hdr);
	t = ckpt_read_payload(ctx, &h, sizeof(*t), sizeof(*t));
	if (IS_ERR(t))
		return PTR_ERR(t);
	ret = -EINVAL;
	if (!memcmp(t->magic, CKPT_MAGIC, sizeof(t->magic)) &&
	    le64_to_cpu(t->nr_records) == nr_records &&
	    le64_to_cpu(t->size) == size)
		ret = 0;
	kvfree(t);
	return ret;
}

static void ckpt_aread_fn(struct work_struct *work)
{
	struct ckpt_aread *ar = container_of(work, struct ckpt_aread, work);
	struct mem_cgroup *old = set_active_memcg(ar->memcg);
	struct iov_iter iter;
	loff_t pos = ar->pos;

	iov_iter_bvec(&iter, ITER_DEST, ar->bv, ar->nr, ar->len);
	ar->ret = ckpt_read_at(ar->file, &iter, &pos);
	set_active_memcg(old);
	complete(&ar->done);
}

/**
 * ckpt_read_async - have the next @len bytes of the image read elsewhere
 * @ctx: restart context
 * @ar: the read, unused until ckpt_read_async_wait() returns
 * @bv: pages to read into
 * @nr: bio_vecs in @bv
 * @len: bytes
 *
 * When the image is a regular file, a work item reads the bytes at their
 * position on another CPU, and the stream moves on past them at once.  The
 * page cache the read fills is charged to the caller's memory cgroup.
 * Return: true if the read was queued: the caller must then wait for it
 * with ckpt_read_async_wait() before it uses or frees the pages; false if
 * it must read them itself.
 */
bool ckpt_read_async(struct ckpt_ctx *ctx, struct ckpt_aread *ar,
		     struct bio_vec *bv, unsigned int nr, size_t len)
{
	if (!ctx->seekable)
		return false;
	INIT_WORK(&ar->work, ckpt_aread_fn);
	init_completion(&ar->done);
	ar->file = ctx->file;
	ar->pos = *ctx->ppos;
	ar->bv = bv;
	ar->nr = nr;
	ar->len = len;
	ar->memcg = get_mem_cgroup_from_current();
	ar->ret = 0;
	*ctx->ppos += len;
	ctx->bytes += len;
	queue_work(system_unbound_wq, &ar->work);
	return true;
}

/**
 * ckpt_read_async_wait - wait for a read that ckpt_read_async() queued
 * @ar: the read
 *
 * A fatal signal ends the wait early, but not before the read is over or
 * cancelled, so that its pages may be freed.
 * Return: the read's result, or -EINTR
 */
int ckpt_read_async_wait(struct ckpt_aread *ar)
{
	int ret = 0;

	if (wait_for_completion_killable(&ar->done)) {
		cancel_work_sync(&ar->work);
		ret = -EINTR;
	}
	mem_cgroup_put(ar->memcg);
	return ret ?: ar->ret;
}
