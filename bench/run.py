#!/usr/bin/env python3
"""Per-syscall overhead benchmark: hstrace against strace, perf trace and a ptrace floor.

Runs each workload (bench/*.c) untraced and under every available tracer, at
size 0 and at a large size N, R times each, and reports medians:

  us/call      (t(N) - t(0)) / calls: wall time per syscall with startup
               (exec, dynamic linking, tracer start, thread/process creation)
               cancelled out, because it happens at size 0 too.
  ovh us/call  us/call minus the untraced us/call: what the tracer adds.
  cpu ovh      the same with user+system CPU time of the tracer and all
               its reaped descendants (wait4 rusage), which shows work that a
               multi-threaded tracer hides from the wall clock.
  fixed ms     t(0) traced - t(0) untraced: start-up and attach costs.
  x strace     ovh / ovh of strace.   x floor: ovh / the lowest ovh of the
               ptrace_floor variants.
  x floor-info ovh / the lowest ovh of floor-pin-info and floor-spin-info, the
               floors that call PTRACE_GET_SYSCALL_INFO at every stop as
               hstrace must: the ratio for "within 10% of the floor".
  maxRSS MB    ru_maxrss from wait4() on the tracer's pid at size N, taken
               by the small launcher rusage_exec (Python's own wait4 would
               never report less than the RSS of the Python interpreter it
               was forked from). Linux reports max(the tracer's own peak RSS,
               the peak of every descendant it reaped), so this includes the
               workload; the untraced row is the workload alone (~1 MB).
  spread %     (max - min) / median of the R wall times at size N.
  busy %       CPU used by everything else on the machine during the size-N
               runs (from /proc/stat, minus the run's own rusage), as a
               percentage of all CPUs, median over the runs. Above a few
               percent, other work disturbed the row.
Sections, each with its own table and its own entry under "sections" in
the JSON file (see bench/README.md):
  readback     hstrace --read LOG -o /dev/null on a recorded syscall_loop
               log: events (records / 2) per wall second and per CPU second.
  spawn100     bench/spawner, 100 new processes a second: traced syscalls
               per second and getppid events lost, hstrace vs strace.
  rss10m       peak RSS of hstrace over 10 M syscalls (opt-in: --only rss10m
               or --long; it takes about 10 minutes).
The JSON rows also carry overhead_min_us, the same as ovh but computed from
the fastest run at each size: noise only adds time, so on a busy machine it
is a useful second opinion.

Only the Python standard library is used. Nothing is built here: point
--build at a meson build directory (default ../build next to this script).
Extra arguments can also come from the HSTRACE_BENCH_ARGS environment variable
(for example HSTRACE_BENCH_ARGS=--quick meson test -C build --benchmark);
arguments on the command line win.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))
COUNT_RE = re.compile(rb"syscalls=(\d+)")


class Workload:
    """One row group of the table: a bench binary and how to size it."""

    def __init__(self, name, binary, make_args, size, quick_size, what):
        self.name = name
        self.binary = binary
        self.make_args = make_args
        self.size = size
        self.quick_size = quick_size
        self.what = what


# Sizes: a traced syscall costs 25-50 us on the 2-core reference VM, so 40000
# calls keep each traced run near 2 s and the whole default run under 5 min.
# --quick sizes only prove that everything runs; forks needs more calls than
# the others before its per-call number rises above the fork-time noise.
WORKLOADS = [
    Workload("syscall_loop", "syscall_loop", lambda n: [n], 40000, 5000,
             "getppid() in one thread"),
    Workload("open_close", "open_close", lambda n: [n], 20000, 2500,
             "openat(\"/dev/null\") + close: 2 calls per N"),
    Workload("write_loop", "write_loop", lambda n: [n, 64], 40000, 5000,
             "64-byte write() to /dev/null"),
    Workload("threads8", "threads", lambda n: [8, n], 40000, 5000,
             "getppid() spread over 8 threads"),
    Workload("threads64", "threads", lambda n: [64, n], 40000, 5000,
             "getppid() spread over 64 threads"),
    Workload("forks32", "forks", lambda n: [32, n], 40000, 10000,
             "getppid() spread over 32 child processes"),
]


class Config:
    """A way to run a workload: untraced, or under one tracer with options."""

    def __init__(self, name, kind, make_prefix, note="", size_factor=1):
        self.name = name
        self.kind = kind
        self.make_prefix = make_prefix  # (paths) -> argv before the workload
        self.note = note
        self.size_factor = size_factor  # N is multiplied by this


def hstrace_bin_prefix(paths):
    return [paths["hstrace"], "--out", paths["log"], "--"]


CONFIGS = [
    # Untraced calls are ~50x cheaper, so a 10x larger N keeps them precise.
    Config("untraced", "untraced", lambda p: [], "no tracer, N x 10",
           size_factor=10),
    Config("floor", "floor", lambda p: [p["floor"], "--"],
           "ptrace_floor: PTRACE_SYSCALL loop, no decoding"),
    Config("floor-pin", "floor", lambda p: [p["floor"], "--pin", "--"],
           "ptrace_floor, tracer and tracee pinned to one CPU"),
    Config("floor-spin", "floor", lambda p: [p["floor"], "--spin", "--"],
           "ptrace_floor --spin: tracer polls waitpid on its own CPU, tracee"
           " on the others"),
    # hstrace needs PTRACE_GET_SYSCALL_INFO at every stop: these two are its
    # like-for-like floors (it spins like floor-spin-info by default).
    Config("floor-pin-info", "floor",
           lambda p: [p["floor"], "--pin", "--get-info", "--"],
           "ptrace_floor --pin --get-info: pinned, GET_SYSCALL_INFO at every stop"),
    Config("floor-spin-info", "floor",
           lambda p: [p["floor"], "--spin", "--get-info", "--"],
           "ptrace_floor --spin --get-info: spinning, GET_SYSCALL_INFO at every stop"),
    Config("hstrace-text", "hstrace",
           lambda p: [p["hstrace"], "-o", "/dev/null", "--"],
           "hstrace -o /dev/null (text)"),
    Config("hstrace-bin", "hstrace", hstrace_bin_prefix,
           "hstrace --out FILE (binary log only)"),
    Config("strace", "strace",
           lambda p: [p["strace"], "-f", "-qq", "-o", "/dev/null", "--"],
           "strace -f -qq -o /dev/null"),
    Config("perf-trace", "perf",
           lambda p: [p["perf"], "trace", "-o", "/dev/null", "--"],
           "perf trace -o /dev/null (not ptrace: does not stop the tracee,"
           " may drop events)"),
]
FLOOR_CONFIGS = [c.name for c in CONFIGS if c.kind == "floor"]
# Floors that call PTRACE_GET_SYSCALL_INFO at every stop, as hstrace must:
# "x floor-info" divides by the lowest of these.
INFO_FLOOR_CONFIGS = ["floor-pin-info", "floor-spin-info"]


class Sample:
    def __init__(self, wall, cpu, maxrss_kb, rc, calls, stderr, log_bytes):
        self.wall = wall
        self.cpu = cpu
        self.maxrss_kb = maxrss_kb
        self.rc = rc
        self.calls = calls
        self.stderr = stderr
        self.log_bytes = log_bytes
        self.other_cpu = None  # CPU seconds used by the rest of the machine
        self.spawn = None  # spawner's (syscalls, getppid, children, elapsed_ns)
        self.seen = None   # getppid( lines in the tracer's text output

    def to_json(self):
        return {"wall_s": self.wall, "cpu_s": self.cpu,
                "maxrss_kb": self.maxrss_kb, "rc": self.rc,
                "calls": self.calls, "log_bytes": self.log_bytes,
                "other_cpu_s": self.other_cpu}


def machine_busy_seconds():
    """CPU seconds all CPUs have spent not idle since boot (/proc/stat)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")


