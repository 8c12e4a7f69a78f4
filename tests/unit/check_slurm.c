/*
 * check_slurm: unit tests of the slurm actuator's pure parts
 * (plugins/slurm_opts.c, plugins/slurm_parse.c), without Slurm: options
 * and defaults, sinfo's %N|%T|%E lines, which state words are out of
 * service, the drain / undrain decisions (never an operator's drain), the
 * Reason= text, and the drain budget's counts.  The plugin against a real
 * Slurm: tests/integration/check_slurm_act.c.
 *
 * To add a case: a row in a table or an assertion, with the exact value.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../plugins/slurm_internal.h"

Suite *slurm_suite(void); /* called by tests/main.c */

#define OPT(k, v)                                                                                  \
	{                                                                                          \
		.key = k, .value = v, .file = "t.conf", .line = __LINE__, .col = 3                 \
	}

/* ---- options ---------------------------------------------------------------- */

START_TEST(test_opts_defaults)
{
	struct slurm_conf c;
	struct hwh_config_error err;
	char host[256];

	unsetenv("SLURM_CONF");
	ck_assert_int_eq(slurm_opts_parse(NULL, 0, &c, &err), 0);
	ck_assert_str_eq(c.scontrol, "/usr/bin/scontrol");
	ck_assert_str_eq(c.sinfo, "/usr/bin/sinfo");
	ck_assert_str_eq(c.slurm_conf, "");
	gethostname(host, sizeof host);
	host[strcspn(host, ".")] = '\0';
	ck_assert_str_eq(c.node, host);
	/* The daemon's own SLURM_CONF is passed on. */
	setenv("SLURM_CONF", "/etc/slurm/other.conf", 1);
	ck_assert_int_eq(slurm_opts_parse(NULL, 0, &c, &err), 0);
	ck_assert_str_eq(c.slurm_conf, "SLURM_CONF=/etc/slurm/other.conf");
	unsetenv("SLURM_CONF");
}
END_TEST

START_TEST(test_opts_all)
{
	const struct hwh_option o[] = {
	    OPT("node", "cn042"), OPT("scontrol", "/opt/slurm/bin/scontrol"),
	    OPT("sinfo", "/opt/slurm/bin/sinfo"), OPT("slurm-conf", "/opt/slurm/etc/slurm.conf")};
	struct slurm_conf c;
	struct hwh_config_error err;

	setenv("SLURM_CONF", "/etc/slurm/env.conf", 1);
	ck_assert_int_eq(slurm_opts_parse(o, 4, &c, &err), 0);
	ck_assert_str_eq(c.node, "cn042");
	ck_assert_str_eq(c.scontrol, "/opt/slurm/bin/scontrol");
	ck_assert_str_eq(c.sinfo, "/opt/slurm/bin/sinfo");
	ck_assert_str_eq(c.slurm_conf, "SLURM_CONF=/opt/slurm/etc/slurm.conf");
	unsetenv("SLURM_CONF");
}
END_TEST

static const struct {
	struct hwh_option opt[2];
	size_t n;
	int index;
	const char *msg;
} bad_opts[] = {
    {{OPT("scontrol", "scontrol")}, 1, 0, "scontrol must be an absolute path, got 'scontrol'"},
    {{OPT("sinfo", "")}, 1, 0, "sinfo must be an absolute path, got ''"},
    {{OPT("slurm-conf", "etc/slurm.conf")},
     1,
     0,
     "slurm-conf must be an absolute path, got 'etc/slurm.conf'"},
    {{OPT("node", "")}, 1, 0, "node must be a node name of 1 to 63 characters"},
    {{OPT("node", "cn[1-2]")},
     1,
     0,
     "node 'cn[1-2]': one Slurm NodeName, without spaces, ',', '=', '|', brackets or quotes"},
    {{OPT("node", "a b")},
     1,
     0,
     "node 'a b': one Slurm NodeName, without spaces, ',', '=', '|', brackets or quotes"},
    {{OPT("partition", "x")},
     1,
     0,
     "unknown option 'partition' (expected node, scontrol, sinfo or slurm-conf)"},
    {{OPT("node", "a"), OPT("node", "b")}, 2, 1, "option 'node' given twice (first at line "},
};

