/*
 * ipmi_internal.h: what the ipmi plugin's files share, and nothing the core
 * sees.  The plugin (build/plugins/ipmi.so) is five files:
 *
 *   ipmi.c        the hwh_plugin descriptor and its callbacks: config, init
 *                 (library and context set-up), poll, rescan, shutdown
 *   ipmi_opts.c   option parsing and validation (pure C: no library calls,
 *                 so the unit tests and a fuzz target link it alone)
 *   ipmi_read.c   sensor readings through libipmimonitoring, thresholds from
 *                 the SDR cache file through libfreeipmi
 *   ipmi_sel.c    the System Event Log: new records as events, the read
 *                 position, and SEL fullness (Get SEL Info, libfreeipmi)
 *   ipmi_class.c  pure mappings: sensor name -> metric name, SEL record ->
 *                 event type, units -> kind, threshold bits -> flags,
 *                 library error -> errno (unit-tested and fuzzed too)
 *
 * One instance is one BMC.  Its libipmimonitoring context is created in
 * init() and used only by the instance's own thread.  Every function
 * declared here is hidden (BMC_HIDDEN): the .so exports hwh_plugin alone.
 * The prefix is bmc_, never ipmi_, which libfreeipmi uses for its own
 * symbols.
 *
 * To extend: an option goes in struct bmc_opts and ipmi_opts.c's table; a
 * per-instance field read by several files goes in struct bmc; a pure
 * helper another file calls is declared here with BMC_HIDDEN and tested in
 * tests/unit/check_ipmi.c.
 */
#ifndef HWH_IPMI_INTERNAL_H
#define HWH_IPMI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <ipmi_monitoring.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"

/* Shared between this plugin's files, not exported from ipmi.so. */
#define BMC_HIDDEN __attribute__((visibility("hidden")))

#define BMC_HOST_MAX 64		    /* bytes of "host" or "host:port": FreeIPMI's limit */
#define BMC_USER_MAX 16		    /* IPMI user names */
#define BMC_PASSWORD_MAX_LAN 16	    /* IPMI 1.5 passwords */
#define BMC_PASSWORD_MAX_LANPLUS 20 /* IPMI 2.0 passwords */
#define BMC_K_G_MAX 20		    /* IPMI 2.0 BMC key */
#define BMC_NAME_MAX 64		    /* metric name with its NUL: fits an event's device */
#define BMC_NAME_BASE_MAX 44	    /* sanitized part, leaving room for "_65535_255" */
#define BMC_DRIVER_AUTO (-1)	    /* in-band driver: let FreeIPMI probe */

/* The SDR cache file libipmimonitoring keeps: "<dir>/hwhealth-sdr.<host>",
 * with "localhost" for in-band (libipmimonitoring's own choice). */
#define BMC_SDR_CACHE_FORMAT "hwhealth-sdr.%H"
#define BMC_SDR_CACHE_PREFIX "hwhealth-sdr."
#define BMC_SDR_CACHE_INBAND "localhost"

/* State key of the SEL read position (hwh_state_set). */
#define BMC_STATE_SEL "sel"

/* How the BMC is reached. */
enum bmc_proto {
	BMC_INBAND = 0, /* no host: the local BMC through a driver */
	BMC_LAN,	/* IPMI 1.5 over LAN */
	BMC_LANPLUS,	/* IPMI 2.0 / RMCP+ over LAN */
};

