/*
 * config_lex: the hwhealth.conf lexer, internal to config.c.
 *
 * Turns bytes into tokens: unquoted words, double-quoted strings (on one
 * line, escapes \" \\ \n \t resolved), '{', '}', ';' and newline; blanks and
 * '#' comments are skipped.  Each token carries the 1-based line and column
 * (in bytes) where it starts.  The lexer also owns error reporting for the
 * whole parse (lex_verror()): it counts errors, formats them as
 * "file:line:col: message" into the caller's cfg_diag and gives up after
 * CFG_MAX_ERRORS, so that lexer and parser share one count and one limit.
 *
 * To extend: a new punctuation character gets an enum tok_type value (with
 * its one-line comment), a case in lex_punct() and its byte in the
 * strchr() set of lex_next(); it must also leave is_word_char(), or it
 * would be read as part of a word.  A new escape goes to util_unescape() (shared with rules_lex.c)
 * and to the list in the "invalid escape" message.
 */
#ifndef HWH_CONFIG_LEX_H
#define HWH_CONFIG_LEX_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define CFG_MAX_ERRORS 100 /* then "too many errors" and stop */

/* Kinds of token. */
enum tok_type {
	T_EOF = 0, /* end of input */
	T_NL,	   /* newline: ends a statement */
	T_SEMI,	   /* ';': ends a statement */
	T_LBRACE,  /* '{' */
	T_RBRACE,  /* '}' */
	T_WORD,	   /* unquoted word; text set */
	T_STRING,  /* double-quoted string; text set, escapes resolved */
	T_ERROR	   /* lexical error, already reported */
};

struct token {
	enum tok_type type;
	char *text; /* T_WORD and T_STRING only, owned */
	int line, col;
};

/* Input position and the error sink of one parse; on the caller's stack. */
struct lexer {
	const char *file;      /* name used in messages */
	const char *p, *end;   /* unread input */
	int line, col;	       /* position of *p */
	struct cfg_diag *diag; /* where errors go */
	int nerr;	       /* errors so far, the parser's included */
	bool stop;	       /* too many errors or out of memory */
};

/* Start lexing text[0..len) at line 1, column 1; errors name file and go to
 * diag.  text must stay valid while lx is used. */
void lex_init(struct lexer *lx, const char *file, const char *text, size_t len,
	      struct cfg_diag *diag);

/*
 * Read the next token into t (its text, if any, is the caller's to free).
 * Never fails as such: at the end of input t->type is T_EOF; on a lexical
 * error or out of memory it is T_ERROR, the error already reported with
 * lex_verror() (out of memory also sets lx->stop).
 */
void lex_next(struct lexer *lx, struct token *t);

/* Report an error at line:col (fmt and ap as for vprintf) and count it in
 * lx->nerr.  Once lx->stop is set nothing more is added; the error past
 * CFG_MAX_ERRORS is replaced by "too many errors, giving up" and sets
 * lx->stop.  Returns nothing: a message that cannot be allocated is
 * dropped, the error still counted. */
__attribute__((format(printf, 4, 0))) void lex_verror(struct lexer *lx, int line, int col,
						      const char *fmt, va_list ap);

/* Report "out of memory" at line:col and set lx->stop. */
void lex_oom(struct lexer *lx, int line, int col);

#endif
