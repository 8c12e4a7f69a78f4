#!/bin/sh
# demo.sh BUILD_DIR: a simulated node going bad, no sensor hardware needed
# (`make demo`).
#
# Builds a fake hwmon tree in a temp dir (a coretemp chip: package and two
# cores, max 80 C, crit 95 C; an nct6775 chip: two fans with min 600 RPM and
# two voltages), binds it over /sys/class in a private mount namespace (only
# there: the host's /sys is never touched), runs BUILD_DIR/hwhealthd on it
# and, over about 40 s, heats core 0 from 55 C to 97 C while fan2 slows from
# 1400 to 400 RPM, printing `hwhealth status` and `hwhealth sensors` at each
# step: green, then yellow (the shipped temp-rising rule predicts when core 0
# reaches its critical limit, before it reaches even its max), then red.
# Whenever the node state changes, `hwhealth explain` shows why; at the end
# `hwhealth events` lists the findings and state changes in order.  Everything (daemon, mount, temp dir)
# goes away on exit, also on Ctrl-C.  Needs root, or user namespaces (it
# re-executes itself under unshare -r).  No tty needed.
#
# To extend: a step is one line of STEPS (seconds, core 0 C, fan2 RPM).
set -eu

STEP_SEC=5
# t(s)  core0(C)  fan2(RPM)
STEPS="0 55 1400
5 62 1300
10 70 1150
15 78 1000
20 83 850
25 88 700
30 92 550
35 96 450
40 97 400"

die() { echo "demo: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
for f in hwhealthd hwhealth plugins/sensors.so; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make first"
done

# Write value to attribute $2 of chip dir $1, in place (as sysfs changes).
put() { echo "$3" >"$1/$2"; }

# A chip: hwmon dir $1, name $2, platform device $3 (gives NAME-isa-ADDR).
chip() {
	mkdir -p "$W/class/hwmon/$1" "$W/class/devices/platform/$3" "$W/class/bus/platform"
	ln -s ../../../bus/platform "$W/class/devices/platform/$3/subsystem"
	ln -s "../../devices/platform/$3" "$W/class/hwmon/$1/device"
	put "$W/class/hwmon/$1" name "$2"
}

make_tree() {
	chip hwmon0 coretemp coretemp.0
	C=$W/class/hwmon/hwmon0
	for t in 1:"Package id 0" 2:"Core 0" 3:"Core 1"; do
		put "$C" "temp${t%%:*}_label" "${t#*:}"
		put "$C" "temp${t%%:*}_input" 52000
		put "$C" "temp${t%%:*}_max" 80000
		put "$C" "temp${t%%:*}_crit" 95000
		put "$C" "temp${t%%:*}_crit_alarm" 0
	done
	chip hwmon1 nct6775 nct6775.656
	N=$W/class/hwmon/hwmon1
	put "$N" fan1_input 1100
	put "$N" fan2_input 1400
	for f in 1 2; do
		put "$N" "fan${f}_min" 600
		put "$N" "fan${f}_alarm" 0
	done
	put "$N" in0_input 1040
	put "$N" in0_min 800
	put "$N" in0_max 1500
	put "$N" in1_input 3344
	put "$N" in1_min 2970
	put "$N" in1_max 3630
}

# The inner half runs in the background so that a signal to the outer half
# is handled at once (sh defers traps while a foreground child runs) and
# passed on: the inner half stops the daemon, then W goes.  A second signal
# (timeout(1) sends two) must not cut the cleanup short.
outer_cleanup() {
	trap '' INT TERM HUP
	if [ -n "$INNER" ]; then
		kill -TERM "$INNER" 2>/dev/null || true
		wait "$INNER" || true
	fi
	rm -rf "$W"
}

# ---- outer half: the tree, then ourselves in a private mount namespace ----
if [ -z "${HWH_DEMO_W:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		unshare -r true 2>/dev/null ||
			die "needs root (or unprivileged user namespaces) to mount a fake sensor tree"
		exec unshare -r "$0" "$@"
	fi
	W=$(mktemp -d /tmp/hwhealth-demo.XXXXXX)
	INNER=
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	make_tree
	HWH_DEMO_W=$W unshare -m --propagation private "$0" "$BUILD" &
	INNER=$!
	rc=0
	wait "$INNER" || rc=$?
	INNER=
	exit $rc
fi

# ---- inner half: private mount namespace ----
W=$HWH_DEMO_W
C=$W/class/hwmon/hwmon0
N=$W/class/hwmon/hwmon1
mount --bind "$W/class" /sys/class
DPID=
stop_daemon() {
	trap '' INT TERM HUP PIPE
	[ -n "$DPID" ] || return 0
	kill -TERM "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	DPID=
}
trap stop_daemon EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # the reader went away: stop quietly

cat >"$W/hwhealth.conf" <<EOF
# demo: poll the fake tree every second, rediscover chips every 10 s;
# the shipped rules only (none from /etc/hwhealth/rules.d)
interval 1s
local-rules-dir $W/rules.d
source sensors {
	rescan 10s
}
EOF
mkdir -p "$W/state"
cli() { "$BUILD/hwhealth" --socket "$W/hwhealthd.sock" "$@"; }
# sleep that a signal interrupts (sh runs traps only between commands)
nap() { sleep "$1" & wait $!; }

echo "demo: fake sensors in $W, hwhealthd log in $W/daemon.log"
"$BUILD/hwhealthd" -c "$W/hwhealth.conf" --socket "$W/hwhealthd.sock" \
	--state-dir "$W/state" </dev/null >"$W/daemon.log" 2>&1 &
DPID=$!
i=0
until cli ping >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 100 ] || ! kill -0 "$DPID" 2>/dev/null; then
		cat "$W/daemon.log" >&2
		die "hwhealthd did not start"
	fi
	sleep 0.1
done

# Not "echo | while": the loop must run in this shell, for the traps.
last=0
while read -r t core fan; do
	put "$C" temp2_input $((core * 1000))
	put "$C" temp1_input $((core * 1000 + 1000)) # the package runs a bit hotter
	put "$N" fan2_input "$fan"
	[ "$fan" -lt 600 ] && put "$N" fan2_alarm 1
	[ "$core" -ge 95 ] && put "$C" temp2_crit_alarm 1
	nap 2 # two polls at interval 1s: the daemon has seen the step
	echo
	echo "==== t=${t}s: CPU core 0 at $core C, fan2 at $fan RPM ===="
	rc=0
	cli status || rc=$?
	echo "(hwhealth status exit code $rc: 0 green, 1 yellow, 2 red)"
	cli sensors || true
	if [ "$rc" != "$last" ]; then
		echo
		echo "---- the node changed state: hwhealth explain ----"
		cli explain || true
		last=$rc
	fi
	[ "$t" -ge 40 ] || nap $((STEP_SEC - 2))
done <<EOF
$STEPS
EOF
echo
echo "==== what happened: hwhealth events ===="
cli events || true
echo
echo "demo: done; stopping hwhealthd"
