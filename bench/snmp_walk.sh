#!/bin/sh
# snmp_walk.sh BUILD_DIR: what an snmpwalk of HWHEALTH-MIB over 1,000 metrics
# costs, beside snmpd's own LM-SENSORS-MIB walk of the very same 1,000
# sensors, in one run.
#
# Builds a fake hwmon tree of CHIPS nct6775 chips, each with 8 temperature
# (max, crit), 6 fan (min) and 6 voltage (min, max) inputs, every chip with a
# relative `device` link to a fake platform device (so libsensors names them
# nct6775-isa-0000..0031).  In a private mount AND network namespace
# (loopback only): the tree is bound over /sys/class, empty files over the
# host's sensors3.conf / sensors.conf and /etc/sensors.d (both readers see
# the raw tree, whatever the host's lm-sensors configuration says), then
#   snmpd       Debian's, built with ucd-snmp/lmsensorsMib (libsensors v3):
#               serves LM-SENSORS-MIB (.1.3.6.1.4.1.2021.13.16) itself from
#               the tree, and is the AgentX master (socket in the temp dir),
#               agent on udp:127.0.0.1:11161 (free: the namespace is ours)
#   hwhealthd   interval 1s, `source sensors` on the tree and
#               `service snmp { plugin snmp; agentx-socket ... }`: the
#               subagent serving HWHEALTH-MIB (.1.3.6.1.4.1.32473) from
#               inside the daemon.  Skipped, and said so, when BUILD has no
#               plugins/snmp.so.
# Then WALKS rounds, each one walk of every kind below, one after the other:
#   lm          snmpwalk (GETNEXT) of LM-SENSORS-MIB: 4 tables x 3 columns
#   hwh         snmpwalk (GETNEXT) of the whole HWHEALTH-MIB
#   hwh3        snmpwalk of 3 columns of hwhMetricTable (units, precision,
#               value: -CE stops it at column 11): as many varbinds as lm
#   lm-bulk, hwh-bulk   the same as lm and hwh with snmpbulkwalk (GETBULK,
#               max-repetitions 10), as managers poll tables
# then COLD rounds of lm and hwh each after IDLE_S s without a walk: snmpd
# keeps the sensors it read for 5 s, so only such a walk pays its reload.
# Every walk: -v2c -c public -On -t 5 -r 0, no MIB loaded.  Per walk: wall
# time (spawn to exit of the tool), snmpd's CPU and hwhealthd's CPU (each
# process's CPU-time clock, i.e. utime+stime at ns resolution, bench/cpuof.c;
# hwhealthd's /proc/PID/stat ticks are summed too as a cross-check), the
# client's CPU; and the subagent's share = hwhealthd CPU / wall time.
# hwhealthd's whole process is counted, its 1 s sensor polls included (their
# rate when no walk runs is printed: the subagent's own share is that much
# lower).
# Targets (issue 7): the subagent's share of the walk time <= 20 %, and the
# HWHEALTH walk no slower than the LM-SENSORS walk (judged for the whole MIB
# and for the 3-column walk with the same varbind count).
# Prints the figures and writes bench/RESULTS-snmp.md.  A benchmark reports:
# it exits 0 on a MISS.  Needs root, or user namespaces (it re-executes
# itself under unshare -r).  About 1 min.
# Environment: BENCH_WALKS (10), BENCH_COLD (3), BENCH_SNMP_REFRESH (the
# service's `refresh`, e.g. 5s to match snmpd's cache; default: the
# plugin's, 1s).
set -eu

CHIPS=50
TEMPS=8
FANS=6
INS=6
NSENSORS=$((CHIPS * (TEMPS + FANS + INS)))
WALKS=${BENCH_WALKS:-10}
COLD=${BENCH_COLD:-3}
IDLE_S=5.5 # longer than snmpd's sensor cache (hardware/sensors: 5 s)
REFRESH=${BENCH_SNMP_REFRESH:-}
PORT=11161
LM_ROOT=.1.3.6.1.4.1.2021.13.16
HWH_ROOT=.1.3.6.1.4.1.32473
HWH_MCOL=$HWH_ROOT.1.5.1 # hwhMetricEntry
SNMPD_READY_S=10
AGENT_READY_S=30

