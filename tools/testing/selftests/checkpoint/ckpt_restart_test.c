// SPDX-License-Identifier: GPL-2.0
/*
 * restart(2) selftests, judged by outcome: a workload child is checkpointed
 * into a file, killed and reaped, then restarted; the test talks to the
 * restored process and looks at it from outside (/proc, process_vm_readv,
 * ptrace, files it wrote).  Then the error paths: each must fail with the
 * right errno and leave no task behind.  The workloads and the helpers are
 * in ckpt_util.h.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <linux/capability.h>
#include <linux/futex.h>
#ifdef __GLIBC__
#if __GLIBC_PREREQ(2, 35)
#include <sys/rseq.h>		/* __rseq_offset, __rseq_size */
#define HAVE_GLIBC_RSEQ	1
#endif
#endif

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_reader.h"

#ifndef PTRACE_GET_RSEQ_CONFIGURATION
#define PTRACE_GET_RSEQ_CONFIGURATION	0x420f
#endif

#define MEM_SIZE	(64UL << 20)
#define MAP_PAGES	16

/* The workload the unprivileged test execs from a copy of this program. */
static void __attribute__((constructor)) exec_workload_entry(void)
{
	if (getenv(RS_WL_ENV)) {
		/* the harness' constructors made shared mappings */
		wl_drop_shared_mappings();
		wl_loop(wl_plain, NULL);
	}
}

FIXTURE(rs) {
	struct rs_state s;
};

FIXTURE_SETUP(rs)
{
	rs_init(&self->s);
	signal(SIGPIPE, SIG_IGN);
	if (!restart_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented by this kernel");
}

FIXTURE_TEARDOWN(rs)
{
	rs_cleanup(&self->s);
}

/*
 * A counter that keeps running; it polls stdin now and then and answers a
 * command byte with its value (and address).
 */
static __u64 wl_counter;

static void wl_count(char cmd, struct reply *r, void *arg)
{
	struct pollfd pfd = { .fd = 0, .events = POLLIN };
	char c;

	if (cmd != 'I')
		return;
	wl_send(r);
	for (;;) {
		__atomic_add_fetch(&wl_counter, 1, __ATOMIC_RELAXED);
		if (__atomic_load_n(&wl_counter, __ATOMIC_RELAXED) % 4096)
			continue;
		if (poll(&pfd, 1, 0) <= 0)
			continue;
		if (read(0, &c, 1) != 1)
			_exit(0);
		memset(r, 0, sizeof(*r));
		r->v[0] = __atomic_load_n(&wl_counter, __ATOMIC_RELAXED);
		r->v[1] = (uintptr_t)&wl_counter;
		wl_send(r);
	}
}

TEST_F_TIMEOUT(rs, counter_continues, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct reply r;
	__s64 before, after;
	__u64 v;

	start_workload_fn(_metadata, p, wl_count, NULL, &r);
	ASSERT_EQ(0, ask(p, 'c', &r));
	before = r.v[0];
	sleep_ms(100);
	ASSERT_EQ(0, ask(p, 'c', &r));
	ASSERT_LT(before, r.v[0]);
	before = r.v[0];

	cycle(_metadata, &self->s, p, q);
	ASSERT_EQ(0, ask(q, 'c', &r));
	after = r.v[0];
	EXPECT_LE(before, after) {
		TH_LOG("counter %lld before checkpoint, %lld after restart",
		       (long long)before, (long long)after);
	}
	ASSERT_TRUE(peek_mem(_metadata, q->pid, r.v[1], &v, sizeof(v)));
	EXPECT_LE((__u64)after, v);
	sleep_ms(100);
	ASSERT_EQ(0, ask(q, 'c', &r));
	EXPECT_LT(after, r.v[0]) {
		TH_LOG("the restored counter does not move");
	}
	kill_reap(_metadata, q);
}

/*
 * 64 MiB of anonymous memory with a pattern, and a private file mapping of
 * which a few pages were written.
 */
static __u64 mem_pat(__u64 i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL ^ (i << 17);
}

static unsigned char file_pat(size_t off)
{
	return (off * 131 + (off >> 12) * 7 + 1) & 0xff;
}

/* Apply the workload's writes to a copy of the mapped file's contents. */
static void map_writes(unsigned char *m, size_t ps)
{
	memset(m + 3 * ps + 100, 'A', 200);
	m[7 * ps + ps - 1] = 'Z';
	memset(m + 12 * ps, 0, 8);
}

static void wl_mem(char cmd, struct reply *r, void *arg)
{
	static __u64 *big;
	static unsigned char *map;
	size_t i, n = MEM_SIZE / 8, ps = getpagesize();
	__u64 sum = 0, bad = 0, x = 0;
	int fd;

	if (cmd == 'I') {
		big = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (big == MAP_FAILED)
			wl_die("mmap");
		for (i = 0; i < n; i++) {
			big[i] = mem_pat(i);
			sum += big[i];
		}
		fd = open(arg, O_RDONLY);
		if (fd < 0)
			wl_die("open");
		map = mmap(NULL, MAP_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED)
			wl_die("mmap file");
		close(fd);
		for (i = 0; i < MAP_PAGES * ps; i += ps)
			x += __atomic_load_n(&map[i], __ATOMIC_RELAXED);
		map_writes(map, ps);
		r->v[3] = x;
		r->v[0] = (uintptr_t)big;
		r->v[1] = sum;
		r->v[2] = (uintptr_t)map;
	} else if (cmd == 'V') {
		for (i = 0; i < n; i++) {
			x = big[i];
			bad += x != mem_pat(i);
			sum += x;
		}
		r->v[0] = bad;
		r->v[1] = sum;
	}
}

TEST_F_TIMEOUT(rs, memory_intact, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *file = rs_path(&self->s, "map");
	size_t i, ps = getpagesize(), flen = MAP_PAGES * ps;
	unsigned char *want, *got;
	__u64 sum = 0, addr, map, x;
	struct reply r;
	long bad = 0;

	want = malloc(flen);
	got = malloc(flen);
	ASSERT_TRUE(want && got);
	for (i = 0; i < flen; i++)
		want[i] = file_pat(i);
	write_file(_metadata, file, want, flen, O_TRUNC);
	for (i = 0; i < MEM_SIZE / 8; i++)
		sum += mem_pat(i);

	start_workload_fn(_metadata, p, wl_mem, (void *)file, &r);
	ASSERT_EQ(sum, (__u64)r.v[1]);
	addr = r.v[0];
	map = r.v[2];
	cycle(_metadata, &self->s, p, q);

	/* the restored process checks its 64 MiB itself... */
	ASSERT_EQ(0, ask(q, 'V', &r));
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("%lld of %lu words differ after restart", (long long)r.v[0], MEM_SIZE / 8);
	}
	EXPECT_EQ(sum, (__u64)r.v[1]);
	/* ...and we look at some of them from outside */
	for (i = 0; i < MEM_SIZE / 8; i += MEM_SIZE / 8 / 61 + 1) {
		ASSERT_TRUE(peek_mem(_metadata, q->pid, addr + i * 8, &x, sizeof(x)));
		bad += x != mem_pat(i);
	}
	EXPECT_EQ(0, bad);

	/* the file mapping: written pages as written, the others as the file */
	ASSERT_TRUE(peek_mem(_metadata, q->pid, map, got, flen));
	ASSERT_EQ((ssize_t)flen, read_file(file, want, flen));
	for (i = 0; i < flen && want[i] == file_pat(i); i++)
		;
	EXPECT_EQ(flen, i) {
		TH_LOG("the private mapping's writes reached the file at %zu", i);
	}
	map_writes(want, ps);
	i = first_diff(want, got, flen);
	EXPECT_EQ(flen, i) {
		TH_LOG("mapping differs at page %zu offset %zu", i / ps, i % ps);
	}
	free(want);
	free(got);
	kill_reap(_metadata, q);
}

/*
 * Memory that restart put back behaves as memory the process faulted in
 * itself: it can be written, a fork shares it copy-on-write, a read-only
 * page stays read-only, MADV_DONTNEED drops it and it counts as RssAnon.
 */
