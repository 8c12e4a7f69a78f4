/* Unit tests for agent/window.c: the window statistics, the least-squares
 * fit and what is built on it (slope, predict, eta), and the leaky bucket.
 * Expected values are worked out by hand from known lines. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "window.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define EPS 1e-9

#define NPTS 61

static struct hist_point pts[NPTS];

/* n raw points v = a + b * t_s at t = t0 + i * step ms. */
static void line(int64_t t0, int64_t step, size_t n, double a, double b)
{
	ck_assert_uint_le(n, NPTS);
	for (size_t i = 0; i < n; i++) {
		int64_t t = t0 + (int64_t)i * step;
		double v = a + b * ((double)t / 1000.0);

		pts[i] = (struct hist_point){.t_ms = t, .v = v, .min = v, .max = v};
	}
}

static void assert_ok(struct wval r, double v)
{
	ck_assert_int_eq(r.st, WV_OK);
	ck_assert_ptr_null(r.why);
	ck_assert_double_eq_tol(r.v, v, EPS);
}

static void assert_na(struct wval r, const char *why)
{
	ck_assert_int_eq(r.st, WV_NA);
	ck_assert(isnan(r.v));
	ck_assert_str_eq(r.why, why);
}

static void assert_err(struct wval r, const char *why)
{
	ck_assert_int_eq(r.st, WV_ERR);
	ck_assert(isnan(r.v));
	ck_assert_str_eq(r.why, why);
}

/* ---- statistics ---- */

START_TEST(test_stats)
{
	/* v = 10, 12, 20, 14 at 0, 10, 20, 40 s; the third is an aggregate */
	struct hist_point p[] = {
	    {.t_ms = 0, .v = 10, .min = 10, .max = 10},
	    {.t_ms = 10 * SEC, .v = 12, .min = 12, .max = 12},
	    {.t_ms = 20 * SEC, .v = 20, .min = 5, .max = 30},
	    {.t_ms = 40 * SEC, .v = 14, .min = 14, .max = 14},
	};

	assert_ok(win_avg(p, 4), 14);
	assert_ok(win_min(p, 4), 5);
	assert_ok(win_max(p, 4), 30);
	assert_ok(win_delta(p, 4), 4);
	assert_ok(win_rate(p, 4), 0.1); /* 4 over 40 s */
	assert_ok(win_rate(p, 2), 0.2);
	assert_ok(win_delta(p + 1, 2), 8);
}
END_TEST

START_TEST(test_stats_empty)
{
	assert_na(win_avg(pts, 0), "no data in window");
	assert_na(win_min(pts, 0), "no data in window");
	assert_na(win_max(pts, 0), "no data in window");
	assert_na(win_delta(pts, 0), "no data in window");
	assert_na(win_rate(pts, 0), "no data in window");
}
END_TEST

START_TEST(test_stats_one_point)
{
	line(5 * SEC, SEC, 1, 7, 0);
	assert_ok(win_avg(pts, 1), 7);
	assert_ok(win_min(pts, 1), 7);
	assert_ok(win_max(pts, 1), 7);
	assert_na(win_delta(pts, 1), "too few points");
	assert_na(win_rate(pts, 1), "too few points");
}
END_TEST

START_TEST(test_rate_same_time)
{
	line(5 * SEC, 0, 3, 7, 0);
	pts[2].v = 9;
	assert_ok(win_delta(pts, 3), 2);
	assert_na(win_rate(pts, 3), "points share one time");
}
END_TEST

START_TEST(test_stats_not_numbers)
{
	line(0, SEC, 3, 1, 1);
	pts[1].v = NAN;
	assert_err(win_avg(pts, 3), "not a number");
	/* min and max skip a NaN bound unless all are NaN */
	pts[1].min = pts[1].max = NAN;
	assert_ok(win_min(pts, 3), 1);
	assert_ok(win_max(pts, 3), 3);
	pts[0].min = pts[2].min = NAN;
	assert_err(win_min(pts, 3), "not a number");
	pts[2].v = NAN;
	assert_err(win_delta(pts, 3), "not a number");
	/* finite inputs, infinite results */
	line(0, SEC, 2, 0, 0);
	pts[0].v = -1.5e308;
	pts[1].v = 1.5e308;
	assert_err(win_delta(pts, 2), "overflow");
	assert_err(win_rate(pts, 2), "overflow");
	pts[0].v = 1.5e308;
	assert_err(win_avg(pts, 2), "overflow");
}
END_TEST

/* ---- fit ---- */

