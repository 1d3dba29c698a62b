#!/bin/sh
# Self-test of the schema-order checker against tests/data/schemacheck/:
#   valid/    requests that must pass (copies of the simulator requests from
#             the reference notes, with the <TMPDIR> placeholder replaced
#             by /tmp, plus hand-written ones); every file must be checked
#   invalid/  one broken request per file (NAME.xml, or NAME.request with
#             its NAME.meta), each with NAME.expect holding a text the
#             report must contain
#   skip/     bodies that are not SOAP requests (placeholders, uploads
#             per their .meta, responses): all must be skipped
# and the Go unit tests of the simulator wrapper (tests/sim/vcsim: request
# dump naming and redaction), counted as one test.
# usage: sh tests/schemacheck/selftest.sh BUILD
# Ends with "schemacheck selftest: N passed, N failed"; non-zero on failure.
set -u

[ $# -eq 1 ] || { echo "usage: $0 BUILD" >&2; exit 2; }
build=$1
data=tests/data/schemacheck
sc=$build/schemacheck
passed=0; failed=0

sh tests/sim/gobuild.sh "$build" ./tests/schemacheck "$sc" || {
	echo "schemacheck selftest: 0 passed, 1 failed"
	exit 1
}

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# expect_run WANT_RC WANT_TEXT ARGS...: runs the checker, compares.
expect_run() {
	want_rc=$1; want=$2; shift 2
	out=$("$sc" "$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want_rc" ]; then
		bad "schemacheck $*: exit $rc, want $want_rc"
		printf '%s\n' "$out" | sed 's/^/    /'
	elif ! printf '%s\n' "$out" | grep -qF -- "$want"; then
		bad "schemacheck $*: output lacks: $want"
		printf '%s\n' "$out" | sed 's/^/    /'
	else
		ok
	fi
}

# Every valid request is checked (none silently skipped) and passes.
nvalid=$(find "$data/valid" -type f \( -name '*.request' -o \
	-name '*.xml' \) ! -name '*.response.xml' | wc -l)
[ "$nvalid" -gt 100 ] || bad "only $nvalid valid samples"
expect_run 0 "schemacheck: $nvalid checked, 0 skipped, 0 with violations" \
	"$data/valid"

# Each broken request fails alone, with the expected report.
ninvalid=0
for f in "$data"/invalid/*.xml "$data"/invalid/*.request; do
	e=${f%.*}.expect
	if [ ! -f "$e" ]; then
		bad "$f has no .expect"
		continue
	fi
	ninvalid=$((ninvalid + 1))
	expect_run 1 "$(cat "$e")" "$f"
done
for e in "$data"/invalid/*.expect; do
	[ -f "${e%.expect}.xml" ] || [ -f "${e%.expect}.request" ] ||
		bad "$e has no .xml or .request"
done
[ "$ninvalid" -ge 20 ] || bad "only $ninvalid invalid samples"
# ...and together every one of them is counted as bad.
expect_run 1 "$ninvalid checked, 0 skipped, $ninvalid with violations" \
	"$data/invalid"
# One bad file among good ones still fails the run.
expect_run 1 "1 with violations" "$data/valid" \
	"$data/invalid/login_password_first.xml"

# Non-requests are skipped, not failed.
nskip=$(find "$data/skip" -type f \( -name '*.request' -o \
	-name '*.xml' \) | wc -l)
expect_run 0 "0 checked, $nskip skipped, 0 with violations" "$data/skip"
# A file named explicitly is read even when a walk would skip it.
expect_run 1 "appears after <password>" \
	"$data/valid/not-walked.response.xml"

# The simulator wrapper's own unit tests.
if sh tests/sim/gobuild.sh --test "$build" ./tests/sim/vcsim; then
	ok
else
	bad "go test ./tests/sim/vcsim"
fi

# Usage errors.
expect_run 2 "usage"
expect_run 2 "no such file" "$data/does-not-exist"

echo "schemacheck selftest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
