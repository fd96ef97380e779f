// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: SysV IPC objects (CKPT_REC_SYSV_SHM, CKPT_REC_SYSV_SEM,
 * CKPT_REC_SYSV_MSQ) and the SEM_UNDO adjustments of processes
 * (CKPT_REC_SEM_UNDO).
 *
 * Which objects are saved:
 *
 * - a container with an ipc namespace of its own: every object of it;
 * - tasks in the caller's ipc namespace: the segments they have attached,
 *   the semaphore sets they have SEM_UNDO adjustments for, and the objects
 *   whose last user (or a segment's creator) is a process of the image:
 *   the last semop() or semctl(SETVAL/SETALL) of a semaphore, the last
 *   msgsnd() or msgrcv() of a queue.  Objects only known by their ids to
 *   the program cannot be found otherwise and are not saved.
 *
 * An object used by a task outside the image, where the kernel shows it,
 * is refused with an error record that names it: a segment attached
 * outside (shm_nattch counts more mappings than the image has), a set
 * that another process has SEM_UNDO adjustments for or waits on, a queue
 * that another process waits on, and an object whose last user is a live
 * process outside the image.
 *
 * The objects come after the tree, before the first task.  Restart makes
 * each under its saved id and key, in the namespace of the top task
 * (EEXIST if either is in use), with the namespace's limits (shmmax,
 * shmall, shmmni, semmsl, semmns, semmni, msgmni, msgmax), as the caller:
 * the owner and creator must be ids the caller could give them
 * (ckpt_may_own()), SHM_LOCK needs what shmctl() needs, a queue larger
 * than msgmnb CAP_SYS_RESOURCE.  If restart fails, the objects it made are
 * removed again.  Segment contents stream as those of other shared memory
 * (shmem.c): only populated pages, a batch at a time.
 *
 * Each SysV mapping (CKPT_VMA_SYSV) is mapped again at its address from a
 * file made as shmat() makes one; the mappings of one process with the
 * same segment, start of attach (start - offset) and access share it, so
 * that shmdt() detaches them together.  A segment that was marked for
 * removal is marked again once every task is back.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <uapi/linux/sem.h>

#include <linux/checkpoint.h>

#include "internal.h"

static const struct ckpt_obj_ops ckpt_sysv_shm_ops;
static const struct ckpt_obj_ops ckpt_sysv_sem_ops;
static const struct ckpt_obj_ops ckpt_sysv_msq_ops;

static const struct ckpt_obj_ops *const ckpt_sysv_ops[] = {
	[CKPT_IPC_SEM] = &ckpt_sysv_sem_ops,
	[CKPT_IPC_MSG] = &ckpt_sysv_msq_ops,
	[CKPT_IPC_SHM] = &ckpt_sysv_shm_ops,
};

static const char *const ckpt_sysv_names[] = {
	[CKPT_IPC_SEM] = "semaphore set",
	[CKPT_IPC_MSG] = "message queue",
	[CKPT_IPC_SHM] = "shared memory segment",
};

/* ---------------------------------------------------------- checkpoint */

/* a process that is not of the image and still lives */
static bool ckpt_outsider(struct ckpt_ctx *ctx, struct pid *pid)
{
	bool alive;

	if (!pid || ckpt_image_pid(ctx, pid))
		return false;
	rcu_read_lock();
	alive = pid_task(pid, PIDTYPE_TGID) || pid_task(pid, PIDTYPE_PID);
	rcu_read_unlock();
	return alive;
}

static int ckpt_sysv_refuse(struct ckpt_ctx *ctx, int kind,
			    struct kern_ipc_perm *perm, const char *why)
{
	return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
			"SysV %s %d (key %#x): %s", ckpt_sysv_names[kind],
			perm->id, perm->key, why);
}

/*
 * In the caller's ipc namespace, whether an object is one the image
 * uses: its last user (or creator) is a process of the image.
 */
static bool ckpt_sysv_found(struct ckpt_ctx *ctx, int kind,
			    struct kern_ipc_perm *perm)
{
	struct ckpt_shm_info shm;
	struct ckpt_msq_info msq;
	struct ckpt_sem_info sem = {};
	bool found = false;
	int i;

	switch (kind) {
	case CKPT_IPC_SHM:
		if (ckpt_shm_info(perm, &shm))
			return false;
		found = ckpt_image_pid(ctx, shm.cpid) ||
			ckpt_image_pid(ctx, shm.lpid);
		put_pid(shm.cpid);
		put_pid(shm.lpid);
		fput(shm.file);
		break;
	case CKPT_IPC_MSG:
		if (ckpt_msq_info(perm, &msq))
			return false;
		found = ckpt_image_pid(ctx, msq.lspid) ||
			ckpt_image_pid(ctx, msq.lrpid);
		put_pid(msq.lspid);
		put_pid(msq.lrpid);
		break;
	case CKPT_IPC_SEM:
		sem.nsems = ckpt_sem_nsems(perm);
		sem.vals = kvcalloc(sem.nsems, sizeof(*sem.vals), GFP_KERNEL);
		sem.pids = kvcalloc(sem.nsems, sizeof(*sem.pids), GFP_KERNEL);
		if (sem.vals && sem.pids && !ckpt_sem_info(perm, &sem)) {
			for (i = 0; i < sem.nsems; i++) {
				found |= !!ckpt_image_pid(ctx, sem.pids[i]);
				put_pid(sem.pids[i]);
			}
		}
		kvfree(sem.vals);
		kvfree(sem.pids);
		break;
	}
	return found;
}

/**
 * ckpt_sysv_collect_ns - collect the SysV objects of an ipc namespace
 * @ctx: checkpoint context
 * @ns: the namespace
 * @whole: every object (the container's own namespace), else those the
 *	   image uses (see ckpt_sysv_found())
 *
 * Return: 0 or an error
 */
