/*
 * pstate: the small strings plugins keep across restarts (hwh_state_get()
 * and hwh_state_set() in plugin.h), such as the IPMI source's position in
 * the System Event Log.  One table per daemon, keyed by (source instance
 * name, key), saved in the state file as ST_PLUGIN records.
 *
 * The point is that a position and the events it stands for reach the disk
 * together.  A value comes with a sequence number: the newest event in the
 * ring when the poll that set it ended.  It becomes the saved value only
 * once the engine has taken in the events up to that number
 * (pstate_commit()), so a state file never holds a position past events
 * that its engine records do not count.  Until then the poll thread reads
 * the newer value back and the file keeps the older one.
 *
 * Thread-safe: poll threads get and set, the main thread commits, saves
 * and loads.
 */
#ifndef HWH_PSTATE_H
#define HWH_PSTATE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "statefile.h"

/* Values one source can make the daemon keep: a serial per drive of a big
 * storage node. */
#define PSTATE_MAX_KEYS 256

/* Record type in the state file; 1..5 are state.c's. */
#define ST_PLUGIN 6

struct pstate_entry {
	char *source, *key;
	char *saved;   /* what the state file gets, or NULL */
	char *pending; /* newer, waiting for its events, or NULL */
	uint64_t seq;  /* pending's event sequence number */
};

struct pstate {
	pthread_mutex_t lock;
	struct pstate_entry *v;
	size_t n, cap;
};

void pstate_init(struct pstate *ps);
void pstate_destroy(struct pstate *ps);

/* The newest value of (source, key) into buf.  Its length, -ENOENT, or
 * -ENOSPC when it does not fit in len bytes with its NUL. */
int pstate_get(struct pstate *ps, const char *source, const char *key, char *buf, size_t len);
/* A new value, to be saved once the events up to seq are taken in.
 * 0 or -ENOMEM. */
int pstate_set(struct pstate *ps, const char *source, const char *key, const char *value,
	       uint64_t seq);
/* The engine has taken in every event up to consumed: their values become
 * the saved ones. */
void pstate_commit(struct pstate *ps, uint64_t consumed);
/* Append the saved values to b as ST_PLUGIN records:
 * str source, str key, str value. */
void pstate_save(struct pstate *ps, struct sf_buf *b);
/*
 * Take the ST_PLUGIN records of a state-file payload (other records are
 * skipped) as saved values.  0, or -1 with err set when one is malformed;
 * the records before it are kept.
 */
int pstate_load(struct pstate *ps, const void *payload, size_t len, char *err, size_t errlen);

#endif
