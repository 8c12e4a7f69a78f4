/*
 * engine: binding, evaluation, findings and the node state.  See engine.h.
 */
#include "engine.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "log.h"
#include "state.h"

#define STREAM_RAW 16 /* raw samples of an event stream's running total */

/* ---- weights and the findings list -------------------------------------- */

struct weight {
	double score;
	enum rule_severity sev;
};

static bool is_finding(const struct binding *b)
{
	return b->state >= BS_ACTIVE || b->last == ER_ERR;
}

static struct weight weight_of(const struct binding *b)
{
	if (b->state >= BS_ACTIVE)
		return (struct weight){b->rule->score, b->rule->severity};
	return (struct weight){ENG_ERR_SCORE, RSEV_WARNING}; /* evaluation error */
}

struct bind_extra *binding_extra(struct binding *b)
{
	if (b->x != NULL)
		return b->x;
	b->x = calloc(1, sizeof *b->x);
	if (b->x == NULL)
		return NULL;
	if (b->rule->nbuckets > 0) {
		b->x->buckets = calloc(b->rule->nbuckets, sizeof *b->x->buckets);
		if (b->x->buckets == NULL) {
			free(b->x);
			b->x = NULL;
		}
	}
	return b->x;
}

static void unlist(struct engine *e, struct binding *b)
{
	struct bind_extra *x = b->x;

	if (!b->listed)
		return;
	if (x->prev != NULL)
		x->prev->x->next = x->next;
	else
		e->findings = x->next;
	if (x->next != NULL)
		x->next->x->prev = x->prev;
	x->prev = x->next = NULL;
	b->listed = false;
	e->nfindings--;
}

void engine_relist(struct engine *e, struct binding *b)
{
	bool want = is_finding(b);

	if (want == b->listed)
		return;
	if (!want) {
		unlist(e, b);
		return;
	}
	if (binding_extra(b) == NULL) {
		log_err("out of memory: finding of rule %s not listed", b->rule->name);
		return;
	}
	b->x->prev = NULL;
	b->x->next = e->findings;
	if (e->findings != NULL)
		e->findings->x->prev = b;
	e->findings = b;
	b->listed = true;
	e->nfindings++;
}

static void free_bindings(struct engine *e, struct eng_target *t)
{
	for (uint32_t i = 0; i < t->nb; i++) {
		unlist(e, &t->b[i]);
		if (t->b[i].x != NULL)
			free(t->b[i].x->buckets);
		free(t->b[i].x);
	}
	e->nbindings -= t->nb;
	free(t->b);
	t->b = NULL;
	t->nb = 0;
}

/* ---- binding ------------------------------------------------------------ */

const char *eng_target_id(const struct eng_target *t)
{
	return t->m != NULL ? t->m->id : t->stream->id;
}

/* Is n certainly "not available" for m: does it use a limit m lacks? */
static bool certainly_na(const struct rx_node *n, const struct metric *m)
{
	switch (n->op) {
	case RX_NUM:
		return false;
	case RX_VAR:
		return n->u.var >= RV_LIMIT0 && isnan(m->limit[n->u.var - RV_LIMIT0]);
	case RX_CALL:
		return n->u.call.arg != NULL && certainly_na(n->u.call.arg, m);
	case RX_NEG:
	case RX_NOT:
		return certainly_na(n->u.bin.l, m);
	case RX_AND:
	case RX_OR:
		return certainly_na(n->u.bin.l, m) && certainly_na(n->u.bin.r, m);
	default:
		return certainly_na(n->u.bin.l, m) || certainly_na(n->u.bin.r, m);
	}
}

/* Can n never be true for m, whatever its values (three-valued logic)? */
static bool never_true(const struct rx_node *n, const struct metric *m)
{
	switch (n->op) {
	case RX_AND:
		return never_true(n->u.bin.l, m) || never_true(n->u.bin.r, m);
	case RX_OR:
		return never_true(n->u.bin.l, m) && never_true(n->u.bin.r, m);
	default:
		return certainly_na(n, m);
	}
}

/* Which limits m has: a binding's fit depends on them. */
static uint8_t limit_mask(const struct metric *m)
{
	uint8_t mask = 0;

	for (int l = 0; l < HWH_LIM_COUNT; l++)
		if (!isnan(m->limit[l]))
			mask |= (uint8_t)(1u << l);
	return mask;
}

