/*
 * check_config: unit tests of agent/config.c, the hwhealth.conf parser.
 *
 * Every test parses a small text with config_parse() under the name
 * "t.conf" and asserts exact values, or the exact, complete error messages
 * with their line and column.  One TCase per concern: tokenizer and
 * strings, global settings, source blocks, durations, errors, and loading
 * from files (including contrib/hwhealth.conf.example, which must stay
 * valid).  To add a case: write the text, count the column by hand, and
 * assert the whole message.
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#ifndef HWH_SRC_DIR
#define HWH_SRC_DIR "."
#endif

#define NAME "t.conf"

Suite *config_suite(void); /* called by tests/main.c */

/* Parse text that must be valid; fail with the first message if not. */
static struct hwh_config *parse_ok(const char *text)
{
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;
	int r = config_parse(NAME, text, strlen(text), &cfg, &d);

	ck_assert_msg(r == 0 && d.n == 0, "parse failed (%d): %s", r,
		      d.n ? d.msgs[0] : "no message");
	ck_assert_ptr_nonnull(cfg);
	cfg_diag_free(&d);
	return cfg;
}

/* Parse text that must be refused; the caller checks d and frees it. */
static void parse_bad(const char *text, struct cfg_diag *d)
{
	struct hwh_config *cfg = (struct hwh_config *)1;

	*d = (struct cfg_diag){0};
	ck_assert_int_eq(config_parse(NAME, text, strlen(text), &cfg, d), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_ge(d->n, 1);
}

/* text must give exactly one error: msg. */
static void expect_error(const char *text, const char *msg)
{
	struct cfg_diag d;

	parse_bad(text, &d);
	ck_assert_str_eq(d.msgs[0], msg);
	ck_assert_msg(d.n == 1, "%zu errors, the second: %s", d.n, d.n > 1 ? d.msgs[1] : "");
	cfg_diag_free(&d);
}

/* ---- tokenizer and strings ---- */

START_TEST(test_empty_file)
{
	struct hwh_config *cfg = parse_ok("");

	ck_assert_str_eq(cfg->path, NAME);
	ck_assert(cfg->autodetect);
	ck_assert_uint_eq(cfg->nsources, 0);
	ck_assert_ptr_null(cfg->sources);
	ck_assert_int_eq(cfg->interval_ms, CFG_DEFAULT_INTERVAL_MS);
	ck_assert_int_eq(cfg->timeout_ms, CFG_DEFAULT_TIMEOUT_MS);
	ck_assert_int_eq(cfg->stale_ms, 0);
	ck_assert_uint_eq(cfg->history, CFG_DEFAULT_HISTORY);
	ck_assert_str_eq(cfg->socket_path, CFG_DEFAULT_SOCKET);
	ck_assert_ptr_null(cfg->socket_group);
	ck_assert_uint_eq(cfg->socket_mode, 0660);
	ck_assert_str_eq(cfg->state_dir, CFG_DEFAULT_STATE_DIR);
	ck_assert_str_eq(cfg->plugin_dir, CFG_DEFAULT_PLUGIN_DIR);
	ck_assert_str_eq(cfg->rules_dir, CFG_DEFAULT_RULES_DIR);
	ck_assert_int_eq(cfg->log_level, HWH_LOG_INFO);
	config_free(cfg);
}
END_TEST

START_TEST(test_null_text)
{
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;

	ck_assert_int_eq(config_parse(NAME, NULL, 0, &cfg, &d), 0);
	ck_assert(cfg->autodetect);
	config_free(cfg);
	ck_assert_uint_eq(d.n, 0);
}
END_TEST

START_TEST(test_comments_and_blanks)
{
	struct hwh_config *cfg = parse_ok("# only a comment\n\n  \t \n"
					  "interval 7s # trailing comment\n"
					  "#timeout 1s\n"
					  "history 9#no space before the comment\n");

	ck_assert_int_eq(cfg->interval_ms, 7000);
	ck_assert_int_eq(cfg->timeout_ms, CFG_DEFAULT_TIMEOUT_MS);
	ck_assert_uint_eq(cfg->history, 9);
	config_free(cfg);
}
END_TEST

START_TEST(test_semicolons)
{
	struct hwh_config *cfg = parse_ok("interval 7s; timeout 3s;history 5;;\n;");

	ck_assert_int_eq(cfg->interval_ms, 7000);
	ck_assert_int_eq(cfg->timeout_ms, 3000);
	ck_assert_uint_eq(cfg->history, 5);
	config_free(cfg);
}
END_TEST

START_TEST(test_crlf_and_no_final_newline)
{
	struct hwh_config *cfg = parse_ok("interval 7s\r\ntimeout 2s\r\nlog-level debug");

	ck_assert_int_eq(cfg->interval_ms, 7000);
	ck_assert_int_eq(cfg->timeout_ms, 2000);
	ck_assert_int_eq(cfg->log_level, HWH_LOG_DEBUG);
	config_free(cfg);
}
END_TEST

START_TEST(test_quoted_escapes)
{
	struct hwh_config *cfg = parse_ok("source s {\n"
					  "\ttext \"a \\\"b\\\" \\\\ c\\n\\td\"\n"
					  "\tempty \"\"\n"
					  "\thash \"x # y; { }\"\n"
					  "}\n");
	const struct cfg_source *s = &cfg->sources[0];

	ck_assert_uint_eq(s->nopts, 3);
	ck_assert_str_eq(s->opts[0].value, "a \"b\" \\ c\n\td");
	ck_assert_str_eq(s->opts[1].value, "");
	ck_assert_str_eq(s->opts[2].value, "x # y; { }");
	config_free(cfg);
}
END_TEST

START_TEST(test_quoted_global_value)
{
	struct hwh_config *cfg = parse_ok("socket \"/run/h w/x.sock\"\nstate-dir \"/var/a#b\"\n");

	ck_assert_str_eq(cfg->socket_path, "/run/h w/x.sock");
	ck_assert_str_eq(cfg->state_dir, "/var/a#b");
	config_free(cfg);
}
END_TEST

START_TEST(test_word_characters)
{
	struct hwh_config *cfg = parse_ok("source s { url http://u@h:1/p?a=1,b+c*d-e_f.g~h }\n");

	ck_assert_str_eq(cfg->sources[0].opts[0].value, "http://u@h:1/p?a=1,b+c*d-e_f.g~h");
	config_free(cfg);
}
END_TEST

START_TEST(test_unterminated_string)
{
	/* The error stops at the newline: the next line is parsed normally. */
	expect_error("socket \"/run/x.sock\ninterval 5s\n", NAME ":1:8: unterminated string");
	expect_error("socket \"/run/x.sock\\", NAME ":1:8: unterminated string");
}
END_TEST

START_TEST(test_invalid_escape)
{
	expect_error("socket \"/run/\\q\"\n",
		     NAME ":1:14: invalid escape '\\q' in string (use \\\", \\\\, \\n or \\t)");
}
END_TEST

START_TEST(test_bad_characters)
{
	expect_error("interval 5s\nsocket '/x'\n",
		     NAME ":2:8: single quotes are not supported (use double quotes)");
	expect_error("history 5\x01\n", NAME ":1:10: unexpected character '\\x01'");
}
END_TEST

START_TEST(test_nul_byte)
{
	static const char text[] = "interval 5s\nti\0meout 1s\n";
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;

	ck_assert_int_eq(config_parse(NAME, text, sizeof(text) - 1, &cfg, &d), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0], NAME ":2:3: binary data (NUL byte); not a configuration file");
	cfg_diag_free(&d);
}
END_TEST

