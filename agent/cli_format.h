/*
 * cli_format: text rendering of hwhealthd's answers for the hwhealth CLI.
 *
 * Pure functions from the json-c objects of docs/PROTOCOL.md to a FILE* or a
 * caller's buffer, with no I/O of their own, so the unit tests can feed them
 * canned results.  A missing or mistyped field never fails a rendering: it
 * shows as "-", because a partial table is more use to an operator than none.
 * Strings from the daemon are printed with control characters replaced by
 * '?', so a sensor label cannot drive the terminal.
 *
 * To add a column, add it to the header array and the row builder of its
 * table in cli_format.c (cli_format_rules.c for explain, rules and
 * history); widths are computed from the cells.
 */
#ifndef HWH_CLI_FORMAT_H
#define HWH_CLI_FORMAT_H

#include <stdio.h>
#include <stddef.h>

#include <json-c/json.h>

/* Size of the buffers the cli_fmt_* helpers expect. */
#define CLI_FMT_LEN 64
#define CLI_LIMITS_LEN 256

/* Exit codes, the Nagios/Icinga plugin convention. */
enum cli_exit {
	CLI_EXIT_OK = 0,       /* success, node green */
	CLI_EXIT_WARNING = 1,  /* node yellow, or a command failed */
	CLI_EXIT_CRITICAL = 2, /* node red or critical */
	CLI_EXIT_UNKNOWN = 3   /* state unknown: daemon unreachable or garbled */
};

/* A text table: cells are copied in, widths computed when printed. */
struct cli_table {
	size_t ncols;		    /* number of columns, at most 32 */
	const char *const *headers; /* ncols column titles, not owned */
	unsigned right;		    /* bit i set: column i is right-aligned */
	char **cells;		    /* nrows * ncols sanitized copies, owned */
	size_t nrows;		    /* rows added so far */
	size_t cap;		    /* rows allocated */
};

/* Prepares an empty table.  Returns 0, or -EINVAL for 0 or > 32 columns. */
int cli_table_init(struct cli_table *t, size_t ncols, const char *const *headers, unsigned right);
/* Appends a row of ncols cells (NULL prints as "-").  Returns 0 or -ENOMEM. */
int cli_table_add(struct cli_table *t, const char *const *cells);
/*
 * Prints the header and the rows, each column as wide as its widest cell
 * (counted in UTF-8 characters), two spaces apart, no trailing blanks.
 * Returns 0, or -EIO when the stream reports an error.
 */
int cli_table_print(const struct cli_table *t, FILE *out);
/* Frees the cells; the table may be initialised again. */
void cli_table_free(struct cli_table *t);

/*
 * Formats a metric value by kind: temperature, humidity, percent "%.1f";
 * voltage, current "%.3f"; power, energy "%.2f"; fan, counter, intrusion,
 * state "%.0f"; anything else up to three decimals without trailing zeros.
 * A null or non-numeric value gives "-".  Returns buf.
 */
const char *cli_fmt_value(char *buf, size_t len, const char *kind, json_object *value);
/*
 * Formats a limits object as "min=10 max=80 crit=100": only the limits
 * present, in the order lemerg, lcrit, min, max, crit, emerg, numbers with
 * up to three decimals.  "-" when there are none.  Returns buf.
 */
const char *cli_fmt_limits(char *buf, size_t len, json_object *limits);
/*
 * Formats an age in seconds: "1.2s" under a minute, then "3m05s", "2h05m",
 * "4d03h".  Negative ages (a clock step) show as "0.0s"; non-numbers as "-".
 * Returns buf.
 */
const char *cli_fmt_age(char *buf, size_t len, json_object *seconds);
/* Formats a poll duration in ms: "0.84ms", "12.5ms", "1.50s"; "-".  Returns buf. */
const char *cli_fmt_ms(char *buf, size_t len, json_object *ms);

/* The node state of a status result: "green"..., or "unknown" if absent. */
const char *cli_node_state(json_object *status);
/* Exit code for a node state: green 0, yellow 1, red/critical 2, else 3. */
int cli_state_exit(const char *state);

/*
 * Prints a status result: "node: STATE (score N)" (the score when the
 * daemon gives one), one indented line per reason, "policy: " and
 * cli_fmt_policy() when the result has a "policy" object, the source table
 * and "hwhealthd VERSION, pid N, up DURATION".  Returns 0, -ENOMEM or -EIO.
 */
int cli_print_status(FILE *out, json_object *status);
/*
 * Prints a sensors result as the table METRIC LABEL VALUE UNIT LIMITS
 * STATUS AGE, or "no metrics".  Returns 0, -ENOMEM or -EIO.
 */
int cli_print_sensors(FILE *out, json_object *sensors);
/*
 * Prints a "devices" result of the smart plugin (cli_format_smart.c): one
 * line per drive (model, health, temperature, hours, power mode, bad-media
 * counts, worst finding).  Returns 0, -ENOMEM or -EIO.
 */
int cli_print_drives(FILE *out, json_object *result);
/*
 * Prints the first drive of a "devices" result in detail: identity, ATA
 * attributes (value, raw, change over 1 h and 24 h, status, note), the
 * other metrics likewise, and the findings on it.  Returns 0, -ENOMEM or
 * -EIO.
 */
