/*
 * config: hwhealth.conf parsing into a fresh struct hwh_config.
 *
 * Three layers, bottom to top:
 *   lexer    bytes -> tokens (words, quoted strings, '{', '}', ';',
 *            newline), each with the 1-based line and column (in bytes) where
 *            it starts; in config_lex.c, which also counts and formats the
 *            errors of both lexer and parser (lex_verror());
 *   parser   tokens -> statements "key value" and blocks
 *            "source NAME { ... }".  After an error it resynchronises at the
 *            next newline, ';' or '}' so that every error of a file is
 *            reported, not just the first (as ntpd's parse.y does);
 *   setters  one statement -> one field, validating the value.
 * This file holds the parser, the setters and the public API of config.h.
 * All parse state lives in a struct parser (with its struct lexer) on the
 * caller's stack: there is no global mutable state, so two parses may run
 * at once.
 *
 * To add a global setting: add it to enum gkey and gkey_names[], give it a
 * case in set_global() and a default in config_new_defaults(), and document
 * it in docs/hwhealth.conf.5 and contrib/hwhealth.conf.example.  A core key
 * of source blocks goes to enum skey, skey_names[] and set_source_key().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config.h"
#include "config_lex.h"

#define CFG_MAX_BYTES (16 * 1024 * 1024) /* larger files are refused */
#define CFG_MAX_SERVICES 8
#define CFG_MAX_ACTIONS 32	     /* policy.h PREQ_MAX_RECS: records one request makes */
#define CFG_MAX_SOURCES 1024	     /* one thread each: keep it sane */
#define CFG_MAX_NAME 64		     /* source and plugin names */
#define CFG_MAX_HISTORY HIST_RAW_MAX /* history.h: raw samples per metric */
#define CFG_MAX_DURATION_MS (365LL * 24 * 3600 * 1000) /* no overflow when added to a clock */
#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

struct pos {
	int line, col; /* line 0: not set */
};

/* Global settings. */
enum gkey {
	G_INTERVAL,	/* interval DURATION */
	G_TIMEOUT,	/* timeout DURATION */
	G_STALE,	/* stale-after DURATION */
	G_HISTORY,	/* history N */
	G_SOCKET,	/* socket PATH */
	G_GROUP,	/* socket-group NAME */
	G_MODE,		/* socket-mode OCTAL */
	G_STATE_DIR,	/* state-dir PATH */
	G_PLUGIN_DIR,	/* plugin-dir PATH */
	G_RULES_DIR,	/* rules-dir PATH */
	G_LOG_LEVEL,	/* log-level LEVEL */
	G_LOCAL_RULES,	/* local-rules-dir PATH */
	G_SCORE_YELLOW, /* score-yellow N */
	G_SCORE_RED,	/* score-red N */
	G_SCORE_CRIT,	/* score-critical N */
	G_RECOVER,	/* recover-after DURATION (0 allowed) */
	G_STATE_EVERY,	/* state-interval DURATION */
	G_RECORD,	/* record PATH */
	G_COUNT		/* number of global keys, not a key */
};

/* clang-format off */
static const char *const gkey_names[G_COUNT] = {
	[G_INTERVAL] = "interval",
	[G_TIMEOUT] = "timeout",
	[G_STALE] = "stale-after",
	[G_HISTORY] = "history",
	[G_SOCKET] = "socket",
	[G_GROUP] = "socket-group",
	[G_MODE] = "socket-mode",
	[G_STATE_DIR] = "state-dir",
	[G_PLUGIN_DIR] = "plugin-dir",
	[G_RULES_DIR] = "rules-dir",
	[G_LOG_LEVEL] = "log-level",
	[G_LOCAL_RULES] = "local-rules-dir",
	[G_SCORE_YELLOW] = "score-yellow",
	[G_SCORE_RED] = "score-red",
	[G_SCORE_CRIT] = "score-critical",
	[G_RECOVER] = "recover-after",
	[G_STATE_EVERY] = "state-interval",
	[G_RECORD] = "record",
};
/* clang-format on */

/* Core keys of a source block; any other key is a plugin option. */
enum skey {
	S_PLUGIN,   /* plugin NAME */
	S_INTERVAL, /* interval DURATION */
	S_TIMEOUT,  /* timeout DURATION */
	S_STALE,    /* stale-after DURATION */
	S_ENABLED,  /* enabled BOOL */
	S_COUNT	    /* number of source keys, not a key */
};

/* clang-format off */
static const char *const skey_names[S_COUNT] = {
	[S_PLUGIN] = "plugin",
	[S_INTERVAL] = "interval",
	[S_TIMEOUT] = "timeout",
	[S_STALE] = "stale-after",
	[S_ENABLED] = "enabled",
};

static const struct {
	const char *name;
	int level;
} log_levels[] = {
	{ "err", HWH_LOG_ERR },
	{ "warning", HWH_LOG_WARNING },
	{ "notice", HWH_LOG_NOTICE },
	{ "info", HWH_LOG_INFO },
	{ "debug", HWH_LOG_DEBUG },
};
/* clang-format on */

