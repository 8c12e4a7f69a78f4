/* Unit tests for agent/history.c: the raw ring (order, wrap-around, time
 * search, out-of-order samples), the minute and quarter aggregates
 * (rollover, gaps, negative times), the choice of resolution for a window,
 * and the state-file round trip. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "history.h"
#include "window.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

static struct hist *h;

static void teardown(void)
{
	hist_free(h);
	h = NULL;
}

/* Samples v = i at t = t0 + i * step, i = 0 .. n-1. */
static void push_ramp(struct hist *hh, int64_t t0, int64_t step, int n)
{
	for (int i = 0; i < n; i++)
		hist_push(hh, t0 + i * step, i);
}

/* hist_window() into a buffer of hist_window_max() points. */
static size_t window(const struct hist *hh, int64_t now, int64_t w, struct hist_point **out,
		     enum hist_res *res)
{
	*out = calloc(hist_window_max(hh), sizeof **out);
	ck_assert_ptr_nonnull(*out);
	return hist_window(hh, now, w, *out, hist_window_max(hh), res);
}

/* ---- allocation ---- */

START_TEST(test_new_bounds)
{
	ck_assert_ptr_null(hist_new(0));
	ck_assert_ptr_null(hist_new(HIST_RAW_MAX + 1));
	h = hist_new(HIST_RAW_MAX);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->raw_cap, HIST_RAW_MAX);
	ck_assert_uint_eq(hist_len(h), 0);
	ck_assert_int_eq(hist_oldest(h), INT64_MAX);
}
END_TEST

START_TEST(test_bytes)
{
	/* the figure documented in history.h (x86-64) */
	ck_assert_uint_eq(hist_bytes(64), 3280);
	ck_assert_uint_eq(hist_bytes(64), sizeof(struct hist) + 64 * 16 + (60 + 96) * 12);
	ck_assert_uint_eq(hist_bytes(HIST_RAW_DEFAULT), 2768); /* the default, 32 */
	/* the rings end exactly where the allocation does */
	h = hist_new(64);
	ck_assert_ptr_eq((char *)(h->agg[1] + HIST_QTR_SLOTS), (char *)h + hist_bytes(64));
	ck_assert_ptr_eq(h->agg[1], h->agg[0] + HIST_MIN_SLOTS);
}
END_TEST

/* ---- raw ring ---- */

START_TEST(test_push_in_order)
{
	h = hist_new(4);
	ck_assert_ptr_null(hist_last(h));
	hist_push(h, 10, 1.0);
	hist_push(h, 20, 2.0);
	ck_assert_uint_eq(hist_len(h), 2);
	ck_assert_int_eq(hist_at(h, 0)->t_ms, 10);
	ck_assert_double_eq(hist_at(h, 1)->v, 2.0);
	ck_assert_ptr_null(hist_at(h, 2));
	ck_assert_int_eq(hist_last(h)->t_ms, 20);
}
END_TEST

START_TEST(test_wrap_keeps_newest)
{
	h = hist_new(3);
	for (int i = 1; i <= 7; i++)
		hist_push(h, i * 100, i);
	ck_assert_uint_eq(hist_len(h), 3);
	ck_assert_double_eq(hist_at(h, 0)->v, 5);
	ck_assert_double_eq(hist_at(h, 1)->v, 6);
	ck_assert_double_eq(hist_at(h, 2)->v, 7);
	ck_assert_double_eq(hist_last(h)->v, 7);
}
END_TEST

START_TEST(test_nan_kept_not_aggregated)
{
	h = hist_new(2);
	hist_push(h, 1000, 4);
	hist_push(h, 2000, NAN);
	ck_assert(isnan(hist_last(h)->v));
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 1);
	ck_assert_double_eq(hist_acc_get(h, HIST_MINUTE)->sum, 4);
	ck_assert_uint_eq(hist_acc_get(h, HIST_QUARTER)->n, 1);
}
END_TEST

START_TEST(test_first_since)
{
	h = hist_new(4);
	ck_assert_uint_eq(hist_first_since(h, 0), 0);
	push_ramp(h, 100, 100, 6); /* holds t = 300, 400, 500, 600 */
	ck_assert_uint_eq(hist_first_since(h, 0), 0);
	ck_assert_uint_eq(hist_first_since(h, 300), 0);
	ck_assert_uint_eq(hist_first_since(h, 301), 1);
	ck_assert_uint_eq(hist_first_since(h, 600), 3);
	ck_assert_uint_eq(hist_first_since(h, 601), 4);
}
END_TEST

