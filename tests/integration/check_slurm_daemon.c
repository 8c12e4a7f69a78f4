/*
 * check_slurm_daemon: the whole path, hwhealthd's policy through the slurm
 * actuator to a REAL one-node Slurm (tests/slurm.c: munged, slurmctld,
 * slurmd).  The echo source (tests/plugins/echo.c) gives exact readings: a
 * temperature above 50 makes the node red.  Every assertion about the node
 * reads it back with sinfo (`%N|%T|%E`, the full reason), never through the
 * daemon:
 *
 *   drain/resume   red drains the node with "hwhealth: REASON" (the
 *                  record's reason); green resumes it, but only after
 *                  undrain-after, and back to `idle` (not `idle*`)
 *   operator       a drain an operator made ("operator: bad DIMM") is
 *                  neither overwritten nor lifted while the daemon goes red
 *                  and green: its drain is recorded "skipped"
 *   restart        the daemon stopped while its drain is in force, started
 *                  again after the node recovered: it still owns the drain
 *                  (state file) and resumes the node; a restarted daemon
 *                  does not drain on the red it restored before the sources
 *                  have reported again
 *   check          `hwhealth check` (a HealthCheckProgram) exits 1 with the
 *                  reason while red, 0 when green
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actrig.h"
#include "slurm.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define WAIT_MS 15000	      /* a record or a node state by then */
#define UNDRAIN_AFTER_MS 3000 /* the policy's undrain-after below */

static char dir[] = "/tmp/hwh-slurm-daemon.XXXXXX";
static struct slurm sl;

struct rig {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX];
	char conf[4096];
};

static void setup(void)
{
	strcpy(dir, "/tmp/hwh-slurm-daemon.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	slurm_start(&sl, dir); /* sets SLURM_CONF, which hwhealthd inherits */
}

static void teardown(void)
{
	slurm_free(&sl);
}

static void set_temp(struct rig *r, int v)
{
	actrig_set_temp(r->vals, v);
}

/* hwhealthd with the echo source at 40, the rule hot, the slurm action
 * block for node1 and short dwell times. */
static void rig_start(struct rig *r)
{
	size_t n;

	memset(r, 0, sizeof *r);
	r->tree = fake_tree_new();
	n = actrig_prepare(r->tree, "slurm", ACTRIG_RULE_HOT, r->vals, r->conf, sizeof r->conf);
	snprintf(r->conf + n, sizeof r->conf - n,
		 "action slurm {\n plugin slurm\n node " SLURM_NODE "\n timeout 10s\n}\n"
		 "policy {\n red drain\n undrain-after %ds\n min-drained 0\n"
		 " budget-recheck 1s\n}\n",
		 UNDRAIN_AFTER_MS / 1000);
	r->d.tree = r->tree;
	daemon_start(&r->d, r->conf);
}

static void rig_free(struct rig *r)
{
	if (r->d.pid > 0)
		daemon_stop(&r->d);
	fake_tree_free(r->tree);
}

/* How many records of action with result there are; the newest one's
 * reason and detail copied to reason / detail (if not NULL). */
static int records(struct rig *r, const char *action, const char *result, char *reason,
		   char *detail, size_t len)
{
	json_object *res = actrig_actions(&r->d), *x = actrig_find(res, action, result);
	int n = actrig_count(res, action, result);

	if (x && reason)
		snprintf(reason, len, "%s", json_str(x, "reason"));
	if (x && detail)
		snprintf(detail, len, "%s", json_str(x, "detail") ? json_str(x, "detail") : "");
	json_object_put(res);
	return n;
}

struct want_rec {
	struct rig *r;
	const char *action, *result;
	int n;
};

static bool has_records(void *arg)
{
	struct want_rec *w = arg;

	return records(w->r, w->action, w->result, NULL, NULL, 0) >= w->n;
}

static void wait_records(struct rig *r, const char *action, const char *result, int n)
{
	struct want_rec w = {r, action, result, n};

	ck_assert_msg(wait_until(has_records, &w, WAIT_MS), "no %d %s record(s) with result %s", n,
		      action, result);
}

/* The node as sinfo shows it; fails the test if sinfo does not list it. */
static struct slurm_node node_now(void)
{
	struct slurm_node n;

	ck_assert_msg(slurm_node(&sl, SLURM_NODE, &n), "sinfo does not list " SLURM_NODE);
	return n;
}

/* Red: the node is drained with hwhealth's reason, which is the drain
 * record's reason after "hwhealth: ". */
static void red_and_drained(struct rig *r)
{
	char reason[512], want[600];
	struct slurm_node n;

	set_temp(r, 60);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "drained", WAIT_MS), "not drained: %s",
		      node_now().state);
	wait_records(r, "drain", "done", 1);
	records(r, "drain", "done", reason, NULL, sizeof reason);
	ck_assert_str_eq(reason, "red: hot: temp1 at 60 > 50");
	snprintf(want, sizeof want, "hwhealth: %s", reason);
	n = node_now();
	ck_assert_str_eq(n.reason, want);
}

START_TEST(test_red_drains_green_resumes)
{
	struct rig r;
	int64_t green;

	rig_start(&r);
	ck_assert_str_eq(node_now().state, "idle");
	red_and_drained(&r);

	set_temp(&r, 40);
	green = tl_mono_ms();
	/* Held for undrain-after: still drained a little before it ends. */
	usleep((UNDRAIN_AFTER_MS - 800) * 1000);
	ck_assert_str_eq(node_now().state, "drained");
	ck_assert_int_eq(records(&r, "undrain", "done", NULL, NULL, 0), 0);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "idle", WAIT_MS), "not resumed to idle: %s",
		      node_now().state);
	ck_assert_int_ge(tl_mono_ms() - green, UNDRAIN_AFTER_MS);
	ck_assert_str_eq(node_now().reason, "none");
	wait_records(&r, "undrain", "done", 1);
	ck_assert_int_eq(records(&r, "drain", "done", NULL, NULL, 0), 1);
	rig_free(&r);
}
END_TEST

