/*
 * state: the engine's records in the state file (container: statefile.c).
 *
 * Records (payload of a SF_VERSION file; times are wall-clock ms, so they
 * mean the same after a reboot, and are turned back into the engine's
 * clock on load):
 *   ST_META     i64 saved-at, str version
 *   ST_NODE     u8 state, i64 since
 *   ST_TARGET   str id, u8 is-stream, [str source, device, type if stream],
 *               f64 total, u8 have-prev, f64 prev, history (below)
 *   ST_BINDING  str rule, str target id, u8 state, u8 last, i64 since,
 *               i64 active-since, f64 seen-events, str message,
 *               u32 n, n x (f64 level, i64 t)
 *   ST_ACTION   (5) the policy's record of actions: actlog.c
 *   ST_PLUGIN   (6) values plugins keep: pstate.c
 *   ST_POLICY   (7) the policy's posture: policy.c;  ST_SILENCE (8): silence.c
 * history: u32 raw-cap, u32 n, n x (i64 t, f64 v), then for the minute and
 *   quarter rings: u8 has-last, i64 last-period-start, u32 n, n x (f32 min,
 *   max, avg), u8 has-open, i64 open-period-start, f64 sum, f32 min, f32 max,
 *   u32 count.
 * Unknown record types are skipped, so a newer minor version can add some.
 */
#include "state.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "statefile.h"

enum { ST_META = 1, ST_NODE, ST_TARGET, ST_BINDING, ST_ACTION };

struct rtarget {
	char *id;
	struct hist *h;
	double total, prev;
	bool have_prev;
	bool stream;
	char *source, *device, *type;
};

struct rbinding {
	char *rule, *id, *msg;
	uint8_t state, last;
	int64_t since, active_since; /* engine clock */
	double seen_events;
	uint32_t nbuckets;
	struct leaky_bucket *buckets;
	bool taken;
};

struct eng_restore {
	struct rtarget *t;
	size_t nt;
	struct rbinding *b;
	size_t nb;
};

/* ---- saving ------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void put_hist(struct sf_buf *b, const struct hist *h, int64_t off)
{
	static const int64_t len[2] = {HIST_MIN_MS, HIST_QTR_MS};
	struct hist_agg agg[HIST_QTR_SLOTS > HIST_MIN_SLOTS ? HIST_QTR_SLOTS : HIST_MIN_SLOTS];
	uint32_t n = hist_len(h);

	sf_put_u32(b, h->raw_cap);
	sf_put_u32(b, n);
	for (uint32_t i = 0; i < n; i++) {
		sf_put_i64(b, hist_at(h, i)->t_ms + off);
		sf_put_f64(b, hist_at(h, i)->v);
	}
	for (int r = 0; r < 2; r++) {
		int64_t last;
		size_t na = hist_agg_get(h, (enum hist_res)(HIST_MINUTE + r), agg,
					 sizeof agg / sizeof agg[0], &last);
		const struct hist_acc *acc = hist_acc_get(h, (enum hist_res)(HIST_MINUTE + r));

		sf_put_u8(b, last != INT64_MIN);
		sf_put_i64(b, last != INT64_MIN ? last * len[r] + off : 0);
		sf_put_u32(b, (uint32_t)na);
		for (size_t i = 0; i < na; i++) {
			sf_put_f32(b, agg[i].min);
			sf_put_f32(b, agg[i].max);
			sf_put_f32(b, agg[i].avg);
		}
		sf_put_u8(b, acc->period != INT64_MIN);
		sf_put_i64(b, acc->period != INT64_MIN ? acc->period * len[r] + off : 0);
		sf_put_f64(b, acc->sum);
		sf_put_f32(b, acc->min);
		sf_put_f32(b, acc->max);
		sf_put_u32(b, acc->n);
	}
}

static void put_target(struct sf_buf *b, const struct eng_target *t, const struct hist *h,
		       int64_t off)
{
	size_t rec = sf_rec_begin(b, ST_TARGET);

	sf_put_str(b, eng_target_id(t));
	sf_put_u8(b, t->stream != NULL);
	if (t->stream != NULL) {
		sf_put_str(b, t->stream->source);
		sf_put_str(b, t->stream->device);
		sf_put_str(b, t->stream->type);
	}
	sf_put_f64(b, t->stream ? t->stream->total : 0);
	sf_put_u8(b, t->have_prev);
	sf_put_f64(b, t->prev);
	put_hist(b, h, off);
	sf_rec_end(b, rec);
}

static void put_binding(struct sf_buf *b, const struct binding *bd, int64_t off)
{
	const struct bind_extra *x = bd->x;
	size_t rec;

	if (bd->state == BS_IDLE && x == NULL)
		return; /* nothing worth keeping */
	rec = sf_rec_begin(b, ST_BINDING);
	sf_put_str(b, bd->rule->name);
	sf_put_str(b, eng_target_id(bd->tgt));
	sf_put_u8(b, bd->state);
	sf_put_u8(b, bd->last);
	sf_put_i64(b, bd->since_ms + off);
	sf_put_i64(b, x ? x->active_wall_ms : 0);
	sf_put_f64(b, x ? x->seen_events : 0);
	sf_put_str(b, x ? x->msg : "");
	sf_put_u32(b, x && x->buckets ? bd->rule->nbuckets : 0);
	for (uint32_t i = 0; x && x->buckets && i < bd->rule->nbuckets; i++) {
		sf_put_f64(b, x->buckets[i].level);
		sf_put_i64(b, x->buckets[i].t_ms ? x->buckets[i].t_ms + off : 0);
	}
	sf_rec_end(b, rec);
}

