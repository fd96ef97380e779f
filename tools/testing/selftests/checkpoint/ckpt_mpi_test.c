// SPDX-License-Identifier: GPL-2.0
/*
 * An unmodified Open MPI job as a container: mpirun and its 4 ranks (the
 * vader shared-memory transport over /dev/shm, PMIx's unix sockets and
 * shared files in the session directory, the runtime's progress threads,
 * epoll, eventfds, pipes and the ptys mpirun reads its ranks' output
 * from) in their own pid, ipc, uts and network namespaces.  Checkpointed
 * from outside part-way and killed, the job restarts from the image and
 * finishes with the answer of an uninterrupted run, bit for bit; so does
 * a job checkpointed while it keeps running, restarted from the same
 * image after it ended.  Skipped when Open MPI (mpirun) is not installed
 * or ckpt_mpi_wl was built without it.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>

#include "../kselftest_harness.h"
#include "ckpt_util.h"
#include "ckpt_wl.h"

#define MPI_RANKS	4
#define MPI_STEPS	600
#define MPI_CELLS	2000

FIXTURE(mpi) {
	struct scratch s;
	char prog[PATH_MAX + 32];
	pid_t u;
};

FIXTURE_SETUP(mpi)
{
	char exe[PATH_MAX];
	ssize_t n;

	scratch_init(&self->s);
	self->u = 0;
	if (!checkpoint_available())
		SKIP(return, "checkpoint(2)/restart(2) are not implemented");
	if (!have("/usr/bin/mpirun"))
		SKIP(return, "Open MPI is not installed (openmpi-bin)");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = 0;
	snprintf(self->prog, sizeof(self->prog), "%s/ckpt_mpi_wl", dirname(exe));
	if (!have(self->prog))
		SKIP(return, "built without libopenmpi-dev");
}

FIXTURE_TEARDOWN(mpi)
{
	if (self->u > 0) {
		kill(self->u, SIGKILL);
		waitpid(self->u, NULL, 0);
	}
	scratch_clean(&self->s);
}

/*
 * The job in a container, its output in @out: the init of the container
 * is a shell that becomes mpirun.  Returns the init's pid.
 */
static pid_t start_job(struct __test_metadata *_metadata, struct scratch *s,
		       const char *prog, const char *out, pid_t *u)
{
	char cmd[2 * PATH_MAX + 512];
	pid_t init;
	int n;

	unlink(out);
	n = snprintf(cmd, sizeof(cmd), "%s && cd %s && ",
		     "hostname ckpt-mpi && ip link set lo up", s->dir);
	n += snprintf(cmd + n, sizeof(cmd) - n, "PATH=%s HOME=%s %s ",
		      "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", s->dir,
		      "OMPI_MCA_btl=self,vader");
	n += snprintf(cmd + n, sizeof(cmd) - n, "exec mpirun %s -np %d ",
		      "--allow-run-as-root --oversubscribe", MPI_RANKS);
	snprintf(cmd + n, sizeof(cmd) - n, "%s %d %d %s", prog, MPI_STEPS,
		 MPI_CELLS, out);
	*u = fork();
	if (*u < 0)
		return -1;
	if (!*u) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		syscall(__NR_close_range, 3, ~0U, 0);
		setsid();
		execl("/usr/bin/unshare", "unshare", "--pid", "--ipc", "--uts",
		      "--net", "--fork", "/bin/sh", "-c", cmd, NULL);
		_exit(127);
	}
	/* the container's init: unshare's only child */
	init = 0;
	for (int i = 0; i < 500 && !init; i++) {
		struct dirent *d;
		DIR *dir = opendir("/proc");
		char ppid[16];

		while (dir && !init && (d = readdir(dir))) {
			pid_t pid = atoi(d->d_name);

			if (pid > 0 &&
			    proc_status(pid, "PPid", ppid, sizeof(ppid)) &&
			    atoi(ppid) == *u)
				init = pid;
		}
		if (dir)
			closedir(dir);
		if (!init)
			sleep_ms(20);
	}
	return init;
}

/* the number of "step" lines in @out, and the answer if it has one */
static long job_steps(const char *out, char *answer, size_t len)
{
	char line[256];
	long steps = 0;
	FILE *f = fopen(out, "r");

	if (answer)
		answer[0] = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "step ", 5))
			steps = atol(line + 5);
		else if (!strncmp(line, "answer ", 7) && answer)
			snprintf(answer, len, "%s", line + 7);
	}
	fclose(f);
	return steps;
}

static bool wait_steps(const char *out, long steps, int ms)
{
	long long deadline = now_ms() + ms;

	while (now_ms() < deadline) {
		if (job_steps(out, NULL, 0) >= steps)
			return true;
		sleep_ms(50);
	}
	return false;
}

static void wait_job(struct __test_metadata *_metadata, pid_t pid)
{
	int status;

	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		TH_LOG("job: status %#x", status);
	}
}

