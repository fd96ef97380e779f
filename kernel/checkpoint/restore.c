// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: restart(2).
 *
 * restart() reads an image and rebuilds its tasks as a new tree under the
 * caller, which coordinates and is not part of it:
 *
 * 1. The caller reads the header and the tree, and creates the top task
 *    with kernel_clone() (in a new pid namespace for a container, and new
 *    ipc and uts namespaces if the container had its own).  It then reads
 *    the records that precede the first task (namespaces, IPC objects)
 *    and makes those objects in the top's namespaces.
 * 2. Each task runs ckpt_restore_fn() in the kernel.  When its turn comes
 *    it reads its own section of the image and rebuilds itself (current)
 *    from it, creates its threads and children, and hands the image to the
 *    next task of the tree; then it waits.  Only the task whose turn it is
 *    reads the image or uses the table of objects.
 * 3. After the last section the caller reads the tail, puts the processes
 *    in their process groups and sessions, and lets the tasks finish: each
 *    installs its credentials and signal state and queues a task_work that
 *    sets its registers on its way to user mode and waits there.
 * 4. Once every task waits there, the caller loads each one's FPU state
 *    (through the regset, as ptrace does), gives the processes their exit
 *    signals and lets them all go at once.  It returns the top's pid.
 *
 * The image is hostile input: every record is checked before it is used,
 * and each record type may only appear where the registry allows it.  If
 * anything fails, or the caller gets a fatal signal, every task is killed;
 * each reaps its own children before it exits and the caller reaps the
 * top, so no task is left.  No task has an exit signal before the end, so a
 * failed restart sends no SIGCHLD.
 */

#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid_namespace.h>
#include <linux/refcount.h>
#include <linux/restart_block.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>
#include <uapi/linux/wait.h>

#include "internal.h"

static const struct ckpt_rec_ops *ckpt_rec_table[CKPT_REC_NR];
static u64 ckpt_rec_required;

/**
 * ckpt_register_records - declare how restart takes some record types
 * @ops: the types, in the file of the resource they restore
 * @nr: how many
 *
 * Called at boot by each resource.  Return: 0, or -EINVAL for a type that
 * is out of range or registered twice
 */
int ckpt_register_records(const struct ckpt_rec_ops *ops, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		u32 type = ops[i].type;

		if (WARN_ON(type >= CKPT_REC_NR || ckpt_rec_table[type] ||
			    ops[i].min_len < sizeof(struct ckpt_hdr) ||
			    ops[i].min_len > ops[i].max_len ||
			    ops[i].max_len > CKPT_REC_MAX_LEN))
			return -EINVAL;
		ckpt_rec_table[type] = &ops[i];
		if (ops[i].place == CKPT_PLACE_TASK && ops[i].required)
			ckpt_rec_required |= BIT_ULL(type);
	}
	return 0;
}

/**
 * ckpt_rec_ops - how restart takes a record type
 * @type: the type
 *
 * Return: its ops, or NULL for a type restart does not take
 */
const struct ckpt_rec_ops *ckpt_rec_ops(u32 type)
{
	return type < CKPT_REC_NR ? ckpt_rec_table[type] : NULL;
}

/*
 * Where the tasks wait at the end.  It outlives the context: tasks still
 * use it after the caller let them go and returned.
 */
struct ckpt_gate {
	refcount_t ref;
	atomic_t nr_pending;		/* tasks not waiting here yet */
	wait_queue_head_t ready;	/* the caller waits here */
	wait_queue_head_t go;		/* the tasks wait here */
	bool open;
};

static void ckpt_gate_put(struct ckpt_gate *g)
{
	if (refcount_dec_and_test(&g->ref))
		kfree(g);
}

/**
 * ckpt_restart_release - drop what restart keeps beyond its context
 * @ctx: restart context
 */
void ckpt_restart_release(struct ckpt_ctx *ctx)
{
	if (ctx->gate)
		ckpt_gate_put(ctx->gate);
}

/**
 * ckpt_restore_records - read one task's section, up to its TASK_END
 * @ctx: restart context
 * @t: the task, current, whose turn it is
 *
 * Return: 0 or the first error
 */
