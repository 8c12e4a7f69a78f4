/*
 * metrics: the metric store.  See metrics.h.
 *
 * A chained hash table (FNV-1a) that doubles when the load passes 1.  Strings
 * of a metric (label, unit, text, error) are replaced only when they change,
 * so steady-state polls do no allocation.
 */
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MS_INITIAL_BUCKETS 256

static const char *const kind_names[HWH_KIND_COUNT] = {
    [HWH_KIND_OTHER] = "other",
    [HWH_KIND_TEMPERATURE] = "temperature",
    [HWH_KIND_FAN] = "fan",
    [HWH_KIND_VOLTAGE] = "voltage",
    [HWH_KIND_CURRENT] = "current",
    [HWH_KIND_POWER] = "power",
    [HWH_KIND_ENERGY] = "energy",
    [HWH_KIND_HUMIDITY] = "humidity",
    [HWH_KIND_INTRUSION] = "intrusion",
    [HWH_KIND_COUNTER] = "counter",
    [HWH_KIND_PERCENT] = "percent",
    [HWH_KIND_STATE] = "state",
};

static const char *const kind_units[HWH_KIND_COUNT] = {
    [HWH_KIND_OTHER] = "",    [HWH_KIND_TEMPERATURE] = "C", [HWH_KIND_FAN] = "RPM",
    [HWH_KIND_VOLTAGE] = "V", [HWH_KIND_CURRENT] = "A",	    [HWH_KIND_POWER] = "W",
    [HWH_KIND_ENERGY] = "J",  [HWH_KIND_HUMIDITY] = "%RH",  [HWH_KIND_INTRUSION] = "",
    [HWH_KIND_COUNTER] = "",  [HWH_KIND_PERCENT] = "%",	    [HWH_KIND_STATE] = "",
};

static const char *const limit_names[HWH_LIM_COUNT] = {
    [HWH_LIM_LEMERG] = "lemerg", [HWH_LIM_LCRIT] = "lcrit", [HWH_LIM_MIN] = "min",
    [HWH_LIM_MAX] = "max",	 [HWH_LIM_CRIT] = "crit",   [HWH_LIM_EMERG] = "emerg",
};

static const char *const status_names[MST_COUNT] = {
    [MST_OK] = "ok",	   [MST_ALARM] = "alarm",
    [MST_FAULT] = "fault", [MST_UNREADABLE] = "unreadable",
    [MST_STALE] = "stale", [MST_UNAVAILABLE] = "unavailable",
    [MST_HELD] = "held",
};

const char *kind_name(enum hwh_kind kind)
{
	return (unsigned)kind < HWH_KIND_COUNT ? kind_names[kind] : "other";
}

const char *kind_default_unit(enum hwh_kind kind)
{
	return (unsigned)kind < HWH_KIND_COUNT ? kind_units[kind] : "";
}

const char *limit_name(enum hwh_limit lim)
{
	return (unsigned)lim < HWH_LIM_COUNT ? limit_names[lim] : "?";
}

