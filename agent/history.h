/*
 * history: per-metric sample history at three resolutions, in one
 * fixed-size allocation made when the metric first appears.
 *
 *   raw     the last raw_cap samples as reported (time, value)      16 B each
 *   minute  HIST_MIN_SLOTS one-minute aggregates (min/max/avg)      12 B each
 *   quarter HIST_QTR_SLOTS fifteen-minute aggregates (min/max/avg)  12 B each
 *
 * With the default raw_cap of 32 that is 512 + 720 + 1,152 bytes plus a
 * 384-byte header (x86-64; 264 of them the summaries of two long aggregate
 * windows, see hist_window_summary()): hist_bytes(32) = 2,768 bytes per
 * metric covering 24 hours (64 raw samples make 3,280, HIST_RAW_MAX = 4096
 * makes 67,792).  32 raw samples are five minutes at the default 10 s
 * interval: longer windows read the one-minute aggregates, ten points for
 * ten minutes instead of sixty samples, which is what keeps a rules cycle
 * cheap (see bench/ANALYSIS.md).  Pushing never allocates.  Times are
 * milliseconds on one caller-chosen clock (the daemon uses CLOCK_MONOTONIC,
 * replay uses the trace's timestamps); they must not go backwards (a sample
 * older than the newest one is ignored).
 *
 * Aggregate slots are indexed by period number (t_ms / period, floored), so
 * a gap in the data leaves empty slots (avg NaN) rather than stretching time.
 * Aggregates are floats: exact for integers up to 2^24, about 7 significant
 * digits otherwise, which is plenty for trends; raw samples stay doubles.
 * An unreadable sample (NaN) is kept in the raw ring but not aggregated.
 */
#ifndef HWH_HISTORY_H
#define HWH_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HIST_RAW_DEFAULT 32
#define HIST_RAW_MAX 4096
#define HIST_MIN_SLOTS 60 /* one hour of 1-minute aggregates */
#define HIST_QTR_SLOTS 96 /* 24 hours of 15-minute aggregates */
#define HIST_MIN_MS 60000LL
#define HIST_QTR_MS 900000LL

/* Resolutions, finest first. */
enum hist_res { HIST_RAW = 0, HIST_MINUTE, HIST_QUARTER, HIST_NRES };

struct hist_sample {
	int64_t t_ms;
	double v; /* NAN for an unreadable sample */
};

/* One aggregate slot; empty when avg is NaN. */
struct hist_agg {
	float min, max, avg;
};

/* The period being accumulated at one aggregate resolution. */
struct hist_acc {
	int64_t period; /* period number (t_ms / period length), INT64_MIN if none yet */
	double sum;
	float min, max;
	uint32_t n;
};

/*
 * What the trend functions need of a window, gathered in one pass over the
 * ring without copying the points (the rules engine's path: a cycle reads
 * about a million points).  Sums are of t in seconds relative to the first
 * point and v relative to the first point's v, which keeps the one-pass
 * least-squares sums well conditioned for any window a rule can ask for.
 */
struct hist_summary {
	size_t n;
	int64_t t_first, t_last; /* ms, of the oldest and newest points */
	double v_first, v_last;
	double min, max; /* of the points' min / max; NaN only if all are */
	double sum_v;	 /* of v */
	double st, stt, sd,
	    std; /* sums of t, t*t, d, t*d: t = (t_ms - t_first) / 1000, d = v - v_first */
};

/* The closed periods of an aggregate window, summarised: they change only
 * when a period closes, so a window read every sample is summed once per
 * period (hist_window_summary()). */
struct hist_sumcache {
	int64_t w_ms;	    /* the window (-1: unused) */
	int64_t from, last; /* periods summed */
	int32_t ai;	    /* ring */
	struct hist_summary s;
};

#define HIST_SUMCACHE 2	     /* aggregate windows cached per metric ... */
#define HIST_SUMCACHE_MIN 16 /* ... of at least this many closed periods */

struct hist {
	uint32_t raw_cap;  /* raw samples the ring holds */
	uint32_t raw_len;  /* raw samples in it, <= raw_cap */
	uint32_t raw_head; /* index the next push writes */
	uint32_t span[2]; /* periods each ring has seen, up to its size: where its data may start */
	struct hist_acc acc[2];	 /* [0] minute, [1] quarter: the open period */
	int64_t last_period[2];	 /* newest closed period stored in each ring, INT64_MIN if none */
	struct hist_agg *agg[2]; /* point into the same allocation */
	struct hist_sumcache sc[HIST_SUMCACHE];
	uint32_t sc_next; /* the entry replaced next */
	struct hist_sample raw[];
};

/* A point of a window, at whatever resolution the window was read from.
 * For a raw sample v == min == max. For an aggregate t_ms is the middle of
 * its period (the open period: its middle so far, never past its newest
 * sample), v its average. */
struct hist_point {
	int64_t t_ms;
	double v, min, max;
};

