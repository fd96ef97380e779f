// SPDX-License-Identifier: GPL-2.0
/*
 * cr.exclude applied by checkpoint(2): what each bit leaves out of the
 * image, what it keeps, and how restart(2) recreates what was left out.
 * The workload runs in a cgroup below one whose cr.exclude holds the mask
 * of the variant (so the effective mask is inherited); it is checkpointed
 * and killed, restarted, and reports what it finds.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"
#include "ckpt_cg.h"

#define BIG_LEN		(8UL << 20)	/* an anonymous mmap */
#define ARR_LEN		(4UL << 20)	/* a malloc()ed array */
#define SMALL_LEN	(64UL << 10)	/* a small mmap: kept */
#define BSS_LEN		(256UL << 10)	/* .bss: kept */
#define NHEAP		64		/* small malloc()s: the heap, kept */
#define NTHR_BLOCKS	32		/* a thread's malloc()s: its arena */

FIXTURE(ex) {
	struct scratch s;
	char top[PATH_MAX];	/* CG_ROOT/ckpt_exclude_test.PID */
	char masked[PATH_MAX];	/* top/ex: cr.exclude = the variant's mask */
	char leaf[PATH_MAX];	/* top/ex/leaf: the workload's */
	bool root_enabled;
	pid_t pid;
};

FIXTURE_VARIANT(ex) {
	const char *mask;	/* written to cr.exclude */
	__u32 bits;		/* CKPT_EXCLUDE_* it means */
};

FIXTURE_VARIANT_ADD(ex, none) {
	.mask = "",
	.bits = 0,
};

FIXTURE_VARIANT_ADD(ex, anon) {
	.mask = "anon",
	.bits = CKPT_EXCLUDE_ANON,
};

FIXTURE_VARIANT_ADD(ex, net) {
	.mask = "net",
	.bits = CKPT_EXCLUDE_NET,
};

FIXTURE_VARIANT_ADD(ex, files) {
	.mask = "files",
	.bits = CKPT_EXCLUDE_FILEDATA,
};

FIXTURE_SETUP(ex)
{
	const char *why = cg_cr_missing();
	int err;

	scratch_init(&self->s);
	self->pid = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
	if (why)
		SKIP(return, "%s", why);
	err = cg_make_top(self->top, "ckpt_exclude_test", &self->root_enabled);
	ASSERT_EQ(0, err) {
		TH_LOG("making %s: %s", self->top, strerror(-err));
	}
	new_cgroup(_metadata, self->masked, self->top, "ex", true);
	new_cgroup(_metadata, self->leaf, self->masked, "leaf", false);
	if (*variant->mask)
		ASSERT_EQ(0, cg_write(self->masked, "cr.exclude", variant->mask));
}

FIXTURE_TEARDOWN(ex)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	umount2(spath(&self->s, "ramfs"), MNT_DETACH);
	if (*self->top)
		remove_cgroup(self->top);
	if (self->root_enabled)
		cg_write(CG_ROOT, "cgroup.subtree_control", "-cr");
	scratch_clean(&self->s);
}

/* put a line of numbers in dir/name */
static void put_line(const char *dir, const char *name, const char *fmt, ...)
{
	char tmp[160], buf[256];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	snprintf(tmp, sizeof(tmp), "%s.tmp", dpath(dir, name));
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, n) != n)
		;
	close(fd);
	rename(tmp, dpath(dir, name));
}

static unsigned char pat(size_t i, int salt)
{
	return (unsigned char)(i * 31 + salt);
}

static void fill(unsigned char *p, size_t len, int salt)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(i, salt);
}

/*
 * 0: intact; 1: intact up to some byte at most @keep, zero from there on;
 * 2: anything else
 */
static int state(const unsigned char *p, size_t len, size_t keep, int salt)
{
	size_t i = 0;

	while (i < len && p[i] == pat(i, salt))
		i++;
	if (i == len)
		return 0;
	if (i > keep)
		return 2;
	while (i < len && !p[i])
		i++;
	return i == len ? 1 : 2;
}

