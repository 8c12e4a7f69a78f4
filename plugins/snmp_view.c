/*
 * snmp_view: the daemon's replies (status, sensors, explain, actions) into
 * HWHEALTH-MIB's instances, one sorted array, and GET / GETNEXT over it by
 * binary search (snmp_view.h).
 *
 * A view is built in one go: each reply is parsed (snmp_view_json.c), the
 * rows of each table get their index (snmpv_assign: hashes with collision
 * probing; an action's index is its id), the rows are sorted by index, and
 * the instances are written group by group, column by column, row by row:
 * that is OID order already, so nothing is sorted afterwards.  Strings are
 * copied into an arena the view owns.  A value the daemon does not have
 * (null, a missing limit, an unknown word) gives no instance; text with
 * nothing in it is a zero-length string (the MIB's conventions).
 *
 * To add an object: a row in its group's column table below, in the order
 * of the MIB's sub-identifiers.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_view_internal.h"

#define ARENA_BLOCK 65536
#define REASON_SEP "; "

struct arena {
	struct arena *next;
	size_t used, cap;
	char data[];
};

/* A row of a table (or a scalar group's object), while the view is built. */
struct row {
	json_object *o;
	uint32_t index;	    /* 0 for a scalar group */
	unsigned precision; /* metrics: of the row's kind */
	const char *key;    /* in the arena */
	size_t pos;	    /* in its reply's array */
};

/* A table's rows by index, kept for snmpv_lookup(). */
struct keyed {
	uint32_t index;
	const char *key;
};

struct snmpv_view {
	struct snmpv_var *vars;
	size_t n, cap;
	struct arena *arena;
	struct keyed *keys[4]; /* SNMPV_TABLE_SOURCE .. SNMPV_TABLE_ACTION */
	size_t nkeys[4];
};

struct build {
	struct snmpv_view *v;
	const uint32_t *root;
	size_t rootlen;
	uint32_t lost;
	char *err;
	size_t errlen;
};

struct col;
typedef int (*col_fn)(struct build *b, const struct col *c, const struct row *r,
		      struct snmpv_var *out);

/* How a column is made from its row's JSON (conv) and where (path). */
enum conv {
	CV_TEXT,       /* string, cut at max; anything else: zero-length */
	CV_ENUM,       /* word -> position + 1; anything else: no instance */
	CV_SCALED,     /* number * 10^precision; none: no instance */
	CV_DATE,       /* epoch seconds -> DateAndTime; none: no instance */
	CV_GAUGE,      /* number -> Gauge32, truncated and clamped */
	CV_UNSIGNED,   /* number -> Unsigned32, truncated and clamped */
	CV_UNSIGNED_R, /* number -> Unsigned32, rounded and clamped */
	CV_SCORE,      /* number -> Unsigned32 hundredths */
	CV_FN,	       /* fn() says */
};

struct col {
	uint32_t sub;
	enum conv conv;
	const char *path;
	size_t max;			 /* CV_TEXT: octets */
	const struct snmpv_words *words; /* CV_ENUM */
	col_fn fn;			 /* CV_FN */
};

/* ---- arena -------------------------------------------------------------- */

static char *arena_alloc(struct snmpv_view *v, size_t len)
{
	struct arena *a = v->arena;

	if (a == NULL || a->cap - a->used < len) {
		size_t cap = len > ARENA_BLOCK ? len : ARENA_BLOCK;

		if ((a = malloc(sizeof *a + cap)) == NULL)
			return NULL;
		a->next = v->arena;
		a->used = 0;
		a->cap = cap;
		v->arena = a;
	}
	a->used += len;
	return a->data + a->used - len;
}

