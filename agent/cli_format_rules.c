/*
 * cli_format_rules: text rendering of the rules engine's answers for the
 * hwhealth CLI: "explain" (the node's findings and why), "rules" (a table,
 * or each rule in full), "history" (a metric's samples) and the evidence
 * of a finding.
 *
 * Pure functions of a json-c object (docs/PROTOCOL.md), like the rest of
 * cli_format (see cli_format.h for the contract of each function); they
 * use the table and number helpers of cli_format.c through
 * cli_format_internal.h.  The findings table is printed row by row rather
 * than with cli_table_print(), so that each finding's message and evidence
 * sit under its row.
 *
 * To add a column, extend the header array and the row builder of its
 * table; to add a key to a rule's details, a detail_line() in
 * rule_details().
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "cli_format.h"
#include "cli_format_internal.h"

/* Indentation of a finding's message and evidence under its row. */
#define NOTE_INDENT "  "
/* Width of the keys of a rule's details ("description: "). */
#define DETAIL_KEY_WIDTH 13

/* ---- explain -------------------------------------------------------------- */

/* An evidence number: three decimals, or three significant digits below 1. */
static void evidence_number(char *buf, size_t len, double v)
{
	if (isfinite(v) && v != 0 && fabs(v) < 1)
		snprintf(buf, len, "%.3g", v);
	else
		cli_trim_number(buf, len, v);
}

/* One evidence value; eta (seconds, null for "never") as a duration, rounded as in messages. */
static void evidence_value(char *buf, size_t len, const char *key, json_object *v)
{
	int eta = strcmp(key, "eta") == 0;

	if (eta && v == NULL)
		snprintf(buf, len, "never");
	else if (eta && cli_is_number(v))
		cli_fmt_duration(buf, len, round(json_object_get_double(v)), 0);
	else if (cli_is_number(v))
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
	json_object *node = cli_member(explain, "node");
	json_object *score = cli_member(node, "score"), *since = cli_member(node, "since");
	char buf[CLI_FMT_LEN];

	fputs("node: ", out);
	cli_put_clean(out, cli_node_state(explain));
	if (cli_is_number(score))
		fprintf(out, " (score %s)", cli_fmt_num(buf, sizeof(buf), score));
	if (strcmp(cli_fmt_time(buf, sizeof(buf), since), "-") != 0)
		fprintf(out, " since %s", buf);
	fputc('\n', out);
}

static int explain_row(struct cli_table *t, json_object *f)
{
	char score[CLI_FMT_LEN], since[CLI_FMT_LEN];
	const char *cells[5];

	cells[0] = cli_member_str(f, "severity");
	cells[1] = cli_fmt_num(score, sizeof(score), cli_member(f, "score"));
	cells[2] = cli_fmt_time(since, sizeof(since), cli_member(f, "since"));
	cells[3] = cli_member_str(f, "rule");
	cells[4] = cli_member_str(f, "target");
	return cli_table_add(t, cells);
}

/* The lines under a finding's row: its message, then its evidence. */
static void explain_notes(FILE *out, json_object *f)
{
	const char *kind = cli_member_str(f, "kind"), *state = cli_member_str(f, "state");
	const char *msg = cli_member_str(f, "message");
	char ev[CLI_EVIDENCE_LEN];

	fputs(NOTE_INDENT, out);
	if (kind != NULL && strcmp(kind, "error") == 0)
		fputs("evaluation error: ", out);
	else if (state != NULL && strcmp(state, "clearing") == 0)
		fputs("clearing: ", out);
	cli_put_clean(out, msg != NULL && *msg != '\0' ? msg : "-");
	fputc('\n', out);
	if (strcmp(cli_fmt_evidence(ev, sizeof(ev), cli_member(f, "evidence")), "-") != 0) {
		fputs(NOTE_INDENT, out);
		cli_put_clean(out, ev);
		fputc('\n', out);
	}
}

/* The findings table, each row followed by its notes; or "no findings". */
static int explain_findings(FILE *out, json_object *list)
{
	static const char *const hdr[] = {"SEVERITY", "SCORE", "SINCE", "RULE", "TARGET"};
	size_t width[CLI_TABLE_MAX_COLS];
	size_t i, n = cli_array_len(list);
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
		cli_table_widths(&t, width);
		cli_table_line(&t, out, t.headers, width);
		for (i = 0; i < t.nrows; i++) {
			cli_table_line(&t, out, cli_table_row(&t, i), width);
			explain_notes(out, json_object_array_get_idx(list, i));
		}
	}
	cli_table_free(&t);
	return rc;
}

/* "thresholds: yellow 10, red 50, critical 100; recovery after 5m00s". */
static void explain_footer(FILE *out, json_object *explain)
{
	json_object *th = cli_member(cli_member(explain, "node"), "thresholds");
	json_object *rec = cli_member(th, "recover_after_s");
	json_object *errors = cli_member(explain, "evaluation_errors");
	char y[CLI_FMT_LEN], r[CLI_FMT_LEN], c[CLI_FMT_LEN], after[CLI_FMT_LEN] = "-";

	if (json_object_is_type(th, json_type_object)) {
		if (cli_is_number(rec))
			cli_fmt_duration(after, sizeof(after), round(json_object_get_double(rec)),
					 0);
		fprintf(out, "\nthresholds: yellow %s, red %s, critical %s; recovery after %s\n",
			cli_fmt_num(y, sizeof(y), cli_member(th, "yellow")),
			cli_fmt_num(r, sizeof(r), cli_member(th, "red")),
			cli_fmt_num(c, sizeof(c), cli_member(th, "critical")), after);
	}
	if (cli_is_number(errors) && json_object_get_double(errors) > 0)
		fprintf(out, "evaluation errors so far: %s\n", cli_fmt_int(y, sizeof(y), errors));
}

