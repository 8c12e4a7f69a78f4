/*
 * check_ipmi: unit tests of the ipmi plugin's pure parts, the two files
 * that call no IPMI library: plugins/ipmi_opts.c (options) and
 * plugins/ipmi_class.c (metric names, SEL event types, units, flags,
 * errors).  The rest of the plugin needs a BMC and is tested against
 * ipmi_sim in tests/integration/check_ipmi_daemon.c.
 *
 * Option tests parse a list of "key", "value" pairs as a source block
 * would hand them over (option i on line i + 1) and assert exact values, or
 * the exact message and the index of the option it blames.  The SEL tests
 * walk every row of the classification table of the contract
 * (/work/notes/ipmi-contract.md), asserted and deasserted.  To add a case:
 * write the pairs and the complete expected message.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <freeipmi/api/ipmi-api.h>
#include <ipmi_monitoring.h>
#include <ipmi_monitoring_bitmasks.h>

#include <hwhealth/plugin.h>

#include "../../plugins/ipmi_internal.h"

Suite *ipmi_suite(void); /* called by tests/main.c */

#define MAX_OPTS 32

/* Parse the NULL-key-terminated pairs kv into o (zeroed first). */
static int parse(struct bmc_opts *o, struct hwh_config_error *err, const char *const *kv)
{
	struct hwh_option opts[MAX_OPTS];
	size_t n = 0;

	for (; kv[2 * n] != NULL; n++) {
		ck_assert_uint_lt(n, MAX_OPTS);
		opts[n] = (struct hwh_option){.key = kv[2 * n],
					      .value = kv[2 * n + 1],
					      .file = "t.conf",
					      .line = (int)n + 1,
					      .col = 2};
	}
	memset(o, 0, sizeof *o);
	memset(err, 0, sizeof *err);
	return bmc_opts_parse(opts, n, o, err);
}

/* kv must parse; the caller checks o and frees it. */
static void parse_ok(struct bmc_opts *o, const char *const *kv)
{
	struct hwh_config_error err;
	int rc = parse(o, &err, kv);

	ck_assert_msg(rc == 0, "refused (option %d): %s", err.option, err.msg);
	ck_assert_int_eq(err.option, -1);
}

/* kv must be refused with msg, blaming option index. */
static void expect_error(const char *const *kv, int index, const char *msg)
{
	struct hwh_config_error err;
	struct bmc_opts o;

	ck_assert_int_eq(parse(&o, &err, kv), -1);
	ck_assert_str_eq(err.msg, msg);
	ck_assert_int_eq(err.option, index);
	bmc_opts_free(&o);
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NET "host", "10.0.0.5:623"

/* ---- options: good configurations ---------------------------------------- */

START_TEST(test_defaults_inband)
{
	struct bmc_opts o;
	const char *const none[] = {NULL};

	parse_ok(&o, none);
	ck_assert_ptr_null(o.host);
	ck_assert_int_eq(o.proto, BMC_INBAND);
	ck_assert_int_eq(o.driver, BMC_DRIVER_AUTO);
	ck_assert_ptr_null(o.driver_device);
	ck_assert_ptr_null(o.user);
	ck_assert_uint_eq(o.password_len, 0);
	ck_assert_uint_eq(o.k_g_len, 0);
	ck_assert_int_eq(o.privilege, IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR);
	ck_assert_int_eq(o.authentication, IPMI_MONITORING_AUTHENTICATION_TYPE_MD5);
	ck_assert_int_eq(o.cipher_suite, 3);
	ck_assert_uint_eq(o.workarounds, 0);
	ck_assert_uint_eq(o.session_timeout_ms, 3000);
	ck_assert_uint_eq(o.retrans_timeout_ms, 500);
	ck_assert_str_eq(o.sdr_cache_dir, LOCALSTATEDIR "/cache/hwhealth/ipmi");
	ck_assert_ptr_null(o.interpret_file);
	ck_assert_ptr_null(o.sel_interpret_file);
	ck_assert_int_eq(o.sensors, 1);
	ck_assert_int_eq(o.sel, 1);
	ck_assert_uint_eq(o.sel_info_interval_ms, 300000);
	bmc_opts_free(&o);
}
END_TEST

START_TEST(test_lanplus_full)
{
	struct bmc_opts o;
	static const unsigned char key[] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

	parse_ok(&o, KV("host", "bmc1.example.com", "user", "admin", "password", "adminpw",
			"privilege", "admin", "cipher-suite", "17", "k_g", "0x0123456789ABCDEF",
			"workarounds", "opensesspriv, intel20", "session-timeout", "2s",
			"retransmission-timeout", "250ms", "sel-info-interval", "30s", "sensors",
			"no", "sdr-cache-dir", "/tmp/hwh-ipmi-cache"));
	ck_assert_str_eq(o.host, "bmc1.example.com");
	ck_assert_int_eq(o.proto, BMC_LANPLUS);
	ck_assert_str_eq(o.user, "admin");
	ck_assert_str_eq(o.password, "adminpw");
	ck_assert_uint_eq(o.password_len, 7);
	ck_assert_int_eq(o.privilege, IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN);
	ck_assert_int_eq(o.cipher_suite, 17);
	ck_assert_uint_eq(o.k_g_len, sizeof key);
	ck_assert_mem_eq(o.k_g, key, sizeof key);
	ck_assert_uint_eq(
	    o.workarounds,
	    IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_2_0_OPEN_SESSION_PRIVILEGE |
		IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_2_0_INTEL_2_0_SESSION);
	ck_assert_uint_eq(o.session_timeout_ms, 2000);
	ck_assert_uint_eq(o.retrans_timeout_ms, 250);
	ck_assert_uint_eq(o.sel_info_interval_ms, 30000);
	ck_assert_int_eq(o.sensors, 0);
	ck_assert_int_eq(o.sel, 1);
	ck_assert_str_eq(o.sdr_cache_dir, "/tmp/hwh-ipmi-cache");
	bmc_opts_free(&o);
}
END_TEST

START_TEST(test_lan_and_inband)
{
	struct bmc_opts o;

	parse_ok(&o,
		 KV(NET, "protocol", "lan", "authentication", "md2", "privilege", "user",
		    "workarounds", "idzero,forcepermsg,authcap", "password", "0123456789abcdef"));
	ck_assert_int_eq(o.proto, BMC_LAN);
	ck_assert_int_eq(o.authentication, IPMI_MONITORING_AUTHENTICATION_TYPE_MD2);
	ck_assert_int_eq(o.privilege, IPMI_MONITORING_PRIVILEGE_LEVEL_USER);
	ck_assert_uint_eq(
	    o.workarounds,
	    IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_1_5_ACCEPT_SESSION_ID_ZERO |
		IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_1_5_FORCE_PERMSG_AUTHENTICATION |
		IPMI_MONITORING_WORKAROUND_FLAGS_PROTOCOL_VERSION_1_5_AUTHENTICATION_CAPABILITIES);
	ck_assert_uint_eq(o.password_len, 16);
	bmc_opts_free(&o);

	parse_ok(&o, KV("driver", "openipmi", "driver-device", "/dev/ipmi0", "workarounds",
			"assumeio,spinpoll", "sel", "no"));
	ck_assert_int_eq(o.proto, BMC_INBAND);
	ck_assert_int_eq(o.driver, IPMI_MONITORING_DRIVER_TYPE_OPENIPMI);
	ck_assert_str_eq(o.driver_device, "/dev/ipmi0");
	ck_assert_uint_eq(o.workarounds,
			  IPMI_MONITORING_WORKAROUND_FLAGS_INBAND_ASSUME_IO_BASE_ADDRESS |
			      IPMI_MONITORING_WORKAROUND_FLAGS_INBAND_SPIN_POLL);
	ck_assert_int_eq(o.sel, 0);
	bmc_opts_free(&o);
}
END_TEST

START_TEST(test_word_values)
{
	static const struct {
		const char *key, *val;
		int want;
	} cases[] = {
	    {"driver", "auto", BMC_DRIVER_AUTO},
	    {"driver", "kcs", IPMI_MONITORING_DRIVER_TYPE_KCS},
	    {"driver", "ssif", IPMI_MONITORING_DRIVER_TYPE_SSIF},
	    {"driver", "sunbmc", IPMI_MONITORING_DRIVER_TYPE_SUNBMC},
	    {"privilege", "operator", IPMI_MONITORING_PRIVILEGE_LEVEL_OPERATOR},
	    {"authentication", "none", IPMI_MONITORING_AUTHENTICATION_TYPE_NONE},
	    {"authentication", "straight",
	     IPMI_MONITORING_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY},
	    {"authentication", "md5", IPMI_MONITORING_AUTHENTICATION_TYPE_MD5},
	};
	static const char *const suites[] = {"1",  "2",	 "3",  "6",  "7", "8",
					     "11", "12", "15", "16", "17"};
	struct bmc_opts o;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int v;

		if (strcmp(cases[i].key, "driver") == 0) {
			parse_ok(&o, KV(cases[i].key, cases[i].val));
			v = o.driver;
		} else if (strcmp(cases[i].key, "privilege") == 0) {
			parse_ok(&o, KV(NET, cases[i].key, cases[i].val));
			v = o.privilege;
		} else {
			parse_ok(&o, KV(NET, "protocol", "lan", cases[i].key, cases[i].val));
			v = o.authentication;
		}
		ck_assert_msg(v == cases[i].want, "%s %s: %d", cases[i].key, cases[i].val, v);
		bmc_opts_free(&o);
	}
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		parse_ok(&o, KV(NET, "cipher-suite", suites[i]));
		ck_assert_int_eq(o.cipher_suite, atoi(suites[i]));
		bmc_opts_free(&o);
	}
}
END_TEST

