/*
 * cli_format_internal: the helpers cli_format.c shares with
 * cli_format_rules.c; internal to those two files, the public header is
 * cli_format.h.
 *
 *   cli_format.c        tables, value/limit/age/time formats, status,
 *                       sensors and events; defines everything below;
 *   cli_format_rules.c  the rules engine's commands: explain, rules,
 *                       history, and the evidence format.
 *
 * The helpers never fail: a missing or mistyped member is NULL or "-", as
 * cli_format.h promises for every rendering.
 *
 * To extend: a helper both files need is defined in cli_format.c and
 * declared here; one that a single file uses stays static in it.
 */
#ifndef HWH_CLI_FORMAT_INTERNAL_H
#define HWH_CLI_FORMAT_INTERNAL_H

#include <stdio.h>
#include <stddef.h>

#include <json-c/json.h>

#include "cli_format.h"

#define CLI_TABLE_MAX_COLS 32 /* columns of a struct cli_table */

/* ---- json-c access ---- */

/* Nonzero if o is a JSON number (double or int). */
int cli_is_number(json_object *o);
/* The member key of obj, or NULL (also when obj is no object). */
json_object *cli_member(json_object *obj, const char *key);
/* The string member key of obj, or NULL when absent or not a string. */
const char *cli_member_str(json_object *obj, const char *key);
/* Length of v if it is an array, else 0. */
size_t cli_array_len(json_object *v);

/* ---- output ---- */

/* Writes s with control characters replaced by '?'. */
void cli_put_clean(FILE *out, const char *s);
/* Each string of the array on its own line, indented by two spaces. */
void cli_print_indented(FILE *out, json_object *lines);

/* ---- numbers and durations into buf ---- */

/* v with up to three decimals, trailing zeros dropped: 80, 1.26, 0.125. */
void cli_trim_number(char *buf, size_t len, double v);
/* A duration in seconds: under a minute with `decimals`, then two units
 * ("3m05s", "2h05m", "4d03h"). */
void cli_fmt_duration(char *buf, size_t len, double s, int decimals);
/* A number with up to three decimals, or "-".  Returns buf. */
const char *cli_fmt_num(char *buf, size_t len, json_object *v);
/* An integer, or "-".  Returns buf. */
const char *cli_fmt_int(char *buf, size_t len, json_object *v);

/* ---- tables, for printing rows one at a time ---- */

/* Each column's width (width[] holds CLI_TABLE_MAX_COLS): its widest cell
 * or header. */
void cli_table_widths(const struct cli_table *t, size_t *width);
/* One line: cells padded to widths, the last column left unpadded. */
void cli_table_line(const struct cli_table *t, FILE *out, const char *const *cells,
		    const size_t *width);
/* Row r of t. */
const char *const *cli_table_row(const struct cli_table *t, size_t r);

#endif /* HWH_CLI_FORMAT_INTERNAL_H */
