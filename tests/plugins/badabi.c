/*
 * badabi: a test plugin built for the next ABI major version.  The loader
 * must refuse it with a message naming both versions.
 */
#include <hwhealth/plugin.h>

static int bad_config(const struct hwh_option *o, size_t n, void **inst, struct hwh_config_error *e)
{
	(void)o, (void)n, (void)e;
	*inst = NULL;
	return 0;
}

static int bad_poll(void *inst, struct hwh_ctx *ctx)
{
	(void)inst, (void)ctx;
	return 0;
}

static void bad_shutdown(void *inst)
{
	(void)inst;
}

__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
    .abi_version = ((HWH_ABI_MAJOR + 1) << 16) | 0,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "badabi",
    .config = bad_config,
    .poll = bad_poll,
    .shutdown = bad_shutdown,
};
