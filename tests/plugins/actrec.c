/*
 * actrec: a test actuator for the core's policy tests (the real actuators
 * are tested against real Pacemaker and Slurm).  Options:
 *   log PATH      each perform() appends "ACTION STATE PREVIOUS DRAINED MANUAL REASON"
 *   fail PATH     while this file exists, perform() fails (exit status 1,
 *                 its first line as the detail); "hang" in it: sleep past
 *                 the timeout and report -ETIMEDOUT
 *   cluster PATH  cluster() reads "NODES UNHEALTHY NAMES..." from it; a
 *                 missing file: -ENOTCONN ("cluster not reachable")
 *   only LIST     the actions it handles (comma-separated), -ENOTSUP for others
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

struct actrec {
	char *log, *fail, *cluster, *only;
};

static void actrec_free(struct actrec *a)
{
	free(a->log);
	free(a->fail);
	free(a->cluster);
	free(a->only);
	free(a);
}

static int actrec_config(const struct hwh_option *opts, size_t n, void **inst,
			 struct hwh_config_error *err)
{
	struct actrec *a = calloc(1, sizeof *a);

	if (a == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char **dst = strcmp(opts[i].key, "log") == 0	   ? &a->log
			     : strcmp(opts[i].key, "fail") == 0	   ? &a->fail
			     : strcmp(opts[i].key, "cluster") == 0 ? &a->cluster
			     : strcmp(opts[i].key, "only") == 0	   ? &a->only
								   : NULL;
		if (dst == NULL) {
			err->option = (int)i;
			snprintf(err->msg, sizeof err->msg,
				 "unknown option '%s' for plugin actrec (expected: log, fail, "
				 "cluster, only)",
				 opts[i].key);
			actrec_free(a);
			return -1;
		}
		free(*dst);
		*dst = strdup(opts[i].value);
	}
	*inst = a;
	return 0;
}

static int handles(const struct actrec *a, const char *action)
{
	size_t n = strlen(action);

	if (a->only == NULL)
		return 1;
	for (const char *p = a->only; (p = strstr(p, action)) != NULL; p += n)
		if ((p == a->only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int actrec_perform(void *inst, struct hwh_ctx *ctx, const struct hwh_action *act,
			  struct hwh_action_result *r)
{
	struct actrec *a = inst;
	FILE *f;
	char line[200] = "";

	(void)ctx;
	if (!handles(a, act->action))
		return -ENOTSUP;
	if (a->fail && (f = fopen(a->fail, "r")) != NULL) {
		if (fgets(line, sizeof line, f) == NULL)
			line[0] = '\0';
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, "hang") == 0) {
			nanosleep(&(struct timespec){act->timeout_ms / 1000,
						     (act->timeout_ms % 1000) * 1000000L},
				  NULL);
			snprintf(r->detail, sizeof r->detail, "hung: killed at %lld ms",
				 (long long)act->timeout_ms);
			return -ETIMEDOUT;
		}
		r->exit_status = 1;
		snprintf(r->detail, sizeof r->detail, "failed: %s", line);
		snprintf(r->output, sizeof r->output, "stderr:\n%s\n", line);
		return -EIO;
	}
	if (a->log && (f = fopen(a->log, "a")) != NULL) {
		fprintf(f, "%s %d %d %d %d %s\n", act->action, act->state, act->previous_state,
			act->drained, act->manual, act->reason ? act->reason : "");
		fclose(f);
	}
	r->exit_status = 0;
	snprintf(r->detail, sizeof r->detail, "%s recorded", act->action);
	return 0;
}

static int actrec_cluster(void *inst, struct hwh_ctx *ctx, struct hwh_cluster *c, char *detail,
			  size_t len)
{
	struct actrec *a = inst;
	FILE *f = a->cluster ? fopen(a->cluster, "r") : NULL;
	char names[256] = "";

	(void)ctx;
	if (f == NULL) {
		snprintf(detail, len, "cluster not reachable");
		return -ENOTCONN;
	}
	if (fscanf(f, "%d %d %255[^\n]", &c->nodes, &c->unhealthy, names) < 2) {
		fclose(f);
		snprintf(detail, len, "malformed cluster file");
		return -EIO;
	}
	fclose(f);
	snprintf(c->self, sizeof c->self, "self");
	snprintf(c->unhealthy_names, sizeof c->unhealthy_names, "%s", names);
	return 0;
}

static void actrec_shutdown(void *inst)
{
	actrec_free(inst);
}

const struct hwh_plugin hwh_plugin = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "actrec",
    .description = "test actuator: records actions, fails on demand",
    .config = actrec_config,
    .perform = actrec_perform,
    .cluster = actrec_cluster,
    .shutdown = actrec_shutdown,
};
