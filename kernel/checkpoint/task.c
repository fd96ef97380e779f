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
#include <linux/sched/coredump.h>
#include <linux/sched/user.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seccomp.h>
#include <linux/securebits.h>
#include <linux/security.h>
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
	sh = lock_task_sighand(t, &flags);
	if (!sh) {
		kfree(r);
		return -ESRCH;
	}
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

/* @id is one of the ids the caller has, the setresuid() rule */
static bool ckpt_uid_held(kuid_t id, const struct cred *c, bool fs)
{
	return uid_eq(id, c->uid) || uid_eq(id, c->euid) ||
	       uid_eq(id, c->suid) || (fs && uid_eq(id, c->fsuid));
}

static bool ckpt_gid_held(kgid_t id, const struct cred *c, bool fs)
{
	return gid_eq(id, c->gid) || gid_eq(id, c->egid) ||
	       gid_eq(id, c->sgid) || (fs && gid_eq(id, c->fsgid));
}

static bool ckpt_same_groups(const struct group_info *a,
			     const struct group_info *b)
{
	int i;

	if (a->ngroups != b->ngroups)
		return false;
	for (i = 0; i < a->ngroups; i++)
		if (!gid_eq(a->gid[i], b->gid[i]))
			return false;
	return true;
}

/*
 * The caller may give the restored task only the ids it could set itself
 * (setresuid(), setresgid(), setfsuid(), setgroups()).
 */
static int ckpt_check_ids(const struct cred *old, struct cred *new)
{
	bool setuid = ns_capable_setid(old->user_ns, CAP_SETUID);
	bool setgid = ns_capable_setid(old->user_ns, CAP_SETGID);

	if (!setuid && (!ckpt_uid_held(new->uid, old, false) ||
			!ckpt_uid_held(new->euid, old, false) ||
			!ckpt_uid_held(new->suid, old, false) ||
			!ckpt_uid_held(new->fsuid, old, true)))
		return -EPERM;
	if (!setgid && (!ckpt_gid_held(new->gid, old, false) ||
			!ckpt_gid_held(new->egid, old, false) ||
			!ckpt_gid_held(new->sgid, old, false) ||
			!ckpt_gid_held(new->fsgid, old, true)))
		return -EPERM;
	if ((!setgid || !may_setgroups()) &&
	    !ckpt_same_groups(new->group_info, old->group_info))
		return -EPERM;
	return 0;
}

/* charge the task to its real uid, as setresuid() does */
static int ckpt_set_user(const struct cred *old, struct cred *new)
{
	struct user_struct *user;

	if (uid_eq(new->uid, old->uid))
		return 0;
	user = alloc_uid(new->uid);
	if (!user)
		return -EAGAIN;
	free_uid(new->user);
	new->user = user;
	return set_cred_ucounts(new);
}

/* and only the capabilities capset() would allow */
static int ckpt_check_caps(const struct cred *old, struct cred *new)
{
	bool setpcap = ns_capable(old->user_ns, CAP_SETPCAP);
	kernel_cap_t inh_max;

	inh_max = cap_combine(old->cap_inheritable, old->cap_permitted);
	if ((!setpcap && !cap_issubset(new->cap_inheritable, inh_max)) ||
	    !cap_issubset(new->cap_inheritable,
			  cap_combine(old->cap_inheritable, old->cap_bset)) ||
	    !cap_issubset(new->cap_permitted, old->cap_permitted) ||
	    !cap_issubset(new->cap_effective, new->cap_permitted) ||
	    !cap_issubset(new->cap_bset, old->cap_bset) ||
	    !cap_issubset(new->cap_ambient,
			  cap_intersect(new->cap_permitted,
					new->cap_inheritable)))
		return -EPERM;
	/* PR_CAP_AMBIENT_RAISE */
	if (!cap_issubset(new->cap_ambient, old->cap_ambient) &&
	    ((old->securebits | new->securebits) &
	     issecure_mask(SECURE_NO_CAP_AMBIENT_RAISE)))
		return -EPERM;
	/* PR_SET_SECUREBITS: a locked bit keeps its value, a lock stays */
	if (new->securebits != old->securebits &&
	    (!setpcap ||
	     (((old->securebits & SECURE_ALL_LOCKS) >> 1) &
	      (old->securebits ^ new->securebits)) ||
	     (old->securebits & SECURE_ALL_LOCKS & ~new->securebits)))
		return -EPERM;
	return 0;
}

