/*
 * Unit tests of the hwhealth CLI: cli_format.c (tables, value, limit and age
 * formatting, the status, sensors, explain, rules and history renderings,
 * exit codes) and client.c
 * against a small Unix-socket server run on a thread inside the test, which
 * answers, stays silent, hangs up or sends too much, as each test asks.
 *
 * Renderings are compared as whole strings: a changed column or a lost
 * space fails a test.  To cover a new case, add a START_TEST and list it in
 * its TCase in cli_format_suite().
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli_format.h"
#include "client.h"
#include "fmtlib.h"

/* Collected by the Makefile into tests/main.c's runner. */
Suite *cli_format_suite(void);

/* ------------------------------------------------------------------ */
/* helpers */

static char *print_table(const struct cli_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(cli_table_print(t, out), 0);
	ck_assert_int_eq(fclose(out), 0);
	return buf;
}

/* cli_fmt_value() of a JSON literal. */
static void check_value(const char *kind, const char *value, const char *want)
{
	char buf[CLI_FMT_LEN];
	json_object *v = json_tokener_parse(value); /* "null" gives NULL */

	ck_assert_str_eq(cli_fmt_value(buf, sizeof(buf), kind, v), want);
	json_object_put(v);
}

static void check_limits(const char *limits, const char *want)
{
	char buf[CLI_LIMITS_LEN];
	json_object *v = json_tokener_parse(limits);

	ck_assert_str_eq(cli_fmt_limits(buf, sizeof(buf), v), want);
	json_object_put(v);
}

static void check_age(const char *age, const char *want)
{
	char buf[CLI_FMT_LEN];
	json_object *v = json_tokener_parse(age);

	ck_assert_str_eq(cli_fmt_age(buf, sizeof(buf), v), want);
	json_object_put(v);
}

static void check_ms(const char *ms, const char *want)
{
	char buf[CLI_FMT_LEN];
	json_object *v = json_tokener_parse(ms);

	ck_assert_str_eq(cli_fmt_ms(buf, sizeof(buf), v), want);
	json_object_put(v);
}

/* ------------------------------------------------------------------ */
/* tables */

static const char *const hdr3[] = {"A", "LONGER", "C"};

START_TEST(test_table_widths)
{
	const char *r1[] = {"xxxx", "y", "z"};
	const char *r2[] = {"1", "22", "333"};
	struct cli_table t;
	char *s;

	ck_assert_int_eq(cli_table_init(&t, 3, hdr3, 0), 0);
	ck_assert_int_eq(cli_table_add(&t, r1), 0);
	ck_assert_int_eq(cli_table_add(&t, r2), 0);
	s = print_table(&t);
	ck_assert_str_eq(s, "A     LONGER  C\n"
			    "xxxx  y       z\n"
			    "1     22      333\n");
	free(s);
	cli_table_free(&t);
}
END_TEST

START_TEST(test_table_right_align)
{
	const char *r1[] = {"a", "1.5", "x"};
	const char *r2[] = {"b", "1200.25", NULL};
	struct cli_table t;
	char *s;

	ck_assert_int_eq(cli_table_init(&t, 3, hdr3, 1u << 1), 0);
	ck_assert_int_eq(cli_table_add(&t, r1), 0);
	ck_assert_int_eq(cli_table_add(&t, r2), 0);
	s = print_table(&t);
	ck_assert_str_eq(s, "A   LONGER  C\n"
			    "a      1.5  x\n"
			    "b  1200.25  -\n");
	free(s);
	cli_table_free(&t);
}
END_TEST

START_TEST(test_table_utf8_and_control)
{
	const char *r1[] = {"\xc2\xb0"
			    "C",
			    "a\tb\x1b[2J", ""};
	struct cli_table t;
	char *s;

	ck_assert_int_eq(cli_table_init(&t, 3, hdr3, 0), 0);
	ck_assert_int_eq(cli_table_add(&t, r1), 0);
	s = print_table(&t);
	/* "°C" is two characters wide; escapes are defused; "" shows "-". */
	ck_assert_str_eq(s, "A   LONGER   C\n"
			    "\xc2\xb0"
			    "C  a?b?[2J  -\n");
	free(s);
	cli_table_free(&t);
}
END_TEST

START_TEST(test_table_many_rows)
{
	const char *row[] = {"r", "s", "t"};
	struct cli_table t;
	char *s;
	int i;

	ck_assert_int_eq(cli_table_init(&t, 3, hdr3, 0), 0);
	for (i = 0; i < 1000; i++)
		ck_assert_int_eq(cli_table_add(&t, row), 0);
	ck_assert_uint_eq(t.nrows, 1000);
	s = print_table(&t);
	ck_assert_uint_eq(strlen(s), strlen("A  LONGER  C\n") + 1000 * strlen("r  s       t\n"));
	free(s);
	cli_table_free(&t);
}
END_TEST

START_TEST(test_table_bad_columns)
{
	struct cli_table t;

	ck_assert_int_eq(cli_table_init(&t, 0, hdr3, 0), -EINVAL);
	ck_assert_int_eq(cli_table_init(&t, 33, hdr3, 0), -EINVAL);
	cli_table_free(&t);
}
END_TEST

/* ------------------------------------------------------------------ */
/* values by kind */

START_TEST(test_value_kinds)
{
	check_value("temperature", "45", "45.0");
	check_value("temperature", "-4.25", "-4.2");
	check_value("humidity", "40.04", "40.0");
	check_value("percent", "99.95", "100.0");
	check_value("voltage", "1.2", "1.200");
	check_value("current", "0.0125", "0.013");
	check_value("fan", "1200.4", "1200");
	check_value("fan", "1200", "1200");
	check_value("power", "12.5", "12.50");
	check_value("energy", "3600", "3600.00");
	check_value("intrusion", "1", "1");
	check_value("state", "2", "2");
}
END_TEST

START_TEST(test_value_other_and_large)
{
	check_value("other", "3.14159", "3.142");
	check_value("other", "80.0", "80");
	check_value(NULL, "0.5", "0.5");
	check_value("no-such-kind", "-0.0001", "0");
	/* Counters past 2^53 stay exact; huge doubles do not print 300 digits. */
	check_value("counter", "1152921504606846977", "1152921504606846977");
	check_value("temperature", "1e300", "1e+300");
}
END_TEST

