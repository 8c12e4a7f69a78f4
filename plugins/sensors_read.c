/*
 * sensors_read.c: the sensors plugin's per-poll read path.
 *
 * feat_emit() reads one feature discovered by sensors_discover.c and emits
 * it as an hwh_reading: its value, the limits discovery read and the flags
 * its flag subfeatures set.  A subfeature is read by its mode: SUB_FAST is
 * pread() on the kept-open fd (or openat() and read() when discovery ran out
 * of fds) and a division by sysfs' scale; SUB_LIB goes through
 * sensors_get_value() under sens_lock, so sensors3.conf "compute" applies;
 * SUB_VERIFY does both until sub_read_verify() decides which of the two the
 * subfeature needs.  Nothing here allocates: a poll runs on what discovery
 * set up.
 *
 * To extend: a new read mode is a value of enum sub_mode and a case in
 * sub_read(); what a reading carries is filled in feat_emit().
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include <hwhealth/plugin.h>

#include "sensors_internal.h"

#define SENS_VALUE_MAX 64     /* bytes of one sysfs value */
#define SENS_REL_EPSILON 1e-9 /* "same value" for compute detection */

static int same_value(double a, double b)
{
	return fabs(a - b) <= SENS_REL_EPSILON * fmax(fabs(a), fabs(b));
}

/* ---- reading ------------------------------------------------------------ */

/* Read the raw (unscaled) value: pread() on the kept-open fd, or openat()
 * and read() when discovery ran out of fds.  0, or a negative errno with
 * err set.  sysfs regenerates the text on each read at offset 0. */
static int sub_read_raw(const struct schip *c, const struct ssub *sub, double *raw, char *err,
			size_t len)
{
	char buf[SENS_VALUE_MAX], ebuf[128];
	const char *why;
	ssize_t n;
	int fd = sub->fd, rc = 0;

	if (fd < 0 && (fd = openat(c->dirfd, sub->name, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
		snprintf(err, len, "open %s: %s", sub->name, errstr(-rc, ebuf, sizeof ebuf));
		return rc;
	}
	n = pread(fd, buf, sizeof buf - 1, 0);
	if (n < 0) {
		rc = -errno;
		snprintf(err, len, "read %s: %s", sub->name, errstr(-rc, ebuf, sizeof ebuf));
	} else {
		buf[n] = '\0';
		if (sens_parse_raw(buf, raw, &why) < 0) {
			snprintf(err, len, "read %s: %s", sub->name, why);
			rc = -EINVAL;
		}
	}
	if (fd != sub->fd)
		close(fd);
	return rc;
}

/* Read through libsensors, which applies sensors3.conf "compute".  0 or -1
 * with err set. */
static int sub_read_lib(const struct schip *c, const struct ssub *sub, double *val, char *err,
			size_t len)
{
	int rc;

	pthread_mutex_lock(&sens_lock);
	rc = sensors_get_value(c->chip, sub->nr, val);
	pthread_mutex_unlock(&sens_lock);
	if (rc != 0) {
		snprintf(err, len, "read %s: %s", sub->name, sensors_strerror(rc));
		return -1;
	}
	if (!isfinite(*val)) {
		snprintf(err, len, "read %s: not a number", sub->name);
		return -1;
	}
	return 0;
}

/*
 * Does a sensors3.conf "compute" apply to this subfeature?  libsensors
 * applies compute only inside sensors_get_value() and exports no way to ask,
 * so compare: a raw read, the libsensors read, a second raw read.  When both
 * raw reads agree (the value did not move in between) and are non-zero (any
 * linear compute maps 0 to 0), the libsensors value either equals raw/scale
 * -- no compute, switch to the fast path -- or differs -- a compute applies,
 * read through libsensors from now on.  Otherwise decide at a later poll.
 * The trade-off: a compute whose result happens to equal its input at the
 * value seen (e.g. "(@ - 50) * 2 + 50" at exactly 50) passes as identity;
 * the decision is remade at every rescan, so such a mistake lasts at most
 * one rescan interval.  Until a subfeature is decided it costs two reads.
 */
static int sub_read_verify(struct hwh_ctx *ctx, const struct schip *c, struct ssub *sub,
			   double *val, char *err, size_t len)
{
	char scratch[SENS_ERR_MAX];
	double raw1, raw2;
	int ok1, ok2;

	ok1 = sub_read_raw(c, sub, &raw1, scratch, sizeof scratch) == 0;
	if (sub_read_lib(c, sub, val, err, len) < 0) {
		if (!ok1) /* the raw read's errno says more than "Can't read" */
			snprintf(err, len, "%s", scratch);
		return -1;
	}
	ok2 = sub_read_raw(c, sub, &raw2, scratch, sizeof scratch) == 0;
	if (!ok1 || !ok2 || raw1 != raw2 || raw1 == 0)
		return 0;
	if (same_value(*val, raw1 / sub->scale)) {
		sub->mode = SUB_FAST;
	} else {
		sub->mode = SUB_LIB;
		hwh_log(ctx, HWH_LOG_DEBUG,
			"%s/%s: sensors3.conf compute applies, read through libsensors", c->name,
			sub->name);
	}
	return 0;
}

/* Read one subfeature's scaled value.  0, or a negative value with err set
 * (-ENODEV: the device went away). */
static int sub_read(struct hwh_ctx *ctx, const struct schip *c, struct ssub *sub, double *val,
		    char *err, size_t len)
{
	double raw;
	int rc;

	switch (sub->mode) {
	case SUB_FAST:
		if ((rc = sub_read_raw(c, sub, &raw, err, len)) < 0)
			return rc;
		*val = raw / sub->scale;
		return 0;
	case SUB_VERIFY:
		return sub_read_verify(ctx, c, sub, val, err, len);
	case SUB_LIB:
	default:
		return sub_read_lib(c, sub, val, err, len);
	}
}

/* The HWH_F_* flags of a feature.  A flag that cannot be read is left
 * clear: the value, not its flags, decides whether a reading is readable. */
static unsigned feat_flags(struct hwh_ctx *ctx, const struct schip *c, struct sfeat *f)
{
	char scratch[SENS_ERR_MAX];
	unsigned flags = 0;
	double v;

	for (int i = 0; i < f->nflags; i++)
		if (sub_read(ctx, c, &f->flag[i], &v, scratch, sizeof scratch) == 0 && v != 0)
			flags |= f->flag[i].flags;
	return flags;
}

/* Read and emit one feature. */
void feat_emit(struct sens *s, struct hwh_ctx *ctx, const struct schip *c, struct sfeat *f)
{
	struct hwh_reading r;
	double v;
	int rc;

	hwh_reading_init(&r);
	r.device = c->name;
	r.name = f->name;
	r.label = f->label;
	r.kind = f->kind;
	r.unit = f->unit;
	memcpy(r.limit, f->limit, sizeof r.limit);
	rc = sub_read(ctx, c, &f->input, &v, f->error, sizeof f->error);
	if (rc == 0) {
		r.value = v;
		if (f->kind == HWH_KIND_INTRUSION && v != 0)
			r.flags |= HWH_F_ALARM;
	} else {
		r.status = HWH_R_UNREADABLE;
		r.error = f->error;
		if (rc == -ENODEV)
			s->rescan_now = 1; /* the chip went away */
	}
	r.flags |= feat_flags(ctx, c, f);
	if (hwh_emit(ctx, &r) < 0)
		s->emit_failed++;
}
