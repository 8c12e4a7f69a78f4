/*
 * check_exec_daemon: the exec actuator driven by hwhealthd's policy (not
 * the plugin alone: check_exec_act.c does that), with the echo source
 * giving exact readings (above 50 is red) and a shell hook that records
 * each run ("ACTION MILLISECONDS" in DIR/runs) and prints its argv and
 * environment to stdout, which the action's record keeps (the environment
 * sorted: sh reorders it; the order env(1) sees is check_exec_act's):
 *
 *   argv/env   notify and drain get the configured argv and exactly the
 *              documented environment, with the values of their records
 *   hang       a hook that hangs is killed at the block's timeout and
 *              recorded "timeout"; the daemon answers meanwhile
 *   failure    a failing drain is retried with growing spacing (retry,
 *              retry-max, retries: runs counted), recorded "failed" with
 *              its stderr, and logged
 *   flapping   input crossing the threshold every 0.5 s for 8 s drains no
 *              more often than max-drains
 */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actrig.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 90
#define WAIT_MS 15000
#define HANG_TIMEOUT_MS 2000 /* the block's timeout in the hang test */
#define MAX_RUNS 64

/* DIR/hang: sleep (killed at the timeout); DIR/fail: a drain fails. */
static const char hook_fmt[] = "#!/bin/sh\n"
			       "echo \"$HWHEALTH_ACTION $(date +%%s%%3N)\" >> %s/runs\n"
			       "[ -e %s/hang ] && exec sleep 30\n"
			       "if [ -e %s/fail ] && [ \"$HWHEALTH_ACTION\" = drain ]; then\n"
			       "  echo 'kubectl: connection refused' >&2; exit 3\n"
			       "fi\n"
			       "printf '[%%s]' \"$@\"; echo\n"
			       "/usr/bin/env -u PWD | LC_ALL=C sort\n";

struct rig {
	struct fake_tree *tree;
	struct test_daemon d;
	char vals[TL_PATH_MAX], hook[TL_PATH_MAX];
	char conf[4096];
};

/* One run of the hook. */
struct run {
	char action[16];
	long long ms; /* wall clock, milliseconds */
};

static void set_temp(struct rig *r, int v)
{
	actrig_set_temp(r->vals, v);
}

/* W/name for r's tree (static buffer of 2). */
static const char *path(struct rig *r, const char *name)
{
	static char buf[2][TL_PATH_MAX];
	static int i;

	i = (i + 1) % 2;
	fake_tree_path(r->tree, name, buf[i], sizeof buf[i]);
	return buf[i];
}

/* Make the tree and the hook (not the daemon). */
static void rig_init(struct rig *r)
{
	char script[2048];

	memset(r, 0, sizeof *r);
	r->tree = fake_tree_new();
	fake_tree_path(r->tree, "hook.sh", r->hook, sizeof r->hook);
	snprintf(script, sizeof script, hook_fmt, r->tree->dir, r->tree->dir, r->tree->dir);
	ck_assert_int_eq(write_file_str(r->hook, script), 0);
	ck_assert_int_eq(chmod(r->hook, 0755), 0);
}

/* Start hwhealthd with the echo source at 40, the rule hot, the hook as
 * action block "hook" (timeout, then extra lines) and the policy lines
 * given. */
static void rig_start(struct rig *r, int timeout_ms, const char *act, const char *policy)
{
	size_t n =
	    actrig_prepare(r->tree, "exec", ACTRIG_RULE_HOT, r->vals, r->conf, sizeof r->conf);

	snprintf(r->conf + n, sizeof r->conf - n,
		 "action hook {\n plugin exec\n program %s\n timeout %dms\n%s}\n"
		 "policy {\n red drain\n%s}\n",
		 r->hook, timeout_ms, act, policy);
	r->d.tree = r->tree;
	daemon_start(&r->d, r->conf);
}

static void rig_free(struct rig *r)
{
	if (r->d.pid > 0)
		daemon_stop(&r->d);
	fake_tree_free(r->tree);
}

/* The hook's runs so far, oldest first; how many. */
static int runs(struct rig *r, struct run *out, int max)
{
	char *s = read_file_str(path(r, "runs"));
	int n = 0;

	for (char *p = s, *nl; p && *p && n < max; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;
		if (sscanf(p, "%15s %lld", out[n].action, &out[n].ms) == 2)
			n++;
	}
	free(s);
	return n;
}

/* Runs of one action. */
static int count_runs(struct rig *r, const char *action)
{
	struct run v[MAX_RUNS];
	int n = runs(r, v, MAX_RUNS), k = 0;

	for (int i = 0; i < n; i++)
		k += strcmp(v[i].action, action) == 0;
	return k;
}

