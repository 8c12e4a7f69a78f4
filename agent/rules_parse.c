/*
 * rules_parse: rules-file text -> struct rule (see rules.h for the
 * language, docs/hwhealth.rules.5 for its meaning).
 *
 * Layers, bottom to top:
 *   lexer        rules_lex.c: tokens with positions, shared error count;
 *   expressions  recursive descent, one function per precedence level
 *                (parse_or .. parse_primary), building struct rx_node;
 *                calls are parsed with a generic argument list and then
 *                checked against their function's form (build_call());
 *   statements   one function per statement of a rule block (st_*);
 *   rule checks  what needs the whole block: required statements, what an
 *                event rule may use, bucket slots and message templates
 *                (finish_rule()).
 * After an error the parser resynchronises at the next ';', newline or '}'
 * (resync()) so that every error of a file is reported; a rule with any
 * error is dropped, the others are kept (rules_parse() still fails).
 * Semantic errors (unknown variable, bad window...) build a placeholder
 * node and keep going, so one bad call does not hide the next error.
 *
 * To add a function: an enum rx_fn value in rules.h, a row in fns[], its
 * argument checks in check_call(), its evaluation in the engine and its
 * page in docs/hwhealth.rules.5.  A statement: enum stmt_kw, kw_names[], a
 * case in parse_stmt().  A message variable: tvars[].
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "rules_lex.h"

#define RULES_MAX_NAME 64				 /* rule names */
#define RULES_MAX_DEPTH 64				 /* nested (), not, unary - */
#define RULES_MAX_NODES 1000				 /* nodes per expression */
#define RULES_MAX_DURATION_MS (365LL * 24 * 3600 * 1000) /* for, clear after, horizons */
#define RX_MAX_ARGS 2					 /* no function takes more */
#define RULES_MAX_REGEX_COST 10000			 /* see regex_cost() */

/* Value-history functions: they read a metric's samples. */
#define RF_HISTORY_MASK                                                                            \
	((1u << RF_AVG) | (1u << RF_MIN) | (1u << RF_MAX) | (1u << RF_DELTA) | (1u << RF_RATE) |   \
	 (1u << RF_SLOPE) | (1u << RF_PREDICT) | (1u << RF_ETA))

struct pos {
	int line, col; /* line 0: not set */
};

/* ---- names ---- */

/* clang-format off */
static const struct {
	const char *name;
	const char *form; /* as shown in messages */
} fns[RF_COUNT_FNS] = {
	[RF_AVG] = { "avg", "avg(WINDOW)" },
	[RF_MIN] = { "min", "min(WINDOW)" },
	[RF_MAX] = { "max", "max(WINDOW)" },
	[RF_DELTA] = { "delta", "delta(WINDOW)" },
	[RF_RATE] = { "rate", "rate(WINDOW)" },
	[RF_SLOPE] = { "slope", "slope(WINDOW)" },
	[RF_PREDICT] = { "predict", "predict(WINDOW, HORIZON)" },
	[RF_ETA] = { "eta", "eta(WINDOW, THRESHOLD)" },
	[RF_COUNT] = { "count", "count(WINDOW) or count(\"GLOB\", WINDOW)" },
	[RF_BUCKET] = { "bucket", "bucket(N per WINDOW)" },
	[RF_ABS] = { "abs", "abs(EXPRESSION)" },
};

#define RV_COUNT (RV_LIMIT0 + HWH_LIM_COUNT)
static const char *const var_names[RV_COUNT] = {
	[RV_VALUE] = "value", [RV_ALARM] = "alarm", [RV_FAULT] = "fault",
	[RV_LIMIT0 + HWH_LIM_LEMERG] = "lemerg", [RV_LIMIT0 + HWH_LIM_LCRIT] = "lcrit",
	[RV_LIMIT0 + HWH_LIM_MIN] = "min", [RV_LIMIT0 + HWH_LIM_MAX] = "max",
	[RV_LIMIT0 + HWH_LIM_CRIT] = "crit", [RV_LIMIT0 + HWH_LIM_EMERG] = "emerg",
};

static const char *const sev_names[RSEV_COUNT] = {
	[RSEV_INFO] = "info", [RSEV_WARNING] = "warning",
	[RSEV_CRITICAL] = "critical", [RSEV_FATAL] = "fatal",
};
static const double sev_scores[RSEV_COUNT] = {
	[RSEV_INFO] = 1, [RSEV_WARNING] = 10, [RSEV_CRITICAL] = 50, [RSEV_FATAL] = 100,
};

static const char *const attr_names[RA_COUNT] = {
	[RA_SOURCE] = "source", [RA_DEVICE] = "device", [RA_NAME] = "name", [RA_KIND] = "kind",
	[RA_UNIT] = "unit", [RA_LABEL] = "label", [RA_TYPE] = "type",
};

/* As kind_name() (metrics.c) prints them, in enum hwh_kind order. */
static const char *const kind_names[HWH_KIND_COUNT] = {
	"other", "temperature", "fan", "voltage", "current", "power", "energy", "humidity",
	"intrusion", "counter", "percent", "state",
};

/* Variables of message templates: attributes, limits, rule name, and the
 * evidence of a function's first call in "when" (shown as "?" by the
 * engine when "when" has no such call or it had no result). */
static const char *const tvars[] = {
	"value", "min", "max", "lcrit", "crit", "lemerg", "emerg", "unit", "id", "source",
	"device", "name", "label", "type", "rule",
	"avg", "delta", "rate", "slope", "predict", "eta", "count", "bucket",
};
#define NTVARS (sizeof(tvars) / sizeof(tvars[0]))
/* clang-format on */

/* Statements of a rule block. */
enum stmt_kw {
	K_DESCRIPTION, /* description "TEXT" */
	K_MATCH,       /* match ATTR [~] VALUE... */
	K_WHEN,	       /* when EXPR */
	K_FOR,	       /* for DURATION */
	K_CLEAR_WHEN,  /* clear when EXPR */
	K_CLEAR_AFTER, /* clear after DURATION */
	K_SEVERITY,    /* severity NAME */
	K_SCORE,       /* score NUMBER */
	K_MESSAGE,     /* message "TEMPLATE" */
	K_ENABLED,     /* enabled yes|no */
	K_COUNT	       /* number of statements, not a statement */
};

static const char *const kw_names[K_COUNT] = {
    [K_DESCRIPTION] = "description",
    [K_MATCH] = "match",
    [K_WHEN] = "when",
    [K_FOR] = "for",
    [K_CLEAR_WHEN] = "clear when",
    [K_CLEAR_AFTER] = "clear after",
    [K_SEVERITY] = "severity",
    [K_SCORE] = "score",
    [K_MESSAGE] = "message",
    [K_ENABLED] = "enabled",
};

const char *rule_severity_name(enum rule_severity s)
{
	return (unsigned)s < RSEV_COUNT ? sev_names[s] : "?";
}

