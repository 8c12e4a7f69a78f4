/*
 * smart_internal.h: what the smart plugin's files share, and nothing the
 * core sees.  The plugin (build/plugins/smart.so) is six files, one job
 * each:
 *
 *   smart.c          the hwh_plugin descriptor and callbacks; one poll:
 *                    scan when due, run smartctl on every drive, classify,
 *                    emit, remember what each drive emitted, drive swaps
 *   smart_opts.c     pure: the options of a source block, checked, and
 *                    the drive ids (metric devices) made from path + type
 *   smart_scan.c     pure: `smartctl --scan[-open] --json=c` output into a
 *                    device list, merged with the configured devices
 *   smart_run.c      posix_spawn of smartctl (cleaned environment, own
 *                    process group, pipes), one poll(2) loop driving up to
 *                    `parallel` children with per-child deadlines, SIGKILL
 *                    of the group and reaping; bounded output
 *   smart_outcome.c  pure: one finished run into ok / standby / failed,
 *                    with the error sentence
 *   smart_emit.c     pure: a struct smart_doc into readings named as the
 *                    contract (docs/hwhealth.conf.5, SMART PLUGIN) says
 *   smart_parse.c    pure C over json-c: one `smartctl --json -a` document
 *                    (ATA, NVMe or SCSI) into a struct smart_doc, with no I/O
 *
 * The pure files are linked alone by the unit tests (check_smart.c,
 * check_smart_plugin.c) and the fuzz targets (fuzz_smart_parse.c,
 * fuzz_smart_opts.c); smart_run.c by the unit tests too (it spawns only
 * what it is given).
 *
 * Every function declared here is hidden (SMART_HIDDEN): a .so exports
 * hwh_plugin alone.
 *
 * To extend: a new value is a field in struct smart_doc with its "has_"
 * flag (every key smartctl prints is optional unless said otherwise), one
 * read in the matching parse_*() of smart_parse.c and one emit in
 * smart_emit.c; a new exit-status or critical-warning bit is a row in
 * smart_parse.c's tables; a new option is a row in smart_opts.c's table.
 */
#ifndef HWH_SMART_INTERNAL_H
#define HWH_SMART_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <hwhealth/plugin.h>

/* Shared between this plugin's files, not exported from a .so. */
#define SMART_HIDDEN __attribute__((visibility("hidden")))

#define SMART_JSON_MAX (4u << 20) /* bytes of one document accepted (smartctl -x: ~100 KiB) */
#define SMART_JSON_DEPTH 16	  /* nesting accepted; the captures reach 8 */
#define SMART_ATTR_MAX 256	  /* ATA attributes kept; ids are 1..255 */
#define SMART_MSG_MAX 8		  /* smartctl.messages[] kept */
#define SMART_STR_MAX 96	  /* bytes of an identity string, message or raw string kept */
#define SMART_NAME_MAX 48	  /* bytes of an attribute name kept */
#define SMART_PATH_MAX 96	  /* bytes of a JSON path in an error message */
#define SMART_ERR_MAX 256	  /* a good size for smart_parse's err buffer */

/* The command set smartctl spoke to the device (device.protocol). */
enum smart_proto {
	SMART_PROTO_UNKNOWN = 0, /* no device.protocol, or one not below */
	SMART_PROTO_ATA,	 /* "ATA": SATA, PATA, and SAT behind a SCSI layer */
	SMART_PROTO_NVME,	 /* "NVMe" */
	SMART_PROTO_SCSI	 /* "SCSI": SAS and parallel SCSI */
};

/* A yes/no that may also be missing from the document. */
enum smart_tri {
	SMART_TRI_ABSENT = 0, /* the key is not in the document */
	SMART_TRI_PASSED,     /* true: passed / completed without error */
	SMART_TRI_FAILED      /* false: failed */
};

