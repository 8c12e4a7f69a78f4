/*
 * smart_opts.c: the smart plugin's options, checked, and the drive ids its
 * metrics carry as their device.
 *
 * smart_opts_parse() takes the "key value" options of one source block.
 * Each option is looked up in opt_defs[] and applied on its own; every
 * option but `device` may appear once (a second one is an error naming the
 * first one's line, as every plugin does).  Then the defaults that depend
 * on other options are settled: `scan` defaults to yes only when no
 * `device` is given.  The first error wins and carries the option's index,
 * so the core prints its file:line:col.
 *
 * Pure but for one access(2) (is `smartctl` an executable?), so the unit
 * tests and tests/fuzz/fuzz_smart_opts.c link this file alone.  Nothing
 * here touches a drive.
 *
 * To extend: a new option is a field in struct smart_opts, an apply
 * function and a row in opt_defs[].
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin_util.h"
#include "smart_internal.h"

#define SMART_DEVICE_TIMEOUT_MIN_MS 100ULL	     /* below that smartctl cannot start */
#define SMART_DEVICE_TIMEOUT_MAX_MS (3600 * 1000ULL) /* an hour per drive is absurd */
#define SMART_RESCAN_MIN_MS (10 * 1000ULL)	     /* a --scan walks every controller */
#define SMART_RESCAN_MAX_MS (365 * 24 * 3600 * 1000ULL)
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

/* Apply one option's value.  0, or -1 with msg set. */
typedef int (*opt_apply_fn)(struct smart_opts *o, const char *val, char *msg, size_t len);

struct opt_def {
	const char *key;
	opt_apply_fn apply;
	bool repeatable;
};

/* ---- values ---------------------------------------------------------------- */