/* Rss in KiB of the mapping that holds @addr, -1 if not found */
static long rss_kib(unsigned long addr)
{
	char line[256];
	unsigned long s, e;
	long rss = -1;
	bool in = false;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s <= addr && addr < e;
			continue;
		}
		if (in && sscanf(line, "Rss: %ld kB", &rss) == 1)
			break;
	}
	fclose(f);
	return rss;
}

static unsigned char bss[BSS_LEN];
static __thread long tls_val;
static atomic_int go;

/*
 * A thread with data on its stack, in its TLS and in its malloc arena;
 * after restart it checks them, then allocates and frees in its arena.
 */
static void *wl_thread(void *arg)
{
	unsigned char local[8192];
	unsigned char *blk[NTHR_BLOCKS];
	long bad = 0;
	int i;

	tls_val = 7;
	fill(local, sizeof(local), 3);
	for (i = 0; i < NTHR_BLOCKS; i++) {
		blk[i] = malloc(1000 + i);
		if (!blk[i])
			return (void *)1L;
		fill(blk[i], 1000 + i, i);
	}
	atomic_fetch_add(&go, 1);
	while (atomic_load(&go) < 2)
		usleep(1000);
	if (tls_val != 7)
		bad |= 1;
	if (state(local, sizeof(local), 0, 3))
		bad |= 2;
	for (i = 0; i < NTHR_BLOCKS; i++) {
		if (state(blk[i], 1000 + i, 0, i))
			bad |= 4;
		free(blk[i]);
	}
	for (i = 0; i < 1000; i++) {
		void *p = malloc(16 + (i * 37) % 20000);

		if (!p)
			bad |= 8;
		memset(p, i, 16);
		free(p);
	}
	return (void *)bad;
}

static void wl_anon(const char *dir)
{
	unsigned char *big, *arr, *arr2, *small, *heap[NHEAP];
	size_t ps = getpagesize();
	long bad = 0, rss;
	pthread_t thr;
	void *tret;
	int i;

	wl_task_setup();
	tls_val = 42;
	fill(bss, BSS_LEN, 1);
	/*
	 * an inaccessible spacer first, so that what follows does not merge
	 * with ld.so's memory (around the main thread's TLS, which is kept)
	 */
	if (mmap(NULL, 1 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0) == MAP_FAILED)
		_exit(38);
	big = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* between two inaccessible pages, so that it merges with nothing */
	small = mmap(NULL, SMALL_LEN + 2 * ps, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (small == MAP_FAILED ||
	    mprotect(small + ps, SMALL_LEN, PROT_READ | PROT_WRITE))
		_exit(39);
	small += ps;
	/* two blocks malloc maps for itself, whose mappings merge */
	arr = malloc(ARR_LEN);
	arr2 = malloc(ARR_LEN);
	if (big == MAP_FAILED || small == MAP_FAILED || !arr || !arr2)
		_exit(40);
	fill(big, BIG_LEN, 2);
	fill(small, SMALL_LEN, 4);
	fill(arr, ARR_LEN, 5);
	fill(arr2, ARR_LEN, 9);
	for (i = 0; i < NHEAP; i++) {
		heap[i] = malloc(500 + i);
		if (!heap[i])
			_exit(41);
		fill(heap[i], 500 + i, 6 + i);
	}
	if (pthread_create(&thr, NULL, wl_thread, NULL))
		_exit(42);
	while (atomic_load(&go) < 1)
		usleep(1000);
	put_line(dir, "addrs", "%lu %lu\n", (unsigned long)big,
		 (unsigned long)arr);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);

	/* before anything touches it */
	rss = rss_kib((unsigned long)big);
	atomic_store(&go, 2);
	if (tls_val != 42)
		bad |= 1;
	if (state(bss, BSS_LEN, 0, 1))
		bad |= 2;
	if (state(small, SMALL_LEN, 0, 4))
		bad |= 4;
	for (i = 0; i < NHEAP; i++)
		if (state(heap[i], 500 + i, 0, 6 + i))
			bad |= 8;
	if (pthread_join(thr, &tret) || tret)
		bad |= 16 | ((long)tret << 8);
	/*
	 * malloc's header is in the page where an array starts: kept, and
	 * perhaps a page more (the mapping may have merged with a thread's
	 * stack below, whose TCB range is kept)
	 */
	put_line(dir, "done", "%ld %d %d %d %ld\n", bad,
		 state(big, BIG_LEN, ps, 2), state(arr, ARR_LEN, 2 * ps, 5),
		 state(arr2, ARR_LEN, 2 * ps, 9), rss);
	/* the allocator still works: free the arrays, allocate again */
	free(arr);
	free(arr2);
	arr = malloc(ARR_LEN);
	if (!arr)
		_exit(43);
	memset(arr, 1, ARR_LEN);
	free(arr);
	_exit(0);
}

