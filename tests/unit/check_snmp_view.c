/*
 * check_snmp_view: unit tests of the SNMP view (plugins/snmp_view*.c): the
 * MIB's conventions one by one (index hashing with the MIB report's test
 * vectors and collision probing, scaling with rounding and clamping,
 * scores, DateAndTime octets, UTF-8 cuts, enum words against the daemon's
 * own), then whole views built from a real daemon's replies
 * (tests/fixtures/snmp/, see its README) and from small hand-written ones:
 * every column of each table, absent values, bad replies, and GET /
 * GETNEXT at the edges (the root, a column without an index, an index in
 * a gap, past the end, prefixes and longer OIDs).
 *
 * To add a case: a row in a table or an assertion, with the exact value.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/snmp_view_internal.h"
#include "actlog.h"
#include "actuator.h"
#include "health.h"
#include "metrics.h"
#include "policy.h"
#include "rules.h"
#include "source.h"
#include "testlib.h"

Suite *snmp_view_suite(void); /* called by tests/main.c */

#define FIXTURES HWH_SRC_DIR "/tests/fixtures/snmp/"
#define ROOT_LEN 7
#define OK_REPLY(result) "{\"ok\":true,\"result\":" result "}"

static const uint32_t root[ROOT_LEN] = {1, 3, 6, 1, 4, 1, 32473};

/* The OID root.SUB... (ROOT_LEN + n sub-identifiers) in o; its length. */
static size_t mkoid(uint32_t *o, size_t n, const uint32_t *sub)
{
	memcpy(o, root, sizeof root);
	memcpy(o + ROOT_LEN, sub, n * sizeof *sub);
	return ROOT_LEN + n;
}

#define OID(...) ((const uint32_t[]){__VA_ARGS__})
#define NSUB(...) (sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))
/* get / next of root.SUB... */
#define GET(v, ...) get_sub(v, OID(__VA_ARGS__), NSUB(__VA_ARGS__))
#define NEXT(v, ...) next_sub(v, OID(__VA_ARGS__), NSUB(__VA_ARGS__))

static const struct snmpv_var *get_sub(const struct snmpv_view *v, const uint32_t *sub, size_t n)
{
	uint32_t o[64];

	return snmpv_get(v, o, mkoid(o, n, sub));
}

static const struct snmpv_var *next_sub(const struct snmpv_view *v, const uint32_t *sub, size_t n)
{
	uint32_t o[64];

	return snmpv_next(v, o, mkoid(o, n, sub));
}

/* x names root.SUB... exactly. */
static bool is_oid(const struct snmpv_var *x, const uint32_t *sub, size_t n)
{
	uint32_t o[64];
	size_t len = mkoid(o, n, sub);

	return x != NULL && snmpv_oid_cmp(x->oid, x->oidlen, o, len) == 0;
}
#define IS(x, ...) is_oid(x, OID(__VA_ARGS__), NSUB(__VA_ARGS__))

static void want_int(const struct snmpv_var *x, uint8_t type, int64_t num)
{
	ck_assert_msg(x != NULL, "no instance, expected %lld", (long long)num);
	ck_assert_int_eq(x->type, type);
	ck_assert_int_eq(x->num, num);
}

static void want_str(const struct snmpv_var *x, const char *s)
{
	ck_assert_msg(x != NULL, "no instance, expected \"%s\"", s);
	ck_assert_int_eq(x->type, SNMPV_OCTETS);
	ck_assert_uint_eq(x->len, strlen(s));
	ck_assert_int_eq(memcmp(x->str, s, x->len), 0);
	ck_assert_int_eq(x->str[x->len], '\0');
}

static void want_date(const struct snmpv_var *x, const uint8_t *d)
{
	ck_assert_msg(x != NULL, "no DateAndTime instance");
	ck_assert_int_eq(x->type, SNMPV_OCTETS);
	ck_assert_uint_eq(x->len, SNMPV_DATE_LEN);
	ck_assert_int_eq(memcmp(x->str, d, SNMPV_DATE_LEN), 0);
}

static char *fixture(const char *name)
{
	char path[512];
	char *s;

	snprintf(path, sizeof path, FIXTURES "%s", name);
	s = read_file_str(path);
	ck_assert_msg(s != NULL, "cannot read %s", path);
	return s;
}

/* The replies of one fixture set; sensors from another file when given. */
struct replies {
	char *status, *sensors, *explain, *actions;
};

static void load(struct replies *r, const char *set, const char *sensors)
{
	char name[128];

	snprintf(name, sizeof name, "%s-status.json", set);
	r->status = fixture(name);
	snprintf(name, sizeof name, "%s-sensors.json", set);
	r->sensors = fixture(sensors ? sensors : name);
	snprintf(name, sizeof name, "%s-explain.json", set);
	r->explain = fixture(name);
	snprintf(name, sizeof name, "%s-actions.json", set);
	r->actions = fixture(name);
}

static void unload(struct replies *r)
{
	free(r->status);
	free(r->sensors);
	free(r->explain);
	free(r->actions);
}

static struct snmpv_view *build(const char *status, const char *sensors, const char *explain,
				const char *actions, uint32_t lost)
{
	struct snmpv_input in = {status, sensors, explain, actions, lost};
	struct snmpv_view *v = NULL;
	char err[256] = "";

	ck_assert_msg(snmpv_build(&in, root, ROOT_LEN, &v, err, sizeof err) == 0, "build: %s", err);
	ck_assert_ptr_nonnull(v);
	return v;
}

static struct snmpv_view *build_set(const char *set, const char *sensors, uint32_t lost)
{
	struct replies r;
	struct snmpv_view *v;

	load(&r, set, sensors);
	v = build(r.status, r.sensors, r.explain, r.actions, lost);
	unload(&r);
	return v;
}

/* ---- conventions ------------------------------------------------------------ */

/* The MIB report's test vectors. */
static const struct {
	const char *key;
	uint32_t index;
} vectors[] = {
    {"sensors/coretemp-isa-0000/temp1", 1703426383},
    {"sensors/it87-isa-0290/fan1", 2097931474},
    {"sensors", 1607929496},
    {"ipmi", 1299072382},
    {"hw-over-crit sensors/coretemp-isa-0000/temp1", 1533864600},
    {"a", 1678518572},
    {"", 18652613},
};

START_TEST(test_hash_vectors)
{
	ck_assert_uint_eq(snmpv_index(vectors[_i].key), vectors[_i].index);
	ck_assert_uint_eq(snmpv_index_n(vectors[_i].key, strlen(vectors[_i].key)),
			  vectors[_i].index);
}
END_TEST

START_TEST(test_index_after)
{
	ck_assert_uint_eq(snmpv_index_after(1), 2);
	ck_assert_uint_eq(snmpv_index_after(2147483646), 2147483647);
	ck_assert_uint_eq(snmpv_index_after(2147483647), 1);
}
END_TEST

/* Probing with made-up hashes: owners (the smallest key of a hash) keep
 * theirs, the others take the next free index in byte order of their keys,
 * wrapping from 2^31-1 to 1, and a repeated key is left out. */
