// SPDX-License-Identifier: GPL-2.0
/*
 * SysV IPC (shared memory, semaphores, message queues), POSIX message
 * queues and the ipc and uts namespaces of a container, judged by outcome:
 * the workload goes on after checkpoint, kill and restart and finds its
 * data, semaphore values, SEM_UNDO adjustments and messages under the ids
 * it keeps in memory.  Refusals (an object used outside the image, of
 * another namespace, mq_notify()), forged images, owners the caller could
 * not give and the limits of the ipc namespace are tested too: a refused
 * restart leaves no object and no task behind.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <mqueue.h>
#include <sched.h>
#include <setjmp.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#ifndef SHM_DEST
#define SHM_DEST	01000
#endif
#ifndef SHM_LOCKED
#define SHM_LOCKED	02000
#endif

#define SV_NOBODY	65534
#define SV_ENV		"CKPT_SYSV_WL"

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

struct sv_msg {
	long type;
	char text[4096];
};

FIXTURE(sysv) {
	struct scratch s;
	pid_t pid;
	pid_t outer;		/* the process that made a container */
	char mq[2][64];
	char sysctl[64];
	char sysctl_old[64];
};

/* the ids a workload reports in @name */
static bool get_ids(struct scratch *s, const char *name, int *ids, int n)
{
	char buf[256], *p = buf;
	int fd, i;
	ssize_t len;

	fd = open(spath(s, name), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return false;
	buf[len] = 0;
	for (i = 0; i < n; i++) {
		char *end;

		ids[i] = strtol(p, &end, 10);
		if (end == p)
			ids[i] = -1;
		p = end;
	}
	return true;
}

/* write the ids of objects to @name in @dir ("ids": removed at teardown) */
static bool put_ids(const char *dir, const char *name, const int *ids, int n)
{
	char path[160], tmp[170], buf[256];
	int fd, i, len = 0;
	bool ok;

	for (i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%d ", ids[i]);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	ok = write(fd, buf, len) == len;
	close(fd);
	return ok && !rename(tmp, path);
}

/* a string copied with its NUL */
static void put_str(char *dst, const char *str)
{
	memcpy(dst, str, strlen(str) + 1);
}

/* remove whatever object an id names, of any kind */
static void rm_ids(const int *ids, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (ids[i] < 0)
			continue;
		shmctl(ids[i], IPC_RMID, NULL);
		semctl(ids[i], 0, IPC_RMID);
		msgctl(ids[i], IPC_RMID, NULL);
	}
}

/* no object of any kind with one of these ids exists */
static int ids_left(const int *ids, int n)
{
	struct shmid_ds shm;
	struct msqid_ds msq;
	struct semid_ds sem;
	union semun arg = { .buf = &sem };
	int i, left = 0;

	for (i = 0; i < n; i++) {
		if (ids[i] < 0)
			continue;
		left += !shmctl(ids[i], IPC_STAT, &shm);
		left += semctl(ids[i], 0, IPC_STAT, arg) >= 0;
		left += !msgctl(ids[i], IPC_STAT, &msq);
	}
	return left;
}

FIXTURE_SETUP(sysv)
{
	memset(self, 0, sizeof(*self));
	scratch_init(&self->s);
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

static void write_sysctl(const char *name, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		;
	close(fd);
}

FIXTURE_TEARDOWN(sysv)
{
	int ids[8], i;

	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->outer > 0) {
		kill(self->outer, SIGKILL);
		waitpid(self->outer, NULL, 0);
	}
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	memset(ids, 0xff, sizeof(ids));
	if (get_ids(&self->s, "ids", ids, 8))
		rm_ids(ids, 8);
	for (i = 0; i < 2; i++)
		if (self->mq[i][0])
			mq_unlink(self->mq[i]);
	if (self->sysctl[0])
		write_sysctl(self->sysctl, self->sysctl_old);
	scratch_clean(&self->s);
}

/* wait for the workload to say it is ready, then for its ids */
static void wait_ready(struct __test_metadata *_metadata, struct scratch *s,
		       const char *name, int *ids, int n)
{
	ASSERT_TRUE(wait_file(spath(s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(get_ids(s, name, ids, n));
}

/*
 * Checkpoint with CHECKPOINT_KILL; its objects outlive the processes in
 * the caller's namespace: remove them, then restart.  The restored top.
 */
static pid_t cycle_ipc(struct __test_metadata *_metadata, const char *img,
		       pid_t pid, unsigned long rflags, const int *ids, int n)
{
	int err, status;
	pid_t top;

	ASSERT_LT(0, take(img, pid, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint(%d): %s", pid, strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	rm_ids(ids, n);
	ASSERT_EQ(0, ids_left(ids, n));
	top = restart_img(img, 0, rflags, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	return top;
}

/* tell the restored workload to check itself; its answer, 0 if all is well */
static long go_and_check(struct __test_metadata *_metadata, struct scratch *s)
{
	long done = -1;

	put_long(spath(s, "go"), 1);
	EXPECT_TRUE(wait_long(spath(s, "done"), 0, &done, CKPT_WAIT_MS)) {
		TH_LOG("the restored workload did not answer");
	}
	return done;
}

static void wait_go(const char *dir)
{
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
}

static void load_img(struct __test_metadata *_metadata, const char *path,
		     struct img *im)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, im));
	close(fd);
}

/*
 * One process with a segment, a semaphore set with SEM_UNDO adjustments
 * and a message queue.
 */
#define AK_SHM		(1024 * 1024)
#define AK_BIG		3000

static unsigned char ak_pat(long off)
{
	return (unsigned char)(off * 31 + 7);
}

static const long ak_types[] = { 1, 2, 1, 5 };
static const char *const ak_texts[] = { "one", "two-two", "three", NULL };

static size_t ak_msg(int i, struct sv_msg *m)
{
	m->type = ak_types[i];
	if (ak_texts[i]) {
		put_str(m->text, ak_texts[i]);
		return strlen(ak_texts[i]) + 1;
	}
	for (int k = 0; k < AK_BIG; k++)
		m->text[k] = (char)(k * 3 + 1);
	return AK_BIG;
}

/* what the restored workload finds; a bit per difference */
static long ak_check(int shmid, int semid, int msqid, unsigned char *p)
{
	unsigned short vals[3];
	union semun arg = { .array = vals };
	struct shmid_ds shm;
	struct msqid_ds msq;
	struct sv_msg m, want;
	long bad = 0, off;
	ssize_t n;
	size_t len;
	int order[] = { 1, 0, 2, 3 };	/* type 2 first, then in order */
	int i;

	for (off = 0; off < AK_SHM; off += 4096)
		if (p[off] != ((off / 4096) % 3 ? 0 : ak_pat(off)))
			bad |= 1;
	if (semctl(semid, 0, GETALL, arg) || vals[0] != 5 || vals[1] != 5 ||
	    vals[2] != 12)
		bad |= 2;
	if (shmctl(shmid, IPC_STAT, &shm) || (shm.shm_perm.mode & 0777) != 0640 ||
	    shm.shm_nattch != 1 || shm.shm_segsz != AK_SHM ||
	    shm.shm_cpid != getpid())
		bad |= 4;
	if (msgctl(msqid, IPC_STAT, &msq) || msq.msg_qbytes != 4000 ||
	    msq.msg_qnum != 4 || (msq.msg_perm.mode & 0777) != 0620 ||
	    msq.msg_lspid != getpid())
		bad |= 8;
	for (i = 0; i < 4; i++) {
		len = ak_msg(order[i], &want);
		n = msgrcv(msqid, &m, sizeof(m.text), i ? 0 : 2, IPC_NOWAIT);
		if (n != (ssize_t)len || m.type != want.type ||
		    memcmp(m.text, want.text, len))
			bad |= 16;
	}
	if (msgrcv(msqid, &m, sizeof(m.text), 0, IPC_NOWAIT) != -1 ||
	    errno != ENOMSG)
		bad |= 32;
	/* the segment still works as one: a write shows in a new attach */
	p[1] = 0x5a;
	{
		unsigned char *q = shmat(shmid, NULL, SHM_RDONLY);

		if (q == (void *)-1 || q[1] != 0x5a)
			bad |= 64;
		if (q != (void *)-1)
			shmdt(q);
	}
	return bad;
}

static void wl_all_kinds(const char *dir)
{
	struct sembuf undo[] = { { 1, -2, SEM_UNDO }, { 2, 3, SEM_UNDO } };
	unsigned short init[3] = { 5, 7, 9 };
	union semun arg = { .array = init };
	struct msqid_ds msq;
	struct sv_msg m;
	unsigned char *p;
	int ids[3], i;
	long off;

	wl_task_setup();
	ids[0] = shmget(IPC_PRIVATE, AK_SHM, IPC_CREAT | 0640);
	ids[1] = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	ids[2] = msgget(IPC_PRIVATE, IPC_CREAT | 0620);
	if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0 ||
	    !put_ids(dir, "ids", ids, 3))
		_exit(40);
	p = shmat(ids[0], NULL, 0);
	if (p == (void *)-1)
		_exit(41);
	/* every third page: the others stay holes */
	for (off = 0; off < AK_SHM; off += 3 * 4096)
		p[off] = ak_pat(off);
	if (semctl(ids[1], 0, SETALL, arg) || semop(ids[1], undo, 2))
		_exit(42);
	if (msgctl(ids[2], IPC_STAT, &msq))
		_exit(43);
	msq.msg_qbytes = 4000;
	if (msgctl(ids[2], IPC_SET, &msq))
		_exit(44);
	for (i = 0; i < 4; i++) {
		size_t len = ak_msg(i, &m);

		if (msgsnd(ids[2], &m, len, IPC_NOWAIT))
			_exit(45);
	}
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	put_long(dpath(dir, "done"), ak_check(ids[0], ids[1], ids[2], p));
	_exit(0);
}

TEST_F_TIMEOUT(sysv, shm_sem_msg, 300)
{
	const char *img = spath(&self->s, "img");
	unsigned short vals[3];
	union semun arg = { .array = vals };
	struct shmid_ds shm;
	struct img im = {};
	int ids[3], status;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_all_kinds(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 3);
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &status)) {
		TH_LOG("checkpoint: %s", strerror(status));
		show_error_record(img);
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	/* the process is gone, its objects are not: free their ids */
	rm_ids(ids, 3);
	ASSERT_EQ(0, ids_left(ids, 3));

	load_img(_metadata, img, &im);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	EXPECT_EQ(1, img_count(&im, CKPT_REC_SYSV_SHM));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_SYSV_SEM));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_SYSV_MSQ));
	EXPECT_EQ(4, img_count(&im, CKPT_REC_IPC_MSG));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_SEM_UNDO));
	img_free(&im);

	top = restart_img(img, 0, RESTART_PIDS, &status);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	self->pid = top;
	/* the objects are back under their ids, before the process runs on */
	ASSERT_EQ(0, shmctl(ids[0], IPC_STAT, &shm));
	EXPECT_EQ(1, shm.shm_nattch);
	EXPECT_EQ(0640, shm.shm_perm.mode & 0777);
	EXPECT_EQ(top, shm.shm_cpid);
	ASSERT_EQ(0, semctl(ids[1], 0, GETALL, arg));
	EXPECT_EQ(5, vals[0]);
	EXPECT_EQ(5, vals[1]);
	EXPECT_EQ(12, vals[2]);
	EXPECT_EQ(top, semctl(ids[1], 1, GETPID));

	EXPECT_EQ(0, go_and_check(_metadata, &self->s));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
	/* its exit undid its SEM_UNDO operations: +2 on #1, -3 on #2 */
	ASSERT_EQ(0, semctl(ids[1], 0, GETALL, arg));
	EXPECT_EQ(5, vals[0]);
	EXPECT_EQ(7, vals[1]);
	EXPECT_EQ(9, vals[2]);
}