int cli_print_explain(FILE *out, json_object *explain)
{
	json_object *node = cli_member(explain, "node");
	json_object *liveness = cli_member(node, "liveness");
	const char *why = cli_member_str(node, "why");
	int rc;

	explain_node_line(out, explain);
	if (why != NULL) {
		fputs("  ", out);
		cli_put_clean(out, why);
		fputc('\n', out);
	}
	fputc('\n', out);
	if ((rc = explain_findings(out, cli_member(explain, "findings"))) < 0)
		return rc;
	if (cli_array_len(liveness) > 0) {
		fputs("\nliveness:\n", out);
		cli_print_indented(out, liveness);
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

	cells[0] = cli_member_str(r, "name");
	cells[1] = cli_member_str(r, "severity");
	cells[2] = cli_fmt_num(score, sizeof(score), cli_member(r, "score"));
	cells[3] = is_false(cli_member(r, "enabled"))
		       ? "off"
		       : cli_fmt_int(bound, sizeof(bound), cli_member(r, "bound"));
	cells[4] = cli_member_str(r, "file");
	cells[5] = cli_member_str(r, "description");
	return cli_table_add(t, cells);
}

int cli_print_rules(FILE *out, json_object *rules)
{
	static const char *const hdr[] = {
	    "NAME", "SEVERITY", "SCORE", "BOUND", "FILE", "DESCRIPTION",
	};
	json_object *list = cli_member(rules, "rules");
	size_t i, n = cli_array_len(list);
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
	cli_put_clean(out, value != NULL && *value != '\0' ? value : "-");
	fputc('\n', out);
}

static void rule_targets(FILE *out, json_object *r)
{
	json_object *targets = cli_member(r, "targets"), *bound = cli_member(r, "bound");
	size_t n = cli_array_len(targets);
	int64_t more;

	if (n == 0) {
		detail_line(out, "targets:", "none");
		return;
	}
	fputs("targets:\n", out);
	cli_print_indented(out, targets);
	/* Only the first ones are listed when all rules are asked for. */
	more = cli_is_number(bound) ? json_object_get_int64(bound) - (int64_t)n : 0;
	if (more > 0)
		fprintf(out, "  ... and %" PRId64 " more\n", more);
}

static void rule_details(FILE *out, json_object *r)
{
	json_object *enabled = cli_member(r, "enabled");
	char buf[CLI_FMT_LEN];

	detail_line(out, "name:", cli_member_str(r, "name"));
	detail_line(out, "file:", cli_member_str(r, "file"));
	detail_line(out, "description:", cli_member_str(r, "description"));
	detail_line(out, "severity:", cli_member_str(r, "severity"));
	detail_line(out, "score:", cli_fmt_num(buf, sizeof(buf), cli_member(r, "score")));
	detail_line(out, "enabled:",
		    !json_object_is_type(enabled, json_type_boolean) ? NULL
		    : json_object_get_boolean(enabled)		     ? "yes"
								     : "no");
	detail_line(out, "matches:", cli_member_str(r, "matches"));
	detail_line(out, "bound:", cli_fmt_int(buf, sizeof(buf), cli_member(r, "bound")));
	rule_targets(out, r);
}

int cli_print_rule_details(FILE *out, json_object *rules)
{
	json_object *list = cli_member(rules, "rules");
	size_t i, n = cli_array_len(list);

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

	cells[0] = cli_fmt_time(when, sizeof(when), cli_member(p, "time"));
	cells[1] = cli_fmt_value(v, sizeof(v), NULL, cli_member(p, "value"));
	cells[2] = cli_fmt_value(lo, sizeof(lo), NULL, cli_member(p, "min"));
	cells[3] = cli_fmt_value(hi, sizeof(hi), NULL, cli_member(p, "max"));
	return cli_table_add(t, cells);
}

int cli_print_history(FILE *out, json_object *history)
{
	static const char *const hdr[] = {"TIME", "VALUE", "MIN", "MAX"};
	json_object *points = cli_member(history, "points");
	const char *metric = cli_member_str(history, "metric");
	const char *res = cli_member_str(history, "resolution");
	const char *unit = cli_member_str(history, "unit");
	size_t i, n = cli_array_len(points);
	struct cli_table t;
	int rc;

	cli_put_clean(out, metric != NULL && *metric != '\0' ? metric : "-");
	fprintf(out, ": %zu point%s, resolution ", n, n == 1 ? "" : "s");
	cli_put_clean(out, res != NULL && *res != '\0' ? res : "-");
	if (unit != NULL && *unit != '\0') {
		fputs(", unit ", out);
		cli_put_clean(out, unit);
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
