/*
 * smart_parse.c: the smart plugin's parser, from the text smartctl prints
 * with --json to a struct smart_doc.  Pure: json-c and memory, no I/O, no
 * state, so the unit tests (check_smart.c) and the fuzz target link this
 * file alone.
 *
 * The text is checked before any key is read: not empty, at most
 * SMART_JSON_MAX bytes, no NUL, nested at most SMART_JSON_DEPTH deep, strict
 * JSON (json-c 0.16's strict mode; it still takes a single-quoted key,
 * which smartctl never prints), and nothing but white space after the
 * document.  json-c needs two
 * of these checked by hand: for a truncated document json_tokener_parse_ex
 * returns NULL with json_tokener_continue (not an error code), and without
 * JSON_TOKENER_STRICT it returns the first value and ignores what follows.
 *
 * Then every key smartctl may leave out is optional, but a key that is
 * present must have the expected type and range, or the whole document is
 * refused with an error naming its JSON path: a value the parser guessed
 * at could raise or silence an alarm.  Integers are read as 64-bit
 * integers, never through a double (an ATA raw value can exceed 2^53).
 * json-c clamps integers beyond 64 bits to INT64_MIN / UINT64_MAX without
 * telling, so those two values are refused as out of range.
 *
 * To extend: a new key is one get_*() call in the parse_*() of its part of
 * the document (ATA, NVMe, SCSI or common) and a field in smart_internal.h;
 * a new exit-status or critical-warning bit is a row in the tables below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "smart_internal.h"

/* smartctl(8) RETURN VALUES, bit by bit: a short name and its meaning. */
static const struct {
	const char *name, *text;
} exit_bits[SMART_EXIT_BITS] = {
    {"cmdline-error", "the command line did not parse"},
    {"open-failed", "the device open failed, it returned no IDENTIFY data, or it is in a "
		    "low-power mode (-n)"},
    {"command-failed", "a SMART or other command to the device failed, or a SMART data "
		       "structure had a checksum error"},
    {"disk-failing", "the SMART status check returned DISK FAILING"},
    {"prefail-at-threshold", "a prefail attribute is at or below its threshold"},
    {"past-at-threshold", "an attribute (usage or prefail) was at or below its threshold in "
			  "the past"},
    {"error-log", "the device error log contains records of errors"},
    {"selftest-log", "the device self-test log contains records of errors"},
};

/* NVMe critical_warning bits (NVMe base specification, SMART / Health
 * Information log page, byte 0). */
static const char *const nvme_cw_names[SMART_NVME_CW_BITS] = {
    "spare-below-threshold",	     /* bit 0 */
    "temperature",		     /* bit 1 */
    "reliability-degraded",	     /* bit 2 */
    "read-only",		     /* bit 3 */
    "volatile-memory-backup-failed", /* bit 4 */
    "pmr-read-only",		     /* bit 5: persistent memory region */
    "reserved-bit-6",		     /* bit 6 */
    "reserved-bit-7",		     /* bit 7 */
};

/* NVMe self-test result codes (low nibble of the log entry's status). */
#define SMART_NVME_ST_OK 0	   /* completed without error */
#define SMART_NVME_ST_FAIL_FIRST 3 /* 3..7: fatal error, unknown or segment failure */
#define SMART_NVME_ST_FAIL_LAST 7
#define SMART_NVME_ST_MAX 15 /* 0xF: entry not used */

/* Where the parse is and where its error goes. */
struct pctx {
	char *err;
	size_t errlen;
};

/* ---- errors and paths ---------------------------------------------------- */

