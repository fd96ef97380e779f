// SPDX-License-Identifier: GPL-2.0
/*
 * The correctness and security findings of an outside review of the
 * series (its section 2, numbered 2.1 to 2.19 below), one test each,
 * judged from outside: the outcome and errno of the system call, the error
 * record that ends a refused image, /proc, and what the target or another
 * process did meanwhile.  Each test says what it proves and how the code
 * the review read (commit dd242f7) failed it.  Then one test for each
 * other refusal of checkpoint that no other selftest reaches.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <pthread.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#ifndef PR_SET_MDWE
#define PR_SET_MDWE			65
#define PR_GET_MDWE			66
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN	1
#endif
#ifndef ARCH_ENABLE_TAGGED_ADDR
#define ARCH_ENABLE_TAGGED_ADDR		0x4002
#endif
#ifndef __NR_mseal
#define __NR_mseal			462
#endif

#define MIB			1048576UL
#define RV_WORKLOAD_MIB		4	/* more than a pipe holds */
#define RV_MAX_DIRS		4

/*
 * The workloads a copy of this program runs when it is exec()ed (as
 * nobody, or to be deleted): a pipe with unread bytes if its name says
 * so, else nothing but ping.
 */
static void wl_pipe(char cmd, struct reply *r, void *arg)
{
	int p[2];

	if (cmd == 'I') {
		if (pipe(p) || dup2(p[0], 42) != 42 || dup2(p[1], 43) != 43 ||
		    write(43, "hello-unread", 12) != 12)
			_exit(110);
		close(p[0]);
		close(p[1]);
	} else if (cmd == 'Z') {
		r->v[0] = fcntl(42, F_GETPIPE_SZ);
	}
	r->v[1] = getuid();
}

static void __attribute__((constructor)) exec_workload_entry(void)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (!getenv(RS_WL_ENV))
		return;
	/* the harness' constructors made shared mappings */
	wl_drop_shared_mappings();
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	wl_loop(strstr(exe, ".pipe-exe") ? wl_pipe : wl_plain, NULL);
}

FIXTURE(rv) {
	struct rs_state s;
	char dirs[RV_MAX_DIRS][96];
	int ndirs;
};

