/*
 * check_snmp_plugin: unit tests of the snmp service's pure parts, without
 * net-snmp: its options (plugins/snmp_opts.c: defaults, every option,
 * every refusal with the option it names) and its view cache
 * (plugins/snmp_feed.c) over a fake host whose hwh_query() answers from the
 * captured replies of tests/fixtures/snmp or fails: a view is reused for
 * `refresh`, rebuilt after, served stale for at most `stale-limit` when the
 * daemon does not answer, then dropped (NULL: the handler's genErr), each
 * change logged once.  The service against snmpd: check_snmp_daemon.c.
 *
 * To add a case: a row in a table or an assertion, with the exact value.
 */
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/snmp_internal.h"
#include "testlib.h"

Suite *snmp_plugin_suite(void); /* called by tests/main.c */

#define FIXTURES HWH_SRC_DIR "/tests/fixtures/snmp/"
#define OPT(k, v)                                                                                  \
	{                                                                                          \
		.key = k, .value = v, .file = "t.conf", .line = __LINE__, .col = 3                 \
	}

/* ---- options ---------------------------------------------------------------- */

START_TEST(test_opts_defaults)
{
	struct snmpo_conf c;
	struct hwh_config_error err;
	char oid[64];

	ck_assert_int_eq(snmpo_parse(NULL, 0, &c, &err), 0);
	ck_assert_str_eq(c.socket, "/var/agentx/master");
	snmpo_format_oid(c.root, c.rootlen, oid, sizeof oid);
	ck_assert_str_eq(oid, "1.3.6.1.4.1.32473");
	ck_assert_uint_eq(c.ping_ms, 1000);
	ck_assert_uint_eq(c.refresh_ms, 1000);
	ck_assert_uint_eq(c.poll_ms, 1000);
	ck_assert_uint_eq(c.timeout_ms, 500);
	ck_assert_uint_eq(c.stale_ms, 30000);
}
END_TEST

START_TEST(test_opts_all)
{
	const struct hwh_option o[] = {
	    OPT("agentx-socket", "tcp:127.0.0.1:705"),
	    OPT("ping-interval", "5s"),
	    OPT("refresh", "250ms"),
	    OPT("poll", "2s"),
	    OPT("oid-root", ".1.3.6.1.4.1.99999.7"),
	    OPT("timeout", "1500ms"),
	    OPT("stale-limit", "0ms"),
	};
	struct snmpo_conf c;
	struct hwh_config_error err;
	char oid[64];

	ck_assert_int_eq(snmpo_parse(o, sizeof o / sizeof o[0], &c, &err), 0);
	ck_assert_str_eq(c.socket, "tcp:127.0.0.1:705");
	ck_assert_uint_eq(c.ping_ms, 5000);
	ck_assert_uint_eq(c.refresh_ms, 250);
	ck_assert_uint_eq(c.poll_ms, 2000);
	ck_assert_uint_eq(c.timeout_ms, 1500);
	ck_assert_uint_eq(c.stale_ms, 0);
	snmpo_format_oid(c.root, c.rootlen, oid, sizeof oid);
	ck_assert_str_eq(oid, "1.3.6.1.4.1.99999.7");
	ck_assert_uint_eq(c.rootlen, 8);
}
END_TEST

START_TEST(test_opts_socket_forms)
{
	static const char *const good[] = {"/run/agentx/master", "unix:/var/agentx/master",
					   "tcp:localhost:705", "tcp6:[::1]:705",
					   "tcp:127.0.0.1:705"};
	struct snmpo_conf c;
	struct hwh_config_error err;

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		const struct hwh_option o[] = {OPT("agentx-socket", good[i])};

		ck_assert_msg(snmpo_parse(o, 1, &c, &err) == 0, "%s: %s", good[i], err.msg);
		ck_assert_str_eq(c.socket, good[i]);
	}
	/* "stale-limit 0", as the man page writes it, needs no unit. */
	{
		const struct hwh_option o[] = {OPT("stale-limit", "0")};

		ck_assert_msg(snmpo_parse(o, 1, &c, &err) == 0, "%s", err.msg);
		ck_assert_uint_eq(c.stale_ms, 0);
	}
}
END_TEST

