/*
 * Replay tests: `hwhealth replay` over synthetic traces with known
 * answers, through the real CLI binary.  The shipped rules see a linear
 * temperature ramp coming (a warning with an ETA within 10 % of the truth,
 * long before the limit); a sensor flapping around its limit changes the
 * node state at most once per recovery period; a corrected-error counter
 * below the shipped bucket rate never fires and one above it does; SMART
 * sector counts that are merely there stay below yellow while their growth
 * warns and fast growth is critical, in that order (rules/smart.rules), and
 * NVMe and drive-temperature rules fire where they should; and a malformed
 * trace line is reported with its position and skipped.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "testlib.h"

#define T0 1763700000.0 /* trace start, seconds since the epoch */
#define SHIPPED HWH_SRC_DIR "/rules"

static struct fake_tree *tree;
static char trace[TL_PATH_MAX + 16];
static FILE *tf;

static void setup(void)
{
	tree = fake_tree_new();
	snprintf(trace, sizeof trace, "%s/trace.csv", tree->dir);
	tf = fopen(trace, "w");
	ck_assert_ptr_nonnull(tf);
	fputs("# hwhealth trace 1\n", tf);
}

static void teardown(void)
{
	if (tf != NULL)
		fclose(tf);
	fake_tree_free(tree);
}

static void sample(double t, const char *id, const char *kind, const char *unit, double v,
		   const char *limits)
{
	fprintf(tf, "%.3f,%s,%s,%s,%.6g%s%s\n", T0 + t, id, kind, unit, v, limits ? "," : "",
		limits ? limits : "");
}

/* Run replay with args (NULL-ended) on the trace; returns the JSON document. */
static struct json_object *replay(int want_code, ...)
{
	const char *argv[16] = {HWH_BUILD_DIR "/hwhealth", "replay", "--json"};
	struct cmd_result res;
	struct json_object *doc;
	size_t n = 3;
	va_list ap;

	fclose(tf);
	tf = NULL;
	va_start(ap, want_code);
	for (const char *a; (a = va_arg(ap, const char *)) != NULL && n < 14;)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = trace;
	argv[n] = NULL;
	ck_assert_int_eq(cmd_run(argv, &res, 60000), want_code);
	doc = json_tokener_parse(res.out);
	ck_assert_msg(doc != NULL, "not JSON:\n%s\nstderr:\n%s", res.out, res.err);
	cmd_result_free(&res);
	return doc;
}

static struct json_object *changes(struct json_object *doc)
{
	struct json_object *c;

	ck_assert(json_object_object_get_ex(doc, "changes", &c));
	return c;
}

/* The first change of type that has the member key (NULL: any). */
static struct json_object *first(struct json_object *doc, const char *type, const char *key)
{
	struct json_object *c = changes(doc), *x;

	for (size_t i = 0; i < json_object_array_length(c); i++) {
		x = json_object_array_get_idx(c, i);
		if (!strcmp(json_str(x, "type"), type) &&
		    (key == NULL || json_object_object_get_ex(x, key, NULL)))
			return x;
	}
	return NULL;
}

static int count(struct json_object *doc, const char *type)
{
	struct json_object *c = changes(doc);
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(c); i++)
		n += !strcmp(json_str(json_object_array_get_idx(c, i), "type"), type);
	return n;
}