static int fail(struct pctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write "PATH: message" into the error buffer; always returns -1. */
static int fail(struct pctx *c, const char *path, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->errlen == 0)
		return -1;
	if (path != NULL && path[0] != '\0')
		n = snprintf(c->err, c->errlen, "%s: ", path);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Append s to the path in dst (length *n), cutting it at SMART_PATH_MAX. */
static void append(char *dst, size_t *n, const char *s)
{
	while (*s != '\0' && *n + 1 < SMART_PATH_MAX)
		dst[(*n)++] = *s++;
	dst[*n] = '\0';
}

/* The path of member key of the object at path ("" is the document).
 * dst and path must not overlap. */
static void join(char *dst, const char *path, const char *key)
{
	size_t n = 0;

	append(dst, &n, path);
	if (path[0] != '\0')
		append(dst, &n, ".");
	append(dst, &n, key);
}

/* The path of element i of the array at path (dst and path apart). */
static void join_index(char *dst, const char *path, size_t i)
{
	char idx[24];
	size_t n = 0;

	snprintf(idx, sizeof idx, "[%zu]", i);
	append(dst, &n, path);
	append(dst, &n, idx);
}

/* A JSON type in words, for "expected X, got Y". */
static const char *type_words(enum json_type t)
{
	switch (t) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
		return "a number with a fraction or exponent";
	case json_type_int:
		return "an integer";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "an unknown type";
}

/* ---- typed reads ----------------------------------------------------------- */

/*
 * Member key of obj (at path), which must have type want.  Returns 1 with
 * *v set, 0 when the key is absent (*v NULL), -1 on the wrong type.  A
 * JSON null is a wrong type, not an absent key: smartctl never prints one.
 */
static int get(struct pctx *c, json_object *obj, const char *path, const char *key,
	       enum json_type want, json_object **v)
{
	char p[SMART_PATH_MAX];

	*v = NULL;
	if (!json_object_object_get_ex(obj, key, v))
		return 0;
	if (!json_object_is_type(*v, want)) {
		join(p, path, key);
		return fail(c, p, "expected %s, got %s", type_words(want),
			    type_words(json_object_get_type(*v)));
	}
	return 1;
}

/* As get(), but an absent key is an error too. */
static int need(struct pctx *c, json_object *obj, const char *path, const char *key,
		enum json_type want, json_object **v)
{
	char p[SMART_PATH_MAX];
	int rc = get(c, obj, path, key, want, v);

	if (rc == 0) {
		join(p, path, key);
		return fail(c, p, "missing");
	}
	return rc;
}

/* The unsigned integer v (at path), at most max.  0 or -1. */
static int as_u64(struct pctx *c, json_object *v, const char *path, uint64_t max, uint64_t *out)
{
	int64_t s = json_object_get_int64(v);
	uint64_t u = json_object_get_uint64(v);

	if (s < 0)
		return fail(c, path,
			    s == INT64_MIN ? "integer out of range" : "negative value %lld",
			    (long long)s);
	if (u == UINT64_MAX)
		return fail(c, path, "integer out of range"); /* json-c's clamp: see the top */
	if (u > max)
		return fail(c, path, "%llu out of range (at most %llu)", (unsigned long long)u,
			    (unsigned long long)max);
	*out = u;
	return 0;
}

/* Optional unsigned member: 1 with *out set, 0 absent, -1 error. */
static int get_u64(struct pctx *c, json_object *obj, const char *path, const char *key,
		   uint64_t max, uint64_t *out)
{
	char p[SMART_PATH_MAX];
	json_object *v;
	int rc = get(c, obj, path, key, json_type_int, &v);

	if (rc <= 0)
		return rc;
	join(p, path, key);
	return as_u64(c, v, p, max, out) < 0 ? -1 : 1;
}

/* Required unsigned member, at most max: 0 or -1. */
static int need_u64(struct pctx *c, json_object *obj, const char *path, const char *key,
		    uint64_t max, uint64_t *out)
{
	char p[SMART_PATH_MAX];
	int rc = get_u64(c, obj, path, key, max, out);

	if (rc == 0) {
		join(p, path, key);
		return fail(c, p, "missing");
	}
	return rc < 0 ? -1 : 0;
}

/* Required unsigned member that fits an unsigned: 0 or -1. */
static int need_uint(struct pctx *c, json_object *obj, const char *path, const char *key,
		     unsigned max, unsigned *out)
{
	uint64_t u;

	if (need_u64(c, obj, path, key, max, &u) < 0)
		return -1;
	*out = (unsigned)u;
	return 0;
}

/* Optional unsigned member into *out and *has: 0 or -1. */
static int opt_u64(struct pctx *c, json_object *obj, const char *path, const char *key,
		   uint64_t *out, bool *has)
{
	int rc = get_u64(c, obj, path, key, UINT64_MAX - 1, out);

	*has = rc == 1;
	return rc < 0 ? -1 : 0;
}

/* Optional signed member into *out and *has: 0 or -1. */
static int opt_i64(struct pctx *c, json_object *obj, const char *path, const char *key,
		   int64_t *out, bool *has)
{
	char p[SMART_PATH_MAX];
	json_object *v;
	int rc = get(c, obj, path, key, json_type_int, &v);
	int64_t s;

	*has = false;
	if (rc <= 0)
		return rc;
	s = json_object_get_int64(v);
	if (s == INT64_MIN || s == INT64_MAX) {
		join(p, path, key);
		return fail(c, p, "integer out of range"); /* json-c's clamp */
	}
	*out = s;
	*has = true;
	return 0;
}

/*
 * Copy the string v into dst (size len >= 1): control characters become
 * '?', and a string too long is cut at a character boundary (an incomplete
 * UTF-8 sequence at the cut is dropped).
 */
static void copy_str(char *dst, size_t len, json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t n = (size_t)json_object_get_string_len(v), i;

	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--; /* s[n] starts the first character left out */
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	dst[n] = '\0';
}

/* Optional string member into dst; absent leaves dst as it is.  1, 0, -1. */
static int get_str(struct pctx *c, json_object *obj, const char *path, const char *key, char *dst,
		   size_t len)
{
	json_object *v;
	int rc = get(c, obj, path, key, json_type_string, &v);

	if (rc == 1)
		copy_str(dst, len, v);
	return rc;
}

/* Optional boolean member as a tri-state: 0 or -1. */
static int get_tri(struct pctx *c, json_object *obj, const char *path, const char *key,
		   enum smart_tri *out)
{
	json_object *v;
	int rc = get(c, obj, path, key, json_type_boolean, &v);

	if (rc == 1)
		*out = json_object_get_boolean(v) ? SMART_TRI_PASSED : SMART_TRI_FAILED;
	return rc < 0 ? -1 : 0;
}

/* ---- common part ------------------------------------------------------------ */

static int parse_version(struct pctx *c, json_object *root)
{
	json_object *a, *major;
	int rc = need(c, root, "", "json_format_version", json_type_array, &a);

	if (rc < 0)
		return -1;
	if (json_object_array_length(a) < 1)
		return fail(c, "json_format_version", "empty array");
	major = json_object_array_get_idx(a, 0);
	if (!json_object_is_type(major, json_type_int))
		return fail(c, "json_format_version[0]", "expected an integer, got %s",
			    type_words(json_object_get_type(major)));
	if (json_object_get_int64(major) != 1)
		return fail(c, "json_format_version[0]",
			    "unsupported major version %lld (this parser reads 1)",
			    (long long)json_object_get_int64(major));
	return 0;
}

static int parse_messages(struct pctx *c, json_object *sc, struct smart_doc *d)
{
	json_object *a, *m;
	char p[SMART_PATH_MAX];
	size_t n, i;
	int rc = get(c, sc, "smartctl", "messages", json_type_array, &a);

	if (rc <= 0)
		return rc;
	n = json_object_array_length(a);
	for (i = 0; i < n && d->nmsgs < SMART_MSG_MAX; i++) {
		m = json_object_array_get_idx(a, i);
		join_index(p, "smartctl.messages", i);
		if (!json_object_is_type(m, json_type_object))
			return fail(c, p, "expected an object, got %s",
				    type_words(json_object_get_type(m)));
		if (get_str(c, m, p, "string", d->msgs[d->nmsgs], SMART_STR_MAX) < 0)
			return -1;
		d->nmsgs++;
	}
	return 0;
}

static int parse_smartctl(struct pctx *c, json_object *root, struct smart_doc *d)
{
	json_object *sc;

	if (need(c, root, "", "smartctl", json_type_object, &sc) < 0)
		return -1;
	if (need_uint(c, sc, "smartctl", "exit_status", 255, &d->exit_status) < 0)
		return -1;
	return parse_messages(c, sc, d) < 0 ? -1 : 0;
}

static int parse_device(struct pctx *c, json_object *root, struct smart_doc *d)
{
	json_object *dev;
	int rc = get(c, root, "", "device", json_type_object, &dev);

	if (rc <= 0)
		return rc;
	if (get_str(c, dev, "device", "name", d->dev_name, sizeof d->dev_name) < 0 ||
	    get_str(c, dev, "device", "type", d->dev_type, sizeof d->dev_type) < 0 ||
	    get_str(c, dev, "device", "protocol", d->protocol, sizeof d->protocol) < 0)
		return -1;
	if (strcmp(d->protocol, "ATA") == 0)
		d->proto = SMART_PROTO_ATA;
	else if (strcmp(d->protocol, "NVMe") == 0)
		d->proto = SMART_PROTO_NVME;
	else if (strcmp(d->protocol, "SCSI") == 0)
		d->proto = SMART_PROTO_SCSI;
	return 0;
}

/* Model, serial, firmware and capacity; SCSI devices name them apart. */
static int parse_identity(struct pctx *c, json_object *root, struct smart_doc *d)
{
	json_object *cap;
	int rc;

	if (get_str(c, root, "", "serial_number", d->serial, sizeof d->serial) < 0)
		return -1;
	rc = get_str(c, root, "", "model_name", d->model, sizeof d->model);
	if (rc == 0)
		rc = get_str(c, root, "", "scsi_model_name", d->model, sizeof d->model);
	if (rc < 0)
		return -1;
	rc = get_str(c, root, "", "firmware_version", d->firmware, sizeof d->firmware);
	if (rc == 0)
		rc = get_str(c, root, "", "scsi_revision", d->firmware, sizeof d->firmware);
	if (rc < 0)
		return -1;
	rc = get(c, root, "", "user_capacity", json_type_object, &cap);
	if (rc == 1)
		rc = get_u64(c, cap, "user_capacity", "bytes", UINT64_MAX - 1, &d->capacity_bytes);
	if (rc == 0)
		rc =
		    get_u64(c, root, "", "nvme_total_capacity", UINT64_MAX - 1, &d->capacity_bytes);
	if (rc < 0)
		return -1;
	d->has_capacity = rc == 1;
	return 0;
}

/* smart_status, temperature and power-on time. */
static int parse_health(struct pctx *c, json_object *root, struct smart_doc *d)
{
	json_object *o;
	int rc;

	rc = get(c, root, "", "smart_status", json_type_object, &o);
	if (rc == 1)
		rc = get_tri(c, o, "smart_status", "passed", &d->passed);
	if (rc < 0)
		return -1;
	rc = get(c, root, "", "temperature", json_type_object, &o);
	if (rc == 1 &&
	    (opt_i64(c, o, "temperature", "current", &d->temperature, &d->has_temperature) < 0 ||
	     opt_i64(c, o, "temperature", "drive_trip", &d->drive_trip, &d->has_drive_trip) < 0))
		return -1;
	if (rc < 0)
		return -1;
	rc = get(c, root, "", "power_on_time", json_type_object, &o);
	if (rc == 1)
		rc = opt_u64(c, o, "power_on_time", "hours", &d->power_on_hours,
			     &d->has_power_on_hours);
	return rc < 0 ? -1 : 0;
}

/* ---- ATA ---------------------------------------------------------------------- */

static int parse_when_failed(struct pctx *c, json_object *row, const char *path,
			     struct smart_attr *a)
{
	char when[16] = "", p[SMART_PATH_MAX];
	int rc = get_str(c, row, path, "when_failed", when, sizeof when);

	if (rc < 0)
		return -1;
	if (strcmp(when, "") == 0)
		a->when_failed = SMART_WHEN_NEVER;
	else if (strcmp(when, "now") == 0)
		a->when_failed = SMART_WHEN_NOW;
	else if (strcmp(when, "past") == 0)
		a->when_failed = SMART_WHEN_PAST;
	else {
		join(p, path, "when_failed");
		return fail(c, p, "unexpected value \"%s\" (expected \"\", \"now\" or \"past\")",
			    when);
	}
	return 0;
}

/* flags.prefailure, or bit 0 of flags.value when smartctl gave only that. */
static int parse_prefail(struct pctx *c, json_object *row, const char *path, struct smart_attr *a)
{
	char p[SMART_PATH_MAX];
	json_object *flags;
	enum smart_tri pf = SMART_TRI_ABSENT;
	uint64_t fv;
	int rc = get(c, row, path, "flags", json_type_object, &flags);

	if (rc <= 0)
		return rc;
	join(p, path, "flags");
	if (get_tri(c, flags, p, "prefailure", &pf) < 0)
		return -1;
	if (pf != SMART_TRI_ABSENT) {
		a->prefail = pf == SMART_TRI_PASSED;
		return 0;
	}
	rc = get_u64(c, flags, p, "value", 0xFFFF, &fv);
	if (rc == 1)
		a->prefail = fv & 1;
	return rc < 0 ? -1 : 0;
}

static int parse_attr(struct pctx *c, json_object *row, const char *path, struct smart_attr *a)
{
	char p[SMART_PATH_MAX];
	json_object *raw, *name;

	if (!json_object_is_type(row, json_type_object))
		return fail(c, path, "expected an object, got %s",
			    type_words(json_object_get_type(row)));
	if (need_uint(c, row, path, "id", 255, &a->id) < 0)
		return -1;
	if (a->id == 0) {
		join(p, path, "id");
		return fail(c, p, "attribute id 0 (ids are 1..255)");
	}
	if (need(c, row, path, "name", json_type_string, &name) < 0)
		return -1;
	copy_str(a->name, sizeof a->name, name);
	if (need_uint(c, row, path, "value", 255, &a->value) < 0 ||
	    need_uint(c, row, path, "worst", 255, &a->worst) < 0 ||
	    need_uint(c, row, path, "thresh", 255, &a->thresh) < 0)
		return -1;
	if (need(c, row, path, "raw", json_type_object, &raw) < 0)
		return -1;
	join(p, path, "raw");
	if (need_u64(c, raw, p, "value", UINT64_MAX - 1, &a->raw) < 0)
		return -1;
	if (get_str(c, raw, p, "string", a->raw_str, sizeof a->raw_str) < 0)
		return -1;
	if (parse_when_failed(c, row, path, a) < 0)
		return -1;
	return parse_prefail(c, row, path, a);
}

static int parse_attrs(struct pctx *c, json_object *root, struct smart_doc *d)
{
	json_object *o, *table;
	char p[SMART_PATH_MAX];
	int seen[256]; /* table index + 1 of each id met so far */
	size_t n, i;
	int rc = get(c, root, "", "ata_smart_attributes", json_type_object, &o);

	if (rc <= 0)
		return rc;
	if (need(c, o, "ata_smart_attributes", "table", json_type_array, &table) < 0)
		return -1;
	n = json_object_array_length(table);
	if (n > SMART_ATTR_MAX)
		return fail(c, "ata_smart_attributes.table", "%zu entries (at most %d)", n,
			    SMART_ATTR_MAX);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < n; i++) {
		struct smart_attr *a = &d->attrs[i];

		join_index(p, "ata_smart_attributes.table", i);
		if (parse_attr(c, json_object_array_get_idx(table, i), p, a) < 0)
			return -1;
		if (seen[a->id] != 0)
			return fail(c, p, "duplicate attribute id %u (also at index %d)", a->id,
				    seen[a->id] - 1);
		seen[a->id] = (int)i + 1;
		d->nattrs++;
	}
	return 0;
}