/* A bad option: the index config() reports, and words of its message. */
static const struct {
	const char *key, *value;
	const char *msg; /* a part of err.msg */
} bad_opts[] = {
    {"agentx-socket", "master", "absolute path"},
    {"agentx-socket", "unix:master", "absolute path"},
    {"agentx-socket", "tcp:", "tcp:HOST:PORT"},
    {"agentx-socket", "tcp:705", "tcp:HOST:PORT"},
    {"agentx-socket", "tcp:[::1]:705", "tcp6:[ADDRESS]:PORT"},
    {"agentx-socket",
     "/run/a-socket-path-that-is-far-too-long-for-sun-path-which-holds-only-one-hundred-and-"
     "eight-bytes-including-its-terminating-nul/master",
     "at most 107 bytes"},
    {"agentx-socket", "", "absolute path"},
    {"ping-interval", "1", "not a duration"},
    {"ping-interval", "1500ms", "whole seconds"},
    {"ping-interval", "0s", "out of range"},
    {"ping-interval", "2h", "out of range"},
    {"refresh", "50ms", "out of range"},
    {"refresh", "fast", "not a duration"},
    {"ping-interval", "-1s", "not a duration"},
    {"poll", "99ms", "out of range"},
    {"poll", "2h", "out of range"},
    {"timeout", "5ms", "out of range"},
    {"timeout", "61s", "out of range"},
    {"stale-limit", "2h", "out of range"},
    {"oid-root", "1.3.6.1.4.1.x", "numeric OID"},
    {"oid-root", "1", "numeric OID"},
    {"oid-root", "1.3..6", "numeric OID"},
    {"oid-root", "1.3.6.", "numeric OID"},
    {"oid-root", "3.1", "numeric OID"},
    {"oid-root", "1.40", "numeric OID"},
    {"oid-root", "1.3.6.1.4.1.4294967296", "numeric OID"},
    {"oid-root", "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17.18.19.20.21.22.23.24.25", "2 to 24"},
    {"community", "public", "unknown option 'community'"},
};

START_TEST(test_opts_bad)
{
	/* Another option first, so that err.option must be 1. */
	const char *first = strcmp(bad_opts[_i].key, "poll") == 0 ? "refresh" : "poll";
	const struct hwh_option o[] = {OPT(first, "2s"), OPT(bad_opts[_i].key, bad_opts[_i].value)};
	struct snmpo_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(snmpo_parse(o, 2, &c, &err), -1);
	ck_assert_int_eq(err.option, 1);
	ck_assert_msg(strstr(err.msg, bad_opts[_i].msg) != NULL, "%s %s: \"%s\", expected \"%s\"",
		      bad_opts[_i].key, bad_opts[_i].value, err.msg, bad_opts[_i].msg);
}
END_TEST

START_TEST(test_opts_twice_and_block)
{
	const struct hwh_option twice[] = {OPT("poll", "2s"), OPT("poll", "3s")};
	const struct hwh_option stale[] = {OPT("refresh", "5s"), OPT("stale-limit", "2s")};
	struct snmpo_conf c;
	struct hwh_config_error err;

	ck_assert_int_eq(snmpo_parse(twice, 2, &c, &err), -1);
	ck_assert_int_eq(err.option, 1);
	ck_assert_ptr_nonnull(strstr(err.msg, "given twice"));
	/* A rule between options is the block's: no option to point at. */
	ck_assert_int_eq(snmpo_parse(stale, 2, &c, &err), -1);
	ck_assert_int_eq(err.option, -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "shorter than refresh"));
}
END_TEST

START_TEST(test_oid_format)
{
	const uint32_t oid[] = {1, 3, 6, 1, 4, 1, 4294967295u};
	uint32_t back[8];
	char buf[64];

	snmpo_format_oid(oid, 7, buf, sizeof buf);
	ck_assert_str_eq(buf, "1.3.6.1.4.1.4294967295");
	ck_assert_int_eq(snmpo_parse_oid(buf, back, 8), 7);
	ck_assert_int_eq(memcmp(back, oid, sizeof oid), 0);
	ck_assert_int_eq(snmpo_parse_oid(buf, back, 6), -1); /* longer than max */
	snmpo_format_oid(oid, 7, buf, 8);		     /* cut, terminated */
	ck_assert_str_eq(buf, "1.3.6.1");
}
END_TEST

/* ---- the view cache over a fake host -------------------------------------- */

