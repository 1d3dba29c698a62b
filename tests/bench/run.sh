#!/bin/sh
# Benchmarks of the built CPI.  Prints figures, asserts no targets (a run
# fails only when a call did not answer).  Each bench is a plain C
# program under tests/bench/ compiled here with cc; add one by writing
# tests/bench/bench_NAME.c and a `bench NAME ARGS...` line below.
# usage: tests/bench/run.sh BUILD      (BENCH_RUNS=N overrides 200)
set -eu
build=${1:-build}
runs=${BENCH_RUNS:-200}
out="$build/bench"
mkdir -p "$out"
[ -x "$build/cpi" ] || { echo "bench: $build/cpi not built" >&2; exit 1; }

bench() {
    name=$1; shift
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror \
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -o "$out/bench_$name" "tests/bench/bench_$name.c"
    "$out/bench_$name" "$@"
}

# info: process start, request parse, answer; no config read, no vCenter.
bench info "$build/cpi" tests/data/cpi/cpi.json "$runs"