/* Results of parse_dur(). */
enum dur_result {
	DUR_OK = 0, /* parsed */
	DUR_BAD,    /* malformed */
	DUR_ZERO,   /* well-formed but zero */
	DUR_BIG	    /* does not fit in int64 milliseconds */
};

/* One statement: "key [value]" and what ended it. */
struct stmt {
	char *key, *val; /* val NULL: no value given; words joined by ' ' */
	struct pos kpos, vpos;
	int nwords;	  /* words in val (more than 1 only for plugin options) */
	struct pos w2pos; /* the second word, for "one value per statement" */
	char *w2;	  /* its text */
	struct pos epos;  /* the token that ended the statement */
	bool block;	  /* a '{' follows (it is the current token) */
};

/* What a block is. */
enum blk_kind {
	BLK_SOURCE, /* source NAME { }: core keys, the rest to the plugin */
	BLK_ACTION, /* action NAME { }: plugin, timeout, enabled; the rest to the plugin */
	BLK_POLICY, /* policy { }: every statement for config_policy.c */
	BLK_SERVICE /* service NAME { }: plugin, enabled; the rest to the plugin */
};

static const char *const blk_names[] = {"source", "action", "policy", "service"};

/* A source block being parsed. */
struct block {
	struct cfg_source src;
	enum blk_kind kind;
	size_t opt_cap;
	struct pos seen[S_COUNT]; /* where each core key was set */
	struct pos brace;	  /* the '{' */
	bool keep;		  /* name valid and unique: append it */
};

struct parser {
	struct lexer lx;	   /* input, file name, error count and limit */
	struct token tok;	   /* current token */
	struct hwh_config *cfg;	   /* being filled */
	struct pos gseen[G_COUNT]; /* where each global key was set */
	size_t src_cap, act_cap, svc_cap;
	struct pos policy_seen; /* the policy block */
};

/* ---- diagnostics ---- */