#define ORD_PAGES	256

/* run @fn in a child of the restored process; the child's wait status */
static int ord_child(void (*fn)(unsigned char *m, size_t ps), unsigned char *m,
		     size_t ps)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn(m, ps);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void ord_scribble(unsigned char *m, size_t ps)
{
	memset(m, 0xee, ORD_PAGES * ps);
}

static void ord_write_ro(unsigned char *m, size_t ps)
{
	m[ORD_PAGES * ps] = 'W';
}

static void wl_ordinary(char cmd, struct reply *r, void *arg)
{
	static unsigned char *m;
	size_t i, ps = getpagesize();
	long bad = 0;
	int st;

	if (cmd == 'I') {
		/* ORD_PAGES written pages, then one read-only page */
		m = mmap(NULL, (ORD_PAGES + 1) * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			wl_die("mmap");
		for (i = 0; i < ORD_PAGES * ps; i++)
			m[i] = i / ps + 1;
		m[ORD_PAGES * ps] = 'R';
		if (mprotect(m + ORD_PAGES * ps, ps, PROT_READ))
			wl_die("mprotect");
		r->v[0] = (uintptr_t)m;
		return;
	}
	if (cmd != 'O')
		return;
	/* a child scribbles over its copy: ours must not change */
	st = ord_child(ord_scribble, m, ps);
	r->v[1] = WIFEXITED(st) && !WEXITSTATUS(st);
	for (i = 0; i < ORD_PAGES * ps; i++)
		bad += m[i] != (unsigned char)(i / ps + 1);
	/* our own writes land, page by page */
	for (i = 0; i < ORD_PAGES; i++)
		m[i * ps + 7] = 0x55;
	for (i = 0; i < ORD_PAGES; i++)
		bad += m[i * ps + 7] != 0x55 || m[i * ps + 8] != (unsigned char)(i + 1);
	r->v[0] = bad;
	/* writing the read-only page kills a child with SIGSEGV */
	st = ord_child(ord_write_ro, m, ps);
	r->v[2] = WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV &&
		  m[ORD_PAGES * ps] == 'R';
	/* dropped pages read back as zeroes */
	r->v[3] = !madvise(m, 2 * ps, MADV_DONTNEED) && !m[0] && !m[ps + 7] &&
		  m[2 * ps] == 3;
}

static long rss_anon_kib(pid_t pid)
{
	char v[64];

	return proc_status(pid, "RssAnon", v, sizeof(v)) ? atol(v) : -1;
}

TEST_F_TIMEOUT(rs, restored_memory_is_ordinary, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	long kib = ORD_PAGES * getpagesize() / 1024;
	struct reply r;

	start_workload_fn(_metadata, p, wl_ordinary, NULL, &r);
	cycle(_metadata, &self->s, p, q);
	/* the restored pages are counted as the process's anonymous memory */
	EXPECT_LE(kib, rss_anon_kib(q->pid));

	ASSERT_EQ(0, ask(q, 'O', &r));
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("%lld bytes wrong after a child's writes and ours", (long long)r.v[0]);
	}
	EXPECT_EQ(1, r.v[1]);
	EXPECT_EQ(1, r.v[2]) {
		TH_LOG("the read-only page could be written");
	}
	EXPECT_EQ(1, r.v[3]) {
		TH_LOG("MADV_DONTNEED did not drop the restored pages");
	}
	kill_reap(_metadata, q);
}

/*
 * A caller of restart() killed at any point while its child restores 32 MiB
 * (it reads half of the pages itself): it dies, and leaves either nothing
 * or the restored process, which can be killed and reaped.
 */
#define BIG_SIZE	(32UL << 20)

static void wl_big(char cmd, struct reply *r, void *arg)
{
	static unsigned char *m;

	if (cmd == 'I') {
		m = mmap(NULL, BIG_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			wl_die("mmap");
		memset(m, 0x5a, BIG_SIZE);
	}
}

/* kill and reap our children that are not the test's; how many there were */
static int reap_orphans(struct __test_metadata *_metadata)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0, st;
	char v[64];

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		pid_t q = atoi(e->d_name);

		if (q <= 0 || !proc_status(q, "PPid", v, sizeof(v)) ||
		    atoi(v) != getpid() || !proc_status(q, "Name", v, sizeof(v)))
			continue;
		/* a restored process (it may be exiting: its pipes are gone) */
		EXPECT_EQ(0, strncmp(v, "ckpt_restart_te", 15));
		kill(q, SIGKILL);
		EXPECT_EQ(q, waitpid(q, &st, 0));
		n++;
	}
	closedir(d);
	return n;
}

TEST_F_TIMEOUT(rs, caller_killed, 180)
{
	struct rproc *p = &self->s.p[0];
	int i, st, done = 0, killed = 0;
	const char *path;
	struct reply r;
	pid_t c;

	ASSERT_EQ(0, prctl(PR_SET_CHILD_SUBREAPER, 1));
	start_workload_fn(_metadata, p, wl_big, NULL, &r);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);

	for (i = 0; i < 10; i++) {
		c = fork();
		ASSERT_LE(0, c);
		if (c == 0) {
			int fd = open(path, O_RDONLY);

			_exit(sys_restart(0, fd, 0) > 0 ? 0 : 1);
		}
		usleep(i * 15000);
		kill(c, SIGKILL);
		ASSERT_EQ(c, waitpid(c, &st, 0));
		if (WIFSIGNALED(st)) {
			killed++;
		} else {
			EXPECT_EQ(0, WEXITSTATUS(st));
			done++;
		}
		/* what it left is ours now: a whole, running process or nothing */
		EXPECT_GE(1, reap_orphans(_metadata));
	}
	TH_LOG("%d restarts killed, %d finished first", killed, done);
}

/* A file read up to offset 1000 and a file open for appending. */
struct files_arg {
	const char *rpath;
	const char *apath;
};

static void wl_files(char cmd, struct reply *r, void *arg)
{
	const struct files_arg *a = arg;
	static int rfd, afd;
	char buf[1000];

	if (cmd == 'I') {
		rfd = open(a->rpath, O_RDONLY);
		afd = open(a->apath, O_WRONLY | O_APPEND);
		if (rfd < 0 || afd < 0 || read(rfd, buf, sizeof(buf)) != sizeof(buf) ||
		    write(afd, "1", 1) != 1 || lseek(afd, 0, SEEK_SET))
			wl_die("files");
		r->v[0] = rfd;
		r->v[1] = afd;
	} else if (cmd == 'R') {
		r->v[0] = read(rfd, r->s, 16);
		r->v[1] = lseek(rfd, 0, SEEK_CUR);
		r->v[2] = fcntl(afd, F_GETFL);
		r->v[3] = write(afd, "2", 1);
	}
}

TEST_F_TIMEOUT(rs, file_offsets, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct files_arg a = { rs_path(&self->s, "r"), rs_path(&self->s, "a") };
	unsigned char data[4096];
	struct reply r;
	char buf[64];
	int rfd, afd;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = file_pat(i * 3);
	write_file(_metadata, a.rpath, data, sizeof(data), O_TRUNC);
	write_file(_metadata, a.apath, "base\n", 5, O_TRUNC);
	start_workload_fn(_metadata, p, wl_files, &a, &r);
	rfd = r.v[0];
	afd = r.v[1];
	EXPECT_EQ(1000, proc_fdinfo(p->pid, rfd, "pos"));
	cycle(_metadata, &self->s, p, q);

	/* from outside first */
	EXPECT_EQ(1000, proc_fdinfo(q->pid, rfd, "pos"));
	EXPECT_EQ(O_RDONLY, proc_fdinfo(q->pid, rfd, "flags") & O_ACCMODE);
	EXPECT_EQ(0, proc_fdinfo(q->pid, afd, "pos"));
	EXPECT_EQ(O_APPEND, proc_fdinfo(q->pid, afd, "flags") & O_APPEND);

	ASSERT_EQ(0, ask(q, 'R', &r));
	ASSERT_EQ(16, r.v[0]);
	EXPECT_EQ(0, memcmp(r.s, data + 1000, 16)) {
		TH_LOG("read after restart did not continue at offset 1000");
	}
	EXPECT_EQ(1016, r.v[1]);
	EXPECT_EQ(O_APPEND, r.v[2] & O_APPEND);
	EXPECT_EQ(1, r.v[3]);
	/* with O_APPEND the write at position 0 went to the end */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(7, read_file(a.apath, buf, sizeof(buf) - 1));
	EXPECT_STREQ("base\n12", buf);
	kill_reap(_metadata, q);
}

