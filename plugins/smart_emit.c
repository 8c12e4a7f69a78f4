/*
 * smart_emit.c: one parsed smartctl document into readings, named as the
 * plugin's contract fixes them (rules/smart.rules, the `hwhealth smart`
 * view and the bench are written against these names; docs/hwhealth.conf.5,
 * SMART PLUGIN, has the table):
 *
 *   every drive   identity, power_mode, smartctl_exit, exit_<bit> for exit
 *                 bits 2..7, health_failed, temperature, power_on_hours
 *   ATA           attrN_value and attrN_raw per attribute, error_log_count,
 *                 selftest_failed
 *   NVMe          critical_warning and its cw_<bit>, available_spare(_threshold),
 *                 spare_below_threshold, percentage_used, media_errors,
 *                 num_err_log_entries, unsafe_shutdowns, selftest_failed
 *   SCSI          grown_defects, read/write/verify_uncorrected
 *
 * A key the document lacks gives no reading: never 0 for "missing" (half
 * the ATA drives have no attribute 187 or 188; a rule must not see one).
 * Raw values can exceed 2^53, which a double cannot hold: the value is
 * what the rules need (smartctl's own decoding of raw.string, so a
 * temperature packed with its min and max reads as the temperature), and
 * the exact 48-bit raw.value goes in the text.
 *
 * Pure: readings go to a callback (hwh_emit in the plugin, a list in the
 * unit tests).  To extend: a new metric is one put_*() call below and a
 * row in the documentation's table.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smart_internal.h"

/* Where readings go. */
struct em {
	const char *id;
	smart_emit_fn fn;
	void *arg;
	unsigned refused;
};

/* ATA attributes whose raw value counts events (sectors, errors,
 * timeouts): the ones rules add up and take deltas of. */
static const unsigned counter_ids[] = {5, 10, 184, 187, 188, 196, 197, 198, 199};

/* Exit-status bits 2..7 as metric names. */
static const char *const exit_names[SMART_EXIT_BITS] = {
    NULL, /* bit 0: the command line; a failed run, never a reading */
    NULL, /* bit 1: open failed; a failed run, never a reading */
    "exit_command_failed",
    "exit_disk_failing",
    "exit_prefail_at_threshold",
    "exit_past_at_threshold",
    "exit_error_log",
    "exit_selftest_log",
};

/* NVMe critical_warning bits 0..5 as metric names (6 and 7 are reserved). */
static const char *const cw_names[] = {
    "cw_spare_below_threshold",		"cw_temperature",
    "cw_reliability_degraded",		"cw_read_only",
    "cw_volatile_memory_backup_failed", "cw_pmr_read_only",
};

static void put(struct em *e, struct hwh_reading *r)
{
	r->device = e->id;
	if (e->fn(e->arg, r) < 0)
		e->refused++;
}

/* A plain reading. */
static void put_v(struct em *e, const char *name, enum hwh_kind kind, const char *unit,
		  double value, const char *label, const char *text)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.name = name;
	r.kind = kind;
	r.unit = unit;
	r.value = value;
	r.label = label != NULL && label[0] != '\0' ? label : NULL;
	r.text = text != NULL && text[0] != '\0' ? text : NULL;
	put(e, &r);
}

/* Append to buf (size len, holding a string) as printf would. */
static void cat(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void cat(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* ---- helpers other files use --------------------------------------------------- */

void smart_format_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1000.0 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", bytes);
	else
		snprintf(buf, len,
			 v >= 100  ? "%.0f %s"
			 : v >= 10 ? "%.1f %s"
				   : "%.2f %s",
			 v, units[u]);
}

bool smart_attr_is_counter(unsigned id)
{
	for (size_t i = 0; i < sizeof counter_ids / sizeof counter_ids[0]; i++)
		if (counter_ids[i] == id)
			return true;
	return false;
}

uint64_t smart_raw_value(const struct smart_attr *a)
{
	const char *s = a->raw_str;
	uint64_t v = 0;
	int base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
		base = 16; /* smartctl's hex48 / hex64 raw formats */
		s += 2;
	}
	if (!isxdigit((unsigned char)s[0]) || (base == 10 && !isdigit((unsigned char)s[0])))
		return a->raw;
	for (; base == 16 ? isxdigit((unsigned char)*s) : isdigit((unsigned char)*s); s++) {
		unsigned d = isdigit((unsigned char)*s)
				 ? (unsigned)(*s - '0')
				 : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);

		if (v > (UINT64_MAX - d) / (unsigned)base)
			return a->raw; /* not a number we can hold: the exact raw field */
		v = v * (unsigned)base + d;
	}
	return v;
}

/* ---- every drive ----------------------------------------------------------------- */

