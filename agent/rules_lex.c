/*
 * rules_lex: the rules-file lexer, bytes -> tokens, and the error reporting
 * that lexer and parser share.  See rules_lex.h for the two modes (why '-'
 * is part of a rule name but not of an expression) and how to extend.
 *
 * Positions are counted in bytes, so a UTF-8 character advances the column
 * by its length.  A lexical error is reported once per bad token and the
 * token is skipped as a whole (a bad number "1h30m" is one error, not three).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_lex.h"
#include "util.h"

/* ---- errors ---- */

void rlex_verror(struct rlexer *lx, int line, int col, const char *fmt, va_list ap)
{
	cfg_diag_verror(lx->diag, lx->file, &lx->nerr, &lx->stop, RULES_MAX_ERRORS, line, col, fmt,
			ap);
}

void rlex_error(struct rlexer *lx, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rlex_verror(lx, line, col, fmt, ap);
	va_end(ap);
}

void rlex_oom(struct rlexer *lx, int line, int col)
{
	rlex_error(lx, line, col, "out of memory");
	lx->stop = true;
}

const char *rtok_name(enum rtok_type type)
{
	/* clang-format off */
	static const char *const names[] = {
		[RT_EOF] = "end of file", [RT_NL] = "end of line", [RT_SEMI] = "';'",
		[RT_LBRACE] = "'{'", [RT_RBRACE] = "'}'", [RT_LPAREN] = "'('",
		[RT_RPAREN] = "')'", [RT_COMMA] = "','", [RT_PLUS] = "'+'", [RT_MINUS] = "'-'",
		[RT_STAR] = "'*'", [RT_SLASH] = "'/'", [RT_LT] = "'<'", [RT_LE] = "'<='",
		[RT_GT] = "'>'", [RT_GE] = "'>='", [RT_EQ] = "'=='", [RT_NE] = "'!='",
		[RT_TILDE] = "'~'", [RT_IDENT] = "a name", [RT_WORD] = "a word",
		[RT_NUMBER] = "a number", [RT_STRING] = "a string", [RT_ERROR] = "an invalid token",
	};
	/* clang-format on */

	return (unsigned)type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

/* ---- reading ---- */

void rlex_init(struct rlexer *lx, const char *file, const char *text, size_t len,
	       struct cfg_diag *diag)
{
	*lx = (struct rlexer){
	    .file = file, .p = text, .end = text + len, .line = 1, .col = 1, .diag = diag};
}

void rlex_reset_paren(struct rlexer *lx)
{
	lx->paren = 0;
}

static void lex_bump(struct rlexer *lx)
{
	if (*lx->p == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->p++;
}

static int peek(const struct rlexer *lx, size_t ahead)
{
	return lx->p + ahead < lx->end ? (unsigned char)lx->p[ahead] : -1;
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Identifier characters after the first (RLEX_EXPR). */
static bool is_ident_char(int c)
{
	return is_alpha(c) || is_digit(c);
}

/* Word characters (RLEX_WORD): printable ASCII but blanks and {};#"'\~,
 * and the bytes of UTF-8 characters. */
static bool is_word_char(int c)
{
	if (c >= 0x80)
		return true;
	if (c <= ' ' || c == 0x7f)
		return false;
	return strchr("{};#\"'\\~", c) == NULL;
}

/* c as it can be shown between quotes in a message. */
static const char *char_disp(int c, char buf[8])
{
	if (c > ' ' && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", (unsigned)c & 0xff);
	return buf;
}

/* Skip blanks, comments and, inside parentheses, newlines (noting them in
 * t->nl_before).  Stops at a newline that ends a statement. */
static void lex_skip_blank(struct rlexer *lx, struct rtoken *t)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f') {
			lex_bump(lx);
		} else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lex_bump(lx);
		} else if (c == '\n' && lx->paren > 0) {
			t->nl_before = true;
			lex_bump(lx);
		} else {
			break;
		}
	}
}

/* The bytes [start, lx->p) as the token's text. */
static enum rtok_type take_text(struct rlexer *lx, struct rtoken *t, const char *start,
				enum rtok_type type)
{
	t->text = strndup(start, (size_t)(lx->p - start));
	if (!t->text) {
		rlex_oom(lx, t->line, t->col);
		return RT_ERROR;
	}
	return type;
}

static enum rtok_type lex_ident(struct rlexer *lx, struct rtoken *t)
{
	const char *start = lx->p;

	while (lx->p < lx->end && is_ident_char((unsigned char)*lx->p))
		lex_bump(lx);
	return take_text(lx, t, start, RT_IDENT);
}

static enum rtok_type lex_word(struct rlexer *lx, struct rtoken *t)
{
	const char *start = lx->p;

