/*
 * hwhealthd end to end against real Pacemaker: the echo source gives exact
 * readings, a rule turns the node red above 50 (critical above 90), the
 * policy acts through an `action pcmk { plugin pacemaker }` block, and
 * each test checks what the cluster itself shows (crm_mon, crm_attribute,
 * cibadmin, the fence agent's log) beside the daemon's action records.
 *
 *   single   one node (tests/pcmk.h): health mode drains and undrains,
 *            standby mode likewise, an operator's standby left alone,
 *            dry-run changes nothing in the CIB
 *   three    three nodes (tests/pcmk3.h), one hwhealthd per node: the drain
 *            budget refuses a second node's drain
 *   fencing  three nodes with the test fence device: a critical node with
 *            `fencing yes` gets itself fenced by the cluster
 *
 * Dwell times are short (poll 200 ms, undrain-after 1 s) so each test
 * takes what the cluster needs and little more.
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actrig.h"
#include "pcmk.h"
#include "pcmk3.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 150
#define WAIT_MS 15000	       /* a reading turns into an action in ~0.3 s */
#define MOVE_TIMEOUT_MS 15000  /* the cluster moves the Dummy in ~0.1 s */
#define FENCE_TIMEOUT_MS 30000 /* the fenced node stops in ~2 s */
#define UNDRAIN_AFTER_MS 1000  /* the policy's undrain-after below */
#define HOLD_MS 3000	       /* "never happens": watched this long */

/* One hwhealthd: its tree (socket, state, config) and echo file. */
struct hw {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX];
	char conf[4096];
};

static char dir[64];
static struct pcmk pc;
static struct pcmk3 cl;
static struct hw hws[PCMK3_MAX_NODES + 1]; /* [0] single node, [i] nodeI */

/* ---- the daemon ------------------------------------------------------------- */

static void set_temp(struct hw *h, int v)
{
	actrig_set_temp(h->vals, v);
}

/* Tree, plugins, rules (hot and boiling) and configuration of h: the echo
 * source at 40, the pacemaker block with act (extra options) and the
 * policy block. */
static void hw_prepare(struct hw *h, const char *act, const char *policy)
{
	size_t n;

	memset(h, 0, sizeof *h);
	h->tree = fake_tree_new();
	n = actrig_prepare(h->tree, "pacemaker", ACTRIG_RULE_HOT ACTRIG_RULE_BOILING, h->vals,
			   h->conf, sizeof h->conf);
	snprintf(h->conf + n, sizeof h->conf - n,
		 "action pcmk {\n plugin pacemaker\n timeout 20s\n%s}\n"
		 "policy {\n undrain-after 1s\n min-drained 0\n budget-recheck 1s\n%s}\n",
		 act ? act : "", policy ? policy : "");
	h->d.tree = h->tree;
}

static void hw_free(struct hw *h)
{
	if (h->d.pid > 0)
		daemon_stop(&h->d);
	fake_tree_free(h->tree);
	memset(h, 0, sizeof *h);
}

static json_object *actions(struct hw *h)
{
	return actrig_actions(&h->d);
}

/* Wait for a record of action with result: it (caller puts).  A failure
 * quotes every record. */
static json_object *wait_record(struct hw *h, const char *action, const char *result)
{
	return actrig_wait_record(&h->d, action, result, WAIT_MS);
}

/* Record field key is s (a failure quotes the record). */
static void rec_is(json_object *rec, const char *key, const char *s)
{
	const char *v = json_str(rec, key);

	ck_assert_msg(v != NULL && strcmp(v, s) == 0, "%s is '%s', expected '%s' in %s", key,
		      v ? v : "(null)", s, json_object_to_json_string(rec));
}

static void posture_is(struct hw *h, const char *want)
{
	json_object *res = actions(h);

	ck_assert_str_eq(json_str(res, "policy.posture"), want);
	json_object_put(res);
}

