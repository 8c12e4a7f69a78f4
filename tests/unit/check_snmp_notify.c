/*
 * check_snmp_notify: unit tests of the SNMP notifications
 * (plugins/snmp_notify.c): replayed moments of a real daemon
 * (tests/fixtures/snmp/, see its README) and hand-written replies.  Each
 * notification is checked for its trap OID, its varbinds (the
 * NOTIFICATION-TYPE's OBJECTS in the MIB's order, with their instance
 * suffixes and types) and their values, which must equal what a view of
 * the same replies serves; then the rules: the first look is silent, a
 * record seen with the same result never notifies again, a reply left out
 * keeps what was seen of it, a bad reply changes nothing, memory stays
 * bounded.
 *
 * To add a case: a step (replies -> the notifications expected) with the
 * exact varbinds.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/snmp_notify.h"
#include "../../plugins/snmp_view_internal.h"
#include "testlib.h"

Suite *snmp_notify_suite(void); /* called by tests/main.c */

#define FIXTURES HWH_SRC_DIR "/tests/fixtures/snmp/"
#define ROOT_LEN 7
#define OK_REPLY(result) "{\"ok\":true,\"result\":" result "}"

static const uint32_t root[ROOT_LEN] = {1, 3, 6, 1, 4, 1, 32473};

enum {
	NODE_STATE_CHANGE = 1,
	PREDICTED_FAILURE,
	DRAIN_REQUESTED,
	DRAIN_DONE,
	DRAIN_REFUSED,
	FENCE_REQUESTED,
	SOURCE_UNAVAILABLE,
	SOURCE_RECOVERED,
	NOTIFICATIONS_DROPPED,
};

#define IDX_E 1611408096   /* "e" */
#define IDX_RAMP 598530549 /* "ramp e/chip0/temp1" */

/* The replies of one moment (any may be NULL). */
struct replies {
	char *status, *explain, *actions;
};

/* The notifications of the last step, and the state across steps. */
struct run {
	struct snmpn_state *st;
	struct snmpn_notice *v;
	size_t n;
	struct replies r; /* of the last step */
};

static char *fixture(const char *set, const char *cmd)
{
	char path[512];
	char *s;

	snprintf(path, sizeof path, FIXTURES "%s-%s.json", set, cmd);
	s = read_file_str(path);
	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

static void drop_step(struct run *r)
{
	snmpn_notices_free(r->v, r->n);
	r->v = NULL;
	r->n = 0;
	free(r->r.status);
	free(r->r.explain);
	free(r->r.actions);
	r->r = (struct replies){0};
}

static void run_free(struct run *r)
{
	drop_step(r);
	snmpn_state_free(r->st);
	r->st = NULL;
}

/* x's value equals what a view of the same replies serves at its OID. */
static void same_as_view(const struct snmpv_var *x, const struct snmpv_view *view)
{
	const struct snmpv_var *y = snmpv_get(view, x->oid, x->oidlen);

	ck_assert_msg(y != NULL, "a varbind the view does not serve");
	ck_assert_int_eq(x->type, y->type);
	if (x->type == SNMPV_OCTETS) {
		ck_assert_uint_eq(x->len, y->len);
		ck_assert_int_eq(memcmp(x->str, y->str, x->len), 0);
		ck_assert_ptr_ne(x->str, y->str); /* the notice's own copy */
		ck_assert_int_eq(x->str[x->len], '\0');
	} else {
		ck_assert_int_eq(x->num, y->num);
	}
}

/* One step: the replies given (copied; NULL: left out) diffed against the
 * state; asserts it works; every varbind but hwhNotifyPreviousState is
 * compared with a view of the same replies. */
static void step(struct run *r, const char *status, const char *explain, const char *actions)
{
	struct snmpv_input in = {status, NULL, explain, actions, 0};
	struct snmpv_view *view = NULL;
	char err[256] = "";
	bool first = r->st == NULL;

	drop_step(r);
	r->r.status = status ? strdup(status) : NULL;
	r->r.explain = explain ? strdup(explain) : NULL;
	r->r.actions = actions ? strdup(actions) : NULL;
	ck_assert_msg(snmpn_diff(&r->st, &in, root, ROOT_LEN, &r->v, &r->n, err, sizeof err) == 0,
		      "diff: %s", err);
	ck_assert_ptr_nonnull(r->st);
	if (first)
		ck_assert_uint_eq(r->n, 0);
	ck_assert(r->n == 0 ? r->v == NULL : r->v != NULL);
	ck_assert_int_eq(snmpv_build(&in, root, ROOT_LEN, &view, err, sizeof err), 0);
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < r->v[i].nvb; k++)
			if (!(r->v[i].vb[k].oidlen == ROOT_LEN + 4 &&
			      r->v[i].vb[k].oid[ROOT_LEN + 1] == 8))
				same_as_view(&r->v[i].vb[k], view);
	snmpv_free(view);
}

