/*
 * events: a bounded ring of the most recent events (SEL records, failed
 * self-tests, watchdog resets...) reported by sources through hwh_event().
 * Memory is fixed at creation: when full, the oldest event is overwritten
 * and counted as dropped.  Every event gets a sequence number so a reader
 * can ask for "everything after N" and never see one twice.  Thread-safe.
 * The rules issue counts events per type over windows from here.
 */
#ifndef HWH_EVENTS_H
#define HWH_EVENTS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#define EVENT_TEXT_MAX 192
#define EVENT_NAME_MAX 64

struct event {
	uint64_t seq;	   /* 1, 2, ... in arrival order */
	int64_t t_wall_ms; /* when it happened (source's word, else arrival) */
	int64_t t_mono_ms; /* when it arrived */
	enum hwh_severity severity;
	char source[EVENT_NAME_MAX];
	char device[EVENT_NAME_MAX];
	char type[EVENT_NAME_MAX];
	char text[EVENT_TEXT_MAX];
};

struct event_ring {
	pthread_mutex_t lock;
	struct event *v;
	uint32_t cap, len, head; /* head: where the next one goes */
	uint64_t next_seq;
	uint64_t dropped; /* overwritten before anyone could have cared */
};

int events_init(struct event_ring *r, uint32_t cap);
void events_destroy(struct event_ring *r);
/* Store an event from source.  Returns its sequence number. */
uint64_t events_add(struct event_ring *r, const char *source, const struct hwh_event *e,
		    int64_t now_wall, int64_t now_mono);
/* Copy up to max events with seq > after, oldest first, into out.
 * Returns how many were copied. */
size_t events_since(struct event_ring *r, uint64_t after, struct event *out, size_t max);

/* Sequence number of the newest event stored so far (0: none yet). */
uint64_t events_last_seq(struct event_ring *r);

const char *severity_name(enum hwh_severity s);

#endif
