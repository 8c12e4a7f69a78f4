/*
 * hwhealth: the command-line client of hwhealthd.
 *
 * Parses the command line, sends one request over the control socket
 * (client.c), and prints the answer as text (cli_format.c) or, with --json,
 * as the daemon's "result" object.  Options may come before or after the
 * command: getopt_long runs in RETURN_IN_ORDER mode ("-" optstring), which
 * hands over positional arguments one by one regardless of POSIXLY_CORRECT;
 * "--" ends the options, for a FILTER that starts with '-'.
 *
 * Exit codes follow the Nagios/Icinga plugin convention so that
 * "hwhealth status" is a check as it stands: 0 green, 1 yellow, 2 red or
 * critical, 3 unknown.  Every failure of "status" and "explain" (daemon not
 * running, no answer, a refusal, a usage error) is 3; "replay" returns what
 * replay_run() does (0, 1 malformed trace lines, 2 could not run, usage
 * errors included); "check" (cli_actions.c) 0 healthy enough, 1 not, 2 a
 * usage error, 3 no state; other commands fail with 1.
 *
 * The policy commands (actions, silence, drain, check...) are in
 * cli_actions.c; what both files share is in cli.h.
 *
 * "replay" runs the rules engine in this process (replay.h), so the CLI
 * links the core library; it never talks to the daemon.
 *
 * To add a command: write a cmd_NAME() and add it to commands[] and the
 * usage text.  An option of some commands only gets a value in enum cmd_opt
 * (cli.h), a case in parse_cmd_opt() (cli_actions_opt() for cli_actions.c's
 * commands) and its commands in cmd_opts[].
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_format.h"
#include "client.h"
#include "config.h"
#include "replay.h"
#include "util.h"

/* Upper bound of --timeout, so seconds * 1000 fits an int with room. */
#define TIMEOUT_MAX_SEC 86400
/* Upper bound of the --score-* options, as in hwhealth.conf. */
#define SCORE_MAX 1e9
/* Default of history --since. */
#define HISTORY_SINCE_DEFAULT_MS (3600 * 1000LL)
/* replay's exit code when it cannot run (replay.h), usage errors included. */
#define REPLAY_EXIT_FAILED 2

struct command {
	const char *name;
	size_t min_args;		      /* positional arguments it needs ... */
	size_t max_args;		      /* ... and takes */
	const char *arg_name;		      /* the first one, for messages */
	int (*run)(const struct cli_opts *o); /* returns the exit code */
};

/* Each command option's name and the commands it belongs to, one space apart. */
static const struct {
	const char *name;
	const char *cmds;
} cmd_opts[OPT_END - OPT_SINCE] = {
    [OPT_SINCE - OPT_SINCE] = {"since", "history"},
    [OPT_RULES - OPT_SINCE] = {"rules", "replay"},
    [OPT_QUIET - OPT_SINCE] = {"quiet", "replay"},
    [OPT_RECOVER - OPT_SINCE] = {"recover-after", "replay"},
    [OPT_SCORE_YELLOW - OPT_SINCE] = {"score-yellow", "replay"},
    [OPT_SCORE_RED - OPT_SINCE] = {"score-red", "replay"},
    [OPT_SCORE_CRIT - OPT_SINCE] = {"score-critical", "replay"},
    [OPT_HISTORY - OPT_SINCE] = {"history", "replay"},
    [OPT_REASON - OPT_SINCE] = {"reason", "self-fence silence drain undrain fence"},
    [OPT_LIMIT - OPT_SINCE] = {"limit", "actions"},
    [OPT_VERBOSE - OPT_SINCE] = {"verbose", "actions"},
    [OPT_FOR - OPT_SINCE] = {"for", "silence"},
    [OPT_FORCE - OPT_SINCE] = {"force", "drain"},
    [OPT_FAIL_ON - OPT_SINCE] = {"fail-on", "check"},
};

