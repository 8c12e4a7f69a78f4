/*
 * Integration tests of the CLI's policy commands (agent/cli_actions.c)
 * run as the real binary: usage errors are caught before any request
 * (bad durations, a missing --reason or --for, a bad unsilence ID or
 * --fail-on, an option of another command), "check" exits 3 with one line
 * when no daemon answers, and against a real hwhealthd with the echo test
 * source and a rule, "check" exits 0 while the node is green and 1 with the
 * reason once it is red, as --fail-on says; a refused request's error is
 * printed as the daemon gave it.
 *
 * The renderings themselves are unit-tested in check_cli_format_actions.c.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "actrig.h"
#include "testlib.h"

#define WAIT_MS 15000

/* Runs build/hwhealth --socket sock ARGS (NULL-ended) into *res; its exit code. */
static int run_cli(const char *sock, struct cmd_result *res, const char *const *args)
{
	const char *argv[24] = {HWH_BUILD_DIR "/hwhealth", "--socket", sock};
	size_t n = 3;

	for (; *args != NULL && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	return cmd_run(argv, res, TL_CMD_TIMEOUT_MS);
}

struct usage_case {
	const char *args[8];
	int code;
	const char *err; /* expected in stderr */
};

/* Refused on the command line: the exit code, the message, and no attempt
 * to connect (the socket does not exist, so a request would say so). */
START_TEST(test_usage_errors)
{
	static const struct usage_case cases[] = {
	    {{"silence", "fan-slowing", "--for", "5x", "--reason", "r"},
	     1,
	     "invalid duration '5x' for --for (a number and a unit: 90s, 30m, 2h, 1d)"},
	    {{"silence", "fan-slowing", "--for", "0", "--reason", "r"}, 1, "invalid duration '0'"},
	    {{"silence", "fan-slowing", "--for", "-1h", "--reason", "r"},
	     1,
	     "invalid duration '-1h'"},
	    {{"silence", "fan-slowing", "--for", "1.5h", "--reason", "r"},
	     1,
	     "invalid duration '1.5h'"},
	    {{"silence", "all", "--for", "31d", "--reason", "r"},
	     1,
	     "--for 31d is too long (a silence lasts at most 30d)"},
	    {{"silence", "all", "--reason", "r"}, 1, "silence needs --for DURATION"},
	    {{"silence", "all", "--for", "2h"}, 1, "silence needs --reason TEXT"},
	    {{"silence", "all", "--for", "2h", "--reason", ""}, 1, "silence needs --reason TEXT"},
	    {{"silence", "--for", "2h", "--reason", "r"}, 1, "'silence' needs TARGET"},
	    {{"drain"}, 1, "drain needs --reason TEXT (it is logged)"},
	    {{"drain", "--force"}, 1, "drain needs --reason TEXT"},
	    {{"fence"}, 1, "fence needs --reason TEXT"},
	    {{"undrain", "--force"}, 1, "option '--force' is for 'drain', not 'undrain'"},
	    {{"unsilence", "abc"}, 1, "unsilence takes a silence's ID"},
	    {{"unsilence", "0"}, 1, "unsilence takes a silence's ID"},
	    {{"unsilence"}, 1, "'unsilence' needs ID or 'all'"},
	    {{"actions", "--limit", "0"}, 1, "invalid limit '0'"},
	    {{"actions", "--limit", "x"}, 1, "invalid limit 'x'"},
	    {{"status", "--reason", "x"},
	     3,
	     "option '--reason' is for 'self-fence', 'silence', 'drain', 'undrain' or 'fence', "
	     "not 'status'"},
	    {{"check", "--fail-on", "green"},
	     2,
	     "invalid --fail-on 'green' (yellow, red or critical)"},
	    {{"check", "--limit", "3"}, 2, "option '--limit' is for 'actions', not 'check'"},
	    {{"check", "extra"}, 2, "too many arguments for 'check'"},
	    {{"check", "-v"}, 2, "option '--verbose' is for 'actions', not 'check'"},
	};
	struct cmd_result res;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct usage_case *c = &cases[i];
		int code = run_cli("/nonexistent/hwhealthd.sock", &res, c->args);

		ck_assert_msg(code == c->code, "%s %s: exit %d, want %d; stderr: %s", c->args[0],
			      c->args[1] ? c->args[1] : "", code, c->code, res.err);
		ck_assert_msg(strstr(res.err, c->err) != NULL, "%s: want '%s' in: %s", c->args[0],
			      c->err, res.err);
		ck_assert_msg(strstr(res.err, "cannot connect") == NULL, "%s: connected: %s",
			      c->args[0], res.err);
		ck_assert_msg(res.out[0] == '\0', "case %zu: stdout: %s", i, res.out);
		cmd_result_free(&res);
	}
}
END_TEST

/* check without a daemon: exit 3, one line on stdout, nothing on stderr;
 * for a missing socket and for one nobody listens on. */
