/*
 * check_smart_daemon: the real hwhealthd, hwhealth and smart.so against a
 * stand-in smartctl (tests/smartctl_standin.c) replaying real captures,
 * and once against the real /usr/sbin/smartctl.  No namespace; root only
 * for `hwhealth rescan`.
 *
 * The captures are `smartctl --json` outputs of real drives from
 * ../shared/fixtures/smartctl (prometheus-community/smartctl_exporter
 * testdata/, commit c0fe431, Apache-2.0; see SOURCE.md there), copied into
 * the test's W/smartctl.d/ as NAME.json for the device /dev/NAME.  Where a
 * test needs what no capture shows (growing sector counts, a new serial),
 * it edits its copy with json-c and says so; the fixtures are never
 * touched.
 *
 * Covered: (a) ATA, NVMe and SCSI captures -> every metric checked against
 * the capture's own JSON, and smartctl's argv (-n standby,3, -d TYPE);
 * (b) a drive whose pending (197) then reallocated (5) counts grow ->
 * smart-sectors-growing (warning) then smart-sectors-growing-fast
 * (critical), in that order; (c) a hanging drive is killed at
 * device-timeout, its metrics unreadable with the reason, the others
 * polled on, no smartctl left behind and no zombie; (d) exit status bits
 * and critical_warning as readings, smart-health-failed; (e) garbage,
 * empty and truncated output -> the per-device error, daemon running;
 * (f) standby with the real smartctl (SLEEP on /dev/null) and with the
 * stand-in (metrics held); (g) the environment smartctl sees; (h)
 * discovery with --scan-open and a rescan; (i) a drive swap event, also
 * across a restart; bad options refused by --check-config.
 *
 * To add a test: setup() makes W and the stand-in link; put_capture() /
 * put_edited() / set_mode() shape what each device answers; start() runs
 * the daemon; wait with wait_until() on the helpers below.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "testlib.h"

#define WAIT_MS 15000		     /* bound for what a few 1 s polls bring */
#define SHIPPED HWH_SRC_DIR "/rules" /* the shipped rules, as installed */
#define FIXTURES HWH_SRC_DIR "/../shared/fixtures/smartctl"
#define STANDIN HWH_BUILD_DIR "/tests/smartctl-standin"
#define REAL_SMARTCTL "/usr/sbin/smartctl"
#define TC_TIMEOUT_SEC 120
#define ATA_CAP "ST3500418AS_12.json"					/* 5 = 304 reallocated */
#define ATA2_CAP "WDC_WD20EFRX-68EUZN0_18.json"				/* 5, 197, 198 all 0 */
#define NVME_CAP "nvme-null-Micron_7400_MTFDKCB1T6TFC-nvme2.json"	/* 40 error log entries */
#define NVME_FAIL_CAP "nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json" /* exit 8, cw 16 */
#define SCSI_CAP "SEAGATE_ST373453LC_26.json"				/* 260 grown defects */
#define ERRLOG_CAP "HGST_HUS724020ALE640_28.json"			/* exit 64, error log 12 */

static struct fake_tree *tree;
static struct test_daemon d;
static char data[TL_PATH_MAX];	   /* W/smartctl.d */
static char smartctl[TL_PATH_MAX]; /* W/smartctl -> the stand-in */

/* ---- W and the stand-in's data ---------------------------------------------- */

static void setup(void)
{
	char rules[TL_PATH_MAX];

	tree = fake_tree_new();
	memset(&d, 0, sizeof d);
	d.tree = tree;
	snprintf(data, sizeof data, "%s/smartctl.d", tree->dir);
	snprintf(smartctl, sizeof smartctl, "%s/smartctl", tree->dir);
	snprintf(rules, sizeof rules, "%s/rules.d", tree->dir);
	ck_assert_int_eq(mkdir(data, 0755), 0);
	ck_assert_int_eq(mkdir(rules, 0755), 0);
	ck_assert_msg(access(STANDIN, X_OK) == 0, "%s missing (make %s)", STANDIN, STANDIN);
	ck_assert_int_eq(symlink(STANDIN, smartctl), 0);
	/* Orphaned grandchildren of a killed stand-in come back to us, not to a
	 * PID 1 that may never reap them (none does on the test machines). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static void kill_standins(void);

/* No stand-in of this W is left running, and every one that came back to
 * us (subreaper) is reaped.  A failed assertion ends the test with _exit,
 * without teardown: then the stand-in's own bound (hang lasts 60 s) is
 * what ends a hung one. */
static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	kill_standins();
	for (int i = 0; i < 100 && waitpid(-1, NULL, WNOHANG) >= 0; i++)
		usleep(10 * 1000);
	fake_tree_free(tree);
}

/* W/smartctl.d/name, atomically (a poll never reads half a file). */
static void put_file(const char *name, const char *text)
{
	char path[2 * TL_PATH_MAX], tmp[2 * TL_PATH_MAX + 8];

	snprintf(path, sizeof path, "%s/%s", data, name);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ck_assert_int_eq(write_file_str(tmp, text), 0);
	ck_assert_int_eq(rename(tmp, path), 0);
}

static void rm_file(const char *name)
{
	char path[2 * TL_PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", data, name);
	ck_assert(unlink(path) == 0 || errno == ENOENT);
}

static json_object *load_capture(const char *file)
{
	char path[TL_PATH_MAX];
	json_object *o;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, file);
	o = json_object_from_file(path);
	ck_assert_msg(o != NULL, "cannot read capture %s (is ../shared beside the repository?)",
		      path);
	return o;
}

/* The capture, unchanged, as what device /dev/dev answers. */
static void put_capture(const char *dev, const char *file)
{
	char name[64], path[TL_PATH_MAX];
	char *text;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, file);
	text = read_file_str(path);
	ck_assert_msg(text != NULL, "cannot read capture %s", path);
	snprintf(name, sizeof name, "%s.json", dev);
	put_file(name, text);
	free(text);
}

/* An edited copy of a capture (the test says what it changed). */
static void put_edited(const char *dev, json_object *doc)
{
	char name[64];
	const char *s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);

	ck_assert_ptr_nonnull(s);
	snprintf(name, sizeof name, "%s.json", dev);
	put_file(name, s);
}

static void set_mode(const char *dev, const char *mode)
{
	char name[64];

	snprintf(name, sizeof name, "%s.mode", dev);
	if (mode == NULL)
		rm_file(name);
	else
		put_file(name, mode);
}

/* ATA attribute id of doc: its table row (borrowed). */
static json_object *attr_row(json_object *doc, unsigned id)
{
	json_object *t, *row, *v;

	ck_assert(json_object_object_get_ex(doc, "ata_smart_attributes", &t));
	ck_assert(json_object_object_get_ex(t, "table", &t));
	for (size_t i = 0; i < json_object_array_length(t); i++) {
		row = json_object_array_get_idx(t, i);
		if (json_object_object_get_ex(row, "id", &v) && json_object_get_int(v) == (int)id)
			return row;
	}
	ck_abort_msg("no attribute %u", id);
	return NULL;
}

