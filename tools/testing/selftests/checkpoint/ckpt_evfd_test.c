// SPDX-License-Identifier: GPL-2.0
/*
 * Event file descriptors across checkpoint, kill and restart: eventfd,
 * epoll, timerfd and signalfd, judged by outcome.  An epoll server over an
 * eventfd, a periodic timerfd and a pipe keeps serving and counts every
 * event once; counters, semaphores, timers (remaining time, period,
 * ticks not read), signal masks and pending signals are kept; waiters
 * blocked in epoll_wait(), read(), poll() and select() go on without
 * seeing EINTR; edge-triggered and one-shot watches report what they
 * would have; a program on libevent runs on in its container.  What
 * cannot be saved is refused with a reason, and forged records are
 * refused with EINVAL (EPERM for what the caller may not have), leaving
 * no task behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <linux/io_uring.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET	2
#endif
#ifndef CLOCK_BOOTTIME_ALARM
#define CLOCK_BOOTTIME_ALARM	9
#endif

#define EVFD_WL_ENV	"CKPT_EVFD_WL"
#define NOBODY		65534

FIXTURE(evfd) {
	struct scratch s;
	pid_t pid;
};

FIXTURE_SETUP(evfd)
{
	scratch_init(&self->s);
	self->pid = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

FIXTURE_TEARDOWN(evfd)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	scratch_clean(&self->s);
}

static void wait_go(const char *dir)
{
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long long ts_ms(const struct timespec *ts)
{
	return ts->tv_sec * 1000LL + ts->tv_nsec / 1000000;
}

static int ep_add(int ep, int fd, __u32 events, __u64 data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int ep_mod(int ep, int fd, __u32 events, __u64 data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

static int poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms);
}

static __u64 efd_read(int fd)
{
	__u64 v = 0;

	return read(fd, &v, sizeof(v)) == sizeof(v) ? v : 0;
}

static bool efd_write(int fd, __u64 v)
{
	return write(fd, &v, sizeof(v)) == sizeof(v);
}

/* the image of the workload, loaded; the caller frees it */
static void load_img(struct __test_metadata *_metadata, const char *path,
		     struct img *im)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, im));
	close(fd);
	EXPECT_EQ(NULL, img_check(im, true)) {
		TH_LOG("%s", im->why);
	}
}

/* the FILE record with objref @ref */
static const struct ckpt_rec_file *img_file_ref(const struct img *im,
						__u32 ref)
{
	const struct ckpt_hdr *h;

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		const struct ckpt_rec_file *f = (const void *)h;

		if (h->type == CKPT_REC_FILE && f->objref == ref)
			return f;
	}
	return NULL;
}

/* start @fn in a child of the test, its own process; wait for "ready" */
static pid_t start_wl(struct __test_metadata *_metadata, struct scratch *s,
		      void (*fn)(const char *dir))
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		fn(s->dir);
		_exit(0);
	}
	return pid;
}

static bool wl_started(struct scratch *s)
{
	return wait_file(spath(s, "ready"), CKPT_WAIT_MS);
}

/* go on after restart and wait for the workload's verdict in "done" */
static long go_and_wait(struct __test_metadata *_metadata, struct scratch *s,
			const char *file, long min)
{
	long v = LONG_MIN;

	put_long(spath(s, "go"), 1);
	if (!wait_long(spath(s, file), min, &v, 240000))
		TH_LOG("no %s from the workload", file);
	return v;
}

static void reap_top(struct __test_metadata *_metadata, pid_t *top)
{
	int status;

	ASSERT_EQ(*top, waitpid(*top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("restored workload: status %#x", status);
	}
	*top = 0;
}

/*
 * eventfd: a counter shared by two fds and a child process, one in
 * semaphore mode, one near the top of its range; O_NONBLOCK is the
 * file's.  Each is saved once.
 */
#define EFD_BIG		0xfffffffffffffff0ULL

static void wl_eventfd(const char *dir)
{
	int a, a2, b, big, st;
	long bad = 0;
	pid_t c;

	wl_task_setup();
	a = eventfd(5, EFD_NONBLOCK);
	b = eventfd(3, EFD_SEMAPHORE);
	big = eventfd(0, 0);
	a2 = dup(a);
	if (a < 0 || b < 0 || big < 0 || a2 < 0 || !efd_write(big, EFD_BIG))
		_exit(40);
	c = fork();
	if (!c) {
		if (!efd_write(a, 7))
			_exit(41);
		put_long(dpath(dir, "child"), 1);
		while (access(dpath(dir, "go2"), F_OK))
			usleep(10000);
		_exit(efd_write(a2, 100) ? 0 : 42);
	}
	while (access(dpath(dir, "child"), F_OK))
		usleep(10000);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	if (!(fcntl(a, F_GETFL) & O_NONBLOCK))
		bad |= 1;
	if (fcntl(b, F_GETFL) & O_NONBLOCK)
		bad |= 2;
	/* the parent's 5 and the child's 7, through the other fd */
	if (efd_read(a2) != 12)
		bad |= 4;
	if (read(a, &(__u64){0}, 8) != -1 || errno != EAGAIN)
		bad |= 8;
	/* a semaphore gives 1 at a time, three times */
	if (efd_read(b) != 1 || efd_read(b) != 1 || efd_read(b) != 1)
		bad |= 16;
	fcntl(b, F_SETFL, O_NONBLOCK);
	if (read(b, &(__u64){0}, 8) != -1 || errno != EAGAIN)
		bad |= 32;
	if (efd_read(big) != EFD_BIG)
		bad |= 64;
	/* the child, restored too, writes the same counter */
	put_long(dpath(dir, "go2"), 1);
	if (poll_in(a, 60000) != 1 ||
	    efd_read(a) != 100)
		bad |= 128;
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		bad |= 256;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, eventfd_counter_semaphore, 300)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_eventfd *e;
	bool seen_sem = false, seen_big = false;
	struct img im = {};
	int i, files = 0;

	self->pid = start_wl(_metadata, &self->s, wl_eventfd);
	ASSERT_TRUE(wl_started(&self->s));
	self->pid = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	load_img(_metadata, img, &im);
	/* three eventfds, the shared one once */
	EXPECT_EQ(3, img_count(&im, CKPT_REC_EVENTFD));
	for (i = 0; img_find(&im, CKPT_REC_FILE, i); i++)
		files += ((const struct ckpt_rec_file *)
			  img_find(&im, CKPT_REC_FILE, i))->type ==
			 CKPT_FILE_EVENTFD;
	EXPECT_EQ(3, files);
	for (i = 0; (e = img_find(&im, CKPT_REC_EVENTFD, i)); i++) {
		if (e->flags & CKPT_EVENTFD_SEMAPHORE)
			seen_sem = e->count == 3;
		if (e->count == EFD_BIG)
			seen_big = true;
	}
	EXPECT_TRUE(seen_sem);
	EXPECT_TRUE(seen_big);
	img_free(&im);
	EXPECT_EQ(0, go_and_wait(_metadata, &self->s, "done", 0));
	reap_top(_metadata, &self->pid);
}

/*
 * An epoll server: one process waits on an eventfd and a pipe that its
 * child writes to, and on a periodic timerfd; it counts what it gets.
 * Checkpointed, killed and restarted halfway, it still gets every event
 * once, sees no EINTR, and its timer goes on ticking.
 */
#define SRV_N		300

