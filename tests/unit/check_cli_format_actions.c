/*
 * Unit tests of cli_format_actions.c: the renderings of "actions" (the
 * policy header, the table, --verbose), "silences", the answer to
 * "silence", the policy line of "status", and check's verdict line and
 * exit code.
 *
 * The fixtures follow docs/PROTOCOL.md (issue 6 contract) member by member:
 * every result value, nulls in every nullable member, a detail longer than
 * its column, a tool output cut by the daemon.  Renderings are compared as
 * whole strings in UTC.  To cover a new case, add a START_TEST and list it
 * in its TCase in cli_format_actions_suite().
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli_format.h"
#include "fmtlib.h"

Suite *cli_format_actions_suite(void);

/* ---- fixtures ----------------------------------------------------------- */

/* A drained node: three actions (done, a retried timeout with cut output,
 * a manual one still pending), two actuators. */
static const char actions_drained[] =
    "{\"policy\": {\"dry_run\": false, \"fencing\": true, \"posture\": \"drained\","
    "  \"effective_state\": \"red\", \"drained_since\": 1763762400.1, \"silenced\": false,"
    "  \"budget\": {\"max_unhealthy\": \"10%\","
    "             \"last\": \"ok: 0 other nodes out of 12 are out, max 1\","
    "             \"checked\": 1763762400.2},"
    "  \"fenced_boot\": false, \"next\": \"undrain when green until 1763762999.0\"},"
    " \"actuators\": ["
    "  {\"name\": \"pacemaker\", \"plugin\": \"pacemaker\", \"busy\": false, \"queued\": 0,"
    "   \"on\": [\"notify\", \"drain\", \"undrain\", \"fence\"]},"
    "  {\"name\": \"slurm-part\", \"plugin\": \"slurm\", \"busy\": true, \"queued\": 2,"
    "   \"on\": [\"drain\", \"undrain\"]}],"
    " \"actions\": ["
    "  {\"id\": 7, \"action\": \"notify\", \"actuator\": \"pacemaker\", \"trigger\": \"auto\","
    "   \"user\": null, \"state\": \"red\", \"previous_state\": \"yellow\", \"score\": 40.0,"
    "   \"reason\": \"red: fan-slowing: fan1 1200 RPM, falling\","
    "   \"evidence\": [\"fan-slowing: fan1 1200 RPM, falling -50/min (sensors/it87/fan1)\","
    "                  \"hw-over-max: temp1 85 C >= 80 C (sensors/it87/temp1)\"],"
    "   \"requested\": 1763762400.1, \"started\": 1763762400.1, \"finished\": 1763762400.2,"
    "   \"duration_ms\": 12.3, \"result\": \"done\", \"attempt\": 1, \"next_retry\": null,"
    "   \"exit_status\": 0, \"detail\": \"attrd_updater: #health-hwhealth=red on node1\","
    "   \"output\": \"\"},"
    "  {\"id\": 8, \"action\": \"drain\", \"actuator\": \"slurm-part\", \"trigger\": \"auto\","
    "   \"user\": null, \"state\": \"red\", \"previous_state\": \"yellow\", \"score\": 40.0,"
    "   \"reason\": \"red: fan-slowing\", \"evidence\": [],"
    "   \"requested\": 1763762401.0, \"started\": 1763762401.0, \"finished\": 1763762431.0,"
    "   \"duration_ms\": 30000.0, \"result\": \"timeout\", \"attempt\": 2,"
    "   \"next_retry\": 1763762460.0, \"exit_status\": null,"
    "   \"detail\": \"scontrol was killed after 29.8s\","
    "   \"output\": \"scontrol: error: Socket timed out\\nscontrol: error: retr\"},"
    "  {\"id\": 9, \"action\": \"drain\", \"actuator\": \"pacemaker\", \"trigger\": \"manual\","
    "   \"user\": \"root\", \"state\": \"red\", \"previous_state\": null, \"score\": null,"
    "   \"reason\": \"operator: replacing fan\", \"evidence\": null,"
    "   \"requested\": 1763762500.0, \"started\": null, \"finished\": null,"
    "   \"duration_ms\": null, \"result\": \"pending\", \"attempt\": 1, \"next_retry\": null,"
    "   \"exit_status\": null, \"detail\": \"\", \"output\": null}]}";

