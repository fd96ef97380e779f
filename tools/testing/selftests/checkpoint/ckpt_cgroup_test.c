// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the "cr" cgroup v2 controller: cr.exclude and
 * cr.exclude.effective, their parser, inheritance, notification and
 * delegation.  Each test works in a fresh cgroup below /sys/fs/cgroup with
 * the controller enabled, and removes it afterwards.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/magic.h>

#include "../kselftest_harness.h"
#include "ckpt_cg.h"

#define CG_DELEG_ID	23456	/* uid and gid of the delegatee */
#define CG_EVENT_MS	10000	/* wait for a notification (TCG guests are slow) */
#define CG_QUIET_MS	300	/* and for the absence of one */

/* dir/file holds exactly one line: want */
static void expect_line(struct __test_metadata *_metadata, const char *dir,
			const char *file, const char *want)
{
	char buf[256];
	size_t len;
	int err;

	err = cg_read(dir, file, buf, sizeof(buf));
	ASSERT_EQ(0, err) {
		TH_LOG("reading %s/%s: %s", dir, file, strerror(-err));
	}
	len = strlen(buf);
	ASSERT_LT(0, (int)len);
	EXPECT_EQ('\n', buf[len - 1]);
	EXPECT_EQ(buf + len - 1, strchr(buf, '\n')) {
		TH_LOG("%s/%s holds more than one line", dir, file);
	}
	buf[len - 1] = '\0';
	EXPECT_STREQ(want, buf) {
		TH_LOG("in %s/%s", dir, file);
	}
}

/* own and effective masks of the cgroup dir, as read back */
static void expect_masks(struct __test_metadata *_metadata, const char *dir,
			 const char *own, const char *effective)
{
	expect_line(_metadata, dir, "cr.exclude", own);
	expect_line(_metadata, dir, "cr.exclude.effective", effective);
}

static void set_mask(struct __test_metadata *_metadata, const char *dir,
		     const char *mask)
{
	int err = cg_write(dir, "cr.exclude", mask);

	ASSERT_EQ(0, err) {
		TH_LOG("writing \"%s\" to %s/cr.exclude: %s", mask, dir,
		       strerror(-err));
	}
}

/* poll(fd) for POLLPRI for at most ms: 1 if it came, 0 if not */
static int wait_pri(struct __test_metadata *_metadata, int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLPRI };
	int n = poll(&pfd, 1, ms);

	EXPECT_LE(0, n);
	if (n > 0)
		EXPECT_EQ(POLLPRI | POLLERR, pfd.revents & (POLLPRI | POLLERR));
	return n > 0;
}

/* the errno of a system call that the kernel does not have */
static int unknown_syscall_errno(void)
{
	int saved = errno, err;

	syscall(-1L);
	err = errno;
	errno = saved;
	return err;
}

/* the number of IN_MODIFY events on wd that come within ms */
static int wait_inotify(struct __test_metadata *_metadata, int ifd, int wd,
			int ms)
{
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	struct pollfd pfd = { .fd = ifd, .events = POLLIN };
	const struct inotify_event *ev;
	int events = 0;
	ssize_t n;
	char *p;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(ifd, u.buf, sizeof(u.buf));
	EXPECT_LT(0, n);
	for (p = u.buf; n > 0 && p < u.buf + n; p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)p;
		EXPECT_EQ(wd, ev->wd);
		if (ev->mask & IN_MODIFY)
			events++;
	}
	return events;
}

FIXTURE(cr) {
	char top[PATH_MAX];	/* this test's cgroup */
	bool root_enabled;	/* the test enabled the controller at the root */
};

FIXTURE_SETUP(cr)
{
	const char *why = cg_cr_missing();
	int err;

	if (why)
		SKIP(return, "%s", why);
	err = cg_make_top(self->top, "ckpt_cgroup_test", &self->root_enabled);
	ASSERT_EQ(0, err) {
		TH_LOG("enabling cr in %s and %s: %s", CG_ROOT, self->top,
		       strerror(-err));
	}
}

FIXTURE_TEARDOWN_PARENT(cr)
{
	remove_cgroup(self->top);
	if (self->root_enabled)
		cg_write(CG_ROOT, "cgroup.subtree_control", "-cr");
}

