/*
 * ipmi_sel.c: the ipmi plugin's System Event Log.
 *
 * Each poll, bmc_sel_poll():
 *
 *   1. asks libipmimonitoring for the last SEL record only (record id
 *      0xFFFF: one short session) and compares it, by id and timestamp,
 *      with the last record reported, kept in the daemon's state under key
 *      "sel" as "<id> <timestamp>" ("0 0": the SEL was empty);
 *   2. when the SEL changed, or sel-info-interval has passed, asks Get SEL
 *      Info over a libfreeipmi session (libipmimonitoring has no such
 *      call) for the number of entries, free space and overflow flag;
 *   3. when the SEL changed, reads it whole and reports the records after
 *      the kept one as events; when the kept one is gone (SEL cleared or
 *      wrapped) it reports them all and logs a notice.  On the first run
 *      ever (nothing kept) records already there are skipped, with a
 *      notice saying how many: they are history, not news;
 *   4. keeps the new position (hwh_state_set) and emits the "sel" metrics.
 *
 * The position is read back from the core each poll rather than trusted
 * from memory: when a poll overruns its timeout the core drops its events
 * and its hwh_state_set(), and the next poll must report them again.  The
 * copy in memory serves only hosts that keep no state.
 *
 * Reading the whole SEL costs one packet per record, so it happens only
 * when the last record changed.  Records are handled in the library's
 * per-record callback, as they arrive, never through its iterator:
 * libipmimonitoring 1.6's ipmi_monitoring_sel_iterator_destroy() empties
 * the sensor list instead of the SEL list (measured: a context reused for
 * the 0xFFFF probe kept answering with the first call's record), so a
 * context accumulates every SEL record it ever read.  The SEL therefore has
 * a context of its own (b->selmon), made again once it holds more than
 * BMC_SEL_HELD_MAX records; that bounds the memory, and the iterator's
 * stale contents are never looked at.  Making a context costs ~11 ms of
 * CPU (parsing the SEL interpretation file), hence not every poll.
 *
 * To extend: what an event carries is set in emit_record(); the event type
 * names are ipmi_class.c's (bmc_sel_type); another SEL metric is one more
 * emit in info_emit().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <freeipmi/freeipmi.h>
#include <ipmi_monitoring.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

#define BMC_SEL_FLAGS 0		/* libipmimonitoring SEL flags */
#define BMC_SEL_LAST_ID 0xFFFFu /* "the last record" for Get SEL Entry */
#define BMC_SEL_ENTRY_BYTES 16	/* every SEL record is 16 bytes */
#define BMC_EVENT_TEXT_MAX 192	/* the core keeps this much of a text */
#define BMC_EVENT_TYPE_MAX 64	/* and of a type */
#define BMC_SEL_HELD_MAX 4096	/* records selmon may hold before it is made again */

/* ---- the kept position -------------------------------------------------- */

/* The position the last finished poll kept: the core's copy, else ours.
 * 1 with *p set, 0 when nothing was ever kept (first run). */
static int pos_get(struct bmc *b, struct hwh_ctx *ctx, struct bmc_sel_pos *p)
{
	char buf[HWH_STATE_VALUE_MAX];

	if (hwh_state_get(ctx, BMC_STATE_SEL, buf, sizeof buf) >= 0) {
		if (bmc_sel_pos_parse(buf, p) == 0)
			return 1;
		if (!b->pos_warned)
			hwh_log(ctx, HWH_LOG_WARNING,
				"kept SEL position '%s' is not '<record id> <timestamp>': ignored",
				buf);
		b->pos_warned = 1;
	}
	if (b->have_pos) {
		*p = b->pos;
		return 1;
	}
	return 0;
}

static void pos_set(struct bmc *b, struct hwh_ctx *ctx, const struct bmc_sel_pos *p)
{
	char buf[32];
	int rc = hwh_state_set(ctx, BMC_STATE_SEL, bmc_sel_pos_format(p, buf, sizeof buf));

	if (rc < 0 && rc != -ENOSYS)
		hwh_log(ctx, HWH_LOG_WARNING, "cannot keep the SEL position %s: %s", buf,
			strerror(-rc));
	b->pos = *p;
	b->have_pos = 1;
}

