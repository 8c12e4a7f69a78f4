/*
 * The pacemaker actuator (build/plugins/pacemaker.so) against a real
 * single-node Pacemaker + Corosync (tests/pcmk.h), driven through
 * tests/actlib.h as hwhealthd would drive it.  Each test checks what the
 * cluster itself shows afterwards (crm_mon, crm_attribute, attrd_updater),
 * not only what the plugin says.
 *
 *   config     refusals (bad mode, relative tools-dir, unknown option,
 *              repeats), unknown action, tools missing or hanging: no cluster
 *   cluster    notify, drain/undrain in both modes, an operator's standby,
 *              cluster(), the cluster stopped, fence without a device
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actlib.h"
#include "pcmk.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define MOVE_TIMEOUT_MS 10000 /* health / standby move the Dummy in ~50 ms */
#define DOWN_MAX_MS 2000      /* a tool finds the cluster down in ~10 ms */
#define FENCE_TIMEOUT_MS 3000 /* the fence action's timeout in its test */

static char dir[] = "/tmp/hwh-pmact.XXXXXX";
static struct pcmk pc;
static struct actlib act;

/* ---- helpers ---------------------------------------------------------------- */

static void make_dir(void)
{
	strcpy(dir, "/tmp/hwh-pmact.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Open the plugin with opts (key, value, ..., NULL), aborting on failure. */
static void open_act(const char *const *opts)
{
	char err[512];

	ck_assert_msg(actlib_open(&act, "pacemaker", opts, err, sizeof err) == 0, "%s", err);
}

/* perform(action) with state and drained; the result in *r. */
static int perform(const char *action, int state, int drained, struct hwh_action_result *r)
{
	struct hwh_action a = actlib_action(action, state, HWH_NODE_GREEN, "red: fan1 stopped");

	a.drained = drained;
	return actlib_perform(&act, &a, r);
}

/* The same, requiring rc; a failure quotes detail, output and log. */
static void must_perform(const char *action, int state, int drained, int rc)
{
	struct hwh_action_result r;
	int got = perform(action, state, drained, &r);

	ck_assert_msg(got == rc, "%s: rc %d, expected %d: %s\n%s\nlog:\n%s", action, got, rc,
		      r.detail, r.output, actlib_log(&act));
}

static void standby_is(bool on)
{
	struct pcmk_node n;

	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert_msg(n.standby == on, "crm_mon: standby=%d, expected %d", n.standby, on);
}

/* ---- config: no cluster --------------------------------------------------------- */

static void config_teardown(void)
{
	actlib_close(&act);
}

/* Options refused, the message naming the option. */
static const struct {
	const char *opts[7];
	const char *says;
} refused[] = {
    {{"mode", "drain", NULL}, "config: mode: mode must be 'health' or 'standby', not 'drain'"},
    {{"tools-dir", "sbin", NULL}, "config: tools-dir: tools-dir must be an absolute path"},
    {{"node", "node1", "colour", "red", NULL}, "config: colour: unknown option 'colour'"},
    {{"fence-action", "reboot", "fence-action", "off", NULL},
     "config: fence-action: option 'fence-action' given twice (first at line 1)"},
};

START_TEST(test_config_refused)
{
	char err[512];

	ck_assert_int_eq(actlib_open(&act, "pacemaker", refused[_i].opts, err, sizeof err), -1);
	ck_assert_msg(strstr(err, refused[_i].says) == err, "got '%s', expected '%s'", err,
		      refused[_i].says);
}
END_TEST

START_TEST(test_config_unknown_action)
{
	struct hwh_action_result r;

	open_act((const char *[]){"node", "node1", NULL});
	ck_assert_int_eq(perform("reboot-now", HWH_NODE_RED, 0, &r), -ENOTSUP);
	ck_assert_ptr_nonnull(act.api->cluster);
}
END_TEST

/* A tools-dir without the tools: a failure that says which program. */
START_TEST(test_config_tools_missing)
{
	struct hwh_action_result r;

	make_dir();
	open_act((const char *[]){"node", "node1", "tools-dir", dir, NULL});
	ck_assert_int_eq(perform("notify", HWH_NODE_YELLOW, 0, &r), -ENOENT);
	ck_assert_msg(strstr(r.detail, "attrd_updater: No such file or directory") != NULL, "%s",
		      r.detail);
	ck_assert_int_eq(r.exit_status, -1);
	tl_rm_rf(dir);
}
END_TEST

/* A tool that hangs is killed at the action's timeout. */
START_TEST(test_config_tool_hangs)
{
	struct hwh_action a = actlib_action("notify", HWH_NODE_YELLOW, HWH_NODE_GREEN, "x");
	struct hwh_action_result r;
	char path[600];
	int64_t t0;
	int rc;

	make_dir();
	snprintf(path, sizeof path, "%s/attrd_updater", dir);
	ck_assert_int_eq(write_file_str(path, "#!/bin/sh\nexec sleep 30\n"), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
	open_act((const char *[]){"node", "node1", "tools-dir", dir, NULL});
	a.timeout_ms = 700;
	t0 = tl_mono_ms();
	rc = actlib_perform(&act, &a, &r);
	ck_assert_int_eq(rc, -ETIMEDOUT);
	ck_assert_int_lt(tl_mono_ms() - t0, 700);
	ck_assert_msg(strstr(r.detail, "attrd_updater timed out after 0.5 s (killed)"), "%s",
		      r.detail);
	tl_rm_rf(dir);
}
END_TEST

/* ---- against the cluster -------------------------------------------------------- */

static void pcmk_setup(void)
{
	make_dir();
	pcmk_start(&pc, dir);
}

static void pcmk_teardown(void)
{
	actlib_close(&act);
	pcmk_free(&pc);
}

/* notify publishes the state; cluster() counts this node alone. */
START_TEST(test_notify_and_cluster)
{
	struct hwh_action_result r;
	struct hwh_cluster c;
	char detail[256];

	open_act(NULL);
	ck_assert_msg(strstr(actlib_log(&act), "this node is 'node1' in the cluster"), "%s",
		      actlib_log(&act));
	ck_assert_int_eq(perform("notify", HWH_NODE_YELLOW, 0, &r), 0);
	ck_assert_str_eq(r.detail, "attrd_updater: #health-hwhealth=yellow on node1");
	ck_assert_int_eq(r.exit_status, 0);
	ck_assert_msg(strstr(r.output, "$ /usr/sbin/attrd_updater -n #health-hwhealth -U yellow "
				       "-N node1: exit 0"),
		      "%s", r.output);
	pcmk_assert_health(&pc, "yellow");

	/* Red without hwhealth's drain stays yellow: red moves the work. */
	must_perform("notify", HWH_NODE_RED, 0, 0);
	pcmk_assert_health(&pc, "yellow");
	must_perform("notify", HWH_NODE_GREEN, 0, 0);
	pcmk_assert_health(&pc, "green");

	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);
	ck_assert_str_eq(c.self, PCMK_NODE);
	ck_assert_str_eq(detail, "1 node(s), 0 other(s) out");
}
END_TEST

/* Health mode: drain publishes red (migrate-on-red stops the Dummy),
 * undrain green again. */
START_TEST(test_health_drain_undrain)
{
	struct hwh_action_result r;

	pcmk_add_dummy(&pc, "dummy", false);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Started", PCMK_ROLE_TIMEOUT_MS));
	open_act((const char *[]){"mode", "health", NULL});

	ck_assert_int_eq(perform("drain", HWH_NODE_RED, 1, &r), 0);
	ck_assert_str_eq(r.detail, "attrd_updater: #health-hwhealth=red on node1");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", MOVE_TIMEOUT_MS),
		      "drain did not stop the Dummy");
	pcmk_assert_health(&pc, "red");
	/* A notify while drained keeps it red. */
	must_perform("notify", HWH_NODE_RED, 1, 0);
	pcmk_assert_health(&pc, "red");

	ck_assert_int_eq(perform("undrain", HWH_NODE_GREEN, 0, &r), 0);
	ck_assert_str_eq(r.detail, "attrd_updater: #health-hwhealth=green on node1");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", MOVE_TIMEOUT_MS),
		      "undrain did not start the Dummy again");
	pcmk_assert_health(&pc, "green");
}
END_TEST

