/*
 * check_edac_daemon: the real hwhealthd, hwhealth and edac.so against EDAC
 * fixture trees built in the test's temp dir W (the kernel's layout of
 * /sys/devices/system/edac, Documentation/ABI/testing/sysfs-devices-edac),
 * read through the plugin's "root" option and judged by the shipped
 * rules/edac.rules.  No namespace, no root needed.
 *
 * The tree: mc0, a controller with dimm0 and dimm1 (labels, sizes,
 * locations) and a stray legacy csrow0 the plugin must ignore because the
 * controller has DIMM directories; mc1, a csrow-only controller with
 * csrow0/ch0 and ch1.  Counts are rewritten (atomically, by rename) as the
 * kernel would grow them, the controller totals with their DIMMs.
 *
 * Covered: every metric with its value, label and text; corrected errors
 * above the rule's rate (10 on one DIMM, 12 on one csrow channel) fire
 * edac-ce-rate on that DIMM only and never on a total; 5 do not fire; an
 * uncorrected error makes edac-ue critical on the DIMM and the node red; a
 * vanished or garbled count file is an unreadable reading with its reason;
 * a tree without a controller says so once and is "source-empty" until a
 * controller appears; bad options are refused by --check-config.
 *
 * To add a test: setup() builds the tree; start() runs the daemon on it;
 * set_count() grows a count; wait with wait_until() on the helpers below.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testlib.h"

#define WAIT_MS 15000		     /* bound for what a few 1 s polls bring */
#define SHIPPED HWH_SRC_DIR "/rules" /* the shipped rules, as installed */
#define TC_TIMEOUT_SEC 90
#define DIMM0_LABEL "CPU_SrcID#0_MC#0_Chan#0_DIMM#0"
#define DIMM1_LABEL "CPU_SrcID#0_MC#0_Chan#1_DIMM#0"
#define MC0_NAME "Skylake Socket#0 IMC#0"
#define N_METRICS 16 /* mc0: 4 totals + 2 DIMMs x 2; mc1: 4 totals + 2 channels + 2 csrow */

static struct fake_tree *tree;
static struct test_daemon d;
static char root[TL_PATH_MAX]; /* W/edac */

/* ---- the fixture tree ----------------------------------------------------- */

/* Write W/edac/rel (creating its directories) through a rename, so that a
 * poll never reads a half-written file. */
static void put(const char *rel, const char *text)
{
	char path[2 * TL_PATH_MAX], tmp[2 * TL_PATH_MAX + 8];

	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ck_assert_int_eq(write_file_str(tmp, text), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static void set_count(const char *rel, unsigned n)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%u\n", n);
	put(rel, buf);
}

static void build_tree(void)
{
	static const char *const totals[] = {"ce_count", "ue_count", "ce_noinfo_count",
					     "ue_noinfo_count"};
	char rel[128];

	for (int mc = 0; mc < 2; mc++)
		for (size_t i = 0; i < 4; i++) {
			snprintf(rel, sizeof rel, "mc/mc%d/%s", mc, totals[i]);
			set_count(rel, 0);
		}
	put("mc/mc0/mc_name", MC0_NAME "\n");
	put("mc/mc0/size_mb", "16384\n");
	put("mc/mc0/seconds_since_reset", "1234\n");
	put("mc/mc0/dimm0/dimm_label", DIMM0_LABEL "\n");
	put("mc/mc0/dimm1/dimm_label", DIMM1_LABEL "\n");
	for (int i = 0; i < 2; i++) {
		snprintf(rel, sizeof rel, "mc/mc0/dimm%d/size", i);
		put(rel, "8192\n");
		snprintf(rel, sizeof rel, "mc/mc0/dimm%d/dimm_location", i);
		put(rel, i == 0 ? "channel 0 slot 0 " : "channel 1 slot 0 ");
		snprintf(rel, sizeof rel, "mc/mc0/dimm%d/dimm_ce_count", i);
		set_count(rel, 0);
		snprintf(rel, sizeof rel, "mc/mc0/dimm%d/dimm_ue_count", i);
		set_count(rel, 0);
	}
	/* Legacy files beside the DIMM dirs: must not be reported twice. */
	set_count("mc/mc0/csrow0/ch0_ce_count", 0);
	set_count("mc/mc0/csrow0/ce_count", 0);
	/* mc1: a csrow-only driver; ch1's label was never set (reads empty). */
	put("mc/mc1/mc_name", "i5000\n");
	put("mc/mc1/csrow0/size_mb", "2048\n");
	put("mc/mc1/csrow0/ch0_dimm_label", "DIMM_A1\n");
	put("mc/mc1/csrow0/ch1_dimm_label", "");
	set_count("mc/mc1/csrow0/ch0_ce_count", 0);
	set_count("mc/mc1/csrow0/ch1_ce_count", 0);
	set_count("mc/mc1/csrow0/ce_count", 0);
	set_count("mc/mc1/csrow0/ue_count", 0);
}

static void setup(void)
{
	tree = fake_tree_new();
	memset(&d, 0, sizeof d);
	d.tree = tree;
	snprintf(root, sizeof root, "%s/edac", tree->dir);
	ck_assert_int_eq(mkdir(root, 0755), 0);
}

static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	fake_tree_free(tree);
}

