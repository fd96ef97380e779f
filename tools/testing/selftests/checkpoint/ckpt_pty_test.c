// SPDX-License-Identifier: GPL-2.0
/*
 * Pseudo-terminals of the image across checkpoint, kill and restart: a
 * launcher that reads its child's output from a pty (as Open MPI's mpirun
 * does) goes on reading it after restart, with the slave's terminal
 * settings, window size and lock kept.  A pty with unread data, one in
 * packet mode and one whose slave is also open outside the image are
 * refused with a reason; forged PTY records and pty FILE records are
 * refused with EINVAL, leaving no task behind.
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>
#include <termios.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#define PTY_ROWS	33
#define PTY_COLS	77

FIXTURE(pty) {
	struct scratch s;
	pid_t pid;
};

FIXTURE_SETUP(pty)
{
	scratch_init(&self->s);
	self->pid = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
	if (access("/dev/ptmx", R_OK | W_OK))
		SKIP(return, "no /dev/ptmx");
}

FIXTURE_TEARDOWN(pty)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	tree_tasks(SIGKILL, false);
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	wait_no_tree_tasks(5000);
	scratch_clean(&self->s);
}

/* whether the image ends with an error record whose message has @what */
static bool error_record_has(const char *img, const char *what)
{
	const struct ckpt_rec_error *e;
	struct img im = {};
	bool ret = false;
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (!img_load_fd(fd, &im)) {
		e = (const void *)img_last(&im);
		ret = e && e->h.type == CKPT_REC_ERROR &&
		      strstr((const char *)e->msg, what);
		if (!ret)
			show_error_record(img);
		img_free(&im);
	}
	close(fd);
	return ret;
}

/*
 * Checkpoint with @flags; a line may be in flight in the pty for an
 * instant (EBUSY): try again, as a caller would.
 */
static long take_retry(const char *img, pid_t pid, unsigned long flags,
		       int *err)
{
	long ret;
	int i;

	for (i = 0; i < 50; i++) {
		ret = take(img, pid, flags, err);
		if (ret >= 0 || *err != EBUSY)
			break;
		sleep_ms(7);
	}
	return ret;
}

/* a new pty, its slave set to raw-ish settings the test can recognise */
static int open_pty(int *slave)
{
	struct winsize ws = { .ws_row = PTY_ROWS, .ws_col = PTY_COLS };
	struct termios tio;
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0 || grantpt(m) || unlockpt(m))
		return -1;
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	if (*slave < 0 || tcgetattr(*slave, &tio))
		return -1;
	tio.c_lflag &= ~(ECHO | ICANON);
	tio.c_oflag &= ~ONLCR;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VINTR] = 0x0b;
	if (tcsetattr(*slave, TCSANOW, &tio) || ioctl(m, TIOCSWINSZ, &ws))
		return -1;
	return m;
}

/*
 * The launcher: its child writes lines "n" to its stdout, the slave, one
 * after the parent acknowledged the previous one through a pipe; the
 * parent reads them from the master and puts the last one in "seen".
 * After "go" the child checks its terminal (settings and size), reports
 * in "tio" 1 if they are as set, writes 50 lines more and a last line
 * "0"; each line must be the next one (nothing lost, nothing twice).
 */
