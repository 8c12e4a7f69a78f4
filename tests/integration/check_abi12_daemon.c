/*
 * check_abi12_daemon: the host side of plugin ABI 1.2 in the real hwhealthd
 * and hwhealth, seen through the probe test plugin (tests/plugins/probe.c),
 * which reports as metrics what hwh_daemon_health(), hwh_source_up() and
 * hwh_hold() answer and what act() was asked; the echo plugin plays the
 * watched source.  No namespace; root only for the "nobody" check.
 *
 * Covered: a plugin's default interval and timeout (probe: 250 ms, 1.5 s)
 * beat the global defaults but not a source block's own; a held device's
 * metrics read "held" with their reason well past their source's stale age,
 * and keep the node green; hwh_source_up() follows a watched source that
 * fails and recovers, with down_ms from the last time it was up, and answers
 * -ENOENT for a name no source has; the loop age stays small and the node
 * state follows the rules; "hwhealth self-fence --reason" reaches act()
 * with the reason, is logged at crit, needs a reason and root, and says so
 * when the only act-capable source refuses or when none can act.
 *
 * To add a test: conf() writes the configuration (rules dir and source
 * blocks); wait with wait_until() on value_is(), never with fixed sleeps.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testlib.h"

#define WAIT_MS 15000		     /* bound for what a few polls bring */
#define SHIPPED HWH_SRC_DIR "/rules" /* the shipped rules, as installed */
#define TC_TIMEOUT_SEC 90
#define ECHO_OK "chip0 temp1 temperature 45 max=80 crit=95\n"

static struct fake_tree *tree;
static struct test_daemon d;
static char echo_file[TL_PATH_MAX]; /* W/echo.txt, what source e reads */
static char no_rules[TL_PATH_MAX];  /* W/rules, empty: liveness alone */

static void setup(void)
{
	tree = fake_tree_new();
	memset(&d, 0, sizeof d);
	d.tree = tree;
	snprintf(echo_file, sizeof echo_file, "%s/echo.txt", tree->dir);
	snprintf(no_rules, sizeof no_rules, "%s/rules", tree->dir);
	ck_assert_int_eq(mkdir(no_rules, 0755), 0);
	ck_assert_int_eq(write_file_str(echo_file, ECHO_OK), 0);
}

static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	fake_tree_free(tree);
}

/* Start the daemon with rules from rules_dir, global lines globals and
 * the source blocks sources; "%E" in sources stands for the echo file. */
static void start(const char *rules_dir, const char *globals, const char *sources)
{
	static char conf[8192], blocks[4096];
	const char *pl = test_plugin_dir(tree, "pl", "echo", "probe", NULL);
	size_t n = 0;

	for (const char *s = sources; *s != '\0' && n < sizeof blocks - TL_PATH_MAX; s++) {
		if (s[0] == '%' && s[1] == 'E') {
			n += (size_t)snprintf(blocks + n, sizeof blocks - n, "%s", echo_file);
			s++;
		} else {
			blocks[n++] = *s;
		}
	}
	blocks[n] = '\0';
	snprintf(conf, sizeof conf,
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/rules.d\nlog-level debug\n"
		 "socket-mode 0666\n%s%s",
		 pl, rules_dir, tree->dir, globals, blocks);
	daemon_start(&d, conf);
}

/* ---- asking the daemon ---------------------------------------------------- */

static struct json_object *sensors(void)
{
	return cli_json(&d, "sensors", NULL);
}

/* Member key of metric id (NULL if no such metric or member).  The string
 * is copied to a static buffer. */
static const char *metric_str(const char *id, const char *key)
{
	static char buf[256];
	struct json_object *r = sensors();
	const char *s = json_str(json_metric(r, id), key);

	snprintf(buf, sizeof buf, "%s", s ? s : "");
	json_object_put(r);
	return s ? buf : NULL;
}

/* Value of metric id now, NAN if none. */
static double value(const char *id)
{
	struct json_object *r = sensors();
	double v = json_num(json_metric(r, id), "value");

	json_object_put(r);
	return v;
}

struct want {
	const char *id;
	double value;
	double above; /* value_above(): strictly more than this */
};

static bool value_is(void *arg)
{
	struct want *w = arg;

	return value(w->id) == w->value;
}

static bool value_above(void *arg)
{
	struct want *w = arg;

	return value(w->id) > w->above;
}

static void wait_value(const char *id, double v)
{
	struct want w = {.id = id, .value = v};

	ck_assert_msg(wait_until(value_is, &w, WAIT_MS), "%s never read %g (reads %g); log:\n%s",
		      id, v, value(id), daemon_log(&d));
}

