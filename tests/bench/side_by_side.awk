# tests/bench/side_by_side.awk: bench_vsphere's output for build/cpi (the
# first file) and, when given, for the release's binary (the second), as
# one table: per scenario step the median wall time, the largest peak
# RSS and the SOAP round trips of each, then the instruction counts; a
# third file is the release's binary with the session kept between calls
# (vcenters[0].session_dir).
# usage: awk -f tests/bench/side_by_side.awk DEBIAN_OUT [RELEASE_OUT
#        [RELEASE_SESSION_OUT]]
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
	printf "bench vsphere, side by side: build/cpi (Debian's shared " \
	       "libraries)%s%s; %s runs each\n",
	       (f > 1) ? " | the release's binary" : "",
	       (f > 2) ? " | the release's binary with session_dir (the " \
	               "session kept between calls: the medians are of " \
	               "calls that took it)" : "", runs
	printf "  the client alone (libcpi.a, Debian's libcurl), login + " \
	       "query + logout: median %s ms\n", client[1]
	printf "  %-14s %-30s %9s %8s %4s", "scenario", "step", "median ms",
	       "RSS KiB", "SOAP"
	for (g = 2; g <= f; g++)
		printf " | %9s %8s %4s", "median ms", "RSS KiB", "SOAP"
	printf "  %s\n", "result (build/cpi, first run)"
	for (i = 1; i <= nr; i++) {
		k = rk[i]
		split(k, p, " ")
		printf "  %-14s %-30s %9s %8s %4s", p[1], p[2], med[1, k],
		       rss[1, k], soap[1, k]
		for (g = 2; g <= f; g++)
			printf " | %9s %8s %4s", (g, k) in med ? med[g, k] : "-",
			       (g, k) in rss ? rss[g, k] : "-",
			       (g, k) in soap ? soap[g, k] : "-"
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
		for (g = 2; g <= f; g++)
			printf " | %7s M %4s SOAP",
			       (g, k) in instr ? instr[g, k] : "-",
			       (g, k) in isoap ? isoap[g, k] : "-"
		printf "\n"
	}
}
