/*
 * health: liveness, the part of the node's state that rules cannot see.
 *
 * Unknown is never healthy: no sources at all, a source that failed, is
 * unavailable, stale or found nothing to read, and a metric that went stale
 * or stayed unreadable longer than its source's stale age, each make the
 * node at least yellow.  Hardware limits,
 * alarms and trends are judged by the rules engine (engine.h); the daemon
 * feeds this report into it (engine_set_liveness()) and then adds the
 * engine's findings to the same report for `hwhealth status`.  Reasons come
 * worst first, then sources before metrics, metrics by id.
 */
#ifndef HWH_HEALTH_H
#define HWH_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"
#include "source.h"

#define HEALTH_MAX_REASONS 16

/* The node's state, worst last. */
enum node_state {
	NODE_GREEN = 0, /* nothing wrong */
	NODE_YELLOW,	/* degraded or unknown: watch it */
	NODE_RED,	/* failing: move work away */
	NODE_CRITICAL,	/* failed or about to: fence */
};

/* What health needs to know of a source. */
struct source_view {
	const char *name;
	struct source_info info;
	int64_t stale_ms;
};

/* Kinds of liveness problem: each is a finding of its own (shown by
 * explain) and weighs ENG_ERR_SCORE once, however many sources or metrics
 * have it. */
enum live_kind {
	LK_NONE = 0,	      /* not a liveness reason (a rule's finding) */
	LK_NO_SOURCES,	      /* nothing configured or detected */
	LK_SOURCE_DOWN,	      /* failed or unavailable */
	LK_SOURCE_STALE,      /* no poll within its stale age */
	LK_SOURCE_EMPTY,      /* polls fine, reads nothing */
	LK_METRIC_STALE,      /* no reading within its stale age */
	LK_METRIC_UNREADABLE, /* unreadable for longer than that */
	LK_DRAIN_REFUSED,     /* the policy wanted to drain, the cluster's budget said no */
	LK_COUNT
};

struct health_report {
	enum node_state state;
	double score;	       /* the node's health score (engine), 0 for liveness alone */
	int64_t since_wall_ms; /* the state holds since (engine), 0 if unknown */
	size_t nreasons;
	size_t more; /* reasons left out past HEALTH_MAX_REASONS */
	char reasons[HEALTH_MAX_REASONS][192];
	enum node_state reason_state[HEALTH_MAX_REASONS];      /* what each reason weighs */
	enum live_kind reason_kind[HEALTH_MAX_REASONS];	       /* LK_NONE for rule findings */
	char reason_target[HEALTH_MAX_REASONS][METRIC_ID_MAX]; /* source or metric */
	unsigned live_kinds; /* bit (1 << kind) of every liveness kind seen, listed or not */
};

/* Evaluate (store lock held).  now_mono: CLOCK_MONOTONIC ms. */
void health_eval(const struct metric_store *ms, const struct source_view *srcs, size_t nsrcs,
		 int64_t now_mono, struct health_report *out);

/* A liveness problem of kind k about target (a source or metric): yellow. */
__attribute__((format(printf, 4, 5))) void health_add_live(struct health_report *r,
							   enum live_kind k, const char *target,
							   const char *fmt, ...);
/* What the liveness problems weigh: ENG_ERR_SCORE (10) per kind. */
double health_live_score(const struct health_report *r);
const char *live_kind_name(enum live_kind k);

/* Add a reason that weighs st, keeping the list worst first. */
__attribute__((format(printf, 3, 4))) void
health_add_reason(struct health_report *r, enum node_state st, const char *fmt, ...);

/* The source view a metric belongs to, or NULL. */
const struct source_view *health_find_source(const struct source_view *srcs, size_t n,
					     const char *name);
/* Is a source able to vouch for its metrics? */
int source_view_ok(const struct source_view *v);

const char *node_state_name(enum node_state st);

#endif
