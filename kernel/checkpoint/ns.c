// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the ipc and uts namespaces of a container
 * (CKPT_REC_IPC_NS, CKPT_REC_UTS_NS), and the messages of IPC queues
 * (CKPT_REC_IPC_MSG).
 *
 * A container (the image of a whole pid namespace) may have an ipc and a
 * uts namespace of its own.  They are saved whole: the limits of the ipc
 * namespace with every SysV object and POSIX message queue in it, the host
 * and domain names of the uts namespace.  Restart creates the top task in
 * new namespaces (CLONE_NEWIPC, CLONE_NEWUTS: the caller needs
 * CAP_SYS_ADMIN over its user namespace, as for clone(2)), then fills them
 * from the records that precede the first task.
 *
 * A process outside the container may share those namespaces, as the
 * parent that unshare(1) leaves behind does: that is allowed, but its
 * uses of the namespace's objects that the kernel shows refuse them (see
 * sysv.c), and it does not see the names or objects of the restarted
 * container, which gets new namespaces.
 *
 * Tasks in the caller's ipc namespace (a process, or a container without
 * an ipc namespace of its own) save the SysV objects they can be found to
 * use (see sysv.c); restart makes those in the caller's ipc namespace.
 * Other namespaces of the tasks must be the caller's.
 */

#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>

#include <linux/checkpoint.h>

#include "internal.h"

/* restart: the namespaces the objects before the first task go to */
struct ckpt_ns_rst {
	struct ipc_namespace *ipc;
	struct uts_namespace *uts;
	bool ipc_done;		/* CKPT_REC_IPC_NS was restored */
	bool uts_done;		/* CKPT_REC_UTS_NS was restored */
};

/* the ipc and uts namespaces of @t, with references; false if it has none */
static bool ckpt_task_ns(struct task_struct *t, struct ipc_namespace **ipc,
			 struct uts_namespace **uts)
{
	struct nsproxy *nsp;

	task_lock(t);
	nsp = t->nsproxy;
	if (nsp) {
		*ipc = get_ipc_ns(nsp->ipc_ns);
		*uts = nsp->uts_ns;
		get_uts_ns(*uts);
	}
	task_unlock(t);
	return nsp;
}

/**
 * ckpt_check_task_ns - the ipc and uts namespaces of a task of the image
 * @ctx: checkpoint context
 * @t: the task
 *
 * Each is the caller's or, in a container, the top's; the image's are
 * owned by the caller's user namespace.
 * Return: 0, or -EOPNOTSUPP with the reason in the error record
 */
int ckpt_check_task_ns(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct nsproxy *mine = current->nsproxy;
	struct task_struct *top = ctx->tasks[0].task;
	struct ipc_namespace *ipc, *top_ipc;
	struct uts_namespace *uts, *top_uts;
	const char *why = NULL;

	if (!ckpt_task_ns(t, &ipc, &uts))
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
				"task exited during checkpoint");
	if (!ckpt_task_ns(top, &top_ipc, &top_uts)) {
		put_ipc_ns(ipc);
		put_uts_ns(uts);
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
				"task exited during checkpoint");
	}
	if (ipc != mine->ipc_ns && (!ctx->container || ipc != top_ipc))
		why = "namespaces differ from the caller's (ipc)";
	else if (uts != mine->uts_ns && (!ctx->container || uts != top_uts))
		why = "namespaces differ from the caller's (uts)";
	else if ((ipc != mine->ipc_ns && ipc->user_ns != current_user_ns()) ||
		 (uts != mine->uts_ns && uts->user_ns != current_user_ns()))
		why = "ipc or uts namespace of another user namespace";
	put_ipc_ns(ipc);
	put_uts_ns(uts);
	put_ipc_ns(top_ipc);
	put_uts_ns(top_uts);
	if (why)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"%s", why);
	return 0;
}

static void ckpt_ipcns_drop(void *ptr)
{
	put_ipc_ns(ptr);
}

/* every object of the namespace is saved with it */
static int ckpt_collect_ipcns(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	int ret = ckpt_sysv_collect_ns(ctx, obj->ptr, true);

	return ret ?: ckpt_mq_collect_ns(ctx, obj->ptr);
}

static void ckpt_ipc_ns_fill(struct ipc_namespace *ns,
			     struct ckpt_rec_ipc_ns *r)
{
	int i;

