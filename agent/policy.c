/*
 * policy: decisions.  See policy.h; requests through the actuators are in
 * policy_req.c.
 *
 * ST_POLICY record: u8 drained, u8 drained-auto, i64 drained-since, u32 n,
 * n x i64 drain time, u8 fenced, str fence boot id, u8 budget-refused,
 * str budget-last, i64 budget-checked, i64 next action id.
 */
#include "policy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

#define ST_ACTION 5
#define ST_POLICY 7
#define ST_SILENCE 8

static const char *const posture_names[] = {"normal", "notified", "drained", "fenced"};

const char *posture_name(enum posture po)
{
	return (unsigned)po < 4 ? posture_names[po] : "?";
}

int policy_init(struct policy *p)
{
	memset(p, 0, sizeof *p);
	config_policy_defaults(&p->cfg);
	p->cfg.file = NULL;
	p->next_group = 1;
	return actlog_init(&p->log);
}

void policy_free(struct policy *p)
{
	actlog_free(&p->log);
}

/* Records still under way when their actuators were stopped (a reload):
 * they will not come back. */
static void cancel_unfinished(struct policy *p, int64_t now_wall)
{
	for (size_t i = 0; i < p->log.n; i++) {
		struct act_record *r = actlog_at(&p->log, i);

		if (act_result_final(r->result))
			continue;
		r->result = AR_CANCELLED;
		r->finished_ms = now_wall;
		r->next_retry_ms = r->retry_mono_ms = 0;
		snprintf(r->detail, sizeof r->detail,
			 "the configuration was reloaded before it finished");
	}
}

void policy_configure(struct policy *p, const struct cfg_policy *cfg, struct actuator **acts,
		      size_t nacts)
{
	cancel_unfinished(p, wall_ms());
	p->cfg = *cfg;
	p->cfg.file = NULL;
	/* What dry-run pretended is forgotten when it ends. */
	if (!cfg->dry_run && p->drained_dry)
		p->drained = p->drained_auto = p->drained_dry = false;
	if (!cfg->dry_run && p->fenced_dry)
		p->fenced = p->fenced_dry = false;
	p->acts = acts;
	p->nacts = nacts;
	/* Requests under way went with the old actuators. */
	p->dreq.group = 0;
	p->freq.group = 0;
}

void policy_boot_id(char *buf, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(buf, (int)len, f) == NULL)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

enum cfg_pol_act policy_action_for(const struct policy *p, int st)
{
	enum cfg_pol_act a = st > 0 && st < 4 ? p->cfg.on_state[st] : PA_NONE;

	return a == PA_FENCE && !p->cfg.fencing ? PA_DRAIN : a;
}

/* The rule name of a finding reason "RULE: message". */
static void rule_of(const char *reason, char *rule, size_t len)
{
	size_t n = strcspn(reason, ":");

	snprintf(rule, len, "%.*s", (int)n, reason);
}

/* Effective state, reason line and evidence from the report. */
static void read_report(struct policy *p, const struct health_report *r)
{
	int worst = 0;
	size_t first = r->nreasons, kept = 0;
	bool excluded = false;

	p->silenced = false;
	p->nevidence = 0;
	for (size_t i = 0; i < r->nreasons; i++) {
		char rule[128];
		bool live = r->reason_kind[i] != LK_NONE;

		rule_of(r->reasons[i], rule, sizeof rule);
		/* The policy's own refusal must not keep the node where the
		 * policy wants to drain it (yellow drain): not acted on. */
		if (r->reason_kind[i] == LK_DRAIN_REFUSED) {
			excluded = true;
			continue;
		}
		if (silences_match(&p->sil, live ? NULL : rule,
				   live ? live_kind_name(r->reason_kind[i]) : NULL,
				   r->reason_target[i])) {
			p->silenced = true;
			continue;
		}
		if ((int)r->reason_state[i] > worst)
			worst = (int)r->reason_state[i];
		if (first == r->nreasons)
			first = i;
		kept++;
		if (p->nevidence < ACT_EVIDENCE_MAX)
			snprintf(p->evidence[p->nevidence++], ACT_EVIDENCE_LEN, "%s%s%s%s",
				 r->reasons[i], r->reason_target[i][0] ? " (" : "",
				 r->reason_target[i], r->reason_target[i][0] ? ")" : "");
	}
	p->eff = (int)r->state;
	if ((p->silenced || excluded) && r->more == 0 && worst < p->eff)
		p->eff = worst;
	p->score = r->score;
	if (first < r->nreasons)
		snprintf(p->reason, sizeof p->reason, "%s: %s%s", node_state_name(p->eff),
			 r->reasons[first], kept + r->more > 1 ? " (and more)" : "");
	else
		snprintf(p->reason, sizeof p->reason, "%s%s", node_state_name(p->eff),
			 p->silenced ? " (findings silenced)" : "");
}

