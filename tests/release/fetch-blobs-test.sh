#!/bin/sh
# Tests release/scripts/fetch-blobs.sh against a fake apt-get and
# apt-cache on PATH, the way the archive behaves when it moves on: the
# newest source version of a package is announced by the index but its
# pool answers 404, while an older version carries the same orig tarball.
# usage: sh tests/release/fetch-blobs-test.sh WORK_DIR   (from the root)
# Prints "ok - ..." / "FAIL - ..." lines and ends with
# "fetch-blobs-test: N passed, N failed"; exits 1 when anything failed.
set -u

[ $# -eq 1 ] || { echo "usage: $0 WORK_DIR" >&2; exit 2; }
root=$(pwd)
script=$root/release/scripts/fetch-blobs.sh
t=$1
rm -rf "$t"
mkdir -p "$t/bin" "$t/release/config"
t=$(cd "$t" && pwd)
passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
	echo "FAIL - $1"
	failed=$((failed + 1))
	[ -f "$t/err" ] && sed 's/^/    /' "$t/err"
}

# The blob: what the working version's orig tarball holds.
printf 'upstream source of fake 1.0\n' >"$t/orig"
size=$(wc -c <"$t/orig" | tr -d ' ')
sha=$(sha256sum "$t/orig" | cut -d' ' -f1)
other=$(printf 'x' | sha256sum | cut -d' ' -f1)
file=fake_1.0.orig.tar.gz
cat >"$t/release/config/blobs.yml" <<EOF
fake/$file:
  size: $size
  sha: sha256:$sha
EOF

# apt-cache showsrc fake: three versions, listed oldest first (the script
# must order them itself); 0.9-1 carries another orig tarball.
cat >"$t/bin/apt-cache" <<EOF
#!/bin/sh
[ "\$1" = showsrc ] && [ "\$2" = fake ] || exit 0
for v in 0.9-1 1:1.0-1 1:1.0-1+deb12u1; do
	echo "Package: fake"
	echo "Version: \$v"
	echo "Checksums-Sha256:"
	case \$v in
	0.9-1) echo " $other 1 fake_0.9.orig.tar.gz" ;;
	*) echo " $sha $size $file" ;;
	esac
	echo " $other 2 fake_\$v.debian.tar.xz"
	echo "Directory: pool/main/f/fake"
	echo
done
EOF
# apt-get: update succeeds; source --download-only fake=V logs V and
# answers 404 for every version named in \$FAKE_404 (space-separated).
cat >"$t/bin/apt-get" <<EOF
#!/bin/sh
for a in "\$@"; do
	case \$a in
	update) exit 0 ;;
	fake=*)
		v=\${a#fake=}
		echo "\$v" >>"$t/calls"
		case " \$FAKE_404 " in
		*" \$v "*)
			echo "Err:1 http://mirror/debian fake \$v (tar)"
			echo "  404  Not Found"
			echo "E: Failed to fetch http://mirror/debian/fake.orig 404"
			exit 100 ;;
		esac
		cp "$t/orig" "$file"
		exit 0 ;;
	esac
done
exit 0
EOF
chmod +x "$t/bin/apt-get" "$t/bin/apt-cache"

run() { # FAKE_404: runs the script with the fakes first on PATH
	rm -f "$t/calls"
	: >"$t/calls"
	(cd "$t" && FAKE_404=$1 PATH="$t/bin:$PATH" \
		sh "$script" release work) >"$t/out" 2>"$t/err"
}

# 1. The newest version 404s: the next one is tried and yields the blob.
rm -rf "$t/release/blobs"
if run '1:1.0-1+deb12u1'; then
	ok "a 404 on the newest version is not a failure"
else
	not_ok "a 404 on the newest version is not a failure"
fi
if [ "$(tr '\n' ' ' <"$t/calls")" = '1:1.0-1+deb12u1 1:1.0-1 ' ]; then
	ok "versions tried newest first, each as PKG=VERSION, until one works"
else
	not_ok "versions tried newest first (calls: $(tr '\n' ' ' <"$t/calls"))"
fi
if cmp -s "$t/orig" "$t/release/blobs/fake/$file"; then
	ok "the blob is in place with the size and sha256 of blobs.yml"
else
	not_ok "the blob is in place with the size and sha256 of blobs.yml"
fi

# 2. A blob already in place is kept: no download at all.
if run '' && [ ! -s "$t/calls" ]; then
	ok "a blob already in place is not fetched again"
else
	not_ok "a blob already in place is not fetched again"
fi

# 3. No version yields it: one clear line naming the blob and the versions.
rm -rf "$t/release/blobs"
if run '1:1.0-1+deb12u1 1:1.0-1'; then
	not_ok "no working version is a failure (it succeeded)"
else
	ok "no working version is a failure"
fi
lines=$(grep -c "fetch-blobs: fake/$file: no source version of fake" \
	"$t/err")
if [ "$lines" = 1 ] &&
	grep -qF "tried: 1:1.0-1+deb12u1 (download failed: " "$t/err" &&
	grep -qF "; 1:1.0-1 (download failed: " "$t/err" &&
	grep -qF "; 0.9-1 (its index entry lists no such file)" "$t/err" &&
	grep -qF "size $size and sha256 $sha" "$t/err"; then
	ok "the failure is one line naming the blob and each version tried"
else
	not_ok "the failure is one line naming the blob and each version tried"
fi
if [ "$(tr '\n' ' ' <"$t/calls")" = '1:1.0-1+deb12u1 1:1.0-1 ' ]; then
	ok "a version whose index entry lacks the file is not downloaded"
else
	not_ok "a version whose index entry lacks the file is not downloaded"
fi

# 4. A package the index does not know.
sed -i 's|^fake/|nosuch/|' "$t/release/config/blobs.yml"
if ! run '' && grep -qF "the index has no source package nosuch" "$t/err"
then
	ok "an unknown source package is named"
else
	not_ok "an unknown source package is named"
fi

echo "fetch-blobs-test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
