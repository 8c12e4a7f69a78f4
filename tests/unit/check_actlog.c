/* Unit tests for agent/actlog.c's state-file records: a save/load round
 * trip keeps the records and the next action id as they were, so a restart
 * neither reuses nor skips ids (found by tests/fuzz/fuzz_policy_state). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "actlog.h"

static struct actlog before, after;

static void setup(void)
{
	ck_assert_int_eq(actlog_init(&before), 0);
	ck_assert_int_eq(actlog_init(&after), 0);
}

static void teardown(void)
{
	actlog_free(&before);
	actlog_free(&after);
}

/* Load every ST_ACTION record of b into l; returns how many. */
static int load_all(struct actlog *l, const struct sf_buf *b)
{
	struct sf_cur c, rec;
	uint16_t type;
	char err[128];
	int n = 0;

	sf_cur_init(&c, b->p, b->len);
	while (sf_next_rec(&c, &type, &rec) == 1) {
		ck_assert_int_eq(actlog_load_rec(l, &rec, err, sizeof err), 0);
		n++;
	}
	return n;
}

START_TEST(test_round_trip_keeps_next_id)
{
	struct sf_buf b = {0};
	struct act_record *r;

	for (int i = 0; i < 3; i++) {
		r = actlog_add(&before, AK_DRAIN, "pacemaker");
		ck_assert_ptr_nonnull(r);
		r->result = AR_DONE;
	}
	ck_assert_int_eq(before.next_id, 4);
	actlog_save(&before, &b);
	ck_assert(!b.oom);
	ck_assert_int_eq(load_all(&after, &b), 3);
	ck_assert_uint_eq(after.n, 3);
	ck_assert_int_eq(actlog_at(&after, 0)->id, 1);
	ck_assert_int_eq(actlog_at(&after, 2)->id, 3);
	/* the next action after a restart is 4, not 4 + the records loaded */
	ck_assert_int_eq(after.next_id, 4);
	r = actlog_add(&after, AK_UNDRAIN, "pacemaker");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->id, 4);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_load_keeps_higher_next_id)
{
	struct sf_buf b = {0};
	struct act_record *r = actlog_add(&before, AK_NOTIFY, "exec");

	ck_assert_ptr_nonnull(r);
	r->result = AR_DONE;
	actlog_save(&before, &b);
	after.next_id = 50; /* restored from the policy record first */
	ck_assert_int_eq(load_all(&after, &b), 1);
	ck_assert_int_eq(actlog_at(&after, 0)->id, 1);
	ck_assert_int_eq(after.next_id, 50);
	sf_buf_free(&b);
}
END_TEST

Suite *actlog_suite(void)
{
	Suite *s = suite_create("actlog");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip_keeps_next_id);
	tcase_add_test(tc, test_load_keeps_higher_next_id);
	suite_add_tcase(s, tc);
	return s;
}
