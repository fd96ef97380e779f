/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 helpers for the checkpoint selftests: read and write interface
 * files, make and remove cgroups.
 */
#ifndef CKPT_CG_H
#define CKPT_CG_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#define CG_ROOT		"/sys/fs/cgroup"

static inline void cg_path(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		abort();	/* the test's paths are short */
}

/* write len bytes of buf to dir/file in one write(): 0 or -errno */
static inline int cg_write_len(const char *dir, const char *file,
			       const void *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, err = 0;

	cg_path(path, dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

static inline int cg_write(const char *dir, const char *file, const char *s)
{
	return cg_write_len(dir, file, s, strlen(s));
}

/* read what fd holds from its start: 0 or -errno */
static inline int cg_read_fd(int fd, char *buf, size_t size)
{
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static inline int cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	int fd, err;

	cg_path(path, dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = cg_read_fd(fd, buf, size);
	close(fd);
	return err;
}

/* true if the space separated list holds word */
static inline bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\n' || !p[len]))
			return true;
		p += len;
	}
	return false;
}

/* parent/name, a new cgroup; with the controller enabled for its children */
static inline void new_cgroup(struct __test_metadata *_metadata, char *path,
			      const char *parent, const char *name, bool enable)
{
	cg_path(path, parent, name);
	ASSERT_EQ(0, mkdir(path, 0755)) {
		TH_LOG("mkdir %s: %s", path, strerror(errno));
	}
	if (enable)
		ASSERT_EQ(0, cg_write(path, "cgroup.subtree_control", "+cr"));
}

/* remove the cgroup dir and every cgroup below it */
static inline void remove_cgroup(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		cg_path(path, dir, de->d_name);
		remove_cgroup(path);
	}
	closedir(d);
	rmdir(dir);
}

/* why the cr controller cannot be used here, or NULL */
static inline const char *cg_cr_missing(void)
{
	struct statfs sfs;
	char buf[1024];

	if (statfs(CG_ROOT, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC)
		return "cgroup2 is not mounted at " CG_ROOT;
	if (cg_read(CG_ROOT, "cgroup.controllers", buf, sizeof(buf)) ||
	    !has_word(buf, "cr"))
		return "no cr controller (CONFIG_CGROUP_CHECKPOINT)";
	if (geteuid())
		return "needs root to create cgroups";
	return NULL;
}

/*
 * CG_ROOT/name.PID, a new cgroup with the cr controller enabled for its
 * children (and at the root, *root_enabled set, if it was not): 0 or
 * -errno, and nothing left on failure.
 */
static inline int cg_make_top(char *top, const char *name, bool *root_enabled)
{
	char buf[1024];
	int err;

	*root_enabled = false;
	snprintf(top, PATH_MAX, "%s/%s.%d", CG_ROOT, name, getpid());
	if (mkdir(top, 0755))
		return -errno;
	err = cg_read(CG_ROOT, "cgroup.subtree_control", buf, sizeof(buf));
	if (!err && !has_word(buf, "cr")) {
		err = cg_write(CG_ROOT, "cgroup.subtree_control", "+cr");
		*root_enabled = !err;
	}
	if (!err)
		err = cg_write(top, "cgroup.subtree_control", "+cr");
	if (err) {
		rmdir(top);
		if (*root_enabled)
			cg_write(CG_ROOT, "cgroup.subtree_control", "-cr");
		*root_enabled = false;
	}
	return err;
}

/* move process @pid into the cgroup @dir: 0 or -errno */
static inline int cg_enter(const char *dir, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid);
	return cg_write(dir, "cgroup.procs", buf);
}

#endif /* CKPT_CG_H */
