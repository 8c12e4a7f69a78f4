/*
 * rules: the rule language's parser and its syntax tree.
 *
 * A rules file (rules/NAME.rules, see docs/hwhealth.rules.5) holds rule blocks:
 *
 *   # Why the numbers are what they are.
 *   rule temp-rising {
 *           description "temperature heading for its critical limit";
 *           match kind temperature;         # metric attributes, see below
 *           match name "temp*_input";       # a glob ...
 *           match label ~ "^(Core|Package)"; # ... or, with ~, a POSIX ERE
 *           when eta(30m, crit) < 20m and value < crit;
 *           for 2m;                         # debounce: true this long
 *           clear when eta(30m, crit) > 40m; # hysteresis (default: not when)
 *           clear after 5m;                 # clear only after this long
 *           severity warning;               # info | warning | critical | fatal
 *           score 30;                       # default by severity: 1 10 50 100
 *           message "${label} ${value} C, rising ${slope}: crit ${crit} C in ${eta}";
 *   }
 *
 * Statements end with ';' or a newline, '#' starts a comment, strings are
 * double-quoted with \" \\ escapes.  Statements of a rule, each at most
 * once except match: description, match, when (required), for, clear when,
 * clear after, severity (required), score, message, enabled (yes|no).
 *
 * match ATTR [~] VALUE...: ATTR is source, device, name, kind, unit or label
 * (metrics) or type (events; a rule with a type match is an event rule).
 * Several values are alternatives; several match statements must all hold.
 * Without ~ each value is a glob (fnmatch); with ~ a POSIX extended regex.
 * A metric without a label does not match a label pattern.
 *
 * Expressions: numbers (1.5, 1e3), durations (500ms 30s 5m 2h 1d, in
 * seconds), variables, calls, + - * /, unary -, < <= > >= == !=, and, or,
 * not, parentheses.  Comparisons and logic give 1 or 0.  Precedence, low to
 * high: or, and, not, comparison, + -, * /, unary -.
 *
 * Variables: value; the hardware limits lemerg lcrit min max crit emerg;
 * alarm and fault (1 if the hardware flag is set, else 0).  Calls (W and H
 * are duration literals, W at most 24h):
 *   avg(W) min(W) max(W) delta(W) rate(W) slope(W) predict(W, H)
 *   eta(W, EXPR)     seconds until the fitted line reaches EXPR
 *   count(W)         events in the window (event rules)
 *   count("GLOB", W) events of the metric's source whose type matches
 *   bucket(N per W)  leaky bucket level (see window.h): metric rules feed it
 *                    the counter's increases, event rules their new events
 *   abs(EXPR)
 * min and max are the limits when used bare, the functions when called.
 */
#ifndef HWH_RULES_H
#define HWH_RULES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define RULE_MAX_WINDOW_MS (24LL * 3600 * 1000)

enum rule_severity { RSEV_INFO = 0, RSEV_WARNING, RSEV_CRITICAL, RSEV_FATAL, RSEV_COUNT };

/* Node kinds of an expression. */
enum rx_op {
	RX_NUM,	 /* num */
	RX_VAR,	 /* var */
	RX_CALL, /* call */
	RX_NEG,	 /* -l */
	RX_NOT,	 /* not l */
	RX_ADD,
	RX_SUB,
	RX_MUL,
	RX_DIV,
	RX_LT,
	RX_LE,
	RX_GT,
	RX_GE,
	RX_EQ,
	RX_NE,
	RX_AND,
	RX_OR,
};

/* Variables.  The limits are numbered as enum hwh_limit, so
 * RV_LIMIT0 + HWH_LIM_CRIT is crit. */
enum rx_var {
	RV_VALUE = 0,
	RV_ALARM,
	RV_FAULT,
	RV_LIMIT0, /* + enum hwh_limit: lemerg lcrit min max crit emerg */
};

enum rx_fn {
	RF_AVG,
	RF_MIN,
	RF_MAX,
	RF_DELTA,
	RF_RATE,
	RF_SLOPE,
	RF_PREDICT,
	RF_ETA,
	RF_COUNT,
	RF_BUCKET,
	RF_ABS,
	RF_COUNT_FNS
};

