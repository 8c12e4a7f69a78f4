/*
 * check_slurm_act: the slurm actuator (build/plugins/slurm.so) driven
 * through tests/actlib.c against a REAL one-node Slurm (munged, slurmctld,
 * slurmd: tests/slurm.c).  Each test reads the node back with sinfo, not
 * with the plugin, so a plugin that reports success without acting fails:
 *
 *   drain/undrain    drain shows `drained` with "hwhealth: REASON"; undrain
 *                    brings it back to `idle`; an undrain of a node that is
 *                    not drained is skipped
 *   operator         a drain an operator set ("operator: bad DIMM") is
 *                    neither overwritten by drain nor lifted by undrain
 *                    (both HWH_ACT_SKIPPED, the reason untouched)
 *   cluster          cluster() counts: one node, this one, never counted
 *                    as "other" even when drained; an unknown node name
 *   no controller    with slurmctld stopped, drain fails with a detail that
 *                    says so, within the action's timeout
 *
 * The counting of OTHER nodes (partitions, states, names) is unit-tested
 * on sinfo output in tests/unit/check_slurm.c: the harness has one node.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actlib.h"
#include "slurm.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define NO_CTLD_TIMEOUT_MS 3000 /* the action's timeout with slurmctld stopped */

static char dir[] = "/tmp/hwh-slurm-act.XXXXXX";
static struct slurm sl;
static struct actlib act;

static void setup(void)
{
	char err[512];

	strcpy(dir, "/tmp/hwh-slurm-act.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	slurm_start(&sl, dir); /* sets SLURM_CONF, which config() passes on */
	ck_assert_msg(actlib_open(&act, "slurm", (const char *[]){"node", SLURM_NODE, NULL}, err,
				  sizeof err) == 0,
		      "%s", err);
}

static void teardown(void)
{
	actlib_close(&act);
	slurm_free(&sl);
}

static int perform(const char *action, const char *reason, struct hwh_action_result *r)
{
	struct hwh_action a = actlib_action(action, HWH_NODE_RED, HWH_NODE_YELLOW, reason);

	return actlib_perform(&act, &a, r);
}

START_TEST(test_drain_undrain)
{
	struct hwh_action_result r;
	struct slurm_node n;

	ck_assert_int_eq(perform("drain", "red: fan1 at 300 RPM, min 600", &r), 0);
	ck_assert_int_eq(r.exit_status, 0);
	ck_assert_msg(strstr(r.detail, "Reason=hwhealth: red: fan1 at 300 RPM, min 600") != NULL,
		      "%s", r.detail);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS),
		      "not drained: %s", r.detail);
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, "hwhealth: red: fan1 at 300 RPM, min 600");
	ck_assert_ptr_nonnull(strstr(actlib_log(&act), "drained " SLURM_NODE " in Slurm"));

	/* A second drain (the state got worse) updates hwhealth's own reason. */
	ck_assert_int_eq(perform("drain", "critical: PSU1 failed", &r), 0);
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, "hwhealth: critical: PSU1 failed");

	ck_assert_int_eq(perform("undrain", "green again", &r), 0);
	ck_assert_msg(strstr(r.detail, "resumed") != NULL, "%s", r.detail);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "idle", SLURM_STATE_TIMEOUT_MS),
		      "undrain did not bring the node back to idle");
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, "none");

	/* Nothing to undo now: skipped, and Slurm is not asked to RESUME. */
	ck_assert_int_eq(perform("undrain", "green", &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail, "not drained (idle): nothing to undo");
}
END_TEST

START_TEST(test_operator_drain_kept)
{
	static const char op[] = "operator: bad DIMM";
	struct hwh_action_result r;
	struct slurm_node n;

	ck_assert_int_eq(slurm_drain(&sl, SLURM_NODE, op), 0);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS));

	ck_assert_int_eq(perform("drain", "red: fan1", &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail, "already drained by someone else: operator: bad DIMM");
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, op);

	ck_assert_int_eq(perform("undrain", "green", &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail,
			 "not hwhealth's drain: drained by someone else: operator: bad DIMM");
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.state, "drained");
	ck_assert_str_eq(n.reason, op);
}
END_TEST

START_TEST(test_not_handled)
{
	struct hwh_action_result r;

	ck_assert_int_eq(perform("notify", "red", &r), -ENOTSUP);
	ck_assert_int_eq(perform("fence", "red", &r), -ENOTSUP);
}
END_TEST

START_TEST(test_cluster)
{
	struct hwh_cluster c;
	char detail[256], err[512];

	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);
	ck_assert_str_eq(c.self, SLURM_NODE);
	ck_assert_str_eq(c.unhealthy_names, "");

	/* This node drained is not "another node out". */
	ck_assert_int_eq(slurm_drain(&sl, SLURM_NODE, "operator: test"), 0);
	ck_assert(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS));
	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);

	/* A node name Slurm does not know: an error, so the core does not drain. */
	actlib_close(&act);
	ck_assert(actlib_open(&act, "slurm", (const char *[]){"node", "node77", NULL}, err,
			      sizeof err) == 0);
	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), -ENOENT);
	ck_assert_str_eq(detail, "node 'node77' is not in Slurm's node list (1 nodes): set 'node'");
}
END_TEST

START_TEST(test_no_controller)
{
	struct hwh_action a = actlib_action("drain", HWH_NODE_RED, HWH_NODE_YELLOW, "red: x");
	struct hwh_action_result r;
	struct hwh_cluster c;
	char detail[256];
	int64_t t0;
	int rc;

	tl_stop_pid(&sl.slurmctld, SIGTERM, SLURM_STOP_TIMEOUT_MS);
	a.timeout_ms = NO_CTLD_TIMEOUT_MS;
	t0 = tl_mono_ms();
	rc = actlib_perform(&act, &a, &r);
	ck_assert_int_lt(tl_mono_ms() - t0, NO_CTLD_TIMEOUT_MS);
	ck_assert_msg(rc < 0 && rc != -ENOTSUP, "rc %d: %s", rc, r.detail);
	ck_assert_msg(strstr(r.detail, "sinfo") != NULL, "%s", r.detail);
	ck_assert_msg(strstr(r.detail, "controller") != NULL || strstr(r.detail, "slurmctld"),
		      "detail does not say the controller is unreachable: %s", r.detail);
	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail) < 0, 1);
	fprintf(stderr, "no controller: rc %d in %lld ms: %s\n", rc, (long long)(tl_mono_ms() - t0),
		r.detail);
}
END_TEST

Suite *slurm_act_suite(void)
{
	Suite *s = suite_create("slurm_act");
	TCase *tc = tcase_create("slurm_act");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_drain_undrain);
	tcase_add_test(tc, test_operator_drain_kept);
	tcase_add_test(tc, test_not_handled);
	tcase_add_test(tc, test_cluster);
	tcase_add_test(tc, test_no_controller);
	suite_add_tcase(s, tc);
	return s;
}
