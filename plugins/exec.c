/*
 * exec: the hook actuator (build/plugins/exec.so).  Runs one configured
 * program for each action the core sends it, so that a site can drain a
 * node in a scheduler hwhealth does not know (Kubernetes: see
 * contrib/kubernetes-hook.sh), open a ticket or page someone.
 *
 * Options (hwhealth.conf(5), EXEC ACTUATOR):
 *   program PATH     absolute, required, executable
 *   arg WORD         repeatable: argv[1..] in order, as written (no shell)
 *   env NAME=VALUE   repeatable: added to the environment (NAME may replace
 *                    PATH or LC_ALL; HWHEALTH_* are the plugin's)
 *   node NAME        HWHEALTH_NODE (default: the host name up to its '.')
 *
 * The program gets argv exactly as configured, stdin /dev/null, and only
 * this environment: PATH (default PU_RUN_DEFAULT_PATH), LC_ALL=C, the env
 * options, then HWHEALTH_NODE, HWHEALTH_STATE and HWHEALTH_PREVIOUS_STATE
 * (green|yellow|red|critical), HWHEALTH_SCORE ("40.0"), HWHEALTH_ACTION
 * (notify|drain|undrain|fence), HWHEALTH_REASON, HWHEALTH_ACTION_ID,
 * HWHEALTH_MANUAL and HWHEALTH_DRAINED (0|1).
 *
 * Result: exit 0 done; any other exit (or a signal) failed, -EIO, with its
 * output; killed with its process group EXEC_MARGIN_MS before the block's
 * timeout: -ETIMEDOUT.  Every action goes to the program: the
 * core's `on` filter chooses which, and the core retries with back-off.
 * There is no cluster(): a hook knows no cluster, so it never answers the
 * drain budget.
 *
 * To extend: a new variable is one line in build_env() and in the man page.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#include "plugin_run.h"

#define EXEC_MARGIN_MS 200     /* the program is killed this much before the timeout */
#define EXEC_MIN_BUDGET_MS 100 /* ...but gets at least this */
#define EXEC_MAX_ARGS 64       /* arg options */
#define EXEC_MAX_ENV 32	       /* env options */
#define EXEC_NODE_MAX 64
#define EXEC_OWN_VARS 11 /* PATH, LC_ALL and the nine HWHEALTH_* */
#define EXEC_VAR_MAX 1024

/* One instance: one "action NAME { plugin exec; ... }" block. */
struct exec_act {
	char *argv[EXEC_MAX_ARGS + 2]; /* program, args, NULL (strdup'd) */
	size_t nargv;
	char *env[EXEC_MAX_ENV]; /* "NAME=VALUE" (strdup'd) */
	size_t nenv;
	char node[EXEC_NODE_MAX];
};

static void exec_free(struct exec_act *x)
{
	for (size_t i = 0; i < x->nargv; i++)
		free(x->argv[i]);
	for (size_t i = 0; i < x->nenv; i++)
		free(x->env[i]);
	free(x);
}

