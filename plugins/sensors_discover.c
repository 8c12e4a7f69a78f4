/*
 * sensors_discover.c: the sensors plugin's discovery, its slow path.
 *
 * disc_run() (re)starts libsensors with the configured sensors3.conf and
 * walks its chips, features and subfeatures into struct sens: one sfeat per
 * feature with a value, its limits (read once, here, through libsensors so
 * that "compute" applies), its flag subfeatures, and the descriptors kept
 * open for the read path (sensors_read.c) within an RLIMIT_NOFILE budget.
 * Each subfeature's read mode (fast, verify, lib) is decided here.  Every
 * libsensors call holds sens_lock.  disc_teardown() undoes all of it.
 *
 * To extend: a new libsensors feature type is one row in feat_types[]; a new
 * limit or flag subfeature is one row in sub_roles[]; a subfeature whose
 * sysfs units differ is a case in sub_scale().
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include <hwhealth/plugin.h>

#include "sensors_internal.h"

#define SENS_FD_RESERVE 128 /* fds left to the core when many sensors */

/* What each libsensors feature type becomes. */
struct feat_type {
	sensors_feature_type type;
	enum hwh_kind kind;
	const char *unit;
	sensors_subfeature_type input;	   /* the value */
	sensors_subfeature_type alt_input; /* used when input is absent */
};

/* SENSORS_FEATURE_BEEP_ENABLE is a chip setting, not a reading: skipped. */
/* clang-format off */
static const struct feat_type feat_types[] = {
	{ SENSORS_FEATURE_IN, HWH_KIND_VOLTAGE, "V", SENSORS_SUBFEATURE_IN_INPUT,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_FAN, HWH_KIND_FAN, "RPM", SENSORS_SUBFEATURE_FAN_INPUT,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_TEMP, HWH_KIND_TEMPERATURE, "C", SENSORS_SUBFEATURE_TEMP_INPUT,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_POWER, HWH_KIND_POWER, "W", SENSORS_SUBFEATURE_POWER_INPUT,
	  SENSORS_SUBFEATURE_POWER_AVERAGE },
	{ SENSORS_FEATURE_ENERGY, HWH_KIND_ENERGY, "J", SENSORS_SUBFEATURE_ENERGY_INPUT,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_CURR, HWH_KIND_CURRENT, "A", SENSORS_SUBFEATURE_CURR_INPUT,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_HUMIDITY, HWH_KIND_HUMIDITY, "%RH",
	  SENSORS_SUBFEATURE_HUMIDITY_INPUT, SENSORS_SUBFEATURE_UNKNOWN },
	/* cpu0_vid: the core voltage the CPU asks its regulator for. */
	{ SENSORS_FEATURE_VID, HWH_KIND_VOLTAGE, "V", SENSORS_SUBFEATURE_VID,
	  SENSORS_SUBFEATURE_UNKNOWN },
	{ SENSORS_FEATURE_INTRUSION, HWH_KIND_INTRUSION, "",
	  SENSORS_SUBFEATURE_INTRUSION_ALARM, SENSORS_SUBFEATURE_UNKNOWN },
};
/* clang-format on */

#define ROLE_NONE (-1) /* not a limit */
#define ROLE_CAP (-2)  /* power cap: the MAX limit when there is no max */

/* What a subfeature other than the input is to the reading. */
struct sub_role {
	sensors_subfeature_type type;
	int limit;	/* HWH_LIM_*, ROLE_NONE or ROLE_CAP */
	unsigned flags; /* HWH_F_* a non-zero value sets */
};

/* clang-format off */
#define LIM(t, l) { SENSORS_SUBFEATURE_##t, HWH_LIM_##l, 0 }
#define FLG(t, f) { SENSORS_SUBFEATURE_##t, ROLE_NONE, (f) }
#define AL HWH_F_ALARM

/* Hysteresis, lowest/highest, averages, fan div/pulses, temp type/offset
 * have no place in a reading and are not read. */