static int parse_bool(const char *key, const char *val, bool *out, char *msg, size_t len)
{
	static const char *const yes[] = {"yes", "true", "on"}, *const no[] = {"no", "false",
									       "off"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcmp(val, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(val, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	snprintf(msg, len, "%s: '%s' is not a boolean (expected yes or no)", key, val);
	return -1;
}

static int parse_duration(const char *key, const char *val, uint64_t min, uint64_t max,
			  uint64_t *out, char *msg, size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0) {
		snprintf(msg, len,
			 "%s: '%s' is not a duration (expected a number with a unit: ms, s, m "
			 "or h, such as 30s)",
			 key, val);
		return -1;
	}
	if (ms < min || ms > max) {
		snprintf(msg, len, "%s: %s out of range (%llu ms to %llu ms)", key, val,
			 (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	*out = ms;
	return 0;
}

/* ---- one option each --------------------------------------------------------- */

/* An absolute path to an executable regular file: checked now, so a typo
 * is a configuration error and not a poll failure every 30 minutes. */
static int apply_smartctl(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	struct stat st;

	if (val[0] != '/') {
		snprintf(msg, len, "smartctl: '%s' is not an absolute path (expected such as %s)",
			 val, SMART_SMARTCTL_DEFAULT);
		return -1;
	}
	if (stat(val, &st) < 0 || access(val, X_OK) < 0) {
		snprintf(msg, len, "smartctl: cannot run '%s': %s (install smartmontools?)", val,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(msg, len, "smartctl: '%s' is not a regular file", val);
		return -1;
	}
	free(o->smartctl);
	if ((o->smartctl = strdup(val)) == NULL) {
		snprintf(msg, len, "smartctl: out of memory");
		return -1;
	}
	return 0;
}

static int apply_device(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	struct smart_devspec d, *nd;

	if (smart_devspec_parse(val, &d, msg, len) < 0)
		return -1;
	/* Two drives are one when their ids are equal: drives behind one RAID
	 * controller share a path and differ by type (megaraid,0, megaraid,1). */
	for (size_t i = 0; i < o->ndevs; i++) {
		if (strcmp(o->devs[i].id, d.id) != 0)
			continue;
		if (strcmp(o->devs[i].path, d.path) == 0)
			snprintf(msg, len, "device: '%s%s%s' given twice (drive id '%s')", d.path,
				 d.type[0] ? " " : "", d.type, d.id);
		else
			snprintf(msg, len, "device: '%s' has the same drive id '%s' as '%s'",
				 d.path, d.id, o->devs[i].path);
		return -1;
	}
	if ((nd = realloc(o->devs, (o->ndevs + 1) * sizeof *nd)) == NULL) {
		snprintf(msg, len, "device: out of memory");
		return -1;
	}
	o->devs = nd;
	o->devs[o->ndevs++] = d;
	return 0;
}

static int apply_scan(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	return parse_bool("scan", val, &o->scan, msg, len);
}

static int apply_standby(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	return parse_bool("standby", val, &o->standby, msg, len);
}

static int apply_rescan(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	return parse_duration("rescan", val, SMART_RESCAN_MIN_MS, SMART_RESCAN_MAX_MS,
			      &o->rescan_ms, msg, len);
}

static int apply_device_timeout(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	return parse_duration("device-timeout", val, SMART_DEVICE_TIMEOUT_MIN_MS,
			      SMART_DEVICE_TIMEOUT_MAX_MS, &o->device_timeout_ms, msg, len);
}

static int apply_parallel(struct smart_opts *o, const char *val, char *msg, size_t len)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = isdigit((unsigned char)val[0]) ? strtoul(val, &end, 10) : 0;
	if (!isdigit((unsigned char)val[0]) || errno != 0 || *end != '\0' || n < 1 ||
	    n > SMART_PARALLEL_MAX) {
		snprintf(msg, len, "parallel: '%s' is not a number from 1 to %d", val,
			 SMART_PARALLEL_MAX);
		return -1;
	}
	o->parallel = (unsigned)n;
	return 0;
}

static const struct opt_def opt_defs[] = {
    {"smartctl", apply_smartctl, false},
    {"device", apply_device, true},
    {"scan", apply_scan, false},
    {"rescan", apply_rescan, false},
    {"device-timeout", apply_device_timeout, false},
    {"standby", apply_standby, false},
    {"parallel", apply_parallel, false},
};
#define N_OPTS (sizeof opt_defs / sizeof opt_defs[0])

static const struct opt_def *opt_find(const char *key)
{
	for (size_t i = 0; i < N_OPTS; i++)
		if (strcmp(opt_defs[i].key, key) == 0)
			return &opt_defs[i];
	return NULL;
}

/* ---- the block --------------------------------------------------------------- */

static int set_defaults(struct smart_opts *o)
{
	memset(o, 0, sizeof *o);
	o->standby = true;
	o->parallel = SMART_PARALLEL_DEFAULT;
	o->rescan_ms = SMART_RESCAN_DEFAULT_MS;
	o->device_timeout_ms = SMART_DEVICE_TIMEOUT_DEFAULT_MS;
	o->smartctl = strdup(SMART_SMARTCTL_DEFAULT);
	return o->smartctl != NULL ? 0 : -1;
}

/* One option: known key, not given twice (unless repeatable), a value. */
static int apply_one(struct smart_opts *o, const struct hwh_option *opts, size_t i,
		     struct hwh_config_error *err)
{
	const struct opt_def *def = opt_find(opts[i].key);

	if (def == NULL) {
		snprintf(err->msg, sizeof err->msg,
			 "unknown option '%s' for plugin smart (expected one of: smartctl, "
			 "device, scan, rescan, device-timeout, standby, parallel)",
			 opts[i].key);
		return -1;
	}
	if (!def->repeatable && pu_opt_repeated(opts, i, err->msg, sizeof err->msg))
		return -1;
	if (opts[i].value == NULL || opts[i].value[0] == '\0') {
		snprintf(err->msg, sizeof err->msg, "option '%s' needs a value", opts[i].key);
		return -1;
	}
	return def->apply(o, opts[i].value, err->msg, sizeof err->msg);
}

int smart_opts_parse(const struct hwh_option *opts, size_t nopts, struct smart_opts *o,
		     struct hwh_config_error *err)
{
	bool scan_given = false;

	err->option = -1;
	err->msg[0] = '\0';
	if (set_defaults(o) < 0) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (apply_one(o, opts, i, err) < 0)
			return -1;
		scan_given |= strcmp(opts[i].key, "scan") == 0;
	}
	err->option = -1;
	if (!scan_given)
		o->scan = o->ndevs == 0;
	return 0;
}

void smart_opts_free(struct smart_opts *o)
{
	free(o->smartctl);
	free(o->devs);
	memset(o, 0, sizeof *o);
}

/* ---- devices and ids --------------------------------------------------------- */

bool smart_type_ok(const char *type)
{
	size_t n = strlen(type);

	if (n == 0 || n >= SMART_TYPE_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)type[i];

		if (!isalnum(c) && c != ',' && c != '_' && c != '/' && c != '-' && c != '+')
			return false;
	}
	return true;
}

/* A path we hand smartctl as its last argument: absolute (never an
 * option), printable, no blanks. */
static bool path_ok(const char *path, size_t n)
{
	if (n < 2 || n >= SMART_DEVPATH_MAX || path[0] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)path[i]))
			return false;
	return true;
}

int smart_devspec_parse(const char *value, struct smart_devspec *d, char *msg, size_t len)
{
	const char *p = value, *t;
	size_t plen, tlen;

	memset(d, 0, sizeof *d);
	while (*p == ' ' || *p == '\t')
		p++;
	plen = strcspn(p, " \t");
	t = p + plen;
	while (*t == ' ' || *t == '\t')
		t++;
	tlen = strcspn(t, " \t");
	if (t[tlen] != '\0' && t[tlen + strspn(t + tlen, " \t")] != '\0') {
		snprintf(msg, len, "device: '%s': too many words (expected PATH [TYPE])", value);
		return -1;
	}
	if (!path_ok(p, plen)) {
		snprintf(msg, len,
			 "device: '%.*s' is not an absolute device path (expected such as "
			 "/dev/sda, at most %d bytes, no blanks)",
			 (int)(plen < 64 ? plen : 64), p, SMART_DEVPATH_MAX - 1);
		return -1;
	}
	memcpy(d->path, p, plen);
	if (tlen > 0) {
		if (tlen >= SMART_TYPE_MAX) {
			snprintf(msg, len, "device: type '%.32s...' too long (at most %d bytes)", t,
				 SMART_TYPE_MAX - 1);
			return -1;
		}
		memcpy(d->type, t, tlen);
		if (!smart_type_ok(d->type)) {
			snprintf(msg, len,
				 "device: type '%s' has characters smartctl's -d never takes "
				 "(expected letters, digits and , _ / - +, such as sat, nvme or "
				 "megaraid,3)",
				 d->type);
			return -1;
		}
	}
	if (smart_drive_id(d->path, d->type, d->id, sizeof d->id) < 0) {
		snprintf(msg, len, "device: '%s' makes a drive id longer than %d bytes", d->path,
			 SMART_ID_MAX - 1);
		return -1;
	}
	return 0;
}

/* Append c to buf (length *n, size len) as an id character.  0 or -1. */
static int id_put(char *buf, size_t *n, size_t len, char c)
{
	if (*n + 1 >= len)
		return -1;
	if (c == '/' || c == ',')
		c = '-';
	else if (!isalnum((unsigned char)c) && c != '_' && c != '.' && c != '-')
		c = '_';
	buf[(*n)++] = c;
	buf[*n] = '\0';
	return 0;
}

int smart_drive_id(const char *path, const char *type, char *buf, size_t len)
{
	size_t n = 0;
	int rc = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (strncmp(path, "/dev/", 5) == 0)
		path += 5;
	else if (path[0] == '/')
		path++;
	for (; rc == 0 && *path != '\0'; path++)
		rc = id_put(buf, &n, len, *path);
	if (rc == 0 && type != NULL && strchr(type, ',') != NULL) {
		/* "sat+megaraid,0" (SATA behind the RAID controller, as
		 * --scan-open says) is the drive "megaraid,0" (as --scan says). */
		if (strrchr(type, '+') != NULL)
			type = strrchr(type, '+') + 1;
		rc = id_put(buf, &n, len, '-');
		for (; rc == 0 && *type != '\0'; type++)
			rc = id_put(buf, &n, len, *type);
	}
	if (rc < 0 || n == 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

void smart_serial_key(const char *id, char *buf, size_t len)
{
	static const char prefix[] = "serial:";
	size_t room = HWH_STATE_KEY_MAX - 1 - (sizeof prefix - 1); /* bytes left for the id */
	size_t n = strlen(id);
	uint32_t h = FNV_OFFSET;

	if (n <= room) {
		snprintf(buf, len, "%s%s", prefix, id);
		return;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)id[i]) * FNV_PRIME;
	/* cut + '~' + 8 hex digits fill the room exactly */
	snprintf(buf, len, "%s%.*s~%08x", prefix, (int)(room - 9), id, (unsigned)h);
}
