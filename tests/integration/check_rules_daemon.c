/*
 * Integration tests of the rules engine inside hwhealthd, with the echo
 * test plugin: a finding appears in explain and status with its evidence;
 * findings, buckets, history and the node state survive a SIGKILL and a
 * restart (the state file); a corrupt state file is set aside and the
 * daemon starts fresh; --check-config reports rule errors with their
 * position; a recorded trace replays to the same finding.
 */
#include <check.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testlib.h"

#define WAIT_MS 15000

static const char test_rules[] = "rule hot {\n"
				 "\tmatch source e\n"
				 "\tmatch kind temperature\n"
				 "\twhen value > 50\n"
				 "\tseverity critical\n"
				 "\tmessage \"${name} at ${value} > 50\"\n"
				 "}\n"
				 "rule ce-burst {\n"
				 "\tmatch kind counter\n"
				 "\twhen bucket(10 per 24h) >= 3\n"
				 "\tseverity warning\n"
				 "\tmessage \"${bucket} corrected errors in the bucket\"\n"
				 "}\n";

struct rig {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX];
	char conf[4096];
};

/* A daemon with the echo plugin and the rules above; record: also record a
 * trace to W/trace.csv. */
static void rig_init(struct rig *r, bool record)
{
	char rules[TL_PATH_MAX], file[TL_PATH_MAX + 16], none[TL_PATH_MAX];
	char extra[TL_PATH_MAX + 32] = "";
	const char *pl;

	memset(r, 0, sizeof *r);
	r->tree = fake_tree_new();
	pl = test_plugin_dir(r->tree, "pl", "echo", NULL);
	snprintf(rules, sizeof rules, "%s/rules", r->tree->dir);
	snprintf(none, sizeof none, "%s/rules.d", r->tree->dir);
	ck_assert_int_eq(mkdir(rules, 0755), 0);
	snprintf(file, sizeof file, "%s/test.rules", rules);
	ck_assert_int_eq(write_file_str(file, test_rules), 0);
	if (record)
		snprintf(extra, sizeof extra, "record %s/trace.csv", r->tree->dir);
	snprintf(r->vals, sizeof r->vals, "%s/vals.txt", r->tree->dir);
	ck_assert_int_eq(write_file_str(r->vals, "chip0 temp1 temperature 40 max=80 crit=95\n"
						 "mc0 ce_count counter 0\n"),
			 0);
	snprintf(r->conf, sizeof r->conf,
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s\nstate-interval 1s\n"
		 "recover-after 0\n%s\nsource e {\n  plugin echo\n  file %s\n  interval 1s\n}\n",
		 pl, rules, none, extra, r->vals);
	r->d.tree = r->tree;
}

static void rig_free(struct rig *r)
{
	if (r->d.pid > 0)
		daemon_stop(&r->d);
	fake_tree_free(r->tree);
}

struct want {
	struct test_daemon *d;
	const char *key, *value;
};

static bool explain_has(void *arg)
{
	struct want *w = arg;
	struct json_object *r = daemon_request(w->d, "{\"cmd\":\"explain\"}"), *res, *f;
	bool found = false;

	if (r == NULL || !json_object_object_get_ex(r, "result", &res) ||
	    !json_object_object_get_ex(res, "findings", &f)) {
		json_object_put(r);
		return false;
	}
	for (size_t i = 0; i < json_object_array_length(f); i++) {
		const char *v = json_str(json_object_array_get_idx(f, i), w->key);
		if (v != NULL && strcmp(v, w->value) == 0)
			found = true;
	}
	json_object_put(r);
	return found;
}

static void wait_finding(struct test_daemon *d, const char *rule)
{
	struct want w = {d, "rule", rule};

	ck_assert_msg(wait_until(explain_has, &w, WAIT_MS), "no finding of rule %s", rule);
}

