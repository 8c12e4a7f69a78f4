/*
 * rules_bench: what the rules engine costs.
 *
 *   rules_bench RULES_DIR [METRICS [CYCLES]]
 *
 * 1. Evaluation: METRICS (default 10,000) metrics in the mix of a big node
 *    (50 % temperatures with max/crit, 25 % fans with min, 20 % voltages
 *    with min/max, 5 % EDAC error counters), the rules of RULES_DIR bound
 *    to them, a day of history behind each (every ring full, the steady
 *    state; the last two hours at a 10 s interval, before that one sample
 *    a minute to keep the set-up short).  Then
 *    CYCLES (default 30) cycles in which every metric gets a new sample and
 *    engine_cycle() evaluates them all: the time per cycle (median and
 *    worst, wall and thread CPU) and per metric.
 * 2. Memory: the heap the metrics, their history and their bindings take
 *    (mallinfo2() before and after), per metric.
 * 3. Replay: a trace of 1,000 metrics x 1,000 samples written to a temp
 *    file and replayed through replay_run(): samples per CPU second.
 *
 * BENCH_HISTORY=N sets the raw samples per metric (default 64), to weigh
 * memory against speed.
 *
 * Prints "key value" lines that bench/rules_bench.sh turns into
 * bench/RESULTS.md.  A benchmark reports; it does not judge.
 */
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "replay.h"
#include "trace.h"

#define STEP_MS 10000LL
#define PREFILL_MS (24 * 3600 * 1000LL) /* a full day: every ring full, as in steady state */
#define COARSE_MS (22 * 3600 * 1000LL)	/* of which the first 22 h at one sample a minute */

static double now_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Metric i's reading at time t (ms): smooth noise around a level. */
static void reading(long i, int64_t t, struct hwh_reading *r, char *dev, char *name)
{
	double wob = sin((double)t / 600000.0 + (double)i) + 0.3 * sin((double)t / 37000.0 + i);
	long k = i % 20;

	hwh_reading_init(r);
	snprintf(dev, 32, "chip%ld", i / 20);
	r->device = dev;
	r->name = name;
	if (k < 10) {
		snprintf(name, 32, "temp%ld", k);
		r->kind = HWH_KIND_TEMPERATURE;
		r->value = 50 + 5 * wob;
		r->limit[HWH_LIM_MAX] = 80;
		r->limit[HWH_LIM_CRIT] = 95;
	} else if (k < 15) {
		snprintf(name, 32, "fan%ld", k);
		r->kind = HWH_KIND_FAN;
		r->value = 1500 + 100 * wob;
		r->limit[HWH_LIM_MIN] = 600;
	} else if (k < 19) {
		snprintf(name, 32, "in%ld", k);
		r->kind = HWH_KIND_VOLTAGE;
		r->value = 12 + 0.05 * wob;
		r->limit[HWH_LIM_MIN] = 11.4;
		r->limit[HWH_LIM_MAX] = 12.6;
	} else {
		snprintf(name, 32, "ce_count");
		r->kind = HWH_KIND_COUNTER;
		r->value = (double)(t / 3600000); /* one corrected error an hour */
	}
}

static void feed_all(struct metric_store *ms, long n, int64_t t)
{
	char dev[32], name[32];
	struct hwh_reading r;

	for (long i = 0; i < n; i++) {
		reading(i, t, &r, dev, name);
		if (ms_update(ms, i % 20 == 19 ? "edac" : "sensors", &r, t, t, NULL) < 0) {
			fprintf(stderr, "rules_bench: ms_update failed\n");
			exit(1);
		}
	}
}

static struct ruleset *load_rules(const char *dir)
{
	struct cfg_diag diag = {0};
	struct ruleset *rs = NULL;

	if (rules_load(&dir, 1, &rs, &diag) < 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
		exit(1);
	}
	cfg_diag_free(&diag);
	return rs;
}

