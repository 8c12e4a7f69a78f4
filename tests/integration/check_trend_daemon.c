/*
 * check_trend_daemon: the `sensors` reply's "trend" and "prediction" from
 * the real hwhealthd, fed ramps through the echo test plugin (no hardware,
 * no root needed).
 *
 * A feeder thread rewrites the echo file every FEED_MS with each metric's
 * value on its line at that moment (temperatures rising 0.5 C/s, a fan
 * losing 20 RPM/s, a steady one, a discrete one); the daemon polls it every
 * 250 ms.  The feeder starts before the daemon, so every reading lies on
 * the ramp; once a trend holds MIN_POINTS points the reply is checked.
 *
 * Tolerance: the daemon stamps a sample when its poll reads the file, and
 * the value it reads was written up to FEED_MS earlier, or later if the
 * feeder thread was not scheduled.  A constant lag shifts the line, not its
 * slope; what moves the slope is how the lag varies, each point off by
 * rate x lag.  For n evenly spaced points over span s the least-squares
 * slope moves by at most max|error| x sum|t - mean| / sum (t - mean)^2,
 * about 3 x max|error| / s: with s >= 3.5 s (15 points at 250 ms: the
 * reply may come while a poll stores its lines, one metric after another)
 * and lags varying by up to 100 ms (a loaded two-CPU machine), 8.6 %.  Hence
 * SLOPE_TOL 10 %.  The daemon's eta_s is (limit - value) / slope with the
 * value of the same reply, so it carries the slope's error plus rounding:
 * 10 % + 1 s.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

#define FEED_MS 10
#define MIN_POINTS 16
#define WAIT_MS 30000	 /* bound for MIN_POINTS polls at 250 ms */
#define SLOPE_TOL 0.10	 /* relative; see the top of the file */
#define TEMP_RATE 0.5	 /* C per second */
#define FAN_RATE (-20.0) /* RPM per second */

static struct fake_tree *tree;
static struct test_daemon d;

/* The feeder thread: writes the echo file until stop is set. */
struct feeder {
	char path[TL_PATH_MAX], tmp[TL_PATH_MAX];
	int64_t t0;
	atomic_bool stop;
	int err; /* first write error, 0 if none */
	pthread_t thread;
	bool running; /* thread not joined yet */
};

static struct feeder feed;

/* The echo file's text at t seconds after the ramps began. */
static void feed_text(double t, char *buf, size_t len)
{
	snprintf(buf, len,
		 "chip0 temp1 temperature %.4f max=80 crit=95 min=5\n"
		 "chip0 temp2 temperature 50 max=80\n"
		 "chip0 temp3 temperature %.4f max=30 crit=35\n"
		 "chip0 fan1 fan %.4f min=500 lcrit=300 max=5000\n"
		 "chip0 psu1 state %d\n",
		 40 + TEMP_RATE * t, 40 + TEMP_RATE * t, 2000 + FAN_RATE * t, (int)t % 2);
}

/* Each write goes to a temporary file renamed over the real one, so a poll
 * never reads half a file. */
static void *feed_run(void *arg)
{
	struct feeder *f = arg;
	struct timespec nap = {0, FEED_MS * 1000000L};
	char text[512];
	int rc;

	while (!atomic_load(&f->stop)) {
		feed_text((double)(tl_mono_ms() - f->t0) / 1000.0, text, sizeof text);
		if ((rc = write_file_str(f->tmp, text)) < 0 ||
		    (rc = rename(f->tmp, f->path) < 0 ? -1 : 0) < 0) {
			f->err = rc;
			break;
		}
		nanosleep(&nap, NULL);
	}
	return NULL;
}

static void setup(void)
{
	char conf[1024], text[512];
	const char *pl;

	tree = fake_tree_new();
	pl = test_plugin_dir(tree, "pl", "echo", NULL);
	fake_tree_path(tree, "echo.txt", feed.path, sizeof feed.path);
	fake_tree_path(tree, "echo.tmp", feed.tmp, sizeof feed.tmp);
	feed_text(0, text, sizeof text);
	ck_assert_int_eq(write_file_str(feed.path, text), 0);
	feed.t0 = tl_mono_ms();
	atomic_store(&feed.stop, false);
	feed.err = 0;
	ck_assert_int_eq(pthread_create(&feed.thread, NULL, feed_run, &feed), 0);
	feed.running = true;
	snprintf(conf, sizeof conf,
		 "plugin-dir %s\nhistory 64\n"
		 "source e {\n  plugin echo\n  file %s\n  interval 250ms\n}\n",
		 pl, feed.path);
	memset(&d, 0, sizeof d);
	d.tree = tree;
	daemon_start(&d, conf);
}

