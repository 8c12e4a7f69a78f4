/*
 * ipmisim: OpenIPMI's ipmi_sim as a real BMC on loopback, for integration
 * tests of the ipmi source (tests/integration/check_ipmi_daemon.c).
 *
 * ipmisim_init() writes one test BMC into DIR/bmc: lan.conf (LAN on
 * 127.0.0.1:PORT, console on 127.0.0.1:CONSOLE, user admin / adminpw), an
 * .emu command file and an .sdrs file, both generated from the one table
 * ipmisim_bmc[] so that each SDR's readable thresholds are exactly what the
 * .emu's sensor_set_threshold gives to Get Sensor Thresholds (ipmi-sensors
 * reads the latter, the plugin the former).  The SDRs are compiled with
 * `sdrcomp -8` into a fresh ipmi_sim state dir.  Ports are asked of the
 * kernel (bind to port 0), never fixed: other tests and benchmarks may run
 * simulators on this machine at the same time.
 *
 * ipmisim_start() runs ipmi_sim as a child of the test process (SIGPIPE
 * ignored, -n, PR_SET_PDEATHSIG) and waits, bounded, until that very
 * process owns its UDP and TCP ports (/proc/net/{udp,tcp} and
 * /proc/PID/fd); ipmisim_stop() sends SIGTERM and reaps it; ipmisim_start()
 * again restarts it on the same state dir and ports.  Console commands go
 * over plain TCP (ipmisim_console); the FreeIPMI tools run against the same
 * BMC and their comma-separated output is parsed (ipmisim_sensors,
 * ipmisim_sel, ipmisim_sel_info), so tests compare the daemon with what
 * ipmi-sensors / ipmi-sel say rather than with hard-coded numbers.
 *
 * Helpers abort the running test (ck_abort_msg) on anything they cannot
 * recover from, quoting the simulator's stderr.  check's fork mode kills
 * the test's process group when a test ends, and the simulator also dies
 * with the test process (PR_SET_PDEATHSIG), so a failed test leaves nothing
 * behind; a passing one should still call ipmisim_stop().
 *
 * To extend the BMC: add a row to ipmisim_bmc[] in ipmisim.c (a new sensor
 * number and an IPMISIM_S_* constant below); .emu and .sdrs follow.
 */
#ifndef HWH_IPMISIM_H
#define HWH_IPMISIM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "testlib.h"

#define IPMISIM_START_TIMEOUT_MS 5000	/* ports owned by the new process by then */
#define IPMISIM_STOP_TIMEOUT_MS 5000	/* exit after SIGTERM by then, else SIGKILL */
#define IPMISIM_CONSOLE_TIMEOUT_MS 3000 /* one console command */
#define IPMISIM_TOOL_TIMEOUT_MS 20000	/* one ipmi-sensors / ipmi-sel run */

#define IPMISIM_USER "admin"
#define IPMISIM_PASSWORD "adminpw"

/* Sensor numbers of the test BMC (ipmisim_bmc[]). */
enum {
	IPMISIM_S_INLET_TEMP = 1,     /* threshold, °C, upper/lower nc+c only */
	IPMISIM_S_CPU_TEMP = 2,	      /* threshold, °C, value from the temp file */
	IPMISIM_S_FAN1 = 3,	      /* threshold, RPM (raw x 50) */
	IPMISIM_S_12V = 4,	      /* threshold, V (raw x 0.06) */
	IPMISIM_S_PSU_CURRENT = 5,    /* threshold, A (raw x 0.1), upper only */
	IPMISIM_S_PSU_POWER = 6,      /* threshold, W (raw x 2), upper only */
	IPMISIM_S_PSU_STATUS = 7,     /* discrete, power supply (0x08) */
	IPMISIM_S_FAN_REDUNDANCY = 8, /* discrete, fan (0x04), redundancy (0x0b) */
	IPMISIM_S_MEMORY = 9,	      /* discrete, memory (0x0c) */
	IPMISIM_S_DRIVE0 = 10,	      /* discrete, drive slot (0x0d) */
	IPMISIM_S_CPU1_STATUS = 11,   /* discrete, processor (0x07) */
	IPMISIM_S_DIMM_B1 = 12,	      /* discrete, memory (0x0c) */
};

