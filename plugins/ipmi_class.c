/*
 * ipmi_class.c: the ipmi plugin's pure mappings, from what FreeIPMI says
 * to what hwhealth names and counts.
 *
 *   - sensor name -> metric name: bmc_name_sanitize() and the per-BMC name
 *     table (bmc_names_*), which keeps a name stable from poll to poll and
 *     tells sensors with the same name apart by their SDR record id;
 *   - SEL record -> event type ("sel-ecc-corrected", "sel-fan-critical",
 *     "sel-cpu-thermal-trip-cleared"), severity and wall-clock time, and the
 *     SEL read position kept in the daemon's state;
 *   - threshold sensor units -> kind, threshold event bits -> HWH_F_* flags,
 *     discrete sensor state -> HWH_STATE_*;
 *   - library error numbers -> the poll's errno, and the connection
 *     settings as words for messages (bmc_describe).
 *
 * Nothing here calls libipmimonitoring or libfreeipmi (their headers give
 * constants only) and nothing does I/O: the unit tests (check_ipmi.c) and
 * the fuzz target link this file alone.
 *
 * To extend: a new SEL class is a row in sel_rows[] (sensor-specific
 * offsets) or a case in threshold_prefix(); a new unit is a row in
 * unit_kinds[]; a library error that should make the source "unavailable"
 * rather than "failed" goes in bmc_errno_monitoring() /
 * bmc_errno_freeipmi().
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <freeipmi/api/ipmi-api.h>
#include <ipmi_monitoring.h>
#include <ipmi_monitoring_bitmasks.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

#define BMC_ERC_THRESHOLD 0x01	     /* event/reading type code: threshold */
#define BMC_ERC_SENSOR_SPECIFIC 0x6F /* event/reading type code: sensor-specific */
#define BMC_SEL_WALL_MIN 0x20000000u /* lower SEL timestamps are since init */
#define BMC_SEL_ID_MAX 0xFFFFu	     /* SEL record ids are 16 bits */

/* ---- metric names ------------------------------------------------------- */

size_t bmc_name_sanitize(const char *label, char *out, size_t len)
{
	size_t n = 0, max = len > 0 ? len - 1 : 0;
	int gap = 0;

	if (max > BMC_NAME_BASE_MAX)
		max = BMC_NAME_BASE_MAX;
	for (const char *p = label ? label : ""; *p != '\0' && n < max; p++) {
		char c = *p;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (gap && n > 0) {
				if (n + 2 > max)
					break; /* no room for '_' and c: end here */
				out[n++] = '_';
			}
			gap = 0;
			out[n++] = c;
		} else {
			gap = 1;
		}
	}
	if (len > 0)
		out[n] = '\0';
	return n;
}

static uint32_t name_key(unsigned record_id, unsigned sensor_number)
{
	return (uint32_t)(record_id & 0xFFFFu) << 8 | (sensor_number & 0xFFu);
}

/* Index of key in t (sorted), or where it would go with *found = 0. */
static size_t names_pos(const struct bmc_names *t, uint32_t key, int *found)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < t->n && t->v[lo].key == key;
	return lo;
}

/* Is name used by an entry other than skip? */
static int name_taken(const struct bmc_names *t, const char *name, const struct bmc_name *skip)
{
	for (size_t i = 0; i < t->n; i++)
		if (&t->v[i] != skip && strcmp(t->v[i].name, name) == 0)
			return 1;
	return 0;
}

/* Make the metric name of e (record_id, sensor_number, label). */
static void name_make(const struct bmc_names *t, struct bmc_name *e, unsigned record_id,
		      unsigned sensor_number, const char *label)
{
	char base[BMC_NAME_BASE_MAX + 1];
	uint16_t rid = (uint16_t)record_id; /* 16 and 8 bits: the suffixes fit */
	uint8_t num = (uint8_t)sensor_number;

	if (bmc_name_sanitize(label, base, sizeof base) == 0)
		snprintf(base, sizeof base, "sensor%u", (unsigned)rid);
	snprintf(e->name, sizeof e->name, "%s", base);
	if (!name_taken(t, e->name, e))
		return;
	snprintf(e->name, sizeof e->name, "%s_%u", base, (unsigned)rid);
	if (!name_taken(t, e->name, e))
		return;
	/* Shared sensors: one SDR record, several sensor numbers. */
	snprintf(e->name, sizeof e->name, "%s_%u_%u", base, (unsigned)rid, (unsigned)num);
}