FIXTURE_SETUP(rv)
{
	rs_init(&self->s);
	self->ndirs = 0;
	signal(SIGPIPE, SIG_IGN);
	if (!restart_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented by this kernel");
}

FIXTURE_TEARDOWN(rv)
{
	rs_cleanup(&self->s);
	while (self->ndirs > 0)
		rmdir(self->dirs[--self->ndirs]);
}

/* A new directory in /tmp, removed (if empty) in teardown. */
static const char *rv_dir(struct __test_metadata *_metadata, char (*dirs)[96], int *ndirs,
			  const char *what)
{
	char *d = dirs[*ndirs < RV_MAX_DIRS ? (*ndirs)++ : RV_MAX_DIRS - 1];

	tmp_path(d, sizeof(dirs[0]), what);
	EXPECT_EQ(0, mkdir(d, 0755)) {
		TH_LOG("mkdir %s: %s", d, strerror(errno));
	}
	return d;
}

#define RV_DIR(what) rv_dir(_metadata, self->dirs, &self->ndirs, what)

/* Checkpoint pid into a new file; the image, whatever was written, in *im. */
static long take_img(struct __test_metadata *_metadata, struct rs_state *s, pid_t pid,
		     struct img *im, int *err)
{
	const char *path = rs_path(s, "img");
	long ret;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	errno = 0;
	ret = sys_checkpoint(pid, fd, 0);
	*err = ret < 0 ? errno : 0;
	ASSERT_EQ(0, img_load_fd(fd, im));
	close(fd);
	return ret;
}

/* The message of an error record, NUL-terminated by img_check(). */
static const char *err_msg(const struct ckpt_rec_error *e)
{
	return e->h.len > sizeof(*e) ? (const char *)e->msg : "";
}

/*
 * The image *im (of pid) was refused with err: it is well formed and ends
 * with an ERROR record with that errno, the kind (and pid, unless -1) and
 * a message that says what; the record is returned.
 */
static const struct ckpt_rec_error *expect_error_record(struct __test_metadata *_metadata,
							struct img *im, pid_t pid, int err,
							__u32 kind, const char *what)
{
	const struct ckpt_rec_error *e;
	const char *why;

	why = img_check(im, false);
	EXPECT_EQ(NULL, why) {
		TH_LOG("refused image: %s", why);
	}
	e = (const void *)img_last(im);
	if (!e || e->h.type != CKPT_REC_ERROR) {
		EXPECT_TRUE(false) {
			TH_LOG("the image does not end with an ERROR record");
		}
		return NULL;
	}
	TH_LOG("error record: error %u pid %u kind %u fd %d addr %#llx: %s", e->error, e->pid,
	       e->kind, (int)e->fd, (unsigned long long)e->addr, err_msg(e));
	EXPECT_EQ(err, e->error);
	EXPECT_EQ(kind, e->kind);
	if (pid != -1)
		EXPECT_EQ(pid, e->pid);
	EXPECT_NE(NULL, strstr(err_msg(e), what)) {
		TH_LOG("the message does not say \"%s\"", what);
	}
	return e;
}

/*
 * checkpoint(pid) must fail with err and an error record (kind, message
 * with what), and leave the target running: it answers a ping.
 */
static const struct ckpt_rec_error *expect_refused(struct __test_metadata *_metadata,
						   struct rs_state *s, struct rproc *p,
						   struct img *im, int err, __u32 kind,
						   const char *what)
{
	struct reply r;
	long ret;
	int e;

	ret = take_img(_metadata, s, p->pid, im, &e);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(err, e) {
		TH_LOG("checkpoint: expected %s, got %s", strerror(err), strerror(e));
	}
	EXPECT_EQ(0, ask(p, 'P', &r)) {
		TH_LOG("the refused target does not answer");
	}
	EXPECT_EQ(p->pid, r.v[0]);
	return expect_error_record(_metadata, im, p->pid, err, kind, what);
}

/* A workload with (uintptr_t)arg MiB of written anonymous memory. */
static void wl_mem(char cmd, struct reply *r, void *arg)
{
	size_t len = (uintptr_t)arg * MIB;
	unsigned char *m;
	size_t i;

	if (cmd != 'I')
		return;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		wl_die("mmap");
	for (i = 0; i < len; i += 512)
		m[i] = i / 512;
	r->v[0] = (uintptr_t)m;
}

/*
 * Image surgery: replace a record by another of any length, or insert one
 * before it; the TAIL's size and count follow.
 */
static void image_splice(struct __test_metadata *_metadata, const struct image *im,
			 const char *path, const struct rinfo *at, bool insert, void *rec,
			 size_t len)
{
	size_t padded = CKPT_ALIGN_UP(len), old = insert ? 0 : CKPT_ALIGN_UP(at->len);
	size_t size = im->size - old + padded, tail;
	struct ckpt_rec_tail *t;
	unsigned char *buf;

	ASSERT_EQ(CKPT_REC_TAIL, im->rec[im->nrec - 1].type);
	ASSERT_NE(CKPT_REC_TAIL, at->type);
	buf = calloc(1, size);
	ASSERT_NE(NULL, buf);
	((struct ckpt_hdr *)rec)->len = len;
	memcpy(buf, im->buf, at->off);
	memcpy(buf + at->off, rec, len);
	memcpy(buf + at->off + padded, im->buf + at->off + old, im->size - at->off - old);
	tail = im->rec[im->nrec - 1].off + padded - old;
	t = (struct ckpt_rec_tail *)(buf + tail);
	t->size += padded - old;
	t->nr_records += insert;
	write_file(_metadata, path, buf, size, O_TRUNC);
	free(buf);
}

/*
 * A copy of the fixed part of a record with a string (a path) after it,
 * its length in the __le32 at len_off; the record's length.
 */
static size_t rec_with_str(void *out, const void *rec, size_t fixed, size_t len_off,
			   const char *s)
{
	__u32 n = strlen(s) + 1;

	memcpy(out, rec, fixed);
	memcpy((char *)out + len_off, &n, sizeof(n));
	memcpy((char *)out + fixed, s, n);
	return fixed + n;
}

/* The FILE record of fd in the image's first FILES table, NULL if none. */
static const struct rinfo *image_fd_file(const struct image *im, int fd)
{
	const struct ckpt_rec_files *fs;
	const struct rinfo *ri;
	__u32 i, ref = 0;
	int n;

	ri = image_rec(im, CKPT_REC_FILES, 0);
	if (!ri)
		return NULL;
	fs = image_at(im, ri);
	for (i = 0; i < fs->nr_fds; i++)
		if (fs->fds[i].fd == (__u32)fd)
			ref = fs->fds[i].file_ref;
	for (n = 0; (ri = image_rec(im, CKPT_REC_FILE, n)); n++)
		if (((const struct ckpt_rec_file *)image_at(im, ri))->objref == ref)
			return ri;
	return NULL;
}

/*
 * restart(fd) by a caller that prep() set up first, in a child of the test:
 * what it got, and whether it was left with a task, a child or a SIGCHLD.
 */
struct caller_result {
	long ret;
	int err;
	int prep_err;
	int left;
};

static void restart_by(struct __test_metadata *_metadata, int fd, int (*prep)(void *), void *arg,
		       struct caller_result *cr)
{
	int res[2], status;
	sigset_t set;
	pid_t pid;

	memset(cr, 0, sizeof(*cr));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct caller_result c = { 0 };
		int st;

		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_BLOCK, &set, NULL);
		st = open("/dev/null", O_RDWR);
		if (st < 0 || dup2(st, 0) || dup2(st, 1) != 1)
			_exit(2);
		c.prep_err = prep ? prep(arg) : 0;
		if (!c.prep_err) {
			lseek(fd, 0, SEEK_SET);
			errno = 0;
			c.ret = sys_restart(0, fd, 0);
			c.err = c.ret < 0 ? errno : 0;
			if (c.ret > 0) {
				kill(c.ret, SIGKILL);
				waitpid(c.ret, &st, 0);
			} else {
				errno = 0;
				c.left = waitpid(-1, &st, WNOHANG | __WALL) != -1 ||
					 errno != ECHILD;
				sigpending(&set);
				c.left |= sigismember(&set, SIGCHLD) << 1;
			}
		}
		_exit(write(res[1], &c, sizeof(c)) == sizeof(c) ? 0 : 1);
	}
	close(res[1]);
	ASSERT_EQ(0, read_full(res[0], cr, sizeof(*cr), CKPT_WAIT_MS));
	close(res[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
}

/* Wait up to ms for our child pid to end; its wait status, -1 if it did not. */
static int reap_within(pid_t pid, int ms)
{
	long long deadline = now_ms() + ms;
	int status;

	do {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		sleep_ms(10);
	} while (now_ms() < deadline);
	return -1;
}

/*
 * checkpoint(2) in another thread of the test, into a pipe that the test
 * reads only when it wants: the checkpoint blocks once the pipe is full,
 * with its target held.
 */
struct bg_ckpt {
	pthread_t thread;
	pid_t pid;
	int wfd, rfd;
	size_t prefill;		/* bytes the test put in the pipe first */
	long ret;
	int err;
	int done;
	unsigned char *buf;
	size_t size, cap;
};

static void *bg_ckpt_fn(void *arg)
{
	struct bg_ckpt *b = arg;

	errno = 0;
	b->ret = sys_checkpoint(b->pid, b->wfd, 0);
	b->err = b->ret < 0 ? errno : 0;
	__atomic_store_n(&b->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static bool bg_done(struct bg_ckpt *b)
{
	return __atomic_load_n(&b->done, __ATOMIC_ACQUIRE);
}

/*
 * With a pipe of pipe_size bytes (0: the default) that holds prefill bytes
 * already, so that even the image's first record blocks.
 */
static void bg_ckpt_start_in(struct __test_metadata *_metadata, struct bg_ckpt *b, pid_t pid,
			     int pipe_size, size_t prefill)
{
	static const char zeroes[4096];
	int p[2];

	memset(b, 0, sizeof(*b));
	b->pid = pid;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	b->rfd = p[0];
	b->wfd = p[1];
	if (pipe_size)
		ASSERT_EQ(pipe_size, fcntl(b->wfd, F_SETPIPE_SZ, pipe_size));
	ASSERT_GE(sizeof(zeroes), prefill);
	ASSERT_EQ((ssize_t)prefill, write(b->wfd, zeroes, prefill));
	b->prefill = prefill;
	ASSERT_EQ(0, fcntl(b->rfd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(0, pthread_create(&b->thread, NULL, bg_ckpt_fn, b));
}

static void bg_ckpt_start(struct __test_metadata *_metadata, struct bg_ckpt *b, pid_t pid)
{
	bg_ckpt_start_in(_metadata, b, pid, 0, 0);
}

/* The checkpoint is blocked: the pipe holds more than min bytes, no more. */
static bool bg_ckpt_blocked_at(struct bg_ckpt *b, int min, int ms)
{
	long long deadline = now_ms() + ms;
	int n, last = -1, stable = 0;

	while (now_ms() < deadline && !bg_done(b)) {
		if (ioctl(b->rfd, FIONREAD, &n))
			return false;
		if (n >= min && n == last) {
			if (++stable == 4)
				return true;
		} else {
			stable = 0;
		}
		last = n;
		sleep_ms(50);
	}
	return false;
}

static bool bg_ckpt_blocked(struct bg_ckpt *b, int ms)
{
	return bg_ckpt_blocked_at(b, 32768, ms);
}

/* Read what the pipe holds now. */
static void bg_drain(struct bg_ckpt *b)
{
	unsigned char *nb;
	ssize_t n;

	for (;;) {
		if (b->cap - b->size < 65536) {
			nb = realloc(b->buf, b->cap * 2 + 65536);
			if (!nb)
				return;
			b->buf = nb;
			b->cap = b->cap * 2 + 65536;
		}
		n = read(b->rfd, b->buf + b->size, b->cap - b->size);
		if (n <= 0)
			return;
		b->size += n;
	}
}

/* Let the checkpoint finish; the image it wrote goes to *im. */
static void bg_ckpt_finish(struct __test_metadata *_metadata, struct bg_ckpt *b, struct img *im)
{
	long long deadline = now_ms() + CKPT_WAIT_MS;
	struct pollfd pfd = { .fd = b->rfd, .events = POLLIN };

	while (!bg_done(b) && now_ms() < deadline) {
		bg_drain(b);
		poll(&pfd, 1, 50);
	}
	ASSERT_TRUE(bg_done(b)) {
		TH_LOG("checkpoint did not return although its pipe was drained");
	}
	pthread_join(b->thread, NULL);
	close(b->wfd);
	bg_drain(b);
	close(b->rfd);
	ASSERT_LE(b->prefill, b->size);
	memmove(b->buf, b->buf + b->prefill, b->size - b->prefill);
	b->size -= b->prefill;
	memset(im, 0, sizeof(*im));
	im->buf = b->buf;
	im->size = b->size;
}

/*
 * 2.1: the cwd or root directory of the target was deleted.  Checkpoint
 * refuses it (EOPNOTSUPP, an error record of kind CKPT_OBJ_FS).  At dd242f7
 * this refusal kfree()d an uninitialized pointer (task.c:178-181 jumped to
 * "out:", whose kfree(buf) ran before buf was set): on the debug kernel,
 * built with CONFIG_INIT_STACK_NONE, KASAN or an oops ends the test (the
 * test kernel zeroes the pointer and kfree(NULL) passes).
 */
static void wl_cwd(char cmd, struct reply *r, void *arg)
{
	if (cmd == 'I' && chdir(arg))
		wl_die("chdir");
}

static void wl_chroot(char cmd, struct reply *r, void *arg)
{
	if (cmd == 'I' && chroot(arg))
		wl_die("chroot");
}

TEST_F_TIMEOUT(rv, deleted_cwd_and_root, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *cwd = RV_DIR("cwd"), *root;
	struct img im;
	struct reply r;

	start_workload_fn(_metadata, p, wl_cwd, (void *)cwd, &r);
	ASSERT_EQ(0, rmdir(cwd));
	expect_refused(_metadata, &self->s, p, &im, EOPNOTSUPP, CKPT_OBJ_FS, "deleted");
	img_free(&im);
	kill_reap(_metadata, p);

	if (geteuid())
		SKIP(return, "a deleted root needs root for chroot()");
	root = RV_DIR("root");
	start_workload_fn(_metadata, q, wl_chroot, (void *)root, &r);
	ASSERT_EQ(0, rmdir(root));
	expect_refused(_metadata, &self->s, q, &im, EOPNOTSUPP, CKPT_OBJ_FS, "deleted");
	img_free(&im);
	kill_reap(_metadata, q);
}

/*
 * 2.2 and 2.19: the images hold zeroes in every padding and reserved field
 * (ckpt_reader.h checks them in every image the selftests take; the PAGES
 * headers are checked here again), and restart refuses an image where one
 * is not zero, with EINVAL and nothing left behind.  At dd242f7, PAGES
 * headers carried stale heap bytes (the batch was kvmalloc()ed, mm.c:441,
 * and mm.c:191-195 never set __pad) and restart read no padding or __pad
 * field (image.c:402-421, mm.c:1223): each variant below restarted.
 */
static void wl_files(char cmd, struct reply *r, void *arg)
{
	int fd, p[2];

	if (cmd != 'I')
		return;
	fd = open(arg, O_RDONLY);
	if (fd < 0 || dup2(fd, 40) != 40)
		wl_die("open");
	close(fd);
	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 41) != 41)
		wl_die("/dev/null");
	close(fd);
	if (pipe(p) || dup2(p[0], 42) != 42 || dup2(p[1], 43) != 43 ||
	    write(43, "hello-unread", 12) != 12)
		wl_die("pipe");
	close(p[0]);
	close(p[1]);
}

/* The nth record of type with len bytes at off replaced: EINVAL. */
static void bad_field(struct __test_metadata *_metadata, const struct image *im, const char *path,
		      __u32 type, int nth, size_t off, const void *val, size_t len,
		      const char *what)
{
	const struct rinfo *ri = image_rec(im, type, nth);

	ASSERT_NE(NULL, ri);
	expect_variant_error(_metadata, im, path, im->size, ri->off + off, val, len, EINVAL,
			     what);
}

TEST_F_TIMEOUT(rv, zero_padding, 300)
{
	const char *file = rs_path(&self->s, "file"), *bad = rs_path(&self->s, "bad");
	const char *good = rs_path(&self->s, "good");
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_mm *mm;
	const struct rinfo *ri;
	const char *path;
	struct image im;
	struct reply r;
	int i, npages = 0;
	__u8 comment[8 + 13], one = 1;
	__u32 u32 = 1, flag = 0x100;
	__u16 u16 = 1;
	__u64 u64 = 1;

	write_file(_metadata, file, "some bytes", 10, O_TRUNC);
	start_workload_fn(_metadata, p, wl_files, (void *)file, &r);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	/* image_load() has ckpt_reader.h check every __pad and reserved byte */
	image_load(_metadata, path, &im);
	for (i = 0; (ri = image_rec(&im, CKPT_REC_PAGES, i)); i++, npages++)
		EXPECT_EQ(0, ((const struct ckpt_rec_pages *)image_at(&im, ri))->__pad);
	EXPECT_LT(0, npages);
	expect_restart_ok(_metadata, &self->s, path);

	bad_field(_metadata, &im, bad, CKPT_REC_HEADER, 0, offsetof(struct ckpt_rec_header, __pad),
		  &u16, sizeof(u16), "HEADER __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_PAGES, 0, offsetof(struct ckpt_rec_pages, __pad),
		  &u32, sizeof(u32), "PAGES __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_TREE, 0,
		  offsetof(struct ckpt_rec_tree, tasks[0].flags), &flag, sizeof(flag),
		  "TREE entry reserved flag bit");
	bad_field(_metadata, &im, bad, CKPT_REC_FILES, 0,
		  offsetof(struct ckpt_rec_files, fds[0].__pad), &u32, sizeof(u32),
		  "FILES entry __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_FILES, 0, offsetof(struct ckpt_rec_files, __pad),
		  &u32, sizeof(u32), "FILES __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_VMA, 0, offsetof(struct ckpt_rec_vma, obj_ref),
		  &u32, sizeof(u32), "VMA obj_ref naming no file contents");
	bad_field(_metadata, &im, bad, CKPT_REC_CREDS, 0, offsetof(struct ckpt_rec_creds, __pad),
		  &u32, sizeof(u32), "CREDS __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_X86_XSTATE, 0,
		  offsetof(struct ckpt_rec_x86_xstate, __pad), &u32, sizeof(u32),
		  "X86_XSTATE __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_SIGNAL, 0, offsetof(struct ckpt_rec_signal, __pad),
		  &u32, sizeof(u32), "SIGNAL __pad");
	bad_field(_metadata, &im, bad, CKPT_REC_PIPE, 0, offsetof(struct ckpt_rec_pipe, __pad),
		  &u32, sizeof(u32), "PIPE __pad");
	ri = image_rec(&im, CKPT_REC_MM, 0);
	ASSERT_NE(NULL, ri);
	mm = image_at(&im, ri);
	ASSERT_GT(CKPT_AUXV_WORDS, mm->nr_auxv);
	bad_field(_metadata, &im, bad, CKPT_REC_MM, 0,
		  offsetof(struct ckpt_rec_mm, auxv) + mm->nr_auxv * sizeof(__u64), &u64,
		  sizeof(u64), "MM auxv word after nr_auxv");

	/* the padding after a record: one read whole, one read in pieces */
	ri = image_rec(&im, CKPT_REC_FS, 0);
	ASSERT_NE(NULL, ri);
	ASSERT_NE(0, ri->len % CKPT_ALIGN);
	bad_field(_metadata, &im, bad, CKPT_REC_FS, 0, ri->len, &one, 1, "FS record padding");
	ri = image_rec(&im, CKPT_REC_PIPE, 0);
	ASSERT_NE(NULL, ri);
	ASSERT_NE(0, ri->len % CKPT_ALIGN);
	bad_field(_metadata, &im, bad, CKPT_REC_PIPE, 0, ri->len, &one, 1, "PIPE record padding");

	/* an optional record the kernel skips: fine, unless its padding is not zero */
	memset(comment, 0, sizeof(comment));
	((struct ckpt_hdr *)comment)->type = CKPT_REC_COMMENT;
	memcpy(comment + 8, "a comment...", 13);
	image_splice(_metadata, &im, good, image_rec(&im, CKPT_REC_TREE, 0), true, comment,
		     sizeof(comment));
	expect_restart_ok(_metadata, &self->s, good);
	image_free(&im);
	image_load(_metadata, good, &im);
	ri = image_rec(&im, CKPT_REC_COMMENT, 0);
	ASSERT_NE(NULL, ri);
	ASSERT_EQ(sizeof(comment), ri->len);
	expect_variant_error(_metadata, &im, bad, im.size, ri->off + ri->len, &one, 1, EINVAL,
			     "COMMENT record padding");
	image_free(&im);
}

/*
 * 2.3: /proc/PID/exe of a restored process names what restart was told,
 * but an unprivileged caller may not make it a set-user-ID program
 * (prctl(PR_SET_MM_MAP) needs CAP_CHECKPOINT_RESTORE for that): its
 * restart succeeds with no exe; root's shows the program.  At dd242f7
 * mm.c:554-566 set the exe to any file the caller could execute, so
 * nobody's restored process named /usr/bin/su.
 */
static const char *find_setuid_program(void)
{
	static const char * const progs[] = {
		"/usr/bin/su", "/bin/su", "/usr/bin/passwd", "/usr/bin/newgrp",
		"/usr/bin/chsh", "/usr/bin/mount",
	};
	struct statvfs sv;
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		if (stat(progs[i], &st) || !S_ISREG(st.st_mode) || !(st.st_mode & S_ISUID) ||
		    st.st_uid || !(st.st_mode & 0001))
			continue;
		if (statvfs(progs[i], &sv) || (sv.f_flag & ST_NOSUID))
			continue;
		return progs[i];
	}
	return NULL;
}

static bool exe_link(pid_t pid, char *buf, size_t len, int *err)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	errno = 0;
	n = readlink(path, buf, len - 1);
	*err = n < 0 ? errno : 0;
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

/* nobody restarts the image at fd; the restored process's exe link */
static void nobody_exe(struct __test_metadata *_metadata, struct rs_state *s, int fd,
		       bool *has_exe, char *exe, size_t len)
{
	int ctl[2], rep[2], res[2], done[2], err;
	struct rproc *q = &s->p[1];
	struct helper_result hr;
	struct reply r;

	lseek(fd, 0, SEEK_SET);
	ASSERT_EQ(0, pipe2(ctl, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	s->helper = start_unpriv_restart(_metadata, fd, ctl[0], rep[1], res[1], done[0]);
	close(ctl[0]);
	close(rep[1]);
	close(res[1]);
	close(done[0]);
	q->cfd = ctl[1];
	q->rfd = rep[0];
	ASSERT_EQ(0, read_full(res[0], &hr, sizeof(hr), CKPT_WAIT_MS));
	close(res[0]);
	ASSERT_LT(0, hr.ret) {
		TH_LOG("nobody could not restart its own image: %s", strerror(hr.err));
	}
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(hr.ret, r.v[0]);
	*has_exe = exe_link(hr.ret, exe, len, &err);
	if (!*has_exe)
		TH_LOG("readlink(/proc/%ld/exe): %s", hr.ret, strerror(err));
	ASSERT_EQ(1, write(done[1], "x", 1));
	close(done[1]);
	finish_helper(_metadata, s);
	rproc_close(q);
}

TEST_F_TIMEOUT(rv, exe_not_setuid_unprivileged, 120)
{
	const char *prog = find_setuid_program(), *path, *forged = rs_path(&self->s, "forged");
	const char *exe = rs_path(&self->s, "exe");
	struct rproc *p = &self->s.p[0], *q = &self->s.p[2];
	unsigned char rec[sizeof(struct ckpt_rec_mm) + PATH_MAX];
	char link[PATH_MAX];
	const struct rinfo *ri;
	struct image im;
	struct reply r;
	bool has_exe;
	size_t len;
	int fd, err;

	if (geteuid())
		SKIP(return, "needs root to prepare an image of nobody");
	if (!prog)
		SKIP(return, "no set-user-ID root program on a suid mount");
	TH_LOG("set-user-ID program: %s", prog);
	copy_self(_metadata, exe);
	fork_workload(_metadata, p, NULL, NULL, &r, exe, RS_NOBODY);
	if (!strcmp(r.s, "exec failed")) {
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
		SKIP(return, "cannot exec from /tmp as nobody: %s", strerror(r.v[0]));
	}
	ASSERT_EQ(RS_NOBODY, r.v[0]);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);

	/* as saved, nobody's restored process names its program */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	nobody_exe(_metadata, &self->s, fd, &has_exe, link, sizeof(link));
	close(fd);
	ASSERT_TRUE(has_exe);
	EXPECT_STREQ(exe, link);

	/* the image edited so that the MM record names the set-user-ID program */
	image_load(_metadata, path, &im);
	ri = image_rec(&im, CKPT_REC_MM, 0);
	ASSERT_NE(NULL, ri);
	len = rec_with_str(rec, image_at(&im, ri), sizeof(struct ckpt_rec_mm),
			   offsetof(struct ckpt_rec_mm, exe_len), prog);
	image_splice(_metadata, &im, forged, ri, false, rec, len);
	image_free(&im);
	fd = open(forged, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	nobody_exe(_metadata, &self->s, fd, &has_exe, link, sizeof(link));
	EXPECT_FALSE(has_exe) {
		TH_LOG("nobody's restored process has /proc/PID/exe %s", link);
	}
	close(fd);

	/* root may: the exe is that program */
	restart_file(_metadata, forged, 0, q);
	ASSERT_TRUE(exe_link(q->pid, link, sizeof(link), &err));
	EXPECT_STREQ(prog, link);
	ASSERT_EQ(0, ask(q, 'P', &r));
	kill_reap(_metadata, q);
}

/*
 * 2.4: a text relocation (a page of a private PROT_EXEC file mapping made
 * writable, written and made r-x again) is restored by filling the mapping
 * while it is writable and not executable, then mprotect()ing it to r-x,
 * with mprotect()'s checks: a caller under PR_SET_MDWE cannot restart it
 * (EACCES, nothing left), another can, with the bytes in place and the
 * mapping r-x.  The same image without the write restarts under MDWE.  At
 * dd242f7 mm.c:780-792 installed the pages straight into the r-x mapping,
 * so the caller under MDWE restarted it.
 */
#define TEXT_PAGES	2
#define TEXT_OFF	100
#define TEXT_MARK	"relocated text"

static void wl_text(char cmd, struct reply *r, void *arg)
{
	static unsigned char *m;
	size_t ps = getpagesize();
	int fd;

	if (cmd == 'I') {
		fd = open(arg, O_RDONLY);
		m = mmap(NULL, TEXT_PAGES * ps, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
		if (fd < 0 || m == MAP_FAILED)
			wl_die("map text");
		close(fd);
		r->v[0] = (uintptr_t)m;
	} else if (cmd == 'W') {
		r->v[0] = mprotect(m, ps, PROT_READ | PROT_WRITE);
		memcpy(m + TEXT_OFF, TEXT_MARK, sizeof(TEXT_MARK));
		r->v[1] = mprotect(m, ps, PROT_READ | PROT_EXEC);
	}
}

static int prep_mdwe(void *arg)
{
	return prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) ? errno : 0;
}

/* The permissions of the mapping at addr in /proc/PID/maps ("r-xp"). */
static bool maps_perms(pid_t pid, __u64 addr, char perms[5])
{
	unsigned long long start, end;
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%llx-%llx %4s", &start, &end, perms) == 3 &&
			start <= addr && addr < end;
	fclose(f);
	return found;
}

TEST_F_TIMEOUT(rv, text_relocation_wx, 180)
{
	const char *file = rs_path(&self->s, "text");
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	size_t i, ps = getpagesize(), len = TEXT_PAGES * ps;
	const char *before, *after;
	unsigned char *text, *got;
	const struct ckpt_rec_pages *pg;
	const struct ckpt_rec_vma *v = NULL;
	struct caller_result cr;
	const struct rinfo *ri;
	char perms[5], mem[64];
	struct image im;
	struct reply r;
	bool found = false;
	int fd;
	__u64 addr;

	text = malloc(len);
	got = malloc(len);
	ASSERT_TRUE(text && got);
	for (i = 0; i < len; i++)
		text[i] = 0x90 + i % 7;
	write_file(_metadata, file, text, len, O_TRUNC);
	start_workload_fn(_metadata, p, wl_text, (void *)file, &r);
	addr = r.v[0];
	before = take_image_file(_metadata, &self->s, p->pid);
	ASSERT_EQ(0, ask(p, 'W', &r));
	ASSERT_EQ(0, r.v[0]);
	ASSERT_EQ(0, r.v[1]);
	after = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);

	/* the image has pages for an r-x private file mapping */
	image_load(_metadata, after, &im);
	for (i = 0; (ri = image_rec(&im, CKPT_REC_VMA, i)); i++) {
		v = image_at(&im, ri);
		if (v->start <= addr && addr < v->end)
			break;
	}
	ASSERT_NE(NULL, ri);
	EXPECT_EQ(CKPT_VMA_FILE, v->type);
	EXPECT_EQ(CKPT_PROT_READ | CKPT_PROT_EXEC, v->prot);
	for (i = 0; (ri = image_rec(&im, CKPT_REC_PAGES, i)); i++) {
		pg = image_at(&im, ri);
		found |= pg->addrs[0] == addr;
	}
	EXPECT_TRUE(found) {
		TH_LOG("no PAGES record for the relocated page");
	}
	image_free(&im);

	/* under MDWE: the image without the write restarts, the other not */
	fd = open(before, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	restart_by(_metadata, fd, prep_mdwe, NULL, &cr);
	close(fd);
	if (cr.prep_err)
		SKIP(return, "PR_SET_MDWE: %s", strerror(cr.prep_err));
	EXPECT_LT(0, cr.ret) {
		TH_LOG("restart under MDWE of the image without the write: %s",
		       strerror(cr.err));
	}
	fd = open(after, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	restart_by(_metadata, fd, prep_mdwe, NULL, &cr);
	close(fd);
	EXPECT_EQ(-1, cr.ret);
	EXPECT_EQ(EACCES, cr.err) {
		TH_LOG("restart under MDWE of relocated text: %s", strerror(cr.err));
	}
	EXPECT_EQ(0, cr.left) {
		TH_LOG("the failed restart left a task (1) or a SIGCHLD (2): %d", cr.left);
	}

	/* a caller without MDWE: the written bytes are there, the mapping r-x */
	restart_file(_metadata, after, 0, q);
	snprintf(mem, sizeof(mem), "/proc/%d/mem", q->pid);
	fd = open(mem, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)len, pread(fd, got, len, addr));
	close(fd);
	memcpy(text + TEXT_OFF, TEXT_MARK, sizeof(TEXT_MARK));
	i = first_diff(text, got, len);
	EXPECT_EQ(len, i) {
		TH_LOG("the mapping differs at offset %zu", i);
	}
	ASSERT_TRUE(maps_perms(q->pid, addr, perms));
	EXPECT_STREQ("r-xp", perms);
	ASSERT_TRUE(maps_perms(q->pid, addr + ps, perms));
	EXPECT_STREQ("r-xp", perms);
	ASSERT_EQ(0, ask(q, 'P', &r));
	kill_reap(_metadata, q);
	free(text);
	free(got);
}

/*
 * 2.5: a target held by a checkpoint that blocks (on a pipe nobody reads)
 * still dies of SIGKILL: its parent reaps it within seconds while the
 * checkpoint is blocked, and the checkpoint then fails with ESRCH and an
 * error record.  At dd242f7 the park slept in TASK_IDLE (sys.c:50-57):
 * SIGKILL did nothing until the checkpoint ended.
 */
TEST_F_TIMEOUT(rv, killable_park, 120)
{
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_error *e;
	struct bg_ckpt b;
	struct reply r;
	struct img im;
	int status;

	start_workload_fn(_metadata, p, wl_mem, (void *)RV_WORKLOAD_MIB, &r);
	bg_ckpt_start(_metadata, &b, p->pid);
	ASSERT_TRUE(bg_ckpt_blocked(&b, CKPT_WAIT_MS)) {
		TH_LOG("checkpoint did not block on its full pipe");
	}
	/* parked: TASK_KILLABLE shows as D */
	EXPECT_TRUE(wait_state(p->pid, 'D', CKPT_WAIT_MS)) {
		TH_LOG("the held target is in state %c", proc_state(p->pid));
	}
	ASSERT_EQ(0, kill(p->pid, SIGKILL));
	status = reap_within(p->pid, 5000);
	EXPECT_NE(-1, status) {
		TH_LOG("SIGKILL did not end the held target within 5 s");
	}
	if (status != -1) {
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		p->pid = 0;
	}
	EXPECT_FALSE(bg_done(&b)) {
		TH_LOG("checkpoint returned before its pipe was drained");
	}
	bg_ckpt_finish(_metadata, &b, &im);
	EXPECT_EQ(-1, b.ret);
	EXPECT_EQ(ESRCH, b.err) {
		TH_LOG("checkpoint of a killed target: %s", strerror(b.err));
	}
	ASSERT_EQ(NULL, img_check(&im, false));
	e = (const void *)img_last(&im);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	TH_LOG("error record: error %u pid %u kind %u: %s", e->error, e->pid, e->kind,
	       err_msg(e));
	EXPECT_EQ(ESRCH, e->error);
	EXPECT_EQ(b.pid, e->pid);
	EXPECT_TRUE(e->kind == CKPT_OBJ_TASK || e->kind == CKPT_OBJ_SIGNAL);
	EXPECT_TRUE(strstr(err_msg(e), "kill") || strstr(err_msg(e), "exit"));
	img_free(&im);
	rproc_close(p);
}

/*
 * 2.5, later: the target is killed once its section is under way (while
 * the checkpoint is blocked writing its own pending signals, 8 MiB of
 * them, past a 4 MiB pipe).  It is dead and reaped when the checkpoint
 * goes on: its registers, on its kernel stack, are gone with it and must
 * not be read (KASAN: use-after-free in ckpt_fill_regs()); the checkpoint
 * fails with ESRCH instead, and the image has no registers for it.  The
 * code that made the park killable (8888f94) still read them.
 */
#define LATE_SIGNALS	65536

static void wl_own_signals(char cmd, struct reply *r, void *arg)
{
	struct rlimit lim = { LATE_SIGNALS + 100, LATE_SIGNALS + 100 };
	siginfo_t si = { .si_signo = SIGRTMIN, .si_code = SI_QUEUE };
	sigset_t set;
	int i;

	if (cmd != 'I')
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (setrlimit(RLIMIT_SIGPENDING, &lim) || sigprocmask(SIG_BLOCK, &set, NULL))
		wl_die("setrlimit");
	si.si_pid = getpid();
	/* to the thread itself: its own queue, saved after the TASK record */
	for (i = 0; i < LATE_SIGNALS; i++)
		if (syscall(SYS_rt_tgsigqueueinfo, getpid(), syscall(SYS_gettid), SIGRTMIN, &si))
			wl_die("rt_tgsigqueueinfo");
}

TEST_F_TIMEOUT(rv, killed_after_its_signals, 180)
{
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_sigpending *sp;
	struct bg_ckpt b;
	struct reply r;
	struct img im;
	int i, status;

	if (geteuid())
		SKIP(return, "needs root for a 4 MiB pipe and 65536 queued signals");
	start_workload_fn(_metadata, p, wl_own_signals, NULL, &r);
	bg_ckpt_start_in(_metadata, &b, p->pid, 4 * MIB, 0);
	ASSERT_TRUE(bg_ckpt_blocked_at(&b, 3 * MIB, CKPT_WAIT_MS));
	ASSERT_TRUE(wait_state(p->pid, 'D', CKPT_WAIT_MS));
	ASSERT_EQ(0, kill(p->pid, SIGKILL));
	status = reap_within(p->pid, 5000);
	ASSERT_NE(-1, status);
	p->pid = 0;
	/* let it finish dying: its last switch frees its stack */
	sleep_ms(200);
	bg_ckpt_finish(_metadata, &b, &im);
	EXPECT_EQ(-1, b.ret);
	EXPECT_EQ(ESRCH, b.err);
	expect_error_record(_metadata, &im, b.pid, ESRCH, CKPT_OBJ_TASK, "killed");
	/* it was killed after its pending signals were saved... */
	for (i = 0; (sp = img_find(&im, CKPT_REC_SIGPENDING, i)); i++)
		if (!sp->shared)
			break;
	ASSERT_NE(NULL, sp);
	EXPECT_EQ(LATE_SIGNALS, sp->nr_info);
	/* ...and its registers were not read after */
	EXPECT_EQ(0, img_count(&im, CKPT_REC_X86_REGS)) {
		TH_LOG("the registers of a dead task are in the image");
	}
	img_free(&im);
	rproc_close(p);
}

/*
 * 2.6: a stopped target is held by its stop; if it runs meanwhile (SIGCONT
 * and SIGSTOP again while the checkpoint is blocked), the checkpoint fails
 * with EAGAIN and an error record, and the target goes on afterwards.  At
 * dd242f7 only task_is_stopped() was checked at the end (sys.c:192): a task
 * stopped again passed, with an image torn between two stops.  So that the
 * target cannot reach its park between the two signals, the test sends
 * them from its CPU with SCHED_FIFO (as root).
 */
static bool pin_to_cpu0(pid_t pid)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	return !sched_setaffinity(pid, sizeof(one), &one);
}

TEST_F_TIMEOUT(rv, stopped_target_continued, 120)
{
	struct sched_param fifo = { .sched_priority = 10 }, other = { 0 };
	struct rproc *p = &self->s.p[0];
	cpu_set_t all;
	struct bg_ckpt b;
	struct reply r;
	struct img im;
	bool rt;
	int status;

	start_workload_fn(_metadata, p, wl_mem, (void *)RV_WORKLOAD_MIB, &r);
	ASSERT_EQ(0, kill(p->pid, SIGSTOP));
	ASSERT_EQ(p->pid, waitpid(p->pid, &status, WUNTRACED));
	bg_ckpt_start(_metadata, &b, p->pid);
	ASSERT_TRUE(bg_ckpt_blocked(&b, CKPT_WAIT_MS));
	EXPECT_EQ('T', proc_state(p->pid));

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	rt = pin_to_cpu0(p->pid) && pin_to_cpu0(0) &&
	     !sched_setscheduler(0, SCHED_FIFO, &fifo);
	if (!rt)
		TH_LOG("no SCHED_FIFO on one CPU: the target may park between the signals");
	ASSERT_EQ(0, kill(p->pid, SIGCONT));
	ASSERT_EQ(0, kill(p->pid, SIGSTOP));
	sched_setscheduler(0, SCHED_OTHER, &other);
	sched_setaffinity(0, sizeof(all), &all);
	EXPECT_TRUE(wait_state(p->pid, 'T', CKPT_WAIT_MS));

	bg_ckpt_finish(_metadata, &b, &im);
	EXPECT_EQ(-1, b.ret);
	EXPECT_EQ(EAGAIN, b.err) {
		TH_LOG("checkpoint of a target that ran meanwhile: %s", strerror(b.err));
	}
	expect_error_record(_metadata, &im, p->pid, EAGAIN, CKPT_OBJ_TASK, "continued");
	img_free(&im);

	/* it goes on */
	ASSERT_EQ(0, kill(p->pid, SIGCONT));
	ASSERT_EQ(0, ask(p, 'P', &r));
	EXPECT_EQ(p->pid, r.v[0]);
	kill_reap(_metadata, p);
}

/*
 * 2.7: a checkpoint of a stopped target leaves nothing with it: thousands
 * of refused checkpoints (a socket) of stopped targets cost no slab, and
 * the targets go on when continued.  At dd242f7 each left its ~128-byte
 * struct ckpt_stop queued as task_work until SIGCONT (sys.c:141-151).
 */
#define LEAK_TARGETS	16
#define LEAK_CALLS	250	/* per target */

static void wl_socket(char cmd, struct reply *r, void *arg)
{
	int s;

	if (cmd != 'I')
		return;
	/* a kind of socket that is still refused (unix ones are saved) */
	s = socket(AF_NETLINK, SOCK_RAW, 0);
	if (s < 0 || dup2(s, 42) != 42)
		wl_die("socket");
	close(s);
}

struct leak_job {
	pthread_t thread;
	pid_t pid;
	int calls;
	int refused;
};

static void *leak_fn(void *arg)
{
	struct leak_job *j = arg;
	int i, fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	for (i = 0; i < j->calls; i++) {
		errno = 0;
		if (sys_checkpoint(j->pid, fd, 0) == -1 && errno == EOPNOTSUPP)
			j->refused++;
	}
	close(fd);
	return NULL;
}

static long meminfo_kib(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ':')
			v = atol(line + n + 1);
	fclose(f);
	return v;
}

/*
 * KASAN keeps freed objects in a quarantine, counted in the slab: the
 * kernel has its report function.
 */
static bool kernel_has_kasan(void)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " kasan_report\n");
	fclose(f);
	return found;
}

