/*
 * check_snmp_daemon: the snmp service (plugins/snmp.c) in the real
 * hwhealthd, against a real snmpd (AgentX master) and snmptrapd
 * (tests/snmpd.h), over a fake hwmon tree read by the sensors plugin in a
 * private mount namespace (tests/testlib.h).  Needs root.
 *
 *   walk        snmpwalk of the whole module, loaded by name (-m
 *               HWHEALTH-MIB), equals what `hwhealth --json status / sensors
 *               / explain` report around it, field by field, with the
 *               temperature, fan and voltage values scaled as the MIB says
 *   trap        a temperature crossing its crit limit sends exactly one
 *               hwhNodeStateChange (state, previous state, score, reason as
 *               the daemon reports them), and back below, exactly one more
 *   restart     snmpd killed with SIGKILL and started again: served again
 *               within 5 s, the daemon answers meanwhile and uses no CPU to
 *               speak of, a notification raised meanwhile is counted in
 *               hwhNotificationsLost (kept across a reload) and reported by
 *               hwhNotificationsDropped
 *   late        snmpd started 3 s after the daemon: served within a few
 *               seconds of it, and one log line about it meanwhile
 *   reload      SIGHUP and `hwhealth reload`, with snmpd up and with it
 *               down: the new instance serves each time
 *   split       snmpd's own instance inside the module (override): the
 *               walk shows it in its place, the subagent's around it
 *               (net-snmp's master checks answers against the search
 *               range itself, so this does not see a subagent ignoring it)
 *   single      a second snmp service in one daemon is refused, clearly
 *   config      bad options are named with file:line:col
 * Every daemon runs with net-snmp's environment poisoned: no MIBS, and
 * SNMPCONFPATH pointing at files that would break the subagent if read (a
 * wrong agentXSocket, a MIB that does not exist): the log must show no MIB
 * parsing, the subagent must serve, and its persistent directory must stay
 * free of files.  And with LANG=C.UTF-8: no locale may be loaded (a
 * guard: net-snmp's init_snmp(), no longer called, did setlocale(LC_CTYPE,
 * ""), and a locale change on a threaded daemon corrupts the heap).
 *
 * To add a test: rig_start(), what it checks, rig_stop(); a TCase below.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "snmpd.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define WAIT_MS 15000			     /* bound for what a 1 s poll brings */
#define SERVE_BOUND_MS 5000		     /* the issue: served again within 5 s */
#define CPU_BOUND_TICKS 50		     /* the daemon's CPU over 5 s with snmpd down: 0.5 s */
#define WALK_MAX 4096			     /* instances a walk may show */
#define UTF8_LOCALE "/usr/lib/locale/C.utf8" /* Debian's C.UTF-8, in libc-bin */

#define OID_ROOT ".1.3.6.1.4.1.32473"
#define OID_STATE_CHANGE OID_ROOT ".0.1"
#define OID_DROPPED OID_ROOT ".0.9"
#define OID_NODE_STATE OID_ROOT ".1.1.1.0"
#define OID_NODE_SCORE OID_ROOT ".1.1.2.0"
#define OID_NODE_REASON OID_ROOT ".1.1.4.0"
#define OID_LOST OID_ROOT ".1.3.3.0"
#define OID_PREVIOUS OID_ROOT ".1.8.1.0"

/* One test's world: the tree, snmpd and snmptrapd, the daemon. */
struct rig {
	struct fake_tree *t;
	struct fake_chip *cpu, *sio, *acpi;
	struct snmpd sn;
	struct test_daemon d;
	char dir[TL_PATH_MAX];	   /* the snmpd harness's DIR: W/snmp */
	char persist[TL_PATH_MAX]; /* the daemon's SNMP_PERSISTENT_DIR */
	char plugins[TL_PATH_MAX]; /* W/pl: sensors.so and snmp.so */
	char lang[64];		   /* the test's LANG, "" when unset */
	char conf[8192];
};

static struct rig rig;

/* One instance of a walk: "hwhMetricValue.113346167" and its value. */
struct inst {
	char name[96];
	char value[320];
};
struct walk {
	struct inst v[WALK_MAX];
	size_t n;
};
static struct walk walk_buf;

/* ---- helpers ------------------------------------------------------------- */

/* HWHEALTH-MIB's row index of a key: FNV-1a 32, low 31 bits, 0 -> 1. */
static uint32_t row_index(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	h &= 0x7fffffffu;
	return h ? h : 1;
}

/* The position of word in a NULL-terminated list, from 1 (the MIB's
 * enumerations follow the daemon's words in order), or 0. */
static int enum_of(const char *const *words, const char *word)
{
	for (int i = 0; word != NULL && words[i] != NULL; i++)
		if (strcmp(words[i], word) == 0)
			return i + 1;
	return 0;
}

static const char *const node_states[] = {"green", "yellow", "red", "critical", NULL};
static const char *const source_states[] = {"starting",	   "ok",    "failed",
					    "unavailable", "stale", NULL};
static const char *const kinds[] = {"other",   "temperature", "fan",	  "voltage",   "current",
				    "power",   "energy",      "humidity", "intrusion", "counter",
				    "percent", "state",	      NULL};
static const char *const metric_states[] = {"ok",    "alarm",	    "fault", "unreadable",
					    "stale", "unavailable", "held",  NULL};
static const char *const severities[] = {"info", "warning", "critical", "fatal", NULL};
static const char *const finding_states[] = {"active", "clearing", NULL};

/* The MIB's fixed precision of a kind: 3 for measured quantities, 0 for
 * fans, energy, intrusion, counters and states. */
static int precision_of(const char *kind)
{
	static const char *const whole[] = {"fan", "energy", "intrusion", "counter", "state"};

	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		if (strcmp(kind, whole[i]) == 0)
			return 0;
	return 3;
}

static long long scaled(double v, int precision)
{
	return llround(v * pow(10, precision));
}

static void write_rules(struct rig *r)
{
	char path[TL_PATH_MAX];

	fake_tree_path(r->t, "rules", path, sizeof path);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fake_tree_path(r->t, "rules/t.rules", path, sizeof path);
	ck_assert_int_eq(write_file_str(path, "rule max { when value >= max; severity warning;\n"
					      "  message \"${id} at or above max\"; }\n"
					      "rule crit { when value >= crit; severity critical;\n"
					      "  message \"${id} at or above crit\"; }\n"
					      "rule low { when value < min; severity warning;\n"
					      "  message \"${id} below min\"; }\n"),
			 0);
}

