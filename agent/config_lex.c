/*
 * config_lex: the hwhealth.conf lexer, bytes -> tokens, and the error
 * reporting that lexer and parser share.
 *
 * Blanks and '#' comments are skipped; a newline is a token (it ends a
 * statement).  Quoted strings stay on one line and are copied with their
 * escapes resolved; a bad escape is reported at the backslash, the rest of
 * the string still read so that one bad string is one token.  Positions are
 * counted in bytes, so a UTF-8 character advances the column by its length.
 * See config_lex.h for how to add a token kind or an escape.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_lex.h"
#include "util.h"

/* ---- errors ---- */

void lex_verror(struct lexer *lx, int line, int col, const char *fmt, va_list ap)
{
	cfg_diag_verror(lx->diag, lx->file, &lx->nerr, &lx->stop, CFG_MAX_ERRORS, line, col, fmt,
			ap);
}

__attribute__((format(printf, 4, 5))) static void lex_error(struct lexer *lx, int line, int col,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lex_verror(lx, line, col, fmt, ap);
	va_end(ap);
}

void lex_oom(struct lexer *lx, int line, int col)
{
	lex_error(lx, line, col, "out of memory");
	lx->stop = true;
}

/* ---- reading ---- */

void lex_init(struct lexer *lx, const char *file, const char *text, size_t len,
	      struct cfg_diag *diag)
{
	*lx = (struct lexer){
	    .file = file, .p = text, .end = text + len, .line = 1, .col = 1, .diag = diag};
}

static void lex_bump(struct lexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

/* Unquoted words: printable ASCII but blanks and "{};#'\, and UTF-8. */
static bool is_word_char(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if (c <= ' ' || c == 0x7f)
		return false;
	return strchr("{};#\"'\\", c) == NULL;
}

/* c as it can be shown between quotes in a message. */
static const char *char_disp(unsigned char c, char buf[8])
{
	if (c > ' ' && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

/* Skip blanks and a comment; stop at a newline. */
static void lex_skip_blank(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			lex_bump(lx);
		} else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lex_bump(lx);
		} else {
			break;
		}
	}
}

static enum tok_type lex_word(struct lexer *lx, struct token *t)
{
	const char *start = lx->p;

	while (lx->p < lx->end && is_word_char((unsigned char)*lx->p))
		lex_bump(lx);
	t->text = strndup(start, (size_t)(lx->p - start));
	if (!t->text) {
		lex_oom(lx, t->line, t->col);
		return T_ERROR;
	}
	return T_WORD;
}

/* A quoted string, on one line.  The current byte is the opening quote. */
static enum tok_type lex_string(struct lexer *lx, struct token *t)
{
	const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	size_t n = 0, cap = (size_t)((eol ? eol : lx->end) - lx->p);
	char *buf = malloc(cap), cb[8];
	bool bad = false;

	if (!buf) {
		lex_oom(lx, t->line, t->col);
		return T_ERROR;
	}
	lex_bump(lx);
	for (;;) {
		if (lx->p >= lx->end || *lx->p == '\n') {
			lex_error(lx, t->line, t->col, "unterminated string");
			free(buf);
			return T_ERROR;
		}
		if (*lx->p == '"')
			break;
		if (*lx->p == '\\') {
			int line = lx->line, col = lx->col, e;

			lex_bump(lx);
			if (lx->p >= lx->end || *lx->p == '\n')
				continue; /* unterminated, reported above */
			e = util_unescape(*lx->p);
			if (e < 0) {
				lex_error(
				    lx, line, col,
				    "invalid escape '\\%s' in string (use \\\", \\\\, \\n or \\t)",
				    char_disp((unsigned char)*lx->p, cb));
				bad = true;
			} else {
				buf[n++] = (char)e;
			}
		} else {
			buf[n++] = *lx->p;
		}
		lex_bump(lx);
	}
	lex_bump(lx);
	buf[n] = '\0';
	if (bad) {
		free(buf);
		return T_ERROR;
	}
	t->text = buf;
	return T_STRING;
}

static enum tok_type lex_punct(struct lexer *lx)
{
	char c = *lx->p;

	lex_bump(lx);
	switch (c) {
	case '\n':
		return T_NL;
	case ';':
		return T_SEMI;
	case '{':
		return T_LBRACE;
	default:
		return T_RBRACE;
	}
}

/* 'text': an error, reported once for the whole quoted text. */
static enum tok_type lex_single_quote(struct lexer *lx, const struct token *t)
{
	lex_error(lx, t->line, t->col, "single quotes are not supported (use double quotes)");
	lex_bump(lx);
	while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '\'')
		lex_bump(lx);
	if (lx->p < lx->end && *lx->p == '\'')
		lex_bump(lx);
	return T_ERROR;
}

void lex_next(struct lexer *lx, struct token *t)
{
	unsigned char c;
	char cb[8];

	lex_skip_blank(lx);
	t->line = lx->line;
	t->col = lx->col;
	t->text = NULL;
	if (lx->p >= lx->end) {
		t->type = T_EOF;
		return;
	}
	c = (unsigned char)*lx->p;
	if (c != '\0' && strchr("\n;{}", c))
		t->type = lex_punct(lx);
	else if (c == '"')
		t->type = lex_string(lx, t);
	else if (is_word_char(c))
		t->type = lex_word(lx, t);
	else if (c == '\'')
		t->type = lex_single_quote(lx, t);
	else {
		lex_error(lx, t->line, t->col, "unexpected character '%s'", char_disp(c, cb));
		lex_bump(lx);
		t->type = T_ERROR;
	}
}
