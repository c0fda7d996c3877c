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
    Config("floor-info", "floor", lambda p: [p["floor"], "--get-info", "--"],
           "ptrace_floor + PTRACE_GET_SYSCALL_INFO at every stop"),
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
        counts = COUNT_RE.findall(out.read())
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
    strace = by_name.get("strace")
    for row in by_name.values():
        if row["config"] == "untraced":
            continue
        ovh = row["overhead_us"]
        if strace and strace["overhead_us"] > 0:
            row["x_strace"] = ovh / strace["overhead_us"]
        if best_floor and best_floor > 0:
            row["x_floor"] = ovh / best_floor


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


def parse_args(argv):
    default_build = os.path.normpath(os.path.join(SCRIPT_DIR, "..", "build"))
    parser = argparse.ArgumentParser(
        description="Per-syscall overhead of hstrace vs strace and a ptrace floor.",
        epilog="Workloads: %s. Configs: %s." % (
            ", ".join(w.name for w in WORKLOADS),
            ", ".join(c.name for c in CONFIGS)))
    parser.add_argument("--build", default=default_build,
                        help="meson build dir (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes for a CI smoke run (~30 s)")
    parser.add_argument("--only", metavar="W[,W...]",
                        help="workloads to run (a name or a prefix: 'threads')")
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
    workloads = select(WORKLOADS, args.only, "workload")
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
        meta = collect_meta(args, paths, sizes)
        meta["rusage_source"] = "rusage_exec" if paths["rusage_exec"] else "python wait4"
        meta["loadavg_before"] = load_before
        meta["loadavg_after"] = os.getloadavg()[0]

    table = render_table(rows)
    print()
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
    sys.stdout.flush()

    doc = {"meta": meta, "skipped": skipped,
           "configs": {c.name: c.note for c in CONFIGS},
           "workloads": {w.name: w.what for w in workloads},
           "rows": rows, "table": table}
    write_json(os.path.join(build, "bench-results.json"), doc)
    if args.json:
        write_json(args.json, doc)
    # Skipped tools are fine; a tool that passed its smoke run and then
    # failed a workload is a bug worth a red CI run (never a timing check).
    return 1 if any(r["status"] != "ok" for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