START_TEST(test_slope_known_line)
{
	struct wfit f;

	/* v = 2 + 0.5 t_s over t = 0 .. 60 s, now = 60 s */
	line(0, SEC, NPTS, 2, 0.5);
	assert_ok(win_slope(pts, NPTS, 60 * SEC), 0.5);
	assert_ok(win_fit(pts, NPTS, 60 * SEC, &f), 0.5);
	ck_assert_double_eq_tol(f.slope, 0.5, EPS);
	ck_assert_double_eq_tol(f.at_now, 32, EPS);
	ck_assert_uint_eq(f.n, NPTS);
	/* now past the newest point: the line, not the last value */
	assert_ok(win_fit(pts, NPTS, 100 * SEC, &f), 0.5);
	ck_assert_double_eq_tol(f.at_now, 52, EPS);
	/* two points are enough */
	assert_ok(win_slope(pts, 2, 60 * SEC), 0.5);
	/* falling */
	line(0, 10 * SEC, 7, 100, -0.25);
	assert_ok(win_slope(pts, 7, 60 * SEC), -0.25);
}
END_TEST

/* Wall-clock-sized times (ms since 1970) and a tiny slope on a large
 * offset: times relative to now and centred sums keep it. */
START_TEST(test_slope_large_times)
{
	const int64_t t0 = 1700000000000LL;

	line(t0, 10 * SEC, NPTS, 0, 1e-6);
	for (size_t i = 0; i < NPTS; i++) /* subtract the huge offset exactly */
		pts[i].v = 40 + 1e-6 * (double)(i * 10);
	assert_ok(win_slope(pts, NPTS, t0 + 600 * SEC), 1e-6);
}
END_TEST

START_TEST(test_predict_known_line)
{
	line(0, SEC, NPTS, 2, 0.5);
	assert_ok(win_predict(pts, NPTS, 60 * SEC, 0), 32);
	assert_ok(win_predict(pts, NPTS, 60 * SEC, 10 * MIN), 332);
	assert_ok(win_predict(pts, NPTS, 60 * SEC, -60 * SEC), 2);
}
END_TEST

START_TEST(test_fit_not_available)
{
	struct wfit f = {.n = 99};

	assert_na(win_fit(pts, 0, 0, &f), "no data in window");
	line(0, SEC, 1, 2, 0.5);
	assert_na(win_slope(pts, 1, 0), "too few points");
	assert_na(win_predict(pts, 1, 0, MIN), "too few points");
	assert_na(win_eta(pts, 1, 0, 80), "too few points");
	line(0, 0, 5, 2, 0.5); /* five points, one time */
	pts[3].v = 100;
	assert_na(win_fit(pts, 5, 0, &f), "points share one time");
	ck_assert_uint_eq(f.n, 99); /* untouched */
	assert_na(win_eta(pts, 5, 0, 80), "points share one time");
}
END_TEST

START_TEST(test_fit_errors)
{
	line(0, SEC, 10, 2, 0.5);
	pts[4].v = NAN;
	assert_err(win_slope(pts, 10, 0), "not a number");
	assert_err(win_eta(pts, 10, 0, 80), "not a number");
	line(0, SEC, 10, 2, 0.5);
	pts[9].v = INFINITY;
	ck_assert_int_eq(win_slope(pts, 10, 0).st, WV_ERR);
	line(0, SEC, 10, 0, 1e300); /* finite, but not 2^63 ms ahead */
	ck_assert_double_eq_tol(win_predict(pts, 10, 9 * SEC, SEC).v / 1e301, 1, EPS);
	assert_err(win_predict(pts, 10, 9 * SEC, INT64_MAX), "overflow");
	assert_err(win_eta(pts, 10, 0, NAN), "threshold is not a number");
}
END_TEST

/* ---- eta ---- */

/* A ramp of rate C/min over the 10 minutes before now, at v_now now. */
static void ramp(int64_t now, double v_now, double per_min)
{
	for (size_t i = 0; i < NPTS; i++) {
		int64_t t = now - 10 * MIN + (int64_t)i * 10 * SEC;
		double v = v_now + per_min * (double)(t - now) / MIN;

		pts[i] = (struct hist_point){.t_ms = t, .v = v, .min = v, .max = v};
	}
}

START_TEST(test_eta_ramp)
{
	const int64_t now = 5 * HOUR;

	ramp(now, 50, 1); /* 1 C/min, at 50 now: 30 min to 80 */
	assert_ok(win_eta(pts, NPTS, now, 80), 1800);
	assert_ok(win_eta(pts, NPTS, now, 50.5), 30);
	/* falling at 1 C/min from 50: 30 min to 20 */
	ramp(now, 50, -1);
	assert_ok(win_eta(pts, NPTS, now, 20), 1800);
}
END_TEST

