#!/bin/sh
# demo.sh BUILD_DIR: a simulated node going bad and recovering, no sensor
# hardware needed (`make demo`).
#
# Builds a fake hwmon tree in a temp dir (a coretemp chip: package and two
# cores, max 80 C, crit 95 C; an nct6775 chip: two fans with min 600 RPM and
# two voltages), binds it over /sys/class in a private mount namespace (only
# there: the host's /sys is never touched), runs BUILD_DIR/hwhealthd on it
# and, over about 40 s, heats core 0 from 55 C to 97 C while fan2 slows from
# 1400 to 400 RPM, printing `hwhealth status` and `hwhealth sensors` at each
# step: green, then yellow (the shipped temp-rising rule predicts when core 0
# reaches its critical limit, before it reaches even its max), then red.
# Then, over 20 s, the hardware recovers (core 0 cools to 45 C, idle, fan2
# is back at 1400 RPM) and the demo waits until the node is green again.  Whenever
# the node state changes, `hwhealth explain` shows why; at the end
# `hwhealth events` lists the findings and state changes in order.  So that
# recovery fits in the demo, it runs the shipped rules with their hysteresis
# cut to 10 s (copies in its local rules dir, `clear after 10s`, and the SEL
# failure memory of 24 h cut to 20 s), and `recover-after 10s`.
#
# A simulated BMC joins the story when OpenIPMI's ipmi_sim is installed
# (Debian package openipmi; without it the demo says so and runs without
# it): an ipmi_sim BMC (contrib/demo-bmc/bmc.spec: inlet and exhaust
# temperatures, two fans, 12V, PSU power, two power supplies, a DIMM) on
# 127.0.0.1:623 in a private network namespace, read by an `ipmi` source over
# LAN 2.0 next to the sensors one.  Its inlet air warms with the core and
# crosses its max, it logs correctable ECC errors for DIMM A1, and its power
# supply 2 fails, a second critical finding that takes the node from red to
# critical; in the recovery the supply is replaced and the air cools.  The
# BMC's sensors show in `hwhealth sensors`, its SEL records in
# `hwhealth events`, its findings in `status` and `explain`.
#
# A single-node Pacemaker cluster joins too when Pacemaker and Corosync are
# installed and the demo runs as root (without them it says so and runs
# without): corosync on the loopback of the private network namespace,
# pacemakerd with one ocf:pacemaker:Dummy resource, node-health-strategy
# migrate-on-red (set by contrib/pacemaker-setup.sh), and hwhealthd with
# `action pacemaker { plugin pacemaker; mode health }` and a policy (red and
# critical drain, fencing off, undrain-after 10s, min-drained 20s).  The
# cluster's directories are the demo's: its temp dir is bound over
# /var/lib/pacemaker, /var/lib/corosync and /var/log/pacemaker, with fresh
# tmpfs on /run and /dev/shm, in the private mount namespace.  Each step then
# also shows crm_mon's lines for the node (its health) and the Dummy: yellow
# publishes #health-hwhealth=yellow (the Dummy stays), red drains the node
# (#health-hwhealth=red: Pacemaker stops the Dummy), and once the node has
# been green for undrain-after the policy lifts its drain and the Dummy
# starts again; `hwhealth actions` (and `-v` for the drain) end the story.
#
# Everything (daemons, simulator, cluster, mounts, temp dir) goes away on
# exit, also on Ctrl-C and on failure: the cluster is stopped in order, then
# anything left in the private network namespace is killed.  Needs root, or
# user namespaces (it re-executes itself under unshare -r, without the
# cluster).  No tty needed.  Takes about 2 min (5 s more with the cluster).
#
# To extend: a step is one line of STEPS (seconds, core 0 C, fan2 RPM, the
# BMC's inlet C, a BMC event: - none, ecc a correctable ECC record for DIMM
# A1, psu power supply 2 fails, psu-ok it is replaced; add others in
# bmc_event).
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
40 97 400 39 psu
45 85 800 34 psu-ok
50 70 1100 30 -
55 55 1300 27 -
60 45 1400 24 -"
# After the last step: how long to wait for green (and the undrain); it
# takes about 50 s.
WAIT_SEC=90
# The simulated BMC's LAN and console ports: it has a network namespace of
# its own, so nothing else can hold them.
BMC_PORT=623
BMC_CONSOLE=624
# The cluster's resource agent (its node: PCMK_NODE, bench/pcmk_lib.sh).
DUMMY_AGENT=/usr/lib/ocf/resource.d/pacemaker/Dummy
HEALTH_ATTR='#health-hwhealth'

