// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint/restart: the tree of tasks.
 *
 * checkpoint(pid) saves the process of @pid and all its descendants, each
 * with all its threads: the tree is walked in preorder (a process, its
 * threads, then the children of each thread), which is also the order of
 * the image's sections.  When the top is the init of a pid namespace, the
 * image is a container: the whole namespace, whose pids it keeps.
 *
 * restart() creates the tasks in the same order: each task, once it has
 * read its own section, creates its threads and its children with
 * kernel_clone(), sharing what they share with it, and hands the image on
 * to the next task of the tree.  Zombies are created too and exit at once
 * with their saved status, unseen by their parent until restart ends.
 */

#include <linux/cgroup_checkpoint.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/tty.h>
#include <linux/xarray.h>
#include <uapi/linux/wait.h>

#include "internal.h"

struct ckpt_fill {
	struct ckpt_ctx *ctx;
	unsigned int nr;
};

/* under tasklist_lock: add the threads of a process, as the hold walked */
static int ckpt_fill_process(struct task_struct *leader, void *data)
{
	struct ckpt_fill *f = data;
	struct task_struct *t;

	if (READ_ONCE(leader->vfork_done))
		return 0;
	for_each_thread(leader, t) {
		if (t->exit_state == EXIT_DEAD)
			continue;
		if (f->nr < f->ctx->nr_tasks)
			f->ctx->tasks[f->nr].task = get_task_struct(t);
		f->nr++;
	}
	return 1;
}

/* the pids of @t as the image has them */
static void ckpt_fill_ids(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	struct pid_namespace *ns = ctx->pidns;
	struct task_struct *tsk = t->task;
	struct signal_struct *sig = tsk->signal;

	rcu_read_lock();
	t->pid = task_pid_nr_ns(tsk, ns);
	t->tgid = task_tgid_nr_ns(tsk, ns);
	t->pgid = task_pgrp_nr_ns(tsk, ns);
	t->sid = task_session_nr_ns(tsk, ns);
	t->ppid = t->parent < 0 ? 0 :
		  task_pid_nr_ns(ctx->tasks[t->parent].task, ns);
	rcu_read_unlock();
	if (tsk->exit_state) {
		t->flags |= CKPT_TREE_ZOMBIE;
		t->exit_code = (sig->flags & SIGNAL_GROUP_EXIT) ?
			       sig->group_exit_code : tsk->exit_code;
	}
	t->exit_signal = thread_group_leader(tsk) ? tsk->exit_signal : 0;
}

/* index of the task of the tree with global pid @nr, or -1 */
static int ckpt_tree_index(struct ckpt_ctx *ctx, pid_t nr)
{
	unsigned long i = xa_to_value(xa_load(&ctx->index, nr) ?: xa_mk_value(0));

	return (int)i - 1;
}

/**
 * ckpt_build_tree - list the tasks held, in the order of the image
 * @ctx: checkpoint context, whose tasks are held
 * @root: a thread of the process at the top
 *
 * Return: 0, -EAGAIN if the tree is not the one that was held, -ENOMEM
 */
