/*
 * rules_expr: the expressions of "when" and "clear when" (see rules.h for
 * the language), the part of the rules parser that builds struct rx_node.
 *
 * Recursive descent, one function per precedence level, low to high:
 *   parse_or      a or b      (the entry: also counts nesting)
 *   parse_and     a and b
 *   parse_not     not a
 *   parse_cmp     a < b ...   (comparisons do not chain)
 *   parse_add     a + b, a - b
 *   parse_mul     a * b, a / b
 *   parse_unary   -a
 *   parse_primary number, variable, NAME(ARGS), (EXPR)
 * Calls are parsed with a generic argument list (struct rarg) and then
 * checked against their function's form (check_call()).  Semantic errors
 * (unknown variable or function, bad window...) build a placeholder node
 * and keep going, so one bad call does not hide the next error.  Nesting
 * and the size of a tree are bounded (RULES_MAX_DEPTH, RULES_MAX_NODES), so
 * no input exhausts the stack.  Tokens, errors and the parser state come
 * from rules_parse.c through rules_internal.h; the statement and rule
 * checks that walk the finished tree stay there.
 *
 * To add a function: an enum rx_fn value in rules.h, a row in fns[], its
 * argument checks in check_call(), its evaluation in the engine and its
 * page in docs/hwhealth.rules.5.  A variable: an enum rx_var value in
 * rules.h and its name in var_names[].
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "rules_internal.h"
#include "rules_lex.h"

#define RULES_MAX_NODES 1000 /* nodes per expression */
#define RX_MAX_ARGS 2	     /* no function takes more */

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
/* clang-format on */

const char *rx_fn_name(enum rx_fn fn)
{
	return (unsigned)fn < RF_COUNT_FNS ? fns[fn].name : "?";
}

const char *rx_var_name(enum rx_var v)
{
	return (unsigned)v < RV_COUNT ? var_names[v] : "?";
}

static int fn_lookup(const char *s)
{
	for (int i = 0; i < RF_COUNT_FNS; i++)
		if (strcmp(fns[i].name, s) == 0)
			return i;
	return -1;
}

/* ---- nodes ---- */

void rx_free(struct rx_node *n)
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

static struct rx_node *mk_node(struct rparser *p, enum rx_op op, int line, int col)
{
	struct rx_node *n;