die() { echo "snmp_walk: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
for f in hwhealthd hwhealth plugins/sensors.so; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make first"
done
for t in snmpd snmpwalk snmpbulkwalk snmpget; do
	command -v $t >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
	command -v $t >/dev/null 2>&1 || die "$t missing (contrib/deps.sh installs snmpd and snmp)"
done

# As in sensors_bench.sh: the inner half runs in the background so that a
# signal to the outer half is handled at once and passed on; the inner half
# stops its daemons, then W goes.
outer_cleanup() {
	trap '' INT TERM HUP
	if [ -n "$INNER" ]; then
		kill -TERM "$INNER" 2>/dev/null || true
		wait "$INNER" || true
	fi
	rm -rf "$W"
}

# ---- outer half: tree, tools, then ourselves in mount + network namespaces ----
if [ -z "${HWH_BENCH_W:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		unshare -r true 2>/dev/null ||
			die "needs root (or user namespaces) to bind a fake tree over /sys/class"
		exec unshare -r "$0" "$@"
	fi
	W=$(mktemp -d /tmp/hwhealth-snmpbench.XXXXXX)
	INNER=
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	CFLAGS="-std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror"
	# shellcheck disable=SC2086
	${CC:-cc} $CFLAGS -o "$W/cpuof" "$SRC/bench/cpuof.c"
	mkdir -p "$W/class/hwmon" "$W/class/bus/platform"
	c=0
	while [ $c -lt $CHIPS ]; do
		dev="$W/class/devices/platform/nct6775.$c"
		h="$W/class/hwmon/hwmon$c"
		mkdir -p "$dev" "$h"
		ln -s ../../../bus/platform "$dev/subsystem"
		ln -s "../../devices/platform/nct6775.$c" "$h/device"
		echo nct6775 >"$h/name"
		i=1
		while [ $i -le $TEMPS ]; do
			echo $((30000 + c * 100 + i * 1000)) >"$h/temp${i}_input"
			echo 80000 >"$h/temp${i}_max"
			echo 95000 >"$h/temp${i}_crit"
			i=$((i + 1))
		done
		i=1
		while [ $i -le $FANS ]; do
			echo $((900 + c * 10 + i * 100)) >"$h/fan${i}_input"
			echo 300 >"$h/fan${i}_min"
			i=$((i + 1))
		done
		i=0
		while [ $i -lt $INS ]; do
			echo $((1000 + c * 5 + i * 300)) >"$h/in${i}_input"
			echo 500 >"$h/in${i}_min"
			echo 3600 >"$h/in${i}_max"
			i=$((i + 1))
		done
		c=$((c + 1))
	done
	HWH_BENCH_W=$W unshare -m -n --propagation private "$0" "$BUILD" &
	INNER=$!
	rc=0
	wait "$INNER" || rc=$?
	INNER=
	exit $rc
fi

# ---- inner half: private mount and network namespaces ----
W=$HWH_BENCH_W
# Never touch the host: the inner half runs only in namespaces of its own,
# made by unshare for it, so they differ from its parent's (the outer half).
# An HWH_*_W inherited from the caller's environment must not skip unshare.
in_own_ns() {
	for ns in mnt net; do
		_self=$(readlink "/proc/self/ns/$ns") || return 1
		_parent=$(readlink "/proc/$PPID/ns/$ns") || return 1
		[ -n "$_self" ] && [ -n "$_parent" ] && [ "$_self" != "$_parent" ] || return 1
	done
}
in_own_ns || die "not in private mount and network namespaces of its own: refusing to touch the host"
SPID=
DPID=
cleanup() {
	trap '' INT TERM HUP PIPE
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	if [ -n "$SPID" ]; then
		kill -TERM "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # the reader went away: stop quietly

# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"

ip link set lo up || die "cannot bring up loopback in the private network namespace"
mount --bind "$W/class" /sys/class
# Both readers use libsensors' default configuration: mask the host's.
: >"$W/sensors.conf"
mkdir -p "$W/sensors.d"
for f in /etc/sensors3.conf /etc/sensors.conf; do
	[ ! -f "$f" ] || mount --bind "$W/sensors.conf" "$f"
done
[ ! -d /etc/sensors.d ] || mount --bind "$W/sensors.d" /etc/sensors.d

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ninputs=$(sensors -j 2>/dev/null | grep -c '_input"') || true
[ "$ninputs" -eq $NSENSORS ] || die "sensors sees $ninputs inputs, expected $NSENSORS"

# ---- snmpd: LM-SENSORS-MIB itself, and the AgentX master ----
mkdir -p "$W/persist"
chmod 700 "$W/persist"
cat >"$W/snmpd.conf" <<EOF
# bench/snmp_walk.sh: loopback agent in a private network namespace
[snmp] persistentDir $W/persist
agentAddress udp:127.0.0.1:$PORT
master agentx
agentXSocket $W/agentx.sock
agentXPerms 0660 0770
rocommunity public 127.0.0.1
dontLogTCPWrappersConnects yes
EOF
# No /etc/snmp file, no /var/lib/snmp, no MIB loaded (numeric OIDs only).
export SNMPCONFPATH="$W" SNMP_PERSISTENT_DIR="$W/persist" MIBS=
unset MIBDIRS
snmpd -f -Lf "$W/snmpd.log" -C -c "$W/snmpd.conf" </dev/null >/dev/null 2>&1 &
SPID=$!
PEER=127.0.0.1:$PORT
OPTS="-v2c -c public -On -t 5 -r 0"
snmpd_up() {
	kill -0 "$SPID" 2>/dev/null || { cat "$W/snmpd.log" >&2; die "snmpd exited"; }
	snmpget -v2c -c public -t 0.2 -r 0 "$PEER" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1
}
wait_for $SNMPD_READY_S snmpd_up || { cat "$W/snmpd.log" >&2; die "snmpd does not answer"; }
# shellcheck disable=SC2086
lm_rows=$(snmpwalk $OPTS "$PEER" $LM_ROOT | grep -c "^$LM_ROOT\.[2-5]\.1\.3\.") || true
[ "$lm_rows" -eq $NSENSORS ] ||
	die "snmpd's LM-SENSORS-MIB shows $lm_rows sensor values, expected $NSENSORS"

# ---- hwhealthd with the snmp service (when the plugin is built) ----
HAVE_AGENT=no
[ -e "$BUILD/plugins/snmp.so" ] && HAVE_AGENT=yes
hcpu() { if [ -n "$DPID" ]; then "$W/cpuof" pid "$DPID"; else echo 0; fi; }
# hwhealthd's on-CPU time by thread, ns (/proc/PID/task/TID/schedstat):
# "MAIN SERVICES SOURCES".  The main loop (TID = PID) answers the subagent's
# hwh_query() questions; sources are named "src:NAME"; the unnamed rest
# are the service threads (no actuator runs here), the subagent's own.
tcpu() {
	_m=0 _v=0 _q=0
	[ -n "$DPID" ] || { echo "0 0 0"; return; }
	for _t in /proc/"$DPID"/task/*; do
		{ read -r _ns _rest <"$_t/schedstat" && read -r _c <"$_t/comm"; } 2>/dev/null || continue
		if [ "${_t##*/}" = "$DPID" ]; then
			_m=$((_m + _ns))
		else
			case $_c in
			src:*) _q=$((_q + _ns)) ;;
			*) _v=$((_v + _ns)) ;;
			esac
		fi
	done
	echo "$_m $_v $_q"
}
hticks() { if [ -n "$DPID" ]; then ticks; else echo 0; fi; }
status_num() {
	cli --json status 2>/dev/null | tr -d '\n' |
		sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p"
}
# shellcheck disable=SC2086
hwh_values() { snmpwalk $OPTS "$PEER" $HWH_MCOL.10 2>/dev/null | grep -c "^$HWH_MCOL\.10\." || true; }
hwh_ready() {
	kill -0 "$DPID" 2>/dev/null || { cat "$W/daemon.log" >&2; die "hwhealthd exited"; }
	[ "$(hwh_values)" -eq $NSENSORS ]
}
IDLE_RATE=
if [ $HAVE_AGENT = yes ]; then
	cat >"$W/bench.conf" <<EOF