/* A pipe with both ends held and unread bytes in it. */
static void wl_pipe(char cmd, struct reply *r, void *arg)
{
	static int pp[2];
	char buf[8];

	if (cmd == 'I') {
		if (pipe(pp) || write(pp[1], "hello-unread", 12) != 12 ||
		    fcntl(pp[0], F_SETFL, O_NONBLOCK))
			wl_die("pipe");
		r->v[0] = pp[0];
		r->v[1] = pp[1];
	} else if (cmd == 'R') {
		r->v[0] = read(pp[0], r->s, 64);
		r->v[1] = r->v[0] < 0 ? errno : 0;
		r->v[2] = write(pp[1], "more", 4);
		r->v[3] = read(pp[0], buf, sizeof(buf));
		r->v[4] = r->v[3] == 4 && !memcmp(buf, "more", 4);
	}
}

TEST_F_TIMEOUT(rs, pipe_unread_bytes, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	char l0[64], l1[64], lout[64];
	const struct ckpt_rec_pipe *pr;
	const struct rinfo *ri;
	const char *path;
	struct image im;
	struct reply r;
	int r0, w0;

	start_workload_fn(_metadata, p, wl_pipe, NULL, &r);
	r0 = r.v[0];
	w0 = r.v[1];
	path = cycle(_metadata, &self->s, p, q);

	image_load(_metadata, path, &im);
	ri = image_rec(&im, CKPT_REC_PIPE, 0);
	ASSERT_NE(NULL, ri);
	pr = image_at(&im, ri);
	EXPECT_EQ(12, pr->nr_bytes);
	image_free(&im);

	/* both ends are one new pipe, not the test's */
	ASSERT_TRUE(fd_link(q->pid, r0, l0, sizeof(l0)));
	ASSERT_TRUE(fd_link(q->pid, w0, l1, sizeof(l1)));
	ASSERT_TRUE(fd_link(q->pid, 1, lout, sizeof(lout)));
	EXPECT_STREQ(l0, l1);
	EXPECT_EQ(0, strncmp(l0, "pipe:", 5));
	EXPECT_STRNE(l0, lout);
	EXPECT_EQ(O_NONBLOCK, proc_fdinfo(q->pid, r0, "flags") & O_NONBLOCK);

	ASSERT_EQ(0, ask(q, 'R', &r));
	EXPECT_EQ(12, r.v[0]) {
		TH_LOG("read: %lld (%s)", (long long)r.v[0], strerror(r.v[1]));
	}
	EXPECT_STREQ("hello-unread", r.s);
	EXPECT_EQ(4, r.v[2]);
	EXPECT_EQ(1, r.v[4]);
	kill_reap(_metadata, q);
}

/*
 * Signals: a SIGUSR1 handler that counts, SIGUSR2 blocked, and a queued
 * SIGRTMIN pending (blocked) across checkpoint and restart.
 */
static int usr1_count, rt_count, rt_value, rt_code, rt_pid;

static void usr1_handler(int sig)
{
	__atomic_add_fetch(&usr1_count, 1, __ATOMIC_RELAXED);
}

static void rt_handler(int sig, siginfo_t *si, void *uc)
{
	rt_value = si->si_value.sival_int;
	rt_code = si->si_code;
	rt_pid = si->si_pid;
	__atomic_add_fetch(&rt_count, 1, __ATOMIC_RELAXED);
}

static void wl_signals(char cmd, struct reply *r, void *arg)
{
	struct sigaction sa;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (cmd == 'I') {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = usr1_handler;
		sa.sa_flags = SA_RESTART;
		sigaction(SIGUSR1, &sa, NULL);
		sa.sa_sigaction = rt_handler;
		sa.sa_flags = SA_RESTART | SA_SIGINFO;
		sigaction(SIGRTMIN, &sa, NULL);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		r->v[0] = SIGRTMIN;
		return;
	}
	if (cmd == 'U')
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	r->v[0] = __atomic_load_n(&usr1_count, __ATOMIC_RELAXED);
	r->v[1] = __atomic_load_n(&rt_count, __ATOMIC_RELAXED);
	r->v[2] = rt_value;
	r->v[3] = rt_code;
	r->v[4] = rt_pid;
}

TEST_F_TIMEOUT(rs, signal_state, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	union sigval val = { .sival_int = 0x5eed };
	__u64 m[2][4], all = SIGBIT(SIGUSR1) | SIGBIT(SIGUSR2);
	static const char * const names[] = { "ShdPnd", "SigPnd", "SigBlk", "SigCgt" };
	long long deadline;
	struct reply r;
	int rtmin, i;

	start_workload_fn(_metadata, p, wl_signals, NULL, &r);
	rtmin = r.v[0];
	all |= SIGBIT(rtmin);
	ASSERT_EQ(0, sigqueue(p->pid, rtmin, val));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(proc_mask(p->pid, names[i], &m[0][i]));
	ASSERT_EQ(SIGBIT(rtmin), m[0][0] & all);
	ASSERT_EQ(SIGBIT(SIGUSR2) | SIGBIT(rtmin), m[0][2] & all);
	ASSERT_EQ(SIGBIT(SIGUSR1) | SIGBIT(rtmin), m[0][3] & all);
	cycle(_metadata, &self->s, p, q);

	/* from outside: still pending and blocked, handlers still installed */
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(proc_mask(q->pid, names[i], &m[1][i]));
		EXPECT_EQ(m[0][i], m[1][i]) {
			TH_LOG("%s %#llx before checkpoint, %#llx after restart", names[i],
			       (unsigned long long)m[0][i], (unsigned long long)m[1][i]);
		}
	}
	ASSERT_EQ(0, ask(q, 'C', &r));
	EXPECT_EQ(0, r.v[0]);
	EXPECT_EQ(0, r.v[1]);

	/* the SIGUSR1 handler runs, and the interrupted read() restarts */
	ASSERT_EQ(0, kill(q->pid, SIGUSR1));
	deadline = now_ms() + CKPT_WAIT_MS;
	for (;;) {
		ASSERT_EQ(0, ask(q, 'C', &r));
		if (r.v[0] || now_ms() > deadline)
			break;
		sleep_ms(10);
	}
	EXPECT_EQ(1, r.v[0]);
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(0, r.v[1]) {
		TH_LOG("read() failed with EINTR %lld times", (long long)r.v[1]);
	}

	/* unblocking delivers the pending signal with its siginfo */
	ASSERT_EQ(0, ask(q, 'U', &r));
	EXPECT_EQ(1, r.v[1]);
	EXPECT_EQ(0x5eed, r.v[2]);
	EXPECT_EQ(SI_QUEUE, r.v[3]);
	EXPECT_EQ(getpid(), r.v[4]);
	ASSERT_TRUE(proc_mask(q->pid, "ShdPnd", &m[1][0]));
	EXPECT_EQ(0, m[1][0] & all);
	kill_reap(_metadata, q);
}

/*
 * FPU state: the registers are loaded with a pattern, then the workload
 * blocks in read(0, buf, 2) issued by hand, so that nothing touches them;
 * after the read it stores them.  Checkpoint and restart happen during
 * the read.
 */
static unsigned char fpu_in[512], fpu_out[512];

static unsigned char fpu_pat(int i)
{
	return (i * 37 + (i >> 5) * 11 + 5) & 0xff;
}

