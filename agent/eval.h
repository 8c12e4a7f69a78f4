/*
 * eval: one rule expression evaluated for one bound metric or event stream.
 * Internal to the engine.  Three-valued: a number, "not available" or an
 * error, with the usual logic (not-available or true is true, not-available
 * and false is false, anything else not-available stays so; an error wins
 * over everything).  A left side that decides alone short-circuits.
 */
#ifndef HWH_EVAL_H
#define HWH_EVAL_H

#include "engine.h"

struct eval_ctx {
	struct engine *e;
	struct binding *b;
	const struct metric *m;	    /* NULL for an event stream */
	const struct eng_stream *s; /* NULL for a metric */
	struct hist *h;		    /* the target's history (its window cache is written) */
	int64_t now;
	bool evidence; /* record the first call of each function */
	double ev[RF_COUNT_FNS];
	unsigned have_ev;
	const char *why;	  /* first error, else first NA reason */
	bool why_err;		  /* why is an error */
	const struct rx_node *at; /* where */
};

/* Evaluate n. */
struct wval eval_expr(struct eval_ctx *c, const struct rx_node *n);
/* Bring the binding's buckets up to now, adding inc new errors to each. */
void eval_feed_buckets(struct eval_ctx *c, double inc);

#endif