interval 1s
source sensors {
	plugin sensors
}
service snmp {
	plugin snmp
	agentx-socket $W/agentx.sock
${REFRESH:+	refresh $REFRESH
}}
EOF
	mkdir -p "$W/state"
	"$BUILD/hwhealthd" -c "$W/bench.conf" --socket "$W/hwhealthd.sock" \
		--state-dir "$W/state" </dev/null >"$W/daemon.log" 2>&1 &
	DPID=$!
	wait_for $AGENT_READY_S hwh_ready || {
		cat "$W/daemon.log" >&2
		die "hwhealthd's subagent does not serve $NSENSORS hwhMetricValue rows (has $(hwh_values))"
	}
	# hwhealthd's CPU with no walk running: its polls, the subagent idling.
	c0=$(hcpu)
	nap 3
	c1=$(hcpu)
	IDLE_RATE=$(calc "($c1 - $c0) / 3000 * 100")
	echo "hwhealthd idle (polls only): $IDLE_RATE % of one CPU"
fi

# shellcheck disable=SC2086
count() { "$@" 2>/dev/null | wc -l; }
# walk KIND TOOL ARGS...: one timed walk; appends to the lists of KIND.
walk() {
	_k=$1
	shift
	_s0=$("$W/cpuof" pid "$SPID")
	_h0=$(hcpu)
	_k0=$(hticks)
	_th0=$(tcpu)
	_t0=$(date +%s%N)
	_cl=$("$W/cpuof" run 1 "$@") || die "walk $_k failed: $*"
	_t1=$(date +%s%N)
	_s1=$("$W/cpuof" pid "$SPID")
	_h1=$(hcpu)
	_th1=$(tcpu)
	_k1=$(hticks)
	_wall=$(calc "($_t1 - $_t0) / 1e6")
	_snmpd=$(calc "$_s1 - $_s0")
	_hwhd=$(calc "$_h1 - $_h0")
	_share=$(calc "($_h1 - $_h0) / (($_t1 - $_t0) / 1e6) * 100")
	eval "W_$_k=\"\${W_$_k:-} $_wall\"; S_$_k=\"\${S_$_k:-} $_snmpd\""
	eval "H_$_k=\"\${H_$_k:-} $_hwhd\"; P_$_k=\"\${P_$_k:-} $_share\""
	eval "C_$_k=\"\${C_$_k:-} $_cl\"; T_$_k=\$((\${T_$_k:-0} + $_k1 - $_k0))"
	# shellcheck disable=SC2086
	set -- $_th0 $_th1
	eval "TM_$_k=\"\${TM_$_k:-} $(calc "($4 - $1) / 1e6")\""
	eval "TV_$_k=\"\${TV_$_k:-} $(calc "($5 - $2) / 1e6")\""
	eval "TQ_$_k=\"\${TQ_$_k:-} $(calc "($6 - $3) / 1e6")\""
}