START_TEST(test_out_of_order_ignored)
{
	h = hist_new(8);
	hist_push(h, 2 * MIN, 5);
	hist_push(h, 2 * MIN + 10, 6);
	hist_push(h, 2 * MIN + 5, 100); /* older than the newest: dropped */
	hist_push(h, 1 * MIN, 100);	/* an earlier period: dropped too */
	ck_assert_uint_eq(hist_len(h), 2);
	ck_assert_double_eq(hist_last(h)->v, 6);
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 2);
	ck_assert_double_eq(hist_acc_get(h, HIST_MINUTE)->sum, 11);
	ck_assert_int_eq(h->last_period[0], INT64_MIN);
	hist_raw_put(h, 0, 1); /* the same rule restoring raw samples */
	ck_assert_uint_eq(hist_len(h), 2);
	hist_push(h, 2 * MIN + 10, 7); /* the same time is not older */
	ck_assert_uint_eq(hist_len(h), 3);
}
END_TEST

/* ---- aggregates ---- */

START_TEST(test_minute_rollover)
{
	struct hist_agg a[HIST_MIN_SLOTS];
	int64_t last;
	const struct hist_acc *acc;

	h = hist_new(8);
	hist_push(h, 0, 1);
	hist_push(h, 30 * SEC, 3);
	acc = hist_acc_get(h, HIST_MINUTE);
	ck_assert_int_eq(acc->period, 0);
	ck_assert_uint_eq(acc->n, 2);
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 0);
	ck_assert_int_eq(last, INT64_MIN);

	hist_push(h, MIN, 10); /* first sample of minute 1 closes minute 0 */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 1);
	ck_assert_int_eq(last, 0);
	ck_assert_float_eq(a[0].min, 1);
	ck_assert_float_eq(a[0].max, 3);
	ck_assert_float_eq(a[0].avg, 2);
	ck_assert_int_eq(acc->period, 1);
	ck_assert_uint_eq(acc->n, 1);
	/* the quarter is still open */
	ck_assert_int_eq(hist_acc_get(h, HIST_QUARTER)->period, 0);
	ck_assert_uint_eq(hist_acc_get(h, HIST_QUARTER)->n, 3);
}
END_TEST

START_TEST(test_quarter_rollover)
{
	struct hist_agg a[HIST_QTR_SLOTS];
	int64_t last;

	h = hist_new(8);
	push_ramp(h, 0, MIN, 16); /* v = 0..14 in quarter 0, 15 opens quarter 1 */
	ck_assert_uint_eq(hist_agg_get(h, HIST_QUARTER, a, HIST_QTR_SLOTS, &last), 1);
	ck_assert_int_eq(last, 0);
	ck_assert_float_eq(a[0].min, 0);
	ck_assert_float_eq(a[0].max, 14);
	ck_assert_float_eq(a[0].avg, 7);
	ck_assert_int_eq(hist_acc_get(h, HIST_QUARTER)->period, 1);
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 15);
	ck_assert_int_eq(last, 14);
	ck_assert_float_eq(a[14].avg, 14);
}
END_TEST

START_TEST(test_gap_leaves_empty_slots)
{
	struct hist_agg a[HIST_MIN_SLOTS];
	int64_t last;

	h = hist_new(8);
	hist_push(h, 0, 1);
	hist_push(h, MIN, 2);
	hist_push(h, 2 * MIN, 3);
	hist_push(h, 10 * MIN, 4); /* closes minute 2; minutes 3..9 had nothing */
	hist_push(h, 11 * MIN, 5); /* closes minute 10 */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 11);
	ck_assert_int_eq(last, 10);
	ck_assert_float_eq(a[0].avg, 1);
	ck_assert_float_eq(a[2].avg, 3);
	for (int i = 3; i <= 9; i++)
		ck_assert(isnan(a[i].avg));
	ck_assert_float_eq(a[10].avg, 4);
}
END_TEST

START_TEST(test_gap_longer_than_ring)
{
	struct hist_agg a[HIST_MIN_SLOTS];
	int64_t last;

	h = hist_new(8);
	push_ramp(h, 0, MIN, 50);
	hist_push(h, 200 * MIN, 7);
	hist_push(h, 201 * MIN, 8); /* closes minute 200: 150 empty minutes before */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 1);
	ck_assert_int_eq(last, 200);
	ck_assert_float_eq(a[0].avg, 7);
}
END_TEST

