#!/bin/sh
# Runs Check suite binaries, prints each suite's summary and one closing
# line "LABEL: N passed, N failed"; exits non-zero when any test failed or
# any binary crashed.  VALGRIND=1 runs each binary under memcheck.
# CPI_TEST_JOBS suites run at once (default: the number of CPUs, so
# that each suite has about a CPU, as its Check timeouts assume, under
# the sanitizers too): the suites spend much of their time waiting
# (retries, child processes, fault injection), which the others use.
# Each suite's output is printed whole, in the order the binaries were
# given.
# usage: run-suites.sh BUILD LABEL BIN...
set -u
build=$1; label=$2; shift 2
export CPI_TEST_BUILD="$build"
export CPI_TEST_ROOT="$(pwd)"
passed=0; failed=0; status=0

cpus=$(nproc 2>/dev/null || echo 1)
case $cpus in ''|*[!0-9]*|0) cpus=1;; esac
jobs=${CPI_TEST_JOBS:-$cpus}
case $jobs in ''|*[!0-9]*|0) jobs=1;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_one INDEX BIN: the suite's output in $tmp/INDEX.out, its exit
# status in $tmp/INDEX.rc.
run_one() {
    if [ "${VALGRIND:-0}" = 1 ]; then
        # tests/unit/<suite>.supp: that suite's own suppressions.
        supp=tests/unit/$(basename "$2").supp
        [ -f "$supp" ] && supp="--suppressions=$supp" || supp=
        CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect $supp \
            "$2" >"$tmp/$1.out" 2>&1
    else
        "$2" >"$tmp/$1.out" 2>&1
    fi
    echo $? >"$tmp/$1.rc"
}

# Each lane takes the next binary not yet taken, until none is left.
count=$#
. tests/queue.sh
queue_init "$tmp"
lane=0
while [ "$lane" -lt "$jobs" ]; do
    (
        while :; do
            n=$(queue_claim "$tmp")
            [ "$n" -lt "$count" ] || break
            eval "bin=\${$((n + 1))}"
            run_one "$n" "$bin"
        done
    ) &
    lane=$((lane + 1))
done
wait

i=0
for bin in "$@"; do
    out=$tmp/$i.out
    rc=$(cat "$tmp/$i.rc" 2>/dev/null || echo 1)
    i=$((i + 1))
    cat "$out" 2>/dev/null
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$out" 2>/dev/null | tail -n 1)
    if [ -n "$line" ]; then
        n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
        f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
        e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
        passed=$((passed + n - f - e)); failed=$((failed + f + e))
    else
        echo "$bin: no Check summary (exit $rc)"
        failed=$((failed + 1))
    fi
    [ "$rc" -ne 0 ] && status=1
done
echo "$label: $passed passed, $failed failed"
# make test sums every run into one closing line.
[ -n "${CPI_TEST_TALLY:-}" ] && echo "$passed $failed" >>"$CPI_TEST_TALLY"
[ "$failed" -eq 0 ] || status=1
exit $status
