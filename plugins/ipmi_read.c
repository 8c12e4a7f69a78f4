/*
 * ipmi_read.c: the ipmi plugin's sensor readings.
 *
 * bmc_read_sensors() asks libipmimonitoring for every sensor of the BMC
 * (one IPMI session per call: the library keeps none) and emits one
 * hwh_reading each, on device "bmc" under the name ipmi_class.c makes:
 *
 *   - a threshold sensor (event/reading type code 0x01) gets its value, its
 *     kind and unit from its IPMI unit (Fahrenheit converted to Celsius),
 *     the HWH_F_* flags of the thresholds it crossed and its six limits;
 *   - any other sensor is discrete: HWH_KIND_STATE with FreeIPMI's verdict
 *     (interpret-file applies) and its state strings as text.
 *
 * libipmimonitoring gives no threshold values, so the limits are read
 * offline, with libfreeipmi, from the SDR cache file libipmimonitoring
 * keeps for this BMC (see BMC_SDR_CACHE_FORMAT): no BMC traffic.  They are
 * parsed once into a table sorted by record id and parsed again only when
 * the file's identity (inode, size, mtime) changes, which happens when the
 * library refetches the SDR.  A threshold is NAN unless the SDR marks it
 * readable.  The SDR's values are the BMC's defaults: a threshold changed
 * at run time (ipmitool sensor thresh) shows only after the SDR changes.
 *
 * To extend: what a reading carries is set in emit_threshold() and
 * emit_discrete(); another reading flag of libipmimonitoring goes in
 * BMC_READING_FLAGS.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <freeipmi/freeipmi.h>
#include <ipmi_monitoring.h>
#include <ipmi_monitoring_bitmasks.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

/*
 * IGNORE_NON_INTERPRETABLE_SENSORS: skip what FreeIPMI cannot make sense of
 * (OEM sensors without a known meaning).  SHARED_SENSORS: one SDR record
 * may stand for several sensors (one per DIMM, say); read each of them.
 * Not ENTITY_SENSOR_NAMES: it prefixes entity names ("System Board 1
 * Inlet Temp"), which would make the names differ from ipmi-sensors' and
 * the BMC's web page; same-named sensors are told apart by record id.
 */
#define BMC_READING_FLAGS                                                                          \
	(IPMI_MONITORING_SENSOR_READING_FLAGS_IGNORE_NON_INTERPRETABLE_SENSORS |                   \
	 IPMI_MONITORING_SENSOR_READING_FLAGS_SHARED_SENSORS)

#define BMC_TEXT_MAX 256 /* bytes of a reading's state text */

/* ---- thresholds from the SDR cache -------------------------------------- */

void bmc_thr_free(struct bmc_thr_table *t)
{
	free(t->v);
	*t = (struct bmc_thr_table){0};
}

static int thr_cmp(const void *a, const void *b)
{
	const struct bmc_thr *x = a, *y = b;

	return (x->rid > y->rid) - (x->rid < y->rid);
}

static const struct bmc_thr *thr_find(const struct bmc_thr_table *t, unsigned rid)
{
	struct bmc_thr key = {.rid = (uint16_t)rid};

	if (t->n == 0 || rid > 0xFFFF)
		return NULL;
	return bsearch(&key, t->v, t->n, sizeof *t->v, thr_cmp);
}

/* The limits of the current SDR record, if it is a full threshold sensor
 * record with thresholds.  1 with *out filled, 0 if it has none. */
static int thr_parse_record(ipmi_sdr_ctx_t s, struct bmc_thr *out)
{
	uint8_t type, erc, access, rd[6];
	uint16_t rid;
	double *v[6] = {NULL};
	/* rd[] and v[] order: lnc, lc, lnr, unc, uc, unr (libfreeipmi's). */
	static const int lim[6] = {HWH_LIM_MIN, HWH_LIM_LCRIT, HWH_LIM_LEMERG,
				   HWH_LIM_MAX, HWH_LIM_CRIT,  HWH_LIM_EMERG};
	int rc = 0;

	if (ipmi_sdr_parse_record_id_and_type(s, NULL, 0, &rid, &type) < 0 ||
	    type != IPMI_SDR_FORMAT_FULL_SENSOR_RECORD ||
	    ipmi_sdr_parse_event_reading_type_code(s, NULL, 0, &erc) < 0 ||
	    erc != IPMI_EVENT_READING_TYPE_CODE_THRESHOLD ||
	    ipmi_sdr_parse_sensor_capabilities(s, NULL, 0, NULL, &access, NULL, NULL, NULL) < 0 ||
	    access == IPMI_SDR_NO_THRESHOLDS_SUPPORT ||
	    ipmi_sdr_parse_threshold_readable(s, NULL, 0, &rd[0], &rd[1], &rd[2], &rd[3], &rd[4],
					      &rd[5]) < 0)
		return 0;
	/* Fails for sensors FreeIPMI cannot convert (non-linear): no limits. */
	if (ipmi_sdr_parse_thresholds(s, NULL, 0, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) < 0)
		return 0;
	out->rid = rid;
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		out->lim[i] = NAN;
	for (int i = 0; i < 6; i++) {
		if (rd[i] && v[i] != NULL && isfinite(*v[i])) {
			out->lim[lim[i]] = *v[i];
			rc = 1;
		}
		free(v[i]);
	}
	return rc;
}

