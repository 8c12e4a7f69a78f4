/* Unit tests for agent/metrics.c and agent/health.c: ids, updates without
 * reallocation, status precedence (stale and unavailable win), limit levels
 * and the node state they make; ms_hold() (hwh_hold()): held metrics are
 * "held", not stale, for a stale age after each hold, until a new reading. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "metrics.h"

static struct metric_store ms;

static void setup(void)
{
	ck_assert_int_eq(ms_init(&ms, 8), 0);
}

static void teardown(void)
{
	ms_destroy(&ms);
}

static struct hwh_reading temp(const char *name, double v)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = "chip";
	r.name = name;
	r.kind = HWH_KIND_TEMPERATURE;
	r.value = v;
	r.limit[HWH_LIM_MAX] = 80;
	r.limit[HWH_LIM_CRIT] = 95;
	r.limit[HWH_LIM_EMERG] = 105;
	return r;
}

START_TEST(test_make_id)
{
	char buf[16];

	ck_assert_int_eq(metric_make_id(buf, sizeof buf, "s", "d", "n"), 0);
	ck_assert_str_eq(buf, "s/d/n");
	ck_assert_int_eq(metric_make_id(buf, sizeof buf, "s", "a/b", "n"), -EINVAL);
	ck_assert_int_eq(metric_make_id(buf, sizeof buf, "s", "", "n"), -EINVAL);
	ck_assert_int_eq(metric_make_id(buf, sizeof buf, "src", "device", "name123"),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(test_update_in_place)
{
	struct hwh_reading r = temp("temp1", 45);
	struct metric *m;

	r.label = "Core 0";
	ck_assert_int_eq(ms_update(&ms, "sensors", &r, 1000, 5000, NULL), 0);
	m = ms_find(&ms, "sensors/chip/temp1");
	ck_assert_ptr_nonnull(m);
	const char *label = m->label;
	r.value = 46;
	ck_assert_int_eq(ms_update(&ms, "sensors", &r, 2000, 6000, NULL), 0);
	ck_assert_ptr_eq(ms_find(&ms, "sensors/chip/temp1"), m);
	ck_assert_ptr_eq(m->label, label); /* same label: not reallocated */
	ck_assert_str_eq(m->unit, "C");	   /* the kind's default unit */
	ck_assert_double_eq(m->value, 46);
	ck_assert_uint_eq(hist_len(m->hist), 2);
	ck_assert_uint_eq(ms.count, 1);
}
END_TEST

START_TEST(test_many_metrics_sorted)
{
	char name[16];
	struct metric **v;

	for (int i = 999; i >= 0; i--) {
		snprintf(name, sizeof name, "t%04d", i);
		struct hwh_reading r = temp(name, i);
		ck_assert_int_eq(ms_update(&ms, "s", &r, 1, 1, NULL), 0);
	}
	ck_assert_int_eq(ms_sorted(&ms, &v), 1000);
	ck_assert_str_eq(v[0]->id, "s/chip/t0000");
	ck_assert_str_eq(v[999]->id, "s/chip/t0999");
	ck_assert_double_eq(ms_find(&ms, "s/chip/t0500")->value, 500);
	free(v);
}
END_TEST

START_TEST(test_unreadable_is_nan)
{
	struct hwh_reading r = temp("temp1", 0);
	struct metric *m;

	r.status = HWH_R_UNREADABLE;
	r.error = "read temp1_input: Input/output error";
	ck_assert_int_eq(ms_update(&ms, "s", &r, 1000, 1, NULL), 0);
	m = ms_find(&ms, "s/chip/temp1");
	ck_assert(isnan(m->value));
	ck_assert_str_eq(m->error, "read temp1_input: Input/output error");
	ck_assert_int_eq(metric_status(m, 1, 3000, 1500), MST_UNREADABLE);
}
END_TEST

