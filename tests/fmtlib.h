/*
 * fmtlib: helpers of the CLI rendering tests (check_cli_format.c,
 * check_cli_format_actions.c): JSON literals parsed or the test aborted, a
 * rendering captured into a string, and the UTC fixture that makes the
 * rendered times fixed.  To extend: only what both suites use.
 */
#ifndef HWH_TEST_FMTLIB_H
#define HWH_TEST_FMTLIB_H

#include <stdio.h>

#include <json-c/json.h>

/* A renderer of cli_format*.c: 0, or -1 when out could not be written. */
typedef int (*fmt_render_fn)(FILE *out, json_object *obj);

/* Parses a JSON literal of the test; aborts the test if it is invalid.
 * The caller puts it. */
json_object *fmt_js(const char *text);
/* Renders the JSON text with fn (which must return 0) into a malloc'd
 * string. */
char *fmt_render(fmt_render_fn fn, const char *text);
/* Checked fixture: TZ=UTC, so renderings of times are the same anywhere. */
void fmt_utc_setup(void);

#endif
