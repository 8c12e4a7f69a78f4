/*
 * plugin: finding, loading and checking plugin shared objects.
 *
 * A plugin NAME lives in DIR/NAME.so and exports HWH_PLUGIN_SYMBOL.  The
 * loader refuses a plugin built for another ABI major version, one whose
 * struct is too small to hold the fields of ABI 1.0, one whose name differs
 * from its file name, and one without the callbacks a source needs.
 * Loaded plugins are kept in a registry and never unloaded: a poll thread
 * abandoned after a timeout may still be running the plugin's code.
 */
#ifndef HWH_PLUGIN_LOADER_H
#define HWH_PLUGIN_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include <hwhealth/plugin.h>

#define PLUGIN_ERR_MAX 512

struct plugin {
	char *name;
	char *path;
	void *dl;
	const struct hwh_plugin *api;
	struct plugin *next;
};

struct plugin_registry {
	struct plugin *head;
};

/*
 * Load DIR/NAME.so (or return it if already loaded).  Returns 0 with *out
 * set; -ENOENT if there is no such file; -EINVAL if the name is not a plain
 * plugin name; -EPROTO if the plugin is refused (ABI, struct size, name,
 * missing callbacks); -EIO if dlopen/dlsym fail.  err says why in words.
 */
int plugin_load(struct plugin_registry *reg, const char *dir, const char *name,
		const struct plugin **out, char *err, size_t errlen);

/* Check a plugin descriptor against this core's ABI.  0, or -EPROTO with err set. */
int plugin_check(const struct hwh_plugin *p, const char *name, const char *path, char *err,
		 size_t errlen);

/* Names of the plugins in dir (NAME for each NAME.so), sorted; the caller
 * frees each string and the array.  Returns the count or a negative errno. */
long plugin_list_dir(const char *dir, char ***names);

void plugin_registry_free(struct plugin_registry *reg);

/* Is key one of the plugin's multi-word options (ABI 1.2)? (prepare.c) */
bool plugin_multiword(const struct plugin *p, const char *key);
/* Does the plugin carry out actions (ABI 1.3 perform())? */
bool plugin_is_actuator(const struct plugin *p);
/* It has run() (ABI 1.4): a "service" block runs it. */
bool plugin_is_service(const struct plugin *p);

#endif
