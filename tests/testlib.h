/*
 * testlib: helpers for integration tests that drive the real hwhealthd and
 * hwhealth binaries over a fake hwmon tree.
 *
 * A test builds a fake sysfs tree in a temp dir W (fake_tree_new,
 * fake_chip_add, fake_attr_set), enters a private mount namespace with
 * W/class bound over /sys/class (test_enter_namespace), starts the daemon on
 * a socket and state dir under W (daemon_start) and asks it questions with
 * the CLI (cli_run, cli_json).  Conditions are awaited with wait_until(),
 * never with fixed sleeps.
 *
 * Helpers fail the running test with ck_abort_msg() when something they
 * cannot recover from goes wrong (no root, a binary missing, the daemon not
 * answering), so tests stay short.  They need check's fork mode (the
 * default): the namespace and any child left behind die with the test
 * process, as check kills the test's process group when the test ends.  W is
 * kept when a test fails, for its daemon.log; fake_tree_free() removes it.
 *
 * To extend: keep one helper per concern, and make every helper that waits
 * take a bound, never assume a speed.
 */
#ifndef HWH_TESTLIB_H
#define HWH_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#ifndef HWH_BUILD_DIR
#define HWH_BUILD_DIR "build"
#endif
#ifndef HWH_SRC_DIR
#define HWH_SRC_DIR "."
#endif

#define TL_PATH_MAX 512
#define TL_MAX_CHIPS 128
#define TL_START_TIMEOUT_MS 10000 /* daemon_start: socket must answer by then */
#define TL_STOP_TIMEOUT_MS 10000  /* daemon_stop: exit by then, else SIGKILL */
#define TL_CMD_TIMEOUT_MS 10000	  /* cli_run / cmd_run: bound per command */

/* One hwmonN directory of a fake tree. */
struct fake_chip {
	struct fake_tree *tree;
	int index;		   /* N of hwmonN */
	char name[64];		   /* contents of the name file */
	char id[96];		   /* chip name as libsensors prints it */
	char path[TL_PATH_MAX];	   /* W/class/hwmon/hwmonN */
	char devpath[TL_PATH_MAX]; /* fake device dir, "" without device link */
	bool removed;		   /* fake_chip_remove() was called */
};

/* A fake sysfs tree in a temp dir W: W/class/hwmon/hwmonN, with fake
 * devices under W/class/devices so that relative links resolve both
 * outside and inside the namespace (where W/class is /sys/class). */
struct fake_tree {
	char dir[TL_PATH_MAX]; /* W */
	struct fake_chip *chips[TL_MAX_CHIPS];
	int nchips;
	int next_pci_slot; /* pci devices get distinct addresses */
};

/* A running (or stopped) hwhealthd. */
struct test_daemon {
	struct fake_tree *tree;	 /* whose W holds the files below */
	pid_t pid;		 /* 0 when not running */
	int exit_code;		 /* how it ended, once pid is back to 0 */
	char conf[TL_PATH_MAX];	 /* W/hwhealth.conf */
	char sock[TL_PATH_MAX];	 /* W/hwhealthd.sock */
	char state[TL_PATH_MAX]; /* W/state */
	char log[TL_PATH_MAX];	 /* W/daemon.log (the daemon's stderr) */
};

/* Called in a forked child before exec (async-signal-safe calls only):
 * 0, or -errno to make the child exit 127. */
typedef int (*tl_enter_fn)(void *arg);

/* What a command printed and how it ended. */
struct cmd_result {
	char *out;  /* stdout, NUL-terminated, never NULL */
	char *err;  /* stderr, NUL-terminated, never NULL */
	int code;   /* exit code, or 128 + signal number */
	int64_t ms; /* wall time from spawn to exit */
};

/*
 * Fake tree.  fake_tree_new() aborts the test on failure; the others too,
 * except where a return value is documented.
 */
struct fake_tree *fake_tree_new(void);
/* Add hwmonN named name.  bus: "platform", "pci" or NULL (no device link:
 * the chip is NAME-virtual-0).  A platform device is NAME.K (K = how many
 * NAME chips are already on that bus), so the first coretemp is
 * coretemp-isa-0000; a pci device is 0000:00:SS.3 with a fresh slot. */
struct fake_chip *fake_chip_add(struct fake_tree *t, const char *name, const char *bus);
/* Same, with the device dir named devname (e.g. "nct6775.656" gives
 * nct6775-isa-0290). */
