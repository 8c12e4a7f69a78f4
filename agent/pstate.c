/*
 * pstate: values plugins keep across restarts.  See pstate.h.
 *
 * A plain array searched linearly: a daemon has a handful of sources and a
 * plugin a key or two (the IPMI source keeps one), so there is nothing to
 * index.  PSTATE_MAX_KEYS bounds what one source can make the daemon keep.
 */
#include "pstate.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwhealth/plugin.h>

void pstate_init(struct pstate *ps)
{
	*ps = (struct pstate){0};
	pthread_mutex_init(&ps->lock, NULL);
}

static void entry_free(struct pstate_entry *e)
{
	free(e->source);
	free(e->key);
	free(e->saved);
	free(e->pending);
}

void pstate_destroy(struct pstate *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		entry_free(&ps->v[i]);
	free(ps->v);
	pthread_mutex_destroy(&ps->lock);
	*ps = (struct pstate){0};
}

/* Lock held. */
static struct pstate_entry *find(struct pstate *ps, const char *source, const char *key)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->v[i].source, source) == 0 && strcmp(ps->v[i].key, key) == 0)
			return &ps->v[i];
	return NULL;
}

/* Lock held.  The entry of (source, key), created empty if need be; NULL
 * on ENOMEM, or ENOSPC when source already keeps PSTATE_MAX_KEYS. */
static struct pstate_entry *find_or_add(struct pstate *ps, const char *source, const char *key)
{
	struct pstate_entry *e = find(ps, source, key);
	size_t keys = 0;

	if (e != NULL)
		return e;
	for (size_t i = 0; i < ps->n; i++)
		keys += strcmp(ps->v[i].source, source) == 0;
	if (keys >= PSTATE_MAX_KEYS) {
		errno = ENOSPC;
		return NULL;
	}
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 8;
		struct pstate_entry *v = realloc(ps->v, cap * sizeof *v);
		if (v == NULL)
			return NULL;
		ps->v = v;
		ps->cap = cap;
	}
	e = &ps->v[ps->n];
	*e = (struct pstate_entry){.source = strdup(source), .key = strdup(key)};
	if (e->source == NULL || e->key == NULL) {
		entry_free(e);
		errno = ENOMEM;
		return NULL;
	}
	ps->n++;
	return e;
}

int pstate_get(struct pstate *ps, const char *source, const char *key, char *buf, size_t len)
{
	const struct pstate_entry *e;
	const char *v = NULL;
	int rc;

	pthread_mutex_lock(&ps->lock);
	if ((e = find(ps, source, key)) != NULL)
		v = e->pending != NULL ? e->pending : e->saved;
	if (v == NULL) {
		rc = -ENOENT;
	} else if (strlen(v) >= len) {
		rc = -ENOSPC;
	} else {
		memcpy(buf, v, strlen(v) + 1);
		rc = (int)strlen(v);
	}
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

int pstate_set(struct pstate *ps, const char *source, const char *key, const char *value,
	       uint64_t seq)
{
	struct pstate_entry *e;
	char *copy = strdup(value);
	int rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&ps->lock);
	if ((e = find_or_add(ps, source, key)) == NULL) {
		rc = errno == ENOSPC ? -ENOSPC : -ENOMEM;
		free(copy);
	} else {
		free(e->pending);
		e->pending = copy;
		e->seq = seq;
	}
	pthread_mutex_unlock(&ps->lock);
	return rc;
}

void pstate_commit(struct pstate *ps, uint64_t consumed)
{
	pthread_mutex_lock(&ps->lock);
	for (size_t i = 0; i < ps->n; i++) {
		struct pstate_entry *e = &ps->v[i];
		if (e->pending == NULL || e->seq > consumed)
			continue;
		free(e->saved);
		e->saved = e->pending;
		e->pending = NULL;
	}
	pthread_mutex_unlock(&ps->lock);
}

void pstate_save(struct pstate *ps, struct sf_buf *b)
{
	pthread_mutex_lock(&ps->lock);
	for (size_t i = 0; i < ps->n; i++) {
		const struct pstate_entry *e = &ps->v[i];
		if (e->saved == NULL)
			continue;
		size_t rec = sf_rec_begin(b, ST_PLUGIN);
		sf_put_str(b, e->source);
		sf_put_str(b, e->key);
		sf_put_str(b, e->saved);
		sf_rec_end(b, rec);
	}
	pthread_mutex_unlock(&ps->lock);
}

/* One ST_PLUGIN record.  0, or -1 with err set. */
static int load_one(struct pstate *ps, struct sf_cur *rec, char *err, size_t errlen)
{
	char *source = sf_get_str(rec, NULL), *key = sf_get_str(rec, NULL);
	char *value = sf_get_str(rec, NULL);
	struct pstate_entry *e;
	int rc = -1;

	if (rec->bad || source == NULL || key == NULL || value == NULL) {
		snprintf(err, errlen, "malformed plugin state record");
	} else if (strlen(key) >= HWH_STATE_KEY_MAX || strlen(value) >= HWH_STATE_VALUE_MAX) {
		snprintf(err, errlen, "plugin state of %s: key or value too long", source);
	} else if ((e = find_or_add(ps, source, key)) == NULL) {
		snprintf(err, errlen, "plugin state of %s: %s", source, strerror(errno));
	} else {
		free(e->saved);
		e->saved = value;
		value = NULL;
		rc = 0;
	}
	free(source);
	free(key);
	free(value);
	return rc;
}

int pstate_load(struct pstate *ps, const void *payload, size_t len, char *err, size_t errlen)
{
	struct sf_cur c, rec;
	uint16_t type;
	int r, rc = 0;

	sf_cur_init(&c, payload, len);
	pthread_mutex_lock(&ps->lock);
	while (rc == 0 && (r = sf_next_rec(&c, &type, &rec)) != 0) {
		if (r < 0) {
			snprintf(err, errlen, "malformed record");
			rc = -1;
		} else if (type == ST_PLUGIN) {
			rc = load_one(ps, &rec, err, errlen);
		}
	}
	pthread_mutex_unlock(&ps->lock);
	return rc;
}