START_TEST(test_assign_probe)
{
	const struct snmpv_key k[] = {
	    {"d", 1, 10},	  /* 10 is a2's, 11 c's, 12 b's: 13 */
	    {"c", 1, 11},	  /* owns 11 */
	    {"b", 1, 10},	  /* 10 is a2's, 11 c's: 12 */
	    {"a2", 2, 10},	  /* the smallest key hashed to 10: owns it */
	    {"z", 1, 2147483647}, /* y owns 2^31-1, then 1 is x's: 2 */
	    {"y", 1, 2147483647}, /* owns 2^31-1 (y < z) */
	    {"x", 1, 1},	  /* owns 1 */
	    {"c", 1, 11},	  /* the same key again: left out */
	};
	uint32_t idx[8];

	ck_assert_int_eq(snmpv_assign(k, 8, idx), 0);
	/* owners keep their hash, whatever the losers' probing would hit */
	ck_assert_uint_eq(idx[3], 10);
	ck_assert_uint_eq(idx[1], 11);
	ck_assert_uint_eq(idx[2], 12);
	ck_assert_uint_eq(idx[0], 13);
	ck_assert_uint_eq(idx[5], 2147483647);
	ck_assert_uint_eq(idx[6], 1);
	ck_assert_uint_eq(idx[4], 2);
	ck_assert_uint_eq(idx[7], 0);
	ck_assert_int_eq(snmpv_assign(k, 0, idx), 0);
}
END_TEST

/* Two real ids with one FNV index (found by search): the first in byte order
 * keeps it whatever the reply's order, the other takes index + 1. */
#define COLL_A "m6c2a07fb"
#define COLL_B "mc9d380d"
#define COLL_INDEX 1236339

static const char *const coll_sensors[] = {
    OK_REPLY("{\"metrics\":[{\"id\":\"" COLL_B "\",\"kind\":\"fan\",\"value\":2},"
	     "{\"id\":\"" COLL_A "\",\"kind\":\"fan\",\"value\":1}]}"),
    OK_REPLY("{\"metrics\":[{\"id\":\"" COLL_A "\",\"kind\":\"fan\",\"value\":1},"
	     "{\"id\":\"" COLL_B "\",\"kind\":\"fan\",\"value\":2}]}"),
};

START_TEST(test_collision)
{
	struct snmpv_view *v = build(NULL, coll_sensors[_i], NULL, NULL, 0);

	ck_assert_uint_eq(snmpv_index(COLL_A), COLL_INDEX);
	ck_assert_uint_eq(snmpv_index(COLL_B), COLL_INDEX);
	want_str(GET(v, 1, 5, 1, 2, COLL_INDEX), COLL_A);
	want_int(GET(v, 1, 5, 1, 10, COLL_INDEX), SNMPV_INTEGER, 1);
	want_str(GET(v, 1, 5, 1, 2, COLL_INDEX + 1), COLL_B);
	want_int(GET(v, 1, 5, 1, 10, COLL_INDEX + 1), SNMPV_INTEGER, 2);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_METRIC, COLL_A), COLL_INDEX);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_METRIC, COLL_B), COLL_INDEX + 1);
	snmpv_free(v);
}
END_TEST

/* Scaling: real * 10^precision, half away from zero, clamped to +-(2^31-1). */
static const struct {
	double real;
	unsigned precision;
	int rc;
	int64_t want;
} scales[] = {
    {45.25, 3, 0, 45250},
    {45.0, 3, 0, 45000},
    {-12.0625, 3, 0, -12063}, /* -12062.5: away from zero */
    {12.0625, 3, 0, 12063},
    {-5.5, 3, 0, -5500},
    {3.3, 3, 0, 3300}, /* 3299.9999999999995 */
    {0.0004, 3, 0, 0},
    {-0.0004, 3, 0, 0},
    {1200.0, 0, 0, 1200},
    {1234.5, 0, 0, 1235},
    {-2.5, 0, 0, -3},
    {2147483.647, 3, 0, 2147483647},
    {2147483.6475, 3, 0, 2147483647},
    {-2147483.648, 3, 0, -2147483647}, /* -2^31 is outside HwhScaledValue */
    {1e12, 0, 0, 2147483647},
    {-1e12, 3, 0, -2147483647},
    {INFINITY, 3, 0, 2147483647},
    {-INFINITY, 0, 0, -2147483647},
    {NAN, 3, -1, 0},
    {1.0, 10, -1, 0}, /* HwhPrecision is 0..9 */
};

START_TEST(test_scale)
{
	int64_t out = 0;

	ck_assert_int_eq(snmpv_scale(scales[_i].real, scales[_i].precision, &out), scales[_i].rc);
	if (scales[_i].rc == 0)
		ck_assert_int_eq(out, scales[_i].want);
}
END_TEST

START_TEST(test_hundredths_seconds)
{
	ck_assert_int_eq(snmpv_hundredths(70.0), 7000);
	ck_assert_int_eq(snmpv_hundredths(10.0), 1000);
	ck_assert_int_eq(snmpv_hundredths(0.25), 25);
	ck_assert_int_eq(snmpv_hundredths(-5.0), 0);
	ck_assert_int_eq(snmpv_hundredths(5e10), 4294967295);
	ck_assert_int_eq(snmpv_hundredths(NAN), 0);
	ck_assert_int_eq(snmpv_seconds(16.832, 0), 16);
	ck_assert_int_eq(snmpv_seconds(983.3, 1), 983);
	ck_assert_int_eq(snmpv_seconds(32.69, 1), 33);
	ck_assert_int_eq(snmpv_seconds(-3, 1), 0);
	ck_assert_int_eq(snmpv_seconds(1e12, 0), 4294967295);
	ck_assert_int_eq(snmpv_seconds(NAN, 1), 0);
}
END_TEST

/* DateAndTime: year (big-endian), month, day, hour, min, sec, deci, '+', 0, 0. */
static const struct {
	double t;
	int rc;
	uint8_t d[SNMPV_DATE_LEN];
} dates[] = {
    {1795343624.151, 0, {0x07, 0xea, 11, 22, 10, 33, 44, 1, '+', 0, 0}},
    {1763762400.1, 0, {0x07, 0xe9, 11, 21, 22, 0, 0, 1, '+', 0, 0}}, /* .1 is 0.0999... */
    {1763762400.999, 0, {0x07, 0xe9, 11, 21, 22, 0, 0, 9, '+', 0, 0}},
    {0, 0, {0x07, 0xb2, 1, 1, 0, 0, 0, 0, '+', 0, 0}},
    {951782400.5, 0, {0x07, 0xd0, 2, 29, 0, 0, 0, 5, '+', 0, 0}}, /* a leap day */
    {86399.99, 0, {0x07, 0xb2, 1, 1, 23, 59, 59, 9, '+', 0, 0}},
    {-1, -1, {0}},
    {NAN, -1, {0}},
    {INFINITY, -1, {0}},
    {1e13, -1, {0}},
};

START_TEST(test_date)
{
	uint8_t d[SNMPV_DATE_LEN];

	ck_assert_int_eq(snmpv_date(dates[_i].t, d), dates[_i].rc);
	if (dates[_i].rc == 0)
		ck_assert_int_eq(memcmp(d, dates[_i].d, SNMPV_DATE_LEN), 0);
}
END_TEST