START_TEST(test_control_chars_not_echoed)
{
	expect_error("state-dir ok\nlog-level \"a\\tb\\nc\"\n",
		     NAME ":2:11: invalid log-level 'a?b?c' (expected one of: err, warning, "
			  "notice, info, debug)");
}
END_TEST

/* ---- global settings ---- */

START_TEST(test_every_global)
{
	struct hwh_config *cfg = parse_ok("interval 20s\n"
					  "timeout 4s\n"
					  "stale-after 90s\n"
					  "history 1000\n"
					  "socket /tmp/h.sock\n"
					  "socket-group adm\n"
					  "socket-mode 0640\n"
					  "state-dir /srv/state\n"
					  "plugin-dir /opt/hw/plugins\n"
					  "rules-dir /opt/hw/rules\n"
					  "log-level notice\n");

	ck_assert_int_eq(cfg->interval_ms, 20000);
	ck_assert_int_eq(cfg->timeout_ms, 4000);
	ck_assert_int_eq(cfg->stale_ms, 90000);
	ck_assert_uint_eq(cfg->history, 1000);
	ck_assert_str_eq(cfg->socket_path, "/tmp/h.sock");
	ck_assert_str_eq(cfg->socket_group, "adm");
	ck_assert_uint_eq(cfg->socket_mode, 0640);
	ck_assert_str_eq(cfg->state_dir, "/srv/state");
	ck_assert_str_eq(cfg->plugin_dir, "/opt/hw/plugins");
	ck_assert_str_eq(cfg->rules_dir, "/opt/hw/rules");
	ck_assert_int_eq(cfg->log_level, HWH_LOG_NOTICE);
	ck_assert(cfg->autodetect);
	config_free(cfg);
}
END_TEST

START_TEST(test_log_levels)
{
	static const struct {
		const char *text;
		int level;
	} t[] = {{"log-level err", HWH_LOG_ERR},
		 {"log-level warning", HWH_LOG_WARNING},
		 {"log-level notice", HWH_LOG_NOTICE},
		 {"log-level info", HWH_LOG_INFO},
		 {"log-level debug", HWH_LOG_DEBUG}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hwh_config *cfg = parse_ok(t[i].text);

		ck_assert_int_eq(cfg->log_level, t[i].level);
		config_free(cfg);
	}
	expect_error("log-level verbose",
		     NAME ":1:11: invalid log-level 'verbose' (expected one of: err, warning, "
			  "notice, info, debug)");
}
END_TEST

START_TEST(test_socket_mode)
{
	static const struct {
		const char *text;
		unsigned mode;
	} t[] = {{"socket-mode 660", 0660},
		 {"socket-mode 0", 0},
		 {"socket-mode 0777", 0777},
		 {"socket-mode 0000600", 0600}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hwh_config *cfg = parse_ok(t[i].text);

		ck_assert_uint_eq(cfg->socket_mode, t[i].mode);
		config_free(cfg);
	}
	expect_error("socket-mode 0778", NAME ":1:13: invalid socket-mode '0778' (expected an "
					      "octal mode from 0000 to 0777, e.g. 0660)");
	expect_error("socket-mode 1000", NAME ":1:13: invalid socket-mode '1000' (expected an "
					      "octal mode from 0000 to 0777, e.g. 0660)");
	expect_error("socket-mode rw", NAME ":1:13: invalid socket-mode 'rw' (expected an "
					    "octal mode from 0000 to 0777, e.g. 0660)");
}
END_TEST