static void feed_stop(void)
{
	atomic_store(&feed.stop, true);
	if (feed.running)
		pthread_join(feed.thread, NULL);
	feed.running = false;
}

static void teardown(void)
{
	feed_stop();
	if (d.pid > 0)
		daemon_stop(&d);
	fake_tree_free(tree);
}

/* The "result" of {"cmd":"sensors"} (a new reference), or NULL. */
static struct json_object *sensors(void)
{
	struct json_object *resp = daemon_request(&d, "{\"cmd\":\"sensors\"}"), *res = NULL;

	if (resp != NULL && json_object_object_get_ex(resp, "result", &res))
		json_object_get(res);
	else
		res = NULL;
	json_object_put(resp);
	return res;
}

static bool enough_points(void *arg)
{
	struct json_object *r = sensors();
	double n = json_num(json_metric(r, arg), "trend.points");

	json_object_put(r);
	return n >= MIN_POINTS;
}

/* Member key of m, which must be an object (not null). */
static struct json_object *member(struct json_object *m, const char *key)
{
	struct json_object *o = NULL;

	ck_assert_msg(
	    json_object_object_get_ex(m, key, &o) && json_object_is_type(o, json_type_object),
	    "%s: no %s object: %s", json_str(m, "id"), key, json_object_to_json_string(m));
	return o;
}

/* Member key of m is present and null. */
static void assert_null(struct json_object *m, const char *key)
{
	struct json_object *o = NULL;

	ck_assert_msg(json_object_object_get_ex(m, key, &o) && o == NULL, "%s: %s not null: %s",
		      json_str(m, "id"), key, json_object_to_json_string(m));
}

/* The metric's trend is the fed rate (per hour), within SLOPE_TOL. */
static void assert_slope(struct json_object *m, double rate_s)
{
	struct json_object *t = member(m, "trend");
	double slope_h = json_num(t, "slope_h"), want = rate_s * 3600;

	ck_assert_msg(fabs(slope_h - want) <= SLOPE_TOL * fabs(want), "%s: slope_h %g, fed %g: %s",
		      json_str(m, "id"), slope_h, want, json_object_to_json_string(m));
	/* temp1 had MIN_POINTS; a later line may lack the poll in progress */
	ck_assert_msg(json_num(t, "points") >= MIN_POINTS - 1, "%s: %g points", json_str(m, "id"),
		      json_num(t, "points"));
	/* points 250 ms apart: the span is (points - 1) / 4 s, give or take
	 * a late poll and the rounding to whole seconds */
	ck_assert_msg(json_num(t, "span_s") >= 3, "%s: span_s %g", json_str(m, "id"),
		      json_num(t, "span_s"));
}

/* The metric heads for limit, reached (limit_value - value) / rate_s from
 * its value in the same reply, within SLOPE_TOL plus a second's rounding. */
static void assert_eta(struct json_object *m, const char *limit, double limit_value, double rate_s)
{
	struct json_object *p = member(m, "prediction");
	const char *got = json_str(p, "limit");
	double eta = json_num(p, "eta_s"), want = (limit_value - json_num(m, "value")) / rate_s;

	ck_assert_msg(got != NULL && strcmp(got, limit) == 0, "%s: heads for %s, not %s: %s",
		      json_str(m, "id"), got ? got : "(none)", limit,
		      json_object_to_json_string(m));
	ck_assert_msg(json_object_is_type(json_object_object_get(p, "eta_s"), json_type_int),
		      "%s: eta_s is not an integer", json_str(m, "id"));
	ck_assert_msg(fabs(eta - want) <= SLOPE_TOL * want + 1, "%s: eta_s %g, expected %g: %s",
		      json_str(m, "id"), eta, want, json_object_to_json_string(m));
}

