#!/bin/sh
# `make demo`: a Director-like sequence of CPI calls answered from the
# recorded fixtures (fixtures/README.md).  No vCenter, no network, no Go:
# each call runs the real build/cpi with `--replay fixtures/SCENARIO`, and
# the vSphere side is served from the recorded SOAP exchanges.
# usage: sh tests/demo.sh BUILD        (from the source root)
#   DEMO_SCENARIOS="..." overrides the scenarios shown.
set -eu
build=${1:-build}
scenarios=${DEMO_SCENARIOS:-check info director dual_stack vm_ops}
[ -x "$build/cpi" ] && [ -f "$build/libcpi.a" ] || {
	echo "demo: $build/cpi not built (make BUILD=$build)" >&2; exit 1; }

pkgs=$(cat scripts/pkg-modules)
mkdir -p "$build/replay"
if [ ! -x "$build/replay/demo" ] ||
	[ -n "$(find tests/replay tests/support "$build/libcpi.a" \
		-newer "$build/replay/demo" -name '*.[cha]' \
		2>/dev/null)" ]; then
	# pkg-config output is split into words on purpose.
	# shellcheck disable=SC2046
	${CC:-cc} -std=c11 -O1 -Wall -Wextra -Werror \
		-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
		$(pkg-config --cflags $pkgs) -o "$build/replay/demo" \
		tests/replay/demo.c tests/support/cpi_run.c \
		tests/support/scenario.c "$build/libcpi.a" \
		$(pkg-config --libs $pkgs) -lz -lm
fi

cat <<TEXT
vsphere-cpi-c demo: the BOSH Director runs \`cpi CONFIG.json\` once per
call, with one JSON request on stdin, and reads one JSON response from
stdout.  Here every call runs $build/cpi for real, in replay mode: its
vSphere SOAP calls are checked against, and answered from, exchanges
recorded against the vCenter simulator (fixtures/<scenario>/NNN-*).
Scenarios: $scenarios
TEXT
# shellcheck disable=SC2086
"$build/replay/demo" "$build/cpi" fixtures $scenarios