static void wl_epoll_server(const char *dir)
{
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	long sum = 0, bytes = 0, ticks = 0, eintr = 0;
	int efd, tfd, ep, p[2], st, i;
	bool eof = false;
	pid_t c;

	wl_task_setup();
	efd = eventfd(0, EFD_NONBLOCK);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0 || tfd < 0 || ep < 0 || pipe2(p, O_NONBLOCK) ||
	    timerfd_settime(tfd, 0, &its, NULL))
		_exit(40);
	c = fork();
	if (!c) {
		close(p[0]);
		for (i = 0; i < SRV_N; i++) {
			if (!efd_write(efd, 1) || write(p[1], "m", 1) != 1)
				_exit(41);
			usleep(5000);
		}
		_exit(0);
	}
	close(p[1]);
	if (ep_add(ep, efd, EPOLLIN, 1) ||
	    ep_add(ep, tfd, EPOLLIN, 2) ||
	    ep_add(ep, p[0], EPOLLIN, 3))
		_exit(42);
	put_long(dpath(dir, "ready"), 1);
	while (!eof || sum < SRV_N) {
		struct epoll_event ev[8];
		char buf[64];
		int n = epoll_wait(ep, ev, 8, -1);

		if (n < 0) {
			if (errno != EINTR)
				_exit(43);
			eintr++;
			continue;
		}
		for (i = 0; i < n; i++) {
			ssize_t r;

			switch (ev[i].data.u64) {
			case 1:
				sum += efd_read(efd);
				break;
			case 2:
				ticks += efd_read(tfd);
				put_long(dpath(dir, "ticks"), ticks);
				break;
			case 3:
				r = read(p[0], buf, sizeof(buf));
				if (r > 0)
					bytes += r;
				if (!r) {
					eof = true;
					epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
				}
				break;
			}
		}
		put_long(dpath(dir, "progress"), sum);
	}
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		sum = -44;
	put_long(dpath(dir, "bytes"), bytes);
	put_long(dpath(dir, "eintr"), eintr);
	put_long(dpath(dir, "ticks"), ticks);
	put_long(dpath(dir, "done"), sum);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, epoll_server, 300)
{
	const char *img = spath(&self->s, "img");
	long v, ticks0 = 0, ticks1 = 0;
	struct img im = {};

	self->pid = start_wl(_metadata, &self->s, wl_epoll_server);
	ASSERT_TRUE(wl_started(&self->s));
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), SRV_N / 3, NULL,
			      CKPT_WAIT_MS));
	/* the parent waits for its child by the pid it keeps */
	self->pid = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	get_long(spath(&self->s, "ticks"), &ticks0);
	load_img(_metadata, img, &im);
	EXPECT_EQ(1, img_count(&im, CKPT_REC_EPOLL));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_TIMERFD));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_EVENTFD));
	img_free(&im);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &v, 240000));
	/* every event once: no event lost, none counted twice */
	EXPECT_EQ(SRV_N, v);
	ASSERT_TRUE(get_long(spath(&self->s, "bytes"), &v));
	EXPECT_EQ(SRV_N, v);
	ASSERT_TRUE(get_long(spath(&self->s, "eintr"), &v));
	EXPECT_EQ(0, v);
	ASSERT_TRUE(get_long(spath(&self->s, "ticks"), &ticks1));
	EXPECT_LT(ticks0, ticks1) {
		TH_LOG("the timer did not tick after restart");
	}
	reap_top(_metadata, &self->pid);
}

/*
 * timerfds of every kind of state; the image rests REST_S seconds before
 * restart, which relative timers must not count.
 */
#define REST_S		5
#define DATE_S		8

struct tfd_set {
	int rel, per, date, fired, idle, cancel, mabs;
};

static void tfd_arm(int fd, int flags, long long v_ms, long long i_ms)
{
	struct itimerspec its = {
		{ i_ms / 1000, (i_ms % 1000) * 1000000 },
		{ v_ms / 1000, (v_ms % 1000) * 1000000 },
	};

	if (timerfd_settime(fd, flags, &its, NULL))
		_exit(50);
}

static long long tfd_value_ms(int fd, long long *interval)
{
	struct itimerspec its;

	if (timerfd_gettime(fd, &its))
		return -1;
	if (interval)
		*interval = ts_ms(&its.it_interval);
	return ts_ms(&its.it_value);
}

/* the "settime flags" line of /proc/self/fdinfo/@fd */
static long fdinfo_long(int fd, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtol(line + strlen(key), NULL, 0);
	fclose(f);
	return v;
}

static void wl_timerfd(const char *dir)
{
	struct tfd_set t;
	struct timespec now;
	long long iv, v;
	long bad = 0;
	__u64 n;

	wl_task_setup();
	t.rel = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	t.per = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	t.date = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	t.fired = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK);
	t.idle = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	t.cancel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
	t.mabs = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	if (t.rel < 0 || t.per < 0 || t.date < 0 || t.fired < 0 ||
	    t.idle < 0 || t.cancel < 0 || t.mabs < 0)
		_exit(40);
	tfd_arm(t.rel, 0, 100000, 0);
	tfd_arm(t.per, 0, 50, 50);
	clock_gettime(CLOCK_REALTIME, &now);
	put_long(dpath(dir, "date"), now.tv_sec + DATE_S);
	tfd_arm(t.date, TFD_TIMER_ABSTIME, ts_ms(&now) + DATE_S * 1000, 0);
	tfd_arm(t.fired, 0, 100, 0);
	tfd_arm(t.idle, 0, 0, 7000);
	tfd_arm(t.cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
		ts_ms(&now) + 3600 * 1000, 0);
	clock_gettime(CLOCK_MONOTONIC, &now);
	tfd_arm(t.mabs, TFD_TIMER_ABSTIME, ts_ms(&now) + 100000, 0);
	/* "per" piles up ticks nobody reads, "fired" fires once */
	usleep(400000);
	/* a clock change cancels "cancel": read() fails with ECANCELED */
	clock_gettime(CLOCK_REALTIME, &now);
	put_long(dpath(dir, "cancel_ok"), !clock_settime(CLOCK_REALTIME, &now));
	put_long(dpath(dir, "rel0"), tfd_value_ms(t.rel, NULL));
	put_long(dpath(dir, "mabs0"), tfd_value_ms(t.mabs, NULL));
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	/* the date passed while the image rested: it fired at once */
	if (poll_in(t.date, 5000) != 1 ||
	    efd_read(t.date) != 1)
		bad |= 1;
	n = efd_read(t.per);
	put_long(dpath(dir, "per_ms"), mono_ms());
	put_long(dpath(dir, "per_ticks"), n);
	if (tfd_value_ms(t.per, &iv) < 0 || iv != 50)
		bad |= 2;
	put_long(dpath(dir, "rel1"), tfd_value_ms(t.rel, &iv));
	if (iv)
		bad |= 4;
	put_long(dpath(dir, "mabs1"), tfd_value_ms(t.mabs, NULL));
	if (fdinfo_long(t.mabs, "settime flags:") != TFD_TIMER_ABSTIME)
		bad |= 8;
	/* expired before checkpoint, not read: one tick, disarmed */
	if (efd_read(t.fired) != 1 || tfd_value_ms(t.fired, NULL) != 0)
		bad |= 16;
	v = tfd_value_ms(t.idle, &iv);
	if (v != 0 || iv != 7000 ||
	    read(t.idle, &n, 8) != -1 || errno != EAGAIN)
		bad |= 32;
	if (read(t.cancel, &n, 8) != -1 || errno != ECANCELED)
		bad |= 64;
	if (read(t.cancel, &n, 8) != -1 || errno != EAGAIN)
		bad |= 128;
	if (tfd_value_ms(t.cancel, NULL) < 3000 * 1000)
		bad |= 256;
	if (fdinfo_long(t.cancel, "settime flags:") !=
	    (TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		bad |= 512;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, timerfd_state, 300)
{
	const char *img = spath(&self->s, "img");
	long rel0, rel1, mabs0, mabs1, per_ticks, per_ms, ok, done, date;
	const struct ckpt_rec_timerfd *t;
	__u64 saved_ticks = 0;
	long long t_restart;
	struct img im = {};
	int err, status, i, dated = 0;

	self->pid = start_wl(_metadata, &self->s, wl_timerfd);
	ASSERT_TRUE(wl_started(&self->s));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	load_img(_metadata, img, &im);
	EXPECT_EQ(7, img_count(&im, CKPT_REC_TIMERFD));
	for (i = 0; (t = img_find(&im, CKPT_REC_TIMERFD, i)); i++) {
		if (t->interval == 50000000ULL)
			saved_ticks = t->ticks;
		dated += t->expires != 0;
	}
	img_free(&im);
	/* ticks piled up, 400 ms at 50 ms */
	EXPECT_LE(3, saved_ticks);
	/* "date" and "cancel" */
	EXPECT_EQ(2, dated);
	/* rest, and past the date of "date" */
	sleep(REST_S);
	ASSERT_TRUE(get_long(spath(&self->s, "date"), &date));
	while (time(NULL) <= date)
		sleep_ms(100);
	t_restart = mono_ms();
	self->pid = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, self->pid) {
		TH_LOG("restart: %s", strerror(err));
	}
	done = go_and_wait(_metadata, &self->s, "done", 0);
	EXPECT_EQ(0, done) {
		TH_LOG("timerfd checks failed: mask %#lx", done);
	}
	ASSERT_TRUE(get_long(spath(&self->s, "rel0"), &rel0));
	ASSERT_TRUE(get_long(spath(&self->s, "rel1"), &rel1));
	ASSERT_TRUE(get_long(spath(&self->s, "mabs0"), &mabs0));
	ASSERT_TRUE(get_long(spath(&self->s, "mabs1"), &mabs1));
	/* the rest did not count: less than REST_S went by for them */
	EXPECT_LE(rel1, rel0);
	EXPECT_GT(rel1, rel0 - (REST_S - 1) * 1000);
	EXPECT_LE(mabs1, mabs0);
	EXPECT_GT(mabs1, mabs0 - (REST_S - 1) * 1000);
	/* the ticks not read are there, and only the new ones since */
	ASSERT_TRUE(get_long(spath(&self->s, "per_ticks"), &per_ticks));
	ASSERT_TRUE(get_long(spath(&self->s, "per_ms"), &per_ms));
	EXPECT_LE((long)saved_ticks, per_ticks);
	EXPECT_GE((long)saved_ticks + (per_ms - t_restart) / 50 + 2, per_ticks);
	ASSERT_TRUE(get_long(spath(&self->s, "cancel_ok"), &ok));
	EXPECT_EQ(1, ok);
	reap_top(_metadata, &self->pid);
}

