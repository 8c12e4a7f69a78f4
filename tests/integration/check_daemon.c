/*
 * Integration tests of hwhealthd as a process, with the echo test plugin
 * (no hardware needed): the systemd notify protocol (READY, STATUS,
 * WATCHDOG, STOPPING) on a real datagram socket, root-only commands refused
 * to another uid through SO_PEERCRED, a second daemon on the same socket
 * refused, the --check-config / plugin-option errors, and a whole daemon
 * run under valgrind with no errors or definite leaks.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

extern char **environ;

static struct fake_tree *tree;
static struct test_daemon d;
static char conf[2048];

static void setup(void)
{
	char echo[TL_PATH_MAX];
	const char *pl;

	tree = fake_tree_new();
	pl = test_plugin_dir(tree, "pl", "echo", "sleepy", NULL);
	snprintf(echo, sizeof echo, "%s/echo.txt", tree->dir);
	ck_assert_int_eq(write_file_str(echo, "chip0 temp1 temperature 45 max=80 crit=95\n"), 0);
	snprintf(conf, sizeof conf,
		 "plugin-dir %s\nsocket-mode 0666\n"
		 "source e {\n  plugin echo\n  file %s\n  interval 1s\n}\n",
		 pl, echo);
	memset(&d, 0, sizeof d);
	d.tree = tree;
}

static void teardown(void)
{
	if (d.pid > 0)
		daemon_stop(&d);
	fake_tree_free(tree);
}

/* ---- sd_notify ---------------------------------------------------------- */

static int notify_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

struct notes {
	int fd;
	int ready, watchdog, stopping, status;
	char last_status[256];
};

static bool read_notes(void *arg)
{
	struct notes *n = arg;
	char buf[512];
	ssize_t len;

	while ((len = recv(n->fd, buf, sizeof buf - 1, MSG_DONTWAIT)) > 0) {
		buf[len] = '\0';
		for (char *save, *l = strtok_r(buf, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			n->ready += strcmp(l, "READY=1") == 0;
			n->watchdog += strcmp(l, "WATCHDOG=1") == 0;
			n->stopping += strcmp(l, "STOPPING=1") == 0;
			if (strncmp(l, "STATUS=", 7) == 0) {
				n->status++;
				snprintf(n->last_status, sizeof n->last_status, "%s", l + 7);
			}
		}
	}
	return n->ready >= 1 && n->watchdog >= 3 && n->status >= 1;
}

static bool stopped_note(void *arg)
{
	struct notes *n = arg;

	read_notes(n);
	return n->stopping >= 1;
}

START_TEST(test_sd_notify_and_watchdog)
{
	char path[TL_PATH_MAX];
	struct notes n = {0};

	snprintf(path, sizeof path, "%s/notify.sock", tree->dir);
	n.fd = notify_socket(path);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "200000", 1); /* pet every 100 ms */
	daemon_start(&d, conf);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	ck_assert_msg(wait_until(read_notes, &n, 10000), "ready=%d watchdog=%d status=%d", n.ready,
		      n.watchdog, n.status);
	ck_assert_int_eq(n.ready, 1);
	ck_assert_ptr_nonnull(strstr(n.last_status, "1 source"));
	ck_assert_int_eq(daemon_stop(&d), 0);
	ck_assert(wait_until(stopped_note, &n, 2000));
	close(n.fd);
}
END_TEST

/* ---- permissions -------------------------------------------------------- */

START_TEST(test_root_only_commands)
{
	struct cmd_result r;
	char err[512];
	int code;

	ck_assert_int_eq(chmod(tree->dir, 0711), 0); /* let nobody reach the socket */
	daemon_start(&d, conf);
	ck_assert_int_eq(cli_as_nobody(&d, (const char *const[]){"ping", NULL}, err, sizeof err),
			 0);
	code = cli_as_nobody(&d, (const char *const[]){"reload", NULL}, err, sizeof err);
	ck_assert_msg(code == 1, "exit %d: %s", code, err);
	ck_assert_msg(strstr(err, "permission denied: 'reload' requires root") != NULL, "%s", err);
	code = cli_as_nobody(&d, (const char *const[]){"rescan", NULL}, err, sizeof err);
	ck_assert_int_eq(code, 1);
	ck_assert_ptr_nonnull(strstr(err, "permission denied: 'rescan' requires root"));
	ck_assert_int_eq(cli_run(&d, &r, NULL, "reload", NULL), 0); /* we are root */
	cmd_result_free(&r);
	ck_assert(daemon_log_has(&d, "configuration reloaded: 1 source"));
}
END_TEST