/*
 * A segment marked for removal while a parent and its child have it
 * attached: it stays usable, and goes with the last detach.
 */
static void wl_rmid(const char *dir)
{
	int id, status, ids[1];
	char *p;
	pid_t c;

	wl_task_setup();
	id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600);
	p = shmat(id, NULL, 0);
	if (id < 0 || p == (void *)-1 || shmctl(id, IPC_RMID, NULL))
		_exit(40);
	ids[0] = id;
	if (!put_ids(dir, "ids", ids, 1))
		_exit(45);
	put_str(p + 40000, "before");
	c = fork();
	if (c < 0)
		_exit(41);
	if (!c) {
		wait_go(dir);
		if (strcmp(p + 40000, "before"))
			_exit(1);
		put_str(p + 50000, "child");
		_exit(0);
	}
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	if (waitpid(c, &status, 0) != c || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		_exit(42);
	if (strcmp(p + 50000, "child"))
		_exit(43);
	if (shmdt(p))
		_exit(44);
	put_long(dpath(dir, "done"), 0);
	_exit(0);
}

TEST_F_TIMEOUT(sysv, shm_rmid_while_attached, 300)
{
	const char *img = spath(&self->s, "img");
	struct shmid_ds shm;
	int ids[1], status;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_rmid(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 1);
	ASSERT_EQ(0, shmctl(ids[0], IPC_STAT, &shm));
	ASSERT_EQ(2, shm.shm_nattch);
	top = cycle_tree(_metadata, img, self->pid, RESTART_PIDS);
	self->pid = top;
	/* back, still marked, attached twice */
	ASSERT_EQ(0, shmctl(ids[0], IPC_STAT, &shm));
	EXPECT_EQ(2, shm.shm_nattch);
	EXPECT_TRUE(shm.shm_perm.mode & SHM_DEST);
	EXPECT_EQ(IPC_PRIVATE, shm.shm_perm.__key);
	EXPECT_EQ(0, go_and_check(_metadata, &self->s));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("status %#x", status);
	}
	self->pid = 0;
	/* the last detach took it away */
	EXPECT_EQ(-1, shmctl(ids[0], IPC_STAT, &shm));
}

