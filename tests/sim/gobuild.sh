#!/bin/sh
# Builds (or unit-tests) one of the test tools written in Go
# (tests/sim/vcsim, tests/schemacheck) against Debian's packaged govmomi,
# in GOPATH mode and without network access.
# usage: sh tests/sim/gobuild.sh BUILD PKGDIR OUT
#        sh tests/sim/gobuild.sh --test BUILD PKGDIR    (runs go test)
#   BUILD   build directory; the Go build cache lives in BUILD/gocache,
#           or in build/gocache for any BUILD under ./build (so build/asan
#           and build share one cache); GO_TEST_CACHE overrides it
#   PKGDIR  package directory relative to the source root, e.g.
#           ./tests/sim/vcsim
#   OUT     the binary to write, e.g. BUILD/vcsim
# Building does nothing when OUT is newer than every .go file in PKGDIR.
# Needs the Debian packages golang-go and golang-github-vmware-govmomi-dev
# (GOPATH=/usr/share/gocode; override with GOVMOMI_GOPATH).
set -eu

mode=build
if [ "${1:-}" = --test ]; then
	mode=test
	shift
	[ $# -eq 2 ] || { echo "usage: $0 --test BUILD PKGDIR" >&2; exit 2; }
	build=$1; pkg=$2; out=
else
	[ $# -eq 3 ] || { echo "usage: $0 BUILD PKGDIR OUT" >&2; exit 2; }
	build=$1; pkg=$2; out=$3
fi
# go build treats a bare path as an import path: make it a directory.
case $pkg in ./*|../*|/*) ;; *) pkg=./$pkg;; esac

if [ "$mode" = build ] && [ -x "$out" ] &&
	[ -z "$(find "$pkg" -name '*.go' -newer "$out")" ]; then
	exit 0
fi
command -v go >/dev/null 2>&1 || {
	echo "gobuild.sh: go not found (install golang-go)" >&2
	exit 1
}

mkdir -p "$build"
absbuild=$(cd "$build" && pwd)
top=$(pwd)/build
case $absbuild/ in
"$top"/*) cache=$top/gocache;;
*) cache=$absbuild/gocache;;
esac
cache=${GO_TEST_CACHE:-$cache}

gocmd() {
	env GO111MODULE=off GOPATH="${GOVMOMI_GOPATH:-/usr/share/gocode}" \
		GOCACHE="$cache" GOPROXY=off GOFLAGS= GOWORK=off go "$@"
}

if [ "$mode" = test ]; then
	gocmd test -count=1 "$pkg"
	exit
fi

mkdir -p "$(dirname "$out")"
tmp="$out.tmp.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
echo "gobuild: $pkg -> $out" >&2
gocmd build -o "$tmp" "$pkg"
mv -f "$tmp" "$out"
