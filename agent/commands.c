/*
 * commands: what the control socket answers (docs/PROTOCOL.md).  Each
 * handler builds a json-c result from the daemon's state; state-changing
 * ones are marked root-only in the table at the end.  To add a command,
 * write a handler and add a row.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

static json_object *jdouble(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *jstr(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

static json_object *cmd_ping(void *ud, json_object *req, char *err, size_t errlen)
{
	json_object *r = json_object_new_object();

	(void)ud, (void)req, (void)err, (void)errlen;
	json_object_object_add(r, "pong", json_object_new_boolean(1));
	json_object_object_add(r, "version", json_object_new_string(HWH_VERSION));
	return r;
}

static json_object *node_json(struct daemon *d)
{
	struct health_report h;
	json_object *node = json_object_new_object(), *reasons = json_object_new_array();

	daemon_health(d, &h);
	for (size_t i = 0; i < h.nreasons; i++)
		json_object_array_add(reasons, json_object_new_string(h.reasons[i]));
	if (h.more > 0) {
		char buf[64];
		snprintf(buf, sizeof buf, "... and %zu more", h.more);
		json_object_array_add(reasons, json_object_new_string(buf));
	}
	json_object_object_add(node, "state", json_object_new_string(node_state_name(h.state)));
	json_object_object_add(node, "score", json_object_new_double(h.score));
	json_object_object_add(
	    node, "since", h.since_wall_ms ? json_object_new_double(h.since_wall_ms / 1e3) : NULL);
	json_object_object_add(node, "reasons", reasons);
	return node;
}

static const char *source_status(const struct source_view *v, int64_t now)
{
	if (v->info.state == SRC_OK && now - v->info.last_poll_mono_ms > v->stale_ms)
		return "stale";
	return source_state_name(v->info.state);
}

static json_object *source_json(struct daemon *d, size_t i, const struct source_view *v,
				int64_t now)
{
	const struct source *s = d->sources[i];
	const struct source_info *in = &v->info;
	json_object *o = json_object_new_object();
	int polled = in->last_poll_mono_ms != 0;

	json_object_object_add(o, "name", json_object_new_string(s->name));
	json_object_object_add(o, "plugin", json_object_new_string(s->plugin->name));
	json_object_object_add(o, "status", json_object_new_string(source_status(v, now)));
	json_object_object_add(o, "interval_s", json_object_new_double(s->interval_ms / 1e3));
	json_object_object_add(o, "timeout_s", json_object_new_double(s->timeout_ms / 1e3));
	json_object_object_add(o, "stale_after_s", json_object_new_double(s->stale_ms / 1e3));
	json_object_object_add(o, "last_poll",
			       polled ? json_object_new_double(in->last_poll_wall_ms / 1e3) : NULL);
	json_object_object_add(o, "last_poll_age_s",
			       polled ? json_object_new_double((now - in->last_poll_mono_ms) / 1e3)
				      : NULL);
	json_object_object_add(o, "poll_ms",
			       polled ? json_object_new_double(in->poll_us / 1e3) : NULL);
	json_object_object_add(o, "poll_cpu_ms",
			       polled ? json_object_new_double(in->poll_cpu_us / 1e3) : NULL);
	json_object_object_add(o, "polls", json_object_new_int64((int64_t)in->polls));
	json_object_object_add(o, "failures", json_object_new_int64((int64_t)in->failures));
	json_object_object_add(o, "overruns", json_object_new_int64((int64_t)in->overruns));
	json_object_object_add(o, "late_results_dropped",
			       json_object_new_int64((int64_t)in->late_dropped));
	json_object_object_add(o, "emit_errors", json_object_new_int64((int64_t)in->emit_errors));
	json_object_object_add(o, "metrics", json_object_new_int64(in->metrics));
	json_object_object_add(o, "error", in->error[0] ? json_object_new_string(in->error) : NULL);
	return o;
}

static json_object *cmd_status(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	struct source_view *v = daemon_views(d);
	json_object *r, *srcs;
	int64_t now = mono_ms();

	(void)req;
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = json_object_new_object();
	srcs = json_object_new_array();
	json_object_object_add(r, "version", json_object_new_string(HWH_VERSION));
	json_object_object_add(r, "pid", json_object_new_int(getpid()));
	json_object_object_add(r, "uptime_s",
			       json_object_new_double((now - d->start_mono_ms) / 1e3));
	json_object_object_add(r, "config", jstr(d->cfg->path));
	json_object_object_add(r, "node", node_json(d));
	for (size_t i = 0; i < d->nsources; i++)
		json_object_array_add(srcs, source_json(d, i, &v[i], now));
	json_object_object_add(r, "sources", srcs);
	json_object_object_add(r, "policy", policy_json(&d->policy, now, wall_ms()));
	json_object_object_add(r, "services", daemon_services_json(d));
	free(v);
	return r;
}

static json_object *limits_json(const struct metric *m)
{
	json_object *o = json_object_new_object();

	for (int l = 0; l < HWH_LIM_COUNT; l++)
		if (!isnan(m->limit[l]))
			json_object_object_add(o, limit_name(l),
					       json_object_new_double(m->limit[l]));
	return o;
}

static json_object *flags_json(unsigned flags)
{
	static const char *const names[] = {"alarm",	  "min_alarm",	 "max_alarm", "lcrit_alarm",
					    "crit_alarm", "emerg_alarm", "fault",     "beep"};
	json_object *a = json_object_new_array();

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (flags & (1u << i))
			json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

void metric_trend_get(const struct metric *m, int64_t now, struct metric_trend *mt)
{
	mt->has_trend = trend_numeric(m->kind) && trend_of(m->hist, now, &mt->t);
	mt->has_prediction =
	    mt->has_trend && trend_predict(m->value, mt->t.slope_s, m->limit, &mt->p);
}

/* Add v under key, a string constant, to o, which has no such key yet:
 * no copy of the key, no lookup (1,000 metrics, seven keys each). */