/*
 * Attaches: one read-write split in two by mprotect(), one SHM_RDONLY.
 * After restart the read-only one is still read-only, the split one is
 * still one attach (shmdt() takes both halves).
 */
static sigjmp_buf ro_jmp;
static int ro_faulted;

static void ro_segv(int sig)
{
	ro_faulted = 1;
	siglongjmp(ro_jmp, 1);
}

static long ro_check(int id, char *rw, char *ro)
{
	struct shmid_ds shm;
	long bad = 0;

	if (strcmp(ro, "written") || strcmp(rw + 3 * 4096, "tail"))
		bad |= 1;
	signal(SIGSEGV, ro_segv);
	if (!sigsetjmp(ro_jmp, 1))
		__atomic_store_n(ro, 'X', __ATOMIC_SEQ_CST);
	signal(SIGSEGV, SIG_DFL);
	if (!ro_faulted)
		bad |= 2;	/* the write went through */
	if (!mprotect(ro, 4096, PROT_READ | PROT_WRITE) || errno != EACCES)
		bad |= 4;
	if (shmctl(id, IPC_STAT, &shm) || shm.shm_nattch != 3)
		bad |= 8;
	if (shmdt(rw) || shmctl(id, IPC_STAT, &shm) || shm.shm_nattch != 1)
		bad |= 16;
	if (ro[0] != 'w')
		bad |= 32;
	return bad;
}

static void wl_rdonly(const char *dir)
{
	int id, ids[1];
	char *rw, *ro;

	wl_task_setup();
	id = shmget(IPC_PRIVATE, 4 * 4096, IPC_CREAT | 0600);
	rw = shmat(id, NULL, 0);
	ro = shmat(id, NULL, SHM_RDONLY);
	if (id < 0 || rw == (void *)-1 || ro == (void *)-1)
		_exit(40);
	ids[0] = id;
	if (!put_ids(dir, "ids", ids, 1))
		_exit(45);
	put_str(rw, "written");
	put_str(rw + 3 * 4096, "tail");
	if (mprotect(rw + 2 * 4096, 2 * 4096, PROT_READ))
		_exit(41);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	put_long(dpath(dir, "done"), ro_check(id, rw, ro));
	_exit(0);
}

TEST_F_TIMEOUT(sysv, shm_rdonly_attach, 300)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_vma *v;
	const struct ckpt_hdr *h;
	struct img im = {};
	int ids[1], status, nv = 0, nrw = 0;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_rdonly(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 1);
	top = cycle_ipc(_metadata, img, self->pid, 0, ids, 1);
	self->pid = top;
	load_img(_metadata, img, &im);
	for (h = img_next(&im, NULL); h; h = img_next(&im, h)) {
		v = (const void *)h;
		if (h->type != CKPT_REC_VMA || v->type != CKPT_VMA_SYSV)
			continue;
		nv++;
		nrw += !!(v->flags & CKPT_VMA_MAYWRITE);
		EXPECT_EQ((__u64)ids[0], v->ino);
	}
	img_free(&im);
	EXPECT_EQ(3, nv);
	EXPECT_EQ(2, nrw);
	EXPECT_EQ(0, go_and_check(_metadata, &self->s));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	self->pid = 0;
}

/*
 * PostgreSQL's way: a postmaster makes one big segment and a semaphore
 * set, its backends take the lock (a semaphore, with SEM_UNDO) and update
 * shared state that must stay consistent.
 */
#define PG_WORKERS	4
#define PG_ROUNDS	400
#define PG_SHM		(16 << 20)
#define PG_STRIDE	(PG_SHM / PG_WORKERS)

struct pg_state {
	long total;
	long count[PG_WORKERS];
	long broken;
};

