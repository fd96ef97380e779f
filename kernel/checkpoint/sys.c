// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the system calls.
 *
 * checkpoint(pid, fd, flags) writes an image of the process @pid to @fd.
 * The process is held still for the duration: it parks in a task_work the
 * next time it would return to user mode (an interrupted system call is
 * restarted afterwards, as after a signal that has no handler), so it sees
 * no signal, no change to its pending signals and no SIGCHLD goes to its
 * parent.  A process that is already stopped (SIGSTOP) stays stopped.
 */

#include <linux/checkpoint.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/ptrace.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/syscalls.h>
#include <linux/task_work.h>

/* how a target is held still */
struct ckpt_stop {
	refcount_t ref;
	struct callback_head work;
	struct completion parked;
	struct completion resume;
	struct task_struct *task;
	struct list_head busy;	/* in ckpt_busy_list while checkpointed */
};

static LIST_HEAD(ckpt_busy_list);
static DEFINE_SPINLOCK(ckpt_busy_lock);
static atomic64_t ckpt_last_id;

static void ckpt_stop_put(struct ckpt_stop *stop)
{
	if (refcount_dec_and_test(&stop->ref))
		kfree(stop);
}

/* task_work: runs in the target on its way to user mode */
static void ckpt_park(struct callback_head *work)
{
	struct ckpt_stop *stop = container_of(work, struct ckpt_stop, work);

	complete(&stop->parked);
	wait_for_completion_state(&stop->resume, TASK_IDLE);
	ckpt_stop_put(stop);
}

static bool ckpt_mark_busy(struct ckpt_stop *stop)
{
	struct ckpt_stop *s;
	bool busy = false;

	spin_lock(&ckpt_busy_lock);
	list_for_each_entry(s, &ckpt_busy_list, busy)
		busy |= s->task == stop->task;
	if (!busy)
		list_add(&stop->busy, &ckpt_busy_list);
	spin_unlock(&ckpt_busy_lock);
	return !busy;
}

static void ckpt_unmark_busy(struct ckpt_stop *stop)
{
	spin_lock(&ckpt_busy_lock);
	list_del(&stop->busy);
	spin_unlock(&ckpt_busy_lock);
}

/* in group stop, off its CPU: its user state cannot change */
static bool ckpt_task_held_stopped(struct task_struct *t)
{
	return task_is_stopped(t) && wait_task_inactive(t, TASK_STOPPED);
}

/*
 * Hold @t still.  Return 0 once it is parked in ckpt_park() or stopped and
 * off its CPU; then ckpt_resume() must be called.
 */
static int ckpt_hold(struct ckpt_ctx *ctx, struct ckpt_stop *stop)
{
	struct task_struct *t = stop->task;
	bool parked = false;
	int ret;

	if (ctx->self)
		return 0;
	if (!ckpt_mark_busy(stop))
		return -EBUSY;

	refcount_inc(&stop->ref);	/* for ckpt_park() */
	init_task_work(&stop->work, ckpt_park);
	ret = task_work_add(t, &stop->work, TWA_SIGNAL);
	if (ret) {
		refcount_dec(&stop->ref);
		ckpt_unmark_busy(stop);
		return -ESRCH;
	}

	for (;;) {
		long left;

		if (parked) {
			/*
			 * Wait until it is off its CPU; sleep a little, for
			 * it may be waiting for ours.
			 */
			if (wait_task_inactive(t, TASK_UNINTERRUPTIBLE))
				return 0;
			usleep_range(10, 50);
			continue;
		}
		if (ckpt_task_held_stopped(t)) {
			ctx->stopped = true;
			return 0;
		}
		left = wait_for_completion_interruptible_timeout(&stop->parked,
								 HZ / 50);
		if (left < 0)
			break;
		parked = left > 0;
	}

	if (task_work_cancel(t, &stop->work))
		refcount_dec(&stop->ref);
	complete(&stop->resume);
	ckpt_unmark_busy(stop);
	return -EINTR;
}