/* Standby mode: drain sets standby and the marker, undrain lifts both. */
/* A reason that looks like options ("-qNnode2") is one value of this
 * node's marker: the Pacemaker tools split a separate word starting with
 * '-' into short options (it would land on node2 as "-q"). */
START_TEST(test_standby_reason_like_options)
{
	struct hwh_action_result r;
	struct hwh_action a = actlib_action("drain", HWH_NODE_RED, HWH_NODE_GREEN, "-qNnode2 x");
	char v[256];

	open_act((const char *[]){"mode", "standby", "node", PCMK_NODE, NULL});
	a.drained = 1;
	ck_assert_msg(actlib_perform(&act, &a, &r) == 0, "%s\n%s", r.detail, r.output);
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, "-qNnode2 x");
	standby_is(true);
	ck_assert_int_eq(perform("undrain", HWH_NODE_GREEN, 0, &r), 0);
	standby_is(false);
}
END_TEST

START_TEST(test_standby_drain_undrain)
{
	struct hwh_action_result r;
	struct hwh_cluster c;
	char v[256], detail[256];

	pcmk_add_dummy(&pc, "dummy", false);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Started", PCMK_ROLE_TIMEOUT_MS));
	open_act((const char *[]){"mode", "standby", "node", PCMK_NODE, NULL});

	ck_assert_int_eq(perform("drain", HWH_NODE_RED, 1, &r), 0);
	ck_assert_str_eq(r.detail, "standby on for node1 (hwhealth-drain=red: fan1 stopped)");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", MOVE_TIMEOUT_MS),
		      "standby did not stop the Dummy");
	standby_is(true);
	pcmk_node_attr(&pc, "standby", v, sizeof v);
	ck_assert_str_eq(v, "on");
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, "red: fan1 stopped");
	/* Standby mode never publishes red: the standby moves the work. */
	must_perform("notify", HWH_NODE_RED, 1, 0);
	pcmk_assert_health(&pc, "yellow");
	/* This node's own standby is not another node out. */
	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.unhealthy, 0);
	/* A second drain finds its own standby. */
	ck_assert_int_eq(perform("drain", HWH_NODE_RED, 1, &r), 0);
	ck_assert_msg(strstr(r.detail, "standby already on for node1 (hwhealth's"), "%s", r.detail);

	ck_assert_int_eq(perform("undrain", HWH_NODE_GREEN, 0, &r), 0);
	ck_assert_str_eq(r.detail, "standby off for node1 (hwhealth's drain: red: fan1 stopped)");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", MOVE_TIMEOUT_MS),
		      "undrain did not start the Dummy again");
	standby_is(false);
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, "");
	/* Nothing left to lift. */
	ck_assert_int_eq(perform("undrain", HWH_NODE_GREEN, 0, &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail, "standby already off");
}
END_TEST

