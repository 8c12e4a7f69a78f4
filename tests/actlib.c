/*
 * actlib: a plugin's host without the daemon.  See actlib.h.
 */
#include "actlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTLIB_LOG_MAX 16384

struct actlib_ctx {
	const struct hwh_host *host; /* first, as every context */
	char log[ACTLIB_LOG_MAX];
	size_t len;
};

static void fake_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	struct actlib_ctx *c = (struct actlib_ctx *)(void *)ctx;
	int n;

	if (c->len + 8 >= sizeof c->log)
		return;
	n = snprintf(c->log + c->len, sizeof c->log - c->len, "<%d>", prio);
	if (n > 0)
		c->len += (size_t)n;
	n = vsnprintf(c->log + c->len, sizeof c->log - c->len - 1, fmt, ap);
	if (n > 0)
		c->len +=
		    (size_t)n < sizeof c->log - c->len - 1 ? (size_t)n : sizeof c->log - c->len - 2;
	c->log[c->len++] = '\n';
	c->log[c->len] = '\0';
}

static void fake_verror(struct hwh_ctx *ctx, const char *fmt, va_list ap)
{
	fake_vlog(ctx, HWH_LOG_ERR, fmt, ap);
}

static int fake_emit(struct hwh_ctx *ctx, const struct hwh_reading *r)
{
	(void)ctx;
	(void)r;
	return -ENOTSUP;
}

static int fake_event(struct hwh_ctx *ctx, const struct hwh_event *e)
{
	(void)ctx;
	(void)e;
	return -ENOTSUP;
}

static int fake_stopping(struct hwh_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static int fake_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len)
{
	(void)ctx;
	(void)key;
	(void)buf;
	(void)len;
	return -ENOENT;
}

static int fake_state_set(struct hwh_ctx *ctx, const char *key, const char *value)
{
	(void)ctx;
	(void)key;
	(void)value;
	return -ENOTSUP;
}

static const struct hwh_host fake_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = offsetof(struct hwh_host, hold), /* ABI 1.1: what an actuator uses */
    .vlog = fake_vlog,
    .emit = fake_emit,
    .event = fake_event,
    .verror = fake_verror,
    .stopping = fake_stopping,
    .state_get = fake_state_get,
    .state_set = fake_state_set,
};

static int load(struct actlib *a, const char *name, char *err, size_t errlen)
{
	char path[512];

	snprintf(path, sizeof path, "%s/plugins/%s.so", HWH_BUILD_DIR, name);
	a->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (a->dl == NULL) {
		snprintf(err, errlen, "dlopen %s: %s", path, dlerror());
		return -1;
	}
	a->api = dlsym(a->dl, HWH_PLUGIN_SYMBOL);
	if (a->api == NULL || a->api->perform == NULL) {
		snprintf(err, errlen, "%s: no %s with perform()", path, HWH_PLUGIN_SYMBOL);
		return -1;
	}
	return 0;
}

int actlib_open(struct actlib *a, const char *name, const char *const *opts, char *err,
		size_t errlen)
{
	struct hwh_option o[32];
	struct hwh_config_error ce = {.option = -1};
	size_t n = 0;

	memset(a, 0, sizeof *a);
	if (load(a, name, err, errlen) < 0)
		return -1;
	for (; opts != NULL && opts[2 * n] != NULL && n < 32; n++)
		o[n] = (struct hwh_option){.key = opts[2 * n],
					   .value = opts[2 * n + 1],
					   .file = "actlib",
					   .line = (int)n + 1,
					   .col = 1};
	if (a->api->config(o, n, &a->inst, &ce) != 0) {
		snprintf(err, errlen, "config: %s%s%s", ce.option >= 0 ? o[ce.option].key : "",
			 ce.option >= 0 ? ": " : "", ce.msg);
		a->inst = NULL;
		return -1;
	}
	if ((a->ctx = calloc(1, sizeof *a->ctx)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	a->ctx->host = &fake_host;
	if (a->api->init != NULL && a->api->init(a->inst, (struct hwh_ctx *)(void *)a->ctx) != 0) {
		snprintf(err, errlen, "init failed: %s", a->ctx->log);
		return -1;
	}
	return 0;
}

struct hwh_action actlib_action(const char *action, int state, int previous_state,
				const char *reason)
{
	return (struct hwh_action){.action = action,
				   .state = state,
				   .previous_state = previous_state,
				   .reason = reason,
				   .id = 1,
				   .timeout_ms = 30000};
}

int actlib_perform(struct actlib *a, const struct hwh_action *act, struct hwh_action_result *r)
{
	memset(r, 0, sizeof *r);
	r->exit_status = -1;
	return a->api->perform(a->inst, (struct hwh_ctx *)(void *)a->ctx, act, r);
}

int actlib_cluster(struct actlib *a, struct hwh_cluster *c, char *detail, size_t len)
{
	memset(c, 0, sizeof *c);
	c->timeout_ms = 30000;
	if (len)
		detail[0] = '\0';
	if (a->api->cluster == NULL)
		return -ENOSYS;
	return a->api->cluster(a->inst, (struct hwh_ctx *)(void *)a->ctx, c, detail, len);
}

const char *actlib_log(struct actlib *a)
{
	return a->ctx ? a->ctx->log : "";
}

void actlib_close(struct actlib *a)
{
	if (a->inst != NULL)
		a->api->shutdown(a->inst);
	free(a->ctx);
	/* Never dlclose: as the daemon, a plugin may have left a thread. */
	memset(a, 0, sizeof *a);
}