/*
 * signalfd: the mask is kept, a signal pending from before (with its
 * payload) is read after restart, an epoll that watches the signalfd
 * reports it, and a signal sent after restart is read by a blocking read.
 */
static void wl_signalfd(const char *dir)
{
	struct signalfd_siginfo si;
	struct epoll_event ev;
	union sigval val;
	sigset_t set, one;
	int sfd, sfd2, ep;
	long bad = 0;

	wl_task_setup();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigemptyset(&one);
	sigaddset(&one, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		_exit(40);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	sfd2 = signalfd(-1, &one, 0);
	ep = epoll_create1(0);
	if (sfd < 0 || sfd2 < 0 || ep < 0 ||
	    ep_add(ep, sfd, EPOLLIN, 77))
		_exit(41);
	val.sival_int = 4242;
	if (sigqueue(getpid(), SIGUSR1, val))
		_exit(42);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	if (epoll_wait(ep, &ev, 1, 5000) != 1 || ev.data.u64 != 77)
		bad |= 1;
	if (read(sfd, &si, sizeof(si)) != sizeof(si) ||
	    si.ssi_signo != SIGUSR1 || si.ssi_int != 4242)
		bad |= 2;
	if (read(sfd, &si, sizeof(si)) != -1 || errno != EAGAIN)
		bad |= 4;
	if (fcntl(sfd2, F_GETFL) & O_NONBLOCK)
		bad |= 8;
	put_long(dpath(dir, "armed"), 1);
	/* blocks until the test sends SIGUSR2 */
	if (read(sfd2, &si, sizeof(si)) != sizeof(si) ||
	    si.ssi_signo != SIGUSR2)
		bad |= 16;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, signalfd_mask_pending, 300)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_signalfd *f;
	struct img im = {};
	long done = -1;
	int i;

	self->pid = start_wl(_metadata, &self->s, wl_signalfd);
	ASSERT_TRUE(wl_started(&self->s));
	self->pid = cycle_tree(_metadata, img, self->pid, 0);
	load_img(_metadata, img, &im);
	ASSERT_EQ(2, img_count(&im, CKPT_REC_SIGNALFD));
	for (i = 0; (f = img_find(&im, CKPT_REC_SIGNALFD, i)); i++)
		EXPECT_TRUE(f->mask == (1ULL << (SIGUSR2 - 1)) ||
			    f->mask == ((1ULL << (SIGUSR1 - 1)) |
					(1ULL << (SIGUSR2 - 1)) |
					(1ULL << SIGRTMIN)));
	img_free(&im);
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_file(spath(&self->s, "armed"), CKPT_WAIT_MS));
	ASSERT_EQ(0, kill(self->pid, SIGUSR2));
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, CKPT_WAIT_MS));
	EXPECT_EQ(0, done) {
		TH_LOG("signalfd checks failed: mask %#lx", done);
	}
	reap_top(_metadata, &self->pid);
}

/*
 * Waiters blocked in the kernel: threads in epoll_wait(), epoll_pwait(),
 * read() of a timerfd, a signalfd and an eventfd, and poll(); a child in
 * select().  A checkpoint that lets them go on, then one that kills them,
 * then restart: each returns once, with what it waited for, never EINTR.
 */
struct waiters {
	const char *dir;
	int ep_a, efd_a, ep_b, efd_b, tfd, sfd, efd_c, efd_d;
};

static void waited(const char *dir, const char *who, long v)
{
	put_long(dpath(dir, who), v);
}

static void *w_epoll(void *arg)
{
	struct waiters *w = arg;
	struct epoll_event ev;
	int n = epoll_wait(w->ep_a, &ev, 1, -1);

	waited(w->dir, "w_epoll", n == 1 && ev.data.u64 == 0xa1 ? 1 : -errno);
	return NULL;
}

static void *w_pwait(void *arg)
{
	struct waiters *w = arg;
	struct epoll_event ev;
	sigset_t all;
	int n;

	/* SIGUSR1 is for the signalfd: it must stay blocked */
	sigfillset(&all);
	n = epoll_pwait(w->ep_b, &ev, 1, -1, &all);
	waited(w->dir, "w_pwait", n == 1 && ev.data.u64 == 0xb2 ? 1 : -errno);
	return NULL;
}

static void *w_timer(void *arg)
{
	struct waiters *w = arg;
	__u64 n = 0;

	waited(w->dir, "w_timer",
	       read(w->tfd, &n, 8) == 8 && n == 1 ? 1 : -errno);
	return NULL;
}

static void *w_signal(void *arg)
{
	struct waiters *w = arg;
	struct signalfd_siginfo si;

	waited(w->dir, "w_signal",
	       read(w->sfd, &si, sizeof(si)) == sizeof(si) &&
	       si.ssi_signo == SIGUSR1 ? 1 : -errno);
	return NULL;
}

static void *w_poll(void *arg)
{
	struct waiters *w = arg;
	struct pollfd p = { .fd = w->efd_c, .events = POLLIN };

	waited(w->dir, "w_poll", poll(&p, 1, -1) == 1 ? 1 : -errno);
	return NULL;
}

static void *w_read(void *arg)
{
	struct waiters *w = arg;
	__u64 n = 0;

	waited(w->dir, "w_read",
	       read(w->efd_d, &n, 8) == 8 && n == 9 ? 1 : -errno);
	return NULL;
}

static const char * const waiter_names[] = {
	"w_epoll", "w_pwait", "w_timer", "w_signal", "w_poll", "w_read",
	"w_select",
};

static void wl_waiters(const char *dir)
{
	void *(*fns[])(void *) = {
		w_epoll, w_pwait, w_timer, w_signal, w_poll, w_read,
	};
	struct waiters w = { .dir = dir };
	pthread_t th[6];
	sigset_t usr1;
	int p[2], i, st;
	pid_t c;

	wl_task_setup();
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	w.efd_a = eventfd(0, 0);
	w.efd_b = eventfd(0, 0);
	w.efd_c = eventfd(0, 0);
	w.efd_d = eventfd(0, 0);
	w.ep_a = epoll_create1(0);
	w.ep_b = epoll_create1(0);
	w.tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	w.sfd = signalfd(-1, &usr1, 0);
	if (w.efd_a < 0 || w.efd_b < 0 || w.efd_c < 0 || w.efd_d < 0 ||
	    w.ep_a < 0 || w.ep_b < 0 || w.tfd < 0 || w.sfd < 0 || pipe(p))
		_exit(40);
	if (ep_add(w.ep_a, w.efd_a, EPOLLIN, 0xa1) ||
	    ep_add(w.ep_b, w.efd_b, EPOLLIN, 0xb2))
		_exit(41);
	c = fork();
	if (!c) {
		fd_set rd;
		int n;

		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		n = select(p[0] + 1, &rd, NULL, NULL, NULL);
		waited(dir, "w_select", n == 1 && FD_ISSET(p[0], &rd) ? 1 : -errno);
		_exit(0);
	}
	for (i = 0; i < 6; i++)
		if (pthread_create(&th[i], NULL, fns[i], &w))
			_exit(42);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	/* what each one waits for */
	efd_write(w.efd_a, 1);
	efd_write(w.efd_b, 1);
	tfd_arm(w.tfd, 0, 50, 0);
	kill(getpid(), SIGUSR1);
	efd_write(w.efd_c, 1);
	efd_write(w.efd_d, 9);
	if (write(p[1], "s", 1) != 1)
		_exit(43);
	for (i = 0; i < 6; i++)
		pthread_join(th[i], NULL);
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		_exit(44);
	put_long(dpath(dir, "done"), 1);
	_exit(0);
}

