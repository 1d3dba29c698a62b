#!/bin/sh
# Runs the simulator (integration) suites, each against a fresh vcsim.
# usage: sh tests/sim/run.sh BUILD BIN...     (from the source root;
#        `make integration` calls it with every BUILD/tests/integ_check_*)
#
# Builds BUILD/vcsim from tests/sim/vcsim once (skipped when up to date),
# makes the test certificates once (BUILD/certs, tests/sim/certs.sh), then
# for EACH suite binary:
#   - starts a new simulator over TLS with fixed credentials and the extra
#     standard port groups BOSH-V4 and BOSH-V6 on every host; per-suite
#     vcsim flags may be listed in tests/integration/<suite>.flags (e.g.
#     "-ds 2 -dvpg 2"), and VCSIM_EXTRA_FLAGS applies to every suite;
#     its datastores live under /tmp (VCSIM_TMPDIR overrides) so that
#     datastore ids do not depend on the checkout's path;
#   - waits (30 s at most) for its VCSIM_URL line;
#   - runs the suite through tests/run-suites.sh (VALGRIND=1 honoured)
#     with this environment:
#       VCSIM_URL            https://127.0.0.1:PORT/sdk
#       VCSIM_HOST           127.0.0.1:PORT
#       VCSIM_USER           vcsim-user
#       VCSIM_PASSWORD       a password holding & < > " ' (tests escaping)
#       VCSIM_CA_CERT        PEM of the CA that signed the server cert
#       VCSIM_WRONG_CA_CERT  PEM of an unrelated CA
#       VCSIM_CERT_DIR       all certs (see tests/sim/certs.sh)
#       VCSIM_BIN            the simulator binary, for suites that start
#                            another one (e.g. serving expired.pem)
#       VCSIM_REQUEST_DIR    where the simulator dumps each SOAP request
#                            it receives (see below)
#       CPI_TEST_OUTDIR      an empty scratch dir for this suite, e.g. for
#                            recorded exchanges to feed tests/schemacheck
#       CPI_TEST_BUILD, CPI_TEST_ROOT   as tests/run-suites.sh sets them
#   - stops the simulator (SIGTERM, then SIGKILL after 10 s), also when
#     the suite crashes or this script is interrupted.
# Runs on the same BUILD take turns (BUILD/sim.lock, flock): a second one
# waits until the first has finished.
# Ends with one line "integration: N passed, N failed" over all suites and
# exits non-zero when anything failed.  Kept per suite in BUILD/sim/<suite>/:
# vcsim.log (the simulator's stderr), suite.out, and requests/ (every SOAP
# request the simulator received, secrets redacted, for tests/schemacheck:
# sh tests/schemacheck/run.sh BUILD BUILD/sim).
set -u

