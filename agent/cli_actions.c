/*
 * cli_actions: the hwhealth CLI's policy commands (docs/PROTOCOL.md,
 * "actions" onwards): actions, silence, silences, unsilence, drain,
 * undrain, fence, and check, and the parsing of their options.
 *
 * Each command builds one request, sends it with cli_ask() / cli_show()
 * (hwhealth.c) and prints the answer with cli_format_actions.c, or as JSON
 * with --json.  The root-only requests are not checked here: the daemon
 * refuses them by peer credentials and its error is printed as it is.
 * Exit codes: 0, or 1 on any failure (usage errors included), except
 * check: 0 healthy enough, 1 at or above --fail-on, 2 a usage error, 3 no
 * state (daemon unreachable, a refusal, an answer without a state).
 *
 * To add a command: see cli.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_format.h"
#include "client.h"
#include "util.h"

/* Longest silence, as the daemon takes it (docs/PROTOCOL.md, silence). */
#define SILENCE_MAX_SEC (30 * 86400)

/* ---- options ------------------------------------------------------------ */

/* --limit N: 1 to INT_MAX.  0 or -EINVAL after a message. */
static int parse_limit(const char *s, int *n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > INT_MAX) {
		fprintf(stderr, "hwhealth: invalid limit '%s' (a number of actions, 1 or more)\n",
			s);
		return -EINVAL;
	}
	*n = (int)v;
	return 0;
}

/* --for DURATION: more than 0, at most SILENCE_MAX_SEC.  0 or -EINVAL after a message. */
static int parse_for(const char *s, int64_t *ms)
{
	if (cfg_parse_duration(s, ms) < 0) {
		fprintf(stderr,
			"hwhealth: invalid duration '%s' for --for (a number and a unit: 90s, 30m, "
			"2h, 1d)\n",
			s);
		return -EINVAL;
	}
	if (*ms > (int64_t)SILENCE_MAX_SEC * MS_PER_SEC) {
		fprintf(stderr, "hwhealth: --for %s is too long (a silence lasts at most 30d)\n",
			s);
		return -EINVAL;
	}
	return 0;
}

/* --fail-on yellow|red|critical.  0 or -EINVAL after a message. */
static int parse_fail_on(const char *s, int *rank)
{
	int r = cli_state_rank(s);

	if (r < CLI_RANK_YELLOW) {
		fprintf(stderr, "hwhealth: invalid --fail-on '%s' (yellow, red or critical)\n", s);
		return -EINVAL;
	}
	*rank = r;
	return 0;
}

int cli_actions_opt(struct cli_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case OPT_LIMIT:
		return parse_limit(arg, &o->limit);
	case OPT_VERBOSE:
		o->verbose = true;
		return 0;
	case OPT_FOR:
		return parse_for(arg, &o->for_ms);
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_FAIL_ON:
		return parse_fail_on(arg, &o->fail_on);
	}
	return -EINVAL;
}

/* The silence id of unsilence ID: 1 or more, or -1 when s is not one. */
static int64_t silence_id(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || *s == '+' || v < 1)
		return -1;
	return (int64_t)v;
}

/* Whether --reason has some text. */
static bool has_reason(const struct cli_opts *o)
{
	return o->reason != NULL && o->reason[0] != '\0';
}