/* ---- the single-node cluster ------------------------------------------------- */

static void standby_is(bool on)
{
	struct pcmk_node n;
	char v[64];

	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert_msg(n.standby == on, "crm_mon: standby=%d, expected %d", n.standby, on);
	pcmk_node_attr(&pc, "standby", v, sizeof v);
	ck_assert_str_eq(v, on ? "on" : "off");
}

static void single_setup(void)
{
	strcpy(dir, "/tmp/hwh-pmd.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pcmk_start(&pc, dir);
	pcmk_add_dummy(&pc, "dummy", false);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", PCMK_ROLE_TIMEOUT_MS),
		      "the Dummy did not start");
}

static void single_teardown(void)
{
	hw_free(&hws[0]);
	pcmk_free(&pc);
}

static void single_daemon(const char *act, const char *policy)
{
	hw_prepare(&hws[0], act, policy);
	daemon_start(&hws[0].d, hws[0].conf);
}

/* Health mode: red publishes red and the cluster stops the Dummy; the
 * record (through the CLI) carries the evidence; green held for
 * undrain-after brings it back. */
START_TEST(test_health_drain_undrain)
{
	struct hw *h = &hws[0];
	json_object *res, *rec;
	int64_t t0, t_green;

	single_daemon(" mode health\n", NULL);
	{
		struct pcmk_node n; /* no attribute yet: crm_mon's default */

		ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
		ck_assert_str_eq(n.health, "green");
	}
	t0 = tl_mono_ms();
	set_temp(h, 60);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", MOVE_TIMEOUT_MS),
		      "red did not stop the Dummy");
	fprintf(stderr, "pacemaker_daemon health: red to Dummy stopped in %lld ms\n",
		(long long)(tl_mono_ms() - t0));
	pcmk_assert_health(&pc, "red");

	res = cli_json(&h->d, "actions", NULL);
	rec = actrig_find(res, "drain", "done");
	ck_assert_msg(rec != NULL, "no done drain: %s", json_object_to_json_string(res));
	rec_is(rec, "actuator", "pcmk");
	rec_is(rec, "trigger", "auto");
	rec_is(rec, "state", "red");
	rec_is(rec, "detail", "attrd_updater: #health-hwhealth=red on node1");
	ck_assert_msg(json_array_has(rec, "evidence", "hot: temp1 at 60 > 50"), "%s",
		      json_object_to_json_string(rec));
	ck_assert_ptr_nonnull(strstr(json_str(rec, "reason"), "temp1 at 60 > 50"));
	ck_assert_double_eq(json_num(rec, "exit_status"), 0);
	ck_assert_ptr_nonnull(strstr(json_str(rec, "output"), "/usr/sbin/attrd_updater -n "
							      "#health-hwhealth -U red"));
	ck_assert_str_eq(json_str(res, "policy.posture"), "drained");
	ck_assert_str_eq(json_str(res, "policy.budget.last"), "allowed: 0 other nodes of 1 out");
	json_object_put(res);

	t_green = tl_mono_ms();
	set_temp(h, 40);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", MOVE_TIMEOUT_MS),
		      "green did not start the Dummy again");
	ck_assert_msg(tl_mono_ms() - t_green >= UNDRAIN_AFTER_MS,
		      "undrained %lld ms after green, before undrain-after",
		      (long long)(tl_mono_ms() - t_green));
	fprintf(stderr, "pacemaker_daemon health: green to Dummy started in %lld ms\n",
		(long long)(tl_mono_ms() - t_green));
	pcmk_assert_health(&pc, "green");
	rec = wait_record(h, "undrain", "done");
	rec_is(rec, "detail", "attrd_updater: #health-hwhealth=green on node1");
	rec_is(rec, "state", "green");
	json_object_put(rec);
	posture_is(h, "normal");
}
END_TEST

