/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the checkpoint(2) and restart(2) selftests: the system
 * call wrappers, workload processes that the tests checkpoint, a small
 * in-memory view of an image, and the restart helpers (workloads that talk
 * to the test, forged images, the checks that nothing is left behind).
 *
 * Include after ../kselftest_harness.h: the helpers that take a
 * struct __test_metadata use its ASSERT_* and TH_LOG macros.
 */
#ifndef CKPT_UTIL_H
#define CKPT_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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
	bool in_obj = false;
	__u64 nr = 0, ps, i, prev, lo, hi, obj_size = 0;
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
		/* PAGES after a SHMEM or FILEDATA hold offsets in the object */
		if (h->type == CKPT_REC_SHMEM) {
			in_obj = true;
			obj_size = ((const struct ckpt_rec_shmem *)h)->size;
		} else if (h->type == CKPT_REC_FILEDATA) {
			const struct ckpt_rec_filedata *fd = (const void *)h;

			in_obj = true;
			obj_size = fd->flags & CKPT_FILEDATA_SKIPPED ? 0 : fd->size;
		} else if (h->type != CKPT_REC_PAGES) {
			in_obj = false;
		}
		if (h->type == CKPT_REC_PAGES) {
			const struct ckpt_rec_pages *pg = (const void *)h;

			if (!vma && !in_obj)
				return img_fail(im, off, "PAGES without a VMA");
			lo = in_obj ? 0 : vma->start;
			hi = in_obj ? obj_size : vma->end;
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

/*
 * restart(2): workloads that talk to the test, images as files, and the
 * checks that a failed restart leaves nothing behind
 *
 * A workload (struct rproc) reads one-byte commands on its stdin and
 * answers each with a struct reply on its stdout; both are pipes whose
 * other end the test holds, so they are external fds in the image.
 * restart() gives fd N of the restored process a dup of the caller's fd N,
 * so restart_fd() dup2()s new pipes onto the caller's 0 and 1 around the
 * call.
 */
#ifndef __NR_restart
#error "__NR_restart is not defined: build with KHDR_INCLUDES set to the kernel's headers"
#endif

#define RS_MAX_PROCS	4
#define RS_MAX_PATHS	12
#define RS_WL_ENV	"CKPT_RESTART_TEST_WORKLOAD"
#define RS_NOBODY	65534

#define SIGBIT(sig)	(1ULL << ((sig) - 1))

static inline long sys_restart(pid_t pid, int fd, unsigned long flags)
{
	return syscall(__NR_restart, pid, fd, flags);
}

/* true if the running kernel implements restart(2) (and checkpoint(2)) */
static inline bool restart_available(void)
{
	int nosys = unknown_syscall_errno();

	if (!checkpoint_available())
		return false;
	errno = 0;
	if (sys_restart(0, -1, 0) >= 0)
		return true;
	return errno != nosys;
}

/* What a workload answers to a command. */
struct reply {
	__s64 v[8];
	char s[512];
};

/* A workload or restored process and the test's ends of its stdin/stdout. */
struct rproc {
	pid_t pid;		/* 0: none or already reaped */
	int cfd;		/* write end of its stdin */
	int rfd;		/* read end of its stdout */
};

struct rs_state {
	struct rproc p[RS_MAX_PROCS];
	char path[RS_MAX_PATHS][96];
	int npath;
	pid_t helper;
};

/*
 * Workload side
 */
typedef void (*rs_fn)(char cmd, struct reply *r, void *arg);

static int wl_eintr;

static inline void wl_send(const struct reply *r)
{
	if (write(1, r, sizeof(*r)) != sizeof(*r))
		_exit(120);
}

/*
 * fn('I') sets the workload up (its reply tells the test it is ready),
 * then every command byte read from stdin gets fn's reply.  'P' (ping) is
 * answered here with the pid and the number of reads that failed with
 * EINTR.  EOF on stdin ends the workload.
 */
static inline void wl_loop(rs_fn fn, void *arg)
{
	struct reply r;
	ssize_t n;
	char c;

	memset(&r, 0, sizeof(r));
	fn('I', &r, arg);
	wl_send(&r);
	for (;;) {
		n = read(0, &c, 1);
		if (n < 0 && errno == EINTR) {
			wl_eintr++;
			continue;
		}
		if (n <= 0)
			_exit(0);
		memset(&r, 0, sizeof(r));
		if (c == 'P') {
			r.v[0] = getpid();
			r.v[1] = wl_eintr;
			snprintf(r.s, sizeof(r.s), "pong");
		} else {
			fn(c, &r, arg);
		}
		wl_send(&r);
	}
}

/* In the forked child: stdin/stdout become the pipes, nothing else stays. */
static inline void wl_child_setup(int ctl, int rep)
{
	struct stat st;
	int c, w, null;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	c = fcntl(ctl, F_DUPFD, 10);
	w = fcntl(rep, F_DUPFD, 10);
	if (c < 0 || w < 0 || dup2(c, 0) != 0 || dup2(w, 1) != 1)
		_exit(119);
	syscall(__NR_close_range, 3, ~0U, 0);
	/* keep stderr only if checkpoint can take it (external or a file) */
	if (fstat(2, &st) || !(S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode) || isatty(2))) {
		null = open("/dev/null", O_WRONLY);
		if (null < 0 || dup2(null, 2) != 2)
			_exit(118);
		close(null);
	}
	wl_drop_shared_mappings();
	if (chdir("/tmp"))
		_exit(117);
}

