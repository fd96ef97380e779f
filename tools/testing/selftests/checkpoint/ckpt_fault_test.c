// SPDX-License-Identifier: GPL-2.0
/*
 * Faults during checkpoint(2) and restart(2): the image fd fails (full
 * file system, reader gone, socket reset, a device that errors), the
 * target exits, forks, execs, is killed or ptrace-attached while it is
 * checkpointed, two checkpoints of one target at once, restart killed at
 * random points, and both under a memory cgroup too small for the image.
 * The caller gets an errno; the target completes its work with the right
 * result; nothing half-built stays.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <netinet/in.h>
#include <linux/magic.h>

#include "../kselftest_harness.h"
#include "ckpt_wl.h"
#include "ckpt_cg.h"

#define FAULT_EXEC_ENV	"CKPT_FAULT_EXEC"
#define WORDS		(512 * 1024)	/* 4 MiB of memory the worker checks */
#define MUL		2654435761ULL

/*
 * A process that re-executes itself FAULT_EXEC_ENV times (a target that
 * execs while it is checkpointed), then exits 0; before the harness runs.
 */
static void __attribute__((constructor)) exec_loop(void)
{
	const char *env = getenv(FAULT_EXEC_ENV);
	char buf[16];
	int n;

	if (!env)
		return;
	n = atoi(env);
	if (n <= 0)
		_exit(0);
	snprintf(buf, sizeof(buf), "%d", n - 1);
	setenv(FAULT_EXEC_ENV, buf, 1);
	sleep_ms(5);
	execl("/proc/self/exe", "ckpt_fault_test", NULL);
	_exit(3);
}

FIXTURE(flt) {
	struct scratch s;
	pid_t wl;
	char cg[PATH_MAX];
	bool mounted;
};

FIXTURE_SETUP(flt)
{
	if (!checkpoint_available())
		SKIP(return, "no checkpoint(2)");
	scratch_init(&self->s);
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(flt)
{
	if (self->wl > 0) {
		kill(self->wl, SIGKILL);
		waitpid(self->wl, NULL, 0);
	}
	tree_tasks(SIGKILL, false);
	if (self->mounted)
		umount2(spath(&self->s, "small"), MNT_DETACH);
	if (self->cg[0])
		rmdir(self->cg);
	scratch_clean(&self->s);
}

/*
 * The worker: each step writes step * MUL + j into 4 MiB and adds
 * step^2 to a sum, until the file "stop" exists; then it checks its
 * memory and writes "steps sum ok|bad" to "result".  With @forks, it
 * also forks a short-lived child at every step.
 */
static void worker(struct scratch *s, bool forks)
{
	unsigned long long *buf, sum = 0, n, j;
	const char *stop = spath(s, "stop"), *result = spath(s, "result");
	bool ok = true;
	char line[96];
	int fd;

	wl_task_setup();
	buf = malloc(WORDS * sizeof(*buf));
	if (!buf)
		_exit(1);
	for (n = 1;; n++) {
		for (j = 0; j < WORDS; j += 64)
			buf[j] = n * MUL + j;
		sum += n * n;
		if (forks) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				waitpid(c, NULL, 0);
		}
		if (!access(stop, F_OK))
			break;
		sleep_ms(2);
	}
	for (j = 0; j < WORDS; j += 64)
		if (buf[j] != n * MUL + j)
			ok = false;
	snprintf(line, sizeof(line), "%llu %llu %s\n", n, sum, ok ? "ok" : "bad");
	fd = open(result, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		_exit(2);
	_exit(0);
}

static void start_worker(struct __test_metadata *_metadata, struct _test_data_flt *self,
			 bool forks)
{
	unlink(spath(&self->s, "stop"));
	unlink(spath(&self->s, "result"));
	fflush(stdout);
	fflush(stderr);
	self->wl = fork();
	ASSERT_LE(0, self->wl);
	if (self->wl == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		worker(&self->s, forks);
	}
	/* until its memory is there */
	sleep_ms(200);
}

/* stop the worker; it must exit 0 with the sum of its steps and its memory intact */
static void finish_worker(struct __test_metadata *_metadata, struct _test_data_flt *self)
{
	unsigned long long n, sum, want = 0, i;
	char line[96] = "", ok[8] = "";
	int status, got;

	put_long(spath(&self->s, "stop"), 1);
	ASSERT_EQ(self->wl, waitpid(self->wl, &status, 0));
	self->wl = 0;
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("worker status %#x", status);
	}
	ASSERT_LT(0, read_file(spath(&self->s, "result"), line, sizeof(line) - 1));
	got = sscanf(line, "%llu %llu %7s", &n, &sum, ok);
	ASSERT_EQ(3, got);
	for (i = 1; i <= n; i++)
		want += i * i;
	EXPECT_EQ(want, sum);
	EXPECT_STREQ("ok", ok);
}

