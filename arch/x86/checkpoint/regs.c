// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: x86_64 registers, FPU/xstate and the checks for
 * what an x86 task may have that is not supported.
 */

#include <linux/checkpoint.h>
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
#include <asm/prctl.h>
#include <asm/ptrace.h>
#include <asm/segment.h>
#include <asm/sigcontext.h>
#include <asm/syscall.h>
#include <asm/vdso.h>
#include <asm/proto.h>
#include <asm/fpu/types.h>

int ckpt_arch_check_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	const char *why = NULL;
	int i;

	if (test_tsk_thread_flag(t, TIF_ADDR32) ||
	    task_pt_regs(t)->cs != __USER_CS)
		why = "32-bit tasks are not supported";
#ifdef CONFIG_MODIFY_LDT_SYSCALL
	else if (t->mm && READ_ONCE(t->mm->context.ldt))
		why = "an LDT is not supported";
#endif
	else if (t->thread.io_bitmap || t->thread.iopl_emul)
		why = "I/O port permissions are not supported";
#ifdef CONFIG_X86_USER_SHADOW_STACK
	else if (t->thread.features & ARCH_SHSTK_SHSTK)
		why = "shadow stacks are not supported";
#endif
	for (i = 0; !why && i < GDT_ENTRY_TLS_ENTRIES; i++)
		if (!desc_empty(&t->thread.tls_array[i]))
			why = "set_thread_area() TLS is not supported";
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
static void ckpt_fill_regs(struct ckpt_ctx *ctx, struct task_struct *t,
			   struct ckpt_rec_x86_regs *r)
{
	struct pt_regs *regs = task_pt_regs(t);
	unsigned long ax = regs->ax, ip = regs->ip;
	unsigned short ds, es, fs, gs;

	if (ctx->self) {
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

int ckpt_arch_dump_task(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct ckpt_rec_x86_regs r = {};
	int ret;

	ckpt_fill_regs(ctx, t, &r);
	ret = ckpt_write_record(ctx, CKPT_REC_X86_REGS, &r, sizeof(r), NULL, 0);
	if (!ret)
		ret = ckpt_dump_xstate(ctx, t);
	return ret;
}
