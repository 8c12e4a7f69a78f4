/*
 * silence: operators' silences and maintenance windows.  A silence names a
 * rule ("fan-slowing"), a metric or source id ("sensors/it87-isa-0290/fan1",
 * "smart"), a liveness kind ("source-down"), or "all", and lasts until it
 * expires.  It suppresses actions, never findings: the policy acts on the
 * node state the unsilenced findings alone would give (policy.c).  Kept in
 * the state file (ST_SILENCE).  Main thread only.
 */
#ifndef HWH_SILENCE_H
#define HWH_SILENCE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "statefile.h"

#define SILENCE_MAX 64
#define SILENCE_MAX_MS (30LL * 24 * 3600 * 1000) /* 30 days */

struct silence {
	int64_t id;
	char target[200];
	char reason[256];
	char user[33];
	int64_t created_ms, expires_ms; /* wall */
};

struct silences {
	struct silence v[SILENCE_MAX];
	size_t n;
	int64_t next_id;
};

/* Drop expired silences (logged).  Returns how many. */
size_t silences_expire(struct silences *s, int64_t now_wall);
/* Add one.  The new silence, or NULL with err set (too many, bad target). */
const struct silence *silences_add(struct silences *s, const char *target, int64_t for_ms,
				   const char *reason, const char *user, int64_t now_wall,
				   char *err, size_t errlen);
/* Remove by id (id > 0) or every one (id 0).  Returns how many. */
size_t silences_remove(struct silences *s, int64_t id);
/* Is a reason silenced?  rule: its rule name (NULL for liveness), kind: its
 * liveness kind name (NULL for a rule), target: its metric or source id. */
bool silences_match(const struct silences *s, const char *rule, const char *kind,
		    const char *target);
json_object *silence_json(const struct silence *x, int64_t now_wall, int matching);

void silences_save(const struct silences *s, struct sf_buf *b);
int silences_load_rec(struct silences *s, struct sf_cur *rec, char *err, size_t errlen);

#endif
