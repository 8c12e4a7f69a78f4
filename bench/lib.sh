# shellcheck shell=sh
# lib.sh: shell helpers the benchmarks (bench/*_bench.sh) and the demo
# (contrib/demo.sh) share.  Sourced, never run; POSIX sh.  Callers set BUILD
# (the build dir) and W (their temp dir) before using cli; DPID (the
# daemon's pid) before ticks.

# The last word of $1.
last() { echo "$1" | awk '{ print $NF }'; }
# The median of the arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | sed -n "$(( ($# + 1) / 2 ))p"; }
# An awk expression, to three decimals.
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
# PASS if the awk condition $1 holds, else MISS.
verdict() { awk "BEGIN { exit !($1) }" && echo PASS || echo MISS; }
# sleep that a signal interrupts (sh runs traps only between commands)
nap() { sleep "$1" & wait $!; }
# The daemon's user + system CPU so far, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$DPID/stat"; }
# The CLI on the caller's daemon.
cli() { "$BUILD/hwhealth" --socket "$W/hwhealthd.sock" "$@"; }
# Milliseconds of the wall clock.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_for SECONDS CMD...: run CMD every 50 ms until it succeeds; 1 if not.
wait_for() {
	_end=$(($(now_ms) + $1 * 1000))
	shift
	until "$@"; do
		[ "$(now_ms)" -lt "$_end" ] || return 1
		sleep 0.05
	done
}

# sim_start DIR PORT CPORT: start OpenIPMI's ipmi_sim on the BMC files
# bench/ipmi_bmc.sh wrote to DIR, as our child (SIMPID), and wait until that
# process has bound both its LAN port (UDP) and console port (TCP) on
# loopback: a packet sent earlier is lost and costs FreeIPMI a 500 ms
# retransmission.  Ready in ~10 ms; gives up after 5 s or when it exits.
# 0 when up; 1 with SIMPID empty (stopped and reaped) when not, its stderr in
# DIR/sim.err.
sim_start() {
	(
		trap '' PIPE # a console client that goes away must not kill it
		exec ipmi_sim -c "$1/lan.conf" -f "$1/bmc.emu" -s "$1/state" -n
	) </dev/null >"$1/sim.out" 2>"$1/sim.err" &
	SIMPID=$!
	_i=0
	while [ $_i -lt 100 ] && kill -0 "$SIMPID" 2>/dev/null; do
		if ss -Hlnup "sport = :$2" 2>/dev/null | grep -q "pid=$SIMPID," &&
			ss -Hlntp "sport = :$3" 2>/dev/null | grep -q "pid=$SIMPID,"; then
			return 0
		fi
		_i=$((_i + 1))
		sleep 0.05
	done
	kill -TERM "$SIMPID" 2>/dev/null || true
	wait "$SIMPID" 2>/dev/null || true
	SIMPID=
	return 1
}
