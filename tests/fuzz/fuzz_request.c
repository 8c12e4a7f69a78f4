/*
 * libFuzzer target for the control protocol's request parser and dispatch
 * (agent/control.c: ctl_dispatch) with a small command table, as a root and
 * as a non-root peer.  Whatever the bytes, the answer must be one JSON line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

static json_object *fz_echo(void *ud, json_object *req, char *err, size_t errlen)
{
	json_object *arg;

	(void)ud, (void)err, (void)errlen;
	if (!json_object_object_get_ex(req, "filter", &arg))
		return json_object_new_object();
	return json_object_get(arg);
}

static const struct ctl_cmd fz_cmds[] = {
    {"status", false, fz_echo},
    {"reload", true, fz_echo},
    {NULL, false, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (uid_t uid = 0; uid < 2; uid++) {
		char *out = ctl_dispatch(fz_cmds, NULL, (const char *)data, size, uid);
		if (out == NULL)
			continue;
		size_t n = strlen(out);
		if (n == 0 || out[n - 1] != '\n' || memchr(out, '\n', n - 1) != NULL)
			abort(); /* an answer is exactly one line */
		free(out);
	}
	return 0;
}
