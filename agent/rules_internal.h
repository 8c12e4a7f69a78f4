/*
 * rules_internal: what the two halves of the rules parser share; internal
 * to rules_parse.c and rules_expr.c, nothing else includes it (the public
 * API is rules.h).
 *
 *   rules_parse.c  the plumbing declared below (tokens, errors, name
 *                  lists), statements, rule blocks, the whole-rule checks
 *                  and rules_parse() itself;
 *   rules_expr.c   the expressions of "when" and "clear when": their
 *                  recursive descent, calls and argument checks, and the
 *                  syntax tree's nodes (rx_free()).
 *
 * struct rparser lives on rules_parse()'s stack for one parse.  Every
 * error goes through rp_err() (or rp_oom()), so the lexer's count and
 * limit (rules_lex.h) cover the whole parse.
 *
 * To extend: a helper both files need is declared here with the rp_
 * prefix and defined in rules_parse.c; anything one file alone uses stays
 * static in it.
 */
#ifndef HWH_RULES_INTERNAL_H
#define HWH_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "rules.h"
#include "rules_lex.h"

#define RULES_MAX_DEPTH 64				 /* nested (), not, unary - */
#define RULES_MAX_DURATION_MS (365LL * 24 * 3600 * 1000) /* for, clear after, horizons */

/* A place in the text, for messages. */
struct pos {
	int line, col; /* line 0: not set */
};

/* A rule name seen in this text, for duplicates. */
struct seen_name {
	char *name;
	struct pos at;
};

/* The state of one parse. */
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

/* ---- plumbing, in rules_parse.c ---- */

/* Report an error at line:col (see rlex_error()). */
__attribute__((format(printf, 4, 5))) void rp_err(struct rparser *p, int line, int col,
						  const char *fmt, ...);
/* Report "out of memory" at the current token; stops the parse. */
void rp_oom(struct rparser *p);
/* Where the current token starts. */
struct pos rp_tok_pos(const struct rparser *p);
/* Move to the next token, read in expressions and keywords (RLEX_EXPR). */
void rp_advance(struct rparser *p);
/* Take the current token's text (the caller frees it). */
char *rp_steal_text(struct rparser *p);
/* Is the current token the identifier word? */
bool rp_tok_is(const struct rparser *p, const char *word);
/* Token t as a message shows it ("'avg'", "end of line"); may use buf. */
const char *rp_tok_desc(const struct rtoken *t, char buf[64]);
/* Report "expected WHAT, got TOKEN" at the current token, unless the lexer
 * has already reported that token. */
void rp_expected(struct rparser *p, const char *what);
/* Index of s in names[0..n), or -1. */
int rp_lookup(const char *const *names, int n, const char *s);
/* "a, b, c" of names[0..n) into buf (truncated to len).  Returns buf. */
const char *rp_join(const char *const *names, size_t n, char *buf, size_t len);

/* ---- expressions, in rules_expr.c ---- */

/*
 * A whole expression from the current token on (a "when" or "clear when"),
 * with the nesting and node limits reset.  Returns the tree (the caller's
 * to free with rx_free()), or NULL after a syntax error, already reported;
 * semantic errors are reported too but leave a usable tree.
 */
struct rx_node *rp_parse_expr(struct rparser *p);
/* Free an expression tree; NULL is allowed. */
void rx_free(struct rx_node *n);

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

/* A rule block being parsed: where each statement was seen. */
struct rblock {
	struct rule *r;
	struct pos seen[K_COUNT]; /* where each statement was (match: the first) */
	struct pos *mpos;	  /* where each match statement is */
	struct pos msg;		  /* the message string */
	const char *msg_raw;	  /* ... as written, for exact columns */
};

/* Names of match attributes and of kinds, as the language spells them. */
extern const char *const rp_attr_names[RA_COUNT];
extern const char *const rp_kind_names[HWH_KIND_COUNT];

/* The statement ends here: ';', newline, '}' or end of file (rules_parse.c). */
void rp_end_stmt(struct rparser *p, enum stmt_kw k, bool expr);
void rp_match_fini(struct rule_match *m);
/* Next token read as a word: a rule name or a match value (rules_parse.c). */
void rp_advance_word(struct rparser *p);
/* "match ...", the current token following "match" (rules_match.c). */
bool rp_st_match(struct rparser *p, struct rblock *b, struct pos at);

#endif /* HWH_RULES_INTERNAL_H */
