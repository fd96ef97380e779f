// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint(2) selftests: error paths, refused resources and images
 * written to pipes and /dev/null.
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <sys/shm.h>
#include <sys/socket.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

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

/* checkpoint(pid, fd, flags) must fail with err and leave the target be. */
static void expect_error(struct __test_metadata *_metadata, struct workload *wl,
			 pid_t pid, int fd, unsigned long flags, int err)
{
	long ret;

	errno = 0;
	ret = sys_checkpoint(pid, fd, flags);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(err, errno) {
		TH_LOG("checkpoint(%d, %d, %#lx): expected %s, got %s", pid, fd, flags,
		       strerror(err), strerror(errno));
	}
	if (wl) {
		EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
		EXPECT_NE('T', proc_state(wl->pid));
	}
}

TEST_F_TIMEOUT(ckpt, bad_fd, 120)
{
	struct workload *wl = &self->s.wl[0];
	const char *path = ckpt_new_path(&self->s, "img");
	int fd;

	start_workload(_metadata, wl, wl_quiet, NULL);
	expect_error(_metadata, wl, wl->pid, -1, 0, EBADF);

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	expect_error(_metadata, wl, wl->pid, fd, 0, EBADF);

	/* not open for writing */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_error(_metadata, wl, wl->pid, fd, 0, EBADF);
	close(fd);
	fd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, fd);
	expect_error(_metadata, wl, wl->pid, fd, 0, EBADF);
	close(fd);
}

TEST_F_TIMEOUT(ckpt, no_such_pid, 120)
{
	const char *path = ckpt_new_path(&self->s, "img");
	pid_t pid;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);

	/* an exited child not reaped yet */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_TRUE(wait_state(pid, 'Z', CKPT_WAIT_MS));
	expect_error(_metadata, NULL, pid, fd, 0, ESRCH);

	/* a reaped one */
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	expect_error(_metadata, NULL, pid, fd, 0, ESRCH);
	close(fd);
}

TEST_F_TIMEOUT(ckpt, unknown_flags, 120)
{
	struct workload *wl = &self->s.wl[0];
	const char *path = ckpt_new_path(&self->s, "img");
	struct stat st;
	int fd;

	start_workload(_metadata, wl, wl_quiet, NULL);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	expect_error(_metadata, wl, wl->pid, fd, 1UL << 40, EINVAL);
	expect_error(_metadata, wl, wl->pid, fd, 0x4, EINVAL);
	expect_error(_metadata, wl, wl->pid, fd, ~0UL, EINVAL);
	expect_error(_metadata, wl, wl->pid, fd, CHECKPOINT_KILL | 0x4, EINVAL);
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0, st.st_size) {
		TH_LOG("nothing is written when the flags are invalid");
	}
	close(fd);
}

TEST_F_TIMEOUT(ckpt, no_permission, 120)
{
	struct workload *wl = &self->s.wl[0];
	const char *path = ckpt_new_path(&self->s, "img");
	int fd, status = 0;
	pid_t pid;

	if (geteuid())
		SKIP(return, "needs root");
	start_workload(_metadata, wl, wl_quiet, NULL);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);

	/* an unprivileged caller (no capabilities left) and a root target */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(200);
		if (sys_checkpoint(wl->pid, fd, 0) >= 0)
			_exit(201);
		if (errno != EPERM)
			_exit(errno);
		if (sys_checkpoint(1, fd, 0) >= 0)
			_exit(202);
		_exit(errno);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(EPERM, WEXITSTATUS(status)) {
		TH_LOG("unprivileged checkpoint of a root task: exit %d (%s)",
		       WEXITSTATUS(status), strerror(WEXITSTATUS(status)));
	}
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
	close(fd);
}

/* checkpoint fails with EOPNOTSUPP and the image ends with an ERROR record */
static const struct ckpt_rec_error *
expect_refused(struct __test_metadata *_metadata, struct ckpt_state *s,
	       struct workload *wl, struct img *im, __u32 kind)
{
	const struct ckpt_rec_error *e;
	const char *why;
	long ret;
	int err;

	ret = take_image(_metadata, s, wl->pid, CHECKPOINT_KILL, im, &err);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(EOPNOTSUPP, err) {
		TH_LOG("expected EOPNOTSUPP, got %s", strerror(err));
	}
	why = img_check(im, false);
	EXPECT_EQ(NULL, why) {
		TH_LOG("%s", why);
	}
	EXPECT_EQ(0, img_count(im, CKPT_REC_TAIL));
	e = (const void *)img_last(im);
	if (!e || e->h.type != CKPT_REC_ERROR)
		return NULL;
	EXPECT_EQ(EOPNOTSUPP, e->error);
	EXPECT_EQ(kind, e->kind);
	EXPECT_LT(sizeof(*e) + 1, e->h.len);
	EXPECT_EQ(0, e->msg[e->h.len - sizeof(*e) - 1]) {
		TH_LOG("the message is NUL-terminated");
	}
	TH_LOG("refused: pid %u kind %u fd %d addr %#llx: %s", e->pid, e->kind,
	       (int)e->fd, (unsigned long long)e->addr, (const char *)e->msg);
	/* a failed checkpoint does not kill (CHECKPOINT_KILL) or stop the target */
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
	EXPECT_NE('T', proc_state(wl->pid));
	return e;
}