static const struct sub_role sub_roles[] = {
	LIM(IN_MIN, MIN), LIM(IN_MAX, MAX), LIM(IN_LCRIT, LCRIT), LIM(IN_CRIT, CRIT),
	FLG(IN_ALARM, AL), FLG(IN_MIN_ALARM, AL | HWH_F_MIN_ALARM),
	FLG(IN_MAX_ALARM, AL | HWH_F_MAX_ALARM), FLG(IN_LCRIT_ALARM, AL | HWH_F_LCRIT_ALARM),
	FLG(IN_CRIT_ALARM, AL | HWH_F_CRIT_ALARM), FLG(IN_BEEP, HWH_F_BEEP),

	LIM(FAN_MIN, MIN), LIM(FAN_MAX, MAX),
	FLG(FAN_ALARM, AL), FLG(FAN_MIN_ALARM, AL | HWH_F_MIN_ALARM),
	FLG(FAN_MAX_ALARM, AL | HWH_F_MAX_ALARM), FLG(FAN_FAULT, HWH_F_FAULT),
	FLG(FAN_BEEP, HWH_F_BEEP),

	LIM(TEMP_MIN, MIN), LIM(TEMP_MAX, MAX), LIM(TEMP_LCRIT, LCRIT),
	LIM(TEMP_CRIT, CRIT), LIM(TEMP_EMERGENCY, EMERG),
	FLG(TEMP_ALARM, AL), FLG(TEMP_MIN_ALARM, AL | HWH_F_MIN_ALARM),
	FLG(TEMP_MAX_ALARM, AL | HWH_F_MAX_ALARM),
	FLG(TEMP_LCRIT_ALARM, AL | HWH_F_LCRIT_ALARM),
	FLG(TEMP_CRIT_ALARM, AL | HWH_F_CRIT_ALARM),
	FLG(TEMP_EMERGENCY_ALARM, AL | HWH_F_EMERG_ALARM),
	FLG(TEMP_FAULT, HWH_F_FAULT), FLG(TEMP_BEEP, HWH_F_BEEP),

	LIM(POWER_MIN, MIN), LIM(POWER_MAX, MAX), LIM(POWER_LCRIT, LCRIT),
	LIM(POWER_CRIT, CRIT), { SENSORS_SUBFEATURE_POWER_CAP, ROLE_CAP, 0 },
	FLG(POWER_ALARM, AL), FLG(POWER_MIN_ALARM, AL | HWH_F_MIN_ALARM),
	FLG(POWER_MAX_ALARM, AL | HWH_F_MAX_ALARM),
	FLG(POWER_CAP_ALARM, AL | HWH_F_MAX_ALARM),
	FLG(POWER_LCRIT_ALARM, AL | HWH_F_LCRIT_ALARM),
	FLG(POWER_CRIT_ALARM, AL | HWH_F_CRIT_ALARM),

	LIM(CURR_MIN, MIN), LIM(CURR_MAX, MAX), LIM(CURR_LCRIT, LCRIT), LIM(CURR_CRIT, CRIT),
	FLG(CURR_ALARM, AL), FLG(CURR_MIN_ALARM, AL | HWH_F_MIN_ALARM),
	FLG(CURR_MAX_ALARM, AL | HWH_F_MAX_ALARM),
	FLG(CURR_LCRIT_ALARM, AL | HWH_F_LCRIT_ALARM),
	FLG(CURR_CRIT_ALARM, AL | HWH_F_CRIT_ALARM), FLG(CURR_BEEP, HWH_F_BEEP),

	FLG(INTRUSION_BEEP, HWH_F_BEEP),
};

#undef LIM
#undef FLG
#undef AL
/* clang-format on */

/* Where libsensors' parse errors go while sensors_init() runs, and the
 * file name to show when libsensors does not know it (a FILE * given). */
static struct hwh_ctx *sens_parse_ctx;
static const char *sens_parse_file;
static int sens_parse_prio; /* ERR at the first discovery, DEBUG at rescans */

/* ---- small helpers ------------------------------------------------------ */

/* Grow *arr (of *cap elements of size sz) to hold n + 1.  0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (ncap > SIZE_MAX / sz)
		return -ENOMEM;
	if ((p = realloc(*arr, ncap * sz)) == NULL)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/*
 * The divisor libsensors applies to a raw sysfs value of this subfeature
 * type (lib/sysfs.c in lm-sensors 3.6): milli-units for in, temp, curr and
 * humidity, micro-units for power and energy, none for fans and for the
 * alarm, fault and beep subfeatures (bit 7 set), with three exceptions.
 */