/* which files exist where, their modes and their first contents */
TEST_F(cr, files)
{
	char path[PATH_MAX], leaf[PATH_MAX];
	struct stat st;

	/* not on the root */
	cg_path(path, CG_ROOT, "cr.exclude");
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);
	cg_path(path, CG_ROOT, "cr.exclude.effective");
	EXPECT_EQ(-1, access(path, F_OK));

	cg_path(path, self->top, "cr.exclude");
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0644, (int)(st.st_mode & 07777));
	cg_path(path, self->top, "cr.exclude.effective");
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ(0444, (int)(st.st_mode & 07777));
	expect_masks(_metadata, self->top, "", "");

	/* read-only: EACCES, but root may open it and gets EINVAL */
	set_mask(_metadata, self->top, "net");
	EXPECT_EQ(-EINVAL, cg_write(self->top, "cr.exclude.effective", "0"));
	expect_masks(_metadata, self->top, "net", "net");
	set_mask(_metadata, self->top, "0");

	/* only where the parent enables the controller */
	new_cgroup(_metadata, path, self->top, "a", false);
	new_cgroup(_metadata, leaf, path, "leaf", false);
	expect_masks(_metadata, path, "", "");
	cg_path(path, leaf, "cr.exclude");
	EXPECT_EQ(-1, access(path, F_OK));
	EXPECT_EQ(ENOENT, errno);
}

/* what a write sets, as read back; applied in this order */
static const struct {
	const char *in;
	const char *out;
} cr_writes[] = {
	{ "5", "anon files" },
	{ "0x2", "net" },
	{ "0X7", "anon net files" },
	{ "0", "" },
	{ "3\n", "anon net" },
	{ "0x0", "" },
	{ "files anon", "anon files" },
	{ "anon net files", "anon net files" },
	{ "net", "net" },			/* names replace the mask */
	{ "net net files", "net files" },
	{ " \tanon\n", "anon" },
	{ "+net", "anon net" },
	{ "+net", "anon net" },
	{ "-anon", "net" },
	{ "+files -net", "files" },
	{ "-files", "" },
	{ "-anon", "" },
	{ "+anon -anon", "" },
	{ "-net +net +anon\n", "anon net" },
	{ "\n", "" },				/* an empty line clears */
	{ "files", "files" },
	{ " ", "" },
};

TEST_F(cr, parse)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(cr_writes); i++) {
		err = cg_write(self->top, "cr.exclude", cr_writes[i].in);
		EXPECT_EQ(0, err) {
			TH_LOG("writing \"%s\": %s", cr_writes[i].in, strerror(-err));
		}
		expect_masks(_metadata, self->top, cr_writes[i].out,
			     cr_writes[i].out);
	}

	/* the cgroup core ignores a write(2) of 0 bytes */
	set_mask(_metadata, self->top, "net");
	EXPECT_EQ(0, cg_write(self->top, "cr.exclude", ""));
	expect_masks(_metadata, self->top, "net", "net");
}

/* every mask reads back as the names of its bits, in bit order */
TEST_F(cr, names)
{
	static const char * const names[] = {
		"", "anon", "net", "anon net", "files", "anon files",
		"net files", "anon net files",
	};
	char num[8];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(num, sizeof(num), "%u", i);
		set_mask(_metadata, self->top, num);
		expect_masks(_metadata, self->top, names[i], names[i]);
		set_mask(_metadata, self->top, "0");
		set_mask(_metadata, self->top, names[i]);
		expect_masks(_metadata, self->top, names[i], names[i]);
	}
}

/* EINVAL, and the mask stays as it was */
TEST_F(cr, einval)
{
	static const char * const bad[] = {
		"bogus", "ANON", "all", "anonx", "anon net bogus", "anon,net",
		"anon;net", "8", "0x8", "0xf", "9", "10", "255", "0xffffffff",
		"4294967296", "4294967301", "0x100000000", "0x100000005",
		"99999999999999999999999", "5x", "0x", "0x5g", "x5", "1.0",
		"-1", "+5", "-0", "5 5", "5 anon", "anon 5", "+", "-", "+ anon",
		"anon -", "++anon", "anon +net", "+net anon",
	};
	static const char nul[] = "anon\0net";
	char path[PATH_MAX];
	unsigned int i;
	int err;

	new_cgroup(_metadata, path, self->top, "a", false);
	set_mask(_metadata, self->top, "net");
	set_mask(_metadata, path, "anon files");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err = cg_write(path, "cr.exclude", bad[i]);
		EXPECT_EQ(-EINVAL, err) {
			TH_LOG("writing \"%s\": %s", bad[i], strerror(-err));
		}
		expect_masks(_metadata, path, "anon files", "anon net files");
	}
	EXPECT_EQ(-EINVAL, cg_write_len(path, "cr.exclude", nul, sizeof(nul) - 1));
	expect_masks(_metadata, path, "anon files", "anon net files");
	expect_masks(_metadata, self->top, "net", "net");

	/* and relative writes start from the unchanged mask */
	set_mask(_metadata, path, "-files");
	expect_masks(_metadata, path, "anon", "anon net");
}

