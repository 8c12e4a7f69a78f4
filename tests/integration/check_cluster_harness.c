/*
 * Smoke tests of the cluster harness (tests/pcmk.c, tests/slurm.c): the
 * real Pacemaker + Corosync and Slurm the actuator tests will drive do
 * what those tests will rely on.  Each test waits for a state the cluster
 * reaches only when the part under test works, so breaking that part
 * (no node-health-strategy, a wrong attribute name, a reason lost) fails it.
 *
 * The "scanner" case checks the crm_mon XML and sinfo readers on captured
 * output, without a cluster.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcmk.h"
#include "slurm.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define HEALTH_TIMEOUT_MS 10000 /* a health change moves the Dummy in ~50 ms */

static char dir[] = "/tmp/hwh-cluster.XXXXXX";
static struct pcmk pc;
static struct slurm sl;

static void make_dir(void)
{
	strcpy(dir, "/tmp/hwh-cluster.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* ---- scanner ---------------------------------------------------------------- */

/* crm_mon 2.1.5 output, trimmed (notes/issue6/crm_mon-green.xml): node1
 * appears in <nodes>, inside the resource, and in <node_history>. */
static const char crm_mon_xml[] =
    "<pacemaker-result api-version=\"2.25\" request=\"crm_mon -1 --output-as=xml\">\n"
    "  <summary>\n"
    "    <nodes_configured number=\"2\"/>\n"
    "    <resources_configured number=\"2\" disabled=\"0\" blocked=\"0\"/>\n"
    "  </summary>\n"
    "  <nodes>\n"
    "    <node name=\"node10\" id=\"10\" online=\"false\" standby=\"true\" unclean=\"true\" "
    "health=\"red\" resources_running=\"0\" type=\"member\"/>\n"
    "    <node name=\"node1\" id=\"1\" online=\"true\" standby=\"false\" "
    "maintenance=\"false\" unclean=\"false\" health=\"yellow\" is_dc=\"true\" "
    "resources_running=\"1\" type=\"member\"/>\n"
    "  </nodes>\n"
    "  <resources>\n"
    "    <resource id=\"dummy\" resource_agent=\"ocf:pacemaker:Dummy\" role=\"Started\" "
    "active=\"true\" failed=\"false\" nodes_running_on=\"1\">\n"
    "      <node name=\"node1\" id=\"1\" cached=\"true\"/>\n"
    "    </resource>\n"
    "    <resource id=\"d&amp;2\" resource_agent=\"ocf:pacemaker:Dummy\" role=\"Stopped\" "
    "active=\"false\" failed=\"true\" nodes_running_on=\"0\"/>\n"
    "  </resources>\n"
    "  <node_history>\n"
    "    <node name=\"ghost\">\n"
    "      <resource_history id=\"ghostres\" orphan=\"false\"/>\n"
    "    </node>\n"
    "  </node_history>\n"
    "  <status code=\"0\" message=\"OK\"/>\n"
    "</pacemaker-result>\n";

START_TEST(test_scan_crm_mon)
{
	struct pcmk_node n;
	struct pcmk_resource r;

	ck_assert(pcmk_xml_node(crm_mon_xml, "node1", &n));
	ck_assert(n.online && !n.standby && !n.unclean && !n.maintenance);
	ck_assert_str_eq(n.health, "yellow");
	ck_assert_int_eq(n.resources_running, 1);
	ck_assert(pcmk_xml_node(crm_mon_xml, "node10", &n));
	ck_assert(!n.online && n.standby && n.unclean);
	ck_assert_str_eq(n.health, "red");
	/* Only <nodes> counts: not node_history, not a resource's node. */
	ck_assert(!pcmk_xml_node(crm_mon_xml, "ghost", &n));
	ck_assert(!pcmk_xml_node(crm_mon_xml, "node", &n));

	ck_assert(pcmk_xml_resource(crm_mon_xml, "dummy", &r));
	ck_assert_str_eq(r.role, "Started");
	ck_assert_str_eq(r.node, "node1");
	ck_assert(r.active && !r.failed);
	ck_assert(pcmk_xml_resource(crm_mon_xml, "d&2", &r));
	ck_assert_str_eq(r.role, "Stopped");
	ck_assert_str_eq(r.node, "");
	ck_assert(!r.active && r.failed);
	ck_assert(!pcmk_xml_resource(crm_mon_xml, "ghostres", &r));
	ck_assert(
	    !pcmk_xml_resource("<status code=\"102\" message=\"Not connected\"/>", "dummy", &r));
}
END_TEST

START_TEST(test_scan_attr_bounds)
{
	char small[4];

	ck_assert(pcmk_xml_attr("<node name=\"node1\" a='x&quot;y'/>", "a", small, sizeof small));
	ck_assert_str_eq(small, "x\"y");
	ck_assert(pcmk_xml_attr("<node name=\"abcdefgh\"/>", "name", small, sizeof small));
	ck_assert_str_eq(small, "abc"); /* truncated, terminated */
	/* No partial names, no attributes in values, nothing unterminated. */
	ck_assert(!pcmk_xml_attr("<node node_id=\"1\"/>", "id", small, sizeof small));
	ck_assert(!pcmk_xml_attr("<node a=\"id=&quot;1\"/>", "id", small, sizeof small));
	ck_assert(!pcmk_xml_attr("<node id=\"1", "id", small, sizeof small));
}
END_TEST

START_TEST(test_scan_sinfo)
{
	struct slurm_node n;
	const char out[] = "node10|idle|none\n"
			   "node1|drained|hwhealth: red: cpu temp 95C|x\n";

	ck_assert(slurm_parse_sinfo(out, "node1", &n));
	ck_assert_str_eq(n.state, "drained");
	ck_assert_str_eq(n.reason, "hwhealth: red: cpu temp 95C|x"); /* a reason may hold '|' */
	ck_assert(slurm_parse_sinfo(out, "node10", &n));
	ck_assert_str_eq(n.state, "idle");
	ck_assert_str_eq(n.reason, "none");
	ck_assert(!slurm_parse_sinfo(out, "node", &n));
	ck_assert(!slurm_parse_sinfo("", "node1", &n));
}
END_TEST

/* ---- Pacemaker -------------------------------------------------------------- */

static void pcmk_setup(void)
{
	make_dir();
	pcmk_start(&pc, dir);
}

static void pcmk_teardown(void)
{
	ck_assert_int_eq(pcmk_stop(&pc), 0);
	pcmk_free(&pc);
}

START_TEST(test_pcmk_node_online)
{
	struct pcmk_node n;
	struct cmd_result res;

	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert(n.online);
	ck_assert(!n.standby && !n.unclean);
	ck_assert_str_eq(n.health, "green");
	/* The CLI in the test's namespaces reaches this cluster. */
	ck_assert_int_eq(pcmk_run(&pc, &res, "crm_node", "-n", NULL), 0);
	ck_assert_str_eq(res.out, PCMK_NODE "\n");
	cmd_result_free(&res);
	/* An attribute nobody set: the code the actuator must tell apart. */
	ck_assert_int_eq(pcmk_run(&pc, &res, "crm_attribute", "-N", PCMK_NODE, "-n", "standby",
				  "-G", "-q", NULL),
			 PCMK_EX_NOSUCH);
	cmd_result_free(&res);
}
END_TEST

START_TEST(test_pcmk_health_moves_dummy)
{
	struct pcmk_resource r;
	struct pcmk_node n;

	pcmk_add_dummy(&pc, "dummy", false);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", PCMK_ROLE_TIMEOUT_MS),
		      "the Dummy never started");
	ck_assert(pcmk_resource(&pc, "dummy", &r));
	ck_assert_str_eq(r.node, PCMK_NODE);

	/* migrate-on-red: a red node runs nothing. */
	pcmk_set_health(&pc, PCMK_NODE, "red");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", HEALTH_TIMEOUT_MS),
		      "#health-hwhealth=red did not stop the Dummy");
	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert_str_eq(n.health, "red");
	ck_assert_int_eq(n.resources_running, 0);

	pcmk_set_health(&pc, PCMK_NODE, "green");
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Started", HEALTH_TIMEOUT_MS),
		      "#health-hwhealth=green did not start the Dummy again");
	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert_str_eq(n.health, "green");
}
END_TEST

