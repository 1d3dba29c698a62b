#!/bin/sh
# Size limits of the production C (base/ image/ network/ vsphere/ cpi/),
# issue #15: no file over 1,000 lines, no function over 100 lines, at
# most MAX_OVER_60 functions over 60 lines.  A function is counted from
# its opening "{" in column 0 to its closing "}" in column 0 (the
# project's style); tables (initializers) are not functions.
#   sh tests/style/size.sh          # checks, prints the longest
#   sh tests/style/size.sh -v       # also lists every function over 60
# SIZE_ROOT=DIR checks another tree (tests/style/selftest.sh uses it).
set -eu
cd "${SIZE_ROOT:-$(dirname "$0")/../..}"
MAX_FILE=1000
MAX_FN=100
MAX_OVER_60=20
files=$(ls base/*.[ch] image/*.[ch] network/*.[ch] vsphere/*.[ch] \
	cpi/*.[ch] 2>/dev/null || true)
fail=0
for f in $files; do
	n=$(wc -l <"$f")
	if [ "$n" -gt "$MAX_FILE" ]; then
		echo "size: $f has $n lines (limit $MAX_FILE)"
		fail=1
	fi
done
lens=$(awk '
/^\{/ { start = FNR; name = prev; next }
/^\}/ { if (start) print FNR - start + 1 "\t" FILENAME ":" start "\t" name
        start = 0; next }
/^[A-Za-z_].*\(/ { prev = $0 }
' $(echo "$files" | grep '\.c$') | sort -rn)
over=$(printf '%s\n' "$lens" | awk -v m="$MAX_FN" '$1 > m')
if [ -n "$over" ]; then
	printf 'size: functions over %s lines:\n%s\n' "$MAX_FN" "$over"
	fail=1
fi
n60=$(printf '%s\n' "$lens" | awk '$1 > 60' | wc -l)
if [ "$n60" -gt "$MAX_OVER_60" ]; then
	echo "size: $n60 functions over 60 lines (limit $MAX_OVER_60)"
	fail=1
fi
[ "${1:-}" = -v ] && printf '%s\n' "$lens" | awk '$1 > 60'
nfiles=$(echo "$files" | wc -l)
longest=$(printf '%s\n' "$lens" | head -1 | cut -f1,2)
echo "size: $nfiles files, $n60 functions over 60 lines, longest $longest"
exit $fail
