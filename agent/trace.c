/*
 * trace: read and write recorded traces.  See trace.h for the format and
 * docs/hwhealth-trace.5 for the full description.
 *
 * The reader is built for long traces (a day of a busy node is millions of
 * lines): one line buffer reused for every line (getline(), or a copy of
 * the line for in-memory input), fields split in place with their quotes
 * undone in place, numbers by strtod() straight from the buffer.  Nothing
 * is allocated per line once the buffers have grown to the longest line.
 * The price: a record's strings live only until the next trace_next().
 *
 * Numbers are read and written with the C library in the "C" locale, which
 * the daemon and the CLI never change (no setlocale() call).
 *
 * To add a field: extend parse_metric() or parse_event(), the writer next
 * to it, and the man page; keep the error messages naming what was expected.
 */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "metrics.h"

#define TRACE_BASE_FIELDS 5 /* time,id,kind,unit|severity,value|text */
#define TRACE_MAX_FIELDS (TRACE_BASE_FIELDS + HWH_LIM_COUNT)
#define TRACE_MAX_SEC (INT64_MAX / 1000 - 1) /* so that ms (rounded up) fits */
#define TRACE_VERSION_PREFIX "# hwhealth trace "
#define TRACE_QUOTE_MAX 64 /* bytes of a bad field quoted in a message */

struct trace_reader {
	FILE *f;	 /* NULL when reading from memory */
	const char *mem; /* in-memory input (not owned) */
	size_t memlen, mempos;
	char *name; /* for messages */
	char *line; /* current line, split in place */
	size_t linecap;
	char *ids; /* copy of the id split into source/device/name */
	size_t idscap;
	long lineno;
	int64_t last_ms; /* time of the last good record */
	bool have_last;	 /* a record has been read (times must not go back) */
	bool failed;	 /* a read error ended the input */
};

/* One field of the current line. */
struct field {
	char *s; /* NUL-terminated, quotes undone */
	int col; /* 1-based column where it starts in the line */
};

/* The fields of the current line, and where an error was found. */
struct line {
	struct field f[TRACE_MAX_FIELDS];
	int nf;
	int endcol; /* column just past the last character */
};

/*
 * Opening and closing.
 */

