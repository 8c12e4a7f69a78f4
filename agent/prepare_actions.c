/*
 * prepare_actions: the "action NAME { ... }" and "service NAME { ... }"
 * blocks of a configuration turned into validated instances, without
 * running anything (as prepare.c does for sources): an action's plugin must
 * be an actuator (ABI 1.3 perform()), and "on" names the actions it is
 * sent; a service's plugin must have run() (ABI 1.4).  Every other option
 * is the plugin's, checked by its config() at its file:line:col.
 */
#include <stdlib.h>
#include <string.h>

#include "actuator.h"
#include "daemon.h"

static const char *where(const struct cfg_source *cs)
{
	return cs->file ? cs->file : "(defaults)";
}

/* "on notify drain ...": 0 with *on set, or -1 (reported). */
static int parse_on(const struct cfg_source *cs, const struct hwh_option *o, unsigned *on,
		    struct cfg_diag *diag)
{
	char *copy = strdup(o->value), *save = NULL;
	int rc = 0;

	*on = 0;
	for (char *w = copy ? strtok_r(copy, " ", &save) : NULL; w;
	     w = strtok_r(NULL, " ", &save)) {
		int k = act_kind_parse(w);

		if (k < 0) {
			cfg_diag_add(diag, o->file, o->line, o->col,
				     "action '%s': unknown action '%s' in 'on' (expected notify, "
				     "drain, undrain, fence)",
				     cs->name, w);
			rc = -1;
		}
		*on |= k >= 0 ? 1u << k : 0;
	}
	free(copy);
	return rc;
}

/* Split the block's options: "on" for the core, the rest for the plugin
 * (opts, sized cs->nopts).  Returns how many the plugin gets, or -1. */
static long split_options(const struct cfg_source *cs, const struct plugin *p, bool service,
			  struct hwh_option *opts, unsigned *on, struct cfg_diag *diag)
{
	const char *what = service ? "service" : "action";
	long n = 0;
	int rc = 0;
	const struct hwh_option *seen_on = NULL;

	*on = AK_ALL;
	for (size_t i = 0; i < cs->nopts; i++) {
		const struct cfg_optx *x = &cs->optx[i];

		if (!service && strcmp(cs->opts[i].key, "on") == 0) {
			if (seen_on != NULL) {
				cfg_diag_add(diag, cs->opts[i].file, cs->opts[i].line,
					     cs->opts[i].col,
					     "action '%s': 'on' given twice (first at line %d)",
					     cs->name, seen_on->line);
				rc = -1;
				continue;
			}
			seen_on = &cs->opts[i];
			rc |= parse_on(cs, &cs->opts[i], on, diag);
			continue;
		}
		if (x->nwords > 1 && !plugin_multiword(p, cs->opts[i].key)) {
			cfg_diag_add(diag, cs->opts[i].file, x->w2line, x->w2col,
				     "%s '%s': unexpected '%s' after the value of '%s' (one "
				     "value per statement)",
				     what, cs->name, x->w2 ? x->w2 : "?", cs->opts[i].key);
			rc = -1;
			continue;
		}
		opts[n++] = cs->opts[i];
	}
	return rc < 0 ? -1 : n;
}

static bool plugin_fits(const struct plugin *p, bool service)
{
	return service ? plugin_is_service(p) : plugin_is_actuator(p);
}

static int prepare_action(const struct cfg_source *cs, struct plugin_registry *reg, const char *dir,
			  bool service, struct prepared_source *ps, struct cfg_diag *diag)
{
	const char *what = service ? "service" : "action";
	struct hwh_config_error cerr = {.option = -1};
	char err[PLUGIN_ERR_MAX];
	const struct plugin *p;
	struct hwh_option *opts;
	long n;

	if (plugin_load(reg, dir, cs->plugin, &p, err, sizeof err) < 0) {
		cfg_diag_add(diag, where(cs), cs->line, cs->col, "%s '%s': %s", what, cs->name,
			     err);
		return -1;
	}
	if (!plugin_fits(p, service)) {
		cfg_diag_add(diag, where(cs), cs->line, cs->col, "%s '%s': plugin '%s' is not %s",
			     what, cs->name, p->name,
			     service ? "a service (it has no run())"
				     : "an actuator (it has no perform())");
		return -1;
	}
	if ((opts = calloc(cs->nopts ? cs->nopts : 1, sizeof *opts)) == NULL) {
		cfg_diag_add(diag, where(cs), cs->line, cs->col, "out of memory");
		return -1;
	}
	n = split_options(cs, p, service, opts, &ps->on, diag);
	if (n >= 0 && p->api->config(opts, (size_t)n, &ps->inst, &cerr) != 0) {
		const struct hwh_option *op =
		    cerr.option >= 0 && cerr.option < n ? &opts[cerr.option] : NULL;

		cfg_diag_add(diag, op ? op->file : where(cs), op ? op->line : cs->line,
			     op ? op->col : cs->col, "%s '%s': %s", what, cs->name,
			     cerr.msg[0] ? cerr.msg : "invalid configuration");
		ps->inst = NULL;
		n = -1;
	}
	free(opts);
	if (n < 0)
		return -1;
	ps->cs = cs;
	ps->plugin = p;
	return 0;
}

int prepare_actions(struct hwh_config *cfg, struct plugin_registry *reg, struct prepared *out,
		    struct cfg_diag *diag)
{
	int bad = 0;

	out->act = calloc(cfg->nactions ? cfg->nactions : 1, sizeof *out->act);
	if (out->act == NULL) {
		cfg_diag_add(diag, "(options)", 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->nactions; i++) {
		if (!cfg->actions[i].enabled)
			continue;
		if (prepare_action(&cfg->actions[i], reg, cfg->plugin_dir, false,
				   &out->act[out->nact], diag) < 0) {
			bad = 1;
			continue;
		}
		out->nact++;
	}
	out->svc = calloc(cfg->nservices ? cfg->nservices : 1, sizeof *out->svc);
	if (out->svc == NULL) {
		cfg_diag_add(diag, "(options)", 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->nservices; i++) {
		if (!cfg->services[i].enabled)
			continue;
		if (prepare_action(&cfg->services[i], reg, cfg->plugin_dir, true,
				   &out->svc[out->nsvc], diag) < 0) {
			bad = 1;
			continue;
		}
		out->nsvc++;
	}
	return bad ? -1 : 0;
}
