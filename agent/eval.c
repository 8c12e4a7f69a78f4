/*
 * eval: rule expressions over one target.  See eval.h.
 */
#include "eval.h"

#include <fnmatch.h>
#include <math.h>
#include <string.h>

static struct wval ok(double v)
{
	return (struct wval){.st = WV_OK, .v = v};
}

static struct wval na(struct eval_ctx *c, const struct rx_node *at, const char *why)
{
	if (c->why == NULL) {
		c->why = why;
		c->at = at;
	}
	return (struct wval){.st = WV_NA, .v = NAN, .why = why};
}

static struct wval err(struct eval_ctx *c, const struct rx_node *at, const char *why)
{
	/* The first error is the one reported, even after a "not available". */
	if (!c->why_err) {
		c->why = why;
		c->at = at;
		c->why_err = true;
	}
	return (struct wval){.st = WV_ERR, .v = NAN, .why = why};
}

/* A function result: errors and NA are recorded with their position. */
static struct wval checked(struct eval_ctx *c, const struct rx_node *at, struct wval r)
{
	if (r.st == WV_NA)
		return na(c, at, r.why);
	if (r.st == WV_ERR || isnan(r.v))
		return err(c, at, r.why ? r.why : "result is not a number");
	return r;
}

/* Variables and comparisons are most of what a cycle evaluates (seven
 * bindings a metric, most of them "value >= limit"): inlined, they save
 * about a tenth of a cycle (bench/ANALYSIS.md). */
#define EVAL_HOT static inline __attribute__((always_inline))

EVAL_HOT struct wval eval_var(struct eval_ctx *c, const struct rx_node *n)
{
	const struct metric *m = c->m;

	if (m == NULL) /* event stream: value is the number of events seen */
		return n->u.var == RV_VALUE ? ok(c->s->total)
					    : na(c, n, "no such value for events");
	switch (n->u.var) {
	case RV_VALUE:
		return isnan(m->value) ? na(c, n, "value unreadable") : ok(m->value);
	case RV_ALARM:
		return ok((m->flags & HWH_F_ALARM) ? 1 : 0);
	case RV_FAULT:
		return ok((m->flags & HWH_F_FAULT) ? 1 : 0);
	default: {
		unsigned lim = (unsigned)n->u.var - RV_LIMIT0;
		if (lim >= HWH_LIM_COUNT || isnan(m->limit[lim]))
			return na(c, n, "limit not provided by the hardware");
		return ok(m->limit[lim]);
	}
	}
}

/* Events of the stream in the window: total now minus total at its start
 * (0 before the stream's first event). */
static double stream_count(const struct eng_stream *s, int64_t now, int64_t w_ms)
{
	double before = hist_value_at(s->cum, now - w_ms);

	return s->total - (isnan(before) ? 0 : before);
}

static struct wval eval_count(struct eval_ctx *c, const struct rx_node *n)
{
	const char *glob = n->u.call.glob;
	const char *src = c->m ? c->m->source : c->s->source;
	double sum = 0;

	if (glob == NULL)
		return c->s ? ok(stream_count(c->s, c->now, n->u.call.window_ms))
			    : na(c, n, "count(W) needs an event rule");
	for (size_t i = 0; i < c->e->nstreams; i++) {
		const struct eng_stream *s = c->e->streams[i];
		if (strcmp(s->source, src) == 0 && fnmatch(glob, s->type, 0) == 0)
			sum += stream_count(s, c->now, n->u.call.window_ms);
	}
	return ok(sum);
}

/*
 * The points of window w of the target being evaluated.  The rules bound to
 * one metric mostly read the same few windows (temp-rising and
 * temp-fast-rise both read 10m and 2m), so the last ENG_WCACHE windows
 * read for this target are kept until the next target.
 */
static struct eng_wcache *window(struct eval_ctx *c, int64_t w)
{
	struct engine *e = c->e;
	unsigned k;

