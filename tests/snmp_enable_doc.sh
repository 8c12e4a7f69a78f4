#!/bin/sh
# snmp_enable_doc.sh BUILD_DIR: run the snippets of mibs/README ("Enabling it",
# "Loading it in net-snmp tools", check_snmp) as written, against Debian's
# snmpd and snmptrapd and a real hwhealthd, so that the documentation cannot
# drift from what works.  Not part of `make check`; run it after editing
# those sections.  Needs root, the Debian-snmp user (package snmpd),
# snmptrapd, erlang-snmp (the IETF MIBs).  About 15 s.
#
# In private mount and network namespaces: /etc/snmp is a copy of the
# host's (Debian's stock snmpd.conf included) with the documented
# snmpd.conf.d/hwhealth.conf and snmptrapd.conf, /var is an empty tmpfs
# (/var/lib/snmp for the documented createUser step, /var/agentx for the
# socket), /usr/share/snmp/mibs gets HWHEALTH-MIB.txt as `make install`
# puts it, /sys/class a one-chip fake hwmon tree; the loopback carries
# 192.0.2.20 (the node) and 192.0.2.10 (the manager, where snmptrapd
# listens), the addresses the README uses.  snmpd runs as Debian's unit runs
# it (-u Debian-snmp -g Debian-snmp).  hwhealthd runs the documented service
# block plus a sensors source; a temperature past its critical limit must
# reach snmptrapd as hwhNodeStateChange through both documented sinks.
# CHECK_SNMP=PATH also runs the documented check_snmp (monitoring-plugins).
# Prints PASS/FAIL per check; exits 1 if any failed.
# A && ok || bad is meant (ok never fails); '~' and '$' are literal text here.
# shellcheck disable=SC2015,SC2088,SC2016,SC2094,SC2317
set -u

die() { echo "snmp_enable_doc: $*" >&2; exit 2; }
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
REPO=$(cd "$(dirname "$0")/.." && pwd)
README=$REPO/mibs/README
[ -x "$BUILD/hwhealthd" ] && [ -e "$BUILD/plugins/snmp.so" ] || die "build hwhealthd and plugins/snmp.so first"
[ "$(id -u)" = 0 ] || die "needs root"
id Debian-snmp >/dev/null 2>&1 || die "no Debian-snmp user (package snmpd)"

if [ -z "${HWH_DOC_W:-}" ]; then
	W=$(mktemp -d /tmp/hwhealth-snmpdoc.XXXXXX)
	chmod 755 "$W"
	trap 'rm -rf "$W"' EXIT
	trap 'exit 130' INT TERM HUP
	rc=0
	HWH_DOC_W=$W unshare -m -n --propagation private "$0" "$BUILD" || rc=$?
	exit $rc
fi

