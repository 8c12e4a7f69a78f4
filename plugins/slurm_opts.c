/*
 * slurm_opts.c: the slurm actuator's options.  See slurm_internal.h.
 *
 *   node NAME          this node's NodeName (default: the host name up to
 *                      its first '.', as `hostname -s`)
 *   scontrol PATH      absolute (default /usr/bin/scontrol)
 *   sinfo PATH         absolute (default /usr/bin/sinfo)
 *   slurm-conf PATH    given to the tools as SLURM_CONF (default: the
 *                      daemon's own SLURM_CONF, if set)
 *
 * To extend: one branch in opt_apply() and a line above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slurm_internal.h"

/* Copy an absolute path option into dst (size len); 0 or -1 with msg. */
static int set_path(char *dst, size_t len, const struct hwh_option *o, char *msg, size_t mlen)
{
	if (o->value == NULL || o->value[0] != '/') {
		snprintf(msg, mlen, "%s must be an absolute path, got '%s'", o->key,
			 o->value ? o->value : "");
		return -1;
	}
	if ((size_t)snprintf(dst, len, "%s", o->value) >= len) {
		snprintf(msg, mlen, "%s: path too long", o->key);
		return -1;
	}
	return 0;
}

/* A NodeName: what scontrol takes in NodeName= as one node. */
static int set_node(struct slurm_conf *c, const char *v, char *msg, size_t mlen)
{
	if (v == NULL || v[0] == '\0' || strlen(v) >= sizeof c->node) {
		snprintf(msg, mlen, "node must be a node name of 1 to %zu characters",
			 sizeof c->node - 1);
		return -1;
	}
	if (v[strcspn(v, " \t,=|[]\"'")] != '\0') {
		snprintf(msg, mlen,
			 "node '%s': one Slurm NodeName, without spaces, ',', '=', '|', "
			 "brackets or quotes",
			 v);
		return -1;
	}
	snprintf(c->node, sizeof c->node, "%s", v);
	return 0;
}

static int opt_apply(struct slurm_conf *c, const struct hwh_option *o, char *msg, size_t mlen)
{
	char path[SLURM_PATH_MAX];

	if (strcmp(o->key, "node") == 0)
		return set_node(c, o->value, msg, mlen);
	if (strcmp(o->key, "scontrol") == 0)
		return set_path(c->scontrol, sizeof c->scontrol, o, msg, mlen);
	if (strcmp(o->key, "sinfo") == 0)
		return set_path(c->sinfo, sizeof c->sinfo, o, msg, mlen);
	if (strcmp(o->key, "slurm-conf") == 0) {
		if (set_path(path, sizeof path, o, msg, mlen) < 0)
			return -1;
		snprintf(c->slurm_conf, sizeof c->slurm_conf, "SLURM_CONF=%s", path);
		return 0;
	}
	snprintf(msg, mlen, "unknown option '%s' (expected node, scontrol, sinfo or slurm-conf)",
		 o->key);
	return -1;
}

static void set_defaults(struct slurm_conf *c)
{
	const char *env = getenv("SLURM_CONF");

	memset(c, 0, sizeof *c);
	snprintf(c->scontrol, sizeof c->scontrol, "%s", SLURM_SCONTROL_DEFAULT);
	snprintf(c->sinfo, sizeof c->sinfo, "%s", SLURM_SINFO_DEFAULT);
	if (env != NULL && env[0] == '/' && strlen(env) < SLURM_PATH_MAX)
		snprintf(c->slurm_conf, sizeof c->slurm_conf, "SLURM_CONF=%s", env);
}

int slurm_opts_parse(const struct hwh_option *opts, size_t nopts, struct slurm_conf *c,
		     struct hwh_config_error *err)
{
	int have_node = 0;

	set_defaults(c);
	err->option = -1;
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (pu_opt_repeated(opts, i, err->msg, sizeof err->msg) ||
		    opt_apply(c, &opts[i], err->msg, sizeof err->msg) < 0)
			return -1;
		have_node |= strcmp(opts[i].key, "node") == 0;
	}
	err->option = -1;
	if (!have_node && pu_short_hostname(c->node, sizeof c->node) < 0) {
		snprintf(err->msg, sizeof err->msg,
			 "cannot tell this node's name from its host name: set 'node'");
		return -1;
	}
	return 0;
}
