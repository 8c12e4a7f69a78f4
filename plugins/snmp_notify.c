/*
 * snmp_notify: HWHEALTH-MIB's notifications from the difference between
 * two looks at the daemon (snmp_notify.h).  What makes which:
 *
 *   hwhNodeStateChange    status node.state changed (hwhNotifyPreviousState
 *                         is the state seen before)
 *   hwhPredictedFailure   a finding (kind "finding") new in explain whose
 *                         evidence.eta is a number
 *   hwhDrainRequested     an action record new in actions, action drain
 *   hwhFenceRequested     the same, action fence
 *   hwhDrainDone          a drain record whose result became done (a new
 *   hwhDrainRefused       record that already has it too), or refused
 *   hwhSourceUnavailable  a source's status from ok or starting (or a source
 *                         not seen before) to failed, unavailable or stale
 *   hwhSourceRecovered    from failed, unavailable or stale back to ok
 *
 * The varbinds are read from a view built from the same replies
 * (snmp_view.c), so they equal what a GET of that instance answers at the
 * same moment.  What is remembered is bounded: the node state, each
 * source's status, a 64-bit hash of each finding's "RULE TARGET", and each
 * action record's id and result (records identified by id; a record seen
 * with the same result never notifies again).  Within one call the
 * notifications are sorted by the time of their event (node.since, a
 * finding's since, a record's requested or finished; unknown: last).
 *
 * To add a notification: an event test in one of the diff_* functions and
 * its OBJECTS as a list of columns.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_notify.h"
#include "snmp_view_internal.h"

/* Notification numbers under root.0 (hwhNotifications). */
enum {
	TRAP_NODE_STATE = 1,
	TRAP_PREDICTED = 2,
	TRAP_DRAIN_REQUESTED = 3,
	TRAP_DRAIN_DONE = 4,
	TRAP_DRAIN_REFUSED = 5,
	TRAP_FENCE_REQUESTED = 6,
	TRAP_SOURCE_UNAVAILABLE = 7,
	TRAP_SOURCE_RECOVERED = 8,
	TRAP_DROPPED = 9,
};

/* Where an object is: group under hwhObjects (root.1.G), its column or
 * scalar number, and whether G is a table. */
struct obj {
	uint32_t group, sub;
	bool table;
};
/* Below: hwhNodeState {1, 1}, hwhNodeScore {1, 2}, hwhNodeReason {1, 4},
 * hwhPolicyBudgetLast {2, 4}, hwhNotificationsLost {3, 3},
 * hwhNotifyPreviousState {8, 1}; table columns {T, column, true}. */

struct src_seen {
	char *name;
	int status; /* HwhPollStatus, 0 unknown word */
};

struct rec_seen {
	uint32_t id;
	int result; /* HwhActionOutcome, 0 unknown word */
};

struct snmpn_state {
	bool have_status, have_explain, have_actions;
	int node; /* HwhHealthState, 0 not known yet */
	struct src_seen *src;
	size_t nsrc;
	uint64_t *fnd; /* sorted */
	size_t nfnd;
	struct rec_seen *rec; /* sorted by id */
	size_t nrec;
};

/* A notification on its way out, with what orders it. */
struct pending {
	struct snmpn_notice n;
	double t;   /* its event's time, INFINITY when not known */
	size_t seq; /* order of making, for equal times */
};

struct diff {
	const struct snmpv_view *view;
	const uint32_t *root;
	size_t rootlen;
	struct pending *v;
	size_t n, cap;
};

/* ---- notices ------------------------------------------------------------ */

/* The instance OID of object o: root.1.G[.1].SUB.index (index 0: a scalar). */
static size_t obj_oid(const uint32_t *root, size_t rootlen, struct obj o, uint32_t index,
		      uint32_t *oid)
{
	size_t len = rootlen;

	memcpy(oid, root, rootlen * sizeof *root);
	oid[len++] = 1;
	oid[len++] = o.group;
	if (o.table)
		oid[len++] = 1;
	oid[len++] = o.sub;
	oid[len++] = index;
	return len;
}

