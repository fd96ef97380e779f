// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of SysV IPC objects: what the three kinds share.
 * Included at the end of ipc/util.c.
 *
 * Checkpoint lists the objects of a namespace and holds each by a
 * reference; restart makes each again under its saved id, which
 * ipc_idr_alloc() takes from ipc_ids.next_id (as a write to
 * /proc/sys/kernel/shm_next_id would give it), when both the id and the
 * key are free.
 */

#include "checkpoint.h"

/**
 * ckpt_ipc_ids - the ids of the objects of one kind in a namespace
 * @ns: the namespace
 * @kind: CKPT_IPC_SEM, CKPT_IPC_MSG or CKPT_IPC_SHM
 * @nr: set to how many there are
 *
 * Return: a kvmalloc()ed array of the ids, or NULL for lack of memory
 */
int *ckpt_ipc_ids(struct ipc_namespace *ns, int kind, unsigned int *nr)
{
	struct ipc_ids *ids = &ns->ids[kind];
	struct kern_ipc_perm *perm;
	unsigned int n = 0;
	int *list, idx;

	down_read(&ids->rwsem);
	list = kvmalloc_array(max(ids->in_use, 1), sizeof(*list), GFP_KERNEL);
	if (list) {
		idr_for_each_entry(&ids->ipcs_idr, perm, idx)
			if (n < ids->in_use)
				list[n++] = perm->id;
	}
	up_read(&ids->rwsem);
	*nr = n;
	return list;
}

/**
 * ckpt_ipc_get - an object by id, with a reference
 * @ns: its namespace
 * @kind: its kind
 * @id: its id
 *
 * Return: the object, or ERR_PTR(-EINVAL) if there is none (any more)
 */
struct kern_ipc_perm *ckpt_ipc_get(struct ipc_namespace *ns, int kind, int id)
{
	struct kern_ipc_perm *perm;

	rcu_read_lock();
	perm = ipc_obtain_object_check(&ns->ids[kind], id);
	if (!IS_ERR(perm) && !ipc_rcu_getref(perm))
		perm = ERR_PTR(-EINVAL);
	rcu_read_unlock();
	return perm;
}

/**
 * ckpt_ipc_put - drop the reference that ckpt_ipc_get() took
 * @kind: the object's kind
 * @perm: the object
 */
void ckpt_ipc_put(int kind, struct kern_ipc_perm *perm)
{
	switch (kind) {
	case CKPT_IPC_SEM:
		ckpt_sem_put(perm);
		break;
	case CKPT_IPC_MSG:
		ckpt_msq_put(perm);
		break;
	case CKPT_IPC_SHM:
		ckpt_shm_put(perm);
		break;
	}
}

/**
 * ckpt_ipc_valid - whether an object is still in its namespace
 * @perm: the object, referenced
 */
bool ckpt_ipc_valid(struct kern_ipc_perm *perm)
{
	bool valid;

	rcu_read_lock();
	ipc_lock_object(perm);
	valid = ipc_valid_object(perm);
	ipc_unlock_object(perm);
	rcu_read_unlock();
	return valid;
}

/**
 * ckpt_ipc_set_owner - give an object its owner, creator and mode
 * @perm: the object
 * @uid: owner
 * @gid: its group
 * @cuid: creator
 * @cgid: its group
 * @mode: permission bits (0777); the other bits of the mode stay
 *
 * As IPC_SET does (with the creator too), under the object's lock.
 */
void ckpt_ipc_set_owner(struct kern_ipc_perm *perm, kuid_t uid, kgid_t gid,
			kuid_t cuid, kgid_t cgid, umode_t mode)
{
	rcu_read_lock();
	ipc_lock_object(perm);
	perm->uid = uid;
	perm->gid = gid;
	perm->cuid = cuid;
	perm->cgid = cgid;
	perm->mode = (perm->mode & ~0777) | (mode & 0777);
	ipc_unlock_object(perm);
	rcu_read_unlock();
}

/**
 * ckpt_ipc_mni - the highest number of objects of a kind (kernel.shmmni...)
 */
int ckpt_ipc_mni(void)
{
	return ipc_mni;
}

/**
 * ckpt_ipc_new - make an object under a chosen id
 * @ns: the namespace
 * @kind: its kind
 * @id: the id it must get
 * @params: the key, and what @getnew takes
 * @getnew: newseg(), newary() or newque()
 *
 * The object is made as ipcget() would, with the limits of the namespace
 * and the caller's credentials, and gets @id.
 * Return: 0, -EEXIST if the id or the key is in use, -EINVAL for an id
 * out of range, or the error of @getnew
 */
int ckpt_ipc_new(struct ipc_namespace *ns, int kind, int id,
		 struct ipc_params *params,
		 int (*getnew)(struct ipc_namespace *, struct ipc_params *))
{
	struct ipc_ids *ids = &ns->ids[kind];
	int ret;

	if (id < 0 || ipcid_to_idx(id) >= ipc_mni)
		return -EINVAL;
	down_write(&ids->rwsem);
	ret = -EEXIST;
	if (idr_find(&ids->ipcs_idr, ipcid_to_idx(id)))
		goto out;
	if (params->key != IPC_PRIVATE &&
	    rhashtable_lookup_fast(&ids->key_ht, &params->key, ipc_kht_params))
		goto out;
	ids->next_id = id;
	ret = getnew(ns, params);
	/* not taken if getnew() failed before it allocated the id */
	ids->next_id = -1;
	if (ret >= 0)
		ret = WARN_ON_ONCE(ret != id) ? -EINVAL : 0;
out:
	up_write(&ids->rwsem);
	return ret;
}
