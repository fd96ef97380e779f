// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: restart(2).
 *
 * restart() reads an image and rebuilds its process as a new child of the
 * caller.  The child is created like a user-mode helper: it runs
 * ckpt_restore_fn() in the kernel, which reads the rest of the stream and
 * rebuilds "current" from it (address space, files, fs, signal state,
 * credentials), then returns towards user mode.  On its way there a task
 * work sets the saved registers (after ret_from_fork cleared rax) and waits
 * until the caller has loaded the saved FPU state into it, the way ptrace
 * does into a stopped tracee.  Only then does restart() return the child's
 * pid.
 *
 * The image is hostile input: every record is checked before it is used,
 * and the records must come in the order checkpoint writes them.  If
 * anything fails, the child exits (everything it built goes with it), the
 * caller reaps it and restart() returns the error.  The child has no exit
 * signal until it is complete, so a failed restart sends no SIGCHLD.
 */

#include <linux/checkpoint.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/refcount.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <uapi/linux/wait.h>

/* shared by the caller and the child it creates */
struct ckpt_restore {
	refcount_t ref;
	struct ckpt_ctx *ctx;
	struct completion restored;	/* the child is done, or failed */
	struct completion go;		/* the caller is done with it */
	struct callback_head finish;
	int ret;
};

/*
 * The records of one process, in the order checkpoint writes them.  A
 * record may follow another of a phase not larger than its own; a phase
 * marked "many" may repeat.
 */
struct ckpt_rst_op {
	unsigned int phase;
	bool many;
	int (*restore)(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h);
};

static int ckpt_restore_task_end(struct ckpt_ctx *ctx,
				 const struct ckpt_rhdr *h);

static const struct ckpt_rst_op ckpt_rst_ops[] = {
	[CKPT_REC_CREDS]	= { 1, false, ckpt_restore_creds },
	[CKPT_REC_FS]		= { 2, false, ckpt_restore_fs },
	[CKPT_REC_PIPE]		= { 3, true, ckpt_restore_pipe },
	[CKPT_REC_FILE]		= { 3, true, ckpt_restore_file },
	[CKPT_REC_FILES]	= { 4, false, ckpt_restore_files },
	[CKPT_REC_MM]		= { 5, false, ckpt_restore_mm },
	[CKPT_REC_VMA]		= { 6, true, ckpt_restore_vma },
	[CKPT_REC_PAGES]	= { 6, true, ckpt_restore_pages },
	[CKPT_REC_SIGHAND]	= { 7, false, ckpt_restore_sighand },
	[CKPT_REC_TASK]		= { 8, false, ckpt_restore_task },
	[CKPT_REC_SIGNAL]	= { 9, false, ckpt_restore_signal },
	[CKPT_REC_SIGPENDING]	= { 10, true, ckpt_restore_sigpending },
	[CKPT_REC_X86_REGS]	= { 11, false, ckpt_arch_restore_regs },
	[CKPT_REC_X86_XSTATE]	= { 12, false, ckpt_arch_restore_xstate },
	[CKPT_REC_TASK_END]	= { 13, false, ckpt_restore_task_end },
};

/* the records a process must have */
#define CKPT_RST_REQUIRED						\
	(BIT_ULL(CKPT_REC_CREDS) | BIT_ULL(CKPT_REC_FS) |		\
	 BIT_ULL(CKPT_REC_FILES) | BIT_ULL(CKPT_REC_MM) |		\
	 BIT_ULL(CKPT_REC_SIGHAND) | BIT_ULL(CKPT_REC_TASK) |		\
	 BIT_ULL(CKPT_REC_SIGNAL) | BIT_ULL(CKPT_REC_SIGPENDING) |	\
	 BIT_ULL(CKPT_REC_X86_REGS) | BIT_ULL(CKPT_REC_X86_XSTATE))

static int ckpt_restore_task_end(struct ckpt_ctx *ctx,
				 const struct ckpt_rhdr *h)
{
	struct ckpt_rst *rst = ctx->rst;

	if (h->len != sizeof(*h) ||
	    (rst->seen & CKPT_RST_REQUIRED) != CKPT_RST_REQUIRED ||
	    !rst->sigq[1] || rst->nr_vmas)
		return -EINVAL;
	return ckpt_restore_mm_done(ctx);
}