/* Set attribute id's raw value (raw.value and raw.string) in doc. */
static void set_raw(json_object *doc, unsigned id, int64_t raw)
{
	json_object *r, *row = attr_row(doc, id);
	char s[32];

	snprintf(s, sizeof s, "%lld", (long long)raw);
	ck_assert(json_object_object_get_ex(row, "raw", &r));
	ck_assert_int_eq(json_object_object_add(r, "value", json_object_new_int64(raw)), 0);
	ck_assert_int_eq(json_object_object_add(r, "string", json_object_new_string(s)), 0);
}

/* ---- the daemon ------------------------------------------------------------------ */

/* The configuration: plugin smart with the stand-in (or exe), opts. */
static void conf_text(char *buf, size_t len, const char *exe, const char *opts)
{
	static char pl[TL_PATH_MAX];

	if (pl[0] == '\0' || strncmp(pl, tree->dir, strlen(tree->dir)) != 0)
		snprintf(pl, sizeof pl, "%s", test_plugin_dir(tree, "pl", "smart", NULL));
	snprintf(buf, len,
		 "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/rules.d\nstate-interval 1s\n"
		 "log-level debug\nsource smart {\n  plugin smart\n  smartctl %s\n%s"
		 "  interval 1s\n  timeout 10s\n}\n",
		 pl, SHIPPED, tree->dir, exe ? exe : smartctl, opts);
}

static void start_with(const char *exe, const char *opts)
{
	char conf[4096];

	conf_text(conf, sizeof conf, exe, opts);
	daemon_start(&d, conf);
}

static void start(const char *opts)
{
	start_with(NULL, opts);
}

/* ---- asking the daemon ------------------------------------------------------------- */

static struct json_object *sensors(void)
{
	return cli_json(&d, "sensors", NULL);
}

/* "smart/DEV/NAME" (static buffers of 4). */
static const char *mid(const char *dev, const char *name)
{
	static char bufs[4][160];
	static unsigned next;
	char *b = bufs[next++ % 4];

	snprintf(b, sizeof bufs[0], "smart/%s/%s", dev, name);
	return b;
}

struct want {
	const char *id;
	double value;
	const char *status; /* NULL: "ok" */
	const char *prefix; /* of error (unreadable) or text (ok), or NULL */
	double after;	    /* timestamp above this */
	const char *rule;   /* finding rule */
};

static bool metric_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = sensors(), *m = json_metric(r, w->id);
	const char *st = w->status ? w->status : "ok";
	bool ok = m != NULL && strcmp(json_str(m, "status"), st) == 0 &&
		  json_num(m, "timestamp") > w->after;

	if (ok && strcmp(st, "ok") == 0)
		ok = json_num(m, "value") == w->value;
	if (ok && w->prefix != NULL) {
		const char *s = json_str(m, strcmp(st, "unreadable") == 0 ? "error" : "text");
		ok = s != NULL && strncmp(s, w->prefix, strlen(w->prefix)) == 0;
	}
	json_object_put(r);
	return ok;
}

static void wait_metric(const char *id, double value)
{
	struct want w = {.id = id, .value = value};

	ck_assert_msg(wait_until(metric_is, &w, WAIT_MS), "%s never read %g; log:\n%s", id, value,
		      daemon_log(&d));
}

static void wait_unreadable(const char *id, const char *err_prefix)
{
	struct want w = {.id = id, .status = "unreadable", .prefix = err_prefix};

	ck_assert_msg(wait_until(metric_is, &w, WAIT_MS), "%s never unreadable with \"%s\"", id,
		      err_prefix);
}

static double timestamp(const char *id)
{
	struct json_object *r = sensors();
	double t = json_num(json_metric(r, id), "timestamp");

	json_object_put(r);
	return t;
}

static bool newer(void *arg)
{
	struct want *w = arg;

	return timestamp(w->id) > w->after;
}

/* Let the daemon poll id at least n more times (its timestamp moves). */
static void let_polls(const char *id, int n)
{
	for (int i = 0; i < n; i++) {
		struct want w = {.id = id, .after = timestamp(id)};

		ck_assert_msg(!isnan(w.after), "no metric %s", id);
		ck_assert_msg(wait_until(newer, &w, WAIT_MS), "%s: no new sample", id);
	}
}

static bool has_finding(void *arg)
{
	struct want *w = arg;
	struct json_object *ex = cli_json(&d, "explain", NULL);
	bool ok = json_finding(ex, w->rule, w->id) != NULL;

	json_object_put(ex);
	return ok;
}

static void wait_finding(const char *rule, const char *target)
{
	struct want w = {.id = target, .rule = rule};

	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no finding %s on %s; log:\n%s", rule,
		      target, daemon_log(&d));
}

/* The metrics of device dev in a sensors result: how many, and how many
 * have status st. */
static int dev_metrics(struct json_object *r, const char *dev, const char *st, int *with_st)
{
	struct json_object *ms;
	int n = 0;

	*with_st = 0;
	if (!json_object_object_get_ex(r, "metrics", &ms))
		return 0;
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		struct json_object *m = json_object_array_get_idx(ms, i);

		if (strcmp(json_str(m, "source"), "smart") != 0 ||
		    strcmp(json_str(m, "device"), dev) != 0)
			continue;
		n++;
		*with_st += strcmp(json_str(m, "status"), st) == 0;
	}
	return n;
}

static char *calls_log(void)
{
	char path[2 * TL_PATH_MAX], *s;

	snprintf(path, sizeof path, "%s/calls.log", data);
	s = read_file_str(path);
	return s != NULL ? s : strdup("");
}

/* ---- checking readings against a capture ------------------------------------------ */

