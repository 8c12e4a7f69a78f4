/*
 * rules_lex: the lexer of rules files (docs/hwhealth.rules.5), internal to
 * the rules parser (rules_parse.c, rules_expr.c).
 *
 * Turns bytes into tokens: identifiers, numbers (a duration suffix ms s m h
 * d gives seconds), double-quoted strings (on one line, escapes \" \\ \n
 * \t resolved), the punctuation { } ; ( ) , + - * / < <= > >= == != ~ and
 * newlines, which end statements except inside parentheses, where they are
 * blanks (so a long condition can be wrapped).  Blanks and '#' comments are
 * skipped.  Each token carries the 1-based line and column (in bytes) where
 * it starts.
 *
 * Two modes, chosen by the parser for each token it asks for, because '-'
 * is both subtraction and part of names such as "temp-rising":
 *   RLEX_EXPR  expressions and keywords: identifiers are [A-Za-z_][A-Za-z0-9_]*
 *              so "value-crit" is value minus crit;
 *   RLEX_WORD  the rule name after "rule" and the values of "match": a word
 *              is any run of printable bytes (and UTF-8) but blanks and
 *              {};#"'\~, so "temp-rising", "temp*_input" and "coretemp-*"
 *              are one token each.  '~' is a token of its own here.
 * The parser needs one token of lookahead, so it picks the mode when it
 * moves past the token before (see advance_word() in rules_parse.c).
 *
 * Like config_lex, the lexer owns error reporting for the whole parse
 * (rlex_error()): it counts errors, formats them as "file:line:col:
 * message" into the caller's cfg_diag and gives up after RULES_MAX_ERRORS.
 *
 * To extend: a new punctuation gets an enum rtok_type value (with its
 * comment), a row in the ops[] table of lex_punct() (longer operators
 * first) and an entry in rtok_name(); if it is punctuation in RLEX_WORD
 * mode too, add it to the exclusions of is_word_char().
 */
#ifndef HWH_RULES_LEX_H
#define HWH_RULES_LEX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define RULES_MAX_ERRORS 100 /* then "too many errors, giving up" and stop */

/* Kinds of token. */
enum rtok_type {
	RT_EOF = 0, /* end of input */
	RT_NL,	    /* newline outside parentheses: ends a statement */
	RT_SEMI,    /* ';' */
	RT_LBRACE,  /* '{' */
	RT_RBRACE,  /* '}' */
	RT_LPAREN,  /* '(' */
	RT_RPAREN,  /* ')' */
	RT_COMMA,   /* ',' */
	RT_PLUS,    /* '+' */
	RT_MINUS,   /* '-' */
	RT_STAR,    /* '*' */
	RT_SLASH,   /* '/' */
	RT_LT,	    /* '<' */
	RT_LE,	    /* '<=' */
	RT_GT,	    /* '>' */
	RT_GE,	    /* '>=' */
	RT_EQ,	    /* '==' */
	RT_NE,	    /* '!=' */
	RT_TILDE,   /* '~' */
	RT_IDENT,   /* identifier (RLEX_EXPR); text set */
	RT_WORD,    /* word (RLEX_WORD); text set */
	RT_NUMBER,  /* number; text (as written) and num set, dur if it had a unit */
	RT_STRING,  /* double-quoted string; text set, escapes resolved */
	RT_ERROR    /* lexical error, already reported */
};

/* How the next token is read; see the file comment. */
enum rlex_mode {
	RLEX_EXPR = 0, /* identifiers, numbers, operators */
	RLEX_WORD      /* words with '-', '*', '.' ...: rule names, match values */
};

struct rtoken {
	enum rtok_type type;
	char *text;	 /* RT_IDENT, RT_WORD, RT_NUMBER, RT_STRING; owned */
	double num;	 /* RT_NUMBER: the value, in seconds if dur */
	bool dur;	 /* RT_NUMBER: written with a unit (ms s m h d) */
	bool nl_before;	 /* a newline inside parentheses was skipped just before */
	const char *raw; /* where the token starts in the input (not owned) */
	int line, col;
};

/* Input position and error sink of one parse; on the caller's stack. */
struct rlexer {
	const char *file;      /* name used in messages */
	const char *p, *end;   /* unread input */
	int line, col;	       /* position of *p */
	int paren;	       /* open '(' : newlines are blanks while > 0 */
	struct cfg_diag *diag; /* where errors go */
	int nerr;	       /* errors so far, the parser's included */
	bool stop;	       /* too many errors or out of memory */
};

/* Start lexing text[0..len) at line 1, column 1.  text must stay valid
 * while lx is used. */
void rlex_init(struct rlexer *lx, const char *file, const char *text, size_t len,
	       struct cfg_diag *diag);

/*
 * Read the next token into t in the given mode (its text, if any, is the
 * caller's to free).  At the end of input t->type is RT_EOF; on a lexical
 * error or out of memory it is RT_ERROR, already reported (out of memory
 * also sets lx->stop).
 */
void rlex_next(struct rlexer *lx, struct rtoken *t, enum rlex_mode mode);

/* Forget open parentheses, so that newlines end statements again: the
 * parser calls it when it gives up on a statement. */
void rlex_reset_paren(struct rlexer *lx);

/* Report an error at line:col and count it in lx->nerr.  Once lx->stop is
 * set nothing more is added; the error past RULES_MAX_ERRORS is replaced
 * by "too many errors, giving up" and sets lx->stop. */
__attribute__((format(printf, 4, 5))) void rlex_error(struct rlexer *lx, int line, int col,
						      const char *fmt, ...);
__attribute__((format(printf, 4, 0))) void rlex_verror(struct rlexer *lx, int line, int col,
						       const char *fmt, va_list ap);

/* Report "out of memory" at line:col and set lx->stop. */
void rlex_oom(struct rlexer *lx, int line, int col);

/* How a token type is shown in messages: "'('", "end of line"... For
 * tokens with text use rtok_desc() in the parser instead. */
const char *rtok_name(enum rtok_type type);

#endif
