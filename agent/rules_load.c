/*
 * rules_load: reading the rules directories into one ruleset, and matching
 * rules against metrics and events.
 *
 * Loading goes in two steps.  First the file list: every "*.rules" of
 * each directory in order, sorted by name; a file whose name was already
 * listed from an earlier directory takes that file's place in the sense
 * that the earlier one is dropped, and it is listed after every file of
 * the earlier directories.  So local files (/etc/hwhealth/rules.d) come
 * after the shipped ones they do not replace, and their rules win the next
 * step.  Then each listed file is parsed and its rules merged: a rule with
 * the name of a rule already loaded replaces it in place (it keeps the
 * old rule's position, so listings stay in a stable order).  A replaced
 * file is never read, so a local copy can also fix a shipped file that
 * does not parse.  Every error of every file is reported; any error fails
 * the whole load (a half-loaded rule set would silently miss rules).
 *
 * Hidden files (".x.rules", editors' lock files) are skipped.  Files are
 * read whole, at most RULES_MAX_BYTES each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "util.h"

#define RULES_MAX_BYTES (16 * 1024 * 1024)
#define RULES_SUFFIX ".rules"

/* One file of the load order. */
struct rfile {
	char *name; /* file name, the key of file overrides */
	char *path; /* dir/name */
	bool live;  /* false: replaced by a file of a later directory */
};

struct flist {
	struct rfile *v;
	size_t n;
};

/* Append a message that has no line (a file or directory that cannot be
 * read), control characters replaced as cfg_diag_add() does. */
__attribute__((format(printf, 2, 3))) static void diag_raw(struct cfg_diag *diag, const char *fmt,
							   ...)
{
	va_list ap;
	char *msg, **v;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	for (char *s = msg; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	v = realloc(diag->msgs, (diag->n + 1) * sizeof(*v));
	if (!v) {
		free(msg);
		return;
	}
	v[diag->n++] = msg;
	diag->msgs = v;
}

static void diag_errno(struct cfg_diag *diag, const char *path, int err)
{
	char eb[128];

	diag_raw(diag, "%s: cannot read: %s", path, strerror_r(err, eb, sizeof(eb)));
}

/* ---- the file list ---- */

static bool is_rules_file(const char *name)
{
	size_t n = strlen(name), k = strlen(RULES_SUFFIX);

	return name[0] != '.' && n > k && strcmp(name + n - k, RULES_SUFFIX) == 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The "*.rules" names of dir, sorted.  0, or -errno (-ENOENT: no such
 * directory). */
static int scan_dir(const char *dir, char ***out, size_t *nout)
{
	DIR *d = opendir(dir);
	char **v = NULL, **nv;
	size_t n = 0;
	int r = 0;

	if (!d)
		return -errno;
	for (;;) {
		struct dirent *e;

		errno = 0;
		if (!(e = readdir(d))) {
			r = -errno;
			break;
		}
		if (!is_rules_file(e->d_name))
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (nv)
			v = nv;
		if (!nv || !(v[n] = strdup(e->d_name))) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		names_free(v, n);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	*out = v;
	*nout = n;
	return 0;
}

/* Append dir/name to the list, dropping an earlier file of that name. */
static int flist_add(struct flist *fl, const char *dir, const char *name)
{
	struct rfile *v, f = {.live = true};

	f.name = strdup(name);
	f.path = path_join(dir, name);
	v = realloc(fl->v, (fl->n + 1) * sizeof(*v));
	if (v)
		fl->v = v;
	if (!f.name || !f.path || !v) {
		free(f.name);
		free(f.path);
		return -ENOMEM;
	}
	for (size_t i = 0; i < fl->n; i++)
		if (fl->v[i].live && strcmp(fl->v[i].name, name) == 0)
			fl->v[i].live = false;
	fl->v[fl->n++] = f;
	return 0;
}

static void flist_free(struct flist *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->v[i].name);
		free(fl->v[i].path);
	}
	free(fl->v);
}

/* Add the files of one directory.  0, or -1 with the reason in diag. */
static int add_dir(struct flist *fl, const char *dir, struct cfg_diag *diag)
{
	char **names = NULL;
	size_t n = 0;
	int r = scan_dir(dir, &names, &n);

	if (r == -ENOENT)
		return 0; /* e.g. no local rules.d: nothing to override */
	if (r < 0) {
		diag_errno(diag, dir, -r);
		return -1;
	}
	for (size_t i = 0; i < n && r == 0; i++)
		r = flist_add(fl, dir, names[i]);
	names_free(names, n);
	if (r < 0)
		diag_raw(diag, "%s: out of memory", dir);
	return r < 0 ? -1 : 0;
}

/* ---- reading and merging ---- */

/* All of the regular file at path into a new buffer.  0, or -errno:
 * -EFBIG when larger than RULES_MAX_BYTES, -EINVAL when not a regular
 * file (a FIFO named "x.rules" must not hang the daemon). */
static int read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL, *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), r = 0;
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	for (;;) {
		ssize_t k;

		if (n == cap) {
			if (cap > RULES_MAX_BYTES) {
				r = -EFBIG;
				break;
			}
			/* one byte more than allowed tells "too large" from "just fits" */
			cap = cap ? 2 * cap : 8192;
			if (cap > RULES_MAX_BYTES + 1)
				cap = RULES_MAX_BYTES + 1;
			if (!(nb = realloc(b, cap))) {
				r = -ENOMEM;
				break;
			}
			b = nb;
		}
		k = read(fd, b + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		n += (size_t)k;
	}
out:
	close(fd);
	if (r < 0) {
		free(b);
		return r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static struct rule **find_rule(struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i]->name, name) == 0)
			return &rs->v[i];
	return NULL;
}