static size_t drains_in_window(struct policy *p, int64_t now_wall)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->ndrains; i++)
		if (now_wall - p->drains[i] < p->cfg.drain_window_ms)
			p->drains[kept++] = p->drains[i];
	p->ndrains = kept;
	return kept;
}

static void on_state_change(struct policy *p, int prev, int64_t now_mono, int64_t now_wall)
{
	enum cfg_pol_act a = policy_action_for(p, p->eff), b = policy_action_for(p, prev);

	p->eff_prev = prev;
	p->eff_since_mono = now_mono;
	if ((a >= PA_DRAIN) != (b >= PA_DRAIN)) {
		p->drainable_since_mono = now_mono;
		p->hold_mono = 0; /* a new decision */
		p->hold_why[0] = '\0';
	}
	if (p->eff == 0)
		p->green_since_mono = now_mono;
	if (p->eff < (int)NODE_RED)
		p->budget_refused = false;
	log_notice("policy: node %s -> %s%s", node_state_name(prev), node_state_name(p->eff),
		   p->silenced ? " (some findings silenced)" : "");
	if ((a > b ? a : b) >= PA_NOTIFY)
		preq_notify(p, p->eff, prev, p->reason, now_wall);
}

/* While the engine holds the node state restored from the state file, its
 * reasons are not back: a drain or fence decided on it would act on what was
 * true before the restart (a node repaired and resumed meanwhile drained
 * again, with "red" for only reason; a rebooted node fenced again). */
static bool restoring(struct policy *p, int64_t now_mono)
{
	if (now_mono >= p->restore_mono)
		return false;
	snprintf(p->next, sizeof p->next, "decided when the sources have reported again");
	return true;
}

static void maybe_fence(struct policy *p, int64_t now_mono, int64_t now_wall)
{
	char id[40];

	if (policy_action_for(p, p->eff) != PA_FENCE || p->freq.group != 0 ||
	    restoring(p, now_mono))
		return;
	policy_boot_id(id, sizeof id);
	if (p->fenced && strcmp(id, p->fence_boot) == 0)
		return;
	preq_start(p, &p->freq, AK_FENCE, false, false, "", p->reason, NULL, now_mono, now_wall);
}

static void maybe_drain(struct policy *p, int64_t now_mono, int64_t now_wall)
{
	int64_t held = now_mono - p->drainable_since_mono;

	if (p->drained || p->dreq.group != 0 || policy_action_for(p, p->eff) < PA_DRAIN ||
	    restoring(p, now_mono))
		return;
	if (p->fence_worked) {
		snprintf(p->next, sizeof p->next, "no drain: this node was fenced");
		return;
	}
	if (held < p->cfg.drain_after_ms) {
		snprintf(p->next, sizeof p->next, "drain when %s has held %lld s more",
			 node_state_name(p->eff), (long long)(p->cfg.drain_after_ms - held) / 1000);
		return;
	}
	if (p->hold_mono == INT64_MAX) {
		snprintf(p->next, sizeof p->next, "no drain until the state changes: %s",
			 p->hold_why);
		return;
	}
	if (now_mono < p->hold_mono) {
		snprintf(p->next, sizeof p->next, "drain asked again in %lld s",
			 (long long)(p->hold_mono - now_mono + 999) / 1000);
		return;
	}
	preq_start(p, &p->dreq, AK_DRAIN, false, false, "", p->reason, NULL, now_mono, now_wall);
}

static void maybe_undrain(struct policy *p, int64_t now_mono, int64_t now_wall)
{
	int64_t green = p->eff == 0 ? now_mono - p->green_since_mono : -1;
	int64_t drained = now_wall - p->drained_wall;

	if (!p->drained || !p->drained_auto || p->dreq.group != 0 || p->eff != 0)
		return;
	if (green < p->cfg.undrain_after_ms || drained < p->cfg.min_drained_ms) {
		int64_t wait = p->cfg.undrain_after_ms - green;

		if (p->cfg.min_drained_ms - drained > wait)
			wait = p->cfg.min_drained_ms - drained;
		snprintf(p->next, sizeof p->next, "undrain in %lld s if the node stays green",
			 (long long)(wait + 999) / 1000);
		return;
	}
	if (drains_in_window(p, now_wall) >= p->cfg.max_drains) {
		snprintf(p->next, sizeof p->next,
			 "drain kept: %zu drains within %lld s (max-drains %u): lifted when the "
			 "oldest ages out, or by hand",
			 p->ndrains, (long long)p->cfg.drain_window_ms / 1000, p->cfg.max_drains);
		return;
	}
	if (now_mono < p->hold_mono)
		return;
	preq_start(p, &p->dreq, AK_UNDRAIN, false, false, "", "green again", NULL, now_mono,
		   now_wall);
}

