#!/bin/sh
# Benchmarks of the built CPI.  Prints figures, asserts no targets (a run
# fails only when a call did not answer).  Each bench is a plain C
# program under tests/bench/ compiled here with cc; add one by writing
# tests/bench/bench_NAME.c and a `bench NAME ARGS...` line below.
# usage: tests/bench/run.sh BUILD      (BENCH_RUNS=N overrides 200)
set -eu
build=${1:-build}
runs=${BENCH_RUNS:-200}
out="$build/bench"
mkdir -p "$out"
[ -x "$build/cpi" ] || { echo "bench: $build/cpi not built" >&2; exit 1; }

bench() {
    name=$1; shift
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror \
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -o "$out/bench_$name" "tests/bench/bench_$name.c"
    "$out/bench_$name" "$@"
}

# The release's binary: built here from the current sources by the
# release's own packaging script (tests/bench/release_cpi.sh), against
# the dependency packages `make release-test` compiled (reused, not
# rebuilt: that takes minutes); without them, the binary the last
# `make release-test` packaged, if any, and a note saying so.  Every
# figure below is printed for build/cpi (Debian's shared libraries) and
# for it, side by side.
release_cpi=
if release_cpi=$(sh tests/bench/release_cpi.sh "$build" 2>"$out/release.err")
then
    echo "bench: release binary $release_cpi (release/packages/vsphere_cpi" \
        "built now, its dependency packages reused from make release-test)"
else
    release_cpi="$build/release/sandbox/packages/vsphere_cpi/bin/cpi"
    if [ -x "$release_cpi" ]; then
        echo "bench: release binary $release_cpi (from the last make" \
            "release-test: $(cat "$out/release.err"))"
    else
        echo "bench: no release binary ($(cat "$out/release.err"))"
        release_cpi=
    fi
fi
export BENCH_RELEASE_CPI="$release_cpi"

# info: process start, request parse, answer; no config read, no vCenter.
# build/cpi links Debian's shared libcurl and libxml2 (about 40 shared
# objects, ICU and Kerberos among them: most of its start-up time and
# RSS); the release's binary links its own minimal static builds of them.
# Instructions (valgrind's callgrind, repeatable on a busy machine): the
# whole process, dynamic loading included, in the environment a Director
# gives a CPI (external_cpi.rb: unsetenv_others, only PATH, TMPDIR and
# HOME), so the figure is what a Director pays and does not move with
# the shell's: glibc's start-up scans every environment variable (about
# 0.5K instructions each).  create_vm's count comes from bench_vsphere
# below (BENCH_CALLGRIND: the same wrapper, so the same environment).
vg=$(command -v valgrind || :)
if [ -n "$vg" ]; then
    # valgrind ARGS... in a Director's CPI environment (CPI_LOG_LEVEL
    # kept when set, as the bench sets it)
    cat >"$out/valgrind-director" <<EOF
#!/bin/sh
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin TMPDIR="\${TMPDIR:-/tmp}" \\
    HOME="\${HOME:-/}" \${CPI_LOG_LEVEL:+CPI_LOG_LEVEL="\$CPI_LOG_LEVEL"} \\
    "$vg" "\$@"
EOF
    chmod +x "$out/valgrind-director"
    vg=$(cd "$out" && pwd)/valgrind-director
fi
instr_info() { # CPI: millions of instructions of one info call, or "-"
    if [ -z "$vg" ]; then
        echo -
        return 0
    fi
    printf '{"method":"info","arguments":[]}\n' |
        "$vg" --tool=callgrind \
            --callgrind-out-file="$out/callgrind.info" \
            "$1" tests/data/cpi/cpi.json >/dev/null 2>"$out/callgrind.log"
    n=$(sed -n 's/^summary: //p; s/^totals: //p' "$out/callgrind.info" |
        tail -n 1)
    rm -f "$out/callgrind.info"
    awk -v n="${n:-0}" 'BEGIN { printf "%.2f\n", n / 1e6 }'
}
# info_row NAME CPI: bench_info's figures for CPI, then one summary row
# "NAME wall-median rss-median instructions" appended to $out/info.rows.
info_row() {
    bench info "$2" tests/data/cpi/cpi.json "$runs" | tee "$out/info.$1"
    printf '%s %s %s %s\n' "$1" \
        "$(awk '/wall time/ { print $4 }' "$out/info.$1")" \
        "$(awk '/peak RSS/ { print $4 }' "$out/info.$1")" \
        "$(instr_info "$2")" >>"$out/info.rows"
}
: >"$out/info.rows"
info_row debian "$build/cpi"
[ -z "$release_cpi" ] || info_row release "$release_cpi"
awk 'BEGIN { printf "bench info, side by side: %-22s %12s %12s %16s\n",
             "binary", "wall median", "peak RSS", "instructions" }
     { printf "bench info, side by side: %-22s %9s ms %8s MiB %10s M\n",
              $1 == "debian" ? "Debian-linked build" : "release binary",
              $2, $3, $4 }
     END { print "bench info: instruction target <= 0.5 M (the release" \
                 " binary; printed, not asserted)" }' "$out/info.rows"