/* the VMA record of the image that starts at @addr */
static const struct ckpt_rec_vma *vma_at(const struct img *im, __u64 addr)
{
	const struct ckpt_hdr *h;

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		const struct ckpt_rec_vma *v = (const void *)h;

		if (h->type == CKPT_REC_VMA && v->start <= addr &&
		    addr < v->end)
			return v;
	}
	return NULL;
}

static bool at_tree(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_TREE;
}

static bool at_file_vma(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_VMA &&
	       ((const struct ckpt_rec_vma *)h)->type == CKPT_VMA_FILE;
}

/*
 * The anonymous memory bit: the contents of the big mapping and of the
 * malloc()ed array are left out but for their first page, and read zero
 * after restart without costing memory; the stack, TLS, .bss, heap, small
 * mappings and a thread's arena are kept, and the allocator still works.
 * Without the bit, everything is there.
 */
TEST_F_TIMEOUT(ex, anon_memory, 300)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_header *hd;
	const struct ckpt_rec_tree *tr;
	const struct ckpt_rec_vma *v;
	bool skipping = variant->bits & CKPT_EXCLUDE_ANON;
	unsigned long big, arr;
	long bad, rss;
	int big_st, arr_st, arr2_st, fd, status, n;
	struct img im = {};
	char buf[128];
	pid_t top;

	if (variant->bits & ~CKPT_EXCLUDE_ANON)
		SKIP(return, "about the anon bit");
	/* no workload fd here: the files test has its own */
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_anon(self->s.dir);
	ASSERT_EQ(0, cg_enter(self->leaf, self->pid));
	ASSERT_TRUE(wait_file(spath(&self->s, "addrs"), CKPT_WAIT_MS));
	fd = open(spath(&self->s, "addrs"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	n = sscanf(buf, "%lu %lu", &big, &arr);
	ASSERT_EQ(2, n);

	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;

	/* the image says what was left out, and is that much smaller */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	hd = (const void *)im.buf;
	EXPECT_EQ(variant->bits, hd->exclude);
	tr = img_find(&im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	EXPECT_EQ(variant->bits, tr->tasks[0].exclude);
	EXPECT_EQ(variant->bits, tr->tasks[1].exclude);
	v = vma_at(&im, big);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(skipping, !!(v->flags & CKPT_VMA_SKIPPED));
	v = vma_at(&im, arr);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(skipping, !!(v->flags & CKPT_VMA_SKIPPED));
	/* left out: the image is small; else it holds all of it */
	EXPECT_GT(skipping ? 3UL << 20 : ~0UL, im.size);
	EXPECT_LT(skipping ? 0 : BIG_LEN + 2 * ARR_LEN, im.size);
	img_free(&im);

	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_file(spath(&self->s, "done"), CKPT_WAIT_MS));
	fd = open(spath(&self->s, "done"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	n = sscanf(buf, "%ld %d %d %d %ld", &bad, &big_st, &arr_st, &arr2_st,
		   &rss);
	ASSERT_EQ(5, n);
	EXPECT_EQ(0, bad) {
		TH_LOG("kept state lost: mask %#lx", bad);
	}
	EXPECT_EQ(skipping ? 1 : 0, big_st);
	EXPECT_EQ(skipping ? 1 : 0, arr_st);
	EXPECT_EQ(skipping ? 1 : 0, arr2_st);
	/* what was left out costs no memory until touched */
	EXPECT_GE(skipping ? 64 : LONG_MAX, rss);
	EXPECT_LE(skipping ? 0 : (long)(BIG_LEN >> 10), rss);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
	}
	self->pid = 0;
	if (!skipping)
		return;

	/* forged: an unknown bit, a thread unlike its leader, a file left out */
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_tree,
			 offsetof(struct ckpt_rec_tree, tasks[0].exclude),
			 &(__le32){ 0x8 }, 4, "unknown exclude bit");
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_tree,
			 offsetof(struct ckpt_rec_tree, tasks[1].exclude),
			 &(__le32){ 0 }, 4, "thread's mask unlike its leader's");
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_file_vma,
			 offsetof(struct ckpt_rec_vma, flags),
			 &(__le32){ CKPT_VMA_SKIPPED }, 4,
			 "a file mapping left out");
}