int ckpt_restore_records(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	const struct ckpt_rec_ops *ops;
	struct ckpt_rhdr h;
	void *rec = NULL;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &h);
		if (ret)
			return ret;
		if (h.type == CKPT_REC_TASK_END)
			break;
		ops = ckpt_rec_ops(h.type);
		if (!ops)
			return -EINVAL;
		switch (ops->place) {
		case CKPT_PLACE_OBJECT:
			if (t->in_task)
				return -EINVAL;
			break;
		case CKPT_PLACE_TASK:
			if (!t->in_task ||
			    (ops->once && (t->seen & BIT_ULL(h.type))))
				return -EINVAL;
			t->seen |= BIT_ULL(h.type);
			break;
		default:
			return -EINVAL;
		}
		if (ops->raw) {
			if (h.len < ops->min_len || h.len > ops->max_len)
				return -EINVAL;
		} else {
			rec = ckpt_read_payload(ctx, &h, ops->min_len,
						ops->max_len);
			if (IS_ERR(rec))
				return PTR_ERR(rec);
		}
		ret = ops->restore(ctx, t, &h, rec);
		kvfree(rec);
		rec = NULL;
		if (ret)
			return ret;
	}
	if (h.len != sizeof(struct ckpt_hdr) || !t->in_task ||
	    (t->seen & ckpt_rec_required) != ckpt_rec_required)
		return -EINVAL;
	return ckpt_restore_task_done(ctx, t);
}

/* the records between the tree and the first task, for the caller */
static int ckpt_restore_globals(struct ckpt_ctx *ctx)
{
	const struct ckpt_rec_ops *ops;
	struct ckpt_rhdr h;
	void *rec;
	int ret;

	for (;;) {
		ret = ckpt_read_hdr(ctx, &h);
		if (ret)
			return ret;
		ops = ckpt_rec_ops(h.type);
		if (!ops || ops->place != CKPT_PLACE_GLOBAL) {
			ckpt_push_hdr(ctx, &h);
			return 0;
		}
		rec = ckpt_read_payload(ctx, &h, ops->min_len, ops->max_len);
		if (IS_ERR(rec))
			return PTR_ERR(rec);
		ret = ops->restore(ctx, NULL, &h, rec);
		kvfree(rec);
		if (ret)
			return ret;
	}
}

/* a task tells the caller it failed */
static void ckpt_restore_fail(struct ckpt_ctx *ctx, int err)
{
	if (err == -ERESTARTSYS || err == -ERESTARTNOINTR ||
	    err == -ERESTARTNOHAND || err == -ERESTART_RESTARTBLOCK)
		err = -EINTR;
	spin_lock(&ctx->lock);
	if (!ctx->rst_err)
		ctx->rst_err = err;
	spin_unlock(&ctx->lock);
	wake_up(&ctx->wait);
}

/* the next task to read its section, or the caller for the tail */
static void ckpt_pass_turn(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	unsigned int i = t - ctx->tasks;

	while (++i < ctx->nr_tasks && (ctx->tasks[i].flags & CKPT_TREE_ZOMBIE))
		;
	ctx->cur = NULL;
	if (i < ctx->nr_tasks) {
		complete(&ctx->tasks[i].turn);
		return;
	}
	spin_lock(&ctx->lock);
	ctx->sections_done = true;
	spin_unlock(&ctx->lock);
	wake_up(&ctx->wait);
}

/* the task notes itself, unless restart was given up already */
static int ckpt_task_register(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	int ret = 0;

	spin_lock(&ctx->lock);
	if (ctx->aborted)
		ret = -EINTR;
	else
		t->task = get_task_struct(current);
	if (!ret && t == ctx->tasks && !ctx->pidns)
		ctx->pidns = get_pid_ns(task_active_pid_ns(current));
	spin_unlock(&ctx->lock);
	return ret;
}

/* task work: the last thing a task does before it returns to user mode */
static void ckpt_restore_go(struct callback_head *work)
{
	struct ckpt_task *t = container_of(work, struct ckpt_task, go_work);
	struct ckpt_gate *g = t->ctx->gate;
	DEFINE_WAIT(wait);
	bool counted = false;

	ckpt_arch_set_regs(&t->arch);
	/* from here on the context may be gone: only the gate is used */
	for (;;) {
		prepare_to_wait(&g->go, &wait, TASK_KILLABLE);
		if (!counted) {
			counted = true;
			if (atomic_dec_and_test(&g->nr_pending))
				wake_up(&g->ready);
		}
		if (READ_ONCE(g->open) || fatal_signal_pending(current))
			break;
		schedule();
	}
	finish_wait(&g->go, &wait);
	ckpt_gate_put(g);
}