	r->shm_ctlmax = cpu_to_le64(ns->shm_ctlmax);
	r->shm_ctlall = cpu_to_le64(ns->shm_ctlall);
	r->shm_ctlmni = cpu_to_le32(ns->shm_ctlmni);
	r->shm_rmid_forced = cpu_to_le32(ns->shm_rmid_forced);
	r->msg_ctlmax = cpu_to_le32(ns->msg_ctlmax);
	r->msg_ctlmnb = cpu_to_le32(ns->msg_ctlmnb);
	r->msg_ctlmni = cpu_to_le32(ns->msg_ctlmni);
	for (i = 0; i < ARRAY_SIZE(r->sem_ctls); i++)
		r->sem_ctls[i] = cpu_to_le32(ns->sem_ctls[i]);
	r->mq_queues_max = cpu_to_le32(ns->mq_queues_max);
	r->mq_msg_max = cpu_to_le32(ns->mq_msg_max);
	r->mq_msgsize_max = cpu_to_le32(ns->mq_msgsize_max);
	r->mq_msg_default = cpu_to_le32(ns->mq_msg_default);
	r->mq_msgsize_default = cpu_to_le32(ns->mq_msgsize_default);
}

static int ckpt_dump_ipcns(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_ipc_ns r = {};

	ckpt_ipc_ns_fill(obj->ptr, &r);
	return ckpt_write_record(ctx, CKPT_REC_IPC_NS, &r, sizeof(r), NULL, 0);
}

static const struct ckpt_obj_ops ckpt_ipcns_ops = {
	.type = CKPT_REC_IPC_NS,
	.err_kind = CKPT_OBJ_NAMESPACE,
	.global = true,
	.drop = ckpt_ipcns_drop,
	.collect = ckpt_collect_ipcns,
	.dump = ckpt_dump_ipcns,
};

static void ckpt_utsns_drop(void *ptr)
{
	put_uts_ns(ptr);
}

static int ckpt_dump_utsns(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct uts_namespace *ns = obj->ptr;
	struct ckpt_rec_uts_ns r = {};

	BUILD_BUG_ON(sizeof(r.nodename) != sizeof(ns->name.nodename) ||
		     sizeof(r.domainname) != sizeof(ns->name.domainname));
	down_read(&uts_sem);
	strscpy(r.nodename, ns->name.nodename, sizeof(r.nodename));
	strscpy(r.domainname, ns->name.domainname, sizeof(r.domainname));
	up_read(&uts_sem);
	return ckpt_write_record(ctx, CKPT_REC_UTS_NS, &r, sizeof(r), NULL, 0);
}

static const struct ckpt_obj_ops ckpt_utsns_ops = {
	.type = CKPT_REC_UTS_NS,
	.err_kind = CKPT_OBJ_NAMESPACE,
	.global = true,
	.drop = ckpt_utsns_drop,
	.dump = ckpt_dump_utsns,
};

/**
 * ckpt_collect_ns - collect the namespaces of the image and their objects
 * @ctx: checkpoint context whose tree was checked (every task is in the
 *	 top's ipc and uts namespaces)
 *
 * The ipc and uts namespaces of a container, when they are not the
 * caller's, are saved whole; in the caller's ipc namespace, the SysV
 * objects that the tasks can be found to use.
 * Return: 0 or an error, with the reason in the error record
 */
int ckpt_collect_ns(struct ckpt_ctx *ctx)
{
	struct nsproxy *mine = current->nsproxy;
	struct ipc_namespace *ipc;
	struct uts_namespace *uts;
	struct ckpt_obj *obj;
	int ret;

	if (!ckpt_task_ns(ctx->tasks[0].task, &ipc, &uts))
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
				"task exited during checkpoint");
	if (uts != mine->uts_ns) {
		ctx->ns_flags |= CKPT_TREE_UTSNS;
		obj = ckpt_obj_collect(ctx, &ckpt_utsns_ops, uts);
		if (IS_ERR(obj)) {
			put_ipc_ns(ipc);
			return PTR_ERR(obj);
		}
	} else {
		put_uts_ns(uts);
	}
	if (ipc == mine->ipc_ns) {
		ret = ckpt_sysv_collect_ns(ctx, ipc, false);
		put_ipc_ns(ipc);
		return ret;
	}
	ctx->ns_flags |= CKPT_TREE_IPCNS;
	return PTR_ERR_OR_ZERO(ckpt_obj_collect(ctx, &ckpt_ipcns_ops, ipc));
}