START_TEST(test_history_bounds)
{
	struct hwh_config *cfg = parse_ok("history 1");

	ck_assert_uint_eq(cfg->history, 1);
	config_free(cfg);
	cfg = parse_ok("history 4096");
	ck_assert_uint_eq(cfg->history, 4096);
	config_free(cfg);
	expect_error("history 0",
		     NAME ":1:9: invalid history '0' (expected a number from 1 to 4096)");
	expect_error("history 4097",
		     NAME ":1:9: invalid history '4097' (expected a number from 1 to 4096)");
	expect_error("history -1",
		     NAME ":1:9: invalid history '-1' (expected a number from 1 to 4096)");
	expect_error("history 99999999999999999999999",
		     NAME ":1:9: invalid history '99999999999999999999999' (expected a number "
			  "from 1 to 4096)");
}
END_TEST

START_TEST(test_paths)
{
	char text[300];

	expect_error("socket run/h.sock", NAME ":1:8: socket path 'run/h.sock' is not absolute");
	expect_error("state-dir \"\"", NAME ":1:11: empty value for 'state-dir'");
	expect_error("plugin-dir \"\"", NAME ":1:12: empty value for 'plugin-dir'");
	expect_error("rules-dir \"\"", NAME ":1:11: empty value for 'rules-dir'");
	expect_error("socket-group \"\"", NAME ":1:14: empty value for 'socket-group'");
	expect_error("socket \"\"", NAME ":1:8: empty value for 'socket'");
	/* sun_path holds 108 bytes with the NUL: 107 is the longest path. */
	snprintf(text, sizeof(text), "socket /%0106d", 0);
	struct hwh_config *cfg = parse_ok(text);
	ck_assert_uint_eq(strlen(cfg->socket_path), 107);
	config_free(cfg);
	snprintf(text, sizeof(text), "socket /%0107d", 0);
	expect_error(text, NAME ":1:8: socket path is too long (108 bytes, at most 107)");
}
END_TEST

START_TEST(test_global_after_blocks)
{
	struct hwh_config *cfg = parse_ok("source a { }\n"
					  "source b { interval 3s; timeout 1s }\n"
					  "interval 30s\n"
					  "timeout 9s\n");

	ck_assert_int_eq(cfg->sources[0].interval_ms, 30000);
	ck_assert_int_eq(cfg->sources[0].timeout_ms, 9000);
	ck_assert_int_eq(cfg->sources[1].interval_ms, 3000);
	ck_assert_int_eq(cfg->sources[1].timeout_ms, 1000);
	config_free(cfg);
}
END_TEST

/* ---- sources ---- */

START_TEST(test_sources_example)
{
	struct hwh_config *cfg =
	    parse_ok("interval 10s\n"
		     "source sensors {                 # NAME; plugin defaults to NAME\n"
		     "    interval 5s\n"
		     "    timeout 2s\n"
		     "    stale-after 20s\n"
		     "    enabled yes\n"
		     "    config \"/etc/sensors3.conf\"\n"
		     "    rescan 60s\n"
		     "}\n"
		     "source \"bmc-remote\" { plugin ipmi; host \"10.0.0.5:623\" }\n");
	const struct cfg_source *s = &cfg->sources[0], *b = &cfg->sources[1];

	ck_assert(!cfg->autodetect);
	ck_assert_uint_eq(cfg->nsources, 2);
	ck_assert_str_eq(s->name, "sensors");
	ck_assert_str_eq(s->plugin, "sensors");
	ck_assert_int_eq(s->interval_ms, 5000);
	ck_assert_int_eq(s->timeout_ms, 2000);
	ck_assert_int_eq(s->stale_ms, 20000);
	ck_assert(s->enabled);
	ck_assert_str_eq(s->file, NAME);
	ck_assert_int_eq(s->line, 2);
	ck_assert_int_eq(s->col, 1);
	ck_assert_uint_eq(s->nopts, 2);
	ck_assert_str_eq(s->opts[0].key, "config");
	ck_assert_str_eq(s->opts[0].value, "/etc/sensors3.conf");
	ck_assert_str_eq(s->opts[1].key, "rescan");
	ck_assert_str_eq(s->opts[1].value, "60s");
	ck_assert_str_eq(b->name, "bmc-remote");
	ck_assert_str_eq(b->plugin, "ipmi");
	ck_assert_int_eq(b->interval_ms, 10000);
	ck_assert_int_eq(b->timeout_ms, CFG_DEFAULT_TIMEOUT_MS);
	ck_assert_int_eq(b->stale_ms, 0);
	ck_assert_uint_eq(b->nopts, 1);
	ck_assert_str_eq(b->opts[0].key, "host");
	ck_assert_str_eq(b->opts[0].value, "10.0.0.5:623");
	ck_assert_int_eq(b->line, 10);
	ck_assert_int_eq(b->opts[0].line, 10);
	ck_assert_int_eq(b->opts[0].col, 36);
	config_free(cfg);
}
END_TEST

