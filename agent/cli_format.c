/*
 * cli_format: text rendering of hwhealthd's answers for the hwhealth CLI.
 *
 * Everything here is a pure function of a json-c object (docs/PROTOCOL.md)
 * and writes only to the FILE* or buffer it is given; see cli_format.h for
 * the contract of each function.  Tables are built in two passes: cells are
 * collected first, then each column is padded to its widest cell, so a long
 * label widens its column instead of breaking the alignment.
 *
 * To format a new metric kind, add it to kind_decimals[]; to add a column,
 * extend the header array and the row builder of its table.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_format.h"

#define TABLE_MAX_COLS 32
#define TABLE_GAP "  "
/* Beyond this a fixed-point rendering is unreadable: fall back to %g. */
#define FMT_FIXED_MAX 1e15
/* Durations are clamped here (about 31700 years) before integer maths. */
#define DURATION_MAX_SEC 1e12
/* Times beyond this many seconds from the epoch show as "-". */
#define TIME_MAX_SEC 1e13
/* Indentation of a finding's message and evidence under its row. */
#define NOTE_INDENT "  "
/* Width of the keys of a rule's details ("description: "). */
#define DETAIL_KEY_WIDTH 13

/* Decimals shown for each metric kind; kinds not listed get trim_number(). */
static const struct {
	const char *kind;
	int decimals;
} kind_decimals[] = {
    {"temperature", 1}, {"humidity", 1},  {"percent", 1}, {"voltage", 3},
    {"current", 3},	{"power", 2},	  {"energy", 2},  {"fan", 0},
    {"counter", 0},	{"intrusion", 0}, {"state", 0},
};

/* Hardware limits in the order they are shown, lowest first. */
static const char *const limit_names[] = {
    "lemerg", "lcrit", "min", "max", "crit", "emerg",
};

static int is_number(json_object *o)
{
	return json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int);
}

/* The string member key of obj, or NULL when absent or not a string. */
static const char *member_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The member key of obj, or NULL. */
static json_object *member(json_object *obj, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* A copy of s with control characters replaced by '?'; "-" for NULL or "". */
static char *cell_dup(const char *s)
{
	char *copy, *p;

	if (s == NULL || *s == '\0')
		s = "-";
	if ((copy = strdup(s)) == NULL)
		return NULL;
	for (p = copy; *p != '\0'; p++)
		if (is_control((unsigned char)*p))
			*p = '?';
	return copy;
}

/* Writes s with control characters replaced by '?'. */
static void put_clean(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		fputc(is_control((unsigned char)*s) ? '?' : *s, out);
}

/* Display width of s: UTF-8 characters, not bytes. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int cli_table_init(struct cli_table *t, size_t ncols, const char *const *headers, unsigned right)
{
	memset(t, 0, sizeof(*t));
	if (ncols == 0 || ncols > TABLE_MAX_COLS)
		return -EINVAL;
	t->ncols = ncols;
	t->headers = headers;
	t->right = right;
	return 0;
}

static int table_grow(struct cli_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16;
	char **cells;

	cells = reallocarray(t->cells, cap * t->ncols, sizeof(*cells));
	if (cells == NULL)
		return -ENOMEM;
	t->cells = cells;
	t->cap = cap;
	return 0;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	char **row;
	size_t i;
	int rc;

	if (t->nrows == t->cap && (rc = table_grow(t)) < 0)
		return rc;
	row = t->cells + t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		if ((row[i] = cell_dup(cells[i])) == NULL) {
			while (i-- > 0)
				free(row[i]);
			return -ENOMEM;
		}
	}
	t->nrows++;
	return 0;
}

static void put_spaces(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

/* One line: cells padded to widths, the last column left unpadded. */
static void table_line(const struct cli_table *t, FILE *out, const char *const *cells,
		       const size_t *width)
{
	size_t i, pad;
	int right, last;

	for (i = 0; i < t->ncols; i++) {
		right = (t->right >> i) & 1;
		last = i + 1 == t->ncols;
		pad = width[i] - text_width(cells[i]);
		if (right)
			put_spaces(out, pad);
		fputs(cells[i], out);
		if (!right && !last)
			put_spaces(out, pad);
		fputs(last ? "\n" : TABLE_GAP, out);
	}
}

/* Each column's width: its widest cell or header. */
static void table_widths(const struct cli_table *t, size_t *width)
{
	size_t i, r, w;

	for (i = 0; i < t->ncols; i++)
		width[i] = text_width(t->headers[i]);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			w = text_width(t->cells[r * t->ncols + i]);
			if (w > width[i])
				width[i] = w;
		}
	}
}