START_TEST(test_ramp_predicted_before_crossing)
{
	/* 40 C rising 0.5 C/min, a sample every 10 s; crit 95 is crossed at 110 min. */
	const double rate = 0.5 / 60, cross = (95 - 40) / rate;
	struct json_object *doc, *w;
	double t_fire, eta, truth;

	for (double t = 0; t <= cross + 600; t += 10)
		sample(t, "sensors/coretemp-isa-0000/temp1", "temperature", "C", 40 + rate * t,
		       "max=80,crit=95");
	doc = replay(0, "--rules", SHIPPED, NULL);
	w = first(doc, "fire", "eta");
	ck_assert_msg(w != NULL, "no finding with an ETA: %s", json_object_to_json_string(doc));
	t_fire = json_num(w, "time") - T0;
	eta = json_num(w, "eta");
	truth = cross - t_fire;
	/* temp-rising looks 10 minutes ahead (rules/temperature.rules): at least
	 * 5 minutes of warning, whatever the sampling jitter of the fit. */
	ck_assert_msg(truth >= 5 * 60, "warned only %.0f s before crossing crit", truth);
	ck_assert_msg(fabs(eta - truth) <= 0.1 * truth, "ETA %.0f s, truth %.0f s", eta, truth);
	ck_assert_str_eq(json_str(w, "severity"), "warning");
	/* By the end the node is red (past crit). */
	ck_assert_msg(!strcmp(json_str(doc, "final.state"), "red") ||
			  !strcmp(json_str(doc, "final.state"), "critical"),
		      "ends %s", json_str(doc, "final.state"));
	json_object_put(doc);
}
END_TEST

START_TEST(test_flapping_changes_state_at_most_once_per_period)
{
	/* Two hours of a sensor a minute above max 80, a minute below, sampled
	 * every 10 s; recovery delay 5 min. */
	const double hours = 2, period = 300;
	struct json_object *doc, *c;
	int changes_seen, fires = 0;

	for (double t = 0; t < hours * 3600; t += 10)
		sample(t, "sensors/nct6775-isa-0290/temp2", "temperature", "C",
		       ((long)(t / 60) % 2) ? 80.5 : 79.5, "max=80,crit=95");
	doc = replay(0, "--rules", SHIPPED, "--recover-after", "5m", NULL);
	changes_seen = count(doc, "state");
	ck_assert_int_ge(changes_seen, 1); /* it does go yellow */
	ck_assert_msg(changes_seen <= hours * 3600 / period + 1, "%d state changes", changes_seen);
	/* The finding itself holds through the flapping too (its clear delay). */
	c = changes(doc);
	for (size_t i = 0; i < json_object_array_length(c); i++) {
		struct json_object *x = json_object_array_get_idx(c, i);
		fires += !strcmp(json_str(x, "type"), "fire") &&
			 !strcmp(json_str(x, "rule"), "hw-over-max");
	}
	ck_assert_int_ge(fires, 1);
	ck_assert_msg(fires <= hours * 3600 / period + 1, "hw-over-max fired %d times", fires);
	json_object_put(doc);
}
END_TEST

/* A counter rising by one every step_s for a week, through the shipped rules. */
static int ce_findings(double step_s)
{
	struct json_object *doc;
	int n = 0;
	double v = 0;

	for (double t = 0; t <= 7 * 86400; t += 600) {
		if (fmod(t, step_s) < 600 && t > 0)
			v += 1;
		sample(t, "edac/mc0-dimm0/dimm_ce_count", "counter", "", v, NULL);
	}
	doc = replay(0, "--rules", SHIPPED, NULL);
	struct json_object *c = changes(doc);
	for (size_t i = 0; i < json_object_array_length(c); i++) {
		struct json_object *x = json_object_array_get_idx(c, i);
		if (!strcmp(json_str(x, "type"), "fire") && strstr(json_str(x, "rule"), "edac"))
			n++;
	}
	json_object_put(doc);
	return n;
}

START_TEST(test_bucket_below_rate_never_fires)
{
	ck_assert_int_eq(ce_findings(4 * 3600), 0); /* 6 per 24 h */
}
END_TEST

START_TEST(test_bucket_above_rate_fires)
{
	ck_assert_int_ge(ce_findings(3600), 1); /* 24 per 24 h */
}
END_TEST

/* ---- rules/smart.rules ------------------------------------------------------ */

#define HALF_HOUR 1800.0 /* the smart source's default poll interval */

/* Fires of rule (type "fire"), and the time of the first one (T0-based, or
 * -1 if none) in *t_first when not NULL. */
