/*
 * The policy in the running daemon, driven by the echo source (exact
 * readings) and the actrec test actuator (tests/plugins/actrec.c, which
 * records what it is asked and fails or reports a cluster on demand):
 * drain on red and undrain after the dwell, the drain budget, dry-run,
 * silences, retries with back-off, flapping against max-drains, a restart
 * keeping hwhealth's drain (and only hwhealth's), operators' drains, and
 * the self-fence fallback.  The real actuators are tested against real
 * Pacemaker and Slurm in their own suites.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "actrig.h"
#include "testlib.h"

#define WAIT_MS 15000

struct rig {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX], log[TL_PATH_MAX], fail[TL_PATH_MAX], cluster[TL_PATH_MAX];
	char conf[4096];
};

/* A daemon with one echo source, the rules hot and boiling, one actrec
 * action block (extra options in act) and the policy block given. */
static void rig_start(struct rig *r, const char *act, const char *policy)
{
	size_t n;

	memset(r, 0, sizeof *r);
	r->tree = fake_tree_new();
	n = actrig_prepare(r->tree, "actrec", ACTRIG_RULE_HOT ACTRIG_RULE_BOILING, r->vals, r->conf,
			   sizeof r->conf);
	fake_tree_path(r->tree, "act.log", r->log, sizeof r->log);
	fake_tree_path(r->tree, "fail", r->fail, sizeof r->fail);
	fake_tree_path(r->tree, "cluster", r->cluster, sizeof r->cluster);
	ck_assert_int_eq(write_file_str(r->cluster, "3 0\n"), 0);
	snprintf(r->conf + n, sizeof r->conf - n,
		 "action rec {\n plugin actrec\n log %s\n fail %s\n cluster %s\n timeout 2s\n%s}\n"
		 "policy {\n%s}\n",
		 r->log, r->fail, r->cluster, act ? act : "", policy ? policy : "");
	r->d.tree = r->tree;
	daemon_start(&r->d, r->conf);
}

static void set_temp(struct rig *r, int v)
{
	actrig_set_temp(r->vals, v);
}

static void rig_free(struct rig *r)
{
	if (r->d.pid > 0)
		daemon_stop(&r->d);
	fake_tree_free(r->tree);
}