int ckpt_sysv_collect_ns(struct ckpt_ctx *ctx, struct ipc_namespace *ns,
			 bool whole)
{
	int kind, ret = 0;

	for (kind = CKPT_IPC_SEM; kind <= CKPT_IPC_SHM && !ret; kind++) {
		unsigned int i, nr;
		int *ids;

		ids = ckpt_ipc_ids(ns, kind, &nr);
		if (!ids)
			return -ENOMEM;
		for (i = 0; i < nr && !ret; i++) {
			struct kern_ipc_perm *perm;
			struct ckpt_obj *obj;

			perm = ckpt_ipc_get(ns, kind, ids[i]);
			if (IS_ERR(perm))
				continue;	/* removed since */
			if (!whole && !ckpt_sysv_found(ctx, kind, perm)) {
				ckpt_ipc_put(kind, perm);
				continue;
			}
			obj = ckpt_obj_collect(ctx, ckpt_sysv_ops[kind], perm);
			if (IS_ERR(obj))
				ret = PTR_ERR(obj);
			else
				obj->users--;	/* no user: only saved */
		}
		kvfree(ids);
	}
	return ret;
}

/**
 * ckpt_sysv_vma - whether a mapping is a SysV shared memory attach
 * @vma: the mapping
 */
bool ckpt_sysv_vma(struct vm_area_struct *vma)
{
	return vma->vm_file && ckpt_shm_is_attach(vma->vm_file);
}

/* the ipc namespace of the task being collected */
static struct ipc_namespace *ckpt_cur_ipc_ns(struct ckpt_ctx *ctx)
{
	struct task_struct *t = ctx->cur->task;
	struct ipc_namespace *ns = NULL;

	task_lock(t);
	if (t->nsproxy)
		ns = t->nsproxy->ipc_ns;
	task_unlock(t);
	return ns;
}

/**
 * ckpt_sysv_collect_vma - collect the segment a mapping attaches
 * @ctx: checkpoint context, collecting the mm of ctx->cur
 * @file: the mapping's file
 * @addr: the mapping's start, for messages
 *
 * Each mapping counts as a user of the segment, for the comparison with
 * its shm_nattch.
 * Return: the segment's object, NULL if @file is no attach, or an
 * ERR_PTR() with the reason in the error record
 */
struct ckpt_obj *ckpt_sysv_collect_vma(struct ckpt_ctx *ctx, struct file *file,
				       unsigned long addr)
{
	struct kern_ipc_perm *perm;
	struct ipc_namespace *ns;
	struct ckpt_obj *obj;

	perm = ckpt_shm_of_file(file, &ns);
	if (!perm)
		return NULL;
	if (IS_ERR(perm))
		return ERR_PTR(ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1,
					addr,
					"SysV shared memory at %#lx: the segment was destroyed",
					addr));
	if (ns != ckpt_cur_ipc_ns(ctx)) {
		ckpt_ipc_put(CKPT_IPC_SHM, perm);
		return ERR_PTR(ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1,
					addr,
					"SysV shared memory at %#lx: a segment of another ipc namespace",
					addr));
	}
	obj = ckpt_obj_collect(ctx, &ckpt_sysv_shm_ops, perm);
	/* the first task to map it names it in messages */
	if (!IS_ERR(obj) && !obj->priv)
		obj->priv = (unsigned long)ctx->cur;
	return obj;
}

/**
 * ckpt_sysv_vma_ref - the VMA record fields of a SysV mapping
 * @ctx: checkpoint context
 * @vma: the mapping, whose segment was collected
 * @r: its obj_ref, ino (the id) and size (of the segment) are set
 *
 * Return: 0, or -EAGAIN if the segment is not the one collected
 */
int ckpt_sysv_vma_ref(struct ckpt_ctx *ctx, struct vm_area_struct *vma,
		      struct ckpt_rec_vma *r)
{
	struct kern_ipc_perm *perm;
	struct ipc_namespace *ns;
	struct ckpt_obj *obj;

	perm = ckpt_shm_of_file(vma->vm_file, &ns);
	if (IS_ERR_OR_NULL(perm))
		return -EAGAIN;
	obj = ckpt_obj_find(ctx, perm);
	r->ino = cpu_to_le64(perm->id);
	ckpt_ipc_put(CKPT_IPC_SHM, perm);
	if (WARN_ON_ONCE(!obj || obj->ops != &ckpt_sysv_shm_ops))
		return -EAGAIN;
	r->obj_ref = cpu_to_le32(obj->ref);
	r->size = cpu_to_le64(i_size_read(file_inode(vma->vm_file)));
	return 0;
}

/* the fields every object has, as the caller's user namespace sees them */
static void ckpt_fill_perm(struct kern_ipc_perm *perm, struct ckpt_ipc_perm *p)
{
	struct user_namespace *ns = current_user_ns();

	spin_lock(&perm->lock);
	p->id = cpu_to_le32(perm->id);
	p->key = cpu_to_le32(perm->key);
	p->uid = cpu_to_le32(from_kuid_munged(ns, perm->uid));
	p->gid = cpu_to_le32(from_kgid_munged(ns, perm->gid));
	p->cuid = cpu_to_le32(from_kuid_munged(ns, perm->cuid));
	p->cgid = cpu_to_le32(from_kgid_munged(ns, perm->cgid));
	p->mode = cpu_to_le32(perm->mode & 0777);
	spin_unlock(&perm->lock);
}

static void ckpt_sysv_drop_shm(void *ptr)
{
	ckpt_ipc_put(CKPT_IPC_SHM, ptr);
}

