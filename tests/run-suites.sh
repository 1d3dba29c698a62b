#!/bin/sh
# Runs Check suite binaries, prints each suite's summary and one closing
# line "LABEL: N passed, N failed"; exits non-zero when any test failed or
# any binary crashed.  VALGRIND=1 runs each binary under memcheck.
# usage: run-suites.sh BUILD LABEL BIN...
set -u
build=$1; label=$2; shift 2
export CPI_TEST_BUILD="$build"
export CPI_TEST_ROOT="$(pwd)"
passed=0; failed=0; status=0
for bin in "$@"; do
    out=$(mktemp)
    if [ "${VALGRIND:-0}" = 1 ]; then
        # tests/unit/<suite>.supp: that suite's own suppressions.
        supp=tests/unit/$(basename "$bin").supp
        [ -f "$supp" ] && supp="--suppressions=$supp" || supp=
        CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect $supp \
            "$bin" >"$out" 2>&1
    else
        "$bin" >"$out" 2>&1
    fi
    rc=$?
    cat "$out"
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$out" | tail -n 1)
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
    rm -f "$out"
done
echo "$label: $passed passed, $failed failed"
# make test sums every run into one closing line.
[ -n "${CPI_TEST_TALLY:-}" ] && echo "$passed $failed" >>"$CPI_TEST_TALLY"
[ "$failed" -eq 0 ] || status=1
exit $status