/* Row r of t. */
static const char *const *table_row(const struct cli_table *t, size_t r)
{
	return (const char *const *)t->cells + r * t->ncols;
}

int cli_table_print(const struct cli_table *t, FILE *out)
{
	size_t width[TABLE_MAX_COLS];
	size_t r;

	table_widths(t, width);
	table_line(t, out, t->headers, width);
	for (r = 0; r < t->nrows; r++)
		table_line(t, out, table_row(t, r), width);
	return ferror(out) ? -EIO : 0;
}

void cli_table_free(struct cli_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = t->cap = 0;
}

/* v with up to three decimals, trailing zeros dropped: 80, 1.26, 0.125. */
static void trim_number(char *buf, size_t len, double v)
{
	char *p;

	if (!isfinite(v) || fabs(v) >= FMT_FIXED_MAX) {
		snprintf(buf, len, "%g", v);
		return;
	}
	snprintf(buf, len, "%.3f", v);
	if (strchr(buf, '.') == NULL)
		return;
	p = buf + strlen(buf) - 1;
	while (*p == '0')
		*p-- = '\0';
	if (*p == '.')
		*p = '\0';
	if (strcmp(buf, "-0") == 0)
		strcpy(buf, "0");
}

/* Decimals for kind, or -1 for "trim". */
static int decimals_of(const char *kind)
{
	size_t i;

	if (kind == NULL)
		return -1;
	for (i = 0; i < sizeof(kind_decimals) / sizeof(kind_decimals[0]); i++)
		if (strcmp(kind, kind_decimals[i].kind) == 0)
			return kind_decimals[i].decimals;
	return -1;
}

const char *cli_fmt_value(char *buf, size_t len, const char *kind, json_object *value)
{
	int dec = decimals_of(kind);
	double v;

	if (json_object_is_type(value, json_type_int) && dec <= 0) {
		/* Counters can pass 2^53: print the integer exactly. */
		snprintf(buf, len, "%" PRId64, json_object_get_int64(value));
	} else if (is_number(value)) {
		v = json_object_get_double(value);
		if (dec < 0)
			trim_number(buf, len, v);
		else if (!isfinite(v) || fabs(v) >= FMT_FIXED_MAX)
			snprintf(buf, len, "%g", v);
		else
			snprintf(buf, len, "%.*f", dec, v);
	} else {
		snprintf(buf, len, "-");
	}
	return buf;
}