int rule_severity_parse(const char *s)
{
	for (int i = 0; s && i < RSEV_COUNT; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

double rule_severity_score(enum rule_severity s)
{
	return (unsigned)s < RSEV_COUNT ? sev_scores[s] : 0;
}

const char *rx_fn_name(enum rx_fn fn)
{
	return (unsigned)fn < RF_COUNT_FNS ? fns[fn].name : "?";
}

const char *rx_var_name(enum rx_var v)
{
	return (unsigned)v < RV_COUNT ? var_names[v] : "?";
}

static int lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int fn_lookup(const char *s)
{
	for (int i = 0; i < RF_COUNT_FNS; i++)
		if (strcmp(fns[i].name, s) == 0)
			return i;
	return -1;
}

/* "a, b, c" of names[0..n) into buf. */
static const char *join(const char *const *names, size_t n, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", names[i]);
	return buf;
}

/* ---- freeing ---- */

static void rx_free(struct rx_node *n)
{
	if (!n)
		return;
	switch (n->op) {
	case RX_NUM:
	case RX_VAR:
		break;
	case RX_CALL:
		free(n->u.call.glob);
		rx_free(n->u.call.arg);
		break;
	default:
		rx_free(n->u.bin.l);
		rx_free(n->u.bin.r);
	}
	free(n);
}

static void match_fini(struct rule_match *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->values[i]);
		if (m->re)
			regfree(&m->re[i]);
	}
	free(m->values);
	free(m->re);
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nmatches; i++)
		match_fini(&r->matches[i]);
	free(r->matches);
	rx_free(r->when);
	rx_free(r->clear);
	free(r->name);
	free(r->file);
	free(r->description);
	free(r->message);
	free(r);
}

/* ---- parser plumbing ---- */

/* A rule name seen in this text, for duplicates. */
struct seen_name {
	char *name;
	struct pos at;
};

struct rparser {
	struct rlexer lx;	 /* input, file name, error count and limit */
	struct rtoken tok;	 /* current token */
	struct ruleset *rs;	 /* complete rules go here */
	struct seen_name *names; /* every named rule of this text */
	size_t nnames;
	int depth;		   /* nesting of the expression being parsed */
	unsigned nodes;		   /* nodes of the expression being parsed */
	unsigned long ntok;	   /* tokens read so far: the current one's number */
	unsigned long resync_stop; /* the token a keyword stopped resync() at */
};

__attribute__((format(printf, 4, 5))) static void perr(struct rparser *p, int line, int col,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rlex_verror(&p->lx, line, col, fmt, ap);
	va_end(ap);
}

static void poom(struct rparser *p)
{
	rlex_oom(&p->lx, p->tok.line, p->tok.col);
}

static struct pos tok_pos(const struct rparser *p)
{
	return (struct pos){p->tok.line, p->tok.col};
}

static void advance_mode(struct rparser *p, enum rlex_mode mode)
{
	free(p->tok.text);
	p->tok.text = NULL;
	if (p->lx.stop) {
		p->tok.type = RT_EOF;
		return;
	}
	rlex_next(&p->lx, &p->tok, mode);
	p->ntok++;
}

/* Next token, in expressions and keywords. */
static void advance(struct rparser *p)
{
	advance_mode(p, RLEX_EXPR);
}

/* Next token read as a word: a rule name or a match value, where '-', '*'
 * and '.' are part of the word (see rules_lex.h). */
static void advance_word(struct rparser *p)
{
	advance_mode(p, RLEX_WORD);
}

static char *steal_text(struct rparser *p)
{
	char *s = p->tok.text;

	p->tok.text = NULL;
	return s;
}

static bool tok_is(const struct rparser *p, const char *word)
{
	return p->tok.type == RT_IDENT && strcmp(p->tok.text, word) == 0;
}

/* The current token as a message shows it. */
static const char *tok_desc(const struct rtoken *t, char buf[64])
{
	if (t->type == RT_IDENT || t->type == RT_WORD || t->type == RT_NUMBER) {
		snprintf(buf, 64, "'%.40s%s'", t->text, strlen(t->text) > 40 ? "..." : "");
		return buf;
	}
	return rtok_name(t->type);
}

/* "expected WHAT, got TOKEN" at the current token, unless the lexer has
 * already reported that token. */
static void expected(struct rparser *p, const char *what)
{
	char buf[64];

	if (p->tok.type == RT_ERROR)
		return;
	perr(p, p->tok.line, p->tok.col, "expected %s, got %s", what, tok_desc(&p->tok, buf));
}

/* Skip a balanced { ... }; the current token is the '{'. */
static void skip_block(struct rparser *p)
{
	int depth = 0;

	do {
		if (p->tok.type == RT_EOF)
			return;
		if (p->tok.type == RT_LBRACE)
			depth++;
		else if (p->tok.type == RT_RBRACE)
			depth--;
		advance(p);
	} while (depth > 0);
}

static bool is_stmt_keyword(const struct rparser *p)
{
	return p->tok.type == RT_IDENT && (lookup(kw_names, K_COUNT, p->tok.text) >= 0 ||
					   tok_is(p, "clear") || tok_is(p, "rule"));
}

/*
 * After an error: skip to the end of the statement.  A newline or ';' is
 * consumed, a '}' left for the block, a '{' skips its block.  A statement
 * keyword on a new line inside an unclosed '(' also ends the skip: "when
 * avg(5m\n severity warning" loses the when, not the severity too.  A
 * token stops a skip only once: if the statement it starts fails at once
 * (say, a second "when"), the next skip goes past it, so the parse always
 * moves on.
 */
static void resync(struct rparser *p)
{
	rlex_reset_paren(&p->lx);
	for (;;) {
		switch (p->tok.type) {
		case RT_NL:
		case RT_SEMI:
			advance(p);
			return;
		case RT_RBRACE:
		case RT_EOF:
			return;
		case RT_LBRACE:
			skip_block(p);
			return;
		default:
			if (p->tok.nl_before && is_stmt_keyword(p) && p->resync_stop != p->ntok) {
				p->resync_stop = p->ntok;
				return;
			}
			advance(p);
		}
	}
}

/* ---- expressions ---- */

static struct rx_node *mk_node(struct rparser *p, enum rx_op op, int line, int col)
{
	struct rx_node *n;

	if (++p->nodes > RULES_MAX_NODES) {
		if (p->nodes == RULES_MAX_NODES + 1)
			perr(p, line, col, "expression too long (at most %d terms)",
			     RULES_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		poom(p);
		return NULL;
	}
	n->op = op;
	n->line = line;
	n->col = col;
	return n;
}

static struct rx_node *mk_num(struct rparser *p, double v, int line, int col)
{
	struct rx_node *n = mk_node(p, RX_NUM, line, col);

	if (n)
		n->u.num = v;
	return n;
}

/* A unary (r NULL) or binary node over l and r, taken over; NULL (both
 * freed) if an operand is missing. */
static struct rx_node *mk_op(struct rparser *p, enum rx_op op, struct rx_node *l, struct rx_node *r,
			     struct pos at)
{
	struct rx_node *n = NULL;