/* checkpoint into @fd fails with @err, and the worker is not harmed */
static void expect_fd_error(struct __test_metadata *_metadata, struct _test_data_flt *self,
			    int fd, int err, int err2, const char *what)
{
	long ret;

	errno = 0;
	ret = sys_checkpoint(self->wl, fd, CHECKPOINT_KILL);
	EXPECT_EQ(-1, ret) {
		TH_LOG("%s: checkpoint succeeded", what);
	}
	EXPECT_TRUE(errno == err || errno == err2) {
		TH_LOG("%s: %s", what, strerror(errno));
	}
	/* CHECKPOINT_KILL applies to a complete image only */
	EXPECT_EQ(0, waitpid(self->wl, NULL, WNOHANG));
}

TEST_F_TIMEOUT(flt, full_file_system, 240)
{
	const char *small = spath(&self->s, "small");
	int fd;

	ASSERT_EQ(0, mkdir(small, 0755));
	ASSERT_EQ(0, mount("tmpfs", small, "tmpfs", 0, "size=256k"));
	self->mounted = true;
	start_worker(_metadata, self, false);
	fd = open(spath(&self->s, "small/img"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	expect_fd_error(_metadata, self, fd, ENOSPC, ENOSPC, "full tmpfs");
	close(fd);
	finish_worker(_metadata, self);
}

struct reader {
	int fd;
	size_t take;		/* bytes to read before closing */
	bool reset;		/* close a TCP socket with a reset */
};

static void *read_then_close(void *arg)
{
	struct reader *r = arg;
	char buf[4096];
	size_t got = 0;
	ssize_t n;

	while (got < r->take && (n = read(r->fd, buf, sizeof(buf))) > 0)
		got += n;
	if (r->reset) {
		struct linger l = { 1, 0 };

		setsockopt(r->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(r->fd);
	return NULL;
}

TEST_F_TIMEOUT(flt, reader_goes_away, 240)
{
	struct reader r = { .take = 256 << 10 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int p[2], ls, cs;
	pthread_t th;

	start_worker(_metadata, self, false);

	/* a pipe whose reader exits part-way */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	r.fd = p[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, read_then_close, &r));
	expect_fd_error(_metadata, self, p[1], EPIPE, EPIPE, "pipe reader exits");
	pthread_join(th, NULL);
	close(p[1]);

	/* a TCP connection reset part-way */
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, ls);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(ls, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(ls, 1));
	ASSERT_EQ(0, getsockname(ls, (struct sockaddr *)&sin, &len));
	cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cs);
	ASSERT_EQ(0, connect(cs, (struct sockaddr *)&sin, sizeof(sin)));
	r.fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, r.fd);
	r.reset = true;
	ASSERT_EQ(0, pthread_create(&th, NULL, read_then_close, &r));
	expect_fd_error(_metadata, self, cs, ECONNRESET, EPIPE, "TCP reset");
	pthread_join(th, NULL);
	close(cs);
	close(ls);

	finish_worker(_metadata, self);
}

/* a checkpoint that may lose a race: success, or one of the errnos the docs name */
static bool race_errno(int err)
{
	return err == ESRCH || err == EBUSY || err == EAGAIN;
}

struct racer {
	pid_t pid;
	int what;		/* 0 kill, 1 ptrace, 2 checkpoint */
	int delay_us;
	int fd;
	long ret;
	int err;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	usleep(r->delay_us);
	switch (r->what) {
	case 0:
		kill(r->pid, SIGKILL);
		break;
	case 1:
		r->ret = ptrace(PTRACE_SEIZE, r->pid, 0, 0);
		r->err = errno;
		break;
	default:
		r->ret = sys_checkpoint(r->pid, r->fd, 0);
		r->err = r->ret < 0 ? errno : 0;
		break;
	}
	return NULL;
}

/* a fresh image fd in the scratch dir */
static int img_fd(struct scratch *s, const char *name)
{
	return open(spath(s, name), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

/* the target exits while it is checkpointed: it exits as it would have */
TEST_F_TIMEOUT(flt, target_exits, 300)
{
	int i, status, ok = 0, fd;
	long ret;

	for (i = 0; i < 30; i++) {
		int p[2];
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			/* ready once it no longer shares our memory */
			wl_privatize_shared_mappings();
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			wl_task_setup();
			sleep_ms(i % 10);
			_exit(7);
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1));
		close(p[0]);
		fd = img_fd(&self->s, "img");
		ASSERT_LE(0, fd);
		errno = 0;
		ret = sys_checkpoint(pid, fd, 0);
		EXPECT_TRUE(ret > 0 || race_errno(errno)) {
			TH_LOG("run %d: %s", i, strerror(errno));
		}
		ok += ret > 0;
		close(fd);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) {
			TH_LOG("run %d: status %#x", i, status);
		}
	}
	TH_LOG("%d of 30 checkpoints completed before the exit", ok);
}

