/*
 * check_snmp_harness: the snmpd/snmptrapd harness (tests/snmpd.c) against
 * the real net-snmp daemons, before the snmp plugin's tests build on it.
 *
 *   answers     snmpd answers sysUpTime.0 over SNMPv2c and SNMPv3
 *               (authPriv), and the tools load HWHEALTH-MIB by name (an
 *               hwhealth object with no subagent is "No Such Object")
 *   trap        a notification sent with snmptrap -v2c reaches snmptrapd;
 *               the reader returns its OID and varbinds, typed and
 *               unquoted; snmpd's own coldStart reaches it via trap2sink
 *   restart     snmpd killed (SIGTERM, then SIGKILL; both leave the socket
 *               stale: a file nobody listens on) and started again
 *               answers on the same port, listens on the same AgentX
 *               socket path, and sends a new coldStart; the restart times
 *               are printed
 *   teardown    after the stops no process names DIR
 *   parse       the trap-log line reader on fixed lines
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "snmpd.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define RESTARTS 3 /* per signal, for the timings */

#define HWH_STATE_CHANGE ".1.3.6.1.4.1.32473.0.1" /* HWHEALTH-MIB::hwhNodeStateChange */
#define HWH_NODE_STATE ".1.3.6.1.4.1.32473.1.1.1.0"
#define HWH_NODE_REASON ".1.3.6.1.4.1.32473.1.1.4.0"

static char dir[] = "/tmp/hwh-snmp.XXXXXX";
static struct snmpd sn;

static void setup(void)
{
	strcpy(dir, "/tmp/hwh-snmp.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&sn, 0, sizeof sn);
}

static void teardown(void)
{
	snmpd_free(&sn);
}

START_TEST(test_answers)
{
	struct cmd_result res;

	snmpd_start(&sn, dir);
	ck_assert_int_eq(snmpd_run(&sn, &res, "snmpget", "-On", SNMP_OID_SYSUPTIME, NULL), 0);
	ck_assert_msg(strstr(res.out, SNMP_OID_SYSUPTIME " = Timeticks: (") != NULL, "%s%s",
		      res.out, res.err);
	cmd_result_free(&res);

	ck_assert_int_eq(snmpd_run_v3(&sn, &res, "snmpget", "-On", SNMP_OID_SYSUPTIME, NULL), 0);
	ck_assert_msg(strstr(res.out, SNMP_OID_SYSUPTIME " = Timeticks: (") != NULL, "%s%s",
		      res.out, res.err);
	cmd_result_free(&res);

	/* A wrong v3 passphrase is refused: the v3 check above means something. */
	ck_assert_int_ne(cmd_run(
			     (const char *const[]){
				 "snmpget",	"-v3", "-l",  "authPriv",    "-u",
				 SNMPD_V3_USER, "-a",  "SHA", "-A",	     "wrong-pass-phrase",
				 "-x",		"AES", "-X",  SNMPD_V3_PRIV, "-t",
				 "0.5",		"-r",  "0",   sn.peer,	     SNMP_OID_SYSUPTIME,
				 NULL},
			     &res, SNMPD_CMD_TIMEOUT_MS),
			 0);
	cmd_result_free(&res);

	ck_assert_int_eq(snmpd_run(&sn, &res, "snmpget", "HWHEALTH-MIB::hwhNodeState.0", NULL), 0);
	ck_assert_msg(strstr(res.out, "HWHEALTH-MIB::hwhNodeState.0 = No Such Object") != NULL,
		      "%s%s", res.out, res.err);
	cmd_result_free(&res);
	fprintf(stderr, "snmp_harness: snmpd ready in %lld ms\n", (long long)sn.ready_ms);
}
END_TEST

START_TEST(test_trap)
{
	const struct snmp_varbind *vb;
	struct snmp_trap t;

	snmptrapd_start(&sn, dir);
	snmpd_start(&sn, dir);
	ck_assert_msg(snmptrapd_wait(&sn, SNMP_OID_COLDSTART, SNMPD_TRAP_TIMEOUT_MS, &t),
		      "no coldStart from snmpd via trap2sink");

	ck_assert_int_eq(snmptrapd_send(&sn, HWH_STATE_CHANGE, HWH_NODE_STATE, "i", "3",
					HWH_NODE_REASON, "s", "red: fan1 \"slow\" at 300 RPM",
					NULL),
			 0);
	ck_assert_msg(snmptrapd_wait(&sn, HWH_STATE_CHANGE, SNMPD_TRAP_TIMEOUT_MS, &t),
		      "no trap in %s", sn.traps);
	ck_assert_str_eq(t.trap_oid, HWH_STATE_CHANGE);
	ck_assert_int_eq(t.nvb, 4); /* sysUpTime.0, snmpTrapOID.0, the two sent */
	ck_assert_str_eq(t.vb[0].oid, SNMP_OID_SYSUPTIME);
	ck_assert_str_eq(t.vb[0].type, "Timeticks");
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(&t, HWH_NODE_STATE));
	ck_assert_str_eq(vb->type, "INTEGER");
	ck_assert_str_eq(vb->value, "3");
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(&t, HWH_NODE_REASON));
	ck_assert_str_eq(vb->type, "STRING");
	ck_assert_str_eq(vb->value, "red: fan1 \"slow\" at 300 RPM");
	ck_assert_msg(strstr(t.from, "127.0.0.1") != NULL, "from %s", t.from);

	/* Consumed: a second wait finds no second one; the count sees the one. */
	ck_assert(!snmptrapd_wait(&sn, HWH_STATE_CHANGE, 300, &t));
	ck_assert_int_eq(snmptrapd_count(&sn, HWH_STATE_CHANGE), 1);
	ck_assert_int_eq(snmptrapd_count(&sn, NULL), 2);
}
END_TEST

