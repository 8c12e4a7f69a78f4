/*
 * snmp_view_bench: what the SNMP view costs the subagent (plugins/snmp_view.c,
 * plugins/snmp_notify.c), without net-snmp.
 *
 *   snmp_view_bench [METRICS [ROUNDS]]
 *
 * Generates the replies of a node with METRICS metrics (default 1,000: a
 * sensors reply as the daemon writes it, with helper TREND's trend and
 * prediction members, ~640 bytes a metric), 3 sources, 20 findings and 256
 * action records (the daemon's log at its bound), then, ROUNDS times
 * (default 50), timing each on the thread CPU clock:
 *   build   snmpv_build() of all four replies (JSON parsing included)
 *   walk    a full walk by snmpv_next() from nothing to the end
 *   get     snmpv_get() of every instance
 *   diff    snmpn_diff() of status, explain and actions against the last
 * Prints "key value" lines: the median and worst of each, per instance for
 * walk and get in nanoseconds.  A benchmark reports; it does not judge
 * (the targets are build well under 20 ms and a GETNEXT well under 10 us).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snmp_notify.h"
#include "snmp_view.h"

#define DEFAULT_METRICS 1000
#define DEFAULT_ROUNDS 50
#define FINDINGS 20
#define RECORDS 256

static double thread_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A growing string. */
struct buf {
	char *s;
	size_t len, cap;
};

__attribute__((format(printf, 2, 3))) static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < b->cap - b->len)
			break;
		b->cap = b->cap * 2 + (size_t)n + 64;
		if ((b->s = realloc(b->s, b->cap)) == NULL) {
			perror("realloc");
			exit(2);
		}
	}
	b->len += (size_t)n;
}

static const char *const kinds[] = {"temperature", "fan", "voltage", "power"};
static const char *const units[] = {"C", "RPM", "V", "W"};

static char *sensors_reply(int n)
{
	struct buf b = {NULL, 0, 0};

	put(&b, "{\"ok\":true,\"result\":{\"metrics\":[");
	for (int i = 0; i < n; i++) {
		int k = i % 4, chip = i / 20;
		double v = k == 1 ? 1200 + i : 40.125 + i % 17;

		put(&b,
		    "%s{\"id\":\"sensors/coretemp-isa-%04d/%s%d\",\"source\":\"sensors\","
		    "\"device\":\"coretemp-isa-%04d\",\"name\":\"%s%d\",\"label\":\"Core %d\","
		    "\"kind\":\"%s\",\"unit\":\"%s\",\"value\":%.3f,"
		    "\"limits\":{\"max\":%.1f,\"crit\":%.1f},\"flags\":[],\"status\":\"ok\","
		    "\"text\":null,\"error\":null,\"held\":null,\"timestamp\":1763762400.123,"
		    "\"age_s\":1.2,\"samples\":17,"
		    "\"trend\":{\"slope_h\":%.4f,\"span_s\":3540,\"points\":354},"
		    "\"prediction\":%s}",
		    i ? "," : "", chip, kinds[k], i % 20, chip, kinds[k], i % 20, i % 20, kinds[k],
		    units[k], v, v * 1.5, v * 2, (i % 7) - 3.25,
		    i % 3 ? "null" : "{\"limit\":\"crit\",\"eta_s\":983}");
	}
	put(&b, "]}}\n");
	return b.s;
}

static char *status_reply(void)
{
	struct buf b = {NULL, 0, 0};

	put(&b, "{\"ok\":true,\"result\":{\"version\":\"0.1.0\",\"pid\":1,\"uptime_s\":52.1,"
		"\"node\":{\"state\":\"yellow\",\"score\":10.0,\"since\":1763762390.5,"
		"\"reasons\":[\"hw-over-max: Core 0 85 C is at or above its max 80 C\"]},"
		"\"sources\":[");
	for (int i = 0; i < 3; i++)
		put(&b,
		    "%s{\"name\":\"src%d\",\"plugin\":\"sensors\",\"status\":\"ok\","
		    "\"last_poll\":1763762400.123,\"metrics\":333,\"error\":null}",
		    i ? "," : "", i);
	put(&b, "],\"policy\":{\"posture\":\"notified\",\"effective_state\":\"yellow\","
		"\"drained_since\":null,\"budget\":{\"last\":null}}}}\n");
	return b.s;
}

