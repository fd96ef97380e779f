// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of POSIX message queues.  Included at the end of
 * ipc/mqueue.c.
 *
 * A queue is read under its lock (attributes, messages in the order
 * mq_receive() takes them); restart makes it again in the mqueue file
 * system of an ipc namespace as mq_open(O_CREAT | O_EXCL) would, with the
 * limits of the namespace and of the caller (RLIMIT_MSGQUEUE), and sends
 * its messages back as mq_send() queues them.
 */

#include "checkpoint.h"

/**
 * ckpt_mq_ns - the ipc namespace of a message queue's file
 * @file: an open file
 *
 * Return: the namespace (no reference: the file holds its file system),
 * or NULL if @file is no message queue
 */
struct ipc_namespace *ckpt_mq_ns(struct file *file)
{
	if (file->f_op != &mqueue_file_operations)
		return NULL;
	return file_inode(file)->i_sb->s_fs_info;
}

/**
 * ckpt_mq_info - the attributes of a queue
 * @inode: the queue's inode
 * @info: filled in
 *
 * Return: 0, or -EINVAL if @inode is no message queue
 */
int ckpt_mq_info(struct inode *inode, struct ckpt_mq_info *info)
{
	struct mqueue_inode_info *mq = MQUEUE_I(inode);

	if (inode->i_fop != &mqueue_file_operations)
		return -EINVAL;
	spin_lock(&mq->lock);
	info->maxmsg = mq->attr.mq_maxmsg;
	info->msgsize = mq->attr.mq_msgsize;
	info->curmsgs = mq->attr.mq_curmsgs;
	info->notify = mq->notify_owner;
	spin_unlock(&mq->lock);
	return 0;
}

/**
 * ckpt_mq_copy - copy the messages of a queue, first to be received first
 * @inode: the queue's inode
 * @len: set to the bytes of the copy
 * @nr: set to the number of messages
 *
 * Return: a kvmalloc()ed copy (struct ckpt_msg entries, the type being
 * the priority), or an ERR_PTR()
 */
void *ckpt_mq_copy(struct inode *inode, size_t *len, unsigned long *nr)
{
	struct mqueue_inode_info *mq = MQUEUE_I(inode);
	struct posix_msg_tree_node *leaf;
	struct rb_node *node;
	struct msg_msg *msg;
	void *buf, *pos;
	size_t size;

	for (;;) {
		spin_lock(&mq->lock);
		size = ckpt_msgs_size(mq->qsize, mq->attr.mq_curmsgs);
		*nr = mq->attr.mq_curmsgs;
		spin_unlock(&mq->lock);
		buf = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
		if (!buf)
			return ERR_PTR(-ENOMEM);
		spin_lock(&mq->lock);
		if (*nr == mq->attr.mq_curmsgs &&
		    size == ckpt_msgs_size(mq->qsize, mq->attr.mq_curmsgs))
			break;
		spin_unlock(&mq->lock);
		kvfree(buf);
	}
	pos = buf;
	for (node = mq->msg_tree_rightmost; node; node = rb_prev(node)) {
		leaf = rb_entry(node, struct posix_msg_tree_node, rb_node);
		list_for_each_entry(msg, &leaf->msg_list, m_list)
			pos = ckpt_msg_put(pos, msg);
	}
	spin_unlock(&mq->lock);
	*len = pos - buf;
	return buf;
}

/**
 * ckpt_mq_list - the queues of an ipc namespace
 * @ns: the namespace
 * @nr: set to their number
 *
 * Return: a kvmalloc()ed array of their dentries, each with a reference,
 * or NULL for lack of memory
 */
struct dentry **ckpt_mq_list(struct ipc_namespace *ns, unsigned int *nr)
{
	struct dentry *root = ns->mq_mnt->mnt_root, *d, **list = NULL;
	unsigned int n, max = 0;

