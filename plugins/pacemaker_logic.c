/*
 * pacemaker_logic: the pacemaker actuator's options and its small
 * decisions, pure C (no tool is run here): unit-tested in the runner.  See
 * pacemaker_internal.h.
 *
 * To extend: a new option is a row in opt_table[] with its parser.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pacemaker_internal.h"
#include "plugin_util.h"

typedef int (*opt_fn)(const char *value, struct pm_conf *c, char *msg, size_t len);

/* A name handed to a tool as one argv word: printable, no blank, and not
 * starting with '-' (a tool would read it as an option). */
static int check_name(const char *what, const char *value, const char *extra, char *msg, size_t len)
{
	size_t n = strlen(value);

	if (n == 0 || n >= PM_NAME_MAX) {
		snprintf(msg, len, "%s must be 1 to %d characters", what, PM_NAME_MAX - 1);
		return -1;
	}
	if (value[0] == '-') {
		snprintf(msg, len, "%s '%s' starts with '-' (a tool would take it for an option)",
			 what, value);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)value[i];

		if (!isalnum(ch) && strchr(extra, ch) == NULL) {
			snprintf(msg, len,
				 "%s '%s': character '%c' not allowed (letters, digits, %s)", what,
				 value, isprint(ch) ? ch : '?', extra);
			return -1;
		}
	}
	return 0;
}

static int opt_mode(const char *value, struct pm_conf *c, char *msg, size_t len)
{
	if (strcmp(value, "health") == 0)
		c->mode = PM_MODE_HEALTH;
	else if (strcmp(value, "standby") == 0)
		c->mode = PM_MODE_STANDBY;
	else {
		snprintf(msg, len, "mode must be 'health' or 'standby', not '%s'", value);
		return -1;
	}
	return 0;
}

static int opt_node(const char *value, struct pm_conf *c, char *msg, size_t len)
{
	if (check_name("node", value, "._-", msg, len) < 0)
		return -1;
	snprintf(c->node, sizeof c->node, "%s", value);
	return 0;
}

static int opt_attribute(const char *value, struct pm_conf *c, char *msg, size_t len)
{
	if (check_name("attribute", value, "#._:-", msg, len) < 0)
		return -1;
	if (strcmp(value, PM_MARKER_ATTR) == 0 || strcmp(value, "standby") == 0) {
		snprintf(msg, len, "attribute '%s' is reserved (the standby mode uses it)", value);
		return -1;
	}
	snprintf(c->attribute, sizeof c->attribute, "%s", value);
	return 0;
}

static int opt_tools_dir(const char *value, struct pm_conf *c, char *msg, size_t len)
{
	struct stat st;
	size_t n = strlen(value);

	if (value[0] != '/') {
		snprintf(msg, len, "tools-dir must be an absolute path, not '%s'", value);
		return -1;
	}
	if (n >= sizeof c->tools_dir - 32) {
		snprintf(msg, len, "tools-dir is too long (at most %zu characters)",
			 sizeof c->tools_dir - 33);
		return -1;
	}
	if (stat(value, &st) < 0) {
		snprintf(msg, len, "tools-dir %s: %s", value, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "tools-dir %s: not a directory", value);
		return -1;
	}
	while (n > 1 && value[n - 1] == '/')
		n--;
	snprintf(c->tools_dir, sizeof c->tools_dir, "%.*s", (int)n, value);
	return 0;
}

static int opt_fence_action(const char *value, struct pm_conf *c, char *msg, size_t len)
{
	if (strcmp(value, "reboot") == 0)
		c->fence_action = PM_FENCE_REBOOT;
	else if (strcmp(value, "off") == 0)
		c->fence_action = PM_FENCE_OFF;
	else {
		snprintf(msg, len, "fence-action must be 'reboot' or 'off', not '%s'", value);
		return -1;
	}
	return 0;
}

static const struct {
	const char *key;
	opt_fn parse;
} opt_table[] = {
    {"mode", opt_mode},
    {"node", opt_node},
    {"attribute", opt_attribute},
    {"tools-dir", opt_tools_dir},
    {"fence-action", opt_fence_action},
};

static int parse_one(const struct hwh_option *o, struct pm_conf *c, char *msg, size_t len)
{
	for (size_t i = 0; i < sizeof opt_table / sizeof opt_table[0]; i++)
		if (strcmp(o->key, opt_table[i].key) == 0)
			return opt_table[i].parse(o->value ? o->value : "", c, msg, len);
	snprintf(msg, len,
		 "unknown option '%s' (the pacemaker actuator knows mode, node, attribute, "
		 "tools-dir, fence-action)",
		 o->key);
	return -1;
}

int pm_conf_parse(const struct hwh_option *opts, size_t nopts, struct pm_conf *c,
		  struct hwh_config_error *err)
{
	memset(c, 0, sizeof *c);
	c->mode = PM_MODE_HEALTH;
	c->fence_action = PM_FENCE_REBOOT;
	snprintf(c->attribute, sizeof c->attribute, "%s", PM_ATTR_DEFAULT);
	snprintf(c->tools_dir, sizeof c->tools_dir, "%s", PM_TOOLS_DIR_DEFAULT);
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (pu_opt_repeated(opts, i, err->msg, sizeof err->msg) ||
		    parse_one(&opts[i], c, err->msg, sizeof err->msg) < 0)
			return -1;
	}
	err->option = -1;
	return 0;
}

const char *pm_health_value(enum pm_mode mode, int state, int drained)
{
	if (drained)
		return mode == PM_MODE_HEALTH ? "red" : "yellow";
	return state >= HWH_NODE_YELLOW ? "yellow" : "green";
}

int pm_is_true(const char *value)
{
	static const char *const yes[] = {"on", "true", "yes", "y", "1"};

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strcasecmp(value, yes[i]) == 0)
			return 1;
	return 0;
}

enum pm_step pm_drain_step(int standby_on, int marker)
{
	if (!standby_on)
		return PM_STEP_APPLY; /* a marker alone is stale: it is rewritten */
	return marker ? PM_STEP_ALREADY : PM_STEP_FOREIGN;
}

enum pm_step pm_undrain_step(int standby_on, int marker)
{
	if (standby_on)
		return marker ? PM_STEP_APPLY : PM_STEP_FOREIGN;
	return marker ? PM_STEP_STALE_MARK : PM_STEP_OFF;
}
