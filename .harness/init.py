#!/usr/bin/python3
"""PID 1 of the ./harness test VM.

The guest root is the host root, read-only over virtio-9p. This init mounts the
usual pseudo file systems and tmpfs where a test may write, mounts the result
share (tag "ckptres"), runs the command the host put in the share's "argv"
file, reaps every process (tests restore processes that reuse pids), writes the
command's exit status to the share's "status" file and reboots, which makes
QEMU (-no-reboot) exit.
"""

import ctypes
import fcntl
import os
import shlex
import socket
import struct
import sys
import traceback

RESULT = "/run/ckpt-result"
HOST = "/run/ckpt-host"  # the host root again, so paths hidden by the tmpfs mounts stay reachable
TMPFS = ("/tmp", "/root", "/dev/shm")
MS_BIND = 4096
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RB_AUTOBOOT = 0x01234567

libc = ctypes.CDLL(None, use_errno=True)


def say(msg):
    print("ckpt-init: " + msg, flush=True)


def mount(src, target, fstype, data=None, must=False, flags=0):
    os.makedirs(target, exist_ok=True)
    if libc.mount(src.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                  data.encode() if data else None) != 0:
        err = ctypes.get_errno()
        if err == 16:  # EBUSY: already mounted (e.g. devtmpfs automount)
            return
        msg = "mount %s on %s: %s" % (fstype, target, os.strerror(err))
        if must:
            raise OSError(err, msg)
        say(msg)


def console_fds():
    """Make fds 0/1/2 the console (the kernel may have found no /dev/console)."""
    try:
        fd = os.open("/dev/console", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return
    for i in (0, 1, 2):
        try:
            os.fstat(i)
        except OSError:
            os.dup2(fd, i)
    if fd > 2:
        os.close(fd)


def lo_up():
    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifr = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack("16sH22x", fcntl.ioctl(s, siocgifflags, ifr))[1]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sH22x", b"lo", flags | iff_up))


def setup():
    mount("proc", "/proc", "proc", must=True)
    mount("sysfs", "/sys", "sysfs")
    if os.path.isdir("/sys/kernel/debug"):  # CONFIG_DEBUG_FS: kmemleak, gcov (debug kernels)
        mount("debugfs", "/sys/kernel/debug", "debugfs")
    mount("devtmpfs", "/dev", "devtmpfs")
    # what udev would add: without them `>>/dev/stdout` (kselftest's runner.sh) writes to a file
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
                         ("core", "/proc/kcore"), ("ptmx", "pts/ptmx")):
        if not os.path.lexists("/dev/" + name):
            os.symlink(target, "/dev/" + name)
    console_fds()
    mount("tmpfs", "/run", "tmpfs", "mode=755")
    mount("ckptres", RESULT, "9p", "trans=virtio,version=9p2000.L,msize=262144", must=True)
    mount("/", HOST, None, flags=MS_BIND, must=True)
    for d in TMPFS:
        mount("tmpfs", d, "tmpfs", "mode=700" if d == "/root" else "mode=1777")
    # The host paths the command needs (repo, work dir) that a tmpfs now hides: bind them back (read-only).
    bound = []
    for p in sorted(set(os.path.normpath(p) for p in read_nul(RESULT + "/keep"))):
        hidden = any(p == d or p.startswith(d + "/") for d in TMPFS)
        if hidden and not any(p == b or p.startswith(b + "/") for b in bound) and os.path.isdir(HOST + p):
            mount(HOST + p, p, None, flags=MS_BIND)
            bound.append(p)
    mount("devpts", "/dev/pts", "devpts")
    mount("cgroup2", "/sys/fs/cgroup", "cgroup2")
    name = b"guest"
    if libc.sethostname(name, len(name)) != 0:
        say("sethostname: " + os.strerror(ctypes.get_errno()))
    try:
        lo_up()
    except OSError as e:
        say("lo up: %s" % e)
    try:  # keep kernel info messages out of the command's output
        with open("/proc/sys/kernel/printk", "w") as f:
            f.write("4")
    except OSError:
        pass


def read_nul(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    return [x.decode() for x in data.split(b"\0") if x]


def run_command():
    argv = read_nul(RESULT + "/argv")
    if not argv:
        say("no command given")
        return 2
    with open(RESULT + "/cwd") as f:
        cwd = f.read()
    env = {"PATH": PATH, "HOME": "/root", "TERM": "dumb", "LANG": "C.UTF-8", "USER": "root",
           "LOGNAME": "root", "SHELL": "/bin/sh"}
    for kv in read_nul(RESULT + "/env"):
        k, _, v = kv.partition("=")
        env[k] = v
    say("running: %s" % shlex.join(argv))
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            os.chdir(cwd)
            null = os.open("/dev/null", os.O_RDONLY)
            os.dup2(null, 0)
            os.execvpe(argv[0], argv, env)
        except BaseException as e:  # noqa: B036 - the child must never return
            print("ckpt-init: %s: %s" % (argv[0], e), file=sys.stderr, flush=True)
        os._exit(127)
    status = None
    while status is None:  # reap every child until the command itself ends
        try:
            wpid, wst = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if wpid == pid:
            status = os.waitstatus_to_exitcode(wst)
            status = 128 - status if status < 0 else status
    # the command is done: end whatever it left behind and reap it
    try:
        os.kill(-1, 9)
    except OSError:
        pass
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    return 255 if status is None else status


def main():
    status = 255
    try:
        setup()
        status = run_command()
    except BaseException:  # PID 1 must not exit: report and reboot
        traceback.print_exc()
    say("command exited with status %d" % status)
    try:
        with open(RESULT + "/status", "w") as f:
            f.write("%d\n" % status)
            f.flush()
            os.fsync(f.fileno())
    except OSError as e:
        say("cannot write status: %s" % e)
    libc.sync()
    libc.reboot(RB_AUTOBOOT)
    say("reboot failed: " + os.strerror(ctypes.get_errno()))
    while True:
        os.pause()


if __name__ == "__main__":
    main()
