/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "cr" cgroup controller: what checkpoint(2) leaves out of an image.
 */
#ifndef _LINUX_CGROUP_CHECKPOINT_H
#define _LINUX_CGROUP_CHECKPOINT_H

#include <linux/types.h>

struct task_struct;

#ifdef CONFIG_CGROUP_CHECKPOINT
u32 ckpt_cgroup_exclude(struct task_struct *t);
#else
static inline u32 ckpt_cgroup_exclude(struct task_struct *t)
{
	return 0;
}
#endif

#endif /* _LINUX_CGROUP_CHECKPOINT_H */
