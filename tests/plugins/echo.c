/*
 * echo: a test source plugin that reports what a text file says, so core
 * tests can drive exact readings without hardware.  Option "file PATH"; each
 * poll reads lines "DEVICE NAME KIND VALUE [LIMIT=V ...]" where KIND is
 * temperature|fan|voltage|counter|state|intrusion (anything else: other)
 * and VALUE may be "nan" (unreadable); limits: lemerg, lcrit, min, max,
 * crit, emerg.  A missing file fails the poll.
 * Option "events PATH": each poll reports every line "DEVICE TYPE SEVERITY
 * TEXT..." (severity info|warning|critical) of that file as an event, then
 * empties the file, so each line is reported once.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

struct echo {
	char *file;
	char *events;
};

static int echo_config(const struct hwh_option *opts, size_t n, void **inst,
		       struct hwh_config_error *err)
{
	struct echo *e = calloc(1, sizeof *e);

	if (e == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char **dst = strcmp(opts[i].key, "file") == 0	  ? &e->file
			     : strcmp(opts[i].key, "events") == 0 ? &e->events
								  : NULL;
		if (dst == NULL) {
			err->option = (int)i;
			snprintf(err->msg, sizeof err->msg,
				 "unknown option '%s' for plugin echo (expected: file, events)",
				 opts[i].key);
			free(e->file);
			free(e->events);
			free(e);
			return -1;
		}
		free(*dst);
		*dst = strdup(opts[i].value);
	}
	if (e->file == NULL) {
		snprintf(err->msg, sizeof err->msg, "plugin echo needs 'file PATH'");
		free(e);
		return -1;
	}
	*inst = e;
	return 0;
}

static enum hwh_kind kind_of(const char *s)
{
	if (strcmp(s, "temperature") == 0)
		return HWH_KIND_TEMPERATURE;
	if (strcmp(s, "fan") == 0)
		return HWH_KIND_FAN;
	if (strcmp(s, "voltage") == 0)
		return HWH_KIND_VOLTAGE;
	if (strcmp(s, "counter") == 0)
		return HWH_KIND_COUNTER;
	if (strcmp(s, "state") == 0)
		return HWH_KIND_STATE;
	if (strcmp(s, "intrusion") == 0)
		return HWH_KIND_INTRUSION;
	return HWH_KIND_OTHER;
}

static void parse_limit(struct hwh_reading *r, const char *tok)
{
	static const char *const names[HWH_LIM_COUNT] = {"lemerg", "lcrit", "min",
							 "max",	   "crit",  "emerg"};
	const char *eq = strchr(tok, '=');

	for (int l = 0; eq != NULL && l < HWH_LIM_COUNT; l++)
		if (strncmp(tok, names[l], (size_t)(eq - tok)) == 0 &&
		    strlen(names[l]) == (size_t)(eq - tok))
			r->limit[l] = strtod(eq + 1, NULL);
}

static void echo_line(struct hwh_ctx *ctx, char *line)
{
	char *save, *dev = strtok_r(line, " \t\n", &save);
	char *name = strtok_r(NULL, " \t\n", &save);
	char *kind = strtok_r(NULL, " \t\n", &save);
	char *val = strtok_r(NULL, " \t\n", &save), *tok;
	struct hwh_reading r;

	if (dev == NULL || name == NULL || kind == NULL || val == NULL || *dev == '#')
		return;
	hwh_reading_init(&r);
	r.device = dev;
	r.name = name;
	r.kind = kind_of(kind);
	r.value = strtod(val, NULL);
	if (isnan(r.value)) {
		r.status = HWH_R_UNREADABLE;
		r.error = "echo: value is nan";
	}
	while ((tok = strtok_r(NULL, " \t\n", &save)) != NULL)
		parse_limit(&r, tok);
	hwh_emit(ctx, &r);
}

static void echo_event(struct hwh_ctx *ctx, char *line)
{
	char *save, *dev = strtok_r(line, " \t\n", &save);
	char *type = strtok_r(NULL, " \t\n", &save);
	char *sev = strtok_r(NULL, " \t\n", &save);
	char *text = strtok_r(NULL, "\n", &save);
	struct hwh_event ev = {.device = dev, .type = type, .text = text};

	if (dev == NULL || type == NULL || sev == NULL)
		return;
	ev.severity = strcmp(sev, "critical") == 0  ? HWH_SEV_CRITICAL
		      : strcmp(sev, "warning") == 0 ? HWH_SEV_WARNING
						    : HWH_SEV_INFO;
	hwh_event(ctx, &ev);
}

/* Report and consume the events file. */
static void echo_events(struct echo *e, struct hwh_ctx *ctx)
{
	char line[512];
	FILE *f;

	if (e->events == NULL || (f = fopen(e->events, "r+")) == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL)
		echo_event(ctx, line);
	if (ftruncate(fileno(f), 0) != 0)
		hwh_log(ctx, HWH_LOG_WARNING, "cannot empty %s", e->events);
	fclose(f);
}

static int echo_poll(void *inst, struct hwh_ctx *ctx)
{
	struct echo *e = inst;
	char line[512];
	FILE *f = fopen(e->file, "r");

	if (f == NULL) {
		int err = errno;
		hwh_error(ctx, "cannot read %s: %s", e->file, strerror(err));
		return -err;
	}
	while (fgets(line, sizeof line, f) != NULL)
		echo_line(ctx, line);
	fclose(f);
	echo_events(e, ctx);
	return 0;
}

static void echo_shutdown(void *inst)
{
	struct echo *e = inst;

	free(e->file);
	free(e->events);
	free(e);
}

__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "echo",
    .description = "test source reporting readings from a text file",
    .config = echo_config,
    .poll = echo_poll,
    .shutdown = echo_shutdown,
};
