#!/bin/sh
# create_vm and has_vm against inventories of different sizes: neither
# may grow with the number of VMs in vCenter (the placement read never
# walks the vm folders) nor, much, with the number of distributed port
# groups.  Four fresh simulators: 10 VMs and 2,000 VMs (-vms N per
# resource pool, 2 pools), 2 and 2,000 distributed port groups (-dvpg,
# over 2 datacenters).
# On each: create_stemcell (the tiny test image), then BENCH_SCALE_RUNS
# (default 7) create_vm + delete_vm and has_vm; the medians of wall time
# and peak RSS (wait4) of create_vm and has_vm are printed with their
# round trips, and create_vm's CPU time (the CPI's own user + system
# time: the wall time less it is the server's and the network's), then
# the ratios big/small (targets: <= 1.25 for VMs,
# <= 1.5 wall and <= 1.2 RSS for port groups; printed, not asserted).
# Each figure for build/cpi and, side by side, for the release's binary
# (BENCH_RELEASE_CPI, set by tests/bench/run.sh; none when empty or
# unset): on the same simulator, the two binaries' calls alternate.
# usage: sh tests/bench/bench_scale.sh BUILD     (from the source root)
set -eu
. tests/bench/common.sh

build=${1:-build}
runs=${BENCH_SCALE_RUNS:-7}
out=$build/bench/scale
[ -x "$build/cpi" ] || { echo "bench scale: $build/cpi not built" >&2
                         exit 1; }
bins="debian"
cpi_debian=$build/cpi
cpi_release=${BENCH_RELEASE_CPI:-}
[ -n "$cpi_release" ] && [ -x "$cpi_release" ] && bins="debian release"
rm -rf "$out"
mkdir -p "$out/tmp"

bench_runner
sh tests/stemcell/make-image.sh "$out/image" >/dev/null

bench_sim scale

# call METHOD ARGS: one run of $cpi; sets wall, rss, cpu (the CPI's own
# user + system time), rt and result.
call() {
	printf '{"method":"%s","arguments":%s,"api_version":2}\n' "$1" "$2" \
		>"$out/req.json"
	set -- "$1" $(TMPDIR=$(pwd)/$out/tmp CPI_LOG_LEVEL=info \
		"$out/runner" "$out/req.json" "$out/out.json" "$out/err.log" \
		"$cpi" "$out/live.json")
	if [ "$2" != 0 ] || grep -q '"error":{' "$out/out.json"; then
		echo "bench scale: $1 failed:" >&2
		cat "$out/out.json" "$out/err.log" >&2
		exit 1
	fi
	wall=$3
	rss=$4
	cpu=$5
	rt=$(sed -n 's/.* \([0-9][0-9]*\) vCenter round trips.*/\1/p' \
		"$out/err.log" | tail -n 1)
	# a string result, or the first of an array (create_vm, API v2)
	result=$(sed -n 's/.*"result":\[\{0,1\}"\([^"]*\)".*/\1/p' \
		"$out/out.json")
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

nets='{"n":{"type":"manual","ip":"10.0.0.10","netmask":"255.255.255.0",'
nets=$nets'"gateway":"10.0.0.1","dns":["10.0.0.2"],'
nets=$nets'"default":["dns","gateway"],"cloud_properties":{"name":"BOSH-V4"}}}'
vm_cp='{"cpu":1,"ram":512,"disk":1024}'

# measure KEY LABEL FLAGS...: a fresh simulator; for each binary B of
# $bins prints the medians and writes them to $out/fig.KEY.B as
# "create_vm-wall create_vm-RSS has_vm-wall has_vm-RSS create_vm-CPU".
measure() {
	key=$1
	label=$2
	shift 2
	sim_start "$build" "$out/sim" "$@" || exit 1
	sim_live_config tests/replay/config.template.json "$out/live.json"
	cpi=$cpi_debian
	call create_stemcell "[\"$(pwd)/$out/image/image\",{}]"
	sc=$result
	for b in $bins; do
		: >"$out/cw.$b"; : >"$out/cr.$b"; : >"$out/hw.$b"; : >"$out/hr.$b"
		: >"$out/cc.$b"
	done
	i=0
	while [ "$i" -lt "$runs" ]; do
		for b in $bins; do
			cpi=$cpi_debian
			[ "$b" = debian ] || cpi=$cpi_release
			call create_vm "[\"agent-$i\",\"$sc\",$vm_cp,$nets,[],{}]"
			vm=$result
			echo "$wall" >>"$out/cw.$b"; echo "$rss" >>"$out/cr.$b"
			echo "$cpu" >>"$out/cc.$b"
			echo "$rt" >"$out/crt.$b"
			call has_vm "[\"$vm\"]"
			echo "$wall" >>"$out/hw.$b"; echo "$rss" >>"$out/hr.$b"
			echo "$rt" >"$out/hrt.$b"
			call delete_vm "[\"$vm\"]"
		done
		i=$((i + 1))
	done
	for b in $bins; do
		cw=$(median <"$out/cw.$b"); cr=$(median <"$out/cr.$b")
		hw=$(median <"$out/hw.$b"); hr=$(median <"$out/hr.$b")
		cc=$(median <"$out/cc.$b")
		echo "$cw $cr $hw $hr $cc" >"$out/fig.$key.$b"
		printf '%-18s %-8s create_vm %7.1f ms (CPU %5.1f) %7d KiB %3s trips   ' \
			"$label" "$b" "$cw" "$cc" "$cr" "$(cat "$out/crt.$b")"
		printf 'has_vm %7.1f ms %7d KiB %3s trips\n' "$hw" "$hr" \
			"$(cat "$out/hrt.$b")"
	done
	rm -f "$out/live.json"
	sim_stop
}

# ratios SMALL BIG TEXT TARGETS: for each binary, the figures of BIG over
# those of SMALL.
ratios() {
	for b in $bins; do
		cat "$out/fig.$1.$b" "$out/fig.$2.$b" | awk -v t="$3" -v b="$b" \
			-v g="$4" '{ for (i = 1; i <= 5; i++) v[NR, i] = $i }
			END { printf "bench scale: %s, %s: create_vm wall " \
			      "%.2f RSS %.2f CPU %.2f, has_vm wall %.2f RSS " \
			      "%.2f (%s)\n", t, b, v[2, 1] / v[1, 1],
			      v[2, 2] / v[1, 2], v[2, 5] / v[1, 5],
			      v[2, 3] / v[1, 3], v[2, 4] / v[1, 4], g }'
	done
}

echo "bench scale: medians of $runs runs; debian = $cpi_debian," \
	"release = ${cpi_release:-(none)}"
measure vms10 "10 VMs" -vms 5
measure vms2000 "2,000 VMs" -vms 1000
ratios vms10 vms2000 "2,000/10 VMs" "target <= 1.25"
# -dvpg counts per datacenter (at most 1,000): two datacenters, the
# placement read sees the port groups of both.
measure pg2 "2 port groups" -dc 2 -dvpg 1
measure pg2000 "2,000 port groups" -dc 2 -dvpg 1000
ratios pg2 pg2000 "2,000/2 port groups" "targets <= 1.5 wall, <= 1.2 RSS"
