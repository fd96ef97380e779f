#!/bin/sh
# Guest side of `./harness demo`: checkpoint a running program that knows nothing about us.
# Runs as root inside the VM (cwd = the repo, writable: /tmp only).
set -eu
WORK=${CKPT_WORKDIR:?}
TOOLS=${CKPT_TOOLS:-$WORK/tools}
CKPT=$TOOLS/checkpoint
DUMP=$TOOLS/ckptdump

# The workload: a busybox shell counting in a loop.
busybox sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/tmp/counter; sleep 0.1; done' &
pid=$!
sleep 2
echo "demo: workload pid $pid, counter at $(cat /tmp/counter)"

for t in "$CKPT" "$DUMP"; do
	if [ ! -x "$t" ]; then
		echo "demo: $t not built yet (tools/checkpoint)" >&2
		exit 1
	fi
done

echo "demo: $CKPT $pid > /tmp/img"
"$CKPT" "$pid" >/tmp/img
echo "demo: image is $(wc -c </tmp/img) bytes; decoded:"
"$DUMP" /tmp/img
echo "demo: workload still running, counter at $(cat /tmp/counter)"
kill "$pid"
