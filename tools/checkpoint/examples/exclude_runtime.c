// SPDX-License-Identifier: GPL-2.0
/*
 * exclude_runtime - the pattern of an MPI runtime under cr.exclude
 *
 * A multi-threaded computation whose "runtime" saves its own arrays and
 * reconnects its own network, so that checkpoint(2) can leave both out
 * (cr.exclude = "anon net", see Documentation/checkpoint/exclude.rst):
 *
 *   exclude_runtime --serve PORTFILE
 *	a small TCP server on the loopback: it acknowledges each step's
 *	checksum (the "rest of the job"); it writes its port to PORTFILE.
 *
 *   exclude_runtime --connect PORTFILE --state FILE --image FILE
 *		     --answer FILE [--steps N] [--at K] [--threads T] [--mib M]
 *	T threads update M MiB of arrays for N steps; after each step the
 *	runtime sends the step's checksum to the server and checks its
 *	acknowledgment.  At step K the runtime quiesces the threads, saves
 *	the arrays to the state file, closes its connection and calls
 *	checkpoint(0, image, 0) on itself.  In the running process that
 *	returns the checkpoint id and the job goes on; in a process restarted
 *	from the image it returns 0: the runtime reloads the arrays (they
 *	read as zeros, they were left out) and connects again, to whatever
 *	server the port file names by then.  The final checksum goes to the
 *	answer file: a restarted run writes the same one as the original.
 *
 * Run it in a cgroup whose cr.exclude is "anon net": the image then holds
 * neither the arrays nor the connection, whatever their size.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/checkpoint.h>

#ifndef __NR_checkpoint
#error "__NR_checkpoint is not defined: build with the kernel's headers"
#endif

static struct {
	const char *portfile, *state, *image, *answer;
	long steps, at, threads, mib;
} opt = { .steps = 40, .at = 20, .threads = 4, .mib = 64 };

static double *arr;		/* the application's data: left out */
static size_t nr;		/* its number of elements */
static pthread_barrier_t step_start, step_done;
static long step;		/* the step the threads work on */
static double partial[64];	/* each thread's checksum of the step */

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* the port the server writes to the port file */
static int read_port(void)
{
	char buf[16] = "";
	FILE *f = fopen(opt.portfile, "r");

	if (!f || !fgets(buf, sizeof(buf), f))
		die(opt.portfile);
	fclose(f);
	return atoi(buf);
}

/* the runtime's network: connect to the server */
static int connect_server(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(read_port()),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	return s;
}

/* send a step's checksum, check the acknowledgment */
static void report(int s, uint64_t sum)
{
	uint64_t ack;

	if (write(s, &sum, sizeof(sum)) != sizeof(sum) ||
	    read(s, &ack, sizeof(ack)) != sizeof(ack) || ack != sum + 1)
		die("server");
}

/* the runtime's storage: the arrays to and from the state file */
static void save_arrays(void)
{
	int fd = open(opt.state, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, arr, nr * sizeof(*arr)) !=
		      (ssize_t)(nr * sizeof(*arr)) || fsync(fd) || close(fd))
		die(opt.state);
}

static void load_arrays(void)
{
	int fd = open(opt.state, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, arr, nr * sizeof(*arr)) !=
		      (ssize_t)(nr * sizeof(*arr)))
		die(opt.state);
	close(fd);
}

/*
 * The runtime's checkpoint: quiesced, data saved, connection closed, then
 * checkpoint(2) of the whole process.  Returns true in a restarted copy.
 */