START_TEST(test_eta_past_and_away)
{
	const int64_t now = 5 * HOUR;

	/* rising from 40 to 50 in the window */
	ramp(now, 50, 1);
	assert_ok(win_eta(pts, NPTS, now, 50), 0); /* at it */
	assert_ok(win_eta(pts, NPTS, now, 45), 0); /* crossed it in the window */
	assert_ok(win_eta(pts, NPTS, now, 40.5), 0);
	/* above it for the whole window and rising: moving away */
	ck_assert(isinf(win_eta(pts, NPTS, now, 30).v));
	/* falling from 60 to 50, threshold above: moving away */
	ramp(now, 50, -1);
	assert_ok(win_eta(pts, NPTS, now, 55), 0); /* crossed it going down */
	ck_assert_int_eq(win_eta(pts, NPTS, now, 80).st, WV_OK);
	ck_assert(isinf(win_eta(pts, NPTS, now, 80).v));
	ck_assert(win_eta(pts, NPTS, now, 80).v > 0);
	/* flat */
	ramp(now, 50, 0);
	ck_assert(isinf(win_eta(pts, NPTS, now, 80).v));
	ck_assert(isinf(win_eta(pts, NPTS, now, 20).v));
	assert_ok(win_eta(pts, NPTS, now, 50), 0);
}
END_TEST

/* ---- leaky bucket ---- */

START_TEST(test_bucket_burst_and_leak)
{
	struct leaky_bucket b;
	const int64_t t0 = 1000;

	memset(&b, 0, sizeof b);
	/* "10 per 24h" */
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, t0, 10), 10);
	ck_assert_int_eq(b.t_ms, t0);
	ck_assert_double_eq_tol(bucket_add(&b, 10, 24 * HOUR, t0 + 12 * HOUR, 0), 5, EPS);
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, t0 + 60 * HOUR, 0), 0);
	/* a burst shows its size */
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, t0 + 60 * HOUR, 25), 25);
	/* full, then 48 h later: empty */
	memset(&b, 0, sizeof b);
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, t0, 10), 10);
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, t0 + 48 * HOUR, 0), 0);
}
END_TEST

START_TEST(test_bucket_steady_state)
{
	struct leaky_bucket b;
	double level = 0, peak = 0;
	int64_t t = 1000;

	/* one error every 3 h leaks 1.25 between errors: each finds it empty */
	memset(&b, 0, sizeof b);
	for (int i = 0; i < 10000; i++, t += 3 * HOUR) {
		level = bucket_add(&b, 10, 24 * HOUR, t, 1);
		if (level > peak)
			peak = level;
	}
	ck_assert_double_eq(peak, 1);
	ck_assert_double_eq(level, 1);
	/* one every 2 h adds 1/6 net each time: the 55th error fills it */
	memset(&b, 0, sizeof b);
	t = 1000;
	for (int i = 0; i < 54; i++, t += 2 * HOUR)
		level = bucket_add(&b, 10, 24 * HOUR, t, 1);
	ck_assert(level < 10);
	level = bucket_add(&b, 10, 24 * HOUR, t, 1);
	ck_assert_double_eq_tol(level, 10, EPS);
}
END_TEST

START_TEST(test_bucket_edges)
{
	struct leaky_bucket b;

	memset(&b, 0, sizeof b);
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, 5 * HOUR, -3), 0); /* < 0 adds 0 */
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, 5 * HOUR, NAN), 0);
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, 5 * HOUR, 4), 4);
	/* backwards: no leak, still adds, the later mark stays */
	ck_assert_double_eq(bucket_add(&b, 10, 24 * HOUR, 2 * HOUR, 1), 5);
	ck_assert_int_eq(b.t_ms, 5 * HOUR);
	ck_assert_double_eq_tol(bucket_add(&b, 10, 24 * HOUR, 17 * HOUR, 0), 0, EPS);
	/* a window of 0 or less leaks nothing instead of dividing by it */
	ck_assert_double_eq(bucket_add(&b, 10, 0, 20 * HOUR, 2), 2);
	ck_assert_double_eq(bucket_add(&b, 10, 0, 30 * HOUR, 0), 2);
}
END_TEST

Suite *window_suite(void)
{
	Suite *s = suite_create("window");
	TCase *tc;

	tc = tcase_create("stats");
	tcase_add_test(tc, test_stats);
	tcase_add_test(tc, test_stats_empty);
	tcase_add_test(tc, test_stats_one_point);
	tcase_add_test(tc, test_rate_same_time);
	tcase_add_test(tc, test_stats_not_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("fit");
	tcase_add_test(tc, test_slope_known_line);
	tcase_add_test(tc, test_slope_large_times);
	tcase_add_test(tc, test_predict_known_line);
	tcase_add_test(tc, test_fit_not_available);
	tcase_add_test(tc, test_fit_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("eta");
	tcase_add_test(tc, test_eta_ramp);
	tcase_add_test(tc, test_eta_past_and_away);
	suite_add_tcase(s, tc);

	tc = tcase_create("bucket");
	tcase_add_test(tc, test_bucket_burst_and_leak);
	tcase_add_test(tc, test_bucket_steady_state);
	tcase_add_test(tc, test_bucket_edges);
	suite_add_tcase(s, tc);
	return s;
}
