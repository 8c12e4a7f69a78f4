#!/bin/sh
# sensors_bench.sh BUILD_DIR: what hwhealthd costs to poll 1,000 sensors,
# side by side with the floor (a minimal C reader) and with `sensors -j`.
#
# Builds a fake hwmon tree of CHIPS x INPUTS temperature inputs (each chip
# with a relative `device` link to a fake platform device, so libsensors
# names them coretemp-isa-0000..0031 instead of one colliding
# coretemp-virtual-0), binds it over /sys/class in a private mount namespace,
# and measures CPU per poll cycle, median of RUNS runs of CYCLES cycles:
#   floor      bench/floor.c: open/read/close every *_input (getrusage),
#              cycles PACE_MS apart (cold caches, like a polling daemon's),
#              and back-to-back for reference; also pread on kept-open fds
#   sensors -j spawned once per cycle, child included (RUSAGE_CHILDREN)
#   hwhealthd  interval 1s: the daemon's CPU-time clock delta / polls, its
#              /proc/PID/stat utime+stime delta (10 ms ticks), its own
#              poll_cpu_ms, and VmRSS at the end
# Prints a table with the ratios against the targets and writes the same as
# markdown to bench/RESULTS.md.  A benchmark reports; it exits 0 on a MISS.
# Needs root, or user namespaces (it re-executes itself under unshare -r).
# Environment: BENCH_CYCLES (30), BENCH_RUNS (3).
set -eu

CHIPS=50
INPUTS=20
CYCLES=${BENCH_CYCLES:-30}
RUNS=${BENCH_RUNS:-3}
PACE_MS=100

