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
 * critical, 3 unknown.  Every failure of "status" (daemon not running, no
 * answer, a refusal, a usage error) is 3; other commands fail with 1.
 *
 * To add a command: write a cmd_NAME() and add it to commands[] and usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_format.h"
#include "client.h"
#include "config.h"

/* Upper bound of --timeout, so seconds * 1000 fits an int with room. */
#define TIMEOUT_MAX_SEC 86400

struct opts {
	const char *socket; /* control socket path */
	int timeout_ms;	    /* for the whole exchange */
	bool json;	    /* print the result as JSON */
	bool help;	    /* --help seen */
	bool version;	    /* --version seen */
	bool bad;	    /* a usage error was reported */
	const char *cmd;    /* first positional argument, NULL if none */
	char **args;	    /* the positional arguments after cmd */
	size_t nargs;
};

struct command {
	const char *name;
	size_t max_args;		  /* positional arguments it takes */
	int (*run)(const struct opts *o); /* returns the exit code */
};

static const char usage_text[] =
    "usage: hwhealth [--socket PATH] [--json] [--timeout SEC] COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  status            node state and each source; exit 0 green, 1 yellow,\n"
    "                    2 red or critical, 3 unknown (a Nagios/Icinga check)\n"
    "  sensors [FILTER]  every metric, or those whose id or label contains FILTER\n"
    "  events            recent hardware events (SEL records, resets...)\n"
    "  ping              check that hwhealthd answers\n"
    "  reload            make hwhealthd re-read its configuration (root)\n"
    "  rescan            make every source rediscover its devices (root)\n"
    "  help              show this text\n"
    "\n"
    "options (before or after the command; \"--\" ends them):\n"
    "  -s, --socket PATH  control socket (default: $HWHEALTH_SOCKET, else\n"
    "                     " CFG_DEFAULT_SOCKET ")\n"
    "  -j, --json         print the daemon's result as JSON\n"
    "  -t, --timeout SEC  give up after SEC seconds (default 5)\n"
    "  -h, --help         show this text\n"
    "  -V, --version      show the version\n";