/* 1 when path is a socket something listens on, 0 when it is a socket
 * nobody listens on (stale), -1 when there is no socket there. */
static int socket_state(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, ok;

	if (stat(path, &st) == -1 || !S_ISSOCK(st.st_mode))
		return -1;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	close(fd);
	return ok;
}

START_TEST(test_restart)
{
	static const int sigs[] = {SIGTERM, SIGKILL};
	char peer[sizeof sn.peer];
	struct cmd_result res;
	struct snmp_trap t;
	int port, starts = 1;

	snmptrapd_start(&sn, dir);
	snmpd_start(&sn, dir);
	port = sn.port;
	snprintf(peer, sizeof peer, "%s", sn.peer);
	ck_assert(snmptrapd_wait(&sn, SNMP_OID_COLDSTART, SNMPD_TRAP_TIMEOUT_MS, &t));
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		for (int r = 0; r < RESTARTS; r++) {
			pid_t old = sn.pid;
			int64_t t0 = tl_mono_ms(), ms;

			ck_assert_int_eq(socket_state(sn.agentx), 1);
			snmpd_kill(&sn, sigs[i]);
			/* snmpd leaves its socket behind even after SIGTERM. */
			ck_assert_int_eq(socket_state(sn.agentx), 0);
			snmpd_relaunch(&sn);
			ms = tl_mono_ms() - t0;
			starts++;
			fprintf(stderr, "snmp_harness: restart after %s: %lld ms (ready %lld ms)\n",
				strsignal(sigs[i]), (long long)ms, (long long)sn.ready_ms);
			ck_assert_int_ne(sn.pid, old);
			ck_assert_int_eq(sn.port, port);
			ck_assert_str_eq(sn.peer, peer);
			ck_assert_int_eq(socket_state(sn.agentx), 1);
			ck_assert_msg(
			    snmptrapd_wait(&sn, SNMP_OID_COLDSTART, SNMPD_TRAP_TIMEOUT_MS, &t),
			    "no coldStart after restart %d", starts);
		}
	}
	ck_assert_int_eq(snmptrapd_count(&sn, SNMP_OID_COLDSTART), starts);
	/* snmpd_restart() does the same in one call. */
	ck_assert_int_gt(snmpd_restart(&sn, SIGTERM), 0);
	ck_assert_int_eq(sn.port, port);
	ck_assert_int_eq(snmpd_run(&sn, &res, "snmpget", "-On", SNMP_OID_SYSUPTIME, NULL), 0);
	cmd_result_free(&res);
}
END_TEST

START_TEST(test_teardown)
{
	snmptrapd_start(&sn, dir);
	snmpd_start(&sn, dir);
	ck_assert_int_eq(snmpd_procs_in(dir), 2);
	snmpd_stop(&sn);
	snmptrapd_stop(&sn);
	ck_assert_int_eq(sn.pid, 0);
	ck_assert_int_eq(sn.trapd_pid, 0);
	ck_assert_int_eq(snmpd_procs_in(dir), 0);
	snmpd_stop(&sn); /* twice is harmless */
}
END_TEST

START_TEST(test_parse)
{
	static const char line[] = "HWHTRAP UDP: [127.0.0.1]:5->[127.0.0.1]:6\x1f"
				   ".1.3.6.1.2.1.1.3.0 = Timeticks: (42) 0:00:00.42\x1f"
				   ".1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.4.1.32473.0.2\x1f"
				   ".1.3.6.1.4.1.32473.1.5.1.21.7 = Gauge32: 3600\x1f"
				   ".1.3.6.1.4.1.32473.1.5.1.4.7 = STRING: \"a = b: \\\"c\\\"\"\x1f"
				   ".1.3.6.1.4.1.32473.1.5.1.3.7 = \"\"";
	struct snmp_trap t;

	ck_assert(snmp_parse_trap_line(line, &t));
	ck_assert_str_eq(t.from, "UDP: [127.0.0.1]:5->[127.0.0.1]:6");
	ck_assert_str_eq(t.trap_oid, ".1.3.6.1.4.1.32473.0.2");
	ck_assert_int_eq(t.nvb, 5);
	ck_assert_str_eq(t.vb[0].value, "42");
	ck_assert_str_eq(t.vb[2].type, "Gauge32");
	ck_assert_str_eq(t.vb[2].value, "3600");
	ck_assert_str_eq(t.vb[3].value, "a = b: \"c\"");
	ck_assert_str_eq(t.vb[4].type, "STRING");
	ck_assert_str_eq(t.vb[4].value, "");
	ck_assert(!snmp_parse_trap_line("NET-SNMP version 5.9.3", &t));
	ck_assert(!snmp_parse_trap_line("HWHTRAP x\x1f.1.3 = INTEGER: 1", &t)); /* no trap OID */
}
END_TEST

Suite *snmp_harness_suite(void)
{
	Suite *s = suite_create("snmp_harness");
	TCase *tc = tcase_create("daemons");
	TCase *pure = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_answers);
	tcase_add_test(tc, test_trap);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_teardown);
	suite_add_tcase(s, tc);
	tcase_add_test(pure, test_parse);
	suite_add_tcase(s, pure);
	return s;
}