/*
 * The net bit: sockets of every kind are left out; after restart each fd
 * holds a dead socket of the same family and type whose every operation
 * fails with ECONNRESET and which polls as EPOLLERR | EPOLLHUP, and a new
 * socket works (the runtime's reconnect path).
 */
#define NSOCK		5

static const int sock_kind[NSOCK][2] = {
	{ AF_UNIX, SOCK_STREAM }, { AF_UNIX, SOCK_STREAM },
	{ AF_UNIX, SOCK_DGRAM }, { AF_INET, SOCK_STREAM },
	{ AF_INET6, SOCK_DGRAM },
};

/* a bitmask of what a dead socket at @fd did not do as documented */
static long dead_socket(int fd, int family, int type)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int v, err;
	socklen_t len = sizeof(v);
	struct stat st;
	char c = 'x';
	long bad = 0;

	if (fstat(fd, &st) || !S_ISSOCK(st.st_mode))
		bad |= 1;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) || v != family)
		bad |= 2;
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) || v != type)
		bad |= 4;
	len = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) ||
	    err != ECONNRESET)
		bad |= 8;
	if (poll(&pfd, 1, 0) != 1 || pfd.revents != (POLLERR | POLLHUP))
		bad |= 16;
	if (read(fd, &c, 1) != -1 || errno != ECONNRESET)
		bad |= 32;
	if (write(fd, &c, 1) != -1 || errno != ECONNRESET)
		bad |= 64;
	if (send(fd, &c, 1, MSG_NOSIGNAL) != -1 || errno != ECONNRESET)
		bad |= 128;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != -1 ||
	    errno != ECONNRESET)
		bad |= 256;
	v = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)) != -1 ||
	    errno != ECONNRESET)
		bad |= 512;
	if (close(fd))
		bad |= 1024;
	return bad;
}

static void wl_net(const char *dir)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fds[NSOCK], sv[2], lfd, i;
	long bad = 0;

	wl_task_setup();
	signal(SIGPIPE, SIG_IGN);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[0], "hi", 2) != 2)
		_exit(40);
	fds[0] = sv[0];
	fds[1] = sv[1];
	fds[2] = socket(AF_UNIX, SOCK_DGRAM, 0);
	/* a TCP connection to a listener of its own, on the loopback */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 4) || getsockname(lfd, (struct sockaddr *)&sin, &len))
		_exit(41);
	fds[3] = socket(AF_INET, SOCK_STREAM, 0);
	if (fds[3] < 0 || connect(fds[3], (struct sockaddr *)&sin, sizeof(sin)))
		_exit(42);
	fds[4] = socket(AF_INET6, SOCK_DGRAM, 0);
	for (i = 0; i < NSOCK; i++)
		if (fds[i] < 0)
			_exit(43);
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
	/* the first socket that failed (1..), times 10000, and how */
	for (i = 0; i <= NSOCK && !bad; i++) {
		bad = i < NSOCK ?
		      dead_socket(fds[i], sock_kind[i][0], sock_kind[i][1]) :
		      dead_socket(lfd, AF_INET, SOCK_STREAM);
		if (bad)
			bad += (i + 1) * 10000;
	}
	/* reconnecting works */
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[0], "x", 1) != 1 ||
	    read(sv[1], &len, 1) != 1)
		bad = 99;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