static int ckpt_restore_tail(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	u64 nr_records = ctx->nr_records - 1, size = ctx->bytes - sizeof(*h);
	struct ckpt_rec_tail *t;
	int ret = -EINVAL;

	t = ckpt_read_payload(ctx, h, sizeof(*t), sizeof(*t));
	if (IS_ERR(t))
		return PTR_ERR(t);
	if (!memcmp(t->magic, CKPT_MAGIC, sizeof(t->magic)) &&
	    le64_to_cpu(t->nr_records) == nr_records &&
	    le64_to_cpu(t->size) == size)
		ret = 0;
	kvfree(t);
	return ret;
}

/* read the records of the process up to the tail */
static int ckpt_restore_records(struct ckpt_ctx *ctx)
{
	struct ckpt_rst *rst = ctx->rst;
	const struct ckpt_rst_op *op;
	struct ckpt_rhdr h;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &h);
		if (ret)
			return ret;
		if (h.type == CKPT_REC_TAIL)
			break;
		if (h.type >= ARRAY_SIZE(ckpt_rst_ops))
			return -EINVAL;
		op = &ckpt_rst_ops[h.type];
		if (!op->restore || op->phase < rst->phase ||
		    (op->phase == rst->phase && !op->many))
			return -EINVAL;
		if (h.type != CKPT_REC_PAGES && rst->phase == 6 &&
		    op->phase > 6 && rst->nr_vmas)
			return -EINVAL;
		/* files and pipes held open: no more than the caller may */
		if ((h.type == CKPT_REC_FILE || h.type == CKPT_REC_PIPE) &&
		    ++rst->nr_files > rlimit(RLIMIT_NOFILE))
			return -EMFILE;
		rst->phase = op->phase;
		rst->seen |= BIT_ULL(h.type);
		/* pages read meanwhile are mapped before anything else */
		ret = h.type == CKPT_REC_PAGES ? 0 :
		      ckpt_restore_pages_flush(ctx);
		if (!ret)
			ret = op->restore(ctx, &h);
		if (ret)
			return ret;
	}
	if (!(rst->seen & BIT_ULL(CKPT_REC_TASK_END)))
		return -EINVAL;
	return ckpt_restore_tail(ctx, &h);
}

static void ckpt_restore_put(struct ckpt_restore *r)
{
	if (refcount_dec_and_test(&r->ref))
		kfree(r);
}

/* task work: the last thing the child does before it returns to user mode */
static void ckpt_restore_finish(struct callback_head *work)
{
	struct ckpt_restore *r = container_of(work, struct ckpt_restore, finish);

	ckpt_arch_set_regs(r->ctx->rst);
	complete(&r->restored);
	wait_for_completion_state(&r->go, TASK_IDLE);
	ckpt_restore_put(r);
}

/* runs in the new child: rebuild current from the image */
static int ckpt_restore_fn(void *arg)
{
	struct ckpt_restore *r = arg;
	struct ckpt_ctx *ctx = r->ctx;
	int ret, err;

	/* not the caller's: an interrupted restart_syscall() gets EINTR */
	current->restart_block.fn = do_no_restart_syscall;
	/* nobody may attach to it while it is built */
	set_dumpable(current->mm, SUID_DUMP_DISABLE);
	ret = ckpt_restore_records(ctx);
	err = ckpt_restore_pages_done(ctx, ret);
	ret = ret ?: err;
	if (!ret)
		ret = ckpt_restore_signals_done(ctx);
	if (!ret) {
		init_task_work(&r->finish, ckpt_restore_finish);
		ret = task_work_add(current, &r->finish, TWA_SIGNAL);
	}
	if (ret) {
		r->ret = ret;
		complete(&r->restored);
		ckpt_restore_put(r);
		do_exit(SIGKILL);
	}
	/* on to ret_from_fork and ckpt_restore_finish() */
	return 0;
}

