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
