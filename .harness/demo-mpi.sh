#!/bin/sh
# Guest side of `./harness demo mpi`: an unmodified Open MPI job (mpirun and 4 ranks) in a container is
# checkpointed from outside part-way, killed, restarted from the image, and finishes with the answer of an
# uninterrupted run.  Runs as root inside the VM (cwd = the repo; writable: /tmp only).
set -eu
TOOLS=${CKPT_TOOLS:?}
STEPS=${CKPT_MPI_STEPS:-1500}
CELLS=${CKPT_MPI_CELLS:-4000}
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/tmp
cd /tmp
prog=${CKPT_KSELFTEST:-/nonexistent}/checkpoint/ckpt_mpi_wl
if [ ! -x "$prog" ]; then
	mpicc -O2 -o /tmp/ckpt_mpi_wl "$OLDPWD/tools/testing/selftests/checkpoint/ckpt_mpi_wl.c"
	prog=/tmp/ckpt_mpi_wl
fi

# the job in a container: its own pid, ipc, uts and network namespaces; mpirun is its init
job() {
	rm -f "$1"
	setsid unshare --pid --ipc --uts --net --fork sh -c "hostname mpi-demo; ip link set lo up;
		OMPI_MCA_btl=self,vader exec mpirun --allow-run-as-root --oversubscribe -np 4 \
		$prog $STEPS $CELLS $1" </dev/null >/dev/null 2>&1 &
	u=$!
}
steps() { cat "$1" 2>/dev/null | grep -c '^step' || true; }

echo "demo: an uninterrupted run: mpirun -np 4 ckpt_mpi_wl $STEPS $CELLS (Jacobi, halo exchange, ring, Allreduce)"
t0=$(date +%s)
job /tmp/ref.txt
wait "$u"
want=$(sed -n 's/^answer //p' /tmp/ref.txt)
echo "demo: it took $(($(date +%s) - t0)) s; answer $want"

echo "demo: the same job again, in a new container"
job /tmp/out.txt
init=
until [ -n "$init" ]; do sleep 0.2; init=$(pgrep -P $u || true); done
until [ "$(steps /tmp/out.txt)" -ge $((STEPS / 3)) ]; do sleep 0.5; done
echo "demo: the container's init is mpirun, pid $init; its tasks:"
ps -o pid,nlwp,comm --ppid "$init" -p "$init" || true
echo "demo: checkpoint --kill $init > /tmp/mpi.img, at step $(steps /tmp/out.txt)"
"$TOOLS/checkpoint" --kill "$init" >/tmp/mpi.img
wait "$u" || true
at=$(steps /tmp/out.txt)
echo "demo: killed at step $at; the image is $(($(wc -c </tmp/mpi.img) / 1024)) KiB and holds:"
"$TOOLS/ckptdump" --check /tmp/mpi.img
"$TOOLS/ckptdump" /tmp/mpi.img | awk '{ n[$3]++ } END { for (k in n) printf "  %s x%d\n", k, n[k] }' |
	grep -E ' (TASK|FILE|PTY|SOCKET|EPOLL|EVENTFD|SHMEM|FILEDATA|PIPE|NETNS|SYSV_SHM|VMA) ' | sort || true
sleep 1
[ "$(steps /tmp/out.txt)" = "$at" ] || { echo "demo: the job is still running"; exit 1; }

echo "demo: restart --wait /tmp/mpi.img"
t0=$(date +%s)
"$TOOLS/restart" --wait /tmp/mpi.img
got=$(sed -n 's/^answer //p' /tmp/out.txt)
echo "demo: the restarted job ran $(($(date +%s) - t0)) s more and wrote steps $((at + 1))..$(steps /tmp/out.txt)"
echo "demo: uninterrupted answer: $want"
echo "demo: restarted answer:     $got"
if [ -n "$got" ] && [ "$got" = "$want" ]; then
	echo "demo: OK: the checkpointed, killed and restarted Open MPI job finished with the same answer"
else
	echo "demo: FAIL"
	exit 1
fi