START_TEST(test_opts_bad)
{
	struct slurm_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(slurm_opts_parse(bad_opts[_i].opt, bad_opts[_i].n, &c, &err), -1);
	ck_assert_int_eq(err.option, bad_opts[_i].index);
	ck_assert_msg(strncmp(err.msg, bad_opts[_i].msg, strlen(bad_opts[_i].msg)) == 0, "got '%s'",
		      err.msg);
}
END_TEST

/* ---- sinfo lines and states ------------------------------------------------- */

START_TEST(test_parse_node)
{
	const char out[] = "node10|idle|none\n"
			   "node1|drained|hwhealth: red: fan1|x=1 \"q\"\n"
			   "node2|idle*\n";
	struct slurm_node_info n;

	ck_assert_int_eq(slurm_parse_node(out, "node1", &n), 1);
	ck_assert_str_eq(n.state, "drained");
	ck_assert_str_eq(n.reason, "hwhealth: red: fan1|x=1 \"q\""); /* '|' in a reason */
	ck_assert_int_eq(slurm_parse_node(out, "node10", &n), 1);
	ck_assert_str_eq(n.state, "idle");
	ck_assert_str_eq(n.reason, "none");
	ck_assert_int_eq(slurm_parse_node(out, "node2", &n), 1); /* %N|%T */
	ck_assert_str_eq(n.state, "idle*");
	ck_assert_str_eq(n.reason, "");
	ck_assert_int_eq(slurm_parse_node(out, "node", &n), 0);
	ck_assert_int_eq(slurm_parse_node("", "node1", &n), 0);
	ck_assert_int_eq(slurm_parse_node("node1", "node1", &n), 0); /* no '|' */
}
END_TEST

static const struct {
	const char *state;
	int out, drained;
} states[] = {
    {"idle", 0, 0},	   {"allocated", 0, 0},	     {"mixed", 0, 0},	   {"completing", 0, 0},
    {"idle~", 0, 0},	   {"idle#", 0, 0},	     {"idle%", 0, 0},	   {"reserved", 0, 0},
    {"maint", 0, 0},	   {"future", 0, 0},	     {"planned", 0, 0},	   {"mixed-", 0, 0},
    {"idle*", 1, 0},	   {"allocated*", 1, 0},     {"drained", 1, 1},	   {"draining", 1, 1},
    {"drained*", 1, 1},	   {"drain", 1, 1},	     {"down", 1, 0},	   {"down*", 1, 0},
    {"down~", 1, 0},	   {"fail", 1, 0},	     {"failing", 1, 0},	   {"inval", 1, 0},
    {"unknown", 1, 0},	   {"unknown*", 1, 0},	     {"idle+drain", 1, 1}, {"mixed+drain", 1, 1},
    {"idle+drain*", 1, 1}, {"allocated+fail", 1, 0}, {"", 0, 0},	   {"drainedx", 0, 0},
};

START_TEST(test_states)
{
	ck_assert_msg(slurm_state_out(states[_i].state) == states[_i].out, "out(%s)",
		      states[_i].state);
	ck_assert_msg(slurm_state_drained(states[_i].state) == states[_i].drained, "drained(%s)",
		      states[_i].state);
}
END_TEST

/* ---- decisions -------------------------------------------------------------- */

