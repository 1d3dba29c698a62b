#!/bin/sh
# Checks SOAP request bodies against the vim25 (and PBM) schema order
# (see main.go).
# usage: sh tests/schemacheck/run.sh BUILD DIR_OR_FILE...
#   e.g. sh tests/schemacheck/run.sh build fixtures build/sim
# Builds BUILD/schemacheck when its sources changed (tests/sim/gobuild.sh;
# the Go build cache is shared under build/), then checks every *.request
# and *.xml (not *.response.xml) below the given paths.  A path that does
# not exist is reported and skipped, so callers may pass directories that
# only some runs create (such as the integration suites' BUILD/sim).
# Exit status: 0 all valid, 1 violations found, 2 build or usage error.
set -u

[ $# -ge 2 ] || { echo "usage: $0 BUILD DIR_OR_FILE..." >&2; exit 2; }
build=$1; shift

sh tests/sim/gobuild.sh "$build" ./tests/schemacheck "$build/schemacheck" ||
	exit 2

# Keep only the paths that exist (rotating through "$@" keeps any spaces).
for p in "$@"; do
	shift
	if [ -e "$p" ]; then
		set -- "$@" "$p"
	else
		echo "schemacheck: $p does not exist, skipped"
	fi
done
if [ $# -eq 0 ]; then
	echo "schemacheck: nothing to check"
	exit 0
fi
exec "$build/schemacheck" "$@"
