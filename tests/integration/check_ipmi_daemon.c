/*
 * check_ipmi_daemon: the real hwhealthd, hwhealth and ipmi.so against a
 * real BMC simulator, OpenIPMI's ipmi_sim on loopback (tests/ipmisim.h).
 * No mocks: each test starts its own simulator on ports the kernel gave it,
 * with a fresh state dir, and its own daemon on a socket and state dir
 * under the test's temp dir W.  Expected values come from the FreeIPMI tools
 * (ipmi-sensors, ipmi-sel) run against the same BMC, never from constants.
 * Conditions are awaited with bounded waits; the only fixed pauses pace a
 * temperature ramp and measure a poll rate over a window.
 *
 * Covered: every sensor field by field against ipmi-sensors (values, units,
 * thresholds, alarm flags, discrete states and texts, SEL fullness);
 * run-time faults (a file-backed temperature ramp giving temp-rising with
 * an ETA before crit, a fan below lcrit making the node red, a power supply
 * failure bit giving a critical state); SEL records reported exactly once
 * with type, device, severity, text and time, none replayed at the first
 * start nor after a restart; corrected-ECC records against the
 * ipmi-sel-ecc-corrected bucket rule above and below its rate; a stopped
 * BMC making the source unavailable while another source keeps working,
 * and recovering; a wrong password and a wrong cipher suite failing
 * clearly without a busy loop.  Needs no mount namespace; needs ipmi_sim
 * and sdrcomp (openipmi) and ipmi-sensors, ipmi-sel, bmc-device
 * (freeipmi-tools) installed.
 *
 * To add a test: setup() gives a started simulator `sim` and a temp dir;
 * build a configuration with conf_ipmi(), daemon_start(), inject through
 * ipmisim_*(), wait with wait_until(), compare with the tools' output.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ipmisim.h"
#include "testlib.h"

#define SRC "ipmi"		     /* the ipmi source's name (ipmi.rules match "ipmi*") */
#define INTERVAL_MS 1000	     /* poll interval of every source here */
#define SESSION_TIMEOUT_MS 500	     /* below the source's timeout (3 s) */
#define WAIT_MS 15000		     /* bound for what a few 1 s polls bring */
#define EPS 0.005		     /* ipmi-sensors prints two decimals */
#define SHIPPED HWH_SRC_DIR "/rules" /* the shipped rules, as installed */
#define TC_TIMEOUT_SEC 120

static struct fake_tree *tree; /* only for its temp dir W: no namespace needed */
static struct ipmisim sim;
static struct test_daemon d;
static char plugin_dir[TL_PATH_MAX]; /* W/pl, made by the first conf_head() */

static void setup(void)
{
	tree = fake_tree_new();
	plugin_dir[0] = '\0';
	memset(&d, 0, sizeof d);
	d.tree = tree;
	ipmisim_init(&sim, tree->dir);
	ipmisim_start(&sim);
}

static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	ipmisim_stop(&sim);
	fake_tree_free(tree);
}

/* ---- configuration -------------------------------------------------------- */

/* Append to buf (of size len) or fail the test. */
static void cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < len - used, "configuration too long");
}

/* Global settings: our plugins, the shipped rules, no local rules. */
static void conf_head(char *buf, size_t len)
{
	if (plugin_dir[0] == '\0') /* once per test: a second call finds the links */
		snprintf(plugin_dir, sizeof plugin_dir, "%s",
			 test_plugin_dir(tree, "pl", "ipmi", "echo", NULL));

	buf[0] = '\0';
	cat(buf, len,
	    "plugin-dir %s\nrules-dir %s\nlocal-rules-dir %s/rules.d\nstate-interval 1s\n"
	    "log-level debug\n",
	    plugin_dir, SHIPPED, tree->dir);
}

/* A source block for the simulator: name, password, cipher suite (0 =
 * default), extra lines. */
static void conf_ipmi(char *buf, size_t len, const char *name, const char *password,
		      int cipher_suite, const char *extra)
{
	cat(buf, len,
	    "source %s {\n  plugin ipmi\n  host %s\n  user " IPMISIM_USER "\n  password %s\n"
	    "  privilege admin\n  workarounds opensesspriv\n  session-timeout %dms\n"
	    "  retransmission-timeout 100ms\n  sdr-cache-dir %s/sdrcache-%s\n"
	    "  interval %dms\n  timeout 3s\n",
	    name, sim.host, password, SESSION_TIMEOUT_MS, tree->dir, name, INTERVAL_MS);
	if (cipher_suite > 0)
		cat(buf, len, "  cipher-suite %d\n", cipher_suite);
	cat(buf, len, "%s}\n", extra ? extra : "");
}

/* The usual daemon: one ipmi source. */
static void start_daemon_ipmi(void)
{
	char conf[4096];

	conf_head(conf, sizeof conf);
	conf_ipmi(conf, sizeof conf, SRC, IPMISIM_PASSWORD, 0, NULL);
	daemon_start(&d, conf);
}

/* ---- asking the daemon ---------------------------------------------------- */

/* The "result" of {"cmd":cmd} over the socket (new reference) or NULL. */
static struct json_object *ask(const char *request)
{
	struct json_object *resp = daemon_request(&d, request), *res = NULL;

	if (resp != NULL && json_object_object_get_ex(resp, "result", &res))
		json_object_get(res);
	else
		res = NULL;
	json_object_put(resp);
	return res;
}

static const char *nz(const char *s)
{
	return s ? s : "(null)";
}

/* check passes failure messages through a pipe of limited size: keep
 * what a message quotes short.  Four buffers, enough for one message. */
#define QUOTE_MAX 1200
static const char *quote(const char *text, bool tail)
{
	static char bufs[4][QUOTE_MAX + 8];
	static unsigned next;
	char *b = bufs[next++ % 4];
	size_t len = text ? strlen(text) : 0;

	if (text == NULL)
		return "(null)";
	if (len <= QUOTE_MAX)
		return text;
	if (tail)
		snprintf(b, sizeof bufs[0], "...%s", text + len - QUOTE_MAX);
	else
		snprintf(b, sizeof bufs[0], "%.*s...", QUOTE_MAX, text);
	return b;
}

/* A JSON value for a message, shortened. */
static const char *js(struct json_object *o)
{
	return quote(json_object_to_json_string(o), false);
}

/* The end of the daemon log, for a message. */
static const char *log_tail(void)
{
	static char buf[QUOTE_MAX + 8];
	char *log = daemon_log(&d);

	snprintf(buf, sizeof buf, "%s", quote(log, true));
	free(log);
	return buf;
}

/* Member key of a source of the status result, as a number / string. */
static double source_num(struct json_object *st, const char *name, const char *key)
{
	return json_num(json_source(st, name), key);
}

struct want {
	const char *name; /* source, metric id, rule... */
	const char *str;  /* status / state wanted */
	double num;	  /* polls / value wanted */
};