/* An operator's standby (no marker) is never lifted, nor drained over. */
START_TEST(test_operator_standby_left_alone)
{
	struct hwh_action_result r;
	char v[256];

	pcmk_must(&pc, "crm_attribute", "-N", PCMK_NODE, "-n", "standby", "--update", "on", NULL);
	open_act((const char *[]){"mode", "standby", NULL});

	ck_assert_int_eq(perform("drain", HWH_NODE_RED, 1, &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail, "standby already set by someone else; left alone");
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, ""); /* no marker written over an operator's standby */

	ck_assert_int_eq(perform("undrain", HWH_NODE_GREEN, 0, &r), HWH_ACT_SKIPPED);
	ck_assert_str_eq(r.detail, "standby was not set by hwhealth; left alone");
	standby_is(true);
	pcmk_node_attr(&pc, "standby", v, sizeof v);
	ck_assert_str_eq(v, "on");
}
END_TEST

/* The cluster stopped: cluster() and notify fail fast, saying so. */
START_TEST(test_cluster_down)
{
	struct hwh_action_result r;
	struct hwh_cluster c;
	char detail[256];
	int64_t t0;

	open_act(NULL); /* learns node1 while the cluster is up */
	pcmk_stop(&pc);

	t0 = tl_mono_ms();
	ck_assert_int_eq(actlib_cluster(&act, &c, detail, sizeof detail), -ENOTCONN);
	ck_assert_msg(strstr(detail, "cluster not reachable: crm_mon status 102 (Not connected)") ==
			  detail,
		      "%s", detail);
	ck_assert_int_lt(tl_mono_ms() - t0, DOWN_MAX_MS);

	t0 = tl_mono_ms();
	ck_assert_int_eq(perform("notify", HWH_NODE_YELLOW, 0, &r), -ENOTCONN);
	ck_assert_msg(
	    strstr(r.detail, "attrd_updater: cluster not reachable (Not connected, exit 102)") ==
		r.detail,
	    "%s", r.detail);
	ck_assert_int_eq(r.exit_status, PCMK_EX_NOT_CONNECTED);
	ck_assert_int_lt(tl_mono_ms() - t0, DOWN_MAX_MS);
	actlib_close(&act);

	/* Started while the cluster is down: no node name yet, init goes on. */
	open_act((const char *[]){"mode", "standby", NULL});
	ck_assert_msg(strstr(actlib_log(&act), "cannot learn this node's cluster name yet"), "%s",
		      actlib_log(&act));
	ck_assert_int_eq(perform("drain", HWH_NODE_RED, 1, &r), -ENOTCONN);
	ck_assert_msg(strstr(r.detail, "cannot learn this node's cluster name: crm_node: cluster "
				       "not reachable") == r.detail,
		      "%s", r.detail);
}
END_TEST