REPORT_RE = re.compile(r"wall_ns=(\d+) utime_us=(\d+) stime_us=(\d+) maxrss_kb=(\d+)")


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass  # it finished just as the timer fired


def run_once(argv, timeout, paths):
    """Runs argv once: wall time, CPU time and peak RSS of its process.

    With BUILD/bench/rusage_exec the numbers come from that small launcher's
    wait4() (see rusage_exec.c for why Python's own wait4 overstates RSS);
    without it, from os.wait4() here.
    """
    log_path, launcher = paths["log"], paths["rusage_exec"]
    if os.path.exists(log_path):
        os.unlink(log_path)
    if launcher:
        argv = [launcher, paths["report"], "--"] + argv
    busy_before = machine_busy_seconds()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err, start_new_session=True)
        # A tracer that hangs must not hang the benchmark: kill its group.
        killer = threading.Timer(timeout, kill_group, (proc.pid,))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        busy_after = machine_busy_seconds()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        counts = COUNT_RE.findall(stdout)
        spawn = SPAWN_RE.findall(stdout)  # only bench/spawner prints this
        stderr = err.read().decode(errors="replace")
    cpu, maxrss = usage.ru_utime + usage.ru_stime, usage.ru_maxrss
    if launcher and os.path.exists(paths["report"]):
        with open(paths["report"]) as f:
            report = REPORT_RE.search(f.read())
        if report:
            wall_ns, utime_us, stime_us, maxrss = map(int, report.groups())
            wall, cpu = wall_ns / 1e9, (utime_us + stime_us) / 1e6
        os.unlink(paths["report"])
    log_bytes = os.path.getsize(log_path) if os.path.exists(log_path) else None
    sample = Sample(wall, cpu, maxrss, proc.returncode,
                    int(counts[-1]) if counts else None, stderr, log_bytes)
    sample.spawn = tuple(int(x) for x in spawn[-1]) if spawn else None
    if busy_before is not None and busy_after is not None:
        sample.other_cpu = max(0.0, busy_after - busy_before - cpu)
    return sample


def sample_problem(sample):
    """Why a run does not count, or None when it is good."""
    if sample.rc == -signal.SIGKILL:
        return "killed (timeout?)"
    if sample.rc != 0:
        first = sample.stderr.strip().splitlines()[:1]
        return "exit %d%s" % (sample.rc, (": " + first[0]) if first else "")
    if sample.calls is None:
        return "workload printed no syscalls= line"
    return None


def find_paths(build, tmpdir):
    launcher = os.path.join(build, "bench", "rusage_exec")
    return {
        "build": build,
        "rusage_exec": launcher if is_executable(launcher) else None,
        "report": os.path.join(tmpdir, "rusage.txt"),
        "floor": os.path.join(build, "bench", "ptrace_floor"),
        "hstrace": os.path.join(build, "hstrace"),
        "strace": shutil.which("strace"),
        "perf": shutil.which("perf"),
        "log": os.path.join(tmpdir, "hstrace-bench.bin"),
    }


def is_executable(path):
    return bool(path) and os.path.isfile(path) and os.access(path, os.X_OK)


def check_config(config, paths, smoke_workload, timeout):
    """Returns None if config can run here, else a one-line reason to skip it."""
    tool = {"floor": "floor", "hstrace": "hstrace", "strace": "strace",
            "perf": "perf"}.get(config.kind)
    if tool and not is_executable(paths[tool]):
        if config.kind == "hstrace":
            return "hstrace not built (%s missing)" % paths["hstrace"]
        if config.kind == "floor":
            return "ptrace_floor not built (%s missing)" % paths["floor"]
        return "%s not installed" % config.kind
    if config.kind == "untraced":
        return None
    # One tiny traced run proves the tool works here (perf trace may lack
    # permissions in a VM, hstrace may be half-written, ptrace may be denied).
    argv = config.make_prefix(paths) + [smoke_workload, "-v", "10"]
    try:
        sample = run_once(argv, min(timeout, 60), paths)
    except OSError as exc:
        return "cannot run: %s" % exc
    problem = sample_problem(sample)
    if problem:
        return "smoke run failed: %s" % problem
    if sample.calls != 10:
        return "smoke run reported syscalls=%s, expected 10" % sample.calls
    return None