/* Source name has status str and at least num polls. */
static bool source_is(void *arg)
{
	struct want *w = arg;
	struct json_object *st = ask("{\"cmd\":\"status\"}");
	const char *s = json_str(json_source(st, w->name), "status");
	bool ok = s != NULL && strcmp(s, w->str) == 0 && source_num(st, w->name, "polls") >= w->num;

	json_object_put(st);
	return ok;
}

static void wait_source(const char *name, const char *status, double polls)
{
	struct want w = {name, status, polls};
	struct json_object *st;

	if (wait_until(source_is, &w, WAIT_MS))
		return;
	st = ask("{\"cmd\":\"status\"}");
	ck_abort_msg("source %s not %s after %d polls within %d ms: %s\ndaemon log:\n%s", name,
		     status, (int)polls, WAIT_MS, js(st), log_tail());
}

static double polls_of(const char *name)
{
	struct json_object *st = ask("{\"cmd\":\"status\"}");
	double n = source_num(st, name, "polls");

	json_object_put(st);
	return n;
}

/* Wait until the source has polled `more` more times (whatever the result). */
static void wait_more_polls(const char *name, int more)
{
	double want = polls_of(name) + more;

	ck_assert_msg(!isnan(want), "source %s not in status", name);
	for (int64_t end = tl_mono_ms() + WAIT_MS; polls_of(name) < want;) {
		ck_assert_msg(tl_mono_ms() < end, "source %s did not poll %d more times", name,
			      more);
		usleep(TL_POLL_MS * 1000);
	}
}

static bool node_is(void *arg)
{
	struct want *w = arg;
	struct json_object *st = ask("{\"cmd\":\"status\"}");
	const char *s = json_str(st, "node.state");
	bool ok = s != NULL && strcmp(s, w->str) == 0;

	json_object_put(st);
	return ok;
}

/* Metric w->name has value w->num. */
static bool metric_value_is(void *arg)
{
	struct want *w = arg;
	struct json_object *r = ask("{\"cmd\":\"sensors\"}");
	double v = json_num(json_metric(r, w->name), "value");

	json_object_put(r);
	return fabs(v - w->num) <= EPS;
}

static void wait_metric_value(const char *id, double v)
{
	struct want w = {id, NULL, v};
	struct json_object *r;

	if (wait_until(metric_value_is, &w, WAIT_MS))
		return;
	r = ask("{\"cmd\":\"sensors\"}");
	ck_abort_msg("metric %s never became %g: %s", id, v, js(json_metric(r, id)));
}

/* The finding of rule on target in an explain result, or NULL. */
static bool has_finding(void *arg)
{
	struct want *w = arg; /* name = rule, str = target */
	struct json_object *ex = ask("{\"cmd\":\"explain\"}");
	bool found = json_finding(ex, w->name, w->str) != NULL;

	json_object_put(ex);
	return found;
}

/* Fail unless the shipped rule is loaded (else "no finding" proves nothing). */
static struct json_object *loaded_rule(const char *name)
{
	char req[160];
	struct json_object *r, *arr;

	snprintf(req, sizeof req, "{\"cmd\":\"rules\",\"rule\":\"%s\"}", name);
	r = ask(req);
	if (r == NULL || !json_object_object_get_ex(r, "rules", &arr) ||
	    json_object_array_length(arr) != 1)
		ck_abort_msg("rule %s is not loaded from %s (rules/ipmi.rules should define it)",
			     name, SHIPPED);
	json_object_get(arr = json_object_array_get_idx(arr, 0));
	json_object_put(r);
	return arr;
}

/* ---- events ----------------------------------------------------------------- */

/* The SEL record id in an event text ("... [SEL record N]"), or -1. */
static int event_record(struct json_object *e)
{
	const char *t = json_str(e, "text"), *p;

	if (t == NULL || (p = strstr(t, "[SEL record ")) == NULL)
		return -1;
	return atoi(p + strlen("[SEL record "));
}

/* The events of our source (new reference to an array). */
static struct json_object *ipmi_events(struct json_object *events_result)
{
	struct json_object *all, *mine = json_object_new_array();

	if (events_result != NULL && json_object_object_get_ex(events_result, "events", &all))
		for (size_t i = 0; i < json_object_array_length(all); i++) {
			struct json_object *e = json_object_array_get_idx(all, i);
			const char *src = json_str(e, "source");

			if (src != NULL && strcmp(src, SRC) == 0)
				json_object_array_add(mine, json_object_get(e));
		}
	return mine;
}

/* How many of our events carry SEL record id. */
static int count_record(struct json_object *evs, int id)
{
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(evs); i++)
		n += event_record(json_object_array_get_idx(evs, i)) == id;
	return n;
}

static struct json_object *event_of_record(struct json_object *evs, int id)
{
	for (size_t i = 0; i < json_object_array_length(evs); i++)
		if (event_record(json_object_array_get_idx(evs, i)) == id)
			return json_object_array_get_idx(evs, i);
	return NULL;
}

struct want_records {
	const int *ids;
	int n;
};

static bool records_seen(void *arg)
{
	struct want_records *w = arg;
	struct json_object *r = ask("{\"cmd\":\"events\"}"), *evs = ipmi_events(r);
	bool all = true;

	for (int i = 0; i < w->n && all; i++)
		all = count_record(evs, w->ids[i]) > 0;
	json_object_put(evs);
	json_object_put(r);
	return all;
}

static void wait_records(const int *ids, int n)
{
	struct want_records w = {ids, n};
	struct json_object *r;

	if (wait_until(records_seen, &w, WAIT_MS))
		return;
	r = ask("{\"cmd\":\"events\"}");
	ck_abort_msg("SEL records %d..%d not all reported within %d ms; events: %s\nlog:\n%s",
		     ids[0], ids[n - 1], WAIT_MS, js(r), log_tail());
}

/* FreeIPMI's SEL state as an hwh severity name. */
static const char *severity_of(const char *state)
{
	if (strcmp(state, "Critical") == 0)
		return "critical";
	if (strcmp(state, "Warning") == 0)
		return "warning";
	return "info";
}

/* The event text the contract gives for an ipmi-sel record:
 * "<sensor>: <offset string>[ (deasserted)] [SEL record N]".  ipmi-sel
 * appends " ; Sensor Reading = ..." details to threshold records. */
static void expected_text(const struct ipmisim_sel_rec *r, char *buf, size_t len)
{
	const char *semi = strstr(r->event, " ; ");
	int elen = semi ? (int)(semi - r->event) : (int)strlen(r->event);

	snprintf(buf, len, "%s: %.*s%s [SEL record %d]", r->name, elen, r->event,
		 r->deassertion ? " (deasserted)" : "", r->id);
}

/* A SEL record to add and the event type the contract gives it. */
struct selspec {
	int stype, snum, etype, d1;
	const char *type;
};