START_TEST(test_hosts)
{
	static const char *const good[] = {
	    "10.0.0.5",	      "10.0.0.5:623",	  "bmc-1.example.com", "bmc_1:1",
	    "127.0.0.1:9623", "localhost:623",	  "[fd00::5]",	       "[fd00::5]:623",
	    "[::1]:65535",    "[::ffff:10.0.0.5]"};
	char msg[256];

	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_msg(bmc_check_host(good[i], msg, sizeof msg) == 0, "%s: %s", good[i],
			      msg);
	ck_assert_int_eq(bmc_check_host("10.0.0.5:0", msg, sizeof msg), -1);
	ck_assert_str_eq(msg, "host: expected a port from 1 to 65535 after ':', got '10.0.0.5:0'");
	ck_assert_int_eq(bmc_check_host("10.0.0.5:65536", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("10.0.0.5:", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("10.0.0.5:62x", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("fd00::5", msg, sizeof msg), -1);
	ck_assert_str_eq(msg, "host: an IPv6 address goes in brackets: [fd00::5] or [fd00::5]:623");
	ck_assert_int_eq(bmc_check_host("[fd00::5", msg, sizeof msg), -1);
	ck_assert_str_eq(msg, "host: expected an IPv6 address in brackets such as [fd00::5] or "
			      "[fd00::5]:623, got '[fd00::5'");
	ck_assert_int_eq(bmc_check_host("[fd00::5]623", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("[zz::1]", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("bmc/1", msg, sizeof msg), -1);
	ck_assert_str_eq(msg, "host: expected a host name or address, optionally with :PORT (such "
			      "as bmc1.example.com or 10.0.0.5:623), got 'bmc/1'");
	ck_assert_int_eq(bmc_check_host("-bmc", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host(":623", msg, sizeof msg), -1);
	ck_assert_int_eq(bmc_check_host("localhost", msg, sizeof msg), -1);
	ck_assert_str_eq(msg,
			 "host: 'localhost' without a port means in-band to FreeIPMI; give the "
			 "port (localhost:623) for a BMC on this machine's network, or leave "
			 "'host' out for in-band");
	ck_assert_int_eq(bmc_check_host("127.0.0.1", msg, sizeof msg), -1);
	char longname[66];

	memset(longname, 'a', 65);
	longname[65] = '\0';
	ck_assert_int_eq(bmc_check_host(longname, msg, sizeof msg), -1);
	ck_assert_str_eq(msg, "host: at most 64 bytes, got 65");
	longname[64] = '\0';
	ck_assert_int_eq(bmc_check_host(longname, msg, sizeof msg), 0);
}
END_TEST

START_TEST(test_relative_cache_dir)
{
	struct bmc_opts o;
	char cwd[PATH_MAX], want[PATH_MAX + 16];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
	snprintf(want, sizeof want, "%s/cache/ipmi", cwd);
	parse_ok(&o, KV("sdr-cache-dir", "cache/ipmi"));
	ck_assert_str_eq(o.sdr_cache_dir, want);
	bmc_opts_free(&o);
}
END_TEST

START_TEST(test_retransmission_default_follows_session)
{
	struct bmc_opts o;

	/* FreeIPMI wants it shorter than the session timeout. */
	parse_ok(&o, KV(NET, "session-timeout", "200ms"));
	ck_assert_uint_eq(o.session_timeout_ms, 200);
	ck_assert_uint_eq(o.retrans_timeout_ms, 100);
	bmc_opts_free(&o);
	parse_ok(&o, KV(NET, "session-timeout", "500ms"));
	ck_assert_uint_eq(o.retrans_timeout_ms, 250);
	bmc_opts_free(&o);
	parse_ok(&o, KV(NET, "session-timeout", "501ms"));
	ck_assert_uint_eq(o.retrans_timeout_ms, 500);
	bmc_opts_free(&o);
	parse_ok(&o, KV(NET, "session-timeout", "1m", "retransmission-timeout", "59999ms"));
	ck_assert_uint_eq(o.session_timeout_ms, 60000);
	ck_assert_uint_eq(o.retrans_timeout_ms, 59999);
	bmc_opts_free(&o);
}
END_TEST

START_TEST(test_describe)
{
	struct bmc_opts o;
	char buf[160];

	parse_ok(&o, KV("host", "10.0.0.5:623"));
	ck_assert_str_eq(bmc_describe(&o, buf, sizeof buf),
			 "10.0.0.5:623, lanplus, cipher suite 3, privilege operator");
	bmc_opts_free(&o);
	parse_ok(&o, KV("host", "10.0.0.5", "protocol", "lan", "privilege", "user"));
	ck_assert_str_eq(bmc_describe(&o, buf, sizeof buf),
			 "10.0.0.5, lan, authentication md5, privilege user");
	bmc_opts_free(&o);
	parse_ok(&o, KV("driver", "kcs", "driver-device", "/dev/ipmi0"));
	ck_assert_str_eq(bmc_describe(&o, buf, sizeof buf), "in-band, driver kcs, /dev/ipmi0");
	bmc_opts_free(&o);
	parse_ok(&o, KV("sel", "yes"));
	ck_assert_str_eq(bmc_describe(&o, buf, sizeof buf), "in-band, driver auto");
	bmc_opts_free(&o);
	ck_assert_str_eq(bmc_proto_name(BMC_LAN), "lan");
	ck_assert_str_eq(bmc_privilege_name(IPMI_MONITORING_PRIVILEGE_LEVEL_ADMIN), "admin");
}
END_TEST

/* ---- options: password-file ----------------------------------------------- */

/* A temporary file holding len bytes of text; its path in path. */
static void temp_file(char *path, size_t size, const char *text, size_t len)
{
	int fd;

	snprintf(path, size, "/tmp/check_ipmi.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

START_TEST(test_password_file)
{
	struct bmc_opts o;
	char path[64], msg[256];

	temp_file(path, sizeof path, "s3cret pw\nsecond line\n", 22);
	parse_ok(&o, KV(NET, "password-file", path));
	ck_assert_str_eq(o.password, "s3cret pw");
	ck_assert_uint_eq(o.password_len, 9);
	bmc_opts_free(&o);
	unlink(path);

	temp_file(path, sizeof path, "crlf\r\n", 6);
	parse_ok(&o, KV(NET, "password-file", path));
	ck_assert_str_eq(o.password, "crlf");
	bmc_opts_free(&o);
	unlink(path);

	temp_file(path, sizeof path, "no-newline-20-bytes!", 20);
	parse_ok(&o, KV(NET, "password-file", path));
	ck_assert_str_eq(o.password, "no-newline-20-bytes!");
	bmc_opts_free(&o);
	/* 20 bytes are too many for IPMI 1.5: blamed on password-file. */
	expect_error(KV(NET, "protocol", "lan", "password-file", path), 2,
		     "password-file: at most 16 bytes with protocol lan (IPMI 1.5), got 20");
	unlink(path);

	temp_file(path, sizeof path, "twenty-one-bytes-long\n", 22);
	snprintf(msg, sizeof msg,
		 "password-file: the password in '%s' is longer than 20 bytes (IPMI allows at "
		 "most 20 with lanplus, 16 with lan)",
		 path);
	expect_error(KV(NET, "password-file", path), 1, msg);
	unlink(path);

	temp_file(path, sizeof path, "a\0b\n", 4);
	snprintf(msg, sizeof msg, "password-file: '%s': the first line holds a NUL byte", path);
	expect_error(KV(NET, "password-file", path), 1, msg);
	unlink(path);

	expect_error(KV(NET, "password-file", "/nonexistent/pw"), 1,
		     "password-file: cannot open '/nonexistent/pw': No such file or directory "
		     "(expected a readable file holding the password)");
	expect_error(KV(NET, "password-file", "/tmp"), 1,
		     "password-file: '/tmp' is not a regular file (expected a readable file "
		     "holding the password)");
}
END_TEST

START_TEST(test_password_and_file)
{
	char path[64];

	temp_file(path, sizeof path, "pw\n", 3);
	expect_error(KV(NET, "password-file", path, "password", "x"), 2,
		     "password: give either password or password-file, not both");
	expect_error(KV(NET, "password", "x", "password-file", path), 2,
		     "password-file: give either password or password-file, not both");
	unlink(path);
}
END_TEST

START_TEST(test_interpret_files)
{
	struct bmc_opts o;
	char path[64], real[PATH_MAX];

	temp_file(path, sizeof path, "# empty\n", 8);
	ck_assert_ptr_nonnull(realpath(path, real));
	parse_ok(&o, KV("interpret-file", path, "sel-interpret-file", path));
	ck_assert_str_eq(o.interpret_file, real);
	ck_assert_str_eq(o.sel_interpret_file, real);
	bmc_opts_free(&o);
	unlink(path);
	expect_error(KV("interpret-file", "/nonexistent.conf"), 0,
		     "interpret-file: cannot open '/nonexistent.conf': No such file or directory "
		     "(expected a readable freeipmi_interpret_sensor.conf-style file)");
	expect_error(KV("sel", "no", "sel-interpret-file", "/"), 1,
		     "sel-interpret-file: '/' is not a regular file (expected a readable "
		     "freeipmi_interpret_sel.conf-style file)");
}
END_TEST

/* ---- options: k_g ------------------------------------------------------- */

START_TEST(test_k_g)
{
	unsigned char key[BMC_K_G_MAX];
	unsigned len = 0;

	ck_assert_int_eq(bmc_parse_k_g("0x00ff10", key, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_uint_eq(key[0], 0x00);
	ck_assert_uint_eq(key[1], 0xff);
	ck_assert_uint_eq(key[2], 0x10);
	ck_assert_int_eq(bmc_parse_k_g("0XAbCd", key, &len), 0);
	ck_assert_uint_eq(len, 2);
	ck_assert_uint_eq(key[0], 0xab);
	ck_assert_uint_eq(key[1], 0xcd);
	ck_assert_int_eq(bmc_parse_k_g("plain text key", key, &len), 0);
	ck_assert_uint_eq(len, 14);
	ck_assert_mem_eq(key, "plain text key", 14);
	ck_assert_int_eq(bmc_parse_k_g("12345678901234567890", key, &len), 0);
	ck_assert_uint_eq(len, 20);
	ck_assert_int_eq(bmc_parse_k_g("0x"
				       "0123456789012345678901234567890123456789",
				       key, &len),
			 0);
	ck_assert_uint_eq(len, 20);
	ck_assert_uint_eq(key[19], 0x89);
	/* Refused: too long, odd, not hex, empty. */
	ck_assert_int_eq(bmc_parse_k_g("123456789012345678901", key, &len), -1);
	ck_assert_int_eq(bmc_parse_k_g("0x"
				       "012345678901234567890123456789012345678901",
				       key, &len),
			 -1);
	ck_assert_int_eq(bmc_parse_k_g("0x123", key, &len), -1);
	ck_assert_int_eq(bmc_parse_k_g("0x12zz", key, &len), -1);
	ck_assert_int_eq(bmc_parse_k_g("0x", key, &len), -1);
	ck_assert_int_eq(bmc_parse_k_g("", key, &len), -1);
	expect_error(KV(NET, "k_g", "0x123"), 1,
		     "k_g: expected the BMC key as text of at most 20 bytes, or 0x and an even "
		     "number of hex digits (at most 40), such as 0x0123456789abcdef");
	expect_error(KV(NET, "protocol", "lan", "k_g", "key"), 2,
		     "k_g: only for protocol lanplus (IPMI 2.0); this source uses protocol lan");
}
END_TEST

/* ---- options: durations ------------------------------------------------- */

START_TEST(test_durations)
{
	uint64_t ms = 0;

	ck_assert_int_eq(pu_parse_duration_ms("500ms", &ms), 0);
	ck_assert_uint_eq(ms, 500);
	ck_assert_int_eq(pu_parse_duration_ms("3s", &ms), 0);
	ck_assert_uint_eq(ms, 3000);
	ck_assert_int_eq(pu_parse_duration_ms("5m", &ms), 0);
	ck_assert_uint_eq(ms, 300000);
	ck_assert_int_eq(pu_parse_duration_ms("2h", &ms), 0);
	ck_assert_uint_eq(ms, 7200000);
	ck_assert_int_eq(pu_parse_duration_ms("0ms", &ms), 0);
	ck_assert_uint_eq(ms, 0);
	/* A unit is required: FreeIPMI's tools take bare milliseconds. */
	ck_assert_int_eq(pu_parse_duration_ms("3", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("1.5s", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("-1s", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms(" 1s", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("1 s", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("1d", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("99999999999999999999ms", &ms), -1);
	ck_assert_int_eq(pu_parse_duration_ms("9999999999999999h", &ms), -1);
}
END_TEST

START_TEST(test_duration_bounds)
{
	struct bmc_opts o;

	parse_ok(&o, KV(NET, "session-timeout", "100ms", "retransmission-timeout", "10ms",
			"sel-info-interval", "24h"));
	ck_assert_uint_eq(o.session_timeout_ms, 100);
	ck_assert_uint_eq(o.retrans_timeout_ms, 10);
	ck_assert_uint_eq(o.sel_info_interval_ms, 86400000);
	bmc_opts_free(&o);
	expect_error(KV(NET, "session-timeout", "99ms"), 1,
		     "session-timeout: expected a duration from 100ms to 60s such as 500ms or 3s, "
		     "got '99ms'");
	expect_error(KV(NET, "session-timeout", "61s"), 1,
		     "session-timeout: expected a duration from 100ms to 60s such as 500ms or 3s, "
		     "got '61s'");
	expect_error(KV(NET, "session-timeout", "3000"), 1,
		     "session-timeout: expected a duration from 100ms to 60s such as 500ms or 3s, "
		     "got '3000'");
	expect_error(KV(NET, "retransmission-timeout", "9ms"), 1,
		     "retransmission-timeout: expected a duration from 10ms to below the "
		     "session-timeout such as 250ms or 1s, got '9ms'");
	expect_error(KV(NET, "retransmission-timeout", "2s", "session-timeout", "1s"), 1,
		     "retransmission-timeout: 2000 ms is not shorter than the session-timeout "
		     "(1000 ms); FreeIPMI needs it shorter");
	expect_error(KV(NET, "session-timeout", "1s", "retransmission-timeout", "1s"), 2,
		     "retransmission-timeout: 1000 ms is not shorter than the session-timeout "
		     "(1000 ms); FreeIPMI needs it shorter");
	expect_error(KV("sel-info-interval", "999ms"), 0,
		     "sel-info-interval: expected a duration from 1s to 24h such as 30s or 5m, "
		     "got '999ms'");
	expect_error(KV("sel-info-interval", "25h"), 0,
		     "sel-info-interval: expected a duration from 1s to 24h such as 30s or 5m, "
		     "got '25h'");
}
END_TEST

/* ---- options: workarounds ------------------------------------------------ */

START_TEST(test_workarounds_per_protocol)
{
#define WF(p) IPMI_MONITORING_WORKAROUND_FLAGS_##p
	/* For each name: its flag with lan, lanplus and in-band; 0 = refused. */
	static const struct {
		const char *name;
		unsigned lan, lanplus, inband;
	} table[] = {
	    {"authcap", WF(PROTOCOL_VERSION_1_5_AUTHENTICATION_CAPABILITIES),
	     WF(PROTOCOL_VERSION_2_0_AUTHENTICATION_CAPABILITIES), 0},
	    {"idzero", WF(PROTOCOL_VERSION_1_5_ACCEPT_SESSION_ID_ZERO), 0, 0},
	    {"unexpectedauth", WF(PROTOCOL_VERSION_1_5_CHECK_UNEXPECTED_AUTHCODE), 0, 0},
	    {"forcepermsg", WF(PROTOCOL_VERSION_1_5_FORCE_PERMSG_AUTHENTICATION), 0, 0},
	    {"endianseq", WF(PROTOCOL_VERSION_1_5_BIG_ENDIAN_SEQUENCE_NUMBER), 0, 0},
	    {"noauthcodecheck", WF(PROTOCOL_VERSION_1_5_NO_AUTH_CODE_CHECK), 0, 0},
	    {"nochecksumcheck", WF(PROTOCOL_VERSION_1_5_NO_CHECKSUM_CHECK),
	     WF(PROTOCOL_VERSION_2_0_NO_CHECKSUM_CHECK), 0},
	    {"intel20", 0, WF(PROTOCOL_VERSION_2_0_INTEL_2_0_SESSION), 0},
	    {"supermicro20", 0, WF(PROTOCOL_VERSION_2_0_SUPERMICRO_2_0_SESSION), 0},
	    {"sun20", 0, WF(PROTOCOL_VERSION_2_0_SUN_2_0_SESSION), 0},
	    {"opensesspriv", 0, WF(PROTOCOL_VERSION_2_0_OPEN_SESSION_PRIVILEGE), 0},
	    {"integritycheckvalue", 0, WF(PROTOCOL_VERSION_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE), 0},
	    {"assumeio", 0, 0, WF(INBAND_ASSUME_IO_BASE_ADDRESS)},
	    {"spinpoll", 0, 0, WF(INBAND_SPIN_POLL)},
	};
#undef WF
	static const enum bmc_proto protos[] = {BMC_LAN, BMC_LANPLUS, BMC_INBAND};
	char msg[256];

	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		const unsigned want[] = {table[i].lan, table[i].lanplus, table[i].inband};

		for (size_t p = 0; p < 3; p++) {
			unsigned flags = 0xdead;
			int rc = bmc_parse_workarounds(table[i].name, protos[p], &flags, msg,
						       sizeof msg);

			if (want[p] != 0) {
				ck_assert_msg(rc == 0, "%s with %s: %s", table[i].name,
					      bmc_proto_name(protos[p]), msg);
				ck_assert_uint_eq(flags, want[p]);
			} else {
				ck_assert_msg(rc == -1, "%s accepted with %s", table[i].name,
					      bmc_proto_name(protos[p]));
				ck_assert_msg(strstr(msg, table[i].name) != NULL, "%s", msg);
			}
		}
	}
}
END_TEST

START_TEST(test_workaround_messages)
{
	expect_error(KV(NET, "workarounds", "intel20,idzero"), 1,
		     "workarounds: 'idzero' is for protocol lan (IPMI 1.5) only; this source uses "
		     "lanplus");
	expect_error(KV(NET, "protocol", "lan", "workarounds", "opensesspriv"), 2,
		     "workarounds: 'opensesspriv' is for protocol lanplus (IPMI 2.0) only; this "
		     "source uses lan");
	expect_error(KV("workarounds", "authcap"), 0,
		     "workarounds: 'authcap' is for protocols lan and lanplus (not in-band); this "
		     "source uses in-band");
	expect_error(KV(NET, "workarounds", "spinpoll"), 1,
		     "workarounds: 'spinpoll' is for in-band access (no host) only; this source "
		     "uses lanplus");
	expect_error(KV(NET, "workarounds", "opensesspriv,,intel20"), 1,
		     "workarounds: empty name in the list (expected names separated by commas, "
		     "such as opensesspriv,intel20)");
	expect_error(KV(NET, "workarounds", "opensesspriv,"), 1,
		     "workarounds: empty name in the list (expected names separated by commas, "
		     "such as opensesspriv,intel20)");
	expect_error(KV(NET, "workarounds", "sun20,sun20"), 1, "workarounds: 'sun20' listed twice");
	expect_error(KV(NET, "workarounds", "bogus"), 1,
		     "workarounds: unknown workaround 'bogus' (expected FreeIPMI's: authcap, "
		     "idzero, unexpectedauth, forcepermsg, endianseq, noauthcodecheck, "
		     "nochecksumcheck, intel20, supermicro20, sun20, opensesspriv, "
		     "integritycheckvalue, assumeio, spinpoll)");
	/* The longest name quoted still leaves the whole list in the message. */
	expect_error(KV(NET, "workarounds", "a-very-long-bogus-workaround-name-indeed"), 1,
		     "workarounds: unknown workaround 'a-very-long-bogu' (expected "
		     "FreeIPMI's: authcap, idzero, unexpectedauth, forcepermsg, endianseq, "
		     "noauthcodecheck, nochecksumcheck, intel20, supermicro20, sun20, "
		     "opensesspriv, integritycheckvalue, assumeio, spinpoll)");
}
END_TEST

/* ---- options: errors ----------------------------------------------------- */

START_TEST(test_value_errors)
{
	expect_error(KV("driver", "ipmi"), 0,
		     "driver: expected auto, kcs, ssif, openipmi or sunbmc, got 'ipmi'");
	expect_error(KV("driver-device", "ipmi0"), 0,
		     "driver-device: expected an absolute device path such as /dev/ipmi0, got "
		     "'ipmi0'");
	expect_error(KV(NET, "protocol", "lan20"), 1,
		     "protocol: expected lan (IPMI 1.5) or lanplus (IPMI 2.0), got 'lan20'");
	expect_error(KV(NET, "user", "seventeen-bytes-x"), 1,
		     "user: at most 16 bytes (an IPMI user name), got 17");
	expect_error(KV(NET, "password", "twenty-one-bytes-long"), 1,
		     "password: at most 20 bytes with lanplus and 16 with lan, got 21 bytes");
	expect_error(KV(NET, "protocol", "lan", "password", "seventeen-bytes-x"), 2,
		     "password: at most 16 bytes with protocol lan (IPMI 1.5), got 17");
	expect_error(KV(NET, "privilege", "root"), 1,
		     "privilege: expected user, operator or admin, got 'root'");
	expect_error(KV(NET, "protocol", "lan", "authentication", "sha1"), 2,
		     "authentication: expected none, straight, md2 or md5, got 'sha1'");
	expect_error(
	    KV(NET, "cipher-suite", "4"), 1,
	    "cipher-suite: expected an IPMI 2.0 cipher suite id: 1, 2, 3, 6, 7, 8, 11, 12, "
	    "15, 16 or 17, got '4'");
	expect_error(
	    KV(NET, "cipher-suite", "03"), 1,
	    "cipher-suite: expected an IPMI 2.0 cipher suite id: 1, 2, 3, 6, 7, 8, 11, 12, "
	    "15, 16 or 17, got '03'");
	/* libipmimonitoring would silently use 3 */
	expect_error(
	    KV(NET, "cipher-suite", "0"), 1,
	    "cipher-suite: cipher suite 0 (no authentication) cannot be used: "
	    "libipmimonitoring takes 0 as its default, 3; choose 1, 2, 3, 6, 7, 8, 11, 12, "
	    "15, 16 or 17");
	expect_error(KV("sensors", "true"), 0, "sensors: expected yes or no, got 'true'");
	expect_error(KV("sel", "1"), 0, "sel: expected yes or no, got '1'");
	expect_error(KV("host", "a b"), 0,
		     "host: expected a host name or address, optionally with :PORT (such as "
		     "bmc1.example.com or 10.0.0.5:623), got 'a b'");
}
END_TEST

START_TEST(test_block_errors)
{
	expect_error(KV(NET, "user", "a", "user", "b"), 2,
		     "option 'user' given twice (first at line 2)");
	expect_error(KV(NET, "user", NULL), 1, "option 'user' needs a value");
	expect_error(KV(NET, "password", ""), 1, "option 'password' needs a value");
	expect_error(KV(NET, "pasword", "x"), 1,
		     "unknown option 'pasword' for plugin ipmi (did you mean 'password'?)");
	expect_error(KV("K_G", "x"), 0,
		     "unknown option 'K_G' for plugin ipmi (did you mean 'k_g'?)");
	expect_error(KV("frobnicate", "x"), 0,
		     "unknown option 'frobnicate' for plugin ipmi (expected host, driver, "
		     "protocol, user, password, privilege, cipher-suite, workarounds, "
		     "session-timeout, sensors, sel or another ipmi option of hwhealth.conf(5))");
	expect_error(KV("sensors", "no", "sel", "no"), 1,
		     "sel: with both sensors and sel set to no there is nothing to read (expected "
		     "at least one of them yes)");
	expect_error(KV("sel", "no", "sensors", "no"), 1,
		     "sensors: with both sensors and sel set to no there is nothing to read "
		     "(expected at least one of them yes)");
}
END_TEST

START_TEST(test_protocol_fit)
{
	expect_error(KV(NET, "driver", "kcs"), 1,
		     "driver: only for in-band access (without 'host'); this source talks to host "
		     "10.0.0.5:623");
	expect_error(KV("driver-device", "/dev/ipmi0", NET), 0,
		     "driver-device: only for in-band access (without 'host'); this source talks "
		     "to host 10.0.0.5:623");
	expect_error(KV(NET, "protocol", "lan", "cipher-suite", "3"), 2,
		     "cipher-suite: only for protocol lanplus (IPMI 2.0); this source uses "
		     "protocol lan");
	expect_error(KV(NET, "authentication", "md5"), 1,
		     "authentication: only for protocol lan (IPMI 1.5); this source uses protocol "
		     "lanplus");
	expect_error(KV("cipher-suite", "3"), 0,
		     "cipher-suite: only for protocol lanplus (IPMI 2.0); this source uses in-band "
		     "access (no 'host')");
	static const char *const net_only[] = {"protocol",	  "user",
					       "password",	  "privilege",
					       "session-timeout", "retransmission-timeout"};
	static const char *const vals[] = {"lanplus", "admin", "pw", "admin", "3s", "500ms"};
	char msg[256];

	for (size_t i = 0; i < sizeof net_only / sizeof net_only[0]; i++) {
		snprintf(msg, sizeof msg,
			 "%s: only for a BMC reached over the network (set 'host'); without 'host' "
			 "this source reads the local BMC in-band",
			 net_only[i]);
		expect_error(KV("sel", "yes", net_only[i], vals[i]), 1, msg);
	}
}
END_TEST

/* ---- metric names ------------------------------------------------------- */

START_TEST(test_sanitize)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"Inlet Temp", "inlet_temp"},
	    {"12V", "12v"},
	    {"PSU1 Status", "psu1_status"},
	    {"  --CPU  1--  ", "cpu_1"},
	    {"P1-DIMMA1 Temp", "p1_dimma1_temp"},
	    {"Temp (\xc2\xb0"
	     "C)",
	     "temp_c"},
	    {"VCC+3.3V", "vcc_3_3v"},
	    {"___", ""},
	    {"", ""},
	    /* 44 bytes at most, never ending in '_'. */
	    {"abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij",
	     "abcdefghij_abcdefghij_abcdefghij_abcdefghij"},
	    {"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij",
	     "abcdefghijabcdefghijabcdefghijabcdefghijabcd"},
	};
	char out[BMC_NAME_MAX];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = bmc_name_sanitize(cases[i].in, out, sizeof out);

		ck_assert_msg(strcmp(out, cases[i].out) == 0, "'%s' -> '%s', expected '%s'",
			      cases[i].in, out, cases[i].out);
		ck_assert_uint_eq(n, strlen(cases[i].out));
	}
	ck_assert_uint_eq(bmc_name_sanitize(NULL, out, sizeof out), 0);
	ck_assert_uint_eq(bmc_name_sanitize("Inlet Temp", out, 6), 5);
	ck_assert_str_eq(out, "inlet");
}
END_TEST

START_TEST(test_names_dedup)
{
	struct bmc_names t = {0};

	ck_assert_str_eq(bmc_names_get(&t, 2, 1, "Temp"), "temp");
	ck_assert_str_eq(bmc_names_get(&t, 3, 2, "Temp"), "temp_3");
	ck_assert_str_eq(bmc_names_get(&t, 4, 3, ""), "sensor4");
	ck_assert_str_eq(bmc_names_get(&t, 5, 4, "+++"), "sensor5");
	ck_assert_str_eq(bmc_names_get(&t, 6, 5, NULL), "sensor6");
	/* Shared sensors: one record, several sensor numbers. */
	ck_assert_str_eq(bmc_names_get(&t, 7, 10, "DIMM"), "dimm");
	ck_assert_str_eq(bmc_names_get(&t, 7, 11, "DIMM"), "dimm_7");
	ck_assert_str_eq(bmc_names_get(&t, 7, 12, "DIMM"), "dimm_7_12");
	/* The same sensor keeps its name, in any order. */
	ck_assert_str_eq(bmc_names_get(&t, 3, 2, "Temp"), "temp_3");
	ck_assert_str_eq(bmc_names_get(&t, 2, 1, "Temp"), "temp");
	ck_assert_uint_eq(t.n, 8);
	/* Lookups for SEL records: by number and label, else by label. */
	ck_assert_str_eq(bmc_names_find(&t, 2, "Temp"), "temp_3");
	ck_assert_str_eq(bmc_names_find(&t, 1, "Temp"), "temp");
	ck_assert_str_eq(bmc_names_find(&t, 99, "Temp"), "temp");
	ck_assert_str_eq(bmc_names_find(&t, 11, "DIMM"), "dimm_7");
	ck_assert_ptr_null(bmc_names_find(&t, 1, "Fan"));
	ck_assert_ptr_null(bmc_names_find(&t, 1, NULL));
	bmc_names_free(&t);
	ck_assert_uint_eq(t.n, 0);
}
END_TEST

START_TEST(test_names_sweep_and_rename)
{
	struct bmc_names t = {0};

	bmc_names_get(&t, 2, 1, "Temp");
	bmc_names_get(&t, 3, 2, "Temp");
	bmc_names_sweep(&t);
	/* Next poll: only record 3 is left, it keeps its name... */
	ck_assert_str_eq(bmc_names_get(&t, 3, 2, "Temp"), "temp_3");
	bmc_names_sweep(&t);
	ck_assert_uint_eq(t.n, 1);
	/* ...and a new "Temp" later gets the free plain name. */
	ck_assert_str_eq(bmc_names_get(&t, 9, 7, "Temp"), "temp");
	/* A sensor renamed in the SDR is named again. */
	ck_assert_str_eq(bmc_names_get(&t, 3, 2, "CPU Temp"), "cpu_temp");
	ck_assert_str_eq(bmc_names_find(&t, 2, "CPU Temp"), "cpu_temp");
	ck_assert_str_eq(bmc_names_find(&t, 2, "Temp"), "temp");
	bmc_names_free(&t);
}
END_TEST

START_TEST(test_names_many)
{
	struct bmc_names t = {0};
	char label[32], want[32];

	/* Inserted out of order: the table stays sorted and every name stays. */
	for (unsigned i = 0; i < 300; i++) {
		unsigned rid = (i * 7919) % 1000 + 1;

		snprintf(label, sizeof label, "Sensor %u", rid);
		snprintf(want, sizeof want, "sensor_%u", rid);
		ck_assert_str_eq(bmc_names_get(&t, rid, 1, label), want);
	}
	ck_assert_uint_eq(t.n, 300);
	for (size_t i = 1; i < t.n; i++)
		ck_assert_uint_lt(t.v[i - 1].key, t.v[i].key);
	bmc_names_sweep(&t);
	bmc_names_sweep(&t); /* not used in a whole poll: forgotten */
	ck_assert_uint_eq(t.n, 0);
	bmc_names_free(&t);
}
END_TEST

/* ---- SEL ---------------------------------------------------------------- */

#define ST(x) IPMI_MONITORING_SENSOR_TYPE_##x
#define SPEC 0x6f
#define THR 0x01

/* Every row of the contract's classification table. */
static const struct {
	int sensor_type, erc, offset;
	const char *cls;
} sel_table[] = {
    {ST(MEMORY), SPEC, 0, "ecc-corrected"},
    {ST(MEMORY), SPEC, 1, "ecc-uncorrected"},
    {ST(MEMORY), SPEC, 5, "ecc-log-limit"},
    {ST(MEMORY), SPEC, 2, "memory"},
    {ST(MEMORY), SPEC, 8, "memory"},
    {ST(PROCESSOR), SPEC, 0, "cpu-ierr"},
    {ST(PROCESSOR), SPEC, 1, "cpu-thermal-trip"},
    {ST(PROCESSOR), SPEC, 7, "cpu"},
    {ST(POWER_SUPPLY), SPEC, 1, "psu-failure"},
    {ST(POWER_SUPPLY), SPEC, 2, "psu-predictive-failure"},
    {ST(POWER_SUPPLY), SPEC, 3, "psu-input-lost"},
    {ST(POWER_SUPPLY), SPEC, 4, "psu-input-lost"},
    {ST(POWER_SUPPLY), SPEC, 5, "psu-input-lost"},
    {ST(POWER_SUPPLY), SPEC, 0, "psu"},
    {ST(POWER_SUPPLY), SPEC, 6, "psu"},
    {ST(DRIVE_SLOT), SPEC, 1, "drive-fault"},
    {ST(DRIVE_SLOT), SPEC, 2, "drive-predictive-failure"},
    {ST(DRIVE_SLOT), SPEC, 0, "drive"},
    {ST(EVENT_LOGGING_DISABLED), SPEC, 2, "log-cleared"},
    {ST(EVENT_LOGGING_DISABLED), SPEC, 4, "log-full"},
    {ST(EVENT_LOGGING_DISABLED), SPEC, 5, "log-almost-full"},
    {ST(EVENT_LOGGING_DISABLED), SPEC, 0, "log"},
    {ST(WATCHDOG2), SPEC, 0, "watchdog"},
    {ST(WATCHDOG2), SPEC, 3, "watchdog"},
    {ST(CRITICAL_INTERRUPT), SPEC, 4, "critical-interrupt"},
    {ST(PHYSICAL_SECURITY), SPEC, 0, "intrusion"},
    {ST(TEMPERATURE), THR, 7, "temp-warning"},
    {ST(TEMPERATURE), THR, 9, "temp-critical"},
    {ST(TEMPERATURE), THR, 11, "temp-non-recoverable"},
    {ST(VOLTAGE), THR, 0, "voltage-warning"},
    {ST(VOLTAGE), THR, 2, "voltage-critical"},
    {ST(VOLTAGE), THR, 4, "voltage-non-recoverable"},
    {ST(CURRENT), THR, 6, "current-warning"},
    {ST(CURRENT), THR, 8, "current-critical"},
    {ST(CURRENT), THR, 10, "current-non-recoverable"},
    {ST(FAN), THR, 1, "fan-warning"},
    {ST(FAN), THR, 3, "fan-critical"},
    {ST(FAN), THR, 5, "fan-non-recoverable"},
    {ST(OTHER_UNITS_BASED_SENSOR), THR, 7, "threshold-warning"},
    {ST(POWER_UNIT), THR, 8, "threshold-critical"},
    {ST(MEMORY), THR, 10, "threshold-non-recoverable"},
    /* Anything else. */
    {ST(FAN), 0x0b, 1, "other"},
    {ST(BUTTON_SWITCH), SPEC, 0, "other"},
    {ST(OEM_MIN), 0x70, 0, "other"},
    {ST(TEMPERATURE), THR, 12, "other"},
    /* Generic codes: offsets mean something else, the type's general class. */
    {ST(MEMORY), 0x07, 0, "memory"},
    {ST(POWER_SUPPLY), 0x0b, 1, "psu"},
    {ST(PROCESSOR), 0x03, 1, "cpu"},
};

START_TEST(test_sel_classes)
{
	char buf[64], want[64];

	for (size_t i = 0; i < sizeof sel_table / sizeof sel_table[0]; i++) {
		const char *cls =
		    bmc_sel_class(sel_table[i].sensor_type, sel_table[i].erc, sel_table[i].offset);

		ck_assert_msg(strcmp(cls, sel_table[i].cls) == 0,
			      "row %zu (type 0x%02x, code 0x%02x, offset %d): %s, expected %s", i,
			      (unsigned)sel_table[i].sensor_type, (unsigned)sel_table[i].erc,
			      sel_table[i].offset, cls, sel_table[i].cls);
		snprintf(want, sizeof want, "sel-%s", sel_table[i].cls);
		ck_assert_str_eq(bmc_sel_type(buf, sizeof buf, sel_table[i].sensor_type,
					      sel_table[i].erc, sel_table[i].offset, 0),
				 want);
		snprintf(want, sizeof want, "sel-%s-cleared", sel_table[i].cls);
		ck_assert_str_eq(bmc_sel_type(buf, sizeof buf, sel_table[i].sensor_type,
					      sel_table[i].erc, sel_table[i].offset, 1),
				 want);
	}
}
END_TEST

START_TEST(test_sel_threshold_levels)
{
	static const char *const level[12] = {
	    "warning", "warning", "critical", "critical", "non-recoverable", "non-recoverable",
	    "warning", "warning", "critical", "critical", "non-recoverable", "non-recoverable"};
	static const struct {
		int type;
		const char *prefix;
	} kinds[] = {{ST(TEMPERATURE), "temp"},
		     {ST(VOLTAGE), "voltage"},
		     {ST(CURRENT), "current"},
		     {ST(FAN), "fan"},
		     {ST(PROCESSOR), "threshold"}};
	char want[64];

	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		for (int off = 0; off < 12; off++) {
			snprintf(want, sizeof want, "%s-%s", kinds[k].prefix, level[off]);
			ck_assert_str_eq(bmc_sel_class(kinds[k].type, THR, off), want);
		}
		ck_assert_str_eq(bmc_sel_class(kinds[k].type, THR, -1), "other");
	}
}
END_TEST

START_TEST(test_sel_severity_time_position)
{
	struct bmc_sel_pos p = {7, 7};
	char buf[32];

	ck_assert_int_eq(bmc_sel_severity(IPMI_MONITORING_STATE_NOMINAL), HWH_SEV_INFO);
	ck_assert_int_eq(bmc_sel_severity(IPMI_MONITORING_STATE_WARNING), HWH_SEV_WARNING);
	ck_assert_int_eq(bmc_sel_severity(IPMI_MONITORING_STATE_CRITICAL), HWH_SEV_CRITICAL);
	ck_assert_int_eq(bmc_sel_severity(IPMI_MONITORING_STATE_UNKNOWN), HWH_SEV_INFO);
	ck_assert_int_eq(bmc_sel_severity(-1), HWH_SEV_INFO);

	ck_assert_int_eq(bmc_sel_time_ms(11742), 0); /* post-init seconds */
	ck_assert_int_eq(bmc_sel_time_ms(0x1FFFFFFF), 0);
	ck_assert_int_eq(bmc_sel_time_ms(0x20000000), (int64_t)0x20000000 * 1000);
	ck_assert_int_eq(bmc_sel_time_ms(1795000000u), 1795000000000LL);
	ck_assert_int_eq(bmc_sel_time_ms(0xFFFFFFFFu), 4294967295000LL);

	ck_assert_int_eq(bmc_sel_pos_parse("15 13476", &p), 0);
	ck_assert_uint_eq(p.id, 15);
	ck_assert_uint_eq(p.ts, 13476);
	ck_assert_int_eq(bmc_sel_pos_parse("0 0", &p), 0);
	ck_assert_uint_eq(p.id, 0);
	ck_assert_int_eq(bmc_sel_pos_parse("65535 4294967295", &p), 0);
	ck_assert_uint_eq(p.ts, 4294967295u);
	ck_assert_int_eq(bmc_sel_pos_parse("65536 1", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1 4294967296", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1 ", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1  2", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1 2 ", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("-1 2", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("1 -2", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse("", &p), -1);
	ck_assert_int_eq(bmc_sel_pos_parse(NULL, &p), -1);
	p = (struct bmc_sel_pos){65535, 4294967295u};
	ck_assert_str_eq(bmc_sel_pos_format(&p, buf, sizeof buf), "65535 4294967295");
}
END_TEST

/* ---- readings and errors ------------------------------------------------ */

START_TEST(test_units_flags_states)
{
	const char *unit = "x";

	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_CELSIUS, &unit),
			 HWH_KIND_TEMPERATURE);
	ck_assert_str_eq(unit, "C");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_FAHRENHEIT, &unit),
			 HWH_KIND_TEMPERATURE);
	ck_assert_str_eq(unit, "C");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_VOLTS, &unit),
			 HWH_KIND_VOLTAGE);
	ck_assert_str_eq(unit, "V");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_AMPS, &unit),
			 HWH_KIND_CURRENT);
	ck_assert_str_eq(unit, "A");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_RPM, &unit), HWH_KIND_FAN);
	ck_assert_str_eq(unit, "RPM");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_WATTS, &unit), HWH_KIND_POWER);
	ck_assert_str_eq(unit, "W");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_PERCENT, &unit),
			 HWH_KIND_PERCENT);
	ck_assert_str_eq(unit, "%");
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_NONE, &unit), HWH_KIND_OTHER);
	ck_assert_ptr_null(unit);
	ck_assert_int_eq(bmc_units_kind(IPMI_MONITORING_SENSOR_UNITS_UNKNOWN, &unit),
			 HWH_KIND_OTHER);

