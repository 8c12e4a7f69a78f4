/*
 * watch: what the main loop publishes for plugins that watch the daemon
 * itself (plugin ABI 1.2: hwh_daemon_health(), hwh_source_up()), so that
 * the watchdog plugin pets the hardware only while the daemon works.
 *
 * The main thread writes: a heartbeat every round of its loop (at least
 * once a second), the node state and every source's up/down after each
 * evaluation.  Source threads read, at any time.  A main loop that hangs
 * stops the heartbeat, and the table then ages with it: a reader judges by
 * the heartbeat first.
 */
#ifndef HWH_WATCH_H
#define HWH_WATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "health.h"

/* One source as the last evaluation saw it. */
struct watch_source {
	char *name;
	bool up;		 /* last poll worked and is not stale */
	int64_t last_up_mono_ms; /* when it was last seen up (or first seen) */
};

struct watch {
	_Atomic int64_t loop_mono_ms; /* last round of the main loop */
	atomic_int node_state;	      /* enum node_state */
	int64_t start_mono_ms;
	pthread_mutex_t lock; /* guards v and n */
	struct watch_source *v;
	size_t n;
};

void watch_init(struct watch *w, int64_t now_mono);
void watch_destroy(struct watch *w);
/* Main loop: one more round. */
void watch_tick(struct watch *w, int64_t now_mono);
/* After an evaluation: the node state and the sources as views saw them
 * (a source keeps its last-up time across calls, matched by name).
 * 0, or -ENOMEM (the previous table stays). */
int watch_update(struct watch *w, enum node_state st, const struct source_view *v, size_t n,
		 int64_t now_mono);
/* A source about to start: known (down, since now) until the first
 * evaluation sees it, so its name is never "unknown" to a plugin's init().
 * 0, or -ENOMEM. */
int watch_declare(struct watch *w, const char *name, int64_t now_mono);
/* hwh_daemon_health(): 0. */
int watch_health(struct watch *w, int64_t now_mono, struct hwh_daemon_health *out);
/* hwh_source_up(): 1 up, 0 down (with *down_ms), -ENOENT unknown. */
int watch_source_up(struct watch *w, const char *name, int64_t now_mono, int64_t *down_ms);

#endif
