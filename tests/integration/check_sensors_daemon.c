/*
 * check_sensors_daemon: the real hwhealthd, hwhealth and sensors.so over a
 * fake hwmon tree bound over /sys/class in a private mount namespace (see
 * tests/testlib.h).  Needs root.  Each test builds its own tree and daemon,
 * waits for conditions with wait_until() (bounds, never fixed sleeps) and
 * asserts exact values, and where it can cross-checks them against the
 * real `sensors -j` run in the same namespace.
 *
 * To add a test: build a tree, enter the namespace, daemon_start(), wait for
 * what you expect, assert, daemon_stop(); add it to a TCase at the end.
 */
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "../testlib.h"

#define TC_TIMEOUT_SEC 60
#define WAIT_MS 10000	   /* bound for a condition a 1 s poll brings */
#define EPS 1e-9	   /* exact values: 45000 / 1000 is 45 */
#define SENSORS_J_EPS 5e-4 /* sensors -j prints three decimals */

/* A sensors3.conf of our own, so that the distribution's one (which labels
 * nct6775 inputs) cannot change the expected labels and values. */
static const char sensors_conf[] = "chip \"nct6775-*\"\n"
				   "    label in0 \"Vcore\"\n"
				   "    compute in2 @*2, @/2\n";

/* ---- helpers ------------------------------------------------------------ */

/* The "result" of one request straight over the socket (a new reference),
 * or NULL if the daemon did not answer ok. */
static struct json_object *ask(struct test_daemon *d, const char *cmd)
{
	struct json_object *resp, *res = NULL;
	char req[64];

	snprintf(req, sizeof(req), "{\"cmd\":\"%s\"}", cmd);
	resp = daemon_request(d, req);
	if (resp != NULL && json_object_object_get_ex(resp, "result", &res))
		json_object_get(res);
	else
		res = NULL;
	json_object_put(resp);
	return res;
}

/* What a wait_until() condition waits for. */
struct want {
	struct test_daemon *d;
	const char *name; /* metric id, source name */
	const char *str;  /* status or state wanted */
	double num;	  /* value or poll count wanted */
};

static bool metric_value_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask(w->d, "sensors");
	double v = json_num(json_metric(r, w->name), "value");

	json_object_put(r);
	return fabs(v - w->num) < EPS;
}

static bool metric_status_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask(w->d, "sensors");
	const char *st = json_str(json_metric(r, w->name), "status");
	bool ok = st != NULL && strcmp(st, w->str) == 0;

	json_object_put(r);
	return ok;
}

static bool source_status_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask(w->d, "status");
	const char *st = json_str(json_source(r, w->name), "status");
	bool ok = st != NULL && strcmp(st, w->str) == 0;

	json_object_put(r);
	return ok;
}

static bool source_polls_reach(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask(w->d, "status");
	double polls = json_num(json_source(r, w->name), "polls");

	json_object_put(r);
	return polls >= w->num;
}

static bool node_state_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask(w->d, "status");
	const char *st = json_str(r, "node.state");
	bool ok = st != NULL && strcmp(st, w->str) == 0;

	json_object_put(r);
	return ok;
}

static bool log_has(void *arg)
{
	struct want *w = arg;

	return daemon_log_has(w->d, w->str);
}

static double source_polls(struct test_daemon *d, const char *name)
{
	struct json_object *r = ask(d, "status");
	double polls = json_num(json_source(r, name), "polls");

	json_object_put(r);
	return polls;
}

/* Wait for metric id to read value, failing with what it reads instead. */
static void wait_value(struct test_daemon *d, const char *id, double value)
{
	struct want w = {d, id, NULL, value};

	if (!wait_until(metric_value_is, &w, WAIT_MS)) {
		struct json_object *r = ask(d, "sensors");
		ck_abort_msg("%s did not read %g within %d ms; it is %s", id, value, WAIT_MS,
			     json_object_to_json_string(json_metric(r, id)));
	}
}

static void wait_source(struct test_daemon *d, const char *name, const char *status)
{
	struct want w = {d, name, status, 0};

	if (!wait_until(source_status_is, &w, WAIT_MS)) {
		struct json_object *r = ask(d, "status");
		ck_abort_msg("source %s not %s within %d ms; status: %s", name, status, WAIT_MS,
			     json_object_to_json_string(r));
	}
}

