#!/bin/sh
# Copies the CPI's sources into the release's src/ tree, where the
# vsphere_cpi package's `files:` globs find them.  Run it (from anywhere)
# before `bosh create-release`:
#
#   sh release/scripts/sync-src.sh [DEST]
#
# DEST defaults to release/src/vsphere-cpi-c (git-ignored: a derived
# copy, never edited by hand).  It receives the Makefile, VERSION and the
# base/, cpi/, image/, network/ and vsphere/ sources (*.c, *.h); the tests stay out.  The
# copy is replaced as a whole, so files deleted from the tree disappear
# from the release too.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dest=${1:-$root/release/src/vsphere-cpi-c}

for f in Makefile VERSION; do
    [ -f "$root/$f" ] || { echo "sync-src: $root/$f missing" >&2; exit 1; }
done
tmp=$dest.tmp.$$
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
cp "$root/Makefile" "$root/VERSION" "$tmp/"
for dir in base cpi image network vsphere; do
    [ -d "$root/$dir" ] || continue
    mkdir -p "$tmp/$dir"
    n=0
    for f in "$root/$dir"/*.c "$root/$dir"/*.h; do
        [ -f "$f" ] || continue
        cp "$f" "$tmp/$dir/"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || { echo "sync-src: no sources in $dir" >&2; exit 1; }
done
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "sync-src: $dest"
