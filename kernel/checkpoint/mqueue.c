// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: POSIX message queues (CKPT_REC_MQUEUE, open files of
 * type CKPT_FILE_MQUEUE).
 *
 * A queue is saved with its name, owner, mode, attributes and messages:
 * every queue of a container's own ipc namespace, and in the caller's
 * namespace those the tasks hold open.  It comes after the tree, before
 * the first task.  Restart makes it again in the mqueue file system of
 * the top task's ipc namespace, as mq_open(O_CREAT | O_EXCL) by the caller
 * would (EEXIST if the name is taken; the namespace's queues_max,
 * msg_max and msgsize_max and the caller's RLIMIT_MSGQUEUE apply), sends
 * its messages again, and opens the files of the image on it.  A queue
 * that was unlinked while open is made and unlinked at once.
 *
 * A registration with mq_notify() is refused: its notification (a signal
 * or a thread to start, a netlink socket) is not saved.
 */

#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <uapi/linux/mqueue.h>

#include <linux/checkpoint.h>

#include "internal.h"

static const struct ckpt_obj_ops ckpt_mqueue_ops;

/* ---------------------------------------------------------- checkpoint */

static void ckpt_mqueue_drop(void *ptr)
{
	iput(ptr);
}

/**
 * ckpt_mq_collect_ns - collect every queue of an ipc namespace
 * @ctx: checkpoint context
 * @ns: the container's own namespace
 *
 * Return: 0 or -ENOMEM
 */
int ckpt_mq_collect_ns(struct ckpt_ctx *ctx, struct ipc_namespace *ns)
{
	struct dentry **list;
	unsigned int i, nr;
	int ret = 0;

	list = ckpt_mq_list(ns, &nr);
	if (!list)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct inode *inode = d_inode(list[i]);
		struct ckpt_obj *obj;

		if (!ret) {
			ihold(inode);
			obj = ckpt_obj_collect(ctx, &ckpt_mqueue_ops, inode);
			ret = PTR_ERR_OR_ZERO(obj);
		}
		dput(list[i]);
	}
	kvfree(list);
	return ret;
}

/**
 * ckpt_mq_collect_file - collect the queue an open file is of
 * @ctx: checkpoint context, collecting the files of ctx->cur
 * @file: the file
 *
 * Return: the queue's object, NULL if @file is no message queue, or an
 * ERR_PTR() with the reason in the error record
 */
struct ckpt_obj *ckpt_mq_collect_file(struct ckpt_ctx *ctx, struct file *file)
{
	struct ipc_namespace *ns = ckpt_mq_ns(file);
	struct task_struct *t = ctx->cur->task;
	bool mine;

	if (!ns)
		return NULL;
	task_lock(t);
	mine = t->nsproxy && t->nsproxy->ipc_ns == ns;
	task_unlock(t);
	if (!mine)
		return ERR_PTR(ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
					"POSIX message queue %pD of another ipc namespace",
					file));
	ihold(file_inode(file));
	return ckpt_obj_collect(ctx, &ckpt_mqueue_ops, file_inode(file));
}

/**
 * ckpt_mq_file_ref - the object id of the queue of an open file
 * @ctx: checkpoint context
 * @file: a file collected by ckpt_mq_collect_file()
 *
 * Return: the id, or 0 if @file is no message queue
 */
u32 ckpt_mq_file_ref(struct ckpt_ctx *ctx, struct file *file)
{
	struct ckpt_obj *obj;

	if (!ckpt_mq_ns(file))
		return 0;
	obj = ckpt_obj_find(ctx, file_inode(file));
	return obj && obj->ops == &ckpt_mqueue_ops ? obj->ref : 0;
}

/* the name of the queue (in ctx->pathbuf) and whether it was unlinked */
static u32 ckpt_mq_name(struct ckpt_ctx *ctx, struct inode *inode,
			bool *unlinked)
{
	struct dentry *d = d_find_any_alias(inode);
	u32 len = 1;

	ctx->pathbuf[0] = 0;
	*unlinked = true;
	if (d) {
		spin_lock(&d->d_lock);
		len = strscpy(ctx->pathbuf, d->d_name.name, NAME_MAX + 1) + 1;
		spin_unlock(&d->d_lock);
		*unlinked = d_unlinked(d);
		dput(d);
	}
	return max(len, 1U);
}

