/*
 * watch: the daemon's heartbeat and source table for watching plugins.
 * See watch.h.
 */
#include "watch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void watch_init(struct watch *w, int64_t now_mono)
{
	memset(w, 0, sizeof *w);
	atomic_store(&w->loop_mono_ms, now_mono);
	atomic_store(&w->node_state, NODE_GREEN);
	w->start_mono_ms = now_mono;
	pthread_mutex_init(&w->lock, NULL);
}

static void table_free(struct watch_source *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

void watch_destroy(struct watch *w)
{
	table_free(w->v, w->n);
	pthread_mutex_destroy(&w->lock);
	w->v = NULL;
	w->n = 0;
}

void watch_tick(struct watch *w, int64_t now_mono)
{
	atomic_store(&w->loop_mono_ms, now_mono);
}

/* Up means what liveness means by it (health.c): the last poll worked
 * and came within the source's stale age. */
static bool view_up(const struct source_view *v, int64_t now)
{
	return v->info.state == SRC_OK && now - v->info.last_poll_mono_ms <= v->stale_ms;
}

/* Lock held: the entry named name, or NULL. */
static const struct watch_source *find(const struct watch *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			return &w->v[i];
	return NULL;
}

int watch_update(struct watch *w, enum node_state st, const struct source_view *v, size_t n,
		 int64_t now_mono)
{
	struct watch_source *nv = calloc(n ? n : 1, sizeof *nv);

	atomic_store(&w->node_state, (int)st);
	if (nv == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&w->lock);
	for (size_t i = 0; i < n; i++) {
		const struct watch_source *old = find(w, v[i].name);

		if ((nv[i].name = strdup(v[i].name)) == NULL) {
			pthread_mutex_unlock(&w->lock);
			table_free(nv, n);
			return -ENOMEM;
		}
		nv[i].up = view_up(&v[i], now_mono);
		nv[i].last_up_mono_ms = nv[i].up      ? now_mono
					: old != NULL ? old->last_up_mono_ms
						      : now_mono;
	}
	table_free(w->v, w->n);
	w->v = nv;
	w->n = n;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int watch_declare(struct watch *w, const char *name, int64_t now_mono)
{
	struct watch_source *nv;
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	if (find(w, name) == NULL) {
		nv = realloc(w->v, (w->n + 1) * sizeof *nv);
		if (nv == NULL) {
			rc = -ENOMEM;
		} else {
			w->v = nv;
			nv[w->n] = (struct watch_source){.name = strdup(name),
							 .last_up_mono_ms = now_mono};
			if (nv[w->n].name == NULL)
				rc = -ENOMEM;
			else
				w->n++;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int watch_health(struct watch *w, int64_t now_mono, struct hwh_daemon_health *out)
{
	out->loop_age_ms = now_mono - atomic_load(&w->loop_mono_ms);
	if (out->loop_age_ms < 0)
		out->loop_age_ms = 0;
	out->node_state = atomic_load(&w->node_state);
	out->uptime_ms = now_mono - w->start_mono_ms;
	return 0;
}

int watch_source_up(struct watch *w, const char *name, int64_t now_mono, int64_t *down_ms)
{
	const struct watch_source *s;
	int rc;

	pthread_mutex_lock(&w->lock);
	s = name != NULL ? find(w, name) : NULL;
	if (s == NULL) {
		rc = -ENOENT;
	} else {
		rc = s->up;
		if (down_ms != NULL)
			*down_ms = s->up ? 0 : now_mono - s->last_up_mono_ms;
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}