const char *metric_status_name(enum metric_status st)
{
	return (unsigned)st < MST_COUNT ? status_names[st] : "?";
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

int ms_init(struct metric_store *ms, uint32_t hist_cap)
{
	memset(ms, 0, sizeof *ms);
	if (hist_cap == 0 || hist_cap > HIST_RAW_MAX)
		return -EINVAL;
	ms->buckets = calloc(MS_INITIAL_BUCKETS, sizeof *ms->buckets);
	if (ms->buckets == NULL)
		return -ENOMEM;
	ms->nbuckets = MS_INITIAL_BUCKETS;
	ms->hist_cap = hist_cap;
	pthread_mutex_init(&ms->lock, NULL);
	return 0;
}

static void metric_free(struct metric_store *ms, struct metric *m)
{
	if (ms != NULL && ms->on_free != NULL)
		ms->on_free(m, ms->hook_arg);
	free(m->id);
	free(m->source);
	free(m->device);
	free(m->name);
	free(m->label);
	free(m->unit);
	free(m->text);
	free(m->error);
	hist_free(m->hist);
	free(m);
}

void ms_destroy(struct metric_store *ms)
{
	for (size_t i = 0; i < ms->nbuckets; i++) {
		struct metric *m = ms->buckets[i], *next;
		for (; m != NULL; m = next) {
			next = m->next;
			metric_free(ms, m);
		}
	}
	free(ms->buckets);
	ms->buckets = NULL;
	pthread_mutex_destroy(&ms->lock);
}

void ms_lock(struct metric_store *ms)
{
	pthread_mutex_lock(&ms->lock);
}

void ms_unlock(struct metric_store *ms)
{
	pthread_mutex_unlock(&ms->lock);
}

static int id_part_ok(const char *s)
{
	return s != NULL && *s != '\0' && strchr(s, '/') == NULL;
}

int metric_make_id(char *buf, size_t n, const char *source, const char *device, const char *name)
{
	size_t ls, ld, ln;

	if (!id_part_ok(source) || !id_part_ok(device) || !id_part_ok(name))
		return -EINVAL;
	/* Not snprintf(): a new metric and every replayed sample build one. */
	ls = strlen(source), ld = strlen(device), ln = strlen(name);
	if (ls + ld + ln + 2 >= n)
		return -ENAMETOOLONG;
	memcpy(buf, source, ls);
	buf[ls] = '/';
	memcpy(buf + ls + 1, device, ld);
	buf[ls + 1 + ld] = '/';
	memcpy(buf + ls + ld + 2, name, ln + 1);
	return 0;
}

struct metric *ms_find(const struct metric_store *ms, const char *id)
{
	struct metric *m = ms->buckets[fnv1a(id) % ms->nbuckets];

	for (; m != NULL; m = m->next)
		if (strcmp(m->id, id) == 0)
			return m;
	return NULL;
}

static void ms_grow(struct metric_store *ms)
{
	size_t n = ms->nbuckets * 2;
	struct metric **b = calloc(n, sizeof *b);

	if (b == NULL)
		return; /* keep the longer chains: slower, still correct */
	for (size_t i = 0; i < ms->nbuckets; i++) {
		struct metric *m = ms->buckets[i], *next;
		for (; m != NULL; m = next) {
			size_t k = fnv1a(m->id) % n;
			next = m->next;
			m->next = b[k];
			b[k] = m;
		}
	}
	free(ms->buckets);
	ms->buckets = b;
	ms->nbuckets = n;
}

static struct metric *metric_new(struct metric_store *ms, const char *id, const char *source,
				 const struct hwh_reading *r)
{
	struct metric *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->id = strdup(id);
	m->source = strdup(source);
	m->device = strdup(r->device);
	m->name = strdup(r->name);
	m->hist = hist_new(ms->hist_cap);
	if (!m->id || !m->source || !m->device || !m->name || !m->hist) {
		metric_free(NULL, m);
		return NULL;
	}
	if (ms->count + 1 > ms->nbuckets)
		ms_grow(ms);
	size_t k = fnv1a(id) % ms->nbuckets;
	m->next = ms->buckets[k];
	ms->buckets[k] = m;
	ms->count++;
	return m;
}

/* Replace *dst by a copy of src (NULL allowed) when it differs. */
static int str_update(char **dst, const char *src)
{
	char *copy;

	if (src == NULL || *src == '\0') {
		free(*dst);
		*dst = NULL;
		return 0;
	}
	if (*dst != NULL && strcmp(*dst, src) == 0)
		return 0;
	copy = strdup(src);
	if (copy == NULL)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

int metric_is(const struct metric *m, const struct hwh_reading *r)
{
	return r->device != NULL && r->name != NULL && strcmp(m->name, r->name) == 0 &&
	       strcmp(m->device, r->device) == 0;
}

int ms_update(struct metric_store *ms, const char *source, const struct hwh_reading *r,
	      int64_t mono, int64_t wall, struct metric **mp)
{
	char id[METRIC_ID_MAX];
	struct metric *m;
	int rc = metric_make_id(id, sizeof id, source, r->device, r->name);

	if (rc < 0)
		return rc;
	m = ms_find(ms, id);
	if (m != NULL) {
		if (mp != NULL)
			*mp = m;
		return metric_set(m, r, mono, wall);
	}
	if ((m = metric_new(ms, id, source, r)) == NULL)
		return -ENOMEM;
	m->t_ok_mono_ms = mono;
	if (mp != NULL)
		*mp = m;
	rc = metric_set(m, r, mono, wall);
	/* After the first sample, so the hook sees kind, unit and label. */
	if (ms->on_new != NULL)
		ms->on_new(m, ms->hook_arg);
	return rc;
}

int metric_set(struct metric *m, const struct hwh_reading *r, int64_t mono, int64_t wall)
{
	const char *unit = r->unit ? r->unit : kind_default_unit(r->kind);
	if (str_update(&m->label, r->label) || str_update(&m->unit, unit) ||
	    str_update(&m->text, r->text) ||
	    str_update(&m->error, r->status == HWH_R_OK ? NULL : r->error))
		return -ENOMEM;
	m->kind = r->kind;
	m->rstatus = r->status;
	m->value = r->status == HWH_R_OK ? r->value : NAN;
	memcpy(m->limit, r->limit, sizeof m->limit);
	m->flags = r->flags;
	m->t_mono_ms = mono;
	m->t_wall_ms = wall;
	m->t_held_mono_ms = 0;
	m->held[0] = '\0';
	if (r->status == HWH_R_OK)
		m->t_ok_mono_ms = mono;
	m->updates++;
	hist_push(m->hist, mono, m->value);
	return 0;
}

size_t ms_hold(struct metric_store *ms, const char *source, const char *device, const char *why,
	       int64_t now_mono)
{
	size_t n = 0;

	for (size_t b = 0; b < ms->nbuckets; b++) {
		for (struct metric *m = ms->buckets[b]; m != NULL; m = m->next) {
			if (strcmp(m->source, source) != 0 || strcmp(m->device, device) != 0)
				continue;
			/* A value that could not be read stays that way: holding
			 * it would let a drive that failed and then reports
			 * standby read as healthy. */
			if (m->rstatus == HWH_R_UNREADABLE)
				continue;
			m->t_held_mono_ms = now_mono;
			util_strlcpy(m->held, why != NULL && why[0] ? why : "held", sizeof m->held);
			n++;
		}
	}
	return n;
}

size_t ms_remove_source(struct metric_store *ms, const char *source)
{
	size_t n = 0;

	for (size_t b = 0; b < ms->nbuckets; b++) {
		struct metric **pp = &ms->buckets[b];
		while (*pp != NULL) {
			struct metric *m = *pp;
			if (strcmp(m->source, source) != 0) {
				pp = &m->next;
				continue;
			}
			*pp = m->next;
			metric_free(ms, m);
			n++;
		}
	}
	ms->count -= n;
	return n;
}

static int cmp_metric_id(const void *a, const void *b)
{
	const struct metric *const *x = a, *const *y = b;

	return strcmp((*x)->id, (*y)->id);
}

long ms_sorted(const struct metric_store *ms, struct metric ***out)
{
	struct metric **v = malloc((ms->count ? ms->count : 1) * sizeof *v);
	size_t n = 0;

	if (v == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < ms->nbuckets; i++)
		for (struct metric *m = ms->buckets[i]; m != NULL; m = m->next)
			v[n++] = m;
	qsort(v, n, sizeof *v, cmp_metric_id);
	*out = v;
	return (long)n;
}

static int above(double v, double lim)
{
	return !isnan(lim) && v >= lim;
}

static int below(double v, double lim)
{
	return !isnan(lim) && v <= lim;
}

enum limit_level metric_limit_level(const struct metric *m)
{
	const double *l = m->limit;
	double v = m->value;

	if (m->flags & HWH_F_EMERG_ALARM)
		return LIM_EMERG;
	if (!isnan(v) && (above(v, l[HWH_LIM_EMERG]) || below(v, l[HWH_LIM_LEMERG])))
		return LIM_EMERG;
	if (m->flags & (HWH_F_CRIT_ALARM | HWH_F_LCRIT_ALARM))
		return LIM_CRIT;
	if (!isnan(v) && (above(v, l[HWH_LIM_CRIT]) || below(v, l[HWH_LIM_LCRIT])))
		return LIM_CRIT;
	if (m->flags & (HWH_F_ALARM | HWH_F_MIN_ALARM | HWH_F_MAX_ALARM))
		return LIM_WARN;
	/* max is a warning ceiling; a value at min is still allowed (fans). */
	if (!isnan(v) &&
	    (above(v, l[HWH_LIM_MAX]) || (!isnan(l[HWH_LIM_MIN]) && v < l[HWH_LIM_MIN])))
		return LIM_WARN;
	return LIM_NONE;
}

enum metric_status metric_status(const struct metric *m, int source_ok, int64_t stale_ms,
				 int64_t now_mono)
{
	int64_t seen = m->t_held_mono_ms > m->t_mono_ms ? m->t_held_mono_ms : m->t_mono_ms;

	if (!source_ok)
		return MST_UNAVAILABLE;
	if (now_mono - seen > stale_ms)
		return MST_STALE;
	if (m->t_held_mono_ms > m->t_mono_ms)
		return MST_HELD;
	if (m->rstatus == HWH_R_UNREADABLE)
		return MST_UNREADABLE;
	if (m->flags & HWH_F_FAULT)
		return MST_FAULT;
	if (metric_limit_level(m) != LIM_NONE || (m->flags & HWH_F_ALARM))
		return MST_ALARM;
	/* A discrete sensor's own verdict (plugin.h, HWH_STATE_*). */
	if (m->kind == HWH_KIND_STATE && m->value >= HWH_STATE_WARNING)
		return MST_ALARM;
	return MST_OK;
}