int ckpt_build_tree(struct ckpt_ctx *ctx, struct task_struct *root)
{
	struct ckpt_fill f = { .ctx = ctx };
	unsigned int i;
	int ret;

	ctx->tasks = kvcalloc(ctx->nr_tasks, sizeof(*ctx->tasks),
			      GFP_KERNEL_ACCOUNT);
	if (!ctx->tasks)
		return -ENOMEM;
	read_lock(&tasklist_lock);
	ckpt_fill_process(root->group_leader, &f);
	read_unlock(&tasklist_lock);
	walk_process_tree(root, ckpt_fill_process, &f);
	if (f.nr != ctx->nr_tasks) {
		/* the tasks found first keep the entries; drop the rest */
		return ckpt_err(ctx, -EAGAIN, CKPT_OBJ_TASK, -1, 0,
				"the tree changed while it was held");
	}

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];

		t->vnr = task_pid_vnr(t->task);
		ret = xa_insert(&ctx->index, task_pid_nr(t->task),
				xa_mk_value(i + 1), GFP_KERNEL_ACCOUNT);
		if (ret)
			return ret;
		ret = ckpt_hold_state(ctx, t->task, &t->nvcsw);
		if (ret < 0) {
			ctx->cur = t;
			return ckpt_err(ctx, ret, CKPT_OBJ_TASK, -1, 0,
					"task exited during checkpoint");
		}
		t->stopped = ret == 1;
		t->self = t->task == current;
		/* what cr.exclude leaves out, by the process's cgroup */
		if (!(t->flags & CKPT_TREE_ZOMBIE))
			t->exclude = ckpt_cgroup_exclude(t->task->group_leader);
		ctx->exclude |= t->exclude;
		/* a zombie is what the walk saw; it cannot change while held */
	}
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		struct task_struct *p;

		rcu_read_lock();
		p = rcu_dereference(t->task->real_parent);
		t->leader = ckpt_tree_index(ctx, task_pid_nr(t->task->group_leader));
		t->parent = ckpt_tree_index(ctx, task_pid_nr(p));
		rcu_read_unlock();
		if (t->leader < 0 || (t->parent < 0 && ctx->tasks[t->leader].task !=
				      root->group_leader))
			return -EAGAIN;
		ckpt_fill_ids(ctx, t);
	}
	return 0;
}

/*
 * The namespaces of @t other than its pid namespace must be the caller's,
 * but for the ipc and uts namespaces of a container (see ns.c).
 */
static int ckpt_check_ns(struct ckpt_ctx *ctx, struct task_struct *t)
{
	struct nsproxy *mine = current->nsproxy, *its;
	bool same;

	task_lock(t);
	its = t->nsproxy;
	same = its && its->mnt_ns == mine->mnt_ns &&
	       its->cgroup_ns == mine->cgroup_ns &&
	       its->time_ns == mine->time_ns &&
	       its->pid_ns_for_children == task_active_pid_ns(t);
	task_unlock(t);
	/* the caller's, or a container's own: see netns.c */
	if (same)
		same = ckpt_net_task_ok(ctx, t);
	if (!same)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"namespaces differ from the caller's");
	if (task_active_pid_ns(t) != ctx->pidns)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"a nested pid namespace is not supported");
	return ckpt_check_task_ns(ctx, t);
}

/* a container: every task of its pid namespace is in the image */
static int ckpt_check_pidns(struct ckpt_ctx *ctx)
{
	struct pid_namespace *ns = ctx->pidns;
	struct task_struct *t;
	struct pid *pid;
	int nr, ret = 0;

	rcu_read_lock();
	idr_for_each_entry(&ns->idr, pid, nr) {
		t = pid_task(pid, PIDTYPE_PID);
		if (t && t->exit_state != EXIT_DEAD && !(t->flags & PF_EXITING) &&
		    ckpt_tree_index(ctx, task_pid_nr(t)) < 0) {
			ret = nr;
			break;
		}
	}
	rcu_read_unlock();
	if (ret)
		return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_NAMESPACE, -1, 0,
				"task %d of the pid namespace is not a descendant of its init",
				ret);
	return 0;
}

/**
 * ckpt_check_tree - refuse a tree that cannot be saved
 * @ctx: checkpoint context, whose tasks are held and listed
 *
 * Return: 0, or the errno with the reason in the error record
 */
int ckpt_check_tree(struct ckpt_ctx *ctx)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		struct task_struct *tsk = t->task;

		ctx->cur = t;
		if (tsk->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER))
			return ckpt_err(ctx, -EOPNOTSUPP, CKPT_OBJ_TASK, -1, 0,
					"kernel or io_uring worker thread");
		if (!ptrace_may_access(tsk, PTRACE_MODE_ATTACH_REALCREDS))
			return ckpt_err(ctx, -EPERM, CKPT_OBJ_TASK, -1, 0,
					"no permission to ptrace the task");
		if (READ_ONCE(tsk->ptrace))
			return ckpt_err(ctx, -EBUSY, CKPT_OBJ_TASK, -1, 0,
					"task is ptraced");
		if (t->flags & CKPT_TREE_ZOMBIE) {
			if (!thread_group_leader(tsk) || !thread_group_empty(tsk))
				return ckpt_err(ctx, -EOPNOTSUPP,
						CKPT_OBJ_THREAD, -1, 0,
						"the thread group leader exited before its threads");
			continue;
		}
		ret = ckpt_check_ns(ctx, tsk);
		if (!ret)
			ret = ckpt_check_task(ctx, t);
		if (ret)
			return ret;
	}
	ctx->cur = NULL;
	return ctx->container ? ckpt_check_pidns(ctx) : 0;
}