START_TEST(test_minute_ring_wraps)
{
	struct hist_agg a[HIST_MIN_SLOTS];
	int64_t last;

	h = hist_new(8);
	push_ramp(h, 0, MIN, 150); /* minutes 0..148 closed, 149 open */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 60);
	ck_assert_int_eq(last, 148);
	ck_assert_float_eq(a[0].avg, 89);
	ck_assert_float_eq(a[59].avg, 148);
	/* a short buffer gets the newest */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, 3, &last), 3);
	ck_assert_float_eq(a[0].avg, 146);
	ck_assert_float_eq(a[2].avg, 148);
}
END_TEST

START_TEST(test_negative_times)
{
	struct hist_agg a[HIST_MIN_SLOTS];
	struct hist_point *p;
	enum hist_res res;
	int64_t last;
	size_t n;

	h = hist_new(1);
	hist_push(h, -90 * SEC, 1); /* minute -2 */
	hist_push(h, -30 * SEC, 2); /* minute -1 */
	hist_push(h, -1, 4);	    /* still minute -1: floor, not truncation */
	ck_assert_int_eq(hist_acc_get(h, HIST_MINUTE)->period, -1);
	ck_assert_int_eq(hist_acc_get(h, HIST_QUARTER)->period, -1);
	hist_push(h, 0, 8);	  /* minute 0 */
	hist_push(h, 59999, NAN); /* the raw ring (1 sample) now holds no data */
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 2);
	ck_assert_int_eq(last, -1);
	ck_assert_float_eq(a[0].avg, 1);
	ck_assert_float_eq(a[1].avg, 3);
	ck_assert_float_eq(a[1].min, 2);
	ck_assert_float_eq(a[1].max, 4);
	/* no raw data: read the minute ring, which reaches back to -2 min.
	 * Quarter -1 starts at -15 min, but the minute ring shows its data
	 * starts inside it, at -2 min: a tie, which the finer ring wins. */
	n = window(h, 59999, 2 * MIN + 30 * SEC, &p, &res);
	ck_assert_int_eq(res, HIST_MINUTE);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(p[0].t_ms, -90 * SEC);
	ck_assert_double_eq(p[0].v, 1);
	ck_assert_int_eq(p[1].t_ms, -30 * SEC);
	ck_assert_double_eq(p[1].v, 3);
	/* open minute 0: the raw ring no longer holds its sample, so its middle */
	ck_assert_int_eq(p[2].t_ms, 30 * SEC);
	ck_assert_double_eq(p[2].v, 8);
	free(p);
	ck_assert_int_eq(hist_oldest(h), -2 * MIN);
}
END_TEST

/* ---- windows ---- */

/* 64 raw samples 10 s apart: t = 0 .. 630 s, v = 0 .. 63. */
START_TEST(test_window_raw)
{
	struct hist_point *p;
	enum hist_res res;
	size_t n;

	h = hist_new(64);
	push_ramp(h, 0, 10 * SEC, 64);
	n = window(h, 630 * SEC, 5 * MIN, &p, &res);
	ck_assert_int_eq(res, HIST_RAW);
	ck_assert_uint_eq(n, 31); /* t = 330 .. 630 s */
	ck_assert_int_eq(p[0].t_ms, 330 * SEC);
	ck_assert_double_eq(p[0].v, 33);
	ck_assert_double_eq(p[0].min, 33);
	ck_assert_double_eq(p[0].max, 33);
	ck_assert_int_eq(p[30].t_ms, 630 * SEC);
	free(p);
	/* points newer than now are left out */
	n = window(h, 335 * SEC, 5 * MIN, &p, &res);
	ck_assert_int_eq(res, HIST_RAW);
	ck_assert_uint_eq(n, 30); /* t = 40 .. 330 s */
	ck_assert_int_eq(p[29].t_ms, 330 * SEC);
	free(p);
	/* max bounds the output */
	p = calloc(4, sizeof *p);
	ck_assert_uint_eq(hist_window(h, 630 * SEC, 5 * MIN, p, 4, NULL), 4);
	ck_assert_int_eq(p[3].t_ms, 360 * SEC);
	free(p);
}
END_TEST

