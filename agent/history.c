/*
 * history: per-metric samples at three resolutions in one allocation.
 * See history.h for the layout and the contract.
 *
 * The raw ring is a plain circular buffer.  Each aggregate ring is indexed
 * by period number modulo its slot count, so a slot's period follows from
 * the ring's newest closed period (last_period) and no times are stored.
 * acc[] accumulates the open period in double precision; it is written to
 * its slot only when a sample of a later period arrives.  A push is O(1)
 * except when it closes a period after a gap: the skipped slots are then
 * emptied, at most the ring's slot count of them.
 *
 * To add a resolution: add it to enum hist_res and to agg_slots[] and
 * agg_ms[] below, widen acc[], last_period[] and agg[] in struct hist, and
 * carve its ring in hist_bytes() and hist_new().
 */
#include "history.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <stdbool.h>
#include <stdlib.h>

#define NAGG 2 /* aggregate resolutions: HIST_MINUTE, HIST_QUARTER */

/* Indexed by aggregate number ai = resolution - HIST_MINUTE. */
static const uint32_t agg_slots[NAGG] = {HIST_MIN_SLOTS, HIST_QTR_SLOTS};
static const int64_t agg_ms[NAGG] = {HIST_MIN_MS, HIST_QTR_MS};

/* The rings follow the raw samples in the allocation: no padding needed. */
_Static_assert(_Alignof(struct hist_agg) <= _Alignof(struct hist_sample),
	       "aggregate rings must be able to follow the raw ring");

static const struct hist_agg agg_empty = {NAN, NAN, NAN};

/* Aggregate number of resolution r, or -1 if r has no aggregate ring. */
static int agg_index(enum hist_res r)
{
	if (r == HIST_MINUTE || r == HIST_QUARTER)
		return (int)r - HIST_MINUTE;
	return -1;
}

/* a / b rounded towards minus infinity (b > 0): C's '/' truncates, which
 * would put t = -1 ms into period 0 together with t = +1 ms. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b < 0)
		q--;
	return q;
}

/* Slot of period p in a ring of n slots. */
static uint32_t slot_of(int64_t p, uint32_t n)
{
	int64_t m = p % (int64_t)n;

	return (uint32_t)(m < 0 ? m + n : m);
}

/* a - b, saturated: window starts and period arithmetic never wrap. */
static int64_t sat_sub(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(a, b, &d))
		return b > 0 ? INT64_MIN : INT64_MAX;
	return d;
}

static int64_t sat_add(int64_t a, int64_t b)
{
	int64_t s;

	if (__builtin_add_overflow(a, b, &s))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return s;
}

/* First millisecond of period p of length len. */
static int64_t period_start(int64_t p, int64_t len)
{
	int64_t s;

	if (__builtin_mul_overflow(p, len, &s))
		return p < 0 ? INT64_MIN : INT64_MAX;
	return s;
}

static int64_t period_mid(int64_t p, int64_t len)
{
	return sat_add(period_start(p, len), len / 2);
}

/* A double as a float, saturating to +-infinity: a cast of a value out of
 * float's range is undefined behaviour in C. */
static float to_float(double v)
{
	if (v > FLT_MAX)
		return INFINITY;
	if (v < -FLT_MAX)
		return -INFINITY;
	return (float)v;
}

static void acc_reset(struct hist_acc *a)
{
	*a = (struct hist_acc){.period = INT64_MIN, .min = NAN, .max = NAN};
}

static bool acc_open(const struct hist_acc *a)
{
	return a->n > 0 && a->period != INT64_MIN;
}

static void ring_clear(struct hist *h, int ai)
{
	for (uint32_t i = 0; i < agg_slots[ai]; i++)
		h->agg[ai][i] = agg_empty;
}

size_t hist_bytes(uint32_t raw_cap)
{
	return sizeof(struct hist) + (size_t)raw_cap * sizeof(struct hist_sample) +
	       (size_t)(HIST_MIN_SLOTS + HIST_QTR_SLOTS) * sizeof(struct hist_agg);
}