/* Replace control characters so that a message cannot drive a terminal. */
static void sanitize(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Append msg (taken over) to diag.  Drops it if memory runs out. */
static void diag_push(struct cfg_diag *diag, char *msg)
{
	char **v;

	if (!msg)
		return;
	v = realloc(diag->msgs, (diag->n + 1) * sizeof(*v));
	if (!v) {
		free(msg);
		return;
	}
	sanitize(msg);
	v[diag->n++] = msg;
	diag->msgs = v;
}

static void diag_vadd(struct cfg_diag *diag, const char *file, int line, int col, const char *fmt,
		      va_list ap)
{
	char *msg, *full;

	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (asprintf(&full, "%s:%d:%d: %s", file, line, col, msg) < 0)
		full = NULL;
	free(msg);
	diag_push(diag, full);
}

void cfg_diag_add(struct cfg_diag *diag, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(diag, file, line, col, fmt, ap);
	va_end(ap);
}

void cfg_diag_verror(struct cfg_diag *diag, const char *file, int *nerr, bool *stop, int max,
		     int line, int col, const char *fmt, va_list ap)
{
	char *msg;

	++*nerr;
	if (*stop)
		return;
	if (*nerr > max) {
		cfg_diag_add(diag, file, line, col, "too many errors, giving up");
		*stop = true;
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	cfg_diag_add(diag, file, line, col, "%s", msg);
	free(msg);
}

void cfg_diag_free(struct cfg_diag *diag)
{
	if (!diag)
		return;
	for (size_t i = 0; i < diag->n; i++)
		free(diag->msgs[i]);
	free(diag->msgs);
	diag->msgs = NULL;
	diag->n = 0;
}

__attribute__((format(printf, 4, 5))) static void perr(struct parser *p, int line, int col,
						       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lex_verror(&p->lx, line, col, fmt, ap);
	va_end(ap);
}

static void poom(struct parser *p)
{
	lex_oom(&p->lx, p->tok.line, p->tok.col);
}

/* ---- parser plumbing ---- */

static void advance(struct parser *p)
{
	free(p->tok.text);
	p->tok.text = NULL;
	if (p->lx.stop) {
		p->tok.type = T_EOF;
		return;
	}
	lex_next(&p->lx, &p->tok);
}

static char *steal_text(struct parser *p)
{
	char *s = p->tok.text;

	p->tok.text = NULL;
	return s;
}

static struct pos tok_pos(const struct parser *p)
{
	return (struct pos){p->tok.line, p->tok.col};
}

/* Skip a balanced { ... }; the current token is the '{'. */
static void skip_block(struct parser *p)
{
	int depth = 0;

	do {
		if (p->tok.type == T_EOF)
			return;
		if (p->tok.type == T_LBRACE)
			depth++;
		else if (p->tok.type == T_RBRACE)
			depth--;
		advance(p);
	} while (depth > 0);
}

/* After an error: skip to the end of the statement.  A newline or ';' is
 * consumed; a '}' is left for the enclosing block; a '{' skips its block. */
static void resync(struct parser *p)
{
	for (;;) {
		switch (p->tok.type) {
		case T_NL:
		case T_SEMI:
			advance(p);
			return;
		case T_RBRACE:
		case T_EOF:
			return;
		case T_LBRACE:
			skip_block(p);
			return;
		default:
			advance(p);
		}
	}
}

/* The token that starts a statement is not a word: report, resync. */
static void bad_stmt_start(struct parser *p)
{
	if (p->tok.type == T_STRING)
		perr(p, p->tok.line, p->tok.col, "expected a setting name, got a quoted string");
	resync(p);
}

static void stmt_free(struct stmt *st)
{
	free(st->key);
	free(st->val);
	free(st->w2);
}

/* Append the current token's text to st->val after a space.  0 or -1 (out
 * of memory, reported). */
static int stmt_append(struct parser *p, struct stmt *st)
{
	size_t a = strlen(st->val), b = strlen(p->tok.text);
	char *v = realloc(st->val, a + b + 2);

	if (v == NULL) {
		poom(p);
		return -1;
	}
	v[a] = ' ';
	memcpy(v + a + 1, p->tok.text, b + 1);
	st->val = v;
	if (st->nwords++ == 1) {
		st->w2pos = tok_pos(p);
		if ((st->w2 = strdup(p->tok.text)) == NULL) {
			poom(p);
			return -1;
		}
	}
	return 0;
}

/*
 * Read "key [value]" up to its end; the current token is the key (a word).
 * With words, every further word or string joins the value, separated by
 * one space (a plugin option: "device /dev/sda sat"); the caller refuses
 * more than one where a core key takes a single value.  Returns 0 with st
 * filled (val NULL when missing), or -1 after reporting an error and
 * resynchronising.
 */
static int read_stmt(struct parser *p, struct stmt *st, bool words)
{
	*st = (struct stmt){.kpos = tok_pos(p)};
	st->key = steal_text(p);
	advance(p);
	if (p->tok.type == T_WORD || p->tok.type == T_STRING) {
		st->vpos = tok_pos(p);
		st->val = steal_text(p);
		st->nwords = 1;
		advance(p);
	}
	while (words && st->val != NULL && (p->tok.type == T_WORD || p->tok.type == T_STRING)) {
		if (stmt_append(p, st) < 0)
			break;
		advance(p);
	}
	st->epos = tok_pos(p);
	switch (p->tok.type) {
	case T_NL:
	case T_SEMI:
		advance(p);
		return 0;
	case T_RBRACE:
	case T_EOF:
		return 0;
	case T_LBRACE:
		st->block = true;
		return 0;
	case T_WORD:
	case T_STRING:
		perr(p, p->tok.line, p->tok.col,
		     "unexpected '%s' after the value of '%s' (one value per statement)",
		     p->tok.text, st->key);
		break;
	default:
		break;
	}
	resync(p);
	stmt_free(st);
	return -1;
}

static void missing_value(struct parser *p, const struct stmt *st)
{
	perr(p, st->epos.line, st->epos.col, "missing value for '%s'", st->key);
}

/* Report a second setting of a key; else remember where it was set. */
static int check_dup(struct parser *p, const struct stmt *st, struct pos *seen)
{
	if (seen->line) {
		perr(p, st->kpos.line, st->kpos.col, "'%s' already set at %s:%d:%d", st->key,
		     p->lx.file, seen->line, seen->col);
		return -1;
	}
	*seen = st->kpos;
	return 0;
}

static int lookup(const char *const *names, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(names[i], key) == 0)
			return i;
	return -1;
}

/* ---- value parsers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static enum dur_result parse_dur(const char *s, int64_t *ms)
{
	/* clang-format off */
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 },
		{ "m", 60000 }, { "h", 3600000 }, { "d", 86400000 },
	};
	/* clang-format on */
	int64_t n = 0;
	bool big = false;

	if (!s || !is_digit(*s))
		return DUR_BAD;
	for (; is_digit(*s); s++) {
		if (n > (INT64_MAX - (*s - '0')) / 10)
			big = true;
		else
			n = n * 10 + (*s - '0');
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].suffix) != 0)
			continue;
		if (big || n > INT64_MAX / units[i].ms)
			return DUR_BIG;
		if (n == 0)
			return DUR_ZERO;
		*ms = n * units[i].ms;
		return DUR_OK;
	}
	return DUR_BAD;
}

int cfg_parse_duration(const char *s, int64_t *ms)
{
	return parse_dur(s, ms) == DUR_OK ? 0 : -1;
}

/* Unsigned number in base 8 or 10, at most max.  0 or -1. */
static int parse_uint(const char *s, unsigned base, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!is_digit(*s) || (unsigned)(*s - '0') >= base)
			return -1;
		v = v * base + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* Source and plugin names: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most 64. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CFG_MAX_NAME || *s == '.' || *s == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

/* ---- setters: one statement with a value each ---- */

