/*
 * svcrec: a test service plugin (ABI 1.4 run()) that records what the host
 * gives a service, for tests/integration/check_service_daemon.c.
 *
 * Options:
 *   dir DIR        where it writes (required)
 *   query CMD      the command it sends with hwh_query(), as
 *                  {"cmd":"CMD"} (default status); every 100 ms, the last
 *                  reply goes to DIR/reply.json (written whole, then renamed)
 *   fail-init N    the first N init() calls fail (-EIO)
 *   fail-run N     the first N run() calls fail at once (-EIO)
 *   ignore-stop S  run() goes on S seconds after being told to stop
 * DIR/log gets one line per call: "init N", "run N", "stop", "shutdown",
 * with the calling thread's id ("init 1 tid 1234"), so a test can check
 * that run() and shutdown() share a thread.  Its status (hwh_service_status)
 * is "queried N" (ok 1), or "query failed: ERR" (ok 0).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#define SVCREC_PATH_MAX 512

struct svcrec {
	char dir[SVCREC_PATH_MAX];
	char *query;
	long fail_init, fail_run, ignore_stop_s;
	long inits, runs, queries;
};

static void note(struct svcrec *s, const char *what, long n)
{
	char path[SVCREC_PATH_MAX + 8];
	FILE *f;

	snprintf(path, sizeof path, "%s/log", s->dir);
	if ((f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s %ld tid %ld\n", what, n, (long)syscall(SYS_gettid));
	fclose(f);
}

static void save_reply(struct svcrec *s, const char *reply)
{
	char tmp[SVCREC_PATH_MAX + 16], path[SVCREC_PATH_MAX + 16];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s/reply.tmp", s->dir);
	snprintf(path, sizeof path, "%s/reply.json", s->dir);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fputs(reply, f);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static int num_opt(const struct hwh_option *o, long *out, struct hwh_config_error *err, int i)
{
	char *end;

	*out = strtol(o->value, &end, 10);
	if (*end != '\0' || *out < 0) {
		err->option = i;
		snprintf(err->msg, sizeof err->msg, "'%s' wants a count, not '%s'", o->key,
			 o->value);
		return -1;
	}
	return 0;
}

static int svcrec_config(const struct hwh_option *opts, size_t n, void **inst,
			 struct hwh_config_error *err)
{
	struct svcrec *s = calloc(1, sizeof *s);
	int rc = 0;

	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct hwh_option *o = &opts[i];

		if (strcmp(o->key, "dir") == 0)
			snprintf(s->dir, sizeof s->dir, "%s", o->value);
		else if (strcmp(o->key, "query") == 0)
			rc = asprintf(&s->query, "{\"cmd\":\"%s\"}", o->value) < 0 ? -1 : 0;
		else if (strcmp(o->key, "fail-init") == 0)
			rc = num_opt(o, &s->fail_init, err, (int)i);
		else if (strcmp(o->key, "fail-run") == 0)
			rc = num_opt(o, &s->fail_run, err, (int)i);
		else if (strcmp(o->key, "ignore-stop") == 0)
			rc = num_opt(o, &s->ignore_stop_s, err, (int)i);
		else {
			err->option = (int)i;
			snprintf(err->msg, sizeof err->msg, "unknown option '%s'", o->key);
			rc = -1;
		}
	}
	if (rc == 0 && s->dir[0] == '\0') {
		snprintf(err->msg, sizeof err->msg, "'dir' is required");
		rc = -1;
	}
	if (rc == 0 && s->query == NULL && (s->query = strdup("{\"cmd\":\"status\"}")) == NULL)
		rc = -1;
	if (rc != 0) {
		free(s->query);
		free(s);
		return -1;
	}
	*inst = s;
	return 0;
}

static int svcrec_init(void *inst, struct hwh_ctx *ctx)
{
	struct svcrec *s = inst;

	note(s, "init", ++s->inits);
	if (s->inits <= s->fail_init) {
		hwh_service_status(ctx, 0, "init failing on purpose");
		return -EIO;
	}
	return 0;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

static int svcrec_run(void *inst, struct hwh_ctx *ctx)
{
	struct svcrec *s = inst;
	char text[128];

	note(s, "run", ++s->runs);
	if (s->runs <= s->fail_run) {
		hwh_service_status(ctx, 0, "run failing on purpose");
		return -EIO;
	}
	while (!hwh_stopping(ctx)) {
		char *reply;
		int rc = hwh_query(ctx, s->query, &reply, 2000);

		if (rc == 0) {
			save_reply(s, reply);
			free(reply);
			snprintf(text, sizeof text, "queried %ld", ++s->queries);
			hwh_service_status(ctx, 1, text);
		} else {
			snprintf(text, sizeof text, "query failed: %s", strerror(-rc));
			hwh_service_status(ctx, 0, text);
		}
		sleep_ms(100);
	}
	note(s, "stop", s->runs);
	sleep_ms(s->ignore_stop_s * 1000);
	return 0;
}

static void svcrec_shutdown(void *inst)
{
	struct svcrec *s = inst;

	note(s, "shutdown", s->runs);
	free(s->query);
	free(s);
}

const struct hwh_plugin hwh_plugin = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "svcrec",
    .description = "test service: records what the host gives a service",
    .config = svcrec_config,
    .init = svcrec_init,
    .shutdown = svcrec_shutdown,
    .run = svcrec_run,
};