START_TEST(test_value_null)
{
	char buf[CLI_FMT_LEN];

	check_value("temperature", "null", "-");
	check_value("voltage", "\"1.2\"", "-");
	check_value("fan", "true", "-");
	ck_assert_str_eq(cli_fmt_value(buf, sizeof(buf), "fan", NULL), "-");
}
END_TEST

START_TEST(test_sensors_null_value_row)
{
	char *s = fmt_render(cli_print_sensors,
			     "{\"metrics\": ["
			     "{\"id\": \"sensors/nct6775-isa-0290/temp2\", \"label\": \"SYSTIN\","
			     " \"kind\": \"temperature\", \"unit\": \"C\", \"value\": null,"
			     " \"limits\": {}, \"status\": \"unreadable\","
			     " \"error\": \"read failed\", \"age_s\": 0.4}]}");

	ck_assert_str_eq(s, "METRIC                          LABEL   VALUE  UNIT  LIMITS  "
			    "STATUS      AGE\n"
			    "sensors/nct6775-isa-0290/temp2  SYSTIN      -  C     -       "
			    "unreadable  0.4s\n");
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* limits, ages, durations */

START_TEST(test_limits_order)
{
	check_limits("{\"emerg\": 110, \"crit\": 100.0, \"max\": 80,"
		     " \"min\": 10, \"lcrit\": 5.5, \"lemerg\": -10}",
		     "lemerg=-10 lcrit=5.5 min=10 max=80 crit=100 emerg=110");
	check_limits("{\"max\": 80.0, \"crit\": 100.0}", "max=80 crit=100");
	check_limits("{\"min\": 1.125, \"max\": 1.26}", "min=1.125 max=1.26");
}
END_TEST

START_TEST(test_limits_absent)
{
	json_object *three = fmt_js("{\"min\": 10, \"max\": 80, \"crit\": 100}");
	char buf[CLI_LIMITS_LEN];

	check_limits("{}", "-");
	check_limits("null", "-");
	check_limits("[80]", "-");
	/* Unknown names and non-numbers are skipped. */
	check_limits("{\"high\": 80, \"max\": null, \"crit\": \"100\","
		     " \"min\": 3}",
		     "min=3");
	/* A short buffer keeps the limits that fit whole. */
	ck_assert_str_eq(cli_fmt_limits(buf, 12, three), "min=10");
	json_object_put(three);
}
END_TEST

START_TEST(test_age_format)
{
	check_age("1.23", "1.2s");
	check_age("0", "0.0s");
	check_age("-3", "0.0s");
	check_age("59.9", "59.9s");
	check_age("125", "2m05s");
	check_age("7500", "2h05m");
	check_age("90061", "1d01h");
	check_age("null", "-");
	check_age("\"1\"", "-");
	check_ms("0.84", "0.84ms");
	check_ms("12.46", "12.5ms");
	check_ms("1500", "1.50s");
	check_ms("null", "-");
}
END_TEST

/* ------------------------------------------------------------------ */
/* status and sensors renderings */

static const char status_yellow[] =
    "{\"version\": \"0.1.0\", \"pid\": 1234, \"uptime_s\": 52.1,"
    " \"config\": \"/etc/hwhealth/hwhealth.conf\","
    " \"node\": {\"state\": \"yellow\", \"reasons\":"
    "  [\"sensors/coretemp-isa-0000/temp1 above max (85 C >= 80 C)\"]},"
    " \"sources\": ["
    "  {\"name\": \"sensors\", \"plugin\": \"sensors\", \"status\": \"ok\","
    "   \"last_poll\": 1763762400.123, \"last_poll_age_s\": 1.2,"
    "   \"poll_ms\": 0.84, \"metrics\": 12, \"error\": null},"
    "  {\"name\": \"slow\", \"plugin\": \"sleepy\","
    "   \"status\": \"unavailable\", \"last_poll_age_s\": 12.0,"
    "   \"poll_ms\": null, \"metrics\": 0,"
    "   \"error\": \"poll timed out after 2s\"},"
    "  {\"name\": \"ipmi\", \"plugin\": \"ipmi\", \"status\": \"starting\","
    "   \"last_poll\": null, \"last_poll_age_s\": null, \"poll_ms\": null,"
    "   \"metrics\": 0, \"error\": null}]}";

START_TEST(test_status_table)
{
	char *s = fmt_render(cli_print_status, status_yellow);

	ck_assert_str_eq(s, "node: yellow\n"
			    "  sensors/coretemp-isa-0000/temp1 above max (85 C >= 80 C)\n"
			    "\n"
			    "SOURCE   PLUGIN   STATUS       LAST POLL  POLL    METRICS  ERROR\n"
			    "sensors  sensors  ok           1.2s ago   0.84ms  12       -\n"
			    "slow     sleepy   unavailable  12.0s ago  -       0        "
			    "poll timed out after 2s\n"
			    "ipmi     ipmi     starting     never      -       0        -\n"
			    "\n"
			    "hwhealthd 0.1.0, pid 1234, up 52s\n");
	free(s);
}
END_TEST

START_TEST(test_status_services)
{
	char *s = fmt_render(
	    cli_print_status,
	    "{\"node\": {\"state\": \"green\", \"reasons\": []}, \"sources\": [],"
	    " \"services\": [{\"name\": \"snmp\", \"plugin\": \"snmp\", \"state\": \"running\","
	    " \"ok\": true, \"status\": \"connected to /var/agentx/master\"},"
	    " {\"name\": \"snmp2\", \"plugin\": \"snmp\", \"state\": \"running\", \"ok\": false,"
	    " \"status\": \"AgentX master unreachable\"},"
	    " {\"name\": \"x\", \"plugin\": \"x\", \"state\": \"starting\", \"ok\": null,"
	    " \"status\": \"\"}]}");

	ck_assert_str_eq(s, "node: green\n"
			    "\n"
			    "no sources\n"
			    "\n"
			    "SERVICE  PLUGIN  STATE     STATUS\n"
			    "snmp     snmp    running   connected to /var/agentx/master\n"
			    "snmp2    snmp    failing   AgentX master unreachable\n"
			    "x        x       starting  -\n"
			    "\n"
			    "hwhealthd -, pid -, up -\n");
	free(s);
}
END_TEST

START_TEST(test_status_sparse)
{
	char *s =
	    fmt_render(cli_print_status, "{\"node\": {\"state\": \"green\","
					 " \"reasons\": []}, \"sources\": [], \"uptime_s\": 3725}");

	ck_assert_str_eq(s, "node: green\n"
			    "\n"
			    "no sources\n"
			    "\n"
			    "hwhealthd -, pid -, up 1h02m\n");
	free(s);
	s = fmt_render(cli_print_status, "{}");
	ck_assert_str_eq(s, "node: unknown\n\nno sources\n\n"
			    "hwhealthd -, pid -, up -\n");
	free(s);
}
END_TEST

START_TEST(test_sensors_table)
{
	char *s = fmt_render(cli_print_sensors,
			     "{\"metrics\": ["
			     "{\"id\": \"sensors/coretemp-isa-0000/temp1\", \"label\": \"Core 0\","
			     " \"kind\": \"temperature\", \"unit\": \"C\", \"value\": 45.0,"
			     " \"limits\": {\"max\": 80.0, \"crit\": 100.0}, \"status\": \"ok\","
			     " \"age_s\": 1.2},"
			     "{\"id\": \"sensors/it8728-isa-0a30/fan1\", \"label\": null,"
			     " \"kind\": \"fan\", \"unit\": \"RPM\", \"value\": 1200,"
			     " \"limits\": {\"min\": 600}, \"status\": \"alarm\", \"age_s\": 75},"
			     "{\"id\": \"ipmi/bmc/psu1\", \"label\": \"PSU1 Status\","
			     " \"kind\": \"state\", \"unit\": \"\", \"value\": 2,"
			     " \"text\": \"degraded\", \"status\": \"stale\", \"age_s\": 40}]}");

	ck_assert_str_eq(s, "METRIC                           LABEL           VALUE  UNIT  "
			    "LIMITS           STATUS  AGE\n"
			    "sensors/coretemp-isa-0000/temp1  Core 0           45.0  C     "
			    "max=80 crit=100  ok      1.2s\n"
			    "sensors/it8728-isa-0a30/fan1     -                1200  RPM   "
			    "min=600          alarm   1m15s\n"
			    "ipmi/bmc/psu1                    PSU1 Status  degraded  -     "
			    "-                stale   40.0s\n");
	free(s);
}
END_TEST

/* A "devices" answer for one ATA drive, as cmd_devices() builds it. */
#define DRIVE_SDA                                                                                  \
	"{\"source\": \"smart\", \"device\": \"sda\", \"findings\": ["                             \
	"{\"rule\": \"smart-sectors-growing\", \"severity\": \"warning\","                         \
	" \"message\": \"sda: attr197_raw grew by 2 in 24 h\"}],"                                  \
	" \"metrics\": ["                                                                          \
	"{\"name\": \"attr197_raw\", \"label\": \"Current_Pending_Sector\", \"kind\": "            \
	"\"counter\","                                                                             \
	" \"value\": 2, \"status\": \"ok\", \"text\": \"raw 2\","                                  \
	" \"trend_1h\": {\"delta\": 0}, \"trend_24h\": {\"delta\": 2}},"                           \
	"{\"name\": \"attr197_value\", \"label\": \"Current_Pending_Sector\", \"kind\": "          \
	"\"other\","                                                                               \
	" \"value\": 100, \"status\": \"ok\", \"text\": \"worst 100, thresh 0, old-age\","         \
	" \"trend_1h\": null, \"trend_24h\": null},"                                               \
	"{\"name\": \"attr5_raw\", \"label\": \"Reallocated_Sector_Ct\", \"kind\": \"counter\","   \
	" \"value\": 304, \"status\": \"ok\", \"trend_1h\": {\"delta\": 0},"                       \
	" \"trend_24h\": {\"delta\": 0}},"                                                         \
	"{\"name\": \"attr5_value\", \"kind\": \"other\", \"value\": 93, \"status\": \"ok\","      \
	" \"text\": \"worst 93, thresh 36, prefail\"},"                                            \
	"{\"name\": \"health_failed\", \"kind\": \"other\", \"value\": 0, \"text\": \"PASSED\","   \
	" \"status\": \"ok\"},"                                                                    \
	"{\"name\": \"identity\", \"kind\": \"other\", \"value\": 500107862016,"                   \
	" \"label\": \"ST3500418AS\", \"text\": \"ST3500418AS, serial 5VM, 500 GB, ATA\","         \
	" \"status\": \"ok\"},"                                                                    \
	"{\"name\": \"power_mode\", \"kind\": \"other\", \"value\": 1, \"text\": \"active\","      \
	" \"status\": \"ok\"},"                                                                    \
	"{\"name\": \"temperature\", \"kind\": \"temperature\", \"value\": 36, \"status\": "       \
	"\"held\"}"                                                                                \
	"]}"

START_TEST(test_drives_overview)
{
	char *s = fmt_render(cli_print_drives,
			     "{\"devices\": [" DRIVE_SDA ","
			     "{\"source\": \"smart2\", \"device\": \"nvme0\", \"findings\": [],"
			     " \"metrics\": [{\"name\": \"media_errors\", \"kind\": \"counter\","
			     " \"value\": 0}, {\"name\": \"health_failed\", \"kind\": \"other\","
			     " \"value\": 1}]}]}");

	ck_assert_str_eq(s, "DRIVE         MODEL        HEALTH  TEMP  HOURS  POWER   "
			    "MEDIA        FINDINGS\n"
			    "sda           ST3500418AS  PASSED  36.0      -  active  "
			    "5=304 197=2  warning (1 finding)\n"
			    "smart2/nvme0  -            FAILED     -      -  -       "
			    "media=0      ok\n");
	free(s);
}
END_TEST

START_TEST(test_drive_detail)
{
	char *s = fmt_render(cli_print_drive, "{\"devices\": [" DRIVE_SDA "]}");

	ck_assert_str_eq(s,
			 "sda: ST3500418AS, serial 5VM, 500 GB, ATA\n"
			 "\n"
			 " ID  ATTRIBUTE               VALUE  RAW  1H  24H  STATUS  NOTE\n"
			 "  5  Reallocated_Sector_Ct      93  304   0    0  ok      "
			 "worst 93, thresh 36, prefail\n"
			 "197  Current_Pending_Sector    100    2   0   +2  ok      "
			 "worst 100, thresh 0, old-age\n"
			 "\n"
			 "METRIC         VALUE  1H  24H  STATUS  NOTE\n"
			 "health_failed      0   -    -  ok      PASSED\n"
			 "power_mode         1   -    -  ok      active\n"
			 "temperature     36.0   -    -  held    -\n"
			 "\n"
			 "findings:\n"
			 "  warning smart-sectors-growing: sda: attr197_raw grew by 2 in 24 h\n");
	free(s);
}
END_TEST

START_TEST(test_drives_empty)
{
	char *s = fmt_render(cli_print_drives, "{\"devices\": []}");

	ck_assert_str_eq(s, "no drives (is a smart source configured?)\n");
	free(s);
	s = fmt_render(cli_print_drive, "{\"devices\": []}");
	ck_assert_str_eq(s, "no such drive\n");
	free(s);
}
END_TEST

START_TEST(test_sensors_empty)
{
	char *s = fmt_render(cli_print_sensors, "{\"metrics\": []}");

	ck_assert_str_eq(s, "no metrics\n");
	free(s);
	s = fmt_render(cli_print_sensors, "{}");
	ck_assert_str_eq(s, "no metrics\n");
	free(s);
}
END_TEST

START_TEST(test_status_score)
{
	char *s =
	    fmt_render(cli_print_status, "{\"node\": {\"state\": \"red\", \"score\": 60.0,"
					 " \"since\": 1763762400, \"reasons\": [\"hw-over-crit: "
					 "temp1 96 C\"]}, \"sources\": []}");

	ck_assert_str_eq(s, "node: red (score 60)\n"
			    "  hw-over-crit: temp1 96 C\n"
			    "\n"
			    "no sources\n"
			    "\n"
			    "hwhealthd -, pid -, up -\n");
	free(s);
	/* A score that is not a number is left out. */
	s = fmt_render(cli_print_status, "{\"node\": {\"state\": \"green\", \"score\": \"0\"}}");
	ck_assert_str_eq(s, "node: green\n\nno sources\n\nhwhealthd -, pid -, up -\n");
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* explain, rules and history renderings */

static void check_evidence(const char *evidence, const char *want)
{
	char buf[CLI_EVIDENCE_LEN];
	json_object *v = json_tokener_parse(evidence);

	ck_assert_str_eq(cli_fmt_evidence(buf, sizeof(buf), v), want);
	json_object_put(v);
}

START_TEST(test_evidence_format)
{
	/* The daemon's order; eta as a duration; per-second rates keep digits. */
	check_evidence("{\"value\": 83.2, \"crit\": 95.0, \"slope\": 0.0123456,"
		       " \"eta\": 750.4}",
		       "value=83.2 crit=95 slope=0.0123 eta=12m30s");
	check_evidence("{\"eta\": null, \"rate\": -0.000012, \"count\": 3,"
		       " \"bucket_level\": 2.5, \"predict\": 101.23456}",
		       "eta=never rate=-1.2e-05 count=3 bucket_level=2.5 predict=101.235");
	check_evidence("{\"eta\": 42.7, \"delta\": 0, \"avg\": null}", "eta=43s delta=0 avg=-");
	check_evidence("{\"eta\": 90061, \"events\": 12}", "eta=1d01h events=12");
}
END_TEST

START_TEST(test_evidence_odd)
{
	json_object *big = fmt_js("{\"value\": 1.5, \"crit\": 95, \"max\": 80}");
	char buf[CLI_EVIDENCE_LEN];

	check_evidence("{}", "-");
	check_evidence("null", "-");
	check_evidence("[1, 2]", "-");
	check_evidence("\"value=1\"", "-");
	/* Mistyped members show as "-", strings as they are. */
	check_evidence("{\"value\": [1], \"eta\": \"soon\", \"crit\": {}, \"x\": true}",
		       "value=- eta=soon crit=- x=-");
	/* A short buffer keeps the members that fit whole. */
	ck_assert_str_eq(cli_fmt_evidence(buf, 18, big), "value=1.5 crit=95");
	ck_assert_str_eq(cli_fmt_evidence(buf, 5, big), "-");
	json_object_put(big);
}
END_TEST

static const char explain_red[] =
    "{\"node\": {\"state\": \"red\", \"target\": \"red\", \"score\": 70.0,"
    "  \"since\": 1763762400.82,"
    "  \"why\": \"score 70 (thresholds yellow 10, red 50, critical 100) and the worst"
    " finding's severity make it red\","
    "  \"thresholds\": {\"yellow\": 10.0, \"red\": 50.0, \"critical\": 100.0,"
    "   \"recover_after_s\": 300.0},"
    "  \"liveness\": [\"e/board/fan1 unreadable: echo: value is nan\"],"
    "  \"liveness_score\": 10.0},"
    " \"findings\": ["
    "  {\"rule\": \"hw-over-crit\", \"target\": \"sensors/coretemp-isa-0000/temp1\","
    "   \"kind\": \"finding\", \"state\": \"active\", \"severity\": \"critical\","
    "   \"score\": 50.0, \"message\": \"Core 0 96 C is at or above its critical limit 95 C\","
    "   \"since\": 1763762400.82, \"rule_file\": \"rules/hardware.rules:70\","
    "   \"evidence\": {\"value\": 96.0, \"max\": 80.0, \"crit\": 95.0}},"
    "  {\"rule\": \"temp-rising\", \"target\": \"sensors/coretemp-isa-0000/temp2\","
    "   \"kind\": \"finding\", \"state\": \"clearing\", \"severity\": \"warning\","
    "   \"score\": 10.0, \"message\": \"Core 1 83.2 C, rising: crit in 12m30s\","
    "   \"since\": 1763762100.5, \"rule_file\": \"rules/temperature.rules:52\","
    "   \"evidence\": {\"value\": 83.2, \"crit\": 95.0, \"slope\": 0.012,"
    "    \"eta\": 750.0}},"
    "  {\"rule\": \"ratio\", \"target\": \"e/board/fan1\", \"kind\": \"error\","
    "   \"state\": \"pending\", \"severity\": \"warning\", \"score\": 10.0,"
    "   \"message\": \"ratio on e/board/fan1: division by zero\", \"since\": null,"
    "   \"rule_file\": \"local.rules:3\", \"evidence\": {}}],"
    " \"evaluation_errors\": 4}";

START_TEST(test_explain_findings)
{
	char *s = fmt_render(cli_print_explain, explain_red);

	ck_assert_str_eq(
	    s,
	    "node: red (score 70) since 2025-11-21 22:00:00\n"
	    "  score 70 (thresholds yellow 10, red 50, critical 100) and the worst finding's "
	    "severity make it red\n"
	    "\n"
	    "SEVERITY  SCORE  SINCE                RULE          TARGET\n"
	    "critical     50  2025-11-21 22:00:00  hw-over-crit  sensors/coretemp-isa-0000/temp1\n"
	    "  Core 0 96 C is at or above its critical limit 95 C\n"
	    "  value=96 max=80 crit=95\n"
	    "warning      10  2025-11-21 21:55:00  temp-rising   sensors/coretemp-isa-0000/temp2\n"
	    "  clearing: Core 1 83.2 C, rising: crit in 12m30s\n"
	    "  value=83.2 crit=95 slope=0.012 eta=12m30s\n"
	    "warning      10  -                    ratio         e/board/fan1\n"
	    "  evaluation error: ratio on e/board/fan1: division by zero\n"
	    "\n"
	    "liveness:\n"
	    "  e/board/fan1 unreadable: echo: value is nan\n"
	    "\n"
	    "thresholds: yellow 10, red 50, critical 100; recovery after 5m00s\n"
	    "evaluation errors so far: 4\n");
	free(s);
}
END_TEST

START_TEST(test_explain_green)
{
	char *s = fmt_render(
	    cli_print_explain,
	    "{\"node\": {\"state\": \"green\", \"target\": \"green\", \"score\": 0.0,"
	    " \"since\": null, \"why\": \"no findings weigh enough: score 0 < yellow 10\","
	    " \"thresholds\": {\"yellow\": 10, \"red\": 50, \"critical\": 100,"
	    " \"recover_after_s\": 0}, \"liveness\": [], \"liveness_score\": 0},"
	    " \"findings\": [], \"evaluation_errors\": 0}");

	ck_assert_str_eq(s, "node: green (score 0)\n"
			    "  no findings weigh enough: score 0 < yellow 10\n"
			    "\n"
			    "no findings\n"
			    "\n"
			    "thresholds: yellow 10, red 50, critical 100; recovery after 0s\n");
	free(s);
}
END_TEST

START_TEST(test_explain_sparse)
{
	char *s = fmt_render(cli_print_explain, "{}");

	ck_assert_str_eq(s, "node: unknown\n\nno findings\n");
	free(s);
	/* Mistyped fields show as "-" or are left out; odd findings still get a row. */
	s = fmt_render(cli_print_explain,
		       "{\"node\": {\"state\": 3, \"score\": \"high\", \"since\": 1e300,"
		       " \"why\": [\"x\"], \"liveness\": \"down\", \"thresholds\": {}},"
		       " \"findings\": [1, {\"severity\": \"warn\\u001b[2J\", \"score\": 2.5,"
		       " \"message\": \"line\\nbreak\", \"evidence\": []}],"
		       " \"evaluation_errors\": \"many\"}");
	ck_assert_str_eq(s, "node: unknown\n"
			    "\n"
			    "SEVERITY  SCORE  SINCE  RULE  TARGET\n"
			    "-             -  -      -     -\n"
			    "  -\n"
			    "warn?[2J    2.5  -      -     -\n"
			    "  line?break\n"
			    "\n"
			    "thresholds: yellow -, red -, critical -; recovery after -\n");
	free(s);
}
END_TEST

static const char rules_list[] =
    "{\"rules\": ["
    " {\"name\": \"hw-over-crit\", \"file\": \"rules/hardware.rules:70:1\","
    "  \"description\": \"reading at or above the hardware's critical limit (crit)\","
    "  \"severity\": \"critical\", \"score\": 50.0, \"enabled\": true,"
    "  \"matches\": \"metrics\", \"bound\": 3,"
    "  \"targets\": [\"e/board/fan1\", \"e/cpu/temp2\", \"e/cpu/temp1\"],"
    "  \"targets_truncated\": false},"
    " {\"name\": \"fan-decay-baseline\", \"file\": \"rules/fan.rules:77:1\","
    "  \"description\": null, \"severity\": \"warning\", \"score\": 12.5,"
    "  \"enabled\": false, \"matches\": \"metrics\", \"bound\": 0, \"targets\": [],"
    "  \"targets_truncated\": false},"
    " {\"name\": \"ipmi-sel-burst\", \"file\": \"rules/ipmi.rules:38:1\","
    "  \"description\": \"many IPMI SEL records within an hour\","
    "  \"severity\": \"warning\", \"score\": 10, \"enabled\": true,"
    "  \"matches\": \"events\", \"bound\": 102, \"targets\": [\"ipmi/bmc/sel\"],"
    "  \"targets_truncated\": true}]}";

START_TEST(test_rules_table)
{
	char *s = fmt_render(cli_print_rules, rules_list);

	ck_assert_str_eq(
	    s, "NAME                SEVERITY  SCORE  BOUND  FILE                       "
	       "DESCRIPTION\n"
	       "hw-over-crit        critical     50      3  rules/hardware.rules:70:1  "
	       "reading at or above the hardware's critical limit (crit)\n"
	       "fan-decay-baseline  warning    12.5    off  rules/fan.rules:77:1       -\n"
	       "ipmi-sel-burst      warning      10    102  rules/ipmi.rules:38:1      "
	       "many IPMI SEL records within an hour\n");
	free(s);
}
END_TEST

START_TEST(test_rules_sparse)
{
	char *s = fmt_render(cli_print_rules, "{\"rules\": []}");

	ck_assert_str_eq(s, "no rules\n");
	free(s);
	s = fmt_render(cli_print_rules, "{\"rules\": {\"name\": \"x\"}}");
	ck_assert_str_eq(s, "no rules\n");
	free(s);
	s = fmt_render(cli_print_rules, "{\"rules\": [null, {\"name\": 5, \"enabled\": \"no\","
					" \"bound\": \"3\", \"score\": null}]}");
	ck_assert_str_eq(s, "NAME  SEVERITY  SCORE  BOUND  FILE  DESCRIPTION\n"
			    "-     -             -      -  -     -\n"
			    "-     -             -      -  -     -\n");
	free(s);
}
END_TEST

START_TEST(test_rule_details)
{
	char *s = fmt_render(cli_print_rule_details, rules_list);

	ck_assert_str_eq(s,
			 "name:        hw-over-crit\n"
			 "file:        rules/hardware.rules:70:1\n"
			 "description: reading at or above the hardware's critical limit (crit)\n"
			 "severity:    critical\n"
			 "score:       50\n"
			 "enabled:     yes\n"
			 "matches:     metrics\n"
			 "bound:       3\n"
			 "targets:\n"
			 "  e/board/fan1\n"
			 "  e/cpu/temp2\n"
			 "  e/cpu/temp1\n"
			 "\n"
			 "name:        fan-decay-baseline\n"
			 "file:        rules/fan.rules:77:1\n"
			 "description: -\n"
			 "severity:    warning\n"
			 "score:       12.5\n"
			 "enabled:     no\n"
			 "matches:     metrics\n"
			 "bound:       0\n"
			 "targets:     none\n"
			 "\n"
			 "name:        ipmi-sel-burst\n"
			 "file:        rules/ipmi.rules:38:1\n"
			 "description: many IPMI SEL records within an hour\n"
			 "severity:    warning\n"
			 "score:       10\n"
			 "enabled:     yes\n"
			 "matches:     events\n"
			 "bound:       102\n"
			 "targets:\n"
			 "  ipmi/bmc/sel\n"
			 "  ... and 101 more\n");
	free(s);
}
END_TEST

START_TEST(test_rule_details_sparse)
{
	char *s = fmt_render(cli_print_rule_details, "{}");

	ck_assert_str_eq(s, "no rules\n");
	free(s);
	s = fmt_render(cli_print_rule_details,
		       "{\"rules\": [{\"name\": \"a\\tb\", \"enabled\": 1, \"targets\": [7],"
		       " \"bound\": 1e30}]}");
	ck_assert_str_eq(s, "name:        a?b\n"
			    "file:        -\n"
			    "description: -\n"
			    "severity:    -\n"
			    "score:       -\n"
			    "enabled:     -\n"
			    "matches:     -\n"
			    "bound:       9223372036854775807\n"
			    "targets:\n"
			    "  7\n"
			    "  ... and 9223372036854775806 more\n");
	free(s);
}
END_TEST

START_TEST(test_history_table)
{
	char *s =
	    fmt_render(cli_print_history,
		       "{\"metric\": \"sensors/coretemp-isa-0000/temp1\", \"unit\": \"C\","
		       " \"resolution\": \"1m\", \"points\": ["
		       " {\"time\": 1763700000.0, \"value\": 45.25, \"min\": 44, \"max\": 47.5},"
		       " {\"time\": 1763700060.0, \"value\": null, \"min\": null, \"max\": null},"
		       " {\"time\": 1763700120.0, \"value\": 101.125, \"min\": 99.0,"
		       "  \"max\": 103.0625}]}");

	ck_assert_str_eq(s, "sensors/coretemp-isa-0000/temp1: 3 points, resolution 1m, unit C\n"
			    "TIME                   VALUE  MIN      MAX\n"
			    "2025-11-21 04:40:00    45.25   44     47.5\n"
			    "2025-11-21 04:41:00        -    -        -\n"
			    "2025-11-21 04:42:00  101.125   99  103.062\n");
	free(s);
}
END_TEST

START_TEST(test_history_sparse)
{
	char *s = fmt_render(cli_print_history, "{\"metric\": \"e/board/fan1\", \"unit\": \"\","
						" \"resolution\": \"raw\", \"points\": []}");

	ck_assert_str_eq(s, "e/board/fan1: 0 points, resolution raw\nno points\n");
	free(s);
	s = fmt_render(cli_print_history, "[]");
	ck_assert_str_eq(s, "-: 0 points, resolution -\nno points\n");
	free(s);
	s = fmt_render(cli_print_history,
		       "{\"metric\": 1, \"unit\": [\"C\"], \"resolution\": null,"
		       " \"points\": [{\"time\": \"now\", \"value\": 1200}, 3]}");
	ck_assert_str_eq(s, "-: 2 points, resolution -\n"
			    "TIME  VALUE  MIN  MAX\n"
			    "-      1200    -    -\n"
			    "-         -    -    -\n");
	free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* exit codes */

START_TEST(test_exit_codes)
{
	json_object *st;

	ck_assert_int_eq(cli_state_exit("green"), 0);
	ck_assert_int_eq(cli_state_exit("yellow"), 1);
	ck_assert_int_eq(cli_state_exit("red"), 2);
	ck_assert_int_eq(cli_state_exit("critical"), 2);
	ck_assert_int_eq(cli_state_exit("unknown"), 3);
	ck_assert_int_eq(cli_state_exit("GREEN"), 3);
	ck_assert_int_eq(cli_state_exit(""), 3);
	ck_assert_int_eq(cli_state_exit("garbage"), 3);
	ck_assert_int_eq(cli_state_exit(NULL), 3);
	st = fmt_js("{\"node\": {\"state\": \"red\"}}");
	ck_assert_str_eq(cli_node_state(st), "red");
	json_object_put(st);
	st = fmt_js("{\"node\": {\"state\": 2}}");
	ck_assert_str_eq(cli_node_state(st), "unknown");
	json_object_put(st);
	ck_assert_str_eq(cli_node_state(NULL), "unknown");
}
END_TEST

/* ------------------------------------------------------------------ */
/* client against an in-test server */

enum srv_mode {
	SRV_ANSWER,   /* read the request, send answer, wait for the client */
	SRV_TRUNCATE, /* read the request, send answer, hang up */
	SRV_SILENT,   /* read the request, never answer */
	SRV_CLOSE,    /* accept and hang up at once */
	SRV_FLOOD,    /* read the request, send bytes without a newline */
};

static struct {
	char dir[64];	/* temporary directory holding the socket */
	char path[108]; /* the socket */
	int lfd;	/* listening socket, -1 when none */
	enum srv_mode mode;
	const char *answer; /* sent as is for SRV_ANSWER / SRV_TRUNCATE */
	char request[4096]; /* first line the client sent */
	pthread_t thread;
	int running;
} srv;

static void srv_setup(void)
{
	memset(&srv, 0, sizeof(srv));
	srv.lfd = -1;
	snprintf(srv.dir, sizeof(srv.dir), "/tmp/check_cli.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(srv.dir));
	snprintf(srv.path, sizeof(srv.path), "%s/hwhealthd.sock", srv.dir);
}

static void send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0 && (n = send(fd, buf, len, MSG_NOSIGNAL)) > 0) {
		buf += n;
		len -= (size_t)n;
	}
}

/* Sends CLIENT_MAX_RESPONSE + 1 bytes with no newline. */
static void srv_flood(int fd)
{
	static char chunk[1 << 20];
	size_t sent = 0;
	ssize_t n;

	memset(chunk, 'x', sizeof(chunk));
	while (sent <= CLIENT_MAX_RESPONSE &&
	       (n = send(fd, chunk, sizeof(chunk), MSG_NOSIGNAL)) > 0)
		sent += (size_t)n;
}

static void srv_read_request(int fd)
{
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(srv.request) - 1 && (n = read(fd, srv.request + len, 1)) == 1 &&
	       srv.request[len] != '\n')
		len++;
	srv.request[len] = '\0';
}

static void *srv_main(void *arg)
{
	char sink[256];
	int fd;

	(void)arg;
	if ((fd = accept(srv.lfd, NULL, NULL)) < 0)
		return NULL;
	if (srv.mode != SRV_CLOSE)
		srv_read_request(fd);
	if (srv.mode == SRV_ANSWER || srv.mode == SRV_TRUNCATE)
		send_all(fd, srv.answer, strlen(srv.answer));
	else if (srv.mode == SRV_FLOOD)
		srv_flood(fd);
	/* Wait for the client to hang up, except where we hang up first. */
	if (srv.mode != SRV_CLOSE && srv.mode != SRV_TRUNCATE)
		while (read(fd, sink, sizeof(sink)) > 0)
			;
	close(fd);
	return NULL;
}

/* Binds the socket; listens and serves one connection if `listening`. */
static void srv_start(enum srv_mode mode, const char *answer, int listening)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	srv.mode = mode;
	srv.answer = answer;
	strcpy(sun.sun_path, srv.path);
	srv.lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv.lfd, 0);
	ck_assert_int_eq(bind(srv.lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (!listening)
		return;
	ck_assert_int_eq(listen(srv.lfd, 4), 0);
	ck_assert_int_eq(pthread_create(&srv.thread, NULL, srv_main, NULL), 0);
	srv.running = 1;
}

static void srv_join(void)
{
	if (srv.running)
		pthread_join(srv.thread, NULL);
	srv.running = 0;
}

static void srv_teardown(void)
{
	srv_join();
	if (srv.lfd >= 0)
		close(srv.lfd);
	unlink(srv.path);
	rmdir(srv.dir);
}

static json_object *req_status(void)
{
	return fmt_js("{\"cmd\": \"status\"}");
}

/* One client_call() of {"cmd":"status"}; returns its code. */
static int call_status(int timeout_ms, json_object **result, char *err)
{
	json_object *req = req_status();
	int rc = client_call(srv.path, req, timeout_ms, result, err, CLIENT_ERR_LEN);

	json_object_put(req);
	return rc;
}

static char want[CLIENT_ERR_LEN];

START_TEST(test_client_answer)
{
	char err[CLIENT_ERR_LEN] = "";
	json_object *result = NULL;

	srv_start(SRV_ANSWER,
		  "{\"ok\": true, \"result\": {\"node\":"
		  " {\"state\": \"red\"}}}\n",
		  1);
	ck_assert_int_eq(call_status(2000, &result, err), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(cli_node_state(result), "red");
	json_object_put(result);
	srv_join();
	ck_assert_str_eq(srv.request, "{\"cmd\":\"status\"}");
}
END_TEST

START_TEST(test_client_refused_request)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_ANSWER,
		  "{\"ok\": false, \"error\": \"permission denied:"
		  " reload requires root\"}\n",
		  1);
	ck_assert_int_eq(call_status(2000, &result, err), -EREMOTEIO);
	ck_assert_ptr_null(result);
	ck_assert_str_eq(err, "permission denied: reload requires root");
}
END_TEST

