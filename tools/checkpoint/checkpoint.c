// SPDX-License-Identifier: GPL-2.0
/*
 * checkpoint - write a checkpoint image of a process to stdout
 *
 * Usage: checkpoint [--kill] PID > FILE
 *
 * Calls checkpoint(2) on PID with fd 1 and prints the checkpoint id on
 * stderr.  --kill passes CHECKPOINT_KILL: the target is killed once the
 * image is complete.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/checkpoint.h>

#ifndef __NR_checkpoint
/* Comes from the installed kernel headers: build with KHDR_INCLUDES. */
#error "__NR_checkpoint is not defined"
#endif

static void print_usage(FILE *f)
{
	fprintf(f, "usage: checkpoint [--kill] PID > FILE\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kill", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long flags = 0;
	char *end;
	long pid, ret;
	int c;

	while ((c = getopt_long(argc, argv, "kh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			flags |= CHECKPOINT_KILL;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		print_usage(stderr);
		return 2;
	}
	errno = 0;
	pid = strtol(argv[optind], &end, 10);
	if (errno || end == argv[optind] || *end || pid < 0 || pid > 0x7fffffff) {
		fprintf(stderr, "checkpoint: bad pid '%s'\n", argv[optind]);
		return 2;
	}

	ret = syscall(__NR_checkpoint, (int)pid, STDOUT_FILENO, flags);
	if (ret < 0) {
		fprintf(stderr, "checkpoint: %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	fprintf(stderr, "%ld\n", ret);
	return 0;
}