/* Temperatures, fans and voltages; one fan below its min when slow_fan. */
static void build_tree(struct rig *r, bool slow_fan)
{
	r->cpu = fake_chip_add(r->t, "coretemp", "platform");
	fake_attr_set(r->cpu, "temp1_input", "45000");
	fake_attr_set(r->cpu, "temp1_label", "Package id 0");
	fake_attr_set(r->cpu, "temp1_max", "80000");
	fake_attr_set(r->cpu, "temp1_crit", "100000");
	fake_attr_set(r->cpu, "temp2_input", "47500");
	fake_attr_set(r->cpu, "temp2_label", "Core 0");
	fake_attr_set(r->cpu, "temp2_max", "80000");
	fake_attr_set(r->cpu, "temp2_crit", "100000");
	r->sio = fake_chip_add_dev(r->t, "nct6775", "platform", "nct6775.656");
	fake_attr_set(r->sio, "fan1_input", "1200");
	fake_attr_set(r->sio, "fan1_min", "600");
	fake_attr_set(r->sio, "fan2_input", slow_fan ? "300" : "900");
	fake_attr_set(r->sio, "fan2_min", "600");
	fake_attr_set(r->sio, "in0_input", "1040");
	fake_attr_set(r->sio, "in0_min", "800");
	fake_attr_set(r->sio, "in0_max", "1500");
	fake_attr_set(r->sio, "in1_input", "3344");
	fake_attr_set(r->sio, "in1_min", "2970");
	fake_attr_set(r->sio, "in1_max", "3630");
	r->acpi = fake_chip_add(r->t, "acpitz", NULL);
	fake_attr_set(r->acpi, "temp1_input", "27800");
	fake_attr_set(r->acpi, "temp1_crit", "105000");
}

/*
 * net-snmp's environment for the daemon only: no MIBS, a configuration
 * directory whose files would break the subagent if it read them, and a
 * persistent directory of its own.  restore_env() gives the test process
 * the harness's environment back (for snmpd and the tools started later).
 */
static void poison_env(struct rig *r)
{
	char conf_dir[TL_PATH_MAX], path[TL_PATH_MAX + 32];

	fake_tree_path(r->t, "netsnmp-conf", conf_dir, sizeof conf_dir);
	fake_tree_path(r->t, "netsnmp-persist", r->persist, sizeof r->persist);
	ck_assert_int_eq(mkdir(conf_dir, 0755), 0);
	ck_assert_int_eq(mkdir(r->persist, 0700), 0);
	snprintf(path, sizeof path, "%s/snmp.conf", conf_dir);
	ck_assert_int_eq(write_file_str(path, "mibdirs +/nonexistent-hwhtest\n"
					      "mibs +NO-SUCH-MIB-HWHTEST\n"),
			 0);
	snprintf(path, sizeof path, "%s/hwhealthd.conf", conf_dir);
	ck_assert_int_eq(write_file_str(path, "agentXSocket /nonexistent-hwhtest/agentx\n"
					      "agentxPingInterval 60\n"),
			 0);
	ck_assert_int_eq(unsetenv("MIBS"), 0);
	snprintf(r->lang, sizeof r->lang, "%s", getenv("LANG") ? getenv("LANG") : "");
	ck_assert_int_eq(setenv("LANG", "C.UTF-8", 1), 0);
	ck_assert_int_eq(setenv("SNMPCONFPATH", conf_dir, 1), 0);
	ck_assert_int_eq(setenv("SNMP_PERSISTENT_DIR", r->persist, 1), 0);
}

static void restore_env(struct rig *r)
{
	char persist[TL_PATH_MAX + 16];

	snprintf(persist, sizeof persist, "%s/persist", r->dir);
	ck_assert_int_eq(r->lang[0] ? setenv("LANG", r->lang, 1) : unsetenv("LANG"), 0);
	ck_assert_int_eq(setenv("MIBS", "", 1), 0);
	ck_assert_int_eq(setenv("SNMPCONFPATH", r->dir, 1), 0);
	ck_assert_int_eq(setenv("SNMP_PERSISTENT_DIR", persist, 1), 0);
}

/* The daemon's configuration: the sensors source, the snmp service (extra
 * lines of its own block in service_opts), and more blocks in extra. */
static const char *make_conf(struct rig *r, const char *service_opts, const char *extra)
{
	char rules[TL_PATH_MAX];

	fake_tree_path(r->t, "rules", rules, sizeof rules);
	if (r->plugins[0] == '\0')
		snprintf(r->plugins, sizeof r->plugins, "%s",
			 test_plugin_dir(r->t, "pl", "sensors", "snmp", NULL));
	snprintf(r->conf, sizeof r->conf,
		 "interval 1s\nrules-dir %s\nlocal-rules-dir %s/none\nrecover-after 0\n"
		 "plugin-dir %s\nsocket-mode 0666\n"
		 "source sensors {\n}\n"
		 "service snmp {\n  agentx-socket %s\n%s}\n%s",
		 rules, rules, r->plugins, r->sn.agentx, service_opts ? service_opts : "",
		 extra ? extra : "");
	return r->conf;
}

/* Tree, snmptrapd (and snmpd unless late), the namespace, the daemon. */
static void rig_start(struct rig *r, bool slow_fan, bool late, const char *service_opts,
		      const char *extra)
{
	r->t = fake_tree_new();
	fake_tree_path(r->t, "snmp", r->dir, sizeof r->dir);
	build_tree(r, slow_fan);
	write_rules(r);
	snmptrapd_start(&r->sn, r->dir);
	if (!late)
		snmpd_start(&r->sn, r->dir);
	test_enter_namespace(r->t);
	r->d.tree = r->t;
	make_conf(r, service_opts, extra);
	poison_env(r);
	daemon_start(&r->d, r->conf);
	restore_env(r);
}

