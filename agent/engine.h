/*
 * engine: rules applied to metrics and event streams; findings; the node's
 * health score and state.
 *
 * Binding.  When a metric first appears (or the rules change) every rule
 * whose matches hold is bound to it once: matching is never redone per
 * cycle.  Events are grouped into streams by (source, device, type); event
 * rules bind to streams the same way.
 *
 * Evaluation.  A metric's bindings are evaluated when it has a new sample,
 * event streams' every cycle (their buckets leak and windows slide even
 * without new events).  An expression gives a number, "not available"
 * (missing limit, unreadable value, too little history: the binding keeps
 * its state) or an evaluation error (division by zero, a NaN result: the
 * binding turns into a warning finding naming the rule, metric and reason,
 * because unknown is not healthy).
 *
 * Each binding is a small state machine:
 *
 *   idle --when true--> pending --true for `for`--> active
 *   active --clear true (default: when false)--> clearing
 *   clearing --clear true for `clear after`--> idle;  --clear false--> active
 *   pending --when false--> idle
 *
 * Active and clearing bindings are findings.  The node score is the sum,
 * over the rules, of each rule's heaviest finding (plus liveness problems
 * the daemon reports); its
 * state is the worse of the score's level (thresholds) and the worst
 * finding's severity (warning: yellow, critical: red, fatal: critical).
 * The state rises at once and falls only after the target has stayed lower
 * for recover_ms.
 *
 * Time: every call takes "now" on one clock (the daemon: CLOCK_MONOTONIC;
 * replay: the trace's clock) plus the wall time for display.  Not
 * thread-safe: the daemon calls it under the metric store's lock.
 */
#ifndef HWH_ENGINE_H
#define HWH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "events.h"
#include "health.h"
#include "history.h"
#include "metrics.h"
#include "rules.h"
#include "statefile.h"
#include "window.h"

#define ENG_MSG_MAX 256
#define ENG_ERR_SCORE 10.0 /* an evaluation error weighs as a warning */
#define ENG_WCACHE 4	   /* distinct windows kept while one target is evaluated */

struct engine_cfg {
	double score_yellow; /* score at which the node is at least yellow */
	double score_red;
	double score_critical;
	int64_t recover_ms; /* a lower state must hold this long before the node falls */
};

/* Binding states. */
enum bind_state { BS_IDLE = 0, BS_PENDING, BS_ACTIVE, BS_CLEARING };
/* Result of the last evaluation. */
enum eval_result { ER_NONE = 0, ER_FALSE, ER_TRUE, ER_NA, ER_ERR };

struct eng_target;

/* Per-binding data needed only by some: buckets, findings, errors. */
struct bind_extra {
	struct leaky_bucket *buckets; /* rule->nbuckets */
	double seen_events;	      /* event rules: stream total fed to buckets */
	int64_t active_wall_ms;	      /* finding since (wall) */
	double ev[RF_COUNT_FNS];      /* evidence: first call of each function */
	unsigned have_ev;	      /* bit (1 << RF_x) when ev[x] is set */
	char msg[ENG_MSG_MAX];	      /* finding message, or the evaluation error */
	struct binding *prev, *next;  /* list of findings (active/clearing/error) */
};

struct binding {
	const struct rule *rule;
	struct eng_target *tgt;
	int64_t since_ms;     /* pending / clearing since (engine clock) */
	struct bind_extra *x; /* NULL until needed */
	uint8_t state;	      /* enum bind_state */
	uint8_t last;	      /* enum eval_result */
	bool listed;	      /* in the findings list */
};

/* What the engine keeps per metric or event stream. */
struct eng_target {
	struct metric *m;	   /* NULL for an event stream */
	struct eng_stream *stream; /* NULL for a metric */
	struct binding *b;
	uint32_t nb;
	bool have_prev;
	uint8_t limits;	       /* limits the metric had when bound (bit per enum hwh_limit) */
	double prev;	       /* counter value at the last evaluation */
	uint64_t seen_updates; /* m->updates at the last evaluation */
	size_t index;	       /* in engine.targets (metrics only) */
};

/* Events of one (source, device, type). */
struct eng_stream {
	char *source, *device, *type;
	char *id;	  /* "source/device/type" */
	double total;	  /* events seen */
	struct hist *cum; /* total over time */
	struct eng_target t;
};

/* A change the engine reports (replay prints them, the daemon logs them). */
enum eng_change_kind { EC_FIRE, EC_CLEAR, EC_ERROR, EC_ERROR_GONE, EC_STATE };
struct eng_change {
	enum eng_change_kind kind;
	int64_t t_mono_ms, t_wall_ms;
	const struct binding *b;  /* not for EC_STATE */
	const char *target;	  /* metric id or stream id, not for EC_STATE */
	enum node_state from, to; /* EC_STATE */
	double score;		  /* node score after the change */
};