const char *bmc_names_get(struct bmc_names *t, unsigned record_id, unsigned sensor_number,
			  const char *label)
{
	uint32_t key = name_key(record_id, sensor_number);
	const char *lab = label ? label : "";
	struct bmc_name *e;
	char *copy;
	int found;
	size_t i = names_pos(t, key, &found);

	if (found && strcmp(t->v[i].label, lab) == 0) {
		t->v[i].gen = t->gen;
		return t->v[i].name;
	}
	if ((copy = strdup(lab)) == NULL)
		return NULL;
	if (!found) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? 2 * t->cap : 32;
			struct bmc_name *v = realloc(t->v, cap * sizeof *v);

			if (v == NULL) {
				free(copy);
				return NULL;
			}
			t->v = v;
			t->cap = cap;
		}
		memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof *t->v);
		t->n++;
		t->v[i] = (struct bmc_name){.key = key};
	}
	e = &t->v[i];
	free(e->label); /* renamed in the SDR: make its name again */
	e->label = copy;
	e->gen = t->gen;
	e->name[0] = '\0';
	name_make(t, e, record_id, sensor_number, lab);
	return e->name;
}

void bmc_names_sweep(struct bmc_names *t)
{
	size_t keep = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].gen == t->gen)
			t->v[keep++] = t->v[i];
		else
			free(t->v[i].label);
	}
	t->n = keep;
	t->gen++;
}

const char *bmc_names_find(const struct bmc_names *t, unsigned sensor_number, const char *label)
{
	const char *by_label = NULL;

	if (label == NULL)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].label, label) != 0)
			continue;
		if ((t->v[i].key & 0xFFu) == (sensor_number & 0xFFu))
			return t->v[i].name;
		if (by_label == NULL)
			by_label = t->v[i].name;
	}
	return by_label;
}

void bmc_names_free(struct bmc_names *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].label);
	free(t->v);
	*t = (struct bmc_names){0};
}

/* ---- SEL records -------------------------------------------------------- */

#define ANY_OFFSET (-1) /* a row for every offset not listed before it */

/* Sensor-specific classes (event/reading type code 0x6F), by sensor type
 * and event offset (IPMI 2.0 table 42-3).  The first matching row wins. */
static const struct {
	int sensor_type;
	int offset; /* or ANY_OFFSET */
	const char *cls;
} sel_rows[] = {
    {IPMI_MONITORING_SENSOR_TYPE_MEMORY, 0, "ecc-corrected"},
    {IPMI_MONITORING_SENSOR_TYPE_MEMORY, 1, "ecc-uncorrected"},
    {IPMI_MONITORING_SENSOR_TYPE_MEMORY, 5, "ecc-log-limit"},
    {IPMI_MONITORING_SENSOR_TYPE_MEMORY, ANY_OFFSET, "memory"},
    {IPMI_MONITORING_SENSOR_TYPE_PROCESSOR, 0, "cpu-ierr"},
    {IPMI_MONITORING_SENSOR_TYPE_PROCESSOR, 1, "cpu-thermal-trip"},
    {IPMI_MONITORING_SENSOR_TYPE_PROCESSOR, ANY_OFFSET, "cpu"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, 1, "psu-failure"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, 2, "psu-predictive-failure"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, 3, "psu-input-lost"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, 4, "psu-input-lost"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, 5, "psu-input-lost"},
    {IPMI_MONITORING_SENSOR_TYPE_POWER_SUPPLY, ANY_OFFSET, "psu"},
    {IPMI_MONITORING_SENSOR_TYPE_DRIVE_SLOT, 1, "drive-fault"},
    {IPMI_MONITORING_SENSOR_TYPE_DRIVE_SLOT, 2, "drive-predictive-failure"},
    {IPMI_MONITORING_SENSOR_TYPE_DRIVE_SLOT, ANY_OFFSET, "drive"},
    {IPMI_MONITORING_SENSOR_TYPE_EVENT_LOGGING_DISABLED, 2, "log-cleared"},
    {IPMI_MONITORING_SENSOR_TYPE_EVENT_LOGGING_DISABLED, 4, "log-full"},
    {IPMI_MONITORING_SENSOR_TYPE_EVENT_LOGGING_DISABLED, 5, "log-almost-full"},
    {IPMI_MONITORING_SENSOR_TYPE_EVENT_LOGGING_DISABLED, ANY_OFFSET, "log"},
    {IPMI_MONITORING_SENSOR_TYPE_WATCHDOG2, ANY_OFFSET, "watchdog"},
    {IPMI_MONITORING_SENSOR_TYPE_CRITICAL_INTERRUPT, ANY_OFFSET, "critical-interrupt"},
    {IPMI_MONITORING_SENSOR_TYPE_PHYSICAL_SECURITY, ANY_OFFSET, "intrusion"},
};
#define NSEL_ROWS (sizeof sel_rows / sizeof sel_rows[0])