static const char usage_text[] =
    "usage: hwhealth [--socket PATH] [--json] [--timeout SEC] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  status            node state and each source; exit 0 green, 1 yellow,\n"
    "                    2 red or critical, 3 unknown (a Nagios/Icinga check)\n"
    "  explain           why the node is in its state: score, findings with\n"
    "                    their evidence, liveness; exit codes as for status\n"
    "  sensors [FILTER]  every metric, or those whose id or label contains FILTER\n"
    "  events            recent hardware events (SEL records, resets...)\n"
    "  smart [DEVICE]    the drives the smart source reads; with DEVICE\n"
    "                    (sda, /dev/nvme0), its attributes and their change\n"
    "                    over the last hour and day, and its findings\n"
    "  rules [NAME]      the loaded rules; with NAME, that rule and every\n"
    "                    metric or event stream it watches\n"
    "  history METRIC    a metric's values over the last hour (--since)\n"
    "  replay TRACE      run the rules over a recorded trace (\"-\": standard\n"
    "                    input) in this process, no daemon needed; exit 0,\n"
    "                    1 malformed trace lines, 2 could not run\n"
    "  ping              check that hwhealthd answers\n"
    "  reload            make hwhealthd re-read its configuration (root)\n"
    "  rescan            make every source rediscover its devices (root)\n"
    "  actions           the policy's posture and the actions it took or queued\n"
    "                    (notify, drain, undrain, fence), oldest first\n"
    "  silence TARGET --for DURATION --reason TEXT\n"
    "                    no actions for the findings of a rule or metric TARGET\n"
    "                    (or \"all\") for DURATION: 90s, 30m, 2h, 1d (root)\n"
    "  silences          the silences in force\n"
    "  unsilence ID|all  end a silence, or every one (root)\n"
    "  drain --reason TEXT [--force]\n"
    "                    take this node out of service through the actuators;\n"
    "                    --force skips the drain budget (root)\n"
    "  undrain [--reason TEXT]\n"
    "                    put it back in service (root)\n"
    "  fence --reason TEXT\n"
    "                    fence this node through the actuators (root; needs\n"
    "                    \"fencing yes\" in the policy)\n"
    "  check [--fail-on yellow|red|critical]\n"
    "                    one line; exit 0 below that state (default red),\n"
    "                    1 at or above it, 2 usage, 3 no answer (for Slurm's\n"
    "                    HealthCheckProgram)\n"
    "  self-fence --reason TEXT\n"
    "                    stop petting the hardware watchdog so that it resets\n"
    "                    this node (root; needs a watchdog source with\n"
    "                    \"self-fence yes\")\n"
    "  help              show this text\n"
    "\n"
    "options (before or after the command; \"--\" ends them):\n"
    "  -s, --socket PATH  control socket (default: $HWHEALTH_SOCKET, else\n"
    "                     " CFG_DEFAULT_SOCKET ")\n"
    "  -j, --json         print the daemon's result (replay: its report) as JSON\n"
    "  -t, --timeout SEC  give up after SEC seconds (default 5)\n"
    "  -h, --help         show this text\n"
    "  -V, --version      show the version\n"
    "\n"
    "history options:\n"
    "  --since DURATION   how far back: 30s, 10m, 2h, 1d (default 1h)\n"
    "\n"
    "actions options:\n"
    "  --limit N          only the newest N actions\n"
    "  -v, --verbose      also each action's reason, evidence and tool output\n"
    "\n"
    "replay options:\n"
    "  --rules DIR        load the *.rules of DIR; repeatable, later directories\n"
    "                     override earlier ones (default: the shipped rules,\n"
    "                     " CFG_DEFAULT_RULES_DIR ")\n"
    "  --quiet            print only the summary, not each change\n"
    "  --recover-after DURATION|0\n"
    "                     how long a lower state must hold before the node\n"
    "                     falls to it (default 5m)\n"
    "  --score-yellow N   score from which the node is yellow (default 10),\n"
    "  --score-red N      red (default 50)\n"
    "  --score-critical N and critical (default 150)\n"
    "  --history N        raw samples kept per metric (default 32)\n";