/* A workload with nothing but ping; reports its ids. */
static inline void wl_plain(char cmd, struct reply *r, void *arg)
{
	if (cmd == 'I') {
		r->v[0] = getuid();
		r->v[1] = geteuid();
		r->v[2] = getpid();
	}
}

/*
 * Test side
 */
static inline void rs_init(struct rs_state *s)
{
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < RS_MAX_PROCS; i++) {
		s->p[i].cfd = -1;
		s->p[i].rfd = -1;
	}
}

static inline void rproc_close(struct rproc *p)
{
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->rfd >= 0)
		close(p->rfd);
	p->cfd = -1;
	p->rfd = -1;
	p->pid = 0;
}

static inline void rs_cleanup(struct rs_state *s)
{
	int i;

	for (i = 0; i < RS_MAX_PROCS; i++) {
		if (s->p[i].pid > 0) {
			kill(s->p[i].pid, SIGKILL);
			waitpid(s->p[i].pid, NULL, 0);
		}
		rproc_close(&s->p[i]);
	}
	if (s->helper > 0) {
		kill(s->helper, SIGKILL);
		waitpid(s->helper, NULL, 0);
	}
	for (i = 0; i < s->npath; i++)
		unlink(s->path[i]);
	s->npath = 0;
}

/* A new path in /tmp, removed in teardown. */
static inline const char *rs_path(struct rs_state *s, const char *what)
{
	char *p = s->path[s->npath < RS_MAX_PATHS ? s->npath++ : RS_MAX_PATHS - 1];

	tmp_path(p, sizeof(s->path[0]), what);
	return p;
}

static inline int wl_recv(struct rproc *p, struct reply *r)
{
	memset(r, 0, sizeof(*r));
	return read_full(p->rfd, r, sizeof(*r), CKPT_WAIT_MS);
}

/* Send a command, get the reply: 0 or -errno. */
static inline int ask(struct rproc *p, char cmd, struct reply *r)
{
	if (write(p->cfd, &cmd, 1) != 1)
		return -errno;
	return wl_recv(p, r);
}

