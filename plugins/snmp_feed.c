/*
 * snmp_feed.c: the daemon's state as the subagent serves it.  See
 * snmp_internal.h.
 *
 * The handler answers from one view (snmp_view.c): every instance of the
 * MIB built from the daemon's replies to status, sensors, explain and
 * actions, taken one after the other through hwh_query() — the same JSON
 * `hwhealth --json` shows.  A view is reused for `refresh`; the first
 * request after that rebuilds it (a walk is served from one view while it
 * lasts, and nothing is asked while nobody walks).
 *
 * When the daemon does not answer (its main loop is stuck: hwh_query()
 * times out) or answers nonsense, the handler goes on answering from the
 * last good view, until that view is older than `stale-limit`: from then
 * on every request in the module's subtree gets genErr, until a rebuild
 * works again.  An operator's poller then shows the agent failing, never a
 * stale "green".  A failed rebuild is retried at most once per `refresh`,
 * so a walk does not wait for the timeout at each step.  Each change
 * (failing, expired, recovered) is logged once and shown in the service's
 * status.
 *
 * To extend: a new reply the view needs is one more member of struct
 * snmp_replies and one line in snmpf_query().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_internal.h"

void snmpf_init(struct snmpf_feed *f, struct hwh_ctx *ctx, const struct snmpo_conf *conf)
{
	memset(f, 0, sizeof *f);
	f->ctx = ctx;
	f->conf = conf;
}

void snmpf_free(struct snmpf_feed *f)
{
	snmpv_free(f->view);
	f->view = NULL;
}

void snmpf_replies_free(struct snmpf_replies *r)
{
	free(r->status);
	free(r->sensors);
	free(r->explain);
	free(r->actions);
	memset(r, 0, sizeof *r);
}

/* One request within the round's deadline: 0 with *reply, or -errno. */
static int ask(struct snmpf_feed *f, const char *request, uint64_t deadline, char **reply,
	       char *err, size_t len)
{
	uint64_t now = pu_mono_ms();
	int r;

	if (now >= deadline) {
		snprintf(err, len, "%s: no time left (timeout %llums)", request,
			 (unsigned long long)f->conf->timeout_ms);
		return -ETIMEDOUT;
	}
	r = hwh_query(f->ctx, request, reply, (int64_t)(deadline - now));
	if (r < 0) {
		snprintf(err, len, "%s: %s", request,
			 r == -ETIMEDOUT ? "the daemon did not answer in time" : strerror(-r));
		free(*reply);
		*reply = NULL;
		return r;
	}
	if (*reply == NULL) {
		snprintf(err, len, "%s: empty reply", request);
		return -EPROTO;
	}
	return 0;
}

int snmpf_query(struct snmpf_feed *f, const struct snmpf_replies *want, struct snmpf_replies *out,
		char *err, size_t len)
{
	uint64_t deadline = pu_mono_ms() + f->conf->timeout_ms;
	int r = 0;

	memset(out, 0, sizeof *out);
	if (want->status != NULL)
		r = ask(f, "{\"cmd\":\"status\"}", deadline, &out->status, err, len);
	if (r == 0 && want->sensors != NULL)
		r = ask(f, "{\"cmd\":\"sensors\"}", deadline, &out->sensors, err, len);
	if (r == 0 && want->explain != NULL)
		r = ask(f, "{\"cmd\":\"explain\"}", deadline, &out->explain, err, len);
	if (r == 0 && want->actions != NULL)
		r = ask(f, "{\"cmd\":\"actions\"}", deadline, &out->actions, err, len);
	if (r < 0)
		snmpf_replies_free(out);
	return r;
}

/* Build a new view: 0, or -1 with f->err. */
static int rebuild(struct snmpf_feed *f)
{
	static char any; /* a non-NULL marker: "ask for this one" */
	const struct snmpf_replies want = {&any, &any, &any, &any};
	struct snmpf_replies rep;
	struct snmpv_view *v = NULL;
	struct snmpv_input in;
	char err[sizeof f->err - 32];

	if (snmpf_query(f, &want, &rep, err, sizeof err) < 0) {
		snprintf(f->err, sizeof f->err, "%s", err);
		return -1;
	}
	in = (struct snmpv_input){rep.status, rep.sensors, rep.explain, rep.actions, f->lost};
	if (snmpv_build(&in, f->conf->root, f->conf->rootlen, &v, err, sizeof err) < 0) {
		snprintf(f->err, sizeof f->err, "cannot build the view: %s", err);
		snmpf_replies_free(&rep);
		return -1;
	}
	snmpf_replies_free(&rep);
	snmpv_free(f->view);
	f->view = v;
	return 0;
}

const struct snmpv_view *snmpf_view(struct snmpf_feed *f, uint64_t now_ms)
{
	uint64_t max_age = f->conf->stale_ms ? f->conf->stale_ms : f->conf->refresh_ms;

	if (f->view != NULL && !f->dirty && now_ms - f->built_ms < f->conf->refresh_ms)
		return f->view;
	if (f->dirty || f->tried_ms == 0 || now_ms - f->tried_ms >= f->conf->refresh_ms) {
		f->dirty = false;
		f->tried_ms = now_ms;
		if (rebuild(f) == 0) {
			f->built_ms = now_ms;
			if (f->failing)
				hwh_log(f->ctx, HWH_LOG_NOTICE,
					"the daemon's state is served again (%zu instances)",
					snmpv_count(f->view));
			f->failing = false;
			f->expired = false;
			return f->view;
		}
		if (!f->failing)
			hwh_log(f->ctx, HWH_LOG_WARNING,
				"cannot refresh the view: %s; serving the last one (if any) for "
				"at most %llums",
				f->err, (unsigned long long)max_age);
		f->failing = true;
	}
	if (f->view != NULL && now_ms - f->built_ms < max_age)
		return f->view;
	if (!f->expired)
		hwh_log(f->ctx, HWH_LOG_ERR,
			"no view of the daemon's state younger than %llums (%s): requests get "
			"genErr until the daemon answers",
			(unsigned long long)max_age, f->err);
	f->expired = true;
	return NULL;
}