def tool_version(argv):
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        lines = (res.stdout or res.stderr).strip().splitlines()
        return lines[0] if lines else None
    except (OSError, subprocess.SubprocessError):
        return None


def progress(msg):
    print(msg, file=sys.stderr, flush=True)


def measure_workload(workload, size, configs, paths, runs, timeout):
    """Runs every config at size 0 and size, runs times; returns samples."""
    binary = os.path.join(paths["build"], "bench", workload.binary)
    samples = {c.name: {0: [], size * c.size_factor: []} for c in configs}
    failed = {}
    if not is_executable(binary):
        return samples, {c.name: "%s not built" % binary for c in configs}
    for rep in range(runs):
        # Rotate the order so that no config always runs first or last.
        shift = rep % len(configs)
        order = configs[shift:] + configs[:shift]
        progress("[%s] run %d/%d" % (workload.name, rep + 1, runs))
        for config in order:
            if config.name in failed:
                continue
            for n in (0, size * config.size_factor):
                argv = (config.make_prefix(paths) + [binary, "-v"] +
                        [str(a) for a in workload.make_args(n)])
                sample = run_once(argv, timeout, paths)
                problem = sample_problem(sample)
                if problem:
                    failed[config.name] = problem
                    progress("  %s failed: %s" % (config.name, problem))
                    break
                samples[config.name][n].append(sample)
    return samples, failed


def summarize(samples, size):
    """Medians for one config of one workload (see the module docstring)."""
    big, zero = samples[size], samples[0]
    if not big or not zero:
        return None
    calls = big[0].calls - zero[0].calls
    if any(s.calls != big[0].calls for s in big) or calls <= 0:
        return None
    t_big = statistics.median(s.wall for s in big)
    t_zero = statistics.median(s.wall for s in zero)
    c_big = statistics.median(s.cpu for s in big)
    c_zero = statistics.median(s.cpu for s in zero)
    walls = [s.wall for s in big]
    others = [s.other_cpu / (s.wall * (os.cpu_count() or 1)) * 100
              for s in big if s.other_cpu is not None and s.wall > 0]
    logs = [s.log_bytes for s in big if s.log_bytes is not None]
    logs_zero = [s.log_bytes for s in zero if s.log_bytes is not None]
    return {
        "calls": calls,
        "t_size_s": t_big,
        "t_zero_s": t_zero,
        "us_per_call": (t_big - t_zero) / calls * 1e6,
        # Noise only ever adds time, so the fastest runs are a useful
        # second opinion when the machine was busy.
        "us_per_call_min": (min(walls) - min(s.wall for s in zero)) / calls * 1e6,
        "cpu_us_per_call": (c_big - c_zero) / calls * 1e6,
        "maxrss_kb": statistics.median(s.maxrss_kb for s in big),
        "spread_pct": (max(walls) - min(walls)) / t_big * 100 if t_big else 0,
        "other_cpu_pct": statistics.median(others) if others else None,
        "log_bytes_per_call": ((statistics.median(logs) -
                                statistics.median(logs_zero)) / calls
                               if logs and logs_zero else None),
    }


def add_relative(rows):
    """Fills overhead and ratio fields of one workload's rows in place."""
    by_name = {r["config"]: r for r in rows if r.get("us_per_call") is not None}
    base = by_name.get("untraced")
    if base is None:
        return
    for row in by_name.values():
        row["overhead_us"] = row["us_per_call"] - base["us_per_call"]
        row["overhead_min_us"] = row["us_per_call_min"] - base["us_per_call_min"]
        row["cpu_overhead_us"] = row["cpu_us_per_call"] - base["cpu_us_per_call"]
        row["fixed_ms"] = (row["t_zero_s"] - base["t_zero_s"]) * 1e3
    floors = [by_name[n]["overhead_us"] for n in FLOOR_CONFIGS if n in by_name]
    best_floor = min(floors) if floors else None
    info_floors = [by_name[n]["overhead_us"] for n in INFO_FLOOR_CONFIGS
                   if n in by_name]
    best_info = min(info_floors) if info_floors else None
    strace = by_name.get("strace")
    for row in by_name.values():
        if row["config"] == "untraced":
            continue
        ovh = row["overhead_us"]
        if strace and strace["overhead_us"] > 0:
            row["x_strace"] = ovh / strace["overhead_us"]
        if best_floor and best_floor > 0:
            row["x_floor"] = ovh / best_floor
        if best_info and best_info > 0:
            row["x_floor_info"] = ovh / best_info


def fmt(value, spec):
    return "-" if value is None else format(value, spec)


TABLE_COLUMNS = [
    ("workload", "workload", "s", "<"),
    ("config", "config", "s", "<"),
    ("us/call", "us_per_call", ".3f", ">"),
    ("ovh us/call", "overhead_us", ".2f", ">"),
    ("cpu ovh", "cpu_overhead_us", ".2f", ">"),
    ("fixed ms", "fixed_ms", ".1f", ">"),
    ("x strace", "x_strace", ".2f", ">"),
    ("x floor", "x_floor", ".2f", ">"),
    ("x floor-info", "x_floor_info", ".2f", ">"),
    ("maxRSS MB", "maxrss_mb", ".1f", ">"),
    ("spread %", "spread_pct", ".1f", ">"),
    ("busy %", "other_cpu_pct", ".0f", ">"),
]


