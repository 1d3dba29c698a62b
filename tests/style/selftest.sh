#!/bin/sh
# tests/style/size.sh must fail on a file over 1,000 lines, a function
# over 100 lines and too many over 60, and pass on a tree within limits.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fn() {  # fn NAME BODY_LINES: one function of BODY_LINES + 3 lines
	printf 'int\n%s(void)\n{\n' "$1"
	k=0
	while [ "$k" -lt "$2" ]; do echo "	(void)0;"; k=$((k + 1)); done
	printf '}\n'
}
expect() {  # expect pass|fail WHAT
	if SIZE_ROOT=$t sh "$here/size.sh" >"$t/out" 2>&1; then got=pass
	else got=fail; fi
	if [ "$got" != "$1" ]; then
		echo "style selftest: $2: size.sh should $1"; cat "$t/out"; exit 1
	fi
}
mkdir -p "$t/base"
fn ok 50 >"$t/base/a.c"
expect pass "a tree within the limits"
fn long 99 >"$t/base/b.c"
expect fail "a function over 100 lines"
rm "$t/base/b.c"
i=0
while [ "$i" -lt 11 ]; do fn "f$i" 60; i=$((i + 1)); done >"$t/base/c.c"
while [ "$i" -lt 20 ]; do fn "f$i" 60; i=$((i + 1)); done >"$t/base/e.c"
expect pass "20 functions over 60 lines in files under 1,000 lines"
fn f20 60 >>"$t/base/e.c"
expect fail "21 functions over 60 lines"
rm "$t/base/c.c" "$t/base/e.c"
i=0
while [ "$i" -lt 1001 ]; do echo "/* */"; i=$((i + 1)); done >"$t/base/d.h"
expect fail "a file over 1,000 lines"
echo "style selftest: 6 passed"