static long fpu_read(int avx, char *c)
{
	long ret = __NR_read;

	if (avx)
		asm volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
			     "vmovdqu \\i*32(%[in]), %%ymm\\i\n"
			     ".endr\n"
			     "syscall\n"
			     ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
			     "vmovdqu %%ymm\\i, \\i*32(%[out])\n"
			     ".endr\n"
			     : "+a" (ret)
			     : "D" (0L), "S" (c), "d" (2L), [in] "r" (fpu_in), [out] "r" (fpu_out)
			     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			       "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			       "xmm13", "xmm14", "xmm15");
	else
		asm volatile(".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
			     "movdqu \\i*16(%[in]), %%xmm\\i\n"
			     ".endr\n"
			     "syscall\n"
			     ".irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
			     "movdqu %%xmm\\i, \\i*16(%[out])\n"
			     ".endr\n"
			     : "+a" (ret)
			     : "D" (0L), "S" (c), "d" (2L), [in] "r" (fpu_in), [out] "r" (fpu_out)
			     : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4",
			       "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
			       "xmm13", "xmm14", "xmm15");
	return ret;
}

static void wl_fpu(char cmd, struct reply *r, void *arg)
{
	int i, avx = __builtin_cpu_supports("avx");
	char c[2] = { 0, 0 };

	if (cmd == 'I') {
		r->v[0] = avx;
	} else if (cmd == 'X') {
		for (i = 0; i < (int)sizeof(fpu_in); i++)
			fpu_in[i] = fpu_pat(i);
		memset(fpu_out, 0, sizeof(fpu_out));
		snprintf(r->s, sizeof(r->s), "enter");
		wl_send(r);
		r->v[0] = fpu_read(avx, c);
		r->v[1] = c[0];
		memcpy(r->s, fpu_out, sizeof(fpu_out));
	}
}

TEST_F_TIMEOUT(rs, fpu_registers, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	unsigned char want[512];
	struct reply r;
	size_t i, len;
	int avx;

	start_workload_fn(_metadata, p, wl_fpu, NULL, &r);
	avx = r.v[0];
	len = avx ? 512 : 256;
	if (!avx)
		TH_LOG("no AVX: checking xmm0-15 only");
	for (i = 0; i < len; i++)
		want[i] = fpu_pat(i);
	ASSERT_EQ(0, ask(p, 'X', &r));
	ASSERT_STREQ("enter", r.s);
	ASSERT_TRUE(wait_syscall(p->pid, __NR_read, 2, CKPT_WAIT_MS)) {
		TH_LOG("the workload is not blocked in its read(0, buf, 2)");
	}
	cycle(_metadata, &self->s, p, q);

	ASSERT_EQ(0, ask(q, 'x', &r));
	EXPECT_EQ(1, r.v[0]) {
		TH_LOG("the restarted read() returned %lld", (long long)r.v[0]);
	}
	EXPECT_EQ('x', r.v[1]);
	i = first_diff(want, r.s, len);
	EXPECT_EQ(len, i) {
		TH_LOG("%smm%zu byte %zu: %#x instead of %#x", avx ? "y" : "x",
		       i / (avx ? 32 : 16), i % (avx ? 32 : 16),
		       (unsigned char)r.s[i], want[i]);
	}
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(q->pid, r.v[0]);
	kill_reap(_metadata, q);
}

/* nanosleep(200 ms) in a loop, reporting a counter and EINTRs after each. */
static void wl_sleep(char cmd, struct reply *r, void *arg)
{
	struct timespec ts = { 0, 200 * 1000000L };
	__s64 n = 0, eintr = 0;

	if (cmd != 'I')
		return;
	wl_send(r);
	for (;;) {
		if (nanosleep(&ts, NULL) && errno == EINTR)
			eintr++;
		memset(r, 0, sizeof(*r));
		r->v[0] = ++n;
		r->v[1] = eintr;
		wl_send(r);
	}
}

TEST_F_TIMEOUT(rs, nanosleep_restarts, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct reply r;
	__s64 last;
	int i;

	start_workload_fn(_metadata, p, wl_sleep, NULL, &r);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, wl_recv(p, &r));
		EXPECT_EQ(0, r.v[1]);
	}
	last = r.v[0];
	ASSERT_TRUE(wait_state(p->pid, 'S', CKPT_WAIT_MS));
	cycle(_metadata, &self->s, p, q);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, wl_recv(q, &r)) {
			TH_LOG("no report %d after restart", i);
		}
		EXPECT_LT(last, r.v[0]);
		EXPECT_EQ(0, r.v[1]) {
			TH_LOG("nanosleep() failed with EINTR %lld times", (long long)r.v[1]);
		}
		last = r.v[0];
	}
	kill_reap(_metadata, q);
}

/*
 * rseq and the robust list: glibc registers both.  The workload uses
 * robust mutexes and sched_getcpu(); after restart the rseq area must
 * follow a migration, and a robust mutex held when the restored process
 * dies must be marked FUTEX_OWNER_DIED by the kernel's walk of its robust
 * list.  glibc keeps the tid in the mutex, so the process is restarted
 * with its old pid.
 */
struct rseq_conf {
	__u64 rseq_abi_pointer;
	__u32 rseq_abi_size;
	__u32 signature;
	__u32 flags;
	__u32 pad;
};

static pthread_mutex_t rb_private, rb_held;

static __u32 *rseq_cpu_id(void)
{
#ifdef HAVE_GLIBC_RSEQ
	if (__rseq_size > 0)
		return &((struct rseq *)((char *)__builtin_thread_pointer() +
					 __rseq_offset))->cpu_id;
#endif
	return NULL;
}

static __u64 rseq_area(void)
{
#ifdef HAVE_GLIBC_RSEQ
	if (__rseq_size > 0)
		return (uintptr_t)__builtin_thread_pointer() + __rseq_offset;
#endif
	return 0;
}

static int robust_init(pthread_mutex_t *m, bool shared)
{
	pthread_mutexattr_t a;
	int ret;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	if (shared)
		pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return ret;
}

static int robust_loop(void)
{
	int i, bad = 0;

	for (i = 0; i < 1000; i++) {
		bad += pthread_mutex_lock(&rb_private) != 0;
		bad += pthread_mutex_unlock(&rb_private) != 0;
	}
	return bad;
}

/*
 * rseq's cpu_id must follow the process to each allowed CPU (two at most):
 * v[0] counts the mismatches, v[1] the CPUs visited, v[2] the last cpu_id.
 */
static void rseq_check(struct reply *r)
{
	unsigned int cpu, node;
	__u32 *id = rseq_cpu_id();
	cpu_set_t all, one;
	int i;

	if (!id || sched_getaffinity(0, sizeof(all), &all)) {
		r->v[0] = -1;
		return;
	}
	for (i = 0; i < CPU_SETSIZE && r->v[1] < 2; i++) {
		if (!CPU_ISSET(i, &all))
			continue;
		CPU_ZERO(&one);
		CPU_SET(i, &one);
		if (sched_setaffinity(0, sizeof(one), &one))
			continue;
		cpu = ~0U;
		syscall(SYS_getcpu, &cpu, &node, NULL);
		r->v[2] = (__s32)__atomic_load_n(id, __ATOMIC_RELAXED);
		r->v[0] += r->v[2] != (__s32)cpu || cpu != (unsigned int)i;
		r->v[0] += sched_getcpu() != i;
		r->v[1]++;
	}
	sched_setaffinity(0, sizeof(all), &all);
}

static void wl_robust(char cmd, struct reply *r, void *arg)
{
	pthread_mutex_t *m;
	int fd;

	switch (cmd) {
	case 'I':
		if (robust_init(&rb_private, false) || robust_init(&rb_held, false))
			wl_die("robust mutex");
		r->v[0] = rseq_area();
		r->v[1] = robust_loop();
		r->v[2] = pthread_mutex_lock(&rb_held);
		r->v[3] = sched_getcpu();
		break;
	case 'Q':
		rseq_check(r);
		break;
	case 'U':
		r->v[0] = pthread_mutex_unlock(&rb_held);
		r->v[1] = robust_loop();
		break;
	case 'M':
		/* a process-shared robust mutex in a file, locked until we die */
		fd = open(arg, O_RDWR);
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (fd < 0 || m == MAP_FAILED)
			wl_die("shared mutex");
		r->v[0] = robust_init(m, true);
		r->v[1] = pthread_mutex_lock(m);
		r->v[2] = *(int *)m;
		r->v[3] = syscall(SYS_gettid);
		break;
	}
}