static void put_identity(struct em *e, const struct smart_doc *d, const char *type)
{
	char text[SMART_TEXT_MAX] = "", size[32];
	const char *dtype = type != NULL && type[0] ? type : d->dev_type;

	if (d->model[0])
		cat(text, sizeof text, "%s", d->model);
	if (d->serial[0])
		cat(text, sizeof text, "%sserial %s", text[0] ? ", " : "", d->serial);
	if (d->firmware[0])
		cat(text, sizeof text, "%sfirmware %s", text[0] ? ", " : "", d->firmware);
	if (d->has_capacity) {
		smart_format_bytes(d->capacity_bytes, size, sizeof size);
		cat(text, sizeof text, "%s%s", text[0] ? ", " : "", size);
	}
	cat(text, sizeof text, "%s%s", text[0] ? ", " : "", smart_proto_name(d->proto));
	if (dtype[0])
		cat(text, sizeof text, " (-d %s)", dtype);
	put_v(e, "identity", HWH_KIND_OTHER, "B", d->has_capacity ? (double)d->capacity_bytes : NAN,
	      d->model, text);
}

/* The attributes an exit bit 4 or 5 is about, "5 Reallocated_Sector_Ct
 * value 30 <= thresh 36", appended to text. */
static void cat_threshold_attrs(char *text, size_t len, const struct smart_doc *d,
				enum smart_when when)
{
	const char *sep = ": ";

	for (unsigned i = 0; i < d->nattrs; i++) {
		const struct smart_attr *a = &d->attrs[i];

		if (a->when_failed != when)
			continue;
		cat(text, len, "%s%u %s %s %u <= thresh %u", sep, a->id, a->name,
		    when == SMART_WHEN_NOW ? "value" : "worst",
		    when == SMART_WHEN_NOW ? a->value : a->worst, a->thresh);
		sep = "; ";
	}
}

static void put_exit(struct em *e, const struct smart_doc *d)
{
	char text[SMART_TEXT_MAX];

	smart_exit_describe(d->exit_status, text, sizeof text);
	put_v(e, "smartctl_exit", HWH_KIND_OTHER, NULL, d->exit_status, NULL, text);
	for (unsigned b = 2; b < SMART_EXIT_BITS; b++) {
		snprintf(text, sizeof text, "%s", smart_exit_bit_text(b));
		if (1u << b == SMART_EXIT_PREFAIL_NOW)
			cat_threshold_attrs(text, sizeof text, d, SMART_WHEN_NOW);
		else if (1u << b == SMART_EXIT_THRESH_PAST)
			cat_threshold_attrs(text, sizeof text, d, SMART_WHEN_PAST);
		put_v(e, exit_names[b], HWH_KIND_OTHER, NULL, d->exit_status >> b & 1, NULL, text);
	}
}

static void put_health(struct em *e, const struct smart_doc *d)
{
	struct hwh_reading r;
	bool has_temp = d->has_temperature || d->nvme.has_temperature;
	bool has_poh = d->has_power_on_hours || d->nvme.has_power_on_hours;

	if (d->passed != SMART_TRI_ABSENT)
		put_v(e, "health_failed", HWH_KIND_OTHER, NULL, d->passed == SMART_TRI_FAILED, NULL,
		      d->passed == SMART_TRI_FAILED ? "FAILED" : "PASSED");
	if (has_temp) {
		hwh_reading_init(&r);
		r.name = "temperature";
		r.kind = HWH_KIND_TEMPERATURE;
		r.value = (double)(d->has_temperature ? d->temperature : d->nvme.temperature);
		if (d->has_drive_trip)
			r.limit[HWH_LIM_CRIT] = (double)d->drive_trip;
		put(e, &r);
	}
	if (has_poh)
		put_v(e, "power_on_hours", HWH_KIND_OTHER, "h",
		      (double)(d->has_power_on_hours ? d->power_on_hours : d->nvme.power_on_hours),
		      NULL, NULL);
}

/* ---- ATA --------------------------------------------------------------------------- */

static void put_attr(struct em *e, const struct smart_attr *a)
{
	char name[24], text[SMART_TEXT_MAX];

	snprintf(name, sizeof name, "attr%u_value", a->id);
	snprintf(text, sizeof text, "worst %u, thresh %u, %s%s", a->worst, a->thresh,
		 a->prefail ? "prefail" : "old-age",
		 a->when_failed == SMART_WHEN_NOW    ? ", failed now"
		 : a->when_failed == SMART_WHEN_PAST ? ", failed in the past"
						     : "");
	put_v(e, name, HWH_KIND_OTHER, NULL, a->value, a->name, text);
	snprintf(name, sizeof name, "attr%u_raw", a->id);
	snprintf(text, sizeof text, "raw %" PRIu64, a->raw);
	put_v(e, name, smart_attr_is_counter(a->id) ? HWH_KIND_COUNTER : HWH_KIND_OTHER, NULL,
	      (double)smart_raw_value(a), a->name, text);
}

