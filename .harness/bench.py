#!/usr/bin/python3
"""Guest side of `./harness bench`: checkpoint(2)/restart(2) against criu 3.17 and the copy floor.

Runs as root in the bench VM (cwd = the repo, writable: /tmp). For every workload and size N it does R runs;
each run, on fresh processes:
  ours   checkpoint(2) of the workload into a file on tmpfs (time of the call), the same into a pipe whose
         reader discards the bytes while a thread samples free memory (free pages plus the per-CPU free
         lists, from /proc/zoneinfo; largest drop = kernel memory needed),
         kill the workload, restart(2) from the file (time of the call), kill the restored process;
  criu   `criu dump -t PID -D DIR --shell-job` and `criu restore -D DIR --shell-job -d` (wall time; criu's own
         "Frozen time" from --display-stats as well);
  floor  write() of the workload's N MiB from a process's memory to a tmpfs file (one os.write), and read()
         of that file back (readv into fresh memory, then again into the same, now populated, memory).
Every figure is the median over the runs (7 where the floor copies <= 64 MiB, 5 up to 256 MiB, else 3); the
ratios are taken between those medians, in this boot. Before the runs, almost all guest RAM is touched once (QEMU
backs guest pages on first use), and a known allocation checks that the free-memory sampler sees it.

Adding a workload: write a start function (returns a Target whose root pid is what gets checkpointed) and
add a Workload(...) to WORKLOADS.

Environment: CKPT_WORKDIR (set by init.py); CKPT_BENCH_QUICK=1 (each workload's quick sizes, one run),
CKPT_BENCH_SIZES="1 64 ..." and CKPT_BENCH_RUNS=R override the sizes and the number of runs,
CKPT_BENCH_ONLY="W2 W4" runs only those workloads.
Output: the table and environment between @@CKPT-BENCH-REPORT-*@@ markers and the CSV between
@@CKPT-BENCH-CSV-*@@ markers (the harness copies both out of the console log). Exit status 0 when everything
was measured, 1 when a checkpoint, restart or criu step failed.
"""

import ctypes
import mmap
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import traceback

WORKDIR = os.environ.get("CKPT_WORKDIR", os.path.expanduser("~/.cache/linux-cr"))
TMP = "/tmp/bench"
IMG = TMP + "/ours.img"
CRIU_DIR = TMP + "/criu"
FLOOR_FILE = TMP + "/floor.bin"
QUICK = os.environ.get("CKPT_BENCH_QUICK") == "1"
T_START = time.monotonic()

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
PR_SET_CHILD_SUBREAPER = 36
CHECKPOINT_KILL = 0x1


def say(msg=""):
    print(msg, flush=True)


def elapsed():
    return "%4.0fs" % (time.monotonic() - T_START)


def syscall_nr(name):
    path = WORKDIR + "/hdr/include/asm/unistd_64.h"
    with open(path) as f:
        m = re.search(r"^#define __NR_%s\s+(\d+)\s*$" % name, f.read(), re.M)
    if not m:
        raise SystemExit("bench: __NR_%s not in %s" % (name, path))
    return int(m.group(1))


NR_CHECKPOINT = syscall_nr("checkpoint")
NR_RESTART = syscall_nr("restart")


def timed_syscall(nr, *args):
    """(return value, seconds) of syscall nr; OSError on failure."""
    cargs = [ctypes.c_long(a) for a in args]
    t0 = time.perf_counter()
    ret = libc.syscall(ctypes.c_long(nr), *cargs)
    t1 = time.perf_counter()
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % ("checkpoint" if nr == NR_CHECKPOINT else "restart", os.strerror(err)))
    return ret, t1 - t0


def meminfo(field):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def reap(pid, timeout=30):
    """Wait for our child (or adopted orphan) pid to be gone."""
    end = time.monotonic() + timeout
    while True:
        try:
            wpid, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            wpid = pid
        if wpid == pid or not os.path.exists("/proc/%d" % pid):
            return
        if time.monotonic() > end:
            raise RuntimeError("pid %d did not go away" % pid)
        time.sleep(0.02)


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    reap(pid)


def alive(pid):
    """pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def rss_anon_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------- workloads

class Target:
    """A started workload: pid is the process (tree root) that is checkpointed."""

    def __init__(self, popen, out):
        self.popen = popen
        self.pid = popen.pid
        self.out = out

    def wait_ready(self, timeout=600):
        end = time.monotonic() + timeout
        while True:
            try:
                with open(self.out) as f:
                    if "ready" in f.read():
                        return
            except FileNotFoundError:
                pass
            if self.popen.poll() is not None:
                raise RuntimeError("workload pid %d exited (%s) before it was ready: %s"
                                   % (self.pid, self.popen.returncode, open(self.out).read()[-500:]))
            if time.monotonic() > end:
                raise RuntimeError("workload pid %d not ready after %ds" % (self.pid, timeout))
            time.sleep(0.05)

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait()


def spawn(argv, tag):
    """Start argv in its own session, stdin /dev/null, stdout+stderr a file (criu --shell-job friendly)."""
    out = "%s/%s.out" % (TMP, tag)
    with open(out, "w") as f, open("/dev/null") as null:
        p = subprocess.Popen(argv, stdin=null, stdout=f, stderr=subprocess.STDOUT, cwd=TMP,
                             start_new_session=True, close_fds=True)
    return Target(p, out)


W1_SRC = r"""
import sys, time
n = int(sys.argv[1])
b = bytearray(n << 20)
b[::4096] = b"\x01" * (len(b) // 4096)   # write every page
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def w1_start(n):
    """W1: one python3 process holding n MiB of dirtied private anonymous memory."""
    return spawn([sys.executable, "-c", W1_SRC, str(n)], "w1-%d" % n)


W1U_SRC = r"""
import mmap, sys, time
m = mmap.mmap(-1, int(sys.argv[1]) << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def w1u_start(n):
    """W1u: one python3 process with n MiB of private anonymous memory mapped and never touched."""
    return spawn([sys.executable, "-c", W1U_SRC, str(n)], "w1u-%d" % n)


WE_SRC = r"""
import os, resource, select, sys, time
n = int(sys.argv[1])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, n + 64)), hard))
ep = select.epoll()
fds = [os.eventfd(0, os.EFD_NONBLOCK) for _ in range(n)]
for i, fd in enumerate(fds):
    ep.register(fd, select.EPOLLIN | (select.EPOLLET if i % 2 else 0))
    if i % 3 == 0:
        os.eventfd_write(fd, i + 1)
