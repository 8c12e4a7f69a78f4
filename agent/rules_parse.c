/*
 * rules_parse: rules-file text -> struct rule (see rules.h for the
 * language, docs/hwhealth.rules.5 for its meaning).
 *
 * Layers, bottom to top:
 *   lexer        rules_lex.c: tokens with positions, shared error count;
 *   plumbing     here: the parser state and its token and error helpers
 *                (rp_*), shared with rules_expr.c through rules_internal.h;
 *   expressions  rules_expr.c: recursive descent, one function per
 *                precedence level, building struct rx_node; entered
 *                through rp_parse_expr();
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
 * To add a function: see rules_expr.c.  A statement: enum stmt_kw,
 * kw_names[], a case in st_value().  A message variable: tvars[].
 */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "rules_internal.h"
#include "rules_lex.h"

#define RULES_MAX_NAME 64 /* rule names */

/* Value-history functions: they read a metric's samples. */
#define RF_HISTORY_MASK                                                                            \
	((1u << RF_AVG) | (1u << RF_MIN) | (1u << RF_MAX) | (1u << RF_DELTA) | (1u << RF_RATE) |   \
	 (1u << RF_SLOPE) | (1u << RF_PREDICT) | (1u << RF_ETA))

/* ---- names ---- */

/* clang-format off */
static const char *const sev_names[RSEV_COUNT] = {
	[RSEV_INFO] = "info", [RSEV_WARNING] = "warning",
	[RSEV_CRITICAL] = "critical", [RSEV_FATAL] = "fatal",
};
static const double sev_scores[RSEV_COUNT] = {
	[RSEV_INFO] = 1, [RSEV_WARNING] = 10, [RSEV_CRITICAL] = 50, [RSEV_FATAL] = 100,
};

const char *const rp_attr_names[RA_COUNT] = {
	[RA_SOURCE] = "source", [RA_DEVICE] = "device", [RA_NAME] = "name", [RA_KIND] = "kind",
	[RA_UNIT] = "unit", [RA_LABEL] = "label", [RA_TYPE] = "type",
};

/* As kind_name() (metrics.c) prints them, in enum hwh_kind order. */
const char *const rp_kind_names[HWH_KIND_COUNT] = {
	"other", "temperature", "fan", "voltage", "current", "power", "energy", "humidity",
	"intrusion", "counter", "percent", "state",
};

/* Variables of message templates: attributes, limits, rule name, and the
 * evidence of a function's first call in "when" (shown as "?" by the
 * engine when "when" has no such call or it had no result). */
static const char *const tvars[] = {
	"value", "min", "max", "lcrit", "crit", "lemerg", "emerg", "unit", "id", "source",
	"device", "name", "label", "type", "rule", "text",
	"avg", "delta", "rate", "slope", "predict", "eta", "count", "bucket",
};
#define NTVARS (sizeof(tvars) / sizeof(tvars[0]))
/* clang-format on */

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

int rp_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* "a, b, c" of names[0..n) into buf. */
const char *rp_join(const char *const *names, size_t n, char *buf, size_t len)
{
	size_t k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", i ? ", " : "", names[i]);
	return buf;
}

/* ---- freeing ---- */

void rp_match_fini(struct rule_match *m)
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
		rp_match_fini(&r->matches[i]);
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

void rp_err(struct rparser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rlex_verror(&p->lx, line, col, fmt, ap);
	va_end(ap);
}

void rp_oom(struct rparser *p)
{
	rlex_oom(&p->lx, p->tok.line, p->tok.col);
}

struct pos rp_tok_pos(const struct rparser *p)
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
void rp_advance(struct rparser *p)
{
	advance_mode(p, RLEX_EXPR);
}

/* Next token read as a word: a rule name or a match value, where '-', '*'
 * and '.' are part of the word (see rules_lex.h). */
void rp_advance_word(struct rparser *p)
{
	advance_mode(p, RLEX_WORD);
}

char *rp_steal_text(struct rparser *p)
{
	char *s = p->tok.text;

	p->tok.text = NULL;
	return s;
}

bool rp_tok_is(const struct rparser *p, const char *word)
{
	return p->tok.type == RT_IDENT && strcmp(p->tok.text, word) == 0;
}

