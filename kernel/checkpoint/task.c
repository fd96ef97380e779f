// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: a task's own state (CKPT_REC_TASK), what it refers
 * to, and the checks for what a task may have that cannot be saved.
 *
 * The objects a task uses (credentials, fs_struct, fd table, mm, signal
 * actions, signal state) are collected first, for every task of the tree,
 * and written before the first task that uses them.  At restart a task
 * builds the objects of its section into itself (current) as it reads
 * them; the fs_struct and fd table of another process are attached, and a
 * thread finds its process's mm, signal actions and signal state shared
 * already, since its leader created it with them.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/fs_struct.h>
#include <linux/futex.h>
#include <linux/hrtimer.h>
#include <linux/personality.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seccomp.h>
#include <linux/security.h>
#include <linux/signal.h>
#include <linux/slab.h>

#include "internal.h"

/* what a task refers to, in the order it is saved */
static const struct ckpt_obj_ops *const ckpt_parts[CKPT_PART_NR] = {
	[CKPT_PART_CREDS]	= &ckpt_creds_ops,
	[CKPT_PART_FS]		= &ckpt_fs_ops,
	[CKPT_PART_FILES]	= &ckpt_files_ops,
	[CKPT_PART_MM]		= &ckpt_mm_ops,
	[CKPT_PART_SIGHAND]	= &ckpt_sighand_ops,
	[CKPT_PART_SIGNAL]	= &ckpt_signal_ops,
#ifdef CONFIG_SYSVIPC
	[CKPT_PART_SEMUNDO]	= &ckpt_semundo_ops,
#endif
};

static int ckpt_check_timers(struct ckpt_ctx *ctx, struct task_struct *t)
{
#ifdef CONFIG_POSIX_TIMERS
	struct signal_struct *sig = t->signal;

	if (!hlist_empty(&sig->posix_timers))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SIGNAL, -1, 0,
				"POSIX timers are not supported");
	if (hrtimer_active(&sig->real_timer) || sig->it[0].expires ||
	    sig->it[1].expires)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_SIGNAL, -1, 0,
				"armed interval timers are not supported");
#endif
	return 0;
}

/* speculation control (PR_SET_SPECULATION_CTRL): not saved yet */
static bool ckpt_spec_ctrl(struct task_struct *t)
{
	return task_spec_ssb_disable(t) || task_spec_ssb_noexec(t) ||
	       task_spec_ssb_force_disable(t) || task_spec_ib_disable(t) ||
	       task_spec_ib_force_disable(t);
}

/**
 * ckpt_check_task - refuse what a live task has that cannot be saved
 * @ctx: checkpoint context
 * @t: the task, held still
 *
 * Return: 0, or -EOPNOTSUPP (or a security module's error) with the reason
 * in the error record
 */
int ckpt_check_task(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	struct task_struct *tsk = t->task;
	int ret;

	if (!tsk->mm)
		return -ESRCH;
#ifdef CONFIG_SECCOMP
	if (tsk->seccomp.mode != SECCOMP_MODE_DISABLED)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_TASK, -1, 0,
				"seccomp is not supported");
#endif
	if (ckpt_spec_ctrl(tsk))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_TASK, -1, 0,
				"speculation control (PR_SET_SPECULATION_CTRL) is not supported");
	ret = security_checkpoint_task(tsk);
	if (ret)
		return ckpt_err(ctx, ret, CKPT_OBJ_CREDS, -1, 0,
				"a security module confines the task in a way restart cannot reproduce");
	if (thread_group_leader(tsk)) {
		ret = ckpt_check_timers(ctx, tsk);
		if (ret)
			return ret;
	}
	return ckpt_arch_check_task(ctx, tsk);
}

/**
 * ckpt_collect_task - note the objects a task uses
 * @ctx: checkpoint context
 * @t: the task, held still
 */
int ckpt_collect_task(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	int i;

	if (t->flags & CKPT_TREE_ZOMBIE)
		return 0;
	ctx->cur = t;
	for (i = 0; i < CKPT_PART_NR; i++) {
		struct ckpt_obj *obj;
		void *ptr;

		if (!ckpt_parts[i])
			continue;
		ptr = ckpt_parts[i]->get(ctx, t->task);
		if (IS_ERR(ptr))
			return PTR_ERR(ptr);
		if (!ptr && ckpt_parts[i]->optional)
			continue;
		if (!ptr)
			return ckpt_err(ctx, -EAGAIN, CKPT_OBJ_TASK, -1, 0,
					"task exited during checkpoint");
		obj = ckpt_obj_collect(ctx, ckpt_parts[i], ptr);
		if (IS_ERR(obj))
			return PTR_ERR(obj);
		t->part[i] = obj;
	}
	return 0;
}

