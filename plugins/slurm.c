/*
 * slurm: the Slurm actuator (build/plugins/slurm.so).  Drains this node in
 * Slurm when hwhealth says so, lifts only its own drain, and counts the
 * nodes already out for the drain budget.  Every change goes through
 * scontrol and every read through sinfo, run with pu_run() (absolute path,
 * no shell, an environment of PATH, LC_ALL=C and SLURM_CONF only, killed
 * with its process group at the deadline).
 *
 *   perform("drain")    sinfo -h -N -n NODE -o '%N|%T|%E'; a node already
 *                       drained, down or failed with someone else's reason
 *                       is left alone (HWH_ACT_SKIPPED: an operator's
 *                       reason is never overwritten); otherwise
 *                       scontrol update NodeName=NODE State=DRAIN
 *                       Reason="hwhealth: REASON" (slurm_reason_text()).
 *   perform("undrain")  the same read; only a node drained or draining with
 *                       a reason starting "hwhealth:" is resumed
 *                       (State=RESUME), as LBNL NHC does; anything else is
 *                       HWH_ACT_SKIPPED with why.
 *                       Race: an operator who drains the node between our
 *                       sinfo and our scontrol (a few ms) has their drain
 *                       lifted by our RESUME.  Slurm has no compare-and-set
 *                       for a node's state; the window is accepted and
 *                       documented (hwhealth.conf(5)).
 *   perform(other)      -ENOTSUP: notify and fence are not Slurm's here.
 *   cluster()           sinfo -h -o '%D|%T' for exact counts (one line per
 *                       state: small whatever the cluster's size), then
 *                       sinfo -h -N -o '%N|%T' for this node's state and
 *                       the other out nodes' names (may be cut).
 *
 * Time: perform() ends before a->timeout_ms: its tools share a deadline
 * SLURM_MARGIN_MS under it; cluster()'s likewise under c->timeout_ms
 * (SLURM_CLUSTER_TIMEOUT_MS when a caller gives none).
 *
 * To extend: a new action is one branch in slurm_perform() and its
 * decision in slurm_parse.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwhealth/plugin.h>

#include "plugin_run.h"
#include "slurm_internal.h"

#define SLURM_MARGIN_MS 200	       /* tools end this much before the block's timeout */
#define SLURM_MIN_BUDGET_MS 100	       /* ...but get at least this */
#define SLURM_CLUSTER_TIMEOUT_MS 10000 /* cluster() before any perform() */

/* One instance: one "action NAME { plugin slurm; ... }" block. */
struct slurm_act {
	struct slurm_conf conf;
	const char *env[4];	   /* PATH, LC_ALL, SLURM_CONF (when set), NULL */
	int64_t cluster_budget_ms; /* see the top comment */
};

/* One tool run within an action: the run and where its account goes. */
struct slurm_step {
	struct slurm_act *s;
	uint64_t deadline; /* pu_mono_ms() */
	struct hwh_action_result *r;
	char *detail; /* r->detail, or cluster()'s */
	size_t dlen;
};

static int64_t budget_ms(int64_t timeout_ms)
{
	int64_t b = timeout_ms - SLURM_MARGIN_MS;

	return b < SLURM_MIN_BUDGET_MS ? SLURM_MIN_BUDGET_MS : b;
}

/* The first line of text, cut at 160 bytes, into buf. */
static const char *first_line(const char *text, char *buf, size_t len)
{
	size_t n = strcspn(text, "\n");

	snprintf(buf, len, "%.*s", (int)(n > 160 ? 160 : n), text);
	return buf;
}

/* Record the run's output in the result (a "$ tool args" line first). */
static void keep_output(struct slurm_step *st, const struct pu_run *pr, const char *cmd)
{
	size_t used;

	if (st->r == NULL)
		return;
	used = strnlen(st->r->output, sizeof st->r->output);
	if (used < sizeof st->r->output)
		snprintf(st->r->output + used, sizeof st->r->output - used, "%s$ %s\n",
			 used ? "\n" : "", cmd);
	pu_run_output(pr, st->r->output, sizeof st->r->output);
	st->r->exit_status = pr->signal || pr->status < 0 ? -1 : pr->status;
}

/*
 * Run argv (argv[0] is the tool's path) before the step's deadline.  0 when
 * it exited 0 (its stdout in *pr); -ETIMEDOUT killed at the deadline;
 * -EIO it failed; another -errno it could not run.  detail says which.
 */
static int step_run(struct slurm_step *st, const char *const *argv, const char *cmd,
		    struct pu_run *pr)
{
	uint64_t now = pu_mono_ms();
	char line[192], how[128];
	int rc;