/* No fence device (stonith disabled): the fence fails within its timeout,
 * with stonith_admin's own words. */
START_TEST(test_fence_without_device)
{
	struct hwh_action a = actlib_action("fence", HWH_NODE_CRITICAL, HWH_NODE_RED, "psu");
	struct hwh_action_result r;
	int64_t t0;
	int rc;

	open_act(NULL);
	a.timeout_ms = FENCE_TIMEOUT_MS;
	t0 = tl_mono_ms();
	rc = actlib_perform(&act, &a, &r);
	ck_assert_int_lt(tl_mono_ms() - t0, FENCE_TIMEOUT_MS);
	ck_assert_msg(rc < 0 && rc != -ENOTSUP, "fence rc %d: %s", rc, r.detail);
	ck_assert_int_eq(rc, -EIO);
	ck_assert_str_eq(r.detail, "stonith_admin failed (exit 105): stonith_admin: Couldn't fence "
				   "node1: No such device");
	ck_assert_int_eq(r.exit_status, PCMK_EX_NOSUCH);
	ck_assert_msg(strstr(r.output, "$ /usr/sbin/stonith_admin --reboot node1 --timeout 1"),
		      "%s", r.output);
	ck_assert(pcmk_running(&pc)); /* nothing was fenced */
}
END_TEST

/* crm_attribute -t crm_config -n name -G -q, "" when unset. */
static void property(const char *name, char *buf, size_t len)
{
	struct cmd_result res;
	int code =
	    pcmk_run(&pc, &res, "crm_attribute", "-t", "crm_config", "-n", name, "-G", "-q", NULL);

	snprintf(buf, len, "%.*s", code == 0 ? (int)strcspn(res.out, "\n") : 0, res.out);
	cmd_result_free(&res);
}