/* The rseq registration of pid, as ptrace reports it. */
static bool rseq_config(pid_t pid, struct rseq_conf *c)
{
	bool ok = false;
	int status;

	memset(c, 0, sizeof(*c));
	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		return false;
	if (!ptrace(PTRACE_INTERRUPT, pid, 0, 0) &&
	    waitpid(pid, &status, __WALL) == pid && WIFSTOPPED(status))
		ok = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, pid, (void *)sizeof(*c), c) ==
		     (long)sizeof(*c);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	return ok;
}

TEST_F_TIMEOUT(rs, rseq_and_robust_list, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *shm = rs_path(&self->s, "shm");
	const struct ckpt_rec_task *tk;
	char zero[4096] = { 0 };
	struct rseq_conf conf;
	const char *path;
	struct image im;
	__u64 rseq, head = 0;
	struct reply r;
	size_t hlen = 0;
	pid_t oldpid;
	int word = 0;

	write_file(_metadata, shm, zero, sizeof(zero), O_TRUNC);
	start_workload_fn(_metadata, p, wl_robust, (void *)shm, &r);
	rseq = r.v[0];
	EXPECT_EQ(0, r.v[1]);
	EXPECT_EQ(0, r.v[2]);
	EXPECT_LE(0, r.v[3]);
	if (!rseq)
		TH_LOG("glibc did not register rseq: checking the robust list only");
	if (rseq) {
		ASSERT_EQ(0, ask(p, 'Q', &r));
		ASSERT_EQ(0, r.v[0]);
		ASSERT_LT(0, r.v[1]);
		if (r.v[1] < 2)
			TH_LOG("one CPU: rseq cpu_id cannot be seen to move");
	}

	path = take_image_file(_metadata, &self->s, p->pid);
	image_load(_metadata, path, &im);
	ASSERT_NE(NULL, image_rec(&im, CKPT_REC_TASK, 0));
	tk = image_at(&im, image_rec(&im, CKPT_REC_TASK, 0));
	EXPECT_EQ(rseq, tk->rseq);
	EXPECT_NE(0, tk->robust_list);

	oldpid = p->pid;
	kill_reap(_metadata, p);
	restart_file(_metadata, path, oldpid, q);
	ASSERT_EQ(oldpid, q->pid);

	/* from outside: the kernel knows the robust list and rseq */
	ASSERT_EQ(0, syscall(SYS_get_robust_list, q->pid, &head, &hlen));
	EXPECT_EQ(tk->robust_list, head);
	EXPECT_EQ(tk->robust_list_len, hlen);
	if (rseq) {
		ASSERT_TRUE(rseq_config(q->pid, &conf));
		EXPECT_EQ(rseq, conf.rseq_abi_pointer);
		EXPECT_EQ(tk->rseq_len, conf.rseq_abi_size);
		EXPECT_EQ(tk->rseq_sig, conf.signature);

		ASSERT_EQ(0, ask(q, 'Q', &r));
		EXPECT_EQ(0, r.v[0]) {
			TH_LOG("rseq cpu_id does not follow the CPU (%lld of %lld, last %lld)",
			       (long long)r.v[0], (long long)r.v[1], (long long)r.v[2]);
		}
	}
	image_free(&im);

	ASSERT_EQ(0, ask(q, 'U', &r));
	EXPECT_EQ(0, r.v[0]);
	EXPECT_EQ(0, r.v[1]);
	ASSERT_EQ(0, ask(q, 'M', &r));
	ASSERT_EQ(0, r.v[0]);
	ASSERT_EQ(0, r.v[1]);
	EXPECT_EQ(q->pid, r.v[2] & FUTEX_TID_MASK);
	EXPECT_EQ(q->pid, r.v[3]);

	/* dying with it held: the kernel walks the restored robust list */
	kill_reap(_metadata, q);
	ASSERT_EQ(sizeof(word), read_file(shm, &word, sizeof(word)));
	EXPECT_EQ(FUTEX_OWNER_DIED, word) {
		TH_LOG("mutex word %#x: the robust list was not walked", word);
	}
}

/*
 * Self-checkpoint: checkpoint(0, fd, 0) returns an id in the original and
 * 0 in the restored copy.
 */
static void wl_self(char cmd, struct reply *r, void *arg)
{
	long ret;
	int fd;

	if (cmd != 'S')
		return;
	fd = open(arg, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	errno = 0;
	ret = sys_checkpoint(0, fd, 0);
	r->v[0] = ret;
	r->v[1] = ret < 0 ? errno : 0;
	r->v[2] = getpid();
	close(fd);
	if (ret > 0) {
		snprintf(r->s, sizeof(r->s), "orig");
		wl_send(r);
		_exit(0);
	}
	snprintf(r->s, sizeof(r->s), ret ? "fail" : "copy");
}

TEST_F_TIMEOUT(rs, self_checkpoint, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *path = rs_path(&self->s, "self");
	const struct ckpt_rec_header *hd;
	const struct ckpt_rec_task *tk;
	struct image im;
	struct reply r;
	int status;
	long id;

	start_workload_fn(_metadata, p, wl_self, (void *)path, &r);
	ASSERT_EQ(0, ask(p, 'S', &r));
	ASSERT_STREQ("orig", r.s) {
		TH_LOG("checkpoint(0): %lld (%s)", (long long)r.v[0], strerror(r.v[1]));
	}
	id = r.v[0];
	ASSERT_LT(0, id);
	ASSERT_EQ(p->pid, waitpid(p->pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	rproc_close(p);

	image_load(_metadata, path, &im);
	hd = image_at(&im, image_rec(&im, CKPT_REC_HEADER, 0));
	EXPECT_EQ(id, hd->id);
	ASSERT_NE(NULL, image_rec(&im, CKPT_REC_TASK, 0));
	tk = image_at(&im, image_rec(&im, CKPT_REC_TASK, 0));
	EXPECT_TRUE(tk->flags & CKPT_TASK_SELF);
	image_free(&im);

	restart_file(_metadata, path, 0, q);
	ASSERT_EQ(0, wl_recv(q, &r));
	EXPECT_STREQ("copy", r.s);
	EXPECT_EQ(0, r.v[0]);
	EXPECT_EQ(q->pid, r.v[2]);
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_STREQ("pong", r.s);
	EXPECT_EQ(q->pid, r.v[0]);
	kill_reap(_metadata, q);
}

TEST_F_TIMEOUT(rs, requested_pid, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *path;
	struct reply r;
	pid_t oldpid;
	int fd;

	if (geteuid())
		SKIP(return, "needs root for a requested pid");
	start_workload_fn(_metadata, p, wl_plain, NULL, &r);
	oldpid = p->pid;
	path = take_image_file(_metadata, &self->s, oldpid);
	kill_reap(_metadata, p);
	ASSERT_EQ(-1, kill(oldpid, 0));

	restart_file(_metadata, path, oldpid, q);
	EXPECT_EQ(oldpid, q->pid);
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(oldpid, r.v[0]);

	/* the pid is taken now */
	block_sigchld();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, oldpid, 0, EEXIST, "pid in use");
	close(fd);
	kill_reap(_metadata, q);
}

TEST_F_TIMEOUT(rs, bad_arguments, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	struct rproc *q = &self->s.p[1];
	struct stat st;
	int fd, bad, err;

	block_sigchld();
	ASSERT_EQ(0, count_children());
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, -1, 0, 0, EBADF, "fd -1");
	bad = dup(fd);
	close(bad);
	expect_restart_error(_metadata, bad, 0, 0, EBADF, "closed fd");
	bad = open(path, O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, bad);
	expect_restart_error(_metadata, bad, 0, 0, EBADF, "write-only fd");
	close(bad);
	bad = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, bad);
	expect_restart_error(_metadata, bad, 0, 0, EBADF, "O_PATH fd");
	close(bad);
	expect_restart_error(_metadata, fd, 0, 0x2, EINVAL, "flags 2");
	expect_restart_error(_metadata, fd, 0, ~0UL, EINVAL, "flags ~0");
	expect_restart_error(_metadata, fd, -5, 0, EINVAL, "pid -5");

	/* the same fd works, and ends at the end of the image */
	lseek(fd, 0, SEEK_SET);
	ASSERT_LT(0, restart_fd(_metadata, fd, 0, q, &err)) {
		TH_LOG("restart: %s", strerror(err));
	}
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(st.st_size, lseek(fd, 0, SEEK_CUR));
	kill_reap(_metadata, q);
	close(fd);
}