/* Cuts at max octets, never inside a UTF-8 character. */
static const struct {
	size_t pad;	  /* 'a's first */
	const char *tail; /* then this */
	size_t max, want;
} cuts[] = {
    {300, "", 255, 255},
    {10, "", 255, 10},
    {255, "", 255, 255},
    {254, "\xc3\xa9", 255, 254},		 /* é across the cut */
    {253, "\xc3\xa9", 255, 255},		 /* é just fits */
    {253, "\xe2\x82\xac", 255, 253},		 /* € (3 octets) */
    {252, "\xe2\x82\xac", 255, 255},		 /* € just fits */
    {254, "\xf0\x9f\x94\xa5x", 255, 254},	 /* a 4-octet emoji after 254 */
    {252, "\xf0\x9f\x94\xa5x", 255, 252},	 /* ... after 252: cut before it */
    {251, "\xf0\x9f\x94\xa5x", 255, 255},	 /* ... fits */
    {62, "\xc3\xa9\xc3\xa9", 64, 64},		 /* é ends at 64 */
    {63, "\xc3\xa9\xc3\xa9", 64, 63},		 /* é across 64 */
    {250, "\x80\x80\x80\x80\x80\x80", 255, 255}, /* malformed: cut at max */
};

START_TEST(test_cut)
{
	char s[400];
	size_t len;

	memset(s, 'a', cuts[_i].pad);
	strcpy(s + cuts[_i].pad, cuts[_i].tail);
	len = strlen(s);
	ck_assert_uint_eq(snmpv_cut(s, len, cuts[_i].max), cuts[_i].want);
}
END_TEST

/* Each enum list equals the daemon's words in its order (value = enum + 1),
 * the way suite mib checks the MIB against the daemon. */
static const char *w_node(int v)
{
	return node_state_name((enum node_state)v);
}
static const char *w_kind(int v)
{
	return kind_name((enum hwh_kind)v);
}
static const char *w_mstatus(int v)
{
	return metric_status_name((enum metric_status)v);
}
static const char *w_source(int v)
{
	return v <= SRC_UNAVAILABLE ? source_state_name((enum source_state)v) : "stale";
}
static const char *w_action(int v)
{
	return act_kind_name((enum act_kind)v);
}
static const char *w_result(int v)
{
	return act_result_name((enum act_result)v);
}
static const char *w_severity(int v)
{
	return rule_severity_name((enum rule_severity)v);
}
static const char *w_posture(int v)
{
	return posture_name((enum posture)v);
}
static const char *w_limit(int v)
{
	return limit_name((enum hwh_limit)v);
}

static const struct {
	const struct snmpv_words *list;
	const char *(*daemon)(int);
	int count;
} enums[] = {
    {&snmpv_node_states, w_node, NODE_CRITICAL + 1},
    {&snmpv_kinds, w_kind, HWH_KIND_COUNT},
    {&snmpv_metric_states, w_mstatus, MST_COUNT},
    {&snmpv_source_states, w_source, SRC_UNAVAILABLE + 2},
    {&snmpv_actions, w_action, AK_COUNT},
    {&snmpv_results, w_result, AR_COUNT},
    {&snmpv_severities, w_severity, RSEV_COUNT},
    {&snmpv_postures, w_posture, PO_FENCED + 1},
    {&snmpv_limits, w_limit, HWH_LIM_COUNT},
};

START_TEST(test_enum_words)
{
	ck_assert_uint_eq(enums[_i].list->n, (size_t)enums[_i].count);
	for (int v = 0; v < enums[_i].count; v++)
		ck_assert_msg(snmpv_word(enums[_i].list, enums[_i].daemon(v)) == v + 1,
			      "daemon word %d '%s' is not value %d", v, enums[_i].daemon(v), v + 1);
	ck_assert_int_eq(snmpv_word(enums[_i].list, "no-such-word"), 0);
	ck_assert_int_eq(snmpv_word(enums[_i].list, NULL), 0);
}
END_TEST

START_TEST(test_precision)
{
	static const struct {
		const char *kind;
		unsigned p;
	} k[] = {{"temperature", 3}, {"fan", 0},     {"voltage", 3},  {"current", 3},
		 {"power", 3},	     {"energy", 0},  {"humidity", 3}, {"intrusion", 0},
		 {"counter", 0},     {"percent", 3}, {"state", 0},    {"other", 3},
		 {"plasma", 3}};

	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		ck_assert_uint_eq(snmpv_kind_precision(snmpv_word(&snmpv_kinds, k[i].kind)),
				  k[i].p);
}
END_TEST

/* ---- views of a real daemon's replies ---------------------------------------- */

#define IDX_E 1611408096	  /* "e" */
#define IDX_FAN1 1192554106	  /* e/chip0/fan1 */
#define IDX_TEMP1 1606880807	  /* e/chip0/temp1 */
#define IDX_IN0 1652740531	  /* e/chip0/in0 */
#define IDX_TEMP2 545938297	  /* e/chip1/temp2 */
#define IDX_HOT 590510512	  /* "hot e/chip0/temp1" */
#define IDX_RAMP 598530549	  /* "ramp e/chip0/temp1" */
#define IDX_UNREADABLE 1847638777 /* "metric-unreadable e/chip1/temp2" */

START_TEST(test_indexes_are_hashes)
{
	ck_assert_uint_eq(snmpv_index("e"), IDX_E);
	ck_assert_uint_eq(snmpv_index("e/chip0/fan1"), IDX_FAN1);
	ck_assert_uint_eq(snmpv_index("e/chip0/temp1"), IDX_TEMP1);
	ck_assert_uint_eq(snmpv_index("e/chip0/in0"), IDX_IN0);
	ck_assert_uint_eq(snmpv_index("e/chip1/temp2"), IDX_TEMP2);
	ck_assert_uint_eq(snmpv_index("hot e/chip0/temp1"), IDX_HOT);
	ck_assert_uint_eq(snmpv_index("ramp e/chip0/temp1"), IDX_RAMP);
	ck_assert_uint_eq(snmpv_index("metric-unreadable e/chip1/temp2"), IDX_UNREADABLE);
}
END_TEST

/* 2026-11-22 10:33:44.151 UTC, node.since and drained_since of "red". */
static const uint8_t red_since[] = {0x07, 0xea, 11, 22, 10, 33, 44, 1, '+', 0, 0};

START_TEST(test_red_scalars)
{
	struct snmpv_view *v = build_set("red", "trend-sensors.json", 7);

	want_int(GET(v, 1, 1, 1, 0), SNMPV_INTEGER, 3); /* red */
	want_int(GET(v, 1, 1, 2, 0), SNMPV_GAUGE32, 7000);
	want_date(GET(v, 1, 1, 3, 0), red_since);
	want_str(GET(v, 1, 1, 4, 0), "hot: temp1 at 60 > 50; e/chip1/temp2 unreadable for 17 s: "
				     "echo: value is nan; ramp: temp1 60: crit in 11s");
	want_int(GET(v, 1, 2, 1, 0), SNMPV_INTEGER, 3); /* effective red */
	want_int(GET(v, 1, 2, 2, 0), SNMPV_INTEGER, 3); /* drained */
	want_date(GET(v, 1, 2, 3, 0),
		  (const uint8_t[]){0x07, 0xea, 11, 22, 10, 33, 44, 1, '+', 0, 0});
	want_str(GET(v, 1, 2, 4, 0), "allowed: 0 other nodes of 3 out");
	want_str(GET(v, 1, 3, 1, 0), "0.1.0");
	want_int(GET(v, 1, 3, 2, 0), SNMPV_GAUGE32, 16); /* 16.832 s */
	want_int(GET(v, 1, 3, 3, 0), SNMPV_COUNTER32, 7);
	/* hwhNotifyPreviousState is accessible-for-notify: never served */
	ck_assert_ptr_null(GET(v, 1, 8, 1, 0));
	snmpv_free(v);
}
END_TEST

