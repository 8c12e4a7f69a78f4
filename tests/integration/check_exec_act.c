/*
 * check_exec_act: the exec actuator (build/plugins/exec.so) driven through
 * tests/actlib.c with real programs, and contrib/kubernetes-hook.sh run by
 * it:
 *
 *   argv/env     the program gets argv exactly as configured (printf shows
 *                each word) and exactly the documented environment (env
 *                prints it: PATH, LC_ALL, the env options, HWHEALTH_*)
 *   results      exit 0 done; a failing hook is -EIO with its exit status
 *                and stderr; a hook that hangs is killed at its timeout
 *                with the child it started (-ETIMEDOUT); bad options
 *   kubernetes   the hook's kubectl calls for drain, undrain and notify,
 *                with an operator's cordon left alone.  kubectl is a TEST
 *                DOUBLE: a script on a temporary PATH that records its argv
 *                and answers `get` from FAKE_KUBECTL_GET, because these
 *                tests cannot run a Kubernetes cluster.  What it checks is
 *                the hook's logic and the words it passes, not Kubernetes.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "actlib.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 60
#define HANG_TIMEOUT_MS 1000 /* the hanging hook's action timeout */
#define HOOK HWH_SRC_DIR "/contrib/kubernetes-hook.sh"

static char dir[] = "/tmp/hwh-exec-act.XXXXXX";
static struct actlib act;