/* s[0..len) and a NUL, in the arena. */
static const char *arena_str(struct snmpv_view *v, const char *s, size_t len)
{
	char *p = arena_alloc(v, len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

/* ---- columns ------------------------------------------------------------ */

static int set_text(struct build *b, struct snmpv_var *out, const char *s, size_t len, size_t max)
{
	out->type = SNMPV_OCTETS;
	out->len = snmpv_cut(s, len, max);
	out->str = arena_str(b->v, s, out->len);
	return out->str != NULL ? 1 : -1;
}

static int set_num(struct snmpv_var *out, uint8_t type, int64_t num)
{
	out->type = type;
	out->num = num;
	return 1;
}

/* 1 (instance made), 0 (no instance) or -1 (out of memory). */
static int fill(struct build *b, const struct col *c, const struct row *r, struct snmpv_var *out)
{
	json_object *j;
	uint8_t date[SNMPV_DATE_LEN];
	int64_t num;
	double d;
	int w;

	switch (c->conv) {
	case CV_TEXT:
		j = snmpv_path(r->o, c->path);
		if (!json_object_is_type(j, json_type_string))
			return set_text(b, out, "", 0, 0);
		return set_text(b, out, json_object_get_string(j),
				(size_t)json_object_get_string_len(j), c->max);
	case CV_ENUM:
		w = snmpv_word(c->words, snmpv_path_str(r->o, c->path));
		return w ? set_num(out, SNMPV_INTEGER, w) : 0;
	case CV_SCALED:
		if (!snmpv_path_num(r->o, c->path, &d) || snmpv_scale(d, r->precision, &num) < 0)
			return 0;
		return set_num(out, SNMPV_INTEGER, num);
	case CV_DATE:
		if (!snmpv_path_num(r->o, c->path, &d) || snmpv_date(d, date) < 0)
			return 0;
		out->type = SNMPV_OCTETS;
		out->len = SNMPV_DATE_LEN;
		out->str = arena_str(b->v, (const char *)date, SNMPV_DATE_LEN);
		return out->str != NULL ? 1 : -1;
	case CV_GAUGE:
	case CV_UNSIGNED:
	case CV_UNSIGNED_R:
		if (!snmpv_path_num(r->o, c->path, &d))
			return 0;
		return set_num(out, SNMPV_GAUGE32, snmpv_seconds(d, c->conv == CV_UNSIGNED_R));
	case CV_SCORE:
		if (!snmpv_path_num(r->o, c->path, &d))
			return 0;
		return set_num(out, SNMPV_GAUGE32, snmpv_hundredths(d));
	case CV_FN:
		return c->fn(b, c, r, out);
	}
	return 0;
}

/* hwhNodeReason: the reasons joined by "; ", cut at 255 octets. */
static int node_reason(struct build *b, const struct col *c, const struct row *r,
		       struct snmpv_var *out)
{
	char buf[SNMPV_TEXT_MAX + 8];
	json_object *a = snmpv_path(r->o, "reasons");
	size_t n = 0,
	       len = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < len && n < sizeof buf; i++) {
		json_object *s = json_object_array_get_idx(a, i);
		size_t k;

		if (!json_object_is_type(s, json_type_string))
			continue;
		if (n > 0) {
			k = strlen(REASON_SEP) < sizeof buf - n ? strlen(REASON_SEP)
								: sizeof buf - n;
			memcpy(buf + n, REASON_SEP, k);
			n += k;
		}
		k = (size_t)json_object_get_string_len(s);
		k = k < sizeof buf - n ? k : sizeof buf - n;
		memcpy(buf + n, json_object_get_string(s), k);
		n += k;
	}
	(void)c;
	return set_text(b, out, buf, n, SNMPV_TEXT_MAX);
}

static int lost(struct build *b, const struct col *c, const struct row *r, struct snmpv_var *out)
{
	(void)c, (void)r;
	return set_num(out, SNMPV_COUNTER32, b->lost);
}

static int precision(struct build *b, const struct col *c, const struct row *r,
		     struct snmpv_var *out)
{
	(void)b, (void)c;
	return set_num(out, SNMPV_GAUGE32, r->precision);
}

/* hwhMetricText: text, else error, else zero-length. */
static int metric_text(struct build *b, const struct col *c, const struct row *r,
		       struct snmpv_var *out)
{
	static const struct col text = {0, CV_TEXT, "text", SNMPV_TEXT_MAX, NULL, NULL};
	static const struct col error = {0, CV_TEXT, "error", SNMPV_TEXT_MAX, NULL, NULL};

	(void)c;
	return fill(b, snmpv_path_str(r->o, "text") != NULL ? &text : &error, r, out);
}

/* The prediction's limit as HwhLimit: none(1) when prediction is null;
 * 0 (no instance) when the daemon gives no prediction field at all or a
 * limit the MIB does not know. */
static int prediction_limit(json_object *o)
{
	json_object *p;
	int w;

	if (!json_object_object_get_ex(o, "prediction", &p))
		return 0;
	if (p == NULL)
		return SNMPV_LIMIT_NONE;
	w = snmpv_word(&snmpv_limits, snmpv_path_str(p, "limit"));
	return w ? SNMPV_LIMIT_NONE + w : 0;
}

static int predicted_limit(struct build *b, const struct col *c, const struct row *r,
			   struct snmpv_var *out)
{
	int l = prediction_limit(r->o);

	(void)b, (void)c;
	return l ? set_num(out, SNMPV_INTEGER, l) : 0;
}

static int time_to_limit(struct build *b, const struct col *c, const struct row *r,
			 struct snmpv_var *out)
{
	double eta;

	(void)b, (void)c;
	if (prediction_limit(r->o) <= SNMPV_LIMIT_NONE ||
	    !snmpv_path_num(r->o, "prediction.eta_s", &eta) || isnan(eta))
		return 0;
	return set_num(out, SNMPV_GAUGE32, snmpv_seconds(eta, 1));
}

static const struct col node_cols[] = {
    {1, CV_ENUM, "state", 0, &snmpv_node_states, NULL},
    {2, CV_SCORE, "score", 0, NULL, NULL},
    {3, CV_DATE, "since", 0, NULL, NULL},
    {4, CV_FN, NULL, 0, NULL, node_reason},
};
static const struct col policy_cols[] = {
    {1, CV_ENUM, "effective_state", 0, &snmpv_node_states, NULL},
    {2, CV_ENUM, "posture", 0, &snmpv_postures, NULL},
    {3, CV_DATE, "drained_since", 0, NULL, NULL},
    {4, CV_TEXT, "budget.last", SNMPV_TEXT_MAX, NULL, NULL},
};
static const struct col daemon_cols[] = {
    {1, CV_TEXT, "version", 32, NULL, NULL},
    {2, CV_UNSIGNED, "uptime_s", 0, NULL, NULL},
    {3, CV_FN, NULL, 0, NULL, lost},
};
static const struct col source_cols[] = {
    {2, CV_TEXT, "name", 64, NULL, NULL},
    {3, CV_TEXT, "plugin", 64, NULL, NULL},
    {4, CV_ENUM, "status", 0, &snmpv_source_states, NULL},
    {5, CV_DATE, "last_poll", 0, NULL, NULL},
    {6, CV_TEXT, "error", SNMPV_TEXT_MAX, NULL, NULL},
    {7, CV_GAUGE, "metrics", 0, NULL, NULL},
};
static const struct col metric_cols[] = {
    {2, CV_TEXT, "id", SNMPV_TEXT_MAX, NULL, NULL},
    {3, CV_TEXT, "source", 64, NULL, NULL},
    {4, CV_TEXT, "device", SNMPV_TEXT_MAX, NULL, NULL},
    {5, CV_TEXT, "name", SNMPV_TEXT_MAX, NULL, NULL},
    {6, CV_TEXT, "label", SNMPV_TEXT_MAX, NULL, NULL},
    {7, CV_ENUM, "kind", 0, &snmpv_kinds, NULL},
    {8, CV_TEXT, "unit", 16, NULL, NULL},
    {9, CV_FN, NULL, 0, NULL, precision},
    {10, CV_SCALED, "value", 0, NULL, NULL},
    {11, CV_FN, NULL, 0, NULL, metric_text},
    {12, CV_ENUM, "status", 0, &snmpv_metric_states, NULL},
    {13, CV_SCALED, "limits.lemerg", 0, NULL, NULL},
    {14, CV_SCALED, "limits.lcrit", 0, NULL, NULL},
    {15, CV_SCALED, "limits.min", 0, NULL, NULL},
    {16, CV_SCALED, "limits.max", 0, NULL, NULL},
    {17, CV_SCALED, "limits.crit", 0, NULL, NULL},
    {18, CV_SCALED, "limits.emerg", 0, NULL, NULL},
    {19, CV_SCALED, "trend.slope_h", 0, NULL, NULL},
    {20, CV_FN, NULL, 0, NULL, predicted_limit},
    {21, CV_FN, NULL, 0, NULL, time_to_limit},
};
static const struct col finding_cols[] = {
    {2, CV_TEXT, "rule", 64, NULL, NULL},
    {3, CV_TEXT, "target", SNMPV_TEXT_MAX, NULL, NULL},
    {4, CV_ENUM, "kind", 0, &snmpv_finding_kinds, NULL},
    {5, CV_ENUM, "state", 0, &snmpv_finding_states, NULL},
    {6, CV_ENUM, "severity", 0, &snmpv_severities, NULL},
    {7, CV_SCORE, "score", 0, NULL, NULL},
    {8, CV_TEXT, "message", SNMPV_TEXT_MAX, NULL, NULL},
    {9, CV_DATE, "since", 0, NULL, NULL},
    {10, CV_UNSIGNED_R, "evidence.eta", 0, NULL, NULL},
};
static const struct col action_cols[] = {
    {2, CV_ENUM, "action", 0, &snmpv_actions, NULL},
    {3, CV_TEXT, "actuator", 64, NULL, NULL},
    {4, CV_ENUM, "trigger", 0, &snmpv_triggers, NULL},
    {5, CV_ENUM, "state", 0, &snmpv_node_states, NULL},
    {6, CV_TEXT, "reason", SNMPV_TEXT_MAX, NULL, NULL},
    {7, CV_ENUM, "result", 0, &snmpv_results, NULL},
    {8, CV_DATE, "requested", 0, NULL, NULL},
    {9, CV_DATE, "finished", 0, NULL, NULL},
    {10, CV_TEXT, "detail", SNMPV_TEXT_MAX, NULL, NULL},
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- rows --------------------------------------------------------------- */

/* A table: where its rows are in which reply, and its name for errors. */
struct table {
	unsigned id; /* SNMPV_TABLE_* */
	const char *what, *array;
	const struct col *cols;
	size_t ncols;
};

static const struct table tables[] = {
    {SNMPV_TABLE_SOURCE, "status", "sources", source_cols, NCOLS(source_cols)},
    {SNMPV_TABLE_METRIC, "sensors", "metrics", metric_cols, NCOLS(metric_cols)},
    {SNMPV_TABLE_FINDING, "explain", "findings", finding_cols, NCOLS(finding_cols)},
    {SNMPV_TABLE_ACTION, "actions", "actions", action_cols, NCOLS(action_cols)},
};

/* Row i's key into the arena (and an action's index): 0, or -1 with err. */
static int row_key(struct build *b, const struct table *t, size_t i, struct row *r)
{
	const char *k1 = NULL, *k2 = NULL;
	char num[24];
	json_object *id;

	switch (t->id) {
	case SNMPV_TABLE_SOURCE:
		k1 = snmpv_path_str(r->o, "name");
		break;
	case SNMPV_TABLE_METRIC:
		k1 = snmpv_path_str(r->o, "id");
		r->precision =
		    snmpv_kind_precision(snmpv_word(&snmpv_kinds, snmpv_path_str(r->o, "kind")));
		break;
	case SNMPV_TABLE_FINDING:
		k1 = snmpv_path_str(r->o, "rule");
		k2 = snmpv_path_str(r->o, "target");
		if (k2 == NULL)
			k1 = NULL;
		break;
	default:
		id = snmpv_path(r->o, "id");
		if (json_object_is_type(id, json_type_int) && json_object_get_int64(id) >= 1 &&
		    json_object_get_int64(id) <= (int64_t)SNMPV_UNSIGNED_MAX) {
			r->index = (uint32_t)json_object_get_int64(id);
			snprintf(num, sizeof num, "%" PRIu32, r->index);
			k1 = num;
		}
		break;
	}
	if (k1 == NULL) {
		snprintf(b->err, b->errlen, "%s reply: %s[%zu] has no %s", t->what, t->array, i,
			 t->id == SNMPV_TABLE_SOURCE	? "\"name\" (a string)"
			 : t->id == SNMPV_TABLE_METRIC	? "\"id\" (a string)"
			 : t->id == SNMPV_TABLE_FINDING ? "\"rule\" and \"target\" (strings)"
							: "\"id\" (1 to 4294967295)");
		return -1;
	}
	if (k2 != NULL) {
		size_t n1 = strlen(k1), n2 = strlen(k2);
		char *k = arena_alloc(b->v, n1 + n2 + 2);

		if (k != NULL) {
			memcpy(k, k1, n1);
			k[n1] = ' ';
			memcpy(k + n1 + 1, k2, n2 + 1);
		}
		r->key = k;
	} else {
		r->key = arena_str(b->v, k1, strlen(k1));
	}
	if (r->key == NULL) {
		snprintf(b->err, b->errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int by_index(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos); /* a repeated action id: the first */
}

/* Indexes for rows r[0..n): hashes with probing, or an action's id (a
 * repeated id keeps its first row).  Rows left out get index 0. */
static int row_indexes(const struct table *t, struct row *r, size_t n)
{
	struct snmpv_key *k;
	uint32_t *idx;
	int rc;

	if (t->id == SNMPV_TABLE_ACTION) {
		uint32_t prev = 0;

		qsort(r, n, sizeof *r, by_index);
		for (size_t i = 0; i < n; i++) {
			if (r[i].index == prev)
				r[i].index = 0;
			else
				prev = r[i].index;
		}
		return 0;
	}
	k = malloc(n * sizeof *k);
	idx = malloc(n * sizeof *idx);
	rc = k && idx ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		k[i].key = r[i].key;
		k[i].len = strlen(r[i].key);
		k[i].hash = snmpv_index_n(k[i].key, k[i].len);
	}
	if (rc == 0)
		rc = snmpv_assign(k, n, idx);
	for (size_t i = 0; rc == 0 && i < n; i++)
		r[i].index = idx[i];
	free(k);
	free(idx);
	return rc;
}

/* The rows of table t from its reply res (NULL: none), sorted by index,
 * duplicates dropped; their keys kept in the view for snmpv_lookup(). */
static int collect(struct build *b, const struct table *t, json_object *res, struct row **rows,
		   size_t *nrows)
{
	json_object *arr = snmpv_path(res, t->array);
	size_t n = 0, len, kept = 0;
	struct row *r;
	struct keyed *keys;

	*rows = NULL;
	*nrows = 0;
	if (arr == NULL)
		return 0;
	if (!json_object_is_type(arr, json_type_array)) {
		snprintf(b->err, b->errlen, "%s reply: \"%s\" is not an array", t->what, t->array);
		return -1;
	}
	len = json_object_array_length(arr);
	if ((r = calloc(len ? len : 1, sizeof *r)) == NULL)
		goto oom;
	for (size_t i = 0; i < len; i++, n++) {
		r[n].o = json_object_array_get_idx(arr, i);
		r[n].pos = i;
		if (!json_object_is_type(r[n].o, json_type_object)) {
			snprintf(b->err, b->errlen, "%s reply: %s[%zu] is not an object", t->what,
				 t->array, i);
			free(r);
			return -1;
		}
		if (row_key(b, t, i, &r[n]) < 0) {
			free(r);
			return -1;
		}
	}
	if (row_indexes(t, r, n) < 0) {
		free(r);
		goto oom;
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].index != 0)
			r[kept++] = r[i];
	qsort(r, kept, sizeof *r, by_index);
	if ((keys = malloc((kept ? kept : 1) * sizeof *keys)) == NULL) {
		free(r);
		goto oom;
	}
	for (size_t i = 0; i < kept; i++)
		keys[i] = (struct keyed){r[i].index, r[i].key};
	b->v->keys[t->id - SNMPV_TABLE_SOURCE] = keys;
	b->v->nkeys[t->id - SNMPV_TABLE_SOURCE] = kept;
	*rows = r;
	*nrows = kept;
	return 0;
oom:
	snprintf(b->err, b->errlen, "out of memory");
	return -1;
}

/* ---- building ----------------------------------------------------------- */

/* Every instance of cols over rows, column by column: OID order when cols
 * and rows are sorted.  A scalar group (table false) has one row. */
static int emit(struct build *b, uint32_t group, bool table, const struct col *cols, size_t ncols,
		const struct row *rows, size_t nrows)
{
	struct snmpv_view *v = b->v;
	size_t need = v->n + ncols * nrows;

	if (need > v->cap) {
		size_t cap = v->cap ? v->cap : 64;
		struct snmpv_var *p;

		while (cap < need)
			cap *= 2;
		if ((p = realloc(v->vars, cap * sizeof *p)) == NULL)
			goto oom;
		v->vars = p;
		v->cap = cap;
	}
	for (size_t c = 0; c < ncols; c++) {
		for (size_t i = 0; i < nrows; i++) {
			struct snmpv_var *x = &v->vars[v->n];
			uint32_t *o = x->oid + b->rootlen;
			int rc;

			memset(x, 0, sizeof *x);
			memcpy(x->oid, b->root, b->rootlen * sizeof *b->root);
			*o++ = 1;
			*o++ = group;
			if (table)
				*o++ = 1;
			*o++ = cols[c].sub;
			*o++ = rows[i].index;
			x->oidlen = (size_t)(o - x->oid);
			if ((rc = fill(b, &cols[c], &rows[i], x)) < 0)
				goto oom;
			v->n += (size_t)rc;
		}
	}
	return 0;
oom:
	snprintf(b->err, b->errlen, "out of memory");
	return -1;
}

/* A scalar group from member name of the status result: none when it is
 * missing, an error when it is not an object. */
static int emit_scalars(struct build *b, json_object *status, const char *name, uint32_t group,
			const struct col *cols, size_t ncols)
{
	struct row r = {0};

	if (status == NULL || (r.o = snmpv_path(status, name)) == NULL)
		return 0;
	if (!json_object_is_type(r.o, json_type_object)) {
		snprintf(b->err, b->errlen, "status reply: \"%s\" is not an object", name);
		return -1;
	}
	return emit(b, group, false, cols, ncols, &r, 1);
}

int snmpv_build_parsed(const struct snmpv_parsed *p, const uint32_t *root, size_t rootlen,
		       struct snmpv_view **out, char *err, size_t errlen)
{
	json_object *res[] = {p->status, p->sensors, p->explain, p->actions};
	struct build b = {NULL, root, rootlen, p->notifications_lost, err, errlen};
	struct row daemon = {.o = p->status};
	int rc = -1;

	if (rootlen > SNMPV_OID_MAX - 5) {
		snprintf(err, errlen, "the root OID is too long (%zu sub-identifiers, at most %d)",
			 rootlen, SNMPV_OID_MAX - 5);
		return -1;
	}
	if ((b.v = calloc(1, sizeof *b.v)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (emit_scalars(&b, p->status, "node", 1, node_cols, NCOLS(node_cols)) < 0 ||
	    emit_scalars(&b, p->status, "policy", 2, policy_cols, NCOLS(policy_cols)) < 0)
		goto out;
	/* Without status, only the subagent's own counter. */
	if (emit(&b, 3, false, daemon.o ? daemon_cols : daemon_cols + 2,
		 daemon.o ? NCOLS(daemon_cols) : 1, &daemon, 1) < 0)
		goto out;
	for (size_t t = 0; t < NCOLS(tables); t++) {
		struct row *rows;
		size_t n;

		if (collect(&b, &tables[t], res[t], &rows, &n) < 0)
			goto out;
		rc = emit(&b, tables[t].id, true, tables[t].cols, tables[t].ncols, rows, n);
		free(rows);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	*out = b.v;
	return 0;
out:
	snmpv_free(b.v);
	return rc;
}

int snmpv_build(const struct snmpv_input *in, const uint32_t *root, size_t rootlen,
		struct snmpv_view **out, char *err, size_t errlen)
{
	struct snmpv_parsed p;
	int rc;

	if (snmpv_parse_all(in, &p, err, errlen) < 0)
		return -1;
	rc = snmpv_build_parsed(&p, root, rootlen, out, err, errlen);
	snmpv_parsed_free(&p);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

/* The position of the first instance after oid (strictly, or not before it
 * when or_equal). */
static size_t bound(const struct snmpv_view *v, const uint32_t *oid, size_t len, bool or_equal)
{
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = snmpv_oid_cmp(v->vars[mid].oid, v->vars[mid].oidlen, oid, len);

		if (c < 0 || (c == 0 && !or_equal))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct snmpv_var *snmpv_get(const struct snmpv_view *v, const uint32_t *oid, size_t len)
{
	size_t i = bound(v, oid, len, true);

	if (i < v->n && snmpv_oid_cmp(v->vars[i].oid, v->vars[i].oidlen, oid, len) == 0)
		return &v->vars[i];
	return NULL;
}

const struct snmpv_var *snmpv_next(const struct snmpv_view *v, const uint32_t *oid, size_t len)
{
	size_t i = bound(v, oid, len, false);

	return i < v->n ? &v->vars[i] : NULL;
}

size_t snmpv_count(const struct snmpv_view *v)
{
	return v->n;
}

const struct snmpv_var *snmpv_at(const struct snmpv_view *v, size_t i)
{
	return i < v->n ? &v->vars[i] : NULL;
}

static const struct keyed *find_index(const struct keyed *k, size_t n, uint32_t index)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid].index == index)
			return &k[mid];
		if (k[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint32_t snmpv_lookup(const struct snmpv_view *v, unsigned table, const char *key)
{
	const struct keyed *k, *rows;
	size_t n;
	uint32_t j;

	if (table < SNMPV_TABLE_SOURCE || table > SNMPV_TABLE_ACTION || key == NULL)
		return 0;
	rows = v->keys[table - SNMPV_TABLE_SOURCE];
	n = v->nkeys[table - SNMPV_TABLE_SOURCE];
	if (table == SNMPV_TABLE_ACTION) {
		char *end;
		unsigned long long id = strtoull(key, &end, 10);

		if (*key < '1' || *key > '9' || *end != '\0' || id > SNMPV_UNSIGNED_MAX)
			return 0;
		k = find_index(rows, n, (uint32_t)id);
		return k != NULL && strcmp(k->key, key) == 0 ? k->index : 0;
	}
	/* A row displaced by a collision sits after its hash, past rows that
	 * all hold indexes (snmpv_assign takes the first free one). */
	j = snmpv_index(key);
	for (size_t tries = 0; tries <= n; tries++, j = snmpv_index_after(j)) {
		if ((k = find_index(rows, n, j)) == NULL)
			return 0;
		if (strcmp(k->key, key) == 0)
			return j;
	}
	return 0;
}

void snmpv_free(struct snmpv_view *v)
{
	if (v == NULL)
		return;
	while (v->arena != NULL) {
		struct arena *a = v->arena;

		v->arena = a->next;
		free(a);
	}
	for (int t = 0; t < 4; t++)
		free(v->keys[t]);
	free(v->vars);
	free(v);
}