/**
 * ckpt_dump_tree - write the CKPT_REC_TREE record
 * @ctx: checkpoint context
 */
int ckpt_dump_tree(struct ckpt_ctx *ctx)
{
	struct ckpt_rec_tree r = {
		.nr_tasks = cpu_to_le32(ctx->nr_tasks),
		.flags = cpu_to_le32((ctx->container ? CKPT_TREE_PIDNS : 0) |
				     ctx->ns_flags),
	};
	struct ckpt_tree_entry *e;
	unsigned int i;
	int ret;

	e = kvcalloc(ctx->nr_tasks, sizeof(*e), GFP_KERNEL_ACCOUNT);
	if (!e)
		return -ENOMEM;
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];

		e[i].pid = cpu_to_le32(t->pid);
		e[i].tgid = cpu_to_le32(t->tgid);
		e[i].ppid = cpu_to_le32(t->ppid);
		e[i].pgid = cpu_to_le32(t->pgid);
		e[i].sid = cpu_to_le32(t->sid);
		e[i].flags = cpu_to_le32(t->flags);
		e[i].exit_signal = cpu_to_le32(t->exit_signal);
		e[i].exit_code = cpu_to_le32(t->exit_code);
		e[i].exclude = cpu_to_le32(t->exclude);
	}
	ret = ckpt_write_record(ctx, CKPT_REC_TREE, &r, sizeof(r), e,
				ctx->nr_tasks * sizeof(*e));
	kvfree(e);
	return ret;
}

/* restart: index of the entry with pid @pid, or -1 */
static int ckpt_entry(struct ckpt_ctx *ctx, pid_t pid)
{
	return pid > 0 ? ckpt_tree_index(ctx, pid) : -1;
}

/* one entry, in the context of those before it */
static int ckpt_entry_valid(struct ckpt_ctx *ctx, unsigned int i,
			    const struct ckpt_tree_entry *e)
{
	struct ckpt_task *t = &ctx->tasks[i];
	u32 flags = le32_to_cpu(e->flags);

	t->pid = le32_to_cpu(e->pid);
	t->tgid = le32_to_cpu(e->tgid);
	t->ppid = le32_to_cpu(e->ppid);
	t->pgid = le32_to_cpu(e->pgid);
	t->sid = le32_to_cpu(e->sid);
	t->flags = flags;
	t->exit_signal = le32_to_cpu(e->exit_signal);
	t->exit_code = le32_to_cpu(e->exit_code);
	t->exclude = le32_to_cpu(e->exclude);
	t->first_child = -1;
	t->next_sibling = -1;

	if (t->pid <= 0 || t->pid >= pid_max || t->tgid <= 0 ||
	    t->ppid < 0 || t->pgid < 0 || t->sid < 0 ||
	    (flags & ~CKPT_TREE_ZOMBIE) || (t->exclude & ~CKPT_EXCLUDE_ALL) ||
	    e->__pad || ckpt_entry(ctx, t->pid) >= 0)
		return -EINVAL;
	if (ctx->container && !i && t->pid != 1)
		return -EINVAL;
	if (!(flags & CKPT_TREE_ZOMBIE) && t->exit_code)
		return -EINVAL;
	if (t->exit_code > 0xffff)
		return -EINVAL;

	if (t->tgid != t->pid) {
		/* a thread: right after its leader or another of its threads */
		t->leader = i ? ctx->tasks[i - 1].leader : -1;
		if (t->leader < 0 || ctx->tasks[t->leader].pid != t->tgid ||
		    (flags & CKPT_TREE_ZOMBIE) || t->exit_signal ||
		    t->ppid != ctx->tasks[t->leader].ppid ||
		    t->pgid != ctx->tasks[t->leader].pgid ||
		    t->sid != ctx->tasks[t->leader].sid ||
		    t->exclude != ctx->tasks[t->leader].exclude ||
		    (ctx->tasks[t->leader].flags & CKPT_TREE_ZOMBIE))
			return -EINVAL;
		t->parent = ctx->tasks[t->leader].parent;
		return 0;
	}
	t->leader = i;
	if (t->exit_signal > _NSIG)
		return -EINVAL;
	/* only the top has its parent outside */
	if (!i)
		t->parent = t->ppid ? -2 : -1;
	else
		t->parent = ckpt_entry(ctx, t->ppid);
	if (t->parent == -2 || (i && t->parent < 0))
		return -EINVAL;
	if (t->parent >= 0 && (ctx->tasks[t->parent].flags & CKPT_TREE_ZOMBIE))
		return -EINVAL;
	return 0;
}

