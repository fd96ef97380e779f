// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets, judged by outcome: a workload sets its sockets up (queued data
 * both ways, files and credentials in flight, connections waiting to be
 * accepted, closed peers, options), the test checkpoints it with
 * CHECKPOINT_KILL and restarts the image, and the restored workload checks
 * every socket and reports a mask of what differed; echo workloads keep
 * exchanging data across the restart with nothing lost (byte counts and a
 * running checksum).  Every refusal has its test: the error record names
 * the socket's fd, forged records are refused with EINVAL, and nothing is
 * left behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdarg.h>
#include <grp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/sockios.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF	42
#endif

FIXTURE(sock) {
	struct scratch s;
	pid_t pid;
	pid_t helper;
	int out;
};

FIXTURE_SETUP(sock)
{
	scratch_init(&self->s);
	self->pid = 0;
	self->helper = 0;
	self->out = -1;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
}

FIXTURE_TEARDOWN(sock)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	if (self->helper > 0) {
		kill(self->helper, SIGKILL);
		waitpid(self->helper, NULL, 0);
	}
	if (self->out >= 0)
		close(self->out);
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	if (!getenv("CKPT_KEEP"))
		scratch_clean(&self->s);
}

/* an abstract unix address "\0ckpt-<tag>-<pid>" */
static socklen_t abstract_addr(struct sockaddr_un *a, const char *tag, int pid)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "ckpt-%s-%d", tag,
		 pid);
	return offsetof(struct sockaddr_un, sun_path) + 1 +
	       strlen(a->sun_path + 1);
}

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* send @len bytes of @buf with files and, if @creds, SCM_CREDENTIALS */
static ssize_t send_fds(int s, const void *buf, size_t len, const int *fds,
			int nfd, bool creds)
{
	char cbuf[CMSG_SPACE(8 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))] = {};
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	m.msg_control = cbuf;
	m.msg_controllen = (nfd ? CMSG_SPACE(nfd * sizeof(int)) : 0) +
			   (creds ? CMSG_SPACE(sizeof(struct ucred)) : 0);
	if (!m.msg_controllen)
		m.msg_control = NULL;
	c = CMSG_FIRSTHDR(&m);
	if (nfd) {
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfd * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfd * sizeof(int));
		c = CMSG_NXTHDR(&m, c);
	}
	if (creds) {
		struct ucred uc = { getpid(), getuid(), getgid() };

		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(c), &uc, sizeof(uc));
	}
	return sendmsg(s, &m, 0);
}