/* A history younger than the window: the raw ring holds all of it, and
 * the aggregate periods that start before the first sample do not make
 * the coarse rings look older. */
START_TEST(test_window_young_reads_raw)
{
	struct hist_point *p;
	enum hist_res res;
	size_t n;

	h = hist_new(64);
	push_ramp(h, 5 * SEC, 10 * SEC, 64); /* t = 5 .. 635 s */
	n = window(h, 635 * SEC, 2 * HOUR, &p, &res);
	ck_assert_int_eq(res, HIST_RAW);
	ck_assert_uint_eq(n, 64);
	free(p);
	ck_assert_int_eq(hist_oldest(h), 5 * SEC);
	/* an empty window */
	n = window(h, 635 * SEC, 0, &p, &res);
	ck_assert_uint_eq(n, 1);
	free(p);
}
END_TEST

/* Three hours of samples every 10 s: the raw ring holds 630 s of them, the
 * minute ring the last hour, the quarter ring all of it. */
START_TEST(test_window_resolution)
{
	const int64_t now = 3 * HOUR - 10 * SEC;
	struct hist_point *p;
	enum hist_res res;
	size_t n;

	h = hist_new(64);
	push_ramp(h, 0, 10 * SEC, 3 * 360);
	n = window(h, now, 10 * MIN, &p, &res);
	ck_assert_int_eq(res, HIST_RAW);
	ck_assert_uint_eq(n, 61);
	free(p);

	n = window(h, now, 15 * MIN, &p, &res);
	ck_assert_int_eq(res, HIST_MINUTE);
	/* window from 164 min 50 s: minutes 165..178 closed (middles 165.5 ..
	 * 178.5 min), 179 open (its middle, 179.5 min, is before its newest
	 * sample) */
	ck_assert_uint_eq(n, 15);
	ck_assert_int_eq(p[0].t_ms, 165 * MIN + 30 * SEC);
	ck_assert_double_eq(p[0].v, 165 * 6 + 2.5);
	ck_assert_double_eq(p[0].min, 165 * 6);
	ck_assert_double_eq(p[0].max, 165 * 6 + 5);
	ck_assert_int_eq(p[14].t_ms, 179 * MIN + 30 * SEC);
	ck_assert_double_eq(p[14].v, 179 * 6 + 2.5);
	free(p);

	n = window(h, now, HOUR, &p, &res);
	ck_assert_int_eq(res, HIST_MINUTE);
	ck_assert_uint_eq(n, 60); /* 120.5 .. 179.5 min */
	free(p);

	n = window(h, now, 2 * HOUR, &p, &res);
	ck_assert_int_eq(res, HIST_QUARTER);
	/* quarters 4..10 closed (middles from 67.5 min), 11 open */
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(p[0].t_ms, 4 * 15 * MIN + 450 * SEC);
	ck_assert_double_eq(p[0].v, 4 * 90 + 44.5);
	ck_assert_int_eq(p[7].t_ms, 11 * 15 * MIN + 450 * SEC);
	ck_assert_double_eq(p[7].v, 11 * 90 + 44.5);
	free(p);

	/* older than all of it: from the ring reaching back furthest */
	n = window(h, now, 25 * HOUR, &p, &res);
	ck_assert_int_eq(res, HIST_QUARTER);
	ck_assert_uint_eq(n, 12);
	free(p);
	ck_assert_int_eq(hist_oldest(h), 0);
}
END_TEST

START_TEST(test_window_open_period_point)
{
	struct hist_point *p;
	enum hist_res res;
	size_t n;

	h = hist_new(2);
	hist_push(h, 0, 1);	   /* minute 0, closed below */
	hist_push(h, 60 * SEC, 5); /* minute 1, open */
	hist_push(h, 70 * SEC, 7);
	hist_push(h, 80 * SEC, NAN); /* not data: 70 s is the newest sample */
	/* the raw ring starts at 70 s: the minute ring reaches back to 0 */
	n = window(h, 85 * SEC, 85 * SEC, &p, &res);
	ck_assert_int_eq(res, HIST_MINUTE);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(p[0].t_ms, 30 * SEC);
	ck_assert_double_eq(p[0].v, 1);
	ck_assert_int_eq(p[1].t_ms, 70 * SEC); /* its newest sample, not 90 s */
	ck_assert_double_eq(p[1].v, 6);
	ck_assert_double_eq(p[1].min, 5);
	ck_assert_double_eq(p[1].max, 7);
	free(p);
}
END_TEST