static void ckpt_sysv_drop_sem(void *ptr)
{
	ckpt_ipc_put(CKPT_IPC_SEM, ptr);
}

static void ckpt_sysv_drop_msq(void *ptr)
{
	ckpt_ipc_put(CKPT_IPC_MSG, ptr);
}

/* every mapping of the segment, in all processes, is one of the image */
static int ckpt_sysv_check_shm(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_shm_info info;
	bool huge;

	if (ckpt_shm_info(perm, &info))
		return ckpt_sysv_refuse(ctx, CKPT_IPC_SHM, perm,
					"removed during checkpoint");
	huge = info.huge;
	put_pid(info.cpid);
	put_pid(info.lpid);
	fput(info.file);
	if (huge)
		return ckpt_sysv_refuse(ctx, CKPT_IPC_SHM, perm,
					"huge pages (SHM_HUGETLB) are not supported");
	if (info.nattch > obj->users) {
		int ret;

		/* named after the first task of the image that maps it */
		ctx->cur = (struct ckpt_task *)obj->priv;
		ret = ckpt_sysv_refuse(ctx, CKPT_IPC_SHM, perm,
				       "also attached by a process outside the image");
		ctx->cur = NULL;
		return ret;
	}
	return 0;
}

static int ckpt_sysv_dump_shm(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_rec_sysv_shm r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_shm_info info;
	int ret;

	ret = ckpt_shm_info(perm, &info);
	if (ret)
		return ckpt_sysv_refuse(ctx, CKPT_IPC_SHM, perm,
					"removed during checkpoint");
	ckpt_fill_perm(perm, &r.perm);
	r.flags = cpu_to_le32((info.dest ? CKPT_SHM_DEST : 0) |
			      (info.locked ? CKPT_SHM_LOCKED : 0) |
			      (info.noreserve ? CKPT_SHM_NORESERVE : 0));
	r.size = cpu_to_le64(info.size);
	r.atime = cpu_to_le64(info.atime);
	r.dtime = cpu_to_le64(info.dtime);
	r.ctime = cpu_to_le64(info.ctime);
	r.cpid = cpu_to_le32(ckpt_image_pid(ctx, info.cpid));
	r.lpid = cpu_to_le32(ckpt_image_pid(ctx, info.lpid));
	ret = ckpt_write_record(ctx, CKPT_REC_SYSV_SHM, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_dump_shmem_pages(ctx, file_inode(info.file));
	put_pid(info.cpid);
	put_pid(info.lpid);
	fput(info.file);
	return ret;
}

/* the semaphores of a set, with their pids */
static int ckpt_sem_read(struct kern_ipc_perm *perm, struct ckpt_sem_info *info)
{
	int ret;

	info->nsems = ckpt_sem_nsems(perm);
	info->vals = kvcalloc(info->nsems, sizeof(*info->vals), GFP_KERNEL);
	info->pids = kvcalloc(info->nsems, sizeof(*info->pids), GFP_KERNEL);
	if (!info->vals || !info->pids)
		return -ENOMEM;
	ret = ckpt_sem_info(perm, info);
	if (ret)
		memset(info->pids, 0, info->nsems * sizeof(*info->pids));
	return ret;
}

static void ckpt_sem_info_free(struct ckpt_sem_info *info)
{
	int i;

	for (i = 0; info->pids && i < info->nsems; i++)
		put_pid(info->pids[i]);
	kvfree(info->pids);
	kvfree(info->vals);
}

/*
 * Only the image's processes have SEM_UNDO adjustments for the set or wait
 * on it; its last user is not a live process outside the image.
 */
static int ckpt_sysv_check_sem(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_sem_info info = {};
	int i, users, ret;

	users = ckpt_sem_users(perm);
	if (users < 0)
		return ckpt_sysv_refuse(ctx, CKPT_IPC_SEM, perm,
					"removed during checkpoint");
	if (users > obj->users)
		return ckpt_sysv_refuse(ctx, CKPT_IPC_SEM, perm,
					"a process outside the image has SEM_UNDO adjustments for it or waits on it");
	ret = ckpt_sem_read(perm, &info);
	for (i = 0; !ret && i < info.nsems; i++)
		if (ckpt_outsider(ctx, info.pids[i]))
			ret = ckpt_sysv_refuse(ctx, CKPT_IPC_SEM, perm,
					       "last changed by a process outside the image");
	ckpt_sem_info_free(&info);
	return ret;
}

static int ckpt_sysv_dump_sem(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_sem_info info = {};
	struct ckpt_rec_sysv_sem r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_sem *sems = NULL;
	int i, ret;

	ret = ckpt_sem_read(perm, &info);
	if (ret == -EIDRM)
		ret = ckpt_sysv_refuse(ctx, CKPT_IPC_SEM, perm,
				       "removed during checkpoint");
	if (!ret && info.nsems * sizeof(*sems) >
		    CKPT_REC_MAX_LEN - sizeof(r))
		ret = ckpt_sysv_refuse(ctx, CKPT_IPC_SEM, perm,
				       "too many semaphores");
	if (!ret) {
		sems = kvcalloc(info.nsems, sizeof(*sems), GFP_KERNEL);
		ret = sems ? 0 : -ENOMEM;
	}
	if (ret)
		goto out;
	for (i = 0; i < info.nsems; i++) {
		sems[i].semval = cpu_to_le16(info.vals[i]);
		sems[i].sempid = cpu_to_le32(ckpt_image_pid(ctx,
							    info.pids[i]));
	}
	ckpt_fill_perm(perm, &r.perm);
	r.nsems = cpu_to_le32(info.nsems);
	r.otime = cpu_to_le64(info.otime);
	r.ctime = cpu_to_le64(info.ctime);
	ret = ckpt_write_record(ctx, CKPT_REC_SYSV_SEM, &r, sizeof(r), sems,
				info.nsems * sizeof(*sems));
out:
	kvfree(sems);
	ckpt_sem_info_free(&info);
	return ret;
}

/* nobody waits on the queue; its last users are of the image */
static int ckpt_sysv_check_msq(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_msq_info info;
	int ret = 0;

	if (ckpt_msq_info(perm, &info))
		return ckpt_sysv_refuse(ctx, CKPT_IPC_MSG, perm,
					"removed during checkpoint");
	if (info.waiters)
		ret = ckpt_sysv_refuse(ctx, CKPT_IPC_MSG, perm,
				       "a process outside the image waits on it");
	else if (ckpt_outsider(ctx, info.lspid) ||
		 ckpt_outsider(ctx, info.lrpid))
		ret = ckpt_sysv_refuse(ctx, CKPT_IPC_MSG, perm,
				       "last used by a process outside the image");
	put_pid(info.lspid);
	put_pid(info.lrpid);
	return ret;
}

static int ckpt_sysv_dump_msq(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct kern_ipc_perm *perm = obj->ptr;
	struct ckpt_rec_sysv_msq r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_msq_info info;
	unsigned long nr;
	size_t len;
	void *msgs;
	int ret;

	if (ckpt_msq_info(perm, &info))
		return ckpt_sysv_refuse(ctx, CKPT_IPC_MSG, perm,
					"removed during checkpoint");
	msgs = ckpt_msq_copy(perm, &len, &nr);
	ret = PTR_ERR_OR_ZERO(msgs);
	if (ret)
		goto out;
	ckpt_fill_perm(perm, &r.perm);
	r.nr_msgs = cpu_to_le32(nr);
	r.qbytes = cpu_to_le64(info.qbytes);
	r.cbytes = cpu_to_le64(info.cbytes);
	r.stime = cpu_to_le64(info.stime);
	r.rtime = cpu_to_le64(info.rtime);
	r.ctime = cpu_to_le64(info.ctime);
	r.lspid = cpu_to_le32(ckpt_image_pid(ctx, info.lspid));
	r.lrpid = cpu_to_le32(ckpt_image_pid(ctx, info.lrpid));
	ret = ckpt_write_record(ctx, CKPT_REC_SYSV_MSQ, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_ipc_write_msgs(ctx, msgs, len, nr);
	kvfree(msgs);
out:
	put_pid(info.lspid);
	put_pid(info.lrpid);
	return ret;
}

/* ------------------------------------------------------------- restart */

/* a file made for the mappings of one attach */
struct ckpt_shm_attach {
	struct list_head list;
	struct mm_struct *mm;		/* an identity, no reference */
	unsigned long base;		/* where the attach starts */
	bool rw;
	struct file *file;
};

/* a SysV object that restart made */
struct ckpt_sysv_rst {
	int kind;
	struct kern_ipc_perm *perm;	/* a reference */
	struct ipc_namespace *ns;	/* a reference */
	bool done;			/* complete: it stays */
	/* the pids and times to give it once every task exists */
	pid_t pid[2];			/* shm: cpid, lpid; msq: lspid, lrpid */
	struct ckpt_shm_info shm;
	struct ckpt_msq_info msq;
	struct ckpt_sem_info sem;
	pid_t *sempid;
	struct list_head attaches;	/* shm: struct ckpt_shm_attach */
};

static void ckpt_sysv_release(struct ckpt_obj *obj)
{
	struct ckpt_sysv_rst *rst = obj->ptr;
	struct ckpt_shm_attach *a, *tmp;

	if (!rst)
		return;
	list_for_each_entry_safe(a, tmp, &rst->attaches, list) {
		fput(a->file);
		kfree(a);
	}
	if (rst->perm && !rst->done) {
		switch (rst->kind) {
		case CKPT_IPC_SHM:
			ckpt_shm_remove(rst->perm);
			break;
		case CKPT_IPC_SEM:
			ckpt_sem_remove(rst->ns, rst->perm);
			break;
		case CKPT_IPC_MSG:
			ckpt_msq_remove(rst->ns, rst->perm);
			break;
		}
	}
	if (rst->perm)
		ckpt_ipc_put(rst->kind, rst->perm);
	put_ipc_ns(rst->ns);
	kvfree(rst->sem.vals);
	kvfree(rst->sempid);
	kfree(rst);
}

/* the fields of every object: one rule per errno */
static int ckpt_ipc_perm_valid(const struct ckpt_ipc_perm *p, kuid_t *uid,
			       kgid_t *gid, kuid_t *cuid, kgid_t *cgid)
{
	struct user_namespace *ns = current_user_ns();
	const struct cred *cred = current_cred();

	if (le32_to_cpu(p->id) > INT_MAX || (le32_to_cpu(p->mode) & ~0777) ||
	    p->__pad)
		return -EINVAL;
	*uid = make_kuid(ns, le32_to_cpu(p->uid));
	*gid = make_kgid(ns, le32_to_cpu(p->gid));
	*cuid = make_kuid(ns, le32_to_cpu(p->cuid));
	*cgid = make_kgid(ns, le32_to_cpu(p->cgid));
	if (!uid_valid(*uid) || !gid_valid(*gid) || !uid_valid(*cuid) ||
	    !gid_valid(*cgid))
		return -EINVAL;
	if (!ckpt_may_own(cred, *uid, *gid) || !ckpt_may_own(cred, *cuid, *cgid))
		return -EPERM;
	return 0;
}

static bool ckpt_pids_valid(const __le32 *pids, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (le32_to_cpu(pids[i]) >= pid_max)
			return false;
	return true;
}

/*
 * A new SysV object of the image: made by @make in the target namespace,
 * given its owner and mode, and noted under @objref.
 */
static int ckpt_sysv_new(struct ckpt_ctx *ctx, int kind, u32 objref,
			 const struct ckpt_ipc_perm *p,
			 struct ckpt_sysv_rst **rstp,
			 struct kern_ipc_perm *(*make)(struct ckpt_sysv_rst *,
						       const void *),
			 const void *arg)
{
	struct ipc_namespace *ns = ckpt_target_ipc_ns(ctx);
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	struct ckpt_sysv_rst *rst;
	struct ckpt_obj *obj;
	int ret;

	if (!ns)
		return -EINVAL;
	ret = ckpt_ipc_perm_valid(p, &uid, &gid, &cuid, &cgid);
	if (ret)
		return ret;
	rst = kzalloc(sizeof(*rst), GFP_KERNEL_ACCOUNT);
	if (!rst)
		return -ENOMEM;
	rst->kind = kind;
	rst->ns = get_ipc_ns(ns);
	INIT_LIST_HEAD(&rst->attaches);
	obj = ckpt_obj_add(ctx, objref, ckpt_sysv_ops[kind], rst, 0);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	rst->perm = make(rst, arg);
	if (IS_ERR(rst->perm)) {
		ret = PTR_ERR(rst->perm);
		rst->perm = NULL;
		return ret;
	}
	ckpt_ipc_set_owner(rst->perm, uid, gid, cuid, cgid,
			   le32_to_cpu(p->mode));
	*rstp = rst;
	return 0;
}

static struct kern_ipc_perm *ckpt_make_shm(struct ckpt_sysv_rst *rst,
					   const void *arg)
{
	const struct ckpt_rec_sysv_shm *r = arg;

	return ckpt_shm_create(rst->ns, le32_to_cpu(r->perm.id),
			       le32_to_cpu(r->perm.key), le64_to_cpu(r->size),
			       le32_to_cpu(r->flags) & CKPT_SHM_NORESERVE,
			       &rst->shm.file);
}

/*
 * CKPT_REC_SYSV_SHM: a segment, filled from the PAGES records that follow;
 * locked if it was (with shmctl(SHM_LOCK)'s checks).
 */
static int ckpt_restore_sysv_shm(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	const u32 known = CKPT_SHM_DEST | CKPT_SHM_LOCKED | CKPT_SHM_NORESERVE;
	struct ckpt_rec_sysv_shm *r = rec;
	u64 size = le64_to_cpu(r->size);
	struct ckpt_sysv_rst *rst;
	struct file *file;
	int ret;

	if ((le32_to_cpu(r->flags) & ~known) || !size ||
	    (s64)le64_to_cpu(r->atime) < 0 || (s64)le64_to_cpu(r->dtime) < 0 ||
	    (s64)le64_to_cpu(r->ctime) < 0 || !ckpt_pids_valid(&r->cpid, 2))
		return -EINVAL;
	ret = ckpt_sysv_new(ctx, CKPT_IPC_SHM, le32_to_cpu(r->objref), &r->perm,
			    &rst, ckpt_make_shm, r);
	if (ret)
		return ret;
	file = rst->shm.file;
	rst->shm.file = NULL;
	ret = ckpt_fill_shmem(ctx, file);
	fput(file);
	if (!ret && (le32_to_cpu(r->flags) & CKPT_SHM_LOCKED))
		ret = ckpt_shm_lock(rst->perm);
	rst->shm.dest = le32_to_cpu(r->flags) & CKPT_SHM_DEST;
	rst->shm.size = size;
	rst->shm.atime = le64_to_cpu(r->atime);
	rst->shm.dtime = le64_to_cpu(r->dtime);
	rst->shm.ctime = le64_to_cpu(r->ctime);
	rst->pid[0] = le32_to_cpu(r->cpid);
	rst->pid[1] = le32_to_cpu(r->lpid);
	return ret;
}

static struct kern_ipc_perm *ckpt_make_sem(struct ckpt_sysv_rst *rst,
					   const void *arg)
{
	const struct ckpt_rec_sysv_sem *r = arg;

	return ckpt_sem_create(rst->ns, le32_to_cpu(r->perm.id),
			       le32_to_cpu(r->perm.key),
			       le32_to_cpu(r->nsems));
}

/* CKPT_REC_SYSV_SEM: a semaphore set with its values */
static int ckpt_restore_sysv_sem(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_sysv_sem *r = rec;
	u32 i, nsems = le32_to_cpu(r->nsems);
	struct ckpt_sysv_rst *rst;
	int ret;

	if (!nsems || nsems > INT_MAX ||
	    h->len != sizeof(*r) + (u64)nsems * sizeof(r->sems[0]) ||
	    (s64)le64_to_cpu(r->otime) < 0 || (s64)le64_to_cpu(r->ctime) < 0)
		return -EINVAL;
	for (i = 0; i < nsems; i++)
		if (le16_to_cpu(r->sems[i].semval) > SEMVMX ||
		    r->sems[i].__pad ||
		    !ckpt_pids_valid(&r->sems[i].sempid, 1))
			return -EINVAL;
	ret = ckpt_sysv_new(ctx, CKPT_IPC_SEM, le32_to_cpu(r->objref), &r->perm,
			    &rst, ckpt_make_sem, r);
	if (ret)
		return ret;
	rst->sem.nsems = nsems;
	rst->sem.otime = le64_to_cpu(r->otime);
	rst->sem.ctime = le64_to_cpu(r->ctime);
	rst->sem.vals = kvcalloc(nsems, sizeof(*rst->sem.vals),
				 GFP_KERNEL_ACCOUNT);
	rst->sempid = kvcalloc(nsems, sizeof(*rst->sempid), GFP_KERNEL_ACCOUNT);
	if (!rst->sem.vals || !rst->sempid)
		return -ENOMEM;
	for (i = 0; i < nsems; i++) {
		rst->sem.vals[i] = le16_to_cpu(r->sems[i].semval);
		rst->sempid[i] = le32_to_cpu(r->sems[i].sempid);
	}
	ckpt_sem_set(rst->perm, &rst->sem);
	return 0;
}

static struct kern_ipc_perm *ckpt_make_msq(struct ckpt_sysv_rst *rst,
					   const void *arg)
{
	const struct ckpt_rec_sysv_msq *r = arg;

	return ckpt_msq_create(rst->ns, le32_to_cpu(r->perm.id),
			       le32_to_cpu(r->perm.key));
}

/* the messages that follow a queue, sent to it in order */
static int ckpt_restore_msgs(struct ckpt_ctx *ctx, struct ckpt_sysv_rst *rst,
			     u32 nr, u64 cbytes)
{
	u64 type, total = 0;
	size_t len;
	void *text;
	u32 i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		text = ckpt_ipc_read_msg(ctx, &type, &len, rst->ns->msg_ctlmax);
		if (IS_ERR(text))
			return PTR_ERR(text);
		total += len;
		ret = type > LONG_MAX ? -EINVAL :
		      ckpt_msq_send(rst->ns, rst->perm, type, text, len);
		kvfree(text);
		cond_resched();
	}
	if (!ret && total != cbytes)
		ret = -EINVAL;
	return ret;
}

/*
 * CKPT_REC_SYSV_MSQ: a message queue and its messages.  A size above
 * msgmnb needs CAP_SYS_RESOURCE, as for msgctl(IPC_SET).
 */
static int ckpt_restore_sysv_msq(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_sysv_msq *r = rec;
	u64 qbytes = le64_to_cpu(r->qbytes);
	struct ckpt_sysv_rst *rst;
	int ret;

	if (qbytes > INT_MAX || (s64)le64_to_cpu(r->stime) < 0 ||
	    (s64)le64_to_cpu(r->rtime) < 0 || (s64)le64_to_cpu(r->ctime) < 0 ||
	    !ckpt_pids_valid(&r->lspid, 2))
		return -EINVAL;
	ret = ckpt_sysv_new(ctx, CKPT_IPC_MSG, le32_to_cpu(r->objref), &r->perm,
			    &rst, ckpt_make_msq, r);
	if (ret)
		return ret;
	if (qbytes > rst->ns->msg_ctlmnb && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	rst->msq.qbytes = qbytes;
	rst->msq.stime = le64_to_cpu(r->stime);
	rst->msq.rtime = le64_to_cpu(r->rtime);
	rst->msq.ctime = le64_to_cpu(r->ctime);
	rst->pid[0] = le32_to_cpu(r->lspid);
	rst->pid[1] = le32_to_cpu(r->lrpid);
	ckpt_msq_set(rst->perm, &rst->msq);
	return ckpt_restore_msgs(ctx, rst, le32_to_cpu(r->nr_msgs),
				 le64_to_cpu(r->cbytes));
}

/* once every task exists: their pids, the times, the removal mark */
static int ckpt_sysv_finish(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_sysv_rst *rst = obj->ptr;
	struct pid **pids;
	int i;

	switch (rst->kind) {
	case CKPT_IPC_SHM:
		rst->shm.cpid = ckpt_image_task_pid(ctx, rst->pid[0]);
		rst->shm.lpid = ckpt_image_task_pid(ctx, rst->pid[1]);
		ckpt_shm_set(rst->perm, &rst->shm);
		put_pid(rst->shm.cpid);
		put_pid(rst->shm.lpid);
		ckpt_shm_done(rst->perm, rst->shm.dest);
		break;
	case CKPT_IPC_MSG:
		rst->msq.lspid = ckpt_image_task_pid(ctx, rst->pid[0]);
		rst->msq.lrpid = ckpt_image_task_pid(ctx, rst->pid[1]);
		ckpt_msq_set(rst->perm, &rst->msq);
		put_pid(rst->msq.lspid);
		put_pid(rst->msq.lrpid);
		break;
	case CKPT_IPC_SEM:
		pids = kvcalloc(rst->sem.nsems, sizeof(*pids), GFP_KERNEL);
		for (i = 0; pids && i < rst->sem.nsems; i++)
			pids[i] = ckpt_image_task_pid(ctx, rst->sempid[i]);
		/* the values may have changed since: the pids only */
		kvfree(rst->sem.vals);
		rst->sem.vals = NULL;
		rst->sem.pids = pids;
		ckpt_sem_set(rst->perm, &rst->sem);
		for (i = 0; pids && i < rst->sem.nsems; i++)
			put_pid(pids[i]);
		kvfree(pids);
		rst->sem.pids = NULL;
		break;
	}
	rst->done = true;
	return 0;
}

/**
 * ckpt_sysv_attach_file - the file to map a CKPT_VMA_SYSV mapping with
 * @ctx: restart context
 * @r: the VMA record, checked by mm.c
 *
 * Mappings of current's mm with the same segment, start of attach and
 * access share a file, made as shmat() makes it.
 * Return: the file, with a reference, or an ERR_PTR(): -EINVAL for a
 * mapping that does not fit the segment
 */
struct file *ckpt_sysv_attach_file(struct ckpt_ctx *ctx,
				   const struct ckpt_rec_vma *r)
{
	u64 start = le64_to_cpu(r->start), end = le64_to_cpu(r->end);
	u64 pgoff = le64_to_cpu(r->pgoff);
	bool rw = le32_to_cpu(r->flags) & CKPT_VMA_MAYWRITE;
	struct ckpt_shm_attach *a;
	struct ckpt_sysv_rst *rst;
	unsigned long base;
	struct file *file;

	rst = ckpt_obj_get(ctx, le32_to_cpu(r->obj_ref), &ckpt_sysv_shm_ops);
	if (IS_ERR(rst))
		return ERR_CAST(rst);
	if (le64_to_cpu(r->ino) != rst->perm->id ||
	    le64_to_cpu(r->size) != rst->shm.size || r->dev ||
	    pgoff > (PAGE_ALIGN(rst->shm.size) >> PAGE_SHIFT) ||
	    end - start > PAGE_ALIGN(rst->shm.size) - (pgoff << PAGE_SHIFT) ||
	    (pgoff << PAGE_SHIFT) > start ||
	    rst->ns != current->nsproxy->ipc_ns)
		return ERR_PTR(-EINVAL);
	base = start - (pgoff << PAGE_SHIFT);
	list_for_each_entry(a, &rst->attaches, list)
		if (a->mm == current->mm && a->base == base && a->rw == rw)
			return get_file(a->file);
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return ERR_PTR(-ENOMEM);
	file = ckpt_shm_attach(rst->perm, rw);
	if (IS_ERR(file)) {
		kfree(a);
		return file;
	}
	a->mm = current->mm;
	a->base = base;
	a->rw = rw;
	a->file = file;
	list_add(&a->list, &rst->attaches);
	return get_file(file);
}

static const struct ckpt_obj_ops ckpt_sysv_shm_ops = {
	.type = CKPT_REC_SYSV_SHM,
	.err_kind = CKPT_OBJ_IPC,
	.global = true,
	.drop = ckpt_sysv_drop_shm,
	.check = ckpt_sysv_check_shm,
	.dump = ckpt_sysv_dump_shm,
	.release = ckpt_sysv_release,
	.finish = ckpt_sysv_finish,
};

static const struct ckpt_obj_ops ckpt_sysv_sem_ops = {
	.type = CKPT_REC_SYSV_SEM,
	.err_kind = CKPT_OBJ_IPC,
	.global = true,
	.drop = ckpt_sysv_drop_sem,
	.check = ckpt_sysv_check_sem,
	.dump = ckpt_sysv_dump_sem,
	.release = ckpt_sysv_release,
	.finish = ckpt_sysv_finish,
};

static const struct ckpt_obj_ops ckpt_sysv_msq_ops = {
	.type = CKPT_REC_SYSV_MSQ,
	.err_kind = CKPT_OBJ_IPC,
	.global = true,
	.drop = ckpt_sysv_drop_msq,
	.check = ckpt_sysv_check_msq,
	.dump = ckpt_sysv_dump_msq,
	.release = ckpt_sysv_release,
	.finish = ckpt_sysv_finish,
};

/* ---------------------------------------------------------- SEM_UNDO */

/* the undo list of a process as collected */
struct ckpt_undo_snap {
	struct ckpt_semundo *u;
	struct ckpt_obj *sems[];	/* the set of each entry, or NULL */
};

/* the undo list of the task: its process's, if any; threads share it */
static void *ckpt_semundo_part(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct task_struct *leader = t->group_leader;
	void *ulp, *lulp;

	task_lock(t);
	ulp = t->sysvsem.undo_list;
	task_unlock(t);
	if (t != leader) {
		task_lock(leader);
		lulp = leader->sysvsem.undo_list;
		task_unlock(leader);
		if (ulp != lulp)
			goto other;
		return ulp;	/* the leader's, saved with it */
	}
	if (ulp && ckpt_obj_find(ctx, ulp))
		goto other;
	return ulp;
other:
	ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
		 "SEM_UNDO adjustments not shared with exactly the threads of the process (clone(CLONE_SYSVSEM))");
	return ERR_PTR(-EOPNOTSUPP);
}

static int ckpt_collect_semundo(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ipc_namespace *ns = ckpt_cur_ipc_ns(ctx);
	struct ckpt_undo_snap *s;
	struct ckpt_semundo *u;
	unsigned int i;

	u = ckpt_semundo_get(ctx->cur->task);
	if (IS_ERR_OR_NULL(u))
		return u ? PTR_ERR(u) : -EAGAIN;
	s = kvzalloc(struct_size(s, sems, u->nr), GFP_KERNEL_ACCOUNT);
	if (!s) {
		ckpt_semundo_free(u);
		return -ENOMEM;
	}
	s->u = u;
	obj->priv = (unsigned long)s;
	for (i = 0; i < u->nr; i++) {
		struct kern_ipc_perm *perm;
		struct ckpt_obj *o;

		perm = ckpt_ipc_get(ns, CKPT_IPC_SEM, u->ent[i].semid);
		if (IS_ERR(perm))
			continue;	/* removed since */
		o = ckpt_obj_collect(ctx, &ckpt_sysv_sem_ops, perm);
		if (IS_ERR(o))
			return PTR_ERR(o);
		s->sems[i] = o;
	}
	return 0;
}

/* the threads of the process are its only users */
static int ckpt_check_semundo(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_undo_snap *s = (struct ckpt_undo_snap *)obj->priv;

	if (s->u->users > obj->users)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
				"SEM_UNDO adjustments shared with a task outside the image");
	return 0;
}