/* the tasks of @pid and its children that sleep; -1 if one runs */
static int sleeping_tasks(pid_t pid)
{
	char path[64], st[16];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		pid_t tid = atoi(d->d_name);

		if (tid <= 0)
			continue;
		if (!proc_status(tid, "State", st, sizeof(st)) || st[0] != 'S') {
			n = -1;
			break;
		}
		n++;
	}
	closedir(dir);
	return n;
}

/* what each waiter got: each must have got what it waited for */
static void check_waiters(struct __test_metadata *_metadata, struct scratch *s)
{
	unsigned int i;
	long v;

	for (i = 0; i < ARRAY_SIZE(waiter_names); i++) {
		const char *name = waiter_names[i];

		v = 0;
		EXPECT_TRUE(get_long(spath(s, name), &v));
		EXPECT_EQ(1, v) {
			TH_LOG("%s: %ld (%s)", name, v,
			       v < 0 ? strerror(-v) : "wrong event");
		}
		unlink(spath(s, name));
	}
}

static void start_waiters(struct __test_metadata *_metadata, struct scratch *s,
			  pid_t *pid)
{
	long long deadline = mono_ms() + CKPT_WAIT_MS;

	unlink(spath(s, "ready"));
	unlink(spath(s, "go"));
	unlink(spath(s, "done"));
	*pid = start_wl(_metadata, s, wl_waiters);
	ASSERT_TRUE(wl_started(s));
	/* the main thread and the six waiters, all asleep */
	while (sleeping_tasks(*pid) != 7 && mono_ms() < deadline)
		sleep_ms(50);
	ASSERT_EQ(7, sleeping_tasks(*pid));
}

TEST_F_TIMEOUT(evfd, blocked_waiters_go_on, 300)
{
	const char *img = spath(&self->s, "img");
	unsigned int i;
	int err;
	long v;

	/* a checkpoint that lets them run: they go on unaware */
	start_waiters(_metadata, &self->s, &self->pid);
	ASSERT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	sleep_ms(500);
	for (i = 0; i < ARRAY_SIZE(waiter_names); i++) {
		const char *name = waiter_names[i];

		v = 0;
		EXPECT_FALSE(get_long(spath(&self->s, name), &v)) {
			TH_LOG("%s returned %ld after a checkpoint", name, v);
		}
	}
	EXPECT_EQ(1, go_and_wait(_metadata, &self->s, "done", 1));
	check_waiters(_metadata, &self->s);
	reap_top(_metadata, &self->pid);

	/* checkpoint, kill, restart: they wait again in the copy */
	start_waiters(_metadata, &self->s, &self->pid);
	self->pid = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	EXPECT_EQ(1, go_and_wait(_metadata, &self->s, "done", 1));
	check_waiters(_metadata, &self->s);
	reap_top(_metadata, &self->pid);
}

/*
 * Edge-triggered and one-shot watches: an edge collected before the
 * checkpoint is not reported again, one not collected yet is; a disarmed
 * one-shot watch stays disarmed until EPOLL_CTL_MOD; a watch whose fd was
 * closed while its file stays open elsewhere still reports that file; the
 * watches read the same in /proc/PID/fdinfo before and after.
 */
enum {
	W_A = 0xa, W_B = 0xb, W_C = 0xc, W_D = 0xd, W_E = 0xe, W_F = 0xf,
	W_P = 0x50,
};

/* the data of the events epoll_wait() reports, as a bit mask of W_* */
static long ready_set(int ep, int ms)
{
	struct epoll_event ev[16];
	long set = 0;
	int i, n = epoll_wait(ep, ev, 16, ms);

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++)
		set |= 1L << (ev[i].data.u64 & 63);
	return set;
}

#define BIT(w)	(1L << ((w) & 63))

