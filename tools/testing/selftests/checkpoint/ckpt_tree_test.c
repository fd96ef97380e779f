// SPDX-License-Identifier: GPL-2.0
/*
 * Trees of processes, threads and containers (pid namespaces), judged by
 * outcome: a workload builds its tree, works, and reports through files in
 * a scratch directory; the test checkpoints it (killing it), restarts the
 * image and checks from outside that every task went on with its state:
 * the work's result, /proc, wait(2).
 *
 * The workloads' standard fds are /dev/null and they hold no fd of the
 * test, so their images have no external fds.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/resource.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD	0x00001000
#endif

#define RING		10
#define RING_PASSES	20000
#define NTHREADS	8

FIXTURE(tree) {
	struct scratch s;
	pid_t pid;
};

FIXTURE_SETUP(tree)
{
	scratch_init(&self->s);
	self->pid = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

FIXTURE_TEARDOWN(tree)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	/* whatever a failed test left: the next one counts our tasks */
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	scratch_clean(&self->s);
}

/*
 * A ring of RING processes passing a token through pipes.  Each adds one
 * to it and counts its passes; when the token reaches the goal every
 * process writes its count to a file and exits, and the first writes the
 * token's value once they are all reaped.
 */
static void ring_member(int in, int out, const char *dir, int i, long goal)
{
	char path[128];
	long tok, mine = 0;

	for (;;) {
		if (read(in, &tok, sizeof(tok)) != sizeof(tok))
			_exit(20);
		if (tok < goal) {
			tok++;
			mine++;
		}
		if (!i && !(tok % 500)) {
			snprintf(path, sizeof(path), "%s/progress", dir);
			put_long(path, tok);
		}
		if (write(out, &tok, sizeof(tok)) != sizeof(tok) && tok < goal)
			_exit(21);
		if (tok >= goal)
			break;
	}
	snprintf(path, sizeof(path), "%s/count.%d", dir, i);
	put_long(path, mine);
	if (!i) {
		/* the token goes round once more, telling everyone */
		if (read(in, &tok, sizeof(tok)) != sizeof(tok))
			_exit(22);
	}
}

static void wl_ring(const char *dir, long goal)
{
	int p[RING][2], i, status, bad = 0;
	char path[128];
	long tok = 0;

	wl_task_setup();
	for (i = 0; i < RING; i++)
		if (pipe(p[i]))
			_exit(23);
	for (i = 1; i < RING; i++) {
		if (fork() == 0) {
			ring_member(p[i][0], p[(i + 1) % RING][1], dir, i, goal);
			_exit(0);
		}
	}
	snprintf(path, sizeof(path), "%s/ready", dir);
	put_long(path, 1);
	if (write(p[1][1], &tok, sizeof(tok)) != sizeof(tok))
		_exit(24);
	ring_member(p[0][0], p[1][1], dir, 0, goal);
	for (i = 1; i < RING; i++) {
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	}
	snprintf(path, sizeof(path), "%s/done", dir);
	put_long(path, bad ? -bad : goal);
	_exit(0);
}

TEST_F_TIMEOUT(tree, token_ring, 300)
{
	const char *img = spath(&self->s, "img");
	long done, sum = 0, c;
	char name[32];
	int i, status;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_ring(self->s.dir, RING_PASSES);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), 1000, NULL,
			      CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), -RING, &done, 240000));
	EXPECT_EQ(RING_PASSES, done);
	for (i = 0; i < RING; i++) {
		snprintf(name, sizeof(name), "count.%d", i);
		ASSERT_TRUE(get_long(spath(&self->s, name), &c));
		sum += c;
	}
	/* every pass counted once: none lost, none repeated */
	EXPECT_EQ(RING_PASSES, sum);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/*
 * NTHREADS threads increment a mutex-protected counter and signal a
 * condition variable; the main thread waits on it and joins a thread that
 * is still running when the process is checkpointed.
 */
struct counter {
	pthread_mutex_t m;
	pthread_cond_t c;
	long total, per[NTHREADS], goal;
	const char *dir;
};