def render_table(rows):
    """Aligned text table; a failed row shows its reason instead of numbers."""
    header = [c[0] for c in TABLE_COLUMNS]
    body = []
    previous = None
    for row in rows:
        first = row["workload"] != previous
        previous = row["workload"]
        cells = [row["workload"] if first else "", row["config"]]
        status = None if row.get("status") == "ok" else row["status"]
        if status is None:
            cells += [fmt(row.get(key), spec) for _, key, spec, _ in TABLE_COLUMNS[2:]]
        body.append((cells, status, first))
    widths = [len(h) for h in header]
    for cells, _, _ in body:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], len(cell))

    def join(cells):
        return "  ".join(cell.ljust(widths[i]) if TABLE_COLUMNS[i][3] == "<"
                         else cell.rjust(widths[i])
                         for i, cell in enumerate(cells))

    text = [join(header), join(["-" * w for w in widths])]
    for i, (cells, status, first) in enumerate(body):
        if first and i:
            text.append("")
        line = join(cells) + ("  " + status if status else "")
        text.append(line.rstrip())
    return "\n".join(text)


def build_rows(workload, size, configs, samples, failed, skipped):
    rows = []
    for config in CONFIGS:
        if config.name in skipped or config not in configs:
            continue
        n = size * config.size_factor
        row = {"workload": workload.name, "config": config.name,
               "size": n, "args": workload.make_args(n)}
        if config.name in failed:
            row["status"] = "FAILED: " + failed[config.name]
        else:
            summary = summarize(samples[config.name], n)
            if summary is None:
                row["status"] = "FAILED: inconsistent syscalls= counts"
            else:
                row.update(summary)
                row["maxrss_mb"] = summary["maxrss_kb"] / 1024
                row["status"] = "ok"
        row["samples"] = {str(k): [s.to_json() for s in v]
                          for k, v in samples[config.name].items()}
        rows.append(row)
    add_relative(rows)
    return rows


# ---------------------------------------------------------------------------
# Sections: measurements that are not "overhead per syscall" rows. Each one
# has its own table and its own entry under "sections" in the JSON file.


class Section:
    """A separate measurement with its own table (selected like a workload)."""

    def __init__(self, name, what, default=True):
        self.name = name
        self.what = what
        self.default = default  # False: only with --only NAME or --long


SECTIONS = [
    Section("readback", "hstrace --read LOG -o /dev/null on a recorded"
            " syscall_loop log: events per second and per CPU-second"),
    Section("spawn100", "spawner: 100 short-lived processes per second, each"
            " doing CALLS getppid(): traced throughput and lost events"),
    Section("seccomp", "-e trace=openat with seccomp-bpf: untraced calls, the"
            " selected openat and forking children, next to strace --seccomp-bpf"),
    Section("rss10m", "peak RSS of hstrace --out / -o /dev/null over 10 M"
            " syscalls (minutes: only with --only rss10m or --long)",
            default=False),
]

READBACK_SIZE, READBACK_QUICK = 500000, 50000
READBACK_TARGET = 1e6          # events per second per core
RSS_SIZE, RSS_QUICK = 10000000, 1000000
RSS_TARGET_MB = 64.0           # MiB
RSS_MIN_TIMEOUT = 3600.0       # 10 M traced calls take ~5 min on the VM
SPAWN_RATE, SPAWN_CALLS = 100, 300
SPAWN_SECONDS, SPAWN_QUICK_SECONDS = 5, 1
RECORDS_RE = re.compile(r"recorded (\d+) records")
SPAWN_RE = re.compile(rb"syscalls=(\d+) getppid=(\d+) children=(\d+)"
                      rb" elapsed_ns=(\d+)")


def count_lines_with(path, needle):
    """Lines of path that contain needle (bytes), or None if it is missing."""
    if not os.path.exists(path):
        return None
    count = 0
    with open(path, "rb") as f:
        for line in f:
            if needle in line:
                count += 1
    return count


def run_plain(argv, timeout, paths):
    """run_once for a command that is not a workload (no syscalls= line)."""
    sample = run_once(argv, timeout, dict(paths, log=os.path.join(
        os.path.dirname(paths["log"]), "unused.bin")))
    if sample.rc == -signal.SIGKILL:
        return sample, "killed (timeout?)"
    if sample.rc != 0:
        first = sample.stderr.strip().splitlines()[:1]
        return sample, "exit %d%s" % (sample.rc,
                                      (": " + first[0]) if first else "")
    return sample, None


def render_simple(rows, columns):
    """Aligned table for a section: columns are (header, key, format)."""
    header = [c[0] for c in columns]
    body = []
    for row in rows:
        if row.get("status", "ok") == "ok":
            cells = [fmt(row.get(key), spec) if spec != "s" else
                     str(row.get(key, "-")) for _, key, spec in columns]
            body.append((cells, None))
        else:
            body.append(([str(row.get(columns[0][1], ""))], row["status"]))
    widths = [len(h) for h in header]
    for cells, _ in body:
        for i, cell in enumerate(cells):
            widths[i] = max(widths[i], len(cell))

    def join(cells):
        return "  ".join(cell.ljust(widths[i]) if i == 0 else
                         cell.rjust(widths[i]) for i, cell in enumerate(cells))

    text = [join(header), join(["-" * w for w in widths])]
    for cells, status in body:
        text.append((join(cells) + ("  " + status if status else "")).rstrip())
    return "\n".join(text)


# Logs read back: the getppid loop (the cheapest record to decode) and a
# real program's mix (ls -laR: stat, getdents64, openat, readlink, write
# buffers; every argument typed), rendered as strace text and as sentences.
MIXED_DIR = "/usr/share"


def record_log(args, paths, log, cmd):
    """Runs hstrace --out LOG -- CMD; (records, log bytes, problem)."""
    rec = run_once([paths["hstrace"], "--out", log, "--"] + cmd,
                   args.timeout, dict(paths, log=log))
    records = RECORDS_RE.search(rec.stderr)
    # Only the bench workloads print syscalls=; ls does not.
    problem = sample_problem(rec) if "-v" in cmd else None
    if rec.rc != 0 and problem is None:
        problem = "exit %d" % rec.rc
    if problem or not records:
        return None, None, problem or "no 'recorded N records' line on stderr"
    return int(records.group(1)), rec.log_bytes, None