static void wait_node(struct test_daemon *d, const char *state)
{
	struct want w = {d, NULL, state, 0};

	if (!wait_until(node_state_is, &w, WAIT_MS)) {
		struct json_object *r = ask(d, "status");
		char *log = daemon_log(d);
		ck_abort_msg("node not %s within %d ms; status: %s\ndaemon log:\n%s", state,
			     WAIT_MS, json_object_to_json_string(r), log);
	}
}

/* Assert the limits object of m holds exactly the n given name/value pairs. */
static void assert_limits(struct json_object *m, int n, ...)
{
	struct json_object *lim;
	va_list ap;

	ck_assert_msg(json_object_object_get_ex(m, "limits", &lim) &&
			  json_object_is_type(lim, json_type_object),
		      "%s: no limits object", json_str(m, "id"));
	ck_assert_msg(json_object_object_length(lim) == n, "%s: %d limits, expected %d: %s",
		      json_str(m, "id"), json_object_object_length(lim), n,
		      json_object_to_json_string(lim));
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		const char *name = va_arg(ap, const char *);
		double want = va_arg(ap, double);
		double got = json_num(lim, name);

		ck_assert_msg(fabs(got - want) < EPS, "%s: limit %s is %g, expected %g",
			      json_str(m, "id"), name, got, want);
	}
	va_end(ap);
}