/*
 * Ask the LSMs what setresuid(), setresgid(), setgroups() and capset() ask
 * them (SafeSetID, for one, restricts the transitions of CAP_SETUID
 * holders).  The capability module's setuid fixup may drop capabilities on
 * the way: the saved ones, already checked, are set again as a caller with
 * PR_SET_KEEPCAPS and capset() could have.
 */
static int ckpt_lsm_creds(const struct cred *old, struct cred *new)
{
	kernel_cap_t eff = new->cap_effective, inh = new->cap_inheritable;
	kernel_cap_t perm = new->cap_permitted, amb = new->cap_ambient;
	int ret;

	ret = security_task_fix_setuid(new, old, LSM_SETID_RES);
	if (!ret)
		ret = security_task_fix_setgid(new, old, LSM_SETID_RES);
	if (!ret && !ckpt_same_groups(new->group_info, old->group_info))
		ret = security_task_fix_setgroups(new, old);
	if (ret)
		return ret;
	new->cap_ambient = amb;
	ret = security_capset(new, old, &eff, &inh, &perm);
	if (!ret && !cap_issubset(amb, new->cap_ambient))
		ret = -EPERM;
	return ret;
}

static int ckpt_make_cred(const struct ckpt_rec_creds *r, struct cred *new)
{
	struct user_namespace *ns = current_user_ns();
	u32 i, ngroups = le32_to_cpu(r->ngroups);
	const u64 caps[] = {
		le64_to_cpu(r->cap_inheritable), le64_to_cpu(r->cap_permitted),
		le64_to_cpu(r->cap_effective), le64_to_cpu(r->cap_bset),
		le64_to_cpu(r->cap_ambient),
	};
	struct group_info *gi;

	for (i = 0; i < ARRAY_SIZE(caps); i++)
		if (caps[i] & ~CAP_VALID_MASK)
			return -EINVAL;
	if (le32_to_cpu(r->securebits) & ~(SECURE_ALL_BITS | SECURE_ALL_LOCKS))
		return -EINVAL;

	new->uid = make_kuid(ns, le32_to_cpu(r->uid));
	new->euid = make_kuid(ns, le32_to_cpu(r->euid));
	new->suid = make_kuid(ns, le32_to_cpu(r->suid));
	new->fsuid = make_kuid(ns, le32_to_cpu(r->fsuid));
	new->gid = make_kgid(ns, le32_to_cpu(r->gid));
	new->egid = make_kgid(ns, le32_to_cpu(r->egid));
	new->sgid = make_kgid(ns, le32_to_cpu(r->sgid));
	new->fsgid = make_kgid(ns, le32_to_cpu(r->fsgid));
	if (!uid_valid(new->uid) || !uid_valid(new->euid) ||
	    !uid_valid(new->suid) || !uid_valid(new->fsuid) ||
	    !gid_valid(new->gid) || !gid_valid(new->egid) ||
	    !gid_valid(new->sgid) || !gid_valid(new->fsgid))
		return -EINVAL;
	new->securebits = le32_to_cpu(r->securebits);
	new->cap_inheritable.val = caps[0];
	new->cap_permitted.val = caps[1];
	new->cap_effective.val = caps[2];
	new->cap_bset.val = caps[3];
	new->cap_ambient.val = caps[4];

	gi = groups_alloc(ngroups);
	if (!gi)
		return -ENOMEM;
	for (i = 0; i < ngroups; i++) {
		gi->gid[i] = make_kgid(ns, le32_to_cpu(r->groups[i]));
		if (!gid_valid(gi->gid[i])) {
			put_group_info(gi);
			return -EINVAL;
		}
	}
	groups_sort(gi);
	set_groups(new, gi);
	put_group_info(gi);
	return 0;
}

/**
 * ckpt_restore_creds - prepare the credentials of the restored task
 * @ctx: restart context
 * @h: the CKPT_REC_CREDS header
 *
 * They are committed once everything else is restored, with the caller's
 * credentials.  Return: 0, -EINVAL for a bad record, -EPERM for ids or
 * capabilities the caller could not set itself
 */
