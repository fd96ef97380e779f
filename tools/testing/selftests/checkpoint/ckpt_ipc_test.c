// SPDX-License-Identifier: GPL-2.0
/*
 * What processes share besides a tree: shared memory (MAP_SHARED |
 * MAP_ANONYMOUS, memfd, /dev/shm files and POSIX semaphores), judged by
 * outcome: the workload goes on after checkpoint, kill and restart with
 * the memory still shared and its contents and seals intact.  Forged
 * shared memory records are refused with EINVAL and leave no task behind.
 */
#define _GNU_SOURCE
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE	0x0010
#endif

#define PP_STEPS	3000
#define PP_HIST		4096
#define PP_PAGES	512

FIXTURE(ipc) {
	struct scratch s;
	pid_t pid;
};

FIXTURE_SETUP(ipc)
{
	scratch_init(&self->s);
	self->pid = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

FIXTURE_TEARDOWN(ipc)
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
	scratch_clean(&self->s);
}

/*
 * Ping-pong through MAP_SHARED | MAP_ANONYMOUS memory: a parent and its
 * child take turns; whoever moves checks that the other's last write is
 * there.  The pages the parent filled before the fork are checked at the
 * end by the child.
 */
struct pingpong {
	atomic_long turn;
	long hist[PP_HIST];
};

static unsigned long pp_pat(long page)
{
	return 0x5eed0000UL + page * 7919;
}

static int pp_play(struct pingpong *pp, int me, const char *dir)
{
	long t, mine = 0;

	while ((t = atomic_load(&pp->turn)) < PP_STEPS) {
		if ((t & 1) != me) {
			usleep(50);
			continue;
		}
		if (t && pp->hist[(t - 1) % PP_HIST] != t - 1)
			return 30;
		pp->hist[t % PP_HIST] = t;
		mine++;
		if (!me && !(t % 100))
			put_long(dpath(dir, "progress"), t);
		atomic_store(&pp->turn, t + 1);
	}
	return mine == PP_STEPS / 2 ? 0 : 31;
}

/*
 * @file: a file to map shared (unlinked at once with @gone), else
 * MAP_SHARED | MAP_ANONYMOUS memory
 */
static void wl_pingpong(const char *dir, const char *file, bool gone)
{
	size_t ps = getpagesize(), len = (PP_PAGES + 16) * ps;
	int status, ret, fd = -1;
	unsigned char *m;
	struct pingpong *pp;
	long i;
	pid_t c;

	wl_task_setup();
	if (file) {
		fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, len) || (gone && unlink(file)))
			_exit(39);
	}
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | (file ? 0 : MAP_ANONYMOUS), fd, 0);
	if (m == MAP_FAILED)
		_exit(40);
	if (fd >= 0)
		close(fd);
	pp = (struct pingpong *)m;
	/* every other page of the data area, so that holes stay holes */
	for (i = 0; i < PP_PAGES; i += 2)
		*(unsigned long *)(m + (16 + i) * ps) = pp_pat(i);
	c = fork();
	if (c < 0)
		_exit(41);
	if (!c) {
		ret = pp_play(pp, 1, dir);
		for (i = 0; i < PP_PAGES && !ret; i++)
			if (*(unsigned long *)(m + (16 + i) * ps) !=
			    (i & 1 ? 0 : pp_pat(i)))
				ret = 32;
		_exit(ret);
	}
	put_long(dpath(dir, "ready"), 1);
	ret = pp_play(pp, 0, dir);
	if (waitpid(c, &status, 0) != c || !WIFEXITED(status))
		ret = 33;
	else if (!ret)
		ret = WEXITSTATUS(status);
	put_long(dpath(dir, "done"), ret ? -ret : atomic_load(&pp->turn));
	_exit(0);
}

/* whether /proc/PID/maps has a shared mapping at @addr's line */
static bool maps_shared(pid_t pid, const char *what, char *ino, size_t len)
{
	char path[64], line[512], perms[8], dev[16];
	unsigned long s, e, off;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char in[32];

		if (sscanf(line, "%lx-%lx %7s %lx %15s %31s", &s, &e, perms,
			   &off, dev, in) != 6 || !strstr(line, what))
			continue;
		found = perms[3] == 's';
		snprintf(ino, len, "%s", in);
	}
	fclose(f);
	return found;
}

static pid_t first_child(pid_t pid)
{
	struct dirent *d;
	char ppid[16];
	pid_t c = 0;
	DIR *dir;

	dir = opendir("/proc");
	while (dir && !c && (d = readdir(dir))) {
		pid_t p = atoi(d->d_name);

		if (p > 0 && proc_status(p, "PPid", ppid, sizeof(ppid)) &&
		    atoi(ppid) == pid)
			c = p;
	}
	if (dir)
		closedir(dir);
	return c;
}

