/*
 * check_snmp_fake: the snmp service's AgentX session (plugins/snmp_agent.c)
 * in the real hwhealthd against a scripted master, tests/agentx_fake.py,
 * for what a real snmpd never does.  The fake logs what it saw to W/fake.log
 * (one event a line); the tests read it and the daemon's log.
 *
 *   range   a GetNext and a GetBulk with a null end OID (no upper bound,
 *           RFC 2741 5.2) are answered with the module's objects, not
 *           endOfMibView
 *   ping    one unanswered ping does not drop the session
 *   noping  pings never answered do drop it (and it comes back)
 *   close   a master that Closes every fresh session is retried once a
 *           ping interval, not in a tight loop
 *   packet  a header claiming a payload over 1 MiB, or one not a multiple
 *           of 4, drops the session with a log line (and it comes back)
 *
 * Needs python3.  To add a test: a mode in agentx_fake.py, fake_start(),
 * what it checks, fake_stop(); a line in the suite below.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"

#define TC_TIMEOUT_SEC 60
#define WAIT_MS 20000 /* bound for what a few pings bring on a slow machine */
#define FAKE_SCRIPT HWH_SRC_DIR "/tests/agentx_fake.py"
#define OID_ROOT "1.3.6.1.4.1.32473."

/* One test's world: W, the fake master, the daemon. */
struct fake {
	struct fake_tree *t;
	struct test_daemon d;
	pid_t pid;
	char sock[TL_PATH_MAX]; /* W/agentx */
	char log[TL_PATH_MAX];	/* W/fake.log: what the fake saw */
	char out[TL_PATH_MAX];	/* W/fake.out: its stdout and stderr */
	char conf[4096];
	const char *needle; /* what daemon_says() looks for */
};

static struct fake fk;

static bool sock_exists(void *arg)
{
	struct stat st;

	return stat(arg, &st) == 0;
}

/* The fake master in mode, then the daemon with an echo source and the
 * snmp service on the fake's socket (service_opts: more of its lines). */