static bool at_dead_socket(const struct ckpt_hdr *h,
			   const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_FILE &&
	       ((const struct ckpt_rec_file *)h)->type == CKPT_FILE_NET_SKIPPED;
}

/* the CKPT_FILE_NET_SKIPPED records of the valid image @path */
static int count_dead_sockets(struct __test_metadata *_metadata,
			      const char *path)
{
	const struct ckpt_rec_file *f;
	const struct ckpt_hdr *h;
	struct img im = {};
	int fd, n = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || img_load_fd(fd, &im)) {
		TH_LOG("%s: cannot load it", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	for (h = img_next(&im, NULL); h; h = img_next(&im, h)) {
		f = (const void *)h;
		if (h->type == CKPT_REC_FILE && f->type == CKPT_FILE_NET_SKIPPED)
			n++;
	}
	img_free(&im);
	return n;
}

TEST_F_TIMEOUT(ex, net_sockets, 300)
{
	const char *img = spath(&self->s, "img");
	int status;
	long done;
	pid_t top;

	if (!(variant->bits & CKPT_EXCLUDE_NET))
		SKIP(return, "about the net bit");
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_net(self->s.dir);
	ASSERT_EQ(0, cg_enter(self->leaf, self->pid));
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;

	/* one per socket, the listener too */
	EXPECT_EQ(NSOCK + 1, count_dead_sockets(_metadata, img));

	/*
	 * The restored task, outside the masked cgroup now, checkpointed
	 * again: its dead sockets are saved as dead sockets, not read as
	 * sockets of their family.
	 */
	ASSERT_LT(0, take(spath(&self->s, "img2"), top, 0, &status)) {
		TH_LOG("checkpoint of the restored task: %s", strerror(status));
	}
	EXPECT_EQ(NSOCK + 1, count_dead_sockets(_metadata,
						spath(&self->s, "img2")));

	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done,
			      CKPT_WAIT_MS));
	EXPECT_EQ(0, done) {
		TH_LOG("dead socket %ld: mask %#lx", done / 10000, done % 10000);
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;

	/* forged: no family, an unknown type, not a socket */
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_dead_socket,
			 offsetof(struct ckpt_rec_file, rdev),
			 &(__le32){ SOCK_STREAM }, 4, "socket of no family");
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_dead_socket,
			 offsetof(struct ckpt_rec_file, rdev),
			 &(__le32){ AF_UNIX << 16 | 99 }, 4, "socket type 99");
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_dead_socket,
			 offsetof(struct ckpt_rec_file, f_mode),
			 &(__le32){ S_IFREG | 0600 }, 4, "a regular file");
}

/*
 * The files bit.  Without it the contents of a scratch file on tmpfs, of
 * one on ramfs and of unlinked files are in the image: restart makes the
 * named ones again where they were (or uses them if they are identical,
 * and fails with EEXIST if not, removing what it made), and the unlinked
 * ones as unlinked files.  With it, named files are reopened by path and
 * unlinked ones come back empty.
 */
#define FD_SIZE		(20 * 4096 + 100)
#define FD_POS		1234

static unsigned char fpat(long off, int salt)
{
	return (unsigned char)(off * 7 + salt + 1);
}

/* write pages 0, 5 and the partial last one of a FD_SIZE file */
static int write_sparse(int fd, int salt)
{
	static const long pages[] = { 0, 5, 20 };
	unsigned char buf[4096];
	size_t i, j;

	for (i = 0; i < 3; i++) {
		long off = pages[i] * 4096;
		size_t len = i < 2 ? 4096 : 100;

		for (j = 0; j < len; j++)
			buf[j] = fpat(off + j, salt);
		if (pwrite(fd, buf, len, off) != (ssize_t)len)
			return -1;
	}
	return 0;
}