static void wait_record(struct rig *r, const char *action, const char *result, int ms)
{
	json_object_put(actrig_wait_record(&r->d, action, result, ms));
}

/* The hook's stdout as the record of action shows it, for the values
 * given (the record's own id, the expected state words). */
static void check_env(struct rig *r, const char *action, const char *state, const char *prev,
		      int drained)
{
	json_object *x = actrig_record(&r->d, action, "done");
	char want[2048];

	ck_assert_msg(x != NULL, "no done %s record", action);
	snprintf(want, sizeof want,
		 "stdout:\n[one][two words][x=\"y\" $HOME]\n"
		 "HWHEALTH_ACTION=%s\n"
		 "HWHEALTH_ACTION_ID=%d\n"
		 "HWHEALTH_DRAINED=%d\n"
		 "HWHEALTH_MANUAL=0\n"
		 "HWHEALTH_NODE=cn042\n"
		 "HWHEALTH_PREVIOUS_STATE=%s\n"
		 "HWHEALTH_REASON=red: hot: temp1 at 60 > 50\n"
		 "HWHEALTH_SCORE=50.0\n"
		 "HWHEALTH_STATE=%s\n"
		 "LC_ALL=C\n"
		 "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
		 "SITE=lab one\n",
		 action, (int)json_num(x, "id"), drained, prev, state);
	ck_assert_str_eq(json_str(x, "state"), state);
	ck_assert_str_eq(json_str(x, "reason"), "red: hot: temp1 at 60 > 50");
	ck_assert_str_eq(json_str(x, "output"), want);
	json_object_put(x);
}

START_TEST(test_argv_env_exact)
{
	struct rig r;

	rig_init(&r);
	rig_start(&r, 5000,
		  " arg one\n arg \"two words\"\n arg \"x=\\\"y\\\" $HOME\"\n"
		  " env \"SITE=lab one\"\n node cn042\n on notify drain undrain\n",
		  " undrain-after 1h\n");
	set_temp(&r, 60);
	wait_record(&r, "drain", "done", WAIT_MS);
	wait_record(&r, "notify", "done", WAIT_MS);
	check_env(&r, "notify", "red", "green", 0);
	check_env(&r, "drain", "red", "green", 1);
	ck_assert_int_eq(count_runs(&r, "notify"), 2); /* at start (green), then red */
	ck_assert_int_eq(count_runs(&r, "drain"), 1);
	rig_free(&r);
}
END_TEST

/* The daemon answers a status request within this while a hook hangs. */
#define ANSWER_MS 500

START_TEST(test_hang_times_out)
{
	struct rig r;
	json_object *x;
	int64_t t0, worst = 0;
	int asked = 0;

	rig_init(&r);
	ck_assert_int_eq(write_file_str(path(&r, "hang"), ""), 0);
	rig_start(&r, HANG_TIMEOUT_MS, " on drain\n", " retries 0\n");
	set_temp(&r, 60);
	wait_record(&r, "drain", "running", WAIT_MS);
	t0 = tl_mono_ms();
	while ((x = actrig_record(&r.d, "drain", "timeout")) == NULL &&
	       tl_mono_ms() - t0 < WAIT_MS) {
		int64_t t = tl_mono_ms();
		json_object *st = daemon_request(&r.d, "{\"cmd\":\"status\"}");

		ck_assert_msg(st != NULL, "no answer while the hook hangs");
		json_object_put(st);
		if (tl_mono_ms() - t > worst)
			worst = tl_mono_ms() - t;
		asked++;
		usleep(100 * 1000);
	}
	ck_assert_msg(asked >= 5, "only %d requests while the hook hung", asked);
	ck_assert_msg(worst < ANSWER_MS, "status took %lld ms while the hook hung",
		      (long long)worst);
	json_object_put(x);
	x = actrig_record(&r.d, "drain", "timeout");
	ck_assert_msg(x != NULL, "the hanging drain was not recorded as timeout");
	ck_assert_msg(strstr(json_str(x, "detail"), "timed out after 1.8 s (killed)"), "%s",
		      json_str(x, "detail"));
	ck_assert_msg(json_num(x, "duration_ms") < HANG_TIMEOUT_MS &&
			  json_num(x, "duration_ms") > HANG_TIMEOUT_MS - 500,
		      "took %.0f ms with timeout %d ms", json_num(x, "duration_ms"),
		      HANG_TIMEOUT_MS);
	json_object_put(x);
	ck_assert_int_eq(count_runs(&r, "drain"), 1); /* retries 0 */
	rig_free(&r);
}
END_TEST