/* a kind of socket that is refused: netlink */
static void wl_socket(int wfd, int cfd, void *arg)
{
	int s = socket(AF_NETLINK, SOCK_RAW, 0);

	if (s < 0 || dup2(s, 42) != 42)
		wl_die("socket");
	close(s);
	wl_quiet(wfd, cfd, arg);
}

TEST_F_TIMEOUT(ckpt, refuse_socket, 120)
{
	struct workload *wl = &self->s.wl[0];
	const struct ckpt_rec_error *e;

	start_workload(_metadata, wl, wl_socket, NULL);
	e = expect_refused(_metadata, &self->s, wl, &self->s.im[0], CKPT_OBJ_SOCKET);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(wl->pid, e->pid);
	EXPECT_EQ(42, e->fd);
	EXPECT_NE(NULL, strstr((const char *)e->msg, "netlink"));
}

static void *sleeper(void *arg)
{
	*(pid_t *)arg = syscall(SYS_gettid);
	for (;;)
		pause();
	return NULL;
}

static void wl_thread(int wfd, int cfd, void *arg)
{
	static pid_t tid;
	pthread_t t;
	__u64 info[1];

	if (pthread_create(&t, NULL, sleeper, &tid))
		wl_die("pthread_create");
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		sched_yield();
	info[0] = tid;
	wl_ready(wfd, info, 1);
	for (;;)
		pause();
}

/* a process's threads are saved with it, each in the tree and with a section */
TEST_F_TIMEOUT(ckpt, threads_saved, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *im = &self->s.im[0];
	const struct ckpt_rec_tree *tr;
	const struct ckpt_rec_task *t0, *t1;

	start_workload(_metadata, wl, wl_thread, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, im);
	tr = img_find(im, CKPT_REC_TREE, 0);
	ASSERT_NE(NULL, tr);
	ASSERT_EQ(2, tr->nr_tasks);
	EXPECT_EQ(wl->pid, tr->tasks[0].pid);
	EXPECT_EQ(wl->info[0], tr->tasks[1].pid);
	EXPECT_EQ(wl->pid, tr->tasks[1].tgid);
	EXPECT_EQ(0, tr->tasks[1].exit_signal);
	ASSERT_EQ(2, img_count(im, CKPT_REC_TASK));
	/* one address space, signal state and fd table, shared */
	EXPECT_EQ(1, img_count(im, CKPT_REC_MM));
	EXPECT_EQ(1, img_count(im, CKPT_REC_SIGNAL));
	EXPECT_EQ(1, img_count(im, CKPT_REC_SIGHAND));
	EXPECT_EQ(1, img_count(im, CKPT_REC_FILES));
	EXPECT_EQ(2, img_count(im, CKPT_REC_X86_REGS));
	t0 = img_find(im, CKPT_REC_TASK, 0);
	t1 = img_find(im, CKPT_REC_TASK, 1);
	EXPECT_EQ(t0->mm_ref, t1->mm_ref);
	EXPECT_EQ(t0->signal_ref, t1->signal_ref);
	EXPECT_EQ(t0->files_ref, t1->files_ref);
	EXPECT_EQ(wl->info[0], t1->pid);
}

/* the main thread exits while another goes on: not supported */
static void wl_dead_leader(int wfd, int cfd, void *arg)
{
	static pid_t tid;
	pthread_t t;

	if (pthread_create(&t, NULL, sleeper, &tid))
		wl_die("pthread_create");
	while (!__atomic_load_n(&tid, __ATOMIC_ACQUIRE))
		sched_yield();
	wl_ready(wfd, NULL, 0);
	pthread_exit(NULL);
}

TEST_F_TIMEOUT(ckpt, refuse_dead_leader, 120)
{
	struct workload *wl = &self->s.wl[0];
	const struct ckpt_rec_error *e;

	start_workload(_metadata, wl, wl_dead_leader, NULL);
	ASSERT_TRUE(wait_state(wl->pid, 'Z', CKPT_WAIT_MS));
	e = expect_refused(_metadata, &self->s, wl, &self->s.im[0], CKPT_OBJ_THREAD);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(wl->pid, e->pid);
}

/*
 * A SysV segment that a process outside the image attaches too: a copy
 * restarted without it would silently stop being shared.
 */