START_TEST(test_status_precedence)
{
	struct hwh_reading r = temp("temp1", 99); /* past crit */
	struct metric *m;

	ms_update(&ms, "s", &r, 1000, 1, NULL);
	m = ms_find(&ms, "s/chip/temp1");
	ck_assert_int_eq(metric_status(m, 1, 3000, 4000), MST_ALARM);
	ck_assert_int_eq(metric_status(m, 1, 3000, 4001), MST_STALE);
	ck_assert_int_eq(metric_status(m, 0, 3000, 1000), MST_UNAVAILABLE);
}
END_TEST

START_TEST(test_limit_levels)
{
	struct hwh_reading r = temp("temp1", 79.9);
	struct metric *m;

	ms_update(&ms, "s", &r, 1, 1, NULL);
	m = ms_find(&ms, "s/chip/temp1");
	ck_assert_int_eq(metric_limit_level(m), LIM_NONE);
	m->value = 80;
	ck_assert_int_eq(metric_limit_level(m), LIM_WARN);
	m->value = 95;
	ck_assert_int_eq(metric_limit_level(m), LIM_CRIT);
	m->value = 105;
	ck_assert_int_eq(metric_limit_level(m), LIM_EMERG);
	m->value = 50;
	m->flags = HWH_F_ALARM;
	ck_assert_int_eq(metric_limit_level(m), LIM_WARN);
	m->flags = HWH_F_CRIT_ALARM;
	ck_assert_int_eq(metric_limit_level(m), LIM_CRIT);
}
END_TEST

START_TEST(test_fan_at_min_is_ok)
{
	struct hwh_reading r;
	struct metric *m;

	hwh_reading_init(&r);
	r.device = "chip";
	r.name = "fan1";
	r.kind = HWH_KIND_FAN;
	r.value = 600;
	r.limit[HWH_LIM_MIN] = 600;
	ms_update(&ms, "s", &r, 1, 1, NULL);
	m = ms_find(&ms, "s/chip/fan1");
	ck_assert_int_eq(metric_limit_level(m), LIM_NONE);
	m->value = 599;
	ck_assert_int_eq(metric_limit_level(m), LIM_WARN);
}
END_TEST

START_TEST(test_remove_source)
{
	struct hwh_reading a = temp("t1", 1), b = temp("t2", 2);
	struct metric **v;

	ms_update(&ms, "gone", &a, 1, 1, NULL);
	ms_update(&ms, "gone", &b, 1, 1, NULL);
	ms_update(&ms, "kept", &a, 1, 1, NULL);
	ck_assert_uint_eq(ms_remove_source(&ms, "gone"), 2);
	ck_assert_uint_eq(ms.count, 1);
	ck_assert_ptr_null(ms_find(&ms, "gone/chip/t1"));
	ck_assert_ptr_nonnull(ms_find(&ms, "kept/chip/t1"));
	ck_assert_int_eq(ms_sorted(&ms, &v), 1);
	free(v);
	ck_assert_uint_eq(ms_remove_source(&ms, "none"), 0);
}
END_TEST

static struct hwh_reading disk(const char *device, const char *name, double v)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = device;
	r.name = name;
	r.kind = HWH_KIND_TEMPERATURE;
	r.value = v;
	return r;
}

/* Read at 1000, held at 2000 and 3500, stale age 3000: held (not stale)
 * until 3 s after the last hold, then stale. */
