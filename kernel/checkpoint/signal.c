// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: signal actions (CKPT_REC_SIGHAND), the signal state
 * of a process (CKPT_REC_SIGNAL: resource limits, group stop, child
 * subreaper, the process's pending signals) and each task's own pending
 * signals (CKPT_REC_SIGPENDING).
 *
 * A pending SIGSTOP is not saved as a signal: the process is saved as
 * stopped, which it would have been once the signal was delivered.  A
 * process with a fatal signal pending, or exiting, is not saved at all.
 * On restart the pending signals are set last, after the credentials,
 * replacing whatever was queued while the tasks were built; signals of
 * the pending set that had no siginfo (sent while the queue was full)
 * are set without one.
 */

#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/signalfd.h>
#include <linux/slab.h>

#include "internal.h"

/* siginfo in the image: 128 bytes of the user ABI */
#define CKPT_SIGINFO_SIZE	sizeof_field(struct ckpt_rec_sigpending, info[0])

static void *ckpt_sighand_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct sighand_struct *sh;
	unsigned long flags;

	sh = lock_task_sighand(t, &flags);
	if (!sh)
		return NULL;
	refcount_inc(&sh->count);
	unlock_task_sighand(t, &flags);
	return sh;
}

static void ckpt_sighand_drop(void *ptr)
{
	__cleanup_sighand(ptr);
}

static long ckpt_sighand_users(void *ptr)
{
	struct sighand_struct *sh = ptr;

	return refcount_read(&sh->count) - 1;
}

static int ckpt_dump_sighand(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct sighand_struct *sh = obj->ptr;
	struct ckpt_rec_sighand *r;
	int i, ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	spin_lock_irq(&sh->siglock);
	for (i = 0; i < CKPT_NSIG; i++) {
		struct sigaction *sa = &sh->action[i].sa;

		r->action[i].handler = cpu_to_le64((unsigned long)sa->sa_handler);
		r->action[i].flags = cpu_to_le64(sa->sa_flags);
#ifdef __ARCH_HAS_SA_RESTORER
		r->action[i].restorer =
			cpu_to_le64((unsigned long)sa->sa_restorer);
#endif
		r->action[i].mask = cpu_to_le64(sa->sa_mask.sig[0]);
	}
	spin_unlock_irq(&sh->siglock);
	r->objref = cpu_to_le32(obj->ref);
	r->nr = cpu_to_le32(CKPT_NSIG);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGHAND, r, sizeof(r[0]), NULL, 0);
	kfree(r);
	return ret;
}

/* CKPT_REC_SIGHAND: the signal actions, with sigaction() */
static int ckpt_restore_sighand(struct ckpt_ctx *ctx, struct ckpt_task *t,
				const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_sighand *r = rec;
	int i, ret = 0;

	if (le32_to_cpu(r->nr) != CKPT_NSIG || ckpt_is_thread(t))
		return -EINVAL;
	for (i = 0; !ret && i < CKPT_NSIG; i++) {
		const struct ckpt_sigaction *a = &r->action[i];
		u64 handler = le64_to_cpu(a->handler);
		u64 flags = le64_to_cpu(a->flags);
		struct k_sigaction ka = {};

		if ((flags & ~(u64)UAPI_SA_FLAGS) || handler >= TASK_SIZE_MAX ||
		    le64_to_cpu(a->restorer) >= TASK_SIZE_MAX)
			return -EINVAL;
		if (sig_kernel_only(i + 1)) {
			/* SIGKILL and SIGSTOP cannot have been changed */
			if (handler || flags || a->restorer || a->mask)
				return -EINVAL;
			continue;
		}
		ka.sa.sa_handler = (__sighandler_t)(unsigned long)handler;
		ka.sa.sa_flags = flags;
#ifdef __ARCH_HAS_SA_RESTORER
		ka.sa.sa_restorer =
			(__sigrestore_t)(unsigned long)le64_to_cpu(a->restorer);
#endif
		ka.sa.sa_mask.sig[0] = le64_to_cpu(a->mask);
		sigdelsetmask(&ka.sa.sa_mask, sigmask(SIGKILL) | sigmask(SIGSTOP));
		ret = do_sigaction(i + 1, &ka, NULL);
	}
	if (ret)
		return ret;
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_sighand_ops,
					    rcu_access_pointer(current->sighand),
					    0));
}

/*
 * A queue of pending signals, SIGSTOP left out (it makes the process
 * stopped); *@stop is set if it was pending.
 */