/* Add each record; ids[i] gets its record id. */
static void add_records(const struct selspec *v, int n, int *ids)
{
	for (int i = 0; i < n; i++)
		ids[i] =
		    ipmisim_sel_add(&sim, v[i].stype, v[i].snum, v[i].etype, v[i].d1, 0xff, 0xff);
}

/* Each record of ids was reported exactly once, with the contract's type,
 * device, severity and text, compared with ipmi-sel's view of it. */
static void check_records(struct json_object *evs, const struct selspec *v, const int *ids, int n,
			  bool check_time)
{
	struct ipmisim_sel_rec *recs;
	int nrecs = ipmisim_sel(&sim, &recs);

	for (int i = 0; i < n; i++) {
		const struct ipmisim_sel_rec *r = ipmisim_sel_rec(recs, nrecs, ids[i]);
		struct json_object *e = event_of_record(evs, ids[i]);
		char dev[64], text[700];

		ck_assert_msg(r != NULL, "ipmi-sel does not show record %d", ids[i]);
		ck_assert_msg(count_record(evs, ids[i]) == 1, "SEL record %d reported %d times",
			      ids[i], count_record(evs, ids[i]));
		ck_assert_str_eq(json_str(e, "type"), v[i].type);
		ck_assert_str_eq(json_str(e, "device"),
				 ipmisim_metric_name(r->name, dev, sizeof dev));
		ck_assert_str_eq(json_str(e, "severity"), severity_of(r->state));
		expected_text(r, text, sizeof text);
		ck_assert_str_eq(json_str(e, "text"), text);
		if (check_time) {
			/* ipmi-sel prints the raw timestamp as local time
			 * (bmc-device --set-sel-time takes local time too). */
			struct tm tm = {0};
			char when[80];

			snprintf(when, sizeof when, "%s %s", r->date, r->time);
			ck_assert_msg(strptime(when, "%b-%d-%Y %H:%M:%S", &tm) != NULL,
				      "record %d: time '%s'", r->id, when);
			tm.tm_isdst = -1;
			ck_assert_double_eq_tol(json_num(e, "time"), (double)mktime(&tm), 1.0);
		}
	}
	free(recs);
}

/* ---- sensors against ipmi-sensors ----------------------------------------- */

static const char *kind_of_unit(const char *u)
{
	static const char *const map[][2] = {{"C", "temperature"},
					     {"RPM", "fan"},
					     {"V", "voltage"},
					     {"A", "current"},
					     {"W", "power"}};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(u, map[i][0]) == 0)
			return map[i][1];
	return "other";
}

/* Flags (commands.c flags_json bit order) a threshold event bitmask gives:
 * bit 0 at/below lnc -> min_alarm, 1 lc and 2 lnr -> lcrit_alarm, 3 unc ->
 * max_alarm, 4 uc -> crit_alarm, 5 unr -> emerg_alarm; any -> alarm. */
static unsigned expected_flags(unsigned bitmask)
{
	static const unsigned map[6] = {1u << 1, 1u << 3, 1u << 3, 1u << 2, 1u << 4, 1u << 5};
	unsigned f = 0;

	for (int b = 0; b < 6; b++)
		if (bitmask & (1u << b))
			f |= map[b];
	return f ? f | 1u : 0;
}

static unsigned json_flags(struct json_object *m)
{
	static const char *const names[] = {"alarm",	  "min_alarm",	 "max_alarm", "lcrit_alarm",
					    "crit_alarm", "emerg_alarm", "fault",     "beep"};
	struct json_object *arr;
	unsigned f = 0;

	if (!json_object_object_get_ex(m, "flags", &arr))
		return ~0u;
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		for (unsigned b = 0; b < sizeof names / sizeof names[0]; b++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(arr, i)),
				   names[b]) == 0)
				f |= 1u << b;
	return f;
}

static double state_value(const char *state)
{
	return strcmp(state, "Critical") == 0 ? 2 : strcmp(state, "Warning") == 0 ? 1 : 0;
}

struct compare {
	const struct ipmisim_row *rows;
	int n;
	const struct ipmisim_sel_info *sel; /* or NULL */
	char why[2048];			    /* the differences, one a line */
};

/* Note one difference (after those already noted) and return false. */
#define DIFF(...)                                                                                  \
	do {                                                                                       \
		size_t used_ = strlen(c->why);                                                     \
		snprintf(c->why + used_, sizeof c->why - used_, __VA_ARGS__);                      \
		if (strlen(c->why) + 2 < sizeof c->why)                                            \
			strcat(c->why, "\n");                                                      \
		return false;                                                                      \
	} while (0)

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || fabs(a - b) <= EPS;
}

/*
 * The daemon's state text against ipmi-sensors' event column, both joined
 * with "; ".  libipmimonitoring gives FreeIPMI's long messages ('Fully
 * Redundant (formerly "Redundancy Regained")'), ipmi-sensors the short
 * ones ('Fully Redundant'), and each long message starts with its short
 * one: so the same number of parts, each of ours starting with theirs.
 */
static bool same_event_text(const char *ours, const char *theirs)
{
	while (ours != NULL && theirs != NULL) {
		const char *o_end = strstr(ours, "; "), *t_end = strstr(theirs, "; ");
		size_t tn = t_end ? (size_t)(t_end - theirs) : strlen(theirs);
		size_t on = o_end ? (size_t)(o_end - ours) : strlen(ours);

		if (tn > on || strncmp(ours, theirs, tn) != 0 || (!o_end != !t_end))
			return false;
		ours = o_end ? o_end + 2 : NULL;
		theirs = t_end ? t_end + 2 : NULL;
	}
	return true;
}

/* One ipmi-sensors row against the daemon's metric. */
static bool row_matches(struct compare *c, const struct ipmisim_row *row, struct json_object *m,
			const char *id)
{
	static const char *const lim[6] = {"lemerg", "lcrit", "min", "max", "crit", "emerg"};
	const char *text = json_str(m, "text");

	if (m == NULL)
		DIFF("no metric %s for sensor '%s'", id, row->name);
	if (json_str(m, "label") == NULL || strcmp(json_str(m, "label"), row->name) != 0)
		DIFF("%s: label '%s', ipmi-sensors name '%s'", id, nz(json_str(m, "label")),
		     row->name);
	if (text == NULL || !same_event_text(text, row->event))
		DIFF("%s: text '%s', ipmi-sensors event '%s'", id, nz(text), row->event);
	if (strcmp(nz(json_str(m, "unit")), row->units) != 0)
		DIFF("%s: unit '%s', ipmi-sensors '%s'", id, json_str(m, "unit"), row->units);
	if (isnan(row->reading)) { /* discrete */
		if (strcmp(nz(json_str(m, "kind")), "state") != 0)
			DIFF("%s: kind %s for a discrete sensor", id, json_str(m, "kind"));
		if (!same_num(json_num(m, "value"), state_value(row->state)))
			DIFF("%s: state value %g, ipmi-sensors state %s", id, json_num(m, "value"),
			     row->state);
		if (json_object_object_length(json_object_object_get(m, "limits")) != 0)
			DIFF("%s: a discrete sensor with limits", id);
		return true;
	}
	if (strcmp(nz(json_str(m, "kind")), kind_of_unit(row->units)) != 0)
		DIFF("%s: kind %s for unit %s", id, json_str(m, "kind"), row->units);
	if (!same_num(json_num(m, "value"), row->reading))
		DIFF("%s: value %.4f, ipmi-sensors %.2f", id, json_num(m, "value"), row->reading);
	for (int t = 0; t < 6; t++) {
		char key[32];

		snprintf(key, sizeof key, "limits.%s", lim[t]);
		if (!same_num(json_num(m, key), row->thr[t]))
			DIFF("%s: %s %g, ipmi-sensors %g", id, key, json_num(m, key), row->thr[t]);
	}
	if (json_flags(m) != expected_flags(row->bitmask))
		DIFF("%s: flags %s, ipmi-sensors event bitmask %04xh ('%s')", id,
		     js(json_object_object_get(m, "flags")), row->bitmask, row->event);
	return true;
}