/* Bits of smartctl.exit_status, smartctl(8) RETURN VALUES (7.3). */
#define SMART_EXIT_CMDLINE 0x01	     /* bit 0: command line did not parse */
#define SMART_EXIT_OPEN 0x02	     /* bit 1: open failed, no IDENTIFY, or standby (-n) */
#define SMART_EXIT_COMMAND 0x04	     /* bit 2: a SMART/ATA command failed, or a checksum error */
#define SMART_EXIT_FAILING 0x08	     /* bit 3: SMART status "DISK FAILING" */
#define SMART_EXIT_PREFAIL_NOW 0x10  /* bit 4: a prefail attribute <= threshold */
#define SMART_EXIT_THRESH_PAST 0x20  /* bit 5: an attribute was <= threshold in the past */
#define SMART_EXIT_ERROR_LOG 0x40    /* bit 6: the error log has records */
#define SMART_EXIT_SELFTEST_LOG 0x80 /* bit 7: the self-test log has errors */
#define SMART_EXIT_BITS 8

/* Bits of the NVMe SMART/health log's critical_warning (NVMe base spec). */
#define SMART_NVME_CW_SPARE 0x01       /* available spare below its threshold */
#define SMART_NVME_CW_TEMPERATURE 0x02 /* temperature above or below a threshold */
#define SMART_NVME_CW_RELIABILITY 0x04 /* NVM subsystem reliability degraded */
#define SMART_NVME_CW_READ_ONLY 0x08   /* media placed in read-only mode */
#define SMART_NVME_CW_VOLATILE 0x10    /* volatile memory backup device failed */
#define SMART_NVME_CW_PMR 0x20	       /* persistent memory region read-only or unreliable */
#define SMART_NVME_CW_BITS 8	       /* bits 6 and 7 are reserved */

/* when_failed of an ATA attribute. */
enum smart_when {
	SMART_WHEN_NEVER = 0, /* "": value has stayed above thresh */
	SMART_WHEN_NOW,	      /* "now": value <= thresh */
	SMART_WHEN_PAST	      /* "past": worst <= thresh, value recovered */
};

/* One row of ata_smart_attributes.table. */
struct smart_attr {
	unsigned id;		       /* 1..255 */
	char name[SMART_NAME_MAX];     /* "Reallocated_Sector_Ct" */
	unsigned value, worst, thresh; /* normalised, 0..255 */
	uint64_t raw;		       /* raw.value, exact (the whole 48-bit field) */
	char raw_str[SMART_STR_MAX];   /* raw.string, "" when absent */
	enum smart_when when_failed;   /* when_failed */
	bool prefail;		       /* flags.prefailure (or bit 0 of flags.value) */
};

/* The newest entry of a self-test log (ATA or NVMe), when there is one. */
struct smart_selftest {
	bool has;		    /* a log with at least one entry was present */
	char type[SMART_STR_MAX];   /* "Short offline", "Extended Device self-test" */
	char status[SMART_STR_MAX]; /* "Completed without error", "Completed: read failure" */
	unsigned status_value;	    /* ATA status.value / NVMe self_test_result.value */
	enum smart_tri result;	    /* ATA status.passed; NVMe: 0 passed, 3..7 failed */
	bool has_hours;
	uint64_t hours; /* power-on hours at the test */
};

/* nvme_smart_health_information_log. */
struct smart_nvme {
	bool has; /* the log was present */
	uint64_t critical_warning, available_spare, available_spare_threshold, percentage_used,
	    media_errors, num_err_log_entries, unsafe_shutdowns, power_on_hours;
	int64_t temperature; /* degrees Celsius */
	/* Which of the above the log held (critical_warning is required). */
	bool has_available_spare, has_available_spare_threshold, has_percentage_used,
	    has_media_errors, has_num_err_log_entries, has_unsafe_shutdowns, has_power_on_hours,
	    has_temperature;
};

/* scsi_error_counter_log.{read,write,verify}.total_uncorrected_errors. */
enum smart_scsi_dir { SMART_SCSI_READ = 0, SMART_SCSI_WRITE, SMART_SCSI_VERIFY, SMART_SCSI_DIRS };

/* One `smartctl --json` document.  Strings are "" when absent; numbers
 * are valid only when their has_ flag is set. */