const char *cli_fmt_limits(char *buf, size_t len, json_object *limits)
{
	char num[CLI_FMT_LEN];
	size_t i, off = 0;
	json_object *v;
	int n;

	buf[0] = '\0';
	for (i = 0; i < sizeof(limit_names) / sizeof(limit_names[0]); i++) {
		v = member(limits, limit_names[i]);
		if (!is_number(v))
			continue;
		trim_number(num, sizeof(num), json_object_get_double(v));
		n = snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", limit_names[i], num);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0'; /* keep the whole limits that fitted */
			break;
		}
		off += (size_t)n;
	}
	if (off == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* A duration: under a minute with `decimals`, then two units. */
static void fmt_duration(char *buf, size_t len, double s, int decimals)
{
	uint64_t t;

	if (!(s > 0)) /* negative or NaN */
		s = 0;
	if (s > DURATION_MAX_SEC)
		s = DURATION_MAX_SEC;
	if (s < 60) {
		snprintf(buf, len, "%.*fs", decimals, s);
		return;
	}
	t = (uint64_t)s;
	if (t < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", t / 86400, t % 86400 / 3600);
}

const char *cli_fmt_age(char *buf, size_t len, json_object *seconds)
{
	if (is_number(seconds))
		fmt_duration(buf, len, json_object_get_double(seconds), 1);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *cli_fmt_ms(char *buf, size_t len, json_object *ms)
{
	double v;

	if (!is_number(ms)) {
		snprintf(buf, len, "-");
		return buf;
	}
	v = json_object_get_double(ms);
	if (!(v > 0))
		v = 0;
	if (v < 10)
		snprintf(buf, len, "%.2fms", v);
	else if (v < 1000)
		snprintf(buf, len, "%.1fms", v);
	else
		snprintf(buf, len, "%.2fs", v / 1000);
	return buf;
}

const char *cli_node_state(json_object *status)
{
	const char *state = member_str(member(status, "node"), "state");

	return state ? state : "unknown";
}

int cli_state_exit(const char *state)
{
	if (state == NULL)
		return CLI_EXIT_UNKNOWN;
	if (strcmp(state, "green") == 0)
		return CLI_EXIT_OK;
	if (strcmp(state, "yellow") == 0)
		return CLI_EXIT_WARNING;
	if (strcmp(state, "red") == 0 || strcmp(state, "critical") == 0)
		return CLI_EXIT_CRITICAL;
	return CLI_EXIT_UNKNOWN;
}

/* A number for prose and score columns: up to three decimals, or "-". */
static const char *fmt_num(char *buf, size_t len, json_object *v)
{
	if (is_number(v))
		trim_number(buf, len, json_object_get_double(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

/* Length of v if it is an array, else 0. */
static size_t array_len(json_object *v)
{
	return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

/* Each string of the array on its own line, indented by two spaces. */
static void print_indented(FILE *out, json_object *lines)
{
	size_t i, n = array_len(lines);
	const char *line;

	for (i = 0; i < n; i++) {
		line = json_object_get_string(json_object_array_get_idx(lines, i));
		fputs("  ", out);
		put_clean(out, line ? line : "-");
		fputc('\n', out);
	}
}

/* An integer member as text, "-" when absent. */
static const char *fmt_int(char *buf, size_t len, json_object *v)
{
	if (is_number(v))
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static int status_source_row(struct cli_table *t, json_object *src)
{
	char age[CLI_FMT_LEN], poll[CLI_FMT_LEN + 8];
	char ms[CLI_FMT_LEN], n[CLI_FMT_LEN];
	json_object *age_s = member(src, "last_poll_age_s");
	const char *cells[7];

	if (is_number(age_s))
		snprintf(poll, sizeof(poll), "%s ago", cli_fmt_age(age, sizeof(age), age_s));
	else
		snprintf(poll, sizeof(poll), "never");
	cells[0] = member_str(src, "name");
	cells[1] = member_str(src, "plugin");
	cells[2] = member_str(src, "status");
	cells[3] = poll;
	cells[4] = cli_fmt_ms(ms, sizeof(ms), member(src, "poll_ms"));
	cells[5] = fmt_int(n, sizeof(n), member(src, "metrics"));
	cells[6] = member_str(src, "error");
	return cli_table_add(t, cells);
}

static int status_sources(FILE *out, json_object *sources)
{
	static const char *const hdr[] = {
	    "SOURCE", "PLUGIN", "STATUS", "LAST POLL", "POLL", "METRICS", "ERROR",
	};
	struct cli_table t;
	size_t i, n = json_object_is_type(sources, json_type_array)
			  ? json_object_array_length(sources)
			  : 0;
	int rc = 0;

	if (n == 0) {
		fputs("no sources\n", out);
		return 0;
	}
	if ((rc = cli_table_init(&t, 7, hdr, 0)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = status_source_row(&t, json_object_array_get_idx(sources, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

static void status_footer(FILE *out, json_object *status)
{
	const char *version = member_str(status, "version");
	json_object *up = member(status, "uptime_s");
	char pid[CLI_FMT_LEN], uptime[CLI_FMT_LEN] = "-";

	if (is_number(up))
		fmt_duration(uptime, sizeof(uptime), json_object_get_double(up), 0);
	fputs("hwhealthd ", out);
	put_clean(out, version ? version : "-");
	fprintf(out, ", pid %s, up %s\n", fmt_int(pid, sizeof(pid), member(status, "pid")), uptime);
}

int cli_print_status(FILE *out, json_object *status)
{
	json_object *node = member(status, "node");
	json_object *score = member(node, "score");
	char num[CLI_FMT_LEN];
	int rc;

	fputs("node: ", out);
	put_clean(out, cli_node_state(status));
	if (is_number(score))
		fprintf(out, " (score %s)", fmt_num(num, sizeof(num), score));
	fputc('\n', out);
	print_indented(out, member(node, "reasons"));
	fputc('\n', out);
	if ((rc = status_sources(out, member(status, "sources"))) < 0)
		return rc;
	fputc('\n', out);
	status_footer(out, status);
	return ferror(out) ? -EIO : 0;
}

static int sensors_row(struct cli_table *t, json_object *m)
{
	char value[CLI_FMT_LEN], limits[CLI_LIMITS_LEN], age[CLI_FMT_LEN];
	const char *kind = member_str(m, "kind");
	const char *text = member_str(m, "text");
	json_object *v = member(m, "value");
	const char *cells[7];

	cells[0] = member_str(m, "id");
	cells[1] = member_str(m, "label");
	/* A discrete state reads better as its text ("degraded") than as 2. */
	if (text != NULL && (!is_number(v) || (kind && !strcmp(kind, "state"))))
		cells[2] = text;
	else
		cells[2] = cli_fmt_value(value, sizeof(value), kind, v);
	cells[3] = member_str(m, "unit");
	cells[4] = cli_fmt_limits(limits, sizeof(limits), member(m, "limits"));
	cells[5] = member_str(m, "status");
	cells[6] = cli_fmt_age(age, sizeof(age), member(m, "age_s"));
	return cli_table_add(t, cells);
}

int cli_print_sensors(FILE *out, json_object *sensors)
{
	static const char *const hdr[] = {
	    "METRIC", "LABEL", "VALUE", "UNIT", "LIMITS", "STATUS", "AGE",
	};
	json_object *metrics = member(sensors, "metrics");
	struct cli_table t;
	size_t i, n = json_object_is_type(metrics, json_type_array)
			  ? json_object_array_length(metrics)
			  : 0;
	int rc;

	if (n == 0) {
		fputs("no metrics\n", out);
		return ferror(out) ? -EIO : 0;
	}
	/* VALUE is right-aligned so the decimal points line up. */
	if ((rc = cli_table_init(&t, 7, hdr, 1u << 2)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = sensors_row(&t, json_object_array_get_idx(metrics, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

/* Seconds since the epoch as local "YYYY-MM-DD HH:MM:SS", or "-". */
const char *cli_fmt_time(char *buf, size_t len, json_object *seconds)
{
	struct tm tm;
	double v;
	time_t t;

	if (!is_number(seconds)) {
		snprintf(buf, len, "-");
		return buf;
	}
	v = json_object_get_double(seconds);
	/* Beyond this time_t cannot hold it, or no calendar can show it. */
	if (!(fabs(v) < TIME_MAX_SEC)) {
		snprintf(buf, len, "-");
		return buf;
	}
	t = (time_t)v;
	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, len, "-");
	return buf;
}

static int events_row(struct cli_table *t, json_object *e)
{
	char when[CLI_FMT_LEN];
	const char *cells[6];

	cells[0] = cli_fmt_time(when, sizeof(when), member(e, "time"));
	cells[1] = member_str(e, "source");
	cells[2] = member_str(e, "device");
	cells[3] = member_str(e, "severity");
	cells[4] = member_str(e, "type");
	cells[5] = member_str(e, "text");
	return cli_table_add(t, cells);
}

int cli_print_events(FILE *out, json_object *events)
{
	static const char *const hdr[] = {
	    "TIME", "SOURCE", "DEVICE", "SEVERITY", "TYPE", "TEXT",
	};
	json_object *list = member(events, "events");
	struct cli_table t;
	size_t i,
	    n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
	int rc;

	if (n == 0) {
		fputs("no events\n", out);
		return ferror(out) ? -EIO : 0;
	}
	if ((rc = cli_table_init(&t, 6, hdr, 0)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = events_row(&t, json_object_array_get_idx(list, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

/* ---- explain -------------------------------------------------------------- */

/* An evidence number: three decimals, or three significant digits below 1. */
static void evidence_number(char *buf, size_t len, double v)
{
	if (isfinite(v) && v != 0 && fabs(v) < 1)
		snprintf(buf, len, "%.3g", v);
	else
		trim_number(buf, len, v);
}

/* One evidence value; eta (seconds, null for "never") as a duration, rounded as in messages. */
static void evidence_value(char *buf, size_t len, const char *key, json_object *v)
{
	int eta = strcmp(key, "eta") == 0;

	if (eta && v == NULL)
		snprintf(buf, len, "never");
	else if (eta && is_number(v))
		fmt_duration(buf, len, round(json_object_get_double(v)), 0);
	else if (is_number(v))
		evidence_number(buf, len, json_object_get_double(v));
	else if (json_object_is_type(v, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(v));
	else
		snprintf(buf, len, "-");
}

const char *cli_fmt_evidence(char *buf, size_t len, json_object *evidence)
{
	char value[CLI_FMT_LEN];
	size_t off = 0;
	int n;

	buf[0] = '\0';
	if (json_object_is_type(evidence, json_type_object)) {
		json_object_object_foreach(evidence, key, v)
		{
			evidence_value(value, sizeof(value), key, v);
			n = snprintf(buf + off, len - off, "%s%s=%s", off ? " " : "", key, value);
			if (n < 0 || (size_t)n >= len - off) {
				buf[off] = '\0'; /* keep the whole members that fitted */
				break;
			}
			off += (size_t)n;
		}
	}
	if (off == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* "node: STATE (score N) since TIME", the parts present. */
static void explain_node_line(FILE *out, json_object *explain)
{
	json_object *node = member(explain, "node");
	json_object *score = member(node, "score"), *since = member(node, "since");
	char buf[CLI_FMT_LEN];

	fputs("node: ", out);
	put_clean(out, cli_node_state(explain));
	if (is_number(score))
		fprintf(out, " (score %s)", fmt_num(buf, sizeof(buf), score));
	if (strcmp(cli_fmt_time(buf, sizeof(buf), since), "-") != 0)
		fprintf(out, " since %s", buf);
	fputc('\n', out);
}

static int explain_row(struct cli_table *t, json_object *f)
{
	char score[CLI_FMT_LEN], since[CLI_FMT_LEN];
	const char *cells[5];

	cells[0] = member_str(f, "severity");
	cells[1] = fmt_num(score, sizeof(score), member(f, "score"));
	cells[2] = cli_fmt_time(since, sizeof(since), member(f, "since"));
	cells[3] = member_str(f, "rule");
	cells[4] = member_str(f, "target");
	return cli_table_add(t, cells);
}

/* The lines under a finding's row: its message, then its evidence. */
static void explain_notes(FILE *out, json_object *f)
{
	const char *kind = member_str(f, "kind"), *state = member_str(f, "state");
	const char *msg = member_str(f, "message");
	char ev[CLI_EVIDENCE_LEN];

	fputs(NOTE_INDENT, out);
	if (kind != NULL && strcmp(kind, "error") == 0)
		fputs("evaluation error: ", out);
	else if (state != NULL && strcmp(state, "clearing") == 0)
		fputs("clearing: ", out);
	put_clean(out, msg != NULL && *msg != '\0' ? msg : "-");
	fputc('\n', out);
	if (strcmp(cli_fmt_evidence(ev, sizeof(ev), member(f, "evidence")), "-") != 0) {
		fputs(NOTE_INDENT, out);
		put_clean(out, ev);
		fputc('\n', out);
	}
}

/* The findings table, each row followed by its notes; or "no findings". */
static int explain_findings(FILE *out, json_object *list)
{
	static const char *const hdr[] = {"SEVERITY", "SCORE", "SINCE", "RULE", "TARGET"};
	size_t width[TABLE_MAX_COLS];
	size_t i, n = array_len(list);
	struct cli_table t;
	int rc;

	if (n == 0) {
		fputs("no findings\n", out);
		return 0;
	}
	/* SCORE is right-aligned. */
	if ((rc = cli_table_init(&t, 5, hdr, 1u << 1)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = explain_row(&t, json_object_array_get_idx(list, i));
	if (rc == 0) {
		table_widths(&t, width);
		table_line(&t, out, t.headers, width);
		for (i = 0; i < t.nrows; i++) {
			table_line(&t, out, table_row(&t, i), width);
			explain_notes(out, json_object_array_get_idx(list, i));
		}
	}
	cli_table_free(&t);
	return rc;
}

/* "thresholds: yellow 10, red 50, critical 100; recovery after 5m00s". */
static void explain_footer(FILE *out, json_object *explain)
{
	json_object *th = member(member(explain, "node"), "thresholds");
	json_object *rec = member(th, "recover_after_s");
	json_object *errors = member(explain, "evaluation_errors");
	char y[CLI_FMT_LEN], r[CLI_FMT_LEN], c[CLI_FMT_LEN], after[CLI_FMT_LEN] = "-";

	if (json_object_is_type(th, json_type_object)) {
		if (is_number(rec))
			fmt_duration(after, sizeof(after), round(json_object_get_double(rec)), 0);
		fprintf(out, "\nthresholds: yellow %s, red %s, critical %s; recovery after %s\n",
			fmt_num(y, sizeof(y), member(th, "yellow")),
			fmt_num(r, sizeof(r), member(th, "red")),
			fmt_num(c, sizeof(c), member(th, "critical")), after);
	}
	if (is_number(errors) && json_object_get_double(errors) > 0)
		fprintf(out, "evaluation errors so far: %s\n", fmt_int(y, sizeof(y), errors));
}

int cli_print_explain(FILE *out, json_object *explain)
{
	json_object *node = member(explain, "node");
	json_object *liveness = member(node, "liveness");
	const char *why = member_str(node, "why");
	int rc;

	explain_node_line(out, explain);
	if (why != NULL) {
		fputs("  ", out);
		put_clean(out, why);
		fputc('\n', out);
	}
	fputc('\n', out);
	if ((rc = explain_findings(out, member(explain, "findings"))) < 0)
		return rc;
	if (array_len(liveness) > 0) {
		fputs("\nliveness:\n", out);
		print_indented(out, liveness);
	}
	explain_footer(out, explain);
	return ferror(out) ? -EIO : 0;
}

/* ---- rules ---------------------------------------------------------------- */

/* true only for a boolean false: a rule switched off with "enabled no". */
static int is_false(json_object *v)
{
	return json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v);
}

static int rules_row(struct cli_table *t, json_object *r)
{
	char score[CLI_FMT_LEN], bound[CLI_FMT_LEN];
	const char *cells[6];

	cells[0] = member_str(r, "name");
	cells[1] = member_str(r, "severity");
	cells[2] = fmt_num(score, sizeof(score), member(r, "score"));
	cells[3] = is_false(member(r, "enabled"))
		       ? "off"
		       : fmt_int(bound, sizeof(bound), member(r, "bound"));
	cells[4] = member_str(r, "file");
	cells[5] = member_str(r, "description");
	return cli_table_add(t, cells);
}

int cli_print_rules(FILE *out, json_object *rules)
{
	static const char *const hdr[] = {
	    "NAME", "SEVERITY", "SCORE", "BOUND", "FILE", "DESCRIPTION",
	};
	json_object *list = member(rules, "rules");
	size_t i, n = array_len(list);
	struct cli_table t;
	int rc;

	if (n == 0) {
		fputs("no rules\n", out);
		return ferror(out) ? -EIO : 0;
	}
	/* SCORE and BOUND are right-aligned. */
	if ((rc = cli_table_init(&t, 6, hdr, 1u << 2 | 1u << 3)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = rules_row(&t, json_object_array_get_idx(list, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

/* "key:" padded to DETAIL_KEY_WIDTH, then value ("-" for NULL or ""). */
static void detail_line(FILE *out, const char *key, const char *value)
{
	fprintf(out, "%-*s", DETAIL_KEY_WIDTH, key);
	put_clean(out, value != NULL && *value != '\0' ? value : "-");
	fputc('\n', out);
}

static void rule_targets(FILE *out, json_object *r)
{
	json_object *targets = member(r, "targets"), *bound = member(r, "bound");
	size_t n = array_len(targets);
	int64_t more;

	if (n == 0) {
		detail_line(out, "targets:", "none");
		return;
	}
	fputs("targets:\n", out);
	print_indented(out, targets);
	/* Only the first ones are listed when all rules are asked for. */
	more = is_number(bound) ? json_object_get_int64(bound) - (int64_t)n : 0;
	if (more > 0)
		fprintf(out, "  ... and %" PRId64 " more\n", more);
}

static void rule_details(FILE *out, json_object *r)
{
	json_object *enabled = member(r, "enabled");
	char buf[CLI_FMT_LEN];

	detail_line(out, "name:", member_str(r, "name"));
	detail_line(out, "file:", member_str(r, "file"));
	detail_line(out, "description:", member_str(r, "description"));
	detail_line(out, "severity:", member_str(r, "severity"));
	detail_line(out, "score:", fmt_num(buf, sizeof(buf), member(r, "score")));
	detail_line(out, "enabled:",
		    !json_object_is_type(enabled, json_type_boolean) ? NULL
		    : json_object_get_boolean(enabled)		     ? "yes"
								     : "no");
	detail_line(out, "matches:", member_str(r, "matches"));
	detail_line(out, "bound:", fmt_int(buf, sizeof(buf), member(r, "bound")));
	rule_targets(out, r);
}

int cli_print_rule_details(FILE *out, json_object *rules)
{
	json_object *list = member(rules, "rules");
	size_t i, n = array_len(list);

	if (n == 0)
		fputs("no rules\n", out);
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', out);
		rule_details(out, json_object_array_get_idx(list, i));
	}
	return ferror(out) ? -EIO : 0;
}

/* ---- history -------------------------------------------------------------- */

static int history_row(struct cli_table *t, json_object *p)
{
	char when[CLI_FMT_LEN], v[CLI_FMT_LEN], lo[CLI_FMT_LEN], hi[CLI_FMT_LEN];
	const char *cells[4];

	cells[0] = cli_fmt_time(when, sizeof(when), member(p, "time"));
	cells[1] = cli_fmt_value(v, sizeof(v), NULL, member(p, "value"));
	cells[2] = cli_fmt_value(lo, sizeof(lo), NULL, member(p, "min"));
	cells[3] = cli_fmt_value(hi, sizeof(hi), NULL, member(p, "max"));
	return cli_table_add(t, cells);
}

int cli_print_history(FILE *out, json_object *history)
{
	static const char *const hdr[] = {"TIME", "VALUE", "MIN", "MAX"};
	json_object *points = member(history, "points");
	const char *metric = member_str(history, "metric");
	const char *res = member_str(history, "resolution");
	const char *unit = member_str(history, "unit");
	size_t i, n = array_len(points);
	struct cli_table t;
	int rc;

	put_clean(out, metric != NULL && *metric != '\0' ? metric : "-");
	fprintf(out, ": %zu point%s, resolution ", n, n == 1 ? "" : "s");
	put_clean(out, res != NULL && *res != '\0' ? res : "-");
	if (unit != NULL && *unit != '\0') {
		fputs(", unit ", out);
		put_clean(out, unit);
	}
	fputc('\n', out);
	if (n == 0) {
		fputs("no points\n", out);
		return ferror(out) ? -EIO : 0;
	}
	/* The numbers are right-aligned so the decimal points line up. */
	if ((rc = cli_table_init(&t, 4, hdr, 1u << 1 | 1u << 2 | 1u << 3)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = history_row(&t, json_object_array_get_idx(points, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}