	memset(pr, 0, sizeof *pr);
	if (now + SLURM_MIN_BUDGET_MS / 2 > st->deadline) {
		snprintf(st->detail, st->dlen, "no time left to run %s", cmd);
		return -ETIMEDOUT;
	}
	pr->argv = argv;
	pr->envp = st->s->env;
	pr->timeout_ms = (int64_t)(st->deadline - now);
	rc = pu_run(pr);
	keep_output(st, pr, cmd);
	if (rc == -ETIMEDOUT) {
		snprintf(st->detail, st->dlen, "%s: %s (is slurmctld answering?)", cmd,
			 pu_run_describe(pr, how, sizeof how));
		return rc;
	}
	if (rc < 0) {
		snprintf(st->detail, st->dlen, "%s", pr->err);
		return rc;
	}
	if (pr->status != 0) {
		snprintf(st->detail, st->dlen, "%s failed (%s): %s", cmd,
			 pu_run_describe(pr, how, sizeof how),
			 first_line(pr->err_len ? pr->err : pr->out, line, sizeof line));
		return -EIO;
	}
	return 0;
}

/* This node's line.  0, -ENOENT not listed, or step_run()'s error. */
static int read_node(struct slurm_step *st, struct slurm_node_info *info, struct pu_run *pr)
{
	struct slurm_conf *c = &st->s->conf;
	const char *argv[] = {c->sinfo, "-h", "-N", "-n", c->node, "-o", "%N|%T|%E", NULL};
	int rc = step_run(st, argv, "sinfo -h -N -n NODE -o %N|%T|%E", pr);

	if (rc < 0)
		return rc;
	if (!slurm_parse_node(pr->out, c->node, info)) {
		snprintf(st->detail, st->dlen,
			 "node '%s' is not known to Slurm (sinfo lists no such node): set 'node'",
			 c->node);
		return -ENOENT;
	}
	return 0;
}

/* scontrol update NodeName=NODE State=STATE [Reason=REASON]. */
static int update_node(struct slurm_step *st, const char *state, const char *reason,
		       struct pu_run *pr)
{
	struct slurm_conf *c = &st->s->conf;
	char nn[SLURM_NODE_MAX + 16], stw[32], rs[SLURM_REASON_MAX + 16];
	const char *argv[] = {c->scontrol, "update", nn, stw, reason ? rs : NULL, NULL};
	char cmd[64];

	snprintf(nn, sizeof nn, "NodeName=%s", c->node);
	snprintf(stw, sizeof stw, "State=%s", state);
	if (reason != NULL)
		snprintf(rs, sizeof rs, "Reason=%s", reason);
	snprintf(cmd, sizeof cmd, "scontrol update NodeName=NODE State=%s", state);
	return step_run(st, argv, cmd, pr);
}

static int do_drain(struct slurm_step *st, struct hwh_ctx *ctx, const struct hwh_action *a,
		    struct pu_run *pr)
{
	struct slurm_node_info info;
	char why[160], reason[SLURM_REASON_MAX];
	int rc;

	if ((rc = read_node(st, &info, pr)) < 0)
		return rc;
	if (slurm_decide_drain(&info, why, sizeof why) == SLURM_SKIP) {
		snprintf(st->detail, st->dlen, "%s", why);
		hwh_log(ctx, HWH_LOG_NOTICE, "not draining %s: %s", st->s->conf.node, why);
		return HWH_ACT_SKIPPED;
	}
	slurm_reason_text(a->reason, reason, sizeof reason);
	if ((rc = update_node(st, "DRAIN", reason, pr)) < 0)
		return rc;
	snprintf(st->detail, st->dlen, "%s %s: Reason=%s", st->s->conf.node, why, reason);
	hwh_log(ctx, HWH_LOG_NOTICE, "drained %s in Slurm: %s", st->s->conf.node, reason);
	return 0;
}

static int do_undrain(struct slurm_step *st, struct hwh_ctx *ctx, struct pu_run *pr)
{
	struct slurm_node_info info;
	char why[SLURM_REASON_KEPT + 64];
	int rc;

	if ((rc = read_node(st, &info, pr)) < 0)
		return rc;
	if (slurm_decide_undrain(&info, why, sizeof why) == SLURM_SKIP) {
		snprintf(st->detail, st->dlen, "%s", why);
		hwh_log(ctx, HWH_LOG_NOTICE, "not resuming %s: %s", st->s->conf.node, why);
		return HWH_ACT_SKIPPED;
	}
	if ((rc = update_node(st, "RESUME", NULL, pr)) < 0)
		return rc;
	snprintf(st->detail, st->dlen, "%s %s", st->s->conf.node, why);
	hwh_log(ctx, HWH_LOG_NOTICE, "resumed %s in Slurm (%s)", st->s->conf.node, why);
	return 0;
}

static int slurm_perform(void *inst, struct hwh_ctx *ctx, const struct hwh_action *a,
			 struct hwh_action_result *r)
{
	struct slurm_act *s = inst;
	struct slurm_step st = {s, 0, r, r->detail, sizeof r->detail};
	struct pu_run *pr;
	int rc;