static void sumcache_clear(struct hist *h)
{
	for (int i = 0; i < HIST_SUMCACHE; i++)
		h->sc[i] = (struct hist_sumcache){.w_ms = -1, .last = INT64_MIN};
}

struct hist *hist_new(uint32_t raw_cap)
{
	struct hist *h;

	if (raw_cap == 0 || raw_cap > HIST_RAW_MAX)
		return NULL;
	h = calloc(1, hist_bytes(raw_cap));
	if (h == NULL)
		return NULL;
	h->raw_cap = raw_cap;
	h->agg[0] = (struct hist_agg *)(h->raw + raw_cap);
	h->agg[1] = h->agg[0] + HIST_MIN_SLOTS;
	for (int ai = 0; ai < NAGG; ai++) {
		acc_reset(&h->acc[ai]);
		h->last_period[ai] = INT64_MIN;
		ring_clear(h, ai);
	}
	sumcache_clear(h);
	return h;
}

void hist_free(struct hist *h)
{
	free(h);
}

/* Raw ring */

uint32_t hist_len(const struct hist *h)
{
	return h->raw_len;
}

const struct hist_sample *hist_at(const struct hist *h, uint32_t i)
{
	uint32_t oldest;

	if (i >= h->raw_len)
		return NULL;
	oldest = (h->raw_head + h->raw_cap - h->raw_len) % h->raw_cap;
	return &h->raw[(oldest + i) % h->raw_cap];
}

const struct hist_sample *hist_last(const struct hist *h)
{
	if (h->raw_len == 0)
		return NULL;
	return &h->raw[(h->raw_head + h->raw_cap - 1) % h->raw_cap];
}

