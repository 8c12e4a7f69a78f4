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
# `hwhealth events` lists the findings and state changes in order.
#
# A simulated BMC joins the story when OpenIPMI's ipmi_sim is installed
# (Debian package openipmi; without it the demo says so and runs without
# it): an ipmi_sim BMC (contrib/demo-bmc/bmc.spec: inlet and exhaust
# temperatures, two fans, 12V, PSU power, two power supplies, a DIMM) on
# 127.0.0.1:623 in a private network namespace, read by an `ipmi` source over
# LAN 2.0 next to the sensors one.  Its inlet air warms with the core and
# crosses its max, it logs correctable ECC errors for DIMM A1, and at the end
# its power supply 2 fails, a second critical finding that takes the node
# from red to critical.  The BMC's sensors show in `hwhealth sensors`, its
# SEL records in `hwhealth events`, its findings in `status` and `explain`.
#
# Everything (daemon, simulator, mount, temp dir) goes away on exit, also on
# Ctrl-C.  Needs root, or user namespaces (it re-executes itself under
# unshare -r).  No tty needed.
#
# To extend: a step is one line of STEPS (seconds, core 0 C, fan2 RPM, the
# BMC's inlet C, a BMC event: - none, ecc a correctable ECC record for DIMM
# A1, psu power supply 2 fails; add others in bmc_event).
set -eu

STEP_SEC=5
# t(s)  core0(C)  fan2(RPM)  inlet(C)  BMC event
STEPS="0 55 1400 24 -
5 62 1300 25 -
10 70 1150 27 -
15 78 1000 29 ecc
20 83 850 32 -
25 88 700 36 ecc
30 92 550 37 -
35 96 450 38 -
40 97 400 39 psu"
# The simulated BMC's LAN and console ports: it has a network namespace of
# its own, so nothing else can hold them.
BMC_PORT=623
BMC_CONSOLE=624

die() { echo "demo: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"
for f in hwhealthd hwhealth plugins/sensors.so; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make first"
done
# The FreeIPMI tools live in /usr/sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

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

# Why the BMC part cannot run here; nothing when it can.
bmc_missing() {
	for t in ipmi_sim sdrcomp; do
		command -v $t >/dev/null ||
			{ echo "$t not found (Debian package openipmi; make deps installs it)"; return; }
	done
	command -v ip >/dev/null || { echo "ip not found (Debian package iproute2)"; return; }
	command -v ss >/dev/null || { echo "ss not found (Debian package iproute2)"; return; }
	command -v bash >/dev/null || { echo "bash not found (it talks to the BMC's console)"; return; }
	[ -e "$BUILD/plugins/ipmi.so" ] || echo "$BUILD/plugins/ipmi.so missing"
}

# The BMC's files in $W/bmc: lan.conf, .emu, compiled SDRs, the inlet and
# exhaust temperature files, and the password in a file of its own.
make_bmc() {
	mkdir -p "$W/bmc"
	"$SRC/bench/ipmi_bmc.sh" -s "$SRC/contrib/demo-bmc/bmc.spec" -p $BMC_PORT \
		-c $BMC_CONSOLE -N demobmc "$W/bmc" || return 1
	(umask 077 && echo adminpw >"$W/bmc/password")
}

# The inner half runs in the background so that a signal to the outer half
# is handled at once (sh defers traps while a foreground child runs) and
# passed on: the inner half stops the daemon and the simulator, then W goes.
# A second signal (timeout(1) sends two) must not cut the cleanup short.
outer_cleanup() {
	trap '' INT TERM HUP
	if [ -n "$INNER" ]; then
		kill -TERM "$INNER" 2>/dev/null || true
		wait "$INNER" || true
	fi
	rm -rf "$W"
}

# ---- outer half: the tree, then ourselves in private namespaces ----
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
	# With the BMC: a private network namespace too (loopback only), so
	# its ports cannot collide with anything on this machine.
	NET=
	why=$(bmc_missing)
	if [ -n "$why" ]; then
		echo "demo: no simulated BMC: $why; going on without it"
	elif make_bmc; then
		NET=-n
	else
		echo "demo: could not write the simulated BMC's files; going on without it"
	fi
	HWH_DEMO_W=$W HWH_DEMO_BMC=${NET:+yes} unshare -m $NET --propagation private "$0" "$BUILD" &
	INNER=$!
	rc=0
	wait "$INNER" || rc=$?
	INNER=
	exit $rc
fi

# ---- inner half: private mount namespace (and network, with the BMC) ----
W=$HWH_DEMO_W
BMC=${HWH_DEMO_BMC:-}
C=$W/class/hwmon/hwmon0
N=$W/class/hwmon/hwmon1
mount --bind "$W/class" /sys/class
DPID=
SIMPID=
stop_all() {
	trap '' INT TERM HUP PIPE
	for p in $DPID $SIMPID; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	DPID=
	SIMPID=
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # the reader went away: stop quietly

# Start the BMC as our child; 1 (and a message) when it does not come up.
start_bmc() {
	if ! ip link set lo up 2>"$W/bmc/ip.err"; then
		echo "demo: no loopback in the namespace ($(cat "$W/bmc/ip.err")); going on without the BMC"
		return 1
	fi
	if ! sim_start "$W/bmc" $BMC_PORT $BMC_CONSOLE; then
		echo "demo: ipmi_sim did not start ($(tail -1 "$W/bmc/sim.err"));" \
			"going on without the BMC"
		return 1
	fi
	# Its SEL clock starts at "post-init" seconds: give it the time of day
	# so that its records carry real times (best effort).
	if command -v bmc-device >/dev/null; then
		bmc-device -h 127.0.0.1:$BMC_PORT -u admin -p adminpw -l admin -D LAN_2_0 \
			-W opensesspriv --set-sel-time=now >/dev/null 2>&1 || true
	fi
}
# Send console commands (one per argument) to the BMC, as whoever runs the
# simulator would; bash for /dev/tcp.
bmc_console() {
	printf '%s\n' "$@" |
		bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && cat >&3 && sleep 0.1' sh $BMC_CONSOLE \
			>/dev/null 2>&1 || echo "demo: the BMC console did not take: $*" >&2
}
# One BMC event of the story ($1 as in STEPS); says what happened.
bmc_event() {
	case $1 in
	-) ;;
	ecc) # a SEL record only, as most BMCs log corrected errors
		bmc_console "sel_add 0x20 0x02 0 0 0 0 0x20 0 0x04 0x0c 9 0x6f 0x00 0xff 0xff"
		echo "BMC: logs a correctable ECC error for DIMM A1 in its SEL"
		;;
	psu) # power supply 2's failure bit, which logs a SEL record too
		bmc_console "sensor_set_bit 0x20 0 8 1 1 1"
		echo "BMC: power supply 2 fails"
		;;
	*) echo "demo: unknown BMC event $1" >&2 ;;
	esac
}