START_TEST(test_red_sources)
{
	struct snmpv_view *v = build_set("red", NULL, 0);
	const uint8_t poll[] = {0x07, 0xea, 11, 22, 10, 33, 48, 1, '+', 0, 0}; /* 1795343628.151 */

	ck_assert_ptr_null(GET(v, 1, 4, 1, 1, IDX_E)); /* the index is not-accessible */
	want_str(GET(v, 1, 4, 1, 2, IDX_E), "e");
	want_str(GET(v, 1, 4, 1, 3, IDX_E), "echo");
	want_int(GET(v, 1, 4, 1, 4, IDX_E), SNMPV_INTEGER, 2); /* ok */
	want_date(GET(v, 1, 4, 1, 5, IDX_E), poll);
	want_str(GET(v, 1, 4, 1, 6, IDX_E), ""); /* error null */
	want_int(GET(v, 1, 4, 1, 7, IDX_E), SNMPV_GAUGE32, 4);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_SOURCE, "e"), IDX_E);
	snmpv_free(v);
}
END_TEST

/* Every metric column with the trend fields of helper TREND's sensors. */
START_TEST(test_red_metrics_trend)
{
	struct snmpv_view *v = build_set("red", "trend-sensors.json", 0);

	/* fan1: 1200 RPM, min 600, precision 0, -300.4 RPM/h heading for min */
	want_str(GET(v, 1, 5, 1, 2, IDX_FAN1), "e/chip0/fan1");
	want_str(GET(v, 1, 5, 1, 3, IDX_FAN1), "e");
	want_str(GET(v, 1, 5, 1, 4, IDX_FAN1), "chip0");
	want_str(GET(v, 1, 5, 1, 5, IDX_FAN1), "fan1");
	want_str(GET(v, 1, 5, 1, 6, IDX_FAN1), ""); /* label null */
	want_int(GET(v, 1, 5, 1, 7, IDX_FAN1), SNMPV_INTEGER, 3);
	want_str(GET(v, 1, 5, 1, 8, IDX_FAN1), "RPM");
	want_int(GET(v, 1, 5, 1, 9, IDX_FAN1), SNMPV_GAUGE32, 0);
	want_int(GET(v, 1, 5, 1, 10, IDX_FAN1), SNMPV_INTEGER, 1200);
	want_str(GET(v, 1, 5, 1, 11, IDX_FAN1), "");
	want_int(GET(v, 1, 5, 1, 12, IDX_FAN1), SNMPV_INTEGER, 1); /* ok */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 13, IDX_FAN1));
	ck_assert_ptr_null(GET(v, 1, 5, 1, 14, IDX_FAN1));
	want_int(GET(v, 1, 5, 1, 15, IDX_FAN1), SNMPV_INTEGER, 600);
	ck_assert_ptr_null(GET(v, 1, 5, 1, 16, IDX_FAN1));
	ck_assert_ptr_null(GET(v, 1, 5, 1, 17, IDX_FAN1));
	ck_assert_ptr_null(GET(v, 1, 5, 1, 18, IDX_FAN1));
	want_int(GET(v, 1, 5, 1, 19, IDX_FAN1), SNMPV_INTEGER, -300);
	want_int(GET(v, 1, 5, 1, 20, IDX_FAN1), SNMPV_INTEGER, 4); /* lowWarning */
	want_int(GET(v, 1, 5, 1, 21, IDX_FAN1), SNMPV_GAUGE32, 7188);
	/* temp1: 60 C, max 80, crit 95, precision 3, +43.2 C/h heading for crit */
	want_int(GET(v, 1, 5, 1, 7, IDX_TEMP1), SNMPV_INTEGER, 2);
	want_str(GET(v, 1, 5, 1, 8, IDX_TEMP1), "C");
	want_int(GET(v, 1, 5, 1, 9, IDX_TEMP1), SNMPV_GAUGE32, 3);
	want_int(GET(v, 1, 5, 1, 10, IDX_TEMP1), SNMPV_INTEGER, 60000);
	want_int(GET(v, 1, 5, 1, 16, IDX_TEMP1), SNMPV_INTEGER, 80000);
	want_int(GET(v, 1, 5, 1, 17, IDX_TEMP1), SNMPV_INTEGER, 95000);
	want_int(GET(v, 1, 5, 1, 19, IDX_TEMP1), SNMPV_INTEGER, 43200);
	want_int(GET(v, 1, 5, 1, 20, IDX_TEMP1), SNMPV_INTEGER, 6); /* highCritical */
	want_int(GET(v, 1, 5, 1, 21, IDX_TEMP1), SNMPV_GAUGE32, 983);
	/* in0: -12.0625 V, min -12.6, max -11.4; slope 0, prediction null */
	want_int(GET(v, 1, 5, 1, 7, IDX_IN0), SNMPV_INTEGER, 4);
	want_int(GET(v, 1, 5, 1, 10, IDX_IN0), SNMPV_INTEGER, -12063);
	want_int(GET(v, 1, 5, 1, 15, IDX_IN0), SNMPV_INTEGER, -12600);
	want_int(GET(v, 1, 5, 1, 16, IDX_IN0), SNMPV_INTEGER, -11400);
	want_int(GET(v, 1, 5, 1, 19, IDX_IN0), SNMPV_INTEGER, 0);
	want_int(GET(v, 1, 5, 1, 20, IDX_IN0), SNMPV_INTEGER, 1); /* none */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 21, IDX_IN0));
	/* temp2: unreadable: no value, the error as text, no trend */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 10, IDX_TEMP2));
	want_str(GET(v, 1, 5, 1, 11, IDX_TEMP2), "echo: value is nan");
	want_int(GET(v, 1, 5, 1, 12, IDX_TEMP2), SNMPV_INTEGER, 4); /* unreadable */
	want_int(GET(v, 1, 5, 1, 17, IDX_TEMP2), SNMPV_INTEGER, 100000);
	ck_assert_ptr_null(GET(v, 1, 5, 1, 19, IDX_TEMP2));
	want_int(GET(v, 1, 5, 1, 20, IDX_TEMP2), SNMPV_INTEGER, 1);
	ck_assert_ptr_null(GET(v, 1, 5, 1, 21, IDX_TEMP2));
	snmpv_free(v);
}
END_TEST

/* The daemon as it is without helper TREND: no trend columns at all. */
START_TEST(test_metrics_without_trend)
{
	struct snmpv_view *v = build_set("red", NULL, 0);
	const uint32_t idx[] = {IDX_FAN1, IDX_TEMP1, IDX_IN0, IDX_TEMP2};

	for (size_t i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(GET(v, 1, 5, 1, 12, idx[i]));
		ck_assert_ptr_null(GET(v, 1, 5, 1, 19, idx[i]));
		ck_assert_ptr_null(GET(v, 1, 5, 1, 20, idx[i]));
		ck_assert_ptr_null(GET(v, 1, 5, 1, 21, idx[i]));
	}
	snmpv_free(v);
}
END_TEST

