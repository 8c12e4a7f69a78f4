/*
 * Unit tests of the pacemaker actuator's pure parts (plugins/pacemaker_logic.c,
 * plugins/pacemaker_xml.c), without a cluster:
 *   options    pm_conf_parse(): defaults, each option, every refusal names
 *              the option
 *   decisions  the health value a notify publishes, and the standby
 *              ownership steps of drain and undrain
 *   xml        pm_xml_cluster() over crm_mon documents in
 *              tests/fixtures/pacemaker/ (real captures and hand-made ones
 *              in the same format: see the README there), malformed ones and
 *              the "not connected" status 102
 * The plugin against a real cluster is tests/integration/check_pacemaker_act.c.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "../../plugins/pacemaker_internal.h"
#include "../../plugins/plugin_run.h"
#include "testlib.h"

#ifndef HWH_SRC_DIR
#define HWH_SRC_DIR "."
#endif
#define FIXTURES HWH_SRC_DIR "/tests/fixtures/pacemaker"

/* ---- options ------------------------------------------------------------ */

static int parse(const char *const *kv, struct pm_conf *c, struct hwh_config_error *err)
{
	struct hwh_option o[16];
	size_t n = 0;

	for (; kv[2 * n] != NULL; n++)
		o[n] = (struct hwh_option){
		    .key = kv[2 * n], .value = kv[2 * n + 1], .file = "t", .line = (int)n + 1};
	memset(err, 0, sizeof *err);
	return pm_conf_parse(o, n, c, err);
}

START_TEST(test_opts_defaults)
{
	struct pm_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(parse((const char *[]){NULL}, &c, &err), 0);
	ck_assert_int_eq(c.mode, PM_MODE_HEALTH);
	ck_assert_str_eq(c.node, "");
	ck_assert_str_eq(c.attribute, "#health-hwhealth");
	ck_assert_str_eq(c.tools_dir, "/usr/sbin");
	ck_assert_int_eq(c.fence_action, PM_FENCE_REBOOT);
}
END_TEST

START_TEST(test_opts_all)
{
	struct pm_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(parse((const char *[]){"mode", "standby", "node", "node-7.dc1",
						"attribute", "#health-hw2", "tools-dir",
						"/usr/bin/", "fence-action", "off", NULL},
			       &c, &err),
			 0);
	ck_assert_int_eq(c.mode, PM_MODE_STANDBY);
	ck_assert_str_eq(c.node, "node-7.dc1");
	ck_assert_str_eq(c.attribute, "#health-hw2");
	ck_assert_str_eq(c.tools_dir, "/usr/bin"); /* trailing '/' dropped */
	ck_assert_int_eq(c.fence_action, PM_FENCE_OFF);
	ck_assert_int_eq(err.option, -1);
}
END_TEST

/* Each bad block: the index of the option refused and words its message
 * must hold. */
static const struct {
	const char *kv[7];
	int option;
	const char *says;
} bad_opts[] = {
    {{"mode", "drain", NULL}, 0, "mode must be 'health' or 'standby'"},
    {{"mode", "health", "mode", "standby", NULL}, 1, "option 'mode' given twice"},
    {{"tools-dir", "usr/sbin", NULL}, 0, "tools-dir must be an absolute path"},
    {{"tools-dir", "/nonexistent-hwh", NULL}, 0, "tools-dir /nonexistent-hwh: No such file"},
    {{"tools-dir", "/etc/hostname", NULL}, 0, "not a directory"},
    {{"node", "node1", "colour", "red", NULL}, 1, "unknown option 'colour'"},
    {{"fence-action", "poweroff", NULL}, 0, "fence-action must be 'reboot' or 'off'"},
    {{"node", "-x", NULL}, 0, "starts with '-'"},
    {{"node", "a b", NULL}, 0, "node 'a b': character ' ' not allowed"},
    {{"node", "", NULL}, 0, "node must be 1 to"},
    {{"attribute", "standby", NULL}, 0, "reserved"},
    {{"attribute", "hwhealth-drain", NULL}, 0, "reserved"},
    {{"attribute", "#health;x", NULL}, 0, "character ';' not allowed"},
};

START_TEST(test_opts_bad)
{
	struct pm_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(parse(bad_opts[_i].kv, &c, &err), -1);
	ck_assert_int_eq(err.option, bad_opts[_i].option);
	ck_assert_msg(strstr(err.msg, bad_opts[_i].says) != NULL, "case %d: '%s' lacks '%s'", _i,
		      err.msg, bad_opts[_i].says);
}
END_TEST

