/*
 * policy_req: requests through the actuators — records, jobs, the drain
 * budget, results, retries and the self-fence fallback.  See policy.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy.h"
#include "util.h"

static bool wants(const struct actuator *a, enum act_kind k)
{
	return (a->on & (1u << k)) != 0;
}

static struct act_record *new_record(struct policy *p, const char *actuator, enum act_kind kind,
				     bool manual, const char *user, const char *reason, int state,
				     int prev, int64_t now_wall)
{
	struct act_record *r = actlog_add(&p->log, kind, actuator);

	if (r == NULL)
		return NULL;
	r->manual = manual;
	snprintf(r->user, sizeof r->user, "%s", manual ? user : "");
	r->state = state;
	r->previous_state = prev;
	r->score = p->score;
	snprintf(r->reason, sizeof r->reason, "%s", reason);
	r->nevidence = p->nevidence;
	memcpy(r->evidence, p->evidence, sizeof r->evidence);
	r->requested_ms = now_wall;
	r->attempt = 1;
	return r;
}

static void log_record(const struct act_record *r)
{
	int prio = r->result == AR_DONE || r->result == AR_SKIPPED || r->result == AR_DRYRUN
		       ? HWH_LOG_NOTICE
		       : HWH_LOG_WARNING;

	log_msg(prio, "action %lld %s via %s (%s, attempt %u): %s%s%s", (long long)r->id,
		act_kind_name(r->kind), r->actuator, r->manual ? "manual" : "auto", r->attempt,
		act_result_name(r->result), r->detail[0] ? ": " : "", r->detail);
}

/* Hand record r to actuator a.  0, or -1 (recorded as failed). */
static int post(struct policy *p, struct actuator *a, struct act_record *r)
{
	struct act_job *j = calloc(1, sizeof *j);
	int rc;

	if (j == NULL) {
		rc = -ENOMEM;
	} else {
		*j = (struct act_job){.type = JOB_PERFORM,
				      .record = r->id,
				      .kind = r->kind,
				      .state = r->state,
				      .previous_state = r->previous_state,
				      .score = r->score,
				      .id = r->id,
				      .manual = r->manual,
				      .drained = p->drained || r->kind == AK_DRAIN};
		if (r->kind == AK_UNDRAIN)
			j->drained = false;
		snprintf(j->reason, sizeof j->reason, "%s", r->reason);
		rc = actuator_post(a, j);
	}
	if (rc == 0) {
		r->result = AR_RUNNING;
		return 0;
	}
	free(j);
	r->result = AR_FAILED;
	r->finished_ms = wall_ms();
	snprintf(r->detail, sizeof r->detail, "not queued: %s",
		 rc == -EBUSY ? "the actuator's queue is full" : strerror(-rc));
	log_record(r);
	return -1;
}

static struct actuator *actuator_named(struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->nacts; i++)
		if (strcmp(p->acts[i]->name, name) == 0)
			return p->acts[i];
	return NULL;
}

static void dry_run(struct act_record *r)
{
	r->result = AR_DRYRUN;
	r->finished_ms = r->requested_ms;
	snprintf(r->detail, sizeof r->detail, "dry-run: decided, not executed");
	log_record(r);
}

void preq_notify(struct policy *p, int state, int prev, const char *reason, int64_t now_wall)
{
	for (size_t i = 0; i < p->nacts; i++) {
		struct act_record *r;

		if (!wants(p->acts[i], AK_NOTIFY))
			continue;
		r = new_record(p, p->acts[i]->name, AK_NOTIFY, false, "", reason, state, prev,
			       now_wall);
		if (r == NULL)
			continue;
		if (p->cfg.dry_run)
			dry_run(r);
		else
			post(p, p->acts[i], r);
	}
}

/* ---- self-fence ---------------------------------------------------------- */

/* A fence was tried this boot (whatever came of it): at most one per boot. */
static void mark_fenced(struct policy *p)
{
	p->fenced = true;
	p->fenced_dry = p->cfg.dry_run;
	policy_boot_id(p->fence_boot, sizeof p->fence_boot);
}

