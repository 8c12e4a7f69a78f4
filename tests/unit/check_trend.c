/* Unit tests for agent/trend.c: the hour's trend of a history (ramps up and
 * down, read from raw samples or from one-minute averages, flat, too few
 * points, old data, unreadable samples), the limit it heads for (ahead,
 * behind, at, crossed, ties, no limit that way, too far) and which kinds
 * have a trend.  Expected values are worked out by hand from known lines. */
#include <check.h>
#include <math.h>
#include <string.h>

#include "trend.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

static struct hist *h;

static void teardown(void)
{
	hist_free(h);
	h = NULL;
}

/* Samples v = a + b * t_s at t = t0, t0 + step, ... up to t1 included. */
static void push_line(int64_t t0, int64_t t1, int64_t step, double a, double b)
{
	for (int64_t t = t0; t <= t1; t += step)
		hist_push(h, t, a + b * ((double)t / 1000.0));
}

/* All limits absent but the ones set after. */
static void no_limits(double lim[HWH_LIM_COUNT])
{
	for (int l = 0; l < HWH_LIM_COUNT; l++)
		lim[l] = NAN;
}

static void assert_predicts(double v, double slope, const double lim[HWH_LIM_COUNT],
			    enum hwh_limit want, int64_t eta)
{
	struct prediction p = {.limit = HWH_LIM_COUNT, .eta_s = -1};

	ck_assert_msg(trend_predict(v, slope, lim, &p), "no prediction for %g at %g/s", v, slope);
	ck_assert_int_eq(p.limit, want);
	ck_assert_int_eq(p.eta_s, eta);
}

static void assert_no_prediction(double v, double slope, const double lim[HWH_LIM_COUNT])
{
	struct prediction p = {.limit = HWH_LIM_COUNT, .eta_s = -1};

	ck_assert_msg(!trend_predict(v, slope, lim, &p), "a prediction for %g at %g/s: %d in %lld",
		      v, slope, p.limit, (long long)p.eta_s);
	ck_assert_int_eq(p.limit, HWH_LIM_COUNT); /* untouched */
}

/* ---- trend_of ---- */