START_TEST(test_window_empty)
{
	struct hist_point p[1];
	enum hist_res res = HIST_QUARTER;

	h = hist_new(4);
	ck_assert_uint_eq(hist_window(h, 1000, 1000, p, 1, &res), 0);
	ck_assert_int_eq(res, HIST_RAW);
	hist_push(h, 500, NAN);
	ck_assert_uint_eq(hist_window(h, 1000, 1000, p, 1, &res), 0);
	ck_assert_int_eq(hist_oldest(h), INT64_MAX);
}
END_TEST

START_TEST(test_window_max)
{
	h = hist_new(64);
	ck_assert_uint_eq(hist_window_max(h), HIST_QTR_SLOTS + 1);
	hist_free(h);
	h = hist_new(200);
	ck_assert_uint_eq(hist_window_max(h), 200);
}
END_TEST

/* ---- state file round trip ---- */

static void copy_history(const struct hist *from, struct hist *to)
{
	struct hist_agg a[HIST_QTR_SLOTS];
	int64_t last;
	size_t n;

	for (enum hist_res r = HIST_MINUTE; r <= HIST_QUARTER; r++) {
		n = hist_agg_get(from, r, a, HIST_QTR_SLOTS, &last);
		hist_agg_put(to, r, a, n, last);
		hist_acc_put(to, r, hist_acc_get(from, r));
	}
	for (uint32_t i = 0; i < hist_len(from); i++)
		hist_raw_put(to, hist_at(from, i)->t_ms, hist_at(from, i)->v);
}

static void assert_same_windows(const struct hist *x, const struct hist *y, int64_t now)
{
	static const int64_t w[] = {0, MIN, 5 * MIN, 15 * MIN, HOUR, 2 * HOUR, 24 * HOUR};

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++) {
		struct hist_point *px, *py;
		enum hist_res rx, ry;
		size_t nx = window(x, now, w[i], &px, &rx);
		size_t ny = window(y, now, w[i], &py, &ry);

		ck_assert_int_eq(rx, ry);
		ck_assert_uint_eq(nx, ny);
		for (size_t k = 0; k < nx; k++) {
			ck_assert_int_eq(px[k].t_ms, py[k].t_ms);
			ck_assert_double_eq(px[k].v, py[k].v);
			ck_assert_double_eq(px[k].min, py[k].min);
			ck_assert_double_eq(px[k].max, py[k].max);
		}
		free(px);
		free(py);
	}
}

START_TEST(test_state_round_trip)
{
	struct hist *b = hist_new(64);
	int64_t t = -HOUR; /* restored times may be negative */

	h = hist_new(64);
	for (int i = 0; i < 3 * 360; i++, t += 10 * SEC)
		if (i < 700 || i > 760) /* a 10-minute gap */
			hist_push(h, t, i % 7 == 0 ? NAN : sin(i / 50.0) * 10);
	copy_history(h, b);
	assert_same_windows(h, b, t - 10 * SEC);
	/* both continue alike */
	hist_push(h, t, 42);
	hist_push(b, t, 42);
	hist_push(h, t + 5 * MIN, 43);
	hist_push(b, t + 5 * MIN, 43);
	assert_same_windows(h, b, t + 5 * MIN);
	ck_assert_int_eq(hist_oldest(h), hist_oldest(b));
	hist_free(b);
}
END_TEST