START_TEST(test_check_unreachable)
{
	static const char *const args[] = {"check", NULL};
	char dir[] = "/tmp/hwh-cli-XXXXXX", sock[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct cmd_result res;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/dead.sock", dir);
	ck_assert_int_eq(run_cli(sock, &res, args), 3);
	ck_assert_msg(strncmp(res.out, "hwhealth: cannot reach hwhealthd: ", 34) == 0, "%s",
		      res.out);
	ck_assert_msg(strchr(res.out, '\n') == res.out + strlen(res.out) - 1, "not one line: %s",
		      res.out);
	ck_assert_str_eq(res.err, "");
	cmd_result_free(&res);
	/* A socket file whose listener is gone: connection refused. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	ck_assert_int_ge(fd = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	ck_assert_int_eq(run_cli(sock, &res, args), 3);
	ck_assert_msg(strstr(res.out, "hwhealth: cannot reach hwhealthd: ") == res.out &&
			  strstr(res.out, "refused") != NULL,
		      "%s", res.out);
	ck_assert_str_eq(res.err, "");
	cmd_result_free(&res);
	unlink(sock);
	rmdir(dir);
}
END_TEST

struct rig {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX];
};

/* A daemon with the echo source e (temp1 at 40) and the rule hot. */
static void rig_start(struct rig *r)
{
	char rules[TL_PATH_MAX], file[TL_PATH_MAX + 16], conf[4096];
	const char *pl;

	memset(r, 0, sizeof(*r));
	r->tree = fake_tree_new();
	pl = test_plugin_dir(r->tree, "pl", "echo", NULL);
	snprintf(rules, sizeof(rules), "%s/rules", r->tree->dir);
	ck_assert_int_eq(mkdir(rules, 0755), 0);
	snprintf(file, sizeof(file), "%s/test.rules", rules);
	ck_assert_int_eq(write_file_str(file, ACTRIG_RULE_HOT), 0);
	snprintf(r->vals, sizeof(r->vals), "%s/vals.txt", r->tree->dir);
	ck_assert_int_eq(write_file_str(r->vals, "chip0 temp1 temperature 40 max=80 crit=95\n"), 0);
	snprintf(conf, sizeof(conf),
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/none\nrecover-after 0\n"
		 "socket-mode 0666\n"
		 "source e {\n  plugin echo\n  file %s\n  interval 1s\n}\n",
		 pl, rules, r->tree->dir, r->vals);
	r->d.tree = r->tree;
	daemon_start(&r->d, conf);
}

static void rig_free(struct rig *r)
{
	if (r->d.pid > 0)
		daemon_stop(&r->d);
	fake_tree_free(r->tree);
}

struct want_state {
	struct test_daemon *d;
	const char *state;
};

static bool state_is(void *arg)
{
	struct want_state *w = arg;
	json_object *r = daemon_request(w->d, "{\"cmd\":\"status\"}");
	const char *s = json_str(r, "result.node.state");
	bool ok = s != NULL && strcmp(s, w->state) == 0;

	json_object_put(r);
	return ok;
}

static void wait_state(struct test_daemon *d, const char *state)
{
	struct want_state w = {d, state};

	ck_assert_msg(wait_until(state_is, &w, WAIT_MS), "node never %s", state);
}

/* check: green 0; red 1 with the reason (default --fail-on red, and
 * yellow); red is below --fail-on critical; green again 0. */
START_TEST(test_check_daemon)
{
	struct cmd_result res;
	struct rig r;

	rig_start(&r);
	wait_state(&r.d, "green");
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "check", NULL), 0);
	ck_assert_str_eq(res.out, "hwhealth: green\n");
	ck_assert_str_eq(res.err, "");
	cmd_result_free(&res);

	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 61.5 max=80 crit=95\n"),
			 0);
	wait_state(&r.d, "red");
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "check", NULL), 1);
	ck_assert_str_eq(res.out, "hwhealth: red: hot: temp1 at 61.5 > 50\n");
	cmd_result_free(&res);
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "check", "--fail-on", "yellow", NULL), 1);
	cmd_result_free(&res);
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "check", "--fail-on", "critical", NULL), 0);
	ck_assert_str_eq(res.out, "hwhealth: red: hot: temp1 at 61.5 > 50\n");
	cmd_result_free(&res);
	/* --json prints the status result; the exit code is still check's. */
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "--json", "check", NULL), 1);
	ck_assert_msg(strstr(res.out, "\"state\": \"red\"") != NULL, "%s", res.out);
	cmd_result_free(&res);

	ck_assert_int_eq(write_file_str(r.vals, "chip0 temp1 temperature 40 max=80 crit=95\n"), 0);
	wait_state(&r.d, "green");
	ck_assert_int_eq(cli_run(&r.d, &res, NULL, "check", "--fail-on", "yellow", NULL), 0);
	ck_assert_str_eq(res.out, "hwhealth: green\n");
	cmd_result_free(&res);
	rig_free(&r);
}
END_TEST

/* A request the daemon refuses (not root, or a daemon without the policy
 * commands): exit 1 and the daemon's error on one stderr line. */
START_TEST(test_refusal_forwarded)
{
	static const char *const drain[] = {"drain", "--reason", "test", NULL};
	char err[4096];
	struct rig r;

	rig_start(&r);
	ck_assert_int_eq(chmod(r.tree->dir, 0711), 0); /* let nobody reach the socket */
	ck_assert_int_eq(cli_as_nobody(&r.d, drain, err, sizeof(err)), 1);
	ck_assert_msg(strncmp(err, "hwhealth: ", 10) == 0 &&
			  strchr(err, '\n') == err + strlen(err) - 1,
		      "%s", err);
	ck_assert_msg(strstr(err, "drain") != NULL, "%s", err);
	rig_free(&r);
}
END_TEST

Suite *cli_actions_daemon_suite(void)
{
	Suite *s = suite_create("cli_actions_daemon");
	TCase *tc;

	tc = tcase_create("usage");
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_check_unreachable);
	suite_add_tcase(s, tc);

	tc = tcase_create("daemon");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_check_daemon);
	tcase_add_test(tc, test_refusal_forwarded);
	suite_add_tcase(s, tc);
	return s;
}
