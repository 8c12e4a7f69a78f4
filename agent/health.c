/*
 * health: the liveness part of the node's state (sources and metrics that
 * cannot vouch for themselves).  See health.h.
 */
#include "health.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
    [NODE_GREEN] = "green",
    [NODE_YELLOW] = "yellow",
    [NODE_RED] = "red",
    [NODE_CRITICAL] = "critical",
};

const char *node_state_name(enum node_state st)
{
	return (unsigned)st <= NODE_CRITICAL ? state_names[st] : "unknown";
}

const struct source_view *health_find_source(const struct source_view *srcs, size_t n,
					     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(srcs[i].name, name) == 0)
			return &srcs[i];
	return NULL;
}

int source_view_ok(const struct source_view *v)
{
	return v != NULL && v->info.state != SRC_UNAVAILABLE;
}

static const char *const kind_names[LK_COUNT] = {
    [LK_NONE] = "finding",
    [LK_NO_SOURCES] = "no-sources",
    [LK_SOURCE_DOWN] = "source-down",
    [LK_SOURCE_STALE] = "source-stale",
    [LK_SOURCE_EMPTY] = "source-empty",
    [LK_METRIC_STALE] = "metric-stale",
    [LK_METRIC_UNREADABLE] = "metric-unreadable",
    [LK_DRAIN_REFUSED] = "drain-refused",
};

const char *live_kind_name(enum live_kind k)
{
	return (unsigned)k < LK_COUNT ? kind_names[k] : "?";
}

double health_live_score(const struct health_report *r)
{
	return 10.0 * __builtin_popcount(r->live_kinds);
}

/* Insert a reason keeping the list worst first, stable among equals; a full
 * list drops its lightest reason (counted in r->more). */
static void add(struct health_report *r, enum node_state st, enum live_kind k, const char *target,
		const char *fmt, va_list ap)
{
	size_t pos = 0, tail;

	if (st > r->state)
		r->state = st;
	if (k != LK_NONE)
		r->live_kinds |= 1u << k;
	while (pos < r->nreasons && r->reason_state[pos] >= st)
		pos++;
	if (pos == HEALTH_MAX_REASONS) {
		r->more++;
		return;
	}
	if (r->nreasons == HEALTH_MAX_REASONS) {
		r->more++;
		r->nreasons--;
	}
	tail = r->nreasons - pos;
	memmove(r->reasons[pos + 1], r->reasons[pos], tail * sizeof r->reasons[0]);
	memmove(&r->reason_state[pos + 1], &r->reason_state[pos], tail * sizeof r->reason_state[0]);
	memmove(&r->reason_kind[pos + 1], &r->reason_kind[pos], tail * sizeof r->reason_kind[0]);
	memmove(r->reason_target[pos + 1], r->reason_target[pos],
		tail * sizeof r->reason_target[0]);
	r->reason_state[pos] = st;
	r->reason_kind[pos] = k;
	snprintf(r->reason_target[pos], sizeof r->reason_target[0], "%s", target);
	vsnprintf(r->reasons[pos], sizeof r->reasons[0], fmt, ap);
	r->nreasons++;
}

void health_add_reason(struct health_report *r, enum node_state st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(r, st, LK_NONE, "", fmt, ap);
	va_end(ap);
}

void health_add_live(struct health_report *r, enum live_kind k, const char *target, const char *fmt,
		     ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(r, NODE_YELLOW, k, target, fmt, ap);
	va_end(ap);
}

static void eval_source(const struct source_view *v, int64_t now, struct health_report *r)
{
	const struct source_info *in = &v->info;

	if (in->state == SRC_FAILED || in->state == SRC_UNAVAILABLE)
		health_add_live(r, LK_SOURCE_DOWN, v->name, "source %s %s: %s", v->name,
				source_state_name(in->state), in->error);
	else if (in->state == SRC_OK && now - in->last_poll_mono_ms > v->stale_ms)
		health_add_live(r, LK_SOURCE_STALE, v->name, "source %s stale: no poll for %.0f s",
				v->name, (now - in->last_poll_mono_ms) / 1e3);
	else if (in->state == SRC_OK && in->metrics == 0)
		/* Configured to watch something and sees nothing: not "healthy". */
		health_add_live(r, LK_SOURCE_EMPTY, v->name,
				"source %s found nothing to read in its last poll", v->name);
}

static void eval_metric(const struct metric *m, const struct source_view *v, int64_t now,
			struct health_report *r)
{
	enum metric_status st;

	if (!source_view_ok(v))
		return; /* the source's own reason covers it */
	st = metric_status(m, 1, v->stale_ms, now);
	if (st == MST_STALE) {
		health_add_live(r, LK_METRIC_STALE, m->id, "%s stale: no reading for %.0f s", m->id,
				(now - m->t_mono_ms) / 1e3);
	} else if (st == MST_UNREADABLE && now - m->t_ok_mono_ms > v->stale_ms) {
		/* Not one failed read (an i2c sensor's occasional EIO, which would
		 * hold the node yellow for recover-after): unreadable as long as a
		 * source may go without reporting before it is stale. */
		health_add_live(r, LK_METRIC_UNREADABLE, m->id, "%s unreadable for %.0f s: %s",
				m->id, (now - m->t_ok_mono_ms) / 1e3, m->error ? m->error : "?");
	}
	/* Limits, alarms and faults are the rules' business (rules/hardware.rules). */
}

static void eval_one(const struct metric *m, const struct source_view *srcs, size_t nsrcs,
		     int64_t now, struct health_report *out)
{
	const struct source_view *v = health_find_source(srcs, nsrcs, m->source);

	if (v == NULL) /* its source was removed by a reload */
		health_add_live(out, LK_METRIC_STALE, m->id,
				"%s stale: source %s no longer configured", m->id, m->source);
	else
		eval_metric(m, v, now, out);
}

void health_eval(const struct metric_store *ms, const struct source_view *srcs, size_t nsrcs,
		 int64_t now_mono, struct health_report *out)
{
	struct metric **v;
	long n;

	memset(out, 0, sizeof *out);
	if (nsrcs == 0)
		health_add_live(out, LK_NO_SOURCES, "",
				"no sources: nothing configured or detected to watch");
	for (size_t i = 0; i < nsrcs; i++)
		eval_source(&srcs[i], now_mono, out);
	n = ms_sorted(ms, &v);
	if (n >= 0) {
		for (long i = 0; i < n; i++)
			eval_one(v[i], srcs, nsrcs, now_mono, out);
		free(v);
		return;
	}
	/* Out of memory: the same verdict, reasons in table order. */
	for (size_t b = 0; b < ms->nbuckets; b++)
		for (const struct metric *m = ms->buckets[b]; m != NULL; m = m->next)
			eval_one(m, srcs, nsrcs, now_mono, out);
}