START_TEST(test_pcmk_standby_shows)
{
	struct pcmk_node n;

	pcmk_add_dummy(&pc, "dummy", false);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Started", PCMK_ROLE_TIMEOUT_MS));
	pcmk_must(&pc, "crm_attribute", "-N", PCMK_NODE, "-n", "standby", "-v", "on", NULL);
	ck_assert_msg(pcmk_wait_role(&pc, "dummy", "Stopped", HEALTH_TIMEOUT_MS),
		      "standby did not stop the Dummy");
	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert(n.standby);
	pcmk_must(&pc, "crm_attribute", "-N", PCMK_NODE, "-n", "standby", "-v", "off", NULL);
	ck_assert(pcmk_wait_role(&pc, "dummy", "Started", HEALTH_TIMEOUT_MS));
	ck_assert(pcmk_node(&pc, PCMK_NODE, &n));
	ck_assert(!n.standby);
}
END_TEST

/* ---- Slurm ------------------------------------------------------------------ */

static void slurm_setup(void)
{
	make_dir();
	slurm_start(&sl, dir);
}

static void slurm_teardown(void)
{
	slurm_free(&sl);
}

START_TEST(test_slurm_drain_resume)
{
	static const char reason[] = "hwhealth: red: cpu temp 95C";
	struct slurm_node n;

	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.state, "idle");
	ck_assert_str_eq(n.reason, "none");

	ck_assert_int_eq(slurm_drain(&sl, SLURM_NODE, reason), 0);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "drained", SLURM_STATE_TIMEOUT_MS),
		      "the node was not drained");
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, reason); /* whole, not sinfo -R's 20 characters */

	ck_assert_int_eq(slurm_resume(&sl, SLURM_NODE), 0);
	ck_assert_msg(slurm_wait_state(&sl, SLURM_NODE, "idle", SLURM_STATE_TIMEOUT_MS),
		      "RESUME did not bring the node back to idle");
	ck_assert(slurm_node(&sl, SLURM_NODE, &n));
	ck_assert_str_eq(n.reason, "none");
	/* A second RESUME is refused: the actuator must expect it. */
	ck_assert_int_ne(slurm_resume(&sl, SLURM_NODE), 0);
}
END_TEST

Suite *cluster_harness_suite(void)
{
	Suite *s = suite_create("cluster_harness");
	TCase *tc = tcase_create("scanner");

	tcase_add_test(tc, test_scan_crm_mon);
	tcase_add_test(tc, test_scan_attr_bounds);
	tcase_add_test(tc, test_scan_sinfo);
	suite_add_tcase(s, tc);

	tc = tcase_create("pacemaker");
	tcase_add_checked_fixture(tc, pcmk_setup, pcmk_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_pcmk_node_online);
	tcase_add_test(tc, test_pcmk_health_moves_dummy);
	tcase_add_test(tc, test_pcmk_standby_shows);
	suite_add_tcase(s, tc);

	tc = tcase_create("slurm");
	tcase_add_checked_fixture(tc, slurm_setup, slurm_teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_slurm_drain_resume);
	suite_add_tcase(s, tc);
	return s;
}