static struct trace_reader *reader_new(const char *name)
{
	struct trace_reader *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->name = strdup(name != NULL ? name : "trace");
	if (r->name == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

struct trace_reader *trace_open(FILE *f, const char *name)
{
	struct trace_reader *r = reader_new(name);

	if (r != NULL)
		r->f = f;
	return r;
}

struct trace_reader *trace_open_mem(const char *text, size_t len, const char *name)
{
	struct trace_reader *r = reader_new(name);

	if (r != NULL) {
		r->mem = text;
		r->memlen = text != NULL ? len : 0;
	}
	return r;
}

void trace_close(struct trace_reader *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->line);
	free(r->ids);
	free(r);
}

/*
 * Lines.
 */

/* Make buf hold at least n bytes.  0 or -ENOMEM. */
static int grow(char **buf, size_t *cap, size_t n)
{
	size_t ncap = *cap ? *cap : 256;
	char *p;

	if (n <= *cap)
		return 0;
	while (ncap < n)
		ncap = ncap > SIZE_MAX / 2 ? n : ncap * 2;
	p = realloc(*buf, ncap);
	if (p == NULL)
		return -ENOMEM;
	*buf = p;
	*cap = ncap;
	return 0;
}

/* The next line of memory input into r->line.  1, 0 at the end, -errno. */
static int mem_line(struct trace_reader *r, size_t *len)
{
	const char *start, *nl;
	size_t n;

	if (r->mempos >= r->memlen)
		return 0; /* before any arithmetic: mem may be NULL */
	start = r->mem + r->mempos;
	nl = memchr(start, '\n', r->memlen - r->mempos);
	n = nl != NULL ? (size_t)(nl - start) + 1 : r->memlen - r->mempos;
	if (grow(&r->line, &r->linecap, n + 1) != 0)
		return -ENOMEM;
	memcpy(r->line, start, n);
	r->line[n] = '\0';
	r->mempos += n;
	*len = n;
	return 1;
}

/* The next line, without its line end, into r->line.  1, 0 at the end, -errno. */
static int next_line(struct trace_reader *r, size_t *len)
{
	int rc;

	if (r->f != NULL) {
		ssize_t n;

		errno = 0;
		n = getline(&r->line, &r->linecap, r->f);
		if (n < 0) {
			/* getline() fails for ENOMEM without setting the error
			 * indicator: only a clean end of file is the end. */
			if (ferror(r->f) || errno != 0)
				return errno != 0 ? -errno : -EIO;
			return 0;
		}
		*len = (size_t)n;
		rc = 1;
	} else {
		rc = mem_line(r, len);
		if (rc <= 0)
			return rc;
	}
	r->lineno++;
	if (*len > 0 && r->line[*len - 1] == '\n')
		r->line[--*len] = '\0';
	if (*len > 0 && r->line[*len - 1] == '\r') /* CRLF from a Windows editor */
		r->line[--*len] = '\0';
	return rc;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/*
 * Errors.
 */

static int fail(const struct trace_reader *r, char *err, size_t errlen, int col, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));

/* Write "name:line:col: message" into err.  Returns -1. */
static int fail(const struct trace_reader *r, char *err, size_t errlen, int col, const char *fmt,
		...)
{
	va_list ap;
	int n;

	if (errlen == 0)
		return -1;
	n = snprintf(err, errlen, "%s:%ld:%d: ", r->name, r->lineno, col);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* "seconds.mmm" of ms into buf. */
static void fmt_ms(char *buf, size_t n, int64_t ms)
{
	snprintf(buf, n, "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
}

/*
 * Splitting.  Quoted fields are unquoted in place: the text only ever
 * moves left, so it never overwrites what is still to be read.
 */

/* Split a quoted field at *pp (on its opening quote).  0, or -1 with *msg. */
static int split_quoted(char **pp, const char *end, const char **msg)
{
	char *p = *pp + 1, *w = *pp;

	for (;;) {
		if (p == end) {
			*msg = "unterminated quoted field (expected a closing '\"')";
			return -1;
		}
		if (*p == '"') {
			if (p + 1 < end && p[1] == '"') {
				*w++ = '"';
				p += 2;
				continue;
			}
			p++;
			break;
		}
		*w++ = *p++;
	}
	*w = '\0';
	if (p != end && *p != ',') {
		*pp = p;
		*msg = "expected ',' after the closing quote";
		return -1;
	}
	*pp = p;
	return 0;
}

/* Split an unquoted field at *pp.  0, or -1 with *msg. */
static int split_plain(char **pp, const char *end, const char **msg)
{
	char *p = *pp;

	while (p != end && *p != ',') {
		if (*p == '"') {
			*pp = p;
			*msg = "'\"' inside an unquoted field (expected the whole field quoted, "
			       "with \"\" for a quote)";
			return -1;
		}
		p++;
	}
	*p = '\0'; /* the comma, or the NUL already at the end */
	*pp = p;
	return 0;
}

/* Split r->line (len bytes) into ln.  0, or -1 with err. */
static int split(const struct trace_reader *r, size_t len, struct line *ln, char *err,
		 size_t errlen)
{
	char *line = r->line, *p = line, *end = line + len;
	const char *msg = NULL;

	ln->nf = 0;
	ln->endcol = (int)len + 1;
	for (;;) {
		char *start = p;
		int rc;

		if (ln->nf == TRACE_MAX_FIELDS)
			return fail(r, err, errlen, (int)(p - line) + 1,
				    "too many fields (expected at most %d limits)", HWH_LIM_COUNT);
		rc = *p == '"' ? split_quoted(&p, end, &msg) : split_plain(&p, end, &msg);
		if (rc != 0)
			return fail(r, err, errlen, (int)(p - line) + 1, "%s", msg);
		ln->f[ln->nf].s = start;
		ln->f[ln->nf].col = (int)(start - line) + 1;
		ln->nf++;
		if (p == end)
			return 0;
		p++; /* past the comma (already overwritten by split_plain) */
	}
}

/*
 * Field parsers.
 */

/*
 * Seconds with optional decimals into ms, rounding half away from zero
 * beyond the third decimal.  Integer arithmetic: a double has only ~0.2 us
 * of resolution at today's epoch seconds, and we want exact milliseconds.
 * 0, -1 malformed, -2 negative, -3 out of range.
 */
static int parse_time(const char *s, int64_t *ms)
{
	int64_t sec = 0, frac = 0;
	int nfrac = 0;

	if (*s == '-')
		return s[1] >= '0' && s[1] <= '9' ? -2 : -1;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (sec > (TRACE_MAX_SEC - (*s - '0')) / 10)
			return -3;
		sec = sec * 10 + (*s - '0');
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++, nfrac++) {
			if (nfrac < 3)
				frac = frac * 10 + (*s - '0');
			else if (nfrac == 3 && *s >= '5')
				frac++; /* half away from zero: times are never negative */
		}
		for (; nfrac < 3; nfrac++)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	*ms = sec * 1000 + frac;
	return 0;
}

/* A whole field as a number ("nan" in any case is NAN).  0 or -1. */
static int parse_num(const char *s, double *v)
{
	char *e;

	/* strtod() would skip leading blanks; a field is exactly its bytes. */
	if (*s == '\0' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\v' || *s == '\f' ||
	    *s == '\r')
		return -1;
	if (strcasecmp(s, "nan") == 0) {
		*v = NAN;
		return 0;
	}
	errno = 0;
	*v = strtod(s, &e);
	if (*e != '\0')
		return -1;
	if (errno == ERANGE && isinf(*v))
		return -1; /* overflow; underflow to a denormal or 0 is fine */
	return 0;
}

int trace_kind_parse(const char *s)
{
	for (int k = 0; k < HWH_KIND_COUNT; k++)
		if (strcmp(s, kind_name((enum hwh_kind)k)) == 0)
			return k;
	return -1;
}

static int limit_parse(const char *s)
{
	for (int l = 0; l < HWH_LIM_COUNT; l++)
		if (strcmp(s, limit_name((enum hwh_limit)l)) == 0)
			return l;
	return -1;
}

static int severity_parse(const char *s)
{
	for (int v = 0; v < HWH_SEV_COUNT; v++)
		if (strcmp(s, severity_name((enum hwh_severity)v)) == 0)
			return v;
	return -1;
}

/* "temperature, fan, ..., state, other or event", from kind_name() so it
 * cannot drift from the table the writer uses. */
static void kind_list(char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int k = 1; k <= HWH_KIND_COUNT && off < n; k++) {
		const char *name = kind_name((enum hwh_kind)(k % HWH_KIND_COUNT)); /* other last */
		int w = snprintf(buf + off, n - off, "%s%s", k > 1 ? ", " : "", name);

		if (w < 0)
			return;
		off += (size_t)w;
	}
	if (off < n)
		snprintf(buf + off, n - off, " or event");
}

/* Time field, checked against the previous record. */
static int parse_time_field(struct trace_reader *r, const struct field *f, int64_t *ms, char *err,
			    size_t errlen)
{
	char a[32], b[32];

	switch (parse_time(f->s, ms)) {
	case 0:
		break;
	case -2:
		return fail(r, err, errlen, f->col,
			    "bad time \"%.*s\" (negative; expected seconds since the epoch)",
			    TRACE_QUOTE_MAX, f->s);
	case -3:
		return fail(r, err, errlen, f->col,
			    "bad time \"%.*s\" (out of range; expected seconds since the epoch)",
			    TRACE_QUOTE_MAX, f->s);
	default:
		return fail(r, err, errlen, f->col,
			    "bad time \"%.*s\" (expected seconds since the epoch, e.g. "
			    "1763700000.250)",
			    TRACE_QUOTE_MAX, f->s);
	}
	if (r->have_last && *ms < r->last_ms) {
		fmt_ms(a, sizeof a, *ms);
		fmt_ms(b, sizeof b, r->last_ms);
		return fail(r, err, errlen, f->col,
			    "time goes backwards (%s after %s; expected times in order)", a, b);
	}
	return 0;
}

/* Id field: keep it intact in rec->id, split a copy at its first two '/'. */
static int parse_id(struct trace_reader *r, const struct field *f, struct trace_rec *rec, char *err,
		    size_t errlen)
{
	size_t n = strlen(f->s);
	char *s1, *s2;

	if (n == 0)
		return fail(r, err, errlen, f->col, "empty id (expected source/device/name)");
	s1 = strchr(f->s, '/');
	s2 = s1 != NULL ? strchr(s1 + 1, '/') : NULL;
	if (s1 == NULL || s2 == NULL || s1 == f->s || s2 == s1 + 1 || s2[1] == '\0')
		return fail(r, err, errlen, f->col,
			    "bad id \"%.*s\" (expected source/device/name, no part empty)",
			    TRACE_QUOTE_MAX, f->s);
	if (grow(&r->ids, &r->idscap, n + 1) != 0)
		return fail(r, err, errlen, f->col, "out of memory");
	memcpy(r->ids, f->s, n + 1);
	r->ids[s1 - f->s] = '\0';
	r->ids[s2 - f->s] = '\0';
	rec->id = f->s;
	rec->source = r->ids;
	rec->device = r->ids + (s1 - f->s) + 1;
	rec->name = r->ids + (s2 - f->s) + 1;
	return 0;
}

/* Fields 4.. of a metric line. */
static int parse_metric(struct trace_reader *r, const struct line *ln, struct trace_rec *rec,
			char *err, size_t errlen)
{
	const struct field *v = &ln->f[4];
	unsigned seen = 0; /* bit l: limit l was given */

	rec->unit = ln->f[3].s;
	if (v->s[0] == '\0')
		rec->value = NAN;
	else if (parse_num(v->s, &rec->value) != 0)
		return fail(
		    r, err, errlen, v->col,
		    "bad number \"%.*s\" (expected a number, or empty or nan if unreadable)",
		    TRACE_QUOTE_MAX, v->s);
	for (int i = TRACE_BASE_FIELDS; i < ln->nf; i++) {
		const struct field *f = &ln->f[i];
		char *eq = strchr(f->s, '=');
		int l;

		if (eq == NULL)
			return fail(r, err, errlen, f->col,
				    "bad limit \"%.*s\" (expected LIMIT=NUMBER)", TRACE_QUOTE_MAX,
				    f->s);
		*eq = '\0';
		l = limit_parse(f->s);
		if (l < 0)
			return fail(
			    r, err, errlen, f->col,
			    "unknown limit name \"%.*s\" (expected lemerg, lcrit, min, max, "
			    "crit or emerg)",
			    TRACE_QUOTE_MAX, f->s);
		if (seen & 1u << l)
			return fail(r, err, errlen, f->col, "limit %s given twice", f->s);
		seen |= 1u << l;
		if (parse_num(eq + 1, &rec->limit[l]) != 0)
			return fail(r, err, errlen, f->col + (int)(eq + 1 - f->s),
				    "bad number \"%.*s\" for limit %s (expected a number)",
				    TRACE_QUOTE_MAX, eq + 1, f->s);
	}
	return 0;
}

/* Fields 4 and 5 of an event line. */
static int parse_event(struct trace_reader *r, const struct line *ln, struct trace_rec *rec,
		       char *err, size_t errlen)
{
	const struct field *f = &ln->f[3];
	int sev;

	if (ln->nf > TRACE_BASE_FIELDS)
		return fail(r, err, errlen, ln->f[TRACE_BASE_FIELDS].col,
			    "too many fields for an event (expected time,id,event,severity,text; "
			    "quote a text holding ',')");
	sev = severity_parse(f->s);
	if (sev < 0)
		return fail(r, err, errlen, f->col,
			    "unknown severity \"%.*s\" (expected info, warning or critical)",
			    TRACE_QUOTE_MAX, f->s);
	rec->severity = (enum hwh_severity)sev;
	rec->text = ln->f[4].s;
	return 0;
}

/* Parse one split line into rec.  0, or -1 with err. */
static int parse_line(struct trace_reader *r, struct line *ln, struct trace_rec *rec, char *err,
		      size_t errlen)
{
	char kinds[160];
	int64_t ms = 0;
	int kind;

	if (parse_time_field(r, &ln->f[0], &ms, err, errlen) != 0)
		return -1;
	rec->t_ms = ms;
	if (ln->nf < 2)
		return fail(r, err, errlen, ln->endcol,
			    "too few fields (expected time,id,kind,unit,value)");
	if (parse_id(r, &ln->f[1], rec, err, errlen) != 0)
		return -1;
	if (ln->nf < 3)
		return fail(r, err, errlen, ln->endcol,
			    "too few fields (expected time,id,kind,unit,value)");
	rec->is_event = strcmp(ln->f[2].s, "event") == 0;
	if (!rec->is_event) {
		kind = trace_kind_parse(ln->f[2].s);
		if (kind < 0) {
			kind_list(kinds, sizeof kinds);
			return fail(r, err, errlen, ln->f[2].col,
				    "unknown kind \"%.*s\" (expected %s)", TRACE_QUOTE_MAX,
				    ln->f[2].s, kinds);
		}
		rec->kind = (enum hwh_kind)kind;
	}
	if (ln->nf < TRACE_BASE_FIELDS)
		return fail(r, err, errlen, ln->endcol, "too few fields (expected %s)",
			    rec->is_event ? "time,id,event,severity,text"
					  : "time,id,kind,unit,value");
	return rec->is_event ? parse_event(r, ln, rec, err, errlen)
			     : parse_metric(r, ln, rec, err, errlen);
}

/* A '#' line: a comment, unless it is a version line of another version. */
static int check_comment(const struct trace_reader *r, char *err, size_t errlen)
{
	const size_t plen = sizeof TRACE_VERSION_PREFIX - 1;
	const char *ours = &TRACE_HEADER[plen]; /* our version: "1" */
	const char *v;

	if (strncmp(r->line, TRACE_VERSION_PREFIX, plen) != 0)
		return 0;
	v = r->line + plen;
	if (strcmp(v, ours) == 0)
		return 0;
	return fail(r, err, errlen, (int)plen + 1,
		    "unsupported trace version \"%.*s\" (expected %s)", TRACE_QUOTE_MAX, v, ours);
}

static void rec_reset(struct trace_rec *rec)
{
	rec->t_ms = 0;
	rec->id = rec->source = rec->device = rec->name = "";
	rec->is_event = false;
	rec->kind = HWH_KIND_OTHER;
	rec->unit = "";
	rec->value = NAN;
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		rec->limit[i] = NAN;
	rec->severity = HWH_SEV_INFO;
	rec->text = "";
}

int trace_next(struct trace_reader *r, struct trace_rec *rec, char *err, size_t errlen)
{
	struct line ln;
	size_t len = 0;
	int rc;

	if (r->failed)
		return 0;
	for (;;) {
		rc = next_line(r, &len);
		if (rc == 0)
			return 0;
		if (rc < 0) {
			r->failed = true; /* retrying would fail again, or loop */
			return fail(r, err, errlen, 1, "read error: %s", strerror(-rc));
		}
		if (memchr(r->line, '\0', len) != NULL)
			return fail(r, err, errlen, (int)strlen(r->line) + 1,
				    "NUL byte in the line (expected text)");
		if (len == 0 || is_blank(r->line))
			continue;
		if (r->line[0] == '#') {
			if (check_comment(r, err, errlen) != 0)
				return -1;
			continue;
		}
		if (split(r, len, &ln, err, errlen) != 0)
			return -1;
		/* The column line written without its '#', as trace.h shows it. */
		if (!r->have_last && strcmp(ln.f[0].s, "time") == 0)
			continue;
		rec_reset(rec);
		if (parse_line(r, &ln, rec, err, errlen) != 0)
			return -1;
		r->last_ms = rec->t_ms;
		r->have_last = true;
		return 1;
	}
}

/*
 * Writer.
 */

/* Does s need quotes: a ',' or '"', or a blank at either end (which a
 * reader trimming fields would lose)? */
static bool needs_quotes(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return false;
	/* \r and \n count as blanks: put_field() writes them as spaces. */
	if (strchr(" \t\r\n", s[0]) != NULL || strchr(" \t\r\n", s[n - 1]) != NULL)
		return true;
	return strpbrk(s, ",\"") != NULL;
}

/* Write one field: quoted if needed; a line break becomes a space, as a
 * trace holds one record per line.  0 or -1. */
static int put_field(FILE *f, const char *s)
{
	bool q;

	if (s == NULL)
		s = "";
	q = needs_quotes(s);
	if (!q && strpbrk(s, "\r\n") == NULL)
		return fputs(s, f) < 0 ? -1 : 0;
	if (q && putc('"', f) == EOF)
		return -1;
	for (; *s; s++) {
		char c = *s == '\n' || *s == '\r' ? ' ' : *s;

		if (c == '"' && putc('"', f) == EOF)
			return -1;
		if (putc(c, f) == EOF)
			return -1;
	}
	if (q && putc('"', f) == EOF)
		return -1;
	return 0;
}

/* The shortest of %.15g / %.17g that reads back as v exactly. */
static void fmt_double(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, n, "%.17g", v);
}