static void setup(void)
{
	strcpy(dir, "/tmp/hwh-exec-act.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&act, 0, sizeof act);
}

static void teardown(void)
{
	actlib_close(&act);
	tl_rm_rf(dir);
}

static void open_exec(const char *const *opts)
{
	char err[512];

	ck_assert_msg(actlib_open(&act, "exec", opts, err, sizeof err) == 0, "%s", err);
}

/* ---- argv, env, results ----------------------------------------------------- */

START_TEST(test_argv_exact)
{
	struct hwh_action a = actlib_action("drain", HWH_NODE_RED, HWH_NODE_YELLOW, "red: x");
	struct hwh_action_result r;

	open_exec((const char *[]){"program", "/usr/bin/printf", "arg", "[%s]", "arg", "two words",
				   "arg", "x=\"y\" $HOME", "arg", "", "arg", "--last", NULL});
	ck_assert_int_eq(actlib_perform(&act, &a, &r), 0);
	ck_assert_int_eq(r.exit_status, 0);
	/* printf reuses its format: one [] per argument, none through a shell. */
	ck_assert_str_eq(r.output, "stdout:\n[two words][x=\"y\" $HOME][][--last]");
	ck_assert_msg(strncmp(r.detail, "/usr/bin/printf: exit 0 in ", 27) == 0, "%s", r.detail);
}
END_TEST

START_TEST(test_env_exact)
{
	struct hwh_action a =
	    actlib_action("undrain", HWH_NODE_GREEN, HWH_NODE_RED, "green: all findings cleared");
	struct hwh_action_result r;

	setenv("HWH_EXEC_LEAK", "the daemon's environment", 1);
	open_exec((const char *[]){"program", "/usr/bin/env", "env", "SITE=lab one", "env",
				   "EMPTY=", "node", "cn042", NULL});
	a.score = 40.04;
	a.id = 17;
	a.manual = 1;
	a.drained = 0;
	ck_assert_int_eq(actlib_perform(&act, &a, &r), 0);
	ck_assert_str_eq(r.output, "stdout:\n"
				   "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
				   "LC_ALL=C\n"
				   "SITE=lab one\n"
				   "EMPTY=\n"
				   "HWHEALTH_NODE=cn042\n"
				   "HWHEALTH_STATE=green\n"
				   "HWHEALTH_PREVIOUS_STATE=red\n"
				   "HWHEALTH_SCORE=40.0\n"
				   "HWHEALTH_ACTION=undrain\n"
				   "HWHEALTH_REASON=green: all findings cleared\n"
				   "HWHEALTH_ACTION_ID=17\n"
				   "HWHEALTH_MANUAL=1\n"
				   "HWHEALTH_DRAINED=0\n");

	/* PATH and LC_ALL may be replaced; the default node is hostname -s. */
	actlib_close(&act);
	open_exec((const char *[]){"program", "/usr/bin/env", "env", "PATH=/opt/bin", "env",
				   "LC_ALL=C.UTF-8", NULL});
	a = actlib_action("fence", HWH_NODE_CRITICAL, HWH_NODE_RED, "critical: PSU");
	a.drained = 1;
	ck_assert_int_eq(actlib_perform(&act, &a, &r), 0);
	ck_assert_msg(
	    strncmp(r.output, "stdout:\nPATH=/opt/bin\nLC_ALL=C.UTF-8\nHWHEALTH_NODE=", 51) == 0,
	    "%s", r.output);
	ck_assert_ptr_nonnull(strstr(r.output, "HWHEALTH_STATE=critical\n"));
	ck_assert_ptr_nonnull(strstr(r.output, "HWHEALTH_ACTION=fence\n"));
	ck_assert_ptr_nonnull(strstr(r.output, "HWHEALTH_MANUAL=0\nHWHEALTH_DRAINED=1\n"));
	{
		char host[256], want[300];

		gethostname(host, sizeof host);
		host[strcspn(host, ".")] = '\0';
		snprintf(want, sizeof want, "\nHWHEALTH_NODE=%s\n", host);
		ck_assert_ptr_nonnull(strstr(r.output, want));
	}
}
END_TEST

START_TEST(test_failing_hook)
{
	struct hwh_action a = actlib_action("drain", HWH_NODE_RED, HWH_NODE_YELLOW, "red");
	struct hwh_action_result r;

	open_exec((const char *[]){"program", "/bin/sh", "arg", "-c", "arg",
				   "echo cordoning; echo 'kubectl: connection refused' >&2; exit 3",
				   NULL});
	ck_assert_int_eq(actlib_perform(&act, &a, &r), -EIO);
	ck_assert_int_eq(r.exit_status, 3);
	ck_assert_msg(strstr(r.detail, "/bin/sh: exit 3 in ") == r.detail, "%s", r.detail);
	ck_assert_msg(strstr(r.detail, "ms: kubectl: connection refused") != NULL, "%s", r.detail);
	ck_assert_str_eq(r.output, "stdout:\ncordoning\n\nstderr:\nkubectl: connection refused\n");
	ck_assert_ptr_nonnull(strstr(actlib_log(&act), "drain: /bin/sh: exit 3"));
}
END_TEST

/* The hook and the child it started are killed at the action's timeout. */
START_TEST(test_hanging_hook)
{
	struct hwh_action a = actlib_action("drain", HWH_NODE_RED, HWH_NODE_YELLOW, "red");
	struct hwh_action_result r;
	int64_t t0;
	int bg = 0, sh = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1); /* the orphaned sleep comes back to us */
	open_exec((const char *[]){"program", "/bin/sh", "arg", "-c", "arg",
				   "sleep 30 & echo $! $$; wait", NULL});
	a.timeout_ms = HANG_TIMEOUT_MS;
	t0 = tl_mono_ms();
	ck_assert_int_eq(actlib_perform(&act, &a, &r), -ETIMEDOUT);
	ck_assert_int_lt(tl_mono_ms() - t0, HANG_TIMEOUT_MS); /* within the block's timeout */
	ck_assert_int_ge(tl_mono_ms() - t0, HANG_TIMEOUT_MS - 300);
	ck_assert_int_eq(r.exit_status, -1);
	ck_assert_msg(strstr(r.detail, "timed out after 0.8 s (killed)") != NULL, "%s", r.detail);
	ck_assert_int_eq(sscanf(r.output, "stdout:\n%d %d", &bg, &sh), 2);
	ck_assert_int_eq(kill(sh, 0), -1); /* reaped */
	for (int i = 0; i < 200 && waitpid(bg, NULL, WNOHANG) == 0; i++)
		usleep(10 * 1000);
	ck_assert_int_eq(kill(bg, 0), -1); /* killed with the group, reaped by us */
}
END_TEST

START_TEST(test_missing_at_run)
{
	struct hwh_action a = actlib_action("notify", HWH_NODE_RED, HWH_NODE_YELLOW, "red");
	struct hwh_action_result r;
	char path[TL_PATH_MAX];

	snprintf(path, sizeof path, "%s/hook", dir);
	ck_assert_int_eq(write_file_str(path, "#!/bin/sh\nexit 0\n"), 0);
	chmod(path, 0755);
	open_exec((const char *[]){"program", path, NULL});
	ck_assert_int_eq(actlib_perform(&act, &a, &r), 0);
	unlink(path);
	ck_assert_int_eq(actlib_perform(&act, &a, &r), -ENOENT);
	ck_assert_int_eq(r.exit_status, -1);
	ck_assert_msg(strstr(r.detail, "No such file or directory") != NULL, "%s", r.detail);
}
END_TEST