START_TEST(test_red_findings)
{
	struct snmpv_view *v = build_set("red", NULL, 0);
	const uint8_t since[] = {0x07, 0xea, 11, 22, 10, 33, 39, 7, '+', 0, 0}; /* ...619.754 */

	want_str(GET(v, 1, 6, 1, 2, IDX_RAMP), "ramp");
	want_str(GET(v, 1, 6, 1, 3, IDX_RAMP), "e/chip0/temp1");
	want_int(GET(v, 1, 6, 1, 4, IDX_RAMP), SNMPV_INTEGER, 1); /* finding */
	want_int(GET(v, 1, 6, 1, 5, IDX_RAMP), SNMPV_INTEGER, 1); /* active */
	want_int(GET(v, 1, 6, 1, 6, IDX_RAMP), SNMPV_INTEGER, 2); /* warning */
	want_int(GET(v, 1, 6, 1, 7, IDX_RAMP), SNMPV_GAUGE32, 1000);
	want_str(GET(v, 1, 6, 1, 8, IDX_RAMP), "temp1 60: crit in 11s");
	want_date(GET(v, 1, 6, 1, 9, IDX_RAMP), since);
	want_int(GET(v, 1, 6, 1, 10, IDX_RAMP), SNMPV_GAUGE32, 11); /* 10.98... */
	want_int(GET(v, 1, 6, 1, 6, IDX_HOT), SNMPV_INTEGER, 3);    /* critical */
	want_int(GET(v, 1, 6, 1, 7, IDX_HOT), SNMPV_GAUGE32, 5000);
	ck_assert_ptr_null(GET(v, 1, 6, 1, 10, IDX_HOT)); /* no eta() in "hot" */
	want_str(GET(v, 1, 6, 1, 2, IDX_UNREADABLE), "metric-unreadable");
	want_int(GET(v, 1, 6, 1, 4, IDX_UNREADABLE), SNMPV_INTEGER, 3); /* liveness */
	ck_assert_ptr_null(GET(v, 1, 6, 1, 9, IDX_UNREADABLE));		/* since null */
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_FINDING, "ramp e/chip0/temp1"), IDX_RAMP);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_FINDING, "ramp e/chip0/temp2"), 0);
	snmpv_free(v);
}
END_TEST

START_TEST(test_actions)
{
	struct snmpv_view *v = build_set("refused", NULL, 0);
	const uint8_t req[] = {0x07, 0xea, 11, 22, 10, 34, 10, 3, '+', 0, 0}; /* ...650.353 */

	/* #12: the drain the budget refused */
	want_int(GET(v, 1, 7, 1, 2, 12), SNMPV_INTEGER, 2); /* drain */
	want_str(GET(v, 1, 7, 1, 3, 12), "rec");
	want_int(GET(v, 1, 7, 1, 4, 12), SNMPV_INTEGER, 1); /* auto */
	want_int(GET(v, 1, 7, 1, 5, 12), SNMPV_INTEGER, 3); /* red */
	want_int(GET(v, 1, 7, 1, 7, 12), SNMPV_INTEGER, 7); /* refused */
	want_date(GET(v, 1, 7, 1, 8, 12), req);
	want_date(GET(v, 1, 7, 1, 9, 12), req);
	want_str(GET(v, 1, 7, 1, 10, 12),
		 "budget exhausted: rec: 1 other node of 3 already out (node2), max-unhealthy 1");
	/* #10: the operator's undrain */
	want_int(GET(v, 1, 7, 1, 2, 10), SNMPV_INTEGER, 3);
	want_int(GET(v, 1, 7, 1, 4, 10), SNMPV_INTEGER, 2); /* manual */
	want_str(GET(v, 1, 7, 1, 6, 10), "operator root: operator request");
	ck_assert_ptr_null(GET(v, 1, 7, 1, 2, 14)); /* no record 14 */
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_ACTION, "12"), 12);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_ACTION, "012"), 0);
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_ACTION, "14"), 0);
	ck_assert_uint_eq(snmpv_lookup(v, 3, "x"), 0);
	/* the posture and budget of that moment */
	want_int(GET(v, 1, 2, 2, 0), SNMPV_INTEGER, 2); /* notified */
	ck_assert_ptr_null(GET(v, 1, 2, 3, 0));		/* not drained */
	want_str(GET(v, 1, 2, 4, 0),
		 "refused: rec: 1 other node of 3 already out (node2), max-unhealthy 1");
	snmpv_free(v);
}
END_TEST

START_TEST(test_failed_source)
{
	struct snmpv_view *v = build_set("failed", NULL, 0);

	want_int(GET(v, 1, 4, 1, 4, IDX_E), SNMPV_INTEGER, 3); /* failed */
	want_str(GET(v, 1, 4, 1, 6, IDX_E),
		 "cannot read /tmp/snmpcap/vals.txt: No such file or directory");
	want_int(GET(v, 1, 5, 1, 12, IDX_FAN1), SNMPV_INTEGER, 5);    /* stale */
	want_int(GET(v, 1, 5, 1, 10, IDX_FAN1), SNMPV_INTEGER, 1200); /* keeps its value */
	snmpv_free(v);
}
END_TEST

/* ---- hand-written replies ------------------------------------------------------ */

/* Readings of each kind: precision and scaled value (or none). */
static const struct {
	const char *metric; /* the JSON object's members after "id" */
	unsigned precision;
	bool has_value;
	int64_t value;
} kinds[] = {
    {"\"kind\":\"temperature\",\"value\":45.25", 3, true, 45250},
    {"\"kind\":\"temperature\",\"value\":-40.0625", 3, true, -40063},
    {"\"kind\":\"temperature\",\"value\":3000000", 3, true, 2147483647},
    {"\"kind\":\"fan\",\"value\":1234.5", 0, true, 1235},
    {"\"kind\":\"fan\",\"value\":0", 0, true, 0},
    {"\"kind\":\"voltage\",\"value\":3.3", 3, true, 3300},
    {"\"kind\":\"voltage\",\"value\":-12.0625", 3, true, -12063},
    {"\"kind\":\"current\",\"value\":1.5", 3, true, 1500},
    {"\"kind\":\"power\",\"value\":250.25", 3, true, 250250},
    {"\"kind\":\"energy\",\"value\":5000000000", 0, true, 2147483647},
    {"\"kind\":\"counter\",\"value\":-10000000000", 0, true, -2147483647},
    {"\"kind\":\"counter\",\"value\":17", 0, true, 17},
    {"\"kind\":\"percent\",\"value\":99.5", 3, true, 99500},
    {"\"kind\":\"state\",\"value\":2", 0, true, 2},
    {"\"kind\":\"plasma\",\"value\":1.5", 3, true, 1500}, /* unknown: no kind, precision 3 */
    {"\"kind\":\"fan\",\"value\":null", 0, false, 0},
    {"\"kind\":\"fan\"", 0, false, 0},
    {"\"kind\":\"fan\",\"value\":\"12\"", 0, false, 0},
    {"\"kind\":\"fan\",\"value\":true", 0, false, 0},
};

START_TEST(test_kinds)
{
	char sensors[512];
	struct snmpv_view *v;
	uint32_t i = snmpv_index("s/d/m");

	snprintf(sensors, sizeof sensors, OK_REPLY("{\"metrics\":[{\"id\":\"s/d/m\",%s}]}"),
		 kinds[_i].metric);
	v = build(NULL, sensors, NULL, NULL, 0);
	want_int(GET(v, 1, 5, 1, 9, i), SNMPV_GAUGE32, kinds[_i].precision);
	if (kinds[_i].has_value)
		want_int(GET(v, 1, 5, 1, 10, i), SNMPV_INTEGER, kinds[_i].value);
	else
		ck_assert_ptr_null(GET(v, 1, 5, 1, 10, i));
	if (strstr(kinds[_i].metric, "plasma"))
		ck_assert_ptr_null(GET(v, 1, 5, 1, 7, i));
	else
		ck_assert_ptr_nonnull(GET(v, 1, 5, 1, 7, i));
	snmpv_free(v);
}
END_TEST

