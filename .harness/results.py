#!/usr/bin/python3
"""Count KUnit and kselftest results in a ./harness VM console log.

Prints one line per check: "pass|fail|skip<TAB>name<TAB>detail".

KUnit (printed by the kernel at boot, before init runs):
    KTAP version 1
    1..N
        KTAP version 1
        # Subtest: suite
        1..M
        ok 1 case [# SKIP reason]
        not ok 2 case
    ok 1 suite
Each case (indent level 1) is a check named "kunit suite.case"; deeper levels
(parameterised cases) are folded into their case.

kselftests (run_kselftest.sh, between the @@CKPT-KSELFTEST-*@@ markers):
    ok 1 selftests: checkpoint: prog          <- level 0
    # ok 1 fixture.test                       <- level 1, kselftest_harness
Each level-1 result is a check "kselftest prog:test"; a program without
nested results is one check; a program that failed although all its nested
results passed (crash, timeout) adds a failing check of its own.
"""

import argparse
import re
import sys

TS_RE = re.compile(r"^\[\s*\d+\.\d+\]\s?")
RESULT_RE = re.compile(r"^(not ok|ok)\s+(\d+)\s*(?:-\s*)?(.*?)\s*(?:#\s*(.*))?$", re.IGNORECASE)
DIRECTIVE_RE = re.compile(r"^(SKIP|TODO|XFAIL|TIMEOUT)\b", re.IGNORECASE)
PLAN_RE = re.compile(r"^1\.\.(\d+)")
SUBTEST_RE = re.compile(r"^#\s*Subtest:\s*(\S+)")
BEGIN = "@@CKPT-KSELFTEST-BEGIN@@"
END = "@@CKPT-KSELFTEST-END@@"
INIT_BANNER = "ckpt-init: "


def clean(line):
    line = line.replace("\r", "").rstrip("\n")
    return TS_RE.sub("", line)


def parse_result(text):
    m = RESULT_RE.match(text)
    if not m:
        return None
    ok, _num, name, comment = m.groups()
    comment = (comment or "").strip()
    d = DIRECTIVE_RE.match(comment)
    directive = d.group(1).upper() if d else ""
    if directive == "SKIP":
        st = "skip"
    elif ok.lower() == "ok" or directive in ("TODO", "XFAIL"):
        st = "pass"
    else:
        st = "fail"
    detail = comment
    return st, name.strip(), detail


def kunit(lines, out):
    """lines: console lines before init started."""
    started = False
    cases = []          # pending level-1 results of the current suite
    suite = None        # name from "# Subtest:"
    plan = None
    nsuites = 0
    for raw in lines:
        line = clean(raw)
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not started:
            if stripped.startswith("KTAP version") and indent == 0:
                started = True
            continue
        level = indent // 4
        if level == 1:
            m = SUBTEST_RE.match(stripped)
            if m:
                suite, cases, plan = m.group(1), [], None
                continue
            m = PLAN_RE.match(stripped)
            if m and plan is None:
                plan = int(m.group(1))
                continue
        r = parse_result(stripped)
        if r is None:
            continue
        if level == 1:
            cases.append(r)
        elif level == 0:
            st, name, detail = r
            name = suite or name
            nsuites += 1
            if not cases:
                out.append((st, "kunit " + name, detail))
            for cst, cname, cdetail in cases:
                out.append((cst, "kunit %s.%s" % (name, cname), cdetail))
            if plan is not None and len(cases) < plan:
                out.append(("fail", "kunit %s" % name,
                            "%d of %d planned cases reported" % (len(cases), plan)))
            elif st == "fail" and cases and all(c[0] != "fail" for c in cases):
                out.append(("fail", "kunit %s" % name, "suite failed"))
            suite, cases, plan = None, [], None
    if suite is not None:  # a suite that never finished: crash or hang
        for cst, cname, cdetail in cases:
            out.append((cst, "kunit %s.%s" % (suite, cname), cdetail))
        out.append(("fail", "kunit %s" % suite, "suite did not finish"))
    if not started or nsuites == 0 and suite is None:
        out.append(("skip", "kunit", "no KUnit suites ran at boot"))


