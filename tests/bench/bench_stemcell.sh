#!/bin/sh
# create_stemcell / delete_stemcell figures against a fresh simulator:
# wall time, peak RSS of the cpi process (wait4) and round trips (the
# client's own count, logged at debug level: SOAP calls and the NFC
# upload) for a small image and a 64 MiB one.  Peak RSS must not grow
# with the image size (the tarball is unpacked and uploaded streaming);
# the figures are printed side by side, and the run fails only when a
# call does not answer or RSS grows by more than 16 MiB between the two.
#
# usage: tests/bench/bench_stemcell.sh BUILD     (from the source root)
#        BENCH_STEMCELL_MB=N changes the big image's size (default 64).
# Needs qemu-img, Go and govmomi (skipped with a note without them).
set -eu
. tests/bench/common.sh

build=${1:-build}
mb=${BENCH_STEMCELL_MB:-64}
out=$build/bench/stemcell
[ -x "$build/cpi" ] || { echo "bench stemcell: $build/cpi not built" >&2
                         exit 1; }
command -v qemu-img >/dev/null 2>&1 || {
	echo "bench stemcell: skipped, no qemu-img"; exit 0; }
rm -rf "$out"
mkdir -p "$out"

bench_runner

# Images: the tiny test stemcell, and the same with a disk of $mb MiB of
# random data (incompressible, so the tarball is about that size too).
sh tests/stemcell/make-image.sh "$out/small" >/dev/null
big=$out/big
sh tests/stemcell/make-random-image.sh "$out/small/stage" "$big/stage" "$mb"
tar -czf "$big/image" -C "$big/stage" image.ovf image-disk1.vmdk

bench_sim stemcell
sim_start "$build" "$out/sim"
sim_live_config tests/replay/config.template.json "$out/live.json"
mkdir -p "$out/tmp"

# call NAME METHOD ARG: runs the binary, prints a figure line, and leaves
# the result in $result.
call() {
	printf '{"method":"%s","arguments":%s,"api_version":2}\n' "$2" "$3" \
		>"$out/$1.req"
	set -- "$1" "$2" $(TMPDIR=$(pwd)/$out/tmp CPI_LOG_LEVEL=debug \
		"$out/runner" "$out/$1.req" "$out/$1.out" "$out/$1.err" \
		"$build/cpi" "$out/live.json")
	if [ "$3" != 0 ] || grep -q '"error":{' "$out/$1.out"; then
		echo "bench stemcell: $2 failed:" >&2
		cat "$out/$1.out" "$out/$1.err" >&2
		exit 1
	fi
	rt=$(sed -n 's/.* \([0-9][0-9]*\) vCenter round trips.*/\1/p' \
		"$out/$1.err" | tail -n 1)
	rss_last=$5
	printf '%-28s wall %8.1f ms  peak RSS %7d KiB  round trips %s\n' \
		"$1" "$4" "$5" "${rt:-?}"
	result=$(sed -n 's/.*"result":"\([^"]*\)".*/\1/p' "$out/$1.out")
}

small_bytes=$(stat -c %s "$out/small/image")
big_bytes=$(stat -c %s "$big/image")
echo "bench stemcell: images of $small_bytes and $big_bytes bytes"
call "create_stemcell (small)" create_stemcell \
	"[\"$(pwd)/$out/small/image\",{}]"
small_cid=$result
small_rss=$rss_last
call "create_stemcell (${mb} MiB)" create_stemcell \
	"[\"$(pwd)/$big/image\",{}]"
big_cid=$result
big_rss=$rss_last
call "delete_stemcell (small)" delete_stemcell "[\"$small_cid\"]"
call "delete_stemcell (${mb} MiB)" delete_stemcell "[\"$big_cid\"]"
call "delete_stemcell (gone)" delete_stemcell "[\"$big_cid\"]"
left=$(find "$out/tmp" -mindepth 1 | wc -l)
echo "bench stemcell: peak RSS grew by $((big_rss - small_rss)) KiB" \
	"from the small image to the ${mb} MiB one; $left file(s) left" \
	"in TMPDIR"
[ "$left" -eq 0 ] || { echo "bench stemcell: TMPDIR not cleaned" >&2
                       exit 1; }
[ $((big_rss - small_rss)) -le 16384 ] || {
	echo "bench stemcell: peak RSS grows with the image size" >&2
	exit 1; }
rm -f "$out/live.json" "$big/image"
