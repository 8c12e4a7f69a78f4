/*
 * check_mib: mibs/HWHEALTH-MIB.txt through the real MIB tools.
 *
 *   lint        smilint -l 6 (with the system's smi.conf) and smilint -l 9
 *               with no smi.conf at all print nothing and exit 0 (smilint
 *               exits 0 on errors too, so the output is what counts)
 *   lint-fails  copies of the MIB with one mistake each (an object or a
 *               notification left out of the conformance groups, a type
 *               not imported, an accessible index, a misspelt varbind)
 *               make smilint speak: the lint check above can fail
 *   translate   net-snmp's snmptranslate loads the MIB by name from
 *               -M mibs:IETF and prints the tree (-Tp) with the main
 *               objects, with no error; the OIDs the subagent will hard-
 *               code are pinned (-On)
 *   enums       each enumeration the daemon also has (node state, metric
 *               kind and status, source status, action and result,
 *               severity, posture) lists the daemon's own words in the
 *               daemon's order, numbered from 1, as net-snmp reads it:
 *               adding a kind or a result to the daemon fails here until
 *               the MIB has it
 *
 * The IETF base MIBs (SNMPv2-SMI, -TC, -CONF, SNMP-FRAMEWORK-MIB) come from
 * Debian's erlang-snmp package (contrib/deps.sh), the only one that ships
 * them as text; HWH_IETF_MIBS names another directory.  The net-snmp tools
 * run with an empty configuration path and a private persistent directory,
 * so neither /etc/snmp nor /var/lib/snmp plays a part.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actlog.h"
#include "actuator.h"
#include "health.h"
#include "metrics.h"
#include "policy.h"
#include "rules.h"
#include "source.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 60
#define TOOL_TIMEOUT_MS 20000
#define MIB_DIR HWH_SRC_DIR "/mibs"
#define MIB MIB_DIR "/HWHEALTH-MIB.txt"
#define IETF_GLOB "/usr/lib/erlang/lib/snmp-*/mibs"
#define IETF_PROBE "SNMPv2-SMI.mib"

static char dir[] = "/tmp/hwh-mib.XXXXXX";
static char ietf[512];
static char mibdirs[1100];

/* The directory holding the IETF base MIBs, or abort saying how to get it. */
static void find_ietf(void)
{
	const char *env = getenv("HWH_IETF_MIBS");
	glob_t g;

	if (env != NULL && *env != '\0') {
		snprintf(ietf, sizeof ietf, "%s", env);
		return;
	}
	if (glob(IETF_GLOB "/" IETF_PROBE, 0, NULL, &g) != 0 || g.gl_pathc == 0)
		ck_abort_msg("no IETF base MIBs (%s/%s): install erlang-snmp (make deps) or set "
			     "HWH_IETF_MIBS",
			     IETF_GLOB, IETF_PROBE);
	snprintf(ietf, sizeof ietf, "%s", g.gl_pathv[0]);
	*strrchr(ietf, '/') = '\0';
	globfree(&g);
}

static void setup(void)
{
	char persist[sizeof dir + 16];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	find_ietf();
	snprintf(mibdirs, sizeof mibdirs, "%s:%s", MIB_DIR, ietf);
	snprintf(persist, sizeof persist, "%s/persist", dir);
	ck_assert_int_eq(mkdir(persist, 0700), 0);
	/* libsmi's module path; net-snmp's config path (an empty directory:
	 * no snmp.conf is read) and persistent directory. */
	setenv("SMIPATH", ietf, 1);
	setenv("SNMPCONFPATH", dir, 1);
	setenv("SNMP_PERSISTENT_DIR", persist, 1);
	unsetenv("MIBS");
	unsetenv("MIBDIRS");
}

static void teardown(void)
{
	tl_rm_rf(dir);
}

/* ---- smilint -------------------------------------------------------------- */