/* The defaults the usage text shows. */
_Static_assert(CFG_DEFAULT_RECOVER_MS == 5 * 60 * 1000, "usage text: recover-after");
_Static_assert((int)CFG_DEFAULT_SCORE_YELLOW == 10 && (int)CFG_DEFAULT_SCORE_RED == 50 &&
		   (int)CFG_DEFAULT_SCORE_CRITICAL == 150,
	       "usage text: scores");
_Static_assert(HIST_RAW_DEFAULT == 32, "usage text: history");

void cli_print_json(json_object *obj)
{
	const char *s =
	    json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE);

	if (s != NULL)
		puts(s);
	else
		fputs("hwhealth: out of memory\n", stderr);
}

/* Adds key: value (a string) to obj.  Returns 0 or -ENOMEM. */
int cli_add_string(json_object *obj, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (v == NULL || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* A new request {"cmd": name}, plus key: value when value is not NULL. NULL on ENOMEM. */
json_object *cli_request(const char *name, const char *key, const char *value)
{
	json_object *req = json_object_new_object();

	if (req == NULL || cli_add_string(req, "cmd", name) < 0 ||
	    (value != NULL && cli_add_string(req, key, value) < 0)) {
		json_object_put(req);
		return NULL;
	}
	return req;
}

/*
 * Sends req (a cli_request(), NULL meaning it could not be built; put here).
 * Returns 0 with *result (the caller puts it), or a negative errno with a
 * message in err.
 */
int cli_ask(const struct cli_opts *o, json_object *req, json_object **result, char *err,
	    size_t errlen)
{
	int rc = -ENOMEM;

	*result = NULL;
	if (req == NULL)
		snprintf(err, errlen, "out of memory");
	else
		rc = client_call(o->socket, req, o->timeout_ms, result, err, errlen);
	json_object_put(req);
	return rc;
}

/* Prints {"node": {"state": "unknown"}, "error": err} for --json. */
static void print_unknown_json(const char *err)
{
	json_object *obj = json_object_new_object();
	json_object *node = json_object_new_object();

	if (obj == NULL || node == NULL || cli_add_string(node, "state", "unknown") < 0 ||
	    json_object_object_add(obj, "node", node) < 0) {
		json_object_put(node);
		json_object_put(obj);
		fputs("hwhealth: out of memory\n", stderr);
		return;
	}
	/* obj owns node from here on. */
	if (cli_add_string(obj, "error", err) < 0)
		fputs("hwhealth: out of memory\n", stderr);
	else
		cli_print_json(obj);
	json_object_put(obj);
}

/*
 * "status" could not get a state: say why and report UNKNOWN.  Something
 * goes to stdout too, for monitoring systems that show only stdout.
 */
static int status_unknown(const struct cli_opts *o, const char *err)
{
	fprintf(stderr, "hwhealth: %s\n", err);
	if (o->json)
		print_unknown_json(err);
	else
		puts("node: unknown");
	return CLI_EXIT_UNKNOWN;
}

/*
 * status and explain: the exit code is the node state; any failure,
 * printing included, is UNKNOWN.
 */
static int node_command(const struct cli_opts *o, printer print)
{
	char err[CLIENT_ERR_LEN];
	json_object *result;
	int rc;

	if (cli_ask(o, cli_request(o->cmd, NULL, NULL), &result, err, sizeof(err)) < 0)
		return status_unknown(o, err);
	if (o->json) {
		cli_print_json(result);
	} else if ((rc = print(stdout, result)) < 0) {
		/* -EIO is a stdout error: main() reports it, with its errno. */
		if (rc != -EIO)
			fprintf(stderr, "hwhealth: printing the %s: %s\n", o->cmd, strerror(-rc));
		json_object_put(result);
		return CLI_EXIT_UNKNOWN;
	}
	rc = cli_state_exit(cli_node_state(result));
	json_object_put(result);
	return rc;
}

static int cmd_status(const struct cli_opts *o)
{
	return node_command(o, cli_print_status);
}

static int cmd_explain(const struct cli_opts *o)
{
	return node_command(o, cli_print_explain);
}

/* Sends req (put here) and prints the result: exit 0, or 1 on any failure. */
int cli_show(const struct cli_opts *o, json_object *req, printer print)
{
	char err[CLIENT_ERR_LEN];
	json_object *result;
	int rc = 0;

	if (cli_ask(o, req, &result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	if (o->json)
		cli_print_json(result);
	else if ((rc = print(stdout, result)) < 0 && rc != -EIO)
		fprintf(stderr, "hwhealth: printing the %s: %s\n", o->cmd, strerror(-rc));
	json_object_put(result);
	return rc < 0 ? CLI_EXIT_WARNING : CLI_EXIT_OK;
}

static int cmd_sensors(const struct cli_opts *o)
{
	return cli_show(o, cli_request("sensors", "filter", o->nargs ? o->args[0] : NULL),
			cli_print_sensors);
}

/* smart [DEVICE]: the drives, or one drive's attributes and trends.
 * DEVICE is the plugin's device id ("sda"); "/dev/sda" is taken too. */
static int cmd_smart(const struct cli_opts *o)
{
	char dev[256];
	json_object *req = cli_request("devices", "plugin", "smart");

	if (o->nargs == 0)
		return cli_show(o, req, cli_print_drives);
	snprintf(dev, sizeof dev, "%s",
		 strncmp(o->args[0], "/dev/", 5) == 0 ? o->args[0] + 5 : o->args[0]);
	for (char *p = dev; *p != '\0'; p++)
		if (*p == '/')
			*p = '-';
	if (req != NULL && cli_add_string(req, "device", dev) < 0) {
		json_object_put(req);
		req = NULL;
	}
	return cli_show(o, req, cli_print_drive);
}

static int cmd_events(const struct cli_opts *o)
{
	return cli_show(o, cli_request("events", NULL, NULL), cli_print_events);
}

/* rules: the table; rules NAME: that rule in full, every target listed. */
static int cmd_rules(const struct cli_opts *o)
{
	return cli_show(o, cli_request("rules", "rule", o->nargs ? o->args[0] : NULL),
			o->nargs ? cli_print_rule_details : cli_print_rules);
}

static int cmd_history(const struct cli_opts *o)
{
	json_object *req = cli_request("history", "metric", o->args[0]);
	json_object *since = json_object_new_double((double)o->since_ms / MS_PER_SEC);

	if (req == NULL || since == NULL || json_object_object_add(req, "since_s", since) < 0) {
		json_object_put(since);
		json_object_put(req);
		req = NULL; /* cli_ask() reports it */
	}
	return cli_show(o, req, cli_print_history);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The shipped rules: the source tree's rules/ when this binary runs from a
 * build tree (its directory has plugins/ and ../rules exists), as prepare.c
 * does for the daemon, else CFG_DEFAULT_RULES_DIR.  A new string, or NULL
 * on ENOMEM.
 */
static char *default_rules_dir(void)
{
	char dir[PATH_MAX], *plugins, *rules;
	bool build_tree;

	if (exe_dir(dir, sizeof(dir)) < 0)
		return strdup(CFG_DEFAULT_RULES_DIR);
	plugins = path_join(dir, "plugins");
	rules = path_join(dir, "../rules");
	if (plugins == NULL || rules == NULL) {
		free(plugins);
		free(rules);
		return NULL;
	}
	build_tree = is_dir(plugins) && is_dir(rules);
	free(plugins);
	if (build_tree)
		return rules;
	free(rules);
	return strdup(CFG_DEFAULT_RULES_DIR);
}

/*
 * Every rules directory must exist: rules_load() skips a missing one, and a
 * replay without rules says nothing.  shipped: the default was used.
 */
static int check_rule_dirs(const char *const *dirs, size_t n, bool shipped)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!is_dir(dirs[i])) {
			fprintf(stderr, "hwhealth replay: %s: %s%s\n", dirs[i],
				access(dirs[i], F_OK) == 0 ? "not a directory"
							   : "no such rules directory",
				shipped ? " (the shipped rules are not installed: give --rules DIR)"
					: "");
			return -1;
		}
	}
	return 0;
}

/* Runs the rules over a trace, here, without the daemon. */
static int cmd_replay(const struct cli_opts *o)
{
	struct replay_opts ro = {
	    .rule_dirs = o->rule_dirs,
	    .ndirs = o->ndirs,
	    .trace = o->args[0],
	    .cfg = o->cfg,
	    .history = o->history,
	    .json = o->json,
	    .quiet = o->quiet,
	};
	char *shipped = NULL;
	const char *dflt[1];
	int rc = REPLAY_EXIT_FAILED;

	if (ro.ndirs == 0) {
		if ((shipped = default_rules_dir()) == NULL) {
			fputs("hwhealth replay: out of memory\n", stderr);
			return REPLAY_EXIT_FAILED;
		}
		dflt[0] = shipped;
		ro.rule_dirs = dflt;
		ro.ndirs = 1;
	}
	if (check_rule_dirs(ro.rule_dirs, ro.ndirs, shipped != NULL) == 0)
		rc = replay_run(&ro, stdout, stderr, NULL);
	free(shipped);
	return rc;
}

/* The integer member key of obj, or -1. */
static long long member_int(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return (long long)json_object_get_int64(v);
}

/* ping, reload and rescan: one request, one line of text. */
static int simple_command(const struct cli_opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result, *v;
	long long n;

	if (cli_ask(o, cli_request(o->cmd, NULL, NULL), &result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	if (o->json) {
		cli_print_json(result);
	} else if (strcmp(o->cmd, "ping") == 0) {
		v = json_object_object_get(result, "version");
		printf("hwhealthd %s answers on %s\n",
		       v ? json_object_get_string(v) : "(unknown version)", o->socket);
	} else if (strcmp(o->cmd, "reload") == 0) {
		puts("hwhealthd reloaded its configuration");
	} else if ((n = member_int(result, "rescan")) >= 0) {
		printf("rescan requested from %lld source%s\n", n, n == 1 ? "" : "s");
	} else {
		puts("rescan requested");
	}
	json_object_put(result);
	return CLI_EXIT_OK;
}

/* self-fence --reason TEXT: the watchdog stops petting; the node resets. */
static int cmd_self_fence(const struct cli_opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result, *v;
	size_t n;

	if (o->reason == NULL || o->reason[0] == '\0') {
		fprintf(stderr, "hwhealth: self-fence needs --reason TEXT (it is logged)\n");
		return CLI_EXIT_WARNING;
	}
	if (cli_ask(o, cli_request("self-fence", "reason", o->reason), &result, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	if (o->json) {
		cli_print_json(result);
	} else {
		/* The names of the sources that took it: "wd" or "wd, wd2". */
		fputs("self-fence: ", stdout);
		v = json_object_object_get(result, "fencing");
		n = json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 0;
		if (n == 0)
			fputs("a source", stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? ", " : "",
			       json_object_get_string(json_object_array_get_idx(v, i)));
		printf(" stopped petting the hardware watchdog; it resets this node when its "
		       "timeout runs out\n");
	}
	json_object_put(result);
	return CLI_EXIT_OK;
}

static int cmd_help(const struct cli_opts *o)
{
	(void)o;
	fputs(usage_text, stdout);
	return CLI_EXIT_OK;
}

static const struct command commands[] = {
    {"status", 0, 0, NULL, cmd_status},
    {"explain", 0, 0, NULL, cmd_explain},
    {"sensors", 0, 1, NULL, cmd_sensors},
    {"events", 0, 0, NULL, cmd_events},
    {"smart", 0, 1, NULL, cmd_smart},
    {"rules", 0, 1, NULL, cmd_rules},
    {"history", 1, 1, "METRIC", cmd_history},
    {"replay", 1, 1, "TRACE", cmd_replay},
    {"ping", 0, 0, NULL, simple_command},
    {"reload", 0, 0, NULL, simple_command},
    {"rescan", 0, 0, NULL, simple_command},
    {"self-fence", 0, 0, NULL, cmd_self_fence},
    {"actions", 0, 0, NULL, cli_cmd_actions},
    {"silence", 1, 1, "TARGET", cli_cmd_silence},
    {"silences", 0, 0, NULL, cli_cmd_silences},
    {"unsilence", 1, 1, "ID or 'all'", cli_cmd_unsilence},
    {"drain", 0, 0, NULL, cli_cmd_act},
    {"undrain", 0, 0, NULL, cli_cmd_act},
    {"fence", 0, 0, NULL, cli_cmd_act},
    {"check", 0, 0, NULL, cli_cmd_check},
    {"help", 0, 0, NULL, cmd_help},
};

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Parses --timeout SEC into *ms.  Returns 0 or -EINVAL after a message. */
static int parse_timeout(const char *s, int *ms)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(sec > 0) || sec > TIMEOUT_MAX_SEC) {
		fprintf(stderr,
			"hwhealth: invalid timeout '%s' (seconds, more than 0 and at most %d)\n", s,
			TIMEOUT_MAX_SEC);
		return -EINVAL;
	}
	*ms = (int)(sec * 1000 + 0.999);
	return 0;
}

/* Parses a score for --score-*: 0 to SCORE_MAX, as hwhealth.conf.  0 or -EINVAL. */
static int parse_score(const char *name, const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(*v >= 0) || *v > SCORE_MAX) {
		fprintf(stderr, "hwhealth: invalid score '%s' for --%s (a number from 0 to 1e9)\n",
			s, name);
		return -EINVAL;
	}
	return 0;
}

/* Parses --history N: 0 (the default) to HIST_RAW_MAX.  0 or -EINVAL. */
static int parse_history(const char *s, unsigned *n)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || v > HIST_RAW_MAX) {
		fprintf(stderr,
			"hwhealth: invalid history '%s' (samples per metric, 1 to %d; 0 for the "
			"default)\n",
			s, HIST_RAW_MAX);
		return -EINVAL;
	}
	*n = (unsigned)v;
	return 0;
}

/* Parses a duration ("0" too when zero_ok) for --name.  0 or -EINVAL. */
static int parse_duration(const char *name, const char *s, bool zero_ok, int64_t *ms)
{
	if (zero_ok && strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (cfg_parse_duration(s, ms) == 0)
		return 0;
	fprintf(stderr, "hwhealth: invalid duration '%s' for --%s (like 30s, 10m, 2h, 1d%s)\n", s,
		name, zero_ok ? "; or 0" : "");
	return -EINVAL;
}

/* Files an option of one command (enum cmd_opt).  0 or -EINVAL after a message. */
static int parse_cmd_opt(struct cli_opts *o, int ch, const char *arg)
{
	const char *name = cmd_opts[ch - OPT_SINCE].name;

	o->seen[ch - OPT_SINCE] = true;
	switch (ch) {
	case OPT_SINCE:
		return parse_duration(name, arg, false, &o->since_ms);
	case OPT_RULES:
		o->rule_dirs[o->ndirs++] = arg;
		return 0;
	case OPT_QUIET:
		o->quiet = true;
		return 0;
	case OPT_RECOVER:
		return parse_duration(name, arg, true, &o->cfg.recover_ms);
	case OPT_SCORE_YELLOW:
		return parse_score(name, arg, &o->cfg.score_yellow);
	case OPT_SCORE_RED:
		return parse_score(name, arg, &o->cfg.score_red);
	case OPT_SCORE_CRIT:
		return parse_score(name, arg, &o->cfg.score_critical);
	case OPT_HISTORY:
		return parse_history(arg, &o->history);
	case OPT_REASON:
		o->reason = arg;
		return 0;
	}
	return cli_actions_opt(o, ch, arg);
}

/* Files a positional argument: the first is the command. */
static void add_positional(struct cli_opts *o, char *arg)
{
	if (o->cmd == NULL)
		o->cmd = arg;
	else
		o->args[o->nargs++] = arg;
}

/* An option error from getopt_long (opterr is off: messages are ours). */
static void option_error(struct cli_opts *o, int ch, char **argv)
{
	if (ch == ':')
		fprintf(stderr, "hwhealth: option '%s' needs an argument\n", argv[optind - 1]);
	else if (optopt != 0)
		fprintf(stderr, "hwhealth: unknown option '-%c'\n", optopt);
	else
		fprintf(stderr, "hwhealth: unknown option '%s'\n", argv[optind - 1]);
	o->bad = true;
}

/*
 * Fills o from argv, carrying on after an error so that the command is known
 * for the exit code.  Returns 0, or -ENOMEM.
 */
static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"since", required_argument, NULL, OPT_SINCE},
	    {"rules", required_argument, NULL, OPT_RULES},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {"recover-after", required_argument, NULL, OPT_RECOVER},
	    {"score-yellow", required_argument, NULL, OPT_SCORE_YELLOW},
	    {"score-red", required_argument, NULL, OPT_SCORE_RED},
	    {"score-critical", required_argument, NULL, OPT_SCORE_CRIT},
	    {"history", required_argument, NULL, OPT_HISTORY},
	    {"reason", required_argument, NULL, OPT_REASON},
	    {"limit", required_argument, NULL, OPT_LIMIT},
	    {"verbose", no_argument, NULL, OPT_VERBOSE},
	    {"for", required_argument, NULL, OPT_FOR},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"fail-on", required_argument, NULL, OPT_FAIL_ON},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	if ((o->args = calloc((size_t)argc, sizeof(*o->args))) == NULL ||
	    (o->rule_dirs = calloc((size_t)argc, sizeof(*o->rule_dirs))) == NULL)
		return -ENOMEM;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "-:s:jt:hvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 1:
			add_positional(o, optarg);
			break;
		case 's':
			o->socket = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 't':
			if (parse_timeout(optarg, &o->timeout_ms) < 0)
				o->bad = true;
			break;
		case 'h':
			o->help = true;
			break;
		case 'V':
			o->version = true;
			break;
		case 'v':
			parse_cmd_opt(o, OPT_VERBOSE, NULL);
			break;
		default:
			if (ch >= OPT_SINCE && ch < OPT_END) {
				if (parse_cmd_opt(o, ch, optarg) < 0)
					o->bad = true;
			} else {
				option_error(o, ch, argv);
			}
			break;
		}
	}
	for (; optind < argc; optind++) /* after "--" */
		add_positional(o, argv[optind]);
	return 0;
}

