/*
 * commands_rules: the control socket's view of the rules engine:
 * "explain" (findings and why the node is in its state), "rules" (loaded
 * rules and what each is bound to) and "history" (a metric's samples).
 * See docs/PROTOCOL.md.  Everything is read under the store lock.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "util.h"

#define RULE_TARGETS_MAX 100 /* targets listed per rule unless one rule is asked for */
#define HISTORY_DEFAULT_MS (3600 * 1000LL)

static json_object *jnum(double v)
{
	return isfinite(v) ? json_object_new_double(v) : NULL;
}

static const char *const bind_state_names[] = {"idle", "pending", "active", "clearing"};

static json_object *evidence_json(const struct binding *b)
{
	json_object *o = json_object_new_object();
	const struct metric *m = b->tgt->m;

	if (m != NULL) {
		json_object_object_add(o, "value", jnum(m->value));
		for (int l = 0; l < HWH_LIM_COUNT; l++)
			if (!isnan(m->limit[l]))
				json_object_object_add(o, limit_name((enum hwh_limit)l),
						       json_object_new_double(m->limit[l]));
	} else {
		json_object_object_add(o, "events", json_object_new_double(b->tgt->stream->total));
	}
	for (int f = 0; f < RF_COUNT_FNS; f++) {
		if (!(b->x->have_ev & (1u << f)))
			continue;
		/* eta may be +inf ("never"): JSON has no infinity, so null.  The
		 * min()/max() results must not hide the limits of the same name. */
		const char *key = f == RF_MIN	? "window_min"
				  : f == RF_MAX ? "window_max"
						: rx_fn_name((enum rx_fn)f);
		json_object_object_add(o, key, jnum(b->x->ev[f]));
	}
	for (unsigned i = 0; b->x->buckets != NULL && i < b->rule->nbuckets; i++)
		if (i == 0)
			json_object_object_add(o, "bucket_level",
					       json_object_new_double(b->x->buckets[i].level));
	return o;
}

json_object *finding_json(const struct binding *b)
{
	json_object *o = json_object_new_object();
	const struct rule *r = b->rule;
	bool err = b->state < BS_ACTIVE;
	char where[300];

	snprintf(where, sizeof where, "%s:%d", r->file, r->line);
	json_object_object_add(o, "rule", json_object_new_string(r->name));
	json_object_object_add(o, "target", json_object_new_string(eng_target_id(b->tgt)));
	json_object_object_add(o, "kind", json_object_new_string(err ? "error" : "finding"));
	json_object_object_add(o, "state", json_object_new_string(bind_state_names[b->state]));
	json_object_object_add(
	    o, "severity",
	    json_object_new_string(rule_severity_name(err ? RSEV_WARNING : r->severity)));
	json_object_object_add(o, "score", json_object_new_double(err ? ENG_ERR_SCORE : r->score));
	json_object_object_add(o, "message", json_object_new_string(b->x->msg));
	json_object_object_add(o, "since",
			       err || b->x->active_wall_ms == 0
				   ? NULL
				   : json_object_new_double(b->x->active_wall_ms / 1e3));
	json_object_object_add(o, "rule_file", json_object_new_string(where));
	json_object_object_add(o, "evidence", evidence_json(b));
	return o;
}

/* Findings, heaviest first. */
static int cmp_weight(const void *a, const void *b)
{
	const struct binding *x = *(const struct binding *const *)a;
	const struct binding *y = *(const struct binding *const *)b;
	double wx = x->state >= BS_ACTIVE ? x->rule->score : ENG_ERR_SCORE;
	double wy = y->state >= BS_ACTIVE ? y->rule->score : ENG_ERR_SCORE;
	int c = (wy > wx) - (wy < wx);

	return c ? c : strcmp(eng_target_id(x->tgt), eng_target_id(y->tgt));
}

/* A liveness problem as a finding of its own: "unknown is not healthy". */
static json_object *live_json(const struct health_report *live, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "rule",
			       json_object_new_string(live_kind_name(live->reason_kind[i])));
	json_object_object_add(o, "target", json_object_new_string(live->reason_target[i]));
	json_object_object_add(o, "kind", json_object_new_string("liveness"));
	json_object_object_add(o, "state", json_object_new_string("active"));
	json_object_object_add(o, "severity", json_object_new_string("warning"));
	json_object_object_add(o, "score", json_object_new_double(ENG_ERR_SCORE));
	json_object_object_add(o, "message", json_object_new_string(live->reasons[i]));
	json_object_object_add(o, "since", NULL);
	json_object_object_add(o, "rule_file", NULL);
	json_object_object_add(o, "evidence", json_object_new_object());
	return o;
}

