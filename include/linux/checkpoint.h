/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: what other parts of the kernel provide to it.
 *
 * The checkpoint code itself keeps its interfaces in
 * kernel/checkpoint/internal.h.
 */
#ifndef _LINUX_CHECKPOINT_H
#define _LINUX_CHECKPOINT_H

#include <linux/types.h>

struct folio;
struct vm_area_struct;

/* mm/checkpoint.c */
int install_new_anon_folios(struct vm_area_struct *vma,
			    const unsigned long *addrs, struct folio **folios,
			    unsigned int nr);

#endif /* _LINUX_CHECKPOINT_H */