/* Count of lines of the daemon's log that contain needle. */
static int log_count(struct test_daemon *d, const char *needle)
{
	char *log = daemon_log(d);
	int n = 0;

	for (const char *p = log; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(log);
	return n;
}

/* Fail with the first line of log that holds needle (check's messages
 * are short: never the whole log). */
static void expect_no_line(char *log, const char *needle, const char *what)
{
	char *hit = strstr(log, needle);

	if (hit == NULL)
		return;
	while (hit > log && hit[-1] != '\n')
		hit--;
	hit[strcspn(hit, "\n")] = '\0';
	ck_abort_msg("%s: %s", what, hit);
}

/* The last lines of the daemon's log, for a message (static buffer). */
static const char *log_tail(struct test_daemon *d)
{
	static char buf[2048];
	char *log = daemon_log(d);
	size_t n = strlen(log);

	snprintf(buf, sizeof buf, "%s", n > sizeof buf - 1 ? log + n - (sizeof buf - 1) : log);
	free(log);
	return buf;
}

struct log_want {
	struct test_daemon *d;
	const char *needle;
	int count;
};

static bool log_reaches(void *arg)
{
	struct log_want *w = arg;

	return log_count(w->d, w->needle) >= w->count;
}

static void wait_log(struct test_daemon *d, const char *needle, int count)
{
	struct log_want w = {d, needle, count};

	if (!wait_until(log_reaches, &w, WAIT_MS))
		ck_abort_msg("the daemon log does not show \"%s\" %d times within %d ms:\n%s",
			     needle, count, WAIT_MS, log_tail(d));
}

/* No file under dir (net-snmp's persistent directory): its TLS layer may
 * create an empty cert_indexes directory there, nothing more. */
static void assert_no_files(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;

	ck_assert_msg(dh != NULL, "%s: %s", dir, strerror(errno));
	while ((e = readdir(dh)) != NULL) {
		char path[TL_PATH_MAX + 256];
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		ck_assert_int_eq(lstat(path, &st), 0);
		ck_assert_msg(S_ISDIR(st.st_mode), "net-snmp wrote %s", path);
		assert_no_files(path);
	}
	closedir(dh);
}

/* The daemon never loaded a locale (its LC_CTYPE stayed C), though it ran
 * with LANG=C.UTF-8: glibc maps a locale's files when it sets one. */
static void assert_c_locale(pid_t pid)
{
	char path[64], *maps;

	if (access(UTF8_LOCALE, F_OK) != 0)
		return; /* no such locale here: nothing it could load */
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	char *hit;

	ck_assert_ptr_nonnull(maps = read_file_str(path));
	hit = strstr(maps, "/usr/lib/locale/");
	if (hit != NULL)
		hit[strcspn(hit, "\n")] = '\0';
	ck_assert_msg(hit == NULL,
		      "the daemon loaded a locale (setlocale on a threaded daemon): %s", hit);
	free(maps);
}

/* Stop the daemon (exit 0), check what every test checks, free it all. */
static void rig_stop(struct rig *r)
{
	char *log;

	assert_c_locale(r->d.pid);
	ck_assert_int_eq(daemon_stop(&r->d), 0);
	log = daemon_log(&r->d);
	expect_no_line(log, "Cannot find module", "net-snmp parsed MIBs");
	expect_no_line(log, "MIB search path", "net-snmp parsed MIBs");
	expect_no_line(log, "NO-SUCH-MIB", "net-snmp read snmp.conf");
	expect_no_line(log, "nonexistent-hwhtest", "net-snmp read a configuration file");
	free(log);
	assert_no_files(r->persist);
	snmpd_free(&r->sn);
	fake_tree_free(r->t);
	memset(r, 0, sizeof *r);
}

/* The result of `hwhealth --json ARG` (a new reference). */
static struct json_object *cli(struct rig *r, const char *what)
{
	return cli_json(&r->d, what, NULL);
}

/* snmpget of one object by name: its value as -Oqv prints it, or NULL when
 * the get failed or found nothing (static buffer). */
static const char *snmp_get(struct rig *r, const char *name)
{
	static char value[512];
	struct cmd_result res;
	int code = snmpd_run(&r->sn, &res, "snmpget", "-Oqv", "-Oe", "-OU", "-Ot", name, NULL);
	bool ok = code == 0 && strstr(res.out, "No Such") == NULL && res.out[0] != '\0';

	snprintf(value, sizeof value, "%s", res.out);
	value[strcspn(value, "\n")] = '\0';
	cmd_result_free(&res);
	return ok ? value : NULL;
}

struct get_want {
	struct rig *r;
	const char *name, *value;
};

static bool get_is(void *arg)
{
	struct get_want *w = arg;
	const char *v = snmp_get(w->r, w->name);

	return v != NULL && (w->value == NULL || strcmp(v, w->value) == 0);
}

/* Wait until name reads value (NULL: anything): the time it took, ms. */
static int64_t wait_get(struct rig *r, const char *name, const char *value, int bound_ms)
{
	struct get_want w = {r, name, value};
	int64_t t0 = tl_mono_ms();

	if (!wait_until(get_is, &w, bound_ms)) {
		const char *now = snmp_get(r, name);

		ck_abort_msg("%s did not read %s within %d ms (reads %s)\ndaemon log:\n%s", name,
			     value ? value : "anything", bound_ms, now ? now : "nothing",
			     log_tail(&r->d));
	}
	return tl_mono_ms() - t0;
}

/* snmpwalk of the whole module, names short, enums and times numeric. */
static struct walk *snmp_walk(struct rig *r)
{
	struct walk *w = &walk_buf;
	struct cmd_result res;
	char *line, *save = NULL;

	ck_assert_int_eq(snmpd_run(&r->sn, &res, "snmpwalk", "-Os", "-Oq", "-Oe", "-OU", "-Ot",
				   "HWHEALTH-MIB::hwhealthMIB", NULL),
			 0);
	ck_assert_msg(res.err[0] == '\0', "snmpwalk: %s", res.err);
	w->n = 0;
	for (line = strtok_r(res.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *sp = strchr(line, ' ');
		size_t n = sp ? (size_t)(sp - line) : strlen(line);

		ck_assert_msg(w->n < WALK_MAX, "more than %d instances", WALK_MAX);
		ck_assert_msg(strncmp(line, "hwh", 3) == 0, "walk line without a name: %s", line);
		snprintf(w->v[w->n].name, sizeof w->v[w->n].name, "%.*s", (int)n, line);
		snprintf(w->v[w->n].value, sizeof w->v[w->n].value, "%s", sp ? sp + 1 : "");
		w->n++;
	}
	cmd_result_free(&res);
	return w;
}

/* The value of object.index in w, or NULL. */
static const char *walk_get(const struct walk *w, const char *object, uint32_t index)
{
	char name[96];

	snprintf(name, sizeof name, "%s.%u", object, index);
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].name, name) == 0)
			return w->v[i].value;
	return NULL;
}

/* How many instances of object (any index) w holds. */
static size_t walk_count(const struct walk *w, const char *object)
{
	size_t n = 0, len = strlen(object);

	for (size_t i = 0; i < w->n; i++)
		if (strncmp(w->v[i].name, object, len) == 0 && w->v[i].name[len] == '.')
			n++;
	return n;
}

static void expect_str(const struct walk *w, const char *object, uint32_t index, const char *want)
{
	const char *got = walk_get(w, object, index);

	ck_assert_msg(got != NULL, "%s.%u: no instance (expected \"%s\")", object, index,
		      want ? want : "");
	ck_assert_msg(strcmp(got, want ? want : "") == 0, "%s.%u: \"%s\", expected \"%s\"", object,
		      index, got, want ? want : "");
}

static void expect_num(const struct walk *w, const char *object, uint32_t index, long long want)
{
	const char *got = walk_get(w, object, index);

	ck_assert_msg(got != NULL, "%s.%u: no instance (expected %lld)", object, index, want);
	ck_assert_msg(atoll(got) == want, "%s.%u: %s, expected %lld", object, index, got, want);
}

static void expect_none(const struct walk *w, const char *object, uint32_t index)
{
	const char *got = walk_get(w, object, index);

	ck_assert_msg(got == NULL, "%s.%u: \"%s\", expected no instance", object, index, got);
}

