/*
 * trace: the recorded-trace format hwhealthd writes (the "record" option)
 * and "hwhealth replay" reads.  Documented in docs/hwhealth-trace.5.
 *
 * A CSV file, one sample or event per line:
 *
 *   # hwhealth trace 1
 *   # time,id,kind,unit,value[,LIMIT=NUMBER...]
 *   1763700000.000,sensors/coretemp-isa-0000/temp1,temperature,C,45.5,max=80,crit=100
 *   1763700010.500,ipmi/bmc/sel,event,critical,"Correctable ECC, DIMM A1"
 *
 * time is seconds since the Unix epoch with up to millisecond decimals; id
 * is "source/device/name" (an event's is "source/device/type"); kind is a
 * metric kind (temperature fan voltage current power energy humidity
 * intrusion counter percent state other) or "event"; unit may be empty;
 * value is a number, or empty / "nan" for an unreadable sample.  LIMIT is
 * lemerg lcrit min max crit emerg.  For an event the fourth field is its
 * severity (info warning critical) and the fifth its text.
 * Fields may be double-quoted ("" is a quote inside).  Lines starting
 * with '#' and empty lines are skipped; times must not go backwards.
 */
#ifndef HWH_TRACE_H
#define HWH_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <hwhealth/plugin.h>

#define TRACE_HEADER "# hwhealth trace 1"

/* One record.  The strings point into the reader's line buffer: valid until
 * the next trace_next(). */
struct trace_rec {
	int64_t t_ms; /* wall clock, ms since the epoch */
	const char *id;
	const char *source, *device, *name; /* id split at its first two '/' */
	bool is_event;
	enum hwh_kind kind;	     /* metrics */
	const char *unit;	     /* metrics, "" if none */
	double value;		     /* metrics, NAN if unreadable */
	double limit[HWH_LIM_COUNT]; /* NAN where absent */
	enum hwh_severity severity;  /* events */
	const char *text;	     /* events */
};

struct trace_reader;

/* Read from f (not closed by trace_close); name is used in messages. NULL on ENOMEM. */
struct trace_reader *trace_open(FILE *f, const char *name);
/* Read from memory (for fuzzing and tests). NULL on ENOMEM. */
struct trace_reader *trace_open_mem(const char *text, size_t len, const char *name);
/* The next record: 1, 0 at the end, -1 on a malformed line with
 * "name:line:col: message" in err (reading may go on past it). */
int trace_next(struct trace_reader *r, struct trace_rec *rec, char *err, size_t errlen);
void trace_close(struct trace_reader *r);

/* Append one line.  0 or -1 (errno set) on a write error. */
int trace_write_header(FILE *f);
int trace_write_sample(FILE *f, int64_t t_wall_ms, const char *id, enum hwh_kind kind,
		       const char *unit, double value, const double limit[HWH_LIM_COUNT]);
int trace_write_event(FILE *f, int64_t t_wall_ms, const char *id, enum hwh_severity sev,
		      const char *text);

/* Kind from its name (as kind_name() prints), or -1. */
int trace_kind_parse(const char *s);

#endif
