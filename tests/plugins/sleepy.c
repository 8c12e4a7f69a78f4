/*
 * sleepy: a test source plugin that stands for a hung library call.
 * Options: "sleep DURATION" (ms/s suffix) slept in every poll, ignoring
 * stop requests, like a read stuck in a driver; "emit N" readings
 * sleepy/dev/m0..mN-1 with value = poll count; "fail yes" makes every poll
 * fail with a message (-EIO), "fail timeout" as a device that does not
 * answer (-ETIMEDOUT); "keep yes" keeps the poll count with hwh_state_set()
 * at the end of each poll and emits sleepy/dev/kept, the value kept by the
 * poll before (-1 when none); "act-sleep DURATION" makes act() sleep that
 * long (then answer -ENOTSUP), standing for a main thread stuck in a
 * plugin: act() runs on the daemon's main loop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hwhealth/plugin.h>

struct sleepy {
	long sleep_ms;
	int emit;
	int fail; /* 0, or the error each poll returns */
	int keep;
	long act_sleep_ms;
	long polls;
};

static int parse_ms(const char *s, long *ms)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		*ms = v;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*ms = v * 1000;
	else
		return -1;
	return 0;
}

static int sleepy_config(const struct hwh_option *opts, size_t n, void **inst,
			 struct hwh_config_error *err)
{
	struct sleepy *s = calloc(1, sizeof *s);

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int bad = 0;
		if (strcmp(opts[i].key, "sleep") == 0)
			bad = parse_ms(opts[i].value, &s->sleep_ms);
		else if (strcmp(opts[i].key, "emit") == 0)
			s->emit = atoi(opts[i].value);
		else if (strcmp(opts[i].key, "fail") == 0)
			s->fail = strcmp(opts[i].value, "yes") == 0	  ? -EIO
				  : strcmp(opts[i].value, "timeout") == 0 ? -ETIMEDOUT
									  : 0;
		else if (strcmp(opts[i].key, "keep") == 0)
			s->keep = strcmp(opts[i].value, "yes") == 0;
		else if (strcmp(opts[i].key, "act-sleep") == 0)
			bad = parse_ms(opts[i].value, &s->act_sleep_ms);
		else
			bad = 1;
		if (bad) {
			err->option = (int)i;
			snprintf(err->msg, sizeof err->msg, "bad option '%s' for plugin sleepy",
				 opts[i].key);
			free(s);
			return -1;
		}
	}
	*inst = s;
	return 0;
}

/* "keep yes": report what the last poll kept, keep this poll's count. */
static void sleepy_keep(struct sleepy *s, struct hwh_ctx *ctx)
{
	struct hwh_reading r;
	char buf[32];

	hwh_reading_init(&r);
	r.device = "dev";
	r.name = "kept";
	r.value = hwh_state_get(ctx, "polls", buf, sizeof buf) > 0 ? atof(buf) : -1;
	hwh_emit(ctx, &r);
	snprintf(buf, sizeof buf, "%ld", s->polls);
	hwh_state_set(ctx, "polls", buf);
}

static int sleepy_poll(void *inst, struct hwh_ctx *ctx)
{
	struct sleepy *s = inst;
	struct timespec ts = {s->sleep_ms / 1000, (s->sleep_ms % 1000) * 1000000};
	char name[32];

	s->polls++;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	if (s->fail) {
		hwh_error(ctx, "sleepy: told to fail (poll %ld)", s->polls);
		return s->fail;
	}
	if (s->keep)
		sleepy_keep(s, ctx);
	for (int i = 0; i < s->emit; i++) {
		struct hwh_reading r;
		hwh_reading_init(&r);
		snprintf(name, sizeof name, "m%d", i);
		r.device = "dev";
		r.name = name;
		r.kind = HWH_KIND_COUNTER;
		r.value = (double)s->polls;
		hwh_emit(ctx, &r);
	}
	return 0;
}

/* Any action: sleep on the caller's (the main) thread, then decline. */
static int sleepy_act(void *inst, struct hwh_ctx *ctx, const char *action, const char *arg)
{
	struct sleepy *s = inst;
	struct timespec ts = {s->act_sleep_ms / 1000, (s->act_sleep_ms % 1000) * 1000000};

	(void)ctx, (void)action, (void)arg;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return -ENOTSUP;
}

static void sleepy_shutdown(void *inst)
{
	free(inst);
}

__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "sleepy",
    .description = "test source that sleeps in poll",
    .config = sleepy_config,
    .poll = sleepy_poll,
    .act = sleepy_act,
    .shutdown = sleepy_shutdown,
};