def time_reads(args, paths, row, log, render):
    samples = []
    for rep in range(args.runs):
        progress("[readback] %s: read %d/%d" % (row["name"], rep + 1, args.runs))
        sample, problem = run_plain([paths["hstrace"], "--read", log] + render +
                                    ["-o", "/dev/null"], args.timeout, paths)
        if problem:
            row["status"] = "FAILED: --read: " + problem
            return
        samples.append(sample)
    wall = statistics.median(s.wall for s in samples)
    cpu = statistics.median(s.cpu for s in samples)
    walls = [s.wall for s in samples]
    row.update({
        "read_wall_s": wall, "read_cpu_s": cpu,
        "events_per_s": row["events"] / wall if wall else None,
        "events_per_cpu_s": row["events"] / cpu if cpu else None,
        "maxrss_mb": statistics.median(s.maxrss_kb for s in samples) / 1024,
        "spread_pct": (max(walls) - min(walls)) / wall * 100 if wall else 0,
        "samples": [s.to_json() for s in samples],
    })
    if row["events_per_cpu_s"]:
        row["x_target"] = row["events_per_cpu_s"] / READBACK_TARGET
    for key in ("events_per_s", "events_per_cpu_s"):  # table shows millions
        row["m_" + key] = row[key] / 1e6 if row[key] else None


def run_readback(args, paths, tmpdir):
    """Records two logs, then times hstrace --read on them."""
    n = args.size or (READBACK_QUICK if args.quick else READBACK_SIZE)
    loop = os.path.join(paths["build"], "bench", "syscall_loop")
    result = {"size": n, "what": SECTIONS[0].what, "rows": [],
              "target_events_per_s_per_core": READBACK_TARGET}
    if not is_executable(paths["hstrace"]) or not is_executable(loop):
        result["rows"].append({"name": "hstrace --read", "status":
                               "SKIPPED: hstrace or bench/syscall_loop not built"})
        return result
    logs = [("getppid", [loop, "-v", str(n)]),
            ("ls -laR", ["/bin/ls", "-laR", MIXED_DIR])]
    renders = [("text", []), ("human", ["--human"])]
    for label, cmd in logs:
        log = os.path.join(tmpdir, "readback.bin")
        progress("[readback] recording %s" % " ".join(cmd))
        records, size, problem = record_log(args, paths, log, cmd)
        for rname, render in renders:
            row = {"name": "%s, %s" % (label, rname), "status": "ok"}
            result["rows"].append(row)
            if problem:
                row["status"] = "FAILED: recording: " + problem
                continue
            row["records"] = records
            row["events"] = records // 2  # one entry + one exit per syscall
            row["log_mb"] = size / 2**20 if size else None
            row["bytes_per_event"] = size / row["events"] if size and row["events"] else None
            time_reads(args, paths, row, log, render)
        if os.path.exists(log):
            os.unlink(log)
    result["table"] = render_simple(result["rows"], [
        ("log, rendered as", "name", "s"), ("events", "events", "d"),
        ("log MB", "log_mb", ".1f"), ("B/event", "bytes_per_event", ".0f"),
        ("wall s", "read_wall_s", ".3f"), ("cpu s", "read_cpu_s", ".3f"),
        ("Mevents/s", "m_events_per_s", ".3f"),
        ("Mevents/cpu-s", "m_events_per_cpu_s", ".3f"),
        ("x 1M/s/core", "x_target", ".2f"), ("maxRSS MB", "maxrss_mb", ".1f"),
        ("spread %", "spread_pct", ".1f")])
    return result


# The seccomp section: (label, workload argv after BUILD/bench/, calls that
# count, what they measure).  Sizes are multiplied by --size/quick below.
SECCOMP_CASES = [
    ("untraced getppid", ["syscall_loop"], 200000,
     "calls not selected: should cost what they cost untraced"),
    ("selected openat", ["open_close"], 20000,
     "per openat+close pair: only openat is selected"),
    ("forks, untraced", ["forks", "32"], 100000,
     "getppid in 32 children: the filter must survive fork"),
]


