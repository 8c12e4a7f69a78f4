#!/bin/sh
# sensors_req_bench.sh BUILD_DIR [BASE_BUILD_DIR]: what one `sensors` request
# costs the daemon with 1,000 metrics (the SNMP subagent asks about once a
# second), and, given a second build, the same for it in the same run.
#
# Starts each build's hwhealthd with the echo test plugin reporting the same
# 1,000 temperatures (max, crit, min, lcrit) on a 1 s interval, rewrites their
# values every second as slow ramps (so every metric has a trend and a
# prediction), waits BENCH_WAIT seconds for history to build up, then runs
# bench/sensors_req.c: BENCH_REQUESTS requests to each daemon, the daemons
# taken in turn 100 ms apart, so both builds run under the same background
# load; the wall time of each request and the daemon's CPU over it, median
# and p90.  BENCH_HISTORY sets `history` (raw samples kept): at the default
# 32 the hour's trend is read from the one-minute aggregates; at 128, with a
# warm-up under two minutes, from about 100 raw samples per metric, the
# dearest case the trend code allows (see agent/trend.h).
# Runs as any user; needs BUILD_DIR/tests/plugins/echo.so (and BASE's).  A base
# build: git archive COMMIT | tar -x -C DIR, then make -C DIR all
# build/tests/plugins/echo.so.  Figures: bench/RESULTS-sensors-req.md.
# Environment: BENCH_WAIT (90), BENCH_REQUESTS (200), BENCH_HISTORY (32).
set -eu

N=1000
WAIT=${BENCH_WAIT:-90}
REQS=${BENCH_REQUESTS:-200}
HISTORY=${BENCH_HISTORY:-32}

die() { echo "sensors_req_bench: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [BASE_BUILD_DIR]" >&2
	exit 2
fi
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILDS=
for b in "$@"; do
	d=$(cd "$b" && pwd) || die "no build dir $b"
	for f in hwhealthd tests/plugins/echo.so; do
		[ -e "$d/$f" ] || die "$d/$f missing: run make first"
	done
	BUILDS="$BUILDS $d"
done

W=$(mktemp -d /tmp/hwhealth-reqbench.XXXXXX)
PIDS=
WPID=
cleanup() {
	trap '' INT TERM HUP
	for p in $WPID $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"

${CC:-cc} -std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$W/sensors_req" \
	"$SRC/bench/sensors_req.c"

# Metric i rises (even i) or falls (odd i) by 0.01 C a second from 40 + i/100.
write_values() {
	awk -v t="$1" -v n=$N 'BEGIN {
		for (i = 0; i < n; i++)
			printf "chip%d temp%d temperature %.3f max=80 crit=95 min=5 lcrit=0\n",
			    i / 20, i % 20, 40 + i / 100 + (i % 2 ? -0.01 : 0.01) * t
	}' >"$W/values.tmp" && mv "$W/values.tmp" "$W/values.txt"
}
write_values 0
(
	trap 'exit 0' TERM
	t=0
	while :; do
		sleep 1
		t=$((t + 1))
		write_values $t
	done
) &
WPID=$!

k=0
TARGETS=
for b in $BUILDS; do
	mkdir -p "$W/d$k/pl" "$W/d$k/state"
	ln -s "$b/tests/plugins/echo.so" "$W/d$k/pl/echo.so"
	printf 'plugin-dir %s\ninterval 1s\nhistory %s\nsource e {\n\tplugin echo\n\tfile %s\n}\n' \
		"$W/d$k/pl" "$HISTORY" "$W/values.txt" >"$W/d$k/bench.conf"
	"$b/hwhealthd" -c "$W/d$k/bench.conf" --socket "$W/d$k/hwhealthd.sock" \
		--state-dir "$W/d$k/state" </dev/null >"$W/d$k/daemon.log" 2>&1 &
	PIDS="$PIDS $!"
	TARGETS="$TARGETS $W/d$k/hwhealthd.sock $!"
	k=$((k + 1))
done
i=0
while [ $i -lt $k ]; do
	wait_for 10 test -S "$W/d$i/hwhealthd.sock" ||
		{ cat "$W/d$i/daemon.log" >&2; die "daemon $i: no socket"; }
	i=$((i + 1))
done
echo "$k daemon(s) up; $WAIT s of history at 1 s (history $HISTORY)..."
nap "$WAIT"
# shellcheck disable=SC2086
"$W/sensors_req" "$REQS" 100 $TARGETS >"$W/out"
k=0
for b in $BUILDS; do
	line=$(sed -n "s/^$k //p" "$W/out")
	echo "$b: $line"
	echo "$line" | grep -q " metrics $N " || die "$b: the reply does not hold $N metrics"
	k=$((k + 1))
done