/* ata_smart_error_log.summary.count (-l error), else .extended.count
 * (-l xerror). */
static int parse_error_log(struct pctx *c, json_object *root, struct smart_doc *d)
{
	static const char *const logs[] = {"summary", "extended"};
	json_object *el, *o;
	char p[SMART_PATH_MAX];
	int rc = get(c, root, "", "ata_smart_error_log", json_type_object, &el);

	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
		rc = get(c, el, "ata_smart_error_log", logs[i], json_type_object, &o);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			join(p, "ata_smart_error_log", logs[i]);
			return opt_u64(c, o, p, "count", &d->error_log_count, &d->has_error_log);
		}
	}
	return 0;
}

/* Newest entry of an ATA self-test log (smartctl lists newest first). */
static int parse_ata_selftest_row(struct pctx *c, json_object *row, const char *path,
				  struct smart_selftest *st)
{
	char p[SMART_PATH_MAX];
	json_object *type, *status;
	int rc;

	if (!json_object_is_type(row, json_type_object))
		return fail(c, path, "expected an object, got %s",
			    type_words(json_object_get_type(row)));
	rc = get(c, row, path, "type", json_type_object, &type);
	join(p, path, "type");
	if (rc == 1)
		rc = get_str(c, type, p, "string", st->type, sizeof st->type);
	if (rc < 0 || need(c, row, path, "status", json_type_object, &status) < 0)
		return -1;
	join(p, path, "status");
	if (need_uint(c, status, p, "value", 255, &st->status_value) < 0 ||
	    get_str(c, status, p, "string", st->status, sizeof st->status) < 0 ||
	    get_tri(c, status, p, "passed", &st->result) < 0)
		return -1;
	if (opt_u64(c, row, path, "lifetime_hours", &st->hours, &st->has_hours) < 0)
		return -1;
	st->has = true;
	return 0;
}

