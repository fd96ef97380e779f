// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: checkpoint(2).
 *
 * checkpoint(pid, fd, flags) writes an image of the process @pid, all its
 * descendants and all their threads to @fd.  The tasks are held still for
 * the duration (hold.c), then:
 *
 * 1. the tree is listed in preorder, with each task's pids in the image's
 *    pid namespace (tree.c);
 * 2. the header is written, and every task is checked for what cannot be
 *    saved;
 * 3. the objects the tasks use are collected (first those of their
 *    namespaces), and those shared with a task outside the image are
 *    refused (objhash.c);
 * 4. the tree, the objects that precede every task (namespaces, IPC
 *    objects), then each task's section, then the tail are written;
 * 5. the tasks go on (or are killed with CHECKPOINT_KILL).
 *
 * Anything refused after the header ends the image with an error record
 * that says why.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/syscalls.h>

#include "internal.h"

static atomic64_t ckpt_last_id;

/* kill every process of the image, once it is complete */
static void ckpt_kill_tree(struct ckpt_ctx *ctx)
{
	unsigned int i;

	/* what the tasks' exit would tell the outside, they keep quiet */
	ckpt_net_kill(ctx);
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];

		if (!ckpt_is_thread(t) && !(t->flags & CKPT_TREE_ZOMBIE))
			send_sig(SIGKILL, t->task, 1);
	}
}

/* the image of the held tree, after its header */
static int ckpt_dump(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret;

	ret = ckpt_check_tree(ctx);
	/* the namespaces and their objects first: the tasks refer to them */
	if (!ret)
		ret = ckpt_collect_ns(ctx);
	for (i = 0; i < ctx->nr_tasks && !ret; i++)
		ret = ckpt_collect_task(ctx, &ctx->tasks[i]);
	ctx->cur = NULL;
	if (!ret)
		ret = ckpt_obj_check_users(ctx);
	if (!ret)
		ret = ckpt_dump_tree(ctx);
	if (!ret)
		ret = ckpt_dump_globals(ctx);
	for (i = 0; i < ctx->nr_tasks && !ret; i++)
		ret = ckpt_dump_task(ctx, &ctx->tasks[i]);
	if (!ret)
		ret = ckpt_hold_verify(ctx);
	ctx->cur = NULL;
	return ret;
}

static long ckpt_do_checkpoint(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct task_struct *root = t->group_leader;
	struct pid_namespace *ns;
	int ret, err;

	if (t->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER))
		return -EINVAL;
	/* a leader that exited before its threads is refused later, with why */
	if ((t->flags & PF_EXITING) && (t != root || thread_group_empty(t)))
		return -ESRCH;
	ns = task_active_pid_ns(root);
	ctx->pidns = get_pid_ns(ns);
	/* the init of a pid namespace: the whole namespace, a container */
	ctx->container = ns != &init_pid_ns && READ_ONCE(ns->child_reaper) == root;

	ret = ckpt_hold_tree(ctx, root);
	if (!ret)
		ret = ckpt_build_tree(ctx, root);
	if (!ret)
		ret = ckpt_write_header(ctx, ctx->exclude);
	if (!ret)
		ret = ckpt_dump(ctx);
	if (!ret)
		ret = ckpt_write_tail(ctx);
	if (!ret && (ctx->flags & CHECKPOINT_KILL))
		ckpt_kill_tree(ctx);
	ckpt_hold_release(ctx);

	if (ret && ctx->nr_records) {
		if (!ctx->error.err)
			ckpt_err(ctx, ret, CKPT_OBJ_NONE, -1, 0,
				 "checkpoint failed");
		/* best effort: the image may be what failed */
		err = ckpt_write_error(ctx);
		if (err)
			pr_debug("checkpoint: no error record: %d\n", err);
	}
	return ret;
}

/* the task @pid (or pidfd) names, with a reference */
static struct task_struct *ckpt_target(pid_t pid, unsigned long flags)
{
	struct task_struct *t;
	unsigned int f_flags;

	if (flags & CHECKPOINT_PIDFD)
		return pidfd_get_task(pid, &f_flags);
	if (pid < 0)
		return ERR_PTR(-ESRCH);
	if (!pid || pid == task_pid_vnr(current))
		return get_task_struct(current);
	t = find_get_task_by_vpid(pid);
	return t ?: ERR_PTR(-ESRCH);
}

SYSCALL_DEFINE3(checkpoint, pid_t, pid, int, fd, unsigned long, flags)
{
	struct task_struct *t;
	struct ckpt_ctx *ctx;
	struct fd f;
	long ret;

	if (flags & ~CHECKPOINT_FLAGS_ALL)
		return -EINVAL;
	t = ckpt_target(pid, flags);
	if (IS_ERR(t))
		return PTR_ERR(t);

	f = fdget_pos(fd);
	ret = -EBADF;
	if (!fd_file(f))
		goto out_task;
	ctx = ckpt_ctx_alloc(fd_file(f), flags, false);
	ret = PTR_ERR(ctx);
	if (IS_ERR(ctx))
		goto out_fd;
	ctx->id = atomic64_inc_return(&ckpt_last_id) & LONG_MAX;
	ret = ckpt_do_checkpoint(ctx, t);
	if (!ret)
		ret = ctx->id;
	ckpt_ctx_free(ctx);
out_fd:
	fdput_pos(f);
out_task:
	put_task_struct(t);
	return ret;
}