/* A usage error: point at --help; status and explain fail as UNKNOWN, replay as "could not run",
 * check as a usage error (2). */
static int usage_error(const struct cli_opts *o)
{
	fputs("try 'hwhealth --help'\n", stderr);
	if (o->cmd != NULL && strcmp(o->cmd, "check") == 0)
		return CLI_EXIT_CHECK_USAGE;
	if (o->cmd != NULL && (strcmp(o->cmd, "status") == 0 || strcmp(o->cmd, "explain") == 0))
		return CLI_EXIT_UNKNOWN;
	if (o->cmd != NULL && strcmp(o->cmd, "replay") == 0)
		return REPLAY_EXIT_FAILED;
	return CLI_EXIT_WARNING;
}

/* Whether cmd is one of the words of list (one space apart). */
static bool in_list(const char *list, const char *cmd)
{
	size_t n = strlen(cmd);

	for (const char *p = list; *p != '\0'; p += strcspn(p, " "), p += *p == ' ')
		if (strncmp(p, cmd, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

/* "'a', 'b' or 'c'" from the list "a b c", on stderr. */
static void put_cmd_list(const char *list)
{
	size_t n;

	for (const char *p = list; *p != '\0'; p += n, p += *p == ' ') {
		n = strcspn(p, " ");
		fprintf(stderr, "%s'%.*s'",
			p == list      ? ""
			: p[n] == '\0' ? " or "
				       : ", ",
			(int)n, p);
	}
}

/* Checks that the command options given belong to cmd.  0 or -EINVAL after a message. */
static int check_cmd_opts(const struct cli_opts *o)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_opts) / sizeof(cmd_opts[0]); i++) {
		if (o->seen[i] && !in_list(cmd_opts[i].cmds, o->cmd)) {
			fprintf(stderr, "hwhealth: option '--%s' is for ", cmd_opts[i].name);
			put_cmd_list(cmd_opts[i].cmds);
			fprintf(stderr, ", not '%s'\n", o->cmd);
			return -EINVAL;
		}
	}
	return 0;
}