/* The options of one source block, validated (ipmi_opts.c). */
struct bmc_opts {
	char *host;	     /* "host" or "host:port", NULL = in-band */
	int driver;	     /* BMC_DRIVER_AUTO or IPMI_MONITORING_DRIVER_TYPE_* */
	char *driver_device; /* e.g. "/dev/ipmi0", or NULL */
	enum bmc_proto proto;
	char *user;				     /* NULL = null user */
	char password[BMC_PASSWORD_MAX_LANPLUS + 1]; /* wiped when freed */
	size_t password_len;			     /* bytes in password */
	unsigned char k_g[BMC_K_G_MAX];		     /* BMC key, binary */
	unsigned k_g_len;			     /* 0 = none */
	int privilege;				     /* IPMI_MONITORING_PRIVILEGE_LEVEL_* */
	int authentication;			     /* IPMI_MONITORING_AUTHENTICATION_TYPE_* */
	int cipher_suite;			     /* 0..17, one of the IPMI 2.0 ids */
	unsigned workarounds;			     /* IPMI_MONITORING_WORKAROUND_FLAGS_* */
	unsigned session_timeout_ms;		     /* one libipmimonitoring call at most */
	unsigned retrans_timeout_ms;		     /* resend an unanswered packet after */
	char *sdr_cache_dir;			     /* absolute */
	char *interpret_file;			     /* absolute, or NULL for FreeIPMI's */
	char *sel_interpret_file;		     /* absolute, or NULL for FreeIPMI's */
	int sensors;				     /* read the sensors */
	int sel;				     /* read the SEL */
	uint64_t sel_info_interval_ms;		     /* Get SEL Info at most this often */
};

/* Where the SEL was read up to: the last record reported. */
struct bmc_sel_pos {
	unsigned id; /* record id; 0 with ts 0: the SEL was empty */
	unsigned ts; /* its timestamp */
};

/* One sensor's metric name, kept so that it does not change between polls. */
struct bmc_name {
	uint32_t key;		 /* record id << 8 | sensor number */
	uint32_t gen;		 /* the last poll that used it */
	char *label;		 /* the sensor name it was made from */
	char name[BMC_NAME_MAX]; /* the metric name */
};

/* The metric names of one BMC, sorted by key. */
struct bmc_names {
	struct bmc_name *v;
	size_t n, cap;
	uint32_t gen; /* the current poll */
};

/* Threshold limits of one threshold sensor, from the SDR cache. */
struct bmc_thr {
	uint16_t rid;		   /* SDR record id */
	double lim[HWH_LIM_COUNT]; /* NAN where not readable */
};

/* Thresholds of every threshold sensor of the SDR cache file, and which
 * version of the file they came from. */
struct bmc_thr_table {
	struct bmc_thr *v; /* sorted by rid */
	size_t n;
	int loaded; /* v is the file below */
	int failed; /* the file below could not be read: err says why */
	dev_t dev;  /* the file's identity when last looked at */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	char err[200];
};

/* The last Get SEL Info answer. */
struct bmc_sel_info {
	int valid;	     /* a Get SEL Info answer was received */
	unsigned entries;    /* records in the SEL */
	unsigned free_bytes; /* space left (0xFFFF = 64 KiB or more) */
	int overflow;	     /* events were dropped: SEL full */
	int unsupported;     /* the BMC refuses Get SEL Info: never ask again */
	uint64_t next_ms;    /* CLOCK_MONOTONIC: ask again from then on */
};

/* One instance: one BMC. */
#define SOURCE_ERR_TEXT 256 /* bytes of an error text kept */

struct bmc {
	struct bmc_opts o;
	char conn[160];		      /* "host, lanplus, cipher suite 3, privilege admin" */
	ipmi_monitoring_ctx_t mon;    /* sensors: init() to shutdown(); this thread only */
	ipmi_monitoring_ctx_t selmon; /* the SEL: made again now and then, see ipmi_sel.c */
	unsigned selmon_held;	      /* SEL records selmon holds */
	struct ipmi_monitoring_ipmi_config cfg; /* points into o */
	char *sdr_path;				/* the SDR cache file */
	int reread_sdr;				/* rescan asked: refetch the SDR next poll */
	char last_err[SOURCE_ERR_TEXT];		/* the last library failure, as reported */
	int inband_rc;				/* in band: the failure repeated until... */
	uint64_t inband_next_ms;		/* ...then (CLOCK_MONOTONIC), 0 = none */
	uint64_t inband_wait_ms;		/* the wait in effect */
	uint64_t inband_backoff_ms;		/* the wait after the next failure */
	struct bmc_thr_table thr;
	struct bmc_names names;
	size_t emit_failed;	/* readings the core refused in the last poll */
	struct bmc_sel_pos pos; /* kept in memory too, for hosts without state */
	int have_pos;
	int pos_warned; /* the kept position was unreadable: said so once */
	struct bmc_sel_info info;
};

/* ---- ipmi_opts.c: options (pure) ---------------------------------------- */