/**
 * ckpt_restore_fn - the life of a task while restart rebuilds it
 * @arg: its struct ckpt_task
 *
 * Runs in the new task, created by the caller or by its creator in the
 * tree.  On success it returns towards user mode (ret_from_fork), where
 * ckpt_restore_go() waits; on failure the task exits with its children.
 * Return: 0
 */
int ckpt_restore_fn(void *arg)
{
	struct ckpt_task *t = arg;
	struct ckpt_ctx *ctx = t->ctx;
	int ret;

	/* not the caller's: an interrupted restart_syscall() gets EINTR */
	current->restart_block.fn = do_no_restart_syscall;
	ret = ckpt_task_register(ctx, t);
	if (ret)
		goto fail;
	if (t->flags & CKPT_TREE_ZOMBIE)
		do_exit(t->exit_code);

	ret = wait_for_completion_killable(&t->turn);
	if (!ret) {
		ctx->cur = t;
		ret = ckpt_restore_records(ctx, t);
		if (!ret)
			ret = ckpt_create_children(ctx, t);
		if (!ret)
			ckpt_pass_turn(ctx, t);
	}
	if (!ret)
		ret = wait_for_completion_killable(&ctx->finish);
	if (!ret)
		ret = ckpt_restore_task_finish(ctx, t);
	if (!ret) {
		refcount_inc(&ctx->gate->ref);
		init_task_work(&t->go_work, ckpt_restore_go);
		ret = task_work_add(current, &t->go_work, TWA_SIGNAL);
		if (!ret)
			return 0;	/* on to ret_from_fork, then the gate */
		refcount_dec(&ctx->gate->ref);
	}
fail:
	ckpt_restore_fail(ctx, ret);
	ckpt_reap_children(ctx, t);
	/* the whole process: its other threads wait in the kernel too */
	do_group_exit(SIGKILL);
}

/* the top task, a child of the caller */
static pid_t ckpt_create_top(struct ckpt_ctx *ctx, pid_t pid)
{
	struct kernel_clone_args args = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_UNTRACED,
		.exit_signal = 0,
		.fn = ckpt_restore_fn,
		.fn_arg = ctx->tasks,
	};
	pid_t tid[2];

	if (ctx->container) {
		/* the pid of init in the new namespace is 1 anyway */
		args.flags |= CLONE_NEWPID | ckpt_ns_clone_flags(ctx);
		tid[0] = 1;
		tid[1] = pid;
		if (pid) {
			args.set_tid = tid;
			args.set_tid_size = 2;
		}
	} else if (pid || (ctx->flags & RESTART_PIDS)) {
		if (pid && (ctx->flags & RESTART_PIDS) && pid != ctx->tasks->pid)
			return -EINVAL;
		tid[0] = pid ?: ctx->tasks->pid;
		args.set_tid = tid;
		args.set_tid_size = 1;
	}
	return kernel_clone(&args);
}

/* everything failed: kill the tasks created, reap the top */
static void ckpt_restart_abort(struct ckpt_ctx *ctx, pid_t top)
{
	unsigned int i;

	spin_lock(&ctx->lock);
	ctx->aborted = true;
	for (i = 0; i < ctx->nr_tasks; i++)
		if (ctx->tasks[i].task)
			send_sig(SIGKILL, ctx->tasks[i].task, 1);
	spin_unlock(&ctx->lock);
	/* a fatal signal may be pending here: do_wait() does not sleep */
	while (kernel_wait4(top, NULL, __WALL, NULL) == -ERESTARTSYS)
		schedule_timeout_uninterruptible(1);
}

/* wait for a condition of the tasks, or an error, or a fatal signal */
static int ckpt_restart_wait(struct ckpt_ctx *ctx, bool *cond)
{
	if (wait_event_killable(ctx->wait, READ_ONCE(*cond) ||
				READ_ONCE(ctx->rst_err)))
		return -EINTR;
	return READ_ONCE(ctx->rst_err);
}

