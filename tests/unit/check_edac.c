/*
 * check_edac: unit tests of the edac plugin's pure parts
 * (plugins/edac_value.c): the strict parser of a sysfs count, label
 * cleaning, the recognition of mcN / dimmM / csrowK directories and
 * chJ_ce_count files, and the names given to devices and metrics, which
 * rules/edac.rules relies on.  Reading a real tree is tested against fixture
 * trees in tests/integration/check_edac_daemon.c.
 *
 * To add a case: one row in a table below, with the exact expected value
 * or message.
 */
#include <check.h>
#include <fnmatch.h>
#include <stdint.h>
#include <string.h>

#include "../../plugins/edac_internal.h"

Suite *edac_suite(void); /* called by tests/main.c */

/* ---- edac_parse_count ----------------------------------------------------- */

static const struct {
	const char *text;
	uint64_t value;
} good_counts[] = {
    {"0\n", 0},	  {"0", 0},
    {"17\n", 17}, {"4294967295\n", 4294967295u},
    {"007\n", 7}, {"9007199254740992\n", UINT64_C(9007199254740992)},
};

static const struct {
	const char *text;
	const char *why;
} bad_counts[] = {
    {"", "empty value"},
    {"\n", "empty value"},
    {"-1\n", "negative count"},
    {"+1\n", "not a decimal count"},
    {" 1\n", "not a decimal count"},
    {"1 \n", "not a decimal count"},
    {"12\n\n", "not a decimal count"},
    {"0x10\n", "not a decimal count"},
    {"1.5\n", "not a decimal count"},
    {"abc\n", "not a decimal count"},
    {"12abc", "not a decimal count"},
    {"9007199254740993\n", "count out of range"},
    {"99999999999999999999999\n", "count out of range"},
};

START_TEST(test_parse_good)
{
	const char *why = NULL;
	uint64_t v = 12345;

	ck_assert_int_eq(
	    edac_parse_count(good_counts[_i].text, strlen(good_counts[_i].text), &v, &why), 0);
	ck_assert_uint_eq(v, good_counts[_i].value);
}
END_TEST

START_TEST(test_parse_bad)
{
	const char *why = NULL;
	uint64_t v = 12345;

	ck_assert_int_eq(
	    edac_parse_count(bad_counts[_i].text, strlen(bad_counts[_i].text), &v, &why), -1);
	ck_assert_str_eq(why, bad_counts[_i].why);
	ck_assert_uint_eq(v, 12345); /* untouched on failure */
}
END_TEST

/* The length, not a NUL, ends the text: a NUL inside is not a digit. */
START_TEST(test_parse_length_bound)
{
	const char *why = NULL;
	uint64_t v = 0;

	ck_assert_int_eq(edac_parse_count("12\n999", 3, &v, &why), 0);
	ck_assert_uint_eq(v, 12);
	ck_assert_int_eq(edac_parse_count("1\0002", 3, &v, &why), -1);
	ck_assert_str_eq(why, "not a decimal count");
}
END_TEST

/* ---- edac_clean_text ------------------------------------------------------ */

START_TEST(test_clean_text)
{
	char out[32], small[16];

	ck_assert_uint_eq(edac_clean_text("DIMM_A1\n", 8, out, sizeof out), 7);
	ck_assert_str_eq(out, "DIMM_A1");
	ck_assert_uint_eq(edac_clean_text("", 0, out, sizeof out), 0); /* unset label */
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(edac_clean_text("\n", 1, out, sizeof out), 0);
	ck_assert_uint_eq(edac_clean_text("channel 0 slot 1 ", 17, out, sizeof out), 16);
	ck_assert_str_eq(out, "channel 0 slot 1"); /* dimm_location ends with a space */
	ck_assert_uint_eq(edac_clean_text("a\tb\033c", 5, out, sizeof out), 5);
	ck_assert_str_eq(out, "a?b?c");
	ck_assert_uint_eq(edac_clean_text("0123456789abcdefXYZ", 19, small, sizeof small), 15);
	ck_assert_str_eq(small, "0123456789abcde");
}
END_TEST

/* ---- names ---------------------------------------------------------------- */

START_TEST(test_dir_index)
{
	unsigned i = 77;

	ck_assert_int_eq(edac_dir_index("mc0", "mc", &i), 1);
	ck_assert_uint_eq(i, 0);
	ck_assert_int_eq(edac_dir_index("dimm12", "dimm", &i), 1);
	ck_assert_uint_eq(i, 12);
	ck_assert_int_eq(edac_dir_index("csrow9999", "csrow", &i), 1);
	ck_assert_uint_eq(i, 9999);
	ck_assert_int_eq(edac_dir_index("csrow10000", "csrow", &i), 0);
	ck_assert_int_eq(edac_dir_index("mc", "mc", &i), 0);
	ck_assert_int_eq(edac_dir_index("mc01", "mc", &i), 0);
	ck_assert_int_eq(edac_dir_index("mc1x", "mc", &i), 0);
	ck_assert_int_eq(edac_dir_index("mc_name", "mc", &i), 0);
	ck_assert_int_eq(edac_dir_index("dimm-1", "dimm", &i), 0);
	ck_assert_int_eq(edac_dir_index("rank3", "dimm", &i), 0);
}
END_TEST