static void ckpt_fill_task(struct ckpt_task *t, struct ckpt_rec_task *r)
{
	struct task_struct *tsk = t->task;
	sigset_t *blocked = &tsk->blocked;
	char comm[TASK_COMM_LEN];
	u32 flags = 0;

	r->pid = cpu_to_le32(t->pid);
	r->tgid = cpu_to_le32(t->tgid);
	r->creds_ref = cpu_to_le32(t->part[CKPT_PART_CREDS]->ref);
	r->fs_ref = cpu_to_le32(t->part[CKPT_PART_FS]->ref);
	r->files_ref = cpu_to_le32(t->part[CKPT_PART_FILES]->ref);
	r->mm_ref = cpu_to_le32(t->part[CKPT_PART_MM]->ref);
	r->sighand_ref = cpu_to_le32(t->part[CKPT_PART_SIGHAND]->ref);
	r->signal_ref = cpu_to_le32(t->part[CKPT_PART_SIGNAL]->ref);
	if (task_no_new_privs(tsk))
		flags |= CKPT_TASK_NO_NEW_PRIVS;
	if (t->self)
		flags |= CKPT_TASK_SELF;
	r->flags = cpu_to_le32(flags);
	r->pdeath_signal = cpu_to_le32(tsk->pdeath_signal);
	r->personality = cpu_to_le32(tsk->personality);
#ifdef CONFIG_RSEQ
	r->rseq = cpu_to_le64((unsigned long)tsk->rseq);
	r->rseq_len = cpu_to_le32(tsk->rseq_len);
	r->rseq_sig = cpu_to_le32(tsk->rseq_sig);
#endif
#ifdef CONFIG_FUTEX
	if (tsk->robust_list) {
		r->robust_list = cpu_to_le64((unsigned long)tsk->robust_list);
		r->robust_list_len =
			cpu_to_le64(sizeof(struct robust_list_head));
	}
#endif
	r->clear_child_tid = cpu_to_le64((unsigned long)tsk->clear_child_tid);
	r->set_child_tid = cpu_to_le64((unsigned long)tsk->set_child_tid);
	r->sas_ss_sp = cpu_to_le64(tsk->sas_ss_sp);
	r->sas_ss_size = cpu_to_le64(tsk->sas_ss_size);
	r->sas_ss_flags = cpu_to_le32(tsk->sas_ss_flags);
	/*
	 * A system call that set a temporary mask (sigsuspend, ppoll, ...)
	 * is restarted and sets it again: save the mask it restores.
	 */
	if (!t->self && test_tsk_restore_sigmask(tsk))
		blocked = &tsk->saved_sigmask;
	r->blocked = cpu_to_le64(blocked->sig[0]);
	get_task_comm(comm, tsk);
	memcpy(r->comm, comm, sizeof(r->comm));
}

/**
 * ckpt_dump_task - write the section of one task
 * @ctx: checkpoint context
 * @t: the task, held still; a zombie has no section
 *
 * The objects it is the first to use, then CKPT_REC_TASK, its own pending
 * signals, its registers and CKPT_REC_TASK_END.
 */
