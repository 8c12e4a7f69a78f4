/*
 * ipmi_opts.c: the ipmi plugin's options, parsed and validated.
 *
 * bmc_opts_parse() turns the "key value" options of one source block into
 * struct bmc_opts in three steps: each option on its own (known key, not
 * given twice, value well-formed: opt_defs[] below), then how the BMC is
 * reached (in-band without "host", else protocol lan or lanplus), then
 * whatever depends on that: options that do not fit the protocol,
 * password length, workaround names, timeouts against each other.  Every
 * error names the option and what was expected, and carries the option's
 * index so the core prints its file:line:col.  The first error wins.
 *
 * The values themselves (durations, the BMC key, the host, workaround
 * lists, files) are parsed in ipmi_values.c.  Nothing here calls
 * libipmimonitoring or libfreeipmi (their headers give constants only):
 * the unit tests and the fuzz target link these files alone.  Nothing
 * touches hardware.
 *
 * To extend: a new option is a field in struct bmc_opts, an apply function
 * and a row in opt_defs[] (with the protocols it fits).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ipmi_monitoring.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif
#define BMC_SDR_CACHE_DIR_DEFAULT LOCALSTATEDIR "/cache/hwhealth/ipmi"

#define BMC_SESSION_TIMEOUT_DEFAULT_MS 3000
#define BMC_SESSION_TIMEOUT_MIN_MS 100
#define BMC_SESSION_TIMEOUT_MAX_MS 60000
#define BMC_RETRANS_TIMEOUT_DEFAULT_MS 500
#define BMC_RETRANS_TIMEOUT_MIN_MS 10
#define BMC_SEL_INFO_DEFAULT_MS (5 * 60000)
#define BMC_SEL_INFO_MIN_MS 1000
#define BMC_SEL_INFO_MAX_MS (24 * 3600000)
#define BMC_DIR_MAX (PATH_MAX - BMC_HOST_MAX - 32) /* leaves room for the file name */
#define BMC_KEY_SHOWN 24			   /* bytes of an unknown key quoted */

/* Which ways of reaching the BMC an option fits. */
enum fit {
	FIT_ALL,     /* any */
	FIT_NET,     /* lan and lanplus: a host is needed */
	FIT_LAN,     /* lan (IPMI 1.5) only */
	FIT_LANPLUS, /* lanplus (IPMI 2.0) only */
	FIT_INBAND,  /* in-band only: no host */
};

/* Indexes into opt_defs[], in its order. */
enum opt_id {
	O_HOST,
	O_DRIVER,
	O_DRIVER_DEVICE,
	O_PROTOCOL,
	O_USER,
	O_PASSWORD,
	O_PASSWORD_FILE,
	O_K_G,
	O_PRIVILEGE,
	O_AUTHENTICATION,
	O_CIPHER_SUITE,
	O_WORKAROUNDS,
	O_SESSION_TIMEOUT,
	O_RETRANS_TIMEOUT,
	O_SDR_CACHE_DIR,
	O_INTERPRET_FILE,
	O_SEL_INTERPRET_FILE,
	O_SENSORS,
	O_SEL,
	O_SEL_INFO_INTERVAL,
	O_COUNT /* number of options, not an option */
};

/* Apply one option's value to o.  0, or -1 with msg set. */
typedef int (*opt_apply_fn)(struct bmc_opts *o, const char *key, const char *val, char *msg,
			    size_t len);

struct opt_def {
	const char *key;
	enum fit fit;
	opt_apply_fn apply; /* NULL: checked after the protocol is known */
};

/* ---- one option each ---------------------------------------------------- */

static int set_str(char **dst, const char *val, const char *key, char *msg, size_t len)
{
	free(*dst);
	if ((*dst = strdup(val)) == NULL) {
		snprintf(msg, len, "%s: out of memory", key);
		return -1;
	}
	return 0;
}

static int apply_host(struct bmc_opts *o, const char *key, const char *val, char *msg, size_t len)
{
	if (bmc_check_host(val, msg, len) < 0)
		return -1;
	return set_str(&o->host, val, key, msg, len);
}