static void add_new(json_object *o, const char *key, json_object *v)
{
	json_object_object_add_ex(o, key, v,
				  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

void metric_trend_json(json_object *o, const struct metric_trend *mt)
{
	json_object *jt = NULL, *jp = NULL;

	if (mt->has_trend) {
		jt = json_object_new_object();
		add_new(jt, "slope_h", json_object_new_double(mt->t.slope_s * 3600.0));
		add_new(jt, "span_s", json_object_new_int64(llround((double)mt->t.span_ms / 1e3)));
		add_new(jt, "points", json_object_new_int64((int64_t)mt->t.points));
	}
	if (mt->has_prediction) {
		jp = json_object_new_object();
		add_new(jp, "limit", json_object_new_string(limit_name(mt->p.limit)));
		add_new(jp, "eta_s", json_object_new_int64(mt->p.eta_s));
	}
	add_new(o, "trend", jt);
	add_new(o, "prediction", jp);
}

json_object *metric_json(const struct metric *m, const struct source_view *v, int64_t now)
{
	json_object *o = json_object_new_object();
	enum metric_status st = metric_status(m, source_view_ok(v), v ? v->stale_ms : 0, now);

	json_object_object_add(o, "id", json_object_new_string(m->id));
	json_object_object_add(o, "source", json_object_new_string(m->source));
	json_object_object_add(o, "device", json_object_new_string(m->device));
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "label", jstr(m->label));
	json_object_object_add(o, "kind", json_object_new_string(kind_name(m->kind)));
	json_object_object_add(o, "unit", jstr(m->unit ? m->unit : ""));
	json_object_object_add(o, "value", jdouble(m->value));
	json_object_object_add(o, "limits", limits_json(m));
	json_object_object_add(o, "flags", flags_json(m->flags));
	json_object_object_add(o, "status", json_object_new_string(metric_status_name(st)));
	json_object_object_add(o, "text", jstr(m->text));
	json_object_object_add(o, "error", jstr(m->error));
	json_object_object_add(o, "held", jstr(st == MST_HELD ? m->held : NULL));
	json_object_object_add(o, "timestamp", json_object_new_double(m->t_wall_ms / 1e3));
	json_object_object_add(o, "age_s", json_object_new_double((now - m->t_mono_ms) / 1e3));
	json_object_object_add(o, "samples", json_object_new_int64(hist_len(m->hist)));
	return o;
}

static json_object *cmd_sensors(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	struct source_view *v = daemon_views(d);
	const char *filter = "";
	struct metric **ms = NULL;
	struct metric_trend *tr = NULL;
	json_object *jf, *arr, *r;
	int64_t now = mono_ms();
	long n;
	size_t k = 0;

	if (json_object_object_get_ex(req, "filter", &jf) &&
	    json_object_is_type(jf, json_type_string))
		filter = json_object_get_string(jf);
	ms_lock(&d->store);
	n = v != NULL ? ms_sorted(&d->store, &ms) : -1;
	if (n >= 0 && (tr = malloc((size_t)(n > 0 ? n : 1) * sizeof *tr)) == NULL)
		n = -1;
	if (n < 0) {
		ms_unlock(&d->store);
		free(ms);
		free(v);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	arr = json_object_new_array_ext((int)n);
	for (long i = 0; i < n; i++) {
		const struct metric *m = ms[i];
		if (!str_icontains(m->id, filter) && !(m->label && str_icontains(m->label, filter)))
			continue;
		json_object_array_add(
		    arr, metric_json(m, health_find_source(v, d->nsources, m->source), now));
		metric_trend_get(m, now, &tr[k++]);
	}
	ms_unlock(&d->store);
	/* The trends' JSON outside the lock: the lock is held for reading
	 * the histories only, not for two more objects per metric. */
	for (size_t i = 0; i < k; i++)
		metric_trend_json(json_object_array_get_idx(arr, i), &tr[i]);
	free(tr);
	free(ms);
	free(v);
	r = json_object_new_object();
	json_object_object_add(r, "metrics", arr);
	return r;
}

#define EVENTS_MAX_REPLY 1024

static json_object *event_json(const struct event *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_int64((int64_t)e->seq));
	json_object_object_add(o, "time", json_object_new_double(e->t_wall_ms / 1e3));
	json_object_object_add(o, "source", json_object_new_string(e->source));
	json_object_object_add(o, "device", json_object_new_string(e->device));
	json_object_object_add(o, "type", json_object_new_string(e->type));
	json_object_object_add(o, "severity", json_object_new_string(severity_name(e->severity)));
	json_object_object_add(o, "text", json_object_new_string(e->text));
	return o;
}

/* {"cmd":"events","since":SEQ,"limit":N}: the newest N (default all kept)
 * events with seq > SEQ, oldest first. */
static json_object *cmd_events(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	struct event *v = malloc(EVENTS_MAX_REPLY * sizeof *v);
	json_object *j, *arr, *r;
	int64_t since = 0, limit = EVENTS_MAX_REPLY;
	size_t n, first = 0;

	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (json_object_object_get_ex(req, "since", &j))
		since = json_object_get_int64(j);
	if (json_object_object_get_ex(req, "limit", &j))
		limit = json_object_get_int64(j);
	n = events_since(&d->events, since > 0 ? (uint64_t)since : 0, v, EVENTS_MAX_REPLY);
	if (limit >= 0 && (size_t)limit < n)
		first = n - (size_t)limit;
	arr = json_object_new_array();
	for (size_t i = first; i < n; i++)
		json_object_array_add(arr, event_json(&v[i]));
	free(v);
	r = json_object_new_object();
	json_object_object_add(r, "events", arr);
	pthread_mutex_lock(&d->events.lock);
	json_object_object_add(r, "dropped", json_object_new_int64((int64_t)d->events.dropped));
	pthread_mutex_unlock(&d->events.lock);
	return r;
}

static json_object *cmd_reload(void *ud, json_object *req, char *err, size_t errlen)
{
	json_object *r;

	(void)req;
	if (daemon_reload(ud, err, errlen) < 0)
		return NULL;
	r = json_object_new_object();
	json_object_object_add(r, "reloaded", json_object_new_boolean(1));
	return r;
}

static json_object *cmd_rescan(void *ud, json_object *req, char *err, size_t errlen)
{
	json_object *r = json_object_new_object();

	(void)req, (void)err, (void)errlen;
	json_object_object_add(r, "rescan", json_object_new_int64((int64_t)daemon_rescan(ud)));
	return r;
}

/* {"cmd":"self-fence","reason":TEXT}: stop the hardware watchdog's petting
 * so that it resets the node (root only; the watchdog source must allow it
 * with "self-fence yes").  Answers {"fencing":["wd"]}. */
static json_object *cmd_self_fence(void *ud, json_object *req, char *err, size_t errlen)
{
	char names[512], clean[256];
	json_object *jr, *r, *arr;
	const char *reason;
	int n;

	if (!json_object_object_get_ex(req, "reason", &jr) ||
	    !json_object_is_type(jr, json_type_string) ||
	    (reason = json_object_get_string(jr))[0] == '\0') {
		snprintf(err, errlen, "self-fence needs a \"reason\" (the text is logged)");
		return NULL;
	}
	/* One log line, whatever the caller sent: control characters become
	 * '?', and the text is bounded. */
	snprintf(clean, sizeof clean, "%s", reason);
	for (char *p = clean; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	log_crit("self-fence requested over the control socket: %s", clean);
	if ((n = daemon_act(ud, "self-fence", clean, names, sizeof names, err, errlen)) == 0)
		return NULL;
	r = json_object_new_object();
	arr = json_object_new_array();
	for (char *save = NULL, *t = strtok_r(names, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save))
		json_object_array_add(arr, json_object_new_string(t));
	json_object_object_add(r, "fencing", arr);
	return r;
}

const struct ctl_cmd daemon_commands[] = {
    {"ping", false, cmd_ping},
    {"status", false, cmd_status},
    {"sensors", false, cmd_sensors},
    {"events", false, cmd_events},
    {"reload", true, cmd_reload},
    {"rescan", true, cmd_rescan},
    {"explain", false, cmd_explain},
    {"rules", false, cmd_rules},
    {"history", false, cmd_history},
    {"self-fence", true, cmd_self_fence},
    {"devices", false, cmd_devices},
    {"actions", false, cmd_actions},
    {"silences", false, cmd_silences},
    {"silence", true, cmd_silence},
    {"unsilence", true, cmd_unsilence},
    {"drain", true, cmd_drain},
    {"undrain", true, cmd_undrain},
    {"fence", true, cmd_fence},
    {NULL, false, NULL},
};