/**
 * ckpt_ns_clone_flags - the namespaces the top of a container is made in
 * @ctx: restart context, whose tree was read
 *
 * Return: CLONE_NEWIPC and CLONE_NEWUTS as the image asks
 */
unsigned long ckpt_ns_clone_flags(struct ckpt_ctx *ctx)
{
	return ((ctx->ns_flags & CKPT_TREE_IPCNS) ? CLONE_NEWIPC : 0) |
	       ((ctx->ns_flags & CKPT_TREE_UTSNS) ? CLONE_NEWUTS : 0);
}

/**
 * ckpt_ns_target - where the records before the first task go
 * @ctx: restart context
 * @top: the top task, as the caller sees its pid
 *
 * The namespaces of the top: new ones for a container that had its own,
 * else the caller's.
 * Return: 0, -ESRCH if the top is gone, -ENOMEM
 */
int ckpt_ns_target(struct ckpt_ctx *ctx, pid_t top)
{
	struct ckpt_ns_rst *rst;
	struct task_struct *t;
	bool ok;

	rst = kzalloc(sizeof(*rst), GFP_KERNEL_ACCOUNT);
	if (!rst)
		return -ENOMEM;
	ctx->ns = rst;
	t = find_get_task_by_vpid(top);
	if (!t)
		return -ESRCH;
	ok = ckpt_task_ns(t, &rst->ipc, &rst->uts);
	put_task_struct(t);
	if (!ok)
		return -ESRCH;
	/* made by clone(): never the caller's if the image has its own */
	if (WARN_ON_ONCE(((ctx->ns_flags & CKPT_TREE_IPCNS) &&
			  rst->ipc == current->nsproxy->ipc_ns) ||
			 ((ctx->ns_flags & CKPT_TREE_UTSNS) &&
			  rst->uts == current->nsproxy->uts_ns)))
		return -EINVAL;
	return 0;
}

/**
 * ckpt_target_ipc_ns - the ipc namespace restart makes IPC objects in
 * @ctx: restart context
 *
 * Return: the namespace (no new reference), or NULL if a new namespace's
 * limits were not restored yet (its CKPT_REC_IPC_NS comes first)
 */
struct ipc_namespace *ckpt_target_ipc_ns(struct ckpt_ctx *ctx)
{
	struct ckpt_ns_rst *rst = ctx->ns;

	if (!rst || ((ctx->ns_flags & CKPT_TREE_IPCNS) && !rst->ipc_done))
		return NULL;
	return rst->ipc;
}

/**
 * ckpt_ns_globals_done - the records before the first task were read
 * @ctx: restart context
 *
 * Return: 0, or -EINVAL if a namespace the tree announced was missing
 */
int ckpt_ns_globals_done(struct ckpt_ctx *ctx)
{
	struct ckpt_ns_rst *rst = ctx->ns;

	if (((ctx->ns_flags & CKPT_TREE_IPCNS) && !rst->ipc_done) ||
	    ((ctx->ns_flags & CKPT_TREE_UTSNS) && !rst->uts_done))
		return -EINVAL;
	return 0;
}

/**
 * ckpt_ns_free - drop the namespaces restart kept
 * @ctx: restart or checkpoint context
 */
void ckpt_ns_free(struct ckpt_ctx *ctx)
{
	struct ckpt_ns_rst *rst = ctx->ns;

	if (!rst)
		return;
	if (rst->ipc)
		put_ipc_ns(rst->ipc);
	if (rst->uts)
		put_uts_ns(rst->uts);
	kfree(rst);
	ctx->ns = NULL;
}