/* Five minutes at 10 s, all in the raw ring: the exact line. */
START_TEST(test_ramp_up_raw)
{
	struct trend t;

	h = hist_new(32);
	push_line(0, 290 * SEC, 10 * SEC, 20, 0.01);
	ck_assert(trend_of(h, 290 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_RAW);
	ck_assert_uint_eq(t.points, 30);
	ck_assert_int_eq(t.span_ms, 290 * SEC);
	ck_assert_double_eq_tol(t.slope_s, 0.01, 1e-12);
}
END_TEST

START_TEST(test_ramp_down_raw)
{
	struct trend t;

	h = hist_new(32);
	push_line(1000 * SEC, 1100 * SEC, 5 * SEC, 3000, -2); /* a fan losing 2 RPM a second */
	ck_assert(trend_of(h, 1100 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_RAW);
	ck_assert_uint_eq(t.points, 21);
	ck_assert_double_eq_tol(t.slope_s, -2, 1e-9);
}
END_TEST

/*
 * Two hours at 10 s with the default 32 raw samples: the hour is read from
 * the minute ring, 60 closed minutes and the open one.  Each closed minute
 * averages its samples at 0..50 s, the line's value at 25 s, but stands at
 * the minute's middle (30 s): every point is 5 s late, which shifts the
 * line, not its slope.  The open minute, one sample at its start, stands on
 * that sample; that one point off the shifted line moves the slope by about
 * 5 s x 1,800 s / (61 x 3,600^2 / 12) = 1.4e-4 of itself.
 */
START_TEST(test_ramp_minutes)
{
	struct trend t;
	int64_t now = 2 * HOUR;

	h = hist_new(32);
	push_line(0, now, 10 * SEC, 100, -0.002);
	ck_assert(trend_of(h, now, &t));
	ck_assert_int_eq(t.res, HIST_MINUTE);
	ck_assert_uint_eq(t.points, 61);
	ck_assert_double_eq_tol(t.slope_s, -0.002, 0.002 * 3e-4);
	/* from the middle of the first minute in the hour to the open one's sample */
	ck_assert_int_eq(t.span_ms, HOUR - 30 * SEC);
}
END_TEST

/* A long raw ring holding the whole hour is not read past TREND_RAW_MAX
 * samples: ten minutes at 1 s come from the minute ring. */
START_TEST(test_long_ring_reads_minutes)
{
	struct trend t;

	h = hist_new(HIST_RAW_MAX);
	push_line(0, TREND_RAW_MAX * SEC - SEC, SEC, 40, 0.05);
	ck_assert(trend_of(h, TREND_RAW_MAX * SEC - SEC, &t));
	ck_assert_int_eq(t.res, HIST_RAW); /* just TREND_RAW_MAX samples: raw */
	ck_assert_uint_eq(t.points, TREND_RAW_MAX);
	ck_assert_double_eq_tol(t.slope_s, 0.05, 1e-12);

	push_line(TREND_RAW_MAX * SEC, 600 * SEC, SEC, 40, 0.05);
	ck_assert(trend_of(h, 600 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_MINUTE);
	ck_assert_uint_eq(t.points, 11); /* ten closed minutes and the open one */
	ck_assert_double_eq_tol(t.slope_s, 0.05, 0.05 * 1e-2);
}
END_TEST

START_TEST(test_flat)
{
	struct trend t;

	/* Raw, doubles: exactly 0. */
	h = hist_new(32);
	push_line(0, 300 * SEC, 10 * SEC, 12.3, 0);
	ck_assert(trend_of(h, 300 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_RAW);
	ck_assert(t.slope_s == 0);
	teardown();

	/* Minutes: closed ones are floats (12.3f), the open one a double, so
	 * the fit alone gives a slope of ~1e-11/s; reported as 0. */
	h = hist_new(32);
	push_line(0, 2 * HOUR + 20 * SEC, 10 * SEC, 12.3, 0);
	ck_assert(trend_of(h, 2 * HOUR + 20 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_MINUTE);
	ck_assert(t.slope_s == 0);
}
END_TEST

/* A slow real trend is not taken for float noise: 0.5 C an hour at 60 C. */
START_TEST(test_slow_not_flat)
{
	struct trend t;

	h = hist_new(32);
	push_line(0, 2 * HOUR, 10 * SEC, 60, 0.5 / 3600);
	ck_assert(trend_of(h, 2 * HOUR, &t));
	ck_assert_double_eq_tol(t.slope_s * 3600, 0.5, 0.5 * 1e-3);
}
END_TEST

START_TEST(test_too_few_points)
{
	struct trend t = {.points = 99};

	ck_assert(!trend_of(NULL, 0, &t));
	h = hist_new(32);
	ck_assert(!trend_of(h, 0, &t)); /* empty */
	hist_push(h, 10 * SEC, 45);
	ck_assert(!trend_of(h, 10 * SEC, &t)); /* one point */
	hist_push(h, 10 * SEC, 46);
	ck_assert(!trend_of(h, 10 * SEC, &t)); /* two at one time */
	hist_push(h, 11 * SEC, NAN);
	ck_assert(!trend_of(h, 11 * SEC, &t)); /* an unreadable sample is no point */
	ck_assert_uint_eq(t.points, 99);       /* untouched */
	hist_push(h, 12 * SEC, 47);
	ck_assert(trend_of(h, 12 * SEC, &t));
	ck_assert_uint_eq(t.points, 3);
}
END_TEST

/* Readings older than the hour do not count: a metric whose source went
 * away an hour ago has no trend, one that left 50 minutes ago still has
 * (from the minute ring: ten closed minutes, each 5 s late as in
 * test_ramp_minutes, and the last sample, which moves the slope by about
 * 5 s x 300 s / (11 x 600^2 / 12) = 0.45 % of itself). */
START_TEST(test_old_data)
{
	struct trend t;

	h = hist_new(32);
	push_line(0, 10 * MIN, 10 * SEC, 30, 0.001);
	ck_assert(!trend_of(h, 10 * MIN + HOUR + MIN, &t));
	ck_assert(trend_of(h, 10 * MIN + 50 * MIN, &t));
	ck_assert_int_eq(t.res, HIST_MINUTE);
	ck_assert_uint_eq(t.points, 11);
	ck_assert_double_eq_tol(t.slope_s, 0.001, 0.001 * 1e-2);
}
END_TEST

/* Unreadable samples between readable ones are skipped, not zeros. */
START_TEST(test_nan_samples_skipped)
{
	struct trend t;

	h = hist_new(64);
	for (int i = 0; i <= 40; i++)
		hist_push(h, i * 5 * SEC, i % 3 == 1 ? NAN : 70 - 0.1 * i * 5);
	ck_assert(trend_of(h, 200 * SEC, &t));
	ck_assert_int_eq(t.res, HIST_RAW);
	ck_assert_uint_eq(t.points, 27); /* 41 samples, 14 of them NaN */
	ck_assert_double_eq_tol(t.slope_s, -0.1, 1e-12);
}
END_TEST

/* The reading leaves the history alone: the rules engine's cache of
 * window sums is not touched. */
START_TEST(test_history_untouched)
{
	struct hist_summary s;
	struct hist_sumcache before[HIST_SUMCACHE];
	struct trend t;

	h = hist_new(32);
	push_line(0, 6 * HOUR, 10 * SEC, 50, 0.001);
	hist_window_summary(h, 6 * HOUR, 5 * HOUR, &s); /* a rule's window: 20 quarters, cached */
	memcpy(before, h->sc, sizeof before);
	ck_assert(trend_of(h, 6 * HOUR, &t));
	ck_assert(memcmp(before, h->sc, sizeof before) == 0);
	ck_assert_uint_eq(h->sc_next, 1);
}
END_TEST

/* ---- trend_predict ---- */

/* A temperature rising 0.01 C/s towards max 80, crit 95. */
START_TEST(test_rising_limit_ahead)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	lim[HWH_LIM_CRIT] = 95;
	lim[HWH_LIM_MIN] = 10; /* behind, on the other side: never the answer */
	assert_predicts(50, 0.01, lim, HWH_LIM_MAX, 3000);
	assert_predicts(85, 0.01, lim, HWH_LIM_CRIT, 1000); /* past max */
	assert_predicts(80, 0.01, lim, HWH_LIM_CRIT, 1500); /* at max: crossed it */
	assert_predicts(5, 0.01, lim, HWH_LIM_MAX, 7500);   /* below min, rising */
	/* rounded to the nearest second */
	assert_predicts(50, 0.7, lim, HWH_LIM_MAX, 43); /* 42.86 s */
	assert_predicts(50, 0.8, lim, HWH_LIM_MAX, 38); /* 37.5 s */
}
END_TEST

/* At or past every upper limit: the last one crossed, now. */
START_TEST(test_rising_past_every_limit)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	lim[HWH_LIM_CRIT] = 95;
	assert_predicts(99, 0.01, lim, HWH_LIM_CRIT, 0);
	assert_predicts(95, 0.01, lim, HWH_LIM_CRIT, 0);
	lim[HWH_LIM_EMERG] = 105;
	assert_predicts(99, 0.01, lim, HWH_LIM_EMERG, 600);
	assert_predicts(200, 0.01, lim, HWH_LIM_EMERG, 0);
}
END_TEST

/* A fan losing 5 RPM/s towards min 500, lcrit 300. */
START_TEST(test_falling)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MIN] = 500;
	lim[HWH_LIM_LCRIT] = 300;
	lim[HWH_LIM_MAX] = 5000;
	assert_predicts(1000, -5, lim, HWH_LIM_MIN, 100);
	assert_predicts(400, -5, lim, HWH_LIM_LCRIT, 20);
	assert_predicts(500, -5, lim, HWH_LIM_LCRIT, 40); /* at min */
	assert_predicts(200, -5, lim, HWH_LIM_LCRIT, 0);  /* past both */
	lim[HWH_LIM_LEMERG] = 100;
	assert_predicts(200, -5, lim, HWH_LIM_LEMERG, 20);
	assert_predicts(0, -5, lim, HWH_LIM_LEMERG, 0);
	assert_predicts(6000, -5, lim, HWH_LIM_MIN, 1100); /* above max, falling */
}
END_TEST

/* Only the limits of the side the value moves to count. */
START_TEST(test_no_limit_that_way)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	assert_no_prediction(50, 0.01, lim); /* no limits at all */
	lim[HWH_LIM_MIN] = 10;
	lim[HWH_LIM_LCRIT] = 5;
	assert_no_prediction(50, 0.01, lim); /* rising, only lower limits */
	assert_no_prediction(2, 0.01, lim);  /* below them and recovering */
	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	assert_no_prediction(50, -0.01, lim); /* falling, only an upper limit */
	assert_no_prediction(90, -0.01, lim); /* above it and recovering */
}
END_TEST

