/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: the interface between the parts of kernel/checkpoint/
 * and arch/<arch>/checkpoint/.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/types.h>
#include <linux/hashtable.h>
#include <linux/string.h>
#include <uapi/linux/checkpoint.h>

struct cred;
struct path;
struct file;
struct iov_iter;
struct task_struct;
struct ckpt_pagebatch;

#define CKPT_ERRMSG_LEN		128

/* Why checkpoint failed: written as CKPT_REC_ERROR and to the kernel log. */
struct ckpt_error {
	int err;		/* negative errno, 0 while none */
	pid_t pid;
	u32 kind;		/* enum ckpt_obj_kind */
	int fd;
	u64 addr;
	char msg[CKPT_ERRMSG_LEN];
};

/**
 * struct ckpt_ctx - state of one checkpoint or restart
 * @file:	the image
 * @ppos:	position in @file, NULL for a stream
 * @pos:	the position while the operation runs
 * @nr_records:	records written or read so far
 * @bytes:	bytes written or read so far
 * @flags:	the system call's flags
 * @id:		checkpoint id
 * @root:	the task checkpointed
 * @self:	@root is the caller
 * @stopped:	@root was held by its group stop, not parked
 * @objs:	shared objects seen so far, by kernel pointer
 * @next_ref:	next object id to hand out
 * @pathbuf:	PATH_MAX scratch buffer for d_path()
 * @pages:	page batch of the memory dumper
 * @error:	first error, for the error record
 */
struct ckpt_ctx {
	struct file *file;
	loff_t *ppos;
	loff_t pos;
	u64 nr_records;
	u64 bytes;
	unsigned long flags;
	u64 id;
	struct task_struct *root;
	bool self;
	bool stopped;
	DECLARE_HASHTABLE(objs, 7);
	u32 next_ref;
	char *pathbuf;
	struct ckpt_pagebatch *pages;
	struct ckpt_error error;
};


/* image.c: records */
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_iter(struct ckpt_ctx *ctx, struct iov_iter *iter);
int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t size,
		      const void *data, size_t data_len);
int ckpt_write_record_iter(struct ckpt_ctx *ctx, u32 type, void *rec,
			   size_t size, struct iov_iter *data);
int ckpt_write_header(struct ckpt_ctx *ctx, u32 nr_tasks);
int ckpt_write_tail(struct ckpt_ctx *ctx);
int ckpt_write_error(struct ckpt_ctx *ctx);

int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_read_iter(struct ckpt_ctx *ctx, struct iov_iter *iter);
int ckpt_skip(struct ckpt_ctx *ctx, size_t len);
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_hdr *h);
void *ckpt_read_payload(struct ckpt_ctx *ctx, const struct ckpt_hdr *h,
			size_t min_len, size_t max_len);
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min_len,
		       size_t max_len, size_t *lenp);
int ckpt_read_header(struct ckpt_ctx *ctx, struct ckpt_rec_header *hdr);

__printf(6, 7)
int ckpt_err(struct ckpt_ctx *ctx, int err, u32 kind, int fd, u64 addr,
	     const char *fmt, ...);
char *ckpt_path(struct ckpt_ctx *ctx, const struct path *path, u32 *len);

/* objhash.c: shared objects, saved once and referred to by id */
u32 ckpt_obj_lookup(struct ckpt_ctx *ctx, const void *ptr);
int ckpt_obj_insert(struct ckpt_ctx *ctx, const void *ptr, u32 *ref);
int ckpt_obj_add(struct ckpt_ctx *ctx, u32 ref, u32 kind, void *ptr,
		 void (*release)(void *ptr));
void *ckpt_obj_get(struct ckpt_ctx *ctx, u32 ref, u32 kind);
void ckpt_obj_free(struct ckpt_ctx *ctx);

/* a string at the end of a record: @len bytes, NUL-terminated, no NUL before */
static inline bool ckpt_valid_str(const u8 *s, u32 len, u32 max)
{
	return len && len <= max && strnlen(s, len) == len - 1;
}

/* the resource kinds */
int ckpt_dump_creds(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref);
int ckpt_dump_fs(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref);
int ckpt_dump_files(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref);
int ckpt_dump_mm(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref);
int ckpt_dump_sighand(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref);
int ckpt_dump_signal(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_check_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_dump_task(struct ckpt_ctx *ctx, struct task_struct *t);
void ckpt_mm_free(struct ckpt_ctx *ctx);

/* arch/<arch>/checkpoint/ */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_dump_task(struct ckpt_ctx *ctx, struct task_struct *t);


static inline size_t ckpt_padded(size_t len)
{
	return ALIGN(len, CKPT_ALIGN);
}

#endif /* _LINUX_CHECKPOINT_H */