static const struct {
	const char *state, *reason;
	enum slurm_verdict drain, undrain;
	const char *drain_why, *undrain_why;
} decisions[] = {
    {"idle", "none", SLURM_DO, SLURM_SKIP, "drained (was idle)",
     "not drained (idle): nothing to undo"},
    {"allocated", "none", SLURM_DO, SLURM_SKIP, "drained (was allocated)",
     "not drained (allocated): nothing to undo"},
    {"drained", "hwhealth: red: fan1", SLURM_DO, SLURM_DO,
     "already drained by hwhealth: reason updated", "resumed (was drained: hwhealth: red: fan1)"},
    {"draining", "hwhealth: red", SLURM_DO, SLURM_DO,
     "already draining by hwhealth: reason updated", "resumed (was draining: hwhealth: red)"},
    {"drained", "operator: bad DIMM", SLURM_SKIP, SLURM_SKIP,
     "already drained by someone else: operator: bad DIMM",
     "not hwhealth's drain: drained by someone else: operator: bad DIMM"},
    {"drained*", "Kill task failed", SLURM_SKIP, SLURM_SKIP,
     "already drained* by someone else: Kill task failed",
     "not hwhealth's drain: drained* by someone else: Kill task failed"},
    {"down*", "Not responding", SLURM_SKIP, SLURM_SKIP,
     "already down* by someone else: Not responding", "not drained (down*): nothing to undo"},
    {"down", "hwhealth: red", SLURM_DO, SLURM_SKIP, "drained (was down)",
     "not drained (down): nothing to undo"},
    {"fail", "bad", SLURM_SKIP, SLURM_SKIP, "already fail by someone else: bad",
     "not drained (fail): nothing to undo"},
    {"idle*", "none", SLURM_DO, SLURM_SKIP, "drained (was idle*)",
     "not drained (idle*): nothing to undo"},
    /* "hwhealth" without the colon is not ours: the prefix is exact. */
    {"drained", "hwhealth red", SLURM_SKIP, SLURM_SKIP,
     "already drained by someone else: hwhealth red",
     "not hwhealth's drain: drained by someone else: hwhealth red"},
};

START_TEST(test_decide)
{
	struct slurm_node_info n = {0};
	char why[256];

	snprintf(n.state, sizeof n.state, "%s", decisions[_i].state);
	snprintf(n.reason, sizeof n.reason, "%s", decisions[_i].reason);
	ck_assert_int_eq(slurm_decide_drain(&n, why, sizeof why), decisions[_i].drain);
	ck_assert_str_eq(why, decisions[_i].drain_why);
	ck_assert_int_eq(slurm_decide_undrain(&n, why, sizeof why), decisions[_i].undrain);
	ck_assert_str_eq(why, decisions[_i].undrain_why);
}
END_TEST

/* ---- reason text ------------------------------------------------------------ */

START_TEST(test_reason_text)
{
	char buf[SLURM_REASON_MAX], long_reason[600];

	ck_assert_str_eq(slurm_reason_text("red: fan1 below 600 RPM", buf, sizeof buf),
			 "hwhealth: red: fan1 below 600 RPM");
	ck_assert_str_eq(slurm_reason_text("", buf, sizeof buf), "hwhealth: no reason given");
	ck_assert_str_eq(slurm_reason_text(NULL, buf, sizeof buf), "hwhealth: no reason given");
	/* A newline would split sinfo's line; scontrol strips a trailing '"'. */
	ck_assert_str_eq(slurm_reason_text("a\nb\tc \"x=1\"", buf, sizeof buf),
			 "hwhealth: a b c 'x=1'");
	memset(long_reason, 'x', sizeof long_reason - 1);
	long_reason[sizeof long_reason - 1] = '\0';
	ck_assert_uint_eq(strlen(slurm_reason_text(long_reason, buf, sizeof buf)),
			  SLURM_REASON_MAX - 1);
	/* Cut on a character: "é" (2 bytes) straddling the cut is dropped. */
	memset(long_reason, 'x', sizeof long_reason);
	memcpy(long_reason + SLURM_REASON_MAX - 12, "\xc3\xa9", 2);
	long_reason[SLURM_REASON_MAX - 10] = '\0';
	slurm_reason_text(long_reason, buf, sizeof buf);
	ck_assert_uint_eq(strlen(buf), SLURM_REASON_MAX - 2);
	ck_assert_int_eq(buf[SLURM_REASON_MAX - 3], 'x');
}
END_TEST