static json_object *findings_json(const struct engine *e, const struct health_report *live)
{
	const struct binding **v = calloc(e->nfindings ? e->nfindings : 1, sizeof *v);
	json_object *arr = json_object_new_array();
	size_t n = 0;

	if (v == NULL)
		return arr;
	for (const struct binding *b = e->findings; b != NULL && n < e->nfindings; b = b->x->next)
		v[n++] = b;
	qsort(v, n, sizeof *v, cmp_weight);
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, finding_json(v[i]));
	free(v);
	for (size_t i = 0; i < live->nreasons; i++)
		if (live->reason_kind[i] != LK_NONE)
			json_object_array_add(arr, live_json(live, i));
	return arr;
}

/* One sentence on why the node is in its state. */
static void why(const struct engine *e, char *buf, size_t n)
{
	enum node_state target = engine_target(e);
	double score = engine_score(e);

	if (e->state == NODE_GREEN && target == NODE_GREEN)
		snprintf(buf, n, "no findings weigh enough: score %g < yellow %g", score,
			 e->cfg.score_yellow);
	else if (target < e->state)
		snprintf(buf, n,
			 "findings now point at %s (score %g), but the node stays %s until that "
			 "has held for %.0f s",
			 node_state_name(target), score, node_state_name(e->state),
			 e->cfg.recover_ms / 1e3);
	else
		snprintf(buf, n,
			 "score %g (thresholds yellow %g, red %g, critical %g) and the worst "
			 "finding's severity make it %s",
			 score, e->cfg.score_yellow, e->cfg.score_red, e->cfg.score_critical,
			 node_state_name(e->state));
}

static json_object *node_explain(const struct engine *e, const struct health_report *live)
{
	json_object *o = json_object_new_object(), *th = json_object_new_object();
	json_object *lv = json_object_new_array();
	char buf[300];

	why(e, buf, sizeof buf);
	json_object_object_add(o, "state", json_object_new_string(node_state_name(e->state)));
	json_object_object_add(o, "target",
			       json_object_new_string(node_state_name(engine_target(e))));
	json_object_object_add(o, "score", json_object_new_double(engine_score(e)));
	json_object_object_add(
	    o, "since",
	    e->state_since_wall_ms ? json_object_new_double(e->state_since_wall_ms / 1e3) : NULL);
	json_object_object_add(o, "why", json_object_new_string(buf));
	json_object_object_add(th, "yellow", json_object_new_double(e->cfg.score_yellow));
	json_object_object_add(th, "red", json_object_new_double(e->cfg.score_red));
	json_object_object_add(th, "critical", json_object_new_double(e->cfg.score_critical));
	json_object_object_add(th, "recover_after_s",
			       json_object_new_double(e->cfg.recover_ms / 1e3));
	json_object_object_add(o, "thresholds", th);
	for (size_t i = 0; i < live->nreasons; i++)
		json_object_array_add(lv, json_object_new_string(live->reasons[i]));
	json_object_object_add(o, "liveness", lv);
	json_object_object_add(o, "liveness_score", json_object_new_double(e->live_score));
	return o;
}

json_object *cmd_explain(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	struct source_view *v = daemon_views(d);
	struct health_report live;
	json_object *r;

	(void)req;
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = json_object_new_object();
	ms_lock(&d->store);
	daemon_liveness(d, v, &live); /* the node state agrees with these findings */
	json_object_object_add(r, "node", node_explain(&d->engine, &live));
	json_object_object_add(r, "findings", findings_json(&d->engine, &live));
	json_object_object_add(r, "evaluation_errors",
			       json_object_new_int64((int64_t)d->engine.eval_errors));
	ms_unlock(&d->store);
	free(v);
	return r;
}

/* ---- rules ---------------------------------------------------------------- */

struct target_list {
	json_object *arr;
	size_t n, max;
};

static void add_target(void *arg, const struct eng_target *t)
{
	struct target_list *l = arg;

	if (l->n++ < l->max)
		json_object_array_add(l->arr, json_object_new_string(eng_target_id(t)));
}