START_TEST(test_hold_status)
{
	struct hwh_reading r = disk("sda", "temp", 35);
	struct metric *m;

	ck_assert_int_eq(ms_update(&ms, "smart", &r, 1000, 1, NULL), 0);
	m = ms_find(&ms, "smart/sda/temp");
	ck_assert_int_eq(metric_status(m, 1, 3000, 1500), MST_OK);
	ck_assert_str_eq(m->held, "");
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 2000), 1);
	ck_assert_str_eq(m->held, "standby");
	ck_assert_str_eq(metric_status_name(metric_status(m, 1, 3000, 2000)), "held");
	ck_assert_int_eq(metric_status(m, 1, 3000, 4001), MST_HELD); /* its reading is stale */
	ck_assert_int_eq(metric_status(m, 1, 3000, 5000), MST_HELD);
	ck_assert_int_eq(metric_status(m, 1, 3000, 5001), MST_STALE); /* no hold since */
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 5500), 1);
	ck_assert_int_eq(metric_status(m, 1, 3000, 8500), MST_HELD);
	ck_assert_int_eq(metric_status(m, 1, 3000, 8501), MST_STALE);
	/* An unavailable source still wins. */
	ck_assert_int_eq(metric_status(m, 0, 3000, 6000), MST_UNAVAILABLE);
	/* The value and its history stay as they were: no sample was taken. */
	ck_assert_double_eq(m->value, 35);
	ck_assert_uint_eq(hist_len(m->hist), 1);
	ck_assert_int_eq(m->t_mono_ms, 1000);
}
END_TEST

START_TEST(test_hold_cleared_by_reading)
{
	struct hwh_reading r = disk("sda", "temp", 35);
	struct metric *m;

	ms_update(&ms, "smart", &r, 1000, 1, NULL);
	m = ms_find(&ms, "smart/sda/temp");
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 2000), 1);
	r.value = 36;
	ck_assert_int_eq(ms_update(&ms, "smart", &r, 2500, 1, NULL), 0);
	ck_assert_int_eq(metric_status(m, 1, 3000, 2500), MST_OK);
	ck_assert_str_eq(m->held, "");
	ck_assert_int_eq(m->t_held_mono_ms, 0);
	/* Stale again a stale age after that reading, the old hold forgotten. */
	ck_assert_int_eq(metric_status(m, 1, 3000, 5501), MST_STALE);
	/* An unreadable reading clears it too. */
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 6000), 1);
	r.status = HWH_R_UNREADABLE;
	r.error = "standby, and the read woke it anyway";
	ck_assert_int_eq(ms_update(&ms, "smart", &r, 6100, 1, NULL), 0);
	ck_assert_int_eq(metric_status(m, 1, 3000, 6200), MST_UNREADABLE);
	/* ...and an unreadable metric is not held: a drive that failed and
	 * then says "standby" must not read as healthy. */
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 7000), 0);
	ck_assert_int_eq(metric_status(m, 1, 3000, 7100), MST_UNREADABLE);
	ck_assert_int_eq(metric_status(m, 1, 3000, 9200), MST_STALE);
}
END_TEST

/* Only that source's metrics of that device; the count of them. */
START_TEST(test_hold_one_device)
{
	struct hwh_reading a = disk("sda", "temp", 35), b = disk("sda", "hours", 9000);
	struct hwh_reading c = disk("sdb", "temp", 36), d = disk("sda0", "temp", 37);

	ms_update(&ms, "smart", &a, 1000, 1, NULL);
	ms_update(&ms, "smart", &b, 1000, 1, NULL);
	ms_update(&ms, "smart", &c, 1000, 1, NULL);
	ms_update(&ms, "smart", &d, 1000, 1, NULL);
	ms_update(&ms, "smart2", &a, 1000, 1, NULL);
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sda", "standby", 2000), 2);
	ck_assert_int_eq(metric_status(ms_find(&ms, "smart/sda/temp"), 1, 3000, 4500), MST_HELD);
	ck_assert_int_eq(metric_status(ms_find(&ms, "smart/sda/hours"), 1, 3000, 4500), MST_HELD);
	ck_assert_int_eq(metric_status(ms_find(&ms, "smart/sdb/temp"), 1, 3000, 4500), MST_STALE);
	ck_assert_int_eq(metric_status(ms_find(&ms, "smart/sda0/temp"), 1, 3000, 4500), MST_STALE);
	ck_assert_int_eq(metric_status(ms_find(&ms, "smart2/sda/temp"), 1, 3000, 4500), MST_STALE);
	ck_assert_str_eq(ms_find(&ms, "smart2/sda/temp")->held, "");
	/* Nothing of that device (yet), or of that source: 0. */
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sdc", "standby", 2000), 0);
	ck_assert_uint_eq(ms_hold(&ms, "nosuch", "sda", "standby", 2000), 0);
	/* No reason given: "held"; a long one is cut. */
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sdb", NULL, 2000), 1);
	ck_assert_str_eq(ms_find(&ms, "smart/sdb/temp")->held, "held");
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sdb", "", 2000), 1);
	ck_assert_str_eq(ms_find(&ms, "smart/sdb/temp")->held, "held");
	ck_assert_uint_eq(ms_hold(&ms, "smart", "sdb", "spun down by the operator at night", 2000),
			  1);
	ck_assert_uint_eq(strlen(ms_find(&ms, "smart/sdb/temp")->held),
			  sizeof ms_find(&ms, "smart/sdb/temp")->held - 1);
}
END_TEST

