#!/usr/bin/env bash
# Build the libFuzzer targets (fuzz/) with clang, ASan and UBSan, and run
# each for a bounded time on a copy of its seed corpus (fuzz/corpus/), so
# the committed corpus never grows.  Installs nothing: clang and libFuzzer
# (Debian 12: clang, libclang-rt-14-dev) must be there.
#
#   FUZZ_SECONDS  seconds per target (default 60)
#   FUZZ_SEED     libFuzzer's -seed (default 1; "random" for a new one each
#                 run).  test.sh (CI) keeps seed 1 and caps the inputs per
#                 target (FUZZ_RUNS_LOG, FUZZ_RUNS_DECODE): the same inputs
#                 every run, so CI fails for a change, not for the luck of
#                 a seed.  Explore with FUZZ_SEED=random and more seconds.
#   FUZZ_BUILD    build directory (default build-fuzz)
#   FUZZ_TARGETS  which targets (default "fuzz_log fuzz_decode")
#
# Exits non-zero if a target finds a crash, a leak, a timeout or UB; the
# input that did it is left in $FUZZ_BUILD/fuzz-artifacts/ (add a small one
# to fuzz/corpus/<target>/ as regress-NAME once the bug is fixed).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
seed=${FUZZ_SEED:-1}
build=${FUZZ_BUILD:-build-fuzz}
targets=${FUZZ_TARGETS:-fuzz_log fuzz_decode}

if ! command -v clang >/dev/null; then
    echo "fuzz.sh: clang is not installed (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzz=true -Db_sanitize=address,undefined \
        -Djemalloc=false -Db_lundef=false
fi
ninja -C "$build" $(for t in $targets; do echo "fuzz/$t"; done)

# UBSan is built recoverable; halt so that the fuzzer reports the input.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1

artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
status=0
for t in $targets; do
    seeds=fuzz/corpus/${t#fuzz_}
    work=$(mktemp -d)
    cp "$seeds"/* "$work"/
    runs=-1
    if [ "$seed" != random ]; then
        case $t in
            fuzz_log) runs=${FUZZ_RUNS_LOG:-6000} ;;
            fuzz_decode) runs=${FUZZ_RUNS_DECODE:-100000} ;;
        esac
    fi
    seed_arg=()
    [ "$seed" != random ] && seed_arg=(-seed="$seed")
    echo "== $t: ${seconds}s at most, $runs inputs (-1: no cap), seed $seed, on $(ls "$work" | wc -l) seeds from $seeds"
    # -timeout: one input over 10 s is a hang; -rss_limit_mb bounds memory.
    # No -jobs/-workers: one fuzzing process, the machine is shared.
    if "$build/fuzz/$t" "${seed_arg[@]}" -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
        "$work" >"$artifacts/$t.log" 2>&1; then
        grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' \
            "$artifacts/$t.log" || true
        grep -E '^#[0-9]+ +DONE' "$artifacts/$t.log" | tail -1 || true
        echo "== $t: nothing found"
    else
        echo "== $t: FAILED; the end of its log ($artifacts/$t.log):"
        tail -n 60 "$artifacts/$t.log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