/* 0: the pattern of write_sparse(); 1: all zeros of FD_SIZE; 2: else */
static int sparse_state(int fd, int salt)
{
	unsigned char buf[4096];
	bool pat = true, zero = true;
	struct stat st;
	long off, j;

	if (fstat(fd, &st) || st.st_size != FD_SIZE)
		return 2;
	for (off = 0; off < FD_SIZE; off += 4096) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n <= 0)
			return 2;
		for (j = 0; j < n; j++) {
			long pg = off / 4096;
			unsigned char want = (pg == 0 || pg == 5 || pg == 20) ?
					     fpat(off + j, salt) : 0;

			pat &= buf[j] == want;
			zero &= !buf[j];
		}
	}
	return pat ? 0 : zero ? 1 : 2;
}

static void wl_files(const char *dir, const char *ram)
{
	int data, gone, rgone, rdata, st_gone, st_rgone;
	char path[160];
	unsigned char *map;
	long bad = 0;
	int fd;

	wl_task_setup();
	snprintf(path, sizeof(path), "%s/data", dir);
	data = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	snprintf(path, sizeof(path), "%s/gone", dir);
	gone = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (data < 0 || gone < 0 || unlink(path))
		_exit(40);
	snprintf(path, sizeof(path), "%s/rdata", ram);
	rdata = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	snprintf(path, sizeof(path), "%s/rgone", ram);
	rgone = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (rdata < 0 || rgone < 0 || unlink(path))
		_exit(41);
	if (ftruncate(data, FD_SIZE) || ftruncate(gone, FD_SIZE) ||
	    ftruncate(rdata, FD_SIZE) || ftruncate(rgone, FD_SIZE) ||
	    write_sparse(data, 1) || write_sparse(gone, 2) ||
	    write_sparse(rdata, 3) || write_sparse(rgone, 4) ||
	    fchmod(data, 0640) || lseek(data, FD_POS, SEEK_SET) != FD_POS ||
	    lseek(gone, 77, SEEK_SET) != 77)
		_exit(42);
	/* a private mapping of the scratch file, one page written */
	map = mmap(NULL, FD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, data, 0);
	if (map == MAP_FAILED)
		_exit(43);
	map[5 * 4096] = 0xee;
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);

	if (lseek(data, 0, SEEK_CUR) != FD_POS || lseek(gone, 0, SEEK_CUR) != 77)
		bad |= 1;
	if (sparse_state(data, 1) || sparse_state(rdata, 3))
		bad |= 2;
	st_gone = sparse_state(gone, 2);
	st_rgone = sparse_state(rgone, 4);
	/* the fd is the file at the path */
	snprintf(path, sizeof(path), "%s/data", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || pwrite(data, "Z", 1, 3) != 1 ||
	    pread(fd, path, 1, 3) != 1 || path[0] != 'Z')
		bad |= 4;
	if (map[5 * 4096] != 0xee || map[0] != fpat(0, 1) || map[4096])
		bad |= 8;
	put_line(dir, "done", "%ld %d %d\n", bad, st_gone, st_rgone);
	_exit(0);
}

static bool at_filedata(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_FILEDATA &&
	       !(((const struct ckpt_rec_filedata *)h)->flags &
		 CKPT_FILEDATA_UNLINKED);
}

/* restart @img expecting @err, and that no task and no @gone is left */
static void restart_fails(struct __test_metadata *_metadata, const char *img,
			  int want, const char *gone)
{
	int err;
	pid_t top = restart_img(img, 0, 0, &err);

	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
	EXPECT_EQ(-1, top);
	EXPECT_EQ(want, err) {
		TH_LOG("restart: %s", strerror(err));
	}
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	if (gone)
		EXPECT_NE(0, access(gone, F_OK)) {
			TH_LOG("%s was left behind", gone);
		}
}

static void copy_file(struct __test_metadata *_metadata, const char *from,
		      const char *to)
{
	char buf[FD_SIZE];
	int in, out;

	in = open(from, O_RDONLY);
	ASSERT_LE(0, in);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ASSERT_LE(0, out);
	ASSERT_EQ(FD_SIZE, read(in, buf, sizeof(buf)));
	ASSERT_EQ(FD_SIZE, write(out, buf, FD_SIZE));
	close(in);
	close(out);
}