/* Limits and slopes use the row's precision and clamp the same way. */
START_TEST(test_limits_slope_scaled)
{
	const char *s = OK_REPLY(
	    "{\"metrics\":[{\"id\":\"x\",\"kind\":\"temperature\",\"value\":-5.5,"
	    "\"limits\":{\"lemerg\":-40,\"lcrit\":-30.5,\"min\":-20.25,\"max\":70,\"crit\":85.125,"
	    "\"emerg\":1e9},\"trend\":{\"slope_h\":-0.0015,\"span_s\":60,\"points\":7},"
	    "\"prediction\":{\"limit\":\"lcrit\",\"eta_s\":1e11}},"
	    "{\"id\":\"y\",\"kind\":\"fan\",\"value\":900,\"limits\":{\"min\":\"600\"},"
	    "\"trend\":{\"slope_h\":null},\"prediction\":{\"limit\":\"sideways\",\"eta_s\":5}}]}");
	struct snmpv_view *v = build(NULL, s, NULL, NULL, 0);
	uint32_t x = snmpv_index("x"), y = snmpv_index("y");

	want_int(GET(v, 1, 5, 1, 10, x), SNMPV_INTEGER, -5500);
	want_int(GET(v, 1, 5, 1, 13, x), SNMPV_INTEGER, -40000);
	want_int(GET(v, 1, 5, 1, 14, x), SNMPV_INTEGER, -30500);
	want_int(GET(v, 1, 5, 1, 15, x), SNMPV_INTEGER, -20250);
	want_int(GET(v, 1, 5, 1, 16, x), SNMPV_INTEGER, 70000);
	want_int(GET(v, 1, 5, 1, 17, x), SNMPV_INTEGER, 85125);
	want_int(GET(v, 1, 5, 1, 18, x), SNMPV_INTEGER, 2147483647);
	want_int(GET(v, 1, 5, 1, 19, x), SNMPV_INTEGER, -2); /* -1.5: away from zero */
	want_int(GET(v, 1, 5, 1, 20, x), SNMPV_INTEGER, 3);  /* lowCritical */
	want_int(GET(v, 1, 5, 1, 21, x), SNMPV_GAUGE32, 4294967295);
	ck_assert_ptr_null(GET(v, 1, 5, 1, 15, y)); /* a limit that is not a number */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 19, y)); /* slope_h null */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 20, y)); /* a limit word the MIB lacks */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 21, y));
	snmpv_free(v);
}
END_TEST

/* Absent values: no instance for numbers and times, "" for text. */
START_TEST(test_absent)
{
	const char *status =
	    OK_REPLY("{\"version\":\"0.1.0\",\"uptime_s\":1.5,"
		     "\"node\":{\"state\":\"green\",\"score\":0,\"since\":null,\"reasons\":[]},"
		     "\"sources\":[{\"name\":\"s\",\"plugin\":\"p\",\"status\":\"starting\","
		     "\"last_poll\":null,\"metrics\":0,\"error\":null}],"
		     "\"policy\":{\"posture\":\"normal\",\"effective_state\":\"green\","
		     "\"drained_since\":null,\"budget\":{\"last\":null}}}");
	const char *actions = OK_REPLY("{\"actions\":[{\"id\":3,\"action\":\"drain\","
				       "\"actuator\":\"a\",\"trigger\":\"auto\",\"state\":\"red\","
				       "\"reason\":null,\"result\":\"running\",\"requested\":5,"
				       "\"finished\":null,\"detail\":null}]}");
	struct snmpv_view *v = build(status, NULL, NULL, actions, 0);
	uint32_t s = snmpv_index("s");

	want_int(GET(v, 1, 1, 1, 0), SNMPV_INTEGER, 1);
	want_int(GET(v, 1, 1, 2, 0), SNMPV_GAUGE32, 0);
	ck_assert_ptr_null(GET(v, 1, 1, 3, 0));
	want_str(GET(v, 1, 1, 4, 0), "");
	want_int(GET(v, 1, 2, 2, 0), SNMPV_INTEGER, 1); /* normal */
	ck_assert_ptr_null(GET(v, 1, 2, 3, 0));
	want_str(GET(v, 1, 2, 4, 0), "");
	want_int(GET(v, 1, 3, 2, 0), SNMPV_GAUGE32, 1);
	want_int(GET(v, 1, 4, 1, 4, s), SNMPV_INTEGER, 1); /* starting */
	ck_assert_ptr_null(GET(v, 1, 4, 1, 5, s));
	want_str(GET(v, 1, 4, 1, 6, s), "");
	want_int(GET(v, 1, 4, 1, 7, s), SNMPV_GAUGE32, 0);
	want_str(GET(v, 1, 7, 1, 6, 3), "");
	want_int(GET(v, 1, 7, 1, 7, 3), SNMPV_INTEGER, 2); /* running */
	want_date(GET(v, 1, 7, 1, 8, 3),
		  (const uint8_t[]){0x07, 0xb2, 1, 1, 0, 0, 5, 0, '+', 0, 0});
	ck_assert_ptr_null(GET(v, 1, 7, 1, 9, 3));
	want_str(GET(v, 1, 7, 1, 10, 3), "");
	snmpv_free(v);
}
END_TEST

/* Replies left out: their objects are absent; hwhNotificationsLost stays. */
START_TEST(test_null_replies)
{
	struct snmpv_view *v = build(NULL, NULL, NULL, NULL, 42);

	ck_assert_uint_eq(snmpv_count(v), 1);
	want_int(snmpv_at(v, 0), SNMPV_COUNTER32, 42);
	ck_assert(IS(snmpv_at(v, 0), 1, 3, 3, 0));
	ck_assert_ptr_null(snmpv_at(v, 1));
	snmpv_free(v);
	v = build(OK_REPLY("{\"version\":\"x\"}"), NULL, NULL, NULL, 0);
	ck_assert_uint_eq(snmpv_count(v), 2); /* version and lost: no uptime, no node */
	want_str(GET(v, 1, 3, 1, 0), "x");
	ck_assert_ptr_null(GET(v, 1, 3, 2, 0));
	snmpv_free(v);
}
END_TEST

/* Strings cut on a character boundary at 255 or the column's SIZE. */
START_TEST(test_string_cuts)
{
	char label[400], version[64], unit[32], *sensors, *status;
	struct snmpv_view *v;
	uint32_t m = snmpv_index("m");
	size_t n;

	memset(label, 'a', 254);
	strcpy(label + 254, "\xc3\xa9zzzz"); /* é at 254..255 */
	memset(version, 'v', 31);
	strcpy(version + 31, "\xe2\x82\xac"); /* € at 31..33 */
	strcpy(unit, "0123456789abcdefXYZ");
	n = strlen(label) + strlen(unit) + 200;
	sensors = malloc(n);
	snprintf(sensors, n,
		 OK_REPLY("{\"metrics\":[{\"id\":\"m\",\"label\":\"%s\",\"unit\":\"%s\"}]}"), label,
		 unit);
	status = malloc(200);
	snprintf(status, 200, OK_REPLY("{\"version\":\"%s\"}"), version);
	v = build(status, sensors, NULL, NULL, 0);
	label[254] = '\0';
	want_str(GET(v, 1, 5, 1, 6, m), label);
	want_str(GET(v, 1, 5, 1, 8, m), "0123456789abcdef");
	version[31] = '\0';
	want_str(GET(v, 1, 3, 1, 0), version);
	snmpv_free(v);
	free(sensors);
	free(status);
}
END_TEST

