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
# round trips, then the ratios big/small (targets: <= 1.25 for VMs,
# <= 1.5 wall and <= 1.2 RSS for port groups; printed, not asserted).
# usage: sh tests/bench/bench_scale.sh BUILD     (from the source root)
set -eu

build=${1:-build}
runs=${BENCH_SCALE_RUNS:-7}
out=$build/bench/scale
[ -x "$build/cpi" ] || { echo "bench scale: $build/cpi not built" >&2
                         exit 1; }
rm -rf "$out"
mkdir -p "$out/tmp"

# "<exit status> <wall ms> <peak RSS KiB>" of one run (wait4).
${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L \
	-D_DEFAULT_SOURCE -o "$out/runner" tests/bench/runner.c
sh tests/stemcell/make-image.sh "$out/image" >/dev/null

. tests/replay/sim.sh
if ! sim_build "$build" >"$out/sim-build.log" 2>&1; then
	echo "bench scale: skipped, no simulator (see $out/sim-build.log)"
	exit 0
fi
trap sim_stop EXIT
trap 'sim_stop; exit 130' INT
trap 'sim_stop; exit 143' TERM

# call METHOD ARGS: one cpi run; sets wall, rss, rt and result.
call() {
	printf '{"method":"%s","arguments":%s,"api_version":2}\n' "$1" "$2" \
		>"$out/req.json"
	set -- "$1" $(TMPDIR=$(pwd)/$out/tmp CPI_LOG_LEVEL=info \
		"$out/runner" "$out/req.json" "$out/out.json" "$out/err.log" \
		"$build/cpi" "$out/live.json")
	if [ "$2" != 0 ] || grep -q '"error":{' "$out/out.json"; then
		echo "bench scale: $1 failed:" >&2
		cat "$out/out.json" "$out/err.log" >&2
		exit 1
	fi
	wall=$3
	rss=$4
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

# measure LABEL FLAGS...: a fresh simulator; prints the medians and sets
# cw cr hw hr (create_vm wall/RSS, has_vm wall/RSS).
measure() {
	label=$1
	shift
	sim_start "$build" "$out/sim" "$@" || exit 1
	sim_live_config tests/replay/config.template.json "$out/live.json"
	call create_stemcell "[\"$(pwd)/$out/image/image\",{}]"
	sc=$result
	: >"$out/cw"; : >"$out/cr"; : >"$out/hw"; : >"$out/hr"
	i=0
	while [ "$i" -lt "$runs" ]; do
		call create_vm "[\"agent-$i\",\"$sc\",$vm_cp,$nets,[],{}]"
		vm=$result
		echo "$wall" >>"$out/cw"; echo "$rss" >>"$out/cr"
		crt=$rt
		call has_vm "[\"$vm\"]"
		echo "$wall" >>"$out/hw"; echo "$rss" >>"$out/hr"
		hrt=$rt
		call delete_vm "[\"$vm\"]"
		i=$((i + 1))
	done
	cw=$(median <"$out/cw"); cr=$(median <"$out/cr")
	hw=$(median <"$out/hw"); hr=$(median <"$out/hr")
	printf '%-22s create_vm %7.1f ms %7d KiB %3s trips   ' \
		"$label" "$cw" "$cr" "${crt:-?}"
	printf 'has_vm %7.1f ms %7d KiB %3s trips\n' "$hw" "$hr" "${hrt:-?}"
	rm -f "$out/live.json"
	sim_stop
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }'; }

echo "bench scale: medians of $runs runs ($build/cpi)"
measure "10 VMs" -vms 5
vcw=$cw vcr=$cr vhw=$hw vhr=$hr
measure "2,000 VMs" -vms 1000
printf 'bench scale: 2,000/10 VMs: create_vm wall %s RSS %s, has_vm wall %s RSS %s (target <= 1.25)\n' \
	"$(ratio "$vcw" "$cw")" "$(ratio "$vcr" "$cr")" \
	"$(ratio "$vhw" "$hw")" "$(ratio "$vhr" "$hr")"
# -dvpg counts per datacenter (at most 1,000): two datacenters, the
# placement read sees the port groups of both.
measure "2 port groups" -dc 2 -dvpg 1
pcw=$cw pcr=$cr phw=$hw phr=$hr
measure "2,000 port groups" -dc 2 -dvpg 1000
printf 'bench scale: 2,000/2 port groups: create_vm wall %s RSS %s, has_vm wall %s RSS %s (targets <= 1.5 wall, <= 1.2 RSS)\n' \
	"$(ratio "$pcw" "$cw")" "$(ratio "$pcr" "$cr")" \
	"$(ratio "$phw" "$hw")" "$(ratio "$phr" "$hr")"