/* Threshold classes: the kind of sensor, then the level crossed. */
static const char *threshold_class(int sensor_type, int offset)
{
	static const char *const temp[] = {"temp-warning", "temp-critical", "temp-non-recoverable"};
	static const char *const volt[] = {"voltage-warning", "voltage-critical",
					   "voltage-non-recoverable"};
	static const char *const curr[] = {"current-warning", "current-critical",
					   "current-non-recoverable"};
	static const char *const fan[] = {"fan-warning", "fan-critical", "fan-non-recoverable"};
	static const char *const other[] = {"threshold-warning", "threshold-critical",
					    "threshold-non-recoverable"};
	/* Offsets 0..11: lower/upper non-critical, critical, non-recoverable,
	 * going low/high; level = 0 non-critical, 1 critical, 2 non-recoverable. */
	static const int level[12] = {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
	const char *const *names;

	if (offset < 0 || offset > 11)
		return "other";
	switch (sensor_type) {
	case IPMI_MONITORING_SENSOR_TYPE_TEMPERATURE:
		names = temp;
		break;
	case IPMI_MONITORING_SENSOR_TYPE_VOLTAGE:
		names = volt;
		break;
	case IPMI_MONITORING_SENSOR_TYPE_CURRENT:
		names = curr;
		break;
	case IPMI_MONITORING_SENSOR_TYPE_FAN:
		names = fan;
		break;
	default:
		names = other;
		break;
	}
	return names[level[offset]];
}

/*
 * Sensor-specific offsets mean what sel_rows[] says only with event/reading
 * type code 0x6F.  With a generic code (0x02..0x0C: severity, redundancy,
 * presence...) the same offset means something else, so such a record gets
 * its sensor type's general class ("memory", "psu"...), never a specific
 * one like "ecc-corrected".
 */
const char *bmc_sel_class(int sensor_type, int event_type_code, int offset)
{
	if (event_type_code == BMC_ERC_THRESHOLD)
		return threshold_class(sensor_type, offset);
	for (size_t i = 0; i < NSEL_ROWS; i++) {
		if (sel_rows[i].sensor_type != sensor_type)
			continue;
		if (sel_rows[i].offset == ANY_OFFSET ||
		    (event_type_code == BMC_ERC_SENSOR_SPECIFIC && sel_rows[i].offset == offset))
			return sel_rows[i].cls;
	}
	return "other";
}

const char *bmc_sel_type(char *buf, size_t len, int sensor_type, int event_type_code, int offset,
			 int deasserted)
{
	snprintf(buf, len, "sel-%s%s", bmc_sel_class(sensor_type, event_type_code, offset),
		 deasserted ? "-cleared" : "");
	return buf;
}

enum hwh_severity bmc_sel_severity(int state)
{
	switch (state) {
	case IPMI_MONITORING_STATE_WARNING:
		return HWH_SEV_WARNING;
	case IPMI_MONITORING_STATE_CRITICAL:
		return HWH_SEV_CRITICAL;
	case IPMI_MONITORING_STATE_NOMINAL:
	default:
		return HWH_SEV_INFO;
	}
}

int64_t bmc_sel_time_ms(unsigned ts)
{
	return ts >= BMC_SEL_WALL_MIN ? (int64_t)ts * 1000 : 0;
}

int bmc_sel_pos_parse(const char *s, struct bmc_sel_pos *p)
{
	unsigned long id, ts;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	id = strtoul(s, &end, 10);
	if (errno != 0 || *end != ' ' || id > BMC_SEL_ID_MAX || end[1] < '0' || end[1] > '9')
		return -1;
	ts = strtoul(end + 1, &end, 10);
	if (errno != 0 || *end != '\0' || ts > 0xFFFFFFFFul)
		return -1;
	p->id = (unsigned)id;
	p->ts = (unsigned)ts;
	return 0;
}

const char *bmc_sel_pos_format(const struct bmc_sel_pos *p, char *buf, size_t len)
{
	snprintf(buf, len, "%u %u", p->id, p->ts);
	return buf;
}

/* ---- sensor readings ---------------------------------------------------- */

static const struct {
	int units;
	enum hwh_kind kind;
	const char *unit;
} unit_kinds[] = {
    {IPMI_MONITORING_SENSOR_UNITS_CELSIUS, HWH_KIND_TEMPERATURE, "C"},
    /* Converted to Celsius by the caller (ipmi_read.c). */
    {IPMI_MONITORING_SENSOR_UNITS_FAHRENHEIT, HWH_KIND_TEMPERATURE, "C"},
    {IPMI_MONITORING_SENSOR_UNITS_VOLTS, HWH_KIND_VOLTAGE, "V"},
    {IPMI_MONITORING_SENSOR_UNITS_AMPS, HWH_KIND_CURRENT, "A"},
    {IPMI_MONITORING_SENSOR_UNITS_RPM, HWH_KIND_FAN, "RPM"},
    {IPMI_MONITORING_SENSOR_UNITS_WATTS, HWH_KIND_POWER, "W"},
    {IPMI_MONITORING_SENSOR_UNITS_PERCENT, HWH_KIND_PERCENT, "%"},
};

enum hwh_kind bmc_units_kind(int units, const char **unit)
{
	for (size_t i = 0; i < sizeof unit_kinds / sizeof unit_kinds[0]; i++) {
		if (unit_kinds[i].units == units) {
			*unit = unit_kinds[i].unit;
			return unit_kinds[i].kind;
		}
	}
	*unit = NULL; /* libipmimonitoring names no other unit */
	return HWH_KIND_OTHER;
}

/* The threshold bits' names say "AT_OR_BELOW" for the upper thresholds too;
 * they mean at or above (measured: 42 C over an upper non-critical 40 gives
 * the UPPER_NON_CRITICAL bit). */
unsigned bmc_threshold_flags(unsigned bitmask)
{
#define TB(x) IPMI_MONITORING_SENSOR_BITMASK_THRESHOLD_AT_OR_BELOW_##x##_THRESHOLD
	static const struct {
		unsigned bit, flag;
	} map[] = {
	    {TB(LOWER_NON_CRITICAL), HWH_F_MIN_ALARM},
	    {TB(LOWER_CRITICAL), HWH_F_LCRIT_ALARM},
	    {TB(LOWER_NON_RECOVERABLE), HWH_F_LCRIT_ALARM},
	    {TB(UPPER_NON_CRITICAL), HWH_F_MAX_ALARM},
	    {TB(UPPER_CRITICAL), HWH_F_CRIT_ALARM},
	    {TB(UPPER_NON_RECOVERABLE), HWH_F_EMERG_ALARM},
	};
#undef TB
	unsigned flags = 0;

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (bitmask & map[i].bit)
			flags |= map[i].flag | HWH_F_ALARM;
	return flags;
}

double bmc_state_value(int state)
{
	switch (state) {
	case IPMI_MONITORING_STATE_NOMINAL:
		return HWH_STATE_NOMINAL;
	case IPMI_MONITORING_STATE_WARNING:
		return HWH_STATE_WARNING;
	case IPMI_MONITORING_STATE_CRITICAL:
		return HWH_STATE_CRITICAL;
	default:
		return -1;
	}
}

const char *bmc_join_strings(char *const *strs, char *out, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return out;
	out[0] = '\0';
	for (size_t i = 0; strs != NULL && strs[i] != NULL && n + 1 < len; i++) {
		int w = snprintf(out + n, len - n, "%s%s", i > 0 ? "; " : "", strs[i]);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	return out;
}

/* ---- names for messages ------------------------------------------------- */

const char *bmc_proto_name(enum bmc_proto p)
{
	switch (p) {
	case BMC_LAN:
		return "lan";
	case BMC_LANPLUS:
		return "lanplus";
	case BMC_INBAND:
	default:
		return "in-band";
	}
}

const char *bmc_privilege_name(int privilege)
{
	switch (privilege) {
	case IPMI_MONITORING_PRIVILEGE_LEVEL_USER:
		return "user";
	case IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN:
		return "admin";
	case IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR:
	default:
		return "operator";
	}
}

static const char *authentication_name(int a)
{
	switch (a) {
	case IPMI_MONITORING_AUTHENTICATION_TYPE_NONE:
		return "none";
	case IPMI_MONITORING_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY:
		return "straight";
	case IPMI_MONITORING_AUTHENTICATION_TYPE_MD2:
		return "md2";
	case IPMI_MONITORING_AUTHENTICATION_TYPE_MD5:
	default:
		return "md5";
	}
}

static const char *driver_name(int d)
{
	switch (d) {
	case IPMI_MONITORING_DRIVER_TYPE_KCS:
		return "kcs";
	case IPMI_MONITORING_DRIVER_TYPE_SSIF:
		return "ssif";
	case IPMI_MONITORING_DRIVER_TYPE_OPENIPMI:
		return "openipmi";
	case IPMI_MONITORING_DRIVER_TYPE_SUNBMC:
		return "sunbmc";
	default:
		return "auto";
	}
}

const char *bmc_describe(const struct bmc_opts *o, char *buf, size_t len)
{
	switch (o->proto) {
	case BMC_LANPLUS:
		snprintf(buf, len, "%s, lanplus, cipher suite %d, privilege %s", o->host,
			 o->cipher_suite, bmc_privilege_name(o->privilege));
		break;
	case BMC_LAN:
		snprintf(buf, len, "%s, lan, authentication %s, privilege %s", o->host,
			 authentication_name(o->authentication), bmc_privilege_name(o->privilege));
		break;
	case BMC_INBAND:
	default:
		snprintf(buf, len, "in-band, driver %s%s%s", driver_name(o->driver),
			 o->driver_device ? ", " : "", o->driver_device ? o->driver_device : "");
		break;
	}
	return buf;
}

/* ---- errors ------------------------------------------------------------- */

int bmc_errno_monitoring(int errnum)
{
	switch (errnum) {
	case IPMI_MONITORING_ERR_CONNECTION_TIMEOUT:
	case IPMI_MONITORING_ERR_SESSION_TIMEOUT:
		return -ETIMEDOUT;
	case IPMI_MONITORING_ERR_PERMISSION:
	case IPMI_MONITORING_ERR_USERNAME_INVALID:
	case IPMI_MONITORING_ERR_PASSWORD_INVALID:
	case IPMI_MONITORING_ERR_PASSWORD_VERIFICATION_TIMEOUT:
	case IPMI_MONITORING_ERR_K_G_INVALID:
	case IPMI_MONITORING_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
	case IPMI_MONITORING_ERR_PRIVILEGEL_LEVEL_CANNOT_BE_OBTAINED:
	case IPMI_MONITORING_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
		return -EACCES;
	case IPMI_MONITORING_ERR_IPMI_2_0_UNAVAILABLE:
	case IPMI_MONITORING_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
	case IPMI_MONITORING_ERR_IPMI_ERROR:
		return -EPROTO;
	default:
		return -EIO;
	}
}

int bmc_errno_freeipmi(int errnum)
{
	switch (errnum) {
	case IPMI_ERR_CONNECTION_TIMEOUT:
	case IPMI_ERR_SESSION_TIMEOUT:
	case IPMI_ERR_DRIVER_TIMEOUT:
		return -ETIMEDOUT;
	case IPMI_ERR_PERMISSION:
	case IPMI_ERR_USERNAME_INVALID:
	case IPMI_ERR_PASSWORD_INVALID:
	case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
	case IPMI_ERR_K_G_INVALID:
	case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
	case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
	case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
		return -EACCES;
	case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
	case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
	case IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE:
	case IPMI_ERR_IPMI_ERROR:
		return -EPROTO;
	default:
		return -EIO;
	}
}