/* A score as its DISPLAY-HINT "d-2" prints it ("40.00", ".00"). */
static void expect_score(const struct walk *w, const char *object, uint32_t index, double want)
{
	const char *got = walk_get(w, object, index);

	ck_assert_msg(got != NULL, "%s.%u: no instance", object, index);
	ck_assert_msg(fabs(atof(got) - want) < 0.005, "%s.%u: %s, expected %.2f", object, index,
		      got, want);
}

/* A DateAndTime as net-snmp prints it ("2026-11-22,10:40:49.7,+0:0"),
 * against epoch seconds: equal to the decisecond. */
static void expect_time(const struct walk *w, const char *object, uint32_t index, double want)
{
	const char *got = walk_get(w, object, index);
	struct tm tm = {0};
	int deci;

	ck_assert_msg(got != NULL, "%s.%u: no instance (expected %.1f)", object, index, want);
	ck_assert_msg(sscanf(got, "%d-%d-%d,%d:%d:%d.%d,+0:0", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			     &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &deci) == 7,
		      "%s.%u: \"%s\" is not a UTC DateAndTime", object, index, got);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	ck_assert_msg(fabs((double)timegm(&tm) + deci / 10.0 - want) < 0.11,
		      "%s.%u: %s, expected %.3f", object, index, got, want);
}

/* hwhNodeReason: the reasons joined with "; " (the MIB cuts at 255). */
static void join_reasons(struct json_object *status, char *buf, size_t len)
{
	struct json_object *node, *arr;
	size_t used = 0;

	buf[0] = '\0';
	if (!json_object_object_get_ex(status, "node", &node) ||
	    !json_object_object_get_ex(node, "reasons", &arr))
		return;
	for (size_t i = 0; i < json_object_array_length(arr) && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "; " : "",
					 json_object_get_string(json_object_array_get_idx(arr, i)));
}

/* Utime + stime of pid in clock ticks. */
static long cpu_ticks(pid_t pid)
{
	char path[64], *s, *p;
	unsigned long ut = 0, st = 0;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ck_assert_ptr_nonnull(s = read_file_str(path));
	p = strrchr(s, ')');
	ck_assert_ptr_nonnull(p);
	/* After "pid (comm)": state is field 3, utime 14, stime 15. */
	ck_assert_int_eq(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	free(s);
	return (long)(ut + st);
}

/* The service's entry in a status result. */
static struct json_object *service_entry(struct json_object *status, const char *name)
{
	struct json_object *arr;

	if (!json_object_object_get_ex(status, "services", &arr))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		const char *n = json_str(s, "name");

		if (n != NULL && strcmp(n, name) == 0)
			return s;
	}
	return NULL;
}

static bool service_ok(struct rig *r, const char *name)
{
	struct json_object *st = cli(r, "status");
	struct json_object *s = service_entry(st, name), *ok;
	bool yes = s != NULL && json_object_object_get_ex(s, "ok", &ok) && ok != NULL &&
		   json_object_get_boolean(ok);

	json_object_put(st);
	return yes;
}

struct node_want {
	struct rig *r;
	const char *state;
};

static bool node_is(void *arg)
{
	struct node_want *w = arg;
	struct json_object *st = cli(w->r, "status");
	const char *s = json_str(st, "node.state");
	bool yes = s != NULL && strcmp(s, w->state) == 0;

	json_object_put(st);
	return yes;
}

static void wait_node(struct rig *r, const char *state)
{
	struct node_want w = {r, state};

	ck_assert_msg(wait_until(node_is, &w, WAIT_MS), "node not %s within %d ms", state, WAIT_MS);
}

/* ---- walk: the MIB equals hwhealth --json ---------------------------------- */

static void check_node(const struct walk *w, struct json_object *st)
{
	char reason[1024];

	expect_num(w, "hwhNodeState", 0, enum_of(node_states, json_str(st, "node.state")));
	expect_score(w, "hwhNodeScore", 0, json_num(st, "node.score"));
	expect_time(w, "hwhNodeSince", 0, json_num(st, "node.since"));
	join_reasons(st, reason, sizeof reason);
	expect_str(w, "hwhNodeReason", 0, reason);
	expect_str(w, "hwhDaemonVersion", 0, json_str(st, "version"));
	expect_num(w, "hwhNotificationsLost", 0, 0);
}

static void check_sources(const struct walk *w, struct json_object *st)
{
	struct json_object *arr;

	ck_assert(json_object_object_get_ex(st, "sources", &arr));
	ck_assert_uint_eq(walk_count(w, "hwhSourceName"), json_object_array_length(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		uint32_t ix = row_index(json_str(s, "name"));

		expect_str(w, "hwhSourceName", ix, json_str(s, "name"));
		expect_str(w, "hwhSourcePlugin", ix, json_str(s, "plugin"));
		expect_num(w, "hwhSourceStatus", ix, enum_of(source_states, json_str(s, "status")));
		expect_str(w, "hwhSourceError", ix, json_str(s, "error"));
		expect_num(w, "hwhSourceMetrics", ix, (long long)json_num(s, "metrics"));
	}
}

/* hwhMetricSlope / PredictedLimit / TimeToLimit against the metric's
 * "trend" and "prediction" (null: no slope; none(1) and no time). */
static void check_trend(const struct walk *w, struct json_object *m, uint32_t ix, int prec)
{
	static const char *const limit_words[] = {"lemerg", "lcrit", "min", "max", "crit", "emerg"};
	struct json_object *tr, *pr;

	ck_assert_msg(json_object_object_get_ex(m, "trend", &tr) &&
			  json_object_object_get_ex(m, "prediction", &pr),
		      "sensors has no trend/prediction for %s", json_str(m, "id"));
	if (tr == NULL)
		expect_none(w, "hwhMetricSlope", ix);
	else
		expect_num(w, "hwhMetricSlope", ix, scaled(json_num(tr, "slope_h"), prec));
	if (pr == NULL) {
		expect_num(w, "hwhMetricPredictedLimit", ix, 1);
		expect_none(w, "hwhMetricTimeToLimit", ix);
		return;
	}
	for (int i = 0; i < 6; i++)
		if (strcmp(json_str(pr, "limit"), limit_words[i]) == 0)
			expect_num(w, "hwhMetricPredictedLimit", ix, i + 2);
	expect_num(w, "hwhMetricTimeToLimit", ix, (long long)json_num(pr, "eta_s"));
}

static void check_metric(const struct walk *w, struct json_object *m)
{
	static const struct {
		const char *key, *object;
	} limits[] = {
	    {"lemerg", "hwhMetricLowEmergency"}, {"lcrit", "hwhMetricLowCritical"},
	    {"min", "hwhMetricLowWarning"},	 {"max", "hwhMetricHighWarning"},
	    {"crit", "hwhMetricHighCritical"},	 {"emerg", "hwhMetricHighEmergency"},
	};
	const char *kind = json_str(m, "kind");
	uint32_t ix = row_index(json_str(m, "id"));
	int prec = precision_of(kind);

	expect_str(w, "hwhMetricId", ix, json_str(m, "id"));
	expect_str(w, "hwhMetricSource", ix, json_str(m, "source"));
	expect_str(w, "hwhMetricDevice", ix, json_str(m, "device"));
	expect_str(w, "hwhMetricName", ix, json_str(m, "name"));
	expect_str(w, "hwhMetricLabel", ix, json_str(m, "label"));
	expect_num(w, "hwhMetricKind", ix, enum_of(kinds, kind));
	expect_str(w, "hwhMetricUnits", ix, json_str(m, "unit"));
	expect_num(w, "hwhMetricPrecision", ix, prec);
	expect_num(w, "hwhMetricStatus", ix, enum_of(metric_states, json_str(m, "status")));
	if (isnan(json_num(m, "value")))
		expect_none(w, "hwhMetricValue", ix);
	else
		expect_num(w, "hwhMetricValue", ix, scaled(json_num(m, "value"), prec));
	for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
		char key[32];
		double v;

		snprintf(key, sizeof key, "limits.%s", limits[i].key);
		v = json_num(m, key);
		if (isnan(v))
			expect_none(w, limits[i].object, ix);
		else
			expect_num(w, limits[i].object, ix, scaled(v, prec));
	}
	check_trend(w, m, ix, prec);
}