/* receive into @buf; files into @fds (up to 8), credentials into @uc */
static ssize_t recv_fds(int s, void *buf, size_t len, int *fds, int *nfd,
			struct ucred *uc, int flags)
{
	char cbuf[CMSG_SPACE(8 * sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(s, &m, flags | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS && fds && nfd) {
			int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			memcpy(fds + *nfd, CMSG_DATA(c), k * sizeof(int));
			*nfd += k;
		} else if (c->cmsg_type == SCM_CREDENTIALS && uc) {
			memcpy(uc, CMSG_DATA(c), sizeof(*uc));
		}
	}
	return n;
}

/* a line for the test to show when a check fails: "<dir>/notes" */
static const char *note_dir;

static void __printf(1, 2) note(const char *fmt, ...)
{
	char path[160];
	va_list ap;
	FILE *f;

	if (!note_dir)
		return;
	snprintf(path, sizeof(path), "%s/notes", note_dir);
	f = fopen(path, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fclose(f);
}

static void show_notes(const char *dir)
{
	char path[160], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/notes", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# note: %s", line);
	fclose(f);
}

/* the first child of the calling process, as /proc shows it now */
static pid_t my_child(void)
{
	char ppid[16];
	struct dirent *d;
	pid_t c = 0;
	DIR *dir;

	dir = opendir("/proc");
	while (dir && !c && (d = readdir(dir))) {
		pid_t p = atoi(d->d_name);

		if (p > 0 && proc_status(p, "PPid", ppid, sizeof(ppid)) &&
		    atoi(ppid) == getpid())
			c = p;
	}
	if (dir)
		closedir(dir);
	return c;
}

static bool getname_is(int s, bool peer, const char *name)
{
	struct sockaddr_un a = {};
	socklen_t len = sizeof(a);

	if ((peer ? getpeername(s, (void *)&a, &len) :
		    getsockname(s, (void *)&a, &len)))
		return false;
	if (!name[0])	/* abstract: compare what follows the NUL */
		return len > offsetof(struct sockaddr_un, sun_path) &&
		       !a.sun_path[0] && !strcmp(a.sun_path + 1, name + 1);
	return !strcmp(a.sun_path, name);
}

/*
 * Every kind of unix socket state the image keeps.  Before the checkpoint
 * the workload builds it; after the restart (and the test's "go") it checks
 * it and writes the mask of what differed to "done".
 */
struct ustate {
	int sp[2];	/* stream pair: queued both ways, partly read */
	int qp[2];	/* seqpacket pair: message boundaries */
	int dp[2];	/* datagram pair */
	int ds;		/* datagram server, abstract name, SO_PASSCRED */
	int u2;		/* a path-bound sender that stays */
	int pf;		/* write end of a pipe whose read end is in flight */
	int cr;		/* datagram receiver of credentials */
	int sh;		/* the reader of a pair whose writer shut down */
	int shw;	/* that writer */
	int l;		/* listening socket, two connections waiting */
	int c1, c2;	/* their clients */
	int pg;		/* the survivor of a pair whose other end closed */
	int oc;		/* datagram socket connected to a socket outside */
};

#define U_SNDBUF	65536
#define U_PEEK		2

static void ustate_build(struct ustate *u, const char *dir)
{
	struct sockaddr_un a;
	int one = 1, fds[3], pfd[2], f, t;
	struct timeval tv = { 2, 500000 };
	socklen_t len;
	char buf[8];
	pid_t c;

	if (chdir(dir))
		_exit(40);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, u->sp) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, u->qp) ||
	    socketpair(AF_UNIX, SOCK_DGRAM, 0, u->dp))
		_exit(41);
	/* stream: "0123" read of "0123456789", then "ab", "cde"; back "xyz" */
	if (write(u->sp[0], "0123456789", 10) != 10 ||
	    read(u->sp[1], buf, 4) != 4 || write(u->sp[0], "ab", 2) != 2 ||
	    write(u->sp[0], "cde", 3) != 3 || write(u->sp[1], "xyz", 3) != 3)
		_exit(42);
	if (send(u->qp[0], "one", 3, 0) != 3 ||
	    send(u->qp[0], "three33", 7, 0) != 7 ||
	    send(u->qp[0], "two2", 4, 0) != 4)
		_exit(43);
	if (send(u->dp[1], "d1", 2, 0) != 2 || send(u->dp[1], "dgram-2", 7, 0) != 7)
		_exit(44);
	/* a named datagram server and three senders */
	u->ds = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = abstract_addr(&a, "srv", getpid());
	if (u->ds < 0 || bind(u->ds, (void *)&a, len) ||
	    setsockopt(u->ds, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		_exit(45);
	t = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (t < 0 || sendto(t, "from-unbound", 12, 0, (void *)&a, len) != 12)
		_exit(46);
	close(t);
	u->u2 = socket(AF_UNIX, SOCK_DGRAM, 0);
	{
		struct sockaddr_un b;
		socklen_t blen = path_addr(&b, "u2.sock");

		if (u->u2 < 0 || bind(u->u2, (void *)&b, blen) ||
		    sendto(u->u2, "from-u2", 7, 0, (void *)&a, len) != 7)
			_exit(47);
	}
	t = socket(AF_UNIX, SOCK_DGRAM, 0);
	{
		struct sockaddr_un b;
		socklen_t blen = abstract_addr(&b, "u3", getpid());

		if (t < 0 || bind(t, (void *)&b, blen) ||
		    sendto(t, "from-u3", 7, 0, (void *)&a, len) != 7)
			_exit(48);
	}
	close(t);
	/* in flight on sp: a pipe's read end with data, a file, sp[0] itself */
	if (pipe(pfd) || write(pfd[1], "pipedata", 8) != 8)
		_exit(49);
	f = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (f < 0 || write(f, "filedata", 8) != 8 || lseek(f, 4, SEEK_SET) != 4)
		_exit(50);
	fds[0] = pfd[0];
	fds[1] = f;
	fds[2] = u->sp[0];
	if (send_fds(u->sp[0], "R", 1, fds, 3, false) != 1)
		_exit(51);
	close(pfd[0]);
	close(f);
	u->pf = pfd[1];
	/* credentials: from a child, which stays, and from ourselves */
	{
		int cp[2];

		if (socketpair(AF_UNIX, SOCK_DGRAM, 0, cp) ||
		    setsockopt(cp[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
			_exit(52);
		c = fork();
		if (c < 0)
			_exit(53);
		if (!c) {
			if (send_fds(cp[1], "child", 5, NULL, 0, true) != 5)
				_exit(1);
			for (;;)
				pause();
		}
		while (ioctl(cp[0], SIOCINQ, &t) == 0 && !t)
			usleep(1000);
		if (send_fds(cp[1], "parent", 6, NULL, 0, true) != 6)
			_exit(54);
		close(cp[1]);
		u->cr = cp[0];
	}
	/* a writer that said all it had to say */
	{
		int p[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) ||
		    write(p[0], "last", 4) != 4 || shutdown(p[0], SHUT_WR))
			_exit(55);
		u->shw = p[0];
		u->sh = p[1];
	}
	/* a listening socket at a relative path, two connections waiting */
	u->l = socket(AF_UNIX, SOCK_STREAM, 0);
	len = path_addr(&a, "srv.sock");
	if (u->l < 0 || bind(u->l, (void *)&a, len) || listen(u->l, 5))
		_exit(56);
	u->c1 = socket(AF_UNIX, SOCK_STREAM, 0);
	u->c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	if (u->c1 < 0 || u->c2 < 0 || connect(u->c1, (void *)&a, len) ||
	    write(u->c1, "ping", 4) != 4 || connect(u->c2, (void *)&a, len) ||
	    write(u->c2, "pong2", 5) != 5)
		_exit(57);
	/* a survivor */
	{
		int p[2];

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, p) ||
		    write(p[0], "bye", 3) != 3)
			_exit(58);
		close(p[0]);
		u->pg = p[1];
	}
	/* connected to a named socket of the test, outside the image */
	u->oc = socket(AF_UNIX, SOCK_DGRAM, 0);
	len = path_addr(&a, dpath(dir, "outside.sock"));
	if (u->oc < 0 || connect(u->oc, (void *)&a, len))
		_exit(59);
	/* options */
	t = U_SNDBUF;
	if (setsockopt(u->sp[0], SOL_SOCKET, SO_SNDBUF, &t, sizeof(t)) ||
	    setsockopt(u->sp[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    fcntl(u->dp[0], F_SETFL, O_NONBLOCK))
		_exit(60);
	t = U_PEEK;
	if (setsockopt(u->qp[1], SOL_SOCKET, SO_PEEK_OFF, &t, sizeof(t)))
		_exit(61);
}

/* read all of a stream until @want bytes, gathering files */
static bool read_stream(int s, char *buf, int want, int *fds, int *nfd)
{
	int got = 0;

	while (got < want) {
		ssize_t n = recv_fds(s, buf + got, want - got, fds, nfd, NULL,
				     MSG_DONTWAIT);

		if (n <= 0)
			return false;
		got += n;
	}
	buf[got] = 0;
	return true;
}

static long ustate_check(struct ustate *u)
{
	char buf[128];
	int fds[8], nfd = 0, t;
	struct ucred uc = {};
	struct sockaddr_un a;
	socklen_t len;
	struct timeval tv;
	long bad = 0;
	int s;

	/* 1: the stream, partly read, with the files at the end */
	if (ioctl(u->sp[1], SIOCINQ, &t) || t != 12)
		bad |= 1L << 0;
	if (!read_stream(u->sp[1], buf, 12, fds, &nfd) ||
	    strcmp(buf, "456789abcdeR") || nfd != 3)
		bad |= 1L << 1;
	if (nfd == 3) {
		/* the pipe with its data, the file at its offset, sp[0] */
		if (read(fds[0], buf, 8) != 8 || memcmp(buf, "pipedata", 8))
			bad |= 1L << 2;
		if (lseek(fds[1], 0, SEEK_CUR) != 4 ||
		    read(fds[1], buf, 4) != 4 || memcmp(buf, "data", 4))
			bad |= 1L << 3;
		if (write(fds[2], "via", 3) != 3 ||
		    read(u->sp[1], buf, 3) != 3 || memcmp(buf, "via", 3))
			bad |= 1L << 4;
		if (write(u->pf, "more", 4) != 4 || read(fds[0], buf, 4) != 4)
			bad |= 1L << 2;
	}
	if (recv(u->sp[0], buf, sizeof(buf), MSG_DONTWAIT) != 3 ||
	    memcmp(buf, "xyz", 3))
		bad |= 1L << 5;
	/* 6: seqpacket boundaries, the peek offset */
	len = sizeof(t);
	if (getsockopt(u->qp[1], SOL_SOCKET, SO_PEEK_OFF, &t, &len) ||
	    t != U_PEEK)
		bad |= 1L << 6;
	t = -1;
	setsockopt(u->qp[1], SOL_SOCKET, SO_PEEK_OFF, &t, sizeof(t));
	if (recv(u->qp[1], buf, sizeof(buf), 0) != 3 ||
	    recv(u->qp[1], buf, sizeof(buf), 0) != 7 ||
	    memcmp(buf, "three33", 7) ||
	    recv(u->qp[1], buf, sizeof(buf), 0) != 4)
		bad |= 1L << 7;
	/* 8: datagrams, and O_NONBLOCK on the reader */
	if (!(fcntl(u->dp[0], F_GETFL) & O_NONBLOCK) ||
	    recv(u->dp[0], buf, sizeof(buf), 0) != 2 ||
	    recv(u->dp[0], buf, sizeof(buf), 0) != 7 ||
	    recv(u->dp[0], buf, sizeof(buf), 0) != -1 || errno != EAGAIN)
		bad |= 1L << 8;
	/* 9: the server's senders, by name */
	/* an unnamed sender has no address at all */
	len = sizeof(a);
	if (recvfrom(u->ds, buf, sizeof(buf), MSG_DONTWAIT, (void *)&a, &len) != 12 ||
	    len > offsetof(struct sockaddr_un, sun_path))
		bad |= 1L << 9;
	len = sizeof(a);
	if (recvfrom(u->ds, buf, sizeof(buf), MSG_DONTWAIT, (void *)&a, &len) != 7 ||
	    strcmp(a.sun_path, "u2.sock"))
		bad |= 1L << 10;
	len = sizeof(a);
	if (recvfrom(u->ds, buf, sizeof(buf), MSG_DONTWAIT, (void *)&a, &len) != 7 ||
	    a.sun_path[0] || strncmp(a.sun_path + 1, "ckpt-u3-", 8))
		bad |= 1L << 11;
	if (!getname_is(u->u2, false, "u2.sock"))
		bad |= 1L << 12;
	/* 13: credentials, the child's pid as it is now, and ours */
	if (recv_fds(u->cr, buf, sizeof(buf), NULL, NULL, &uc, MSG_DONTWAIT) != 5 ||
	    uc.pid != my_child() || !uc.pid || uc.uid != getuid()) {
		note("creds: pid %d, child %d, uid %d", uc.pid, my_child(), uc.uid);
		bad |= 1L << 13;
	}
	uc.pid = 0;
	if (recv_fds(u->cr, buf, sizeof(buf), NULL, NULL, &uc, MSG_DONTWAIT) != 6 ||
	    uc.pid != getpid())
		bad |= 1L << 14;
	/* 15: SO_PEERCRED of a socketpair: its maker, as it is now */
	len = sizeof(uc);
	if (getsockopt(u->sp[1], SOL_SOCKET, SO_PEERCRED, &uc, &len) ||
	    uc.pid != getpid() || uc.uid != getuid())
		bad |= 1L << 15;
	/* 16: end of stream after the last words; the writer cannot write */
	if (read(u->sh, buf, sizeof(buf)) != 4 || read(u->sh, buf, 1) != 0 ||
	    send(u->shw, "x", 1, MSG_NOSIGNAL) != -1 || errno != EPIPE)
		bad |= 1L << 16;
	/* 17: the waiting connections, in order, with their data */
	if (!getname_is(u->l, false, "srv.sock") ||
	    !getname_is(u->c1, true, "srv.sock"))
		bad |= 1L << 17;
	s = accept(u->l, NULL, NULL);
	if (s < 0 || read(s, buf, sizeof(buf)) != 4 || memcmp(buf, "ping", 4) ||
	    write(s, "ack", 3) != 3 || read(u->c1, buf, 3) != 3 ||
	    !getname_is(s, false, "srv.sock"))
		bad |= 1L << 18;
	len = sizeof(uc);
	if (s < 0 || getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len) ||
	    uc.pid != getpid())
		bad |= 1L << 19;
	close(s);
	s = accept(u->l, NULL, NULL);
	if (s < 0 || read(s, buf, sizeof(buf)) != 5 || memcmp(buf, "pong2", 5))
		bad |= 1L << 20;
	close(s);
	/* 21: the survivor reads the last bytes, then the end */
	if (read(u->pg, buf, sizeof(buf)) != 3 || read(u->pg, buf, 1) != 0)
		bad |= 1L << 21;
	/* 22: to the socket outside, found again by its path */
	if (send(u->oc, "hello-out", 9, 0) != 9)
		bad |= 1L << 22;
	/* 23: options */
	len = sizeof(t);
	if (getsockopt(u->sp[0], SOL_SOCKET, SO_SNDBUF, &t, &len) ||
	    t != 2 * U_SNDBUF)
		bad |= 1L << 23;
	len = sizeof(tv);
	if (getsockopt(u->sp[1], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) ||
	    tv.tv_sec != 2 || tv.tv_usec != 500000)
		bad |= 1L << 24;
	len = sizeof(t);
	if (getsockopt(u->ds, SOL_SOCKET, SO_PASSCRED, &t, &len) || !t)
		bad |= 1L << 25;
	return bad;
}

static void wl_unix_state(const char *dir)
{
	struct ustate u;

	wl_task_setup();
	note_dir = dir;
	ustate_build(&u, dir);
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
	put_long(dpath(dir, "done"), ustate_check(&u));
	_exit(0);
}

/* a datagram socket of the test, outside the image, at "outside.sock" */
static int outside_socket(struct __test_metadata *_metadata, struct scratch *s)
{
	struct sockaddr_un a;
	socklen_t len = path_addr(&a, spath(s, "outside.sock"));
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	EXPECT_LE(0, fd);
	EXPECT_EQ(0, bind(fd, (void *)&a, len));
	return fd;
}

static void image_counts(struct __test_metadata *_metadata, const char *img,
			 int *nsock, int *nqueue)
{
	struct img im = {};
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	*nsock = img_count(&im, CKPT_REC_SOCKET);
	*nqueue = img_count(&im, CKPT_REC_SOCK_QUEUE);
	img_free(&im);
}

TEST_F_TIMEOUT(sock, unix_state, 300)
{
	const char *img = spath(&self->s, "img");
	char buf[32];
	int status, nsock, nq;
	long done;
	pid_t top;

	self->out = outside_socket(_metadata, &self->s);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_unix_state(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	/* new pids: the credentials in flight must follow them */
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	image_counts(_metadata, img, &nsock, &nq);
	/* the pairs, the waiting connections, the child's end */
	EXPECT_EQ(19, nsock);
	EXPECT_EQ(10, nq);
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, CKPT_WAIT_MS));
	EXPECT_EQ(0, done) {
		TH_LOG("unix socket checks failed: mask %#lx", done);
		show_notes(self->s.dir);
	}
	EXPECT_EQ(9, recv(self->out, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "hello-out", 9));
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("workload status %#x", status);
	}
	self->pid = 0;
}