static void set_duration(struct parser *p, const struct stmt *st, int64_t *dst)
{
	int64_t ms = 0;
	enum dur_result r = parse_dur(st->val, &ms);

	if (r == DUR_OK && ms > CFG_MAX_DURATION_MS)
		r = DUR_BIG;
	switch (r) {
	case DUR_OK:
		*dst = ms;
		return;
	case DUR_BAD:
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid duration '%s' for '%s' (expected e.g. 500ms, 10s, 5m, 1h)", st->val,
		     st->key);
		return;
	case DUR_ZERO:
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid duration '%s' for '%s' (must be greater than zero)", st->val,
		     st->key);
		return;
	case DUR_BIG:
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid duration '%s' for '%s' (too large, at most 365d)", st->val, st->key);
		return;
	}
}

/* A non-empty string value: taken over from st. */
static void set_string(struct parser *p, struct stmt *st, char **dst)
{
	if (!*st->val) {
		perr(p, st->vpos.line, st->vpos.col, "empty value for '%s'", st->key);
		return;
	}
	free(*dst);
	*dst = st->val;
	st->val = NULL;
}

static void set_socket(struct parser *p, struct stmt *st, char **dst)
{
	size_t n = strlen(st->val);

	if (n > 0 && st->val[0] != '/') {
		perr(p, st->vpos.line, st->vpos.col, "socket path '%s' is not absolute", st->val);
		return;
	}
	if (n >= SUN_PATH_MAX) {
		perr(p, st->vpos.line, st->vpos.col,
		     "socket path is too long (%zu bytes, at most %zu)", n, SUN_PATH_MAX - 1);
		return;
	}
	set_string(p, st, dst);
}

static void set_history(struct parser *p, const struct stmt *st, unsigned *dst)
{
	unsigned v;

	if (parse_uint(st->val, 10, CFG_MAX_HISTORY, &v) < 0 || v == 0) {
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid history '%s' (expected a number from 1 to %d)", st->val,
		     CFG_MAX_HISTORY);
		return;
	}
	*dst = v;
}

/* A duration that may be zero ("recover-after 0": fall at once). */
static void set_duration0(struct parser *p, const struct stmt *st, int64_t *dst)
{
	if (strcmp(st->val, "0") == 0)
		*dst = 0;
	else
		set_duration(p, st, dst);
}

static void set_score(struct parser *p, const struct stmt *st, double *dst)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(st->val, &end);
	if (errno || end == st->val || *end != '\0' || !(v >= 0) || v > 1e9) {
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid score '%s' for '%s' (expected a number from 0 to 1e9)", st->val,
		     st->key);
		return;
	}
	*dst = v;
}

static void set_mode(struct parser *p, const struct stmt *st, unsigned *dst)
{
	if (parse_uint(st->val, 8, 0777, dst) < 0)
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid socket-mode '%s' (expected an octal mode from 0000 to 0777, e.g. "
		     "0660)",
		     st->val);
}

static void set_log_level(struct parser *p, const struct stmt *st, int *dst)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcmp(st->val, log_levels[i].name) == 0) {
			*dst = log_levels[i].level;
			return;
		}
	}
	perr(p, st->vpos.line, st->vpos.col,
	     "invalid log-level '%s' (expected one of: err, warning, notice, info, debug)",
	     st->val);
}

static void set_bool(struct parser *p, const struct stmt *st, bool *dst)
{
	static const char *const yes[] = {"yes", "true", "on"};
	static const char *const no[] = {"no", "false", "off"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(st->val, yes[i]) == 0 || strcmp(st->val, no[i]) == 0) {
			*dst = strcmp(st->val, yes[i]) == 0;
			return;
		}
	}
	perr(p, st->vpos.line, st->vpos.col, "invalid value '%s' for '%s' (expected yes or no)",
	     st->val, st->key);
}

static void set_global(struct parser *p, enum gkey k, struct stmt *st)
{
	struct hwh_config *cfg = p->cfg;

	switch (k) {
	case G_INTERVAL:
		set_duration(p, st, &cfg->interval_ms);
		break;
	case G_TIMEOUT:
		set_duration(p, st, &cfg->timeout_ms);
		break;
	case G_STALE:
		set_duration(p, st, &cfg->stale_ms);
		break;
	case G_HISTORY:
		set_history(p, st, &cfg->history);
		break;
	case G_SOCKET:
		set_socket(p, st, &cfg->socket_path);
		break;
	case G_GROUP:
		set_string(p, st, &cfg->socket_group);
		break;
	case G_MODE:
		set_mode(p, st, &cfg->socket_mode);
		break;
	case G_STATE_DIR:
		set_string(p, st, &cfg->state_dir);
		break;
	case G_PLUGIN_DIR:
		set_string(p, st, &cfg->plugin_dir);
		break;
	case G_RULES_DIR:
		set_string(p, st, &cfg->rules_dir);
		break;
	case G_LOG_LEVEL:
		set_log_level(p, st, &cfg->log_level);
		break;
	case G_LOCAL_RULES:
		set_string(p, st, &cfg->local_rules_dir);
		break;
	case G_SCORE_YELLOW:
		set_score(p, st, &cfg->score_yellow);
		break;
	case G_SCORE_RED:
		set_score(p, st, &cfg->score_red);
		break;
	case G_SCORE_CRIT:
		set_score(p, st, &cfg->score_critical);
		break;
	case G_RECOVER:
		set_duration0(p, st, &cfg->recover_ms);
		break;
	case G_STATE_EVERY:
		set_duration(p, st, &cfg->state_interval_ms);
		break;
	case G_RECORD:
		set_string(p, st, &cfg->record_path);
		break;
	case G_COUNT:
		break;
	}
}

