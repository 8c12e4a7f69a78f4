/*
 * replay: run rules over a recorded trace, without a daemon
 * ("hwhealth replay").  The engine runs on the trace's clock, each sample
 * evaluated as it is read, so the result is the same on every run and on
 * every machine: this is how operators try rules before deploying them and
 * how the tests check rules.
 */
#ifndef HWH_REPLAY_H
#define HWH_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"

struct replay_opts {
	const char *const *rule_dirs; /* loaded in order, later ones override */
	size_t ndirs;
	const char *trace; /* path, "-" for standard input */
	struct engine_cfg cfg;
	uint32_t history; /* raw samples per metric, 0 = HIST_RAW_DEFAULT */
	bool json;	  /* one JSON document instead of text lines */
	bool quiet;	  /* text: only the summary */
};

struct replay_stats {
	uint64_t samples, events, bad_lines;
	uint64_t fired, cleared, errors, state_changes;
	double seconds; /* CPU-clock time spent replaying */
};

/*
 * Replay o->trace; the changes and a summary go to out, problems (rule
 * errors, malformed trace lines) to errf.  Returns 0, 1 if the trace had
 * malformed lines (they are skipped), 2 if it could not run (rules errors,
 * trace unreadable).  stats (if not NULL) gets the counts.
 */
int replay_run(const struct replay_opts *o, FILE *out, FILE *errf, struct replay_stats *stats);

#endif