int cli_print_drive(FILE *out, json_object *result);

/* Local time of seconds since the epoch ("2026-11-21 22:16:04"), or "-". */
const char *cli_fmt_time(char *buf, size_t len, json_object *seconds);
/* Print an "events" result as a table (TIME SOURCE DEVICE SEVERITY TYPE
 * TEXT), or "no events".  0, or -ENOMEM / -EIO. */
int cli_print_events(FILE *out, json_object *events);

/* Size of the buffer cli_fmt_evidence() expects. */
#define CLI_EVIDENCE_LEN 512

/*
 * Formats a finding's evidence object as "value=83.2 crit=95 slope=0.012
 * eta=16m40s": every member in the daemon's order, numbers with up to three
 * decimals (three significant digits below 1, so a slope per second keeps
 * its digits), "eta" as a duration ("never" when null), other nulls "-".
 * Members that do not fit are left out whole.  "-" when there are none.
 * Returns buf.
 */
const char *cli_fmt_evidence(char *buf, size_t len, json_object *evidence);

/*
 * Prints an "explain" result: "node: STATE (score N) since TIME", the why
 * sentence, the findings table SEVERITY SCORE SINCE RULE TARGET with each
 * finding's message and evidence indented under its row (or "no
 * findings"), the liveness reasons, and the thresholds.
 * Returns 0, -ENOMEM or -EIO.
 */
int cli_print_explain(FILE *out, json_object *explain);
/*
 * Prints a "rules" result as the table NAME SEVERITY SCORE BOUND FILE
 * DESCRIPTION (BOUND "off" for a disabled rule), or "no rules".
 * Returns 0, -ENOMEM or -EIO.
 */
int cli_print_rules(FILE *out, json_object *rules);
/*
 * Prints each rule of a "rules" result in full, one "key: value" per line
 * and every target it is bound to, rules a blank line apart, or "no rules".
 * Returns 0 or -EIO.
 */
int cli_print_rule_details(FILE *out, json_object *rules);
/*
 * Prints a "history" result: "METRIC: N points, resolution R, unit U",
 * then the table TIME VALUE MIN MAX, or "no points".
 * Returns 0, -ENOMEM or -EIO.
 */
int cli_print_history(FILE *out, json_object *history);

/* ---- policy and actions (cli_format_actions.c) ---- */

/* Node states by rank, for check --fail-on. */
enum cli_rank {
	CLI_RANK_GREEN = 0,   /* healthy */
	CLI_RANK_YELLOW = 1,  /* degraded */
	CLI_RANK_RED = 2,     /* failing: the policy drains */
	CLI_RANK_CRITICAL = 3 /* failing now: the policy may fence */
};

/* Size of the buffers of cli_fmt_policy() and cli_check_verdict(). */
#define CLI_LINE_LEN 1024
/* A DETAIL cell of "actions" longer than this many characters is cut ("..."). */
#define CLI_DETAIL_MAX 80

/* The rank of a node state word (enum cli_rank), or -1 for anything else. */
int cli_state_rank(const char *state);
/*
 * Formats a "policy" object (PROTOCOL.md, actions) as one line: the posture
 * ("normal", "notified", "drained by hwhealth since TIME", "fenced") then,
 * in parentheses, the effective state when it is not node_state (always
 * when node_state is NULL), "dry-run" and "silenced" when set.  Missing
 * members are left out; "-" for no object.  Control characters are '?'.
 * Returns buf.
 */
const char *cli_fmt_policy(char *buf, size_t len, json_object *policy, const char *node_state);
/*
 * check's verdict on a "status" result: writes "hwhealth: STATE" plus
 * ": REASON; REASON" when the node has reasons, one line (control
 * characters '?', cut with "..." to fit len), into buf.  Returns 0 when the
 * state ranks below fail_on (enum cli_rank), 1 at or above it, and
 * CLI_EXIT_UNKNOWN with "hwhealth: hwhealthd gave no node state" when the
 * result has no known state.
 */
int cli_check_verdict(json_object *status, int fail_on, char *buf, size_t len);
/*
 * Prints an "actions" result: the policy header (posture, fencing, drain
 * budget, next step, one line per actuator), then the table ID TIME ACTION
 * ACTUATOR TRIGGER RESULT DURATION DETAIL, oldest first (DETAIL cut at
 * CLI_DETAIL_MAX characters), or "no actions".  Returns 0, -ENOMEM or -EIO.
 */
int cli_print_actions(FILE *out, json_object *result);
/* The same, each row followed by the action's reason, state, evidence,
 * timing, full detail and the tools' output, indented. */
int cli_print_actions_verbose(FILE *out, json_object *result);
/*
 * Prints a "silences" result as the table ID TARGET MATCHING REMAINING USER
 * REASON, or "no silences".  Returns 0, -ENOMEM or -EIO.
 */
int cli_print_silences(FILE *out, json_object *result);
/*
 * Prints the answer to "silence": "silence ID: TARGET until TIME (matching
 * N findings now)".  Returns 0 or -EIO.
 */
int cli_print_silence(FILE *out, json_object *result);

#endif /* HWH_CLI_FORMAT_H */