static int cmp_line(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * The watches in /proc/self/fdinfo/@ep, without pos, ino and sdev, sorted
 * (the kernel lists them by the address of their file)
 */
static void save_watches(int ep, const char *path)
{
	char src[64], lines[16][128], out[4096] = "";
	int i, n = 0;
	FILE *f;

	snprintf(src, sizeof(src), "/proc/self/fdinfo/%d", ep);
	f = fopen(src, "r");
	if (!f)
		_exit(60);
	while (n < 16 && fgets(lines[n], sizeof(lines[n]), f)) {
		char *pos = strstr(lines[n], " pos:");

		if (strncmp(lines[n], "tfd:", 4))
			continue;
		if (pos) {
			pos[0] = '\n';
			pos[1] = 0;
		}
		n++;
	}
	fclose(f);
	qsort(lines, n, sizeof(lines[0]), cmp_line);
	for (i = 0; i < n; i++)
		strncat(out, lines[i], sizeof(out) - strlen(out) - 1);
	f = fopen(path, "w");
	if (!f || fputs(out, f) < 0 || fclose(f))
		_exit(61);
}

static void wl_edge(const char *dir)
{
	int a, b, c, d, e, f, fx, ep, p[2];
	long bad = 0, set;

	wl_task_setup();
	a = eventfd(0, EFD_NONBLOCK);
	b = eventfd(0, EFD_NONBLOCK);
	c = eventfd(0, EFD_NONBLOCK);
	d = eventfd(0, EFD_NONBLOCK);
	e = eventfd(0, EFD_NONBLOCK);
	f = eventfd(0, EFD_NONBLOCK);
	ep = epoll_create1(0);
	if (a < 0 || b < 0 || c < 0 || d < 0 || e < 0 || f < 0 || ep < 0 ||
	    pipe2(p, O_NONBLOCK))
		_exit(40);
	fx = dup(f);
	if (ep_add(ep, a, EPOLLIN | EPOLLET, W_A) ||
	    ep_add(ep, b, EPOLLIN | EPOLLET, W_B) ||
	    ep_add(ep, c, EPOLLIN | EPOLLONESHOT, W_C) ||
	    ep_add(ep, d, EPOLLIN | EPOLLONESHOT, W_D) ||
	    ep_add(ep, e, EPOLLIN | EPOLLEXCLUSIVE, W_E) ||
	    ep_add(ep, fx, EPOLLIN, W_F) ||
	    ep_add(ep, p[0], EPOLLIN, W_P))
		_exit(41);
	/* the watch of fx outlives its fd: f is the same file */
	close(fx);
	/* B's edge and C's one shot are collected now */
	efd_write(b, 1);
	efd_write(c, 1);
	if (ready_set(ep, 0) != (BIT(W_B) | BIT(W_C)))
		_exit(42);
	/* A's edge, D's shot and the pipe's data wait on the ready list */
	efd_write(a, 1);
	efd_write(d, 1);
	if (write(p[1], "x", 1) != 1)
		_exit(43);
	save_watches(ep, dpath(dir, "watches0"));
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	save_watches(ep, dpath(dir, "watches1"));
	set = ready_set(ep, 1000);
	if (set != (BIT(W_A) | BIT(W_D) | BIT(W_P)))
		bad |= 1;
	put_long(dpath(dir, "set1"), set);
	/* level-triggered again, the rest not */
	if (ready_set(ep, 0) != BIT(W_P))
		bad |= 2;
	efd_write(b, 1);
	if (ready_set(ep, 1000) != (BIT(W_B) | BIT(W_P)))
		bad |= 4;
	efd_write(f, 1);
	if (ready_set(ep, 1000) != (BIT(W_F) | BIT(W_P)))
		bad |= 8;
	efd_read(f);
	efd_write(e, 1);
	if (ready_set(ep, 1000) != (BIT(W_E) | BIT(W_P)))
		bad |= 16;
	efd_read(e);
	/* C fired before the checkpoint: only EPOLL_CTL_MOD arms it again */
	if (ep_mod(ep, c, EPOLLIN | EPOLLONESHOT, W_C) ||
	    ready_set(ep, 1000) != (BIT(W_C) | BIT(W_P)))
		bad |= 32;
	/* and D is disarmed now */
	if (ready_set(ep, 0) != BIT(W_P))
		bad |= 64;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

static void read_text(struct __test_metadata *_metadata, const char *path,
		      char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	ASSERT_LE(0, fd);
	n = read(fd, buf, len - 1);
	close(fd);
	ASSERT_LE(0, n);
	buf[n] = 0;
}

TEST_F_TIMEOUT(evfd, edge_oneshot_closed_fd, 300)
{
	const char *img = spath(&self->s, "img");
	char w0[4096], w1[4096];
	const struct ckpt_rec_epoll *r;
	struct img im = {};
	long done, set = 0;
	__u32 i, ready = 0;

	self->pid = start_wl(_metadata, &self->s, wl_edge);
	ASSERT_TRUE(wl_started(&self->s));
	self->pid = cycle_tree(_metadata, img, self->pid, 0);
	load_img(_metadata, img, &im);
	r = img_find(&im, CKPT_REC_EPOLL, 0);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(7, r->nr_watches);
	for (i = 0; i < r->nr_watches; i++)
		ready += !!(r->watches[i].flags & CKPT_EPOLL_READY);
	/* A, D and the pipe */
	EXPECT_EQ(3, ready);
	img_free(&im);
	done = go_and_wait(_metadata, &self->s, "done", 0);
	get_long(spath(&self->s, "set1"), &set);
	EXPECT_EQ(0, done) {
		TH_LOG("edge/oneshot checks failed: mask %#lx (first set %#lx)",
		       done, set);
	}
	read_text(_metadata, spath(&self->s, "watches0"), w0, sizeof(w0));
	read_text(_metadata, spath(&self->s, "watches1"), w1, sizeof(w1));
	EXPECT_STREQ(w0, w1);
	EXPECT_NE(NULL, strstr(w1, "events: 10000019")) {
		TH_LOG("no EPOLLEXCLUSIVE watch in:\n%s", w1);
	}
	reap_top(_metadata, &self->pid);
}

/*
 * Nested epolls, as deep as the kernel allows: e5 watches e4 ... e1
 * watches an eventfd; e6 watches a pipe.  After restart an event on the
 * eventfd reaches e5.
 */
#define NEST	5

static void wl_nested(const char *dir)
{
	int e[NEST + 1], efd, p[2], i;
	struct epoll_event ev;
	long bad = 0;

	wl_task_setup();
	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0 || pipe2(p, O_NONBLOCK))
		_exit(40);
	for (i = 0; i <= NEST; i++) {
		e[i] = epoll_create1(0);
		if (e[i] < 0)
			_exit(41);
	}
	if (ep_add(e[0], efd, EPOLLIN, 100))
		_exit(42);
	for (i = 1; i < NEST; i++)
		if (ep_add(e[i], e[i - 1], EPOLLIN, 100 + i))
			_exit(43);
	if (ep_add(e[NEST], p[0], EPOLLIN, 200))
		_exit(44);
	/* no deeper */
	if (!ep_add(e[NEST], e[NEST - 1], EPOLLIN, 1) ||
	    errno != ELOOP)
		_exit(45);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	if (epoll_wait(e[NEST - 1], &ev, 1, 0) != 0)
		bad |= 1;
	efd_write(efd, 1);
	if (epoll_wait(e[NEST - 1], &ev, 1, 5000) != 1 ||
	    ev.data.u64 != 100 + NEST - 1)
		bad |= 2;
	if (epoll_wait(e[0], &ev, 1, 0) != 1 || ev.data.u64 != 100)
		bad |= 4;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, nested_epoll, 300)
{
	const char *img = spath(&self->s, "img");
	long done;

	self->pid = start_wl(_metadata, &self->s, wl_nested);
	ASSERT_TRUE(wl_started(&self->s));
	self->pid = cycle_tree(_metadata, img, self->pid, 0);
	done = go_and_wait(_metadata, &self->s, "done", 0);
	EXPECT_EQ(0, done) {
		TH_LOG("nested epoll checks failed: mask %#lx", done);
	}
	reap_top(_metadata, &self->pid);
}

/*
 * A watch on a pipe whose other end is the test's: an external file.  At
 * restart it is the caller's fd of the same number, and the epoll watches
 * it there.
 */
#define EXT_FD	7

static void wl_external(const char *dir)
{
	struct epoll_event ev;
	int ep;
	char c;

	ep = epoll_create1(0);
	if (ep < 0 || ep_add(ep, EXT_FD, EPOLLIN, 7))
		_exit(40);
	put_long(dpath(dir, "ready"), 1);
	if (epoll_wait(ep, &ev, 1, -1) != 1 || ev.data.u64 != 7 ||
	    read(EXT_FD, &c, 1) != 1 || c != 'e')
		put_long(dpath(dir, "done"), 1);
	else
		put_long(dpath(dir, "done"), 0);
	_exit(0);
}

/* a workload with only @keep of the test's fds, at the same number */
static pid_t start_keeping(struct __test_metadata *_metadata,
			   struct scratch *s, int keep,
			   void (*fn)(const char *dir))
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (keep > 3)
			syscall(__NR_close_range, 3, keep - 1, 0);
		syscall(__NR_close_range, keep + 1, ~0U, 0);
		prctl(PR_SET_NAME, TREE_COMM);
		wl_privatize_shared_mappings();
		fn(s->dir);
		_exit(0);
	}
	return pid;
}

TEST_F_TIMEOUT(evfd, epoll_external_pipe, 300)
{
	const char *img = spath(&self->s, "img");
	long done;
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(EXT_FD, dup2(p[0], EXT_FD));
	self->pid = start_keeping(_metadata, &self->s, EXT_FD, wl_external);
	ASSERT_TRUE(wl_started(&self->s));
	/* our fd EXT_FD, open across exec, is what restart hands in */
	self->pid = cycle_tree(_metadata, img, self->pid, 0);
	ASSERT_EQ(1, write(p[1], "e", 1));
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, CKPT_WAIT_MS));
	EXPECT_EQ(0, done);
	reap_top(_metadata, &self->pid);
	close(EXT_FD);
	close(p[0]);
	close(p[1]);
}

/*
 * Refusals: the workload is left alone, and the error record says why.
 */
static void expect_refused(struct __test_metadata *_metadata,
			   struct scratch *s, pid_t pid, const char *why)
{
	const char *img = spath(s, "img");
	const struct ckpt_rec_error *e;
	struct img im = {};
	int err, fd;

