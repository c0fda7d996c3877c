#!/usr/bin/env python3
"""Trace one command with `strace -f` and with `hstrace -f`, compare the lines.

    scripts/strace_compare.py [--hstrace BUILD/hstrace] [--show N] [--only NAME,...] -- CMD ARGS...

Both traces go to files (strace -o, hstrace -o: the "PID " column format).
Lines are normalized before comparing: "<unfinished ...>" lines are joined
with their "<... resumed>" halves (where a call is split depends on timing),
the pid column is dropped, pids and tids in the lines become PID (they
differ between two runs), addresses (0x and 6+ hex digits) become ADDR, and
getrandom's random bytes become BYTES.  Values that depend on the run in
other ways (clock readings) are left alone, so some differences are noise.
Lines are compared as multisets, so processes interleaving differently in
the two runs does not matter; the report gives the share of identical lines,
per syscall the mismatches, and the first --show differing pairs.  Standard
library only.
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
    pending, joined, pids = {}, [], set()
    for line in lines:
        line = line.rstrip("\n")
        m = re.match(r"^(\d+)\s+(.*)$", line)
        if not m:
            continue
        pid, rest = m.group(1), m.group(2)
        pids.add(pid)
        if rest.endswith("<unfinished ...>"):
            pending[pid] = rest[:-len("<unfinished ...>")].rstrip()
            continue
        r = re.match(r"^<\.\.\. [a-z0-9_]+ resumed>\s?(.*)$", rest)
        if r and pid in pending:
            head = pending.pop(pid)
            tail = r.group(1)
            sep = "" if head.endswith("(") or tail[:1] in (")", ",") else " "
            rest = head + sep + tail
            rest = re.sub(r"\)\s+= ", ") = ", rest)
        joined.append(rest)
    out = []
    for line in joined:
        line = re.sub(r"\s+= ", " = ", line)  # padding depends on the pid column
        for p in sorted(pids, key=len, reverse=True):
            line = re.sub(r"(?<![0-9a-fx])%s(?![0-9])" % p, "PID", line)
        line = re.sub(r"0x[0-9a-f]{6,}", "ADDR", line)
        if line.startswith("getrandom("):
            line = re.sub(r'"(\\x[0-9a-f]{2})+"', "BYTES", line)
        out.append(line)
    return out


def call_name(line):
    m = re.match(r"^([a-z_0-9]+)\(", line)
    return m.group(1) if m else line.split(" ", 1)[0]


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
        cs, ch = collections.Counter(by_s[name]), collections.Counter(by_h[name])
        common = cs & ch
        same += sum(common.values())
        total += max(len(by_s[name]), len(by_h[name]))
        xs = list((cs - common).elements())
        ys = list((ch - common).elements())
        for i in range(max(len(xs), len(ys))):
            bad[name] += 1
            pairs.append((xs[i] if i < len(xs) else "<missing>",
                          ys[i] if i < len(ys) else "<missing>"))
    print("identical: %d / %d lines (%.1f%%)" % (same, total, 100.0 * same / max(total, 1)))
    if bad:
        print("mismatches by syscall: " + ", ".join("%s %d" % kv for kv in bad.most_common()))
    for x, y in pairs[:a.show]:
        print("strace : " + x)
        print("hstrace: " + y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