START_TEST(test_second_daemon_refused)
{
	char bin[TL_PATH_MAX];
	struct cmd_result r;

	daemon_start(&d, conf);
	snprintf(bin, sizeof bin, "%s/hwhealthd", HWH_BUILD_DIR);
	const char *argv[] = {bin, "-c", d.conf, "--socket", d.sock, "--state-dir", d.state, NULL};
	ck_assert_int_eq(cmd_run(argv, &r, TL_CMD_TIMEOUT_MS), 1);
	ck_assert_msg(strstr(r.err, "another hwhealthd is already listening on") != NULL, "%s",
		      r.err);
	cmd_result_free(&r);
	ck_assert(daemon_running(&d)); /* the first one is untouched */
	json_object *st = cli_json(&d, "status", NULL);
	ck_assert_str_eq(json_str(json_source(st, "e"), "status"), "ok");
	json_object_put(st);
}
END_TEST

START_TEST(test_plugin_option_error_position)
{
	char bin[TL_PATH_MAX], path[TL_PATH_MAX], want[TL_PATH_MAX + 128], text[2048];
	struct cmd_result r;

	snprintf(path, sizeof path, "%s/bad.conf", tree->dir);
	/* line 7, column 3: the unknown option of the echo plugin */
	snprintf(text, sizeof text, "%.*s  colour blue\n}\n", (int)(strlen(conf) - 2), conf);
	ck_assert_int_eq(write_file_str(path, text), 0);
	snprintf(bin, sizeof bin, "%s/hwhealthd", HWH_BUILD_DIR);
	const char *argv[] = {bin, "-c", path, "--check-config", NULL};
	ck_assert_int_eq(cmd_run(argv, &r, TL_CMD_TIMEOUT_MS), 1);
	snprintf(want, sizeof want,
		 "%s:7:3: source 'e': unknown option 'colour' for plugin echo (expected: file, "
		 "events)\n",
		 path);
	ck_assert_str_eq(r.err, want);
	cmd_result_free(&r);
}
END_TEST

/* ---- events ------------------------------------------------------------- */

static bool two_events(void *arg)
{
	json_object *r = cli_json(arg, "events", NULL), *list;
	bool ok =
	    json_object_object_get_ex(r, "events", &list) && json_object_array_length(list) >= 2;

	json_object_put(r);
	return ok;
}

START_TEST(test_events_reported_once)
{
	char evfile[TL_PATH_MAX], text[2304];
	struct cmd_result r;

	snprintf(evfile, sizeof evfile, "%s/events.txt", tree->dir);
	ck_assert_int_eq(write_file_str(evfile,
					"bmc0 ecc-corrected warning DIMM A1 correctable ECC\n"
					"bmc0 psu-failure critical PSU 2 lost input\n"),
			 0);
	snprintf(text, sizeof text, "%.*s  events %s\n}\n", (int)(strlen(conf) - 2), conf, evfile);
	daemon_start(&d, text);
	ck_assert(wait_until(two_events, &d, 10000));
	/* Three more polls: the file is consumed, nothing is reported twice. */
	json_object *st = cli_json(&d, "status", NULL);
	double polls = json_num(json_source(st, "e"), "polls");
	json_object_put(st);
	for (int i = 0; i < 100; i++) {
		st = cli_json(&d, "status", NULL);
		double now = json_num(json_source(st, "e"), "polls");
		json_object_put(st);
		if (now >= polls + 3)
			break;
		usleep(100000);
	}
	json_object *ev = cli_json(&d, "events", NULL), *list, *e1;
	ck_assert(json_object_object_get_ex(ev, "events", &list));
	ck_assert_uint_eq(json_object_array_length(list), 2);
	e1 = json_object_array_get_idx(list, 1);
	ck_assert_str_eq(json_str(e1, "type"), "psu-failure");
	ck_assert_str_eq(json_str(e1, "severity"), "critical");
	ck_assert_str_eq(json_str(e1, "text"), "PSU 2 lost input");
	ck_assert_str_eq(json_str(e1, "source"), "e");
	ck_assert_double_eq(json_num(e1, "seq"), 2);
	json_object_put(ev);
	ck_assert_int_eq(cli_run(&d, &r, NULL, "events", NULL), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "DIMM A1 correctable ECC"));
	ck_assert_ptr_nonnull(strstr(r.out, "SEVERITY"));
	cmd_result_free(&r);
	ck_assert(daemon_log_has(&d, "event bmc0/psu-failure: PSU 2 lost input"));
}
END_TEST