	if (l && (r || op == RX_NEG || op == RX_NOT))
		n = mk_node(p, op, at.line, at.col);
	if (!n) {
		rx_free(l);
		rx_free(r);
		return NULL;
	}
	n->u.bin.l = l;
	n->u.bin.r = r;
	return n;
}

static struct rx_node *parse_or(struct rparser *p);

/* One argument of a call, as written; check_call() decides what fits. */
struct rarg {
	struct rx_node *e;   /* an expression, or NULL for a string */
	struct rx_node *per; /* bucket's "N per W": e is N, per is W */
	char *str;	     /* a quoted string */
	bool dur, per_dur;   /* e / per is a bare duration literal */
	struct pos at;
};

static void arg_fini(struct rarg *a)
{
	rx_free(a->e);
	rx_free(a->per);
	free(a->str);
	*a = (struct rarg){0};
}

/* An expression; *dur tells whether it is a bare duration literal. */
static struct rx_node *parse_arg_expr(struct rparser *p, bool *dur)
{
	bool lit = p->tok.type == RT_NUMBER && p->tok.dur;
	struct rx_node *e = parse_or(p);

	*dur = lit && e && e->op == RX_NUM;
	return e;
}

/* STRING | EXPR [per EXPR].  0, or -1 after a syntax error. */
static int parse_arg(struct rparser *p, struct rarg *a)
{
	a->at = tok_pos(p);
	if (p->tok.type == RT_STRING) {
		a->str = steal_text(p);
		advance(p);
		return 0;
	}
	if (!(a->e = parse_arg_expr(p, &a->dur)))
		return -1;
	if (tok_is(p, "per")) {
		advance(p);
		if (!(a->per = parse_arg_expr(p, &a->per_dur)))
			return -1;
	}
	return 0;
}

/* "( [ARG {, ARG}] )" after a function name; the current token is the '('.
 * Keeps the first RX_MAX_ARGS in a[], counts all in *n. */
static int parse_args(struct rparser *p, const char *fn, struct rarg a[RX_MAX_ARGS], size_t *n)
{
	char what[96];

	advance(p);
	if (p->tok.type == RT_RPAREN) {
		advance(p);
		return 0;
	}
	for (;;) {
		struct rarg extra = {0}, *dst = *n < RX_MAX_ARGS ? &a[*n] : &extra;
		int r = parse_arg(p, dst);

		(*n)++;
		arg_fini(&extra);
		if (r < 0)
			return -1;
		if (p->tok.type == RT_RPAREN) {
			advance(p);
			return 0;
		}
		if (p->tok.type != RT_COMMA) {
			snprintf(what, sizeof(what), "',' or ')' in the arguments of '%s'", fn);
			expected(p, what);
			return -1;
		}
		advance(p);
	}
}

/* A string or "per" where the function's form has none: report it. */
static bool arg_plain(struct rparser *p, enum rx_fn fn, const struct rarg *a)
{
	if (a->str)
		perr(p, a->at.line, a->at.col,
		     "unexpected string in the arguments of '%s' (expected %s)", fns[fn].name,
		     fns[fn].form);
	else if (a->per)
		perr(p, a->at.line, a->at.col,
		     "unexpected 'per' in the arguments of '%s' (expected %s)", fns[fn].name,
		     fns[fn].form);
	return !a->str && !a->per;
}

/* A duration literal of at most max_ms, greater than zero, into *ms.
 * what is "window" or "horizon", shown as "the window of 'avg'". */
static void arg_duration(struct rparser *p, enum rx_fn fn, const struct rx_node *e, bool dur,
			 struct pos at, const char *what, int64_t max_ms, int64_t *ms)
{
	if (!dur) {
		perr(p, at.line, at.col, "the %s of '%s' must be a duration such as 30s or 5m",
		     what, fns[fn].name);
		return;
	}
	if (e->u.num * 1000 > (double)max_ms) {
		perr(p, at.line, at.col, "the %s of '%s' must be at most %s", what, fns[fn].name,
		     max_ms == RULE_MAX_WINDOW_MS ? "24h" : "365d");
		return;
	}
	*ms = llround(e->u.num * 1000);
	if (*ms <= 0)
		perr(p, at.line, at.col, "the %s of '%s' must be greater than 0", what,
		     fns[fn].name);
}

static void arg_window(struct rparser *p, enum rx_fn fn, const struct rarg *a, int64_t *ms)
{
	if (arg_plain(p, fn, a))
		arg_duration(p, fn, a->e, a->dur, a->at, "window", RULE_MAX_WINDOW_MS, ms);
}

/* An expression argument, taken over into *dst. */
static void arg_expr(struct rparser *p, enum rx_fn fn, struct rarg *a, struct rx_node **dst)
{
	if (!arg_plain(p, fn, a))
		return;
	*dst = a->e;
	a->e = NULL;
}

static bool argc_is(struct rparser *p, enum rx_fn fn, struct pos at, size_t n, size_t want)
{
	if (n != want)
		perr(p, at.line, at.col,
		     "wrong number of arguments for '%s' (expected %s, got %zu)", fns[fn].name,
		     fns[fn].form, n);
	return n == want;
}

/* count(W) or count("GLOB", W). */
static void check_count(struct rparser *p, struct rx_node *c, struct rarg *a, size_t n)
{
	bool has_glob = n == 2 && a[0].str;

	if (n == 1) {
		arg_window(p, RF_COUNT, &a[0], &c->u.call.window_ms);
		return;
	}
	/* meant as count("GLOB", W): keep a glob even when it is wrong, so that
	 * the rule check does not also take this for count(W) */
	c->u.call.glob = has_glob ? a[0].str : strdup("");
	if (has_glob)
		a[0].str = NULL;
	if (!c->u.call.glob) {
		poom(p);
		return;
	}
	if (!argc_is(p, RF_COUNT, (struct pos){c->line, c->col}, n, 2))
		return;
	if (!has_glob)
		perr(p, a[0].at.line, a[0].at.col,
		     "the first argument of 'count' must be a quoted glob (expected %s)",
		     fns[RF_COUNT].form);
	else if (!*c->u.call.glob)
		perr(p, a[0].at.line, a[0].at.col, "the glob of 'count' must not be empty");
	arg_window(p, RF_COUNT, &a[1], &c->u.call.window_ms);
}

/* bucket(N per W). */
static void check_bucket(struct rparser *p, struct rx_node *c, struct rarg *a, size_t n)
{
	const struct rx_node *cap;

	if (!argc_is(p, RF_BUCKET, (struct pos){c->line, c->col}, n, 1))
		return;
	if (!a[0].per) {
		perr(p, a[0].at.line, a[0].at.col,
		     "the argument of 'bucket' must be 'N per WINDOW', e.g. bucket(10 per 24h)");
		return;
	}
	cap = a[0].e;
	if (cap->op != RX_NUM || a[0].dur || !(cap->u.num > 0))
		perr(p, a[0].at.line, a[0].at.col,
		     "the capacity of 'bucket' must be a number greater than 0, e.g. bucket(10 "
		     "per 24h)");
	else
		c->u.call.capacity = cap->u.num;
	arg_duration(p, RF_BUCKET, a[0].per, a[0].per_dur,
		     (struct pos){a[0].per->line, a[0].per->col}, "window", RULE_MAX_WINDOW_MS,
		     &c->u.call.window_ms);
}

/* Check the arguments of call c against its function's form and store
 * them in c (taking over what it keeps); errors are reported, c stays
 * usable for freeing. */
static void check_call(struct rparser *p, struct rx_node *c, struct rarg *a, size_t n)
{
	enum rx_fn fn = c->u.call.fn;
	struct pos at = {c->line, c->col};

	switch (fn) {
	case RF_PREDICT:
		if (!argc_is(p, fn, at, n, 2))
			break;
		arg_window(p, fn, &a[0], &c->u.call.window_ms);
		if (arg_plain(p, fn, &a[1]))
			arg_duration(p, fn, a[1].e, a[1].dur, a[1].at, "horizon",
				     RULES_MAX_DURATION_MS, &c->u.call.horizon_ms);
		break;
	case RF_ETA:
		if (!argc_is(p, fn, at, n, 2))
			break;
		arg_window(p, fn, &a[0], &c->u.call.window_ms);
		arg_expr(p, fn, &a[1], &c->u.call.arg);
		break;
	case RF_COUNT:
		check_count(p, c, a, n);
		break;
	case RF_BUCKET:
		check_bucket(p, c, a, n);
		break;
	case RF_ABS:
		if (argc_is(p, fn, at, n, 1))
			arg_expr(p, fn, &a[0], &c->u.call.arg);
		break;
	default: /* avg min max delta rate slope */
		if (argc_is(p, fn, at, n, 1))
			arg_window(p, fn, &a[0], &c->u.call.window_ms);
	}
}

/* NAME(ARGS); the current token is the '('. */
static struct rx_node *parse_call(struct rparser *p, const char *name, struct pos at)
{
	struct rarg a[RX_MAX_ARGS] = {{0}};
	struct rx_node *c = NULL;
	int fn = fn_lookup(name);
	size_t n = 0;
	char list[128];