	r->exit_status = -1;
	if (strcmp(a->action, "drain") != 0 && strcmp(a->action, "undrain") != 0) {
		snprintf(r->detail, sizeof r->detail, "slurm does drain and undrain only");
		return -ENOTSUP;
	}
	s->cluster_budget_ms = budget_ms(a->timeout_ms);
	st.deadline = pu_mono_ms() + (uint64_t)budget_ms(a->timeout_ms);
	if ((pr = malloc(sizeof *pr)) == NULL) {
		snprintf(r->detail, sizeof r->detail, "out of memory");
		return -ENOMEM;
	}
	if (strcmp(a->action, "drain") == 0)
		rc = do_drain(&st, ctx, a, pr);
	else
		rc = do_undrain(&st, ctx, pr);
	if (rc < 0)
		hwh_log(ctx, HWH_LOG_WARNING, "%s of %s failed: %s", a->action, s->conf.node,
			r->detail);
	free(pr);
	return rc;
}

/* cluster(): counts, then this node and the names. */
static int cluster_read(struct slurm_step *st, struct hwh_cluster *c, struct pu_run *pr)
{
	struct slurm_conf *cf = &st->s->conf;
	const char *counts[] = {cf->sinfo, "-h", "-o", "%D|%T", NULL};
	const char *list[] = {cf->sinfo, "-h", "-N", "-o", "%N|%T", NULL};
	const char *one[] = {cf->sinfo, "-h", "-N", "-n", cf->node, "-o", "%N|%T", NULL};
	int rc, nodes, out, self;

	if ((rc = step_run(st, counts, "sinfo -h -o %D|%T", pr)) < 0)
		return rc;
	if ((rc = slurm_parse_counts(pr->out, &nodes, &out, st->detail, st->dlen)) < 0)
		return rc;
	if ((rc = step_run(st, list, "sinfo -h -N -o %N|%T", pr)) < 0)
		return rc;
	self =
	    slurm_parse_out_names(pr->out, cf->node, c->unhealthy_names, sizeof c->unhealthy_names);
	if (self < 0 && pr->truncated) { /* a big cluster: ask for this node alone */
		char ignored[8];

		if ((rc = step_run(st, one, "sinfo -h -N -n NODE -o %N|%T", pr)) < 0)
			return rc;
		self = slurm_parse_out_names(pr->out, cf->node, ignored, sizeof ignored);
	}
	if (self < 0) {
		snprintf(st->detail, st->dlen,
			 "node '%s' is not in Slurm's node list (%d nodes): set 'node'", cf->node,
			 nodes);
		return -ENOENT;
	}
	c->nodes = nodes;
	c->unhealthy = out - (self == 1);
	if (c->unhealthy < 0)
		c->unhealthy = 0;
	snprintf(c->self, sizeof c->self, "%s", cf->node);
	return 0;
}

static int slurm_cluster(void *inst, struct hwh_ctx *ctx, struct hwh_cluster *c, char *detail,
			 size_t len)
{
	struct slurm_act *s = inst;
	int64_t budget = c->timeout_ms > 0 ? budget_ms(c->timeout_ms) : s->cluster_budget_ms;
	struct slurm_step st = {s, pu_mono_ms() + (uint64_t)budget, NULL, detail, len};
	struct pu_run *pr = malloc(sizeof *pr);
	int rc;

	if (pr == NULL) {
		snprintf(detail, len, "out of memory");
		return -ENOMEM;
	}
	rc = cluster_read(&st, c, pr);
	if (rc < 0)
		hwh_log(ctx, HWH_LOG_WARNING, "cannot read the cluster: %s", detail);
	free(pr);
	return rc;
}

static int slurm_config(const struct hwh_option *opts, size_t nopts, void **inst,
			struct hwh_config_error *err)
{
	struct slurm_act *s = calloc(1, sizeof *s);
	size_t n = 0;

	if (s == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	if (slurm_opts_parse(opts, nopts, &s->conf, err) < 0) {
		free(s);
		return -1;
	}
	s->env[n++] = PU_RUN_DEFAULT_PATH;
	s->env[n++] = "LC_ALL=C";
	if (s->conf.slurm_conf[0] != '\0')
		s->env[n++] = s->conf.slurm_conf;
	s->env[n] = NULL;
	s->cluster_budget_ms = SLURM_CLUSTER_TIMEOUT_MS;
	*inst = s;
	return 0;
}

static int slurm_init(void *inst, struct hwh_ctx *ctx)
{
	struct slurm_act *s = inst;

	hwh_log(ctx, HWH_LOG_INFO, "Slurm node %s (scontrol %s, sinfo %s, %s)", s->conf.node,
		s->conf.scontrol, s->conf.sinfo,
		s->conf.slurm_conf[0] ? s->conf.slurm_conf : "SLURM_CONF not set");
	return 0;
}

static void slurm_shutdown(void *inst)
{
	free(inst);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "slurm",
	.description = "Slurm actuator: drain this node (scontrol), lift only hwhealth's own "
		       "drain, count nodes out for the drain budget (sinfo)",
	.probe = NULL,
	.config = slurm_config,
	.init = slurm_init,
	.poll = NULL,
	.rescan = NULL,
	.act = NULL,
	.shutdown = slurm_shutdown,
	.perform = slurm_perform,
	.cluster = slurm_cluster,
};
/* clang-format on */