struct smart_doc {
	enum smart_proto proto;
	char protocol[16];	      /* device.protocol as printed, "" when absent */
	char dev_name[SMART_STR_MAX]; /* device.name: "/dev/sda" */
	char dev_type[32];	      /* device.type: "sat", "nvme", "scsi" */

	char model[SMART_STR_MAX];    /* model_name, or scsi_model_name */
	char serial[SMART_STR_MAX];   /* serial_number */
	char firmware[SMART_STR_MAX]; /* firmware_version, or scsi_revision */
	bool has_capacity;
	uint64_t capacity_bytes; /* user_capacity.bytes, or nvme_total_capacity */

	unsigned exit_status; /* smartctl.exit_status (required), 0..255 */
	unsigned nmsgs;	      /* smartctl.messages[] kept (at most SMART_MSG_MAX) */
	char msgs[SMART_MSG_MAX][SMART_STR_MAX]; /* their "string"s */

	enum smart_tri passed; /* smart_status.passed */

	bool has_temperature;
	int64_t temperature; /* temperature.current, degrees Celsius */
	bool has_drive_trip;
	int64_t drive_trip; /* temperature.drive_trip (SCSI): the drive's trip point, C */
	bool has_power_on_hours;
	uint64_t power_on_hours; /* power_on_time.hours */

	/* ATA */
	unsigned nattrs;
	struct smart_attr attrs[SMART_ATTR_MAX];
	bool has_error_log;
	uint64_t error_log_count;	/* ata_smart_error_log.{summary,extended}.count */
	struct smart_selftest selftest; /* ATA or NVMe, newest entry */

	/* NVMe */
	struct smart_nvme nvme;

	/* SCSI */
	bool has_grown_defects;
	uint64_t grown_defects; /* scsi_grown_defect_list */
	bool has_uncorrected[SMART_SCSI_DIRS];
	uint64_t uncorrected[SMART_SCSI_DIRS]; /* total_uncorrected_errors per direction */
};

/*
 * Parse one smartctl --json document: json holds len bytes (not
 * NUL-terminated; a NUL inside is an error).  On success returns 0 with
 * *out filled.  On failure returns -1, with *out zeroed and err (size
 * errlen, SMART_ERR_MAX is enough) set to a sentence naming the JSON path
 * ("ata_smart_attributes.table[3].raw.value: expected an unsigned integer,
 * got a string"), or to what was wrong with the text ("truncated JSON
 * ...", "trailing bytes after the JSON document at byte 8").
 * Keeps no state: threads may parse at once.
 */
SMART_HIDDEN int smart_parse(const char *json, size_t len, struct smart_doc *out, char *err,
			     size_t errlen);

/* Short name ("error-log") and smartctl(8)'s meaning ("the device error log
 * contains records of errors") of exit-status bit 0..7; NULL beyond. */
SMART_HIDDEN const char *smart_exit_bit_name(unsigned bit);
SMART_HIDDEN const char *smart_exit_bit_text(unsigned bit);

/* The set bits of an exit status as their short names, joined by ", ",
 * into buf (size len >= 1): "ok" for 0.  Returns the length written
 * (truncated to fit). */
SMART_HIDDEN size_t smart_exit_describe(unsigned status, char *buf, size_t len);

/* Short name of NVMe critical_warning bit 0..7 ("spare-below-threshold");
 * bits 6 and 7 are "reserved-bit-6"/"reserved-bit-7".  NULL beyond. */
SMART_HIDDEN const char *smart_nvme_cw_name(unsigned bit);

/* The set bits of a critical_warning as names joined by ", " ("none" for
 * 0), as smart_exit_describe. */
SMART_HIDDEN size_t smart_nvme_cw_describe(uint64_t cw, char *buf, size_t len);

/* "ATA", "NVMe", "SCSI" or "unknown". */
SMART_HIDDEN const char *smart_proto_name(enum smart_proto p);

/* ---- options and drive ids (smart_opts.c) ------------------------------------ */

