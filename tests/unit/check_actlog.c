/* Unit tests for agent/actlog.c's state-file records: a save/load round
 * trip keeps the records and the next action id as they were, so a restart
 * neither reuses nor skips ids, and the largest id a record may have still
 * loads back from what the policy saves (both found by
 * tests/fuzz/fuzz_policy_state). */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "actlog.h"
#include "policy.h"

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

/* The policy's state (its record, then the log's) of a log holding one
 * record with this id: policy_load()'s answer, and the policy in *p. */
static int load_with_id(struct policy *p, int64_t id)
{
	struct sf_buf b = {0};
	struct act_record *r;
	char err[128] = "";
	int rc;

	actlog_free(&before);
	ck_assert_int_eq(actlog_init(&before), 0);
	r = actlog_add(&before, AK_DRAIN, "slurm");
	ck_assert_ptr_nonnull(r);
	r->result = AR_DONE;
	r->id = id;
	before.next_id = id + 1;
	actlog_save(&before, &b);
	ck_assert(!b.oom);
	ck_assert_int_eq(policy_init(p), 0);
	rc = policy_load(p, b.p, b.len, err, sizeof err);
	sf_buf_free(&b);
	return rc;
}

/* What the policy saves loads back: an id so large that the next id after
 * it is past the policy record's bound is refused when it is read, not
 * after it has been saved (the save would refuse the whole policy). */
START_TEST(test_largest_id_round_trips)
{
	struct policy *p = calloc(2, sizeof *p), *q = p + 1;
	struct sf_buf b = {0};
	char err[128] = "";

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(load_with_id(p, INT64_MAX / 2), -1);
	policy_free(p);
	ck_assert_int_eq(load_with_id(p, INT64_MAX / 2 - 1), 0);
	ck_assert_uint_eq(p->log.n, 1);
	policy_save(p, &b);
	ck_assert(!b.oom);
	ck_assert_int_eq(policy_init(q), 0);
	ck_assert_int_eq(policy_load(q, b.p, b.len, err, sizeof err), 0);
	ck_assert_uint_eq(q->log.n, 1);
	ck_assert_int_eq(actlog_at(&q->log, 0)->id, INT64_MAX / 2 - 1);
	ck_assert_int_eq(q->log.next_id, INT64_MAX / 2);
	sf_buf_free(&b);
	policy_free(p);
	policy_free(q);
	free(p);
}
END_TEST

Suite *actlog_suite(void)
{
	Suite *s = suite_create("actlog");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_round_trip_keeps_next_id);
	tcase_add_test(tc, test_load_keeps_higher_next_id);
	tcase_add_test(tc, test_largest_id_round_trips);
	suite_add_tcase(s, tc);
	return s;
}