static void *count_thread(void *arg)
{
	struct counter *k = arg;
	long i = -1, j;

	pthread_mutex_lock(&k->m);
	for (j = 0; j < NTHREADS && i < 0; j++)
		if (k->per[j] == 0) {
			k->per[j] = 1;
			k->total++;
			i = j;
		}
	pthread_mutex_unlock(&k->m);
	for (;;) {
		pthread_mutex_lock(&k->m);
		if (k->total >= k->goal) {
			pthread_cond_broadcast(&k->c);
			pthread_mutex_unlock(&k->m);
			return NULL;
		}
		k->total++;
		k->per[i]++;
		if (!(k->total % 512))
			pthread_cond_broadcast(&k->c);
		pthread_mutex_unlock(&k->m);
	}
}

static void wl_threads(const char *dir, long goal)
{
	static struct counter k = {
		.m = PTHREAD_MUTEX_INITIALIZER,
		.c = PTHREAD_COND_INITIALIZER,
	};
	pthread_t t[NTHREADS];
	char path[128];
	long sum = 0;
	int i;

	wl_task_setup();
	k.goal = goal;
	k.dir = dir;
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, count_thread, &k))
			_exit(30);
	snprintf(path, sizeof(path), "%s/ready", dir);
	put_long(path, 1);
	pthread_mutex_lock(&k.m);
	while (k.total < goal) {
		pthread_cond_wait(&k.c, &k.m);
		snprintf(path, sizeof(path), "%s/progress", dir);
		put_long(path, k.total);
	}
	pthread_mutex_unlock(&k.m);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_join(t[i], NULL))
			_exit(31);
	for (i = 0; i < NTHREADS; i++)
		sum += k.per[i];
	snprintf(path, sizeof(path), "%s/sum", dir);
	put_long(path, sum);
	snprintf(path, sizeof(path), "%s/done", dir);
	put_long(path, k.total);
	_exit(0);
}

/* the tids of a process, sorted */
static int task_ids(pid_t pid, pid_t *ids, int max)
{
	char path[64];
	struct dirent *d;
	int n = 0, i, j;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir)) && n < max)
		if (atoi(d->d_name) > 0)
			ids[n++] = atoi(d->d_name);
	closedir(dir);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			pid_t x = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = x;
		}
	return n;
}

TEST_F_TIMEOUT(tree, threads_mutex_join, 300)
{
	const char *img = spath(&self->s, "img");
	pid_t before[NTHREADS + 2], after[NTHREADS + 2], top;
	long goal = 3000000, progress, done, sum;
	int n, m, i, status;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_threads(self->s.dir, goal);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), 2000, &progress,
			      CKPT_WAIT_MS));
	n = task_ids(self->pid, before, NTHREADS + 2);
	ASSERT_EQ(NTHREADS + 1, n);
	/* with their saved tids: glibc keeps each thread's tid in memory */
	top = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	self->pid = top;
	EXPECT_EQ(before[0], top);
	m = task_ids(top, after, NTHREADS + 2);
	EXPECT_EQ(n, m);
	for (i = 0; i < n && i < m; i++)
		EXPECT_EQ(before[i], after[i]);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), goal, &done, 240000));
	ASSERT_TRUE(get_long(spath(&self->s, "sum"), &sum));
	EXPECT_EQ(goal, done);
	/* each thread's count agrees with the total: no update lost */
	EXPECT_EQ(done, sum);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("restored process: status %#x", status);
	}
	self->pid = 0;
}

/*
 * A container: init (pid 1 of a new pid namespace) in a session of its
 * own, a process group whose leader exited, a child in a session of its
 * own, a zombie not reaped yet, a child whose exit signal is SIGUSR1, a
 * stopped child, and init a child subreaper.
 */
static atomic_int got_usr1;

static void on_usr1(int sig)
{
	got_usr1 = 1;
}

static void wl_pause_forever(void)
{
	for (;;)
		pause();
}

static int wl_clone_usr1(void *arg)
{
	wl_pause_forever();
	return 0;
}

static void put_pid_file(const char *dir, const char *name, pid_t pid)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	put_long(path, pid);
}

