// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: holding the tasks of a checkpoint still.
 *
 * Every task of the image, every thread of every process of the tree,
 * must stay still while it is saved, and must not notice it was saved.
 * Each one gets a task_work queued with TWA_SIGNAL: that interrupts it
 * without a signal, and on its way back to user mode it "parks" in the
 * work, before it delivers any signal, until the checkpoint is over.  An
 * interrupted system call is restarted afterwards, as after a signal that
 * has no handler.  The park sleeps killable and freezable: SIGKILL (or the
 * OOM killer) ends it, the task dies and the checkpoint fails when it
 * checks the tasks at the end; system suspend freezes it as any sleeper.
 *
 * Forks: a task that is forking is not parked, and its child appears in
 * the tree when the fork is done.  So the tree is walked again once every
 * task found is held, until a walk finds no new task: a held task cannot
 * fork.  A vfork() child is left alone until it releases its parent (its
 * parent parks only then); it is found by a later walk.
 *
 * A task already in group stop (SIGSTOP) is not woken: it is held by the
 * stop, and its context switch count, taken when it is off its CPU, must
 * be the same once the image is written (else it ran meanwhile and the
 * checkpoint fails with EAGAIN).  Its park stays queued until the
 * checkpoint ends and is then cancelled.
 *
 * A task found exiting is waited for: a process becomes a zombie, which
 * its held parent cannot reap and the image keeps; a thread, or a process
 * reaped at once, is gone and is not in the image.
 *
 * Only one checkpoint may hold a task at a time (EBUSY): two that waited
 * for each other's tasks would wait forever.  The tasks held are noted in
 * an xarray by global pid number.
 */

#include <linux/compat.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <asm/syscall.h>

#include "internal.h"

enum ckpt_park_state {
	CKPT_PARK_WAITING,	/* queued, not held yet */
	CKPT_PARK_EXITING,	/* exiting, not held yet */
	CKPT_PARK_PARKED,	/* parked in its task_work */
	CKPT_PARK_STOPPED,	/* held by its group stop */
	CKPT_PARK_SELF,		/* the caller itself */
	CKPT_PARK_ZOMBIE,	/* exited, not reaped */
	CKPT_PARK_GONE,		/* exited and reaped: not in the image */
	CKPT_PARK_WORKER,	/* a kernel worker thread: never parks */
};

/* one task held */
struct ckpt_park {
	struct callback_head work;
	struct ckpt_hold *hold;
	struct task_struct *task;
	unsigned long busy;		/* its index in ckpt_busy */
	atomic_t state;			/* enum ckpt_park_state */
	bool queued;			/* @work was queued */
	unsigned long nvcsw;		/* switch count when found stopped */
};

/**
 * struct ckpt_hold - the tasks one checkpoint holds
 * @ref:	one for the checkpoint, one per queued park
 * @released:	the checkpoint is over, parked tasks go on
 * @resume:	parked tasks wait here
 * @parked:	the checkpoint waits here for @nr_waiting
 * @nr_waiting:	parks queued that are not held yet
 * @parks:	the tasks, by global pid number
 */
struct ckpt_hold {
	refcount_t ref;
	bool released;
	wait_queue_head_t resume;
	wait_queue_head_t parked;
	atomic_t nr_waiting;
	struct xarray parks;
};

static DEFINE_XARRAY(ckpt_busy);

static void ckpt_park_free(struct ckpt_park *p)
{
	if (p->busy)
		xa_erase(&ckpt_busy, p->busy);
	put_task_struct(p->task);
	kfree(p);
}

static void ckpt_hold_put(struct ckpt_hold *h)
{
	struct ckpt_park *p;
	unsigned long nr;

	if (!refcount_dec_and_test(&h->ref))
		return;
	xa_for_each(&h->parks, nr, p)
		ckpt_park_free(p);
	xa_destroy(&h->parks);
	kfree(h);
}

/* the caller no longer waits for this task: it is held, or gone */
static void ckpt_park_settle(struct ckpt_park *p, enum ckpt_park_state from,
			     enum ckpt_park_state state)
{
	if (atomic_cmpxchg(&p->state, from, state) == from &&
	    atomic_dec_and_test(&p->hold->nr_waiting))
		wake_up(&p->hold->parked);
}

/*
 * epoll_wait() and epoll_pwait() fail with EINTR whatever interrupted them,
 * the park included, where other calls ask to be restarted.  Have them
 * restarted instead, as when a signal without a handler interrupts them,
 * so that neither the task nor its restarted copy sees an EINTR that no
 * signal caused.  A signal handled on the way out still makes them fail
 * with EINTR.
 */
