/*
 * Unit tests for agent/engine.c, eval.c, render.c and state.c: binding,
 * the binding state machine (debounce and hysteresis edges), three-valued
 * evaluation (not available, errors), leaky buckets over counters and
 * events, the node state's rise and delayed fall, and a state save/load
 * round trip.  Rules come from text through the real parser; time is driven
 * by the test.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "statefile.h"

#define S 1000LL /* ms per second */

struct fixture {
	struct metric_store ms;
	struct engine e;
	int fired, cleared, errors, states;
	enum node_state last_to;
};

static struct fixture fx;

static void on_change(void *arg, const struct eng_change *c)
{
	struct fixture *f = arg;

	if (c->kind == EC_FIRE)
		f->fired++;
	else if (c->kind == EC_CLEAR)
		f->cleared++;
	else if (c->kind == EC_ERROR)
		f->errors++;
	else if (c->kind == EC_STATE) {
		f->states++;
		f->last_to = c->to;
	}
}

static struct ruleset *parse(const char *text)
{
	struct ruleset *rs = calloc(1, sizeof *rs);
	struct cfg_diag diag = {0};
	int rc = rules_parse("test.rules", text, strlen(text), rs, &diag);

	ck_assert_msg(rc == 0, "rules do not parse: %s", diag.n ? diag.msgs[0] : "?");
	cfg_diag_free(&diag);
	return rs;
}

static void start(const char *rules, int64_t recover_ms)
{
	struct engine_cfg cfg = {10, 50, 100, recover_ms};

	memset(&fx, 0, sizeof fx);
	ck_assert_int_eq(ms_init(&fx.ms, 64), 0);
	ck_assert_int_eq(engine_init(&fx.e, parse(rules), &cfg, &fx.ms), 0);
	fx.ms.on_new = engine_metric_new;
	fx.ms.on_free = engine_metric_free;
	fx.ms.hook_arg = &fx.e;
	fx.e.on_change = on_change;
	fx.e.arg = &fx;
}

static void stop(void)
{
	engine_destroy(&fx.e);
	ms_destroy(&fx.ms);
}

/* Feed one sample of dev/name at t seconds and evaluate it. */
static struct metric *feed_lim(const char *name, enum hwh_kind kind, double t_s, double v,
			       double max, double crit)
{
	struct hwh_reading r;
	struct metric *m;
	int64_t t = (int64_t)(t_s * S);

	hwh_reading_init(&r);
	r.device = "chip";
	r.name = name;
	r.kind = kind;
	r.value = v;
	r.status = isnan(v) ? HWH_R_UNREADABLE : HWH_R_OK;
	r.limit[HWH_LIM_MAX] = max;
	r.limit[HWH_LIM_CRIT] = crit;
	ck_assert_int_eq(ms_update(&fx.ms, "src", &r, t, t, &m), 0);
	engine_eval_metric(&fx.e, m, t, t);
	engine_update_state(&fx.e, t, t);
	return m;
}

static struct metric *feed(double t_s, double v)
{
	return feed_lim("temp1", HWH_KIND_TEMPERATURE, t_s, v, NAN, NAN);
}

static const struct binding *bnd(const struct metric *m, size_t i)
{
	ck_assert_ptr_nonnull(m->eng);
	ck_assert_uint_gt(m->eng->nb, i);
	return &m->eng->b[i];
}

/* ---- binding -------------------------------------------------------------- */

START_TEST(test_binding_by_attributes)
{
	start("rule t { match kind temperature; when value > 1; severity info; }\n"
	      "rule f { match kind fan; when value > 1; severity info; }\n"
	      "rule all { when value > 1; severity info; }\n",
	      0);
	struct metric *m = feed(0, 0);
	ck_assert_uint_eq(m->eng->nb, 2);
	ck_assert_str_eq(bnd(m, 0)->rule->name, "t");
	ck_assert_str_eq(bnd(m, 1)->rule->name, "all");
	m = feed_lim("fan1", HWH_KIND_FAN, 0, 0, NAN, NAN);
	ck_assert_uint_eq(m->eng->nb, 2);
	ck_assert_str_eq(bnd(m, 0)->rule->name, "f");
	ck_assert_uint_eq(fx.e.nbindings, 4);
	stop();
}
END_TEST

/* ---- debounce and hysteresis ------------------------------------------------- */