static void wl_container_init(const char *dir)
{
	static max_align_t stack[65536 / sizeof(max_align_t)];
	pid_t a, z, s, x, st;
	char path[128];
	int status, fd[2];
	long v;

	wl_task_setup();
	signal(SIGUSR1, on_usr1);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setsid();
	if (pipe(fd))
		_exit(40);
	a = fork();
	if (!a) {
		/* a group of its own whose member outlives it */
		setpgid(0, 0);
		if (!fork()) {
			close(fd[0]);
			if (write(fd[1], "b", 1) != 1)
				_exit(41);
			wl_pause_forever();
		}
		_exit(0);
	}
	close(fd[1]);
	if (read(fd[0], path, 1) != 1)
		_exit(42);
	waitpid(a, NULL, 0);
	z = fork();
	if (!z)
		_exit(7);
	s = fork();
	if (!s) {
		setsid();
		wl_pause_forever();
	}
	x = clone(wl_clone_usr1, (char *)stack + sizeof(stack), SIGUSR1, NULL);
	if (x < 0)
		_exit(43);
	st = fork();
	if (!st)
		wl_pause_forever();
	kill(st, SIGSTOP);
	waitpid(st, &status, WUNTRACED);
	put_pid_file(dir, "a", a);
	put_pid_file(dir, "z", z);
	put_pid_file(dir, "s", s);
	put_pid_file(dir, "x", x);
	put_pid_file(dir, "st", st);
	/* the zombie exists before the test looks */
	sleep_ms(100);
	put_pid_file(dir, "ready", 1);
	/* on command: report the subreaper flag, reap the zombie, end x */
	snprintf(path, sizeof(path), "%s/go", dir);
	while (access(path, F_OK))
		sleep_ms(10);
	v = 0;
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	put_pid_file(dir, "subreaper", v);
	if (waitpid(z, &status, 0) != z)
		status = -1;
	put_pid_file(dir, "zstatus", status);
	kill(x, SIGKILL);
	while (!got_usr1)
		pause();
	put_pid_file(dir, "usr1", 1);
	wl_pause_forever();
}

/* the pid of a task in the namespace it is in (last NSpid entry) */
static pid_t ns_pid(pid_t pid, const char *key)
{
	char val[128], *last;

	if (!proc_field(pid, key, val, sizeof(val)))
		return -1;
	last = strrchr(val, '\t');
	return atoi(last ? last + 1 : val);
}

/* the pid namespace of a task, as its /proc link names it */
static bool pidns_of(pid_t pid, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/ns/pid", pid);
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return true;
}

/* the pid, as the test sees it, of the task with pid @nr in @init's ns */
static pid_t outer_pid(pid_t init, pid_t nr)
{
	char ns[64], its[64];
	struct dirent *d;
	pid_t found = 0;
	DIR *dir;

	if (!pidns_of(init, ns, sizeof(ns)))
		return 0;
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && !found) {
		pid_t pid = atoi(d->d_name);

		if (pid > 0 && ns_pid(pid, "NSpid") == nr &&
		    pidns_of(pid, its, sizeof(its)) && !strcmp(ns, its))
			found = pid;
	}
	closedir(dir);
	return found;
}

/* a child that makes a pid namespace and forks its init; returns the init */
static pid_t start_container(struct __test_metadata *_metadata,
			     void (*fn)(const char *), const char *dir,
			     pid_t *helper)
{
	char path[128];
	long init;
	pid_t h;

	snprintf(path, sizeof(path), "%s/init", dir);
	h = fork();
	ASSERT_LE(0, h);
	if (!h) {
		pid_t i;

		if (unshare(CLONE_NEWPID))
			_exit(50);
		i = fork();
		if (!i)
			fn(dir);
		put_long(path, i);
		waitpid(i, NULL, 0);
		_exit(0);
	}
	*helper = h;
	ASSERT_TRUE(wait_long(path, 1, &init, CKPT_WAIT_MS));
	return init;
}

