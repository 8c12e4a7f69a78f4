/*
 * config_policy: the "policy { ... }" block of hwhealth.conf.  config.c
 * collects its statements with their positions; this file checks each one
 * and fills struct cfg_policy.  Documented in docs/hwhealth.conf.5, POLICY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define POL_MAX_COUNT 1000000u
#define POL_MAX_DURATION_MS (365LL * 24 * 3600 * 1000)
#define POL_MAX_DRAINS 64 /* policy.h POLICY_DRAINS_MAX: drain times kept */

static const char *const act_names[] = {"none", "notify", "drain", "fence"};

const char *cfg_pol_act_name(enum cfg_pol_act a)
{
	return (unsigned)a < 4 ? act_names[a] : "?";
}

void config_policy_defaults(struct cfg_policy *pol)
{
	*pol = (struct cfg_policy){
	    .on_state = {PA_NONE, PA_NOTIFY, PA_DRAIN, PA_FENCE},
	    .self_fence = true,
	    .max_unhealthy = 1,
	    .undrain_after_ms = 10 * 60 * 1000,
	    .min_drained_ms = 5 * 60 * 1000,
	    .max_drains = 3,
	    .drain_window_ms = 24 * 3600 * 1000LL,
	    .retry_ms = 10 * 1000,
	    .retry_max_ms = 5 * 60 * 1000,
	    .retries = 5,
	    .budget_recheck_ms = 60 * 1000,
	};
}

/* One statement's checker: 0, or -1 with msg set. */
typedef int (*pol_set)(struct cfg_policy *pol, const char *key, const char *val, char *msg,
		       size_t len);

static int set_action(struct cfg_policy *pol, const char *key, const char *val, char *msg,
		      size_t len)
{
	int st = strcmp(key, "yellow") == 0 ? 1 : strcmp(key, "red") == 0 ? 2 : 3;

	for (int a = PA_NONE; a <= PA_FENCE; a++)
		if (strcmp(val, act_names[a]) == 0) {
			pol->on_state[st] = (enum cfg_pol_act)a;
			return 0;
		}
	snprintf(msg, len, "invalid action '%s' for '%s' (expected none, notify, drain or fence)",
		 val, key);
	return -1;
}

static int parse_bool(const char *val, bool *dst, char *msg, size_t len)
{
	if (strcmp(val, "yes") == 0 || strcmp(val, "true") == 0 || strcmp(val, "on") == 0)
		*dst = true;
	else if (strcmp(val, "no") == 0 || strcmp(val, "false") == 0 || strcmp(val, "off") == 0)
		*dst = false;
	else {
		snprintf(msg, len, "invalid value '%s' (expected yes or no)", val);
		return -1;
	}
	return 0;
}

static int set_flag(struct cfg_policy *pol, const char *key, const char *val, char *msg, size_t len)
{
	bool *dst = strcmp(key, "fencing") == 0	  ? &pol->fencing
		    : strcmp(key, "dry-run") == 0 ? &pol->dry_run
						  : &pol->self_fence;
	return parse_bool(val, dst, msg, len);
}

static int parse_count(const char *val, unsigned min, unsigned *dst, char *msg, size_t len)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (val[0] < '0' || val[0] > '9' || *end != '\0' || errno || v < min || v > POL_MAX_COUNT) {
		snprintf(msg, len, "invalid number '%s' (expected %u..%u)", val, min,
			 POL_MAX_COUNT);
		return -1;
	}
	*dst = (unsigned)v;
	return 0;
}

static int set_budget(struct cfg_policy *pol, const char *key, const char *val, char *msg,
		      size_t len)
{
	size_t n = strlen(val);
	char num[32];

	(void)key;
	pol->max_unhealthy_pct = n > 1 && val[n - 1] == '%';
	if (!pol->max_unhealthy_pct)
		return parse_count(val, 1, &pol->max_unhealthy, msg, len);
	if (n >= sizeof num) {
		snprintf(msg, len, "invalid max-unhealthy '%s' (expected N or N%%)", val);
		return -1;
	}
	memcpy(num, val, n - 1);
	num[n - 1] = '\0';
	if (parse_count(num, 1, &pol->max_unhealthy, msg, len) < 0 || pol->max_unhealthy > 100) {
		snprintf(msg, len, "invalid max-unhealthy '%s' (expected N, or 1%%..100%%)", val);
		return -1;
	}
	return 0;
}

static int set_count(struct cfg_policy *pol, const char *key, const char *val, char *msg,
		     size_t len)
{
	bool drains = strcmp(key, "max-drains") == 0;
	unsigned *dst = drains ? &pol->max_drains : &pol->retries;

	if (parse_count(val, drains ? 1 : 0, dst, msg, len) < 0)
		return -1;
	if (drains && *dst > POL_MAX_DRAINS) {
		snprintf(msg, len, "invalid max-drains '%s' (expected 1..%d)", val, POL_MAX_DRAINS);
		return -1;
	}
	return 0;
}