static int pg_lock(int semid, int op)
{
	struct sembuf sb = { 0, (short)op, SEM_UNDO };

	while (semop(semid, &sb, 1)) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static void pg_worker(char *base, int semid, int me, const char *dir)
{
	struct pg_state *st = (struct pg_state *)base;
	long r, sum;
	int k;

	for (r = 0; r < PG_ROUNDS; r++) {
		if (pg_lock(semid, -1))
			_exit(50);
		for (sum = 0, k = 0; k < PG_WORKERS; k++)
			sum += st->count[k];
		if (sum != st->total)
			st->broken++;
		st->count[me]++;
		/* the worker's page of the big segment records its progress */
		*(long *)(base + (me + 1) * PG_STRIDE - 4096) = st->count[me];
		usleep(100);
		st->total++;
		if (!(st->total % 50))
			put_long(dpath(dir, "progress"), st->total);
		if (pg_lock(semid, 1))
			_exit(51);
	}
	_exit(0);
}

static void wl_postgres(const char *dir)
{
	struct pg_state *st;
	int shmid, semid, i, status, bad = 0, ids[2];
	char *base;

	wl_task_setup();
	shmid = shmget(IPC_PRIVATE, PG_SHM, IPC_CREAT | 0600);
	semid = semget(IPC_PRIVATE, 1 + PG_WORKERS, IPC_CREAT | 0600);
	base = shmat(shmid, NULL, 0);
	if (shmid < 0 || semid < 0 || base == (void *)-1 ||
	    semctl(semid, 0, SETVAL, 1))
		_exit(40);
	ids[0] = shmid;
	ids[1] = semid;
	if (!put_ids(dir, "ids", ids, 2))
		_exit(45);
	st = (struct pg_state *)base;
	for (i = 0; i < PG_WORKERS; i++) {
		pid_t c = fork();

		if (c < 0)
			_exit(41);
		if (!c)
			pg_worker(base, semid, i, dir);
	}
	put_long(dpath(dir, "ready"), 1);
	for (i = 0; i < PG_WORKERS; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad |= 1;
	for (i = 0; i < PG_WORKERS; i++)
		if (st->count[i] != PG_ROUNDS ||
		    *(long *)(base + (i + 1) * PG_STRIDE - 4096) != PG_ROUNDS)
			bad |= 2;
	if (st->total != PG_WORKERS * PG_ROUNDS || st->broken)
		bad |= 4;
	/* the lock is free again, nobody holds it */
	if (semctl(semid, 0, GETVAL) != 1)
		bad |= 8;
	put_long(dpath(dir, "done"), bad);
	_exit(0);
}

TEST_F_TIMEOUT(sysv, postgres_style, 600)
{
	const char *img = spath(&self->s, "img");
	int ids[2], status;
	long done;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_postgres(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 2);
	ASSERT_TRUE(wait_long(spath(&self->s, "progress"), 200, NULL,
			      CKPT_WAIT_MS));
	top = cycle_ipc(_metadata, img, self->pid, RESTART_PIDS, ids, 2);
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, 400000));
	EXPECT_EQ(0, done);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/*
 * POSIX message queues: one named, with messages of several priorities,
 * one unlinked while open.
 */
static const unsigned int mq_prio[] = { 1, 7, 3, 7, 0 };
static const char *const mq_text[] = { "a", "b", "c", "d", "e" };

static long mq_check(mqd_t q, mqd_t u, const char *name, const char *uname)
{
	static const int order[] = { 1, 3, 2, 0, 4 };
	struct mq_attr a;
	char buf[128];
	unsigned int prio;
	long bad = 0;
	mqd_t again;
	int i;

	if (mq_getattr(q, &a) || a.mq_maxmsg != 8 || a.mq_msgsize != 128 ||
	    a.mq_curmsgs != 5 || !(a.mq_flags & O_NONBLOCK))
		bad |= 1;
	for (i = 0; i < 5; i++) {
		if (mq_receive(q, buf, sizeof(buf), &prio) != 2 ||
		    strcmp(buf, mq_text[order[i]]) || prio != mq_prio[order[i]])
			bad |= 2;
	}
	if (mq_receive(u, buf, sizeof(buf), &prio) != 7 ||
	    strcmp(buf, "hidden") || prio != 9)
		bad |= 4;
	again = mq_open(name, O_RDONLY);
	if (again == (mqd_t)-1)
		bad |= 8;
	else
		mq_close(again);
	if (mq_open(uname, O_RDONLY) != (mqd_t)-1 || errno != ENOENT)
		bad |= 16;
	return bad;
}

static void wl_mqueue(const char *dir, const char *name, const char *uname)
{
	struct mq_attr a = { .mq_maxmsg = 8, .mq_msgsize = 128 };
	mqd_t q, u;
	int i;

	wl_task_setup();
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_NONBLOCK, 0640, &a);
	u = mq_open(uname, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	if (q == (mqd_t)-1 || u == (mqd_t)-1 || mq_unlink(uname))
		_exit(40);
	for (i = 0; i < 5; i++)
		if (mq_send(q, mq_text[i], 2, mq_prio[i]))
			_exit(41);
	if (mq_send(u, "hidden", 7, 9))
		_exit(42);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	put_long(dpath(dir, "done"), mq_check(q, u, name, uname));
	_exit(0);
}

TEST_F_TIMEOUT(sysv, posix_mqueue, 300)
{
	const char *img = spath(&self->s, "img");
	struct img im = {};
	int status;
	pid_t top;

	snprintf(self->mq[0], sizeof(self->mq[0]), "/ckpt-mq-%d", getpid());
	snprintf(self->mq[1], sizeof(self->mq[1]), "/ckpt-mqu-%d", getpid());
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_mqueue(self->s.dir, self->mq[0], self->mq[1]);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &status)) {
		TH_LOG("checkpoint: %s", strerror(status));
		show_error_record(img);
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	/* the named queue outlives the process: free its name */
	ASSERT_EQ(0, mq_unlink(self->mq[0]));
	load_img(_metadata, img, &im);
	EXPECT_EQ(2, img_count(&im, CKPT_REC_MQUEUE));
	EXPECT_EQ(6, img_count(&im, CKPT_REC_IPC_MSG));
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	img_free(&im);
	top = restart_img(img, 0, 0, &status);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	self->pid = top;
	EXPECT_EQ(0, go_and_check(_metadata, &self->s));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	self->pid = 0;
}

