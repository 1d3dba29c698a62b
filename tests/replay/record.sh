#!/bin/sh
# Re-records scenarios under fixtures/ against a fresh vCenter simulator
# (one per scenario).  Layout and guarantees: fixtures/README.md.
# usage: sh tests/replay/record.sh SCENARIO...     (from the source root)
#        sh tests/replay/record.sh --all
#   BUILD=dir   build directory (default build); the cpi binary and
#               libcpi.a are built there first (LIB_SRC is passed on)
#
# A CPI-level scenario is fixtures/S/cpi/NN-method.request.json (+
# fixtures/S/config.json, copied from tests/replay/config.template.json
# when missing, + an optional prepare.sh, vcsim.flags and sim-setup).  Its old
# exchanges and responses are removed, each request runs through
# `cpi --record fixtures/S LIVE_CONFIG`, and the responses are written
# next to the requests.  The live config is config.json with the
# simulator's host, a random password and the test CA filled in; it
# lives in a scratch directory and is deleted afterwards.
# When fixtures/S/from-schema.sh exists it runs right after the
# recording (before the redaction checks) to rewrite what the simulator
# cannot answer from the vim25 schema.
# The vsphere-layer scenario vs_inventory is recorded by rec_vsphere.
set -u

build=${BUILD:-build}
root=$(pwd)
[ -f "$root/tests/replay/record.sh" ] || {
	echo "record.sh: run it from the source root" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 SCENARIO... | --all" >&2; exit 2; }
if [ "$1" = --all ]; then
	set -- $(cd fixtures && for d in */; do
		[ -d "$d" ] && echo "${d%/}"; done)
fi

. tests/replay/sim.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/record.XXXXXX")
trap 'sim_stop; rm -rf "$work"' EXIT
trap 'sim_stop; rm -rf "$work"; exit 130' INT
trap 'sim_stop; rm -rf "$work"; exit 143' TERM

# LIB_SRC=... narrows the library while another module is half-written.
make -s BUILD="$build" ${LIB_SRC:+"LIB_SRC=$LIB_SRC"} "$build/cpi" \
	"$build/libcpi.a" || exit 1
PKGS=$(cat scripts/pkg-modules)
tool() { # NAME: builds $build/replay/NAME from tests/replay/NAME.c
	mkdir -p "$build/replay"
	# pkg-config output is split into words on purpose.
	# shellcheck disable=SC2046
	${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		-Wall -Wextra -Werror -O1 -g -I. \
		$(pkg-config --cflags $PKGS) -o "$build/replay/$1" \
		"tests/replay/$1.c" tests/support/cpi_run.c \
		tests/support/scenario.c \
		"$build/libcpi.a" $(pkg-config --libs $PKGS) -lz -lm
}
tool rec_cpi || exit 1
tool rec_vsphere || exit 1
tool sim_setup || exit 1
sim_build "$build" || exit 1

status=0
for s in "$@"; do
	s=${s%/}
	dir=fixtures/$s
	echo "record: $s"
	case $s in
	vs_inventory) kind=vsphere; mkdir -p "$dir";;
	*)
		[ -d "$dir/cpi" ] || {
			echo "record.sh: $dir/cpi/ missing" >&2
			status=1; continue; }
		kind=cpi
		[ -f "$dir/config.json" ] ||
			cp tests/replay/config.template.json "$dir/config.json"
		rm -f "$dir"/cpi/*.response.json;;
	esac
	rm -f "$dir"/[0-9]*-*.request "$dir"/[0-9]*-*.response \
		"$dir"/[0-9]*-*.meta
	flags=
	[ -f "$dir/vcsim.flags" ] && flags=$(cat "$dir/vcsim.flags")
	# shellcheck disable=SC2086
	sim_start "$build" "$work/sim-$s" $flags || { status=1; continue; }
	# fixtures/S/sim-setup: one `sim_setup` command per line (not
	# recorded), e.g. "place-vm DC0 BOSH_VMs DC0_H0_VM0 vm-<uuid>".
	if [ -f "$dir/sim-setup" ]; then
		while read -r line; do
			case $line in ''|'#'*) continue;; esac
			# shellcheck disable=SC2086
			VCSIM_URL=$SIM_URL VCSIM_USER=$SIM_USER \
				VCSIM_PASSWORD=$SIM_PASSWORD \
				VCSIM_CA_CERT=$SIM_CA \
				"$build/replay/sim_setup" $line </dev/null ||
				status=1
		done <"$dir/sim-setup"
	fi
	if [ "$kind" = vsphere ]; then
		VCSIM_URL=$SIM_URL VCSIM_USER=$SIM_USER \
			VCSIM_PASSWORD=$SIM_PASSWORD VCSIM_CA_CERT=$SIM_CA \
			"$build/replay/rec_vsphere" "$dir" || status=1
	else
		sim_live_config "$dir/config.json" "$work/live.json" &&
			VCSIM_PASSWORD=$SIM_PASSWORD CPI_LOG_LEVEL=warn \
			"$build/replay/rec_cpi" "$build/cpi" "$work/live.json" \
			"$dir" || status=1
		rm -f "$work/live.json"
	fi
	sim_stop
	# fixtures/S/from-schema.sh: what the simulator cannot answer,
	# rewritten from the vim25 schema after the recording (it runs from
	# the source root; see the script for what it changes).
	if [ -f "$dir/from-schema.sh" ]; then
		sh "$dir/from-schema.sh" || {
			echo "record.sh: $dir/from-schema.sh failed" >&2
			status=1; }
	fi
	# Per-session MOIDs (session[KEY]uuid) carry the session key.  The
	# record transport redacts the keys it learns from Login replies;
	# this is a safety net for any it did not learn.  Replay masks
	# session[…]… on both sides.
	for f in "$dir"/[0-9]*-*.request "$dir"/[0-9]*-*.response; do
		[ -f "$f" ] || continue
		grep -q 'session\[[^]R]' "$f" || continue
		sed 's/session\[[^]]*\]/session[REDACTED]/g' "$f" >"$f.tmp" &&
			mv "$f.tmp" "$f"
	done
	# Nothing secret may be left in the scenario.
	if grep -rqF -- "$SIM_PASSWORD" "$dir"; then
		echo "record.sh: the password leaked into $dir" >&2
		status=1
	fi
	if grep -rqE 'vmware_soap_session''=[^R;"&[:space:]]{8}' "$dir"; then
		echo "record.sh: a session cookie leaked into $dir" >&2
		status=1
	fi
	n=$(ls "$dir" | grep -c '\.meta$')
	echo "record: $s: $n vSphere exchange(s)"
done
exit $status