static bool five_drains(void *arg)
{
	return count_runs(arg, "drain") >= 5;
}

START_TEST(test_failure_retried_with_backoff)
{
	struct rig r;
	struct run v[MAX_RUNS];
	json_object *x;
	int n;
	char *log;

	rig_init(&r);
	ck_assert_int_eq(write_file_str(path(&r, "fail"), ""), 0);
	rig_start(&r, 5000, " on drain\n", " retry 300ms\n retry-max 2s\n retries 4\n");
	set_temp(&r, 60);
	/* 1 try + 4 retries after ~0.3, 0.6, 1.2, 2 s. */
	ck_assert_msg(wait_until(five_drains, &r, WAIT_MS), "only %d drain runs",
		      count_runs(&r, "drain"));
	sleep(3); /* no sixth */
	n = runs(&r, v, MAX_RUNS);
	ck_assert_int_eq(n, 5);
	fprintf(stderr, "exec_daemon retries: gaps %lld %lld %lld %lld ms\n", v[1].ms - v[0].ms,
		v[2].ms - v[1].ms, v[3].ms - v[2].ms, v[4].ms - v[3].ms);
	for (int i = 2; i < n; i++)
		ck_assert_msg(v[i].ms - v[i - 1].ms > v[i - 1].ms - v[i - 2].ms + 150,
			      "spacing did not grow: run %d after %lld ms, run %d after %lld ms",
			      i - 1, v[i - 1].ms - v[i - 2].ms, i, v[i].ms - v[i - 1].ms);
	ck_assert_msg(v[1].ms - v[0].ms >= 250, "first retry after %lld ms", v[1].ms - v[0].ms);
	ck_assert_msg(v[4].ms - v[3].ms <= 2500, "retry-max 2s: last retry after %lld ms",
		      v[4].ms - v[3].ms);
	wait_record(&r, "drain", "failed", WAIT_MS);
	x = actrig_record(&r.d, "drain", NULL);
	ck_assert_str_eq(json_str(x, "result"), "failed");
	ck_assert_double_eq(json_num(x, "attempt"), 5);
	ck_assert_double_eq(json_num(x, "exit_status"), 3);
	ck_assert_msg(strstr(json_str(x, "detail"), ": exit 3 in ") &&
			  strstr(json_str(x, "detail"), "ms: kubectl: connection refused"),
		      "%s", json_str(x, "detail"));
	ck_assert_msg(strstr(json_str(x, "output"), "stderr:\nkubectl: connection refused\n"), "%s",
		      json_str(x, "output"));
	json_object_put(x);
	log = daemon_log(&r.d);
	ck_assert_msg(strstr(log, "drain via hook (auto, attempt 5): failed: ") &&
			  strstr(log, "kubectl: connection refused"),
		      "%s", log);
	free(log);
	rig_free(&r);
}
END_TEST

START_TEST(test_flapping_bounded)
{
	struct rig r;
	int drains, undrains, notifies;

	rig_init(&r);
	rig_start(&r, 5000, " on notify drain undrain\n",
		  " undrain-after 200ms\n min-drained 0\n max-drains 2\n drain-window 1h\n");
	for (int i = 0; i < 16; i++) {
		set_temp(&r, i % 2 ? 40 : 60);
		usleep(500 * 1000);
	}
	set_temp(&r, 40);
	sleep(2);
	drains = count_runs(&r, "drain");
	undrains = count_runs(&r, "undrain");
	notifies = count_runs(&r, "notify");
	ck_assert_msg(drains <= 2, "%d drains with max-drains 2", drains);
	ck_assert_msg(drains == 2, "only %d drains: the input did not flap", drains);
	ck_assert_int_eq(undrains, 1); /* the second drain is kept */
	ck_assert_msg(notifies >= 8, "only %d notifications for 16 changes", notifies);
	fprintf(stderr, "exec_daemon flapping: %d notify, %d drain, %d undrain runs\n", notifies,
		drains, undrains);
	rig_free(&r);
}
END_TEST

Suite *exec_daemon_suite(void)
{
	Suite *s = suite_create("exec_daemon");
	TCase *tc = tcase_create("exec_daemon");

	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_argv_env_exact);
	tcase_add_test(tc, test_hang_times_out);
	tcase_add_test(tc, test_failure_retried_with_backoff);
	tcase_add_test(tc, test_flapping_bounded);
	suite_add_tcase(s, tc);
	return s;
}