/* A step with the status, explain and actions of a fixture set. */
static void step_set(struct run *r, const char *set)
{
	char *s = fixture(set, "status"), *e = fixture(set, "explain"),
	     *a = fixture(set, "actions");

	step(r, s, e, a);
	free(s);
	free(e);
	free(a);
}

/* Notice i is notification trap, with nvb varbinds. */
static const struct snmpn_notice *want(const struct run *r, size_t i, uint32_t trap, size_t nvb)
{
	const struct snmpn_notice *no;

	ck_assert_msg(i < r->n, "notice %zu of %zu", i, r->n);
	no = &r->v[i];
	ck_assert_uint_eq(no->traplen, ROOT_LEN + 2);
	ck_assert_int_eq(memcmp(no->trap, root, sizeof root), 0);
	ck_assert_uint_eq(no->trap[ROOT_LEN], 0);
	ck_assert_msg(no->trap[ROOT_LEN + 1] == trap, "notice %zu is %u, want %u (%s)", i,
		      no->trap[ROOT_LEN + 1], trap, no->what);
	ck_assert_uint_eq(no->nvb, nvb);
	return no;
}

/* Varbind x is root.SUB... of type. */
static void vb_oid(const struct snmpv_var *x, uint8_t type, const uint32_t *sub, size_t n)
{
	ck_assert_uint_eq(x->oidlen, ROOT_LEN + n);
	ck_assert_int_eq(memcmp(x->oid, root, sizeof root), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(x->oid[ROOT_LEN + i] == sub[i], "sub-identifier %zu: %u, want %u",
			      ROOT_LEN + i, x->oid[ROOT_LEN + i], sub[i]);
	ck_assert_int_eq(x->type, type);
}
#define VB(x, type, ...)                                                                           \
	vb_oid(x, type, (const uint32_t[]){__VA_ARGS__},                                           \
	       sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

static void vb_str(const struct snmpv_var *x, const char *s)
{
	ck_assert_uint_eq(x->len, strlen(s));
	ck_assert_int_eq(memcmp(x->str, s, x->len), 0);
}

/* ---- a real daemon's moments ------------------------------------------------- */

START_TEST(test_baseline_silent)
{
	struct run r = {0};

	step_set(&r, "red");
	ck_assert_uint_eq(r.n, 0);
	step_set(&r, "red");
	ck_assert_uint_eq(r.n, 0);
	run_free(&r);
}
END_TEST

/* yellow -> red: ramp predicts crit, the node turns red, drain #4 asked
 * and done; oldest first. */
START_TEST(test_yellow_to_red)
{
	struct run r = {0};
	const struct snmpn_notice *no;

	step_set(&r, "yellow");
	step_set(&r, "red");
	ck_assert_uint_eq(r.n, 4);

	no = want(&r, 0, PREDICTED_FAILURE, 5);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 6, 1, 2, IDX_RAMP);
	vb_str(&no->vb[0], "ramp");
	VB(&no->vb[1], SNMPV_OCTETS, 1, 6, 1, 3, IDX_RAMP);
	vb_str(&no->vb[1], "e/chip0/temp1");
	VB(&no->vb[2], SNMPV_INTEGER, 1, 6, 1, 6, IDX_RAMP);
	ck_assert_int_eq(no->vb[2].num, 2); /* warning */
	VB(&no->vb[3], SNMPV_GAUGE32, 1, 6, 1, 10, IDX_RAMP);
	ck_assert_int_eq(no->vb[3].num, 11);
	VB(&no->vb[4], SNMPV_OCTETS, 1, 6, 1, 8, IDX_RAMP);
	vb_str(&no->vb[4], "temp1 60: crit in 11s");
	ck_assert_str_eq(no->what, "predicted failure: ramp on e/chip0/temp1 in 11 s");

	no = want(&r, 1, NODE_STATE_CHANGE, 4);
	VB(&no->vb[0], SNMPV_INTEGER, 1, 1, 1, 0);
	ck_assert_int_eq(no->vb[0].num, 3);
	VB(&no->vb[1], SNMPV_INTEGER, 1, 8, 1, 0); /* hwhNotifyPreviousState.0 */
	ck_assert_int_eq(no->vb[1].num, 2);
	VB(&no->vb[2], SNMPV_GAUGE32, 1, 1, 2, 0);
	ck_assert_int_eq(no->vb[2].num, 7000);
	VB(&no->vb[3], SNMPV_OCTETS, 1, 1, 4, 0);
	vb_str(&no->vb[3], "hot: temp1 at 60 > 50; e/chip1/temp2 unreadable for 17 s: echo: value "
			   "is nan; ramp: temp1 60: crit in 11s");
	ck_assert_str_eq(no->what, "node state yellow -> red");

	no = want(&r, 2, DRAIN_REQUESTED, 4);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 7, 1, 3, 4);
	vb_str(&no->vb[0], "rec");
	VB(&no->vb[1], SNMPV_INTEGER, 1, 7, 1, 4, 4);
	ck_assert_int_eq(no->vb[1].num, 1); /* auto */
	VB(&no->vb[2], SNMPV_INTEGER, 1, 7, 1, 5, 4);
	ck_assert_int_eq(no->vb[2].num, 3); /* red */
	VB(&no->vb[3], SNMPV_OCTETS, 1, 7, 1, 6, 4);
	vb_str(&no->vb[3], "red: hot: temp1 at 55 > 50 (and more)");
	ck_assert_str_eq(no->what, "drain requested: action 4 on rec (auto)");

	no = want(&r, 3, DRAIN_DONE, 4);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 7, 1, 3, 4);
	VB(&no->vb[1], SNMPV_INTEGER, 1, 7, 1, 7, 4);
	ck_assert_int_eq(no->vb[1].num, 3); /* done */
	VB(&no->vb[2], SNMPV_OCTETS, 1, 7, 1, 9, 4);
	ck_assert_uint_eq(no->vb[2].len, 11);
	VB(&no->vb[3], SNMPV_OCTETS, 1, 7, 1, 10, 4);
	vb_str(&no->vb[3], "drain recorded");
	ck_assert_str_eq(no->what, "drain done: action 4 on rec");

	step_set(&r, "red"); /* nothing new: nothing again */
	ck_assert_uint_eq(r.n, 0);
	run_free(&r);
}
END_TEST

