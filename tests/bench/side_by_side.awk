# tests/bench/side_by_side.awk: bench_vsphere's output for build/cpi (the
# first file) and, when given, for the release's binary (the second), as
# one table: per scenario step the median wall time, the largest peak
# RSS and the SOAP round trips of each, then the instruction counts.
# usage: awk -f tests/bench/side_by_side.awk DEBIAN_OUT [RELEASE_OUT]
function num(s) { return s ~ /^[0-9]+(\.[0-9]+)?$/ }
FNR == 1 { f++ }
/^vsphere client:/ { runs = $(NF - 1) }
/^  wall: median/ { client[f] = $3 }
/^  [^ ]+ +[^ ]+ +[0-9.]+ M instructions/ {
	k = $1 " " $2
	if (f == 1) ik[++ni] = k
	instr[f, k] = $3
	isoap[f, k] = $(NF - 1)
	next
}
/^  [^ ]+ +[^ ]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ / && num($3) && num($5) {
	k = $1 " " $2
	if (f == 1) rk[++nr] = k
	med[f, k] = $3
	rss[f, k] = $5
	soap[f, k] = $6
	r = $0
	sub(/^ +/, "", r)
	for (j = 0; j < 6; j++)
		sub(/^[^ ]+ +/, "", r)
	res[f, k] = r
}
END {
	two = f > 1
	printf "bench vsphere, side by side: build/cpi (Debian's shared " \
	       "libraries)%s; %s runs each\n",
	       two ? " | the release's binary" : "", runs
	printf "  the client alone (libcpi.a, Debian's libcurl), login + " \
	       "query + logout: median %s ms\n", client[1]
	printf "  %-14s %-30s %9s %8s %4s", "scenario", "step", "median ms",
	       "RSS KiB", "SOAP"
	if (two)
		printf " | %9s %8s %4s", "median ms", "RSS KiB", "SOAP"
	printf "  %s\n", "result (build/cpi, first run)"
	for (i = 1; i <= nr; i++) {
		k = rk[i]
		split(k, p, " ")
		printf "  %-14s %-30s %9s %8s %4s", p[1], p[2], med[1, k],
		       rss[1, k], soap[1, k]
		if (two)
			printf " | %9s %8s %4s", (2, k) in med ? med[2, k] : "-",
			       (2, k) in rss ? rss[2, k] : "-",
			       (2, k) in soap ? soap[2, k] : "-"
		printf "  %s\n", res[1, k]
	}
	if (ni == 0)
		exit
	printf "  instructions (callgrind, whole process; target for " \
	       "create_vm <= 20 M)\n"
	for (i = 1; i <= ni; i++) {
		k = ik[i]
		split(k, p, " ")
		printf "  %-14s %-30s %7s M %4s SOAP", p[1], p[2], instr[1, k],
		       isoap[1, k]
		if (two)
			printf " | %7s M %4s SOAP",
			       (2, k) in instr ? instr[2, k] : "-",
			       (2, k) in isoap ? isoap[2, k] : "-"
		printf "\n"
	}
}
