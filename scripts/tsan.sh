#!/usr/bin/env bash
# ThreadSanitizer run: hstrace and libhstrace built with -fsanitize=thread
# (build-tsan, jemalloc off), exercised by every test that can run that way.
#
# Criterion 2.4 cannot run under TSan (its BoxFort arena needs addresses
# that TSan's shadow memory takes: "Could not initialize inheritable arena",
# Snaipe/Criterion#274), with the runtime linked in or preloaded.  So:
#
#  1. The end-to-end suites (every meson test whose environment names
#     HSTRACE_BIN: e2e, cli, views, options, decode, human, ...) run from a
#     plain build (PLAIN, default "build", the one scripts/test.sh makes),
#     unmodified, through `meson test --wrapper` that points HSTRACE_BIN at
#     build-tsan/hstrace: the TSan-instrumented hstrace is what they trace
#     with.  Their in-process parts (test_lib, the library cases of
#     test_human) then run the plain library: they prove nothing about
#     races, and say so by passing as in the plain build.
#  2. test_ring is built with TSan in build-tsan: under TSan it replaces
#     Criterion by its own small runner.
#  3. The library in-process, instrumented: build-tsan/examples/open_for_write
#     (hstrace_next on the caller's thread against the pipeline's threads).
#  4. The soak (bench/soak.py) with the TSan hstrace: 64 threads and 100
#     short-lived processes under one tracer, every call checked.
#
# Any TSan report fails the run.  The TSan hstrace carries its own defaults
# (src/cli/main.c: halt_on_error=1, exitcode=66 and the suppressions),
# because most e2e tests run it with an environment of their own, without
# TSAN_OPTIONS: a report ends it at once with status 66, and every e2e test
# checks hstrace's exit status (a deliberate race made all 38 e2e and all 7
# options tests fail).  Where our environment does reach the process
# (test_ring, the example, the soak, tests that forward it), TSAN_OPTIONS
# below also writes every report to $logdir/tsan.PID, which this script
# checks after each step.  Suppressions (third-party code only, each
# explained): scripts/tsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

TSAN_BUILD=${TSAN_BUILD:-build-tsan}
PLAIN=${PLAIN:-build}
SOAK_CALLS=${TSAN_SOAK_CALLS:-100000}

# --disable-new-dtags: DT_RPATH, not DT_RUNPATH, so the TSan hstrace loads
# the TSan libhstrace.so even where meson test sets LD_LIBRARY_PATH to the
# plain build (it does for suites that link the library).  With the plain
# library loaded, TSan sees the ring's memcpy and process_vm_readv but not
# its atomics, and reports races that are not there.
if [ ! -f "$TSAN_BUILD/build.ninja" ]; then
    meson setup "$TSAN_BUILD" -Db_sanitize=thread -Djemalloc=false -Db_lundef=false \
        -Dc_link_args=-Wl,--disable-new-dtags
else
    meson configure "$TSAN_BUILD" -Dc_link_args=-Wl,--disable-new-dtags
fi
if [ ! -f "$PLAIN/build.ninja" ]; then
    meson setup "$PLAIN"
fi
# Only what runs under TSan; the Criterion executables of build-tsan would
# abort at start-up anyway.
ninja -C "$TSAN_BUILD" hstrace tests/test_ring examples/open_for_write bench/soak bench/rusage_exec
ninja -C "$PLAIN"
# (ldd's output is kept first: with pipefail, grep -q closing the pipe early
# would fail the check by SIGPIPE.)
libs=$(LD_LIBRARY_PATH="$root/$PLAIN" ldd "$TSAN_BUILD/hstrace")
if ! grep -q "libhstrace.*$TSAN_BUILD/" <<<"$libs"; then
    echo "tsan.sh: $TSAN_BUILD/hstrace does not load its own libhstrace.so under LD_LIBRARY_PATH" >&2
    exit 1
fi

# The hstrace executable carries the same suppressions (src/cli/main.c,
# __tsan_default_suppressions) for the tests that run it without our
# environment: the two lists must agree.
for rule in $(grep -v '^#' scripts/tsan.supp); do
    if ! grep -qF "\"$rule\\n\"" src/cli/main.c; then
        echo "tsan.sh: '$rule' of scripts/tsan.supp is missing from src/cli/main.c" >&2
        exit 1
    fi
done
if [ "$(grep -c '^called_from_lib:\|^race:\|^deadlock:\|^mutex:\|^signal:\|^thread:' scripts/tsan.supp)" != \
     "$(grep -cE '^\s*(return )?"(called_from_lib|race|deadlock|mutex|signal|thread):' src/cli/main.c)" ]; then
    echo "tsan.sh: src/cli/main.c suppresses more than scripts/tsan.supp" >&2
    exit 1
fi

logdir=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-tsan.XXXXXX")
trap 'rm -rf "$logdir"' EXIT
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66 suppressions=$root/scripts/tsan.supp log_path=$logdir/tsan"

check_reports() {
    if compgen -G "$logdir/tsan*" > /dev/null; then
        echo "tsan.sh: ThreadSanitizer reports after $1:" >&2
        cat "$logdir"/tsan* >&2
        exit 1
    fi
}

echo "== test_ring (TSan build, its own runner)"
"$TSAN_BUILD/tests/test_ring"
check_reports test_ring

echo "== the library in-process (examples/open_for_write, TSan build)"
"$TSAN_BUILD/examples/open_for_write" > /dev/null
check_reports open_for_write

# The suites that run the hstrace command, from the plain build.
mapfile -t e2e < <(meson introspect "$PLAIN" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    env = t["env"] if isinstance(t["env"], dict) else dict(e.split("=", 1) for e in t["env"])
    if "HSTRACE_BIN" in env:
        print(t["name"])')
echo "== ${e2e[*]} (plain build, HSTRACE_BIN=$TSAN_BUILD/hstrace)"
meson test -C "$PLAIN" --no-rebuild --print-errorlogs --timeout-multiplier 4 \
    --wrapper "env HSTRACE_BIN=$root/$TSAN_BUILD/hstrace" "${e2e[@]}"
check_reports "the end-to-end suites"

echo "== soak with the TSan hstrace ($SOAK_CALLS calls)"
python3 bench/soak.py --build "$TSAN_BUILD" --calls "$SOAK_CALLS" --threads 64 --procs 100 \
    --max-rss-mib 0
check_reports soak

echo "tsan.sh: no ThreadSanitizer report"