/* red -> failed -> refused: the source goes down and back; drain #12 is
 * refused by the budget. */
START_TEST(test_source_and_refused)
{
	struct run r = {0};
	const struct snmpn_notice *no;

	step_set(&r, "red");
	step_set(&r, "failed");
	ck_assert_uint_eq(r.n, 1);
	no = want(&r, 0, SOURCE_UNAVAILABLE, 3);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 4, 1, 2, IDX_E);
	vb_str(&no->vb[0], "e");
	VB(&no->vb[1], SNMPV_INTEGER, 1, 4, 1, 4, IDX_E);
	ck_assert_int_eq(no->vb[1].num, 3); /* failed */
	VB(&no->vb[2], SNMPV_OCTETS, 1, 4, 1, 6, IDX_E);
	vb_str(&no->vb[2], "cannot read /tmp/snmpcap/vals.txt: No such file or directory");
	ck_assert_str_eq(no->what, "source e failed: cannot read /tmp/snmpcap/vals.txt: No such "
				   "file or directory");

	step_set(&r, "refused");
	ck_assert_uint_eq(r.n, 3);
	no = want(&r, 0, DRAIN_REQUESTED, 4);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 7, 1, 3, 12);
	no = want(&r, 1, DRAIN_REFUSED, 4);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 7, 1, 3, 12);
	vb_str(&no->vb[0], "rec");
	VB(&no->vb[1], SNMPV_INTEGER, 1, 7, 1, 7, 12);
	ck_assert_int_eq(no->vb[1].num, 7); /* refused */
	VB(&no->vb[2], SNMPV_OCTETS, 1, 7, 1, 10, 12);
	vb_str(&no->vb[2],
	       "budget exhausted: rec: 1 other node of 3 already out (node2), max-unhealthy 1");
	VB(&no->vb[3], SNMPV_OCTETS, 1, 2, 4, 0); /* hwhPolicyBudgetLast.0 */
	vb_str(&no->vb[3], "refused: rec: 1 other node of 3 already out (node2), max-unhealthy 1");
	no = want(&r, 2, SOURCE_RECOVERED, 2); /* its poll came after the refusal */
	VB(&no->vb[0], SNMPV_OCTETS, 1, 4, 1, 2, IDX_E);
	VB(&no->vb[1], SNMPV_INTEGER, 1, 4, 1, 4, IDX_E);
	ck_assert_int_eq(no->vb[1].num, 2); /* ok */
	ck_assert_str_eq(no->what, "source e recovered (ok)");
	run_free(&r);
}
END_TEST