/* restart() reads a pipe as well as a file. */
TEST_F_TIMEOUT(rs, restart_from_pipe, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	struct rproc *q = &self->s.p[1];
	char buf[65536];
	int pp[2], fd, err, status;
	struct reply r;
	ssize_t n = 0;
	pid_t feeder;
	long ret;

	ASSERT_EQ(0, pipe2(pp, O_CLOEXEC));
	feeder = fork();
	ASSERT_LE(0, feeder);
	if (feeder == 0) {
		close(pp[0]);
		fd = open(path, O_RDONLY);
		while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
			if (write(pp[1], buf, n) != n)
				_exit(1);
		_exit(fd < 0 || n < 0);
	}
	self->s.helper = feeder;
	close(pp[1]);
	ret = restart_fd(_metadata, pp[0], 0, q, &err);
	close(pp[0]);
	ASSERT_LT(0, ret) {
		TH_LOG("restart from a pipe: %s", strerror(err));
	}
	ASSERT_EQ(feeder, waitpid(feeder, &status, 0));
	self->s.helper = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(q->pid, r.v[0]);
	kill_reap(_metadata, q);
}

TEST_F_TIMEOUT(rs, truncated_image, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	const char *trunc = rs_path(&self->s, "trunc");
	static const __u32 mid[] = {
		CKPT_REC_TREE, CKPT_REC_CREDS, CKPT_REC_FS, CKPT_REC_FILE,
		CKPT_REC_FILES, CKPT_REC_MM, CKPT_REC_SIGHAND, CKPT_REC_TASK,
		CKPT_REC_SIGNAL, CKPT_REC_SIGPENDING, CKPT_REC_X86_REGS,
		CKPT_REC_X86_XSTATE,
	};
	const struct rinfo *ri, *vma = NULL;
	const struct ckpt_rec_vma *v;
	size_t cut[40], n = 0, i;
	struct image im;
	char what[64];

	expect_restart_ok(_metadata, &self->s, path);
	image_load(_metadata, path, &im);
	cut[n++] = 0;
	cut[n++] = 4;
	cut[n++] = 8;
	cut[n++] = sizeof(struct ckpt_rec_header) - 8;
	cut[n++] = sizeof(struct ckpt_rec_header);
	for (i = 0; i < ARRAY_SIZE(mid); i++) {
		ri = image_rec(&im, mid[i], 0);
		ASSERT_NE(NULL, ri);
		cut[n++] = ri->off + ri->len / 2;
	}
	for (i = 0; (ri = image_rec(&im, CKPT_REC_VMA, i)); i++) {
		v = image_at(&im, ri);
		if (v->path_len) {
			vma = ri;
			break;
		}
	}
	ASSERT_NE(NULL, vma);
	cut[n++] = vma->off + 8;
	cut[n++] = vma->off + vma->len - 1;	/* in the path */
	ri = image_rec(&im, CKPT_REC_PAGES, 0);
	ASSERT_NE(NULL, ri);
	cut[n++] = ri->off + sizeof(struct ckpt_rec_pages) + 4;	/* addresses */
	cut[n++] = ri->off + ri->len / 2;			/* data */
	cut[n++] = ri->off + ri->len - 8;
	/* the next batch: the caller reads one, the child the other */
	ri = image_rec(&im, CKPT_REC_PAGES, 1);
	ASSERT_NE(NULL, ri);
	cut[n++] = ri->off + ri->len / 2;
	ri = image_rec(&im, CKPT_REC_TASK_END, 0);
	ASSERT_NE(NULL, ri);
	cut[n++] = ri->off;
	cut[n++] = ri->off + 4;
	ri = image_rec(&im, CKPT_REC_TAIL, 0);
	cut[n++] = ri->off;			/* all but the tail */
	cut[n++] = ri->off + 8;
	cut[n++] = im.size - 1;

	for (i = 0; i < n; i++) {
		ASSERT_GT(im.size, cut[i]);
		snprintf(what, sizeof(what), "%zu of %zu bytes", cut[i], im.size);
		expect_variant_error(_metadata, &im, trunc, cut[i], 0, NULL, 0, EINVAL, what);
	}
	image_free(&im);
}

TEST_F_TIMEOUT(rs, corrupted_image, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	const char *bad = rs_path(&self->s, "bad");
	const struct rinfo *ri;
	struct image im;
	__u32 u32;
	__u16 u16;
	__u64 u64;

	expect_restart_ok(_metadata, &self->s, path);
	image_load(_metadata, path, &im);

	expect_variant_error(_metadata, &im, bad, im.size,
			     offsetof(struct ckpt_rec_header, magic), "LINUXCX", 8,
			     EINVAL, "header magic");
	u16 = CKPT_VERSION_MAJOR + 1;
	expect_variant_error(_metadata, &im, bad, im.size,
			     offsetof(struct ckpt_rec_header, major), &u16, 2,
			     EINVAL, "major version");
	u32 = 2;
	expect_variant_error(_metadata, &im, bad, im.size,
			     offsetof(struct ckpt_rec_header, nr_tasks), &u32, 4,
			     EINVAL, "header nr_tasks");

	ri = image_rec(&im, CKPT_REC_VMA, 0);
	ASSERT_NE(NULL, ri);
	u32 = ri->len + 8;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_hdr, len), &u32, 4,
			     EINVAL, "VMA len + 8");
	u32 = 3;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_hdr, len), &u32, 4,
			     EINVAL, "VMA len 3");

	ri = image_rec(&im, CKPT_REC_PAGES, 0);
	ASSERT_NE(NULL, ri);
	u32 = ((const struct ckpt_rec_pages *)image_at(&im, ri))->nr_pages + 1;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_rec_pages, nr_pages), &u32, 4,
			     EINVAL, "PAGES nr_pages + 1");

	ri = image_rec(&im, CKPT_REC_X86_XSTATE, 0);
	ASSERT_NE(NULL, ri);
	u32 = 99;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_hdr, type), &u32, 4,
			     EINVAL, "unknown record type");

	ri = image_rec(&im, CKPT_REC_TAIL, 0);
	u64 = ri->off + 8;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_rec_tail, size), &u64, 8,
			     EINVAL, "TAIL size");
	image_free(&im);
}

TEST_F_TIMEOUT(rs, forged_registers, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	const char *bad = rs_path(&self->s, "bad");
	const struct ckpt_rec_x86_regs *regs;
	const struct rinfo *ri;
	struct image im;
	__u64 u64;

	expect_restart_ok(_metadata, &self->s, path);
	image_load(_metadata, path, &im);
	ri = image_rec(&im, CKPT_REC_X86_REGS, 0);
	ASSERT_NE(NULL, ri);
	regs = image_at(&im, ri);

	u64 = 0xffffffff81000000ULL;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_rec_x86_regs, rip), &u64, 8,
			     EINVAL, "kernel rip");
	u64 = regs->eflags | 0x3000;
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_rec_x86_regs, eflags), &u64, 8,
			     EINVAL, "IOPL 3 in eflags");
	image_free(&im);
}