/* refused, with an error record of kind IPC whose message has @what */
static void expect_ipc_refusal(struct __test_metadata *_metadata,
			       const char *img, pid_t pid, const char *what)
{
	const struct ckpt_rec_error *e;
	struct img im = {};
	int err;

	EXPECT_EQ(-1, take(img, pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	load_img(_metadata, img, &im);
	EXPECT_EQ(NULL, img_check(&im, false)) {
		TH_LOG("%s", im.why);
	}
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(CKPT_OBJ_IPC, e->kind);
	EXPECT_NE(NULL, strstr((const char *)e->msg, what)) {
		TH_LOG("error record: %s", (const char *)e->msg);
	}
	img_free(&im);
	/* the workload was not harmed */
	EXPECT_EQ(0, kill(pid, 0));
	EXPECT_TRUE(wait_state(pid, 'S', CKPT_WAIT_MS));
}

static void wl_notify(const char *dir, const char *name)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGUSR1 };
	mqd_t q;

	wl_task_setup();
	signal(SIGUSR1, SIG_IGN);
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &a);
	if (q == (mqd_t)-1 || mq_notify(q, &ev))
		_exit(40);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(sysv, mq_notify_refused, 120)
{
	const char *img = spath(&self->s, "img");

	snprintf(self->mq[0], sizeof(self->mq[0]), "/ckpt-mqn-%d", getpid());
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_notify(self->s.dir, self->mq[0]);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	expect_ipc_refusal(_metadata, img, self->pid, "mq_notify");
}

/*
 * Objects used by a process outside the image are refused, each with a
 * record that names it; once the outsider lets go, the image is taken.
 */
static void wl_shared(const char *dir)
{
	struct sv_msg m = { .type = 1 };
	struct sembuf sb = { 0, 1, SEM_UNDO };
	int ids[3];
	char *p;

	wl_task_setup();
	ids[0] = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	ids[1] = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ids[2] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	p = shmat(ids[0], NULL, 0);
	if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0 || p == (void *)-1 ||
	    semctl(ids[1], 0, SETVAL, 3) || semop(ids[1], &sb, 1) ||
	    msgsnd(ids[2], &m, 1, 0) || !put_ids(dir, "ids", ids, 3))
		_exit(40);
	p[0] = 1;
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(sysv, shared_with_outside_refused, 300)
{
	const char *img = spath(&self->s, "img");
	struct sembuf sb = { 0, -1, SEM_UNDO };
	struct sv_msg m;
	int ids[3], err;
	char *p;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_shared(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 3);

	/* the test attaches the segment too */
	p = shmat(ids[0], NULL, 0);
	ASSERT_NE((void *)-1, p);
	expect_ipc_refusal(_metadata, img, self->pid, "attached by a process outside");
	ASSERT_EQ(0, shmdt(p));

	/* the test receives from the queue: its last receiver lives outside */
	ASSERT_EQ(1, msgrcv(ids[2], &m, sizeof(m.text), 0, IPC_NOWAIT));
	expect_ipc_refusal(_metadata, img, self->pid, "outside the image");
	m.type = 1;
	ASSERT_EQ(0, msgctl(ids[2], IPC_RMID, NULL));

	/* the test has SEM_UNDO adjustments for the set, as the workload has */
	ASSERT_EQ(0, semop(ids[1], &sb, 1));
	expect_ipc_refusal(_metadata, img, self->pid, "SEM_UNDO");
	ASSERT_EQ(0, semctl(ids[1], 0, IPC_RMID));

	/* alone again, it can be taken */
	EXPECT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
}

/*
 * SEM_UNDO adjustments shared by two processes (clone(CLONE_SYSVSEM)
 * without CLONE_VM) are no list of one process: refused, both when the two
 * are in the image and when the one outside holds the list too.
 */
static void wl_sysvsem(const char *dir)
{
	struct sembuf sb = { 0, 1, SEM_UNDO };
	int ids[1];
	pid_t c;

	wl_task_setup();
	ids[0] = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (ids[0] < 0 || semop(ids[0], &sb, 1) || !put_ids(dir, "ids", ids, 1))
		_exit(40);
	c = syscall(SYS_clone, CLONE_SYSVSEM | SIGCHLD, 0, NULL, NULL, 0);
	if (c < 0)
		_exit(41);
	if (!c)
		for (;;)
			pause();
	put_long(dpath(dir, "child"), c);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(sysv, clone_sysvsem_refused, 120)
{
	const char *img = spath(&self->s, "img");
	long child = 0;
	int ids[1];

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_sysvsem(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "child"), 1, &child,
			      CKPT_WAIT_MS));
	ASSERT_TRUE(wait_state(child, 'S', CKPT_WAIT_MS));

	/* both in the image: one list for two processes */
	expect_ipc_refusal(_metadata, img, self->pid, "CLONE_SYSVSEM");
	/* the child alone: its parent, outside, shares its list */
	expect_ipc_refusal(_metadata, img, child,
			   "SEM_UNDO adjustments shared with a task outside");
}

/*
 * A container: its own pid, ipc and uts namespaces, made with unshare(2).
 * Its init makes SysV objects (one with a key) and a POSIX queue in its
 * ipc namespace, and names its host.  After restart it finds all of it;
 * the caller's namespace never sees its objects.
 */
#define BOX_KEY		0x0c4b7001
#define BOX_HOST	"ckpt-box"
#define BOX_DOMAIN	"ckpt-domain"

static long box_check(int *ids, char *p, mqd_t q)
{
	struct utsname u;
	struct sv_msg m;
	char buf[64];
	long bad = 0;

	if (uname(&u) || strcmp(u.nodename, BOX_HOST) ||
	    strcmp(u.domainname, BOX_DOMAIN))
		bad |= 1;
	if (shmget(BOX_KEY, 0, 0) != ids[0] || strcmp(p + 100, "in the box"))
		bad |= 2;
	if (semctl(ids[1], 1, GETVAL) != 42)
		bad |= 4;
	if (msgrcv(ids[2], &m, sizeof(m.text), 0, IPC_NOWAIT) != 4 ||
	    strcmp(m.text, "box"))
		bad |= 8;
	if (mq_receive(q, buf, sizeof(buf), NULL) != 3 || strcmp(buf, "mq"))
		bad |= 16;
	if (getpid() != 1)
		bad |= 32;
	return bad;
}