/* cr.exclude.effective through three levels */
TEST_F(cr, effective)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], d[PATH_MAX];

	new_cgroup(_metadata, a, self->top, "a", true);
	new_cgroup(_metadata, b, a, "b", true);
	new_cgroup(_metadata, c, b, "c", false);
	expect_masks(_metadata, c, "", "");

	set_mask(_metadata, a, "anon");
	expect_masks(_metadata, a, "anon", "anon");
	expect_masks(_metadata, b, "", "anon");
	expect_masks(_metadata, c, "", "anon");

	set_mask(_metadata, b, "net");
	expect_masks(_metadata, a, "anon", "anon");
	expect_masks(_metadata, b, "net", "anon net");
	expect_masks(_metadata, c, "", "anon net");

	set_mask(_metadata, c, "files");
	expect_masks(_metadata, c, "files", "anon net files");
	expect_masks(_metadata, b, "net", "anon net");

	/* a cgroup cannot clear its ancestors' bits */
	set_mask(_metadata, c, "anon files");
	set_mask(_metadata, c, "-anon");
	expect_masks(_metadata, c, "files", "anon net files");
	set_mask(_metadata, c, "0");
	expect_masks(_metadata, c, "", "anon net");

	/* the top's own mask reaches everything below it */
	set_mask(_metadata, self->top, "files");
	expect_masks(_metadata, self->top, "files", "files");
	expect_masks(_metadata, a, "anon", "anon files");
	expect_masks(_metadata, b, "net", "anon net files");
	expect_masks(_metadata, c, "", "anon net files");

	/* a new cgroup inherits at once */
	new_cgroup(_metadata, d, b, "d", false);
	expect_masks(_metadata, d, "", "anon net files");

	/* clearing an ancestor's mask clears what only it set */
	set_mask(_metadata, a, "\n");
	expect_masks(_metadata, a, "", "files");
	expect_masks(_metadata, b, "net", "net files");
	expect_masks(_metadata, c, "", "net files");
	expect_masks(_metadata, d, "", "net files");
	set_mask(_metadata, self->top, "0");
	expect_masks(_metadata, b, "net", "net");
	expect_masks(_metadata, c, "", "net");
	set_mask(_metadata, b, "-net");
	expect_masks(_metadata, c, "", "");
	expect_masks(_metadata, d, "", "");
}

/* turning the controller off and on again starts from an empty mask */
TEST_F(cr, reenable)
{
	char a[PATH_MAX], b[PATH_MAX], path[PATH_MAX];

	new_cgroup(_metadata, a, self->top, "a", true);
	new_cgroup(_metadata, b, a, "b", false);
	set_mask(_metadata, a, "net");
	set_mask(_metadata, b, "anon");

	ASSERT_EQ(0, cg_write(a, "cgroup.subtree_control", "-cr"));
	cg_path(path, b, "cr.exclude");
	EXPECT_EQ(-1, access(path, F_OK));
	ASSERT_EQ(0, cg_write(a, "cgroup.subtree_control", "+cr"));
	expect_masks(_metadata, b, "", "net");
	expect_masks(_metadata, a, "net", "net");
}