START_TEST(test_finding_explained)
{
	struct rig r;
	struct json_object *ex, *f, *st;

	rig_init(&r, false);
	daemon_start(&r.d, r.conf);
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 61.5 max=80 crit=95\n"
						"mc0 ce_count counter 0\n"),
			 0);
	wait_finding(&r.d, "hot");
	ex = cli_json(&r.d, "explain", NULL);
	f = json_finding(ex, "hot", NULL);
	ck_assert_str_eq(json_str(f, "target"), "e/chip0/temp1");
	ck_assert_str_eq(json_str(f, "severity"), "critical");
	ck_assert_str_eq(json_str(f, "message"), "temp1 at 61.5 > 50");
	ck_assert_double_eq(json_num(f, "evidence.value"), 61.5);
	ck_assert_double_eq(json_num(f, "evidence.crit"), 95);
	ck_assert_str_eq(json_str(ex, "node.state"), "red");
	ck_assert_double_eq(json_num(ex, "node.score"), 50);
	ck_assert_msg(json_str(f, "since") == NULL && !isnan(json_num(f, "since")), "no since");
	json_object_put(ex);
	st = cli_json(&r.d, "status", NULL);
	ck_assert_str_eq(json_str(st, "node.state"), "red");
	ck_assert_msg(json_array_has(st, "node.reasons", "hot: temp1 at 61.5 > 50"),
		      "status reasons: %s", json_object_to_json_string(st));
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	ck_assert(daemon_log_has(&r.d, "finding: critical hot on e/chip0/temp1: temp1 at 61.5"));
	rig_free(&r);
}
END_TEST

/* Unknown is not healthy: a source that cannot poll is a finding of its own. */
START_TEST(test_source_down_is_a_finding)
{
	struct rig r;
	struct json_object *ex, *f;

	rig_init(&r, false);
	daemon_start(&r.d, r.conf);
	ck_assert_int_eq(unlink(r.vals), 0); /* the echo plugin's poll fails */
	wait_finding(&r.d, "source-down");
	ex = cli_json(&r.d, "explain", NULL);
	f = json_finding(ex, "source-down", NULL);
	ck_assert_str_eq(json_str(f, "kind"), "liveness");
	ck_assert_str_eq(json_str(f, "target"), "e");
	ck_assert_str_eq(json_str(f, "severity"), "warning");
	ck_assert_msg(strstr(json_str(f, "message"), "source e failed") != NULL, "message: %s",
		      json_str(f, "message"));
	ck_assert_str_eq(json_str(ex, "node.state"), "yellow");
	ck_assert_double_eq(json_num(ex, "node.score"), 10);
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	rig_free(&r);
}
END_TEST

/* The "devices" request (hwhealth smart's daemon side), on the echo plugin:
 * metrics grouped by device with their trend, the findings on that device
 * only, one device on request, and a clear error for an unknown one. */
START_TEST(test_devices_trends_and_findings)
{
	struct rig r;
	struct json_object *res, *devs, *chip, *mc, *m, *f;
	struct want w;

	rig_init(&r, false);
	daemon_start(&r.d, r.conf);
	usleep(1500 * 1000); /* the counter's baseline, 0 */
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 40 max=80 crit=95\n"
						"mc0 ce_count counter 4\n"),
			 0);
	w = (struct want){&r.d, "rule", "ce-burst"};
	ck_assert_msg(wait_until(explain_has, &w, WAIT_MS), "no ce-burst finding");
	res = daemon_request(&r.d, "{\"cmd\":\"devices\",\"plugin\":\"echo\"}");
	ck_assert_ptr_nonnull(res);
	ck_assert(json_object_object_get_ex(res, "result", &devs));
	ck_assert(json_object_object_get_ex(devs, "devices", &devs));
	ck_assert_int_eq(json_object_array_length(devs), 2);
	chip = json_object_array_get_idx(devs, 0); /* sorted by id: chip0, mc0 */
	mc = json_object_array_get_idx(devs, 1);
	ck_assert_str_eq(json_str(chip, "device"), "chip0");
	ck_assert_str_eq(json_str(mc, "device"), "mc0");
	m = json_object_array_get_idx(json_object_object_get(mc, "metrics"), 0);
	ck_assert_str_eq(json_str(m, "name"), "ce_count");
	/* The counter went 0 -> 4 within the hour. */
	ck_assert_msg(json_num(m, "trend_1h.delta") == 4, "trend: %s",
		      json_object_to_json_string(m));
	ck_assert_msg(json_num(m, "trend_24h.span_s") > 0, "no span");
	f = json_object_object_get(mc, "findings");
	ck_assert_int_eq(json_object_array_length(f), 1);
	ck_assert_str_eq(json_str(json_object_array_get_idx(f, 0), "rule"), "ce-burst");
	ck_assert_int_eq(json_object_array_length(json_object_object_get(chip, "findings")), 0);
	json_object_put(res);
	/* One device, and an unknown one. */
	res =
	    daemon_request(&r.d, "{\"cmd\":\"devices\",\"plugin\":\"echo\",\"device\":\"chip0\"}");
	ck_assert(json_object_object_get_ex(res, "result", &devs));
	ck_assert_int_eq(json_object_array_length(json_object_object_get(devs, "devices")), 1);
	json_object_put(res);
	res = daemon_request(&r.d, "{\"cmd\":\"devices\",\"plugin\":\"echo\",\"device\":\"nope\"}");
	ck_assert_msg(
	    strstr(json_object_to_json_string(res), "no device 'nope' in any echo source"), "%s",
	    json_object_to_json_string(res));
	json_object_put(res);
	res = daemon_request(&r.d, "{\"cmd\":\"devices\",\"plugin\":\"smart\"}");
	ck_assert(json_object_object_get_ex(res, "result", &devs));
	ck_assert_int_eq(json_object_array_length(json_object_object_get(devs, "devices")), 0);
	json_object_put(res);
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	rig_free(&r);
}
END_TEST