static void check_findings(const struct walk *w, struct json_object *ex)
{
	struct json_object *arr;

	ck_assert(json_object_object_get_ex(ex, "findings", &arr));
	ck_assert_uint_eq(walk_count(w, "hwhFindingRule"), json_object_array_length(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *f = json_object_array_get_idx(arr, i);
		char key[512];
		uint32_t ix;

		snprintf(key, sizeof key, "%s %s", json_str(f, "rule"), json_str(f, "target"));
		ix = row_index(key);
		expect_str(w, "hwhFindingRule", ix, json_str(f, "rule"));
		expect_str(w, "hwhFindingTarget", ix, json_str(f, "target"));
		expect_num(w, "hwhFindingState", ix, enum_of(finding_states, json_str(f, "state")));
		expect_num(w, "hwhFindingSeverity", ix,
			   enum_of(severities, json_str(f, "severity")));
		expect_score(w, "hwhFindingScore", ix, json_num(f, "score"));
		expect_str(w, "hwhFindingMessage", ix, json_str(f, "message"));
		expect_time(w, "hwhFindingSince", ix, json_num(f, "since"));
	}
}

struct finding_want {
	struct rig *r;
	const char *rule, *target;
};

static bool finding_active(void *arg)
{
	struct finding_want *w = arg;
	struct json_object *ex = cli(w->r, "explain");
	bool yes = json_finding(ex, w->rule, w->target) != NULL;

	json_object_put(ex);
	return yes;
}

/* A GET of an instance the walk skipped is noSuchInstance, of one it
 * showed the same value; GETBULK (through the master) walks the same
 * instances in the same order. */
static void check_get_and_bulk(struct rig *r, const struct walk *w)
{
	char name[128], *line, *save = NULL;
	struct cmd_result res;
	size_t i = 0;

	snprintf(name, sizeof name, "HWHEALTH-MIB::hwhMetricHighWarning.%u",
		 row_index(fake_metric_id(r->acpi, "temp1")));
	ck_assert_int_eq(snmpd_run(&r->sn, &res, "snmpget", name, NULL), 0);
	ck_assert_msg(strstr(res.out, "No Such Instance currently exists at this OID") != NULL,
		      "%s: %s%s", name, res.out, res.err);
	cmd_result_free(&res);
	snprintf(name, sizeof name, "HWHEALTH-MIB::hwhMetricValue.%u",
		 row_index(fake_metric_id(r->sio, "in0")));
	ck_assert_str_eq(snmp_get(r, name), "1040");

	ck_assert_int_eq(snmpd_run(&r->sn, &res, "snmpbulkwalk", "-Cr25", "-Os", "-Oq", "-Oe",
				   "-OU", "-Ot", "HWHEALTH-MIB::hwhealthMIB", NULL),
			 0);
	for (line = strtok_r(res.out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save), i++) {
		ck_assert_msg(i < w->n, "GETBULK walks more instances than GETNEXT (%zu)", w->n);
		ck_assert_msg(strncmp(line, w->v[i].name, strlen(w->v[i].name)) == 0 &&
				  line[strlen(w->v[i].name)] == ' ',
			      "GETBULK's instance %zu is %s, GETNEXT's %s", i, line, w->v[i].name);
	}
	ck_assert_uint_eq(i, w->n);
	cmd_result_free(&res);
}

START_TEST(test_walk)
{
	struct rig *r = &rig;
	struct json_object *st0, *st, *se, *ex, *st2, *arr;
	struct finding_want fw = {r, "low", NULL};
	const struct walk *w;
	char fan2[128];

	rig_start(r, true, false, NULL, NULL);
	snprintf(fan2, sizeof fan2, "%s", fake_metric_id(r->sio, "fan2"));
	fw.target = fan2;
	ck_assert_msg(wait_until(finding_active, &fw, WAIT_MS), "no finding on %s", fan2);
	wait_node(r, "yellow");
	/* Before any view the walk may show is built: a lower bound of its uptime. */
	st0 = cli(r, "status");
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "2", WAIT_MS);

	/* The same moment: the daemon's JSON around the walk. */
	st = cli(r, "status");
	se = cli(r, "sensors");
	ex = cli(r, "explain");
	w = snmp_walk(r);
	st2 = cli(r, "status");

	check_node(w, st);
	check_sources(w, st);
	ck_assert(json_object_object_get_ex(se, "metrics", &arr));
	ck_assert_uint_eq(json_object_array_length(arr), 7);
	ck_assert_uint_eq(walk_count(w, "hwhMetricId"), json_object_array_length(arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		check_metric(w, json_object_array_get_idx(arr, i));
	check_findings(w, ex);
	ck_assert_uint_eq(walk_count(w, "hwhFindingRule"), 1);
	ck_assert_uint_ge(atoll(walk_get(w, "hwhDaemonUptime", 0)),
			  (long long)json_num(st0, "uptime_s"));
	ck_assert_uint_le(atoll(walk_get(w, "hwhDaemonUptime", 0)),
			  (long long)json_num(st2, "uptime_s"));

	/* The scaling, spelt out (not only as the JSON says): degrees C,
	 * RPM and volts in the MIB's units. */
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->cpu, "temp1")), 45000);
	expect_num(w, "hwhMetricHighCritical", row_index(fake_metric_id(r->cpu, "temp1")), 100000);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->cpu, "temp2")), 47500);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->sio, "fan1")), 1200);
	expect_num(w, "hwhMetricLowWarning", row_index(fake_metric_id(r->sio, "fan1")), 600);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->sio, "fan2")), 300);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->sio, "in0")), 1040);
	expect_num(w, "hwhMetricHighWarning", row_index(fake_metric_id(r->sio, "in0")), 1500);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->sio, "in1")), 3344);
	expect_num(w, "hwhMetricValue", row_index(fake_metric_id(r->acpi, "temp1")), 27800);
	expect_none(w, "hwhMetricHighWarning", row_index(fake_metric_id(r->acpi, "temp1")));
	expect_str(w, "hwhMetricLabel", row_index(fake_metric_id(r->cpu, "temp1")), "Package id 0");
	fprintf(stderr, "snmp_daemon walk: %zu instances, %zu metrics, %zu findings\n", w->n,
		walk_count(w, "hwhMetricId"), walk_count(w, "hwhFindingRule"));
	check_get_and_bulk(r, w);

	json_object_put(st0);
	json_object_put(st);
	json_object_put(se);
	json_object_put(ex);
	json_object_put(st2);
	rig_stop(r);
}
END_TEST