static int apply_driver(struct bmc_opts *o, const char *key, const char *val, char *msg, size_t len)
{
	static const char *const names[] = {"auto", "kcs", "ssif", "openipmi", "sunbmc", NULL};
	static const int vals[] = {
	    BMC_DRIVER_AUTO, IPMI_MONITORING_DRIVER_TYPE_KCS, IPMI_MONITORING_DRIVER_TYPE_SSIF,
	    IPMI_MONITORING_DRIVER_TYPE_OPENIPMI, IPMI_MONITORING_DRIVER_TYPE_SUNBMC};

	if (bmc_parse_word(val, names, vals, &o->driver) == 0)
		return 0;
	snprintf(msg, len, "%s: expected auto, kcs, ssif, openipmi or sunbmc, got '%s'", key, val);
	return -1;
}

static int apply_driver_device(struct bmc_opts *o, const char *key, const char *val, char *msg,
			       size_t len)
{
	if (val[0] != '/' || strlen(val) >= PATH_MAX) {
		snprintf(msg, len,
			 "%s: expected an absolute device path such as /dev/ipmi0, got "
			 "'%s'",
			 key, val);
		return -1;
	}
	return set_str(&o->driver_device, val, key, msg, len);
}

static int apply_protocol(struct bmc_opts *o, const char *key, const char *val, char *msg,
			  size_t len)
{
	if (strcmp(val, "lan") == 0 || strcmp(val, "lanplus") == 0) {
		o->proto = val[3] == '\0' ? BMC_LAN : BMC_LANPLUS;
		return 0;
	}
	snprintf(msg, len, "%s: expected lan (IPMI 1.5) or lanplus (IPMI 2.0), got '%s'", key, val);
	return -1;
}

static int apply_user(struct bmc_opts *o, const char *key, const char *val, char *msg, size_t len)
{
	if (strlen(val) > BMC_USER_MAX) {
		snprintf(msg, len, "%s: at most %d bytes (an IPMI user name), got %zu", key,
			 BMC_USER_MAX, strlen(val));
		return -1;
	}
	return set_str(&o->user, val, key, msg, len);
}

static int apply_password(struct bmc_opts *o, const char *key, const char *val, char *msg,
			  size_t len)
{
	size_t n = strlen(val);

	if (n > BMC_PASSWORD_MAX_LANPLUS) {
		snprintf(msg, len,
			 "%s: at most %d bytes with lanplus and %d with lan, got %zu bytes", key,
			 BMC_PASSWORD_MAX_LANPLUS, BMC_PASSWORD_MAX_LAN, n);
		return -1;
	}
	memcpy(o->password, val, n + 1);
	o->password_len = n;
	return 0;
}

static int apply_password_file(struct bmc_opts *o, const char *key, const char *val, char *msg,
			       size_t len)
{
	(void)key;
	return bmc_read_password_file(o, val, msg, len);
}

static int apply_k_g(struct bmc_opts *o, const char *key, const char *val, char *msg, size_t len)
{
	if (bmc_parse_k_g(val, o->k_g, &o->k_g_len) == 0)
		return 0;
	snprintf(msg, len,
		 "%s: expected the BMC key as text of at most %d bytes, or 0x and an even "
		 "number of hex digits (at most %d), such as 0x0123456789abcdef",
		 key, BMC_K_G_MAX, 2 * BMC_K_G_MAX);
	return -1;
}

static int apply_privilege(struct bmc_opts *o, const char *key, const char *val, char *msg,
			   size_t len)
{
	static const char *const names[] = {"user", "operator", "admin", NULL};
	static const int vals[] = {IPMI_MONITORING_PRIVILEGE_LEVEL_USER,
				   IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR,
				   IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN};

	if (bmc_parse_word(val, names, vals, &o->privilege) == 0)
		return 0;
	snprintf(msg, len, "%s: expected user, operator or admin, got '%s'", key, val);
	return -1;
}