static inline void fork_workload(struct __test_metadata *_metadata, struct rproc *p, rs_fn fn,
				 void *arg, struct reply *ready, const char *exe, uid_t uid)
{
	static char * const envp[] = { RS_WL_ENV "=1", NULL };
	int ctl[2], rep[2], ret;
	struct reply r;

	ASSERT_EQ(0, pipe2(ctl, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	ASSERT_LE(0, p->pid);
	if (p->pid == 0) {
		wl_child_setup(ctl[0], rep[1]);
		if (!exe)
			wl_loop(fn, arg);
		memset(&r, 0, sizeof(r));
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
			r.v[0] = errno;
			snprintf(r.s, sizeof(r.s), "setresuid failed");
			wl_send(&r);
			_exit(1);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execle(exe, exe, (char *)NULL, envp);
		r.v[0] = errno;
		snprintf(r.s, sizeof(r.s), "exec failed");
		wl_send(&r);
		_exit(1);
	}
	close(ctl[0]);
	close(rep[1]);
	p->cfd = ctl[1];
	p->rfd = rep[0];
	ret = wl_recv(p, ready);
	ASSERT_EQ(0, ret) {
		TH_LOG("workload %d did not get ready: %s", p->pid, strerror(-ret));
	}
}

/* Fork a workload running fn and wait until it is ready. */
static inline void start_workload_fn(struct __test_metadata *_metadata, struct rproc *p, rs_fn fn,
				     void *arg, struct reply *ready)
{
	fork_workload(_metadata, p, fn, arg, ready, NULL, 0);
}

/* SIGKILL and reap p, which must be our child. */
static inline void kill_reap(struct __test_metadata *_metadata, struct rproc *p)
{
	int status = 0;

	if (p->pid > 0) {
		EXPECT_EQ(0, kill(p->pid, SIGKILL));
		EXPECT_EQ(p->pid, waitpid(p->pid, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
			TH_LOG("pid %d: wait status %#x", p->pid, status);
		}
	}
	rproc_close(p);
}

/* Checkpoint pid into a new file in /tmp; returns its path. */
static inline const char *take_image_file(struct __test_metadata *_metadata, struct rs_state *s,
					  pid_t pid)
{
	const char *path = rs_path(s, "img");
	long ret;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	errno = 0;
	ret = sys_checkpoint(pid, fd, 0);
	ASSERT_LT(0, ret) {
		TH_LOG("checkpoint(%d): %s", pid, strerror(errno));
	}
	close(fd);
	return path;
}

/*
 * restart(pid, fd, 0) with new pipes on the caller's fds 0 and 1 for the
 * restored process' external stdin/stdout; on success *out gets it and
 * the test's ends of the pipes.  Returns restart()'s value, *err its errno.
 */
static inline long restart_fd(struct __test_metadata *_metadata, int fd, pid_t pid,
			      struct rproc *out, int *err)
{
	int ctl[2], rep[2], save0, save1, e;
	long ret;

	ASSERT_EQ(0, pipe2(ctl, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	save0 = fcntl(0, F_DUPFD_CLOEXEC, 10);
	save1 = fcntl(1, F_DUPFD_CLOEXEC, 10);
	fflush(stdout);
	ASSERT_EQ(0, dup2(ctl[0], 0));
	ASSERT_EQ(1, dup2(rep[1], 1));
	errno = 0;
	ret = sys_restart(pid, fd, 0);
	e = errno;
	if (save0 >= 0) {
		dup2(save0, 0);
		close(save0);
	} else {
		close(0);
	}
	if (save1 >= 0) {
		dup2(save1, 1);
		close(save1);
	} else {
		close(1);
	}
	close(ctl[0]);
	close(rep[1]);
	if (ret > 0) {
		out->pid = ret;
		out->cfd = ctl[1];
		out->rfd = rep[0];
	} else {
		close(ctl[1]);
		close(rep[0]);
	}
	*err = ret < 0 ? e : 0;
	return ret;
}

/* restart_fd() from a file that must succeed; checks we are the parent. */
static inline void restart_file(struct __test_metadata *_metadata, const char *path, pid_t pid,
				struct rproc *out)
{
	char ppid[32], want[32];
	int fd, err;
	long ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ret = restart_fd(_metadata, fd, pid, out, &err);
	close(fd);
	ASSERT_LT(0, ret) {
		TH_LOG("restart(%d, %s): %s", pid, path, strerror(err));
	}
	ASSERT_TRUE(proc_status(out->pid, "PPid", ppid, sizeof(ppid)));
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_STREQ(want, ppid);
	EXPECT_EQ(0, waitpid(out->pid, NULL, WNOHANG));
}

/* Checkpoint *p, kill and reap it, restart it into *out; returns the image. */
static inline const char *cycle(struct __test_metadata *_metadata, struct rs_state *s,
				struct rproc *p, struct rproc *out)
{
	const char *path = take_image_file(_metadata, s, p->pid);

	kill_reap(_metadata, p);
	restart_file(_metadata, path, 0, out);
	return path;
}

/* Children of the test, zombies included. */
static inline int count_children(void)
{
	char path[300], buf[512], *p;
	pid_t me = getpid();
	struct dirent *de;
	int n = 0, fd, ppid;
	ssize_t len;
	DIR *d;

	d = opendir("/proc");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = 0;
		p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %*c %d", &ppid) == 1 && ppid == me)
			n++;
	}
	closedir(d);
	return n;
}

/* Block SIGCHLD and drop a pending one, so that a new one shows. */
static inline void block_sigchld(void)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
}

/*
 * restart(pid, fd, flags) must fail with err, leave no child (alive or
 * zombie, with or without an exit signal) and send no SIGCHLD (call
 * block_sigchld() first).
 */
static inline void expect_restart_error(struct __test_metadata *_metadata, int fd, pid_t pid,
					unsigned long flags, int err, const char *what)
{
	int before = count_children(), e, status;
	long long deadline;
	sigset_t pend;
	long ret;

	lseek(fd, 0, SEEK_SET);
	errno = 0;
	ret = sys_restart(pid, fd, flags);
	e = errno;
	if (ret > 0) {
		kill(ret, SIGKILL);
		waitpid(ret, NULL, 0);
	}
	EXPECT_EQ(-1, ret) {
		TH_LOG("%s: restart() returned %ld", what, ret);
	}
	EXPECT_EQ(err, e) {
		TH_LOG("%s: expected %s, got %s", what, strerror(err), strerror(e));
	}
	EXPECT_EQ(before, count_children()) {
		TH_LOG("%s: a task was left behind", what);
	}
	errno = 0;
	if (before == 0) {
		EXPECT_EQ(-1, waitpid(-1, &status, WNOHANG | __WALL));
		EXPECT_EQ(ECHILD, errno) {
			TH_LOG("%s: the test has a child", what);
		}
	} else {
		EXPECT_EQ(0, waitpid(-1, &status, WNOHANG | __WALL)) {
			TH_LOG("%s: a waitable child was left behind", what);
		}
	}
	ASSERT_EQ(0, sigpending(&pend));
	EXPECT_FALSE(sigismember(&pend, SIGCHLD)) {
		TH_LOG("%s: SIGCHLD was sent", what);
	}
	/* start the next check clean: reap what was left (it may still exit) */
	deadline = now_ms() + 2000;
	while (count_children() > before && now_ms() < deadline) {
		if (waitpid(-1, &status, WNOHANG | __WALL) <= 0)
			sleep_ms(10);
	}
	while (waitpid(-1, &status, WNOHANG | __WALL) > 0)
		;
	block_sigchld();
}

static inline void write_file(struct __test_metadata *_metadata, const char *path, const void *buf,
			      size_t len, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0644);

	ASSERT_LE(0, fd) {
		TH_LOG("%s: %s", path, strerror(errno));
	}
	ASSERT_EQ((ssize_t)len, write(fd, buf, len));
	close(fd);
}

/* Index of the first byte that differs, len if none. */
static inline size_t first_diff(const void *a, const void *b, size_t len)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < len && x[i] == y[i]; i++)
		;
	return i;
}