static void ckpt_resume(struct ckpt_ctx *ctx, struct ckpt_stop *stop)
{
	if (ctx->self)
		return;
	/*
	 * A target that was stopped keeps the work queued until it is
	 * continued; it then finds the resume already completed.
	 */
	complete(&stop->resume);
	ckpt_unmark_busy(stop);
}

static int ckpt_check_target(struct ckpt_ctx *ctx, struct task_struct *t)
{
	if (t->flags & (PF_KTHREAD | PF_IO_WORKER))
		return -EINVAL;
	if (t->exit_state || (t->flags & PF_EXITING))
		return -ESRCH;
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return -EPERM;
	if (READ_ONCE(t->ptrace))
		return ckpt_err(ctx, -EBUSY, CKPT_OBJ_TASK, -1, 0,
				"task is ptraced");
	return 0;
}

static int ckpt_do_checkpoint(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_stop *stop;
	int ret, err;

	stop = kzalloc(sizeof(*stop), GFP_KERNEL);
	if (!stop)
		return -ENOMEM;
	refcount_set(&stop->ref, 1);
	init_completion(&stop->parked);
	init_completion(&stop->resume);
	stop->task = t;

	ret = ckpt_hold(ctx, stop);
	if (ret)
		goto out;

	/* it may have changed, exited or been attached meanwhile */
	ret = ckpt_check_target(ctx, t);
	if (!ret)
		ret = ckpt_write_header(ctx, 1);
	if (!ret)
		ret = ckpt_check_task(ctx, t);
	if (!ret)
		ret = ckpt_dump_task(ctx, t);
	if (!ret && ctx->stopped && !task_is_stopped(t))
		ret = ckpt_err(ctx, -EAGAIN, CKPT_OBJ_TASK, -1, 0,
			       "task was continued during checkpoint");
	if (!ret)
		ret = ckpt_write_tail(ctx);
	if (!ret && (ctx->flags & CHECKPOINT_KILL))
		send_sig(SIGKILL, t, 1);
	ckpt_resume(ctx, stop);

	if (ret && ctx->nr_records) {
		if (!ctx->error.err)
			ckpt_err(ctx, ret, CKPT_OBJ_NONE, -1, 0,
				 "checkpoint failed");
		/* best effort: the image may be what failed */
		err = ckpt_write_error(ctx);
		if (err)
			pr_debug("checkpoint: no error record: %d\n", err);
	}
out:
	ckpt_stop_put(stop);
	return ret;
}

SYSCALL_DEFINE3(checkpoint, pid_t, pid, int, fd, unsigned long, flags)
{
	struct task_struct *t;
	struct ckpt_ctx *ctx;
	struct fd f;
	long ret;

	if (flags & ~CHECKPOINT_FLAGS_ALL)
		return -EINVAL;
	if (pid < 0)
		return -ESRCH;

	f = fdget_pos(fd);
	if (!fd_file(f))
		return -EBADF;
	ctx = ckpt_ctx_alloc(fd_file(f), flags, false);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;

	if (!pid || pid == task_pid_vnr(current)) {
		t = current;
		get_task_struct(t);
	} else {
		t = find_get_task_by_vpid(pid);
		ret = -ESRCH;
		if (!t)
			goto out_ctx;
	}
	ctx->root = t;
	ctx->self = t == current;
	ctx->id = atomic64_inc_return(&ckpt_last_id) & LONG_MAX;

	/*
	 * Checked again once the target is held: it cannot exec or be
	 * attached to while it is parked or stopped.
	 */
	ret = ckpt_check_target(ctx, t);
	if (!ret)
		ret = ckpt_do_checkpoint(ctx, t);
	if (!ret)
		ret = ctx->id;
	put_task_struct(t);
out_ctx:
	ckpt_ctx_free(ctx);
out_fd:
	fdput_pos(f);
	return ret;
}