START_TEST(test_options_in_order)
{
	struct hwh_config *cfg = parse_ok("source x {\n"
					  "\tdisk /dev/sda\n"
					  "  disk /dev/sdb; interval 2s; disk \"/dev/sd c\"\n"
					  "\tnote x\n"
					  "}\n");
	const struct cfg_source *s = &cfg->sources[0];
	static const struct {
		const char *key, *value;
		int line, col;
	} want[] = {{"disk", "/dev/sda", 2, 2},
		    {"disk", "/dev/sdb", 3, 3},
		    {"disk", "/dev/sd c", 3, 31},
		    {"note", "x", 4, 2}};

	ck_assert_uint_eq(s->nopts, 4);
	for (size_t i = 0; i < 4; i++) {
		ck_assert_str_eq(s->opts[i].key, want[i].key);
		ck_assert_str_eq(s->opts[i].value, want[i].value);
		ck_assert_str_eq(s->opts[i].file, NAME);
		ck_assert_int_eq(s->opts[i].line, want[i].line);
		ck_assert_int_eq(s->opts[i].col, want[i].col);
	}
	ck_assert_int_eq(s->interval_ms, 2000);
	config_free(cfg);
}
END_TEST

START_TEST(test_brace_placement)
{
	struct hwh_config *cfg = parse_ok("source a\n{\ninterval 1s\n}\n"
					  "source b\n\n  {interval 2s}source c{}\n"
					  "source d;{ }\n");

	ck_assert_uint_eq(cfg->nsources, 4);
	ck_assert_str_eq(cfg->sources[0].name, "a");
	ck_assert_int_eq(cfg->sources[0].interval_ms, 1000);
	ck_assert_str_eq(cfg->sources[1].name, "b");
	ck_assert_int_eq(cfg->sources[1].interval_ms, 2000);
	ck_assert_str_eq(cfg->sources[2].name, "c");
	ck_assert_int_eq(cfg->sources[2].line, 7);
	ck_assert_int_eq(cfg->sources[2].col, 16);
	ck_assert_str_eq(cfg->sources[3].name, "d");
	config_free(cfg);
}
END_TEST

START_TEST(test_enabled_values)
{
	static const struct {
		const char *text;
		bool on;
	} t[] = {{"source a { enabled yes }", true},
		 {"source a { enabled true }", true},
		 {"source a { enabled on }", true},
		 {"source a { enabled no }", false},
		 {"source a { enabled false }", false},
		 {"source a { enabled off }", false},
		 {"source a { }", true}};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct hwh_config *cfg = parse_ok(t[i].text);

		ck_assert_msg(cfg->sources[0].enabled == t[i].on, "%s", t[i].text);
		config_free(cfg);
	}
	expect_error("source a { enabled maybe }",
		     NAME ":1:20: invalid value 'maybe' for 'enabled' (expected yes or no)");
}
END_TEST

START_TEST(test_names)
{
	struct hwh_config *cfg = parse_ok("source disk_0.a-b { plugin smart-2 }");

	ck_assert_str_eq(cfg->sources[0].name, "disk_0.a-b");
	ck_assert_str_eq(cfg->sources[0].plugin, "smart-2");
	config_free(cfg);
	expect_error("source \"a/b\" { }",
		     NAME ":1:8: invalid source name 'a/b' (letters, digits, '_', '-' and '.', at "
			  "most 64)");
	expect_error("source .x { }",
		     NAME ":1:8: invalid source name '.x' (letters, digits, '_', '-' and '.', at "
			  "most 64)");
	expect_error("source x { plugin ../evil }", NAME
		     ":1:19: invalid plugin name '../evil' (letters, digits, '_', '-' and '.', "
		     "at most 64)");
}
END_TEST

START_TEST(test_autodetect_flag)
{
	struct hwh_config *cfg = parse_ok("interval 5s\n");

	ck_assert(cfg->autodetect);
	config_free(cfg);
	cfg = parse_ok("source a { enabled no }\n");
	ck_assert(!cfg->autodetect);
	config_free(cfg);
}
END_TEST

START_TEST(test_stale_ms)
{
	struct hwh_config *cfg = parse_ok("source own { interval 2s; stale-after 7s }\n"
					  "source three { interval 2s }\n");

	ck_assert_int_eq(cfg_source_stale_ms(cfg, &cfg->sources[0]), 7000);
	ck_assert_int_eq(cfg_source_stale_ms(cfg, &cfg->sources[1]), 6000);
	config_free(cfg);
	cfg = parse_ok("stale-after 1m\nsource own { stale-after 7s }\nsource glob { }\n");
	ck_assert_int_eq(cfg_source_stale_ms(cfg, &cfg->sources[0]), 7000);
	ck_assert_int_eq(cfg_source_stale_ms(cfg, &cfg->sources[1]), 60000);
	config_free(cfg);
}
END_TEST