/* ---- decisions ------------------------------------------------------------ */

START_TEST(test_health_value)
{
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_GREEN, 0), "green");
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_YELLOW, 0), "yellow");
	/* Red without hwhealth's drain (refused by the budget, or the policy
	 * only notifies on red): not "red", which would move the work. */
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_RED, 0), "yellow");
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_CRITICAL, 0), "yellow");
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_RED, 1), "red");
	ck_assert_str_eq(pm_health_value(PM_MODE_HEALTH, HWH_NODE_GREEN, 1), "red");
	/* Standby mode: the standby moves the work, never the attribute. */
	ck_assert_str_eq(pm_health_value(PM_MODE_STANDBY, HWH_NODE_RED, 1), "yellow");
	ck_assert_str_eq(pm_health_value(PM_MODE_STANDBY, HWH_NODE_GREEN, 0), "green");
	ck_assert_str_eq(pm_health_value(PM_MODE_STANDBY, HWH_NODE_CRITICAL, 0), "yellow");
}
END_TEST

START_TEST(test_standby_steps)
{
	ck_assert(pm_is_true("on") && pm_is_true("TRUE") && pm_is_true("yes") && pm_is_true("1") &&
		  pm_is_true("y"));
	ck_assert(!pm_is_true("off") && !pm_is_true("") && !pm_is_true("0") && !pm_is_true("onn"));

	ck_assert_int_eq(pm_drain_step(0, 0), PM_STEP_APPLY);
	ck_assert_int_eq(pm_drain_step(0, 1), PM_STEP_APPLY); /* a stale marker is rewritten */
	ck_assert_int_eq(pm_drain_step(1, 1), PM_STEP_ALREADY);
	ck_assert_int_eq(pm_drain_step(1, 0), PM_STEP_FOREIGN); /* an operator's standby */

	ck_assert_int_eq(pm_undrain_step(1, 1), PM_STEP_APPLY);
	ck_assert_int_eq(pm_undrain_step(1, 0), PM_STEP_FOREIGN); /* never lifted */
	ck_assert_int_eq(pm_undrain_step(0, 0), PM_STEP_OFF);
	ck_assert_int_eq(pm_undrain_step(0, 1), PM_STEP_STALE_MARK);
}
END_TEST

/* ---- crm_mon XML ---------------------------------------------------------- */

static char *fixture(const char *name, size_t *len)
{
	char path[512];
	char *s;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	s = read_file_str(path);
	ck_assert_msg(s != NULL, "cannot read fixture %s", path);
	*len = strlen(s);
	return s;
}

/* pm_xml_cluster() on fixture name as node self. */
static int cluster_of(const char *name, const char *self, struct hwh_cluster *c, char *detail,
		      size_t dlen)
{
	size_t len;
	char *xml = fixture(name, &len);
	int rc = pm_xml_cluster(xml, len, self, c, detail, dlen);

	free(xml);
	return rc;
}

static void xml_setup(void)
{
	xmlInitParser(); /* as the plugin's config() does */
}

START_TEST(test_xml_green)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(cluster_of("crm_mon-green.xml", "node1", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);
	ck_assert_str_eq(c.self, "node1");
	ck_assert_str_eq(c.unhealthy_names, "");
	ck_assert_str_eq(detail, "1 node(s), 0 other(s) out");
	/* What the plugin runs: --exclude=all --include=nodes. */
	ck_assert_int_eq(cluster_of("crm_mon-nodes-only.xml", "node1", &c, detail, sizeof detail),
			 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);
}
END_TEST

