/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: what the parts of kernel/checkpoint/ share.
 *
 * One checkpoint or restart is a struct ckpt_ctx: the image stream, the
 * table of shared objects, the first error and the tasks of the image, a
 * struct ckpt_task each.  The resources (credentials, fs, files, memory,
 * signals, ...) live in files of their own.  Each registers the record
 * types it restores (struct ckpt_rec_ops) and describes the kinds of
 * shared objects it saves (struct ckpt_obj_ops), so that the core
 * (image.c, objhash.c, restore.c) names none of them.
 *
 * Locking: on checkpoint, only the caller uses the ctx.  On restart the
 * tasks being restored take turns in the order of the tree: the task whose
 * turn it is reads the image and uses the object table; the caller (the
 * coordinator) reads the image before the first turn and after the last.
 * The fields a task or the coordinator use outside those turns are marked
 * in struct ckpt_ctx.
 */
#ifndef _KERNEL_CHECKPOINT_INTERNAL_H
#define _KERNEL_CHECKPOINT_INTERNAL_H

#include <linux/completion.h>
#include <linux/net.h>
#include <linux/path.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/checkpoint.h>
#include <asm/checkpoint.h>

struct cred;
struct file;
struct ipc_namespace;
struct pid;
struct vm_area_struct;
struct page;
struct iov_iter;
struct task_struct;
struct ckpt_ctx;
struct ckpt_task;
struct ckpt_obj;
struct ckpt_hold;
struct ckpt_gate;
struct pid_namespace;
struct ckpt_net;

#define CKPT_ERRMSG_LEN		128
#define CKPT_REC_NR		(CKPT_REC_MAX + 1)

/* a record header as read, in CPU byte order */
struct ckpt_rhdr {
	u32 type;
	u32 len;
};

/* Why checkpoint failed: written as CKPT_REC_ERROR. */
struct ckpt_error {
	int err;		/* negative errno, 0 while none */
	pid_t pid;
	u32 kind;		/* enum ckpt_obj_kind */
	int fd;
	u64 addr;
	char msg[CKPT_ERRMSG_LEN];
};

/**
 * struct ckpt_obj_ops - a kind of object that several tasks may share
 * @type:	the record type that defines it in the image
 * @err_kind:	enum ckpt_obj_kind, for error records
 * @global:	its record comes after the tree, before the first task
 *		(CKPT_PLACE_GLOBAL): it is written by ckpt_dump_globals()
 * @optional:	a task may have none: @get then returns NULL
 * @shared_msg:	checkpoint: why an object of this kind that is also used
 *		outside the image is refused; NULL if that is not refused
 * @get:	checkpoint: the object of a task, with a reference; NULL if it
 *		has none, or an ERR_PTR() that refuses it
 * @grab:	checkpoint: take another reference
 * @drop:	drop a reference taken by @get or @grab
 * @users:	checkpoint: users of the object other than the checkpoint's
 *		own references; NULL if not counted
 * @check:	checkpoint: refuse the object, with an error record that
 *		names it, if it is used outside the image in a way @users
 *		cannot count; called once every task was collected
 * @collect:	checkpoint: note the objects this one refers to (may be NULL)
 * @forget:	checkpoint: drop the object and what @collect kept with it;
 *		NULL to just @drop it
 * @dump:	checkpoint: write the records of the object
 * @release:	restart: drop the object that a record restored
 * @finish:	restart: called by the caller once every task is restored
 * @commit:	restart: it succeeded, what the object made stays (called
 *		after every @finish succeeded; before @release)
 */
