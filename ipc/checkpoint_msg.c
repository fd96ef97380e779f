// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of SysV message queues.  Included at the end of
 * ipc/msg.c.
 *
 * The messages of a queue are copied out under its lock, in the order
 * msgrcv() would take them (without a type), and sent back in that order
 * at restart, as msgsnd() queues them, with its limits.
 */

#include "checkpoint.h"

/**
 * ckpt_msq_put - drop a reference to a message queue
 * @perm: the queue
 */
void ckpt_msq_put(struct kern_ipc_perm *perm)
{
	ipc_rcu_putref(perm, msg_rcu_free);
}

/**
 * ckpt_msq_info - the state of a queue
 * @perm: the queue
 * @info: filled in; its pids hold references that the caller drops
 *
 * Return: 0, or -EIDRM if the queue was removed
 */
int ckpt_msq_info(struct kern_ipc_perm *perm, struct ckpt_msq_info *info)
{
	struct msg_queue *msq = container_of(perm, struct msg_queue, q_perm);

	memset(info, 0, sizeof(*info));
	rcu_read_lock();
	ipc_lock_object(perm);
	if (!ipc_valid_object(perm)) {
		ipc_unlock_object(perm);
		rcu_read_unlock();
		return -EIDRM;
	}
	info->qbytes = msq->q_qbytes;
	info->cbytes = msq->q_cbytes;
	info->qnum = msq->q_qnum;
	info->stime = msq->q_stime;
	info->rtime = msq->q_rtime;
	info->ctime = msq->q_ctime;
	info->lspid = get_pid(msq->q_lspid);
	info->lrpid = get_pid(msq->q_lrpid);
	info->waiters = list_count_nodes(&msq->q_receivers) +
			list_count_nodes(&msq->q_senders);
	ipc_unlock_object(perm);
	rcu_read_unlock();
	return 0;
}

/**
 * ckpt_msq_copy - copy the messages of a queue
 * @perm: the queue
 * @len: set to the bytes of the copy
 * @nr: set to the number of messages
 *
 * Return: a kvmalloc()ed copy (struct ckpt_msg entries), or an ERR_PTR()
 */
void *ckpt_msq_copy(struct kern_ipc_perm *perm, size_t *len,
		    unsigned long *nr)
{
	struct msg_queue *msq = container_of(perm, struct msg_queue, q_perm);
	struct msg_msg *msg;
	void *buf, *pos;
	size_t size;

	for (;;) {
		rcu_read_lock();
		ipc_lock_object(perm);
		size = ckpt_msgs_size(msq->q_cbytes, msq->q_qnum);
		*nr = msq->q_qnum;
		ipc_unlock_object(perm);
		rcu_read_unlock();
		buf = kvmalloc(max_t(size_t, size, 1), GFP_KERNEL);
		if (!buf)
			return ERR_PTR(-ENOMEM);
		rcu_read_lock();
		ipc_lock_object(perm);
		/* the same messages: the tasks that use the queue are held */
		if (*nr == msq->q_qnum &&
		    size == ckpt_msgs_size(msq->q_cbytes, msq->q_qnum))
			break;
		ipc_unlock_object(perm);
		rcu_read_unlock();
		kvfree(buf);
	}
	pos = buf;
	if (ipc_valid_object(perm)) {
		list_for_each_entry(msg, &msq->q_messages, m_list)
			pos = ckpt_msg_put(pos, msg);
	}
	ipc_unlock_object(perm);
	rcu_read_unlock();
	*len = pos - buf;
	return buf;
}

/**
 * ckpt_msq_create - make a message queue under a chosen id
 * @ns: its namespace
 * @id: the id
 * @key: the key
 *
 * With the limit of msgget() (msgmni); the queue belongs to the caller,
 * with mode 0 and the namespace's msgmnb as its size.
 * Return: the queue with a reference, or an ERR_PTR(): -EEXIST, -EINVAL,
 * -ENOSPC
 */
struct kern_ipc_perm *ckpt_msq_create(struct ipc_namespace *ns, int id,
				      key_t key)
{
	struct ipc_params params = { .key = key };
	int ret;

	ret = ckpt_ipc_new(ns, CKPT_IPC_MSG, id, &params, newque);
	if (ret)
		return ERR_PTR(ret);
	return ckpt_ipc_get(ns, CKPT_IPC_MSG, id);
}

/**
 * ckpt_msq_send - append a message to a queue that restart made
 * @ns: the queue's namespace
 * @perm: the queue
 * @type: its type, > 0
 * @text: its text, in kernel memory
 * @len: its length
 *
 * As msgsnd() with IPC_NOWAIT: at most msgmax bytes, and the message must
 * fit in the queue (msg_qbytes).
 * Return: 0, -EINVAL for a message msgsnd() refuses or one that does not
 * fit, -ENOMEM, -EIDRM
 */
int ckpt_msq_send(struct ipc_namespace *ns, struct kern_ipc_perm *perm,
		  long type, const void *text, size_t len)
{
	struct msg_queue *msq = container_of(perm, struct msg_queue, q_perm);
	struct msg_msg *msg;
	int ret;

	if (type < 1 || len > ns->msg_ctlmax)
		return -EINVAL;
	msg = ckpt_load_msg(text, len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->m_type = type;
	msg->m_ts = len;
	rcu_read_lock();
	ipc_lock_object(perm);
	ret = ipc_valid_object(perm) ? 0 : -EIDRM;
	if (!ret)
		ret = security_msg_queue_msgsnd(perm, msg, IPC_NOWAIT);
	if (!ret && !msg_fits_inqueue(msq, len))
		ret = -EINVAL;
	if (!ret) {
		list_add_tail(&msg->m_list, &msq->q_messages);
		msq->q_cbytes += len;
		msq->q_qnum++;
		percpu_counter_add_local(&ns->percpu_msg_bytes, len);
		percpu_counter_add_local(&ns->percpu_msg_hdrs, 1);
		msg = NULL;
	}
	ipc_unlock_object(perm);
	rcu_read_unlock();
	if (msg)
		free_msg(msg);
	return ret;
}

/**
 * ckpt_msq_set - give a queue its saved size, times and pids
 * @perm: the queue
 * @info: what to give it; cbytes, qnum and waiters are not used
 */
void ckpt_msq_set(struct kern_ipc_perm *perm, const struct ckpt_msq_info *info)
{
	struct msg_queue *msq = container_of(perm, struct msg_queue, q_perm);

	rcu_read_lock();
	ipc_lock_object(perm);
	if (ipc_valid_object(perm)) {
		msq->q_qbytes = info->qbytes;
		msq->q_stime = info->stime;
		msq->q_rtime = info->rtime;
		msq->q_ctime = info->ctime;
		ipc_update_pid(&msq->q_lspid, info->lspid);
		ipc_update_pid(&msq->q_lrpid, info->lrpid);
	}
	ipc_unlock_object(perm);
	rcu_read_unlock();
}

/**
 * ckpt_msq_remove - remove a queue that a failed restart made
 * @ns: its namespace
 * @perm: the queue
 */
void ckpt_msq_remove(struct ipc_namespace *ns, struct kern_ipc_perm *perm)
{
	down_write(&msg_ids(ns).rwsem);
	rcu_read_lock();
	ipc_lock_object(perm);
	if (ipc_valid_object(perm)) {
		freeque(ns, perm);	/* unlocks both */
	} else {
		ipc_unlock_object(perm);
		rcu_read_unlock();
	}
	up_write(&msg_ids(ns).rwsem);
}