int ckpt_restore_creds(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	const struct cred *old = current_cred();
	struct ckpt_rec_creds *r;
	struct cred *new;
	int ret;

	r = ckpt_read_payload(ctx, h, sizeof(*r),
			      sizeof(*r) + NGROUPS_MAX * sizeof(r->groups[0]));
	if (IS_ERR(r))
		return PTR_ERR(r);
	ret = -EINVAL;
	if (h->len != sizeof(*r) +
		      le32_to_cpu(r->ngroups) * sizeof(r->groups[0]))
		goto out;
	ret = -ENOMEM;
	new = prepare_creds();
	if (!new)
		goto out;
	ret = ckpt_make_cred(r, new);
	if (!ret)
		ret = ckpt_check_ids(old, new);
	if (!ret)
		ret = ckpt_check_caps(old, new);
	if (!ret)
		ret = ckpt_lsm_creds(old, new);
	if (!ret)
		ret = ckpt_set_user(old, new);
	if (ret) {
		abort_creds(new);
		goto out;
	}
	ctx->rst->cred = new;
	ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_CREDS, new,
			   NULL);
out:
	kvfree(r);
	return ret;
}

static int ckpt_lookup_dir(const char *name, struct path *path)
{
	int ret = kern_path(name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, path);

	if (ret)
		return ret;
	ret = path_permission(path, MAY_EXEC | MAY_CHDIR);
	if (ret)
		path_put(path);
	return ret;
}

/**
 * ckpt_restore_fs - restore cwd, root and umask
 * @ctx: restart context
 * @h: the CKPT_REC_FS header
 *
 * The directories are looked up as the caller; a root other than the
 * caller's needs CAP_SYS_CHROOT, as chroot() does.
 */
int ckpt_restore_fs(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct path cwd, root;
	struct ckpt_rec_fs *r;
	u32 cwd_len, root_len;
	bool same_root;
	int ret;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r) + 2 * PATH_MAX);
	if (IS_ERR(r))
		return PTR_ERR(r);
	ret = -EINVAL;
	cwd_len = le32_to_cpu(r->cwd_len);
	root_len = le32_to_cpu(r->root_len);
	if (h->len != sizeof(*r) + (u64)cwd_len + root_len ||
	    !ckpt_valid_str(r->paths, cwd_len, PATH_MAX) ||
	    !ckpt_valid_str(r->paths + cwd_len, root_len, PATH_MAX))
		goto out;

	ret = ckpt_lookup_dir(r->paths, &cwd);
	if (ret)
		goto out;
	ret = ckpt_lookup_dir(r->paths + cwd_len, &root);
	if (ret)
		goto out_cwd;
	spin_lock(&current->fs->lock);
	same_root = path_equal(&root, &current->fs->root);
	spin_unlock(&current->fs->lock);
	ret = -EPERM;
	if (!same_root && !ns_capable(current_user_ns(), CAP_SYS_CHROOT))
		goto out_root;
	if (!same_root) {
		ret = security_path_chroot(&root);
		if (ret)
			goto out_root;
	}

	set_fs_pwd(current->fs, &cwd);
	if (!same_root)
		set_fs_root(current->fs, &root);
	current->fs->umask = le32_to_cpu(r->umask) & 0777;
	ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_FS,
			   current->fs, NULL);
out_root:
	path_put(&root);
out_cwd:
	path_put(&cwd);
out:
	kvfree(r);
	return ret;
}

