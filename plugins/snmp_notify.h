/*
 * snmp_notify.h: what changed since the last look -> HWHEALTH-MIB's
 * notifications.  The snmp plugin polls the daemon (status, explain,
 * actions), hands the replies to snmpn_diff() and sends what comes back;
 * pure C over json-c, no net-snmp (snmp_notify.c says which change makes
 * which notification).
 */
#ifndef HWH_SNMP_NOTIFY_H
#define HWH_SNMP_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "snmp_view.h"

/* Bounds on what a state remembers (the daemon keeps 256 action records). */
#define SNMPN_MAX_RECORDS 1024	 /* action records: the newest by id */
#define SNMPN_MAX_SOURCES 1024	 /* sources: the first in the reply */
#define SNMPN_MAX_FINDINGS 65536 /* findings: the first in the reply */

struct snmpn_notice {
	uint32_t trap[SNMPV_OID_MAX]; /* e.g. root.0.1 hwhNodeStateChange */
	size_t traplen;
	struct snmpv_var vb[8]; /* the NOTIFICATION-TYPE's OBJECTS, with instance
				   suffixes, in the MIB's order; strings owned by
				   the notice.  An object the view has no
				   instance of is left out (nvb counts those
				   present). */
	size_t nvb;
	char what[128]; /* for the log: "node state green -> red" */
};

struct snmpn_state; /* what was seen last */

/*
 * Compare in (status, explain, actions replies; sensors unused) with what
 * was seen last and return the notifications due, oldest first, in *out
 * (*n of them; to snmpn_notices_free(); NULL when none).  The first call
 * (*st == NULL) only records the baseline and returns none; so does the
 * first reply of a kind (status, explain or actions) that was NULL until
 * then.  A reply that is NULL leaves what was seen of it as it was.
 * 0, or -1 with err (then *st is unchanged).
 */
SNMPV_HIDDEN int snmpn_diff(struct snmpn_state **st, const struct snmpv_input *in,
			    const uint32_t *root, size_t rootlen, struct snmpn_notice **out,
			    size_t *n, char *err, size_t errlen);
/* Free n notices and the array (NULL is ignored). */
SNMPV_HIDDEN void snmpn_notices_free(struct snmpn_notice *v, size_t n);
/* NULL is ignored. */
SNMPV_HIDDEN void snmpn_state_free(struct snmpn_state *st);
/* hwhNotificationsDropped with hwhNotificationsLost.0 = lost (no string:
 * nothing to free). */
SNMPV_HIDDEN void snmpn_dropped(const uint32_t *root, size_t rootlen, uint32_t lost,
				struct snmpn_notice *out);

#endif