static int apply_authentication(struct bmc_opts *o, const char *key, const char *val, char *msg,
				size_t len)
{
	static const char *const names[] = {"none", "straight", "md2", "md5", NULL};
	static const int vals[] = {IPMI_MONITORING_AUTHENTICATION_TYPE_NONE,
				   IPMI_MONITORING_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY,
				   IPMI_MONITORING_AUTHENTICATION_TYPE_MD2,
				   IPMI_MONITORING_AUTHENTICATION_TYPE_MD5};

	if (bmc_parse_word(val, names, vals, &o->authentication) == 0)
		return 0;
	snprintf(msg, len, "%s: expected none, straight, md2 or md5, got '%s'", key, val);
	return -1;
}

/* Cipher suite 0 (no authentication, no integrity, no encryption) is not
 * offered: libipmimonitoring 1.6.10 takes 0 as "the default" and silently
 * uses 3, so asking for it would not get it (measured). */
static int apply_cipher_suite(struct bmc_opts *o, const char *key, const char *val, char *msg,
			      size_t len)
{
	static const char *const names[] = {"1",  "2",	"3",  "6",  "7",  "8",
					    "11", "12", "15", "16", "17", NULL};
	static const int vals[] = {1, 2, 3, 6, 7, 8, 11, 12, 15, 16, 17};

	if (bmc_parse_word(val, names, vals, &o->cipher_suite) == 0)
		return 0;
	if (strcmp(val, "0") == 0) {
		snprintf(msg, len,
			 "%s: cipher suite 0 (no authentication) cannot be used: "
			 "libipmimonitoring takes 0 as its default, 3; choose 1, 2, 3, 6, 7, 8, "
			 "11, 12, 15, 16 or 17",
			 key);
		return -1;
	}
	snprintf(msg, len,
		 "%s: expected an IPMI 2.0 cipher suite id: 1, 2, 3, 6, 7, 8, 11, 12, 15, 16 or "
		 "17, got '%s'",
		 key, val);
	return -1;
}

static int apply_session_timeout(struct bmc_opts *o, const char *key, const char *val, char *msg,
				 size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms < BMC_SESSION_TIMEOUT_MIN_MS ||
	    ms > BMC_SESSION_TIMEOUT_MAX_MS) {
		snprintf(msg, len,
			 "%s: expected a duration from 100ms to 60s such as 500ms or 3s, got "
			 "'%s'",
			 key, val);
		return -1;
	}
	o->session_timeout_ms = (unsigned)ms;
	return 0;
}

static int apply_retrans_timeout(struct bmc_opts *o, const char *key, const char *val, char *msg,
				 size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms < BMC_RETRANS_TIMEOUT_MIN_MS ||
	    ms > BMC_SESSION_TIMEOUT_MAX_MS) {
		snprintf(msg, len,
			 "%s: expected a duration from 10ms to below the session-timeout such "
			 "as 250ms or 1s, got '%s'",
			 key, val);
		return -1;
	}
	o->retrans_timeout_ms = (unsigned)ms;
	return 0;
}

static int apply_sdr_cache_dir(struct bmc_opts *o, const char *key, const char *val, char *msg,
			       size_t len)
{
	char cwd[PATH_MAX], *abs;

	if (strlen(val) >= BMC_DIR_MAX) {
		snprintf(msg, len, "%s: path too long (at most %d bytes)", key, BMC_DIR_MAX - 1);
		return -1;
	}
	if (val[0] == '/')
		return set_str(&o->sdr_cache_dir, val, key, msg, len);
	/* Relative: resolve it now, the daemon may change directory. */
	if (getcwd(cwd, sizeof cwd) == NULL) {
		snprintf(msg, len, "%s: cannot make '%s' absolute: %s", key, val, strerror(errno));
		return -1;
	}
	if (strlen(cwd) + 1 + strlen(val) >= BMC_DIR_MAX ||
	    (abs = malloc(strlen(cwd) + strlen(val) + 2)) == NULL) {
		snprintf(msg, len, "%s: path too long (at most %d bytes)", key, BMC_DIR_MAX - 1);
		return -1;
	}
	snprintf(abs, strlen(cwd) + strlen(val) + 2, "%s/%s", cwd, val);
	free(o->sdr_cache_dir);
	o->sdr_cache_dir = abs;
	return 0;
}

