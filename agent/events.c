/*
 * events: bounded ring of recent events.  See events.h.
 */
#include "events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *severity_name(enum hwh_severity s)
{
	static const char *const names[] = {[HWH_SEV_INFO] = "info",
					    [HWH_SEV_WARNING] = "warning",
					    [HWH_SEV_CRITICAL] = "critical"};

	return (unsigned)s < HWH_SEV_COUNT ? names[s] : "?";
}

int events_init(struct event_ring *r, uint32_t cap)
{
	memset(r, 0, sizeof *r);
	if (cap == 0)
		return -EINVAL;
	r->v = calloc(cap, sizeof *r->v);
	if (r->v == NULL)
		return -ENOMEM;
	r->cap = cap;
	r->next_seq = 1;
	pthread_mutex_init(&r->lock, NULL);
	return 0;
}

void events_destroy(struct event_ring *r)
{
	if (r->v == NULL)
		return;
	free(r->v);
	r->v = NULL;
	pthread_mutex_destroy(&r->lock);
}

static void copy_name(char *dst, size_t n, const char *src, const char *dflt)
{
	util_strlcpy(dst, src != NULL && *src != '\0' ? src : dflt, n);
}

uint64_t events_add(struct event_ring *r, const char *source, const struct hwh_event *e,
		    int64_t now_wall, int64_t now_mono)
{
	struct event *ev;
	uint64_t seq;

	pthread_mutex_lock(&r->lock);
	ev = &r->v[r->head];
	if (r->len == r->cap)
		r->dropped++;
	else
		r->len++;
	r->head = (r->head + 1) % r->cap;
	seq = r->next_seq++;
	ev->seq = seq;
	ev->t_wall_ms = e->time_wall_ms != 0 ? e->time_wall_ms : now_wall;
	ev->t_mono_ms = now_mono;
	ev->severity = (unsigned)e->severity < HWH_SEV_COUNT ? e->severity : HWH_SEV_INFO;
	copy_name(ev->source, sizeof ev->source, source, "-");
	copy_name(ev->device, sizeof ev->device, e->device, "-");
	copy_name(ev->type, sizeof ev->type, e->type, "event");
	copy_name(ev->text, sizeof ev->text, e->text, "");
	pthread_mutex_unlock(&r->lock);
	return seq;
}

uint64_t events_last_seq(struct event_ring *r)
{
	uint64_t seq;

	pthread_mutex_lock(&r->lock);
	seq = r->next_seq - 1;
	pthread_mutex_unlock(&r->lock);
	return seq;
}

size_t events_since(struct event_ring *r, uint64_t after, struct event *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&r->lock);
	uint32_t oldest = (r->head + r->cap - r->len) % r->cap;
	for (uint32_t i = 0; i < r->len && n < max; i++) {
		const struct event *ev = &r->v[(oldest + i) % r->cap];
		if (ev->seq > after)
			out[n++] = *ev;
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}