static const char actions_drained_header[] =
    "policy: drained by hwhealth since 2025-11-21 22:00:00 (effective state red)\n"
    "fencing: enabled; fenced before this boot: no\n"
    "budget: max unhealthy 10%; last check 2025-11-21 22:00:00: ok: 0 other nodes out of 12 "
    "are out, max 1\n"
    "next: undrain when green until 1763762999.0\n"
    "actuator pacemaker: plugin pacemaker, on notify drain undrain fence\n"
    "actuator slurm-part: plugin slurm, on drain undrain, busy, 2 queued\n"
    "\n";

/* Every result value of the contract, in its order. */
static const char *const results[] = {"pending", "running", "done",    "skipped",  "failed",
				      "timeout", "refused", "dry-run", "cancelled"};

/* An "actions" result with one action of each result value (ids 1 to 8, then
 * 10), the other members as the contract has them.  malloc'd. */
static char *actions_every_result(void)
{
	size_t n = sizeof(results) / sizeof(results[0]), len = 0;
	char *json = NULL;
	FILE *out = open_memstream(&json, &len);

	ck_assert_ptr_nonnull(out);
	fputs("{\"policy\": null, \"actuators\": [], \"actions\": [", out);
	for (size_t i = 0; i < n; i++)
		fprintf(out,
			"%s{\"id\": %zu, \"action\": \"drain\", \"actuator\": \"slurm\", "
			"\"trigger\": \"auto\", \"user\": null, \"state\": \"red\", "
			"\"previous_state\": \"yellow\", \"score\": 50, \"reason\": \"red\", "
			"\"evidence\": [], \"requested\": 1763762400, \"started\": null, "
			"\"finished\": null, \"duration_ms\": 1.5, \"result\": \"%s\", "
			"\"attempt\": 1, \"next_retry\": null, \"exit_status\": null, "
			"\"detail\": \"%s detail\", \"output\": \"\"}",
			i ? ", " : "", i + 1 < n ? i + 1 : 10, results[i], results[i]);
	fputs("]}", out);
	ck_assert_int_eq(fclose(out), 0);
	return json;
}

/* ---- actions ------------------------------------------------------------ */

START_TEST(test_actions_table)
{
	char *s = fmt_render(cli_print_actions, actions_drained);
	char want[4096];

	snprintf(want, sizeof(want), "%s%s", actions_drained_header,
		 "ID  TIME                 ACTION  ACTUATOR    TRIGGER        RESULT             "
		 "  DURATION  DETAIL\n"
		 " 7  2025-11-21 22:00:00  notify  pacemaker   auto           done               "
		 "    12.3ms  attrd_updater: #health-hwhealth=red on node1\n"
		 " 8  2025-11-21 22:00:01  drain   slurm-part  auto           timeout (attempt 2)"
		 "    30.00s  scontrol was killed after 29.8s\n"
		 " 9  2025-11-21 22:01:40  drain   pacemaker   manual (root)  pending            "
		 "         -  -\n");
	ck_assert_str_eq(s, want);
	free(s);
}
END_TEST

