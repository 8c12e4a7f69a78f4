/*
 * daemon_actions: the daemon's side of the policy (policy.h) and its
 * actuators (actuator.h): starting and replacing them with the
 * configuration, feeding the policy the node's health after each
 * evaluation, collecting results, and the watchdog self-fence hook.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

/* The policy's fallback fence: the sources that can (the watchdog). */
static int self_fence_hook(void *arg, const char *reason, char *detail, size_t len)
{
	struct daemon *d = arg;
	char names[256], err[256];
	int n = daemon_act(d, "self-fence", reason, names, sizeof names, err, sizeof err);

	if (n > 0)
		snprintf(detail, len, "self-fence taken by %s", names);
	else
		snprintf(detail, len, "self-fence failed: %s", err);
	return n > 0 ? 0 : -1;
}

int daemon_actions_init(struct daemon *d)
{
	if (policy_init(&d->policy) < 0)
		return -1;
	d->policy.hooks = (struct policy_hooks){.self_fence = self_fence_hook, .arg = d};
	return 0;
}

/* Stop every actuator against one deadline; what they finish meanwhile is
 * recorded before they go. */
static void stop_actuators(struct daemon *d, int64_t wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;

	for (size_t i = 0; i < d->nacts; i++)
		actuator_request_stop(d->acts[i]);
	for (size_t i = 0; i < d->nacts; i++)
		while (actuator_busy(d->acts[i]) && mono_ms() < deadline)
			nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
	policy_collect(&d->policy, mono_ms(), wall_ms());
	for (size_t i = 0; i < d->nacts; i++)
		actuator_release(d->acts[i]);
	free(d->acts);
	d->acts = NULL;
	d->nacts = 0;
	d->policy.acts = NULL;
	d->policy.nacts = 0;
}

void daemon_actions_apply(struct daemon *d, struct prepared *p, int64_t wait_ms)
{
	struct actuator **v = calloc(p->nact ? p->nact : 1, sizeof *v);
	size_t n = 0;

	stop_actuators(d, wait_ms);
	for (size_t i = 0; v != NULL && i < p->nact; i++) {
		struct prepared_source *ps = &p->act[i];

		v[n] = actuator_start(ps->cs->name, ps->plugin, ps->inst, ps->cs->timeout_ms,
				      ps->on, d->wake_fd);
		ps->inst = NULL; /* the actuator has it (or shut it down) */
		if (v[n] != NULL)
			n++;
	}
	if (v == NULL && p->nact > 0)
		log_err("out of memory: no actuators");
	d->acts = v;
	d->nacts = n;
	policy_configure(&d->policy, &p->cfg->policy, d->acts, d->nacts);
	if (p->cfg->policy.dry_run)
		log_notice("policy: dry-run: actions are decided and recorded, not executed");
	if (n > 0 || p->cfg->policy.fencing)
		log_info("policy: %zu actuator%s; yellow %s, red %s, critical %s; fencing %s", n,
			 n == 1 ? "" : "s", cfg_pol_act_name(p->cfg->policy.on_state[1]),
			 cfg_pol_act_name(p->cfg->policy.on_state[2]),
			 cfg_pol_act_name(p->cfg->policy.on_state[3]),
			 p->cfg->policy.fencing ? "on" : "off");
}

bool daemon_actions_step(struct daemon *d, bool evaluated)
{
	int64_t now = mono_ms(), wall = wall_ms();
	size_t before = d->policy.log.next_id, got = policy_collect(&d->policy, now, wall);
	struct health_report r;

	if (!evaluated && got == 0)
		return false;
	d->policy.restore_mono = d->engine.hold_until_ms;
	if (evaluated && d->report_ok) {
		/* The report the evaluation just built: no second liveness walk
		 * over every metric on the poll path. */
		policy_tick(&d->policy, &d->report, now, wall);
	} else {
		daemon_health(d, &r);
		policy_tick(&d->policy, &r, now, wall);
	}
	return got > 0 || (size_t)d->policy.log.next_id != before;
}

void daemon_actions_live(struct daemon *d, struct health_report *live)
{
	const char *why;

	if (policy_budget_refused(&d->policy, &why))
		health_add_live(live, LK_DRAIN_REFUSED, "policy", "drain refused: %s", why);
}

void daemon_actions_stop(struct daemon *d, int64_t wait_ms)
{
	stop_actuators(d, wait_ms);
}
