/*
 * One check runner for every suite, unit and integration, so `make check`
 * ends with one summary line.  The Makefile collects each
 * "Suite *NAME_suite(void)" defined under tests/unit and tests/integration
 * into suites.inc; a new test file needs no change here.
 * Pick suites with check's own CK_RUN_SUITE / CK_RUN_CASE variables.
 *
 * Daemons the tests start inherit LSAN_OPTIONS naming tests/lsan.supp
 * (leaks inside third-party libraries), unless the caller set their own.
 */
#include <check.h>
#include <stdlib.h>

#define SUITE(fn) Suite *fn(void);
#include "suites.inc"
#undef SUITE

int main(void)
{
	setenv("LSAN_OPTIONS", "suppressions=" HWH_SRC_DIR "/tests/lsan.supp:print_suppressions=0",
	       0);
	SRunner *sr = srunner_create(NULL);
#define SUITE(fn) srunner_add_suite(sr, fn());
#include "suites.inc"
#undef SUITE
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