/* Standby mode: red sets standby and the marker, green lifts both. */
START_TEST(test_standby_drain_undrain)
{
	struct hw *h = &hws[0];
	json_object *rec;
	char v[256];

	single_daemon(" mode standby\n", NULL);
	set_temp(h, 60);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", MOVE_TIMEOUT_MS),
		      "red did not stop the Dummy");
	standby_is(true);
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_msg(strstr(v, "temp1 at 60 > 50") != NULL, "marker: '%s'", v);
	rec = wait_record(h, "drain", "done");
	ck_assert_msg(strstr(json_str(rec, "detail"), "standby on for node1 (hwhealth-drain=red") ==
			  json_str(rec, "detail"),
		      "%s", json_str(rec, "detail"));
	ck_assert(json_array_has(rec, "evidence", "hot: temp1 at 60 > 50"));
	json_object_put(rec);
	pcmk_assert_health(&pc, "yellow"); /* standby mode never publishes red */

	set_temp(h, 40);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", MOVE_TIMEOUT_MS),
		      "green did not start the Dummy again");
	standby_is(false);
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, "");
	rec = wait_record(h, "undrain", "done");
	ck_assert_msg(strstr(json_str(rec, "detail"), "standby off for node1 (hwhealth's drain") ==
			  json_str(rec, "detail"),
		      "%s", json_str(rec, "detail"));
	json_object_put(rec);
}
END_TEST

/* An operator's standby, set before: the drain is skipped, and green held
 * long past undrain-after never lifts it. */
START_TEST(test_operator_standby_kept)
{
	struct hw *h = &hws[0];
	json_object *rec, *res;
	char v[64];

	pcmk_must(&pc, "crm_attribute", "-N", PCMK_NODE, "-n", "standby", "--update", "on", NULL);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Stopped", MOVE_TIMEOUT_MS));
	single_daemon(" mode standby\n", NULL);
	set_temp(h, 60);
	rec = wait_record(h, "drain", "skipped");
	rec_is(rec, "detail", "standby already set by someone else; left alone");
	json_object_put(rec);
	pcmk_node_attr(&pc, "hwhealth-drain", v, sizeof v);
	ck_assert_str_eq(v, "");

	set_temp(h, 40);
	usleep(HOLD_MS * 1000);
	standby_is(true);
	res = actions(h);
	rec = actrig_find(res, "undrain", "done");
	ck_assert_msg(rec == NULL, "the operator's standby was undrained: %s",
		      json_object_to_json_string(rec));
	json_object_put(res);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Stopped", 100));
}
END_TEST

/* The parts of the CIB hwhealth could change: node attributes and the
 * transient (attrd) ones, malloc'd.  Not epoch or num_updates, which the
 * cluster moves on its own. */
static char *cib_snapshot(void)
{
	struct cmd_result a, b;
	char *s;

	ck_assert_int_eq(pcmk_run(&pc, &a, "cibadmin", "-Q", "-o", "nodes", NULL), 0);
	ck_assert_int_eq(
	    pcmk_run(&pc, &b, "cibadmin", "-Q", "--xpath", "//transient_attributes", NULL), 0);
	ck_assert_int_ne(asprintf(&s, "%s\n----\n%s", a.out, b.out), -1);
	cmd_result_free(&a);
	cmd_result_free(&b);
	return s;
}

/* Dry-run: the records say dry-run, the CIB stays as it was. */
START_TEST(test_dry_run_changes_nothing)
{
	struct hw *h = &hws[0];
	json_object *rec;
	char *before, *after;

	single_daemon(" mode standby\n", " dry-run yes\n");
	before = cib_snapshot();
	set_temp(h, 60);
	rec = wait_record(h, "drain", "dry-run");
	rec_is(rec, "actuator", "pcmk");
	rec_is(rec, "detail", "dry-run: decided, not executed");
	ck_assert(json_array_has(rec, "evidence", "hot: temp1 at 60 > 50"));
	json_object_put(rec);
	posture_is(h, "drained");
	usleep(500 * 1000); /* an action under way would show by now (~50 ms) */
	after = cib_snapshot();
	ck_assert_msg(strcmp(before, after) == 0, "the CIB changed:\n%s\n==== after:\n%s", before,
		      after);
	free(after);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Started", 100));

	set_temp(h, 40);
	rec = wait_record(h, "undrain", "dry-run");
	json_object_put(rec);
	after = cib_snapshot();
	ck_assert_msg(strcmp(before, after) == 0, "the CIB changed:\n%s\n==== after:\n%s", before,
		      after);
	free(after);
	free(before);
}
END_TEST

