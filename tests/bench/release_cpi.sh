#!/bin/sh
# Builds the release's CPI binary from the current sources for the bench:
# release/scripts/sync-src.sh into BUILD/bench/release/vsphere-cpi-c,
# then release/packages/vsphere_cpi/packaging run there as BOSH runs it,
# against the dependency packages (zlib, jansson, libxml2, curl, pcre2)
# already compiled by `make release-test` (BUILD/release/sandbox/packages,
# or BENCH_RELEASE_PACKAGES=DIR).  Compiling those from their blobs takes
# minutes, so the bench reuses them and only the CPI package is built
# again (the dependencies change only with release/packages/*).
# Prints the binary's path; exits 1 with a note on stderr when the
# dependency packages are not there or the build failed.
# usage: tests/bench/release_cpi.sh BUILD
set -eu
build=${1:-build}
root=$(pwd)
case $build in /*) absbuild=$build;; *) absbuild=$root/$build;; esac
pkgs=${BENCH_RELEASE_PACKAGES:-$absbuild/release/sandbox/packages}
work=$absbuild/bench/release
for dep in zlib jansson libxml2 curl pcre2; do
    if [ ! -d "$pkgs/$dep/lib" ]; then
        echo "no compiled $dep package under $pkgs (make release-test" \
            "builds them)" >&2
        exit 1
    fi
done
mkdir -p "$work"
sh release/scripts/sync-src.sh "$work/vsphere-cpi-c" >/dev/null
rm -rf "$work/install"
mkdir -p "$work/install"
if ! (cd "$work" && env -i PATH="$PATH" HOME="$work" \
        BOSH_COMPILE_TARGET="$work" BOSH_INSTALL_TARGET="$work/install" \
        BOSH_PACKAGES_DIR="$pkgs" BOSH_PACKAGE_NAME=vsphere_cpi \
        bash "$root/release/packages/vsphere_cpi/packaging") \
        >"$work/build.log" 2>&1; then
    echo "the vsphere_cpi package did not build (see $work/build.log)" >&2
    exit 1
fi
echo "$work/install/bin/cpi"