START_TEST(test_trend_and_prediction)
{
	struct json_object *r, *m, *cli;

	ck_assert_msg(wait_until(enough_points, "e/chip0/temp1", WAIT_MS),
		      "temp1 has no trend of %d points within %d ms: %s", MIN_POINTS, WAIT_MS,
		      json_object_to_json_string(sensors()));
	ck_assert_msg(feed.err == 0, "the feeder could not write: %d", feed.err);
	r = sensors();
	ck_assert_ptr_nonnull(r);

	/* rising 0.5 C/s from 40: max (80) ahead */
	m = json_metric(r, "e/chip0/temp1");
	assert_slope(m, TEMP_RATE);
	assert_eta(m, "max", 80, TEMP_RATE);

	/* losing 20 RPM/s from 2000: min (500) ahead; max is the wrong way */
	m = json_metric(r, "e/chip0/fan1");
	assert_slope(m, FAN_RATE);
	assert_eta(m, "min", 500, FAN_RATE);

	/* rising past max and crit (35): the last crossed, now */
	m = json_metric(r, "e/chip0/temp3");
	assert_slope(m, TEMP_RATE);
	ck_assert_str_eq(json_str(member(m, "prediction"), "limit"), "crit");
	ck_assert_double_eq(json_num(member(m, "prediction"), "eta_s"), 0);

	/* steady: slope 0, no prediction; as many points as temp1, or one
	 * fewer if the reply came between the two lines of a poll (the store
	 * is locked per reading) */
	m = json_metric(r, "e/chip0/temp2");
	ck_assert_double_eq(json_num(member(m, "trend"), "slope_h"), 0);
	ck_assert_double_le(
	    fabs(json_num(member(m, "trend"), "points") -
		 json_num(member(json_metric(r, "e/chip0/temp1"), "trend"), "points")),
	    1);
	assert_null(m, "prediction");

	/* discrete: neither, though its value changes */
	m = json_metric(r, "e/chip0/psu1");
	ck_assert_str_eq(json_str(m, "kind"), "state");
	assert_null(m, "trend");
	assert_null(m, "prediction");
	json_object_put(r);

	/* the CLI's --json passes both through */
	cli = cli_json(&d, "sensors", NULL);
	m = json_metric(cli, "e/chip0/fan1");
	ck_assert_str_eq(json_str(member(m, "prediction"), "limit"), "min");
	ck_assert(json_num(member(m, "trend"), "slope_h") < 0);
	json_object_put(cli);
}
END_TEST

/* Before a metric has two readings in the hour: both null.  Seen on a
 * metric that appears while the daemon runs (a line added to the file),
 * between its first poll and its second. */
START_TEST(test_new_metric_has_no_trend)
{
	struct timespec nap = {0, 20 * 1000000L};
	char text[640];
	struct json_object *r, *m;
	size_t len;

	ck_assert_msg(wait_until(enough_points, "e/chip0/temp1", WAIT_MS), "no trend yet");
	feed_stop();
	feed_text(1, text, sizeof text);
	len = strlen(text);
	snprintf(text + len, sizeof text - len, "chip1 temp9 temperature 60 max=80\n");
	ck_assert_int_eq(write_file_str(feed.path, text), 0);
	/* wait for its first reading, then look at once: the next poll is
	 * 250 ms away, and a reply showing two readings is retried */
	for (int tries = 0; tries < 20; tries++) {
		r = sensors();
		m = json_metric(r, "e/chip1/temp9");
		if (m != NULL && json_num(m, "samples") == 1) {
			assert_null(m, "trend");
			assert_null(m, "prediction");
			json_object_put(r);
			return;
		}
		json_object_put(r);
		nanosleep(&nap, NULL);
	}
	ck_abort_msg("never saw e/chip1/temp9 with exactly one sample");
}
END_TEST

Suite *trend_daemon_suite(void)
{
	Suite *s = suite_create("trend_daemon");
	TCase *tc = tcase_create("sensors");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_trend_and_prediction);
	tcase_add_test(tc, test_new_metric_has_no_trend);
	suite_add_tcase(s, tc);
	return s;
}