/* The SEL fullness metrics against ipmi-sel --info. */
static bool sel_matches(struct compare *c, struct json_object *r)
{
	const struct ipmisim_sel_info *s = c->sel;
	struct json_object *e = json_metric(r, SRC "/sel/entries");
	struct json_object *u = json_metric(r, SRC "/sel/used");
	struct json_object *o = json_metric(r, SRC "/sel/overflow");
	double used = 100.0 * 16 * s->entries / (16.0 * s->entries + s->free_bytes);

	if (e == NULL || u == NULL || o == NULL)
		DIFF("no sel/entries, sel/used or sel/overflow metric");
	if (!same_num(json_num(e, "value"), s->entries))
		DIFF("sel/entries %g, ipmi-sel --info %ld", json_num(e, "value"), s->entries);
	if (fabs(json_num(u, "value") - used) > 0.01 || strcmp(nz(json_str(u, "kind")), "percent"))
		DIFF("sel/used %g %s, ipmi-sel --info gives %.3f %%", json_num(u, "value"),
		     json_str(u, "kind"), used);
	if (!same_num(json_num(o, "value"), s->overflow ? 2 : 0) ||
	    strcmp(nz(json_str(o, "kind")), "state") != 0)
		DIFF("sel/overflow %g, ipmi-sel --info overflow %d", json_num(o, "value"),
		     s->overflow);
	return true;
}

/* A "sensors" result against the rows (and the SEL info, if any). */
static bool result_matches(struct compare *c, struct json_object *r)
{
	struct json_object *arr;
	int bmc = 0;

	bool ok = true;

	c->why[0] = '\0';
	if (r == NULL || !json_object_object_get_ex(r, "metrics", &arr))
		DIFF("no sensors answer");
	for (int i = 0; i < c->n; i++) { /* every row: report all differences */
		char id[128], name[64];

		snprintf(id, sizeof id, SRC "/bmc/%s",
			 ipmisim_metric_name(c->rows[i].name, name, sizeof name));
		ok &= row_matches(c, &c->rows[i], json_metric(r, id), id);
	}
	if (!ok)
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *dev = json_str(json_object_array_get_idx(arr, i), "device");
		const char *src = json_str(json_object_array_get_idx(arr, i), "source");
		bmc += dev && src && !strcmp(dev, "bmc") && !strcmp(src, SRC);
	}
	if (bmc != c->n)
		DIFF("%d bmc metrics, ipmi-sensors shows %d sensors", bmc, c->n);
	return c->sel == NULL || sel_matches(c, r);
}

static bool sensors_match(void *arg)
{
	struct json_object *r = ask("{\"cmd\":\"sensors\"}");
	bool ok = result_matches(arg, r);

	json_object_put(r);
	return ok;
}

static void assert_sensors_match(const struct ipmisim_row *rows, int n,
				 const struct ipmisim_sel_info *sel)
{
	struct compare c = {rows, n, sel, ""};

	if (!wait_until(sensors_match, &c, WAIT_MS)) {
		struct json_object *r = cli_json(&d, "sensors", NULL);
		ck_abort_msg("daemon differs from ipmi-sensors:\n%shwhealth sensors --json: %s",
			     c.why, js(r));
	}
}

/* ---- 1. every sensor ------------------------------------------------------ */

