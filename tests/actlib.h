/*
 * actlib: drive an actuator plugin (.so) the way hwhealthd does, without the
 * daemon: load $(BUILD)/plugins/NAME.so, config() it with key/value options,
 * init() it, then call perform() and cluster() directly.  The host it sees
 * logs into a buffer (actlib_log()) and refuses readings and kept values:
 * an actuator has no use for them.  For the plugin-level tests of the
 * pacemaker, slurm and exec actuators.
 */
#ifndef HWH_TEST_ACTLIB_H
#define HWH_TEST_ACTLIB_H

#include <stddef.h>

#include <hwhealth/plugin.h>

struct actlib_ctx; /* the fake host context */

struct actlib {
	void *dl;
	const struct hwh_plugin *api;
	void *inst;
	struct actlib_ctx *ctx;
};

/* Load NAME.so, config() with opts (key, value, key, value, ..., NULL) and
 * init().  0; -1 with err set (config's message, with the option's key). */
int actlib_open(struct actlib *a, const char *name, const char *const *opts, char *err,
		size_t errlen);
/* An action as the core sends it: the rest of the fields zero. */
struct hwh_action actlib_action(const char *action, int state, int previous_state,
				const char *reason);
/* perform(): the plugin's return value; *r zeroed first. */
int actlib_perform(struct actlib *a, const struct hwh_action *act, struct hwh_action_result *r);
/* cluster(): the plugin's return value (-ENOSYS when it has none). */
int actlib_cluster(struct actlib *a, struct hwh_cluster *c, char *detail, size_t len);
/* Everything the plugin logged so far, one line per message. */
const char *actlib_log(struct actlib *a);
void actlib_close(struct actlib *a);

#endif