static int pos_equal(const struct bmc_sel_pos *a, const struct bmc_sel_pos *b)
{
	return a->id == b->id && a->ts == b->ts;
}

/* The position of the record the iterator is on. */
static void pos_current(ipmi_monitoring_ctx_t m, struct bmc_sel_pos *p)
{
	unsigned ts = 0;
	int id = ipmi_monitoring_sel_read_record_id(m);

	if (ipmi_monitoring_sel_read_timestamp(m, &ts) < 0)
		ts = 0; /* a non-timestamped OEM record */
	p->id = id < 0 ? 0 : (unsigned)id;
	p->ts = ts;
}

/* ---- one event ---------------------------------------------------------- */

/* The event's device: the metric name of the sensor it names, else its
 * name made safe, else "sel".  A sensor the SDR does not know gets the name
 * "Sensor #N" from FreeIPMI: that is no sensor either ("SEL Full" records
 * of sensor 0, say), so "sel" too. */
static const char *event_device(struct bmc *b, const char *sensor, int num, char *buf, size_t len)
{
	const char *name = bmc_names_find(&b->names, num < 0 ? 0 : (unsigned)num, sensor);
	char unknown[32];

	if (name != NULL)
		return name;
	snprintf(unknown, sizeof unknown, "Sensor #%d", num);
	if (sensor != NULL && strcmp(sensor, unknown) != 0 &&
	    bmc_name_sanitize(sensor, buf, len) > 0)
		return buf;
	return "sel";
}

/* Report the record m is on (in a callback), at position p. */
static void emit_record(struct bmc *b, struct hwh_ctx *ctx, ipmi_monitoring_ctx_t m,
			const struct bmc_sel_pos *p)
{
	char type[BMC_EVENT_TYPE_MAX], text[BMC_EVENT_TEXT_MAX], dev[BMC_NAME_MAX];
	struct hwh_event e = {.severity = bmc_sel_severity(ipmi_monitoring_sel_read_sel_state(m)),
			      .time_wall_ms = bmc_sel_time_ms(p->ts)};

	if (ipmi_monitoring_sel_read_record_type_class(m) !=
	    IPMI_MONITORING_SEL_RECORD_TYPE_CLASS_SYSTEM_EVENT_RECORD) {
		e.device = "sel";
		e.type = "sel-other";
		snprintf(text, sizeof text, "OEM record (type 0x%02x) [SEL record %u]",
			 (unsigned)ipmi_monitoring_sel_read_record_type(m) & 0xFFu, p->id);
	} else {
		const char *sensor = ipmi_monitoring_sel_read_sensor_name(m);
		const char *what = ipmi_monitoring_sel_read_event_offset_string(m);
		int num = ipmi_monitoring_sel_read_sensor_number(m);
		int offset = ipmi_monitoring_sel_read_event_offset(m);
		int deassert = ipmi_monitoring_sel_read_event_direction(m) ==
			       IPMI_MONITORING_SEL_EVENT_DIRECTION_DEASSERTION;
		char nobody[24];

		if (sensor == NULL || sensor[0] == '\0') {
			snprintf(nobody, sizeof nobody, "sensor #%d", num);
			sensor = NULL;
		}
		e.device = event_device(b, sensor, num, dev, sizeof dev);
		e.type =
		    bmc_sel_type(type, sizeof type, ipmi_monitoring_sel_read_sensor_type(m),
				 ipmi_monitoring_sel_read_event_type_code(m), offset, deassert);
		if (what != NULL && what[0] != '\0')
			snprintf(text, sizeof text, "%s: %s%s [SEL record %u]",
				 sensor ? sensor : nobody, what, deassert ? " (deasserted)" : "",
				 p->id);
		else
			snprintf(text, sizeof text, "%s: event offset %d%s [SEL record %u]",
				 sensor ? sensor : nobody, offset, deassert ? " (deasserted)" : "",
				 p->id);
	}
	e.text = text;
	hwh_event(ctx, &e);
}