static void free_notice(struct snmpn_notice *no)
{
	for (size_t i = 0; i < no->nvb; i++)
		if (no->vb[i].type == SNMPV_OCTETS)
			free((char *)no->vb[i].str);
	no->nvb = 0;
}

void snmpn_notices_free(struct snmpn_notice *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free_notice(&v[i]);
	free(v);
}

static void set_trap(struct snmpn_notice *no, const uint32_t *root, size_t rootlen, uint32_t trap)
{
	memcpy(no->trap, root, rootlen * sizeof *root);
	no->trap[rootlen] = 0;
	no->trap[rootlen + 1] = trap;
	no->traplen = rootlen + 2;
}

void snmpn_dropped(const uint32_t *root, size_t rootlen, uint32_t lost, struct snmpn_notice *out)
{
	struct snmpv_var *x = &out->vb[0];
	static const struct obj o = {3, 3, false};

	memset(out, 0, sizeof *out);
	set_trap(out, root, rootlen, TRAP_DROPPED);
	x->oidlen = obj_oid(root, rootlen, o, 0, x->oid);
	x->type = SNMPV_COUNTER32;
	x->num = lost;
	out->nvb = 1;
	snprintf(out->what, sizeof out->what, "%" PRIu32 " notifications lost", lost);
}

/* A new notice (zeroed but for its trap), or NULL when out of memory. */
static struct snmpn_notice *notice(struct diff *d, uint32_t trap, double t)
{
	struct pending *p;

	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;

		if ((p = realloc(d->v, cap * sizeof *p)) == NULL)
			return NULL;
		d->v = p;
		d->cap = cap;
	}
	p = &d->v[d->n];
	memset(p, 0, sizeof *p);
	p->t = isfinite(t) ? t : INFINITY;
	p->seq = d->n++;
	set_trap(&p->n, d->root, d->rootlen, trap);
	return &p->n;
}

/* The varbind of object o at index (0 for a scalar), as the view serves
 * it; left out when the view has no such instance.  0, or -ENOMEM. */
static int add_vb(struct diff *d, struct snmpn_notice *no, struct obj o, uint32_t index)
{
	uint32_t oid[SNMPV_OID_MAX];
	size_t len = obj_oid(d->root, d->rootlen, o, index, oid);
	const struct snmpv_var *x;
	struct snmpv_var *vb = &no->vb[no->nvb];
	char *s;

	if ((x = snmpv_get(d->view, oid, len)) == NULL)
		return 0;
	*vb = *x;
	if (x->type == SNMPV_OCTETS) {
		if ((s = malloc(x->len + 1)) == NULL)
			return -ENOMEM;
		memcpy(s, x->str, x->len);
		s[x->len] = '\0';
		vb->str = s;
	}
	no->nvb++;
	return 0;
}

/* The varbinds objs[0..n) of the row at index (tables) or .0 (scalars). */
static int add_vbs(struct diff *d, struct snmpn_notice *no, const struct obj *objs, size_t n,
		   uint32_t index)
{
	for (size_t i = 0; i < n; i++)
		if (add_vb(d, no, objs[i], objs[i].table ? index : 0) < 0)
			return -ENOMEM;
	return 0;
}

static const char *word(const struct snmpv_words *l, int v)
{
	return v >= 1 && (size_t)v <= l->n ? l->w[v - 1] : "?";
}

/* ---- node --------------------------------------------------------------- */

