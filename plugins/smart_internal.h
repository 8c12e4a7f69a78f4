/*
 * smart_internal.h: what the smart plugin's files share, and nothing the
 * core sees.  So far the plugin is one file:
 *
 *   smart_parse.c  pure C over json-c: one `smartctl --json -a` document
 *                  (ATA, NVMe or SCSI) into a struct smart_doc, with no I/O
 *                  (linked alone by tests/unit/check_smart.c and
 *                  tests/fuzz/fuzz_smart_parse.c)
 *
 * The poll side (running smartctl with a deadline, standby, discovery,
 * naming the metrics) is still to come: it will live in smart.c and only
 * read a struct smart_doc.
 *
 * Every function declared here is hidden (SMART_HIDDEN): a .so would export
 * hwh_plugin alone.
 *
 * To extend: a new value is a field in the struct below with its "has_"
 * flag (every key smartctl prints is optional unless said otherwise), and
 * one read in the matching parse_*() of smart_parse.c; a new exit-status
 * or critical-warning bit is a row in that file's tables.
 */
#ifndef HWH_SMART_INTERNAL_H
#define HWH_SMART_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif /* HWH_SMART_INTERNAL_H */