static json_object *rule_json(const struct engine *e, const struct rule *r, size_t max)
{
	json_object *o = json_object_new_object();
	struct target_list l = {.arr = json_object_new_array(), .max = max};
	char where[300];

	snprintf(where, sizeof where, "%s:%d:%d", r->file, r->line, r->col);
	engine_rule_targets(e, r, add_target, &l);
	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "file", json_object_new_string(where));
	json_object_object_add(o, "description",
			       r->description ? json_object_new_string(r->description) : NULL);
	json_object_object_add(o, "severity",
			       json_object_new_string(rule_severity_name(r->severity)));
	json_object_object_add(o, "score", json_object_new_double(r->score));
	json_object_object_add(o, "enabled", json_object_new_boolean(r->enabled));
	json_object_object_add(o, "matches",
			       json_object_new_string(r->is_event ? "events" : "metrics"));
	json_object_object_add(o, "bound", json_object_new_int64((int64_t)l.n));
	json_object_object_add(o, "targets", l.arr);
	json_object_object_add(o, "targets_truncated", json_object_new_boolean(l.n > max));
	return o;
}

/* {"cmd":"rules","rule":NAME}: every rule (or one, with all its targets). */
json_object *cmd_rules(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	const char *only = NULL;
	json_object *j, *arr = json_object_new_array(), *r;
	const struct ruleset *rs;

	if (json_object_object_get_ex(req, "rule", &j) && json_object_is_type(j, json_type_string))
		only = json_object_get_string(j);
	ms_lock(&d->store);
	rs = d->engine.rules;
	for (size_t i = 0; rs != NULL && i < rs->n; i++)
		if (only == NULL || strcmp(only, rs->v[i]->name) == 0)
			json_object_array_add(arr, rule_json(&d->engine, rs->v[i],
							     only ? SIZE_MAX : RULE_TARGETS_MAX));
	ms_unlock(&d->store);
	if (only != NULL && json_object_array_length(arr) == 0) {
		json_object_put(arr);
		snprintf(err, errlen, "no rule named '%s'", only);
		return NULL;
	}
	r = json_object_new_object();
	json_object_object_add(r, "rules", arr);
	return r;
}

/* ---- history -------------------------------------------------------------- */

static const char *const res_names[HIST_NRES] = {"raw", "1m", "15m"};

static json_object *points_json(const struct hist_point *p, size_t n, int64_t to_wall)
{
	json_object *arr = json_object_new_array_ext((int)n);

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "time",
				       json_object_new_double((p[i].t_ms + to_wall) / 1e3));
		json_object_object_add(o, "value", jnum(p[i].v));
		json_object_object_add(o, "min", jnum(p[i].min));
		json_object_object_add(o, "max", jnum(p[i].max));
		json_object_array_add(arr, o);
	}
	return arr;
}

/* {"cmd":"history","metric":ID,"since_s":S}: the metric's points over the
 * last S seconds (default one hour), at the finest resolution that covers
 * them. */
json_object *cmd_history(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	const char *id = NULL;
	int64_t w = HISTORY_DEFAULT_MS, now = mono_ms();
	enum hist_res res = HIST_RAW;
	struct hist_point *p = NULL;
	const struct metric *m;
	json_object *j, *r = NULL;
	size_t n;

	if (json_object_object_get_ex(req, "metric", &j) &&
	    json_object_is_type(j, json_type_string))
		id = json_object_get_string(j);
	if (json_object_object_get_ex(req, "since_s", &j))
		w = (int64_t)(json_object_get_double(j) * 1000);
	if (id == NULL || w <= 0) {
		snprintf(err, errlen, "history needs \"metric\" and a positive \"since_s\"");
		return NULL;
	}
	ms_lock(&d->store);
	m = ms_find(&d->store, id);
	if (m != NULL && (p = calloc(hist_window_max(m->hist), sizeof *p)) != NULL) {
		n = hist_window(m->hist, now, w, p, hist_window_max(m->hist), &res);
		r = json_object_new_object();
		json_object_object_add(r, "metric", json_object_new_string(m->id));
		json_object_object_add(r, "unit", json_object_new_string(m->unit ? m->unit : ""));
		json_object_object_add(r, "resolution", json_object_new_string(res_names[res]));
		json_object_object_add(r, "points", points_json(p, n, wall_ms() - now));
	}
	ms_unlock(&d->store);
	free(p);
	if (r == NULL)
		snprintf(err, errlen, m == NULL ? "no metric '%s'" : "out of memory", id);
	return r;
}