static void set_source_key(struct parser *p, struct block *b, enum skey k, struct stmt *st)
{
	switch (k) {
	case S_PLUGIN:
		if (!valid_name(st->val)) {
			perr(p, st->vpos.line, st->vpos.col,
			     "invalid plugin name '%s' (letters, digits, '_', '-' and '.', at most "
			     "%d)",
			     st->val, CFG_MAX_NAME);
			return;
		}
		set_string(p, st, &b->src.plugin);
		break;
	case S_INTERVAL:
		set_duration(p, st, &b->src.interval_ms);
		b->src.interval_set = true;
		break;
	case S_TIMEOUT:
		set_duration(p, st, &b->src.timeout_ms);
		b->src.timeout_set = true;
		break;
	case S_STALE:
		set_duration(p, st, &b->src.stale_ms);
		break;
	case S_ENABLED:
		set_bool(p, st, &b->src.enabled);
		break;
	case S_COUNT:
		break;
	}
}

/* ---- sources ---- */

static void source_fini(struct cfg_source *src)
{
	for (size_t i = 0; i < src->nopts; i++) {
		free((char *)src->opts[i].key);
		free((char *)src->opts[i].value);
		free(src->optx[i].w2);
	}
	free(src->opts);
	free(src->optx);
	free(src->name);
	free(src->plugin);
	free(src->file);
}

/* A plugin option: key and value taken over from st. */
static void add_option(struct parser *p, struct block *b, struct stmt *st)
{
	struct cfg_source *src = &b->src;

	if (src->nopts == b->opt_cap) {
		size_t cap = b->opt_cap ? 2 * b->opt_cap : 8;
		struct hwh_option *v = realloc(src->opts, cap * sizeof(*v));
		struct cfg_optx *x;

		if (!v) {
			poom(p);
			return;
		}
		src->opts = v;
		if (!(x = realloc(src->optx, cap * sizeof(*x)))) {
			poom(p);
			return;
		}
		src->optx = x;
		b->opt_cap = cap;
	}
	src->optx[src->nopts] = (struct cfg_optx){
	    .nwords = st->nwords,
	    .w2line = st->w2pos.line,
	    .w2col = st->w2pos.col,
	    .w2 = st->w2,
	};
	src->opts[src->nopts++] = (struct hwh_option){
	    .key = st->key,
	    .value = st->val,
	    .file = src->file,
	    .line = st->kpos.line,
	    .col = st->kpos.col,
	};
	st->key = st->val = st->w2 = NULL;
}

static void nested_block(struct parser *p, const struct stmt *st)
{
	perr(p, st->kpos.line, st->kpos.col, "nested block '%s%s%s' (blocks cannot be nested)",
	     st->key, st->val ? " " : "", st->val ? st->val : "");
	skip_block(p);
}

/* One statement inside a source block; the current token is its key. */
static void parse_block_stmt(struct parser *p, struct block *b)
{
	struct stmt st;
	int k;

	if (read_stmt(p, &st, true) < 0)
		return;
	k = b->kind == BLK_POLICY ? -1 : lookup(skey_names, S_COUNT, st.key);
	if (b->kind == BLK_SERVICE && k != S_PLUGIN && k != S_ENABLED)
		k = -1; /* a service has no poll: every other key is its plugin's */
	if (b->kind == BLK_ACTION && (k == S_INTERVAL || k == S_STALE)) {
		perr(p, st.kpos.line, st.kpos.col,
		     "'%s' is not a setting of an action block (expected plugin, timeout, "
		     "enabled, on, or a plugin option)",
		     st.key);
		stmt_free(&st);
		return;
	}
	if (st.block)
		nested_block(p, &st);
	else if (!st.val)
		missing_value(p, &st);
	else if (k < 0)
		add_option(p, b, &st);
	else if (st.nwords > 1)
		perr(p, st.w2pos.line, st.w2pos.col,
		     "unexpected '%s' after the value of '%s' (one value per statement)", st.w2,
		     st.key);
	else if (check_dup(p, &st, &b->seen[k]) == 0)
		set_source_key(p, b, (enum skey)k, &st);
	stmt_free(&st);
}

static void parse_block_body(struct parser *p, struct block *b)
{
	b->brace = tok_pos(p);
	advance(p);
	for (;;) {
		switch (p->tok.type) {
		case T_EOF:
			perr(p, b->brace.line, b->brace.col, "unclosed block '%s%s%s' opened here",
			     blk_names[b->kind], b->src.name ? " " : "",
			     b->src.name ? b->src.name : "");
			return;
		case T_RBRACE:
			advance(p);
			return;
		case T_NL:
		case T_SEMI:
			advance(p);
			break;
		case T_LBRACE:
			perr(p, p->tok.line, p->tok.col,
			     "unexpected '{' (blocks cannot be nested)");
			skip_block(p);
			break;
		case T_WORD:
			parse_block_stmt(p, b);
			break;
		default:
			bad_stmt_start(p);
		}
	}
}