static inline ssize_t read_file(const char *path, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, buf, len, 0);
	close(fd);
	return n;
}

/* Read pid's memory from outside, with process_vm_readv(). */
static inline bool peek_mem(struct __test_metadata *_metadata, pid_t pid, __u64 addr, void *buf,
			    size_t len)
{
	if (peek(pid, addr, buf, len))
		return true;
	TH_LOG("process_vm_readv(%d, %#llx, %zu): %s", pid, (unsigned long long)addr, len,
	       strerror(errno));
	return false;
}

/* A signal mask line ("SigBlk", ...) of /proc/<pid>/status. */
static inline bool proc_mask(pid_t pid, const char *name, __u64 *mask)
{
	char v[64];

	if (!proc_status(pid, name, v, sizeof(v)))
		return false;
	*mask = strtoull(v, NULL, 16);
	return true;
}

/* A field ("pos", "flags") of /proc/<pid>/fdinfo/<fd>, -1 if none. */
static inline long long proc_fdinfo(pid_t pid, int fd, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtoll(line + n + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return v;
}

/* Wait until pid sleeps in system call nr with third argument arg3. */
static inline bool wait_syscall(pid_t pid, long nr, unsigned long arg3, int ms)
{
	long long deadline = now_ms() + ms;
	unsigned long a1, a2, a3;
	char path[64], buf[256];
	ssize_t n;
	long snr;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	while (now_ms() < deadline) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return false;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			if (sscanf(buf, "%ld %lx %lx %lx", &snr, &a1, &a2, &a3) == 4 &&
			    snr == nr && a3 == arg3 && proc_state(pid) == 'S')
				return true;
		}
		sleep_ms(5);
	}
	return false;
}