/*
 * Echo workloads: a client streams ECHO_TOTAL bytes of a known sequence
 * through a server that echoes them back, with up to ECHO_WINDOW bytes in
 * flight, and checks every byte that comes back; its running checksum and
 * count go to "<name>.done" at the end, its progress to "<name>.progress".
 */
#define ECHO_TOTAL	(6 << 20)
#define ECHO_WINDOW	(192 << 10)
#define ECHO_CHUNK	8192

static unsigned char echo_byte(unsigned long i)
{
	unsigned long x = i * 2654435761UL + 12345;

	return (unsigned char)(x >> 13);
}

static unsigned long echo_sum(unsigned long sum, unsigned char c)
{
	return (sum * 31 + c) % 1000000007UL;
}

/* the checksum the client must report */
static long echo_expect(void)
{
	unsigned long i, sum = 0;

	for (i = 0; i < ECHO_TOTAL; i++)
		sum = echo_sum(sum, echo_byte(i));
	return sum;
}

static void echo_server(int fd)
{
	static char buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf)), w = 0;

		if (n <= 0)
			_exit(n ? 71 : 0);
		while (w < n) {
			ssize_t k = write(fd, buf + w, n - w);

			if (k <= 0)
				_exit(72);
			w += k;
		}
	}
}

static void echo_client(int fd, const char *dir, const char *name)
{
	static unsigned char buf[ECHO_CHUNK];
	unsigned long sent = 0, got = 0, sum = 0, next_report = 0;
	char path[128];

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while (got < ECHO_TOTAL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n, i;

		if (sent < ECHO_TOTAL && sent - got < ECHO_WINDOW)
			p.events |= POLLOUT;
		if (poll(&p, 1, -1) < 0)
			continue;
		if (p.revents & POLLOUT) {
			n = ECHO_TOTAL - sent < ECHO_CHUNK ? ECHO_TOTAL - sent : ECHO_CHUNK;
			for (i = 0; i < n; i++)
				buf[i] = echo_byte(sent + i);
			n = write(fd, buf, n);
			if (n > 0)
				sent += n;
			else if (n < 0 && errno != EAGAIN)
				_exit(73);
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(fd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EAGAIN))
				_exit(74);
			for (i = 0; i < n; i++) {
				if (buf[i] != echo_byte(got + i)) {
					snprintf(path, sizeof(path), "%s/%s.done", dir, name);
					put_long(path, -1);
					_exit(75);
				}
				sum = echo_sum(sum, buf[i]);
			}
			if (n > 0)
				got += n;
		}
		if (got >= next_report) {
			snprintf(path, sizeof(path), "%s/%s.progress", dir, name);
			put_long(path, got);
			next_report = got + (256 << 10);
			/* a pace a checkpoint can land in */
			usleep(20000);
		}
	}
	snprintf(path, sizeof(path), "%s/%s.bytes", dir, name);
	put_long(path, got);
	snprintf(path, sizeof(path), "%s/%s.done", dir, name);
	put_long(path, sum);
	_exit(0);
}