START_TEST(test_fence)
{
	struct run r = {0};
	const struct snmpn_notice *no;

	step_set(&r, "refused");
	step_set(&r, "fenced");
	ck_assert_uint_eq(r.n, 1);
	no = want(&r, 0, FENCE_REQUESTED, 4);
	VB(&no->vb[0], SNMPV_OCTETS, 1, 7, 1, 3, 17);
	vb_str(&no->vb[0], "rec");
	VB(&no->vb[1], SNMPV_INTEGER, 1, 7, 1, 4, 17);
	ck_assert_int_eq(no->vb[1].num, 2); /* manual */
	VB(&no->vb[2], SNMPV_INTEGER, 1, 7, 1, 5, 17);
	ck_assert_int_eq(no->vb[2].num, 3);
	VB(&no->vb[3], SNMPV_OCTETS, 1, 7, 1, 6, 17);
	vb_str(&no->vb[3], "operator root: test fence");
	ck_assert_str_eq(no->what, "fence requested: action 17 on rec (manual)");
	run_free(&r);
}
END_TEST

/* ---- hand-written replies ---------------------------------------------------- */

#define MAXJ 4096

/* An actions reply of one record per "ID ACTION RESULT" in recs. */
static char *actions_json(const char *const *recs, size_t n)
{
	char *s = malloc(MAXJ);
	size_t k = (size_t)snprintf(s, MAXJ, "{\"ok\":true,\"result\":{\"actions\":[");

	for (size_t i = 0; i < n; i++) {
		unsigned id;
		char action[16], result[16];

		ck_assert_int_eq(sscanf(recs[i], "%u %15s %15s", &id, action, result), 3);
		k += (size_t)snprintf(
		    s + k, MAXJ - k,
		    "%s{\"id\":%u,\"action\":\"%s\",\"actuator\":\"a\",\"trigger\":\"auto\","
		    "\"state\":\"red\",\"reason\":\"r\",\"result\":\"%s\",\"requested\":%u,"
		    "\"finished\":%s,\"detail\":null}",
		    i ? "," : "", id, action, result, 1000 + id,
		    strcmp(result, "pending") && strcmp(result, "running") ? "2000" : "null");
	}
	snprintf(s + k, MAXJ - k, "]}}");
	return s;
}

static void step_actions(struct run *r, const char *const *recs, size_t n)
{
	char *a = actions_json(recs, n);

	step(r, NULL, NULL, a);
	free(a);
}
#define ACTIONS(r, ...)                                                                            \
	step_actions(r, (const char *const[]){__VA_ARGS__},                                        \
		     sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

START_TEST(test_records)
{
	struct run r = {0};

	ACTIONS(&r, "5 drain pending", "6 notify done");
	ACTIONS(&r, "5 drain running", "6 notify done");
	ck_assert_uint_eq(r.n, 0);
	ACTIONS(&r, "5 drain done", "6 notify done");
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, DRAIN_DONE, 4);
	ACTIONS(&r, "5 drain done", "6 notify done"); /* same result: once */
	ck_assert_uint_eq(r.n, 0);
	/* new records: a refused drain (asked, refused), an undrain (none), a
	 * fence (asked), a drain that ran dry (asked only) */
	ACTIONS(&r, "5 drain done", "7 drain refused", "8 undrain done", "9 fence pending",
		"10 drain dry-run");
	ck_assert_uint_eq(r.n, 4);
	want(&r, 0, DRAIN_REQUESTED, 4);
	ck_assert_uint_eq(r.v[0].vb[0].oid[ROOT_LEN + 4], 7);
	want(&r, 1, FENCE_REQUESTED, 4);
	want(&r, 2, DRAIN_REQUESTED, 4);
	ck_assert_uint_eq(r.v[2].vb[0].oid[ROOT_LEN + 4], 10);
	want(&r, 3, DRAIN_REFUSED, 3); /* no status: hwhPolicyBudgetLast left out */
	ck_assert_str_eq(r.v[3].what, "drain refused: action 7 on a: (no detail)");
	/* a fence's end, a refused drain retried and done: only the drain */
	ACTIONS(&r, "5 drain done", "7 drain done", "8 undrain done", "9 fence done",
		"10 drain dry-run");
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, DRAIN_DONE, 4);
	ck_assert_uint_eq(r.v[0].vb[0].oid[ROOT_LEN + 4], 7);
	/* records rotated out of the log are forgotten, never notified */
	ACTIONS(&r, "9 fence done", "10 drain dry-run");
	ck_assert_uint_eq(r.n, 0);
	run_free(&r);
}
END_TEST