static void self_fence(struct policy *p, struct policy_req *q, int64_t now_wall)
{
	struct act_record *r;

	if (!p->cfg.self_fence) {
		log_crit("fence: no actuator fenced this node and self-fence is off");
		return;
	}
	r = new_record(p, "self-fence", AK_FENCE, q->manual, q->user, q->reason, p->eff,
		       p->eff_prev, now_wall);
	if (r == NULL)
		return;
	if (p->cfg.dry_run) {
		dry_run(r);
		return;
	}
	r->started_ms = now_wall;
	if (p->hooks.self_fence == NULL ||
	    p->hooks.self_fence(p->hooks.arg, q->reason, r->detail, sizeof r->detail) < 0) {
		r->result = AR_FAILED;
	} else {
		r->result = AR_DONE;
		p->fence_worked = true;
	}
	r->finished_ms = wall_ms();
	r->duration_ms = r->finished_ms - now_wall;
	log_record(r);
}

/* ---- drain, undrain, fence ---------------------------------------------- */

static void apply_outcome(struct policy *p, struct policy_req *q, bool done, bool failed,
			  int64_t now_mono, int64_t now_wall)
{
	switch (q->kind) {
	case AK_DRAIN:
		if (!done && !failed) {
			/* Every actuator skipped: the node is out already, by
			 * someone else.  Not ours to own; ask again only when
			 * the state changes. */
			p->hold_mono = INT64_MAX;
			snprintf(p->hold_why, sizeof p->hold_why,
				 "already drained by someone else (every actuator skipped)");
			log_notice("policy: drain skipped by every actuator (already drained by "
				   "someone else); not asked again until the state changes");
		} else if (done) {
			p->drained = true;
			p->drained_dry = p->cfg.dry_run;
			p->drained_auto = !q->manual;
			p->drained_wall = now_wall;
			if (!q->manual && !p->cfg.dry_run) {
				if (p->ndrains == POLICY_DRAINS_MAX) {
					memmove(p->drains, p->drains + 1,
						(POLICY_DRAINS_MAX - 1) * sizeof p->drains[0]);
					p->ndrains--;
				}
				p->drains[p->ndrains++] = now_wall;
			}
			log_notice("policy: node drained (%s)", q->reason);
		} else {
			p->hold_mono = now_mono + p->cfg.budget_recheck_ms;
			log_warn(
			    "policy: drain did not take on any actuator; asked again in %lld s",
			    (long long)p->cfg.budget_recheck_ms / 1000);
		}
		break;
	case AK_UNDRAIN:
		if (!failed && p->cfg.dry_run && p->drained && !p->drained_dry) {
			log_notice("policy: dry-run: hwhealth's real drain stays in force");
		} else if (!failed) {
			p->drained = p->drained_auto = p->drained_dry = false;
			log_notice("policy: hwhealth's drain lifted (%s)", q->reason);
			if (q->manual) {
				/* The operator's word: no automatic drain again
				 * until the node's state changes. */
				p->hold_mono = INT64_MAX;
				snprintf(p->hold_why, sizeof p->hold_why, "undrained by %s",
					 q->user);
			}
		} else {
			p->hold_mono = now_mono + p->cfg.budget_recheck_ms;
			log_warn("policy: undrain failed; drain kept, asked again in %lld s",
				 (long long)p->cfg.budget_recheck_ms / 1000);
		}
		break;
	case AK_FENCE:
		mark_fenced(p);
		if (!done)
			self_fence(p, q, now_wall);
		else
			p->fence_worked = !p->cfg.dry_run;
		break;
	default:
		break;
	}
}

void preq_finish_check(struct policy *p, struct policy_req *q, int64_t now_mono, int64_t now_wall)
{
	bool done = false, failed = false;

	if (q->group == 0 || q->budget_phase)
		return;
	/* Finished when every record is: a record that left the log (the
	 * ring is full) counts as finished, so a request never hangs. */
	for (size_t i = 0; i < q->nrec; i++) {
		const struct act_record *r = actlog_find(&p->log, q->rec[i]);

		if (r != NULL && !act_result_final(r->result))
			return;
	}
	for (size_t i = 0; i < q->nrec; i++) {
		const struct act_record *r = actlog_find(&p->log, q->rec[i]);

		if (r == NULL)
			continue;
		done |= r->result == AR_DONE || r->result == AR_DRYRUN;
		failed |=
		    r->result == AR_FAILED || r->result == AR_TIMEOUT || r->result == AR_CANCELLED;
	}
	q->group = 0;
	apply_outcome(p, q, done, failed, now_mono, now_wall);
}