/* The configuration: the edac plugin, the shipped rules, source block
 * options opts (one per line). */
static void conf_text(char *buf, size_t len, const char *opts)
{
	static char pl[TL_PATH_MAX];

	if (pl[0] == '\0' || strncmp(pl, tree->dir, strlen(tree->dir)) != 0)
		snprintf(pl, sizeof pl, "%s", test_plugin_dir(tree, "pl", "edac", NULL));
	snprintf(buf, len,
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/rules.d\nstate-interval 1s\n"
		 "log-level debug\nsource edac {\n%s  interval 1s\n}\n",
		 pl, SHIPPED, tree->dir, opts);
}

static void start(void)
{
	char conf[4096], opts[TL_PATH_MAX + 16];

	snprintf(opts, sizeof opts, "  root %s\n", root);
	conf_text(conf, sizeof conf, opts);
	daemon_start(&d, conf);
}

/* ---- asking the daemon ---------------------------------------------------- */

static struct json_object *sensors(void)
{
	return cli_json(&d, "sensors", NULL);
}

/* Number of metrics of source edac in a sensors result. */
static int edac_metrics(struct json_object *r)
{
	struct json_object *ms;
	int n = 0;

	if (!json_object_object_get_ex(r, "metrics", &ms))
		return -1;
	for (size_t i = 0; i < json_object_array_length(ms); i++)
		n += strcmp(json_str(json_object_array_get_idx(ms, i), "source"), "edac") == 0;
	return n;
}

struct want {
	const char *id;	    /* metric id, or finding target */
	const char *rule;   /* finding rule */
	double value;	    /* metric value */
	double min_samples; /* metric samples at least */
};

static bool metric_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = sensors(), *m = json_metric(r, w->id);
	bool ok = m != NULL && json_num(m, "value") == w->value &&
		  !(json_num(m, "samples") < w->min_samples);

	json_object_put(r);
	return ok;
}

/* Wait until metric id reads value (and has at least min_samples). */
static void wait_metric(const char *id, double value, double min_samples)
{
	struct want w = {.id = id, .value = value, .min_samples = min_samples};

	ck_assert_msg(wait_until(metric_is, &w, WAIT_MS), "%s never read %g", id, value);
}

/* Samples of metric id now. */
static double samples(const char *id)
{
	struct json_object *r = sensors();
	double n = json_num(json_metric(r, id), "samples");

	json_object_put(r);
	return n;
}

/* Number of findings of rule (on target, if not NULL) in an explain result. */
static int findings(struct json_object *ex, const char *rule, const char *target)
{
	struct json_object *f;
	int n = 0;

	if (!json_object_object_get_ex(ex, "findings", &f))
		return 0;
	for (size_t i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);
		n += strcmp(json_str(x, "rule"), rule) == 0 &&
		     (target == NULL || strcmp(json_str(x, "target"), target) == 0);
	}
	return n;
}

/* The first finding of rule (on target, if not NULL), or NULL.  Borrowed. */
static bool has_finding(void *arg)
{
	struct want *w = arg;
	struct json_object *ex = cli_json(&d, "explain", NULL);
	bool ok = findings(ex, w->rule, w->id) > 0;

	json_object_put(ex);
	return ok;
}

static void wait_finding(const char *rule, const char *target)
{
	struct want w = {.id = target, .rule = rule};

	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no finding %s on %s; log: %s", rule,
		      target, daemon_log(&d));
}

/* Let the daemon take n more samples of id: the rules have seen them. */
static void let_polls(const char *id, int n)
{
	struct want w = {.id = id, .min_samples = samples(id) + n};
	struct json_object *r = sensors();

	w.value = json_num(json_metric(r, id), "value");
	json_object_put(r);
	ck_assert_msg(wait_until(metric_is, &w, WAIT_MS), "%s: no new samples", id);
}