static json_object *jget(json_object *o, const char *path)
{
	char part[64];

	while (o != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");

		snprintf(part, sizeof part, "%.*s", (int)n, path);
		if (!json_object_object_get_ex(o, part, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

static double jnum(json_object *doc, const char *path)
{
	json_object *v = jget(doc, path);

	ck_assert_msg(v != NULL, "capture has no %s", path);
	return (double)json_object_get_int64(v);
}

/* Metric dev/name reads value (and kind, and label when not NULL). */
static void expect(struct json_object *r, const char *dev, const char *name, const char *kind,
		   double value, const char *label)
{
	struct json_object *m = json_metric(r, mid(dev, name));

	ck_assert_msg(m != NULL, "no metric %s", mid(dev, name));
	ck_assert_msg(json_num(m, "value") == value, "%s: %.17g, capture says %.17g",
		      mid(dev, name), json_num(m, "value"), value);
	ck_assert_msg(strcmp(json_str(m, "kind"), kind) == 0, "%s: kind %s", mid(dev, name),
		      json_str(m, "kind"));
	ck_assert_str_eq(json_str(m, "status"), "ok");
	if (label != NULL)
		ck_assert_str_eq(json_str(m, "label"), label);
}

/* Every ATA attribute of the capture, and the common readings. */
static void expect_ata(struct json_object *r, const char *dev, const char *file)
{
	json_object *doc = load_capture(file), *t = jget(doc, "ata_smart_attributes.table");
	char name[32], text[48];

	for (size_t i = 0; i < json_object_array_length(t); i++) {
		json_object *row = json_object_array_get_idx(t, i);
		int id = (int)jnum(row, "id");
		const char *lbl = json_object_get_string(jget(row, "name"));
		const char *rs = json_object_get_string(jget(row, "raw.string"));
		struct json_object *m;

		snprintf(name, sizeof name, "attr%d_value", id);
		expect(r, dev, name, "other", jnum(row, "value"), lbl);
		snprintf(name, sizeof name, "attr%d_raw", id);
		/* the leading integer of raw.string: smartctl's decoding */
		expect(r, dev, name,
		       id == 5 || id == 197 || id == 198 || id == 187 || id == 188 || id == 199 ||
			       id == 10 || id == 184 || id == 196
			   ? "counter"
			   : "other",
		       (double)strtoull(rs, NULL, 10), lbl);
		m = json_metric(r, mid(dev, name));
		snprintf(text, sizeof text, "raw %lld",
			 (long long)json_object_get_int64(jget(row, "raw.value")));
		ck_assert_str_eq(json_str(m, "text"), text);
	}
	expect(r, dev, "error_log_count", "counter", jnum(doc, "ata_smart_error_log.summary.count"),
	       NULL);
	expect(r, dev, "temperature", "temperature", jnum(doc, "temperature.current"), NULL);
	expect(r, dev, "power_on_hours", "other", jnum(doc, "power_on_time.hours"), NULL);
	expect(r, dev, "identity", "other", jnum(doc, "user_capacity.bytes"),
	       json_object_get_string(jget(doc, "model_name")));
	expect(r, dev, "smartctl_exit", "other", jnum(doc, "smartctl.exit_status"), NULL);
	expect(r, dev, "health_failed", "other",
	       !json_object_get_boolean(jget(doc, "smart_status.passed")), NULL);
	expect(r, dev, "power_mode", "other", 1, NULL);
	json_object_put(doc);
}

static void expect_nvme(struct json_object *r, const char *dev, const char *file)
{
	static const struct {
		const char *name, *kind;
	} rows[] = {{"critical_warning", "other"},
		    {"available_spare", "percent"},
		    {"available_spare_threshold", "percent"},
		    {"percentage_used", "percent"},
		    {"media_errors", "counter"},
		    {"num_err_log_entries", "counter"},
		    {"unsafe_shutdowns", "counter"},
		    {"power_on_hours", "other"}};
	json_object *doc = load_capture(file);
	char path[96];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(path, sizeof path, "nvme_smart_health_information_log.%s", rows[i].name);
		expect(r, dev, rows[i].name, rows[i].kind, jnum(doc, path), NULL);
	}
	expect(r, dev, "temperature", "temperature", jnum(doc, "temperature.current"), NULL);
	expect(r, dev, "identity", "other", jnum(doc, "nvme_total_capacity"),
	       json_object_get_string(jget(doc, "model_name")));
	ck_assert_ptr_null(json_metric(r, mid(dev, "attr5_raw")));
	json_object_put(doc);
}

static void expect_scsi(struct json_object *r, const char *dev, const char *file)
{
	json_object *doc = load_capture(file);
	struct json_object *m;

	expect(r, dev, "grown_defects", "counter", jnum(doc, "scsi_grown_defect_list"), NULL);
	expect(r, dev, "read_uncorrected", "counter",
	       jnum(doc, "scsi_error_counter_log.read.total_uncorrected_errors"), NULL);
	expect(r, dev, "write_uncorrected", "counter",
	       jnum(doc, "scsi_error_counter_log.write.total_uncorrected_errors"), NULL);
	ck_assert_ptr_null(jget(doc, "scsi_error_counter_log.verify")); /* so no reading: */
	ck_assert_ptr_null(json_metric(r, mid(dev, "verify_uncorrected")));
	expect(r, dev, "temperature", "temperature", jnum(doc, "temperature.current"), NULL);
	m = json_metric(r, mid(dev, "temperature"));
	ck_assert_double_eq(json_num(m, "limits.crit"), jnum(doc, "temperature.drive_trip"));
	expect(r, dev, "identity", "other", jnum(doc, "user_capacity.bytes"),
	       json_object_get_string(jget(doc, "scsi_model_name")));
	json_object_put(doc);
}

/* ---- (a) captures ------------------------------------------------------------------ */

START_TEST(test_captures_metrics)
{
	struct json_object *r, *st;
	char *log, want[TL_PATH_MAX + 96];

	put_capture("sda", ATA_CAP);
	put_capture("nvme0", NVME_CAP);
	put_capture("sdb", SCSI_CAP);
	start("  device /dev/sda sat\n  device /dev/nvme0 nvme\n  device /dev/sdb\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	wait_metric(mid("nvme0", "num_err_log_entries"), 40);
	wait_metric(mid("sdb", "grown_defects"), 260);
	r = sensors();
	expect_ata(r, "sda", ATA_CAP);
	expect_nvme(r, "nvme0", NVME_CAP);
	expect_scsi(r, "sdb", SCSI_CAP);
	ck_assert_str_eq(json_str(json_metric(r, mid("sda", "identity")), "text"),
			 "ST3500418AS, serial REDACTED, firmware REDACTED, 500 GB, ATA (-d sat)");
	json_object_put(r);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "smart"), "status"), "ok");
	json_object_put(st);
	/* what smartctl was asked: -n standby,3 always, -d only when given */
	log = calls_log();
	snprintf(want, sizeof want, "%s --json=c -a -n standby,3 -d sat /dev/sda | env:", smartctl);
	ck_assert_msg(strstr(log, want), "calls:\n%s", log);
	snprintf(want, sizeof want,
		 "%s --json=c -a -n standby,3 -d nvme /dev/nvme0 | env:", smartctl);
	ck_assert_msg(strstr(log, want), "calls:\n%s", log);
	snprintf(want, sizeof want, "%s --json=c -a -n standby,3 /dev/sdb | env:", smartctl);
	ck_assert_msg(strstr(log, want), "calls:\n%s", log);
	ck_assert_ptr_null(strstr(log, "--scan-open")); /* devices given: no scan */
	free(log);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- (b) growing sector counts, through the rules ----------------------------------- */

/* Log offset of needle, or -1. */
static long log_pos(const char *needle)
{
	char *log = daemon_log(&d), *p = strstr(log, needle);
	long pos = p ? p - log : -1;

	free(log);
	return pos;
}

/*
 * ATA2_CAP (WDC WD20EFRX, 5/197/198 all 0) edited: first 197 (pending)
 * grows to 2, then 5 (reallocated) to 12 -- the shape of a disk going bad.
 */
START_TEST(test_sectors_growing_warning_then_critical)
{
	json_object *doc = load_capture(ATA2_CAP), *ex, *f;
	long warn, crit;

	put_capture("sda", ATA2_CAP);
	start("  device /dev/sda sat\n");
	wait_metric(mid("sda", "attr197_raw"), 0);
	let_polls(mid("sda", "attr197_raw"), 2); /* a baseline */
	ex = cli_json(&d, "explain", NULL);
	ck_assert_ptr_null(json_finding(ex, "smart-sectors-growing", NULL));
	ck_assert_str_eq(json_str(ex, "node.state"), "green");
	json_object_put(ex);

	set_raw(doc, 197, 2); /* edited: 2 pending sectors */
	put_edited("sda", doc);
	wait_finding("smart-sectors-growing", mid("sda", "attr197_raw"));
	let_polls(mid("sda", "attr197_raw"), 2);
	ex = cli_json(&d, "explain", NULL);
	f = json_finding(ex, "smart-sectors-growing", mid("sda", "attr197_raw"));
	ck_assert_str_eq(json_str(f, "severity"), "warning");
	ck_assert_ptr_null(json_finding(ex, "smart-sectors-growing-fast", NULL));
	ck_assert_str_eq(json_str(ex, "node.state"), "yellow");
	json_object_put(ex);

	set_raw(doc, 5, 12); /* edited: then 12 reallocated */
	put_edited("sda", doc);
	wait_finding("smart-sectors-growing-fast", mid("sda", "attr5_raw"));
	ex = cli_json(&d, "explain", NULL);
	f = json_finding(ex, "smart-sectors-growing-fast", mid("sda", "attr5_raw"));
	ck_assert_str_eq(json_str(f, "severity"), "critical");
	ck_assert_ptr_nonnull(json_finding(ex, "smart-sectors-growing", mid("sda", "attr5_raw")));
	ck_assert_ptr_null(
	    json_finding(ex, "smart-sectors-growing-fast", mid("sda", "attr197_raw")));
	ck_assert_str_eq(json_str(ex, "node.state"), "red");
	json_object_put(ex);
	json_object_put(doc);
	ck_assert_int_eq(daemon_stop(&d), 0);
	/* in that order: the warning first */
	warn = log_pos("finding: warning smart-sectors-growing on smart/sda/attr197_raw");
	crit = log_pos("finding: critical smart-sectors-growing-fast on smart/sda/attr5_raw");
	ck_assert_msg(warn >= 0 && crit > warn, "warning at %ld, critical at %ld", warn, crit);
}
END_TEST

/* ---- (c) a hanging drive ------------------------------------------------------------- */

/* Live processes running W/smartctl with needle in their arguments; sets
 * *zombies to the zombies whose parent is the daemon. */
static int standins(const char *needle, int *zombies)
{
	DIR *p = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(p);
	*zombies = 0;
	while ((e = readdir(p)) != NULL) {
		char path[300], buf[4096], stat[512], *rp;
		size_t len;
		FILE *f;
		int ppid;
		char state;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		rp = fgets(stat, sizeof stat, f) ? strrchr(stat, ')') : NULL;
		fclose(f);
		if (rp == NULL || sscanf(rp + 2, "%c %d", &state, &ppid) != 2)
			continue;
		if (state == 'Z') {
			*zombies += ppid == d.pid;
			continue;
		}
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		for (size_t i = 0; i + 1 < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		n += strncmp(buf, smartctl, strlen(smartctl)) == 0 && strstr(buf, needle) != NULL;
	}
	closedir(p);
	return n;
}

/* SIGKILL, by pid, every process running this test's W/smartctl. */
static void kill_standins(void)
{
	DIR *p = opendir("/proc");
	struct dirent *e;

	if (p == NULL)
		return;
	while ((e = readdir(p)) != NULL) {
		char path[300], buf[TL_PATH_MAX];
		size_t len;
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		if (strcmp(buf, smartctl) == 0) /* argv[0], NUL-terminated */
			kill(atoi(e->d_name), SIGKILL);
	}
	closedir(p);
}

static bool hung_running(void *arg)
{
	int zombies;

	(void)arg;
	return standins("/dev/sdb", &zombies) > 0;
}

START_TEST(test_hang_killed_at_device_timeout)
{
	static const char *const names[] = {"smartctl_exit", "identity",    "attr5_raw",
					    "attr197_raw",   "temperature", "power_mode"};
	struct json_object *r, *st;
	int total, unreadable, zombies, max_live = 0, zombie_seen = 0;
	double t_sda;

	put_capture("sda", ATA_CAP);
	put_capture("sdb", ATA2_CAP);
	put_capture("nvme0", NVME_CAP);
	start("  device /dev/sda sat\n  device /dev/sdb sat\n  device /dev/nvme0\n"
	      "  device-timeout 1s\n");
	wait_metric(mid("sdb", "attr5_raw"), 0);
	wait_metric(mid("nvme0", "media_errors"), 0);
	set_mode("sdb", "hang");
	wait_unreadable(mid("sdb", "smartctl_exit"), "smartctl timed out after 1 s (killed)");
	t_sda = timestamp(mid("sda", "attr5_raw"));
	/* the other drives keep being polled, while no hung smartctl piles up */
	for (int i = 0; i < 30; i++) {
		int live = standins("/dev/sdb", &zombies);

		max_live = live > max_live ? live : max_live;
		zombie_seen = zombies > 0 && zombie_seen > 0 ? 2 : zombies > 0;
		ck_assert_msg(zombie_seen < 2, "a zombie of the daemon stayed");
		usleep(100 * 1000);
	}
	ck_assert_msg(max_live <= 2, "%d hung stand-ins at once (a child and its fork)", max_live);
	ck_assert_msg(max_live >= 1, "never saw the hung stand-in running");
	ck_assert_double_gt(timestamp(mid("sda", "attr5_raw")), t_sda);
	r = sensors();
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct json_object *m = json_metric(r, mid("sdb", names[i]));

		ck_assert_msg(m != NULL, "no %s", names[i]);
		ck_assert_str_eq(json_str(m, "status"), "unreadable");
		ck_assert_str_eq(json_str(m, "error"), "smartctl timed out after 1 s (killed)");
		ck_assert(isnan(json_num(m, "value")));
	}
	total = dev_metrics(r, "sdb", "unreadable", &unreadable);
	ck_assert_int_gt(total, 40);
	ck_assert_int_eq(unreadable, total); /* every metric it ever had */
	dev_metrics(r, "sda", "ok", &unreadable);
	ck_assert_int_gt(unreadable, 40);
	ck_assert_str_eq(json_str(json_metric(r, mid("nvme0", "media_errors")), "status"), "ok");
	json_object_put(r);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "smart"), "status"), "ok");
	json_object_put(st);
	ck_assert(daemon_log_has(&d, "sdb: smartctl timed out after 1 s (killed)"));
	/* it answers again */
	set_mode("sdb", NULL);
	wait_metric(mid("sdb", "attr5_raw"), 0);
	set_mode("sdb", "hang");
	wait_unreadable(mid("sdb", "attr5_raw"), "smartctl timed out");
	ck_assert_msg(wait_until(hung_running, NULL, WAIT_MS), "no hung stand-in to stop");
	ck_assert_int_eq(daemon_stop(&d), 0);
	/* stopping mid-hang left nothing behind: the daemon killed its
	 * children before it exited (an orphan would still be running) */
	ck_assert_int_eq(standins(smartctl, &zombies), 0);
}
END_TEST

