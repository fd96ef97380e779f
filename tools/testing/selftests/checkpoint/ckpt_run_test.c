// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2) selftests: the target carries on unharmed, CHECKPOINT_KILL,
 * stopped, traced and uninterruptible targets, and self-checkpoint.
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

FIXTURE(ckpt) {
	struct ckpt_state s;
};

FIXTURE_SETUP(ckpt)
{
	ckpt_init(&self->s);
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2) is not implemented by this kernel");
}

FIXTURE_TEARDOWN_PARENT(ckpt)
{
	ckpt_cleanup(&self->s);
}

/*
 * A workload that counts 1 ms sleeps and the ones that failed with EINTR;
 * the test reads the counters from its memory.  A handler without
 * SA_RESTART is installed so that a spurious interruption would show, and
 * SIGUSR2 is blocked so that it can stay pending.
 */
static __u64 loops, eintrs;

static void nop_handler(int sig)
{
}

static void wl_counter(int wfd, int cfd, void *arg)
{
	struct timespec ts = { 0, 1000000 };
	struct sigaction sa = { 0 };
	__u64 info[2];
	sigset_t set;

	sa.sa_handler = nop_handler;
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	info[0] = (uintptr_t)&loops;
	info[1] = (uintptr_t)&eintrs;
	wl_ready(wfd, info, 2);
	for (;;) {
		if (nanosleep(&ts, NULL) && errno == EINTR)
			eintrs++;
		loops++;
	}
}

/* Wait until the counter at addr went past min; returns its value. */
static __u64 wait_counter(pid_t pid, __u64 addr, __u64 min, int ms)
{
	long long deadline = now_ms() + ms;
	__u64 v;

	for (;;) {
		v = peek_u64(pid, addr);
		if (v != ~0ULL && v > min)
			return v;
		if (now_ms() > deadline)
			return v;
		sleep_ms(2);
	}
}

TEST_F_TIMEOUT(ckpt, target_carries_on, 120)
{
	struct workload *wl = &self->s.wl[0];
	char pnd[2][64], shd[2][64], blk[2][64];
	__u64 n;
	int i;

	start_workload(_metadata, wl, wl_counter, NULL);
	ASSERT_EQ(0, kill(wl->pid, SIGUSR2));
	n = wait_counter(wl->pid, wl->info[0], 10, CKPT_WAIT_MS);
	ASSERT_LT(10, n);
	ASSERT_TRUE(proc_status(wl->pid, "SigPnd", pnd[0], sizeof(pnd[0])));
	ASSERT_TRUE(proc_status(wl->pid, "ShdPnd", shd[0], sizeof(shd[0])));
	ASSERT_TRUE(proc_status(wl->pid, "SigBlk", blk[0], sizeof(blk[0])));

	/* a few times, to catch the target both sleeping and running */
	for (i = 0; i < 4; i++) {
		struct img *im = &self->s.im[i];

		take_good_image(_metadata, &self->s, wl->pid, 0, im);
		img_free(im);
		n = peek_u64(wl->pid, wl->info[0]);
		EXPECT_LT(n + 5, wait_counter(wl->pid, wl->info[0], n + 5, CKPT_WAIT_MS)) {
			TH_LOG("the target stopped counting after checkpoint %d", i);
		}
	}
	EXPECT_EQ(0, peek_u64(wl->pid, wl->info[1])) {
		TH_LOG("nanosleep() failed with EINTR in the target");
	}
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
	EXPECT_NE('T', proc_state(wl->pid));
	ASSERT_TRUE(proc_status(wl->pid, "SigPnd", pnd[1], sizeof(pnd[1])));
	ASSERT_TRUE(proc_status(wl->pid, "ShdPnd", shd[1], sizeof(shd[1])));
	ASSERT_TRUE(proc_status(wl->pid, "SigBlk", blk[1], sizeof(blk[1])));
	EXPECT_STREQ(pnd[0], pnd[1]);
	EXPECT_STREQ(shd[0], shd[1]);
	EXPECT_STREQ(blk[0], blk[1]);
}

/*
 * A workload blocked in read() on the command pipe that reports each
 * read's result: an interrupted read() must be restarted transparently.
 */
struct read_report {
	int ret;
	int err;
	char c;
};

static void wl_reader(int wfd, int cfd, void *arg)
{
	struct sigaction sa = { 0 };
	struct read_report rr;

	sa.sa_handler = nop_handler;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	wl_ready(wfd, NULL, 0);
	for (;;) {
		memset(&rr, 0, sizeof(rr));
		rr.ret = read(cfd, &rr.c, 1);
		rr.err = rr.ret < 0 ? errno : 0;
		if (write(wfd, &rr, sizeof(rr)) != sizeof(rr))
			_exit(124);
	}
}