static void put_target_all(struct sf_buf *b, const struct eng_target *t, const struct hist *h,
			   int64_t off)
{
	put_target(b, t, h, off);
	for (uint32_t i = 0; i < t->nb; i++)
		put_binding(b, &t->b[i], off);
}

void engine_save(const struct engine *e, struct sf_buf *b, int64_t now_mono, int64_t now_wall)
{
	int64_t off = now_wall - now_mono;
	size_t rec = sf_rec_begin(b, ST_META);

	sf_put_i64(b, now_wall);
	sf_put_str(b, HWH_VERSION);
	sf_rec_end(b, rec);
	rec = sf_rec_begin(b, ST_NODE);
	sf_put_u8(b, (uint8_t)e->state);
	sf_put_i64(b, e->state_since_wall_ms);
	sf_rec_end(b, rec);
	for (size_t i = 0; i < e->ntargets; i++)
		put_target_all(b, e->targets[i], e->targets[i]->m->hist, off);
	for (size_t i = 0; i < e->nstreams; i++)
		put_target_all(b, &e->streams[i]->t, e->streams[i]->cum, off);
}

/* ---- loading ------------------------------------------------------------ */

static struct hist *get_hist(struct sf_cur *c, int64_t off)
{
	static const int64_t len[2] = {HIST_MIN_MS, HIST_QTR_MS};
	uint32_t cap = sf_get_u32(c), n = sf_get_u32(c);
	struct hist *h = c->bad ? NULL : hist_new(cap);

	if (h == NULL || n > cap)
		goto bad;
	for (uint32_t i = 0; i < n; i++) {
		int64_t t = sf_get_i64(c);
		double v = sf_get_f64(c);
		hist_raw_put(h, t - off, v);
	}
	for (int r = 0; r < 2; r++) {
		enum hist_res res = (enum hist_res)(HIST_MINUTE + r);
		struct hist_agg agg[HIST_QTR_SLOTS];
		struct hist_acc acc = {0};
		bool has_last = sf_get_u8(c);
		int64_t last = sf_get_i64(c);
		uint32_t na = sf_get_u32(c);

		if (na > (r ? HIST_QTR_SLOTS : HIST_MIN_SLOTS))
			goto bad;
		for (uint32_t i = 0; i < na; i++) {
			agg[i].min = sf_get_f32(c);
			agg[i].max = sf_get_f32(c);
			agg[i].avg = sf_get_f32(c);
		}
		if (has_last)
			hist_agg_put(h, res, agg, na, floor_div(last - off, len[r]));
		bool has_open = sf_get_u8(c);
		int64_t start = sf_get_i64(c);
		acc.sum = sf_get_f64(c);
		acc.min = sf_get_f32(c);
		acc.max = sf_get_f32(c);
		acc.n = sf_get_u32(c);
		acc.period = has_open ? floor_div(start - off, len[r]) : INT64_MIN;
		if (has_open)
			hist_acc_put(h, res, &acc);
	}
	if (!c->bad)
		return h;
bad:
	c->bad = true;
	hist_free(h);
	return NULL;
}

