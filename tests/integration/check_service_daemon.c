/*
 * check_service_daemon: service blocks (plugin ABI 1.4) in the real
 * hwhealthd, seen through the svcrec test plugin (tests/plugins/svcrec.c),
 * which queries the daemon every 100 ms and writes the reply and a log of
 * its calls with their thread ids.
 *
 * Covered: hwh_query() answers exactly what the control socket answers; a
 * command that needs root is refused to a service; "status" shows each
 * service with its own status line; a failing init() and run() are
 * retried with a growing back-off and counted; run() and shutdown() run on
 * one thread; a reload stops the service and starts it again; a service
 * that ignores the stop does not hold up the daemon; configuration errors
 * name file:line:col.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testlib.h"

#define WAIT_MS 15000
#define TC_TIMEOUT_SEC 90
#define ECHO_OK "chip0 temp1 temperature 45 max=80 crit=95\n"

static struct fake_tree *tree;
static struct test_daemon d;
static char echo_file[TL_PATH_MAX];
static char no_rules[TL_PATH_MAX];
static char svc_dir[TL_PATH_MAX]; /* where svcrec writes */
static char plugin_dir[TL_PATH_MAX];

static void setup(void)
{
	tree = fake_tree_new();
	memset(&d, 0, sizeof d);
	d.tree = tree;
	snprintf(echo_file, sizeof echo_file, "%s/echo.txt", tree->dir);
	snprintf(no_rules, sizeof no_rules, "%s/rules", tree->dir);
	snprintf(svc_dir, sizeof svc_dir, "%s/svc", tree->dir);
	ck_assert_int_eq(mkdir(no_rules, 0755), 0);
	ck_assert_int_eq(mkdir(svc_dir, 0755), 0);
	ck_assert_int_eq(write_file_str(echo_file, ECHO_OK), 0);
	snprintf(plugin_dir, sizeof plugin_dir, "%s",
		 test_plugin_dir(tree, "pl", "echo", "svcrec", NULL));
}

static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	fake_tree_free(tree);
}

/* The configuration: an echo source and the given service block lines
 * ("%D" stands for svc_dir). */
static const char *conf(const char *service)
{
	static char text[8192];
	char block[2048];
	size_t n = 0;

	for (const char *s = service; *s != '\0' && n < sizeof block - TL_PATH_MAX; s++) {
		if (s[0] == '%' && s[1] == 'D') {
			n += (size_t)snprintf(block + n, sizeof block - n, "%s", svc_dir);
			s++;
		} else {
			block[n++] = *s;
		}
	}
	block[n] = '\0';
	snprintf(text, sizeof text,
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/rules.d\nlog-level debug\n"
		 "socket-mode 0666\ninterval 1s\n"
		 "source e {\n  plugin echo\n  file %s\n}\n%s",
		 plugin_dir, no_rules, tree->dir, echo_file, block);
	return text;
}

static char *svc_file(const char *name)
{
	char path[TL_PATH_MAX + 32];

	snprintf(path, sizeof path, "%s/%s", svc_dir, name);
	return read_file_str(path);
}

/* Lines of svcrec's log starting with what. */
static int log_count(const char *what)
{
	char *log = svc_file("log");
	int n = 0;
	size_t len = strlen(what);

	for (char *l = log; l != NULL && *l != '\0';) {
		if (strncmp(l, what, len) == 0 && l[len] == ' ')
			n++;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	free(log);
	return n;
}

static bool has_reply(void *arg)
{
	char *r = svc_file("reply.json");
	bool ok = r != NULL && *r != '\0';

	(void)arg;
	free(r);
	return ok;
}

static void forget_reply(void)
{
	char path[TL_PATH_MAX + 16];

	snprintf(path, sizeof path, "%s/reply.json", svc_dir);
	unlink(path);
}

static struct json_object *reply(void)
{
	char *r;
	struct json_object *o;

	ck_assert_msg(wait_until(has_reply, NULL, WAIT_MS),
		      "the service never got a reply; log:\n%s", daemon_log(&d));
	r = svc_file("reply.json");
	o = json_tokener_parse(r);
	ck_assert_msg(o != NULL, "reply is not JSON: %s", r);
	free(r);
	return o;
}

/* The service's entry in "status". */
static struct json_object *service_status(struct json_object *st, const char *name)
{
	struct json_object *a;

	if (!json_object_object_get_ex(st, "services", &a))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *o = json_object_array_get_idx(a, i);

		if (strcmp(json_str(o, "name"), name) == 0)
			return o;
	}
	return NULL;
}