	while (lx->p < lx->end && is_word_char((unsigned char)*lx->p))
		lex_bump(lx);
	return take_text(lx, t, start, RT_WORD);
}

/* Skip the numeric part of a number: digits, a fraction, an exponent (only
 * if a digit follows the 'e', so that "1d" is a day and "1e3" a thousand). */
static void skip_numeric(struct rlexer *lx)
{
	while (is_digit(peek(lx, 0)))
		lex_bump(lx);
	if (peek(lx, 0) == '.')
		do
			lex_bump(lx);
		while (is_digit(peek(lx, 0)));
	if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
		size_t k = (peek(lx, 1) == '+' || peek(lx, 1) == '-') ? 2 : 1;

		if (!is_digit(peek(lx, k)))
			return;
		while (k--)
			lex_bump(lx);
		while (is_digit(peek(lx, 0)))
			lex_bump(lx);
	}
}

/* Seconds per unit of a duration suffix [s, s + n); 0 for no unit, -1 if
 * unknown. */
static double unit_seconds(const char *s, size_t n)
{
	/* clang-format off */
	static const struct {
		const char *suffix;
		double sec;
	} units[] = {
		{ "", 0 }, { "ms", 0.001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].suffix) == n && strncmp(s, units[i].suffix, n) == 0)
			return units[i].sec;
	return -1;
}

/* A number, with an optional unit.  The current byte is a digit or a '.'
 * followed by one. */
static enum rtok_type lex_number(struct rlexer *lx, struct rtoken *t)
{
	const char *start = lx->p, *unit;
	double scale;

	skip_numeric(lx);
	unit = lx->p;
	while (lx->p < lx->end && (is_alpha((unsigned char)*lx->p) && *lx->p != '_'))
		lex_bump(lx);
	scale = unit_seconds(unit, (size_t)(lx->p - unit));
	if (lx->p < lx->end && (is_ident_char((unsigned char)*lx->p) || *lx->p == '.'))
		scale = -1; /* "1h30m", "1.2.3", "5m_x": skip it all as one token */
	while (lx->p < lx->end && (is_ident_char((unsigned char)*lx->p) || *lx->p == '.'))
		lex_bump(lx);
	if (take_text(lx, t, start, RT_NUMBER) == RT_ERROR)
		return RT_ERROR;
	if (scale < 0) {
		rlex_error(lx, t->line, t->col,
			   "invalid number '%s' (expected e.g. 10, 1.5, 1e3 or a duration such as "
			   "500ms, 30s, 5m, 2h, 1d)",
			   t->text);
		goto bad;
	}
	/* strtod stops where the unit starts: the text was checked above */
	t->num = strtod(t->text, NULL);
	t->dur = scale > 0;
	if (t->dur)
		t->num *= scale;
	if (!isfinite(t->num)) {
		rlex_error(lx, t->line, t->col, "number '%s' is too large", t->text);
		goto bad;
	}
	return RT_NUMBER;
bad:
	free(t->text);
	t->text = NULL;
	return RT_ERROR;
}

/* One character of a string at a backslash: its value into buf, or an
 * error reported.  false if the escape was bad. */
static bool lex_string_escape(struct rlexer *lx, char *buf, size_t *n)
{
	int line = lx->line, col = lx->col, e;
	char cb[8];

	lex_bump(lx);
	if (lx->p >= lx->end || *lx->p == '\n')
		return true; /* unterminated: the caller reports it */
	e = util_unescape(*lx->p);
	lex_bump(lx);
	if (e < 0) {
		rlex_error(lx, line, col,
			   "invalid escape '\\%s' in string (use \\\", \\\\, \\n or \\t)",
			   char_disp((unsigned char)lx->p[-1], cb));
		return false;
	}
	buf[(*n)++] = (char)e;
	return true;
}

/* A quoted string, on one line.  The current byte is the opening quote. */
static enum rtok_type lex_string(struct rlexer *lx, struct rtoken *t)
{
	const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	size_t n = 0, cap = (size_t)((eol ? eol : lx->end) - lx->p);
	char *buf = malloc(cap);
	bool ok = true;

	if (!buf) {
		rlex_oom(lx, t->line, t->col);
		return RT_ERROR;
	}
	lex_bump(lx);
	while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '"') {
		if (*lx->p == '\\') {
			ok &= lex_string_escape(lx, buf, &n);
		} else if (*lx->p == '\0') {
			/* C strings would silently end here */
			rlex_error(lx, lx->line, lx->col, "invalid NUL byte in string");
			ok = false;
			lex_bump(lx);
		} else {
			buf[n++] = *lx->p;
			lex_bump(lx);
		}
	}
	if (lx->p >= lx->end || *lx->p == '\n') {
		rlex_error(lx, t->line, t->col, "unterminated string (expected '\"' on this line)");
		ok = false;
	} else {
		lex_bump(lx);
	}
	buf[n] = '\0';
	if (!ok) {
		free(buf);
		return RT_ERROR;
	}
	t->text = buf;
	return RT_STRING;
}

