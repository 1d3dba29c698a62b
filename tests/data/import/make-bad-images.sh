#!/bin/sh
# Bad stemcell images for the create_stemcell tests, made from a good one.
# usage: make-bad-images.sh OUTDIR IMAGEDIR
#   IMAGEDIR is the output of tests/stemcell/make-image.sh (IMAGEDIR/stage
#   holds image.ovf and image-disk1.vmdk, IMAGEDIR/image the good image).
# Writes into OUTDIR:
#   not-gzip      plain text
#   no-ovf        gzipped tar holding only the disk
#   missing-disk  gzipped tar holding only the descriptor (its disk is
#                 named but absent)
#   traversal     gzipped tar whose disk member is named ../image-disk1.vmdk
#   truncated     the first half of the good image
set -eu

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR IMAGEDIR" >&2; exit 2; }
out=$1
img=$2
stage=$img/stage
mkdir -p "$out"

printf 'this is not a stemcell image\n' > "$out/not-gzip"
tar -czf "$out/no-ovf" -C "$stage" image-disk1.vmdk
tar -czf "$out/missing-disk" -C "$stage" image.ovf
tar -czf "$out/traversal" -C "$stage" \
    --transform 's,^image-disk1,../image-disk1,' image.ovf image-disk1.vmdk
size=$(stat -c %s "$img/image")
head -c $((size / 2)) "$img/image" > "$out/truncated"
