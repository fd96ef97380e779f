// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: a task, its credentials, fs and signal state.
 */

#include <linux/capability.h>
#include <linux/checkpoint.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/futex.h>
#include <linux/hrtimer.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/personality.h>
#include <linux/pid_namespace.h>
#include <linux/resource.h>
#include <linux/rseq.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/uidgid.h>

static int ckpt_check_ns(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct nsproxy *mine = current->nsproxy, *its;
	bool same;

	task_lock(t);
	its = t->nsproxy;
	same = its && its->uts_ns == mine->uts_ns &&
	       its->ipc_ns == mine->ipc_ns && its->mnt_ns == mine->mnt_ns &&
	       its->net_ns == mine->net_ns &&
	       its->cgroup_ns == mine->cgroup_ns &&
	       its->time_ns == mine->time_ns &&
	       its->pid_ns_for_children == mine->pid_ns_for_children;
	task_unlock(t);
	if (!same || task_active_pid_ns(t) != task_active_pid_ns(current))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"namespaces differ from the caller's");
	return 0;
}

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

/**
 * ckpt_check_task - refuse what a task has that cannot be saved
 * @ctx: checkpoint context
 * @t: the task, held still
 */
int ckpt_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	int ret;

	if (!thread_group_empty(t))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_THREAD, -1, 0,
				"multi-threaded processes are not supported");
	if (!t->mm)
		return -ESRCH;
#ifdef CONFIG_SECCOMP
	if (t->seccomp.mode != SECCOMP_MODE_DISABLED)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_TASK, -1, 0,
				"seccomp is not supported");
#endif
	ret = ckpt_check_ns(ctx, t);
	if (!ret)
		ret = ckpt_check_timers(ctx, t);
	if (!ret)
		ret = ckpt_arch_check_task(ctx, t);
	return ret;
}

int ckpt_dump_creds(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *cred = get_task_cred(t);
	struct group_info *gi = cred->group_info;
	struct ckpt_rec_creds r = {};
	__le32 *groups = NULL;
	int i, ret;

	*ref = ckpt_obj_lookup(ctx, cred);
	if (*ref) {
		ret = 0;
		goto out;
	}
	if (cred->user_ns != ns) {
		ret = ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
			       "user namespace differs from the caller's");
		goto out;
	}
	if (gi->ngroups) {
		ret = -ENOMEM;
		groups = kvmalloc_array(gi->ngroups, sizeof(*groups),
					GFP_KERNEL);
		if (!groups)
			goto out;
	}
	for (i = 0; i < gi->ngroups; i++)
		groups[i] = cpu_to_le32(from_kgid_munged(ns, gi->gid[i]));

	ret = ckpt_obj_insert(ctx, cred, ref);
	if (ret)
		goto out;
	r.objref = cpu_to_le32(*ref);
	r.uid = cpu_to_le32(from_kuid_munged(ns, cred->uid));
	r.euid = cpu_to_le32(from_kuid_munged(ns, cred->euid));
	r.suid = cpu_to_le32(from_kuid_munged(ns, cred->suid));
	r.fsuid = cpu_to_le32(from_kuid_munged(ns, cred->fsuid));
	r.gid = cpu_to_le32(from_kgid_munged(ns, cred->gid));
	r.egid = cpu_to_le32(from_kgid_munged(ns, cred->egid));
	r.sgid = cpu_to_le32(from_kgid_munged(ns, cred->sgid));
	r.fsgid = cpu_to_le32(from_kgid_munged(ns, cred->fsgid));
	r.securebits = cpu_to_le32(cred->securebits);
	r.cap_inheritable = cpu_to_le64(cred->cap_inheritable.val);
	r.cap_permitted = cpu_to_le64(cred->cap_permitted.val);
	r.cap_effective = cpu_to_le64(cred->cap_effective.val);
	r.cap_bset = cpu_to_le64(cred->cap_bset.val);
	r.cap_ambient = cpu_to_le64(cred->cap_ambient.val);
	r.ngroups = cpu_to_le32(gi->ngroups);
	ret = ckpt_write_record(ctx, CKPT_REC_CREDS, &r, sizeof(r), groups,
				gi->ngroups * sizeof(*groups));
out:
	kvfree(groups);
	put_cred(cred);
	return ret;
}

