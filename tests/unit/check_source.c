/* Unit tests for agent/source.c: a source thread polls on its interval and
 * stores readings; a poll past its timeout marks the source unavailable, is
 * counted, and its late results are dropped; a stuck thread is abandoned on
 * stop without blocking. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "source.h"
#include "util.h"

#define TEST_PLUGINS HWH_BUILD_DIR "/tests/plugins"

static struct plugin_registry reg;
static struct metric_store ms;

static void setup(void)
{
	memset(&reg, 0, sizeof reg);
	ck_assert_int_eq(ms_init(&ms, 16), 0);
}

static struct source *make(const char *plugin, const struct hwh_option *opts, size_t n,
			   int64_t interval, int64_t timeout)
{
	struct hwh_config_error cerr = {.option = -1};
	const struct plugin *p;
	char err[PLUGIN_ERR_MAX];
	void *inst;

	ck_assert_msg(plugin_load(&reg, TEST_PLUGINS, plugin, &p, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(p->api->config(opts, n, &inst, &cerr) == 0, "%s", cerr.msg);
	return source_new(plugin, p, inst, interval, timeout, 3 * interval, &ms, NULL, -1);
}

static void sleep_ms(int ms_)
{
	struct timespec ts = {ms_ / 1000, (ms_ % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Run the main thread's deadline check until pred holds or 5 s pass. */
static int watch(struct source *s, int (*pred)(const struct source_info *))
{
	struct source_info in;

	for (int i = 0; i < 500; i++) {
		source_check_deadline(s, mono_ms());
		source_get_info(s, &in);
		if (pred(&in))
			return 1;
		sleep_ms(10);
	}
	return 0;
}

static int unavailable(const struct source_info *in)
{
	return in->state == SRC_UNAVAILABLE;
}

static int polled_twice(const struct source_info *in)
{
	return in->polls >= 2;
}

START_TEST(test_polls_and_stores)
{
	const struct hwh_option opts[] = {{"emit", "3", "t", 1, 1}};
	struct source *s = make("sleepy", opts, 1, 50, 1000);
	struct source_info in;

	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, polled_twice));
	source_get_info(s, &in);
	ck_assert_int_eq(in.state, SRC_OK);
	ck_assert_uint_eq(in.metrics, 3);
	ms_lock(&ms);
	ck_assert_ptr_nonnull(ms_find(&ms, "sleepy/dev/m2"));
	ck_assert_double_ge(ms_find(&ms, "sleepy/dev/m0")->value, 2);
	ms_unlock(&ms);
	ck_assert_int_eq(source_stop(s, 1000), 0);
}
END_TEST

static int overran(const struct source_info *in)
{
	return in->state == SRC_UNAVAILABLE;
}

static int late_done(const struct source_info *in)
{
	return in->late_dropped >= 1;
}

START_TEST(test_overrun_marks_unavailable_and_drops)
{
	const struct hwh_option opts[] = {{"sleep", "400ms", "t", 1, 1}, {"emit", "1", "t", 2, 1}};
	struct source *s = make("sleepy", opts, 2, 60000, 100);
	struct source_info in;

	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, overran));
	source_get_info(s, &in);
	ck_assert_uint_eq(in.overruns, 1);
	ck_assert_str_eq(in.error, "poll timed out after 0.1 s (still running)");
	ck_assert(watch(s, late_done));
	ms_lock(&ms);
	ck_assert_ptr_null(ms_find(&ms, "sleepy/dev/m0")); /* the late poll's reading was dropped */
	ms_unlock(&ms);
	source_get_info(s, &in);
	ck_assert_int_eq(in.state, SRC_UNAVAILABLE); /* until a poll finishes in time */
	ck_assert_int_eq(source_stop(s, 1000), 0);
}
END_TEST

START_TEST(test_stuck_thread_abandoned)
{
	const struct hwh_option opts[] = {{"sleep", "1500ms", "t", 1, 1}};
	struct source *s = make("sleepy", opts, 1, 60000, 100);
	int64_t t0;

	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, overran));
	t0 = mono_ms();
	ck_assert_int_eq(source_stop(s, 200), 1); /* abandoned, not joined */
	ck_assert_int_lt(mono_ms() - t0, 1000);
	sleep_ms(1600); /* let it finish and free itself (valgrind/ASan check the free) */
}
END_TEST

static int failed(const struct source_info *in)
{
	return in->state == SRC_FAILED;
}

START_TEST(test_failed_poll_reason)
{
	const struct hwh_option opts[] = {{"fail", "yes", "t", 1, 1}};
	struct source *s = make("sleepy", opts, 1, 50, 1000);
	struct source_info in;

	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, failed));
	source_get_info(s, &in);
	ck_assert_uint_ge(in.failures, 1);
	ck_assert_ptr_nonnull(strstr(in.error, "sleepy: told to fail (poll "));
	ck_assert_int_eq(source_stop(s, 1000), 0);
}
END_TEST

/* A poll saying the device did not answer (-ETIMEDOUT) makes the source
 * unavailable, not failed, with the plugin's reason. */
