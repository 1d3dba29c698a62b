# tests/replay/sim.sh: start and stop one vCenter simulator from a shell
# script (sourced by tests/replay/record.sh and tests/bench/run.sh; the
# suites use tests/sim/run.sh instead).  Needs Go and govmomi (see
# tests/sim/gobuild.sh); replay never does.
#
#   . tests/replay/sim.sh
#   sim_build BUILD              builds BUILD/vcsim, makes BUILD/certs
#   sim_start BUILD DIR [FLAGS]  starts it; sets SIM_PID, SIM_URL,
#                                SIM_HOST (127.0.0.1:PORT), SIM_USER,
#                                SIM_PASSWORD (random), SIM_CA (PEM file)
#                                and dumps SOAP requests to DIR/requests
#   sim_live_config SRC DST      DST: the replay config SRC (host
#                                vcenter.replay.invalid, password
#                                REDACTED, ca_cert null) made live for
#                                the running simulator
#   sim_stop                     SIGTERM, SIGKILL after 10 s
# The caller sets `trap sim_stop EXIT` (and INT/TERM) itself.

SIM_PID=
sim_build() {
	sh tests/sim/gobuild.sh "$1" ./tests/sim/vcsim "$1/vcsim" &&
		sh tests/sim/certs.sh "$1/certs"
}

sim_start() {
	_b=$1; _d=$2; shift 2
	mkdir -p "$_d"
	rm -rf "$_d/requests"
	SIM_USER=vcsim-user
	# A fresh password per run, hex so that it needs no escaping.
	SIM_PASSWORD=rec-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	SIM_CA=$_b/certs/ca.pem
	: >"$_d/vcsim.out"
	TMPDIR=${VCSIM_TMPDIR:-/tmp} VCSIM_PASSWORD=$SIM_PASSWORD \
		"$_b/vcsim" -listen 127.0.0.1:0 \
		-cert "$_b/certs/server.pem" -key "$_b/certs/server.key" \
		-user "$SIM_USER" -portgroups BOSH-V4,BOSH-V6 \
		-dump-requests "$_d/requests" -watch-parent "$@" \
		>"$_d/vcsim.out" 2>"$_d/vcsim.log" </dev/null &
	SIM_PID=$!
	SIM_URL=
	_n=0
	while [ "$_n" -lt 300 ]; do
		SIM_URL=$(sed -n 's/^VCSIM_URL=//p' "$_d/vcsim.out")
		if [ -n "$SIM_URL" ]; then
			SIM_HOST=$(echo "$SIM_URL" |
				sed -E 's|^https?://||; s|/.*||')
			return 0
		fi
		kill -0 "$SIM_PID" 2>/dev/null || break
		sleep 0.1
		_n=$((_n + 1))
	done
	echo "sim.sh: the simulator did not start; its log:" >&2
	sed 's/^/  vcsim: /' "$_d/vcsim.log" >&2
	sim_stop
	return 1
}

sim_stop() {
	[ -n "$SIM_PID" ] || return 0
	# Callers run under set -e: a simulator already gone is fine.
	kill -TERM "$SIM_PID" 2>/dev/null || :
	_n=0
	while kill -0 "$SIM_PID" 2>/dev/null && [ "$_n" -lt 100 ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	kill -KILL "$SIM_PID" 2>/dev/null || :
	wait "$SIM_PID" 2>/dev/null || :
	SIM_PID=
}

sim_live_config() {
	_pem=$(awk '{ printf "%s\\n", $0 }' "$SIM_CA")
	PEM_JSON=$_pem SIM_HOST=$SIM_HOST SIM_PASSWORD=$SIM_PASSWORD awk '
		{ gsub(/"vcenter\.replay\.invalid"/,
		       "\"" ENVIRON["SIM_HOST"] "\"")
		  # the first one: the vCenter password, not the agent ones
		  if (!pw && sub(/"password": "REDACTED"/,
		      "\"password\": \"" ENVIRON["SIM_PASSWORD"] "\""))
			pw = 1
		  sub(/"ca_cert": null/,
		      "\"ca_cert\": \"" ENVIRON["PEM_JSON"] "\"")
		  print }' "$1" >"$2"
	grep -q "$SIM_HOST" "$2" && grep -q "$SIM_PASSWORD" "$2" &&
		grep -q BEGIN "$2" || {
		echo "sim.sh: $1 needs \"host\":" \
			"\"vcenter.replay.invalid\", \"password\":" \
			"\"REDACTED\" and \"ca_cert\": null" >&2
		return 1
	}
}