die() { echo "sensors_bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
for f in hwhealthd hwhealth plugins/sensors.so; do
	[ -e "$BUILD/$f" ] || die "$BUILD/$f missing: run make first"
done

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

# ---- outer half: tree, tools, then ourselves in a mount namespace ----
if [ -z "${HWH_BENCH_W:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		unshare -r true 2>/dev/null ||
			die "needs root (or user namespaces) to bind a fake tree over /sys/class"
		exec unshare -r "$0" "$@"
	fi
	W=$(mktemp -d /tmp/hwhealth-bench.XXXXXX)
	INNER=
	trap outer_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	CFLAGS="-std=gnu11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror"
	# shellcheck disable=SC2086
	${CC:-cc} $CFLAGS -o "$W/floor" "$SRC/bench/floor.c"
	# shellcheck disable=SC2086
	${CC:-cc} $CFLAGS -o "$W/cpuof" "$SRC/bench/cpuof.c"
	mkdir -p "$W/class/hwmon" "$W/class/bus/platform"
	c=0
	while [ $c -lt $CHIPS ]; do
		dev="$W/class/devices/platform/coretemp.$c"
		mkdir -p "$dev" "$W/class/hwmon/hwmon$c"
		ln -s ../../../bus/platform "$dev/subsystem"
		ln -s "../../devices/platform/coretemp.$c" "$W/class/hwmon/hwmon$c/device"
		echo coretemp >"$W/class/hwmon/hwmon$c/name"
		i=1
		while [ $i -le $INPUTS ]; do
			echo $((30000 + c * 100 + i * 1000)) >"$W/class/hwmon/hwmon$c/temp${i}_input"
			i=$((i + 1))
		done
		c=$((c + 1))
	done
	HWH_BENCH_W=$W unshare -m --propagation private "$0" "$BUILD" &
	INNER=$!
	rc=0
	wait "$INNER" || rc=$?
	INNER=
	exit $rc
fi

# ---- inner half: runs in the private mount namespace ----
W=$HWH_BENCH_W
mount --bind "$W/class" /sys/class
DPID=
cleanup() {
	trap '' INT TERM HUP PIPE
	if [ -n "$DPID" ]; then
		kill -TERM "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
trap 'exit 141' PIPE # the reader went away: stop quietly

# shellcheck source=bench/lib.sh
. "$SRC/bench/lib.sh"
# A number from `hwhealth status --json` (one source, so the last match).
status_num() {
	cli --json status 2>/dev/null | tr -d '\n' |
		sed -n "s/.*\"$1\": *\([0-9.eE+-]*\).*/\1/p"
}

nchips=$(sensors 2>/dev/null | grep -E '^coretemp-isa-[0-9a-f]{4}$' | sort -u | wc -l)
ninputs=$(sensors -j 2>/dev/null | grep -c '_input"') || true
[ "$nchips" -eq $CHIPS ] || die "sensors sees $nchips distinct chips, expected $CHIPS"
[ "$ninputs" -eq $((CHIPS * INPUTS)) ] || die "sensors sees $ninputs inputs, expected $((CHIPS * INPUTS))"
echo "tree: $nchips chips, $ninputs inputs; $RUNS runs of $CYCLES cycles each"

# Each cycle PACE_MS after the last, as a daemon polls on an interval: CPU
# caches are then as cold as the daemon's, which roughly doubles the cost of
# a cycle against a back-to-back loop (also measured, for reference).
fl=""; flh=""; flp=""; sj=""
r=0
while [ $r -lt "$RUNS" ]; do
	out=$("$W/floor" -i $PACE_MS "$CYCLES")
	[ "${out#* }" -eq $((CHIPS * INPUTS)) ] || die "floor read ${out#* } files"
	fl="$fl ${out% *}"
	out=$("$W/floor" "$CYCLES")
	flh="$flh ${out% *}"
	out=$("$W/floor" -p -i $PACE_MS "$CYCLES")
	flp="$flp ${out% *}"
	out=$("$W/cpuof" run -i $PACE_MS "$CYCLES" sensors -j)
	sj="$sj $out"
	r=$((r + 1))
	echo "run $r: floor $(last "$fl") ms (back-to-back $(last "$flh") ms)," \
		"pread $(last "$flp") ms, sensors -j $out ms"
done

printf 'interval 1s\nsource sensors {\n\tplugin sensors\n}\n' >"$W/bench.conf"
mkdir -p "$W/state"
"$BUILD/hwhealthd" -c "$W/bench.conf" --socket "$W/hwhealthd.sock" \
	--state-dir "$W/state" </dev/null >"$W/daemon.log" 2>&1 &
DPID=$!
t=0
until cli ping >/dev/null 2>&1; do
	t=$((t + 1))
	[ $t -lt 100 ] || { cat "$W/daemon.log" >&2; die "hwhealthd does not answer"; }
	sleep 0.1
done
# Warm up: the first polls open files and fill history.
until [ "$(status_num polls || echo 0)" -ge 2 ] 2>/dev/null; do sleep 0.2; done
metrics=$(status_num metrics)
[ "$metrics" -eq $((CHIPS * INPUTS)) ] ||
	echo "sensors_bench: warning: hwhealthd reports $metrics metrics, not $((CHIPS * INPUTS))" >&2

hd=""; hs=""; hp=""
r=0
while [ $r -lt "$RUNS" ]; do
	# One status request per window (it costs the daemon CPU too): the
	# window is CYCLES intervals long, divided by the polls it really saw.
	p0=$(status_num polls); c0=$("$W/cpuof" pid "$DPID"); s0=$(ticks)
	nap "$CYCLES"
	p1=$(status_num polls); c1=$("$W/cpuof" pid "$DPID"); s1=$(ticks)
	[ "$p1" -gt "$p0" ] || die "hwhealthd stopped polling"
	hd="$hd $(calc "($c1 - $c0) / ($p1 - $p0)")"
	hs="$hs $(calc "($s1 - $s0) * 1000 / $(getconf CLK_TCK) / ($p1 - $p0)")"
	hp="$hp $(status_num poll_cpu_ms)"
	r=$((r + 1))
	echo "run $r: hwhealthd $(last "$hd") ms/poll over $((p1 - p0)) polls"
done
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$DPID/status")
kill -TERM "$DPID"
wait "$DPID" || echo "sensors_bench: warning: hwhealthd exited with status $?" >&2
DPID=

# shellcheck disable=SC2086
{ FL=$(median $fl); FLH=$(median $flh); FLP=$(median $flp); SJ=$(median $sj)
  HD=$(median $hd); HS=$(median $hs); HP=$(median $hp); }
RSS=$(calc "$rss_kb / 1024")
R_FLOOR=$(calc "$HD / $FL")
R_FLOORH=$(calc "$HD / $FLH")
R_SJ=$(calc "$SJ / $HD")
R_CEIL=$(calc "$SJ / $FLP")
V_FLOOR=$(verdict "$R_FLOOR <= 2")
V_SJ=$(verdict "$R_SJ >= 20")
V_RSS=$(verdict "$RSS <= 8")

COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$SRC" diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT+uncommitted"
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="$(nproc) CPUs, ${CPU:-unknown CPU}, Linux $(uname -r)"

report() {
	cat <<EOF
# Sensors benchmark

$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT, $MACHINE.
Fake hwmon tree of $CHIPS chips x $INPUTS temperature inputs in page cache;
CPU per poll cycle, median of $RUNS runs of $CYCLES cycles
(\`make bench\`, bench/sensors_bench.sh).

| method | CPU per cycle |
|---|---|
| floor: open/read/close each \`*_input\` (bench/floor.c), cycles ${PACE_MS} ms apart | $FL ms |
| floor: the same back-to-back (hot CPU caches, reference) | $FLH ms |
| floor: pread on kept-open fds (bench/floor.c -p), cycles ${PACE_MS} ms apart | $FLP ms |
| \`sensors -j\` spawned per cycle, child included, ${PACE_MS} ms apart | $SJ ms |
| hwhealthd, whole process (CPU-time clock / polls), interval 1 s | $HD ms |
| hwhealthd, /proc/PID/stat utime+stime (10 ms ticks) / polls | $HS ms |
| hwhealthd, its own \`poll_cpu_ms\` (poll thread) | $HP ms |
| hwhealthd VmRSS after the runs | $RSS MiB |

| target | measured | result |
|---|---|---|
| hwhealthd / floor <= 2 | $R_FLOOR (vs back-to-back floor: $R_FLOORH) | $V_FLOOR |
| sensors -j / hwhealthd >= 20 | $R_SJ | $V_SJ |
| hwhealthd RSS <= 8 MiB | $RSS MiB | $V_RSS |

No reader of $((CHIPS * INPUTS)) files can beat the pread floor, so on this machine the best
possible \`sensors -j\` ratio is $R_CEIL (sensors -j / pread floor). Where it is
below 20 the 20x target cannot be met by any design; see bench/ANALYSIS.md for
where hwhealthd's time goes above that floor.
EOF
}
report | tee "$SRC/bench/RESULTS.md"
