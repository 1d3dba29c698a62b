#!/bin/sh
# Installs the Debian packages the build and the tests need, when missing.
# As root it runs apt-get; otherwise it prints the command and fails.
set -eu
# usage: deps.sh [build|test]   (default test)
#   build  what `make` and `make demo` need
#   test   everything the test suites need as well
BUILD_PKGS="build-essential pkg-config libcurl4-openssl-dev libssl-dev libxml2-dev libjansson-dev libpcre2-dev zlib1g-dev"
TEST_PKGS="$BUILD_PKGS check golang-go golang-github-vmware-govmomi-dev openssl xorriso libarchive-tools valgrind qemu-utils clang libclang-rt-14-dev ruby bzip2 xz-utils"
case "${1:-test}" in
build) PKGS=$BUILD_PKGS ;;
test) PKGS=$TEST_PKGS ;;
*) echo "usage: deps.sh [build|test]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >&2
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run: sudo apt-get update &&" \
         "sudo apt-get install -y$missing" >&2
    exit 1
fi