def run_seccomp(args, paths):
    """-e trace=openat: hstrace (seccomp) and strace --seccomp-bpf, per call."""
    result = {"rows": [], "what": "us per counted call, median of runs"}
    bench = os.path.join(paths["build"], "bench")
    tracers = [("untraced", []),
               ("hstrace", [paths["hstrace"], "-q", "-o", "/dev/null", "-e", "trace=openat", "--"])]
    if paths["strace"]:
        tracers.append(("strace", [paths["strace"], "-f", "-qq", "--seccomp-bpf", "-e",
                                   "trace=openat", "-o", "/dev/null", "--"]))
    for label, argv, n, what in SECCOMP_CASES:
        n = max(1, n // 20) if args.quick else n
        row = {"name": label, "calls": n, "status": "ok"}
        for tname, prefix in tracers:
            walls = {}
            for size in (0, n):
                times = []
                for rep in range(args.runs):
                    progress("[seccomp] %s, %s, size %d, run %d/%d" % (label, tname, size,
                                                                      rep + 1, args.runs))
                    cmd = prefix + [os.path.join(bench, argv[0])] + argv[1:] + [str(size)]
                    sample, problem = run_plain(cmd, args.timeout, paths)
                    if problem:
                        row["status"] = "FAILED: %s: %s" % (tname, problem)
                        break
                    times.append(sample.wall)
                if row["status"] != "ok":
                    break
                walls[size] = statistics.median(times)
            if row["status"] != "ok":
                break
            row[tname] = (walls[n] - walls[0]) / n * 1e6
        if row["status"] == "ok" and row.get("strace"):
            row["x_strace"] = row["hstrace"] / row["strace"]
        if row["status"] == "ok" and row.get("untraced"):
            row["x_untraced"] = row["hstrace"] / row["untraced"]
        result["rows"].append(row)
    result["table"] = render_simple(result["rows"], [
        ("case", "name", "s"), ("calls", "calls", "d"), ("untraced us", "untraced", ".3f"),
        ("hstrace us", "hstrace", ".3f"), ("strace us", "strace", ".3f"),
        ("x untraced", "x_untraced", ".2f"), ("x strace", "x_strace", ".2f")])
    return result


def section_configs(configs, skipped, names):
    chosen = [c for c in configs if c.name in names]
    return [c for c in chosen if c.name not in skipped], \
           {c.name: skipped[c.name] for c in chosen if c.name in skipped}


def run_rss10m(args, paths, tmpdir, configs, skipped):
    """Peak RSS of hstrace over a very long syscall_loop run (one run each)."""
    n = args.size or (RSS_QUICK if args.quick else RSS_SIZE)
    loop = os.path.join(paths["build"], "bench", "syscall_loop")
    log = os.path.join(tmpdir, "rss10m.bin")
    result = {"size": n, "what": SECTIONS[2].what, "rows": [],
              "target_mb": RSS_TARGET_MB}
    active, skip = section_configs(configs, skipped,
                                   ["hstrace-bin", "hstrace-text"])
    for name, reason in skip.items():
        result["rows"].append({"config": name, "status": "SKIPPED: " + reason})
    prefixes = {"hstrace-bin": [paths["hstrace"], "--out", log, "--"],
                "hstrace-text": [paths["hstrace"], "-o", "/dev/null", "--"]}
    for config in active:
        progress("[rss10m] %s, %d getppid calls (one run)" % (config.name, n))
        sample = run_once(prefixes[config.name] + [loop, "-v", str(n)],
                          max(args.timeout, RSS_MIN_TIMEOUT),
                          dict(paths, log=log))
        if os.path.exists(log):
            os.unlink(log)  # ~2 GB at 10 M calls
        row = {"config": config.name, "size": n, "sample": sample.to_json()}
        problem = sample_problem(sample)
        if problem is None and sample.calls != n:
            problem = "syscalls=%s, expected %d" % (sample.calls, n)
        if problem:
            row["status"] = "FAILED: " + problem
        else:
            row.update({"status": "ok", "wall_s": sample.wall,
                        "us_per_call": sample.wall / n * 1e6,
                        "cpu_s": sample.cpu,
                        "maxrss_mb": sample.maxrss_kb / 1024,
                        "x_target": sample.maxrss_kb / 1024 / RSS_TARGET_MB,
                        "log_mb": (sample.log_bytes / 2**20
                                   if sample.log_bytes else None)})
        result["rows"].append(row)
    result["table"] = render_simple(result["rows"], [
        ("config", "config", "s"), ("calls", "size", "d"),
        ("wall s", "wall_s", ".1f"), ("us/call", "us_per_call", ".2f"),
        ("cpu s", "cpu_s", ".1f"), ("log MB", "log_mb", ".0f"),
        ("maxRSS MB", "maxrss_mb", ".1f"), ("x 64 MiB", "x_target", ".2f")])
    return result


def run_spawn100(args, paths, tmpdir, configs, skipped):
    """Throughput and lost getppid events with 100 new processes a second."""
    seconds = SPAWN_QUICK_SECONDS if args.quick else SPAWN_SECONDS
    binary = os.path.join(paths["build"], "bench", "spawner")
    workload = [binary, "-v", str(seconds), str(SPAWN_RATE), str(SPAWN_CALLS)]
    result = {"what": SECTIONS[1].what, "args": workload[2:], "rows": []}
    text = os.path.join(tmpdir, "spawn.txt")
    log = os.path.join(tmpdir, "spawn.bin")
    prefixes = {
        "untraced": [],
        "hstrace-text": [paths["hstrace"], "-o", text, "--"],
        "hstrace-bin": [paths["hstrace"], "--out", log, "--"],
        "strace": [paths["strace"], "-f", "-qq", "-o", text, "--"],
    }
    active, skip = section_configs(configs, skipped, list(prefixes))
    if not is_executable(binary):
        skip.update({c.name: "%s not built" % binary for c in active})
        active = []
    samples = {c.name: [] for c in active}
    failed = dict(skip)
    for rep in range(args.runs):
        shift = rep % len(active) if active else 0
        progress("[spawn100] run %d/%d" % (rep + 1, args.runs))
        for config in active[shift:] + active[:shift]:
            if config.name in failed:
                continue
            for path in (text, log):
                if os.path.exists(path):
                    os.unlink(path)
            sample = run_once(prefixes[config.name] + workload, args.timeout,
                              dict(paths, log=log))
            problem = sample_problem(sample)
            if problem is None and sample.spawn is None:
                problem = "spawner printed no summary line"
            if problem is None and config.name == "hstrace-bin":
                _, problem = run_plain([paths["hstrace"], "--read", log,
                                        "-o", text], args.timeout, paths)
                problem = problem and "--read: " + problem
            if problem:
                failed[config.name] = problem
                progress("  %s failed: %s" % (config.name, problem))
                continue
            sample.seen = (count_lines_with(text, b"getppid(")
                           if config.name != "untraced" else None)
            samples[config.name].append(sample)
    for path in (text, log):
        if os.path.exists(path):
            os.unlink(path)
    rows = []
    for config in [c for c in CONFIGS if c.name in prefixes]:
        if config.name not in samples and config.name not in failed:
            continue
        row = {"config": config.name}
        if config.name in failed:
            row["status"] = ("SKIPPED: " if config.name in skip else
                             "FAILED: ") + failed[config.name]
            rows.append(row)
            continue
        runs = samples[config.name]
        syscalls, getppid, children = runs[0].spawn[:3]
        walls = [s.wall for s in runs]
        wall = statistics.median(walls)
        seen = [s.seen for s in runs if s.seen is not None]
        row.update({
            "status": "ok", "children": children, "syscalls": syscalls,
            "wall_s": wall, "cpu_s": statistics.median(s.cpu for s in runs),
            "syscalls_per_s": syscalls / wall if wall else None,
            "loop_syscalls_per_s": statistics.median(
                s.spawn[0] / (s.spawn[3] / 1e9) for s in runs),
            "getppid_made": getppid,
            "getppid_seen": min(seen) if seen else None,
            "lost": max(getppid - x for x in seen) if seen else None,
            "maxrss_mb": statistics.median(s.maxrss_kb for s in runs) / 1024,
            "spread_pct": (max(walls) - min(walls)) / wall * 100 if wall else 0,
            "samples": [dict(s.to_json(), getppid_seen=s.seen,
                             loop_elapsed_ns=s.spawn[3]) for s in runs],
        })
        rows.append(row)
    by_name = {r["config"]: r for r in rows if r["status"] == "ok"}
    for row in by_name.values():
        for ref, key in (("untraced", "x_untraced"), ("strace", "x_strace")):
            if ref in by_name and by_name[ref]["syscalls_per_s"]:
                row[key] = row["syscalls_per_s"] / by_name[ref]["syscalls_per_s"]
    result["rows"] = rows
    result["table"] = render_simple(rows, [
        ("config", "config", "s"), ("syscalls", "syscalls", "d"),
        ("wall s", "wall_s", ".2f"), ("cpu s", "cpu_s", ".2f"),
        ("syscalls/s", "syscalls_per_s", ".0f"),
        ("x untraced", "x_untraced", ".2f"), ("x strace", "x_strace", ".2f"),
        ("getppid made", "getppid_made", "d"),
        ("getppid seen", "getppid_seen", "d"), ("lost", "lost", "d"),
        ("maxRSS MB", "maxrss_mb", ".1f"), ("spread %", "spread_pct", ".1f")])
    return result


def parse_args(argv):
    default_build = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "build"))
    parser = argparse.ArgumentParser(
        description="Per-syscall overhead of hstrace vs strace and a ptrace floor.",
        epilog="Workloads: %s. Sections: %s. Configs: %s." % (
            ", ".join(w.name for w in WORKLOADS),
            ", ".join(x.name for x in SECTIONS),
            ", ".join(c.name for c in CONFIGS)))
    parser.add_argument("--build", default=default_build,
                        help="meson build dir (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a CI smoke run (~30 s)")
    parser.add_argument("--only", metavar="W[,W...]",
                        help="workloads or sections to run (a name or a"
                             " prefix: 'threads'); sections: readback,"
                             " spawn100, rss10m")
    parser.add_argument("--long", action="store_true",
                        help="also run the rss10m section (10 M traced"
                             " syscalls twice: about 10 min)")
    parser.add_argument("--configs", metavar="C[,C...]",
                        help="configs to run; untraced is always added")
    parser.add_argument("--runs", type=int,
                        help="runs per config, median taken (default 3, 1 with --quick)")
    parser.add_argument("--size", type=int,
                        help="override N for every workload")
    parser.add_argument("--timeout", type=float, default=600,
                        help="seconds before one run is killed (default 600)")
    parser.add_argument("--cpus", metavar="LIST",
                        help="run everything on these CPUs (e.g. 0 or 0,1): on a"
                             " VM, one CPU removes the cross-CPU wakeup cost")
    parser.add_argument("--json", metavar="FILE",
                        help="also write results here (always: BUILD/bench-results.json)")
    args = parser.parse_args(argv)
    if args.cpus is not None:
        try:
            args.cpus = sorted({int(c) for c in args.cpus.split(",")})
        except ValueError:
            parser.error("--cpus takes a comma-separated list of CPU numbers")
    if args.runs is None:
        args.runs = 1 if args.quick else 3
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.size is not None and args.size < 1:
        parser.error("--size must be at least 1")
    return args