int ckpt_restore_sighand(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_sighand *r;
	int i, ret = 0;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (le32_to_cpu(r->nr) != CKPT_NSIG)
		ret = -EINVAL;
	for (i = 0; !ret && i < CKPT_NSIG; i++) {
		const struct ckpt_sigaction *a = &r->action[i];
		u64 handler = le64_to_cpu(a->handler);
		u64 flags = le64_to_cpu(a->flags);
		struct k_sigaction ka = {};

		if ((flags & ~(u64)UAPI_SA_FLAGS) || handler >= TASK_SIZE_MAX ||
		    le64_to_cpu(a->restorer) >= TASK_SIZE_MAX) {
			ret = -EINVAL;
			break;
		}
		if (sig_kernel_only(i + 1)) {
			/* SIGKILL and SIGSTOP cannot have been changed */
			if (handler || flags)
				ret = -EINVAL;
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
	if (!ret)
		ret = ckpt_obj_add(ctx, le32_to_cpu(r->objref), CKPT_REC_SIGHAND,
				   NULL, NULL);
	kvfree(r);
	return ret;
}

static int ckpt_restore_altstack(const struct ckpt_rec_task *r)
{
	u64 sp = le64_to_cpu(r->sas_ss_sp), size = le64_to_cpu(r->sas_ss_size);
	u32 flags = le32_to_cpu(r->sas_ss_flags);

	if (flags == SS_DISABLE || (!sp && !size && !flags)) {
		current->sas_ss_sp = 0;
		current->sas_ss_size = 0;
		current->sas_ss_flags = SS_DISABLE;
		return 0;
	}
	if ((flags & ~SS_AUTODISARM) || size < MINSIGSTKSZ ||
	    !sigaltstack_size_valid(size) || sp >= TASK_SIZE_MAX ||
	    size > TASK_SIZE_MAX - sp)
		return -EINVAL;
	current->sas_ss_sp = sp;
	current->sas_ss_size = size;
	current->sas_ss_flags = flags;
	return 0;
}

static int ckpt_restore_rseq(const struct ckpt_rec_task *r)
{
	u64 rseq = le64_to_cpu(r->rseq);
	u32 len = le32_to_cpu(r->rseq_len);

#ifdef CONFIG_RSEQ
	/* not the registration inherited from the caller */
	current->rseq = NULL;
	current->rseq_len = 0;
	current->rseq_sig = 0;
#endif
	if (!rseq)
		return len ? -EINVAL : 0;
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

int ckpt_restore_task(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	const u32 known = CKPT_TASK_STOPPED | CKPT_TASK_NO_NEW_PRIVS |
			  CKPT_TASK_SELF;
	char comm[TASK_COMM_LEN];
	struct ckpt_rec_task *r;
	u64 robust, ctid, stid;
	u32 flags, pdeath;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	flags = le32_to_cpu(r->flags);
	pdeath = le32_to_cpu(r->pdeath_signal);
	robust = le64_to_cpu(r->robust_list);
	ctid = le64_to_cpu(r->clear_child_tid);
	stid = le64_to_cpu(r->set_child_tid);
	if (IS_ERR(ckpt_obj_get(ctx, le32_to_cpu(r->creds_ref), CKPT_REC_CREDS)) ||
	    IS_ERR(ckpt_obj_get(ctx, le32_to_cpu(r->fs_ref), CKPT_REC_FS)) ||
	    IS_ERR(ckpt_obj_get(ctx, le32_to_cpu(r->files_ref), CKPT_REC_FILES)) ||
	    IS_ERR(ckpt_obj_get(ctx, le32_to_cpu(r->mm_ref), CKPT_REC_MM)) ||
	    IS_ERR(ckpt_obj_get(ctx, le32_to_cpu(r->sighand_ref),
				CKPT_REC_SIGHAND)))
		goto out;
	if ((flags & ~known) || !valid_signal(pdeath) ||
	    le32_to_cpu(r->personality) == 0xffffffff ||
	    ctid >= TASK_SIZE_MAX || stid >= TASK_SIZE_MAX ||
	    robust >= TASK_SIZE_MAX)
		goto out;
#ifdef CONFIG_FUTEX
	if (robust && le64_to_cpu(r->robust_list_len) !=
		      sizeof(struct robust_list_head))
		goto out;
	current->robust_list = (struct robust_list_head __user *)
			       (unsigned long)robust;
#else
	if (robust)
		goto out;
#endif
	ret = ckpt_restore_rseq(r);
	if (!ret)
		ret = ckpt_restore_altstack(r);
	if (ret)
		goto out;
	current->clear_child_tid = (int __user *)(unsigned long)ctid;
	current->set_child_tid = (int __user *)(unsigned long)stid;
	ctx->rst->pdeath_signal = pdeath;
	set_personality(le32_to_cpu(r->personality));
	if (flags & CKPT_TASK_NO_NEW_PRIVS)
		task_set_no_new_privs(current);
	ctx->stopped = flags & CKPT_TASK_STOPPED;
	ctx->rst->blocked = le64_to_cpu(r->blocked);
	memcpy(comm, r->comm, sizeof(comm) - 1);
	comm[sizeof(comm) - 1] = 0;
	set_task_comm(current, comm);
out:
	kvfree(r);
	return ret;
}

/* rlimits, with the checks of setrlimit() */
int ckpt_restore_signal(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_signal *r;
	int i, ret = 0;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (le32_to_cpu(r->nr_rlim) != CKPT_RLIM_NLIMITS)
		ret = -EINVAL;
	for (i = 0; !ret && i < RLIM_NLIMITS; i++) {
		struct rlimit rl = {
			.rlim_cur = le64_to_cpu(r->rlim[i].cur),
			.rlim_max = le64_to_cpu(r->rlim[i].max),
		};

		ret = do_prlimit(current, i, &rl, NULL);
	}
	kvfree(r);
	return ret;
}

int ckpt_restore_sigpending(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rst *rst = ctx->rst;
	struct ckpt_rec_sigpending *r;
	u32 shared, i, nr;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), CKPT_REC_MAX_LEN);
	if (IS_ERR(r))
		return PTR_ERR(r);
	shared = le32_to_cpu(r->shared);
	nr = le32_to_cpu(r->nr_info);
	/* the task's queue, then the process's */
	if (shared > 1 || rst->sigq[shared] || (shared && !rst->sigq[0]) ||
	    h->len != sizeof(*r) + (u64)nr * sizeof(r->info[0]))
		goto out;
	for (i = 0; i < nr; i++) {
		const siginfo_t *info = (const siginfo_t *)r->info[i];
		int sig = info->si_signo;

		BUILD_BUG_ON(sizeof(*info) != sizeof(r->info[0]));
		if (sig < 1 || sig > CKPT_NSIG || sig_kernel_only(sig) ||
		    !(le64_to_cpu(r->signal) & BIT_ULL(sig - 1)) ||
		    memchr_inv(r->info[i] + sizeof(kernel_siginfo_t), 0,
			       sizeof(r->info[0]) - sizeof(kernel_siginfo_t)))
			goto out;
	}
	rst->sigq[shared] = r;
	return 0;
out:
	kvfree(r);
	return ret;
}

/**
 * ckpt_restore_signals_done - the last steps, once the image was read
 * @ctx: restart context
 *
 * Commit the credentials, set the blocked mask and queue the signals that
 * were pending; they are delivered when the task returns to user mode.
 */
int ckpt_restore_signals_done(struct ckpt_ctx *ctx)
{
	struct ckpt_rst *rst = ctx->rst;
	sigset_t blocked = { .sig = { rst->blocked } };
	int q, ret = 0;
	u32 i;

	/* dumpable as a task of its user, unless commit_creds() decides */
	set_dumpable(current->mm, SUID_DUMP_USER);
	commit_creds(rst->cred);
	rst->cred = NULL;
	/* commit_creds() clears it when the ids change */
	current->pdeath_signal = rst->pdeath_signal;
	set_current_blocked(&blocked);

	for (q = 0; q < ARRAY_SIZE(rst->sigq); q++) {
		struct ckpt_rec_sigpending *r = rst->sigq[q];

		for (i = 0; !ret && i < le32_to_cpu(r->nr_info); i++) {
			kernel_siginfo_t info;

			memcpy(&info, r->info[i], sizeof(info));
			ret = do_send_sig_info(info.si_signo, &info, current,
					       q ? PIDTYPE_TGID : PIDTYPE_PID);
		}
	}
	if (!ret && ctx->stopped)
		ret = send_sig(SIGSTOP, current, 1);
	return ret;
}

void ckpt_rst_free(struct ckpt_rst *rst)
{
	kvfree(rst->sigq[0]);
	kvfree(rst->sigq[1]);
	kvfree(rst->xstate);
	if (rst->exe)
		fput(rst->exe);
	if (rst->cred)
		abort_creds(rst->cred);
	kfree(rst);
}
