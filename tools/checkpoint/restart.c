// SPDX-License-Identifier: GPL-2.0
/*
 * restart - restart the processes of a checkpoint image read from stdin
 *
 * Usage: restart < FILE
 *
 * Calls restart(2) with fd 0 and prints the pid it returns.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/checkpoint.h>

#ifndef __NR_restart
/* Comes from the installed kernel headers: build with KHDR_INCLUDES. */
#error "__NR_restart is not defined"
#endif

int main(int argc, char **argv)
{
	long ret;

	if (argc != 1) {
		fprintf(stderr, "usage: %s < FILE\n", argv[0]);
		return 2;
	}
	ret = syscall(__NR_restart, 0, STDIN_FILENO, RESTART_FLAGS_ALL);
	if (ret < 0) {
		fprintf(stderr, "restart: %s\n", strerror(errno));
		return 1;
	}
	printf("%ld\n", ret);
	return 0;
}
