/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the "cr" cgroup controller shared with its KUnit tests.
 */
#ifndef _CHECKPOINT_CGROUP_H
#define _CHECKPOINT_CGROUP_H

#include <linux/types.h>

int ckpt_exclude_parse(const char *buf, size_t len, u32 cur, u32 *mask);

#endif /* _CHECKPOINT_CGROUP_H */