/* Only a finding new in explain, of kind finding, with a numeric eta. */
static char *explain_json(const char *findings)
{
	char *s = malloc(MAXJ);

	snprintf(s, MAXJ, "{\"ok\":true,\"result\":{\"findings\":[%s]}}", findings);
	return s;
}

#define F(rule, kind, eta)                                                                         \
	"{\"rule\":\"" rule "\",\"target\":\"t\",\"kind\":\"" kind "\",\"state\":\"active\","      \
	"\"severity\":\"warning\",\"score\":10,\"message\":\"m\",\"since\":5,"                     \
	"\"evidence\":{" eta "}}"

static void step_explain(struct run *r, const char *findings)
{
	char *e = explain_json(findings);

	step(r, NULL, e, NULL);
	free(e);
}

START_TEST(test_predictions)
{
	struct run r = {0};

	step_explain(&r, F("a", "finding", "\"eta\":null"));
	/* a: eta now known but not new; b new with eta; c an error; d
	 * liveness; e without eta; f with eta a string */
	step_explain(&r,
		     F("a", "finding", "\"eta\":100") "," F("b", "finding", "\"eta\":49.6") "," F(
			 "c", "error", "\"eta\":5") "," F("d", "liveness",
							  "") "," F("e", "finding",
								    "\"value\":"
								    "3") "," F("f", "finding",
									       "\"eta\":\"5\""));
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, PREDICTED_FAILURE, 5);
	ck_assert_str_eq(r.v[0].what, "predicted failure: b on t in 50 s");
	ck_assert_uint_eq(r.v[0].vb[0].oid[ROOT_LEN + 4], snmpv_index("b t"));
	step_explain(&r, F("a", "finding", "\"eta\":100") "," F("b", "finding", "\"eta\":40"));
	ck_assert_uint_eq(r.n, 0);
	step_explain(&r, F("a", "finding", "\"eta\":100"));
	ck_assert_uint_eq(r.n, 0);
	/* b cleared and is raised again: new again */
	step_explain(&r, F("b", "finding", "\"eta\":30"));
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, PREDICTED_FAILURE, 5);
	run_free(&r);
}
END_TEST

static char *status_json(const char *node, const char *sources)
{
	char *s = malloc(MAXJ);

	snprintf(s, MAXJ,
		 "{\"ok\":true,\"result\":{\"node\":{\"state\":\"%s\",\"score\":1,\"since\":null,"
		 "\"reasons\":[]},\"sources\":[%s]}}",
		 node, sources);
	return s;
}

#define S(name, status)                                                                            \
	"{\"name\":\"" name "\",\"plugin\":\"p\",\"status\":\"" status "\",\"last_poll\":7,"       \
	"\"error\":null,\"metrics\":1}"

static void step_status(struct run *r, const char *node, const char *sources)
{
	char *s = status_json(node, sources);

	step(r, s, NULL, NULL);
	free(s);
}