static int diff_node(struct diff *d, const struct snmpn_state *old, struct snmpn_state *st,
		     json_object *status)
{
	static const struct obj head[] = {{1, 1, false}}, tail[] = {{1, 2, false}, {1, 4, false}};
	static const struct obj previous = {8, 1, false};
	int now = snmpv_word(&snmpv_node_states, snmpv_path_str(status, "node.state"));
	struct snmpn_notice *no;
	struct snmpv_var *prev;
	double since = NAN;

	if (now == 0)
		return 0; /* keep the last state known */
	st->node = now;
	if (!old->have_status || old->node == 0 || old->node == now)
		return 0;
	snmpv_path_num(status, "node.since", &since);
	if ((no = notice(d, TRAP_NODE_STATE, since)) == NULL || add_vbs(d, no, head, 1, 0) < 0)
		return -ENOMEM;
	/* hwhNotifyPreviousState.0: accessible-for-notify, not in the view */
	prev = &no->vb[no->nvb++];
	memset(prev, 0, sizeof *prev);
	prev->oidlen = obj_oid(d->root, d->rootlen, previous, 0, prev->oid);
	prev->type = SNMPV_INTEGER;
	prev->num = old->node;
	snprintf(no->what, sizeof no->what, "node state %s -> %s",
		 word(&snmpv_node_states, old->node), word(&snmpv_node_states, now));
	return add_vbs(d, no, tail, 2, 0);
}

/* ---- sources ------------------------------------------------------------ */

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct src_seen *)a)->name, ((const struct src_seen *)b)->name);
}

static int seen_source(const struct snmpn_state *st, const char *name)
{
	struct src_seen key = {(char *)name, 0}, *s;

	s = bsearch(&key, st->src, st->nsrc, sizeof *st->src, by_name);
	return s != NULL ? s->status : SNMPV_SRC_STARTING; /* new: as if starting */
}

static bool source_down(int status)
{
	return status == SNMPV_SRC_FAILED || status == SNMPV_SRC_UNAVAILABLE ||
	       status == SNMPV_SRC_STALE;
}

static int source_event(struct diff *d, json_object *s, const char *name, int was, int now)
{
	static const struct obj down[] = {{4, 2, true}, {4, 4, true}, {4, 6, true}};
	static const struct obj up[] = {{4, 2, true}, {4, 4, true}};
	bool unavailable = (was == SNMPV_SRC_OK || was == SNMPV_SRC_STARTING) && source_down(now);
	bool recovered = source_down(was) && now == SNMPV_SRC_OK;
	uint32_t index = snmpv_lookup(d->view, SNMPV_TABLE_SOURCE, name);
	struct snmpn_notice *no;
	double t = NAN;
	const char *err;

	if ((!unavailable && !recovered) || index == 0)
		return 0;
	if (recovered)
		snmpv_path_num(s, "last_poll", &t); /* the poll that worked */
	if ((no = notice(d, unavailable ? TRAP_SOURCE_UNAVAILABLE : TRAP_SOURCE_RECOVERED, t)) ==
	    NULL)
		return -ENOMEM;
	err = snmpv_path_str(s, "error");
	if (unavailable)
		snprintf(no->what, sizeof no->what, "source %s %s%s%s", name,
			 word(&snmpv_source_states, now), err ? ": " : "", err ? err : "");
	else
		snprintf(no->what, sizeof no->what, "source %s recovered (ok)", name);
	return unavailable ? add_vbs(d, no, down, 3, index) : add_vbs(d, no, up, 2, index);
}