/* Durations; "0" allowed where a dwell may be off. */
static int set_dur(struct cfg_policy *pol, const char *key, const char *val, char *msg, size_t len)
{
	static const struct {
		const char *key;
		size_t off;
		bool zero_ok;
	} durs[] = {
	    {"drain-after", offsetof(struct cfg_policy, drain_after_ms), true},
	    {"undrain-after", offsetof(struct cfg_policy, undrain_after_ms), true},
	    {"min-drained", offsetof(struct cfg_policy, min_drained_ms), true},
	    {"drain-window", offsetof(struct cfg_policy, drain_window_ms), false},
	    {"retry", offsetof(struct cfg_policy, retry_ms), false},
	    {"retry-max", offsetof(struct cfg_policy, retry_max_ms), false},
	    {"budget-recheck", offsetof(struct cfg_policy, budget_recheck_ms), false},
	};

	for (size_t i = 0; i < sizeof durs / sizeof durs[0]; i++) {
		int64_t *dst = (int64_t *)(void *)((char *)pol + durs[i].off);

		if (strcmp(key, durs[i].key) != 0)
			continue;
		if (durs[i].zero_ok && strcmp(val, "0") == 0) {
			*dst = 0;
			return 0;
		}
		if (cfg_parse_duration(val, dst) == 0 && *dst <= POL_MAX_DURATION_MS)
			return 0;
		snprintf(
		    msg, len,
		    "invalid duration '%s' for '%s' (e.g. 500ms, 30s, 10m, 2h%s; at most 365d)",
		    val, key, durs[i].zero_ok ? ", or 0" : "");
		return -1;
	}
	return -1;
}

static const struct {
	const char *key;
	pol_set set;
} pol_keys[] = {
    {"yellow", set_action},	   {"red", set_action},	       {"critical", set_action},
    {"fencing", set_flag},	   {"dry-run", set_flag},      {"self-fence", set_flag},
    {"max-unhealthy", set_budget}, {"max-drains", set_count},  {"retries", set_count},
    {"drain-after", set_dur},	   {"undrain-after", set_dur}, {"min-drained", set_dur},
    {"drain-window", set_dur},	   {"retry", set_dur},	       {"retry-max", set_dur},
    {"budget-recheck", set_dur},
};

#define NKEYS (sizeof pol_keys / sizeof pol_keys[0])

static void unknown_key(const struct hwh_option *o, struct cfg_diag *diag)
{
	char list[400] = "";
	size_t n = 0;

	for (size_t i = 0; i < NKEYS && n < sizeof list; i++)
		n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
				      pol_keys[i].key);
	cfg_diag_add(diag, o->file, o->line, o->col,
		     "unknown policy setting '%s' (expected one of: %s)", o->key, list);
}

/* The one statement o; returns 1 on error (reported). */
static int policy_stmt(const struct cfg_source *blk, size_t i, struct cfg_policy *pol,
		       struct cfg_diag *diag)
{
	const struct hwh_option *o = &blk->opts[i];
	char msg[256];

	for (size_t j = 0; j < i; j++)
		if (strcmp(blk->opts[j].key, o->key) == 0) {
			cfg_diag_add(diag, o->file, o->line, o->col,
				     "policy setting '%s' given twice (first at line %d)", o->key,
				     blk->opts[j].line);
			return 1;
		}
	if (blk->optx[i].nwords > 1) {
		cfg_diag_add(diag, o->file, blk->optx[i].w2line, blk->optx[i].w2col,
			     "unexpected '%s' after the value of '%s' (one value per statement)",
			     blk->optx[i].w2, o->key);
		return 1;
	}
	for (size_t k = 0; k < NKEYS; k++) {
		if (strcmp(pol_keys[k].key, o->key) != 0)
			continue;
		if (pol_keys[k].set(pol, o->key, o->value, msg, sizeof msg) == 0)
			return 0;
		/* The value starts after the key and one blank at least. */
		cfg_diag_add(diag, o->file, o->line, o->col, "%s", msg);
		return 1;
	}
	unknown_key(o, diag);
	return 1;
}

int config_policy_parse(const struct cfg_source *blk, struct cfg_policy *pol, struct cfg_diag *diag)
{
	int nerr = 0;

	for (size_t i = 0; i < blk->nopts; i++)
		nerr += policy_stmt(blk, i, pol, diag);
	if (nerr == 0 && pol->retry_max_ms < pol->retry_ms) {
		cfg_diag_add(diag, blk->file, blk->line, blk->col,
			     "policy: retry-max (%lld ms) is shorter than retry (%lld ms)",
			     (long long)pol->retry_max_ms, (long long)pol->retry_ms);
		nerr++;
	}
	free(pol->file);
	pol->file = strdup(blk->file);
	pol->line = blk->line;
	pol->col = blk->col;
	return nerr;
}