START_TEST(test_state_put_edges)
{
	struct hist_agg a[HIST_MIN_SLOTS + 5];
	struct hist_acc acc = {.period = 3, .sum = 6, .min = 1, .max = 5, .n = 2};
	int64_t last;

	h = hist_new(4);
	ck_assert_ptr_null(hist_acc_get(h, HIST_RAW));
	ck_assert_uint_eq(hist_agg_get(h, HIST_RAW, a, HIST_MIN_SLOTS, &last), 0);
	for (int i = 0; i < HIST_MIN_SLOTS + 5; i++)
		a[i] = (struct hist_agg){.min = (float)i, .max = (float)i, .avg = (float)i};
	/* more slots than the ring holds: the newest are kept */
	hist_agg_put(h, HIST_MINUTE, a, HIST_MIN_SLOTS + 5, 100);
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 60);
	ck_assert_int_eq(last, 100);
	ck_assert_float_eq(a[0].avg, 5);
	ck_assert_float_eq(a[59].avg, 64);
	/* an open period not after the closed ones is ignored */
	hist_acc_put(h, HIST_MINUTE, &acc);
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 0);
	acc.period = 101;
	hist_acc_put(h, HIST_MINUTE, &acc);
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 2);
	/* a sample of a closed period cannot reopen it */
	hist_push(h, 100 * MIN, 1000);
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 2);
	hist_push(h, 101 * MIN, 4);
	ck_assert_uint_eq(hist_acc_get(h, HIST_MINUTE)->n, 3);
	ck_assert_double_eq(hist_acc_get(h, HIST_MINUTE)->sum, 10);
	hist_push(h, 102 * MIN, 0);
	ck_assert_uint_eq(hist_agg_get(h, HIST_MINUTE, a, HIST_MIN_SLOTS, &last), 60);
	ck_assert_int_eq(last, 101);
	ck_assert_float_eq_tol(a[59].avg, 10.0f / 3, 1e-6f);
	ck_assert_float_eq(a[59].max, 5);
}
END_TEST

START_TEST(test_value_at)
{
	h = hist_new(4); /* freed by teardown */

	ck_assert(isnan(hist_value_at(h, 0)));
	/* A running total: 0 at 1 min, then one more every 10 s up to 10 at 2m40s. */
	for (int i = 0; i <= 10; i++)
		hist_push(h, 60000 + i * 10000, i);
	/* The raw ring (4) holds 7..10: exact there. */
	ck_assert_double_eq(hist_value_at(h, 130000), 7);
	ck_assert_double_eq(hist_value_at(h, 159999), 9);
	ck_assert_double_eq(hist_value_at(h, 1000000), 10);
	/* Before it: minute 2 (samples 6..) began at 6; minute 1 began at 0. */
	ck_assert_double_eq(hist_value_at(h, 125000), 6);
	ck_assert_double_eq(hist_value_at(h, 61000), 0);
	/* Just before: the quarter ring's first period holds it (within one period). */
	ck_assert_double_eq(hist_value_at(h, 59999), 0);
	/* Before any period with data. */
	ck_assert(isnan(hist_value_at(h, -1)));
}
END_TEST

/* The engine's path (one-pass summaries, closed periods cached per window)
 * gives what the array functions give on hist_window()'s points, at every
 * step of a wobbly ramp, for windows on each ring. */
START_TEST(test_summary_matches_window)
{
	/* Two long aggregate windows (each keeps its cache entry, HIST_SUMCACHE)
	 * and a short one (summed afresh),
	 * so most calls are answered from the cache. */
	static const int64_t w[] = {120000, 600000, 3600000, 24 * 3600000LL};
	struct hist_point *pts;
	struct hist_summary sum;
	int64_t t;

	h = hist_new(32);
	pts = calloc(hist_window_max(h), sizeof *pts);
	ck_assert_ptr_nonnull(pts);
	for (t = 0; t < 30 * 3600000LL; t += 10000) {
		hist_push(h, t, 50 + t / 360000.0 + 3 * sin(t / 70000.0));
		if (t % 70000 != 0 && t < 29 * 3600000LL)
			continue; /* check every 70 s, then every sample of the last hour */
		for (size_t k = 0; k < sizeof w / sizeof w[0]; k++) {
			size_t n = hist_window(h, t, w[k], pts, hist_window_max(h), NULL);
			struct wfit fa, fs;
			struct wval a, b;

			ck_assert_uint_eq(hist_window_summary(h, t, w[k], &sum), n);
			ck_assert_double_eq_tol(wsum_avg(&sum).v, win_avg(pts, n).v, 1e-9);
			ck_assert_double_eq(wsum_min(&sum).v, win_min(pts, n).v);
			ck_assert_double_eq(wsum_max(&sum).v, win_max(pts, n).v);
			if (n < 2)
				continue;
			ck_assert_double_eq_tol(wsum_delta(&sum).v, win_delta(pts, n).v, 1e-9);
			a = win_fit(pts, n, t, &fa);
			b = wsum_fit(&sum, t, &fs);
			ck_assert_int_eq(a.st, b.st);
			ck_assert_double_eq_tol(fs.slope, fa.slope, 1e-9 * (1 + fabs(fa.slope)));
			ck_assert_double_eq_tol(fs.at_now, fa.at_now, 1e-6);
		}
	}
	free(pts);
}
END_TEST

