/*
 * sensors: the lm-sensors source plugin (build/plugins/sensors.so).
 *
 * Emits one hwh_reading per hwmon feature libsensors knows (temp1, fan2,
 * in0, power1, intrusion0...): its value, the limits the chip reports and
 * its alarm/fault/beep flags.  libsensors stays the source of truth for
 * discovery, labels, limits and sensors3.conf (label, ignore, compute), but
 * values are re-read each poll with pread() on descriptors kept open since
 * discovery: 0.3 ms of CPU per poll for 1,000 inputs against 2.3 ms through
 * sensors_get_value(), which opens, reads and closes the file each time
 * (HARNESS.md, "Cost of reading sensors").  Subfeatures a sensors3.conf
 * "compute" may change are verified first, see sub_read_verify().
 *
 * Discovery (sensors_init() and the walk over chips, features and
 * subfeatures) runs inside poll(): on the first poll, every "rescan"
 * interval and after the core's rescan(), so a filesystem that hangs is
 * covered by the core's poll timeout.  Discovery allocates everything a poll
 * needs; a poll itself allocates nothing.  Limits are read at discovery only:
 * a limit changed later (sensors -s, a driver) is seen at the next rescan.
 *
 * libsensors keeps process-wide state and is not thread-safe, so every call
 * into it holds sens_lock and at most one instance runs at a time: init()
 * claims libsensors and shutdown() of that instance releases it.  config()
 * claims nothing, so a reload can validate a new instance while the old one
 * still runs; the core stops the old one before it starts the new one.
 *
 * To extend: a new libsensors feature type is one row in feat_types[]; a new
 * limit or flag subfeature is one row in sub_roles[]; a new option is one
 * case in opt_apply().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sensors/error.h>
#include <sensors/sensors.h>

#include <hwhealth/plugin.h>

#define SENS_HWMON_DIR "/sys/class/hwmon"
#define SENS_RESCAN_DEFAULT_MS 60000	  /* "rescan" when not configured */
#define SENS_RESCAN_MIN_MS 100		  /* smallest "rescan" accepted */
#define SENS_RESCAN_MAX_MS (24 * 3600000) /* largest "rescan" accepted */
#define SENS_CHIP_NAME_MAX 128		  /* "coretemp-isa-0000" and kin */
#define SENS_VALUE_MAX 64		  /* bytes of one sysfs value */
#define SENS_ERR_MAX 96			  /* bytes of one reading's error */
#define SENS_MAX_FLAGS 12		  /* libsensors 3.6 has at most 8 */
#define SENS_FD_RESERVE 128		  /* fds left to the core when many sensors */
#define SENS_REL_EPSILON 1e-9		  /* "same value" for compute detection */

/* How a subfeature's value is read each poll. */
enum sub_mode {
	SUB_FAST = 0, /* pread() (or openat/read) and scale: no compute applies */
	SUB_VERIFY,   /* sensors_get_value() plus a raw read, until they agree */
	SUB_LIB,      /* sensors_get_value() only: compute, "fast-read no", no dir fd */
};

/* One subfeature read each poll: a feature's input or one of its flags. */
struct ssub {
	const char *name;   /* "temp1_input": libsensors' string */
	int nr;		    /* libsensors subfeature number */
	int fd;		    /* kept open on the chip directory, or -1 */
	double scale;	    /* raw sysfs units per reported unit */
	enum sub_mode mode; /* how it is read */
	unsigned flags;	    /* HWH_F_* a non-zero value sets (flag subfeatures) */
	unsigned compute;   /* libsensors may apply a compute to it */
};

/* One feature: one reading per poll. */
struct sfeat {
	const char *name; /* "temp1": libsensors' string */
	char *label;	  /* from sensors3.conf or temp1_label, or NULL */
	enum hwh_kind kind;
	const char *unit;
	double limit[HWH_LIM_COUNT]; /* read at discovery */
	struct ssub input;
	struct ssub flag[SENS_MAX_FLAGS];
	int nflags;
	char error[SENS_ERR_MAX]; /* why the last read failed */
};

/* One chip and the run of its features in sens.feats[]. */
struct schip {
	const sensors_chip_name *chip; /* libsensors', valid until cleanup */
	char name[SENS_CHIP_NAME_MAX]; /* the reading's device */
	int dirfd;		       /* chip->path, or -1 */
	size_t first, count;
};

