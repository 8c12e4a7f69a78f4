/*
 * fmtlib: see fmtlib.h.
 */
#include "fmtlib.h"

#include <check.h>
#include <stdlib.h>
#include <time.h>

json_object *fmt_js(const char *text)
{
	json_object *o = json_tokener_parse(text);

	ck_assert_msg(o != NULL, "bad JSON in test: %s", text);
	return o;
}

char *fmt_render(fmt_render_fn fn, const char *text)
{
	json_object *obj = fmt_js(text);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(fn(out, obj), 0);
	ck_assert_int_eq(fclose(out), 0);
	json_object_put(obj);
	return buf;
}

void fmt_utc_setup(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}
