/* Unit tests for agent/pstate.c: values plugins keep across restarts are
 * read back at once, saved only once their events are taken in, survive a
 * save/load round trip, and a malformed or oversized record is refused. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hwhealth/plugin.h>

#include "pstate.h"

static struct pstate ps;

static void setup(void)
{
	pstate_init(&ps);
}

static void teardown(void)
{
	pstate_destroy(&ps);
}

START_TEST(test_get_sees_newest)
{
	char buf[16];

	ck_assert_int_eq(pstate_get(&ps, "bmc", "sel", buf, sizeof buf), -ENOENT);
	ck_assert_int_eq(pstate_set(&ps, "bmc", "sel", "12 345", 7), 0);
	ck_assert_int_eq(pstate_get(&ps, "bmc", "sel", buf, sizeof buf), 6);
	ck_assert_str_eq(buf, "12 345");
	ck_assert_int_eq(pstate_set(&ps, "bmc", "sel", "13 346", 8), 0);
	ck_assert_int_eq(pstate_get(&ps, "bmc", "sel", buf, sizeof buf), 6);
	ck_assert_str_eq(buf, "13 346");
	ck_assert_int_eq(pstate_get(&ps, "bmc", "sel", buf, 6), -ENOSPC);
	ck_assert_int_eq(pstate_get(&ps, "other", "sel", buf, sizeof buf), -ENOENT);
}
END_TEST

/* Saved bytes of ps, as a payload. */
static struct sf_buf saved(void)
{
	struct sf_buf b = {0};

	pstate_save(&ps, &b);
	ck_assert(!b.oom);
	return b;
}

START_TEST(test_commit_waits_for_events)
{
	struct sf_buf b;
	struct pstate back;
	char buf[16], err[128];

	ck_assert_int_eq(pstate_set(&ps, "bmc", "sel", "5 100", 10), 0);
	pstate_commit(&ps, 9); /* event 10 not taken in yet */
	b = saved();
	ck_assert_uint_eq(b.len, 0);
	sf_buf_free(&b);

	pstate_commit(&ps, 10);
	ck_assert_int_eq(pstate_set(&ps, "bmc", "sel", "6 101", 11), 0); /* newer, pending */
	b = saved();
	pstate_init(&back);
	ck_assert_int_eq(pstate_load(&back, b.p, b.len, err, sizeof err), 0);
	ck_assert_int_eq(pstate_get(&back, "bmc", "sel", buf, sizeof buf), 5);
	ck_assert_str_eq(buf, "5 100"); /* the committed one, not the pending */
	pstate_destroy(&back);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_round_trip_many_sources)
{
	struct sf_buf b;
	struct pstate back;
	char buf[32], err[128];

	ck_assert_int_eq(pstate_set(&ps, "bmc", "sel", "1 2", 0), 0);
	ck_assert_int_eq(pstate_set(&ps, "bmc-remote", "sel", "3 4", 0), 0);
	ck_assert_int_eq(pstate_set(&ps, "bmc", "other", "", 0), 0);
	pstate_commit(&ps, 0);
	b = saved();
	/* Other record types around ours are skipped. */
	size_t r = sf_rec_begin(&b, 3);
	sf_put_str(&b, "not ours");
	sf_rec_end(&b, r);
	pstate_init(&back);
	ck_assert_int_eq(pstate_load(&back, b.p, b.len, err, sizeof err), 0);
	ck_assert_uint_eq(back.n, 3);
	ck_assert_int_eq(pstate_get(&back, "bmc-remote", "sel", buf, sizeof buf), 3);
	ck_assert_str_eq(buf, "3 4");
	ck_assert_int_eq(pstate_get(&back, "bmc", "other", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	pstate_destroy(&back);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_load_refuses_bad_records)
{
	struct sf_buf b = {0};
	char big[HWH_STATE_VALUE_MAX + 8], err[128];
	size_t r;

	r = sf_rec_begin(&b, ST_PLUGIN);
	sf_put_str(&b, "bmc");
	sf_rec_end(&b, r); /* key and value missing */
	ck_assert_int_eq(pstate_load(&ps, b.p, b.len, err, sizeof err), -1);
	ck_assert_str_eq(err, "malformed plugin state record");
	sf_buf_free(&b);

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	b = (struct sf_buf){0};
	r = sf_rec_begin(&b, ST_PLUGIN);
	sf_put_str(&b, "bmc");
	sf_put_str(&b, "sel");
	sf_put_str(&b, big);
	sf_rec_end(&b, r);
	ck_assert_int_eq(pstate_load(&ps, b.p, b.len, err, sizeof err), -1);
	ck_assert_str_eq(err, "plugin state of bmc: key or value too long");
	ck_assert_uint_eq(ps.n, 0);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_keys_per_source_bounded)
{
	char key[16];
	int rc = 0, i;

	for (i = 0; i < 1000 && rc == 0; i++) {
		snprintf(key, sizeof key, "k%d", i);
		rc = pstate_set(&ps, "greedy", key, "v", 0);
	}
	ck_assert_int_eq(rc, -ENOSPC);
	ck_assert_int_eq(i, PSTATE_MAX_KEYS + 1); /* all kept, the next refused */
	ck_assert_int_eq(pstate_set(&ps, "modest", "k", "v", 0), 0);
}
END_TEST

Suite *pstate_suite(void)
{
	Suite *s = suite_create("pstate");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_get_sees_newest);
	tcase_add_test(tc, test_commit_waits_for_events);
	tcase_add_test(tc, test_round_trip_many_sources);
	tcase_add_test(tc, test_load_refuses_bad_records);
	tcase_add_test(tc, test_keys_per_source_bounded);
	suite_add_tcase(s, tc);
	return s;
}