/* Lines of the actrec log starting with word. */
static int count_lines(struct rig *r, const char *word)
{
	char *s = read_file_str(r->log);
	int n = 0;
	size_t len = strlen(word);

	for (char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (strncmp(p, word, len) == 0 && p[len] == ' ')
			n++;
	free(s);
	return n;
}

struct want_line {
	struct rig *r;
	const char *word;
	int n;
};

static bool has_lines(void *arg)
{
	struct want_line *w = arg;

	return count_lines(w->r, w->word) >= w->n;
}

static void wait_lines(struct rig *r, const char *word, int n)
{
	struct want_line w = {r, word, n};

	ck_assert_msg(wait_until(has_lines, &w, WAIT_MS), "no %d '%s' line(s) in the actrec log", n,
		      word);
}

static json_object *actions(struct rig *r)
{
	return actrig_actions(&r->d);
}

/* The newest record of action (and result, if not NULL); its result word
 * and detail copied to out as "RESULT|DETAIL".  False if none. */
static bool last_record(struct rig *r, const char *action, const char *result, char *out,
			size_t len)
{
	json_object *x = actrig_record(&r->d, action, result);

	if (x == NULL)
		return false;
	if (out)
		snprintf(out, len, "%s|%s", json_str(x, "result"),
			 json_str(x, "detail") ? json_str(x, "detail") : "");
	json_object_put(x);
	return true;
}

static void wait_record(struct rig *r, const char *action, const char *result)
{
	json_object_put(actrig_wait_record(&r->d, action, result, WAIT_MS));
}

static const char *posture(struct rig *r, char *buf, size_t len)
{
	json_object *res = actions(r);

	snprintf(buf, len, "%s", json_str(res, "policy.posture"));
	json_object_put(res);
	return buf;
}

START_TEST(red_drains_green_undrains)
{
	struct rig r;
	char buf[64];

	rig_start(&r, NULL, " undrain-after 1s\n min-drained 0\n");
	set_temp(&r, 60);
	wait_lines(&r, "drain", 1);
	wait_record(&r, "drain", "done");
	ck_assert_str_eq(posture(&r, buf, sizeof buf), "drained");
	ck_assert_int_eq(count_lines(&r, "notify"), 2); /* at start (green), then red */
	{
		json_object *res = actions(&r), *a, *x;

		json_object_object_get_ex(res, "actions", &a);
		x = json_object_array_get_idx(a, (size_t)json_object_array_length(a) - 1);
		ck_assert_str_eq(json_str(x, "trigger"), "auto");
		ck_assert_str_eq(json_str(x, "state"), "red");
		ck_assert_ptr_nonnull(strstr(json_str(x, "reason"), "temp1 at 60 > 50"));
		ck_assert(json_array_has(x, "evidence", "hot: temp1 at 60 > 50"));
		ck_assert_str_eq(json_str(res, "policy.budget.last"),
				 "allowed: 0 other nodes of 3 out");
		json_object_put(res);
	}
	set_temp(&r, 40);
	wait_lines(&r, "undrain", 1);
	wait_record(&r, "undrain", "done");
	ck_assert_str_eq(posture(&r, buf, sizeof buf), "normal");
	ck_assert_int_eq(count_lines(&r, "drain"), 1);
	rig_free(&r);
}
END_TEST

START_TEST(budget_refuses_then_allows)
{
	struct rig r;
	char buf[512];

	rig_start(&r, NULL, " budget-recheck 1s\n max-unhealthy 1\n");
	ck_assert_int_eq(write_file_str(r.cluster, "3 1 node2\n"), 0);
	set_temp(&r, 60);
	wait_record(&r, "drain", "refused");
	ck_assert(last_record(&r, "drain", "refused", buf, sizeof buf));
	ck_assert_msg(strstr(buf, "1 other node of 3 already out (node2), max-unhealthy 1"), "%s",
		      buf);
	ck_assert_int_eq(count_lines(&r, "drain"), 0);
	/* Asked again every second; the same refusal is not recorded again. */
	sleep(3);
	{
		json_object *res = actions(&r);

		ck_assert_int_eq(actrig_count(res, NULL, "refused"), 1);
		json_object_put(res);
	}
	/* A notification says so (after the one at start and red's), and
	 * status shows it. */
	wait_lines(&r, "notify", 3);
	{
		json_object *ex = daemon_request(&r.d, "{\"cmd\":\"status\"}");

		ck_assert_ptr_nonnull(strstr(json_object_to_json_string(ex), "drain refused"));
		json_object_put(ex);
	}
	/* The cluster cannot be asked: no drain either. */
	unlink(r.cluster);
	json_object_put(actrig_await(&r.d, "drain", "refused", 100));
	sleep(2);
	ck_assert_int_eq(count_lines(&r, "drain"), 0);
	ck_assert(last_record(&r, "drain", "refused", buf, sizeof buf));
	ck_assert_msg(strstr(buf, "cannot read the cluster: cluster not reachable"), "%s", buf);
	/* Room again: drained at the next check. */
	ck_assert_int_eq(write_file_str(r.cluster, "3 0\n"), 0);
	wait_lines(&r, "drain", 1);
	rig_free(&r);
}
END_TEST

START_TEST(dry_run_executes_nothing)
{
	struct rig r;
	char buf[64];

	rig_start(&r, NULL, " dry-run yes\n undrain-after 1s\n min-drained 0\n");
	set_temp(&r, 60);
	wait_record(&r, "drain", "dry-run");
	ck_assert_str_eq(posture(&r, buf, sizeof buf), "drained");
	set_temp(&r, 40);
	wait_record(&r, "undrain", "dry-run");
	ck_assert_int_eq(access(r.log, F_OK), -1); /* the actuator was never called */
	rig_free(&r);
}
END_TEST

START_TEST(silence_suppresses_actions_not_findings)
{
	struct rig r;
	json_object *resp;

	rig_start(&r, NULL, NULL);
	resp = daemon_request(&r.d, "{\"cmd\":\"silence\",\"target\":\"hot\",\"for_s\":60,"
				    "\"reason\":\"maintenance\"}");
	ck_assert_msg(json_str(resp, "result.silence.target") != NULL, "silence refused: %s",
		      json_object_to_json_string(resp));
	ck_assert_str_eq(json_str(resp, "result.silence.target"), "hot");
	json_object_put(resp);
	set_temp(&r, 60);
	sleep(2);
	ck_assert_int_eq(count_lines(&r, "drain"), 0);
	resp = daemon_request(&r.d, "{\"cmd\":\"status\"}");
	ck_assert_str_eq(json_str(resp, "result.node.state"), "red"); /* the finding stands */
	ck_assert_str_eq(json_str(resp, "result.policy.effective_state"), "green");
	json_object_put(resp);
	resp = daemon_request(&r.d, "{\"cmd\":\"silences\"}");
	{
		json_object *a = NULL, *res;

		json_object_object_get_ex(resp, "result", &res);
		json_object_object_get_ex(res, "silences", &a);
		ck_assert_int_eq(json_object_array_length(a), 1);
		ck_assert_double_eq(json_num(json_object_array_get_idx(a, 0), "matching"), 1);
	}
	json_object_put(resp);
	resp = daemon_request(&r.d, "{\"cmd\":\"unsilence\",\"target\":\"all\"}");
	json_object_put(resp);
	wait_lines(&r, "drain", 1);
	rig_free(&r);
}
END_TEST

START_TEST(failure_is_retried_with_backoff)
{
	struct rig r;
	char buf[512];

	rig_start(&r, NULL, " retry 300ms\n retry-max 1s\n retries 10\n");
	ck_assert_int_eq(write_file_str(r.fail, "scontrol: connection refused\n"), 0);
	set_temp(&r, 60);
	sleep(2);
	ck_assert_int_eq(count_lines(&r, "drain"), 0);
	ck_assert(last_record(&r, "drain", NULL, buf, sizeof buf));
	ck_assert_msg(strstr(buf, "pending|failed: scontrol: connection refused"), "%s", buf);
	ck_assert(daemon_log_has(&r.d, "retry 2 in 300 ms"));
	ck_assert(daemon_log_has(&r.d, "retry 3 in 600 ms"));
	unlink(r.fail);
	wait_lines(&r, "drain", 1);
	wait_record(&r, "drain", "done");
	rig_free(&r);
}
END_TEST

START_TEST(hung_actuator_times_out)
{
	struct rig r;
	char buf[512];

	rig_start(&r, NULL, " retries 0\n");
	ck_assert_int_eq(write_file_str(r.fail, "hang\n"), 0);
	set_temp(&r, 60);
	wait_record(&r, "drain", "timeout");
	ck_assert(last_record(&r, "drain", "timeout", buf, sizeof buf));
	/* The daemon kept answering meanwhile (the request above did). */
	rig_free(&r);
}
END_TEST

START_TEST(flapping_is_bounded)
{
	struct rig r;
	int drains, undrains;

	rig_start(&r, NULL,
		  " undrain-after 200ms\n min-drained 0\n max-drains 2\n drain-window 1h\n");
	for (int i = 0; i < 12; i++) {
		set_temp(&r, i % 2 ? 40 : 60);
		usleep(700 * 1000);
	}
	set_temp(&r, 40);
	sleep(2);
	drains = count_lines(&r, "drain");
	undrains = count_lines(&r, "undrain");
	ck_assert_msg(drains <= 2, "%d drains with max-drains 2", drains);
	ck_assert_msg(drains >= 2, "only %d drains: the input did not flap", drains);
	ck_assert_int_eq(undrains, 1); /* the second drain is kept */
	rig_free(&r);
}
END_TEST

START_TEST(restart_keeps_our_drain)
{
	struct rig r;
	char buf[64];

	rig_start(&r, NULL, " undrain-after 1s\n min-drained 0\n");
	set_temp(&r, 60);
	wait_record(&r, "drain", "done");
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	set_temp(&r, 40);
	daemon_start(&r.d, r.conf);
	ck_assert_str_eq(posture(&r, buf, sizeof buf), "drained");
	ck_assert(last_record(&r, "drain", "done", NULL, 0)); /* the record survived */
	wait_lines(&r, "undrain", 1);
	rig_free(&r);
}
END_TEST

START_TEST(operator_drain_is_not_lifted)
{
	struct rig r;
	json_object *resp;

	rig_start(&r, NULL, " undrain-after 200ms\n min-drained 0\n");
	resp = daemon_request(&r.d, "{\"cmd\":\"drain\",\"reason\":\"bad DIMM\"}");
	{
		json_object *res = NULL;

		ck_assert_msg(json_object_object_get_ex(resp, "result", &res) &&
				  json_object_object_get_ex(res, "actions", NULL),
			      "drain refused: %s", json_object_to_json_string(resp));
	}
	json_object_put(resp);
	wait_lines(&r, "drain", 1);
	sleep(2); /* green all along: an automatic undrain would have come */
	ck_assert_int_eq(count_lines(&r, "undrain"), 0);
	resp = daemon_request(&r.d, "{\"cmd\":\"undrain\"}");
	json_object_put(resp);
	wait_lines(&r, "undrain", 1);
	ck_assert(daemon_log_has(&r.d, "drain asked by root: bad DIMM"));
	rig_free(&r);
}
END_TEST

START_TEST(operator_undrain_holds_until_state_changes)
{
	struct rig r;
	json_object *resp;

	rig_start(&r, NULL, NULL);
	set_temp(&r, 60);
	wait_lines(&r, "drain", 1);
	resp = daemon_request(&r.d, "{\"cmd\":\"undrain\",\"reason\":\"known sensor bug\"}");
	json_object_put(resp);
	wait_lines(&r, "undrain", 1);
	sleep(2); /* still red: an automatic drain would come back at once */
	ck_assert_int_eq(count_lines(&r, "drain"), 1);
	{
		json_object *res = actions(&r);

		ck_assert_ptr_nonnull(strstr(json_str(res, "policy.next"), "undrained by root"));
		json_object_put(res);
	}
	/* A new state is a new decision. */
	set_temp(&r, 40);
	sleep(1);
	set_temp(&r, 60);
	wait_lines(&r, "drain", 2);
	rig_free(&r);
}
END_TEST

START_TEST(dry_run_keeps_a_real_drain)
{
	struct rig r;
	char conf[sizeof r.conf], buf[64];
	char *at;

	rig_start(&r, NULL, " undrain-after 500ms\n min-drained 0\n");
	set_temp(&r, 60);
	wait_record(&r, "drain", "done");
	/* Dry-run from now on: its undrain is only pretended. */
	snprintf(conf, sizeof conf, "%s", r.conf);
	at = strstr(conf, "policy {\n");
	ck_assert_ptr_nonnull(at);
	memmove(at + 9 + 12, at + 9, strlen(at + 9) + 1);
	memcpy(at + 9, " dry-run yes", 12);
	at[9 + 12] = '\n';
	daemon_write_conf(&r.d, conf);
	daemon_signal(&r.d, SIGHUP);
	sleep(1);
	set_temp(&r, 40);
	wait_record(&r, "undrain", "dry-run");
	ck_assert_str_eq(posture(&r, buf, sizeof buf), "drained");
	ck_assert_int_eq(count_lines(&r, "undrain"), 0);
	/* Live again: the real drain is lifted for real. */
	daemon_write_conf(&r.d, r.conf);
	daemon_signal(&r.d, SIGHUP);
	wait_lines(&r, "undrain", 1);
	rig_free(&r);
}
END_TEST

START_TEST(fence_falls_back_to_self_fence)
{
	struct rig r;
	char buf[512];
	json_object *resp;

	rig_start(&r, " only notify,drain,undrain\n", " fencing yes\n");
	set_temp(&r, 95);
	wait_record(&r, "fence", "failed");
	ck_assert(last_record(&r, "fence", NULL, buf, sizeof buf));
	ck_assert_msg(strstr(buf, "self-fence failed: no source carries out self-fence"), "%s",
		      buf);
	wait_lines(&r, "drain", 1);
	/* Once per boot: no second attempt. */
	set_temp(&r, 40);
	sleep(1);
	set_temp(&r, 95);
	sleep(1);
	resp = actions(&r);
	ck_assert_int_eq(actrig_count(resp, "fence", NULL), 1);
	json_object_put(resp);
	rig_free(&r);
}
END_TEST

START_TEST(fencing_off_refuses_manual_fence)
{
	struct rig r;
	json_object *resp;

	rig_start(&r, NULL, NULL);
	resp = daemon_request(&r.d, "{\"cmd\":\"fence\",\"reason\":\"x\"}");
	ck_assert_ptr_nonnull(json_str(resp, "error"));
	ck_assert_ptr_nonnull(strstr(json_str(resp, "error"), "fencing is disabled"));
	json_object_put(resp);
	rig_free(&r);
}
END_TEST

START_TEST(policy_errors_name_their_place)
{
	struct test_daemon d = {0};
	struct cmd_result res;

	d.tree = fake_tree_new();
	daemon_check_config(&d,
			    "policy {\n  red explode\n  max-unhealthy 0\n}\n"
			    "action a {\n  plugin actrec\n  on drain bogus\n  interval 1s\n}\n",
			    &res);
	ck_assert_int_ne(res.code, 0);
	ck_assert_msg(strstr(res.err, ":2:3: invalid action 'explode' for 'red'"), "%s", res.err);
	ck_assert_msg(strstr(res.err, ":3:3: invalid number '0'"), "%s", res.err);
	ck_assert_msg(strstr(res.err, ":8:3: 'interval' is not a setting of an action"), "%s",
		      res.err);
	cmd_result_free(&res);
	fake_tree_free(d.tree);
}
END_TEST

Suite *policy_daemon_suite(void)
{
	Suite *s = suite_create("policy_daemon");
	TCase *tc = tcase_create("policy");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, red_drains_green_undrains);
	tcase_add_test(tc, budget_refuses_then_allows);
	tcase_add_test(tc, dry_run_executes_nothing);
	tcase_add_test(tc, silence_suppresses_actions_not_findings);
	tcase_add_test(tc, failure_is_retried_with_backoff);
	tcase_add_test(tc, hung_actuator_times_out);
	tcase_add_test(tc, flapping_is_bounded);
	tcase_add_test(tc, restart_keeps_our_drain);
	tcase_add_test(tc, operator_drain_is_not_lifted);
	tcase_add_test(tc, operator_undrain_holds_until_state_changes);
	tcase_add_test(tc, dry_run_keeps_a_real_drain);
	tcase_add_test(tc, fence_falls_back_to_self_fence);
	tcase_add_test(tc, fencing_off_refuses_manual_fence);
	tcase_add_test(tc, policy_errors_name_their_place);
	suite_add_tcase(s, tc);
	return s;
}