TEST_F_TIMEOUT(ckpt, blocked_read_restarts, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct read_report rr;
	char c;
	int i;

	start_workload(_metadata, wl, wl_reader, NULL);
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(wait_state(wl->pid, 'S', CKPT_WAIT_MS));
		take_good_image(_metadata, &self->s, wl->pid, 0, &self->s.im[i]);
		c = 'a' + i;
		ASSERT_EQ(1, write(wl->cfd, &c, 1));
		ASSERT_EQ(0, read_full(wl->rfd, &rr, sizeof(rr), CKPT_WAIT_MS));
		EXPECT_EQ(1, rr.ret) {
			TH_LOG("read() returned %d (%s)", rr.ret, strerror(rr.err));
		}
		EXPECT_EQ(c, rr.c);
	}
}

TEST_F_TIMEOUT(ckpt, kill_flag, 120)
{
	struct workload *wl = &self->s.wl[0];
	const struct ckpt_rec_header *hd;
	struct img *im = &self->s.im[0];
	int status = 0;

	start_workload(_metadata, wl, wl_counter, NULL);
	take_good_image(_metadata, &self->s, wl->pid, CHECKPOINT_KILL, im);
	hd = img_find(im, CKPT_REC_HEADER, 0);
	EXPECT_EQ(CHECKPOINT_KILL, hd->flags);
	ASSERT_EQ(wl->pid, waitpid(wl->pid, &status, 0));
	wl->pid = 0;
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status)) {
		TH_LOG("wait status %#x", status);
	}
}

TEST_F_TIMEOUT(ckpt, stopped_target, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_signal *sg;
	int status = 0;
	__u64 n;

	start_workload(_metadata, wl, wl_counter, NULL);
	ASSERT_EQ(0, kill(wl->pid, SIGSTOP));
	ASSERT_EQ(wl->pid, waitpid(wl->pid, &status, WUNTRACED));
	ASSERT_TRUE(WIFSTOPPED(status));

	take_good_image(_metadata, &self->s, wl->pid, 0, im);
	sg = img_find(im, CKPT_REC_SIGNAL, 0);
	ASSERT_NE(NULL, sg);
	EXPECT_TRUE(sg->flags & CKPT_SIGNAL_STOPPED);

	/* still stopped, no new wait event, not counting */
	EXPECT_EQ('T', proc_state(wl->pid));
	EXPECT_EQ(0, waitpid(wl->pid, &status, WNOHANG | WUNTRACED | WCONTINUED));
	n = peek_u64(wl->pid, wl->info[0]);
	sleep_ms(200);
	EXPECT_EQ(n, peek_u64(wl->pid, wl->info[0]));

	ASSERT_EQ(0, kill(wl->pid, SIGCONT));
	ASSERT_EQ(wl->pid, waitpid(wl->pid, &status, WCONTINUED));
	EXPECT_TRUE(WIFCONTINUED(status));
	EXPECT_LT(n + 5, wait_counter(wl->pid, wl->info[0], n + 5, CKPT_WAIT_MS));
	EXPECT_EQ(0, peek_u64(wl->pid, wl->info[1]));
}

TEST_F_TIMEOUT(ckpt, running_target_not_stopped, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_signal *sg;
	int status;

	start_workload(_metadata, wl, wl_counter, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);
	sg = img_find(im, CKPT_REC_SIGNAL, 0);
	ASSERT_NE(NULL, sg);
	EXPECT_EQ(0, sg->flags & CKPT_SIGNAL_STOPPED);
	/* no SIGSTOP/SIGCHLD side effects: no wait event either */
	EXPECT_EQ(0, waitpid(wl->pid, &status, WNOHANG | WUNTRACED | WCONTINUED));
}

TEST_F_TIMEOUT(ckpt, traced_target, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	long ret;
	int err;

	start_workload(_metadata, wl, wl_counter, NULL);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, wl->pid, 0, 0));
	ret = take_image(_metadata, &self->s, wl->pid, 0, im, &err);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EBUSY, err) {
		TH_LOG("checkpoint of a traced task: %s", strerror(err));
	}
	EXPECT_NE('T', proc_state(wl->pid));
	EXPECT_NE('t', proc_state(wl->pid));
}

/*
 * A vfork() parent waits in uninterruptible sleep until its child exits:
 * checkpoint waits for it.
 */