/* ---- trap: a state change, exactly one notification -------------------- */

/* The notifications from the subagent in traps.log after *pos (snmpd's
 * own coldStart and the like left out), consumed. */
static int hwh_traps(struct rig *r, struct snmp_trap *out, int max, int wait_ms)
{
	struct snmp_trap t;
	int n = 0;

	while (snmptrapd_wait(&r->sn, NULL, wait_ms, &t))
		if (strncmp(t.trap_oid, OID_ROOT ".", strlen(OID_ROOT) + 1) == 0 && n < max)
			out[n++] = t;
	return n;
}

static void check_state_change(struct rig *r, const struct snmp_trap *t, const char *state,
			       const char *previous)
{
	struct json_object *st = cli(r, "status");
	const struct snmp_varbind *vb;
	char want[64], reason[1024];

	ck_assert_str_eq(t->trap_oid, OID_STATE_CHANGE);
	ck_assert_int_eq(t->nvb, 6); /* sysUpTime.0, snmpTrapOID.0 and the four OBJECTS */
	ck_assert_str_eq(t->vb[2].oid, OID_NODE_STATE); /* in the MIB's order */
	ck_assert_str_eq(t->vb[3].oid, OID_PREVIOUS);
	ck_assert_str_eq(t->vb[4].oid, OID_NODE_SCORE);
	ck_assert_str_eq(t->vb[5].oid, OID_NODE_REASON);
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(t, OID_NODE_STATE));
	ck_assert_str_eq(vb->type, "INTEGER");
	snprintf(want, sizeof want, "%d", enum_of(node_states, state));
	ck_assert_str_eq(vb->value, want);
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(t, OID_PREVIOUS));
	snprintf(want, sizeof want, "%d", enum_of(node_states, previous));
	ck_assert_str_eq(vb->value, want);
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(t, OID_NODE_SCORE));
	ck_assert_str_eq(vb->type, "Gauge32");
	ck_assert_str_eq(json_str(st, "node.state"), state);
	snprintf(want, sizeof want, "%lld", scaled(json_num(st, "node.score"), 2));
	ck_assert_str_eq(vb->value, want);
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(t, OID_NODE_REASON));
	ck_assert_str_eq(vb->type, "STRING");
	join_reasons(st, reason, sizeof reason);
	ck_assert_str_eq(vb->value, reason);
	json_object_put(st);
}

START_TEST(test_trap)
{
	struct rig *r = &rig;
	struct snmp_trap got[8];
	char oid[128];
	int n;

	rig_start(r, false, false, NULL, NULL);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	/* The names the test uses are the MIB's. */
	snmp_oid("HWHEALTH-MIB::hwhNodeStateChange", oid, sizeof oid);
	ck_assert_str_eq(oid, OID_STATE_CHANGE);
	snmp_oid("HWHEALTH-MIB::hwhNotifyPreviousState.0", oid, sizeof oid);
	ck_assert_str_eq(oid, OID_PREVIOUS);
	ck_assert_int_eq(hwh_traps(r, got, 8, 1500), 0); /* nothing at start */

	fake_attr_set(r->cpu, "temp1_input", "101000"); /* past crit (and max) */
	wait_node(r, "red");
	n = hwh_traps(r, got, 8, 3000);
	ck_assert_msg(n == 1, "%d notifications for green -> red, expected 1", n);
	check_state_change(r, &got[0], "red", "green");

	fake_attr_set(r->cpu, "temp1_input", "45000");
	wait_node(r, "green");
	n = hwh_traps(r, got, 8, 3000);
	ck_assert_msg(n == 1, "%d notifications for red -> green, expected 1", n);
	check_state_change(r, &got[0], "green", "red");
	ck_assert_int_eq(snmptrapd_count(&r->sn, OID_STATE_CHANGE), 2);
	ck_assert_int_eq(log_count(&r->d, "notification sent: "), 2);
	rig_stop(r);
}
END_TEST

/* Rewrite the configuration with these service options, then reload by
 * SIGHUP (how 0) or `hwhealth reload` (how 1). */
static void reload_with(struct rig *r, const char *service_opts, int how)
{
	struct cmd_result res;

	daemon_write_conf(&r->d, make_conf(r, service_opts, NULL));
	if (how == 0) {
		daemon_signal(&r->d, SIGHUP);
		return;
	}
	ck_assert_int_eq(cli_run(&r->d, &res, NULL, "reload", NULL), 0);
	cmd_result_free(&res);
}

/* ---- restart: snmpd killed and started again ---------------------------- */