static int run_leak_jobs(struct rproc *p, int calls)
{
	struct leak_job j[LEAK_TARGETS];
	int i, refused = 0;

	for (i = 0; i < LEAK_TARGETS; i++) {
		j[i] = (struct leak_job){ .pid = p[i].pid, .calls = calls };
		if (pthread_create(&j[i].thread, NULL, leak_fn, &j[i]))
			return -1;
	}
	for (i = 0; i < LEAK_TARGETS; i++) {
		pthread_join(j[i].thread, NULL);
		refused += j[i].refused;
	}
	return refused;
}

TEST_F_TIMEOUT(rv, stopped_target_no_leftovers, 300)
{
	struct rproc p[LEAK_TARGETS];
	long before, after;
	struct reply r;
	int i, status;

	if (kernel_has_kasan())
		SKIP(return, "KASAN's quarantine counts freed objects in the slab");
	for (i = 0; i < LEAK_TARGETS; i++) {
		start_workload_fn(_metadata, &p[i], wl_socket, NULL, &r);
		ASSERT_EQ(0, kill(p[i].pid, SIGSTOP));
		ASSERT_EQ(p[i].pid, waitpid(p[i].pid, &status, WUNTRACED));
	}
	/* warm the caches up, then count */
	ASSERT_EQ(LEAK_TARGETS * 10, run_leak_jobs(p, 10));
	sleep_ms(500);
	before = meminfo_kib("SUnreclaim");
	ASSERT_EQ(LEAK_TARGETS * LEAK_CALLS, run_leak_jobs(p, LEAK_CALLS));
	sleep_ms(500);
	after = meminfo_kib("SUnreclaim");
	TH_LOG("%d refused checkpoints of stopped targets: SUnreclaim %ld -> %ld kB",
	       LEAK_TARGETS * LEAK_CALLS, before, after);
	/* 4000 leaked 128-byte works would be 500 kB */
	EXPECT_GT(before + 160, after);
	for (i = 0; i < LEAK_TARGETS; i++) {
		EXPECT_EQ('T', proc_state(p[i].pid));
		ASSERT_EQ(0, kill(p[i].pid, SIGCONT));
		ASSERT_EQ(0, ask(&p[i], 'P', &r));
		EXPECT_EQ(p[i].pid, r.v[0]);
		kill_reap(_metadata, &p[i]);
	}
}