static void ckpt_forget_semundo(struct ckpt_obj *obj)
{
	struct ckpt_undo_snap *s = (struct ckpt_undo_snap *)obj->priv;

	if (!s)
		return;
	ckpt_semundo_free(s->u);
	kvfree(s);
}

static int ckpt_dump_semundo(struct ckpt_ctx *ctx, struct ckpt_obj *obj)
{
	struct ckpt_undo_snap *s = (struct ckpt_undo_snap *)obj->priv;
	struct ckpt_rec_sem_undo r = { .objref = cpu_to_le32(obj->ref) };
	struct ckpt_semundo *u = s->u;
	size_t len = 0, each;
	unsigned int i, nr = 0;
	int j, ret;
	u8 *buf, *pos;

	for (i = 0; i < u->nr; i++)
		if (s->sems[i])
			len += ALIGN(sizeof(struct ckpt_sem_undo) +
				     u->ent[i].nsems * sizeof(__le16), 8);
	if (len > CKPT_REC_MAX_LEN - sizeof(r))
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_IPC, -1, 0,
				"too many SEM_UNDO adjustments");
	buf = kvzalloc(max_t(size_t, len, 1), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	pos = buf;
	for (i = 0; i < u->nr; i++) {
		struct ckpt_sem_undo *e = (struct ckpt_sem_undo *)pos;

		if (!s->sems[i])
			continue;
		each = ALIGN(sizeof(*e) + u->ent[i].nsems * sizeof(__le16), 8);
		e->sem_ref = cpu_to_le32(s->sems[i]->ref);
		e->nsems = cpu_to_le32(u->ent[i].nsems);
		for (j = 0; j < u->ent[i].nsems; j++)
			e->semadj[j] = cpu_to_le16(u->ent[i].adj[j]);
		pos += each;
		nr++;
	}
	r.nr = cpu_to_le32(nr);
	ret = ckpt_write_record(ctx, CKPT_REC_SEM_UNDO, &r, sizeof(r), buf, len);
	kvfree(buf);
	return ret;
}

