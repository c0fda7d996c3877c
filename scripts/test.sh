#!/usr/bin/env bash
# The whole test suite: a normal build (jemalloc on) and an ASan+UBSan build
# (jemalloc off), each running every test with `meson test`; then the
# end-to-end suites against a ThreadSanitizer hstrace (scripts/tsan.sh) and
# each libFuzzer target on a fixed seed and number of inputs (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

run_suite() {
    local dir=$1; shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@"
    fi
    ninja -C "$dir"
    meson test -C "$dir" --print-errorlogs
}

run_suite build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan -Db_sanitize=address,undefined -Djemalloc=false -Db_lundef=false
bash scripts/tsan.sh
FUZZ_SECONDS=${FUZZ_SECONDS:-180} bash scripts/fuzz.sh
echo "all test suites passed"
