/*
 * snmp_view.h: HWHEALTH-MIB (mibs/HWHEALTH-MIB.txt) as a sorted list of
 * instances, built from the daemon's JSON replies (docs/PROTOCOL.md:
 * status, sensors, explain, actions).  Pure C over json-c, no net-snmp:
 * the snmp plugin (plugins/snmp.c) answers GET and GETNEXT from a view and
 * rebuilds it when it is older than its refresh time.
 *
 * What each object is made of, and the decisions behind it (absent values
 * have no instance, scaling, DateAndTime, index hashing), are in the MIB's
 * DESCRIPTIONs; the conversions themselves are in snmp_view_conv.c, the
 * tables of columns in snmp_view.c.
 *
 * To add an object: a row in the column table of its group in
 * snmp_view.c (and the MIB, and its test in tests/unit/check_snmp_view.c).
 */
#ifndef HWH_SNMP_VIEW_H
#define HWH_SNMP_VIEW_H

#include <stddef.h>
#include <stdint.h>

/* The .so exports hwh_plugin alone: these stay inside it. */
#define SNMPV_HIDDEN __attribute__((visibility("hidden")))

#define SNMPV_OID_MAX 32
#define SNMPV_INTEGER 0x02 /* BER tags, equal to net-snmp's ASN_* */
#define SNMPV_OCTETS 0x04
#define SNMPV_COUNTER32 0x41
#define SNMPV_GAUGE32 0x42 /* also Unsigned32 */

/* The module's default root: enterprises.32473 (IANA's documentation PEN,
 * a placeholder: mibs/README). */
#define SNMPV_ROOT_DEFAULT                                                                         \
	{                                                                                          \
		1, 3, 6, 1, 4, 1, 32473                                                            \
	}
#define SNMPV_ROOT_DEFAULT_LEN 7

/* The tables, by their sub-identifier under hwhObjects (root.1.T). */
#define SNMPV_TABLE_SOURCE 4
#define SNMPV_TABLE_METRIC 5
#define SNMPV_TABLE_FINDING 6
#define SNMPV_TABLE_ACTION 7

struct snmpv_var {
	uint32_t oid[SNMPV_OID_MAX];
	size_t oidlen;
	uint8_t type;
	int64_t num;	 /* INTEGER, Gauge32/Unsigned32, Counter32 */
	const char *str; /* OCTET STRING bytes (owned by the view), len below; a NUL
			    follows them (not counted), but DateAndTime may hold NULs */
	size_t len;
};

struct snmpv_input {
	const char *status;	     /* the daemon's JSON reply to {"cmd":"status"}   (or NULL) */
	const char *sensors;	     /* ... {"cmd":"sensors"}  (NULL: metric table empty) */
	const char *explain;	     /* ... {"cmd":"explain"}  (NULL: finding table empty) */
	const char *actions;	     /* ... {"cmd":"actions"}  (NULL: action table empty) */
	uint32_t notifications_lost; /* the subagent's counter, hwhNotificationsLost.0 */
};

struct snmpv_view;

/*
 * Parse the replies and build every instance under root (the module's OID,
 * default 1.3.6.1.4.1.32473), sorted.  Each reply is the whole answer,
 * {"ok":true,"result":{...}}.  Returns 0 with *out set, or -1 with err
 * (bad JSON, a reply with ok:false, a result of the wrong shape, a row
 * without its key, root longer than SNMPV_OID_MAX - 5, out of memory) and
 * *out untouched.  A reply that is NULL leaves its objects out (status:
 * the node, policy and daemon scalars but hwhNotificationsLost).
 */
SNMPV_HIDDEN int snmpv_build(const struct snmpv_input *in, const uint32_t *root, size_t rootlen,
			     struct snmpv_view **out, char *err, size_t errlen);
/* The instance named oid exactly, or NULL (noSuchObject / noSuchInstance). */
SNMPV_HIDDEN const struct snmpv_var *snmpv_get(const struct snmpv_view *v, const uint32_t *oid,
					       size_t len);
/* The first instance strictly after oid in lexicographic OID order, or NULL
 * (endOfMibView).  oid may be of any length, 0 included, and need not name
 * anything. */
SNMPV_HIDDEN const struct snmpv_var *snmpv_next(const struct snmpv_view *v, const uint32_t *oid,
						size_t len);
/* How many instances the view holds. */
SNMPV_HIDDEN size_t snmpv_count(const struct snmpv_view *v);
/* The i-th instance in OID order (i < snmpv_count()), or NULL. */
SNMPV_HIDDEN const struct snmpv_var *snmpv_at(const struct snmpv_view *v, size_t i);
/* NULL is ignored. */
SNMPV_HIDDEN void snmpv_free(struct snmpv_view *v);

/* FNV-1a 32 of key's octets, low 31 bits, 0 -> 1: a row's natural index. */
SNMPV_HIDDEN uint32_t snmpv_index(const char *key);

/*
 * The index the view gave a row of table (SNMPV_TABLE_*), found by its key:
 * a source's name, a metric's id, a finding's "RULE TARGET", an action's
 * id in decimal.  0 when the view has no such row.
 */
SNMPV_HIDDEN uint32_t snmpv_lookup(const struct snmpv_view *v, unsigned table, const char *key);

#endif
