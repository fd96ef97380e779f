// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart of SysV shared memory segments.  Included at the end
 * of ipc/shm.c.
 *
 * Checkpoint reads a segment's state and hands out its shmem file, whose
 * pages kernel/checkpoint/ streams as it does those of any shared memory.
 * Restart makes the segment again (newseg(), under its saved id), fills
 * it, and attaches it where each task had it through files made as
 * shmat() makes them; a segment that was marked for removal is marked
 * again once every task is back, and goes away with its last detach.
 */

#include "checkpoint.h"

/**
 * ckpt_shm_put - drop a reference to a segment
 * @perm: the segment
 */
void ckpt_shm_put(struct kern_ipc_perm *perm)
{
	ipc_rcu_putref(perm, shm_rcu_free);
}

/**
 * ckpt_shm_is_attach - whether a file is the file of an attach (shmat())
 * @file: the file of a mapping
 */
bool ckpt_shm_is_attach(struct file *file)
{
	return file->f_op == &shm_file_operations ||
	       file->f_op == &shm_file_operations_huge;
}

/**
 * ckpt_shm_of_file - the segment an attach maps
 * @file: the file of a mapping
 * @ns: set to the segment's namespace (no reference: the file holds one)
 *
 * Return: the segment with a reference, NULL if @file is no attach of a
 * segment, or ERR_PTR(-EIDRM) if the segment was destroyed
 */
struct kern_ipc_perm *ckpt_shm_of_file(struct file *file,
				       struct ipc_namespace **ns)
{
	struct shm_file_data *sfd;
	struct shmid_kernel *shp;
	struct kern_ipc_perm *perm;

	if (!ckpt_shm_is_attach(file))
		return NULL;
	sfd = shm_file_data(file);
	*ns = sfd->ns;
	perm = ckpt_ipc_get(sfd->ns, CKPT_IPC_SHM, sfd->id);
	if (IS_ERR(perm))
		return ERR_PTR(-EIDRM);
	shp = container_of(perm, struct shmid_kernel, shm_perm);
	/* the id may have been reused by another segment */
	if (READ_ONCE(shp->shm_file) != sfd->file) {
		ckpt_shm_put(perm);
		return ERR_PTR(-EIDRM);
	}
	return perm;
}

/**
 * ckpt_shm_info - the state of a segment
 * @perm: the segment
 * @info: filled in; its pids and file hold references the caller drops
 *
 * Return: 0, or -EIDRM if the segment was destroyed
 */
int ckpt_shm_info(struct kern_ipc_perm *perm, struct ckpt_shm_info *info)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);

	memset(info, 0, sizeof(*info));
	rcu_read_lock();
	ipc_lock_object(perm);
	if (!ipc_valid_object(perm)) {
		ipc_unlock_object(perm);
		rcu_read_unlock();
		return -EIDRM;
	}
	info->size = shp->shm_segsz;
	info->nattch = shp->shm_nattch;
	info->atime = shp->shm_atim;
	info->dtime = shp->shm_dtim;
	info->ctime = shp->shm_ctim;
	info->cpid = get_pid(shp->shm_cprid);
	info->lpid = get_pid(shp->shm_lprid);
	info->file = get_file(shp->shm_file);
	info->dest = perm->mode & SHM_DEST;
	info->locked = perm->mode & SHM_LOCKED;
	ipc_unlock_object(perm);
	rcu_read_unlock();
	info->huge = is_file_hugepages(info->file);
	if (!info->huge)
		info->noreserve = SHMEM_I(file_inode(info->file))->flags &
				  VM_NORESERVE;
	return 0;
}

/**
 * ckpt_shm_nattch - how many mappings a segment has, in all processes
 * @perm: the segment
 */
unsigned long ckpt_shm_nattch(struct kern_ipc_perm *perm)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);
	unsigned long n;

	rcu_read_lock();
	ipc_lock_object(perm);
	n = shp->shm_nattch;
	ipc_unlock_object(perm);
	rcu_read_unlock();
	return n;
}

/**
 * ckpt_shm_create - make a segment under a chosen id
 * @ns: its namespace
 * @id: the id
 * @key: the key, IPC_PRIVATE or one that no segment of @ns has
 * @size: its size, within the namespace's limits
 * @noreserve: SHM_NORESERVE
 * @file: set to its shmem file, with a reference
 *
 * The segment belongs to the caller, with mode 0, as shmget() would make
 * it; the caller then gives it its owner and mode.
 * Return: the segment with a reference, or an ERR_PTR(): -EEXIST if the
 * id or the key is taken, the errors of shmget() (-EINVAL over shmmax,
 * -ENOSPC over shmall or shmmni)
 */
struct kern_ipc_perm *ckpt_shm_create(struct ipc_namespace *ns, int id,
				      key_t key, size_t size, bool noreserve,
				      struct file **file)
{
	struct ipc_params params = {
		.key = key,
		.flg = noreserve ? SHM_NORESERVE : 0,
		.u.size = size,
	};
	struct kern_ipc_perm *perm;
	int ret;

	ret = ckpt_ipc_new(ns, CKPT_IPC_SHM, id, &params, newseg);
	if (ret)
		return ERR_PTR(ret);
	perm = ckpt_ipc_get(ns, CKPT_IPC_SHM, id);
	if (IS_ERR(perm))
		return perm;
	rcu_read_lock();
	ipc_lock_object(perm);
	*file = NULL;
	if (ipc_valid_object(perm))
		*file = get_file(container_of(perm, struct shmid_kernel,
					      shm_perm)->shm_file);
	ipc_unlock_object(perm);
	rcu_read_unlock();
	if (!*file) {
		ckpt_shm_put(perm);
		return ERR_PTR(-EIDRM);
	}
	return perm;
}