START_TEST(test_sensors_match_ipmi_sensors)
{
	struct ipmisim_row *rows, *rows2;
	struct ipmisim_sel_info sel;
	struct compare c = {0};
	struct json_object *r;
	char cache[TL_PATH_MAX + 32];
	struct stat sb;
	int n, n2;

	start_daemon_ipmi();
	wait_source(SRC, "ok", 1);
	n = ipmisim_sensors(&sim, &rows);
	ck_assert_int_eq(n, (int)ipmisim_bmc_count);
	ipmisim_sel_info(&sim, &sel);
	assert_sensors_match(rows, n, &sel);
	c.rows = rows;
	c.n = n;
	c.sel = &sel;

	/* hwhealth sensors --json shows the same (the wait asked the socket). */
	r = cli_json(&d, "sensors", NULL);
	ck_assert_msg(result_matches(&c, r), "hwhealth sensors --json: %s", c.why);
	json_object_put(r);

	/* Non-nominal states: upper non-critical, lower non-critical, upper
	 * critical, a discrete warning/critical each. */
	ipmisim_set_value(&sim, IPMISIM_S_INLET_TEMP, 42); /* 42 C, unc 40 */
	ipmisim_set_value(&sim, IPMISIM_S_12V, 175);	   /* 10.50 V, lnc 10.80 */
	ipmisim_set_value(&sim, IPMISIM_S_PSU_POWER, 230); /* 460 W, uc 450 */
	ipmisim_set_bit(&sim, IPMISIM_S_DRIVE0, 1, 1);	   /* drive fault */
	free(ipmisim_console(&sim, "sensor_set_bit_clr_rest 0x20 0 %d 1 1 1",
			     IPMISIM_S_FAN_REDUNDANCY)); /* redundancy lost */
	n2 = ipmisim_sensors(&sim, &rows2);
	ck_assert_int_eq(n2, n);
	ck_assert_msg(strcmp(ipmisim_row(rows2, n2, "Inlet Temp")->event, "OK") != 0 &&
			  strcmp(ipmisim_row(rows2, n2, "Drive 0")->event,
				 ipmisim_row(rows, n, "Drive 0")->event) != 0,
		      "injection not seen by ipmi-sensors");
	assert_sensors_match(rows2, n2, NULL);

	/* The plugin made its SDR cache dir, 0700. */
	snprintf(cache, sizeof cache, "%s/sdrcache-" SRC, tree->dir);
	ck_assert_int_eq(stat(cache, &sb), 0);
	ck_assert_int_eq(sb.st_mode & 07777, 0700);
	free(rows);
	free(rows2);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* A sensor the BMC gains, as after a firmware update or a part added. */
static const struct ipmisim_sensor outlet_temp = {
    13, "Outlet Temp", "Temperature",	       0x01, 0x01,  "degrees_C", 1,
    0,	"111111",      {0, 5, 10, 55, 65, 75}, 35,   false, -1};

/* The BMC's SDR repository changes: the plugin fetches its SDR cache again
 * and reports the new sensor with its thresholds, as ipmi-sensors does. */
START_TEST(test_sdr_change_refreshed)
{
	struct ipmisim_row *rows;
	int n;

	start_daemon_ipmi();
	wait_source(SRC, "ok", 1);
	n = ipmisim_sensors(&sim, &rows);
	assert_sensors_match(rows, n, NULL);
	free(rows);
	/* FreeIPMI tells a stale cache by the SDR repository's addition and
	 * erase times, in whole seconds: change the SDR in a later second than
	 * the one the daemon's cache was made in, as any real change is. */
	wait_more_polls(SRC, 2);

	ipmisim_stop(&sim);
	ipmisim_add_sensor(&sim, &outlet_temp);
	ipmisim_start(&sim);
	n = ipmisim_sensors(&sim, &rows);
	ck_assert_int_eq(n, (int)ipmisim_bmc_count + 1);
	ck_assert_ptr_nonnull(ipmisim_row(rows, n, "Outlet Temp"));
	assert_sensors_match(rows, n, NULL); /* incl. outlet_temp's six limits */
	free(rows);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- 2. faults at run time ------------------------------------------------ */

START_TEST(test_temp_ramp_predicted_warning)
{
	const char *id = SRC "/bmc/cpu_temp";
	struct want w = {"temp-rising", id, 0};
	struct ipmisim_row *rows;
	const struct ipmisim_row *cpu;
	struct json_object *ex, *f, *s;
	int n, milli = 40000;
	bool fired = false;

	start_daemon_ipmi();
	wait_source(SRC, "ok", 1);
	n = ipmisim_sensors(&sim, &rows);
	cpu = ipmisim_row(rows, n, "CPU Temp");
	ck_assert_ptr_nonnull(cpu);
	wait_metric_value(id, cpu->reading);
	ck_assert_msg(!has_finding(&w), "temp-rising before any ramp");

	/* 2 C/s (0.5 s steps, the simulator reads the file every 0.5 s), up
	 * to 1 C below max (80): the warning must come before. */
	while (!fired && milli < (int)(cpu->thr[IPMISIM_THR_UNC] - 1) * 1000) {
		milli += 1000;
		ipmisim_set_temp_file(&sim, milli);
		usleep(500 * 1000); /* ramp pacing, not a wait for a condition */
		fired = has_finding(&w);
	}
	ck_assert_msg(fired, "no temp-rising finding by %d mC; explain: %s", milli,
		      js(ex = ask("{\"cmd\":\"explain\"}")));

	ex = cli_json(&d, "explain", NULL);
	f = json_finding(ex, "temp-rising", id);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_str(f, "kind"), "finding");
	ck_assert_str_eq(json_str(f, "severity"), "warning");
	ck_assert_double_eq_tol(json_num(f, "evidence.crit"), cpu->thr[IPMISIM_THR_UC], EPS);
	ck_assert_double_lt(json_num(f, "evidence.value"), json_num(f, "evidence.crit"));
	ck_assert_double_gt(json_num(f, "evidence.eta"), 0);
	ck_assert_msg(strstr(json_str(f, "message"), "CPU Temp") != NULL &&
			  strstr(json_str(f, "message"), id) != NULL,
		      "message: %s", json_str(f, "message"));
	ck_assert_msg(json_finding(ex, "hw-over-crit", id) == NULL, "already past crit");
	ck_assert_msg(milli / 1000.0 < cpu->thr[IPMISIM_THR_UC], "file at %d mC", milli);
	json_object_put(ex);
	s = cli_json(&d, "sensors", "cpu_temp", NULL);
	ck_assert_double_lt(json_num(json_metric(s, id), "value"), cpu->thr[IPMISIM_THR_UC]);
	json_object_put(s);
	free(rows);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* The one reason of the status starting with prefix, or NULL. */
static const char *reason(struct json_object *st, const char *prefix)
{
	struct json_object *node, *arr;

	if (!json_object_object_get_ex(st, "node", &node) ||
	    !json_object_object_get_ex(node, "reasons", &arr))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			return s;
	}
	return NULL;
}

START_TEST(test_fan_below_lcrit_makes_node_red)
{
	const char *id = SRC "/bmc/fan1";
	struct want green = {NULL, "green", 0}, red = {NULL, "red", 0};
	struct ipmisim_row *rows;
	const struct ipmisim_row *fan;
	struct json_object *st, *s, *ev, *evs;
	const char *why;
	bool critical_event = false;
	int n;

	start_daemon_ipmi();
	wait_source(SRC, "ok", 2);
	ck_assert_msg(wait_until(node_is, &green, WAIT_MS), "node not green before the fault");

	ipmisim_set_value(&sim, IPMISIM_S_FAN1, 15);
	n = ipmisim_sensors(&sim, &rows);
	fan = ipmisim_row(rows, n, "Fan1");
	ck_assert_ptr_nonnull(fan);
	ck_assert_msg(fan->reading <= fan->thr[IPMISIM_THR_LC] &&
			  fan->reading > fan->thr[IPMISIM_THR_LNR],
		      "ipmi-sensors: Fan1 %g not between lnr %g and lc %g", fan->reading,
		      fan->thr[IPMISIM_THR_LNR], fan->thr[IPMISIM_THR_LC]);
	ck_assert_msg(wait_until(node_is, &red, WAIT_MS), "node not red: %s",
		      js(st = ask("{\"cmd\":\"status\"}")));

	st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(st, "node.state"), "red");
	why = reason(st, "hw-below-lcrit");
	ck_assert_msg(why != NULL && strstr(why, "Fan1") != NULL && strstr(why, id) != NULL,
		      "reasons: %s", js(json_object_object_get(st, "node")));
	ck_assert_str_eq(json_str(json_source(st, SRC), "status"), "ok");
	json_object_put(st);
	s = cli_json(&d, "sensors", "fan1", NULL);
	ck_assert_double_eq_tol(json_num(json_metric(s, id), "value"), fan->reading, EPS);
	ck_assert_msg(json_flags(json_metric(s, id)) == expected_flags(fan->bitmask),
		      "flags of %s vs ipmi-sensors bitmask %04xh", js(json_metric(s, id)),
		      fan->bitmask);
	ck_assert_msg(json_flags(json_metric(s, id)) & (1u << 3), "no lcrit_alarm");
	json_object_put(s);

	/* The BMC logged the crossing: reported as a critical fan SEL event. */
	ev = cli_json(&d, "events", NULL);
	evs = ipmi_events(ev);
	for (size_t i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i);
		critical_event |= strcmp(json_str(e, "type"), "sel-fan-critical") == 0 &&
				  strcmp(json_str(e, "device"), "fan1") == 0;
	}
	ck_assert_msg(critical_event, "no sel-fan-critical event: %s", js(evs));
	json_object_put(evs);
	json_object_put(ev);
	free(rows);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

