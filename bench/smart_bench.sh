#!/bin/sh
# smart_bench.sh BUILD_DIR: what the smart source costs, beside what the
# smartctl processes it runs cost, in one run.
#
#   parse       build/smart_parse_bench over every capture in
#               ../shared/fixtures/smartctl (126 real drives): thread CPU per
#               smart_parse() of one document, median and worst, per protocol
#   daemon      hwhealthd with one smart source of 24 drives (16 ATA, 6 NVMe,
#               2 SCSI captures), smartctl = the test stand-in
#               (build/tests/smartctl-standin) printing each drive's real
#               capture, parallel 4, interval 2s, for WINDOWS windows of
#               WINDOW_S seconds.  Per 24-drive poll: the daemon process's own
#               CPU (its CPU-time clock: every thread, children excluded) and
#               its children's (the stand-ins, from /proc/PID/stat cutime +
#               cstime, 10 ms ticks), each divided by the polls seen (median
#               over the windows)
#   smartctl    the real /usr/sbin/smartctl, as the plugin runs it
#               (--json=c -a), on /dev/null with -d sat and -d nvme: CPU per
#               run, RUNS runs (cpuof).  There is no disk here,
#               so these runs stop at the first command the device fails
#               (IDENTIFY): start-up, drive database, option parsing and JSON
#               output, without the SMART reads.  A real run costs at least
#               this, so the share below is an upper bound of the real one.
# Target (issue 5): the daemon's own CPU per poll <= 5 % of the smartctl
# processes' CPU for the same 24 drives (24 x the real smartctl run).
# Prints the figures and writes bench/RESULTS-smart.md.  A benchmark reports:
# it exits 0 on a MISS.  No root needed.  About 40 s.
# Environment: BENCH_WINDOWS (3), BENCH_WINDOW_S (10), BENCH_RUNS (40).
set -eu

WINDOWS=${BENCH_WINDOWS:-3}
WINDOW_S=${BENCH_WINDOW_S:-10}
RUNS=${BENCH_RUNS:-40}
NDRIVES=24
SMARTCTL=/usr/sbin/smartctl

die() { echo "smart_bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
FIX=$(cd "$SRC/../shared/fixtures/smartctl" 2>/dev/null && pwd) ||
	die "no captures in $SRC/../shared/fixtures/smartctl"
for f in hwhealthd hwhealth plugins/smart.so smart_parse_bench tests/smartctl-standin; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make all build/tests/smartctl-standin first"
done
[ -x "$SMARTCTL" ] || die "$SMARTCTL not found (make deps installs smartmontools)"
# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"

W=$(mktemp -d /tmp/hwh-smartbench.XXXXXX)
DPID=
cleanup() {
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT INT TERM
CFLAGS="-std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror"
# shellcheck disable=SC2086 # CFLAGS is a word list
${CC:-cc} $CFLAGS -o "$W/cpuof" "$SRC/bench/cpuof.c"

# ---- parse -------------------------------------------------------------------
"$BUILD/smart_parse_bench" "$FIX" >"$W/parse.txt" || die "a capture did not parse: $(cat "$W/parse.txt")"
pv() { awk -v k="$1" '$1 == k { print $2 }' "$W/parse.txt"; }

# ---- daemon over 24 drives -------------------------------------------------
mkdir -p "$W/smartctl.d"
ln -s "$BUILD/tests/smartctl-standin" "$W/smartctl"
devices=""
i=0
pick() { # pick PATTERN N: the first N captures of a protocol
	find "$FIX" -name "$1" | sort | head -n "$2"
}
for f in $(pick '*.json' 200 | while read -r c; do
	p=$(grep -o '"protocol" *: *"[A-Za-z]*"' "$c" | head -1 | sed 's/.*"\([A-Za-z]*\)"$/\1/')
	echo "$p $c"
done | awk '$1 == "ATA" && a++ < 16 { print $2 } $1 == "NVMe" && n++ < 6 { print $2 }
	$1 == "SCSI" && s++ < 2 { print $2 }'); do
	name=hwhb$i
	cp "$f" "$W/smartctl.d/$name.json"
	case $(grep -o '"protocol" *: *"[A-Za-z]*"' "$f" | head -1) in
	*NVMe*) t=nvme ;; *SCSI*) t=scsi ;; *) t=sat ;;
	esac
	devices="$devices    device /dev/$name $t
"
	i=$((i + 1))
