/*
 * commands_devices: the "devices" request, the daemon side of
 * `hwhealth smart`: the metrics of each device of the sources of one
 * plugin, each with its trend over the last hour and day, and the findings
 * on that device.  See docs/PROTOCOL.md.
 *
 * Trends come from the metric's history (history.h), which covers 24 h at
 * 15-minute resolution: "delta_24h" is the newest value minus the oldest
 * the window holds, "span_24h_s" how much time that covers, so a counter
 * that grew by 3 in the 6 h the daemon has been up reads as such.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "util.h"
#include "window.h"

#define HOUR_MS (3600 * 1000LL)
#define DAY_MS (24 * HOUR_MS)

/* What the request asks for. */
struct dev_query {
	const char *plugin; /* sources of this plugin */
	const char *device; /* one device, or NULL for all */
};

/* The trend of m over the last w_ms: {"delta":..,"min":..,"max":..,"span_s":..}
 * or null when the window holds fewer than two points. */
static json_object *trend_json(struct metric *m, int64_t now, int64_t w_ms)
{
	size_t cap = hist_window_max(m->hist), n;
	struct hist_point *p = calloc(cap ? cap : 1, sizeof *p);
	enum hist_res res;
	struct wval dv, lo, hi;
	json_object *o = NULL;

	if (p == NULL)
		return NULL;
	n = hist_window(m->hist, now, w_ms, p, cap, &res);
	dv = win_delta(p, n);
	if (dv.st == WV_OK) {
		lo = win_min(p, n);
		hi = win_max(p, n);
		o = json_object_new_object();
		json_object_object_add(o, "delta", json_object_new_double(dv.v));
		json_object_object_add(o, "min",
				       lo.st == WV_OK ? json_object_new_double(lo.v) : NULL);
		json_object_object_add(o, "max",
				       hi.st == WV_OK ? json_object_new_double(hi.v) : NULL);
		json_object_object_add(o, "span_s",
				       json_object_new_double((p[n - 1].t_ms - p[0].t_ms) / 1e3));
	}
	free(p);
	return o;
}

/* Is source name one of the plugin's?  Its view, or NULL. */
static const struct source_view *plugin_source(struct daemon *d, const struct source_view *v,
					       const char *name, const char *plugin)
{
	for (size_t i = 0; i < d->nsources; i++)
		if (strcmp(d->sources[i]->name, name) == 0)
			return strcmp(d->sources[i]->plugin->name, plugin) == 0 ? &v[i] : NULL;
	return NULL;
}

/* The device object for (source, device) in arr, added if new. */
static json_object *device_obj(json_object *arr, const char *source, const char *device)
{
	size_t n = json_object_array_length(arr);
	json_object *o, *j;

	if (n > 0) {
		o = json_object_array_get_idx(arr, n - 1); /* metrics come sorted by id */
		if (json_object_object_get_ex(o, "source", &j) &&
		    strcmp(json_object_get_string(j), source) == 0 &&
		    json_object_object_get_ex(o, "device", &j) &&
		    strcmp(json_object_get_string(j), device) == 0)
			return o;
	}
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string(source));
	json_object_object_add(o, "device", json_object_new_string(device));
	json_object_object_add(o, "metrics", json_object_new_array());
	json_object_object_add(o, "findings", json_object_new_array());
	json_object_array_add(arr, o);
	return o;
}

/* Store lock held: every metric of the query's devices, with trends. */
static void add_metrics(struct daemon *d, const struct source_view *v, struct metric **ms, long n,
			const struct dev_query *q, int64_t now, json_object *arr)
{
	for (long i = 0; i < n; i++) {
		struct metric *m = ms[i];
		const struct source_view *sv = plugin_source(d, v, m->source, q->plugin);
		struct metric_trend mt;
		json_object *dev, *mj, *jm;

		if (sv == NULL || (q->device != NULL && strcmp(m->device, q->device) != 0))
			continue;
		dev = device_obj(arr, m->source, m->device);
		mj = metric_json(m, sv, now);
		metric_trend_get(m, now, &mt);
		metric_trend_json(mj, &mt);
		json_object_object_add(mj, "trend_1h", trend_json(m, now, HOUR_MS));
		json_object_object_add(mj, "trend_24h", trend_json(m, now, DAY_MS));
		json_object_object_get_ex(dev, "metrics", &jm);
		json_object_array_add(jm, mj);
	}
}

/* Store lock held: each finding on a metric of a listed device. */
static void add_findings(const struct engine *e, json_object *arr)
{
	for (const struct binding *b = e->findings; b != NULL; b = b->x->next) {
		const struct metric *m = b->tgt->m;
		json_object *jf;

		if (m == NULL)
			continue; /* an event stream */
		for (size_t i = 0; i < json_object_array_length(arr); i++) {
			json_object *o = json_object_array_get_idx(arr, i), *j, *k;
			if (json_object_object_get_ex(o, "source", &j) &&
			    strcmp(json_object_get_string(j), m->source) == 0 &&
			    json_object_object_get_ex(o, "device", &k) &&
			    strcmp(json_object_get_string(k), m->device) == 0 &&
			    json_object_object_get_ex(o, "findings", &jf)) {
				json_object_array_add(jf, finding_json(b));
				break;
			}
		}
	}
}

/* {"cmd":"devices","plugin":"smart","device":"sda"}: device optional. */
json_object *cmd_devices(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	struct dev_query q = {.plugin = NULL, .device = NULL};
	struct source_view *v;
	struct metric **ms = NULL;
	json_object *j, *arr, *r;
	int64_t now = mono_ms();
	long n;

	if (json_object_object_get_ex(req, "plugin", &j) &&
	    json_object_is_type(j, json_type_string))
		q.plugin = json_object_get_string(j);
	if (json_object_object_get_ex(req, "device", &j) &&
	    json_object_is_type(j, json_type_string))
		q.device = json_object_get_string(j);
	if (q.plugin == NULL) {
		snprintf(err, errlen, "devices needs \"plugin\" (such as \"smart\")");
		return NULL;
	}
	if ((v = daemon_views(d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	arr = json_object_new_array();
	ms_lock(&d->store);
	n = ms_sorted(&d->store, &ms);
	if (n >= 0) {
		add_metrics(d, v, ms, n, &q, now, arr);
		add_findings(&d->engine, arr);
	}
	ms_unlock(&d->store);
	free(ms);
	free(v);
	if (n < 0) {
		json_object_put(arr);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (q.device != NULL && json_object_array_length(arr) == 0) {
		json_object_put(arr);
		snprintf(err, errlen, "no device '%s' in any %s source", q.device, q.plugin);
		return NULL;
	}
	r = json_object_new_object();
	json_object_object_add(r, "devices", arr);
	return r;
}
