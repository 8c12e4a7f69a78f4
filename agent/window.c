/*
 * window: trend functions over the points of a window, and the leaky
 * bucket.  See window.h.
 *
 * Every function checks its own result: a value that came out NaN or
 * infinite (an input already was, or a sum overflowed) is reported as
 * WV_ERR rather than handed to a rule as a number.  To add a function:
 * compute in double, return it through wv_num() so this check is not
 * forgotten, and give "not available" its own short why text.
 */
#include "window.h"

#include <math.h>

static struct wval wv_na(const char *why)
{
	return (struct wval){.st = WV_NA, .v = NAN, .why = why};
}

static struct wval wv_err(const char *why)
{
	return (struct wval){.st = WV_ERR, .v = NAN, .why = why};
}

/* v as a result: OK if finite, else the error it is. */
static struct wval wv_num(double v)
{
	if (isnan(v))
		return wv_err("not a number");
	if (isinf(v))
		return wv_err("overflow");
	return (struct wval){.st = WV_OK, .v = v, .why = NULL};
}

struct wval win_avg(const struct hist_point *p, size_t n)
{
	double sum = 0;

	if (n == 0)
		return wv_na("no data in window");
	for (size_t i = 0; i < n; i++)
		sum += p[i].v;
	return wv_num(sum / (double)n);
}

/* A NaN min or max never wins a comparison, so it is skipped unless every
 * point has one; then the result is NaN and wv_num() reports it. */
struct wval win_min(const struct hist_point *p, size_t n)
{
	double m;

	if (n == 0)
		return wv_na("no data in window");
	m = p[0].min;
	for (size_t i = 1; i < n; i++)
		if (p[i].min < m || isnan(m))
			m = p[i].min;
	return wv_num(m);
}

struct wval win_max(const struct hist_point *p, size_t n)
{
	double m;

	if (n == 0)
		return wv_na("no data in window");
	m = p[0].max;
	for (size_t i = 1; i < n; i++)
		if (p[i].max > m || isnan(m))
			m = p[i].max;
	return wv_num(m);
}

struct wval win_delta(const struct hist_point *p, size_t n)
{
	if (n == 0)
		return wv_na("no data in window");
	if (n < 2)
		return wv_na("too few points");
	return wv_num(p[n - 1].v - p[0].v);
}

/* b - a in seconds.  Through double when the int64 difference would
 * overflow (times that far apart lose sub-millisecond precision anyway). */
static double secs_between(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(b, a, &d))
		return ((double)b - (double)a) / 1000.0;
	return (double)d / 1000.0;
}

struct wval win_rate(const struct hist_point *p, size_t n)
{
	double dt;

	if (n == 0)
		return wv_na("no data in window");
	if (n < 2)
		return wv_na("too few points");
	dt = secs_between(p[0].t_ms, p[n - 1].t_ms);
	if (dt == 0)
		return wv_na("points share one time");
	return wv_num((p[n - 1].v - p[0].v) / dt);
}

/*
 * Ordinary least squares in two passes: the means first, then the sums of
 * the centred products.  Times relative to now_ms keep them small, and
 * centring avoids the cancellation of the one-pass formula
 * (n*sum(t*v) - sum(t)*sum(v)), which loses every digit when the times
 * are large and close together.
 */
struct wval win_fit(const struct hist_point *p, size_t n, int64_t now_ms, struct wfit *fit)
{
	double mt = 0, mv = 0, sxx = 0, sxy = 0, slope, at_now;

	if (n == 0)
		return wv_na("no data in window");
	if (n < 2)
		return wv_na("too few points");
	for (size_t i = 0; i < n; i++) {
		mt += secs_between(now_ms, p[i].t_ms);
		mv += p[i].v;
	}
	mt /= (double)n;
	mv /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double dt = secs_between(now_ms, p[i].t_ms) - mt;

		sxx += dt * dt;
		sxy += dt * (p[i].v - mv);
	}
	if (sxx == 0)
		return wv_na("points share one time");
	if (!isfinite(sxx))
		return wv_err("overflow");
	slope = sxy / sxx;
	at_now = mv - slope * mt; /* the line at t = 0, i.e. now_ms */
	if (!isfinite(slope))
		return wv_num(slope);
	if (!isfinite(at_now))
		return wv_num(at_now);
	if (fit != NULL)
		*fit = (struct wfit){.slope = slope, .at_now = at_now, .n = n};
	return wv_num(slope);
}

struct wval win_slope(const struct hist_point *p, size_t n, int64_t now_ms)
{
	return win_fit(p, n, now_ms, NULL);
}

struct wval win_predict(const struct hist_point *p, size_t n, int64_t now_ms, int64_t horizon_ms)
{
	struct wfit f;
	struct wval r = win_fit(p, n, now_ms, &f);

	if (r.st != WV_OK)
		return r;
	return wv_num(f.at_now + f.slope * ((double)horizon_ms / 1000.0));
}

/*
 * Which side of the threshold counts as "past" is not known from the
 * threshold alone (a temperature rising to 80 C and a fan slowing to
 * 500 RPM look alike), so the window decides: a line that met or crossed
 * the threshold between the oldest point and now is past it (0); one on
 * the same side all along and moving away never reaches it (+INFINITY).
 */
