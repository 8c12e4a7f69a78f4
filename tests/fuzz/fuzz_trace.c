/*
 * fuzz_trace: libFuzzer target for the recorded-trace reader and writer.
 *
 * Reads each input with trace_open_mem() to the end, touching every string
 * of every record (so that a split id or an unquoted field pointing past
 * its line is caught by ASan) and checking what the format promises: ids
 * split into three non-empty parts, times that never go back, errors in
 * "name:line:col: message" form.  Each record read is then written back
 * with the writer and read again: it must come back the same, so a field
 * the writer fails to quote shows up here.  Seeds are in
 * tests/fuzz/corpus/fuzz_trace/.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every string of rec; returns a sum so the reads are not optimised out. */
static size_t touch(const struct trace_rec *rec)
{
	size_t n = strlen(rec->id) + strlen(rec->unit) + strlen(rec->text);

	if (rec->source[0] == '\0' || rec->device[0] == '\0' || rec->name[0] == '\0')
		__builtin_trap(); /* an id has three non-empty parts */
	n += strlen(rec->source) + strlen(rec->device) + strlen(rec->name);
	if (strlen(rec->source) + strlen(rec->device) + strlen(rec->name) + 2 != strlen(rec->id))
		__builtin_trap(); /* the parts are the id, split */
	return n;
}

static bool same_num(double a, double b)
{
	return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0;
}

/* The writer turns line breaks into spaces: such a record cannot come back
 * the same, by design. */
static bool has_cr(const struct trace_rec *rec)
{
	return strchr(rec->id, '\r') || strchr(rec->unit, '\r') || strchr(rec->text, '\r');
}

/* Write rec, read it back: it must be the same record. */
static void round_trip(const struct trace_rec *rec)
{
	struct trace_reader *r;
	struct trace_rec back;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	if (f == NULL)
		return;
	if (rec->is_event)
		rc = trace_write_event(f, rec->t_ms, rec->id, rec->severity, rec->text);
	else
		rc = trace_write_sample(f, rec->t_ms, rec->id, rec->kind, rec->unit, rec->value,
					rec->limit);
	if (fclose(f) != 0 || rc != 0)
		__builtin_trap(); /* a memstream does not fail */
	r = trace_open_mem(buf, len, "rt");
	if (r == NULL) {
		free(buf);
		return;
	}
	if (trace_next(r, &back, err, sizeof err) != 1)
		__builtin_trap(); /* the writer wrote something the reader refuses */
	if (back.t_ms != rec->t_ms || back.is_event != rec->is_event ||
	    strcmp(back.id, rec->id) != 0 || strcmp(back.text, rec->text) != 0)
		__builtin_trap();
	if (rec->is_event) {
		if (back.severity != rec->severity)
			__builtin_trap();
	} else {
		if (back.kind != rec->kind || strcmp(back.unit, rec->unit) != 0 ||
		    !same_num(back.value, rec->value))
			__builtin_trap();
		for (int i = 0; i < HWH_LIM_COUNT; i++)
			if (!same_num(back.limit[i], rec->limit[i]))
				__builtin_trap();
	}
	trace_close(r);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_reader *r = trace_open_mem((const char *)data, size, "fuzz.csv");
	struct trace_rec rec;
	char err[256];
	volatile size_t sink = 0;
	int64_t last = INT64_MIN;
	int rc;

	if (r == NULL)
		return 0;
	while ((rc = trace_next(r, &rec, err, sizeof err)) != 0) {
		if (rc == -1) {
			if (strncmp(err, "fuzz.csv:", 9) != 0)
				__builtin_trap(); /* errors name their file */
			sink += strlen(err);
			continue;
		}
		if (rc != 1 || rec.t_ms < last || rec.t_ms < 0)
			__builtin_trap();
		last = rec.t_ms;
		sink += touch(&rec);
		if (!has_cr(&rec))
			round_trip(&rec);
	}
	(void)sink;
	trace_close(r);
	return 0;
}
