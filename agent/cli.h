/*
 * cli: what the hwhealth CLI's command files share, internal to the CLI.
 *
 *   hwhealth.c     main(), the command line (options, the command table, the
 *                  usage text) and the monitoring and inspection commands;
 *                  defines the request helpers below;
 *   cli_actions.c  the policy commands: actions, silence, silences,
 *                  unsilence, drain, undrain, fence and check, and the
 *                  parsing of their options.
 *
 * To add a command to cli_actions.c: write its cli_cmd_NAME() there, declare
 * it below and list it in hwhealth.c's commands[] and usage text; an option
 * of its own gets a value in enum cmd_opt, a line in hwhealth.c's cmd_opts[]
 * and longopts[], and a case in cli_actions_opt().
 */
#ifndef HWH_CLI_H
#define HWH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "config.h"
#include "engine.h"

/* Options of one command only: getopt_long values past any character. */
enum cmd_opt {
	OPT_SINCE = 256,  /* history --since DURATION */
	OPT_RULES,	  /* replay --rules DIR, repeatable */
	OPT_QUIET,	  /* replay --quiet */
	OPT_RECOVER,	  /* replay --recover-after DURATION|0 */
	OPT_SCORE_YELLOW, /* replay --score-yellow N */
	OPT_SCORE_RED,	  /* replay --score-red N */
	OPT_SCORE_CRIT,	  /* replay --score-critical N */
	OPT_HISTORY,	  /* replay --history N */
	OPT_REASON,	  /* self-fence, silence, drain, undrain, fence --reason TEXT */
	OPT_LIMIT,	  /* actions --limit N */
	OPT_VERBOSE,	  /* actions --verbose, -v */
	OPT_FOR,	  /* silence --for DURATION */
	OPT_FORCE,	  /* drain --force */
	OPT_FAIL_ON,	  /* check --fail-on yellow|red|critical */
	OPT_END		  /* one past the last */
};

struct cli_opts {
	const char *socket; /* control socket path */
	int timeout_ms;	    /* for the whole exchange */
	bool json;	    /* print the result as JSON */
	bool help;	    /* --help seen */
	bool version;	    /* --version seen */
	bool bad;	    /* a usage error was reported */
	const char *cmd;    /* first positional argument, NULL if none */
	char **args;	    /* the positional arguments after cmd */
	size_t nargs;
	bool seen[OPT_END - OPT_SINCE]; /* which command options were given */
	int64_t since_ms;		/* history --since */
	const char **rule_dirs;		/* replay --rules, in order */
	size_t ndirs;
	bool quiet;	       /* replay --quiet */
	struct engine_cfg cfg; /* replay thresholds and recovery delay */
	unsigned history;      /* replay --history, 0 = the default */
	const char *reason;    /* --reason */
	int limit;	       /* actions --limit, 0 = all the daemon keeps */
	bool verbose;	       /* actions --verbose */
	int64_t for_ms;	       /* silence --for */
	bool force;	       /* drain --force */
	int fail_on;	       /* check --fail-on, a cli_state_rank() (default red) */
};

typedef int (*printer)(FILE *out, json_object *result);

/* Prints obj as indented JSON on stdout. */
void cli_print_json(json_object *obj);
/* Adds key: value (a string) to obj.  Returns 0 or -ENOMEM. */
int cli_add_string(json_object *obj, const char *key, const char *value);
/* A new request {"cmd": name}, plus key: value when value is not NULL. NULL on ENOMEM. */
json_object *cli_request(const char *name, const char *key, const char *value);
/*
 * Sends req (a cli_request(), NULL meaning it could not be built; put here).
 * Returns 0 with *result (the caller puts it), or a negative errno with a
 * message in err (-EREMOTEIO: the daemon's own error).
 */
int cli_ask(const struct cli_opts *o, json_object *req, json_object **result, char *err,
	    size_t errlen);
/* Sends req (put here) and prints the result: exit 0, or 1 on any failure. */
int cli_show(const struct cli_opts *o, json_object *req, printer print);

/*
 * Files an option of cli_actions.c's commands (OPT_LIMIT to OPT_FAIL_ON):
 * 0, or -EINVAL after a message on stderr.
 */
int cli_actions_opt(struct cli_opts *o, int ch, const char *arg);
/*
 * Checks what the options cannot: that silence has --for and --reason,
 * drain and fence --reason, unsilence an ID or "all".  0, or -EINVAL after
 * a message on stderr (a usage error).
 */
int cli_actions_check(const struct cli_opts *o);

/* The commands; each returns its exit code. */
int cli_cmd_actions(const struct cli_opts *o);
int cli_cmd_silence(const struct cli_opts *o);
int cli_cmd_silences(const struct cli_opts *o);
int cli_cmd_unsilence(const struct cli_opts *o);
/* drain, undrain and fence. */
int cli_cmd_act(const struct cli_opts *o);
/* check: 0 below --fail-on, 1 at or above, 2 usage, 3 no state. */
int cli_cmd_check(const struct cli_opts *o);

/* check's exit codes (a usage error is CLI_EXIT_CHECK_USAGE). */
#define CLI_EXIT_CHECK_USAGE 2

#endif /* HWH_CLI_H */