static int diff_sources(struct diff *d, const struct snmpn_state *old, struct snmpn_state *st,
			json_object *status)
{
	json_object *a = snmpv_path(status, "sources");
	size_t len = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	if (len > SNMPN_MAX_SOURCES)
		len = SNMPN_MAX_SOURCES;
	if ((st->src = calloc(len ? len : 1, sizeof *st->src)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_object *s = json_object_array_get_idx(a, i);
		const char *name = snmpv_path_str(s, "name");
		int now = snmpv_word(&snmpv_source_states, snmpv_path_str(s, "status"));

		if (name == NULL)
			continue;
		if ((st->src[st->nsrc].name = strdup(name)) == NULL)
			return -ENOMEM;
		st->src[st->nsrc++].status = now;
		if (old->have_status && now != 0 &&
		    source_event(d, s, name, seen_source(old, name), now) < 0)
			return -ENOMEM;
	}
	qsort(st->src, st->nsrc, sizeof *st->src, by_name);
	return 0;
}

/* ---- findings ----------------------------------------------------------- */

/* FNV-1a 64 of "RULE TARGET": a finding's identity, 8 bytes to keep. */
static uint64_t finding_hash(const char *rule, const char *target)
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = rule; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ ' ') * 1099511628211ULL;
	for (const char *p = target; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return h;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int predicted(struct diff *d, json_object *f, const char *rule, const char *target)
{
	static const struct obj objs[] = {
	    {6, 2, true}, {6, 3, true}, {6, 6, true}, {6, 10, true}, {6, 8, true}};
	size_t klen = strlen(rule) + strlen(target) + 2;
	char *key = malloc(klen);
	struct snmpn_notice *no;
	double since = NAN, eta = 0;
	uint32_t index;

	if (key == NULL)
		return -ENOMEM;
	snprintf(key, klen, "%s %s", rule, target);
	index = snmpv_lookup(d->view, SNMPV_TABLE_FINDING, key);
	free(key);
	if (index == 0)
		return 0;
	snmpv_path_num(f, "since", &since);
	snmpv_path_num(f, "evidence.eta", &eta);
	if ((no = notice(d, TRAP_PREDICTED, since)) == NULL)
		return -ENOMEM;
	snprintf(no->what, sizeof no->what, "predicted failure: %s on %s in %" PRId64 " s", rule,
		 target, snmpv_seconds(eta, 1));
	return add_vbs(d, no, objs, 5, index);
}

static int diff_findings(struct diff *d, const struct snmpn_state *old, struct snmpn_state *st,
			 json_object *explain)
{
	json_object *a = snmpv_path(explain, "findings");
	size_t len = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	if (len > SNMPN_MAX_FINDINGS)
		len = SNMPN_MAX_FINDINGS;
	if ((st->fnd = malloc((len ? len : 1) * sizeof *st->fnd)) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_object *f = json_object_array_get_idx(a, i);
		const char *rule = snmpv_path_str(f, "rule"), *target = snmpv_path_str(f, "target");
		const char *kind = snmpv_path_str(f, "kind");
		uint64_t h;
		double eta;

		if (rule == NULL || target == NULL)
			continue;
		h = finding_hash(rule, target);
		st->fnd[st->nfnd++] = h;
		if (!old->have_explain || kind == NULL || strcmp(kind, "finding") != 0 ||
		    !snmpv_path_num(f, "evidence.eta", &eta) || isnan(eta) ||
		    bsearch(&h, old->fnd, old->nfnd, sizeof h, by_u64) != NULL)
			continue;
		if (predicted(d, f, rule, target) < 0)
			return -ENOMEM;
	}
	qsort(st->fnd, st->nfnd, sizeof *st->fnd, by_u64);
	return 0;
}

/* ---- actions ------------------------------------------------------------ */

struct rec {
	json_object *o;
	uint32_t id;
	size_t pos; /* in the reply */
};

static int by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct rec_seen *)a)->id, y = ((const struct rec_seen *)b)->id;

	return (x > y) - (x < y);
}