START_TEST(test_add_source)
{
	struct hwh_config *cfg = parse_ok("interval 4s\ntimeout 1s\nsource a { }\n");

	ck_assert_int_eq(config_add_source(cfg, "sensors"), 0);
	ck_assert_uint_eq(cfg->nsources, 2);
	ck_assert_str_eq(cfg->sources[1].name, "sensors");
	ck_assert_str_eq(cfg->sources[1].plugin, "sensors");
	ck_assert_int_eq(cfg->sources[1].interval_ms, 4000);
	ck_assert_int_eq(cfg->sources[1].timeout_ms, 1000);
	ck_assert_int_eq(cfg->sources[1].stale_ms, 0);
	ck_assert(cfg->sources[1].enabled);
	ck_assert_uint_eq(cfg->sources[1].nopts, 0);
	ck_assert_int_eq(cfg_source_stale_ms(cfg, &cfg->sources[1]), 12000);
	ck_assert_str_eq(cfg->sources[0].name, "a");
	config_free(cfg);

	cfg = config_new_defaults();
	ck_assert_ptr_nonnull(cfg);
	ck_assert_ptr_null(cfg->path);
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(config_add_source(cfg, "p"), 0);
	ck_assert_uint_eq(cfg->nsources, 20);
	ck_assert_int_eq(cfg->sources[19].interval_ms, CFG_DEFAULT_INTERVAL_MS);
	ck_assert_int_eq(config_add_source(cfg, NULL), -EINVAL);
	config_free(cfg);
	config_free(NULL);
}
END_TEST

/* ---- durations ---- */

START_TEST(test_parse_duration)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {{"500ms", 500},
		    {"10s", 10000},
		    {"5m", 300000},
		    {"2h", 7200000},
		    {"1d", 86400000},
		    {"7", 7000},
		    {"007s", 7000},
		    {"9223372036854775807ms", INT64_MAX},
		    {"106751991167d", 106751991167LL * 86400000}};
	/* clang-format off */
	static const char *const bad[] = {
		"", "0", "0ms", "00s", "ten", "10x", "-5s", "+5s", " 5s", "5s ", "5 s", "1.5s",
		"1m30s", "s", "5S", "5sec", "9223372036854775808ms", "9223372036854775807s",
		"106751991168d", "99999999999999999999999999",
	};
	/* clang-format on */
	int64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		ck_assert_msg(cfg_parse_duration(good[i].s, &ms) == 0, "%s", good[i].s);
		ck_assert_int_eq(ms, good[i].ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 42;
		ck_assert_msg(cfg_parse_duration(bad[i], &ms) == -1, "'%s'", bad[i]);
		ck_assert_int_eq(ms, 42);
	}
	ck_assert_int_eq(cfg_parse_duration(NULL, &ms), -1);
}
END_TEST

START_TEST(test_duration_messages)
{
	expect_error("interval 10s\ntimeout 1s\n\ninterval ten",
		     NAME ":4:1: 'interval' already set at " NAME ":1:1");
	expect_error("timeout 1s\n\n  interval ten\n",
		     NAME ":3:12: invalid duration 'ten' for 'interval' (expected e.g. 500ms, 10s, "
			  "5m, 1h)");
	expect_error("timeout 0s",
		     NAME ":1:9: invalid duration '0s' for 'timeout' (must be greater than zero)");
	expect_error("stale-after 366d", NAME
		     ":1:13: invalid duration '366d' for 'stale-after' (too large, at most 365d)");
	expect_error("source a {\n\tinterval 99999999999999999999s\n}",
		     NAME ":2:11: invalid duration '99999999999999999999s' for 'interval' (too "
			  "large, at most 365d)");
	struct hwh_config *cfg = parse_ok("interval 365d");
	ck_assert_int_eq(cfg->interval_ms, 365LL * 86400000);
	config_free(cfg);
}
END_TEST

START_TEST(test_health_settings)
{
	struct hwh_config *cfg = parse_ok("score-yellow 5\nscore-red 20.5\nscore-critical 80\n"
					  "recover-after 0\nstate-interval 30s\n"
					  "record /tmp/t.csv\nlocal-rules-dir /x/rules.d\n");

	ck_assert_double_eq(cfg->score_yellow, 5);
	ck_assert_double_eq(cfg->score_red, 20.5);
	ck_assert_double_eq(cfg->score_critical, 80);
	ck_assert_int_eq(cfg->recover_ms, 0);
	ck_assert_int_eq(cfg->state_interval_ms, 30000);
	ck_assert_str_eq(cfg->record_path, "/tmp/t.csv");
	ck_assert_str_eq(cfg->local_rules_dir, "/x/rules.d");
	config_free(cfg);
	cfg = parse_ok("");
	ck_assert_double_eq(cfg->score_red, 50);
	ck_assert_int_eq(cfg->recover_ms, 300000);
	ck_assert_ptr_null(cfg->record_path);
	config_free(cfg);
	expect_error("score-red lots",
		     NAME ":1:11: invalid score 'lots' for 'score-red' (expected a number from 0 "
			  "to 1e9)");
	expect_error("score-red -1",
		     NAME ":1:11: invalid score '-1' for 'score-red' (expected a number from 0 "
			  "to 1e9)");
	expect_error("recover-after soon",
		     NAME ":1:15: invalid duration 'soon' for 'recover-after' (expected e.g. "
			  "500ms, 10s, 5m, 1h)");
}
END_TEST

/* ---- errors ---- */

START_TEST(test_unknown_setting)
{
	expect_error(
	    "interval 5s\n\n\n\n\n\nintervall 5s\n",
	    NAME ":7:1: unknown setting 'intervall' (expected one of: interval, timeout, "
		 "stale-after, history, socket, socket-group, socket-mode, state-dir, "
		 "plugin-dir, rules-dir, log-level, local-rules-dir, score-yellow, score-red, "
		 "score-critical, recover-after, state-interval, record, source, action, service, "
		 "policy)");
}
END_TEST

