// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of SysV semaphore sets and of the SEM_UNDO
 * adjustments of processes.  Included at the end of ipc/sem.c.
 *
 * A set is read and set whole under its global lock.  The undo list of a
 * task is copied (semid and adjustments of each entry) while the task is
 * held still; restart gives the restoring task an undo entry per set as
 * its first semop(SEM_UNDO) on the set would, with the saved adjustments,
 * which exit_sem() applies when the process exits.
 */

#include "checkpoint.h"

/**
 * ckpt_sem_put - drop a reference to a semaphore set
 * @perm: the set
 */
void ckpt_sem_put(struct kern_ipc_perm *perm)
{
	ipc_rcu_putref(perm, sem_rcu_free);
}

/**
 * ckpt_sem_nsems - the number of semaphores of a set
 * @perm: the set
 */
int ckpt_sem_nsems(struct kern_ipc_perm *perm)
{
	return container_of(perm, struct sem_array, sem_perm)->sem_nsems;
}

/**
 * ckpt_sem_info - the values of a set
 * @perm: the set
 * @info: its nsems, vals and pids (arrays of nsems entries) are given; the
 *	  pids get references that the caller drops
 *
 * Return: 0, -EIDRM if the set was removed, -EINVAL if nsems is not its
 */
int ckpt_sem_info(struct kern_ipc_perm *perm, struct ckpt_sem_info *info)
{
	struct sem_array *sma = container_of(perm, struct sem_array, sem_perm);
	int i;

	if (info->nsems != sma->sem_nsems)
		return -EINVAL;
	rcu_read_lock();
	sem_lock(sma, NULL, -1);
	if (!ipc_valid_object(perm)) {
		sem_unlock(sma, -1);
		rcu_read_unlock();
		return -EIDRM;
	}
	for (i = 0; i < sma->sem_nsems; i++) {
		info->vals[i] = sma->sems[i].semval;
		info->pids[i] = get_pid(sma->sems[i].sempid);
	}
	info->otime = get_semotime(sma);
	info->ctime = sma->sem_ctime;
	sem_unlock(sma, -1);
	rcu_read_unlock();
	return 0;
}

/**
 * ckpt_sem_users - the undo entries and sleepers a set has
 * @perm: the set
 *
 * Each process (or group sharing its undo list) that ever did a
 * semop(SEM_UNDO) on the set has an undo entry; each task sleeping in
 * semop() on it a queue entry.
 * Return: their number, or -EIDRM if the set was removed
 */
int ckpt_sem_users(struct kern_ipc_perm *perm)
{
	struct sem_array *sma = container_of(perm, struct sem_array, sem_perm);
	int i, n;

	rcu_read_lock();
	sem_lock(sma, NULL, -1);
	n = -EIDRM;
	if (ipc_valid_object(perm)) {
		n = list_count_nodes(&sma->list_id) +
		    list_count_nodes(&sma->pending_alter) +
		    list_count_nodes(&sma->pending_const);
		for (i = 0; i < sma->sem_nsems; i++)
			n += list_count_nodes(&sma->sems[i].pending_alter) +
			     list_count_nodes(&sma->sems[i].pending_const);
	}
	sem_unlock(sma, -1);
	rcu_read_unlock();
	return n;
}

/**
 * ckpt_sem_create - make a semaphore set under a chosen id
 * @ns: its namespace
 * @id: the id
 * @key: the key
 * @nsems: its number of semaphores
 *
 * With the limits of semget() (semmsl, semmns, semmni); the set belongs
 * to the caller, with mode 0, its values 0.
 * Return: the set with a reference, or an ERR_PTR(): -EEXIST, -EINVAL,
 * -ENOSPC
 */
struct kern_ipc_perm *ckpt_sem_create(struct ipc_namespace *ns, int id,
				      key_t key, int nsems)
{
	struct ipc_params params = { .key = key, .u.nsems = nsems };
	int ret;

	if (nsems <= 0 || nsems > ns->sc_semmsl)
		return ERR_PTR(-EINVAL);
	ret = ckpt_ipc_new(ns, CKPT_IPC_SEM, id, &params, newary);
	if (ret)
		return ERR_PTR(ret);
	return ckpt_ipc_get(ns, CKPT_IPC_SEM, id);
}

/**
 * ckpt_sem_set - give a set its saved values, pids and times
 * @perm: the set
 * @info: what to give it (nsems must be the set's); with vals NULL, only
 *	  the pids and times
 */
void ckpt_sem_set(struct kern_ipc_perm *perm, const struct ckpt_sem_info *info)
{
	struct sem_array *sma = container_of(perm, struct sem_array, sem_perm);
	int i;

	if (info->nsems != sma->sem_nsems)
		return;
	rcu_read_lock();
	sem_lock(sma, NULL, -1);
	for (i = 0; ipc_valid_object(perm) && i < sma->sem_nsems; i++) {
		if (info->vals)
			sma->sems[i].semval = info->vals[i];
		ipc_update_pid(&sma->sems[i].sempid,
			       info->pids ? info->pids[i] : NULL);
		sma->sems[i].sem_otime = i ? 0 : info->otime;
	}
	sma->sem_ctime = info->ctime;
	sem_unlock(sma, -1);
	rcu_read_unlock();
}

/**
 * ckpt_sem_remove - remove a set that a failed restart made
 * @ns: its namespace
 * @perm: the set
 */