static int get_target(struct eng_restore *r, struct sf_cur *c, int64_t off)
{
	struct rtarget t = {0};
	struct rtarget *v;

	t.id = sf_get_str(c, NULL);
	t.stream = sf_get_u8(c);
	if (t.stream) {
		t.source = sf_get_str(c, NULL);
		t.device = sf_get_str(c, NULL);
		t.type = sf_get_str(c, NULL);
	}
	t.total = sf_get_f64(c);
	t.have_prev = sf_get_u8(c);
	t.prev = sf_get_f64(c);
	t.h = c->bad ? NULL : get_hist(c, off);
	v = realloc(r->t, (r->nt + 1) * sizeof *v);
	if (c->bad || t.id == NULL || v == NULL ||
	    (t.stream && (!t.source || !t.device || !t.type))) {
		if (v != NULL)
			r->t = v;
		hist_free(t.h);
		free(t.id), free(t.source), free(t.device), free(t.type);
		return -1;
	}
	r->t = v;
	r->t[r->nt++] = t;
	return 0;
}

static int get_binding(struct eng_restore *r, struct sf_cur *c, int64_t off)
{
	struct rbinding b = {0};
	struct rbinding *v;
	int64_t t;

	b.rule = sf_get_str(c, NULL);
	b.id = sf_get_str(c, NULL);
	b.state = sf_get_u8(c);
	b.last = sf_get_u8(c);
	b.since = sf_get_i64(c) - off;
	t = sf_get_i64(c);
	b.active_since = t; /* stays wall: it is shown, not computed with */
	b.seen_events = sf_get_f64(c);
	b.msg = sf_get_str(c, NULL);
	b.nbuckets = sf_get_u32(c);
	if (!c->bad && b.nbuckets <= 64)
		b.buckets = calloc(b.nbuckets ? b.nbuckets : 1, sizeof *b.buckets);
	for (uint32_t i = 0; b.buckets != NULL && i < b.nbuckets; i++) {
		b.buckets[i].level = sf_get_f64(c);
		t = sf_get_i64(c);
		b.buckets[i].t_ms = t ? t - off : 0;
	}
	v = realloc(r->b, (r->nb + 1) * sizeof *v);
	if (v != NULL)
		r->b = v;
	if (c->bad || !b.rule || !b.id || !b.msg || !b.buckets || v == NULL ||
	    b.state > BS_CLEARING || b.last > ER_ERR || !isfinite(b.seen_events)) {
		free(b.rule), free(b.id), free(b.msg), free(b.buckets);
		c->bad = true;
		return -1;
	}
	r->b[r->nb++] = b;
	return 0;
}

static int cmp_target(const void *a, const void *b)
{
	return strcmp(((const struct rtarget *)a)->id, ((const struct rtarget *)b)->id);
}

static int cmp_binding(const void *a, const void *b)
{
	const struct rbinding *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : strcmp(x->rule, y->rule);
}

void restore_free(struct eng_restore *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nt; i++) {
		hist_free(r->t[i].h);
		free(r->t[i].id), free(r->t[i].source), free(r->t[i].device), free(r->t[i].type);
	}
	for (size_t i = 0; i < r->nb; i++)
		free(r->b[i].rule), free(r->b[i].id), free(r->b[i].msg), free(r->b[i].buckets);
	free(r->t);
	free(r->b);
	free(r);
}