struct ckpt_obj_ops {
	u32 type;
	u32 err_kind;
	bool global;
	bool optional;
	const char *shared_msg;
	void *(*get)(struct ckpt_ctx *ctx, struct task_struct *t);
	void (*grab)(void *ptr);
	void (*drop)(void *ptr);
	long (*users)(void *ptr);
	int (*check)(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
	int (*collect)(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
	void (*forget)(struct ckpt_obj *obj);
	int (*dump)(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
	void (*release)(struct ckpt_obj *obj);
	int (*finish)(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
	void (*commit)(struct ckpt_obj *obj);
};

/**
 * struct ckpt_obj - one object of the image
 * @node:	checkpoint: in the table by kernel address
 * @ptr:	the kernel object
 * @ops:	its kind
 * @ref:	its object id in the image
 * @users:	checkpoint: tasks, tables or files of the image that use it
 * @owner:	restart: thread group id of the process that built it
 * @dumped:	checkpoint: its records were written
 * @priv:	what the kind keeps with the object
 */
struct ckpt_obj {
	struct rhash_head node;
	void *ptr;
	const struct ckpt_obj_ops *ops;
	u32 ref;
	u32 users;
	pid_t owner;
	bool dumped;
	unsigned long priv;
};

/**
 * struct ckpt_file_kind - a kind of open file whose state is an object
 * @type:	CKPT_FILE_* of its FILE records
 * @obj:	the kind of that object, whose record goes just before the
 *		FILE.  On checkpoint the object is keyed by the file's
 *		private_data and its priv is the file (which the FILE object
 *		holds).  On restart its record makes the file, its ptr with a
 *		reference, which the FILE record takes over.
 * @match:	checkpoint: whether an open file is of this kind
 */
struct ckpt_file_kind {
	u32 type;
	const struct ckpt_obj_ops *obj;
	bool (*match)(struct file *file);
};

/* Where a record may appear in the image. */
enum ckpt_rec_place {
	CKPT_PLACE_GLOBAL,	/* between the tree and the first task */
	CKPT_PLACE_OBJECT,	/* in a task's section, before its TASK */
	CKPT_PLACE_TASK,	/* after TASK, before TASK_END */
	CKPT_PLACE_MEMBER,	/* read by the restore of another record */
};

/**
 * struct ckpt_rec_ops - how restart takes a record type
 * @type:	CKPT_REC_*
 * @name:	for messages
 * @place:	where it may appear
 * @min_len:	smallest valid length, header included
 * @max_len:	largest valid length
 * @raw:	@restore reads the payload itself (it gets a NULL @rec)
 * @once:	CKPT_PLACE_TASK: at most once per task
 * @required:	CKPT_PLACE_TASK: a task must have it
 * @restore:	apply the record; for CKPT_PLACE_GLOBAL records @t is NULL
 */
struct ckpt_rec_ops {
	u32 type;
	const char *name;
	enum ckpt_rec_place place;
	u32 min_len;
	u32 max_len;
	bool raw;
	bool once;
	bool required;
	int (*restore)(struct ckpt_ctx *ctx, struct ckpt_task *t,
		       const struct ckpt_rhdr *h, void *rec);
};

/* The shared objects a task uses, in the order they are saved. */
enum ckpt_task_part {
	CKPT_PART_CREDS,
	CKPT_PART_FS,
	CKPT_PART_FILES,
	CKPT_PART_MM,
	CKPT_PART_SIGHAND,
	CKPT_PART_SIGNAL,
	CKPT_PART_SEMUNDO,	/* optional: SEM_UNDO adjustments */
	CKPT_PART_NR
};

/**
 * struct ckpt_task - one task of the image
 * @ctx:	the checkpoint or restart
 * @task:	the task, with a reference
 * @pid:	its pid in the image
 * @tgid:	its thread group leader's
 * @ppid:	its parent's, 0 if the parent is outside the image
 * @pgid:	its process group, 0 if outside the image's pid namespace
 * @sid:	its session, likewise
 * @flags:	CKPT_TREE_*
 * @exit_signal: sent to the parent at exit
 * @exit_code:	for a zombie, what wait(2) reports
 * @exclude:	CKPT_EXCLUDE_* applied to its process (its cgroup's)
 * @leader:	index of its thread group leader in ctx->tasks
 * @parent:	index of its parent, -1 if outside
 * @first_child: restart: first task it creates (a thread or a child), -1
 * @next_sibling: restart: the next task its creator creates, -1
 * @part:	checkpoint: the shared objects it uses
 * @nvcsw:	checkpoint: its switch count when it was found stopped
 * @stopped:	checkpoint: held by its group stop, not parked
 * @self:	checkpoint: the caller
 * @vnr:	its pid as the caller of checkpoint sees it (when the tree
 *		was listed), or on restart as its creator sees it, 0 until
 *		created
 * @turn:	restart: completed when it may read its section
 * @cred:	restart: credentials to install at the end
 * @blocked:	restart: blocked signals
 * @pdeath_signal: restart: parent death signal, set after the credentials
 * @sigq:	restart: its own queue of pending signals
 * @signal:	restart: the signal state object of its process
 * @seen:	restart: bit n set: record type n of CKPT_PLACE_TASK was read
 * @in_task:	restart: its TASK record was read
 * @go_work:	restart: how it waits for the others before user mode
 * @arch:	registers and FPU state
 */
struct ckpt_task {
	struct ckpt_ctx *ctx;
	struct task_struct *task;
	pid_t pid, tgid, ppid, pgid, sid;
	u32 flags;
	u32 exit_signal;
	u32 exit_code;
	u32 exclude;
	int leader;
	int parent;
	int first_child;
	int next_sibling;
	/* checkpoint */
	struct ckpt_obj *part[CKPT_PART_NR];
	unsigned long nvcsw;
	bool stopped;
	bool self;
	/* restart */
	pid_t vnr;
	struct completion turn;
	struct cred *cred;
	u64 blocked;
	int pdeath_signal;
	struct ckpt_rec_sigpending *sigq;
	struct ckpt_obj *signal;
	u64 seen;
	bool in_task;
	struct callback_head go_work;
	struct ckpt_arch_task arch;
};

/**
 * struct ckpt_ctx - state of one checkpoint or restart
 * @file:	the image
 * @ppos:	position in @file, NULL for a stream
 * @pos:	the position while the operation runs
 * @seekable:	@file may be read at several positions at once
 * @nr_records:	records written or read so far
 * @bytes:	bytes written or read so far
 * @pushback:	restart: a record header read ahead, valid if @pushed
 * @pushed:	restart: see @pushback
 * @flags:	the system call's flags
 * @id:		checkpoint id
 * @tasks:	the tasks of the image, in the order of the tree
 * @nr_tasks:	how many
 * @index:	checkpoint: index + 1 in @tasks by global pid number
 * @cur:	the task being saved or restored, for error records
 * @container:	the image is a whole pid namespace
 * @ns_flags:	CKPT_TREE_IPCNS, CKPT_TREE_UTSNS: the container has an ipc
 *		or uts namespace of its own, saved with the image
 * @exclude:	checkpoint: the union of the tasks' CKPT_EXCLUDE_* masks
 * @pidns:	the image's pid namespace
 * @hold:	checkpoint: how the tasks are held still
 * @objs:	the objects by id
 * @obj_ptrs:	checkpoint: the objects by kernel address
 * @next_ref:	checkpoint: next object id to hand out
 * @nr_files:	restart: files the image opened, at most the caller's
 *		RLIMIT_NOFILE
 * @pathbuf:	PATH_MAX scratch buffer for d_path()
 * @mm:		private state of the memory code (mm.c, pages.c)
 * @mapped:	restart: the files opened for mappings, by path (mm.c)
 * @ns:		restart: private state of the namespace code (ns.c)
 * @net:	private state of the socket code (socket.c)
 * @caller:	restart: the calling task (the coordinator)
 * @caller_cred: restart: its credentials
 * @root:	restart: its root directory: every path is looked up there
 * @lock:	restart: protects @aborted and the @task of every entry
 *		against the coordinator's killing
 * @aborted:	restart: the restart failed; tasks that start now exit
 * @wait:	restart: the coordinator waits here for @nr_pending or an error
 * @sections_done: restart: the last task read its section
 * @finish:	restart: the tail was read; complete the tasks
 * @gate:	restart: where the tasks wait before user mode
 * @error:	first error, for the error record
 * @rst_err:	restart: first error of a restoring task
 */
struct ckpt_ctx {
	struct file *file;
	loff_t *ppos;
	loff_t pos;
	bool seekable;
	u64 nr_records;
	u64 bytes;
	struct ckpt_rhdr pushback;
	bool pushed;
	unsigned long flags;
	u64 id;
	struct ckpt_task *tasks;
	unsigned int nr_tasks;
	struct xarray index;
	struct ckpt_task *cur;
	bool container;
	u32 ns_flags;
	u32 exclude;
	struct pid_namespace *pidns;
	struct ckpt_hold *hold;
	struct xarray objs;
	struct rhashtable *obj_ptrs;
	u32 next_ref;
	unsigned int nr_files;
	char *pathbuf;
	void *mm;
	struct list_head mapped;
	void *ns;
	struct ckpt_net *net;
	struct task_struct *caller;
	const struct cred *caller_cred;
	struct path root;
	spinlock_t lock;	/* @aborted, ckpt_task.task against abort */
	bool aborted;
	wait_queue_head_t wait;
	bool sections_done;
	struct completion finish;
	struct ckpt_gate *gate;
	struct ckpt_error error;
	int rst_err;
};

/* image.c: the stream of records */
struct ckpt_ctx *ckpt_ctx_alloc(struct file *file, unsigned long flags,
				bool restart);
void ckpt_ctx_free(struct ckpt_ctx *ctx);
int ckpt_write(struct ckpt_ctx *ctx, const void *buf, size_t len);
int ckpt_write_record(struct ckpt_ctx *ctx, u32 type, void *rec, size_t size,
		      const void *data, size_t data_len);
int ckpt_write_record_iter(struct ckpt_ctx *ctx, u32 type, void *rec,
			   size_t size, struct iov_iter *data);
int ckpt_write_header(struct ckpt_ctx *ctx, u32 exclude);
int ckpt_write_tail(struct ckpt_ctx *ctx);
int ckpt_write_error(struct ckpt_ctx *ctx);
__printf(6, 7)
int ckpt_err(struct ckpt_ctx *ctx, int err, u32 kind, int fd, u64 addr,
	     const char *fmt, ...);
int ckpt_read(struct ckpt_ctx *ctx, void *buf, size_t len);
int ckpt_read_iter(struct ckpt_ctx *ctx, struct iov_iter *iter);
int ckpt_read_at(struct file *file, struct iov_iter *iter, loff_t *ppos);
int ckpt_skip(struct ckpt_ctx *ctx, size_t len);
int ckpt_read_hdr(struct ckpt_ctx *ctx, struct ckpt_rhdr *h);
void ckpt_push_hdr(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
void *ckpt_read_payload(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
			size_t min_len, size_t max_len);
void *ckpt_read_record(struct ckpt_ctx *ctx, u32 type, size_t min_len,
		       size_t max_len, size_t *lenp);
int ckpt_read_header(struct ckpt_ctx *ctx, struct ckpt_rec_header *hdr);
int ckpt_read_tail(struct ckpt_ctx *ctx);
bool ckpt_zero(const void *p, size_t len);

/**
 * struct ckpt_aread - a read of the image that another CPU does
 * @work:	the read, on system_unbound_wq
 * @done:	completed when it is over
 * @file:	the image
 * @pos:	where to read
 * @bv:		into these pages
 * @nr:		how many bio_vecs
 * @len:	how many bytes
 * @memcg:	charge the page cache it reads to this memory cgroup
 * @ret:	0 or the error of the read
 */
struct ckpt_aread {
	struct work_struct work;
	struct completion done;
	struct file *file;
	loff_t pos;
	struct bio_vec *bv;
	unsigned int nr;
	size_t len;
	struct mem_cgroup *memcg;
	int ret;
};

bool ckpt_read_async(struct ckpt_ctx *ctx, struct ckpt_aread *ar,
		     struct bio_vec *bv, unsigned int nr, size_t len);
int ckpt_read_async_wait(struct ckpt_aread *ar);

/* a path as the caller of checkpoint sees it, in ctx->pathbuf */
char *ckpt_path(struct ckpt_ctx *ctx, const struct path *path, u32 *len);
void ckpt_fill_identity(struct file *file, __le64 *dev, __le64 *ino,
			__le64 *size, __le64 *sec, __le32 *nsec);

/* objhash.c: the objects of the image */
int ckpt_obj_init(struct ckpt_ctx *ctx, bool restart);
void ckpt_obj_free(struct ckpt_ctx *ctx);
struct ckpt_obj *ckpt_obj_collect(struct ckpt_ctx *ctx,
				  const struct ckpt_obj_ops *ops, void *ptr);
struct ckpt_obj *ckpt_obj_find(struct ckpt_ctx *ctx, const void *ptr);
int ckpt_obj_check_users(struct ckpt_ctx *ctx);
int ckpt_obj_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj);
int ckpt_dump_globals(struct ckpt_ctx *ctx);
struct ckpt_obj *ckpt_obj_add(struct ckpt_ctx *ctx, u32 ref,
			      const struct ckpt_obj_ops *ops, void *ptr,
			      unsigned long priv);
struct ckpt_obj *ckpt_obj_lookup(struct ckpt_ctx *ctx, u32 ref,
				 const struct ckpt_obj_ops *ops);
void *ckpt_obj_get(struct ckpt_ctx *ctx, u32 ref,
		   const struct ckpt_obj_ops *ops);
int ckpt_restart_objs_done(struct ckpt_ctx *ctx);
void ckpt_restart_objs_commit(struct ckpt_ctx *ctx);

/* restore.c: the record registry and restart */
int ckpt_register_records(const struct ckpt_rec_ops *ops, unsigned int nr);
const struct ckpt_rec_ops *ckpt_rec_ops(u32 type);
long ckpt_restart(struct ckpt_ctx *ctx, pid_t pid);
void ckpt_restart_release(struct ckpt_ctx *ctx);
int ckpt_restore_records(struct ckpt_ctx *ctx, struct ckpt_task *t);

/* hold.c: holding the tasks of a checkpoint still */
int ckpt_hold_tree(struct ckpt_ctx *ctx, struct task_struct *root);
int ckpt_hold_state(struct ckpt_ctx *ctx, struct task_struct *t,
		    unsigned long *nvcsw);
int ckpt_hold_verify(struct ckpt_ctx *ctx);
void ckpt_hold_release(struct ckpt_ctx *ctx);

/* tree.c: the tasks and how they relate */
int ckpt_build_tree(struct ckpt_ctx *ctx, struct task_struct *root);
int ckpt_check_tree(struct ckpt_ctx *ctx);
int ckpt_dump_tree(struct ckpt_ctx *ctx);
int ckpt_read_tree(struct ckpt_ctx *ctx, u32 nr_tasks);
int ckpt_create_children(struct ckpt_ctx *ctx, struct ckpt_task *t);
void ckpt_reap_children(struct ckpt_ctx *ctx, struct ckpt_task *t);
int ckpt_set_pgrps(struct ckpt_ctx *ctx);
int ckpt_restore_fn(void *arg);
pid_t ckpt_image_pid(struct ckpt_ctx *ctx, struct pid *pid);
struct pid *ckpt_image_task_pid(struct ckpt_ctx *ctx, pid_t nr);

/* ns.c: the ipc and uts namespaces of a container */
int ckpt_check_task_ns(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_collect_ns(struct ckpt_ctx *ctx);
unsigned long ckpt_ns_clone_flags(struct ckpt_ctx *ctx);
int ckpt_ns_target(struct ckpt_ctx *ctx, pid_t top);
int ckpt_ns_globals_done(struct ckpt_ctx *ctx);
struct ipc_namespace *ckpt_target_ipc_ns(struct ckpt_ctx *ctx);
void ckpt_ns_free(struct ckpt_ctx *ctx);

/* task.c: a task's own state */
int ckpt_check_task(struct ckpt_ctx *ctx, struct ckpt_task *t);
int ckpt_collect_task(struct ckpt_ctx *ctx, struct ckpt_task *t);
int ckpt_dump_task(struct ckpt_ctx *ctx, struct ckpt_task *t);
int ckpt_restore_task_done(struct ckpt_ctx *ctx, struct ckpt_task *t);
int ckpt_restore_task_finish(struct ckpt_ctx *ctx, struct ckpt_task *t);
void ckpt_task_free(struct ckpt_task *t);

/* the kinds of shared objects */
extern const struct ckpt_obj_ops ckpt_creds_ops;
extern const struct ckpt_obj_ops ckpt_fs_ops;
extern const struct ckpt_obj_ops ckpt_files_ops;
extern const struct ckpt_obj_ops ckpt_file_ops;
extern const struct ckpt_obj_ops ckpt_pipe_ops;
extern const struct ckpt_obj_ops ckpt_mm_ops;
extern const struct ckpt_obj_ops ckpt_sighand_ops;
extern const struct ckpt_obj_ops ckpt_signal_ops;
extern const struct ckpt_obj_ops ckpt_shmem_ops;
extern const struct ckpt_obj_ops ckpt_semundo_ops;
extern const struct ckpt_obj_ops ckpt_filedata_ops;
extern const struct ckpt_obj_ops ckpt_content_ops;

/* fs.c, files.c, pipe.c, mm.c, signal.c: helpers for other parts */
int ckpt_lookup(struct ckpt_ctx *ctx, const char *name, unsigned int flags,
		struct path *path);
int ckpt_attach_fs(void *fs);
int ckpt_attach_files(void *files);
int ckpt_count_files(struct ckpt_ctx *ctx, unsigned int nr);
int ckpt_register_file_kind(const struct ckpt_file_kind *kind);
int ckpt_file_fd(struct ckpt_ctx *ctx, struct file *file);
bool ckpt_file_at_fd(struct ckpt_ctx *ctx, struct file *file, unsigned int fd);
bool ckpt_file_external(struct ckpt_ctx *ctx, struct file *file);
struct file *ckpt_external(struct ckpt_ctx *ctx, unsigned int fd);
struct file *ckpt_open_pinned(const struct path *path, int flags);
struct file *ckpt_open_pipe(struct ckpt_ctx *ctx, u32 ref, const char *path,
			    u32 f_flags);
int ckpt_dump_task_signals(struct ckpt_ctx *ctx, struct ckpt_task *t);
bool ckpt_content_wanted(struct file *file);
struct ckpt_obj *ckpt_content_collect(struct ckpt_ctx *ctx, struct file *file,
				      bool mapped, bool shared);
int ckpt_content_kind(struct ckpt_obj *obj);
struct file *ckpt_shmem_file(struct ckpt_ctx *ctx, u32 ref);
int ckpt_dump_shmem_pages(struct ckpt_ctx *ctx, struct inode *inode);
int ckpt_fill_shmem(struct ckpt_ctx *ctx, struct file *file);
struct file *ckpt_filedata_file(struct ckpt_ctx *ctx, u32 ref, bool *named);
#ifdef CONFIG_NET
u32 ckpt_socket_kind(struct file *file);
bool ckpt_is_dead_socket(struct file *file);
struct file *ckpt_dead_socket(int family, int type, int flags);
#else
static inline u32 ckpt_socket_kind(struct file *file)
{
	return 0;
}

static inline bool ckpt_is_dead_socket(struct file *file)
{
	return false;
}

static inline struct file *ckpt_dead_socket(int family, int type, int flags)
{
	return ERR_PTR(-EINVAL);
}
#endif
int ckpt_restore_signals(struct ckpt_ctx *ctx, struct ckpt_task *t);
void ckpt_mm_free(struct ckpt_ctx *ctx);
bool ckpt_may_own(const struct cred *cred, kuid_t uid, kgid_t gid);

/* pty.c: pseudo-terminals whose master is in the image */
#ifdef CONFIG_UNIX98_PTYS
struct ckpt_obj *ckpt_pty_collect_file(struct ckpt_ctx *ctx, struct file *file);
int ckpt_pty_file_type(struct ckpt_ctx *ctx, struct file *file, u32 *obj_ref);
struct file *ckpt_pty_open(struct ckpt_ctx *ctx, u32 ref, bool master,
			   u32 f_flags);
#else
static inline struct ckpt_obj *ckpt_pty_collect_file(struct ckpt_ctx *ctx,
						     struct file *file)
{
	return NULL;
}

static inline int ckpt_pty_file_type(struct ckpt_ctx *ctx, struct file *file,
				     u32 *obj_ref)
{
	return 0;
}

static inline struct file *ckpt_pty_open(struct ckpt_ctx *ctx, u32 ref,
					 bool master, u32 f_flags)
{
	return ERR_PTR(-EINVAL);
}
#endif

/* sysv.c, mqueue.c: SysV IPC objects and POSIX message queues */
#ifdef CONFIG_SYSVIPC
int ckpt_sysv_collect_ns(struct ckpt_ctx *ctx, struct ipc_namespace *ns,
			 bool whole);
bool ckpt_sysv_vma(struct vm_area_struct *vma);
struct ckpt_obj *ckpt_sysv_collect_vma(struct ckpt_ctx *ctx, struct file *file,
				       unsigned long addr);
int ckpt_sysv_vma_ref(struct ckpt_ctx *ctx, struct vm_area_struct *vma,
		      struct ckpt_rec_vma *r);
struct file *ckpt_sysv_attach_file(struct ckpt_ctx *ctx,
				   const struct ckpt_rec_vma *r);
#else
static inline int ckpt_sysv_collect_ns(struct ckpt_ctx *ctx,
				       struct ipc_namespace *ns, bool whole)
{
	return 0;
}

static inline bool ckpt_sysv_vma(struct vm_area_struct *vma)
{
	return false;
}

static inline struct ckpt_obj *ckpt_sysv_collect_vma(struct ckpt_ctx *ctx,
						     struct file *file,
						     unsigned long addr)
{
	return NULL;
}

static inline int ckpt_sysv_vma_ref(struct ckpt_ctx *ctx,
				    struct vm_area_struct *vma,
				    struct ckpt_rec_vma *r)
{
	return -EINVAL;
}

static inline struct file *ckpt_sysv_attach_file(struct ckpt_ctx *ctx,
						 const struct ckpt_rec_vma *r)
{
	return ERR_PTR(-EINVAL);
}
#endif
#ifdef CONFIG_POSIX_MQUEUE
int ckpt_mq_collect_ns(struct ckpt_ctx *ctx, struct ipc_namespace *ns);
struct ckpt_obj *ckpt_mq_collect_file(struct ckpt_ctx *ctx, struct file *file);
u32 ckpt_mq_file_ref(struct ckpt_ctx *ctx, struct file *file);
struct file *ckpt_mq_open(struct ckpt_ctx *ctx, u32 ref, u32 f_flags);
#else
static inline int ckpt_mq_collect_ns(struct ckpt_ctx *ctx,
				     struct ipc_namespace *ns)
{
	return 0;
}

static inline struct ckpt_obj *ckpt_mq_collect_file(struct ckpt_ctx *ctx,
						    struct file *file)
{
	return NULL;
}

static inline u32 ckpt_mq_file_ref(struct ckpt_ctx *ctx, struct file *file)
{
	return 0;
}

static inline struct file *ckpt_mq_open(struct ckpt_ctx *ctx, u32 ref,
					u32 f_flags)
{
	return ERR_PTR(-EINVAL);
}
#endif
int ckpt_ipc_write_msgs(struct ckpt_ctx *ctx, const void *buf, size_t len,
			unsigned long nr);
void *ckpt_ipc_read_msg(struct ckpt_ctx *ctx, u64 *type, size_t *len,
			size_t max);

/* socket.c: sockets and network namespaces (CONFIG_CHECKPOINT_NET) */
static inline bool ckpt_is_socket(struct file *file)
{
	return IS_ENABLED(CONFIG_NET) && sock_from_file(file);
}

#ifdef CONFIG_CHECKPOINT_NET
struct ckpt_obj *ckpt_sock_collect_file(struct ckpt_ctx *ctx,
					struct file *file);
int ckpt_sock_file_type(struct ckpt_ctx *ctx, struct ckpt_obj *fobj,
			u32 *obj_ref);
int ckpt_sock_file_done(struct ckpt_ctx *ctx);
struct file *ckpt_sock_open(struct ckpt_ctx *ctx, u32 ref, u32 f_flags);
void ckpt_net_kill(struct ckpt_ctx *ctx);
void ckpt_net_free(struct ckpt_ctx *ctx);
bool ckpt_net_task_ok(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_net_dump_ns(struct ckpt_ctx *ctx);
#else
static inline struct ckpt_obj *ckpt_sock_collect_file(struct ckpt_ctx *ctx,
						      struct file *file)
{
	return NULL;
}

static inline int ckpt_sock_file_type(struct ckpt_ctx *ctx,
				      struct ckpt_obj *fobj, u32 *obj_ref)
{
	return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SOCKET, (int)fobj->priv, 0,
			"fd %d: sockets are not supported (CONFIG_CHECKPOINT_NET)",
			(int)fobj->priv);
}

static inline int ckpt_sock_file_done(struct ckpt_ctx *ctx)
{
	return 0;
}

static inline struct file *ckpt_sock_open(struct ckpt_ctx *ctx, u32 ref,
					  u32 f_flags)
{
	return ERR_PTR(-EINVAL);
}

static inline void ckpt_net_kill(struct ckpt_ctx *ctx) {}
static inline void ckpt_net_free(struct ckpt_ctx *ctx) {}

static inline bool ckpt_net_task_ok(struct ckpt_ctx *ctx, struct task_struct *t)
{
	bool same;

	task_lock(t);
	same = t->nsproxy && t->nsproxy->net_ns == current->nsproxy->net_ns;
	task_unlock(t);
	return same;
}

static inline int ckpt_net_dump_ns(struct ckpt_ctx *ctx)
{
	return 0;
}
#endif

/* pages.c: the contents of memory */
struct ckpt_pagebuf;
struct ckpt_pagebuf *ckpt_pagebuf(struct ckpt_ctx *ctx);
void ckpt_pagebuf_add(struct ckpt_pagebuf *b, struct page *page, u64 addr);
bool ckpt_pagebuf_full(const struct ckpt_pagebuf *b);
int ckpt_pagebuf_write(struct ckpt_ctx *ctx, struct ckpt_pagebuf *b);
void ckpt_pagebuf_drop(struct ckpt_pagebuf *b);
/* cr.exclude's anon bit: the page ranges of an mm kept all the same */
struct ckpt_anon_keep {
	unsigned int nr;
	struct ckpt_range {
		unsigned long start, end;
	} r[];
};

int ckpt_dump_pages(struct ckpt_ctx *ctx, struct mm_struct *mm,
		    unsigned long start, unsigned long end,
		    const struct ckpt_anon_keep *keep);
int ckpt_restore_pages(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h,
		       unsigned long start, unsigned long end,
		       unsigned long *next);
int ckpt_pages_flush(struct ckpt_ctx *ctx);
void ckpt_pages_free(struct ckpt_ctx *ctx);

/* arch/<arch>/checkpoint/ */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t);
int ckpt_arch_dump_task(struct ckpt_ctx *ctx, struct task_struct *t,
			bool self);
void ckpt_arch_init_mm(struct mm_struct *mm);
unsigned long ckpt_arch_tls_base(struct task_struct *t);
void ckpt_arch_set_regs(struct ckpt_arch_task *arch);
int ckpt_arch_set_xstate(struct ckpt_arch_task *arch, struct task_struct *t);
void ckpt_arch_task_free(struct ckpt_arch_task *arch);
int ckpt_arch_map_vdso(unsigned long vvar, unsigned long vvar_end,
		       unsigned long vdso, unsigned long vdso_end);

/* a string at the end of a record: @len bytes, NUL-terminated, no NUL before */
static inline bool ckpt_valid_str(const u8 *s, u32 len, u32 max)
{
	return len && len <= max && strnlen(s, len) == len - 1;
}

static inline size_t ckpt_padded(size_t len)
{
	return ALIGN(len, CKPT_ALIGN);
}

/* a thread that is not its process's leader */
static inline bool ckpt_is_thread(const struct ckpt_task *t)
{
	return t->pid != t->tgid;
}

#endif /* _KERNEL_CHECKPOINT_INTERNAL_H */
