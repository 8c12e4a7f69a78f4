/*
 * metrics: the store of every metric the sources report, keyed by id
 * "source/device/name", each with its latest reading and its history.
 *
 * One mutex guards the whole store: source threads take it once per reading
 * in ms_update() (uncontended it costs tens of nanoseconds), the main thread
 * takes it to answer requests.  A metric is created the first time it is
 * seen and then updated in place: a poll that reports the same metrics again
 * allocates nothing.  Metrics are not removed when their device goes away;
 * they turn stale (see metric_status()).  Only a reload that drops a whole
 * source removes its metrics (ms_remove_source()).
 */
#ifndef HWH_METRICS_H
#define HWH_METRICS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "history.h"

#define METRIC_ID_MAX 256

/* What a metric's status is when reported. */
enum metric_status {
	MST_OK = 0,	 /* fresh, within its limits */
	MST_ALARM,	 /* past a limit or hardware alarm flag set */
	MST_FAULT,	 /* the hardware reports a sensor fault */
	MST_UNREADABLE,	 /* the source could not read the value */
	MST_STALE,	 /* not updated within its source's stale age */
	MST_UNAVAILABLE, /* its source is unavailable */
	MST_HELD,	 /* kept unread on purpose (a disk in standby): hwh_hold() */
	MST_COUNT	 /* number of statuses, not a status */
};

/* How far past its limits a value is: the node state it suggests. */
enum limit_level {
	LIM_NONE = 0, /* within limits */
	LIM_WARN,     /* past min/max, or a min/max alarm */
	LIM_CRIT,     /* past lcrit/crit, or a crit alarm */
	LIM_EMERG,    /* past an emergency limit */
};

struct metric {
	char *id;     /* "source/device/name" */
	char *source; /* instance name */
	char *device;
	char *name;
	char *label; /* NULL if none */
	char *unit;
	char *text;  /* state text of discrete sensors, NULL if none */
	char *error; /* why unreadable, NULL if readable */
	enum hwh_kind kind;
	double value;
	double limit[HWH_LIM_COUNT];
	unsigned flags;
	enum hwh_rstatus rstatus;
	int64_t t_mono_ms;    /* when last updated */
	int64_t t_ok_mono_ms; /* when last readable (creation if never) */
	int64_t t_wall_ms;
	int64_t t_held_mono_ms; /* last hwh_hold(), 0 = not held since the last reading */
	char held[24];		/* why it is held ("standby"), "" if not */
	uint64_t updates;
	struct hist *hist;
	struct eng_target *eng; /* the rules engine's bindings, NULL until bound */
	struct metric *next;	/* hash chain */
};

struct eng_target;

struct metric_store {
	pthread_mutex_t lock;
	struct metric **buckets;
	size_t nbuckets;
	size_t count;
	uint32_t hist_cap; /* raw samples kept by the history of new metrics */
	/* Called (lock held) when a metric is created, before its first sample
	 * is stored, and before one is freed: the rules engine hooks in here. */
	void (*on_new)(struct metric *m, void *arg);
	void (*on_free)(struct metric *m, void *arg);
	void *hook_arg;
};

/* 0, -EINVAL if hist_cap is 0 or above HIST_RAW_MAX (hist_new() would
 * refuse every metric), or -ENOMEM. */
int ms_init(struct metric_store *ms, uint32_t hist_cap);
void ms_destroy(struct metric_store *ms);
void ms_lock(struct metric_store *ms);
void ms_unlock(struct metric_store *ms);

/* Build "source/device/name" into buf.  0, or -EINVAL if a part is empty or
 * holds '/', or -ENAMETOOLONG. */
int metric_make_id(char *buf, size_t n, const char *source, const char *device, const char *name);

/* Store a reading (lock held).  0, -EINVAL (bad ids) or -ENOMEM.
 * If mp is not NULL it receives the metric, for metric_set() next time. */
int ms_update(struct metric_store *ms, const char *source, const struct hwh_reading *r,
	      int64_t mono, int64_t wall, struct metric **mp);
/* Store a reading into a metric already found (lock held): the fast path
 * for a source that reports the same metrics every poll.  0 or -ENOMEM. */
int metric_set(struct metric *m, const struct hwh_reading *r, int64_t mono, int64_t wall);
/* Does reading r belong to metric m (same device and name)? */
int metric_is(const struct metric *m, const struct hwh_reading *r);
/* Hold the metrics of one device of a source (lock held): keep them, with
 * no new sample, from turning stale (hwh_hold()).  Unreadable ones are not
 * held: they stay unreadable.  Returns how many were held. */
size_t ms_hold(struct metric_store *ms, const char *source, const char *device, const char *why,
	       int64_t now_mono);
/* Forget every metric of a source (lock held).  Returns how many. */
size_t ms_remove_source(struct metric_store *ms, const char *source);
/* Find by id (lock held), NULL if unknown. */
struct metric *ms_find(const struct metric_store *ms, const char *id);
/* All metrics sorted by id, in a new array the caller frees (lock held).
 * Returns the count, or -ENOMEM. */
long ms_sorted(const struct metric_store *ms, struct metric ***out);

/* How far past its limits the metric's latest value is. */
enum limit_level metric_limit_level(const struct metric *m);
/* Its status now: source_ok == 0 means its source is unavailable;
 * stale_ms is its source's stale age. */
enum metric_status metric_status(const struct metric *m, int source_ok, int64_t stale_ms,
				 int64_t now_mono);

const char *metric_status_name(enum metric_status st);
const char *kind_name(enum hwh_kind kind);
const char *kind_default_unit(enum hwh_kind kind);
const char *limit_name(enum hwh_limit lim);

#endif