static void ckpt_park_restart_call(void)
{
	struct pt_regs *regs = current_pt_regs();
	long nr = syscall_get_nr(current, regs);

	if (in_compat_syscall() ||
	    syscall_get_error(current, regs) != -EINTR)
		return;
	if (nr == __NR_epoll_wait || nr == __NR_epoll_pwait ||
	    nr == __NR_epoll_pwait2)
		syscall_set_return_value(current, regs, -ERESTARTNOHAND, 0);
}

/* task_work: runs in the task on its way to user mode */
static void ckpt_park(struct callback_head *work)
{
	struct ckpt_park *p = container_of(work, struct ckpt_park, work);
	struct ckpt_hold *h = p->hold;
	DEFINE_WAIT(wait);

	if (current->flags & PF_EXITING) {
		/* run by exit_task_work(): the caller waits for the exit */
		atomic_cmpxchg(&p->state, CKPT_PARK_WAITING, CKPT_PARK_EXITING);
		wake_up(&h->parked);
		goto out;
	}
	ckpt_park_restart_call();
	for (;;) {
		/* the state is set before the caller can see it parked */
		prepare_to_wait(&h->resume, &wait,
				TASK_KILLABLE | TASK_FREEZABLE);
		ckpt_park_settle(p, CKPT_PARK_WAITING, CKPT_PARK_PARKED);
		if (READ_ONCE(h->released) || fatal_signal_pending(current))
			break;
		schedule();
	}
	finish_wait(&h->resume, &wait);
out:
	ckpt_hold_put(h);
}

/* a task that the walk must note: not one being reaped */
static bool ckpt_hold_wanted(struct task_struct *t)
{
	return t->exit_state != EXIT_DEAD;
}

struct ckpt_walk {
	struct ckpt_hold *hold;
	struct ckpt_park **parks;	/* new tasks go here */
	unsigned int nr, max;		/* how many there are, fit */
};

/* under tasklist_lock: note the threads of the process of @leader */
static int ckpt_walk_process(struct task_struct *leader, void *data)
{
	struct ckpt_walk *w = data;
	struct task_struct *t;

	/* a vfork() child is left until it releases its parent */
	if (READ_ONCE(leader->vfork_done))
		return 0;
	for_each_thread(leader, t) {
		if (!ckpt_hold_wanted(t) ||
		    xa_load(&w->hold->parks, task_pid_nr(t)))
			continue;
		if (w->nr < w->max) {
			w->parks[w->nr]->task = get_task_struct(t);
			w->parks[w->nr]->busy = task_pid_nr(t);
		}
		w->nr++;
	}
	return 1;
}

/*
 * Find the tasks of the tree of @root not held yet; up to w->max of them
 * go into w->parks.  Return: how many there are.
 */
static unsigned int ckpt_walk_tree(struct task_struct *root,
				   struct ckpt_walk *w)
{
	w->nr = 0;
	read_lock(&tasklist_lock);
	ckpt_walk_process(root, w);
	read_unlock(&tasklist_lock);
	walk_process_tree(root, ckpt_walk_process, w);
	return w->nr;
}

/*
 * Hold one new task: note it as busy and in the hold, then queue its
 * park.  On error the park is still the caller's.
 */
static int ckpt_park_queue(struct ckpt_ctx *ctx, struct ckpt_park *p)
{
	struct ckpt_hold *h = ctx->hold;
	struct task_struct *t = p->task;
	int ret;

	/* nothing is done to a task the caller may not ptrace */
	if (!ptrace_may_access(t, PTRACE_MODE_ATTACH_REALCREDS))
		return -EPERM;
	if (READ_ONCE(t->ptrace))
		return -EBUSY;
	p->hold = h;
	atomic_set(&p->state, CKPT_PARK_WAITING);
	ret = xa_insert(&ckpt_busy, p->busy, p, GFP_KERNEL_ACCOUNT);
	if (ret) {
		p->busy = 0;
		return ret;
	}
	ret = xa_insert(&h->parks, task_pid_nr(t), p, GFP_KERNEL_ACCOUNT);
	if (ret) {
		xa_erase(&ckpt_busy, p->busy);
		p->busy = 0;
		return ret;
	}
	if (t == current) {
		atomic_set(&p->state, CKPT_PARK_SELF);
		return 0;
	}
	if (t->exit_state) {
		/* a zombie is still; its parent, held, cannot reap it */
		atomic_set(&p->state, CKPT_PARK_ZOMBIE);
		return 0;
	}
	if (t->flags & (PF_IO_WORKER | PF_USER_WORKER)) {
		/* refused once the image has its header */
		atomic_set(&p->state, CKPT_PARK_WORKER);
		return 0;
	}
	atomic_inc(&h->nr_waiting);
	refcount_inc(&h->ref);
	init_task_work(&p->work, ckpt_park);
	if (task_work_add(t, &p->work, TWA_SIGNAL)) {
		/* past exit_task_work(): it is exiting */
		refcount_dec(&h->ref);
		atomic_set(&p->state, CKPT_PARK_EXITING);
		return 0;
	}
	p->queued = true;
	return 0;
}