START_TEST(test_missing_value)
{
	expect_error("interval\n", NAME ":1:9: missing value for 'interval'");
	expect_error("interval", NAME ":1:9: missing value for 'interval'");
	expect_error("history   # a comment\n", NAME ":1:22: missing value for 'history'");
	expect_error("timeout;", NAME ":1:8: missing value for 'timeout'");
	expect_error("source a {\n  interval\n}\n", NAME ":2:11: missing value for 'interval'");
	expect_error("source a { rescan }\n", NAME ":1:19: missing value for 'rescan'");
	expect_error("source {\n  interval 5s\n}\n", NAME ":1:8: missing name for 'source'");
	expect_error("source\n", NAME ":1:7: missing name for 'source'");
}
END_TEST

START_TEST(test_extra_token)
{
	expect_error("interval 5s 6s\n",
		     NAME ":1:13: unexpected '6s' after the value of 'interval' (one value per "
			  "statement)");
	expect_error("source a {\n\tinterval 5s 6s\n\tport 1\n}\n",
		     NAME ":2:14: unexpected '6s' after the value of 'interval' (one value per "
			  "statement)");
	expect_error("\"interval\" 5s\n",
		     NAME ":1:1: expected a setting name, got a quoted string");
}
END_TEST

/* A plugin option takes the rest of its statement, words joined by one
 * space ("device /dev/sda sat"); its position is its first word's. */
START_TEST(test_plugin_option_words)
{
	struct hwh_config *cfg = parse_ok("source s {\n"
					  "  plugin smart\n"
					  "  device /dev/bus/0   \"megaraid,3\"  # comment\n"
					  "  device /dev/sda\n"
					  "}\n");
	const struct cfg_source *src = &cfg->sources[0];

	ck_assert_uint_eq(src->nopts, 2);
	ck_assert_str_eq(src->opts[0].value, "/dev/bus/0 megaraid,3");
	ck_assert_int_eq(src->opts[0].line, 3);
	ck_assert_str_eq(src->opts[1].value, "/dev/sda");
	config_free(cfg);
}
END_TEST

START_TEST(test_unclosed_block)
{
	expect_error("source sensors {\n  interval 5s\n\n",
		     NAME ":1:16: unclosed block 'source sensors' opened here");
	expect_error("source a\n  {", NAME ":2:3: unclosed block 'source a' opened here");
}
END_TEST

START_TEST(test_service_blocks)
{
	struct hwh_config *c =
	    parse_ok("service snmp {\n  agentx-socket /run/agentx.sock\n  timeout 5s\n"
		     "  interval 1s\n}\nservice other {\n  plugin svcrec\n  enabled no\n}\n");

	ck_assert_uint_eq(c->nservices, 2);
	ck_assert_uint_eq(c->nsources, 0);
	ck_assert_str_eq(c->services[0].name, "snmp");
	ck_assert_str_eq(c->services[0].plugin, "snmp"); /* defaults to the name */
	/* A service has no poll: interval and timeout are its plugin's. */
	ck_assert_uint_eq(c->services[0].nopts, 3);
	ck_assert_str_eq(c->services[0].opts[1].key, "timeout");
	ck_assert_str_eq(c->services[0].opts[1].value, "5s");
	ck_assert_int_eq(c->services[0].opts[1].line, 3);
	ck_assert_str_eq(c->services[1].plugin, "svcrec");
	ck_assert(!c->services[1].enabled);
	config_free(c);
	expect_error("service {\n}\n", NAME ":1:9: missing name for 'service'");
	expect_error("service a {\n}\nservice a {\n}\n",
		     NAME ":3:9: duplicate service 'a' (first defined at " NAME ":1:1)");
	expect_error("service a {\n  plugin x\n  plugin y\n}\n",
		     NAME ":3:3: 'plugin' already set at " NAME ":2:3");
	expect_error("service a {} service b {} service c {} service d {} service e {}\n"
		     "service f {} service g {} service h {} service i {}\n",
		     NAME ":2:40: too many services (at most 8)");
}
END_TEST

START_TEST(test_stray_brace)
{
	expect_error("interval 5s\n}\n", NAME ":2:1: unexpected '}' (no block to close)");
	expect_error("source a { }\n  }", NAME ":2:3: unexpected '}' (no block to close)");
	expect_error("{ interval 5s }",
		     NAME ":1:1: unexpected '{' (a block starts with 'source NAME')");
	expect_error("interval 5s {\n}\n",
		     NAME ":1:13: unexpected '{' after 'interval' (only 'source NAME', "
			  "'action NAME', 'service NAME' and 'policy' open a block)");
	expect_error("source a\ninterval 5s\n", NAME ":2:1: expected '{' after 'source a'");
}
END_TEST

START_TEST(test_nested_block)
{
	/* The nested block is skipped whole: its '}' does not close the outer
	 * one, and the outer block's later keys are still checked. */
	struct cfg_diag d;

	parse_bad("source a {\n source b {\n  interval 1s\n }\n timeout zero\n}\n", &d);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.msgs[0], NAME ":2:2: nested block 'source b' (blocks cannot be nested)");
	ck_assert_str_eq(d.msgs[1], NAME ":5:10: invalid duration 'zero' for 'timeout' (expected "
					 "e.g. 500ms, 10s, 5m, 1h)");
	cfg_diag_free(&d);
	expect_error("source a { { } }", NAME ":1:12: unexpected '{' (blocks cannot be nested)");
	expect_error("source a { opts {\n} }",
		     NAME ":1:12: nested block 'opts' (blocks cannot be nested)");
}
END_TEST