static void wl_shared(int wfd, int cfd, void *arg)
{
	__u64 info[2];
	void *p;
	int id;

	id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	if (id < 0)
		wl_die("shmget");
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		wl_die("shmat");
	*(char *)p = 1;
	info[0] = (uintptr_t)p;
	info[1] = id;
	wl_ready(wfd, info, 2);
	for (;;)
		pause();
}

TEST_F_TIMEOUT(ckpt, refuse_sysv_attached_outside, 120)
{
	struct workload *sysv = &self->s.wl[0];
	const struct ckpt_rec_error *e;
	char want[64];
	void *p;
	int id;

	start_workload(_metadata, sysv, wl_shared, NULL);
	id = sysv->info[1];
	/* attached outside the image (here), and gone with its last detach */
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE((void *)-1, p);
	shmctl(id, IPC_RMID, NULL);
	e = expect_refused(_metadata, &self->s, sysv, &self->s.im[0], CKPT_OBJ_IPC);
	shmdt(p);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(sysv->pid, e->pid);
	snprintf(want, sizeof(want), "segment %d", id);
	EXPECT_NE(NULL, strstr((const char *)e->msg, want)) {
		TH_LOG("message: %s", (const char *)e->msg);
	}
	EXPECT_NE(NULL, strstr((const char *)e->msg, "outside the image")) {
		TH_LOG("message: %s", (const char *)e->msg);
	}
}

/* The image can go to a pipe: a thread of the caller drains it. */
struct drain {
	int fd;
	unsigned char *buf;
	size_t size, cap;
};

static void *drain_pipe(void *arg)
{
	struct drain *d = arg;
	ssize_t n;

	for (;;) {
		if (d->cap - d->size < 65536) {
			unsigned char *b = realloc(d->buf, d->cap * 2 + 65536);

			if (!b)
				break;
			d->buf = b;
			d->cap = d->cap * 2 + 65536;
		}
		n = read(d->fd, d->buf + d->size, d->cap - d->size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		d->size += n;
	}
	return NULL;
}

TEST_F_TIMEOUT(ckpt, image_to_pipe, 120)
{
	struct workload *wl = &self->s.wl[0];
	struct img *ref = &self->s.im[0], *im = &self->s.im[1];
	const struct ckpt_rec_header *hd;
	struct drain d = { 0 };
	const char *why;
	pthread_t t;
	int p[2];
	long id;

	start_workload(_metadata, wl, wl_quiet, NULL);
	take_good_image(_metadata, &self->s, wl->pid, 0, ref);

	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	d.fd = p[0];
	ASSERT_EQ(0, pthread_create(&t, NULL, drain_pipe, &d));
	errno = 0;
	id = sys_checkpoint(wl->pid, p[1], 0);
	EXPECT_LT(0, id) {
		TH_LOG("checkpoint to a pipe: %s", strerror(errno));
	}
	close(p[1]);
	pthread_join(t, NULL);
	close(p[0]);

	im->buf = d.buf;
	im->size = d.size;
	why = img_check(im, true);
	ASSERT_EQ(NULL, why) {
		TH_LOG("image read from the pipe (%zu bytes): %s", d.size, why);
	}
	hd = img_find(im, CKPT_REC_HEADER, 0);
	EXPECT_EQ(id, hd->id);
	/* a quiet target: about the same image as in a file */
	EXPECT_GT(ref->size + 65536, im->size);
	EXPECT_LT(ref->size, im->size + 65536) {
		TH_LOG("file image %zu bytes, pipe image %zu bytes", ref->size, im->size);
	}
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
}

TEST_F_TIMEOUT(ckpt, image_to_dev_null, 120)
{
	struct workload *wl = &self->s.wl[0];
	long id;
	int fd;

	start_workload(_metadata, wl, wl_quiet, NULL);
	fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	errno = 0;
	id = sys_checkpoint(wl->pid, fd, 0);
	EXPECT_LT(0, id) {
		TH_LOG("checkpoint to /dev/null: %s", strerror(errno));
	}
	close(fd);
	EXPECT_EQ(0, waitpid(wl->pid, NULL, WNOHANG));
}

/* The fd's write error is returned and the target is unharmed. */
TEST_F_TIMEOUT(ckpt, pipe_write_errors, 120)
{
	struct workload *wl = &self->s.wl[0];
	int p[2];

	start_workload(_metadata, wl, wl_quiet, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* nobody reads: a full non-blocking pipe (one page; any image is larger) */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC | O_NONBLOCK));
	ASSERT_LT(0, fcntl(p[1], F_SETPIPE_SZ, 4096));
	expect_error(_metadata, wl, wl->pid, p[1], CHECKPOINT_KILL, EAGAIN);
	close(p[0]);
	close(p[1]);

	/* no reader at all */
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	close(p[0]);
	expect_error(_metadata, wl, wl->pid, p[1], CHECKPOINT_KILL, EPIPE);
	close(p[1]);
}

TEST_HARNESS_MAIN