/* ---- (d) exit bits and critical warnings ------------------------------------------- */

START_TEST(test_exit_bits_and_critical_warning)
{
	struct json_object *r, *m, *ex;

	put_capture("nvme0", NVME_FAIL_CAP);
	put_capture("sdd", ERRLOG_CAP);
	start("  device /dev/nvme0 nvme\n  device /dev/sdd sat\n");
	wait_metric(mid("nvme0", "smartctl_exit"), 8);
	wait_metric(mid("sdd", "smartctl_exit"), 64);
	r = sensors();
	m = json_metric(r, mid("nvme0", "smartctl_exit"));
	ck_assert_str_eq(json_str(m, "text"), "disk-failing");
	m = json_metric(r, mid("nvme0", "exit_disk_failing"));
	ck_assert_double_eq(json_num(m, "value"), 1);
	ck_assert_str_eq(json_str(m, "text"), "the SMART status check returned DISK FAILING");
	ck_assert_double_eq(json_num(json_metric(r, mid("nvme0", "exit_error_log")), "value"), 0);
	m = json_metric(r, mid("nvme0", "health_failed"));
	ck_assert_double_eq(json_num(m, "value"), 1);
	ck_assert_str_eq(json_str(m, "text"), "FAILED");
	m = json_metric(r, mid("nvme0", "critical_warning"));
	ck_assert_double_eq(json_num(m, "value"), 16);
	ck_assert_str_eq(json_str(m, "text"), "volatile-memory-backup-failed");
	ck_assert_double_eq(
	    json_num(json_metric(r, mid("nvme0", "cw_volatile_memory_backup_failed")), "value"), 1);
	ck_assert_double_eq(json_num(json_metric(r, mid("nvme0", "cw_read_only")), "value"), 0);
	m = json_metric(r, mid("sdd", "smartctl_exit"));
	ck_assert_str_eq(json_str(m, "text"), "error-log");
	ck_assert_double_eq(json_num(json_metric(r, mid("sdd", "exit_error_log")), "value"), 1);
	ck_assert_double_eq(json_num(json_metric(r, mid("sdd", "error_log_count")), "value"), 12);
	ck_assert_double_eq(json_num(json_metric(r, mid("sdd", "health_failed")), "value"), 0);
	json_object_put(r);
	wait_finding("smart-health-failed", mid("nvme0", "health_failed"));
	ex = cli_json(&d, "explain", NULL);
	ck_assert_str_eq(json_str(json_finding(ex, "smart-health-failed", NULL), "severity"),
			 "critical");
	ck_assert_ptr_null(json_finding(ex, "smart-health-failed", mid("sdd", "health_failed")));
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- (e) broken output ------------------------------------------------------------- */

START_TEST(test_garbage_empty_truncated)
{
	static const struct {
		const char *dev, *mode, *err;
	} rows[] = {
	    {"sdb", "garbage", "malformed JSON from smartctl: malformed JSON at byte 0"},
	    {"sdc", "empty", "smartctl printed no output (exit status 2)"},
	    {"sdd", "truncate 300",
	     "malformed JSON from smartctl: truncated JSON: the input ends inside the document "
	     "(300 bytes)"},
	};
	struct json_object *r, *st;
	int total, unreadable;

	put_capture("sda", ATA_CAP);
	for (size_t i = 0; i < 3; i++)
		put_capture(rows[i].dev, ATA2_CAP);
	start("  device /dev/sda sat\n  device /dev/sdb sat\n  device /dev/sdc sat\n"
	      "  device /dev/sdd sat\n  device /dev/sde sat\n");
	wait_metric(mid("sdd", "attr5_raw"), 0);
	for (size_t i = 0; i < 3; i++)
		set_mode(rows[i].dev, rows[i].mode);
	for (size_t i = 0; i < 3; i++)
		wait_unreadable(mid(rows[i].dev, "attr197_raw"), rows[i].err);
	/* sde has no capture: smartctl's own open failure, in its words */
	wait_unreadable(
	    mid("sde", "smartctl_exit"),
	    "device open failed: Smartctl open device: /dev/sde failed: No such device");
	let_polls(mid("sda", "attr5_raw"), 2);
	ck_assert(daemon_running(&d));
	r = sensors();
	for (size_t i = 0; i < 3; i++) {
		total = dev_metrics(r, rows[i].dev, "unreadable", &unreadable);
		ck_assert_int_gt(total, 40);
		ck_assert_msg(unreadable == total, "%s: %d of %d unreadable", rows[i].dev,
			      unreadable, total);
	}
	total = dev_metrics(r, "sde", "unreadable", &unreadable);
	ck_assert_int_eq(total, 1); /* never read: only smartctl_exit */
	ck_assert_str_eq(json_str(json_metric(r, mid("sda", "attr5_raw")), "status"), "ok");
	json_object_put(r);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "smart"), "status"), "ok");
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* Every drive fails: the source fails too, with the reason. */
START_TEST(test_all_fail_source_down)
{
	struct json_object *st;
	const char *err;

	put_capture("sda", ATA_CAP);
	set_mode("sda", "garbage");
	start("  device /dev/sda sat\n");
	wait_unreadable(mid("sda", "smartctl_exit"), "malformed JSON from smartctl");
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "smart"), "status"), "failed");
	err = json_str(json_source(st, "smart"), "error");
	ck_assert_msg(err && !strncmp(err, "no drive could be read: sda: malformed JSON", 43), "%s",
		      err ? err : "(null)");
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* smartctl missing: the source says it cannot run it. */
START_TEST(test_smartctl_vanished)
{
	struct json_object *st;
	const char *err;
	char want[TL_PATH_MAX + 64];

	put_capture("sda", ATA_CAP);
	start("  device /dev/sda sat\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	ck_assert_int_eq(unlink(smartctl), 0);
	wait_unreadable(mid("sda", "attr5_raw"), "cannot run ");
	st = cli_json(&d, "status", NULL);
	err = json_str(json_source(st, "smart"), "error");
	snprintf(want, sizeof want, "cannot run %s: No such file or directory", smartctl);
	ck_assert_msg(err && !strcmp(err, want), "%s", err ? err : "(null)");
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- (f) standby ------------------------------------------------------------------- */

/* The REAL smartctl 7.3 on /dev/null with -d sat reports SLEEP and exits 3
 * with -n standby,3: power_mode 0 "sleep", nothing an error. */
START_TEST(test_standby_real_smartctl)
{
	struct json_object *r, *m, *st;
	int total, ok;

	if (access(REAL_SMARTCTL, X_OK) != 0)
		ck_abort_msg("%s missing: install smartmontools (make deps)", REAL_SMARTCTL);
	start_with(REAL_SMARTCTL, "  device /dev/null sat\n");
	wait_metric(mid("null", "power_mode"), 0);
	let_polls(mid("null", "power_mode"), 1);
	r = sensors();
	m = json_metric(r, mid("null", "power_mode"));
	ck_assert_str_eq(json_str(m, "text"), "sleep");
	total = dev_metrics(r, "null", "ok", &ok);
	ck_assert_int_eq(total, 1); /* never read, nothing else to hold */
	ck_assert_int_eq(ok, 1);
	json_object_put(r);
	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "smart"), "status"), "ok");
	ck_assert_ptr_null(json_str(json_source(st, "smart"), "error"));
	json_object_put(st);
	ck_assert_int_eq(daemon_stop(&d), 0);
	ck_assert(daemon_log_has(&d, "null: in sleep mode, not woken"));
	ck_assert(!daemon_log_has(&d, "warning: smart"));
}
END_TEST

