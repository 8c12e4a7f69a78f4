/* Unit tests for agent/watch.c, what hwh_daemon_health() and hwh_source_up()
 * answer: a declared source is known and down from its declaration; an
 * evaluation that sees it up makes it up with down_ms 0; once down again,
 * down_ms counts from the last evaluation that saw it up; a source the
 * evaluation no longer lists is forgotten; unknown names are -ENOENT; the
 * loop age comes from the last watch_tick() and the node state from the
 * last watch_update().  Times are made up (ms on a fake monotonic clock). */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "watch.h"

#define STALE_MS 3000

static struct watch w;

static void setup(void)
{
	watch_init(&w, 1000);
}

static void teardown(void)
{
	watch_destroy(&w);
}

/* A source as an evaluation sees it: its state and its last poll. */
static struct source_view view(const char *name, enum source_state st, int64_t last_poll)
{
	struct source_view v = {.name = name, .stale_ms = STALE_MS};

	v.info.state = st;
	v.info.last_poll_mono_ms = last_poll;
	v.info.metrics = 1;
	return v;
}

/* hwh_source_up() of name at now; *down gets down_ms (-1 if not set). */
static int up_at(const char *name, int64_t now, int64_t *down)
{
	*down = -1;
	return watch_source_up(&w, name, now, down);
}

START_TEST(test_declared_is_down_since_declared)
{
	int64_t down;

	ck_assert_int_eq(watch_declare(&w, "ipmi", 1200), 0);
	ck_assert_int_eq(up_at("ipmi", 1200, &down), 0);
	ck_assert_int_eq(down, 0);
	ck_assert_int_eq(up_at("ipmi", 1700, &down), 0);
	ck_assert_int_eq(down, 500);
	ck_assert_int_eq(up_at("ipmi", 4200, &down), 0);
	ck_assert_int_eq(down, 3000); /* grows with the clock, from the declaration */
	/* Declared again (a reload restarts it): one entry, the first time kept. */
	ck_assert_int_eq(watch_declare(&w, "ipmi", 4000), 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_int_eq(up_at("ipmi", 4200, &down), 0);
	ck_assert_int_eq(down, 3000);
	/* down_ms is optional. */
	ck_assert_int_eq(watch_source_up(&w, "ipmi", 4200, NULL), 0);
}
END_TEST

START_TEST(test_up_then_down)
{
	struct source_view v[2];
	int64_t down;

	ck_assert_int_eq(watch_declare(&w, "ipmi", 1000), 0);
	ck_assert_int_eq(watch_declare(&w, "sensors", 1000), 0);
	v[0] = view("ipmi", SRC_OK, 2000);
	v[1] = view("sensors", SRC_STARTING, 0);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 2000), 0);
	ck_assert_int_eq(up_at("ipmi", 2500, &down), 1);
	ck_assert_int_eq(down, 0);
	ck_assert_int_eq(watch_source_up(&w, "ipmi", 2500, NULL), 1);
	/* Not polled yet: still down since its declaration. */
	ck_assert_int_eq(up_at("sensors", 2500, &down), 0);
	ck_assert_int_eq(down, 1500);

	/* Up at 4000 (polled at 3900), then failed at 6000: down since 4000. */
	v[0] = view("ipmi", SRC_OK, 3900);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 4000), 0);
	v[0] = view("ipmi", SRC_FAILED, 5900);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 6000), 0);
	ck_assert_int_eq(up_at("ipmi", 6000, &down), 0);
	ck_assert_int_eq(down, 2000);
	ck_assert_int_eq(up_at("ipmi", 9000, &down), 0);
	ck_assert_int_eq(down, 5000);
	/* Another evaluation that sees it down keeps the last-up time. */
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 8000), 0);
	ck_assert_int_eq(up_at("ipmi", 9000, &down), 0);
	ck_assert_int_eq(down, 5000);
	/* Back up: 1, down_ms 0. */
	v[0] = view("ipmi", SRC_OK, 9500);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 9500), 0);
	ck_assert_int_eq(up_at("ipmi", 9600, &down), 1);
	ck_assert_int_eq(down, 0);
}
END_TEST

START_TEST(test_unavailable_and_stale_are_down)
{
	struct source_view v = view("bmc", SRC_UNAVAILABLE, 2000);
	int64_t down;

	ck_assert_int_eq(watch_declare(&w, "bmc", 1000), 0);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, &v, 1, 2000), 0);
	ck_assert_int_eq(up_at("bmc", 2000, &down), 0);
	ck_assert_int_eq(down, 1000);

	/* "ok" but its last poll older than the stale age: down. */
	v = view("bmc", SRC_OK, 3000);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, &v, 1, 3000 + STALE_MS), 0);
	ck_assert_int_eq(up_at("bmc", 3000 + STALE_MS, &down), 1); /* exactly the stale age */
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, &v, 1, 3001 + STALE_MS), 0);
	ck_assert_int_eq(up_at("bmc", 7000, &down), 0);
	ck_assert_int_eq(down, 7000 - (3000 + STALE_MS));
}
END_TEST