KINDS="lm lm_bulk"
COLD_KINDS="lm_cold"
if [ $HAVE_AGENT = yes ]; then
	KINDS="lm hwh hwh3 lm_bulk hwh_bulk"
	COLD_KINDS="lm_cold hwh_cold"
fi
# The varbind counts, N_KIND (read through get()).
# shellcheck disable=SC2086,SC2034
{
	N_lm=$(count snmpwalk $OPTS "$PEER" $LM_ROOT)
	N_lm_bulk=$N_lm
	N_lm_cold=$N_lm
	if [ $HAVE_AGENT = yes ]; then
		N_hwh=$(count snmpwalk $OPTS "$PEER" $HWH_ROOT)
		N_hwh_bulk=$N_hwh
		N_hwh_cold=$N_hwh
		N_hwh3=$(count snmpwalk $OPTS -CE $HWH_MCOL.11 "$PEER" $HWH_MCOL.8)
	fi
}
vb="LM-SENSORS-MIB $N_lm"
[ $HAVE_AGENT = no ] || vb="$vb, HWHEALTH-MIB $N_hwh, 3 metric columns $N_hwh3"
echo "tree: $ninputs inputs; varbinds per walk: $vb; $WALKS rounds"

r=0
while [ $r -lt "$WALKS" ]; do
	r=$((r + 1))
	line="round $r:"
	for k in $KINDS; do
		# shellcheck disable=SC2086
		case $k in
		lm) walk lm snmpwalk $OPTS "$PEER" $LM_ROOT ;;
		hwh) walk hwh snmpwalk $OPTS "$PEER" $HWH_ROOT ;;
		hwh3) walk hwh3 snmpwalk $OPTS -CE $HWH_MCOL.11 "$PEER" $HWH_MCOL.8 ;;
		lm_bulk) walk lm_bulk snmpbulkwalk $OPTS "$PEER" $LM_ROOT ;;
		hwh_bulk) walk hwh_bulk snmpbulkwalk $OPTS "$PEER" $HWH_ROOT ;;
		esac
		line="$line $k $_wall ms"
		[ $HAVE_AGENT = no ] || line="$line ($_share %)"
	done
	echo "$line"
