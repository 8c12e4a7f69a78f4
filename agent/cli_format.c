/*
 * cli_format: text rendering of hwhealthd's answers for the hwhealth CLI.
 *
 * Everything here is a pure function of a json-c object (docs/PROTOCOL.md)
 * and writes only to the FILE* or buffer it is given; see cli_format.h for
 * the contract of each function.  Tables are built in two passes: cells are
 * collected first, then each column is padded to its widest cell, so a long
 * label widens its column instead of breaking the alignment.
 *
 * The printers of the rules engine's commands (explain, rules, history)
 * are in cli_format_rules.c; the helpers both files use are declared in
 * cli_format_internal.h.
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
#include "cli_format_internal.h"

#define TABLE_GAP "  "
/* Beyond this a fixed-point rendering is unreadable: fall back to %g. */
#define FMT_FIXED_MAX 1e15
/* Durations are clamped here (about 31700 years) before integer maths. */
#define DURATION_MAX_SEC 1e12
/* Times beyond this many seconds from the epoch show as "-". */
#define TIME_MAX_SEC 1e13

/* Decimals shown for each metric kind; kinds not listed get cli_trim_number(). */
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

int cli_is_number(json_object *o)
{
	return json_object_is_type(o, json_type_double) || json_object_is_type(o, json_type_int);
}

