// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: x86_64 registers, FPU/xstate and the checks for
 * what an x86 task may have that is not supported.
 */

#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/ptrace.h>
#include <linux/regset.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include <asm/desc.h>
#include <asm/fsgsbase.h>
#include <asm/mmu_context.h>
#include <asm/prctl.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/sigcontext.h>
#include <asm/syscall.h>
#include <asm/vdso.h>
#include <asm/proto.h>
#include <asm/fpu/types.h>

#include "internal.h"	/* kernel/checkpoint/ */

/* the x86 state of a task that checkpoint cannot save, or NULL */
static const char *ckpt_arch_refused(struct task_struct *t)
{
	struct mm_struct *mm = READ_ONCE(t->mm);
	int i;

	/*
	 * x32 runs in the 64-bit code segment with TIF_ADDR32 set, as a
	 * 32-bit task has it, and its mm has no vsyscall page, as a 64-bit
	 * one has: say which it is before the test for 32-bit tasks
	 */
	if (IS_ENABLED(CONFIG_X86_X32_ABI) && mm &&
	    test_tsk_thread_flag(t, TIF_ADDR32) &&
	    task_pt_regs(t)->cs == __USER_CS &&
	    !test_bit(MM_CONTEXT_HAS_VSYSCALL, &mm->context.flags))
		return "x32 tasks are not supported";
	if (test_tsk_thread_flag(t, TIF_ADDR32) ||
	    task_pt_regs(t)->cs != __USER_CS)
		return "32-bit tasks are not supported";
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	if (mm && READ_ONCE(mm->context.ldt))
		return "an LDT is not supported";
#endif
	if (mm && mm_lam_cr3_mask(mm))
		return "linear address masking (LAM) is not supported";
	if (t->thread.io_bitmap || t->thread.iopl_emul)
		return "I/O port permissions are not supported";
#ifdef CONFIG_X86_USER_SHADOW_STACK
	if (t->thread.features & ARCH_SHSTK_SHSTK)
		return "shadow stacks are not supported";
#endif
	if (test_tsk_thread_flag(t, TIF_NOTSC))
		return "PR_SET_TSC is not supported";
	if (test_tsk_thread_flag(t, TIF_NOCPUID))
		return "ARCH_SET_CPUID is not supported";
	for (i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++)
		if (!desc_empty(&t->thread.tls_array[i]))
			return "set_thread_area() TLS is not supported";
	return NULL;
}

/**
 * ckpt_arch_check_task - refuse x86 state that is not saved
 * @ctx: context
 * @t: the task, held still (or the caller of restart, whose state its
 *     clones would inherit)
 */
int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	const char *why;

	/* its user registers are on its kernel stack, gone once it died */
	if (!try_get_task_stack(t))
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
				"task was killed during checkpoint");
	why = ckpt_arch_refused(t);
	put_task_stack(t);
	if (why)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_ARCH, -1, 0, "%s",
				why);
	return 0;
}

/*
 * The registers with which the task goes on: an interrupted system call is
 * restarted as after a signal that has no handler.  ERESTART_RESTARTBLOCK
 * (nanosleep, poll) restarts the original call with its original arguments:
 * the kernel's restart block is not saved.  A task that checkpoints itself
 * sees 0 returned in the copy.
 */
static void ckpt_fill_regs(struct task_struct *t, bool self,
			   struct ckpt_rec_x86_regs *r)
{
	struct pt_regs *regs = task_pt_regs(t);
	unsigned long ax = regs->ax, ip = regs->ip;
	unsigned short ds, es, fs, gs;

	if (self) {
		ax = 0;
		savesegment(ds, ds);
		savesegment(es, es);
		savesegment(fs, fs);
		savesegment(gs, gs);
	} else {
		if (syscall_get_nr(t, regs) >= 0) {
			switch (regs->ax) {
			case -ERESTARTNOHAND:
			case -ERESTARTSYS:
			case -ERESTARTNOINTR:
			case -ERESTART_RESTARTBLOCK:
				ax = regs->orig_ax;
				ip -= 2;
				break;
			}
		}
		ds = t->thread.ds;
		es = t->thread.es;
		fs = t->thread.fsindex;
		gs = t->thread.gsindex;
	}