# vsphere: against a fresh simulator (needs Go and govmomi; skipped with a
# note when the simulator cannot be built), the SOAP client alone (login +
# one inventory query + logout) and every CPI scenario under fixtures/
# through the cpi binary: wall time, peak RSS and SOAP round trips per
# method.  BENCH_VSPHERE_RUNS=N overrides 20.  The scenarios run with
# tests/replay/config.template.json made live, after their sim-setup.
vsruns=${BENCH_VSPHERE_RUNS:-20}
pkgs=$(cat scripts/pkg-modules)
bench_vsphere_build() { # NAME SRC: links SRC with libcpi.a
    # shellcheck disable=SC2046
    ${CC:-cc} -std=c11 -O2 -Wall -Wextra -Werror \
        -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. \
        $(pkg-config --cflags $pkgs) -o "$out/$1" "$2" \
        tests/support/cpi_run.c tests/support/scenario.c "$build/libcpi.a" \
        $(pkg-config --libs $pkgs) -lz -lm
}
. tests/replay/sim.sh
# vsphere_one NAME CPI: a fresh simulator set up as the scenarios' sim-setup
# files say, then bench_vsphere with CPI; its output to $out/vsphere.NAME.
# With a third argument, the config keeps the session between calls in
# $out/sessions (vcenters[0].session_dir).
# Every scenario runs on this one simulator, so each `place-vm` of the
# scenarios' sim-setup files takes a VM of its own (the recordings all
# used DC0_H0_VM0): DC0_H0_VM0, DC0_H0_VM1, …  Each binary gets its own
# simulator, so both start from the same state.
vsphere_one() {
    vs_name=$1
    vs_cpi=$2
    vs_session=${3:-}     # before the set -- below replaces $@
    sim_start "$build" "$out/sim" -vms 8 || return 1
    placed=0
    for f in fixtures/*/sim-setup; do
        [ -f "$f" ] || continue
        while read -r line; do
            case $line in ''|'#'*) continue;; esac
            # shellcheck disable=SC2086
            set -- $line
            if [ "$1" = place-vm ] && [ $# -eq 5 ]; then
                line="$1 $2 $3 DC0_H0_VM$placed $5"
                placed=$((placed + 1))
            fi
            # shellcheck disable=SC2086
            VCSIM_URL=$SIM_URL VCSIM_USER=$SIM_USER \
                VCSIM_PASSWORD=$SIM_PASSWORD VCSIM_CA_CERT=$SIM_CA \
                "$out/sim_setup" $line </dev/null >/dev/null ||
                echo "bench vsphere: $f: setup failed (figures go on)"
        done <"$f"
    done
    sim_live_config tests/replay/config.template.json "$out/live.json" ||
        return 1
    if [ -n "$vs_session" ]; then
        rm -rf "$out/sessions"
        vs_sdir=$(cd "$out" && pwd)/sessions
        sed "0,/\"user\": \"vcsim-user\",/s||&\n\"session_dir\": \"$vs_sdir\",|" \
            "$out/live.json" >"$out/live-session.json" &&
            mv "$out/live-session.json" "$out/live.json" &&
            grep -q session_dir "$out/live.json" || return 1
    fi
    vs_st=0
    VCSIM_URL=$SIM_URL VCSIM_USER=$SIM_USER VCSIM_PASSWORD=$SIM_PASSWORD \
        VCSIM_CA_CERT=$SIM_CA VCSIM_REQUEST_DIR="$out/sim/requests" \
        CPI_LOG_LEVEL=error BENCH_CALLGRIND="$vg" \
        "$out/bench_vsphere" "$vs_cpi" "$out/live.json" fixtures "$vsruns" \
        >"$out/vsphere.$vs_name" || vs_st=1
    rm -f "$out/live.json"
    sim_stop
    return $vs_st
}
bench_vsphere_all() {
    if ! sim_build "$build" >"$out/sim-build.log" 2>&1; then
        echo "bench vsphere: skipped, no simulator" \
            "(see $out/sim-build.log)"
        return 0
    fi
    bench_vsphere_build bench_vsphere tests/bench/bench_vsphere.c || return 1
    bench_vsphere_build sim_setup tests/replay/sim_setup.c || return 1
    st=0
    vsphere_one debian "$build/cpi" || st=1
    files="$out/vsphere.debian"
    if [ -n "$release_cpi" ]; then
        vsphere_one release "$release_cpi" || st=1
        files="$files $out/vsphere.release"
        vsphere_one release-session "$release_cpi" session || st=1
        files="$files $out/vsphere.release-session"
    fi
    # shellcheck disable=SC2086
    awk -f tests/bench/side_by_side.awk $files
    return $st
}
trap sim_stop EXIT
trap 'sim_stop; exit 130' INT
trap 'sim_stop; exit 143' TERM
vsstatus=0
bench_vsphere_all || vsstatus=1

# has_vm with 10 and with 2,000 VMs in the inventory: the same round trips.
sh tests/bench/bench_inventory.sh "$build" || vsstatus=1
# create_vm and has_vm at 10 vs 2,000 VMs and 2 vs 2,000 distributed port
# groups: medians and the ratios big/small.
sh tests/bench/bench_scale.sh "$build" || vsstatus=1
# create_vm on a datastore cluster against the same datastores named.
sh tests/bench/bench_pods.sh "$build" || vsstatus=1

# stemcell: create/delete of a small and a 64 MiB image against its own
# simulator (wall, peak RSS via wait4, round trips).
sh tests/bench/bench_stemcell.sh "$build"
[ "$vsstatus" -eq 0 ]
