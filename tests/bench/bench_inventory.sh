#!/bin/sh
# has_vm against inventories of different sizes: its round trips must not
# depend on how many VMs vCenter holds (one FindByInventoryPath, no
# walk).  For each size, a fresh simulator (-vms N per resource pool;
# the default inventory has 2 pools) gets one VM placed in BOSH_VMs, then
# has_vm runs for that VM (true) and for a missing cid (false), with
# build/cpi and, when `make release-test` built it, the release's binary.  Prints
# figures: VMs in the inventory, round trips (from the cpi's own log
# line), wall time.
# usage: sh tests/bench/bench_inventory.sh BUILD     (from the source root)
set -eu
. tests/bench/common.sh
build=${1:-build}
out="$build/bench/inventory"
mkdir -p "$out"
bench_sim inventory
setup="$build/bench/sim_setup"
[ -x "$setup" ] || { echo "bench inventory: $setup not built" \
	"(tests/bench/run.sh builds it)" >&2; exit 1; }

bins="$build/cpi"
# the release's binary: the one tests/bench/run.sh found or built
# (BENCH_RELEASE_CPI), else the last `make release-test`'s
release_cpi=${BENCH_RELEASE_CPI-$build/release/sandbox/packages/vsphere_cpi/bin/cpi}
[ -n "$release_cpi" ] && [ -x "$release_cpi" ] && bins="$bins $release_cpi"
label() { [ "$1" = "$build/cpi" ] && echo "build/cpi" || echo "release"; }

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# has_vm BIN CONFIG CID: prints "<round trips> <ms> <result>".
has_vm() {
	_t0=$(now_ms)
	printf '{"method":"has_vm","arguments":["%s"],"api_version":2}' \
		"$3" | CPI_LOG_LEVEL=info "$1" "$2" >"$out/resp.json" \
		2>"$out/stderr.log"
	_t1=$(now_ms)
	_rt=$(sed -n 's/.*has_vm: \([0-9]*\) vCenter round trips.*/\1/p' \
		"$out/stderr.log" | tail -n 1)
	_res=$(sed -n 's/.*"result":\([a-z]*\).*/\1/p' "$out/resp.json")
	echo "${_rt:-?} $((_t1 - _t0)) ${_res:-error}"
}

vm=vm-00000000-0000-4000-8000-00000000beef
printf '%-8s %-10s %-10s %6s %8s  %s\n' "VMs" "has_vm" "binary" \
	"trips" "wall ms" "result"
for per_pool in 5 1000; do
	sim_start "$build" "$out/sim" -vms "$per_pool" || exit 1
	VCSIM_URL=$SIM_URL VCSIM_USER=$SIM_USER VCSIM_PASSWORD=$SIM_PASSWORD \
		VCSIM_CA_CERT=$SIM_CA \
		"$setup" place-vm DC0 BOSH_VMs DC0_H0_VM0 "$vm" </dev/null \
		>/dev/null
	sim_live_config tests/replay/config.template.json "$out/live.json"
	total=$((per_pool * 2))
	for bin in $bins; do
		for cid in "$vm" vm-00000000-0000-4000-8000-000000000000; do
			set -- $(has_vm "$bin" "$out/live.json" "$cid")
			printf '%-8s %-10s %-10s %6s %8s  %s\n' "$total" \
				"$( [ "$cid" = "$vm" ] && echo present ||
				echo missing)" "$(label "$bin")" "$1" "$2" "$3"
		done
	done
	rm -f "$out/live.json"
	sim_stop
done
