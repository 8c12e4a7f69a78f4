/*
 * policy: what hwhealthd does about the node's state, and when.
 *
 * After every evaluation (and each second) the daemon calls policy_tick()
 * with the health report.  The policy:
 *   - computes the effective state: the node state, or, when silences match
 *     some of its reasons, the worst state of the reasons left (silence.h);
 *   - notifies on every change of the effective state when the policy maps
 *     either side to notify or more (yellow notify, red drain, ...);
 *   - drains when the state maps to drain (or fence with fencing off) and
 *     has held drain-after, after asking every actuator that knows a
 *     cluster for its budget (other nodes out + this one <= max-unhealthy;
 *     a cluster that cannot be asked means no drain);
 *   - fences at most once per boot when the state maps to fence and fencing
 *     is on; when no actuator can fence, or all fail, the watchdog's
 *     self-fence is the fallback (self-fence yes);
 *   - lifts its own automatic drain, and only that, when the node has been
 *     green for undrain-after and drained for min-drained, unless it
 *     drained max-drains times within drain-window (then the drain stays
 *     until the oldest of those ages out: a flapping node stays out);
 *   - retries failed actions with doubling back-off (retry .. retry-max,
 *     retries times), while they are still wanted;
 *   - in dry-run records every decision as "dry-run" and executes nothing.
 * Actions run on the actuators' threads (actuator.h); their results come
 * back through policy_collect().  Every action is logged with the findings
 * that caused it and kept in the action log (actlog.h).  Main thread only.
 */
#ifndef HWH_POLICY_H
#define HWH_POLICY_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "actlog.h"
#include "actuator.h"
#include "config.h"
#include "health.h"
#include "silence.h"

#define POLICY_DRAINS_MAX 64 /* automatic drain times kept for max-drains */

/* Posture: what hwhealth has done to the node. */
enum posture { PO_NORMAL = 0, PO_NOTIFIED, PO_DRAINED, PO_FENCED };

#define PREQ_MAX_RECS 32 /* records (actuators) one request may make */

/* A drain, undrain or fence on its way through the actuators. */
struct policy_req {
	int64_t rec[PREQ_MAX_RECS]; /* its action records */
	size_t nrec;
	char reason[ACT_REASON_MAX];
	int64_t group; /* 0: none under way */
	enum act_kind kind;
	bool manual, force, budget_phase;
	char user[33];
	size_t outstanding; /* budget answers not back yet */
	bool budget_bad;
	char budget_why[256];
	int nodes, unhealthy; /* the budget's answers, worst of the clusters */
	char names[256];
};

/* Calls the policy makes into the daemon. */
struct policy_hooks {
	/* The watchdog's self-fence: 0 if some source took it, else -1 with
	 * detail. */
	int (*self_fence)(void *arg, const char *reason, char *detail, size_t len);
	void *arg;
};

struct policy {
	struct cfg_policy cfg;	/* a copy (file not owned) */
	struct actuator **acts; /* borrowed from the daemon */
	size_t nacts;
	struct policy_hooks hooks;
	struct actlog log;
	struct silences sil;
	bool started;
	int eff, eff_prev; /* effective state, enum node_state */
	int64_t eff_since_mono;
	int64_t green_since_mono;
	double score;
	bool silenced;		      /* some silence changed the effective state */
	bool drained, drained_auto;   /* hwhealth's drain is in force; by the policy itself */
	bool drained_dry, fenced_dry; /* ...only as dry-run pretended (never saved) */
	int64_t drained_wall;
	int64_t drains[POLICY_DRAINS_MAX]; /* wall times of automatic drains */
	size_t ndrains;
	struct policy_req dreq;	      /* drain / undrain */
	struct policy_req freq;	      /* fence */
	int64_t hold_mono;	      /* no new automatic drain / undrain before this */
	char hold_why[96];	      /* why, when held until the state changes (INT64_MAX) */
	int64_t drainable_since_mono; /* the state has mapped to drain (or more) since */
	int64_t restore_mono;	      /* the restored node state is held (its reasons not
					 back yet): no automatic drain or fence before this */
	bool fence_worked;	      /* a fence of this run was carried out: no drain after it */
	bool budget_refused;	      /* the last drain was refused by the budget */
	char budget_last[256];
	int64_t budget_checked_wall;
	bool fenced;					   /* a fence was requested this boot */
	char fence_boot[40];				   /* the boot id it was requested in */
	char next[200];					   /* what the policy waits for, "" none */
	char reason[ACT_REASON_MAX];			   /* of the last tick */
	char evidence[ACT_EVIDENCE_MAX][ACT_EVIDENCE_LEN]; /* of the last tick */
	unsigned nevidence;
	int64_t next_group;
};

int policy_init(struct policy *p);
void policy_free(struct policy *p);
/* New configuration or actuators (after a reload): requests under way on
 * actuators that are gone are forgotten by the caller stopping them first. */
void policy_configure(struct policy *p, const struct cfg_policy *cfg, struct actuator **acts,
		      size_t nacts);
/* Act on the health report (see above). */
void policy_tick(struct policy *p, const struct health_report *r, int64_t now_mono,
		 int64_t now_wall);
/* Take finished jobs from the actuators.  Returns how many. */
size_t policy_collect(struct policy *p, int64_t now_mono, int64_t now_wall);
/* An operator's drain / undrain / fence (kind), with reason and user.
 * 0 with the new record ids in ids (a JSON array), or -1 with err set. */
int policy_manual(struct policy *p, enum act_kind kind, const char *reason, bool force,
		  const char *user, json_object *ids, char *err, size_t errlen);
/* Whether a drain was refused by the budget, and why (a liveness reason). */
bool policy_budget_refused(const struct policy *p, const char **why);
/* The "policy" object of the actions and status commands. */
json_object *policy_json(const struct policy *p, int64_t now_mono, int64_t now_wall);
/* The "actuators" array. */
json_object *policy_actuators_json(const struct policy *p);
const char *posture_name(enum posture po);

/* State file: ST_POLICY (and the log's ST_ACTION, silences' ST_SILENCE). */
void policy_save(struct policy *p, struct sf_buf *b);
int policy_load(struct policy *p, const void *payload, size_t len, char *err, size_t errlen);

/* What the policy does at state st (fence only with fencing on). */
enum cfg_pol_act policy_action_for(const struct policy *p, int st);
/* This boot's id ("" if unknown). */
void policy_boot_id(char *buf, size_t len);

/* policy_req.c: requests through the actuators (policy.c calls these). */
void preq_notify(struct policy *p, int state, int prev, const char *reason, int64_t now_wall);
int preq_start(struct policy *p, struct policy_req *q, enum act_kind kind, bool manual, bool force,
	       const char *user, const char *reason, json_object *ids, int64_t now_mono,
	       int64_t now_wall);
void preq_retry_due(struct policy *p, int64_t now_mono, int64_t now_wall);
void preq_finish_check(struct policy *p, struct policy_req *q, int64_t now_mono, int64_t now_wall);
void preq_collect_job(struct policy *p, struct actuator *a, struct act_job *j, int64_t now_mono,
		      int64_t now_wall);

#endif
