/*
 * trend: a metric's trend over the last hour and the limit it heads for.
 * See trend.h for what is read and why.
 *
 * To change the window or the cost bound, change TREND_WINDOW_MS or
 * TREND_RAW_MAX (windows longer than the minute ring's hour would need
 * hist_window_summary_capped() to read the quarter ring).
 */
#include "trend.h"

#include <float.h>
#include <math.h>

#include "window.h"

_Static_assert(TREND_WINDOW_MS <= HIST_MIN_SLOTS * HIST_MIN_MS,
	       "the trend's window must fit in the one-minute ring");

bool trend_numeric(enum hwh_kind kind)
{
	return kind != HWH_KIND_STATE && kind != HWH_KIND_INTRUSION;
}

bool trend_of(const struct hist *h, int64_t now_ms, struct trend *t)
{
	struct hist_summary s;
	enum hist_res res;
	struct wfit f;
	double span_s, scale;

	if (h == NULL ||
	    hist_window_summary_capped(h, now_ms, TREND_WINDOW_MS, TREND_RAW_MAX, &s, &res) < 2)
		return false;
	if (wsum_fit(&s, now_ms, &f).st != WV_OK)
		return false;
	span_s = (double)(s.t_last - s.t_first) / 1000.0;
	scale = fmax(fabs(s.min), fabs(s.max));
	*t = (struct trend){
	    .slope_s = fabs(f.slope * span_s) <= FLT_EPSILON * scale ? 0 : f.slope,
	    .span_ms = s.t_last - s.t_first,
	    .points = s.n,
	    .res = res,
	};
	return true;
}

/* Order of the limits on each side, mildest first: the order a value
 * moving that way crosses them when the hardware's limits are sane. */
static const enum hwh_limit upper[] = {HWH_LIM_MAX, HWH_LIM_CRIT, HWH_LIM_EMERG};
static const enum hwh_limit lower[] = {HWH_LIM_MIN, HWH_LIM_LCRIT, HWH_LIM_LEMERG};

bool trend_predict(double value, double slope_s, const double limit[HWH_LIM_COUNT],
		   struct prediction *p)
{
	const enum hwh_limit *side = slope_s > 0 ? upper : lower;
	double dir = slope_s > 0 ? 1 : -1, ahead_d = INFINITY, behind_d = -INFINITY, eta;
	int ahead = -1, behind = -1;

	if (!isfinite(value) || !isfinite(slope_s) || slope_s == 0)
		return false;
	for (int i = 0; i < 3; i++) {
		double d = (limit[side[i]] - value) * dir; /* > 0: ahead */

		if (!isfinite(d))
			continue;	    /* no such limit (NAN), or an absurd one */
		if (d > 0 && d < ahead_d) { /* strict: the milder wins a tie */
			ahead = side[i];
			ahead_d = d;
		} else if (d <= 0 && d >= behind_d) { /* the graver wins a tie */
			behind = side[i];
			behind_d = d;
		}
	}
	if (ahead >= 0) {
		eta = ahead_d / fabs(slope_s);
		if (!(eta <= TREND_ETA_MAX_S))
			return false;
		*p = (struct prediction){.limit = (enum hwh_limit)ahead, .eta_s = llround(eta)};
		return true;
	}
	if (behind >= 0) {
		*p = (struct prediction){.limit = (enum hwh_limit)behind, .eta_s = 0};
		return true;
	}
	return false;
}