static bool file_exists(void *arg)
{
	return access(arg, F_OK) == 0;
}

/* Raw samples the metric's history holds. */
static double count_points(struct test_daemon *d)
{
	struct json_object *r = cli_json(d, "sensors", "temp1", NULL);
	double n = json_num(json_metric(r, "e/chip0/temp1"), "samples");

	json_object_put(r);
	return n;
}

START_TEST(test_sigkill_restart_keeps_state)
{
	struct rig r;
	struct json_object *ex;
	char state[TL_PATH_MAX + 16], since[64];
	double points;

	rig_init(&r, false);
	daemon_start(&r.d, r.conf);
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 60 max=80 crit=95\n"
						"mc0 ce_count counter 0\n"),
			 0);
	wait_finding(&r.d, "hot");
	/* The counter's first sample (0) was its baseline: 4 errors fill the bucket to 4. */
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 60 max=80 crit=95\n"
						"mc0 ce_count counter 4\n"),
			 0);
	wait_finding(&r.d, "ce-burst");
	ex = cli_json(&r.d, "explain", NULL);
	snprintf(since, sizeof since, "%.3f", json_num(json_finding(ex, "hot", NULL), "since"));
	ck_assert_double_eq_tol(json_num(json_finding(ex, "ce-burst", NULL), "evidence.bucket"), 4,
				0.01);
	json_object_put(ex);
	/* Let one state write happen after the findings, then kill without warning. */
	snprintf(state, sizeof state, "%s/state", r.d.state);
	usleep(2500 * 1000);
	ck_assert(file_exists(state));
	points = count_points(&r.d);
	ck_assert_double_ge(points, 3);
	daemon_signal(&r.d, SIGKILL);
	while (daemon_running(&r.d))
		usleep(10 * 1000);

	daemon_start(&r.d, r.conf);
	ck_assert(daemon_log_has(&r.d, "state restored from"));
	ex = cli_json(&r.d, "explain", NULL);
	/* The node comes back red at once, before any rule ran again. */
	ck_assert_str_eq(json_str(ex, "node.state"), "red");
	json_object_put(ex);
	wait_finding(&r.d, "hot");
	wait_finding(&r.d, "ce-burst");
	ex = cli_json(&r.d, "explain", NULL);
	char again[64];
	snprintf(again, sizeof again, "%.3f", json_num(json_finding(ex, "hot", NULL), "since"));
	ck_assert_str_eq(again, since); /* the same finding, not a new one */
	json_object_put(ex);
	/* One more error: 4 restored + 1, not a fresh bucket. */
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 60 max=80 crit=95\n"
						"mc0 ce_count counter 5\n"),
			 0);
	usleep(2500 * 1000);
	ex = cli_json(&r.d, "explain", NULL);
	ck_assert_double_eq_tol(json_num(json_finding(ex, "ce-burst", NULL), "evidence.bucket"), 5,
				0.05);
	json_object_put(ex);
	ck_assert_double_ge(count_points(&r.d), points + 1); /* history kept and growing */
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_corrupt_state_set_aside)
{
	struct rig r;
	char state[TL_PATH_MAX + 16], bad[TL_PATH_MAX + 32];
	struct json_object *ex;

	rig_init(&r, false);
	snprintf(state, sizeof state, "%s/state", r.tree->dir);
	ck_assert_int_eq(mkdir(state, 0755), 0);
	snprintf(state, sizeof state, "%s/state/state", r.tree->dir);
	snprintf(bad, sizeof bad, "%s.bad", state);
	ck_assert_int_eq(write_file_str(state, "HWHSTATE but then garbage, not a state file\n"), 0);
	daemon_start(&r.d, r.conf);
	ck_assert(daemon_log_has(&r.d, "moved aside"));
	ck_assert(file_exists(bad));
	ex = cli_json(&r.d, "explain", NULL);
	ck_assert_ptr_nonnull(json_str(ex, "node.state"));
	json_object_put(ex);
	/* Fresh state is written again in its place. */
	ck_assert(wait_until(file_exists, state, WAIT_MS));
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_check_config_reports_rule_errors)
{
	struct rig r;
	char file[TL_PATH_MAX + 32], conf[TL_PATH_MAX + 32], want[TL_PATH_MAX + 64];
	const char *argv[] = {HWH_BUILD_DIR "/hwhealthd", "--check-config", "-c", conf, NULL};
	struct cmd_result res;

	rig_init(&r, false);
	snprintf(file, sizeof file, "%s/rules/zz-broken.rules", r.tree->dir);
	ck_assert_int_eq(
	    write_file_str(file, "rule broken {\n\twhen value >\n\tseverity warning\n}\n"), 0);
	snprintf(conf, sizeof conf, "%s/hwhealth.conf", r.tree->dir);
	ck_assert_int_eq(write_file_str(conf, r.conf), 0);
	ck_assert_int_eq(cmd_run(argv, &res, 10000), 1);
	snprintf(want, sizeof want, "%s:2:", file);
	ck_assert_msg(strstr(res.err, want) != NULL, "no error at %s in:\n%s", want, res.err);
	cmd_result_free(&res);
	unlink(file);
	ck_assert_int_eq(cmd_run(argv, &res, 10000), 0);
	ck_assert_msg(strstr(res.out, "2 rules") != NULL, "%s", res.out);
	cmd_result_free(&res);
	rig_free(&r);
}
END_TEST