static void bench_eval(const char *dir, long n, int cycles)
{
	struct engine_cfg cfg = {10, 50, 150, 300000};
	struct metric_store ms;
	struct engine e;
	double *wall = calloc((size_t)cycles, sizeof *wall);
	double *cpu = calloc((size_t)cycles, sizeof *cpu);
	size_t heap0, heap1;
	int64_t t = 1000000000LL;

	if (wall == NULL || cpu == NULL ||
	    ms_init(&ms, getenv("BENCH_HISTORY") ? (uint32_t)atoi(getenv("BENCH_HISTORY"))
						 : HIST_RAW_DEFAULT) < 0 ||
	    engine_init(&e, load_rules(dir), &cfg, &ms) < 0) {
		fprintf(stderr, "rules_bench: out of memory\n");
		exit(1);
	}
	ms.on_new = engine_metric_new;
	ms.on_free = engine_metric_free;
	ms.hook_arg = &e;
	heap0 = mallinfo2().uordblks;
	for (int64_t k = 0; k < PREFILL_MS; k += k < COARSE_MS ? 60000 : STEP_MS)
		feed_all(&ms, n, t + k);
	t += PREFILL_MS;
	engine_cycle(&e, t, t); /* the first evaluation of everything */
	heap1 = mallinfo2().uordblks;
	for (int c = 0; c < cycles; c++) {
		t += STEP_MS;
		feed_all(&ms, n, t);
		double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_THREAD_CPUTIME_ID);
		engine_cycle(&e, t, t);
		wall[c] = (now_s(CLOCK_MONOTONIC) - w0) * 1e3;
		cpu[c] = (now_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e3;
	}
	qsort(wall, (size_t)cycles, sizeof *wall, cmp_double);
	qsort(cpu, (size_t)cycles, sizeof *cpu, cmp_double);
	printf("metrics %ld\n", n);
	printf("rules %zu\n", e.rules->n);
	printf("bindings %zu\n", e.nbindings);
	printf("bindings_per_metric %.2f\n", (double)e.nbindings / (double)n);
	printf("findings %zu\n", e.nfindings);
	printf("cycle_ms_median %.3f\n", wall[cycles / 2]);
	printf("cycle_ms_max %.3f\n", wall[cycles - 1]);
	printf("cycle_cpu_ms_median %.3f\n", cpu[cycles / 2]);
	printf("per_metric_ns %.0f\n", wall[cycles / 2] * 1e6 / (double)n);
	printf("heap_bytes_per_metric %.0f\n", (double)(heap1 - heap0) / (double)n);
	printf("hist_bytes %zu\n", hist_bytes(HIST_RAW_DEFAULT));
	engine_destroy(&e);
	ms_destroy(&ms);
	free(wall);
	free(cpu);
}

static void bench_replay(const char *dir)
{
	char path[] = "/tmp/hwhealth-bench-trace.XXXXXX";
	const char *dirs[] = {dir};
	struct replay_opts o = {.rule_dirs = dirs,
				.ndirs = 1,
				.trace = path,
				.cfg = {10, 50, 150, 300000},
				.quiet = true};
	struct replay_stats st;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	FILE *null = fopen("/dev/null", "w");
	char dev[32], name[32], id[128];
	struct hwh_reading r;

	if (f == NULL || null == NULL) {
		fprintf(stderr, "rules_bench: cannot write a trace in /tmp\n");
		exit(1);
	}
	trace_write_header(f);
	for (int64_t s = 0; s < 1000; s++) {
		for (long i = 0; i < 1000; i++) {
			int64_t t = 1763700000000LL + s * STEP_MS;
			reading(i, t, &r, dev, name);
			snprintf(id, sizeof id, "%s/%s/%s", i % 20 == 19 ? "edac" : "sensors", dev,
				 name);
			trace_write_sample(f, t, id, r.kind, kind_default_unit(r.kind), r.value,
					   r.limit);
		}
	}
	fclose(f);
	if (replay_run(&o, null, stderr, &st) != 0)
		fprintf(stderr, "rules_bench: replay failed\n");
	printf("replay_samples %llu\n", (unsigned long long)st.samples);
	printf("replay_cpu_s %.3f\n", st.seconds);
	printf("replay_samples_per_s %.0f\n", (double)st.samples / st.seconds);
	unlink(path);
	fclose(null);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 10000;
	int cycles = argc > 3 ? atoi(argv[3]) : 30;

	if (argc < 2 || n <= 0 || cycles <= 0) {
		fprintf(stderr, "usage: rules_bench RULES_DIR [METRICS [CYCLES]]\n");
		return 2;
	}
	bench_eval(argv[1], n, cycles);
	bench_replay(argv[1]);
	return 0;
}