/* The host side: hwh_query() from the fixture set `set`, or failing. */
static struct {
	struct hwh_ctx_public pub; /* first: what the plugin's helpers read */
	const char *set;	   /* fixture set ("red"), or NULL: a bad reply */
	int fail;		   /* 0, or the -errno every query returns */
	int queries;		   /* queries asked */
	char log[4096];		   /* what was logged, one line per message */
	int logs;
} fake;

static void fake_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	size_t n = strlen(fake.log);

	(void)ctx;
	(void)prio;
	if (n + 2 < sizeof fake.log) {
		vsnprintf(fake.log + n, sizeof fake.log - n - 1, fmt, ap);
		strcat(fake.log, "\n");
	}
	fake.logs++;
}

static char *read_fixture(const char *set, const char *cmd)
{
	char path[512];
	char *s;

	snprintf(path, sizeof path, FIXTURES "%s-%s.json", set, cmd);
	ck_assert_msg((s = read_file_str(path)) != NULL, "cannot read %s", path);
	return s;
}

static int fake_query(struct hwh_ctx *ctx, const char *request, char **reply, int64_t timeout_ms)
{
	static const char *const cmds[] = {"status", "sensors", "explain", "actions"};

	(void)ctx;
	ck_assert_int_gt(timeout_ms, 0);
	fake.queries++;
	if (fake.fail)
		return fake.fail;
	if (fake.set == NULL) {
		*reply = strdup("{\"ok\":false,\"error\":\"unknown command\"}");
		return 0;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		char want[64];

		snprintf(want, sizeof want, "{\"cmd\":\"%s\"}", cmds[i]);
		if (strcmp(request, want) == 0) {
			*reply = read_fixture(fake.set, cmds[i]);
			return 0;
		}
	}
	ck_abort_msg("unexpected request %s", request);
	return -EINVAL;
}

static const struct hwh_host fake_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_host),
    .vlog = fake_vlog,
    .query = fake_query,
};

static struct snmpo_conf conf;
static struct snmpf_feed feed;

static void feed_setup(void)
{
	struct hwh_config_error err;
	const struct hwh_option o[] = {OPT("refresh", "1s"), OPT("stale-limit", "10s")};

	memset(&fake, 0, sizeof fake);
	fake.pub.host = &fake_host;
	fake.set = "red";
	ck_assert_int_eq(snmpo_parse(o, 2, &conf, &err), 0);
	snmpf_init(&feed, (struct hwh_ctx *)(void *)&fake, &conf);
}

static void feed_teardown(void)
{
	snmpf_free(&feed);
}

/* The view's hwhNodeState.0: 1 green .. 4 critical, or 0 without one. */
static int64_t node_state(const struct snmpv_view *v)
{
	const uint32_t oid[] = {1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 0};
	const struct snmpv_var *x = snmpv_get(v, oid, sizeof oid / sizeof oid[0]);

	return x != NULL ? x->num : 0;
}

START_TEST(test_feed_refresh)
{
	const uint64_t t0 = 1000000;
	const struct snmpv_view *v;

	v = snmpf_view(&feed, t0);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(fake.queries, 4); /* status, sensors, explain, actions */
	ck_assert_int_eq(node_state(v), 3);
	/* Reused while younger than refresh, with no question asked. */
	ck_assert_ptr_eq(snmpf_view(&feed, t0 + 999), v);
	ck_assert_int_eq(fake.queries, 4);
	/* Rebuilt after: the yellow replies now. */
	fake.set = "yellow";
	v = snmpf_view(&feed, t0 + 1000);
	ck_assert_int_eq(fake.queries, 8);
	ck_assert_int_eq(node_state(v), 2);
	/* dirty (a notification was lost): rebuilt at once. */
	feed.dirty = true;
	fake.set = "red";
	v = snmpf_view(&feed, t0 + 1001);
	ck_assert_int_eq(fake.queries, 12);
	ck_assert_int_eq(node_state(v), 3);
	ck_assert_int_eq(fake.logs, 0);
}
END_TEST