def select(items, spec, what):
    if not spec:
        return list(items)
    chosen = []
    for word in spec.split(","):
        word = word.strip()
        matches = [i for i in items if i.name == word] or \
                  [i for i in items if i.name.startswith(word)]
        if not matches:
            sys.exit("run.py: unknown %s '%s'; choose from: %s" % (
                what, word, ", ".join(i.name for i in items)))
        chosen += [m for m in matches if m not in chosen]
    return [i for i in items if i in chosen]


def collect_meta(args, paths, sizes):
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "host": platform.node(),
        "kernel": platform.release(),
        "ncpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "build": paths["build"],
        "runs": args.runs,
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "quick": args.quick,
        "sizes": sizes,
        "strace_version": tool_version([paths["strace"], "-V"]) if paths["strace"] else None,
        "perf_version": tool_version([paths["perf"], "--version"]) if paths["perf"] else None,
        "method": "median of runs; us/call = (t(N) - t(0)) / (calls(N) - calls(0));"
                  " overhead = us/call - untraced us/call; maxrss = wait4 ru_maxrss of"
                  " the tracer pid (max of tracer and reaped descendants)",
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def write_json(path, doc):
    try:
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        progress("wrote %s" % path)
    except OSError as exc:
        progress("run.py: cannot write %s: %s" % (path, exc))