#define TB(x) IPMI_MONITORING_SENSOR_BITMASK_THRESHOLD_AT_OR_BELOW_##x##_THRESHOLD
	ck_assert_uint_eq(bmc_threshold_flags(0), 0);
	ck_assert_uint_eq(bmc_threshold_flags(TB(LOWER_NON_CRITICAL)),
			  HWH_F_ALARM | HWH_F_MIN_ALARM);
	/* Fan at 750 RPM under LC 1000 and LNC 1500: measured bitmask 0x0003. */
	ck_assert_uint_eq(bmc_threshold_flags(0x0003),
			  HWH_F_ALARM | HWH_F_MIN_ALARM | HWH_F_LCRIT_ALARM);
	ck_assert_uint_eq(bmc_threshold_flags(TB(LOWER_NON_RECOVERABLE)),
			  HWH_F_ALARM | HWH_F_LCRIT_ALARM);
	ck_assert_uint_eq(bmc_threshold_flags(TB(UPPER_NON_CRITICAL)),
			  HWH_F_ALARM | HWH_F_MAX_ALARM);
	ck_assert_uint_eq(bmc_threshold_flags(TB(UPPER_CRITICAL)), HWH_F_ALARM | HWH_F_CRIT_ALARM);
	ck_assert_uint_eq(bmc_threshold_flags(TB(UPPER_NON_RECOVERABLE)),
			  HWH_F_ALARM | HWH_F_EMERG_ALARM);
	ck_assert_uint_eq(bmc_threshold_flags(0x0040), 0); /* no such threshold */
