/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the checkpoint(2) selftests: the system call wrapper,
 * workload processes that the tests checkpoint, and a small in-memory view
 * of an image.
 *
 * Include after ../kselftest_harness.h: the helpers that take a
 * struct __test_metadata use its ASSERT_* and TH_LOG macros.
 */
#ifndef CKPT_UTIL_H
#define CKPT_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <asm/unistd.h>
#include <linux/types.h>
#include <linux/checkpoint.h>
#include "ckpt_reader.h"	/* tools/checkpoint */

#ifndef __NR_checkpoint
#error "no __NR_checkpoint: set KHDR_INCLUDES to the kernel's installed headers"
#endif

#define CKPT_MAX_WL		4
#define CKPT_MAX_PATHS		8
#define CKPT_INFO_WORDS		8
#define CKPT_WAIT_MS		60000	/* QEMU TCG guests are slow */
#define CKPT_ALIGN_UP(x)	(((x) + CKPT_ALIGN - 1) & ~(size_t)(CKPT_ALIGN - 1))

static inline long sys_checkpoint(pid_t pid, int fd, unsigned long flags)
{
	return syscall(__NR_checkpoint, pid, fd, flags);
}

/* The errno an unknown system call number gets. */
static inline int unknown_syscall_errno(void)
{
	errno = 0;
	syscall(-1L);
	return errno;
}

/*
 * true if the running kernel implements checkpoint(2): it then rejects fd
 * -1 with EBADF (or EINVAL), while a kernel without it fails like for an
 * unknown system call, and a newer kernel may use the number for
 * something else.
 */
static inline bool checkpoint_available(void)
{
	int nosys = unknown_syscall_errno();

	errno = 0;
	if (sys_checkpoint(0, -1, 0) >= 0 || errno == nosys)
		return false;
	return errno == EBADF || errno == EINVAL;
}

static inline long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Workloads
 *
 * A workload is a forked child running fn(wfd, cfd, arg).  It reports
 * through the "report" pipe (write end wfd, always fd 3 in the child) and
 * may read commands from the "command" pipe (read end cfd, always fd 4).
 * The test keeps the other ends, so both are external to the child.
 * fn sets up its state, calls wl_ready() with up to CKPT_INFO_WORDS values
 * for the test and then loops; it must not return.
 */
#define WL_WFD	3
#define WL_CFD	4

typedef void (*wl_fn)(int wfd, int cfd, void *arg);

struct workload {
	pid_t pid;			/* 0: none or already reaped */
	int rfd;			/* read end of the report pipe */
	int cfd;			/* write end of the command pipe */
	__u64 info[CKPT_INFO_WORDS];	/* what the child reported */
};

static inline void wl_ready(int wfd, const __u64 *info, int n)
{
	__u64 buf[CKPT_INFO_WORDS] = { 0 };

	if (n > CKPT_INFO_WORDS)
		n = CKPT_INFO_WORDS;
	if (n > 0)
		memcpy(buf, info, n * sizeof(*info));
	if (write(wfd, buf, sizeof(buf)) != sizeof(buf))
		_exit(120);
}

static inline void wl_die(const char *what)
{
	fprintf(stderr, "workload %d: %s: %s\n", getpid(), what, strerror(errno));
	_exit(121);
}

/*
 * Turn the MAP_SHARED mappings the harness made (checkpoint refuses them)
 * into private copies at the same addresses, so that pointers into them
 * stay valid in the workload; all but the one at @keep, if any.
 */
static inline void wl_privatize_shared_mappings_but(const void *keep)
{
	unsigned long start[64], end[64];
	char line[512], perms[8];
	int i, n = 0;
	void *copy, *p;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		wl_die("/proc/self/maps");
	while (n < 64 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &start[n], &end[n], perms) != 3)
			continue;
		if (perms[3] == 's' &&
		    ((unsigned long)keep < start[n] || (unsigned long)keep >= end[n]))
			n++;
	}
	fclose(f);
	for (i = 0; i < n; i++) {
		size_t len = end[i] - start[i];

		copy = malloc(len);
		if (!copy)
			wl_die("malloc");
		memcpy(copy, (void *)start[i], len);
		p = mmap((void *)start[i], len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p == MAP_FAILED)
			wl_die("mmap");
		memcpy(p, copy, len);
		free(copy);
	}
}

static inline void wl_privatize_shared_mappings(void)
{
	wl_privatize_shared_mappings_but(NULL);
}