/* Samples are kept in time order, so a binary search over 0..len works. */
uint32_t hist_first_since(const struct hist *h, int64_t since_ms)
{
	uint32_t lo = 0, hi = h->raw_len, cap = h->raw_cap;
	uint32_t oldest = (h->raw_head + cap - h->raw_len) % cap;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, k = oldest + mid;

		if (h->raw[k >= cap ? k - cap : k].t_ms < since_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Append to the raw ring unless older than its newest sample.  Returns
 * whether the sample was taken. */
static bool raw_append(struct hist *h, int64_t t_ms, double v)
{
	const struct hist_sample *last = hist_last(h);

	if (last != NULL && t_ms < last->t_ms)
		return false;
	h->raw[h->raw_head] = (struct hist_sample){.t_ms = t_ms, .v = v};
	h->raw_head = (h->raw_head + 1) % h->raw_cap;
	if (h->raw_len < h->raw_cap)
		h->raw_len++;
	return true;
}

/* Aggregate rings */

/* The slot holding period p of ring ai, or NULL if the ring does not hold
 * p (not closed yet, or overwritten since) or p had no data. */
static const struct hist_agg *agg_slot(const struct hist *h, int ai, int64_t p)
{
	int64_t last = h->last_period[ai];
	const struct hist_agg *a;

	if (last == INT64_MIN || p > last || sat_sub(last, p) >= (int64_t)agg_slots[ai])
		return NULL;
	a = &h->agg[ai][slot_of(p, agg_slots[ai])];
	return isnan(a->avg) ? NULL : a;
}

/* Write the open period of ring ai into its slot, emptying the slots of
 * the periods skipped since the newest closed one. */
static void agg_close(struct hist *h, int ai)
{
	struct hist_acc *a = &h->acc[ai];
	struct hist_agg *ring = h->agg[ai];
	uint32_t n = agg_slots[ai];
	int64_t last = h->last_period[ai];

	if (last != INT64_MIN) {
		/* a->period > last, so the difference fits in 64 unsigned bits */
		uint64_t gap = (uint64_t)a->period - (uint64_t)last - 1;

		if (gap >= n) {
			ring_clear(h, ai);
			h->span[ai] = 0;
		} else {
			for (uint64_t k = 1; k <= gap; k++)
				ring[slot_of(last + (int64_t)k, n)] = agg_empty;
			h->span[ai] = (uint32_t)(h->span[ai] + gap < n ? h->span[ai] + gap : n);
		}
	}
	if (h->span[ai] < n)
		h->span[ai]++;
	ring[slot_of(a->period, n)] =
	    (struct hist_agg){.min = a->min, .max = a->max, .avg = to_float(a->sum / a->n)};
	h->last_period[ai] = a->period;
	acc_reset(a);
}

/* Add a (non-NaN) sample to ring ai, closing the open period if the sample
 * starts a later one.  A sample of a period already closed is dropped: it
 * can only come from restored state that is newer than the raw ring. */
static void agg_add(struct hist *h, int ai, int64_t t_ms, double v)
{
	struct hist_acc *a = &h->acc[ai];
	int64_t p = floor_div(t_ms, agg_ms[ai]);
	float f = to_float(v);

	if (acc_open(a) && p != a->period) {
		if (p < a->period)
			return;
		agg_close(h, ai);
	}
	if (!acc_open(a)) {
		if (h->last_period[ai] != INT64_MIN && p <= h->last_period[ai])
			return;
		a->period = p;
		a->sum = 0;
		a->n = 0;
		a->min = a->max = f;
	}
	a->sum += v;
	a->n++;
	a->min = fminf(a->min, f);
	a->max = fmaxf(a->max, f);
}

void hist_push(struct hist *h, int64_t t_ms, double v)
{
	if (!raw_append(h, t_ms, v) || isnan(v))
		return;
	for (int ai = 0; ai < NAGG; ai++)
		agg_add(h, ai, t_ms, v);
}

/* Windows */

/* Time of the oldest non-NaN raw sample, INT64_MAX if none. */
static int64_t raw_reach(const struct hist *h)
{
	for (uint32_t i = 0; i < h->raw_len; i++) {
		const struct hist_sample *s = hist_at(h, i);

		if (!isnan(s->v))
			return s->t_ms;
	}
	return INT64_MAX;
}

/* Start of the oldest period of ring ai with data (closed or open),
 * INT64_MAX if none. */
static int64_t agg_reach(const struct hist *h, int ai)
{
	int64_t last = h->last_period[ai];

	/* Slots older than the ring's span were never written: start past them. */
	if (last != INT64_MIN)
		for (int64_t k = (int64_t)h->span[ai] - 1; k >= 0; k--) {
			int64_t p;

			if (__builtin_sub_overflow(last, k, &p))
				continue;
			if (agg_slot(h, ai, p) != NULL)
				return period_start(p, agg_ms[ai]);
		}
	if (acc_open(&h->acc[ai]))
		return period_start(h->acc[ai].period, agg_ms[ai]);
	return INT64_MAX;
}

/*
 * How far back each resolution's data reaches.  An aggregate's reach is
 * the start of its oldest period with data, but its first sample may lie
 * anywhere in that period: when the next finer resolution's reach falls
 * inside the same period, that finer reach is the better estimate and is
 * used instead.  Without this a young history would always be read from
 * the quarter ring (its period starts up to 15 minutes before the first
 * sample), one or two points where the raw ring has them all.  The cost:
 * in that one period a coarser ring may really hold up to one period more.
 */
/* The reach of ring ai, given the reach of the next finer resolution. */
static int64_t agg_reach_from(const struct hist *h, int ai, int64_t fine)
{
	int64_t r = agg_reach(h, ai);

	if (fine != INT64_MAX && fine > r && fine < sat_add(r, agg_ms[ai]))
		r = fine;
	return r;
}

static void reaches(const struct hist *h, int64_t reach[HIST_NRES])
{
	reach[HIST_RAW] = raw_reach(h);
	for (int ai = 0; ai < NAGG; ai++)
		reach[HIST_MINUTE + ai] = agg_reach_from(h, ai, reach[HIST_MINUTE + ai - 1]);
}

/* The resolution hist_window() reads for a window starting at start. */
static enum hist_res pick_res(const int64_t reach[HIST_NRES], int64_t start)
{
	int best = HIST_RAW;

	for (int r = HIST_RAW; r < HIST_NRES; r++)
		if (reach[r] <= start)
			return (enum hist_res)r;
	for (int r = HIST_RAW + 1; r < HIST_NRES; r++)
		if (reach[r] < reach[best]) /* strict: finer wins a tie */
			best = r;
	return (enum hist_res)best;
}

static size_t raw_points(const struct hist *h, int64_t start, int64_t now_ms,
			 struct hist_point *out, size_t max)
{
	uint32_t cap = h->raw_cap, i = hist_first_since(h, start);
	uint32_t slot = (h->raw_head + cap - h->raw_len + i) % cap; /* walked, not recomputed */
	size_t k = 0;

	for (; i < h->raw_len && k < max; i++) {
		const struct hist_sample *s = &h->raw[slot];

		if (++slot == cap)
			slot = 0;
		if (s->t_ms > now_ms)
			break;
		if (isnan(s->v))
			continue;
		out[k++] =
		    (struct hist_point){.t_ms = s->t_ms, .v = s->v, .min = s->v, .max = s->v};
	}
	return k;
}

/* The newest non-NaN raw sample, NULL if none. */
static const struct hist_sample *raw_newest(const struct hist *h)
{
	for (uint32_t i = h->raw_len; i > 0; i--) {
		const struct hist_sample *s = hist_at(h, i - 1);

		if (!isnan(s->v))
			return s;
	}
	return NULL;
}

/* The open period as a point: at its middle, or at its newest sample if
 * that is earlier (the period is not over yet).  The newest sample is the
 * raw ring's when that falls in the period; a restored open period whose
 * samples the raw ring no longer holds stays at its middle. */
static struct hist_point acc_point(const struct hist *h, int ai)
{
	const struct hist_acc *a = &h->acc[ai];
	const struct hist_sample *newest = raw_newest(h);
	int64_t t = period_mid(a->period, agg_ms[ai]);

	if (newest != NULL && newest->t_ms >= period_start(a->period, agg_ms[ai]) &&
	    newest->t_ms < t)
		t = newest->t_ms;
	return (struct hist_point){.t_ms = t, .v = a->sum / a->n, .min = a->min, .max = a->max};
}

/* First period whose middle is at or after start: ceil((start - len/2) / len). */
static int64_t first_period_from(int64_t start, int64_t len)
{
	int64_t a = sat_sub(start, len / 2);

	return a > INT64_MIN + len ? -floor_div(-a, len) : INT64_MIN / len;
}

static size_t agg_points(const struct hist *h, int ai, int64_t start, int64_t now_ms,
			 struct hist_point *out, size_t max)
{
	int64_t last = h->last_period[ai], len = agg_ms[ai];
	uint32_t n = agg_slots[ai];
	size_t k = 0;

	if (last != INT64_MIN) {
		/* Only the periods in the window, walking the slots in order. */
		int64_t p = sat_sub(last, (int64_t)n - 1), from = first_period_from(start, len);
		if (from > p)
			p = from;
		for (uint32_t slot = p <= last ? slot_of(p, n) : 0; p <= last && k < max; p++) {
			const struct hist_agg *a = &h->agg[ai][slot];
			int64_t mid = period_mid(p, len);
			if (mid > now_ms)
				break;
			if (!isnan(a->avg))
				out[k++] = (struct hist_point){
				    .t_ms = mid, .v = a->avg, .min = a->min, .max = a->max};
			if (++slot == n)
				slot = 0;
		}
	}
	if (acc_open(&h->acc[ai]) && k < max) {
		struct hist_point pt = acc_point(h, ai);

		if (pt.t_ms >= start && pt.t_ms <= now_ms)
			out[k++] = pt;
	}
	return k;
}

size_t hist_window_max(const struct hist *h)
{
	size_t n = h->raw_cap;

	/* each aggregate ring: its closed slots plus the open period */
	if (n < HIST_MIN_SLOTS + 1)
		n = HIST_MIN_SLOTS + 1;
	if (n < HIST_QTR_SLOTS + 1)
		n = HIST_QTR_SLOTS + 1;
	return n;
}

/* The resolution hist_window() reads for a window starting at start: as
 * pick_res() on reaches(), but a coarser ring's reach is only worked out
 * when the finer ones fall short (most windows are read from raw). */
static enum hist_res pick_res_lazy(const struct hist *h, int64_t start)
{
	int64_t reach[HIST_NRES];

	reach[HIST_RAW] = raw_reach(h);
	if (reach[HIST_RAW] <= start)
		return HIST_RAW;
	for (int ai = 0; ai < NAGG; ai++) {
		int r = HIST_MINUTE + ai;
		reach[r] = agg_reach_from(h, ai, reach[r - 1]);
		if (reach[r] <= start)
			return (enum hist_res)r;
	}
	return pick_res(reach, start);
}

size_t hist_window(const struct hist *h, int64_t now_ms, int64_t w_ms, struct hist_point *out,
		   size_t max, enum hist_res *res)
{
	int64_t start = sat_sub(now_ms, w_ms < 0 ? 0 : w_ms);
	enum hist_res r = pick_res_lazy(h, start);

	if (res != NULL)
		*res = r;
	if (r == HIST_RAW)
		return raw_points(h, start, now_ms, out, max);
	return agg_points(h, agg_index(r), start, now_ms, out, max);
}

/* hist_summary_add(), inlined for the ring walks below. */
static inline void sum_point(struct hist_summary *s, int64_t t_ms, double v, double mn, double mx)
{
	double t, d;
	int64_t dt;

	if (s->n == 0) {
		s->t_first = t_ms;
		s->v_first = v;
		s->min = mn;
		s->max = mx;
	}
	if (__builtin_sub_overflow(t_ms, s->t_first, &dt))
		t = ((double)t_ms - (double)s->t_first) * 0.001;
	else
		t = (double)dt * 0.001;
	d = v - s->v_first;
	s->n++;
	s->t_last = t_ms;
	s->v_last = v;
	/* A NaN min or max never wins, unless every point has one. */
	if (mn < s->min || isnan(s->min))
		s->min = mn;
	if (mx > s->max || isnan(s->max))
		s->max = mx;
	s->sum_v += v;
	s->st += t;
	s->stt += t * t;
	s->sd += d;
	s->std += t * d;
}

void hist_summary_add(struct hist_summary *s, const struct hist_point *p)
{
	sum_point(s, p->t_ms, p->v, p->min, p->max);
}

/* Raw samples [i, j) of the ring (physical slots, no wrap) into s, up to
 * now_ms; returns false once a sample is past now_ms. */
static bool raw_run(const struct hist_sample *x, uint32_t i, uint32_t j, int64_t now_ms,
		    struct hist_summary *s)
{
	for (; i < j; i++) {
		if (x[i].t_ms > now_ms)
			return false;
		if (x[i].v == x[i].v) /* not NaN */
			sum_point(s, x[i].t_ms, x[i].v, x[i].v, x[i].v);
	}
	return true;
}

static void raw_summary(const struct hist *h, int64_t start, int64_t now_ms, struct hist_summary *s)
{
	uint32_t cap = h->raw_cap, i = hist_first_since(h, start);
	uint32_t from = (h->raw_head + cap - h->raw_len + i) % cap, count = h->raw_len - i;

	/* The samples lie in at most two runs of the array: to its end, then from 0. */
	if (from + count <= cap) {
		raw_run(h->raw, from, from + count, now_ms, s);
	} else if (raw_run(h->raw, from, cap, now_ms, s)) {
		raw_run(h->raw, 0, from + count - cap, now_ms, s);
	}
}

/* Sum the closed periods [p, last] of ring ai into s; false if one lies
 * past now_ms (then the sum is cut there, and not worth keeping). */
static bool agg_closed_sum(const struct hist *h, int ai, int64_t p, int64_t last, int64_t now_ms,
			   struct hist_summary *s)
{
	int64_t len = agg_ms[ai];
	uint32_t n = agg_slots[ai];

	for (uint32_t slot = p <= last ? slot_of(p, n) : 0; p <= last; p++) {
		const struct hist_agg *a = &h->agg[ai][slot];
		int64_t mid = period_mid(p, len);
		if (mid > now_ms)
			return false;
		if (!isnan(a->avg))
			sum_point(s, mid, a->avg, a->min, a->max);
		if (++slot == n)
			slot = 0;
	}
	return true;
}

/* The open period of ring ai into s, if it has data in [start, now_ms]. */
static void open_sum(const struct hist *h, int ai, int64_t start, int64_t now_ms,
		     struct hist_summary *s)
{
	if (acc_open(&h->acc[ai])) {
		struct hist_point pt = acc_point(h, ai);

		if (pt.t_ms >= start && pt.t_ms <= now_ms)
			sum_point(s, pt.t_ms, pt.v, pt.min, pt.max);
	}
}

/* The cache entry of window w on ring ai: its own (maybe stale) if it has
 * one, else the next one round robin.  Keyed by window, so the windows of
 * one metric keep their entries and a stale one is refreshed in place. */
static struct hist_sumcache *sumcache_slot(struct hist *h, int ai, int64_t w)
{
	for (int i = 0; i < HIST_SUMCACHE; i++)
		if (h->sc[i].w_ms == w && h->sc[i].ai == ai)
			return &h->sc[i];
	return &h->sc[h->sc_next++ % HIST_SUMCACHE];
}

static void agg_summary(struct hist *h, int ai, int64_t start, int64_t now_ms, int64_t w,
			struct hist_summary *s)
{
	int64_t last = h->last_period[ai];
	uint32_t n = agg_slots[ai];

	if (last != INT64_MIN) {
		int64_t p = sat_sub(last, (int64_t)n - 1),
			from = first_period_from(start, agg_ms[ai]);
		struct hist_sumcache *c;

		if (from > p)
			p = from;
		if (last - p + 1 < HIST_SUMCACHE_MIN) {
			agg_closed_sum(h, ai, p, last, now_ms, s); /* cheaper than a cache entry */
		} else if ((c = sumcache_slot(h, ai, w))->w_ms == w && c->ai == ai &&
			   c->from == p && c->last == last) {
			*s = c->s;
		} else if (agg_closed_sum(h, ai, p, last, now_ms, s)) {
			*c = (struct hist_sumcache){
			    .w_ms = w, .from = p, .last = last, .ai = ai, .s = *s};
		}
	}
	open_sum(h, ai, start, now_ms, s);
}

size_t hist_window_summary(struct hist *h, int64_t now_ms, int64_t w_ms, struct hist_summary *s)
{
	int64_t start = sat_sub(now_ms, w_ms < 0 ? 0 : w_ms);
	enum hist_res r = pick_res_lazy(h, start);

	memset(s, 0, sizeof *s);
	if (r == HIST_RAW)
		raw_summary(h, start, now_ms, s);
	else
		agg_summary(h, agg_index(r), start, now_ms, w_ms, s);
	return s->n;
}

/* The cache is left alone (h is const): an hour is at most 61 minute
 * points, cheaper to sum again than to keep, and a reader that is not the
 * rules engine would otherwise evict the rules' entries. */
size_t hist_window_summary_capped(const struct hist *h, int64_t now_ms, int64_t w_ms,
				  size_t raw_max, struct hist_summary *s, enum hist_res *res)
{
	int64_t start = sat_sub(now_ms, w_ms < 0 ? 0 : w_ms);
	int ai = agg_index(HIST_MINUTE);
	int64_t last = h->last_period[ai];
	enum hist_res r = pick_res_lazy(h, start);

	memset(s, 0, sizeof *s);
	if (r == HIST_RAW && h->raw_len - hist_first_since(h, start) <= raw_max) {
		raw_summary(h, start, now_ms, s);
	} else {
		r = HIST_MINUTE;
		if (last != INT64_MIN) {
			int64_t p = sat_sub(last, HIST_MIN_SLOTS - 1),
				from = first_period_from(start, HIST_MIN_MS);
			agg_closed_sum(h, ai, from > p ? from : p, last, now_ms, s);
		}
		open_sum(h, ai, start, now_ms, s);
	}
	if (res != NULL)
		*res = r;
	return s->n;
}

int64_t hist_oldest(const struct hist *h)
{
	int64_t reach[HIST_NRES];
	int64_t oldest = INT64_MAX;

	reaches(h, reach);
	for (int r = HIST_RAW; r < HIST_NRES; r++)
		if (reach[r] < oldest)
			oldest = reach[r];
	return oldest;
}

/* State file */

size_t hist_agg_get(const struct hist *h, enum hist_res r, struct hist_agg *out, size_t max,
		    int64_t *last)
{
	int ai = agg_index(r);
	uint32_t n, newest, count = 0;

	*last = INT64_MIN;
	if (ai < 0 || h->last_period[ai] == INT64_MIN)
		return 0;
	*last = h->last_period[ai];
	n = agg_slots[ai];
	newest = slot_of(*last, n);
	/* count = slots from the oldest one with data up to the newest */
	for (uint32_t j = n; j > 0; j--)
		if (!isnan(h->agg[ai][(newest + n - (j - 1)) % n].avg)) {
			count = j;
			break;
		}
	if (count > max)
		count = (uint32_t)max;
	for (uint32_t i = 0; i < count; i++)
		out[i] = h->agg[ai][(newest + n - (count - 1 - i)) % n];
	return count;
}

void hist_agg_put(struct hist *h, enum hist_res r, const struct hist_agg *v, size_t n, int64_t last)
{
	int ai = agg_index(r);
	uint32_t slots, newest;

	if (ai < 0)
		return;
	ring_clear(h, ai);
	sumcache_clear(h);
	h->last_period[ai] = INT64_MIN;
	h->span[ai] = 0;
	if (n == 0 || last == INT64_MIN)
		return;
	slots = agg_slots[ai];
	if (n > slots) { /* only the newest fit */
		v += n - slots;
		n = slots;
	}
	h->span[ai] = (uint32_t)n;
	newest = slot_of(last, slots);
	for (size_t i = 0; i < n; i++)
		h->agg[ai][(newest + slots - (n - 1 - i)) % slots] = v[i];
	h->last_period[ai] = last;
	/* an open period must come after the closed ones */
	if (acc_open(&h->acc[ai]) && h->acc[ai].period <= last)
		acc_reset(&h->acc[ai]);
}

const struct hist_acc *hist_acc_get(const struct hist *h, enum hist_res r)
{
	int ai = agg_index(r);

	return ai < 0 ? NULL : &h->acc[ai];
}

void hist_acc_put(struct hist *h, enum hist_res r, const struct hist_acc *acc)
{
	int ai = agg_index(r);
	int64_t last;

	if (ai < 0 || !acc_open(acc))
		return;
	last = h->last_period[ai];
	if (last != INT64_MIN && acc->period <= last)
		return;
	h->acc[ai] = *acc;
}

void hist_raw_put(struct hist *h, int64_t t_ms, double v)
{
	raw_append(h, t_ms, v);
}

/* The newest value at or before period p of ring ai, for hist_value_at():
 * the minimum of p itself if it has data (the value as p began), else the
 * maximum of the newest earlier period with data.  NAN if the ring has none. */
static double agg_value_at(const struct hist *h, int ai, int64_t p)
{
	const struct hist_acc *a = &h->acc[ai];
	int64_t last = h->last_period[ai];

	if (acc_open(a) && a->period == p)
		return a->min;
	if (acc_open(a) && a->period < p)
		return a->max;
	if (last == INT64_MIN)
		return NAN;
	for (int64_t q = p < last ? p : last; sat_sub(last, q) < (int64_t)agg_slots[ai]; q--) {
		const struct hist_agg *s = agg_slot(h, ai, q);
		if (s != NULL)
			return q == p ? s->min : s->max;
	}
	return NAN;
}

double hist_value_at(const struct hist *h, int64_t t_ms)
{
	for (uint32_t i = h->raw_len; i-- > 0;) {
		const struct hist_sample *s = hist_at(h, i);
		if (s->t_ms <= t_ms && !isnan(s->v))
			return s->v;
	}
	if (h->raw_len > 0 && hist_at(h, 0)->t_ms <= t_ms)
		return NAN; /* the raw ring reaches back, but only to NaN samples */
	for (int ai = 0; ai < NAGG; ai++) {
		double v = agg_value_at(h, ai, floor_div(t_ms, agg_ms[ai]));
		if (!isnan(v))
			return v;
	}
	return NAN;
}