struct wval win_eta(const struct hist_point *p, size_t n, int64_t now_ms, double threshold)
{
	struct wfit f;
	struct wval r;

	if (isnan(threshold))
		return wv_err("threshold is not a number");
	r = win_fit(p, n, now_ms, &f);
	if (r.st != WV_OK)
		return r;
	return win_eta_fit(p, n, now_ms, threshold, &f);
}

/* The ETA of a fitted line to threshold, t_old seconds (negative: in the
 * past) being the window's oldest point: see win_eta(). */
static struct wval eta_of(const struct wfit *f, double t_old, double threshold)
{
	double d_now, d_old;

	if (isnan(threshold))
		return wv_err("threshold is not a number");
	d_now = f->at_now - threshold;
	if (d_now == 0)
		return wv_num(0);
	if (f->slope == 0)
		return (struct wval){.st = WV_OK, .v = INFINITY, .why = NULL};
	if ((d_now < 0) == (f->slope > 0)) /* moving towards it */
		return wv_num(-d_now / f->slope);
	d_old = f->at_now + f->slope * t_old - threshold;
	if (d_old == 0 || (d_old < 0) != (d_now < 0))
		return wv_num(0);
	return (struct wval){.st = WV_OK, .v = INFINITY, .why = NULL};
}

struct wval win_eta_fit(const struct hist_point *p, size_t n, int64_t now_ms, double threshold,
			const struct wfit *f)
{
	double t_old = 0;

	for (size_t i = 0; i < n; i++) { /* oldest time, whatever the order */
		double t = secs_between(now_ms, p[i].t_ms);

		if (i == 0 || t < t_old)
			t_old = t;
	}
	return eta_of(f, t_old, threshold);
}

/* ---- from a summary ---- */

struct wval wsum_avg(const struct hist_summary *s)
{
	if (s->n == 0)
		return wv_na("no data in window");
	return wv_num(s->sum_v / (double)s->n);
}

struct wval wsum_min(const struct hist_summary *s)
{
	return s->n == 0 ? wv_na("no data in window") : wv_num(s->min);
}

struct wval wsum_max(const struct hist_summary *s)
{
	return s->n == 0 ? wv_na("no data in window") : wv_num(s->max);
}

struct wval wsum_delta(const struct hist_summary *s)
{
	if (s->n == 0)
		return wv_na("no data in window");
	if (s->n < 2)
		return wv_na("too few points");
	return wv_num(s->v_last - s->v_first);
}

struct wval wsum_rate(const struct hist_summary *s)
{
	double dt;

	if (s->n == 0)
		return wv_na("no data in window");
	if (s->n < 2)
		return wv_na("too few points");
	dt = secs_between(s->t_first, s->t_last);
	if (dt == 0)
		return wv_na("points share one time");
	return wv_num((s->v_last - s->v_first) / dt);
}

/* One-pass least squares: sxx = sum(t^2) - sum(t)^2 / n with t relative to
 * the first point, so the sums stay within a window's span (a day at most)
 * and the cancellation costs a few digits of sixteen. */
struct wval wsum_fit(const struct hist_summary *s, int64_t now_ms, struct wfit *fit)
{
	double n = (double)s->n, sxx, sxy, slope, mt;

	if (s->n == 0)
		return wv_na("no data in window");
	if (s->n < 2)
		return wv_na("too few points");
	sxx = s->stt - s->st * s->st / n;
	if (!(sxx > 0))
		return isfinite(sxx) ? wv_na("points share one time") : wv_err("overflow");
	sxy = s->std - s->st * s->sd / n;
	slope = sxy / sxx;
	mt = s->st / n;
	if (fit != NULL) {
		fit->slope = slope;
		fit->at_now =
		    s->v_first + s->sd / n + slope * (secs_between(s->t_first, now_ms) - mt);
		fit->n = s->n;
		if (!isfinite(fit->at_now))
			return wv_err("overflow");
	}
	return wv_num(slope);
}

struct wval wsum_predict(const struct wfit *fit, int64_t horizon_ms)
{
	return wv_num(fit->at_now + fit->slope * ((double)horizon_ms / 1000.0));
}

/* As win_eta_fit(); the oldest point is the first. */
struct wval wsum_eta(const struct hist_summary *s, int64_t now_ms, double threshold,
		     const struct wfit *f)
{
	return eta_of(f, secs_between(now_ms, s->t_first), threshold);
}

/*
 * The leak is computed from the elapsed time on each call rather than on
 * a timer, so an idle bucket costs nothing.  Going backwards in time
 * leaks nothing and keeps the later mark, so a clock that stepped back
 * cannot leak the same interval twice.
 */
double bucket_add(struct leaky_bucket *b, double capacity, int64_t window_ms, int64_t now_ms,
		  double n)
{
	if (b->t_ms == 0) {
		b->t_ms = now_ms;
	} else if (now_ms > b->t_ms) {
		if (capacity > 0 && window_ms > 0) {
			double leak =
			    secs_between(b->t_ms, now_ms) * 1000.0 * capacity / (double)window_ms;

			b->level = b->level > leak ? b->level - leak : 0;
		}
		b->t_ms = now_ms;
	}
	if (n > 0) /* also false for NaN */
		b->level += n;
	return b->level;
}