/*
 * CKPT_REC_SEM_UNDO: the adjustments of the process, each for a set that
 * restart made.  Its threads, created after it, share them.
 */
static int ckpt_restore_sem_undo(struct ckpt_ctx *ctx, struct ckpt_task *t,
				 const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_sem_undo *r = rec;
	size_t left = h->len - sizeof(*r), each;
	u32 i, nr = le32_to_cpu(r->nr);
	const u8 *pos = r->entries;
	s16 *adj = NULL;
	int ret = 0;

	if (ckpt_is_thread(t) || current->sysvsem.undo_list)
		return -EINVAL;
	ret = PTR_ERR_OR_ZERO(ckpt_obj_add(ctx, le32_to_cpu(r->objref),
					   &ckpt_semundo_ops, NULL, 0));
	for (i = 0; i < nr && !ret; i++) {
		const struct ckpt_sem_undo *e = (const void *)pos;
		struct ckpt_sysv_rst *rst;
		u32 j, nsems;

		ret = -EINVAL;
		if (left < sizeof(*e))
			break;
		nsems = le32_to_cpu(e->nsems);
		each = ALIGN(sizeof(*e) + (u64)nsems * sizeof(__le16), 8);
		if (!nsems || nsems > INT_MAX || each > left ||
		    !ckpt_zero(&e->semadj[nsems], each - sizeof(*e) -
			       nsems * sizeof(__le16)))
			break;
		rst = ckpt_obj_get(ctx, le32_to_cpu(e->sem_ref),
				   &ckpt_sysv_sem_ops);
		if (IS_ERR(rst))
			break;
		kvfree(adj);
		adj = kvmalloc_array(nsems, sizeof(*adj), GFP_KERNEL);
		ret = -ENOMEM;
		if (!adj)
			break;
		for (j = 0; j < nsems; j++)
			adj[j] = (s16)le16_to_cpu(e->semadj[j]);
		ret = ckpt_semundo_set(rst->perm, adj, nsems);
		pos += each;
		left -= each;
	}
	kvfree(adj);
	if (!ret && left)
		ret = -EINVAL;
	return ret;
}