/* A custom root moves every OID; a root too long is refused. */
START_TEST(test_root)
{
	const uint32_t mine[] = {1, 3, 6, 1, 4, 1, 99999, 7};
	uint32_t longroot[28] = {1};
	struct snmpv_input in = {NULL, NULL, NULL, NULL, 1};
	struct snmpv_view *v = NULL;
	char err[256];

	ck_assert_int_eq(snmpv_build(&in, mine, 8, &v, err, sizeof err), 0);
	ck_assert_uint_eq(snmpv_at(v, 0)->oidlen, 12);
	ck_assert_int_eq(memcmp(snmpv_at(v, 0)->oid, mine, sizeof mine), 0);
	ck_assert_uint_eq(snmpv_at(v, 0)->oid[8], 1);
	snmpv_free(v);
	v = NULL;
	ck_assert_int_eq(snmpv_build(&in, longroot, 27, &v, err, sizeof err), 0);
	snmpv_free(v);
	v = (struct snmpv_view *)0x1;
	ck_assert_int_eq(snmpv_build(&in, longroot, 28, &v, err, sizeof err), -1);
	ck_assert_ptr_eq(v, (struct snmpv_view *)0x1);
	ck_assert_str_eq(err, "the root OID is too long (28 sub-identifiers, at most 27)");
}
END_TEST

/* Bad replies: -1, the reason, *out untouched. pos: which reply. */
static const struct {
	int pos; /* 0 status, 1 sensors, 2 explain, 3 actions */
	const char *text;
	const char *err;
} bad[] = {
    {0, "", "status reply: not JSON (it ends early)"},
    {1, "not json", "sensors reply: not JSON"},
    {2, "[1]", "explain reply: not a JSON object"},
    {3, "{\"ok\":false,\"error\":\"boom\"}", "actions reply: ok:false: boom"},
    {0, "{\"ok\":\"yes\",\"result\":{}}", "status reply: no \"ok\""},
    {0, "{\"ok\":true}", "status reply: no \"result\" object"},
    {1, "{\"ok\":true,\"result\":[]}", "sensors reply: no \"result\" object"},
    {1, "{\"ok\":true,\"result\":{}} x", "sensors reply: not JSON (text after the object)"},
    {1, "{\"ok\":true,\"result\":{\"metrics\":{}}}", "sensors reply: \"metrics\" is not an array"},
    {1, "{\"ok\":true,\"result\":{\"metrics\":[1]}}", "sensors reply: metrics[0] is not an object"},
    {1, "{\"ok\":true,\"result\":{\"metrics\":[{\"id\":\"a\"},{\"kind\":\"fan\"}]}}",
     "sensors reply: metrics[1] has no \"id\" (a string)"},
    {0, "{\"ok\":true,\"result\":{\"sources\":[{\"name\":5}]}}",
     "status reply: sources[0] has no \"name\" (a string)"},
    {0, "{\"ok\":true,\"result\":{\"node\":[]}}", "status reply: \"node\" is not an object"},
    {2, "{\"ok\":true,\"result\":{\"findings\":[{\"rule\":\"r\"}]}}",
     "explain reply: findings[0] has no \"rule\" and \"target\" (strings)"},
    {3, "{\"ok\":true,\"result\":{\"actions\":[{\"id\":0}]}}",
     "actions reply: actions[0] has no \"id\" (1 to 4294967295)"},
    {3, "{\"ok\":true,\"result\":{\"actions\":[{\"id\":4294967296}]}}",
     "actions reply: actions[0] has no \"id\" (1 to 4294967295)"},
    {3, "{\"ok\":true,\"result\":{\"actions\":[{\"id\":\"7\"}]}}",
     "actions reply: actions[0] has no \"id\" (1 to 4294967295)"},
};

START_TEST(test_bad_replies)
{
	const char *r[4] = {OK_REPLY("{}"), OK_REPLY("{}"), OK_REPLY("{}"), OK_REPLY("{}")};
	struct snmpv_input in;
	struct snmpv_view *v = (struct snmpv_view *)0x1;
	char err[256] = "";

	r[bad[_i].pos] = bad[_i].text;
	in = (struct snmpv_input){r[0], r[1], r[2], r[3], 0};
	ck_assert_int_eq(snmpv_build(&in, root, ROOT_LEN, &v, err, sizeof err), -1);
	ck_assert_ptr_eq(v, (struct snmpv_view *)0x1);
	ck_assert_msg(strncmp(err, bad[_i].err, strlen(bad[_i].err)) == 0, "err '%s', want '%s'",
		      err, bad[_i].err);
}
END_TEST

/* A repeated action id: the first record is the row. */
START_TEST(test_action_repeated)
{
	struct snmpv_view *v = build(
	    NULL, NULL, NULL,
	    OK_REPLY(
		"{\"actions\":[{\"id\":9,\"actuator\":\"first\"},"
		"{\"id\":4294967295,\"actuator\":\"max\"},{\"id\":9,\"actuator\":\"second\"}]}"),
	    0);

	want_str(GET(v, 1, 7, 1, 3, 9), "first");
	ck_assert(IS(NEXT(v, 1, 7, 1, 3, 9), 1, 7, 1, 3, 4294967295u));
	want_str(GET(v, 1, 7, 1, 3, 4294967295u), "max");
	/* lost, and per row the text columns: actuator, reason and detail */
	ck_assert_uint_eq(snmpv_count(v), 1 + 2 * 3);
	snmpv_free(v);
}
END_TEST

/* ---- GET and GETNEXT ------------------------------------------------------------ */

/* A walk from nothing visits every instance once, in strictly increasing
 * order, and GET finds each. */
START_TEST(test_walk_sorted)
{
	struct snmpv_view *v = build_set("red", "trend-sensors.json", 0);
	const struct snmpv_var *x = snmpv_next(v, NULL, 0), *prev = NULL;
	size_t n = 0;

	ck_assert_uint_eq(snmpv_count(v), 135);
	for (; x != NULL; prev = x, x = snmpv_next(v, x->oid, x->oidlen), n++) {
		ck_assert_ptr_eq(x, snmpv_at(v, n));
		ck_assert_ptr_eq(snmpv_get(v, x->oid, x->oidlen), x);
		if (prev != NULL)
			ck_assert_int_lt(snmpv_oid_cmp(prev->oid, prev->oidlen, x->oid, x->oidlen),
					 0);
	}
	ck_assert_uint_eq(n, snmpv_count(v));
	/* walk order within a column is index (hash) order, not id order */
	ck_assert(IS(NEXT(v, 1, 5, 1, 2), 1, 5, 1, 2, IDX_TEMP2));
	ck_assert(IS(NEXT(v, 1, 5, 1, 2, IDX_TEMP2), 1, 5, 1, 2, IDX_FAN1));
	ck_assert(IS(NEXT(v, 1, 5, 1, 2, IDX_FAN1), 1, 5, 1, 2, IDX_TEMP1));
	ck_assert(IS(NEXT(v, 1, 5, 1, 2, IDX_TEMP1), 1, 5, 1, 2, IDX_IN0));
	ck_assert(IS(NEXT(v, 1, 5, 1, 2, IDX_IN0), 1, 5, 1, 3, IDX_TEMP2));
	snmpv_free(v);
}
END_TEST

