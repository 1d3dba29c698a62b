#!/bin/sh
# Runs the simulator (integration) suites, each against a fresh vcsim.
# usage: sh tests/sim/run.sh BUILD BIN...     (from the source root;
#        `make integration` calls it with every BUILD/tests/integ_check_*)
#
# Builds BUILD/vcsim from tests/sim/vcsim once (skipped when up to date),
# makes the test certificates once (BUILD/certs, tests/sim/certs.sh), then
# runs CPI_SIM_JOBS suites at a time (default: the number of CPUs; 1
# under VALGRIND=1), each with a simulator of its own.  A suite named in
# tests/integration/<suite>.shards (holding a number N) runs as N parts,
# CPI_TEST_SHARD=K/N in each (tests/support/sim_suite.h), each against
# its own simulator, in BUILD/sim/<suite>.K/.  For EACH suite or part:
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
#       TMPDIR               another one (the CPI's default leftover
#                            journal lives there)
#       CPI_TEST_SHARD       "-", or K/N for a part
#       CPI_TEST_BUILD, CPI_TEST_ROOT   as tests/run-suites.sh sets them
#   - stops the simulator (SIGTERM, then SIGKILL after 10 s), also when
#     the suite crashes or this script is interrupted.
# Runs on the same BUILD take turns (BUILD/sim.lock, flock): a second one
# waits until the first has finished.
# Prints each suite's output whole, in order, then one line
# "integration: N passed, N failed" over all suites, and exits non-zero
# when anything failed.  Kept per suite in BUILD/sim/<suite>/:
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

# run_suite INDEX BIN SHARD: one suite (SHARD "-", or "K/N": the K-th
# of N parts of it, CPI_TEST_SHARD) against its own simulator; its
# output in its directory's suite.out, "PASSED FAILED STATUS" in
# $tmp/INDEX.result.
run_suite() {
	name=$(basename "$2")
	suite=${name#integ_}
	dir=$(item_dir "$2" "$3")
	rm -rf "$dir"
	mkdir -p "$dir/out" "$dir/tmp"
	out=$dir/suite.out

	flags=${VCSIM_EXTRA_FLAGS:-}
	if [ -f "$root/tests/integration/$suite.flags" ]; then
		flags="$flags $(cat "$root/tests/integration/$suite.flags")"
	fi
	# $flags is split into words on purpose.
	# shellcheck disable=SC2086
	if ! start_sim "$dir" $flags 2>"$out"; then
		echo "$2: no simulator, suite not run" >>"$out"
		echo "0 1 1" >"$tmp/$1.result"
		return 0
	fi

	sim_host=$(echo "$sim_url" | sed -E 's|^https?://||; s|/.*||')
	# TMPDIR of its own: the CPI's default leftover journal and every
	# scratch file stay with the suite (suites run side by side).
	env VCSIM_URL="$sim_url" VCSIM_HOST="$sim_host" \
		VCSIM_USER="$user" VCSIM_PASSWORD="$password" \
		VCSIM_CA_CERT="$certs/ca.pem" \
		VCSIM_WRONG_CA_CERT="$certs/wrong-ca.pem" \
		VCSIM_CERT_DIR="$certs" VCSIM_BIN="$vcsim" \
		VCSIM_REQUEST_DIR="$dir/requests" CPI_TEST_OUTDIR="$dir/out" \
		TMPDIR="$dir/tmp" CPI_TEST_JOBS=1 CPI_TEST_SHARD="$3" \
		$setsid sh tests/run-suites.sh "$build" "$name" "$2" \
		>"$out" 2>&1 9>&- &
	suite_pid=$!
	# wait (unlike a foreground command) lets the traps run at once.
	wait "$suite_pid"
	rc=$?
	suite_pid=
	stop_sim

	p=0; f=1
	line=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed\$" "$out" |
		tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed$/\1/')
	else
		echo "$2: no summary line from tests/run-suites.sh" >>"$out"
	fi
	if grep -q 'panic\|DATA RACE' "$dir/vcsim.log"; then
		echo "$2: note: the simulator logged a panic" \
			"(see $dir/vcsim.log)" >>"$out"
	fi
	echo "$p $f $rc" >"$tmp/$1.result"
}

# The work items, one line each: "BIN -" or, for a suite split into N
# parts by tests/integration/<suite>.shards (a number: its slowest
# suites, each part against a simulator of its own), "BIN K/N" for K in
# 0..N-1.  Slowest first: the parts of split suites lead.
items=$(mktemp)
for bin in "$@"; do
	n=$(cat "$root/tests/integration/$(basename "$bin" |
		sed 's/^integ_//').shards" 2>/dev/null || echo 1)
	case $n in ''|*[!0-9]*|0) n=1;; esac
	k=0
	while [ "$n" -gt 1 ] && [ "$k" -lt "$n" ]; do
		echo "$bin $k/$n"
		k=$((k + 1))
	done
done >"$items"
for bin in "$@"; do
	[ -f "$root/tests/integration/$(basename "$bin" |
		sed 's/^integ_//').shards" ] || echo "$bin -"
done >>"$items"
nitems=$(wc -l <"$items")

item_dir() { # BIN SHARD: the item's directory
	d=$absbuild/sim/$(basename "$1" | sed 's/^integ_//')
	[ "$2" = - ] && echo "$d" || echo "$d.$(echo "$2" | cut -d/ -f1)"
}

# Each lane takes the next item not yet taken until none is left, with
# a simulator of its own (a port of its own, datastores in directories
# of their own).
. tests/queue.sh
run_lane() {
	trap 'stop_suite; stop_sim' EXIT
	trap 'stop_suite; stop_sim; exit 130' INT
	trap 'stop_suite; stop_sim; exit 143' TERM
	trap 'stop_suite; stop_sim; exit 129' HUP
	while :; do
		n=$(queue_claim "$tmp")
		[ "$n" -lt "$nitems" ] || break
		# shellcheck disable=SC2046
		set -- $(sed -n "$((n + 1))p" "$items")
		run_suite "$n" "$1" "$2"
	done
}

cpus=$(nproc 2>/dev/null || echo 1)
case $cpus in ''|*[!0-9]*|0) cpus=1;; esac
[ "${VALGRIND:-0}" = 1 ] && jobs=1 || jobs=$cpus
jobs=${CPI_SIM_JOBS:-$jobs}
case $jobs in ''|*[!0-9]*|0) jobs=1;; esac
tmp=$(mktemp -d)
queue_init "$tmp"
lanes=
lane=0
while [ "$lane" -lt "$jobs" ]; do
	run_lane 9>&- &
	lanes="$lanes $!"
	lane=$((lane + 1))
done
stop_lanes() {
	# shellcheck disable=SC2086
	[ -n "$lanes" ] && kill -TERM $lanes 2>/dev/null
	wait
	lanes=
	rm -rf "$tmp" "$items"
}
trap 'stop_lanes' EXIT
trap 'stop_lanes; exit 130' INT
trap 'stop_lanes; exit 143' TERM
trap 'stop_lanes; exit 129' HUP
wait
lanes=

i=0
while read -r bin shard; do
	cat "$(item_dir "$bin" "$shard")/suite.out" 2>/dev/null
	if [ -f "$tmp/$i.result" ]; then
		read -r p f rc <"$tmp/$i.result"
	else
		echo "$bin ($shard): did not run to its end"
		p=0; f=1; rc=1
	fi
	passed=$((passed + p)); failed=$((failed + f))
	[ "$rc" -ne 0 ] && status=1
	i=$((i + 1))
done <"$items"

echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
