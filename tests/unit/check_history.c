/* Unit tests for agent/history.c: ring order, wrap-around, time search. */
#include <check.h>
#include <math.h>

#include "history.h"

START_TEST(test_new_rejects_zero)
{
	ck_assert_ptr_null(hist_new(0));
	ck_assert_uint_eq(hist_bytes(128), sizeof(struct hist_ring) + 128 * 16);
}
END_TEST

START_TEST(test_push_in_order)
{
	struct hist_ring *h = hist_new(4);

	ck_assert_ptr_null(hist_last(h));
	hist_push(h, 10, 1.0);
	hist_push(h, 20, 2.0);
	ck_assert_uint_eq(hist_len(h), 2);
	ck_assert_int_eq(hist_at(h, 0)->t_ms, 10);
	ck_assert_double_eq(hist_at(h, 1)->v, 2.0);
	ck_assert_ptr_null(hist_at(h, 2));
	ck_assert_int_eq(hist_last(h)->t_ms, 20);
	hist_free(h);
}
END_TEST

START_TEST(test_wrap_keeps_newest)
{
	struct hist_ring *h = hist_new(3);

	for (int i = 1; i <= 7; i++)
		hist_push(h, i * 100, i);
	ck_assert_uint_eq(hist_len(h), 3);
	ck_assert_double_eq(hist_at(h, 0)->v, 5);
	ck_assert_double_eq(hist_at(h, 1)->v, 6);
	ck_assert_double_eq(hist_at(h, 2)->v, 7);
	ck_assert_double_eq(hist_last(h)->v, 7);
	hist_free(h);
}
END_TEST

START_TEST(test_nan_kept)
{
	struct hist_ring *h = hist_new(2);

	hist_push(h, 1, NAN);
	ck_assert(isnan(hist_last(h)->v));
	hist_free(h);
}
END_TEST

START_TEST(test_first_since)
{
	struct hist_ring *h = hist_new(4);

	ck_assert_uint_eq(hist_first_since(h, 0), 0);
	for (int i = 1; i <= 6; i++) /* holds t = 300, 400, 500, 600 */
		hist_push(h, i * 100, i);
	ck_assert_uint_eq(hist_first_since(h, 0), 0);
	ck_assert_uint_eq(hist_first_since(h, 300), 0);
	ck_assert_uint_eq(hist_first_since(h, 301), 1);
	ck_assert_uint_eq(hist_first_since(h, 600), 3);
	ck_assert_uint_eq(hist_first_since(h, 601), 4);
	hist_free(h);
}
END_TEST

Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, test_new_rejects_zero);
	tcase_add_test(tc, test_push_in_order);
	tcase_add_test(tc, test_wrap_keeps_newest);
	tcase_add_test(tc, test_nan_kept);
	tcase_add_test(tc, test_first_since);
	suite_add_tcase(s, tc);
	return s;
}
