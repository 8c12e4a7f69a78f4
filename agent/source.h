/*
 * source: one running source instance, polled on its own thread.
 *
 * The thread sleeps until the next absolute due time (CLOCK_MONOTONIC), calls
 * the plugin's poll(), and stores what it emits in the metric store.  The
 * main thread watches each poll's deadline (source_check_deadline()): a poll
 * running past its timeout is not cancelled — no library call can be safely
 * interrupted — but fenced off: the source turns unavailable with the reason,
 * the overrun is counted, and whatever the late poll emits is dropped.
 *
 * Stopping: source_stop() asks the thread to end and waits a bounded time.
 * A thread still stuck in the plugin is abandoned (detached); it frees the
 * instance itself if the plugin ever returns.  Ownership of struct source
 * passes to that thread then.
 */
#ifndef HWH_SOURCE_H
#define HWH_SOURCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "events.h"
#include "metrics.h"
#include "plugin.h"
#include "pstate.h"

#define SOURCE_ERR_MAX 256
#define SOURCE_STAGE_MAX 64 /* distinct keys one poll may hwh_state_set() */

/* A value set during the current poll, kept until the poll ends. */
struct source_stage {
	char key[HWH_STATE_KEY_MAX];
	char value[HWH_STATE_VALUE_MAX];
};

/* Where a source stands. */
enum source_state {
	SRC_STARTING = 0, /* no poll has finished yet */
	SRC_OK,		  /* the last poll worked */
	SRC_FAILED,	  /* the last poll (or init) returned an error */
	SRC_UNAVAILABLE,  /* a poll overran its timeout */
};

/* A snapshot of a source's counters and state, for reports. */
struct source_info {
	enum source_state state;
	bool in_poll;
	int64_t last_poll_mono_ms; /* end of the last poll; 0 = never */
	int64_t last_poll_wall_ms;
	int64_t poll_us;     /* wall time of the last poll */
	int64_t poll_cpu_us; /* thread CPU time of the last poll */
	uint64_t polls, failures, overruns, late_dropped, emit_errors;
	uint32_t metrics; /* readings stored by the last poll */
	char error[SOURCE_ERR_MAX];
};

struct watch;

struct source {
	struct hwh_ctx_public pub; /* must be first: plugins see this as hwh_ctx */
	char *name;
	const struct plugin *plugin;
	void *inst;
	int64_t interval_ms, timeout_ms, stale_ms;
	struct metric_store *store;
	struct event_ring *events;
	int wake_fd; /* eventfd of the main loop, written when a poll starts */
	/* Where hwh_state_set() values go when a poll ends (NULL: nowhere;
	 * set by the owner before source_start()). */
	struct pstate *pstate;
	/* The daemon's heartbeat and source table for hwh_daemon_health() and
	 * hwh_source_up() (NULL: they answer -ENOSYS; set before start). */
	struct watch *watch;
	/* Counted up when a poll (or init/rescan call) ends, so the main loop
	 * evaluates after a poll that brought something, not after one that
	 * only started (NULL: not counted; set before start). */
	atomic_uint_fast64_t *calls_done;

	pthread_t thread;
	pthread_mutex_t lock; /* guards everything below */
	pthread_cond_t cond;
	bool stop, rescan, poll_now, abandoned, running;
	uint64_t save_after_polls; /* main thread: save the state file once info.polls
				    * reaches this (0: no save pending) */
	int64_t poll_start_mono_ms;
	atomic_bool overrun;			     /* the current poll is past its deadline */
	char pending_error[SOURCE_ERR_MAX];	     /* set by hwh_error() during a poll */
	uint32_t emitted;			     /* readings stored or held this poll */
	uint32_t emit_idx;			     /* emits so far in this poll, stored or not */
	struct source_stage stage[SOURCE_STAGE_MAX]; /* poll thread only */
	uint32_t nstage;
	/* The metric the i-th emit of the last poll went to: a source reporting
	 * the same readings in the same order skips id building and hashing.
	 * Metrics are never freed while the store lives, so the pointers hold. */
	struct metric **slot;
	uint32_t nslot;
	struct source_info info;
};

/* Create a source (not started).  Takes ownership of inst.  NULL on ENOMEM. */
struct source *source_new(const char *name, const struct plugin *plugin, void *inst,
			  int64_t interval_ms, int64_t timeout_ms, int64_t stale_ms,
			  struct metric_store *store, struct event_ring *events, int wake_fd);
/* Start its thread.  0 or -errno. */
int source_start(struct source *src);
/*
 * Stop and free it.  Waits up to wait_ms for the thread; one still stuck in
 * the plugin is abandoned (logged) and frees the source itself later.
 * Returns 0 if joined, 1 if abandoned.
 */
int source_stop(struct source *src, int64_t wait_ms);
/* Tell its thread to end after the current poll, without waiting. */
void source_signal_stop(struct source *src);
/* Main thread: mark an overrunning poll.  Returns the ms until this source's
 * current deadline (or INT64_MAX if not polling). */
int64_t source_check_deadline(struct source *src, int64_t now_mono);
/* Ask for a rescan before the next poll, and poll now. */
void source_request_rescan(struct source *src);
/* Poll now, without a rescan (after an act(), so that what it changed is
 * kept at once). */
void source_request_poll(struct source *src);
/* A consistent copy of its state. */
void source_get_info(struct source *src, struct source_info *out);

const char *source_state_name(enum source_state st);

/* The host table given to plugins. */
extern const struct hwh_host source_host;

#endif