static int ckpt_dump_sigqueue(struct ckpt_ctx *ctx, struct task_struct *t,
			      bool shared, bool *stop)
{
	struct ckpt_rec_sigpending r = { .shared = cpu_to_le32(shared) };
	struct sigpending *pending;
	siginfo_t *infos = NULL;
	struct sigqueue *q;
	unsigned long flags;
	unsigned int n, max = 0;
	sigset_t set;
	int ret;

	for (;;) {
		if (!lock_task_sighand(t, &flags)) {
			ret = -ESRCH;
			goto out;
		}
		pending = shared ? &t->signal->shared_pending : &t->pending;
		n = 0;
		list_for_each_entry(q, &pending->list, list) {
			if (q->info.si_signo == SIGSTOP)
				continue;
			if (n < max)
				copy_siginfo_to_external(&infos[n], &q->info);
			n++;
		}
		set = pending->signal;
		unlock_task_sighand(t, &flags);
		if (n <= max)
			break;
		/* something queued a signal meanwhile: try again */
		kvfree(infos);
		ret = -EOPNOTSUPP;
		max = n + 8;
		if (max * sizeof(*infos) > CKPT_REC_MAX_LEN - sizeof(r)) {
			ckpt_err(ctx, ret, CKPT_OBJ_SIGNAL, -1, 0,
				 "too many pending signals");
			goto out;
		}
		ret = -ENOMEM;
		infos = kvmalloc_array(max, sizeof(*infos), GFP_KERNEL);
		if (!infos)
			goto out;
	}
	ret = -ESRCH;
	if (sigismember(&set, SIGKILL)) {
		ckpt_err(ctx, ret, CKPT_OBJ_SIGNAL, -1, 0,
			 "task is being killed");
		goto out;
	}
	if (sigismember(&set, SIGSTOP)) {
		*stop = true;
		sigdelset(&set, SIGSTOP);
	}
	BUILD_BUG_ON(sizeof(*infos) != CKPT_SIGINFO_SIZE);
	r.nr_info = cpu_to_le32(n);
	r.signal = cpu_to_le64(set.sig[0]);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGPENDING, &r, sizeof(r), infos,
				n * sizeof(*infos));
out:
	kvfree(infos);
	return ret;
}

/**
 * ckpt_dump_task_signals - write a task's own pending signals
 * @ctx: checkpoint context
 * @t: the task
 *
 * A pending SIGSTOP of a thread was taken into account with its process.
 */
int ckpt_dump_task_signals(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	bool stop = false;

	return ckpt_dump_sigqueue(ctx, t->task, false, &stop);
}

static void *ckpt_signal_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	/* lives as long as the tasks held */
	return t->signal;
}

/* the process stops, or would once a pending SIGSTOP is delivered */
static bool ckpt_process_stopped(struct task_struct *leader)
{
	struct signal_struct *sig = leader->signal;
	struct task_struct *t;
	unsigned long flags;
	bool stopped;

	if (!lock_task_sighand(leader, &flags))
		return false;
	stopped = (sig->flags & SIGNAL_STOP_STOPPED) || sig->group_stop_count ||
		  sigismember(&sig->shared_pending.signal, SIGSTOP);
	for_each_thread(leader, t)
		stopped |= !!(t->jobctl & JOBCTL_STOP_PENDING) ||
			   sigismember(&t->pending.signal, SIGSTOP);
	unlock_task_sighand(leader, &flags);
	return stopped;
}

static int ckpt_dump_signal(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct task_struct *leader = ctx->cur->task->group_leader;
	struct signal_struct *sig = obj->ptr;
	struct ckpt_rec_signal *r;
	bool stop = false;
	u32 flags = 0;
	int i, ret;

	if (sig->flags & SIGNAL_GROUP_EXIT)
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_SIGNAL, -1, 0,
				"process is exiting");
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	BUILD_BUG_ON(RLIM_NLIMITS > CKPT_RLIM_NLIMITS);
	task_lock(leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		r->rlim[i].cur = cpu_to_le64(sig->rlim[i].rlim_cur);
		r->rlim[i].max = cpu_to_le64(sig->rlim[i].rlim_max);
	}
	task_unlock(leader);
	if (ckpt_process_stopped(leader))
		flags |= CKPT_SIGNAL_STOPPED;
	if (sig->is_child_subreaper)
		flags |= CKPT_SIGNAL_SUBREAPER;
	r->objref = cpu_to_le32(obj->ref);
	r->flags = cpu_to_le32(flags);
	r->nr_rlim = cpu_to_le32(CKPT_RLIM_NLIMITS);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGNAL, r, sizeof(*r), NULL, 0);
	kfree(r);
	if (!ret)
		ret = ckpt_dump_sigqueue(ctx, leader, true, &stop);
	return ret;
}

