/*
 * commands_actions: the control commands of the policy (docs/PROTOCOL.md):
 * actions, silences (read); silence, unsilence, drain, undrain, fence
 * (root only: the control socket checks the peer is uid 0, so the user
 * recorded is "root").  Every state-changing request is logged with its
 * reason.
 */
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

#define OPERATOR "root" /* root-only commands: the peer is uid 0 */

/* A required, non-empty string field, made one clean log line (control
 * characters become '?'), into buf.  0, or -1 with err set. */
static int text_field(json_object *req, const char *key, const char *cmd, char *buf, size_t len,
		      char *err, size_t errlen)
{
	json_object *j;

	if (!json_object_object_get_ex(req, key, &j) || !json_object_is_type(j, json_type_string) ||
	    json_object_get_string(j)[0] == '\0') {
		snprintf(err, errlen, "%s needs a \"%s\" (text)", cmd, key);
		return -1;
	}
	snprintf(buf, len, "%s", json_object_get_string(j));
	for (char *p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return 0;
}

json_object *cmd_actions(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	json_object *r = json_object_new_object(), *jl;
	int64_t limit = 0;

	if (json_object_object_get_ex(req, "limit", &jl)) {
		if (!json_object_is_type(jl, json_type_int) ||
		    (limit = json_object_get_int64(jl)) < 0) {
			snprintf(err, errlen, "\"limit\" must be a number >= 0");
			json_object_put(r);
			return NULL;
		}
	}
	json_object_object_add(r, "policy", policy_json(&d->policy, mono_ms(), wall_ms()));
	json_object_object_add(r, "actuators", policy_actuators_json(&d->policy));
	json_object_object_add(r, "actions", actlog_json(&d->policy.log, (size_t)limit));
	return r;
}

/* How many of the node's reasons silence x covers right now. */
static int matching(struct daemon *d, const struct silence *x)
{
	struct silences one = {.n = 1};
	struct health_report h;
	int n = 0;

	one.v[0] = *x;
	daemon_health(d, &h);
	for (size_t i = 0; i < h.nreasons; i++) {
		char rule[128];
		bool live = h.reason_kind[i] != LK_NONE;

		snprintf(rule, sizeof rule, "%.*s", (int)strcspn(h.reasons[i], ":"), h.reasons[i]);
		n += silences_match(&one, live ? NULL : rule,
				    live ? live_kind_name(h.reason_kind[i]) : NULL,
				    h.reason_target[i]);
	}
	return n;
}

json_object *cmd_silences(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	json_object *r = json_object_new_object(), *a = json_object_new_array();
	int64_t now = wall_ms();

	(void)req;
	(void)err;
	(void)errlen;
	silences_expire(&d->policy.sil, now);
	for (size_t i = 0; i < d->policy.sil.n; i++)
		json_object_array_add(
		    a, silence_json(&d->policy.sil.v[i], now, matching(d, &d->policy.sil.v[i])));
	json_object_object_add(r, "silences", a);
	return r;
}

json_object *cmd_silence(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	char target[200], reason[256];
	const struct silence *x;
	json_object *jf, *r;
	double for_s;

	if (text_field(req, "target", "silence", target, sizeof target, err, errlen) < 0 ||
	    text_field(req, "reason", "silence", reason, sizeof reason, err, errlen) < 0)
		return NULL;
	if (!json_object_object_get_ex(req, "for_s", &jf) ||
	    !(json_object_is_type(jf, json_type_int) ||
	      json_object_is_type(jf, json_type_double))) {
		snprintf(err, errlen, "silence needs \"for_s\" (seconds)");
		return NULL;
	}
	for_s = json_object_get_double(jf);
	if (!(for_s > 0) || for_s * 1000.0 > (double)SILENCE_MAX_MS) {
		snprintf(err, errlen,
			 "invalid \"for_s\" (expected more than 0 and at most 30 days)");
		return NULL;
	}
	x = silences_add(&d->policy.sil, target, (int64_t)(for_s * 1000.0), reason, OPERATOR,
			 wall_ms(), err, errlen);
	if (x == NULL)
		return NULL;
	log_notice("silence %lld on '%s' for %.0f s by %s: %s (actions suppressed, findings kept)",
		   (long long)x->id, target, for_s, OPERATOR, reason);
	r = json_object_new_object();
	json_object_object_add(r, "silence", silence_json(x, wall_ms(), matching(d, x)));
	if (d->state_ok)
		persist_save(d);
	return r;
}

json_object *cmd_unsilence(void *ud, json_object *req, char *err, size_t errlen)
{
	struct daemon *d = ud;
	json_object *j, *r;
	int64_t id = -1;
	size_t n;

	if (json_object_object_get_ex(req, "id", &j) && json_object_is_type(j, json_type_int))
		id = json_object_get_int64(j);
	else if (json_object_object_get_ex(req, "target", &j) &&
		 json_object_is_type(j, json_type_string) &&
		 strcmp(json_object_get_string(j), "all") == 0)
		id = 0;
	if (id < 0) {
		snprintf(err, errlen,
			 "unsilence needs \"id\" (a silence's number) or \"target\":\"all\"");
		return NULL;
	}
	n = silences_remove(&d->policy.sil, id);
	if (n == 0 && id > 0) {
		snprintf(err, errlen, "no silence %lld (hwhealth silences lists them)",
			 (long long)id);
		return NULL;
	}
	log_notice("unsilence %s by %s: %zu removed", id ? "one" : "all", OPERATOR, n);
	r = json_object_new_object();
	json_object_object_add(r, "removed", json_object_new_int((int)n));
	if (d->state_ok)
		persist_save(d);
	return r;
}

static json_object *manual(void *ud, json_object *req, enum act_kind kind, bool need_reason,
			   char *err, size_t errlen)
{
	struct daemon *d = ud;
	char reason[200] = "operator request";
	json_object *ids, *r, *jf;
	bool force = false;

	if (need_reason || json_object_object_get_ex(req, "reason", NULL)) {
		if (text_field(req, "reason", act_kind_name(kind), reason, sizeof reason, err,
			       errlen) < 0)
			return NULL;
	}
	if (json_object_object_get_ex(req, "force", &jf))
		force = json_object_get_boolean(jf);
	ids = json_object_new_array();
	if (policy_manual(&d->policy, kind, reason, force, OPERATOR, ids, err, errlen) < 0) {
		json_object_put(ids);
		return NULL;
	}
	r = json_object_new_object();
	json_object_object_add(r, "actions", ids);
	if (d->state_ok)
		persist_save(d);
	return r;
}

json_object *cmd_drain(void *ud, json_object *req, char *err, size_t errlen)
{
	return manual(ud, req, AK_DRAIN, true, err, errlen);
}

json_object *cmd_undrain(void *ud, json_object *req, char *err, size_t errlen)
{
	return manual(ud, req, AK_UNDRAIN, false, err, errlen);
}

json_object *cmd_fence(void *ud, json_object *req, char *err, size_t errlen)
{
	return manual(ud, req, AK_FENCE, true, err, errlen);
}