done
[ "$i" -eq "$NDRIVES" ] || die "found $i captures for $NDRIVES drives"
cat >"$W/hwhealth.conf" <<EOF
socket $W/hwhealthd.sock
state-dir $W/state
plugin-dir $BUILD/plugins
rules-dir $SRC/rules
source smart {
    smartctl $W/smartctl
$devices    parallel 4
    interval 2s
    timeout 30s
}
EOF
"$BUILD/hwhealthd" -q -c "$W/hwhealth.conf" 2>"$W/daemon.log" &
DPID=$!
i=0
until cli ping >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || die "daemon did not start: $(cat "$W/daemon.log")"
	nap 0.1
done
polls() { cli --json status | awk -F'[:,]' '/"polls"/ { gsub(/ /, "", $2); print $2; exit }'; }
children() { awk '{ print $16 + $17 }' "/proc/$DPID/stat"; }
nap 3 # the first poll, and its discovery
own="" kids=""
w=0
while [ $w -lt "$WINDOWS" ]; do
	p0=$(polls) c0=$("$W/cpuof" pid "$DPID") k0=$(children)
	nap "$WINDOW_S"
	p1=$(polls) c1=$("$W/cpuof" pid "$DPID") k1=$(children)
	[ "$p1" -gt "$p0" ] || die "no polls in $WINDOW_S s: $(cat "$W/daemon.log")"
	own="$own $(calc "($c1 - $c0) / ($p1 - $p0)")"
	kids="$kids $(calc "($k1 - $k0) * 10 / ($p1 - $p0)")"
	w=$((w + 1))
done
cli --json sensors | grep -c '"smart/hwhb' >"$W/nmetrics" || true
NMETRICS=$(cat "$W/nmetrics")
kill "$DPID"
wait "$DPID" 2>/dev/null || true
DPID=
grep -q " error:\| err:" "$W/daemon.log" && die "daemon errors: $(cat "$W/daemon.log")"
# shellcheck disable=SC2086
OWN=$(median $own)
# shellcheck disable=SC2086
KIDS=$(median $kids)

# ---- the real smartctl -----------------------------------------------------
# Without -n standby: on /dev/null it would stop even earlier (the power
# check fails, which smartctl reads as sleeping).
SAT=$("$W/cpuof" run -x 2 "$RUNS" "$SMARTCTL" --json=c -a -d sat /dev/null)
NVME=$("$W/cpuof" run -x 2 "$RUNS" "$SMARTCTL" --json=c -a -d nvme /dev/null)
PER_RUN=$(calc "($SAT * 22 + $NVME * 6) / 28")
ROUND=$(calc "$PER_RUN * $NDRIVES")
SHARE=$(calc "100 * $OWN / $ROUND")
V=$(verdict "$SHARE <= 5")
VERSION=$("$SMARTCTL" --version | head -1)

report() {
	cat <<EOF
# SMART benchmark (bench/smart_bench.sh)

$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $VERSION.

## Parsing one \`smartctl --json\` document (smart_parse, json-c)

| captures | documents | median µs | mean µs | worst µs |
|---|---:|---:|---:|---:|
| all | $(pv all_docs) | $(pv all_median_us) | $(pv all_mean_us) | $(pv all_max_us) |
| ATA | $(pv ata_docs) | $(pv ata_median_us) | $(pv ata_mean_us) | $(pv ata_max_us) |
| NVMe | $(pv nvme_docs) | $(pv nvme_median_us) | $(pv nvme_mean_us) | $(pv nvme_max_us) |
| SCSI | $(pv scsi_docs) | $(pv scsi_median_us) | $(pv scsi_mean_us) | $(pv scsi_max_us) |

Mean document $(pv bytes_mean) bytes; $(pv rounds) parses of each, thread CPU time, median per document.

## Polling 24 drives

| | CPU per 24-drive poll (ms) |
|---|---:|
| hwhealthd itself (spawn, pipes, parse, $NMETRICS metrics, rules) | $OWN |
| its smartctl stand-ins (print a capture; not a real smartctl) | $KIDS |
| 24 real smartctl runs (lower bound: $(calc "$SAT") ms per -d sat run, $(calc "$NVME") ms per -d nvme run on /dev/null) | $ROUND |
| **daemon share of the smartctl cost** (target <= 5 %) | **$SHARE % $V** |

The real smartctl cannot reach a disk here, so its runs above stop at the first command
the device fails: start-up, drive database, options, JSON output, without the SMART reads a
real drive costs. A real run costs more, so the share against real drives is lower.
Medians over $WINDOWS windows of $WINDOW_S s (interval 2s, parallel 4); smartctl: $RUNS runs.
EOF
}
report | tee "$SRC/bench/RESULTS-smart.md"