/* Post the request's records to their actuators. */
static void run_records(struct policy *p, struct policy_req *q)
{
	q->budget_phase = false;
	for (size_t i = 0; i < q->nrec; i++) {
		struct act_record *r = actlog_find(&p->log, q->rec[i]);
		struct actuator *a = r ? actuator_named(p, r->actuator) : NULL;

		if (a != NULL)
			post(p, a, r);
	}
}

/* Ask every actuator that knows a cluster for the budget.  Returns how
 * many were asked. */
static size_t ask_budget(struct policy *p, struct policy_req *q)
{
	size_t n = 0;

	q->budget_bad = false;
	q->budget_why[0] = '\0';
	q->nodes = q->unhealthy = 0;
	q->names[0] = '\0';
	for (size_t i = 0; i < p->nacts; i++) {
		struct act_job *j;

		if (!actuator_has_cluster(p->acts[i]) || (j = calloc(1, sizeof *j)) == NULL)
			continue;
		*j = (struct act_job){.type = JOB_CLUSTER, .record = q->group};
		if (actuator_post(p->acts[i], j) == 0)
			n++;
		else
			free(j);
	}
	return n;
}

int preq_start(struct policy *p, struct policy_req *q, enum act_kind kind, bool manual, bool force,
	       const char *user, const char *reason, json_object *ids, int64_t now_mono,
	       int64_t now_wall)
{
	*q = (struct policy_req){
	    .group = p->next_group++, .kind = kind, .manual = manual, .force = force};
	snprintf(q->user, sizeof q->user, "%s", user);
	snprintf(q->reason, sizeof q->reason, "%s", reason);
	for (size_t i = 0; i < p->nacts && q->nrec < PREQ_MAX_RECS; i++) {
		struct act_record *r;

		if (!wants(p->acts[i], kind))
			continue;
		r = new_record(p, p->acts[i]->name, kind, manual, user, reason, p->eff, p->eff_prev,
			       now_wall);
		if (r == NULL)
			continue;
		r->group = q->group;
		q->rec[q->nrec++] = r->id;
		if (ids)
			json_object_array_add(ids, json_object_new_int64(r->id));
	}
	if (q->nrec == 0) {
		q->group = 0;
		if (kind == AK_FENCE) {
			mark_fenced(p);
			self_fence(p, q, now_wall);
			return 0;
		}
		p->hold_mono = now_mono + p->cfg.budget_recheck_ms;
		snprintf(p->next, sizeof p->next, "no action block handles %s",
			 act_kind_name(kind));
		return -1;
	}
	log_notice("policy: %s requested (%s%s%s): %s", act_kind_name(kind),
		   manual ? "by " : "automatic", manual ? user : "",
		   force ? ", budget overridden" : "", reason);
	for (unsigned e = 0; e < p->nevidence; e++)
		log_notice("policy:   evidence: %s", p->evidence[e]);
	if (p->cfg.dry_run) {
		for (size_t i = 0; i < q->nrec; i++) {
			struct act_record *r = actlog_find(&p->log, q->rec[i]);

			if (r != NULL)
				dry_run(r);
		}
		preq_finish_check(p, q, now_mono, now_wall);
		return 0;
	}
	if (kind == AK_DRAIN && !force) {
		q->budget_phase = true;
		for (size_t i = 0; i < q->nrec; i++) {
			struct act_record *r = actlog_find(&p->log, q->rec[i]);

			if (r != NULL)
				snprintf(r->detail, sizeof r->detail,
					 "waiting for the drain budget");
		}
		q->outstanding = ask_budget(p, q);
		if (q->outstanding > 0)
			return 0;
		log_notice("policy: no actuator knows a cluster: drain budget not checked");
	}
	run_records(p, q);
	preq_finish_check(p, q, now_mono, now_wall);
	return 0;
}

/* ---- the budget ------------------------------------------------------------ */

static unsigned budget_allowed(const struct policy *p, int nodes)
{
	unsigned n;

	if (!p->cfg.max_unhealthy_pct)
		return p->cfg.max_unhealthy;
	n = (unsigned)((long long)nodes * p->cfg.max_unhealthy / 100);
	return n ? n : 1;
}