/* Newest entry of an NVMe self-test log. */
static int parse_nvme_selftest_row(struct pctx *c, json_object *row, const char *path,
				   struct smart_selftest *st)
{
	char p[SMART_PATH_MAX];
	json_object *code, *res;
	int rc;

	if (!json_object_is_type(row, json_type_object))
		return fail(c, path, "expected an object, got %s",
			    type_words(json_object_get_type(row)));
	rc = get(c, row, path, "self_test_code", json_type_object, &code);
	join(p, path, "self_test_code");
	if (rc == 1)
		rc = get_str(c, code, p, "string", st->type, sizeof st->type);
	if (rc < 0 || need(c, row, path, "self_test_result", json_type_object, &res) < 0)
		return -1;
	join(p, path, "self_test_result");
	if (need_uint(c, res, p, "value", SMART_NVME_ST_MAX, &st->status_value) < 0 ||
	    get_str(c, res, p, "string", st->status, sizeof st->status) < 0)
		return -1;
	if (st->status_value == SMART_NVME_ST_OK)
		st->result = SMART_TRI_PASSED;
	else if (st->status_value >= SMART_NVME_ST_FAIL_FIRST &&
		 st->status_value <= SMART_NVME_ST_FAIL_LAST)
		st->result = SMART_TRI_FAILED;
	if (opt_u64(c, row, path, "power_on_hours", &st->hours, &st->has_hours) < 0)
		return -1;
	st->has = true;
	return 0;
}