START_TEST(test_no_trend_no_prediction)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	lim[HWH_LIM_MIN] = 10;
	assert_no_prediction(50, 0, lim);  /* flat */
	assert_no_prediction(90, 0, lim);  /* flat, even past a limit */
	assert_no_prediction(NAN, 1, lim); /* unreadable value */
	assert_no_prediction(50, NAN, lim);
	assert_no_prediction(50, INFINITY, lim);
	assert_no_prediction(INFINITY, 1, lim);
}
END_TEST

/* Two limits at one value: ahead, the milder is reached first; behind, the
 * graver was crossed last.  Values, not names, order odd hardware limits. */
START_TEST(test_ties_and_odd_order)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	lim[HWH_LIM_CRIT] = 80;
	assert_predicts(50, 1, lim, HWH_LIM_MAX, 30);
	assert_predicts(90, 1, lim, HWH_LIM_CRIT, 0);
	no_limits(lim);
	lim[HWH_LIM_MIN] = 300;
	lim[HWH_LIM_LCRIT] = 300;
	assert_predicts(400, -1, lim, HWH_LIM_MIN, 100);
	assert_predicts(200, -1, lim, HWH_LIM_LCRIT, 0);
	no_limits(lim);
	lim[HWH_LIM_MAX] = 90; /* above crit: the hardware's business */
	lim[HWH_LIM_CRIT] = 85;
	assert_predicts(50, 1, lim, HWH_LIM_CRIT, 35);
	assert_predicts(87, 1, lim, HWH_LIM_MAX, 3);
	assert_predicts(95, 1, lim, HWH_LIM_MAX, 0); /* the nearest behind */
}
END_TEST