/* Two-byte operators first, then one-byte punctuation; RT_ERROR if c is
 * none of them (nothing consumed then). */
static enum rtok_type lex_punct(struct rlexer *lx, enum rlex_mode mode)
{
	/* clang-format off */
	static const struct {
		const char *text;
		enum rtok_type type;
		bool expr_only; /* not punctuation in RLEX_WORD mode */
	} ops[] = {
		{ "<=", RT_LE, true }, { ">=", RT_GE, true }, { "==", RT_EQ, true },
		{ "!=", RT_NE, true }, { "\n", RT_NL, false }, { ";", RT_SEMI, false },
		{ "{", RT_LBRACE, false }, { "}", RT_RBRACE, false }, { "~", RT_TILDE, false },
		{ "(", RT_LPAREN, true }, { ")", RT_RPAREN, true }, { ",", RT_COMMA, true },
		{ "+", RT_PLUS, true }, { "-", RT_MINUS, true }, { "*", RT_STAR, true },
		{ "/", RT_SLASH, true }, { "<", RT_LT, true }, { ">", RT_GT, true },
	};
	/* clang-format on */

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		size_t n = strlen(ops[i].text);

		if (ops[i].expr_only && mode != RLEX_EXPR)
			continue;
		if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, ops[i].text, n) != 0)
			continue;
		for (size_t k = 0; k < n; k++)
			lex_bump(lx);
		return ops[i].type;
	}
	return RT_ERROR;
}

/* Keep the count of open parentheses that makes newlines blanks.  A
 * statement or block boundary cannot be inside parentheses: it resets. */
static void track_paren(struct rlexer *lx, enum rtok_type type)
{
	if (type == RT_LPAREN)
		lx->paren++;
	else if (type == RT_RPAREN && lx->paren > 0)
		lx->paren--;
	else if (type == RT_SEMI || type == RT_LBRACE || type == RT_RBRACE)
		lx->paren = 0;
}

/* 'text': an error, reported once for the whole quoted text. */
static enum rtok_type lex_single_quote(struct rlexer *lx, const struct rtoken *t)
{
	rlex_error(lx, t->line, t->col, "single quotes are not supported (use double quotes)");
	lex_bump(lx);
	while (lx->p < lx->end && *lx->p != '\n' && *lx->p != '\'')
		lex_bump(lx);
	if (lx->p < lx->end && *lx->p == '\'')
		lex_bump(lx);
	return RT_ERROR;
}

/* A byte that starts no token: report it with a hint for the usual
 * habits of other languages, and skip it (a whole UTF-8 character). */
static enum rtok_type lex_bad_char(struct rlexer *lx, const struct rtoken *t)
{
	int c = peek(lx, 0);
	const char *hint = "";
	char cb[8];

	if (c == '!')
		hint = " (use 'not' or '!=')";
	else if (c == '=')
		hint = " (use '==' to compare)";
	else if (c == '&')
		hint = " (use 'and')";
	else if (c == '|')
		hint = " (use 'or')";
	rlex_error(lx, t->line, t->col, "unexpected character '%s'%s", char_disp(c, cb), hint);
	lex_bump(lx);
	while (c < 0x80 && peek(lx, 0) == c)
		lex_bump(lx); /* "&&" or a run of junk bytes is one mistake */
	while (c >= 0xc0 && peek(lx, 0) >= 0x80 && peek(lx, 0) < 0xc0)
		lex_bump(lx);
	return RT_ERROR;
}

static enum rtok_type lex_token(struct rlexer *lx, struct rtoken *t, enum rlex_mode mode)
{
	int c = peek(lx, 0);
	enum rtok_type type;

	if (c == '"')
		return lex_string(lx, t);
	if (c == '\'')
		return lex_single_quote(lx, t);
	type = lex_punct(lx, mode);
	if (type != RT_ERROR)
		return type;
	if (mode == RLEX_WORD)
		return is_word_char(c) ? lex_word(lx, t) : lex_bad_char(lx, t);
	if (is_digit(c) || (c == '.' && is_digit(peek(lx, 1))))
		return lex_number(lx, t);
	if (is_alpha(c))
		return lex_ident(lx, t);
	return lex_bad_char(lx, t);
}

void rlex_next(struct rlexer *lx, struct rtoken *t, enum rlex_mode mode)
{
	*t = (struct rtoken){0};
	lex_skip_blank(lx, t);
	t->line = lx->line;
	t->col = lx->col;
	t->raw = lx->p;
	if (lx->p >= lx->end) {
		t->type = RT_EOF;
		return;
	}
	t->type = lex_token(lx, t, mode);
	track_paren(lx, t->type);
}
