/*
 * sensors_internal.h: what the sensors plugin's files share, and nothing
 * the core sees.  The plugin is three files:
 *
 *   sensors.c          the hwh_plugin descriptor, its callbacks and options
 *   sensors_discover.c libsensors enumeration into the tables below: chips,
 *                      features, limits, kept-open fds (the slow path)
 *   sensors_read.c     the per-poll path over those tables: pread(), scaling,
 *                      compute verification, emitting readings
 *
 * Discovery fills struct sens; a poll only reads it (and the mode of each
 * subfeature, which verification settles).  Every function declared here
 * is hidden (SENS_HIDDEN): the .so exports hwh_plugin alone.
 *
 * To extend: a field discovery fills and polls read goes in the structs
 * below; a function another file calls is declared here with SENS_HIDDEN.
 */
#ifndef HWH_SENSORS_INTERNAL_H
#define HWH_SENSORS_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include <sensors/sensors.h>

#include <hwhealth/plugin.h>

/* Shared between this plugin's files, not exported from sensors.so. */
#define SENS_HIDDEN __attribute__((visibility("hidden")))

#define SENS_CHIP_NAME_MAX 128 /* "coretemp-isa-0000" and kin */
#define SENS_ERR_MAX 96	       /* bytes of one reading's error */
#define SENS_MAX_FLAGS 12      /* libsensors 3.6 has at most 8 */

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

/* Guards every libsensors call and the claim on it (sensors.c). */
extern SENS_HIDDEN pthread_mutex_t sens_lock;

/* Thread-safe strerror (GNU strerror_r: the Makefile defines _GNU_SOURCE). */
static inline const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err, buf, len);
}

/* sensors_discover.c */

/* Close every fd, free every table and leave libsensors.  The instance can
 * discover again afterwards. */
SENS_HIDDEN void disc_teardown(struct sens *s);
/* Rediscover everything.  0, -EIO (sensors_init failed) or -ENOMEM. */
SENS_HIDDEN int disc_run(struct sens *s, struct hwh_ctx *ctx);

/* sensors_read.c */

/* Read and emit one feature. */
SENS_HIDDEN void feat_emit(struct sens *s, struct hwh_ctx *ctx, const struct schip *c,
			   struct sfeat *f);

/* sensors_value.c: parse a sysfs attribute's text ("45000\n").  0 with *raw
 * set, or -1 with *why ("empty value", "not a number"). */
SENS_HIDDEN int sens_parse_raw(const char *buf, double *raw, const char **why);

#endif /* HWH_SENSORS_INTERNAL_H */
