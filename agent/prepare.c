/*
 * prepare: turn a configuration file (or the built-in defaults) into
 * validated plugin instances, without touching hardware.  Used at start-up,
 * on SIGHUP and by --check-config, so all three report the same errors.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

static int replace(char **dst, const char *src)
{
	char *copy;

	if (src == NULL)
		return 0;
	copy = strdup(src);
	if (copy == NULL)
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

/* An uninstalled build keeps its plugins in plugins/ beside the binary. */
static int use_build_plugin_dir(struct hwh_config *cfg)
{
	char dir[PATH_MAX], *p;
	struct stat st;
	int rc = 0;

	if (strcmp(cfg->plugin_dir, CFG_DEFAULT_PLUGIN_DIR) != 0 || exe_dir(dir, sizeof dir) < 0)
		return 0;
	p = path_join(dir, "plugins");
	if (p == NULL)
		return -ENOMEM;
	if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		rc = replace(&cfg->plugin_dir, p);
	free(p);
	return rc;
}

/* ... and runs the shipped rules from the source tree's rules/, one up. */
static int use_build_rules_dir(struct hwh_config *cfg)
{
	char dir[PATH_MAX], *plugins, *rules;
	struct stat st;
	int rc = 0;

	if (strcmp(cfg->rules_dir, CFG_DEFAULT_RULES_DIR) != 0 || exe_dir(dir, sizeof dir) < 0)
		return 0;
	plugins = path_join(dir, "plugins");
	rules = path_join(dir, "../rules");
	if (plugins == NULL || rules == NULL)
		rc = -ENOMEM;
	else if (stat(plugins, &st) == 0 && S_ISDIR(st.st_mode) && stat(rules, &st) == 0 &&
		 S_ISDIR(st.st_mode))
		rc = replace(&cfg->rules_dir, rules);
	free(plugins);
	free(rules);
	return rc;
}

static int apply_overrides(const struct daemon_opts *o, struct hwh_config *cfg)
{
	if (replace(&cfg->socket_path, o->socket_path) || replace(&cfg->state_dir, o->state_dir) ||
	    replace(&cfg->plugin_dir, o->plugin_dir) || replace(&cfg->rules_dir, o->rules_dir))
		return -ENOMEM;
	if (o->log_level >= 0)
		cfg->log_level = o->log_level;
	if (use_build_plugin_dir(cfg) < 0)
		return -ENOMEM;
	return use_build_rules_dir(cfg);
}

static int load_rules(struct hwh_config *cfg, struct prepared *out, struct cfg_diag *diag)
{
	const char *dirs[] = {cfg->rules_dir, cfg->local_rules_dir};

	return rules_load(dirs, 2, &out->rules, diag);
}

static int load_config(const struct daemon_opts *o, struct hwh_config **cfg, struct cfg_diag *diag)
{
	const char *path = o->config_path;

	if (path == NULL && access(CFG_DEFAULT_PATH, F_OK) == 0)
		path = CFG_DEFAULT_PATH;
	if (path != NULL)
		return config_load(path, cfg, diag) == 0 ? 0 : -1;
	*cfg = config_new_defaults();
	if (*cfg == NULL) {
		cfg_diag_add(diag, "(defaults)", 0, 0, "out of memory");
		return -1;
	}
	return 0;
}

static void add_detected(struct hwh_config *cfg, const char *name)
{
	if (config_add_source(cfg, name) < 0)
		log_err("autodetect: %s: out of memory", name);
	else
		log_info("autodetect: %s: hardware present, enabling it", name);
}

/* No source blocks: run every plugin whose hardware is present. */
static void autodetect(struct hwh_config *cfg, struct plugin_registry *reg)
{
	char **names, err[PLUGIN_ERR_MAX];
	long n = plugin_list_dir(cfg->plugin_dir, &names);

	if (n < 0) {
		log_warn("autodetect: cannot list plugin directory %s: %s", cfg->plugin_dir,
			 strerror((int)-n));
		return;
	}
	for (long i = 0; i < n; i++) {
		const struct plugin *p;
		if (plugin_load(reg, cfg->plugin_dir, names[i], &p, err, sizeof err) < 0)
			log_warn("autodetect: %s", err);
		else if (p->api->poll == NULL)
			log_debug(
			    "autodetect: %s: not a source (an action or service block runs it)",
			    names[i]);
		else if (p->api->probe != NULL && p->api->probe())
			add_detected(cfg, names[i]);
		else
			log_info("autodetect: %s: no hardware for it here", names[i]);
		free(names[i]);
	}
	free(names);
}

static const char *where_file(const struct cfg_source *cs)
{
	return cs->file ? cs->file : "(defaults)";
}

/* Is key one of the plugin's multi-word options (ABI 1.2)? */
bool plugin_multiword(const struct plugin *p, const char *key)
{
	const struct hwh_plugin *api = p->api;

	if (api->struct_size <
		offsetof(struct hwh_plugin, multiword_options) + sizeof api->multiword_options ||
	    api->multiword_options == NULL)
		return false;
	for (const char *const *k = api->multiword_options; *k != NULL; k++)
		if (strcmp(*k, key) == 0)
			return true;
	return false;
}