TEST_F_TIMEOUT(ipc, shared_anon_fork, 300)
{
	const char *img = spath(&self->s, "img");
	char ino_p[32], ino_c[32];
	int status;
	long done;
	pid_t top, child;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_pingpong(self->s.dir, NULL, false);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), 300, NULL,
			      CKPT_WAIT_MS));
	/* the parent waits for its child by the pid it keeps */
	top = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	self->pid = top;
	/* both map one shared object again */
	child = first_child(top);
	ASSERT_LT(0, child);
	EXPECT_TRUE(maps_shared(top, "/dev/zero", ino_p, sizeof(ino_p)));
	EXPECT_TRUE(maps_shared(child, "/dev/zero", ino_c, sizeof(ino_c)));
	EXPECT_STREQ(ino_p, ino_c);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), -100, &done, 240000));
	EXPECT_EQ(PP_STEPS, done);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/*
 * A file mapped shared and writable by a parent and its child, on ramfs
 * (a file system that is not tmpfs): its contents are in the image, and
 * restart uses the file where it is (it is identical), maps it shared
 * again; at the end it holds what both wrote.  Unlinked, it is shared
 * memory like MAP_SHARED | MAP_ANONYMOUS.
 */
static void file_pingpong(struct __test_metadata *_metadata, struct scratch *sc,
			  pid_t *wpid, bool unlinked)
{
	const char *img = spath(sc, "img");
	const char *mnt = spath(sc, "ramfs");
	char file[160], ino_p[32], ino_c[32];
	struct pingpong pp;
	int status, fd;
	long done;
	pid_t top, child;

	ASSERT_EQ(0, mkdir(mnt, 0700));
	if (mount("ramfs", mnt, "ramfs", 0, NULL))
		SKIP(return, "cannot mount ramfs: %s", strerror(errno));
	snprintf(file, sizeof(file), "%s/pp", mnt);
	*wpid = fork();
	ASSERT_LE(0, *wpid);
	if (!*wpid)
		wl_pingpong(sc->dir, file, unlinked);
	ASSERT_TRUE(wait_file(spath(sc, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(sc, "progress"), 300, NULL,
			      CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, *wpid, RESTART_PIDS);
	*wpid = top;
	child = first_child(top);
	ASSERT_LT(0, child);
	EXPECT_TRUE(maps_shared(top, unlinked ? "pp (deleted)" : file,
				ino_p, sizeof(ino_p)));
	EXPECT_TRUE(maps_shared(child, unlinked ? "pp (deleted)" : file,
				ino_c, sizeof(ino_c)));
	EXPECT_STREQ(ino_p, ino_c);
	ASSERT_TRUE(wait_long(spath(sc, "done"), -100, &done, 240000));
	EXPECT_EQ(PP_STEPS, done);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	*wpid = 0;
	if (unlinked)
		return;
	/* the writes went to the file itself */
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(pp), pread(fd, &pp, sizeof(pp), 0));
	close(fd);
	EXPECT_EQ(PP_STEPS, atomic_load(&pp.turn));
	EXPECT_EQ(PP_STEPS - 1, pp.hist[(PP_STEPS - 1) % PP_HIST]);
	umount2(mnt, MNT_DETACH);
}

TEST_F_TIMEOUT(ipc, shared_file_mapping, 300)
{
	file_pingpong(_metadata, &self->s, &self->pid, false);
}

TEST_F_TIMEOUT(ipc, shared_unlinked_mapping, 300)
{
	file_pingpong(_metadata, &self->s, &self->pid, true);
}

/*
 * memfds: one sealed against resizing, at a file position, sparse, mapped
 * shared and privately with a page changed copy-on-write; one sealed
 * against writing and mapped read-only.  After restart the workload
 * checks all of it and reports a bitmask of what differed.
 */
#define MFD_SIZE	(1024 * 1024)
#define MFD_POS		12345

static unsigned char mfd_pat(long off)
{
	return (unsigned char)(off * 13 + 1);
}

static long mfd_check(int a, int b, unsigned char *sh, unsigned char *pr,
		      const unsigned char *ro, size_t ps)
{
	long bad = 0, off;
	char link[128], buf[64];
	struct stat st;
	ssize_t n;

	if (fcntl(a, F_GET_SEALS) != (F_SEAL_SHRINK | F_SEAL_GROW))
		bad |= 1;
	if (fcntl(b, F_GET_SEALS) != (F_SEAL_WRITE | F_SEAL_SEAL))
		bad |= 2;
	if (!ftruncate(a, 2 * MFD_SIZE) || errno != EPERM)
		bad |= 4;
	if (pwrite(b, "x", 1, 0) != -1 || errno != EPERM)
		bad |= 8;
	if (fstat(a, &st) || st.st_size != MFD_SIZE)
		bad |= 16;
	if (lseek(a, 0, SEEK_CUR) != MFD_POS)
		bad |= 32;
	snprintf(buf, sizeof(buf), "/proc/self/fd/%d", a);
	n = readlink(buf, link, sizeof(link) - 1);
	link[n < 0 ? 0 : n] = 0;
	if (strcmp(link, "/memfd:ckpt-a (deleted)"))
		bad |= 64;
	/* pages 0, 5 and 200 were written, the rest are holes */
	for (off = 0; off < MFD_SIZE; off += ps) {
		long pg = off / ps;
		unsigned char want = (pg == 0 || pg == 5 || pg == 200) ?
				     mfd_pat(off) : 0;

		if (sh[off] != want)
			bad |= 128;
		if (pg != 5 && pr[off] != want)
			bad |= 256;
	}
	if (pr[5 * ps] != 0xcc || sh[5 * ps] == 0xcc)
		bad |= 512;
	/* the shared mapping and the file are one object */
	if (pwrite(a, "Q", 1, 7 * ps) != 1 || sh[7 * ps] != 'Q')
		bad |= 1024;
	sh[9 * ps] = 'W';
	if (pread(a, buf, 1, 9 * ps) != 1 || buf[0] != 'W')
		bad |= 2048;
	if (ro[100] != 'r' || memcmp(ro, "read-only", 9))
		bad |= 4096;
	return bad;
}

static void wl_memfd(const char *dir)
{
	size_t ps = getpagesize();
	unsigned char *sh, *pr, *ro;
	int a, b;
	long pg;

	wl_task_setup();
	a = memfd_create("ckpt-a", MFD_ALLOW_SEALING);
	b = memfd_create("ckpt-b", MFD_ALLOW_SEALING);
	if (a < 0 || b < 0 || ftruncate(a, MFD_SIZE) || ftruncate(b, ps))
		_exit(40);
	for (pg = 0; pg <= 200; pg++) {
		unsigned char c = mfd_pat(pg * ps);

		if ((pg == 0 || pg == 5 || pg == 200) &&
		    pwrite(a, &c, 1, pg * ps) != 1)
			_exit(41);
	}
	if (pwrite(b, "read-only", 9, 0) != 9 || pwrite(b, "r", 1, 100) != 1)
		_exit(42);
	if (fcntl(a, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) ||
	    fcntl(b, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SEAL))
		_exit(43);
	sh = mmap(NULL, MFD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a, 0);
	pr = mmap(NULL, MFD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, a, 0);
	ro = mmap(NULL, ps, PROT_READ, MAP_SHARED, b, 0);
	if (sh == MAP_FAILED || pr == MAP_FAILED || ro == MAP_FAILED)
		_exit(44);
	pr[5 * ps] = 0xcc;
	if (lseek(a, MFD_POS, SEEK_SET) != MFD_POS)
		_exit(45);
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
	put_long(dpath(dir, "done"), mfd_check(a, b, sh, pr, ro, ps));
	_exit(0);
}

TEST_F_TIMEOUT(ipc, memfd_seals_contents, 300)
{
	const char *img = spath(&self->s, "img");
	struct img im = {};
	int status, fd;
	long done;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_memfd(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	/* two objects, each saved once: only the pages written */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(2, img_count(&im, CKPT_REC_SHMEM));
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	img_free(&im);
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done,
			      CKPT_WAIT_MS));
	EXPECT_EQ(0, done) {
		TH_LOG("memfd checks failed: mask %#lx", done);
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/*
 * POSIX shared memory and a named semaphore (sem_open() makes a file in
 * /dev/shm and maps it; it is unlinked at once): workers add to a counter
 * under the semaphore.
 */
#define SEM_WORKERS	3
#define SEM_ROUNDS	2000

static void wl_posix_shm(const char *dir, const char *name)
{
	long *counter;
	int fd, i, status, bad = 0;
	sem_t *sem;

	wl_task_setup();
	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		_exit(40);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (counter == MAP_FAILED)
		_exit(41);
	close(fd);
	sem = sem_open(name, O_CREAT | O_EXCL, 0600, 1);
	if (sem == SEM_FAILED)
		_exit(42);
	sem_unlink(name);
	for (i = 0; i < SEM_WORKERS; i++) {
		if (fork())
			continue;
		for (int k = 0; k < SEM_ROUNDS; k++) {
			long v;

			if (sem_wait(sem))
				_exit(43);
			v = counter[0];
			usleep(20);
			counter[0] = v + 1;
			if (!(counter[0] % 100))
				put_long(dpath(dir, "progress"), counter[0]);
			if (sem_post(sem))
				_exit(44);
		}
		_exit(0);
	}
	put_long(dpath(dir, "ready"), 1);
	for (i = 0; i < SEM_WORKERS; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad++;
	put_long(dpath(dir, "done"), bad ? -bad : counter[0]);
	_exit(0);
}

TEST_F_TIMEOUT(ipc, posix_shm_and_semaphore, 300)
{
	const char *img = spath(&self->s, "img");
	char name[64];
	int status;
	long done;
	pid_t top;

	snprintf(name, sizeof(name), "/ckpt-ipc-%d", getpid());
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_posix_shm(self->s.dir, name);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), 500, NULL,
			      CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), -SEM_WORKERS, &done,
			      240000));
	/* no increment lost or repeated: the semaphore still excludes */
	EXPECT_EQ(SEM_WORKERS * SEM_ROUNDS, done);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
	shm_unlink(name);
}

