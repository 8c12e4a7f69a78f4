/*
 * cli_format_actions: text rendering of the policy's answers for the
 * hwhealth CLI: "actions" (the policy header and the actions the actuators
 * took), "silences", the policy line of "status", and the one line of
 * "check".
 *
 * Pure functions of a json-c object (docs/PROTOCOL.md), like the rest of
 * cli_format (see cli_format.h for the contract of each function): a
 * missing or mistyped member shows as "-" or is left out, never fails.
 * The actions table is printed row by row, as explain's findings are, so
 * that --verbose can put each action's evidence and output under its row.
 *
 * To add a column, extend the header array and the row builder of its
 * table; to add a line under a verbose row, a line in action_notes().
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_format.h"
#include "cli_format_internal.h"

/* Indentation of an action's notes, and of the lines of a list in them. */
#define NOTE_INDENT "  "
#define LIST_INDENT "    "
/* Room for an actuator's line in the header. */
#define ACTUATOR_LINE_LEN 256

/* ---- a line built in a buffer ------------------------------------------- */

/* Text appended to buf, cut with "..." when it does not fit. */
struct line {
	char *buf;
	size_t len; /* size of buf, at least 4 */
	size_t off; /* bytes used, not counting the NUL */
	bool cut;   /* something did not fit: buf ends with "..." */
};

static void line_init(struct line *l, char *buf, size_t len)
{
	l->buf = buf;
	l->len = len;
	l->off = 0;
	l->cut = len < 5; /* no room for a character and "..." */
	if (len > 0)
		buf[0] = '\0';
}

/*
 * Appends s, control characters as '?'.  Room for "..." is always kept, so
 * the first byte that does not fit ends the line with it, on a UTF-8
 * character boundary; later appends are ignored.
 */
