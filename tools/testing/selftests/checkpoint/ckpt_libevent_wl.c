// SPDX-License-Identifier: GPL-2.0
/*
 * A workload on libevent for ckpt_evfd_test: ckpt_libevent_wl DIR N.
 *
 * Its event loop (epoll, with a timerfd for EVENT_BASE_FLAG_PRECISE_TIMER)
 * waits on an eventfd and a pipe that its child writes N times each, on a
 * periodic timer, and on SIGCHLD through libevent's signal pipe.  It
 * writes DIR/progress as events come, and at the end DIR/answer: N if it
 * got every event once, its child's exit and some timer ticks, else a
 * negative code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <event2/event.h>

static const char *dir;
static long n_want, sum, bytes, ticks;
static int efd, pfd, child_status = -1;
static pid_t child;
static struct event_base *base;

static void put(const char *name, long v)
{
	char path[512], tmp[520];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "%ld\n", v);
	fclose(f);
	rename(tmp, path);
}

static void maybe_done(void)
{
	if (sum >= n_want && bytes >= n_want && child_status >= 0)
		event_base_loopexit(base, NULL);
}

static void on_efd(evutil_socket_t fd, short what, void *arg)
{
	unsigned long long v;

	if (read(fd, &v, sizeof(v)) == sizeof(v)) {
		sum += v;
		put("progress", sum);
	}
	maybe_done();
}

static void on_pipe(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	char buf[64];
	ssize_t r = read(fd, buf, sizeof(buf));

	if (r > 0)
		bytes += r;
	else if (!r)
		event_del(self);
	maybe_done();
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	ticks++;
}

static void on_chld(evutil_socket_t sig, short what, void *arg)
{
	int st;

	if (waitpid(child, &st, WNOHANG) == child)
		child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	maybe_done();
}

static void writer(int p)
{
	unsigned long long one = 1;
	long i;

	for (i = 0; i < n_want; i++) {
		if (write(efd, &one, sizeof(one)) != sizeof(one) ||
		    write(p, "w", 1) != 1)
			_exit(1);
		usleep(3000);
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	struct timeval tick = { 0, 10000 };
	struct event *ev_efd, *ev_pipe, *ev_tick, *ev_chld;
	struct event_config *cfg;
	int p[2];

	if (argc != 3)
		return 2;
	dir = argv[1];
	n_want = atol(argv[2]);
	cfg = event_config_new();
	if (!cfg || event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER))
		return 3;
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (!base || strcmp(event_base_get_method(base), "epoll")) {
		put("answer", -4);
		return 4;
	}
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0 || pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return 5;
	ev_chld = evsignal_new(base, SIGCHLD, on_chld, NULL);
	if (!ev_chld || event_add(ev_chld, NULL))
		return 6;
	child = fork();
	if (child < 0)
		return 7;
	if (!child) {
		close(p[0]);
		writer(p[1]);
	}
	close(p[1]);
	pfd = p[0];
	ev_efd = event_new(base, efd, EV_READ | EV_PERSIST, on_efd, NULL);
	ev_pipe = event_new(base, pfd, EV_READ | EV_PERSIST, on_pipe,
			    event_self_cbarg());
	ev_tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	if (!ev_efd || !ev_pipe || !ev_tick || event_add(ev_efd, NULL) ||
	    event_add(ev_pipe, NULL) || event_add(ev_tick, &tick))
		return 8;
	if (event_base_dispatch(base) < 0)
		return 9;
	if (sum != n_want)
		put("answer", -10);
	else if (bytes != n_want)
		put("answer", -11);
	else if (child_status)
		put("answer", -12);
	else if (!ticks)
		put("answer", -13);
	else
		put("answer", sum);
	return 0;
}