struct fake_chip *fake_chip_add_dev(struct fake_tree *t, const char *name, const char *bus,
				    const char *devname);
/* Write attr (e.g. "temp1_input") with value and a newline, in place:
 * a reader keeping the file open and re-reading at offset 0 sees it. */
void fake_attr_set(struct fake_chip *c, const char *attr, const char *value);
/* Same with a number: fake_attr_setf(c, "temp1_input", "%d", 45000). */
void fake_attr_setf(struct fake_chip *c, const char *attr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Remove the chip's directory and device (as a driver unbinding would). */
void fake_chip_remove(struct fake_chip *c);
/* Remove W and everything under it; free t.  NULL is ignored. */
void fake_tree_free(struct fake_tree *t);

/* buf = W/name; aborts the test if it does not fit in len. */
void fake_tree_path(const struct fake_tree *t, const char *name, char *buf, size_t len);

/* Metric id of chip feature: "sensors/<chip id>/<feature>" (static buffer
 * of 4, enough for one assertion's arguments). */
const char *fake_metric_id(const struct fake_chip *c, const char *feature);

/*
 * Enter a private mount namespace with W/class bound over /sys/class, for
 * this test process and every child it starts.  Aborts the test with a clear
 * message when not root or when check is not forking.
 */
void test_enter_namespace(struct fake_tree *t);

/*
 * Make W/NAME (a plugin dir) holding symlinks to the named plugins, looked
 * up in HWH_BUILD_DIR/plugins then HWH_BUILD_DIR/tests/plugins.  NULL ends
 * the list.  Returns the dir (static buffer).
 */
const char *test_plugin_dir(struct fake_tree *t, const char *dirname, ...)
    __attribute__((sentinel));

/*
 * Daemon.  daemon_start() writes conf_text to W/hwhealth.conf, runs
 * HWH_BUILD_DIR/hwhealthd -c W/hwhealth.conf --socket W/hwhealthd.sock
 * --state-dir W/state, stderr to W/daemon.log, and waits until it answers a
 * ping (TL_START_TIMEOUT_MS); it aborts the test, quoting the log, if the
 * daemon exits or does not answer.  d->tree must be set, or is set to the
 * tree given to test_enter_namespace().
 */
void daemon_start(struct test_daemon *d, const char *conf_text);
/* Same with extra arguments after the standard ones (NULL-terminated). */
void daemon_start_args(struct test_daemon *d, const char *conf_text, const char *const *extra);
/* Same in other namespaces: the daemon is forked and enter(arg) runs in the
 * child before exec (e.g. pcmk3_enter_node, which setns()es into a cluster
 * node's namespaces); NULL enter is daemon_start_args().  d->sock must stay
 * reachable from the test process (a path under /tmp is). */
void daemon_start_in(struct test_daemon *d, const char *conf_text, const char *const *extra,
		     tl_enter_fn enter, void *arg);
/* Rewrite W/hwhealth.conf (for a SIGHUP test). */
void daemon_write_conf(struct test_daemon *d, const char *conf_text);
/* Write conf_text as d's configuration and run hwhealthd --check-config on
 * it: cmd_run()'s result (the exit code), output in *res (free it). */
int daemon_check_config(struct test_daemon *d, const char *conf_text, struct cmd_result *res);
/* Send sig to the running daemon. */
void daemon_signal(struct test_daemon *d, int sig);
/* True while the daemon process has not exited (reaps it when it has). */
bool daemon_running(struct test_daemon *d);
/* SIGTERM, wait up to TL_STOP_TIMEOUT_MS (then SIGKILL and abort the test).
 * Returns its exit code, or 128 + signal number. */
int daemon_stop(struct test_daemon *d);
/* Fail the test if the daemon log holds an ASan/LSan/UBSan report
 * (daemon_stop() calls it). */
void daemon_check_sanitizers(struct test_daemon *d);
/* Contents of W/daemon.log, malloc'd (never NULL). */
char *daemon_log(struct test_daemon *d);
/* True if the daemon log contains needle. */
bool daemon_log_has(struct test_daemon *d, const char *needle);
/* Exact request/response over the control socket, without the CLI:
 * returns the parsed response object or NULL if the daemon did not answer. */
struct json_object *daemon_request(struct test_daemon *d, const char *request_json);

/*
 * Commands.  cmd_run() runs argv[0] (a path, or a name looked up in PATH)
 * without a shell, captures stdout and stderr, kills it after timeout_ms
 * (then code is 128 + 9; 127 if it cannot be started).  Returns res->code.
 * cmd_result_free() frees the buffers.
 */
int cmd_run(const char *const *argv, struct cmd_result *res, int timeout_ms);
/* The same, forked with enter(arg) called in the child before exec. */
int cmd_run_in(const char *const *argv, struct cmd_result *res, int timeout_ms, tl_enter_fn enter,
	       void *arg);
void cmd_result_free(struct cmd_result *res);

/* Run HWH_BUILD_DIR/hwhealth --socket W/hwhealthd.sock ARGS... (NULL-
 * terminated).  Stores the exit code in *exit_code (if not NULL) and
 * returns it. */
/* Run the CLI on d's socket as uid/gid 65534 (nobody) with args
 * (NULL-ended): its exit code (128 if it did not exit), stderr in err. */
int cli_as_nobody(struct test_daemon *d, const char *const *args, char *err, size_t errlen);
int cli_run(struct test_daemon *d, struct cmd_result *res, int *exit_code, ...)
    __attribute__((sentinel));
/* Run the CLI with --json and ARGS, parse stdout: the result object (caller
 * puts it).  Aborts the test if stdout is not a JSON object. */
struct json_object *cli_json(struct test_daemon *d, ...) __attribute__((sentinel));

/* The metric with that id in a "sensors" result ({"metrics": [...]}), or
 * NULL.  Borrowed reference. */
struct json_object *json_metric(struct json_object *result, const char *id);
/* The source with that name in a "status" result, or NULL.  Borrowed. */
struct json_object *json_source(struct json_object *result, const char *name);
/* The first finding of rule (on target, if not NULL) in an "explain"
 * result, or NULL (also for a NULL result).  Borrowed. */
struct json_object *json_finding(struct json_object *explain, const char *rule, const char *target);
/* Member key of obj as a string / a number; NULL / NAN when absent, null or
 * of another type.  key may be a dotted path ("node.state", "limits.max"). */
const char *json_str(struct json_object *obj, const char *key);
double json_num(struct json_object *obj, const char *key);
/* True if the array member key of obj holds the string s. */
bool json_array_has(struct json_object *obj, const char *key, const char *s);

/*
 * Call cond(arg) every TL_POLL_MS until it returns true or timeout_ms passed.
 * Returns whether it became true.  The timeout is a bound, not a speed.
 */
#define TL_POLL_MS 50
bool wait_until(bool (*cond)(void *), void *arg, int timeout_ms);

/*
 * Background processes (peers such as corosync or slurmctld).  tl_spawn()
 * forks argv[0] (a path, or a name looked up in PATH) as a child of the test
 * process, stdin from /dev/null, stdout and stderr appended to log, with
 * PR_SET_PDEATHSIG SIGKILL so it dies with the test process.  user, if not
 * NULL, is the account it runs as (initgroups, setgid, setuid).  env, if not
 * NULL, is a NULL-terminated list of "NAME=value" added to the environment.
 * Aborts the test when it cannot fork; a failed exec shows as exit code 127.
 */
pid_t tl_spawn(const char *const *argv, const char *log, const char *user, const char *const *env);
/* The same with enter(arg) called in the child first (NULL: none). */
pid_t tl_spawn_in(const char *const *argv, const char *log, const char *user,
		  const char *const *env, tl_enter_fn enter, void *arg);
/*
 * Send sig to *pid (a child of the test process), wait up to timeout_ms for
 * it to exit, then SIGKILL it and wait again (sig 0: only wait, then
 * SIGKILL).  Sets *pid to 0.  Returns its exit code (128 + signal number),
 * or -1 when *pid was 0 or is no child.
 */
int tl_stop_pid(pid_t *pid, int sig, int timeout_ms);
/* True while the child *pid has not exited; when it has, reaps it, stores
 * the exit code in *code (if not NULL) and sets *pid to 0. */
bool tl_child_running(pid_t *pid, int *code);
/* Last max_bytes of the file at path, malloc'd (never NULL): for messages. */
char *tl_file_tail(const char *path, size_t max_bytes);

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t tl_mono_ms(void);

/* Read a whole file into a malloc'd NUL-terminated string, or NULL. */
char *read_file_str(const char *path);
/* Remove path and everything under it (rm -rf).  0 or -1. */
int tl_rm_rf(const char *path);
/* Write text to path (create/truncate).  0 or -errno. */
int write_file_str(const char *path, const char *text);

#endif