/* one rule per errno: a queue of the image */
static int ckpt_sigpending_valid(const struct ckpt_rhdr *h,
				 const struct ckpt_rec_sigpending *r,
				 u32 shared)
{
	u64 set = le64_to_cpu(r->signal);
	u32 i, nr = le32_to_cpu(r->nr_info);

	if (le32_to_cpu(r->shared) != shared ||
	    h->len != sizeof(*r) + (u64)nr * CKPT_SIGINFO_SIZE)
		return -EINVAL;
	if (set & (BIT_ULL(SIGKILL - 1) | BIT_ULL(SIGSTOP - 1)))
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		const siginfo_t *info = (const siginfo_t *)r->info[i];
		int sig = info->si_signo;

		if (sig < 1 || sig > CKPT_NSIG || !(set & BIT_ULL(sig - 1)))
			return -EINVAL;
		if (!ckpt_zero(r->info[i] + sizeof(kernel_siginfo_t),
			       CKPT_SIGINFO_SIZE - sizeof(kernel_siginfo_t)))
			return -EINVAL;
	}
	return 0;
}

/* what restart keeps of a process's signal state until the end */
struct ckpt_rst_signal {
	u32 flags;				/* CKPT_SIGNAL_* */
	struct ckpt_rec_sigpending *queue;	/* its pending signals */
};

static void ckpt_signal_release(struct ckpt_obj *obj)
{
	struct ckpt_rst_signal *s = (struct ckpt_rst_signal *)obj->priv;

	if (s)
		kvfree(s->queue);
	kfree(s);
}

/*
 * CKPT_REC_SIGNAL: the resource limits, with the checks of setrlimit();
 * the process's queue of pending signals follows.
 */
static int ckpt_restore_signal(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	const u32 known = CKPT_SIGNAL_STOPPED | CKPT_SIGNAL_SUBREAPER;
	struct ckpt_rec_signal *r = rec;
	struct ckpt_rec_sigpending *q;
	struct ckpt_rst_signal *s;
	struct ckpt_rhdr qh;
	size_t len;
	int i, ret;

	if (le32_to_cpu(r->nr_rlim) != CKPT_RLIM_NLIMITS || r->__pad ||
	    (le32_to_cpu(r->flags) & ~known) || ckpt_is_thread(t))
		return -EINVAL;
	for (i = 0; i < RLIM_NLIMITS; i++) {
		struct rlimit rl = {
			.rlim_cur = le64_to_cpu(r->rlim[i].cur),
			.rlim_max = le64_to_cpu(r->rlim[i].max),
		};

		ret = do_prlimit(current, i, &rl, NULL);
		if (ret)
			return ret;
	}
	for (; i < CKPT_RLIM_NLIMITS; i++)
		if (r->rlim[i].cur || r->rlim[i].max)
			return -EINVAL;
	if (le32_to_cpu(r->flags) & CKPT_SIGNAL_SUBREAPER)
		current->signal->is_child_subreaper = 1;

	q = ckpt_read_record(ctx, CKPT_REC_SIGPENDING, sizeof(*q),
			     CKPT_REC_MAX_LEN, &len);
	if (IS_ERR(q))
		return PTR_ERR(q);
	qh.type = CKPT_REC_SIGPENDING;
	qh.len = len;
	ret = ckpt_sigpending_valid(&qh, q, 1);
	if (ret) {
		kvfree(q);
		return ret;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s) {
		kvfree(q);
		return -ENOMEM;
	}
	s->flags = le32_to_cpu(r->flags);
	s->queue = q;
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_signal_ops, current->signal,
					    (unsigned long)s));
}

/* CKPT_REC_SIGPENDING of a task: kept until the end */
static int ckpt_restore_sigpending(struct ckpt_ctx *ctx, struct ckpt_task *t,
				   const struct ckpt_rhdr *h, void *rec)
{
	int ret = ckpt_sigpending_valid(h, rec, 0);

	if (ret)
		return ret;
	t->sigq = kvmemdup(rec, h->len, GFP_KERNEL_ACCOUNT);
	return t->sigq ? 0 : -ENOMEM;
}