START_TEST(test_feed_stale_then_dropped)
{
	const uint64_t t0 = 1000000;
	const struct snmpv_view *v;

	ck_assert_ptr_nonnull(v = snmpf_view(&feed, t0));
	/* The daemon stops answering: the old view, one warning. */
	fake.fail = -ETIMEDOUT;
	ck_assert_ptr_eq(snmpf_view(&feed, t0 + 1000), v);
	ck_assert_int_eq(fake.queries, 5); /* gave up at the first */
	ck_assert_int_eq(fake.logs, 1);
	ck_assert_msg(strstr(fake.log, "cannot refresh the view") != NULL &&
			  strstr(fake.log, "did not answer in time") != NULL,
		      "%s", fake.log);
	/* No new attempt before another refresh has passed. */
	ck_assert_ptr_eq(snmpf_view(&feed, t0 + 1500), v);
	ck_assert_int_eq(fake.queries, 5);
	ck_assert_ptr_eq(snmpf_view(&feed, t0 + 9999), v);
	ck_assert_int_eq(fake.queries, 6);
	ck_assert_int_eq(fake.logs, 1);
	ck_assert(!feed.expired);
	/* stale-limit (10 s) after the last good build: dropped, one error. */
	ck_assert_ptr_null(snmpf_view(&feed, t0 + 10000));
	ck_assert(feed.expired);
	ck_assert_int_eq(fake.logs, 2);
	ck_assert_ptr_nonnull(strstr(fake.log, "requests get genErr"));
	ck_assert_ptr_null(snmpf_view(&feed, t0 + 12000));
	ck_assert_int_eq(fake.logs, 2);
	/* The daemon answers again: served, one notice. */
	fake.fail = 0;
	ck_assert_ptr_nonnull(v = snmpf_view(&feed, t0 + 13000));
	ck_assert(!feed.expired && !feed.failing);
	ck_assert_int_eq(fake.logs, 3);
	ck_assert_ptr_nonnull(strstr(fake.log, "served again"));
	ck_assert_int_eq(node_state(v), 3);
}
END_TEST

START_TEST(test_feed_no_stale)
{
	struct hwh_config_error err;
	const struct hwh_option o[] = {OPT("stale-limit", "0s")};
	const uint64_t t0 = 1000000;

	ck_assert_int_eq(snmpo_parse(o, 1, &conf, &err), 0);
	ck_assert_ptr_nonnull(snmpf_view(&feed, t0));
	fake.fail = -ETIMEDOUT;
	/* stale-limit 0: a view older than refresh is never served. */
	ck_assert_ptr_null(snmpf_view(&feed, t0 + 1000));
}
END_TEST

START_TEST(test_feed_bad_reply)
{
	/* The daemon answers, but not with a view's worth: never served. */
	fake.set = NULL;
	ck_assert_ptr_null(snmpf_view(&feed, 1000000));
	ck_assert_ptr_nonnull(strstr(feed.err, "cannot build the view"));
	ck_assert_int_eq(fake.logs, 2); /* the failure, then no view at all */
}
END_TEST

START_TEST(test_feed_query_some)
{
	static char any;
	const struct snmpf_replies want = {&any, NULL, &any, NULL};
	struct snmpf_replies r;
	char err[256];

	ck_assert_int_eq(snmpf_query(&feed, &want, &r, err, sizeof err), 0);
	ck_assert_int_eq(fake.queries, 2);
	ck_assert_ptr_nonnull(r.status);
	ck_assert_ptr_null(r.sensors);
	ck_assert_ptr_nonnull(r.explain);
	ck_assert_ptr_null(r.actions);
	snmpf_replies_free(&r);
	fake.fail = -ECANCELED;
	ck_assert_int_eq(snmpf_query(&feed, &want, &r, err, sizeof err), -ECANCELED);
	ck_assert_ptr_null(r.status);
	ck_assert_ptr_nonnull(strstr(err, "{\"cmd\":\"status\"}"));
}
END_TEST

Suite *snmp_plugin_suite(void)
{
	Suite *s = suite_create("snmp_plugin");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_opts_defaults);
	tcase_add_test(tc, test_opts_all);
	tcase_add_test(tc, test_opts_socket_forms);
	tcase_add_loop_test(tc, test_opts_bad, 0, sizeof bad_opts / sizeof bad_opts[0]);
	tcase_add_test(tc, test_opts_twice_and_block);
	tcase_add_test(tc, test_oid_format);
	suite_add_tcase(s, tc);

	tc = tcase_create("feed");
	tcase_add_checked_fixture(tc, feed_setup, feed_teardown);
	tcase_add_test(tc, test_feed_refresh);
	tcase_add_test(tc, test_feed_stale_then_dropped);
	tcase_add_test(tc, test_feed_no_stale);
	tcase_add_test(tc, test_feed_bad_reply);
	tcase_add_test(tc, test_feed_query_some);
	suite_add_tcase(s, tc);
	return s;
}
