/*
 * config: hwhealth.conf parsing into a fresh struct hwh_config.
 *
 * Syntax (documented in docs/hwhealth.conf.5): statements "key value" ended by
 * a newline or ';', '#' comments, double-quoted strings with \" and \\
 * escapes, and blocks "source NAME { ... }".  The parser keeps going after an
 * error and reports every one as "file:line:col: message"; a file with any
 * error is refused as a whole.  The daemon parses into a fresh struct and
 * swaps it in only on success (startup and SIGHUP), so a bad edit never
 * replaces a running configuration.
 *
 * Plugin-specific keys inside a source block are kept as hwh_option entries
 * with their positions; the daemon hands them to the plugin's config()
 * callback, which validates them (see plugin.c: cfg_check_plugins()).
 */
#ifndef HWH_CONFIG_H
#define HWH_CONFIG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "history.h"

#define CFG_DEFAULT_PATH SYSCONFDIR "/hwhealth/hwhealth.conf"
#define CFG_DEFAULT_SOCKET RUNSTATEDIR "/hwhealth/hwhealthd.sock"
#define CFG_DEFAULT_STATE_DIR LOCALSTATEDIR "/lib/hwhealth"
#define CFG_DEFAULT_PLUGIN_DIR LIBDIR "/hwhealth/plugins"
#define CFG_DEFAULT_RULES_DIR DATADIR "/hwhealth/rules"
#define CFG_DEFAULT_LOCAL_RULES_DIR SYSCONFDIR "/hwhealth/rules.d"
#define CFG_DEFAULT_SCORE_YELLOW 10.0
#define CFG_DEFAULT_SCORE_RED 50.0
#define CFG_DEFAULT_SCORE_CRITICAL 150.0
#define CFG_DEFAULT_RECOVER_MS (5 * 60 * 1000)
#define CFG_DEFAULT_STATE_INTERVAL_MS 60000
#define CFG_DEFAULT_INTERVAL_MS 10000
#define CFG_DEFAULT_TIMEOUT_MS 5000
#define CFG_DEFAULT_HISTORY HIST_RAW_DEFAULT
#define CFG_DEFAULT_SOCKET_MODE 0660

/* Where a plugin option had more than one word: checked against what the
 * plugin accepts (hwh_plugin.multiword_options) once it is loaded. */
struct cfg_optx {
	int nwords;	   /* words in the value */
	int w2line, w2col; /* the second word */
	char *w2;	   /* its text, NULL if nwords < 2 */
};

/* One "source NAME { ... }" block. */
struct cfg_source {
	char *name;		 /* instance name, unique */
	char *plugin;		 /* plugin to load; defaults to name */
	int64_t interval_ms;	 /* poll interval */
	int64_t timeout_ms;	 /* a poll running longer marks the source unavailable */
	int64_t stale_ms;	 /* metrics older than this are stale */
	bool interval_set;	 /* interval / timeout given in the block: */
	bool timeout_set;	 /* a plugin's own defaults do not apply */
	bool enabled;		 /* "enabled no" keeps the block but runs nothing */
	struct hwh_option *opts; /* plugin-specific options, strings owned here */
	struct cfg_optx *optx;	 /* the same options' word counts */
	size_t nopts;
	char *file; /* where the block starts */
	int line, col;
};

/* What the policy does at a node state (policy block: "red drain"). */
enum cfg_pol_act { PA_NONE = 0, PA_NOTIFY, PA_DRAIN, PA_FENCE };

#define CFG_DEFAULT_ACTION_TIMEOUT_MS 30000

/* The policy block, validated (config_policy.c; docs/hwhealth.conf.5, POLICY). */
struct cfg_policy {
	enum cfg_pol_act on_state[4]; /* by enum node_state; green is always PA_NONE */
	bool fencing;		      /* "critical fence" may fence (off: it drains) */
	bool dry_run;		      /* decide and record, execute nothing */
	bool self_fence;	      /* fence fallback: the watchdog source's self-fence */
	unsigned max_unhealthy;	      /* drain budget: nodes out at most (count or percent) */
	bool max_unhealthy_pct;	      /* max_unhealthy is a percentage of the nodes */
	int64_t drain_after_ms;	      /* the state must hold this long before a drain */
	int64_t undrain_after_ms;     /* green this long before hwhealth lifts its drain */
	int64_t min_drained_ms;	      /* a drain lasts at least this long */
	unsigned max_drains;	      /* automatic drains per drain-window ... */
	int64_t drain_window_ms;      /* ... beyond which hwhealth keeps its drain */
	int64_t retry_ms;	      /* first retry of a failed action, doubling ... */
	int64_t retry_max_ms;	      /* ... up to this */
	unsigned retries;	      /* then give up (reported) */
	int64_t budget_recheck_ms;    /* a drain refused by the budget is asked again after */
	char *file;		      /* where the block starts, NULL: no block (defaults) */
	int line, col;
};