int ckpt_dump_task(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	struct ckpt_rec_task r = {};
	struct ckpt_hdr end = {};
	int i, ret;

	if (t->flags & CKPT_TREE_ZOMBIE)
		return 0;
	ctx->cur = t;
	/* a container's network namespace, before anything that uses it */
	if (t == ctx->tasks) {
		ret = ckpt_net_dump_ns(ctx);
		if (ret)
			return ret;
	}
	for (i = 0; i < CKPT_PART_NR; i++) {
		if (!t->part[i])
			continue;
		ret = ckpt_obj_dump(ctx, t->part[i]);
		if (ret)
			return ret;
	}
	ckpt_fill_task(t, &r);
	ret = ckpt_write_record(ctx, CKPT_REC_TASK, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_dump_task_signals(ctx, t);
	if (!ret)
		ret = ckpt_arch_dump_task(ctx, t->task, t->self);
	if (!ret)
		ret = ckpt_write_record(ctx, CKPT_REC_TASK_END, &end,
					sizeof(end), NULL, 0);
	return ret;
}

static int ckpt_restore_altstack(const struct ckpt_rec_task *r)
{
	u64 sp = le64_to_cpu(r->sas_ss_sp), size = le64_to_cpu(r->sas_ss_size);
	u32 flags = le32_to_cpu(r->sas_ss_flags);
	unsigned long irqflags;

	if (flags == SS_DISABLE || (!sp && !size && !flags)) {
		current->sas_ss_sp = 0;
		current->sas_ss_size = 0;
		current->sas_ss_flags = SS_DISABLE;
		return 0;
	}
	if ((flags & ~SS_AUTODISARM) || size < MINSIGSTKSZ ||
	    sp >= TASK_SIZE_MAX || size > TASK_SIZE_MAX - sp)
		return -EINVAL;
	/* as sigaltstack(2): the size checked and set under the siglock */
	if (!lock_task_sighand(current, &irqflags))
		return -ESRCH;
	if (!sigaltstack_size_valid(size)) {
		unlock_task_sighand(current, &irqflags);
		return -EINVAL;
	}
	current->sas_ss_sp = sp;
	current->sas_ss_size = size;
	current->sas_ss_flags = flags;
	unlock_task_sighand(current, &irqflags);
	return 0;
}

static int ckpt_restore_rseq(const struct ckpt_rec_task *r)
{
	u64 rseq = le64_to_cpu(r->rseq);
	u32 len = le32_to_cpu(r->rseq_len);

#ifdef CONFIG_RSEQ
	/* not the registration inherited from the creator */
	current->rseq = NULL;
	current->rseq_len = 0;
	current->rseq_sig = 0;
#endif
	if (!rseq)
		return len || r->rseq_sig ? -EINVAL : 0;
#ifdef CONFIG_RSEQ
	if (!IS_ALIGNED(rseq, __alignof__(struct rseq)) ||
	    (len != 32 && (!IS_ALIGNED(len, __alignof__(struct rseq)) ||
			   len < offsetof(struct rseq, end))) ||
	    rseq >= TASK_SIZE_MAX || len > TASK_SIZE_MAX - rseq)
		return -EINVAL;
	current->rseq = (struct rseq __user *)(unsigned long)rseq;
	current->rseq_len = len;
	current->rseq_sig = le32_to_cpu(r->rseq_sig);
	rseq_set_notify_resume(current);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

static int ckpt_restore_robust(const struct ckpt_rec_task *r)
{
	u64 robust = le64_to_cpu(r->robust_list);
	u64 len = le64_to_cpu(r->robust_list_len);

	if (!robust)
		return len ? -EINVAL : 0;
#ifdef CONFIG_FUTEX
	if (robust >= TASK_SIZE_MAX || len != sizeof(struct robust_list_head))
		return -EINVAL;
	current->robust_list = (struct robust_list_head __user *)
			       (unsigned long)robust;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/* one rule per errno: the record, against its tree entry */
static int ckpt_task_rec_valid(const struct ckpt_task *t,
			       const struct ckpt_rec_task *r)
{
	const u32 known = CKPT_TASK_NO_NEW_PRIVS | CKPT_TASK_SELF;

	if (le32_to_cpu(r->pid) != t->pid || le32_to_cpu(r->tgid) != t->tgid)
		return -EINVAL;
	if (le32_to_cpu(r->flags) & ~known)
		return -EINVAL;
	if (!valid_signal(le32_to_cpu(r->pdeath_signal)))
		return -EINVAL;
	if (le32_to_cpu(r->personality) == 0xffffffff)
		return -EINVAL;
	if (le64_to_cpu(r->clear_child_tid) >= TASK_SIZE_MAX ||
	    le64_to_cpu(r->set_child_tid) >= TASK_SIZE_MAX)
		return -EINVAL;
	return 0;
}

/*
 * The objects of the task: credentials to install later; the fs_struct
 * and fd table to attach if they are another process's; the mm, signal
 * actions and signal state must be those current has (built in its own
 * section, or shared with its leader for a thread).
 */
static int ckpt_task_objects(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     const struct ckpt_rec_task *r)
{
	struct ckpt_obj *creds, *mm, *sighand, *signal;
	void *fs, *files;
	int ret;

	creds = ckpt_obj_lookup(ctx, le32_to_cpu(r->creds_ref), &ckpt_creds_ops);
	fs = ckpt_obj_get(ctx, le32_to_cpu(r->fs_ref), &ckpt_fs_ops);
	files = ckpt_obj_get(ctx, le32_to_cpu(r->files_ref), &ckpt_files_ops);
	mm = ckpt_obj_lookup(ctx, le32_to_cpu(r->mm_ref), &ckpt_mm_ops);
	sighand = ckpt_obj_lookup(ctx, le32_to_cpu(r->sighand_ref),
				  &ckpt_sighand_ops);
	signal = ckpt_obj_lookup(ctx, le32_to_cpu(r->signal_ref),
				 &ckpt_signal_ops);
	if (!creds || IS_ERR(fs) || IS_ERR(files) || !mm || !sighand || !signal)
		return -EINVAL;
	/* built by this process (by its leader, for a thread) */
	if (mm->ptr != current->mm || mm->owner != t->tgid ||
	    sighand->ptr != rcu_access_pointer(current->sighand) ||
	    sighand->owner != t->tgid ||
	    signal->ptr != current->signal || signal->owner != t->tgid)
		return -EINVAL;
	ret = ckpt_attach_fs(fs);
	if (!ret)
		ret = ckpt_attach_files(files);
	if (ret)
		return ret;
	t->cred = get_new_cred(creds->ptr);
	t->signal = signal;
	return 0;
}

static int ckpt_restore_task(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     const struct ckpt_rhdr *h, void *rec)
{
	const struct ckpt_rec_task *r = rec;
	char comm[TASK_COMM_LEN];
	int ret;

	ret = ckpt_task_rec_valid(t, r);
	if (!ret)
		ret = ckpt_task_objects(ctx, t, r);
	if (!ret)
		ret = ckpt_restore_robust(r);
	if (!ret)
		ret = ckpt_restore_rseq(r);
	if (!ret)
		ret = ckpt_restore_altstack(r);
	if (ret)
		return ret;
	current->clear_child_tid = u64_to_user_ptr(le64_to_cpu(r->clear_child_tid));
	current->set_child_tid = u64_to_user_ptr(le64_to_cpu(r->set_child_tid));
	t->pdeath_signal = le32_to_cpu(r->pdeath_signal);
	set_personality(le32_to_cpu(r->personality));
	if (le32_to_cpu(r->flags) & CKPT_TASK_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	t->blocked = le64_to_cpu(r->blocked);
	memcpy(comm, r->comm, sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = 0;
	set_task_comm(current, comm);
	t->in_task = true;
	return 0;
}

/**
 * ckpt_restore_task_done - a task read its whole section
 * @ctx: restart context
 * @t: the task, current
 */
int ckpt_restore_task_done(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	return 0;
}

/**
 * ckpt_restore_task_finish - the last steps, once the whole image was read
 * @ctx: restart context
 * @t: the task, current
 *
 * Install the credentials (last, so that everything before was done with
 * the caller's), the parent death signal (commit_creds() may clear it),
 * the blocked mask and the pending signals.
 */
int ckpt_restore_task_finish(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	sigset_t blocked = { .sig = { t->blocked } };
	struct cred *cred = t->cred;

	t->cred = NULL;
	commit_creds(cred);
	current->pdeath_signal = t->pdeath_signal;
	set_current_blocked(&blocked);
	return ckpt_restore_signals(ctx, t);
}

/**
 * ckpt_task_free - drop what a task of the context holds
 * @t: the task
 */
void ckpt_task_free(struct ckpt_task *t)
{
	if (t->task)
		put_task_struct(t->task);
	if (t->cred)
		put_cred(t->cred);
	kvfree(t->sigq);
	ckpt_arch_task_free(&t->arch);
}

static const struct ckpt_rec_ops ckpt_task_records[] = {
	{
		.type = CKPT_REC_TASK,
		.name = "TASK",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_task),
		.max_len = sizeof(struct ckpt_rec_task),
		.restore = ckpt_restore_task,
	},
};

static int __init ckpt_task_init(void)
{
	return ckpt_register_records(ckpt_task_records,
				     ARRAY_SIZE(ckpt_task_records));
}
core_initcall(ckpt_task_init);