static int ckpt_mqueue_dump(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_rec_mqueue r = { .objref = cpu_to_le32(obj->ref) };
	struct user_namespace *uns = current_user_ns();
	struct inode *inode = obj->ptr;
	struct ckpt_mq_info info;
	unsigned long nr;
	bool unlinked;
	size_t len;
	void *msgs;
	u32 name_len;
	int ret;

	ret = ckpt_mq_info(inode, &info);
	if (ret)
		return ret;
	name_len = ckpt_mq_name(ctx, inode, &unlinked);
	if (info.notify)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
				"POSIX message queue /%s: mq_notify() registration is not supported",
				ctx->pathbuf);
	msgs = ckpt_mq_copy(inode, &len, &nr);
	if (IS_ERR(msgs))
		return PTR_ERR(msgs);
	r.flags = cpu_to_le32(unlinked ? CKPT_MQ_UNLINKED : 0);
	r.uid = cpu_to_le32(from_kuid_munged(uns, inode->i_uid));
	r.gid = cpu_to_le32(from_kgid_munged(uns, inode->i_gid));
	r.mode = cpu_to_le32(inode->i_mode & 0777);
	r.name_len = cpu_to_le32(name_len);
	r.maxmsg = cpu_to_le64(info.maxmsg);
	r.msgsize = cpu_to_le64(info.msgsize);
	r.nr_msgs = cpu_to_le64(nr);
	ret = ckpt_write_record(ctx, CKPT_REC_MQUEUE, &r, sizeof(r),
				ctx->pathbuf, name_len);
	if (!ret)
		ret = ckpt_ipc_write_msgs(ctx, msgs, len, nr);
	kvfree(msgs);
	return ret;
}

/* ------------------------------------------------------------- restart */

/* a queue that restart made */
struct ckpt_mq_rst {
	struct ipc_namespace *ns;	/* a reference */
	struct path path;		/* in its mqueue file system */
	bool unlinked;
	bool done;			/* complete: it stays */
};

/* a failed restart: unlink the queue again, if it still has its name */
static void ckpt_mq_unlink(struct ckpt_mq_rst *rst)
{
	struct dentry *root = rst->path.mnt->mnt_root;

	if (mnt_want_write(rst->path.mnt))
		return;
	inode_lock_nested(d_inode(root), I_MUTEX_PARENT);
	if (!d_unhashed(rst->path.dentry) &&
	    d_really_is_positive(rst->path.dentry))
		vfs_unlink(&nop_mnt_idmap, d_inode(root), rst->path.dentry,
			   NULL);
	inode_unlock(d_inode(root));
	mnt_drop_write(rst->path.mnt);
}

static void ckpt_mqueue_release(struct ckpt_obj *obj)
{
	struct ckpt_mq_rst *rst = obj->ptr;

	if (rst->path.dentry) {
		if (!rst->done && !rst->unlinked)
			ckpt_mq_unlink(rst);
		path_put(&rst->path);
	}
	put_ipc_ns(rst->ns);
	kfree(rst);
}

static int ckpt_mqueue_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_mq_rst *rst = obj->ptr;

	rst->done = true;
	return 0;
}

/* one rule per errno */
static int ckpt_mqueue_rec_valid(const struct ckpt_rhdr *h,
				 const struct ckpt_rec_mqueue *r,
				 kuid_t *uid, kgid_t *gid)
{
	struct user_namespace *ns = current_user_ns();
	u32 name_len = le32_to_cpu(r->name_len);
	u64 maxmsg = le64_to_cpu(r->maxmsg), msgsize = le64_to_cpu(r->msgsize);

	if (h->len != sizeof(*r) + name_len ||
	    (le32_to_cpu(r->flags) & ~CKPT_MQ_UNLINKED) ||
	    (le32_to_cpu(r->mode) & ~0777))
		return -EINVAL;
	if (!maxmsg || maxmsg > LONG_MAX || !msgsize || msgsize > LONG_MAX ||
	    le64_to_cpu(r->nr_msgs) > maxmsg)
		return -EINVAL;
	if (!ckpt_valid_str(r->name, name_len, NAME_MAX + 1) ||
	    name_len == 1 || strchr(r->name, '/'))
		return -EINVAL;
	*uid = make_kuid(ns, le32_to_cpu(r->uid));
	*gid = make_kgid(ns, le32_to_cpu(r->gid));
	if (!uid_valid(*uid) || !gid_valid(*gid))
		return -EINVAL;
	if (!ckpt_may_own(current_cred(), *uid, *gid))
		return -EPERM;
	return 0;
}