/* contrib/pacemaker-setup.sh with args (NULL-terminated, at most 8): its
 * stdout, malloc'd; aborts unless it exits 0. */
static char *setup_script(const char *const *args)
{
	const char *argv[12] = {"/bin/sh", HWH_SRC_DIR "/contrib/pacemaker-setup.sh"};
	struct cmd_result res;
	size_t n = 2;
	char *out;

	for (; args[n - 2] != NULL && n < 11; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	ck_assert_int_eq(cmd_run(argv, &res, PCMK_CMD_TIMEOUT_MS), 0);
	ck_assert_msg(res.code == 0, "pacemaker-setup.sh exited %d: %s%s", res.code, res.err,
		      res.out);
	out = strdup(res.out);
	cmd_result_free(&res);
	return out;
}

/* The setup script: a dry run changes nothing, a run sets what it says,
 * a second run finds everything set. */
START_TEST(test_setup_script)
{
	static const char *const prog[] = {"--strategy", "progressive", "--resource", "hwh", NULL};
	char v[64], *out;

	pcmk_add_dummy(&pc, "hwh", false);
	out = setup_script(
	    (const char *[]){"--strategy", "progressive", "--resource", "hwh", "--dry-run", NULL});
	ck_assert_msg(strstr(out, "dry run: nothing is changed\n"
				  "property node-health-strategy=progressive: would set (now "
				  "migrate-on-red)\n"),
		      "%s", out);
	free(out);
	property("node-health-strategy", v, sizeof v);
	ck_assert_str_eq(v, "migrate-on-red");

	out = setup_script(prog);
	ck_assert_msg(strstr(out, "property node-health-strategy=progressive: set (was "
				  "migrate-on-red)\n"),
		      "%s", out);
	ck_assert_msg(strstr(out, "resource hwh meta allow-unhealthy-nodes=true: set (was "
				  "(unset))\n"),
		      "%s", out);
	free(out);
	property("node-health-strategy", v, sizeof v);
	ck_assert_str_eq(v, "progressive");
	property("node-health-red", v, sizeof v);
	ck_assert_str_eq(v, "-INFINITY");
	property("node-health-yellow", v, sizeof v);
	ck_assert_str_eq(v, "-1000");

	out = setup_script(prog);
	ck_assert_msg(strstr(out, "set (") == NULL, "second run changed something:\n%s", out);
	ck_assert_msg(strstr(out, "resource hwh meta allow-unhealthy-nodes=true: already set"),
		      "%s", out);
	free(out);
}
END_TEST

Suite *pacemaker_act_suite(void)
{
	Suite *s = suite_create("pacemaker_act");
	TCase *tc = tcase_create("config");

	tcase_add_checked_fixture(tc, NULL, config_teardown);
	tcase_add_loop_test(tc, test_config_refused, 0, (int)(sizeof refused / sizeof refused[0]));
	tcase_add_test(tc, test_config_unknown_action);
	tcase_add_test(tc, test_config_tools_missing);
	tcase_add_test(tc, test_config_tool_hangs);
	suite_add_tcase(s, tc);

	tc = tcase_create("cluster");
	tcase_add_checked_fixture(tc, pcmk_setup, pcmk_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_notify_and_cluster);
	tcase_add_test(tc, test_health_drain_undrain);
	tcase_add_test(tc, test_standby_drain_undrain);
	tcase_add_test(tc, test_standby_reason_like_options);
	tcase_add_test(tc, test_operator_standby_left_alone);
	tcase_add_test(tc, test_cluster_down);
	tcase_add_test(tc, test_fence_without_device);
	tcase_add_test(tc, test_setup_script);
	suite_add_tcase(s, tc);
	return s;
}
