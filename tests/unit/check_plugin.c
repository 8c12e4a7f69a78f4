/* Unit tests for agent/plugin.c: the loader accepts a good plugin, refuses
 * an ABI mismatch with a clear message, keeps "not found" apart from
 * "refused", and lists a directory. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin.h"

#define TEST_PLUGINS HWH_BUILD_DIR "/tests/plugins"

START_TEST(test_load_good)
{
	struct plugin_registry reg = {0};
	const struct plugin *p, *again;
	char err[PLUGIN_ERR_MAX] = "";

	ck_assert_int_eq(plugin_load(&reg, TEST_PLUGINS, "echo", &p, err, sizeof err), 0);
	ck_assert_str_eq(p->api->name, "echo");
	ck_assert_ptr_nonnull(p->api->poll);
	ck_assert_int_eq(plugin_load(&reg, TEST_PLUGINS, "echo", &again, err, sizeof err), 0);
	ck_assert_ptr_eq(p, again); /* loaded once */
	plugin_registry_free(&reg);
}
END_TEST

START_TEST(test_refuse_abi_mismatch)
{
	struct plugin_registry reg = {0};
	const struct plugin *p = NULL;
	char err[PLUGIN_ERR_MAX], want[PLUGIN_ERR_MAX];

	ck_assert_int_eq(plugin_load(&reg, TEST_PLUGINS, "badabi", &p, err, sizeof err), -EPROTO);
	ck_assert_ptr_null(p);
	snprintf(want, sizeof want,
		 "plugin 'badabi' (%s/badabi.so) was built for plugin ABI %d.0, this hwhealthd "
		 "speaks %d.%d: rebuild it against this version's hwhealth/plugin.h",
		 TEST_PLUGINS, HWH_ABI_MAJOR + 1, HWH_ABI_MAJOR, HWH_ABI_MINOR);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(reg.head);
}
END_TEST

START_TEST(test_not_found_vs_invalid)
{
	struct plugin_registry reg = {0};
	const struct plugin *p;
	char err[PLUGIN_ERR_MAX];

	ck_assert_int_eq(plugin_load(&reg, "/nonexistent", "sensors", &p, err, sizeof err),
			 -ENOENT);
	ck_assert_str_eq(
	    err, "no plugin 'sensors' in /nonexistent (looked for /nonexistent/sensors.so)");
	ck_assert_int_eq(plugin_load(&reg, TEST_PLUGINS, "../echo", &p, err, sizeof err), -EINVAL);
	ck_assert_str_eq(err, "invalid plugin name '../echo' (expected [a-z0-9_-]+)");
}
END_TEST

static int dummy_config(const struct hwh_option *o, size_t n, void **i, struct hwh_config_error *e)
{
	(void)o, (void)n, (void)i, (void)e;
	return 0;
}

static void dummy_shutdown(void *i)
{
	(void)i;
}

START_TEST(test_check_struct)
{
	struct hwh_plugin p = {.abi_version = HWH_ABI_VERSION,
			       .struct_size = 8,
			       .name = "x",
			       .config = dummy_config,
			       .shutdown = dummy_shutdown};
	char err[PLUGIN_ERR_MAX];

	ck_assert_int_eq(plugin_check(&p, "x", "/p/x.so", err, sizeof err), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "has a descriptor of 8 bytes"));
	p.struct_size = sizeof p;
	ck_assert_int_eq(plugin_check(&p, "x", "/p/x.so", err, sizeof err), -EPROTO);
	ck_assert_str_eq(
	    err, "plugin 'x' (/p/x.so) lacks a required callback (config, shutdown, and poll, act, "
		 "perform or run)");
	p.name = "y";
	ck_assert_int_eq(plugin_check(&p, "x", "/p/x.so", err, sizeof err), -EPROTO);
	ck_assert_str_eq(err, "plugin file /p/x.so calls itself 'y', expected 'x'");
	/* A newer minor version is fine. */
	p.name = "x";
	p.abi_version = HWH_ABI_VERSION + 1;
	p.act = (int (*)(void *, struct hwh_ctx *, const char *, const char *))1;
	ck_assert_int_eq(plugin_check(&p, "x", "/p/x.so", err, sizeof err), 0);
}
END_TEST

START_TEST(test_list_dir)
{
	char **names;
	long n = plugin_list_dir(TEST_PLUGINS, &names);

	ck_assert_int_eq(n, 6);
	ck_assert_str_eq(names[0], "actrec");
	ck_assert_str_eq(names[1], "badabi");
	ck_assert_str_eq(names[2], "echo");
	ck_assert_str_eq(names[3], "probe");
	ck_assert_str_eq(names[4], "sleepy");
	ck_assert_str_eq(names[5], "svcrec");
	for (long i = 0; i < n; i++)
		free(names[i]);
	free(names);
	ck_assert_int_eq(plugin_list_dir("/nonexistent", &names), -ENOENT);
}
END_TEST

Suite *plugin_suite(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("loader");

	tcase_add_test(tc, test_load_good);
	tcase_add_test(tc, test_refuse_abi_mismatch);
	tcase_add_test(tc, test_not_found_vs_invalid);
	tcase_add_test(tc, test_check_struct);
	tcase_add_test(tc, test_list_dir);
	suite_add_tcase(s, tc);
	return s;
}