	EXPECT_EQ(-1, take(img, pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(CKPT_OBJ_FILE, e->kind);
	EXPECT_NE(NULL, strstr((const char *)e->msg, why)) {
		TH_LOG("error record: %s", (const char *)e->msg);
	}
	img_free(&im);
	/* unharmed: back to its sleep */
	EXPECT_TRUE(wait_state(pid, 'S', CKPT_WAIT_MS));
}

/*
 * Watches on files that only another process of the image holds: after
 * adding an eventfd and a pipe to its epoll, the process closes its fds of
 * them, and only its child keeps them (the child closes the epoll).  After
 * restart the child writes to both and the epoll reports each with its
 * data; once the child has exited, its files are gone and so are the
 * watches.  The child stays until the parent has seen both events: when
 * the last fd of a watched file closes, its watch goes, event or not.
 */
static void wl_watch_in_child(const char *dir)
{
	struct epoll_event ev[4];
	int efd, ep, p[2], st, n, i;
	long got = 0, bad = 0;
	pid_t c;

	wl_task_setup();
	efd = eventfd(0, EFD_NONBLOCK);
	ep = epoll_create1(0);
	if (efd < 0 || ep < 0 || pipe2(p, O_NONBLOCK) ||
	    ep_add(ep, efd, EPOLLIN, 1) ||
	    ep_add(ep, p[0], EPOLLIN | EPOLLET, 2))
		_exit(40);
	c = fork();
	if (c < 0)
		_exit(41);
	if (!c) {
		close(ep);
		wait_go(dir);
		if (!efd_write(efd, 5))
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		while (access(dpath(dir, "seen"), F_OK))
			usleep(10000);
		_exit(0);
	}
	close(efd);
	close(p[0]);
	close(p[1]);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);

	while (got != 3) {
		n = epoll_wait(ep, ev, 4, 10000);
		if (n <= 0) {
			bad |= (n < 0 ? errno : 255) << 8;
			break;
		}
		for (i = 0; i < n; i++) {
			if (ev[i].data.u64 == 1 || ev[i].data.u64 == 2)
				got |= 1 << (ev[i].data.u64 - 1);
			else
				bad |= 2;
		}
	}
	if (got != 3)
		bad |= 4 | got << 5;
	put_long(dpath(dir, "seen"), 1);
	if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
		bad |= 8;
	/* the child's files were the watched ones: their watches went */
	if (epoll_wait(ep, ev, 4, 0) != 0)
		bad |= 16;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(evfd, epoll_watch_in_child, 300)
{
	const char *img = spath(&self->s, "img");
	long done;

	self->pid = start_wl(_metadata, &self->s, wl_watch_in_child);
	ASSERT_TRUE(wl_started(&self->s));
	/* the same pids: the process waits for its child */
	self->pid = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	done = go_and_wait(_metadata, &self->s, "done", 0);
	EXPECT_EQ(0, done) {
		TH_LOG("watches held by the child: mask %#lx", done);
	}
	reap_top(_metadata, &self->pid);
}

static void wl_pause(const char *dir)
{
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

/* an epoll whose watched eventfd only the test holds */
TEST_F_TIMEOUT(evfd, refuse_watch_outside, 120)
{
	int efd, ep;

	efd = eventfd(0, 0);
	ep = epoll_create1(0);
	ASSERT_LE(0, efd);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, ep_add(ep, efd, EPOLLIN, 1));
	self->pid = start_keeping(_metadata, &self->s, ep, wl_pause);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid, "outside the image");
	close(efd);
	close(ep);
}

/* a watch on an external pipe by an fd that no longer holds it */
static void wl_ext_moved(const char *dir)
{
	int ep = epoll_create1(0);

	if (ep < 0 || ep_add(ep, EXT_FD, EPOLLIN, 7) ||
	    dup2(EXT_FD, EXT_FD + 1) < 0 || close(EXT_FD))
		_exit(40);
	wl_pause(dir);
}

TEST_F_TIMEOUT(evfd, refuse_external_moved, 120)
{
	int p[2];

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(EXT_FD, dup2(p[0], EXT_FD));
	self->pid = start_keeping(_metadata, &self->s, EXT_FD, wl_ext_moved);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid, "no longer holds it");
	close(EXT_FD);
	close(p[0]);
	close(p[1]);
}

/* flags an event fd cannot have at restart; event bits epoll_ctl() keeps */
static void wl_noatime(const char *dir)
{
	int efd;

	wl_task_setup();
	efd = eventfd(0, 0);
	if (efd < 0 || fcntl(efd, F_SETFL, O_NOATIME))
		_exit(40);
	wl_pause(dir);
}

static void wl_bad_events(const char *dir)
{
	int efd, ep;

	wl_task_setup();
	efd = eventfd(0, 0);
	ep = epoll_create1(0);
	if (efd < 0 || ep < 0 ||
	    ep_add(ep, efd, EPOLLIN | (1U << 20), 0))
		_exit(40);
	wl_pause(dir);
}

TEST_F_TIMEOUT(evfd, refuse_flags_and_events, 120)
{
	self->pid = start_wl(_metadata, &self->s, wl_noatime);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid, "are not supported");
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	unlink(spath(&self->s, "ready"));
	self->pid = start_wl(_metadata, &self->s, wl_bad_events);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid, "unknown events");
}

/*
 * An eventfd the kernel signals too (io_uring's registered eventfd) is
 * refused while it is registered; once that ring is gone, a counter the
 * kernel ran up to 2^64 - 1 (which write(2) cannot reach) is refused too.
 */
struct ring {
	int fd;
	void *sq;
	size_t sq_len;
	struct io_uring_sqe *sqes;
	size_t sqes_len;
	struct io_uring_params p;
};

static int ring_setup(struct ring *r)
{
	size_t cq_len;

	memset(r, 0, sizeof(*r));
	r->fd = syscall(__NR_io_uring_setup, 2, &r->p);
	if (r->fd < 0)
		return -errno;
	r->sq_len = r->p.sq_off.array + r->p.sq_entries * sizeof(__u32);
	cq_len = r->p.cq_off.cqes + r->p.cq_entries * sizeof(struct io_uring_cqe);
	if (cq_len > r->sq_len)
		r->sq_len = cq_len;
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_SQ_RING);
	r->sqes_len = r->p.sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       r->fd, IORING_OFF_SQES);
	if (r->sq == MAP_FAILED || r->sqes == MAP_FAILED)
		return -ENOMEM;
	return 0;
}

/* one IORING_OP_NOP, waited for: its completion signals the eventfd */
static int ring_nop(struct ring *r)
{
	unsigned int *tail = r->sq + r->p.sq_off.tail;
	unsigned int *array = r->sq + r->p.sq_off.array;
	unsigned int mask = *(unsigned int *)(r->sq + r->p.sq_off.ring_mask);
	unsigned int t = *tail;

	memset(&r->sqes[t & mask], 0, sizeof(r->sqes[0]));
	r->sqes[t & mask].opcode = IORING_OP_NOP;
	array[t & mask] = t & mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
	return syscall(__NR_io_uring_enter, r->fd, 1, 1,
		       IORING_ENTER_GETEVENTS, NULL, 0) == 1 ? 0 : -errno;
}

static void ring_close(struct ring *r)
{
	munmap(r->sq, r->sq_len);
	munmap(r->sqes, r->sqes_len);
	close(r->fd);
}

static void wl_overflow(const char *dir)
{
	struct ring r;
	int efd;

	wl_task_setup();
	efd = eventfd(0, EFD_NONBLOCK);
	if (efd < 0 || !efd_write(efd, ~0ULL - 1) || ring_setup(&r) ||
	    syscall(__NR_io_uring_register, r.fd, IORING_REGISTER_EVENTFD,
		    &efd, 1) || ring_nop(&r) ||
	    syscall(__NR_io_uring_register, r.fd, IORING_UNREGISTER_EVENTFD,
		    NULL, 0))
		_exit(40);
	ring_close(&r);
	/* the ring lets the eventfd go after an RCU grace period */
	usleep(300000);
	wl_pause(dir);
}

TEST_F_TIMEOUT(evfd, refuse_kernel_eventfd, 120)
{
	struct ring r;
	int efd;

	if (ring_setup(&r) < 0)
		SKIP(return, "no io_uring in this kernel");
	ring_close(&r);
	efd = eventfd(0, 0);
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, ring_setup(&r));
	ASSERT_EQ(0, syscall(__NR_io_uring_register, r.fd,
			     IORING_REGISTER_EVENTFD, &efd, 1));
	/* the workload has the eventfd, the test the ring */
	self->pid = start_keeping(_metadata, &self->s, efd, wl_pause);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid,
		       "also used inside the kernel");
	ring_close(&r);
	close(efd);
	kill(self->pid, SIGKILL);
	waitpid(self->pid, NULL, 0);
	unlink(spath(&self->s, "ready"));

	self->pid = start_wl(_metadata, &self->s, wl_overflow);
	ASSERT_TRUE(wl_started(&self->s));
	expect_refused(_metadata, &self->s, self->pid, "counter overflowed");
}

/* epoll busy poll parameters (EPIOCSPARAMS) are not saved */
#ifndef EPIOCSPARAMS
struct epoll_params {
	__u32 busy_poll_usecs;
	__u16 busy_poll_budget;
	__u8 prefer_busy_poll;
	__u8 __pad;
};

#define EPIOCSPARAMS	_IOW(0x8A, 0x01, struct epoll_params)
#endif

static void wl_busy_poll(const char *dir)
{
	struct epoll_params ep = { .busy_poll_usecs = 10 };
	int fd;

	wl_task_setup();
	fd = epoll_create1(0);
	if (fd < 0)
		_exit(40);
	if (ioctl(fd, EPIOCSPARAMS, &ep)) {
		put_long(dpath(dir, "nobusy"), errno);
		_exit(0);
	}
	wl_pause(dir);
}

TEST_F_TIMEOUT(evfd, refuse_busy_poll, 120)
{
	long long deadline = mono_ms() + CKPT_WAIT_MS;
	long e;

	self->pid = start_wl(_metadata, &self->s, wl_busy_poll);
	while (!wait_file(spath(&self->s, "ready"), 100)) {
		if (get_long(spath(&self->s, "nobusy"), &e))
			SKIP(return, "no epoll busy poll here: %s", strerror(e));
		ASSERT_LT(mono_ms(), deadline);
	}
	expect_refused(_metadata, &self->s, self->pid, "busy poll");
}

