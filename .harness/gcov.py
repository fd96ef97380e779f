#!/usr/bin/env python3
"""Line coverage of kernel/checkpoint/ from the guest's gcov data.

Run in a guest of `./harness vm --gcov` (kernel/checkpoint/ is built with
GCOV_PROFILE := y and the kernel with .harness/gcov.config):

    python3 .harness/gcov.py reset     # zero the counters (boot ran some code)
    ... run the fuzzer or any test ...
    python3 .harness/gcov.py report    # line coverage per file and of restart

The report gives, per file of kernel/checkpoint/, the lines executed of the
lines that have code, then the same for the restart path: every function
that only restart(2) runs (RESTART_RE below: restore.c whole, the readers,
validators and builders of the other files). It runs gcov (the host's, the
compiler that built the kernel) on copies of the .gcda files in /tmp.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

GCOV_DIR = "/sys/kernel/debug/gcov"

# Functions of the restart path outside restore.c (all of restore.c is), but
# for those that save ("dump").
RESTART_RE = re.compile(
    r"(restore|restart|_read|rst|_valid|check_ids|set_user|check_caps|lsm_creds|make_cred|"
    r"install|attach|lookup|rbatch|copy_pages|pages_flush|fill_shmem|shmem_set|same_data|"
    r"same_zeros|filedata_(unlink|finish|pages)|write_data|create_children|reap_children|"
    r"alloc_orphans|set_pgrps|ckpt_entry|child_tid|map_vma|vma_advice|set_mm_fields|"
    r"check_identity|check_mm_addrs|check_auxv|set[ug]id_exec|queue_signals|objs_done|"
    r"ckpt_obj_get|push_hdr|ckpt_skip|arch_set|arch_init_mm|arch_map_vdso|user_addr|"
    r"user_data_sel|fill_fifo|fifo_in_use|pipe_size|ckpt_mm_finish|ckpt_pgrps)")


def on_restart_path(name, whole):
    return whole or (RESTART_RE.search(name) and "dump" not in name)


def mount_debugfs():
    if not os.path.isdir(GCOV_DIR):
        os.makedirs("/sys/kernel/debug", exist_ok=True)
        subprocess.call(["mount", "-t", "debugfs", "none", "/sys/kernel/debug"])
    if not os.path.isdir(GCOV_DIR):
        sys.exit("no %s: boot the kernel of ./harness vm --gcov" % GCOV_DIR)


def gcda_files():
    for root, _, files in os.walk(GCOV_DIR):
        if not root.endswith("kernel/checkpoint") and not root.endswith("/ipc"):
            continue
        for f in files:
            if f.endswith(".gcda"):
                yield os.path.join(root, f)


def run_gcov(tmp, gcda):
    out = subprocess.run(["gcov", "--json-format", "--stdout", "-o", tmp, gcda],
                         cwd=tmp, capture_output=True, text=True)
    docs = []
    for line in out.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            docs.append(json.loads(line))
    return docs


def report():
    tmp = tempfile.mkdtemp(prefix="ckpt-gcov-")
    per_file = {}
    restart = [0, 0]
    funcs_missed = []
    for src in sorted(gcda_files()):
        base = os.path.basename(src)[:-5]
        shutil.copyfile(src, os.path.join(tmp, base + ".gcda"))
        gcno = src[:-5] + ".gcno"
        if os.path.exists(gcno):
            shutil.copyfile(os.path.realpath(gcno), os.path.join(tmp, base + ".gcno"))
        for doc in run_gcov(tmp, os.path.join(tmp, base + ".gcda")):
            for f in doc.get("files", []):
                name = f["file"]
                if "kernel/checkpoint/" in name:
                    name = name[name.index("kernel/checkpoint/"):]
                elif "ipc/checkpoint_" in name:
                    # the checkpoint code that ipc/*.c include (ipc/Makefile.patch)
                    name = name[name.index("ipc/checkpoint_"):]
                else:
                    continue
                whole = name.endswith("/restore.c")
                lines = {}
                for ln in f.get("lines", []):
                    key = ln["line_number"]
                    fn = ln.get("function_name", "")
                    hit = ln["count"] > 0
                    prev = lines.get(key)
                    lines[key] = (fn, hit or (prev[1] if prev else False))
                tot = sum(1 for _ in lines)
                hit = sum(1 for v in lines.values() if v[1])
                per_file[name] = (hit, tot)
                for fn, h in lines.values():
                    if on_restart_path(fn, whole):
                        restart[1] += 1
                        restart[0] += h
                for fn in f.get("functions", []):
                    n = fn.get("demangled_name", fn.get("name"))
                    if on_restart_path(n, whole) and fn.get("execution_count", 0) == 0:
                        funcs_missed.append("%s:%s" % (os.path.basename(name), n))
    shutil.rmtree(tmp)
    if not per_file:
        sys.exit("no gcov data for kernel/checkpoint/ (GCOV_PROFILE := y in its Makefile?)")
    print("gcov line coverage of kernel/checkpoint/ and ipc/checkpoint_*.c "
          "(lines executed / lines with code):")
    th = tt = 0
    for name in sorted(per_file):
        h, t = per_file[name]
        th += h
        tt += t
        print("  %-32s %5d / %5d  %5.1f %%" % (name, h, t, 100.0 * h / max(t, 1)))
    print("  %-32s %5d / %5d  %5.1f %%" % ("all", th, tt, 100.0 * th / max(tt, 1)))
    print("restart path (restore.c and the restart functions of the other files): "
          "%d / %d lines, %.1f %%" % (restart[0], restart[1], 100.0 * restart[0] / max(restart[1], 1)))
    if funcs_missed:
        print("restart functions never run: " + " ".join(sorted(funcs_missed)))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("reset", "report"):
        sys.exit("usage: gcov.py reset|report")
    mount_debugfs()
    if sys.argv[1] == "reset":
        with open(os.path.join(GCOV_DIR, "reset"), "w") as f:
            f.write("1")
    else:
        report()


if __name__ == "__main__":
    main()