START_TEST(test_operator_drain_untouched)
{
	static const char op[] = "operator: bad DIMM";
	struct rig r;
	char detail[512];
	struct slurm_node n;

	ck_assert_int_eq(slurm_drain(&sl, SLURM_NODE, op), 0);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS));
	rig_start(&r);
	set_temp(&r, 60);
	wait_records(&r, "drain", "skipped", 1);
	records(&r, "drain", "skipped", NULL, detail, sizeof detail);
	ck_assert_str_eq(detail, "already drained by someone else: operator: bad DIMM");
	n = node_now();
	ck_assert_str_eq(n.state, "drained");
	ck_assert_str_eq(n.reason, op);

	/* Green past undrain-after: the operator's drain stays. */
	set_temp(&r, 40);
	sleep(UNDRAIN_AFTER_MS / 1000 + 2);
	n = node_now();
	ck_assert_str_eq(n.state, "drained");
	ck_assert_str_eq(n.reason, op);
	ck_assert_int_eq(records(&r, "drain", "done", NULL, NULL, 0), 0);
	ck_assert_int_eq(records(&r, "undrain", "done", NULL, NULL, 0), 0);
	{
		char buf[64];
		json_object *res = actrig_actions(&r.d);

		snprintf(buf, sizeof buf, "%s", json_str(res, "policy.posture"));
		json_object_put(res);
		ck_assert_str_eq(buf, "normal");
	}
	/* An undrain that did reach the plugin would be skipped, never done. */
	ck_assert_int_eq(records(&r, "undrain", "done", NULL, NULL, 0) +
			     records(&r, "undrain", "failed", NULL, NULL, 0),
			 0);
	rig_free(&r);
}
END_TEST

START_TEST(test_restart_keeps_ownership)
{
	struct rig r;

	rig_start(&r);
	red_and_drained(&r);
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	set_temp(&r, 40);
	daemon_start(&r.d, r.conf);
	ck_assert_str_eq(node_now().state, "drained");
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "idle", WAIT_MS + UNDRAIN_AFTER_MS),
		      "the restarted daemon did not resume its drain: %s", node_now().state);
	ck_assert_str_eq(node_now().reason, "none");
	wait_records(&r, "undrain", "done", 1);
	/* It resumed the drain it knew it owned, without draining again first
	 * (a daemon that forgot its drain re-drains on the restored red). */
	ck_assert_int_eq(records(&r, "drain", "done", NULL, NULL, 0), 1);
	rig_free(&r);
}
END_TEST

START_TEST(test_check_as_health_check)
{
	struct rig r;
	struct cmd_result res;
	int code;

	rig_start(&r);
	cli_run(&r.d, &res, &code, "check", NULL);
	ck_assert_msg(code == 0, "green: exit %d: %s%s", code, res.out, res.err);
	cmd_result_free(&res);
	red_and_drained(&r);
	cli_run(&r.d, &res, &code, "check", NULL);
	ck_assert_msg(code == 1, "red: exit %d: %s%s", code, res.out, res.err);
	ck_assert_str_eq(res.out, "hwhealth: red: hot: temp1 at 60 > 50\n");
	cmd_result_free(&res);
	set_temp(&r, 40);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "idle", WAIT_MS + UNDRAIN_AFTER_MS));
	cli_run(&r.d, &res, &code, "check", NULL);
	ck_assert_msg(code == 0, "green again: exit %d: %s%s", code, res.out, res.err);
	cmd_result_free(&res);
	rig_free(&r);
}
END_TEST

/* An operator's drain (skipped), the daemon stopped, the node repaired and
 * resumed: the restarted daemon must not drain it on the red it restored
 * from its state file before the sources have reported again. */
START_TEST(test_restart_no_stale_drain)
{
	struct rig r;
	struct slurm_node n;

	ck_assert_int_eq(slurm_drain(&sl, SLURM_NODE, "operator: bad DIMM"), 0);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS));
	rig_start(&r);
	set_temp(&r, 60);
	wait_records(&r, "drain", "skipped", 1);
	sleep(2); /* state-interval 1s: the state file says red */
	ck_assert_int_eq(daemon_stop(&r.d), 0);
	set_temp(&r, 40);
	ck_assert_int_eq(slurm_resume(&sl, SLURM_NODE), 0);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "idle", WAIT_MS));
	daemon_start(&r.d, r.conf);
	sleep(3); /* past the restored state's hold (2 polls + 1 s) */
	n = node_now();
	ck_assert_msg(strcmp(n.state, "idle") == 0, "drained on the restored state: %s|%s", n.state,
		      n.reason);
	ck_assert_int_eq(records(&r, "drain", "done", NULL, NULL, 0), 0);
	rig_free(&r);
}
END_TEST

Suite *slurm_daemon_suite(void)
{
	Suite *s = suite_create("slurm_daemon");
	TCase *tc = tcase_create("slurm_daemon");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_red_drains_green_resumes);
	tcase_add_test(tc, test_operator_drain_untouched);
	tcase_add_test(tc, test_restart_keeps_ownership);
	tcase_add_test(tc, test_restart_no_stale_drain);
	tcase_add_test(tc, test_check_as_health_check);
	suite_add_tcase(s, tc);
	return s;
}