/* every task waits at the gate: load its FPU state, set exit signals */
static int ckpt_restart_complete(struct ckpt_ctx *ctx)
{
	struct ckpt_gate *g = ctx->gate;
	unsigned int i;
	int ret;

	if (wait_event_killable(g->ready, !atomic_read(&g->nr_pending) ||
				READ_ONCE(ctx->rst_err)))
		return -EINTR;
	ret = READ_ONCE(ctx->rst_err);
	for (i = 0; i < ctx->nr_tasks && !ret; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		struct task_struct *tsk = t->task;

		if (t->flags & CKPT_TREE_ZOMBIE) {
			/* it exits without a signal: wait until it is a zombie */
			if (wait_event_killable(task_pid(tsk)->wait_pidfd,
						READ_ONCE(tsk->exit_state)))
				ret = -EINTR;
			continue;
		}
		/* it set its state before it counted itself: off its CPU soon */
		if (!wait_task_inactive(tsk, TASK_UNINTERRUPTIBLE))
			ret = -EINTR;
		else
			ret = ckpt_arch_set_xstate(&t->arch, tsk);
	}
	if (ret)
		return ret;
	ret = ckpt_restart_objs_done(ctx);
	if (ret)
		return ret;
	write_lock_irq(&tasklist_lock);
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];

		if (!ckpt_is_thread(t))
			t->task->exit_signal = i ? t->exit_signal : SIGCHLD;
	}
	write_unlock_irq(&tasklist_lock);
	return 0;
}

/**
 * ckpt_restart - restart the tasks of an image
 * @ctx: restart context
 * @pid: the pid the top gets in the caller's namespace, or 0
 *
 * Return: the pid of the top task as the caller sees it, or an error
 */
long ckpt_restart(struct ckpt_ctx *ctx, pid_t pid)
{
	struct ckpt_rec_header hdr;
	unsigned int i;
	pid_t top;
	long ret;

	ret = ckpt_read_header(ctx, &hdr);
	if (!ret)
		ret = ckpt_read_tree(ctx, le32_to_cpu(hdr.nr_tasks));
	if (ret)
		return ret;

	ctx->gate = kzalloc(sizeof(*ctx->gate), GFP_KERNEL_ACCOUNT);
	if (!ctx->gate)
		return -ENOMEM;
	refcount_set(&ctx->gate->ref, 1);
	init_waitqueue_head(&ctx->gate->ready);
	init_waitqueue_head(&ctx->gate->go);
	for (i = 0; i < ctx->nr_tasks; i++)
		if (!(ctx->tasks[i].flags & CKPT_TREE_ZOMBIE))
			atomic_inc(&ctx->gate->nr_pending);

	top = ckpt_create_top(ctx, pid);
	if (top < 0)
		return top;
	/* the objects before the first task, in the namespaces of the top */
	ret = ckpt_ns_target(ctx, top);
	if (!ret)
		ret = ckpt_restore_globals(ctx);
	if (!ret)
		ret = ckpt_ns_globals_done(ctx);
	if (!ret) {
		complete(&ctx->tasks[0].turn);
		ret = ckpt_restart_wait(ctx, &ctx->sections_done);
	}
	if (!ret)
		ret = ckpt_read_tail(ctx);
	if (!ret)
		ret = ckpt_set_pgrps(ctx);
	if (!ret) {
		complete_all(&ctx->finish);
		ret = ckpt_restart_complete(ctx);
	}
	if (ret) {
		ckpt_restart_abort(ctx, top);
		return ret;
	}
	ckpt_restart_objs_commit(ctx);
	WRITE_ONCE(ctx->gate->open, true);
	wake_up_all(&ctx->gate->go);
	return top;
}

SYSCALL_DEFINE3(restart, pid_t, pid, int, fd, unsigned long, flags)
{
	struct ckpt_ctx *ctx;
	struct fd f;
	long ret;

	if (flags & ~RESTART_FLAGS_ALL)
		return -EINVAL;
	if (pid < 0 || pid >= pid_max)
		return -EINVAL;

	f = fdget_pos(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = ckpt_ctx_alloc(fd_file(f), flags, true);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;

	/* the new tasks start as clones of the caller: no state of its own */
	ret = ckpt_arch_check_task(ctx, current);
	if (!ret)
		ret = ckpt_restart(ctx, pid);
	ckpt_ctx_free(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}