/* a connected pair of the given family (AF_UNIX: through a path) */
static void echo_pair(int family, const char *dir, int *srv, int *cli)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int l, one = 1;

	l = socket(family, SOCK_STREAM, 0);
	if (l < 0)
		_exit(60);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_UNIX) {
		len = path_addr((struct sockaddr_un *)&ss, dpath(dir, "echo.sock"));
	} else if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (bind(l, (void *)&ss, len) || listen(l, 4) ||
	    getsockname(l, (void *)&ss, &len))
		_exit(61);
	*cli = socket(family, SOCK_STREAM, 0);
	if (*cli < 0 || connect(*cli, (void *)&ss, len))
		_exit(62);
	*srv = accept(l, NULL, NULL);
	if (*srv < 0)
		_exit(63);
	close(l);
	if (family != AF_UNIX)
		setsockopt(*cli, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void echo_start(int family, const char *dir, const char *name)
{
	int srv, cli;

	echo_pair(family, dir, &srv, &cli);
	if (!fork()) {
		close(cli);
		echo_server(srv);
	}
	if (!fork()) {
		close(srv);
		echo_client(cli, dir, name);
	}
	close(srv);
	close(cli);
}

/* a container: init starts TCP (v4, v6) and unix echoes, then waits */
static void wl_echo_container(const char *dir)
{
	int status, bad = 0, i;

	wl_task_setup();
	echo_start(AF_INET, dir, "tcp4");
	echo_start(AF_INET6, dir, "tcp6");
	echo_start(AF_UNIX, dir, "unix");
	put_long(dpath(dir, "ready"), 1);
	for (i = 0; i < 6; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			bad++;
	put_long(dpath(dir, "all"), bad);
	_exit(0);
}

/* a child that makes a pid namespace and forks its init; returns the init */
static pid_t start_container(struct __test_metadata *_metadata,
			     void (*fn)(const char *), const char *dir,
			     pid_t *helper)
{
	char path[96];
	long init;
	pid_t h;

	snprintf(path, sizeof(path), "%s/init", dir);
	h = fork();
	ASSERT_LE(0, h);
	if (!h) {
		pid_t i;

		if (unshare(CLONE_NEWPID))
			_exit(50);
		i = fork();
		if (!i)
			fn(dir);
		put_long(path, i);
		waitpid(i, NULL, 0);
		_exit(0);
	}
	*helper = h;
	ASSERT_TRUE(wait_long(path, 1, &init, CKPT_WAIT_MS));
	return init;
}

TEST_F_TIMEOUT(sock, echo_tcp_unix_container, 600)
{
	const char *img = spath(&self->s, "img");
	static const char * const names[] = { "tcp4", "tcp6", "unix" };
	long expect = echo_expect(), v;
	int err, status, nsock, nq, i;
	pid_t init, top;

	init = start_container(_metadata, wl_echo_container, self->s.dir,
			       &self->helper);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	for (i = 0; i < 3; i++) {
		char p[32];

		snprintf(p, sizeof(p), "%s.progress", names[i]);
		ASSERT_TRUE(wait_long(spath(&self->s, p), 1 << 20, NULL,
				      CKPT_WAIT_MS));
	}
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(self->helper, waitpid(self->helper, &status, 0));
	self->helper = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	image_counts(_metadata, img, &nsock, &nq);
	EXPECT_EQ(6, nsock);
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "all"), 0, &v, 300000));
	EXPECT_EQ(0, v) {
		TH_LOG("%ld echo processes failed", v);
	}
	for (i = 0; i < 3; i++) {
		char p[32];

		snprintf(p, sizeof(p), "%s.done", names[i]);
		ASSERT_TRUE(get_long(spath(&self->s, p), &v));
		EXPECT_EQ(expect, v) {
			TH_LOG("%s: checksum %ld, want %ld", names[i], v, expect);
		}
		snprintf(p, sizeof(p), "%s.bytes", names[i]);
		ASSERT_TRUE(get_long(spath(&self->s, p), &v));
		EXPECT_EQ(ECHO_TOTAL, v);
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/*
 * TCP and UDP state: listening sockets (IPv4 and IPv6) with a connection
 * each that waits to be accepted, with data; UDP datagrams queued from
 * several sources; a connected UDP socket; options.
 */
#define TS_PORT4	47101
#define TS_PORT6	47102
#define TS_UDP		47103

struct istate {
	int l4, l6, c4, c6;	/* listeners and their waiting clients */
	int u, u6;		/* UDP receivers */
	int uc;			/* a connected UDP sender */
	int t;			/* an established TCP socket with options */
	int tp;			/* its peer */
};

static void sin4(struct sockaddr_in *a, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static void sin6(struct sockaddr_in6 *a, int port)
{
	memset(a, 0, sizeof(*a));
	a->sin6_family = AF_INET6;
	a->sin6_port = htons(port);
	a->sin6_addr = in6addr_loopback;
}

static void istate_build(struct istate *s, int base)
{
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	int one = 1, v, k;

	s->l4 = socket(AF_INET, SOCK_STREAM, 0);
	s->l6 = socket(AF_INET6, SOCK_STREAM, 0);
	sin4(&a4, base + 1);
	sin6(&a6, base + 2);
	if (setsockopt(s->l4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s->l6, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
	    bind(s->l4, (void *)&a4, sizeof(a4)) || listen(s->l4, 3) ||
	    bind(s->l6, (void *)&a6, sizeof(a6)) || listen(s->l6, 3))
		_exit(60);
	s->c4 = socket(AF_INET, SOCK_STREAM, 0);
	s->c6 = socket(AF_INET6, SOCK_STREAM, 0);
	if (connect(s->c4, (void *)&a4, sizeof(a4)) ||
	    write(s->c4, "hello4", 6) != 6 ||
	    connect(s->c6, (void *)&a6, sizeof(a6)) ||
	    write(s->c6, "hello6", 6) != 6)
		_exit(61);
	/* datagrams from three sources, one of them connected */
	s->u = socket(AF_INET, SOCK_DGRAM, 0);
	s->u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	s->uc = socket(AF_INET, SOCK_DGRAM, 0);
	sin4(&a4, base + 3);
	sin6(&a6, base + 3);
	if (bind(s->u, (void *)&a4, sizeof(a4)) ||
	    bind(s->u6, (void *)&a6, sizeof(a6)) ||
	    connect(s->uc, (void *)&a4, sizeof(a4)))
		_exit(62);
	for (k = 0; k < 3; k++) {
		int t = socket(AF_INET, SOCK_DGRAM, 0);
		char msg[32];
		struct sockaddr_in f;

		sin4(&f, base + 10 + k);
		snprintf(msg, sizeof(msg), "dgram-%d", k);
		if (bind(t, (void *)&f, sizeof(f)) ||
		    sendto(t, msg, strlen(msg), 0, (void *)&a4, sizeof(a4)) !=
		    (ssize_t)strlen(msg))
			_exit(63);
		close(t);
	}
	if (send(s->uc, "connected", 9, 0) != 9)
		_exit(64);
	{
		int t = socket(AF_INET6, SOCK_DGRAM, 0);

		if (sendto(t, "six", 3, 0, (void *)&a6, sizeof(a6)) != 3)
			_exit(65);
		close(t);
	}
	/* an established connection with options */
	echo_pair(AF_INET, "/", &s->tp, &s->t);
	v = 3;
	if (setsockopt(s->t, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) ||
	    setsockopt(s->t, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)) ||
	    setsockopt(s->t, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)))
		_exit(66);
	{
		struct linger lg = { 1, 7 };

		if (setsockopt(s->t, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			_exit(67);
	}
	if (write(s->t, "queued", 6) != 6)
		_exit(68);
	/* unread by tp: a receive queue; and back */
	if (write(s->tp, "back", 4) != 4)
		_exit(69);
}

static long istate_check(struct istate *s, int base)
{
	char buf[64];
	struct sockaddr_in f;
	struct sockaddr_in6 f6;
	socklen_t len;
	long bad = 0;
	int c, v, k;

	c = accept(s->l4, NULL, NULL);
	if (c < 0 || read(c, buf, sizeof(buf)) != 6 || memcmp(buf, "hello4", 6) ||
	    write(c, "r4", 2) != 2 || read(s->c4, buf, 2) != 2)
		bad |= 1L << 0;
	close(c);
	c = accept(s->l6, NULL, NULL);
	if (c < 0 || read(c, buf, sizeof(buf)) != 6 || memcmp(buf, "hello6", 6) ||
	    write(c, "r6", 2) != 2 || read(s->c6, buf, 2) != 2)
		bad |= 1L << 1;
	close(c);
	len = sizeof(v);
	if (getsockopt(s->l6, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len) || !v)
		bad |= 1L << 2;
	for (k = 0; k < 3; k++) {
		len = sizeof(f);
		if (recvfrom(s->u, buf, sizeof(buf), MSG_DONTWAIT, (void *)&f,
			     &len) != 7 || ntohs(f.sin_port) != base + 10 + k ||
		    f.sin_addr.s_addr != htonl(INADDR_LOOPBACK) ||
		    buf[6] != '0' + k)
			bad |= 1L << (3 + k);
	}
	if (recv(s->u, buf, sizeof(buf), MSG_DONTWAIT) != 9)
		bad |= 1L << 6;
	len = sizeof(f6);
	if (recvfrom(s->u6, buf, sizeof(buf), MSG_DONTWAIT, (void *)&f6, &len) != 3 ||
	    memcmp(&f6.sin6_addr, &in6addr_loopback, sizeof(f6.sin6_addr)))
		bad |= 1L << 7;
	len = sizeof(f);
	if (getpeername(s->uc, (void *)&f, &len) || ntohs(f.sin_port) != base + 3 ||
	    send(s->uc, "again", 5, 0) != 5 ||
	    recv(s->u, buf, sizeof(buf), 0) != 5)
		bad |= 1L << 8;
	len = sizeof(v);
	if (getsockopt(s->t, SOL_SOCKET, SO_KEEPALIVE, &v, &len) || !v ||
	    getsockopt(s->t, IPPROTO_TCP, TCP_KEEPIDLE, &v, &len) || v != 3 ||
	    getsockopt(s->t, IPPROTO_TCP, TCP_NODELAY, &v, &len) || !v)
		bad |= 1L << 9;
	{
		struct linger lg;

		len = sizeof(lg);
		if (getsockopt(s->t, SOL_SOCKET, SO_LINGER, &lg, &len) ||
		    !lg.l_onoff || lg.l_linger != 7)
			bad |= 1L << 10;
	}
	if (read(s->tp, buf, sizeof(buf)) != 6 || memcmp(buf, "queued", 6) ||
	    read(s->t, buf, sizeof(buf)) != 4 || memcmp(buf, "back", 4))
		bad |= 1L << 11;
	if (write(s->t, "more", 4) != 4 || read(s->tp, buf, 4) != 4)
		bad |= 1L << 12;
	return bad;
}

static void wl_inet_state(const char *dir)
{
	struct istate s;
	int base = TS_PORT4 - 1;

	wl_task_setup();
	istate_build(&s, base);
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
	put_long(dpath(dir, "done"), istate_check(&s, base));
	_exit(0);
}

TEST_F_TIMEOUT(sock, inet_state, 300)
{
	const char *img = spath(&self->s, "img");
	int status, nsock, nq;
	long done;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_inet_state(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	top = cycle_tree(_metadata, img, self->pid, 0);
	self->pid = top;
	image_counts(_metadata, img, &nsock, &nq);
	EXPECT_LE(11, nsock);
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, CKPT_WAIT_MS));
	EXPECT_EQ(0, done) {
		TH_LOG("TCP/UDP checks failed: mask %#lx", done);
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	self->pid = 0;
}

/* the error record at the end of @img, which must be one */
static void expect_error_record(struct __test_metadata *_metadata,
				const char *img, __u32 kind, int fd,
				const char *what)
{
	const struct ckpt_rec_error *e;
	struct img im = {};
	int f = open(img, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, f);
	ASSERT_EQ(0, img_load_fd(f, &im));
	close(f);
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(kind, e->kind);
	EXPECT_EQ(fd, (int)e->fd);
	EXPECT_NE(NULL, strstr((const char *)e->msg, what)) {
		TH_LOG("error record: %s", (const char *)e->msg);
	}
	img_free(&im);
}

/* a workload that connects to @path (unix) or 127.0.0.1:@port and waits */
static void wl_connect_out(const char *dir, const char *path, int port,
			   bool listen_only)
{
	struct sockaddr_un a;
	struct sockaddr_in a4;
	int s;

	wl_task_setup();
	if (listen_only) {
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || bind(s, (void *)&a, path_addr(&a, path)) ||
		    listen(s, 4) || dup2(s, 9) != 9)
			_exit(40);
	} else if (path) {
		s = socket(AF_UNIX, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (void *)&a, path_addr(&a, path)) ||
		    dup2(s, 9) != 9)
			_exit(41);
	} else {
		sin4(&a4, port);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (void *)&a4, sizeof(a4)) ||
		    dup2(s, 9) != 9)
			_exit(42);
	}
	close(s);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