START_TEST(test_actions_verbose)
{
	char *s = fmt_render(cli_print_actions_verbose, actions_drained);
	char want[4096];

	snprintf(want, sizeof(want), "%s%s", actions_drained_header,
		 "ID  TIME                 ACTION  ACTUATOR    TRIGGER        RESULT             "
		 "  DURATION  DETAIL\n"
		 " 7  2025-11-21 22:00:00  notify  pacemaker   auto           done               "
		 "    12.3ms  attrd_updater: #health-hwhealth=red on node1\n"
		 "  reason: red: fan-slowing: fan1 1200 RPM, falling\n"
		 "  state: red (was yellow), score 40\n"
		 "  evidence:\n"
		 "    fan-slowing: fan1 1200 RPM, falling -50/min (sensors/it87/fan1)\n"
		 "    hw-over-max: temp1 85 C >= 80 C (sensors/it87/temp1)\n"
		 "  started 2025-11-21 22:00:00, finished 2025-11-21 22:00:00, exit status 0\n"
		 " 8  2025-11-21 22:00:01  drain   slurm-part  auto           timeout (attempt 2)"
		 "    30.00s  scontrol was killed after 29.8s\n"
		 "  reason: red: fan-slowing\n"
		 "  state: red (was yellow), score 40\n"
		 "  started 2025-11-21 22:00:01, finished 2025-11-21 22:00:31, next retry "
		 "2025-11-21 22:01:00\n"
		 "  output:\n"
		 "    scontrol: error: Socket timed out\n"
		 "    scontrol: error: retr\n"
		 " 9  2025-11-21 22:01:40  drain   pacemaker   manual (root)  pending            "
		 "         -  -\n"
		 "  reason: operator: replacing fan\n"
		 "  state: red\n");
	ck_assert_str_eq(s, want);
	free(s);
}
END_TEST

START_TEST(test_actions_every_result)
{
	char *json = actions_every_result();
	char *s = fmt_render(cli_print_actions, json);

	ck_assert_str_eq(
	    s,
	    "policy: -\n"
	    "actuators: none\n"
	    "\n"
	    "ID  TIME                 ACTION  ACTUATOR  TRIGGER  RESULT     DURATION  DETAIL\n"
	    " 1  2025-11-21 22:00:00  drain   slurm     auto     pending      1.50ms  pending "
	    "detail\n"
	    " 2  2025-11-21 22:00:00  drain   slurm     auto     running      1.50ms  running "
	    "detail\n"
	    " 3  2025-11-21 22:00:00  drain   slurm     auto     done         1.50ms  done detail\n"
	    " 4  2025-11-21 22:00:00  drain   slurm     auto     skipped      1.50ms  skipped "
	    "detail\n"
	    " 5  2025-11-21 22:00:00  drain   slurm     auto     failed       1.50ms  failed "
	    "detail\n"
	    " 6  2025-11-21 22:00:00  drain   slurm     auto     timeout      1.50ms  timeout "
	    "detail\n"
	    " 7  2025-11-21 22:00:00  drain   slurm     auto     refused      1.50ms  refused "
	    "detail\n"
	    " 8  2025-11-21 22:00:00  drain   slurm     auto     dry-run      1.50ms  dry-run "
	    "detail\n"
	    "10  2025-11-21 22:00:00  drain   slurm     auto     cancelled    1.50ms  cancelled "
	    "detail\n");
	free(s);
	free(json);
}
END_TEST

/* Every nullable member null, the others missing or of the wrong type. */
START_TEST(test_actions_nulls)
{
	static const char nulls[] =
	    "{\"policy\": {\"dry_run\": null, \"fencing\": null, \"posture\": null,"
	    "  \"effective_state\": null, \"drained_since\": null, \"silenced\": null,"
	    "  \"budget\": {\"max_unhealthy\": null, \"last\": null, \"checked\": null},"
	    "  \"fenced_boot\": null, \"next\": null},"
	    " \"actuators\": [{\"name\": null, \"plugin\": 3, \"busy\": \"yes\", \"queued\": null,"
	    "                  \"on\": null}, 7],"
	    " \"actions\": [{\"id\": null, \"action\": null, \"actuator\": null, \"trigger\": null,"
	    "   \"user\": null, \"state\": null, \"previous_state\": null, \"score\": null,"
	    "   \"reason\": null, \"evidence\": null, \"requested\": null, \"started\": null,"
	    "   \"finished\": null, \"duration_ms\": null, \"result\": null, \"attempt\": null,"
	    "   \"next_retry\": null, \"exit_status\": null, \"detail\": null, \"output\": null},"
	    "  {}, 5, null]}";
	static const char header[] =
	    "policy: -\n"
	    "fencing: disabled; fenced before this boot: no\n"
	    "budget: max unhealthy -; not checked yet\n"
	    "next: nothing planned\n"
	    "actuator -: plugin -, on -\n"
	    "actuator -: plugin -, on -\n"
	    "\n"
	    "ID  TIME  ACTION  ACTUATOR  TRIGGER  RESULT  DURATION  DETAIL\n"
	    " -  -     -       -         -        -              -  -\n"
	    " -  -     -       -         -        -              -  -\n"
	    " -  -     -       -         -        -              -  -\n"
	    " -  -     -       -         -        -              -  -\n";
	char *s = fmt_render(cli_print_actions, nulls);

	ck_assert_str_eq(s, header);
	free(s);
	/* Verbose adds nothing under the rows: there is nothing to say. */
	s = fmt_render(cli_print_actions_verbose, nulls);
	ck_assert_str_eq(s, header);
	free(s);
}
END_TEST

