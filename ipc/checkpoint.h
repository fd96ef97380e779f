/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart of IPC objects: what the files of ipc/ that take
 * part in it share (see include/linux/checkpoint.h for what they provide).
 */
#ifndef _IPC_CHECKPOINT_H
#define _IPC_CHECKPOINT_H

#include <linux/checkpoint.h>
#include <linux/msg.h>

struct ipc_namespace;
struct ipc_params;
struct kern_ipc_perm;

/* ipc/checkpoint_util.c */
int ckpt_ipc_new(struct ipc_namespace *ns, int kind, int id,
		 struct ipc_params *params,
		 int (*getnew)(struct ipc_namespace *, struct ipc_params *));

/* ipc/checkpoint_{shm,sem,msg}.c */
void ckpt_shm_put(struct kern_ipc_perm *perm);
void ckpt_sem_put(struct kern_ipc_perm *perm);
void ckpt_msq_put(struct kern_ipc_perm *perm);

/* ipc/checkpoint_msgutil.c */
struct msg_msg *ckpt_load_msg(const void *text, size_t len);
void ckpt_store_msg(void *text, struct msg_msg *msg, size_t len);
size_t ckpt_msgs_size(size_t bytes, unsigned long nr);
void *ckpt_msg_put(void *pos, struct msg_msg *msg);

#endif /* _IPC_CHECKPOINT_H */
