// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: credentials (CKPT_REC_CREDS).
 *
 * Credentials are saved as the caller's user namespace sees them.  On
 * restart they are built and checked against the caller's with the rules
 * of setresuid(), setresgid(), setgroups(), capset() and the security
 * modules' hooks for those calls, and installed last.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched.h>
#include <linux/sched/user.h>
#include <linux/securebits.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>

#include "internal.h"

static void *ckpt_creds_get(struct ckpt_ctx *ctx, struct task_struct *t)
{
	const struct cred *cred = get_task_cred(t);

	if (cred->user_ns != current_user_ns()) {
		put_cred(cred);
		ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
			 "user namespace differs from the caller's");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return (void *)cred;
}

static void ckpt_creds_drop(void *ptr)
{
	put_cred(ptr);
}

static int ckpt_dump_creds(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *cred = obj->ptr;
	struct group_info *gi = cred->group_info;
	struct ckpt_rec_creds r = {};
	__le32 *groups = NULL;
	int i, ret;

	if (gi->ngroups) {
		groups = kvmalloc_array(gi->ngroups, sizeof(*groups),
					GFP_KERNEL);
		if (!groups)
			return -ENOMEM;
	}
	for (i = 0; i < gi->ngroups; i++)
		groups[i] = cpu_to_le32(from_kgid_munged(ns, gi->gid[i]));
	r.objref = cpu_to_le32(obj->ref);
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
	kvfree(groups);
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

/**
 * ckpt_may_own - whether a caller may give an object it makes an owner
 * @cred: the caller's credentials
 * @uid: the owner (or creator) to give
 * @gid: its group
 *
 * The ids the caller could have made it with, or given it through
 * IPC_SET or chown(2) without privilege: one of its user ids (setresuid()
 * rules, as for credentials), one of its group ids or supplementary
 * groups; any with CAP_SETUID and CAP_SETGID over its user namespace.
 */
bool ckpt_may_own(const struct cred *cred, kuid_t uid, kgid_t gid)
{
	if (!uid_valid(uid) || !gid_valid(gid))
		return false;
	if (!ckpt_uid_held(uid, cred, true) &&
	    !ns_capable_setid(cred->user_ns, CAP_SETUID))
		return false;
	if (!ckpt_gid_held(gid, cred, true) &&
	    !groups_search(cred->group_info, gid) &&
	    !ns_capable_setid(cred->user_ns, CAP_SETGID))
		return false;
	return true;
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
	if (!setpcap && !cap_issubset(new->cap_inheritable, inh_max))
		return -EPERM;
	if (!cap_issubset(new->cap_inheritable,
			  cap_combine(old->cap_inheritable, old->cap_bset)))
		return -EPERM;
	if (!cap_issubset(new->cap_permitted, old->cap_permitted))
		return -EPERM;
	if (!cap_issubset(new->cap_effective, new->cap_permitted))
		return -EPERM;
	if (!cap_issubset(new->cap_bset, old->cap_bset))
		return -EPERM;
	if (!cap_issubset(new->cap_ambient,
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

static void ckpt_creds_release(struct ckpt_obj *obj)
{
	put_cred(obj->ptr);
}

/*
 * CKPT_REC_CREDS: build and check the credentials; they are installed once
 * everything else is restored.  -EPERM for ids or capabilities the caller
 * could not set itself.
 */
static int ckpt_restore_creds(struct ckpt_ctx *ctx, struct ckpt_task *t,
			      const struct ckpt_rhdr *h, void *rec)
{
	const struct cred *old = ctx->caller_cred;
	struct ckpt_rec_creds *r = rec;
	struct cred *new;
	int ret;

	if (h->len != sizeof(*r) +
		      (u64)le32_to_cpu(r->ngroups) * sizeof(r->groups[0]) ||
	    r->__pad)
		return -EINVAL;
	new = prepare_creds();
	if (!new)
		return -ENOMEM;
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
		return ret;
	}
	return PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					    &ckpt_creds_ops, new, 0));
}

const struct ckpt_obj_ops ckpt_creds_ops = {
	.type = CKPT_REC_CREDS,
	.err_kind = CKPT_OBJ_CREDS,
	.get = ckpt_creds_get,
	.drop = ckpt_creds_drop,
	.dump = ckpt_dump_creds,
	.release = ckpt_creds_release,
};

static const struct ckpt_rec_ops ckpt_creds_records[] = {
	{
		.type = CKPT_REC_CREDS,
		.name = "CREDS",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_creds),
		.max_len = sizeof(struct ckpt_rec_creds) +
			   NGROUPS_MAX * sizeof(__le32),
		.restore = ckpt_restore_creds,
	},
};

static int __init ckpt_creds_init(void)
{
	return ckpt_register_records(ckpt_creds_records,
				     ARRAY_SIZE(ckpt_creds_records));
}
core_initcall(ckpt_creds_init);