/* One instance: its options and what discovery found. */
struct sens {
	char *config_path;	 /* sensors3.conf to use, NULL = libsensors' default */
	uint64_t rescan_ms;	 /* rediscover this often */
	int fast_read;		 /* read values with pread() once verified */
	int lib_ready;		 /* sensors_init() succeeded, sensors_cleanup() owed */
	int claimed;		 /* this instance holds libsensors (init ran) */
	unsigned discoveries;	 /* sensors_init() calls that succeeded */
	int rescan_now;		 /* rediscover before the next poll */
	uint64_t next_rescan_ms; /* CLOCK_MONOTONIC */
	rlim_t fd_limit;	 /* open no fd numbered at or above this */
	rlim_t fd_soft;		 /* RLIMIT_NOFILE's soft limit at discovery */
	int fd_exhausted;	 /* fd_limit or EMFILE reached during discovery */
	size_t fd_skipped;	 /* subfeatures without a kept-open fd */
	size_t emit_failed;	 /* readings the core refused in the last poll */
	struct schip *chips;
	size_t nchips, capchips;
	struct sfeat *feats;
	size_t nfeats, capfeats;
};

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

/* Guards every libsensors call and sens_claimed. */
static pthread_mutex_t sens_lock = PTHREAD_MUTEX_INITIALIZER;
/* An instance exists: libsensors' state is process-wide, so only one may. */
static int sens_claimed;
/* Where libsensors' parse errors go while sensors_init() runs, and the
 * file name to show when libsensors does not know it (a FILE * given). */
static struct hwh_ctx *sens_parse_ctx;
static const char *sens_parse_file;
static int sens_parse_prio; /* ERR at the first discovery, DEBUG at rescans */

/* ---- small helpers ------------------------------------------------------ */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Thread-safe strerror (GNU strerror_r: the Makefile defines _GNU_SOURCE). */
static const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err, buf, len);
}

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

static int same_value(double a, double b)
{
	return fabs(a - b) <= SENS_REL_EPSILON * fmax(fabs(a), fabs(b));
}

/* ---- options ------------------------------------------------------------ */

/* Parse "500ms", "10s", "5m" or "1h" into milliseconds.  0 or -1. */
static int parse_duration_ms(const char *str, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)str[0]))
		return -1;
	errno = 0;
	n = strtoull(str, &end, 10);
	if (errno != 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (n > UINT64_MAX / units[i].mult)
			return -1;
		*ms = n * units[i].mult;
		return 0;
	}
	return -1;
}

/* "config PATH": resolve it now (the daemon may chdir) and check that it
 * is a readable regular file.  0, or -1 with msg set. */