START_TEST(test_actions_empty)
{
	char *s = fmt_render(cli_print_actions, "{}");

	ck_assert_str_eq(s, "policy: -\nactuators: none\n\nno actions\n");
	free(s);
	s = fmt_render(cli_print_actions_verbose, "[1, 2]");
	ck_assert_str_eq(s, "policy: -\nactuators: none\n\nno actions\n");
	free(s);
	s = fmt_render(cli_print_actions,
		       "{\"policy\": {\"posture\": \"normal\", \"effective_state\": \"green\","
		       " \"budget\": null}, \"actuators\": [], \"actions\": []}");
	ck_assert_str_eq(s, "policy: normal (effective state green)\n"
			    "fencing: disabled; fenced before this boot: no\n"
			    "budget: max unhealthy -; not checked yet\n"
			    "next: nothing planned\n"
			    "actuators: none\n"
			    "\n"
			    "no actions\n");
	free(s);
}
END_TEST

/* A detail longer than CLI_DETAIL_MAX characters is cut in the table, on
 * a character boundary, and shown whole under --verbose. */
START_TEST(test_actions_long_detail)
{
	char detail[512], json[1024], want[1024], *s;
	char *row;

	memset(detail, 'x', 150);
	detail[150] = '\0';
	memcpy(detail + 75, "\xc3\xa9\xc3\xa9\xc3\xa9", 6); /* "ééé" over the cut */
	snprintf(json, sizeof(json),
		 "{\"actions\": [{\"id\": 1, \"result\": \"failed\", \"detail\": \"%s\"}]}",
		 detail);
	s = fmt_render(cli_print_actions, json);
	row = strstr(s, "\n 1  ");
	ck_assert_ptr_nonnull(row);
	/* 75 x, two é (77 characters, 79 bytes), "..." */
	snprintf(want, sizeof(want), "%.79s...\n", detail);
	ck_assert_str_eq(strstr(row, "  x") + 2, want);
	free(s);
	s = fmt_render(cli_print_actions_verbose, json);
	snprintf(want, sizeof(want), "  detail: %s\n", detail);
	ck_assert_msg(strstr(s, want) != NULL, "no full detail in:\n%s", s);
	free(s);
	/* Exactly CLI_DETAIL_MAX characters: not cut, nothing under the row. */
	memset(detail, 'y', CLI_DETAIL_MAX);
	detail[CLI_DETAIL_MAX] = '\0';
	snprintf(json, sizeof(json), "{\"actions\": [{\"id\": 1, \"detail\": \"%s\"}]}", detail);
	s = fmt_render(cli_print_actions_verbose, json);
	snprintf(want, sizeof(want), "  %s\n", detail);
	ck_assert_msg(strstr(s, want) != NULL && strstr(s, "detail: ") == NULL, "%s", s);
	free(s);
}
END_TEST

/* Output the daemon cut mid-line, with CRLF and a terminal escape. */
START_TEST(test_actions_cut_output)
{
	char *s =
	    fmt_render(cli_print_actions_verbose,
		       "{\"actions\": [{\"id\": 4, \"result\": \"failed\", \"exit_status\": 1,"
		       " \"output\": \"line one\\r\\n\\u001b[31mred\\n\\nlast, cut he\"}]}");

	ck_assert_msg(strstr(s, "  exit status 1\n"
				"  output:\n"
				"    line one?\n"
				"    ?[31mred\n"
				"    \n"
				"    last, cut he\n") != NULL,
		      "%s", s);
	ck_assert_ptr_null(strchr(s, '\x1b'));
	free(s);
}
END_TEST

