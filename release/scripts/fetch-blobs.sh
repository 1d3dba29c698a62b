#!/bin/sh
# Puts the release's blobs (release/config/blobs.yml) under release/blobs/,
# where `bosh create-release` and tests/release/run.sh look for them.
# usage: sh release/scripts/fetch-blobs.sh [RELEASE_DIR [WORK_DIR]]
#        (defaults: release, build/release-blobs; run from the source root;
#        `make release-src` runs it, then sync-src.sh)
#
# Every blob is an upstream tarball exactly as Debian 12's source package
# carries it (the *.orig.tar.* file); the blob's directory names the
# Debian source package.  A blob already in place with the right size and
# sha256 is kept.  The others are downloaded with
#   apt-get source --download-only PACKAGE=VERSION
# through a private apt configuration under WORK_DIR: deb-src entries
# derived from this machine's Debian entries in /etc/apt (same mirrors,
# same keyrings), its own package lists and no change to the system's
# apt state, so it needs no root.
#
# The archive moves on: a security update publishes a new source version
# (in another pool, which a mirror may not serve) that carries the same
# orig tarball.  So each blob is tried against every source version the
# package index offers, newest first, until one yields the file with the
# size and sha256 of blobs.yml.  Versions whose index entry does not list
# that file and checksum are skipped without a download; a version whose
# download fails (a 404, a missing pool) is not an error while another
# one works.  When none does, one line names the blob and every version
# tried, with the reason for each, and the script exits 1.
#
# Without apt (another distribution), fetch the same files by hand and
# register them with `bosh add-blob FILE PATH` (see README.md).
set -eu

release=${1:-release}
work=${2:-build/release-blobs}
yml=$release/config/blobs.yml
[ -f "$yml" ] || { echo "fetch-blobs: $yml not found" >&2; exit 2; }