static inline void wl_drop_shared_mappings(void)
{
	wl_privatize_shared_mappings();
}

/* Leave only fds a checkpoint supports in 0..2 (a tty, file, pipe, null). */
static inline void wl_sanitize_stdio(void)
{
	struct stat st;
	int fd, null;

	for (fd = 0; fd < 3; fd++) {
		if (fstat(fd, &st) == 0) {
			if (S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))
				continue;
			if (S_ISCHR(st.st_mode) && (isatty(fd) || st.st_rdev == makedev(1, 3)))
				continue;
		}
		null = open("/dev/null", O_RDWR);
		if (null < 0)
			wl_die("/dev/null");
		if (null != fd) {
			dup2(null, fd);
			close(null);
		}
	}
}

static inline void wl_child(int rep[2], int cmd[2], wl_fn fn, void *arg)
{
	int w, c;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(rep[0]);
	close(cmd[1]);
	w = fcntl(rep[1], F_DUPFD, 100);
	c = fcntl(cmd[0], F_DUPFD, 100);
	if (w < 0 || c < 0)
		wl_die("F_DUPFD");
	if (dup2(w, WL_WFD) != WL_WFD || dup2(c, WL_CFD) != WL_CFD)
		wl_die("dup2");
	syscall(__NR_close_range, WL_CFD + 1, ~0U, 0);
	wl_sanitize_stdio();
	wl_privatize_shared_mappings();
	fn(WL_WFD, WL_CFD, arg);
	_exit(122);
}

/* Read exactly len bytes from fd, waiting at most ms milliseconds. */
static inline int read_full(int fd, void *buf, size_t len, int ms)
{
	long long deadline = now_ms() + ms;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = deadline - now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!pfd.revents)
			continue;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		done += n;
	}
	return 0;
}

static inline int start_workload(struct __test_metadata *_metadata,
				 struct workload *wl, wl_fn fn, void *arg)
{
	int rep[2], cmd[2], ret;
	pid_t pid;

	memset(wl, 0, sizeof(*wl));
	wl->rfd = -1;
	wl->cfd = -1;
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	/* *wl may be shared memory: only the parent writes to it */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		wl_child(rep, cmd, fn, arg);
	wl->pid = pid;
	close(rep[1]);
	close(cmd[0]);
	wl->rfd = rep[0];
	wl->cfd = cmd[1];
	ret = read_full(wl->rfd, wl->info, sizeof(wl->info), CKPT_WAIT_MS);
	if (ret)
		TH_LOG("workload %d did not get ready: %s", wl->pid, strerror(-ret));
	ASSERT_EQ(0, ret);
	return 0;
}

/* A workload that does nothing. */
static inline void wl_quiet(int wfd, int cfd, void *arg)
{
	wl_ready(wfd, NULL, 0);
	for (;;)
		pause();
}

/* State letter of /proc/<pid>/stat, or 0. */
static inline char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	return p[2];
}

/* Wait until /proc/<pid>/stat shows state (e.g. 'S' in a blocking read). */
static inline bool wait_state(pid_t pid, char state, int ms)
{
	long long deadline = now_ms() + ms;

	while (proc_state(pid) != state) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(5);
	}
	return true;
}

/* Copy the value of a "Name:\tvalue" line of /proc/<pid>/status. */
static inline bool proc_status(pid_t pid, const char *name, char *val, size_t len)
{
	char path[64], line[256];
	size_t nl = strlen(name);
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, nl) || line[nl] != ':')
			continue;
		snprintf(val, len, "%s", line + nl + 1 + strspn(line + nl + 1, " \t"));
		val[strcspn(val, "\n")] = 0;
		found = true;
		break;
	}
	fclose(f);
	return found;
}