def main():
    env_args = shlex.split(os.environ.get("HSTRACE_BENCH_ARGS", ""))
    args = parse_args(env_args + sys.argv[1:])
    build = os.path.abspath(args.build)
    if not os.path.isdir(build):
        sys.exit("run.py: build dir %s does not exist; pass --build DIR" % build)
    if args.cpus:
        try:
            os.sched_setaffinity(0, args.cpus)  # inherited by every run
        except OSError as exc:
            sys.exit("run.py: cannot run on CPUs %s: %s" % (args.cpus, exc))
    chosen = select(WORKLOADS + SECTIONS, args.only, "workload or section")
    workloads = [w for w in chosen if isinstance(w, Workload)]
    sections = [x for x in chosen if isinstance(x, Section)
                and (x.default or args.only)]
    if args.long and SECTIONS[2] not in sections:
        sections.append(SECTIONS[2])
    configs = select(CONFIGS, args.configs, "config")
    if CONFIGS[0] not in configs:
        configs.insert(0, CONFIGS[0])
    sizes = {w.name: args.size or (w.quick_size if args.quick else w.size)
             for w in workloads}
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        progress("warning: load average %.2f: other work on this machine will"
                 " make the numbers noisy (see the spread column)" % load_before)

    with tempfile.TemporaryDirectory(prefix="hstrace-bench-") as tmpdir:
        paths = find_paths(build, tmpdir)
        smoke = os.path.join(build, "bench", "syscall_loop")
        skipped = {}
        for config in configs:
            reason = check_config(config, paths, smoke, args.timeout)
            if reason:
                skipped[config.name] = reason
                progress("skipping %s: %s" % (config.name, reason))
        active = [c for c in configs if c.name not in skipped]

        rows = []
        for workload in workloads:
            size = sizes[workload.name]
            samples, failed = measure_workload(workload, size, active, paths,
                                               args.runs, args.timeout)
            rows += build_rows(workload, size, active, samples, failed, skipped)
        section_results = {}
        for section in sections:
            if section.name == "readback":
                section_results["readback"] = run_readback(args, paths, tmpdir)
            elif section.name == "spawn100":
                section_results["spawn100"] = run_spawn100(
                    args, paths, tmpdir, configs, skipped)
            elif section.name == "seccomp":
                section_results["seccomp"] = run_seccomp(args, paths)
            elif section.name == "rss10m":
                section_results["rss10m"] = run_rss10m(
                    args, paths, tmpdir, configs, skipped)
        meta = collect_meta(args, paths, sizes)
        meta["rusage_source"] = "rusage_exec" if paths["rusage_exec"] else "python wait4"
        meta["loadavg_before"] = load_before
        meta["loadavg_after"] = os.getloadavg()[0]

    table = render_table(rows) if rows else None
    print()
    if table:
        print_main_table(table, rows, meta, args, configs, skipped, active,
                         paths, build, load_before)
    for name, result in section_results.items():
        print_section(name, result)
    sys.stdout.flush()

    doc = {"meta": meta, "skipped": skipped,
           "configs": {c.name: c.note for c in CONFIGS},
           "workloads": {w.name: w.what for w in workloads},
           "rows": rows, "table": table, "sections": section_results}
    write_json(os.path.join(build, "bench-results.json"), doc)
    if args.json:
        write_json(args.json, doc)
    # Skipped tools are fine; a tool that passed its smoke run and then
    # failed a workload is a bug worth a red CI run (never a timing check),
    # and so is a lost event in spawn100.
    bad = any(r["status"] != "ok" for r in rows)
    for result in section_results.values():
        for row in result["rows"]:
            if row["status"].startswith("FAILED") or row.get("lost"):
                bad = True
    return 1 if bad else 0


def print_main_table(table, rows, meta, args, configs, skipped, active, paths,
                     build, load_before):
    print("hstrace per-syscall overhead  (%s, %s CPUs, kernel %s, median of %d,"
          " load %.2f -> %.2f%s)" % (
              meta["cpu_model"], os.cpu_count(), meta["kernel"], args.runs,
              load_before, meta["loadavg_after"],
              ", on CPUs %s" % args.cpus if args.cpus else ""))
    print(table)
    print()
    for config in configs:
        if config.name in skipped:
            print("skipped %-13s %s" % (config.name, skipped[config.name]))
    print("us/call = (t(N) - t(0)) / calls; ovh = us/call - untraced us/call;"
          " cpu ovh: the same in user+sys CPU of tracer and workload;")
    print("fixed = extra time at N=0; x floor: vs the lowest floor-* ovh;"
          " maxRSS = max(tracer, workload) peak RSS;")
    print("busy = CPU used by other processes during the runs, % of all CPUs"
          " (high: numbers disturbed).")
    if "perf-trace" in (c.name for c in active):
        print("perf trace does not stop the tracee and may drop events:"
              " its numbers are not directly comparable.")
    if not paths["rusage_exec"]:
        print("note: %s/bench/rusage_exec missing: times and RSS come from"
              " Python's wait4, RSS never below Python's own." % build)
    # The honest floor for hstrace: pinned, with GET_SYSCALL_INFO per stop.
    lines = []
    for row in rows:
        if row["config"] == "hstrace-bin" and row.get("x_floor_info"):
            lines.append("  %-13s hstrace-bin ovh %.2f us = %.2f x floor-info"
                         " (%+.0f%%)" % (row["workload"], row["overhead_us"],
                                         row["x_floor_info"],
                                         (row["x_floor_info"] - 1) * 100))
    if lines:
        print("x floor-info: ovh / the lowest of floor-pin-info, floor-spin-info"
              " (target: hstrace within 10%, i.e. <= 1.10):")
        print("\n".join(lines))


def print_section(name, result):
    print()
    if name == "readback":
        print("readback: hstrace --read LOG [--human] -o /dev/null; logs of %d"
              " getppid calls and of ls -laR %s; median of the reads (target"
              " 1 M events/s per core)" % (result["size"], MIXED_DIR))
    elif name == "spawn100":
        print("spawn100: spawner %s (SECONDS RATE CALLS); throughput ="
              " deliberate syscalls / tracer wall time; lost = getppid made -"
              " 'getppid(' lines in the trace" % " ".join(result["args"]))
    elif name == "seccomp":
        print("seccomp: -e trace=openat, hstrace (seccomp-bpf) and strace --seccomp-bpf;"
              " us per counted call = (t(N) - t(0)) / N (targets: untraced calls within"
              " 5% of untraced, openat <= 0.7x strace, forks <= 0.2x strace)")
    elif name == "rss10m":
        print("rss10m: peak RSS over syscall_loop %d (one run each; target %g"
              " MiB)" % (result["size"], result["target_mb"]))
    if result.get("table"):
        print(result["table"])
    else:
        for row in result["rows"]:
            print("  %s" % row["status"])


if __name__ == "__main__":
    sys.exit(main())