/* an uninterrupted run: its answer */
static void reference(struct __test_metadata *_metadata, struct scratch *s,
		      const char *prog, char *answer, size_t len)
{
	const char *out = spath(s, "ref.txt");
	pid_t u;

	ASSERT_LT(0, start_job(_metadata, s, prog, out, &u));
	wait_job(_metadata, u);
	EXPECT_EQ(MPI_STEPS, job_steps(out, answer, len));
	ASSERT_NE(0, answer[0]);
}

/*
 * What restart needs of the session directory that mpirun removed when
 * it ended: the directories of the files whose contents @img carries,
 * and the FIFOs it reopens by path (debugger_attach_fifo).
 */
static void make_dirs(struct __test_metadata *_metadata, const char *img)
{
	const struct ckpt_hdr *h;
	struct img im = {};
	char cmd[PATH_MAX + 64];
	int fd = open(img, O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, img_load_fd(fd, &im));
	close(fd);
	for (h = img_next(&im, NULL); h; h = img_next(&im, h)) {
		const struct ckpt_rec_filedata *d = (const void *)h;
		const struct ckpt_rec_file *f = (const void *)h;
		char path[PATH_MAX];
		const char *p;

		if (h->type == CKPT_REC_FILEDATA &&
		    !(d->flags & CKPT_FILEDATA_UNLINKED))
			p = (const char *)d->path;
		else if (h->type == CKPT_REC_FILE &&
			 f->type == CKPT_FILE_FIFO && f->path_len)
			p = (const char *)f->path;
		else
			continue;
		snprintf(path, sizeof(path), "%s", p);
		snprintf(cmd, sizeof(cmd), "mkdir -p -m 0700 '%s'",
			 dirname(path));
		EXPECT_EQ(0, system(cmd));
		if (h->type == CKPT_REC_FILE && access(p, F_OK))
			EXPECT_EQ(0, mkfifo(p, 0600));
	}
	img_free(&im);
}

/* restart @img, wait for the job and compare its answer with @want */
static void restart_and_compare(struct __test_metadata *_metadata,
				const char *img, const char *out,
				const char *want)
{
	char got[128];
	pid_t top;
	int err;

	top = restart_img(img, 0, 0, &err);
	ASSERT_LT(0, top) {
		TH_LOG("restart: %s", strerror(err));
	}
	wait_job(_metadata, top);
	EXPECT_EQ(MPI_STEPS, job_steps(out, got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

/* Checkpoint from outside part-way, kill, restart: the same answer. */
TEST_F_TIMEOUT(mpi, job_kill_restart, 280)
{
	const char *out = spath(&self->s, "out.txt");
	const char *img = spath(&self->s, "img");
	char want[128];
	long at;
	pid_t init;
	int err;

	reference(_metadata, &self->s, self->prog, want, sizeof(want));
	init = start_job(_metadata, &self->s, self->prog, out, &self->u);
	ASSERT_LT(0, init);
	ASSERT_TRUE(wait_steps(out, MPI_STEPS / 4, 120000));
	ASSERT_LT(0, take(img, init, CHECKPOINT_KILL, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	/* unshare dies of its child's signal */
	ASSERT_EQ(self->u, waitpid(self->u, NULL, 0));
	self->u = 0;
	at = job_steps(out, NULL, 0);
	EXPECT_GT(MPI_STEPS, at) {
		TH_LOG("the job had ended before it was killed");
	}
	TH_LOG("killed at step %ld of %d", at, MPI_STEPS);
	restart_and_compare(_metadata, img, out, want);
}

/*
 * Checkpoint while it keeps running; it ends with the answer; restarted
 * from the same image afterwards, it ends with the answer again.
 */
TEST_F_TIMEOUT(mpi, job_live_then_restart, 280)
{
	const char *out = spath(&self->s, "out.txt");
	const char *img = spath(&self->s, "img");
	char want[128], got[128];
	pid_t init;
	int err;

	reference(_metadata, &self->s, self->prog, want, sizeof(want));
	init = start_job(_metadata, &self->s, self->prog, out, &self->u);
	ASSERT_LT(0, init);
	ASSERT_TRUE(wait_steps(out, MPI_STEPS / 4, 120000));
	ASSERT_LT(0, take(img, init, 0, &err)) {
		TH_LOG("checkpoint: %s", strerror(err));
		show_error_record(img);
	}
	wait_job(_metadata, self->u);
	self->u = 0;
	EXPECT_EQ(MPI_STEPS, job_steps(out, got, sizeof(got)));
	EXPECT_STREQ(want, got);
	/*
	 * What the ended job changed or removed: its output file, which
	 * restart would not overwrite (EEXIST), and its session directory.
	 */
	ASSERT_EQ(0, rename(out, spath(&self->s, "out-first.txt")));
	make_dirs(_metadata, img);
	restart_and_compare(_metadata, img, out, want);
}

TEST_HARNESS_MAIN