static double sub_scale(sensors_subfeature_type t)
{
	if (t == SENSORS_SUBFEATURE_VID || t == SENSORS_SUBFEATURE_TEMP_OFFSET ||
	    t == SENSORS_SUBFEATURE_POWER_AVERAGE_INTERVAL)
		return 1e3;
	if (t & 0x80)
		return 1;
	switch ((int)t >> 8) {
	case SENSORS_FEATURE_IN:
	case SENSORS_FEATURE_TEMP:
	case SENSORS_FEATURE_CURR:
	case SENSORS_FEATURE_HUMIDITY:
		return 1e3;
	case SENSORS_FEATURE_POWER:
	case SENSORS_FEATURE_ENERGY:
		return 1e6;
	default:
		return 1;
	}
}

static const struct feat_type *feat_type_find(sensors_feature_type t)
{
	for (size_t i = 0; i < sizeof feat_types / sizeof feat_types[0]; i++)
		if (feat_types[i].type == t)
			return &feat_types[i];
	return NULL;
}

static const struct sub_role *sub_role_find(sensors_subfeature_type t)
{
	for (size_t i = 0; i < sizeof sub_roles / sizeof sub_roles[0]; i++)
		if (sub_roles[i].type == t)
			return &sub_roles[i];
	return NULL;
}

/* ---- discovery ---------------------------------------------------------- */

static void sub_close(struct ssub *sub)
{
	if (sub->fd >= 0)
		close(sub->fd);
	sub->fd = -1;
}

/* Close every fd, free every table and leave libsensors.  The instance can
 * discover again afterwards. */
void disc_teardown(struct sens *s)
{
	for (size_t i = 0; i < s->nfeats; i++) {
		struct sfeat *f = &s->feats[i];

		sub_close(&f->input);
		for (int j = 0; j < f->nflags; j++)
			sub_close(&f->flag[j]);
		free(f->label);
	}
	for (size_t i = 0; i < s->nchips; i++)
		if (s->chips[i].dirfd >= 0)
			close(s->chips[i].dirfd);
	s->nfeats = s->nchips = 0;
	s->fd_exhausted = 0;
	s->fd_skipped = 0;
	if (s->lib_ready) {
		pthread_mutex_lock(&sens_lock);
		sensors_cleanup();
		pthread_mutex_unlock(&sens_lock);
		s->lib_ready = 0;
	}
}

/* libsensors' parse errors, during sensors_init() (sens_lock held). */
static void disc_parse_error(const char *err, const char *file, int line)
{
	if (sens_parse_ctx != NULL)
		hwh_log(sens_parse_ctx, sens_parse_prio, "%s:%d: %s", file ? file : sens_parse_file,
			line, err);
}

/* sensors_init() with the configured file (sens_lock held).  0 or a
 * libsensors error (negative). */
static int disc_lib_init(struct sens *s, struct hwh_ctx *ctx)
{
	void (*old_wfn)(const char *, const char *, int) = sensors_parse_error_wfn;
	FILE *fp = NULL;
	char ebuf[128];
	int rc;

	if (s->config_path != NULL && (fp = fopen(s->config_path, "re")) == NULL) {
		hwh_error(ctx, "open %s: %s", s->config_path, errstr(errno, ebuf, sizeof ebuf));
		return -SENSORS_ERR_ACCESS_R;
	}
	sens_parse_ctx = ctx;
	sens_parse_file = s->config_path ? s->config_path : "sensors3.conf";
	sens_parse_prio = s->discoveries == 0 ? HWH_LOG_ERR : HWH_LOG_DEBUG;
	sensors_parse_error_wfn = disc_parse_error;
	rc = sensors_init(fp);
	sensors_parse_error_wfn = old_wfn;
	sens_parse_ctx = NULL;
	if (fp != NULL)
		fclose(fp);
	if (rc != 0)
		hwh_error(ctx, "sensors_init: %s", sensors_strerror(rc));
	return rc;
}

static void sub_setup(struct ssub *sub, const sensors_subfeature *sf, unsigned flags)
{
	sub->name = sf->name;
	sub->nr = sf->number;
	sub->fd = -1;
	sub->scale = sub_scale(sf->type);
	sub->flags = flags;
	sub->compute = (sf->flags & SENSORS_COMPUTE_MAPPING) != 0;
	sub->mode = SUB_LIB; /* decided in disc_open_fds() */
}