# "path size sha256" per blob.
list=$(awk '
	/^[^ #][^:]*:[ \t]*$/ { sub(/:[ \t]*$/, ""); path = $0; next }
	/^[ \t]+size:/ { size = $2; next }
	/^[ \t]+sha:/ {
		sha = $2; sub(/^sha256:/, "", sha)
		print path, size, sha
	}' "$yml")
[ -n "$list" ] || { echo "fetch-blobs: no blobs in $yml" >&2; exit 1; }

# ok FILE SIZE SHA: the file exists with this size and sha256.
ok() {
	[ -f "$1" ] || return 1
	[ "$(wc -c <"$1" | tr -d ' ')" = "$2" ] || return 1
	[ "$(sha256sum "$1" | cut -d' ' -f1)" = "$3" ]
}

missing=$(echo "$list" | while read -r p s h; do
	ok "$release/blobs/$p" "$s" "$h" || echo "$p $s $h"
done)
if [ -z "$missing" ]; then
	echo "fetch-blobs: all blobs in place under $release/blobs"
	exit 0
fi

for tool in apt-get apt-cache; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "fetch-blobs: $tool not found; missing blobs:" \
			"$(echo "$missing" | cut -d' ' -f1 | tr '\n' ' ')" >&2
		exit 1
	}
done

# A private apt configuration: deb-src twins of the Debian entries.
mkdir -p "$work"
work=$(cd "$work" && pwd)
apt=$work/apt
mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" \
	"$work/download"
: >"$apt/parts/debian-src.sources"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	# One deb822 stanza per paragraph: keep the Debian-signed ones,
	# turn them into deb-src, drop comments.
	awk '
		function flush() {
			if (n > 0 && debian && !disabled) {
				for (i = 1; i <= n; i++) print buf[i]
				print ""
			}
			n = 0; debian = 0; disabled = 0
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^Types:/ { buf[++n] = "Types: deb-src"; next }
		/^Signed-By:.*debian-archive-keyring/ { debian = 1 }
		/^Enabled:[ \t]*no/ { disabled = 1 }
		{ buf[++n] = $0 }
		END { flush() }' "$f" >>"$apt/parts/debian-src.sources"
done
: >"$apt/parts/debian-src.list"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -n 's/^deb \(.*debian.*\)$/deb-src \1/p' "$f" \
		>>"$apt/parts/debian-src.list"
done
if ! grep -q . "$apt/parts/debian-src.sources" "$apt/parts/debian-src.list"
then
	echo "fetch-blobs: no Debian entries in /etc/apt to derive" \
		"deb-src entries from" >&2
	exit 1
fi
cat >"$apt/apt.conf" <<EOF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/parts";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
if [ "$(id -u)" = 0 ]; then
	# The download directory is ours; apt's _apt user could not write it.
	echo 'APT::Sandbox::User "root";' >>"$apt/apt.conf"
fi
APT_CONFIG=$apt/apt.conf
export APT_CONFIG

apt-get -q update >"$work/apt-update.log" 2>&1 || {
	echo "fetch-blobs: apt-get update failed:" >&2
	tail -n 20 "$work/apt-update.log" >&2
	exit 1
}

# newest_first: the version strings on stdin, one a line, newest first by
# Debian's ordering (dpkg --compare-versions), duplicates dropped.
newest_first() {
	sorted=""
	while read -r v; do
		[ -n "$v" ] || continue
		out=""
		placed=""
		for s in $sorted; do
			[ "$s" = "$v" ] && placed=dup
			if [ -z "$placed" ] && dpkg --compare-versions "$v" gt "$s"
			then
				out="$out $v"
				placed=yes
			fi
			out="$out $s"
		done
		[ -n "$placed" ] || out="$out $v"
		sorted=$out
	done
	for s in $sorted; do echo "$s"; done
}

# versions_listing PKG FILE SIZE SHA: from the source index, "VERSION yes"
# for each version whose entry lists FILE with this size and sha256, and
# "VERSION no" for the others.
versions_listing() {
	apt-cache showsrc "$1" 2>/dev/null | awk -v pkg="$1" -v file="$2" \
		-v size="$3" -v sha="$4" '
		function flush() {
			if (ver != "") print ver, (hit ? "yes" : "no")
			ver = ""; hit = 0; sums = 0; mine = 0
		}
		/^$/ { flush(); next }
		/^Package:/ { mine = ($2 == pkg); next }
		/^Version:/ { if (mine) ver = $2; next }
		/^Checksums-Sha256:/ { sums = 1; next }
		/^[^ ]/ { sums = 0; next }
		sums && $1 == sha && $2 == size && $3 == file { hit = 1 }
		END { flush() }'
}

failed=0
echo "$missing" | {
while read -r path size sha; do
	pkg=$(dirname "$path")
	file=$(basename "$path")
	listing=$(versions_listing "$pkg" "$file" "$size" "$sha")
	tried=""
	done_=""
	for v in $(echo "$listing" | cut -d' ' -f1 | newest_first); do
		if ! echo "$listing" | grep -qxF "$v yes"; then
			tried="$tried; $v (its index entry lists no such file)"
			continue
		fi
		dir=$work/download/$pkg/$(echo "$v" | tr ':' '_')
		rm -rf "$dir"
		mkdir -p "$dir"
		log=$dir.log
		if ! (cd "$dir" && apt-get -q source --download-only \
				"$pkg=$v") >"$log" 2>&1; then
			why=$(grep -m1 -E '^(E|Err):' "$log" | cut -c1-120)
			tried="$tried; $v (download failed: ${why:-see $log})"
			continue
		fi
		if ! ok "$dir/$file" "$size" "$sha"; then
			tried="$tried; $v (no $file of that size and sha256)"
			continue
		fi
		dst=$release/blobs/$path
		mkdir -p "$(dirname "$dst")"
		cp "$dir/$file" "$dst.tmp" && mv "$dst.tmp" "$dst"
		echo "fetch-blobs: $path (from $pkg=$v)" >&2
		done_=yes
		break
	done
	if [ -z "$done_" ]; then
		[ -n "$tried" ] || tried="; none: the index has no source package $pkg"
		echo "fetch-blobs: $path: no source version of $pkg yields it" \
			"with size $size and sha256 $sha; tried: ${tried#; }" >&2
		failed=1
	fi
done
[ "$failed" -eq 0 ]
} || exit 1
echo "fetch-blobs: all blobs in place under $release/blobs"