typedef int (*selftest_row_fn)(struct pctx *, json_object *, const char *, struct smart_selftest *);

/* The first row of the table at path (an object's "table"), if any. */
static int parse_selftest_table(struct pctx *c, json_object *log, const char *path,
				selftest_row_fn row_fn, struct smart_selftest *st)
{
	char t[SMART_PATH_MAX], p[SMART_PATH_MAX];
	json_object *table;
	int rc = get(c, log, path, "table", json_type_array, &table);

	if (rc <= 0 || json_object_array_length(table) == 0)
		return rc;
	join(t, path, "table");
	join_index(p, t, 0);
	return row_fn(c, json_object_array_get_idx(table, 0), p, st);
}

/* ata_smart_self_test_log.{extended,standard} or nvme_self_test_log. */
static int parse_selftest(struct pctx *c, json_object *root, struct smart_doc *d)
{
	static const char *const ata_logs[] = {"extended", "standard"};
	json_object *log, *sub;
	char p[SMART_PATH_MAX];
	int rc = get(c, root, "", "ata_smart_self_test_log", json_type_object, &log);

	for (size_t i = 0; rc == 1 && i < sizeof ata_logs / sizeof ata_logs[0]; i++) {
		int r = get(c, log, "ata_smart_self_test_log", ata_logs[i], json_type_object, &sub);

		if (r < 0)
			return -1;
		join(p, "ata_smart_self_test_log", ata_logs[i]);
		if (r == 1 &&
		    parse_selftest_table(c, sub, p, parse_ata_selftest_row, &d->selftest) < 0)
			return -1;
		if (d->selftest.has)
			return 0;
	}
	if (rc < 0)
		return -1;
	rc = get(c, root, "", "nvme_self_test_log", json_type_object, &log);
	if (rc == 1)
		rc = parse_selftest_table(c, log, "nvme_self_test_log", parse_nvme_selftest_row,
					  &d->selftest);
	return rc < 0 ? -1 : 0;
}