/* "time,id," — 0 or -1 (errno EINVAL for a negative time). */
static int put_head(FILE *f, int64_t t_ms, const char *id)
{
	char t[32];

	if (t_ms < 0) {
		errno = EINVAL; /* the reader refuses negative times */
		return -1;
	}
	fmt_ms(t, sizeof t, t_ms);
	if (fputs(t, f) < 0 || putc(',', f) == EOF || put_field(f, id) != 0 || putc(',', f) == EOF)
		return -1;
	return 0;
}

int trace_write_header(FILE *f)
{
	if (fprintf(f, "%s\n# time,id,kind,unit,value[,limit=number...]\n", TRACE_HEADER) < 0)
		return -1;
	return 0;
}

int trace_write_sample(FILE *f, int64_t t_wall_ms, const char *id, enum hwh_kind kind,
		       const char *unit, double value, const double limit[HWH_LIM_COUNT])
{
	char num[40];

	if (put_head(f, t_wall_ms, id) != 0 || put_field(f, kind_name(kind)) != 0 ||
	    putc(',', f) == EOF || put_field(f, unit) != 0 || putc(',', f) == EOF)
		return -1;
	if (!isnan(value)) {
		fmt_double(num, sizeof num, value);
		if (fputs(num, f) < 0)
			return -1;
	}
	for (int i = 0; limit != NULL && i < HWH_LIM_COUNT; i++) {
		if (isnan(limit[i]))
			continue;
		fmt_double(num, sizeof num, limit[i]);
		if (fprintf(f, ",%s=%s", limit_name((enum hwh_limit)i), num) < 0)
			return -1;
	}
	return putc('\n', f) == EOF ? -1 : 0;
}

int trace_write_event(FILE *f, int64_t t_wall_ms, const char *id, enum hwh_severity sev,
		      const char *text)
{
	if ((unsigned)sev >= HWH_SEV_COUNT) {
		errno = EINVAL; /* would be written as "?", which no reader takes */
		return -1;
	}
	if (put_head(f, t_wall_ms, id) != 0 || fputs("event,", f) < 0 ||
	    put_field(f, severity_name(sev)) != 0 || putc(',', f) == EOF ||
	    put_field(f, text) != 0 || putc('\n', f) == EOF)
		return -1;
	return 0;
}