START_TEST(test_sources)
{
	struct run r = {0};

	step_status(&r, "green",
		    S("s1", "ok") "," S("s2", "starting") "," S("s3", "failed") "," S("s4", "ok"));
	step_status(&r, "green",
		    S("s1", "stale") "," S("s2", "failed") "," S("s3", "unavailable") "," S(
			"s4", "starting") "," S("s5", "unavailable"));
	ck_assert_uint_eq(r.n, 3);
	want(&r, 0, SOURCE_UNAVAILABLE, 3);
	ck_assert_str_eq(r.v[0].what, "source s1 stale");
	ck_assert_int_eq(r.v[0].vb[1].num, 5);
	want(&r, 1, SOURCE_UNAVAILABLE, 3);
	ck_assert_str_eq(r.v[1].what, "source s2 failed");
	want(&r, 2, SOURCE_UNAVAILABLE, 3);
	ck_assert_str_eq(r.v[2].what, "source s5 unavailable"); /* new, and down */
	step_status(&r, "green",
		    S("s1", "ok") "," S("s2", "failed") "," S("s3", "ok") "," S("s4", "ok") "," S(
			"s5", "unavailable"));
	ck_assert_uint_eq(r.n, 2);
	want(&r, 0, SOURCE_RECOVERED, 2);
	ck_assert_str_eq(r.v[0].what, "source s1 recovered (ok)");
	want(&r, 1, SOURCE_RECOVERED, 2);
	ck_assert_str_eq(r.v[1].what, "source s3 recovered (ok)");
	/* a name given twice: its first entry counts, once */
	step_status(&r, "green", S("s1", "failed") "," S("s1", "ok"));
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, SOURCE_UNAVAILABLE, 3);
	step_status(&r, "green", S("s1", "failed") "," S("s1", "ok"));
	ck_assert_uint_eq(r.n, 0);
	run_free(&r);
}
END_TEST

/* A word the MIB lacks changes nothing; the state known before stays. */
START_TEST(test_node_words)
{
	struct run r = {0};

	step_status(&r, "green", "");
	step_status(&r, "purple", "");
	ck_assert_uint_eq(r.n, 0);
	step_status(&r, "critical", "");
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, NODE_STATE_CHANGE, 4);
	ck_assert_int_eq(r.v[0].vb[0].num, 4);
	ck_assert_int_eq(r.v[0].vb[1].num, 1);
	ck_assert_str_eq(r.v[0].what, "node state green -> critical");
	step_status(&r, "yellow", "");
	want(&r, 0, NODE_STATE_CHANGE, 4);
	ck_assert_int_eq(r.v[0].vb[1].num, 4);
	run_free(&r);
}
END_TEST

/* A bad reply: -1, nothing returned, nothing of the state changed. */
START_TEST(test_bad_reply_keeps_state)
{
	struct run r = {0};
	char *red_status = fixture("red", "status"), *red_explain = fixture("red", "explain");
	struct snmpv_input in = {red_status, NULL, "{\"ok\":tru", NULL, 0};
	struct snmpn_notice *v = (struct snmpn_notice *)0x1;
	size_t n = 99;
	char err[256] = "";

	step_set(&r, "yellow");
	ck_assert_int_eq(snmpn_diff(&r.st, &in, root, ROOT_LEN, &v, &n, err, sizeof err), -1);
	ck_assert_str_eq(err, "explain reply: not JSON (it ends early)");
	ck_assert_ptr_null(v);
	ck_assert_uint_eq(n, 0);
	in = (struct snmpv_input){"{\"ok\":false,\"error\":\"busy\"}", NULL, red_explain, NULL, 0};
	ck_assert_int_eq(snmpn_diff(&r.st, &in, root, ROOT_LEN, &v, &n, err, sizeof err), -1);
	ck_assert_str_eq(err, "status reply: ok:false: busy");
	/* the node still was yellow, the ramp finding and drain #4 still new */
	step_set(&r, "red");
	ck_assert_uint_eq(r.n, 4);
	want(&r, 1, NODE_STATE_CHANGE, 4);
	ck_assert_int_eq(r.v[1].vb[1].num, 2);
	run_free(&r);
	free(red_status);
	free(red_explain);
}
END_TEST

/* A reply left out keeps what was seen of it; its first appearance is a
 * baseline of its own. */
START_TEST(test_replies_left_out)
{
	struct run r = {0};
	char *ys = fixture("yellow", "status"), *rs = fixture("red", "status");
	char *re = fixture("red", "explain"), *ra = fixture("red", "actions");

	step(&r, ys, NULL, NULL);
	step(&r, ys, NULL, ra); /* actions seen first: silent */
	ck_assert_uint_eq(r.n, 0);
	step(&r, NULL, re, ra); /* explain seen first: silent */
	ck_assert_uint_eq(r.n, 0);
	step(&r, rs, NULL, NULL); /* the node seen yellow before */
	ck_assert_uint_eq(r.n, 1);
	want(&r, 0, NODE_STATE_CHANGE, 4);
	ck_assert_int_eq(r.v[0].vb[1].num, 2);
	step(&r, rs, re, ra);
	ck_assert_uint_eq(r.n, 0);
	run_free(&r);
	free(ys);
	free(rs);
	free(re);
	free(ra);
}
END_TEST