/* A limit, read once through libsensors (so compute applies). */
static double disc_limit(const sensors_chip_name *chip, const sensors_subfeature *sf)
{
	double v;

	if (!(sf->flags & SENSORS_MODE_R) || sensors_get_value(chip, sf->number, &v) != 0 ||
	    !isfinite(v))
		return NAN;
	return v;
}

/* File the limits and flags of one feature (sens_lock held). */
static void disc_subfeatures(struct hwh_ctx *ctx, const sensors_chip_name *chip,
			     const sensors_feature *feat, struct sfeat *f)
{
	const sensors_subfeature *sf;
	const struct sub_role *role;
	double cap = NAN;
	int nr = 0;

	while ((sf = sensors_get_all_subfeatures(chip, feat, &nr)) != NULL) {
		if (sf->number == f->input.nr || (role = sub_role_find(sf->type)) == NULL)
			continue;
		if (role->limit == ROLE_CAP)
			cap = disc_limit(chip, sf);
		else if (role->limit >= 0)
			f->limit[role->limit] = disc_limit(chip, sf);
		else if (f->nflags < SENS_MAX_FLAGS)
			sub_setup(&f->flag[f->nflags++], sf, role->flags);
		else
			hwh_log(ctx, HWH_LOG_DEBUG, "%s: more than %d flags, %s ignored",
				feat->name, SENS_MAX_FLAGS, sf->name);
	}
	if (isnan(f->limit[HWH_LIM_MAX]))
		f->limit[HWH_LIM_MAX] = cap;
}

/* The label, or NULL when it is only the feature's name. */
static char *disc_label(const sensors_chip_name *chip, const sensors_feature *feat)
{
	char *label = sensors_get_label(chip, feat);

	if (label != NULL && strcmp(label, feat->name) == 0) {
		free(label);
		label = NULL;
	}
	return label;
}

/* Add one feature of the last chip (sens_lock held).  0 or -ENOMEM. */
static int disc_feature(struct sens *s, struct hwh_ctx *ctx, const sensors_chip_name *chip,
			const sensors_feature *feat)
{
	const struct feat_type *ft = feat_type_find(feat->type);
	const sensors_subfeature *in;
	struct sfeat *f;

	if (ft == NULL)
		return 0;
	in = sensors_get_subfeature(chip, feat, ft->input);
	if (in == NULL && ft->alt_input != SENSORS_SUBFEATURE_UNKNOWN)
		in = sensors_get_subfeature(chip, feat, ft->alt_input);
	if (in == NULL)
		return 0; /* nothing to report: no value */
	if (grow((void **)&s->feats, &s->capfeats, s->nfeats, sizeof *s->feats) < 0)
		return -ENOMEM;
	f = &s->feats[s->nfeats];
	memset(f, 0, sizeof *f);
	f->name = feat->name;
	f->kind = ft->kind;
	f->unit = ft->unit;
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		f->limit[i] = NAN;
	sub_setup(&f->input, in, 0);
	disc_subfeatures(ctx, chip, feat, f);
	f->label = disc_label(chip, feat);
	s->nfeats++;
	s->chips[s->nchips - 1].count++;
	return 0;
}

/* Add one chip and its features (sens_lock held).  0 or -ENOMEM. */
static int disc_chip(struct sens *s, struct hwh_ctx *ctx, const sensors_chip_name *chip)
{
	const sensors_feature *feat;
	struct schip *c;
	int nr = 0, n, rc;

	if (grow((void **)&s->chips, &s->capchips, s->nchips, sizeof *s->chips) < 0)
		return -ENOMEM;
	c = &s->chips[s->nchips];
	n = sensors_snprintf_chip_name(c->name, sizeof c->name, chip);
	if (n < 0 || (size_t)n >= sizeof c->name) {
		hwh_log(ctx, HWH_LOG_WARNING, "chip at %s: name unusable, skipped", chip->path);
		return 0;
	}
	c->chip = chip;
	c->dirfd = -1;
	c->first = s->nfeats;
	c->count = 0;
	s->nchips++;
	while ((feat = sensors_get_features(chip, &nr)) != NULL)
		if ((rc = disc_feature(s, ctx, chip, feat)) < 0)
			return rc;
	return 0;
}

/* Open name under dirfd unless that would eat into the fds the core needs:
 * with 1,000 sensors a soft RLIMIT_NOFILE of 1024 is reached.  fd or -1. */