/* The list a block of kind k goes to. */
static struct cfg_source **blk_list(struct parser *p, enum blk_kind k, size_t **n, size_t **cap)
{
	if (k == BLK_SERVICE) {
		*n = &p->cfg->nservices;
		*cap = &p->svc_cap;
		return &p->cfg->services;
	}
	*n = k == BLK_ACTION ? &p->cfg->nactions : &p->cfg->nsources;
	*cap = k == BLK_ACTION ? &p->act_cap : &p->src_cap;
	return k == BLK_ACTION ? &p->cfg->actions : &p->cfg->sources;
}

static int blk_max(enum blk_kind k)
{
	return k == BLK_ACTION	  ? CFG_MAX_ACTIONS
	       : k == BLK_SERVICE ? CFG_MAX_SERVICES
				  : CFG_MAX_SOURCES;
}

/* Check the name of a new source or action: valid, unique, not one too many. */
static bool check_source_name(struct parser *p, const struct stmt *st, enum blk_kind k)
{
	size_t *n, *cap;
	struct cfg_source *v = *blk_list(p, k, &n, &cap);

	if (!valid_name(st->val)) {
		perr(p, st->vpos.line, st->vpos.col,
		     "invalid %s name '%s' (letters, digits, '_', '-' and '.', at most %d)",
		     blk_names[k], st->val, CFG_MAX_NAME);
		return false;
	}
	for (size_t i = 0; i < *n; i++) {
		if (strcmp(v[i].name, st->val) == 0) {
			perr(p, st->vpos.line, st->vpos.col,
			     "duplicate %s '%s' (first defined at %s:%d:%d)", blk_names[k], st->val,
			     v[i].file, v[i].line, v[i].col);
			return false;
		}
	}
	if (*n >= (size_t)blk_max(k)) {
		perr(p, st->kpos.line, st->kpos.col, "too many %ss (at most %d)", blk_names[k],
		     blk_max(k));
		return false;
	}
	return true;
}

static void append_source(struct parser *p, struct cfg_source *src, enum blk_kind k)
{
	size_t *n, *cap;
	struct cfg_source **list = blk_list(p, k, &n, &cap);

	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		struct cfg_source *v = realloc(*list, ncap * sizeof(*v));

		if (!v) {
			poom(p);
			source_fini(src);
			return;
		}
		*list = v;
		*cap = ncap;
	}
	(*list)[(*n)++] = *src;
}

/* Find the '{' of a block whose header ended with a newline or ';'. */
static int expect_brace(struct parser *p, const struct stmt *st)
{
	while (p->tok.type == T_NL)
		advance(p);
	if (p->tok.type == T_LBRACE)
		return 0;
	perr(p, p->tok.line, p->tok.col, "expected '{' after '%s%s%s'", st->key, st->val ? " " : "",
	     st->val ? st->val : "");
	return -1;
}

/* "policy { ... }": its statements are checked by config_policy.c. */
static void parse_policy(struct parser *p, struct stmt *st)
{
	struct block b = {.kind = BLK_POLICY,
			  .src = {.enabled = true, .line = st->kpos.line, .col = st->kpos.col}};

	if (st->val) {
		perr(p, st->vpos.line, st->vpos.col,
		     "unexpected '%s' after 'policy' (the block has no name)", st->val);
		if (!st->block)
			return;
	} else if (!st->block && expect_brace(p, st) < 0) {
		return;
	}
	if (p->policy_seen.line) {
		perr(p, st->kpos.line, st->kpos.col, "second 'policy' block (first at line %d)",
		     p->policy_seen.line);
		skip_block(p);
		return;
	}
	p->policy_seen = st->kpos;
	if (!(b.src.file = strdup(p->lx.file)) || !(b.src.name = strdup("policy")))
		poom(p);
	parse_block_body(p, &b);
	if (b.src.file && b.src.name)
		p->lx.nerr += config_policy_parse(&b.src, &p->cfg->policy, p->lx.diag);
	source_fini(&b.src);
}

/* "source NAME { ... }", "action NAME { ... }" or "service NAME { ... }"; st
 * is the header, read already. */
static void parse_source(struct parser *p, struct stmt *st, enum blk_kind k)
{
	struct block b = {.kind = k,
			  .src = {.enabled = true, .line = st->kpos.line, .col = st->kpos.col}};

	if (!st->val) {
		perr(p, st->epos.line, st->epos.col, "missing name for '%s'", blk_names[k]);
		if (!st->block)
			return;
	} else {
		b.keep = check_source_name(p, st, k);
		if (!st->block && expect_brace(p, st) < 0)
			return;
		b.src.name = st->val;
		st->val = NULL;
	}
	b.src.file = strdup(p->lx.file);
	if (!b.src.file) {
		poom(p);
		b.keep = false;
	}
	parse_block_body(p, &b);
	if (b.keep)
		append_source(p, &b.src, k);
	else
		source_fini(&b.src);
}