/* Parse every record of the open cache into a new table.  0, or -1 with
 * err set (the old table is kept). */
static int thr_load_records(struct bmc_thr_table *t, ipmi_sdr_ctx_t s, const char *path)
{
	uint16_t count;
	struct bmc_thr *v;
	size_t n = 0;

	if (ipmi_sdr_cache_record_count(s, &count) < 0 || ipmi_sdr_cache_first(s) < 0) {
		snprintf(t->err, sizeof t->err, "SDR cache %s: %s", path, ipmi_sdr_ctx_errormsg(s));
		return -1;
	}
	if ((v = calloc(count ? count : 1, sizeof *v)) == NULL) {
		snprintf(t->err, sizeof t->err, "SDR cache %s: out of memory", path);
		return -1;
	}
	for (unsigned i = 0; i < count; i++) {
		if (thr_parse_record(s, &v[n]))
			n++;
		if (i + 1 < count && ipmi_sdr_cache_next(s) < 0)
			break; /* fewer records than counted: keep what was read */
	}
	qsort(v, n, sizeof *v, thr_cmp);
	free(t->v);
	t->v = v;
	t->n = n;
	return 0;
}

/* Read the cache file at path into t.  0, or -1 with t->err set. */
static int thr_load(struct bmc_thr_table *t, const char *path)
{
	ipmi_sdr_ctx_t s = ipmi_sdr_ctx_create();
	int rc;

	if (s == NULL) {
		snprintf(t->err, sizeof t->err, "SDR cache %s: out of memory", path);
		return -1;
	}
	/* No ipmi ctx: no freshness check against the BMC, no traffic. */
	if (ipmi_sdr_cache_open(s, NULL, path) < 0) {
		snprintf(t->err, sizeof t->err, "SDR cache %s: %s", path, ipmi_sdr_ctx_errormsg(s));
		ipmi_sdr_ctx_destroy(s);
		return -1;
	}
	rc = thr_load_records(t, s, path);
	ipmi_sdr_cache_close(s);
	ipmi_sdr_ctx_destroy(s);
	return rc;
}