#undef TB

	ck_assert(bmc_state_value(IPMI_MONITORING_STATE_NOMINAL) == HWH_STATE_NOMINAL);
	ck_assert(bmc_state_value(IPMI_MONITORING_STATE_WARNING) == HWH_STATE_WARNING);
	ck_assert(bmc_state_value(IPMI_MONITORING_STATE_CRITICAL) == HWH_STATE_CRITICAL);
	ck_assert(bmc_state_value(IPMI_MONITORING_STATE_UNKNOWN) < 0);
}
END_TEST

START_TEST(test_join_strings)
{
	char *two[] = {"Presence detected", "Power Supply Failure detected", NULL};
	char *one[] = {"OK", NULL};
	char *none[] = {NULL};
	char buf[64], tiny[12];

	ck_assert_str_eq(bmc_join_strings(two, buf, sizeof buf),
			 "Presence detected; Power Supply Failure detected");
	ck_assert_str_eq(bmc_join_strings(one, buf, sizeof buf), "OK");
	ck_assert_str_eq(bmc_join_strings(none, buf, sizeof buf), "");
	ck_assert_str_eq(bmc_join_strings(NULL, buf, sizeof buf), "");
	ck_assert_str_eq(bmc_join_strings(two, tiny, sizeof tiny), "Presence de");
}
END_TEST

