/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint/restart: the x86 state of a task that restart keeps until the
 * task is complete (arch/x86/checkpoint/).
 */
#ifndef _ASM_X86_CHECKPOINT_H
#define _ASM_X86_CHECKPOINT_H

#include <uapi/linux/checkpoint.h>

/**
 * struct ckpt_arch_task - registers and FPU state of a task being restored
 * @regs:	the general registers, checked
 * @xstate:	the CKPT_REC_X86_XSTATE record, checked when it is loaded
 * @xstate_size: bytes of its XSAVE buffer
 */
struct ckpt_arch_task {
	struct ckpt_rec_x86_regs regs;
	struct ckpt_rec_x86_xstate *xstate;
	u32 xstate_size;
};

#endif /* _ASM_X86_CHECKPOINT_H */
