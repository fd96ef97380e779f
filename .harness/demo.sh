#!/bin/sh
# Guest side of `./harness demo`: checkpoint a program that knows nothing about us (python3 part-way through
# a computation), kill it, restart it from the image and check that it finishes with the right answer.
# Runs as root inside the VM (cwd = the repo; writable: /tmp only).
set -eu
TOOLS=${CKPT_TOOLS:?}
cd /tmp

# The workload: the sum of the first 12000 primes by trial division, with progress lines.
cat >/tmp/primes.py <<'PY'
n = s = 0
k = 2
while n < 12000:
    if all(k % p for p in range(2, int(k ** 0.5) + 1)):
        s += k
        n += 1
        if n % 1000 == 0:
            print("progress", n, flush=True)
    k += 1
print("answer", s, flush=True)
PY
python3 /tmp/primes.py </dev/null >/tmp/out.txt 2>&1 &
pid=$!
until grep -q "progress 1000" /tmp/out.txt 2>/dev/null; do sleep 0.2; done
echo "demo: python3 (pid $pid) is part-way: $(tail -n 1 /tmp/out.txt)"

echo "demo: checkpoint $pid > /tmp/img, then kill it"
"$TOOLS/checkpoint" "$pid" >/tmp/img
kill -KILL "$pid"
wait "$pid" || true
at_kill=$(tail -n 1 /tmp/out.txt)
echo "demo: killed it at: $at_kill"
echo "demo: the image is $(wc -c </tmp/img) bytes (ckptdump, PAGES records left out):"
"$TOOLS/ckptdump" /tmp/img | grep -v ' PAGES ' | cut -c1-150
"$TOOLS/ckptdump" --check /tmp/img
sleep 1
[ "$(tail -n 1 /tmp/out.txt)" = "$at_kill" ] || { echo "demo: the workload is still running"; exit 1; }

echo "demo: restart --wait /tmp/img"
"$TOOLS/restart" --wait /tmp/img
echo "demo: the restored process exited; its output after the restart:"
sed -n "/$at_kill/,\$p" /tmp/out.txt

# The answer, computed another way (a sieve) in a fresh process.
want=$(python3 -c '
N = 200000
m = bytearray([1]) * N
m[0] = m[1] = 0
for i in range(2, int(N ** 0.5) + 1):
    if m[i]:
        m[i * i::i] = bytearray(len(m[i * i::i]))
print(sum([i for i in range(N) if m[i]][:12000]))')
got=$(sed -n 's/^answer //p' /tmp/out.txt)
if [ "$got" = "$want" ]; then
	echo "demo: OK: the restarted python3 finished with the right answer $got"
else
	echo "demo: FAIL: answer '$got', expected '$want'"
	exit 1
fi

# A container: a Python multiprocessing pool (5 processes) in its own pid namespace.
echo
echo "demo: a container: unshare --pid --fork python3 with a multiprocessing pool of 4 workers"
cat >/tmp/pool.py <<'PY'
import multiprocessing as mp, time
def part(k):
    time.sleep(0.2)
    return sum(i * i for i in range(k * 100000, (k + 1) * 100000))
if __name__ == "__main__":
    s = 0
    with mp.Pool(4) as p:
        for n, x in enumerate(p.imap(part, range(120))):
            s += x
            print("chunk", n + 1, flush=True)
    print("answer", s, flush=True)
PY
unshare --pid --fork python3 /tmp/pool.py </dev/null >/tmp/pool.txt 2>/dev/null &
u=$!
init=
until [ -n "$init" ]; do sleep 0.2; init=$(pgrep -P "$u" || true); done
until grep -q "chunk 10" /tmp/pool.txt 2>/dev/null; do sleep 0.2; done
echo "demo: the container's init is pid $init, part-way: $(tail -n 1 /tmp/pool.txt)"
echo "demo: checkpoint --kill $init > /tmp/cimg (the whole pid namespace)"
"$TOOLS/checkpoint" --kill "$init" >/tmp/cimg 2>/dev/null
wait "$u" || true
at_kill=$(grep chunk /tmp/pool.txt | tail -n 1)
echo "demo: killed at: $at_kill; the image holds $("$TOOLS/ckptdump" /tmp/cimg | grep -c ' TASK ') tasks:"
"$TOOLS/ckptdump" /tmp/cimg | grep ' TREE ' | cut -c1-150
# /tmp is tmpfs, whose files the image carries (they would not be there on
# another machine): restart makes the output file again with the contents
# it had, and refuses (EEXIST) to overwrite one that changed since.
rm /tmp/pool.txt
echo "demo: restart --wait /tmp/cimg (a new pid namespace; /tmp/pool.txt comes from the image)"
"$TOOLS/restart" --wait /tmp/cimg
want=$(python3 -c 'n = 12000000; print((n - 1) * n * (2 * n - 1) // 6)')
got=$(sed -n 's/^answer //p' /tmp/pool.txt)
if [ "$got" = "$want" ]; then
	echo "demo: OK: the restarted container finished with the right answer $got"
else
	echo "demo: FAIL: answer '$got', expected '$want'"
	exit 1
fi