int cli_actions_check(const struct cli_opts *o)
{
	const char *c = o->cmd;

	if (strcmp(c, "silence") == 0 && !o->seen[OPT_FOR - OPT_SINCE]) {
		fputs("hwhealth: silence needs --for DURATION (like 90s, 30m, 2h, 1d)\n", stderr);
		return -EINVAL;
	}
	if ((strcmp(c, "silence") == 0 || strcmp(c, "drain") == 0 || strcmp(c, "fence") == 0) &&
	    !has_reason(o)) {
		fprintf(stderr, "hwhealth: %s needs --reason TEXT (it is logged)\n", c);
		return -EINVAL;
	}
	if (strcmp(c, "unsilence") == 0 && strcmp(o->args[0], "all") != 0 &&
	    silence_id(o->args[0]) < 0) {
		fprintf(stderr,
			"hwhealth: unsilence takes a silence's ID (a number, see 'hwhealth "
			"silences') or 'all', not '%s'\n",
			o->args[0]);
		return -EINVAL;
	}
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

/* Adds key: v to req (v put on failure).  NULL req or v: puts both and
 * returns NULL, as cli_ask() takes a request that could not be built. */
static json_object *with(json_object *req, const char *key, json_object *v)
{
	if (req == NULL || v == NULL || json_object_object_add(req, key, v) < 0) {
		json_object_put(v);
		json_object_put(req);
		return NULL;
	}
	return req;
}

/* Adds key: s (a string) to req, as with(). */
static json_object *with_str(json_object *req, const char *key, const char *s)
{
	return with(req, key, json_object_new_string(s));
}

/* Sends req; on failure prints "hwhealth: ERROR" and returns -1. */
static int ask_or_say(const struct cli_opts *o, json_object *req, json_object **result)
{
	char err[CLIENT_ERR_LEN];

	if (cli_ask(o, req, result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

int cli_cmd_actions(const struct cli_opts *o)
{
	json_object *req = cli_request("actions", NULL, NULL);

	if (o->limit > 0)
		req = with(req, "limit", json_object_new_int(o->limit));
	return cli_show(o, req, o->verbose ? cli_print_actions_verbose : cli_print_actions);
}

int cli_cmd_silences(const struct cli_opts *o)
{
	return cli_show(o, cli_request("silences", NULL, NULL), cli_print_silences);
}

int cli_cmd_silence(const struct cli_opts *o)
{
	json_object *req = cli_request("silence", "target", o->args[0]);

	req = with(req, "for_s", json_object_new_double((double)o->for_ms / MS_PER_SEC));
	return cli_show(o, with_str(req, "reason", o->reason), cli_print_silence);
}

int cli_cmd_unsilence(const struct cli_opts *o)
{
	bool all = strcmp(o->args[0], "all") == 0;
	json_object *req = cli_request("unsilence", all ? "target" : NULL, all ? "all" : NULL);
	json_object *result, *v;
	int64_t removed = -1;

	if (!all)
		req = with(req, "id", json_object_new_int64(silence_id(o->args[0])));
	if (ask_or_say(o, req, &result) < 0)
		return CLI_EXIT_WARNING;
	if (json_object_object_get_ex(result, "removed", &v) &&
	    json_object_is_type(v, json_type_int))
		removed = json_object_get_int64(v);
	if (o->json)
		cli_print_json(result);
	else if (removed < 0)
		puts("unsilence requested");
	else if (removed == 0 && !all)
		printf("no silence %s (see 'hwhealth silences')\n", o->args[0]);
	else
		printf("removed %" PRId64 " silence%s\n", removed, removed == 1 ? "" : "s");
	json_object_put(result);
	return removed == 0 && !all ? CLI_EXIT_WARNING : CLI_EXIT_OK;
}

/* "drain queued as action 7, 8: see 'hwhealth actions'". */
static void print_queued(const char *cmd, json_object *ids)
{
	size_t n = json_object_is_type(ids, json_type_array) ? json_object_array_length(ids) : 0;

	if (n == 0) {
		printf("%s: no action queued\n", cmd);
		return;
	}
	printf("%s queued as action%s ", cmd, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		printf("%s%" PRId64, i ? ", " : "",
		       json_object_get_int64(json_object_array_get_idx(ids, i)));
	puts(": see 'hwhealth actions'");
}

int cli_cmd_act(const struct cli_opts *o)
{
	json_object *req = cli_request(o->cmd, "reason", has_reason(o) ? o->reason : NULL);
	json_object *result;

	if (strcmp(o->cmd, "drain") == 0)
		req = with(req, "force", json_object_new_boolean(o->force));
	if (ask_or_say(o, req, &result) < 0)
		return CLI_EXIT_WARNING;
	if (o->json)
		cli_print_json(result);
	else
		print_queued(o->cmd, json_object_object_get(result, "actions"));
	json_object_put(result);
	return CLI_EXIT_OK;
}

int cli_cmd_check(const struct cli_opts *o)
{
	char err[CLIENT_ERR_LEN], line[CLI_LINE_LEN];
	json_object *result;
	int rc;

	rc = cli_ask(o, cli_request("status", NULL, NULL), &result, err, sizeof(err));
	if (rc < 0) {
		/* One line on stdout: what a HealthCheckProgram's log shows. */
		for (char *p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		printf("hwhealth: %s: %s\n",
		       rc == -EREMOTEIO ? "hwhealthd refused status" : "cannot reach hwhealthd",
		       err);
		return CLI_EXIT_UNKNOWN;
	}
	rc = cli_check_verdict(result, o->fail_on, line, sizeof(line));
	if (o->json)
		cli_print_json(result);
	else
		puts(line);
	json_object_put(result);
	return rc;
}