/* reap the child, which has no exit signal yet, even with a signal pending */
static void ckpt_restore_reap(pid_t nr)
{
	while (kernel_wait4(nr, NULL, __WALL, NULL) == -ERESTARTSYS)
		schedule_timeout_uninterruptible(1);
}

static void ckpt_restore_kill(struct ckpt_restore *r, struct task_struct *t,
			      pid_t nr)
{
	send_sig(SIGKILL, t, 1);
	complete(&r->go);
	ckpt_restore_reap(nr);
}

static long ckpt_do_restart(struct ckpt_ctx *ctx, pid_t pid)
{
	struct kernel_clone_args args = {
		.flags = CLONE_UNTRACED,
		.exit_signal = 0,
		.fn = ckpt_restore_fn,
	};
	struct ckpt_rec_header hdr;
	struct ckpt_rec_tree *tree;
	struct ckpt_restore *r;
	struct task_struct *t;
	struct pid *child;
	size_t len;
	pid_t nr;
	long ret;

	ret = ckpt_read_header(ctx, &hdr);
	if (ret)
		return ret;
	tree = ckpt_read_record(ctx, CKPT_REC_TREE,
				sizeof(*tree) + sizeof(tree->tasks[0]),
				sizeof(*tree) + sizeof(tree->tasks[0]), &len);
	if (IS_ERR(tree))
		return PTR_ERR(tree);
	ret = -EINVAL;
	if (le32_to_cpu(hdr.nr_tasks) != 1 || le32_to_cpu(tree->nr_tasks) != 1)
		goto out_tree;

	ret = -ENOMEM;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		goto out_tree;
	refcount_set(&r->ref, 2);
	init_completion(&r->restored);
	init_completion(&r->go);
	r->ctx = ctx;
	args.fn_arg = r;
	if (pid) {
		args.set_tid = &pid;
		args.set_tid_size = 1;
	}

	nr = kernel_clone(&args);
	if (nr < 0) {
		ret = nr;
		kfree(r);
		goto out_tree;
	}
	child = find_get_pid(nr);
	t = get_pid_task(child, PIDTYPE_PID);
	put_pid(child);
	if (!t) {
		/* reaped already by another thread of the caller */
		complete(&r->go);
		wait_for_completion(&r->restored);
		ckpt_restore_put(r);
		ret = -ECHILD;
		goto out_tree;
	}

	/* the child reads the image: help, wait for it, or kill it */
	if (ckpt_restore_help(ctx) ||
	    wait_for_completion_killable(&r->restored)) {
		ckpt_restore_kill(r, t, nr);
		ret = -EINTR;
		goto out;
	}
	ret = r->ret;
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOINTR ||
	    ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	if (ret) {
		ckpt_restore_reap(nr);
		goto out;
	}
	/* parked in ckpt_restore_finish(): its FPU state is ours to set */
	while (!wait_task_inactive(t, TASK_UNINTERRUPTIBLE))
		usleep_range(10, 50);	/* it may be waiting for our CPU */
	ret = ckpt_arch_set_xstate(ctx->rst, t);
	if (ret) {
		ckpt_restore_kill(r, t, nr);
		goto out;
	}
	write_lock_irq(&tasklist_lock);
	t->exit_signal = SIGCHLD;
	write_unlock_irq(&tasklist_lock);
	ret = nr;
out:
	complete(&r->go);
	ckpt_restore_put(r);
	put_task_struct(t);
out_tree:
	kvfree(tree);
	return ret;
}

SYSCALL_DEFINE3(restart, pid_t, pid, int, fd, unsigned long, flags)
{
	struct ckpt_ctx *ctx;
	struct fd f;
	long ret;

	if (flags & ~RESTART_FLAGS_ALL)
		return -EINVAL;
	if (pid < 0)
		return -EINVAL;

	f = fdget_pos(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = ckpt_ctx_alloc(fd_file(f), flags, true);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;

	/* the new task starts as a copy of the caller: no state of its own */
	ret = ckpt_arch_check_task(ctx, current);
	if (!ret)
		ret = ckpt_restore_helper_init(ctx);
	if (!ret)
		ret = ckpt_do_restart(ctx, pid);
	ckpt_ctx_free(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}