/*
 * A unix stream socket connected to a socket of the test, outside the
 * image: refused, naming its fd.  Once the test closes its end, the
 * workload's socket has a closed peer and is saved.
 */
TEST_F_TIMEOUT(sock, unix_connected_outside_refused, 120)
{
	const char *img = spath(&self->s, "img");
	const char *path = spath(&self->s, "test.sock");
	struct sockaddr_un a;
	int l, c, err;

	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, bind(l, (void *)&a, path_addr(&a, path)));
	ASSERT_EQ(0, listen(l, 1));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_connect_out(self->s.dir, path, 0, false);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, img, CKPT_OBJ_SOCKET, 9, "outside");
	/* unharmed, and saved once its peer is gone */
	EXPECT_TRUE(wait_state(self->pid, 'S', CKPT_WAIT_MS));
	close(c);
	close(l);
	EXPECT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
}

/* A connection of the test that waits in the workload's listening socket. */
TEST_F_TIMEOUT(sock, unix_waiting_outside_refused, 120)
{
	const char *img = spath(&self->s, "img");
	const char *path = spath(&self->s, "wl.sock");
	struct sockaddr_un a;
	int c, err;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_connect_out(self->s.dir, path, 0, true);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (void *)&a, path_addr(&a, path)));
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, img, CKPT_OBJ_SOCKET, 9,
			    "waits to be accepted");
	close(c);
	EXPECT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
}