/* A limit more than 2^32 - 1 s away is no prediction (nor is an infinite
 * limit); one just inside is. */
START_TEST(test_too_far)
{
	double lim[HWH_LIM_COUNT];

	no_limits(lim);
	lim[HWH_LIM_MAX] = 80;
	assert_no_prediction(50, 30 / (TREND_ETA_MAX_S + 2), lim);
	assert_predicts(50, 30 / (TREND_ETA_MAX_S - 2), lim, HWH_LIM_MAX, 4294967293LL);
	lim[HWH_LIM_MAX] = INFINITY;
	assert_no_prediction(50, 1, lim);
}
END_TEST

START_TEST(test_numeric_kinds)
{
	ck_assert(trend_numeric(HWH_KIND_TEMPERATURE));
	ck_assert(trend_numeric(HWH_KIND_FAN));
	ck_assert(trend_numeric(HWH_KIND_COUNTER));
	ck_assert(trend_numeric(HWH_KIND_OTHER));
	ck_assert(!trend_numeric(HWH_KIND_STATE));
	ck_assert(!trend_numeric(HWH_KIND_INTRUSION));
}
END_TEST

Suite *trend_suite(void)
{
	Suite *s = suite_create("trend");
	TCase *tc;

	tc = tcase_create("trend_of");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_ramp_up_raw);
	tcase_add_test(tc, test_ramp_down_raw);
	tcase_add_test(tc, test_ramp_minutes);
	tcase_add_test(tc, test_long_ring_reads_minutes);
	tcase_add_test(tc, test_flat);
	tcase_add_test(tc, test_slow_not_flat);
	tcase_add_test(tc, test_too_few_points);
	tcase_add_test(tc, test_old_data);
	tcase_add_test(tc, test_nan_samples_skipped);
	tcase_add_test(tc, test_history_untouched);
	suite_add_tcase(s, tc);

	tc = tcase_create("trend_predict");
	tcase_add_test(tc, test_rising_limit_ahead);
	tcase_add_test(tc, test_rising_past_every_limit);
	tcase_add_test(tc, test_falling);
	tcase_add_test(tc, test_no_limit_that_way);
	tcase_add_test(tc, test_no_trend_no_prediction);
	tcase_add_test(tc, test_ties_and_odd_order);
	tcase_add_test(tc, test_too_far);
	tcase_add_test(tc, test_numeric_kinds);
	suite_add_tcase(s, tc);
	return s;
}