	r->r15 = cpu_to_le64(regs->r15);
	r->r14 = cpu_to_le64(regs->r14);
	r->r13 = cpu_to_le64(regs->r13);
	r->r12 = cpu_to_le64(regs->r12);
	r->rbp = cpu_to_le64(regs->bp);
	r->rbx = cpu_to_le64(regs->bx);
	r->r11 = cpu_to_le64(regs->r11);
	r->r10 = cpu_to_le64(regs->r10);
	r->r9 = cpu_to_le64(regs->r9);
	r->r8 = cpu_to_le64(regs->r8);
	r->rax = cpu_to_le64(ax);
	r->rcx = cpu_to_le64(regs->cx);
	r->rdx = cpu_to_le64(regs->dx);
	r->rsi = cpu_to_le64(regs->si);
	r->rdi = cpu_to_le64(regs->di);
	r->orig_rax = cpu_to_le64(-1);
	r->rip = cpu_to_le64(ip);
	r->cs = cpu_to_le64(regs->cs);
	r->eflags = cpu_to_le64(regs->flags);
	r->rsp = cpu_to_le64(regs->sp);
	r->ss = cpu_to_le64(regs->ss);
	r->fs_base = cpu_to_le64(x86_fsbase_read_task(t));
	r->gs_base = cpu_to_le64(x86_gsbase_read_task(t));
	r->ds = cpu_to_le64(ds);
	r->es = cpu_to_le64(es);
	r->fs = cpu_to_le64(fs);
	r->gs = cpu_to_le64(gs);
}

/**
 * ckpt_arch_tls_base - the thread pointer of a task (its FS base)
 * @t: a task held still, or current
 */
unsigned long ckpt_arch_tls_base(struct task_struct *t)
{
	return x86_fsbase_read_task(t);
}

static const struct user_regset *ckpt_find_regset(struct task_struct *t,
						  unsigned int note)
{
	const struct user_regset_view *view = task_user_regset_view(t);
	unsigned int i;

	for (i = 0; i < view->n; i++)
		if (view->regsets[i].core_note_type == note &&
		    view->regsets[i].n)
			return &view->regsets[i];
	return NULL;
}

/* the FPU state in the layout PTRACE_GETREGSET(NT_X86_XSTATE) gives */
static int ckpt_dump_xstate(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_x86_xstate r = {};
	const struct user_regset *rs;
	void *buf = NULL;
	u64 xcr0;
	int size, ret;

	rs = ckpt_find_regset(t, NT_X86_XSTATE);
	if (!rs || (rs->active && rs->active(t, rs) <= 0))
		rs = ckpt_find_regset(t, NT_PRFPREG);
	if (!rs)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_ARCH, -1, 0,
				"no FPU state");
	size = regset_get_alloc(t, rs, rs->n * rs->size, &buf);
	if (size < 0)
		return size;
	if (size < sizeof(struct fxregs_state)) {
		kvfree(buf);
		return -EINVAL;
	}
	/* as in core dumps, the sw_reserved bytes start with XCR0 */
	memcpy(&xcr0, buf + offsetof(struct fxregs_state, sw_reserved),
	       sizeof(xcr0));
	if (rs->core_note_type != NT_X86_XSTATE)
		xcr0 = XFEATURE_MASK_FPSSE;
	r.xfeatures = cpu_to_le64(xcr0);
	r.size = cpu_to_le32(size);
	ret = ckpt_write_record(ctx, CKPT_REC_X86_XSTATE, &r, sizeof(r), buf,
				size);
	kvfree(buf);
	return ret;
}

/**
 * ckpt_arch_dump_task - write a task's registers and FPU state
 * @ctx: checkpoint context
 * @t: the task, off its CPU (or the caller)
 * @self: @t is the caller, in checkpoint(2)
 */