struct engine {
	struct ruleset *rules; /* owned */
	struct engine_cfg cfg;
	struct metric_store *ms;     /* borrowed */
	struct eng_target **targets; /* every metric's target, for the cycle's walk */
	size_t ntargets, targets_cap;
	struct eng_stream **streams;
	size_t nstreams, streams_cap;
	struct binding *findings; /* list head: active, clearing, error */
	size_t nfindings;
	double rule_score;	   /* sum over findings */
	unsigned nsev[RSEV_COUNT]; /* findings per severity (errors count as warnings) */
	double live_score;	   /* liveness problems, from the daemon */
	enum node_state live_state;
	enum node_state state; /* the node's state */
	int64_t state_since_wall_ms;
	int64_t hold_until_ms;	/* restored state: no falling before this */
	bool lowering;		/* the target has been below state ... */
	int64_t lower_since_ms; /* ... since then (engine clock) */
	uint64_t event_seq;	/* last event consumed from the ring */
	uint64_t eval_errors;	/* evaluation errors so far */
	size_t nbindings;
	void (*on_change)(void *arg, const struct eng_change *c);
	void (*on_sample)(void *arg, const struct metric *m); /* engine_cycle: new sample */
	void *arg;
	struct eng_restore *restore; /* state file contents not yet claimed */
	double *rule_max;	     /* weigh(): heaviest finding per rule ... */
	uint32_t *mark;		     /* ... valid where mark == gen */
	uint32_t gen;
	struct eng_wcache { /* windows read during one target's evaluation */
		uint64_t gen;
		int64_t w_ms;
		struct hist_summary sum;
		bool fitted; /* fit / fit_r hold wsum_fit() of the window */
		struct wval fit_r;
		struct wfit fit;
	} wc[ENG_WCACHE];
	unsigned wc_next;  /* round robin */
	uint64_t eval_gen; /* bumped per target evaluation */
};

/* Start with rules (owned from now on, may be NULL = none) over store ms.
 * 0 or -ENOMEM. */
int engine_init(struct engine *e, struct ruleset *rules, const struct engine_cfg *cfg,
		struct metric_store *ms);
void engine_destroy(struct engine *e);
/* Replace the rules (owned): every target is rebound; bindings of a rule
 * that keeps its name keep their state.  0 or -ENOMEM (old rules kept). */
int engine_set_rules(struct engine *e, struct ruleset *rules);
void engine_set_cfg(struct engine *e, const struct engine_cfg *cfg);

/* A metric was created (store lock held): adopt restored history. Set as
 * the store's on_new hook. */
void engine_metric_new(struct metric *m, void *arg);
/* A metric is being freed: forget its bindings. Set as the store's on_free hook. */
void engine_metric_free(struct metric *m, void *arg);

/* Evaluate everything that changed (store lock held): bind new metrics,
 * evaluate metrics with new samples, every event stream, and recompute the
 * node state.  now_mono / now_wall in ms. */
void engine_cycle(struct engine *e, int64_t now_mono, int64_t now_wall);
/* Evaluate one metric now (replay's per-sample path). */
void engine_eval_metric(struct engine *e, struct metric *m, int64_t now_mono, int64_t now_wall);
/* Feed one event (replay and the daemon's event ring reader). */
void engine_event(struct engine *e, const char *source, const char *device, const char *type,
		  int64_t now_mono);
/* Evaluate every event stream and update the node state. */
void engine_tick(struct engine *e, int64_t now_mono, int64_t now_wall);
/* Recompute the node state from the findings (cheap: O(findings)). */
void engine_update_state(struct engine *e, int64_t now_mono, int64_t now_wall);
/* Liveness problems the daemon found (sources down, stale metrics): they
 * weigh in the node state. */
void engine_set_liveness(struct engine *e, enum node_state st, double score);

double engine_score(const struct engine *e);
/* The state the findings point at right now (before the recovery delay). */
enum node_state engine_target(const struct engine *e);

/* Render a binding's message (template filled with evidence) into buf. */
void engine_render(const struct binding *b, char *buf, size_t n);
/* The target's id. */
const char *eng_target_id(const struct eng_target *t);
/* Bindings of a rule: calls fn for each target it is bound to. */
size_t engine_rule_targets(const struct engine *e, const struct rule *r,
			   void (*fn)(void *arg, const struct eng_target *t), void *arg);

/* Format seconds as "1h2m", "12m30s", "45s", "inf". */
void eng_fmt_duration(double s, char *buf, size_t n);

/* state.c: the engine's part of the state file. */
/* Serialize everything worth keeping into b. */
void engine_save(const struct engine *e, struct sf_buf *b, int64_t now_mono, int64_t now_wall);
/* Load a payload: node state now, metric history and bindings when their
 * metric appears.  0, or -1 with err (then nothing was taken). */
int engine_load(struct engine *e, const void *payload, size_t len, int64_t now_mono,
		int64_t now_wall, char *err, size_t errlen);

#endif