	for (k = 0; k < ENG_WCACHE; k++)
		if (e->wc[k].gen == e->eval_gen && e->wc[k].w_ms == w)
			return &e->wc[k];
	k = e->wc_next++ % ENG_WCACHE;
	e->wc[k].gen = e->eval_gen;
	e->wc[k].w_ms = w;
	e->wc[k].fitted = false;
	hist_window_summary(c->h, c->now, w, &e->wc[k].sum);
	return &e->wc[k];
}

/* The least-squares line of a window, fitted once per target evaluation. */
static struct wval fitted(struct eval_ctx *c, struct eng_wcache *wc)
{
	if (!wc->fitted) {
		wc->fit_r = wsum_fit(&wc->sum, c->now, &wc->fit);
		wc->fitted = true;
	}
	return wc->fit_r;
}

/* The history functions, over the window's summary. */
static struct wval eval_window_fn(struct eval_ctx *c, const struct rx_node *n, double thr)
{
	struct eng_wcache *wc = window(c, n->u.call.window_ms);
	struct wval f;

	switch (n->u.call.fn) {
	case RF_AVG:
		return wsum_avg(&wc->sum);
	case RF_MIN:
		return wsum_min(&wc->sum);
	case RF_MAX:
		return wsum_max(&wc->sum);
	case RF_DELTA:
		return wsum_delta(&wc->sum);
	case RF_RATE:
		return wsum_rate(&wc->sum);
	default:
		break;
	}
	f = fitted(c, wc);
	if (f.st != WV_OK)
		return f;
	switch (n->u.call.fn) {
	case RF_SLOPE:
		return f;
	case RF_PREDICT:
		return wsum_predict(&wc->fit, n->u.call.horizon_ms);
	case RF_ETA:
		return wsum_eta(&wc->sum, c->now, thr, &wc->fit);
	default:
		return (struct wval){.st = WV_ERR, .v = NAN, .why = "unknown function"};
	}
}

/* A prediction's slope is evidence too (${slope} in its message): the
 * same window's fit. */
static void slope_evidence(struct eval_ctx *c, const struct rx_node *n)
{
	struct eng_wcache *wc;
	struct wval s;

	if (!c->evidence || (c->have_ev & (1u << RF_SLOPE)))
		return;
	wc = window(c, n->u.call.window_ms);
	s = fitted(c, wc);
	if (s.st == WV_OK) {
		c->ev[RF_SLOPE] = s.v;
		c->have_ev |= 1u << RF_SLOPE;
	}
}

static struct wval eval_call(struct eval_ctx *c, const struct rx_node *n)
{
	struct wval arg = {.st = WV_OK};
	struct wval r;

	if (n->u.call.arg != NULL) {
		arg = eval_expr(c, n->u.call.arg);
		if (arg.st != WV_OK)
			return arg;
	}
	switch (n->u.call.fn) {
	case RF_ABS:
		return ok(fabs(arg.v));
	case RF_COUNT:
		r = eval_count(c, n);
		break;
	case RF_BUCKET:
		r = ok(c->b->x && c->b->x->buckets ? c->b->x->buckets[n->u.call.slot].level : 0);
		break;
	default:
		if (c->h == NULL)
			return na(c, n, "no history");
		r = checked(c, n, eval_window_fn(c, n, arg.v));
		if (r.st == WV_OK && (n->u.call.fn == RF_ETA || n->u.call.fn == RF_PREDICT))
			slope_evidence(c, n);
		break;
	}
	if (r.st == WV_OK && c->evidence && !(c->have_ev & (1u << n->u.call.fn))) {
		c->ev[n->u.call.fn] = r.v;
		c->have_ev |= 1u << n->u.call.fn;
	}
	return r;
}

/* Three-valued logic: see eval.h.  A known left side that decides alone
 * (false and ..., true or ...) spares the right side: rules put their cheap
 * tests first.  Buckets do not mind (eval_feed_buckets() feeds them all). */
static struct wval eval_logic(struct eval_ctx *c, const struct rx_node *n)
{
	struct wval l = eval_expr(c, n->u.bin.l), r;
	bool is_and = n->op == RX_AND;