static int rec_by_id(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int record_events(struct diff *d, const struct rec *r, const struct rec_seen *was,
			 int result)
{
	static const struct obj asked[] = {{7, 3, true}, {7, 4, true}, {7, 5, true}, {7, 6, true}};
	static const struct obj done[] = {{7, 3, true}, {7, 7, true}, {7, 9, true}, {7, 10, true}};
	static const struct obj refused[] = {
	    {7, 3, true}, {7, 7, true}, {7, 10, true}, {2, 4, false}};
	int action = snmpv_word(&snmpv_actions, snmpv_path_str(r->o, "action"));
	const char *actuator = snmpv_path_str(r->o, "actuator");
	const char *trigger = snmpv_path_str(r->o, "trigger");
	struct snmpn_notice *no;
	double t = NAN;

	actuator = actuator ? actuator : "?";
	trigger = trigger ? trigger : "?";
	snmpv_path_num(r->o, "requested", &t);
	if (was == NULL && (action == SNMPV_ACT_DRAIN || action == SNMPV_ACT_FENCE)) {
		if ((no = notice(
			 d, action == SNMPV_ACT_DRAIN ? TRAP_DRAIN_REQUESTED : TRAP_FENCE_REQUESTED,
			 t)) == NULL)
			return -ENOMEM;
		snprintf(no->what, sizeof no->what, "%s requested: action %" PRIu32 " on %s (%s)",
			 action == SNMPV_ACT_DRAIN ? "drain" : "fence", r->id, actuator, trigger);
		if (add_vbs(d, no, asked, 4, r->id) < 0)
			return -ENOMEM;
	}
	if (action != SNMPV_ACT_DRAIN ||
	    (result != SNMPV_RES_DONE && result != SNMPV_RES_REFUSED) ||
	    (was != NULL && was->result == result))
		return 0;
	snmpv_path_num(r->o, "finished", &t);
	if ((no = notice(d, result == SNMPV_RES_DONE ? TRAP_DRAIN_DONE : TRAP_DRAIN_REFUSED, t)) ==
	    NULL)
		return -ENOMEM;
	if (result == SNMPV_RES_DONE) {
		snprintf(no->what, sizeof no->what, "drain done: action %" PRIu32 " on %s", r->id,
			 actuator);
		return add_vbs(d, no, done, 4, r->id);
	}
	snprintf(no->what, sizeof no->what, "drain refused: action %" PRIu32 " on %s: %s", r->id,
		 actuator,
		 snmpv_path_str(r->o, "detail") ? snmpv_path_str(r->o, "detail") : "(no detail)");
	return add_vbs(d, no, refused, 4, r->id);
}

/* The records of an actions reply with a valid id, by id, each id once (the
 * first, as in the view), the newest SNMPN_MAX_RECORDS of them. */
static struct rec *records(json_object *actions, size_t *nrec)
{
	json_object *a = snmpv_path(actions, "actions");
	size_t len = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	size_t n = 0, m = 0, from;
	struct rec *r = calloc(len ? len : 1, sizeof *r);

	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(a, i), *id = snmpv_path(o, "id");

		if (json_object_is_type(id, json_type_int) && json_object_get_int64(id) >= 1 &&
		    json_object_get_int64(id) <= (int64_t)SNMPV_UNSIGNED_MAX)
			r[n++] = (struct rec){o, (uint32_t)json_object_get_int64(id), i};
	}
	qsort(r, n, sizeof *r, rec_by_id);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || r[m - 1].id != r[i].id)
			r[m++] = r[i];
	from = m > SNMPN_MAX_RECORDS ? m - SNMPN_MAX_RECORDS : 0;
	memmove(r, r + from, (m - from) * sizeof *r);
	*nrec = m - from;
	return r;
}

