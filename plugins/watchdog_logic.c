/*
 * watchdog_logic: the watchdog plugin's pure parts (see
 * watchdog_internal.h): its options, the words for the boot status bits,
 * and the decision whether to pet.  No I/O here, so the unit tests
 * (tests/unit/check_watchdog.c) drive every branch with tables.
 *
 * To add an option: a row in opt_table[] with its setter.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin_util.h"
#include "watchdog_internal.h"

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"
#define GRACE_MAX_MS (24 * 3600 * 1000LL) /* a day: longer is no grace but a typo */

/* ---- options -------------------------------------------------------------- */

/* One option's setter: 0, or -1 with msg set. */
typedef int (*opt_fn)(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len);

/* An absolute path, copied into *dst. */
static int set_path(char **dst, const char *key, const char *val, char *msg, size_t len)
{
	if (val[0] != '/') {
		snprintf(msg, len, "%s: expected an absolute path, got '%s'", key, val);
		return -1;
	}
	free(*dst);
	if ((*dst = strdup(val)) == NULL) {
		snprintf(msg, len, "out of memory");
		return -1;
	}
	return 0;
}

static int opt_device(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	return set_path(&c->device, key, val, msg, len);
}

/* Not hardware, so config() may look: an existing directory. */
static int opt_sysfs(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	struct stat st;

	if (set_path(&c->sysfs, key, val, msg, len) < 0)
		return -1;
	if (stat(val, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(msg, len,
			 "%s: '%s' is not a directory (expected the device's sysfs "
			 "directory, such as /sys/class/watchdog/watchdog0)",
			 key, val);
		return -1;
	}
	return 0;
}

/* WDIOC_SETTIMEOUT takes whole seconds.  Not "timeout": a source block's
 * timeout is the core's poll timeout and never reaches the plugin; the
 * name is the watchdog daemon's (watchdog.conf(5) watchdog-timeout). */
static int opt_timeout(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms % 1000 != 0 || ms < 1000 ||
	    ms > WD_TIMEOUT_MAX_SEC * 1000ull) {
		snprintf(msg, len, "%s: expected whole seconds from 1s to 1h (e.g. 60s), got '%s'",
			 key, val);
		return -1;
	}
	c->timeout_sec = (unsigned)(ms / 1000);
	return 0;
}

static int opt_grace(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms > (uint64_t)GRACE_MAX_MS) {
		snprintf(msg, len, "%s: expected a duration up to 24h (e.g. 2m), got '%s'", key,
			 val);
		return -1;
	}
	c->grace_ms = (int64_t)ms;
	return 0;
}

static int opt_loop_age(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	uint64_t ms;

	if (pu_parse_duration_ms(val, &ms) < 0 || ms < WD_LOOP_AGE_MIN_MS ||
	    ms > WD_TIMEOUT_MAX_SEC * 1000ull) {
		snprintf(msg, len,
			 "%s: expected a duration from 1500ms to 1h (the daemon's main loop "
			 "goes round once a second), got '%s'",
			 key, val);
		return -1;
	}
	c->max_loop_age_ms = (int64_t)ms;
	c->max_loop_age_given = 1;
	return 0;
}

static int opt_self_fence(struct wd_conf *c, const char *key, const char *val, char *msg,
			  size_t len)
{
	if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
		snprintf(msg, len, "%s: expected yes or no, got '%s'", key, val);
		return -1;
	}
	c->self_fence = val[0] == 'y';
	return 0;
}

/* One name of a require list. */
static int add_require(struct wd_conf *c, const char *key, const char *name, size_t n, char *msg,
		       size_t len)
{
	if (n == 0 || n >= WD_NAME_MAX || name[0] == '.' || name[0] == '-' ||
	    strspn(name, NAME_CHARS) < n) {
		snprintf(msg, len, "%s: '%.*s' is not a source name", key, (int)n, name);
		return -1;
	}
	for (size_t i = 0; i < c->nrequire; i++)
		if (strlen(c->require[i]) == n && strncmp(c->require[i], name, n) == 0) {
			snprintf(msg, len, "%s: source '%.*s' listed twice", key, (int)n, name);
			return -1;
		}
	if (c->nrequire == WD_REQUIRE_MAX) {
		snprintf(msg, len, "%s: more than %d sources", key, WD_REQUIRE_MAX);
		return -1;
	}
	memcpy(c->require[c->nrequire], name, n);
	c->require[c->nrequire++][n] = '\0';
	return 0;
}

/* "require ipmi", "require \"ipmi edac\"", "require ipmi,edac": names
 * separated by blanks or commas; the option may be repeated. */
static int opt_require(struct wd_conf *c, const char *key, const char *val, char *msg, size_t len)
{
	static const char sep[] = " \t,";
	const char *p = val + strspn(val, sep);
	size_t before = c->nrequire, n;

	for (; *p != '\0'; p += n, p += strspn(p, sep)) {
		n = strcspn(p, sep);
		if (add_require(c, key, p, n, msg, len) < 0)
			return -1;
	}
	if (c->nrequire == before) {
		snprintf(msg, len, "%s: expected one or more source names", key);
		return -1;
	}
	return 0;
}

static const struct {
	const char *key;
	opt_fn set;
	int repeatable;
} opt_table[] = {
    {"device", opt_device, 0},	       {"watchdog-timeout", opt_timeout, 0},
    {"sysfs", opt_sysfs, 0},	       {"require", opt_require, 1},
    {"require-grace", opt_grace, 0},   {"max-loop-age", opt_loop_age, 0},
    {"self-fence", opt_self_fence, 0},
};
#define N_OPTS (sizeof opt_table / sizeof opt_table[0])

