/*
 * snmp_view_internal.h: what the SNMP view's files share and their unit
 * tests see; nothing the snmp plugin's net-snmp side needs.
 *
 *   snmp_view_conv.c  the conversions of the MIB's conventions: index
 *                     hashing and collision probing, scaled values,
 *                     hundredths, DateAndTime, UTF-8 cuts, enum words
 *   snmp_view_json.c  a reply's text -> its checked result; path lookups
 *   snmp_view.c       the replies into a sorted list of instances; GET,
 *                     GETNEXT and row lookups over it
 *   snmp_notify.c     two looks at the daemon -> notifications (its own
 *                     header, snmp_notify.h)
 *
 * To extend: a new enumeration is a word list here (in the daemon's order,
 * so that value = position + 1) and its check in check_snmp_view.c.
 */
#ifndef HWH_SNMP_VIEW_INTERNAL_H
#define HWH_SNMP_VIEW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "snmp_view.h"

#define SNMPV_TEXT_MAX 255	      /* SnmpAdminString: octets */
#define SNMPV_DATE_LEN 11	      /* DateAndTime with direction and offset */
#define SNMPV_SCALED_MAX 2147483647   /* HwhScaledValue: +-; -2^31 is excluded */
#define SNMPV_UNSIGNED_MAX 4294967295 /* Unsigned32, Gauge32 */
#define SNMPV_INDEX_MAX 2147483647    /* hashed indexes: 1..2^31-1 */

/* A word list: the daemon's words in its order; MIB value = position + 1. */
struct snmpv_words {
	const char *const *w;
	size_t n;
};

SNMPV_HIDDEN extern const struct snmpv_words snmpv_node_states;	   /* green .. critical */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_postures;	   /* normal .. fenced */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_source_states;  /* starting .. stale */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_kinds;	   /* other .. state */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_metric_states;  /* ok .. held */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_limits;	   /* lemerg .. emerg */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_finding_kinds;  /* finding error liveness */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_finding_states; /* active clearing */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_severities;	   /* info .. fatal */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_actions;	   /* notify .. fence */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_triggers;	   /* auto manual */
SNMPV_HIDDEN extern const struct snmpv_words snmpv_results;	   /* pending .. cancelled */

/* Values of the enumerations the notifications test. */
enum {
	SNMPV_SRC_STARTING = 1,
	SNMPV_SRC_OK = 2,
	SNMPV_SRC_FAILED = 3,
	SNMPV_SRC_UNAVAILABLE = 4,
	SNMPV_SRC_STALE = 5,
	SNMPV_ACT_DRAIN = 2,
	SNMPV_ACT_FENCE = 4,
	SNMPV_RES_DONE = 3,
	SNMPV_RES_REFUSED = 7,
	SNMPV_LIMIT_NONE = 1, /* HwhLimit none(1); the limits follow from 2 */
};

/* The MIB value of word w (position + 1), or 0 when w is not in the list
 * (or NULL). */
SNMPV_HIDDEN int snmpv_word(const struct snmpv_words *l, const char *w);
/* The precision of a kind (MIB value, 0 for unknown): 3 or 0. */
SNMPV_HIDDEN unsigned snmpv_kind_precision(int kind);

/* real * 10^precision rounded half away from zero, clamped to
 * +-SNMPV_SCALED_MAX.  -1 (no value) when real is NaN. */
SNMPV_HIDDEN int snmpv_scale(double real, unsigned precision, int64_t *out);
/* A score in hundredths, rounded, clamped to 0..SNMPV_UNSIGNED_MAX (NaN: 0). */
SNMPV_HIDDEN int64_t snmpv_hundredths(double score);
/* Seconds as Unsigned32, clamped; rounded (round != 0) or truncated. */
SNMPV_HIDDEN int64_t snmpv_seconds(double s, int round);
/* Wall-clock seconds since the epoch as DateAndTime, UTC, to the tenth of a
 * second: 0, or -1 when t is not finite, before 1970 or past year 65535. */
SNMPV_HIDDEN int snmpv_date(double t, uint8_t out[SNMPV_DATE_LEN]);
/* The length of s[0..len) cut to at most max octets without splitting a
 * UTF-8 character (a malformed run of continuation bytes is cut at max). */
SNMPV_HIDDEN size_t snmpv_cut(const char *s, size_t len, size_t max);

/* FNV-1a 32 of n octets, low 31 bits, 0 -> 1. */
SNMPV_HIDDEN uint32_t snmpv_index_n(const char *key, size_t n);
/* The next index after i in probing order: i + 1, from SNMPV_INDEX_MAX to 1. */
SNMPV_HIDDEN uint32_t snmpv_index_after(uint32_t i);

/* One row to place: its key and natural index (snmpv_index_n of the key). */
struct snmpv_key {
	const char *key;
	size_t len;
	uint32_t hash;
};
/*
 * Give each of n rows its index (MIB hwhMetricIndex): a row keeps its hash
 * when no row with a smaller key (in byte order) has that hash; the others,
 * in byte order of their keys, take the next index (snmpv_index_after)
 * that no row holds.  A key equal to an earlier one gets 0 (a duplicate: its
 * row is left out).  0, or -ENOMEM.
 */
SNMPV_HIDDEN int snmpv_assign(const struct snmpv_key *k, size_t n, uint32_t *index);

/* Lexicographic comparison of two OIDs (a prefix comes first): <0, 0, >0. */
SNMPV_HIDDEN int snmpv_oid_cmp(const uint32_t *a, size_t alen, const uint32_t *b, size_t blen);

/*
 * One reply: JSON text -> its "result" object (a new reference in *result,
 * to json_object_put).  what names the command in err ("status reply: ...").
 * 0, or -1 with err: not JSON, not an object, ok not true (the reply's
 * error quoted), result missing or not an object.
 */
SNMPV_HIDDEN int snmpv_parse_reply(const char *text, const char *what, json_object **result,
				   char *err, size_t errlen);

/* The replies parsed (results; NULL for a reply left out). */
struct snmpv_parsed {
	json_object *status, *sensors, *explain, *actions;
	uint32_t notifications_lost;
};
/* snmpv_parse_reply() of each reply of in; on error none is kept. */
SNMPV_HIDDEN int snmpv_parse_all(const struct snmpv_input *in, struct snmpv_parsed *p, char *err,
				 size_t errlen);
SNMPV_HIDDEN void snmpv_parsed_free(struct snmpv_parsed *p);
/* snmpv_build() from parsed replies. */
SNMPV_HIDDEN int snmpv_build_parsed(const struct snmpv_parsed *p, const uint32_t *root,
				    size_t rootlen, struct snmpv_view **out, char *err,
				    size_t errlen);

/* obj's member at a dotted path ("limits.max"), or NULL (missing or null). */
SNMPV_HIDDEN json_object *snmpv_path(json_object *obj, const char *path);
/* The string at path, or NULL when it is not a string. */
SNMPV_HIDDEN const char *snmpv_path_str(json_object *obj, const char *path);
/* The number (int or double) at path: true with *v, false when none. */
SNMPV_HIDDEN bool snmpv_path_num(json_object *obj, const char *path, double *v);

#endif