/* Every option given several words must be one the plugin takes so: else
 * "one value per statement" at its second word, as for a core setting, so
 * that a stray word is caught by --check-config, not at run time.  0, or -1
 * with the errors added to diag. */
static int check_words(const struct cfg_source *cs, const struct plugin *p, struct cfg_diag *diag)
{
	int rc = 0;

	for (size_t i = 0; i < cs->nopts; i++) {
		const struct cfg_optx *x = &cs->optx[i];

		if (x->nwords < 2 || plugin_multiword(p, cs->opts[i].key))
			continue;
		cfg_diag_add(diag, cs->opts[i].file ? cs->opts[i].file : where_file(cs), x->w2line,
			     x->w2col,
			     "source '%s': unexpected '%s' after the value of '%s' (one value per "
			     "statement)",
			     cs->name, x->w2 ? x->w2 : "?", cs->opts[i].key);
		rc = -1;
	}
	return rc;
}

static int prepare_source(const struct cfg_source *cs, struct plugin_registry *reg, const char *dir,
			  struct prepared_source *ps, struct cfg_diag *diag)
{
	struct hwh_config_error cerr = {.option = -1};
	char err[PLUGIN_ERR_MAX];
	const struct plugin *p;

	if (plugin_load(reg, dir, cs->plugin, &p, err, sizeof err) < 0) {
		cfg_diag_add(diag, where_file(cs), cs->line, cs->col, "source '%s': %s", cs->name,
			     err);
		return -1;
	}
	if (p->api->poll == NULL) {
		cfg_diag_add(diag, where_file(cs), cs->line, cs->col,
			     "source '%s': plugin '%s' is not a source plugin", cs->name, p->name);
		return -1;
	}
	if (check_words(cs, p, diag) < 0)
		return -1;
	if (p->api->config(cs->opts, cs->nopts, &ps->inst, &cerr) != 0) {
		const struct hwh_option *op = cerr.option >= 0 && (size_t)cerr.option < cs->nopts
						  ? &cs->opts[cerr.option]
						  : NULL;
		cfg_diag_add(diag, op ? op->file : where_file(cs), op ? op->line : cs->line,
			     op ? op->col : cs->col, "source '%s': %s", cs->name,
			     cerr.msg[0] ? cerr.msg : "invalid configuration");
		ps->inst = NULL;
		return -1;
	}
	ps->cs = cs;
	ps->plugin = p;
	return 0;
}

/* A plugin's own poll interval and timeout (ABI 1.2) apply where the source
 * block sets none: they beat the global defaults, which suit lm-sensors, not
 * a smartctl run per disk. */
static void plugin_defaults(struct cfg_source *cs, const struct plugin *p)
{
	const struct hwh_plugin *api = p->api;

	if (api->struct_size <
	    offsetof(struct hwh_plugin, default_timeout_ms) + sizeof api->default_timeout_ms)
		return;
	if (!cs->interval_set && api->default_interval_ms > 0)
		cs->interval_ms = api->default_interval_ms;
	if (!cs->timeout_set && api->default_timeout_ms > 0)
		cs->timeout_ms = api->default_timeout_ms;
}

int prepare_config(const struct daemon_opts *o, struct plugin_registry *reg, struct prepared *out,
		   struct cfg_diag *diag)
{
	struct hwh_config *cfg;
	int bad = 0;

	memset(out, 0, sizeof *out);
	if (load_config(o, &cfg, diag) < 0)
		return -1;
	out->cfg = cfg;
	if (apply_overrides(o, cfg) < 0) {
		cfg_diag_add(diag, "(options)", 0, 0, "out of memory");
		return -1;
	}
	if (load_rules(cfg, out, diag) < 0)
		bad = 1;
	if (cfg->autodetect)
		autodetect(cfg, reg);
	out->v = calloc(cfg->nsources ? cfg->nsources : 1, sizeof *out->v);
	if (out->v == NULL) {
		cfg_diag_add(diag, "(options)", 0, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->nsources; i++) {
		if (!cfg->sources[i].enabled)
			continue;
		if (prepare_source(&cfg->sources[i], reg, cfg->plugin_dir, &out->v[out->n], diag) <
		    0) {
			bad = 1;
			continue;
		}
		plugin_defaults(&cfg->sources[i], out->v[out->n].plugin);
		out->n++;
	}
	if (prepare_actions(cfg, reg, out, diag) < 0)
		bad = 1;
	return bad ? -1 : 0;
}

void prepared_free(struct prepared *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].inst != NULL)
			p->v[i].plugin->api->shutdown(p->v[i].inst);
	free(p->v);
	for (size_t i = 0; i < p->nact; i++)
		if (p->act[i].inst != NULL)
			p->act[i].plugin->api->shutdown(p->act[i].inst);
	free(p->act);
	for (size_t i = 0; i < p->nsvc; i++)
		if (p->svc[i].inst != NULL)
			p->svc[i].plugin->api->shutdown(p->svc[i].inst);
	free(p->svc);
	ruleset_free(p->rules);
	config_free(p->cfg);
	memset(p, 0, sizeof *p);
}