START_TEST(test_errnos)
{
	static const struct {
		int errnum, want;
	} mon[] =
	    {
		{IPMI_MONITORING_ERR_CONNECTION_TIMEOUT, -ETIMEDOUT},
		{IPMI_MONITORING_ERR_SESSION_TIMEOUT, -ETIMEDOUT},
		{IPMI_MONITORING_ERR_USERNAME_INVALID, -EACCES},
		{IPMI_MONITORING_ERR_PASSWORD_INVALID, -EACCES},
		{IPMI_MONITORING_ERR_PASSWORD_VERIFICATION_TIMEOUT, -EACCES},
		{IPMI_MONITORING_ERR_K_G_INVALID, -EACCES},
		{IPMI_MONITORING_ERR_PRIVILEGE_LEVEL_INSUFFICIENT, -EACCES},
		{IPMI_MONITORING_ERR_PRIVILEGEL_LEVEL_CANNOT_BE_OBTAINED, -EACCES},
		{IPMI_MONITORING_ERR_AUTHENTICATION_TYPE_UNAVAILABLE, -EACCES},
		{IPMI_MONITORING_ERR_PERMISSION, -EACCES},
		{IPMI_MONITORING_ERR_IPMI_2_0_UNAVAILABLE, -EPROTO},
		{IPMI_MONITORING_ERR_CIPHER_SUITE_ID_UNAVAILABLE, -EPROTO},
		{IPMI_MONITORING_ERR_IPMI_ERROR, -EPROTO},
		{IPMI_MONITORING_ERR_SYSTEM_ERROR, -EIO},
		{IPMI_MONITORING_ERR_PARAMETERS, -EIO},
		{IPMI_MONITORING_ERR_HOSTNAME_INVALID, -EIO},
		{IPMI_MONITORING_ERR_BMC_BUSY, -EIO},
	    },
	  fi[] = {
	      {IPMI_ERR_CONNECTION_TIMEOUT, -ETIMEDOUT},
	      {IPMI_ERR_SESSION_TIMEOUT, -ETIMEDOUT},
	      {IPMI_ERR_DRIVER_TIMEOUT, -ETIMEDOUT},
	      {IPMI_ERR_USERNAME_INVALID, -EACCES},
	      {IPMI_ERR_PASSWORD_INVALID, -EACCES},
	      {IPMI_ERR_K_G_INVALID, -EACCES},
	      {IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT, -EACCES},
	      {IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED, -EACCES},
	      {IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE, -EACCES},
	      {IPMI_ERR_PERMISSION, -EACCES},
	      {IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE, -EPROTO},
	      {IPMI_ERR_IPMI_2_0_UNAVAILABLE, -EPROTO},
	      {IPMI_ERR_BAD_RMCPPLUS_STATUS_CODE, -EPROTO},
	      {IPMI_ERR_IPMI_ERROR, -EPROTO},
	      {IPMI_ERR_SYSTEM_ERROR, -EIO},
	      {IPMI_ERR_DEVICE_NOT_FOUND, -EIO},
	  };

	for (size_t i = 0; i < sizeof mon / sizeof mon[0]; i++)
		ck_assert_msg(bmc_errno_monitoring(mon[i].errnum) == mon[i].want,
			      "libipmimonitoring error %d: %d", mon[i].errnum,
			      bmc_errno_monitoring(mon[i].errnum));
	for (size_t i = 0; i < sizeof fi / sizeof fi[0]; i++)
		ck_assert_msg(bmc_errno_freeipmi(fi[i].errnum) == fi[i].want,
			      "libfreeipmi error %d: %d", fi[i].errnum,
			      bmc_errno_freeipmi(fi[i].errnum));
}
END_TEST

