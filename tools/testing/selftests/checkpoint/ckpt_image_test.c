// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2) selftests: what the image records about a target.
 *
 * Each test forks a workload that sets up some state, checkpoints it into
 * a file in /tmp and checks the records against what the workload reported
 * or what /proc shows.
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <grp.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <asm/prctl.h>
#ifdef __GLIBC__
#if __GLIBC_PREREQ(2, 35)
#include <sys/rseq.h>		/* __rseq_offset, __rseq_size */
#define HAVE_GLIBC_RSEQ 1
#endif
#endif

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define MIB		(1024UL * 1024)
#define GIB		(1024 * MIB)

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
 * Position of a record in the stream order of a one-process image: its
 * objects, the process's signal state and shared queue, then the task.
 */
static int rec_rank(const struct ckpt_hdr *h)
{
	static const int rank[] = {
		[CKPT_REC_HEADER] = 1, [CKPT_REC_TREE] = 2, [CKPT_REC_CREDS] = 3,
		[CKPT_REC_FS] = 4, [CKPT_REC_PIPE] = 5, [CKPT_REC_FILE] = 5,
		[CKPT_REC_FILES] = 6, [CKPT_REC_MM] = 7, [CKPT_REC_VMA] = 8,
		[CKPT_REC_PAGES] = 8, [CKPT_REC_SIGHAND] = 9, [CKPT_REC_SIGNAL] = 10,
		[CKPT_REC_TASK] = 12, [CKPT_REC_SIGPENDING] = 13,
		[CKPT_REC_X86_REGS] = 14, [CKPT_REC_X86_XSTATE] = 15,
		[CKPT_REC_TASK_END] = 16, [CKPT_REC_TAIL] = 17,
	};

	if (h->type == CKPT_REC_SIGPENDING &&
	    ((const struct ckpt_rec_sigpending *)h)->shared)
		return 11;
	if (h->type >= ARRAY_SIZE(rank))
		return 0;
	return rank[h->type];
}

TEST_F_TIMEOUT(ckpt, header_and_order, 120)
{
	struct workload *wl = &self->s.wl[0];
	const struct ckpt_rec_header *hd;
	const struct ckpt_hdr *h;
	struct img *im = &self->s.im[0], *im2 = &self->s.im[1];
	struct utsname un;
	time_t before, after;
	int rank, last = 0, npend = 0;
	long id;
	int err;

	start_workload(_metadata, wl, wl_quiet, NULL);
	ASSERT_EQ(0, uname(&un));
	before = time(NULL);
	id = take_image(_metadata, &self->s, wl->pid, 0, im, &err);
	after = time(NULL);
	ASSERT_LT(0, id) {
		TH_LOG("checkpoint: %s", strerror(err));
	}
	EXPECT_EQ(NULL, img_check(im, true)) {
		TH_LOG("%s", im->why);
	}

	hd = img_find(im, CKPT_REC_HEADER, 0);
	ASSERT_NE(NULL, hd);
	ASSERT_EQ((void *)hd, (void *)im->buf);
	EXPECT_EQ(0, memcmp(hd->magic, CKPT_MAGIC, 8));
	EXPECT_EQ(CKPT_VERSION_MAJOR, hd->major);
	EXPECT_EQ(CKPT_VERSION_MINOR, hd->minor);
	EXPECT_EQ(CKPT_ARCH_X86_64, hd->arch);
	EXPECT_EQ(sysconf(_SC_PAGESIZE), hd->page_size);
	EXPECT_EQ(1, hd->nr_tasks);
	EXPECT_EQ(0, hd->flags);
	EXPECT_EQ(id, hd->id);
	EXPECT_LE(before, hd->time);
	EXPECT_GE(after, hd->time);
	EXPECT_STREQ(un.release, (const char *)hd->release);
	EXPECT_STREQ(un.machine, (const char *)hd->machine);

	/* HEADER, TREE, CREDS, FS, PIPE/FILE*, FILES, MM, ..., TASK_END, TAIL */
	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		if (h->type & CKPT_TYPE_OPTIONAL)
			continue;
		rank = rec_rank(h);
		EXPECT_LE(last, rank) {
			TH_LOG("record type %u at offset %zu is out of order", h->type,
			       (size_t)((const unsigned char *)h - im->buf));
		}
		last = rank;
		if (h->type == CKPT_REC_SIGPENDING) {
			const struct ckpt_rec_sigpending *sp = (const void *)h;

			/* the process's queue, then the task's */
			EXPECT_EQ(npend, !sp->shared);
			npend++;
		}
	}
	EXPECT_EQ(2, npend);
	EXPECT_EQ(1, img_count(im, CKPT_REC_TREE));
	EXPECT_EQ(1, img_count(im, CKPT_REC_CREDS));
	EXPECT_EQ(1, img_count(im, CKPT_REC_FS));
	EXPECT_EQ(1, img_count(im, CKPT_REC_FILES));
	EXPECT_EQ(1, img_count(im, CKPT_REC_MM));
	EXPECT_EQ(1, img_count(im, CKPT_REC_SIGHAND));
	EXPECT_EQ(1, img_count(im, CKPT_REC_TASK));
	EXPECT_EQ(1, img_count(im, CKPT_REC_SIGNAL));
	EXPECT_EQ(1, img_count(im, CKPT_REC_X86_REGS));
	EXPECT_EQ(1, img_count(im, CKPT_REC_X86_XSTATE));
	EXPECT_EQ(1, img_count(im, CKPT_REC_TASK_END));
	EXPECT_EQ(1, img_count(im, CKPT_REC_TAIL));
	EXPECT_EQ(0, img_count(im, CKPT_REC_ERROR));
	EXPECT_LT(0, img_count(im, CKPT_REC_VMA));

	/* a second checkpoint gets another id; the target carries on */
	take_good_image(_metadata, &self->s, wl->pid, 0, im2);
	hd = img_find(im2, CKPT_REC_HEADER, 0);
	EXPECT_NE(id, hd->id);
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
}

