/*
 * actrig: the rig the policy tests share, a real hwhealthd whose echo source
 * (tests/plugins/echo.c) gives exact readings and whose rules turn the node
 * red above 50 (critical above 90), with one actuator under test.  The
 * helpers prepare its tree and the head of its configuration, set the
 * reading, and read the daemon's action records ({"cmd":"actions"}).
 *
 * Used by check_policy_daemon, check_pacemaker_daemon, check_slurm_daemon
 * and check_exec_daemon.  What only one suite needs (the actrec log, the
 * exec hook's runs, the cluster's own view) stays in that suite.  Like
 * testlib, the helpers abort the running test when something they cannot
 * recover from goes wrong.
 */
#ifndef HWH_TEST_ACTRIG_H
#define HWH_TEST_ACTRIG_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "testlib.h"

/* temp1 of source e above 50: red (severity critical). */
#define ACTRIG_RULE_HOT                                                                            \
	"rule hot {\n\tmatch source e\n\tmatch kind temperature\n"                                 \
	"\twhen value > 50\n\tseverity critical\n"                                                 \
	"\tmessage \"${name} at ${value} > 50\"\n}\n"
/* temp1 of source e above 90: critical (severity fatal). */
#define ACTRIG_RULE_BOILING                                                                        \
	"rule boiling {\n\tmatch source e\n\tmatch kind temperature\n"                             \
	"\twhen value > 90\n\tseverity fatal\n"                                                    \
	"\tmessage \"${name} at ${value} > 90\"\n}\n"

/*
 * Prepare t for a daemon: W/rules/t.rules holding rules, W/vals.txt (its
 * path in vals, TL_PATH_MAX bytes) with temp1 at 40, the plugin dir W/pl
 * with echo and plugin, and in conf the configuration's head: those
 * directories, recover-after 0, state-interval 1s, interval 200ms and the
 * block "source e".  Returns the head's length; the caller appends its
 * action and policy blocks.
 */
size_t actrig_prepare(struct fake_tree *t, const char *plugin, const char *rules, char *vals,
		      char *conf, size_t conf_len);
/* Write "chip0 temp1 temperature V" to the echo file vals. */
void actrig_set_temp(const char *vals, int v);

/* The daemon's actions result (caller puts). */
json_object *actrig_actions(struct test_daemon *d);
/* The newest record of action (any if NULL) with result (any if NULL) in
 * an actions result, or NULL.  Borrowed from res. */
json_object *actrig_find(json_object *res, const char *action, const char *result);
/* How many records of action with result (NULL: any) an actions result
 * holds. */
int actrig_count(json_object *res, const char *action, const char *result);
/* The daemon's newest such record (caller puts), or NULL. */
json_object *actrig_record(struct test_daemon *d, const char *action, const char *result);
/* Wait up to timeout_ms for such a record: it (caller puts), or NULL. */
json_object *actrig_await(struct test_daemon *d, const char *action, const char *result,
			  int timeout_ms);
/* The same, failing the test, quoting every record, when none comes. */
json_object *actrig_wait_record(struct test_daemon *d, const char *action, const char *result,
				int timeout_ms);

#endif