done
# Cold walks: each after an idle longer than snmpd's 5 s sensor cache, so
# the walk pays snmpd's reload of every sensor through libsensors (and
# hwhealthd's rebuild of its view, which its 1 s refresh makes every walk
# above pay more than once anyway).
r=0
while [ $r -lt "$COLD" ]; do
	r=$((r + 1))
	line="cold $r:"
	for k in $COLD_KINDS; do
		nap $IDLE_S
		# shellcheck disable=SC2086
		case $k in
		lm_cold) walk lm_cold snmpwalk $OPTS "$PEER" $LM_ROOT ;;
		hwh_cold) walk hwh_cold snmpwalk $OPTS "$PEER" $HWH_ROOT ;;
		esac
		line="$line $k $_wall ms"
		[ $HAVE_AGENT = no ] || line="$line ($_share %)"
	done
	echo "$line"
done
# The tables did not change under the walks.
# shellcheck disable=SC2086
n=$(count snmpwalk $OPTS "$PEER" $LM_ROOT)
[ "$n" -eq "$N_lm" ] || die "LM-SENSORS-MIB walk changed from $N_lm to $n varbinds"
if [ $HAVE_AGENT = yes ]; then
	# shellcheck disable=SC2086
	n=$(count snmpwalk $OPTS "$PEER" $HWH_ROOT)
	[ "$n" -eq "$N_hwh" ] || die "HWHEALTH-MIB walk changed from $N_hwh to $n varbinds"
	kill -TERM "$DPID"
	wait "$DPID" || echo "snmp_walk: warning: hwhealthd exited with status $?" >&2
	DPID=
fi
kill -TERM "$SPID"
wait "$SPID" || echo "snmp_walk: warning: snmpd exited with status $?" >&2
SPID=