/* ---- silences ----------------------------------------------------------- */

START_TEST(test_silences_table)
{
	char *s = fmt_render(
	    cli_print_silences,
	    "{\"silences\": ["
	    " {\"id\": 3, \"target\": \"fan-slowing\", \"reason\": \"fan ordered\","
	    "  \"user\": \"root\", \"created\": 1763762400.0, \"expires\": 1763769600.0,"
	    "  \"remaining_s\": 7100.2, \"matching\": 2},"
	    " {\"id\": 12, \"target\": \"sensors/it87/fan1\", \"reason\": \"maintenance\","
	    "  \"user\": \"alice\", \"created\": 1763762400.0, \"expires\": 1763762490.0,"
	    "  \"remaining_s\": 42.7, \"matching\": 0},"
	    " {\"id\": 13, \"target\": \"all\", \"reason\": null, \"user\": null,"
	    "  \"created\": null, \"expires\": null, \"remaining_s\": null,"
	    "  \"matching\": null}]}");

	ck_assert_str_eq(s, "ID  TARGET             MATCHING  REMAINING  USER   REASON\n"
			    " 3  fan-slowing               2      1h58m  root   fan ordered\n"
			    "12  sensors/it87/fan1         0        43s  alice  maintenance\n"
			    "13  all                       -          -  -      -\n");
	free(s);
}
END_TEST

START_TEST(test_silences_empty)
{
	char *s = fmt_render(cli_print_silences, "{\"silences\": []}");

	ck_assert_str_eq(s, "no silences\n");
	free(s);
	s = fmt_render(cli_print_silences, "{\"silences\": {\"id\": 1}}");
	ck_assert_str_eq(s, "no silences\n");
	free(s);
}
END_TEST

START_TEST(test_silence_added)
{
	char *s =
	    fmt_render(cli_print_silence,
		       "{\"silence\": {\"id\": 3, \"target\": \"fan-slowing\", \"reason\": \"r\","
		       " \"user\": \"root\", \"created\": 1763762400.0, \"expires\": 1763769600.0,"
		       " \"remaining_s\": 7200.0, \"matching\": 1}}");

	ck_assert_str_eq(s, "silence 3: fan-slowing until 2025-11-22 00:00:00 (matching 1 "
			    "finding now)\n");
	free(s);
	s = fmt_render(cli_print_silence, "{}");
	ck_assert_str_eq(s, "silence -: - until - (matching - findings now)\n");
	free(s);
}
END_TEST

/* ---- policy line, status ------------------------------------------------ */

static void check_policy(const char *json, const char *node_state, const char *want)
{
	json_object *p = fmt_js(json);
	char buf[CLI_LINE_LEN];

	ck_assert_str_eq(cli_fmt_policy(buf, sizeof(buf), p, node_state), want);
	json_object_put(p);
}

START_TEST(test_policy_line)
{
	check_policy("{\"posture\": \"normal\", \"effective_state\": \"green\"}", "green",
		     "normal");
	check_policy("{\"posture\": \"notified\", \"effective_state\": \"yellow\"}", NULL,
		     "notified (effective state yellow)");
	check_policy("{\"posture\": \"drained\", \"drained_since\": 1763762531.0,"
		     " \"dry_run\": true, \"effective_state\": \"red\"}",
		     "red", "drained by hwhealth since 2025-11-21 22:02:11 (dry-run)");
	check_policy("{\"posture\": \"drained\", \"drained_since\": null}", "red",
		     "drained by hwhealth");
	check_policy("{\"posture\": \"fenced\", \"effective_state\": \"green\", \"silenced\": true,"
		     " \"dry_run\": true}",
		     "critical", "fenced (effective state green, dry-run, silenced)");
	check_policy("{\"posture\": \"new\\u0007word\"}", "red", "new?word");
	check_policy("{}", "red", "-");
	check_policy("[]", "red", "-");
	check_policy("\"drained\"", NULL, "-");
}
END_TEST