W=$HWH_DOC_W
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
TP='' SP='' DP=''
cleanup() {
	for p in $DP $SP $TP; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
fail=0
ok() { echo "PASS: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
# The fenced block of the README whose first line is "# FILE".
block() { awk -v f="# $1" '/^```/ { if (inb) exit; next } $0 == f { inb = 1 } inb' "$README"; }
# wait_until SECONDS CMD...
wait_until() {
	_n=$(($1 * 5))
	shift
	until "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.2
	done
}

ip link set lo up
ip addr add 192.0.2.20/32 dev lo
ip addr add 192.0.2.10/32 dev lo
mkdir -p "$W/etc-snmp" "$W/class/hwmon/hwmon0" "$W/state" "$W/mibs" "$W/home/.snmp"
cp -a /etc/snmp/. "$W/etc-snmp/"
mount --bind "$W/etc-snmp" /etc/snmp || die "cannot bind over /etc/snmp"
mount -t tmpfs none /var || die "cannot mount a tmpfs over /var"
mkdir -p /var/lib/snmp
chown Debian-snmp:Debian-snmp /var/lib/snmp
h=$W/class/hwmon/hwmon0
echo doc >"$h/name"
echo 45000 >"$h/temp1_input"
echo 80000 >"$h/temp1_max"
echo 95000 >"$h/temp1_crit"
mount --bind "$W/class" /sys/class || die "cannot bind over /sys/class"
cp -a /usr/share/snmp/mibs/. "$W/mibs/"
cp "$REPO/mibs/HWHEALTH-MIB.txt" "$W/mibs/"
mount --bind "$W/mibs" /usr/share/snmp/mibs || die "cannot bind over /usr/share/snmp/mibs"

# The documented files and steps, verbatim.
block /etc/snmp/snmpd.conf.d/hwhealth.conf >/etc/snmp/snmpd.conf.d/hwhealth.conf
block /etc/snmp/snmptrapd.conf >/etc/snmp/snmptrapd.conf
block '~/.snmp/snmp.conf' >"$W/home/.snmp/snmp.conf"
chmod 600 "$W/home/.snmp/snmp.conf"
{
	block /etc/hwhealth/hwhealth.conf
	printf 'interval 1s\nsource sensors {\n\tplugin sensors\n}\n'
} >"$W/hwhealth.conf"
for f in /etc/snmp/snmpd.conf.d/hwhealth.conf /etc/snmp/snmptrapd.conf "$W/home/.snmp/snmp.conf"; do
	[ -s "$f" ] || die "README has no block for $f"
done
grep -q '^service snmp' "$W/hwhealth.conf" || die "README has no hwhealth.conf block"
cu=$(sed -n "s/^ *\(echo 'createUser hwhmon.*'\) >>\/var\/lib\/snmp\/snmpd.conf$/\1/p" "$README")
[ -n "$cu" ] || die "README has no createUser step"
sh -c "$cu" >>/var/lib/snmp/snmpd.conf
chown Debian-snmp:Debian-snmp /var/lib/snmp/snmpd.conf
V3=
eval "$(grep '^V3=' "$README")"
[ -n "$V3" ] || die "README has no V3= line"
IETF=$(echo /usr/lib/erlang/lib/snmp-*/mibs)
[ -d "$IETF" ] || die "no IETF MIBs (erlang-snmp)"

snmptrapd -f -Lf "$W/traps.log" -F '%P | %v\n' -On udp:192.0.2.10:162 &
TP=$!
touch "$W/snmpd.log"
chown Debian-snmp "$W/snmpd.log"
snmpd -Lf "$W/snmpd.log" -u Debian-snmp -g Debian-snmp -I -smux,mteTrigger,mteTriggerConf -f &
SP=$!
"$BUILD/hwhealthd" -c "$W/hwhealth.conf" --socket "$W/hwhealthd.sock" --state-dir "$W/state" \
	</dev/null >"$W/daemon.log" 2>&1 &
DP=$!

M="-M +/usr/share/snmp/mibs:$IETF -m HWHEALTH-MIB"
# shellcheck disable=SC2086
state() { snmpget $V3 -t 1 -r 0 $M "${1:-192.0.2.20}" HWHEALTH-MIB::hwhNodeState.0 2>&1; }
is_green() { state | grep -q 'green(1)'; }
wait_until 20 is_green || bad "no green hwhNodeState.0 within 20 s: $(state)"
# shellcheck disable=SC2086
{
	out=$(state)
	echo "$out" | grep -q 'green(1)' && ok "v3 authPriv read on 192.0.2.20: $out" || bad "v3 read: $out"
	out=$(state 127.0.0.1)
	echo "$out" | grep -q 'green(1)' && ok "and on 127.0.0.1 (Debian's own agentaddress)" || bad "127.0.0.1: $out"
	out=$(snmpget $V3 -On 192.0.2.20 .1.3.6.1.2.1.1.5.0 2>&1)
	echo "$out" | grep -q STRING && ok "system group in the view: $out" || bad "sysName: $out"
	out=$(snmpwalk $V3 -On 192.0.2.20 .1.3.6.1.2.1.2 2>&1)
	echo "$out" | grep -q -E 'No more variables|No Such Object' &&
		ok "interfaces outside the view: $out" || bad "view: $out"
	out=$(snmpget -v3 -l authNoPriv -u hwhmon -a SHA-256 -A read-auth-passphrase -t 1 -r 0 -On \
		192.0.2.20 .1.3.6.1.2.1.1.5.0 2>&1)
	echo "$out" | grep -q authorizationError && ok "authNoPriv refused" || bad "authNoPriv: $out"
	out=$(snmpget -v2c -c public -t 1 -r 0 $M 192.0.2.20 HWHEALTH-MIB::hwhNodeState.0 2>&1)
	echo "$out" | grep -q 'No Such Object' && ok "Debian's public community does not reach the arc" ||
		bad "public: $out"
}
grep -q '^usmUser .*"hwhmon"' /var/lib/snmp/snmpd.conf && ! grep -q '^createUser' /var/lib/snmp/snmpd.conf &&
	ok "createUser replaced by a localized usmUser" || bad "persistent file still has createUser"
[ "$(stat -c '%a %U' /var/agentx/master 2>&1)" = "600 root" ] && [ "$(stat -c '%a' /var/agentx)" = 700 ] &&
	ok "AgentX socket 0600 root in a 0700 directory" || bad "socket: $(ls -la /var/agentx 2>&1)"
# the README's net-snmp tool lines, node1 being 192.0.2.20
for tool in snmpwalk snmpget snmptable; do
	line=$(grep "^$tool " "$README" | head -1 | sed 's/ node1 / 192.0.2.20 /')
	[ -n "$line" ] || { bad "README has no $tool line"; continue; }
	out=$(eval "$line" 2>&1)
	echo "$out" | grep -q -E 'hwhNodeState.0 = INTEGER: green|sensors/doc-virtual-0/temp1 +sensors' &&
		ok "README: $line" || bad "README: $line: $out"
done
out=$(HOME=$W/home snmpget -m HWHEALTH-MIB 192.0.2.20 HWHEALTH-MIB::hwhNodeState.0 2>&1)
echo "$out" | grep -q 'green(1)' && ok "~/.snmp/snmp.conf defaults: $out" || bad "snmp.conf defaults: $out"
check_snmp() {
	line=$(sed -n '/^  check_snmp -H node1 -P 3/{N;s/\\\n//;p}' "$README" | sed 's/^ *//; s/ node1 / 192.0.2.20 /; s/^check_snmp/"$CHECK_SNMP"/')
	[ -n "$line" ] || { bad "README has no check_snmp v3 line"; return; }
	out=$(eval "MIBDIRS=+/usr/share/snmp/mibs:$IETF $line" 2>&1)
	rc=$?
	[ $rc = "$1" ] && ok "check_snmp exits $rc: $out" || bad "check_snmp exits $rc, not $1: $out"
}
[ -z "${CHECK_SNMP:-}" ] || check_snmp 0

# A notification: the temperature past its critical limit.
echo 99000 >"$h/temp1_input"
sent_both() { [ "$(grep -c '32473\.0\.1[^.0-9]' "$W/traps.log")" -ge 2 ]; }
wait_until 20 sent_both
grep 'TRAP2, SNMP v2c, community public' "$W/traps.log" | grep -q 'OID: .1.3.6.1.4.1.32473.0.1[^.]' &&
	ok "hwhNodeStateChange as SNMPv2c trap (trap2sink)" || bad "no v2c trap"
grep 'INFORM, SNMP v3, user hwhtrap' "$W/traps.log" | grep -q 'OID: .1.3.6.1.4.1.32473.0.1[^.]' &&
	ok "hwhNodeStateChange as SNMPv3 inform (trapsess -Ci)" || bad "no v3 inform"
[ -z "${CHECK_SNMP:-}" ] || check_snmp 2

# Debian's reload of snmpd (SIGHUP, running as Debian-snmp) keeps the subagent.
kill -HUP $SP
sleep 2.5
out=$(state)
echo "$out" | grep -q -E 'red|critical' && ok "after snmpd SIGHUP: $out" || bad "after SIGHUP: $out"
# The SNMPv2c alternative of the bullet list.
sed -n 's/^.*`\(rocommunity hwhro 192.0.2.10 -V\)$/\1 hwhealth/p' "$README" >/etc/snmp/snmpd.conf.d/v2c.conf
grep -q hwhro /etc/snmp/snmpd.conf.d/v2c.conf || bad "README has no rocommunity hwhro line"
kill -HUP $SP
sleep 2.5
# shellcheck disable=SC2086
out=$(snmpget -v2c -c hwhro -t 1 -r 0 $M 192.0.2.20 HWHEALTH-MIB::hwhNodeState.0 2>&1)
echo "$out" | grep -q Timeout && ok "hwhro from another address: no answer" || bad "hwhro elsewhere: $out"
# shellcheck disable=SC2086
out=$(snmpget -v2c -c hwhro -t 1 -r 0 $M --clientaddr=192.0.2.10 192.0.2.20 HWHEALTH-MIB::hwhNodeState.0 2>&1)
echo "$out" | grep -q -E 'red|critical' && ok "hwhro from 192.0.2.10: $out" || bad "hwhro: $out"

if grep -v 'Connection from' "$W/snmpd.log" | grep -i -E 'error|warning|duplicate' |
	grep -v 'ipAddressTable'; then
	bad "snmpd logged the lines above"
else
	ok "snmpd logged no error or warning (but Debian's own ipAddressTable one at SIGHUP)"
fi
[ $fail = 0 ] && echo "ALL PASS" || { echo "SOME FAILED; logs:"; cat "$W/snmpd.log" "$W/daemon.log"; }
exit $fail