#define SMART_SMARTCTL_DEFAULT "/usr/sbin/smartctl"
#define SMART_RESCAN_DEFAULT_MS (3600 * 1000ULL)       /* rescan: 1 h */
#define SMART_DEVICE_TIMEOUT_DEFAULT_MS (30 * 1000ULL) /* device-timeout: 30 s */
#define SMART_PARALLEL_DEFAULT 4
#define SMART_PARALLEL_MAX 64
#define SMART_TYPE_MAX 32     /* bytes of a -d TYPE with its NUL */
#define SMART_DEVPATH_MAX 256 /* bytes of a device path with its NUL */
#define SMART_ID_MAX 96	      /* bytes of a drive id with its NUL */

/* One drive to poll: from a `device` option or from the scan. */
struct smart_devspec {
	char path[SMART_DEVPATH_MAX]; /* "/dev/sda" */
	char type[SMART_TYPE_MAX];    /* smartctl's -d value, "" = let smartctl detect */
	char id[SMART_ID_MAX];	      /* metric device: smart_drive_id(path, type) */
};

/* The options of one source block, checked. */
struct smart_opts {
	char *smartctl;		    /* absolute path of an executable */
	struct smart_devspec *devs; /* `device` options, in order */
	size_t ndevs;
	bool scan;		    /* run --scan-open */
	bool standby;		    /* pass -n standby,3 */
	unsigned parallel;	    /* smartctl processes at once, 1..64 */
	uint64_t rescan_ms;	    /* scan again this often */
	uint64_t device_timeout_ms; /* per smartctl run */
};

/*
 * Check the options of a source block into *o (zeroed first; free it
 * with smart_opts_free() whatever the result).  0, or -1 with err->option
 * the index of the offending option (-1: the block) and err->msg saying
 * what is wrong and what was expected.  Checks that `smartctl` names an
 * executable file (access(2)); touches nothing else.
 */
SMART_HIDDEN int smart_opts_parse(const struct hwh_option *opts, size_t nopts, struct smart_opts *o,
				  struct hwh_config_error *err);
SMART_HIDDEN void smart_opts_free(struct smart_opts *o);

/*
 * The value of a `device` option, "PATH" or "PATH TYPE" (the words of the statement, joined by one
 * space by the config parser), into *d with its id.  PATH must be absolute (so smartctl can never
 * take it for an option), printable, without blanks, shorter than SMART_DEVPATH_MAX; TYPE matches
 * smart_type_ok().  0, or -1 with msg set.
 */
SMART_HIDDEN int smart_devspec_parse(const char *value, struct smart_devspec *d, char *msg,
				     size_t len);

/* Whether type is a -d value we pass on: 1..SMART_TYPE_MAX-1 characters
 * of [A-Za-z0-9,_/-] (sat, nvme, megaraid,3, areca,1/1, sat+... is refused). */
SMART_HIDDEN bool smart_type_ok(const char *type);

/*
 * The drive id of path and type into buf (size len): path without a
 * leading "/dev/" (else without its leading '/'), '/' -> '-'; when type
 * holds a ',', "-" type appended with ',' and '/' -> '-' (of a type with a
 * '+', the part after the last one: sat+megaraid,3 is megaraid,3); any byte
 * outside [A-Za-z0-9_.-] -> '_'.  /dev/bus/0 + megaraid,3 -> bus-0-megaraid-3.
 * 0, or -1 when it does not fit (buf then holds "").
 */
SMART_HIDDEN int smart_drive_id(const char *path, const char *type, char *buf, size_t len);

/* The kept-state key of a drive's serial, "serial:<id>", at most
 * HWH_STATE_KEY_MAX - 1 bytes: a longer id is cut and ends in '~' and
 * 8 hex digits of its FNV-1a hash, so distinct ids keep distinct keys. */
SMART_HIDDEN void smart_serial_key(const char *id, char *buf, size_t len);

/* ---- scan and device list (smart_scan.c) -------------------------------------- */

/* One entry of --scan-open output. */
struct smart_scan_ent {
	char path[SMART_DEVPATH_MAX];	/* devices[].name */
	char type[SMART_TYPE_MAX];	/* devices[].type, "" if absent */
	char open_error[SMART_STR_MAX]; /* devices[].open_error, "" if none */
};

