/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Workloads of many tasks for the checkpoint selftests: a scratch
 * directory the workload reports through, our tasks found by their name,
 * checkpoint and restart of a tree, real programs in a pid namespace.
 */
#ifndef CKPT_WL_H
#define CKPT_WL_H

#include <dirent.h>

#include "ckpt_util.h"

#define TREE_COMM	"ckpt-tree-wl"

/* the scratch directory of a test */
struct scratch {
	char dir[64];
};

/* @name in directory @dir: one of the last 8 paths returned stays valid */
static inline const char *dpath(const char *dir, const char *name)
{
	static char path[8][160];
	static int n;
	char *p = path[n++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

/* a path in it, see dpath() */
static inline const char *spath(struct scratch *s, const char *name)
{
	return dpath(s->dir, name);
}

static inline void scratch_init(struct scratch *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->dir, sizeof(s->dir), "/tmp/ckpt-tree-%d", getpid());
	mkdir(s->dir, 0755);
}

static inline void scratch_clean(struct scratch *s)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	if (system(cmd))
		;
}

static inline void put_long(const char *path, long v)
{
	char tmp[256], buf[32];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%ld\n", v);
	if (write(fd, buf, n) != n)
		;
	close(fd);
	rename(tmp, path);
}

static inline bool get_long(const char *path, long *v)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	*v = strtol(buf, NULL, 0);
	return true;
}

/* wait until @path holds a number at least @min; false on timeout */
static inline bool wait_long(const char *path, long min, long *v, int ms)
{
	long long deadline = now_ms() + ms;
	long x;

	while (now_ms() < deadline) {
		if (get_long(path, &x) && x >= min) {
			if (v)
				*v = x;
			return true;
		}
		sleep_ms(10);
	}
	return false;
}

static inline bool wait_file(const char *path, int ms)
{
	long long deadline = now_ms() + ms;

	while (access(path, F_OK)) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(10);
	}
	return true;
}

/* what a workload task does first: no fd of the test, a name we can find */
static inline void wl_task_setup(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		_exit(120);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	syscall(__NR_close_range, 3, ~0U, 0);
	prctl(PR_SET_NAME, TREE_COMM);
	wl_privatize_shared_mappings();
}

/* pid of a task whose /proc/PID/status line @key is @val, or 0 */
static inline bool proc_field(pid_t pid, const char *key, char *val, size_t len)
{
	return proc_status(pid, key, val, len);
}

/*
 * Count the tasks with our workload name, zombies included; with @sig,
 * send it to each, and with @show, print them.
 */
static inline int tree_tasks(int sig, bool show)
{
	char comm[64], st[64], ppid[16];
	struct dirent *d;
	int n = 0;
	DIR *dir;

	dir = opendir("/proc");
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		pid_t pid = atoi(d->d_name);

		if (pid <= 0 || !proc_status(pid, "Name", comm, sizeof(comm)) ||
		    strcmp(comm, TREE_COMM))
			continue;
		n++;
		if (sig)
			kill(pid, sig);
		if (show && proc_status(pid, "State", st, sizeof(st)) &&
		    proc_status(pid, "PPid", ppid, sizeof(ppid)))
			fprintf(stderr, "# left: pid %d ppid %s state %s\n", pid,
				ppid, st);
	}
	closedir(dir);
	return n;
}

static inline int count_tree_tasks(void)
{
	return tree_tasks(0, false);
}

/* wait until no workload task is left; their number, 0 if none */
static inline int wait_no_tree_tasks(int ms)
{
	long long deadline = now_ms() + ms;
	int n;

	while ((n = count_tree_tasks()) > 0 && now_ms() < deadline)
		sleep_ms(20);
	if (n)
		tree_tasks(0, true);
	return n;
}

/* the reason in the error record that ends the image @img, if any */
static inline void show_error_record(const char *img)
{
	const struct ckpt_rec_error *e;
	struct img im = {};
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (!img_load_fd(fd, &im)) {
		e = (const void *)img_last(&im);
		if (e && e->h.type == CKPT_REC_ERROR)
			fprintf(stderr, "# error record: pid %u kind %u fd %d: %s\n",
				e->pid, e->kind, (int)e->fd,
				(const char *)e->msg);
		img_free(&im);
	}
	close(fd);
}

/* checkpoint @pid into @img; the syscall's value, *err its errno */
static inline long take(const char *img, pid_t pid, unsigned long flags, int *err)
{
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	long ret;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	errno = 0;
	ret = sys_checkpoint(pid, fd, flags);
	*err = ret < 0 ? errno : 0;
	close(fd);
	return ret;
}

/* restart @img; the new top task's pid, or -1 with *err */
static inline pid_t restart_img(const char *img, pid_t pid,
				unsigned long flags, int *err)
{
	int fd = open(img, O_RDONLY | O_CLOEXEC);
	long ret;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	errno = 0;
	ret = sys_restart(pid, fd, flags);
	*err = ret < 0 ? errno : 0;
	close(fd);
	return ret;
}