static void put_selftest(struct em *e, const struct smart_selftest *st)
{
	char text[SMART_TEXT_MAX] = "";

	if (!st->has)
		return;
	if (st->type[0])
		cat(text, sizeof text, "%s: ", st->type);
	cat(text, sizeof text, "%s", st->status[0] ? st->status : "status unknown");
	if (st->has_hours)
		cat(text, sizeof text, " at %" PRIu64 " h", st->hours);
	put_v(e, "selftest_failed", HWH_KIND_OTHER, NULL, st->result == SMART_TRI_FAILED, NULL,
	      text);
}

static void put_ata(struct em *e, const struct smart_doc *d)
{
	for (unsigned i = 0; i < d->nattrs; i++)
		put_attr(e, &d->attrs[i]);
	if (d->has_error_log)
		put_v(e, "error_log_count", HWH_KIND_COUNTER, NULL, (double)d->error_log_count,
		      NULL, NULL);
}

/* ---- NVMe -------------------------------------------------------------------------- */

static void put_nvme(struct em *e, const struct smart_nvme *n)
{
	char text[SMART_TEXT_MAX];

	if (!n->has)
		return;
	smart_nvme_cw_describe(n->critical_warning, text, sizeof text);
	put_v(e, "critical_warning", HWH_KIND_OTHER, NULL, (double)n->critical_warning, NULL, text);
	for (unsigned b = 0; b < sizeof cw_names / sizeof cw_names[0]; b++)
		put_v(e, cw_names[b], HWH_KIND_OTHER, NULL, n->critical_warning >> b & 1, NULL,
		      NULL);
	if (n->has_available_spare) {
		text[0] = '\0';
		if (n->has_available_spare_threshold)
			snprintf(text, sizeof text, "threshold %" PRIu64 " %%",
				 n->available_spare_threshold);
		put_v(e, "available_spare", HWH_KIND_PERCENT, NULL, (double)n->available_spare,
		      NULL, text);
	}
	if (n->has_available_spare_threshold)
		put_v(e, "available_spare_threshold", HWH_KIND_PERCENT, NULL,
		      (double)n->available_spare_threshold, NULL, NULL);
	if (n->has_available_spare && n->has_available_spare_threshold)
		put_v(e, "spare_below_threshold", HWH_KIND_OTHER, NULL,
		      n->available_spare < n->available_spare_threshold, NULL, NULL);
	if (n->has_percentage_used)
		put_v(e, "percentage_used", HWH_KIND_PERCENT, NULL, (double)n->percentage_used,
		      NULL, NULL);
	if (n->has_media_errors)
		put_v(e, "media_errors", HWH_KIND_COUNTER, NULL, (double)n->media_errors, NULL,
		      NULL);
	if (n->has_num_err_log_entries)
		put_v(e, "num_err_log_entries", HWH_KIND_COUNTER, NULL,
		      (double)n->num_err_log_entries, NULL, NULL);
	if (n->has_unsafe_shutdowns)
		put_v(e, "unsafe_shutdowns", HWH_KIND_COUNTER, NULL, (double)n->unsafe_shutdowns,
		      NULL, NULL);
}

/* ---- SCSI -------------------------------------------------------------------------- */

static void put_scsi(struct em *e, const struct smart_doc *d)
{
	static const char *const names[SMART_SCSI_DIRS] = {"read_uncorrected", "write_uncorrected",
							   "verify_uncorrected"};

	if (d->has_grown_defects)
		put_v(e, "grown_defects", HWH_KIND_COUNTER, NULL, (double)d->grown_defects, NULL,
		      NULL);
	for (int i = 0; i < SMART_SCSI_DIRS; i++)
		if (d->has_uncorrected[i])
			put_v(e, names[i], HWH_KIND_COUNTER, NULL, (double)d->uncorrected[i], NULL,
			      NULL);
}

/* ---- the document ------------------------------------------------------------------ */

int smart_emit_power(const char *id, const char *mode, smart_emit_fn fn, void *arg)
{
	struct em e = {id, fn, arg, 0};

	put_v(&e, "power_mode", HWH_KIND_OTHER, NULL, mode == NULL ? 1 : 0, NULL,
	      mode == NULL ? "active" : mode);
	return e.refused > 0 ? -1 : 0;
}

unsigned smart_emit_doc(const struct smart_doc *d, const char *id, const char *type,
			smart_emit_fn fn, void *arg)
{
	struct em e = {id, fn, arg, 0};

	put_identity(&e, d, type);
	if (smart_emit_power(id, NULL, fn, arg) < 0)
		e.refused++;
	put_exit(&e, d);
	put_health(&e, d);
	put_ata(&e, d);
	put_nvme(&e, &d->nvme);
	put_scsi(&e, d);
	put_selftest(&e, &d->selftest);
	return e.refused;
}
