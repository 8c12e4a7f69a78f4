/*
 * state: what the state file gives back that the engine has not claimed
 * yet.  Internal to engine.c and state.c.
 *
 * History and bindings cannot be put back when the file is read: their
 * metrics do not exist until a source reports them.  So engine_load() keeps
 * them here, and the engine claims each when its metric (or event stream)
 * appears and its rules are bound.  What is never claimed is dropped at the
 * next save.
 */
#ifndef HWH_STATE_H
#define HWH_STATE_H

#include <stdbool.h>

#include "engine.h"

/* Bit flags of struct engine's restored node state. */
struct eng_restore;

/* The restored history of target id (owned by the caller from now on),
 * or NULL; *prev / *have_prev get its counter baseline. */
struct hist *restore_take_hist(struct eng_restore *r, const char *id, double *total,
			       bool *have_prev, double *prev);
/* Put back the saved state of rule on target id into b (its target set). */
void restore_binding(struct engine *e, struct binding *b, const char *id);
void restore_free(struct eng_restore *r);

/* engine.c helpers state.c uses. */
struct bind_extra *binding_extra(struct binding *b);
/* Put b on or off the findings list to match its state. */
void engine_relist(struct engine *e, struct binding *b);
struct eng_stream *engine_stream(struct engine *e, const char *source, const char *device,
				 const char *type);

#endif