static void wl_vfork(int wfd, int cfd, void *arg)
{
	struct timespec ts = { 3, 0 };
	pid_t pid, vpid;

	wl_ready(wfd, NULL, 0);
	pid = vfork();
	if (pid == 0) {
		vpid = syscall(SYS_getpid);
		syscall(SYS_write, wfd, &vpid, sizeof(vpid));
		syscall(SYS_nanosleep, &ts, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	syscall(SYS_write, wfd, "w", 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, vfork_parent, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_tree *tr;
	char st, done = 0;
	pid_t vpid;

	start_workload(_metadata, wl, wl_vfork, NULL);
	ASSERT_EQ(0, read_full(wl->rfd, &vpid, sizeof(vpid), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_state(wl->pid, 'D', CKPT_WAIT_MS)) {
		TH_LOG("the vfork parent is in state %c", proc_state(wl->pid));
	}
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	/* the vfork child had exited by the time checkpoint returned */
	st = proc_state(vpid);
	EXPECT_TRUE(st == 0 || st == 'Z' || st == 'X') {
		TH_LOG("vfork child %d in state %c", vpid, st);
	}
	/* the parent parked before it reaped the child: a zombie of the tree */
	tr = img_find(im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	EXPECT_EQ(2, tr->nr_tasks);
	EXPECT_EQ(wl->pid, tr->tasks[0].pid);
	EXPECT_EQ(vpid, tr->tasks[1].pid);
	EXPECT_EQ(wl->pid, tr->tasks[1].ppid);
	EXPECT_EQ(CKPT_TREE_ZOMBIE, tr->tasks[1].flags);
	EXPECT_EQ(0, tr->tasks[1].exit_code);
	EXPECT_EQ(1, img_count(im, CKPT_REC_TASK));
	ASSERT_EQ(0, read_full(wl->rfd, &done, 1, CKPT_WAIT_MS));
	EXPECT_EQ('w', done);
}

/*
 * The caller checkpoints itself (pid 0, then its own pid) and reports the
 * results.
 */
static void wl_self(int wfd, int cfd, void *arg)
{
	const char **path = arg;
	__u64 info[5];
	int fd;

	fd = open(path[0], O_RDWR | O_CREAT | O_TRUNC, 0600);
	errno = 0;
	info[0] = sys_checkpoint(0, fd, 0);
	info[1] = errno;
	close(fd);
	fd = open(path[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	errno = 0;
	info[2] = sys_checkpoint(getpid(), fd, 0);
	info[3] = errno;
	close(fd);
	info[4] = getpid();
	wl_ready(wfd, info, 5);
	for (;;)
		pause();
}

static void check_self_image(struct __test_metadata *_metadata, const char *path,
			     struct img *im, long id, pid_t pid)
{
	const struct ckpt_rec_header *hd;
	const struct ckpt_rec_x86_regs *r;
	const struct ckpt_rec_task *tk;
	const char *why;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, im));
	close(fd);
	why = img_check(im, true);
	ASSERT_EQ(NULL, why) {
		TH_LOG("%s: %s", path, why);
	}
	hd = img_find(im, CKPT_REC_HEADER, 0);
	EXPECT_EQ(id, hd->id);
	tk = img_find(im, CKPT_REC_TASK, 0);
	ASSERT_NE(NULL, tk);
	EXPECT_EQ(pid, tk->pid);
	EXPECT_TRUE(tk->flags & CKPT_TASK_SELF);
	r = img_find(im, CKPT_REC_X86_REGS, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, r->rax) {
		TH_LOG("a restarted self-checkpoint sees 0");
	}
}

TEST_F_TIMEOUT(ckpt, self_checkpoint, 120)
{
	struct workload *wl = &self->s.wl[0];
	const char *p[2];

	p[0] = ckpt_new_path(&self->s, "img");
	p[1] = ckpt_new_path(&self->s, "img");
	start_workload(_metadata, wl, wl_self, (void *)p);
	EXPECT_LT(0, (long)wl->info[0]) {
		TH_LOG("checkpoint(0): %s", strerror(wl->info[1]));
	}
	EXPECT_LT(0, (long)wl->info[2]) {
		TH_LOG("checkpoint(getpid()): %s", strerror(wl->info[3]));
	}
	ASSERT_EQ(wl->pid, wl->info[4]);
	if ((long)wl->info[0] > 0)
		check_self_image(_metadata, p[0], &self->s.im[0], wl->info[0], wl->pid);
	if ((long)wl->info[2] > 0)
		check_self_image(_metadata, p[1], &self->s.im[1], wl->info[2], wl->pid);
	EXPECT_NE(wl->info[0], wl->info[2]);
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
}

TEST_HARNESS_MAIN
