#!/bin/sh
# rules_bench.sh BUILD_DIR: what the rules engine costs (bench/rules_bench.c),
# with the shipped rules: a cycle over 10,000 metrics that all have a new
# sample, memory per metric, and replay speed.  Runs RUNS times and keeps the
# run with the median cycle time; prints a table and writes the same as
# markdown to bench/RESULTS-rules.md.  A benchmark reports; it exits 0 on a
# MISS.  Environment: BENCH_RUNS (3), BENCH_METRICS (10000).
set -eu

RUNS=${BENCH_RUNS:-3}
METRICS=${BENCH_METRICS:-10000}
CYCLES=30

die() { echo "rules_bench: $*" >&2; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$1" && pwd) || die "no build dir $1"
SRC=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$BUILD/rules_bench" ] || die "$BUILD/rules_bench missing: run make bench"

OUT=$(mktemp -d /tmp/hwhealth-rules-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
i=0
while [ $i -lt "$RUNS" ]; do
	"$BUILD/rules_bench" "$SRC/rules" "$METRICS" "$CYCLES" >"$OUT/run$i" ||
		die "run $i failed"
	i=$((i + 1))
done
# The run with the median cycle time.
MED=$(for f in "$OUT"/run*; do
	printf '%s %s\n' "$(awk '$1 == "cycle_ms_median" { print $2 }' "$f")" "$f"
done | sort -n | awk -v n="$RUNS" 'NR == int((n + 1) / 2) { print $2 }')
get() { awk -v k="$1" '$1 == k { print $2 }' "$MED"; }

cycle=$(get cycle_ms_median)
per=$(get per_metric_ns)
mem=$(get heap_bytes_per_metric)
rps=$(get replay_samples_per_s)
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
	ok = (op == "<=") ? (v <= t) : (v >= t); print ok ? "PASS" : "MISS" }'; }
v_cycle=$(verdict "$cycle" 5 "<=")
v_mem=$(verdict "$mem" 4096 "<=")
v_rps=$(verdict "$rps" 1000000 ">=")

COMMIT=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
{
	echo "# Rules engine benchmark"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $COMMIT, $(nproc) CPUs, $CPU, Linux $(uname -r)."
	echo "$(get metrics) metrics (50 % temperatures, 25 % fans, 20 % voltages, 5 % EDAC"
	echo "counters) with a day of history each, the $(get rules) shipped rules"
	echo "($(get bindings_per_metric) bindings per metric); every metric gets a new sample"
	echo "each cycle and engine_cycle() evaluates them all.  Median of $CYCLES cycles,"
	echo "the median of $RUNS runs (\`make bench\`, bench/rules_bench.sh, bench/rules_bench.c)."
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| evaluation per cycle (wall, median) | $cycle ms |"
	echo "| evaluation per cycle (worst of the run) | $(get cycle_ms_max) ms |"
	echo "| evaluation per cycle (thread CPU) | $(get cycle_cpu_ms_median) ms |"
	echo "| per metric | $per ns |"
	echo "| heap per metric: metric, history, bindings | $mem bytes |"
	echo "| of which the history (hist_bytes() of the default \`history\`, 32) | $(get hist_bytes) bytes |"
	echo "| replay: $(get replay_samples) samples through the shipped rules | $(get replay_cpu_s) s CPU |"
	echo "| replay speed | $rps samples/s |"
	echo
	echo "| target | measured | result |"
	echo "|---|---|---|"
	echo "| cycle of 10,000 metrics <= 5 ms | $cycle ms | $v_cycle |"
	echo "| memory per metric <= 4 KiB | $mem bytes | $v_mem |"
	echo "| replay >= 1,000,000 samples/s | $rps | $v_rps |"
	echo
	echo "Where the time goes and what was tried: bench/ANALYSIS.md (rules engine)."
} >"$SRC/bench/RESULTS-rules.md"
cat "$SRC/bench/RESULTS-rules.md"