TEST_F_TIMEOUT(tree, container_pgrp_sid_zombie, 300)
{
	const char *img = spath(&self->s, "img");
	long a, z, s, x, st, v;
	pid_t init, helper, top, pz, pb, ps, pst;
	int err, status;

	init = start_container(_metadata, wl_container_init, self->s.dir,
			       &helper);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(get_long(spath(&self->s, "a"), &a));
	ASSERT_TRUE(get_long(spath(&self->s, "z"), &z));
	ASSERT_TRUE(get_long(spath(&self->s, "s"), &s));
	ASSERT_TRUE(get_long(spath(&self->s, "x"), &x));
	ASSERT_TRUE(get_long(spath(&self->s, "st"), &st));

	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint of the container: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(helper, waitpid(helper, &status, 0));
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart of the container: %s", strerror(err));
	}
	self->pid = top;
	/* init is pid 1 of a new namespace, a session and group leader */
	EXPECT_EQ(1, ns_pid(top, "NSpid"));
	EXPECT_EQ(1, ns_pid(top, "NSsid"));
	EXPECT_EQ(1, ns_pid(top, "NSpgid"));
	/* the orphaned group's member, reparented to init, kept its group */
	pb = 0;
	for (v = 2; v < 64 && !pb; v++) {
		pid_t p = outer_pid(top, v);

		if (p && ns_pid(p, "NSpgid") == a)
			pb = p;
	}
	ASSERT_NE(0, pb) {
		TH_LOG("no task in process group %ld", a);
	}
	EXPECT_EQ(1, ns_pid(pb, "NSsid"));
	/* the session leader */
	ps = outer_pid(top, s);
	ASSERT_NE(0, ps);
	EXPECT_EQ(s, ns_pid(ps, "NSsid"));
	EXPECT_EQ(s, ns_pid(ps, "NSpgid"));
	/* the stopped child is still stopped, the zombie a zombie */
	pst = outer_pid(top, st);
	ASSERT_NE(0, pst);
	EXPECT_EQ('T', proc_state(pst));
	pz = outer_pid(top, z);
	ASSERT_NE(0, pz);
	EXPECT_EQ('Z', proc_state(pz));
	EXPECT_NE(0, outer_pid(top, x));

	/* init reaps the zombie with its status, and x exits with SIGUSR1 */
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "zstatus"), -1, &v, CKPT_WAIT_MS));
	EXPECT_TRUE(WIFEXITED(v) && WEXITSTATUS(v) == 7) {
		TH_LOG("the zombie's status: %#lx", v);
	}
	ASSERT_TRUE(get_long(spath(&self->s, "subreaper"), &v));
	EXPECT_EQ(1, v);
	EXPECT_TRUE(wait_file(spath(&self->s, "usr1"), CKPT_WAIT_MS)) {
		TH_LOG("the exit signal of x (SIGUSR1) did not reach init");
	}
	/* continued, the stopped child runs */
	EXPECT_EQ(0, kill(pst, SIGCONT));
}