/* Runs what the options ask for; returns the exit code. */
static int dispatch(struct cli_opts *o)
{
	const struct command *cmd;
	const char *env;

	if (o->bad)
		return usage_error(o);
	if (o->help)
		return cmd_help(o);
	if (o->version) {
		printf("hwhealth %s\n", HWH_VERSION);
		return CLI_EXIT_OK;
	}
	if (o->cmd == NULL) {
		fputs(usage_text, stderr);
		return CLI_EXIT_WARNING;
	}
	if ((cmd = find_command(o->cmd)) == NULL) {
		fprintf(stderr, "hwhealth: unknown command '%s'\n", o->cmd);
		return usage_error(o);
	}
	if (o->nargs > cmd->max_args) {
		fprintf(stderr, "hwhealth: too many arguments for '%s'\n", o->cmd);
		return usage_error(o);
	}
	if (o->nargs < cmd->min_args) {
		fprintf(stderr, "hwhealth: '%s' needs %s\n", o->cmd, cmd->arg_name);
		return usage_error(o);
	}
	if (check_cmd_opts(o) < 0 || cli_actions_check(o) < 0)
		return usage_error(o);
	if (o->socket == NULL) {
		env = getenv("HWHEALTH_SOCKET");
		o->socket = env && *env ? env : CFG_DEFAULT_SOCKET;
	}
	return cmd->run(o);
}