/*
 * Images, through ckpt_reader.h: the whole file in memory and an index of
 * its records.
 */
struct rinfo {
	__u32 type;
	__u32 len;
	__u64 off;
};

struct image {
	unsigned char *buf;
	size_t size;
	struct rinfo rec[4096];
	int nrec;
};

static inline void image_load(struct __test_metadata *_metadata, const char *path, struct image *im)
{
	struct ckpt_image *img;
	struct ckpt_rec rec;
	struct stat st;
	int fd, ret;

	memset(im, 0, sizeof(*im));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fstat(fd, &st));
	im->size = st.st_size;
	im->buf = malloc(im->size);
	ASSERT_NE(NULL, im->buf);
	ASSERT_EQ((ssize_t)im->size, pread(fd, im->buf, im->size, 0));
	close(fd);
	img = ckpt_image_open_mem(im->buf, im->size);
	ASSERT_NE(NULL, img);
	while ((ret = ckpt_image_next(img, &rec)) > 0 && im->nrec < 4096) {
		im->rec[im->nrec].type = rec.type;
		im->rec[im->nrec].len = rec.len;
		im->rec[im->nrec].off = rec.offset;
		im->nrec++;
	}
	EXPECT_EQ(0, ret) {
		TH_LOG("%s: %s at offset %llu", path, ckpt_image_error(img),
		       (unsigned long long)ckpt_image_error_offset(img));
	}
	ckpt_image_close(img);
	ASSERT_LT(0, im->nrec);
	ASSERT_EQ(CKPT_REC_TAIL, im->rec[im->nrec - 1].type);
}

static inline void image_free(struct image *im)
{
	free(im->buf);
	im->buf = NULL;
}

/* The nth (from 0) record of type, NULL if none. */
static inline const struct rinfo *image_rec(const struct image *im, __u32 type, int nth)
{
	int i;

	for (i = 0; i < im->nrec; i++)
		if (im->rec[i].type == type && nth-- == 0)
			return &im->rec[i];
	return NULL;
}

static inline void *image_at(const struct image *im, const struct rinfo *ri)
{
	return im->buf + ri->off;
}

/* A copy of the first len bytes of *im, with data put at off (if any). */
static inline void image_variant(struct __test_metadata *_metadata, const struct image *im,
				 const char *path, size_t len, size_t off, const void *data,
				 size_t dlen)
{
	unsigned char *copy = malloc(len ? len : 1);

	ASSERT_NE(NULL, copy);
	memcpy(copy, im->buf, len);
	if (data) {
		ASSERT_LE(off + dlen, len);
		memcpy(copy + off, data, dlen);
	}
	write_file(_metadata, path, copy, len, O_TRUNC);
	free(copy);
}

