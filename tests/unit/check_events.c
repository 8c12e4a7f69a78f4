/* Unit tests for agent/events.c: order, overwrite of the oldest with a drop
 * count, "since" reads that never repeat an event, defaults for missing
 * fields. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

static struct hwh_event ev(const char *type, const char *text)
{
	return (struct hwh_event){
	    .device = "bmc0", .type = type, .text = text, .severity = HWH_SEV_WARNING};
}

START_TEST(test_add_and_read)
{
	struct event_ring r;
	struct event out[8];
	struct hwh_event e = ev("ecc-corrected", "DIMM A1 correctable ECC");

	ck_assert_int_eq(events_init(&r, 4), 0);
	ck_assert_uint_eq(events_add(&r, "ipmi", &e, 1000, 10), 1);
	e.time_wall_ms = 500;
	ck_assert_uint_eq(events_add(&r, "ipmi", &e, 2000, 20), 2);
	ck_assert_uint_eq(events_since(&r, 0, out, 8), 2);
	ck_assert_str_eq(out[0].type, "ecc-corrected");
	ck_assert_str_eq(out[0].source, "ipmi");
	ck_assert_int_eq(out[0].t_wall_ms, 1000); /* arrival time when the source gave none */
	ck_assert_int_eq(out[1].t_wall_ms, 500);  /* the source's own time */
	ck_assert_uint_eq(events_since(&r, 1, out, 8), 1);
	ck_assert_uint_eq(out[0].seq, 2);
	ck_assert_uint_eq(events_since(&r, 2, out, 8), 0);
	events_destroy(&r);
}
END_TEST

START_TEST(test_overwrite_oldest)
{
	struct event_ring r;
	struct event out[8];
	char text[16];

	ck_assert_int_eq(events_init(&r, 3), 0);
	for (int i = 1; i <= 5; i++) {
		snprintf(text, sizeof text, "e%d", i);
		struct hwh_event e = ev("t", text);
		events_add(&r, "s", &e, i, i);
	}
	ck_assert_uint_eq(r.dropped, 2);
	ck_assert_uint_eq(events_since(&r, 0, out, 8), 3);
	ck_assert_str_eq(out[0].text, "e3");
	ck_assert_str_eq(out[2].text, "e5");
	ck_assert_uint_eq(events_since(&r, 0, out, 2), 2); /* bounded by max */
	ck_assert_str_eq(out[1].text, "e4");
	events_destroy(&r);
}
END_TEST

START_TEST(test_defaults_and_truncation)
{
	struct event_ring r;
	struct event out[1];
	char longtext[400];
	struct hwh_event e = {.severity = 99};

	memset(longtext, 'x', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	e.text = longtext;
	ck_assert_int_eq(events_init(&r, 2), 0);
	events_add(&r, "s", &e, 1, 1);
	ck_assert_uint_eq(events_since(&r, 0, out, 1), 1);
	ck_assert_str_eq(out[0].device, "-");
	ck_assert_str_eq(out[0].type, "event");
	ck_assert_int_eq(out[0].severity, HWH_SEV_INFO);
	ck_assert_uint_eq(strlen(out[0].text), EVENT_TEXT_MAX - 1);
	ck_assert_str_eq(severity_name(HWH_SEV_CRITICAL), "critical");
	events_destroy(&r);
	ck_assert_int_eq(events_init(&r, 0), -EINVAL);
}
END_TEST

Suite *events_suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, test_add_and_read);
	tcase_add_test(tc, test_overwrite_oldest);
	tcase_add_test(tc, test_defaults_and_truncation);
	suite_add_tcase(s, tc);
	return s;
}