static int same_file(const struct bmc_thr_table *t, const struct stat *st)
{
	return t->dev == st->st_dev && t->ino == st->st_ino && t->size == st->st_size &&
	       t->mtime.tv_sec == st->st_mtim.tv_sec && t->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/* Bring the table up to date with the cache file.  0, or -1 with t->err set
 * (limits then come from the last good version, if any). */
static int thr_refresh(struct bmc *b, struct hwh_ctx *ctx)
{
	struct bmc_thr_table *t = &b->thr;
	struct stat st;

	if (stat(b->sdr_path, &st) < 0) {
		snprintf(t->err, sizeof t->err, "SDR cache %s: %s (thresholds unknown)",
			 b->sdr_path, strerror(errno));
		t->failed = 1;
		t->loaded = 0;
		return -1;
	}
	if ((t->loaded || t->failed) && same_file(t, &st))
		return t->failed ? -1 : 0;
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	t->size = st.st_size;
	t->mtime = st.st_mtim;
	if (thr_load(t, b->sdr_path) < 0) {
		t->failed = 1;
		t->loaded = 0;
		return -1;
	}
	t->failed = 0;
	t->loaded = 1;
	hwh_log(ctx, HWH_LOG_DEBUG, "thresholds of %zu sensors read from %s", t->n, b->sdr_path);
	return 0;
}

/* ---- one reading -------------------------------------------------------- */

/* The numeric reading of the current sensor.  0, or -1 if it has none. */
static int reading_value(ipmi_monitoring_ctx_t m, double *v)
{
	const void *p = ipmi_monitoring_sensor_read_sensor_reading(m);

	if (p == NULL)
		return -1;
	switch (ipmi_monitoring_sensor_read_sensor_reading_type(m)) {
	case IPMI_MONITORING_SENSOR_READING_TYPE_DOUBLE:
		*v = *(const double *)p;
		break;
	case IPMI_MONITORING_SENSOR_READING_TYPE_UNSIGNED_INTEGER32:
		*v = *(const uint32_t *)p;
		break;
	case IPMI_MONITORING_SENSOR_READING_TYPE_UNSIGNED_INTEGER8_BOOL:
		*v = *(const uint8_t *)p;
		break;
	default:
		return -1;
	}
	return isfinite(*v) ? 0 : -1;
}

static double f_to_c(double f)
{
	return (f - 32.0) * 5.0 / 9.0;
}

static void emit_threshold(struct bmc *b, struct hwh_ctx *ctx, struct hwh_reading *r, unsigned rid)
{
	ipmi_monitoring_ctx_t m = b->mon;
	int units = ipmi_monitoring_sensor_read_sensor_units(m);
	const struct bmc_thr *thr = thr_find(&b->thr, rid);
	double v;

	r->kind = bmc_units_kind(units, &r->unit);
	if (thr != NULL)
		memcpy(r->limit, thr->lim, sizeof r->limit);
	if (reading_value(m, &v) == 0) {
		r->value = v;
	} else {
		r->status = HWH_R_UNREADABLE;
		r->error = "no reading (sensor unavailable, or not scanned by the BMC)";
	}
	if (units == IPMI_MONITORING_SENSOR_UNITS_FAHRENHEIT) {
		r->value = f_to_c(r->value);
		for (int i = 0; i < HWH_LIM_COUNT; i++)
			r->limit[i] = f_to_c(r->limit[i]);
	}
	if (ipmi_monitoring_sensor_read_sensor_bitmask_type(m) ==
	    IPMI_MONITORING_SENSOR_BITMASK_TYPE_THRESHOLD)
		r->flags =
		    bmc_threshold_flags((unsigned)ipmi_monitoring_sensor_read_sensor_bitmask(m));
	if (hwh_emit(ctx, r) < 0)
		b->emit_failed++;
}

static void emit_discrete(struct bmc *b, struct hwh_ctx *ctx, struct hwh_reading *r)
{
	double v = bmc_state_value(ipmi_monitoring_sensor_read_sensor_state(b->mon));

	r->kind = HWH_KIND_STATE;
	r->unit = NULL;
	if (v >= 0) {
		r->value = v;
	} else {
		r->status = HWH_R_UNREADABLE;
		r->error = "state not interpretable";
	}
	if (hwh_emit(ctx, r) < 0)
		b->emit_failed++;
}

/* Emit the sensor the iterator is on.  0, or -ENOMEM (name table). */
static int emit_current(struct bmc *b, struct hwh_ctx *ctx)
{
	ipmi_monitoring_ctx_t m = b->mon;
	int rid = ipmi_monitoring_sensor_read_record_id(m);
	int num = ipmi_monitoring_sensor_read_sensor_number(m);
	const char *label = ipmi_monitoring_sensor_read_sensor_name(m);
	char text[BMC_TEXT_MAX];
	struct hwh_reading r;

	if (rid < 0 || num < 0)
		return 0; /* the library lost track of it: nothing to name it by */
	hwh_reading_init(&r);
	r.device = "bmc";
	r.label = label != NULL && label[0] != '\0' ? label : NULL;
	if ((r.name = bmc_names_get(&b->names, (unsigned)rid, (unsigned)num, label)) == NULL)
		return -ENOMEM;
	r.text = bmc_join_strings(ipmi_monitoring_sensor_read_sensor_bitmask_strings(m), text,
				  sizeof text);
	if (r.text[0] == '\0')
		r.text = NULL;
	if (ipmi_monitoring_sensor_read_event_reading_type_code(m) ==
	    IPMI_EVENT_READING_TYPE_CODE_THRESHOLD)
		emit_threshold(b, ctx, &r, (unsigned)rid);
	else
		emit_discrete(b, ctx, &r);
	return 0;
}

/* ---- the poll ----------------------------------------------------------- */

/* Walk the readings of the last call.  0, or -ENOMEM with hwh_error(). */
static int emit_all(struct bmc *b, struct hwh_ctx *ctx, int count)
{
	size_t failed = b->emit_failed;

	b->emit_failed = 0;
	for (int i = 0; i < count; i++) {
		if (i > 0 && ipmi_monitoring_sensor_iterator_next(b->mon) <= 0)
			break;
		if (emit_current(b, ctx) < 0) {
			hwh_error(ctx, "sensor readings: out of memory naming the sensors");
			return -ENOMEM;
		}
	}
	bmc_names_sweep(&b->names);
	if (b->emit_failed > 0 && b->emit_failed != failed)
		hwh_log(ctx, HWH_LOG_WARNING, "the core refused %zu readings", b->emit_failed);
	return 0;
}

int bmc_read_sensors(struct bmc *b, struct hwh_ctx *ctx)
{
	unsigned flags = BMC_READING_FLAGS;
	int n, rc;

	if (b->reread_sdr)
		flags |= IPMI_MONITORING_SENSOR_READING_FLAGS_REREAD_SDR_CACHE;
	n = ipmi_monitoring_sensor_readings_by_record_id(b->mon, b->o.host, &b->cfg, flags, NULL, 0,
							 NULL, NULL);
	if (n < 0)
		return bmc_fail_monitoring(b, ctx, b->mon, "sensor readings");
	b->reread_sdr = 0;
	/* The call has just (re)written the cache file if the SDR changed. */
	rc = thr_refresh(b, ctx);
	if (emit_all(b, ctx, n) < 0) {
		ipmi_monitoring_sensor_iterator_destroy(b->mon);
		return -ENOMEM;
	}
	ipmi_monitoring_sensor_iterator_destroy(b->mon); /* frees the readings now */
	return rc < 0 ? 1 : 0;
}
