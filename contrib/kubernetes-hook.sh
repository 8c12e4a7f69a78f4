#!/bin/sh
# kubernetes-hook.sh: an hwhealth exec hook that takes this node out of a
# Kubernetes cluster before its hardware fails, and brings it back after.
#
#   drain    mark the cordon as hwhealth's with the annotation
#            hwhealth-cordoned=ACTION_ID, kubectl cordon NODE (mark first, so a
#            failed cordon is still known as ours), then kubectl drain NODE
#            --ignore-daemonsets --delete-emptydir-data --timeout=...
#            A node an operator cordoned already is drained but its cordon
#            stays theirs (not annotated).
#   undrain  only a cordon hwhealth made (annotated) is lifted: kubectl
#            uncordon NODE, annotation removed; a node uncordoned by hand since
#            only loses the stale annotation.  Otherwise nothing (the LBNL
#            NHC rule: never undo an operator's decision).  Race: an operator
#            who cordons between our check and our uncordon loses theirs.
#   notify   with K8S_TAINT=yes: taint NODE hwhealth/unhealthy=STATE:NoSchedule
#            on red or critical, remove it on green or yellow.
#   fence    not Kubernetes' business: says so and exits 0.
#
# POSIX sh.  Reads HWHEALTH_ACTION, HWHEALTH_NODE, HWHEALTH_STATE,
# HWHEALTH_ACTION_ID (hwhealth.conf(5), EXEC ACTUATOR).  Settings, through the
# action block's env options (the daemon's own environment does not reach a
# hook): KUBECTL (default: kubectl on PATH), KUBECONFIG, K8S_NODE (default
# HWHEALTH_NODE), K8S_DRAIN_TIMEOUT (default 5m: keep it under the block's
# timeout), K8S_TAINT (yes|no, default no).  Exit status: kubectl's first
# failure, else 0.
#
# Example (/etc/hwhealth/hwhealth.conf):
#
#   action kubernetes {
#       plugin exec
#       program /usr/local/libexec/hwhealth/kubernetes-hook.sh
#       env PATH=/usr/local/bin:/usr/bin:/bin
#       env KUBECONFIG=/etc/hwhealth/kubeconfig   # a service account allowed
#                                                 # to cordon, drain, annotate
#       env K8S_DRAIN_TIMEOUT=4m
#       env K8S_TAINT=yes
#       timeout 5m                                # above K8S_DRAIN_TIMEOUT
#       on notify drain undrain
#   }

set -u

KUBECTL=${KUBECTL:-kubectl}
NODE=${K8S_NODE:-${HWHEALTH_NODE:?HWHEALTH_NODE is not set: run me from the exec actuator}}
DRAIN_TIMEOUT=${K8S_DRAIN_TIMEOUT:-5m}
TAINT=${K8S_TAINT:-no}
MARK=hwhealth-cordoned
TAINT_KEY=hwhealth/unhealthy

# "UNSCHEDULABLE|MARK" of the node: "true|17" when hwhealth cordoned it.
node_status() {
	"$KUBECTL" get node "$NODE" \
		-o "jsonpath={.spec.unschedulable}{\"|\"}{.metadata.annotations.$MARK}"
}

do_drain() {
	st=$(node_status) || exit
	if [ "${st%%|*}" = true ]; then
		[ -n "${st#*|}" ] || echo "$NODE already cordoned by someone else: the cordon stays theirs"
	else
		# The mark first: a cordon without it would look like an
		# operator's and never be lifted.
		"$KUBECTL" annotate node "$NODE" --overwrite "$MARK=${HWHEALTH_ACTION_ID:-0}" || exit
		"$KUBECTL" cordon "$NODE" || exit
	fi
	"$KUBECTL" drain "$NODE" --ignore-daemonsets --delete-emptydir-data \
		--timeout="$DRAIN_TIMEOUT" || exit
}

do_undrain() {
	st=$(node_status) || exit
	if [ -z "${st#*|}" ]; then
		echo "$NODE: no cordon of hwhealth's to lift (${st%%|*}): left alone"
		return 0
	fi
	if [ "${st%%|*}" != true ]; then
		# Uncordoned by hand since: the mark is stale, and a later
		# cordon would be someone else's.
		echo "$NODE: not cordoned any more: stale mark removed, nothing lifted"
		"$KUBECTL" annotate node "$NODE" "$MARK-" || exit
		return 0
	fi
	"$KUBECTL" uncordon "$NODE" || exit
	"$KUBECTL" annotate node "$NODE" "$MARK-" || exit
}

do_notify() {
	[ "$TAINT" = yes ] || return 0
	case "${HWHEALTH_STATE:-}" in
	red | critical)
		"$KUBECTL" taint nodes "$NODE" --overwrite \
			"$TAINT_KEY=$HWHEALTH_STATE:NoSchedule" || exit
		;;
	green | yellow)
		# Not there is fine: kubectl says "not found" and exits 1.
		"$KUBECTL" taint nodes "$NODE" "$TAINT_KEY:NoSchedule-" 2>/dev/null || true
		;;
	esac
}

case "${HWHEALTH_ACTION:-}" in
drain) do_drain ;;
undrain) do_undrain ;;
notify) do_notify ;;
fence) echo "fence: nothing to do in Kubernetes (fence with the watchdog or pacemaker)" ;;
*)
	echo "kubernetes-hook: unknown HWHEALTH_ACTION '${HWHEALTH_ACTION:-}'" >&2
	exit 2
	;;
esac
exit 0