static struct source_view view(const char *name, enum source_state st, int64_t last)
{
	struct source_view v = {.name = name, .stale_ms = 3000};

	v.info.state = st;
	v.info.last_poll_mono_ms = last;
	v.info.metrics = 1;
	strcpy(v.info.error, st == SRC_UNAVAILABLE ? "poll timed out after 1.0 s" : "");
	return v;
}

START_TEST(test_health_ignores_limits)
{
	struct source_view v = view("s", SRC_OK, 1000);
	struct health_report h;
	struct hwh_reading r = temp("temp1", 50);

	ms_update(&ms, "s", &r, 1000, 1, NULL);
	health_eval(&ms, &v, 1, 1500, &h);
	ck_assert_int_eq(h.state, NODE_GREEN);
	ck_assert_uint_eq(h.nreasons, 0);

	/* Past crit with an alarm: the rules' business (engine), not liveness. */
	r.value = 110;
	r.flags = HWH_F_ALARM | HWH_F_FAULT;
	ms_update(&ms, "s", &r, 1000, 1, NULL);
	health_eval(&ms, &v, 1, 1500, &h);
	ck_assert_int_eq(h.state, NODE_GREEN);
	ck_assert_uint_eq(h.nreasons, 0);

	/* One failed read is not a problem yet; one lasting past the stale age is. */
	r.status = HWH_R_UNREADABLE;
	r.error = "read error";
	ms_update(&ms, "s", &r, 2000, 1, NULL);
	v.info.last_poll_mono_ms = 2000;
	health_eval(&ms, &v, 1, 2000, &h);
	ck_assert_int_eq(h.state, NODE_GREEN);
	ms_update(&ms, "s", &r, 4001, 1, NULL);
	v.info.last_poll_mono_ms = 4001;
	health_eval(&ms, &v, 1, 4001, &h);
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_str_eq(h.reasons[0], "s/chip/temp1 unreadable for 3 s: read error");
}
END_TEST

START_TEST(test_health_unknown_is_not_green)
{
	struct source_view v = view("s", SRC_OK, 1000);
	struct source_view dead = view("s", SRC_UNAVAILABLE, 1000);
	struct health_report h;
	struct hwh_reading r = temp("temp1", 50);

	ms_update(&ms, "s", &r, 1000, 1, NULL);
	health_eval(&ms, &v, 1, 4001, &h); /* metric and source stale */
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_str_eq(h.reasons[0], "source s stale: no poll for 3 s");
	ck_assert_str_eq(h.reasons[1], "s/chip/temp1 stale: no reading for 3 s");

	health_eval(&ms, &dead, 1, 1500, &h);
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_uint_eq(h.nreasons, 1);
	ck_assert_str_eq(h.reasons[0], "source s unavailable: poll timed out after 1.0 s");

	health_eval(&ms, NULL, 0, 1500, &h); /* its source was removed */
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_str_eq(h.reasons[0], "no sources: nothing configured or detected to watch");

	v.info.metrics = 0; /* polls fine, reads nothing */
	health_eval(&ms, &v, 1, 1500, &h);
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_str_eq(h.reasons[0], "source s found nothing to read in its last poll");
}
END_TEST