/* ---- NVMe --------------------------------------------------------------------- */

static int parse_nvme(struct pctx *c, json_object *root, struct smart_doc *d)
{
	static const char *const path = "nvme_smart_health_information_log";
	struct smart_nvme *n = &d->nvme;
	json_object *log;
	int rc = get(c, root, "", path, json_type_object, &log);

	if (rc <= 0)
		return rc;
	if (need_u64(c, log, path, "critical_warning", 0xFF, &n->critical_warning) < 0)
		return -1;
	if (opt_i64(c, log, path, "temperature", &n->temperature, &n->has_temperature) < 0 ||
	    opt_u64(c, log, path, "available_spare", &n->available_spare, &n->has_available_spare) <
		0 ||
	    opt_u64(c, log, path, "available_spare_threshold", &n->available_spare_threshold,
		    &n->has_available_spare_threshold) < 0 ||
	    opt_u64(c, log, path, "percentage_used", &n->percentage_used, &n->has_percentage_used) <
		0 ||
	    opt_u64(c, log, path, "media_errors", &n->media_errors, &n->has_media_errors) < 0 ||
	    opt_u64(c, log, path, "num_err_log_entries", &n->num_err_log_entries,
		    &n->has_num_err_log_entries) < 0 ||
	    opt_u64(c, log, path, "unsafe_shutdowns", &n->unsafe_shutdowns,
		    &n->has_unsafe_shutdowns) < 0 ||
	    opt_u64(c, log, path, "power_on_hours", &n->power_on_hours, &n->has_power_on_hours) < 0)
		return -1;
	n->has = true;
	return 0;
}