	if (parse_args(p, name, a, &n) < 0)
		goto out;
	if (fn < 0) {
		const char *names[RF_COUNT_FNS];

		for (int i = 0; i < RF_COUNT_FNS; i++)
			names[i] = fns[i].name;
		perr(p, at.line, at.col, "unknown function '%s' (expected one of: %s)", name,
		     join(names, RF_COUNT_FNS, list, sizeof(list)));
		c = mk_num(p, 0, at.line, at.col); /* a placeholder: keep parsing */
		goto out;
	}
	c = mk_node(p, RX_CALL, at.line, at.col);
	if (c) {
		c->u.call.fn = (enum rx_fn)fn;
		check_call(p, c, a, n);
	}
out:
	for (size_t i = 0; i < RX_MAX_ARGS; i++)
		arg_fini(&a[i]);
	return c;
}

static struct rx_node *parse_var(struct rparser *p, const char *name, struct pos at)
{
	struct rx_node *n;
	int v = lookup(var_names, RV_COUNT, name);
	char list[128];

	if (v < 0) {
		if (fn_lookup(name) >= 0)
			perr(p, at.line, at.col, "'%s' is a function (expected %s)", name,
			     fns[fn_lookup(name)].form);
		else
			perr(p, at.line, at.col, "unknown variable '%s' (expected one of: %s)",
			     name, join(var_names, RV_COUNT, list, sizeof(list)));
		return mk_num(p, 0, at.line, at.col); /* a placeholder: keep parsing */
	}
	n = mk_node(p, RX_VAR, at.line, at.col);
	if (n)
		n->u.var = (enum rx_var)v;
	return n;
}

/* A word that is an operator, not a name. */
static bool is_op_word(const struct rparser *p)
{
	return tok_is(p, "and") || tok_is(p, "or") || tok_is(p, "not") || tok_is(p, "per");
}

/* NAME or NAME(ARGS); the current token is the name. */
static struct rx_node *parse_name(struct rparser *p)
{
	struct pos at = tok_pos(p);
	char *name = steal_text(p);
	struct rx_node *n;

	advance(p);
	if (p->tok.type == RT_LPAREN)
		n = parse_call(p, name, at);
	else
		n = parse_var(p, name, at);
	free(name);
	return n;
}

static struct rx_node *parse_paren(struct rparser *p)
{
	struct rx_node *e;

	advance(p);
	e = parse_or(p);
	if (!e)
		return NULL;
	if (p->tok.type != RT_RPAREN) {
		expected(p, "')'");
		rx_free(e);
		return NULL;
	}
	advance(p);
	return e;
}

static struct rx_node *parse_primary(struct rparser *p)
{
	struct rx_node *n;

	switch (p->tok.type) {
	case RT_NUMBER:
		n = mk_num(p, p->tok.num, p->tok.line, p->tok.col);
		advance(p);
		return n;
	case RT_IDENT:
		if (is_op_word(p))
			break;
		return parse_name(p);
	case RT_LPAREN:
		return parse_paren(p);
	case RT_STRING:
		perr(p, p->tok.line, p->tok.col,
		     "unexpected string (a quoted string is only the glob of count(\"GLOB\", "
		     "WINDOW))");
		return NULL;
	default:
		break;
	}
	expected(p, "an expression");
	return NULL;
}

/* Guard recursion: deeply nested input must not exhaust the stack. */
static bool enter(struct rparser *p)
{
	if (p->depth >= RULES_MAX_DEPTH) {
		perr(p, p->tok.line, p->tok.col, "expression nested too deeply (at most %d levels)",
		     RULES_MAX_DEPTH);
		return false;
	}
	p->depth++;
	return true;
}

static struct rx_node *parse_unary(struct rparser *p)
{
	struct pos at = tok_pos(p);
	struct rx_node *e;

	if (p->tok.type != RT_MINUS)
		return parse_primary(p);
	if (!enter(p))
		return NULL;
	advance(p);
	e = parse_unary(p);
	p->depth--;
	return mk_op(p, RX_NEG, e, NULL, at);
}

static struct rx_node *parse_mul(struct rparser *p)
{
	struct rx_node *l = parse_unary(p);

	while (l && (p->tok.type == RT_STAR || p->tok.type == RT_SLASH)) {
		enum rx_op op = p->tok.type == RT_STAR ? RX_MUL : RX_DIV;
		struct pos at = tok_pos(p);

		advance(p);
		l = mk_op(p, op, l, parse_unary(p), at);
	}
	return l;
}

static struct rx_node *parse_add(struct rparser *p)
{
	struct rx_node *l = parse_mul(p);