/*
 * The process groups and sessions of the image must be sound: a group
 * leader of the image is in the session of its members, a session leader
 * of the image leads its own group.
 */
static int ckpt_pgrps_valid(struct ckpt_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		int g = ckpt_entry(ctx, t->pgid), s = ckpt_entry(ctx, t->sid);

		if (ckpt_is_thread(t))
			continue;
		if (g >= 0 && (ckpt_is_thread(&ctx->tasks[g]) ||
			       ctx->tasks[g].sid != t->sid))
			return -EINVAL;
		if (s >= 0 && (ckpt_is_thread(&ctx->tasks[s]) ||
			       ctx->tasks[s].sid != t->sid ||
			       ctx->tasks[s].pgid != t->sid))
			return -EINVAL;
		if (t->sid == t->pid && t->pgid != t->pid)
			return -EINVAL;
	}
	return 0;
}

/**
 * ckpt_read_tree - read and check the CKPT_REC_TREE record
 * @ctx: restart context
 * @nr_tasks: the count the header gave
 *
 * Sets up one struct ckpt_task per entry and who creates whom.
 * Return: 0, -EINVAL for a malformed tree, -ENOMEM
 */
int ckpt_read_tree(struct ckpt_ctx *ctx, u32 nr_tasks)
{
	const size_t max = sizeof(struct ckpt_rec_tree) +
			   (CKPT_REC_MAX_LEN - sizeof(struct ckpt_rec_tree)) /
			   sizeof(struct ckpt_tree_entry) *
			   sizeof(struct ckpt_tree_entry);
	struct ckpt_rec_tree *r;
	int *last = NULL;
	unsigned int i;
	size_t len;
	u32 flags;
	int ret;

	r = ckpt_read_record(ctx, CKPT_REC_TREE, sizeof(*r) + sizeof(r->tasks[0]),
			     max, &len);
	if (IS_ERR(r))
		return PTR_ERR(r);
	ret = -EINVAL;
	flags = le32_to_cpu(r->flags);
	if (le32_to_cpu(r->nr_tasks) != nr_tasks ||
	    (flags & ~(CKPT_TREE_PIDNS | CKPT_TREE_IPCNS | CKPT_TREE_UTSNS)) ||
	    len != sizeof(*r) + (size_t)nr_tasks * sizeof(r->tasks[0]) ||
	    nr_tasks > pid_max)
		goto out;
	/* namespaces of its own: only for a container */
	if ((flags & (CKPT_TREE_IPCNS | CKPT_TREE_UTSNS)) &&
	    !(flags & CKPT_TREE_PIDNS))
		goto out;
	ctx->container = flags & CKPT_TREE_PIDNS;
	ctx->ns_flags = flags & (CKPT_TREE_IPCNS | CKPT_TREE_UTSNS);

	ret = -ENOMEM;
	ctx->tasks = kvcalloc(nr_tasks, sizeof(*ctx->tasks), GFP_KERNEL_ACCOUNT);
	last = kvcalloc(nr_tasks, sizeof(*last), GFP_KERNEL);
	if (!ctx->tasks || !last)
		goto out;
	for (i = 0; i < nr_tasks; i++) {
		init_completion(&ctx->tasks[i].turn);
		ctx->tasks[i].ctx = ctx;
	}
	ctx->nr_tasks = nr_tasks;

	for (i = 0; i < nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		int creator;

		ret = ckpt_entry_valid(ctx, i, &r->tasks[i]);
		if (ret)
			goto out;
		ret = xa_insert(&ctx->index, t->pid, xa_mk_value(i + 1),
				GFP_KERNEL_ACCOUNT);
		if (ret)
			goto out;
		/* the leader creates its threads; a thread its children */
		creator = ckpt_is_thread(t) ? t->leader : t->parent;
		if (creator < 0)
			continue;
		if (ctx->tasks[creator].first_child < 0)
			ctx->tasks[creator].first_child = i;
		else
			ctx->tasks[last[creator]].next_sibling = i;
		last[creator] = i;
	}
	if (ctx->tasks[0].flags & CKPT_TREE_ZOMBIE)
		ret = -EINVAL;
	else
		ret = ckpt_pgrps_valid(ctx);
out:
	kvfree(last);
	kvfree(r);
	return ret;
}

