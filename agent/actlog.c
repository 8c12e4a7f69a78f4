/*
 * actlog: the policy's record of actions.  See actlog.h.
 *
 * ST_ACTION record: i64 id, u8 kind, str actuator, u8 manual, str user, u8 state, u8 previous, f64
 * score, str reason, u8 n, n x str evidence, i64 requested, started, finished, duration, u8 result,
 * u32 attempt, i64 next-retry, i32 exit (as u32), str detail, str output, i64 group.
 */
#include "actlog.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "util.h"

#define ST_ACTION 5

static const char *const result_names[AR_COUNT] = {
    "pending", "running", "done", "skipped", "failed", "timeout", "refused", "dry-run", "cancelled",
};

const char *act_result_name(enum act_result r)
{
	return (unsigned)r < AR_COUNT ? result_names[r] : "?";
}

bool act_result_final(enum act_result r)
{
	return r != AR_PENDING && r != AR_RUNNING;
}

int actlog_init(struct actlog *l)
{
	*l = (struct actlog){.next_id = 1};
	l->v = calloc(ACTLOG_MAX, sizeof *l->v);
	return l->v ? 0 : -ENOMEM;
}

void actlog_free(struct actlog *l)
{
	for (size_t i = 0; l->v != NULL && i < ACTLOG_MAX; i++)
		free(l->v[i].output);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct act_record *actlog_at(struct actlog *l, size_t i)
{
	return &l->v[(l->head + i) % ACTLOG_MAX];
}

struct act_record *actlog_add(struct actlog *l, enum act_kind kind, const char *actuator)
{
	struct act_record *r;

	if (l->v == NULL)
		return NULL;
	if (l->n == ACTLOG_MAX) {
		r = actlog_at(l, 0);
		l->head = (l->head + 1) % ACTLOG_MAX;
		l->n--;
	} else {
		r = actlog_at(l, l->n);
	}
	free(r->output);
	*r = (struct act_record){
	    .id = l->next_id++, .kind = kind, .exit_status = -1, .duration_ms = -1};
	snprintf(r->actuator, sizeof r->actuator, "%s", actuator);
	l->n++;
	return r;
}

struct act_record *actlog_find(struct actlog *l, int64_t id)
{
	for (size_t i = l->n; i-- > 0;) {
		struct act_record *r = actlog_at(l, i);

		if (r->id == id)
			return r;
		if (r->id < id)
			break;
	}
	return NULL;
}

void actlog_remove(struct actlog *l, int64_t id)
{
	size_t i;

	for (i = 0; i < l->n && actlog_at(l, i)->id != id; i++)
		;
	if (i == l->n)
		return;
	free(actlog_at(l, i)->output);
	for (; i + 1 < l->n; i++)
		*actlog_at(l, i) = *actlog_at(l, i + 1);
	actlog_at(l, l->n - 1)->output = NULL;
	l->n--;
}

void act_record_set_output(struct act_record *r, const char *out)
{
	free(r->output);
	r->output = out && *out ? strndup(out, ACT_OUTPUT_MAX) : NULL;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_object *jtime(int64_t wall)
{
	return wall > 0 ? json_object_new_double((double)wall / 1e3) : NULL;
}

static json_object *jstr(const char *s)
{
	return s && *s ? json_object_new_string(s) : NULL;
}

static const char *state_word(int st)
{
	return node_state_name((enum node_state)st);
}

json_object *act_record_json(const struct act_record *r)
{
	json_object *o = json_object_new_object(), *ev = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_int64(r->id));
	json_object_object_add(o, "action", json_object_new_string(act_kind_name(r->kind)));
	json_object_object_add(o, "actuator", json_object_new_string(r->actuator));
	json_object_object_add(o, "trigger", json_object_new_string(r->manual ? "manual" : "auto"));
	json_object_object_add(o, "user", jstr(r->user));
	json_object_object_add(o, "state", json_object_new_string(state_word(r->state)));
	json_object_object_add(o, "previous_state",
			       json_object_new_string(state_word(r->previous_state)));
	json_object_object_add(o, "score", json_object_new_double(r->score));
	json_object_object_add(o, "reason", jstr(r->reason));
	for (unsigned i = 0; i < r->nevidence; i++)
		json_object_array_add(ev, json_object_new_string(r->evidence[i]));
	json_object_object_add(o, "evidence", ev);
	json_object_object_add(o, "requested", jtime(r->requested_ms));
	json_object_object_add(o, "started", jtime(r->started_ms));
	json_object_object_add(o, "finished", jtime(r->finished_ms));
	json_object_object_add(o, "duration_ms",
			       r->duration_ms >= 0 ? json_object_new_double((double)r->duration_ms)
						   : NULL);
	json_object_object_add(o, "result", json_object_new_string(act_result_name(r->result)));
	json_object_object_add(o, "attempt", json_object_new_int((int)r->attempt));
	json_object_object_add(o, "next_retry", jtime(r->next_retry_ms));
	json_object_object_add(o, "exit_status",
			       r->exit_status >= 0 ? json_object_new_int(r->exit_status) : NULL);
	json_object_object_add(o, "detail", jstr(r->detail));
	json_object_object_add(o, "output", jstr(r->output));
	return o;
}

json_object *actlog_json(struct actlog *l, size_t limit)
{
	json_object *a = json_object_new_array();
	size_t from = limit && limit < l->n ? l->n - limit : 0;

	for (size_t i = from; i < l->n; i++)
		json_object_array_add(a, act_record_json(actlog_at(l, i)));
	return a;
}

/* ---- state file ------------------------------------------------------------ */

void actlog_save(struct actlog *l, struct sf_buf *b)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct act_record *r = actlog_at(l, i);
		size_t rec = sf_rec_begin(b, ST_ACTION);

		sf_put_i64(b, r->id);
		sf_put_u8(b, (uint8_t)r->kind);
		sf_put_str(b, r->actuator);
		sf_put_u8(b, r->manual);
		sf_put_str(b, r->user);
		sf_put_u8(b, (uint8_t)r->state);
		sf_put_u8(b, (uint8_t)r->previous_state);
		sf_put_f64(b, r->score);
		sf_put_str(b, r->reason);
		sf_put_u8(b, (uint8_t)r->nevidence);
		for (unsigned e = 0; e < r->nevidence; e++)
			sf_put_str(b, r->evidence[e]);
		sf_put_i64(b, r->requested_ms);
		sf_put_i64(b, r->started_ms);
		sf_put_i64(b, r->finished_ms);
		sf_put_i64(b, r->duration_ms);
		sf_put_u8(b, (uint8_t)r->result);
		sf_put_u32(b, r->attempt);
		sf_put_i64(b, r->next_retry_ms);
		sf_put_u32(b, (uint32_t)r->exit_status);
		sf_put_str(b, r->detail);
		sf_put_str(b, r->output);
		sf_put_i64(b, r->group);
		sf_rec_end(b, rec);
	}
}

