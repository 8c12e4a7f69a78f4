/*
 * ipmi: the IPMI source plugin (build/plugins/ipmi.so).
 *
 * One source block is one BMC, reached in-band (no "host": the local BMC
 * through /dev/ipmi0 or KCS/SSIF) or over the network with IPMI 1.5
 * ("protocol lan") or 2.0 ("lanplus", the default).  Each poll reports:
 *
 *   - every sensor as a reading on device "bmc" (ipmi_read.c): threshold
 *     sensors with value, limits and alarm flags, discrete sensors as
 *     HWH_KIND_STATE with FreeIPMI's verdict;
 *   - the SEL records added since the last one reported, as events, and
 *     the SEL's fullness as readings on device "sel" (ipmi_sel.c).
 *
 * FreeIPMI's libipmimonitoring does the IPMI work (libfreeipmi only the
 * thresholds and Get SEL Info).  It keeps process-wide state set by
 * ipmi_monitoring_init(), called once per process under pthread_once;
 * everything else lives in the instance's own contexts (one for the
 * sensors, one for the SEL, see ipmi_sel.c), created in init() and used
 * only by the instance's thread, so several BMCs are polled in parallel,
 * one thread each.  libipmimonitoring opens a new session on every call,
 * so a BMC that stops answering costs session-timeout per call: when the
 * sensor read fails the SEL is not tried in that poll.  Keep
 * session-timeout below the source's "timeout".
 *
 * config() validates the options (ipmi_opts.c) and reads password-file; it
 * touches neither hardware nor network.  init() creates the SDR cache
 * directory (0700) and the contexts, and loads the interpretation files;
 * when it fails, nothing is kept and the core calls it again later.
 *
 * This file is the plugin descriptor and its callbacks; the options are in
 * ipmi_opts.c, the readings in ipmi_read.c, the SEL in ipmi_sel.c, pure
 * mappings in ipmi_class.c and what they share in ipmi_internal.h.
 *
 * To extend: a new option is a row in ipmi_opts.c (and, if the library
 * needs it, a line in cfg_fill()); a new kind of data read each poll is a
 * step in bmc_poll(), with hwh_stopping() checked before it.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <freeipmi/freeipmi.h>
#include <ipmi_monitoring.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

#define BMC_DIR_MODE 0700	      /* the SDR cache dir: it describes the BMC */
#define BMC_INBAND_RETRY_MIN_MS 30000 /* see inband_waiting() */
#define BMC_INBAND_RETRY_MAX_MS 3600000

/* The libraries' process-wide set-up, once per process. */
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc;	/* ipmi_monitoring_init()'s return value */
static int lib_errnum;	/* and its error, when it failed */
static int crypt_rc;	/* ipmi_rmcpplus_init()'s */
static int crypt_errno; /* and its errno */

/*
 * ipmi_monitoring_init() sets globals without a lock, and libfreeipmi's
 * ipmi_rmcpplus_init() (libgcrypt's set-up, which IPMI 2.0 sessions would
 * otherwise run on first use, from whichever thread) "must be called before
 * threads are created".  Every thread calls them through pthread_once()
 * before any other library call, which gives the same guarantee.
 */
static void lib_init(void)
{
	lib_rc = ipmi_monitoring_init(IPMI_MONITORING_FLAGS_NONE, &lib_errnum);
	crypt_rc = ipmi_rmcpplus_init();
	crypt_errno = crypt_rc < 0 ? errno : 0;
}

static int bmc_probe(void);

/* ---- helpers shared with the other files -------------------------------- */

int bmc_fail_monitoring(struct bmc *b, struct hwh_ctx *ctx, ipmi_monitoring_ctx_t m,
			const char *what)
{
	int errnum = ipmi_monitoring_ctx_errnum(m);
	const char *msg = ipmi_monitoring_ctx_errormsg(m);

	/* In band, FreeIPMI says "internal system error" for a missing BMC. */
	const char *hint =
	    b->o.host == NULL && errnum == IPMI_MONITORING_ERR_SYSTEM_ERROR && !bmc_probe()
		? "; no /dev/ipmi0: no BMC here, or its driver (ipmi_si, "
		  "ipmi_devintf) is not loaded"
		: "";

	if (snprintf(b->last_err, sizeof b->last_err, "%s: %s (%s)%s", what,
		     msg ? msg : "unknown error", b->conn, hint) >= (int)sizeof b->last_err)
		b->last_err[sizeof b->last_err - 2] = '~'; /* cut short: say so */
	hwh_error(ctx, "%s", b->last_err);
	return bmc_errno_monitoring(errnum);
}