/* ---- reading ------------------------------------------------------------ */

/* One pass over the records of one call, in SEL order. */
struct sel_walk {
	struct bmc *b;
	struct hwh_ctx *ctx;
	int report;			  /* report records as events (else just look) */
	const struct bmc_sel_pos *after;  /* report only those after this one; NULL: all */
	int found;			  /* *after was seen */
	int stopped;			  /* the core is stopping us: the rest next time */
	unsigned seen;			  /* records of this call */
	unsigned reported;		  /* of which reported */
	struct bmc_sel_pos last;	  /* the last record seen */
	struct bmc_sel_pos last_reported; /* the last record reported */
};

/* libipmimonitoring calls this for each record as it reads it. */
static int walk_record(ipmi_monitoring_ctx_t m, void *arg)
{
	struct sel_walk *w = arg;
	struct bmc_sel_pos p;

	pos_current(m, &p);
	if (w->report && (w->after == NULL || w->found)) {
		if (hwh_stopping(w->ctx)) {
			w->stopped = 1;
			return -1; /* stops the library's read */
		}
		emit_record(w->b, w->ctx, m, &p);
		w->reported++;
		w->last_reported = p;
	} else if (w->after != NULL && pos_equal(&p, w->after)) {
		w->found = 1;
	}
	w->seen++;
	w->last = p;
	return 0;
}

/* The SEL context, made again when it holds too many stale records.  0, or
 * a negative errno with hwh_error() called. */
static int selmon_get(struct bmc *b, struct hwh_ctx *ctx)
{
	int rc;

	if (b->selmon != NULL && b->selmon_held <= BMC_SEL_HELD_MAX)
		return 0;
	if (b->selmon != NULL)
		ipmi_monitoring_ctx_destroy(b->selmon);
	b->selmon = NULL;
	b->selmon_held = 0;
	if ((rc = bmc_ctx_create(b, ctx, 1, &b->selmon)) < 0)
		return rc;
	return 0;
}

/* Read the records ids[] (NULL: all) through w.  0, or a negative errno
 * with hwh_error() called.  An empty SEL is no record, not an error. */
static int sel_read(struct bmc *b, struct hwh_ctx *ctx, unsigned *ids, unsigned nids,
		    struct sel_walk *w)
{
	int n, rc;

	if ((rc = selmon_get(b, ctx)) < 0)
		return rc;
	n = ipmi_monitoring_sel_by_record_id(b->selmon, b->o.host, &b->cfg, BMC_SEL_FLAGS, ids,
					     nids, walk_record, w);
	ipmi_monitoring_sel_iterator_destroy(b->selmon);
	if (n >= 0) {
		b->selmon_held = (unsigned)n; /* list_count(): what it holds */
		return 0;
	}
	b->selmon_held += w->seen;
	if (w->stopped ||
	    ipmi_monitoring_ctx_errnum(b->selmon) == IPMI_MONITORING_ERR_NO_SEL_RECORDS)
		return 0;
	return bmc_fail_monitoring(b, ctx, b->selmon, "SEL");
}

/* The last record of the SEL.  1 with *last set, 0 for an empty SEL, or a
 * negative errno. */
static int sel_last(struct bmc *b, struct hwh_ctx *ctx, struct bmc_sel_pos *last)
{
	unsigned id = BMC_SEL_LAST_ID;
	struct sel_walk w = {.b = b, .ctx = ctx};
	int rc = sel_read(b, ctx, &id, 1, &w);

	if (rc < 0)
		return rc;
	if (w.seen == 0)
		return 0;
	*last = w.last;
	return 1;
}

/* ---- new records -------------------------------------------------------- */