struct want_status {
	const char *name;
	const char *state;
	const char *prefix; /* of its status text */
};

static bool status_is(void *arg)
{
	struct want_status *w = arg;
	struct json_object *st = cli_json(&d, "status", NULL);
	struct json_object *s = st ? service_status(st, w->name) : NULL;
	bool ok = s != NULL && strcmp(json_str(s, "state"), w->state) == 0 &&
		  strncmp(json_str(s, "status"), w->prefix, strlen(w->prefix)) == 0;

	json_object_put(st);
	return ok;
}

static void wait_status(const char *name, const char *state, const char *prefix)
{
	struct want_status w = {name, state, prefix};
	struct json_object *st;

	if (wait_until(status_is, &w, WAIT_MS))
		return;
	st = cli_json(&d, "status", NULL);
	ck_abort_msg("service %s never %s / '%s...': %s", name, state, prefix,
		     json_object_to_json_string(st));
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_query_equals_socket)
{
	struct json_object *got, *want;

	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n"
			      "  query rules\n}\n"));
	got = reply();
	want = daemon_request(&d, "{\"cmd\":\"rules\"}");
	ck_assert_ptr_nonnull(want);
	ck_assert_msg(json_object_equal(got, want), "service got %s\nsocket answers %s",
		      json_object_to_json_string(got), json_object_to_json_string(want));
	json_object_put(got);
	json_object_put(want);
}
END_TEST

START_TEST(test_query_status_and_root_refused)
{
	struct json_object *got, *s;

	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n}\n"));
	got = reply();
	/* The default query: status, with the service itself in it. */
	ck_assert_str_eq(json_str(got, "result.node.state"), "green");
	json_object_put(got);
	wait_status("s", "running", "queried ");
	got = cli_json(&d, "status", NULL);
	s = service_status(got, "s");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(json_str(s, "plugin"), "svcrec");
	ck_assert_int_eq((int)json_num(s, "restarts"), 0);
	ck_assert(json_object_get_boolean(json_object_object_get(s, "ok")));
	json_object_put(got);
	daemon_stop(&d);

	/* A command that needs root is refused, even though the daemon is root. */
	forget_reply();
	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n"
			      "  query drain\n}\n"));
	got = reply();
	ck_assert(!json_object_get_boolean(json_object_object_get(got, "ok")));
	ck_assert_msg(strstr(json_str(got, "error"), "permission denied") != NULL, "%s",
		      json_object_to_json_string(got));
	json_object_put(got);
	ck_assert(!daemon_log_has(&d, "drain requested"));
}
END_TEST

START_TEST(test_retries_with_backoff)
{
	struct json_object *st, *s;
	int64_t t0 = tl_mono_ms();

	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n  fail-init 2\n"
			      "  fail-run 1\n}\n"));
	wait_status("s", "running", "queried ");
	/* init fails twice (1 s, 2 s back-off), run once (4 s): at least 7 s. */
	ck_assert_msg(tl_mono_ms() - t0 >= 6500, "running after %lld ms",
		      (long long)(tl_mono_ms() - t0));
	ck_assert_int_eq(log_count("init"), 3);
	ck_assert_int_eq(log_count("run"), 2);
	st = cli_json(&d, "status", NULL);
	s = service_status(st, "s");
	ck_assert_int_eq((int)json_num(s, "restarts"), 3);
	json_object_put(st);
	ck_assert(daemon_log_has(&d, "service s: init failed (Input/output error); again in 1 s"));
	ck_assert(daemon_log_has(&d, "service s: init failed (Input/output error); again in 2 s"));
	ck_assert(daemon_log_has(&d, "service s: run failed (Input/output error); again in 4 s"));
}
END_TEST