static void wait_above(const char *id, double v)
{
	struct want w = {.id = id, .above = v};

	ck_assert_msg(wait_until(value_above, &w, WAIT_MS), "%s never above %g (reads %g)", id, v,
		      value(id));
}

static bool status_held(void *arg)
{
	const char *st = metric_str(arg, "status");

	return st != NULL && strcmp(st, "held") == 0;
}

/* The node state as "hwhealth status --json" says it. */
static const char *node_state(void)
{
	static char buf[32];
	struct json_object *st = cli_json(&d, "status", NULL);

	snprintf(buf, sizeof buf, "%s", json_str(st, "node.state"));
	json_object_put(st);
	return buf;
}

/* ---- plugin defaults ------------------------------------------------------ */

START_TEST(test_plugin_default_interval_and_timeout)
{
	struct json_object *st, *s;

	start(no_rules, "interval 1s\ntimeout 4s\n",
	      "source e {\n  plugin echo\n  file %E\n}\n"
	      "source p {\n  plugin probe\n}\n"
	      "source p2 {\n  plugin probe\n  interval 2s\n}\n"
	      "source p3 {\n  plugin probe\n  timeout 3s\n}\n");
	st = cli_json(&d, "status", NULL);
	/* The plugin's own: 250 ms, 1.5 s, stale at 3 intervals. */
	s = json_source(st, "p");
	ck_assert_ptr_nonnull(s);
	ck_assert_double_eq_tol(json_num(s, "interval_s"), 0.25, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "timeout_s"), 1.5, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "stale_after_s"), 0.75, 1e-9);
	/* The block's own interval wins; its timeout is still the plugin's. */
	s = json_source(st, "p2");
	ck_assert_double_eq_tol(json_num(s, "interval_s"), 2, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "timeout_s"), 1.5, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "stale_after_s"), 6, 1e-9);
	s = json_source(st, "p3");
	ck_assert_double_eq_tol(json_num(s, "interval_s"), 0.25, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "timeout_s"), 3, 1e-9);
	/* A plugin without defaults keeps the global ones. */
	s = json_source(st, "e");
	ck_assert_double_eq_tol(json_num(s, "interval_s"), 1, 1e-9);
	ck_assert_double_eq_tol(json_num(s, "timeout_s"), 4, 1e-9);
	json_object_put(st);
	/* And they really poll that often: p 8 times as often as p2 (read in one
	 * answer; a slack of 2x for a loaded machine). */
	wait_above("p/disk/x", 7);
	st = sensors();
	ck_assert_msg(json_num(json_metric(st, "p2/disk/x"), "value") <=
			  json_num(json_metric(st, "p/disk/x"), "value") / 4 + 1,
		      "p polled %g times, p2 %g", json_num(json_metric(st, "p/disk/x"), "value"),
		      json_num(json_metric(st, "p2/disk/x"), "value"));
	json_object_put(st);
	ck_assert(daemon_log_has(&d, "p: started (plugin probe, every 0.25 s, timeout 1.5 s)"));
	ck_assert(daemon_log_has(&d, "e: started (plugin echo, every 1 s, timeout 4 s)"));
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- hold ----------------------------------------------------------------- */

/* disk/x read 3 times, then held each poll: "held" (reason "standby"),
 * never stale though its reading is long past the 600 ms stale age; the
 * node stays green. */