int ckpt_dump_fs(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref)
{
	struct ckpt_rec_fs r = {};
	struct path pwd, root;
	struct fs_struct *fs;
	char *buf, *p;
	u32 cwd_len, root_len;
	int ret;

	task_lock(t);
	fs = t->fs;
	if (!fs) {
		task_unlock(t);
		return -ESRCH;
	}
	if (fs->users > 1) {
		task_unlock(t);
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_FS, -1, 0,
				"fs_struct shared with another process");
	}
	get_fs_pwd(fs, &pwd);
	get_fs_root(fs, &root);
	r.umask = cpu_to_le32(fs->umask);
	task_unlock(t);

	ret = -EOPNOTSUPP;
	if (d_unlinked(pwd.dentry) || d_unlinked(root.dentry)) {
		ckpt_err(ctx, ret, CKPT_OBJ_FS, -1, 0,
			 "cwd or root directory was deleted");
		goto out;
	}
	ret = -ENOMEM;
	buf = kmalloc(2 * PATH_MAX, GFP_KERNEL);
	if (!buf)
		goto out;
	p = ckpt_path(ctx, &pwd, &cwd_len);
	ret = PTR_ERR_OR_ZERO(p);
	if (ret)
		goto out;
	memcpy(buf, p, cwd_len);
	p = ckpt_path(ctx, &root, &root_len);
	ret = PTR_ERR_OR_ZERO(p);
	if (ret)
		goto out;
	memcpy(buf + cwd_len, p, root_len);

	ret = ckpt_obj_insert(ctx, fs, ref);
	if (ret)
		goto out;
	r.objref = cpu_to_le32(*ref);
	r.cwd_len = cpu_to_le32(cwd_len);
	r.root_len = cpu_to_le32(root_len);
	ret = ckpt_write_record(ctx, CKPT_REC_FS, &r, sizeof(r), buf,
				cwd_len + root_len);
out:
	kfree(buf);
	path_put(&pwd);
	path_put(&root);
	return ret;
}

int ckpt_dump_sighand(struct ckpt_ctx *ctx, struct task_struct *t, u32 *ref)
{
	struct ckpt_rec_sighand *r;
	struct sighand_struct *sh;
	unsigned long flags;
	int i, ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = -ESRCH;
	sh = lock_task_sighand(t, &flags);
	if (!sh)
		goto out;
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
	ret = refcount_read(&sh->count) > 1 ? -EOPNOTSUPP : 0;
	unlock_task_sighand(t, &flags);
	if (ret) {
		ckpt_err(ctx, ret, CKPT_OBJ_SIGNAL, -1, 0,
			 "signal handlers shared with another process");
		goto out;
	}

	ret = ckpt_obj_insert(ctx, sh, ref);
	if (ret)
		goto out;
	r->objref = cpu_to_le32(*ref);
	r->nr = cpu_to_le32(CKPT_NSIG);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGHAND, r, sizeof(*r), NULL, 0);
out:
	kfree(r);
	return ret;
}

static int ckpt_dump_sigqueue(struct ckpt_ctx *ctx, struct task_struct *t,
			      bool shared)
{
	struct ckpt_rec_sigpending r = { .shared = cpu_to_le32(shared) };
	struct sigpending *pending;
	siginfo_t *infos = NULL;
	struct sigqueue *q;
	unsigned long flags;
	unsigned int n, max = 0;
	int ret;

	for (;;) {
		if (!lock_task_sighand(t, &flags)) {
			ret = -ESRCH;
			goto out;
		}
		pending = shared ? &t->signal->shared_pending : &t->pending;
		n = 0;
		list_for_each_entry(q, &pending->list, list) {
			if (n < max)
				copy_siginfo_to_external(&infos[n], &q->info);
			n++;
		}
		r.signal = cpu_to_le64(pending->signal.sig[0]);
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
	BUILD_BUG_ON(sizeof(*infos) != sizeof(r.info[0]));
	r.nr_info = cpu_to_le32(n);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGPENDING, &r, sizeof(r), infos,
				n * sizeof(*infos));
out:
	kvfree(infos);
	return ret;
}

int ckpt_dump_signal(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_signal *r;
	int i, ret;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	BUILD_BUG_ON(RLIM_NLIMITS > CKPT_RLIM_NLIMITS);
	r->nr_rlim = cpu_to_le32(CKPT_RLIM_NLIMITS);
	task_lock(t->group_leader);
	for (i = 0; i < RLIM_NLIMITS; i++) {
		r->rlim[i].cur = cpu_to_le64(t->signal->rlim[i].rlim_cur);
		r->rlim[i].max = cpu_to_le64(t->signal->rlim[i].rlim_max);
	}
	task_unlock(t->group_leader);
	ret = ckpt_write_record(ctx, CKPT_REC_SIGNAL, r, sizeof(*r), NULL, 0);
	kfree(r);
	if (!ret)
		ret = ckpt_dump_sigqueue(ctx, t, false);
	if (!ret)
		ret = ckpt_dump_sigqueue(ctx, t, true);
	return ret;
}

