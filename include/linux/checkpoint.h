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
struct ckpt_helper;
struct ckpt_pagebatch;
struct ckpt_rst;

#define CKPT_ERRMSG_LEN		128

/* a record header as read, in CPU byte order */
struct ckpt_rhdr {
	u32 type;
	u32 len;
};

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
 * @pages:	page batch of the memory dumper, or of restart
 * @ahead:	restart: a page batch that the caller reads meanwhile
 * @ahead_nr:	pages in @ahead, 0 while it is unused
 * @helper:	restart: how the child hands @ahead to the caller; NULL for
 *		an image that cannot be read at two positions at once
 * @rst:	restart state
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
	struct ckpt_pagebatch *ahead;
	unsigned int ahead_nr;
	struct ckpt_helper *helper;
	struct ckpt_rst *rst;
	struct ckpt_error error;
};

/**
 * struct ckpt_rst - what restart keeps until the restored task runs
 * @phase:	stream position, see restore.c
 * @seen:	bit n set: record type n was read
 * @nr_files:	FILE and PIPE records read
 * @nr_vmas:	VMAs the MM record announced and not read yet
 * @vma_start:	range of the last VMA, for its PAGES records
 * @vma_end:	end of that range
 * @vma_pages:	that VMA takes PAGES records
 * @vvar_start:	where [vvar] was placed, 0 if not yet
 * @vvar_end:	its end
 * @mlock_future: mlockall(MCL_FUTURE) was in force, set at the end
 * @exe:	the executable, set as the mm's exe_file at the end
 * @cred:	credentials to commit at the end
 * @blocked:	blocked signals
 * @pdeath_signal: parent death signal, set after the credentials
 * @page_next:	lowest address the next PAGES record may hold
 * @sigq:	pending signal queues: [0] the task's, [1] the process's
 * @regs:	the registers
 * @xstate:	the FPU state in the user ABI XSAVE layout
 * @xstate_size: bytes of @xstate
 */
struct ckpt_rst {
	unsigned int phase;
	u64 seen;
	u32 nr_files;
	u32 nr_vmas;
	unsigned long vma_start;
	unsigned long vma_end;
	bool vma_pages;
	unsigned long vvar_start;
	unsigned long vvar_end;
	bool mlock_future;
	struct file *exe;
	struct cred *cred;
	u64 blocked;
	int pdeath_signal;
	unsigned long page_next;
	struct ckpt_rec_sigpending *sigq[2];
	struct ckpt_rec_x86_regs regs;
	void *xstate;
	u32 xstate_size;
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
struct ckpt_ctx *ckpt_ctx_alloc(struct file *file, unsigned long flags,
				bool restart);
void ckpt_ctx_free(struct ckpt_ctx *ctx);
int ckpt_read_at(struct file *file, struct iov_iter *iter, loff_t *ppos);
int ckpt_read_iter(struct ckpt_ctx *ctx, struct iov_iter *iter);
int ckpt_skip(struct ckpt_ctx *ctx, size_t len);
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_rhdr *h);
void *ckpt_read_payload(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
			size_t min_len, size_t max_len);
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min_len,
		       size_t max_len, size_t *lenp);
int ckpt_read_header(struct ckpt_ctx *ctx, struct ckpt_rec_header *hdr);

__printf(6, 7)
int ckpt_err(struct ckpt_ctx *ctx, int err, u32 kind, int fd, u64 addr,
	     const char *fmt, ...);
char *ckpt_path(struct ckpt_ctx *ctx, const struct path *path, u32 *len);
void ckpt_fill_identity(struct file *file, __le64 *dev, __le64 *ino,
			__le64 *size, __le64 *sec, __le32 *nsec);

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

/* restoring, in the new task: each reads the payload of record @h */
int ckpt_restore_creds(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_fs(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_pipe(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_file(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_files(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_mm(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_vma(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_pages(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_pages_flush(struct ckpt_ctx *ctx);
int ckpt_restore_pages_done(struct ckpt_ctx *ctx, int err);
int ckpt_restore_helper_init(struct ckpt_ctx *ctx);
int ckpt_restore_help(struct ckpt_ctx *ctx);
int ckpt_restore_mm_done(struct ckpt_ctx *ctx);
int ckpt_restore_sighand(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_task(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_signal(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_sigpending(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_restore_signals_done(struct ckpt_ctx *ctx);
void ckpt_rst_free(struct ckpt_rst *rst);

/* arch/<arch>/checkpoint/ */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_dump_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_restore_regs(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
int ckpt_arch_restore_xstate(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
void ckpt_arch_set_regs(struct ckpt_rst *rst);
int ckpt_arch_map_vdso(unsigned long vvar, unsigned long vvar_end,
		       unsigned long vdso, unsigned long vdso_end);
int ckpt_arch_set_xstate(struct ckpt_rst *rst, struct task_struct *t);

static inline size_t ckpt_padded(size_t len)
{
	return ALIGN(len, CKPT_ALIGN);
}

#endif /* _LINUX_CHECKPOINT_H */