/* The current token as a message shows it. */
const char *rp_tok_desc(const struct rtoken *t, char buf[64])
{
	if (t->type == RT_IDENT || t->type == RT_WORD || t->type == RT_NUMBER) {
		snprintf(buf, 64, "'%.40s%s'", t->text, strlen(t->text) > 40 ? "..." : "");
		return buf;
	}
	return rtok_name(t->type);
}

/* "expected WHAT, got TOKEN" at the current token, unless the lexer has
 * already reported that token. */
void rp_expected(struct rparser *p, const char *what)
{
	char buf[64];

	if (p->tok.type == RT_ERROR)
		return;
	rp_err(p, p->tok.line, p->tok.col, "expected %s, got %s", what, rp_tok_desc(&p->tok, buf));
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
		rp_advance(p);
	} while (depth > 0);
}

static bool is_stmt_keyword(const struct rparser *p)
{
	return p->tok.type == RT_IDENT && (rp_lookup(kw_names, K_COUNT, p->tok.text) >= 0 ||
					   rp_tok_is(p, "clear") || rp_tok_is(p, "rule"));
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
			rp_advance(p);
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
			rp_advance(p);
		}
	}
}

/* ---- statements ---- */

/* The statement ends here: ';', newline, '}' or end of file.  expr: it
 * ended with an expression, so an operator could have followed. */
void rp_end_stmt(struct rparser *p, enum stmt_kw k, bool expr)
{
	char buf[64];

	switch (p->tok.type) {
	case RT_NL:
	case RT_SEMI:
		rp_advance(p);
		return;
	case RT_RBRACE:
	case RT_EOF:
		return;
	case RT_ERROR:
		break;
	default:
		if (expr)
			rp_err(p, p->tok.line, p->tok.col,
			       "unexpected %s after the expression of '%s' (expected an operator, "
			       "';' or a newline)",
			       rp_tok_desc(&p->tok, buf), kw_names[k]);
		else
			rp_err(p, p->tok.line, p->tok.col,
			       "unexpected %s after the '%s' statement (expected ';' or a newline)",
			       rp_tok_desc(&p->tok, buf), kw_names[k]);
	}
	resync(p);
}

/* "TEXT" into *dst. */
static bool st_string(struct rparser *p, enum stmt_kw k, char **dst)
{
	char what[64];

	if (p->tok.type != RT_STRING) {
		snprintf(what, sizeof(what), "a quoted string after '%s'", kw_names[k]);
		rp_expected(p, what);
		return false;
	}
	*dst = rp_steal_text(p);
	rp_advance(p);
	return true;
}

static bool st_message(struct rparser *p, struct rblock *b)
{
	b->msg = rp_tok_pos(p);
	b->msg_raw = p->tok.raw;
	return st_string(p, K_MESSAGE, &b->r->message);
}

static bool st_expr(struct rparser *p, struct rx_node **dst)
{
	*dst = rp_parse_expr(p);
	return *dst != NULL;
}

/* DURATION (0 allowed: "for 0s" is the default, said out loud). */
static bool st_duration(struct rparser *p, enum stmt_kw k, int64_t *ms)
{
	char what[96];

	if (p->tok.type != RT_NUMBER || !p->tok.dur) {
		snprintf(what, sizeof(what), "a duration such as 30s or 5m after '%s'",
			 kw_names[k]);
		rp_expected(p, what);
		return false;
	}
	if (p->tok.num * 1000 > (double)RULES_MAX_DURATION_MS)
		rp_err(p, p->tok.line, p->tok.col, "'%s' must be at most 365d", kw_names[k]);
	else
		*ms = llround(p->tok.num * 1000);
	rp_advance(p);
	return true;
}

/* A word value (severity, enabled): a name or a quoted string. */
static bool word_value(struct rparser *p, enum stmt_kw k)
{
	char what[64];

	if (p->tok.type == RT_IDENT || p->tok.type == RT_STRING)
		return true;
	snprintf(what, sizeof(what), "a value after '%s'", kw_names[k]);
	rp_expected(p, what);
	return false;
}