/*
 * An alarm clock needs CAP_WAKE_ALARM at restart as at timerfd_create():
 * nobody gets EPERM for an image of its own with one, but restarts the
 * same image with a CLOCK_BOOTTIME timer instead.  The workload is this
 * program, copied where nobody may run it, and made by root (who may
 * create the alarm timer) before it drops to nobody and execs.
 */
static void __attribute__((constructor)) evfd_wl_exec(void)
{
	const char *dir = getenv(EVFD_WL_ENV);

	if (!dir)
		return;
	prctl(PR_SET_NAME, TREE_COMM);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

/* nobody's process with a timerfd of @clock at fd 3, made by root */
static pid_t start_nobody_timer(struct __test_metadata *_metadata,
				struct scratch *s, const char *exe, int clock)
{
	static char env[160];
	static char * const envp[] = { env, NULL };
	pid_t pid;

	snprintf(env, sizeof(env), "%s=%s", EVFD_WL_ENV, s->dir);
	pid = fork();
	if (!pid) {
		int null = open("/dev/null", O_RDWR), t;

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		t = timerfd_create(clock, 0);
		if (t != 3)
			_exit(40);
		tfd_arm(t, 0, 3600 * 1000, 0);
		if (chdir(s->dir) || setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(41);
		execle(exe, exe, (char *)NULL, envp);
		_exit(42);
	}
	return pid;
}

/* restart @img as nobody in a child: 0 or the errno; kills what it made */
static int restart_as_nobody(const char *img)
{
	int fd = open(img, O_RDONLY | O_CLOEXEC), st;
	pid_t pid;

	if (fd < 0)
		return errno;
	pid = fork();
	if (!pid) {
		long top;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(200);
		top = sys_restart(0, fd, 0);
		if (top < 0)
			_exit(errno);
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
		_exit(0);
	}
	close(fd);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F_TIMEOUT(evfd, alarm_clock_needs_cap, 180)
{
	const char *img = spath(&self->s, "img");
	const char *exe = spath(&self->s, "exe");
	int err, status, clocks[2] = { CLOCK_BOOTTIME_ALARM, CLOCK_BOOTTIME };
	int want[2] = { EPERM, 0 }, i;

	if (geteuid())
		SKIP(return, "needs root");
	copy_self(_metadata, exe);
	/* nobody's workload reports here */
	ASSERT_EQ(0, chmod(self->s.dir, 0777));
	for (i = 0; i < 2; i++) {
		unlink(spath(&self->s, "ready"));
		self->pid = start_nobody_timer(_metadata, &self->s, exe,
					       clocks[i]);
		if (!wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS)) {
			status = 0;
			if (waitpid(self->pid, &status, WNOHANG) != self->pid) {
				kill(self->pid, SIGKILL);
				waitpid(self->pid, &status, 0);
			}
			self->pid = 0;
			if (!i && WIFEXITED(status) && WEXITSTATUS(status) == 40)
				SKIP(return, "no alarm timers here");
			ASSERT_TRUE(false) {
				TH_LOG("workload status %#x", status);
			}
		}
		ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
			TH_LOG("checkpoint: %s", strerror(err));
			show_error_record(img);
		}
		waitpid(self->pid, NULL, 0);
		self->pid = 0;
		ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
		EXPECT_EQ(want[i], restart_as_nobody(img)) {
			TH_LOG("clock %d", clocks[i]);
		}
		EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	}
	/* root may have the alarm clock */
	unlink(spath(&self->s, "ready"));
	self->pid = start_nobody_timer(_metadata, &self->s, exe,
				       CLOCK_BOOTTIME_ALARM);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	self->pid = cycle_tree(_metadata, img, self->pid, 0);
}

/*
 * Forged records: each is refused with EINVAL, and no task is left.
 */
static void wl_forge(const char *dir)
{
	struct itimerspec its = { { 1, 0 }, { 1, 0 } };
	int a, b, t, s, ep, ep2;
	sigset_t set;

	wl_task_setup();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	a = eventfd(1, 0);
	b = eventfd(2, EFD_SEMAPHORE);
	t = timerfd_create(CLOCK_MONOTONIC, 0);
	s = signalfd(-1, &set, 0);
	ep = epoll_create1(0);
	ep2 = epoll_create1(0);
	if (a < 0 || b < 0 || t < 0 || s < 0 || ep < 0 || ep2 < 0 ||
	    timerfd_settime(t, 0, &its, NULL) ||
	    ep_add(ep, a, EPOLLIN, 1) ||
	    ep_add(ep, b, EPOLLIN, 2) ||
	    ep_add(ep2, ep, EPOLLIN, 3))
		_exit(40);
	wl_pause(dir);
}

/* a copy of the image, changed by @fn; restart must fail with @err */
typedef bool (*forge_fn)(struct img *im, void *arg);

static void forge_expect(struct __test_metadata *_metadata, const char *img,
			 const char *bad, forge_fn fn, void *arg, int want,
			 const char *what)
{
	struct img im;

	img_load_copy(_metadata, img, &im);
	ASSERT_TRUE(fn(&im, arg)) {
		TH_LOG("%s: nothing to forge", what);
	}
	expect_forged_refused(_metadata, &im, bad, want, what);
}

/* a field of the @nth record of @type (of FILE @ftype for FILE) */
struct poke {
	__u32 type;
	__u32 ftype;
	int nth;
	size_t off;
	__u64 val;
	int len;
};

static struct ckpt_hdr *find_rec(struct img *im, __u32 type, __u32 ftype,
				 int nth)
{
	const struct ckpt_hdr *h;

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		const struct ckpt_rec_file *f = (const void *)h;

		if (h->type != type ||
		    (type == CKPT_REC_FILE && f->type != ftype))
			continue;
		if (nth-- == 0)
			return (struct ckpt_hdr *)h;
	}
	return NULL;
}

static bool do_poke(struct img *im, void *arg)
{
	struct poke *p = arg;
	struct ckpt_hdr *h = find_rec(im, p->type, p->ftype, p->nth);

	if (!h || p->off + p->len > h->len)
		return false;
	memcpy((unsigned char *)h + p->off, &p->val, p->len);
	return true;
}

/* an EPOLL watch's file_ref set to the objref of something else */
enum retarget {
	RT_OWN_OBJREF,		/* the EPOLL record's own objref */
	RT_OWN_FILE,		/* the FILE that uses this EPOLL (later) */
	RT_NOWHERE,		/* an objref nothing has */
	RT_NOT_POLLABLE,	/* the FILE of /dev/null at fd 0 */
	RT_TWICE,		/* watch 1 = watch 0 */
};

static bool retarget(struct img *im, void *arg)
{
	struct ckpt_rec_epoll *r = (void *)find_rec(im, CKPT_REC_EPOLL, 0, 0);
	const struct ckpt_rec_files *files;
	const struct ckpt_hdr *h;
	__u32 ref = 0;

	if (!r || r->nr_watches < 2)
		return false;
	switch (*(enum retarget *)arg) {
	case RT_OWN_OBJREF:
		ref = r->objref;
		break;
	case RT_OWN_FILE:
		for (h = img_next(im, NULL); h; h = img_next(im, h)) {
			const struct ckpt_rec_file *f = (const void *)h;

			if (h->type == CKPT_REC_FILE && f->obj_ref == r->objref &&
			    f->type == CKPT_FILE_EPOLL)
				ref = f->objref;
		}
		break;
	case RT_NOWHERE:
		ref = 99999;
		break;
	case RT_NOT_POLLABLE:
		files = img_find(im, CKPT_REC_FILES, 0);
		if (!files || !files->nr_fds || files->fds[0].fd != 0)
			return false;
		ref = files->fds[0].file_ref;
		break;
	case RT_TWICE:
		r->watches[1] = r->watches[0];
		return true;
	}
	if (!ref)
		return false;
	r->watches[0].file_ref = ref;
	return true;
}