if [ -n "$BMC" ]; then
	echo 24 >"$W/bmc/inlet_temp"
	echo 42 >"$W/bmc/exhaust_temp"
	start_bmc || BMC=
fi

cat >"$W/hwhealth.conf" <<EOF
# demo: poll the fake tree every second, rediscover chips every 10 s;
# the shipped rules only (none from /etc/hwhealth/rules.d)
interval 1s
local-rules-dir $W/rules.d
source sensors {
	rescan 10s
}
EOF
[ -z "$BMC" ] || cat >>"$W/hwhealth.conf" <<EOF
# the simulated BMC, over LAN 2.0 (RMCP+) on the namespace's loopback
source ipmi {
	host "127.0.0.1:$BMC_PORT"
	user admin
	password-file "$W/bmc/password"
	privilege admin
	workarounds opensesspriv
	sdr-cache-dir "$W/ipmi-sdr"
}
EOF
mkdir -p "$W/state"

if [ -n "$BMC" ]; then
	echo "demo: fake sensors in $W, a simulated BMC (ipmi_sim pid $SIMPID) on" \
		"127.0.0.1:$BMC_PORT in a private network namespace, hwhealthd log in $W/daemon.log"
else
	echo "demo: fake sensors in $W, hwhealthd log in $W/daemon.log"
fi
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
last=green
while read -r t core fan inlet event; do
	put "$C" temp2_input $((core * 1000))
	put "$C" temp1_input $((core * 1000 + 1000)) # the package runs a bit hotter
	put "$N" fan2_input "$fan"
	[ "$fan" -lt 600 ] && put "$N" fan2_alarm 1
	[ "$core" -ge 95 ] && put "$C" temp2_crit_alarm 1
	bmcnote=""
	what=""
	# The daemon has seen the step: a poll (interval 1s), a second one for
	# the rules that want two readings, and the rules' own 1 s tick, which
	# drifts against the polls.  A failed BMC part takes a poll more: the
	# sensor's state comes with the poll that reads its SEL record.
	seen=3
	if [ -n "$BMC" ]; then
		# Raw values are degrees C (bmc.spec); the simulator reads the
		# files every 500 ms.
		echo "$inlet" >"$W/bmc/inlet_temp"
		echo $((inlet + 18)) >"$W/bmc/exhaust_temp"
		bmcnote=", BMC inlet air at $inlet C"
		what=$(bmc_event "$event")
		[ "$event" != psu ] || seen=4
	fi
	nap $seen
	echo
	echo "==== t=${t}s: CPU core 0 at $core C, fan2 at $fan RPM$bmcnote ===="
	[ -z "$what" ] || echo "$what"
	rc=0
	out=$(cli status) || rc=$?
	printf '%s\n' "$out"
	echo "(hwhealth status exit code $rc: 0 green, 1 yellow, 2 red or critical)"
	cli sensors || true
	state=$(printf '%s\n' "$out" | sed -n '1s/^node: \([a-z]*\).*/\1/p')
	if [ "$state" != "$last" ]; then
		echo
		echo "---- the node changed state: hwhealth explain ----"
		cli explain || true
		last=$state
	fi
	[ "$t" -ge 40 ] || nap $((STEP_SEC - seen))
done <<EOF
$STEPS
EOF
echo
echo "==== what happened: hwhealth events ===="
cli events || true
echo
if [ -n "$BMC" ]; then
	echo "demo: done; stopping hwhealthd and the simulated BMC"
else
	echo "demo: done; stopping hwhealthd"
fi