/* ---- top level ---- */

/* "unknown setting 'x' (expected one of: a, b, ..., source)" */
static void unknown_setting(struct parser *p, const struct stmt *st)
{
	char list[256] = "";
	size_t n = 0;

	for (int i = 0; i < G_COUNT; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s, ", gkey_names[i]);
	perr(p, st->kpos.line, st->kpos.col,
	     "unknown setting '%s' (expected one of: %ssource, action, service, policy)", st->key,
	     list);
}

static void parse_global(struct parser *p)
{
	struct stmt st;
	int k;

	if (read_stmt(p, &st, false) < 0)
		return;
	k = lookup(gkey_names, G_COUNT, st.key);
	if (strcmp(st.key, "source") == 0) {
		parse_source(p, &st, BLK_SOURCE);
	} else if (strcmp(st.key, "action") == 0) {
		parse_source(p, &st, BLK_ACTION);
	} else if (strcmp(st.key, "service") == 0) {
		parse_source(p, &st, BLK_SERVICE);
	} else if (strcmp(st.key, "policy") == 0) {
		parse_policy(p, &st);
	} else if (st.block) {
		perr(p, st.epos.line, st.epos.col,
		     "unexpected '{' after '%s' (only 'source NAME', 'action NAME', 'service NAME' "
		     "and 'policy' open a block)",
		     st.key);
		skip_block(p);
	} else if (k < 0) {
		unknown_setting(p, &st);
	} else if (!st.val) {
		missing_value(p, &st);
	} else if (check_dup(p, &st, &p->gseen[k]) == 0) {
		set_global(p, (enum gkey)k, &st);
	}
	stmt_free(&st);
}

static void parse_top(struct parser *p)
{
	advance(p);
	while (p->tok.type != T_EOF) {
		switch (p->tok.type) {
		case T_NL:
		case T_SEMI:
			advance(p);
			break;
		case T_RBRACE:
			perr(p, p->tok.line, p->tok.col, "unexpected '}' (no block to close)");
			advance(p);
			break;
		case T_LBRACE:
			perr(p, p->tok.line, p->tok.col,
			     "unexpected '{' (a block starts with 'source NAME')");
			skip_block(p);
			break;
		case T_WORD:
			parse_global(p);
			break;
		default:
			bad_stmt_start(p);
		}
	}
}

/* Fill in what sources inherit, now that every global is known. */
static void resolve(struct parser *p)
{
	struct hwh_config *cfg = p->cfg;

	for (size_t i = 0; i < cfg->nsources; i++) {
		struct cfg_source *s = &cfg->sources[i];

		if (s->interval_ms == 0)
			s->interval_ms = cfg->interval_ms;
		if (s->timeout_ms == 0)
			s->timeout_ms = cfg->timeout_ms;
		if (!s->plugin && !(s->plugin = strdup(s->name))) {
			poom(p);
			return;
		}
	}
	for (size_t i = 0; i < cfg->nactions; i++) {
		struct cfg_source *a = &cfg->actions[i];

		if (a->timeout_ms == 0)
			a->timeout_ms = CFG_DEFAULT_ACTION_TIMEOUT_MS;
		if (!a->plugin && !(a->plugin = strdup(a->name))) {
			poom(p);
			return;
		}
	}
	for (size_t i = 0; i < cfg->nservices; i++) {
		struct cfg_source *sv = &cfg->services[i];

		if (!sv->plugin && !(sv->plugin = strdup(sv->name))) {
			poom(p);
			return;
		}
	}
	cfg->autodetect = cfg->nsources == 0;
}

/* Refuse input that is no text: 0, or -1 with the reason in diag. */
static int check_text(const char *name, const char *text, size_t len, struct cfg_diag *diag)
{
	const char *nul;
	int line = 1, col = 1;

	if (len > CFG_MAX_BYTES) {
		cfg_diag_add(diag, name, 1, 1, "file too large (%zu bytes, at most %d)", len,
			     CFG_MAX_BYTES);
		return -1;
	}
	nul = memchr(text, '\0', len);
	if (!nul)
		return 0;
	for (const char *s = text; s < nul; s++) {
		if (*s == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	cfg_diag_add(diag, name, line, col, "binary data (NUL byte); not a configuration file");
	return -1;
}

int config_parse(const char *name, const char *text, size_t len, struct hwh_config **out,
		 struct cfg_diag *diag)
{
	const char *file = name ? name : "(config)";
	struct parser p = {0};

	*out = NULL;
	if (!text) {
		text = "";
		len = 0;
	}
	if (check_text(file, text, len, diag) < 0)
		return -1;
	lex_init(&p.lx, file, text, len, diag);
	p.cfg = config_new_defaults();
	if (!p.cfg || !(p.cfg->path = strdup(file))) {
		poom(&p);
		config_free(p.cfg);
		return -1;
	}
	parse_top(&p);
	free(p.tok.text);
	if (p.lx.nerr == 0)
		resolve(&p);
	if (p.lx.nerr > 0) {
		config_free(p.cfg);
		return -1;
	}
	*out = p.cfg;
	return 0;
}

/* Read all of f, at most CFG_MAX_BYTES + 1 bytes (so that config_parse
 * sees that it is too large).  0, or -errno. */
static int read_all(FILE *f, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL;

	for (;;) {
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8192;
			char *nb;

			if (ncap > CFG_MAX_BYTES + 1)
				ncap = CFG_MAX_BYTES + 1;
			if (ncap == cap)
				break;
			if (!(nb = realloc(b, ncap))) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
			cap = ncap;
		}
		n += fread(b + n, 1, cap - n, f);
		if (n < cap)
			break;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		return -e;
	}
	*buf = b;
	*len = n;
	return 0;
}

int config_load(const char *path, struct hwh_config **out, struct cfg_diag *diag)
{
	char *buf = NULL, eb[128];
	size_t len = 0;
	FILE *f;
	int r;

	*out = NULL;
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		goto fail;
	}
	r = read_all(f, &buf, &len);
	fclose(f);
	if (r < 0)
		goto fail;
	r = config_parse(path, buf, len, out, diag);
	free(buf);
	return r;
fail:
	if (asprintf(&buf, "cannot read %s: %s", path, strerror_r(-r, eb, sizeof(eb))) >= 0)
		diag_push(diag, buf);
	return -2;
}

/* ---- the configuration object ---- */

struct hwh_config *config_new_defaults(void)
{
	struct hwh_config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->socket_path = strdup(CFG_DEFAULT_SOCKET);
	cfg->state_dir = strdup(CFG_DEFAULT_STATE_DIR);
	cfg->plugin_dir = strdup(CFG_DEFAULT_PLUGIN_DIR);
	cfg->rules_dir = strdup(CFG_DEFAULT_RULES_DIR);
	cfg->local_rules_dir = strdup(CFG_DEFAULT_LOCAL_RULES_DIR);
	cfg->score_yellow = CFG_DEFAULT_SCORE_YELLOW;
	cfg->score_red = CFG_DEFAULT_SCORE_RED;
	cfg->score_critical = CFG_DEFAULT_SCORE_CRITICAL;
	cfg->recover_ms = CFG_DEFAULT_RECOVER_MS;
	cfg->state_interval_ms = CFG_DEFAULT_STATE_INTERVAL_MS;
	if (!cfg->socket_path || !cfg->state_dir || !cfg->plugin_dir || !cfg->rules_dir ||
	    !cfg->local_rules_dir) {
		config_free(cfg);
		return NULL;
	}
	cfg->socket_mode = CFG_DEFAULT_SOCKET_MODE;
	cfg->log_level = HWH_LOG_INFO;
	cfg->interval_ms = CFG_DEFAULT_INTERVAL_MS;
	cfg->timeout_ms = CFG_DEFAULT_TIMEOUT_MS;
	cfg->stale_ms = 0;
	cfg->history = CFG_DEFAULT_HISTORY;
	cfg->autodetect = true;
	config_policy_defaults(&cfg->policy);
	return cfg;
}

int64_t cfg_source_stale_ms(const struct hwh_config *cfg, const struct cfg_source *src)
{
	if (src->stale_ms > 0)
		return src->stale_ms;
	if (cfg->stale_ms > 0)
		return cfg->stale_ms;
	return 3 * src->interval_ms;
}

int config_add_source(struct hwh_config *cfg, const char *plugin)
{
	struct cfg_source *v, src = {
				  .interval_ms = cfg->interval_ms,
				  .timeout_ms = cfg->timeout_ms,
				  .enabled = true,
			      };

	if (!plugin)
		return -EINVAL;
	src.name = strdup(plugin);
	src.plugin = strdup(plugin);
	v = realloc(cfg->sources, (cfg->nsources + 1) * sizeof(*v));
	if (!src.name || !src.plugin || !v) {
		if (v)
			cfg->sources = v;
		source_fini(&src);
		return -ENOMEM;
	}
	cfg->sources = v;
	cfg->sources[cfg->nsources++] = src;
	return 0;
}

void config_free(struct hwh_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nsources; i++)
		source_fini(&cfg->sources[i]);
	free(cfg->sources);
	for (size_t i = 0; i < cfg->nactions; i++)
		source_fini(&cfg->actions[i]);
	free(cfg->actions);
	for (size_t i = 0; i < cfg->nservices; i++)
		source_fini(&cfg->services[i]);
	free(cfg->services);
	free(cfg->policy.file);
	free(cfg->path);
	free(cfg->socket_path);
	free(cfg->socket_group);
	free(cfg->state_dir);
	free(cfg->plugin_dir);
	free(cfg->rules_dir);
	free(cfg->local_rules_dir);
	free(cfg->record_path);
	free(cfg);
}