static void launcher(const char *dir, bool stop_unread)
{
	int s, m, ack[2];
	char buf[64], c;
	long want = 1, got = 0;
	pid_t child;

	wl_task_setup();
	m = open_pty(&s);
	if (m < 0 || pipe(ack))
		_exit(2);
	child = fork();
	if (!child) {
		struct termios tio;
		struct winsize ws;
		long n, end = 0;

		dup2(s, 1);
		close(s);
		close(m);
		close(ack[1]);
		for (n = 1; !end || n <= end; n++) {
			int len = snprintf(buf, sizeof(buf), "%ld\n", n);

			if (write(1, buf, len) != len || read(ack[0], &c, 1) != 1)
				_exit(3);
			if (!end && !access(dpath(dir, "go"), F_OK)) {
				/* the terminal as it was set before checkpoint */
				if (tcgetattr(1, &tio) || ioctl(1, TIOCGWINSZ, &ws))
					_exit(4);
				put_long(dpath(dir, "tio"),
					 !(tio.c_lflag & (ECHO | ICANON)) &&
					 !(tio.c_oflag & ONLCR) &&
					 tio.c_cc[VINTR] == 0x0b &&
					 ws.ws_row == PTY_ROWS &&
					 ws.ws_col == PTY_COLS);
				end = n + 50;
			}
		}
		/* the last line: 0 */
		if (write(1, "0\n", 2) != 2)
			_exit(3);
		_exit(0);
	}
	close(s);
	close(ack[0]);
	put_long(dpath(dir, "ready"), 1);
	while (1) {
		long v;
		int i = 0;

		/* one line: the child writes the next after our ack */
		do {
			if (read(m, &c, 1) != 1)
				_exit(5);
			buf[i++] = c;
		} while (c != '\n' && i < (int)sizeof(buf) - 1);
		buf[i] = 0;
		v = strtol(buf, NULL, 10);
		if (!v)
			break;
		if (v != want)
			_exit(6);
		got = v;
		want++;
		put_long(dpath(dir, "seen"), got);
		if (stop_unread && got == 20) {
			/* leave the next line unread in the pty */
			if (write(ack[1], "a", 1) != 1)
				_exit(7);
			pause();
		}
		/* the child is blocked until the ack: nothing in flight */
		sleep_ms(20);
		if (write(ack[1], "a", 1) != 1)
			_exit(8);
	}
	/* the child exited after its last line */
	waitpid(child, NULL, 0);
	put_long(dpath(dir, "done"), got);
	_exit(0);
}

static pid_t start_launcher(struct scratch *s, bool stop_unread)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (!pid)
		launcher(s->dir, stop_unread);
	return pid;
}

/* The launcher and its child go on through their pty after restart. */
TEST_F_TIMEOUT(pty, launcher_goes_on, 300)
{
	const char *img = spath(&self->s, "img");
	long seen, done, tio;
	struct img im = {};
	int fd, err, masters = 0, slaves = 0;
	const struct ckpt_hdr *h;
	pid_t top;

	self->pid = start_launcher(&self->s, false);
	ASSERT_LT(0, self->pid);
	ASSERT_TRUE(wait_long(spath(&self->s, "seen"), 30, &seen, CKPT_WAIT_MS));
	ASSERT_LT(0, take_retry(img, self->pid, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));
	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	self->pid = top;

	/* one PTY record, the master's FILE and the child's slave FILE */
	fd = open(img, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	EXPECT_EQ(NULL, img_check(&im, true)) {
		TH_LOG("%s", im.why);
	}
	EXPECT_EQ(1, img_count(&im, CKPT_REC_PTY));
	for (h = img_next(&im, NULL); h; h = img_next(&im, h)) {
		const struct ckpt_rec_file *f = (const void *)h;

		if (h->type != CKPT_REC_FILE)
			continue;
		masters += f->type == CKPT_FILE_PTY_MASTER;
		slaves += f->type == CKPT_FILE_PTY_SLAVE;
		EXPECT_NE(CKPT_FILE_EXTERNAL, f->type);
	}
	img_free(&im);
	EXPECT_EQ(1, masters);
	EXPECT_EQ(1, slaves);

	ASSERT_TRUE(get_long(spath(&self->s, "seen"), &seen));
	put_long(spath(&self->s, "go"), 1);
	ASSERT_TRUE(wait_long(spath(&self->s, "done"), 1, &done, 120000));
	ASSERT_TRUE(get_long(spath(&self->s, "tio"), &tio));
	EXPECT_EQ(1, tio) {
		TH_LOG("the terminal settings or size changed");
	}
	/* every line once, in order, 50 after "go" */
	EXPECT_LE(seen + 50, done);
	self->pid = 0;
	ASSERT_EQ(top, waitpid(top, NULL, 0));
}

/* Bytes the reader has not read yet would be lost: refused. */
TEST_F(pty, unread_data_refused)
{
	const char *img = spath(&self->s, "img");
	int err;

	self->pid = start_launcher(&self->s, true);
	ASSERT_LT(0, self->pid);
	ASSERT_TRUE(wait_long(spath(&self->s, "seen"), 20, NULL, CKPT_WAIT_MS));
	sleep_ms(300);
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EBUSY, err);
	EXPECT_TRUE(error_record_has(img, "pseudo-terminal with unread data"));
}