/* poll(2) sees cr.exclude.effective change when an ancestor's mask does */
TEST_F(cr, notify_poll)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], path[PATH_MAX], buf[64];
	int fa, fb, fc, own;

	new_cgroup(_metadata, a, self->top, "a", true);
	new_cgroup(_metadata, b, a, "b", true);
	new_cgroup(_metadata, c, b, "c", false);
	cg_path(path, a, "cr.exclude.effective");
	fa = open(path, O_RDONLY | O_CLOEXEC);
	cg_path(path, b, "cr.exclude.effective");
	fb = open(path, O_RDONLY | O_CLOEXEC);
	cg_path(path, c, "cr.exclude.effective");
	fc = open(path, O_RDONLY | O_CLOEXEC);
	cg_path(path, c, "cr.exclude");
	own = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_LE(0, fc);
	ASSERT_LE(0, own);
	/* a kernfs file polls as changed until it is read once */
	ASSERT_EQ(0, cg_read_fd(fa, buf, sizeof(buf)));
	ASSERT_EQ(0, cg_read_fd(fb, buf, sizeof(buf)));
	ASSERT_EQ(0, cg_read_fd(fc, buf, sizeof(buf)));
	ASSERT_EQ(0, cg_read_fd(own, buf, sizeof(buf)));
	EXPECT_EQ(0, wait_pri(_metadata, fc, 0));

	/* the grandparent's change reaches every level */
	set_mask(_metadata, a, "anon");
	EXPECT_EQ(1, wait_pri(_metadata, fc, CG_EVENT_MS));
	EXPECT_EQ(1, wait_pri(_metadata, fb, CG_EVENT_MS));
	EXPECT_EQ(1, wait_pri(_metadata, fa, CG_EVENT_MS));
	EXPECT_EQ(0, wait_pri(_metadata, own, 0));
	ASSERT_EQ(0, cg_read_fd(fc, buf, sizeof(buf)));
	EXPECT_STREQ("anon\n", buf);
	ASSERT_EQ(0, cg_read_fd(fb, buf, sizeof(buf)));
	ASSERT_EQ(0, cg_read_fd(fa, buf, sizeof(buf)));
	EXPECT_EQ(0, wait_pri(_metadata, fc, 0));

	/* writes that change no effective mask of c do not notify it */
	set_mask(_metadata, a, "anon");
	set_mask(_metadata, b, "+anon");
	EXPECT_EQ(0, wait_pri(_metadata, fc, CG_QUIET_MS));
	EXPECT_EQ(0, wait_pri(_metadata, fa, 0));
	EXPECT_EQ(0, wait_pri(_metadata, fb, 0));

	/* c's own mask: its cr.exclude changes, its effective one does not */
	set_mask(_metadata, c, "anon");
	EXPECT_EQ(1, wait_pri(_metadata, own, CG_EVENT_MS));
	EXPECT_EQ(0, wait_pri(_metadata, fc, CG_QUIET_MS));
	ASSERT_EQ(0, cg_read_fd(own, buf, sizeof(buf)));
	EXPECT_STREQ("anon\n", buf);

	/* two changes in a row (the second one is rate limited) both show */
	set_mask(_metadata, a, "net");
	EXPECT_EQ(1, wait_pri(_metadata, fc, CG_EVENT_MS));
	ASSERT_EQ(0, cg_read_fd(fc, buf, sizeof(buf)));
	set_mask(_metadata, a, "files");
	EXPECT_EQ(1, wait_pri(_metadata, fc, CG_EVENT_MS));
	ASSERT_EQ(0, cg_read_fd(fc, buf, sizeof(buf)));
	EXPECT_STREQ("anon files\n", buf);

	close(fa);
	close(fb);
	close(fc);
	close(own);
}

/* inotify sees IN_MODIFY on cr.exclude.effective likewise */
TEST_F(cr, notify_inotify)
{
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX], path[PATH_MAX];
	int ifd, wd;

	new_cgroup(_metadata, a, self->top, "a", true);
	new_cgroup(_metadata, b, a, "b", true);
	new_cgroup(_metadata, c, b, "c", false);
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd < 0 && errno == unknown_syscall_errno())
		SKIP(return, "no inotify in this kernel (CONFIG_INOTIFY_USER)");
	ASSERT_LE(0, ifd);
	cg_path(path, c, "cr.exclude.effective");
	wd = inotify_add_watch(ifd, path, IN_MODIFY);
	ASSERT_LE(0, wd);

	set_mask(_metadata, a, "files");
	EXPECT_LE(1, wait_inotify(_metadata, ifd, wd, CG_EVENT_MS));
	expect_masks(_metadata, c, "", "files");

	/* nothing changed for c */
	set_mask(_metadata, a, "files");
	set_mask(_metadata, b, "+files");
	set_mask(_metadata, c, "files");
	EXPECT_EQ(0, wait_inotify(_metadata, ifd, wd, CG_QUIET_MS));

	set_mask(_metadata, self->top, "+net");
	EXPECT_LE(1, wait_inotify(_metadata, ifd, wd, CG_EVENT_MS));
	expect_masks(_metadata, c, "files", "net files");
	close(ifd);
}