/* the values the sysctls of the namespace accept */
static int ckpt_ipc_ns_valid(const struct ckpt_rec_ipc_ns *r)
{
	u32 mni = ckpt_ipc_mni();
	int i;

	if (le32_to_cpu(r->shm_ctlmni) > mni ||
	    le32_to_cpu(r->shm_rmid_forced) > 1 ||
	    le32_to_cpu(r->msg_ctlmax) > INT_MAX ||
	    le32_to_cpu(r->msg_ctlmnb) > INT_MAX ||
	    le32_to_cpu(r->msg_ctlmni) > mni)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(r->sem_ctls); i++)
		if (le32_to_cpu(r->sem_ctls[i]) > INT_MAX)
			return -EINVAL;
	if (le32_to_cpu(r->sem_ctls[3]) > mni)
		return -EINVAL;
	if (le32_to_cpu(r->mq_queues_max) > INT_MAX ||
	    le32_to_cpu(r->mq_msg_max) < MIN_MSGMAX ||
	    le32_to_cpu(r->mq_msg_max) > HARD_MSGMAX ||
	    le32_to_cpu(r->mq_msg_default) < MIN_MSGMAX ||
	    le32_to_cpu(r->mq_msg_default) > HARD_MSGMAX ||
	    le32_to_cpu(r->mq_msgsize_max) < MIN_MSGSIZEMAX ||
	    le32_to_cpu(r->mq_msgsize_max) > HARD_MSGSIZEMAX ||
	    le32_to_cpu(r->mq_msgsize_default) < MIN_MSGSIZEMAX ||
	    le32_to_cpu(r->mq_msgsize_default) > HARD_MSGSIZEMAX)
		return -EINVAL;
	return 0;
}

/*
 * CKPT_REC_IPC_NS: the limits of the container's new ipc namespace.  The
 * sysctls of a namespace may be written by the root of its user namespace
 * (see ipc_permissions()); another caller may only keep the values the
 * new namespace has.
 */
static int ckpt_restore_ipc_ns(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_ns_rst *rst = ctx->ns;
	struct ckpt_rec_ipc_ns *r = rec, now = {};
	struct ipc_namespace *ns = rst->ipc;
	int i, ret;

	if (!(ctx->ns_flags & CKPT_TREE_IPCNS) || rst->ipc_done)
		return -EINVAL;
	ret = ckpt_ipc_ns_valid(r);
	if (ret)
		return ret;
	ckpt_ipc_ns_fill(ns, &now);
	now.h = r->h;
	if (memcmp(&now, r, sizeof(now)) &&
	    !uid_eq(current_euid(), make_kuid(ns->user_ns, 0)))
		return -EPERM;
	ns->shm_ctlmax = le64_to_cpu(r->shm_ctlmax);
	ns->shm_ctlall = le64_to_cpu(r->shm_ctlall);
	ns->shm_ctlmni = le32_to_cpu(r->shm_ctlmni);
	ns->shm_rmid_forced = le32_to_cpu(r->shm_rmid_forced);
	ns->msg_ctlmax = le32_to_cpu(r->msg_ctlmax);
	ns->msg_ctlmnb = le32_to_cpu(r->msg_ctlmnb);
	ns->msg_ctlmni = le32_to_cpu(r->msg_ctlmni);
	for (i = 0; i < ARRAY_SIZE(r->sem_ctls); i++)
		ns->sem_ctls[i] = le32_to_cpu(r->sem_ctls[i]);
	ns->mq_queues_max = le32_to_cpu(r->mq_queues_max);
	ns->mq_msg_max = le32_to_cpu(r->mq_msg_max);
	ns->mq_msgsize_max = le32_to_cpu(r->mq_msgsize_max);
	ns->mq_msg_default = le32_to_cpu(r->mq_msg_default);
	ns->mq_msgsize_default = le32_to_cpu(r->mq_msgsize_default);
	rst->ipc_done = true;
	return 0;
}

/*
 * CKPT_REC_UTS_NS: the names of the container's new uts namespace, as
 * sethostname() and setdomainname() set them.
 */
static int ckpt_restore_uts_ns(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_ns_rst *rst = ctx->ns;
	struct ckpt_rec_uts_ns *r = rec;
	struct uts_namespace *ns = rst->uts;

	if (!(ctx->ns_flags & CKPT_TREE_UTSNS) || rst->uts_done)
		return -EINVAL;
	if (!memchr(r->nodename, 0, sizeof(r->nodename)) ||
	    !memchr(r->domainname, 0, sizeof(r->domainname)) ||
	    !ckpt_zero(r->__pad, sizeof(r->__pad)))
		return -EINVAL;
	if (!ns_capable(ns->user_ns, CAP_SYS_ADMIN))
		return -EPERM;
	down_write(&uts_sem);
	memset(ns->name.nodename, 0, sizeof(ns->name.nodename));
	strscpy(ns->name.nodename, r->nodename, sizeof(ns->name.nodename));
	memset(ns->name.domainname, 0, sizeof(ns->name.domainname));
	strscpy(ns->name.domainname, r->domainname,
		sizeof(ns->name.domainname));
	up_write(&uts_sem);
	rst->uts_done = true;
	return 0;
}