	while (l && (p->tok.type == RT_PLUS || p->tok.type == RT_MINUS)) {
		enum rx_op op = p->tok.type == RT_PLUS ? RX_ADD : RX_SUB;
		struct pos at = tok_pos(p);

		advance(p);
		l = mk_op(p, op, l, parse_mul(p), at);
	}
	return l;
}

/* The comparison operator of the current token, or -1. */
static int cmp_op(const struct rparser *p)
{
	switch (p->tok.type) {
	case RT_LT:
		return RX_LT;
	case RT_LE:
		return RX_LE;
	case RT_GT:
		return RX_GT;
	case RT_GE:
		return RX_GE;
	case RT_EQ:
		return RX_EQ;
	case RT_NE:
		return RX_NE;
	default:
		return -1;
	}
}

/* ADD [CMP ADD]: comparisons do not chain, "a < b < c" is an error rather
 * than the surprise (a < b) < c. */
static struct rx_node *parse_cmp(struct rparser *p)
{
	struct rx_node *l = parse_add(p);
	int op = cmp_op(p);
	struct pos at = tok_pos(p);
	char buf[64];

	if (!l || op < 0)
		return l;
	advance(p);
	l = mk_op(p, (enum rx_op)op, l, parse_add(p), at);
	if (l && cmp_op(p) >= 0) {
		perr(p, p->tok.line, p->tok.col,
		     "unexpected %s: comparisons do not chain (expected 'and' between two "
		     "comparisons)",
		     tok_desc(&p->tok, buf));
		rx_free(l);
		return NULL;
	}
	return l;
}

static struct rx_node *parse_not(struct rparser *p)
{
	struct pos at = tok_pos(p);
	struct rx_node *e;

	if (!tok_is(p, "not"))
		return parse_cmp(p);
	if (!enter(p))
		return NULL;
	advance(p);
	e = parse_not(p);
	p->depth--;
	return mk_op(p, RX_NOT, e, NULL, at);
}

static struct rx_node *parse_and(struct rparser *p)
{
	struct rx_node *l = parse_not(p);

	while (l && tok_is(p, "and")) {
		struct pos at = tok_pos(p);

		advance(p);
		l = mk_op(p, RX_AND, l, parse_not(p), at);
	}
	return l;
}

/* A whole expression: the lowest precedence level.  Also the entry for
 * parentheses and arguments, so it counts the nesting. */
static struct rx_node *parse_or(struct rparser *p)
{
	struct rx_node *l;

	if (!enter(p))
		return NULL;
	l = parse_and(p);
	while (l && tok_is(p, "or")) {
		struct pos at = tok_pos(p);

		advance(p);
		l = mk_op(p, RX_OR, l, parse_and(p), at);
	}
	p->depth--;
	return l;
}

/* ---- statements ---- */

/* A rule block being parsed. */
struct rblock {
	struct rule *r;
	struct pos seen[K_COUNT]; /* where each statement was (match: the first) */
	struct pos *mpos;	  /* where each match statement is */
	struct pos msg;		  /* the message string */
	const char *msg_raw;	  /* ... as written, for exact columns */
};

/* The statement ends here: ';', newline, '}' or end of file.  expr: it
 * ended with an expression, so an operator could have followed. */
static void end_stmt(struct rparser *p, enum stmt_kw k, bool expr)
{
	char buf[64];

	switch (p->tok.type) {
	case RT_NL:
	case RT_SEMI:
		advance(p);
		return;
	case RT_RBRACE:
	case RT_EOF:
		return;
	case RT_ERROR:
		break;
	default:
		if (expr)
			perr(p, p->tok.line, p->tok.col,
			     "unexpected %s after the expression of '%s' (expected an operator, "
			     "';' or a newline)",
			     tok_desc(&p->tok, buf), kw_names[k]);
		else
			perr(p, p->tok.line, p->tok.col,
			     "unexpected %s after the '%s' statement (expected ';' or a newline)",
			     tok_desc(&p->tok, buf), kw_names[k]);
	}
	resync(p);
}

/* "TEXT" into *dst. */
static bool st_string(struct rparser *p, enum stmt_kw k, char **dst)
{
	char what[64];

	if (p->tok.type != RT_STRING) {
		snprintf(what, sizeof(what), "a quoted string after '%s'", kw_names[k]);
		expected(p, what);
		return false;
	}
	*dst = steal_text(p);
	advance(p);
	return true;
}

static bool st_message(struct rparser *p, struct rblock *b)
{
	b->msg = tok_pos(p);
	b->msg_raw = p->tok.raw;
	return st_string(p, K_MESSAGE, &b->r->message);
}

static bool st_expr(struct rparser *p, struct rx_node **dst)
{
	p->nodes = 0;
	p->depth = 0;
	*dst = parse_or(p);
	return *dst != NULL;
}

/* DURATION (0 allowed: "for 0s" is the default, said out loud). */
static bool st_duration(struct rparser *p, enum stmt_kw k, int64_t *ms)
{
	char what[96];

	if (p->tok.type != RT_NUMBER || !p->tok.dur) {
		snprintf(what, sizeof(what), "a duration such as 30s or 5m after '%s'",
			 kw_names[k]);
		expected(p, what);
		return false;
	}
	if (p->tok.num * 1000 > (double)RULES_MAX_DURATION_MS)
		perr(p, p->tok.line, p->tok.col, "'%s' must be at most 365d", kw_names[k]);
	else
		*ms = llround(p->tok.num * 1000);
	advance(p);
	return true;
}

/* A word value (severity, enabled): a name or a quoted string. */
static bool word_value(struct rparser *p, enum stmt_kw k)
{
	char what[64];

	if (p->tok.type == RT_IDENT || p->tok.type == RT_STRING)
		return true;
	snprintf(what, sizeof(what), "a value after '%s'", kw_names[k]);
	expected(p, what);
	return false;
}

static bool st_severity(struct rparser *p, struct rule *r)
{
	int s;

	if (!word_value(p, K_SEVERITY))
		return false;
	s = rule_severity_parse(p->tok.text);
	if (s < 0)
		perr(p, p->tok.line, p->tok.col,
		     "invalid severity '%s' (expected info, warning, critical or fatal)",
		     p->tok.text);
	else
		r->severity = (enum rule_severity)s;
	advance(p);
	return true;
}

static bool st_score(struct rparser *p, struct rule *r)
{
	if (p->tok.type != RT_NUMBER || p->tok.dur) {
		expected(p, "a non-negative number after 'score'");
		return false;
	}
	r->score = p->tok.num;
	advance(p);
	return true;
}

static bool st_enabled(struct rparser *p, struct rule *r)
{
	static const char *const yes[] = {"yes", "true", "on"};
	static const char *const no[] = {"no", "false", "off"};

	if (!word_value(p, K_ENABLED))
		return false;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(p->tok.text, yes[i]) == 0 || strcmp(p->tok.text, no[i]) == 0) {
			r->enabled = strcmp(p->tok.text, yes[i]) == 0;
			advance(p);
			return true;
		}
	}
	perr(p, p->tok.line, p->tok.col, "invalid value '%s' for 'enabled' (expected yes or no)",
	     p->tok.text);
	advance(p);
	return true;
}

