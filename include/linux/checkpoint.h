/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: what other parts of the kernel provide to it.
 *
 * The checkpoint code itself keeps its interfaces in
 * kernel/checkpoint/internal.h.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/time64.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct dentry;
struct file;
struct folio;
struct inode;
struct ipc_namespace;
struct kern_ipc_perm;
struct pid;
struct task_struct;
struct vm_area_struct;

/* mm/checkpoint.c */
int install_new_anon_folios(struct vm_area_struct *vma,
			    const unsigned long *addrs, struct folio **folios,
			    unsigned int nr);

/*
 * ipc/checkpoint_*.c: SysV IPC objects and POSIX message queues.  The
 * objects are held by a reference on their struct kern_ipc_perm (and
 * dropped with the put of their kind); their common fields (id, key,
 * owner, mode) are read and set under its lock by the caller.
 */
#define CKPT_IPC_SEM	0	/* the kinds, as ipc_namespace.ids[] has them */
#define CKPT_IPC_MSG	1
#define CKPT_IPC_SHM	2

int *ckpt_ipc_ids(struct ipc_namespace *ns, int kind, unsigned int *nr);
struct kern_ipc_perm *ckpt_ipc_get(struct ipc_namespace *ns, int kind,
				   int id);
void ckpt_ipc_put(int kind, struct kern_ipc_perm *perm);
bool ckpt_ipc_valid(struct kern_ipc_perm *perm);
int ckpt_ipc_mni(void);
void ckpt_ipc_set_owner(struct kern_ipc_perm *perm, kuid_t uid, kgid_t gid,
			kuid_t cuid, kgid_t cgid, umode_t mode);

/* SysV shared memory */
struct ckpt_shm_info {
	size_t size;
	unsigned long nattch;
	time64_t atime, dtime, ctime;
	struct pid *cpid, *lpid;	/* references, or NULL */
	struct file *file;		/* the shmem file, a reference */
	bool dest, locked, noreserve, huge;
};

bool ckpt_shm_is_attach(struct file *file);
struct kern_ipc_perm *ckpt_shm_of_file(struct file *file,
				       struct ipc_namespace **ns);
int ckpt_shm_info(struct kern_ipc_perm *perm, struct ckpt_shm_info *info);
unsigned long ckpt_shm_nattch(struct kern_ipc_perm *perm);
struct kern_ipc_perm *ckpt_shm_create(struct ipc_namespace *ns, int id,
				      key_t key, size_t size, bool noreserve,
				      struct file **file);
int ckpt_shm_lock(struct kern_ipc_perm *perm);
void ckpt_shm_set(struct kern_ipc_perm *perm, const struct ckpt_shm_info *info);
struct file *ckpt_shm_attach(struct kern_ipc_perm *perm, bool rw);
void ckpt_shm_done(struct kern_ipc_perm *perm, bool dest);
void ckpt_shm_remove(struct kern_ipc_perm *perm);

/* SysV semaphores */
struct ckpt_sem_info {
	int nsems;
	time64_t otime, ctime;
	u16 *vals;			/* nsems values */
	struct pid **pids;		/* nsems references, or NULL */
};

/* the SEM_UNDO adjustments of a task, as ckpt_semundo_get() copies them */
struct ckpt_semundo {
	const void *ulp;		/* the list: an identity, no reference */
	long users;			/* tasks that share it */
	unsigned int nr;
	struct ckpt_semadj {
		int semid;
		int nsems;
		s16 *adj;
	} ent[];
};

int ckpt_sem_nsems(struct kern_ipc_perm *perm);
int ckpt_sem_info(struct kern_ipc_perm *perm, struct ckpt_sem_info *info);
int ckpt_sem_users(struct kern_ipc_perm *perm);
struct kern_ipc_perm *ckpt_sem_create(struct ipc_namespace *ns, int id,
				      key_t key, int nsems);
void ckpt_sem_set(struct kern_ipc_perm *perm, const struct ckpt_sem_info *info);
void ckpt_sem_remove(struct ipc_namespace *ns, struct kern_ipc_perm *perm);
struct ckpt_semundo *ckpt_semundo_get(struct task_struct *t);
void ckpt_semundo_free(struct ckpt_semundo *u);
int ckpt_semundo_set(struct kern_ipc_perm *perm, const s16 *adj, int nsems);

/*
 * Messages as ckpt_msq_copy() and ckpt_mq_copy() give them: each a struct
 * ckpt_msg and its text, padded to a multiple of 8 bytes.
 */
struct ckpt_msg {
	long type;			/* SysV mtype, POSIX priority */
	size_t len;
	char text[];
};

/* SysV message queues */
struct ckpt_msq_info {
	unsigned long qbytes, cbytes, qnum;
	time64_t stime, rtime, ctime;
	struct pid *lspid, *lrpid;	/* references, or NULL */
	int waiters;			/* tasks sleeping in msgsnd/msgrcv */
};

int ckpt_msq_info(struct kern_ipc_perm *perm, struct ckpt_msq_info *info);
void *ckpt_msq_copy(struct kern_ipc_perm *perm, size_t *len,
		    unsigned long *nr);
struct kern_ipc_perm *ckpt_msq_create(struct ipc_namespace *ns, int id,
				      key_t key);
int ckpt_msq_send(struct ipc_namespace *ns, struct kern_ipc_perm *perm,
		  long type, const void *text, size_t len);
void ckpt_msq_set(struct kern_ipc_perm *perm, const struct ckpt_msq_info *info);
void ckpt_msq_remove(struct ipc_namespace *ns, struct kern_ipc_perm *perm);

/* POSIX message queues */
struct ckpt_mq_info {
	long maxmsg, msgsize, curmsgs;
	bool notify;			/* mq_notify() registered */
};

struct ipc_namespace *ckpt_mq_ns(struct file *file);
int ckpt_mq_info(struct inode *inode, struct ckpt_mq_info *info);
void *ckpt_mq_copy(struct inode *inode, size_t *len, unsigned long *nr);
struct dentry **ckpt_mq_list(struct ipc_namespace *ns, unsigned int *nr);
struct dentry *ckpt_mq_create(struct ipc_namespace *ns, const char *name,
			      umode_t mode, long maxmsg, long msgsize,
			      bool unlinked);
int ckpt_mq_send(struct inode *inode, unsigned int prio, const void *text,
		 size_t len);

#endif /* _LINUX_CHECKPOINT_H */