/**
 * ckpt_image_pid - the pid a process has in the image
 * @ctx: checkpoint context, whose tree is built
 * @pid: a pid (of a thread group, as IPC objects keep them), or NULL
 *
 * Return: its number in the image's pid namespace if it is a task of the
 * image, else 0
 */
pid_t ckpt_image_pid(struct ckpt_ctx *ctx, struct pid *pid)
{
	if (!pid || ckpt_tree_index(ctx, pid_nr(pid)) < 0)
		return 0;
	return pid_nr_ns(pid, ctx->pidns);
}

/**
 * ckpt_image_task_pid - the pid of the restored task with a pid of the image
 * @ctx: restart context, whose tasks all exist
 * @nr: the pid in the image, or 0
 *
 * Return: its struct pid with a reference, or NULL if @nr is no task of
 * the image
 */
struct pid *ckpt_image_task_pid(struct ckpt_ctx *ctx, pid_t nr)
{
	int i = ckpt_entry(ctx, nr);

	if (i < 0 || !ctx->tasks[i].task)
		return NULL;
	return get_pid(task_pid(ctx->tasks[i].task));
}

/* the pid the task of @t gets: its own, or any free one */
static size_t ckpt_child_tid(struct ckpt_ctx *ctx, struct ckpt_task *t,
			     pid_t *tid)
{
	if (!ctx->container && !(ctx->flags & RESTART_PIDS))
		return 0;
	*tid = t->pid;
	return 1;
}

/**
 * ckpt_create_children - create the threads and children of a task
 * @ctx: restart context
 * @t: the task, which is current and has read its section
 *
 * Threads share what a thread shares; a child process starts with the
 * task's address space, fd table and fs_struct (without a copy), which
 * its own section replaces or keeps.  None has an exit signal until
 * restart completes.
 * Return: 0 or the error of kernel_clone()
 */
int ckpt_create_children(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	int i;

	for (i = t->first_child; i >= 0; i = ctx->tasks[i].next_sibling) {
		struct ckpt_task *c = &ctx->tasks[i];
		struct kernel_clone_args args = {
			.flags = CLONE_VM | CLONE_FS | CLONE_FILES |
				 CLONE_UNTRACED,
			.exit_signal = 0,
			.fn = ckpt_restore_fn,
			.fn_arg = c,
		};
		pid_t tid, nr;

		if (ckpt_is_thread(c))
			args.flags |= CLONE_THREAD | CLONE_SIGHAND |
				      CLONE_SYSVSEM;
		args.set_tid_size = ckpt_child_tid(ctx, c, &tid);
		if (args.set_tid_size)
			args.set_tid = &tid;
		nr = kernel_clone(&args);
		if (nr < 0)
			return nr;
		c->vnr = nr;
	}
	return 0;
}

/**
 * ckpt_reap_children - a task that failed takes its children with it
 * @ctx: restart context
 * @t: the task, current
 *
 * The children created so far are killed and reaped (they reap their own
 * first), so that a failed restart leaves no task behind.
 */