/**
 * ckpt_shm_lock - SHM_LOCK a segment made by ckpt_shm_create()
 * @perm: the segment
 *
 * With the checks of shmctl(SHM_LOCK) for its creator: CAP_IPC_LOCK, or
 * a RLIMIT_MEMLOCK that the locked size fits in.
 * Return: 0 or -EPERM, -ENOMEM, -EIDRM
 */
int ckpt_shm_lock(struct kern_ipc_perm *perm)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);
	struct ucounts *ucounts = current_ucounts();
	int ret;

	ret = security_shm_shmctl(perm, SHM_LOCK);
	if (ret)
		return ret;
	rcu_read_lock();
	ipc_lock_object(perm);
	ret = -EIDRM;
	if (!ipc_valid_object(perm))
		goto out;
	ret = -EPERM;
	if (!ns_capable(shp->ns->user_ns, CAP_IPC_LOCK) &&
	    !rlimit(RLIMIT_MEMLOCK))
		goto out;
	ret = 0;
	if (is_file_hugepages(shp->shm_file) || (perm->mode & SHM_LOCKED))
		goto out;
	ret = shmem_lock(shp->shm_file, 1, ucounts);
	if (!ret) {
		perm->mode |= SHM_LOCKED;
		shp->mlock_ucounts = ucounts;
	}
out:
	ipc_unlock_object(perm);
	rcu_read_unlock();
	return ret;
}

/**
 * ckpt_shm_set - give a segment its saved times and pids
 * @perm: the segment
 * @info: its size, nattch, file and flags are not used
 */
void ckpt_shm_set(struct kern_ipc_perm *perm, const struct ckpt_shm_info *info)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);

	rcu_read_lock();
	ipc_lock_object(perm);
	shp->shm_atim = info->atime;
	shp->shm_dtim = info->dtime;
	shp->shm_ctim = info->ctime;
	ipc_update_pid(&shp->shm_cprid, info->cpid);
	ipc_update_pid(&shp->shm_lprid, info->lpid);
	ipc_unlock_object(perm);
	rcu_read_unlock();
}

/**
 * ckpt_shm_attach - a file to map a segment with, as shmat() makes one
 * @perm: the segment
 * @rw: for reading and writing, else read-only (SHM_RDONLY)
 *
 * Each mmap() of the file is one attach (shm_nattch); the mappings of one
 * file are detached together by shmdt().
 * Return: the file, or an ERR_PTR()
 */
struct file *ckpt_shm_attach(struct kern_ipc_perm *perm, bool rw)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);
	struct shm_file_data *sfd;
	struct file *base, *file;

	rcu_read_lock();
	ipc_lock_object(perm);
	base = ipc_valid_object(perm) ? get_file(shp->shm_file) : NULL;
	ipc_unlock_object(perm);
	rcu_read_unlock();
	if (!base)
		return ERR_PTR(-EIDRM);
	sfd = kzalloc(sizeof(*sfd), GFP_KERNEL);
	if (!sfd) {
		fput(base);
		return ERR_PTR(-ENOMEM);
	}
	file = alloc_file_clone(base, rw ? O_RDWR : O_RDONLY,
				is_file_hugepages(base) ?
				&shm_file_operations_huge :
				&shm_file_operations);
	if (IS_ERR(file)) {
		kfree(sfd);
		fput(base);
		return file;
	}
	sfd->id = perm->id;
	sfd->ns = get_ipc_ns(shp->ns);
	sfd->file = base;
	sfd->vm_ops = NULL;
	file->private_data = sfd;
	return file;
}

/**
 * ckpt_shm_done - the last step for a restored segment
 * @perm: the segment
 * @dest: it was marked for removal (IPC_RMID)
 *
 * A segment marked for removal is marked again, or destroyed now if
 * nothing maps it.  The segment is left without a creator, as if its
 * creator had exited (with kernel.shm_rmid_forced, the next write of that
 * sysctl then removes it if nothing maps it).
 */
void ckpt_shm_done(struct kern_ipc_perm *perm, bool dest)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);
	struct ipc_namespace *ns = shp->ns;

	down_write(&shm_ids(ns).rwsem);
	rcu_read_lock();
	ipc_lock_object(perm);
	if (ipc_valid_object(perm))
		shm_clist_rm(shp);
	if (ipc_valid_object(perm) && dest) {
		do_shm_rmid(ns, perm);
		/* for sparse: do_shm_rmid() unlocked both */
		__release(&perm->lock);
		__release(RCU);
	} else {
		ipc_unlock_object(perm);
		rcu_read_unlock();
	}
	up_write(&shm_ids(ns).rwsem);
}

/**
 * ckpt_shm_remove - remove a segment that a failed restart made
 * @perm: the segment
 *
 * As IPC_RMID: it goes now, or with its last detach.
 */
void ckpt_shm_remove(struct kern_ipc_perm *perm)
{
	struct shmid_kernel *shp = container_of(perm, struct shmid_kernel,
						shm_perm);
	struct ipc_namespace *ns = shp->ns;

	down_write(&shm_ids(ns).rwsem);
	rcu_read_lock();
	ipc_lock_object(perm);
	if (ipc_valid_object(perm)) {
		do_shm_rmid(ns, perm);
		/* for sparse: do_shm_rmid() unlocked both */
		__release(&perm->lock);
		__release(RCU);
	} else {
		ipc_unlock_object(perm);
		rcu_read_unlock();
	}
	up_write(&shm_ids(ns).rwsem);
}