static void print_json(json_object *obj)
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
static int add_string(json_object *obj, const char *key, const char *value)
{
	json_object *v = json_object_new_string(value);

	if (v == NULL || json_object_object_add(obj, key, v) < 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Sends {"cmd": name} plus "filter" when given.  Returns 0 with *result
 * (the caller puts it), or a negative errno with a message in err.
 */
static int ask(const struct opts *o, const char *name, const char *filter, json_object **result,
	       char *err, size_t errlen)
{
	json_object *req = json_object_new_object();
	int rc = -ENOMEM;

	*result = NULL;
	if (req == NULL || add_string(req, "cmd", name) < 0 ||
	    (filter != NULL && add_string(req, "filter", filter) < 0)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = client_call(o->socket, req, o->timeout_ms, result, err, errlen);
out:
	json_object_put(req);
	return rc;
}

/* Prints {"node": {"state": "unknown"}, "error": err} for --json. */
static void print_unknown_json(const char *err)
{
	json_object *obj = json_object_new_object();
	json_object *node = json_object_new_object();

	if (obj == NULL || node == NULL || add_string(node, "state", "unknown") < 0 ||
	    json_object_object_add(obj, "node", node) < 0) {
		json_object_put(node);
		json_object_put(obj);
		fputs("hwhealth: out of memory\n", stderr);
		return;
	}
	/* obj owns node from here on. */
	if (add_string(obj, "error", err) < 0)
		fputs("hwhealth: out of memory\n", stderr);
	else
		print_json(obj);
	json_object_put(obj);
}

/*
 * "status" could not get a state: say why and report UNKNOWN.  Something
 * goes to stdout too, for monitoring systems that show only stdout.
 */
static int status_unknown(const struct opts *o, const char *err)
{
	fprintf(stderr, "hwhealth: %s\n", err);
	if (o->json)
		print_unknown_json(err);
	else
		puts("node: unknown");
	return CLI_EXIT_UNKNOWN;
}

static int cmd_status(const struct opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result;
	int rc;

	if (ask(o, "status", NULL, &result, err, sizeof(err)) < 0)
		return status_unknown(o, err);
	if (o->json) {
		print_json(result);
	} else if ((rc = cli_print_status(stdout, result)) < 0) {
		/* -EIO is a stdout error: main() reports it, with its errno. */
		if (rc != -EIO)
			fprintf(stderr, "hwhealth: printing the status: %s\n", strerror(-rc));
		json_object_put(result);
		return CLI_EXIT_UNKNOWN;
	}
	rc = cli_state_exit(cli_node_state(result));
	json_object_put(result);
	return rc;
}

static int cmd_sensors(const struct opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result;
	int rc;

	if (ask(o, "sensors", o->nargs ? o->args[0] : NULL, &result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	rc = 0;
	if (o->json)
		print_json(result);
	else if ((rc = cli_print_sensors(stdout, result)) < 0 && rc != -EIO)
		fprintf(stderr, "hwhealth: printing the sensors: %s\n", strerror(-rc));
	json_object_put(result);
	return rc < 0 ? CLI_EXIT_WARNING : CLI_EXIT_OK;
}

static int cmd_events(const struct opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result;
	int rc = 0;

	if (ask(o, "events", NULL, &result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	if (o->json)
		print_json(result);
	else if ((rc = cli_print_events(stdout, result)) < 0 && rc != -EIO)
		fprintf(stderr, "hwhealth: printing the events: %s\n", strerror(-rc));
	json_object_put(result);
	return rc < 0 ? CLI_EXIT_WARNING : CLI_EXIT_OK;
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
static int simple_command(const struct opts *o)
{
	char err[CLIENT_ERR_LEN];
	json_object *result, *v;
	long long n;

	if (ask(o, o->cmd, NULL, &result, err, sizeof(err)) < 0) {
		fprintf(stderr, "hwhealth: %s\n", err);
		return CLI_EXIT_WARNING;
	}
	if (o->json) {
		print_json(result);
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

static int cmd_help(const struct opts *o)
{
	(void)o;
	fputs(usage_text, stdout);
	return CLI_EXIT_OK;
}

static const struct command commands[] = {
    {"status", 0, cmd_status},	   {"sensors", 1, cmd_sensors},	  {"ping", 0, simple_command},
    {"reload", 0, simple_command}, {"rescan", 0, simple_command}, {"help", 0, cmd_help},
    {"events", 0, cmd_events},
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

/* Files a positional argument: the first is the command. */
static void add_positional(struct opts *o, char *arg)
{
	if (o->cmd == NULL)
		o->cmd = arg;
	else
		o->args[o->nargs++] = arg;
}

/* An option error from getopt_long (opterr is off: messages are ours). */
static void option_error(struct opts *o, int ch, char **argv)
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
static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"socket", required_argument, NULL, 's'},  {"json", no_argument, NULL, 'j'},
	    {"timeout", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
	};
	int ch;

	if ((o->args = calloc((size_t)argc, sizeof(*o->args))) == NULL)
		return -ENOMEM;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "-:s:jt:hV", longopts, NULL)) != -1) {
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
		default:
			option_error(o, ch, argv);
			break;
		}
	}
	for (; optind < argc; optind++) /* after "--" */
		add_positional(o, argv[optind]);
	return 0;
}

/* A usage error: point at --help; status fails as UNKNOWN. */
static int usage_error(const struct opts *o)
{
	fputs("try 'hwhealth --help'\n", stderr);
	if (o->cmd != NULL && strcmp(o->cmd, "status") == 0)
		return CLI_EXIT_UNKNOWN;
	return CLI_EXIT_WARNING;
}

/* Runs what the options ask for; returns the exit code. */
static int dispatch(struct opts *o)
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
	if (o->socket == NULL) {
		env = getenv("HWHEALTH_SOCKET");
		o->socket = env && *env ? env : CFG_DEFAULT_SOCKET;
	}
	return cmd->run(o);
}

int main(int argc, char **argv)
{
	struct opts o = {.timeout_ms = CLIENT_DEFAULT_TIMEOUT_MS};
	int rc;

	if (parse_args(argc, argv, &o) < 0) {
		fputs("hwhealth: out of memory\n", stderr);
		return CLI_EXIT_UNKNOWN;
	}
	rc = dispatch(&o);
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