/* The string member key of obj, or NULL when absent or not a string. */
const char *cli_member_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* The member key of obj, or NULL. */
json_object *cli_member(json_object *obj, const char *key)
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
void cli_put_clean(FILE *out, const char *s)
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
	if (ncols == 0 || ncols > CLI_TABLE_MAX_COLS)
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
void cli_table_line(const struct cli_table *t, FILE *out, const char *const *cells,
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
void cli_table_widths(const struct cli_table *t, size_t *width)
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
const char *const *cli_table_row(const struct cli_table *t, size_t r)
{
	return (const char *const *)t->cells + r * t->ncols;
}

int cli_table_print(const struct cli_table *t, FILE *out)
{
	size_t width[CLI_TABLE_MAX_COLS];
	size_t r;

	cli_table_widths(t, width);
	cli_table_line(t, out, t->headers, width);
	for (r = 0; r < t->nrows; r++)
		cli_table_line(t, out, cli_table_row(t, r), width);
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
void cli_trim_number(char *buf, size_t len, double v)
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
	} else if (cli_is_number(value)) {
		v = json_object_get_double(value);
		if (dec < 0)
			cli_trim_number(buf, len, v);
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
		v = cli_member(limits, limit_names[i]);
		if (!cli_is_number(v))
			continue;
		cli_trim_number(num, sizeof(num), json_object_get_double(v));
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
void cli_fmt_duration(char *buf, size_t len, double s, int decimals)
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
	if (cli_is_number(seconds))
		cli_fmt_duration(buf, len, json_object_get_double(seconds), 1);
	else
		snprintf(buf, len, "-");
	return buf;
}

const char *cli_fmt_ms(char *buf, size_t len, json_object *ms)
{
	double v;

	if (!cli_is_number(ms)) {
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
	const char *state = cli_member_str(cli_member(status, "node"), "state");

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
const char *cli_fmt_num(char *buf, size_t len, json_object *v)
{
	if (cli_is_number(v))
		cli_trim_number(buf, len, json_object_get_double(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

/* Length of v if it is an array, else 0. */
size_t cli_array_len(json_object *v)
{
	return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
}

/* Each string of the array on its own line, indented by two spaces. */
void cli_print_indented(FILE *out, json_object *lines)
{
	size_t i, n = cli_array_len(lines);
	const char *line;

	for (i = 0; i < n; i++) {
		line = json_object_get_string(json_object_array_get_idx(lines, i));
		fputs("  ", out);
		cli_put_clean(out, line ? line : "-");
		fputc('\n', out);
	}
}

/* An integer member as text, "-" when absent. */
const char *cli_fmt_int(char *buf, size_t len, json_object *v)
{
	if (cli_is_number(v))
		snprintf(buf, len, "%" PRId64, json_object_get_int64(v));
	else
		snprintf(buf, len, "-");
	return buf;
}

static int status_source_row(struct cli_table *t, json_object *src)
{
	char age[CLI_FMT_LEN], poll[CLI_FMT_LEN + 8];
	char ms[CLI_FMT_LEN], n[CLI_FMT_LEN];
	json_object *age_s = cli_member(src, "last_poll_age_s");
	const char *cells[7];

	if (cli_is_number(age_s))
		snprintf(poll, sizeof(poll), "%s ago", cli_fmt_age(age, sizeof(age), age_s));
	else
		snprintf(poll, sizeof(poll), "never");
	cells[0] = cli_member_str(src, "name");
	cells[1] = cli_member_str(src, "plugin");
	cells[2] = cli_member_str(src, "status");
	cells[3] = poll;
	cells[4] = cli_fmt_ms(ms, sizeof(ms), cli_member(src, "poll_ms"));
	cells[5] = cli_fmt_int(n, sizeof(n), cli_member(src, "metrics"));
	cells[6] = cli_member_str(src, "error");
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

/* The services (SNMP subagent...), when the daemon runs any. */
static int status_services(FILE *out, json_object *svcs)
{
	static const char *const hdr[] = {"SERVICE", "PLUGIN", "STATE", "STATUS"};
	struct cli_table t;
	size_t n = cli_array_len(svcs);
	int rc;

	if (n == 0)
		return 0;
	if ((rc = cli_table_init(&t, 4, hdr, 0)) < 0)
		return rc;
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_object *sv = json_object_array_get_idx(svcs, i);
		json_object *ok = cli_member(sv, "ok");
		const char *state = cli_member_str(sv, "state");
		const char *cells[4];

		cells[0] = cli_member_str(sv, "name");
		cells[1] = cli_member_str(sv, "plugin");
		/* "running" says the thread runs; ok false says it does not work. */
		cells[2] =
		    json_object_is_type(ok, json_type_boolean) && !json_object_get_boolean(ok)
			? "failing"
			: state;
		cells[3] = cli_member_str(sv, "status");
		rc = cli_table_add(&t, cells);
	}
	if (rc == 0) {
		fputc('\n', out);
		rc = cli_table_print(&t, out);
	}
	cli_table_free(&t);
	return rc;
}

static void status_footer(FILE *out, json_object *status)
{
	const char *version = cli_member_str(status, "version");
	json_object *up = cli_member(status, "uptime_s");
	char pid[CLI_FMT_LEN], uptime[CLI_FMT_LEN] = "-";

	if (cli_is_number(up))
		cli_fmt_duration(uptime, sizeof(uptime), json_object_get_double(up), 0);
	fputs("hwhealthd ", out);
	cli_put_clean(out, version ? version : "-");
	fprintf(out, ", pid %s, up %s\n", cli_fmt_int(pid, sizeof(pid), cli_member(status, "pid")),
		uptime);
}

int cli_print_status(FILE *out, json_object *status)
{
	json_object *node = cli_member(status, "node");
	json_object *score = cli_member(node, "score");
	char num[CLI_FMT_LEN], line[CLI_LINE_LEN];
	int rc;

	fputs("node: ", out);
	cli_put_clean(out, cli_node_state(status));
	if (cli_is_number(score))
		fprintf(out, " (score %s)", cli_fmt_num(num, sizeof(num), score));
	fputc('\n', out);
	cli_print_indented(out, cli_member(node, "reasons"));
	if (json_object_is_type(cli_member(status, "policy"), json_type_object)) {
		fputs("policy: ", out);
		fputs(cli_fmt_policy(line, sizeof(line), cli_member(status, "policy"),
				     cli_node_state(status)),
		      out);
		fputc('\n', out);
	}
	fputc('\n', out);
	if ((rc = status_sources(out, cli_member(status, "sources"))) < 0)
		return rc;
	if ((rc = status_services(out, cli_member(status, "services"))) < 0)
		return rc;
	fputc('\n', out);
	status_footer(out, status);
	return ferror(out) ? -EIO : 0;
}

static int sensors_row(struct cli_table *t, json_object *m)
{
	char value[CLI_FMT_LEN], limits[CLI_LIMITS_LEN], age[CLI_FMT_LEN];
	const char *kind = cli_member_str(m, "kind");
	const char *text = cli_member_str(m, "text");
	json_object *v = cli_member(m, "value");
	const char *cells[7];

	cells[0] = cli_member_str(m, "id");
	cells[1] = cli_member_str(m, "label");
	/* A discrete state reads better as its text ("degraded") than as 2. */
	if (text != NULL && (!cli_is_number(v) || (kind && !strcmp(kind, "state"))))
		cells[2] = text;
	else
		cells[2] = cli_fmt_value(value, sizeof(value), kind, v);
	cells[3] = cli_member_str(m, "unit");
	cells[4] = cli_fmt_limits(limits, sizeof(limits), cli_member(m, "limits"));
	cells[5] = cli_member_str(m, "status");
	cells[6] = cli_fmt_age(age, sizeof(age), cli_member(m, "age_s"));
	return cli_table_add(t, cells);
}

int cli_print_sensors(FILE *out, json_object *sensors)
{
	static const char *const hdr[] = {
	    "METRIC", "LABEL", "VALUE", "UNIT", "LIMITS", "STATUS", "AGE",
	};
	json_object *metrics = cli_member(sensors, "metrics");
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

	if (!cli_is_number(seconds)) {
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

	cells[0] = cli_fmt_time(when, sizeof(when), cli_member(e, "time"));
	cells[1] = cli_member_str(e, "source");
	cells[2] = cli_member_str(e, "device");
	cells[3] = cli_member_str(e, "severity");
	cells[4] = cli_member_str(e, "type");
	cells[5] = cli_member_str(e, "text");
	return cli_table_add(t, cells);
}

int cli_print_events(FILE *out, json_object *events)
{
	static const char *const hdr[] = {
	    "TIME", "SOURCE", "DEVICE", "SEVERITY", "TYPE", "TEXT",
	};
	json_object *list = cli_member(events, "events");
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
