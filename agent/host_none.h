/*
 * host_none: the host services (struct hwh_host) a kind of instance does
 * not have.  Actuators and services are no sources: they cannot emit,
 * keep state or watch other sources, and the plugin is told so as the ABI
 * says (-ENOTSUP for readings and events, -ENOSYS for the rest).
 */
#ifndef HWH_HOST_NONE_H
#define HWH_HOST_NONE_H

#include <hwhealth/plugin.h>

int host_none_emit(struct hwh_ctx *ctx, const struct hwh_reading *r);
int host_none_event(struct hwh_ctx *ctx, const struct hwh_event *e);
int host_none_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len);
int host_none_state_set(struct hwh_ctx *ctx, const char *key, const char *value);
int host_none_hold(struct hwh_ctx *ctx, const char *device, const char *why);
int host_none_daemon_health(struct hwh_ctx *ctx, struct hwh_daemon_health *out);
int host_none_source_up(struct hwh_ctx *ctx, const char *name, int64_t *down_ms);

#endif