/* Run smilint with args (NULL-ended, the MIB's path last); res filled. */
static void smilint(struct cmd_result *res, const char *const *args)
{
	const char *argv[12] = {"smilint"};
	size_t n = 1;

	for (; args[n - 1] != NULL && n < 11; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	cmd_run(argv, res, TOOL_TIMEOUT_MS);
	ck_assert_msg(res->code != 127, "%s", res->err);
}

START_TEST(test_lint_level6)
{
	struct cmd_result res;

	smilint(&res, (const char *[]){"-l", "6", MIB, NULL});
	ck_assert_msg(res.code == 0 && res.out[0] == '\0' && res.err[0] == '\0',
		      "smilint -l 6 exit %d:\n%s%s", res.code, res.out, res.err);
	cmd_result_free(&res);
}
END_TEST

/* Without /etc/smi.conf (which hides the name-length warnings) and at the
 * highest level. */
START_TEST(test_lint_strict)
{
	struct cmd_result res;

	smilint(&res, (const char *[]){"-c", "/dev/null", "-l", "9", "-s", "-m", MIB, NULL});
	ck_assert_msg(res.code == 0 && res.out[0] == '\0' && res.err[0] == '\0',
		      "smilint -c /dev/null -l 9 exit %d:\n%s%s", res.code, res.out, res.err);
	cmd_result_free(&res);
}
END_TEST

/* One mistake each: text to replace (must occur), its replacement, and a
 * word smilint's complaint must name. */
static const struct {
	const char *from, *to, *named;
} breaks[] = {
    {"        hwhSourceError,\n        hwhSourceMetrics\n    }", "        hwhSourceError\n    }",
     "hwhSourceMetrics"},
    {"        hwhPredictedFailure,\n        hwhNotificationsDropped\n    }",
     "        hwhPredictedFailure\n    }", "hwhNotificationsDropped"},
    {"Integer32, Unsigned32, Gauge32, Counter32,", "Integer32, Unsigned32, Counter32,", "Gauge32"},
    {"    SYNTAX      Unsigned32 (1..2147483647)\n    MAX-ACCESS  not-accessible",
     "    SYNTAX      Unsigned32 (1..2147483647)\n    MAX-ACCESS  read-only", "not-accessible"},
    {"        hwhNotifyPreviousState,\n        hwhNodeScore,",
     "        hwhNotifyPreviousState,\n        hwhNodeScor,", "hwhNodeScor"},
};

START_TEST(test_lint_fails)
{
	char path[sizeof dir + 32], *text = read_file_str(MIB), *at, *broken;
	struct cmd_result res;

	ck_assert_ptr_nonnull(text);
	at = strstr(text, breaks[_i].from);
	ck_assert_msg(at != NULL, "mutation %d: text not found in the MIB", _i);
	ck_assert_int_ne(asprintf(&broken, "%.*s%s%s", (int)(at - text), text, breaks[_i].to,
				  at + strlen(breaks[_i].from)),
			 -1);
	snprintf(path, sizeof path, "%s/HWHEALTH-MIB.txt", dir);
	ck_assert_int_eq(write_file_str(path, broken), 0);
	smilint(&res, (const char *[]){"-l", "6", path, NULL});
	ck_assert_msg(strstr(res.out, breaks[_i].named) != NULL ||
			  strstr(res.err, breaks[_i].named) != NULL,
		      "mutation %d: smilint did not complain about %s (exit %d):\n%s%s", _i,
		      breaks[_i].named, res.code, res.out, res.err);
	cmd_result_free(&res);
	free(broken);
	free(text);
}
END_TEST

/* ---- snmptranslate -------------------------------------------------------- */

/* snmptranslate -M mibs:IETF -m HWHEALTH-MIB with args (NULL-ended); exit
 * 0 and nothing on stderr but net-snmp's note that it made its persistent
 * directory's subdirectories. */
static void translate(struct cmd_result *res, const char *const *args)
{
	const char *argv[16] = {"snmptranslate", "-M", mibdirs, "-m", "HWHEALTH-MIB"};
	size_t n = 5, i;
	char *line, *next;

	for (i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cmd_run(argv, res, TOOL_TIMEOUT_MS);
	ck_assert_msg(res->code == 0, "snmptranslate exit %d:\n%s", res->code, res->err);
	for (line = res->err; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		ck_assert_msg(strncmp(line, "Created directory: ", 19) == 0,
			      "snmptranslate complained:\n%s", res->err);
	}
}

START_TEST(test_translate_tree)
{
	static const char *const want[] = {
	    "+--hwhealthMIB(32473)",
	    "+--hwhNotifications(0)",
	    "+--hwhNodeStateChange(1)",
	    "+--hwhPredictedFailure(2)",
	    "+--hwhDrainRequested(3)",
	    "+--hwhDrainDone(4)",
	    "+--hwhDrainRefused(5)",
	    "+--hwhFenceRequested(6)",
	    "+--hwhSourceUnavailable(7)",
	    "+--hwhSourceRecovered(8)",
	    "+--hwhNotificationsDropped(9)",
	    "EnumVal   hwhNodeState(1)",
	    "hwhNodeScore(2)",
	    "hwhNodeSince(3)",
	    "hwhNodeReason(4)",
	    "+--hwhSourceTable(4)",
	    "Index: hwhSourceIndex",
	    "hwhSourceStatus(4)",
	    "+--hwhMetricTable(5)",
	    "Index: hwhMetricIndex",
	    "hwhMetricPrecision(9)",
	    "Integer32 hwhMetricValue(10)",
	    "hwhMetricHighCritical(17)",
	    "hwhMetricSlope(19)",
	    "hwhMetricTimeToLimit(21)",
	    "+--hwhFindingTable(6)",
	    "hwhFindingMessage(8)",
	    "+--hwhActionTable(7)",
	    "hwhActionResult(7)",
	    "+--hwhCompliances(1)",
	    "+--hwhGroups(2)",
	};
	struct cmd_result res;
	size_t i;

	translate(&res, (const char *[]){"-Tp", NULL});
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(res.out, want[i]) != NULL, "no '%s' in the tree:\n%s", want[i],
			      res.out);
	cmd_result_free(&res);
}
END_TEST

/* The OIDs the subagent will register and send. */
START_TEST(test_translate_oids)
{
	static const char *const names[] = {
	    "HWHEALTH-MIB::hwhNodeState.0",	"HWHEALTH-MIB::hwhMetricValue.12345",
	    "HWHEALTH-MIB::hwhSourceStatus.7",	"HWHEALTH-MIB::hwhFindingEta.9",
	    "HWHEALTH-MIB::hwhActionResult.42", "HWHEALTH-MIB::hwhNotifyPreviousState.0",
	    "HWHEALTH-MIB::hwhNodeStateChange", "HWHEALTH-MIB::hwhNotificationsDropped",
	    "HWHEALTH-MIB::hwhCompliance",
	};
	static const char *const want = ".1.3.6.1.4.1.32473.1.1.1.0\n"
					".1.3.6.1.4.1.32473.1.5.1.10.12345\n"
					".1.3.6.1.4.1.32473.1.4.1.4.7\n"
					".1.3.6.1.4.1.32473.1.6.1.10.9\n"
					".1.3.6.1.4.1.32473.1.7.1.7.42\n"
					".1.3.6.1.4.1.32473.1.8.1.0\n"
					".1.3.6.1.4.1.32473.0.1\n"
					".1.3.6.1.4.1.32473.0.9\n"
					".1.3.6.1.4.1.32473.2.1.1\n";
	const char *args[16] = {"-On"};
	struct cmd_result res;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		args[i + 1] = names[i];
	args[i + 1] = NULL;
	translate(&res, args);
	/* snmptranslate puts a blank line between some answers: drop them. */
	for (char *p; (p = strstr(res.out, "\n\n")) != NULL;)
		memmove(p, p + 1, strlen(p + 1) + 1);
	ck_assert_str_eq(res.out, want);
	cmd_result_free(&res);
}
END_TEST

/* ---- enumerations against the daemon's words ------------------------------ */

/* The MIB's label for a daemon word: "dry-run" -> "dryRun"; "current" is
 * "electricCurrent" (net-snmp's parser drops a label named current). */
static void mib_label(const char *word, char *out, size_t len)
{
	size_t n = 0;
	bool up = false;

	if (strcmp(word, "current") == 0)
		word = "electricCurrent";
	for (; *word != '\0' && n + 1 < len; word++) {
		if (*word == '-') {
			up = true;
			continue;
		}
		out[n++] = up ? (char)(*word - 'a' + 'A') : *word;
		up = false;
	}
	out[n] = '\0';
}

typedef const char *(*name_fn)(int value);

static const char *w_node(int v)
{
	return node_state_name((enum node_state)v);
}
static const char *w_kind(int v)
{
	return kind_name((enum hwh_kind)v);
}
static const char *w_mstatus(int v)
{
	return metric_status_name((enum metric_status)v);
}
/* The daemon's source states, then "stale", which status derives. */
static const char *w_source(int v)
{
	return v <= SRC_UNAVAILABLE ? source_state_name((enum source_state)v) : "stale";
}
static const char *w_action(int v)
{
	return act_kind_name((enum act_kind)v);
}
static const char *w_result(int v)
{
	return act_result_name((enum act_result)v);
}
static const char *w_severity(int v)
{
	return rule_severity_name((enum rule_severity)v);
}
static const char *w_posture(int v)
{
	return posture_name((enum posture)v);
}

static const struct {
	const char *object;
	name_fn word;
	int count;
} enums[] = {
    {"hwhNodeState", w_node, NODE_CRITICAL + 1},
    {"hwhPolicyEffectiveState", w_node, NODE_CRITICAL + 1},
    {"hwhActionNodeState", w_node, NODE_CRITICAL + 1},
    {"hwhMetricKind", w_kind, HWH_KIND_COUNT},
    {"hwhMetricStatus", w_mstatus, MST_COUNT},
    {"hwhSourceStatus", w_source, SRC_UNAVAILABLE + 2},
    {"hwhActionAction", w_action, AK_COUNT},
    {"hwhActionResult", w_result, AR_COUNT},
    {"hwhFindingSeverity", w_severity, RSEV_COUNT},
    {"hwhPolicyPosture", w_posture, PO_FENCED + 1},
};

START_TEST(test_enums)
{
	char name[64], want[512], label[32], *syntax, *end;
	struct cmd_result res;
	size_t n;

	snprintf(name, sizeof name, "HWHEALTH-MIB::%s", enums[_i].object);
	n = (size_t)snprintf(want, sizeof want, "INTEGER {");
	for (int v = 0; v < enums[_i].count; v++) {
		mib_label(enums[_i].word(v), label, sizeof label);
		n += (size_t)snprintf(want + n, sizeof want - n, "%s%s(%d)", v ? ", " : "", label,
				      v + 1);
	}
	snprintf(want + n, sizeof want - n, "}");
	translate(&res, (const char *[]){"-Td", name, NULL});
	syntax = strstr(res.out, "SYNTAX\t");
	ck_assert_msg(syntax != NULL, "no SYNTAX for %s:\n%s", name, res.out);
	syntax += strlen("SYNTAX\t");
	end = strchr(syntax, '\n');
	if (end != NULL)
		*end = '\0';
	while (end != NULL && end > syntax && end[-1] == ' ')
		*--end = '\0';
	ck_assert_msg(strcmp(syntax, want) == 0, "%s:\n  MIB:    %s\n  daemon: %s",
		      enums[_i].object, syntax, want);
	cmd_result_free(&res);
}
END_TEST

Suite *mib_suite(void)
{
	Suite *s = suite_create("mib");
	TCase *lint = tcase_create("lint");
	TCase *tr = tcase_create("translate");

	tcase_add_checked_fixture(lint, setup, teardown);
	tcase_set_timeout(lint, TC_TIMEOUT_SEC);
	tcase_add_test(lint, test_lint_level6);
	tcase_add_test(lint, test_lint_strict);
	tcase_add_loop_test(lint, test_lint_fails, 0, sizeof breaks / sizeof breaks[0]);
	suite_add_tcase(s, lint);

	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, TC_TIMEOUT_SEC);
	tcase_add_test(tr, test_translate_tree);
	tcase_add_test(tr, test_translate_oids);
	tcase_add_loop_test(tr, test_enums, 0, sizeof enums / sizeof enums[0]);
	suite_add_tcase(s, tr);
	return s;
}