PROG=demo
die() { echo "$PROG: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"
# shellcheck source=bench/pcmk_lib.sh
. "$SRC/bench/pcmk_lib.sh"
for f in hwhealthd hwhealth plugins/sensors.so; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make first"
done
# The FreeIPMI and Pacemaker tools live in /usr/sbin, which a user's PATH
# may lack.
PATH=$PATH:/usr/sbin:/sbin

# Write value to attribute $2 of chip dir $1, in place (as sysfs changes).
put() { echo "$3" >"$1/$2"; }
# The time of day, for the step headers.
now() { date +%H:%M:%S; }

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

# The shipped rules with the times that keep a finding after its cause is
# gone cut to demo length, as files of the same names in the local rules
# dir (which replace the shipped files): every `clear after` 10 s, and the
# SEL failure record's 24 h memory (ipmi-sel-failure) 20 s.
make_rules() {
	mkdir -p "$W/rules.d"
	for f in hardware temperature fan voltage; do
		sed 's/^\([[:space:]]*clear after\) [0-9][0-9]*[smh];/\1 10s;/' \
			"$SRC/rules/$f.rules" >"$W/rules.d/$f.rules"
	done
	sed -e '/^rule ipmi-sel-failure /,/^}/s/count(24h)/count(20s)/' \
		-e '/^rule ipmi-sel-failure /,/^}/s/in the last 24 h/in the last 20 s/' \
		"$SRC/rules/ipmi.rules" >"$W/rules.d/ipmi.rules"
	grep -q 'count(20s)' "$W/rules.d/ipmi.rules" ||
		echo "demo: rules/ipmi.rules has no ipmi-sel-failure with count(24h):" \
			"the power supply's SEL record may keep the node yellow"
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

# Why the Pacemaker part cannot run here; nothing when it can.
pcmk_missing() {
	if [ -n "${HWH_DEMO_USERNS:-}" ]; then
		echo "it needs root (its daemons run as hacluster; a user namespace has no such user)"
		return
	fi
	for t in corosync corosync-cfgtool pacemakerd crm_mon crm_attribute attrd_updater; do
		command -v $t >/dev/null || {
			echo "$t not found (Debian packages pacemaker, corosync, pacemaker-cli-utils;" \
				"make deps installs them)"
			return
		}
	done
	[ -x $DUMMY_AGENT ] ||
		{ echo "$DUMMY_AGENT not found (Debian package pacemaker-resource-agents)"; return; }
	for d in /var/lib/pacemaker /var/lib/corosync /var/log/pacemaker; do
		[ -d $d ] || { echo "no $d to bind over"; return; }
	done
	id hacluster >/dev/null 2>&1 || { echo "no user hacluster"; return; }
	command -v setsid >/dev/null || { echo "setsid not found (Debian package util-linux)"; return; }
	command -v ip >/dev/null || { echo "ip not found (Debian package iproute2)"; return; }
	[ -e "$BUILD/plugins/pacemaker.so" ] || echo "$BUILD/plugins/pacemaker.so missing"
}

# The BMC's files in $W/bmc: lan.conf, .emu, compiled SDRs, the inlet and
# exhaust temperature files, and the password in a file of its own.
make_bmc() {
	mkdir -p "$W/bmc"
	"$SRC/bench/ipmi_bmc.sh" -s "$SRC/contrib/demo-bmc/bmc.spec" -p $BMC_PORT \
		-c $BMC_CONSOLE -N demobmc "$W/bmc" || return 1
	(umask 077 && echo adminpw >"$W/bmc/password")
}

# The cluster's files in $W/pcmk (bench/pcmk_lib.sh).
make_pcmk() {
	pcmk_files "$W/pcmk" hwhdemo
}

# The inner half runs in the background so that a signal to the outer half
# is handled at once (sh defers traps while a foreground child runs) and
# passed on: the inner half stops the daemons, the simulator and the
# cluster, then W goes.  A second signal (timeout(1) sends two) must not cut
# the cleanup short.
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
		HWH_DEMO_USERNS=yes
		export HWH_DEMO_USERNS
		exec unshare -r "$0" "$@"
	fi
	W=$(mktemp -d /tmp/hwhealth-demo.XXXXXX)
	INNER=
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	make_tree
	make_rules
	BMC=
	why=$(bmc_missing)
	if [ -n "$why" ]; then
		echo "demo: no simulated BMC: $why; going on without it"
	elif make_bmc; then
		BMC=yes
	else
		echo "demo: could not write the simulated BMC's files; going on without it"
	fi
	PCMK=
	why=$(pcmk_missing)
	if [ -n "$why" ]; then
		echo "demo: no Pacemaker cluster: $why; going on without it"
	elif make_pcmk; then
		PCMK=yes
	else
		echo "demo: could not write the cluster's files; going on without Pacemaker"
	fi
	# With the BMC or the cluster: a private network namespace too
	# (loopback only), so their ports and the cluster's IPC sockets
	# cannot collide with anything on this machine.
	NET=
	[ -z "$BMC$PCMK" ] || NET=-n
	HWH_DEMO_W=$W HWH_DEMO_BMC=$BMC HWH_DEMO_PCMK=$PCMK HWH_DEMO_NET=${NET:+yes} \
		HWH_DEMO_HOSTNET=$(readlink /proc/$$/ns/net) \
		unshare -m $NET --propagation private "$0" "$BUILD" &
	INNER=$!
	rc=0
	wait "$INNER" || rc=$?
	INNER=
	exit $rc
fi

# ---- inner half: private mount namespace (and network, with BMC or cluster) ----
W=$HWH_DEMO_W
BMC=${HWH_DEMO_BMC:-}
PCMK=${HWH_DEMO_PCMK:-}
C=$W/class/hwmon/hwmon0
N=$W/class/hwmon/hwmon1
T0=$(date +%s)
mount --bind "$W/class" /sys/class
DPID=
SIMPID=

# What is left in the private network namespace (only with one).
sweep() {
	[ -n "${HWH_DEMO_NET:-}" ] || return 0
	netns_sweep "${HWH_DEMO_HOSTNET:-}"
}
stop_all() {
	trap '' INT TERM HUP PIPE
	stop_pid "$DPID" 10
	DPID=
	pcmk_stop
	stop_pid "$SIMPID" 5
	SIMPID=
	sweep
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # the reader went away: stop quietly

# Start the BMC as our child; 1 (and a message) when it does not come up.
start_bmc() {
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
	psu-ok) # the bit cleared: a deassertion record
		bmc_console "sensor_set_bit 0x20 0 8 1 0 1"
		echo "BMC: power supply 2 is replaced"
		;;
	*) echo "demo: unknown BMC event $1" >&2 ;;
	esac
}

# Start the cluster (bench/pcmk_lib.sh) and tell it how to treat an
# unhealthy node (contrib/pacemaker-setup.sh); 1 (and a message) when
# either fails.
start_pcmk() {
	if ! pcmk_start "$W/pcmk"; then
		echo "demo: going on without Pacemaker"
		return 1
	fi
	echo "demo: $(now) Pacemaker is up after $(($(date +%s) - T0)) s:" \
		"$PCMK_NODE online, resource dummy (ocf:pacemaker:Dummy) started;" \
		"contrib/pacemaker-setup.sh:"
	if ! _out=$("$SRC/contrib/pacemaker-setup.sh" 2>&1); then
		printf '%s\n' "$_out" | sed 's/^/  /'
		echo "demo: contrib/pacemaker-setup.sh failed; going on without Pacemaker"
		return 1
	fi
	printf '%s\n' "$_out" | sed 's/^/  /'
}
# What Pacemaker says about the node and the Dummy: crm_mon's lines for
# them (the node's line names its health when it is not green) and the
# health attribute hwhealthd publishes.
show_cluster() {
	echo "pacemaker (crm_mon -1 -r, attrd_updater -Q):"
	crm_mon -1 -r 2>&1 | grep -E "^ +\* (Online|OFFLINE|Node $PCMK_NODE|dummy)" ||
		echo "  (crm_mon shows neither $PCMK_NODE nor dummy)"
	_v=$(attrd_updater -Q -n "$HEALTH_ATTR" 2>/dev/null |
		sed -n 's/.* value="\([^"]*\)".*/\1/p')
	echo "  $HEALTH_ATTR=${_v:-(not set)}"
}

if [ -n "${HWH_DEMO_NET:-}" ] && ! ip link set lo up 2>"$W/ip.err"; then
	echo "demo: no loopback in the namespace ($(cat "$W/ip.err"));" \
		"going on without the BMC and Pacemaker"
	BMC=
	PCMK=
fi
if [ -n "$BMC" ]; then
	echo 24 >"$W/bmc/inlet_temp"
	echo 42 >"$W/bmc/exhaust_temp"
	start_bmc || BMC=
fi
if [ -n "$PCMK" ]; then
	if ! pcmk_mounts "$W/pcmk"; then
		echo "demo: could not mount the cluster's directories; going on without Pacemaker"
		PCMK=
	elif echo "demo: $(now) starting a single-node cluster: corosync, pacemakerd," \
		"a Dummy resource" && ! start_pcmk; then
		pcmk_stop
		PCMK=
	fi
fi

cat >"$W/hwhealth.conf" <<EOF
# demo: poll the fake tree every second, rediscover chips every 10 s;
# the shipped rules with shorter clear times (local rules dir), and a node
# state that falls 10 s after its causes do (the default is 5 min)
interval 1s
local-rules-dir $W/rules.d
recover-after 10s
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
[ -z "$PCMK" ] || cat >>"$W/hwhealth.conf" <<EOF
# the cluster: publish the node's health as #health-hwhealth, drain by
# publishing red (node-health-strategy migrate-on-red moves the work)
action pacemaker {
	plugin pacemaker
	mode health
	timeout 10s
}
# yellow notifies (the default); red drains, and so does critical (its
# default is fence, which is a drain while fencing is off, the default);
# lift the drain once green for 10 s, drained for at least 20 s
policy {
	red drain
	undrain-after 10s
	min-drained 20s
}
EOF
mkdir -p "$W/state"

what="fake sensors in $W"
[ -z "$BMC" ] || what="$what, a simulated BMC (ipmi_sim pid $SIMPID) on 127.0.0.1:$BMC_PORT"
[ -z "$PCMK" ] || what="$what, Pacemaker (pacemakerd pid $PMPID, node $PCMK_NODE)"
[ -z "${HWH_DEMO_NET:-}" ] || what="$what in a private network namespace"
echo "demo: $(now) $what, hwhealthd log in $W/daemon.log"
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

# One look at the node: `hwhealth status` (its state into $state), the
# sensors when $1 is "sensors", the cluster, and `hwhealth explain` when
# the state changed since the last look; the demo fails when hwhealthd is
# gone.
last=green
state=green
step_t=0
look() {
	if ! alive "$DPID"; then
		tail -n 20 "$W/daemon.log" >&2
		die "hwhealthd exited (its log above)"
	fi
	rc=0
	out=$(cli status) || rc=$?
	printf '%s\n' "$out"
	echo "(hwhealth status exit code $rc: 0 green, 1 yellow, 2 red or critical)"
	[ "$1" != sensors ] || cli sensors || true
	[ -z "$PCMK" ] || show_cluster
	state=$(printf '%s\n' "$out" | sed -n '1s/^node: \([a-z]*\).*/\1/p')
	if [ "$state" != "$last" ]; then
		echo
		echo "---- the node changed state: hwhealth explain ----"
		cli explain || true
		last=$state
	fi
}

# Not "echo | while": the loop must run in this shell, for the traps.
while read -r t core fan inlet event; do
	put "$C" temp2_input $((core * 1000))
	put "$C" temp1_input $((core * 1000 + 1000)) # the package runs a bit hotter
	put "$N" fan2_input "$fan"
	put "$N" fan2_alarm $((fan < 600))
	# A real coretemp keeps its crit alarm until reboot; the demo's
	# forgets it when the core cools, or the node could not recover.
	put "$C" temp2_crit_alarm $((core >= 95))
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
	echo "==== $(now) t=${t}s: CPU core 0 at $core C, fan2 at $fan RPM$bmcnote ===="
	[ -z "$what" ] || echo "$what"
	look sensors
	step_t=$t
	nap $((STEP_SEC - seen))
done <<EOF
$STEPS
EOF

# The hardware is fine again.  hwhealth trusts it only after the findings'
# clear times, then recover-after (green), then undrain-after (the drain
# lifted, the Dummy started).
back() {
	[ "$state" = green ] || return 1
	[ -z "$PCMK" ] || dummy_is Started
}
t=$step_t
waited=0
until back; do
	if [ $waited -ge $WAIT_SEC ]; then
		echo "demo: the node is not back after ${WAIT_SEC}s more; see $W/daemon.log"
		break
	fi
	t=$((t + STEP_SEC))
	waited=$((waited + STEP_SEC))
	nap $STEP_SEC
	echo
	echo "==== $(now) t=${t}s: the hardware is unchanged; hwhealth waits before trusting it ===="
	look status
done

echo
echo "==== $(now) what happened: hwhealth events ===="
cli events || true
if [ -n "$PCMK" ]; then
	echo
	echo "==== what the policy did: hwhealth actions ===="
	cli actions || true
	echo
	echo "==== the drain in detail: hwhealth actions -v (its row) ===="
	# The drain's row and the indented lines under it.
	cli actions -v | awk '/^ *[0-9]+ +[0-9-]+ [0-9:]+ +drain / { p = 1; print; next }
		p && /^ *[0-9]+ +[0-9-]+ [0-9:]+ / { exit }
		p' || true
fi
echo
if [ -n "$PCMK" ]; then
	echo "demo: done after $(($(date +%s) - T0)) s; stopping hwhealthd, the simulated BMC and Pacemaker"
elif [ -n "$BMC" ]; then
	echo "demo: done after $(($(date +%s) - T0)) s; stopping hwhealthd and the simulated BMC"
else
	echo "demo: done after $(($(date +%s) - T0)) s; stopping hwhealthd"
fi
