/*
 * snmp_view_conv: the conventions of HWHEALTH-MIB in C, one function each
 * (snmp_view_internal.h): the daemon's enum words -> the MIB's values,
 * each kind's fixed precision, scaled values, scores in hundredths,
 * DateAndTime, UTF-8-safe cuts, and the hashed row indexes with their
 * collision probing.  Pure functions (snmpv_assign allocates scratch
 * space); unit-tested in tests/unit/check_snmp_view.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snmp_view_internal.h"

#define WORDS(...)                                                                                 \
	{                                                                                          \
		(const char *const[]){__VA_ARGS__},                                                \
		    sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)              \
	}

/* In the daemon's order (its kind_name(), act_result_name() and the like):
 * check_snmp_view.c compares them. */
const struct snmpv_words snmpv_node_states = WORDS("green", "yellow", "red", "critical");
const struct snmpv_words snmpv_postures = WORDS("normal", "notified", "drained", "fenced");
const struct snmpv_words snmpv_source_states =
    WORDS("starting", "ok", "failed", "unavailable", "stale");
const struct snmpv_words snmpv_kinds =
    WORDS("other", "temperature", "fan", "voltage", "current", "power", "energy", "humidity",
	  "intrusion", "counter", "percent", "state");
const struct snmpv_words snmpv_metric_states =
    WORDS("ok", "alarm", "fault", "unreadable", "stale", "unavailable", "held");
const struct snmpv_words snmpv_limits = WORDS("lemerg", "lcrit", "min", "max", "crit", "emerg");
const struct snmpv_words snmpv_finding_kinds = WORDS("finding", "error", "liveness");
const struct snmpv_words snmpv_finding_states = WORDS("active", "clearing");
const struct snmpv_words snmpv_severities = WORDS("info", "warning", "critical", "fatal");
const struct snmpv_words snmpv_actions = WORDS("notify", "drain", "undrain", "fence");
const struct snmpv_words snmpv_triggers = WORDS("auto", "manual");
const struct snmpv_words snmpv_results = WORDS("pending", "running", "done", "skipped", "failed",
					       "timeout", "refused", "dry-run", "cancelled");

int snmpv_word(const struct snmpv_words *l, const char *w)
{
	for (size_t i = 0; w != NULL && i < l->n; i++)
		if (strcmp(l->w[i], w) == 0)
			return (int)i + 1;
	return 0;
}

/* hwhMetricPrecision: 0 for fan(3), energy(7), intrusion(9), counter(10),
 * state(12); 3 for the others, and for a kind the MIB does not know. */
unsigned snmpv_kind_precision(int kind)
{
	switch (kind) {
	case 3:
	case 7:
	case 9:
	case 10:
	case 12:
		return 0;
	default:
		return 3;
	}
}

int snmpv_scale(double real, unsigned precision, int64_t *out)
{
	static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
	double x;

	if (isnan(real) || precision >= sizeof pow10 / sizeof pow10[0])
		return -1;
	x = round(real * pow10[precision]);
	if (x > SNMPV_SCALED_MAX)
		x = SNMPV_SCALED_MAX;
	else if (x < -SNMPV_SCALED_MAX)
		x = -SNMPV_SCALED_MAX;
	*out = (int64_t)x;
	return 0;
}

int64_t snmpv_hundredths(double score)
{
	double x = round(score * 100.0);

	if (!(x > 0)) /* NaN too */
		return 0;
	return x >= (double)SNMPV_UNSIGNED_MAX ? SNMPV_UNSIGNED_MAX : (int64_t)x;
}

int64_t snmpv_seconds(double s, int round_it)
{
	double x = round_it ? round(s) : trunc(s);

	if (!(x > 0))
		return 0;
	return x >= (double)SNMPV_UNSIGNED_MAX ? SNMPV_UNSIGNED_MAX : (int64_t)x;
}