static void expected_keys(char *msg, size_t len, const char *key)
{
	size_t off = (size_t)snprintf(msg, len,
				      "unknown option '%s' for plugin watchdog "
				      "(expected one of: ",
				      key);

	for (size_t i = 0; i < N_OPTS && off < len; i++)
		off +=
		    (size_t)snprintf(msg + off, len - off, "%s%s", i ? ", " : "", opt_table[i].key);
	if (off < len)
		snprintf(msg + off, len - off, ")");
}

/* Apply opts[i].  0, or -1 with msg set. */
static int opt_apply(struct wd_conf *c, const struct hwh_option *opts, size_t i, char *msg,
		     size_t len)
{
	const struct hwh_option *o = &opts[i];

	for (size_t k = 0; k < N_OPTS; k++) {
		if (strcmp(o->key, opt_table[k].key) != 0)
			continue;
		if (!opt_table[k].repeatable && pu_opt_repeated(opts, i, msg, len))
			return -1;
		if (o->value == NULL || o->value[0] == '\0') {
			snprintf(msg, len, "option '%s' needs a value", o->key);
			return -1;
		}
		return opt_table[k].set(c, o->key, o->value, msg, len);
	}
	expected_keys(msg, len, o->key);
	return -1;
}

int wd_conf_parse(const struct hwh_option *opts, size_t nopts, struct wd_conf *c,
		  struct hwh_config_error *err)
{
	err->option = -1;
	c->timeout_sec = WD_TIMEOUT_DEFAULT_SEC;
	c->grace_ms = WD_GRACE_DEFAULT_MS;
	c->max_loop_age_ms = 0; /* resolved below */
	if ((c->device = strdup(WD_DEVICE_DEFAULT)) == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (opt_apply(c, opts, i, err->msg, sizeof err->msg) < 0)
			return -1;
	}
	err->option = -1;
	if (!c->max_loop_age_given)
		c->max_loop_age_ms = wd_loop_age_default(c->timeout_sec);
	return 0;
}

int64_t wd_loop_age_default(unsigned timeout_sec)
{
	int64_t ms = (int64_t)timeout_sec * 1000 / 2;

	return ms < WD_LOOP_AGE_MIN_MS ? WD_LOOP_AGE_MIN_MS : ms;
}

void wd_conf_free(struct wd_conf *c)
{
	free(c->device);
	free(c->sysfs);
	c->device = c->sysfs = NULL;
}

/* ---- words ---------------------------------------------------------------- */

const char *wd_bootstatus_text(unsigned flags, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *word;
	} bits[] = {
	    {WDIOF_OVERHEAT, "overheat"},      {WDIOF_FANFAULT, "fan-fault"},
	    {WDIOF_EXTERN1, "extern1"},	       {WDIOF_EXTERN2, "extern2"},
	    {WDIOF_POWERUNDER, "power-under"}, {WDIOF_CARDRESET, "card-reset"},
	    {WDIOF_POWEROVER, "power-over"},
	};
	unsigned rest = flags;
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof bits / sizeof bits[0] && off < len; i++) {
		if (!(flags & bits[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", bits[i].word);
		rest &= ~bits[i].bit;
	}
	if (rest != 0 && off < len)
		snprintf(buf + off, len - off, "%sother(0x%x)", off ? "," : "", rest);
	else if (flags == 0)
		snprintf(buf, len, "none");
	return buf;
}

const char *wd_fmt_ms(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms / 1000;

	if (ms < 0)
		ms = 0, s = 0;
	if (ms < 1000)
		snprintf(buf, len, "%" PRId64 "ms", ms);
	else if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		snprintf(buf, len, s % 60 ? "%" PRId64 "m%" PRId64 "s" : "%" PRId64 "m", s / 60,
			 s % 60);
	else
		snprintf(buf, len, (s % 3600) / 60 ? "%" PRId64 "h%" PRId64 "m" : "%" PRId64 "h",
			 s / 3600, (s % 3600) / 60);
	return buf;
}

/* ---- the decision --------------------------------------------------------- */

static int stop(struct wd_why *why, enum wd_cause cause, size_t req)
{
	why->cause = cause;
	why->req = req;
	return 0;
}

int wd_should_pet(const struct wd_inputs *in, struct wd_why *why)
{
	char a[32], b[32];

	if (in->fencing) {
		snprintf(why->text, sizeof why->text, "self-fence: %s",
			 in->fence_reason && in->fence_reason[0] ? in->fence_reason
								 : "no reason given");
		return stop(why, WD_CAUSE_FENCE, 0);
	}
	if (in->have_health && in->loop_age_ms > in->max_loop_age_ms) {
		snprintf(why->text, sizeof why->text,
			 "main loop stuck: last went round %s ago (max-loop-age %s)",
			 wd_fmt_ms(in->loop_age_ms, a, sizeof a),
			 wd_fmt_ms(in->max_loop_age_ms, b, sizeof b));
		return stop(why, WD_CAUSE_LOOP, 0);
	}
	for (size_t i = 0; i < in->nreq; i++) {
		const struct wd_req *r = &in->req[i];

		if (r->up == 1 || r->down_ms < in->grace_ms)
			continue;
		snprintf(why->text, sizeof why->text,
			 "required source %s %s for %s (require-grace %s)", r->name,
			 r->up == 0 ? "down" : "missing", wd_fmt_ms(r->down_ms, a, sizeof a),
			 wd_fmt_ms(in->grace_ms, b, sizeof b));
		return stop(why, WD_CAUSE_REQUIRE, i);
	}
	why->cause = WD_CAUSE_NONE;
	why->req = 0;
	snprintf(why->text, sizeof why->text, "ok");
	return 1;
}