# ---- figures ----
get() { eval "echo \"\${$1_$2:-}\""; }
# shellcheck disable=SC2046
med() { median $(get "$1" "$2"); }
# nth LIST KIND N: the Nth figure of a list.
nth() { get "$1" "$2" | awk -v n="$3" '{ print $n }'; }
# shellcheck disable=SC2046
top() { printf '%s\n' $(get "$1" "$2") | sort -g | tail -1; }
TCK=$(getconf CLK_TCK)
row() { # KIND LABEL
	_n=$(get N "$1")
	_mw=$(med W "$1")
	printf '| %s | %s | %s / %s | %s | %s / %s | %s | %s / %s | %s |\n' "$2" "$_n" \
		"$_mw" "$(top W "$1")" "$(calc "$_mw * 1000 / $_n")" \
		"$(med S "$1")" "$(top S "$1")" "$(med C "$1")" \
		"$(if [ $HAVE_AGENT = yes ]; then med H "$1"; else echo -; fi)" \
		"$(if [ $HAVE_AGENT = yes ]; then top H "$1"; else echo -; fi)" \
		"$(if [ $HAVE_AGENT = yes ]; then echo "$(med P "$1") % / $(top P "$1") %"; else echo -; fi)"
}
label() {
	case $1 in
	lm) echo "LM-SENSORS-MIB, snmpwalk (snmpd itself)" ;;
	hwh) echo "HWHEALTH-MIB whole, snmpwalk (subagent)" ;;
	hwh3) echo "HWHEALTH-MIB 3 metric columns, snmpwalk" ;;
	lm_bulk) echo "LM-SENSORS-MIB, snmpbulkwalk" ;;
	hwh_bulk) echo "HWHEALTH-MIB whole, snmpbulkwalk" ;;
	lm_cold) echo "LM-SENSORS-MIB, snmpwalk after ${IDLE_S} s idle (snmpd reloads)" ;;
	hwh_cold) echo "HWHEALTH-MIB whole, snmpwalk after ${IDLE_S} s idle" ;;
	esac
}
if [ $HAVE_AGENT = yes ]; then
	SH=$(med P hwh)
	SHX=$(top P hwh)
	V_SHARE=$(verdict "$SH <= 20")
	V_WALL=$(verdict "$(med W hwh) <= $(med W lm)")
	V_WALL3=$(verdict "$(med W hwh3) <= $(med W lm)")
	V_BULK=$(verdict "$(med W hwh_bulk) <= $(med W lm_bulk)")
	# shellcheck disable=SC2154 # set by walk() through eval
	HT=$(calc "$T_hwh * 1000 / $TCK")
	HC=0
	# shellcheck disable=SC2154
	for v in $H_hwh; do HC=$(calc "$HC + $v"); done
fi

COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$SRC" diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT+uncommitted"
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="$(nproc) CPUs, ${CPU:-unknown CPU}, Linux $(uname -r)"
pkgv() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
VERSIONS="hwhealthd $("$BUILD/hwhealthd" --version 2>/dev/null | sed 's/^hwhealthd //'),\
 snmpd $(pkgv snmpd) (net-snmp $(snmpd -v 2>/dev/null | sed -n 's/^NET-SNMP version: *//p')),\
 libsensors5 $(pkgv libsensors5)"

