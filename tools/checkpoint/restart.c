// SPDX-License-Identifier: GPL-2.0
/*
 * restart - restart the process of a checkpoint image
 *
 * Usage: restart [--pid PID] [--pids] [--wait] [FILE] < FILE
 *
 * Calls restart(2) on FILE, or on stdin when no FILE is given, and prints
 * the pid of the restored process, which is a child of this one.  Its
 * external fds n (a terminal, a pipe whose other end was not saved) are
 * this program's fds n; when the image comes on stdin, fd 0 is /dev/null.
 *
 * --pid PID  restore with that pid (needs CAP_CHECKPOINT_RESTORE)
 * --pids     every task of the tree gets its saved pid (RESTART_PIDS)
 * --wait     wait for the restored process and exit with its status
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/checkpoint.h>

#ifndef __NR_restart
/* Comes from the installed kernel headers: build with KHDR_INCLUDES. */
#error "__NR_restart is not defined"
#endif

static int bad_args(const char *prog)
{
	fprintf(stderr, "Usage: %s [--pid PID] [--pids] [--wait] [FILE] (< FILE)\n",
		prog);
	return 2;
}

/* take the image off stdin, so that fd 0 can be handed on */
static int image_from_stdin(void)
{
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDONLY);

	if (fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0)
		return -1;
	close(null);
	return fd;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int i, fd, status, wait_it = 0;
	unsigned long flags = 0;
	pid_t want = 0;
	long ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--wait"))
			wait_it = 1;
		else if (!strcmp(argv[i], "--pids"))
			flags |= RESTART_PIDS;
		else if (!strcmp(argv[i], "--pid") && i + 1 < argc)
			want = atoi(argv[++i]);
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else
			return bad_args(argv[0]);
	}
	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : image_from_stdin();
	if (fd < 0) {
		fprintf(stderr, "restart: %s: %s\n", path ?: "stdin",
			strerror(errno));
		return 1;
	}
	ret = syscall(__NR_restart, want, fd, flags);
	if (ret < 0) {
		fprintf(stderr, "restart: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	fprintf(stderr, "restart: pid %ld\n", ret);
	if (!wait_it) {
		printf("%ld\n", ret);
		return 0;
	}
	if (waitpid(ret, &status, 0) < 0) {
		fprintf(stderr, "restart: waitpid: %s\n", strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
