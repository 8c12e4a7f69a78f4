/*
 * libFuzzer target for the CLI's rendering of what the daemon answers
 * (agent/cli_format.c): any JSON, however odd its types or sizes, must be
 * printed or refused without a crash, and map to a valid exit code.  Every
 * printer sees every input (status, sensors, events, explain, rules, rule
 * details, history), so a status-shaped input also probes the others.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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
	int code = cli_state_exit(cli_node_state(obj));
	if (code < 0 || code > 3)
		abort(); /* the monitoring-plugin convention has four codes */
	json_object_put(obj);
	return 0;
}