/* A whole configuration: global settings and the sources. */
struct hwh_config {
	char *path;	      /* file it was read from; NULL = built-in defaults */
	char *socket_path;    /* control socket */
	char *socket_group;   /* group owning the socket, NULL = daemon's group */
	unsigned socket_mode; /* permission bits of the socket */
	char *state_dir;
	char *plugin_dir;
	char *rules_dir;       /* shipped rules */
	char *local_rules_dir; /* local rules, overriding shipped ones */
	char *record_path;     /* trace to record samples into, NULL = none */
	double score_yellow;   /* node score thresholds */
	double score_red;
	double score_critical;
	int64_t recover_ms;	   /* a lower state must hold this long */
	int64_t state_interval_ms; /* how often the state file is written */
	int log_level;		   /* HWH_LOG_* */
	int64_t interval_ms;	   /* default for sources */
	int64_t timeout_ms;	   /* default for sources */
	int64_t stale_ms;	   /* default for sources; 0 = 3 x interval */
	unsigned history;	   /* raw samples kept per metric */
	bool autodetect;	   /* no source blocks were given: probe every plugin */
	struct cfg_source *sources;
	size_t nsources;
	struct cfg_source *actions; /* "action NAME { ... }": actuators; timeout_ms used */
	size_t nactions;
	struct cfg_source *services; /* "service NAME { ... }": plugin and its options only */
	size_t nservices;
	struct cfg_policy policy;
};

/* Diagnostics collected while parsing: "file:line:col: message" each. */
struct cfg_diag {
	char **msgs;
	size_t n;
};

/* A configuration holding the built-in defaults and no sources
 * (autodetect on).  NULL on ENOMEM. */
struct hwh_config *config_new_defaults(void);

/*
 * Parse the file at path into *out (a new configuration on top of the
 * built-in defaults).  Returns 0 on success; -1 if the file has errors (all
 * appended to diag, *out NULL); -2 if it cannot be read (diag says why).
 */
int config_load(const char *path, struct hwh_config **out, struct cfg_diag *diag);

/* Same, from a string in memory; name is used in messages.  For tests and
 * fuzzing.  Returns 0 or -1 as config_load. */
int config_parse(const char *name, const char *text, size_t len, struct hwh_config **out,
		 struct cfg_diag *diag);

/* Append a formatted "file:line:col: message" to diag. */
void cfg_diag_add(struct cfg_diag *diag, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void cfg_diag_free(struct cfg_diag *diag);

/* The error sink both lexers share (config_lex.c, rules_lex.c): count the
 * error in *nerr and add it to diag as "file:line:col: message", unless
 * *stop is set; the one past max becomes "too many errors, giving up" and
 * sets *stop.  A message that cannot be allocated is dropped, still counted
 * (the parse fails either way). */
__attribute__((format(printf, 8, 0))) void cfg_diag_verror(struct cfg_diag *diag, const char *file,
							   int *nerr, bool *stop, int max, int line,
							   int col, const char *fmt, va_list ap);

/* config_policy.c: the built-in policy, and the policy block's statements
 * (blk: its options) checked into pol, each error into diag at its
 * file:line:col.  Returns the number of errors. */
void config_policy_defaults(struct cfg_policy *pol);
int config_policy_parse(const struct cfg_source *blk, struct cfg_policy *pol,
			struct cfg_diag *diag);
/* "none", "notify", "drain", "fence". */
const char *cfg_pol_act_name(enum cfg_pol_act a);

/* Effective stale age of a source: its own, else the global, else 3 x interval. */
int64_t cfg_source_stale_ms(const struct hwh_config *cfg, const struct cfg_source *src);

/* Add a source block for plugin (autodetected defaults).  0 or -ENOMEM. */
int config_add_source(struct hwh_config *cfg, const char *plugin);

/* Parse "500ms", "10s", "5m", "2h", "1d" (bare number = seconds) into ms.
 * Returns 0, or -1 if malformed / not positive. */
int cfg_parse_duration(const char *s, int64_t *ms);

void config_free(struct hwh_config *cfg);

#endif