TEST_F_TIMEOUT(ex, file_contents, 300)
{
	bool skipping = variant->bits & CKPT_EXCLUDE_FILEDATA;
	const char *img = spath(&self->s, "img");
	const char *ram = spath(&self->s, "ramfs");
	char data[160], rdata[160], save[160], rsave[160];
	int n = 0, named = 0, skipped = 0, fd, status, st_gone, st_rgone;
	const struct ckpt_hdr *h;
	struct img im = {};
	struct stat st;
	char buf[64];
	long bad;
	pid_t top;

	if (variant->bits & ~CKPT_EXCLUDE_FILEDATA)
		SKIP(return, "about the files bit");
	ASSERT_EQ(0, mkdir(ram, 0700));
	ASSERT_EQ(0, mount("ramfs", ram, "ramfs", 0, NULL));
	snprintf(data, sizeof(data), "%s/data", self->s.dir);
	snprintf(rdata, sizeof(rdata), "%s/rdata", ram);
	snprintf(save, sizeof(save), "%s/data.save", self->s.dir);
	snprintf(rsave, sizeof(rsave), "%s/rdata.save", ram);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_files(self->s.dir, ram);
	ASSERT_EQ(0, cg_enter(self->leaf, self->pid));
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &status));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	for (h = img_next(&im, NULL); h; h = img_next(&im, h)) {
		const struct ckpt_rec_filedata *d = (const void *)h;

		if (h->type != CKPT_REC_FILEDATA)
			continue;
		n++;
		named += !(d->flags & CKPT_FILEDATA_UNLINKED);
		skipped += !!(d->flags & CKPT_FILEDATA_SKIPPED);
	}
	img_free(&im);
	/* data, rdata, gone, rgone; the named ones not at all with the bit */
	EXPECT_EQ(skipping ? 2 : 4, n);
	EXPECT_EQ(skipping ? 0 : 2, named);
	EXPECT_EQ(skipping ? 2 : 0, skipped);

	if (skipping) {
		/* found by path (and checked, when mapped): it must be there */
		ASSERT_EQ(0, rename(data, save));
		ASSERT_EQ(0, rename(rdata, rsave));
		restart_fails(_metadata, img, ENOENT, NULL);
		ASSERT_EQ(0, rename(save, data));
		ASSERT_EQ(0, rename(rsave, rdata));
	} else {
		/* a fresh machine: the scratch files are gone */
		copy_file(_metadata, rdata, rsave);
		ASSERT_EQ(0, unlink(data));
		ASSERT_EQ(0, unlink(rdata));
		/* one is made, the other differs: nothing stays, nothing is overwritten */
		copy_file(_metadata, rsave, rdata);
		fd = open(rdata, O_WRONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, pwrite(fd, "!", 1, 4096));
		close(fd);
		restart_fails(_metadata, img, EEXIST, data);
		fd = open(rdata, O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, pread(fd, buf, 1, 4096));
		EXPECT_EQ('!', buf[0]);
		close(fd);
		ASSERT_EQ(0, unlink(rdata));
	}
	top = restart_img(img, 0, 0, &status);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	self->pid = top;
	/* made again with its mode (and as the caller) */
	ASSERT_EQ(0, stat(data, &st));
	EXPECT_EQ(0640, st.st_mode & 07777);
	EXPECT_EQ(0, stat(rdata, &st));
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_file(spath(&self->s, "done"), CKPT_WAIT_MS));
	fd = open(spath(&self->s, "done"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	n = sscanf(buf, "%ld %d %d", &bad, &st_gone, &st_rgone);
	ASSERT_EQ(3, n);
	EXPECT_EQ(0, bad) {
		TH_LOG("files: mask %#lx", bad);
	}
	/* unlinked: carried, or made again empty */
	EXPECT_EQ(skipping ? 1 : 0, st_gone);
	EXPECT_EQ(skipping ? 1 : 0, st_rgone);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
	if (skipping) {
		/* a mapped file found by path is checked: it must not change */
		fd = open(data, O_WRONLY | O_APPEND);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, write(fd, "+", 1));
		close(fd);
		restart_fails(_metadata, img, ESTALE, NULL);
		return;
	}

	/* forged: a named file by a relative path, left out */
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_filedata,
			 offsetof(struct ckpt_rec_filedata, path), "x", 1,
			 "relative path");
	forge_and_expect(_metadata, img, spath(&self->s, "bad"), at_filedata,
			 offsetof(struct ckpt_rec_filedata, flags),
			 &(__le32){ CKPT_FILEDATA_SKIPPED }, 4,
			 "named file left out");
}