[ $# -ge 1 ] || { echo "usage: $0 BUILD BIN..." >&2; exit 2; }
build=$1; shift
if [ $# -eq 0 ]; then
	echo "integration: 0 passed, 0 failed"
	exit 0
fi

root=$(pwd)
case $build in /*) absbuild=$build;; *) absbuild=$root/$build;; esac
vcsim=$absbuild/vcsim
certs=$absbuild/certs
user=vcsim-user
password='p&ss<w>rd"'\''1'
sim_pid=
suite_pid=
# The suite runs in its own process group (setsid, util-linux), so an
# interrupted run can stop it together with whatever it started.
setsid=
command -v setsid >/dev/null 2>&1 && setsid=setsid

passed=0; failed=0; status=0

stop_sim() {
	[ -n "$sim_pid" ] || return 0
	kill -TERM "$sim_pid" 2>/dev/null
	n=0
	while kill -0 "$sim_pid" 2>/dev/null && [ "$n" -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if kill -0 "$sim_pid" 2>/dev/null; then
		echo "run.sh: simulator $sim_pid ignored SIGTERM; SIGKILL" >&2
		kill -KILL "$sim_pid" 2>/dev/null
	fi
	wait "$sim_pid" 2>/dev/null
	sim_pid=
}

stop_suite() {
	[ -n "$suite_pid" ] || return 0
	kill -s TERM -- "-$suite_pid" 2>/dev/null ||
		kill -TERM "$suite_pid" 2>/dev/null
	wait "$suite_pid" 2>/dev/null
	suite_pid=
}

trap 'stop_suite; stop_sim' EXIT
trap 'stop_suite; stop_sim; exit 130' INT
trap 'stop_suite; stop_sim; exit 143' TERM
trap 'stop_suite; stop_sim; exit 129' HUP

fail_all() { # MESSAGE
	echo "run.sh: $1" >&2
	echo "integration: 0 passed, $nbins failed"
	exit 1
}

nbins=$#
# One run at a time per BUILD: every run writes the same BUILD/vcsim,
# BUILD/certs and BUILD/sim/<suite>/ (which it first removes), and a
# suite's scratch files there (its config, check_faults' fault log) are
# read back by path, so a second run in the same BUILD would remove the
# first one's files and point its config at the second simulator.  The
# second run waits for the lock (fd 9, kept from the children).
if command -v flock >/dev/null 2>&1; then
	mkdir -p "$absbuild" || fail_all "cannot create $absbuild"
	exec 9>"$absbuild/sim.lock" ||
		fail_all "cannot open $absbuild/sim.lock"
	if ! flock -n 9; then
		echo "run.sh: another run is using $absbuild; waiting" >&2
		flock 9 || fail_all "cannot lock $absbuild/sim.lock"
	fi
fi
sh tests/sim/gobuild.sh "$build" ./tests/sim/vcsim "$vcsim" ||
	fail_all "cannot build the simulator"
sh tests/sim/certs.sh "$certs" || fail_all "cannot make certificates"

# start_sim DIR FLAGS...: starts vcsim, sets sim_pid and sim_url.
start_sim() {
	dir=$1; shift
	rm -f "$dir/vcsim.pid"
	: >"$dir/vcsim.out"	# exists before the poll below reads it
	TMPDIR=${VCSIM_TMPDIR:-/tmp} VCSIM_PASSWORD=$password "$vcsim" \
		-listen 127.0.0.1:0 \
		-cert "$certs/server.pem" -key "$certs/server.key" \
		-user "$user" -portgroups BOSH-V4,BOSH-V6 \
		-pidfile "$dir/vcsim.pid" -dump-requests "$dir/requests" \
		-watch-parent "$@" \
		>"$dir/vcsim.out" 2>"$dir/vcsim.log" </dev/null 9>&- &
	sim_pid=$!
	sim_url=
	n=0
	while [ "$n" -lt 300 ]; do
		sim_url=$(sed -n 's/^VCSIM_URL=//p' "$dir/vcsim.out")
		[ -n "$sim_url" ] && return 0
		kill -0 "$sim_pid" 2>/dev/null || break
		sleep 0.1
		n=$((n + 1))
	done
	echo "run.sh: simulator did not start; its log:" >&2
	sed 's/^/  vcsim: /' "$dir/vcsim.log" >&2
	stop_sim
	return 1
}

for bin in "$@"; do
	name=$(basename "$bin")
	suite=${name#integ_}
	dir=$absbuild/sim/$suite
	rm -rf "$dir"
	mkdir -p "$dir/out"

	flags=${VCSIM_EXTRA_FLAGS:-}
	if [ -f "$root/tests/integration/$suite.flags" ]; then
		flags="$flags $(cat "$root/tests/integration/$suite.flags")"
	fi
	# $flags is split into words on purpose.
	# shellcheck disable=SC2086
	if ! start_sim "$dir" $flags; then
		echo "$bin: no simulator, suite not run"
		failed=$((failed + 1)); status=1
		continue
	fi

	out=$dir/suite.out
	sim_host=$(echo "$sim_url" | sed -E 's|^https?://||; s|/.*||')
	env VCSIM_URL="$sim_url" VCSIM_HOST="$sim_host" \
		VCSIM_USER="$user" VCSIM_PASSWORD="$password" \
		VCSIM_CA_CERT="$certs/ca.pem" \
		VCSIM_WRONG_CA_CERT="$certs/wrong-ca.pem" \
		VCSIM_CERT_DIR="$certs" VCSIM_BIN="$vcsim" \
		VCSIM_REQUEST_DIR="$dir/requests" CPI_TEST_OUTDIR="$dir/out" \
		$setsid sh tests/run-suites.sh "$build" "$name" "$bin" \
		>"$out" 2>&1 9>&- &
	suite_pid=$!
	# wait (unlike a foreground command) lets the traps run at once.
	wait "$suite_pid"
	rc=$?
	suite_pid=
	stop_sim
	cat "$out"

	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed\$" "$out" |
		tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
		passed=$((passed + p)); failed=$((failed + f))
	else
		echo "$bin: no summary line from tests/run-suites.sh"
		failed=$((failed + 1))
	fi
	[ "$rc" -ne 0 ] && status=1
	if grep -q 'panic\|DATA RACE' "$dir/vcsim.log"; then
		echo "$bin: note: the simulator logged a panic" \
			"(see $dir/vcsim.log)"
	fi
done

echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
