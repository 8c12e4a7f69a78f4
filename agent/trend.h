/*
 * trend: a metric's trend over the last hour and the limit it is heading
 * for, as the `sensors` reply shows them (docs/PROTOCOL.md) and the SNMP
 * subagent serves them (hwhMetricSlope, hwhMetricPredictedLimit,
 * hwhMetricTimeToLimit).
 *
 * The trend is the least-squares line (window.h, wsum_fit()) through the
 * metric's history of the last hour, read so that one metric costs at most
 * TREND_RAW_MAX points however long `history` is (the subagent asks for
 * every metric about once a second):
 *
 *   - the raw samples, while every reading of the hour is still in the raw
 *     ring (a young history, or a long ring at a slow interval) and there
 *     are at most TREND_RAW_MAX of them: exact;
 *   - otherwise the one-minute averages: one point per minute of the hour
 *     at its middle, and the current minute's running average, at most 61.
 *
 * The two are not mixed in one fit: the minutes the raw ring covers would
 * weigh 6 (10 s interval) to 60 (1 s) times as much as the others, and the
 * "hour" would really be its last few minutes.
 *
 * Both functions are pure: no locks, no allocation.  The caller holds the
 * store's lock while it reads a metric's history.
 */
#ifndef HWH_TREND_H
#define HWH_TREND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "history.h"

#define TREND_WINDOW_MS (3600 * 1000LL) /* the hour the trend is fitted over */
#define TREND_RAW_MAX 120		/* raw samples read at most, else minutes */
#define TREND_ETA_MAX_S 4294967295.0	/* 2^32 - 1 s (136 years): the MIB's Unsigned32 */

/* The fitted trend of one metric. */
struct trend {
	double slope_s;	   /* units per second; 0 when steady (see trend_of()) */
	int64_t span_ms;   /* newest point's time minus the oldest's */
	size_t points;	   /* points fitted */
	enum hist_res res; /* HIST_RAW or HIST_MINUTE: what was read */
};

/* Where the trend takes the metric: a limit it reports and when. */
struct prediction {
	enum hwh_limit limit; /* the limit */
	int64_t eta_s;	      /* seconds until the value reaches it, 0: already there */
};

/* Is a metric of this kind a measurement a trend means something for?
 * Not for discrete ones: HWH_KIND_STATE (a verdict) and HWH_KIND_INTRUSION
 * (a switch). */
bool trend_numeric(enum hwh_kind kind);

/*
 * The trend of history h over [now_ms - TREND_WINDOW_MS, now_ms] into *t.
 * false (and *t untouched) when that hour holds fewer than two points or
 * they share one time (h NULL too).  A fitted change over the points' span
 * smaller than FLT_EPSILON times the largest magnitude in the window is
 * reported as slope 0: the one-minute averages are floats, so a steady
 * value's raw and aggregate points differ in the last bits and would
 * otherwise give a tiny slope, and a prediction centuries away.
 */
bool trend_of(const struct hist *h, int64_t now_ms, struct trend *t);

/*
 * The limit the value heads for at slope_s (units per second), of those in
 * limit[] (NAN: none; values, not names, decide the order): rising, the
 * upper ones (max, crit, emerg), falling, the lower ones (min, lcrit,
 * lemerg).  The nearest one strictly ahead of value, eta_s = distance /
 * |slope_s| rounded; of two at one value the milder one.  When value is at
 * or past every one of them, the last it crossed (the nearest behind; of
 * two at one value the graver) with eta_s 0.  false (and *p untouched) when
 * value or slope_s is not finite, slope_s is 0, that side has no limit, or
 * the nearest one ahead is more than TREND_ETA_MAX_S away.
 */
bool trend_predict(double value, double slope_s, const double limit[HWH_LIM_COUNT],
		   struct prediction *p);

#endif