/* The stand-in's standby: power_mode 0 "standby", the rest held. */
START_TEST(test_standby_holds_metrics)
{
	struct json_object *r, *m;
	int total, bad;
	char *log;

	put_capture("sda", ATA_CAP);
	start("  device /dev/sda sat\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	set_mode("sda", "standby");
	wait_metric(mid("sda", "power_mode"), 0);
	usleep(4500 * 1000); /* past stale-after (3 x 1 s) */
	r = sensors();
	m = json_metric(r, mid("sda", "power_mode"));
	ck_assert_str_eq(json_str(m, "text"), "standby");
	total = dev_metrics(r, "sda", "unreadable", &bad);
	ck_assert_int_eq(bad, 0); /* asleep is not broken */
	ck_assert_double_eq(json_num(json_metric(r, mid("sda", "attr5_raw")), "value"), 304);
	dev_metrics(r, "sda", "stale", &bad);
	ck_assert_msg(bad == 0, "%d of %d metrics stale while held", bad, total);
	dev_metrics(r, "sda", "held", &bad);
	ck_assert_msg(bad == total - 1, "%d of %d metrics held (all but power_mode)", bad, total);
	ck_assert(!daemon_log_has(&d, "ENOSYS"));
	json_object_put(r);
	log = calls_log();
	ck_assert(strstr(log, "-n standby,3 -d sat /dev/sda") != NULL);
	free(log);
	/* awake again: read again */
	set_mode("sda", NULL);
	wait_metric(mid("sda", "power_mode"), 1);
	wait_metric(mid("sda", "attr5_raw"), 304);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* standby no: no -n at all. */
START_TEST(test_standby_off)
{
	char *log;

	put_capture("sda", ATA_CAP);
	start("  device /dev/sda sat\n  standby no\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	ck_assert_int_eq(daemon_stop(&d), 0);
	log = calls_log();
	ck_assert_ptr_null(strstr(log, "-n "));
	ck_assert_ptr_nonnull(strstr(log, "--json=c -a -d sat /dev/sda"));
	free(log);
}
END_TEST

/* ---- (g) the environment ----------------------------------------------------------- */

START_TEST(test_clean_environment)
{
	char notify[TL_PATH_MAX], *log, *line;
	int lines = 0;

	snprintf(notify, sizeof notify, "%s/notify", tree->dir);
	setenv("NOTIFY_SOCKET", notify, 1);
	setenv("WATCHDOG_USEC", "60000000", 1);
	setenv("HWH_TEST_SECRET", "do-not-leak", 1);
	put_capture("sda", ATA_CAP);
	put_file("scan.json", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0}}");
	start("  device /dev/sda sat\n  scan yes\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	let_polls(mid("sda", "attr5_raw"), 1);
	ck_assert_int_eq(daemon_stop(&d), 0);
	log = calls_log();
	for (line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		const char *env = strstr(line, " | env:");

		ck_assert_msg(env != NULL, "%s", line);
		ck_assert_msg(strcmp(env, " | env: PATH LC_ALL") == 0, "smartctl saw: %s", line);
		lines++;
	}
	ck_assert_int_ge(lines, 3); /* the scan and at least two polls */
	free(log);
}
END_TEST

/* ---- (h) discovery ------------------------------------------------------------------ */

#define SCAN_HEAD "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0},\"devices\":["
#define SCAN_SDA "{\"name\":\"/dev/sda\",\"info_name\":\"/dev/sda [SAT]\",\"type\":\"sat\"}"
#define SCAN_NVME "{\"name\":\"/dev/nvme0\",\"info_name\":\"/dev/nvme0\",\"type\":\"nvme\"}"
#define SCAN_BAD                                                                                   \
	"{\"name\":\"/dev/sdx\",\"info_name\":\"/dev/sdx\",\"type\":\"scsi\",\"open_error\":"      \
	"\"INQUIRY failed\"}"
#define SCAN_SDB "{\"name\":\"/dev/sdb\",\"info_name\":\"/dev/sdb [SAT]\",\"type\":\"sat\"}"

static int occurrences(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_scan_and_rescan)
{
	struct cmd_result res;
	struct json_object *r;
	char *log, want[TL_PATH_MAX + 64];
	int code, n;

	put_capture("sda", ATA_CAP);
	put_capture("nvme0", NVME_CAP);
	put_capture("sdb", ATA2_CAP);
	put_file("scan.json", SCAN_HEAD SCAN_SDA "," SCAN_BAD "," SCAN_NVME "]}");
	start(""); /* no device: scan */
	wait_metric(mid("sda", "attr5_raw"), 304);
	wait_metric(mid("nvme0", "num_err_log_entries"), 40);
	let_polls(mid("sda", "attr5_raw"), 2);
	r = sensors();
	ck_assert_ptr_null(json_metric(r, mid("sdx", "smartctl_exit"))); /* open_error: skipped */
	ck_assert_ptr_null(json_metric(r, mid("sdb", "smartctl_exit"))); /* not scanned yet */
	json_object_put(r);
	log = calls_log();
	snprintf(want, sizeof want, "%s --scan-open --json=c | env:", smartctl);
	ck_assert_int_eq(occurrences(log, want), 1);			    /* rescan is 1 h */
	ck_assert_ptr_nonnull(strstr(log, "-n standby,3 -d sat /dev/sda")); /* the scan's type */
	ck_assert_ptr_nonnull(strstr(log, "-n standby,3 -d nvme /dev/nvme0"));
	ck_assert_ptr_null(strstr(log, "/dev/sdx |"));
	free(log);
	ck_assert(daemon_log_has(&d, "scan: skipping /dev/sdx (type 'scsi'): smartctl cannot "
				     "open it: INQUIRY failed"));

	/* a disk appears; the operator asks for a rescan */
	put_file("scan.json", SCAN_HEAD SCAN_SDA "," SCAN_BAD "," SCAN_NVME "," SCAN_SDB "]}");
	ck_assert_int_eq(cli_run(&d, &res, &code, "rescan", NULL), 0);
	cmd_result_free(&res);
	wait_metric(mid("sdb", "attr5_raw"), 0);
	log = calls_log();
	ck_assert_int_eq(occurrences(log, want), 2);
	free(log);
	log = daemon_log(&d);
	n = occurrences(log, "skipping /dev/sdx");
	free(log);
	ck_assert_int_eq(n, 1); /* logged once */
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* LOW5: the periodic rescan runs --scan, which opens no device (wakes no
 * sleeping disk); --scan-open runs only at the first poll.  A known drive
 * keeps its type though --scan names it "scsi"; a new one is polled once
 * without -d, then with the device.type its document gave; one that
 * --scan-open could not open (a RAID volume, say) stays skipped though
 * --scan, which opens nothing, lists it without an error. */
START_TEST(test_periodic_rescan_no_open)
{
	struct want w = {.id = mid("sdb", "attr5_raw"), .value = 0};
	char *log, open_call[TL_PATH_MAX + 64], plain_call[TL_PATH_MAX + 64];
	const char *bare, *typed;

	put_capture("sda", ATA_CAP);
	put_capture("sdb", ATA2_CAP);
	put_file("scan.json", SCAN_HEAD SCAN_SDA "," SCAN_BAD "]}");
	start("  rescan 10s\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	snprintf(open_call, sizeof open_call, "%s --scan-open --json=c | env:", smartctl);
	snprintf(plain_call, sizeof plain_call, "%s --scan --json=c | env:", smartctl);
	log = calls_log();
	ck_assert_int_eq(occurrences(log, open_call), 1);
	ck_assert_int_eq(occurrences(log, plain_call), 0);
	free(log);

	/* what --scan prints: the types guessed from the names */
	put_file("scan.json", SCAN_HEAD "{\"name\":\"/dev/sda\",\"type\":\"scsi\"},"
					"{\"name\":\"/dev/sdb\",\"type\":\"scsi\"},"
					"{\"name\":\"/dev/sdx\",\"type\":\"scsi\"}]}");
	ck_assert_msg(wait_until(metric_is, &w, 3 * WAIT_MS), "sdb never read; log:\n%s",
		      daemon_log(&d));
	let_polls(mid("sdb", "attr5_raw"), 2);
	ck_assert_int_eq(daemon_stop(&d), 0);
	log = calls_log();
	ck_assert_int_eq(occurrences(log, open_call), 1); /* never again */
	ck_assert_int_ge(occurrences(log, plain_call), 1);
	ck_assert_ptr_null(strstr(log, "-d scsi"));    /* --scan's guesses are never passed */
	ck_assert_ptr_null(strstr(log, "/dev/sdx |")); /* --scan-open could not open it */
	ck_assert_ptr_null(strstr(log, "standby,3 /dev/sda |")); /* sda keeps -d sat */
	bare = strstr(log, "-n standby,3 /dev/sdb |");		 /* first: smartctl detects */
	typed = strstr(log, "-n standby,3 -d sat /dev/sdb |");	 /* then the document's type */
	ck_assert_msg(bare != NULL && typed != NULL && bare < typed, "calls:\n%s", log);
	ck_assert_int_eq(occurrences(log, "-n standby,3 /dev/sdb |"), 1);
	free(log);
	ck_assert(daemon_log_has(&d, "sdb: type 'sat' (detected by smartctl), passed as -d"));
}
END_TEST

/* A configured device wins over the scan's entry for the same path. */
START_TEST(test_scan_configured_wins)
{
	char *log;

	put_capture("sda", ATA_CAP);
	put_file("scan.json", SCAN_HEAD "{\"name\":\"/dev/sda\",\"type\":\"scsi\"}]}");
	start("  device /dev/sda sat\n  scan yes\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	let_polls(mid("sda", "attr5_raw"), 1);
	ck_assert_int_eq(daemon_stop(&d), 0);
	log = calls_log();
	ck_assert_ptr_nonnull(strstr(log, "-d sat /dev/sda"));
	ck_assert_ptr_null(strstr(log, "-d scsi /dev/sda"));
	free(log);
}
END_TEST

/* Nothing found: nothing emitted, said once, the source empty. */
START_TEST(test_scan_finds_nothing)
{
	struct want w = {.id = "smart", .rule = "source-empty"};
	char *log;

	start("");
	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no source-empty finding");
	usleep(2500 * 1000);
	log = daemon_log(&d);
	ck_assert_int_eq(occurrences(log, "no drives: none configured and smartctl --scan-open "
					  "found none"),
			 1);
	free(log);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* A scan that fails with no drive known fails the poll with the reason,
 * and is tried again at the next poll (not an hour later). */
START_TEST(test_scan_fails_then_retried)
{
	struct json_object *st;
	const char *err;
	struct want w = {.id = "smart", .rule = "source-down"};

	put_capture("sda", ATA_CAP);
	put_file("scan.json", "/dev/sda -d sat # /dev/sda [SAT], ATA device\n");
	start("");
	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no source-down finding");
	st = cli_json(&d, "status", NULL);
	err = json_str(json_source(st, "smart"), "error");
	ck_assert_msg(err && !strncmp(err,
				      "smartctl --scan-open printed no device list: malformed "
				      "JSON at byte 0",
				      69),
		      "%s", err ? err : "(null)");
	json_object_put(st);
	put_file("scan.json", SCAN_HEAD SCAN_SDA "]}");
	wait_metric(mid("sda", "attr5_raw"), 304);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- (i) drive swap --------------------------------------------------------------- */

static bool has_event(void *arg)
{
	struct want *w = arg;
	struct json_object *r = cli_json(&d, "events", NULL), *evs;
	bool found = false;

	if (json_object_object_get_ex(r, "events", &evs))
		for (size_t i = 0; i < json_object_array_length(evs) && !found; i++) {
			struct json_object *e = json_object_array_get_idx(evs, i);

			found = strcmp(json_str(e, "type"), "smart-drive-replaced") == 0 &&
				strcmp(json_str(e, "text"), w->prefix) == 0 &&
				strcmp(json_str(e, "device"), "sda") == 0 &&
				strcmp(json_str(e, "severity"), "info") == 0;
		}
	json_object_put(r);
	return found;
}

static int swap_events(void)
{
	struct json_object *r = cli_json(&d, "events", NULL), *evs;
	int n = 0;

	if (json_object_object_get_ex(r, "events", &evs))
		for (size_t i = 0; i < json_object_array_length(evs); i++)
			n += strcmp(json_str(json_object_array_get_idx(evs, i), "type"),
				    "smart-drive-replaced") == 0;
	json_object_put(r);
	return n;
}

/* Captures edited: the serials (REDACTED in every capture) set to A, B, C. */
START_TEST(test_drive_swap_event)
{
	json_object *a = load_capture(ATA_CAP), *b = load_capture(ATA2_CAP);
	struct want w = {.prefix = "serial SERIAL-A -> SERIAL-B, model WDC WD20EFRX-68EUZN0"};
	char conf[4096];

	json_object_object_add(a, "serial_number", json_object_new_string("SERIAL-A"));
	json_object_object_add(b, "serial_number", json_object_new_string("SERIAL-B"));
	put_edited("sda", a);
	start("  device /dev/sda sat\n");
	wait_metric(mid("sda", "attr5_raw"), 304);
	let_polls(mid("sda", "attr5_raw"), 1);
	ck_assert_int_eq(swap_events(), 0); /* first sight: no event */
	put_edited("sda", b);		    /* another disk in the same slot */
	ck_assert_msg(wait_until(has_event, &w, WAIT_MS), "no swap event; log:\n%s",
		      daemon_log(&d));
	let_polls(mid("sda", "attr5_raw"), 2);
	ck_assert_int_eq(swap_events(), 1); /* once */
	ck_assert_int_eq(daemon_stop(&d), 0);

	/* the serial is kept across a restart: B again is no swap, C is */
	conf_text(conf, sizeof conf, NULL, "  device /dev/sda sat\n");
	daemon_start(&d, conf);
	wait_metric(mid("sda", "attr5_raw"), 0);
	let_polls(mid("sda", "attr5_raw"), 2);
	ck_assert_int_eq(swap_events(), 0);
	json_object_object_add(b, "serial_number", json_object_new_string("SERIAL-C"));
	put_edited("sda", b);
	w.prefix = "serial SERIAL-B -> SERIAL-C, model WDC WD20EFRX-68EUZN0";
	ck_assert_msg(wait_until(has_event, &w, WAIT_MS), "no swap event after restart");
	json_object_put(a);
	json_object_put(b);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- options ----------------------------------------------------------------------- */

static int check_config(const char *exe, const char *opts, struct cmd_result *res)
{
	char conf[4096];

	conf_text(conf, sizeof conf, exe, opts);
	return daemon_check_config(&d, conf, res);
}

START_TEST(test_bad_options)
{
	static const struct {
		const char *opts, *msg, *exe;
	} rows[] = {
	    {"  device /dev/sda sat extra\n",
	     "device: '/dev/sda sat extra': too many words (expected PATH [TYPE])", NULL},
	    {"  device \"/dev/sda sat;reboot\"\n", "device: type 'sat;reboot' has characters",
	     NULL},
	    {"  device sda\n", "device: 'sda' is not an absolute device path", NULL},
	    {"  parallel 0\n", "parallel: '0' is not a number from 1 to 64", NULL},
	    {"  standby maybe\n", "standby: 'maybe' is not a boolean", NULL},
	    {"  device-timeout 30\n", "device-timeout: '30' is not a duration", NULL},
	    {"  scan yes\n  scan no\n", "option 'scan' given twice (first at line", NULL},
	    {"", "smartctl: cannot run '/nonexistent/smartctl': No such file or directory",
	     "/nonexistent/smartctl"},
	    {"", "smartctl: 'smartctl' is not an absolute path", "smartctl"},
	    {"  smartctl /usr/sbin/smartctl\n", "option 'smartctl' given twice (first at line",
	     NULL},
	    {"  sacn yes\n", "unknown option 'sacn' for plugin smart", NULL},
	};
	struct cmd_result res;

	snprintf(d.conf, sizeof d.conf, "%s/hwhealth.conf", tree->dir);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		ck_assert_int_ne(check_config(rows[i].exe, rows[i].opts, &res), 0);
		ck_assert_msg(strstr(res.err, rows[i].msg) || strstr(res.out, rows[i].msg),
			      "%s: %s%s", rows[i].opts, res.out, res.err);
		cmd_result_free(&res);
	}
	ck_assert_int_eq(check_config(NULL, "  device /dev/sda sat\n  parallel 2\n", &res), 0);
	cmd_result_free(&res);
	{
		char *log = calls_log();

		ck_assert_str_eq(log, ""); /* --check-config runs no smartctl */
		free(log);
	}
}
END_TEST

Suite *smart_daemon_suite(void)
{
	Suite *s = suite_create("smart_daemon");
	TCase *tc = tcase_create("readings");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_captures_metrics);
	tcase_add_test(tc, test_exit_bits_and_critical_warning);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("failures");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_hang_killed_at_device_timeout);
	tcase_add_test(tc, test_garbage_empty_truncated);
	tcase_add_test(tc, test_all_fail_source_down);
	tcase_add_test(tc, test_smartctl_vanished);
	suite_add_tcase(s, tc);

	tc = tcase_create("standby");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_standby_real_smartctl);
	tcase_add_test(tc, test_standby_holds_metrics);
	tcase_add_test(tc, test_standby_off);
	tcase_add_test(tc, test_clean_environment);
	suite_add_tcase(s, tc);

	tc = tcase_create("discovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_scan_and_rescan);
	tcase_add_test(tc, test_periodic_rescan_no_open);
	tcase_add_test(tc, test_scan_configured_wins);
	tcase_add_test(tc, test_scan_finds_nothing);
	tcase_add_test(tc, test_scan_fails_then_retried);
	tcase_add_test(tc, test_drive_swap_event);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_sectors_growing_warning_then_critical);
	suite_add_tcase(s, tc);
	return s;
}
