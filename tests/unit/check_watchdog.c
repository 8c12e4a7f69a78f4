/*
 * check_watchdog: unit tests of the watchdog plugin's pure parts
 * (plugins/watchdog_logic.c) and of its readers beside the device
 * (plugins/watchdog_sys.c) on trees built in a temp dir: the options and
 * their messages, the boot status words, durations for people, the
 * decision to pet (wd_should_pet()), sysfs files, the sysfs directory of a
 * char device, and naming the holders of a busy device from /proc.  The
 * device itself is tested against the FUSE fake in
 * tests/integration/check_watchdog_daemon.c.
 *
 * To add a case: one row in a table below, with the exact expected value
 * or message.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/watchdog_internal.h"
#include "testlib.h"

Suite *watchdog_suite(void); /* called by tests/main.c */

/* ---- options ---------------------------------------------------------------- */

#define MAX_OPTS 4

/* Parse up to MAX_OPTS "key", "value" pairs (NULL key ends). */
static int parse(const char *const kv[][2], struct wd_conf *c, struct hwh_config_error *err)
{
	struct hwh_option o[MAX_OPTS];
	size_t n = 0;

	for (; n < MAX_OPTS && kv[n][0] != NULL; n++)
		o[n] = (struct hwh_option){.key = kv[n][0], .value = kv[n][1], .line = (int)n + 3};
	memset(c, 0, sizeof *c);
	memset(err, 0, sizeof *err);
	return wd_conf_parse(o, n, c, err);
}