int snmpv_date(double t, uint8_t out[SNMPV_DATE_LEN])
{
	/* The daemon writes milliseconds (t = ms / 1e3): 1e-3 of a tenth
	 * absorbs the binary representation of ".1" without moving a real
	 * 0.0999 s into the next tenth. */
	double tenths;
	time_t secs;
	struct tm tm;
	int year;

	if (!isfinite(t) || t < 0 || t > 2.1e12) /* 2.1e12 s: past year 65535 */
		return -1;
	tenths = floor(t * 10.0 + 1e-3);
	secs = (time_t)(tenths / 10.0);
	if (gmtime_r(&secs, &tm) == NULL)
		return -1;
	year = tm.tm_year + 1900;
	if (year > 65535)
		return -1;
	out[0] = (uint8_t)(year >> 8);
	out[1] = (uint8_t)(year & 0xff);
	out[2] = (uint8_t)(tm.tm_mon + 1);
	out[3] = (uint8_t)tm.tm_mday;
	out[4] = (uint8_t)tm.tm_hour;
	out[5] = (uint8_t)tm.tm_min;
	out[6] = (uint8_t)tm.tm_sec;
	out[7] = (uint8_t)(tenths - (double)secs * 10.0);
	out[8] = '+';
	out[9] = 0;
	out[10] = 0;
	return 0;
}

size_t snmpv_cut(const char *s, size_t len, size_t max)
{
	size_t n = max;

	if (len <= max)
		return len;
	/* s[n] is the first octet left out: step back over at most 3
	 * continuation octets to the start of its character. */
	for (int k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80; k++)
		n--;
	return ((unsigned char)s[n] & 0xC0) == 0x80 ? max : n;
}

uint32_t snmpv_index_n(const char *key, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)key[i]) * 16777619u;
	h &= SNMPV_INDEX_MAX;
	return h ? h : 1;
}

uint32_t snmpv_index(const char *key)
{
	return snmpv_index_n(key, strlen(key));
}

uint32_t snmpv_index_after(uint32_t i)
{
	return i >= SNMPV_INDEX_MAX ? 1 : i + 1;
}

int snmpv_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

/* ---- index assignment --------------------------------------------------- */

struct slot {
	uint32_t hash;
	const char *key;
	size_t len;
	size_t pos; /* in the caller's array */
};

static int key_cmp(const struct slot *x, const struct slot *y)
{
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int by_hash_key(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return key_cmp(x, y);
}

static int by_key(const void *a, const void *b)
{
	return key_cmp(a, b);
}

/* Open addressing over the indexes in use (0 = empty: no index is 0). */
struct used {
	uint32_t *v;
	size_t mask;
};

static size_t used_slot(const struct used *u, uint32_t i)
{
	size_t s = (size_t)(i * 2654435761u) & u->mask;

	while (u->v[s] != 0 && u->v[s] != i)
		s = (s + 1) & u->mask;
	return s;
}

static bool used_has(const struct used *u, uint32_t i)
{
	return u->v[used_slot(u, i)] == i;
}

static void used_add(struct used *u, uint32_t i)
{
	u->v[used_slot(u, i)] = i;
}

int snmpv_assign(const struct snmpv_key *k, size_t n, uint32_t *index)
{
	struct slot *s = NULL, *lose = NULL;
	struct used u = {NULL, 0};
	size_t nlose = 0, cap = 16;
	int rc = -ENOMEM;

	if (n == 0)
		return 0;
	while (cap < 2 * n)
		cap *= 2;
	s = malloc(n * sizeof *s);
	lose = malloc(n * sizeof *lose);
	u.v = calloc(cap, sizeof *u.v);
	if (s == NULL || lose == NULL || u.v == NULL)
		goto out;
	u.mask = cap - 1;
	for (size_t i = 0; i < n; i++)
		s[i] = (struct slot){k[i].hash, k[i].key, k[i].len, i};
	qsort(s, n, sizeof *s, by_hash_key);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && s[i].hash == s[i - 1].hash) {
			if (s[i].len == s[i - 1].len &&
			    memcmp(s[i].key, s[i - 1].key, s[i].len) == 0)
				index[s[i].pos] = 0; /* duplicate key */
			else
				lose[nlose++] = s[i];
			continue;
		}
		index[s[i].pos] = s[i].hash;
		used_add(&u, s[i].hash);
	}
	qsort(lose, nlose, sizeof *lose, by_key);
	for (size_t i = 0; i < nlose; i++) {
		uint32_t j = snmpv_index_after(lose[i].hash);

		while (used_has(&u, j))
			j = snmpv_index_after(j);
		index[lose[i].pos] = j;
		used_add(&u, j);
	}
	rc = 0;
out:
	free(s);
	free(lose);
	free(u.v);
	return rc;
}