START_TEST(test_policy_line_cut)
{
	json_object *p = fmt_js("{\"posture\": \"drained\", \"drained_since\": 1763762531.0,"
				" \"dry_run\": true}");
	char buf[24];

	ck_assert_str_eq(cli_fmt_policy(buf, sizeof(buf), p, NULL), "drained by hwhealth ...");
	ck_assert_str_eq(cli_fmt_policy(buf, 5, p, NULL), "d...");
	ck_assert_str_eq(cli_fmt_policy(buf, 4, p, NULL), "");
	json_object_put(p);
}
END_TEST

START_TEST(test_status_policy)
{
	char *s = fmt_render(
	    cli_print_status,
	    "{\"node\": {\"state\": \"red\", \"score\": 50,"
	    "  \"reasons\": [\"hot: temp1 at 61.5 > 50\"]},"
	    " \"sources\": [], \"version\": \"0.1.0\", \"pid\": 1, \"uptime_s\": 5,"
	    " \"policy\": {\"dry_run\": true, \"fencing\": false, \"posture\": \"drained\","
	    "  \"effective_state\": \"red\", \"drained_since\": 1763762531.0,"
	    "  \"silenced\": false, \"budget\": {\"max_unhealthy\": \"1\", \"last\": null,"
	    "  \"checked\": null}, \"fenced_boot\": false, \"next\": null}}");

	ck_assert_str_eq(s, "node: red (score 50)\n"
			    "  hot: temp1 at 61.5 > 50\n"
			    "policy: drained by hwhealth since 2025-11-21 22:02:11 (dry-run)\n"
			    "\n"
			    "no sources\n"
			    "\n"
			    "hwhealthd 0.1.0, pid 1, up 5s\n");
	free(s);
	/* No policy, or not an object: no line. */
	s = fmt_render(cli_print_status, "{\"node\": {\"state\": \"green\"}, \"policy\": null}");
	ck_assert_str_eq(s, "node: green\n\nno sources\n\nhwhealthd -, pid -, up -\n");
	free(s);
}
END_TEST

/* ---- check -------------------------------------------------------------- */

static int verdict(const char *json, int fail_on, char *buf, size_t len)
{
	json_object *st = fmt_js(json);
	int rc = cli_check_verdict(st, fail_on, buf, len);

	json_object_put(st);
	return rc;
}