/* ---- tests ---------------------------------------------------------------- */

START_TEST(test_metrics_and_labels)
{
	static const struct {
		const char *id, *label, *text;
	} rows[] = {
	    {"edac/mc0/total_ce", MC0_NAME, "16384 MiB"},
	    {"edac/mc0/total_ue", MC0_NAME, "16384 MiB"},
	    {"edac/mc0/ce_noinfo_count", MC0_NAME, "16384 MiB"},
	    {"edac/mc0/ue_noinfo_count", MC0_NAME, "16384 MiB"},
	    {"edac/mc0-dimm0/dimm_ce_count", DIMM0_LABEL, "8192 MiB, channel 0 slot 0"},
	    {"edac/mc0-dimm0/dimm_ue_count", DIMM0_LABEL, "8192 MiB, channel 0 slot 0"},
	    {"edac/mc0-dimm1/dimm_ce_count", DIMM1_LABEL, "8192 MiB, channel 1 slot 0"},
	    {"edac/mc0-dimm1/dimm_ue_count", DIMM1_LABEL, "8192 MiB, channel 1 slot 0"},
	    {"edac/mc1/total_ce", "i5000", NULL},
	    {"edac/mc1/total_ue", "i5000", NULL},
	    {"edac/mc1/ce_noinfo_count", "i5000", NULL},
	    {"edac/mc1/ue_noinfo_count", "i5000", NULL},
	    {"edac/mc1-csrow0/ch0_ce_count", "DIMM_A1", "2048 MiB"},
	    {"edac/mc1-csrow0/ch1_ce_count", NULL, "2048 MiB"},
	    {"edac/mc1-csrow0/csrow_total_ce", NULL, "2048 MiB"},
	    {"edac/mc1-csrow0/csrow_ue_count", NULL, "2048 MiB"},
	};
	struct json_object *r, *m;
	const char *s;

	build_tree();
	set_count("mc/mc0/dimm1/dimm_ce_count", 3);
	set_count("mc/mc0/ce_count", 3);
	start();
	wait_metric("edac/mc1-csrow0/csrow_ue_count", 0, 1);
	r = sensors();
	ck_assert_int_eq(edac_metrics(r), N_METRICS);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		m = json_metric(r, rows[i].id);
		ck_assert_msg(m != NULL, "no metric %s", rows[i].id);
		ck_assert_str_eq(json_str(m, "kind"), "counter");
		ck_assert_str_eq(json_str(m, "status"), "ok");
		s = json_str(m, "label");
		ck_assert_msg(rows[i].label ? s && !strcmp(s, rows[i].label) : s == NULL,
			      "%s: label %s", rows[i].id, s ? s : "(null)");
		s = json_str(m, "text");
		ck_assert_msg(rows[i].text ? s && !strcmp(s, rows[i].text) : s == NULL,
			      "%s: text %s", rows[i].id, s ? s : "(null)");
	}
	ck_assert_double_eq(json_num(json_metric(r, "edac/mc0-dimm1/dimm_ce_count"), "value"), 3);
	ck_assert_double_eq(json_num(json_metric(r, "edac/mc0/total_ce"), "value"), 3);
	ck_assert_double_eq(json_num(json_metric(r, "edac/mc0-dimm0/dimm_ce_count"), "value"), 0);
	ck_assert_ptr_null(json_metric(r, "edac/mc0-csrow0/ch0_ce_count"));
	json_object_put(r);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* 10 new corrected errors on one DIMM in a day: warning on that DIMM, not
 * on its neighbour nor on the controller's total that grew with it. */