/*
 * The example of tools/checkpoint/examples: a threaded computation in a
 * cgroup with cr.exclude = "anon net" saves its arrays, closes its
 * connection, checkpoints itself and goes on; restarted from the image
 * (with its server restarted on another port) it reloads, reconnects and
 * ends with the same answer, from an image that holds neither.
 */
/* run @argv (stdio /dev/null) in the cgroup @cg, if any */
static pid_t spawn(const char **argv, const char *cg)
{
	pid_t pid = fork();

	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		if (cg && cg_enter(cg, getpid()))
			_exit(126);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* the first line of @path in @buf, "" if none */
static const char *read_answer(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = 0;
		fclose(f);
	}
	return buf;
}

TEST_F_TIMEOUT(ex, example_runtime, 600)
{
	const char *tools = getenv("CKPT_TOOLS");
	const char *portfile = spath(&self->s, "port");
	const char *img = spath(&self->s, "img");
	const char *answer = spath(&self->s, "answer");
	const char *state = spath(&self->s, "state");
	char prog[PATH_MAX], job[PATH_MAX], orig[64], again[64];
	const char *serve[4], *run[20];
	const struct ckpt_rec_header *hd;
	struct img im = {};
	pid_t server, runner, top;
	int status, fd, n = 0;

	if (variant->bits)
		SKIP(return, "runs once, in a cgroup of its own");
	snprintf(prog, sizeof(prog), "%s/exclude_runtime", tools ?: ".");
	if (access(prog, X_OK))
		SKIP(return, "no exclude_runtime in $CKPT_TOOLS");
	serve[0] = prog;
	serve[1] = "--serve";
	serve[2] = portfile;
	serve[3] = NULL;
	run[n++] = prog;
	run[n++] = "--connect";
	run[n++] = portfile;
	run[n++] = "--state";
	run[n++] = state;
	run[n++] = "--image";
	run[n++] = img;
	run[n++] = "--answer";
	run[n++] = answer;
	run[n++] = "--steps=30";
	run[n++] = "--at=15";
	run[n++] = "--threads=4";
	run[n++] = "--mib=32";
	run[n] = NULL;
	new_cgroup(_metadata, job, self->top, "job", false);
	ASSERT_EQ(0, cg_write(job, "cr.exclude", "anon net"));

	server = spawn(serve, NULL);
	ASSERT_LT(0, server);
	ASSERT_TRUE(wait_file(portfile, CKPT_WAIT_MS));
	runner = spawn(run, job);
	ASSERT_LT(0, runner);
	ASSERT_EQ(runner, waitpid(runner, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("original run: status %#x", status);
	}
	ASSERT_NE(0, *read_answer(answer, orig, sizeof(orig)));
	unlink(answer);

	/* neither the 32 MiB of arrays nor the connection are in the image */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	hd = (const void *)im.buf;
	EXPECT_EQ(CKPT_EXCLUDE_ANON | CKPT_EXCLUDE_NET, hd->exclude);
	EXPECT_GT(8UL << 20, im.size);
	img_free(&im);

	/* the rest of the job comes back elsewhere */
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	unlink(portfile);
	server = spawn(serve, NULL);
	ASSERT_LT(0, server);
	ASSERT_TRUE(wait_file(portfile, CKPT_WAIT_MS));
	top = restart_img(img, 0, 0, &status);
	EXPECT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	if (top > 0) {
		ASSERT_EQ(top, waitpid(top, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			TH_LOG("restarted run: status %#x", status);
		}
		EXPECT_STREQ(orig, read_answer(answer, again, sizeof(again)));
	}
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}

TEST_HARNESS_MAIN