START_TEST(test_chan_file)
{
	unsigned c = 77;

	ck_assert_int_eq(edac_chan_file("ch0_ce_count", &c), 1);
	ck_assert_uint_eq(c, 0);
	ck_assert_int_eq(edac_chan_file("ch7_ce_count", &c), 1);
	ck_assert_uint_eq(c, 7);
	ck_assert_int_eq(edac_chan_file("ch0_dimm_label", &c), 0);
	ck_assert_int_eq(edac_chan_file("ch_ce_count", &c), 0);
	ck_assert_int_eq(edac_chan_file("ch0_ce_count2", &c), 0);
	ck_assert_int_eq(edac_chan_file("ce_count", &c), 0);
}
END_TEST

START_TEST(test_metric_names)
{
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_MC, "ce_count"), "total_ce");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_MC, "ue_count"), "total_ue");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_MC, "ce_noinfo_count"), "ce_noinfo_count");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_MC, "ue_noinfo_count"), "ue_noinfo_count");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_DIMM, "dimm_ce_count"), "dimm_ce_count");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_DIMM, "dimm_ue_count"), "dimm_ue_count");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_CSROW, "ce_count"), "csrow_total_ce");
	ck_assert_str_eq(edac_metric_name(EDAC_LVL_CSROW, "ue_count"), "csrow_ue_count");
	ck_assert_ptr_null(edac_metric_name(EDAC_LVL_MC, "dimm_ce_count"));
	ck_assert_ptr_null(edac_metric_name(EDAC_LVL_DIMM, "ce_count"));
	ck_assert_ptr_null(edac_metric_name(EDAC_LVL_MC, "size_mb"));
	ck_assert_ptr_null(edac_metric_name(EDAC_LVL_MC, "reset_counters"));
}
END_TEST

/* Whether name matches one of the globs of a match line. */
static int matches(const char *const *globs, const char *name)
{
	for (; *globs != NULL; globs++)
		if (fnmatch(*globs, name, 0) == 0)
			return 1;
	return 0;
}

/* The names against the match lines of rules/edac.rules (copied here: a
 * change there must change this test): corrected errors are counted per
 * DIMM only, uncorrected ones at the finest level and when unplaced. */
START_TEST(test_names_fit_rules)
{
	static const char *const ce_rule[] = {"dimm_ce_count", "ch*_ce_count", NULL};
	static const char *const ue_rule[] = {"dimm_ue_count", "csrow_ue_count", "ue_noinfo_count",
					      NULL};
	static const struct {
		enum edac_level lvl;
		const char *file;
		int ce, ue;
	} rows[] = {
	    {EDAC_LVL_MC, "ce_count", 0, 0},	    {EDAC_LVL_MC, "ue_count", 0, 0},
	    {EDAC_LVL_MC, "ce_noinfo_count", 0, 0}, {EDAC_LVL_MC, "ue_noinfo_count", 0, 1},
	    {EDAC_LVL_DIMM, "dimm_ce_count", 1, 0}, {EDAC_LVL_DIMM, "dimm_ue_count", 0, 1},
	    {EDAC_LVL_CSROW, "ce_count", 0, 0},	    {EDAC_LVL_CSROW, "ue_count", 0, 1},
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *n = edac_metric_name(rows[i].lvl, rows[i].file);

		ck_assert_ptr_nonnull(n);
		ck_assert_msg(matches(ce_rule, n) == rows[i].ce, "%s: ce rule", n);
		ck_assert_msg(matches(ue_rule, n) == rows[i].ue, "%s: ue rule", n);
	}
	ck_assert(matches(ce_rule, "ch3_ce_count")); /* per-channel files keep their name */
}
END_TEST

START_TEST(test_device_names)
{
	char buf[EDAC_ID_MAX], tiny[6];

	ck_assert_int_eq(edac_device_name(buf, sizeof buf, 0, NULL), 0);
	ck_assert_str_eq(buf, "mc0");
	ck_assert_int_eq(edac_device_name(buf, sizeof buf, 3, ""), 0);
	ck_assert_str_eq(buf, "mc3");
	ck_assert_int_eq(edac_device_name(buf, sizeof buf, 0, "dimm1"), 0);
	ck_assert_str_eq(buf, "mc0-dimm1");
	ck_assert_int_eq(edac_device_name(buf, sizeof buf, 1, "csrow0"), 0);
	ck_assert_str_eq(buf, "mc1-csrow0");
	ck_assert_int_eq(edac_device_name(buf, sizeof buf, 2, "rank5"), 0);
	ck_assert_str_eq(buf, "mc2-rank5");
	ck_assert_int_eq(edac_device_name(tiny, sizeof tiny, 0, "dimm1"), -1);
}
END_TEST

Suite *edac_suite(void)
{
	Suite *s = suite_create("edac");
	TCase *tc = tcase_create("values");

	tcase_add_loop_test(tc, test_parse_good, 0, sizeof good_counts / sizeof good_counts[0]);
	tcase_add_loop_test(tc, test_parse_bad, 0, sizeof bad_counts / sizeof bad_counts[0]);
	tcase_add_test(tc, test_parse_length_bound);
	tcase_add_test(tc, test_clean_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_dir_index);
	tcase_add_test(tc, test_chan_file);
	tcase_add_test(tc, test_metric_names);
	tcase_add_test(tc, test_names_fit_rules);
	tcase_add_test(tc, test_device_names);
	suite_add_tcase(s, tc);
	return s;
}
