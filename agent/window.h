/*
 * window: the trend functions rules use, over the points of one window
 * (see hist_window()), and the leaky bucket for error counters.
 *
 * Every function returns a struct wval: a number, or "not available" (too
 * few points to say anything: an empty window, a single point for a slope)
 * or an error (a result that is not a number).  Rules treat "not
 * available" as "cannot tell yet" and an error as an evaluation error.
 * Times are in milliseconds in, seconds out: slopes and rates are per
 * second, an ETA is in seconds.  Functions are pure and O(n).
 */
#ifndef HWH_WINDOW_H
#define HWH_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

/* (Not WV_OK: <unistd.h> has that name for access().) */
enum wstatus {
	WV_OK = 0, /* v holds the answer */
	WV_NA,	   /* not enough data */
	WV_ERR,	   /* not a number: v is NaN, why says what */
};

struct wval {
	enum wstatus st;
	double v;
	const char *why; /* static text for WV_NA / WV_ERR, NULL for WV_OK */
};

/* Mean of the points' averages (each point weighs the same). NA if n == 0. */
struct wval win_avg(const struct hist_point *p, size_t n);
/* Lowest p.min / highest p.max. NA if n == 0. */
struct wval win_min(const struct hist_point *p, size_t n);
struct wval win_max(const struct hist_point *p, size_t n);
/* Newest v minus oldest v. NA if n < 2. */
struct wval win_delta(const struct hist_point *p, size_t n);
/* delta / (newest t - oldest t) in units per second. NA if n < 2 or the
 * points share one time. */
struct wval win_rate(const struct hist_point *p, size_t n);

/* Least-squares line through the points (v against t). */
struct wfit {
	double slope;  /* units per second */
	double at_now; /* the line's value at now_ms */
	size_t n;      /* points used */
};
/* Fit the line; NA if n < 2 or every point has the same time.  One-pass
 * sums with times in seconds relative to the first point (so they stay
 * within the window's span) and values relative to its value.
 * On WV_OK v is the slope and *fit (if not NULL) is filled in. */
struct wval win_fit(const struct hist_point *p, size_t n, int64_t now_ms, struct wfit *fit);
/* The fitted slope in units per second. */
struct wval win_slope(const struct hist_point *p, size_t n, int64_t now_ms);
/* The fitted line's value horizon_ms after now_ms (Prometheus'
 * predict_linear). */
struct wval win_predict(const struct hist_point *p, size_t n, int64_t now_ms, int64_t horizon_ms);
/*
 * Seconds from now until the fitted line reaches threshold: 0 if the line
 * is already at or past it in the direction it is moving; +INFINITY if the
 * line is flat or moving away from it.  NA as win_fit; ERR if threshold is
 * NaN.
 *
 * "Past it" and "moving away" both describe a line beyond the threshold
 * and heading further; the window tells them apart: if the line was at or
 * on the other side of the threshold at the oldest point, it crossed it
 * inside the window (0); if it was on this side all along, it is moving
 * away (+INFINITY), e.g. a rising line that has been above the threshold
 * for the whole window.  Pair eta() with a plain threshold test for that.
 */
struct wval win_eta(const struct hist_point *p, size_t n, int64_t now_ms, double threshold);
/*
 * The same functions from a window's summary (hist_window_summary(): one
 * pass over the ring, no copy).  The array versions above summarise their
 * points and call these, so both paths compute alike.
 */
struct wval wsum_avg(const struct hist_summary *s);
struct wval wsum_min(const struct hist_summary *s);
struct wval wsum_max(const struct hist_summary *s);
struct wval wsum_delta(const struct hist_summary *s);
struct wval wsum_rate(const struct hist_summary *s);
struct wval wsum_fit(const struct hist_summary *s, int64_t now_ms, struct wfit *fit);
struct wval wsum_predict(const struct wfit *fit, int64_t horizon_ms);
struct wval wsum_eta(const struct hist_summary *s, int64_t now_ms, double threshold,
		     const struct wfit *fit);

/*
 * Leaky bucket (mcelog / rasdaemon style): holds up to a level, leaks
 * capacity units per window continuously, and every new error adds one.
 * "10 per 24h": capacity 10, leaks 10 per 24 h; errors arriving faster than
 * that fill it, slower ones drain away.  The level is not capped, so a
 * burst shows its size.
 */
struct leaky_bucket {
	double level;
	int64_t t_ms; /* when level was last brought up to date, 0 = never */
};

/* Leak up to now_ms, then add n new errors (n < 0 counts as 0).  Returns the
 * level.  Time going backwards leaks nothing. */
double bucket_add(struct leaky_bucket *b, double capacity, int64_t window_ms, int64_t now_ms,
		  double n);

#endif
