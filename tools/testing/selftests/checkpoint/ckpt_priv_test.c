// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege matrix of checkpoint(2) and restart(2): what an
 * unprivileged caller may checkpoint, and that restart of an image it
 * edited never gives it what it could not have had.  Every case runs the
 * system call in a helper that dropped to nobody (or became root of a user
 * namespace of its own) and checks the errno, that the helper has no child
 * left, and, where the call may succeed, the credentials of the result.
 * Documentation/checkpoint/security.rst has the table.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <sys/resource.h>
#include <linux/capability.h>
#include <linux/securebits.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"

#define NOBODY		65534
#define BUSYBOX		"/usr/bin/busybox"
#define PRIV_DIR_FMT	"/tmp/ckpt-priv-%d"

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER	0x10000000
#endif

/* how the helper becomes unprivileged */
enum who {
	AS_NOBODY,		/* uid/gid 65534, no groups, no capabilities */
	AS_USERNS_ROOT,		/* nobody, then root of a user namespace it owns */
};

/* what the helper saw, in memory shared with the test */
struct outcome {
	long ret;		/* the system call's value */
	int err;		/* its errno */
	int left;		/* children of the helper after a failure */
	int ready;		/* the helper could drop its privileges */
	unsigned int uid;	/* restart: real uid of the restored task (outside) */
	unsigned long long capeff; /* restart: its CapEff */
};

FIXTURE(priv) {
	char dir[64];
	pid_t wl;
	struct outcome *o;
};

FIXTURE_SETUP(priv)
{
	if (!checkpoint_available())
		SKIP(return, "no checkpoint(2)");
	if (geteuid())
		SKIP(return, "needs root, to drop to nobody");
	if (access(BUSYBOX, X_OK))
		SKIP(return, "no %s", BUSYBOX);
	snprintf(self->dir, sizeof(self->dir), PRIV_DIR_FMT, getpid());
	ASSERT_EQ(0, mkdir(self->dir, 0755));
	self->o = mmap(NULL, sizeof(*self->o), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->o);
}

FIXTURE_TEARDOWN(priv)
{
	char cmd[96];

	if (self->wl > 0) {
		kill(self->wl, SIGKILL);
		waitpid(self->wl, NULL, 0);
	}
	if (self->dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
		if (system(cmd))
			;
	}
}

/* a path in the test's directory: one of the last 8 returned stays valid */
static const char *ppath(struct _test_data_priv *self, const char *name)
{
	static char path[8][128];
	static int n;
	char *p = path[n++ % 8];

	snprintf(p, sizeof(path[0]), "%s/%s", self->dir, name);
	return p;
}

/* dumpable again, so that it may write its own /proc/self/uid_map */
static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY) || prctl(PR_SET_DUMPABLE, 1))
		return -1;
	return 0;
}

/* nobody becomes root of a new user namespace mapping 0 to itself */
static int enter_own_userns(void)
{
	char map[32];
	int fd;

	if (unshare(CLONE_NEWUSER))
		return -1;
	fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return -1;
	close(fd);
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return -1;
	close(fd);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
		return -1;
	close(fd);
	return 0;
}

static unsigned long long status_hex(pid_t pid, const char *key)
{
	char val[128];

	if (!proc_status(pid, key, val, sizeof(val)))
		return ~0ULL;
	return strtoull(val, NULL, 16);
}

/* the real (@n 0) or effective (@n 1) uid of @pid */
static unsigned int status_uid(pid_t pid, int n)
{
	char val[128], *p = val;

	if (!proc_status(pid, "Uid", val, sizeof(val)))
		return ~0U;
	while (n--)
		strtoul(p, &p, 10);
	return strtoul(p, NULL, 10);
}

/*
 * Run checkpoint(pid, img) or restart(pid, img) in a helper that is @who;
 * the outcome is in self->o.  A restored task is looked at, then killed.
 */