/* Is v (a glob) the name of some kind? */
static bool kind_glob_ok(const char *v)
{
	for (int i = 0; i < HWH_KIND_COUNT; i++)
		if (fnmatch(v, kind_names[i], 0) == 0)
			return true;
	return false;
}

/* Where the bracket expression at s ('[') ends. */
static const char *skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++; /* a literal ']' first */
	while (*s && *s != ']') {
		if (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			char e = s[1];

			for (s += 2; *s && !(s[0] == e && s[1] == ']'); s++)
				;
			s += *s ? 2 : 0;
		} else {
			s++;
		}
	}
	return *s ? s + 1 : s;
}

/* Copies an interval makes of its operand ("{2,5}" 5, "{3,}" 4), with
 * *end past its '}'; 0 if s (after the '{') is no interval. */
static double interval_copies(const char *s, const char **end)
{
	double n = 0, m = -1;

	if (!(*s >= '0' && *s <= '9') && *s != ',')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (*s - '0');
	if (*s == ',') {
		for (m = 0, s++; *s >= '0' && *s <= '9'; s++)
			m = m * 10 + (*s - '0');
		if (s[-1] == ',')
			m = n + 1; /* "{n,}": n copies and a star */
	}
	if (*s != '}')
		return 0;
	*end = s + 1;
	return fmax(fmax(n, m), 1);
}

/*
 * A rough size of the tree glibc's regcomp() builds for an ERE: '+' and
 * intervals copy their operand, so stacked or nested ones multiply ("x+"
 * twenty times over takes gigabytes).  Conservative: some patterns it
 * prices high compile cheaply, but no sensible name pattern comes close.
 */
static double regex_cost(const char *s)
{
	double sum[RULES_MAX_DEPTH + 1] = {0}, last[RULES_MAX_DEPTH + 1] = {0};
	int d = 0;

	while (*s && sum[d] <= RULES_MAX_REGEX_COST) {
		const char *end = s + 1;
		double atom = 1, f = 0;

		if (*s == '\\') {
			end = s[1] ? s + 2 : s + 1;
		} else if (*s == '[') {
			end = skip_bracket(s);
		} else if (*s == '(') {
			if (d == RULES_MAX_DEPTH)
				return HUGE_VAL;
			d++;
			sum[d] = last[d] = 0;
			s = end;
			continue;
		} else if (*s == ')' && d > 0) {
			atom = sum[d--] + 1;
		} else if (*s == '|') {
			last[d] = 0;
			s = end;
			continue;
		} else if (*s == '*' || *s == '?') {
			f = 1;
		} else if (*s == '+') {
			f = 2;
		} else if (*s == '{') {
			f = interval_copies(s + 1, &end);
		}
		if (f > 0) {
			sum[d] += last[d] * (f - 1) + 1;
			last[d] = last[d] * f + 1;
		} else {
			sum[d] += atom;
			last[d] = atom;
		}
		s = end;
	}
	for (int i = 0; i < d; i++)
		sum[d] += sum[i];
	return sum[d];
}

/* Compile m's values as regexes in place (regex_t is not moved once
 * compiled).  Every bad one is reported; m->re stays NULL then. */
static void compile_values(struct rparser *p, struct rule_match *m, const struct pos *at)
{
	bool ok = true;
	regex_t tmp;
	char eb[128];

	if (!(m->re = calloc(m->n, sizeof(*m->re)))) {
		poom(p);
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		regex_t *re = ok ? &m->re[i] : &tmp;
		bool cheap = regex_cost(m->values[i]) <= RULES_MAX_REGEX_COST;
		int rc = cheap ? regcomp(re, m->values[i], REG_EXTENDED | REG_NOSUB) : -1;

		if (rc < 0) {
			perr(p, at[i].line, at[i].col,
			     "regular expression '%s' is too complex (its repetitions expand to "
			     "more "
			     "than %d terms)",
			     m->values[i], RULES_MAX_REGEX_COST);
		} else if (rc > 0) {
			regerror(rc, re, eb, sizeof(eb));
			perr(p, at[i].line, at[i].col, "invalid regular expression '%s': %s",
			     m->values[i], eb);
		}
		if (rc != 0) {
			for (size_t j = 0; ok && j < i; j++)
				regfree(&m->re[j]);
			ok = false;
		} else if (!ok) {
			regfree(&tmp);
		}
	}
	if (!ok) {
		free(m->re);
		m->re = NULL;
	}
}

/* One value of a match (the current token), checked and appended. */
static int match_value(struct rparser *p, struct rule_match *m, struct pos **at, size_t *cap)
{
	char list[160];

	if (!*p->tok.text) {
		perr(p, p->tok.line, p->tok.col, "empty value in 'match %s'", attr_names[m->attr]);
		return 0;
	}
	if (m->attr == RA_KIND && !m->regex && !kind_glob_ok(p->tok.text))
		perr(p, p->tok.line, p->tok.col, "unknown kind '%s' (expected one of: %s)",
		     p->tok.text, join(kind_names, HWH_KIND_COUNT, list, sizeof(list)));
	if (m->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		char **v = realloc(m->values, ncap * sizeof(*v));
		struct pos *np;

		if (v)
			m->values = v;
		np = v ? realloc(*at, ncap * sizeof(*np)) : NULL;
		if (!np) {
			poom(p);
			return -1;
		}
		*at = np;
		*cap = ncap;
	}
	(*at)[m->n] = tok_pos(p);
	m->values[m->n++] = steal_text(p);
	return 0;
}

/* Append m (taken over) to the rule, with where it was written. */
static int add_match(struct rparser *p, struct rblock *b, struct rule_match *m, struct pos at)
{
	struct rule *r = b->r;
	struct rule_match *v = realloc(r->matches, (r->nmatches + 1) * sizeof(*v));
	struct pos *mp;

	if (v)
		r->matches = v;
	mp = v ? realloc(b->mpos, (r->nmatches + 1) * sizeof(*mp)) : NULL;
	if (!mp) {
		poom(p);
		return -1;
	}
	b->mpos = mp;
	b->mpos[r->nmatches] = at;
	r->matches[r->nmatches++] = *m;
	if (m->attr == RA_TYPE)
		r->is_event = true;
	return 0;
}