TEST_F_TIMEOUT(evfd, forged_records_refused, 600)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	const size_t ev_flags = offsetof(struct ckpt_rec_eventfd, flags);
	const size_t ev_count = offsetof(struct ckpt_rec_eventfd, count);
	const size_t tf_clock = offsetof(struct ckpt_rec_timerfd, clockid);
	const size_t tf_flags = offsetof(struct ckpt_rec_timerfd, flags);
	const size_t tf_value = offsetof(struct ckpt_rec_timerfd, value);
	const size_t tf_exp = offsetof(struct ckpt_rec_timerfd, expires);
	const size_t tf_pad = offsetof(struct ckpt_rec_timerfd, __pad);
	const size_t sf_mask = offsetof(struct ckpt_rec_signalfd, mask);
	const size_t w0 = offsetof(struct ckpt_rec_epoll, watches[0]);
	const size_t fl_mode = offsetof(struct ckpt_rec_file, f_mode);
	const size_t fl_flags = offsetof(struct ckpt_rec_file, f_flags);
	const size_t fl_ref = offsetof(struct ckpt_rec_file, obj_ref);
	struct {
		struct poke p;
		const char *what;
	} pokes[] = {
		{ { CKPT_REC_EVENTFD, 0, 0, ev_flags, 0x2, 4 }, "eventfd flags" },
		{ { CKPT_REC_EVENTFD, 0, 0, ev_count, ~0ULL, 8 },
		  "eventfd counter 2^64 - 1" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_clock, 2, 4 },
		  "timerfd on a CPU-time clock" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_clock, 11, 4 },
		  "timerfd on CLOCK_TAI" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_flags, 0x8, 4 },
		  "timerfd flags" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_flags, CKPT_TIMERFD_CANCELED, 4 },
		  "cancel on a monotonic timer" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_value, 1ULL << 63, 8 },
		  "time beyond 2^63 ns" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_exp, 12345, 8 },
		  "date on a relative timer" },
		{ { CKPT_REC_TIMERFD, 0, 0, tf_pad, 1, 4 }, "timerfd __pad" },
		{ { CKPT_REC_SIGNALFD, 0, 0, sf_mask, 1ULL << (SIGKILL - 1), 8 },
		  "signalfd of SIGKILL" },
		{ { CKPT_REC_SIGNALFD, 0, 0, sf_mask, 1ULL << (SIGSTOP - 1), 8 },
		  "signalfd of SIGSTOP" },
		{ { CKPT_REC_EPOLL, 0, 0,
		    w0 + offsetof(struct ckpt_epoll_watch, events), 1U << 20, 4 },
		  "unknown epoll event" },
		{ { CKPT_REC_EPOLL, 0, 0,
		    w0 + offsetof(struct ckpt_epoll_watch, flags), 0x2, 4 },
		  "unknown watch flags" },
		{ { CKPT_REC_EPOLL, 0, 0,
		    w0 + offsetof(struct ckpt_epoll_watch, fd), 0x80000000U, 4 },
		  "watch fd beyond INT_MAX" },
		{ { CKPT_REC_EPOLL, 0, 0,
		    offsetof(struct ckpt_rec_epoll, nr_watches), 7, 4 },
		  "more watches than the record holds" },
		{ { CKPT_REC_FILE, CKPT_FILE_EVENTFD, 0, fl_mode, 0100600, 4 },
		  "eventfd FILE with a mode" },
		{ { CKPT_REC_FILE, CKPT_FILE_EVENTFD, 0, fl_flags, 04000, 4 },
		  "eventfd FILE read-only" },
		{ { CKPT_REC_FILE, CKPT_FILE_TIMERFD, 0, fl_flags, 02 | 01000000, 4 },
		  "timerfd FILE with O_NOATIME" },
	};
	enum retarget rts[] = {
		RT_OWN_OBJREF, RT_OWN_FILE, RT_NOWHERE, RT_NOT_POLLABLE, RT_TWICE,
	};
	static const char * const rt_what[] = {
		"watch of the epoll's own objref", "watch of the epoll's own FILE",
		"watch of nothing", "watch of /dev/null", "the same watch twice",
	};
	const struct ckpt_rec_file *f;
	struct poke p;
	struct img im = {};
	__u32 tref = 0;
	unsigned int i;
	int err;

	self->pid = start_wl(_metadata, &self->s, wl_forge);
	ASSERT_TRUE(wl_started(&self->s));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		show_error_record(img);
	}
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	for (i = 0; i < ARRAY_SIZE(pokes); i++)
		forge_expect(_metadata, img, bad, do_poke, &pokes[i].p, EINVAL,
			     pokes[i].what);
	for (i = 0; i < ARRAY_SIZE(rts); i++)
		forge_expect(_metadata, img, bad, retarget, &rts[i], EINVAL,
			     rt_what[i]);

	/* a FILE that names an object of another kind, or one taken already */
	load_img(_metadata, img, &im);
	f = (const void *)find_rec(&im, CKPT_REC_FILE, CKPT_FILE_TIMERFD, 0);
	ASSERT_NE(NULL, f);
	tref = f->obj_ref;
	f = (const void *)find_rec(&im, CKPT_REC_FILE, CKPT_FILE_EVENTFD, 0);
	ASSERT_NE(NULL, f);
	p = (struct poke){ CKPT_REC_FILE, CKPT_FILE_EVENTFD, 0, fl_ref, tref, 4 };
	forge_expect(_metadata, img, bad, do_poke, &p, EINVAL,
		     "eventfd FILE naming a timerfd");
	p = (struct poke){ CKPT_REC_FILE, CKPT_FILE_EVENTFD, 1, fl_ref,
			   f->obj_ref, 4 };
	forge_expect(_metadata, img, bad, do_poke, &p, EINVAL,
		     "two FILEs of one eventfd");
	img_free(&im);
	/* and the image itself restarts */
	self->pid = restart_img(img, 0, 0, &err);
	EXPECT_LT(0, self->pid) {
		TH_LOG("restart: %s", strerror(err));
	}
}

/*
 * Too deep: the sixth epoll of wl_nested made to watch the fifth, which
 * watches the fourth... (a loop cannot be written: a watch names a file
 * restored before it).
 */
static bool deepen(struct img *im, void *arg)
{
	struct ckpt_rec_epoll *outer = NULL, *pipew = NULL;
	const struct ckpt_hdr *h;
	__u32 outer_file = 0;

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		struct ckpt_rec_epoll *r = (void *)h;
		const struct ckpt_rec_file *t;

		if (h->type != CKPT_REC_EPOLL || r->nr_watches != 1)
			continue;
		t = img_file_ref(im, r->watches[0].file_ref);
		if (t && t->type == CKPT_FILE_PIPE)
			pipew = r;
		else if (t && t->type == CKPT_FILE_EPOLL)
			outer = r;	/* the last one is e5 */
	}
	if (!outer || !pipew)
		return false;
	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		const struct ckpt_rec_file *f = (const void *)h;

		if (h->type == CKPT_REC_FILE && f->type == CKPT_FILE_EPOLL &&
		    f->obj_ref == outer->objref)
			outer_file = f->objref;
	}
	if (!outer_file)
		return false;
	pipew->watches[0].file_ref = outer_file;
	return true;
}

TEST_F_TIMEOUT(evfd, forged_nesting_refused, 300)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	int err;

	self->pid = start_wl(_metadata, &self->s, wl_nested);
	ASSERT_TRUE(wl_started(&self->s));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		show_error_record(img);
	}
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	forge_expect(_metadata, img, bad, deepen, NULL, EINVAL,
		     "epolls nested too deep");
}

/*
 * A program on libevent (Debian's libevent-dev, when the selftests were
 * built with it) in a container: its event loop over epoll, a timerfd
 * (EVENT_BASE_FLAG_PRECISE_TIMER), an eventfd and a pipe its child writes,
 * and libevent's own signal pipe for SIGCHLD, goes on after restart and
 * counts every event once.
 */
#define LIBEVENT_N	400

TEST_F_TIMEOUT(evfd, libevent_program, 600)
{
	char exe[PATH_MAX], prog[PATH_MAX + 32], cmd[2 * PATH_MAX];
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	snprintf(prog, sizeof(prog), "%s/ckpt_libevent_wl", dirname(exe));
	if (!have(prog))
		SKIP(return, "built without libevent-dev");
	snprintf(cmd, sizeof(cmd), "exec %s %s %d", prog, self->s.dir,
		 LIBEVENT_N);
	real_program(_metadata, &self->s, cmd, spath(&self->s, "progress"),
		     LIBEVENT_N / 4, spath(&self->s, "answer"), LIBEVENT_N);
}

TEST_HARNESS_MAIN
