/*
 * health: the node's state from what the sources report.
 *
 * Until the rules engine (rules issue) lands, the state comes from the
 * hardware's own verdicts: a value past its max/min or a raised alarm is
 * yellow, past crit/lcrit red, past an emergency limit critical.  Unknown is
 * never healthy: a source that failed, is unavailable or found nothing to
 * read, and a metric that went stale or unreadable, make the node at least
 * yellow.  Reasons come
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

struct health_report {
	enum node_state state;
	size_t nreasons;
	size_t more; /* reasons left out past HEALTH_MAX_REASONS */
	char reasons[HEALTH_MAX_REASONS][192];
	enum node_state reason_state[HEALTH_MAX_REASONS]; /* what each reason weighs */
};

/* Evaluate (store lock held).  now_mono: CLOCK_MONOTONIC ms. */
void health_eval(const struct metric_store *ms, const struct source_view *srcs, size_t nsrcs,
		 int64_t now_mono, struct health_report *out);

/* The source view a metric belongs to, or NULL. */
const struct source_view *health_find_source(const struct source_view *srcs, size_t n,
					     const char *name);
/* Is a source able to vouch for its metrics? */
int source_view_ok(const struct source_view *v);

const char *node_state_name(enum node_state st);

#endif