/* More files and pipes than the caller's RLIMIT_NOFILE: EMFILE. */
TEST_F_TIMEOUT(rs, too_many_files, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	int fd, nr = 0, i, status;
	struct image im;
	pid_t pid;

	image_load(_metadata, path, &im);
	for (i = 0; i < im.nrec; i++)
		nr += im.rec[i].type == CKPT_REC_FILE ||
		      im.rec[i].type == CKPT_REC_PIPE;
	image_free(&im);
	ASSERT_LE(2, nr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* in a child of ours, whose own fds the low limit does not hinder */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit low = { nr - 1, nr - 1 };

		if (setrlimit(RLIMIT_NOFILE, &low))
			_exit(10);
		errno = 0;
		if (sys_restart(0, fd, 0) != -1)
			_exit(11);
		if (errno != EMFILE)
			_exit(12);
		/* nothing left behind: no child, not even a zombie */
		if (waitpid(-1, NULL, WNOHANG | __WALL) != -1 || errno != ECHILD)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		/* 10: setrlimit, 11: success, 12: errno, 13: a child left */
		TH_LOG("restart with RLIMIT_NOFILE %d: status %#x", nr - 1,
		       status);
	}
	close(fd);
	block_sigchld();
	expect_restart_ok(_metadata, &self->s, path);
}

/*
 * The executable the image names must be one the caller may execute: the
 * same path length, but a file without execute permission: EACCES.
 */
TEST_F_TIMEOUT(rs, exe_not_executable, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	const char *bad = rs_path(&self->s, "badimg");
	struct ckpt_rec_mm *mm;
	const struct rinfo *ri;
	char *exe, fake[PATH_MAX];
	struct image im;
	size_t len;

	image_load(_metadata, path, &im);
	ri = image_rec(&im, CKPT_REC_MM, 0);
	ASSERT_NE(NULL, ri);
	mm = image_at(&im, ri);
	exe = (char *)mm->exe;
	len = strlen(exe);
	ASSERT_LT(12, len);
	ASSERT_GT(sizeof(fake), len);
	/* /tmp/xxx...x, as long as the real path, mode 0644 */
	memset(fake, 'x', len);
	fake[len] = 0;
	memcpy(fake, "/tmp/", 5);
	write_file(_metadata, fake, "#!/bin/sh\n", 10, O_CREAT | O_TRUNC);
	ASSERT_EQ(0, chmod(fake, 0644));
	block_sigchld();
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + sizeof(*mm), fake, len, EACCES,
			     "non-executable exe");
	/* and with execute permission, that file is accepted as the exe */
	ASSERT_EQ(0, chmod(fake, 0755));
	expect_restart_ok(_metadata, &self->s, bad);
	unlink(fake);
	image_free(&im);
}

TEST_F_TIMEOUT(rs, unprivileged_forged_creds, 120)
{
	const char *path;
	struct helper_result hr;
	int res[2], done[2], fd;

	if (geteuid())
		SKIP(return, "needs root");
	path = plain_image(_metadata, &self->s);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	self->s.helper = start_unpriv_restart(_metadata, fd, -1, -1, res[1], done[0]);
	close(res[1]);
	ASSERT_EQ(0, read_full(res[0], &hr, sizeof(hr), CKPT_WAIT_MS));
	ASSERT_NE(-2, hr.ret) {
		TH_LOG("cannot become nobody: %s", strerror(hr.err));
	}
	if (hr.ret > 0)
		ASSERT_EQ(1, write(done[1], "x", 1));
	EXPECT_EQ(-1, hr.ret) {
		TH_LOG("nobody restarted an image of root");
	}
	EXPECT_EQ(EPERM, hr.err) {
		TH_LOG("expected EPERM, got %s", strerror(hr.err));
	}
	EXPECT_EQ(-1, hr.wret);
	EXPECT_EQ(ECHILD, hr.werr) {
		TH_LOG("the helper has a child after the failed restart");
	}
	finish_helper(_metadata, &self->s);
	EXPECT_EQ(0, count_children());
	close(fd);
}