r, w = os.pipe()
ep.register(r, select.EPOLLIN)
print("ready", flush=True)
while True:
    ep.poll(3600)
"""


def we_start(n):
    """WE: one python3 process blocked in epoll_wait() on an epoll of n eventfds and a pipe."""
    return spawn([sys.executable, "-c", WE_SRC, str(n)], "we-%d" % n)


W5_SRC = r"""
import ctypes, os, signal, socket, sys, time
libc = ctypes.CDLL(None, use_errno=True)
n, q, uq = int(sys.argv[1]), 64 << 10, 4 << 10
if libc.unshare(0x20000000):            # CLONE_NEWPID: the next child is init of a container
    raise OSError(ctypes.get_errno(), "unshare")
init = os.fork()
if init:
    print("init", init, flush=True)
    os.waitpid(init, 0)
    sys.exit(0)
os.setsid()                             # the session of the container is its own (criu requires it)
# init: the clients; its child: the servers (TCP on the loopback, unix on an abstract name)
tl = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tl.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tl.bind(("127.0.0.1", 0))
tl.listen(n)
ul = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ul.bind("\0ckpt-bench-w5-%d" % os.getppid())
ul.listen(n)
rd, wr = os.pipe()
if os.fork() == 0:                      # the server
    os.close(rd)
    conns = []
    for i in range(n):
        c, _ = tl.accept()
        c.sendall(b"s" * q)             # 64 KiB to the client, which does not read it
        conns.append(c)
    for i in range(n):
        c, _ = ul.accept()
        c.sendall(b"u" * uq)
        conns.append(c)
    os.write(wr, b"x")
    while True:
        signal.pause()
os.close(wr)
clients = []
for i in range(n):
    c = socket.create_connection(tl.getsockname())
    c.sendall(b"c" * q)                 # 64 KiB to the server, which does not read it
    clients.append(c)
for i in range(n):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(ul.getsockname())
    c.sendall(b"v" * uq)
    clients.append(c)
tl.close()
ul.close()
os.read(rd, 1)
time.sleep(0.5)                         # the last segments acknowledged
print("ready", flush=True)
while True:
    signal.pause()