/*
 * 2.8: restart looks a path up and checks the type (and device) of what
 * it found before it opens anything, so that an image can make it open no
 * FIFO or device it did not name as one.  A FIFO with a writer blocked in
 * open(): an image whose regular file, or whose own FIFO, is now that
 * path is refused and the writer stays blocked (the FIFO was not opened
 * for reading).  A device: inotify sees no open.  At dd242f7
 * files.c:583-592 called filp_open() first, which let the writer go and
 * showed an IN_OPEN of the device; and 8888f94 still opened the FIFO of
 * a FIFO record before it checked that nobody else used it.
 */
struct writer {
	pid_t pid;
	int rfd;	/* it writes a byte here once its open() returns */
};

static void start_fifo_writer(struct __test_metadata *_metadata, struct writer *w,
			      const char *fifo)
{
	int p[2];

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	w->pid = fork();
	ASSERT_LE(0, w->pid);
	if (w->pid == 0) {
		int fd = open(fifo, O_WRONLY);

		if (write(p[1], fd >= 0 ? "o" : "e", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	w->rfd = p[0];
	ASSERT_TRUE(wait_state(w->pid, 'S', CKPT_WAIT_MS));
}

/* its open() has not returned (it waits for a reader) */
static bool writer_blocked(struct writer *w, int ms)
{
	struct pollfd pfd = { .fd = w->rfd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 0 && proc_state(w->pid) == 'S';
}

static int inotify_opens(int in)
{
	__u64 buf[512];
	const struct inotify_event *ev;
	int n = 0;
	ssize_t len, off;

	while ((len = read(in, buf, sizeof(buf))) > 0)
		for (off = 0; off < len; off += sizeof(*ev) + ev->len) {
			ev = (const void *)((char *)buf + off);
			n += !!(ev->mask & IN_OPEN);
		}
	return n;
}

static void wl_fifo(char cmd, struct reply *r, void *arg)
{
	int rd, wr;

	if (cmd != 'I')
		return;
	rd = open(arg, O_RDONLY | O_NONBLOCK);
	wr = open(arg, O_WRONLY);
	if (rd < 0 || wr < 0 || dup2(rd, 44) != 44 || dup2(wr, 45) != 45 ||
	    write(45, "fifo", 4) != 4)
		wl_die("fifo");
	close(rd);
	close(wr);
}

/* a copy of the FILE record of fd with another path (and rdev, unless ~0) */
static void forge_file(struct __test_metadata *_metadata, const struct image *im,
		       const char *path, int fd, const char *fpath, __u32 rdev)
{
	unsigned char rec[sizeof(struct ckpt_rec_file) + PATH_MAX];
	const struct rinfo *ri = image_fd_file(im, fd);
	size_t len;

	ASSERT_NE(NULL, ri);
	len = rec_with_str(rec, image_at(im, ri), sizeof(struct ckpt_rec_file),
			   offsetof(struct ckpt_rec_file, path_len), fpath);
	if (rdev != ~0U)
		((struct ckpt_rec_file *)rec)->rdev = rdev;
	image_splice(_metadata, im, path, ri, false, rec, len);
}

TEST_F_TIMEOUT(rv, type_checked_before_open, 240)
{
	const char *tmpf = rs_path(&self->s, "file"), *fifo = rs_path(&self->s, "fifo");
	const char *own = rs_path(&self->s, "own-fifo"), *bad = rs_path(&self->s, "bad");
	unsigned char rec[sizeof(struct ckpt_rec_filedata) + PATH_MAX];
	struct rproc *p = &self->s.p[0];
	const struct rinfo *ri;
	const char *path, *fpath, *dpath;
	struct image im, fim, dim;
	char file[PATH_MAX];
	struct writer w;
	struct reply r;
	ssize_t n;
	int in, fd;

	/*
	 * A file restart reopens by its path: not on tmpfs, whose files the
	 * image carries (FILEDATA, below), but this program, on the host root.
	 */
	n = readlink("/proc/self/exe", file, sizeof(file) - 1);
	ASSERT_LT(0, n);
	file[n] = 0;
	write_file(_metadata, tmpf, "some bytes", 10, O_TRUNC);
	ASSERT_EQ(0, mkfifo(fifo, 0666));
	ASSERT_EQ(0, mkfifo(own, 0666));
	start_workload_fn(_metadata, p, wl_files, (void *)file, &r);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	start_workload_fn(_metadata, p, wl_files, (void *)tmpf, &r);
	dpath = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	image_load(_metadata, dpath, &dim);
	start_workload_fn(_metadata, p, wl_fifo, (void *)own, &r);
	fpath = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	image_load(_metadata, path, &im);
	image_load(_metadata, fpath, &fim);
	block_sigchld();

	/* a file restart reopens shows as an IN_OPEN (none below: no open) */
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, in);
	ASSERT_LE(0, inotify_add_watch(in, file, IN_OPEN));
	expect_restart_ok(_metadata, &self->s, path);
	EXPECT_LE(1, inotify_opens(in)) {
		TH_LOG("restart reopened a file, and inotify did not see it");
	}
	close(in);
	expect_restart_ok(_metadata, &self->s, fpath);

	/* a writer waits for a reader of the FIFO */
	start_fifo_writer(_metadata, &w, fifo);
	ASSERT_TRUE(writer_blocked(&w, 200));

	/* the regular file is now the FIFO: ESTALE, not opened */
	forge_file(_metadata, &im, bad, 40, fifo, ~0U);
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, ESTALE, "regular file now a FIFO");
	close(fd);
	EXPECT_TRUE(writer_blocked(&w, 500)) {
		TH_LOG("restart opened the FIFO: its writer's open() returned");
	}

	/* a carried file (tmpfs) whose path is now the FIFO: EEXIST, not opened */
	ri = image_rec(&dim, CKPT_REC_FILEDATA, 0);
	ASSERT_NE(NULL, ri);
	image_splice(_metadata, &dim, bad, ri, false, rec,
		     rec_with_str(rec, image_at(&dim, ri), sizeof(struct ckpt_rec_filedata),
				  offsetof(struct ckpt_rec_filedata, path_len), fifo));
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, EEXIST, "a carried file's path, now a FIFO");
	close(fd);
	EXPECT_TRUE(writer_blocked(&w, 500)) {
		TH_LOG("restart opened the FIFO for a carried file");
	}
	image_free(&dim);

	/* the image's own FIFO is now that FIFO: refused, not opened */
	ri = image_fd_file(&fim, 44);
	ASSERT_NE(NULL, ri);
	ASSERT_EQ(CKPT_FILE_FIFO, ((const struct ckpt_rec_file *)image_at(&fim, ri))->type);
	forge_file(_metadata, &fim, bad, 44, fifo, ~0U);
	image_free(&fim);
	image_load(_metadata, bad, &fim);
	forge_file(_metadata, &fim, bad, 45, fifo, ~0U);
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, EBUSY, "the image's FIFO is another's");
	close(fd);
	EXPECT_TRUE(writer_blocked(&w, 500)) {
		TH_LOG("restart opened a FIFO in use: its writer's open() returned");
	}
	kill(w.pid, SIGKILL);
	waitpid(w.pid, NULL, 0);
	close(w.rfd);
	block_sigchld();

	/* devices: /dev/full is not opened */
	in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	ASSERT_LE(0, in);
	ASSERT_LE(0, inotify_add_watch(in, "/dev/full", IN_OPEN));
	forge_file(_metadata, &im, bad, 40, "/dev/full", ~0U);
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, ESTALE, "regular file now /dev/full");
	close(fd);
	/* /dev/null's record (1:3) at the path of /dev/full (1:7) */
	forge_file(_metadata, &im, bad, 41, "/dev/full", ~0U);
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, ESTALE, "/dev/null's record, /dev/full");
	close(fd);
	/* a device restart does not reopen: refused before any lookup */
	forge_file(_metadata, &im, bad, 41, "/dev/full", 1 << 20 | 7);
	fd = open(bad, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, EINVAL, "character device 1:7");
	close(fd);
	EXPECT_EQ(0, inotify_opens(in)) {
		TH_LOG("restart opened /dev/full");
	}
	close(in);
	image_free(&im);
	image_free(&fim);
}

/*
 * 2.9: a process that chroot()ed (after it started, so that its libraries
 * stay mapped by their outside paths) into a directory, with a file open
 * and its cwd there, comes back with the same file, root and cwd.  Every
 * path of the image is the caller's view and is looked up in the caller's
 * root.  At dd242f7 the root was set first and the later paths were
 * looked up inside it (task.c:711-731 before files.c:583): ENOENT.
 */
static void wl_jail(char cmd, struct reply *r, void *arg)
{
	int fd;

	if (cmd == 'I') {
		if (chroot(arg) || chdir("/sub"))
			wl_die("chroot");
		fd = open("/f", O_RDONLY);
		if (fd < 0 || dup2(fd, 40) != 40)
			wl_die("open in the jail");
		close(fd);
	} else if (cmd == 'R') {
		r->v[0] = pread(40, r->s, sizeof(r->s) - 1, 0);
		r->v[1] = access("/sub/here", F_OK);
		r->v[2] = access("here", F_OK);
	}
}