START_TEST(test_health_live_kinds)
{
	struct source_view v = view("s", SRC_OK, 1000);
	struct hwh_reading r = temp("temp1", 50), r2 = temp("temp2", 51);
	struct health_report h;

	ms_update(&ms, "s", &r, 1000, 1, NULL);
	ms_update(&ms, "s", &r2, 1000, 1, NULL);
	health_eval(&ms, &v, 1, 4001, &h); /* the source and both metrics stale */
	ck_assert_uint_eq(h.nreasons, 3);
	ck_assert_int_eq(h.reason_kind[0], LK_SOURCE_STALE);
	ck_assert_str_eq(h.reason_target[0], "s");
	ck_assert_int_eq(h.reason_kind[1], LK_METRIC_STALE);
	ck_assert_str_eq(h.reason_target[1], "s/chip/temp1");
	ck_assert_str_eq(live_kind_name(h.reason_kind[2]), "metric-stale");
	/* Two kinds, however many metrics: 10 each. */
	ck_assert_double_eq(health_live_score(&h), 20);
	health_eval(&ms, &v, 1, 1500, &h);
	ck_assert_double_eq(health_live_score(&h), 0);
}
END_TEST

/* A held metric past its reading's stale age is no liveness problem; once
 * the holds stop, it is stale like any other. */
START_TEST(test_health_held_not_stale)
{
	struct source_view v = view("s", SRC_OK, 4500);
	struct hwh_reading r = temp("temp1", 50);
	struct health_report h;

	ms_update(&ms, "s", &r, 1000, 1, NULL);
	ms_hold(&ms, "s", "chip", "standby", 4000);
	health_eval(&ms, &v, 1, 5000, &h);
	ck_assert_int_eq(h.state, NODE_GREEN);
	ck_assert_uint_eq(h.nreasons, 0);
	health_eval(&ms, &v, 1, 7001, &h);
	ck_assert_int_eq(h.state, NODE_YELLOW);
	ck_assert_str_eq(h.reasons[0], "s/chip/temp1 stale: no reading for 6 s");
}
END_TEST

START_TEST(test_health_reasons_worst_first)
{
	struct health_report h = {0};

	/* 20 yellow reasons, then one red: the red one leads, the list stays bounded. */
	for (int i = 0; i < 20; i++)
		health_add_reason(&h, NODE_YELLOW, "warning %02d", i);
	health_add_reason(&h, NODE_RED, "the red one");
	ck_assert_int_eq(h.state, NODE_RED);
	ck_assert_uint_eq(h.nreasons, HEALTH_MAX_REASONS);
	ck_assert_uint_eq(h.more, 21 - HEALTH_MAX_REASONS);
	ck_assert_str_eq(h.reasons[0], "the red one");
	ck_assert_str_eq(h.reasons[1], "warning 00");
	ck_assert_str_eq(h.reasons[2], "warning 01");
	ck_assert_int_eq(h.reason_state[HEALTH_MAX_REASONS - 1], NODE_YELLOW);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("store");
	TCase *th = tcase_create("health");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_make_id);
	tcase_add_test(tc, test_update_in_place);
	tcase_add_test(tc, test_many_metrics_sorted);
	tcase_add_test(tc, test_unreadable_is_nan);
	tcase_add_test(tc, test_status_precedence);
	tcase_add_test(tc, test_limit_levels);
	tcase_add_test(tc, test_fan_at_min_is_ok);
	tcase_add_test(tc, test_remove_source);
	tcase_add_test(tc, test_hold_status);
	tcase_add_test(tc, test_hold_cleared_by_reading);
	tcase_add_test(tc, test_hold_one_device);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(th, setup, teardown);
	tcase_add_test(th, test_health_ignores_limits);
	tcase_add_test(th, test_health_live_kinds);
	tcase_add_test(th, test_health_unknown_is_not_green);
	tcase_add_test(th, test_health_reasons_worst_first);
	tcase_add_test(th, test_health_held_not_stale);
	suite_add_tcase(s, th);
	return s;
}