/* A TCP connection to a server of the test, outside the image. */
TEST_F_TIMEOUT(sock, tcp_outside_refused, 120)
{
	const char *img = spath(&self->s, "img");
	struct sockaddr_in a4;
	int l, c, err, one = 1;

	sin4(&a4, 47301);
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, l);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ASSERT_EQ(0, bind(l, (void *)&a4, sizeof(a4)));
	ASSERT_EQ(0, listen(l, 1));
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_connect_out(self->s.dir, NULL, 47301, false);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	c = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	ASSERT_LE(0, c);
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, img, CKPT_OBJ_SOCKET, 9,
			    "peer outside the image");
	/* nothing was sent: the connection is whole */
	EXPECT_EQ(3, write(c, "abc", 3));
	EXPECT_EQ(-1, recv(c, &err, 1, MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	close(c);
	close(l);
}

/*
 * Forged images: each field restart checks gets a wrong value in an image
 * of an established TCP pair and a unix pair with queued data; restart
 * refuses it with EINVAL and leaves no task; the unforged image restarts.
 */
enum forge_at {
	AT_TCP_FIRST,		/* SOCK_TCP of the first end */
	AT_TCP_SECOND,		/* SOCK_TCP of the second end */
	AT_SOCKET_TCP,		/* the first TCP SOCKET */
	AT_QUEUE_TCP,		/* the first SOCK_QUEUE of a TCP socket */
	AT_SOCKET_UNIX,		/* the first unix SOCKET */
	AT_QUEUE_UNIX,		/* the first SOCK_QUEUE of a unix socket */
};

static bool forge_match(const struct ckpt_hdr *h, enum forge_at at, int *n,
			__u32 *tcp_ref)
{
	const struct ckpt_rec_socket *k = (const void *)h;
	const struct ckpt_rec_sock_queue *q = (const void *)h;

	switch (at) {
	case AT_TCP_FIRST:
	case AT_TCP_SECOND:
		if (h->type != CKPT_REC_SOCK_TCP)
			return false;
		return (*n)++ == (at == AT_TCP_SECOND);
	case AT_SOCKET_TCP:
		return h->type == CKPT_REC_SOCKET && k->family == AF_INET &&
		       k->state == CKPT_SOCK_CONNECTED;
	case AT_QUEUE_TCP:
		if (h->type == CKPT_REC_SOCKET && k->family == AF_INET && !*tcp_ref)
			*tcp_ref = k->objref;
		return h->type == CKPT_REC_SOCK_QUEUE && *tcp_ref &&
		       q->queue == CKPT_QUEUE_RECV && q->sock_ref != 0 &&
		       ((const struct ckpt_sock_msg *)q->msgs)->name_len == 0 &&
		       ((const struct ckpt_sock_msg *)q->msgs)->len > 1000;
	case AT_SOCKET_UNIX:
		return h->type == CKPT_REC_SOCKET && k->family == AF_UNIX;
	case AT_QUEUE_UNIX:
		return h->type == CKPT_REC_SOCK_QUEUE &&
		       ((const struct ckpt_sock_msg *)q->msgs)->len == 5;
	}
	return false;
}

static void forge_sock(struct __test_metadata *_metadata,
		       const char *img, const char *bad,
		       enum forge_at at, size_t field, const void *val,
		       size_t len, int want, const char *what)
{
	const struct ckpt_hdr *h = NULL;
	__u32 tcp_ref = 0;
	struct img im;
	int n = 0;

	img_load_copy(_metadata, img, &im);
	while ((h = img_next(&im, h)) && !forge_match(h, at, &n, &tcp_ref))
		;
	ASSERT_NE(NULL, h) {
		TH_LOG("%s: no such record", what);
	}
	memcpy((unsigned char *)h + field, val, len);
	expect_forged_refused(_metadata, &im, bad, want, what);
}

/* an established TCP pair and a unix pair, data queued on each */
static void wl_pairs(const char *dir)
{
	static char big[4096];
	int t[2], u[2];

	wl_task_setup();
	echo_pair(AF_INET, dir, &t[0], &t[1]);
	memset(big, 'T', sizeof(big));
	if (write(t[1], big, sizeof(big)) != sizeof(big) ||
	    write(t[0], "back", 4) != 4)
		_exit(40);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, u) || write(u[0], "hello", 5) != 5)
		_exit(41);
	put_long(dpath(dir, "ready"), 1);
	while (access(dpath(dir, "go"), F_OK))
		usleep(10000);
	{
		char buf[8192];
		ssize_t n = 0, k;

		while (n < (ssize_t)sizeof(big) &&
		       (k = read(t[0], buf, sizeof(buf))) > 0)
			n += k;
		put_long(dpath(dir, "done"),
			 n == sizeof(big) && read(t[1], buf, 4) == 4 &&
			 read(u[1], buf, 5) == 5 ? 0 : 1);
	}
	_exit(0);
}

TEST_F_TIMEOUT(sock, forged_socket_records_refused, 300)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	__le32 v;
	__le64 q;
	int err, status;
	long done;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_pairs(self->s.dir);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		show_error_record(img);
	}
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	/* sequence numbers */
	v = 0x12345;
	forge_sock(_metadata, img, bad, AT_TCP_FIRST,
		   offsetof(struct ckpt_rec_sock_tcp, snd_nxt), &v, 4,
		   EINVAL, "snd_nxt beyond write_seq");
	forge_sock(_metadata, img, bad, AT_TCP_SECOND,
		   offsetof(struct ckpt_rec_sock_tcp, rcv_nxt), &v, 4,
		   EINVAL, "rcv_nxt the other end never sent");
	v = 15;
	forge_sock(_metadata, img, bad, AT_TCP_FIRST,
		   offsetof(struct ckpt_rec_sock_tcp, snd_wscale), &v, 4,
		   EINVAL, "window scale 15");
	v = 20;
	forge_sock(_metadata, img, bad, AT_TCP_FIRST,
		   offsetof(struct ckpt_rec_sock_tcp, mss_clamp), &v, 4,
		   EINVAL, "MSS 20");
	/* queue lengths */
	q = 1 << 20;
	forge_sock(_metadata, img, bad, AT_SOCKET_TCP,
		   offsetof(struct ckpt_rec_socket, sndq_bytes), &q, 8,
		   EINVAL, "send queue longer than its sequence numbers");
	v = 9999;
	forge_sock(_metadata, img, bad, AT_QUEUE_TCP,
		   sizeof(struct ckpt_rec_sock_queue) +
		   offsetof(struct ckpt_sock_msg, len), &v, 4,
		   EINVAL, "TCP queue message longer than its record");
	v = 2;
	forge_sock(_metadata, img, bad, AT_QUEUE_UNIX,
		   offsetof(struct ckpt_rec_sock_queue, nr_msgs), &v, 4,
		   EINVAL, "more unix messages than the record holds");
	v = 4;
	forge_sock(_metadata, img, bad, AT_QUEUE_UNIX,
		   sizeof(struct ckpt_rec_sock_queue) +
		   offsetof(struct ckpt_sock_msg, len), &v, 4,
		   EINVAL, "unix message shorter than its bytes");
	/* a state the socket cannot have, an address of another family */
	v = 7;
	forge_sock(_metadata, img, bad, AT_SOCKET_UNIX,
		   offsetof(struct ckpt_rec_socket, state), &v, 4,
		   EINVAL, "unknown state");
	v = AF_INET6;
	forge_sock(_metadata, img, bad, AT_SOCKET_TCP,
		   offsetof(struct ckpt_rec_socket, family), &v, 2,
		   EINVAL, "IPv4 addresses in an IPv6 socket");
	v = 1 << 30;
	forge_sock(_metadata, img, bad, AT_SOCKET_UNIX,
		   offsetof(struct ckpt_rec_socket, flags), &v, 4,
		   EINVAL, "unknown socket flag");

	/* the image itself restarts, and the data is all there */
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 0, &done, CKPT_WAIT_MS));
	EXPECT_EQ(0, done);
	ASSERT_EQ(top, waitpid(top, &status, 0));
	self->pid = 0;
}

/*
 * The path a socket was bound to holds something else at restart: a live
 * socket of the test, or a regular file.  Restart refuses with
 * EADDRINUSE and leaves no task; with the stale file the killed process
 * left, it binds again (the other tests).
 */
TEST_F_TIMEOUT(sock, unix_path_in_use_refused, 120)
{
	const char *img = spath(&self->s, "img");
	const char *path = spath(&self->s, "wl.sock");
	struct sockaddr_un a;
	int s, err, fd;
	pid_t top;

	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid)
		wl_connect_out(self->s.dir, path, 0, true);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err));
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	/* a live socket of someone else at the path */
	ASSERT_EQ(0, unlink(path));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, bind(s, (void *)&a, path_addr(&a, path)));
	top = restart_img(img, 0, 0, &err);
	EXPECT_EQ(-1, top);
	EXPECT_EQ(EADDRINUSE, err);
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	close(s);
	/* a stale socket file, but not the one the image's socket made */
	top = restart_img(img, 0, 0, &err);
	EXPECT_EQ(-1, top);
	EXPECT_EQ(EADDRINUSE, err);
	/* a regular file */
	ASSERT_EQ(0, unlink(path));
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	ASSERT_LE(0, fd);
	close(fd);
	top = restart_img(img, 0, 0, &err);
	EXPECT_EQ(-1, top);
	EXPECT_EQ(EADDRINUSE, err);
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	/* nothing there: bound again */
	ASSERT_EQ(0, unlink(path));
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, s);
	EXPECT_EQ(0, connect(s, (void *)&a, path_addr(&a, path)));
	close(s);
}

/*
 * An unprivileged caller (nobody) restarts its own image, but not one
 * forged to bind a privileged port (EACCES) or to send credentials it
 * does not hold (EPERM).
 */
#define WL_ENV		"CKPT_SOCKET_TEST_WORKLOAD"
#define NOBODY		65534
#define UNPRIV_PORT	47401