static void box_init(const char *dir)
{
	struct mq_attr a = { .mq_maxmsg = 4, .mq_msgsize = 16 };
	struct sv_msg m = { .type = 3, .text = "box" };
	int ids[3];
	mqd_t q;
	char *p;

	wl_task_setup();
	ids[0] = shmget(BOX_KEY, 4096, IPC_CREAT | IPC_EXCL | 0600);
	ids[1] = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	ids[2] = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	p = shmat(ids[0], NULL, 0);
	q = mq_open("/box-queue", O_CREAT | O_RDWR | O_NONBLOCK, 0600, &a);
	if (ids[0] < 0 || ids[1] < 0 || ids[2] < 0 || p == (void *)-1 ||
	    q == (mqd_t)-1)
		_exit(40);
	if (semctl(ids[1], 1, SETVAL, 42) || msgsnd(ids[2], &m, 4, 0) ||
	    mq_send(q, "mq", 3, 1))
		_exit(41);
	put_str(p + 100, "in the box");
	/* not "ids": they are not the caller's namespace's */
	if (!put_ids(dir, "boxids", ids, 3))
		_exit(42);
	put_long(dpath(dir, "ready"), 1);
	wait_go(dir);
	put_long(dpath(dir, "done"), box_check(ids, p, q));
	_exit(0);
}

/* unshare, then the init of the new pid namespace; returns its pid */
static pid_t start_box(struct __test_metadata *_metadata, struct scratch *s,
		       pid_t *outer, void (*fn)(const char *dir))
{
	long init = 0;
	int status;
	pid_t c;

	*outer = fork();
	ASSERT_LE(0, *outer);
	if (!*outer) {
		if (unshare(CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS) ||
		    sethostname(BOX_HOST, strlen(BOX_HOST)) ||
		    setdomainname(BOX_DOMAIN, strlen(BOX_DOMAIN)))
			_exit(60);
		c = fork();
		if (c < 0)
			_exit(61);
		if (!c)
			fn(s->dir);
		put_long(spath(s, "init"), c);
		if (waitpid(c, &status, 0) != c)
			_exit(62);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 63);
	}
	ASSERT_TRUE(wait_long(spath(s, "init"), 1, &init, CKPT_WAIT_MS));
	return init;
}

TEST_F_TIMEOUT(sysv, container_ipc_uts, 300)
{
	const char *img = spath(&self->s, "img");
	struct utsname u;
	struct img im = {};
	const struct ckpt_rec_tree *tr;
	const struct ckpt_rec_uts_ns *un;
	pid_t outer, init, top;
	int ids[3], status;

	init = start_box(_metadata, &self->s, &outer, box_init);
	self->outer = outer;
	ASSERT_LT(0, init);
	wait_ready(_metadata, &self->s, "boxids", ids, 3);
	/* the caller's namespace does not have the box's key */
	EXPECT_EQ(-1, shmget(BOX_KEY, 0, 0));
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &status)) {
		TH_LOG("checkpoint: %s", strerror(status));
		show_error_record(img);
	}
	ASSERT_EQ(outer, waitpid(outer, &status, 0));
	self->outer = 0;
	load_img(_metadata, img, &im);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	tr = img_find(&im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	EXPECT_EQ(CKPT_TREE_PIDNS | CKPT_TREE_IPCNS | CKPT_TREE_UTSNS,
		  tr->flags);
	EXPECT_EQ(1, img_count(&im, CKPT_REC_IPC_NS));
	un = img_find(&im, CKPT_REC_UTS_NS, 0);
	ASSERT_NE(NULL, un);
	EXPECT_STREQ(BOX_HOST, (const char *)un->nodename);
	EXPECT_EQ(1, img_count(&im, CKPT_REC_MQUEUE));
	EXPECT_EQ(1, img_count(&im, CKPT_REC_SYSV_SHM));
	img_free(&im);

	top = restart_img(img, 0, 0, &status);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	self->pid = top;
	/* still not in the caller's namespace, nor its host name */
	EXPECT_EQ(-1, shmget(BOX_KEY, 0, 0));
	ASSERT_EQ(0, uname(&u));
	EXPECT_STRNE(BOX_HOST, u.nodename);
	EXPECT_EQ(0, go_and_check(_metadata, &self->s));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
	/* its objects went with its namespace; the caller's has none of them */
	EXPECT_EQ(-1, shmget(BOX_KEY, 0, 0));
}

/*
 * A container whose init keeps a segment of the namespace it came from
 * attached: that segment belongs to another ipc namespace.
 */
static void *foreign_keep;

static void box_foreign(const char *dir)
{
	int null = open("/dev/null", O_RDWR);

	/* wl_task_setup(), but the segment stays mapped */
	if (null < 0)
		_exit(120);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	syscall(__NR_close_range, 3, ~0U, 0);
	prctl(PR_SET_NAME, TREE_COMM);
	wl_privatize_shared_mappings_but(foreign_keep);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(sysv, foreign_namespace_refused, 120)
{
	const char *img = spath(&self->s, "img");
	pid_t outer, init;
	int ids[1];
	char *p;

	ids[0] = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_LE(0, ids[0]);
	ASSERT_TRUE(put_ids(self->s.dir, "ids", ids, 1));
	p = shmat(ids[0], NULL, 0);
	ASSERT_NE((void *)-1, p);
	foreign_keep = p;
	init = start_box(_metadata, &self->s, &outer, box_foreign);
	self->outer = outer;
	ASSERT_EQ(0, shmdt(p));
	ASSERT_LT(0, init);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	expect_ipc_refusal(_metadata, img, init, "another ipc namespace");
}

/*
 * Forged images: restart refuses each with the errno expected and leaves
 * no object and no task behind.
 */
enum sv_at {
	AT_SHM,			/* the first SYSV_SHM record */
	AT_SEM,			/* the first SYSV_SEM record */
	AT_MSQ,			/* the first SYSV_MSQ record */
	AT_MSG,			/* the first IPC_MSG record */
	AT_UNDO,		/* the first SEM_UNDO record */
	AT_VMA,			/* the first VMA of type SYSV */
};

static bool sv_match(const struct ckpt_hdr *h, enum sv_at at)
{
	const struct ckpt_rec_vma *v = (const void *)h;

	switch (at) {
	case AT_SHM:
		return h->type == CKPT_REC_SYSV_SHM;
	case AT_SEM:
		return h->type == CKPT_REC_SYSV_SEM;
	case AT_MSQ:
		return h->type == CKPT_REC_SYSV_MSQ;
	case AT_MSG:
		return h->type == CKPT_REC_IPC_MSG;
	case AT_UNDO:
		return h->type == CKPT_REC_SEM_UNDO;
	case AT_VMA:
		return h->type == CKPT_REC_VMA && v->type == CKPT_VMA_SYSV;
	}
	return false;
}

/* a copy of @img with @len bytes at @field of the record at @at changed */
static void forge(struct __test_metadata *_metadata, const char *img,
		  const char *bad, enum sv_at at, size_t field,
		  const void *val, size_t len)
{
	const struct ckpt_hdr *h = NULL;
	struct img im = {};
	int fd;

	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	im.size = lseek(fd, 0, SEEK_END);
	im.buf = malloc(im.size);
	ASSERT_NE(NULL, im.buf);
	ASSERT_EQ((ssize_t)im.size, pread(fd, im.buf, im.size, 0));
	close(fd);
	while ((h = img_next(&im, h)) && !sv_match(h, at))
		;
	ASSERT_NE(NULL, h);
	memcpy((unsigned char *)h + field, val, len);
	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)im.size, write(fd, im.buf, im.size));
	close(fd);
	img_free(&im);
}