/* 1 if [s, s+n) is a shell-safe variable name. */
static int good_name(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

static int add_env(struct exec_act *x, const char *v, char *msg, size_t len)
{
	const char *eq = strchr(v, '=');
	size_t n = eq ? (size_t)(eq - v) : 0;

	if (eq == NULL || !good_name(v, n)) {
		snprintf(msg, len,
			 "env takes NAME=VALUE with NAME of letters, digits and '_', "
			 "got '%s'",
			 v);
		return -1;
	}
	if (strncmp(v, "HWHEALTH_", 9) == 0) {
		snprintf(msg, len, "env %.*s: HWHEALTH_* variables are set by the plugin", (int)n,
			 v);
		return -1;
	}
	for (size_t i = 0; i < x->nenv; i++)
		if (strncmp(x->env[i], v, n + 1) == 0) {
			snprintf(msg, len, "env %.*s given twice", (int)n, v);
			return -1;
		}
	if (x->nenv == EXEC_MAX_ENV) {
		snprintf(msg, len, "more than %d env options", EXEC_MAX_ENV);
		return -1;
	}
	if ((x->env[x->nenv] = strdup(v)) == NULL) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	x->nenv++;
	return 0;
}

static int set_program(struct exec_act *x, const char *v, char *msg, size_t len)
{
	if (v[0] != '/') {
		snprintf(msg, len, "program must be an absolute path, got '%s'", v);
		return -1;
	}
	if (access(v, X_OK) != 0) {
		snprintf(msg, len, "program %s: cannot execute: %s", v, strerror(errno));
		return -1;
	}
	if ((x->argv[0] = strdup(v)) == NULL) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	return 0;
}

static int opt_apply(struct exec_act *x, const struct hwh_option *o, char *msg, size_t len)
{
	const char *v = o->value ? o->value : "";

	if (strcmp(o->key, "program") == 0)
		return set_program(x, v, msg, len);
	if (strcmp(o->key, "env") == 0)
		return add_env(x, v, msg, len);
	if (strcmp(o->key, "node") == 0) {
		if (v[0] == '\0' || strlen(v) >= sizeof x->node) {
			snprintf(msg, len, "node must be 1 to %zu characters", sizeof x->node - 1);
			return -1;
		}
		snprintf(x->node, sizeof x->node, "%s", v);
		return 0;
	}
	if (strcmp(o->key, "arg") == 0) {
		if (x->nargv == EXEC_MAX_ARGS + 1) {
			snprintf(msg, len, "more than %d arg options", EXEC_MAX_ARGS);
			return -1;
		}
		if ((x->argv[x->nargv] = strdup(v)) == NULL) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		x->nargv++;
		return 0;
	}
	snprintf(msg, len, "unknown option '%s' (expected program, arg, env or node)", o->key);
	return -1;
}

/* program, node: once each; arg, env: repeatable. */
static int once_only(const struct hwh_option *opts, size_t i, char *msg, size_t len)
{
	if (strcmp(opts[i].key, "arg") == 0 || strcmp(opts[i].key, "env") == 0)
		return 0;
	return pu_opt_repeated(opts, i, msg, len);
}

static int exec_config(const struct hwh_option *opts, size_t nopts, void **inst,
		       struct hwh_config_error *err)
{
	struct exec_act *x = calloc(1, sizeof *x);

	err->option = -1;
	if (x == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	x->nargv = 1; /* argv[0] is the program, set by its option */
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (once_only(opts, i, err->msg, sizeof err->msg) ||
		    opt_apply(x, &opts[i], err->msg, sizeof err->msg) < 0)
			goto fail;
	}
	err->option = -1;
	if (x->argv[0] == NULL) {
		snprintf(err->msg, sizeof err->msg, "missing 'program PATH' (the hook to run)");
		goto fail;
	}
	if (x->node[0] == '\0' && pu_short_hostname(x->node, sizeof x->node) < 0) {
		snprintf(err->msg, sizeof err->msg,
			 "cannot tell this node's name from its host name: set 'node'");
		goto fail;
	}
	*inst = x;
	return 0;
fail:
	exec_free(x); /* argv[0] may still be NULL: free(NULL) is fine */
	return -1;
}

/* snprintf whose cut is expected: a detail is one line, cut to fit. */
__attribute__((format(printf, 3, 4))) static void put(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static const char *state_word(int state)
{
	static const char *const words[] = {"green", "yellow", "red", "critical"};

	return state >= HWH_NODE_GREEN && state <= HWH_NODE_CRITICAL ? words[state] : "unknown";
}

/* 1 if the env options set NAME (the "NAME=" prefix). */
static int env_has(const struct exec_act *x, const char *prefix)
{
	for (size_t i = 0; i < x->nenv; i++)
		if (strncmp(x->env[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/* The program's environment into envp (strings in vars); NULL-ended. */
static void build_env(const struct exec_act *x, const struct hwh_action *a,
		      char vars[][EXEC_VAR_MAX], const char **envp)
{
	size_t n = 0, v = 0;

	if (!env_has(x, "PATH="))
		envp[n++] = PU_RUN_DEFAULT_PATH;
	if (!env_has(x, "LC_ALL="))
		envp[n++] = "LC_ALL=C";
	for (size_t i = 0; i < x->nenv; i++)
		envp[n++] = x->env[i];
#define VAR(...) (snprintf(vars[v], EXEC_VAR_MAX, __VA_ARGS__), envp[n++] = vars[v++])
	VAR("HWHEALTH_NODE=%s", x->node);
	VAR("HWHEALTH_STATE=%s", state_word(a->state));
	VAR("HWHEALTH_PREVIOUS_STATE=%s", state_word(a->previous_state));
	VAR("HWHEALTH_SCORE=%.1f", a->score);
	VAR("HWHEALTH_ACTION=%s", a->action);
	VAR("HWHEALTH_REASON=%s", a->reason ? a->reason : "");
	VAR("HWHEALTH_ACTION_ID=%lld", (long long)a->id);
	VAR("HWHEALTH_MANUAL=%d", a->manual ? 1 : 0);
	VAR("HWHEALTH_DRAINED=%d", a->drained ? 1 : 0);
#undef VAR
	envp[n] = NULL;
}

/* The result of a run that happened (rc from pu_run: 0 or -ETIMEDOUT). */
static int judge(const struct exec_act *x, const struct pu_run *pr, int rc,
		 struct hwh_action_result *r)
{
	char how[128], line[160];
	const char *text = pr->err_len ? pr->err : pr->out;
	size_t n = strcspn(text, "\n");

	pu_run_output(pr, r->output, sizeof r->output);
	r->exit_status = pr->signal || pr->status < 0 ? -1 : pr->status;
	pu_run_describe(pr, how, sizeof how);
	snprintf(line, sizeof line, "%.*s", (int)(n > 150 ? 150 : n), text);
	if (rc == 0 && pr->status == 0) {
		put(r->detail, sizeof r->detail, "%s: %s", x->argv[0], how);
		return 0;
	}
	put(r->detail, sizeof r->detail, "%s: %s%s%s", x->argv[0], how, line[0] ? ": " : "", line);
	return rc == -ETIMEDOUT ? -ETIMEDOUT : -EIO;
}

static int exec_perform(void *inst, struct hwh_ctx *ctx, const struct hwh_action *a,
			struct hwh_action_result *r)
{
	struct exec_act *x = inst;
	char(*vars)[EXEC_VAR_MAX] = calloc(EXEC_OWN_VARS, EXEC_VAR_MAX);
	const char *envp[EXEC_OWN_VARS + EXEC_MAX_ENV + 1];
	struct pu_run *pr = calloc(1, sizeof *pr);
	int64_t budget = a->timeout_ms - EXEC_MARGIN_MS;
	int rc;

	r->exit_status = -1;
	if (vars == NULL || pr == NULL) {
		snprintf(r->detail, sizeof r->detail, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	build_env(x, a, vars, envp);
	pr->argv = (const char *const *)x->argv;
	pr->envp = envp;
	pr->timeout_ms = budget < EXEC_MIN_BUDGET_MS ? EXEC_MIN_BUDGET_MS : budget;
	rc = pu_run(pr);
	if (rc == 0 || rc == -ETIMEDOUT) {
		rc = judge(x, pr, rc, r);
	} else {
		put(r->detail, sizeof r->detail, "%s", pr->err);
	}
	hwh_log(ctx, rc == 0 ? HWH_LOG_INFO : HWH_LOG_WARNING, "%s: %s", a->action, r->detail);
out:
	free(vars);
	free(pr);
	return rc;
}

static void exec_shutdown(void *inst)
{
	exec_free(inst);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "exec",
	.description = "hook actuator: run a program with the action in HWHEALTH_* variables",
	.probe = NULL,
	.config = exec_config,
	.init = NULL,
	.poll = NULL,
	.rescan = NULL,
	.act = NULL,
	.shutdown = exec_shutdown,
	.perform = exec_perform,
	.cluster = NULL,
};
/* clang-format on */
