# tests/bench/common.sh: the set-up the simulator benches share (sourced
# from the source root after `out` and `build` are set).

# bench_runner: the small C runner (tests/bench/runner.c) into
# $out/runner: feeds a request, waits with wait4 and prints
# "<exit status> <wall ms> <peak RSS KiB> <CPU ms>".
bench_runner() {
	${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror \
		-D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
		-o "$out/runner" tests/bench/runner.c
}

# bench_sim NAME: the simulator built (else "bench NAME: skipped" and the
# bench ends with status 0) and stopped however the bench ends.
bench_sim() {
	. tests/replay/sim.sh
	if ! sim_build "$build" >"$out/sim-build.log" 2>&1; then
		echo "bench $1: skipped, no simulator (see $out/sim-build.log)"
		exit 0
	fi
	trap sim_stop EXIT
	trap 'sim_stop; exit 130' INT
	trap 'sim_stop; exit 143' TERM
}