/* Move the rules of from into rs, replacing those of the same name.
 * from is left empty.  0, or -ENOMEM (from keeps what was not moved). */
static int merge(struct ruleset *rs, struct ruleset *from)
{
	for (size_t i = 0; i < from->n; i++) {
		struct rule **old = find_rule(rs, from->v[i]->name), **v;

		if (old) {
			rule_free(*old);
			*old = from->v[i];
		} else {
			v = realloc(rs->v, (rs->n + 1) * sizeof(*v));
			if (!v) {
				memmove(from->v, from->v + i, (from->n - i) * sizeof(*v));
				from->n -= i;
				return -ENOMEM;
			}
			rs->v = v;
			rs->v[rs->n++] = from->v[i];
		}
	}
	free(from->v);
	*from = (struct ruleset){0};
	return 0;
}

/* Parse one file into rs.  0, or -1 with every error in diag. */
static int load_file(struct ruleset *rs, const char *path, struct cfg_diag *diag)
{
	struct ruleset tmp = {0};
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len);

	if (r == -EFBIG || r == -EINVAL) {
		diag_raw(diag, "%s: cannot read: %s", path,
			 r == -EINVAL ? "not a regular file" : "file too large (at most 16 MiB)");
		return -1;
	}
	if (r < 0) {
		diag_errno(diag, path, -r);
		return -1;
	}
	r = rules_parse(path, text, len, &tmp, diag);
	free(text);
	if (r == 0 && merge(rs, &tmp) < 0) {
		diag_raw(diag, "%s: out of memory", path);
		r = -1;
	}
	ruleset_clear(&tmp);
	return r;
}

int rules_load(const char *const *dirs, size_t ndirs, struct ruleset **out, struct cfg_diag *diag)
{
	struct flist fl = {0};
	struct ruleset *rs = calloc(1, sizeof(*rs));
	bool failed = false;

	*out = NULL;
	if (!rs) {
		diag_raw(diag, "rules: out of memory");
		return -1;
	}
	for (size_t i = 0; i < ndirs; i++)
		if (add_dir(&fl, dirs[i], diag) < 0)
			failed = true;
	for (size_t i = 0; i < fl.n; i++)
		if (fl.v[i].live && load_file(rs, fl.v[i].path, diag) < 0)
			failed = true;
	flist_free(&fl);
	if (failed) {
		ruleset_free(rs);
		return -1;
	}
	*out = rs;
	return 0;
}

void ruleset_clear(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->v[i]);
	free(rs->v);
	*rs = (struct ruleset){0};
}

void ruleset_free(struct ruleset *rs)
{
	ruleset_clear(rs);
	free(rs);
}

/* ---- matching ---- */

/* Does s match one of m's values? */
static bool match_one(const struct rule_match *m, const char *s)
{
	for (size_t i = 0; i < m->n; i++) {
		if (m->regex) {
			if (m->re && regexec(&m->re[i], s, 0, NULL, 0) == 0)
				return true;
		} else if (fnmatch(m->values[i], s, 0) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * An event rule sees only events (type set) and a metric rule only
 * metrics (type NULL): a metric rule with just "match source sensors"
 * must not fire on that source's events.  An attribute that is NULL
 * (a metric without a label) fails every pattern on it.
 */
bool rule_matches(const struct rule *r, const char *source, const char *device, const char *name,
		  const char *kind, const char *unit, const char *label, const char *type)
{
	const char *vals[RA_COUNT] = {
	    [RA_SOURCE] = source, [RA_DEVICE] = device, [RA_NAME] = name, [RA_KIND] = kind,
	    [RA_UNIT] = unit,	  [RA_LABEL] = label,	[RA_TYPE] = type,
	};

	if (r->is_event != (type != NULL))
		return false;
	for (size_t i = 0; i < r->nmatches; i++) {
		const struct rule_match *m = &r->matches[i];

		if ((unsigned)m->attr >= RA_COUNT || !vals[m->attr] || !match_one(m, vals[m->attr]))
			return false;
	}
	return true;
}