/* The capped summary reads what hist_window() reads, except that a raw
 * window of more than raw_max samples is read from the minute ring
 * instead: a 4096-sample ring holding the whole hour gives, past 120
 * samples, what a 32-sample ring's minute window gives. */
static void assert_same(const struct hist_summary *s, const struct hist_point *p, size_t n,
			int64_t now)
{
	struct wfit fa, fs;

	ck_assert_uint_eq(s->n, n);
	ck_assert_int_eq(s->t_first, p[0].t_ms);
	ck_assert_int_eq(s->t_last, p[n - 1].t_ms);
	ck_assert_int_eq(win_fit(p, n, now, &fa).st, WV_OK);
	ck_assert_int_eq(wsum_fit(s, now, &fs).st, WV_OK);
	ck_assert_double_eq_tol(fs.slope, fa.slope, 1e-9 * (1 + fabs(fa.slope)));
}

START_TEST(test_summary_capped)
{
	struct hist *big = hist_new(HIST_RAW_MAX);
	struct hist_point *pts;
	struct hist_summary s;
	enum hist_res res, r2;
	size_t n;

	h = hist_new(32);
	ck_assert_ptr_nonnull(big);
	pts = calloc(hist_window_max(big), sizeof *pts);
	ck_assert_ptr_nonnull(pts);
	for (int64_t t = 0; t <= 3 * HOUR; t += 10 * SEC) {
		double v = 50 + t / 360000.0 + 3 * sin(t / 70000.0);

		hist_push(h, t, v);
		hist_push(big, t, v);
		if (t < 20 * SEC || t % (70 * SEC) != 0)
			continue;
		/* the short ring: always what hist_window() reads */
		n = hist_window(h, t, HOUR, pts, hist_window_max(h), &r2);
		ck_assert_uint_eq(hist_window_summary_capped(h, t, HOUR, 120, &s, &res), n);
		ck_assert_int_eq(res, r2);
		assert_same(&s, pts, n, t);
		/* the long one: raw up to 120 samples, then the minute ring */
		hist_window_summary_capped(big, t, HOUR, 120, &s, &res);
		if (t / (10 * SEC) + 1 <= 120) {
			ck_assert_int_eq(res, HIST_RAW);
			n = hist_window(big, t, HOUR, pts, hist_window_max(big), NULL);
		} else {
			ck_assert_int_eq(res, HIST_MINUTE);
			ck_assert_int_eq(r2, HIST_MINUTE);
			n = hist_window(h, t, HOUR, pts, hist_window_max(h), NULL);
		}
		assert_same(&s, pts, n, t);
	}
	free(pts);
	hist_free(big);
}
END_TEST

Suite *history_suite(void)
{
	Suite *s = suite_create("history");
	TCase *tc;

	tc = tcase_create("alloc");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_new_bounds);
	tcase_add_test(tc, test_bytes);
	tcase_add_test(tc, test_value_at);
	suite_add_tcase(s, tc);

	tc = tcase_create("raw");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_push_in_order);
	tcase_add_test(tc, test_wrap_keeps_newest);
	tcase_add_test(tc, test_nan_kept_not_aggregated);
	tcase_add_test(tc, test_first_since);
	tcase_add_test(tc, test_out_of_order_ignored);
	suite_add_tcase(s, tc);

	tc = tcase_create("aggregate");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_minute_rollover);
	tcase_add_test(tc, test_quarter_rollover);
	tcase_add_test(tc, test_gap_leaves_empty_slots);
	tcase_add_test(tc, test_gap_longer_than_ring);
	tcase_add_test(tc, test_minute_ring_wraps);
	tcase_add_test(tc, test_negative_times);
	suite_add_tcase(s, tc);

	tc = tcase_create("window");
	tcase_add_test(tc, test_summary_matches_window);
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_window_raw);
	tcase_add_test(tc, test_window_young_reads_raw);
	tcase_add_test(tc, test_window_resolution);
	tcase_add_test(tc, test_window_open_period_point);
	tcase_add_test(tc, test_window_empty);
	tcase_add_test(tc, test_window_max);
	tcase_add_test(tc, test_summary_capped);
	suite_add_tcase(s, tc);

	tc = tcase_create("state");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_state_round_trip);
	tcase_add_test(tc, test_state_put_edges);
	suite_add_tcase(s, tc);
	return s;
}