/* the target forks at every step while it is checkpointed */
TEST_F_TIMEOUT(flt, target_forks, 300)
{
	int i, fd, ok = 0;
	long ret;

	start_worker(_metadata, self, true);
	for (i = 0; i < 20; i++) {
		fd = img_fd(&self->s, "img");
		ASSERT_LE(0, fd);
		errno = 0;
		ret = sys_checkpoint(self->wl, fd, 0);
		/* a child caught alive is not the worker's: refused as outside sharing */
		EXPECT_TRUE(ret > 0 || race_errno(errno) || errno == EOPNOTSUPP) {
			TH_LOG("run %d: %s", i, strerror(errno));
		}
		ok += ret > 0;
		close(fd);
	}
	TH_LOG("%d of 20 checkpoints completed", ok);
	finish_worker(_metadata, self);
}

/* the target execs itself again and again while it is checkpointed */
TEST_F_TIMEOUT(flt, target_execs, 300)
{
	int fd, status, n = 0, ok = 0;
	char buf[64];
	long ret;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		wl_task_setup();
		setenv(FAULT_EXEC_ENV, "200", 1);
		execl("/proc/self/exe", "ckpt_fault_test", NULL);
		_exit(3);
	}
	/* once it runs the program (and no longer shares our memory) */
	while (!proc_status(pid, "Name", buf, sizeof(buf)) || strcmp(buf, "exe"))
		sleep_ms(1);
	while (waitpid(pid, &status, WNOHANG) == 0) {
		fd = img_fd(&self->s, "img");
		ASSERT_LE(0, fd);
		errno = 0;
		ret = sys_checkpoint(pid, fd, 0);
		EXPECT_TRUE(ret > 0 || race_errno(errno)) {
			TH_LOG("run %d: %s", n, strerror(errno));
			show_error_record(spath(&self->s, "img"));
		}
		ok += ret > 0;
		n++;
		close(fd);
		/*
		 * Not back to back: each hold interrupts the target as a signal
		 * would, and a system call that restarts from scratch when
		 * interrupted (a lookup over 9p, here) would never complete.
		 */
		sleep_ms(20);
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("exec chain status %#x", status);
	}
	TH_LOG("%d of %d checkpoints completed", ok, n);
	EXPECT_LT(0, n);
}

/* killed while it is checkpointed: it dies, checkpoint returns */
TEST_F_TIMEOUT(flt, target_killed, 300)
{
	struct racer r = { .what = 0 };
	int i, fd, status;
	pthread_t th;
	long ret;

	for (i = 0; i < 20; i++) {
		start_worker(_metadata, self, false);
		r.pid = self->wl;
		r.delay_us = (i % 10) * 2000;
		fd = img_fd(&self->s, "img");
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pthread_create(&th, NULL, race, &r));
		errno = 0;
		ret = sys_checkpoint(self->wl, fd, 0);
		EXPECT_TRUE(ret > 0 || race_errno(errno) || errno == EINTR) {
			TH_LOG("run %d: %s", i, strerror(errno));
		}
		pthread_join(th, NULL);
		close(fd);
		ASSERT_EQ(self->wl, waitpid(self->wl, &status, 0));
		self->wl = 0;
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	}
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
}