static int ckpt_dump_tree(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct {
		struct ckpt_rec_tree r;
		struct ckpt_tree_entry e;
	} rec = {};

	rec.r.nr_tasks = cpu_to_le32(1);
	rcu_read_lock();
	rec.e.pid = cpu_to_le32(task_pid_vnr(t));
	rec.e.tgid = cpu_to_le32(task_tgid_vnr(t));
	rec.e.pgid = cpu_to_le32(task_pgrp_vnr(t));
	rec.e.sid = cpu_to_le32(task_session_vnr(t));
	rcu_read_unlock();
	return ckpt_write_record(ctx, CKPT_REC_TREE, &rec, sizeof(rec), NULL, 0);
}

static void ckpt_fill_task(struct ckpt_ctx *ctx, struct task_struct *t,
			   struct ckpt_rec_task *r)
{
	sigset_t *blocked = &t->blocked;
	char comm[TASK_COMM_LEN];
	u32 flags = 0;

	r->pid = cpu_to_le32(task_pid_vnr(t));
	r->tgid = cpu_to_le32(task_tgid_vnr(t));
	if (ctx->stopped)
		flags |= CKPT_TASK_STOPPED;
	if (task_no_new_privs(t))
		flags |= CKPT_TASK_NO_NEW_PRIVS;
	if (ctx->self)
		flags |= CKPT_TASK_SELF;
	r->flags = cpu_to_le32(flags);
	r->exit_signal = cpu_to_le32(t->exit_signal);
	r->pdeath_signal = cpu_to_le32(t->pdeath_signal);
	r->personality = cpu_to_le32(t->personality);
#ifdef CONFIG_RSEQ
	r->rseq = cpu_to_le64((unsigned long)t->rseq);
	r->rseq_len = cpu_to_le32(t->rseq_len);
	r->rseq_sig = cpu_to_le32(t->rseq_sig);
#endif
#ifdef CONFIG_FUTEX
	if (t->robust_list) {
		r->robust_list = cpu_to_le64((unsigned long)t->robust_list);
		r->robust_list_len =
			cpu_to_le64(sizeof(struct robust_list_head));
	}
#endif
	r->clear_child_tid = cpu_to_le64((unsigned long)t->clear_child_tid);
	r->set_child_tid = cpu_to_le64((unsigned long)t->set_child_tid);
	r->sas_ss_sp = cpu_to_le64(t->sas_ss_sp);
	r->sas_ss_size = cpu_to_le64(t->sas_ss_size);
	r->sas_ss_flags = cpu_to_le32(t->sas_ss_flags);
	/*
	 * A system call that set a temporary mask (sigsuspend, ppoll, ...)
	 * is restarted and sets it again: save the mask it restores.
	 */
	if (!ctx->self && test_tsk_restore_sigmask(t))
		blocked = &t->saved_sigmask;
	r->blocked = cpu_to_le64(blocked->sig[0]);
	get_task_comm(comm, t);
	memcpy(r->comm, comm, sizeof(r->comm));
}

/**
 * ckpt_dump_task - save one task and the objects it uses
 * @ctx: checkpoint context
 * @t: the task, held still
 */
int ckpt_dump_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_task r = {};
	struct ckpt_hdr end = {};
	u32 ref;
	int ret;

	ret = ckpt_dump_tree(ctx, t);
	if (ret)
		return ret;
	ret = ckpt_dump_creds(ctx, t, &ref);
	if (ret)
		return ret;
	r.creds_ref = cpu_to_le32(ref);
	ret = ckpt_dump_fs(ctx, t, &ref);
	if (ret)
		return ret;
	r.fs_ref = cpu_to_le32(ref);
	ret = ckpt_dump_files(ctx, t, &ref);
	if (ret)
		return ret;
	r.files_ref = cpu_to_le32(ref);
	ret = ckpt_dump_mm(ctx, t, &ref);
	if (ret)
		return ret;
	r.mm_ref = cpu_to_le32(ref);
	ret = ckpt_dump_sighand(ctx, t, &ref);
	if (ret)
		return ret;
	r.sighand_ref = cpu_to_le32(ref);

	ckpt_fill_task(ctx, t, &r);
	ret = ckpt_write_record(ctx, CKPT_REC_TASK, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_dump_signal(ctx, t);
	if (!ret)
		ret = ckpt_arch_dump_task(ctx, t);
	if (!ret)
		ret = ckpt_write_record(ctx, CKPT_REC_TASK_END, &end, sizeof(end),
					NULL, 0);
	return ret;
}
