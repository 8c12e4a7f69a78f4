/*
 * pacemaker: the Pacemaker actuator (build/plugins/pacemaker.so).
 *
 * Tells a Pacemaker cluster about this node's hardware health and moves
 * work off it, through Pacemaker's own command-line tools (found in
 * tools-dir, run with pu_run(): argv only, PATH and LC_ALL=C, killed at the
 * action's timeout less PM_MARGIN_MS):
 *   notify   attrd_updater -n ATTR -U green|yellow|red [-N NODE]: the node
 *            health attribute that node-health-strategy reads
 *   drain    mode health: the same attribute, "red" (migrate-on-red moves
 *            everything away); mode standby: crm_attribute standby=on plus
 *            a marker node attribute, hwhealth-drain=REASON, recording
 *            that the standby is hwhealth's
 *   undrain  mode health: green or yellow again; mode standby: standby off
 *            and the marker deleted, only when both are there (an
 *            operator's standby is never lifted: HWH_ACT_SKIPPED)
 *   fence    stonith_admin --reboot|--fence NODE --timeout S
 * and cluster() reads crm_mon's XML for the drain budget
 * (pacemaker_xml.c).  Exit code 102 of any tool means the cluster cannot be
 * reached (-ENOTCONN, said so in the detail); 105 an unset attribute.
 *
 * The node's cluster name is the "node" option, else `crm_node -n`, asked
 * at init() and again on each use until it answers once.
 *
 * To extend: a new action is a function here called from pm_perform(); a
 * new tool call is one tool() with its argv.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include <hwhealth/plugin.h>

#include "pacemaker_internal.h"
#include "plugin_run.h"
#include "plugin_util.h"

#define PM_MARGIN_MS 200	     /* tools end this long before the action's timeout */
#define PM_TOOL_MIN_MS 100	     /* a tool gets at least this, or is not started */
#define PM_TIMEOUT_DEFAULT_MS 30000  /* an action without a timeout */
#define PM_INIT_TIMEOUT_MS 5000	     /* crm_node -n at init() */
#define PM_CLUSTER_TIMEOUT_MS 10000  /* cluster() when the caller gives no timeout */
#define PM_STONITH_SLACK_MS 1000     /* stonith_admin's own --timeout is this much shorter */
#define PM_CRM_MON_MAX (1024 * 1024) /* crm_mon's XML kept (~250 bytes a node) */
#define PM_ARGV_MAX 16
#define PM_VALUE_MAX 512 /* an attribute value (the drain reason) kept whole */
#define PM_REASON_DEFAULT "hwhealth drain"

/* One instance: one "action NAME { plugin pacemaker }" block. */
struct pm {
	struct pm_conf conf;
	char node[PM_NAME_MAX]; /* conf.node, or crm_node -n's answer; "" not known yet */
};

/* One perform() or cluster(): its deadline, its record, its last tool. */
struct pm_call {
	struct pm *p;
	struct hwh_ctx *ctx;
	uint64_t deadline_ms;	      /* CLOCK_MONOTONIC: every tool ends by then */
	int *exit_status;	      /* the last tool's status (result's, or a local) */
	char *detail, *out;	      /* one line; the tools' output, appended */
	size_t detail_len, out_len;   /* their sizes */
	struct pu_run run;	      /* the last tool run */
	char argv0[PM_PATH_MAX + 32]; /* tools_dir/tool */
};

static void call_init(struct pm_call *k, struct pm *p, struct hwh_ctx *ctx, int64_t timeout_ms)
{
	memset(k, 0, sizeof *k);
	k->p = p;
	k->ctx = ctx;
	if (timeout_ms <= 0)
		timeout_ms = PM_TIMEOUT_DEFAULT_MS;
	timeout_ms =
	    timeout_ms - PM_MARGIN_MS > PM_TOOL_MIN_MS ? timeout_ms - PM_MARGIN_MS : PM_TOOL_MIN_MS;
	k->deadline_ms = pu_mono_ms() + (uint64_t)timeout_ms;
}

static int64_t time_left_ms(const struct pm_call *k)
{
	uint64_t now = pu_mono_ms();

	return now >= k->deadline_ms ? 0 : (int64_t)(k->deadline_ms - now);
}