static int fires(struct json_object *doc, const char *rule, double *t_first)
{
	struct json_object *c = changes(doc);
	int n = 0;

	if (t_first != NULL)
		*t_first = -1;
	for (size_t i = 0; i < json_object_array_length(c); i++) {
		struct json_object *x = json_object_array_get_idx(c, i);
		if (strcmp(json_str(x, "type"), "fire") != 0 ||
		    strcmp(json_str(x, "rule"), rule) != 0)
			continue;
		if (n++ == 0 && t_first != NULL)
			*t_first = json_num(x, "time") - T0;
	}
	return n;
}

/* The target of rule's first fire, "" if none. */
static const char *fire_target(struct json_object *doc, const char *rule)
{
	struct json_object *c = changes(doc);

	for (size_t i = 0; i < json_object_array_length(c); i++) {
		struct json_object *x = json_object_array_get_idx(c, i);
		if (!strcmp(json_str(x, "type"), "fire") && !strcmp(json_str(x, "rule"), rule))
			return json_str(x, "target");
	}
	return "";
}

/* Fires of severity sev by any rule. */
static int fires_of_severity(struct json_object *doc, const char *sev)
{
	struct json_object *c = changes(doc);
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(c); i++) {
		struct json_object *x = json_object_array_get_idx(c, i);
		n += !strcmp(json_str(x, "type"), "fire") && !strcmp(json_str(x, "severity"), sev);
	}
	return n;
}

START_TEST(test_smart_stable_reallocated_count_is_not_an_alarm)
{
	/* A drive that reallocated 304 sectors long ago (the level of the real
	 * ST3500418AS capture) and none since, polled every 30 min for 2 days. */
	struct json_object *doc;

	for (double t = 0; t <= 2 * 86400; t += HALF_HOUR) {
		sample(t, "smart/sda/attr5_raw", "counter", "", 304, NULL);
		sample(t, "smart/sda/attr197_raw", "counter", "", 0, NULL);
	}
	doc = replay(0, "--rules", SHIPPED, NULL);
	ck_assert_int_eq(fires(doc, "smart-reallocated-present", NULL), 1);
	ck_assert_int_eq(fires(doc, "smart-sectors-growing", NULL), 0);
	ck_assert_int_eq(fires_of_severity(doc, "warning"), 0);
	ck_assert_int_eq(fires_of_severity(doc, "critical"), 0);
	ck_assert_str_eq(json_str(doc, "final.state"), "green");
	json_object_put(doc);
}
END_TEST

START_TEST(test_smart_growing_sectors_warn_then_critical)
{
	/* Pending sectors appear at 10 h (0 -> 2), reallocations jump at 20 h
	 * (0 -> 12): a warning first, then critical; both growth findings
	 * clear once a day has passed without growth, the pending level stays. */
	struct json_object *doc;
	double t_warn, t_crit;

	for (double t = 0; t <= 3 * 86400; t += HALF_HOUR) {
		sample(t, "smart/sda/attr197_raw", "counter", "", t >= 10 * 3600 ? 2 : 0, NULL);
		sample(t, "smart/sda/attr5_raw", "counter", "", t >= 20 * 3600 ? 12 : 0, NULL);
	}
	doc = replay(0, "--rules", SHIPPED, NULL);
	ck_assert_int_ge(fires(doc, "smart-sectors-growing", &t_warn), 1);
	ck_assert_int_ge(fires(doc, "smart-sectors-growing-fast", &t_crit), 1);
	ck_assert_msg(t_warn >= 10 * 3600 && t_warn < 10 * 3600 + HALF_HOUR, "warning at %.0f s",
		      t_warn);
	ck_assert_msg(t_crit >= 20 * 3600 && t_crit < 20 * 3600 + HALF_HOUR, "critical at %.0f s",
		      t_crit);
	ck_assert_int_eq(fires(doc, "smart-unreadable-sectors", NULL), 1);
	ck_assert_msg(first(doc, "state", NULL) != NULL, "no state change");
	/* 2 pending sectors remain at the end: yellow, not red. */
	ck_assert_str_eq(json_str(doc, "final.state"), "yellow");
	json_object_put(doc);
}
END_TEST

