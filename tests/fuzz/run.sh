#!/bin/sh
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang and runs
# each for SECONDS, starting from its seed corpus tests/fuzz/corpus/<name>/.
# usage: sh tests/fuzz/run.sh BUILD SECONDS [NAME...]     (from the root)
#   make fuzz        BUILD=build/fuzz, FUZZ_TIME (default 60) per harness
#   make fuzz-smoke  the same for the Makefile's FUZZ_SMOKE_TIME seconds per
#                    harness (part of make check)
#
# The library is compiled by the Makefile into BUILD with
# -fsanitize=fuzzer-no-link,address,undefined; the harnesses are linked
# with -fsanitize=fuzzer.  Inputs the fuzzer adds go to BUILD/corpus/<name>
# (kept between runs, never committed); crashing inputs to
# BUILD/crashes/<name>/.  Every seed in the corpus is run first, so a
# crash input copied into tests/fuzz/corpus/<name>/ is a regression test.
# tests/fuzz/<name>.dict, when present, is passed as -dict.
# Prints one line per harness, "NAME: N execs, N crashes", and a closing
# "fuzz: N harnesses, N execs, N crashes"; exits non-zero on any crash or
# build failure.
set -u

[ $# -ge 2 ] || { echo "usage: $0 BUILD SECONDS [NAME...]" >&2; exit 2; }
build=$1; secs=$2; shift 2
case $secs in ''|*[!0-9]*) echo "$0: SECONDS must be a number" >&2
	exit 2;; esac
root=$(pwd)
make=${MAKE:-make}
cc=${FUZZ_CC:-clang}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
san="$san -fno-omit-frame-pointer"

command -v "$cc" >/dev/null 2>&1 ||
	{ echo "fuzz: $cc not found (apt-get install clang)" >&2; exit 1; }

if [ $# -eq 0 ]; then
	set --
	for f in tests/fuzz/fuzz_*.c; do
		n=$(basename "$f" .c)
		set -- "$@" "$n"
	done
fi

# The library, instrumented for coverage.  Quiet unless it fails.
log=$(mktemp)
if ! $make -s BUILD="$build" CC="$cc" CFLAGS="-O1 -g" \
		XCFLAGS="-fsanitize=fuzzer-no-link $san" \
		XLDFLAGS="$san" "$build/libcpi.a" >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "fuzz: library build failed" >&2
	exit 1
fi
rm -f "$log"

pkgs=$(cat scripts/pkg-modules)
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O1 -g
-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
-Wformat=2 -Wvla -I. $(pkg-config --cflags $pkgs)"
libs="$(pkg-config --libs $pkgs) -lz -lm"

total_execs=0; total_crashes=0; status=0; count=0
for name in "$@"; do
	src=tests/fuzz/$name.c
	bin=$build/$name
	if [ ! -f "$src" ]; then
		echo "$name: no such harness ($src)" >&2
		status=1
		continue
	fi
	# shellcheck disable=SC2086
	if ! $cc $cflags -fsanitize=fuzzer $san -o "$bin" "$src" \
			"$build/libcpi.a" $libs; then
		echo "$name: build failed"
		status=1
		continue
	fi
	corpus=$build/corpus/$name
	crashes=$build/crashes/$name
	mkdir -p "$corpus" "$crashes"
	before=$(ls "$crashes" | wc -l)
	out=$build/$name.log
	seeds=$root/tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	dict=
	[ -f "tests/fuzz/$name.dict" ] && dict=-dict=tests/fuzz/$name.dict
	# -rss_limit_mb: ASan's shadow memory counts; 2 GiB is plenty.
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 $dict \
		-artifact_prefix="$crashes/" "$corpus" $seeds \
		>"$out" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" |
		tail -n 1)
	[ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$out" | tail -n 1 |
		tr -d '#')
	[ -n "$execs" ] || execs=0
	after=$(ls "$crashes" | wc -l)
	crashed=$((after - before))
	if [ "$rc" -ne 0 ] && [ "$crashed" -eq 0 ]; then
		crashed=1	# died without an artifact: still a failure
	fi
	echo "$name: $execs execs, $crashed crashes"
	if [ "$crashed" -ne 0 ]; then
		status=1
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' \
			"$out" | head -n 8 | sed 's/^/  /'
		echo "  full log: $out"
	fi
	total_execs=$((total_execs + execs))
	total_crashes=$((total_crashes + crashed))
	count=$((count + 1))
done
echo "fuzz: $count harnesses, $total_execs execs, $total_crashes crashes"
exit $status