START_TEST(test_defaults)
{
	const char *const kv[][2] = {{NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(parse(kv, &c, &err), 0);
	ck_assert_str_eq(c.device, "/dev/watchdog");
	ck_assert_ptr_null(c.sysfs);
	ck_assert_uint_eq(c.timeout_sec, 60);
	ck_assert_int_eq(c.grace_ms, 120000);
	ck_assert_int_eq(c.max_loop_age_ms, 30000); /* timeout / 2 */
	ck_assert_int_eq(c.self_fence, 0);	    /* fencing is opt-in */
	ck_assert_uint_eq(c.nrequire, 0);
	wd_conf_free(&c);
}
END_TEST

START_TEST(test_good_options)
{
	const char *const kv[][2] = {{"device", "/run/wd/watchdog"},
				     {"watchdog-timeout", "10s"},
				     {"require", "ipmi, edac\tsensors"},
				     {"require", "smart"}};
	const char *const kv2[][2] = {{"self-fence", "yes"},
				      {"require-grace", "0s"},
				      {"max-loop-age", "1m"},
				      {"watchdog-timeout", "1h"}};
	const char *const kv3[][2] = {{"self-fence", "no"}, {NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(parse(kv, &c, &err), 0);
	ck_assert_str_eq(c.device, "/run/wd/watchdog");
	ck_assert_uint_eq(c.timeout_sec, 10);
	ck_assert_int_eq(c.max_loop_age_ms, 5000);
	ck_assert_uint_eq(c.nrequire, 4);
	ck_assert_str_eq(c.require[0], "ipmi");
	ck_assert_str_eq(c.require[1], "edac");
	ck_assert_str_eq(c.require[2], "sensors");
	ck_assert_str_eq(c.require[3], "smart");
	wd_conf_free(&c);
	ck_assert_int_eq(parse(kv2, &c, &err), 0);
	ck_assert_int_eq(c.self_fence, 1);
	ck_assert_int_eq(c.grace_ms, 0);
	ck_assert_int_eq(c.max_loop_age_ms, 60000);
	ck_assert_uint_eq(c.timeout_sec, 3600);
	wd_conf_free(&c);
	ck_assert_int_eq(parse(kv3, &c, &err), 0);
	ck_assert_int_eq(c.self_fence, 0);
	wd_conf_free(&c);
}
END_TEST

/* A short timeout's half would stop petting a healthy daemon. */
START_TEST(test_loop_age_floor)
{
	const char *const kv[][2] = {{"watchdog-timeout", "2s"}, {NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(parse(kv, &c, &err), 0);
	ck_assert_int_eq(c.max_loop_age_ms, WD_LOOP_AGE_MIN_MS);
	ck_assert_int_eq(c.max_loop_age_given, 0);
	wd_conf_free(&c);
}
END_TEST

/* The default comes from a timeout (init() passes the driver's); a given
 * max-loop-age is marked so init() keeps it. */
START_TEST(test_loop_age_default)
{
	const char *const kv[][2] = {{"max-loop-age", "7s"}, {NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(wd_loop_age_default(8), 4000);
	ck_assert_int_eq(wd_loop_age_default(1), WD_LOOP_AGE_MIN_MS);
	ck_assert_int_eq(parse(kv, &c, &err), 0);
	ck_assert_int_eq(c.max_loop_age_ms, 7000);
	ck_assert_int_eq(c.max_loop_age_given, 1);
	wd_conf_free(&c);
}
END_TEST

static const struct {
	const char *key, *value;
	int index; /* of the bad option, after a good "require a" */
	const char *msg;
} bad_options[] = {
    {"watchdog-timeout", "1500ms", 1,
     "watchdog-timeout: expected whole seconds from 1s to 1h (e.g. 60s), got '1500ms'"},
    {"watchdog-timeout", "0s", 1,
     "watchdog-timeout: expected whole seconds from 1s to 1h (e.g. 60s), got '0s'"},
    {"watchdog-timeout", "2h", 1,
     "watchdog-timeout: expected whole seconds from 1s to 1h (e.g. 60s), got '2h'"},
    {"watchdog-timeout", "60", 1,
     "watchdog-timeout: expected whole seconds from 1s to 1h (e.g. 60s), got '60'"},
    {"device", "watchdog", 1, "device: expected an absolute path, got 'watchdog'"},
    {"sysfs", "/nonexistent/wd", 1,
     "sysfs: '/nonexistent/wd' is not a directory (expected the device's sysfs directory, "
     "such as /sys/class/watchdog/watchdog0)"},
    {"sysfs", "relative", 1, "sysfs: expected an absolute path, got 'relative'"},
    {"require", "ipmi ipmi", 1, "require: source 'ipmi' listed twice"},
    {"require", "-x", 1, "require: '-x' is not a source name"},
    {"require", "a/b", 1, "require: 'a/b' is not a source name"},
    {"require", " , ", 1, "require: expected one or more source names"},
    {"require-grace", "2d", 1, "require-grace: expected a duration up to 24h (e.g. 2m), got '2d'"},
    {"require-grace", "25h", 1,
     "require-grace: expected a duration up to 24h (e.g. 2m), got '25h'"},
    {"max-loop-age", "1s", 1,
     "max-loop-age: expected a duration from 1500ms to 1h (the daemon's main loop goes round "
     "once a second), got '1s'"},
    {"self-fence", "true", 1, "self-fence: expected yes or no, got 'true'"},
    {"self-fence", "", 1, "option 'self-fence' needs a value"},
    {"self_fence", "yes", 1,
     "unknown option 'self_fence' for plugin watchdog (expected one of: device, "
     "watchdog-timeout, sysfs, require, require-grace, max-loop-age, self-fence)"},
};

START_TEST(test_bad_options)
{
	const char *const kv[][2] = {
	    {"require", "a"}, {bad_options[_i].key, bad_options[_i].value}, {NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(parse(kv, &c, &err), -1);
	ck_assert_int_eq(err.option, bad_options[_i].index);
	ck_assert_str_eq(err.msg, bad_options[_i].msg);
	wd_conf_free(&c);
}
END_TEST

/* Every key but require at most once, with the first one's line. */
START_TEST(test_duplicate_option)
{
	const char *const kv[][2] = {{"watchdog-timeout", "10s"},
				     {"require", "a"},
				     {"require", "b"},
				     {"watchdog-timeout", "20s"}};
	struct hwh_config_error err;
	struct wd_conf c;

	ck_assert_int_eq(parse(kv, &c, &err), -1);
	ck_assert_int_eq(err.option, 3);
	ck_assert_str_eq(err.msg, "option 'watchdog-timeout' given twice (first at line 3)");
	wd_conf_free(&c);
}
END_TEST

/* require takes at most WD_REQUIRE_MAX names in all. */
START_TEST(test_require_limit)
{
	char names[WD_REQUIRE_MAX * 4 + 8] = "";
	const char *kv[][2] = {{"require", names}, {NULL, NULL}};
	struct hwh_config_error err;
	struct wd_conf c;

	for (int i = 0; i < WD_REQUIRE_MAX; i++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "s%d ", i);
	ck_assert_int_eq(parse(kv, &c, &err), 0);
	ck_assert_uint_eq(c.nrequire, WD_REQUIRE_MAX);
	wd_conf_free(&c);
	strcat(names, "one-more");
	ck_assert_int_eq(parse(kv, &c, &err), -1);
	ck_assert_str_eq(err.msg, "require: more than 16 sources");
	wd_conf_free(&c);
}
END_TEST

/* ---- words ------------------------------------------------------------------ */

START_TEST(test_bootstatus_text)
{
	static const struct {
		unsigned flags;
		const char *text;
	} rows[] = {
	    {0, "none"},
	    {WDIOF_CARDRESET, "card-reset"},
	    {WDIOF_OVERHEAT | WDIOF_FANFAULT, "overheat,fan-fault"},
	    {WDIOF_EXTERN1 | WDIOF_EXTERN2 | WDIOF_POWERUNDER | WDIOF_POWEROVER,
	     "extern1,extern2,power-under,power-over"},
	    {WDIOF_CARDRESET | WDIOF_KEEPALIVEPING, "card-reset,other(0x8000)"},
	    {0x10000, "other(0x10000)"},
	};
	char buf[WD_TEXT_MAX], tiny[8];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_str_eq(wd_bootstatus_text(rows[i].flags, buf, sizeof buf), rows[i].text);
	ck_assert_str_eq(wd_bootstatus_text(WDIOF_OVERHEAT | WDIOF_CARDRESET, tiny, sizeof tiny),
			 "overhea"); /* truncated, still terminated */
}
END_TEST

START_TEST(test_fmt_ms)
{
	static const struct {
		int64_t ms;
		const char *text;
	} rows[] = {
	    {-5, "0ms"},   {0, "0ms"},	      {800, "800ms"},  {1500, "1.5s"},	  {59999, "60.0s"},
	    {60000, "1m"}, {130000, "2m10s"}, {3600000, "1h"}, {3900000, "1h5m"},
	};
	char buf[32];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		ck_assert_str_eq(wd_fmt_ms(rows[i].ms, buf, sizeof buf), rows[i].text);
}
END_TEST

/* ---- the decision ----------------------------------------------------------- */

static const struct wd_req reqs_ok[] = {{"ipmi", 1, 0}, {"edac", 0, 119999}};
static const struct wd_req reqs_down[] = {{"ipmi", 1, 0}, {"edac", 0, 120000}};
static const struct wd_req reqs_missing[] = {{"ipmi", -1, 130000}, {"edac", 0, 500000}};

static const struct {
	const char *what;
	struct wd_inputs in;
	int pet;
	enum wd_cause cause;
	size_t req;
	const char *text;
} decisions[] = {
    {"healthy",
     {.have_health = 1, .loop_age_ms = 900, .max_loop_age_ms = 1500},
     1,
     WD_CAUSE_NONE,
     0,
     "ok"},
    {"loop at the bound",
     {.have_health = 1, .loop_age_ms = 1500, .max_loop_age_ms = 1500},
     1,
     WD_CAUSE_NONE,
     0,
     "ok"},
    {"loop stuck",
     {.have_health = 1, .loop_age_ms = 3200, .max_loop_age_ms = 1500},
     0,
     WD_CAUSE_LOOP,
     0,
     "main loop stuck: last went round 3.2s ago (max-loop-age 1.5s)"},
    {"older host: loop taken as healthy",
     {.have_health = 0, .loop_age_ms = 99999, .max_loop_age_ms = 1500},
     1,
     WD_CAUSE_NONE,
     0,
     "ok"},
    {"fence",
     {.fencing = 1, .fence_reason = "disk gone", .have_health = 1},
     0,
     WD_CAUSE_FENCE,
     0,
     "self-fence: disk gone"},
    {"fence without reason", {.fencing = 1}, 0, WD_CAUSE_FENCE, 0, "self-fence: no reason given"},
    {"fence wins over a stuck loop",
     {.fencing = 1,
      .fence_reason = "x",
      .have_health = 1,
      .loop_age_ms = 9000,
      .max_loop_age_ms = 1500},
     0,
     WD_CAUSE_FENCE,
     0,
     "self-fence: x"},
    {"down within grace",
     {.req = reqs_ok, .nreq = 2, .grace_ms = 120000},
     1,
     WD_CAUSE_NONE,
     0,
     "ok"},
    {"down past grace",
     {.req = reqs_down, .nreq = 2, .grace_ms = 120000},
     0,
     WD_CAUSE_REQUIRE,
     1,
     "required source edac down for 2m (require-grace 2m)"},
    {"missing first",
     {.req = reqs_missing, .nreq = 2, .grace_ms = 120000},
     0,
     WD_CAUSE_REQUIRE,
     0,
     "required source ipmi missing for 2m10s (require-grace 2m)"},
    {"no grace",
     {.req = reqs_ok, .nreq = 2, .grace_ms = 0},
     0,
     WD_CAUSE_REQUIRE,
     1,
     "required source edac down for 1m59s (require-grace 0ms)"},
    {"loop wins over a source",
     {.have_health = 1,
      .loop_age_ms = 2000,
      .max_loop_age_ms = 1500,
      .req = reqs_down,
      .nreq = 2,
      .grace_ms = 1000},
     0,
     WD_CAUSE_LOOP,
     0,
     "main loop stuck: last went round 2.0s ago (max-loop-age 1.5s)"},
};

START_TEST(test_should_pet)
{
	struct wd_why why;

	memset(&why, 0x55, sizeof why);
	ck_assert_msg(wd_should_pet(&decisions[_i].in, &why) == decisions[_i].pet, "%s",
		      decisions[_i].what);
	ck_assert_int_eq(why.cause, decisions[_i].cause);
	ck_assert_uint_eq(why.req, decisions[_i].req);
	ck_assert_str_eq(why.text, decisions[_i].text);
}
END_TEST

/* ---- sysfs and /proc ------------------------------------------------------- */

static char tmp[TL_PATH_MAX];

static void tmp_setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/hwh-wdunit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
}

static void tmp_teardown(void)
{
	char cmd[TL_PATH_MAX + 16];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

/* Create tmp/rel (and its directories) holding text; NULL text: a dir. */
static void put(const char *rel, const char *text)
{
	char path[2 * TL_PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	for (char *p = path + strlen(tmp) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
		*p = '/';
	}
	if (text == NULL)
		ck_assert(mkdir(path, 0755) == 0 || errno == EEXIST);
	else
		ck_assert_int_eq(write_file_str(path, text), 0);
}

static void link_to(const char *rel, const char *target)
{
	char path[2 * TL_PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

START_TEST(test_sysfs_files)
{
	char dir[TL_PATH_MAX + 8], buf[32], small[4];
	unsigned long v = 7;

	put("wd/identity", "iTCO_wdt  \n");
	put("wd/bootstatus", "32\n");
	put("wd/timeleft", "57");
	put("wd/state", "active\nsecond line\n");
	put("wd/bad", "12x\n");
	put("wd/empty", "");
	snprintf(dir, sizeof dir, "%s/wd", tmp);
	ck_assert_int_eq(wd_sysfs_text(dir, "identity", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "iTCO_wdt");
	ck_assert_int_eq(wd_sysfs_text(dir, "state", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "active");
	ck_assert_int_eq(wd_sysfs_text(dir, "identity", small, sizeof small), -EFBIG);
	ck_assert_str_eq(small, "");
	ck_assert_int_eq(wd_sysfs_text(dir, "nope", buf, sizeof buf), -ENOENT);
	ck_assert_int_eq(wd_sysfs_uint(dir, "bootstatus", &v), 0);
	ck_assert_uint_eq(v, 32);
	ck_assert_int_eq(wd_sysfs_uint(dir, "timeleft", &v), 0);
	ck_assert_uint_eq(v, 57);
	ck_assert_int_eq(wd_sysfs_uint(dir, "bad", &v), -EINVAL);
	ck_assert_int_eq(wd_sysfs_uint(dir, "empty", &v), -EINVAL);
	ck_assert_int_eq(wd_sysfs_uint(dir, "nope", &v), -ENOENT);
}
END_TEST

/* /sys/dev/char/MAJ:MIN when it is a watchdog; the legacy misc node 10:130
 * is watchdog0; anything else has none. */
START_TEST(test_sysfs_dir)
{
	char sys[TL_PATH_MAX + 8], buf[TL_PATH_MAX + 64], want[TL_PATH_MAX + 64];

	put("sys/dev/char/249:1/bootstatus", "0\n");
	put("sys/dev/char/10:130/dev", "10:130\n"); /* the misc device: no bootstatus */
	put("sys/class/watchdog/watchdog0/bootstatus", "32\n");
	put("sys/dev/char/4:1/dev", "4:1\n");
	snprintf(sys, sizeof sys, "%s/sys", tmp);
	snprintf(want, sizeof want, "%s/sys/dev/char/249:1", tmp);
	ck_assert_int_eq(wd_sysfs_dir(sys, 249, 1, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, want);
	snprintf(want, sizeof want, "%s/sys/class/watchdog/watchdog0", tmp);
	ck_assert_int_eq(wd_sysfs_dir(sys, 10, 130, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(wd_sysfs_dir(sys, 4, 1, buf, sizeof buf), -ENOENT);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(wd_sysfs_dir(sys, 10, 131, buf, sizeof buf), -ENOENT);
}
END_TEST

/* A fake /proc: pid 100 holds /dev/watchdog0 (an alias of /dev/watchdog),
 * pid 200 something else, pid 300 the device itself; "self" is no pid. */
START_TEST(test_holders_fake_proc)
{
	char proc[TL_PATH_MAX + 8], buf[WD_TEXT_MAX];

	put("proc/100/comm", "systemd\n");
	put("proc/100/fd", NULL);
	link_to("proc/100/fd/3", "/dev/watchdog0");
	put("proc/200/comm", "bash\n");
	put("proc/200/fd", NULL);
	link_to("proc/200/fd/0", "/dev/null");
	put("proc/300/fd", NULL); /* no comm: shown as "?" */
	link_to("proc/300/fd/9", "/dev/watchdog");
	put("proc/self/fd", NULL);
	link_to("proc/self/fd/1", "/dev/watchdog");
	snprintf(proc, sizeof proc, "%s/proc", tmp);
	ck_assert_int_eq(wd_find_holders(proc, "/dev/watchdog", buf, sizeof buf), 2);
	ck_assert_msg(strstr(buf, "pid 100 (systemd)") != NULL, "%s", buf);
	ck_assert_msg(strstr(buf, "pid 300 (?)") != NULL, "%s", buf);
	ck_assert_int_eq(wd_find_holders(proc, "/dev/watchdog1", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* The path is compared as given, never resolved (realpath() would stat it:
 * a hung FUSE file blocks): an fd linked to the path as configured is
 * found even when that path is a symlink to another file. */
START_TEST(test_holders_path_as_given)
{
	char proc[TL_PATH_MAX + 8], dev[TL_PATH_MAX + 8], real[TL_PATH_MAX + 8], buf[WD_TEXT_MAX];

	put("dev/real", "");
	snprintf(real, sizeof real, "%s/dev/real", tmp);
	link_to("dev/alias", real);
	snprintf(dev, sizeof dev, "%s/dev/alias", tmp);
	put("proc/42/comm", "holder\n");
	put("proc/42/fd", NULL);
	link_to("proc/42/fd/5", dev);
	snprintf(proc, sizeof proc, "%s/proc", tmp);
	ck_assert_int_eq(wd_find_holders(proc, dev, buf, sizeof buf), 1);
	ck_assert_msg(strstr(buf, "pid 42 (holder)") != NULL, "%s", buf);
}
END_TEST

/* More than three holders: three named, then "...". */
START_TEST(test_holders_many)
{
	char proc[TL_PATH_MAX + 8], buf[WD_TEXT_MAX], rel[64];

	for (int pid = 11; pid <= 15; pid++) {
		snprintf(rel, sizeof rel, "proc/%d/comm", pid);
		put(rel, "wd\n");
		snprintf(rel, sizeof rel, "proc/%d/fd", pid);
		put(rel, NULL);
		snprintf(rel, sizeof rel, "proc/%d/fd/4", pid);
		link_to(rel, "/dev/watchdog2");
	}
	snprintf(proc, sizeof proc, "%s/proc", tmp);
	ck_assert_int_eq(wd_find_holders(proc, "/dev/watchdog2", buf, sizeof buf), 5);
	ck_assert_msg(strstr(buf, ", ...") != NULL && strlen(buf) < 70, "%s", buf);
}
END_TEST

/* The real /proc: this process holding a file is found, and named as this
 * process. */
START_TEST(test_holders_real_proc)
{
	char path[TL_PATH_MAX + 8], buf[WD_TEXT_MAX], want[64];
	int fd;

	snprintf(path, sizeof path, "%s/held", tmp);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT, 0600), 0);
	ck_assert_int_ge(wd_find_holders("/proc", path, buf, sizeof buf), 1);
	snprintf(want, sizeof want, "pid %d (", (int)getpid());
	ck_assert_msg(strstr(buf, want) != NULL && strstr(buf, "this daemon") != NULL, "%s", buf);
	close(fd);
	ck_assert_int_eq(wd_find_holders("/proc", path, buf, sizeof buf), 0);
}
END_TEST

Suite *watchdog_suite(void)
{
	Suite *s = suite_create("watchdog");
	TCase *tc = tcase_create("options");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_good_options);
	tcase_add_test(tc, test_loop_age_floor);
	tcase_add_test(tc, test_loop_age_default);
	tcase_add_loop_test(tc, test_bad_options, 0, sizeof bad_options / sizeof bad_options[0]);
	tcase_add_test(tc, test_duplicate_option);
	tcase_add_test(tc, test_require_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_test(tc, test_bootstatus_text);
	tcase_add_test(tc, test_fmt_ms);
	suite_add_tcase(s, tc);

	tc = tcase_create("decision");
	tcase_add_loop_test(tc, test_should_pet, 0, sizeof decisions / sizeof decisions[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("sys");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, test_sysfs_files);
	tcase_add_test(tc, test_sysfs_dir);
	tcase_add_test(tc, test_holders_fake_proc);
	tcase_add_test(tc, test_holders_many);
	tcase_add_test(tc, test_holders_path_as_given);
	tcase_add_test(tc, test_holders_real_proc);
	suite_add_tcase(s, tc);
	return s;
}
