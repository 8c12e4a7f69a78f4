/*
 * libFuzzer target for the CLI's rendering of what the daemon answers
 * (agent/cli_format.c): any JSON, however odd its types or sizes, must be
 * printed or refused without a crash, and map to a valid exit code.  Every
 * printer sees every input (status, sensors, events, explain, rules, rule
 * details, history, drives, actions, silences, the policy line and check's
 * verdict), so a status-shaped input also probes the others.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	json_tokener *tok;
	json_object *obj;

	if (sink == NULL && (sink = fopen("/dev/null", "w")) == NULL)
		abort();
	if (size > 1 << 20 || (tok = json_tokener_new()) == NULL)
		return 0;
	obj = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	json_tokener_free(tok);
	if (obj == NULL)
		return 0;
	cli_print_status(sink, obj);
	cli_print_sensors(sink, obj);
	cli_print_events(sink, obj);
	cli_print_explain(sink, obj);
	cli_print_rules(sink, obj);
	cli_print_rule_details(sink, obj);
	cli_print_history(sink, obj);
	cli_print_drives(sink, obj);
	cli_print_drive(sink, obj);
	cli_print_actions(sink, obj);
	cli_print_actions_verbose(sink, obj);
	cli_print_silences(sink, obj);
	cli_print_silence(sink, obj);
	int code = cli_state_exit(cli_node_state(obj));
	if (code < 0 || code > 3)
		abort(); /* the monitoring-plugin convention has four codes */
	/* The policy line and check's one line: NUL-terminated, within the
	 * buffer, no newline; a short buffer too. */
	char line[CLI_LINE_LEN], small[8];
	json_object *policy = json_object_object_get(obj, "policy");
	cli_fmt_policy(line, sizeof(line), policy ? policy : obj, cli_node_state(obj));
	cli_fmt_policy(small, sizeof(small), policy ? policy : obj, NULL);
	if (strlen(line) >= sizeof(line) || strchr(line, '\n') || strlen(small) >= sizeof(small))
		abort();
	for (int fail_on = CLI_RANK_YELLOW; fail_on <= CLI_RANK_CRITICAL; fail_on++) {
		code = cli_check_verdict(obj, fail_on, line, sizeof(line));
		if ((code != 0 && code != 1 && code != CLI_EXIT_UNKNOWN) || strchr(line, '\n'))
			abort(); /* check's exit codes, and one line */
	}
	json_object_put(obj);
	return 0;
}
