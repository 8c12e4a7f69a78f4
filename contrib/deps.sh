#!/bin/sh
# Install the Debian 12 packages that building, testing, the demo and the
# benchmarks need (the cluster managers: the real Pacemaker+Corosync and
# Slurm+munge the actuator tests drive, tests/pcmk.c and tests/slurm.c; the
# MIB checkers smilint (smitools) and snmptranslate (snmp), and erlang-snmp,
# the only Debian package that ships the IETF base MIBs SNMPv2-SMI, -TC,
# -CONF and SNMP-FRAMEWORK-MIB as text: tests/integration/check_mib.c finds
# them under /usr/lib/erlang/lib/snmp-*/mibs); snmpd and snmptrapd, the
# AgentX master and trap receiver the snmp tests run (tests/snmpd.c), and
# libsnmp-dev, the net-snmp agent library the snmp plugin links; python3, for
# tests/agentx_fake.py, the scripted AgentX master of check_snmp_fake.c).  Idempotent and
# non-interactive; does nothing when all are present, so it is cheap to run
# from `make check`.
set -eu
PKGS="gcc libc6-dev make pkg-config util-linux mount check libjson-c-dev libsystemd-dev zlib1g-dev
libsensors-dev lm-sensors libxml2-dev clang libclang-rt-14-dev valgrind
libipmimonitoring-dev libfreeipmi-dev freeipmi-tools openipmi smartmontools libfuse3-dev fuse3
pacemaker corosync pacemaker-cli-utils pacemaker-resource-agents
slurmctld slurmd slurm-client munge
smitools snmp erlang-snmp snmpd snmptrapd libsnmp-dev python3"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all packages present"; exit 0; }
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: need root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