/* match ATTR [~] VALUE...; the current token is ATTR. */
static bool st_match(struct rparser *p, struct rblock *b, struct pos at)
{
	struct rule_match m = {0};
	struct pos *vat = NULL;
	size_t cap = 0, nwritten = 0; /* values written, the rejected ones too */
	char list[96], what[64];
	int a;

	if (p->tok.type != RT_IDENT) {
		expected(p, "a match attribute (source, device, name, kind, unit, label or type)");
		return false;
	}
	if ((a = lookup(attr_names, RA_COUNT, p->tok.text)) < 0) {
		perr(p, p->tok.line, p->tok.col,
		     "unknown match attribute '%s' (expected one of: %s)", p->tok.text,
		     join(attr_names, RA_COUNT, list, sizeof(list)));
		return false;
	}
	m.attr = (enum rule_attr)a;
	advance_word(p);
	if (p->tok.type == RT_TILDE) {
		m.regex = true;
		advance_word(p);
	}
	for (; p->tok.type == RT_WORD || p->tok.type == RT_STRING; nwritten++) {
		if (match_value(p, &m, &vat, &cap) < 0)
			break;
		advance_word(p);
	}
	if (nwritten == 0) {
		snprintf(what, sizeof(what), "a value after 'match %s%s'", attr_names[a],
			 m.regex ? " ~" : "");
		expected(p, what);
	} else if (m.regex && m.n > 0) {
		compile_values(p, &m, vat);
	}
	free(vat);
	if (m.n == 0 || p->lx.stop || add_match(p, b, &m, at) < 0)
		match_fini(&m);
	return nwritten > 0;
}

/* "clear when" or "clear after"; the current token follows "clear". */
static int clear_kind(struct rparser *p)
{
	if (tok_is(p, "when"))
		return K_CLEAR_WHEN;
	if (tok_is(p, "after"))
		return K_CLEAR_AFTER;
	expected(p, "'when' or 'after' after 'clear'");
	return -1;
}

static void unknown_stmt(struct rparser *p)
{
	char list[160];

	perr(p, p->tok.line, p->tok.col, "unknown statement '%s' (expected one of: %s)",
	     p->tok.text, join(kw_names, K_COUNT, list, sizeof(list)));
}

/* The value of statement k; false after a syntax error. */
static bool st_value(struct rparser *p, struct rblock *b, enum stmt_kw k, struct pos at)
{
	struct rule *r = b->r;

	switch (k) {
	case K_DESCRIPTION:
		return st_string(p, k, &r->description);
	case K_MATCH:
		return st_match(p, b, at);
	case K_WHEN:
		return st_expr(p, &r->when);
	case K_FOR:
		return st_duration(p, k, &r->for_ms);
	case K_CLEAR_WHEN:
		return st_expr(p, &r->clear);
	case K_CLEAR_AFTER:
		return st_duration(p, k, &r->clear_after_ms);
	case K_SEVERITY:
		return st_severity(p, r);
	case K_SCORE:
		return st_score(p, r);
	case K_MESSAGE:
		return st_message(p, b);
	case K_ENABLED:
		return st_enabled(p, r);
	case K_COUNT:
		break;
	}
	return false;
}

/* One statement of a rule block; the current token is its keyword. */
static void parse_stmt(struct rparser *p, struct rblock *b)
{
	struct pos at = tok_pos(p);
	int k = lookup(kw_names, K_COUNT, p->tok.text);

	if (tok_is(p, "clear")) {
		advance(p);
		k = clear_kind(p);
	} else if (k < 0) {
		unknown_stmt(p);
	}
	if (k < 0) {
		resync(p);
		return;
	}
	if (k != K_MATCH && b->seen[k].line) {
		perr(p, at.line, at.col, "'%s' already set at %s:%d:%d", kw_names[k], p->lx.file,
		     b->seen[k].line, b->seen[k].col);
		resync(p);
		return;
	}
	if (!b->seen[k].line)
		b->seen[k] = at;
	advance(p);
	if (st_value(p, b, (enum stmt_kw)k, at))
		end_stmt(p, (enum stmt_kw)k, k == K_WHEN || k == K_CLEAR_WHEN);
	else
		resync(p);
}

/* ---- whole-rule checks ---- */

/* Walk an expression: count functions and buckets, and refuse in an
 * event rule what needs a metric's values (an event stream has none). */
static void check_tree(struct rparser *p, struct rblock *b, struct rx_node *n)
{
	struct rule *r = b->r;

	if (!n)
		return;
	switch (n->op) {
	case RX_NUM:
		return;
	case RX_VAR:
		/* an event stream's value is its number of events; it has no limits */
		if (r->is_event && n->u.var != RV_VALUE)
			perr(p, n->line, n->col,
			     "'%s' cannot be used in an event rule (a rule with 'match type' sees "
			     "events, which have no limits or flags; expected value, count() or "
			     "bucket())",
			     rx_var_name(n->u.var));
		return;
	case RX_CALL:
		r->uses |= 1u << n->u.call.fn;
		if (n->u.call.fn == RF_BUCKET)
			n->u.call.slot = r->nbuckets++;
		if (r->is_event && (RF_HISTORY_MASK >> n->u.call.fn & 1))
			perr(p, n->line, n->col,
			     "'%s' cannot be used in an event rule (a rule with 'match type' sees "
			     "events, which have no values; expected count() or bucket())",
			     rx_fn_name(n->u.call.fn));
		if (!r->is_event && n->u.call.fn == RF_COUNT && !n->u.call.glob)
			perr(p, n->line, n->col,
			     "count(WINDOW) counts a rule's own events and needs an event rule "
			     "(one with 'match type'); expected count(\"GLOB\", WINDOW) here");
		check_tree(p, b, n->u.call.arg);
		return;
	default:
		check_tree(p, b, n->u.bin.l);
		check_tree(p, b, n->u.bin.r);
	}
}

/* An event has only a source, a device and a type. */
static void check_event_matches(struct rparser *p, const struct rblock *b)
{
	const struct rule *r = b->r;

	for (size_t i = 0; r->is_event && i < r->nmatches; i++) {
		enum rule_attr a = r->matches[i].attr;

		if (a == RA_NAME || a == RA_KIND || a == RA_UNIT || a == RA_LABEL)
			perr(p, b->mpos[i].line, b->mpos[i].col,
			     "'match %s' cannot be used in an event rule (events have only source, "
			     "device and type)",
			     attr_names[a]);
	}
}

/* One ${NAME} of the message, NAME = s[0..n), written at line:col. */
static void check_tvar(struct rparser *p, const char *s, size_t n, struct pos at)
{
	char list[256];

	for (size_t i = 0; i < NTVARS; i++)
		if (strlen(tvars[i]) == n && strncmp(tvars[i], s, n) == 0)
			return;
	perr(p, at.line, at.col, "unknown variable '${%.*s}' in the message (expected one of: %s)",
	     (int)(n > 40 ? 40 : n), s, join(tvars, NTVARS, list, sizeof(list)));
}

/*
 * Check the ${...} of the message.  Reads the string as written (it was
 * lexed without error, so it is closed on its line) to give each variable
 * its exact column; escapes never produce '$', '{' or '}', so the
 * variables are the same as in the resolved text.
 */
