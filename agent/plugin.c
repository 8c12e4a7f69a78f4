/*
 * plugin: the loader.  See plugin.h.
 */
#include "plugin.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* The fields every ABI 1.x plugin has: up to and including shutdown. */
#define PLUGIN_MIN_SIZE (offsetof(struct hwh_plugin, shutdown) + sizeof(void (*)(void *)))

static int name_ok(const char *name)
{
	if (*name == '\0' || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p != '\0'; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '_' &&
		    *p != '-')
			return 0;
	return 1;
}

static bool api_has_perform(const struct hwh_plugin *p)
{
	return p->struct_size >= offsetof(struct hwh_plugin, perform) + sizeof p->perform &&
	       p->perform != NULL;
}

static bool api_has_run(const struct hwh_plugin *p)
{
	return p->struct_size >= offsetof(struct hwh_plugin, run) + sizeof p->run && p->run != NULL;
}

int plugin_check(const struct hwh_plugin *p, const char *name, const char *path, char *err,
		 size_t errlen)
{
	uint32_t major = HWH_ABI_MAJOR_OF(p->abi_version);

	if (major != HWH_ABI_MAJOR) {
		snprintf(err, errlen,
			 "plugin '%s' (%s) was built for plugin ABI %u.%u, this hwhealthd "
			 "speaks %u.%u: rebuild it against this version's hwhealth/plugin.h",
			 name, path, major, p->abi_version & 0xffff, HWH_ABI_MAJOR, HWH_ABI_MINOR);
		return -EPROTO;
	}
	if (p->struct_size < PLUGIN_MIN_SIZE) {
		snprintf(err, errlen,
			 "plugin '%s' (%s) has a descriptor of %u bytes, ABI %u needs at least %zu",
			 name, path, p->struct_size, HWH_ABI_MAJOR, PLUGIN_MIN_SIZE);
		return -EPROTO;
	}
	if (p->name == NULL || strcmp(p->name, name) != 0) {
		snprintf(err, errlen, "plugin file %s calls itself '%s', expected '%s'", path,
			 p->name ? p->name : "(null)", name);
		return -EPROTO;
	}
	if (p->config == NULL || p->shutdown == NULL ||
	    (p->poll == NULL && p->act == NULL && !api_has_perform(p) && !api_has_run(p))) {
		snprintf(err, errlen,
			 "plugin '%s' (%s) lacks a required callback (config, shutdown, and "
			 "poll, act, perform or run)",
			 name, path);
		return -EPROTO;
	}
	return 0;
}

bool plugin_is_actuator(const struct plugin *p)
{
	return api_has_perform(p->api);
}

bool plugin_is_service(const struct plugin *p)
{
	return api_has_run(p->api);
}

static struct plugin *registry_find(struct plugin_registry *reg, const char *name)
{
	for (struct plugin *p = reg->head; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static int plugin_open(const char *path, const char *name, void **dl, const struct hwh_plugin **api,
		       char *err, size_t errlen)
{
	*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (*dl == NULL) {
		snprintf(err, errlen, "cannot load plugin '%s': %s", name, dlerror());
		return -EIO;
	}
	*api = dlsym(*dl, HWH_PLUGIN_SYMBOL);
	if (*api == NULL) {
		snprintf(err, errlen, "%s is not a hwhealth plugin: no symbol '%s'", path,
			 HWH_PLUGIN_SYMBOL);
		dlclose(*dl);
		return -EPROTO;
	}
	int rc = plugin_check(*api, name, path, err, errlen);
	if (rc < 0)
		dlclose(*dl);
	return rc;
}

int plugin_load(struct plugin_registry *reg, const char *dir, const char *name,
		const struct plugin **out, char *err, size_t errlen)
{
	struct plugin *p = registry_find(reg, name);
	char file[80];
	char *path;
	int rc;

	if (p != NULL) {
		*out = p;
		return 0;
	}
	if (!name_ok(name)) {
		snprintf(err, errlen, "invalid plugin name '%s' (expected [a-z0-9_-]+)", name);
		return -EINVAL;
	}
	snprintf(file, sizeof file, "%s.so", name);
	path = path_join(dir, file);
	if (path == NULL)
		return -ENOMEM;
	if (access(path, F_OK) != 0) {
		snprintf(err, errlen, "no plugin '%s' in %s (looked for %s)", name, dir, path);
		free(path);
		return -ENOENT;
	}
	p = calloc(1, sizeof *p);
	if (p == NULL || (p->name = strdup(name)) == NULL) {
		free(p);
		free(path);
		return -ENOMEM;
	}
	p->path = path;
	rc = plugin_open(path, name, &p->dl, &p->api, err, errlen);
	if (rc < 0) {
		free(p->name);
		free(p->path);
		free(p);
		return rc;
	}
	p->next = reg->head;
	reg->head = p;
	*out = p;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

long plugin_list_dir(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
			continue;
		char **nv = realloc(v, (n + 1) * sizeof *v);
		if (nv == NULL || (nv[n] = strndup(de->d_name, len - 3)) == NULL) {
			v = nv ? nv : v;
			while (n > 0)
				free(v[--n]);
			free(v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_str);
	*names = v;
	return (long)n;
}

void plugin_registry_free(struct plugin_registry *reg)
{
	struct plugin *p = reg->head, *next;

	/* No dlclose: see plugin.h. */
	for (; p != NULL; p = next) {
		next = p->next;
		free(p->name);
		free(p->path);
		free(p);
	}
	reg->head = NULL;
}