/* two processes writing through one open file description */
static void wl_shared_offset(const char *dir)
{
	char path[128], go[128], mark[16];
	pid_t c;
	int fd, i, n;

	wl_task_setup();
	snprintf(path, sizeof(path), "%s/out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		_exit(60);
	if (write(fd, "start\n", 6) != 6)
		_exit(61);
	c = fork();
	for (i = 0; i < 4; i++) {
		/* turns: the parent on even ones, the child on odd ones */
		snprintf(go, sizeof(go), "%s/turn.%d", dir, i);
		if ((i % 2) == !c) {
			while (access(go, F_OK))
				sleep_ms(10);
			n = snprintf(mark, sizeof(mark), "%c%d\n",
				     c ? 'P' : 'C', i);
			if (write(fd, mark, n) != n)
				_exit(62);
			snprintf(go, sizeof(go), "%s/done.%d", dir, i);
			put_long(go, 1);
		}
	}
	if (c)
		waitpid(c, NULL, 0);
	_exit(0);
}

TEST_F_TIMEOUT(tree, shared_file_offset, 300)
{
	const char *img = spath(&self->s, "img");
	char name[32], buf[128];
	int i, fd, status;
	ssize_t n;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_shared_offset(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "out"), CKPT_WAIT_MS));
	/* one turn before, the rest after restart */
	put_long(spath(&self->s, "turn.0"), 1);
	ASSERT_TRUE(wait_file(spath(&self->s, "done.0"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	for (i = 1; i < 4; i++) {
		snprintf(name, sizeof(name), "turn.%d", i);
		put_long(spath(&self->s, name), 1);
		snprintf(name, sizeof(name), "done.%d", i);
		ASSERT_TRUE(wait_file(spath(&self->s, name), CKPT_WAIT_MS));
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	self->pid = 0;
	fd = open(spath(&self->s, "out"), O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	/* one offset: each write went after the other's, none overwrote */
	EXPECT_STREQ("start\nP0\nC1\nP2\nC3\n", buf);
}

/* a child made with CLONE_FILES shares its parent's fd table */
static int wl_files_child(void *arg)
{
	const char *dir = arg;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/open", dir);
	while (access(path, F_OK))
		sleep_ms(10);
	snprintf(path, sizeof(path), "%s/marker", dir);
	fd = open(path, O_RDONLY | O_CREAT, 0644);
	snprintf(path, sizeof(path), "%s/fd", dir);
	put_long(path, fd);
	wl_pause_forever();
	return 0;
}

static void wl_shared_table(const char *dir)
{
	static max_align_t stack[65536 / sizeof(max_align_t)];
	char path[128];

	wl_task_setup();
	if (clone(wl_files_child, (char *)stack + sizeof(stack), CLONE_FILES | SIGCHLD,
		  (void *)dir) < 0)
		_exit(70);
	snprintf(path, sizeof(path), "%s/ready", dir);
	put_long(path, 1);
	wl_pause_forever();
}

TEST_F_TIMEOUT(tree, shared_fd_table, 300)
{
	const char *img = spath(&self->s, "img");
	char link[64], target[256];
	struct img im = {};
	long fd;
	ssize_t n;
	int tfd;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_shared_table(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	/* one table in the image, used by both */
	tfd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, tfd);
	ASSERT_EQ(0, img_load_fd(tfd, &im));
	close(tfd);
	EXPECT_EQ(1, img_count(&im, CKPT_REC_FILES));
	EXPECT_EQ(2, img_count(&im, CKPT_REC_TASK));
	img_free(&im);
	/* the child opens a file: the parent has it at the same number */
	put_long(spath(&self->s, "open"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "fd"), 0, &fd, CKPT_WAIT_MS));
	snprintf(link, sizeof(link), "/proc/%d/fd/%ld", top, fd);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_LT(0, n) {
		TH_LOG("%s: %s", link, strerror(errno));
	}
	target[n] = 0;
	EXPECT_STREQ(spath(&self->s, "marker"), target);
}

/*
 * Self-checkpoint of a container from one of its threads (pid 1 is its
 * init): 0 in the restored copy, in that thread, the id in the original.
 */
static void *self_ckpt_thread(void *arg)
{
	const char *dir = arg;
	char path[128], buf[32];
	long ret;
	int fd, out, n;

	snprintf(path, sizeof(path), "%s/img", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	snprintf(path, sizeof(path), "%s/results", dir);
	out = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || out < 0)
		_exit(80);
	ret = sys_checkpoint(1, fd, 0);
	n = snprintf(buf, sizeof(buf), "%ld %d\n", ret, ret < 0 ? errno : 0);
	if (write(out, buf, n) != n)
		_exit(81);
	close(fd);
	snprintf(path, sizeof(path), "%s/wrote", dir);
	put_long(path, ret);
	wl_pause_forever();
	return NULL;
}

static void wl_self_container(const char *dir)
{
	pthread_t t;

	wl_task_setup();
	if (!fork())
		wl_pause_forever();	/* a second process in the container */
	if (pthread_create(&t, NULL, self_ckpt_thread, (void *)dir))
		_exit(82);
	wl_pause_forever();
}

TEST_F_TIMEOUT(tree, self_checkpoint_container, 300)
{
	const char *img = spath(&self->s, "img");
	char buf[128];
	long first, ret, e;
	pid_t init, helper, top;
	int fd, status, err;
	ssize_t n;

	init = start_container(_metadata, wl_self_container, self->s.dir,
			       &helper);
	ASSERT_TRUE(wait_long(spath(&self->s, "wrote"), -4096, &first,
			      CKPT_WAIT_MS));
	ASSERT_LT(0, first);
	kill(init, SIGKILL);
	ASSERT_EQ(helper, waitpid(helper, &status, 0));
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	unlink(spath(&self->s, "wrote"));
	/*
	 * the original went on and wrote its result to a file in /tmp,
	 * whose contents (empty) are in the image: restart makes it again
	 */
	fd = open(spath(&self->s, "results"), O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	n = sscanf(buf, "%ld %ld", &ret, &e);
	ASSERT_EQ(2, n);
	EXPECT_EQ(first, ret);
	ASSERT_EQ(0, unlink(spath(&self->s, "results")));

	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "wrote"), -4096, &ret,
			      CKPT_WAIT_MS));
	EXPECT_EQ(0, ret);
	fd = open(spath(&self->s, "results"), O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = 0;
	EXPECT_STREQ("0 0\n", buf);
}

/* an fd table shared with a process outside the image is refused */
static int wl_table_child(void *arg)
{
	wl_pause_forever();
	return 0;
}

TEST_F_TIMEOUT(tree, outside_sharing_refused, 120)
{
	static max_align_t stack[65536 / sizeof(max_align_t)];
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_error *e;
	struct img im = {};
	int err, fd;
	pid_t c;

	c = clone(wl_table_child, (char *)stack + sizeof(stack), CLONE_FILES | SIGCHLD,
		  NULL);
	ASSERT_LT(0, c);
	self->pid = c;
	EXPECT_EQ(-1, take(img, c, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(CKPT_OBJ_FILE, e->kind);
	EXPECT_NE(NULL, strstr((const char *)e->msg, "fd table shared")) {
		TH_LOG("message: %s", (const char *)e->msg);
	}
	img_free(&im);
}

/* CHECKPOINT_KILL kills every process of the image */
static void wl_small_tree(const char *dir)
{
	char path[128];
	int i, p[2];

	wl_task_setup();
	if (pipe(p))
		_exit(90);
	for (i = 0; i < 3; i++)
		if (!fork()) {
			if (!fork()) {
				close(p[0]);
				close(p[1]);
				wl_pause_forever();
			}
			close(p[0]);
			close(p[1]);
			wl_pause_forever();
		}
	/* ready once all grandchildren exist: the last end is closed */
	close(p[1]);
	if (read(p[0], path, 1) != 0)
		_exit(91);
	close(p[0]);
	snprintf(path, sizeof(path), "%s/ready", dir);
	put_long(path, 1);
	wl_pause_forever();
}

TEST_F_TIMEOUT(tree, kill_flag_kills_tree, 120)
{
	const char *img = spath(&self->s, "img");
	struct img im = {};
	int err, fd, status;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_small_tree(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_EQ(7, count_tree_tasks());
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true));
	EXPECT_EQ(7, img_count(&im, CKPT_REC_TASK));
	img_free(&im);
}

/* RESTART_PIDS: the saved pids, EEXIST when one is taken */
TEST_F_TIMEOUT(tree, restart_pids, 120)
{
	const char *img = spath(&self->s, "img");
	pid_t top, again;
	struct img im = {};
	const struct ckpt_rec_tree *tr;
	int err, fd, i;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_small_tree(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	self->pid = top;
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	tr = img_find(&im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	ASSERT_EQ(7, tr->nr_tasks);
	for (i = 0; i < 7; i++) {
		char name[64];

		EXPECT_TRUE(proc_status(tr->tasks[i].pid, "Name", name,
					sizeof(name)) &&
			    !strcmp(name, TREE_COMM)) {
			TH_LOG("saved pid %u not restored", tr->tasks[i].pid);
		}
	}
	img_free(&im);
	/* again while they live: the pids are taken, nothing is left */
	again = restart_img(img, 0, RESTART_PIDS, &err);
	EXPECT_EQ(-1, again);
	EXPECT_EQ(EEXIST, err);
	EXPECT_EQ(7, count_tree_tasks());
	/* a pid that disagrees with the saved one */
	again = restart_img(img, top + 1, RESTART_PIDS, &err);
	EXPECT_EQ(-1, again);
	EXPECT_EQ(EINVAL, err);
	/* without the flag: other pids, a second copy */
	again = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, again);
	EXPECT_NE(top, again);
	EXPECT_EQ(14, count_tree_tasks());
	kill(again, SIGKILL);
	waitpid(again, NULL, 0);
}

/* checkpoint(pidfd, fd, CHECKPOINT_PIDFD) */
TEST_F_TIMEOUT(tree, pidfd_target, 120)
{
	const char *img = spath(&self->s, "img");
	int pidfd, err;
	long id;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_small_tree(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	pidfd = syscall(SYS_pidfd_open, self->pid, 0);
	ASSERT_LE(0, pidfd);
	id = take(img, pidfd, CHECKPOINT_PIDFD, &err);
	EXPECT_LT(0, id) {
		TH_LOG("checkpoint by pidfd: %s", strerror(err));
	}
	/* an fd that is not a pidfd */
	EXPECT_EQ(-1, take(img, 0, CHECKPOINT_PIDFD, &err));
	EXPECT_EQ(EBADF, err);
	close(pidfd);
}

/*
 * Restart that fails at the last task of a container (a forged register),
 * or whose caller is killed part-way, leaves no task behind.
 */
static void wl_container_busy(const char *dir)
{
	char path[128];
	int i;

	wl_task_setup();
	for (i = 0; i < 8; i++)
		if (!fork()) {
			static char mem[4 << 20];

			memset(mem, i + 1, sizeof(mem));
			wl_pause_forever();
		}
	snprintf(path, sizeof(path), "%s/ready", dir);
	put_long(path, 1);
	wl_pause_forever();
}

static void container_image(struct __test_metadata *_metadata,
			    struct scratch *s, const char *img)
{
	pid_t init, helper;
	int err, status;

	init = start_container(_metadata, wl_container_busy, s->dir, &helper);
	ASSERT_TRUE(wait_file(spath(s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(helper, waitpid(helper, &status, 0));
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
}

TEST_F_TIMEOUT(tree, restart_fails_at_last_task, 200)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	const struct ckpt_hdr *h, *last = NULL;
	struct img im = {};
	sigset_t set, pend;
	size_t off;
	__u64 zero = 0;
	int fd, err;
	pid_t top;

	container_image(_metadata, &self->s, img);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	for (h = img_next(&im, NULL); h; h = img_next(&im, h))
		if (h->type == CKPT_REC_X86_REGS)
			last = h;
	ASSERT_NE(NULL, last);
	off = (const unsigned char *)last - im.buf +
	      offsetof(struct ckpt_rec_x86_regs, cs);
	/* the same image, but the last task's cs is not a user code segment */
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)im.size, write(fd, im.buf, im.size));
	ASSERT_EQ(sizeof(zero), pwrite(fd, &zero, sizeof(zero), off));
	close(fd);
	img_free(&im);

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	top = restart_img(bad, 0, 0, &err);
	EXPECT_EQ(-1, top);
	EXPECT_EQ(EINVAL, err);
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	errno = 0;
	EXPECT_EQ(-1, waitpid(-1, NULL, WNOHANG | __WALL));
	EXPECT_EQ(ECHILD, errno);
	sigpending(&pend);
	EXPECT_FALSE(sigismember(&pend, SIGCHLD)) {
		TH_LOG("a failed restart sent SIGCHLD");
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	/* the good image restarts */
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top);
	self->pid = top;
}

/*
 * Whether every workload task runs its own code again: each sleeps in
 * pause(2) (x86_64 system call 34), where a task that restart left
 * half-built would be in the kernel outside any system call.
 */
static bool tree_tasks_paused(void)
{
	struct dirent *d;
	bool all = true;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return false;
	while ((d = readdir(dir)) && all) {
		pid_t pid = atoi(d->d_name);
		char comm[64], path[64], buf[64];
		ssize_t n;
		int fd;

		if (pid <= 0 || !proc_status(pid, "Name", comm, sizeof(comm)) ||
		    strcmp(comm, TREE_COMM))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		buf[n > 0 ? n : 0] = 0;
		all = n > 0 && !strncmp(buf, "34 ", 3);
	}
	closedir(dir);
	return all;
}

TEST_F_TIMEOUT(tree, caller_killed_mid_restart, 600)
{
	const char *img = spath(&self->s, "img");
	int i, done = 0, killed = 0, complete = 0, left;

	container_image(_metadata, &self->s, img);
	for (i = 0; i < 12; i++) {
		int status;
		pid_t c = fork();

		ASSERT_LE(0, c);
		if (!c) {
			int err;
			pid_t top = restart_img(img, 0, 0, &err);

			if (top > 0)
				waitpid(top, NULL, 0);
			_exit(top > 0 ? 0 : 1);
		}
		sleep_ms(20 + i * 40);
		kill(c, SIGKILL);
		ASSERT_EQ(c, waitpid(c, &status, 0));
		if (WIFSIGNALED(status))
			killed++;
		else
			done++;
		/*
		 * Killed before restart() returned: what it had built is
		 * gone.  After: the restored container runs on, complete.
		 */
		sleep_ms(200);
		if (count_tree_tasks() > 0 && tree_tasks_paused()) {
			complete++;
			tree_tasks(SIGKILL, false);
		}
		left = wait_no_tree_tasks(CKPT_WAIT_MS);
		EXPECT_EQ(0, left) {
			TH_LOG("round %d: %d tasks left half-built", i, left);
		}
	}
	TH_LOG("%d callers killed (%d after restart was complete), %d finished",
	       killed, complete, done);
	EXPECT_LT(complete, killed) {
		TH_LOG("no caller was killed in the middle of a restart");
	}
}

TEST_F_TIMEOUT(tree, python_multiprocessing_pool, 600)
{
	char cmd[1024];
	const char *prog = spath(&self->s, "progress");
	const char *ans = spath(&self->s, "answer");

	if (!have("/usr/bin/python3") || !have("/usr/bin/unshare"))
		SKIP(return, "needs python3 and unshare");
	/* sum of i*i for i < 2000000 in 40 chunks over 4 workers */
	snprintf(cmd, sizeof(cmd),
		 "exec python3 -c '\n"
		 "import multiprocessing as mp\n"
		 "def part(k):\n"
		 "    return sum(i * i for i in range(k * 50000, (k + 1) * 50000))\n"
		 "if __name__ == \"__main__\":\n"
		 "    s = 0\n"
		 "    with mp.Pool(4) as p:\n"
		 "        for n, x in enumerate(p.imap(part, range(40))):\n"
		 "            s += x\n"
		 "            open(\"%s.t\", \"w\").write(str(n + 1)); __import__(\"os\").rename(\"%s.t\", \"%s\")\n"
		 "    open(\"%s\", \"w\").write(str(s))\n"
		 "'", prog, prog, prog, ans);
	real_program(_metadata, &self->s, cmd, prog, 8, ans,
		     2666664666667000000L);
}

TEST_F_TIMEOUT(tree, busybox_pipeline, 600)
{
	char cmd[512];
	const char *prog = spath(&self->s, "lines");
	const char *ans = spath(&self->s, "answer");

	if (!have("/bin/busybox") || !have("/usr/bin/unshare"))
		SKIP(return, "needs busybox and unshare");
	snprintf(cmd, sizeof(cmd),
		 "busybox seq 1 3000 | while read x; do echo $x; busybox usleep 2000; done | busybox awk '{ s += $1; if (NR %% 50 == 0) { print NR > \"%s.t\"; close(\"%s.t\"); system(\"mv %s.t %s\") } } END { print s > \"%s\" }'",
		 prog, prog, prog, prog, ans);
	real_program(_metadata, &self->s, cmd, prog, 300, ans, 3000L * 3001 / 2);
}

TEST_HARNESS_MAIN