int ckpt_arch_dump_task(struct ckpt_ctx *ctx, struct task_struct *t,
			bool self)
{
	struct ckpt_rec_x86_regs r = {};
	int ret;

	/* a task killed while held may have died: its stack went with it */
	if (!try_get_task_stack(t))
		return ckpt_err(ctx, -ESRCH, CKPT_OBJ_TASK, -1, 0,
				"task was killed during checkpoint");
	ckpt_fill_regs(t, self, &r);
	put_task_stack(t);
	ret = ckpt_write_record(ctx, CKPT_REC_X86_REGS, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_dump_xstate(ctx, t);
	return ret;
}

/* eflags bits a user task can hold, as ptrace's putreg() allows */
#define CKPT_EFLAGS_USER (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
			  X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
			  X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_RF | \
			  X86_EFLAGS_AC | X86_EFLAGS_ID | X86_EFLAGS_IF | \
			  X86_EFLAGS_FIXED)

static bool ckpt_user_addr(u64 addr)
{
	return addr < TASK_SIZE_MAX;
}

static bool ckpt_user_data_sel(u64 sel)
{
	return !sel || sel == __USER_DS;
}

/* one rule per errno: the registers a user task can have */
static int ckpt_regs_valid(const struct ckpt_rec_x86_regs *r)
{
	if (le64_to_cpu(r->cs) != __USER_CS || le64_to_cpu(r->ss) != __USER_DS)
		return -EINVAL;
	if (le64_to_cpu(r->eflags) & ~(u64)CKPT_EFLAGS_USER)
		return -EINVAL;
	if (le64_to_cpu(r->orig_rax) != (u64)-1)
		return -EINVAL;
	if (!ckpt_user_addr(le64_to_cpu(r->rip)) ||
	    !ckpt_user_addr(le64_to_cpu(r->rsp)) ||
	    !ckpt_user_addr(le64_to_cpu(r->fs_base)) ||
	    !ckpt_user_addr(le64_to_cpu(r->gs_base)))
		return -EINVAL;
	if (!ckpt_user_data_sel(le64_to_cpu(r->ds)) ||
	    !ckpt_user_data_sel(le64_to_cpu(r->es)) || r->fs || r->gs)
		return -EINVAL;
	return 0;
}

/* CKPT_REC_X86_REGS: checked now, set on the way to user mode */
static int ckpt_restore_regs(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     const struct ckpt_rhdr *h, void *rec)
{
	int ret = ckpt_regs_valid(rec);

	if (!ret)
		t->arch.regs = *(struct ckpt_rec_x86_regs *)rec;
	return ret;
}

/* CKPT_REC_X86_XSTATE: kept, checked when it is loaded */
static int ckpt_restore_xstate(struct ckpt_ctx *ctx, struct ckpt_task *t,
			       const struct ckpt_rhdr *h, void *rec)
{
	struct ckpt_rec_x86_xstate *r = rec;
	u32 size = le32_to_cpu(r->size);

	if (h->len != sizeof(*r) + size || r->__pad)
		return -EINVAL;
	t->arch.xstate = kvmemdup(r, h->len, GFP_KERNEL_ACCOUNT);
	if (!t->arch.xstate)
		return -ENOMEM;
	t->arch.xstate_size = size;
	return 0;
}

/**
 * ckpt_arch_task_free - drop the x86 state restart kept
 * @arch: the state
 */
void ckpt_arch_task_free(struct ckpt_arch_task *arch)
{
	kvfree(arch->xstate);
	arch->xstate = NULL;
}

/**
 * ckpt_arch_init_mm - what a new 64-bit address space has, as execve() sets it
 * @mm: the mm, not in use yet
 */
void ckpt_arch_init_mm(struct mm_struct *mm)
{
	__set_bit(MM_CONTEXT_HAS_VSYSCALL, &mm->context.flags);
}

/**
 * ckpt_arch_set_regs - set the registers of the restored task, current
 * @arch: its state, checked when it was read
 *
 * Called on the way to user mode, after ret_from_fork cleared rax.
 */