/*
 * Shared memory that a process outside the image maps too is refused:
 * a copy restarted without it would silently stop being shared.  Once the
 * outside process unmaps it, the same workload checkpoints.
 */
TEST_F_TIMEOUT(ipc, shared_with_outside_refused, 120)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_error *e;
	struct img im = {};
	long *m;
	int err, fd;

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	__atomic_store_n(&m[0], 0, __ATOMIC_SEQ_CST);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		prctl(PR_SET_NAME, TREE_COMM);
		wl_privatize_shared_mappings_but((const void *)m);
		__atomic_store_n(&m[0], 1, __ATOMIC_SEQ_CST);
		for (;;)
			pause();
	}
	while (!__atomic_load_n(&m[0], __ATOMIC_SEQ_CST))
		sleep_ms(10);
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(CKPT_OBJ_VMA, e->kind);
	EXPECT_NE(NULL, strstr((const char *)e->msg, "outside")) {
		TH_LOG("error record: %s", (const char *)e->msg);
	}
	img_free(&im);
	/* the workload was not harmed, and alone it can be taken */
	EXPECT_TRUE(wait_state(self->pid, 'S', CKPT_WAIT_MS));
	ASSERT_EQ(0, munmap(m, 4096));
	EXPECT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
}

/*
 * Forged SHMEM records and mappings of them: restart refuses each with
 * EINVAL and leaves no task behind.
 */