static void line_put(struct line *l, const char *s)
{
	for (; !l->cut && *s != '\0'; s++) {
		if (l->off + 5 > l->len) {
			if (((unsigned char)*s & 0xc0) == 0x80) { /* inside a character */
				while (l->off > 0 &&
				       ((unsigned char)l->buf[l->off - 1] & 0xc0) == 0x80)
					l->off--;
				if (l->off > 0)
					l->off--;
			}
			memcpy(l->buf + l->off, "...", 4);
			l->off += 3;
			l->cut = true;
			return;
		}
		l->buf[l->off++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
		l->buf[l->off] = '\0';
	}
}

/* ---- policy line and check ---------------------------------------------- */

int cli_state_rank(const char *state)
{
	static const char *const names[] = {"green", "yellow", "red", "critical"};

	for (int i = 0; state != NULL && i < (int)(sizeof(names) / sizeof(names[0])); i++)
		if (strcmp(state, names[i]) == 0)
			return i;
	return -1;
}

/* True only for a boolean true. */
static bool is_true(json_object *v)
{
	return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* Adds ", what" to the parenthesis of l (opening it the first time). */
static void paren_add(struct line *l, bool *open, const char *what)
{
	line_put(l, *open ? ", " : " (");
	line_put(l, what);
	*open = true;
}

const char *cli_fmt_policy(char *buf, size_t len, json_object *policy, const char *node_state)
{
	const char *posture = cli_member_str(policy, "posture");
	const char *eff = cli_member_str(policy, "effective_state");
	char since[CLI_FMT_LEN];
	struct line l;
	bool open = false;

	line_init(&l, buf, len);
	if (!json_object_is_type(policy, json_type_object)) {
		line_put(&l, "-");
		return buf;
	}
	if (posture != NULL && strcmp(posture, "drained") == 0) {
		line_put(&l, "drained by hwhealth");
		if (strcmp(cli_fmt_time(since, sizeof(since), cli_member(policy, "drained_since")),
			   "-") != 0) {
			line_put(&l, " since ");
			line_put(&l, since);
		}
	} else {
		line_put(&l, posture != NULL && *posture != '\0' ? posture : "-");
	}
	if (eff != NULL && (node_state == NULL || strcmp(eff, node_state) != 0)) {
		paren_add(&l, &open, "effective state ");
		line_put(&l, eff);
	}
	if (is_true(cli_member(policy, "dry_run")))
		paren_add(&l, &open, "dry-run");
	if (is_true(cli_member(policy, "silenced")))
		paren_add(&l, &open, "silenced");
	if (open)
		line_put(&l, ")");
	return buf;
}

int cli_check_verdict(json_object *status, int fail_on, char *buf, size_t len)
{
	const char *state = cli_node_state(status);
	json_object *reasons = cli_member(cli_member(status, "node"), "reasons");
	int rank = cli_state_rank(state);
	struct line l;
	size_t i;

	line_init(&l, buf, len);
	if (rank < 0) {
		line_put(&l, "hwhealth: hwhealthd gave no node state");
		return CLI_EXIT_UNKNOWN;
	}
	line_put(&l, "hwhealth: ");
	line_put(&l, state);
	for (i = 0; i < cli_array_len(reasons); i++) {
		const char *r = json_object_get_string(json_object_array_get_idx(reasons, i));
		line_put(&l, i == 0 ? ": " : "; ");
		line_put(&l, r != NULL ? r : "-");
	}
	return rank >= fail_on ? 1 : 0;
}

/* ---- actions: the policy header ----------------------------------------- */

/* "budget: max unhealthy 1; last check TIME: TEXT", or "not checked yet". */
static void budget_line(FILE *out, json_object *budget)
{
	const char *max = cli_member_str(budget, "max_unhealthy");
	const char *last = cli_member_str(budget, "last");
	char when[CLI_FMT_LEN];

	fputs("budget: max unhealthy ", out);
	cli_put_clean(out, max != NULL ? max : "-");
	cli_fmt_time(when, sizeof(when), cli_member(budget, "checked"));
	if (last == NULL) {
		fputs("; not checked yet\n", out);
		return;
	}
	fprintf(out, "; last check %s: ", when);
	cli_put_clean(out, last);
	fputc('\n', out);
}

/* "actuator NAME: plugin P, on notify drain[, busy][, N queued]". */
static void actuator_line(FILE *out, json_object *a)
{
	json_object *on = cli_member(a, "on"), *queued = cli_member(a, "queued");
	const char *name = cli_member_str(a, "name"), *plugin = cli_member_str(a, "plugin");
	char buf[ACTUATOR_LINE_LEN], n[CLI_FMT_LEN];
	struct line l;

	line_init(&l, buf, sizeof(buf));
	line_put(&l, "actuator ");
	line_put(&l, name != NULL ? name : "-");
	line_put(&l, ": plugin ");
	line_put(&l, plugin != NULL ? plugin : "-");
	line_put(&l, ", on");
	for (size_t i = 0; i < cli_array_len(on); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(on, i));
		line_put(&l, " ");
		line_put(&l, w != NULL ? w : "-");
	}
	if (cli_array_len(on) == 0)
		line_put(&l, " -");
	if (is_true(cli_member(a, "busy")))
		line_put(&l, ", busy");
	if (cli_is_number(queued) && json_object_get_double(queued) > 0) {
		line_put(&l, ", ");
		line_put(&l, cli_fmt_int(n, sizeof(n), queued));
		line_put(&l, " queued");
	}
	fputs(buf, out);
	fputc('\n', out);
}

/* The lines above the actions table. */
static void policy_header(FILE *out, json_object *result)
{
	json_object *policy = cli_member(result, "policy");
	json_object *actuators = cli_member(result, "actuators");
	const char *next = cli_member_str(policy, "next");
	char line[CLI_LINE_LEN];

	fprintf(out, "policy: %s\n", cli_fmt_policy(line, sizeof(line), policy, NULL));
	if (json_object_is_type(policy, json_type_object)) {
		fprintf(out, "fencing: %s; fenced before this boot: %s\n",
			is_true(cli_member(policy, "fencing")) ? "enabled" : "disabled",
			is_true(cli_member(policy, "fenced_boot")) ? "yes" : "no");
		budget_line(out, cli_member(policy, "budget"));
		fputs("next: ", out);
		cli_put_clean(out, next != NULL ? next : "nothing planned");
		fputc('\n', out);
	}
	if (cli_array_len(actuators) == 0)
		fputs("actuators: none\n", out);
	for (size_t i = 0; i < cli_array_len(actuators); i++)
		actuator_line(out, json_object_array_get_idx(actuators, i));
}

/* ---- actions: the table ------------------------------------------------- */

/* "manual (root)", "manual", "auto", or "-". */
static const char *trigger_cell(char *buf, size_t len, json_object *a)
{
	const char *trigger = cli_member_str(a, "trigger"), *user = cli_member_str(a, "user");
	struct line l;

	line_init(&l, buf, len);
	line_put(&l, trigger != NULL ? trigger : "-");
	if (user != NULL && *user != '\0') {
		line_put(&l, " (");
		line_put(&l, user);
		line_put(&l, ")");
	}
	return buf;
}

/* "failed (attempt 2)", the attempt shown from the second one on. */
static const char *result_cell(char *buf, size_t len, json_object *a)
{
	const char *result = cli_member_str(a, "result");
	json_object *attempt = cli_member(a, "attempt");
	char n[CLI_FMT_LEN];
	struct line l;

	line_init(&l, buf, len);
	line_put(&l, result != NULL ? result : "-");
	if (cli_is_number(attempt) && json_object_get_double(attempt) >= 2) {
		line_put(&l, " (attempt ");
		line_put(&l, cli_fmt_int(n, sizeof(n), attempt));
		line_put(&l, ")");
	}
	return buf;
}

/* The detail, cut to CLI_DETAIL_MAX characters with "..."; sets *cut when it was. */
static const char *detail_cell(char *buf, size_t len, json_object *a, bool *cut)
{
	const char *d = cli_member_str(a, "detail");
	size_t chars = 0, keep = 0, i;

	*cut = false;
	if (d == NULL)
		return NULL;
	for (i = 0; d[i] != '\0' && !*cut; i++) {
		if (((unsigned char)d[i] & 0xc0) == 0x80)
			continue; /* counted with its first byte */
		if (chars == CLI_DETAIL_MAX - 3)
			keep = i;
		*cut = ++chars > CLI_DETAIL_MAX;
	}
	if (!*cut)
		return d;
	snprintf(buf, len, "%.*s...", (int)keep, d);
	return buf;
}

static int actions_row(struct cli_table *t, json_object *a, bool *cut)
{
	char id[CLI_FMT_LEN], when[CLI_FMT_LEN], trig[CLI_FMT_LEN * 2], res[CLI_FMT_LEN * 2];
	char dur[CLI_FMT_LEN], detail[CLI_DETAIL_MAX * 4 + 4];
	const char *cells[8];

	cells[0] = cli_fmt_int(id, sizeof(id), cli_member(a, "id"));
	cells[1] = cli_fmt_time(when, sizeof(when), cli_member(a, "requested"));
	cells[2] = cli_member_str(a, "action");
	cells[3] = cli_member_str(a, "actuator");
	cells[4] = trigger_cell(trig, sizeof(trig), a);
	cells[5] = result_cell(res, sizeof(res), a);
	cells[6] = cli_fmt_ms(dur, sizeof(dur), cli_member(a, "duration_ms"));
	cells[7] = detail_cell(detail, sizeof(detail), a, cut);
	return cli_table_add(t, cells);
}

/* "label: text" under a row, when text is a non-empty string. */
static void note(FILE *out, const char *label, const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	fprintf(out, NOTE_INDENT "%s: ", label);
	cli_put_clean(out, text);
	fputc('\n', out);
}

/* "state: red (was yellow), score 40", the parts present. */
static void state_note(FILE *out, json_object *a)
{
	const char *state = cli_member_str(a, "state"), *prev = cli_member_str(a, "previous_state");
	json_object *score = cli_member(a, "score");
	char num[CLI_FMT_LEN];

	if (state == NULL)
		return;
	fputs(NOTE_INDENT "state: ", out);
	cli_put_clean(out, state);
	if (prev != NULL) {
		fputs(" (was ", out);
		cli_put_clean(out, prev);
		fputc(')', out);
	}
	if (cli_is_number(score))
		fprintf(out, ", score %s", cli_fmt_num(num, sizeof(num), score));
	fputc('\n', out);
}

/* "started T, finished T, exit status N; next retry T", the parts present. */
static void timing_note(FILE *out, json_object *a)
{
	static const struct {
		const char *key, *label;
	} times[] = {
	    {"started", "started"}, {"finished", "finished"}, {"next_retry", "next retry"}};
	json_object *exit_status = cli_member(a, "exit_status");
	char buf[CLI_FMT_LEN];
	bool any = false;

	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		if (strcmp(cli_fmt_time(buf, sizeof(buf), cli_member(a, times[i].key)), "-") == 0)
			continue;
		fprintf(out, "%s%s %s", any ? ", " : NOTE_INDENT, times[i].label, buf);
		any = true;
	}
	if (cli_is_number(exit_status)) {
		fprintf(out, "%sexit status %s", any ? ", " : NOTE_INDENT,
			cli_fmt_int(buf, sizeof(buf), exit_status));
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* The tools' output, each line indented; a last line without '\n' too. */
static void output_note(FILE *out, const char *output)
{
	size_t n;

	if (output == NULL || *output == '\0')
		return;
	fputs(NOTE_INDENT "output:\n", out);
	for (const char *p = output; *p != '\0'; p += n + (p[n] == '\n')) {
		n = strcspn(p, "\n");
		fputs(LIST_INDENT, out);
		for (size_t i = 0; i < n; i++)
			fputc((unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], out);
		fputc('\n', out);
	}
}

/* The lines under a verbose row: reason, state, evidence, timing, detail, output. */
static void action_notes(FILE *out, json_object *a, bool detail_cut)
{
	json_object *evidence = cli_member(a, "evidence");

	note(out, "reason", cli_member_str(a, "reason"));
	state_note(out, a);
	if (cli_array_len(evidence) > 0) {
		fputs(NOTE_INDENT "evidence:\n", out);
		for (size_t i = 0; i < cli_array_len(evidence); i++) {
			const char *e =
			    json_object_get_string(json_object_array_get_idx(evidence, i));
			fputs(LIST_INDENT, out);
			cli_put_clean(out, e != NULL ? e : "-");
			fputc('\n', out);
		}
	}
	timing_note(out, a);
	if (detail_cut)
		note(out, "detail", cli_member_str(a, "detail"));
	output_note(out, cli_member_str(a, "output"));
}

static int print_actions(FILE *out, json_object *result, bool verbose)
{
	static const char *const hdr[] = {"ID",	     "TIME",   "ACTION",   "ACTUATOR",
					  "TRIGGER", "RESULT", "DURATION", "DETAIL"};
	json_object *list = cli_member(result, "actions");
	size_t width[CLI_TABLE_MAX_COLS], i, n = cli_array_len(list);
	bool *cut;
	struct cli_table t;
	int rc;

	policy_header(out, result);
	fputc('\n', out);
	if (n == 0) {
		fputs("no actions\n", out);
		return ferror(out) ? -EIO : 0;
	}
	if ((cut = calloc(n, sizeof(*cut))) == NULL)
		return -ENOMEM;
	/* ID and DURATION are right-aligned. */
	if ((rc = cli_table_init(&t, 8, hdr, 1u << 0 | 1u << 6)) < 0) {
		free(cut);
		return rc;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = actions_row(&t, json_object_array_get_idx(list, i), &cut[i]);
	if (rc == 0) {
		cli_table_widths(&t, width);
		cli_table_line(&t, out, t.headers, width);
		for (i = 0; i < t.nrows; i++) {
			cli_table_line(&t, out, cli_table_row(&t, i), width);
			if (verbose)
				action_notes(out, json_object_array_get_idx(list, i), cut[i]);
		}
		rc = ferror(out) ? -EIO : 0;
	}
	cli_table_free(&t);
	free(cut);
	return rc;
}

int cli_print_actions(FILE *out, json_object *result)
{
	return print_actions(out, result, false);
}

int cli_print_actions_verbose(FILE *out, json_object *result)
{
	return print_actions(out, result, true);
}

/* ---- silences ----------------------------------------------------------- */

static int silences_row(struct cli_table *t, json_object *s)
{
	char id[CLI_FMT_LEN], matching[CLI_FMT_LEN], left[CLI_FMT_LEN] = "-";
	json_object *remaining = cli_member(s, "remaining_s");
	const char *cells[6];

	if (cli_is_number(remaining))
		cli_fmt_duration(left, sizeof(left), round(json_object_get_double(remaining)), 0);
	cells[0] = cli_fmt_int(id, sizeof(id), cli_member(s, "id"));
	cells[1] = cli_member_str(s, "target");
	cells[2] = cli_fmt_int(matching, sizeof(matching), cli_member(s, "matching"));
	cells[3] = left;
	cells[4] = cli_member_str(s, "user");
	cells[5] = cli_member_str(s, "reason");
	return cli_table_add(t, cells);
}

int cli_print_silences(FILE *out, json_object *result)
{
	static const char *const hdr[] = {"ID",	       "TARGET", "MATCHING",
					  "REMAINING", "USER",	 "REASON"};
	json_object *list = cli_member(result, "silences");
	size_t i, n = cli_array_len(list);
	struct cli_table t;
	int rc;

	if (n == 0) {
		fputs("no silences\n", out);
		return ferror(out) ? -EIO : 0;
	}
	/* ID, MATCHING and REMAINING are right-aligned. */
	if ((rc = cli_table_init(&t, 6, hdr, 1u << 0 | 1u << 2 | 1u << 3)) < 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = silences_row(&t, json_object_array_get_idx(list, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

int cli_print_silence(FILE *out, json_object *result)
{
	json_object *s = cli_member(result, "silence");
	const char *target = cli_member_str(s, "target");
	char id[CLI_FMT_LEN], until[CLI_FMT_LEN], n[CLI_FMT_LEN];

	cli_fmt_int(id, sizeof(id), cli_member(s, "id"));
	cli_fmt_time(until, sizeof(until), cli_member(s, "expires"));
	cli_fmt_int(n, sizeof(n), cli_member(s, "matching"));
	fprintf(out, "silence %s: ", id);
	cli_put_clean(out, target != NULL ? target : "-");
	fprintf(out, " until %s (matching %s finding%s now)\n", until, n,
		strcmp(n, "1") != 0 ? "s" : "");
	return ferror(out) ? -EIO : 0;
}
