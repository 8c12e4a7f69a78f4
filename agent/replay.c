/*
 * replay: rules over a recorded trace.  See replay.h.
 */
#include "replay.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "trace.h"

#define TICK_MS 1000 /* event streams are evaluated at least this often (trace time) */

struct replay {
	const struct replay_opts *o;
	FILE *out;
	struct engine e;
	struct metric_store ms;
	struct replay_stats st;
	json_object *changes; /* --json */
};

static void fmt_time(int64_t ms, char *buf, size_t n)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;

	gmtime_r(&s, &tm);
	size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + k, n - k, ".%03dZ", (int)(((ms % 1000) + 1000) % 1000));
}

static const char *change_name(enum eng_change_kind k)
{
	static const char *const names[] = {[EC_FIRE] = "fire",
					    [EC_CLEAR] = "clear",
					    [EC_ERROR] = "error",
					    [EC_ERROR_GONE] = "error-cleared",
					    [EC_STATE] = "state"};
	return names[k];
}

static void count_change(struct replay_stats *st, enum eng_change_kind k)
{
	if (k == EC_FIRE)
		st->fired++;
	else if (k == EC_CLEAR)
		st->cleared++;
	else if (k == EC_ERROR)
		st->errors++;
	else if (k == EC_STATE)
		st->state_changes++;
}

static json_object *change_json(const struct eng_change *c)
{
	json_object *o = json_object_new_object();
	const struct binding *b = c->b;

	json_object_object_add(o, "time", json_object_new_double(c->t_wall_ms / 1e3));
	json_object_object_add(o, "type", json_object_new_string(change_name(c->kind)));
	if (c->kind == EC_STATE) {
		json_object_object_add(o, "from", json_object_new_string(node_state_name(c->from)));
		json_object_object_add(o, "to", json_object_new_string(node_state_name(c->to)));
	} else {
		json_object_object_add(o, "rule", json_object_new_string(b->rule->name));
		json_object_object_add(o, "target", json_object_new_string(c->target));
		json_object_object_add(
		    o, "severity", json_object_new_string(rule_severity_name(b->rule->severity)));
		json_object_object_add(o, "message", json_object_new_string(b->x ? b->x->msg : ""));
		for (int f = 0; b->x != NULL && f < RF_COUNT_FNS; f++)
			if ((b->x->have_ev & (1u << f)) && isfinite(b->x->ev[f]))
				json_object_object_add(o,
						       f == RF_MIN   ? "window_min"
						       : f == RF_MAX ? "window_max"
								     : rx_fn_name((enum rx_fn)f),
						       json_object_new_double(b->x->ev[f]));
	}
	json_object_object_add(o, "score", json_object_new_double(c->score));
	return o;
}

static void print_change(struct replay *r, const struct eng_change *c)
{
	const struct binding *b = c->b;
	char t[40];

	fmt_time(c->t_wall_ms, t, sizeof t);
	if (c->kind == EC_STATE) {
		fprintf(r->out, "%s  state  %s -> %s  (score %g)\n", t, node_state_name(c->from),
			node_state_name(c->to), c->score);
		return;
	}
	fprintf(r->out, "%s  %-5s  %s %s on %s: %s\n", t, change_name(c->kind),
		rule_severity_name(b->rule->severity), b->rule->name, c->target,
		c->kind == EC_CLEAR ? "cleared"
		: b->x		    ? b->x->msg
				    : "");
}

static void on_change(void *arg, const struct eng_change *c)
{
	struct replay *r = arg;

	count_change(&r->st, c->kind);
	if (r->changes != NULL)
		json_object_array_add(r->changes, change_json(c));
	else if (!r->o->quiet)
		print_change(r, c);
}

static int feed_sample(struct replay *r, const struct trace_rec *rec, char *err, size_t errlen)
{
	struct hwh_reading rd;
	struct metric *m;
	int rc;

	hwh_reading_init(&rd);
	rd.device = rec->device;
	rd.name = rec->name;
	rd.kind = rec->kind;
	rd.unit = rec->unit[0] ? rec->unit : NULL;
	rd.value = rec->value;
	rd.status = isnan(rec->value) ? HWH_R_UNREADABLE : HWH_R_OK;
	memcpy(rd.limit, rec->limit, sizeof rd.limit);
	/* The trace names the metric by its id: look it up as it stands, and
	 * build it from its parts only for a metric not seen yet. */
	m = ms_find(&r->ms, rec->id);
	rc = m != NULL ? metric_set(m, &rd, rec->t_ms, rec->t_ms)
		       : ms_update(&r->ms, rec->source, &rd, rec->t_ms, rec->t_ms, &m);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", rec->id,
			 rc == -EINVAL ? "not a valid metric id" : strerror(-rc));
		return -1;
	}
	engine_eval_metric(&r->e, m, rec->t_ms, rec->t_ms);
	engine_update_state(&r->e, rec->t_ms, rec->t_ms);
	r->st.samples++;
	return 0;
}