void ckpt_sem_remove(struct ipc_namespace *ns, struct kern_ipc_perm *perm)
{
	struct sem_array *sma = container_of(perm, struct sem_array, sem_perm);

	down_write(&sem_ids(ns).rwsem);
	rcu_read_lock();
	sem_lock(sma, NULL, -1);
	if (ipc_valid_object(perm)) {
		freeary(ns, perm);
		/* for sparse: freeary() unlocked both */
		__release(&perm->lock);
		__release(RCU);
	} else {
		sem_unlock(sma, -1);
		rcu_read_unlock();
	}
	up_write(&sem_ids(ns).rwsem);
}

/**
 * ckpt_semundo_free - free what ckpt_semundo_get() returned
 * @u: the copy, or NULL
 */
void ckpt_semundo_free(struct ckpt_semundo *u)
{
	unsigned int i;

	if (!u)
		return;
	for (i = 0; i < u->nr; i++)
		kvfree(u->ent[i].adj);
	kvfree(u);
}

/* the semids of an undo list, live entries only */
static struct ckpt_semundo *ckpt_semundo_ids(struct sem_undo_list *ulp)
{
	struct ckpt_semundo *u;
	struct sem_undo *un;
	unsigned int n = 0, max = 0;

	for (;;) {
		u = kvzalloc(struct_size(u, ent, max), GFP_KERNEL);
		if (!u)
			return ERR_PTR(-ENOMEM);
		n = 0;
		rcu_read_lock();
		list_for_each_entry_rcu(un, &ulp->list_proc, list_proc) {
			int semid = READ_ONCE(un->semid);

			if (semid < 0)
				continue;
			if (n < max)
				u->ent[n].semid = semid;
			n++;
		}
		rcu_read_unlock();
		if (n <= max)
			break;
		kvfree(u);
		max = n;
	}
	u->nr = n;
	return u;
}

/**
 * ckpt_semundo_get - copy the SEM_UNDO adjustments of a task
 * @t: the task, held still (it cannot exit or change its list)
 *
 * Entries of sets that were removed are left out.
 * Return: the copy (free it with ckpt_semundo_free()), NULL if the task
 * has no undo list, or an ERR_PTR()
 */
struct ckpt_semundo *ckpt_semundo_get(struct task_struct *t)
{
	struct sem_undo_list *ulp;
	struct ipc_namespace *ns;
	struct ckpt_semundo *u;
	unsigned int i, n = 0;

	task_lock(t);
	ulp = t->sysvsem.undo_list;
	ns = t->nsproxy ? t->nsproxy->ipc_ns : NULL;
	task_unlock(t);
	if (!ulp || !ns)
		return NULL;
	u = ckpt_semundo_ids(ulp);
	if (IS_ERR(u))
		return u;
	u->ulp = ulp;
	u->users = refcount_read(&ulp->refcnt);
	for (i = 0; i < u->nr; i++) {
		struct kern_ipc_perm *perm;
		struct sem_array *sma;
		struct sem_undo *un;
		int semid = u->ent[i].semid;
		s16 *adj;

		perm = ckpt_ipc_get(ns, CKPT_IPC_SEM, semid);
		if (IS_ERR(perm))
			continue;
		sma = container_of(perm, struct sem_array, sem_perm);
		adj = kvcalloc(sma->sem_nsems, sizeof(*adj), GFP_KERNEL);
		if (!adj) {
			ckpt_sem_put(perm);
			u->nr = n;
			ckpt_semundo_free(u);
			return ERR_PTR(-ENOMEM);
		}
		un = NULL;
		rcu_read_lock();
		sem_lock(sma, NULL, -1);
		if (ipc_valid_object(perm)) {
			un = __lookup_undo(ulp, semid);
			if (un)
				memcpy(adj, un->semadj,
				       sma->sem_nsems * sizeof(*adj));
		}
		sem_unlock(sma, -1);
		rcu_read_unlock();
		if (un) {
			u->ent[n].semid = semid;
			u->ent[n].nsems = sma->sem_nsems;
			u->ent[n].adj = adj;
			n++;
		} else {
			kvfree(adj);
		}
		ckpt_sem_put(perm);
	}
	u->nr = n;
	return u;
}

/**
 * ckpt_semundo_set - give current the saved adjustments for a set
 * @perm: the set, restored in current's ipc namespace
 * @adj: the adjustments
 * @nsems: their number, the set's
 *
 * Return: 0, -EINVAL if the set is not current's or nsems is wrong,
 * -ENOMEM, -EIDRM
 */
int ckpt_semundo_set(struct kern_ipc_perm *perm, const s16 *adj, int nsems)
{
	struct sem_array *sma = container_of(perm, struct sem_array, sem_perm);
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct kern_ipc_perm *found;
	struct sem_undo *un;
	int ret = 0;

	if (nsems != sma->sem_nsems)
		return -EINVAL;
	found = ckpt_ipc_get(ns, CKPT_IPC_SEM, perm->id);
	if (IS_ERR(found))
		return -EINVAL;
	ckpt_sem_put(found);
	if (found != perm)
		return -EINVAL;
	un = find_alloc_undo(ns, perm->id);
	if (IS_ERR(un))
		return PTR_ERR(un);
	/* find_alloc_undo() returns in an RCU read-side section */
	__acquire(RCU);
	sem_lock(sma, NULL, -1);
	if (ipc_valid_object(perm) && un->semid == perm->id)
		memcpy(un->semadj, adj, nsems * sizeof(*adj));
	else
		ret = -EIDRM;
	sem_unlock(sma, -1);
	rcu_read_unlock();
	return ret;
}
