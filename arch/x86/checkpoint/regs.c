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

int ckpt_arch_restore_regs(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_x86_regs *r;
	int ret = -EINVAL;

	r = ckpt_read_payload(ctx, h, sizeof(*r), sizeof(*r));
	if (IS_ERR(r))
		return PTR_ERR(r);
	if (le64_to_cpu(r->cs) == __USER_CS &&
	    le64_to_cpu(r->ss) == __USER_DS &&
	    !(le64_to_cpu(r->eflags) & ~(u64)CKPT_EFLAGS_USER) &&
	    le64_to_cpu(r->orig_rax) == (u64)-1 &&
	    ckpt_user_addr(le64_to_cpu(r->rip)) &&
	    ckpt_user_addr(le64_to_cpu(r->rsp)) &&
	    ckpt_user_addr(le64_to_cpu(r->fs_base)) &&
	    ckpt_user_addr(le64_to_cpu(r->gs_base)) &&
	    ckpt_user_data_sel(le64_to_cpu(r->ds)) &&
	    ckpt_user_data_sel(le64_to_cpu(r->es)) &&
	    !le64_to_cpu(r->fs) && !le64_to_cpu(r->gs)) {
		ctx->rst->regs = *r;
		ret = 0;
	}
	kvfree(r);
	return ret;
}

int ckpt_arch_restore_xstate(struct ckpt_ctx *ctx, const struct ckpt_rhdr *h)
{
	struct ckpt_rec_x86_xstate *r;
	u32 size;

	r = ckpt_read_payload(ctx, h, sizeof(*r) + sizeof(struct fxregs_state),
			      sizeof(*r) + SZ_64K);
	if (IS_ERR(r))
		return PTR_ERR(r);
	size = le32_to_cpu(r->size);
	if (h->len != sizeof(*r) + size) {
		kvfree(r);
		return -EINVAL;
	}
	/* keep the record: the buffer is checked when it is loaded */
	ctx->rst->xstate = r;
	ctx->rst->xstate_size = size;
	return 0;
}

/*
 * In the restored task, on its way to user mode after ret_from_fork (which
 * clears rax): the registers it returns with.  They were checked when read.
 */
void ckpt_arch_set_regs(struct ckpt_rst *rst)
{
	const struct ckpt_rec_x86_regs *r = &rst->regs;
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

/*
 * Load the saved FPU state into @t, which sleeps in the kernel on its way
 * to user mode: through the regset, as PTRACE_SETREGSET would, with the
 * checks sigreturn applies to an XSAVE buffer from user space.
 */
int ckpt_arch_set_xstate(struct ckpt_rst *rst, struct task_struct *t)
{
	struct ckpt_rec_x86_xstate *r = rst->xstate;
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
	memcpy(buf, r->xsave, min(size, rst->xstate_size));
	ret = rs->set(t, rs, 0, size, buf, NULL);
	kvfree(buf);
	return ret;
}

/* map the vDSO where it was; it must be the same size as this kernel's */
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
