#!/bin/sh
# An unpacked stemcell image whose disk holds MB MiB of random data
# (incompressible: the stream-optimized vmdk is about that size, so it
# uploads in many chunks), from a stage directory of make-image.sh.
# usage: make-random-image.sh STAGE OUTDIR MB
#
# OUTDIR/image.ovf          STAGE/image.ovf with the disk's size and
#                           capacity rewritten
# OUTDIR/image-disk1.vmdk   the random disk
#
# Needs qemu-img (Debian package qemu-utils).
set -eu

[ $# -eq 3 ] || { echo "usage: $0 STAGE OUTDIR MB" >&2; exit 2; }
stage=$1
out=$2
mb=$3
case $mb in ''|*[!0-9]*) echo "$0: MB must be a number" >&2; exit 2;; esac

mkdir -p "$out"
head -c $((mb * 1024 * 1024)) /dev/urandom >"$out/disk.raw"
qemu-img convert -q -f raw -O vmdk -o subformat=streamOptimized \
	"$out/disk.raw" "$out/image-disk1.vmdk"
rm -f "$out/disk.raw"
size=$(stat -c %s "$out/image-disk1.vmdk")
sed -E "s/ovf:size=\"[0-9]+\"/ovf:size=\"$size\"/;
	s/ovf:capacity=\"[0-9]+\"/ovf:capacity=\"$mb\"/" \
	"$stage/image.ovf" >"$out/image.ovf"