/* ---- set-up ------------------------------------------------------------- */

/* mkdir -p path, new directories with mode.  0, or a negative errno with
 * hwh_error() called. */
static int mkdir_p(struct hwh_ctx *ctx, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	struct stat st;

	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		hwh_error(ctx, "sdr-cache-dir %s: path too long", path);
		return -ENAMETOOLONG;
	}
	for (char *p = buf + 1;; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST) {
			int err = errno;

			hwh_error(ctx, "sdr-cache-dir %s: cannot create %s: %s", path, buf,
				  strerror(err));
			return -err;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		hwh_error(ctx, "sdr-cache-dir %s: not a directory", path);
		return -ENOTDIR;
	}
	return 0;
}

/* The connection settings libipmimonitoring takes, pointing into b->o. */
static void cfg_fill(struct bmc *b)
{
	struct ipmi_monitoring_ipmi_config *c = &b->cfg;
	struct bmc_opts *o = &b->o;

	memset(c, 0, sizeof *c);
	c->driver_type = o->driver; /* < 0: probe */
	c->driver_device = o->driver_device;
	c->protocol_version = o->proto == BMC_LAN ? IPMI_MONITORING_PROTOCOL_VERSION_1_5
						  : IPMI_MONITORING_PROTOCOL_VERSION_2_0;
	c->username = o->user;
	c->password = o->password_len > 0 ? o->password : NULL;
	c->k_g = o->k_g_len > 0 ? o->k_g : NULL;
	c->k_g_len = o->k_g_len;
	c->privilege_level = o->privilege;
	c->authentication_type = o->authentication;
	c->cipher_suite_id = o->cipher_suite;
	c->session_timeout_len = (int)o->session_timeout_ms;
	c->retransmission_timeout_len = (int)o->retrans_timeout_ms;
	c->workaround_flags = o->workarounds;
}

/* Load the sensor or SEL interpretation file into m: a configured one must
 * load; FreeIPMI's own (path NULL) may be missing, libipmimonitoring then
 * uses its built-in rules.  0, or -EINVAL with hwh_error() called. */
static int load_interpretation(struct hwh_ctx *ctx, ipmi_monitoring_ctx_t m, int for_sel,
			       const char *path)
{
	const char *key = for_sel ? "sel-interpret-file" : "interpret-file";
	int rc = for_sel ? ipmi_monitoring_ctx_sel_config_file(m, path)
			 : ipmi_monitoring_ctx_sensor_config_file(m, path);

	if (rc == 0)
		return 0;
	if (path != NULL) {
		hwh_error(ctx, "%s %s: %s", key, path, ipmi_monitoring_ctx_errormsg(m));
		return -EINVAL;
	}
	hwh_log(ctx, HWH_LOG_NOTICE,
		"FreeIPMI's %s interpretation file: %s; using libipmimonitoring's built-in rules",
		for_sel ? "SEL" : "sensor", ipmi_monitoring_ctx_errormsg(m));
	return 0;
}