START_TEST(test_check_verdict)
{
	static const char red[] =
	    "{\"node\": {\"state\": \"red\", \"reasons\":"
	    " [\"hot: temp1 at 61.5 > 50\", \"fan-slowing: fan1\\nfalling\"]}}";
	char buf[CLI_LINE_LEN];

	ck_assert_int_eq(verdict(red, CLI_RANK_RED, buf, sizeof(buf)), 1);
	ck_assert_str_eq(buf, "hwhealth: red: hot: temp1 at 61.5 > 50; fan-slowing: fan1?falling");
	ck_assert_int_eq(verdict(red, CLI_RANK_YELLOW, buf, sizeof(buf)), 1);
	ck_assert_int_eq(verdict(red, CLI_RANK_CRITICAL, buf, sizeof(buf)), 0);
	ck_assert_int_eq(verdict("{\"node\": {\"state\": \"green\", \"reasons\": []}}",
				 CLI_RANK_YELLOW, buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "hwhealth: green");
	ck_assert_int_eq(verdict("{\"node\": {\"state\": \"yellow\", \"reasons\": [\"w\"]}}",
				 CLI_RANK_RED, buf, sizeof(buf)),
			 0);
	ck_assert_str_eq(buf, "hwhealth: yellow: w");
	ck_assert_int_eq(
	    verdict("{\"node\": {\"state\": \"yellow\"}}", CLI_RANK_YELLOW, buf, sizeof(buf)), 1);
	ck_assert_int_eq(verdict("{\"node\": {\"state\": \"critical\", \"reasons\": [null, 3]}}",
				 CLI_RANK_CRITICAL, buf, sizeof(buf)),
			 1);
	ck_assert_str_eq(buf, "hwhealth: critical: -; 3");
}
END_TEST

START_TEST(test_check_unknown)
{
	char buf[CLI_LINE_LEN];

	ck_assert_int_eq(verdict("{}", CLI_RANK_RED, buf, sizeof(buf)), CLI_EXIT_UNKNOWN);
	ck_assert_str_eq(buf, "hwhealth: hwhealthd gave no node state");
	ck_assert_int_eq(
	    verdict("{\"node\": {\"state\": \"purple\"}}", CLI_RANK_YELLOW, buf, sizeof(buf)),
	    CLI_EXIT_UNKNOWN);
	ck_assert_int_eq(verdict("{\"node\": {\"state\": 2}}", CLI_RANK_YELLOW, buf, sizeof(buf)),
			 CLI_EXIT_UNKNOWN);
}
END_TEST

/* Many reasons: one line, cut with "..." within the buffer. */
START_TEST(test_check_long)
{
	char json[8192] = "{\"node\": {\"state\": \"red\", \"reasons\": [", buf[64];
	size_t off = strlen(json);

	for (int i = 0; i < 100; i++)
		off += (size_t)snprintf(json + off, sizeof(json) - off, "%s\"r%d: x\"",
					i ? ", " : "", i);
	snprintf(json + off, sizeof(json) - off, "]}}");
	ck_assert_int_eq(verdict(json, CLI_RANK_RED, buf, sizeof(buf)), 1);
	ck_assert_uint_eq(strlen(buf), sizeof(buf) - 1);
	ck_assert_str_eq(buf + strlen(buf) - 3, "...");
	ck_assert_int_eq(strncmp(buf, "hwhealth: red: r0: x; r1: x; ", 29), 0);
	ck_assert_ptr_null(strchr(buf, '\n'));
}
END_TEST

START_TEST(test_state_rank)
{
	ck_assert_int_eq(cli_state_rank("green"), CLI_RANK_GREEN);
	ck_assert_int_eq(cli_state_rank("yellow"), CLI_RANK_YELLOW);
	ck_assert_int_eq(cli_state_rank("red"), CLI_RANK_RED);
	ck_assert_int_eq(cli_state_rank("critical"), CLI_RANK_CRITICAL);
	ck_assert_int_eq(cli_state_rank("unknown"), -1);
	ck_assert_int_eq(cli_state_rank("Red"), -1);
	ck_assert_int_eq(cli_state_rank(NULL), -1);
}
END_TEST

Suite *cli_format_actions_suite(void)
{
	Suite *s = suite_create("cli_format_actions");
	TCase *tc;

	tc = tcase_create("actions");
	tcase_add_checked_fixture(tc, fmt_utc_setup, NULL);
	tcase_add_test(tc, test_actions_table);
	tcase_add_test(tc, test_actions_verbose);
	tcase_add_test(tc, test_actions_every_result);
	tcase_add_test(tc, test_actions_nulls);
	tcase_add_test(tc, test_actions_empty);
	tcase_add_test(tc, test_actions_long_detail);
	tcase_add_test(tc, test_actions_cut_output);
	suite_add_tcase(s, tc);

	tc = tcase_create("silences");
	tcase_add_checked_fixture(tc, fmt_utc_setup, NULL);
	tcase_add_test(tc, test_silences_table);
	tcase_add_test(tc, test_silences_empty);
	tcase_add_test(tc, test_silence_added);
	suite_add_tcase(s, tc);

	tc = tcase_create("policy");
	tcase_add_checked_fixture(tc, fmt_utc_setup, NULL);
	tcase_add_test(tc, test_policy_line);
	tcase_add_test(tc, test_policy_line_cut);
	tcase_add_test(tc, test_status_policy);
	suite_add_tcase(s, tc);

	tc = tcase_create("check");
	tcase_add_test(tc, test_check_verdict);
	tcase_add_test(tc, test_check_unknown);
	tcase_add_test(tc, test_check_long);
	tcase_add_test(tc, test_state_rank);
	suite_add_tcase(s, tc);
	return s;
}