	if (++p->nodes > RULES_MAX_NODES) {
		if (p->nodes == RULES_MAX_NODES + 1)
			rp_err(p, line, col, "expression too long (at most %d terms)",
			       RULES_MAX_NODES);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		rp_oom(p);
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

/* ---- calls ---- */

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
	a->at = rp_tok_pos(p);
	if (p->tok.type == RT_STRING) {
		a->str = rp_steal_text(p);
		rp_advance(p);
		return 0;
	}
	if (!(a->e = parse_arg_expr(p, &a->dur)))
		return -1;
	if (rp_tok_is(p, "per")) {
		rp_advance(p);
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

	rp_advance(p);
	if (p->tok.type == RT_RPAREN) {
		rp_advance(p);
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
			rp_advance(p);
			return 0;
		}
		if (p->tok.type != RT_COMMA) {
			snprintf(what, sizeof(what), "',' or ')' in the arguments of '%s'", fn);
			rp_expected(p, what);
			return -1;
		}
		rp_advance(p);
	}
}

/* A string or "per" where the function's form has none: report it. */
static bool arg_plain(struct rparser *p, enum rx_fn fn, const struct rarg *a)
{
	if (a->str)
		rp_err(p, a->at.line, a->at.col,
		       "unexpected string in the arguments of '%s' (expected %s)", fns[fn].name,
		       fns[fn].form);
	else if (a->per)
		rp_err(p, a->at.line, a->at.col,
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
		rp_err(p, at.line, at.col, "the %s of '%s' must be a duration such as 30s or 5m",
		       what, fns[fn].name);
		return;
	}
	if (e->u.num * 1000 > (double)max_ms) {
		rp_err(p, at.line, at.col, "the %s of '%s' must be at most %s", what, fns[fn].name,
		       max_ms == RULE_MAX_WINDOW_MS ? "24h" : "365d");
		return;
	}
	*ms = llround(e->u.num * 1000);
	if (*ms <= 0)
		rp_err(p, at.line, at.col, "the %s of '%s' must be greater than 0", what,
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
		rp_err(p, at.line, at.col,
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
		rp_oom(p);
		return;
	}
	if (!argc_is(p, RF_COUNT, (struct pos){c->line, c->col}, n, 2))
		return;
	if (!has_glob)
		rp_err(p, a[0].at.line, a[0].at.col,
		       "the first argument of 'count' must be a quoted glob (expected %s)",
		       fns[RF_COUNT].form);
	else if (!*c->u.call.glob)
		rp_err(p, a[0].at.line, a[0].at.col, "the glob of 'count' must not be empty");
	arg_window(p, RF_COUNT, &a[1], &c->u.call.window_ms);
}

/* bucket(N per W). */
static void check_bucket(struct rparser *p, struct rx_node *c, struct rarg *a, size_t n)
{
	const struct rx_node *cap;

	if (!argc_is(p, RF_BUCKET, (struct pos){c->line, c->col}, n, 1))
		return;
	if (!a[0].per) {
		rp_err(p, a[0].at.line, a[0].at.col,
		       "the argument of 'bucket' must be 'N per WINDOW', e.g. bucket(10 per 24h)");
		return;
	}
	cap = a[0].e;
	if (cap->op != RX_NUM || a[0].dur || !(cap->u.num > 0))
		rp_err(p, a[0].at.line, a[0].at.col,
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
		rp_err(p, at.line, at.col, "unknown function '%s' (expected one of: %s)", name,
		       rp_join(names, RF_COUNT_FNS, list, sizeof(list)));
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

/* ---- precedence levels ---- */

static struct rx_node *parse_var(struct rparser *p, const char *name, struct pos at)
{
	struct rx_node *n;
	int v = rp_lookup(var_names, RV_COUNT, name);
	char list[128];

	if (v < 0) {
		if (fn_lookup(name) >= 0)
			rp_err(p, at.line, at.col, "'%s' is a function (expected %s)", name,
			       fns[fn_lookup(name)].form);
		else
			rp_err(p, at.line, at.col, "unknown variable '%s' (expected one of: %s)",
			       name, rp_join(var_names, RV_COUNT, list, sizeof(list)));
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
	return rp_tok_is(p, "and") || rp_tok_is(p, "or") || rp_tok_is(p, "not") ||
	       rp_tok_is(p, "per");
}

/* NAME or NAME(ARGS); the current token is the name. */
static struct rx_node *parse_name(struct rparser *p)
{
	struct pos at = rp_tok_pos(p);
	char *name = rp_steal_text(p);
	struct rx_node *n;

	rp_advance(p);
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

	rp_advance(p);
	e = parse_or(p);
	if (!e)
		return NULL;
	if (p->tok.type != RT_RPAREN) {
		rp_expected(p, "')'");
		rx_free(e);
		return NULL;
	}
	rp_advance(p);
	return e;
}

static struct rx_node *parse_primary(struct rparser *p)
{
	struct rx_node *n;

	switch (p->tok.type) {
	case RT_NUMBER:
		n = mk_num(p, p->tok.num, p->tok.line, p->tok.col);
		rp_advance(p);
		return n;
	case RT_IDENT:
		if (is_op_word(p))
			break;
		return parse_name(p);
	case RT_LPAREN:
		return parse_paren(p);
	case RT_STRING:
		rp_err(p, p->tok.line, p->tok.col,
		       "unexpected string (a quoted string is only the glob of count(\"GLOB\", "
		       "WINDOW))");
		return NULL;
	default:
		break;
	}
	rp_expected(p, "an expression");
	return NULL;
}

/* Guard recursion: deeply nested input must not exhaust the stack. */
static bool enter(struct rparser *p)
{
	if (p->depth >= RULES_MAX_DEPTH) {
		rp_err(p, p->tok.line, p->tok.col,
		       "expression nested too deeply (at most %d levels)", RULES_MAX_DEPTH);
		return false;
	}
	p->depth++;
	return true;
}

static struct rx_node *parse_unary(struct rparser *p)
{
	struct pos at = rp_tok_pos(p);
	struct rx_node *e;

	if (p->tok.type != RT_MINUS)
		return parse_primary(p);
	if (!enter(p))
		return NULL;
	rp_advance(p);
	e = parse_unary(p);
	p->depth--;
	return mk_op(p, RX_NEG, e, NULL, at);
}

static struct rx_node *parse_mul(struct rparser *p)
{
	struct rx_node *l = parse_unary(p);

	while (l && (p->tok.type == RT_STAR || p->tok.type == RT_SLASH)) {
		enum rx_op op = p->tok.type == RT_STAR ? RX_MUL : RX_DIV;
		struct pos at = rp_tok_pos(p);

		rp_advance(p);
		l = mk_op(p, op, l, parse_unary(p), at);
	}
	return l;
}

static struct rx_node *parse_add(struct rparser *p)
{
	struct rx_node *l = parse_mul(p);

	while (l && (p->tok.type == RT_PLUS || p->tok.type == RT_MINUS)) {
		enum rx_op op = p->tok.type == RT_PLUS ? RX_ADD : RX_SUB;
		struct pos at = rp_tok_pos(p);

		rp_advance(p);
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
	struct pos at = rp_tok_pos(p);
	char buf[64];

	if (!l || op < 0)
		return l;
	rp_advance(p);
	l = mk_op(p, (enum rx_op)op, l, parse_add(p), at);
	if (l && cmp_op(p) >= 0) {
		rp_err(p, p->tok.line, p->tok.col,
		       "unexpected %s: comparisons do not chain (expected 'and' between two "
		       "comparisons)",
		       rp_tok_desc(&p->tok, buf));
		rx_free(l);
		return NULL;
	}
	return l;
}

static struct rx_node *parse_not(struct rparser *p)
{
	struct pos at = rp_tok_pos(p);
	struct rx_node *e;

	if (!rp_tok_is(p, "not"))
		return parse_cmp(p);
	if (!enter(p))
		return NULL;
	rp_advance(p);
	e = parse_not(p);
	p->depth--;
	return mk_op(p, RX_NOT, e, NULL, at);
}

static struct rx_node *parse_and(struct rparser *p)
{
	struct rx_node *l = parse_not(p);

	while (l && rp_tok_is(p, "and")) {
		struct pos at = rp_tok_pos(p);

		rp_advance(p);
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
	while (l && rp_tok_is(p, "or")) {
		struct pos at = rp_tok_pos(p);

		rp_advance(p);
		l = mk_op(p, RX_OR, l, parse_and(p), at);
	}
	p->depth--;
	return l;
}

struct rx_node *rp_parse_expr(struct rparser *p)
{
	p->nodes = 0;
	p->depth = 0;
	return parse_or(p);
}