static void sv_forge_and_expect(struct __test_metadata *_metadata,
				const char *img, const char *bad, enum sv_at at,
				size_t field, const void *val, size_t len,
				int want, const int *ids, int nids,
				const char *what)
{
	int err;
	pid_t top;

	forge(_metadata, img, bad, at, field, val, len);
	top = restart_img(bad, 0, 0, &err);
	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
	EXPECT_EQ(-1, top) {
		TH_LOG("%s: restarted", what);
	}
	EXPECT_EQ(want, err) {
		TH_LOG("%s: %s, not %s", what, strerror(err), strerror(want));
	}
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS)) {
		TH_LOG("%s: tasks left behind", what);
	}
	EXPECT_EQ(0, ids_left(ids, nids)) {
		TH_LOG("%s: objects left behind", what);
	}
	rm_ids(ids, nids);
}

TEST_F_TIMEOUT(sysv, forged_images_refused, 600)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	__le64 q;
	__le32 v;
	__le16 w;
	int ids[3], status;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_all_kinds(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 3);
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &status));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	rm_ids(ids, 3);

	v = 01640;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, perm.mode), &v, 4,
			    EINVAL, ids, 3, "mode beyond 0777");
	v = 0x80000000;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, perm.id), &v, 4,
			    EINVAL, ids, 3, "negative id");
	v = 0x80;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, flags), &v, 4,
			    EINVAL, ids, 3, "unknown flags");
	q = 0;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, size), &q, 8,
			    EINVAL, ids, 3, "size 0");
	q = 4096;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, size), &q, 8,
			    EINVAL, ids, 3, "pages beyond the size");
	v = 0xffffffff;
	sv_forge_and_expect(_metadata, img, bad, AT_SHM,
			    offsetof(struct ckpt_rec_sysv_shm, perm.uid), &v, 4,
			    EINVAL, ids, 3, "invalid owner");
	w = 40000;
	sv_forge_and_expect(_metadata, img, bad, AT_SEM,
			    offsetof(struct ckpt_rec_sysv_sem, sems[1].semval),
			    &w, 2, EINVAL, ids, 3, "semaphore above SEMVMX");
	v = 5;
	sv_forge_and_expect(_metadata, img, bad, AT_SEM,
			    offsetof(struct ckpt_rec_sysv_sem, nsems), &v, 4,
			    EINVAL, ids, 3, "nsems not the record's");
	q = 0;
	sv_forge_and_expect(_metadata, img, bad, AT_MSG,
			    offsetof(struct ckpt_rec_ipc_msg, type), &q, 8,
			    EINVAL, ids, 3, "message type 0");
	q = 1;
	sv_forge_and_expect(_metadata, img, bad, AT_MSQ,
			    offsetof(struct ckpt_rec_sysv_msq, cbytes), &q, 8,
			    EINVAL, ids, 3, "bytes not those of the messages");
	q = 100;
	sv_forge_and_expect(_metadata, img, bad, AT_MSQ,
			    offsetof(struct ckpt_rec_sysv_msq, qbytes), &q, 8,
			    EINVAL, ids, 3, "messages beyond the queue's size");
	v = 4;
	sv_forge_and_expect(_metadata, img, bad, AT_UNDO,
			    sizeof(struct ckpt_rec_sem_undo) +
			    offsetof(struct ckpt_sem_undo, nsems), &v, 4,
			    EINVAL, ids, 3, "undo entry of the wrong size");
	v = 9999;
	sv_forge_and_expect(_metadata, img, bad, AT_UNDO,
			    sizeof(struct ckpt_rec_sem_undo) +
			    offsetof(struct ckpt_sem_undo, sem_ref), &v, 4,
			    EINVAL, ids, 3, "undo entry of no set");
	v = 9999;
	sv_forge_and_expect(_metadata, img, bad, AT_VMA,
			    offsetof(struct ckpt_rec_vma, obj_ref), &v, 4,
			    EINVAL, ids, 3, "mapping of no segment");
	q = ids[0] + 1;
	sv_forge_and_expect(_metadata, img, bad, AT_VMA,
			    offsetof(struct ckpt_rec_vma, ino), &q, 8,
			    EINVAL, ids, 3, "mapping of another id");
	v = 0;
	sv_forge_and_expect(_metadata, img, bad, AT_VMA,
			    offsetof(struct ckpt_rec_vma, flags), &v, 4,
			    EINVAL, ids, 3, "private SysV mapping");

	/* the image itself still restarts */
	top = restart_img(img, 0, 0, &status);
	EXPECT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
}

/*
 * The limits of the caller's ipc namespace apply: a segment larger than
 * kernel.shmmax is EINVAL, no room under kernel.shmmni or kernel.msgmni
 * is ENOSPC; the objects made before the failure are removed.
 */
struct sysctl_save {
	char *name;		/* the fixture's: restored at teardown */
	char *old;
};