/* report the failed step of the delegatee */
static int step_failed(int step, const char *fmt, ...)
{
	va_list ap;

	printf("# as uid %d, step %d: ", CG_DELEG_ID, step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return step;
}

/*
 * Delegation as Documentation/admin-guide/cgroup-v2.rst describes it: the
 * delegatee owns the directory of its delegated root and its cgroup.procs,
 * cgroup.threads and cgroup.subtree_control, and sets the masks of the
 * cgroups it creates below, but not the delegated root's own mask nor its
 * ancestors'.  The delegatee's part, in a child: 0 or the step that failed.
 */
static int run_delegatee(const char *top, const char *deleg)
{
	char sub[PATH_MAX], subsub[PATH_MAX], buf[64];
	int err;

	if (setgroups(0, NULL) ||
	    setresgid(CG_DELEG_ID, CG_DELEG_ID, CG_DELEG_ID) ||
	    setresuid(CG_DELEG_ID, CG_DELEG_ID, CG_DELEG_ID))
		return step_failed(1, "setresuid: %s", strerror(errno));

	cg_path(sub, deleg, "sub");
	if (mkdir(sub, 0755))
		return step_failed(2, "mkdir %s: %s", sub, strerror(errno));
	err = cg_write(deleg, "cgroup.subtree_control", "+cr");
	if (err)
		return step_failed(3, "+cr in %s: %s", deleg, strerror(-err));
	err = cg_write(sub, "cr.exclude", "anon");
	if (err)
		return step_failed(4, "writing %s/cr.exclude: %s", sub,
				   strerror(-err));
	err = cg_read(sub, "cr.exclude.effective", buf, sizeof(buf));
	if (err || strcmp(buf, "anon net\n"))
		return step_failed(5, "effective \"%s\"", buf);

	/* the delegated root's mask, set by its parent's owner, holds */
	err = cg_write(sub, "cr.exclude", "-net");
	if (err)
		return step_failed(6, "writing -net: %s", strerror(-err));
	err = cg_write(sub, "cr.exclude", "0");
	if (err)
		return step_failed(7, "writing 0: %s", strerror(-err));
	err = cg_read(sub, "cr.exclude.effective", buf, sizeof(buf));
	if (err || strcmp(buf, "net\n"))
		return step_failed(8, "effective \"%s\"", buf);

	err = cg_write(deleg, "cr.exclude", "0");
	if (err != -EACCES && err != -EPERM)
		return step_failed(9, "writing the delegated root's cr.exclude: %s",
				   strerror(-err));
	err = cg_write(top, "cr.exclude", "anon");
	if (err != -EACCES && err != -EPERM)
		return step_failed(10, "writing its parent's cr.exclude: %s",
				   strerror(-err));

	/* deeper in the delegated subtree */
	err = cg_write(sub, "cgroup.subtree_control", "+cr");
	if (err)
		return step_failed(11, "+cr in %s: %s", sub, strerror(-err));
	cg_path(subsub, sub, "subsub");
	if (mkdir(subsub, 0755))
		return step_failed(12, "mkdir %s: %s", subsub, strerror(errno));
	err = cg_write(sub, "cr.exclude", "files");
	if (err)
		return step_failed(13, "writing %s/cr.exclude: %s", sub,
				   strerror(-err));
	err = cg_write(subsub, "cr.exclude", "+anon");
	if (err)
		return step_failed(14, "writing %s/cr.exclude: %s", subsub,
				   strerror(-err));
	err = cg_read(subsub, "cr.exclude.effective", buf, sizeof(buf));
	if (err || strcmp(buf, "anon net files\n"))
		return step_failed(15, "effective \"%s\"", buf);
	return 0;
}

TEST_F(cr, delegation)
{
	static const char * const owned[] = {
		"cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
	};
	char deleg[PATH_MAX], sub[PATH_MAX], path[PATH_MAX];
	unsigned int i;
	struct stat st;
	int status;
	pid_t pid;

	new_cgroup(_metadata, deleg, self->top, "deleg", false);
	set_mask(_metadata, deleg, "net");
	ASSERT_EQ(0, chown(deleg, CG_DELEG_ID, CG_DELEG_ID));
	for (i = 0; i < ARRAY_SIZE(owned); i++) {
		cg_path(path, deleg, owned[i]);
		ASSERT_EQ(0, chown(path, CG_DELEG_ID, CG_DELEG_ID));
	}

	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(run_delegatee(self->top, deleg));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	expect_masks(_metadata, self->top, "", "");
	expect_masks(_metadata, deleg, "net", "net");
	cg_path(sub, deleg, "sub");
	expect_masks(_metadata, sub, "files", "net files");
	cg_path(path, sub, "cr.exclude");
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_EQ((uid_t)CG_DELEG_ID, st.st_uid);
}

TEST_HARNESS_MAIN