	if (l.st == WV_OK && (l.v != 0) != is_and)
		return ok(is_and ? 0 : 1);
	r = eval_expr(c, n->u.bin.r);
	if (l.st == WV_ERR || r.st == WV_ERR)
		return l.st == WV_ERR ? l : r;
	if (l.st == WV_OK && r.st == WV_OK)
		return ok(is_and ? (l.v != 0 && r.v != 0) : (l.v != 0 || r.v != 0));
	/* One side is not available: the other may decide alone. */
	if (r.st == WV_OK && (r.v != 0) == !is_and)
		return ok(is_and ? 0 : 1);
	return l.st == WV_NA ? l : r;
}

/* Numbers and variables without a call: most operands are. */
static inline struct wval operand(struct eval_ctx *c, const struct rx_node *n)
{
	if (n->op == RX_NUM)
		return ok(n->u.num);
	if (n->op == RX_VAR)
		return eval_var(c, n);
	return eval_expr(c, n);
}

EVAL_HOT struct wval eval_arith(struct eval_ctx *c, const struct rx_node *n)
{
	struct wval l = operand(c, n->u.bin.l), r = operand(c, n->u.bin.r);
	double v;

	if (l.st != WV_OK || r.st != WV_OK)
		return l.st == WV_ERR ? l : r.st == WV_ERR ? r : l.st != WV_OK ? l : r;
	switch (n->op) {
	case RX_ADD:
		v = l.v + r.v;
		break;
	case RX_SUB:
		v = l.v - r.v;
		break;
	case RX_MUL:
		v = l.v * r.v;
		break;
	case RX_DIV:
		if (r.v == 0)
			return err(c, n, "division by zero");
		v = l.v / r.v;
		break;
	case RX_LT:
		v = l.v < r.v;
		break;
	case RX_LE:
		v = l.v <= r.v;
		break;
	case RX_GT:
		v = l.v > r.v;
		break;
	case RX_GE:
		v = l.v >= r.v;
		break;
	case RX_EQ:
		v = l.v == r.v;
		break;
	case RX_NE:
		v = l.v != r.v;
		break;
	default:
		return err(c, n, "unknown operator");
	}
	/* inf - inf, 0 * inf: not a number is an error, never "false". */
	return isnan(v) ? err(c, n, "result is not a number") : ok(v);
}

struct wval eval_expr(struct eval_ctx *c, const struct rx_node *n)
{
	struct wval v;

	switch (n->op) {
	case RX_NUM:
		return ok(n->u.num);
	case RX_VAR:
		return eval_var(c, n);
	case RX_CALL:
		return eval_call(c, n);
	case RX_NEG:
		v = eval_expr(c, n->u.bin.l);
		return v.st == WV_OK ? ok(-v.v) : v;
	case RX_NOT:
		v = eval_expr(c, n->u.bin.l);
		return v.st == WV_OK ? ok(v.v == 0) : v;
	case RX_AND:
	case RX_OR:
		return eval_logic(c, n);
	default:
		return eval_arith(c, n);
	}
}

static void feed_tree(struct eval_ctx *c, const struct rx_node *n, double inc)
{
	if (n == NULL)
		return;
	switch (n->op) {
	case RX_NUM:
	case RX_VAR:
		return;
	case RX_CALL:
		if (n->u.call.fn == RF_BUCKET)
			bucket_add(&c->b->x->buckets[n->u.call.slot], n->u.call.capacity,
				   n->u.call.window_ms, c->now, inc);
		feed_tree(c, n->u.call.arg, inc);
		return;
	default:
		feed_tree(c, n->u.bin.l, inc);
		feed_tree(c, n->u.bin.r, inc);
	}
}

void eval_feed_buckets(struct eval_ctx *c, double inc)
{
	if (c->b->x == NULL || c->b->x->buckets == NULL)
		return;
	feed_tree(c, c->b->rule->when, inc);
	feed_tree(c, c->b->rule->clear, inc);
}