/* Validate opts into o (zeroed by the caller first).  0, or -1 with err set
 * (option index and message); o then holds nothing to free beyond what
 * bmc_opts_free() frees.  Reads password-file; touches no hardware. */
BMC_HIDDEN int bmc_opts_parse(const struct hwh_option *opts, size_t nopts, struct bmc_opts *o,
			      struct hwh_config_error *err);
/* Free what bmc_opts_parse() allocated and wipe the secrets. */
BMC_HIDDEN void bmc_opts_free(struct bmc_opts *o);

/* ---- ipmi_values.c: option values (pure) -------------------------------- */

/* "0x" + hex digits, or text, into a BMC key of 1..20 bytes.  0 or -1. */
BMC_HIDDEN int bmc_parse_k_g(const char *s, unsigned char *out, unsigned *len);
/* A comma list of FreeIPMI workaround names for proto into *flags.  0, or
 * -1 with msg set (without the "workarounds: " prefix). */
BMC_HIDDEN int bmc_parse_workarounds(const char *s, enum bmc_proto proto, unsigned *flags,
				     char *msg, size_t len);
/* "host", "host:port" or "[v6]:port".  0, or -1 with msg set. */
BMC_HIDDEN int bmc_check_host(const char *s, char *msg, size_t len);
/* "yes" or "no" into *b.  0 or -1. */
BMC_HIDDEN int bmc_parse_bool(const char *s, int *b);
/* A word of names[] (NULL-terminated) into the matching vals[].  0 or -1. */
BMC_HIDDEN int bmc_parse_word(const char *s, const char *const *names, const int *vals, int *out);
/* Option key names a readable regular file: its absolute path into *dst
 * (the old one freed).  0, or -1 with msg set, saying expected. */
BMC_HIDDEN int bmc_set_file(char **dst, const char *key, const char *path, const char *expected,
			    char *msg, size_t len);
/* The first line of password-file path into o->password.  0, or -1 with
 * msg set; nothing of the file is left in memory but the password. */
BMC_HIDDEN int bmc_read_password_file(struct bmc_opts *o, const char *path, char *msg, size_t len);

/* ---- ipmi_class.c: pure mappings ---------------------------------------- */

/* The metric name part of a sensor name: ASCII letters (lower-cased) and
 * digits kept, every run of anything else one '_', no '_' at either end,
 * at most BMC_NAME_BASE_MAX bytes.  Returns its length (0: nothing left). */
BMC_HIDDEN size_t bmc_name_sanitize(const char *label, char *out, size_t len);
/* The metric name of sensor (record_id, sensor_number) called label: the
 * same as in earlier polls, or made now (sanitized, "sensor<rid>" when that
 * is empty, "_<rid>" appended when taken, then "_<rid>_<num>").  Marks it
 * used in the current poll.  NULL when out of memory. */
BMC_HIDDEN const char *bmc_names_get(struct bmc_names *t, unsigned record_id,
				     unsigned sensor_number, const char *label);
/* End of a complete poll: forget names not used in it, start the next. */
BMC_HIDDEN void bmc_names_sweep(struct bmc_names *t);
/* The metric name of the sensor a SEL record names: by sensor number and
 * label, else by label alone.  NULL when no sensor matches. */
BMC_HIDDEN const char *bmc_names_find(const struct bmc_names *t, unsigned sensor_number,
				      const char *label);
BMC_HIDDEN void bmc_names_free(struct bmc_names *t);

/* The event class of a SEL system event record, e.g. "ecc-corrected",
 * "fan-critical", "other" (see the table in ipmi_class.c). */
BMC_HIDDEN const char *bmc_sel_class(int sensor_type, int event_type_code, int offset);
/* "sel-" + class + "-cleared" for deassertions, into buf.  Returns buf. */
BMC_HIDDEN const char *bmc_sel_type(char *buf, size_t len, int sensor_type, int event_type_code,
				    int offset, int deasserted);
/* FreeIPMI's SEL interpretation (IPMI_MONITORING_STATE_*) as a severity. */
BMC_HIDDEN enum hwh_severity bmc_sel_severity(int state);
/* A SEL timestamp in ms since the epoch, or 0 for pre-init / post-init
 * times (below 0x20000000), which are not wall-clock times. */
