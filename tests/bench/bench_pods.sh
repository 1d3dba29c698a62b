#!/bin/sh
# create_vm on a datastore cluster against create_vm on a plain datastore:
# the pod costs no round trip (its members and Storage DRS flag come in
# the one placement read).  A fresh simulator with three datastores and
# the pod SP_ON (LocalDS_1, LocalDS_2; tests/sim/vcsim/pods.go); the
# config's datastore_pattern is ^LocalDS_0$, where create_stemcell puts
# the stemcell.  Then BENCH_PODS_RUNS (default 7) create_vm + delete_vm
# each way: on LocalDS_0, on the pod, and on the pod's members named as
# plain datastores (the same choice without the pod: the round trips
# the pod costs are the difference of the last two, those of the stemcell
# replica's lookup the difference of the first two); then with a DRS
# anti-affinity rule in the VM type (made by each create_vm, joined while
# another VM holds it, and with the pod too); the medians of wall time
# are printed with the round trips.
# The first create_vm on the pod also replicates the stemcell to the
# member chosen (its round trips are printed apart); the draw is fixed
# (VSPHERE_CPI_PLACEMENT_RANDOM=fixed), so the later ones reuse it.
# usage: sh tests/bench/bench_pods.sh BUILD     (from the source root)
set -eu
. tests/bench/common.sh

build=${1:-build}
runs=${BENCH_PODS_RUNS:-7}
out=$build/bench/pods
[ -x "$build/cpi" ] || { echo "bench pods: $build/cpi not built" >&2
                         exit 1; }
rm -rf "$out"
mkdir -p "$out/tmp"

bench_runner
sh tests/stemcell/make-image.sh "$out/image" >/dev/null

bench_sim pods

# call METHOD ARGS: one cpi run; sets wall, rt and result.
call() {
	printf '{"method":"%s","arguments":%s,"api_version":2}\n' "$1" "$2" \
		>"$out/req.json"
	set -- "$1" $(TMPDIR=$(pwd)/$out/tmp CPI_LOG_LEVEL=info \
		VSPHERE_CPI_PLACEMENT_RANDOM=fixed \
		"$out/runner" "$out/req.json" "$out/out.json" "$out/err.log" \
		"$build/cpi" "$out/live.json")
	if [ "$2" != 0 ] || grep -q '"error":{' "$out/out.json"; then
		echo "bench pods: $1 failed:" >&2
		cat "$out/out.json" "$out/err.log" >&2
		exit 1
	fi
	wall=$3
	rt=$(sed -n 's/.* \([0-9][0-9]*\) vCenter round trips.*/\1/p' \
		"$out/err.log" | tail -n 1)
	result=$(sed -n 's/.*"result":\[\{0,1\}"\([^"]*\)".*/\1/p' \
		"$out/out.json")
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

nets='{"n":{"type":"manual","ip":"10.0.0.10","netmask":"255.255.255.0",'
nets=$nets'"gateway":"10.0.0.1","dns":["10.0.0.2"],'
nets=$nets'"default":["dns","gateway"],"cloud_properties":{"name":"BOSH-V4"}}}'
plain_cp='{"cpu":1,"ram":512,"disk":1024}'
pod_cp='{"cpu":1,"ram":512,"disk":1024,"datastores":[{"clusters":[{"SP_ON":{}}]}]}'
named_cp='{"cpu":1,"ram":512,"disk":1024,"datastores":["LocalDS_1","LocalDS_2"]}'
# A DRS anti-affinity rule in the VM type's cluster entry, alone and with
# the datastore cluster.
rule='"datacenters":[{"name":"DC0","clusters":[{"DC0_C0":{"drs_rules":'
rule=$rule'[{"name":"bench-rule","type":"separate_vms"}]}}]}]'
rule_cp='{"cpu":1,"ram":512,"disk":1024,'$rule'}'
pod_rule_cp='{"cpu":1,"ram":512,"disk":1024,"datastores":[{"clusters":'
pod_rule_cp=$pod_rule_cp'[{"SP_ON":{}}]}],'$rule'}'

# measure LABEL CLOUD_PROPERTIES: the medians of wall and round trips.
measure() {
	: >"$out/w"; : >"$out/t"
	i=0
	while [ "$i" -lt "$runs" ]; do
		call create_vm "[\"agent-$i\",\"$sc\",$2,$nets,[],{}]"
		vm=$result
		echo "$wall" >>"$out/w"; echo "${rt:-0}" >>"$out/t"
		call delete_vm "[\"$vm\"]"
		i=$((i + 1))
	done
	printf 'bench pods: %-24s create_vm %7.1f ms %3s round trips\n' \
		"$1" "$(median <"$out/w")" "$(median <"$out/t")"
}

sim_start "$build" "$out/sim" -ds 3 -pods SP_ON=LocalDS_1+LocalDS_2 ||
	exit 1
sim_live_config tests/replay/config.template.json "$out/live0.json"
sed 's/"datastore_pattern": "\^LocalDS_"/"datastore_pattern": "^LocalDS_0$"/' \
	"$out/live0.json" >"$out/live.json"
rm -f "$out/live0.json"
grep -q 'LocalDS_0\$' "$out/live.json" || {
	echo "bench pods: could not set datastore_pattern" >&2; exit 1; }
call create_stemcell "[\"$(pwd)/$out/image/image\",{}]"
sc=$result
echo "bench pods: medians of $runs runs ($build/cpi)"
measure "plain datastore" "$plain_cp"
call create_vm "[\"agent-first\",\"$sc\",$pod_cp,$nets,[],{}]"
printf 'bench pods: %-24s create_vm %7.1f ms %3s round trips (stemcell replicated)\n' \
	"first on the pod" "$wall" "${rt:-?}"
call delete_vm "[\"$result\"]"
measure "datastore cluster" "$pod_cp"
measure "its members by name" "$named_cp"
# Each create_vm below makes the rule (delete_vm drops it emptied), then
# with a VM holding it each one joins it.
measure "a DRS rule (made)" "$rule_cp"
call create_vm "[\"agent-holder\",\"$sc\",$rule_cp,$nets,[],{}]"
holder=$result
measure "a DRS rule (joined)" "$rule_cp"
measure "the pod and the rule" "$pod_rule_cp"
call delete_vm "[\"$holder\"]"
rm -f "$out/live.json"
sim_stop