static void run_as(struct __test_metadata *_metadata, struct _test_data_priv *self,
		   enum who who, bool restart, pid_t pid, const char *img,
		   const struct rlimit *nofile)
{
	struct outcome *o = self->o;
	int status, fd;
	pid_t h;

	memset(o, 0, sizeof(*o));
	o->ret = -1;
	fd = restart ? open(img, O_RDONLY | O_CLOEXEC) :
		       open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	ASSERT_LE(0, fd);
	if (!restart)
		ASSERT_EQ(0, fchown(fd, NOBODY, NOBODY));
	fflush(stdout);
	fflush(stderr);
	h = fork();
	ASSERT_LE(0, h);
	if (h == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (drop_to_nobody())
			_exit(1);
		if (who == AS_USERNS_ROOT && enter_own_userns()) {
			o->err = errno;
			_exit(0);
		}
		if (nofile && setrlimit(RLIMIT_NOFILE, nofile))
			_exit(1);
		o->ready = 1;
		errno = 0;
		o->ret = restart ? sys_restart(pid, fd, 0) : sys_checkpoint(pid, fd, 0);
		o->err = o->ret < 0 ? errno : 0;
		if (restart && o->ret > 0) {
			/* the restored task is our child and runs as its image said */
			o->uid = status_uid(o->ret, 0);
			o->capeff = status_hex(o->ret, "CapEff");
			kill(o->ret, SIGKILL);
			waitpid(o->ret, NULL, __WALL);
		}
		errno = 0;
		o->left = waitpid(-1, NULL, WNOHANG | __WALL) != -1 ||
			  errno != ECHILD;
		_exit(0);
	}
	close(fd);
	ASSERT_EQ(h, waitpid(h, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("the helper could not drop its privileges");
	}
}

static void expect_refused(struct __test_metadata *_metadata, struct _test_data_priv *self,
			   int err, const char *what)
{
	EXPECT_EQ(-1, self->o->ret) {
		TH_LOG("%s: allowed", what);
	}
	EXPECT_EQ(err, self->o->err) {
		TH_LOG("%s: %s, expected %s", what, strerror(self->o->err),
		       strerror(err));
	}
	EXPECT_EQ(0, self->o->left) {
		TH_LOG("%s: the failed restart left a child", what);
	}
}

enum wl_kind {
	WL_ROOT,		/* root's sleep */
	WL_NOBODY,		/* nobody's sleep, with files on fds 5 (rw) and 6 (ro) */
	WL_SETUID,		/* nobody ran a setuid-root copy of busybox */
	WL_CAPS,		/* uid nobody, with root's permitted capabilities */
	WL_CHROOT,		/* nobody's sleep, chrooted */
};

/* a workload of @kind that sleeps; it is in self->wl once it runs */
static void start_wl(struct __test_metadata *_metadata, struct _test_data_priv *self,
		     enum wl_kind kind)
{
	const char *exe = BUSYBOX, *rw = ppath(self, "rw"), *ro = ppath(self, "ro");
	const char *root = ppath(self, "root"), *suid = ppath(self, "suid-busybox");
	char cmd[256], link[PATH_MAX];
	int pfd[2], i;
	pid_t pid;
	char c;

	if (kind == WL_NOBODY) {
		write_file(_metadata, rw, "rw", 2, O_TRUNC);
		write_file(_metadata, ro, "ro", 2, O_TRUNC);
		ASSERT_EQ(0, chown(rw, NOBODY, NOBODY));
		ASSERT_EQ(0, chown(ro, NOBODY, NOBODY));
	} else if (kind == WL_SETUID) {
		snprintf(cmd, sizeof(cmd), "cp %s %s && chmod 4755 %s", BUSYBOX, suid, suid);
		ASSERT_EQ(0, system(cmd));
		exe = suid;
	} else if (kind == WL_CHROOT) {
		snprintf(cmd, sizeof(cmd), "mkdir -p %s/bin && cp %s %s/bin/busybox",
			 root, BUSYBOX, root);
		ASSERT_EQ(0, system(cmd));
		exe = "/bin/busybox";
	}
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* stdio restart can open again: /dev/null */
		for (i = 0; i < 3; i++)
			if (dup2(open("/dev/null", O_RDWR | O_CLOEXEC), i) != i)
				_exit(1);
		if (kind == WL_NOBODY) {
			if (dup2(open(rw, O_RDWR | O_CLOEXEC), 5) != 5 ||
			    dup2(open(ro, O_RDONLY | O_CLOEXEC), 6) != 6)
				_exit(1);
		} else if (kind == WL_CHROOT) {
			if (chroot(root))
				_exit(1);
		} else if (kind == WL_CAPS) {
			if (prctl(PR_SET_KEEPCAPS, 1) || drop_to_nobody())
				_exit(1);
			if (write(pfd[1], "x", 1) != 1)
				_exit(1);
			for (;;)
				pause();
		}
		/* a working directory nobody may enter */
		if (chdir(kind == WL_CHROOT ? "/" : self->dir))
			_exit(1);
		if (kind != WL_ROOT && drop_to_nobody())
			_exit(1);
		execl(exe, "sleep", "1000", NULL);
		_exit(1);
	}
	close(pfd[1]);
	self->wl = pid;
	if (kind == WL_CAPS) {
		ASSERT_EQ(1, read(pfd[0], &c, 1));
	} else {
		/* until it runs busybox, asleep */
		for (i = 0; i < 6000; i++) {
			ssize_t n;

			snprintf(cmd, sizeof(cmd), "/proc/%d/exe", pid);
			n = readlink(cmd, link, sizeof(link) - 1);
			if (n > 0) {
				link[n] = 0;
				if (strstr(link, "busybox") && proc_state(pid) == 'S')
					break;
			}
			sleep_ms(10);
		}
		ASSERT_GT(6000, i);
	}
	close(pfd[0]);
}