START_TEST(test_hold_keeps_metric_fresh)
{
	struct json_object *r, *m, *st;
	struct cmd_result res;
	int64_t until;

	start(no_rules, "", "source p {\n  plugin probe\n  hold-after 3\n  stale-after 600ms\n}\n");
	wait_value("p/hold/rc", 0);
	r = sensors();
	m = json_metric(r, "p/disk/x");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(json_str(m, "status"), "held");
	ck_assert_str_eq(json_str(m, "held"), "standby");
	ck_assert_double_eq(json_num(m, "value"), 3);
	ck_assert_double_eq(json_num(m, "samples"), 3);
	/* Other metrics are not held: their "held" is null. */
	ck_assert_str_eq(json_str(json_metric(r, "p/daemon/uptime_ms"), "status"), "ok");
	ck_assert_ptr_null(json_str(json_metric(r, "p/daemon/uptime_ms"), "held"));
	json_object_put(r);
	/* For 3 s, 5 stale ages: held every time we look, the node green. */
	until = tl_mono_ms() + 3000;
	while (tl_mono_ms() < until) {
		r = sensors();
		m = json_metric(r, "p/disk/x");
		ck_assert_str_eq(json_str(m, "status"), "held");
		ck_assert_double_eq(json_num(m, "samples"), 3);
		json_object_put(r);
		st = cli_json(&d, "status", NULL);
		ck_assert_msg(strcmp(json_str(st, "node.state"), "green") == 0, "status: %s",
			      json_object_to_json_string(st));
		json_object_put(st);
		usleep(200 * 1000);
	}
	ck_assert_double_eq(value("p/daemon/node_state"), 0);
	ck_assert_double_eq_tol(json_num(json_metric(r = sensors(), "p/disk/x"), "age_s"), 3, 3);
	json_object_put(r);
	/* The table of "hwhealth sensors" says it too. */
	ck_assert_int_eq(cli_run(&d, &res, NULL, "sensors", NULL), 0);
	ck_assert_msg(strstr(res.out, "held") != NULL, "%s", res.out);
	cmd_result_free(&res);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* Every device of the source held, so a poll emits nothing (a smart poll
 * while all disks sleep): the source is not "found nothing to read", the
 * node stays green. */
START_TEST(test_hold_everything_is_not_empty)
{
	struct json_object *st;
	int64_t until;

	start(no_rules, "", "source p {\n  plugin probe\n  quiet yes\n  hold-after 2\n}\n");
	ck_assert_msg(wait_until(status_held, "p/disk/x", WAIT_MS), "p/disk/x never held");
	until = tl_mono_ms() + 2000; /* 8 polls, all held */
	while (tl_mono_ms() < until) {
		st = cli_json(&d, "status", NULL);
		ck_assert_msg(strcmp(json_str(st, "node.state"), "green") == 0, "status: %s",
			      json_object_to_json_string(st));
		ck_assert_double_eq(json_num(json_source(st, "p"), "metrics"), 1);
		json_object_put(st);
		ck_assert_str_eq(metric_str("p/disk/x", "status"), "held");
		usleep(200 * 1000);
	}
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- source_up ------------------------------------------------------------ */

/* probe p watches echo source e: up; e's file deleted (its polls fail):
 * down, down_ms growing from when it was last up; file back: up again. */
START_TEST(test_source_up_follows_watched_source)
{
	struct json_object *r;
	double down1, down2;
	int64_t t_gone;

	start(no_rules, "",
	      "source e {\n  plugin echo\n  file %E\n  interval 500ms\n}\n"
	      "source p {\n  plugin probe\n  watch e\n}\n");
	wait_value("p/up/e", 1);
	ck_assert_double_eq(value("p/down_ms/e"), 0);
	wait_above("p/daemon/uptime_ms", 2500); /* down_ms must not be the uptime */
	ck_assert_int_eq(unlink(echo_file), 0);
	t_gone = tl_mono_ms();
	wait_value("p/up/e", 0);
	down1 = value("p/down_ms/e");
	wait_above("p/down_ms/e", down1 + 500);
	down2 = value("p/down_ms/e");
	ck_assert_msg(down2 <= (double)(tl_mono_ms() - t_gone) + 100,
		      "down_ms %g, but e failed only %lld ms ago", down2,
		      (long long)(tl_mono_ms() - t_gone));
	r = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(r, "e"), "status"), "failed");
	json_object_put(r);
	ck_assert_int_eq(write_file_str(echo_file, ECHO_OK), 0);
	wait_value("p/up/e", 1);
	ck_assert_double_eq(value("p/down_ms/e"), 0);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* A source configured after the ones that watch it is known, down, from
 * their init() on: every source is declared before any starts.  (With the
 * declarations made one by one as the threads start, three watchers
 * started ahead of e give the race three chances to show.) */
START_TEST(test_source_up_known_at_init)
{
	static const char *const ids[] = {"p1/init_up/e", "p2/init_up/e", "p3/init_up/e"};

	start(no_rules, "",
	      "source p1 {\n  plugin probe\n  watch e\n}\n"
	      "source p2 {\n  plugin probe\n  watch e\n}\n"
	      "source p3 {\n  plugin probe\n  watch e\n}\n"
	      "source e {\n  plugin echo\n  file %E\n  interval 500ms\n}\n");
	wait_value("p1/up/e", 1);
	wait_value("p3/up/e", 1);
	/* Known: 0 (down, not polled yet), or 1 if a watcher's thread was slow
	 * to start; never -ENOENT. */
	for (size_t i = 0; i < 3; i++)
		ck_assert_msg(value(ids[i]) >= 0, "%s %g", ids[i], value(ids[i]));
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* A name no source has: -ENOENT (-2) from init() on, down_ms untouched.
 * Documented behaviour: the watching source itself works on. */
START_TEST(test_source_up_unknown_name)
{
	start(no_rules, "", "source p {\n  plugin probe\n  watch nosuch\n}\n");
	wait_value("p/up/nosuch", -ENOENT);
	ck_assert_double_eq(value("p/down_ms/nosuch"), -1);
	ck_assert_double_eq(value("p/init_up/nosuch"), -ENOENT);
	ck_assert_str_eq(node_state(), "green");
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- daemon health -------------------------------------------------------- */

/* The loop goes round at least once a second: the age a plugin sees stays
 * under 1.5 s; the node state it sees follows the rules (echo's temp1
 * past crit: hw-over-crit, red). */
START_TEST(test_daemon_health)
{
	int64_t until;
	double up0;

	start(SHIPPED, "",
	      "source e {\n  plugin echo\n  file %E\n  interval 500ms\n}\n"
	      "source p {\n  plugin probe\n}\n");
	wait_above("p/daemon/uptime_ms", 0);
	up0 = value("p/daemon/uptime_ms");
	until = tl_mono_ms() + 3000;
	while (tl_mono_ms() < until) {
		double age = value("p/daemon/loop_age_ms");
		ck_assert_msg(age >= 0 && age < 1500, "loop_age_ms %g", age);
		usleep(100 * 1000);
	}
	ck_assert_msg(value("p/daemon/uptime_ms") >= up0 + 2500, "uptime %g, was %g",
		      value("p/daemon/uptime_ms"), up0);
	wait_value("p/daemon/node_state", 0);
	ck_assert_str_eq(node_state(), "green");
	ck_assert_int_eq(write_file_str(echo_file, "chip0 temp1 temperature 99 max=80 crit=95\n"),
			 0);
	wait_value("p/daemon/node_state", 2);
	ck_assert_str_eq(node_state(), "red");
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- self-fence ----------------------------------------------------------- */

START_TEST(test_self_fence)
{
	static const char *const nobody[] = {"self-fence", "--reason", "test", NULL};
	struct json_object *r;
	struct cmd_result res;
	char err[512];
	int code;

	start(no_rules, "",
	      "source e {\n  plugin echo\n  file %E\n  interval 1s\n}\n"
	      "source p {\n  plugin probe\n}\n");
	wait_value("p/act/count", 0);
	/* No reason: refused by the CLI, and by the daemon. */
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", NULL), 1);
	ck_assert_msg(strstr(res.err, "self-fence needs --reason TEXT") != NULL, "%s", res.err);
	cmd_result_free(&res);
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "", NULL), 1);
	ck_assert_msg(strstr(res.err, "self-fence needs --reason TEXT") != NULL, "%s", res.err);
	cmd_result_free(&res);
	r = daemon_request(&d, "{\"cmd\":\"self-fence\"}");
	ck_assert_ptr_nonnull(r);
	ck_assert_msg(strstr(json_object_to_json_string(r), "self-fence needs a \\\"reason\\\"") !=
			  NULL,
		      "%s", json_object_to_json_string(r));
	json_object_put(r);
	/* Not root: refused by the control socket, act() never called. */
	ck_assert_int_eq(chmod(tree->dir, 0711), 0); /* let nobody reach the socket */
	code = cli_as_nobody(&d, nobody, err, sizeof err);
	ck_assert_msg(code == 1, "exit %d: %s", code, err);
	ck_assert_msg(strstr(err, "permission denied: 'self-fence' requires root") != NULL, "%s",
		      err);
	ck_assert(!daemon_log_has(&d, "self-fence requested"));
	/* Root, with a reason: act("self-fence", "test") on p, logged at crit. */
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "test", NULL), 0);
	ck_assert_msg(strstr(res.out, "self-fence: p ") != NULL, "%s", res.out);
	cmd_result_free(&res);
	wait_value("p/act/count", 1);
	ck_assert_str_eq(metric_str("p/act/count", "text"), "test");
	ck_assert(daemon_log_has(&d, "crit: self-fence requested over the control socket: test"));
	ck_assert(daemon_log_has(&d, "crit: p: self-fence taken (test)"));
	/* --json: the sources that took it. */
	r = cli_json(&d, "self-fence", "--reason", "again", NULL);
	ck_assert(json_array_has(r, "fencing", "p"));
	ck_assert_uint_eq(json_object_array_length(json_object_object_get(r, "fencing")), 1);
	json_object_put(r);
	wait_value("p/act/count", 2);
	ck_assert_str_eq(metric_str("p/act/count", "text"), "again");
	/* A reason with a newline stays one log line, and act() gets the same. */
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "a\nb", NULL), 0);
	cmd_result_free(&res);
	ck_assert(daemon_log_has(&d, "control socket: a?b\n"));
	wait_value("p/act/count", 3);
	ck_assert_str_eq(metric_str("p/act/count", "text"), "a?b");
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* The only source that can act refuses: the CLI fails and says who and why. */
START_TEST(test_self_fence_refused)
{
	struct cmd_result res;

	start(no_rules, "", "source p {\n  plugin probe\n  refuse yes\n}\n");
	wait_value("p/act/count", 0);
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "test", NULL), 1);
	ck_assert_msg(strstr(res.err, "p refused self-fence: Operation not permitted") != NULL,
		      "%s", res.err);
	cmd_result_free(&res);
	ck_assert(daemon_log_has(&d, "p: refused self-fence (test): Operation not permitted"));
	ck_assert_double_eq(value("p/act/count"), 0);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* No source with an act() entry: the error says none can. */