	inode_lock_shared(d_inode(root));
	for (;;) {
		n = 0;
		spin_lock(&root->d_lock);
		hlist_for_each_entry(d, &root->d_children, d_sib) {
			/* a child's lock nests in its parent's, as in d_walk() */
			spin_lock_nested(&d->d_lock, DENTRY_D_LOCK_NESTED);
			if (!d_really_is_negative(d) && d_is_reg(d)) {
				if (n < max)
					list[n] = dget_dlock(d);
				n++;
			}
			spin_unlock(&d->d_lock);
		}
		spin_unlock(&root->d_lock);
		if (list || !n)
			break;
		max = n;
		list = kvmalloc_array(max, sizeof(*list), GFP_KERNEL);
		if (!list)
			break;
	}
	inode_unlock_shared(d_inode(root));
	*nr = min(n, max);
	return list ?: (n ? NULL : ZERO_SIZE_PTR);
}

/**
 * ckpt_mq_create - make a message queue in an ipc namespace
 * @ns: the namespace
 * @name: its name, without a '/'
 * @mode: its permission bits
 * @maxmsg: mq_maxmsg
 * @msgsize: mq_msgsize
 * @unlinked: unlink it at once (it was unlinked while open)
 *
 * As mq_open(O_CREAT | O_EXCL) by the caller.
 * Return: its dentry in @ns's mqueue file system, with a reference, or an
 * ERR_PTR(): -EEXIST, and the errors of mq_open()
 */
struct dentry *ckpt_mq_create(struct ipc_namespace *ns, const char *name,
			      umode_t mode, long maxmsg, long msgsize,
			      bool unlinked)
{
	struct mq_attr attr = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	struct vfsmount *mnt = ns->mq_mnt;
	struct dentry *root = mnt->mnt_root, *dentry;
	int ret;

	ret = mnt_want_write(mnt);
	if (ret)
		return ERR_PTR(ret);
	/* the parent of what vfs_unlink() may lock, as mq_unlink() locks it */
	inode_lock_nested(d_inode(root), I_MUTEX_PARENT);
	dentry = lookup_one_len(name, root, strlen(name));
	if (IS_ERR(dentry))
		goto out;
	ret = d_really_is_positive(dentry) ? -EEXIST :
	      vfs_mkobj(dentry, mode, mqueue_create_attr, &attr);
	/*
	 * Under the directory's lock: nobody can open it by its name.  A
	 * second reference keeps the dentry positive, as an open file does.
	 */
	if (!ret && unlinked) {
		dget(dentry);
		ret = vfs_unlink(&nop_mnt_idmap, d_inode(root), dentry, NULL);
		dput(dentry);
	}
	if (ret) {
		dput(dentry);
		dentry = ERR_PTR(ret);
	}
out:
	inode_unlock(d_inode(root));
	mnt_drop_write(mnt);
	return dentry;
}

/**
 * ckpt_mq_send - append a message to a queue that restart made
 * @inode: the queue's inode
 * @prio: its priority
 * @text: its text, in kernel memory
 * @len: its length
 *
 * As mq_send() to a queue opened with O_NONBLOCK.
 * Return: 0, -EINVAL for a message that mq_send() refuses or that does not
 * fit (-EAGAIN there), -ENOMEM
 */
int ckpt_mq_send(struct inode *inode, unsigned int prio, const void *text,
		 size_t len)
{
	struct mqueue_inode_info *mq = MQUEUE_I(inode);
	struct posix_msg_tree_node *leaf = NULL;
	struct msg_msg *msg;
	int ret;

	if (inode->i_fop != &mqueue_file_operations || prio >= MQ_PRIO_MAX)
		return -EINVAL;
	msg = ckpt_load_msg(text, len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->m_type = prio;
	msg->m_ts = len;
	if (!mq->node_cache) {
		leaf = kmalloc(sizeof(*leaf), GFP_KERNEL);
		if (!leaf) {
			free_msg(msg);
			return -ENOMEM;
		}
	}
	spin_lock(&mq->lock);
	if (!mq->node_cache && leaf) {
		INIT_LIST_HEAD(&leaf->msg_list);
		mq->node_cache = leaf;
		leaf = NULL;
	}
	ret = -EINVAL;
	if (len <= mq->attr.mq_msgsize &&
	    mq->attr.mq_curmsgs < mq->attr.mq_maxmsg)
		ret = msg_insert(msg, mq);
	spin_unlock(&mq->lock);
	kfree(leaf);
	if (ret)
		free_msg(msg);
	return ret;
}
