#!/usr/bin/env python3
"""Soak test: many marked syscalls from many threads and processes, checked one by one.

    python3 bench/soak.py --build build [--calls 10000000] [--threads 64] [--procs 1000]

Runs `hstrace -q --out LOG -- soak THREADS PROCS CALLS TAG` (bench/soak.c)
under bench/rusage_exec, then checks:

  exit       hstrace exits 0: the workload's own status, which is 0 only if
             every call failed with EINVAL as planned and every process
             exited 0.
  made       the workload says each worker made exactly the calls it was
             given (soak.c splits CALLS evenly over THREADS + PROCS workers).
  log        `hstrace --read LOG -e trace=getpriority` renders the log with
             no error; every call getpriority(1000 + W, SEQ) of every worker
             W and every SEQ it made appears exactly once as an entry, and as
             many calls returned (complete lines plus "resumed" lines) as
             were made.  A missing (lost) or repeated (duplicated) marker,
             or one that was never made, is a failure.
  rss        hstrace's peak RSS is at most --max-rss-mib (default 64; 0: no
             limit, for sanitizer builds, whose shadow memory counts).  Two
             measures: VmHWM of the hstrace process, sampled from /proc every
             50 ms while it runs (its own peak, the workload excluded), and
             ru_maxrss from rusage_exec's wait4 (the maximum over hstrace and
             every process it reaped: the workload's processes are small).
             The limit applies to VmHWM, the larger of the last sample and
             ru_maxrss when no sample was taken.
  leftovers  no process whose command line holds this run's TAG is alive
             afterwards (none is left stopped, traced or running).  Any
             such process is reported and killed.

Timing is printed, never checked.  Exit status 0 when every check passed.
The log goes to a temporary directory (--tmpdir, default $TMPDIR or /tmp)
and is deleted at the end unless --keep.  About 200 bytes of log per call.
Only the Python standard library is used.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
WHICH_BASE = 1000
# An entry line: "getpriority(0x3e8 /* PRIO_??? */, 12" (complete, or cut
# by "<unfinished ...>" when threads interleave).  which is shown in hex
# because it is not a PRIO_* value.
ENTRY_RE = re.compile(rb"getpriority\((0x[0-9a-f]+|\d+)[^,]*, (\d+)")
RESUMED = b"<... getpriority resumed>"
EINVAL = b"= -1 EINVAL"


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default=os.path.join(SCRIPT_DIR, "..", "build"),
                   help="meson build directory (default ../build)")
    p.add_argument("--calls", type=int, default=10_000_000)
    p.add_argument("--threads", type=int, default=64)
    p.add_argument("--procs", type=int, default=1000)
    p.add_argument("--max-rss-mib", type=float, default=64.0,
                   help="limit on hstrace's peak RSS (0: no limit)")
    p.add_argument("--tmpdir", default=None)
    p.add_argument("--keep", action="store_true", help="keep the log")
    p.add_argument("--timeout", type=float, default=3600.0,
                   help="kill the traced run after this many seconds")
    p.add_argument("--hstrace-arg", action="append", default=[],
                   help="extra argument for the recording hstrace (repeatable)")
    return p.parse_args(argv)


def children_of(pid):
    """Direct children of pid, from /proc (needs CONFIG_PROC_CHILDREN)."""
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return kids


def vm_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


class RssSampler(threading.Thread):
    """Samples VmHWM of rusage_exec's child (hstrace) until stopped."""

    def __init__(self, launcher_pid):
        super().__init__(daemon=True)
        self.launcher_pid = launcher_pid
        self.tracer_pid = None
        self.peak_kb = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            if self.tracer_pid is None:
                kids = children_of(self.launcher_pid)
                self.tracer_pid = kids[0] if kids else None
            if self.tracer_pid is not None:
                kb = vm_hwm_kb(self.tracer_pid)
                if kb is not None:
                    self.peak_kb = max(self.peak_kb, kb)
                    self.samples += 1
            self.done.wait(0.05)


def leftover_processes(tag):
    """Pids of live processes whose command line contains tag."""
    found = []
    needle = tag.encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if needle in args:
            found.append(int(name))
    return found