void ckpt_arch_set_regs(struct ckpt_arch_task *arch)
{
	const struct ckpt_rec_x86_regs *r = &arch->regs;
	struct pt_regs *regs = current_pt_regs();

	regs->r15 = le64_to_cpu(r->r15);
	regs->r14 = le64_to_cpu(r->r14);
	regs->r13 = le64_to_cpu(r->r13);
	regs->r12 = le64_to_cpu(r->r12);
	regs->bp = le64_to_cpu(r->rbp);
	regs->bx = le64_to_cpu(r->rbx);
	regs->r11 = le64_to_cpu(r->r11);
	regs->r10 = le64_to_cpu(r->r10);
	regs->r9 = le64_to_cpu(r->r9);
	regs->r8 = le64_to_cpu(r->r8);
	regs->ax = le64_to_cpu(r->rax);
	regs->cx = le64_to_cpu(r->rcx);
	regs->dx = le64_to_cpu(r->rdx);
	regs->si = le64_to_cpu(r->rsi);
	regs->di = le64_to_cpu(r->rdi);
	regs->orig_ax = -1;
	regs->ip = le64_to_cpu(r->rip);
	regs->sp = le64_to_cpu(r->rsp);
	regs->flags = le64_to_cpu(r->eflags) | X86_EFLAGS_IF | X86_EFLAGS_FIXED;
	regs->cs = __USER_CS;
	regs->ss = __USER_DS;
	do_arch_prctl_64(current, ARCH_SET_FS, le64_to_cpu(r->fs_base));
	do_arch_prctl_64(current, ARCH_SET_GS, le64_to_cpu(r->gs_base));
}

/**
 * ckpt_arch_set_xstate - load the saved FPU state into a restored task
 * @arch: its state
 * @t: the task, off its CPU on its way to user mode
 *
 * Through the regset, as PTRACE_SETREGSET would, with the checks sigreturn
 * applies to an XSAVE buffer from user space.
 */
int ckpt_arch_set_xstate(struct ckpt_arch_task *arch, struct task_struct *t)
{
	struct ckpt_rec_x86_xstate *r = arch->xstate;
	const struct user_regset *rs;
	unsigned int size;
	void *buf;
	int ret;

	rs = ckpt_find_regset(t, NT_X86_XSTATE);
	if (!rs || (rs->active && rs->active(t, rs) <= 0))
		rs = ckpt_find_regset(t, NT_PRFPREG);
	if (!rs || !rs->set)
		return -EOPNOTSUPP;
	size = rs->n * rs->size;
	buf = kvzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, r->xsave, min(size, arch->xstate_size));
	ret = rs->set(t, rs, 0, size, buf, NULL);
	kvfree(buf);
	return ret;
}

/**
 * ckpt_arch_map_vdso - map the vDSO where it was
 * @vvar: start of [vvar]
 * @vvar_end: its end
 * @vdso: start of [vdso]
 * @vdso_end: its end
 *
 * It must have the size and layout of this kernel's.
 */
int ckpt_arch_map_vdso(unsigned long vvar, unsigned long vvar_end,
		       unsigned long vdso, unsigned long vdso_end)
{
	const struct vdso_image *image = &vdso_image_64;
	int ret;

	if (vvar_end - vvar != -image->sym_vvar_start || vdso != vvar_end ||
	    vdso_end - vdso != image->size)
		return -EINVAL;
	ret = map_vdso_once(image, vvar);
	if (!ret && current->mm->context.vdso != (void __user *)vdso)
		ret = -EINVAL;
	return ret;
}

static const struct ckpt_rec_ops ckpt_x86_records[] = {
	{
		.type = CKPT_REC_X86_REGS,
		.name = "X86_REGS",
		.place = CKPT_PLACE_TASK,
		.min_len = sizeof(struct ckpt_rec_x86_regs),
		.max_len = sizeof(struct ckpt_rec_x86_regs),
		.once = true,
		.required = true,
		.restore = ckpt_restore_regs,
	},
	{
		.type = CKPT_REC_X86_XSTATE,
		.name = "X86_XSTATE",
		.place = CKPT_PLACE_TASK,
		.min_len = sizeof(struct ckpt_rec_x86_xstate) +
			   sizeof(struct fxregs_state),
		.max_len = sizeof(struct ckpt_rec_x86_xstate) + SZ_64K,
		.once = true,
		.required = true,
		.restore = ckpt_restore_xstate,
	},
};

static int __init ckpt_x86_init(void)
{
	return ckpt_register_records(ckpt_x86_records,
				     ARRAY_SIZE(ckpt_x86_records));
}
core_initcall(ckpt_x86_init);