static int disc_open(struct sens *s, int dirfd, const char *name, int flags)
{
	int fd;

	if (s->fd_exhausted)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE)
			s->fd_exhausted = 1;
		return -1;
	}
	if ((rlim_t)fd >= s->fd_limit) {
		close(fd);
		s->fd_exhausted = 1;
		return -1;
	}
	return fd;
}

/* Open one subfeature's fd and decide how it is read. */
static void disc_open_sub(struct sens *s, const struct schip *c, struct ssub *sub)
{
	if (!s->fast_read || c->dirfd < 0) {
		sub->mode = SUB_LIB;
		return;
	}
	if ((sub->fd = disc_open(s, c->dirfd, sub->name, 0)) < 0)
		s->fd_skipped++; /* read by openat() each poll instead */
	/* Without the compute-mapping flag libsensors never applies a compute
	 * (lib/access.c), so only the others need verifying. */
	sub->mode = sub->compute ? SUB_VERIFY : SUB_FAST;
}

/* Open fds: chip directories first, then inputs, then flags, so that when
 * the budget runs out the hot files are the ones kept open. */
static void disc_open_fds(struct sens *s)
{
	struct rlimit rl;

	s->fd_limit = s->fd_soft = RLIM_INFINITY;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		s->fd_soft = rl.rlim_cur;
		s->fd_limit = rl.rlim_cur > 2 * SENS_FD_RESERVE ? rl.rlim_cur - SENS_FD_RESERVE
								: rl.rlim_cur / 2;
	}
	for (size_t i = 0; s->fast_read && i < s->nchips; i++)
		s->chips[i].dirfd = disc_open(s, AT_FDCWD, s->chips[i].chip->path, O_DIRECTORY);
	for (size_t i = 0; i < s->nchips; i++) {
		struct schip *c = &s->chips[i];

		for (size_t j = c->first; j < c->first + c->count; j++)
			disc_open_sub(s, c, &s->feats[j].input);
	}
	for (size_t i = 0; i < s->nchips; i++) {
		struct schip *c = &s->chips[i];

		for (size_t j = c->first; j < c->first + c->count; j++)
			for (int k = 0; k < s->feats[j].nflags; k++)
				disc_open_sub(s, c, &s->feats[j].flag[k]);
	}
}

/* Warn about chips whose names collide ("foo-virtual-0" twice): their
 * readings land on the same device. */
static void disc_check_names(const struct sens *s, struct hwh_ctx *ctx)
{
	for (size_t i = 0; i < s->nchips; i++)
		for (size_t j = i + 1; j < s->nchips; j++)
			if (strcmp(s->chips[i].name, s->chips[j].name) == 0)
				hwh_log(ctx, HWH_LOG_WARNING,
					"chips %s and %s are both named %s: their readings collide",
					s->chips[i].chip->path, s->chips[j].chip->path,
					s->chips[i].name);
}

/* Rediscover everything.  0, -EIO (sensors_init failed) or -ENOMEM. */
int disc_run(struct sens *s, struct hwh_ctx *ctx)
{
	const sensors_chip_name *chip;
	int nr = 0, rc;

	disc_teardown(s);
	pthread_mutex_lock(&sens_lock);
	if ((rc = disc_lib_init(s, ctx)) != 0) {
		pthread_mutex_unlock(&sens_lock);
		return -EIO;
	}
	s->lib_ready = 1;
	s->discoveries++;
	while ((chip = sensors_get_detected_chips(NULL, &nr)) != NULL)
		if ((rc = disc_chip(s, ctx, chip)) < 0)
			break;
	pthread_mutex_unlock(&sens_lock);
	if (rc < 0) {
		hwh_error(ctx, "discovery: out of memory");
		disc_teardown(s);
		return rc;
	}
	disc_open_fds(s);
	disc_check_names(s, ctx);
	hwh_log(ctx, HWH_LOG_DEBUG, "discovered %zu chips, %zu features", s->nchips, s->nfeats);
	if (s->fd_skipped > 0)
		hwh_log(ctx, HWH_LOG_NOTICE,
			"%zu sensor files are reopened each poll: "
			"RLIMIT_NOFILE is %llu, about %llu would keep them all open",
			s->fd_skipped, (unsigned long long)s->fd_soft,
			(unsigned long long)(s->fd_soft + s->fd_skipped));
	return 0;
}