/**
 * ckpt_ipc_write_msgs - write the messages of a queue
 * @ctx: checkpoint context
 * @buf: the copy of the queue's messages (struct ckpt_msg entries)
 * @len: its bytes
 * @nr: the number of messages
 *
 * One CKPT_REC_IPC_MSG record per message.
 * Return: 0, -EOPNOTSUPP (error record) for a message too large for a
 * record, or the error of writing
 */
int ckpt_ipc_write_msgs(struct ckpt_ctx *ctx, const void *buf, size_t len,
			unsigned long nr)
{
	const size_t max = CKPT_REC_MAX_LEN - sizeof(struct ckpt_rec_ipc_msg);
	const void *pos = buf;
	unsigned long i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		const struct ckpt_msg *m = pos;
		struct ckpt_rec_ipc_msg r = {
			.type = cpu_to_le64(m->type),
			.len = cpu_to_le64(m->len),
		};

		if (WARN_ON_ONCE(pos + sizeof(*m) + m->len > buf + len))
			return -EINVAL;
		if (m->len > max)
			return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
					"a message of %zu bytes is too large to save",
					m->len);
		ret = ckpt_write_record(ctx, CKPT_REC_IPC_MSG, &r, sizeof(r),
					m->text, m->len);
		pos += ALIGN(sizeof(*m) + m->len, 8);
		if (fatal_signal_pending(current))
			ret = -EINTR;
		cond_resched();
	}
	return ret;
}

/**
 * ckpt_ipc_read_msg - read the next message of a queue
 * @ctx: restart context
 * @type: set to its type (or priority)
 * @len: set to its length
 * @max: the largest length the queue takes
 *
 * Return: its text, kvmalloc()ed (kvfree() it), or an ERR_PTR(): -EINVAL
 * if the next record is no CKPT_REC_IPC_MSG or the message is too long
 */
void *ckpt_ipc_read_msg(struct ckpt_ctx *ctx, u64 *type, size_t *len,
			size_t max)
{
	struct ckpt_rec_ipc_msg *r;
	size_t rlen;
	void *text;

	r = ckpt_read_record(ctx, CKPT_REC_IPC_MSG, sizeof(*r),
			     sizeof(*r) + min_t(size_t, max,
						CKPT_REC_MAX_LEN - sizeof(*r)),
			     &rlen);
	if (IS_ERR(r))
		return r;
	*type = le64_to_cpu(r->type);
	*len = le64_to_cpu(r->len);
	if (*len != rlen - sizeof(*r)) {
		kvfree(r);
		return ERR_PTR(-EINVAL);
	}
	/* the text, where the record was */
	text = r;
	memmove(text, r->text, *len);
	return text;
}

static const struct ckpt_rec_ops ckpt_ns_records[] = {
	{
		.type = CKPT_REC_IPC_NS,
		.name = "IPC_NS",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_ipc_ns),
		.max_len = sizeof(struct ckpt_rec_ipc_ns),
		.restore = ckpt_restore_ipc_ns,
	},
	{
		.type = CKPT_REC_UTS_NS,
		.name = "UTS_NS",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_uts_ns),
		.max_len = sizeof(struct ckpt_rec_uts_ns),
		.restore = ckpt_restore_uts_ns,
	},
	{
		.type = CKPT_REC_IPC_MSG,
		.name = "IPC_MSG",
		.place = CKPT_PLACE_MEMBER,
		.min_len = sizeof(struct ckpt_rec_ipc_msg),
		.max_len = CKPT_REC_MAX_LEN,
	},
};

static int __init ckpt_ns_init(void)
{
	return ckpt_register_records(ckpt_ns_records,
				     ARRAY_SIZE(ckpt_ns_records));
}
core_initcall(ckpt_ns_init);