struct rx_node {
	enum rx_op op;
	int line, col;
	union {
		double num;	 /* RX_NUM */
		enum rx_var var; /* RX_VAR */
		struct {
			enum rx_fn fn;
			int64_t window_ms;   /* avg..eta, count, bucket; 0 for abs */
			int64_t horizon_ms;  /* predict */
			double capacity;     /* bucket: N */
			char *glob;	     /* count("GLOB", W); NULL otherwise */
			struct rx_node *arg; /* eta's threshold, abs's argument */
			unsigned slot;	     /* bucket: index among the rule's buckets */
		} call;
		struct {
			struct rx_node *l, *r; /* r NULL for RX_NEG / RX_NOT */
		} bin;
	} u;
};

enum rule_attr { RA_SOURCE, RA_DEVICE, RA_NAME, RA_KIND, RA_UNIT, RA_LABEL, RA_TYPE, RA_COUNT };

struct rule_match {
	enum rule_attr attr;
	bool regex;    /* ~: values are regexes */
	char **values; /* patterns as written */
	regex_t *re;   /* compiled, one per value, if regex */
	size_t n;
};

struct rule {
	char *name;
	char *file; /* where the block starts */
	int line, col;
	char *description; /* NULL if none */
	struct rule_match *matches;
	size_t nmatches;
	bool is_event; /* has a type match */
	struct rx_node *when;
	struct rx_node *clear;	/* NULL: clears when "when" is false */
	int64_t for_ms;		/* 0: fires at once */
	int64_t clear_after_ms; /* 0: clears at once */
	enum rule_severity severity;
	double score;
	char *message; /* template; NULL: a default built from rule and value */
	bool enabled;
	unsigned nbuckets; /* bucket() calls in when and clear */
	unsigned uses;	   /* bit (1 << RF_x) for each function the rule calls */
	unsigned index;	   /* position in its ruleset (set by the engine) */
};

struct ruleset {
	struct rule **v;
	size_t n;
};

/*
 * Parse one rules file's text (name is used in messages) and append its
 * rules to rs.  Every error is added to diag as "name:line:col: message";
 * returns 0 or -1 (errors; rs then holds only the rules of this text that
 * parsed completely, the caller usually throws rs away).
 */
int rules_parse(const char *name, const char *text, size_t len, struct ruleset *rs,
		struct cfg_diag *diag);

/*
 * Load every "*.rules" file of dirs in order, each directory's files sorted
 * by name; a file in a later directory with the same file name as one in an
 * earlier directory replaces it, and a rule with the same name as an earlier
 * rule replaces that rule (so /etc/hwhealth/rules.d/ overrides shipped
 * rules; "enabled no" switches one off).  A directory that does not exist is
 * skipped.  Returns 0 with a new ruleset in *out, or -1 with every error in
 * diag (*out NULL).
 */
int rules_load(const char *const *dirs, size_t ndirs, struct ruleset **out, struct cfg_diag *diag);

void ruleset_free(struct ruleset *rs);	/* the struct too, as from rules_load */
void ruleset_clear(struct ruleset *rs); /* only the contents, for a ruleset on the stack */

/* Free one rule and everything it holds (NULL is ignored); for rules_load
 * replacing an overridden rule. */
void rule_free(struct rule *r);

/* Does the rule's every match hold for these attributes?  label may be NULL
 * (then label matches fail); for metric rules type is NULL, for event
 * rules name, kind, unit and label are NULL and only source, device and
 * type are compared. */
bool rule_matches(const struct rule *r, const char *source, const char *device, const char *name,
		  const char *kind, const char *unit, const char *label, const char *type);

const char *rule_severity_name(enum rule_severity s);
/* Severity from its name, or -1. */
int rule_severity_parse(const char *s);
/* Default score of a severity: 1, 10, 50, 100. */
double rule_severity_score(enum rule_severity s);
const char *rx_fn_name(enum rx_fn fn);
const char *rx_var_name(enum rx_var v);

#endif