START_TEST(test_smart_nvme_and_temperature)
{
	struct json_object *doc;

	for (double t = 0; t <= 3600; t += 60) {
		/* NVMe: endurance used up, then the media goes read-only; hot,
		 * but NVMe warns through its own bit, not the HDD limit. */
		sample(t, "smart/nvme0/percentage_used", "percent", "%", 100, NULL);
		sample(t, "smart/nvme0/cw_read_only", "other", "", t >= 1800 ? 1 : 0, NULL);
		sample(t, "smart/nvme0/temperature", "temperature", "C", 75, NULL);
		/* A SATA disk at 62 C from 20 min on, a second one at 59 C. */
		sample(t, "smart/sda/temperature", "temperature", "C", t >= 1200 ? 62 : 40, NULL);
		sample(t, "smart/sdb/temperature", "temperature", "C", 59, NULL);
	}
	doc = replay(0, "--rules", SHIPPED, NULL);
	ck_assert_int_eq(fires(doc, "smart-nvme-endurance-used", NULL), 1);
	ck_assert_int_eq(fires(doc, "smart-nvme-critical-warning", NULL), 1);
	ck_assert_int_eq(fires(doc, "smart-temperature-high", NULL), 1);
	ck_assert_str_eq(fire_target(doc, "smart-temperature-high"), "smart/sda/temperature");
	ck_assert_str_eq(json_str(doc, "final.state"), "red");
	json_object_put(doc);
}
END_TEST

START_TEST(test_malformed_line_reported_and_skipped)
{
	char rules[TL_PATH_MAX + 16], file[TL_PATH_MAX + 32];
	const char *argv[] = {HWH_BUILD_DIR "/hwhealth", "replay", "--rules", rules, trace, NULL};
	struct cmd_result res;
	char want[TL_PATH_MAX + 32];

	snprintf(rules, sizeof rules, "%s/r", tree->dir);
	ck_assert_int_eq(mkdir(rules, 0755), 0);
	snprintf(file, sizeof file, "%s/t.rules", rules);
	ck_assert_int_eq(write_file_str(file, "rule hot { when value > 50; severity critical; }\n"),
			 0);
	sample(0, "s/d/temp1", "temperature", "C", 40, NULL);
	fputs("1763700010,s/d/temp1,temperature,C,not-a-number\n", tf);
	sample(20, "s/d/temp1", "temperature", "C", 60, NULL);
	fclose(tf);
	tf = NULL;
	ck_assert_int_eq(cmd_run(argv, &res, 10000), 1);
	snprintf(want, sizeof want, "%s:3:", trace);
	ck_assert_msg(strstr(res.err, want) != NULL, "no position %s in:\n%s", want, res.err);
	ck_assert_msg(strstr(res.out, "fire") && strstr(res.out, "hot on s/d/temp1"),
		      "the good lines were not replayed:\n%s", res.out);
	cmd_result_free(&res);
}
END_TEST

Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("replay");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ramp_predicted_before_crossing);
	tcase_add_test(tc, test_flapping_changes_state_at_most_once_per_period);
	tcase_add_test(tc, test_bucket_below_rate_never_fires);
	tcase_add_test(tc, test_bucket_above_rate_fires);
	tcase_add_test(tc, test_smart_stable_reallocated_count_is_not_an_alarm);
	tcase_add_test(tc, test_smart_growing_sectors_warn_then_critical);
	tcase_add_test(tc, test_smart_nvme_and_temperature);
	tcase_add_test(tc, test_malformed_line_reported_and_skipped);
	suite_add_tcase(s, tc);
	return s;
}