TEST_F_TIMEOUT(rs, unprivileged_own_image, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *exe = rs_path(&self->s, "exe");
	int ctl[2], rep[2], res[2], done[2], fd;
	struct helper_result hr;
	char uid[64], ppid[32];
	const char *path;
	struct reply r;

	if (geteuid())
		SKIP(return, "needs root");
	copy_self(_metadata, exe);
	fork_workload(_metadata, p, NULL, NULL, &r, exe, RS_NOBODY);
	if (!strcmp(r.s, "exec failed")) {
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
		SKIP(return, "cannot exec from /tmp as nobody: %s", strerror(r.v[0]));
	}
	ASSERT_EQ(RS_NOBODY, r.v[0]) {
		TH_LOG("workload: %s", r.s);
	}
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pipe2(ctl, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	self->s.helper = start_unpriv_restart(_metadata, fd, ctl[0], rep[1], res[1], done[0]);
	close(ctl[0]);
	close(rep[1]);
	close(res[1]);
	close(done[0]);
	q->cfd = ctl[1];
	q->rfd = rep[0];
	ASSERT_EQ(0, read_full(res[0], &hr, sizeof(hr), CKPT_WAIT_MS));
	ASSERT_LT(0, hr.ret) {
		TH_LOG("nobody could not restart its own image: %s", strerror(hr.err));
	}
	EXPECT_EQ(0, hr.wret);

	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(hr.ret, r.v[0]);
	ASSERT_TRUE(proc_status(hr.ret, "Uid", uid, sizeof(uid)));
	EXPECT_STREQ("65534\t65534\t65534\t65534", uid);
	ASSERT_TRUE(proc_status(hr.ret, "PPid", ppid, sizeof(ppid)));
	EXPECT_EQ(self->s.helper, atoi(ppid));
	ASSERT_EQ(1, write(done[1], "x", 1));
	finish_helper(_metadata, &self->s);
	rproc_close(q);
	close(done[1]);
	close(res[0]);
	close(fd);
}

/*
 * SafeSetID lets uid SETID_UID, even with CAP_SETUID, become nobody and no
 * one else (it refuses with EACCES and kills the task that tried).
 * restart() asks the LSMs what setresuid() asks them, so such a caller may
 * restart nobody's image but not root's, which another uid with the same
 * capabilities may.
 */
#define SETID_UID	12345
#define OTHER_UID	12346

static bool safesetid_policy(const char *policy)
{
	const char *f = "/sys/kernel/security/safesetid/uid_allowlist_policy";
	size_t len = strlen(policy);
	bool ok;
	int fd;

	fd = open(f, O_WRONLY | O_CLOEXEC);
	if (fd < 0 && !mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL))
		fd = open(f, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ok = write(fd, policy, len) == (ssize_t)len;
	close(fd);
	return ok;
}

/* in a child: @uid with all of root's capabilities restarts @fd */
static int restart_as(uid_t uid, int fd)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int st = 0;
	pid_t pid;
	long ret;

	if (lseek(fd, 0, SEEK_SET))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (prctl(PR_SET_KEEPCAPS, 1) || setresuid(uid, uid, uid) ||
		    syscall(__NR_capget, &h, d))
			_exit(100);
		d[0].effective = d[0].permitted;
		d[1].effective = d[1].permitted;
		if (syscall(__NR_capset, &h, d))
			_exit(101);
		errno = 0;
		ret = sys_restart(0, fd, 0);
		if (ret > 0) {
			kill(ret, SIGKILL);
			_exit(waitpid(ret, NULL, 0) == ret ? 0 : 102);
		}
		_exit(errno);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F_TIMEOUT(rs, safesetid_policy, 120)
{
	const char *exe = rs_path(&self->s, "exe");
	const char *root_img = rs_path(&self->s, "root-img");
	struct rproc *p = &self->s.p[0];
	int root_fd, own_fd;
	struct reply r;

	if (geteuid())
		SKIP(return, "needs root");
	if (!safesetid_policy("12345:65534\n"))
		SKIP(return, "no SafeSetID policy file: %s", strerror(errno));
	ASSERT_EQ(0, rename(plain_image(_metadata, &self->s), root_img));
	copy_self(_metadata, exe);
	fork_workload(_metadata, p, NULL, NULL, &r, exe, RS_NOBODY);
	if (!strcmp(r.s, "exec failed")) {
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
		SKIP(return, "cannot exec from /tmp as nobody: %s", strerror(r.v[0]));
	}
	ASSERT_EQ(RS_NOBODY, r.v[0]);
	own_fd = open(take_image_file(_metadata, &self->s, p->pid), O_RDONLY | O_CLOEXEC);
	kill_reap(_metadata, p);
	root_fd = open(root_img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, own_fd);
	ASSERT_LE(0, root_fd);

	/* the policy allows 12345 -> nobody: restart may do it too */
	EXPECT_EQ(0, restart_as(SETID_UID, own_fd));
	/* CAP_SETUID is enough for root's image... */
	EXPECT_EQ(0, restart_as(OTHER_UID, root_fd));
	/* ...but not under the policy */
	EXPECT_EQ(EACCES, restart_as(SETID_UID, root_fd));
	close(own_fd);
	close(root_fd);
}

/*
 * A private mapping of a one-page file, four pages long, its first page
 * written.  A page of its own past the end of the file is what no process
 * can have (touching it raises SIGBUS): an image that claims one is refused
 * (EINVAL: checked before any page is placed, see the fuzzer's first
 * finding in Documentation/checkpoint/fuzzing.rst).
 */
static void wl_eof(char cmd, struct reply *r, void *arg)
{
	unsigned char *m;
	int fd;

	if (cmd != 'I')
		return;
	fd = open(arg, O_RDONLY);
	m = mmap(NULL, 4 * getpagesize(), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (fd < 0 || m == MAP_FAILED)
		wl_die("map");
	close(fd);
	m[0] = 'W';
	r->v[0] = (uintptr_t)m;
}

TEST_F_TIMEOUT(rs, page_beyond_eof, 120)
{
	const char *file = rs_path(&self->s, "eof");
	const char *bad = rs_path(&self->s, "eof-img");
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_pages *pr;
	const struct rinfo *ri;
	char page[4096] = "file";
	struct image im;
	const char *path;
	__le64 addr;
	struct reply r;
	int i;

	ASSERT_EQ(4096, getpagesize());
	write_file(_metadata, file, page, sizeof(page), O_TRUNC);
	start_workload_fn(_metadata, p, wl_eof, (void *)file, &r);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	image_load(_metadata, path, &im);
	for (i = 0; (ri = image_rec(&im, CKPT_REC_PAGES, i)); i++) {
		pr = image_at(&im, ri);
		if (ckpt_le64(pr->addrs[0]) == (__u64)r.v[0])
			break;
	}
	ASSERT_NE(NULL, ri) {
		TH_LOG("no PAGES record for the written page of the mapping");
	}
	ASSERT_EQ(1, ckpt_le32(pr->nr_pages));
	expect_restart_ok(_metadata, &self->s, path);
	/* the same page, moved to the fourth page of the mapping */
	addr = ckpt_le64(r.v[0] + 3 * 4096);
	expect_variant_error(_metadata, &im, bad, im.size,
			     ri->off + offsetof(struct ckpt_rec_pages, addrs), &addr,
			     sizeof(addr), EINVAL, "a page past the end of the file");
	image_free(&im);
}

/*
 * mlock() of a mapping and mlockall(MCL_FUTURE) come back: the mapping is
 * locked again with its contents, and new mappings are locked.
 */
#define LOCK_PAGES	8

static long vm_locked_kib(pid_t pid)
{
	char v[64];

	return proc_status(pid, "VmLck", v, sizeof(v)) ? atol(v) : -1;
}

static void wl_mlock(char cmd, struct reply *r, void *arg)
{
	static unsigned char *m;
	size_t i, ps = getpagesize();
	unsigned char *n;

	if (cmd == 'I') {
		m = mmap(NULL, LOCK_PAGES * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			wl_die("mmap");
		for (i = 0; i < LOCK_PAGES * ps; i++)
			m[i] = i * 7;
		if (mlock(m, LOCK_PAGES * ps) || mlockall(MCL_FUTURE))
			wl_die("mlock");
	} else if (cmd == 'L') {
		for (i = 0; i < LOCK_PAGES * ps && m[i] == (unsigned char)(i * 7); i++)
			;
		r->v[0] = i == LOCK_PAGES * ps;
		r->v[1] = vm_locked_kib(getpid());
		n = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		r->v[2] = n == MAP_FAILED ? -1 : vm_locked_kib(getpid());
	}
}

TEST_F_TIMEOUT(rs, mlock_state, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	long kib = LOCK_PAGES * getpagesize() / 1024;
	struct reply r;

	start_workload_fn(_metadata, p, wl_mlock, NULL, &r);
	ASSERT_LE(kib, vm_locked_kib(p->pid));
	cycle(_metadata, &self->s, p, q);
	EXPECT_LE(kib, vm_locked_kib(q->pid)) {
		TH_LOG("the mlock()ed mapping is not locked after restart");
	}
	ASSERT_EQ(0, ask(q, 'L', &r));
	EXPECT_EQ(1, r.v[0]) {
		TH_LOG("the locked mapping's contents changed");
	}
	EXPECT_EQ(r.v[1] + 4 * getpagesize() / 1024, r.v[2]) {
		TH_LOG("mlockall(MCL_FUTURE) lost: a new mapping is not locked");
	}
	kill_reap(_metadata, q);
}

/* Two private file mappings, read. */
static void wl_map(char cmd, struct reply *r, void *arg)
{
	const char *const *paths = arg;
	void *m;
	int i, fd;

	if (cmd != 'I')
		return;
	for (i = 0; i < 2; i++) {
		fd = open(paths[i], O_RDONLY);
		m = mmap(NULL, 3 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (fd < 0 || m == MAP_FAILED)
			wl_die("map");
		close(fd);
		r->v[i] = __atomic_load_n((char *)m, __ATOMIC_RELAXED);
	}
}

/*
 * Files mapped from /tmp (tmpfs) have their contents in the image: when
 * the file is missing restart makes it again, when it differs restart
 * fails with EEXIST and leaves it alone, when only its mtime changed it
 * is used.  (Mapped files found by path are checked by identity instead,
 * see ckpt_exclude_test's files bit.)
 */
TEST_F_TIMEOUT(rs, mapped_file_carried, 120)
{
	const char *paths[2] = { rs_path(&self->s, "ma"), rs_path(&self->s, "mb") };
	struct rproc *p = &self->s.p[0];
	struct timespec ts[2];
	char data[3 * 4096], back[3 * 4096 + 1];
	const char *path;
	struct reply r;
	struct stat st;
	int fd;

	memset(data, 'm', sizeof(data));
	write_file(_metadata, paths[0], data, sizeof(data), O_TRUNC);
	write_file(_metadata, paths[1], data, sizeof(data), O_TRUNC);
	start_workload_fn(_metadata, p, wl_map, paths, &r);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	expect_restart_ok(_metadata, &self->s, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);

	/* missing: made again, with its contents */
	ASSERT_EQ(0, unlink(paths[0]));
	expect_restart_ok(_metadata, &self->s, path);
	ASSERT_EQ((ssize_t)sizeof(data), read_file(paths[0], back, sizeof(back)));
	EXPECT_EQ(0, memcmp(data, back, sizeof(data)));

	/* bigger: not the same file, not overwritten */
	ASSERT_EQ(0, stat(paths[1], &st));
	write_file(_metadata, paths[1], "x", 1, O_APPEND);
	expect_restart_error(_metadata, fd, 0, 0, EEXIST, "mapped file grew");
	EXPECT_EQ((ssize_t)sizeof(data) + 1,
		  read_file(paths[1], back, sizeof(back)));

	/* same contents, other mtime: the same file */
	ASSERT_EQ(0, truncate(paths[1], sizeof(data)));
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	ts[1].tv_sec -= 1000;
	ASSERT_EQ(0, utimensat(AT_FDCWD, paths[1], ts, 0));
	expect_restart_ok(_metadata, &self->s, path);
	close(fd);
}

TEST_HARNESS_MAIN