START_TEST(test_xml_self_red_not_counted)
{
	struct hwh_cluster c;
	char detail[256];

	/* This node's own red health is not "another node out". */
	ck_assert_int_eq(cluster_of("crm_mon-red.xml", "node1", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 1);
	ck_assert_int_eq(c.unhealthy, 0);
}
END_TEST

START_TEST(test_xml_three_nodes)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(cluster_of("crm_mon-3node.xml", "node1", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 3);
	ck_assert_int_eq(c.unhealthy, 2);
	ck_assert_str_eq(c.unhealthy_names, "node2 node3");
	ck_assert_str_eq(detail, "3 node(s), 2 other(s) out: node2 (standby) node3 (offline)");

	/* Seen from node2 (itself in standby): node3 only.  node1 is yellow,
	 * which is not out; a node's own <node> in a resource does not count. */
	ck_assert_int_eq(cluster_of("crm_mon-3node.xml", "node2", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 3);
	ck_assert_int_eq(c.unhealthy, 1);
	ck_assert_str_eq(c.unhealthy_names, "node3");
	ck_assert_str_eq(c.self, "node2");
}
END_TEST

START_TEST(test_xml_mixed)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(cluster_of("crm_mon-mixed.xml", "alpha", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 6); /* neither the ping node nor the guest (offline) is one */
	ck_assert_int_eq(c.unhealthy, 3);
	ck_assert_str_eq(c.unhealthy_names, "beta gamma delta");
	ck_assert_msg(strstr(detail, "beta (health red) gamma (maintenance) delta (standby)"), "%s",
		      detail);
}
END_TEST

START_TEST(test_xml_self_missing)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(cluster_of("crm_mon-3node.xml", "node9", &c, detail, sizeof detail),
			 -ENOENT);
	ck_assert_str_eq(detail, "this node 'node9' is not among crm_mon's 3 node(s)");
	/* "node" is a prefix of every name, not a name. */
	ck_assert_int_eq(cluster_of("crm_mon-3node.xml", "node", &c, detail, sizeof detail),
			 -ENOENT);
}
END_TEST

START_TEST(test_xml_not_connected)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(
	    cluster_of("crm_mon-not-connected.xml", "node1", &c, detail, sizeof detail), -ENOTCONN);
	ck_assert_msg(strstr(detail, "cluster not reachable: crm_mon status 102 (Not connected): "
				     "error: Could not connect to launcher") == detail,
		      "%s", detail);
	ck_assert_int_eq(c.nodes, 0);
}
END_TEST

START_TEST(test_xml_malformed)
{
	struct hwh_cluster c;
	char detail[256];

	ck_assert_int_eq(cluster_of("crm_mon-truncated.xml", "node1", &c, detail, sizeof detail),
			 -EPROTO);
	ck_assert_msg(strstr(detail, "crm_mon's output is not XML: line ") == detail, "%s", detail);
	ck_assert_ptr_null(strchr(detail, '\n'));
	ck_assert_int_eq(cluster_of("not-crm_mon.xml", "node1", &c, detail, sizeof detail),
			 -EPROTO);
	ck_assert_str_eq(detail, "not crm_mon's XML: root element <html>");
	ck_assert_int_eq(pm_xml_cluster("", 0, "node1", &c, detail, sizeof detail), -EPROTO);
	ck_assert_str_eq(detail, "crm_mon printed nothing");
	static const char no_nodes[] = "<pacemaker-result><status code=\"0\"/></pacemaker-result>";
	ck_assert_int_eq(
	    pm_xml_cluster(no_nodes, strlen(no_nodes), "node1", &c, detail, sizeof detail),
	    -EPROTO);
	ck_assert_str_eq(detail, "crm_mon's XML has no <nodes>");
	/* Another crm_mon failure: its code and message, not "not reachable". */
	static const char other[] = "<pacemaker-result><status code=\"103\" message=\"Not "
				    "authorized\"/></pacemaker-result>";
	ck_assert_int_eq(pm_xml_cluster(other, strlen(other), "node1", &c, detail, sizeof detail),
			 -EPROTO);
	ck_assert_str_eq(detail, "crm_mon failed: crm_mon status 103 (Not authorized)");
	/* An entity that would read a file is refused, never expanded (no
	 * XML_PARSE_NOENT, and XML_PARSE_NONET). */
	static const char xxe[] = "<!DOCTYPE r [<!ENTITY x SYSTEM \"/etc/hostname\">]>"
				  "<pacemaker-result><nodes><node name=\"&x;\" online=\"true\"/>"
				  "</nodes><status code=\"0\"/></pacemaker-result>";
	int rc = pm_xml_cluster(xxe, strlen(xxe), "node1", &c, detail, sizeof detail);
	ck_assert_msg(rc == -EPROTO && strstr(detail, "external entity 'x'"), "%d %s", rc, detail);
}
END_TEST