static bool st_severity(struct rparser *p, struct rule *r)
{
	int s;

	if (!word_value(p, K_SEVERITY))
		return false;
	s = rule_severity_parse(p->tok.text);
	if (s < 0)
		rp_err(p, p->tok.line, p->tok.col,
		       "invalid severity '%s' (expected info, warning, critical or fatal)",
		       p->tok.text);
	else
		r->severity = (enum rule_severity)s;
	rp_advance(p);
	return true;
}

static bool st_score(struct rparser *p, struct rule *r)
{
	if (p->tok.type != RT_NUMBER || p->tok.dur) {
		rp_expected(p, "a non-negative number after 'score'");
		return false;
	}
	r->score = p->tok.num;
	rp_advance(p);
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
			rp_advance(p);
			return true;
		}
	}
	rp_err(p, p->tok.line, p->tok.col, "invalid value '%s' for 'enabled' (expected yes or no)",
	       p->tok.text);
	rp_advance(p);
	return true;
}

/* "clear when" or "clear after"; the current token follows "clear". */
static int clear_kind(struct rparser *p)
{
	if (rp_tok_is(p, "when"))
		return K_CLEAR_WHEN;
	if (rp_tok_is(p, "after"))
		return K_CLEAR_AFTER;
	rp_expected(p, "'when' or 'after' after 'clear'");
	return -1;
}

static void unknown_stmt(struct rparser *p)
{
	char list[160];

	rp_err(p, p->tok.line, p->tok.col, "unknown statement '%s' (expected one of: %s)",
	       p->tok.text, rp_join(kw_names, K_COUNT, list, sizeof(list)));
}