static const struct {
	const char *opts[8];
	const char *msg;
} bad[] = {
    {{"arg", "x", NULL}, "config: missing 'program PATH' (the hook to run)"},
    {{"program", "hook.sh", NULL},
     "config: program: program must be an absolute path, got "
     "'hook.sh'"},
    {{"program", "/nonexistent/hook", NULL},
     "config: program: program /nonexistent/hook: cannot execute: No such file or directory"},
    {{"program", "/bin/true", "env", "HWHEALTH_STATE=x", NULL},
     "config: env: env HWHEALTH_STATE: HWHEALTH_* variables are set by the plugin"},
    {{"program", "/bin/true", "env", "NOVALUE", NULL},
     "config: env: env takes NAME=VALUE with NAME of letters, digits and '_', got 'NOVALUE'"},
    {{"program", "/bin/true", "env", "A=1", "env", "A=2", NULL}, "config: env: env A given twice"},
    {{"program", "/bin/true", "program", "/bin/false", NULL},
     "config: program: option 'program' given twice (first at line 1)"},
    {{"program", "/bin/true", "shell", "yes", NULL},
     "config: shell: unknown option 'shell' (expected program, arg, env or node)"},
};

START_TEST(test_bad_options)
{
	char err[512];

	ck_assert_int_eq(actlib_open(&act, "exec", bad[_i].opts, err, sizeof err), -1);
	ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

/* ---- contrib/kubernetes-hook.sh with a kubectl test double ----------------- */

static char kube_log[TL_PATH_MAX];

/* Run the hook for action (state) with `kubectl get` answering get_answer;
 * extra env options (NULL-ended, at most 2).  The hook's return value. */
static int hook(const char *action, int state, const char *get_answer, const char *extra1,
		const char *extra2, struct hwh_action_result *r)
{
	static const char fake[] =
	    "#!/bin/sh\n"
	    "# TEST DOUBLE of kubectl: records its argv, answers get.\n"
	    "for a in \"$@\"; do printf '[%s]' \"$a\"; done >> \"$FAKE_KUBECTL_LOG\"\n"
	    "echo >> \"$FAKE_KUBECTL_LOG\"\n"
	    "[ \"$1\" = \"${FAKE_KUBECTL_FAIL:-}\" ] && { echo \"error: $1 refused\" >&2; exit 1; "
	    "}\n"
	    "[ \"$1\" = get ] && printf '%s' \"$FAKE_KUBECTL_GET\"\n"
	    "exit 0\n";
	char bin[TL_PATH_MAX], path[TL_PATH_MAX], penv[TL_PATH_MAX + 32], lenv[TL_PATH_MAX + 32],
	    genv[128];
	struct hwh_action a = actlib_action(action, state, HWH_NODE_YELLOW, "red: fan1");

	snprintf(bin, sizeof bin, "%s/bin", dir);
	mkdir(bin, 0755);
	snprintf(path, sizeof path, "%s/kubectl", bin);
	ck_assert_int_eq(write_file_str(path, fake), 0);
	chmod(path, 0755);
	snprintf(kube_log, sizeof kube_log, "%s/kubectl.log", dir);
	unlink(kube_log);
	snprintf(penv, sizeof penv, "PATH=%s:/usr/bin:/bin", bin);
	snprintf(lenv, sizeof lenv, "FAKE_KUBECTL_LOG=%s", kube_log);
	snprintf(genv, sizeof genv, "FAKE_KUBECTL_GET=%s", get_answer);
	actlib_close(&act);
	open_exec((const char *[]){"program", HOOK, "node", "cn042", "env", penv, "env", lenv,
				   "env", genv, extra1 ? "env" : NULL, extra1,
				   extra2 ? "env" : NULL, extra2, NULL});
	a.id = 42;
	return actlib_perform(&act, &a, r);
}

static char *kube_calls(void)
{
	char *s = read_file_str(kube_log);

	return s ? s : strdup("");
}

#define GET_CALL                                                                                   \
	"[get][node][cn042][-o][jsonpath={.spec.unschedulable}{\"|\"}"                             \
	"{.metadata.annotations.hwhealth-cordoned}]\n"

START_TEST(test_k8s_drain)
{
	struct hwh_action_result r;
	char *calls;

	ck_assert_int_eq(hook("drain", HWH_NODE_RED, "|", "K8S_DRAIN_TIMEOUT=4m", NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls,
			 GET_CALL "[annotate][node][cn042][--overwrite][hwhealth-cordoned=42]\n"
				  "[cordon][cn042]\n"
				  "[drain][cn042][--ignore-daemonsets][--delete-emptydir-data]"
				  "[--timeout=4m]\n");
	ck_assert_ptr_null(strstr(r.output, "someone else"));
	free(calls);
}
END_TEST

/* An operator's cordon: pods are drained, the cordon is not claimed. */
START_TEST(test_k8s_drain_operator_cordon)
{
	struct hwh_action_result r;
	char *calls;

	ck_assert_int_eq(hook("drain", HWH_NODE_RED, "true|", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, GET_CALL "[drain][cn042][--ignore-daemonsets]"
					 "[--delete-emptydir-data][--timeout=5m]\n");
	ck_assert_ptr_nonnull(strstr(r.output, "already cordoned by someone else"));
	free(calls);
	/* hwhealth's own cordon from an earlier drain: drained again, quietly. */
	ck_assert_int_eq(hook("drain", HWH_NODE_CRITICAL, "true|41", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, GET_CALL "[drain][cn042][--ignore-daemonsets]"
					 "[--delete-emptydir-data][--timeout=5m]\n");
	ck_assert_ptr_null(strstr(r.output, "someone else"));
	free(calls);
}
END_TEST

START_TEST(test_k8s_undrain)
{
	struct hwh_action_result r;
	char *calls;

	ck_assert_int_eq(hook("undrain", HWH_NODE_GREEN, "true|42", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, GET_CALL "[uncordon][cn042]\n"
					 "[annotate][node][cn042][hwhealth-cordoned-]\n");
	free(calls);
	/* Not hwhealth's cordon: left alone. */
	ck_assert_int_eq(hook("undrain", HWH_NODE_GREEN, "true|", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, GET_CALL);
	ck_assert_ptr_nonnull(
	    strstr(r.output, "no cordon of hwhealth's to lift (true): left alone"));
	free(calls);
	/* Uncordoned by hand since: the stale mark goes, nothing is lifted
	 * (a later cordon would be someone else's). */
	ck_assert_int_eq(hook("undrain", HWH_NODE_GREEN, "false|42", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, GET_CALL "[annotate][node][cn042][hwhealth-cordoned-]\n");
	ck_assert_ptr_nonnull(strstr(r.output, "stale mark removed, nothing lifted"));
	free(calls);
}
END_TEST

START_TEST(test_k8s_taint)
{
	struct hwh_action_result r;
	char *calls;

	ck_assert_int_eq(hook("notify", HWH_NODE_RED, "|", "K8S_TAINT=yes", NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls,
			 "[taint][nodes][cn042][--overwrite][hwhealth/unhealthy=red:NoSchedule]\n");
	free(calls);
	ck_assert_int_eq(hook("notify", HWH_NODE_GREEN, "|", "K8S_TAINT=yes", NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, "[taint][nodes][cn042][hwhealth/unhealthy:NoSchedule-]\n");
	free(calls);
	/* Off by default. */
	ck_assert_int_eq(hook("notify", HWH_NODE_RED, "|", NULL, NULL, &r), 0);
	calls = kube_calls();
	ck_assert_str_eq(calls, "");
	free(calls);
}
END_TEST

START_TEST(test_k8s_failure)
{
	struct hwh_action_result r;
	char *calls;

	ck_assert_int_eq(hook("drain", HWH_NODE_RED, "|", "FAKE_KUBECTL_FAIL=cordon", NULL, &r),
			 -EIO);
	ck_assert_int_eq(r.exit_status, 1);
	ck_assert_msg(strstr(r.detail, "error: cordon refused") != NULL, "%s", r.detail);
	calls = kube_calls();
	/* Stops at the failure, the mark already written (so a retry or an
	 * undrain knows the cordon attempt was hwhealth's). */
	ck_assert_str_eq(calls,
			 GET_CALL "[annotate][node][cn042][--overwrite][hwhealth-cordoned=42]\n"
				  "[cordon][cn042]\n");
	free(calls);
}
END_TEST

Suite *exec_act_suite(void)
{
	Suite *s = suite_create("exec_act");
	TCase *tc = tcase_create("exec");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_argv_exact);
	tcase_add_test(tc, test_env_exact);
	tcase_add_test(tc, test_failing_hook);
	tcase_add_test(tc, test_hanging_hook);
	tcase_add_test(tc, test_missing_at_run);
	tcase_add_loop_test(tc, test_bad_options, 0, sizeof bad / sizeof bad[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("kubernetes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_k8s_drain);
	tcase_add_test(tc, test_k8s_drain_operator_cordon);
	tcase_add_test(tc, test_k8s_undrain);
	tcase_add_test(tc, test_k8s_taint);
	tcase_add_test(tc, test_k8s_failure);
	suite_add_tcase(s, tc);
	return s;
}