static int diff_actions(struct diff *d, const struct snmpn_state *old, struct snmpn_state *st,
			json_object *actions)
{
	size_t n = 0;
	struct rec *r = records(actions, &n);
	int rc = -ENOMEM;

	if (r == NULL || (st->rec = calloc(n ? n : 1, sizeof *st->rec)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int result = snmpv_word(&snmpv_results, snmpv_path_str(r[i].o, "result"));
		const struct rec_seen *was;

		st->rec[st->nrec++] = (struct rec_seen){r[i].id, result};
		if (!old->have_actions)
			continue;
		was = bsearch(&st->rec[st->nrec - 1], old->rec, old->nrec, sizeof *old->rec, by_id);
		if (record_events(d, &r[i], was, result) < 0)
			goto out;
	}
	rc = 0;
out:
	free(r);
	return rc;
}

/* ---- the diff ----------------------------------------------------------- */

void snmpn_state_free(struct snmpn_state *st)
{
	if (st == NULL)
		return;
	for (size_t i = 0; i < st->nsrc; i++)
		free(st->src[i].name);
	free(st->src);
	free(st->fnd);
	free(st->rec);
	free(st);
}

static int by_time(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The parts of old that p does not replace, copied into st. */
static int keep_old(struct snmpn_state *st, const struct snmpn_state *old,
		    const struct snmpv_parsed *p)
{
	st->node = old->node;
	if (p->status == NULL && old->have_status) {
		st->have_status = true;
		if ((st->src = calloc(old->nsrc ? old->nsrc : 1, sizeof *st->src)) == NULL)
			return -ENOMEM;
		for (; st->nsrc < old->nsrc; st->nsrc++) {
			st->src[st->nsrc].status = old->src[st->nsrc].status;
			if ((st->src[st->nsrc].name = strdup(old->src[st->nsrc].name)) == NULL)
				return -ENOMEM;
		}
	}
	if (p->explain == NULL && old->have_explain) {
		st->have_explain = true;
		if ((st->fnd = malloc((old->nfnd ? old->nfnd : 1) * sizeof *st->fnd)) == NULL)
			return -ENOMEM;
		memcpy(st->fnd, old->fnd, old->nfnd * sizeof *st->fnd);
		st->nfnd = old->nfnd;
	}
	if (p->actions == NULL && old->have_actions) {
		st->have_actions = true;
		if ((st->rec = malloc((old->nrec ? old->nrec : 1) * sizeof *st->rec)) == NULL)
			return -ENOMEM;
		memcpy(st->rec, old->rec, old->nrec * sizeof *st->rec);
		st->nrec = old->nrec;
	}
	return 0;
}

static int compare(struct diff *d, const struct snmpn_state *old, struct snmpn_state *st,
		   const struct snmpv_parsed *p)
{
	if (keep_old(st, old, p) < 0)
		return -ENOMEM;
	if (p->status != NULL) {
		st->have_status = true;
		if (diff_node(d, old, st, p->status) < 0 || diff_sources(d, old, st, p->status) < 0)
			return -ENOMEM;
	}
	if (p->explain != NULL) {
		st->have_explain = true;
		if (diff_findings(d, old, st, p->explain) < 0)
			return -ENOMEM;
	}
	if (p->actions != NULL) {
		st->have_actions = true;
		if (diff_actions(d, old, st, p->actions) < 0)
			return -ENOMEM;
	}
	return 0;
}

int snmpn_diff(struct snmpn_state **st, const struct snmpv_input *in, const uint32_t *root,
	       size_t rootlen, struct snmpn_notice **out, size_t *n, char *err, size_t errlen)
{
	struct snmpv_input no_sensors = *in;
	static const struct snmpn_state none;
	const struct snmpn_state *old = *st != NULL ? *st : &none;
	struct snmpn_state *next = NULL;
	struct snmpv_parsed p;
	struct snmpv_view *view = NULL;
	struct diff d = {.root = root, .rootlen = rootlen};
	int rc = -1;

	*out = NULL;
	*n = 0;
	no_sensors.sensors = NULL;
	if (snmpv_parse_all(&no_sensors, &p, err, errlen) < 0)
		return -1;
	if (snmpv_build_parsed(&p, root, rootlen, &view, err, errlen) < 0)
		goto out;
	d.view = view;
	if ((next = calloc(1, sizeof *next)) == NULL || compare(&d, old, next, &p) < 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (d.n > 0) {
		qsort(d.v, d.n, sizeof *d.v, by_time);
		if ((*out = malloc(d.n * sizeof **out)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < d.n; i++)
			(*out)[i] = d.v[i].n;
		*n = d.n;
		d.n = 0; /* the strings are the caller's now */
	}
	snmpn_state_free(*st);
	*st = next;
	next = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < d.n; i++)
		free_notice(&d.v[i].n);
	free(d.v);
	snmpn_state_free(next);
	snmpv_free(view);
	snmpv_parsed_free(&p);
	return rc;
}
