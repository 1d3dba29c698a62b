#!/bin/sh
# Puts the release's blobs (release/config/blobs.yml) under release/blobs/,
# where `bosh create-release` and tests/release/run.sh look for them.
# usage: sh tests/release/fetch-blobs.sh [RELEASE_DIR [WORK_DIR]]
#        (defaults: release, build/release-blobs; run from the source root)
#
# Every blob is an upstream tarball exactly as Debian 12's source package
# carries it (the *.orig.tar.* file); the blob's directory names the
# Debian source package.  A blob already in place with the right size and
# sha256 is kept.  The others are downloaded with
#   apt-get source --download-only PACKAGE...
# through a private apt configuration under WORK_DIR: deb-src entries
# derived from this machine's Debian entries in /etc/apt (same mirrors,
# same keyrings), its own package lists and no change to the system's
# apt state, so it needs no root.  Each download is checked against
# blobs.yml before it is copied into place; a mismatch (Debian moved to a
# new upstream version) is an error that names the blob.
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

missing=""
pkgs=""
for_each() { # FUNCTION: calls FUNCTION path size sha for every blob
	echo "$list" | while read -r p s h; do "$1" "$p" "$s" "$h"; done
}
need() {
	ok "$release/blobs/$1" "$2" "$3" || echo "$1"
}
missing=$(for_each need)
if [ -z "$missing" ]; then
	echo "fetch-blobs: all blobs in place under $release/blobs"
	exit 0
fi
for p in $missing; do
	pkgs="$pkgs $(dirname "$p")"
done

command -v apt-get >/dev/null 2>&1 || {
	echo "fetch-blobs: apt-get not found; missing blobs:" $missing >&2
	exit 1
}

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

echo "fetch-blobs: apt-get source --download-only$pkgs" >&2
APT_CONFIG=$apt/apt.conf apt-get -q update >"$work/apt-update.log" 2>&1 || {
	echo "fetch-blobs: apt-get update failed:" >&2
	tail -n 20 "$work/apt-update.log" >&2
	exit 1
}
# shellcheck disable=SC2086
(cd "$work/download" &&
	APT_CONFIG=$apt/apt.conf apt-get -q source --download-only $pkgs) \
	>"$work/apt-source.log" 2>&1 || {
	echo "fetch-blobs: apt-get source failed:" >&2
	tail -n 20 "$work/apt-source.log" >&2
	exit 1
}

place() {
	dst=$release/blobs/$1
	src=$work/download/$(basename "$1")
	ok "$dst" "$2" "$3" && return 0
	if ! ok "$src" "$2" "$3"; then
		echo "fetch-blobs: $1: Debian's source package does not carry" \
			"this file with size $2 and sha256 $3 (see" \
			"$work/apt-source.log); update $yml" >&2
		echo fail
		return 0
	fi
	mkdir -p "$(dirname "$dst")"
	cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"
	echo "fetch-blobs: $1" >&2
}
if for_each place | grep -q fail; then
	exit 1
fi
echo "fetch-blobs: all blobs in place under $release/blobs"