static void wl_unpriv(const char *dir)
{
	struct sockaddr_in a4;
	int l, u[2], one = 1;
	struct iovec iov = { "cred", 4 };
	char cbuf[CMSG_SPACE(sizeof(struct ucred))] = {};
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct ucred uc = { getpid(), getuid(), getgid() };

	wl_task_setup();
	sin4(&a4, UNPRIV_PORT);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (void *)&a4, sizeof(a4)) || listen(l, 1))
		_exit(40);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(c), &uc, sizeof(uc));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, u) || sendmsg(u[0], &m, 0) != 4)
		_exit(41);
	put_long(dpath(dir, "ready"), 1);
	for (;;)
		pause();
}

static void __attribute__((constructor)) exec_workload_entry(void)
{
	const char *dir = getenv(WL_ENV);

	if (dir) {
		wl_drop_shared_mappings();
		wl_unpriv(dir);
	}
}

/* restart @img as nobody: the errno, 0 on success (the tree is killed) */
static int restart_as_nobody(const char *img)
{
	int fd = open(img, O_RDONLY | O_CLOEXEC), res[2], err = -1, status;
	pid_t p;

	if (fd < 0 || pipe2(res, O_CLOEXEC))
		return -1;
	p = fork();
	if (!p) {
		long top;

		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(1);
		top = sys_restart(0, fd, 0);
		err = top < 0 ? errno : 0;
		if (top > 0) {
			kill(top, SIGKILL);
			waitpid(top, NULL, 0);
		}
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		_exit(0);
	}
	close(res[1]);
	if (p < 0 || read(res[0], &err, sizeof(err)) != sizeof(err))
		err = -1;
	waitpid(p, &status, 0);
	close(res[0]);
	close(fd);
	return err;
}

/* patch the bytes at @off of @img into @bad */
static void patch_image(struct __test_metadata *_metadata, const char *img,
			const char *bad, size_t off, const void *val, size_t len)
{
	char buf[1 << 16];
	int in, out;
	ssize_t n;

	in = open(img, O_RDONLY | O_CLOEXEC);
	out = open(bad, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, out);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(out, buf, n));
	ASSERT_EQ((ssize_t)len, pwrite(out, val, len, off));
	close(in);
	close(out);
}

TEST_F_TIMEOUT(sock, unprivileged_restart_limits, 120)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	char exe[64], env[128];
	const struct ckpt_hdr *h = NULL;
	struct img im = {};
	size_t port_off = 0, uid_off = 0;
	int fd, err;
	__be16 port = htons(80);
	__le32 root = 0;

	if (geteuid())
		SKIP(return, "needs root");
	/* a copy nobody can execute, and a directory it can write */
	snprintf(exe, sizeof(exe), "/tmp/ckpt-sock-exe-%d", getpid());
	{
		int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
		int out = open(exe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		char buf[65536];
		ssize_t n;

		ASSERT_LE(0, in);
		ASSERT_LE(0, out);
		while ((n = read(in, buf, sizeof(buf))) > 0)
			ASSERT_EQ(n, write(out, buf, n));
		close(in);
		close(out);
	}
	ASSERT_EQ(0, chmod(self->s.dir, 0777));
	snprintf(env, sizeof(env), WL_ENV "=%s", self->s.dir);
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		/* a working directory that nobody can look up again */
		if (chdir(self->s.dir) || setgroups(0, NULL) ||
		    setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(1);
		execle(exe, exe, (char *)NULL, (char *[]){ env, NULL });
		_exit(2);
	}
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, self->pid, CHECKPOINT_KILL, &err)) {
		show_error_record(img);
	}
	waitpid(self->pid, NULL, 0);
	self->pid = 0;
	ASSERT_EQ(0, chmod(img, 0644));
	/* where the listening port and the credentials are */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	while ((h = img_next(&im, h))) {
		const struct ckpt_rec_socket *k = (const void *)h;
		const struct ckpt_rec_sock_queue *q = (const void *)h;

		if (h->type == CKPT_REC_SOCKET && k->family == AF_INET)
			port_off = (const char *)k->data + 2 - (const char *)im.buf;
		if (h->type == CKPT_REC_SOCK_QUEUE)
			uid_off = (const char *)q->msgs +
				  offsetof(struct ckpt_sock_msg, uid) -
				  (const char *)im.buf;
	}
	img_free(&im);
	ASSERT_NE(0, port_off);
	ASSERT_NE(0, uid_off);

	patch_image(_metadata, img, bad, port_off, &port, sizeof(port));
	EXPECT_EQ(EACCES, restart_as_nobody(bad));
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	patch_image(_metadata, img, bad, uid_off, &root, sizeof(root));
	EXPECT_EQ(EPERM, restart_as_nobody(bad));
	EXPECT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	/* root may do both; nobody its own image */
	EXPECT_EQ(0, restart_as_nobody(img));
	unlink(exe);
}

/*
 * Network namespaces.  A container with a network namespace of its own,
 * made by unshare(1) and configured by ip(8) as a container manager would:
 * the loopback up, a veth pair to the test's namespace with addresses, a
 * route through the test's end.  A real server that nobody here wrote
 * (Python's http.server) serves files in it.  After checkpoint, kill and
 * restart, the container's end of the veth is back with its address and
 * route, the test's end is back down and unconfigured (the caller
 * configures it, as a manager would), and the server answers again, over
 * the veth and over the container's loopback.
 */
#define NS_VETH_HOST	"ckpth0"
#define NS_VETH_CONT	"ckptc0"

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* the init of `unshare --pid --net --fork sh -c CMD`, and unshare's pid */
static pid_t start_netns_container(struct __test_metadata *_metadata,
				   const char *cmd, pid_t *unshare_pid)
{
	pid_t u, init = 0;
	int i;

	u = fork();
	ASSERT_LE(0, u);
	if (!u) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		execl("/usr/bin/unshare", "unshare", "--pid", "--net", "--fork",
		      "/bin/sh", "-c", cmd, NULL);
		_exit(127);
	}
	*unshare_pid = u;
	for (i = 0; i < 500 && !init; i++) {
		struct dirent *d;
		DIR *dir = opendir("/proc");
		char ppid[16];

		while (dir && !init && (d = readdir(dir))) {
			pid_t p = atoi(d->d_name);

			if (p > 0 && proc_status(p, "PPid", ppid, sizeof(ppid)) &&
			    atoi(ppid) == u)
				init = p;
		}
		if (dir)
			closedir(dir);
		if (!init)
			sleep_ms(20);
	}
	return init;
}