static bool proc_link(pid_t pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return false;
	buf[n] = 0;
	return true;
}

TEST_F_TIMEOUT(rv, chroot_paths, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	char sub[128], f[128], here[160], link[PATH_MAX], fdpath[64];
	struct stat want, got;
	const char *jail;
	struct reply r;

	if (geteuid())
		SKIP(return, "chroot() needs root");
	jail = RV_DIR("jail");
	snprintf(sub, sizeof(sub), "%.100s/sub", jail);
	snprintf(f, sizeof(f), "%.100s/f", jail);
	snprintf(here, sizeof(here), "%.120s/here", sub);
	ASSERT_EQ(0, mkdir(sub, 0755));
	write_file(_metadata, f, "inside the jail", 15, O_TRUNC);
	write_file(_metadata, here, "", 0, O_TRUNC);
	ASSERT_EQ(0, stat(f, &want));

	start_workload_fn(_metadata, p, wl_jail, (void *)jail, &r);
	cycle(_metadata, &self->s, p, q);

	snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/40", q->pid);
	ASSERT_EQ(0, stat(fdpath, &got));
	EXPECT_EQ(want.st_dev, got.st_dev);
	EXPECT_EQ(want.st_ino, got.st_ino);
	ASSERT_TRUE(proc_link(q->pid, "root", link, sizeof(link)));
	EXPECT_STREQ(jail, link);
	ASSERT_TRUE(proc_link(q->pid, "cwd", link, sizeof(link)));
	EXPECT_STREQ(sub, link);
	ASSERT_EQ(0, ask(q, 'R', &r));
	EXPECT_EQ(15, r.v[0]);
	EXPECT_STREQ("inside the jail", r.s);
	EXPECT_EQ(0, r.v[1]);
	EXPECT_EQ(0, r.v[2]);
	kill_reap(_metadata, q);
	unlink(here);
	unlink(f);
	rmdir(sub);
}

/*
 * 2.10 (a): a SIGSTOP that arrives while the target is parked is saved as
 * the stop it would have become (CKPT_SIGNAL_STOPPED), never as a pending
 * SIGSTOP; the image restarts, stopped.  At dd242f7 the SIGSTOP was saved
 * in SIGPENDING (task.c:258-306) and restart refused it with EINVAL
 * (task.c:943).
 */
TEST_F_TIMEOUT(rv, sigstop_while_held, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	const char *path = rs_path(&self->s, "img");
	const struct ckpt_rec_sigpending *sp;
	const struct ckpt_rec_signal *sg;
	struct bg_ckpt b;
	struct reply r;
	struct img im;
	int i, status;

	start_workload_fn(_metadata, p, wl_mem, (void *)RV_WORKLOAD_MIB, &r);
	bg_ckpt_start(_metadata, &b, p->pid);
	ASSERT_TRUE(bg_ckpt_blocked(&b, CKPT_WAIT_MS));
	ASSERT_EQ(0, kill(p->pid, SIGSTOP));
	bg_ckpt_finish(_metadata, &b, &im);
	ASSERT_LT(0, b.ret) {
		TH_LOG("checkpoint: %s", strerror(b.err));
	}
	ASSERT_EQ(NULL, img_check(&im, true));
	sg = img_find(&im, CKPT_REC_SIGNAL, 0);
	ASSERT_NE(NULL, sg);
	EXPECT_TRUE(sg->flags & CKPT_SIGNAL_STOPPED);
	for (i = 0; (sp = img_find(&im, CKPT_REC_SIGPENDING, i)); i++)
		EXPECT_EQ(0, sp->signal & SIGBIT(SIGSTOP));
	/* the target stops once it is let go */
	ASSERT_EQ(p->pid, waitpid(p->pid, &status, WUNTRACED));
	EXPECT_TRUE(WIFSTOPPED(status));
	kill_reap(_metadata, p);

	write_file(_metadata, path, im.buf, im.size, O_CREAT | O_TRUNC);
	img_free(&im);
	restart_file(_metadata, path, 0, q);
	EXPECT_TRUE(wait_state(q->pid, 'T', CKPT_WAIT_MS)) {
		TH_LOG("the restored process is in state %c", proc_state(q->pid));
	}
	ASSERT_EQ(0, kill(q->pid, SIGCONT));
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(q->pid, r.v[0]);
	kill_reap(_metadata, q);
}

/*
 * 2.10 (b): a signal pending without a siginfo (sent with sigqueue() to a
 * process whose RLIMIT_SIGPENDING is 0: the kernel queues the bit and drops
 * the info) is saved as a bit and is pending again after restart, and
 * delivered.  At dd242f7 restart queued only the siginfos (task.c:981-988)
 * and the bit was lost.
 */
static int usr1_seen;

static void usr1_handler(int sig)
{
	__atomic_add_fetch(&usr1_seen, 1, __ATOMIC_RELAXED);
}

static void wl_nosiginfo(char cmd, struct reply *r, void *arg)
{
	struct rlimit zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (cmd == 'I') {
		signal(SIGUSR1, usr1_handler);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (setrlimit(RLIMIT_SIGPENDING, &zero))
			wl_die("setrlimit");
	} else if (cmd == 'U') {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
	}
	r->v[0] = __atomic_load_n(&usr1_seen, __ATOMIC_RELAXED);
}

TEST_F_TIMEOUT(rv, pending_signal_without_siginfo, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	union sigval val = { .sival_int = 1 };
	const struct ckpt_rec_sigpending *sp;
	const char *path;
	struct img im;
	struct reply r;
	__u64 mask;
	int err;

	start_workload_fn(_metadata, p, wl_nosiginfo, NULL, &r);
	ASSERT_EQ(0, sigqueue(p->pid, SIGUSR1, val));
	ASSERT_TRUE(proc_mask(p->pid, "ShdPnd", &mask));
	ASSERT_EQ(SIGBIT(SIGUSR1), mask & SIGBIT(SIGUSR1));
	ASSERT_LT(0, take_img(_metadata, &self->s, p->pid, &im, &err));
	ASSERT_EQ(NULL, img_check(&im, true));
	sp = img_find(&im, CKPT_REC_SIGPENDING, 0);
	ASSERT_NE(NULL, sp);
	ASSERT_EQ(1, sp->shared);
	EXPECT_EQ(SIGBIT(SIGUSR1), sp->signal);
	EXPECT_EQ(0, sp->nr_info) {
		TH_LOG("the signal was queued with a siginfo after all");
	}
	img_free(&im);
	path = self->s.path[self->s.npath - 1];
	kill_reap(_metadata, p);

	restart_file(_metadata, path, 0, q);
	ASSERT_TRUE(proc_mask(q->pid, "ShdPnd", &mask));
	EXPECT_EQ(SIGBIT(SIGUSR1), mask & SIGBIT(SIGUSR1)) {
		TH_LOG("SIGUSR1 is not pending after restart (ShdPnd %#llx)",
		       (unsigned long long)mask);
	}
	ASSERT_TRUE(proc_mask(q->pid, "SigBlk", &mask));
	EXPECT_EQ(SIGBIT(SIGUSR1), mask & SIGBIT(SIGUSR1));
	ASSERT_EQ(0, ask(q, 'C', &r));
	EXPECT_EQ(0, r.v[0]);
	ASSERT_EQ(0, ask(q, 'U', &r));
	EXPECT_EQ(1, r.v[0]) {
		TH_LOG("unblocking did not deliver the pending SIGUSR1");
	}
	kill_reap(_metadata, q);
}

/*
 * 2.10 (c): checkpoint writes no image that its own restart refuses: a
 * private mapping of /dev/zero (old code's anonymous memory) is anonymous
 * memory, saved as such and restored with its contents.  Until this fix
 * (dd242f7 mm.c:285, 8888f94 mm.c:117) it was saved as a mapping of the
 * file /dev/zero, which restart refuses to map (EACCES, not a regular
 * file).
 */
#define ZERO_PAGES	4

static void wl_dev_zero(char cmd, struct reply *r, void *arg)
{
	size_t ps = getpagesize();
	unsigned char *m;
	int fd;

	if (cmd != 'I')
		return;
	fd = open("/dev/zero", O_RDWR);
	m = mmap(NULL, ZERO_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (fd < 0 || m == MAP_FAILED)
		wl_die("/dev/zero");
	close(fd);
	memset(m + ps, 'z', ps);
	m[3 * ps + 5] = 'Z';
	r->v[0] = (uintptr_t)m;
}

TEST_F_TIMEOUT(rv, dev_zero_mapping_restarts, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	size_t i, ps = getpagesize();
	unsigned char want[ZERO_PAGES * 4096], got[ZERO_PAGES * 4096];
	const struct ckpt_rec_vma *v;
	const struct rinfo *ri;
	const char *path;
	struct image im;
	struct reply r;
	__u64 addr;

	ASSERT_EQ(4096, ps);
	start_workload_fn(_metadata, p, wl_dev_zero, NULL, &r);
	addr = r.v[0];
	path = cycle(_metadata, &self->s, p, q);
	image_load(_metadata, path, &im);
	for (i = 0; (ri = image_rec(&im, CKPT_REC_VMA, i)); i++) {
		v = image_at(&im, ri);
		if (v->start == addr)
			break;
	}
	ASSERT_NE(NULL, ri);
	EXPECT_EQ(CKPT_VMA_ANON, v->type);
	EXPECT_EQ(addr + ZERO_PAGES * ps, v->end);
	image_free(&im);

	memset(want, 0, sizeof(want));
	memset(want + ps, 'z', ps);
	want[3 * ps + 5] = 'Z';
	ASSERT_TRUE(peek_mem(_metadata, q->pid, addr, got, sizeof(got)));
	i = first_diff(want, got, sizeof(got));
	EXPECT_EQ(sizeof(got), i) {
		TH_LOG("the mapping differs at offset %zu", i);
	}
	ASSERT_EQ(0, ask(q, 'P', &r));
	kill_reap(_metadata, q);
}

/*
 * 2.11: a PIPE record makes a pipe at once, sized with the rules of
 * F_SETPIPE_SZ: an unprivileged caller cannot get a 16 MiB pipe (EPERM,
 * above pipe-max-size), whether a file of the image uses it or not; root
 * can.  At dd242f7 a PIPE record was kept in kernel memory until an end
 * was opened (files.c:448-464): an unused one was never checked, and
 * restart succeeded.
 */
static int restart_as_nobody(struct __test_metadata *_metadata, struct rs_state *s, int fd)
{
	struct helper_result hr = { .ret = -1, .err = -1 };
	int res[2], done[2], ctl[2], rep[2];

	lseek(fd, 0, SEEK_SET);
	/* the restored process's stdin and stdout: it lives until done */
	if (pipe2(res, O_CLOEXEC) || pipe2(done, O_CLOEXEC) || pipe2(ctl, O_CLOEXEC) ||
	    pipe2(rep, O_CLOEXEC))
		return -1;
	s->helper = start_unpriv_restart(_metadata, fd, ctl[0], rep[1], res[1], done[0]);
	close(res[1]);
	close(done[0]);
	close(ctl[0]);
	close(rep[1]);
	if (read_full(res[0], &hr, sizeof(hr), CKPT_WAIT_MS))
		hr.err = -1;
	close(res[0]);
	if (hr.ret > 0)
		hr.err = 0;
	if (hr.ret > 0 && write(done[1], "x", 1) != 1)
		hr.err = -1;
	close(done[1]);
	finish_helper(_metadata, s);
	close(ctl[1]);
	close(rep[0]);
	EXPECT_TRUE(hr.ret > 0 ? !hr.wret : hr.wret == -1 && hr.werr == ECHILD) {
		TH_LOG("restart left a child that ended, or a failed one a child");
	}
	return hr.err;
}

TEST_F_TIMEOUT(rv, pipe_size_limits, 180)
{
	const char *exe = rs_path(&self->s, "pipe-exe"), *big = rs_path(&self->s, "big");
	const char *extra = rs_path(&self->s, "extra");
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct ckpt_rec_pipe pr;
	const struct rinfo *ri;
	const char *path;
	struct image im;
	struct reply r;
	__u64 size = 16 * MIB;
	int fd;

	if (geteuid())
		SKIP(return, "needs root to prepare an image of nobody");
	copy_self(_metadata, exe);
	fork_workload(_metadata, p, NULL, NULL, &r, exe, RS_NOBODY);
	if (!strcmp(r.s, "exec failed")) {
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
		SKIP(return, "cannot exec from /tmp as nobody: %s", strerror(r.v[0]));
	}
	ASSERT_EQ(RS_NOBODY, r.v[1]);
	path = take_image_file(_metadata, &self->s, p->pid);
	kill_reap(_metadata, p);
	image_load(_metadata, path, &im);
	ri = image_rec(&im, CKPT_REC_PIPE, 0);
	ASSERT_NE(NULL, ri);
	ASSERT_GT(size, ((const struct ckpt_rec_pipe *)image_at(&im, ri))->size);

	/* as saved, nobody restarts it */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, restart_as_nobody(_metadata, &self->s, fd));
	close(fd);

	/* its pipe 16 MiB large */
	image_variant(_metadata, &im, big, im.size, ri->off + offsetof(struct ckpt_rec_pipe, size),
		      &size, sizeof(size));
	fd = open(big, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, restart_as_nobody(_metadata, &self->s, fd));
	close(fd);
	restart_file(_metadata, big, 0, q);
	ASSERT_EQ(0, ask(q, 'Z', &r));
	EXPECT_EQ(size, r.v[0]);
	EXPECT_EQ(RS_NOBODY, r.v[1]);
	kill_reap(_metadata, q);

	/* a 16 MiB pipe that no file uses */
	memset(&pr, 0, sizeof(pr));
	pr.h.type = CKPT_REC_PIPE;
	pr.objref = 0x7fff0000;
	pr.size = size;
	image_splice(_metadata, &im, extra, image_rec(&im, CKPT_REC_TASK, 0), true, &pr,
		     sizeof(pr));
	fd = open(extra, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EPERM, restart_as_nobody(_metadata, &self->s, fd));
	close(fd);
	restart_file(_metadata, extra, 0, q);
	ASSERT_EQ(0, ask(q, 'P', &r));
	kill_reap(_metadata, q);
	image_free(&im);
}

