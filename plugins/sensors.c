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
 * "compute" may change are verified first, see sub_read_verify() in
 * sensors_read.c.
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
 * This file is the plugin descriptor, its callbacks and its options;
 * discovery is in sensors_discover.c, the per-poll read path in
 * sensors_read.c and what they share in sensors_internal.h.
 *
 * To extend: a new option is one case in opt_apply(); a new libsensors
 * feature type or limit/flag subfeature is one row in sensors_discover.c's
 * feat_types[] or sub_roles[].
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"
#include "sensors_internal.h"

#define SENS_HWMON_DIR "/sys/class/hwmon"
#define SENS_RESCAN_DEFAULT_MS 60000	  /* "rescan" when not configured */
#define SENS_RESCAN_MIN_MS 100		  /* smallest "rescan" accepted */
#define SENS_RESCAN_MAX_MS (24 * 3600000) /* largest "rescan" accepted */

/* Guards every libsensors call and sens_claimed. */
pthread_mutex_t sens_lock = PTHREAD_MUTEX_INITIALIZER;
/* An instance exists: libsensors' state is process-wide, so only one may. */
static int sens_claimed;

/* ---- options ------------------------------------------------------------ */

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
		if (pu_parse_duration_ms(o->value, &ms) < 0 || ms < SENS_RESCAN_MIN_MS ||
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

	if (s == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	s->rescan_ms = SENS_RESCAN_DEFAULT_MS;
	s->fast_read = 1;
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (pu_opt_repeated(opts, i, err->msg, sizeof err->msg))
			goto fail;
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
	uint64_t now = pu_mono_ms();
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