def kselftest(lines, out, expected):
    begin = end = None
    for i, raw in enumerate(lines):
        line = clean(raw)
        if line.startswith(BEGIN) and begin is None:
            begin = i
        elif line.startswith(END):
            end = i
    if not expected:
        return
    if begin is None:
        out.append(("fail", "kselftest run", "run_kselftest.sh never started"))
        return
    if end is None:
        out.append(("fail", "kselftest run", "run_kselftest.sh did not finish (timeout or crash)"))
    nested = []
    nprogs = 0
    for raw in lines[begin + 1:end]:
        line = clean(raw)
        level = 0
        while line.startswith("# "):
            level += 1
            line = line[2:]
        r = parse_result(line)
        if r is None:
            continue
        if level == 1:
            nested.append(r)
        elif level == 0:
            st, name, detail = r
            nprogs += 1
            prog = name.split(":")[-1].strip() or name
            for cst, cname, cdetail in nested:
                out.append((cst, "kselftest %s:%s" % (prog, cname), cdetail))
            if not nested:
                out.append((st, "kselftest " + prog, detail))
            elif st == "fail" and all(c[0] != "fail" for c in nested):
                out.append(("fail", "kselftest " + prog, detail or "program failed"))
            nested = []
    for cst, cname, cdetail in nested:  # results of a program cut short
        out.append((cst, "kselftest ?:" + cname, cdetail))
    if nprogs == 0:
        out.append(("fail", "kselftest run", "no kselftest results"))


# Kernel reports (debug kernel; its messages carry a timestamp, CONFIG_PRINTK_TIME)
REPORT_RE = re.compile(r"^(BUG: |WARNING: |UBSAN: |Oops|general protection fault|Kernel panic|"
                       r"kmemleak: \d+ new suspected|INFO: task .* blocked for more than|INFO: rcu_|"
                       r"watchdog: BUG: |------------\[ cut here \])")
LEAK_BEGIN = "@@CKPT-KMEMLEAK-BEGIN@@"
LEAK_END = "@@CKPT-KMEMLEAK-END@@"
LEAK_RE = re.compile(r"^\s*unreferenced object 0x[0-9a-f]+ \(size (\d+)\)")
# /proc/sys/kernel/tainted after the suite; TAINT_TEST (KUnit ran) is expected
TAINT_RE = re.compile(r"^@@CKPT-TAINT@@ (\d+)")
TAINT_TEST = 1 << 18


def reports(lines):
    """The first line of every kernel report, and kmemleak's unreferenced objects
    with the first frame of their backtrace."""
    out = []
    seen = set()
    leak = False
    for i, raw in enumerate(lines):
        line = raw.replace("\r", "").rstrip("\n")
        m = TAINT_RE.match(line)
        if m and int(m.group(1)) & ~TAINT_TEST:
            out.append("kernel tainted: %s (/proc/sys/kernel/tainted)" % m.group(1))
            continue
        if LEAK_BEGIN in line:
            leak = True
            continue
        if LEAK_END in line:
            leak = False
            continue
        if leak:
            m = LEAK_RE.match(line)
            if m:
                frames = [l.strip() for l in lines[i + 1:i + 30]
                          if l.strip().startswith("[<") and "kmemleak" not in l
                          and "kmem_cache_alloc" not in l and "kmalloc" not in l]
                out.append("kmemleak: unreferenced object of %s bytes from %s" %
                           (m.group(1), frames[0].split("] ", 1)[-1] if frames else "?"))
            continue
        if not TS_RE.match(line):
            continue  # not a kernel message
        text = TS_RE.sub("", line)
        # the console's errors come again in the ring buffer's dump: once each
        if REPORT_RE.match(text) and line.strip() not in seen:
            seen.add(line.strip())
            out.append(text)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("--kselftest", default="1", help="1 if kselftests were run")
    ap.add_argument("--reports", action="store_true",
                    help="print the kernel reports of the log instead (nothing if none)")
    args = ap.parse_args()
    with open(args.log, errors="replace") as f:
        lines = f.readlines()
    if args.reports:
        seen = {}
        for r in reports(lines):
            seen[r] = seen.get(r, 0) + 1
        for r, n in list(seen.items())[:40]:
            print(r if n == 1 else "%s (x%d)" % (r, n))
        return 0
    init_at = next((i for i, l in enumerate(lines) if clean(l).startswith(INIT_BANNER)), len(lines))
    out = []
    kunit(lines[:init_at], out)
    kselftest(lines, out, args.kselftest == "1")
    for st, name, detail in out:
        print("%s\t%s\t%s" % (st, name.replace("\t", " "), detail.replace("\t", " ")))


if __name__ == "__main__":
    sys.exit(main())