/*
 * 2.12: a caller with an mseal()ed mapping can restart: the restored
 * process gets a new address space, nothing of the caller's.  At dd242f7
 * the clone of the caller unmapped its copy of the caller's memory
 * (mm.c:568), which a seal refuses: EPERM.
 */
static int prep_mseal(void *arg)
{
	size_t ps = getpagesize();
	void *m = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED || syscall(__NR_mseal, m, ps, 0))
		return errno;
	/* sealed: it cannot be unmapped */
	return !munmap(m, ps) || errno != EPERM ? -1 : 0;
}

TEST_F_TIMEOUT(rv, sealed_caller, 120)
{
	const char *path = plain_image(_metadata, &self->s);
	struct caller_result cr;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	restart_by(_metadata, fd, prep_mseal, NULL, &cr);
	close(fd);
	ASSERT_NE(-1, cr.prep_err) {
		TH_LOG("the mseal()ed mapping could be unmapped");
	}
	if (cr.prep_err)
		SKIP(return, "mseal(): %s", strerror(cr.prep_err));
	EXPECT_LT(0, cr.ret) {
		TH_LOG("restart by a caller with a sealed mapping: %s", strerror(cr.err));
	}
}

/*
 * 2.13: state that restart cannot rebuild is refused, with a reason: a
 * sealed mapping, a protection key, PR_SET_TSC, a Landlock domain,
 * speculation control, LAM.  At dd242f7 none was looked at (mm.c:234-261,
 * regs.c:28-53, nothing for the LSMs): each target was saved, and restarted
 * without the restriction.
 */
static void wl_refusal(char cmd, struct reply *r, void *arg)
{
	int (*setup)(struct reply *r) = arg;

	if (cmd == 'I')
		r->v[0] = setup(r);
}

static int setup_mseal(struct reply *r)
{
	size_t ps = getpagesize();
	void *m = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	r->v[1] = (uintptr_t)m;
	return m == MAP_FAILED || syscall(__NR_mseal, m, ps, 0) ? errno : 0;
}

static int setup_pkey(struct reply *r)
{
	size_t ps = getpagesize();
	void *m = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long pkey = syscall(__NR_pkey_alloc, 0, 0);

	r->v[1] = (uintptr_t)m;
	if (m == MAP_FAILED || pkey < 0)
		return errno;
	return syscall(__NR_pkey_mprotect, m, ps, PROT_READ, pkey) ? errno : 0;
}

static int setup_tsc(struct reply *r)
{
	return prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) ? errno : 0;
}

static int setup_landlock(struct reply *r)
{
	struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
	};
	long fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);

	if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_landlock_restrict_self, fd, 0))
		return errno;
	close(fd);
	return 0;
}

static int setup_spec(struct reply *r)
{
	if (!prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, PR_SPEC_DISABLE, 0, 0))
		return 0;
	r->v[2] = errno;
	return prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_INDIRECT_BRANCH, PR_SPEC_DISABLE, 0, 0) ?
	       errno : 0;
}

static int setup_lam(struct reply *r)
{
	return syscall(SYS_arch_prctl, ARCH_ENABLE_TAGGED_ADDR, 6) ? errno : 0;
}

/*
 * A workload that set something up with setup() must be refused by
 * checkpoint with an error record (of kind, a message with what; the
 * address of the mapping for CKPT_OBJ_VMA).  False, with the errno in
 * *err, if the workload could not set it up.
 */
static bool setup_refused_with(struct __test_metadata *_metadata, struct rs_state *s,
			       int (*setup)(struct reply *r), int want, __u32 kind,
			       const char *what, int *err)
{
	struct rproc *p = &s->p[0];
	const struct ckpt_rec_error *e;
	struct img im;
	struct reply r;

	start_workload_fn(_metadata, p, wl_refusal, (void *)setup, &r);
	*err = r.v[0];
	if (*err) {
		kill_reap(_metadata, p);
		return false;
	}
	e = expect_refused(_metadata, s, p, &im, want, kind, what);
	if (e && kind == CKPT_OBJ_VMA)
		EXPECT_EQ(r.v[1], e->addr);
	if (e && kind == CKPT_OBJ_FILE)
		EXPECT_EQ(r.v[1], (int)e->fd);
	img_free(&im);
	kill_reap(_metadata, p);
	return true;
}

static bool setup_refused(struct __test_metadata *_metadata, struct rs_state *s,
			  int (*setup)(struct reply *r), __u32 kind, const char *what, int *err)
{
	return setup_refused_with(_metadata, s, setup, EOPNOTSUPP, kind, what, err);
}

TEST_F_TIMEOUT(rv, refuse_sealed_mapping, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_mseal, CKPT_OBJ_VMA, "mseal", &err))
		SKIP(return, "mseal(): %s", strerror(err));
}

TEST_F_TIMEOUT(rv, refuse_protection_key, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_pkey, CKPT_OBJ_VMA, "protection key", &err))
		SKIP(return, "no protection keys (pkey_alloc): %s", strerror(err));
}

TEST_F_TIMEOUT(rv, refuse_pr_set_tsc, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_tsc, CKPT_OBJ_ARCH, "PR_SET_TSC", &err))
		SKIP(return, "PR_SET_TSC: %s", strerror(err));
}

static bool lsm_active(const char *name)
{
	char buf[512] = "";
	ssize_t n;
	int fd;

	fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL))
		fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, name);
}

TEST_F_TIMEOUT(rv, refuse_landlock, 120)
{
	int err;

	if (!lsm_active("landlock"))
		SKIP(return, "Landlock is not an active LSM (/sys/kernel/security/lsm)");
	if (!setup_refused(_metadata, &self->s, setup_landlock, CKPT_OBJ_CREDS, "security module",
			   &err))
		SKIP(return, "landlock_restrict_self(): %s", strerror(err));
}

TEST_F_TIMEOUT(rv, refuse_speculation_control, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_spec, CKPT_OBJ_TASK,
			   "PR_SET_SPECULATION_CTRL", &err))
		SKIP(return, "PR_SET_SPECULATION_CTRL: %s %s", strerror(err),
		     "(the CPU is not affected, or no mitigation is built)");
}

TEST_F_TIMEOUT(rv, refuse_lam, 120)
{
	int err;

	/* QEMU 7.2 (the harness' guest) does not emulate LAM: this skips there */
	if (!setup_refused(_metadata, &self->s, setup_lam, CKPT_OBJ_ARCH, "LAM", &err))
		SKIP(return, "no LAM (ARCH_ENABLE_TAGGED_ADDR): %s", strerror(err));
}

/*
 * 2.13, what is saved now: PR_SET_DUMPABLE 0 and PR_SET_MDWE survive
 * restart.  At dd242f7 the restored process was dumpable as its caller
 * (task.c:971) and had the caller's MDWE (none), from the copy of the
 * caller's mm.
 */
static void wl_dumpable(char cmd, struct reply *r, void *arg)
{
	if (cmd == 'I' && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		wl_die("PR_SET_DUMPABLE");
	r->v[0] = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

TEST_F_TIMEOUT(rv, dumpable_survives, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct reply r;

	start_workload_fn(_metadata, p, wl_dumpable, NULL, &r);
	ASSERT_EQ(0, r.v[0]);
	cycle(_metadata, &self->s, p, q);
	ASSERT_EQ(0, ask(q, 'D', &r));
	EXPECT_EQ(0, r.v[0]) {
		TH_LOG("the restored process is dumpable (%lld)", (long long)r.v[0]);
	}
	kill_reap(_metadata, q);
}

/* MDWE: v[0] is the errno of making new RW memory executable (0: it could) */
static void wl_mdwe(char cmd, struct reply *r, void *arg)
{
	size_t ps = getpagesize();
	void *m;

	if (cmd == 'I' && prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0)) {
		r->v[1] = errno;
		return;
	}
	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		wl_die("mmap");
	r->v[0] = mprotect(m, ps, PROT_READ | PROT_EXEC) ? errno : 0;
	r->v[2] = prctl(PR_GET_MDWE, 0, 0, 0, 0);
	munmap(m, ps);
}

TEST_F_TIMEOUT(rv, mdwe_survives, 120)
{
	struct rproc *p = &self->s.p[0], *q = &self->s.p[1];
	struct reply r;

	start_workload_fn(_metadata, p, wl_mdwe, NULL, &r);
	if (r.v[1])
		SKIP(return, "PR_SET_MDWE: %s", strerror(r.v[1]));
	ASSERT_EQ(EACCES, r.v[0]);
	cycle(_metadata, &self->s, p, q);
	ASSERT_EQ(0, ask(q, 'X', &r));
	EXPECT_EQ(EACCES, r.v[0]) {
		TH_LOG("the restored process made RW memory executable: %s", strerror(r.v[0]));
	}
	EXPECT_EQ(PR_MDWE_REFUSE_EXEC_GAIN, r.v[2] & PR_MDWE_REFUSE_EXEC_GAIN);
	kill_reap(_metadata, q);
}

/*
 * 2.14: an x32 process is refused, and said to be x32, as the
 * documentation says; an ia32 one as 32-bit.  At dd242f7 regs.c:33-35
 * refused both as "32-bit tasks" (exec sets TIF_ADDR32 for x32 too); the
 * x32 check 8888f94 added came after that one and never matched.
 */
static bool is_elf(const char *path, int class, int machine)
{
	unsigned char eh[20];	/* e_ident[16], e_type, e_machine */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, eh, sizeof(eh)) == sizeof(eh) && !memcmp(eh, ELFMAG, SELFMAG) &&
	     eh[EI_CLASS] == class && eh[18] == machine && !eh[19];
	close(fd);
	return ok;
}

/*
 * Run the program name (next to this one) that writes a byte and pauses,
 * and expect checkpoint to refuse it with what; a SKIP reason if it
 * could not run.
 */
static const char *expect_program_refused(struct __test_metadata *_metadata, struct rs_state *s,
					  const char *name, int class, int machine,
					  const char *what)
{
	struct rproc *p = &s->p[0];
	char prog[PATH_MAX], *slash;
	int out[2], status = 0, err;
	struct img im;
	ssize_t n;
	char c = 0;
	long ret;

	n = readlink("/proc/self/exe", prog, sizeof(prog) - 32);
	if (n <= 0)
		return "no /proc/self/exe";
	prog[n] = 0;
	slash = strrchr(prog, '/');
	if (!slash)
		return "no directory in /proc/self/exe";
	snprintf(slash + 1, sizeof(prog) - (slash + 1 - prog), "%s", name);
	if (!is_elf(prog, class, machine))
		return "no such program: the compiler cannot build it";
	if (pipe2(out, O_CLOEXEC))
		return "no pipe";
	p->pid = fork();
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		execl(prog, prog, (char *)NULL);
		_exit(errno == ENOEXEC ? 3 : 4);
	}
	close(out[1]);
	if (p->pid < 0 || read_full(out[0], &c, 1, CKPT_WAIT_MS)) {
		close(out[0]);
		if (p->pid > 0)
			waitpid(p->pid, &status, 0);
		p->pid = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			return "the kernel does not run such programs";
		return "the program did not start";
	}
	close(out[0]);
	EXPECT_EQ('x', c);
	ret = take_img(_metadata, s, p->pid, &im, &err);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, &im, p->pid, EOPNOTSUPP, CKPT_OBJ_ARCH, what);
	img_free(&im);
	EXPECT_EQ(0, waitpid(p->pid, &status, WNOHANG));
	kill_reap(_metadata, p);
	return NULL;
}

TEST_F_TIMEOUT(rv, refuse_x32, 120)
{
	const char *why = expect_program_refused(_metadata, &self->s, "ckpt_x32_child",
						 ELFCLASS32, EM_X86_64,
						 "x32 tasks are not supported");

	if (why)
		SKIP(return, "x32: %s (CONFIG_X86_X32_ABI)", why);
}

TEST_F_TIMEOUT(rv, refuse_ia32, 120)
{
	const char *why = expect_program_refused(_metadata, &self->s, "ckpt_ia32_child",
						 ELFCLASS32, EM_386,
						 "32-bit tasks are not supported");

	if (why)
		SKIP(return, "ia32: %s (CONFIG_IA32_EMULATION)", why);
}

/*
 * 2.15: a deleted executable, and a deleted FIFO, are refused with error
 * records: restart would open whatever "... (deleted)" names.  At dd242f7
 * neither was looked at (mm.c:398-405, files.c:234-243): a FIFO was saved,
 * and so was a deleted executable that is no longer mapped (a mapped one
 * was refused for its mapping, mm.c:331, of kind VMA).
 */
static void copy_file(struct __test_metadata *_metadata, const char *src, const char *dst)
{
	char buf[65536];
	int in, out;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, in);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, out);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(out, buf, n));
	ASSERT_EQ(0, n);
	close(in);
	close(out);
}

/* a line of /proc/PID/maps that names a deleted file */
static bool maps_deleted(pid_t pid)
{
	char path[64], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, "(deleted)");
	fclose(f);
	return found;
}