/* The value of statement k; false after a syntax error. */
static bool st_value(struct rparser *p, struct rblock *b, enum stmt_kw k, struct pos at)
{
	struct rule *r = b->r;

	switch (k) {
	case K_DESCRIPTION:
		return st_string(p, k, &r->description);
	case K_MATCH:
		return rp_st_match(p, b, at);
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
	struct pos at = rp_tok_pos(p);
	int k = rp_lookup(kw_names, K_COUNT, p->tok.text);

	if (rp_tok_is(p, "clear")) {
		rp_advance(p);
		k = clear_kind(p);
	} else if (k < 0) {
		unknown_stmt(p);
	}
	if (k < 0) {
		resync(p);
		return;
	}
	if (k != K_MATCH && b->seen[k].line) {
		rp_err(p, at.line, at.col, "'%s' already set at %s:%d:%d", kw_names[k], p->lx.file,
		       b->seen[k].line, b->seen[k].col);
		resync(p);
		return;
	}
	if (!b->seen[k].line)
		b->seen[k] = at;
	rp_advance(p);
	if (st_value(p, b, (enum stmt_kw)k, at))
		rp_end_stmt(p, (enum stmt_kw)k, k == K_WHEN || k == K_CLEAR_WHEN);
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
			rp_err(
			    p, n->line, n->col,
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
			rp_err(
			    p, n->line, n->col,
			    "'%s' cannot be used in an event rule (a rule with 'match type' sees "
			    "events, which have no values; expected count() or bucket())",
			    rx_fn_name(n->u.call.fn));
		if (!r->is_event && n->u.call.fn == RF_COUNT && !n->u.call.glob)
			rp_err(p, n->line, n->col,
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
			rp_err(
			    p, b->mpos[i].line, b->mpos[i].col,
			    "'match %s' cannot be used in an event rule (events have only source, "
			    "device and type)",
			    rp_attr_names[a]);
	}
}

/* One ${NAME} of the message, NAME = s[0..n), written at line:col. */
static void check_tvar(struct rparser *p, const char *s, size_t n, struct pos at)
{
	char list[256];

	for (size_t i = 0; i < NTVARS; i++)
		if (strlen(tvars[i]) == n && strncmp(tvars[i], s, n) == 0)
			return;
	rp_err(p, at.line, at.col,
	       "unknown variable '${%.*s}' in the message (expected one of: %s)",
	       (int)(n > 40 ? 40 : n), s, rp_join(tvars, NTVARS, list, sizeof(list)));
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
			rp_err(p, b->msg.line, col,
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
		rp_err(p, at.line, at.col,
		       "rule '%s' has no 'when' statement (expected 'when CONDITION')", name);
	if (!b->seen[K_SEVERITY].line && r->enabled && r->name)
		rp_err(p, at.line, at.col,
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
		rp_err(
		    p, p->tok.line, p->tok.col,
		    "invalid rule name '%s' (expected letters, digits, '_', '-' and '.', at most "
		    "%d, not starting with '-' or '.')",
		    s, RULES_MAX_NAME);
		return false;
	}
	for (size_t i = 0; i < p->nnames; i++) {
		if (strcmp(p->names[i].name, s) == 0) {
			rp_err(p, p->tok.line, p->tok.col,
			       "duplicate rule '%s' (first defined at %s:%d:%d)", s, p->lx.file,
			       p->names[i].at.line, p->names[i].at.col);
			return false;
		}
	}
	v = realloc(p->names, (p->nnames + 1) * sizeof(*v));
	if (!v || !(v[p->nnames].name = strdup(s))) {
		if (v)
			p->names = v;
		rp_oom(p);
		return false;
	}
	v[p->nnames++].at = rp_tok_pos(p);
	p->names = v;
	return true;
}

static void parse_body(struct rparser *p, struct rblock *b)
{
	struct pos brace = rp_tok_pos(p);

	rp_advance(p);
	for (;;) {
		switch (p->tok.type) {
		case RT_EOF:
			rp_err(p, brace.line, brace.col,
			       "unclosed block 'rule %s' (expected '}' for this '{')",
			       b->r->name ? b->r->name : "?");
			return;
		case RT_RBRACE:
			rp_advance(p);
			return;
		case RT_NL:
		case RT_SEMI:
			rp_advance(p);
			break;
		case RT_LBRACE:
			rp_err(p, p->tok.line, p->tok.col,
			       "unexpected '{' (blocks cannot be nested)");
			skip_block(p);
			break;
		case RT_IDENT:
			if (rp_tok_is(p, "rule")) { /* a '}' was forgotten: parse the next rule */
				rp_err(
				    p, brace.line, brace.col,
				    "unclosed block 'rule %s' (expected '}' before the next rule)",
				    b->r->name ? b->r->name : "?");
				return;
			}
			parse_stmt(p, b);
			break;
		default:
			rp_expected(p, "a statement");
			resync(p);
		}
	}
}

/* The rule's name, after "rule"; the current token is the name. */
static void rule_name(struct rparser *p, struct rule *r, bool *keep)
{
	if (p->tok.type != RT_WORD && p->tok.type != RT_STRING) {
		rp_expected(p, "a rule name after 'rule'");
		*keep = false;
		return;
	}
	*keep = check_name(p);
	r->name = rp_steal_text(p);
	rp_advance(p);
	while (p->tok.type == RT_NL)
		rp_advance(p);
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
	struct pos at = rp_tok_pos(p);
	int nerr = p->lx.nerr;
	struct rblock b = {0};
	bool keep = false;

	b.r = calloc(1, sizeof(*b.r));
	if (!b.r || !(b.r->file = strdup(p->lx.file))) {
		free(b.r);
		rp_oom(p);
		return;
	}
	b.r->line = at.line;
	b.r->col = at.col;
	b.r->enabled = true;
	rp_advance_word(p);
	rule_name(p, b.r, &keep);
	if (p->tok.type != RT_LBRACE) {
		if (keep)
			rp_expected(p, "'{' after the rule name");
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
		rp_oom(p);
	rule_free(b.r);
}

static void parse_top(struct rparser *p)
{
	rp_advance(p);
	while (p->tok.type != RT_EOF) {
		switch (p->tok.type) {
		case RT_NL:
		case RT_SEMI:
			rp_advance(p);
			break;
		case RT_RBRACE:
			rp_err(p, p->tok.line, p->tok.col, "unexpected '}' (no block to close)");
			rp_advance(p);
			break;
		case RT_IDENT:
			if (rp_tok_is(p, "rule")) {
				parse_rule(p);
				break;
			}
			rp_err(p, p->tok.line, p->tok.col,
			       "unknown statement '%s' (expected 'rule NAME { ... }')",
			       p->tok.text);
			resync(p);
			break;
		default:
			rp_expected(p, "'rule NAME { ... }'");
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