report() {
	cat <<EOF
# SNMP walk benchmark

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT, $MACHINE
(load average $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end);
$VERSIONS.
\`make bench\` (bench/snmp_walk.sh); $WALKS rounds, each one walk of every
kind below in turn; median / max over the rounds.

The same $NSENSORS sensors for both agents: a fake hwmon tree of $CHIPS nct6775
chips x ($TEMPS temp with max+crit, $FANS fan with min, $INS in with min+max) bound
over /sys/class in a private mount namespace (host lm-sensors configuration
masked), read by Debian's snmpd through its built-in ucd-snmp/lmsensorsMib
(libsensors; on-demand cache of 5 s) and by hwhealthd's sensors source
(interval 1s; the snmp service's refresh: ${REFRESH:-the default, 1s}).
snmpd is the AgentX master on udp:127.0.0.1:$PORT in a private
network namespace; hwhealthd's \`service snmp\` is the subagent.
Every walk: \`TOOL -v2c -c public -On -t 5 -r 0 127.0.0.1:$PORT OID\`, no MIB
loaded: \`snmpwalk\` (GETNEXT, one round trip per varbind) and
\`snmpbulkwalk\` (GETBULK, max-repetitions 10);
\`$LM_ROOT\` (LM-SENSORS-MIB), \`$HWH_ROOT\` (HWHEALTH-MIB) and
\`-CE $HWH_MCOL.11 $HWH_MCOL.8\` (hwhMetricUnits, -Precision, -Value).
CPU figures are the process's CPU-time clock (utime+stime, ns resolution)
before and after the walk; the share is hwhealthd's CPU / wall time.
EOF
	if [ $HAVE_AGENT = no ]; then
		cat <<EOF

**HWHEALTH-MIB side not measured: $BUILD has no plugins/snmp.so.**
EOF
	fi
	cat <<EOF

| walk | varbinds | wall ms (median / max) | us per varbind | snmpd CPU ms (median / max) | client CPU ms | hwhealthd CPU ms (median / max) | subagent share of wall (median / max) |
|---|---|---|---|---|---|---|---|
EOF
	for k in $KINDS $COLD_KINDS; do
		[ -z "$(get W "$k")" ] || row "$k" "$(label "$k")"
	done
	cat <<EOF

Per round (snmpwalk, GETNEXT):

EOF
	if [ $HAVE_AGENT = yes ]; then
		echo "| round | LM wall ms | LM snmpd CPU ms | HWH wall ms | HWH hwhealthd CPU ms | share | HWH snmpd CPU ms |"
		echo "|---|---|---|---|---|---|---|"
	else
		echo "| round | LM wall ms | LM snmpd CPU ms |"
		echo "|---|---|---|"
	fi
	r=1
	while [ $r -le "$WALKS" ]; do
		if [ $HAVE_AGENT = yes ]; then
			echo "| $r | $(nth W lm $r) | $(nth S lm $r) | $(nth W hwh $r) | $(nth H hwh $r) | $(nth P hwh $r) % | $(nth S hwh $r) |"
		else
			echo "| $r | $(nth W lm $r) | $(nth S lm $r) |"
		fi
		r=$((r + 1))
	done
	[ $HAVE_AGENT = no ] || {
		cat <<EOF

hwhealthd's CPU by thread (on-CPU time from /proc/PID/task/TID/schedstat,
median): the main loop answers the service's hwh_query() questions
(status, sensors, explain, actions as JSON), the service thread is the
subagent (AgentX, the view, notification diffs), the poll thread reads the
sensors.

| walk | main loop ms | snmp service thread ms | sensors poll thread ms |
|---|---|---|---|
EOF
		for k in hwh hwh3 hwh_bulk hwh_cold; do
			[ -n "$(get W $k)" ] || continue
			printf '| %s | %s | %s | %s |\n' "$(label $k)" "$(med TM $k)" "$(med TV $k)" "$(med TQ $k)"
		done
	}
	[ $HAVE_AGENT = no ] || cat <<EOF

hwhealthd's CPU with no walk running (its 1 s polls): $IDLE_RATE % of one CPU,
included in the shares above.  Over the $WALKS whole-MIB snmpwalks:
hwhealthd CPU $HC ms by its CPU-time clock, $HT ms by /proc/PID/stat
utime+stime ($TCK Hz ticks).

| target | measured | result |
|---|---|---|
| subagent share of the whole-MIB snmpwalk <= 20 % | $SH % (max $SHX %) | $V_SHARE |
| HWHEALTH-MIB whole walk no slower than LM-SENSORS-MIB walk | $(med W hwh) ms ($N_hwh varbinds) vs $(med W lm) ms ($N_lm) | $V_WALL |
| the same with as many varbinds (3 metric columns) | $(med W hwh3) ms ($N_hwh3) vs $(med W lm) ms ($N_lm) | $V_WALL3 |
| the same with GETBULK (reference) | $(med W hwh_bulk) ms vs $(med W lm_bulk) ms | $V_BULK |

Where the time goes and what the targets would take: bench/ANALYSIS.md,
"SNMP subagent".
EOF
}
report | tee "$SRC/bench/RESULTS-snmp.md"