/*
 * CKPT_REC_MQUEUE: a queue in the target ipc namespace, with its owner,
 * mode and the messages that follow.
 */
static int ckpt_restore_mqueue(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	struct ipc_namespace *ns = ckpt_target_ipc_ns(ctx);
	struct ckpt_rec_mqueue *r = rec;
	struct ckpt_mq_rst *rst;
	struct dentry *dentry;
	struct inode *inode;
	struct ckpt_obj *obj;
	u64 i, nr = le64_to_cpu(r->nr_msgs);
	kuid_t uid;
	kgid_t gid;
	int ret;

	ret = ckpt_mqueue_rec_valid(h, r, &uid, &gid);
	if (ret)
		return ret;
	if (!ns)
		return -EINVAL;
	rst = kzalloc(sizeof(*rst), GFP_KERNEL_ACCOUNT);
	if (!rst)
		return -ENOMEM;
	rst->ns = get_ipc_ns(ns);
	rst->unlinked = le32_to_cpu(r->flags) & CKPT_MQ_UNLINKED;
	obj = ckpt_obj_add(ctx, le32_to_cpu(r->objref), &ckpt_mqueue_ops, rst, 0);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	dentry = ckpt_mq_create(ns, r->name, le32_to_cpu(r->mode),
				le64_to_cpu(r->maxmsg), le64_to_cpu(r->msgsize),
				rst->unlinked);
	if (IS_ERR(dentry))
		return PTR_ERR(dentry);
	rst->path.mnt = mntget(ns->mq_mnt);
	rst->path.dentry = dentry;
	inode = d_inode(dentry);
	inode_lock(inode);
	inode->i_uid = uid;
	inode->i_gid = gid;
	inode_unlock(inode);
	for (i = 0; i < nr && !ret; i++) {
		size_t len;
		u64 prio;
		void *text;

		text = ckpt_ipc_read_msg(ctx, &prio, &len,
					 le64_to_cpu(r->msgsize));
		if (IS_ERR(text))
			return PTR_ERR(text);
		ret = prio >= MQ_PRIO_MAX ? -EINVAL :
		      ckpt_mq_send(inode, prio, text, len);
		kvfree(text);
	}
	return ret;
}

/**
 * ckpt_mq_open - open a queue that restart made
 * @ctx: restart context
 * @ref: its object id
 * @f_flags: the open flags of the file
 *
 * Return: the file, or an ERR_PTR()
 */
struct file *ckpt_mq_open(struct ckpt_ctx *ctx, u32 ref, u32 f_flags)
{
	struct ckpt_mq_rst *rst = ckpt_obj_get(ctx, ref, &ckpt_mqueue_ops);

	if (IS_ERR(rst))
		return ERR_CAST(rst);
	if ((f_flags & O_ACCMODE) == O_ACCMODE ||
	    (f_flags & (O_DIRECTORY | O_PATH)))
		return ERR_PTR(-EINVAL);
	/* a new object of the image's own: no permission to check */
	return dentry_open(&rst->path, f_flags, current_cred());
}

static const struct ckpt_obj_ops ckpt_mqueue_ops = {
	.type = CKPT_REC_MQUEUE,
	.err_kind = CKPT_OBJ_IPC,
	.global = true,
	.drop = ckpt_mqueue_drop,
	.dump = ckpt_mqueue_dump,
	.release = ckpt_mqueue_release,
	.finish = ckpt_mqueue_finish,
};

static const struct ckpt_rec_ops ckpt_mqueue_records[] = {
	{
		.type = CKPT_REC_MQUEUE,
		.name = "MQUEUE",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_mqueue),
		.max_len = sizeof(struct ckpt_rec_mqueue) + NAME_MAX + 1,
		.restore = ckpt_restore_mqueue,
	},
};

static int __init ckpt_mqueue_init(void)
{
	return ckpt_register_records(ckpt_mqueue_records,
				     ARRAY_SIZE(ckpt_mqueue_records));
}
core_initcall(ckpt_mqueue_init);