BMC_HIDDEN int64_t bmc_sel_time_ms(unsigned ts);
/* "<id> <ts>" into p.  0, or -1 when s is not that. */
BMC_HIDDEN int bmc_sel_pos_parse(const char *s, struct bmc_sel_pos *p);
/* p as "<id> <ts>".  Returns buf. */
BMC_HIDDEN const char *bmc_sel_pos_format(const struct bmc_sel_pos *p, char *buf, size_t len);

/* The kind and unit of a threshold sensor's IPMI_MONITORING_SENSOR_UNITS_*;
 * *unit is NULL for HWH_KIND_OTHER. */
BMC_HIDDEN enum hwh_kind bmc_units_kind(int units, const char **unit);
/* HWH_F_* of a threshold sensor's event bitmask. */
BMC_HIDDEN unsigned bmc_threshold_flags(unsigned bitmask);
/* A discrete sensor's IPMI_MONITORING_STATE_* as HWH_STATE_*; -1 for
 * unknown. */
BMC_HIDDEN double bmc_state_value(int state);
/* The NULL-terminated strs joined with "; " into out (truncated to fit).
 * Returns out. */
BMC_HIDDEN const char *bmc_join_strings(char *const *strs, char *out, size_t len);
/* "in-band", "lan", "lanplus". */
BMC_HIDDEN const char *bmc_proto_name(enum bmc_proto p);
/* "user", "operator", "admin" for an IPMI_MONITORING_PRIVILEGE_LEVEL_*. */
BMC_HIDDEN const char *bmc_privilege_name(int privilege);
/* How the BMC is reached, for messages: "10.0.0.5:623, lanplus, cipher suite
 * 3, privilege operator", "10.0.0.5, lan, authentication md5, privilege
 * user", "in-band, driver auto".  Returns buf. */
BMC_HIDDEN const char *bmc_describe(const struct bmc_opts *o, char *buf, size_t len);
/* A libipmimonitoring error number as the poll's negative errno:
 * -ETIMEDOUT (no answer), -EACCES (credentials, privilege), -EPROTO (IPMI
 * 2.0, cipher suite, IPMI errors) or -EIO. */
BMC_HIDDEN int bmc_errno_monitoring(int errnum);
/* The same for a libfreeipmi ipmi_ctx error number. */
BMC_HIDDEN int bmc_errno_freeipmi(int errnum);

/* ---- ipmi_read.c: sensor readings --------------------------------------- */

/* Read and emit every sensor.  0; a negative errno with hwh_error() called
 * when the BMC could not be read (nothing emitted); or 1 when the readings
 * were emitted but the thresholds could not be read (b->thr.err says why,
 * nothing reported yet). */
BMC_HIDDEN int bmc_read_sensors(struct bmc *b, struct hwh_ctx *ctx);
BMC_HIDDEN void bmc_thr_free(struct bmc_thr_table *t);

/* ---- ipmi_sel.c: the System Event Log ----------------------------------- */

/* Emit the SEL records added since the last one reported and keep the new
 * position; ask Get SEL Info when the SEL changed or sel-info-interval has
 * passed, and emit the "sel" metrics.  0, or a negative errno with
 * hwh_error() called. */
BMC_HIDDEN int bmc_sel_poll(struct bmc *b, struct hwh_ctx *ctx);

/* ---- ipmi.c -------------------------------------------------------------- */

/* A new libipmimonitoring context for b: its SDR cache directory and file
 * name set, and the sensor (for_sel 0) or SEL (for_sel 1) interpretation
 * file loaded.  0 with *out set, or a negative errno with hwh_error(). */
BMC_HIDDEN int bmc_ctx_create(struct bmc *b, struct hwh_ctx *ctx, int for_sel,
			      ipmi_monitoring_ctx_t *out);
/* Report a failed call on context m: hwh_error() with what, the library's
 * text and b->conn.  Returns the poll's negative errno. */
BMC_HIDDEN int bmc_fail_monitoring(struct bmc *b, struct hwh_ctx *ctx, ipmi_monitoring_ctx_t m,
				   const char *what);

#endif /* HWH_IPMI_INTERNAL_H */