/* park the tasks of the tree not held yet; return how many were new */
static int ckpt_hold_new(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_walk w = { .hold = ctx->hold };
	unsigned int n, i;
	int ret = 0;

	n = ckpt_walk_tree(root, &w);
	if (!n)
		return 0;
	w.parks = kcalloc(n, sizeof(*w.parks), GFP_KERNEL);
	if (!w.parks)
		return -ENOMEM;
	for (w.max = 0; w.max < n; w.max++) {
		w.parks[w.max] = kzalloc(sizeof(*w.parks[w.max]),
					 GFP_KERNEL_ACCOUNT);
		if (!w.parks[w.max]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	/* the tree may have changed meanwhile: take what fits */
	n = min(ckpt_walk_tree(root, &w), w.max);
	for (i = 0; i < n && !ret; i++) {
		ret = ckpt_park_queue(ctx, w.parks[i]);
		if (!ret)
			w.parks[i] = NULL;	/* the hold's now */
	}

out:
	for (i = 0; i < w.max; i++) {
		if (!w.parks[i])
			continue;
		if (w.parks[i]->task)
			put_task_struct(w.parks[i]->task);
		kfree(w.parks[i]);
	}
	kfree(w.parks);
	return ret ?: n;
}

/*
 * A task not held yet: held by a group stop now?  Exited, a zombie or
 * reaped?  Return: whether a task is still exiting.
 */
static bool ckpt_hold_recheck(struct ckpt_hold *h)
{
	struct ckpt_park *p;
	bool exiting = false;
	unsigned long nr;

	xa_for_each(&h->parks, nr, p) {
		int state = atomic_read(&p->state);
		unsigned long ncsw;

		if (state != CKPT_PARK_WAITING && state != CKPT_PARK_EXITING)
			continue;
		if (state == CKPT_PARK_WAITING && task_is_stopped(p->task)) {
			ncsw = wait_task_inactive(p->task, __TASK_STOPPED);
			if (!ncsw)
				continue;
			p->nvcsw = ncsw;
			ckpt_park_settle(p, state, CKPT_PARK_STOPPED);
			continue;
		}
		if (state != CKPT_PARK_EXITING)
			continue;
		if (READ_ONCE(p->task->exit_state) == EXIT_ZOMBIE &&
		    thread_group_leader(p->task))
			ckpt_park_settle(p, state, CKPT_PARK_ZOMBIE);
		else if (!pid_alive(p->task) || READ_ONCE(p->task->exit_state))
			ckpt_park_settle(p, state, CKPT_PARK_GONE);
		else
			exiting = true;
	}
	return exiting;
}

/* wait until every task queued is parked, stopped, a zombie or gone */
static int ckpt_hold_wait(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_hold *h = ctx->hold;
	long left, timeout = HZ / 10;
	int ret;

	for (;;) {
		left = wait_event_interruptible_timeout(h->parked,
							!atomic_read(&h->nr_waiting),
							timeout);
		if (left < 0)
			return -EINTR;
		/*
		 * Some task is in a sleep that the park does not interrupt,
		 * stopped or exiting: look for stops and exits, and for tasks
		 * that forks or a vfork child that released its parent added.
		 * An exit is over soon: look again soon.
		 */
		timeout = ckpt_hold_recheck(h) ? 1 : HZ / 10;
		if (left && !atomic_read(&h->nr_waiting))
			return 0;
		ret = ckpt_hold_new(ctx, root);
		if (ret < 0)
			return ret;
	}
}

/**
 * ckpt_hold_tree - hold every task of the tree of @root still
 * @ctx: checkpoint context
 * @root: a thread of the process at the top of the tree
 *
 * On success the tasks are parked (off their CPUs), stopped, or the
 * caller, and ckpt_hold_release() must be called, also on failure.
 * Return: 0, -EINTR for a signal to the caller, -EPERM for a task the
 * caller may not ptrace, -EBUSY for a traced task or one that another
 * checkpoint holds, -ENOMEM
 */
int ckpt_hold_tree(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_hold *h;
	struct ckpt_park *p;
	unsigned long nr;
	int ret;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	refcount_set(&h->ref, 1);
	init_waitqueue_head(&h->resume);
	init_waitqueue_head(&h->parked);
	xa_init(&h->parks);
	ctx->hold = h;

	do {
		ret = ckpt_hold_new(ctx, root);
		if (ret > 0)
			ret = ckpt_hold_wait(ctx, root) ?: 1;
	} while (ret > 0);
	if (ret)
		return ret;
	ctx->nr_tasks = 0;
	xa_for_each(&h->parks, nr, p)
		ctx->nr_tasks += atomic_read(&p->state) != CKPT_PARK_GONE;

	/* parked tasks set their state before they said so: wait until off CPU */
	xa_for_each(&h->parks, nr, p)
		if (atomic_read(&p->state) == CKPT_PARK_PARKED)
			wait_task_inactive(p->task, TASK_UNINTERRUPTIBLE);
	return 0;
}

/**
 * ckpt_hold_verify - check that no held task ran or died meanwhile
 * @ctx: checkpoint context
 *
 * Called once the image is written, before the tail.
 * Return: 0, -EAGAIN if a stopped task was continued or a task exited,
 * -ESRCH if a task was killed; the error record says which
 */
int ckpt_hold_verify(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		struct task_struct *tsk = t->task;

		ctx->cur = t;
		if (t->flags & CKPT_TREE_ZOMBIE)
			continue;
		if (fatal_signal_pending(tsk) ||
		    (tsk->signal->flags & SIGNAL_GROUP_EXIT) ||
		    (tsk->mm && test_bit(MMF_UNSTABLE, &tsk->mm->flags)))
			return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
					"task was killed during checkpoint");
		if ((tsk->flags & PF_EXITING) || tsk->exit_state)
			return ckpt_err(ctx, -EAGAIN, CKPT_OBJ_TASK, -1, 0,
					"task exited during checkpoint");
		if (t->stopped &&
		    wait_task_inactive(tsk, __TASK_STOPPED) != t->nvcsw)
			return ckpt_err(ctx, -EAGAIN, CKPT_OBJ_TASK, -1, 0,
					"task was continued during checkpoint");
	}
	return 0;
}