def process_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def expected_calls(calls, nworkers):
    return [calls // nworkers + (1 if w < calls % nworkers else 0) for w in range(nworkers)]


def record(args, tools, log, tag, nworkers, failures):
    """Run the traced workload; returns (made per worker, timings and RSS)."""
    report = log + ".rusage"
    cmd = [tools["rusage_exec"], report, "--", tools["hstrace"], "-q", *args.hstrace_arg,
           "--out", log, "--", tools["soak"], str(args.threads), str(args.procs),
           str(args.calls), tag]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = RssSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        failures.append(f"the traced run took more than {args.timeout:.0f} s: killed")
        for pid in children_of(proc.pid):
            os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate()
    elapsed = time.monotonic() - start
    sampler.done.set()
    sampler.join()
    sys.stderr.write(err.decode(errors="replace"))
    if proc.returncode != 0:
        failures.append(f"hstrace (the workload) exited with {proc.returncode}, not 0")
    made = [None] * nworkers
    total = None
    for line in out.decode(errors="replace").splitlines():
        f = line.split()
        if len(f) == 3 and f[0] == "made" and int(f[1]) < nworkers:
            made[int(f[1])] = int(f[2])
        elif len(f) == 2 and f[0] == "total":
            total = int(f[1])
    if total is None or None in made:
        failures.append("the workload did not report its counts")
    maxrss_kb = None
    try:
        with open(report) as f:
            fields = dict(kv.split("=", 1) for kv in f.read().split())
            maxrss_kb = int(fields["maxrss_kb"])
        os.unlink(report)
    except (OSError, KeyError, ValueError):
        failures.append("rusage_exec wrote no report")
    return made, {"elapsed_s": elapsed, "hwm_kb": sampler.peak_kb, "hwm_samples": sampler.samples,
                  "maxrss_kb": maxrss_kb}


def check_log(tools, log, expected, failures):
    """Count every marker in the rendered log; returns (entries, exits, lost, dup, stray)."""
    nworkers = len(expected)
    seen = [bytearray(n) for n in expected]
    entries = exits = dup = stray = 0
    cmd = [tools["hstrace"], "--read", log, "-e", "trace=getpriority", "-o", "/dev/stdout"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1 << 20)
    search = ENTRY_RE.search
    for line in proc.stdout:
        if EINVAL in line and (RESUMED in line or b"<unfinished" not in line):
            exits += 1
        m = search(line)
        if not m:
            continue
        entries += 1
        w = int(m.group(1), 0) - WHICH_BASE
        seq = int(m.group(2))
        if not 0 <= w < nworkers or seq >= expected[w]:
            stray += 1
            continue
        if seen[w][seq]:
            dup += 1
        else:
            seen[w][seq] = 1
    err = proc.stderr.read().decode(errors="replace")
    proc.wait()
    if proc.returncode != 0 or err.strip():
        failures.append(f"hstrace --read exited with {proc.returncode}: {err.strip()}")
    lost = sum(n - sum(s) for n, s in zip(expected, seen))
    return entries, exits, lost, dup, stray


def main(argv):
    args = parse_args(argv)
    build = os.path.abspath(args.build)
    tools = {"hstrace": os.path.join(build, "hstrace"),
             "soak": os.path.join(build, "bench", "soak"),
             "rusage_exec": os.path.join(build, "bench", "rusage_exec")}
    for name, path in tools.items():
        if not os.access(path, os.X_OK):
            print(f"soak.py: {path} is missing: build {build} first (ninja -C {build})",
                  file=sys.stderr)
            return 2
    nworkers = args.threads + args.procs
    if nworkers < 1 or args.calls < 0:
        print("soak.py: need at least one thread or process", file=sys.stderr)
        return 2
    expected = expected_calls(args.calls, nworkers)
    tag = f"hstrace-soak-{os.getpid()}-{time.time_ns()}"
    tmp = tempfile.mkdtemp(prefix="hstrace-soak-", dir=args.tmpdir)
    log = os.path.join(tmp, "soak.bin")
    failures = []
    print(f"soak: {args.calls} calls from {args.threads} threads and {args.procs} processes, "
          f"log {log}", flush=True)
    try:
        made, run = record(args, tools, log, tag, nworkers, failures)
        left = leftover_processes(tag)
        if left:
            states = ", ".join(f"{p} ({process_state(p)})" for p in left)
            failures.append(f"{len(left)} processes of the workload are left behind: {states}")
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        wrong = [w for w in range(nworkers) if made[w] is not None and made[w] != expected[w]]
        if wrong:
            w = wrong[0]
            failures.append(f"{len(wrong)} workers made a different number of calls than planned "
                            f"(worker {w}: {made[w]} of {expected[w]})")
        log_bytes = os.path.getsize(log) if os.path.exists(log) else 0
        read_start = time.monotonic()
        entries, exits, lost, dup, stray = check_log(tools, log, expected, failures)
        read_s = time.monotonic() - read_start
        if lost or dup or stray:
            failures.append(f"log: {lost} calls lost, {dup} duplicated, {stray} never made")
        if exits != args.calls:
            failures.append(f"log: {exits} calls returned, {args.calls} were made")
        hwm_kb = run["hwm_kb"] or run["maxrss_kb"] or 0
        if args.max_rss_mib > 0 and hwm_kb > args.max_rss_mib * 1024:
            failures.append(f"hstrace's peak RSS {hwm_kb / 1024:.1f} MiB is above "
                            f"{args.max_rss_mib:g} MiB")
        per_call = run["elapsed_s"] / args.calls * 1e6 if args.calls else 0.0
        print(f"soak: traced run {run['elapsed_s']:.1f} s ({per_call:.1f} us per call, "
              f"wall clock), log {log_bytes / 1e6:.1f} MB read back in {read_s:.1f} s")
        maxrss = f"{run['maxrss_kb'] / 1024:.1f}" if run["maxrss_kb"] else "?"
        print(f"soak: peak RSS of hstrace {run['hwm_kb'] / 1024:.1f} MiB (VmHWM, "
              f"{run['hwm_samples']} samples), ru_maxrss {maxrss} MiB")
        print(f"soak: {entries} calls in the log, {exits} returned; lost {lost}, "
              f"duplicated {dup}, never made {stray}; {len(left)} processes left behind")
    finally:
        if args.keep:
            print(f"soak: log kept in {log}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print(f"soak: FAIL: {f}")
    print("soak: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