static char *explain_reply(void)
{
	struct buf b = {NULL, 0, 0};

	put(&b, "{\"ok\":true,\"result\":{\"findings\":[");
	for (int i = 0; i < FINDINGS; i++)
		put(&b,
		    "%s{\"rule\":\"temp-rising\",\"target\":\"sensors/coretemp-isa-%04d/"
		    "temperature0\",\"kind\":\"finding\",\"state\":\"active\",\"severity\":"
		    "\"warning\",\"score\":10.0,\"message\":\"Core 0 83.2 C, rising\","
		    "\"since\":1763762100.5,\"evidence\":{\"value\":83.2,\"eta\":983.3}}",
		    i ? "," : "", i);
	put(&b, "]}}\n");
	return b.s;
}

static char *actions_reply(void)
{
	struct buf b = {NULL, 0, 0};

	put(&b, "{\"ok\":true,\"result\":{\"actions\":[");
	for (int i = 1; i <= RECORDS; i++)
		put(&b,
		    "%s{\"id\":%d,\"action\":\"%s\",\"actuator\":\"slurm\",\"trigger\":\"auto\","
		    "\"state\":\"red\",\"reason\":\"red: fan-slowing\",\"result\":\"done\","
		    "\"requested\":1763762400.1,\"finished\":1763762400.2,\"detail\":\"ok\"}",
		    i > 1 ? "," : "", i, i % 2 ? "notify" : "drain");
	put(&b, "]}}\n");
	return b.s;
}

static void report(const char *key, double *v, int n, double scale)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf("%s_median %.2f\n%s_max %.2f\n", key, v[n / 2] * scale, key, v[n - 1] * scale);
}

int main(int argc, char **argv)
{
	const uint32_t root[] = SNMPV_ROOT_DEFAULT;
	int metrics = argc > 1 ? atoi(argv[1]) : DEFAULT_METRICS;
	int rounds = argc > 2 ? atoi(argv[2]) : DEFAULT_ROUNDS;
	char *sensors, *status = status_reply(), *explain = explain_reply();
	char *actions = actions_reply(), err[256];
	double *tb, *tw, *tg, *td;
	struct snmpn_state *st = NULL;
	size_t count = 0;

	if (metrics < 1 || rounds < 1) {
		fprintf(stderr, "usage: snmp_view_bench [METRICS [ROUNDS]]\n");
		return 2;
	}
	sensors = sensors_reply(metrics);
	tb = calloc((size_t)rounds, sizeof *tb);
	tw = calloc((size_t)rounds, sizeof *tw);
	tg = calloc((size_t)rounds, sizeof *tg);
	td = calloc((size_t)rounds, sizeof *td);
	if (!tb || !tw || !tg || !td)
		return 2;
	for (int r = 0; r < rounds; r++) {
		struct snmpv_input in = {status, sensors, explain, actions, 0};
		struct snmpv_view *v;
		struct snmpn_notice *no;
		const struct snmpv_var *x;
		size_t n = 0, nn;
		double t0 = thread_us();

		if (snmpv_build(&in, root, SNMPV_ROOT_DEFAULT_LEN, &v, err, sizeof err) < 0) {
			fprintf(stderr, "build: %s\n", err);
			return 1;
		}
		tb[r] = thread_us() - t0;
		t0 = thread_us();
		for (x = snmpv_next(v, NULL, 0); x != NULL; x = snmpv_next(v, x->oid, x->oidlen))
			n++;
		tw[r] = (thread_us() - t0) / (double)n;
		t0 = thread_us();
		for (size_t i = 0; i < n; i++) {
			const struct snmpv_var *y = snmpv_at(v, i);

			if (snmpv_get(v, y->oid, y->oidlen) != y)
				return 1;
		}
		tg[r] = (thread_us() - t0) / (double)n;
		count = snmpv_count(v);
		snmpv_free(v);
		t0 = thread_us();
		if (snmpn_diff(&st, &in, root, SNMPV_ROOT_DEFAULT_LEN, &no, &nn, err, sizeof err) <
		    0) {
			fprintf(stderr, "diff: %s\n", err);
			return 1;
		}
		td[r] = thread_us() - t0;
		snmpn_notices_free(no, nn);
	}
	printf("metrics %d\nsensors_bytes %zu\ninstances %zu\nrounds %d\n", metrics,
	       strlen(sensors), count, rounds);
	report("build_ms", tb, rounds, 1e-3);
	report("walk_next_ns", tw, rounds, 1e3);
	report("get_ns", tg, rounds, 1e3);
	report("diff_ms", td, rounds, 1e-3);
	snmpn_state_free(st);
	free(sensors);
	free(status);
	free(explain);
	free(actions);
	free(tb);
	free(tw);
	free(tg);
	free(td);
	return 0;
}