START_TEST(test_xml_names_cut)
{
	char xml[16384], detail[256];
	size_t used = 0;
	struct hwh_cluster c;

	used += (size_t)snprintf(xml + used, sizeof xml - used,
				 "<pacemaker-result><nodes><node name=\"self\" online=\"true\"/>");
	for (int i = 0; i < 60; i++)
		used +=
		    (size_t)snprintf(xml + used, sizeof xml - used,
				     "<node name=\"long-node-name-%02d\" online=\"false\"/>", i);
	used += (size_t)snprintf(xml + used, sizeof xml - used,
				 "</nodes><status code=\"0\" message=\"OK\"/></pacemaker-result>");
	ck_assert_int_eq(pm_xml_cluster(xml, used, "self", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.nodes, 61);
	ck_assert_int_eq(c.unhealthy, 60);
	ck_assert_uint_lt(strlen(c.unhealthy_names), sizeof c.unhealthy_names);
	ck_assert_msg(strstr(c.unhealthy_names, "long-node-name-00 long-node-name-01") ==
			  c.unhealthy_names,
		      "%s", c.unhealthy_names);
	ck_assert_str_eq(c.unhealthy_names + strlen(c.unhealthy_names) - 4, " ...");
}
END_TEST

/* A list that stops just short of its buffer still ends in " ...", not
 * " .." (found by tests/fuzz/fuzz_pacemaker_xml): "a"*127, " ", "b"*124
 * leave 4 bytes, one short of " ..." and its NUL. */
START_TEST(test_xml_names_cut_at_edge)
{
	char xml[2048], detail[256];
	size_t used = 0;
	struct hwh_cluster c;

	used += (size_t)snprintf(xml + used, sizeof xml - used,
				 "<pacemaker-result><nodes><node name=\"self\" online=\"true\"/>"
				 "<node name=\"%0127d\" online=\"false\"/>"
				 "<node name=\"%0124d\" online=\"false\"/>"
				 "<node name=\"c\" online=\"false\"/>"
				 "</nodes><status code=\"0\" message=\"OK\"/></pacemaker-result>",
				 1, 2);
	ck_assert_int_eq(pm_xml_cluster(xml, used, "self", &c, detail, sizeof detail), 0);
	ck_assert_int_eq(c.unhealthy, 3);
	ck_assert_uint_lt(strlen(c.unhealthy_names), sizeof c.unhealthy_names);
	ck_assert_msg(strcmp(c.unhealthy_names + strlen(c.unhealthy_names) - 4, " ...") == 0, "%s",
		      c.unhealthy_names);
}
END_TEST

/* ---- plugin_run's caller buffer (crm_mon's XML outgrows out[]) ------------- */

START_TEST(test_run_out_buf)
{
	static const char *const argv[] = {"/usr/bin/seq", "1", "3000", NULL};
	struct pu_run r = {.argv = argv, .timeout_ms = 10000};
	size_t cap = 64 * 1024;
	char *buf = malloc(cap);

	ck_assert_ptr_nonnull(buf);
	r.out_buf = buf;
	r.out_cap = cap;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_uint_eq(r.out_len, 13893); /* seq 1 3000 | wc -c */
	ck_assert_uint_eq(strlen(buf), r.out_len);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_str_eq(r.out, ""); /* out[] unused */
	ck_assert(strncmp(buf + r.out_len - 5, "3000\n", 5) == 0);
	/* A small caller buffer cuts, and says so. */
	r.out_cap = 100;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_uint_eq(r.out_len, 99);
	ck_assert_int_eq(r.truncated, 1);
	/* Without one, out[] as before. */
	r.out_buf = NULL;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_uint_eq(r.out_len, PU_RUN_OUT_MAX - 1);
	ck_assert_int_eq(r.truncated, 1);
	free(buf);
}
END_TEST

Suite *pacemaker_suite(void)
{
	Suite *s = suite_create("pacemaker");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_opts_defaults);
	tcase_add_test(tc, test_opts_all);
	tcase_add_loop_test(tc, test_opts_bad, 0, (int)(sizeof bad_opts / sizeof bad_opts[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("decisions");
	tcase_add_test(tc, test_health_value);
	tcase_add_test(tc, test_standby_steps);
	suite_add_tcase(s, tc);

	tc = tcase_create("xml");
	tcase_add_unchecked_fixture(tc, xml_setup, NULL);
	tcase_add_test(tc, test_xml_green);
	tcase_add_test(tc, test_xml_self_red_not_counted);
	tcase_add_test(tc, test_xml_three_nodes);
	tcase_add_test(tc, test_xml_mixed);
	tcase_add_test(tc, test_xml_self_missing);
	tcase_add_test(tc, test_xml_not_connected);
	tcase_add_test(tc, test_xml_malformed);
	tcase_add_test(tc, test_xml_names_cut);
	tcase_add_test(tc, test_xml_names_cut_at_edge);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_add_test(tc, test_run_out_buf);
	suite_add_tcase(s, tc);
	return s;
}