void ckpt_reap_children(struct ckpt_ctx *ctx, struct ckpt_task *t)
{
	int i;

	for (i = t->first_child; i >= 0; i = ctx->tasks[i].next_sibling) {
		struct ckpt_task *c = &ctx->tasks[i];

		if (!c->vnr || ckpt_is_thread(c))
			continue;
		rcu_read_lock();
		kill_pid(find_vpid(c->vnr), SIGKILL, 1);
		rcu_read_unlock();
		/* a fatal signal may be pending here: do_wait() does not sleep */
		while (kernel_wait4(c->vnr, NULL, __WALL, NULL) == -ERESTARTSYS)
			schedule_timeout_uninterruptible(1);
	}
}

/* the struct pid that pgid or sid @nr of the image names, or NULL */
static struct pid *ckpt_pgrp_pid(struct ckpt_ctx *ctx, pid_t nr,
				 struct pid **orphans, unsigned int *nr_orphans)
{
	int i = ckpt_entry(ctx, nr);
	unsigned int j;

	if (!nr)
		return NULL;
	if (i >= 0)
		return task_pid(ctx->tasks[i].task);
	for (j = 0; j < *nr_orphans; j++)
		if (pid_nr_ns(orphans[j], ctx->pidns) == nr)
			return orphans[j];
	return NULL;
}

/*
 * A container's process group or session whose leader is gone: a struct
 * pid with its number in the new namespace, used by no task until the
 * members join it.
 */
static int ckpt_alloc_orphans(struct ckpt_ctx *ctx, struct pid ***orphansp,
			      unsigned int *nr)
{
	struct pid **orphans;
	unsigned int i, k;

	*nr = 0;
	if (!ctx->container)
		return 0;
	orphans = kcalloc(2 * ctx->nr_tasks, sizeof(*orphans), GFP_KERNEL);
	if (!orphans)
		return -ENOMEM;
	*orphansp = orphans;
	for (i = 0; i < ctx->nr_tasks; i++) {
		pid_t ids[2] = { ctx->tasks[i].pgid, ctx->tasks[i].sid };

		for (k = 0; k < 2; k++) {
			struct pid *pid;

			if (!ids[k] || ckpt_pgrp_pid(ctx, ids[k], orphans, nr))
				continue;
			pid = alloc_pid(ctx->pidns, &ids[k], 1);
			if (IS_ERR(pid))
				return PTR_ERR(pid);
			orphans[(*nr)++] = pid;
		}
	}
	return 0;
}

/**
 * ckpt_set_pgrps - put every process in its saved process group and session
 * @ctx: restart context, whose tasks all exist
 *
 * Ids that name a task of the image take its new struct pid; in a
 * container, ids whose task is gone take a pid of that number made for
 * them; other ids (outside the image) stay the caller's.  A process in a
 * new session has no controlling terminal.
 * Return: 0, or the error of allocating a pid
 */
int ckpt_set_pgrps(struct ckpt_ctx *ctx)
{
	struct pid **orphans = NULL;
	unsigned int i, nr = 0;
	int ret;

	ret = ckpt_alloc_orphans(ctx, &orphans, &nr);
	if (ret)
		goto out;
	write_lock_irq(&tasklist_lock);
	for (i = 0; i < ctx->nr_tasks; i++) {
		struct ckpt_task *t = &ctx->tasks[i];
		struct pid *sid, *pgid;

		if (ckpt_is_thread(t))
			continue;
		sid = ckpt_pgrp_pid(ctx, t->sid, orphans, &nr);
		pgid = ckpt_pgrp_pid(ctx, t->pgid, orphans, &nr);
		if (sid && task_session(t->task) != sid) {
			change_pid(t->task, PIDTYPE_SID, sid);
			t->task->signal->leader = t->sid == t->pid;
			proc_clear_tty(t->task);
		}
		if (pgid && task_pgrp(t->task) != pgid)
			change_pid(t->task, PIDTYPE_PGID, pgid);
	}
	write_unlock_irq(&tasklist_lock);
out:
	/* the pids that got no member (an error) are freed */
	for (i = 0; i < nr; i++)
		if (!pid_has_task(orphans[i], PIDTYPE_PGID) &&
		    !pid_has_task(orphans[i], PIDTYPE_SID))
			free_pid(orphans[i]);
	kfree(orphans);
	return ret;
}