/*
 * Does rule r apply to t?  Its matches must hold, and for a metric its
 * condition must be able to hold at all: "value >= crit" on a sensor
 * without a crit limit is never true, so it is not bound (most sensors lack
 * most of the six limits; binding the hardware rules to all of them would
 * double the cost of a cycle).  The target is rebound when its limits change.
 */
static bool rule_fits(const struct rule *r, const struct eng_target *t)
{
	const struct metric *m = t->m;
	const struct eng_stream *s = t->stream;

	if (!r->enabled || r->is_event != (m == NULL))
		return false;
	if (m != NULL)
		return rule_matches(r, m->source, m->device, m->name, kind_name(m->kind), m->unit,
				    m->label, NULL) &&
		       !never_true(r->when, m);
	return rule_matches(r, s->source, s->device, NULL, NULL, NULL, NULL, s->type);
}

/* Bind every fitting rule to t; keep the state of bindings in old (of the
 * same rule name).  0 or -ENOMEM. */
static int bind_target(struct engine *e, struct eng_target *t, struct binding *old, uint32_t nold)
{
	const struct ruleset *rs = e->rules;
	uint32_t n = 0;

	for (size_t i = 0; rs != NULL && i < rs->n; i++)
		n += rule_fits(rs->v[i], t);
	if (t->m != NULL)
		t->limits = limit_mask(t->m);
	t->b = n ? calloc(n, sizeof *t->b) : NULL;
	if (n && t->b == NULL)
		return -ENOMEM;
	t->nb = n;
	e->nbindings += n;
	n = 0;
	for (size_t i = 0; rs != NULL && i < rs->n; i++) {
		if (!rule_fits(rs->v[i], t))
			continue;
		struct binding *b = &t->b[n++];
		b->rule = rs->v[i];
		b->tgt = t;
		for (uint32_t j = 0; j < nold; j++) {
			if (old[j].rule == NULL || strcmp(old[j].rule->name, b->rule->name) != 0)
				continue;
			b->state = old[j].state;
			b->since_ms = old[j].since_ms;
			b->last = old[j].last;
			b->x = old[j].x; /* unlisted by the caller */
			old[j].x = NULL;
			if (b->x != NULL && old[j].rule->nbuckets != b->rule->nbuckets) {
				free(b->x->buckets);
				b->x->buckets = b->rule->nbuckets ? calloc(b->rule->nbuckets,
									   sizeof *b->x->buckets)
								  : NULL;
			}
		}
		if (nold == 0 && e->restore != NULL)
			restore_binding(e, b, eng_target_id(t));
		engine_relist(e, b);
	}
	return 0;
}

void engine_metric_new(struct metric *m, void *arg)
{
	struct engine *e = arg;
	struct eng_target *t = calloc(1, sizeof *t);

	if (t == NULL) {
		log_err("%s: out of memory: no rules bound", m->id);
		return;
	}
	if (e->ntargets == e->targets_cap) {
		size_t cap = e->targets_cap ? 2 * e->targets_cap : 256;
		struct eng_target **v = realloc(e->targets, cap * sizeof *v);
		if (v == NULL) {
			log_err("%s: out of memory: no rules bound", m->id);
			free(t);
			return;
		}
		e->targets = v;
		e->targets_cap = cap;
	}
	t->index = e->ntargets;
	e->targets[e->ntargets++] = t;
	t->m = m;
	m->eng = t;
	if (e->restore != NULL) {
		double total;
		struct hist *h =
		    restore_take_hist(e->restore, m->id, &total, &t->have_prev, &t->prev);
		if (h != NULL) {
			/* The store pushed this first sample already: once more into
			 * the restored history. */
			hist_free(m->hist);
			m->hist = h;
			hist_push(h, m->t_mono_ms, m->value);
		}
	}
	if (bind_target(e, t, NULL, 0) < 0)
		log_err("%s: out of memory: no rules bound", m->id);
}