START_TEST(test_psu_failure_is_critical_state)
{
	const char *id = SRC "/bmc/psu1_status";
	struct ipmisim_row *rows;
	struct ipmisim_sel_rec *recs;
	const struct ipmisim_row *psu;
	struct want red = {NULL, "red", 0};
	struct json_object *s, *m, *ev, *evs, *e;
	const char *why;
	char text[700];
	int n, nrecs, rec = -1;

	start_daemon_ipmi();
	wait_source(SRC, "ok", 1);
	wait_metric_value(id, 0);

	ipmisim_set_bit(&sim, IPMISIM_S_PSU_STATUS, 1, 1);
	n = ipmisim_sensors(&sim, &rows);
	psu = ipmisim_row(rows, n, "PSU1 Status");
	ck_assert_ptr_nonnull(psu);
	ck_assert_str_eq(psu->state, "Critical");
	ck_assert_msg(strstr(psu->event, "Power Supply Failure detected") != NULL, "%s",
		      psu->event);
	wait_metric_value(id, state_value(psu->state));

	s = cli_json(&d, "sensors", "psu1_status", NULL);
	m = json_metric(s, id);
	ck_assert_str_eq(json_str(m, "kind"), "state");
	ck_assert_str_eq(json_str(m, "text"), psu->event);
	ck_assert_str_eq(json_str(m, "label"), "PSU1 Status");
	json_object_put(s);

	/* hardware.rules' hw-state-critical: the node goes red, saying why. */
	ck_assert_msg(wait_until(node_is, &red, WAIT_MS), "node not red: %s",
		      js(s = ask("{\"cmd\":\"status\"}")));
	s = cli_json(&d, "status", NULL);
	why = reason(s, "hw-state-critical");
	ck_assert_msg(why != NULL && strstr(why, psu->event) != NULL && strstr(why, id) != NULL,
		      "reasons: %s", js(json_object_object_get(s, "node")));
	json_object_put(s);

	/* Its SEL record: one sel-psu-failure event, critical. */
	nrecs = ipmisim_sel(&sim, &recs);
	for (int i = 0; i < nrecs; i++)
		if (strcmp(recs[i].name, "PSU1 Status") == 0 &&
		    strcmp(recs[i].event, "Power Supply Failure detected") == 0)
			rec = i;
	ck_assert_msg(rec >= 0, "ipmi-sel shows no PSU failure record");
	wait_records(&recs[rec].id, 1);
	ev = cli_json(&d, "events", NULL);
	evs = ipmi_events(ev);
	ck_assert_int_eq(count_record(evs, recs[rec].id), 1);
	e = event_of_record(evs, recs[rec].id);
	ck_assert_str_eq(json_str(e, "type"), "sel-psu-failure");
	ck_assert_str_eq(json_str(e, "device"), "psu1_status");
	ck_assert_str_eq(json_str(e, "severity"), severity_of(recs[rec].state));
	expected_text(&recs[rec], text, sizeof text);
	ck_assert_str_eq(json_str(e, "text"), text);
	json_object_put(evs);
	json_object_put(ev);
	free(recs);
	free(rows);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- 3. SEL ------------------------------------------------------------------ */

/* The SEL record ids our events carry (sorted as reported). */
static int event_ids(struct json_object *evs, int *ids, int max)
{
	int n = 0;

	for (size_t i = 0; i < json_object_array_length(evs) && n < max; i++)
		ids[n++] = event_record(json_object_array_get_idx(evs, i));
	return n;
}

/* Our events are exactly the records ids, in any order. */
static void assert_only_records(struct json_object *evs, const int *ids, int n)
{
	int got[64], ng = event_ids(evs, got, 64);

	ck_assert_msg(ng == n, "%d ipmi events, expected %d: %s", ng, n, js(evs));
	for (int i = 0; i < ng; i++) {
		bool want = false;

		for (int j = 0; j < n; j++)
			want |= got[i] == ids[j];
		ck_assert_msg(want, "event for SEL record %d, which was not added in this run: %s",
			      got[i], js(evs));
	}
}

START_TEST(test_sel_records_once_never_replayed)
{
	static const struct selspec before[] = {
	    {IPMI_ST_MEMORY, IPMISIM_S_MEMORY, 0x6f, 0x00, "sel-ecc-corrected"},
	    {IPMI_ST_POWER_SUPPLY, IPMISIM_S_PSU_STATUS, 0x6f, 0x01, "sel-psu-failure"},
	};
	static const struct selspec run1[] = {
	    {IPMI_ST_MEMORY, IPMISIM_S_MEMORY, 0x6f, 0x00, "sel-ecc-corrected"},
	    {IPMI_ST_MEMORY, IPMISIM_S_DIMM_B1, 0x6f, 0x01, "sel-ecc-uncorrected"},
	    {IPMI_ST_POWER_SUPPLY, IPMISIM_S_PSU_STATUS, 0x6f, 0x01, "sel-psu-failure"},
	    {IPMI_ST_DRIVE_SLOT, IPMISIM_S_DRIVE0, 0x6f, 0x01, "sel-drive-fault"},
	    {IPMI_ST_PROCESSOR, IPMISIM_S_CPU1_STATUS, 0xef, 0x01, "sel-cpu-thermal-trip-cleared"},
	    {IPMI_ST_FAN, IPMISIM_S_FAN1, 0x01, 0x02, "sel-fan-critical"},
	    {IPMI_ST_TEMPERATURE, IPMISIM_S_INLET_TEMP, 0x01, 0x07, "sel-temp-warning"},
	};
	static const struct selspec run2[] = {
	    {IPMI_ST_MEMORY, IPMISIM_S_DIMM_B1, 0x6f, 0x00, "sel-ecc-corrected"},
	    {IPMI_ST_PROCESSOR, IPMISIM_S_CPU1_STATUS, 0x6f, 0x00, "sel-cpu-ierr"},
	};
	enum { NB = sizeof before / sizeof before[0] };
	enum { N1 = sizeof run1 / sizeof run1[0], N2 = sizeof run2 / sizeof run2[0] };
	int ids0[NB], ids1[N1], ids2[N2];
	struct ipmisim_sel_rec *recs;
	struct json_object *ev, *evs;
	int nrecs;

	/* Records in the SEL before the first start: the BMC's own start-up
	 * records and two of ours. */
	add_records(before, NB, ids0);
	nrecs = ipmisim_sel(&sim, &recs);
	ck_assert_int_ge(nrecs, NB);
	free(recs);

	start_daemon_ipmi();
	wait_source(SRC, "ok", 2); /* the first poll has taken its position */
	/* Wall-clock SEL time (ipmi_sim starts with post-init seconds). */
	ipmisim_set_sel_time(&sim, "01/02/2025 - 03:04:05");
	add_records(run1, N1, ids1);
	wait_records(ids1, N1);
	wait_more_polls(SRC, 2); /* a duplicate would have come by now */
	ev = cli_json(&d, "events", NULL);
	evs = ipmi_events(ev);
	assert_only_records(evs, ids1, N1); /* nothing from before the start */
	check_records(evs, run1, ids1, N1, true);
	json_object_put(evs);
	json_object_put(ev);

	/* Stopped, records added, started again on the same state dir: only
	 * the new ones, once. */
	ck_assert_int_eq(daemon_stop(&d), 0);
	add_records(run2, N2, ids2);
	start_daemon_ipmi();
	wait_records(ids2, N2);
	wait_more_polls(SRC, 2);
	ev = cli_json(&d, "events", NULL);
	evs = ipmi_events(ev);
	assert_only_records(evs, ids2, N2);
	check_records(evs, run2, ids2, N2, true);
	json_object_put(evs);
	json_object_put(ev);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- 4. corrected ECC rate ------------------------------------------------- */

#define ECC_RULE "ipmi-sel-ecc-corrected"

/* n corrected-ECC records on sensor num; ids filled. */
static void add_ecc(int num, int n, int *ids)
{
	static const struct selspec ecc[2] = {
	    {IPMI_ST_MEMORY, IPMISIM_S_MEMORY, 0x6f, 0x00, "sel-ecc-corrected"},
	    {IPMI_ST_MEMORY, IPMISIM_S_DIMM_B1, 0x6f, 0x00, "sel-ecc-corrected"}};

	for (int i = 0; i < n; i++)
		add_records(&ecc[num == IPMISIM_S_DIMM_B1], 1, &ids[i]);
}

START_TEST(test_ecc_above_rate_finding)
{
	const char *target = SRC "/memory/sel-ecc-corrected";
	struct want w = {ECC_RULE, target, 0};
	struct json_object *rule, *ex, *f, *ev, *evs;
	int ids[10];

	start_daemon_ipmi();
	wait_source(SRC, "ok", 2);
	json_object_put(rule = loaded_rule(ECC_RULE));
	add_ecc(IPMISIM_S_MEMORY, 10, ids);
	wait_records(ids, 10);
	ck_assert_msg(wait_until(has_finding, &w, WAIT_MS), "no %s finding on %s: %s", ECC_RULE,
		      target, js(ex = ask("{\"cmd\":\"explain\"}")));

	ex = cli_json(&d, "explain", NULL);
	f = json_finding(ex, ECC_RULE, target);
	ck_assert_ptr_nonnull(f);
	ck_assert_str_eq(json_str(f, "kind"), "finding");
	ck_assert_double_ge(json_num(f, "evidence.bucket_level"), 10 - 0.01);
	json_object_put(ex);
	ev = cli_json(&d, "events", NULL);
	evs = ipmi_events(ev);
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(count_record(evs, ids[i]), 1);
	json_object_put(evs);
	json_object_put(ev);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

START_TEST(test_ecc_below_rate_no_finding)
{
	struct json_object *rule, *targets, *ex;
	int ids[10];

	start_daemon_ipmi();
	wait_source(SRC, "ok", 2);
	json_object_put(loaded_rule(ECC_RULE));
	/* 5 on each of two DIMMs: 10 in all, but the bucket is per device. */
	add_ecc(IPMISIM_S_MEMORY, 5, ids);
	add_ecc(IPMISIM_S_DIMM_B1, 5, ids + 5);
	wait_records(ids, 10);
	wait_more_polls(SRC, 2); /* the rules have seen every event */

	rule = loaded_rule(ECC_RULE);
	targets = json_object_object_get(rule, "targets");
	ck_assert_msg(json_array_has(rule, "targets", SRC "/memory/sel-ecc-corrected") &&
			  json_array_has(rule, "targets", SRC "/dimm_b1/sel-ecc-corrected"),
		      "%s not bound to both streams: %s", ECC_RULE, js(targets));
	json_object_put(rule);
	ex = cli_json(&d, "explain", NULL);
	ck_assert_msg(json_finding(ex, ECC_RULE, NULL) == NULL, "%s fired below its rate: %s",
		      ECC_RULE, js(ex));
	json_object_put(ex);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- 5. BMC down and back ------------------------------------------------- */

START_TEST(test_bmc_down_unavailable_then_recovers)
{
	char conf[8192], echo[TL_PATH_MAX + 16], line[128];
	struct want unavailable = {SRC, "unavailable", 0}, ok = {SRC, "ok", 0};
	struct ipmisim_row *rows;
	struct cmd_result res;
	struct json_object *st;
	const char *err;
	int64_t t0, took;
	int n;

	snprintf(echo, sizeof echo, "%s/echo.txt", tree->dir);
	ck_assert_int_eq(write_file_str(echo, "chip0 temp1 temperature 40\n"), 0);
	conf_head(conf, sizeof conf);
	conf_ipmi(conf, sizeof conf, SRC, IPMISIM_PASSWORD, 0, NULL);
	cat(conf, sizeof conf, "source e {\n  plugin echo\n  file %s\n  interval %dms\n}\n", echo,
	    INTERVAL_MS);
	daemon_start(&d, conf);
	wait_source(SRC, "ok", 1);
	wait_source("e", "ok", 1);

	ck_assert_int_eq(ipmisim_stop(&sim), 128 + SIGTERM);
	t0 = tl_mono_ms();
	ck_assert_msg(wait_until(source_is, &unavailable, WAIT_MS), "source not unavailable: %s",
		      js(st = ask("{\"cmd\":\"status\"}")));
	took = tl_mono_ms() - t0;
	/* Within two intervals: the next poll starts within one and fails
	 * after the session timeout; 300 ms for our own 50 ms polling. */
	ck_assert_msg(took <= 2 * INTERVAL_MS + 300, "unavailable only after %lld ms",
		      (long long)took);
	st = cli_json(&d, "status", NULL);
	err = json_str(json_source(st, SRC), "error");
	ck_assert_msg(err != NULL && (strstr(err, "connection timeout") != NULL ||
				      strstr(err, "session timeout") != NULL),
		      "error: %s", nz(err));
	ck_assert_msg(strstr(err, sim.host) != NULL, "error does not name the BMC: %s", err);
	ck_assert_str_eq(json_str(json_source(st, "e"), "status"), "ok");
	json_object_put(st);

	/* The rest of the daemon keeps working meanwhile. */
	ck_assert_int_eq(write_file_str(echo, "chip0 temp1 temperature 41.5\n"), 0);
	wait_metric_value("e/chip0/temp1", 41.5);
	ck_assert_msg(source_is(&unavailable), "BMC source came back while the BMC is down");
	ck_assert_int_eq(cli_run(&d, &res, NULL, "ping", NULL), 0);
	cmd_result_free(&res);

	/* The BMC returns (same state dir, same ports) with a new value. */
	ipmisim_start(&sim);
	ipmisim_set_value(&sim, IPMISIM_S_INLET_TEMP, 31);
	n = ipmisim_sensors(&sim, &rows);
	ck_assert_ptr_nonnull(ipmisim_row(rows, n, "Inlet Temp"));
	ck_assert_msg(wait_until(source_is, &ok, WAIT_MS), "source did not recover: %s",
		      js(st = ask("{\"cmd\":\"status\"}")));
	wait_metric_value(SRC "/bmc/inlet_temp", ipmisim_row(rows, n, "Inlet Temp")->reading);
	st = cli_json(&d, "status", NULL);
	ck_assert_msg(json_str(json_source(st, SRC), "error") == NULL, "error kept: %s",
		      json_str(json_source(st, SRC), "error"));
	json_object_put(st);
	snprintf(line, sizeof line, "chip0 temp1 temperature 42\n");
	ck_assert_int_eq(write_file_str(echo, line), 0);
	wait_metric_value("e/chip0/temp1", 42);
	free(rows);
	ck_assert_int_eq(daemon_stop(&d), 0);
}
END_TEST

/* ---- 6. refused sessions ---------------------------------------------------- */

/* utime + stime of pid in ms. */
static double cpu_ms(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long ut = 0, stt = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	text = read_file_str(path);
	ck_assert_ptr_nonnull(text);
	p = strrchr(text, ')'); /* after the command name */
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt), 2);
	free(text);
	return (ut + stt) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* The source fails with an error holding each of needles; it neither
 * crashes nor retries faster than its interval, and costs little CPU. */
static void assert_refused(const char *const *needles)
{
	const int window_ms = 5000;
	struct json_object *st;
	double p0, p1, f0, f1, c0, c1;
	const char *err;
	int64_t t0, t1;

	wait_source(SRC, "failed", 2);
	st = cli_json(&d, "status", NULL);
	err = json_str(json_source(st, SRC), "error");
	ck_assert_ptr_nonnull(err);
	for (const char *const *n = needles; *n != NULL; n++)
		ck_assert_msg(strstr(err, *n) != NULL, "error '%s' lacks '%s'", err, *n);
	ck_assert_double_eq(json_num(json_source(st, SRC), "metrics"), 0);
	json_object_put(st);

	/* No busy loop: over a fixed window (a measurement, not a wait),
	 * about one poll per interval and little CPU. */
	st = ask("{\"cmd\":\"status\"}");
	p0 = source_num(st, SRC, "polls");
	f0 = source_num(st, SRC, "failures");
	json_object_put(st);
	c0 = cpu_ms(d.pid);
	t0 = tl_mono_ms();
	usleep(window_ms * 1000);
	st = ask("{\"cmd\":\"status\"}");
	t1 = tl_mono_ms();
	p1 = source_num(st, SRC, "polls");
	f1 = source_num(st, SRC, "failures");
	ck_assert_str_eq(json_str(json_source(st, SRC), "status"), "failed");
	json_object_put(st);
	c1 = cpu_ms(d.pid);
	ck_assert_msg(p1 - p0 >= 2 && p1 - p0 <= (double)(t1 - t0) / INTERVAL_MS + 1,
		      "%g polls in %lld ms at a %d ms interval", p1 - p0, (long long)(t1 - t0),
		      INTERVAL_MS);
	ck_assert_double_eq(f1 - f0, p1 - p0);
	ck_assert_msg(c1 - c0 < 0.05 * (double)(t1 - t0), "daemon used %g ms CPU in %lld ms",
		      c1 - c0, (long long)(t1 - t0));
	ck_assert(daemon_running(&d));
	ck_assert(ipmisim_running(&sim));
	ck_assert_int_eq(daemon_stop(&d), 0);
}

START_TEST(test_wrong_password_fails_clearly)
{
	static const char *const needles[] = {"password", NULL};
	char conf[4096];

	conf_head(conf, sizeof conf);
	conf_ipmi(conf, sizeof conf, SRC, "not-the-password", 0, NULL);
	daemon_start(&d, conf);
	assert_refused(needles);
}
END_TEST

START_TEST(test_wrong_cipher_suite_fails_clearly)
{
	static const char *const needles[] = {"cipher suite 17", NULL};
	char conf[4096];

	conf_head(conf, sizeof conf);
	conf_ipmi(conf, sizeof conf, SRC, IPMISIM_PASSWORD, 17, NULL);
	daemon_start(&d, conf);
	assert_refused(needles);
}
END_TEST

/* In band on a machine without a BMC device (this one): a clear error
 * naming the in-band access, no crash, no busy loop. */
START_TEST(test_inband_without_device_fails_clearly)
{
	static const char *const needles[] = {"in-band", NULL};
	char conf[4096];

	if (access("/dev/ipmi0", F_OK) == 0 || access("/dev/ipmi/0", F_OK) == 0 ||
	    access("/dev/ipmidev/0", F_OK) == 0) {
		fprintf(stderr, "test_inband_without_device_fails_clearly: this machine has an "
				"IPMI device; nothing to test\n");
		return;
	}
	conf_head(conf, sizeof conf);
	cat(conf, sizeof conf,
	    "source %s {\n  plugin ipmi\n  sdr-cache-dir %s/sdrcache-inband\n"
	    "  interval %dms\n  timeout 3s\n}\n",
	    SRC, tree->dir, INTERVAL_MS);
	daemon_start(&d, conf);
	assert_refused(needles);
}
END_TEST

Suite *ipmi_daemon_suite(void)
{
	Suite *s = suite_create("ipmi_daemon");
	TCase *tc;

	tc = tcase_create("sensors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_sensors_match_ipmi_sensors);
	tcase_add_test(tc, test_sdr_change_refreshed);
	suite_add_tcase(s, tc);

	tc = tcase_create("faults");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_temp_ramp_predicted_warning);
	tcase_add_test(tc, test_fan_below_lcrit_makes_node_red);
	tcase_add_test(tc, test_psu_failure_is_critical_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("sel");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_sel_records_once_never_replayed);
	tcase_add_test(tc, test_ecc_above_rate_finding);
	tcase_add_test(tc, test_ecc_below_rate_no_finding);
	suite_add_tcase(s, tc);

	tc = tcase_create("liveness");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_bmc_down_unavailable_then_recovers);
	tcase_add_test(tc, test_wrong_password_fails_clearly);
	tcase_add_test(tc, test_wrong_cipher_suite_fails_clearly);
	tcase_add_test(tc, test_inband_without_device_fails_clearly);
	suite_add_tcase(s, tc);
	return s;
}