/* A read that failed part way: what it reported stands, so keep the
 * position after it (the rest comes next time).  Returns rc. */
static int keep_partial(struct bmc *b, struct hwh_ctx *ctx, const struct sel_walk *w, int rc)
{
	if (w->reported > 0)
		pos_set(b, ctx, &w->last_reported);
	return rc;
}

/* Read the SEL and report the records after kept (all of them if kept is
 * "empty SEL").  0, or a negative errno. */
static int report_new(struct bmc *b, struct hwh_ctx *ctx, const struct bmc_sel_pos *kept)
{
	static const struct bmc_sel_pos none = {0, 0};
	struct sel_walk w = {.b = b, .ctx = ctx, .report = 1};
	int rc;

	w.after = pos_equal(kept, &none) ? NULL : kept;
	if ((rc = sel_read(b, ctx, NULL, 0, &w)) < 0)
		return keep_partial(b, ctx, &w, rc);
	if (!w.stopped && w.after != NULL && !w.found && w.seen > 0) {
		/* Nothing was reported: read again, reporting everything. */
		hwh_log(ctx, HWH_LOG_NOTICE,
			"SEL record %u (time %u), the last one reported, is gone: the SEL was "
			"cleared or wrapped; reporting all %u records",
			kept->id, kept->ts, w.seen);
		w = (struct sel_walk){.b = b, .ctx = ctx, .report = 1};
		if ((rc = sel_read(b, ctx, NULL, 0, &w)) < 0)
			return keep_partial(b, ctx, &w, rc);
	}
	if (w.stopped) {
		if (w.reported > 0)
			pos_set(b, ctx, &w.last_reported);
		return 0;
	}
	pos_set(b, ctx, w.seen > 0 ? &w.last : &none);
	if (w.reported > 0)
		hwh_log(ctx, HWH_LOG_DEBUG, "%u new SEL records reported", w.reported);
	return 0;
}

/* ---- SEL info (libfreeipmi) --------------------------------------------- */

static uint8_t freeipmi_privilege(int privilege)
{
	switch (privilege) {
	case IPMI_MONITORING_PRIVILEGE_LEVEL_USER:
		return IPMI_PRIVILEGE_LEVEL_USER;
	case IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN:
		return IPMI_PRIVILEGE_LEVEL_ADMIN;
	default:
		return IPMI_PRIVILEGE_LEVEL_OPERATOR;
	}
}

static uint8_t freeipmi_authentication(int authentication)
{
	switch (authentication) {
	case IPMI_MONITORING_AUTHENTICATION_TYPE_NONE:
		return IPMI_AUTHENTICATION_TYPE_NONE;
	case IPMI_MONITORING_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY:
		return IPMI_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY;
	case IPMI_MONITORING_AUTHENTICATION_TYPE_MD2:
		return IPMI_AUTHENTICATION_TYPE_MD2;
	default:
		return IPMI_AUTHENTICATION_TYPE_MD5;
	}
}

static ipmi_driver_type_t freeipmi_driver(int driver)
{
	switch (driver) {
	case IPMI_MONITORING_DRIVER_TYPE_SSIF:
		return IPMI_DEVICE_SSIF;
	case IPMI_MONITORING_DRIVER_TYPE_OPENIPMI:
		return IPMI_DEVICE_OPENIPMI;
	case IPMI_MONITORING_DRIVER_TYPE_SUNBMC:
		return IPMI_DEVICE_SUNBMC;
	default:
		return IPMI_DEVICE_KCS;
	}
}

/* Open a libfreeipmi session like libipmimonitoring's.  The workaround
 * bits are the same in both libraries.  0, or -1 with why set. */