/* checkpoint with CHECKPOINT_KILL, reap, restart: the restored top task */
static inline pid_t cycle_tree(struct __test_metadata *_metadata,
			       const char *img, pid_t pid, unsigned long rflags)
{
	int err, status;
	pid_t top;

	ASSERT_LT(0, take(img, pid, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint(%d): %s", pid, strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* the other tasks of the image were killed too */
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	top = restart_img(img, 0, rflags, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	return top;
}

/* real programs in a container (unshare --pid --fork sh -c cmd) */
static inline bool have(const char *path)
{
	return !access(path, X_OK);
}

static inline pid_t run_container_cmd(struct __test_metadata *_metadata,
				      const char *cmd, pid_t *unshare_pid)
{
	char path[64];
	int i;
	pid_t u;

	u = fork();
	ASSERT_LE(0, u);
	if (!u) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		execl("/usr/bin/unshare", "unshare", "--pid", "--fork", "/bin/sh",
		      "-c", cmd, NULL);
		_exit(127);
	}
	*unshare_pid = u;
	/* the init of the namespace is unshare's child */
	for (i = 0; i < 500; i++) {
		struct dirent *d;
		DIR *dir = opendir("/proc");

		while (dir && (d = readdir(dir))) {
			pid_t pid = atoi(d->d_name);
			char ppid[16];

			if (pid > 0 && proc_status(pid, "PPid", ppid, sizeof(ppid)) &&
			    atoi(ppid) == u) {
				closedir(dir);
				return pid;
			}
		}
		if (dir)
			closedir(dir);
		snprintf(path, sizeof(path), "/proc/%d", u);
		sleep_ms(20);
	}
	return 0;
}

static inline void real_program(struct __test_metadata *_metadata,
				struct scratch *s, const char *cmd,
				const char *progress, long at,
				const char *answer, long want)
{
	const char *img = spath(s, "img");
	pid_t u, init, top;
	int err, status;
	long v;

	init = run_container_cmd(_metadata, cmd, &u);
	ASSERT_LT(0, init);
	ASSERT_TRUE(wait_long(progress, at, NULL, 120000));
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(u, waitpid(u, &status, 0));
	unlink(answer);
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("restored container: status %#x", status);
	}
	ASSERT_TRUE(get_long(answer, &v));
	EXPECT_EQ(want, v);
}

/* a writable copy of the image @img in memory */
static inline void img_load_copy(struct __test_metadata *_metadata,
				 const char *img, struct img *im)
{
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	memset(im, 0, sizeof(*im));
	ASSERT_LE(0, fd);
	im->size = lseek(fd, 0, SEEK_END);
	im->buf = malloc(im->size);
	ASSERT_NE(NULL, im->buf);
	ASSERT_EQ((ssize_t)im->size, pread(fd, im->buf, im->size, 0));
	close(fd);
}

/*
 * Write the forged copy @im (freed here) to @bad: restart must refuse it
 * with @want and leave no task.
 */
static inline void expect_forged_refused(struct __test_metadata *_metadata,
					 struct img *im, const char *bad,
					 int want, const char *what)
{
	int fd, err;
	pid_t top;

	fd = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)im->size, write(fd, im->buf, im->size));
	close(fd);
	img_free(im);
	top = restart_img(bad, 0, 0, &err);
	if (top > 0) {
		kill(top, SIGKILL);
		waitpid(top, NULL, 0);
	}
	EXPECT_EQ(-1, top) {
		TH_LOG("%s: restarted", what);
	}
	EXPECT_EQ(want, err) {
		TH_LOG("%s: %s", what, strerror(err));
	}
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS)) {
		TH_LOG("%s: tasks left behind", what);
	}
}

/*
 * Forged images: a copy of @img with @len bytes of @val at byte @field of
 * the first record that @match accepts (it sees the record before, too),
 * written to @bad; restart must refuse it with EINVAL and leave no task.
 */
static inline void forge_and_expect(struct __test_metadata *_metadata,
				    const char *img, const char *bad,
				    bool (*match)(const struct ckpt_hdr *h,
						  const struct ckpt_hdr *prev),
				    size_t field, const void *val, size_t len,
				    const char *what)
{
	const struct ckpt_hdr *h = NULL, *prev = NULL;
	struct img im;

	img_load_copy(_metadata, img, &im);
	while ((h = img_next(&im, h)) && !match(h, prev))
		prev = h;
	ASSERT_NE(NULL, h) {
		TH_LOG("%s: no such record", what);
	}
	memcpy((unsigned char *)h + field, val, len);
	expect_forged_refused(_metadata, &im, bad, EINVAL, what);
}

#endif /* CKPT_WL_H */