START_TEST(test_client_large_answer)
{
	json_object *resp = fmt_js("{\"ok\": true, \"result\": {\"metrics\": []}}");
	json_object *arr =
	    json_object_object_get(json_object_object_get(resp, "result"), "metrics");
	char err[CLIENT_ERR_LEN], *answer;
	json_object *result = NULL, *m;
	int i;

	/* ~2 MiB: many partial reads, and partial writes on the server. */
	for (i = 0; i < 20000; i++) {
		m = fmt_js("{\"id\": \"sensors/coretemp-isa-0000/tempNNNNN\","
			   " \"kind\": \"temperature\", \"value\": 45.0,"
			   " \"limits\": {\"max\": 80.0}, \"status\": \"ok\"}");
		json_object_array_add(arr, m);
	}
	ck_assert_int_eq(
	    asprintf(&answer, "%s\n", json_object_to_json_string(resp)) > 2 * 1000 * 1000, 1);
	srv_start(SRV_ANSWER, answer, 1);
	ck_assert_int_eq(call_status(10000, &result, err), 0);
	ck_assert_uint_eq(json_object_array_length(json_object_object_get(result, "metrics")),
			  20000);
	json_object_put(result);
	srv_join();
	free(answer);
	json_object_put(resp);
}
END_TEST