int bmc_ctx_create(struct bmc *b, struct hwh_ctx *ctx, int for_sel, ipmi_monitoring_ctx_t *out)
{
	const char *dir = b->o.sdr_cache_dir;
	ipmi_monitoring_ctx_t m = ipmi_monitoring_ctx_create();
	int rc;

	if (m == NULL) {
		hwh_error(ctx, "libipmimonitoring: cannot create a context: out of memory");
		return -ENOMEM;
	}
	/* A directory it cannot use would make libipmimonitoring fall back
	 * silently to /var/cache/ipmimonitoringsdrcache: check its answer. */
	if (ipmi_monitoring_ctx_sdr_cache_directory(m, dir) < 0 ||
	    ipmi_monitoring_ctx_sdr_cache_filenames(m, BMC_SDR_CACHE_FORMAT) < 0) {
		hwh_error(ctx, "sdr-cache-dir %s: libipmimonitoring refused it: %s", dir,
			  ipmi_monitoring_ctx_errormsg(m));
		ipmi_monitoring_ctx_destroy(m);
		return -EIO;
	}
	rc = load_interpretation(ctx, m, for_sel,
				 for_sel ? b->o.sel_interpret_file : b->o.interpret_file);
	if (rc < 0) {
		ipmi_monitoring_ctx_destroy(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* The SDR cache file libipmimonitoring keeps for this BMC.  0 or -ENOMEM. */
static int set_sdr_path(struct bmc *b, struct hwh_ctx *ctx)
{
	const char *host = b->o.host ? b->o.host : BMC_SDR_CACHE_INBAND;
	size_t len = strlen(b->o.sdr_cache_dir) + strlen(BMC_SDR_CACHE_PREFIX) + strlen(host) + 2;

	if ((b->sdr_path = malloc(len)) == NULL) {
		hwh_error(ctx, "out of memory");
		return -ENOMEM;
	}
	snprintf(b->sdr_path, len, "%s/%s%s", b->o.sdr_cache_dir, BMC_SDR_CACHE_PREFIX, host);
	return 0;
}

/* Drop the contexts and what goes with them; init() can run again. */
static void ctx_teardown(struct bmc *b)
{
	if (b->mon != NULL)
		ipmi_monitoring_ctx_destroy(b->mon);
	if (b->selmon != NULL)
		ipmi_monitoring_ctx_destroy(b->selmon);
	b->mon = b->selmon = NULL;
	b->selmon_held = 0;
	free(b->sdr_path);
	b->sdr_path = NULL;
}

/* Create the SDR cache directory and the contexts: one for the sensors,
 * one for the SEL (see ipmi_sel.c for why two).  0, or a negative errno
 * with hwh_error() called and nothing left behind. */
static int ctx_setup(struct bmc *b, struct hwh_ctx *ctx)
{
	int rc;

	if ((rc = mkdir_p(ctx, b->o.sdr_cache_dir, BMC_DIR_MODE)) < 0 ||
	    (rc = set_sdr_path(b, ctx)) < 0 ||
	    (b->o.sensors && (rc = bmc_ctx_create(b, ctx, 0, &b->mon)) < 0) ||
	    (b->o.sel && (rc = bmc_ctx_create(b, ctx, 1, &b->selmon)) < 0)) {
		ctx_teardown(b);
		return rc;
	}
	cfg_fill(b);
	return 0;
}

/* ---- the plugin callbacks ----------------------------------------------- */

static int bmc_probe(void)
{
	static const char *const devs[] = {"/dev/ipmi0", "/dev/ipmi/0", "/dev/ipmidev/0"};

	for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++)
		if (access(devs[i], F_OK) == 0)
			return 1;
	return 0;
}

static void bmc_free(struct bmc *b)
{
	ctx_teardown(b);
	bmc_thr_free(&b->thr);
	bmc_names_free(&b->names);
	bmc_opts_free(&b->o);
	free(b);
}

static int bmc_config(const struct hwh_option *opts, size_t nopts, void **inst,
		      struct hwh_config_error *err)
{
	struct bmc *b = calloc(1, sizeof *b);

	if (b == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	if (bmc_opts_parse(opts, nopts, &b->o, err) < 0) {
		bmc_free(b);
		return -1;
	}
	bmc_describe(&b->o, b->conn, sizeof b->conn);
	*inst = b;
	return 0;
}

static int bmc_init(void *inst, struct hwh_ctx *ctx)
{
	struct bmc *b = inst;
	int rc;

	pthread_once(&lib_once, lib_init);
	if (lib_rc < 0) {
		hwh_error(ctx, "libipmimonitoring: initialisation failed: %s",
			  ipmi_monitoring_ctx_strerror(lib_errnum));
		return -EIO;
	}
	if (crypt_rc < 0) {
		hwh_error(ctx, "libfreeipmi: cannot set up its crypto library (libgcrypt): %s",
			  strerror(crypt_errno));
		return -EIO;
	}
	if (b->sdr_path == NULL && (rc = ctx_setup(b, ctx)) < 0)
		return rc; /* the core calls init() again at the next interval */
	hwh_log(ctx, HWH_LOG_INFO,
		"BMC %s; session timeout %u ms; SDR cache %s; sensors %s, SEL %s", b->conn,
		b->o.session_timeout_ms, b->sdr_path, b->o.sensors ? "yes" : "no",
		b->o.sel ? "yes" : "no");
	return 0;
}

/*
 * In band, FreeIPMI looks for the BMC (ACPI SPMI, SMBIOS, PCI) on every
 * call, and libfreeipmi 1.6.10 leaks 32 bytes per look when there is none
 * (ipmi_locate_acpi_spmi_get_device_info).  So after a failed in-band poll
 * the library is asked again only after a wait doubling from
 * BMC_INBAND_RETRY_MIN_MS to BMC_INBAND_RETRY_MAX_MS, and the polls in
 * between report the same error: a node without a BMC, or without its
 * driver loaded, costs a few hundred bytes a day, and the source recovers
 * within the hour once the driver is there (sooner with a rescan).
 */
static int inband_waiting(struct bmc *b, struct hwh_ctx *ctx)
{
	uint64_t now = pu_mono_ms();

	if (b->o.host != NULL || b->inband_next_ms == 0 || now >= b->inband_next_ms)
		return 0;
	/* Worded to stay the same during a wait: the core logs each change. */
	hwh_error(ctx, "%s; asked again %llu s after the last try", b->last_err,
		  (unsigned long long)b->inband_wait_ms / 1000);
	return 1;
}

static void inband_result(struct bmc *b, int rc)
{
	if (b->o.host != NULL)
		return;
	if (rc >= 0) {
		b->inband_next_ms = 0;
		b->inband_backoff_ms = BMC_INBAND_RETRY_MIN_MS;
		return;
	}
	if (b->inband_backoff_ms < BMC_INBAND_RETRY_MIN_MS)
		b->inband_backoff_ms = BMC_INBAND_RETRY_MIN_MS;
	b->inband_rc = rc;
	b->inband_wait_ms = b->inband_backoff_ms;
	b->inband_next_ms = pu_mono_ms() + b->inband_backoff_ms;
	if (b->inband_backoff_ms < BMC_INBAND_RETRY_MAX_MS)
		b->inband_backoff_ms *= 2;
}

static int bmc_poll(void *inst, struct hwh_ctx *ctx)
{
	struct bmc *b = inst;
	int thr = 0, rc;

	if (inband_waiting(b, ctx))
		return b->inband_rc;
	if (b->o.sensors && (thr = bmc_read_sensors(b, ctx)) < 0) {
		inband_result(b, thr);
		return thr; /* no SEL either: a dead BMC costs one session timeout */
	}
	inband_result(b, 0);
	if (b->o.sel && !hwh_stopping(ctx) && (rc = bmc_sel_poll(b, ctx)) < 0)
		return rc; /* the readings stand; the SEL's error is the poll's */
	if (thr > 0) {
		hwh_error(ctx, "%s (%s)", b->thr.err, b->conn);
		return -EIO;
	}
	return 0;
}

/* Fetch the SDR again and ask Get SEL Info at the next poll, which the core
 * runs right after this. */
static int bmc_rescan(void *inst, struct hwh_ctx *ctx)
{
	struct bmc *b = inst;

	(void)ctx;
	b->reread_sdr = 1;
	b->info.next_ms = 0;
	b->inband_next_ms = 0; /* in band: ask the library again now */
	return 0;
}

static void bmc_shutdown(void *inst)
{
	bmc_free(inst);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "ipmi",
	.description = "IPMI BMC sensors, thresholds and System Event Log (FreeIPMI "
		       "libipmimonitoring), in-band or over LAN",
	.probe = bmc_probe,
	.config = bmc_config,
	.init = bmc_init,
	.poll = bmc_poll,
	.rescan = bmc_rescan,
	.act = NULL,
	.shutdown = bmc_shutdown,
};
/* clang-format on */
