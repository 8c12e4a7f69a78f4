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

/*
 * The array versions summarise their points (oldest first) and answer from
 * the summary, so the engine's path (hist_window_summary() straight off the
 * ring) and these compute every function one way.
 */
static struct hist_summary summarise(const struct hist_point *p, size_t n)
{
	struct hist_summary s = {0};

	for (size_t i = 0; i < n; i++)
		hist_summary_add(&s, &p[i]);
	return s;
}

struct wval win_avg(const struct hist_point *p, size_t n)
{
	struct hist_summary s = summarise(p, n);

	return wsum_avg(&s);
}

struct wval win_min(const struct hist_point *p, size_t n)
{
	struct hist_summary s = summarise(p, n);

	return wsum_min(&s);
}

struct wval win_max(const struct hist_point *p, size_t n)
{
	struct hist_summary s = summarise(p, n);

	return wsum_max(&s);
}

struct wval win_delta(const struct hist_point *p, size_t n)
{
	struct hist_summary s = summarise(p, n);

	return wsum_delta(&s);
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
	struct hist_summary s = summarise(p, n);

	return wsum_rate(&s);
}

struct wval win_fit(const struct hist_point *p, size_t n, int64_t now_ms, struct wfit *fit)
{
	struct hist_summary s = summarise(p, n);

	return wsum_fit(&s, now_ms, fit);
}

struct wval win_slope(const struct hist_point *p, size_t n, int64_t now_ms)
{
	return win_fit(p, n, now_ms, NULL);
}

struct wval win_predict(const struct hist_point *p, size_t n, int64_t now_ms, int64_t horizon_ms)
{
	struct wfit f;
	struct wval r = win_fit(p, n, now_ms, &f);

	return r.st != WV_OK ? r : wsum_predict(&f, horizon_ms);
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
	struct hist_summary s = summarise(p, n);
	struct wfit f;
	struct wval r;

	if (isnan(threshold))
		return wv_err("threshold is not a number");
	r = wsum_fit(&s, now_ms, &f);
	return r.st != WV_OK ? r : wsum_eta(&s, now_ms, threshold, &f);
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
	double n = (double)s->n, sxx, sxy, slope, mt, at_now;

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
	at_now = s->v_first + s->sd / n + slope * (secs_between(s->t_first, now_ms) - mt);
	if (!isfinite(slope))
		return wv_num(slope); /* the error it is: not a number or overflow */
	if (!isfinite(at_now))
		return wv_num(at_now);
	if (fit != NULL)
		*fit = (struct wfit){.slope = slope, .at_now = at_now, .n = s->n};
	return wv_num(slope);
}

struct wval wsum_predict(const struct wfit *fit, int64_t horizon_ms)
{
	return wv_num(fit->at_now + fit->slope * ((double)horizon_ms / 1000.0));
}

/* The ETA of the fitted line (see win_eta()); the oldest point is the first. */
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