/* More records than a state keeps: repeats stay silent, a new one is seen. */
START_TEST(test_bounded)
{
	struct run r = {0};
	size_t n = 2000, cap = 200 * (n + 1) + 64, k;
	char *a = malloc(cap);

	for (int round = 0; round < 3; round++) {
		size_t nrec = round < 2 ? n : n + 1;

		k = (size_t)snprintf(a, cap, "{\"ok\":true,\"result\":{\"actions\":[");
		for (size_t i = 1; i <= nrec; i++)
			k += (size_t)snprintf(a + k, cap - k,
					      "%s{\"id\":%zu,\"action\":\"drain\",\"actuator\":"
					      "\"a\",\"result\":\"done\",\"finished\":5}",
					      i > 1 ? "," : "", i);
		snprintf(a + k, cap - k, "]}}");
		step(&r, NULL, NULL, a);
		ck_assert_uint_eq(r.n, round < 2 ? 0 : 2);
	}
	/* actuator and a zero-length reason: no trigger or state to send */
	want(&r, 0, DRAIN_REQUESTED, 2);
	ck_assert_uint_eq(r.v[0].vb[0].oid[ROOT_LEN + 4], 2001);
	want(&r, 1, DRAIN_DONE, 4);
	run_free(&r);
	free(a);
}
END_TEST

START_TEST(test_dropped)
{
	struct snmpn_notice no;

	snmpn_dropped(root, ROOT_LEN, 5, &no);
	ck_assert_uint_eq(no.traplen, ROOT_LEN + 2);
	ck_assert_int_eq(memcmp(no.trap, root, sizeof root), 0);
	ck_assert_uint_eq(no.trap[ROOT_LEN], 0);
	ck_assert_uint_eq(no.trap[ROOT_LEN + 1], NOTIFICATIONS_DROPPED);
	ck_assert_uint_eq(no.nvb, 1);
	VB(&no.vb[0], SNMPV_COUNTER32, 1, 3, 3, 0);
	ck_assert_int_eq(no.vb[0].num, 5);
	ck_assert_str_eq(no.what, "5 notifications lost");
}
END_TEST

/* Another root: the traps and varbinds follow it. */
START_TEST(test_custom_root)
{
	const uint32_t mine[] = {1, 3, 6, 1, 4, 1, 99999, 3};
	struct snmpn_state *st = NULL;
	struct snmpn_notice *v = NULL;
	size_t n = 0;
	char err[256], *s1 = status_json("green", ""), *s2 = status_json("red", "");
	struct snmpv_input in = {s1, NULL, NULL, NULL, 0};

	ck_assert_int_eq(snmpn_diff(&st, &in, mine, 8, &v, &n, err, sizeof err), 0);
	in.status = s2;
	ck_assert_int_eq(snmpn_diff(&st, &in, mine, 8, &v, &n, err, sizeof err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0].traplen, 10);
	ck_assert_int_eq(memcmp(v[0].trap, mine, sizeof mine), 0);
	ck_assert_uint_eq(v[0].trap[9], 1);
	ck_assert_uint_eq(v[0].vb[1].oidlen, 12);
	ck_assert_int_eq(memcmp(v[0].vb[1].oid, mine, sizeof mine), 0);
	ck_assert_uint_eq(v[0].vb[1].oid[9], 8);
	snmpn_notices_free(v, n);
	snmpn_state_free(st);
	snmpn_notices_free(NULL, 0);
	snmpn_state_free(NULL);
	free(s1);
	free(s2);
}
END_TEST

Suite *snmp_notify_suite(void)
{
	Suite *s = suite_create("snmp_notify");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_baseline_silent);
	tcase_add_test(tc, test_yellow_to_red);
	tcase_add_test(tc, test_source_and_refused);
	tcase_add_test(tc, test_fence);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_predictions);
	tcase_add_test(tc, test_sources);
	tcase_add_test(tc, test_node_words);
	tcase_add_test(tc, test_bad_reply_keeps_state);
	tcase_add_test(tc, test_replies_left_out);
	tcase_add_test(tc, test_bounded);
	tcase_add_test(tc, test_dropped);
	tcase_add_test(tc, test_custom_root);
	suite_add_tcase(s, tc);
	return s;
}