static void budget_answer(struct policy *p, struct policy_req *q, struct actuator *a,
			  struct act_job *j)
{
	size_t len = strlen(q->budget_why);
	unsigned allowed = budget_allowed(p, j->cluster.nodes);

	if (j->rc < 0) {
		q->budget_bad = true;
		snprintf(q->budget_why + len, sizeof q->budget_why - len,
			 "%s%s: cannot read the cluster: %s", len ? "; " : "", a->name,
			 j->res.detail[0] ? j->res.detail : strerror(-j->rc));
		return;
	}
	if (j->cluster.unhealthy > q->unhealthy) {
		q->unhealthy = j->cluster.unhealthy;
		q->nodes = j->cluster.nodes;
		snprintf(q->names, sizeof q->names, "%s", j->cluster.unhealthy_names);
	}
	if (j->cluster.nodes > q->nodes)
		q->nodes = j->cluster.nodes;
	if ((unsigned)j->cluster.unhealthy + 1 > allowed) {
		q->budget_bad = true;
		snprintf(q->budget_why + len, sizeof q->budget_why - len,
			 "%s%s: %d other node%s of %d already out (%s), max-unhealthy %u%s",
			 len ? "; " : "", a->name, j->cluster.unhealthy,
			 j->cluster.unhealthy == 1 ? "" : "s", j->cluster.nodes,
			 j->cluster.unhealthy_names, p->cfg.max_unhealthy,
			 p->cfg.max_unhealthy_pct ? "%" : "");
	}
}

static void budget_decide(struct policy *p, struct policy_req *q, int64_t now_mono,
			  int64_t now_wall)
{
	char why[sizeof p->budget_last];
	bool again;

	p->budget_checked_wall = now_wall;
	if (!q->manual && policy_action_for(p, p->eff) < PA_DRAIN) {
		/* The node recovered while the budget was asked. */
		for (size_t i = 0; i < q->nrec; i++) {
			struct act_record *r = actlog_find(&p->log, q->rec[i]);

			if (r == NULL)
				continue;
			r->result = AR_CANCELLED;
			r->finished_ms = now_wall;
			snprintf(r->detail, sizeof r->detail,
				 "no longer wanted: the node recovered");
		}
		q->group = 0;
		q->budget_phase = false;
		return;
	}
	if (!q->budget_bad) {
		p->budget_refused = false;
		snprintf(p->budget_last, sizeof p->budget_last,
			 "allowed: %d other node%s of %d out%s%.160s", q->unhealthy,
			 q->unhealthy == 1 ? "" : "s", q->nodes, q->names[0] ? ": " : "", q->names);
		for (size_t i = 0; i < q->nrec; i++) {
			struct act_record *r = actlog_find(&p->log, q->rec[i]);

			if (r != NULL)
				r->detail[0] = '\0';
		}
		run_records(p, q);
		return;
	}
	snprintf(why, sizeof why, "refused: %.240s", q->budget_why);
	again = p->budget_refused && strcmp(why, p->budget_last) == 0;
	p->budget_refused = true;
	snprintf(p->budget_last, sizeof p->budget_last, "%s", why);
	q->group = 0;
	q->budget_phase = false;
	p->hold_mono = now_mono + p->cfg.budget_recheck_ms;
	if (again && !q->manual) {
		/* The same refusal as last time: "checked" in the policy says
		 * it was asked again; the log keeps the first one. */
		for (size_t i = 0; i < q->nrec; i++)
			actlog_remove(&p->log, q->rec[i]);
		return;
	}
	log_warn("policy: drain refused, budget exhausted: %s", q->budget_why);
	for (size_t i = 0; i < q->nrec; i++) {
		struct act_record *r = actlog_find(&p->log, q->rec[i]);

		if (r == NULL)
			continue;
		r->result = AR_REFUSED;
		r->finished_ms = now_wall;
		snprintf(r->detail, sizeof r->detail, "budget exhausted: %.230s", q->budget_why);
		log_record(r);
	}
	snprintf(why, sizeof why, "drain refused, budget exhausted: %.220s", q->budget_why);
	preq_notify(p, p->eff, p->eff, why, now_wall);
}

/* ---- results ------------------------------------------------------------ */

static enum act_result result_of(int rc)
{
	return rc == 0		       ? AR_DONE
	       : rc == HWH_ACT_SKIPPED ? AR_SKIPPED
	       : rc == -ETIMEDOUT      ? AR_TIMEOUT
				       : AR_FAILED;
}