static int info_open(const struct bmc_opts *o, ipmi_ctx_t c, char *why, size_t len)
{
	const char *pw = o->password_len > 0 ? o->password : NULL;
	int rc;

	switch (o->proto) {
	case BMC_LANPLUS:
		rc = ipmi_ctx_open_outofband_2_0(
		    c, o->host, o->user, pw, o->k_g_len > 0 ? o->k_g : NULL, o->k_g_len,
		    freeipmi_privilege(o->privilege), (uint8_t)o->cipher_suite,
		    o->session_timeout_ms, o->retrans_timeout_ms, o->workarounds,
		    IPMI_FLAGS_DEFAULT);
		break;
	case BMC_LAN:
		rc = ipmi_ctx_open_outofband(
		    c, o->host, o->user, pw, freeipmi_authentication(o->authentication),
		    freeipmi_privilege(o->privilege), o->session_timeout_ms, o->retrans_timeout_ms,
		    o->workarounds, IPMI_FLAGS_DEFAULT);
		break;
	case BMC_INBAND:
	default:
		if (o->driver != BMC_DRIVER_AUTO) {
			rc = ipmi_ctx_open_inband(c, freeipmi_driver(o->driver), 0, 0, 0,
						  o->driver_device, o->workarounds,
						  IPMI_FLAGS_DEFAULT);
			break;
		}
		rc = ipmi_ctx_find_inband(c, NULL, 0, 0, 0, o->driver_device, o->workarounds,
					  IPMI_FLAGS_DEFAULT);
		if (rc == 0) {
			snprintf(why, len, "no in-band IPMI device found");
			return -1;
		}
		rc = rc == 1 ? 0 : -1;
		break;
	}
	if (rc < 0)
		snprintf(why, len, "%s", ipmi_ctx_errormsg(c));
	return rc < 0 ? -1 : 0;
}

/* Read Get SEL Info's fields from rs into b->info.  0 or -1. */
static int info_fields(struct bmc *b, fiid_obj_t rs)
{
	uint64_t entries, free_space, overflow;

	if (fiid_obj_get(rs, "entries", &entries) <= 0 ||
	    fiid_obj_get(rs, "free_space", &free_space) <= 0 ||
	    fiid_obj_get(rs, "overflow_flag", &overflow) <= 0)
		return -1;
	b->info.entries = (unsigned)entries;
	b->info.free_bytes = (unsigned)free_space;
	b->info.overflow = overflow != 0;
	b->info.valid = 1;
	return 0;
}

/* One Get SEL Info over a session of its own.  0, or a negative errno with
 * hwh_error() called. */
static int info_ask(struct bmc *b, struct hwh_ctx *ctx)
{
	ipmi_ctx_t c = ipmi_ctx_create();
	fiid_obj_t rs = NULL;
	char why[160];
	int rc = 0, opened = 0;

	if (c == NULL || (rs = fiid_obj_create(tmpl_cmd_get_sel_info_rs)) == NULL) {
		hwh_error(ctx, "SEL info: out of memory (%s)", b->conn);
		rc = -ENOMEM;
		goto out;
	}
	if (info_open(&b->o, c, why, sizeof why) < 0) {
		hwh_error(ctx, "SEL info: %s (%s)", why, b->conn);
		rc = bmc_errno_freeipmi(ipmi_ctx_errnum(c));
		goto out;
	}
	opened = 1;
	if (ipmi_cmd_get_sel_info(c, rs) < 0) {
		if (ipmi_ctx_errnum(c) == IPMI_ERR_COMMAND_INVALID_OR_UNSUPPORTED) {
			hwh_log(ctx, HWH_LOG_NOTICE,
				"SEL info: the BMC does not support Get SEL Info; SEL fullness "
				"not reported (%s)",
				b->conn);
			b->info.unsupported = 1;
		} else {
			hwh_error(ctx, "SEL info: %s (%s)", ipmi_ctx_errormsg(c), b->conn);
			rc = bmc_errno_freeipmi(ipmi_ctx_errnum(c));
		}
		goto out;
	}
	if (info_fields(b, rs) < 0) {
		hwh_error(ctx, "SEL info: incomplete Get SEL Info answer: %s (%s)",
			  fiid_obj_errormsg(rs), b->conn);
		rc = -EPROTO;
	}
out:
	if (rs != NULL)
		fiid_obj_destroy(rs);
	if (opened)
		ipmi_ctx_close(c);
	if (c != NULL)
		ipmi_ctx_destroy(c);
	return rc;
}