START_TEST(test_debounce_edges)
{
	start("rule hot { when value > 10; for 30s; severity warning; }\n", 0);
	struct metric *m = feed(0, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_PENDING);
	feed(20, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_PENDING);
	feed(29.999, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_PENDING); /* one ms short */
	feed(30, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE); /* exactly "for" */
	ck_assert_int_eq(fx.fired, 1);
	ck_assert_int_eq(fx.e.state, NODE_YELLOW);
	stop();

	/* A false sample in between starts the debounce again. */
	start("rule hot { when value > 10; for 30s; severity warning; }\n", 0);
	m = feed(0, 11);
	feed(20, 9);
	ck_assert_int_eq(bnd(m, 0)->state, BS_IDLE);
	feed(30, 11);
	feed(50, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_PENDING);
	feed(60, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	stop();
}
END_TEST

START_TEST(test_hysteresis_clear_condition)
{
	start("rule hot { when value > 10; clear when value < 8; severity warning; }\n", 0);
	struct metric *m = feed(0, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	feed(10, 9); /* no longer "when", not yet "clear" */
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	feed(20, 8); /* 8 is not < 8 */
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	feed(30, 7.9);
	ck_assert_int_eq(bnd(m, 0)->state, BS_IDLE);
	ck_assert_int_eq(fx.cleared, 1);
	stop();
}
END_TEST

START_TEST(test_hysteresis_clear_after)
{
	start("rule hot { when value > 10; clear after 60s; severity warning; }\n", 0);
	struct metric *m = feed(0, 11);
	feed(10, 5);
	ck_assert_int_eq(bnd(m, 0)->state, BS_CLEARING);
	feed(40, 11); /* back: active again, the clear delay starts over */
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	feed(50, 5);
	feed(109.999, 5);
	ck_assert_int_eq(bnd(m, 0)->state, BS_CLEARING);
	feed(110, 5);
	ck_assert_int_eq(bnd(m, 0)->state, BS_IDLE);
	ck_assert_int_eq(fx.fired, 1); /* one finding all along */
	ck_assert_int_eq(fx.cleared, 1);
	stop();
}
END_TEST

/* ---- three-valued evaluation ------------------------------------------------- */

START_TEST(test_missing_limit_is_not_available)
{
	start("rule over { when value > crit; severity critical; }\n"
	      "rule maybe { when value > crit or alarm; severity info; }\n",
	      0);
	struct metric *m = feed(0, 500);
	/* "over" can never hold without a crit limit: not even bound. */
	ck_assert_uint_eq(m->eng->nb, 1);
	ck_assert_str_eq(bnd(m, 0)->rule->name, "maybe");
	ck_assert_int_eq(bnd(m, 0)->last, ER_NA); /* NA or false */
	ck_assert_int_eq(fx.e.nfindings, 0);
	ck_assert_int_eq(fx.e.state, NODE_GREEN);
	/* The limit appears: rebound, and it fires. */
	m = feed_lim("temp1", HWH_KIND_TEMPERATURE, 1, 500, NAN, 100);
	ck_assert_uint_eq(m->eng->nb, 2);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	stop();

	/* One side not available: "or" decides on the other. */
	start("rule either { when value > crit or value > 400; severity warning; }\n", 0);
	m = feed(0, 500);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	stop();
}
END_TEST

START_TEST(test_division_by_zero_is_an_error_finding)
{
	start("rule ratio { when 1 / (value - 5) > 0; severity info; }\n", 0);
	struct metric *m = feed(0, 5);
	const struct binding *b = bnd(m, 0);
	ck_assert_int_eq(b->last, ER_ERR);
	ck_assert_int_eq(fx.errors, 1);
	ck_assert_uint_eq(fx.e.nfindings, 1);
	ck_assert_msg(strstr(b->x->msg, "division by zero") && strstr(b->x->msg, "test.rules:1:"),
		      "message: %s", b->x->msg);
	ck_assert_double_eq(engine_score(&fx.e), ENG_ERR_SCORE);
	ck_assert_int_eq(fx.e.state, NODE_YELLOW); /* unknown is not healthy */
	feed(1, 6);
	ck_assert_int_eq(b->last, ER_TRUE);
	ck_assert_int_eq(b->state, BS_ACTIVE);
	ck_assert_double_eq(engine_score(&fx.e), 1); /* info's default score */
	stop();
}
END_TEST

START_TEST(test_unreadable_value_is_not_available)
{
	start("rule hot { when value > 10; severity warning; }\n", 0);
	struct metric *m = feed(0, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	feed(10, NAN);
	ck_assert_int_eq(bnd(m, 0)->last, ER_NA);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE); /* cannot tell: keeps its state */
	stop();
}
END_TEST

/* ---- trends and evidence ----------------------------------------------------- */

START_TEST(test_eta_exact)
{
	start("rule rising { when eta(10m, crit) < 400s; severity warning;\n"
	      " message \"${value} rising ${slope}, crit ${crit} in ${eta}\"; }\n",
	      0);
	struct metric *m = NULL;
	/* ETA at sample i: (95 - (50 + i)) * 10 s: 400 s at i = 5, 390 s at i = 6. */
	for (int i = 0; i <= 5; i++)
		m = feed_lim("temp1", HWH_KIND_TEMPERATURE, i * 10, 50 + i, NAN, 95);
	ck_assert_int_eq(bnd(m, 0)->state, BS_IDLE);
	m = feed_lim("temp1", HWH_KIND_TEMPERATURE, 60, 56, NAN, 95);
	const struct binding *b = bnd(m, 0);
	ck_assert_int_eq(b->state, BS_ACTIVE);
	ck_assert(b->x->have_ev & (1u << RF_ETA));
	ck_assert_double_eq_tol(b->x->ev[RF_ETA], 390, 1e-6);
	ck_assert_str_eq(b->x->msg, "56 rising +6/min, crit 95 in 6m30s");
	stop();
}
END_TEST

/* ---- buckets ------------------------------------------------------------------ */

/* A counter rising by `per_step` every `step_s` for `hours`: does the
 * 10-per-24h bucket rule fire? */
static int bucket_fires(double per_step, double step_s, double hours)
{
	struct metric *m = NULL;
	int fired;

	start("rule ce { when bucket(10 per 24h) >= 10; severity warning; }\n", 0);
	for (double t = 0, v = 0; t <= hours * 3600; t += step_s, v += per_step)
		m = feed_lim("ce_count", HWH_KIND_COUNTER, t, v, NAN, NAN);
	(void)m;
	fired = fx.fired;
	stop();
	return fired;
}

START_TEST(test_bucket_rates)
{
	/* One error every 3 h leaks away (8 per 24 h): never fires in a week. */
	ck_assert_int_eq(bucket_fires(1, 3 * 3600, 24 * 7), 0);
	/* One every 2 h is 12 per 24 h: fills up. */
	ck_assert_int_eq(bucket_fires(1, 2 * 3600, 24 * 7), 1);
	/* A burst of 10 at once fires at once. */
	ck_assert_int_eq(bucket_fires(10, 60, 0.02), 1);
}
END_TEST

START_TEST(test_bucket_ignores_the_counter_baseline)
{
	struct metric *m;

	start("rule ce { when bucket(10 per 24h) >= 10; severity warning; }\n", 0);
	m = feed_lim("ce_count", HWH_KIND_COUNTER, 0, 5000, NAN, NAN); /* old errors */
	ck_assert_int_eq(bnd(m, 0)->state, BS_IDLE);
	feed_lim("ce_count", HWH_KIND_COUNTER, 10, 5003, NAN, NAN);
	ck_assert_double_eq_tol(bnd(m, 0)->x->buckets[0].level, 3, 1e-9);
	feed_lim("ce_count", HWH_KIND_COUNTER, 20, 0, NAN, NAN); /* reset: no negative errors */
	/* 3, less 10 s of leaking at 10 per 24 h. */
	ck_assert_double_eq_tol(bnd(m, 0)->x->buckets[0].level, 3 - 10 * 10 / 86400.0, 1e-9);
	stop();
}
END_TEST

START_TEST(test_event_rule_count)
{
	struct engine_cfg cfg = {10, 50, 100, 0};

	start("rule sel { match type \"ecc*\"; when count(1h) >= 3; severity critical; }\n", 0);
	engine_set_cfg(&fx.e, &cfg);
	for (int i = 0; i < 2; i++) {
		engine_event(&fx.e, "ipmi", "bmc", "ecc-correctable", i * 600 * S);
		engine_tick(&fx.e, i * 600 * S, i * 600 * S);
	}
	ck_assert_int_eq(fx.fired, 0);
	engine_event(&fx.e, "ipmi", "bmc", "power-supply", 1300 * S); /* another type */
	engine_event(&fx.e, "ipmi", "bmc", "ecc-correctable", 1300 * S);
	engine_tick(&fx.e, 1300 * S, 1300 * S);
	ck_assert_int_eq(fx.fired, 1);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	/* Two hours later the window holds none: it clears by itself. */
	engine_tick(&fx.e, 9000 * S, 9000 * S);
	ck_assert_int_eq(fx.cleared, 1);
	ck_assert_int_eq(fx.e.state, NODE_GREEN);
	stop();
}
END_TEST

START_TEST(test_event_burst_counted_whole)
{
	/* 25 events a second apart: far more than the stream's raw ring holds. */
	start("rule sel { match type \"sel*\"; when count(1h) >= 20; severity warning;\n"
	      " message \"${count} records\"; }\n",
	      0);
	for (int i = 0; i < 25; i++) {
		engine_event(&fx.e, "ipmi", "bmc", "sel-record", (1000 + i) * S);
		engine_tick(&fx.e, (1000 + i) * S, (1000 + i) * S);
		ck_assert_int_eq(fx.fired, i >= 19);
	}
	ck_assert_str_eq(fx.e.findings->x->msg, "25 records");
	/* An hour and a minute later, long after the raw ring turned over: none. */
	engine_tick(&fx.e, (1000 + 3700) * S, (1000 + 3700) * S);
	ck_assert_int_eq(fx.cleared, 1);
	stop();
}
END_TEST

/* ---- node state ---------------------------------------------------------------- */

START_TEST(test_state_rises_at_once_falls_late)
{
	start("rule hot { when value > 10; severity critical; }\n", 300 * S);
	feed(0, 5);
	ck_assert_int_eq(fx.e.state, NODE_GREEN);
	feed(10, 11);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	feed(20, 5); /* the finding clears at once, the node does not */
	ck_assert_uint_eq(fx.e.nfindings, 0);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	ck_assert_int_eq(engine_target(&fx.e), NODE_GREEN);
	feed(319.999, 5);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	feed(320, 5);
	ck_assert_int_eq(fx.e.state, NODE_GREEN);
	ck_assert_int_eq(fx.states, 2);
	stop();
}
END_TEST

START_TEST(test_scores_add_up)
{
	start("rule a { when value > 1; severity warning; score 20; }\n"
	      "rule b { when value > 2; severity warning; score 20; }\n"
	      "rule c { when value > 3; severity warning; score 20; }\n",
	      0);
	feed(0, 1.5);
	ck_assert_int_eq(fx.e.state, NODE_YELLOW);
	feed(1, 3.5); /* 60 >= red threshold 50, though each is only a warning */
	ck_assert_double_eq(engine_score(&fx.e), 60);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	engine_set_liveness(&fx.e, NODE_YELLOW, 10);
	engine_update_state(&fx.e, 2 * S, 2 * S);
	ck_assert_double_eq(engine_score(&fx.e), 70);
	stop();
}
END_TEST

START_TEST(test_rule_counts_once)
{
	/* One rule past crit on three sensors is one red problem, not critical. */
	start("rule hot { when value > 10; severity critical; }\n"
	      "rule warm { when value > 5; severity warning; }\n",
	      0);
	feed_lim("temp1", HWH_KIND_TEMPERATURE, 0, 11, NAN, NAN);
	feed_lim("temp2", HWH_KIND_TEMPERATURE, 0, 12, NAN, NAN);
	feed_lim("temp3", HWH_KIND_TEMPERATURE, 0, 13, NAN, NAN);
	ck_assert_uint_eq(fx.e.nfindings, 6);
	ck_assert_double_eq(engine_score(&fx.e), 60);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	stop();
}
END_TEST

START_TEST(test_flapping_sensor_state_changes)
{
	int t;

	/* A value flapping across the limit every 10 s for an hour. */
	start("rule hot { when value > 80; severity warning; }\n", 300 * S);
	for (t = 0; t < 3600; t += 10)
		feed(t, (t / 10) % 2 ? 81 : 79);
	/* The finding flaps; the node rose once and never fell. */
	ck_assert_int_ge(fx.fired, 100);
	ck_assert_int_eq(fx.states, 1);
	stop();
}
END_TEST

/* ---- rules replaced, state saved ------------------------------------------------- */

START_TEST(test_set_rules_keeps_state_by_name)
{
	struct metric *m;

	start("rule hot { when value > 10; severity warning; }\n", 0);
	m = feed(0, 11);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	engine_set_rules(&fx.e, parse("rule new { when value > 100; severity info; }\n"
				      "rule hot { when value > 10; severity critical; }\n"));
	ck_assert_uint_eq(m->eng->nb, 2);
	ck_assert_str_eq(bnd(m, 1)->rule->name, "hot");
	ck_assert_int_eq(bnd(m, 1)->state, BS_ACTIVE);
	engine_update_state(&fx.e, 1 * S, 1 * S);
	ck_assert_int_eq(fx.e.state, NODE_RED); /* now a critical rule */
	stop();
}
END_TEST

START_TEST(test_save_load_round_trip)
{
	const char *rules = "rule hot { match kind temperature; when value > 10; "
			    "severity critical; }\n"
			    "rule ce { match kind counter; when bucket(10 per 24h) >= 10; "
			    "severity warning; }\n";
	struct sf_buf b = {0};
	struct metric *m;
	char err[256];

	start(rules, 0);
	for (int i = 0; i < 20; i++)
		m = feed_lim("temp1", HWH_KIND_TEMPERATURE, i * 10, i, NAN, NAN);
	feed_lim("ce_count", HWH_KIND_COUNTER, 0, 100, NAN, NAN);
	feed_lim("ce_count", HWH_KIND_COUNTER, 10, 104, NAN, NAN);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	/* Saved at mono 1000 s / wall 5000 s, loaded at mono 10 s / wall 5100 s. */
	engine_save(&fx.e, &b, 1000 * S, 5000 * S);
	ck_assert(!b.oom);
	stop();

	start(rules, 0);
	ck_assert_int_eq(engine_load(&fx.e, b.p, b.len, 10 * S, 5100 * S, err, sizeof err), 0);
	ck_assert_int_eq(fx.e.state, NODE_RED);
	/* The metric comes back: 20 old samples + this one, shifted to the new clock. */
	m = feed_lim("temp1", HWH_KIND_TEMPERATURE, -80, 12, NAN, NAN);
	ck_assert_uint_eq(hist_len(m->hist), 21);
	ck_assert_int_eq(hist_at(m->hist, 0)->t_ms, 0 - 1000 * S + 5000 * S - 5100 * S + 10 * S);
	ck_assert_int_eq(bnd(m, 0)->state, BS_ACTIVE);
	/* Its bucket, fed last at wall 4010 s, has leaked for 1000 s since (wall 5010 s). */
	m = feed_lim("ce_count", HWH_KIND_COUNTER, -80, 104, NAN, NAN);
	ck_assert_double_eq_tol(bnd(m, 0)->x->buckets[0].level, 4 - 1000 * 10 / 86400.0, 1e-9);
	stop();
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_load_refuses_garbage)
{
	static const unsigned char junk[] = {3, 0, 9, 0, 0, 0, 'x'};
	char err[256];

	start("rule hot { when value > 10; severity critical; }\n", 0);
	ck_assert_int_eq(engine_load(&fx.e, junk, sizeof junk, 0, 0, err, sizeof err), -1);
	ck_assert_msg(strstr(err, "malformed"), "err: %s", err);
	ck_assert_ptr_null(fx.e.restore);
	stop();
}
END_TEST

Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");

	tcase_add_test(tc, test_binding_by_attributes);
	tcase_add_test(tc, test_debounce_edges);
	tcase_add_test(tc, test_hysteresis_clear_condition);
	tcase_add_test(tc, test_hysteresis_clear_after);
	tcase_add_test(tc, test_missing_limit_is_not_available);
	tcase_add_test(tc, test_division_by_zero_is_an_error_finding);
	tcase_add_test(tc, test_unreadable_value_is_not_available);
	tcase_add_test(tc, test_eta_exact);
	tcase_add_test(tc, test_bucket_rates);
	tcase_add_test(tc, test_bucket_ignores_the_counter_baseline);
	tcase_add_test(tc, test_event_rule_count);
	tcase_add_test(tc, test_event_burst_counted_whole);
	tcase_add_test(tc, test_state_rises_at_once_falls_late);
	tcase_add_test(tc, test_scores_add_up);
	tcase_add_test(tc, test_rule_counts_once);
	tcase_add_test(tc, test_flapping_sensor_state_changes);
	tcase_add_test(tc, test_set_rules_keeps_state_by_name);
	tcase_add_test(tc, test_save_load_round_trip);
	tcase_add_test(tc, test_load_refuses_garbage);
	suite_add_tcase(s, tc);
	return s;
}
