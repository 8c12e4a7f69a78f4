/*
 * actlog: the record of every action the policy requested, as "hwhealth
 * actions" shows it and the state file keeps it: what, why (the reason and
 * the findings behind it), when, through which actuator, and how it ended
 * (result, the tool's exit status, its output, the duration).  The newest
 * ACTLOG_MAX records are kept.  Main thread only.
 */
#ifndef HWH_ACTLOG_H
#define HWH_ACTLOG_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actuator.h"
#include "statefile.h"

#define ACTLOG_MAX 256
#define ACT_EVIDENCE_MAX 8
#define ACT_EVIDENCE_LEN 200
#define ACT_OUTPUT_MAX 4096

enum act_result {
	AR_PENDING = 0, /* queued, or waiting for its retry */
	AR_RUNNING,	/* in the actuator */
	AR_DONE,
	AR_SKIPPED,   /* nothing to do: not hwhealth's drain, already so */
	AR_FAILED,    /* the tool failed (retried while retries remain) */
	AR_TIMEOUT,   /* the tool was killed at the block's timeout */
	AR_REFUSED,   /* the drain budget said no */
	AR_DRYRUN,    /* dry-run: decided, not executed */
	AR_CANCELLED, /* no longer wanted (the node recovered), or the daemon stopped */
	AR_COUNT
};

struct act_record {
	int64_t id;
	enum act_kind kind;
	char actuator[65];
	bool manual;
	char user[33]; /* who asked (manual: the peer's user name or uid), "" otherwise */
	int state, previous_state;
	double score;
	char reason[ACT_REASON_MAX];
	char evidence[ACT_EVIDENCE_MAX][ACT_EVIDENCE_LEN];
	unsigned nevidence;
	int64_t requested_ms, started_ms, finished_ms, duration_ms; /* wall; 0 / -1: none */
	enum act_result result;
	unsigned attempt;
	int64_t next_retry_ms; /* wall, 0: none */
	int exit_status;       /* -1: none */
	char detail[256];
	char *output;	       /* NULL: none */
	int64_t group;	       /* the policy request it belongs to */
	int64_t retry_mono_ms; /* next_retry_ms on the monotonic clock (not saved) */
};

struct actlog {
	struct act_record *v; /* ring of ACTLOG_MAX */
	size_t head, n;	      /* oldest at head */
	int64_t next_id;
};

const char *act_result_name(enum act_result r);
bool act_result_final(enum act_result r);

int actlog_init(struct actlog *l);
void actlog_free(struct actlog *l);
/* A new record (the oldest is dropped when full): id set, the rest zero,
 * exit_status -1.  NULL only if the log has no memory. */
struct act_record *actlog_add(struct actlog *l, enum act_kind kind, const char *actuator);
/* Record by id, NULL if gone. */
struct act_record *actlog_find(struct actlog *l, int64_t id);
/* Forget a record (an actuator that had nothing to do with the action). */
void actlog_remove(struct actlog *l, int64_t id);
/* The i-th record, oldest first (i < l->n). */
struct act_record *actlog_at(struct actlog *l, size_t i);
void act_record_set_output(struct act_record *r, const char *out);

json_object *act_record_json(const struct act_record *r);
/* The newest limit records (0: all), oldest first. */
json_object *actlog_json(struct actlog *l, size_t limit);

/* State file: ST_ACTION records.  Loading replaces the log's contents. */
void actlog_save(struct actlog *l, struct sf_buf *b);
int actlog_load_rec(struct actlog *l, struct sf_cur *rec, char *err, size_t errlen);

#endif