static struct policy_req *req_of(struct policy *p, int64_t group)
{
	if (group != 0 && p->dreq.group == group)
		return &p->dreq;
	if (group != 0 && p->freq.group == group)
		return &p->freq;
	return NULL;
}

/* Forget record id in q's list (an actuator that does not do that action). */
static void req_drop(struct policy_req *q, int64_t id)
{
	for (size_t i = 0; i < q->nrec; i++)
		if (q->rec[i] == id) {
			q->rec[i] = q->rec[--q->nrec];
			return;
		}
}

static int64_t backoff(const struct policy *p, unsigned attempt)
{
	int64_t d = p->cfg.retry_ms;

	for (unsigned i = 1; i < attempt && d < p->cfg.retry_max_ms; i++)
		d *= 2;
	return d < p->cfg.retry_max_ms ? d : p->cfg.retry_max_ms;
}

static void perform_answer(struct policy *p, struct act_job *j, int64_t now_mono, int64_t now_wall)
{
	struct act_record *r = actlog_find(&p->log, j->record);
	struct policy_req *q = r ? req_of(p, r->group) : NULL;

	if (r == NULL)
		return;
	if (j->rc == -ENOTSUP) {
		if (q)
			req_drop(q, r->id);
		actlog_remove(&p->log, r->id);
		return;
	}
	r->started_ms = j->started_wall_ms;
	r->finished_ms = j->finished_wall_ms;
	r->duration_ms = j->duration_ms;
	r->exit_status = j->res.exit_status;
	r->result = result_of(j->rc);
	snprintf(r->detail, sizeof r->detail, "%s",
		 j->res.detail[0] ? j->res.detail
		 : j->rc < 0	  ? strerror(-j->rc)
				  : "");
	act_record_set_output(r, j->res.output);
	r->next_retry_ms = 0;
	if ((r->result == AR_FAILED || r->result == AR_TIMEOUT) && r->kind != AK_FENCE &&
	    r->attempt <= p->cfg.retries) {
		int64_t d = backoff(p, r->attempt);

		log_record(r);
		r->result = AR_PENDING;
		r->next_retry_ms = now_wall + d;
		r->retry_mono_ms = now_mono + d;
		log_notice("action %lld: retry %u in %lld ms", (long long)r->id, r->attempt + 1,
			   (long long)d);
		return;
	}
	log_record(r);
}

void preq_collect_job(struct policy *p, struct actuator *a, struct act_job *j, int64_t now_mono,
		      int64_t now_wall)
{
	struct policy_req *q;

	if (j->type == JOB_PERFORM) {
		perform_answer(p, j, now_mono, now_wall);
		return;
	}
	q = req_of(p, j->record);
	if (q == NULL || !q->budget_phase)
		return;
	budget_answer(p, q, a, j);
	if (q->outstanding > 0 && --q->outstanding == 0)
		budget_decide(p, q, now_mono, now_wall);
}

/* Is record r still wanted now? */
static bool still_wanted(const struct policy *p, const struct act_record *r)
{
	if (r->kind == AK_NOTIFY)
		return r->state == p->eff;
	return r->group != 0 && (p->dreq.group == r->group || p->freq.group == r->group);
}

void preq_retry_due(struct policy *p, int64_t now_mono, int64_t now_wall)
{
	for (size_t i = 0; i < p->log.n; i++) {
		struct act_record *r = actlog_at(&p->log, i);
		struct actuator *a;

		if (r->result != AR_PENDING || r->retry_mono_ms == 0 || r->retry_mono_ms > now_mono)
			continue;
		r->retry_mono_ms = 0;
		r->next_retry_ms = 0;
		a = actuator_named(p, r->actuator);
		if (a == NULL || !still_wanted(p, r)) {
			r->result = AR_CANCELLED;
			r->finished_ms = now_wall;
			snprintf(r->detail, sizeof r->detail, "%s",
				 a ? "no longer wanted: the node state changed"
				   : "its action block is gone");
			log_record(r);
			continue;
		}
		r->attempt++;
		post(p, a, r);
	}
	preq_finish_check(p, &p->dreq, now_mono, now_wall);
	preq_finish_check(p, &p->freq, now_mono, now_wall);
}