void policy_tick(struct policy *p, const struct health_report *r, int64_t now_mono,
		 int64_t now_wall)
{
	int prev = p->eff;

	silences_expire(&p->sil, now_wall);
	read_report(p, r);
	p->next[0] = '\0';
	if (!p->started) {
		p->started = true;
		p->eff_since_mono = now_mono;
		p->green_since_mono = now_mono;
		p->drainable_since_mono = now_mono;
		/* Tell the actuators where things stand, whatever an earlier
		 * run left (Pacemaker's attribute): previous = current. */
		preq_notify(p, p->eff, p->eff, p->reason, now_wall);
	} else if (p->eff != prev) {
		on_state_change(p, prev, now_mono, now_wall);
	}
	preq_retry_due(p, now_mono, now_wall);
	maybe_fence(p, now_mono, now_wall);
	maybe_drain(p, now_mono, now_wall);
	maybe_undrain(p, now_mono, now_wall);
}

size_t policy_collect(struct policy *p, int64_t now_mono, int64_t now_wall)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nacts; i++) {
		struct act_job *j = actuator_take_done(p->acts[i]), *next;

		for (; j != NULL; j = next) {
			next = j->next;
			preq_collect_job(p, p->acts[i], j, now_mono, now_wall);
			free(j);
			n++;
		}
	}
	if (n) {
		preq_finish_check(p, &p->dreq, now_mono, now_wall);
		preq_finish_check(p, &p->freq, now_mono, now_wall);
	}
	return n;
}

int policy_manual(struct policy *p, enum act_kind kind, const char *reason, bool force,
		  const char *user, json_object *ids, char *err, size_t errlen)
{
	struct policy_req *q = kind == AK_FENCE ? &p->freq : &p->dreq;
	int64_t now_mono = mono_ms(), now_wall = wall_ms();
	char why[ACT_REASON_MAX];

	if (kind == AK_FENCE && !p->cfg.fencing) {
		snprintf(err, errlen,
			 "fencing is disabled (policy: fencing no); enable it in the configuration "
			 "first");
		return -1;
	}
	if (kind == AK_DRAIN && p->drained) {
		snprintf(err, errlen, "the node is already drained by hwhealth");
		return -1;
	}
	if (q->group != 0) {
		snprintf(err, errlen,
			 "a %s is under way (group %lld): wait for it (hwhealth actions)",
			 act_kind_name(q->kind), (long long)q->group);
		return -1;
	}
	snprintf(why, sizeof why, "operator %s: %s", user, reason);
	log_notice("policy: %s asked by %s: %s%s", act_kind_name(kind), user, reason,
		   force ? " (budget overridden)" : "");
	if (preq_start(p, q, kind, true, force, user, why, ids, now_mono, now_wall) < 0) {
		snprintf(err, errlen, "no action block handles %s", act_kind_name(kind));
		return -1;
	}
	return 0;
}

bool policy_budget_refused(const struct policy *p, const char **why)
{
	if (why)
		*why = p->budget_last;
	return p->budget_refused;
}

static enum posture posture_of(const struct policy *p)
{
	char id[40];

	policy_boot_id(id, sizeof id);
	if (p->fenced && strcmp(id, p->fence_boot) == 0)
		return PO_FENCED;
	if (p->drained)
		return PO_DRAINED;
	return p->eff > 0 && policy_action_for(p, p->eff) >= PA_NOTIFY ? PO_NOTIFIED : PO_NORMAL;
}

static json_object *jtime(int64_t wall)
{
	return wall > 0 ? json_object_new_double((double)wall / 1e3) : NULL;
}

static json_object *budget_json(const struct policy *p)
{
	json_object *b = json_object_new_object();
	char max[16];

	snprintf(max, sizeof max, "%u%s", p->cfg.max_unhealthy,
		 p->cfg.max_unhealthy_pct ? "%" : "");
	json_object_object_add(b, "max_unhealthy", json_object_new_string(max));
	json_object_object_add(b, "last",
			       p->budget_last[0] ? json_object_new_string(p->budget_last) : NULL);
	json_object_object_add(b, "checked", jtime(p->budget_checked_wall));
	return b;
}