/* The tool's first line of stderr (else stdout) into buf: what it said. */
static const char *tool_said(const struct pu_run *r, char *buf, size_t len)
{
	const char *s = r->err_len ? r->err : r->out;
	size_t n = strcspn(s, "\n");

	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

/* Append "$ tool args: exit 0 in 9 ms" and the tool's output to k->out. */
static void record(struct pm_call *k, const char *const *argv)
{
	char how[128];
	size_t used;

	if (k->out == NULL || k->out_len == 0)
		return;
	used = strlen(k->out);
	if (used + 2 < k->out_len)
		used += (size_t)snprintf(k->out + used, k->out_len - used, "%s$", used ? "\n" : "");
	for (size_t i = 0; argv[i] != NULL && used + 2 < k->out_len; i++)
		used += (size_t)snprintf(k->out + used, k->out_len - used, " %s", argv[i]);
	if (used + 2 < k->out_len)
		snprintf(k->out + used, k->out_len - used, ": %s",
			 pu_run_describe(&k->run, how, sizeof how));
	pu_run_output(&k->run, k->out, k->out_len);
}

/*
 * Run tools_dir/tool with args (NULL-terminated), bounded by what is left
 * of the call's time.  0 when the tool ran and ended by itself (its status
 * in k->run.status: the caller judges it); -ETIMEDOUT when it was killed, or
 * no time was left to start it; another negative errno when it could not be
 * started.  On error the detail says so.
 */
static int tool(struct pm_call *k, const char *name, const char *const *args)
{
	const char *argv[PM_ARGV_MAX];
	int64_t left = time_left_ms(k);
	size_t n = 0;
	int rc;

	snprintf(k->argv0, sizeof k->argv0, "%s/%s", k->p->conf.tools_dir, name);
	argv[n++] = k->argv0;
	for (; args[n - 1] != NULL && n < PM_ARGV_MAX - 1; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (left < PM_TOOL_MIN_MS) {
		snprintf(k->detail, k->detail_len, "%s: no time left to run it (timeout)", name);
		return -ETIMEDOUT;
	}
	k->run.argv = argv;
	k->run.timeout_ms = left;
	rc = pu_run(&k->run);
	*k->exit_status = k->run.status;
	record(k, argv);
	if (rc == -ETIMEDOUT)
		snprintf(k->detail, k->detail_len, "%s timed out after %.1f s (killed)", name,
			 (double)left / 1000.0);
	else if (rc < 0)
		snprintf(k->detail, k->detail_len, "%s", k->run.err);
	return rc;
}

/* The tool ran and exited non-zero: the detail in words, and the errno. */
static int tool_failed(struct pm_call *k, const char *name)
{
	char said[160];

	tool_said(&k->run, said, sizeof said);
	if (k->run.status == PM_EX_NOT_CONNECTED) {
		snprintf(k->detail, k->detail_len,
			 "%s: cluster not reachable (Not connected, exit 102)%s%s", name,
			 said[0] ? ": " : "", said);
		return -ENOTCONN;
	}
	snprintf(k->detail, k->detail_len, "%s failed (exit %d)%s%s", name, k->run.status,
		 said[0] ? ": " : "", said);
	return -EIO;
}

/* Run a tool and require exit 0 (or also 105 when nosuch_ok).  0, or the
 * negative errno with the detail set. */
static int tool_ok(struct pm_call *k, const char *name, const char *const *args, int nosuch_ok)
{
	int rc = tool(k, name, args);

	if (rc < 0)
		return rc;
	if (k->run.status == 0 || (nosuch_ok && k->run.status == PM_EX_NOSUCH))
		return 0;
	return tool_failed(k, name);
}

/* ---- the node's name ------------------------------------------------------ */

/* k->p->node known: 0; else ask crm_node -n (once it answers, cached).
 * A negative errno with the detail set when it cannot be learnt. */
static int learn_node(struct pm_call *k)
{
	struct pm *p = k->p;
	size_t n;
	int rc;

	if (p->node[0] != '\0')
		return 0;
	if ((rc = tool_ok(k, "crm_node", (const char *const[]){"-n", NULL}, 0)) < 0)
		return rc;
	n = strcspn(k->run.out, "\r\n");
	if (n == 0 || n >= sizeof p->node) {
		snprintf(k->detail, k->detail_len, "crm_node -n printed no node name");
		return -EPROTO;
	}
	snprintf(p->node, sizeof p->node, "%.*s", (int)n, k->run.out);
	hwh_log(k->ctx, HWH_LOG_INFO, "this node is '%s' in the cluster (crm_node -n)", p->node);
	return 0;
}

/* learn_node() for an action that cannot do without the name. */
static int need_node(struct pm_call *k)
{
	char why[200];
	int rc = learn_node(k);

	if (rc < 0) {
		snprintf(why, sizeof why, "%s", k->detail);
		snprintf(k->detail, k->detail_len, "cannot learn this node's cluster name: %s",
			 why);
	}
	return rc;
}

/* ---- health attribute ------------------------------------------------------ */

/* attrd_updater -n ATTR -U value [-N node]. */
static int publish(struct pm_call *k, const char *value)
{
	struct pm *p = k->p;
	const char *args[] = {"-n", p->conf.attribute, "-U", value, NULL, NULL, NULL};
	int rc;

	(void)learn_node(k); /* without it, attrd_updater names the local node itself */
	if (p->node[0] != '\0') {
		args[4] = "-N";
		args[5] = p->node;
	}
	if ((rc = tool_ok(k, "attrd_updater", args, 0)) < 0)
		return rc;
	snprintf(k->detail, k->detail_len, "attrd_updater: %s=%s on %s", p->conf.attribute, value,
		 p->node[0] ? p->node : "this node");
	return 0;
}

/* ---- node attributes through crm_attribute --------------------------------- */

/* crm_attribute -N node -n name -G -q [-l reboot] into value: 1 set, 0
 * unset (exit 105), or a negative errno. */
static int attr_get(struct pm_call *k, const char *name, int transient, char *value, size_t len)
{
	const char *args[] = {"-N",	k->p->node, "-n", name, "-G", "-q", transient ? "-l" : NULL,
			      "reboot", NULL};
	int rc;

	value[0] = '\0';
	if ((rc = tool_ok(k, "crm_attribute", args, 1)) < 0)
		return rc;
	if (k->run.status == PM_EX_NOSUCH)
		return 0;
	snprintf(value, len, "%.*s", (int)strcspn(k->run.out, "\r\n"), k->run.out);
	return 1;
}

/* crm_attribute -N node -n name --update=value.  One word with '=': the
 * Pacemaker tools split a separate word that starts with '-' into short
 * options before parsing (pcmk__cmdline_preproc), so a value such as
 * "-qNnode2" would otherwise set the attribute on another node. */
static int attr_set(struct pm_call *k, const char *name, const char *value)
{
	char update[sizeof "--update=" + PM_VALUE_MAX];

	snprintf(update, sizeof update, "--update=%s", value);
	return tool_ok(k, "crm_attribute",
		       (const char *const[]){"-N", k->p->node, "-n", name, update, NULL}, 0);
}

/* crm_attribute -N node -n name -D (an unset one is no error). */
static int attr_del(struct pm_call *k, const char *name)
{
	return tool_ok(k, "crm_attribute",
		       (const char *const[]){"-N", k->p->node, "-n", name, "-D", NULL}, 1);
}

/* What the CIB holds for this node's standby. */
struct standby_view {
	int on;		/* permanent standby (nodes section) is on */
	int transient;	/* a standby for this boot only (status section) is on */
	int marker;	/* hwhealth-drain is set */
	char mark[256]; /* its value */
	char value[32]; /* the permanent standby's value, "" unset */
};

static int read_standby(struct pm_call *k, struct standby_view *v, int with_transient)
{
	char tval[32];
	int rc;

	memset(v, 0, sizeof *v);
	if ((rc = attr_get(k, "standby", 0, v->value, sizeof v->value)) < 0)
		return rc;
	v->on = rc == 1 && pm_is_true(v->value);
	if (with_transient) {
		if ((rc = attr_get(k, "standby", 1, tval, sizeof tval)) < 0)
			return rc;
		v->transient = rc == 1 && pm_is_true(tval);
	}
	if ((rc = attr_get(k, PM_MARKER_ATTR, 0, v->mark, sizeof v->mark)) < 0)
		return rc;
	v->marker = rc == 1;
	return 0;
}

/* ---- standby mode ------------------------------------------------------------ */

static int drain_standby(struct pm_call *k, const struct hwh_action *a)
{
	const char *reason = a->reason && a->reason[0] ? a->reason : PM_REASON_DEFAULT;
	struct standby_view v;
	int rc;

	if ((rc = need_node(k)) < 0 || (rc = read_standby(k, &v, 1)) < 0)
		return rc;
	if (v.transient && !v.on) {
		snprintf(k->detail, k->detail_len,
			 "standby already set by someone else (until reboot); left alone");
		return HWH_ACT_SKIPPED;
	}
	switch (pm_drain_step(v.on, v.marker)) {
	case PM_STEP_ALREADY:
		snprintf(k->detail, k->detail_len, "standby already on for %s (hwhealth's: %s)",
			 k->p->node, v.mark);
		return 0;
	case PM_STEP_FOREIGN:
		snprintf(k->detail, k->detail_len,
			 "standby already set by someone else; left alone");
		return HWH_ACT_SKIPPED;
	default:
		break;
	}
	/* The marker first: a standby without it would look like an
	 * operator's and never be lifted. */
	if ((rc = attr_set(k, PM_MARKER_ATTR, reason)) < 0)
		return rc;
	if ((rc = attr_set(k, "standby", "on")) < 0) {
		char why[256];

		snprintf(why, sizeof why, "%s", k->detail);
		(void)attr_del(k, PM_MARKER_ATTR);
		snprintf(k->detail, k->detail_len, "%s", why);
		return rc;
	}
	snprintf(k->detail, k->detail_len, "standby on for %s (%s=%s)", k->p->node, PM_MARKER_ATTR,
		 reason);
	return 0;
}

static int undrain_standby(struct pm_call *k)
{
	struct standby_view v;
	int rc;

	if ((rc = need_node(k)) < 0 || (rc = read_standby(k, &v, 0)) < 0)
		return rc;
	switch (pm_undrain_step(v.on, v.marker)) {
	case PM_STEP_FOREIGN:
		snprintf(k->detail, k->detail_len, "standby was not set by hwhealth; left alone");
		return HWH_ACT_SKIPPED;
	case PM_STEP_OFF:
		snprintf(k->detail, k->detail_len, "standby already off");
		return HWH_ACT_SKIPPED;
	case PM_STEP_STALE_MARK:
		if ((rc = attr_del(k, PM_MARKER_ATTR)) < 0)
			return rc;
		snprintf(k->detail, k->detail_len,
			 "standby already off (hwhealth's stale %s marker removed)",
			 PM_MARKER_ATTR);
		return HWH_ACT_SKIPPED;
	default:
		break;
	}
	if ((rc = attr_set(k, "standby", "off")) < 0 || (rc = attr_del(k, PM_MARKER_ATTR)) < 0)
		return rc;
	snprintf(k->detail, k->detail_len, "standby off for %s (hwhealth's drain: %s)", k->p->node,
		 v.mark);
	return 0;
}

/* ---- fence -------------------------------------------------------------------- */

static int fence(struct pm_call *k)
{
	const char *how = k->p->conf.fence_action == PM_FENCE_OFF ? "--fence" : "--reboot";
	char secs[24];
	int64_t left;
	int rc;

	if ((rc = need_node(k)) < 0)
		return rc;
	/* stonith_admin's own timeout below ours, so that it reports why
	 * rather than being killed (with the cluster down it waits 18 s). */
	left = time_left_ms(k) - PM_STONITH_SLACK_MS;
	snprintf(secs, sizeof secs, "%lld", (long long)(left >= 2000 ? left / 1000 : 1));
	rc = tool_ok(
	    k, "stonith_admin",
	    (const char *const[]){how, k->p->node, "--timeout", secs, "--tag", "hwhealth", NULL},
	    0);
	if (rc < 0)
		return rc;
	snprintf(k->detail, k->detail_len, "stonith_admin %s %s: done", how, k->p->node);
	return 0;
}

/* ---- the callbacks ------------------------------------------------------------- */

static int pm_perform(void *inst, struct hwh_ctx *ctx, const struct hwh_action *a,
		      struct hwh_action_result *r)
{
	struct pm *p = inst;
	struct pm_call *k;
	int rc;

	if (a->action == NULL)
		return -ENOTSUP;
	if ((k = malloc(sizeof *k)) == NULL) {
		snprintf(r->detail, sizeof r->detail, "out of memory");
		return -ENOMEM;
	}
	call_init(k, p, ctx, a->timeout_ms);
	k->exit_status = &r->exit_status;
	k->detail = r->detail;
	k->detail_len = sizeof r->detail;
	k->out = r->output;
	k->out_len = sizeof r->output;
	r->exit_status = -1;
	if (strcmp(a->action, "notify") == 0)
		rc = publish(k, pm_health_value(p->conf.mode, a->state, a->drained));
	else if (strcmp(a->action, "drain") == 0)
		rc = p->conf.mode == PM_MODE_HEALTH ? publish(k, "red") : drain_standby(k, a);
	else if (strcmp(a->action, "undrain") == 0)
		rc = p->conf.mode == PM_MODE_HEALTH
			 ? publish(k, pm_health_value(PM_MODE_HEALTH, a->state, 0))
			 : undrain_standby(k);
	else if (strcmp(a->action, "fence") == 0)
		rc = fence(k);
	else
		rc = -ENOTSUP;
	free(k);
	return rc;
}

static int pm_cluster(void *inst, struct hwh_ctx *ctx, struct hwh_cluster *c, char *detail,
		      size_t len)
{
	static const char *const args[] = {"-1", "--output-as=xml", "--exclude=all",
					   "--include=nodes", NULL};
	struct pm_call *k = malloc(sizeof *k);
	char *xml = malloc(PM_CRM_MON_MAX);
	int status = -1, rc;

	if (k == NULL || xml == NULL) {
		snprintf(detail, len, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	call_init(k, inst, ctx, c->timeout_ms > 0 ? c->timeout_ms : PM_CLUSTER_TIMEOUT_MS);
	k->exit_status = &status;
	k->detail = detail;
	k->detail_len = len;
	if ((rc = need_node(k)) < 0)
		goto out;
	k->run.out_buf = xml; /* crm_mon's XML alone: crm_node's answer is in run.out */
	k->run.out_cap = PM_CRM_MON_MAX;
	if ((rc = tool(k, "crm_mon", args)) < 0)
		goto out;
	/* crm_mon says why in its XML, also when it exits non-zero (102). */
	rc = pm_xml_cluster(xml, k->run.out_len, k->p->node, c, detail, len);
	if (rc == -EPROTO && k->run.status != 0 && k->run.out_len == 0)
		rc = tool_failed(k, "crm_mon");
out:
	free(xml);
	free(k);
	return rc;
}

static int pm_config(const struct hwh_option *opts, size_t nopts, void **inst,
		     struct hwh_config_error *err)
{
	struct pm *p = calloc(1, sizeof *p);

	if (p == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	if (pm_conf_parse(opts, nopts, &p->conf, err) < 0) {
		free(p);
		return -1;
	}
	snprintf(p->node, sizeof p->node, "%s", p->conf.node);
	xmlInitParser(); /* on the main thread, before the actuator's thread uses it */
	*inst = p;
	return 0;
}

static int pm_init(void *inst, struct hwh_ctx *ctx)
{
	struct pm *p = inst;
	struct pm_call *k;
	char detail[256] = "";
	int status, rc;

	if (p->node[0] != '\0' || (k = malloc(sizeof *k)) == NULL)
		return 0; /* out of memory: asked again at first use */
	call_init(k, p, ctx, PM_INIT_TIMEOUT_MS);
	k->exit_status = &status;
	k->detail = detail;
	k->detail_len = sizeof detail;
	if ((rc = learn_node(k)) < 0)
		hwh_log(ctx, HWH_LOG_WARNING,
			"cannot learn this node's cluster name yet (asked again at each action): "
			"%s",
			detail);
	free(k);
	return 0; /* the cluster may come up later: never a reason to stop */
}

static void pm_shutdown(void *inst)
{
	free(inst);
}

static int pm_probe(void)
{
	return 0; /* an actuator is never a default: only a configured action block */
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "pacemaker",
	.description = "Pacemaker actuator: node health attribute, standby, stonith",
	.probe = pm_probe,
	.config = pm_config,
	.init = pm_init,
	.poll = NULL,
	.rescan = NULL,
	.act = NULL,
	.shutdown = pm_shutdown,
	.perform = pm_perform,
	.cluster = pm_cluster,
};
/* clang-format on */