static void fake_start(struct fake *f, const char *mode, const char *service_opts)
{
	char dir[TL_PATH_MAX], path[TL_PATH_MAX], data[TL_PATH_MAX];

	f->t = fake_tree_new();
	fake_tree_path(f->t, "agentx", f->sock, sizeof f->sock);
	fake_tree_path(f->t, "fake.log", f->log, sizeof f->log);
	fake_tree_path(f->t, "fake.out", f->out, sizeof f->out);
	fake_tree_path(f->t, "echo.txt", data, sizeof data);
	ck_assert_int_eq(write_file_str(data, "chip0 temp1 temperature 40.5 max=80 crit=95\n"), 0);
	/* net-snmp's files in W, none of the machine's */
	fake_tree_path(f->t, "netsnmp", dir, sizeof dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_int_eq(setenv("SNMPCONFPATH", dir, 1), 0);
	ck_assert_int_eq(setenv("SNMP_PERSISTENT_DIR", dir, 1), 0);
	ck_assert_int_eq(setenv("MIBS", "", 1), 0);

	const char *argv[] = {"python3", FAKE_SCRIPT, mode, f->sock, f->log, NULL};

	f->pid = tl_spawn(argv, f->out, NULL, NULL);
	if (!wait_until(sock_exists, f->sock, WAIT_MS)) {
		char *tail = tl_file_tail(f->out, 1500);

		ck_abort_msg("the fake master did not listen on %s:\n%s", f->sock, tail);
	}
	/* No rules of the machine's: an empty rules directory. */
	fake_tree_path(f->t, "rules", path, sizeof path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(
	    f->conf, sizeof f->conf,
	    "interval 1s\nrules-dir %s\nlocal-rules-dir %s.d\nplugin-dir %s\nsocket-mode 0666\n"
	    "source e {\n  plugin echo\n  file %s\n  interval 1s\n}\n"
	    "service snmp {\n  agentx-socket %s\n%s}\n",
	    path, path, test_plugin_dir(f->t, "pl", "echo", "snmp", NULL), data, f->sock,
	    service_opts ? service_opts : "");
	f->d.tree = f->t;
	daemon_start(&f->d, f->conf);
}

static void fake_stop(struct fake *f)
{
	ck_assert_int_eq(daemon_stop(&f->d), 0);
	tl_stop_pid(&f->pid, SIGTERM, 5000);
	fake_tree_free(f->t);
	memset(f, 0, sizeof *f);
}

/* Lines of the fake's log that contain needle. */
static int fake_count(struct fake *f, const char *needle)
{
	char *log = read_file_str(f->log);
	int n = 0;

	for (const char *p = log; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(log);
	return n;
}

/* The fake's log and output, the daemon's log tail (static buffer). */
static const char *what_happened(struct fake *f)
{
	static char buf[4096];
	char *log = tl_file_tail(f->log, 1500), *out = tl_file_tail(f->out, 800);
	char *dlog = tl_file_tail(f->d.log, 1500);

	snprintf(buf, sizeof buf, "fake.log:\n%s\nfake.out:\n%s\ndaemon log:\n%s", log, out, dlog);
	free(log);
	free(out);
	free(dlog);
	return buf;
}

struct fake_want {
	struct fake *f;
	const char *needle;
	int count;
};

static bool fake_reaches(void *arg)
{
	struct fake_want *w = arg;

	return fake_count(w->f, w->needle) >= w->count;
}

static void wait_fake(struct fake *f, const char *needle, int count)
{
	struct fake_want w = {f, needle, count};

	if (!wait_until(fake_reaches, &w, WAIT_MS))
		ck_abort_msg("the fake master did not log \"%s\" %d times within %d ms\n%s", needle,
			     count, WAIT_MS, what_happened(f));
}

static bool daemon_says(void *arg)
{
	struct fake *f = arg;

	return daemon_log_has(&f->d, f->needle);
}

/* ---- tests ---------------------------------------------------------------- */

/* A null end OID is no upper bound: the objects after the root come back. */
START_TEST(test_range)
{
	struct fake *f = &fk;

	fake_start(f, "range", NULL);
	wait_fake(f, "done", 1);
	ck_assert_msg(fake_count(f, "type=130") == 0, "endOfMibView for a null end OID\n%s",
		      what_happened(f));
	ck_assert_msg(fake_count(f, "getnext type=") == 1, "GetNext: not one varbind\n%s",
		      what_happened(f));
	ck_assert_msg(fake_count(f, "bulk type=") == 3, "GetBulk: not 3 varbinds\n%s",
		      what_happened(f));
	ck_assert_msg(fake_count(f, " oid=" OID_ROOT) == 4, "varbinds outside the module\n%s",
		      what_happened(f));
	fake_stop(f);
}
END_TEST

/* One ping left unanswered (the master busy for a while) keeps the session:
 * the later pings come on the same one. */
START_TEST(test_ping)
{
	struct fake *f = &fk;

	fake_start(f, "ping", "  ping-interval 1s\n");
	wait_fake(f, "ping ignored 1", 1);
	wait_fake(f, "ping answered", 2);
	ck_assert_msg(fake_count(f, "eof 1") == 0 && fake_count(f, "open 2") == 0,
		      "one unanswered ping dropped the session\n%s", what_happened(f));
	fake_stop(f);
}
END_TEST

/* Pings never answered do drop the session; the next one is opened. */
START_TEST(test_noping)
{
	struct fake *f = &fk;

	fake_start(f, "noping", "  ping-interval 1s\n");
	wait_fake(f, "eof 1", 1);
	ck_assert_msg(fake_count(f, "ping ignored 2") == 1,
		      "the session was dropped before a second ping was missed\n%s",
		      what_happened(f));
	wait_fake(f, "open 2", 1);
	fake_stop(f);
}
END_TEST

/* A master that Closes each fresh session: one attempt a ping interval
 * (2 s), so 4 or so in 7 s; a tight loop makes hundreds. */
#define CLOSE_WATCH_MS 7000
#define CLOSE_OPENS_MAX 6
START_TEST(test_close)
{
	struct fake *f = &fk;
	int opens;

	fake_start(f, "close", "  ping-interval 2s\n");
	wait_fake(f, "open 1", 1);
	usleep(CLOSE_WATCH_MS * 1000);
	opens = fake_count(f, "open ");
	fprintf(stderr, "snmp_fake close: %d sessions in %d ms after the first\n", opens - 1,
		CLOSE_WATCH_MS);
	ck_assert_msg(opens <= CLOSE_OPENS_MAX,
		      "%d sessions opened within %d ms of the first with ping-interval 2s\n%s",
		      opens, CLOSE_WATCH_MS, what_happened(f));
	ck_assert_msg(opens >= 2, "no new session after a Close\n%s", what_happened(f));
	fake_stop(f);
}
END_TEST

/* A bad packet length: the session is dropped with a line that says so. */
static const struct {
	const char *mode, *line;
} bad_packet[] = {
    {"huge", "AgentX master sent a packet of 2147483392 bytes"},
    {"odd", "AgentX master sent a packet of 6 bytes"},
};

START_TEST(test_packet)
{
	struct fake *f = &fk;

	fake_start(f, bad_packet[_i].mode, "  ping-interval 1s\n");
	wait_fake(f, "open 1", 1);
	f->needle = bad_packet[_i].line;
	if (!wait_until(daemon_says, f, WAIT_MS))
		ck_abort_msg("no \"%s\" in the daemon's log\n%s", f->needle, what_happened(f));
	wait_fake(f, "eof 1", 1);
	wait_fake(f, "open 2", 1);
	fake_stop(f);
}
END_TEST

Suite *snmp_fake_suite(void)
{
	Suite *s = suite_create("snmp_fake");
	TCase *tc = tcase_create("snmp_fake");

	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_range);
	tcase_add_test(tc, test_ping);
	tcase_add_test(tc, test_noping);
	tcase_add_test(tc, test_close);
	tcase_add_loop_test(tc, test_packet, 0, sizeof bad_packet / sizeof bad_packet[0]);
	suite_add_tcase(s, tc);
	return s;
}