TEST_F_TIMEOUT(rv, refuse_deleted_exe, 120)
{
	const char *exe = rs_path(&self->s, "exe"), *bare = rs_path(&self->s, "unmapped");
	struct rproc *p = &self->s.p[0];
	char prog[PATH_MAX], *slash;
	int out[2], err;
	struct img im;
	struct reply r;
	ssize_t n;
	char c = 0;

	if (geteuid())
		SKIP(return, "needs root to exec a copy from /tmp as itself");
	/* a copy of this program, running from a file that is removed */
	copy_self(_metadata, exe);
	fork_workload(_metadata, p, NULL, NULL, &r, exe, 0);
	ASSERT_STRNE("exec failed", r.s);
	ASSERT_EQ(0, unlink(exe));
	ASSERT_TRUE(maps_deleted(p->pid));
	expect_refused(_metadata, &self->s, p, &im, EOPNOTSUPP, CKPT_OBJ_MM,
		       "the executable was deleted");
	img_free(&im);
	kill_reap(_metadata, p);

	/* a program that unmapped itself, its file removed */
	n = readlink("/proc/self/exe", prog, sizeof(prog) - 32);
	ASSERT_LT(0, n);
	prog[n] = 0;
	slash = strrchr(prog, '/');
	ASSERT_NE(NULL, slash);
	snprintf(slash + 1, sizeof(prog) - (slash + 1 - prog), "ckpt_unmapped_child");
	copy_file(_metadata, prog, bare);
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	p->pid = fork();
	ASSERT_LE(0, p->pid);
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], 1);
		execl(bare, bare, (char *)NULL);
		_exit(4);
	}
	close(out[1]);
	ASSERT_EQ(0, read_full(out[0], &c, 1, CKPT_WAIT_MS));
	close(out[0]);
	ASSERT_EQ('x', c);
	ASSERT_EQ(0, unlink(bare));
	ASSERT_FALSE(maps_deleted(p->pid));
	EXPECT_EQ(-1, take_img(_metadata, &self->s, p->pid, &im, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, &im, p->pid, EOPNOTSUPP, CKPT_OBJ_MM,
			    "the executable was deleted");
	img_free(&im);
	kill_reap(_metadata, p);
}

static void wl_deleted_fifo(char cmd, struct reply *r, void *arg)
{
	wl_fifo(cmd, r, arg);
	if (cmd == 'I' && unlink(arg))
		wl_die("unlink");
}

TEST_F_TIMEOUT(rv, refuse_deleted_fifo, 120)
{
	const char *fifo = rs_path(&self->s, "fifo");
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_error *e;
	struct img im;
	struct reply r;

	ASSERT_EQ(0, mkfifo(fifo, 0600));
	start_workload_fn(_metadata, p, wl_deleted_fifo, (void *)fifo, &r);
	e = expect_refused(_metadata, &self->s, p, &im, EOPNOTSUPP, CKPT_OBJ_FILE, "deleted");
	if (e)
		EXPECT_EQ(44, e->fd);
	img_free(&im);
	kill_reap(_metadata, p);
}

/*
 * The other refusals of checkpoint, one test each, for the branches no
 * other selftest reaches: each target must be refused with its errno and
 * an error record that names what.
 */
static int setup_async(struct reply *r)
{
	int p[2];

	if (pipe(p) || dup2(p[0], 50) != 50 || dup2(p[1], 51) != 51 ||
	    fcntl(50, F_SETFL, O_ASYNC))
		return errno;
	close(p[0]);
	close(p[1]);
	r->v[1] = 50;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_o_async, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_async, CKPT_OBJ_FILE, "O_ASYNC", &err))
		SKIP(return, "O_ASYNC: %s", strerror(err));
}

static int setup_opath(struct reply *r)
{
	int fd = open("/dev/null", O_PATH);

	if (fd < 0 || dup2(fd, 52) != 52)
		return errno;
	close(fd);
	r->v[1] = 52;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_o_path_of_a_device, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_opath, CKPT_OBJ_FILE, "O_PATH of /dev/null",
			   &err))
		SKIP(return, "O_PATH: %s", strerror(err));
}

/* a file of /tmp with a name of its own, open and removed */
static int open_tmp(const char *what, bool keep)
{
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/tmp/ckpt-selftest-%d.%s", getpid(), what);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 4096) || (!keep && unlink(path)))
		return -1;
	return fd;
}

static int setup_deleted_file(struct reply *r)
{
	int fd = open_tmp("deleted", false);

	if (fd < 0 || dup2(fd, 53) != 53)
		return errno;
	close(fd);
	r->v[1] = 53;
	return 0;
}

static int map_private(int fd, struct reply *r)
{
	void *m;

	if (fd < 0)
		return errno;
	m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return errno;
	r->v[1] = (uintptr_t)m;
	return 0;
}

static int setup_deleted_map(struct reply *r)
{
	return map_private(open_tmp("deleted-map", false), r);
}

static int setup_memfd_map(struct reply *r)
{
	int fd = memfd_create("ckpt", 0);

	if (fd >= 0 && ftruncate(fd, 4096))
		return errno;
	return map_private(fd, r);
}

/*
 * Refused at first (review 2.x): an open deleted file, and private
 * mappings of a deleted file and of a memfd.  Their contents are carried
 * in the image now (FILEDATA and SHMEM records): each comes back, the
 * file still unlinked, the mapping at its address with its bytes.
 */
static void carried(struct __test_metadata *_metadata, struct rs_state *s,
		    int (*setup)(struct reply *r), bool mapping, const char *what)
{
	struct rproc *p = &s->p[0], *q = &s->p[1];
	unsigned char page[4096], zero[4096] = { 0 };
	char link[PATH_MAX];
	struct reply r;

	start_workload_fn(_metadata, p, wl_refusal, (void *)setup, &r);
	ASSERT_EQ(0, r.v[0]) {
		TH_LOG("%s: %s", what, strerror(r.v[0]));
	}
	cycle(_metadata, s, p, q);
	if (mapping) {
		ASSERT_TRUE(peek_mem(_metadata, q->pid, r.v[1], page, sizeof(page)));
		EXPECT_EQ(0, memcmp(page, zero, sizeof(page))) {
			TH_LOG("%s: the mapping's bytes differ", what);
		}
	} else {
		ASSERT_TRUE(fd_link(q->pid, r.v[1], link, sizeof(link)));
		EXPECT_NE(NULL, strstr(link, "(deleted)")) {
			TH_LOG("%s: fd %llu is %s", what, (unsigned long long)r.v[1], link);
		}
		EXPECT_EQ(0, proc_fdinfo(q->pid, r.v[1], "pos"));
	}
	ASSERT_EQ(0, ask(q, 'P', &r));
	kill_reap(_metadata, q);
	block_sigchld();
}

TEST_F_TIMEOUT(rv, deleted_and_internal_files_carried, 240)
{
	carried(_metadata, &self->s, setup_deleted_file, false, "an open deleted file");
	carried(_metadata, &self->s, setup_deleted_map, true, "a mapped deleted file");
	carried(_metadata, &self->s, setup_memfd_map, true, "a mapped memfd");
}

/* A file open at a path longer than PATH_MAX: d_path() cannot name it. */
#define DEEP_LEVELS	18
#define DEEP_NAME_LEN	250

static void deep_name(char *name, int level)
{
	memset(name, 'a' + level % 26, DEEP_NAME_LEN);
	name[DEEP_NAME_LEN] = 0;
}

static int setup_deep_file(struct reply *r)
{
	char name[DEEP_NAME_LEN + 1];
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY), next, i;

	for (i = 0; i < DEEP_LEVELS && dir >= 0; i++) {
		deep_name(name, i);
		if (mkdirat(dir, name, 0700) && errno != EEXIST)
			return errno;
		next = openat(dir, name, O_RDONLY | O_DIRECTORY);
		close(dir);
		dir = next;
	}
	if (dir < 0)
		return errno;
	next = openat(dir, "f", O_RDWR | O_CREAT, 0600);
	close(dir);
	if (next < 0 || dup2(next, 54) != 54)
		return errno;
	close(next);
	r->v[1] = 54;
	return 0;
}

/* remove what setup_deep_file() made, from the bottom up */
static void remove_deep(void)
{
	int dirs[DEEP_LEVELS + 1], i;
	char name[DEEP_NAME_LEN + 1];

	dirs[0] = open("/tmp", O_RDONLY | O_DIRECTORY);
	for (i = 0; i < DEEP_LEVELS && dirs[i] >= 0; i++) {
		deep_name(name, i);
		dirs[i + 1] = openat(dirs[i], name, O_RDONLY | O_DIRECTORY);
	}
	if (dirs[i] >= 0)
		unlinkat(dirs[i], "f", 0);
	while (i-- > 0) {
		deep_name(name, i);
		if (dirs[i + 1] >= 0)
			close(dirs[i + 1]);
		if (dirs[i] >= 0)
			unlinkat(dirs[i], name, AT_REMOVEDIR);
	}
	if (dirs[0] >= 0)
		close(dirs[0]);
}

TEST_F_TIMEOUT(rv, refuse_path_too_long, 120)
{
	bool done;
	int err;

	done = setup_refused_with(_metadata, &self->s, setup_deep_file, ENAMETOOLONG,
				  CKPT_OBJ_FILE, "no path", &err);
	remove_deep();
	if (!done)
		SKIP(return, "a path longer than PATH_MAX: %s", strerror(err));
}

static int setup_uts_ns(struct reply *r)
{
	return unshare(CLONE_NEWUTS) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_other_namespace, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_uts_ns, CKPT_OBJ_NAMESPACE,
			   "namespaces differ", &err))
		SKIP(return, "unshare(CLONE_NEWUTS): %s", strerror(err));
}

static int setup_user_ns(struct reply *r)
{
	return unshare(CLONE_NEWUSER) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_other_user_namespace, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_user_ns, CKPT_OBJ_NAMESPACE,
			   "user namespace differs", &err))
		SKIP(return, "unshare(CLONE_NEWUSER): %s", strerror(err));
}

/* a child that waits to be killed, and dies with its parent */
static pid_t fork_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	return pid;
}

/*
 * In a new pid namespace: its init (v[1], as we see it) and, with
 * outsider, a second task of it whose parent is we, outside.  We go
 * back to our own pid namespace for our children.
 */
static int new_pid_ns(struct reply *r, bool outsider)
{
	int own = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	pid_t init, other = 1;

	if (own < 0 || unshare(CLONE_NEWPID))
		return errno;
	init = fork_sleeper();
	if (outsider)
		other = fork_sleeper();
	if (init < 0 || other < 0 || setns(own, CLONE_NEWPID))
		return errno;
	close(own);
	r->v[1] = init;
	return 0;
}

static int setup_nested_pid_ns(struct reply *r)
{
	return new_pid_ns(r, false);
}

static int setup_pid_ns_outsider(struct reply *r)
{
	return new_pid_ns(r, true);
}

TEST_F_TIMEOUT(rv, refuse_nested_pid_namespace, 120)
{
	struct rproc *p = &self->s.p[0];
	struct img im;
	struct reply r;
	int err;

	start_workload_fn(_metadata, p, wl_refusal, (void *)setup_nested_pid_ns, &r);
	if (r.v[0])
		SKIP(return, "a new pid namespace: %s", strerror(r.v[0]));
	/* the workload is saved with its child, the init of another namespace */
	EXPECT_EQ(-1, take_img(_metadata, &self->s, p->pid, &im, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, &im, r.v[1], EOPNOTSUPP, CKPT_OBJ_NAMESPACE,
			    "a nested pid namespace is not supported");
	img_free(&im);
	ASSERT_EQ(0, ask(p, 'P', &r));
	kill_reap(_metadata, p);
}

TEST_F_TIMEOUT(rv, refuse_container_with_an_outsider, 120)
{
	struct rproc *p = &self->s.p[0];
	struct img im;
	struct reply r;
	long ret;
	int err;

	start_workload_fn(_metadata, p, wl_refusal, (void *)setup_pid_ns_outsider, &r);
	if (r.v[0])
		SKIP(return, "a new pid namespace: %s", strerror(r.v[0]));
	/* the init of the namespace: a container, but one task is not its */
	ret = take_img(_metadata, &self->s, r.v[1], &im, &err);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, &im, 0, EOPNOTSUPP, CKPT_OBJ_NAMESPACE,
			    "task 2 of the pid namespace is not a descendant of its init");
	img_free(&im);
	kill_reap(_metadata, p);
}

/* A child of the test that shares flags (CLONE_FS, ...) with it. */
static int sleeper_fn(void *arg)
{
	for (;;)
		pause();
	return 0;
}

static void expect_shared_refused(struct __test_metadata *_metadata, struct rs_state *s,
				  int flags, __u32 kind, const char *what)
{
	size_t stack_size = 256 * 1024;
	char *stack = malloc(stack_size);
	struct img im;
	pid_t pid;
	long ret;
	int err;

	ASSERT_NE(NULL, stack);
	pid = clone(sleeper_fn, stack + stack_size, flags | SIGCHLD, NULL);
	ASSERT_LT(0, pid);
	ret = take_img(_metadata, s, pid, &im, &err);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, &im, 0, EOPNOTSUPP, kind, what);
	img_free(&im);
	EXPECT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(pid, waitpid(pid, NULL, 0));
	free(stack);
}

TEST_F_TIMEOUT(rv, refuse_shared_with_outside, 120)
{
	expect_shared_refused(_metadata, &self->s, CLONE_FS, CKPT_OBJ_FS,
			      "fs_struct shared with a task outside the image");
	expect_shared_refused(_metadata, &self->s, CLONE_FILES, CKPT_OBJ_FILE,
			      "fd table shared with a task outside the image");
	expect_shared_refused(_metadata, &self->s, CLONE_VM, CKPT_OBJ_MM,
			      "address space shared with a task outside the image");
}