/* ptrace-attached while it is checkpointed; detached, it goes on */
TEST_F_TIMEOUT(flt, target_ptrace_attached, 300)
{
	struct racer r = { .what = 1 };
	int i, fd, ok = 0, seized = 0;
	char buf[64];
	pthread_t th;
	long ret;

	start_worker(_metadata, self, false);
	r.pid = self->wl;
	for (i = 0; i < 10; i++) {
		r.delay_us = (i % 5) * 3000;
		fd = img_fd(&self->s, "img");
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, pthread_create(&th, NULL, race, &r));
		errno = 0;
		ret = sys_checkpoint(self->wl, fd, 0);
		EXPECT_TRUE(ret > 0 || race_errno(errno)) {
			TH_LOG("run %d: %s", i, strerror(errno));
		}
		ok += ret > 0;
		/* the tracer thread ends: the worker is detached */
		pthread_join(th, NULL);
		seized += r.ret == 0;
		close(fd);
	}
	ASSERT_TRUE(proc_status(self->wl, "TracerPid", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	/* when the seize came first, checkpoint refused a traced task */
	TH_LOG("the tracer attached in %d of 10 runs", seized);
	TH_LOG("%d of 10 checkpoints completed", ok);
	finish_worker(_metadata, self);
}

/* two checkpoints of one target at once: each completes or gets EBUSY */
TEST_F_TIMEOUT(flt, two_at_once, 300)
{
	struct racer r = { .what = 2 };
	int i, fd, both = 0;
	pthread_t th;
	struct img im;
	long ret;

	start_worker(_metadata, self, false);
	r.pid = self->wl;
	for (i = 0; i < 10; i++) {
		fd = img_fd(&self->s, "a");
		r.fd = img_fd(&self->s, "b");
		ASSERT_LE(0, fd);
		ASSERT_LE(0, r.fd);
		r.delay_us = 0;
		ASSERT_EQ(0, pthread_create(&th, NULL, race, &r));
		errno = 0;
		ret = sys_checkpoint(self->wl, fd, 0);
		EXPECT_TRUE(ret > 0 || errno == EBUSY) {
			TH_LOG("run %d: %s", i, strerror(errno));
		}
		pthread_join(th, NULL);
		EXPECT_TRUE(r.ret > 0 || r.err == EBUSY) {
			TH_LOG("run %d, the other: %s", i, strerror(r.err));
		}
		EXPECT_TRUE(ret > 0 || r.ret > 0);
		both += ret > 0 && r.ret > 0;
		if (ret > 0) {
			ASSERT_EQ(0, img_load_fd(fd, &im));
			EXPECT_EQ(NULL, img_check(&im, true));
			img_free(&im);
		}
		close(fd);
		close(r.fd);
	}
	TH_LOG("both completed in %d of 10 runs", both);
	finish_worker(_metadata, self);
}

/* a small container: init with a thread, two children, a pipe */
static void *spin(void *arg)
{
	for (;;)
		sleep_ms(20);
	return NULL;
}

static pid_t start_container(struct __test_metadata *_metadata)
{
	pid_t pid;
	int p[2];

	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pthread_t th;
		int i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID))
			_exit(1);
		pid = fork();
		if (pid) {
			waitpid(pid, NULL, 0);
			_exit(0);
		}
		wl_task_setup();
		if (pipe(p) || pthread_create(&th, NULL, spin, NULL))
			_exit(1);
		for (i = 0; i < 2; i++)
			if (fork() == 0)
				for (;;)
					sleep_ms(20);
		for (;;)
			sleep_ms(20);
	}
	return pid;
}

/* the container's init: the task of our name whose parent is @outer */
static pid_t container_init(pid_t outer)
{
	long long deadline = now_ms() + CKPT_WAIT_MS;
	char ppid[16], comm[64];
	struct dirent *d;
	pid_t init = 0;
	DIR *dir;

	while (!init && now_ms() < deadline) {
		dir = opendir("/proc");
		if (!dir)
			return 0;
		while ((d = readdir(dir))) {
			pid_t pid = atoi(d->d_name);

			if (pid > 0 && proc_status(pid, "Name", comm, sizeof(comm)) &&
			    !strcmp(comm, TREE_COMM) &&
			    proc_status(pid, "PPid", ppid, sizeof(ppid)) && atoi(ppid) == outer)
				init = pid;
		}
		closedir(dir);
		sleep_ms(20);
	}
	/* and its two children */
	while (count_tree_tasks() < 3 && now_ms() < deadline)
		sleep_ms(20);
	return init;
}