json_object *policy_json(const struct policy *p, int64_t now_mono, int64_t now_wall)
{
	json_object *o = json_object_new_object();

	(void)now_mono;
	(void)now_wall;
	json_object_object_add(o, "dry_run", json_object_new_boolean(p->cfg.dry_run));
	json_object_object_add(o, "fencing", json_object_new_boolean(p->cfg.fencing));
	json_object_object_add(o, "posture", json_object_new_string(posture_name(posture_of(p))));
	json_object_object_add(o, "effective_state",
			       json_object_new_string(node_state_name((enum node_state)p->eff)));
	json_object_object_add(o, "drained_since", p->drained ? jtime(p->drained_wall) : NULL);
	json_object_object_add(
	    o, "drained_by",
	    p->drained ? json_object_new_string(p->drained_auto ? "policy" : "operator") : NULL);
	json_object_object_add(o, "silenced", json_object_new_boolean(p->silenced));
	json_object_object_add(o, "budget", budget_json(p));
	json_object_object_add(o, "fenced_boot",
			       json_object_new_boolean(posture_of(p) == PO_FENCED));
	json_object_object_add(o, "next", p->next[0] ? json_object_new_string(p->next) : NULL);
	return o;
}

json_object *policy_actuators_json(const struct policy *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->nacts; i++) {
		struct actuator *x = p->acts[i];
		json_object *o = json_object_new_object(), *on = json_object_new_array();
		bool busy;
		size_t n = actuator_pending(x, &busy);

		json_object_object_add(o, "name", json_object_new_string(x->name));
		json_object_object_add(o, "plugin", json_object_new_string(x->plugin->name));
		json_object_object_add(o, "busy", json_object_new_boolean(busy));
		json_object_object_add(o, "queued", json_object_new_int((int)(n - busy)));
		for (int k = 0; k < AK_COUNT; k++)
			if (x->on & (1u << k))
				json_object_array_add(on, json_object_new_string(act_kind_name(k)));
		json_object_object_add(o, "on", on);
		json_object_array_add(a, o);
	}
	return a;
}

/* ---- state file ------------------------------------------------------------ */

void policy_save(struct policy *p, struct sf_buf *b)
{
	size_t rec = sf_rec_begin(b, ST_POLICY);

	sf_put_u8(b, p->drained && !p->drained_dry);
	sf_put_u8(b, p->drained_auto);
	sf_put_i64(b, p->drained_wall);
	sf_put_u32(b, (uint32_t)p->ndrains);
	for (size_t i = 0; i < p->ndrains; i++)
		sf_put_i64(b, p->drains[i]);
	sf_put_u8(b, p->fenced && !p->fenced_dry);
	sf_put_str(b, p->fence_boot);
	sf_put_u8(b, p->budget_refused);
	sf_put_str(b, p->budget_last);
	sf_put_i64(b, p->budget_checked_wall);
	sf_put_i64(b, p->log.next_id);
	sf_rec_end(b, rec);
	actlog_save(&p->log, b);
	silences_save(&p->sil, b);
}

static void take(char *dst, size_t len, char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
	free(s);
}

static int load_policy_rec(struct policy *live, struct sf_cur *c, char *err, size_t errlen)
{
	struct policy tmp = *live, *p = &tmp;
	uint32_t n;

	p->drained = sf_get_u8(c) != 0;
	p->drained_auto = sf_get_u8(c) != 0;
	p->drained_wall = sf_get_i64(c);
	n = sf_get_u32(c);
	if (n > POLICY_DRAINS_MAX)
		c->bad = true;
	for (uint32_t i = 0; !c->bad && i < n; i++)
		p->drains[i] = sf_get_i64(c);
	p->ndrains = c->bad ? 0 : n;
	p->fenced = sf_get_u8(c) != 0;
	take(p->fence_boot, sizeof p->fence_boot, sf_get_str(c, NULL));
	p->budget_refused = sf_get_u8(c) != 0;
	take(p->budget_last, sizeof p->budget_last, sf_get_str(c, NULL));
	p->budget_checked_wall = sf_get_i64(c);
	int64_t next = sf_get_i64(c);
	if (c->bad || next < 0 || next > INT64_MAX / 2) {
		snprintf(err, errlen, "malformed policy record");
		return -1;
	}
	if (next > p->log.next_id)
		p->log.next_id = next;
	*live = tmp; /* all of it or nothing */
	return 0;
}

int policy_load(struct policy *p, const void *payload, size_t len, char *err, size_t errlen)
{
	struct sf_cur c, rec;
	uint16_t type;
	int r, rc = 0;

	sf_cur_init(&c, payload, len);
	while (rc == 0 && (r = sf_next_rec(&c, &type, &rec)) != 0) {
		if (r < 0) {
			snprintf(err, errlen, "malformed record");
			rc = -1;
		} else if (type == ST_POLICY) {
			rc = load_policy_rec(p, &rec, err, errlen);
		} else if (type == ST_ACTION) {
			rc = actlog_load_rec(&p->log, &rec, err, errlen);
		} else if (type == ST_SILENCE) {
			rc = silences_load_rec(&p->sil, &rec, err, errlen);
		}
	}
	if (p->drained)
		log_notice("policy: restored: node drained by %s since %lld",
			   p->drained_auto ? "the policy" : "an operator",
			   (long long)p->drained_wall / 1000);
	return rc;
}