START_TEST(test_self_fence_nobody_can)
{
	struct cmd_result res;

	start(no_rules, "", "source e {\n  plugin echo\n  file %E\n  interval 1s\n}\n");
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "test", NULL), 1);
	ck_assert_msg(strstr(res.err, "no source carries out self-fence") != NULL, "%s", res.err);
	cmd_result_free(&res);
	ck_assert(daemon_running(&d));
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* What an act() changed is kept at once: the source polls right after it
 * and the state file is written after that poll, not at the next
 * state-interval (1 h here), so a crash a second later loses nothing. */
START_TEST(test_act_kept_at_once)
{
	struct cmd_result res;
	char *conf;

	start(no_rules, "state-interval 1h\n", "source p {\n  plugin probe\n  interval 1h\n}\n");
	wait_value("p/kept/acted", -ENOENT);
	/* ABI 1.4's service calls answer a source -ENOSYS (and do not crash it). */
	wait_value("p/abi14/query", -ENOSYS);
	wait_value("p/abi14/service_status", -ENOSYS);
	ck_assert_int_eq(cli_run(&d, &res, NULL, "self-fence", "--reason", "kept", NULL), 0);
	cmd_result_free(&res);
	wait_value("p/act/count", 1); /* polled at once, not in an hour */
	usleep(1000 * 1000);
	daemon_signal(&d, SIGKILL);
	while (daemon_running(&d))
		usleep(10 * 1000);
	conf = read_file_str(d.conf);
	ck_assert_ptr_nonnull(conf);
	daemon_start(&d, conf);
	free(conf);
	wait_value("p/kept/acted", 4);
	ck_assert_str_eq(metric_str("p/kept/acted", "text"), "kept");
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* A plugin option with several words is refused at the second unless the
 * plugin declares it multi-word (hwh_plugin.multiword_options). */
START_TEST(test_multiword_options)
{
	char conf[4096], want[TL_PATH_MAX + 128];
	struct cmd_result res;
	const char *pl = test_plugin_dir(tree, "pl", "echo", "probe", NULL);

	snprintf(conf, sizeof conf,
		 "plugin-dir %s\nrules-dir %s\nsource e {\n  plugin echo\n  file %s extra\n}\n"
		 "source p {\n  plugin probe\n  watch e  other\n}\n",
		 pl, no_rules, echo_file);
	ck_assert_int_eq(daemon_check_config(&d, conf, &res), 1);
	snprintf(want, sizeof want,
		 "%s:5:%zu: source 'e': unexpected 'extra' after the value of 'file' "
		 "(one value per statement)",
		 d.conf, strlen("  file ") + strlen(echo_file) + 2);
	ck_assert_msg(strstr(res.err, want) != NULL, "want %s in:\n%s", want, res.err);
	ck_assert_msg(strstr(res.err, "'watch'") == NULL, "probe's watch refused:\n%s", res.err);
	cmd_result_free(&res);
}
END_TEST

Suite *abi12_daemon_suite(void)
{
	Suite *s = suite_create("abi12_daemon");
	TCase *tc = tcase_create("services");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_plugin_default_interval_and_timeout);
	tcase_add_test(tc, test_hold_keeps_metric_fresh);
	tcase_add_test(tc, test_hold_everything_is_not_empty);
	tcase_add_test(tc, test_source_up_follows_watched_source);
	tcase_add_test(tc, test_source_up_known_at_init);
	tcase_add_test(tc, test_source_up_unknown_name);
	tcase_add_test(tc, test_daemon_health);
	suite_add_tcase(s, tc);

	tc = tcase_create("self_fence");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_self_fence);
	tcase_add_test(tc, test_self_fence_refused);
	tcase_add_test(tc, test_self_fence_nobody_can);
	tcase_add_test(tc, test_act_kept_at_once);
	tcase_add_test(tc, test_multiword_options);
	suite_add_tcase(s, tc);
	return s;
}