/* ---- the drain budget ------------------------------------------------------- */

START_TEST(test_counts)
{
	int nodes, out;
	char why[128];

	ck_assert_int_eq(slurm_parse_counts("1|drained\n2|idle\n3|down*\n1|idle~\n", &nodes, &out,
					    why, sizeof why),
			 0);
	ck_assert_int_eq(nodes, 7);
	ck_assert_int_eq(out, 4);
	ck_assert_int_eq(slurm_parse_counts("", &nodes, &out, why, sizeof why), 0);
	ck_assert_int_eq(nodes, 0);
	ck_assert_int_eq(slurm_parse_counts("x|idle\n", &nodes, &out, why, sizeof why), -EPROTO);
	ck_assert_str_eq(why, "unexpected sinfo line: x|idle");
	ck_assert_int_eq(slurm_parse_counts("3|\n", &nodes, &out, why, sizeof why), -EPROTO);
	ck_assert_int_eq(slurm_parse_counts("-1|idle\n", &nodes, &out, why, sizeof why), -EPROTO);
}
END_TEST

/* Lines that each pass but add up past an int (found while writing
 * tests/fuzz/fuzz_slurm_parse): refused, not wrapped. */
START_TEST(test_counts_sum_bounded)
{
	const char line[] = "1000000|down\n";
	size_t n = 2200, one = sizeof line - 1;
	char *many = malloc(n * one + 1), why[128];
	int nodes, out;

	ck_assert_ptr_nonnull(many);
	for (size_t i = 0; i < n; i++)
		memcpy(many + i * one, line, one);
	many[n * one] = '\0';
	ck_assert_int_eq(slurm_parse_counts(many, &nodes, &out, why, sizeof why), -EPROTO);
	ck_assert_str_eq(why, "sinfo counts more than 1000000 nodes");
	ck_assert_int_eq(slurm_parse_counts(many + (n - 1) * one, &nodes, &out, why, sizeof why),
			 0);
	ck_assert_int_eq(nodes, 1000000);
	ck_assert_int_eq(out, 1000000);
	free(many);
}
END_TEST

START_TEST(test_out_names)
{
	/* node2 in two partitions counts once; node1 is self. */
	const char out[] = "node1|drained\nnode1|drained\nnode2|down*\nnode2|down*\nnode3|idle\n"
			   "node4|draining\nnode5|idle~\n";
	char names[64];

	ck_assert_int_eq(slurm_parse_out_names(out, "node1", names, sizeof names), 1);
	ck_assert_str_eq(names, "node2 node4");
	ck_assert_int_eq(slurm_parse_out_names(out, "node3", names, sizeof names), 0);
	ck_assert_str_eq(names, "node1 node2 node4");
	ck_assert_int_eq(slurm_parse_out_names(out, "node9", names, sizeof names), -1);
	/* Cut at a whole name. */
	ck_assert_int_eq(slurm_parse_out_names(out, "node3", names, 12), 0);
	ck_assert_str_eq(names, "node1 node2");
}
END_TEST

Suite *slurm_suite(void)
{
	Suite *s = suite_create("slurm");
	TCase *tc = tcase_create("opts");

	tcase_add_test(tc, test_opts_defaults);
	tcase_add_test(tc, test_opts_all);
	tcase_add_loop_test(tc, test_opts_bad, 0, sizeof bad_opts / sizeof bad_opts[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, test_parse_node);
	tcase_add_loop_test(tc, test_states, 0, sizeof states / sizeof states[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_loop_test(tc, test_decide, 0, sizeof decisions / sizeof decisions[0]);
	tcase_add_test(tc, test_reason_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("budget");
	tcase_add_test(tc, test_counts);
	tcase_add_test(tc, test_counts_sum_bounded);
	tcase_add_test(tc, test_out_names);
	suite_add_tcase(s, tc);
	return s;
}