/* Copy a string read from the file into dst (cut to fit); frees s. */
static void take_str(char *dst, size_t len, char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
	free(s);
}

int actlog_load_rec(struct actlog *l, struct sf_cur *c, char *err, size_t errlen)
{
	int64_t id = sf_get_i64(c);
	uint8_t kind = sf_get_u8(c);
	char *act = sf_get_str(c, NULL), *out;
	int64_t next = l->next_id;
	struct act_record *r;

	/* The next id after it must pass the policy record's bound too. */
	if (c->bad || kind >= AK_COUNT || act == NULL || id <= 0 || id >= INT64_MAX / 2) {
		free(act);
		snprintf(err, errlen, "malformed action record");
		return -1;
	}
	if ((r = actlog_add(l, (enum act_kind)kind, act)) == NULL) {
		free(act);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(act);
	/* actlog_add() took an id for it: give it back, the record has its own. */
	r->id = id;
	l->next_id = id >= next ? id + 1 : next;
	r->manual = sf_get_u8(c) != 0;
	take_str(r->user, sizeof r->user, sf_get_str(c, NULL));
	r->state = sf_get_u8(c) & 3;
	r->previous_state = sf_get_u8(c) & 3;
	r->score = sf_get_f64(c);
	take_str(r->reason, sizeof r->reason, sf_get_str(c, NULL));
	r->nevidence = sf_get_u8(c);
	if (r->nevidence > ACT_EVIDENCE_MAX) {
		r->nevidence = 0;
		c->bad = true;
	}
	for (unsigned e = 0; !c->bad && e < r->nevidence; e++)
		take_str(r->evidence[e], sizeof r->evidence[e], sf_get_str(c, NULL));
	r->requested_ms = sf_get_i64(c);
	r->started_ms = sf_get_i64(c);
	r->finished_ms = sf_get_i64(c);
	r->duration_ms = sf_get_i64(c);
	r->result = (enum act_result)sf_get_u8(c);
	r->attempt = sf_get_u32(c);
	r->next_retry_ms = sf_get_i64(c);
	r->exit_status = (int)sf_get_u32(c);
	take_str(r->detail, sizeof r->detail, sf_get_str(c, NULL));
	out = sf_get_str(c, NULL);
	act_record_set_output(r, out);
	free(out);
	r->group = sf_get_i64(c);
	if (c->bad || r->result >= AR_COUNT) {
		/* The record just added is the newest: drop it by position
		 * (a duplicate id must not take another with it). */
		free(r->output);
		r->output = NULL;
		l->n--;
		snprintf(err, errlen, "malformed action record");
		return -1;
	}
	/* What was under way when the daemon stopped did not finish here. */
	if (!act_result_final(r->result)) {
		r->result = AR_CANCELLED;
		snprintf(r->detail, sizeof r->detail, "the daemon stopped before it finished");
		r->next_retry_ms = 0;
	}
	return 0;
}