static int apply_interpret_file(struct bmc_opts *o, const char *key, const char *val, char *msg,
				size_t len)
{
	return bmc_set_file(&o->interpret_file, key, val,
			    "a readable freeipmi_interpret_sensor.conf-style file", msg, len);
}

static int apply_sel_interpret_file(struct bmc_opts *o, const char *key, const char *val, char *msg,
				    size_t len)
{
	return bmc_set_file(&o->sel_interpret_file, key, val,
			    "a readable freeipmi_interpret_sel.conf-style file", msg, len);
}

static int apply_sensors(struct bmc_opts *o, const char *key, const char *val, char *msg,
			 size_t len)
{
	if (bmc_parse_bool(val, &o->sensors) == 0)
		return 0;
	snprintf(msg, len, "%s: expected yes or no, got '%s'", key, val);
	return -1;
}

static int apply_sel(struct bmc_opts *o, const char *key, const char *val, char *msg, size_t len)
{
	if (bmc_parse_bool(val, &o->sel) == 0)
		return 0;
	snprintf(msg, len, "%s: expected yes or no, got '%s'", key, val);
	return -1;
}

static int apply_sel_info_interval(struct bmc_opts *o, const char *key, const char *val, char *msg,
				   size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms < BMC_SEL_INFO_MIN_MS ||
	    ms > BMC_SEL_INFO_MAX_MS) {
		snprintf(msg, len,
			 "%s: expected a duration from 1s to 24h such as 30s or 5m, got '%s'", key,
			 val);
		return -1;
	}
	o->sel_info_interval_ms = ms;
	return 0;
}

/* clang-format off */
static const struct opt_def opt_defs[O_COUNT] = {
	[O_HOST] = {"host", FIT_ALL, apply_host},
	[O_DRIVER] = {"driver", FIT_INBAND, apply_driver},
	[O_DRIVER_DEVICE] = {"driver-device", FIT_INBAND, apply_driver_device},
	[O_PROTOCOL] = {"protocol", FIT_NET, apply_protocol},
	[O_USER] = {"user", FIT_NET, apply_user},
	[O_PASSWORD] = {"password", FIT_NET, apply_password},
	[O_PASSWORD_FILE] = {"password-file", FIT_NET, apply_password_file},
	[O_K_G] = {"k_g", FIT_LANPLUS, apply_k_g},
	[O_PRIVILEGE] = {"privilege", FIT_NET, apply_privilege},
	[O_AUTHENTICATION] = {"authentication", FIT_LAN, apply_authentication},
	[O_CIPHER_SUITE] = {"cipher-suite", FIT_LANPLUS, apply_cipher_suite},
	[O_WORKAROUNDS] = {"workarounds", FIT_ALL, NULL},
	[O_SESSION_TIMEOUT] = {"session-timeout", FIT_NET, apply_session_timeout},
	[O_RETRANS_TIMEOUT] = {"retransmission-timeout", FIT_NET, apply_retrans_timeout},
	[O_SDR_CACHE_DIR] = {"sdr-cache-dir", FIT_ALL, apply_sdr_cache_dir},
	[O_INTERPRET_FILE] = {"interpret-file", FIT_ALL, apply_interpret_file},
	[O_SEL_INTERPRET_FILE] = {"sel-interpret-file", FIT_ALL, apply_sel_interpret_file},
	[O_SENSORS] = {"sensors", FIT_ALL, apply_sensors},
	[O_SEL] = {"sel", FIT_ALL, apply_sel},
	[O_SEL_INFO_INTERVAL] = {"sel-info-interval", FIT_ALL, apply_sel_info_interval},
};
/* clang-format on */

/* ---- the whole block ---------------------------------------------------- */