/* Build the variant and check that restart() refuses it with err. */
static inline void expect_variant_error(struct __test_metadata *_metadata, const struct image *im,
					const char *path, size_t len, size_t off, const void *data,
					size_t dlen, int err, const char *what)
{
	int fd;

	image_variant(_metadata, im, path, len, off, data, dlen);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_restart_error(_metadata, fd, 0, 0, err, what);
	close(fd);
}

static inline bool fd_link(pid_t pid, int fd, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", pid, fd);
	n = readlink(path, buf, len - 1);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return true;
}

/* A small workload's image, the workload reaped, SIGCHLD blocked. */
static inline const char *plain_image(struct __test_metadata *_metadata, struct rs_state *s)
{
	struct rproc *p = &s->p[0];
	const char *path;
	struct reply r;

	start_workload_fn(_metadata, p, wl_plain, NULL, &r);
	path = take_image_file(_metadata, s, p->pid);
	kill_reap(_metadata, p);
	return path;
}

/* The image restarts (so that its variants fail for their own fault). */
static inline void expect_restart_ok(struct __test_metadata *_metadata, struct rs_state *s,
				     const char *path)
{
	struct rproc *q = &s->p[1];
	struct reply r;

	restart_file(_metadata, path, 0, q);
	ASSERT_EQ(0, ask(q, 'P', &r));
	EXPECT_EQ(q->pid, r.v[0]);
	kill_reap(_metadata, q);
	block_sigchld();
}

/*
 * Unprivileged restart, in a helper that drops to nobody: the image of a
 * root process must be refused (EPERM, nothing left in the helper); an
 * image of nobody's own process must restart.  The helper reports through
 * a pipe and, on success, keeps the restored process (its child) until
 * the test says done.
 */
struct helper_result {
	long ret;
	int err;
	int wret;
	int werr;
};

static inline pid_t start_unpriv_restart(struct __test_metadata *_metadata, int imgfd, int ctl,
					 int rep, int res, int done)
{
	struct helper_result hr = { -1, 0, 0, 0 };
	pid_t pid;
	char c;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((ctl >= 0 && dup2(ctl, 0) != 0) || (rep >= 0 && dup2(rep, 1) != 1))
		_exit(2);
	if (setgroups(0, NULL) || setresgid(RS_NOBODY, RS_NOBODY, RS_NOBODY) ||
	    setresuid(RS_NOBODY, RS_NOBODY, RS_NOBODY)) {
		hr.err = errno;
		hr.ret = -2;
	} else {
		errno = 0;
		hr.ret = sys_restart(0, imgfd, 0);
		hr.err = hr.ret < 0 ? errno : 0;
	}
	errno = 0;
	hr.wret = waitpid(-1, NULL, WNOHANG | __WALL);
	hr.werr = errno;
	if (write(res, &hr, sizeof(hr)) != sizeof(hr))
		_exit(3);
	if (hr.ret > 0) {
		if (read(done, &c, 1) < 0)
			_exit(4);
		kill(hr.ret, SIGKILL);
		_exit(waitpid(hr.ret, NULL, 0) == hr.ret ? 0 : 5);
	}
	_exit(0);
}

static inline void finish_helper(struct __test_metadata *_metadata, struct rs_state *s)
{
	int status = 0;

	ASSERT_EQ(s->helper, waitpid(s->helper, &status, 0));
	s->helper = 0;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("helper wait status %#x", status);
	}
}

/* Copy this program to /tmp, where nobody can map it. */
static inline void copy_self(struct __test_metadata *_metadata, const char *dst)
{
	int in, out;
	char buf[65536];
	ssize_t n;

	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, in);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, out);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(out, buf, n));
	ASSERT_EQ(0, n);
	ASSERT_EQ(0, fchmod(out, 0755));
	close(in);
	close(out);
}

#endif /* CKPT_UTIL_H */