START_TEST(test_duplicate_source)
{
	expect_error("source x {\n}\n\nsource  x { }\n",
		     NAME ":4:9: duplicate source 'x' (first defined at " NAME ":1:1)");
}
END_TEST

START_TEST(test_duplicate_keys)
{
	expect_error("history 5\ninterval 5s\n  history 6\n",
		     NAME ":3:3: 'history' already set at " NAME ":1:1");
	expect_error("source a {\n  interval 5s\n  interval 6s\n}\n",
		     NAME ":3:3: 'interval' already set at " NAME ":2:3");
	/* The same core key in two blocks is no duplicate. */
	struct hwh_config *cfg = parse_ok("source a { plugin p }\nsource b { plugin p }\n");
	ck_assert_str_eq(cfg->sources[1].plugin, "p");
	config_free(cfg);
}
END_TEST

START_TEST(test_all_errors_reported)
{
	static const char text[] = "interval ten\n"		  /* 1 */
				   "timeout 2s\n"		  /* 2 */
				   "bogus 1\n"			  /* 3 */
				   "source a {\n"		  /* 4 */
				   "  enabled perhaps\n"	  /* 5 */
				   "  interval 1s extra\n"	  /* 6 */
				   "}\n"			  /* 7 */
				   "source a { }\n"		  /* 8 */
				   "socket-mode 999; history 0\n" /* 9 */
				   "}\n";			  /* 10 */
	static const char *const want[] = {
	    NAME ":1:10: invalid duration 'ten' for 'interval' (expected e.g. 500ms, 10s, 5m, 1h)",
	    NAME ":3:1: unknown setting 'bogus' (expected one of: interval, timeout, "
		 "stale-after, history, socket, socket-group, socket-mode, state-dir, "
		 "plugin-dir, rules-dir, log-level, local-rules-dir, score-yellow, score-red, "
		 "score-critical, recover-after, state-interval, record, source, action, service, "
		 "policy)",
	    NAME ":5:11: invalid value 'perhaps' for 'enabled' (expected yes or no)",
	    NAME ":6:15: unexpected 'extra' after the value of 'interval' (one value per "
		 "statement)",
	    NAME ":8:8: duplicate source 'a' (first defined at " NAME ":4:1)",
	    NAME ":9:13: invalid socket-mode '999' (expected an octal mode from 0000 to 0777, "
		 "e.g. 0660)",
	    NAME ":9:26: invalid history '0' (expected a number from 1 to 4096)",
	    NAME ":10:1: unexpected '}' (no block to close)",
	};
	struct cfg_diag d;

	parse_bad(text, &d);
	ck_assert_uint_eq(d.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < d.n; i++)
		ck_assert_str_eq(d.msgs[i], want[i]);
	cfg_diag_free(&d);
}
END_TEST

START_TEST(test_too_many_errors)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct cfg_diag d;

	ck_assert_ptr_nonnull(f);
	for (int i = 0; i < 500; i++)
		fprintf(f, "bogus %d\n", i);
	fclose(f);
	parse_bad(text, &d);
	ck_assert_uint_eq(d.n, 101);
	ck_assert_str_eq(d.msgs[100], NAME ":101:1: too many errors, giving up");
	cfg_diag_free(&d);
	free(text);
}
END_TEST

START_TEST(test_too_large)
{
	size_t len = 16 * 1024 * 1024 + 1;
	char *text = malloc(len);
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;

	ck_assert_ptr_nonnull(text);
	memset(text, '\n', len);
	ck_assert_int_eq(config_parse(NAME, text, len, &cfg, &d), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0], NAME ":1:1: file too large (16777217 bytes, at most 16777216)");
	cfg_diag_free(&d);
	ck_assert_int_eq(config_parse(NAME, text, len - 1, &cfg, &d), 0);
	config_free(cfg);
	free(text);
}
END_TEST

START_TEST(test_diag_accumulates)
{
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;

	cfg_diag_add(&d, "x", 1, 2, "first %d", 1);
	ck_assert_int_eq(config_parse(NAME, "history 0", 9, &cfg, &d), -1);
	ck_assert_uint_eq(d.n, 2);
	ck_assert_str_eq(d.msgs[0], "x:1:2: first 1");
	ck_assert_str_eq(d.msgs[1],
			 NAME ":1:9: invalid history '0' (expected a number from 1 to 4096)");
	cfg_diag_free(&d);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_ptr_null(d.msgs);
	cfg_diag_free(&d);
}
END_TEST

/* Two parses at once must not disturb each other (no global state). */
static void *parse_loop(void *arg)
{
	const char *text = arg;

	for (int i = 0; i < 200; i++) {
		struct cfg_diag d = {0};
		struct hwh_config *cfg = NULL;

		if (config_parse(NAME, text, strlen(text), &cfg, &d) == 0 || d.n != 2)
			return (void *)1;
		if (strcmp(d.msgs[1], NAME ":3:1: unexpected '}' (no block to close)") != 0)
			return (void *)1;
		cfg_diag_free(&d);
	}
	return NULL;
}

START_TEST(test_concurrent_parses)
{
	pthread_t t[4];
	void *res;

	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(
		    pthread_create(&t[i], NULL, parse_loop, "source a { interval x\n}\n}\n"), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_ptr_null(res);
	}
}
END_TEST