static int run_trace(struct replay *r, struct trace_reader *tr, FILE *errf)
{
	struct trace_rec rec;
	char err[512];
	int64_t next_tick = INT64_MIN;
	int rc;

	while ((rc = trace_next(tr, &rec, err, sizeof err)) != 0) {
		if (rc < 0 || (!rec.is_event && feed_sample(r, &rec, err, sizeof err) < 0)) {
			fprintf(errf, "hwhealth replay: %s\n", err);
			r->st.bad_lines++;
			continue;
		}
		if (rec.is_event) {
			engine_event(&r->e, rec.source, rec.device, rec.name, rec.t_ms);
			r->st.events++;
			next_tick = INT64_MIN; /* evaluate the streams now */
		}
		if (rec.t_ms >= next_tick) {
			engine_tick(&r->e, rec.t_ms, rec.t_ms);
			next_tick = rec.t_ms + TICK_MS;
		}
	}
	return r->st.bad_lines ? 1 : 0;
}

static json_object *final_json(struct replay *r)
{
	json_object *o = json_object_new_object(), *f = json_object_new_array();

	json_object_object_add(o, "state", json_object_new_string(node_state_name(r->e.state)));
	json_object_object_add(o, "score", json_object_new_double(engine_score(&r->e)));
	for (const struct binding *b = r->e.findings; b != NULL; b = b->x->next) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "rule", json_object_new_string(b->rule->name));
		json_object_object_add(x, "target", json_object_new_string(eng_target_id(b->tgt)));
		json_object_object_add(
		    x, "state", json_object_new_string(b->state >= BS_ACTIVE ? "active" : "error"));
		json_object_object_add(x, "message", json_object_new_string(b->x->msg));
		json_object_array_add(f, x);
	}
	json_object_object_add(o, "findings", f);
	return o;
}

static void print_summary(struct replay *r)
{
	const struct replay_stats *s = &r->st;

	if (r->changes != NULL) {
		json_object *doc = json_object_new_object();
		json_object_object_add(doc, "changes", r->changes);
		r->changes = NULL;
		json_object_object_add(doc, "samples", json_object_new_int64((int64_t)s->samples));
		json_object_object_add(doc, "events", json_object_new_int64((int64_t)s->events));
		json_object_object_add(doc, "bad_lines",
				       json_object_new_int64((int64_t)s->bad_lines));
		json_object_object_add(doc, "final", final_json(r));
		fprintf(r->out, "%s\n",
			json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_SPACED |
								JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(doc);
		return;
	}
	fprintf(r->out,
		"replayed %llu samples and %llu events: %llu fired, %llu cleared, %llu "
		"evaluation errors, %llu state change%s; node ends %s (score %g) with %zu "
		"finding%s\n",
		(unsigned long long)s->samples, (unsigned long long)s->events,
		(unsigned long long)s->fired, (unsigned long long)s->cleared,
		(unsigned long long)s->errors, (unsigned long long)s->state_changes,
		s->state_changes == 1 ? "" : "s", node_state_name(r->e.state), engine_score(&r->e),
		r->e.nfindings, r->e.nfindings == 1 ? "" : "s");
}

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_trace(const struct replay_opts *o, FILE **f, FILE *errf)
{
	if (strcmp(o->trace, "-") == 0) {
		*f = stdin;
		return 0;
	}
	*f = fopen(o->trace, "re");
	if (*f == NULL) {
		fprintf(errf, "hwhealth replay: %s: %s\n", o->trace, strerror(errno));
		return -1;
	}
	return 0;
}

static int load(struct replay *r, FILE *errf)
{
	struct cfg_diag diag = {0};
	struct ruleset *rs = NULL;
	int rc = rules_load(r->o->rule_dirs, r->o->ndirs, &rs, &diag);

	for (size_t i = 0; i < diag.n; i++)
		fprintf(errf, "%s\n", diag.msgs[i]);
	cfg_diag_free(&diag);
	if (rc < 0)
		return -1;
	if (ms_init(&r->ms, r->o->history ? r->o->history : HIST_RAW_DEFAULT) < 0 ||
	    engine_init(&r->e, rs, &r->o->cfg, &r->ms) < 0) {
		fprintf(errf, "hwhealth replay: out of memory\n");
		ruleset_free(rs);
		return -1;
	}
	r->ms.on_new = engine_metric_new;
	r->ms.on_free = engine_metric_free;
	r->ms.hook_arg = &r->e;
	r->e.on_change = on_change;
	r->e.arg = r;
	return 0;
}

int replay_run(const struct replay_opts *o, FILE *out, FILE *errf, struct replay_stats *stats)
{
	struct replay r = {.o = o, .out = out};
	struct trace_reader *tr = NULL;
	FILE *f = NULL;
	int rc = 2;
	double t0;

	if (open_trace(o, &f, errf) < 0)
		return 2;
	if (load(&r, errf) < 0)
		goto out;
	tr = trace_open(f, strcmp(o->trace, "-") ? o->trace : "(stdin)");
	if (tr == NULL) {
		fprintf(errf, "hwhealth replay: out of memory\n");
		goto out_engine;
	}
	if (o->json)
		r.changes = json_object_new_array();
	t0 = cpu_seconds();
	rc = run_trace(&r, tr, errf);
	r.st.seconds = cpu_seconds() - t0;
	if (ferror(f)) {
		fprintf(errf, "hwhealth replay: %s: read error\n", o->trace);
		rc = 2;
	}
	print_summary(&r);
	json_object_put(r.changes);
	trace_close(tr);
	if (stats != NULL)
		*stats = r.st;
out_engine:
	engine_destroy(&r.e);
	ms_destroy(&r.ms);
out:
	if (f != stdin)
		fclose(f);
	return rc;
}