static bool at_shmem(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_SHMEM;
}

/* the first PAGES record after a SHMEM */
static bool at_shmem_pages(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_PAGES && prev && prev->type == CKPT_REC_SHMEM;
}

static bool at_shmem_vma(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_VMA &&
	       ((const struct ckpt_rec_vma *)h)->type == CKPT_VMA_SHMEM;
}

static bool at_chrdev_file(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_FILE &&
	       ((const struct ckpt_rec_file *)h)->type == CKPT_FILE_CHRDEV;
}

TEST_F_TIMEOUT(ipc, forged_shmem_refused, 300)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	__le64 huge = 1ULL << 63, off;
	__le32 v;
	int err;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_memfd(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err));
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	v = 0x80;
	forge_and_expect(_metadata, img, bad, at_shmem,
			 offsetof(struct ckpt_rec_shmem, flags), &v, 4,
			 "unknown flags");
	v = 0x1000;
	forge_and_expect(_metadata, img, bad, at_shmem,
			 offsetof(struct ckpt_rec_shmem, seals), &v, 4,
			 "unknown seal");
	v = 010777;
	forge_and_expect(_metadata, img, bad, at_shmem,
			 offsetof(struct ckpt_rec_shmem, mode), &v, 4,
			 "file type in mode");
	forge_and_expect(_metadata, img, bad, at_shmem,
			 offsetof(struct ckpt_rec_shmem, size), &huge, 8,
			 "size beyond the largest file");
	/* "memfd:ckpt-a" becomes "memfd/ckpt-a" */
	forge_and_expect(_metadata, img, bad, at_shmem,
			 offsetof(struct ckpt_rec_shmem, name) + 5, "/", 1,
			 "name with a slash");
	/* the first object has pages 0, 5 and 200 */
	off = MFD_SIZE;
	forge_and_expect(_metadata, img, bad, at_shmem_pages,
			 offsetof(struct ckpt_rec_pages, addrs[1]), &off, 8,
			 "page beyond the object");
	off = 0;
	forge_and_expect(_metadata, img, bad, at_shmem_pages,
			 offsetof(struct ckpt_rec_pages, addrs[1]), &off, 8,
			 "pages not ascending");
	/* a mapping naming no object, a device naming one */
	v = 9999;
	forge_and_expect(_metadata, img, bad, at_shmem_vma,
			 offsetof(struct ckpt_rec_vma, obj_ref), &v, 4,
			 "VMA obj_ref of nothing");
	v = 1;
	forge_and_expect(_metadata, img, bad, at_chrdev_file,
			 offsetof(struct ckpt_rec_file, obj_ref), &v, 4,
			 "FILE obj_ref for a character device");
}

TEST_HARNESS_MAIN