/* IPMI sensor type codes used in SEL records. */
#define IPMI_ST_TEMPERATURE 0x01
#define IPMI_ST_FAN 0x04
#define IPMI_ST_PROCESSOR 0x07
#define IPMI_ST_POWER_SUPPLY 0x08
#define IPMI_ST_MEMORY 0x0c
#define IPMI_ST_DRIVE_SLOT 0x0d

/* One sensor of the test BMC. */
struct ipmisim_sensor {
	int num;	  /* sensor number (LUN 0 of MC 0x20) */
	const char *name; /* SDR id string */
	const char *type; /* sdrcomp sensor type name */
	int type_code;	  /* IPMI sensor type code */
	int erc;	  /* event/reading type code: 0x01 threshold, else discrete */
	/* Threshold sensors: value = m * raw * 10^r_exp. */
	const char *unit; /* sdrcomp base unit */
	int m, r_exp;
	const char *readable; /* "unr uc unc lnr lc lnc" bits, leftmost unr, e.g. "111000" */
	int thr[6];	      /* raw lnr, lc, lnc, unc, uc, unr (0 where not readable) */
	int raw;	      /* initial raw reading */
	bool file_backed;     /* read from ipmisim.temp_file (poll 500, div=1000) */
	/* Discrete sensors. */
	int bit; /* state bit asserted at start, -1 none */
};

extern const struct ipmisim_sensor ipmisim_bmc[];
extern const size_t ipmisim_bmc_count;

/* One simulated BMC. */
struct ipmisim {
	char dir[TL_PATH_MAX];	      /* DIR/bmc: lan.conf, bmc.emu, bmc.sdrs, sim.out, sim.err */
	char state[TL_PATH_MAX];      /* DIR/bmc/state (ipmi_sim -s) */
	char temp_file[TL_PATH_MAX];  /* CPU Temp in millidegrees */
	char tool_cache[TL_PATH_MAX]; /* --sdr-cache-directory of the FreeIPMI tools */
	char host[64];		      /* "127.0.0.1:PORT" */
	int port;		      /* UDP, IPMI LAN */
	int console_port;	      /* TCP, ipmi_sim console */
	pid_t pid;		      /* 0 when not running */
	int exit_code;		      /* how the last run ended (128 + signal) */
	int starts;		      /* successful starts so far */
	const struct ipmisim_sensor *extra; /* one more sensor (ipmisim_add_sensor) */
};

/* Write the BMC into dir/bmc with fresh ports, compile its SDRs, set the
 * temp file to 40 °C.  Aborts the test on failure. */
void ipmisim_init(struct ipmisim *s, const char *dir);
/* Give the (stopped) BMC one more sensor after ipmisim_bmc[]: its .emu and
 * SDRs are written and compiled again, as a firmware update or a new part
 * changes a real BMC's SDR repository.  x must outlive s. */
void ipmisim_add_sensor(struct ipmisim *s, const struct ipmisim_sensor *x);
/* Start ipmi_sim and wait until it owns both ports.  On the first start
 * only, ports taken meanwhile by someone else are replaced by new ones. */
void ipmisim_start(struct ipmisim *s);
/* SIGTERM and reap (SIGKILL after IPMISIM_STOP_TIMEOUT_MS).  Returns the
 * exit code (128 + signal); -1 when it was not running. */
int ipmisim_stop(struct ipmisim *s);
/* True while the process has not exited (reaps it when it has). */
bool ipmisim_running(struct ipmisim *s);
/* Contents of DIR/bmc/sim.err, malloc'd (never NULL). */
char *ipmisim_log(struct ipmisim *s);

/*
 * Console.  Sends one command line, waits for the next prompt, returns what
 * the simulator printed in between (malloc'd, \r removed).  Aborts the test
 * when the simulator answers with an error ("**...").
 */