/* Read len bytes at addr in pid's memory. */
static inline bool peek(pid_t pid, __u64 addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

static inline __u64 peek_u64(pid_t pid, __u64 addr)
{
	__u64 v = ~0ULL;

	peek(pid, addr, &v, sizeof(v));
	return v;
}

/* A unique path in /tmp for an image or a scratch file. */
static inline void tmp_path(char *buf, size_t len, const char *what)
{
	static int seq;

	snprintf(buf, len, "/tmp/ckpt-selftest-%d-%d.%s", getpid(), seq++, what);
}

/*
 * Images
 */
struct img {
	unsigned char *buf;
	size_t size;
	bool mapped;
	char why[320];		/* img_check() failure reason */
};

static inline int img_load_fd(int fd, struct img *im)
{
	struct stat st;

	memset(im, 0, sizeof(*im));
	if (fstat(fd, &st))
		return -errno;
	im->size = st.st_size;
	if (!im->size)
		return 0;
	im->buf = mmap(NULL, im->size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (im->buf == MAP_FAILED) {
		im->buf = NULL;
		return -errno;
	}
	im->mapped = true;
	return 0;
}

static inline void img_free(struct img *im)
{
	if (im->mapped)
		munmap(im->buf, im->size);
	else
		free(im->buf);
	im->buf = NULL;
	im->size = 0;
	im->mapped = false;
}

/* The record after h (the first one if h is NULL), NULL at the end. */
static inline const struct ckpt_hdr *img_next(const struct img *im,
					      const struct ckpt_hdr *h)
{
	size_t off = 0;

	if (h)
		off = (const unsigned char *)h - im->buf + CKPT_ALIGN_UP(h->len);
	if (off + sizeof(*h) > im->size)
		return NULL;
	h = (const struct ckpt_hdr *)(im->buf + off);
	if (h->len < sizeof(*h) || h->len > im->size - off)
		return NULL;
	return h;
}

/* The nth (from 0) record of type. */
static inline const void *img_find(const struct img *im, __u32 type, int nth)
{
	const struct ckpt_hdr *h;

	for (h = img_next(im, NULL); h; h = img_next(im, h))
		if (h->type == type && nth-- == 0)
			return h;
	return NULL;
}

static inline int img_count(const struct img *im, __u32 type)
{
	const struct ckpt_hdr *h;
	int n = 0;

	for (h = img_next(im, NULL); h; h = img_next(im, h))
		n += h->type == type;
	return n;
}

static inline const struct ckpt_hdr *img_last(const struct img *im)
{
	const struct ckpt_hdr *h, *last = NULL;

	for (h = img_next(im, NULL); h; h = img_next(im, h))
		last = h;
	return last;
}

static inline const char *img_fail(struct img *im, size_t off, const char *what)
{
	snprintf(im->why, sizeof(im->why), "offset %zu: %s", off, what);
	return im->why;
}

/* The full validation of tools/checkpoint/ckpt_reader.h. */
static inline const char *img_reader_check(struct img *im)
{
	struct ckpt_image *ci;
	char err[256];
	int ret;

	ci = ckpt_image_open_mem(im->buf, im->size);
	if (!ci)
		return img_fail(im, 0, "ckpt_image_open_mem() failed");
	ret = ckpt_image_check(ci, err, sizeof(err));
	ckpt_image_close(ci);
	if (!ret)
		return NULL;
	snprintf(im->why, sizeof(im->why), "ckpt_reader: %s", err);
	return im->why;
}

/*
 * Structural check: record lengths, zero padding, a HEADER first, a TAIL
 * (complete) or an ERROR (failed checkpoint) last, TAIL counts, PAGES
 * records inside their VMA, then ckpt_reader.h's checks.  Returns NULL if
 * fine, else the reason.
 */
static inline const char *img_check(struct img *im, bool complete)
{
	const struct ckpt_rec_header *hd = (const void *)im->buf;
	const struct ckpt_rec_vma *vma = NULL;
	const void *shm = NULL;
	__u64 nr = 0, ps, i, prev, lo, hi, shm_size = 0;
	size_t off = 0, len, end;
	const struct ckpt_hdr *h;

	if (im->size < sizeof(*hd) || hd->h.type != CKPT_REC_HEADER ||
	    hd->h.len < sizeof(*hd))
		return img_fail(im, 0, "no header record");
	if (memcmp(hd->magic, CKPT_MAGIC, 8))
		return img_fail(im, 0, "bad magic");
	ps = hd->page_size;
	for (;;) {
		if (off + sizeof(*h) > im->size)
			return img_fail(im, off, "truncated record header");
		h = (const void *)(im->buf + off);
		len = h->len;
		end = CKPT_ALIGN_UP(len);
		if (len < sizeof(*h) || len > CKPT_REC_MAX_LEN)
			return img_fail(im, off, "bad record length");
		if (off + end > im->size)
			return img_fail(im, off, "record runs past the end");
		for (i = len; i < end; i++)
			if (im->buf[off + i])
				return img_fail(im, off, "nonzero padding");
		if (!(h->type & CKPT_TYPE_OPTIONAL) &&
		    (h->type < CKPT_REC_HEADER || h->type > CKPT_REC_MAX))
			return img_fail(im, off, "unknown record type");
		if (h->type == CKPT_REC_VMA)
			vma = (const void *)h;
		/* PAGES after a SHMEM or SYSV_SHM hold offsets in the object */
		if (h->type == CKPT_REC_SHMEM) {
			shm = (const void *)h;
			shm_size = ((const struct ckpt_rec_shmem *)h)->size;
		} else if (h->type == CKPT_REC_SYSV_SHM) {
			shm = (const void *)h;
			shm_size = ((const struct ckpt_rec_sysv_shm *)h)->size;
		} else if (h->type != CKPT_REC_PAGES) {
			shm = NULL;
		}
		if (h->type == CKPT_REC_PAGES) {
			const struct ckpt_rec_pages *pg = (const void *)h;

			if (!vma && !shm)
				return img_fail(im, off, "PAGES without a VMA");
			lo = shm ? 0 : vma->start;
			hi = shm ? shm_size : vma->end;
			if (pg->nr_pages < 1 || pg->nr_pages > CKPT_PAGES_BATCH ||
			    len != sizeof(*pg) + pg->nr_pages * (8 + ps))
				return img_fail(im, off, "bad PAGES record size");
			prev = 0;
			for (i = 0; i < pg->nr_pages; i++) {
				if (pg->addrs[i] % ps || pg->addrs[i] < lo ||
				    pg->addrs[i] >= hi || (i && pg->addrs[i] <= prev))
					return img_fail(im, off, "bad page address");
				prev = pg->addrs[i];
			}
		}
		if (h->type == CKPT_REC_TAIL || h->type == CKPT_REC_ERROR)
			break;
		nr++;
		off += end;
	}
	if (off + end != im->size)
		return img_fail(im, off, "data after the last record");
	if (complete) {
		const struct ckpt_rec_tail *t = (const void *)h;

		if (h->type != CKPT_REC_TAIL || len < sizeof(*t))
			return img_fail(im, off, "last record is not a TAIL");
		if (memcmp(t->magic, CKPT_MAGIC, 8) || t->nr_records != nr || t->size != off)
			return img_fail(im, off, "TAIL does not match the image");
	} else if (h->type != CKPT_REC_ERROR || len < sizeof(struct ckpt_rec_error) + 1) {
		return img_fail(im, off, "last record is not an ERROR");
	}
	return img_reader_check(im);
}

/* The FILE record for fd in the (first) FILES table; *fdflags gets CKPT_FD_*. */
static inline const struct ckpt_rec_file *img_fd_file(const struct img *im, int fd,
						      __u32 *fdflags)
{
	const struct ckpt_rec_files *fs = img_find(im, CKPT_REC_FILES, 0);
	const struct ckpt_rec_file *f;
	const struct ckpt_hdr *h;
	__u32 i, ref = 0;

	if (!fs)
		return NULL;
	for (i = 0; i < fs->nr_fds; i++) {
		if (fs->fds[i].fd == (__u32)fd) {
			ref = fs->fds[i].file_ref;
			if (fdflags)
				*fdflags = fs->fds[i].flags;
		}
	}
	if (!ref)
		return NULL;
	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		f = (const void *)h;
		if (h->type == CKPT_REC_FILE && f->objref == ref)
			return f;
	}
	return NULL;
}

/* The VMA record that contains addr. */
static inline const struct ckpt_rec_vma *img_vma_at(const struct img *im, __u64 addr)
{
	const struct ckpt_rec_vma *v;
	const struct ckpt_hdr *h;

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		v = (const void *)h;
		if (h->type == CKPT_REC_VMA && v->start <= addr && addr < v->end)
			return v;
	}
	return NULL;
}