/* Ask Get SEL Info if forced or due.  0, or a negative errno. */
static int info_refresh(struct bmc *b, struct hwh_ctx *ctx, int force)
{
	uint64_t now = pu_mono_ms();
	int rc;

	if (b->info.unsupported || (!force && b->info.valid && now < b->info.next_ms))
		return 0;
	if ((rc = info_ask(b, ctx)) < 0)
		return rc;
	b->info.next_ms = now + b->o.sel_info_interval_ms;
	return 0;
}

static void info_emit_one(struct bmc *b, struct hwh_ctx *ctx, const char *name, const char *label,
			  enum hwh_kind kind, double value, const char *text)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = "sel";
	r.name = name;
	r.label = label;
	r.kind = kind;
	r.value = value;
	r.text = text;
	if (hwh_emit(ctx, &r) < 0)
		b->emit_failed++;
}

/* The "sel" metrics of the last Get SEL Info answer. */
static void info_emit(struct bmc *b, struct hwh_ctx *ctx)
{
	const struct bmc_sel_info *in = &b->info;
	double used = (double)in->entries * BMC_SEL_ENTRY_BYTES;
	double total = used + in->free_bytes;

	if (!in->valid)
		return;
	info_emit_one(b, ctx, "entries", "SEL entries", HWH_KIND_OTHER, in->entries, NULL);
	info_emit_one(b, ctx, "used", "SEL space used", HWH_KIND_PERCENT,
		      total > 0 ? 100.0 * used / total : 0.0, NULL);
	info_emit_one(b, ctx, "overflow", "SEL overflow", HWH_KIND_STATE,
		      in->overflow ? HWH_STATE_WARNING : HWH_STATE_NOMINAL,
		      in->overflow ? "events dropped: SEL full" : "OK");
}

/* ---- the poll ----------------------------------------------------------- */

/* First run ever: report nothing of what is there, start after it. */
static void first_run(struct bmc *b, struct hwh_ctx *ctx, const struct bmc_sel_pos *last, int empty)
{
	static const struct bmc_sel_pos none = {0, 0};

	if (empty) {
		hwh_log(ctx, HWH_LOG_NOTICE, "SEL is empty; reporting records added from now on");
		pos_set(b, ctx, &none);
		return;
	}
	hwh_log(ctx, HWH_LOG_NOTICE,
		"no SEL position kept from an earlier run: the records already in the SEL (up to "
		"record %u%s) were not reported as events; reporting records added from now on",
		last->id, b->info.valid ? "" : "; count unknown");
	pos_set(b, ctx, last);
}

int bmc_sel_poll(struct bmc *b, struct hwh_ctx *ctx)
{
	static const struct bmc_sel_pos none = {0, 0};
	struct bmc_sel_pos kept, last = {0, 0};
	int have = pos_get(b, ctx, &kept), nonempty, changed, rc = 0, info_rc;

	if ((nonempty = sel_last(b, ctx, &last)) < 0)
		return nonempty;
	changed = !have || !pos_equal(&kept, &last);
	if (hwh_stopping(ctx))
		return 0;
	/* A Get SEL Info failure does not hold back the records: they are
	 * reported, then the poll fails with its reason. */
	info_rc = info_refresh(b, ctx, changed);
	if (hwh_stopping(ctx))
		return 0;
	if (!have) {
		first_run(b, ctx, &last, !nonempty);
	} else if (changed && !nonempty) {
		hwh_log(ctx, HWH_LOG_NOTICE, "the SEL was cleared");
		pos_set(b, ctx, &none);
	} else if (changed && (rc = report_new(b, ctx, &kept)) < 0) {
		return rc;
	}
	if (info_rc < 0)
		return info_rc;
	info_emit(b, ctx);
	return 0;
}