START_TEST(test_unreachable_is_unavailable)
{
	const struct hwh_option opts[] = {{"fail", "timeout", "t", 1, 1}};
	struct source *s = make("sleepy", opts, 1, 50, 1000);
	struct source_info in;

	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, unavailable));
	source_get_info(s, &in);
	ck_assert_uint_ge(in.failures, 1);
	ck_assert_uint_eq(in.overruns, 0);
	ck_assert_ptr_nonnull(strstr(in.error, "sleepy: told to fail (poll "));
	ck_assert_int_eq(source_stop(s, 1000), 0);
}
END_TEST

/* hwh_state_set() reaches the pstate table when the poll ends, behind the
 * newest event stored so far, and the next poll reads it back. */
START_TEST(test_state_kept_after_poll)
{
	const struct hwh_option opts[] = {{"keep", "yes", "t", 1, 1}};
	struct source *s = make("sleepy", opts, 1, 50, 1000);
	struct event_ring ring;
	struct pstate ps;
	struct hwh_event ev = {.device = "d", .type = "t", .text = "x"};
	char buf[32];

	pstate_init(&ps);
	ck_assert_int_eq(events_init(&ring, 8), 0);
	events_add(&ring, "other", &ev, 0, 0); /* seq 1, before any poll */
	s->pstate = &ps;
	s->events = &ring;
	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, polled_twice));
	ck_assert_int_eq(source_stop(s, 1000), 0);
	ck_assert_int_gt(pstate_get(&ps, "sleepy", "polls", buf, sizeof buf), 0);
	ck_assert_int_ge(atoi(buf), 2);
	ck_assert_uint_eq(ps.n, 1);
	ck_assert_uint_eq(ps.v[0].seq, 1); /* behind event 1 */
	ck_assert_ptr_null(ps.v[0].saved); /* not committed yet */
	ms_lock(&ms);
	/* the last poll read what the one before kept */
	ck_assert_double_eq(ms_find(&ms, "sleepy/dev/kept")->value, atoi(buf) - 1);
	ms_unlock(&ms);
	pstate_destroy(&ps);
	events_destroy(&ring);
}
END_TEST

/* What an overrunning poll keeps is dropped with its readings. */
START_TEST(test_state_dropped_on_overrun)
{
	const struct hwh_option opts[] = {{"sleep", "400ms", "t", 1, 1},
					  {"keep", "yes", "t", 2, 1}};
	struct source *s = make("sleepy", opts, 2, 60000, 100);
	struct pstate ps;
	char buf[32];

	pstate_init(&ps);
	s->pstate = &ps;
	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, overran));
	ck_assert(watch(s, late_done));
	ck_assert_int_eq(source_stop(s, 1000), 0);
	ck_assert_int_eq(pstate_get(&ps, "sleepy", "polls", buf, sizeof buf), -ENOENT);
	pstate_destroy(&ps);
}
END_TEST

static void write_atomic(const char *path, const char *text)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.new", path);
	f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static uint64_t polls_of(struct source *s)
{
	struct source_info in;

	source_get_info(s, &in);
	return in.polls;
}

static double value_of(const char *id)
{
	double v;

	ms_lock(&ms);
	v = ms_find(&ms, id) ? ms_find(&ms, id)->value : -1;
	ms_unlock(&ms);
	return v;
}

/* The emit-order cache must never store a reading into the wrong metric
 * when a source reports its readings in another order, or fewer of them. */
START_TEST(test_emit_order_change)
{
	char dir[] = "/tmp/hwh-src-XXXXXX", path[64];
	struct hwh_option opts[] = {{"file", path, "t", 1, 1}};
	struct source *s;
	uint64_t p0;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/echo.txt", dir);
	write_atomic(path, "c a temperature 1\nc b temperature 2\n");
	s = make("echo", opts, 1, 20, 1000);
	ck_assert_int_eq(source_start(s), 0);
	ck_assert(watch(s, polled_twice)); /* the cache is filled */
	write_atomic(path, "c b temperature 20\nc x temperature 7\nc a temperature 10\n");
	p0 = polls_of(s);
	while (polls_of(s) < p0 + 2)
		sleep_ms(10);
	ck_assert_double_eq(value_of("echo/c/a"), 10);
	ck_assert_double_eq(value_of("echo/c/b"), 20);
	ck_assert_double_eq(value_of("echo/c/x"), 7);
	write_atomic(path, "c a temperature 11\n");
	p0 = polls_of(s);
	while (polls_of(s) < p0 + 2)
		sleep_ms(10);
	ck_assert_double_eq(value_of("echo/c/a"), 11);
	ck_assert_double_eq(value_of("echo/c/b"), 20); /* not reported: unchanged */
	ck_assert_int_eq(source_stop(s, 1000), 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("thread");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_polls_and_stores);
	tcase_add_test(tc, test_overrun_marks_unavailable_and_drops);
	tcase_add_test(tc, test_stuck_thread_abandoned);
	tcase_add_test(tc, test_failed_poll_reason);
	tcase_add_test(tc, test_unreachable_is_unavailable);
	tcase_add_test(tc, test_state_kept_after_poll);
	tcase_add_test(tc, test_state_dropped_on_overrun);
	tcase_add_test(tc, test_emit_order_change);
	suite_add_tcase(s, tc);
	return s;
}