/* ---- three nodes ---------------------------------------------------------------- */

static void three_start(bool fencing)
{
	strcpy(dir, "/tmp/hwh-pmd3.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pcmk3_start(&cl, dir, 3, fencing);
}

static void three_setup(void)
{
	three_start(false);
}

static void fencing_setup(void)
{
	three_start(true);
}

static void three_teardown(void)
{
	for (int i = 1; i <= PCMK3_MAX_NODES; i++)
		hw_free(&hws[i]);
	ck_assert_int_eq(pcmk3_stop(&cl), 0);
	pcmk3_free(&cl);
}

static void node_daemon(int i, const char *act, const char *policy)
{
	hw_prepare(&hws[i], act, policy);
	pcmk3_daemon_start(&cl, i, &hws[i].d, hws[i].conf);
}

struct placed {
	char node[64];	    /* where the Dummy is Started, "" if not */
	const char *not_on; /* wanted elsewhere than this node (NULL: anywhere) */
};

static bool started(void *arg)
{
	struct placed *p = arg;
	struct pcmk_resource r;

	p->node[0] = '\0';
	if (!pcmk3_resource(&cl, 1, "dummy", &r) || strcmp(r.role, "Started") != 0)
		return false;
	snprintf(p->node, sizeof p->node, "%s", r.node);
	return p->not_on == NULL || strcmp(r.node, p->not_on) != 0;
}

/* The Dummy's node, waiting until it runs elsewhere than not_on. */
static int dummy_node(const char *not_on, const char *why)
{
	struct placed p = {.not_on = not_on};
	int i = 0;

	ck_assert_msg(wait_until(started, &p, MOVE_TIMEOUT_MS), "%s (Dummy on '%s')", why, p.node);
	ck_assert_int_eq(sscanf(p.node, "node%d", &i), 1);
	return i;
}

static void health_of(int i, char *buf, size_t len)
{
	struct pcmk_node n;

	ck_assert(pcmk3_node(&cl, 1, pcmk3_name(i), &n));
	snprintf(buf, len, "%s", n.health);
}

/* Node a red: drained, the Dummy moves to b.  Node b red while a is out,
 * max-unhealthy 1: refused, b keeps the Dummy and says why. */
START_TEST(test_budget_refuses_second_drain)
{
	json_object *rec, *resp;
	char health[16];
	int a, b;
	int64_t t0;

	for (int i = 1; i <= 3; i++)
		node_daemon(i, NULL, " max-unhealthy 1\n");
	pcmk3_add_dummy(&cl, "dummy", false);
	a = dummy_node(NULL, "the Dummy did not start");

	t0 = tl_mono_ms();
	set_temp(&hws[a], 60);
	b = dummy_node(pcmk3_name(a), "red did not move the Dummy");
	fprintf(stderr,
		"pacemaker_daemon budget: node%d red moved the Dummy to node%d in %lld ms\n", a, b,
		(long long)(tl_mono_ms() - t0));
	health_of(a, health, sizeof health);
	ck_assert_str_eq(health, "red");
	rec = wait_record(&hws[a], "drain", "done");
	rec_is(rec, "state", "red");
	json_object_put(rec);

	set_temp(&hws[b], 60);
	rec = wait_record(&hws[b], "drain", "refused");
	ck_assert_msg(strstr(json_str(rec, "detail"), "budget exhausted: ") ==
			  json_str(rec, "detail"),
		      "%s", json_object_to_json_string(rec));
	ck_assert_msg(strstr(json_str(rec, "detail"), pcmk3_name(a)) != NULL,
		      "the refusal does not name node%d: %s", a, json_str(rec, "detail"));
	json_object_put(rec);
	usleep(HOLD_MS * 1000);
	health_of(b, health, sizeof health);
	ck_assert_msg(strcmp(health, "red") != 0, "node%d is red though refused", b);
	ck_assert_str_eq(health, "yellow"); /* red, not drained: yellow */
	ck_assert_int_eq(dummy_node(pcmk3_name(a), "the Dummy stopped"), b);
	posture_is(&hws[b], "notified");

	resp = daemon_request(&hws[b].d, "{\"cmd\":\"status\"}");
	ck_assert_msg(strstr(json_object_to_json_string(resp), "drain refused: "), "status: %s",
		      json_object_to_json_string(resp));
	json_object_put(resp);
	resp = cli_json(&hws[b].d, "explain", NULL);
	ck_assert_msg(strstr(json_object_to_json_string(resp), "drain-refused"), "explain: %s",
		      json_object_to_json_string(resp));
	json_object_put(resp);
}
END_TEST

/* ---- fencing ---------------------------------------------------------------------- */

static bool fence_logged(void *arg)
{
	char *log = pcmk3_fence_log(&cl);
	bool found = strstr(log, (const char *)arg) != NULL;

	free(log);
	return found;
}

static bool node3_gone(void *arg)
{
	return pcmk3_pacemakerd_exited(&cl, 3, arg);
}

/* node3 critical with fencing yes: the cluster fences it on its word. */
START_TEST(test_critical_node_fenced)
{
	json_object *rec;
	char *log;
	int code = -1;
	int64_t t0;

	node_daemon(3, NULL, " fencing yes\n");
	log = pcmk3_fence_log(&cl);
	ck_assert_str_eq(log, "");
	free(log);
	t0 = tl_mono_ms();
	set_temp(&hws[3], 95);
	ck_assert_msg(wait_until(fence_logged, " reboot node3", FENCE_TIMEOUT_MS),
		      "fence.log has no 'reboot node3'");
	ck_assert_msg(wait_until(node3_gone, &code, FENCE_TIMEOUT_MS),
		      "node3's pacemakerd did not exit");
	ck_assert_int_eq(code, 100);
	fprintf(stderr, "pacemaker_daemon fencing: critical to pacemakerd exit in %lld ms\n",
		(long long)(tl_mono_ms() - t0));
	rec = wait_record(&hws[3], "fence", "done");
	rec_is(rec, "state", "critical");
	rec_is(rec, "actuator", "pcmk");
	ck_assert(json_array_has(rec, "evidence", "boiling: temp1 at 95 > 90"));
	json_object_put(rec);
	log = pcmk3_fence_log(&cl);
	ck_assert_msg(strstr(log, "node1") == NULL && strstr(log, "node2") == NULL, "%s", log);
	free(log);
}
END_TEST

Suite *pacemaker_daemon_suite(void)
{
	Suite *s = suite_create("pacemaker_daemon");
	TCase *tc = tcase_create("single");

	tcase_add_checked_fixture(tc, single_setup, single_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_health_drain_undrain);
	tcase_add_test(tc, test_standby_drain_undrain);
	tcase_add_test(tc, test_operator_standby_kept);
	tcase_add_test(tc, test_dry_run_changes_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("three");
	tcase_add_checked_fixture(tc, three_setup, three_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_budget_refuses_second_drain);
	suite_add_tcase(s, tc);

	tc = tcase_create("fencing");
	tcase_add_checked_fixture(tc, fencing_setup, three_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_critical_node_fenced);
	suite_add_tcase(s, tc);
	return s;
}