/* ---- loading from files ---- */

START_TEST(test_load_missing)
{
	struct cfg_diag d = {0};
	struct hwh_config *cfg = (struct hwh_config *)1;

	ck_assert_int_eq(config_load("/nonexistent/hwhealth.conf", &cfg, &d), -2);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0],
			 "cannot read /nonexistent/hwhealth.conf: No such file or directory");
	cfg_diag_free(&d);
	ck_assert_int_eq(config_load("/", &cfg, &d), -2);
	ck_assert_str_eq(d.msgs[0], "cannot read /: Is a directory");
	cfg_diag_free(&d);
}
END_TEST

/* Write text to a new temp file; its name goes to path. */
static void write_temp(char path[64], const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/check_config.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
}

START_TEST(test_load_temp_file)
{
	char path[64], want[256];
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;

	write_temp(path, "history 64\nsource sensors {\n\trescan 30s\n}\n");
	ck_assert_int_eq(config_load(path, &cfg, &d), 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_str_eq(cfg->path, path);
	ck_assert_uint_eq(cfg->history, 64);
	ck_assert_str_eq(cfg->sources[0].file, path);
	ck_assert_str_eq(cfg->sources[0].opts[0].file, path);
	ck_assert_int_eq(cfg->sources[0].opts[0].line, 3);
	config_free(cfg);
	unlink(path);

	write_temp(path, "history 64\nhistory x\n");
	ck_assert_int_eq(config_load(path, &cfg, &d), -1);
	ck_assert_ptr_null(cfg);
	ck_assert_uint_eq(d.n, 1);
	snprintf(want, sizeof(want), "%s:2:1: 'history' already set at %s:1:1", path, path);
	ck_assert_str_eq(d.msgs[0], want);
	cfg_diag_free(&d);
	unlink(path);
}
END_TEST

START_TEST(test_load_example)
{
	struct cfg_diag d = {0};
	struct hwh_config *cfg = NULL;
	int r = config_load(HWH_SRC_DIR "/contrib/hwhealth.conf.example", &cfg, &d);

	ck_assert_msg(r == 0, "example refused: %s", d.n ? d.msgs[0] : "?");
	ck_assert_uint_eq(d.n, 0);
	ck_assert(!cfg->autodetect);
	ck_assert_uint_eq(cfg->nsources, 1);
	ck_assert_str_eq(cfg->sources[0].plugin, "sensors");
	/* The example shows the defaults: loading it changes nothing else. */
	ck_assert_int_eq(cfg->interval_ms, CFG_DEFAULT_INTERVAL_MS);
	ck_assert_int_eq(cfg->timeout_ms, CFG_DEFAULT_TIMEOUT_MS);
	ck_assert_uint_eq(cfg->history, CFG_DEFAULT_HISTORY);
	ck_assert_uint_eq(cfg->socket_mode, CFG_DEFAULT_SOCKET_MODE);
	ck_assert_int_eq(cfg->log_level, HWH_LOG_INFO);
	config_free(cfg);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc;

	tc = tcase_create("tokenizer");
	tcase_add_test(tc, test_empty_file);
	tcase_add_test(tc, test_service_blocks);
	tcase_add_test(tc, test_null_text);
	tcase_add_test(tc, test_comments_and_blanks);
	tcase_add_test(tc, test_semicolons);
	tcase_add_test(tc, test_crlf_and_no_final_newline);
	tcase_add_test(tc, test_quoted_escapes);
	tcase_add_test(tc, test_quoted_global_value);
	tcase_add_test(tc, test_word_characters);
	tcase_add_test(tc, test_unterminated_string);
	tcase_add_test(tc, test_invalid_escape);
	tcase_add_test(tc, test_bad_characters);
	tcase_add_test(tc, test_nul_byte);
	tcase_add_test(tc, test_control_chars_not_echoed);
	suite_add_tcase(s, tc);

	tc = tcase_create("globals");
	tcase_add_test(tc, test_every_global);
	tcase_add_test(tc, test_log_levels);
	tcase_add_test(tc, test_socket_mode);
	tcase_add_test(tc, test_history_bounds);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_global_after_blocks);
	suite_add_tcase(s, tc);

	tc = tcase_create("sources");
	tcase_add_test(tc, test_sources_example);
	tcase_add_test(tc, test_options_in_order);
	tcase_add_test(tc, test_brace_placement);
	tcase_add_test(tc, test_enabled_values);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_autodetect_flag);
	tcase_add_test(tc, test_stale_ms);
	tcase_add_test(tc, test_add_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("durations");
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_duration_messages);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_setting);
	tcase_add_test(tc, test_health_settings);
	tcase_add_test(tc, test_missing_value);
	tcase_add_test(tc, test_extra_token);
	tcase_add_test(tc, test_plugin_option_words);
	tcase_add_test(tc, test_unclosed_block);
	tcase_add_test(tc, test_stray_brace);
	tcase_add_test(tc, test_nested_block);
	tcase_add_test(tc, test_duplicate_source);
	tcase_add_test(tc, test_duplicate_keys);
	tcase_add_test(tc, test_all_errors_reported);
	tcase_add_test(tc, test_too_many_errors);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_diag_accumulates);
	tcase_add_test(tc, test_concurrent_parses);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_missing);
	tcase_add_test(tc, test_load_temp_file);
	tcase_add_test(tc, test_load_example);
	suite_add_tcase(s, tc);
	return s;
}