/* our workload tasks that are not zombies */
static int live_tree_tasks(void)
{
	char comm[64];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		pid_t pid = atoi(d->d_name);

		if (pid > 0 && proc_status(pid, "Name", comm, sizeof(comm)) &&
		    !strcmp(comm, TREE_COMM) && proc_state(pid) != 'Z')
			n++;
	}
	closedir(dir);
	return n;
}

/*
 * After a restart was killed: either nothing of it is left (0), or it had
 * completed and its container runs whole (1: then it is killed); -1 if
 * something else stays for 10 s.  Orphans come to us, the subreaper.
 */
static int settle(void)
{
	long long deadline = now_ms() + 10000;
	int n, whole = 0;

	while (now_ms() < deadline) {
		while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
			;
		n = count_tree_tasks();
		if (!n)
			return 0;
		whole = (n == 3 && live_tree_tasks() == 3) ? whole + 1 : 0;
		if (whole == 3) {
			tree_tasks(SIGKILL, false);
			while (waitpid(-1, NULL, __WALL) > 0)
				;
			return count_tree_tasks() ? -1 : 1;
		}
		sleep_ms(50);
	}
	return -1;
}

TEST_F_TIMEOUT(flt, restart_killed_at_random_points, 900)
{
	int runs = getenv("CKPT_FAULT_RUNS") ? atoi(getenv("CKPT_FAULT_RUNS")) : 40;
	long files0, files1, t0, span;
	int i, n, fd, err, done = 0, left = 0;
	const char *img = spath(&self->s, "img");
	char buf[64];
	pid_t outer, init = 0;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	outer = start_container(_metadata);
	init = container_init(outer);
	ASSERT_LT(0, init);
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	waitpid(outer, NULL, 0);
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	/* how long one restart takes */
	t0 = now_ms();
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	init = sys_restart(0, fd, 0);
	ASSERT_LT(0, init);
	close(fd);
	span = now_ms() - t0 + 1;
	kill(init, SIGKILL);
	waitpid(init, NULL, 0);
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	ASSERT_LT(0, read_file("/proc/sys/fs/file-nr", buf, sizeof(buf) - 1));
	files0 = atol(buf);

	for (i = 0; i < runs; i++) {
		pid_t r;
		int status;

		fflush(stdout);
		r = fork();
		ASSERT_LE(0, r);
		if (r == 0) {
			fd = open(img, O_RDONLY | O_CLOEXEC);
			if (sys_restart(0, fd, 0) > 0)
				for (;;)
					pause();
			_exit(0);
		}
		usleep(rand() % (span * 1000 + 1));
		kill(r, SIGKILL);
		ASSERT_EQ(r, waitpid(r, &status, 0));
		n = settle();
		EXPECT_LE(0, n) {
			TH_LOG("run %d: a half-built container stays", i);
			tree_tasks(0, true);
		}
		done += n > 0;
		left += wait_no_tree_tasks(CKPT_WAIT_MS);
	}
	EXPECT_EQ(0, left);
	sleep_ms(500);
	ASSERT_LT(0, read_file("/proc/sys/fs/file-nr", buf, sizeof(buf) - 1));
	files1 = atol(buf);
	EXPECT_GT(files0 + 64, files1) {
		TH_LOG("open files %ld before, %ld after", files0, files1);
	}
	TH_LOG("%d restarts killed, %d had completed (one restart: %ld ms)", runs, done, span);
}

/* a memory cgroup below the root with memory.max @max: 0, or why not */
static const char *memcg_make(char *path, const char *max)
{
	char buf[1024];

	if (cg_read(CG_ROOT, "cgroup.controllers", buf, sizeof(buf)) ||
	    !has_word(buf, "memory"))
		return "no memory controller (CONFIG_MEMCG)";
	if (cg_read(CG_ROOT, "cgroup.subtree_control", buf, sizeof(buf)))
		return "cannot read cgroup.subtree_control";
	if (!has_word(buf, "memory") &&
	    cg_write(CG_ROOT, "cgroup.subtree_control", "+memory"))
		return "cannot enable the memory controller";
	snprintf(path, PATH_MAX, "%s/ckpt-fault.%d", CG_ROOT, getpid());
	if (mkdir(path, 0755) || cg_write(path, "memory.max", max)) {
		rmdir(path);
		path[0] = 0;
		return "cannot make a memory cgroup";
	}
	return NULL;
}