const struct ckpt_obj_ops ckpt_semundo_ops = {
	.type = CKPT_REC_SEM_UNDO,
	.err_kind = CKPT_OBJ_IPC,
	.optional = true,
	.get = ckpt_semundo_part,
	.check = ckpt_check_semundo,
	.collect = ckpt_collect_semundo,
	.forget = ckpt_forget_semundo,
	.dump = ckpt_dump_semundo,
};

static const struct ckpt_rec_ops ckpt_sysv_records[] = {
	{
		.type = CKPT_REC_SYSV_SHM,
		.name = "SYSV_SHM",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_sysv_shm),
		.max_len = sizeof(struct ckpt_rec_sysv_shm),
		.restore = ckpt_restore_sysv_shm,
	},
	{
		.type = CKPT_REC_SYSV_SEM,
		.name = "SYSV_SEM",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_sysv_sem) +
			   sizeof(struct ckpt_sem),
		.max_len = CKPT_REC_MAX_LEN,
		.restore = ckpt_restore_sysv_sem,
	},
	{
		.type = CKPT_REC_SYSV_MSQ,
		.name = "SYSV_MSQ",
		.place = CKPT_PLACE_GLOBAL,
		.min_len = sizeof(struct ckpt_rec_sysv_msq),
		.max_len = sizeof(struct ckpt_rec_sysv_msq),
		.restore = ckpt_restore_sysv_msq,
	},
	{
		.type = CKPT_REC_SEM_UNDO,
		.name = "SEM_UNDO",
		.place = CKPT_PLACE_OBJECT,
		.min_len = sizeof(struct ckpt_rec_sem_undo),
		.max_len = CKPT_REC_MAX_LEN,
		.restore = ckpt_restore_sem_undo,
	},
};

static int __init ckpt_sysv_init(void)
{
	return ckpt_register_records(ckpt_sysv_records,
				     ARRAY_SIZE(ckpt_sysv_records));
}
core_initcall(ckpt_sysv_init);