/* Assert the flags array of m is exactly the NULL-terminated list. */
static void assert_flags(struct json_object *m, ...)
{
	struct json_object *flags;
	const char *f;
	size_t n = 0;
	va_list ap;

	ck_assert_msg(json_object_object_get_ex(m, "flags", &flags) &&
			  json_object_is_type(flags, json_type_array),
		      "%s: no flags array", json_str(m, "id"));
	va_start(ap, m);
	while ((f = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(json_array_has(m, "flags", f), "%s: flag %s missing: %s",
			      json_str(m, "id"), f, json_object_to_json_string(flags));
		n++;
	}
	va_end(ap);
	ck_assert_msg(json_object_array_length(flags) == n, "%s: flags %s, expected %zu",
		      json_str(m, "id"), json_object_to_json_string(flags), n);
}

/* Assert one metric's identity, value and status; label NULL = null. */
static struct json_object *assert_metric(struct json_object *res, const char *id, const char *kind,
					 const char *unit, const char *label, double value,
					 const char *status)
{
	struct json_object *m = json_metric(res, id);
	const char *got;

	ck_assert_msg(m != NULL, "metric %s missing", id);
	ck_assert_str_eq(json_str(m, "kind"), kind);
	ck_assert_str_eq(json_str(m, "unit"), unit);
	got = json_str(m, "label");
	if (label == NULL)
		ck_assert_msg(got == NULL, "%s: label \"%s\", expected null", id, got);
	else
		ck_assert_msg(got != NULL && strcmp(got, label) == 0,
			      "%s: label \"%s\", expected \"%s\"", id, got ? got : "(null)", label);
	ck_assert_msg(fabs(json_num(m, "value") - value) < EPS * fmax(1, fabs(value)),
		      "%s: value %.9g, expected %.9g", id, json_num(m, "value"), value);
	ck_assert_msg(strcmp(json_str(m, "status"), status) == 0, "%s: status %s, expected %s", id,
		      json_str(m, "status"), status);
	return m;
}

/* True if member key of obj is present and JSON null. */
static bool json_is_null(struct json_object *obj, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(obj, key, &v) && v == NULL;
}

/* True if one of node.reasons of a status result contains s. */
static bool reasons_have(struct json_object *st, const char *s)
{
	struct json_object *node, *arr;

	if (!json_object_object_get_ex(st, "node", &node) ||
	    !json_object_object_get_ex(node, "reasons", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *r = json_object_get_string(json_object_array_get_idx(arr, i));

		if (r != NULL && strstr(r, s) != NULL)
			return true;
	}
	return false;
}

static const char *write_sensors_conf(struct fake_tree *t)
{
	static char path[TL_PATH_MAX];

	fake_tree_path(t, "sensors3.conf", path, sizeof(path));
	ck_assert_int_eq(write_file_str(path, sensors_conf), 0);
	return path;
}

/* ---- the full tree -------------------------------------------------------- */

struct full_tree {
	struct fake_chip *cpu, *sio, *acpi, *misc;
};

/* coretemp with labels and limits, an nct6775 with fans, voltages and an
 * alarm, a chip without device link, and one with the rarer kinds. */
static void build_full_tree(struct fake_tree *t, struct full_tree *f)
{
	f->cpu = fake_chip_add(t, "coretemp", "platform");
	fake_attr_set(f->cpu, "temp1_input", "45000");
	fake_attr_set(f->cpu, "temp1_label", "Package id 0");
	fake_attr_set(f->cpu, "temp1_max", "80000");
	fake_attr_set(f->cpu, "temp1_crit", "100000");
	fake_attr_set(f->cpu, "temp1_crit_alarm", "0");
	fake_attr_set(f->cpu, "temp2_input", "47500");
	fake_attr_set(f->cpu, "temp2_label", "Core 0");
	fake_attr_set(f->cpu, "temp2_max", "80000");
	fake_attr_set(f->cpu, "temp2_crit", "100000");
	fake_attr_set(f->cpu, "temp2_crit_alarm", "0");

	f->sio = fake_chip_add_dev(t, "nct6775", "platform", "nct6775.656");
	fake_attr_set(f->sio, "fan1_input", "1200");
	fake_attr_set(f->sio, "fan1_min", "600");
	fake_attr_set(f->sio, "fan1_alarm", "0");
	fake_attr_set(f->sio, "in0_input", "1040");
	fake_attr_set(f->sio, "in0_min", "800");
	fake_attr_set(f->sio, "in0_max", "1500");
	fake_attr_set(f->sio, "in1_input", "3344");
	fake_attr_set(f->sio, "in1_min", "2970");
	fake_attr_set(f->sio, "in1_max", "3630");
	fake_attr_set(f->sio, "in1_alarm", "1");
	fake_attr_set(f->sio, "in2_input", "1650"); /* sensors3.conf doubles it */

	f->acpi = fake_chip_add(t, "acpitz", NULL);
	fake_attr_set(f->acpi, "temp1_input", "27800");
	fake_attr_set(f->acpi, "temp1_crit", "105000");

	f->misc = fake_chip_add(t, "hwtest", "pci");
	fake_attr_set(f->misc, "curr1_input", "1500");
	fake_attr_set(f->misc, "curr1_max", "5000");
	fake_attr_set(f->misc, "power1_input", "25000000");
	fake_attr_set(f->misc, "power1_max", "150000000");
	fake_attr_set(f->misc, "energy1_input", "123456000000");
	fake_attr_set(f->misc, "humidity1_input", "45500");
	fake_attr_set(f->misc, "intrusion0_alarm", "1");
}

/* The limit or flag a sensors -j subfeature suffix stands for. */
static const struct {
	const char *suffix;
	const char *limit; /* limits member, or NULL */
	const char *flag;  /* flags member, or NULL */
} sj_suffixes[] = {
    {"min", "min", NULL},
    {"max", "max", NULL},
    {"lcrit", "lcrit", NULL},
    {"crit", "crit", NULL},
    {"emergency", "emerg", NULL},
    {"alarm", NULL, "alarm"},
    {"min_alarm", NULL, "min_alarm"},
    {"max_alarm", NULL, "max_alarm"},
    {"crit_alarm", NULL, "crit_alarm"},
    {"lcrit_alarm", NULL, "lcrit_alarm"},
    {"emergency_alarm", NULL, "emerg_alarm"},
    {"fault", NULL, "fault"},
    {"beep", NULL, "beep"},
};

/* Check one sensors -j subfeature ("temp1_max": 80.000) against metric m. */
static void crosscheck_sub(struct json_object *m, const char *feat, const char *suffix, double v)
{
	const char *id = json_str(m, "id");
	size_t i;

	/* An intrusion's alarm is its value. */
	if (strcmp(suffix, "input") == 0 ||
	    (strncmp(feat, "intrusion", 9) == 0 && strcmp(suffix, "alarm") == 0)) {
		ck_assert_msg(fabs(json_num(m, "value") - v) <= SENSORS_J_EPS,
			      "%s: value %.6g, sensors -j says %.3f", id, json_num(m, "value"), v);
		return;
	}
	for (i = 0; i < sizeof(sj_suffixes) / sizeof(sj_suffixes[0]); i++)
		if (strcmp(sj_suffixes[i].suffix, suffix) == 0)
			break;
	ck_assert_msg(i < sizeof(sj_suffixes) / sizeof(sj_suffixes[0]),
		      "%s: sensors -j shows %s_%s, which this test does not map", id, feat, suffix);
	if (sj_suffixes[i].limit != NULL) {
		char key[64];

		snprintf(key, sizeof(key), "limits.%s", sj_suffixes[i].limit);
		ck_assert_msg(fabs(json_num(m, key) - v) <= SENSORS_J_EPS,
			      "%s: %s %.6g, sensors -j says %.3f", id, key, json_num(m, key), v);
	} else if (v != 0) {
		ck_assert_msg(json_array_has(m, "flags", sj_suffixes[i].flag),
			      "%s: sensors -j has %s_%s=1, flag %s missing", id, feat, suffix,
			      sj_suffixes[i].flag);
	} else if (strcmp(sj_suffixes[i].flag, "alarm") != 0) {
		/* "alarm" may also come from a specific alarm: only those are exact. */
		ck_assert_msg(!json_array_has(m, "flags", sj_suffixes[i].flag),
			      "%s: sensors -j has %s_%s=0, flag %s set", id, feat, suffix,
			      sj_suffixes[i].flag);
	}
}

/* Check one sensors -j feature object against the daemon's metric. */
static int crosscheck_feature(struct json_object *res, const char *chip, const char *key,
			      struct json_object *fobj)
{
	char id[256], feat[64];
	struct json_object *m = NULL;
	int n = 0;

	json_object_object_foreach(fobj, sub, sval)
	{
		const char *us = strchr(sub, '_');

		ck_assert_msg(us != NULL && (size_t)(us - sub) < sizeof(feat),
			      "odd sensors -j subfeature %s", sub);
		memcpy(feat, sub, (size_t)(us - sub));
		feat[us - sub] = '\0';
		if (m == NULL) {
			snprintf(id, sizeof(id), "sensors/%s/%s", chip, feat);
			m = json_metric(res, id);
			ck_assert_msg(m != NULL, "sensors -j shows %s/%s (%s), hwhealth has no %s",
				      chip, feat, key, id);
			if (strcmp(key, feat) != 0)
				ck_assert_msg(json_str(m, "label") != NULL &&
						  strcmp(json_str(m, "label"), key) == 0,
					      "%s: label %s, sensors -j says %s", id,
					      json_str(m, "label"), key);
		}
		crosscheck_sub(m, feat, us + 1, json_object_get_double(sval));
		n++;
	}
	return n;
}

/*
 * Run the real `sensors -j` in this namespace and check every number it
 * prints against the daemon's sensors result.  Returns how many subfeature
 * values were compared; *nfeat gets the number of features.
 */
static int crosscheck_sensors_j(struct json_object *res, const char *conf, int *nfeat)
{
	const char *argv[] = {"sensors", "-c", conf, "-j", NULL};
	struct json_object *sj;
	struct cmd_result out;
	int n = 0;

	*nfeat = 0;
	cmd_run(argv, &out, TL_CMD_TIMEOUT_MS);
	ck_assert_msg(out.code == 0, "sensors -j exit %d: %s", out.code, out.err);
	sj = json_tokener_parse(out.out);
	ck_assert_msg(sj != NULL, "sensors -j printed no JSON: %s", out.out);
	json_object_object_foreach(sj, chip, cobj)
	{
		json_object_object_foreach(cobj, fkey, fobj)
		{
			if (!json_object_is_type(fobj, json_type_object))
				continue; /* "Adapter" */
			n += crosscheck_feature(res, chip, fkey, fobj);
			(*nfeat)++;
		}
	}
	json_object_put(sj);
	cmd_result_free(&out);
	return n;
}

/* Count the metrics of source src in a sensors result. */
static int count_metrics(struct json_object *res, const char *src)
{
	struct json_object *arr;
	int n = 0;

	if (!json_object_object_get_ex(res, "metrics", &arr))
		return -1;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *s = json_str(json_object_array_get_idx(arr, i), "source");

		if (s != NULL && strcmp(s, src) == 0)
			n++;
	}
	return n;
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_values_match_tree_and_sensors_j)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct full_tree f;
	struct json_object *res, *m;
	const char *conf;
	char text[1024];
	int n, nfeat;

	build_full_tree(t, &f);
	ck_assert_str_eq(f.cpu->id, "coretemp-isa-0000");
	ck_assert_str_eq(f.sio->id, "nct6775-isa-0290");
	ck_assert_str_eq(f.acpi->id, "acpitz-virtual-0");
	ck_assert_str_eq(f.misc->id, "hwtest-pci-00c3");
	conf = write_sensors_conf(t);
	test_enter_namespace(t);
	snprintf(text, sizeof(text), "interval 1s\nsource sensors {\n\tconfig %s\n}\n", conf);
	daemon_start(&d, text);
	wait_source(&d, "sensors", "ok");

	res = cli_json(&d, "sensors", NULL);
	m = assert_metric(res, fake_metric_id(f.cpu, "temp1"), "temperature", "C", "Package id 0",
			  45, "ok");
	assert_limits(m, 2, "max", 80.0, "crit", 100.0);
	assert_flags(m, NULL);
	m = assert_metric(res, fake_metric_id(f.cpu, "temp2"), "temperature", "C", "Core 0", 47.5,
			  "ok");
	assert_limits(m, 2, "max", 80.0, "crit", 100.0);
	assert_flags(m, NULL);
	m = assert_metric(res, fake_metric_id(f.sio, "fan1"), "fan", "RPM", NULL, 1200, "ok");
	assert_limits(m, 1, "min", 600.0);
	assert_flags(m, NULL);
	m = assert_metric(res, fake_metric_id(f.sio, "in0"), "voltage", "V", "Vcore", 1.04, "ok");
	assert_limits(m, 2, "min", 0.8, "max", 1.5);
	m = assert_metric(res, fake_metric_id(f.sio, "in1"), "voltage", "V", NULL, 3.344, "alarm");
	assert_limits(m, 2, "min", 2.97, "max", 3.63);
	assert_flags(m, "alarm", NULL);
	m = assert_metric(res, fake_metric_id(f.sio, "in2"), "voltage", "V", NULL, 3.3, "ok");
	assert_limits(m, 0);
	m = assert_metric(res, fake_metric_id(f.acpi, "temp1"), "temperature", "C", NULL, 27.8,
			  "ok");
	assert_limits(m, 1, "crit", 105.0);
	m = assert_metric(res, fake_metric_id(f.misc, "curr1"), "current", "A", NULL, 1.5, "ok");
	assert_limits(m, 1, "max", 5.0);
	m = assert_metric(res, fake_metric_id(f.misc, "power1"), "power", "W", NULL, 25, "ok");
	assert_limits(m, 1, "max", 150.0);
	m = assert_metric(res, fake_metric_id(f.misc, "energy1"), "energy", "J", NULL, 123456,
			  "ok");
	assert_limits(m, 0);
	m = assert_metric(res, fake_metric_id(f.misc, "humidity1"), "humidity", "%RH", NULL, 45.5,
			  "ok");
	assert_flags(m, NULL);
	m = assert_metric(res, fake_metric_id(f.misc, "intrusion0"), "intrusion", "", NULL, 1,
			  "alarm");
	assert_flags(m, "alarm", NULL);
	ck_assert_int_eq(count_metrics(res, "sensors"), 12);

	n = crosscheck_sensors_j(res, conf, &nfeat);
	ck_assert_int_eq(nfeat, 12);
	/* 12 inputs, 11 limits, 5 flags: every file of the tree was compared. */
	ck_assert_int_eq(n, 28);
	json_object_put(res);

	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_value_change_seen_next_poll)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	const char *id = fake_metric_id(c, "temp1");

	fake_attr_set(c, "temp1_input", "45000");
	test_enter_namespace(t);
	daemon_start(&d, "interval 1s\nsource sensors {\n}\n");
	wait_value(&d, id, 45);
	fake_attr_set(c, "temp1_input", "52000");
	wait_value(&d, id, 52);
	fake_attr_set(c, "temp1_input", "38500"); /* shorter than before */
	wait_value(&d, id, 38.5);
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_removed_chip_goes_stale)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *cpu = fake_chip_add(t, "coretemp", "platform");
	struct fake_chip *acpi = fake_chip_add(t, "acpitz", NULL);
	struct json_object *st, *m;
	struct want w = {&d, NULL, "stale", 0};
	char reason[256];

	fake_attr_set(cpu, "temp1_input", "45000");
	fake_attr_set(acpi, "temp1_input", "30000");
	test_enter_namespace(t);
	daemon_start(&d, "interval 1s\nsource sensors {\n\trescan 1s\n\tstale-after 3s\n}\n");
	wait_value(&d, fake_metric_id(acpi, "temp1"), 30);
	wait_node(&d, "green");

	fake_chip_remove(acpi);
	w.name = fake_metric_id(acpi, "temp1");
	ck_assert_msg(wait_until(metric_status_is, &w, WAIT_MS),
		      "%s of a removed chip did not turn stale", w.name);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(st, "node.state"), "yellow");
	snprintf(reason, sizeof(reason), "%s stale", w.name);
	ck_assert_msg(reasons_have(st, reason), "no reason \"%s\" in %s", reason,
		      json_object_to_json_string(st));
	json_object_put(st);
	/* The chip still present is unaffected. */
	st = cli_json(&d, "sensors", NULL);
	m = json_metric(st, fake_metric_id(cpu, "temp1"));
	ck_assert_msg(m != NULL, "coretemp metric gone");
	ck_assert_str_eq(json_str(m, "status"), "ok");
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_new_chip_seen_after_rescan)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	struct want w = {&d, "sensors", NULL, 0};
	struct fake_chip *n;
	struct json_object *res;
	struct cmd_result out;

	fake_attr_set(c, "temp1_input", "45000");
	test_enter_namespace(t);
	/* rescan 1h: only an explicit rescan can find the new chip. */
	daemon_start(&d, "interval 1s\nsource sensors {\n\trescan 1h\n}\n");
	wait_value(&d, fake_metric_id(c, "temp1"), 45);
	n = fake_chip_add(t, "nct6775", "platform");
	fake_attr_set(n, "fan1_input", "900");
	/* Two more polls go by without it. */
	w.num = source_polls(&d, "sensors") + 2;
	ck_assert_msg(wait_until(source_polls_reach, &w, WAIT_MS), "sensors stopped polling");
	res = ask(&d, "sensors");
	ck_assert_msg(json_metric(res, fake_metric_id(n, "fan1")) == NULL,
		      "new chip seen before a rescan");
	json_object_put(res);
	cli_run(&d, &out, NULL, "rescan", NULL);
	ck_assert_msg(out.code == 0, "hwhealth rescan: exit %d\n%s%s", out.code, out.out, out.err);
	cmd_result_free(&out);
	wait_value(&d, fake_metric_id(n, "fan1"), 900);
	ck_assert_str_eq(n->id, "nct6775-isa-0000");
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_unreadable_value_is_null)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	struct json_object *res, *m;
	static const char *const bad[] = {"temp1", "temp2"};

	fake_attr_set(c, "temp1_input", "xyz");
	fake_attr_set(c, "temp2_input", ""); /* an empty file */
	fake_attr_set(c, "temp3_input", "41000");
	test_enter_namespace(t);
	daemon_start(&d, "interval 1s\nsource sensors {\n}\n");
	wait_value(&d, fake_metric_id(c, "temp3"), 41);

	res = cli_json(&d, "sensors", NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *id = fake_metric_id(c, bad[i]);

		m = json_metric(res, id);
		ck_assert_msg(m != NULL, "unreadable %s not reported at all", id);
		ck_assert_msg(json_is_null(m, "value"), "%s: value %s, expected null", id,
			      json_object_to_json_string(m));
		ck_assert_str_eq(json_str(m, "status"), "unreadable");
		ck_assert_msg(json_str(m, "error") != NULL && json_str(m, "error")[0] != '\0',
			      "%s: unreadable without an error", id);
	}
	json_object_put(res);
	/* Unreadable past the stale age (3 s here): not healthy. */
	wait_node(&d, "yellow");
	/* A value that becomes readable again is ok again. */
	fake_attr_set(c, "temp1_input", "50000");
	wait_value(&d, fake_metric_id(c, "temp1"), 50);
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_hung_source_is_fenced_off)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	const char *id = fake_metric_id(c, "temp1");
	const char *extra[3] = {"--plugin-dir", NULL, NULL};
	struct json_object *st;
	struct cmd_result out;
	const char *err;

	fake_attr_set(c, "temp1_input", "45000");
	extra[1] = test_plugin_dir(t, "plugins", "sensors", "sleepy", NULL);
	test_enter_namespace(t);
	daemon_start_args(&d,
			  "interval 1s\n"
			  "source sensors {\n}\n"
			  "source slow {\n\tplugin sleepy\n\tsleep 30s\n\ttimeout 1s\n"
			  "\tinterval 1s\n}\n",
			  extra);
	wait_source(&d, "slow", "unavailable");

	st = cli_json(&d, "status", NULL);
	err = json_str(json_source(st, "slow"), "error");
	ck_assert_msg(err != NULL && strstr(err, "timed out") != NULL,
		      "slow source error \"%s\", expected it to say \"timed out\"", err);
	ck_assert_str_eq(json_str(json_source(st, "sensors"), "status"), "ok");
	json_object_put(st);

	/* The sensors source keeps polling beside the stuck thread. */
	wait_value(&d, id, 45);
	fake_attr_set(c, "temp1_input", "61000");
	wait_value(&d, id, 61);

	for (int i = 0; i < 5; i++) {
		int code = cli_run(&d, &out, NULL, "status", NULL);

		ck_assert_msg(out.ms < 1000, "hwhealth status took %lld ms with a hung source",
			      (long long)out.ms);
		ck_assert_msg(code == 1, "status exit %d (yellow: a source unavailable)\n%s%s",
			      code, out.out, out.err);
		cmd_result_free(&out);
	}
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_sighup_bad_then_good_config)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	const char *id = fake_metric_id(c, "temp1");
	const char *extra[3] = {"--plugin-dir", NULL, NULL};
	static const char good[] = "interval 1s\nsource sensors {\n\trescan 1s\n}\n";
	char msg[TL_PATH_MAX + 64], text[512];
	struct want w = {&d, "sensors", msg, 0};
	struct json_object *st;

	fake_attr_set(c, "temp1_input", "45000");
	extra[1] = test_plugin_dir(t, "plugins", "sensors", "sleepy", NULL);
	test_enter_namespace(t);
	daemon_start_args(&d, good, extra);
	wait_value(&d, id, 45);

	daemon_write_conf(&d, "interval 1s\nsource sensors {\n\tinterval banana\n}\n");
	daemon_signal(&d, SIGHUP);
	snprintf(msg, sizeof(msg), "%s:3:11: invalid duration 'banana'", d.conf);
	ck_assert_msg(wait_until(log_has, &w, WAIT_MS), "no \"%s\" in the log:\n%s", msg,
		      daemon_log(&d));
	ck_assert_msg(daemon_running(&d), "hwhealthd died on a bad config (exit %d)", d.exit_code);
	/* The running configuration goes on. */
	w.num = source_polls(&d, "sensors") + 2;
	ck_assert_msg(wait_until(source_polls_reach, &w, WAIT_MS), "sensors stopped polling");
	fake_attr_set(c, "temp1_input", "53000");
	wait_value(&d, id, 53);

	snprintf(text, sizeof(text),
		 "%ssource extra {\n\tplugin sleepy\n\temit 2\n"
		 "\tinterval 1s\n}\n",
		 good);
	daemon_write_conf(&d, text);
	daemon_signal(&d, SIGHUP);
	wait_source(&d, "extra", "ok");
	w.name = "extra/dev/m1";
	w.str = "ok";
	ck_assert_msg(wait_until(metric_status_is, &w, WAIT_MS), "no metric %s", w.name);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "sensors"), "status"), "ok");
	json_object_put(st);
	wait_value(&d, id, 53);
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_status_exit_codes)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	static const struct {
		const char *value, *state;
		int code;
	} steps[] = {
	    {"45000", "green", 0},     {"85000", "yellow", 1}, {"97000", "red", 2},
	    {"106000", "critical", 2}, {"50000", "green", 0},
	};
	struct cmd_result out;

	char rules[TL_PATH_MAX + 16], conf[3 * TL_PATH_MAX];

	fake_attr_set(c, "temp1_input", "45000");
	fake_attr_set(c, "temp1_max", "80000");
	fake_attr_set(c, "temp1_crit", "95000");
	fake_attr_set(c, "temp1_emergency", "105000");
	/* Rules of its own, without debounce: this is about the exit codes. */
	snprintf(rules, sizeof rules, "%s/limits.rules", t->dir);
	ck_assert_int_eq(write_file_str(rules,
					"rule max { when value >= max; severity warning; }\n"
					"rule crit { when value >= crit; severity critical; }\n"
					"rule emerg { when value >= emerg; severity fatal; }\n"),
			 0);
	snprintf(conf, sizeof conf,
		 "interval 1s\nrules-dir %s\nlocal-rules-dir %s/none\nrecover-after 0\n"
		 "source sensors {\n}\n",
		 t->dir, t->dir);
	test_enter_namespace(t);
	daemon_start(&d, conf);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		fake_attr_set(c, "temp1_input", steps[i].value);
		wait_value(&d, fake_metric_id(c, "temp1"), atof(steps[i].value) / 1000);
		wait_node(&d, steps[i].state);
		cli_run(&d, &out, NULL, "status", NULL);
		ck_assert_msg(out.code == steps[i].code, "%s: status exit %d, expected %d\n%s%s",
			      steps[i].state, out.code, steps[i].code, out.out, out.err);
		cmd_result_free(&out);
	}
	ck_assert_int_eq(daemon_stop(&d), 0);

	cli_run(&d, &out, NULL, "status", NULL);
	ck_assert_int_eq(out.code, 3);
	ck_assert_msg(strstr(out.err, "is hwhealthd running?") != NULL, "stderr without a hint: %s",
		      out.err);
	cmd_result_free(&out);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_check_config)
{
	struct fake_tree *t = fake_tree_new();
	char path[TL_PATH_MAX], want[TL_PATH_MAX + 64];
	const char *argv[] = {HWH_BUILD_DIR "/hwhealthd", "--check-config", "-c", path, NULL};
	struct cmd_result out;

	fake_tree_path(t, "good.conf", path, sizeof(path));
	ck_assert_int_eq(write_file_str(path, "interval 1s\nsource sensors {\n\trescan 5s\n}\n"),
			 0);
	cmd_run(argv, &out, TL_CMD_TIMEOUT_MS);
	ck_assert_msg(out.code == 0, "good config: exit %d\n%s", out.code, out.err);
	ck_assert_msg(strstr(out.out, "configuration OK") != NULL, "stdout: %s", out.out);
	cmd_result_free(&out);

	/* Every error of the file is reported, each with file:line:col. */
	fake_tree_path(t, "bad.conf", path, sizeof(path));
	ck_assert_int_eq(write_file_str(path, "interval 1s\nsource sensors {\n"
					      "\tinterval banana\n\ttimeout 0\n}\n"),
			 0);
	cmd_run(argv, &out, TL_CMD_TIMEOUT_MS);
	ck_assert_int_eq(out.code, 1);
	snprintf(want, sizeof(want), "%s:3:11: invalid duration 'banana'", path);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in: %s", want, out.err);
	snprintf(want, sizeof(want), "%s:4:10: ", path);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in: %s", want, out.err);
	ck_assert_msg(strstr(out.out, "configuration OK") == NULL, "bad config said OK");
	cmd_result_free(&out);

	/* A plugin option is checked by the plugin, at its own position. */
	fake_tree_path(t, "badopt.conf", path, sizeof(path));
	ck_assert_int_eq(write_file_str(path, "source sensors {\n\trescan 5s\n"
					      "\tbogus 1\n}\n"),
			 0);
	cmd_run(argv, &out, TL_CMD_TIMEOUT_MS);
	ck_assert_int_eq(out.code, 1);
	snprintf(want, sizeof(want), "%s:3:2: source 'sensors': unknown option 'bogus'", path);
	ck_assert_msg(strstr(out.err, want) != NULL, "no \"%s\" in: %s", want, out.err);
	cmd_result_free(&out);
	fake_tree_free(t);
}
END_TEST