static void wl_named(int wfd, int cfd, void *arg)
{
	prctl(PR_SET_NAME, "ckpt-tree-wl");
	wl_quiet(wfd, cfd, arg);
}

static int count_maps(pid_t pid)
{
	char path[64], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strstr(line, "[vsyscall]"))
			n++;
	fclose(f);
	return n;
}

TEST_F_TIMEOUT(ckpt, tree_and_task, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_tree *tr;
	const struct ckpt_rec_task *tk;
	const struct ckpt_rec_mm *mm;
	const struct ckpt_rec_creds *cr;
	const struct ckpt_rec_fs *fs;
	const struct ckpt_rec_files *fl;
	const struct ckpt_rec_sighand *sh;
	const struct ckpt_rec_signal *sg;
	char exe[CKPT_PATH_MAX], path[64];
	ssize_t n;
	int maps;

	start_workload(_metadata, wl, wl_named, NULL);
	ASSERT_TRUE(wait_state(wl->pid, 'S', CKPT_WAIT_MS));
	maps = count_maps(wl->pid);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	tr = img_find(im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	ASSERT_EQ(1, tr->nr_tasks);
	ASSERT_LE(sizeof(*tr) + sizeof(tr->tasks[0]), tr->h.len);
	EXPECT_EQ(wl->pid, tr->tasks[0].pid);
	EXPECT_EQ(wl->pid, tr->tasks[0].tgid);
	EXPECT_EQ(0, tr->tasks[0].ppid) {
		TH_LOG("the parent (the test) is not in the image");
	}
	EXPECT_EQ(getpgid(wl->pid), tr->tasks[0].pgid);
	EXPECT_EQ(getsid(wl->pid), tr->tasks[0].sid);

	tk = img_find(im, CKPT_REC_TASK, 0);
	ASSERT_NE(NULL, tk);
	EXPECT_EQ(wl->pid, tk->pid);
	EXPECT_EQ(wl->pid, tk->tgid);
	EXPECT_STREQ("ckpt-tree-wl", (const char *)tk->comm);
	EXPECT_EQ(0, tk->flags & CKPT_TASK_SELF);
	EXPECT_EQ(SIGCHLD, tr->tasks[0].exit_signal);
	EXPECT_EQ(0, tr->tasks[0].flags);
	EXPECT_EQ(0, tr->flags);
	EXPECT_EQ(SIGKILL, tk->pdeath_signal);

	/* the task's references name the objects written before it */
	cr = img_find(im, CKPT_REC_CREDS, 0);
	fs = img_find(im, CKPT_REC_FS, 0);
	fl = img_find(im, CKPT_REC_FILES, 0);
	mm = img_find(im, CKPT_REC_MM, 0);
	sh = img_find(im, CKPT_REC_SIGHAND, 0);
	sg = img_find(im, CKPT_REC_SIGNAL, 0);
	ASSERT_TRUE(cr && fs && fl && mm && sh && sg);
	EXPECT_NE(0, tk->creds_ref);
	EXPECT_EQ(sg->objref, tk->signal_ref);
	EXPECT_EQ(cr->objref, tk->creds_ref);
	EXPECT_EQ(fs->objref, tk->fs_ref);
	EXPECT_EQ(fl->objref, tk->files_ref);
	EXPECT_EQ(mm->objref, tk->mm_ref);
	EXPECT_EQ(sh->objref, tk->sighand_ref);
	EXPECT_EQ(CKPT_NSIG, sh->nr);

	/* the mm: one VMA record per mapping in /proc/pid/maps, the exe */
	EXPECT_EQ(img_count(im, CKPT_REC_VMA), mm->nr_vmas);
	EXPECT_EQ(maps, mm->nr_vmas);
	snprintf(path, sizeof(path), "/proc/%d/exe", wl->pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	EXPECT_EQ(n + 1, mm->exe_len);
	EXPECT_STREQ(exe, (const char *)mm->exe);
	EXPECT_LT(0, mm->nr_auxv);
	EXPECT_GE(CKPT_AUXV_WORDS, mm->nr_auxv);
	EXPECT_LE(mm->start_brk, mm->brk);
	EXPECT_LT(mm->arg_start, mm->arg_end);
}

/* 64 MiB of private anonymous memory, each page with its own pattern */
#define BIG_LEN		(64 * MIB)

static void fill_page(unsigned char *p, __u64 addr, long ps)
{
	memset(p, (int)((addr / ps) * 7 + 1) & 0xff, ps);
	memcpy(p, &addr, sizeof(addr));
}

static void wl_big(int wfd, int cfd, void *arg)
{
	long ps = sysconf(_SC_PAGESIZE), i;
	unsigned char *p;
	__u64 info[2];

	p = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		wl_die("mmap");
	for (i = 0; i < BIG_LEN; i += ps)
		fill_page(p + i, (uintptr_t)(p + i), ps);
	info[0] = (uintptr_t)p;
	info[1] = BIG_LEN;
	wl_ready(wfd, info, 2);
	for (;;)
		pause();
}

static bool check_big_page(__u64 addr, const unsigned char *data, void *arg)
{
	unsigned char *expect = arg;
	long ps = sysconf(_SC_PAGESIZE);

	fill_page(expect, addr, ps);
	return !memcmp(expect, data, ps);
}

TEST_F_TIMEOUT(ckpt, anon_64m, 300)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_vma *v;
	long ps = sysconf(_SC_PAGESIZE), n, bad;
	unsigned char *page = malloc(ps);
	__u64 addr, len;

	ASSERT_NE(NULL, page);
	start_workload(_metadata, wl, wl_big, NULL);
	addr = wl->info[0];
	len = wl->info[1];
	take_good_image(_metadata, &self->s, wl->pid, 0, im);
	EXPECT_LT(len, im->size);

	v = img_vma_at(im, addr);
	ASSERT_NE(NULL, v) {
		TH_LOG("no VMA at %#llx", (unsigned long long)addr);
	}
	EXPECT_EQ(v, img_vma_at(im, addr + len - 1));
	EXPECT_EQ(CKPT_VMA_ANON, v->type);
	EXPECT_EQ(CKPT_PROT_READ | CKPT_PROT_WRITE, v->prot);
	EXPECT_EQ(0, v->path_len);

	n = img_pages(im, addr, addr + len, check_big_page, page, &bad);
	EXPECT_EQ(len / ps, n);
	EXPECT_EQ(0, bad) {
		TH_LOG("%ld of %ld pages have the wrong contents", bad, n);
	}
	free(page);
}

/* an untouched 1 GiB MAP_NORESERVE mapping adds a VMA but no pages */
static void wl_huge_noreserve(int wfd, int cfd, void *arg)
{
	__u64 info[1];
	void *p;

	p = mmap(NULL, GIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		wl_die("mmap");
	info[0] = (uintptr_t)p;
	wl_ready(wfd, info, 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, untouched_1g_noreserve, 120)
{
	struct workload *base = &self->s.wl[0], *wl = &self->s.wl[1];
	struct img *im0 = &self->s.im[0], *im = &self->s.im[1];
	const struct ckpt_rec_vma *v;
	long n, bad;
	__u64 addr;

	start_workload(_metadata, base, wl_quiet, NULL);
	start_workload(_metadata, wl, wl_huge_noreserve, NULL);
	addr = wl->info[0];
	take_good_image(_metadata, &self->s, base->pid, 0, im0);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	v = img_vma_at(im, addr);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(v, img_vma_at(im, addr + GIB - 1));
	EXPECT_EQ(CKPT_VMA_ANON, v->type);
	EXPECT_TRUE(v->flags & CKPT_VMA_NORESERVE);
	n = img_pages(im, addr, addr + GIB, NULL, NULL, &bad);
	EXPECT_EQ(0, n);
	EXPECT_GT(70 * MIB, im->size);
	EXPECT_GT(im0->size + MIB, im->size) {
		TH_LOG("image with the mapping: %zu bytes, without: %zu", im->size, im0->size);
	}
}

/* a private file mapping: only the pages written to are in the image */
#define FMAP_FILE_PAGES	16
#define FMAP_OFF_PAGES	4
#define FMAP_PAGES	8

static unsigned char fmap_sum;

static void wl_file_map(int wfd, int cfd, void *arg)
{
	long ps = sysconf(_SC_PAGESIZE), i;
	unsigned char *p;
	__u64 info[1];
	int fd;

	fd = open(arg, O_RDWR);
	if (fd < 0)
		wl_die("open");
	p = mmap(NULL, FMAP_PAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 FMAP_OFF_PAGES * ps);
	if (p == MAP_FAILED)
		wl_die("mmap");
	close(fd);
	for (i = 0; i < FMAP_PAGES; i++)
		fmap_sum += p[i * ps];	/* read faults: page cache, not private */
	memset(p + 1 * ps, 'x', ps);
	memset(p + 5 * ps, 'y', ps);
	info[0] = (uintptr_t)p;
	wl_ready(wfd, info, 1);
	for (;;)
		pause();
}

static bool check_fmap_page(__u64 addr, const unsigned char *data, void *arg)
{
	__u64 base = *(__u64 *)arg;
	long ps = sysconf(_SC_PAGESIZE), i;
	unsigned char c;

	if (addr == base + ps)
		c = 'x';
	else if (addr == base + 5 * ps)
		c = 'y';
	else
		return false;
	for (i = 0; i < ps; i++)
		if (data[i] != c)
			return false;
	return true;
}

static void make_file(struct __test_metadata *_metadata, const char *path, size_t size)
{
	unsigned char buf[4096];
	size_t i, n;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	for (i = 0; i < size; i += n) {
		n = size - i < sizeof(buf) ? size - i : sizeof(buf);
		memset(buf, 'A' + (i / sizeof(buf)) % 26, n);
		ASSERT_EQ(n, write(fd, buf, n));
	}
	close(fd);
}

TEST_F_TIMEOUT(ckpt, private_file_mapping, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	long ps = sysconf(_SC_PAGESIZE), n, bad;
	const struct ckpt_rec_vma *v;
	const char *file;
	struct stat st;
	__u64 addr;

	file = ckpt_new_path(&self->s, "map");
	make_file(_metadata, file, FMAP_FILE_PAGES * ps);
	ASSERT_EQ(0, stat(file, &st));
	start_workload(_metadata, wl, wl_file_map, (void *)file);
	addr = wl->info[0];
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	v = img_vma_at(im, addr);
	ASSERT_NE(NULL, v);
	EXPECT_EQ(addr, v->start);
	EXPECT_EQ(addr + FMAP_PAGES * ps, v->end);
	EXPECT_EQ(CKPT_VMA_FILE, v->type);
	EXPECT_EQ(FMAP_OFF_PAGES, v->pgoff);
	EXPECT_EQ(CKPT_PROT_READ | CKPT_PROT_WRITE, v->prot);
	EXPECT_EQ(strlen(file) + 1, v->path_len);
	EXPECT_STREQ(file, (const char *)v->path);
	EXPECT_EQ(st.st_ino, v->ino);
	EXPECT_EQ(st.st_size, v->size);

	n = img_pages(im, v->start, v->end, check_fmap_page, &addr, &bad);
	EXPECT_EQ(2, n) {
		TH_LOG("only the 2 written pages of the file mapping belong in the image");
	}
	EXPECT_EQ(0, bad);
}

/* regular files and directories: path, position, flags, shared descriptions */
static void wl_files(int wfd, int cfd, void *arg)
{
	int fd;

	fd = open(arg, O_RDWR | O_APPEND);
	if (fd < 0 || dup2(fd, 50) != 50 || lseek(50, 12345, SEEK_SET) != 12345)
		wl_die("fd 50");
	close(fd);
	if (dup2(50, 53) != 53)
		wl_die("fd 53");
	fd = open(arg, O_RDONLY);
	if (fd < 0 || dup3(fd, 51, O_CLOEXEC) != 51)
		wl_die("fd 51");
	close(fd);
	fd = open("/tmp", O_RDONLY | O_DIRECTORY);
	if (fd < 0 || dup2(fd, 52) != 52)
		wl_die("fd 52");
	close(fd);
	wl_quiet(wfd, cfd, arg);
}

TEST_F_TIMEOUT(ckpt, regular_files, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_file *f, *f53;
	struct stat st, dst;
	const char *file;
	__u32 fdflags;

	file = ckpt_new_path(&self->s, "dat");
	make_file(_metadata, file, 20000);
	ASSERT_EQ(0, stat(file, &st));
	ASSERT_EQ(0, stat("/tmp", &dst));
	start_workload(_metadata, wl, wl_files, (void *)file);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	fdflags = ~0U;
	f = img_fd_file(im, 50, &fdflags);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_REGULAR, f->type);
	EXPECT_EQ(12345, f->pos);
	EXPECT_EQ(O_RDWR, f->f_flags & O_ACCMODE);
	EXPECT_TRUE(f->f_flags & O_APPEND);
	EXPECT_TRUE(S_ISREG(f->f_mode));
	EXPECT_EQ(st.st_ino, f->ino);
	EXPECT_EQ(20000, f->size);
	EXPECT_EQ(strlen(file) + 1, f->path_len);
	EXPECT_STREQ(file, (const char *)f->path);
	EXPECT_EQ(0, fdflags & CKPT_FD_CLOEXEC);

	/* fd 53 is a dup of fd 50: the same open file description */
	f53 = img_fd_file(im, 53, NULL);
	ASSERT_NE(NULL, f53);
	EXPECT_EQ(f->objref, f53->objref);
	EXPECT_EQ(f, f53);

	fdflags = 0;
	f = img_fd_file(im, 51, &fdflags);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_REGULAR, f->type);
	EXPECT_EQ(0, f->pos);
	EXPECT_EQ(O_RDONLY, f->f_flags & O_ACCMODE);
	EXPECT_EQ(0, f->f_flags & O_APPEND);
	EXPECT_TRUE(fdflags & CKPT_FD_CLOEXEC);
	EXPECT_STREQ(file, (const char *)f->path);

	f = img_fd_file(im, 52, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_REGULAR, f->type);
	EXPECT_TRUE(S_ISDIR(f->f_mode));
	EXPECT_EQ(dst.st_ino, f->ino);
	EXPECT_STREQ("/tmp", (const char *)f->path);
}

/* a pipe with both ends in the target and 100 unread bytes */
static void wl_pipe(int wfd, int cfd, void *arg)
{
	unsigned char buf[100];
	__u64 info[1];
	int p[2], i;

	for (i = 0; i < 100; i++)
		buf[i] = i * 3 + 1;
	if (pipe(p) || dup2(p[0], 60) != 60 || dup2(p[1], 61) != 61)
		wl_die("pipe");
	close(p[0]);
	close(p[1]);
	if (write(61, buf, sizeof(buf)) != sizeof(buf))
		wl_die("write");
	info[0] = fcntl(60, F_GETPIPE_SZ);
	wl_ready(wfd, info, 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, pipe_both_ends, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_file *r, *w;
	const struct ckpt_rec_pipe *p = NULL;
	const struct ckpt_hdr *h;
	int i, npipes = 0;

	start_workload(_metadata, wl, wl_pipe, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	r = img_fd_file(im, 60, NULL);
	w = img_fd_file(im, 61, NULL);
	ASSERT_TRUE(r && w);
	EXPECT_EQ(CKPT_FILE_PIPE, r->type);
	EXPECT_EQ(CKPT_FILE_PIPE, w->type);
	EXPECT_EQ(O_RDONLY, r->f_flags & O_ACCMODE);
	EXPECT_EQ(O_WRONLY, w->f_flags & O_ACCMODE);
	EXPECT_NE(0, r->obj_ref);
	EXPECT_EQ(r->obj_ref, w->obj_ref);
	EXPECT_NE(r->objref, w->objref);

	for (h = img_next(im, NULL); h; h = img_next(im, h)) {
		const struct ckpt_rec_pipe *pp = (const void *)h;

		if (h->type == CKPT_REC_PIPE && pp->objref == r->obj_ref) {
			p = pp;
			npipes++;
		}
	}
	ASSERT_EQ(1, npipes);
	EXPECT_LT((const void *)p, (const void *)r) {
		TH_LOG("the PIPE record comes before the files that use it");
	}
	EXPECT_EQ(wl->info[0], p->size);
	ASSERT_EQ(100, p->nr_bytes);
	ASSERT_LE(sizeof(*p) + 100, p->h.len);
	for (i = 0; i < 100; i++) {
		if (p->data[i] != (unsigned char)(i * 3 + 1))
			break;
	}
	EXPECT_EQ(100, i) {
		TH_LOG("pipe data differs at byte %d", i);
	}
}

/* pipe ends whose other end is outside, /dev/null and /dev/zero */
static void wl_devs(int wfd, int cfd, void *arg)
{
	int fd;

	fd = open("/dev/null", O_RDWR);
	if (fd < 0 || dup2(fd, 70) != 70)
		wl_die("/dev/null");
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	if (fd < 0 || dup2(fd, 71) != 71)
		wl_die("/dev/zero");
	close(fd);
	wl_quiet(wfd, cfd, arg);
}

TEST_F_TIMEOUT(ckpt, external_and_chrdev, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_file *f;

	start_workload(_metadata, wl, wl_devs, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	f = img_fd_file(im, WL_WFD, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_EXTERNAL, f->type) {
		TH_LOG("the reading end of fd %d is held by the test", WL_WFD);
	}
	f = img_fd_file(im, WL_CFD, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_EXTERNAL, f->type);
	EXPECT_EQ(0, img_count(im, CKPT_REC_PIPE));

	f = img_fd_file(im, 70, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_CHRDEV, f->type);
	EXPECT_EQ(1 << 20 | 3, f->rdev);
	EXPECT_TRUE(S_ISCHR(f->f_mode));
	EXPECT_EQ(O_RDWR, f->f_flags & O_ACCMODE);
	f = img_fd_file(im, 71, NULL);
	ASSERT_NE(NULL, f);
	EXPECT_EQ(CKPT_FILE_CHRDEV, f->type);
	EXPECT_EQ(1 << 20 | 5, f->rdev);
}

static void wl_fs(int wfd, int cfd, void *arg)
{
	if (chdir("/tmp"))
		wl_die("chdir");
	umask(0027);
	wl_quiet(wfd, cfd, arg);
}

TEST_F_TIMEOUT(ckpt, cwd_and_umask, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_fs *fs;

	start_workload(_metadata, wl, wl_fs, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	fs = img_find(im, CKPT_REC_FS, 0);
	ASSERT_NE(NULL, fs);
	EXPECT_EQ(0027, fs->umask);
	ASSERT_EQ(strlen("/tmp") + 1, fs->cwd_len);
	ASSERT_EQ(strlen("/") + 1, fs->root_len);
	ASSERT_LE(sizeof(*fs) + fs->cwd_len + fs->root_len, fs->h.len);
	EXPECT_STREQ("/tmp", (const char *)fs->paths);
	EXPECT_STREQ("/", (const char *)fs->paths + fs->cwd_len);
}

/* signal actions, the blocked mask, pending signals in both queues */
static void usr1_handler(int sig, siginfo_t *si, void *uc)
{
}

static void wl_signals(int wfd, int cfd, void *arg)
{
	struct sigaction sa = { 0 };
	sigset_t set;

	sa.sa_sigaction = usr1_handler;
	sa.sa_flags = SA_RESTART | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	if (sigaction(SIGUSR1, &sa, NULL))
		wl_die("sigaction");
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	wl_quiet(wfd, cfd, arg);
}

#define SIGBIT(sig)	(1ULL << ((sig) - 1))

static const struct ckpt_rec_sigpending *find_pending(const struct img *im, bool shared)
{
	const struct ckpt_rec_sigpending *sp;
	int i;

	for (i = 0; (sp = img_find(im, CKPT_REC_SIGPENDING, i)); i++)
		if (!!sp->shared == shared)
			return sp;
	return NULL;
}

static const siginfo_t *find_info(const struct ckpt_rec_sigpending *sp, int sig)
{
	const siginfo_t *si;
	__u32 i;

	for (i = 0; i < sp->nr_info; i++) {
		if (sizeof(*sp) + (i + 1) * 128 > sp->h.len)
			break;
		si = (const siginfo_t *)sp->info[i];
		if (si->si_signo == sig)
			return si;
	}
	return NULL;
}

TEST_F_TIMEOUT(ckpt, signals, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_sigpending *sp;
	const struct ckpt_rec_sighand *sh;
	const struct ckpt_sigaction *act;
	const struct ckpt_rec_task *tk;
	char pnd[2][64], shd[2][64];
	const siginfo_t *si;
	siginfo_t info;
	int rtsig = SIGRTMIN + 1;

	start_workload(_metadata, wl, wl_signals, NULL);
	/* SIGUSR2 goes to the shared queue, a queued rt signal to the task's */
	ASSERT_EQ(0, kill(wl->pid, SIGUSR2));
	memset(&info, 0, sizeof(info));
	info.si_signo = rtsig;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_uid = getuid();
	info.si_value.sival_int = 0x1234;
	ASSERT_EQ(0, syscall(SYS_rt_tgsigqueueinfo, wl->pid, wl->pid, rtsig, &info));
	ASSERT_TRUE(proc_status(wl->pid, "SigPnd", pnd[0], sizeof(pnd[0])));
	ASSERT_TRUE(proc_status(wl->pid, "ShdPnd", shd[0], sizeof(shd[0])));

	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	sh = img_find(im, CKPT_REC_SIGHAND, 0);
	ASSERT_NE(NULL, sh);
	act = &sh->action[SIGUSR1 - 1];
	EXPECT_EQ((uintptr_t)usr1_handler, act->handler);
	EXPECT_TRUE(act->flags & SA_RESTART);
	EXPECT_TRUE(act->flags & SA_SIGINFO);
	EXPECT_TRUE(act->mask & SIGBIT(SIGINT));
	EXPECT_EQ((uintptr_t)SIG_IGN, sh->action[SIGHUP - 1].handler);
	EXPECT_EQ((uintptr_t)SIG_DFL, sh->action[SIGTERM - 1].handler);

	tk = img_find(im, CKPT_REC_TASK, 0);
	ASSERT_NE(NULL, tk);
	EXPECT_TRUE(tk->blocked & SIGBIT(SIGUSR2));
	EXPECT_TRUE(tk->blocked & SIGBIT(rtsig));
	EXPECT_FALSE(tk->blocked & SIGBIT(SIGUSR1));

	sp = find_pending(im, true);
	ASSERT_NE(NULL, sp);
	EXPECT_EQ(SIGBIT(SIGUSR2), sp->signal);
	si = find_info(sp, SIGUSR2);
	ASSERT_NE(NULL, si);
	EXPECT_EQ(SI_USER, si->si_code);
	EXPECT_EQ(getpid(), si->si_pid);

	sp = find_pending(im, false);
	ASSERT_NE(NULL, sp);
	EXPECT_EQ(SIGBIT(rtsig), sp->signal);
	si = find_info(sp, rtsig);
	ASSERT_NE(NULL, si);
	EXPECT_EQ(SI_QUEUE, si->si_code);
	EXPECT_EQ(0x1234, si->si_value.sival_int);

	/* checkpoint left the pending signals alone */
	ASSERT_TRUE(proc_status(wl->pid, "SigPnd", pnd[1], sizeof(pnd[1])));
	ASSERT_TRUE(proc_status(wl->pid, "ShdPnd", shd[1], sizeof(shd[1])));
	EXPECT_STREQ(pnd[0], pnd[1]);
	EXPECT_STREQ(shd[0], shd[1]);
}

static void wl_rlimit(int wfd, int cfd, void *arg)
{
	struct rlimit rl;
	__u64 info[3];

	if (getrlimit(RLIMIT_NOFILE, &rl))
		wl_die("getrlimit");
	rl.rlim_cur = 200;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		wl_die("setrlimit");
	info[0] = rl.rlim_max;
	getrlimit(RLIMIT_STACK, &rl);
	info[1] = rl.rlim_cur;
	info[2] = rl.rlim_max;
	wl_ready(wfd, info, 3);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, rlimits, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_signal *sg;

	start_workload(_metadata, wl, wl_rlimit, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	sg = img_find(im, CKPT_REC_SIGNAL, 0);
	ASSERT_NE(NULL, sg);
	ASSERT_EQ(CKPT_RLIM_NLIMITS, sg->nr_rlim);
	EXPECT_EQ(200, sg->rlim[RLIMIT_NOFILE].cur);
	EXPECT_EQ(wl->info[0], sg->rlim[RLIMIT_NOFILE].max);
	EXPECT_EQ(wl->info[1], sg->rlim[RLIMIT_STACK].cur);
	EXPECT_EQ(wl->info[2], sg->rlim[RLIMIT_STACK].max);
}

/* credentials with distinct ids and supplementary groups */
static void wl_creds(int wfd, int cfd, void *arg)
{
	gid_t groups[2] = { 1002, 1001 };

	if (setgroups(2, groups) || setresgid(1234, 1235, 1236) ||
	    setresuid(4000, 4001, 4002))
		wl_die("set ids");
	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* the id change cleared it */
	wl_quiet(wfd, cfd, arg);
}

static __u64 status_hex(pid_t pid, const char *name)
{
	char val[64];

	if (!proc_status(pid, name, val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

TEST_F_TIMEOUT(ckpt, creds, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_creds *cr;

	if (geteuid())
		SKIP(return, "needs root");
	start_workload(_metadata, wl, wl_creds, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	cr = img_find(im, CKPT_REC_CREDS, 0);
	ASSERT_NE(NULL, cr);
	EXPECT_EQ(4000, cr->uid);
	EXPECT_EQ(4001, cr->euid);
	EXPECT_EQ(4002, cr->suid);
	EXPECT_EQ(4001, cr->fsuid);
	EXPECT_EQ(1234, cr->gid);
	EXPECT_EQ(1235, cr->egid);
	EXPECT_EQ(1236, cr->sgid);
	EXPECT_EQ(1235, cr->fsgid);
	ASSERT_EQ(2, cr->ngroups);
	ASSERT_LE(sizeof(*cr) + 2 * sizeof(__u32), cr->h.len);
	EXPECT_EQ(1001, cr->groups[0]);
	EXPECT_EQ(1002, cr->groups[1]);
	EXPECT_EQ(status_hex(wl->pid, "CapInh"), cr->cap_inheritable);
	EXPECT_EQ(status_hex(wl->pid, "CapPrm"), cr->cap_permitted);
	EXPECT_EQ(status_hex(wl->pid, "CapEff"), cr->cap_effective);
	EXPECT_EQ(status_hex(wl->pid, "CapBnd"), cr->cap_bset);
	EXPECT_EQ(status_hex(wl->pid, "CapAmb"), cr->cap_ambient);
	EXPECT_EQ(0, cr->cap_permitted) {
		TH_LOG("setresuid() to non-zero ids clears the capabilities");
	}
	EXPECT_NE(0, cr->cap_bset);
}

/* sigaltstack, personality, clear_child_tid, robust list, rseq */
static int tid_word;

static void wl_task_misc(int wfd, int cfd, void *arg)
{
	stack_t ss = { 0 };
	__u64 info[6] = { 0 };

	ss.ss_size = 65536;
	ss.ss_sp = malloc(ss.ss_size);
	if (!ss.ss_sp || sigaltstack(&ss, NULL))
		wl_die("sigaltstack");
	if (personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE) < 0)
		wl_die("personality");
	syscall(SYS_set_tid_address, &tid_word);
	info[0] = (uintptr_t)ss.ss_sp;
	info[1] = ss.ss_size;
	info[2] = personality(0xffffffff);
	info[3] = (uintptr_t)&tid_word;
#ifdef HAVE_GLIBC_RSEQ
	if (__rseq_size) {
		info[4] = (uintptr_t)__builtin_thread_pointer() + __rseq_offset;
		info[5] = __rseq_size;
	}
#endif
	wl_ready(wfd, info, 6);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, task_misc, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_task *tk;
	void *head = NULL;
	size_t len = 0;

	start_workload(_metadata, wl, wl_task_misc, NULL);
	ASSERT_EQ(0, syscall(SYS_get_robust_list, wl->pid, &head, &len));
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	tk = img_find(im, CKPT_REC_TASK, 0);
	ASSERT_NE(NULL, tk);
	EXPECT_EQ(wl->info[0], tk->sas_ss_sp);
	EXPECT_EQ(wl->info[1], tk->sas_ss_size);
	EXPECT_EQ(0, tk->sas_ss_flags);
	EXPECT_EQ(wl->info[2], tk->personality);
	EXPECT_TRUE(tk->personality & ADDR_NO_RANDOMIZE);
	EXPECT_EQ(wl->info[3], tk->clear_child_tid);
	EXPECT_EQ((uintptr_t)head, tk->robust_list);
	EXPECT_EQ(len, tk->robust_list_len);
	if (wl->info[4]) {
		EXPECT_EQ(wl->info[4], tk->rseq);
		EXPECT_LE(wl->info[5], tk->rseq_len);
		EXPECT_LE(32, tk->rseq_len);
		EXPECT_EQ(0x53053053, tk->rseq_sig);
	} else {
		TH_LOG("glibc did not register rseq; rseq in the image: %#llx",
		       (unsigned long long)tk->rseq);
	}
}

/*
 * Registers: the workload blocks in read() from the command pipe with
 * known values in callee-saved registers and echoes what it read.
 */
#define K_RBX	0x0b0b0b0b0b0b0b0bULL
#define K_R12	0x1212121212121212ULL
#define K_R13	0x1313131313131313ULL
#define K_R14	0x1414141414141414ULL
#define K_R15	0x1515151515151515ULL

static char regs_buf;

static void wl_regs(int wfd, int cfd, void *arg)
{
	unsigned long fsbase = 0;
	__u64 info[2];

	syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
	info[0] = (uintptr_t)&regs_buf;
	info[1] = fsbase;
	wl_ready(wfd, info, 2);
	asm volatile("mov %[rfd], %%r8\n\t"
		     "mov %[wfd], %%r9\n\t"
		     "lea %[buf], %%r10\n\t"
		     "mov %[rbx], %%rbx\n\t"
		     "mov %[r12], %%r12\n\t"
		     "mov %[r13], %%r13\n\t"
		     "mov %[r14], %%r14\n\t"
		     "mov %[r15], %%r15\n\t"
		     "1:\n\t"
		     "xor %%eax, %%eax\n\t"		/* read(rfd, &buf, 1) */
		     "mov %%r8, %%rdi\n\t"
		     "mov %%r10, %%rsi\n\t"
		     "mov $1, %%edx\n\t"
		     "syscall\n\t"
		     "mov $1, %%eax\n\t"		/* write(wfd, &buf, 1) */
		     "mov %%r9, %%rdi\n\t"
		     "mov %%r10, %%rsi\n\t"
		     "mov $1, %%edx\n\t"
		     "syscall\n\t"
		     "jmp 1b\n\t"
		     :
		     : [rfd] "g"((long)cfd), [wfd] "g"((long)wfd), [buf] "m"(regs_buf),
		       [rbx] "i"(K_RBX), [r12] "i"(K_R12), [r13] "i"(K_R13),
		       [r14] "i"(K_R14), [r15] "i"(K_R15)
		     : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		       "r11", "r12", "r13", "r14", "r15", "memory");
	_exit(123);
}

TEST_F_TIMEOUT(ckpt, registers, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_x86_regs *r;
	const struct ckpt_rec_vma *v;
	unsigned char insn[2] = { 0 };
	char c = 'q', echo = 0;

	start_workload(_metadata, wl, wl_regs, NULL);
	ASSERT_TRUE(wait_state(wl->pid, 'S', CKPT_WAIT_MS));
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	r = img_find(im, CKPT_REC_X86_REGS, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(K_RBX, r->rbx);
	EXPECT_EQ(K_R12, r->r12);
	EXPECT_EQ(K_R13, r->r13);
	EXPECT_EQ(K_R14, r->r14);
	EXPECT_EQ(K_R15, r->r15);
	EXPECT_EQ(WL_CFD, r->rdi);
	EXPECT_EQ(wl->info[0], r->rsi);
	EXPECT_EQ(1, r->rdx);
	EXPECT_EQ(WL_CFD, r->r8);
	EXPECT_EQ(WL_WFD, r->r9);
	EXPECT_EQ(wl->info[0], r->r10);
	/* the interrupted read() is set up to be restarted */
	EXPECT_EQ(-1, (long long)r->orig_rax);
	EXPECT_EQ(__NR_read, r->rax);
	ASSERT_TRUE(peek(wl->pid, r->rip, insn, 2));
	EXPECT_TRUE(insn[0] == 0x0f && insn[1] == 0x05) {
		TH_LOG("rip %#llx does not point at a syscall instruction (%02x %02x)",
		       (unsigned long long)r->rip, insn[0], insn[1]);
	}
	v = img_vma_at(im, r->rip);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(v->prot & CKPT_PROT_EXEC);
	v = img_vma_at(im, r->rsp);
	ASSERT_NE(NULL, v);
	EXPECT_TRUE(v->prot & CKPT_PROT_WRITE);
	EXPECT_EQ(0x33, r->cs);
	EXPECT_EQ(0x2b, r->ss);
	EXPECT_EQ(wl->info[1], r->fs_base);
	EXPECT_NE(0, r->fs_base);

	/* the restarted read() gets what the test writes */
	ASSERT_EQ(1, write(wl->cfd, &c, 1));
	ASSERT_EQ(0, read_full(wl->rfd, &echo, 1, CKPT_WAIT_MS));
	EXPECT_EQ(c, echo);
}

/*
 * Extended state: the workload loads a pattern into xmm0-15 (ymm0-15 with
 * AVX) and MXCSR, reports, and spins without touching them.
 */
#define MXCSR_VAL	0x9f80		/* default | flush to zero */

static unsigned char xpat[16][32];
static char spin_byte = 'x';

static void fill_xpat(void)
{
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 32; j++)
			xpat[i][j] = (i << 4 | (j & 15)) ^ (j < 16 ? 0x5a : 0xc3);
}

static bool have_avx(void)
{
	unsigned int a, b, c, d, lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_AVX) || !(c & bit_OSXSAVE))
		return false;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;
}

static void wl_xstate(int wfd, int cfd, void *arg)
{
	unsigned int mxcsr = MXCSR_VAL;

	fill_xpat();
	wl_ready(wfd, NULL, 0);
	if (arg) {
		asm volatile("vmovdqu 0(%[p]), %%ymm0\n\t"
			     "vmovdqu 32(%[p]), %%ymm1\n\t"
			     "vmovdqu 64(%[p]), %%ymm2\n\t"
			     "vmovdqu 96(%[p]), %%ymm3\n\t"
			     "vmovdqu 128(%[p]), %%ymm4\n\t"
			     "vmovdqu 160(%[p]), %%ymm5\n\t"
			     "vmovdqu 192(%[p]), %%ymm6\n\t"
			     "vmovdqu 224(%[p]), %%ymm7\n\t"
			     "vmovdqu 256(%[p]), %%ymm8\n\t"
			     "vmovdqu 288(%[p]), %%ymm9\n\t"
			     "vmovdqu 320(%[p]), %%ymm10\n\t"
			     "vmovdqu 352(%[p]), %%ymm11\n\t"
			     "vmovdqu 384(%[p]), %%ymm12\n\t"
			     "vmovdqu 416(%[p]), %%ymm13\n\t"
			     "vmovdqu 448(%[p]), %%ymm14\n\t"
			     "vmovdqu 480(%[p]), %%ymm15\n\t"
			     "ldmxcsr %[mx]\n\t"
			     "mov $1, %%eax\n\t"	/* write(wfd, &spin_byte, 1) */
			     "mov %[fd], %%rdi\n\t"
			     "lea %[b], %%rsi\n\t"
			     "mov $1, %%edx\n\t"
			     "syscall\n\t"
			     "1: pause\n\t"
			     "jmp 1b\n\t"
			     :
			     : [p] "r"(xpat), [mx] "m"(mxcsr), [fd] "r"((long)wfd),
			       [b] "m"(spin_byte)
			     : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory");
	} else {
		asm volatile("movdqu 0(%[p]), %%xmm0\n\t"
			     "movdqu 32(%[p]), %%xmm1\n\t"
			     "movdqu 64(%[p]), %%xmm2\n\t"
			     "movdqu 96(%[p]), %%xmm3\n\t"
			     "movdqu 128(%[p]), %%xmm4\n\t"
			     "movdqu 160(%[p]), %%xmm5\n\t"
			     "movdqu 192(%[p]), %%xmm6\n\t"
			     "movdqu 224(%[p]), %%xmm7\n\t"
			     "movdqu 256(%[p]), %%xmm8\n\t"
			     "movdqu 288(%[p]), %%xmm9\n\t"
			     "movdqu 320(%[p]), %%xmm10\n\t"
			     "movdqu 352(%[p]), %%xmm11\n\t"
			     "movdqu 384(%[p]), %%xmm12\n\t"
			     "movdqu 416(%[p]), %%xmm13\n\t"
			     "movdqu 448(%[p]), %%xmm14\n\t"
			     "movdqu 480(%[p]), %%xmm15\n\t"
			     "ldmxcsr %[mx]\n\t"
			     "mov $1, %%eax\n\t"
			     "mov %[fd], %%rdi\n\t"
			     "lea %[b], %%rsi\n\t"
			     "mov $1, %%edx\n\t"
			     "syscall\n\t"
			     "1: pause\n\t"
			     "jmp 1b\n\t"
			     :
			     : [p] "r"(xpat), [mx] "m"(mxcsr), [fd] "r"((long)wfd),
			       [b] "m"(spin_byte)
			     : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory");
	}
	_exit(123);
}

TEST_F_TIMEOUT(ckpt, xstate, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_x86_xstate *x;
	unsigned int a, b = 0, c, d, mxcsr;
	bool avx = have_avx();
	__u64 bv, xcr0;
	char byte;
	int i;

	fill_xpat();
	start_workload(_metadata, wl, wl_xstate, avx ? (void *)1 : NULL);
	ASSERT_EQ(0, read_full(wl->rfd, &byte, 1, CKPT_WAIT_MS));
	take_good_image(_metadata, &self->s, wl->pid, 0, im);

	x = img_find(im, CKPT_REC_X86_XSTATE, 0);
	ASSERT_NE(NULL, x);
	ASSERT_LE(576, x->size);
	ASSERT_LE(sizeof(*x) + x->size, x->h.len);
	EXPECT_EQ(3, x->xfeatures & 3);
	memcpy(&mxcsr, x->xsave + 24, 4);
	EXPECT_EQ(MXCSR_VAL, mxcsr);
	/* the sw_reserved bytes hold XCR0, as in core dumps */
	memcpy(&xcr0, x->xsave + 464, 8);
	EXPECT_EQ(x->xfeatures, xcr0);
	EXPECT_EQ(3, xcr0 & 3);
	memcpy(&bv, x->xsave + 512, 8);
	EXPECT_TRUE(bv & 2);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, memcmp(xpat[i], x->xsave + 160 + 16 * i, 16)) {
			TH_LOG("xmm%d differs", i);
		}
	}
	if (!avx) {
		TH_LOG("no AVX: upper ymm halves not checked");
		return;
	}
	__cpuid_count(0xd, 2, a, b, c, d);
	ASSERT_NE(0, b);
	ASSERT_LE(b + 256, x->size);
	EXPECT_TRUE(x->xfeatures & 4);
	EXPECT_TRUE(bv & 4);
	for (i = 0; i < 16; i++) {
		EXPECT_EQ(0, memcmp(xpat[i] + 16, x->xsave + b + 16 * i, 16)) {
			TH_LOG("upper half of ymm%d differs", i);
		}
	}
}

TEST_HARNESS_MAIN