START_TEST(test_next_edges)
{
	struct snmpv_view *v = build_set("red", "trend-sensors.json", 0);
	const uint32_t before[] = {1, 3, 6}, other[] = {1, 3, 6, 1, 4, 1, 32472, 9, 9};
	const uint32_t after[] = {1, 3, 6, 1, 4, 1, 32474}, high[] = {2};
	uint32_t deep[40];

	/* the root, an OID before it and a prefix of it: the first instance */
	ck_assert(IS(snmpv_next(v, NULL, 0), 1, 1, 1, 0));
	ck_assert(IS(snmpv_next(v, root, ROOT_LEN), 1, 1, 1, 0));
	ck_assert(IS(snmpv_next(v, before, 3), 1, 1, 1, 0));
	ck_assert(IS(snmpv_next(v, other, 9), 1, 1, 1, 0));
	ck_assert(IS(NEXT(v, 0), 1, 1, 1, 0)); /* hwhNotifications: nothing served */
	ck_assert(IS(NEXT(v, 1), 1, 1, 1, 0));
	/* a scalar without .0, an instance, an OID longer than an instance */
	ck_assert(IS(NEXT(v, 1, 1, 1), 1, 1, 1, 0));
	ck_assert(IS(NEXT(v, 1, 1, 1, 0), 1, 1, 2, 0));
	ck_assert(IS(NEXT(v, 1, 1, 1, 0, 5), 1, 1, 2, 0));
	ck_assert(IS(NEXT(v, 1, 1, 4, 0), 1, 2, 1, 0));
	/* a column without an instance suffix: its first row */
	ck_assert(IS(NEXT(v, 1, 5, 1, 10), 1, 5, 1, 10, IDX_FAN1)); /* temp2 has no value */
	ck_assert(IS(NEXT(v, 1, 5), 1, 5, 1, 2, IDX_TEMP2));
	ck_assert(IS(NEXT(v, 1, 5, 1, 1), 1, 5, 1, 2, IDX_TEMP2)); /* the index column */
	/* an index that does not exist, between two rows and in a sparse column */
	ck_assert(IS(NEXT(v, 1, 5, 1, 10, IDX_FAN1 + 1), 1, 5, 1, 10, IDX_TEMP1));
	ck_assert(IS(NEXT(v, 1, 5, 1, 10, IDX_TEMP2), 1, 5, 1, 10, IDX_FAN1));
	ck_assert(IS(NEXT(v, 1, 5, 1, 16, 0), 1, 5, 1, 16, IDX_TEMP1));
	/* past a column's last row: the next column's first */
	ck_assert(IS(NEXT(v, 1, 5, 1, 10, 4294967295u), 1, 5, 1, 11, IDX_TEMP2));
	ck_assert(IS(NEXT(v, 1, 5, 1, 21, 4294967295u), 1, 6, 1, 2, IDX_HOT));
	ck_assert(IS(NEXT(v, 1, 5, 1, 4294967295u), 1, 6, 1, 2, IDX_HOT));
	/* the last instance and everything after it */
	ck_assert(IS(NEXT(v, 1, 7, 1, 10, 3), 1, 7, 1, 10, 4));
	ck_assert_ptr_null(NEXT(v, 1, 7, 1, 10, 4));
	ck_assert_ptr_null(NEXT(v, 1, 7, 1, 11));
	ck_assert_ptr_null(NEXT(v, 1, 8));
	ck_assert_ptr_null(NEXT(v, 2));
	ck_assert_ptr_null(snmpv_next(v, after, 7));
	ck_assert_ptr_null(snmpv_next(v, high, 1));
	/* an OID longer than SNMPV_OID_MAX */
	for (size_t i = 0; i < 40; i++)
		deep[i] = i < ROOT_LEN ? root[i] : 1;
	ck_assert(IS(snmpv_next(v, deep, 40), 1, 1, 2, 0));
	ck_assert_ptr_null(snmpv_get(v, deep, 40));
	snmpv_free(v);
}
END_TEST

START_TEST(test_get_edges)
{
	struct snmpv_view *v = build_set("red", NULL, 0);

	ck_assert_ptr_nonnull(GET(v, 1, 1, 1, 0));
	ck_assert_ptr_null(snmpv_get(v, root, ROOT_LEN));
	ck_assert_ptr_null(snmpv_get(v, NULL, 0));
	ck_assert_ptr_null(GET(v, 1, 1, 1));	   /* the object, not its instance */
	ck_assert_ptr_null(GET(v, 1, 1, 1, 0, 0)); /* longer */
	ck_assert_ptr_null(GET(v, 1, 1, 1, 1));	   /* a scalar's instance is .0 */
	ck_assert_ptr_null(GET(v, 1, 5, 1, 10));
	ck_assert_ptr_null(GET(v, 1, 5, 1, 10, IDX_FAN1 + 1));
	ck_assert_ptr_null(GET(v, 1, 5, 1, 22, IDX_FAN1));
	ck_assert_ptr_null(GET(v, 1, 9, 0));
	snmpv_free(v);
}
END_TEST

/* An empty view: next of anything is NULL. */
START_TEST(test_empty_sensors)
{
	struct snmpv_view *v = build(NULL, OK_REPLY("{\"metrics\":[]}"), OK_REPLY("{}"),
				     OK_REPLY("{\"actions\":null}"), 0);

	ck_assert_uint_eq(snmpv_count(v), 1);
	ck_assert_ptr_null(NEXT(v, 1, 3, 3, 0));
	ck_assert_uint_eq(snmpv_lookup(v, SNMPV_TABLE_METRIC, "x"), 0);
	snmpv_free(v);
}
END_TEST

Suite *snmp_view_suite(void)
{
	Suite *s = suite_create("snmp_view");
	TCase *tc = tcase_create("conventions");

	tcase_add_loop_test(tc, test_hash_vectors, 0, sizeof vectors / sizeof vectors[0]);
	tcase_add_test(tc, test_index_after);
	tcase_add_test(tc, test_assign_probe);
	tcase_add_loop_test(tc, test_collision, 0, 2);
	tcase_add_loop_test(tc, test_scale, 0, sizeof scales / sizeof scales[0]);
	tcase_add_test(tc, test_hundredths_seconds);
	tcase_add_loop_test(tc, test_date, 0, sizeof dates / sizeof dates[0]);
	tcase_add_loop_test(tc, test_cut, 0, sizeof cuts / sizeof cuts[0]);
	tcase_add_loop_test(tc, test_enum_words, 0, sizeof enums / sizeof enums[0]);
	tcase_add_test(tc, test_precision);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixtures");
	tcase_add_test(tc, test_indexes_are_hashes);
	tcase_add_test(tc, test_red_scalars);
	tcase_add_test(tc, test_red_sources);
	tcase_add_test(tc, test_red_metrics_trend);
	tcase_add_test(tc, test_metrics_without_trend);
	tcase_add_test(tc, test_red_findings);
	tcase_add_test(tc, test_actions);
	tcase_add_test(tc, test_failed_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("replies");
	tcase_add_loop_test(tc, test_kinds, 0, sizeof kinds / sizeof kinds[0]);
	tcase_add_test(tc, test_limits_slope_scaled);
	tcase_add_test(tc, test_absent);
	tcase_add_test(tc, test_null_replies);
	tcase_add_test(tc, test_string_cuts);
	tcase_add_test(tc, test_root);
	tcase_add_loop_test(tc, test_bad_replies, 0, sizeof bad / sizeof bad[0]);
	tcase_add_test(tc, test_action_repeated);
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_test(tc, test_walk_sorted);
	tcase_add_test(tc, test_next_edges);
	tcase_add_test(tc, test_get_edges);
	tcase_add_test(tc, test_empty_sensors);
	suite_add_tcase(s, tc);
	return s;
}