/**
 * ckpt_hold_state - how a task of the tree is held
 * @ctx: checkpoint context
 * @t: the task
 * @nvcsw: set to its switch count if it is held by its group stop
 *
 * Return: 0 parked or the caller, 1 stopped, 2 a zombie or a kernel
 * worker (which is refused), -EAGAIN if it was not found by the walks or
 * not held
 */
int ckpt_hold_state(struct ckpt_ctx *ctx, struct task_struct *t,
		    unsigned long *nvcsw)
{
	struct ckpt_park *p = xa_load(&ctx->hold->parks, task_pid_nr(t));

	if (!p || p->task != t)
		return -EAGAIN;
	switch (atomic_read(&p->state)) {
	case CKPT_PARK_PARKED:
		return 0;
	case CKPT_PARK_STOPPED:
		*nvcsw = p->nvcsw;
		return 1;
	case CKPT_PARK_ZOMBIE:
	case CKPT_PARK_WORKER:
		return 2;
	case CKPT_PARK_SELF:
		return 0;
	default:
		return -EAGAIN;
	}
}

/**
 * ckpt_hold_release - let the held tasks go on
 * @ctx: checkpoint context
 *
 * Parks still queued (stopped tasks) are cancelled, so that nothing of
 * this checkpoint is left with a task.
 */
void ckpt_hold_release(struct ckpt_ctx *ctx)
{
	struct ckpt_hold *h = ctx->hold;
	struct ckpt_park *p;
	unsigned long nr;

	if (!h)
		return;
	xa_for_each(&h->parks, nr, p) {
		if (p->queued && task_work_cancel(p->task, &p->work))
			refcount_dec(&h->ref);
		/* the next checkpoint may hold it, even before it woke up */
		if (p->busy)
			xa_erase(&ckpt_busy, p->busy);
		p->busy = 0;
	}
	WRITE_ONCE(h->released, true);
	wake_up_all(&h->resume);
	ctx->hold = NULL;
	ckpt_hold_put(h);
}