/* Edit distance of a and b, for "did you mean"; both short. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[BMC_KEY_SHOWN + 1];

	if (la > BMC_KEY_SHOWN || lb > BMC_KEY_SHOWN)
		return BMC_KEY_SHOWN;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) !=
							   tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

static void unknown_option(const char *key, char *msg, size_t len)
{
	for (int i = 0; i < O_COUNT; i++) {
		if (distance(key, opt_defs[i].key) <= 2) {
			snprintf(msg, len,
				 "unknown option '%.*s' for plugin ipmi (did you mean '%s'?)",
				 BMC_KEY_SHOWN, key, opt_defs[i].key);
			return;
		}
	}
	snprintf(msg, len,
		 "unknown option '%.*s' for plugin ipmi (expected host, driver, protocol, user, "
		 "password, privilege, cipher-suite, workarounds, session-timeout, sensors, sel "
		 "or another ipmi option of hwhealth.conf(5))",
		 BMC_KEY_SHOWN, key);
}

/* Index into opt_defs[] of key, or -1. */
static int opt_find(const char *key)
{
	for (int i = 0; i < O_COUNT; i++)
		if (strcmp(key, opt_defs[i].key) == 0)
			return i;
	return -1;
}

static void set_defaults(struct bmc_opts *o)
{
	o->driver = BMC_DRIVER_AUTO;
	o->proto = BMC_LANPLUS;
	o->privilege = IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR;
	o->authentication = IPMI_MONITORING_AUTHENTICATION_TYPE_MD5;
	o->cipher_suite = 3;
	o->session_timeout_ms = BMC_SESSION_TIMEOUT_DEFAULT_MS;
	o->sensors = 1;
	o->sel = 1;
	o->sel_info_interval_ms = BMC_SEL_INFO_DEFAULT_MS;
}

/* Step 1: each option alone; where[] gets each known option's index. */
static int parse_each(const struct hwh_option *opts, size_t nopts, struct bmc_opts *o, int *where,
		      struct hwh_config_error *err)
{
	for (size_t i = 0; i < nopts; i++) {
		const struct hwh_option *op = &opts[i];
		int id = opt_find(op->key);

		err->option = (int)i;
		if (id < 0) {
			unknown_option(op->key, err->msg, sizeof err->msg);
			return -1;
		}
		if (where[id] >= 0) {
			snprintf(err->msg, sizeof err->msg,
				 "option '%s' given twice (first at line %d)", op->key,
				 opts[where[id]].line);
			return -1;
		}
		where[id] = (int)i;
		if (op->value == NULL || op->value[0] == '\0') {
			snprintf(err->msg, sizeof err->msg, "option '%s' needs a value", op->key);
			return -1;
		}
		if (opt_defs[id].apply != NULL &&
		    opt_defs[id].apply(o, op->key, op->value, err->msg, sizeof err->msg) < 0)
			return -1;
	}
	return 0;
}

/* Does an option that fits "fit" fit the way this source reaches its BMC?
 * 0, or -1 with msg set. */
static int check_fit(const struct bmc_opts *o, const char *key, enum fit fit, char *msg, size_t len)
{
	switch (fit) {
	case FIT_NET:
		if (o->proto != BMC_INBAND)
			return 0;
		snprintf(msg, len,
			 "%s: only for a BMC reached over the network (set 'host'); without "
			 "'host' this source reads the local BMC in-band",
			 key);
		return -1;
	case FIT_LAN:
	case FIT_LANPLUS:
		if (o->proto == (fit == FIT_LAN ? BMC_LAN : BMC_LANPLUS))
			return 0;
		snprintf(msg, len, "%s: only for protocol %s; this source uses %s", key,
			 fit == FIT_LAN ? "lan (IPMI 1.5)" : "lanplus (IPMI 2.0)",
			 o->proto == BMC_INBAND ? "in-band access (no 'host')"
			 : o->proto == BMC_LAN	? "protocol lan"
						: "protocol lanplus");
		return -1;
	case FIT_INBAND:
		if (o->proto == BMC_INBAND)
			return 0;
		snprintf(msg, len,
			 "%s: only for in-band access (without 'host'); this source "
			 "talks to host %s",
			 key, o->host);
		return -1;
	case FIT_ALL:
	default:
		return 0;
	}
}