START_TEST(test_record_then_replay)
{
	struct rig r;
	char trace[TL_PATH_MAX + 16], rules[TL_PATH_MAX + 16];
	struct cmd_result res;
	struct json_object *doc, *ch;
	bool fired = false;

	rig_init(&r, true);
	snprintf(trace, sizeof trace, "%s/trace.csv", r.tree->dir);
	snprintf(rules, sizeof rules, "%s/rules", r.tree->dir);
	daemon_start(&r.d, r.conf);
	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 70 max=80 crit=95\n"
						"mc0 ce_count counter 0\n"),
			 0);
	wait_finding(&r.d, "hot");
	ck_assert_int_eq(daemon_stop(&r.d), 0);

	const char *argv[] = {
	    HWH_BUILD_DIR "/hwhealth", "replay", "--json", "--rules", rules, trace, NULL};
	ck_assert_int_eq(cmd_run(argv, &res, 10000), 0);
	doc = json_tokener_parse(res.out);
	ck_assert_msg(doc != NULL, "replay output is not JSON: %s%s", res.out, res.err);
	ck_assert(json_object_object_get_ex(doc, "changes", &ch));
	for (size_t i = 0; i < json_object_array_length(ch); i++) {
		struct json_object *c = json_object_array_get_idx(ch, i);
		if (!strcmp(json_str(c, "type"), "fire") && !strcmp(json_str(c, "rule"), "hot"))
			fired = !strcmp(json_str(c, "target"), "e/chip0/temp1");
	}
	ck_assert_msg(fired, "the recorded run does not replay to the finding:\n%s", res.out);
	ck_assert_str_eq(json_str(doc, "final.state"), "red");
	json_object_put(doc);
	cmd_result_free(&res);
	rig_free(&r);
}
END_TEST

Suite *rules_daemon_suite(void)
{
	Suite *s = suite_create("rules_daemon");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_finding_explained);
	tcase_add_test(tc, test_source_down_is_a_finding);
	tcase_add_test(tc, test_devices_trends_and_findings);
	tcase_add_test(tc, test_sigkill_restart_keeps_state);
	tcase_add_test(tc, test_corrupt_state_set_aside);
	tcase_add_test(tc, test_check_config_reports_rule_errors);
	tcase_add_test(tc, test_record_then_replay);
	suite_add_tcase(s, tc);
	return s;
}