static bool checkpoint_here(int *sock)
{
	long id;
	int fd;

	save_arrays();
	close(*sock);
	fd = open(opt.image, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		die(opt.image);
	id = syscall(__NR_checkpoint, 0, fd, 0);
	if (id < 0)
		die("checkpoint");
	close(fd);
	if (id == 0)
		load_arrays();	/* restarted: the arrays read as zeros */
	*sock = connect_server();
	return id == 0;
}

static void *worker(void *arg)
{
	long me = (long)arg, s;
	size_t i, lo = nr * me / opt.threads, hi = nr * (me + 1) / opt.threads;

	for (;;) {
		pthread_barrier_wait(&step_start);
		s = step;
		if (s >= opt.steps)
			return NULL;
		partial[me] = 0;
		for (i = lo; i < hi; i++) {
			arr[i] = arr[i] * 0.5 + (double)((i * 7 + s) % 1000);
			partial[me] += arr[i];
		}
		pthread_barrier_wait(&step_done);
	}
}

static int run(void)
{
	pthread_t t[64];
	uint64_t total = 0;
	bool restarted = false;
	int sock, i;
	FILE *f;

	nr = ((size_t)opt.mib << 20) / sizeof(double);
	/* big arrays are mapped: what cr.exclude's anon bit leaves out */
	arr = mmap(NULL, nr * sizeof(double), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arr == MAP_FAILED)
		die("mmap");
	pthread_barrier_init(&step_start, NULL, opt.threads + 1);
	pthread_barrier_init(&step_done, NULL, opt.threads + 1);
	for (i = 0; i < opt.threads; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(long)i))
			die("pthread_create");
	sock = connect_server();
	for (step = 0; step < opt.steps; step++) {
		double sum = 0;

		pthread_barrier_wait(&step_start);
		pthread_barrier_wait(&step_done);
		for (i = 0; i < opt.threads; i++)
			sum += partial[i];
		report(sock, (uint64_t)sum);
		total = total * 31 + (uint64_t)sum;
		/* the threads wait at step_start: the job is quiet */
		if (step + 1 == opt.at)
			restarted = checkpoint_here(&sock);
	}
	pthread_barrier_wait(&step_start);
	for (i = 0; i < opt.threads; i++)
		pthread_join(t[i], NULL);
	close(sock);
	f = fopen(opt.answer, "w");
	if (!f || fprintf(f, "%llu\n", (unsigned long long)total) < 0 ||
	    fclose(f))
		die(opt.answer);
	fprintf(stderr, "%s: %llu\n", restarted ? "restarted" : "original",
		(unsigned long long)total);
	return 0;
}

/* the rest of the job: acknowledge every checksum, on every connection */
static int serve(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(sin);
	char tmp[4096];
	int l, c;
	FILE *f;

	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(l, 16) || getsockname(l, (struct sockaddr *)&sin, &len))
		die("listen");
	snprintf(tmp, sizeof(tmp), "%s.tmp", opt.portfile);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", ntohs(sin.sin_port)) < 0 || fclose(f) ||
	    rename(tmp, opt.portfile))
		die(opt.portfile);
	while ((c = accept(l, NULL, NULL)) >= 0) {
		uint64_t v;

		if (fork()) {
			close(c);
			continue;
		}
		while (read(c, &v, sizeof(v)) == sizeof(v)) {
			v++;
			if (write(c, &v, sizeof(v)) != sizeof(v))
				break;
		}
		_exit(0);
	}
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "serve", required_argument, NULL, 'S' },
		{ "connect", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "image", required_argument, NULL, 'i' },
		{ "answer", required_argument, NULL, 'a' },
		{ "steps", required_argument, NULL, 'n' },
		{ "at", required_argument, NULL, 'k' },
		{ "threads", required_argument, NULL, 't' },
		{ "mib", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	bool server = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			server = true;
			opt.portfile = optarg;
			break;
		case 'c':
			opt.portfile = optarg;
			break;
		case 's':
			opt.state = optarg;
			break;
		case 'i':
			opt.image = optarg;
			break;
		case 'a':
			opt.answer = optarg;
			break;
		case 'n':
			opt.steps = atol(optarg);
			break;
		case 'k':
			opt.at = atol(optarg);
			break;
		case 't':
			opt.threads = atol(optarg);
			break;
		case 'm':
			opt.mib = atol(optarg);
			break;
		default:
			return 2;
		}
	}
	if (server && opt.portfile)
		return serve();
	if (!opt.portfile || !opt.state || !opt.image || !opt.answer ||
	    opt.threads < 1 || opt.threads > 64 || opt.mib < 1 ||
	    opt.steps < 1) {
		fprintf(stderr, "usage: see the comment at the top of %s\n",
			__FILE__);
		return 2;
	}
	return run();
}