static void limit_case(struct __test_metadata *_metadata,
		       struct sysctl_save *save, const char *img,
		       const char *name, const char *val, int want,
		       const int *ids)
{
	char path[128];
	ssize_t n;
	int fd, err;
	pid_t top;

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, save->old, 64 - 1);
	close(fd);
	ASSERT_LT(0, n);
	save->old[n] = 0;
	snprintf(save->name, 64, "%s", name);
	write_sysctl(name, val);
	top = restart_img(img, 0, 0, &err);
	write_sysctl(name, save->old);
	save->name[0] = 0;
	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
	EXPECT_EQ(-1, top) {
		TH_LOG("%s = %s: restarted", name, val);
	}
	EXPECT_EQ(want, err) {
		TH_LOG("%s = %s: %s", name, val, strerror(err));
	}
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	EXPECT_EQ(0, ids_left(ids, 3)) {
		TH_LOG("%s = %s: objects left behind", name, val);
	}
	rm_ids(ids, 3);
}

TEST_F_TIMEOUT(sysv, namespace_limits, 300)
{
	const char *img = spath(&self->s, "img");
	int ids[3], status;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_all_kinds(self->s.dir);
	wait_ready(_metadata, &self->s, "ids", ids, 3);
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &status));
	ASSERT_EQ(self->pid, waitpid(self->pid, &status, 0));
	self->pid = 0;
	rm_ids(ids, 3);

	struct sysctl_save save = { self->sysctl, self->sysctl_old };

	limit_case(_metadata, &save, img, "shmmax", "4096", EINVAL, ids);
	limit_case(_metadata, &save, img, "shmmni", "0", ENOSPC, ids);
	limit_case(_metadata, &save, img, "msgmni", "0", ENOSPC, ids);
	limit_case(_metadata, &save, img, "shmall", "16", ENOSPC, ids);

	/* within the limits again */
	top = restart_img(img, 0, 0, &status);
	EXPECT_LT(0, top) {
		TH_LOG("restart: %s", strerror(status));
	}
	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
}

/*
 * Owners: an unprivileged caller restarts its own image, but not one
 * whose segment is forged to belong to another user (EPERM).  The
 * workload runs as nobody from a copy of this program.
 */
static void __attribute__((constructor)) sv_nobody_entry(void)
{
	int ids[2], null;
	char *p;

	if (!getenv(SV_ENV))
		return;
	wl_drop_shared_mappings();
	ids[0] = shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	ids[1] = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	p = shmat(ids[0], NULL, 0);
	/* SETVAL makes it last changed by this process: saved with it */
	if (ids[0] < 0 || ids[1] < 0 || p == (void *)-1 ||
	    semctl(ids[1], 0, SETVAL, 2))
		_exit(40);
	put_str(p, "nobody's");
	dprintf(1, "%d %d\n", ids[0], ids[1]);
	null = open("/dev/null", O_RDWR);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	syscall(__NR_close_range, 3, ~0U, 0);
	prctl(PR_SET_NAME, TREE_COMM);
	for (;;)
		pause();
}

/* restart(2) of @img as nobody; the errno, 0 if it restarted (then killed) */
static int restart_as_nobody(struct __test_metadata *_metadata, const char *img)
{
	int fd, res[2], err = -1;
	pid_t helper;

	fd = open(img, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pipe2(res, O_CLOEXEC)) {
		close(fd);
		return -1;
	}
	helper = fork();
	if (!helper) {
		long ret;

		if (setgroups(0, NULL) || setresgid(SV_NOBODY, SV_NOBODY, SV_NOBODY) ||
		    setresuid(SV_NOBODY, SV_NOBODY, SV_NOBODY))
			_exit(1);
		ret = sys_restart(0, fd, 0);
		err = ret < 0 ? errno : 0;
		if (ret > 0) {
			kill(ret, SIGKILL);
			waitpid(ret, NULL, 0);
		}
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		_exit(0);
	}
	close(fd);
	close(res[1]);
	if (read_full(res[0], &err, sizeof(err), CKPT_WAIT_MS))
		err = -1;
	close(res[0]);
	waitpid(helper, NULL, 0);
	return err;
}

TEST_F_TIMEOUT(sysv, unprivileged_owner, 300)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	const char *exe = spath(&self->s, "exe");
	int out[2], ids[2], err, n;
	char buf[64];
	__le32 v;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, chmod(self->s.dir, 0755));
	copy_self(_metadata, exe);
	ASSERT_EQ(0, pipe(out));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		static char * const envp[] = { SV_ENV "=1", NULL };

		dup2(out[1], 1);
		if (chdir("/") || setgroups(0, NULL) ||
		    setresgid(SV_NOBODY, SV_NOBODY, SV_NOBODY) ||
		    setresuid(SV_NOBODY, SV_NOBODY, SV_NOBODY))
			_exit(1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execle(exe, exe, (char *)NULL, envp);
		_exit(2);
	}
	close(out[1]);
	memset(buf, 0, sizeof(buf));
	if (read(out[0], buf, sizeof(buf) - 1) <= 0) {
		close(out[0]);
		SKIP(return, "cannot run a copy of this program as nobody");
	}
	close(out[0]);
	n = sscanf(buf, "%d %d", &ids[0], &ids[1]);
	ASSERT_EQ(2, n);
	ASSERT_TRUE(put_ids(self->s.dir, "ids", ids, 2));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	rm_ids(ids, 2);

	/* owned by root, or made by root: not for nobody to restore */
	v = 0;
	forge(_metadata, img, bad, AT_SHM,
	      offsetof(struct ckpt_rec_sysv_shm, perm.uid), &v, 4);
	EXPECT_EQ(EPERM, restart_as_nobody(_metadata, bad));
	EXPECT_EQ(0, ids_left(ids, 2));
	forge(_metadata, img, bad, AT_SHM,
	      offsetof(struct ckpt_rec_sysv_shm, perm.cgid), &v, 4);
	EXPECT_EQ(EPERM, restart_as_nobody(_metadata, bad));
	forge(_metadata, img, bad, AT_SEM,
	      offsetof(struct ckpt_rec_sysv_sem, perm.cuid), &v, 4);
	EXPECT_EQ(EPERM, restart_as_nobody(_metadata, bad));
	EXPECT_EQ(0, ids_left(ids, 2));
	/* its own image: restarted */
	EXPECT_EQ(0, restart_as_nobody(_metadata, img));
	rm_ids(ids, 2);
}

TEST_HARNESS_MAIN