START_TEST(test_restart)
{
	struct rig *r = &rig;
	struct cmd_result res;
	struct snmp_trap t;
	const struct snmp_varbind *vb;
	int64_t t0, served_ms;
	long ticks;
	int code;

	rig_start(r, false, false, NULL, NULL);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	ck_assert(service_ok(r, "snmp"));

	snmpd_kill(&r->sn, SIGKILL);
	wait_log(&r->d, "lost the AgentX master", 1);
	ticks = cpu_ticks(r->d.pid);
	t0 = tl_mono_ms();
	/* Meanwhile: the node turns red, a notification nobody can take. */
	fake_attr_set(r->cpu, "temp1_input", "101000");
	wait_log(&r->d, "notification lost (no AgentX master)", 1);
	ck_assert(!service_ok(r, "snmp"));
	code = cli_run(&r->d, &res, NULL, "status", NULL);
	ck_assert_msg(res.ms < 2000 && strstr(res.out, "snmp") != NULL,
		      "status took %lld ms (exit %d): %s%s", (long long)res.ms, code, res.out,
		      res.err);
	cmd_result_free(&res);
	while (tl_mono_ms() - t0 < 5000)
		usleep(50 * 1000);
	ticks = cpu_ticks(r->d.pid) - ticks;
	fprintf(stderr, "snmp_daemon restart: daemon CPU over %lld ms with snmpd down: %ld ticks\n",
		(long long)(tl_mono_ms() - t0), ticks);
	ck_assert_msg(ticks < CPU_BOUND_TICKS, "%ld ticks of CPU in 5 s with snmpd down", ticks);

	snmpd_relaunch(&r->sn);
	served_ms = r->sn.ready_ms + wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "3", WAIT_MS);
	fprintf(stderr,
		"snmp_daemon restart: served again %lld ms after snmpd's start (snmpd "
		"itself: %lld ms)\n",
		(long long)served_ms, (long long)r->sn.ready_ms);
	ck_assert_msg(served_ms <= SERVE_BOUND_MS, "served again after %lld ms",
		      (long long)served_ms);

	/* The lost one is counted and reported once. */
	ck_assert_msg(snmptrapd_wait(&r->sn, OID_DROPPED, SNMPD_TRAP_TIMEOUT_MS, &t),
		      "no hwhNotificationsDropped after reconnecting");
	ck_assert_ptr_nonnull(vb = snmp_trap_varbind(&t, OID_LOST));
	ck_assert_str_eq(vb->type, "Counter32");
	ck_assert_str_eq(vb->value, "1");
	wait_get(r, "HWHEALTH-MIB::hwhNotificationsLost.0", "1", WAIT_MS);
	ck_assert(!snmptrapd_wait(&r->sn, OID_DROPPED, 2000, &t));
	ck_assert_int_eq(snmptrapd_count(&r->sn, OID_STATE_CHANGE), 0);
	ck_assert(service_ok(r, "snmp"));
	/* One line each way, not one per ping. */
	ck_assert_int_eq(log_count(&r->d, "lost the AgentX master"), 1);
	ck_assert_int_eq(log_count(&r->d, "connected to the AgentX master"), 2);
	ck_assert_int_eq(log_count(&r->d, "Failed to connect"), 0);
	/* The count is the daemon's, not one instance's: a reload that
	 * restarts the subagent keeps it. */
	reload_with(r, "  refresh 500ms\n", 0);
	wait_log(&r->d, "connected to the AgentX master", 3);
	wait_get(r, "HWHEALTH-MIB::hwhNotificationsLost.0", "1", WAIT_MS);
	rig_stop(r);
}
END_TEST

/* ---- late: snmpd starts after the daemon -------------------------------- */

START_TEST(test_late)
{
	struct rig *r = &rig;
	int64_t served_ms;

	rig_start(r, false, true, NULL, NULL);
	wait_log(&r->d, "not reached yet", 1);
	ck_assert(!service_ok(r, "snmp"));
	usleep(3000 * 1000);
	snmpd_start(&r->sn, r->dir);
	served_ms = r->sn.ready_ms + wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	fprintf(stderr,
		"snmp_daemon late: served %lld ms after snmpd's start (snmpd itself: %lld ms)\n",
		(long long)served_ms, (long long)r->sn.ready_ms);
	ck_assert_msg(served_ms <= SERVE_BOUND_MS, "served %lld ms after snmpd started",
		      (long long)served_ms);
	ck_assert(service_ok(r, "snmp"));
	ck_assert_int_eq(log_count(&r->d, "not reached yet"), 1);
	ck_assert_int_eq(log_count(&r->d, "Failed to connect"), 0);
	rig_stop(r);
}
END_TEST

/* A master that listens but never accepts (snmpd stopped or stuck): once
 * the backlog is full, a blocking connect() would hold the service's
 * thread, and the daemon's stop would have to abandon it after its 2 s
 * wait.  The attempts must fail at once instead, and the stop be quick. */
#define STALLED_STOP_BOUND_MS 1500

START_TEST(test_stalled_master)
{
	struct rig *r = &rig;
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	struct timespec t0, t1;
	int64_t stop_ms;
	int l;

	rig_start(r, false, true, "  ping-interval 1s\n", NULL);
	wait_log(&r->d, "not reached yet", 1);
	l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(l, 0);
	snprintf(un.sun_path, sizeof un.sun_path, "%s", r->sn.agentx);
	unlink(un.sun_path);
	ck_assert_int_eq(bind(l, (struct sockaddr *)&un, sizeof un), 0);
	ck_assert_int_eq(listen(l, 0), 0);
	usleep(7000 * 1000); /* attempts every second fill the backlog of 1 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rig_stop(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	stop_ms = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	fprintf(stderr, "snmp_daemon stalled master: stopped in %lld ms\n", (long long)stop_ms);
	close(l);
	ck_assert_msg(stop_ms <= STALLED_STOP_BOUND_MS,
		      "stopping took %lld ms with a master that never accepts", (long long)stop_ms);
}
END_TEST

/* ---- reload: kept when unchanged, else stopped and started again ------- */

START_TEST(test_reload)
{
	struct rig *r = &rig;
	int64_t served_ms;

	rig_start(r, false, false, NULL, NULL);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);

	/* The same block: the service goes on (one connection in the log). */
	reload_with(r, NULL, 0);
	wait_log(&r->d, "configuration reloaded", 1);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", SERVE_BOUND_MS);
	ck_assert_int_eq(log_count(&r->d, "connected to the AgentX master"), 1);

	/* A changed block: net-snmp shut down, and initialised again on the
	 * new instance's thread. */
	reload_with(r, "  refresh 500ms\n", 0);
	wait_log(&r->d, "connected to the AgentX master", 2);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", SERVE_BOUND_MS);
	ck_assert_uint_gt(snmp_walk(r)->n, 20);
	reload_with(r, "  refresh 700ms\n", 1);
	wait_log(&r->d, "connected to the AgentX master", 3);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", SERVE_BOUND_MS);

	/* A reload while snmpd is away: the new instance reaches it later. */
	snmpd_kill(&r->sn, SIGKILL);
	wait_log(&r->d, "lost the AgentX master", 1);
	reload_with(r, "  refresh 900ms\n", 0);
	wait_log(&r->d, "not reached yet", 1);
	snmpd_relaunch(&r->sn);
	served_ms = r->sn.ready_ms + wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	fprintf(stderr,
		"snmp_daemon reload: served %lld ms after snmpd's start, reloaded while "
		"it was down\n",
		(long long)served_ms);
	ck_assert_msg(served_ms <= SERVE_BOUND_MS, "served %lld ms after snmpd started",
		      (long long)served_ms);
	ck_assert_uint_gt(snmp_walk(r)->n, 20);
	ck_assert_int_eq(log_count(&r->d, "another snmp service"), 0);
	rig_stop(r);
}
END_TEST

/* ---- single: one snmp service per process -------------------------------- */

/* snmpd serves an instance of its own inside the module's subtree
 * (`override`): the master then splits the subagent's range there, and
 * each GetNext before it carries that range's end.  A walk must show the
 * master's instance once, in its place, and the subagent's around it. */
