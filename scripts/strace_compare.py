#!/usr/bin/env python3
"""Trace one command with `strace -f` and with `hstrace -f`, compare the lines.

    scripts/strace_compare.py [--hstrace BUILD/hstrace] [--show N] [--only NAME,...] -- CMD ARGS...

Both traces go to files (strace -o, hstrace -o: the "PID " column format).
Lines are normalized before comparing: pids are renumbered in order of
appearance, addresses (0x and 6+ hex digits) become ADDR, and timing-
dependent values that differ between two runs of the same program (getpid
results, clock readings) are left alone, so some differences are expected
noise.  Lines are matched per syscall name in order; the report gives the
share of identical lines, per syscall the mismatches, and the first --show
differing pairs.  Standard library only.
"""
import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def normalize(lines):
    pids = {}

    def pid(m):
        p = m.group(0)
        if p not in pids:
            pids[p] = "P%d" % (len(pids) + 1)
        return pids[p]

    out = []
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        line = re.sub(r"^\d+", pid, line)
        line = re.sub(r"0x[0-9a-f]{6,}", "ADDR", line)
        out.append(line)
    return out


def call_name(line):
    m = re.match(r"^P\d+\s+(?:<\.\.\. )?([a-z_0-9]+)", line)
    return m.group(1) if m else line.split(" ", 2)[1] if " " in line else line


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hstrace", default=os.path.join(ROOT, "build", "hstrace"))
    p.add_argument("--show", type=int, default=20)
    p.add_argument("--only", default="")
    p.add_argument("-v", action="store_true", help="pass -v to both")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        p.error("no command")
    extra = ["-v"] if a.v else []
    with tempfile.TemporaryDirectory() as d:
        s, h = os.path.join(d, "s"), os.path.join(d, "h")
        subprocess.run(["strace", "-f", "-o", s] + extra + ["--"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([a.hstrace, "-f", "-o", h] + extra + ["--"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sl = normalize(open(s, errors="replace"))
        hl = normalize(open(h, errors="replace"))
    only = set(filter(None, a.only.split(",")))
    by_s, by_h = collections.defaultdict(list), collections.defaultdict(list)
    for line in sl:
        by_s[call_name(line)].append(line)
    for line in hl:
        by_h[call_name(line)].append(line)
    same = total = 0
    bad = collections.Counter()
    pairs = []
    for name in sorted(set(by_s) | set(by_h)):
        if only and name not in only:
            continue
        xs, ys = by_s[name], by_h[name]
        for i in range(max(len(xs), len(ys))):
            x = xs[i] if i < len(xs) else "<missing>"
            y = ys[i] if i < len(ys) else "<missing>"
            total += 1
            if x == y:
                same += 1
            else:
                bad[name] += 1
                pairs.append((x, y))
    print("identical: %d / %d lines (%.1f%%)" % (same, total, 100.0 * same / max(total, 1)))
    if bad:
        print("mismatches by syscall: " + ", ".join("%s %d" % kv for kv in bad.most_common()))
    for x, y in pairs[:a.show]:
        print("strace : " + x)
        print("hstrace: " + y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
