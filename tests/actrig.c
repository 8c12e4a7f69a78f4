/*
 * actrig: the shared rig of the policy tests (see actrig.h).  To extend:
 * add here only what two suites or more need; a suite's own checks stay in
 * its file.
 */
#include "actrig.h"

#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

size_t actrig_prepare(struct fake_tree *t, const char *plugin, const char *rules, char *vals,
		      char *conf, size_t conf_len)
{
	char rdir[TL_PATH_MAX], file[TL_PATH_MAX + 16];
	const char *pl = test_plugin_dir(t, "pl", "echo", plugin, NULL);
	int n;

	fake_tree_path(t, "rules", rdir, sizeof rdir);
	ck_assert_int_eq(mkdir(rdir, 0755), 0);
	snprintf(file, sizeof file, "%s/t.rules", rdir);
	ck_assert_int_eq(write_file_str(file, rules), 0);
	fake_tree_path(t, "vals.txt", vals, TL_PATH_MAX);
	actrig_set_temp(vals, 40);
	n = snprintf(conf, conf_len,
		     "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/none\nrecover-after 0\n"
		     "state-interval 1s\ninterval 200ms\n"
		     "source e {\n plugin echo\n file %s\n}\n",
		     pl, rdir, t->dir, vals);
	ck_assert_msg(n > 0 && (size_t)n < conf_len, "the configuration's head does not fit");
	return (size_t)n;
}

void actrig_set_temp(const char *vals, int v)
{
	char line[64];

	snprintf(line, sizeof line, "chip0 temp1 temperature %d\n", v);
	ck_assert_int_eq(write_file_str(vals, line), 0);
}

json_object *actrig_actions(struct test_daemon *d)
{
	json_object *resp = daemon_request(d, "{\"cmd\":\"actions\"}"), *res;

	ck_assert_ptr_nonnull(resp);
	ck_assert_msg(json_object_object_get_ex(resp, "result", &res), "actions failed: %s",
		      json_object_to_json_string(resp));
	json_object_get(res);
	json_object_put(resp);
	return res;
}

static bool matches(json_object *x, const char *action, const char *result)
{
	return (action == NULL || strcmp(json_str(x, "action"), action) == 0) &&
	       (result == NULL || strcmp(json_str(x, "result"), result) == 0);
}

json_object *actrig_find(json_object *res, const char *action, const char *result)
{
	json_object *a;

	if (!json_object_object_get_ex(res, "actions", &a))
		return NULL;
	for (size_t i = json_object_array_length(a); i-- > 0;) {
		json_object *x = json_object_array_get_idx(a, i);

		if (matches(x, action, result))
			return x;
	}
	return NULL;
}

int actrig_count(json_object *res, const char *action, const char *result)
{
	json_object *a;
	int n = 0;

	if (!json_object_object_get_ex(res, "actions", &a))
		return 0;
	for (size_t i = 0; i < json_object_array_length(a); i++)
		n += matches(json_object_array_get_idx(a, i), action, result);
	return n;
}

json_object *actrig_record(struct test_daemon *d, const char *action, const char *result)
{
	json_object *res = actrig_actions(d), *x = actrig_find(res, action, result);

	if (x != NULL)
		json_object_get(x);
	json_object_put(res);
	return x;
}

struct want_rec {
	struct test_daemon *d;
	const char *action, *result;
	json_object *rec; /* a reference of its own, once found */
};

static bool has_record(void *arg)
{
	struct want_rec *w = arg;

	w->rec = actrig_record(w->d, w->action, w->result);
	return w->rec != NULL;
}

json_object *actrig_await(struct test_daemon *d, const char *action, const char *result,
			  int timeout_ms)
{
	struct want_rec w = {d, action, result, NULL};

	wait_until(has_record, &w, timeout_ms);
	return w.rec;
}

json_object *actrig_wait_record(struct test_daemon *d, const char *action, const char *result,
				int timeout_ms)
{
	json_object *rec = actrig_await(d, action, result, timeout_ms), *res;

	if (rec == NULL) {
		res = actrig_actions(d);
		ck_abort_msg("no %s record with result %s: %s", action ? action : "(any)",
			     result ? result : "(any)", json_object_to_json_string(res));
	}
	return rec;
}