Suite *ipmi_suite(void)
{
	Suite *s = suite_create("ipmi");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_defaults_inband);
	tcase_add_test(tc, test_lanplus_full);
	tcase_add_test(tc, test_lan_and_inband);
	tcase_add_test(tc, test_word_values);
	tcase_add_test(tc, test_hosts);
	tcase_add_test(tc, test_relative_cache_dir);
	tcase_add_test(tc, test_retransmission_default_follows_session);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_password_file);
	tcase_add_test(tc, test_password_and_file);
	tcase_add_test(tc, test_interpret_files);
	tcase_add_test(tc, test_k_g);
	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_duration_bounds);
	tcase_add_test(tc, test_workarounds_per_protocol);
	tcase_add_test(tc, test_workaround_messages);
	tcase_add_test(tc, test_value_errors);
	tcase_add_test(tc, test_block_errors);
	tcase_add_test(tc, test_protocol_fit);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_sanitize);
	tcase_add_test(tc, test_names_dedup);
	tcase_add_test(tc, test_names_sweep_and_rename);
	tcase_add_test(tc, test_names_many);
	suite_add_tcase(s, tc);

	tc = tcase_create("sel");
	tcase_add_test(tc, test_sel_classes);
	tcase_add_test(tc, test_sel_threshold_levels);
	tcase_add_test(tc, test_sel_severity_time_position);
	suite_add_tcase(s, tc);

	tc = tcase_create("readings");
	tcase_add_test(tc, test_units_flags_states);
	tcase_add_test(tc, test_join_strings);
	tcase_add_test(tc, test_errnos);
	suite_add_tcase(s, tc);
	return s;
}