void engine_metric_free(struct metric *m, void *arg)
{
	struct engine *e = arg;

	struct eng_target *t = m->eng;

	if (t == NULL)
		return;
	/* Out of the vector: the last one takes its place. */
	e->targets[t->index] = e->targets[--e->ntargets];
	e->targets[t->index]->index = t->index;
	free_bindings(e, t);
	free(t);
	m->eng = NULL;
}

static void rebind(struct engine *e, struct eng_target *t)
{
	struct binding *old = t->b;
	uint32_t nold = t->nb;

	for (uint32_t i = 0; i < nold; i++)
		unlist(e, &old[i]);
	e->nbindings -= nold;
	t->b = NULL;
	t->nb = 0;
	if (bind_target(e, t, old, nold ? nold : 0) < 0)
		log_err("%s: out of memory: no rules bound", eng_target_id(t));
	for (uint32_t i = 0; i < nold; i++) {
		if (old[i].x != NULL)
			free(old[i].x->buckets);
		free(old[i].x);
	}
	free(old);
}

/* ---- event streams ------------------------------------------------------ */

struct eng_stream *engine_stream(struct engine *e, const char *source, const char *device,
				 const char *type)
{
	struct eng_stream *s;

	for (size_t i = 0; i < e->nstreams; i++) {
		s = e->streams[i];
		if (!strcmp(s->type, type) && !strcmp(s->device, device) &&
		    !strcmp(s->source, source))
			return s;
	}
	if (e->nstreams == e->streams_cap) {
		size_t cap = e->streams_cap ? 2 * e->streams_cap : 16;
		struct eng_stream **v = realloc(e->streams, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		e->streams = v;
		e->streams_cap = cap;
	}
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return NULL;
	s->source = strdup(source);
	s->device = strdup(device);
	s->type = strdup(type);
	if (s->source && s->device && s->type &&
	    asprintf(&s->id, "%s/%s/%s", source, device, type) < 0)
		s->id = NULL;
	s->t.stream = s;
	if (s->id != NULL && e->restore != NULL)
		s->cum =
		    restore_take_hist(e->restore, s->id, &s->total, &s->t.have_prev, &s->t.prev);
	if (s->cum == NULL)
		s->cum = hist_new(STREAM_RAW);
	if (!s->source || !s->device || !s->type || !s->id || !s->cum ||
	    bind_target(e, &s->t, NULL, 0) < 0) {
		free_bindings(e, &s->t);
		hist_free(s->cum);
		free(s->source), free(s->device), free(s->type), free(s->id), free(s);
		return NULL;
	}
	e->streams[e->nstreams++] = s;
	return s;
}

void engine_event(struct engine *e, const char *source, const char *device, const char *type,
		  int64_t now_mono)
{
	struct eng_stream *s = engine_stream(e, source, device, type);

	if (s == NULL) {
		log_err("out of memory: event %s/%s/%s not counted", source, device, type);
		return;
	}
	/* The total before and after, so a window's minimum is the count before it. */
	hist_push(s->cum, now_mono, s->total);
	s->total += 1;
	hist_push(s->cum, now_mono, s->total);
}

/* ---- evaluation --------------------------------------------------------- */

static void weigh(struct engine *e);

static void emit(struct engine *e, enum eng_change_kind kind, const struct binding *b, int64_t now,
		 int64_t wall)
{
	struct eng_change c = {.kind = kind, .t_mono_ms = now, .t_wall_ms = wall, .b = b};

	if (e->on_change == NULL)
		return;
	c.target = eng_target_id(b->tgt);
	weigh(e); /* the score with this change */
	c.score = engine_score(e);
	e->on_change(e->arg, &c);
}

static enum eval_result result_of(struct wval w)
{
	if (w.st == WV_ERR)
		return ER_ERR;
	if (w.st == WV_NA)
		return ER_NA;
	return w.v != 0 ? ER_TRUE : ER_FALSE;
}

/* Should an active finding clear now?  -1 if it cannot tell. */
static int clear_holds(struct eval_ctx *c, enum eval_result when)
{
	if (c->b->rule->clear == NULL)
		return when == ER_FALSE ? 1 : when == ER_TRUE ? 0 : -1;
	c->evidence = false;
	enum eval_result r = result_of(eval_expr(c, c->b->rule->clear));
	return r == ER_TRUE ? 1 : r == ER_FALSE ? 0 : -1;
}

/* Keep the evidence of this evaluation and the message made from it. */
static void keep_evidence(struct binding *b, const struct eval_ctx *c)
{
	if (b->x == NULL)
		return;
	memcpy(b->x->ev, c->ev, sizeof c->ev);
	b->x->have_ev = c->have_ev;
	engine_render(b, b->x->msg, sizeof b->x->msg);
}

static void fire(struct engine *e, const struct eval_ctx *c, int64_t wall)
{
	struct binding *b = c->b;

	b->state = BS_ACTIVE;
	if (binding_extra(b) != NULL) {
		b->x->active_wall_ms = wall;
		keep_evidence(b, c);
	}
	engine_relist(e, b);
	emit(e, EC_FIRE, b, c->now, wall);
}

/* One step of the state machine in engine.h. */
static void step(struct engine *e, struct eval_ctx *c, enum eval_result when, int64_t wall)
{
	struct binding *b = c->b;
	int64_t now = c->now;
	int clr;

	switch (b->state) {
	case BS_IDLE:
		if (when == ER_TRUE) {
			b->since_ms = now;
			if (b->rule->for_ms <= 0)
				fire(e, c, wall);
			else
				b->state = BS_PENDING;
		}
		break;
	case BS_PENDING:
		if (when == ER_FALSE)
			b->state = BS_IDLE;
		else if (when == ER_TRUE && now - b->since_ms >= b->rule->for_ms)
			fire(e, c, wall);
		break;
	case BS_ACTIVE:
	case BS_CLEARING:
		clr = clear_holds(c, when);
		if (clr == 0) {
			b->state = BS_ACTIVE;
		} else if (clr == 1) {
			if (b->state == BS_ACTIVE) {
				b->state = BS_CLEARING;
				b->since_ms = now;
			}
			if (now - b->since_ms >= b->rule->clear_after_ms) {
				b->state = BS_IDLE;
				engine_relist(e, b);
				emit(e, EC_CLEAR, b, now, wall);
			}
		}
		break;
	}
}

static void note_error(struct engine *e, struct eval_ctx *c, enum eval_result was, int64_t wall)
{
	struct binding *b = c->b;

	if (binding_extra(b) == NULL)
		return;
	if (c->at != NULL)
		snprintf(b->x->msg, sizeof b->x->msg, "rule %s cannot be evaluated: %s (%s:%d:%d)",
			 b->rule->name, c->why ? c->why : "error", b->rule->file, c->at->line,
			 c->at->col);
	else
		snprintf(b->x->msg, sizeof b->x->msg, "rule %s cannot be evaluated: %s",
			 b->rule->name, c->why ? c->why : "error");
	if (was != ER_ERR) {
		e->eval_errors++;
		engine_relist(e, b);
		emit(e, EC_ERROR, b, c->now, wall);
	}
}

static void eval_binding(struct engine *e, struct binding *b, const struct metric *m,
			 const struct eng_stream *s, double inc, int64_t now, int64_t wall)
{
	struct eval_ctx c; /* not zeroed whole: ev[] is only read where have_ev says */
	enum eval_result was = b->last, when;

	c.e = e;
	c.b = b;
	c.m = m;
	c.s = s;
	c.h = m ? m->hist : s->cum;
	c.now = now;
	c.evidence = true;
	c.have_ev = 0;
	c.why = NULL;
	c.why_err = false;
	c.at = NULL;

	if (b->rule->nbuckets > 0) {
		if (binding_extra(b) == NULL)
			return;
		if (s != NULL) {
			inc = s->total - b->x->seen_events;
			b->x->seen_events = s->total;
		}
		eval_feed_buckets(&c, inc);
	}
	when = result_of(eval_expr(&c, b->rule->when));
	if (when != ER_ERR)
		step(e, &c, when, wall);
	b->last = when == ER_ERR || !c.why_err ? when : ER_ERR;
	if (b->last == ER_ERR) {
		note_error(e, &c, was, wall);
		return;
	}
	if (was == ER_ERR) {
		engine_relist(e, b);
		emit(e, EC_ERROR_GONE, b, now, wall);
	}
	/* The message keeps the evidence of the last time the rule held, not
	 * the numbers that are clearing it. */
	if (b->state >= BS_ACTIVE && when == ER_TRUE)
		keep_evidence(b, &c);
}

static void eval_target(struct engine *e, struct eng_target *t, int64_t now, int64_t wall)
{
	double inc = 0;
	const struct metric *m = t->m;

	e->eval_gen++; /* windows read for the previous target are not ours */
	if (m != NULL) {
		t->seen_updates = m->updates;
		if (limit_mask(m) != t->limits)
			rebind(e, t); /* rules that could not hold may now, or the reverse */
		if (!isnan(m->value)) {
			if (t->have_prev && m->value > t->prev)
				inc = m->value - t->prev;
			t->prev = m->value;
			t->have_prev = true;
		}
	}
	for (uint32_t i = 0; i < t->nb; i++)
		eval_binding(e, &t->b[i], m, t->stream, inc, now, wall);
}

void engine_eval_metric(struct engine *e, struct metric *m, int64_t now_mono, int64_t now_wall)
{
	if (m->eng != NULL)
		eval_target(e, m->eng, now_mono, now_wall);
}

/* ---- node state --------------------------------------------------------- */

static const enum node_state sev_state[RSEV_COUNT] = {
    [RSEV_INFO] = NODE_GREEN,
    [RSEV_WARNING] = NODE_YELLOW,
    [RSEV_CRITICAL] = NODE_RED,
    [RSEV_FATAL] = NODE_CRITICAL,
};

static enum node_state score_state(const struct engine_cfg *cfg, double score)
{
	if (score >= cfg->score_critical)
		return NODE_CRITICAL;
	if (score >= cfg->score_red)
		return NODE_RED;
	if (score >= cfg->score_yellow)
		return NODE_YELLOW;
	return NODE_GREEN;
}

double engine_score(const struct engine *e)
{
	return e->rule_score + e->live_score;
}

enum node_state engine_target(const struct engine *e)
{
	enum node_state st = e->live_state, sc = score_state(&e->cfg, engine_score(e));

	for (unsigned s = 0; s < RSEV_COUNT; s++)
		if (e->nsev[s] > 0 && sev_state[s] > st)
			st = sev_state[s];
	return sc > st ? sc : st;
}

static void set_state(struct engine *e, enum node_state to, int64_t now, int64_t wall)
{
	struct eng_change c = {
	    .kind = EC_STATE, .t_mono_ms = now, .t_wall_ms = wall, .from = e->state, .to = to};

	e->state = to;
	e->state_since_wall_ms = wall;
	e->lowering = false;
	c.score = engine_score(e);
	if (e->on_change != NULL)
		e->on_change(e->arg, &c);
}

/*
 * Sum the findings' weights into rule_score and nsev.  A rule counts once,
 * with its heaviest finding: the same rule firing on sixteen cores is one
 * problem seen sixteen times, not sixteen problems (and would otherwise push
 * a hot CPU from red to critical by itself).
 */
static void weigh(struct engine *e)
{
	size_t n = e->rules ? e->rules->n : 0;

	e->rule_score = 0;
	memset(e->nsev, 0, sizeof e->nsev);
	if (++e->gen == 0) { /* wrapped: every mark is stale now */
		memset(e->mark, 0, n * sizeof *e->mark);
		e->gen = 1;
	}
	for (const struct binding *b = e->findings; b != NULL; b = b->x->next) {
		struct weight w = weight_of(b);
		unsigned i = b->rule->index;
		e->nsev[w.sev]++;
		if (i >= n || e->mark == NULL) {
			e->rule_score += w.score;
		} else if (e->mark[i] != e->gen) {
			e->mark[i] = e->gen;
			e->rule_max[i] = w.score;
			e->rule_score += w.score;
		} else if (w.score > e->rule_max[i]) {
			e->rule_score += w.score - e->rule_max[i];
			e->rule_max[i] = w.score;
		}
	}
}

void engine_update_state(struct engine *e, int64_t now_mono, int64_t now_wall)
{
	enum node_state target;

	weigh(e);
	target = engine_target(e);
	if (e->state_since_wall_ms == 0)
		e->state_since_wall_ms = now_wall; /* green from the start */
	if (target > e->state) {
		set_state(e, target, now_mono, now_wall);
	} else if (target == e->state || now_mono < e->hold_until_ms) {
		e->lowering = false; /* (held: restored findings are not back yet) */
	} else if (!e->lowering) {
		e->lowering = true;
		e->lower_since_ms = now_mono;
		if (e->cfg.recover_ms <= 0)
			set_state(e, target, now_mono, now_wall);
	} else if (now_mono - e->lower_since_ms >= e->cfg.recover_ms) {
		set_state(e, target, now_mono, now_wall);
	}
}

void engine_set_liveness(struct engine *e, enum node_state st, double score)
{
	e->live_state = st;
	e->live_score = score;
}

void engine_tick(struct engine *e, int64_t now_mono, int64_t now_wall)
{
	for (size_t i = 0; i < e->nstreams; i++)
		eval_target(e, &e->streams[i]->t, now_mono, now_wall);
	engine_update_state(e, now_mono, now_wall);
}

void engine_cycle(struct engine *e, int64_t now_mono, int64_t now_wall)
{
	/* The targets' vector, not the store's hash table: a dense walk. */
	for (size_t i = 0; i < e->ntargets; i++) {
		struct eng_target *t = e->targets[i];
		const struct metric *m = t->m;

		if (t->seen_updates == m->updates)
			continue;
		if (e->on_sample != NULL)
			e->on_sample(e->arg, m);
		eval_target(e, t, now_mono, now_wall);
	}
	engine_tick(e, now_mono, now_wall);
}

/* ---- rules, set-up ------------------------------------------------------ */

static void rebind_all(struct engine *e)
{
	for (size_t i = 0; i < e->ntargets; i++)
		rebind(e, e->targets[i]);
	for (size_t i = 0; i < e->nstreams; i++)
		rebind(e, &e->streams[i]->t);
}

/* Number the rules and size the per-rule scratch of weigh(). */
static int index_rules(struct engine *e, struct ruleset *rules)
{
	size_t n = rules ? rules->n : 0;
	double *mx = calloc(n ? n : 1, sizeof *mx);
	uint32_t *mark = calloc(n ? n : 1, sizeof *mark);

	if (mx == NULL || mark == NULL) {
		free(mx);
		free(mark);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		rules->v[i]->index = (unsigned)i;
	free(e->rule_max);
	free(e->mark);
	e->rule_max = mx;
	e->mark = mark;
	e->gen = 0;
	return 0;
}

int engine_set_rules(struct engine *e, struct ruleset *rules)
{
	struct ruleset *old = e->rules;

	if (index_rules(e, rules) < 0)
		return -ENOMEM;
	e->rules = rules;
	rebind_all(e);
	ruleset_free(old);
	return 0;
}

void engine_set_cfg(struct engine *e, const struct engine_cfg *cfg)
{
	e->cfg = *cfg;
}

int engine_init(struct engine *e, struct ruleset *rules, const struct engine_cfg *cfg,
		struct metric_store *ms)
{
	memset(e, 0, sizeof *e);
	e->cfg = *cfg;
	e->ms = ms;
	if (index_rules(e, rules) < 0)
		return -ENOMEM;
	e->rules = rules;
	return 0;
}

void engine_destroy(struct engine *e)
{
	while (e->ntargets > 0) /* each one leaves the vector */
		engine_metric_free(e->targets[e->ntargets - 1]->m, e);
	for (size_t i = 0; i < e->nstreams; i++) {
		struct eng_stream *s = e->streams[i];
		free_bindings(e, &s->t);
		hist_free(s->cum);
		free(s->source), free(s->device), free(s->type), free(s->id), free(s);
	}
	free(e->streams);
	free(e->targets);
	free(e->rule_max);
	free(e->mark);
	restore_free(e->restore);
	ruleset_free(e->rules);
	memset(e, 0, sizeof *e);
}

size_t engine_rule_targets(const struct engine *e, const struct rule *r,
			   void (*fn)(void *arg, const struct eng_target *t), void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < e->ntargets + e->nstreams; i++) {
		const struct eng_target *t =
		    i < e->ntargets ? e->targets[i] : &e->streams[i - e->ntargets]->t;
		for (uint32_t j = 0; j < t->nb; j++)
			if (t->b[j].rule == r && ++n && fn != NULL)
				fn(arg, t);
	}
	return n;
}