/* The thread id of svcrec's log line "what N". */
static long tid_of(const char *what, int n)
{
	char *log = svc_file("log");
	char pat[64];
	const char *p;
	long tid = -1;

	snprintf(pat, sizeof pat, "%s %d tid ", what, n);
	if (log != NULL && (p = strstr(log, pat)) != NULL)
		tid = strtol(p + strlen(pat), NULL, 10);
	free(log);
	return tid;
}

static bool two_runs(void *arg)
{
	(void)arg;
	return log_count("shutdown") >= 1 && log_count("run") >= 2;
}

START_TEST(test_one_thread_and_reload)
{
	long run_tid, down_tid;

	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n}\n"));
	wait_status("s", "running", "queried ");
	daemon_signal(&d, SIGHUP);
	ck_assert_msg(wait_until(two_runs, NULL, WAIT_MS), "no restart on reload; log:\n%s",
		      svc_file("log"));
	run_tid = tid_of("run", 1);
	down_tid = tid_of("shutdown", 1);
	ck_assert_msg(run_tid > 0 && run_tid == down_tid, "run on %ld, shutdown on %ld", run_tid,
		      down_tid);
	ck_assert_int_eq(log_count("stop"), 1);
	ck_assert_int_ne(tid_of("run", 1), getpid()); /* not the main thread */
	wait_status("s", "running", "queried ");
	/* The new instance's own init: a reload makes a new instance. */
	ck_assert_int_ge(log_count("init"), 1);
}
END_TEST

START_TEST(test_stuck_service_does_not_hold_daemon)
{
	int64_t t0;

	daemon_start(&d, conf("service s {\n  plugin svcrec\n  dir %D\n  ignore-stop 30\n}\n"));
	wait_status("s", "running", "queried ");
	t0 = tl_mono_ms();
	daemon_signal(&d, SIGHUP);
	/* The daemon answers again once the stop wait is over, not 30 s later. */
	wait_status("s", "running", "queried ");
	ck_assert_msg(tl_mono_ms() - t0 < 20000, "reload took %lld ms",
		      (long long)(tl_mono_ms() - t0));
	ck_assert(daemon_log_has(&d, "service s: still in its plugin; left to finish on its own"));
}
END_TEST

START_TEST(test_config_errors)
{
	struct cmd_result res;
	int rc;

	rc = daemon_check_config(&d, conf("service s {\n  plugin echo\n}\n"), &res);
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(res.err, ":11:1: service 's': plugin 'echo' is not a service (it has "
				      "no run())") != NULL,
		      "%s", res.err);
	cmd_result_free(&res);
	rc = daemon_check_config(&d,
				 conf("service s {\n  plugin svcrec\n  dir %D\n"
				      "  fail-init many\n}\n"),
				 &res);
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(res.err, ":14:3: service 's': 'fail-init' wants a count, not "
				      "'many'") != NULL,
		      "%s", res.err);
	cmd_result_free(&res);
	rc = daemon_check_config(&d, conf("action s {\n  plugin svcrec\n  dir %D\n}\n"), &res);
	ck_assert_int_ne(rc, 0);
	ck_assert_msg(strstr(res.err, "action 's': plugin 'svcrec' is not an actuator") != NULL,
		      "%s", res.err);
	cmd_result_free(&res);
}
END_TEST

Suite *service_daemon_suite(void)
{
	Suite *s = suite_create("service_daemon");
	TCase *tc = tcase_create("service");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_query_equals_socket);
	tcase_add_test(tc, test_query_status_and_root_refused);
	tcase_add_test(tc, test_retries_with_backoff);
	tcase_add_test(tc, test_one_thread_and_reload);
	tcase_add_test(tc, test_stuck_service_does_not_hold_daemon);
	tcase_add_test(tc, test_config_errors);
	suite_add_tcase(s, tc);
	return s;
}