/* queue the signals of @r to current (@type PIDTYPE_PID or _TGID) */
static int ckpt_queue_signals(const struct ckpt_rec_sigpending *r,
			      enum pid_type type)
{
	sigset_t set = { .sig = { le64_to_cpu(r->signal) } };
	struct sigpending *pending;
	unsigned long flags;
	u32 i;
	int ret;

	for (i = 0; i < le32_to_cpu(r->nr_info); i++) {
		kernel_siginfo_t info;

		memcpy(&info, r->info[i], sizeof(info));
		ret = do_send_sig_info(info.si_signo, &info, current, type);
		if (ret)
			return ret;
	}
	/* the pending bits that had no siginfo */
	if (!lock_task_sighand(current, &flags))
		return -ESRCH;
	pending = type == PIDTYPE_PID ? &current->pending :
				       &current->signal->shared_pending;
	sigorsets(&pending->signal, &pending->signal, &set);
	recalc_sigpending();
	/* as sending them would: a signalfd that an epoll watches */
	if (!sigisemptyset(&set))
		signalfd_notify(current, 0);
	unlock_task_sighand(current, &flags);
	return 0;
}

/**
 * ckpt_restore_signals - set a task's pending signals, last
 * @ctx: restart context
 * @t: the task, current
 *
 * Signals queued to the task while restart built it are dropped, but for
 * a fatal one: a SIGKILL (restart aborted, or from anyone who may kill the
 * task) makes the task fail, so that it never waits at the gate with its
 * kill lost.  The leader also sets its process's queue, and stops the
 * process if it was saved stopped.
 * Return: 0, -EINTR for a fatal signal, or the error of queueing one
 */
int ckpt_restore_signals(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	struct ckpt_rst_signal *s = (struct ckpt_rst_signal *)t->signal->priv;
	bool leader = !ckpt_is_thread(t);
	unsigned long flags;
	int ret;

	if (!lock_task_sighand(current, &flags))
		return -ESRCH;
	/* under the lock: a SIGKILL sent after this is queued after the flush */
	if (__fatal_signal_pending(current) ||
	    (current->signal->flags & SIGNAL_GROUP_EXIT)) {
		unlock_task_sighand(current, &flags);
		return -EINTR;
	}
	flush_sigqueue(&current->pending);
	if (leader)
		flush_sigqueue(&current->signal->shared_pending);
	recalc_sigpending();
	unlock_task_sighand(current, &flags);

	ret = ckpt_queue_signals(t->sigq, PIDTYPE_PID);
	if (ret || !leader)
		return ret;
	ret = ckpt_queue_signals(s->queue, PIDTYPE_TGID);
	if (!ret && (s->flags & CKPT_SIGNAL_STOPPED))
		ret = do_send_sig_info(SIGSTOP, SEND_SIG_PRIV, current,
				       PIDTYPE_TGID);
	return ret;
}

const struct ckpt_obj_ops ckpt_sighand_ops = {
	.type = CKPT_REC_SIGHAND,
	.err_kind = CKPT_OBJ_SIGNAL,
	.shared_msg = "signal handlers shared with a task outside the image",
	.get = ckpt_sighand_get,
	.drop = ckpt_sighand_drop,
	.users = ckpt_sighand_users,
	.dump = ckpt_dump_sighand,
};

const struct ckpt_obj_ops ckpt_signal_ops = {
	.type = CKPT_REC_SIGNAL,
	.err_kind = CKPT_OBJ_SIGNAL,
	.get = ckpt_signal_get,
	.dump = ckpt_dump_signal,
	.release = ckpt_signal_release,
};

static const struct ckpt_rec_ops ckpt_signal_records[] = {
	{
		.type = CKPT_REC_SIGHAND,
		.name = "SIGHAND",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_sighand),
		.max_len = sizeof(struct ckpt_rec_sighand),
		.restore = ckpt_restore_sighand,
	},
	{
		.type = CKPT_REC_SIGNAL,
		.name = "SIGNAL",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_signal),
		.max_len = sizeof(struct ckpt_rec_signal),
		.restore = ckpt_restore_signal,
	},
	{
		.type = CKPT_REC_SIGPENDING,
		.name = "SIGPENDING",
		.place = CKPT_PLACE_TASK,
		.min_len = sizeof(struct ckpt_rec_sigpending),
		.max_len = CKPT_REC_MAX_LEN,
		.once = true,
		.required = true,
		.restore = ckpt_restore_sigpending,
	},
};

static int __init ckpt_signal_init(void)
{
	return ckpt_register_records(ckpt_signal_records,
				     ARRAY_SIZE(ckpt_signal_records));
}
core_initcall(ckpt_signal_init);