static int opt_config_path(struct sens *s, const char *path, char *msg, size_t len)
{
	char ebuf[128];
	struct stat st;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(msg, len,
			 "config: cannot open '%s': %s (expected a readable "
			 "sensors3.conf file)",
			 path, errstr(errno, ebuf, sizeof ebuf));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, len,
			 "config: '%s' is not a regular file (expected a "
			 "readable sensors3.conf file)",
			 path);
		goto out;
	}
	free(s->config_path);
	if ((s->config_path = realpath(path, NULL)) == NULL) {
		snprintf(msg, len, "config: '%s': %s", path, errstr(errno, ebuf, sizeof ebuf));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Apply one option.  0, or -1 with msg set. */
static int opt_apply(struct sens *s, const struct hwh_option *o, char *msg, size_t len)
{
	uint64_t ms;

	if (o->value == NULL || o->value[0] == '\0') {
		snprintf(msg, len, "option '%s' needs a value", o->key);
		return -1;
	}
	if (strcmp(o->key, "config") == 0)
		return opt_config_path(s, o->value, msg, len);
	if (strcmp(o->key, "rescan") == 0) {
		if (parse_duration_ms(o->value, &ms) < 0 || ms < SENS_RESCAN_MIN_MS ||
		    ms > SENS_RESCAN_MAX_MS) {
			snprintf(msg, len,
				 "rescan: expected a duration from 100ms to 24h such as 500ms, 10s "
				 "or 5m, got '%s'",
				 o->value);
			return -1;
		}
		s->rescan_ms = ms;
		return 0;
	}
	if (strcmp(o->key, "fast-read") == 0) {
		if (strcmp(o->value, "yes") == 0 || strcmp(o->value, "no") == 0) {
			s->fast_read = o->value[0] == 'y';
			return 0;
		}
		snprintf(msg, len, "fast-read: expected yes or no, got '%s'", o->value);
		return -1;
	}
	snprintf(msg, len,
		 "unknown option '%s' for plugin sensors (expected one of: "
		 "config, rescan, fast-read)",
		 o->key);
	return -1;
}

/* Index of an earlier option with the same key as opts[i], or -1. */
static int opt_earlier(const struct hwh_option *opts, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(opts[j].key, opts[i].key) == 0)
			return (int)j;
	return -1;
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
static void disc_teardown(struct sens *s)
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
static int disc_run(struct sens *s, struct hwh_ctx *ctx)
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

/* ---- reading ------------------------------------------------------------ */

/* Parse a sysfs value: a number, then only white space.  0 or -1 with why. */
static int parse_raw(const char *buf, double *raw, const char **why)
{
	char *end;
	double v;

	while (isspace((unsigned char)*buf))
		buf++;
	if (*buf == '\0') {
		*why = "empty value";
		return -1;
	}
	errno = 0;
	v = strtod(buf, &end);
	while (end != buf && isspace((unsigned char)*end))
		end++;
	if (end == buf || *end != '\0' || errno == ERANGE || !isfinite(v)) {
		*why = "not a number";
		return -1;
	}
	*raw = v;
	return 0;
}

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
		if (parse_raw(buf, raw, &why) < 0) {
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
static void feat_emit(struct sens *s, struct hwh_ctx *ctx, const struct schip *c, struct sfeat *f)
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

/* ---- the plugin callbacks ----------------------------------------------- */

static int sens_probe(void)
{
	struct dirent *de;
	DIR *d;
	int found = 0;

	if ((d = opendir(SENS_HWMON_DIR)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL)
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}

static void sens_free(struct sens *s)
{
	disc_teardown(s);
	free(s->feats);
	free(s->chips);
	free(s->config_path);
	free(s);
}

/* Claim libsensors for this process.  0, or -1 if another instance has it. */
static int sens_claim(void)
{
	int rc = 0;

	pthread_mutex_lock(&sens_lock);
	if (sens_claimed)
		rc = -1;
	else
		sens_claimed = 1;
	pthread_mutex_unlock(&sens_lock);
	return rc;
}

static int sens_config(const struct hwh_option *opts, size_t nopts, void **inst,
		       struct hwh_config_error *err)
{
	struct sens *s = calloc(1, sizeof *s);
	int prev;

	if (s == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	s->rescan_ms = SENS_RESCAN_DEFAULT_MS;
	s->fast_read = 1;
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if ((prev = opt_earlier(opts, i)) >= 0) {
			snprintf(err->msg, sizeof err->msg,
				 "option '%s' given twice (first at line %d)", opts[i].key,
				 opts[prev].line);
			goto fail;
		}
		if (opt_apply(s, &opts[i], err->msg, sizeof err->msg) < 0)
			goto fail;
	}
	*inst = s;
	return 0;
fail:
	sens_free(s);
	return -1;
}

static int sens_init(void *inst, struct hwh_ctx *ctx)
{
	struct sens *s = inst;

	if (sens_claim() < 0) {
		hwh_error(ctx, "only one sensors source can run per daemon: libsensors keeps "
			       "process-wide state and another sensors source is running");
		return -EBUSY;
	}
	s->claimed = 1;
	/* Discovery waits for the first poll, under the core's poll timeout. */
	s->rescan_now = 1;
	hwh_log(ctx, HWH_LOG_DEBUG, "config %s, rescan every %llu ms, fast-read %s",
		s->config_path ? s->config_path : "(libsensors default)",
		(unsigned long long)s->rescan_ms, s->fast_read ? "yes" : "no");
	return 0;
}

static int sens_poll(void *inst, struct hwh_ctx *ctx)
{
	struct sens *s = inst;
	uint64_t now = mono_ms();
	size_t failed;
	int rc;

	if (s->rescan_now || !s->lib_ready || now >= s->next_rescan_ms) {
		s->rescan_now = 0;
		s->next_rescan_ms = now + s->rescan_ms;
		if ((rc = disc_run(s, ctx)) < 0)
			return rc;
	}
	failed = s->emit_failed;
	s->emit_failed = 0;
	for (size_t i = 0; i < s->nchips; i++) {
		struct schip *c = &s->chips[i];

		if (hwh_stopping(ctx))
			return 0;
		for (size_t j = c->first; j < c->first + c->count; j++)
			feat_emit(s, ctx, c, &s->feats[j]);
	}
	if (s->emit_failed > 0 && s->emit_failed != failed)
		hwh_log(ctx, HWH_LOG_WARNING, "the core refused %zu readings", s->emit_failed);
	return 0;
}

/* Rediscover at the next poll, which the core runs right after this. */
static int sens_rescan(void *inst, struct hwh_ctx *ctx)
{
	struct sens *s = inst;

	(void)ctx;
	s->rescan_now = 1;
	return 0;
}

static void sens_shutdown(void *inst)
{
	struct sens *s = inst;
	int claimed = s->claimed;

	sens_free(s);
	if (!claimed)
		return; /* validated only (reload, --check-config): never ran */
	pthread_mutex_lock(&sens_lock);
	sens_claimed = 0;
	pthread_mutex_unlock(&sens_lock);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "sensors",
	.description = "lm-sensors (libsensors) hwmon temperatures, fans, voltages, "
		       "currents, power, energy, humidity and intrusion",
	.probe = sens_probe,
	.config = sens_config,
	.init = sens_init,
	.poll = sens_poll,
	.rescan = sens_rescan,
	.act = NULL,
	.shutdown = sens_shutdown,
};
/* clang-format on */