/* 32 MiB of written memory, once it is written */
static pid_t start_big(struct __test_metadata *_metadata)
{
	int ready[2];
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *p;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		wl_privatize_shared_mappings();
		p = malloc(32 << 20);
		if (!p)
			_exit(1);
		memset(p, 0x5a, 32 << 20);
		/* the memory is used: the compiler must keep the stores */
		asm volatile("" : : "r" (p) : "memory");
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		wl_task_setup();
		for (;;)
			pause();
	}
	close(ready[1]);
	EXPECT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	/* and its fds closed */
	sleep_ms(200);
	return pid;
}

/* restart in a memory cgroup too small for the image: it fails, nothing stays */
TEST_F_TIMEOUT(flt, restart_in_small_memcg, 300)
{
	const char *img = spath(&self->s, "img"), *why;
	long long current;
	char buf[64];
	int err, status, pfd[2];
	struct helper_result hr = { -1, 0, 0, 0 };
	pid_t r;

	why = memcg_make(self->cg, "16M");
	if (why)
		SKIP(return, "%s", why);
	self->wl = start_big(_metadata);
	ASSERT_LT(0, take(img, self->wl, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
	}
	kill(self->wl, SIGKILL);
	waitpid(self->wl, NULL, 0);
	self->wl = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	fflush(stdout);
	r = fork();
	ASSERT_LE(0, r);
	if (r == 0) {
		if (cg_enter(self->cg, 0))
			_exit(1);
		hr.ret = restart_img(img, 0, 0, &hr.err);
		if (hr.ret > 0)
			kill(hr.ret, SIGKILL);
		errno = 0;
		hr.wret = waitpid(-1, NULL, __WALL);
		hr.werr = errno;
		if (write(pfd[1], &hr, sizeof(hr)) != sizeof(hr))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	ASSERT_EQ(r, waitpid(r, &status, 0));
	if (WIFEXITED(status)) {
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(sizeof(hr), read(pfd[0], &hr, sizeof(hr)));
		EXPECT_EQ(-1, hr.ret) {
			TH_LOG("restarted 32 MiB under memory.max 16M");
		}
		EXPECT_EQ(ENOMEM, hr.err) {
			TH_LOG("restart: %s", strerror(hr.err));
		}
		EXPECT_EQ(ECHILD, hr.werr) {
			TH_LOG("the failed restart left a child");
		}
	} else {
		/* or the memory cgroup's OOM killer chose the restarting caller */
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			TH_LOG("restarter status %#x", status);
		}
	}
	close(pfd[0]);
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	/* nothing stays charged: the cgroup is (nearly) empty again */
	sleep_ms(200);
	ASSERT_EQ(0, cg_read(self->cg, "memory.current", buf, sizeof(buf)));
	current = atoll(buf);
	EXPECT_GT(4LL << 20, current) {
		TH_LOG("memory.current %lld after the failed restart", current);
	}
}

/* checkpoint of a large target by a caller under the same small limit completes */
TEST_F_TIMEOUT(flt, checkpoint_in_small_memcg, 300)
{
	const char *why;
	long long total = 0;
	char buf[65536];
	int p[2], status;
	ssize_t n;
	pid_t c;

	why = memcg_make(self->cg, "16M");
	if (why)
		SKIP(return, "%s", why);
	self->wl = start_big(_metadata);
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	fflush(stdout);
	c = fork();
	ASSERT_LE(0, c);
	if (c == 0) {
		close(p[0]);
		if (cg_enter(self->cg, 0))
			_exit(1);
		_exit(sys_checkpoint(self->wl, p[1], 0) > 0 ? 0 : 10 + errno);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		total += n;
	close(p[0]);
	ASSERT_EQ(c, waitpid(c, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("checkpoint under memory.max 16M: status %#x (errno %d)",
		       status, WIFEXITED(status) ? WEXITSTATUS(status) - 10 : 0);
	}
	EXPECT_LT(32LL << 20, total);
	/* the target is unharmed */
	EXPECT_EQ(0, waitpid(self->wl, NULL, WNOHANG));
}

TEST_HARNESS_MAIN