START_TEST(test_client_timeout)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_SILENT, NULL, 1);
	ck_assert_int_eq(call_status(200, &result, err), -ETIMEDOUT);
	ck_assert_ptr_null(result);
	snprintf(want, sizeof(want),
		 "timed out after 0.2 s waiting for "
		 "hwhealthd on %s",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_closed)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_CLOSE, NULL, 1);
	ck_assert_int_eq(call_status(2000, &result, err), -ECONNRESET);
	snprintf(want, sizeof(want),
		 "hwhealthd closed the connection on %s "
		 "without answering",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_truncated)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_TRUNCATE, "{\"ok\": true, \"res", 1);
	ck_assert_int_eq(call_status(2000, &result, err), -ECONNRESET);
	snprintf(want, sizeof(want),
		 "hwhealthd closed the connection on %s "
		 "in the middle of a response (17 bytes)",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_malformed)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_ANSWER, "[1, 2]\n", 1);
	ck_assert_int_eq(call_status(2000, &result, err), -EBADMSG);
	snprintf(want, sizeof(want),
		 "malformed response from hwhealthd on %s: "
		 "not a JSON object",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_no_ok)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_ANSWER, "{\"result\": {}} \r\n", 1);
	ck_assert_int_eq(call_status(2000, &result, err), -EBADMSG);
	snprintf(want, sizeof(want),
		 "malformed response from hwhealthd on %s: "
		 "no boolean \"ok\"",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_too_large)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_FLOOD, NULL, 1);
	ck_assert_int_eq(call_status(30000, &result, err), -EMSGSIZE);
	snprintf(want, sizeof(want),
		 "response from hwhealthd on %s exceeds "
		 "64 MiB",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_no_socket)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	ck_assert_int_eq(call_status(2000, &result, err), -ENOENT);
	snprintf(want, sizeof(want),
		 "cannot connect to %s: No such file or "
		 "directory (is hwhealthd running?)",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_not_listening)
{
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;

	srv_start(SRV_ANSWER, NULL, 0); /* bound, never listening */
	ck_assert_int_eq(call_status(2000, &result, err), -ECONNREFUSED);
	snprintf(want, sizeof(want),
		 "cannot connect to %s: Connection refused "
		 "(is hwhealthd running?)",
		 srv.path);
	ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_client_backlog_full)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	char err[CLIENT_ERR_LEN];
	json_object *result = NULL;
	int filler;

	/* A daemon alive but stuck: it listens, never accepts, queue full. */
	srv_start(SRV_ANSWER, NULL, 0);
	ck_assert_int_eq(listen(srv.lfd, 0), 0);
	strcpy(sun.sun_path, srv.path);
	filler = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(filler, 0);
	ck_assert_int_eq(connect(filler, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(call_status(200, &result, err), -ETIMEDOUT);
	snprintf(want, sizeof(want),
		 "timed out after 0.2 s connecting to "
		 "hwhealthd on %s",
		 srv.path);
	ck_assert_str_eq(err, want);
	close(filler);
}
END_TEST

START_TEST(test_client_path_too_long)
{
	char err[CLIENT_ERR_LEN], path[200];
	json_object *req = req_status(), *resp = NULL;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(client_request(path, req, 1000, &resp, err, sizeof(err)), -ENAMETOOLONG);
	snprintf(want, sizeof(want), "socket path too long: %s", path);
	ck_assert_str_eq(err, want);
	json_object_put(req);
}
END_TEST

/* ------------------------------------------------------------------ */

Suite *cli_format_suite(void)
{
	Suite *s = suite_create("cli_format");
	TCase *tc;

	tc = tcase_create("table");
	tcase_add_test(tc, test_table_widths);
	tcase_add_test(tc, test_table_right_align);
	tcase_add_test(tc, test_table_utf8_and_control);
	tcase_add_test(tc, test_table_many_rows);
	tcase_add_test(tc, test_table_bad_columns);
	suite_add_tcase(s, tc);

	tc = tcase_create("value");
	tcase_add_test(tc, test_value_kinds);
	tcase_add_test(tc, test_value_other_and_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("null_value");
	tcase_add_test(tc, test_value_null);
	tcase_add_test(tc, test_sensors_null_value_row);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits_and_age");
	tcase_add_test(tc, test_limits_order);
	tcase_add_test(tc, test_limits_absent);
	tcase_add_test(tc, test_age_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_status_table);
	tcase_add_test(tc, test_status_sparse);
	tcase_add_test(tc, test_status_services);
	tcase_add_test(tc, test_sensors_table);
	tcase_add_test(tc, test_sensors_empty);
	tcase_add_test(tc, test_drives_overview);
	tcase_add_test(tc, test_drive_detail);
	tcase_add_test(tc, test_drives_empty);
	tcase_add_test(tc, test_status_score);
	suite_add_tcase(s, tc);

	tc = tcase_create("evidence");
	tcase_add_test(tc, test_evidence_format);
	tcase_add_test(tc, test_evidence_odd);
	suite_add_tcase(s, tc);

	tc = tcase_create("explain");
	tcase_add_checked_fixture(tc, fmt_utc_setup, NULL);
	tcase_add_test(tc, test_explain_findings);
	tcase_add_test(tc, test_explain_green);
	tcase_add_test(tc, test_explain_sparse);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_rules_table);
	tcase_add_test(tc, test_rules_sparse);
	tcase_add_test(tc, test_rule_details);
	tcase_add_test(tc, test_rule_details_sparse);
	suite_add_tcase(s, tc);

	tc = tcase_create("history");
	tcase_add_checked_fixture(tc, fmt_utc_setup, NULL);
	tcase_add_test(tc, test_history_table);
	tcase_add_test(tc, test_history_sparse);
	suite_add_tcase(s, tc);

	tc = tcase_create("exit_code");
	tcase_add_test(tc, test_exit_codes);
	suite_add_tcase(s, tc);

	tc = tcase_create("client");
	tcase_add_checked_fixture(tc, srv_setup, srv_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_client_answer);
	tcase_add_test(tc, test_client_refused_request);
	tcase_add_test(tc, test_client_large_answer);
	tcase_add_test(tc, test_client_timeout);
	tcase_add_test(tc, test_client_closed);
	tcase_add_test(tc, test_client_truncated);
	tcase_add_test(tc, test_client_malformed);
	tcase_add_test(tc, test_client_no_ok);
	tcase_add_test(tc, test_client_too_large);
	tcase_add_test(tc, test_client_no_socket);
	tcase_add_test(tc, test_client_not_listening);
	tcase_add_test(tc, test_client_backlog_full);
	tcase_add_test(tc, test_client_path_too_long);
	suite_add_tcase(s, tc);
	return s;
}
