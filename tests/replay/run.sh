#!/bin/sh
# Replays recorded scenarios (no network, no simulator, no Go): a thin
# front end to the Check suite tests/unit/check_replay.c, which
# `make check` also runs.
# usage: sh tests/replay/run.sh BUILD [SCENARIO...]   (from the source root)
#   no SCENARIO: every scenario plus the tamper and redaction cases;
#   SCENARIO: only that test case (a fixtures/ directory name, or one of
#   vs_inventory, tamper, redaction).  LIB_SRC=... is passed on to make.
set -u
build=${1:-build}
[ $# -ge 1 ] && shift
# The suite includes headers make does not track for test binaries
# (their objects are intermediate): always relink it.
rm -f "$build/tests/check_replay"
make -s BUILD="$build" ${LIB_SRC:+"LIB_SRC=$LIB_SRC"} "$build/cpi" \
	"$build/tests/check_replay" || exit 1
if [ $# -eq 0 ]; then
	exec sh tests/run-suites.sh "$build" replay "$build/tests/check_replay"
fi
status=0
for s in "$@"; do
	CK_RUN_CASE=${s%/} sh tests/run-suites.sh "$build" "replay $s" \
		"$build/tests/check_replay" || status=1
done
exit $status
