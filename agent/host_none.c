/*
 * host_none: see host_none.h.
 */
#include "host_none.h"

#include <errno.h>

int host_none_emit(struct hwh_ctx *ctx, const struct hwh_reading *r)
{
	(void)ctx;
	(void)r;
	return -ENOTSUP;
}

int host_none_event(struct hwh_ctx *ctx, const struct hwh_event *e)
{
	(void)ctx;
	(void)e;
	return -ENOTSUP;
}

int host_none_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len)
{
	(void)ctx;
	(void)key;
	(void)buf;
	(void)len;
	return -ENOSYS;
}

int host_none_state_set(struct hwh_ctx *ctx, const char *key, const char *value)
{
	(void)ctx;
	(void)key;
	(void)value;
	return -ENOSYS;
}

int host_none_hold(struct hwh_ctx *ctx, const char *device, const char *why)
{
	(void)ctx;
	(void)device;
	(void)why;
	return -ENOSYS;
}

int host_none_daemon_health(struct hwh_ctx *ctx, struct hwh_daemon_health *out)
{
	(void)ctx;
	(void)out;
	return -ENOSYS;
}

int host_none_source_up(struct hwh_ctx *ctx, const char *name, int64_t *down_ms)
{
	(void)ctx;
	(void)name;
	(void)down_ms;
	return -ENOSYS;
}