int main(int argc, char **argv)
{
	struct cli_opts o = {
	    .timeout_ms = CLIENT_DEFAULT_TIMEOUT_MS,
	    .since_ms = HISTORY_SINCE_DEFAULT_MS,
	    .fail_on = CLI_RANK_RED,
	    .cfg =
		{
		    .score_yellow = CFG_DEFAULT_SCORE_YELLOW,
		    .score_red = CFG_DEFAULT_SCORE_RED,
		    .score_critical = CFG_DEFAULT_SCORE_CRITICAL,
		    .recover_ms = CFG_DEFAULT_RECOVER_MS,
		},
	};
	int rc;

	if (parse_args(argc, argv, &o) < 0) {
		fputs("hwhealth: out of memory\n", stderr);
		free(o.args);
		return CLI_EXIT_UNKNOWN;
	}
	rc = dispatch(&o);
	free(o.rule_dirs);
	free(o.args);
	/* Output cut short (a full disk, a closed pipe) is a failure too. */
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "hwhealth: writing output: %s\n", strerror(errno));
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_WARNING;
	} else if (ferror(stdout)) {
		fputs("hwhealth: writing output failed\n", stderr);
		if (rc == CLI_EXIT_OK)
			rc = CLI_EXIT_WARNING;
	}
	return rc;
}
