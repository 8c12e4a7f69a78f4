/*
 * silence: see silence.h.
 *
 * ST_SILENCE record: i64 id, str target, str reason, str user, i64 created,
 * i64 expires.
 */
#include "silence.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

size_t silences_expire(struct silences *s, int64_t now_wall)
{
	size_t kept = 0, gone = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].expires_ms <= now_wall) {
			log_notice("silence %lld on '%s' expired (%s)", (long long)s->v[i].id,
				   s->v[i].target, s->v[i].reason);
			gone++;
			continue;
		}
		s->v[kept++] = s->v[i];
	}
	s->n = kept;
	return gone;
}

static bool target_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n >= sizeof(((struct silence *)0)->target))
		return false;
	for (const char *p = t; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

const struct silence *silences_add(struct silences *s, const char *target, int64_t for_ms,
				   const char *reason, const char *user, int64_t now_wall,
				   char *err, size_t errlen)
{
	struct silence *x;

	if (!target_ok(target)) {
		snprintf(err, errlen,
			 "invalid silence target (expected a rule name, a metric or source id, a "
			 "liveness kind, or 'all')");
		return NULL;
	}
	if (for_ms <= 0 || for_ms > SILENCE_MAX_MS) {
		snprintf(err, errlen,
			 "invalid duration (expected more than 0 and at most 30 days)");
		return NULL;
	}
	if (s->n == SILENCE_MAX) {
		snprintf(err, errlen, "too many silences (at most %d): remove one first",
			 SILENCE_MAX);
		return NULL;
	}
	if (s->next_id == 0)
		s->next_id = 1;
	x = &s->v[s->n++];
	*x = (struct silence){
	    .id = s->next_id++, .created_ms = now_wall, .expires_ms = now_wall + for_ms};
	snprintf(x->target, sizeof x->target, "%s", target);
	snprintf(x->reason, sizeof x->reason, "%s", reason);
	snprintf(x->user, sizeof x->user, "%s", user);
	return x;
}

size_t silences_remove(struct silences *s, int64_t id)
{
	size_t kept = 0, gone = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (id == 0 || s->v[i].id == id) {
			gone++;
			continue;
		}
		s->v[kept++] = s->v[i];
	}
	s->n = kept;
	return gone;
}

/* A metric id "source/device/name" is silenced by its own id, by its
 * source's name and by "source/device". */
static bool target_covers(const char *silenced, const char *target)
{
	size_t n = strlen(silenced);

	return strncmp(silenced, target, n) == 0 && (target[n] == '\0' || target[n] == '/');
}

bool silences_match(const struct silences *s, const char *rule, const char *kind,
		    const char *target)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *t = s->v[i].target;

		if (strcmp(t, "all") == 0 || (rule && strcmp(t, rule) == 0) ||
		    (kind && strcmp(t, kind) == 0) ||
		    (target && *target && target_covers(t, target)))
			return true;
	}
	return false;
}

json_object *silence_json(const struct silence *x, int64_t now_wall, int matching)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int64(x->id));
	json_object_object_add(o, "target", json_object_new_string(x->target));
	json_object_object_add(o, "reason", json_object_new_string(x->reason));
	json_object_object_add(o, "user", x->user[0] ? json_object_new_string(x->user) : NULL);
	json_object_object_add(o, "created", json_object_new_double((double)x->created_ms / 1e3));
	json_object_object_add(o, "expires", json_object_new_double((double)x->expires_ms / 1e3));
	json_object_object_add(o, "remaining_s",
			       json_object_new_double((double)(x->expires_ms - now_wall) / 1e3));
	json_object_object_add(o, "matching", json_object_new_int(matching));
	return o;
}

#define ST_SILENCE 8

void silences_save(const struct silences *s, struct sf_buf *b)
{
	for (size_t i = 0; i < s->n; i++) {
		size_t rec = sf_rec_begin(b, ST_SILENCE);

		sf_put_i64(b, s->v[i].id);
		sf_put_str(b, s->v[i].target);
		sf_put_str(b, s->v[i].reason);
		sf_put_str(b, s->v[i].user);
		sf_put_i64(b, s->v[i].created_ms);
		sf_put_i64(b, s->v[i].expires_ms);
		sf_rec_end(b, rec);
	}
}

static void take(char *dst, size_t len, char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
	free(s);
}

int silences_load_rec(struct silences *s, struct sf_cur *c, char *err, size_t errlen)
{
	struct silence x = {0};

	x.id = sf_get_i64(c);
	take(x.target, sizeof x.target, sf_get_str(c, NULL));
	take(x.reason, sizeof x.reason, sf_get_str(c, NULL));
	take(x.user, sizeof x.user, sf_get_str(c, NULL));
	x.created_ms = sf_get_i64(c);
	x.expires_ms = sf_get_i64(c);
	if (c->bad || !target_ok(x.target) || x.id <= 0 || x.id > INT64_MAX / 2) {
		snprintf(err, errlen, "malformed silence record");
		return -1;
	}
	if (s->n == SILENCE_MAX)
		return 0;
	s->v[s->n++] = x;
	if (x.id >= s->next_id)
		s->next_id = x.id + 1;
	return 0;
}