char *ipmisim_console(struct ipmisim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* sensor_set_value MC 0 num raw 1 (the 1 makes the BMC log SEL events). */
void ipmisim_set_value(struct ipmisim *s, int num, int raw);
/* sensor_set_bit MC 0 num bit value 1. */
void ipmisim_set_bit(struct ipmisim *s, int num, int bit, int value);
/* sel_add of a system event record (timestamp filled by the BMC, generator
 * 0x20, EvM rev 4).  event_type has bit 7 set for a deassertion.  Returns
 * the new record id. */
int ipmisim_sel_add(struct ipmisim *s, int sensor_type, int sensor_num, int event_type, int d1,
		    int d2, int d3);
/* Write the CPU Temp file (millidegrees C), in place. */
void ipmisim_set_temp_file(struct ipmisim *s, int millideg);

/* One row of ipmi-sensors --output-sensor-thresholds --output-sensor-state. */
#define IPMISIM_THR_LNR 0
#define IPMISIM_THR_LC 1
#define IPMISIM_THR_LNC 2
#define IPMISIM_THR_UNC 3
#define IPMISIM_THR_UC 4
#define IPMISIM_THR_UNR 5
struct ipmisim_row {
	int id;		  /* SDR record id */
	char name[64];	  /* sensor name */
	char type[64];	  /* "Temperature", "Power Supply"... */
	char state[16];	  /* Nominal, Warning, Critical, N/A */
	double reading;	  /* NAN for N/A */
	char units[16];	  /* "C", "RPM"... or "" for N/A */
	double thr[6];	  /* IPMISIM_THR_*, NAN for N/A */
	char event[512];  /* event strings joined with "; " (quotes removed) */
	int nevents;	  /* how many strings */
	unsigned bitmask; /* the same state as bits (--output-event-bitmask): for
			   * threshold sensors bit 0 at/below lnc, 1 lc, 2 lnr,
			   * 3 at/above unc, 4 uc, 5 unr */
};

/* One record of ipmi-sel --output-event-state. */
struct ipmisim_sel_rec {
	int id;
	char date[32], time[32]; /* "PostInit" or "Jan-02-2025", "03:04:05" */
	char name[64];		 /* sensor name */
	char type[64];		 /* sensor type */
	char state[16];		 /* Nominal, Warning, Critical */
	bool deassertion;	 /* Event Direction */
	char event[512];	 /* event text as printed */
};

/* Get SEL Info, from ipmi-sel --info. */
struct ipmisim_sel_info {
	long entries;
	long free_bytes;
	bool overflow;
};

/* Run ipmi-sensors against the BMC (twice: event strings, then the event
 * bitmask); *rows is malloc'd.  Returns the row count; aborts the test if
 * the tool fails. */
int ipmisim_sensors(struct ipmisim *s, struct ipmisim_row **rows);
/* Run ipmi-sel; *recs is malloc'd.  Returns the record count. */
int ipmisim_sel(struct ipmisim *s, struct ipmisim_sel_rec **recs);
void ipmisim_sel_info(struct ipmisim *s, struct ipmisim_sel_info *info);
/* Run bmc-device --set-sel-time=WHEN ("now" or "MM/DD/YYYY - HH:MM:SS"). */
void ipmisim_set_sel_time(struct ipmisim *s, const char *when);
/* The row / record with that name or id, or NULL. */
const struct ipmisim_row *ipmisim_row(const struct ipmisim_row *rows, int n, const char *name);
const struct ipmisim_sel_rec *ipmisim_sel_rec(const struct ipmisim_sel_rec *recs, int n, int id);

/* The plugin's metric name for a sensor name (ipmi-contract.md): lower
 * case, letters and digits kept, each run of others one '_', no leading or
 * trailing '_'.  Returns buf. */
const char *ipmisim_metric_name(const char *sensor_name, char *buf, size_t len);

/* A port nobody has bound right now on 127.0.0.1 (type SOCK_DGRAM or
 * SOCK_STREAM), from the kernel. */
int ipmisim_free_port(int type);

#endif