/* What --scan-open printed. */
struct smart_scan {
	struct smart_scan_ent *ents;
	size_t n;
};

/*
 * Parse `smartctl --scan-open --json=c` output (len bytes).  No "devices"
 * key is an empty list (smartctl 7.3 prints none when it finds nothing).
 * 0 with *out filled (free with smart_scan_free()), or -1 with err set.
 */
SMART_HIDDEN int smart_scan_parse(const char *json, size_t len, struct smart_scan *out, char *err,
				  size_t errlen);
SMART_HIDDEN void smart_scan_free(struct smart_scan *s);

/* Why a scan entry was not taken. */
enum smart_skip {
	SMART_SKIP_NONE = 0,   /* taken */
	SMART_SKIP_OPEN_ERROR, /* smartctl could not open it */
	SMART_SKIP_CONFIGURED, /* a `device` option has its id, or its path with no or its type */
	SMART_SKIP_DUPLICATE,  /* an earlier entry has the same drive id */
	SMART_SKIP_BAD_PATH,   /* path or type we would not pass to smartctl */
};

/*
 * The drives to poll: the configured ones, in order, then the scanned ones
 * not skipped (skip[i] says why entry i was, when skip is not NULL).
 * *out is malloc'd (*n entries, possibly 0 with *out NULL).  0 or -ENOMEM.
 */
SMART_HIDDEN int smart_devlist_merge(const struct smart_devspec *conf, size_t nconf,
				     const struct smart_scan *scan, enum smart_skip *skip,
				     struct smart_devspec **out, size_t *n);

/* ---- running smartctl (smart_run.c) ------------------------------------------- */

#define SMART_STDERR_MAX 1024	 /* bytes of a child's stderr kept (the rest is drained) */
#define SMART_WAKE_MS 200	 /* the run loop checks stop and deadlines this often */
#define SMART_REAP_GRACE_MS 1000 /* wait for a SIGKILLed child before handing it over */

/* How one run ended. */
struct smart_result {
	int spawn_err;	/* posix_spawn's error (ENOENT...), 0 if it ran */
	bool timed_out; /* killed at its deadline */
	bool too_big;	/* killed: stdout beyond SMART_JSON_MAX */
	bool stopped;	/* killed: the source is stopping */
	bool exited;	/* exited on its own: exit_code is valid */
	int exit_code;	/* its exit status */
	int signal;	/* the signal that ended it, 0 if none */
	char *out;	/* stdout (NUL-terminated, malloc'd or NULL) */
	size_t out_len;
	char err[SMART_STDERR_MAX]; /* start of stderr, NUL-terminated */
	uint64_t ms;		    /* from spawn to exit */
};

/* One smartctl run: argv in, result out; the rest is the loop's. */
struct smart_job {
	char **argv; /* argv[0] is the executable's path; NULL-terminated */
	struct smart_result res;
	/* private to smart_run.c */
	pid_t pid;
	int fd_out, fd_err;
	uint64_t deadline_ms;
	size_t out_cap, err_len;
	int state;
};

/* Children that did not die within SMART_REAP_GRACE_MS of their SIGKILL
 * (a process stuck in the kernel on a dying disk): reaped later, so none
 * is ever left a zombie. */
struct smart_reaper {
	pid_t *pids;
	size_t n, cap;
};

/* Non-zero when the run must end early (the core is stopping us). */
typedef int (*smart_stop_fn)(void *arg);

/*
 * Run every job, at most parallel at once, each killed (its whole process
 * group, SIGKILL) timeout_ms after its start; stdout is kept up to
 * SMART_JSON_MAX bytes.  Children get stdin /dev/null, an empty signal
 * mask, default signal actions, no other descriptor and the environment
 * PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C only.  When stop(arg)
 * returns non-zero (checked at least every SMART_WAKE_MS) every child is
 * killed and the jobs not started are marked stopped.  Returns 0, or
 * -ENOMEM / the errno of poll(2) (every child is then killed and reaped
 * too).  Free the outputs with smart_jobs_free().
 */