START_TEST(test_missing_config_and_autodetect)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {0};
	struct fake_chip *c = fake_chip_add(t, "coretemp", "platform");
	char conf[TL_PATH_MAX], sock[TL_PATH_MAX], state[TL_PATH_MAX];
	const char *argv[] = {
	    HWH_BUILD_DIR "/hwhealthd", "-c", conf, "--socket", sock, "--state-dir", state, NULL};
	struct cmd_result out;

	fake_attr_set(c, "temp1_input", "45000");
	test_enter_namespace(t);
	fake_tree_path(t, "nonexistent.conf", conf, sizeof(conf));
	fake_tree_path(t, "nowhere.sock", sock, sizeof(sock));
	fake_tree_path(t, "nostate", state, sizeof(state));
	cmd_run(argv, &out, TL_CMD_TIMEOUT_MS);
	ck_assert_msg(out.code == 1, "-c to a missing file: exit %d, expected 1\n%s", out.code,
		      out.err);
	ck_assert_msg(strstr(out.err, conf) != NULL, "error does not name %s: %s", conf, out.err);
	cmd_result_free(&out);

	/* No source blocks: every plugin whose hardware is present runs. */
	daemon_start(&d, "# nothing but a comment\n");
	wait_source(&d, "sensors", "ok");
	wait_value(&d, fake_metric_id(c, "temp1"), 45);
	ck_assert_int_eq(daemon_stop(&d), 0);
	fake_tree_free(t);
}
END_TEST

Suite *sensors_daemon_suite(void)
{
	Suite *s = suite_create("sensors_daemon");
	TCase *tc;

	tc = tcase_create("values");
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_values_match_tree_and_sensors_j);
	tcase_add_test(tc, test_value_change_seen_next_poll);
	tcase_add_test(tc, test_unreadable_value_is_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("liveness");
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_removed_chip_goes_stale);
	tcase_add_test(tc, test_new_chip_seen_after_rescan);
	tcase_add_test(tc, test_hung_source_is_fenced_off);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_sighup_bad_then_good_config);
	tcase_add_test(tc, test_check_config);
	tcase_add_test(tc, test_missing_config_and_autodetect);
	suite_add_tcase(s, tc);

	tc = tcase_create("exit_codes");
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_status_exit_codes);
	suite_add_tcase(s, tc);
	return s;
}