START_TEST(test_ce_above_rate_fires_on_that_dimm)
{
	struct json_object *ex, *f;

	build_tree();
	start();
	wait_metric("edac/mc0-dimm1/dimm_ce_count", 0, 2); /* the baseline */
	wait_metric("edac/mc1-csrow0/ch0_ce_count", 0, 2);
	set_count("mc/mc0/dimm1/dimm_ce_count", 10);
	set_count("mc/mc0/ce_count", 10);
	set_count("mc/mc1/csrow0/ch0_ce_count", 12);
	set_count("mc/mc1/csrow0/ce_count", 12);
	set_count("mc/mc1/ce_count", 12);
	wait_finding("edac-ce-rate", "edac/mc0-dimm1/dimm_ce_count");
	wait_finding("edac-ce-rate", "edac/mc1-csrow0/ch0_ce_count");
	let_polls("edac/mc0/total_ce", 2);
	ex = cli_json(&d, "explain", NULL);
	ck_assert_int_eq(findings(ex, "edac-ce-rate", NULL), 2);
	ck_assert_int_eq(findings(ex, "edac-ue", NULL), 0);
	ck_assert_str_eq(json_str(ex, "node.state"), "yellow");
	f = json_finding(ex, "edac-ce-rate", "edac/mc0-dimm1/dimm_ce_count");
	ck_assert_msg(f != NULL, "explain: %s", json_object_to_json_string(ex));
	ck_assert_str_eq(json_str(f, "severity"), "warning");
	ck_assert_double_eq_tol(json_num(f, "evidence.bucket"), 10, 0.01);
	ck_assert_str_eq(json_str(f, "message"),
			 "mc0-dimm1 dimm_ce_count: 10 corrected errors in the 10-per-24h bucket "
			 "(total since reset 10) (edac/mc0-dimm1/dimm_ce_count)");
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* 5 corrected errors: below the rate, no finding. */
START_TEST(test_ce_below_rate_no_finding)
{
	struct json_object *ex;

	build_tree();
	start();
	wait_metric("edac/mc0-dimm0/dimm_ce_count", 0, 2);
	set_count("mc/mc0/dimm0/dimm_ce_count", 5);
	set_count("mc/mc0/ce_count", 5);
	set_count("mc/mc1/csrow0/ch1_ce_count", 5);
	wait_metric("edac/mc0-dimm0/dimm_ce_count", 5, 0);
	wait_metric("edac/mc1-csrow0/ch1_ce_count", 5, 0);
	let_polls("edac/mc0-dimm0/dimm_ce_count", 3);
	ex = cli_json(&d, "explain", NULL);
	ck_assert_msg(findings(ex, "edac-ce-rate", NULL) == 0, "explain: %s",
		      json_object_to_json_string(ex));
	ck_assert_str_eq(json_str(ex, "node.state"), "green");
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* One uncorrected error on a DIMM: critical on that DIMM, node red. */
START_TEST(test_ue_is_critical)
{
	struct json_object *ex, *f;

	build_tree();
	start();
	wait_metric("edac/mc0-dimm0/dimm_ue_count", 0, 1);
	set_count("mc/mc0/dimm0/dimm_ue_count", 1);
	set_count("mc/mc0/ue_count", 1);
	wait_finding("edac-ue", "edac/mc0-dimm0/dimm_ue_count");
	let_polls("edac/mc0/total_ue", 2);
	ex = cli_json(&d, "explain", NULL);
	ck_assert_int_eq(findings(ex, "edac-ue", NULL), 1); /* not the total too */
	f = json_finding(ex, "edac-ue", NULL);
	ck_assert_str_eq(json_str(f, "severity"), "critical");
	ck_assert_str_eq(json_str(f, "message"),
			 "mc0-dimm0 dimm_ue_count: 1 uncorrected memory error(s) since the "
			 "counters were reset (edac/mc0-dimm0/dimm_ue_count)");
	ck_assert_str_eq(json_str(ex, "node.state"), "red");
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&d), 0);
	ck_assert(daemon_log_has(&d, "finding: critical edac-ue on edac/mc0-dimm0/dimm_ue_count"));
}
END_TEST

/* Errors the csrow-only controller could not place on a channel, and
 * unplaced ones, are uncorrected errors too. */