SMART_HIDDEN int smart_run_jobs(struct smart_job *jobs, size_t n, unsigned parallel,
				uint64_t timeout_ms, smart_stop_fn stop, void *arg,
				struct smart_reaper *reaper);
SMART_HIDDEN void smart_jobs_free(struct smart_job *jobs, size_t n);

/* Reap what the reaper holds without waiting; returns how many are left.
 * With wait_ms > 0, keep trying that long. */
SMART_HIDDEN size_t smart_reaper_reap(struct smart_reaper *r, uint64_t wait_ms);
SMART_HIDDEN void smart_reaper_free(struct smart_reaper *r);

/* ---- outcome of one run (smart_outcome.c) ------------------------------------- */

enum smart_outcome {
	SMART_OUT_OK = 0,  /* a document to emit */
	SMART_OUT_STANDBY, /* the disk sleeps: not read, not an error */
	SMART_OUT_FAILED,  /* no usable answer: the drive's metrics are unreadable */
};

/* Why a run failed (for poll()'s return value). */
enum smart_fail {
	SMART_FAIL_NONE = 0, /* not failed */
	SMART_FAIL_TIMEOUT,  /* killed at device-timeout */
	SMART_FAIL_SPAWN,    /* smartctl could not be started */
	SMART_FAIL_OTHER,    /* anything else */
};

/* A run, classified. */
struct smart_verdict {
	enum smart_outcome outcome;
	enum smart_fail fail;
	char mode[16];		      /* standby: "standby", "sleep", "idle" */
	char msg[SMART_ERR_MAX + 64]; /* failed: the error sentence */
};

/*
 * Classify a finished run: parse its output into *doc and decide ok,
 * standby (exit status 3 when standby is on, or a "Device is in MODE mode"
 * message) or failed, with the sentence the contract gives ("smartctl
 * timed out after 30 s (killed)", "smartctl printed no output (exit status
 * 2)", "malformed JSON from smartctl: ...", "device open failed: ...").
 * smartctl is the executable's path (for "cannot run PATH: ...").
 */
SMART_HIDDEN void smart_classify(const struct smart_result *r, bool standby, uint64_t timeout_ms,
				 const char *smartctl, struct smart_doc *doc,
				 struct smart_verdict *v);

/* The mode word of a "Device is in STANDBY mode, exit(3)" message, lower
 * case, into buf ("standby", "sleep", "idle"; "standby" for "STANDBY
 * (OS)"); 1 if msg is such a message, else 0. */
SMART_HIDDEN int smart_standby_message(const char *msg, char *buf, size_t len);

/* ---- readings (smart_emit.c) -------------------------------------------------- */

#define SMART_TEXT_MAX 512 /* bytes of a reading's text */

/* Where smart_emit_doc() sends each reading (hwh_emit, or a test's list).
 * The reading and its strings live only for the call. */
typedef int (*smart_emit_fn)(void *arg, const struct hwh_reading *r);

/*
 * Emit the readings of one parsed document for drive id (type: the -d
 * value used, "" if none).  Every reading goes through fn; returns how
 * many fn refused (returned < 0).
 */
SMART_HIDDEN unsigned smart_emit_doc(const struct smart_doc *d, const char *id, const char *type,
				     smart_emit_fn fn, void *arg);

/* The power_mode reading of a drive that is active (mode NULL) or in a
 * low-power mode ("standby"). */
SMART_HIDDEN int smart_emit_power(const char *id, const char *mode, smart_emit_fn fn, void *arg);

/* The value attrN_raw reports: the leading unsigned integer of raw.string
 * (decimal, or hex after "0x"), else raw.value. */
SMART_HIDDEN uint64_t smart_raw_value(const struct smart_attr *a);

/* Whether attribute id's raw value is a count of events (kind counter). */
SMART_HIDDEN bool smart_attr_is_counter(unsigned id);

/* "2.00 TB", "500 GB", "73.4 GB": bytes with 3 significant digits, SI units. */
SMART_HIDDEN void smart_format_bytes(uint64_t bytes, char *buf, size_t len);

#endif /* HWH_SMART_INTERNAL_H */