#define SPLIT_OID OID_ROOT ".1.1.2.5" /* between hwhNodeScore.0 and hwhNodeSince.0 */
START_TEST(test_split)
{
	struct rig *r = &rig;
	struct cmd_result res;
	const char *a, *b, *c;

	r->sn.extra_conf = "override " SPLIT_OID " integer 4242\n";
	rig_start(r, true, false, NULL, NULL);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", NULL, WAIT_MS);
	ck_assert_int_eq(
	    snmpd_run(&r->sn, &res, "snmpwalk", "-On", "-Oq", "-Oe", OID_ROOT ".1.1", NULL), 0);
	ck_assert_msg(res.err[0] == '\0', "snmpwalk: %s", res.err);
	a = strstr(res.out, OID_ROOT ".1.1.2.0 ");
	b = strstr(res.out, SPLIT_OID " ");
	c = strstr(res.out, OID_ROOT ".1.1.3.0 ");
	ck_assert_msg(a != NULL && b != NULL && c != NULL && a < b && b < c,
		      "the walk lost the master's instance inside the subtree:\n%s", res.out);
	ck_assert_int_eq(strncmp(strchr(b, '\n') - 4, "4242", 4), 0); /* the MIB's type aside */
	ck_assert_ptr_null(strstr(b + 1, SPLIT_OID " "));
	cmd_result_free(&res);
	rig_stop(r);
}
END_TEST

START_TEST(test_single)
{
	struct rig *r = &rig;
	char extra[1024];
	struct json_object *st;
	int ok = 0;

	/* The second block needs the socket's path: rig_start() in steps. */
	r->t = fake_tree_new();
	fake_tree_path(r->t, "snmp", r->dir, sizeof r->dir);
	build_tree(r, false);
	write_rules(r);
	snmptrapd_start(&r->sn, r->dir);
	snmpd_start(&r->sn, r->dir);
	test_enter_namespace(r->t);
	r->d.tree = r->t;
	snprintf(extra, sizeof extra, "service snmp2 {\n  plugin snmp\n  agentx-socket %s\n}\n",
		 r->sn.agentx);
	make_conf(r, NULL, extra);
	poison_env(r);
	daemon_start(&r->d, r->conf);
	restore_env(r);

	wait_log(&r->d, "another snmp service already runs in this process", 1);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	st = cli(r, "status");
	for (int i = 0; i < 2; i++) {
		struct json_object *s = service_entry(st, i ? "snmp2" : "snmp"), *o;

		ck_assert_ptr_nonnull(s);
		if (json_object_object_get_ex(s, "ok", &o) && o != NULL &&
		    json_object_get_boolean(o))
			ok++;
		else
			ck_assert_msg(strstr(json_str(s, "status"), "another snmp service") != NULL,
				      "%s", json_object_to_json_string(s));
	}
	ck_assert_int_eq(ok, 1);
	json_object_put(st);
	rig_stop(r);
}
END_TEST

/* ---- config: options checked with their position ------------------------- */

static const struct {
	const char *line; /* in the service block: line 11 of the file */
	const char *msg;
} bad_conf[] = {
    {"timeout 5", ":11:3: service 'snmp': timeout: '5' is not a duration"},
    {"ping-interval 1500ms", ":11:3: service 'snmp': ping-interval 1500ms: whole seconds only"},
    {"refresh 10ms", ":11:3: service 'snmp': refresh 10ms: out of range (100ms..3600000ms)"},
    {"oid-root 1.3.6.x", ":11:3: service 'snmp': oid-root '1.3.6.x': expected a numeric OID"},
    {"agentx-socket /b", ":11:3: service 'snmp': option 'agentx-socket' given twice"},
    {"community public", ":11:3: service 'snmp': unknown option 'community'"},
};

START_TEST(test_config)
{
	struct rig *r = &rig;
	struct cmd_result res;
	char opts[256];

	r->t = fake_tree_new();
	fake_tree_path(r->t, "snmp", r->dir, sizeof r->dir);
	snmpd_init(&r->sn, r->dir);
	write_rules(r);
	r->d.tree = r->t;
	snprintf(opts, sizeof opts, "  %s\n", bad_conf[_i].line);
	ck_assert_int_ne(daemon_check_config(&r->d, make_conf(r, opts, NULL), &res), 0);
	ck_assert_msg(strstr(res.out, bad_conf[_i].msg) != NULL ||
			  strstr(res.err, bad_conf[_i].msg) != NULL,
		      "expected \"%s\" in:\n%s%s", bad_conf[_i].msg, res.out, res.err);
	ck_assert_msg(strstr(res.err, r->d.conf) != NULL || strstr(res.out, r->d.conf) != NULL,
		      "no file name in:\n%s%s", res.out, res.err);
	cmd_result_free(&res);
	snprintf(opts, sizeof opts, "  refresh 2s\n  stale-limit 1s\n");
	ck_assert_int_ne(daemon_check_config(&r->d, make_conf(r, opts, NULL), &res), 0);
	ck_assert_msg(strstr(res.err, "shorter than refresh") != NULL, "%s%s", res.out, res.err);
	cmd_result_free(&res);
	snmpd_free(&r->sn);
	fake_tree_free(r->t);
	memset(r, 0, sizeof *r);
}
END_TEST

/* Notifications lost while snmpd is down, then a reload that restarts the
 * service before snmpd is back: hwhNotificationsDropped still arrives. */
START_TEST(test_dropped_after_reload)
{
	struct rig *r = &rig;
	struct snmp_trap t;

	rig_start(r, false, false, NULL, NULL);
	wait_get(r, "HWHEALTH-MIB::hwhNodeState.0", "1", WAIT_MS);
	snmpd_kill(&r->sn, SIGKILL);
	wait_log(&r->d, "lost the AgentX master", 1);
	fake_attr_set(r->cpu, "temp1_input", "101000");
	wait_log(&r->d, "notification lost (no AgentX master)", 1);
	reload_with(r, "  refresh 500ms\n", 0);
	wait_log(&r->d, "not reached yet", 1);
	snmpd_relaunch(&r->sn);
	wait_get(r, "HWHEALTH-MIB::hwhNotificationsLost.0", "1", WAIT_MS);
	ck_assert_msg(snmptrapd_wait(&r->sn, OID_DROPPED, WAIT_MS, &t),
		      "no hwhNotificationsDropped after a reload during the outage");
	rig_stop(r);
}
END_TEST

Suite *snmp_daemon_suite(void)
{
	Suite *s = suite_create("snmp_daemon");
	TCase *tc = tcase_create("snmp");

	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_walk);
	tcase_add_test(tc, test_trap);
	tcase_add_test(tc, test_restart);
	tcase_add_test(tc, test_late);
	tcase_add_test(tc, test_stalled_master);
	tcase_add_test(tc, test_reload);
	tcase_add_test(tc, test_split);
	tcase_add_test(tc, test_single);
	tcase_add_test(tc, test_dropped_after_reload);
	tcase_add_loop_test(tc, test_config, 0, sizeof bad_conf / sizeof bad_conf[0]);
	suite_add_tcase(s, tc);
	return s;
}