"""


class ContainerTarget(Target):
    """A workload whose launcher prints "init PID": the init of its pid namespace is what is checkpointed."""

    def wait_ready(self, timeout=600):
        Target.wait_ready(self, timeout)
        with open(self.out) as f:
            m = re.search(r"^init (\d+)$", f.read(), re.M)
        if not m:
            raise RuntimeError("workload did not say its init's pid")
        self.pid = int(m.group(1))

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait()


def w5_start(n):
    """W5: a container of two processes: n loopback TCP connections with 64 KiB queued both ways, and a
    unix-socket server with n clients (4 KiB queued both ways)."""
    out = "%s/w5-%d.out" % (TMP, n)
    with open(out, "w") as f, open("/dev/null") as null:
        p = subprocess.Popen([sys.executable, "-c", W5_SRC, str(n)], stdin=null, stdout=f,
                             stderr=subprocess.STDOUT, cwd=TMP, start_new_session=True, close_fds=True)
    return ContainerTarget(p, out)


# C workloads, built in the guest (gcc from the host root) at the start of the bench
C_SRC = {
    # W2: argv[1] processes in a new pid namespace (its init and the others), argv[2] KiB dirtied each;
    # WS: with argv[3], also a new ipc namespace whose init attaches and writes a SysV segment of that many MiB
    "w2": r"""
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/shm.h>
#include <sys/wait.h>
static char *volatile keep;	/* so that the compiler keeps the memory */
static void dirty(long kib) { keep = malloc(kib << 10); memset(keep, 1, kib << 10); }
int main(int argc, char **argv)
{
	long n = atol(argv[1]), kib = atol(argv[2]), i;
	size_t shm = argc > 3 ? (size_t)atol(argv[3]) << 20 : 0;
	int p[2];
	pid_t init;
	char c;

	if (pipe(p) || unshare(CLONE_NEWPID | (shm ? CLONE_NEWIPC : 0)))
		return 1;
	init = fork();
	if (!init) {
		setsid();	/* the session of the container is its own */
		if (shm) {
			int id = shmget(IPC_PRIVATE, shm, IPC_CREAT | 0600);
			char *a = id < 0 ? (char *)-1 : shmat(id, NULL, 0);

			if (a == (char *)-1)
				_exit(1);
			memset(a, 1, shm);
		}
		for (i = 1; i < n; i++) {
			if (!fork()) {
				dirty(kib);
				if (write(p[1], "x", 1) != 1)
					_exit(1);
				for (;;)
					pause();
			}
		}
		dirty(kib);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	for (i = 0; i < n; i++)
		if (read(p[0], &c, 1) != 1)
			return 1;
	printf("ready %d\n", init);
	fflush(stdout);
	waitpid(init, NULL, 0);
	return 0;
}
""",
    # W3/W4: argv[1] MiB dirtied in malloc()ed arrays of at most 64 MiB, argv[2] threads waiting
    "wthreads": r"""
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static void *idle(void *arg) { for (;;) pause(); return arg; }
static char *volatile keep;	/* so that the compiler keeps the memory */
int main(int argc, char **argv)
{
	long mib = atol(argv[1]), nthr = atol(argv[2]), i;
	pthread_t t;

	for (; mib > 0; mib -= 64) {
		size_t len = (mib < 64 ? mib : 64) << 20;
		keep = malloc(len);
		if (!keep)
			return 1;
		memset(keep, 1, len);
	}
	for (i = 0; i < nthr; i++)
		if (pthread_create(&t, NULL, idle, NULL))
			return 1;
	printf("ready\n");
	fflush(stdout);
	for (;;)
		pause();
}
""",
}


MPI_SRC = os.path.join(os.environ.get("CKPT_REPO", os.getcwd()),
                       "tools/testing/selftests/checkpoint/ckpt_mpi_wl.c")


def build_c():
    """Compile the C workloads into TMP (and the MPI program, if mpicc is there)."""
    for name, src in C_SRC.items():
        path = "%s/%s.c" % (TMP, name)
        with open(path, "w") as f:
            f.write(src)
        subprocess.run(["gcc", "-O2", "-pthread", "-o", "%s/%s" % (TMP, name), path], check=True)
    if shutil.which("mpicc") and shutil.which("mpirun"):
        subprocess.run(["mpicc", "-O2", "-o", TMP + "/mpi_wl", MPI_SRC], check=True)


def ready_init(t):
    """A launcher that prints "ready PID" once its container is: the target is the container's init."""
    t.wait_ready()
    with open(t.out) as f:
        t.pid = int(f.read().split()[1])
    return t


def w2_start(n):
    """W2: n processes in a pid namespace, 1 MiB dirtied each; the target is the namespace's init."""
    return ready_init(spawn([TMP + "/w2", str(n), "1024"], "w2-%d" % n))


def ws_start(n):
    """WS: the init of a container (pid and ipc namespaces) with a written SysV segment of n MiB."""
    return ready_init(spawn([TMP + "/w2", "1", "0", str(n)], "ws-%d" % n))


# W6: a 4-rank Open MPI job (mpirun, its daemon and the ranks) in a container with its own pid, ipc, uts and
# network namespaces, the ranks exchanging through the vader shared-memory transport; argv: MiB per rank, the
# job's output file, the cgroup to run in ("" for none).  Ready after the job's second step: by then every
# rank has written all its memory.
W6_SRC = r"""
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
mib, out, cg, prog, net = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1"
if cg:
    with open(cg + "/cgroup.procs", "w") as f:
        f.write(str(os.getpid()))
# NEWPID NEWIPC NEWUTS, and NEWNET
if libc.unshare(0x20000000 | 0x08000000 | 0x04000000 | (0x40000000 if net else 0)):
    raise OSError(ctypes.get_errno(), "unshare")
cells = max(1024, (mib << 20) // 16)    # two arrays of doubles
init = os.fork()
if init == 0:
    os.setsid()                         # the session of the container is its own (criu requires it)
    os.execv("/bin/sh", ["sh", "-c", "hostname w6 && %sOMPI_MCA_btl=self,vader "
             "exec mpirun --allow-run-as-root --oversubscribe -np 4 %s 1000000000 %d %s"
             % ("ip link set lo up && " if net else "", prog, cells, out)])
print("init", init, flush=True)
while True:
    try:
        with open(out) as f:
            if f.read().count("step") >= 2:
                break
    except FileNotFoundError:
        pass
    if os.waitpid(init, os.WNOHANG)[0]:
        sys.exit("the job ended before it was ready")
    time.sleep(0.1)
print("ready", flush=True)
os.waitpid(init, 0)
"""

CG_W6 = "/sys/fs/cgroup/bench-w6"


def w6_launch(n, cg, net=True):
    job = "%s/w6-%d.job" % (TMP, n)
    try:
        os.unlink(job)
    except FileNotFoundError:
        pass
    out = "%s/w6-%d%s.out" % (TMP, n, "-anon" if cg else "")
    with open(out, "w") as f, open("/dev/null") as null:
        p = subprocess.Popen([sys.executable, "-c", W6_SRC, str(n), job, cg, TMP + "/mpi_wl", "1" if net else "0"],
                             stdin=null,
                             stdout=f, stderr=subprocess.STDOUT, cwd=TMP, start_new_session=True,
                             close_fds=True, env=dict(os.environ, HOME=TMP))
    return ContainerTarget(p, out)


def w6_start(n):
    """W6: a 4-rank Open MPI job with n MiB per rank in a container, nothing excluded."""
    if not os.path.exists(TMP + "/mpi_wl"):
        raise RuntimeError("no mpicc/mpirun: Open MPI is not installed")
    return w6_launch(n, "")


def w6h_start(n):
    """W6h: the W6 job in pid, ipc and uts namespaces, on the host's network (criu dumps no net namespace
    here: its netlink dump of one fails on this kernel)."""
    if not os.path.exists(TMP + "/mpi_wl"):
        raise RuntimeError("no mpicc/mpirun: Open MPI is not installed")
    return w6_launch(n, "", net=False)


def w6anon_start(n):
    """W6anon: the same job in a cgroup whose cr.exclude is anon."""
    if not os.path.exists(TMP + "/mpi_wl"):
        raise RuntimeError("no mpicc/mpirun: Open MPI is not installed")
    exclude_cgroup(CG_W6, "anon")
    return w6_launch(n, CG_W6)


def w3_start(n):
    """W3: one process with n threads (and 1 MiB dirtied)."""
    return spawn([TMP + "/wthreads", "1", str(n)], "w3-%d" % n)


CG_W4 = "/sys/fs/cgroup/bench-w4"


def exclude_cgroup(path, mask):
    """A cgroup whose cr.exclude is mask (the cr controller enabled at the root)."""
    if not os.path.isdir(path):
        with open("/sys/fs/cgroup/cgroup.subtree_control", "w") as f:
            f.write("+cr")
        os.mkdir(path)
    with open(path + "/cr.exclude", "w") as f:
        f.write(mask)


def w4_start(n):
    """W4: n MiB dirtied in malloc()ed arrays and 8 threads, in a cgroup with cr.exclude = anon."""
    exclude_cgroup(CG_W4, "anon")
    t = spawn([TMP + "/wthreads", str(n), "8"], "w4-%d" % n)
    with open(CG_W4 + "/cgroup.procs", "w") as f:
        f.write(str(t.pid))
    return t


def w4full_start(n):
    """W4full: the same process, nothing excluded."""
    return spawn([TMP + "/wthreads", str(n), "8"], "w4full-%d" % n)


class Workload:
    def __init__(self, name, desc, start, sizes, quick_sizes, floor_mib, ckpt_flags=0, criu_args=(),
                 runs=None, anon_mib=None, must_live=True):
        self.name, self.desc, self.start = name, desc, start
        self.sizes, self.quick_sizes, self.floor_mib = sizes, quick_sizes, floor_mib
        self.ckpt_flags, self.criu_args = ckpt_flags, list(criu_args)
        self.runs = runs  # None: by the floor's size
        # the RssAnon the restored target must have at least, in MiB, for size n (default: the floor's)
        self.anon_mib = anon_mib or floor_mib
        # whether the restored target must be alive just after restart (not when its memory was excluded)
        self.must_live = must_live


# One entry per workload: name, description, start(n) -> Target, the sizes n (all, quick mode), and the
# MiB that the write()/read() floor copies for size n (0: no floor).
WORKLOADS = [
    Workload("W1", "one python3 process, N MiB dirtied private anonymous memory", w1_start,
             [1, 64, 256, 1024], [1, 64], lambda n: n),
    Workload("W1u", "one python3 process, N MiB private anonymous memory mapped, never touched", w1u_start,
             [1024], [1024], lambda n: 0),
    Workload("WE", "one python3 process blocked in epoll_wait() on an epoll over N eventfds (every other one"
             " edge-triggered, a third of them ready) and a pipe; N counts fds, not MiB", we_start,
             [1000], [200], lambda n: 0),
    # N is the number of TCP connections and of unix clients here, not MiB; checkpoint kills the container
    # (CHECKPOINT_KILL), as criu dump does, so that both restart the connections on free ports
    Workload("W5", "a container (pid namespace) with N established loopback TCP connections (64 KiB queued "
             "both ways) and a unix-socket server with N clients (4 KiB queued both ways)", w5_start,
             [100], [100], lambda n: 0, ckpt_flags=CHECKPOINT_KILL,
             criu_args=["--tcp-established", "--network-lock", "nftables"]),
    Workload("W2", "N processes in a pid namespace (a container), 1 MiB dirtied each (N is processes)",
             w2_start, [100, 200], [100, 200], lambda n: 0),
    Workload("W3", "one process with N threads, 1 MiB dirtied (N is threads)", w3_start, [1, 64], [1, 64],
             lambda n: 0),
    Workload("W4", "N MiB dirtied in malloc()ed arrays and 8 threads, cr.exclude = anon", w4_start,
             [1, 1024], [1, 256], lambda n: 0),
    Workload("W4full", "the W4 process, nothing excluded", w4full_start, [1024], [256], lambda n: 0),
    Workload("WS", "a container (pid and ipc namespaces) whose init has a SysV segment of N MiB attached "
             "and written", ws_start, [1024], [256], lambda n: n, runs=3, anon_mib=lambda n: 0),
    # N is MiB per rank; criu needs its network lock and the TCP repair of the runtime's loopback sockets.
    # Checkpoint kills the job, as criu dump does: its files on tmpfs (the vader segments, the session
    # directory, its output) stay as the image has them, and restart finds them identical.
    Workload("W6", "a 4-rank Open MPI job (mpirun, orted, 4 ranks, vader shared memory) in a container with "
             "its own pid, ipc, uts and net namespaces, N MiB per rank", w6_start, [1, 256], [1, 64],
             lambda n: 0, ckpt_flags=CHECKPOINT_KILL,
             criu_args=["--tcp-established", "--network-lock", "nftables"], runs=3),
    Workload("W6h", "the W6 job without its own network namespace (on the host's loopback)", w6h_start,
             [1, 256], [1, 64], lambda n: 0, ckpt_flags=CHECKPOINT_KILL,
             criu_args=["--tcp-established"], runs=3),
    # its ranks come back without their private anonymous memory (the runtime's pattern reloads it; this
    # job does not), so they may die after restart: what counts here is the checkpoint
    Workload("W6anon", "the W6 job in a cgroup whose cr.exclude is anon", w6anon_start, [256], [64],
             lambda n: 0, ckpt_flags=CHECKPOINT_KILL, must_live=False,
             criu_args=["--tcp-established", "--network-lock", "nftables"], runs=3),
]


def runs_for(w, n):
    """More runs where a run is cheap: small times are the noisiest under TCG."""
    if os.environ.get("CKPT_BENCH_RUNS"):
        return int(os.environ["CKPT_BENCH_RUNS"])
    mib = w.floor_mib(n)
    if QUICK:
        return 1
    return w.runs or (7 if mib <= 64 else 5 if mib <= 256 else 3)


def sizes_for(w):
    if os.environ.get("CKPT_BENCH_SIZES"):
        return [int(x) for x in os.environ["CKPT_BENCH_SIZES"].split()]
    return w.quick_sizes if QUICK else w.sizes


# ---------------------------------------------------------------- measurements

FREE_RE = re.compile(rb"(?:pages free|count:)\s+(\d+)")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_kib(fd):
    """Free memory in KiB: the free pages of every zone plus those on the per-CPU free lists (from
    /proc/zoneinfo open at fd). MemFree alone misses the per-CPU lists, which hold several MiB per CPU:
    allocations served from them do not show in MemFree."""
    chunks = []
    off = 0
    while True:
        data = os.pread(fd, 65536, off)
        if not data:
            break
        chunks.append(data)
        off += len(data)
    return sum(int(x) for x in FREE_RE.findall(b"".join(chunks))) * PAGE_KIB


class FreeSampler:
    """with FreeSampler() as m: ...  -> m.drop_kib: largest drop of free memory below the value just before.

    A thread samples free_kib() in a tight loop (ctypes drops the GIL while the body is in a system call)."""

    def __enter__(self):
        self.fd = os.open("/proc/zoneinfo", os.O_RDONLY)
        self.stop = threading.Event()
        self.started = threading.Event()
        self.low, self.samples = None, 0
        self.thread = threading.Thread(target=self._run)
        self.thread.start()
        self.started.wait()
        time.sleep(0.05)
        self.base = free_kib(self.fd)
        return self

    def _run(self):
        fd = os.open("/proc/zoneinfo", os.O_RDONLY)
        self.started.set()
        while not self.stop.is_set():
            v = free_kib(fd)
            if self.low is None or v < self.low:
                self.low = v
            self.samples += 1
        os.close(fd)

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.drop_kib = max(0, self.base - min(self.low, free_kib(self.fd)))
        os.close(self.fd)
        return False


def sampler_check(mib=4):
    """What the free-memory sampler shows for a known allocation: mib MiB written to a new tmpfs file."""
    buf = bytearray(mib << 20)
    path = TMP + "/sampler-check"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with FreeSampler() as m:
        os.write(fd, buf)
    os.close(fd)
    os.unlink(path)
    return "%d MiB written to tmpfs shows as a drop of %d KiB (%d samples)" % (mib, m.drop_kib, m.samples)


def ours_kmem(pid):
    """Checkpoint pid into a pipe drained by a child; return (largest free memory drop in KiB, samples, bytes,
    seconds the call took)."""
    rfd, wfd = os.pipe()
    count_r, count_w = os.pipe()
    reader = os.fork()
    if reader == 0:  # discard everything, without touching user memory
        code = 0
        try:
            os.close(wfd)
            os.close(count_r)
            null = os.open("/dev/null", os.O_WRONLY)
            total = 0
            while True:
                n = os.splice(rfd, null, 1 << 20)
                if n == 0:
                    break
                total += n
            os.write(count_w, str(total).encode())
        except BaseException:  # noqa: B036 - the child must never return
            traceback.print_exc()
            code = 1
        os._exit(code)
    os.close(rfd)
    os.close(count_w)
    try:
        settle()
        with FreeSampler() as m:
            _, dt = timed_syscall(NR_CHECKPOINT, pid, wfd, 0)
    finally:
        os.close(wfd)
        total = os.read(count_r, 64)
        os.close(count_r)
        _, st = os.waitpid(reader, 0)
    if st != 0 or not total:
        raise RuntimeError("pipe reader failed")
    return m.drop_kib, m.samples, int(total), dt


def cpu_idle():
    """(idle, total) CPU time of the guest so far, in USER_HZ ticks, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return v[3] + v[4], sum(v)


SETTLE_TIMEOUTS = []


def settle(busy_max=0.1, calm=0.3, limit=15.0):
    """Wait until the guest's CPUs have been idle for `calm` seconds (at most `limit`): criu, the killed
    workloads and python's start leave work behind (namespace teardown in kworkers, exits, page freeing)
    that would otherwise be charged to whatever is timed next."""
    t0 = time.monotonic()
    idle0, all0 = cpu_idle()
    calm_since = None
    while time.monotonic() - t0 < limit:
        time.sleep(0.1)
        idle1, all1 = cpu_idle()
        busy = 1 - (idle1 - idle0) / max(1, all1 - all0)
        idle0, all0 = idle1, all1
        now = time.monotonic()
        if busy > busy_max:
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= calm:
            return
    SETTLE_TIMEOUTS.append(time.monotonic())
    say("  WARNING: the guest stayed busy for %.0f s before a measurement" % limit)


def measure_ours(w, n, r):
    t = w.start(n)
    try:
        t.wait_ready()
        if w.ckpt_flags:  # the timed checkpoint kills it: measure the pipe first
            kmem, samples, piped, pipe_dt = ours_kmem(t.pid)
        settle()
        fd = os.open(IMG, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _, ckpt = timed_syscall(NR_CHECKPOINT, t.pid, fd, w.ckpt_flags)
        finally:
            os.close(fd)
        size = os.stat(IMG).st_size
        if not w.ckpt_flags:
            kmem, samples, piped, pipe_dt = ours_kmem(t.pid)
    finally:
        t.kill()
    fd = os.open(IMG, os.O_RDONLY)
    settle()
    try:
        pid, rst = timed_syscall(NR_RESTART, 0, fd, 0)
    finally:
        os.close(fd)
    try:
        anon = rss_anon_kib(pid)
        time.sleep(0.2)
        if w.must_live and not alive(pid):
            raise RuntimeError("restored pid %d died right after restart" % pid)
        if anon < w.anon_mib(n) * 1024:
            say("  WARNING: restored pid %d has RssAnon %d KiB < %d MiB" % (pid, anon, w.anon_mib(n)))
    finally:
        kill(pid)
    os.unlink(IMG)
    say("  %s %s N=%-4d run %d ours: checkpoint %8.1f ms, restart %8.1f ms, image %.1f MiB, "
        "kmem drop %d KiB (%d samples, %d bytes piped in %.1f ms)"
        % (elapsed(), w.name, n, r, ckpt * 1e3, rst * 1e3, size / 2**20, kmem, samples, piped, pipe_dt * 1e3))
    return {"ckpt_ms": ckpt * 1e3, "restart_ms": rst * 1e3, "image_mib": size / 2**20, "kmem_kib": kmem,
            "ckpt_pipe_ms": pipe_dt * 1e3}


def criu_stat(out, name):
    m = re.search(r"^%s:\s*(\d+)\s*us" % re.escape(name), out, re.M)
    return int(m.group(1)) / 1e3 if m else None


def run_criu(args, log):
    cmd = ["criu"] + args + ["-o", log, "--display-stats"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        say(p.stdout)
        try:
            with open(log) as f:
                say("".join(f.readlines()[-40:]))
        except OSError:
            pass
        raise RuntimeError("%s failed with status %d (log %s)" % (" ".join(cmd[:2]), p.returncode, log))
    return dt, p.stdout


def measure_criu(w, n, r):
    shutil.rmtree(CRIU_DIR, ignore_errors=True)
    os.makedirs(CRIU_DIR)
    t = w.start(n)
    try:
        t.wait_ready()
        settle()
        dump, out = run_criu(["dump", "-t", str(t.pid), "-D", CRIU_DIR, "--shell-job"] + w.criu_args,
                             TMP + "/criu-dump.log")
    finally:
        t.kill()  # criu dump killed it already: reap it so that its pid is free for the restore
    frozen = criu_stat(out, "Frozen time")
    size = sum(os.path.getsize(os.path.join(CRIU_DIR, f)) for f in os.listdir(CRIU_DIR) if f.endswith(".img"))
    settle()
    restore, out = run_criu(["restore", "-D", CRIU_DIR, "--shell-job", "-d", "--pidfile", CRIU_DIR + "/pid"]
                            + w.criu_args, TMP + "/criu-restore.log")
    with open(CRIU_DIR + "/pid") as f:
        pid = int(f.read())  # in a new pid namespace (W2) its pid is not the original's
    try:
        if not alive(pid):
            raise RuntimeError("criu restore: pid %d is not running" % pid)
    finally:
        kill(pid)  # this process is a child subreaper: the detached restored task is our child now
    shutil.rmtree(CRIU_DIR)
    say("  %s %s N=%-4d run %d criu: dump %8.1f ms (frozen %s ms), restore %8.1f ms, image %.1f MiB"
        % (elapsed(), w.name, n, r, dump * 1e3, "%.1f" % frozen if frozen is not None else "?",
           restore * 1e3, size / 2**20))
    return {"criu_dump_ms": dump * 1e3, "criu_frozen_ms": frozen, "criu_restore_ms": restore * 1e3,
            "criu_image_mib": size / 2**20}


FLOOR_SRC = r"""
import mmap, os, signal, sys, time
def settled():  # stop; the bench continues us once the guest is quiet
    os.kill(os.getpid(), signal.SIGSTOP)
n, path = int(sys.argv[1]) << 20, sys.argv[2]
b = bytearray(n)
b[::4096] = b"\x01" * (n // 4096)
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
settled()
t0 = time.perf_counter()
w = os.write(fd, b)
t1 = time.perf_counter()
os.close(fd)
assert w == n, w
del b
m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)  # fresh memory: read() faults it in
res = [t1 - t0]
for i in range(2):  # into fresh memory, then into the same, now populated, memory
    fd = os.open(path, os.O_RDONLY)
    settled()
    t0 = time.perf_counter()
    got = os.readv(fd, [m])
    t1 = time.perf_counter()
    os.close(fd)
    assert got == n, got
    res.append(t1 - t0)
print(" ".join("%.6f" % x for x in res))
"""


def measure_floor(w, n, r):
    mib = w.floor_mib(n)
    if not mib:
        return {}
    with open(TMP + "/floor.out", "w+") as out:
        p = subprocess.Popen([sys.executable, "-c", FLOOR_SRC, str(mib), FLOOR_FILE], stdin=subprocess.DEVNULL,
                             stdout=out)
        while True:  # it stops itself before each timed call: continue it once the guest is quiet
            _, st = os.waitpid(p.pid, os.WUNTRACED)
            if not os.WIFSTOPPED(st):
                break
            settle()
            os.kill(p.pid, signal.SIGCONT)
        p.returncode = os.waitstatus_to_exitcode(st)
        if p.returncode:
            raise RuntimeError("floor measurement exited with status %d" % p.returncode)
        out.seek(0)
        res = out.read()
    os.unlink(FLOOR_FILE)
    wr, rd_fresh, rd = (float(x) * 1e3 for x in res.split())
    say("  %s %s N=%-4d run %d floor: write %8.1f ms, read %8.1f ms (into fresh memory %.1f ms)"
        % (elapsed(), w.name, n, r, wr, rd, rd_fresh))
    return {"write_ms": wr, "read_ms": rd, "read_fresh_ms": rd_fresh}


MEASURES = [("ours", measure_ours), ("criu", measure_criu), ("floor", measure_floor)]

COLUMNS = ["workload", "n_mib", "runs",
           "ckpt_ms", "restart_ms", "image_mib", "kmem_kib", "kmem_max_kib", "ckpt_pipe_ms",
           "criu_dump_ms", "criu_frozen_ms", "criu_restore_ms", "criu_image_mib",
           "write_ms", "read_ms", "read_fresh_ms",
           "ckpt_vs_criu_dump", "restart_vs_criu_restore", "ckpt_vs_write", "restart_vs_read",
           "restart_vs_read_fresh", "failed"]


def median(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return a / b if a is not None and b else None


def bench(w, n):
    runs = runs_for(w, n)
    samples, failed = {}, []
    for r in range(1, runs + 1):
        for name, fn in MEASURES:
            if name in failed:
                continue
            try:
                for k, v in fn(w, n, r).items():
                    samples.setdefault(k, []).append(v)
            except Exception as e:  # noqa: BLE001 - report, go on with the other measurements
                traceback.print_exc()
                say("  %s %s N=%d run %d %s: FAILED: %s" % (elapsed(), w.name, n, r, name, e))
                failed.append(name)
    row = {"workload": w.name, "n_mib": n, "runs": runs, "failed": " ".join(failed)}
    for k, v in samples.items():
        row[k] = median(v)
    row["kmem_max_kib"] = max(samples["kmem_kib"]) if samples.get("kmem_kib") else None
    row["ckpt_vs_criu_dump"] = ratio(row.get("ckpt_ms"), row.get("criu_dump_ms"))
    row["restart_vs_criu_restore"] = ratio(row.get("restart_ms"), row.get("criu_restore_ms"))
    row["ckpt_vs_write"] = ratio(row.get("ckpt_ms"), row.get("write_ms"))
    row["restart_vs_read"] = ratio(row.get("restart_ms"), row.get("read_ms"))
    row["restart_vs_read_fresh"] = ratio(row.get("restart_ms"), row.get("read_fresh_ms"))
    return row


# ---------------------------------------------------------------- environment, report

def run_out(argv):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        return p.stdout.strip()
    except OSError as e:
        return str(e)


def environment():
    u = os.uname()
    model, flags = "?", set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k.strip() == "model name" and model == "?":
                model = v.strip()
            elif k.strip() == "flags" and not flags:
                flags = set(v.split())
    want = ["sse4_2", "avx", "avx2", "avx512f", "xsave", "xsaveopt", "xsavec", "xsaves", "fsgsbase", "pku",
            "hypervisor"]
    accel = "QEMU TCG" if "TCG" in model else ("QEMU (not TCG?)" if "QEMU" in model else "unknown")
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            thp = f.read().strip()
    except OSError:
        thp = "not built"
    return [
        ("kernel", "%s %s" % (u.release, u.version)),
        ("cpus", "%d (nproc)" % os.cpu_count()),
        ("cpu model", model),
        ("cpu flags", " ".join(f if f in flags else "-" + f for f in want)),
        ("accelerator", accel + " (the harness boots qemu -accel tcg -cpu max)"),
        ("MemTotal", "%d MiB" % (meminfo("MemTotal") // 1024)),
        ("transparent hugepages", thp),
        ("criu", run_out(["criu", "--version"]).replace("\n", " ")),
        ("python3", sys.version.split()[0]),
        ("syscalls", "__NR_checkpoint=%d __NR_restart=%d" % (NR_CHECKPOINT, NR_RESTART)),
        ("mode", ("quick" if QUICK else "full") + ", runs per size: "
         + ", ".join("%s N=%d: %d" % (w.name, n, runs_for(w, n)) for w in WORKLOADS for n in sizes_for(w))),
    ]


def fmt(v, spec):
    if v is None:
        return "-"
    return spec % v


TABLES = [  # (title, [(header, column, format)])
    ("times (ms) and sizes", [
        ("N MiB", "n_mib", "%d"),
        ("ckpt", "ckpt_ms", "%.1f"),
        ("restart", "restart_ms", "%.1f"),
        ("image MiB", "image_mib", "%.1f"),
        ("kmem KiB", "kmem_kib", "%d"),
        ("(max)", "kmem_max_kib", "%d"),
        ("criu dump", "criu_dump_ms", "%.1f"),
        ("(frozen)", "criu_frozen_ms", "%.1f"),
        ("criu restore", "criu_restore_ms", "%.1f"),
        ("criu MiB", "criu_image_mib", "%.1f"),
        ("write", "write_ms", "%.1f"),
        ("read", "read_ms", "%.1f"),
        ("(fresh)", "read_fresh_ms", "%.1f"),
    ]),
    ("ratios (ours / other)", [
        ("N MiB", "n_mib", "%d"),
        ("ckpt/criu dump", "ckpt_vs_criu_dump", "%.3f"),
        ("restart/criu restore", "restart_vs_criu_restore", "%.3f"),
        ("ckpt/write", "ckpt_vs_write", "%.2f"),
        ("restart/read", "restart_vs_read", "%.2f"),
        ("restart/read fresh", "restart_vs_read_fresh", "%.2f"),
    ]),
]


def report(env, rows, total):
    lines = ["Checkpoint/restart benchmark (medians; times in ms; one boot)", ""]
    lines += ["  %-22s %s" % (k + ":", v) for k, v in env]
    lines.append("")
    for w in WORKLOADS:
        wrows = [r for r in rows if r["workload"] == w.name]
        if not wrows:
            continue
        lines.append("%s: %s" % (w.name, w.desc))
        for title, table in TABLES:
            lines.append("  " + title)
            cells = [[h for h, _, _ in table]] + [[fmt(r.get(c), f) for _, c, f in table] for r in wrows]
            widths = [max(len(row[i]) for row in cells) for i in range(len(table))]
            for i, row in enumerate(cells):
                lines.append("  " + "  ".join(c.rjust(wd) for c, wd in zip(row, widths)))
                if i == 0:
                    lines.append("  " + "  ".join("-" * wd for wd in widths))
        for r in wrows:
            if r["failed"]:
                lines.append("  N=%d: FAILED: %s" % (r["n_mib"], r["failed"]))
        lines.append("")
    lines += [
        "ckpt/restart: duration of the checkpoint(2)/restart(2) call (image in a tmpfs file); kmem: largest",
        "drop of free memory (free + per-CPU list pages, /proc/zoneinfo) while checkpointing into a pipe whose",
        "reader discards the bytes (max: over the runs);",
        "criu dump/restore: wall time of `criu dump`/`criu restore -d` (frozen: criu's own Frozen time);",
        "write: one write() of N MiB from memory to a tmpfs file; read: read() of it into populated memory",
        "(fresh: into fresh memory, faulting it in); ratios: ours / the other, between the medians.",
        "Every timed call starts once the guest's CPUs have been idle for 0.3 s (%d waits gave up after 15 s)."
        % len(SETTLE_TIMEOUTS),
        "bench ran %.0f s" % total,
    ]
    return lines


def csv_lines(rows):
    out = [",".join(COLUMNS)]
    for r in rows:
        vals = []
        for c in COLUMNS:
            v = r.get(c)
            if v is None:
                vals.append("")
            elif isinstance(v, float):
                vals.append("%.4f" % v)
            else:
                vals.append(str(v))
        out.append(",".join(vals))
    return out


def pretouch_ram():
    """Touch (almost) all guest RAM once: QEMU backs guest pages on first use, which would make whichever
    run first uses a page (the first image of 1 GiB) pay for it."""
    mib = meminfo("MemAvailable") // 1024 - 384
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-c", "bytearray(%d << 20)" % mib], check=True)  # bytearray() memsets
    return "%d MiB touched once before the runs (%.1f s)" % (mib, time.monotonic() - t0)


def lo_up():
    """criu wants lo up; init.py brings it up already."""
    with open("/sys/class/net/lo/flags") as f:
        if int(f.read(), 16) & 1:
            return
    say("bench: bringing lo up")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)


def criu_check():
    out = run_out(["criu", "check"])
    say("=== criu check")
    say(out)
    if "exited, status=" in out and not shutil.which("iptables"):
        say("(the 'exited, status=1' errors: criu's kerndat runs `iptables -w -L`, which is not installed;"
            " criu needs it only to lock the network of TCP connections)")
    if "Looks good" in out:
        return True
    say("bench: criu check does not say 'Looks good'; going on (dump/restore decide)")
    return False


def main():
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        say("bench: PR_SET_CHILD_SUBREAPER: %s" % os.strerror(ctypes.get_errno()))
    shutil.rmtree(TMP, ignore_errors=True)
    os.makedirs(TMP)
    build_c()
    lo_up()
    env = environment()
    env.append(("guest RAM", pretouch_ram()))
    env.append(("kmem sampler check", sampler_check()))
    say("=== environment")
    for k, v in env:
        say("  %-22s %s" % (k + ":", v))
    criu_check()
    rows = []
    only = os.environ.get("CKPT_BENCH_ONLY", "").split()
    for w in WORKLOADS:
        if only and w.name not in only:
            continue
        for n in sizes_for(w):
            say("=== %s N=%d MiB, %d run(s)" % (w.name, n, runs_for(w, n)))
            rows.append(bench(w, n))
    total = time.monotonic() - T_START
    say("@@CKPT-BENCH-REPORT-BEGIN@@")
    for line in report(env, rows, total):
        say(line)
    say("@@CKPT-BENCH-REPORT-END@@")
    say("@@CKPT-BENCH-CSV-BEGIN@@")
    for line in csv_lines(rows):
        say(line)
    say("@@CKPT-BENCH-CSV-END@@")
    bad = [r for r in rows if r["failed"]]
    if bad:
        say("bench: failed: " + "; ".join("%s N=%d: %s" % (r["workload"], r["n_mib"], r["failed"])
                                          for r in bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