/* a process holding a pty (in packet mode if @packet): its number in "ptn" */
static void pty_holder(const char *dir, bool packet)
{
	int s, m, one = 1;
	unsigned int n;

	wl_task_setup();
	m = open_pty(&s);
	if (m < 0 || ioctl(m, TIOCGPTN, &n))
		_exit(2);
	if (packet && ioctl(m, TIOCPKT, &one))
		_exit(3);
	put_long(dpath(dir, "ptn"), n);
	put_long(dpath(dir, "ready"), 1);
	pause();
	_exit(0);
}

TEST_F(pty, packet_mode_refused)
{
	const char *img = spath(&self->s, "img");
	int err;

	fflush(stdout);
	self->pid = fork();
	if (!self->pid)
		pty_holder(self->s.dir, true);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	EXPECT_TRUE(error_record_has(img, "pseudo-terminal in packet mode"));
}

/* The test keeps the slave open too: the pty is not the image's alone. */
TEST_F(pty, slave_outside_refused)
{
	const char *img = spath(&self->s, "img");
	char name[64];
	int err, s;
	long n;

	fflush(stdout);
	self->pid = fork();
	if (!self->pid)
		pty_holder(self->s.dir, false);
	ASSERT_TRUE(wait_file(spath(&self->s, "ready"), CKPT_WAIT_MS));
	ASSERT_TRUE(get_long(spath(&self->s, "ptn"), &n));
	snprintf(name, sizeof(name), "/dev/pts/%ld", n);
	s = open(name, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, s);
	EXPECT_EQ(-1, take(img, self->pid, 0, &err));
	EXPECT_EQ(EOPNOTSUPP, err);
	EXPECT_TRUE(error_record_has(img, "slave is also open outside the image"));
	close(s);
	/* once the test closed it, the pty is the holder's own again */
	EXPECT_LT(0, take(img, self->pid, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
}

static bool is_pty(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_PTY;
}

static bool is_master(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_FILE &&
	       ((const struct ckpt_rec_file *)h)->type == CKPT_FILE_PTY_MASTER;
}

static bool is_slave(const struct ckpt_hdr *h, const struct ckpt_hdr *prev)
{
	return h->type == CKPT_REC_FILE &&
	       ((const struct ckpt_rec_file *)h)->type == CKPT_FILE_PTY_SLAVE;
}

/* Forged PTY and pty FILE records: EINVAL, no task left. */
TEST_F(pty, forged)
{
	const char *img = spath(&self->s, "img");
	const char *bad = spath(&self->s, "bad");
	__u32 v32;
	__u8 v8;
	int err;

	self->pid = start_launcher(&self->s, false);
	ASSERT_LT(0, self->pid);
	ASSERT_TRUE(wait_long(spath(&self->s, "seen"), 5, NULL, CKPT_WAIT_MS));
	ASSERT_LT(0, take_retry(img, self->pid, CHECKPOINT_KILL, &err)) {
		show_error_record(img);
	}
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	self->pid = 0;
	ASSERT_EQ(0, wait_no_tree_tasks(CKPT_WAIT_MS));

	v32 = 0x80;
	forge_and_expect(_metadata, img, bad, is_pty,
			 offsetof(struct ckpt_rec_pty, flags), &v32,
			 sizeof(v32), "PTY unknown flag");
	v8 = 2;
	forge_and_expect(_metadata, img, bad, is_pty,
			 offsetof(struct ckpt_rec_pty, c_line), &v8,
			 sizeof(v8), "PTY line discipline");
	v32 = O_RDONLY;
	forge_and_expect(_metadata, img, bad, is_master,
			 offsetof(struct ckpt_rec_file, f_flags), &v32,
			 sizeof(v32), "pty master read-only");
	v32 = O_RDWR | O_SYNC;
	forge_and_expect(_metadata, img, bad, is_slave,
			 offsetof(struct ckpt_rec_file, f_flags), &v32,
			 sizeof(v32), "pty slave O_SYNC");
	v32 = 5;
	forge_and_expect(_metadata, img, bad, is_slave,
			 offsetof(struct ckpt_rec_file, path_len), &v32,
			 sizeof(v32), "pty slave with a path length");
	v32 = 1;
	forge_and_expect(_metadata, img, bad, is_slave,
			 offsetof(struct ckpt_rec_file, obj_ref), &v32,
			 sizeof(v32), "pty slave naming another object");
	v32 = CKPT_FILE_PTY_MASTER;
	forge_and_expect(_metadata, img, bad, is_slave,
			 offsetof(struct ckpt_rec_file, type), &v32,
			 sizeof(v32), "a second master FILE");
}

TEST_HARNESS_MAIN