/* Bytes one history of raw_cap raw samples takes (one allocation). */
size_t hist_bytes(uint32_t raw_cap);
/* A new empty history, or NULL (raw_cap 0 or > HIST_RAW_MAX, or ENOMEM). */
struct hist *hist_new(uint32_t raw_cap);
void hist_free(struct hist *h);
/* Append a sample: into the raw ring (overwriting the oldest when full) and,
 * if not NaN, into the open periods, closing them as time moves on.
 * A sample with t_ms older than the newest raw sample is ignored. */
void hist_push(struct hist *h, int64_t t_ms, double v);

/* Raw ring access. */
uint32_t hist_len(const struct hist *h);
/* The i-th raw sample, 0 = oldest.  NULL if i >= len. */
const struct hist_sample *hist_at(const struct hist *h, uint32_t i);
/* The newest raw sample, or NULL if empty. */
const struct hist_sample *hist_last(const struct hist *h);
/* Index (0 = oldest) of the first raw sample with t_ms >= since; len if none. */
uint32_t hist_first_since(const struct hist *h, int64_t since_ms);

/* Most points hist_window() can return for h (size of its out buffer). */
size_t hist_window_max(const struct hist *h);
/*
 * The non-NaN points of the window [now_ms - w_ms, now_ms], oldest first,
 * read from the finest resolution whose data reaches back to the window's
 * start; if none does (the history is younger than the window), from the
 * resolution that reaches back furthest (finer on a tie).  Returns the
 * number of points written to out (at most max); *res (if not NULL) gets
 * the resolution used.  Points newer than now_ms are left out.
 *
 * "Reaches back to" t: the oldest non-NaN raw sample is at or before t;
 * for an aggregate ring, the start of its oldest period with data (the
 * open period counts) is, except that when the next finer resolution's
 * oldest data lies inside that same period, the finer one's time is taken
 * (where in the period the first sample fell is not recorded; without this
 * a young history would be read from one quarter point instead of its raw
 * samples).  An aggregate point is in the window if its t_ms is.
 * With no data at all it returns 0 and *res = HIST_RAW.
 */
size_t hist_window(const struct hist *h, int64_t now_ms, int64_t w_ms, struct hist_point *out,
		   size_t max, enum hist_res *res);

/*
 * The series' value at time t_ms: the newest raw sample at or before it;
 * past the raw ring, the aggregate period holding t_ms (its minimum, the
 * value as it began) or the newest earlier period (its maximum), minute
 * ring first.  NAN if nothing that old is held.  Exact for raw data, within
 * one period otherwise; meant for running totals (event counts).
 */
double hist_value_at(const struct hist *h, int64_t t_ms);

/* Add one point (the next newest) to a summary that starts zeroed. */
void hist_summary_add(struct hist_summary *s, const struct hist_point *p);

/* Summarise the points hist_window() would return.  Returns s->n.  Not
 * const: it keeps the summaries of aggregate windows' closed periods in
 * h->sc for the next call. */
size_t hist_window_summary(struct hist *h, int64_t now_ms, int64_t w_ms, struct hist_summary *s);

/*
 * A summary of the window [now_ms - w_ms, now_ms] for a reader that may
 * not touch h (a const history: no cache kept) and must bound its cost:
 * the raw samples when hist_window() would read them and the window holds
 * at most raw_max of them, otherwise the one-minute ring (at most
 * HIST_MIN_SLOTS + 1 points, the open minute included), never the quarter
 * ring, so it is meant for windows of up to an hour.  *res (if not NULL)
 * gets the resolution read.  Returns s->n.
 */
size_t hist_window_summary_capped(const struct hist *h, int64_t now_ms, int64_t w_ms,
				  size_t raw_max, struct hist_summary *s, enum hist_res *res);

/* Oldest time any resolution holds data for, as hist_window() reckons it
 * (INT64_MAX if there is none; NaN samples are not data). */
int64_t hist_oldest(const struct hist *h);

/* For the state file: the aggregate rings in order, oldest first.
 * hist_agg_get copies up to max slots of resolution r (HIST_MINUTE or
 * HIST_QUARTER), oldest first, and the newest closed period number into
 * *last; returns how many.  hist_agg_put restores them (slots, newest
 * period last) into an empty history's ring; hist_acc_put restores an
 * open period; hist_raw_put appends a raw sample without aggregating it
 * (the restored aggregates already hold it).
 * hist_agg_get leaves out empty slots older than the oldest with data and,
 * when max is short, the oldest slots; *last is INT64_MIN (and the result
 * 0) if the ring holds no closed period.  hist_agg_put keeps the newest
 * slot count of v and drops an open period not after last; hist_acc_put
 * ignores an acc with no samples or a period not after the ring's newest
 * closed one; hist_acc_get returns NULL for HIST_RAW. */
size_t hist_agg_get(const struct hist *h, enum hist_res r, struct hist_agg *out, size_t max,
		    int64_t *last);
void hist_agg_put(struct hist *h, enum hist_res r, const struct hist_agg *v, size_t n,
		  int64_t last);
const struct hist_acc *hist_acc_get(const struct hist *h, enum hist_res r);
void hist_acc_put(struct hist *h, enum hist_res r, const struct hist_acc *acc);
void hist_raw_put(struct hist *h, int64_t t_ms, double v);

#endif