/* checkpoint the workload as root into @img; the workload goes on */
static void take_root(struct __test_metadata *_metadata, struct _test_data_priv *self,
		      const char *img)
{
	int fd = open(img, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	ASSERT_LE(0, fd);
	ASSERT_LT(0, sys_checkpoint(self->wl, fd, 0));
	close(fd);
}

static void stop_wl(struct _test_data_priv *self)
{
	kill(self->wl, SIGKILL);
	waitpid(self->wl, NULL, 0);
	self->wl = 0;
}

/* a copy of @img with its CKPT_REC_CREDS changed by @edit */
static void edit_creds(struct __test_metadata *_metadata, const char *img, const char *out,
		       void (*edit)(struct ckpt_rec_creds *c))
{
	struct img im;
	const struct ckpt_hdr *h = NULL;
	unsigned char *copy;
	int fd, n = 0;

	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	copy = malloc(im.size);
	ASSERT_NE(NULL, copy);
	memcpy(copy, im.buf, im.size);
	while ((h = img_next(&im, h))) {
		if (h->type != CKPT_REC_CREDS)
			continue;
		edit((struct ckpt_rec_creds *)(copy + ((const unsigned char *)h - im.buf)));
		n++;
	}
	ASSERT_LT(0, n);
	write_file(_metadata, out, copy, im.size, O_TRUNC);
	free(copy);
	img_free(&im);
}

static void set_uids(struct ckpt_rec_creds *c, __u32 uid)
{
	c->uid = uid;
	c->euid = uid;
	c->suid = uid;
	c->fsuid = uid;
}

static void uid_root(struct ckpt_rec_creds *c)
{
	set_uids(c, 0);
}

static void cap_sys_admin(struct ckpt_rec_creds *c)
{
	c->cap_permitted |= 1ULL << CAP_SYS_ADMIN;
	c->cap_effective |= 1ULL << CAP_SYS_ADMIN;
}

static void secbit_noroot(struct ckpt_rec_creds *c)
{
	c->securebits |= 1U << SECURE_NOROOT;
}

static void ids_root(struct ckpt_rec_creds *c)
{
	set_uids(c, 0);
	c->gid = 0;
	c->egid = 0;
	c->sgid = 0;
	c->fsgid = 0;
}

static void uid_unmapped(struct ckpt_rec_creds *c)
{
	ids_root(c);
	set_uids(c, 1);
}

/* nobody may not checkpoint root's task */
TEST_F_TIMEOUT(priv, checkpoint_other_user, 120)
{
	start_wl(_metadata, self, WL_ROOT);
	run_as(_metadata, self, AS_NOBODY, false, self->wl, ppath(self, "img"), NULL);
	expect_refused(_metadata, self, EPERM, "checkpoint of root's task");
	EXPECT_EQ(0, kill(self->wl, 0));
}

/* nor its own task once it ran a setuid program */
TEST_F_TIMEOUT(priv, checkpoint_setuid_task, 120)
{
	start_wl(_metadata, self, WL_SETUID);
	if (status_uid(self->wl, 1) != 0)
		SKIP(return, "no setuid on %s (mounted nosuid?)", self->dir);
	run_as(_metadata, self, AS_NOBODY, false, self->wl, ppath(self, "img"), NULL);
	expect_refused(_metadata, self, EPERM, "checkpoint of a setuid task");
}

/* nor a task of its uid that kept capabilities it has not */
TEST_F_TIMEOUT(priv, checkpoint_task_with_capabilities, 120)
{
	start_wl(_metadata, self, WL_CAPS);
	ASSERT_NE(0, status_hex(self->wl, "CapPrm"));
	run_as(_metadata, self, AS_NOBODY, false, self->wl, ppath(self, "img"), NULL);
	expect_refused(_metadata, self, EPERM, "checkpoint of a task with capabilities");
}

/* its own plain task: allowed, and the image restarts as nobody */
TEST_F_TIMEOUT(priv, own_task_both_ways, 120)
{
	const char *img = ppath(self, "img");

	start_wl(_metadata, self, WL_NOBODY);
	run_as(_metadata, self, AS_NOBODY, false, self->wl, img, NULL);
	EXPECT_LT(0, self->o->ret) {
		TH_LOG("checkpoint of its own task: %s", strerror(self->o->err));
	}
	stop_wl(self);
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	ASSERT_LT(0, self->o->ret) {
		TH_LOG("restart of its own image: %s", strerror(self->o->err));
	}
	EXPECT_EQ(NOBODY, self->o->uid);
	EXPECT_EQ(0, self->o->capeff);
}

/* restart of an image edited to carry uid 0, a capability, a securebit */
TEST_F_TIMEOUT(priv, restart_forged_creds, 180)
{
	static const struct {
		void (*edit)(struct ckpt_rec_creds *c);
		const char *what;
	} forge[] = {
		{ uid_root, "uid 0" },
		{ cap_sys_admin, "CAP_SYS_ADMIN" },
		{ secbit_noroot, "SECBIT_NOROOT" },
	};
	const char *img = ppath(self, "img"), *bad = ppath(self, "bad");
	unsigned int i;

	start_wl(_metadata, self, WL_NOBODY);
	take_root(_metadata, self, img);
	stop_wl(self);
	for (i = 0; i < ARRAY_SIZE(forge); i++) {
		edit_creds(_metadata, img, bad, forge[i].edit);
		run_as(_metadata, self, AS_NOBODY, true, 0, bad, NULL);
		expect_refused(_metadata, self, EPERM, forge[i].what);
	}
	/* the image itself is fine */
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	EXPECT_LT(0, self->o->ret) {
		TH_LOG("unedited image: %s", strerror(self->o->err));
	}
	EXPECT_EQ(NOBODY, self->o->uid);
}

/* files it may no longer open as the image says */
TEST_F_TIMEOUT(priv, restart_files_it_may_not_open, 180)
{
	const char *img = ppath(self, "img"), *rw = ppath(self, "rw");
	const char *ro = ppath(self, "ro");

	start_wl(_metadata, self, WL_NOBODY);
	take_root(_metadata, self, img);
	stop_wl(self);
	/* fd 5 was opened for writing: the file is now read-only */
	ASSERT_EQ(0, chmod(rw, 0444));
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	expect_refused(_metadata, self, EACCES, "a file opened for write it cannot write");
	/* fd 6: the file now belongs to root alone */
	ASSERT_EQ(0, chmod(rw, 0644));
	ASSERT_EQ(0, chown(ro, 0, 0));
	ASSERT_EQ(0, chmod(ro, 0600));
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	expect_refused(_metadata, self, EACCES, "an fd to a root-only file");
	/* given back, nobody restarts it */
	ASSERT_EQ(0, chown(ro, NOBODY, NOBODY));
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	EXPECT_LT(0, self->o->ret) {
		TH_LOG("files given back: %s", strerror(self->o->err));
	}
}

/* a root directory it may not chroot into */
TEST_F_TIMEOUT(priv, restart_chroot, 120)
{
	const char *img = ppath(self, "img");
	int fd;
	long top;

	start_wl(_metadata, self, WL_CHROOT);
	take_root(_metadata, self, img);
	stop_wl(self);
	run_as(_metadata, self, AS_NOBODY, true, 0, img, NULL);
	expect_refused(_metadata, self, EPERM, "a chroot without CAP_SYS_CHROOT");
	/* root may */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	top = sys_restart(0, fd, 0);
	ASSERT_LT(0, top) {
		TH_LOG("root: %s", strerror(errno));
	}
	close(fd);
	kill(top, SIGKILL);
	waitpid(top, NULL, __WALL);
}

/* a pid of its choice, and more files than RLIMIT_NOFILE */
TEST_F_TIMEOUT(priv, restart_pid_and_nofile, 180)
{
	const char *img = ppath(self, "img");
	struct rlimit low = { 3, 3 };
	pid_t free_pid;

	start_wl(_metadata, self, WL_NOBODY);
	take_root(_metadata, self, img);
	free_pid = self->wl;
	stop_wl(self);
	/* the workload's pid is free again: nobody may not ask for it */
	run_as(_metadata, self, AS_NOBODY, true, free_pid, img, NULL);
	expect_refused(_metadata, self, EPERM, "a requested pid");
	/* five files, RLIMIT_NOFILE 3 */
	run_as(_metadata, self, AS_NOBODY, true, 0, img, &low);
	expect_refused(_metadata, self, EMFILE, "more files than RLIMIT_NOFILE");
}

/*
 * Root of its own user namespace (CAP_CHECKPOINT_RESTORE there): its own
 * tasks, with what the namespace maps, and nothing more.
 */
TEST_F_TIMEOUT(priv, user_namespace_root, 180)
{
	const char *img = ppath(self, "img"), *bad = ppath(self, "bad");
	pid_t free_pid;

	start_wl(_metadata, self, WL_NOBODY);
	/* root of a namespace nobody owns may not checkpoint a task outside it */
	run_as(_metadata, self, AS_USERNS_ROOT, false, self->wl, img, NULL);
	if (!self->o->ready)
		SKIP(return, "unshare(CLONE_NEWUSER) as nobody: %s", strerror(self->o->err));
	expect_refused(_metadata, self, EPERM, "a task outside the user namespace");
	take_root(_metadata, self, img);
	free_pid = self->wl;
	stop_wl(self);
	/* nobody's image as seen from init_user_ns: 65534 is not mapped in there */
	run_as(_metadata, self, AS_USERNS_ROOT, true, 0, img, NULL);
	expect_refused(_metadata, self, EINVAL, "ids the namespace does not map");
	/* ids it maps: uid 0 there is nobody outside */
	edit_creds(_metadata, img, bad, ids_root);
	run_as(_metadata, self, AS_USERNS_ROOT, true, 0, bad, NULL);
	EXPECT_LT(0, self->o->ret) {
		TH_LOG("uid 0 of its own namespace: %s", strerror(self->o->err));
	}
	/* as the helper sees it: 0 there, which maps to nobody alone */
	EXPECT_EQ(0, self->o->uid);
	/* a pid of the initial pid namespace, which it does not own */
	run_as(_metadata, self, AS_USERNS_ROOT, true, free_pid, bad, NULL);
	expect_refused(_metadata, self, EPERM, "a pid of a namespace it does not own");
	/* uid 1: not mapped */
	edit_creds(_metadata, img, bad, uid_unmapped);
	run_as(_metadata, self, AS_USERNS_ROOT, true, 0, bad, NULL);
	expect_refused(_metadata, self, EINVAL, "an unmapped uid");
}

TEST_HARNESS_MAIN
