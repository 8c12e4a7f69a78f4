#!/bin/sh
# pacemaker-setup.sh: set the Pacemaker cluster properties the hwhealth
# pacemaker actuator relies on.  Run once, on any one node of the cluster, as
# root (or hacluster); running it again changes nothing that is already set.
#
#   node-health-strategy   migrate-on-red (default): a node whose
#                          #health-hwhealth is "red" runs nothing; yellow
#                          and green change nothing.
#                          only-green: yellow moves work away too.
#                          progressive: scores per colour (below).
#   node-health-green / -yellow / -red
#                          set with progressive only: 0, --yellow-score
#                          (default -1000: prefer other nodes) and -INFINITY.
#   allow-unhealthy-nodes  with --resource ID: the meta attribute that keeps
#                          that resource (hwhealthd run as a cluster resource)
#                          running on an unhealthy node, so the daemon that
#                          would lift the drain is not itself moved away.
#
# Usage: pacemaker-setup.sh [--strategy migrate-on-red|only-green|progressive]
#            [--yellow-score N] [--resource ID] [--tools-dir DIR] [--dry-run]
# Exit status: 0 done (or nothing to do), 1 a tool failed, 2 usage.
# POSIX sh: no bashisms (checked with dash).

set -u

strategy=migrate-on-red
yellow_score=-1000
resource=
tools=/usr/sbin
dry=0

usage() {
	cat >&2 <<EOF
usage: pacemaker-setup.sh [--strategy migrate-on-red|only-green|progressive]
           [--yellow-score N] [--resource ID] [--tools-dir DIR] [--dry-run]
EOF
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--strategy) [ $# -ge 2 ] || usage; strategy=$2; shift 2 ;;
	--yellow-score) [ $# -ge 2 ] || usage; yellow_score=$2; shift 2 ;;
	--resource) [ $# -ge 2 ] || usage; resource=$2; shift 2 ;;
	--tools-dir) [ $# -ge 2 ] || usage; tools=$2; shift 2 ;;
	--dry-run) dry=1; shift ;;
	-h|--help) usage ;;
	*) echo "pacemaker-setup: unknown argument: $1" >&2; usage ;;
	esac
done

case $strategy in
migrate-on-red|only-green|progressive) ;;
*) echo "pacemaker-setup: --strategy must be migrate-on-red, only-green or progressive, not '$strategy'" >&2
   exit 2 ;;
esac
case $yellow_score in
-INFINITY|INFINITY|+INFINITY) ;;
''|-|*[!0-9-]*|?*-*) echo "pacemaker-setup: --yellow-score must be an integer or [+-]INFINITY, not '$yellow_score'" >&2
   exit 2 ;;
esac

failed=0

# set_property NAME VALUE: a cluster property (crm_config), only if different.
set_property() {
	cur=$("$tools/crm_attribute" -t crm_config -n "$1" -G -q 2>/dev/null)
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 105 ]; then
		echo "pacemaker-setup: cannot read property $1 (crm_attribute exit $rc): is the cluster running?" >&2
		failed=1
		return
	fi
	[ $rc -eq 105 ] && cur="(unset)"
	if [ "$cur" = "$2" ]; then
		echo "property $1=$2: already set"
	elif [ $dry -eq 1 ]; then
		echo "property $1=$2: would set (now $cur)"
	elif "$tools/crm_attribute" -t crm_config -n "$1" -v "$2"; then
		echo "property $1=$2: set (was $cur)"
	else
		echo "pacemaker-setup: setting property $1=$2 failed" >&2
		failed=1
	fi
}

# set_meta ID NAME VALUE: a resource's meta attribute, only if different.
set_meta() {
	cur=$("$tools/crm_resource" --resource "$1" --meta --get-parameter "$2" --quiet 2>/dev/null)
	rc=$?
	if [ $rc -ne 0 ] || [ -z "$cur" ]; then
		cur="(unset)"
	fi
	if [ "$cur" = "$3" ]; then
		echo "resource $1 meta $2=$3: already set"
	elif [ $dry -eq 1 ]; then
		echo "resource $1 meta $2=$3: would set (now $cur)"
	elif "$tools/crm_resource" --resource "$1" --meta --set-parameter "$2" \
		--parameter-value "$3" >/dev/null; then
		echo "resource $1 meta $2=$3: set (was $cur)"
	else
		echo "pacemaker-setup: setting meta attribute $2 of resource $1 failed" >&2
		failed=1
	fi
}

[ $dry -eq 1 ] && echo "dry run: nothing is changed"
set_property node-health-strategy "$strategy"
if [ "$strategy" = progressive ]; then
	set_property node-health-green 0
	set_property node-health-yellow "$yellow_score"
	set_property node-health-red -INFINITY
fi
[ -n "$resource" ] && set_meta "$resource" allow-unhealthy-nodes true
exit $failed