static inline __u32 img_page_size(const struct img *im)
{
	const struct ckpt_rec_header *hd = img_find(im, CKPT_REC_HEADER, 0);

	return hd ? hd->page_size : 4096;
}

typedef bool (*page_cb)(__u64 addr, const unsigned char *data, void *arg);

/*
 * Count the pages in [start, end) in PAGES records, calling cb (if any) on
 * each; *bad counts the pages cb rejected.
 */
static inline long img_pages(const struct img *im, __u64 start, __u64 end,
			     page_cb cb, void *arg, long *bad)
{
	__u64 ps = img_page_size(im), i;
	const struct ckpt_rec_pages *pg;
	const unsigned char *data;
	const struct ckpt_hdr *h;
	long n = 0;

	*bad = 0;
	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		if (h->type != CKPT_REC_PAGES)
			continue;
		pg = (const void *)h;
		data = (const unsigned char *)&pg->addrs[pg->nr_pages];
		for (i = 0; i < pg->nr_pages; i++) {
			if (pg->addrs[i] < start || pg->addrs[i] >= end)
				continue;
			n++;
			if (cb && !cb(pg->addrs[i], data + i * ps, arg))
				(*bad)++;
		}
	}
	return n;
}

/*
 * Fixture state common to all tests: workloads killed and image files
 * removed in teardown.
 */