/* Step 2 and 3: the protocol, then what depends on it. */
static int parse_cross(const struct hwh_option *opts, size_t nopts, struct bmc_opts *o,
		       const int *where, struct hwh_config_error *err)
{
	char *msg = err->msg;
	size_t len = sizeof err->msg;

	if (o->host == NULL)
		o->proto = BMC_INBAND;
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (check_fit(o, opts[i].key, opt_defs[opt_find(opts[i].key)].fit, msg, len) < 0)
			return -1;
	}
	if (where[O_PASSWORD] >= 0 && where[O_PASSWORD_FILE] >= 0) {
		err->option = where[O_PASSWORD] > where[O_PASSWORD_FILE] ? where[O_PASSWORD]
									 : where[O_PASSWORD_FILE];
		snprintf(msg, len, "%s: give either password or password-file, not both",
			 opts[err->option].key);
		return -1;
	}
	if (o->proto == BMC_LAN && o->password_len > BMC_PASSWORD_MAX_LAN) {
		err->option = where[O_PASSWORD] >= 0 ? where[O_PASSWORD] : where[O_PASSWORD_FILE];
		snprintf(msg, len, "%s: at most %d bytes with protocol lan (IPMI 1.5), got %zu",
			 opts[err->option].key, BMC_PASSWORD_MAX_LAN, o->password_len);
		return -1;
	}
	if (where[O_WORKAROUNDS] >= 0) {
		char why[sizeof err->msg - sizeof "workarounds: " + 1];

		err->option = where[O_WORKAROUNDS];
		if (bmc_parse_workarounds(opts[err->option].value, o->proto, &o->workarounds, why,
					  sizeof why) < 0) {
			snprintf(msg, len, "workarounds: %s", why);
			return -1;
		}
	}
	/* FreeIPMI refuses a retransmission timeout that is not shorter than
	 * the session timeout ("invalid parameters", measured). */
	if (where[O_RETRANS_TIMEOUT] < 0) {
		o->retrans_timeout_ms = BMC_RETRANS_TIMEOUT_DEFAULT_MS < o->session_timeout_ms
					    ? BMC_RETRANS_TIMEOUT_DEFAULT_MS
					    : o->session_timeout_ms / 2;
	} else if (o->retrans_timeout_ms >= o->session_timeout_ms) {
		err->option = where[O_RETRANS_TIMEOUT];
		snprintf(msg, len,
			 "retransmission-timeout: %u ms is not shorter than the session-timeout "
			 "(%u ms); FreeIPMI needs it shorter",
			 o->retrans_timeout_ms, o->session_timeout_ms);
		return -1;
	}
	if (!o->sensors && !o->sel) {
		err->option = where[O_SENSORS] > where[O_SEL] ? where[O_SENSORS] : where[O_SEL];
		snprintf(msg, len,
			 "%s: with both sensors and sel set to no there is nothing to "
			 "read (expected at least one of them yes)",
			 opts[err->option].key);
		return -1;
	}
	return 0;
}

int bmc_opts_parse(const struct hwh_option *opts, size_t nopts, struct bmc_opts *o,
		   struct hwh_config_error *err)
{
	int where[O_COUNT];

	for (int i = 0; i < O_COUNT; i++)
		where[i] = -1;
	set_defaults(o);
	err->option = -1;
	err->msg[0] = '\0';
	if (parse_each(opts, nopts, o, where, err) < 0 ||
	    parse_cross(opts, nopts, o, where, err) < 0)
		return -1;
	if (o->sdr_cache_dir == NULL &&
	    (o->sdr_cache_dir = strdup(BMC_SDR_CACHE_DIR_DEFAULT)) == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	err->option = -1;
	return 0;
}

void bmc_opts_free(struct bmc_opts *o)
{
	free(o->host);
	free(o->driver_device);
	free(o->user);
	free(o->sdr_cache_dir);
	free(o->interpret_file);
	free(o->sel_interpret_file);
	explicit_bzero(o->password, sizeof o->password);
	explicit_bzero(o->k_g, sizeof o->k_g);
	memset(o, 0, sizeof *o);
}