static int setup_packet_pipe(struct reply *r)
{
	int p[2];

	if (pipe2(p, O_DIRECT) || dup2(p[0], 55) != 55 || dup2(p[1], 56) != 56 ||
	    write(56, "packet", 6) != 6)
		return errno;
	close(p[0]);
	close(p[1]);
	r->v[1] = -1;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_packet_pipe, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_packet_pipe, CKPT_OBJ_FILE,
			   "packet-mode pipe", &err))
		SKIP(return, "pipe2(O_DIRECT): %s", strerror(err));
}

static int setup_full_pipe(struct reply *r)
{
	size_t len = 16 * MIB + 1, done = 0;
	char *buf = calloc(1, 65536);
	int p[2];
	ssize_t n;

	if (!buf || pipe2(p, O_NONBLOCK) || fcntl(p[1], F_SETPIPE_SZ, 32 * MIB) < 0)
		return errno;
	while (done < len) {
		n = write(p[1], buf, len - done < 65536 ? len - done : 65536);
		if (n <= 0)
			return errno;
		done += n;
	}
	free(buf);
	if (dup2(p[0], 57) != 57 || dup2(p[1], 58) != 58)
		return errno;
	close(p[0]);
	close(p[1]);
	r->v[1] = -1;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_pipe_over_a_record, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_full_pipe, CKPT_OBJ_FILE,
			   "pipe holds too much data", &err))
		SKIP(return, "a 32 MiB pipe: %s", strerror(err));
}

/*
 * Traced after it was held: a checkpoint blocked on writing its first
 * record (its pipe is full), then PTRACE_SEIZE of the target.
 */
TEST_F_TIMEOUT(rv, refuse_traced_while_held, 120)
{
	struct rproc *p = &self->s.p[0];
	struct bg_ckpt b;
	struct reply r;
	struct img im;

	start_workload_fn(_metadata, p, wl_plain, NULL, &r);
	bg_ckpt_start_in(_metadata, &b, p->pid, 4096, 4096);
	ASSERT_TRUE(bg_ckpt_blocked_at(&b, 4096, CKPT_WAIT_MS));
	ASSERT_TRUE(wait_state(p->pid, 'D', CKPT_WAIT_MS));
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, p->pid, 0, 0));
	bg_ckpt_finish(_metadata, &b, &im);
	EXPECT_EQ(-1, b.ret);
	EXPECT_EQ(EBUSY, b.err);
	expect_error_record(_metadata, &im, p->pid, EBUSY, CKPT_OBJ_TASK, "task is ptraced");
	img_free(&im);
	kill_reap(_metadata, p);
}

/*
 * x86 state: a TLS entry, an LDT, I/O ports, CPUID faulting, seccomp.  A
 * 64-bit task gets a TLS entry with the i386 set_thread_area() (243),
 * through int $0x80 (the x86_64 table has none), with a descriptor below
 * 4 GiB.
 */
static int setup_tls(struct reply *r)
{
	struct user_desc *d = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long ret = 243;

	if (d == MAP_FAILED)
		return errno;
	*d = (struct user_desc){
		.entry_number = -1, .limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1,
	};
	asm volatile ("int $0x80"
		      : "+a" (ret)
		      : "b" (d)
		      : "r8", "r9", "r10", "r11", "memory");
	return ret < 0 ? -ret : 0;
}

TEST_F_TIMEOUT(rv, refuse_tls_entry, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_tls, CKPT_OBJ_ARCH, "set_thread_area()",
			   &err))
		SKIP(return, "set_thread_area() through int $0x80: %s (CONFIG_IA32_EMULATION)",
		     strerror(err));
}

static int setup_ldt(struct reply *r)
{
	struct user_desc d = {
		.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1, .limit_in_pages = 1,
	};

	return syscall(__NR_modify_ldt, 1, &d, sizeof(d)) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_ldt, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_ldt, CKPT_OBJ_ARCH, "an LDT", &err))
		SKIP(return, "modify_ldt(): %s", strerror(err));
}

static int setup_ioperm(struct reply *r)
{
	return syscall(__NR_ioperm, 0x80, 1, 1) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_io_ports, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_ioperm, CKPT_OBJ_ARCH, "I/O port", &err))
		SKIP(return, "ioperm(): %s", strerror(err));
}

static int setup_cpuid(struct reply *r)
{
	return syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_cpuid_faulting, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_cpuid, CKPT_OBJ_ARCH, "ARCH_SET_CPUID",
			   &err))
		SKIP(return, "no CPUID faulting (ARCH_SET_CPUID): %s", strerror(err));
}

static int setup_seccomp(struct reply *r)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &allow };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		return errno;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_seccomp, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_seccomp, CKPT_OBJ_TASK, "seccomp", &err))
		SKIP(return, "seccomp(): %s", strerror(err));
}

/*
 * A mapping of device memory (VM_IO | VM_PFNMAP): a BAR of a PCI device,
 * through sysfs, never touched.
 */
static int setup_device_memory(struct reply *r)
{
	unsigned long long start, end, flags;
	char path[300], line[256];
	struct dirent *de;
	int fd, bar;
	FILE *f;
	void *m;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return errno;
	while ((de = readdir(d))) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		for (bar = 0; bar < 6 && fgets(line, sizeof(line), f); bar++) {
			/* a memory BAR (IORESOURCE_MEM) */
			if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) != 3 ||
			    !(flags & 0x200) || end <= start)
				continue;
			snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d",
				 de->d_name, bar);
			fd = open(path, O_RDWR);
			if (fd < 0)
				continue;
			m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
			close(fd);
			if (m == MAP_FAILED)
				continue;
			fclose(f);
			closedir(d);
			r->v[1] = (uintptr_t)m;
			return 0;
		}
		fclose(f);
	}
	closedir(d);
	errno = ENODEV;
	return errno;
}

TEST_F_TIMEOUT(rv, refuse_device_memory, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_device_memory, CKPT_OBJ_VMA,
			   "special mapping", &err))
		SKIP(return, "no PCI memory BAR to map: %s", strerror(err));
}

/* More open fds than one FILES record holds (1 Mi fds of /dev/null). */
#define MANY_FDS	1048575

static int setup_many_fds(struct reply *r)
{
	struct rlimit lim = { MANY_FDS + 1, MANY_FDS + 1 };
	int fd, i;

	if (setrlimit(RLIMIT_NOFILE, &lim))
		return errno;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return errno;
	for (i = 3; i < MANY_FDS; i++)
		if (i != fd && dup2(fd, i) != i)
			return errno;
	r->v[1] = -1;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_too_many_fds, 300)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_many_fds, CKPT_OBJ_FILE,
			   "too many open files", &err))
		SKIP(return, "%d fds: %s", MANY_FDS, strerror(err));
}

/* More queued siginfo than one SIGPENDING record holds. */
#define MANY_SIGNALS	131100

static int setup_many_signals(struct reply *r)
{
	struct rlimit lim = { MANY_SIGNALS + 100, MANY_SIGNALS + 100 };
	union sigval val = { .sival_int = 0 };
	sigset_t set;
	int i;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (setrlimit(RLIMIT_SIGPENDING, &lim) || sigprocmask(SIG_BLOCK, &set, NULL))
		return errno;
	for (i = 0; i < MANY_SIGNALS; i++)
		if (sigqueue(getpid(), SIGRTMIN, val))
			return errno;
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_too_many_signals, 300)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_many_signals, CKPT_OBJ_SIGNAL,
			   "too many pending signals", &err))
		SKIP(return, "%d queued signals: %s", MANY_SIGNALS, strerror(err));
}

/* POSIX timers: one that exists, and an armed interval timer */
static int setup_posix_timer(struct reply *r)
{
	timer_t id;

	return timer_create(CLOCK_MONOTONIC, NULL, &id) ? errno : 0;
}

static int setup_itimer(struct reply *r)
{
	struct itimerval it = { .it_value = { .tv_sec = 1000 } };

	return setitimer(ITIMER_REAL, &it, NULL) ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_timers, 120)
{
	int err;

	if (!setup_refused(_metadata, &self->s, setup_posix_timer, CKPT_OBJ_SIGNAL,
			   "POSIX timers are not supported", &err))
		SKIP(return, "timer_create(): %s (CONFIG_POSIX_TIMERS)", strerror(err));
	if (!setup_refused(_metadata, &self->s, setup_itimer, CKPT_OBJ_SIGNAL,
			   "armed interval timers are not supported", &err))
		SKIP(return, "setitimer(): %s", strerror(err));
}

/* An io_uring with a submission queue thread: a kernel worker of the process. */
static int setup_io_uring(struct reply *r)
{
	struct io_uring_params p = { .flags = IORING_SETUP_SQPOLL, .sq_thread_idle = 100000 };
	long fd = syscall(__NR_io_uring_setup, 4, &p);

	return fd < 0 ? errno : 0;
}

TEST_F_TIMEOUT(rv, refuse_kernel_worker, 120)
{
	struct rproc *p = &self->s.p[0];
	const struct ckpt_rec_error *e;
	struct img im;
	struct reply r;
	int err;

	start_workload_fn(_metadata, p, wl_refusal, (void *)setup_io_uring, &r);
	if (r.v[0])
		SKIP(return, "io_uring_setup(IORING_SETUP_SQPOLL): %s (CONFIG_IO_URING)",
		     strerror(r.v[0]));
	EXPECT_EQ(-1, take_img(_metadata, &self->s, p->pid, &im, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	/* named after the worker thread, not the process */
	e = expect_error_record(_metadata, &im, -1, EOPNOTSUPP, CKPT_OBJ_TASK,
				"kernel or io_uring worker thread");
	if (e)
		EXPECT_NE(p->pid, e->pid);
	img_free(&im);
	ASSERT_EQ(0, ask(p, 'P', &r));
	kill_reap(_metadata, p);
}

/*
 * No permission to ptrace a task once it is held: nobody checkpoints a
 * process of its own, whose address space it shares with its parent,
 * outside the image; while checkpoint is blocked on its first record, the
 * parent makes the address space non-dumpable, which nobody may then not
 * ptrace.
 */
static void become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(RS_NOBODY, RS_NOBODY, RS_NOBODY) ||
	    setresuid(RS_NOBODY, RS_NOBODY, RS_NOBODY) ||
	    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		_exit(100);
}

static int vm_sibling_fn(void *arg)
{
	for (;;)
		pause();
	return 0;
}

TEST_F_TIMEOUT(rv, refuse_no_longer_ptraceable, 120)
{
	size_t stack_size = 256 * 1024;
	int cmd[2], rep[2], img[2], res[2], status;
	struct helper_result hr;
	pid_t parent, caller, child;
	struct bg_ckpt b = { 0 };
	struct img im;
	char *stack;
	char c;

	if (geteuid())
		SKIP(return, "needs root to become nobody twice");
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	stack = malloc(stack_size);
	ASSERT_NE(NULL, stack);
	/* nobody, with a child sharing its mm; it goes non-dumpable on command */
	parent = fork();
	ASSERT_LE(0, parent);
	if (parent == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		become_nobody();
		child = clone(vm_sibling_fn, stack + stack_size, CLONE_VM | SIGCHLD, NULL);
		if (child < 0 || write(rep[1], &child, sizeof(child)) != sizeof(child) ||
		    read(cmd[0], &c, 1) != 1 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) ||
		    write(rep[1], "d", 1) != 1)
			_exit(101);
		for (;;)
			pause();
	}
	ASSERT_EQ(0, read_full(rep[0], &child, sizeof(child), CKPT_WAIT_MS));

	/* nobody checkpoints the child into a full pipe: the header blocks */
	ASSERT_EQ(0, pipe2(img, O_CLOEXEC));
	ASSERT_EQ(4096, fcntl(img[1], F_SETPIPE_SZ, 4096));
	memset(stack, 0, 4096);
	ASSERT_EQ(4096, write(img[1], stack, 4096));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	caller = fork();
	ASSERT_LE(0, caller);
	if (caller == 0) {
		become_nobody();
		errno = 0;
		hr.ret = sys_checkpoint(child, img[1], 0);
		hr.err = hr.ret < 0 ? errno : 0;
		_exit(write(res[1], &hr, sizeof(hr)) == sizeof(hr) ? 0 : 1);
	}
	close(img[1]);
	close(res[1]);
	ASSERT_TRUE(wait_state(child, 'D', CKPT_WAIT_MS)) {
		TH_LOG("the child is not held (state %c)", proc_state(child));
	}
	ASSERT_EQ(1, write(cmd[1], "x", 1));
	ASSERT_EQ(0, read_full(rep[0], &c, 1, CKPT_WAIT_MS));

	/* drain: the checkpoint goes on and finds it may not ptrace the child */
	b.rfd = img[0];
	ASSERT_EQ(0, fcntl(b.rfd, F_SETFL, O_NONBLOCK));
	while (read_full(res[0], &hr, sizeof(hr), 50) == -ETIMEDOUT)
		bg_drain(&b);
	EXPECT_EQ(-1, hr.ret);
	EXPECT_EQ(EPERM, hr.err);
	ASSERT_EQ(caller, waitpid(caller, &status, 0));
	bg_drain(&b);
	close(b.rfd);
	close(res[0]);
	ASSERT_LE(4096, b.size);
	memset(&im, 0, sizeof(im));
	im.buf = b.buf;
	im.size = b.size - 4096;
	memmove(im.buf, im.buf + 4096, im.size);
	expect_error_record(_metadata, &im, child, EPERM, CKPT_OBJ_TASK,
			    "no permission to ptrace the task");
	img_free(&im);
	kill(child, SIGKILL);
	kill(parent, SIGKILL);
	waitpid(parent, &status, 0);
	free(stack);
}

TEST_HARNESS_MAIN