/* ---- SCSI --------------------------------------------------------------------- */

static int parse_scsi(struct pctx *c, json_object *root, struct smart_doc *d)
{
	static const char *const dirs[SMART_SCSI_DIRS] = {"read", "write", "verify"};
	json_object *log, *dir;
	char p[SMART_PATH_MAX];
	int rc;

	if (opt_u64(c, root, "", "scsi_grown_defect_list", &d->grown_defects,
		    &d->has_grown_defects) < 0)
		return -1;
	rc = get(c, root, "", "scsi_error_counter_log", json_type_object, &log);
	for (int i = 0; rc == 1 && i < SMART_SCSI_DIRS; i++) {
		int r = get(c, log, "scsi_error_counter_log", dirs[i], json_type_object, &dir);

		if (r < 0)
			return -1;
		join(p, "scsi_error_counter_log", dirs[i]);
		if (r == 1 && opt_u64(c, dir, p, "total_uncorrected_errors", &d->uncorrected[i],
				      &d->has_uncorrected[i]) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* ---- the document -------------------------------------------------------------- */

static int parse_doc(struct pctx *c, json_object *root, struct smart_doc *d)
{
	if (!json_object_is_type(root, json_type_object))
		return fail(c, "(document)", "expected an object, got %s",
			    type_words(json_object_get_type(root)));
	if (parse_version(c, root) < 0 || parse_smartctl(c, root, d) < 0 ||
	    parse_device(c, root, d) < 0 || parse_identity(c, root, d) < 0 ||
	    parse_health(c, root, d) < 0 || parse_attrs(c, root, d) < 0 ||
	    parse_error_log(c, root, d) < 0 || parse_selftest(c, root, d) < 0 ||
	    parse_nvme(c, root, d) < 0 || parse_scsi(c, root, d) < 0)
		return -1;
	return 0;
}

/* Whether text (len bytes) is one complete JSON value in strict mode:
 * tells "trailing bytes" apart from other errors at the same offset. */
static int complete_value(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(SMART_JSON_DEPTH);
	json_object *o;
	int ok;

	if (tok == NULL)
		return 0;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, text, (int)len);
	ok = o != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	     json_tokener_get_parse_end(tok) == len;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

/* The offset of the first byte of s at or after from that is not JSON
 * white space; len if there is none. */
static size_t skip_space(const char *s, size_t from, size_t len)
{
	while (from < len &&
	       (s[from] == ' ' || s[from] == '\t' || s[from] == '\n' || s[from] == '\r'))
		from++;
	return from;
}

/* The text into a json-c tree, with the checks described at the top.
 * NULL with the error set on failure. */
static json_object *tokenize(struct pctx *c, const char *json, size_t len)
{
	struct json_tokener *tok;
	json_object *root;
	enum json_tokener_error e;
	const void *nul;
	size_t end;

	if (skip_space(json, 0, len) == len) {
		fail(c, NULL, "empty input");
		return NULL;
	}
	if (len > SMART_JSON_MAX) {
		fail(c, NULL, "document too large: %zu bytes (at most %u)", len, SMART_JSON_MAX);
		return NULL;
	}
	nul = memchr(json, '\0', len);
	if (nul != NULL) {
		fail(c, NULL, "NUL byte at byte %zu", (size_t)((const char *)nul - json));
		return NULL;
	}
	tok = json_tokener_new_ex(SMART_JSON_DEPTH);
	if (tok == NULL) {
		fail(c, NULL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (e == json_tokener_continue) {
		fail(c, NULL, "truncated JSON: the input ends inside the document (%zu bytes)",
		     len);
	} else if (e == json_tokener_error_depth) {
		fail(c, NULL, "JSON nested deeper than %d levels at byte %zu", SMART_JSON_DEPTH,
		     end);
	} else if (root == NULL || e != json_tokener_success) {
		if (end > 0 && end < len && complete_value(json, end))
			fail(c, NULL, "trailing bytes after the JSON document at byte %zu",
			     skip_space(json, end, len));
		else
			fail(c, NULL, "malformed JSON at byte %zu: %s", end,
			     json_tokener_error_desc(e));
	} else if (skip_space(json, end, len) < len) {
		fail(c, NULL, "trailing bytes after the JSON document at byte %zu",
		     skip_space(json, end, len));
	} else {
		return root;
	}
	json_object_put(root);
	return NULL;
}

int smart_parse(const char *json, size_t len, struct smart_doc *out, char *err, size_t errlen)
{
	struct pctx c = {err, errlen};
	json_object *root;
	int rc;

	memset(out, 0, sizeof *out);
	if (errlen > 0)
		err[0] = '\0';
	root = tokenize(&c, json, len);
	if (root == NULL)
		return -1;
	rc = parse_doc(&c, root, out);
	json_object_put(root);
	if (rc < 0)
		memset(out, 0, sizeof *out);
	return rc;
}

/* ---- words ------------------------------------------------------------------- */

const char *smart_exit_bit_name(unsigned bit)
{
	return bit < SMART_EXIT_BITS ? exit_bits[bit].name : NULL;
}

const char *smart_exit_bit_text(unsigned bit)
{
	return bit < SMART_EXIT_BITS ? exit_bits[bit].text : NULL;
}

const char *smart_nvme_cw_name(unsigned bit)
{
	return bit < SMART_NVME_CW_BITS ? nvme_cw_names[bit] : NULL;
}

/* The names of the set bits of v (names[0..nbits)) joined by ", ", or
 * none_word when no bit is set. */
static size_t describe_bits(uint64_t v, const char *const *names, unsigned nbits,
			    const char *none_word, char *buf, size_t len)
{
	size_t n = 0;

	if (len == 0)
		return 0;
	buf[0] = '\0';
	if (v == 0) {
		snprintf(buf, len, "%s", none_word);
		return strlen(buf);
	}
	for (unsigned b = 0; b < nbits; b++) {
		if (!(v >> b & 1))
			continue;
		int w = snprintf(buf + n, len - n, "%s%s", n > 0 ? ", " : "", names[b]);

		if (w < 0 || (size_t)w >= len - n)
			return strlen(buf);
		n += (size_t)w;
	}
	return n;
}

size_t smart_exit_describe(unsigned status, char *buf, size_t len)
{
	const char *names[SMART_EXIT_BITS];

	for (unsigned b = 0; b < SMART_EXIT_BITS; b++)
		names[b] = exit_bits[b].name;
	return describe_bits(status, names, SMART_EXIT_BITS, "ok", buf, len);
}

size_t smart_nvme_cw_describe(uint64_t cw, char *buf, size_t len)
{
	return describe_bits(cw, nvme_cw_names, SMART_NVME_CW_BITS, "none", buf, len);
}

const char *smart_proto_name(enum smart_proto p)
{
	switch (p) {
	case SMART_PROTO_ATA:
		return "ATA";
	case SMART_PROTO_NVME:
		return "NVMe";
	case SMART_PROTO_SCSI:
		return "SCSI";
	case SMART_PROTO_UNKNOWN:
		break;
	}
	return "unknown";
}