static void check_message(struct rparser *p, const struct rblock *b)
{
	const char *s = b->msg_raw + 1;
	int col = b->msg.col + 1;

	while (*s != '"') {
		const char *q;

		if (*s == '\\' || s[0] != '$' || s[1] != '{') {
			int k = *s == '\\' ? 2 : 1;

			s += k;
			col += k;
			continue;
		}
		for (q = s + 2; *q != '}' && *q != '"'; q += *q == '\\' ? 2 : 1)
			;
		if (*q != '}') {
			perr(p, b->msg.line, col,
			     "unterminated '${' in the message (expected '}')");
			return;
		}
		check_tvar(p, s + 2, (size_t)(q - s - 2), (struct pos){b->msg.line, col});
		col += (int)(q + 1 - s);
		s = q + 1;
	}
}

/* Everything that needs the whole block. */
static void finish_rule(struct rparser *p, struct rblock *b, struct pos at)
{
	struct rule *r = b->r;
	const char *name = r->name ? r->name : "?";

	/* "rule x { enabled no }" only switches a rule of that name off; a
	 * rule without a name has had its error */
	if (!b->seen[K_WHEN].line && r->enabled && r->name)
		perr(p, at.line, at.col,
		     "rule '%s' has no 'when' statement (expected 'when CONDITION')", name);
	if (!b->seen[K_SEVERITY].line && r->enabled && r->name)
		perr(p, at.line, at.col,
		     "rule '%s' has no 'severity' statement (expected 'severity info|warning|"
		     "critical|fatal')",
		     name);
	if (!b->seen[K_SCORE].line)
		r->score = rule_severity_score(r->severity);
	check_event_matches(p, b);
	check_tree(p, b, r->when);
	check_tree(p, b, r->clear);
	if (r->message && b->msg_raw)
		check_message(p, b);
}

/* ---- rule blocks and the top level ---- */

/* Rule names: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most RULES_MAX_NAME. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RULES_MAX_NAME || *s == '.' || *s == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

/* Check the name (the current token) and remember it; true to keep it. */
static bool check_name(struct rparser *p)
{
	const char *s = p->tok.text;
	struct seen_name *v;

	if (!valid_name(s)) {
		perr(p, p->tok.line, p->tok.col,
		     "invalid rule name '%s' (expected letters, digits, '_', '-' and '.', at most "
		     "%d, not starting with '-' or '.')",
		     s, RULES_MAX_NAME);
		return false;
	}
	for (size_t i = 0; i < p->nnames; i++) {
		if (strcmp(p->names[i].name, s) == 0) {
			perr(p, p->tok.line, p->tok.col,
			     "duplicate rule '%s' (first defined at %s:%d:%d)", s, p->lx.file,
			     p->names[i].at.line, p->names[i].at.col);
			return false;
		}
	}
	v = realloc(p->names, (p->nnames + 1) * sizeof(*v));
	if (!v || !(v[p->nnames].name = strdup(s))) {
		if (v)
			p->names = v;
		poom(p);
		return false;
	}
	v[p->nnames++].at = tok_pos(p);
	p->names = v;
	return true;
}

static void parse_body(struct rparser *p, struct rblock *b)
{
	struct pos brace = tok_pos(p);

	advance(p);
	for (;;) {
		switch (p->tok.type) {
		case RT_EOF:
			perr(p, brace.line, brace.col,
			     "unclosed block 'rule %s' (expected '}' for this '{')",
			     b->r->name ? b->r->name : "?");
			return;
		case RT_RBRACE:
			advance(p);
			return;
		case RT_NL:
		case RT_SEMI:
			advance(p);
			break;
		case RT_LBRACE:
			perr(p, p->tok.line, p->tok.col,
			     "unexpected '{' (blocks cannot be nested)");
			skip_block(p);
			break;
		case RT_IDENT:
			if (tok_is(p, "rule")) { /* a '}' was forgotten: parse the next rule */
				perr(p, brace.line, brace.col,
				     "unclosed block 'rule %s' (expected '}' before the next rule)",
				     b->r->name ? b->r->name : "?");
				return;
			}
			parse_stmt(p, b);
			break;
		default:
			expected(p, "a statement");
			resync(p);
		}
	}
}

/* The rule's name, after "rule"; the current token is the name. */
static void rule_name(struct rparser *p, struct rule *r, bool *keep)
{
	if (p->tok.type != RT_WORD && p->tok.type != RT_STRING) {
		expected(p, "a rule name after 'rule'");
		*keep = false;
		return;
	}
	*keep = check_name(p);
	r->name = steal_text(p);
	advance(p);
	while (p->tok.type == RT_NL)
		advance(p);
}

static int rs_append(struct ruleset *rs, struct rule *r)
{
	struct rule **v = realloc(rs->v, (rs->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	rs->v = v;
	rs->v[rs->n++] = r;
	return 0;
}

/* "rule NAME { ... }"; the current token is "rule". */
static void parse_rule(struct rparser *p)
{
	struct pos at = tok_pos(p);
	int nerr = p->lx.nerr;
	struct rblock b = {0};
	bool keep = false;

	b.r = calloc(1, sizeof(*b.r));
	if (!b.r || !(b.r->file = strdup(p->lx.file))) {
		free(b.r);
		poom(p);
		return;
	}
	b.r->line = at.line;
	b.r->col = at.col;
	b.r->enabled = true;
	advance_word(p);
	rule_name(p, b.r, &keep);
	if (p->tok.type != RT_LBRACE) {
		if (keep)
			expected(p, "'{' after the rule name");
		resync(p);
		rule_free(b.r);
		return;
	}
	parse_body(p, &b);
	finish_rule(p, &b, at);
	free(b.mpos);
	if (keep && p->lx.nerr == nerr && rs_append(p->rs, b.r) == 0)
		return;
	if (keep && p->lx.nerr == nerr)
		poom(p);
	rule_free(b.r);
}

static void parse_top(struct rparser *p)
{
	advance(p);
	while (p->tok.type != RT_EOF) {
		switch (p->tok.type) {
		case RT_NL:
		case RT_SEMI:
			advance(p);
			break;
		case RT_RBRACE:
			perr(p, p->tok.line, p->tok.col, "unexpected '}' (no block to close)");
			advance(p);
			break;
		case RT_IDENT:
			if (tok_is(p, "rule")) {
				parse_rule(p);
				break;
			}
			perr(p, p->tok.line, p->tok.col,
			     "unknown statement '%s' (expected 'rule NAME { ... }')", p->tok.text);
			resync(p);
			break;
		default:
			expected(p, "'rule NAME { ... }'");
			resync(p);
		}
	}
}

int rules_parse(const char *name, const char *text, size_t len, struct ruleset *rs,
		struct cfg_diag *diag)
{
	struct rparser p = {.rs = rs};

	if (!text) {
		text = "";
		len = 0;
	}
	rlex_init(&p.lx, name ? name : "(rules)", text, len, diag);
	parse_top(&p);
	free(p.tok.text);
	for (size_t i = 0; i < p.nnames; i++)
		free(p.names[i].name);
	free(p.names);
	return p.lx.nerr > 0 ? -1 : 0;
}