START_TEST(test_unknown_names)
{
	struct source_view v = view("ipmi", SRC_OK, 2000);
	int64_t down = 42;

	ck_assert_int_eq(watch_source_up(&w, "ipmi", 2000, &down), -ENOENT);
	ck_assert_int_eq(down, 42); /* untouched */
	ck_assert_int_eq(watch_source_up(&w, NULL, 2000, &down), -ENOENT);
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, &v, 1, 2000), 0);
	ck_assert_int_eq(watch_source_up(&w, "ipm", 2000, &down), -ENOENT);
	ck_assert_int_eq(watch_source_up(&w, "ipmi0", 2000, &down), -ENOENT);
	ck_assert_int_eq(watch_source_up(&w, "", 2000, &down), -ENOENT);
	ck_assert_int_eq(watch_source_up(&w, "ipmi", 2000, &down), 1);
}
END_TEST

START_TEST(test_update_adds_and_drops)
{
	struct source_view v[2] = {view("a", SRC_OK, 2000), view("b", SRC_FAILED, 2000)};
	int64_t down;

	/* Never declared, first seen down by an evaluation: down since then. */
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 2, 2000), 0);
	ck_assert_int_eq(up_at("a", 2000, &down), 1);
	ck_assert_int_eq(up_at("b", 2600, &down), 0);
	ck_assert_int_eq(down, 600);
	/* b dropped by a reload: the next evaluation forgets it. */
	ck_assert_int_eq(watch_update(&w, NODE_GREEN, v, 1, 3000), 0);
	ck_assert_uint_eq(w.n, 1);
	ck_assert_int_eq(up_at("b", 3000, &down), -ENOENT);
	ck_assert_int_eq(up_at("a", 3000, &down), 1);
	/* No sources at all. */
	ck_assert_int_eq(watch_update(&w, NODE_YELLOW, v, 0, 4000), 0);
	ck_assert_int_eq(up_at("a", 4000, &down), -ENOENT);
}
END_TEST

START_TEST(test_loop_age_and_uptime)
{
	struct hwh_daemon_health h;

	ck_assert_int_eq(watch_health(&w, 1000, &h), 0);
	ck_assert_int_eq(h.loop_age_ms, 0);
	ck_assert_int_eq(h.uptime_ms, 0);
	ck_assert_int_eq(watch_health(&w, 1500, &h), 0);
	ck_assert_int_eq(h.loop_age_ms, 500); /* no tick since init */
	ck_assert_int_eq(h.uptime_ms, 500);
	watch_tick(&w, 1400);
	ck_assert_int_eq(watch_health(&w, 1500, &h), 0);
	ck_assert_int_eq(h.loop_age_ms, 100);
	ck_assert_int_eq(h.uptime_ms, 500);
	/* A hung loop: the age grows, the uptime too. */
	ck_assert_int_eq(watch_health(&w, 31400, &h), 0);
	ck_assert_int_eq(h.loop_age_ms, 30000);
	ck_assert_int_eq(h.uptime_ms, 30400);
	/* A reader whose clock read precedes the tick it sees: not negative. */
	watch_tick(&w, 40000);
	ck_assert_int_eq(watch_health(&w, 39990, &h), 0);
	ck_assert_int_eq(h.loop_age_ms, 0);
}
END_TEST

START_TEST(test_node_state)
{
	struct source_view v = view("a", SRC_OK, 2000);
	struct hwh_daemon_health h;

	ck_assert_int_eq(watch_health(&w, 1000, &h), 0);
	ck_assert_int_eq(h.node_state, HWH_NODE_GREEN);
	ck_assert_int_eq(watch_update(&w, NODE_RED, &v, 1, 2000), 0);
	ck_assert_int_eq(watch_health(&w, 2000, &h), 0);
	ck_assert_int_eq(h.node_state, HWH_NODE_RED);
	ck_assert_int_eq(watch_update(&w, NODE_CRITICAL, &v, 1, 2000), 0);
	ck_assert_int_eq(watch_health(&w, 2000, &h), 0);
	ck_assert_int_eq(h.node_state, HWH_NODE_CRITICAL);
	ck_assert_int_eq(watch_update(&w, NODE_YELLOW, &v, 1, 2000), 0);
	ck_assert_int_eq(watch_health(&w, 2000, &h), 0);
	ck_assert_int_eq(h.node_state, HWH_NODE_YELLOW);
	/* The ABI's numbers are the core's. */
	ck_assert_int_eq(NODE_GREEN, HWH_NODE_GREEN);
	ck_assert_int_eq(NODE_YELLOW, HWH_NODE_YELLOW);
	ck_assert_int_eq(NODE_RED, HWH_NODE_RED);
	ck_assert_int_eq(NODE_CRITICAL, HWH_NODE_CRITICAL);
}
END_TEST

Suite *watch_suite(void)
{
	Suite *s = suite_create("watch");
	TCase *tc = tcase_create("source_up");
	TCase *th = tcase_create("health");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_declared_is_down_since_declared);
	tcase_add_test(tc, test_up_then_down);
	tcase_add_test(tc, test_unavailable_and_stale_are_down);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_update_adds_and_drops);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(th, setup, teardown);
	tcase_add_test(th, test_loop_age_and_uptime);
	tcase_add_test(th, test_node_state);
	suite_add_tcase(s, th);
	return s;
}