/* Lives in memory shared with the harness (FIXTURE_TEARDOWN_PARENT). */
struct ckpt_state {
	struct workload wl[CKPT_MAX_WL];
	char path[CKPT_MAX_PATHS][80];
	int npath;
	struct img im[CKPT_MAX_WL];
};

static inline const char *ckpt_new_path(struct ckpt_state *s, const char *what)
{
	char *p = s->path[s->npath < CKPT_MAX_PATHS ? s->npath++ : CKPT_MAX_PATHS - 1];

	tmp_path(p, sizeof(s->path[0]), what);
	return p;
}

/*
 * For FIXTURE_TEARDOWN_PARENT(): runs in the harness process that forked
 * the test, or in the test process itself, so it only kills the workloads
 * (they also get SIGKILL when the test process exits, see
 * PR_SET_PDEATHSIG) and removes the files.
 */
static inline void ckpt_cleanup(struct ckpt_state *s)
{
	int i;

	for (i = 0; i < CKPT_MAX_WL; i++) {
		if (s->wl[i].pid > 0) {
			kill(s->wl[i].pid, SIGKILL);
			waitpid(s->wl[i].pid, NULL, WNOHANG);
		}
		s->wl[i].pid = 0;
	}
	for (i = 0; i < s->npath; i++)
		if (unlink(s->path[i]))
			rmdir(s->path[i]);
	s->npath = 0;
}

static inline void ckpt_init(struct ckpt_state *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < CKPT_MAX_WL; i++) {
		s->wl[i].rfd = -1;
		s->wl[i].cfd = -1;
	}
}

/*
 * Checkpoint pid into a new file in /tmp; *err gets errno on failure.  The
 * image (whatever was written) is loaded into *im.  Returns the syscall's
 * return value.
 */
static inline long take_image(struct __test_metadata *_metadata, struct ckpt_state *s,
			      pid_t pid, unsigned long flags, struct img *im, int *err)
{
	const char *path = ckpt_new_path(s, "img");
	long ret;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd) {
		TH_LOG("open %s: %s", path, strerror(errno));
	}
	errno = 0;
	ret = sys_checkpoint(pid, fd, flags);
	*err = ret < 0 ? errno : 0;
	if (ret >= 0) {
		EXPECT_EQ(lseek(fd, 0, SEEK_END), lseek(fd, 0, SEEK_CUR)) {
			TH_LOG("the file position is not at the end of the image");
		}
	}
	ASSERT_EQ(0, img_load_fd(fd, im));
	close(fd);
	return ret;
}

/* take_image() that must succeed and give a structurally valid image. */
static inline void take_good_image(struct __test_metadata *_metadata, struct ckpt_state *s,
				   pid_t pid, unsigned long flags, struct img *im)
{
	const char *why;
	long ret;
	int err;

	ret = take_image(_metadata, s, pid, flags, im, &err);
	ASSERT_LT(0, ret) {
		TH_LOG("checkpoint(%d) failed: %s", pid, strerror(err));
		if (img_last(im) && img_last(im)->type == CKPT_REC_ERROR) {
			const struct ckpt_rec_error *e = (const void *)img_last(im);

			TH_LOG("error record: pid %u kind %u fd %d addr %#llx: %.*s",
			       e->pid, e->kind, (int)e->fd, (unsigned long long)e->addr,
			       (int)(e->h.len - sizeof(*e)), (const char *)e->msg);
		}
	}
	why = img_check(im, true);
	ASSERT_EQ(NULL, why) {
		TH_LOG("bad image of %d (%zu bytes): %s", pid, im->size, why);
	}
}

#endif /* CKPT_UTIL_H */