static int get_node(struct engine *e, struct sf_cur *c)
{
	uint8_t st = sf_get_u8(c);
	int64_t since = sf_get_i64(c);

	if (c->bad || st > NODE_CRITICAL)
		return -1;
	e->state = (enum node_state)st;
	e->state_since_wall_ms = since;
	return 0;
}

static int read_records(struct engine *e, struct eng_restore *r, struct sf_cur *c, int64_t off,
			char *err, size_t errlen)
{
	struct sf_cur rec;
	uint16_t type;
	int rc;

	while ((rc = sf_next_rec(c, &type, &rec)) == 1) {
		int bad = 0;
		if (type == ST_NODE)
			bad = get_node(e, &rec);
		else if (type == ST_TARGET)
			bad = get_target(r, &rec, off);
		else if (type == ST_BINDING)
			bad = get_binding(r, &rec, off);
		if (bad) {
			snprintf(err, errlen, "malformed record of type %u", type);
			return -1;
		}
	}
	if (rc < 0)
		snprintf(err, errlen, "malformed record framing");
	return rc;
}

int engine_load(struct engine *e, const void *payload, size_t len, int64_t now_mono,
		int64_t now_wall, char *err, size_t errlen)
{
	struct eng_restore *r = calloc(1, sizeof *r);
	enum node_state st = e->state;
	int64_t since = e->state_since_wall_ms;
	struct sf_cur c;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sf_cur_init(&c, payload, len);
	if (read_records(e, r, &c, now_wall - now_mono, err, errlen) < 0) {
		restore_free(r);
		e->state = st;
		e->state_since_wall_ms = since;
		return -1;
	}
	/* qsort's base must not be NULL, even for 0 elements (UBSan). */
	if (r->nt > 0)
		qsort(r->t, r->nt, sizeof *r->t, cmp_target);
	if (r->nb > 0)
		qsort(r->b, r->nb, sizeof *r->b, cmp_binding);
	restore_free(e->restore);
	e->restore = r;
	/* Event streams come back at once: their buckets must go on leaking. */
	for (size_t i = 0; i < r->nt; i++)
		if (r->t[i].stream && r->t[i].h != NULL)
			engine_stream(e, r->t[i].source, r->t[i].device, r->t[i].type);
	return 0;
}

/* ---- claiming ----------------------------------------------------------- */

struct hist *restore_take_hist(struct eng_restore *r, const char *id, double *total,
			       bool *have_prev, double *prev)
{
	struct rtarget key = {.id = (char *)id};
	struct rtarget *t = r->nt > 0 ? bsearch(&key, r->t, r->nt, sizeof *r->t, cmp_target) : NULL;
	struct hist *h;

	if (t == NULL || t->h == NULL)
		return NULL;
	h = t->h;
	t->h = NULL;
	*total = t->total;
	*have_prev = t->have_prev;
	*prev = t->prev;
	return h;
}

void restore_binding(struct engine *e, struct binding *b, const char *id)
{
	struct rbinding key = {.rule = (char *)b->rule->name, .id = (char *)id};
	struct rbinding *rb =
	    e->restore->nb > 0 /* bsearch's base must not be NULL, even for 0 elements */
		? bsearch(&key, e->restore->b, e->restore->nb, sizeof key, cmp_binding)
		: NULL;

	if (rb == NULL || rb->taken || binding_extra(b) == NULL)
		return;
	rb->taken = true;
	b->state = rb->state;
	b->last = rb->last;
	b->since_ms = rb->since;
	b->x->active_wall_ms = rb->active_since;
	b->x->seen_events = rb->seen_events;
	snprintf(b->x->msg, sizeof b->x->msg, "%s", rb->msg);
	if (b->x->buckets != NULL && rb->nbuckets == b->rule->nbuckets)
		memcpy(b->x->buckets, rb->buckets, rb->nbuckets * sizeof *rb->buckets);
}