START_TEST(test_ue_csrow_and_noinfo)
{
	build_tree();
	start();
	wait_metric("edac/mc1-csrow0/csrow_ue_count", 0, 1);
	set_count("mc/mc1/csrow0/ue_count", 2);
	set_count("mc/mc0/ue_noinfo_count", 1);
	wait_finding("edac-ue", "edac/mc1-csrow0/csrow_ue_count");
	wait_finding("edac-ue", "edac/mc0/ue_noinfo_count");
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

static bool metric_unreadable(void *arg)
{
	struct want *w = arg;
	struct json_object *r = sensors(), *m = json_metric(r, w->id);
	bool ok = m != NULL && !strcmp(json_str(m, "status"), "unreadable");

	json_object_put(r);
	return ok;
}

/* A count file that vanishes or holds garbage: that reading is unreadable,
 * with the reason; the others go on. */
START_TEST(test_missing_and_garbled_counts)
{
	struct want w0 = {.id = "edac/mc0-dimm0/dimm_ce_count"};
	struct want w1 = {.id = "edac/mc0-dimm1/dimm_ce_count"};
	char path[2 * TL_PATH_MAX];
	struct json_object *r, *m;

	build_tree();
	start();
	wait_metric("edac/mc0-dimm1/dimm_ce_count", 0, 1);
	put("mc/mc0/dimm0/dimm_ce_count", "12 errors\n");
	snprintf(path, sizeof path, "%s/mc/mc0/dimm1/dimm_ce_count", root);
	ck_assert_int_eq(unlink(path), 0);
	set_count("mc/mc0/dimm1/dimm_ue_count", 0);
	ck_assert(wait_until(metric_unreadable, &w0, WAIT_MS));
	ck_assert(wait_until(metric_unreadable, &w1, WAIT_MS));
	r = sensors();
	m = json_metric(r, w0.id);
	ck_assert_str_eq(json_str(m, "error"),
			 "mc/mc0/dimm0/dimm_ce_count: not a decimal count ('12 errors')");
	ck_assert(isnan(json_num(m, "value")));
	ck_assert_ptr_null(json_str(m, "text"));
	m = json_metric(r, w1.id);
	ck_assert_str_eq(json_str(m, "error"),
			 "mc/mc0/dimm1/dimm_ce_count: No such file or directory");
	ck_assert_str_eq(json_str(json_metric(r, "edac/mc0-dimm1/dimm_ue_count"), "status"), "ok");
	ck_assert_int_eq(edac_metrics(r), N_METRICS);
	json_object_put(r);
	ck_assert(daemon_running(&d));
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* No controller: nothing emitted, said once, "source-empty"; a controller
 * that appears later is found without a rescan. */
START_TEST(test_no_controller)
{
	struct want w = {.id = "edac", .rule = "source-empty"};
	struct json_object *ex;
	char *log;

	ck_assert_int_eq(mkdir(root, 0755) == 0 || errno == EEXIST, 1);
	start();
	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no source-empty finding");
	ex = cli_json(&d, "explain", NULL);
	ck_assert_str_eq(json_str(json_finding(ex, "source-empty", "edac"), "kind"), "liveness");
	json_object_put(ex);
	/* A few polls later, the log still says it once. */
	usleep(2500 * 1000); /* 2 to 3 polls at 1 s: what "once" is about */
	log = daemon_log(&d);
	ck_assert_int_eq(occurrences(log, "no memory controller under"), 1);
	free(log);
	build_tree();
	wait_metric("edac/mc0-dimm0/dimm_ce_count", 0, 1);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* Run hwhealthd --check-config on a source block with opts; its result. */
static int check_config(const char *opts, struct cmd_result *res)
{
	char conf[4096];

	conf_text(conf, sizeof conf, opts);
	return daemon_check_config(&d, conf, res);
}

START_TEST(test_bad_options)
{
	static const struct {
		const char *opts, *msg;
	} rows[] = {
	    {"  root /nonexistent/edac\n",
	     "root: cannot access '/nonexistent/edac': No such file or directory"},
	    {"  root %s/mc/mc0/ce_count\n", "is not a directory (expected the EDAC sysfs"},
	    {"  root %s\n  root %s\n", "option 'root' given twice (first at line"},
	    {"  rot /sys\n", "unknown option 'rot' for plugin edac (expected one of: root)"},
	};
	char opts[3 * TL_PATH_MAX];
	struct cmd_result res;

	build_tree();
	snprintf(d.conf, sizeof d.conf, "%s/hwhealth.conf", tree->dir);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(opts, sizeof opts, rows[i].opts, root, root);
		ck_assert_int_ne(check_config(opts, &res), 0);
		ck_assert_msg(strstr(res.err, rows[i].msg) || strstr(res.out, rows[i].msg),
			      "%s: %s%s", rows[i].opts, res.out, res.err);
		cmd_result_free(&res);
	}
	snprintf(opts, sizeof opts, "  root %s\n", root);
	ck_assert_int_eq(check_config(opts, &res), 0);
	cmd_result_free(&res);
}
END_TEST

Suite *edac_daemon_suite(void)
{
	Suite *s = suite_create("edac_daemon");
	TCase *tc = tcase_create("readings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_metrics_and_labels);
	tcase_add_test(tc, test_missing_and_garbled_counts);
	tcase_add_test(tc, test_no_controller);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_ce_above_rate_fires_on_that_dimm);
	tcase_add_test(tc, test_ce_below_rate_no_finding);
	tcase_add_test(tc, test_ue_is_critical);
	tcase_add_test(tc, test_ue_csrow_and_noinfo);
	suite_add_tcase(s, tc);
	return s;
}