/* GET @path from @addr:@port in the namespace of @nspid (0: ours) */
static bool http_get(pid_t nspid, const char *addr, int port, const char *path,
		     const char *want)
{
	int res[2], status;
	char ok = 0;
	pid_t p;

	if (pipe(res))
		return false;
	p = fork();
	if (!p) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_port = htons(port) };
		char buf[4096], req[256], nspath[64];
		int s, n, got = 0, fd;

		if (nspid) {
			snprintf(nspath, sizeof(nspath), "/proc/%d/ns/net", nspid);
			fd = open(nspath, O_RDONLY);
			if (fd < 0 || setns(fd, CLONE_NEWNET))
				_exit(1);
		}
		inet_pton(AF_INET, addr, &a.sin_addr);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (void *)&a, sizeof(a)))
			_exit(2);
		n = snprintf(req, sizeof(req), "GET /%s HTTP/1.0\r\n\r\n", path);
		if (write(s, req, n) != n)
			_exit(3);
		while (got < (int)sizeof(buf) - 1 &&
		       (n = read(s, buf + got, sizeof(buf) - 1 - got)) > 0)
			got += n;
		buf[got] = 0;
		ok = strstr(buf, " 200 ") && strstr(buf, want);
		if (write(res[1], &ok, 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(res[1]);
	if (read(res[0], &ok, 1) != 1)
		ok = 0;
	close(res[0]);
	waitpid(p, &status, 0);
	return ok;
}

static bool host_link_gone(int ms)
{
	long long deadline = now_ms() + ms;

	while (!access("/sys/class/net/" NS_VETH_HOST, F_OK)) {
		if (now_ms() > deadline)
			return false;
		sleep_ms(20);
	}
	return true;
}

TEST_F_TIMEOUT(sock, netns_http_server_veth, 600)
{
	const char *img = spath(&self->s, "img");
	bool addr = false, route = false, addr6 = false, lo = false;
	char cmd[256], out[256];
	int err, status, nsock, nq;
	pid_t init, top;
	FILE *f;

	if (!have("/usr/sbin/ip") || !have("/usr/bin/nsenter"))
		SKIP(return, "ip(8) or nsenter(1) missing");
	sh("ip link del " NS_VETH_HOST " 2>/dev/null");
	put_long(spath(&self->s, "hello.txt"), 424242);
	snprintf(cmd, sizeof(cmd),
		 "ip link set lo up && exec python3 -m http.server %s %s %s 8000",
		 "--bind 0.0.0.0", "--directory", self->s.dir);
	init = start_netns_container(_metadata, cmd, &self->helper);
	ASSERT_LT(0, init);
	/* a veth pair, configured as a container manager would */
	ASSERT_EQ(0, sh("ip link add " NS_VETH_HOST " type veth peer name "
			NS_VETH_CONT " netns %d", init));
	ASSERT_EQ(0, sh("nsenter -t %d -n sh -c '%s && %s && %s && %s'", init,
			"ip addr add 10.199.0.2/24 dev " NS_VETH_CONT,
			"ip link set " NS_VETH_CONT " up",
			"ip route add 10.200.0.0/16 via 10.199.0.1",
			"ip -6 addr add fd99::2/64 dev " NS_VETH_CONT));
	ASSERT_EQ(0, sh("ip addr add 10.199.0.1/24 dev " NS_VETH_HOST
			" && ip link set " NS_VETH_HOST " up"));
	{
		long long deadline = now_ms() + CKPT_WAIT_MS;

		while (!http_get(0, "10.199.0.2", 8000, "hello.txt", "424242") &&
		       now_ms() < deadline)
			sleep_ms(100);
	}
	ASSERT_TRUE(http_get(0, "10.199.0.2", 8000, "hello.txt", "424242"));

	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(self->helper, waitpid(self->helper, &status, 0));
	self->helper = 0;
	/* the namespace and its veth go once the last task is gone */
	ASSERT_TRUE(host_link_gone(CKPT_WAIT_MS));
	image_counts(_metadata, img, &nsock, &nq);
	EXPECT_EQ(1, nsock);

	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	/* the container's end, address and route are back */
	snprintf(cmd, sizeof(cmd),
		 "nsenter -t %d -n sh -c 'ip -o addr show dev " NS_VETH_CONT
		 "; ip route; ip -o link show lo' 2>&1", top);
	f = popen(cmd, "r");
	ASSERT_NE(NULL, f);
	while (fgets(out, sizeof(out), f)) {
		addr |= !!strstr(out, "10.199.0.2/24");
		addr6 |= !!strstr(out, "fd99::2/64");
		route |= !!strstr(out, "10.200.0.0/16 via 10.199.0.1");
		lo |= strstr(out, "lo:") && strstr(out, "UP");
	}
	pclose(f);
	EXPECT_TRUE(addr);
	EXPECT_TRUE(addr6);
	EXPECT_TRUE(route);
	EXPECT_TRUE(lo);
	/* the caller's end exists, down; the caller configures it */
	ASSERT_EQ(0, access("/sys/class/net/" NS_VETH_HOST, F_OK));
	ASSERT_EQ(0, sh("ip addr add 10.199.0.1/24 dev " NS_VETH_HOST
			" && ip link set " NS_VETH_HOST " up"));
	{
		long long deadline = now_ms() + CKPT_WAIT_MS;

		while (!http_get(0, "10.199.0.2", 8000, "hello.txt", "424242") &&
		       now_ms() < deadline)
			sleep_ms(100);
	}
	EXPECT_TRUE(http_get(0, "10.199.0.2", 8000, "hello.txt", "424242"));
	EXPECT_TRUE(http_get(top, "127.0.0.1", 8000, "hello.txt", "424242"));
	kill(top, SIGKILL);
	waitpid(top, NULL, 0);
	self->pid = 0;
	host_link_gone(CKPT_WAIT_MS);
}

/* the echo workloads in a container with its own network namespace */
static void wl_echo_netns(const char *dir)
{
	struct ifreq ifr = {};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	/* bring lo up in the new namespace, as ip(8) would */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		_exit(80);
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		_exit(81);
	close(s);
	wl_echo_container(dir);
}

TEST_F_TIMEOUT(sock, echo_in_own_netns, 600)
{
	const char *img = spath(&self->s, "img");
	long expect = echo_expect(), v;
	char path[96];
	int err, status, i;
	pid_t init, top, h;

	snprintf(path, sizeof(path), "%s/init", self->s.dir);
	h = fork();
	ASSERT_LE(0, h);
	if (!h) {
		pid_t i;

		if (unshare(CLONE_NEWPID | CLONE_NEWNET))
			_exit(50);
		i = fork();
		if (!i)
			wl_echo_netns(self->s.dir);
		put_long(path, i);
		waitpid(i, NULL, 0);
		_exit(0);
	}
	self->helper = h;
	ASSERT_TRUE(wait_long(path, 1, &v, CKPT_WAIT_MS));
	init = v;
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(wait_long(spath(&self->s, "tcp4.progress"), 1 << 20, NULL,
			      CKPT_WAIT_MS));
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(self->helper, waitpid(self->helper, &status, 0));
	self->helper = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;
	ASSERT_TRUE(wait_long(spath(&self->s, "all"), 0, &v, 300000));
	EXPECT_EQ(0, v);
	for (i = 0; i < 3; i++) {
		static const char * const names[] = { "tcp4", "tcp6", "unix" };
		char p[32];

		snprintf(p, sizeof(p), "%s.done", names[i]);
		ASSERT_TRUE(get_long(spath(&self->s, p), &v));
		EXPECT_EQ(expect, v);
	}
	ASSERT_EQ(top, waitpid(top, &status, 0));
	self->pid = 0;
}

/*
 * What a network namespace may hold that is not saved: a veth pair whose
 * two ends are in the container; a network namespace of a process that is
 * not a container's init.
 */
#define VETH_INSIDE \
	"ip link add ckptx0 type veth peer name ckptx1 && exec sleep 1000"

TEST_F_TIMEOUT(sock, netns_refused, 120)
{
	const char *img = spath(&self->s, "img");
	const struct ckpt_rec_error *e;
	long long deadline;
	struct img im = {};
	int err, fd, status;
	char comm[32];
	pid_t init;

	if (!have("/usr/sbin/ip"))
		SKIP(return, "ip(8) missing");
	init = start_netns_container(_metadata, VETH_INSIDE, &self->helper);
	ASSERT_LT(0, init);
	deadline = now_ms() + CKPT_WAIT_MS;
	while (now_ms() < deadline &&
	       (!proc_status(init, "Name", comm, sizeof(comm)) ||
		strcmp(comm, "sleep")))
		sleep_ms(20);
	EXPECT_EQ(-1, take(img, init, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	e = (const void *)img_last(&im);
	ASSERT_NE(NULL, e);
	ASSERT_EQ(CKPT_REC_ERROR, e->h.type);
	EXPECT_EQ(CKPT_OBJ_NAMESPACE, e->kind);
	EXPECT_NE(NULL, strstr((const char *)e->msg, "peer is not in the caller's")) {
		TH_LOG("error record: %s", (const char *)e->msg);
	}
	img_free(&im);
	kill(self->helper, SIGKILL);
	waitpid(self->helper, &status, 0);
	kill(init, SIGKILL);
	self->helper = 0;

	/* a process of the test's pid namespace in a network namespace of its own */
	self->pid = fork();
	ASSERT_LE(0, self->pid);
	if (!self->pid) {
		if (unshare(CLONE_NEWNET))
			_exit(1);
		wl_task_setup();
		for (;;)
			pause();
	}
	EXPECT_TRUE(wait_state(self->pid, 'S', CKPT_WAIT_MS));
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	expect_error_record(_metadata, img, CKPT_OBJ_NAMESPACE, -1,
			    "namespaces differ");
}

TEST_HARNESS_MAIN