/* ---- reload dropping a source ------------------------------------------ */

static bool only_sleepy(void *arg)
{
	json_object *r = cli_json(arg, "sensors", NULL), *list;
	bool ok = json_object_object_get_ex(r, "metrics", &list) &&
		  json_object_array_length(list) == 1 && json_metric(r, "s/dev/m0") != NULL;

	json_object_put(r);
	return ok;
}

START_TEST(test_reload_forgets_removed_source)
{
	char pl[TL_PATH_MAX], text[1024];
	struct cmd_result r;
	int code;

	daemon_start(&d, conf);
	json_object *m = cli_json(&d, "sensors", NULL);
	ck_assert_ptr_nonnull(json_metric(m, "e/chip0/temp1"));
	json_object_put(m);
	snprintf(pl, sizeof pl, "%s/pl", tree->dir);
	snprintf(text, sizeof text,
		 "plugin-dir %s\nsocket-mode 0666\n"
		 "source s { plugin sleepy; emit 1; interval 1s }\n",
		 pl);
	daemon_write_conf(&d, text);
	daemon_signal(&d, SIGHUP);
	ck_assert(wait_until(only_sleepy, &d, 10000));
	ck_assert(daemon_log_has(&d, "e: no longer configured; forgot its 1 metric"));
	/* Nothing of the removed source lingers to hold the node yellow. */
	code = cli_run(&d, &r, NULL, "status", NULL);
	ck_assert_msg(code == 0, "status exit %d:\n%s", code, r.out);
	cmd_result_free(&r);
}
END_TEST

/* ---- valgrind ----------------------------------------------------------- */

static bool answers(void *arg)
{
	struct json_object *o = daemon_request(arg, "{\"cmd\":\"ping\"}");

	json_object_put(o);
	return o != NULL;
}

START_TEST(test_valgrind_clean_run)
{
#ifdef HWH_SANITIZE
	/* ASan and valgrind do not mix: the sanitizer build checks the same run. */
	return;
#endif
	char bin[TL_PATH_MAX], logopt[TL_PATH_MAX], vlog[TL_PATH_MAX];
	struct cmd_result r;
	int status;
	pid_t pid;

	daemon_write_conf(&d, conf);
	snprintf(bin, sizeof bin, "%s/hwhealthd", HWH_BUILD_DIR);
	snprintf(vlog, sizeof vlog, "%s/valgrind.log", tree->dir);
	snprintf(logopt, sizeof logopt, "--log-file=%s", vlog);
	char *const argv[] = {"valgrind",
			      "--error-exitcode=99",
			      "--leak-check=full",
			      "--errors-for-leak-kinds=definite",
			      logopt,
			      bin,
			      "-c",
			      d.conf,
			      "--socket",
			      d.sock,
			      "--state-dir",
			      d.state,
			      NULL};
	ck_assert_int_eq(posix_spawnp(&pid, "valgrind", NULL, NULL, argv, environ), 0);
	d.pid = pid;
	ck_assert_msg(wait_until(answers, &d, 30000), "daemon under valgrind never answered");
	ck_assert_int_eq(cli_run(&d, &r, NULL, "status", NULL), 0);
	cmd_result_free(&r);
	ck_assert_int_eq(cli_run(&d, &r, NULL, "sensors", NULL), 0);
	cmd_result_free(&r);
	ck_assert_int_eq(cli_run(&d, &r, NULL, "reload", NULL), 0);
	cmd_result_free(&r);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	d.pid = 0;
	char *log = read_file_str(vlog);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "valgrind: %s", log);
	free(log);
}
END_TEST

Suite *daemon_suite(void)
{
	Suite *s = suite_create("daemon");
	TCase *tc = tcase_create("process");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 90);
	tcase_add_test(tc, test_sd_notify_and_watchdog);
	tcase_add_test(tc, test_root_only_commands);
	tcase_add_test(tc, test_second_daemon_refused);
	tcase_add_test(tc, test_plugin_option_error_position);
	tcase_add_test(tc, test_events_reported_once);
	tcase_add_test(tc, test_reload_forgets_removed_source);
	tcase_add_test(tc, test_valgrind_clean_run);
	suite_add_tcase(s, tc);
	return s;
}
