/*
 * check_plugin_run: unit tests of pu_run() (plugins/plugin_run.c), the one
 * way the actuator plugins (pacemaker, slurm, exec) run a tool, with real
 * children (/bin/sh, /bin/cat, /usr/bin/env, sleep):
 *
 *   status    exit codes, a signal, an exit code above 128 told apart from
 *             a signal, describe() and output() texts
 *   output    stdout and stderr kept apart, cut at their caps with
 *             `truncated` set and the child never blocked on a full pipe
 *   input     stdin from the given text (small, large, unread by a child
 *             that exits first: no SIGPIPE for the caller), /dev/null
 *             without one
 *   env       exactly the given environment, or PATH and LC_ALL only; no
 *             inherited descriptor, empty signal mask, default actions,
 *             own process group
 *   timeout   the whole process group is killed at the deadline (a child
 *             and the grandchild holding the pipe; a child that closed
 *             its pipes), reaped, in time
 *   errors    a missing program, one that is not executable, a relative
 *             path; fields reset between runs
 *
 * To add a case: a START_TEST in its TCase, asserting exact values.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../plugins/plugin_run.h"

#define SLOW_MS 2000 /* bound on anything that should take a few ms */

Suite *plugin_run_suite(void); /* called by tests/main.c */

/* Run argv (NULL-ended) with timeout_ms into *r (zeroed first). */
static int run(struct pu_run *r, int64_t timeout_ms, const char *const *argv)
{
	memset(r, 0, sizeof *r);
	r->argv = argv;
	r->timeout_ms = timeout_ms;
	return pu_run(r);
}

static int sh(struct pu_run *r, int64_t timeout_ms, const char *script)
{
	const char *argv[] = {"/bin/sh", "-c", script, NULL};

	memset(r, 0, sizeof *r);
	r->argv = argv;
	r->timeout_ms = timeout_ms;
	return pu_run(r);
}

/* Whether pid is alive and not a zombie. */
static bool pid_alive(pid_t pid)
{
	char path[64], buf[512], *rp;
	FILE *f;
	bool alive;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	alive =
	    fgets(buf, sizeof buf, f) != NULL && (rp = strrchr(buf, ')')) != NULL && rp[2] != 'Z';
	fclose(f);
	return alive;
}

/* Whether pid is gone (or a zombie) within 2 s: SIGKILL is asynchronous. */
static bool pid_dies(pid_t pid)
{
	for (int i = 0; i < 200 && pid_alive(pid); i++)
		usleep(10 * 1000);
	return !pid_alive(pid);
}

/* ---- status ----------------------------------------------------------------- */

START_TEST(test_exit_zero)
{
	struct pu_run r;
	char d[128];

	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"/bin/true", NULL}), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_uint_eq(r.out_len, 0);
	ck_assert_uint_eq(r.err_len, 0);
	ck_assert_str_eq(r.out, "");
	ck_assert(strncmp(pu_run_describe(&r, d, sizeof d), "exit 0 in ", 10) == 0);
}
END_TEST

START_TEST(test_exit_code)
{
	struct pu_run r;
	char d[128];

	/* A non-zero exit is the caller's to judge: pu_run() itself worked. */
	ck_assert_int_eq(sh(&r, 5000, "exit 3"), 0);
	ck_assert_int_eq(r.status, 3);
	ck_assert(strncmp(pu_run_describe(&r, d, sizeof d), "exit 3 in ", 10) == 0);
	/* Above 128 by itself: an exit code, not a signal (ssh exits 255). */
	ck_assert_int_eq(sh(&r, 5000, "exit 255"), 0);
	ck_assert_int_eq(r.status, 255);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_msg(strncmp(pu_run_describe(&r, d, sizeof d), "exit 255 in ", 12) == 0, "%s", d);
}
END_TEST

START_TEST(test_killed_by_signal)
{
	struct pu_run r;
	char d[128];

	ck_assert_int_eq(sh(&r, 5000, "kill -TERM $$"), 0);
	ck_assert_int_eq(r.status, 128 + SIGTERM);
	ck_assert_int_eq(r.signal, SIGTERM);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_msg(strncmp(pu_run_describe(&r, d, sizeof d), "killed by signal 15 after ", 26) ==
			  0,
		      "%s", d);
}
END_TEST

START_TEST(test_output_text)
{
	struct pu_run r;
	char o[256] = "";

	ck_assert_int_eq(sh(&r, 5000, "printf 'a\\nb'; printf 'oops' >&2; exit 1"), 0);
	pu_run_output(&r, o, sizeof o);
	ck_assert_str_eq(o, "stdout:\na\nb\nstderr:\noops");
	/* Appends to what dst holds; empty parts are left out. */
	ck_assert_int_eq(sh(&r, 5000, "echo second"), 0);
	pu_run_output(&r, o, sizeof o);
	ck_assert_str_eq(o, "stdout:\na\nb\nstderr:\noops\nstdout:\nsecond\n");
	/* Cut to fit, terminated. */
	o[0] = '\0';
	pu_run_output(&r, o, 10);
	ck_assert_str_eq(o, "stdout:\ns");
}
END_TEST

/* ---- output ----------------------------------------------------------------- */

START_TEST(test_capture_apart)
{
	struct pu_run r;

	ck_assert_int_eq(sh(&r, 5000, "echo out1; echo err1 >&2; echo out2; echo err2 >&2"), 0);
	ck_assert_str_eq(r.out, "out1\nout2\n");
	ck_assert_uint_eq(r.out_len, 10);
	ck_assert_str_eq(r.err, "err1\nerr2\n");
	ck_assert_uint_eq(r.err_len, 10);
	ck_assert_int_eq(r.truncated, 0);
}
END_TEST

/* Far more than the caps, on both pipes: kept cut, the rest read and
 * dropped, so the child never blocks and exits by itself. */
START_TEST(test_truncation)
{
	struct pu_run r;

	ck_assert_int_eq(sh(&r, 10000,
			    "i=0; while [ $i -lt 2000 ]; do echo 0123456789abcdef; "
			    "echo 0123456789abcdef >&2; i=$((i+1)); done; exit 7"),
			 0);
	ck_assert_int_eq(r.status, 7);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_int_eq(r.truncated, 1);
	ck_assert_uint_eq(r.out_len, PU_RUN_OUT_MAX - 1);
	ck_assert_uint_eq(strlen(r.out), PU_RUN_OUT_MAX - 1);
	ck_assert_uint_eq(r.err_len, PU_RUN_ERR_MAX - 1);
	ck_assert_uint_eq(strlen(r.err), PU_RUN_ERR_MAX - 1);
	ck_assert(strncmp(r.out, "0123456789abcdef\n0123", 21) == 0);
}
END_TEST

/* Exactly the cap: all kept, not truncated. */
START_TEST(test_exact_cap)
{
	char script[64];
	struct pu_run r;

	snprintf(script, sizeof script, "head -c %d /dev/zero | tr '\\0' x", PU_RUN_OUT_MAX - 1);
	ck_assert_int_eq(sh(&r, 5000, script), 0);
	ck_assert_uint_eq(r.out_len, PU_RUN_OUT_MAX - 1);
	ck_assert_int_eq(r.truncated, 0);
	snprintf(script, sizeof script, "head -c %d /dev/zero | tr '\\0' x", PU_RUN_OUT_MAX);
	ck_assert_int_eq(sh(&r, 5000, script), 0);
	ck_assert_uint_eq(r.out_len, PU_RUN_OUT_MAX - 1);
	ck_assert_int_eq(r.truncated, 1);
}
END_TEST

/* ---- input ------------------------------------------------------------------ */

START_TEST(test_stdin_text)
{
	struct pu_run r = {0};

	r.argv = (const char *const[]){"/bin/cat", NULL};
	r.input = "hello\nworld\n";
	r.timeout_ms = 5000;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "hello\nworld\n");
}
END_TEST

/* Input larger than a pipe (64 KiB) while the child writes back: written
 * as the child reads, never a deadlock. */
START_TEST(test_stdin_large)
{
	size_t n = 256 * 1024;
	char *big = malloc(n + 1);
	struct pu_run r = {0};

	ck_assert_ptr_nonnull(big);
	memset(big, 'y', n);
	big[n] = '\0';
	r.argv = (const char *const[]){"/usr/bin/wc", "-c", NULL};
	r.input = big;
	r.timeout_ms = 5000;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.out, "262144\n");
	r.argv = (const char *const[]){"/bin/cat", NULL};
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(r.truncated, 1);
	free(big);
}
END_TEST

/* A child that exits without reading its input: the caller (here with
 * SIGPIPE at its default action, as a test or a plugin host that does not
 * ignore it) must not be killed by SIGPIPE. */
START_TEST(test_stdin_unread)
{
	size_t n = 1024 * 1024;
	char *big = malloc(n + 1);
	struct pu_run r = {0};

	ck_assert_ptr_nonnull(big);
	memset(big, 'z', n);
	big[n] = '\0';
	signal(SIGPIPE, SIG_DFL);
	r.argv = (const char *const[]){"/bin/sh", "-c", "exit 4", NULL};
	r.input = big;
	r.timeout_ms = 5000;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_int_eq(r.status, 4);
	free(big);
	/* Nothing left pending for this thread either. */
	{
		sigset_t pending;

		sigpending(&pending);
		ck_assert(!sigismember(&pending, SIGPIPE));
	}
}
END_TEST

START_TEST(test_stdin_devnull)
{
	struct pu_run r;

	ck_assert_int_eq(sh(&r, 5000, "readlink /proc/self/fd/0; cat"), 0);
	ck_assert_str_eq(r.out, "/dev/null\n");
}
END_TEST

/* ---- environment and process ---------------------------------------------- */

START_TEST(test_env_exact)
{
	struct pu_run r = {0};

	setenv("HWH_PLUGIN_RUN_LEAK", "leaked", 1);
	r.argv = (const char *const[]){"/usr/bin/env", NULL};
	r.envp = (const char *const[]){"A=1", "B=two words", "C=", NULL};
	r.timeout_ms = 5000;
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_str_eq(r.out, "A=1\nB=two words\nC=\n");
	r.envp = (const char *const[]){NULL};
	ck_assert_int_eq(pu_run(&r), 0);
	ck_assert_str_eq(r.out, "");
}
END_TEST

START_TEST(test_env_default)
{
	struct pu_run r;

	setenv("HWH_PLUGIN_RUN_LEAK", "leaked", 1);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"/usr/bin/env", NULL}), 0);
	ck_assert_str_eq(r.out, PU_RUN_DEFAULT_PATH "\nLC_ALL=C\n");
}
END_TEST

/* Only 0, 1 and 2 (ls adds its own directory), whatever the caller holds
 * open without O_CLOEXEC. */
START_TEST(test_no_inherited_fds)
{
	struct pu_run r;
	int leak = open("/dev/null", O_RDONLY);

	ck_assert_int_ge(leak, 3);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"/bin/ls", "/proc/self/fd", NULL}), 0);
	ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
	close(leak);
}
END_TEST

/* Empty mask and default actions even when the caller blocks or ignores
 * signals (the daemon ignores SIGPIPE; an ignored signal survives exec). */
START_TEST(test_signals_reset)
{
	unsigned long long blk = 1, ign = 1;
	sigset_t set;
	struct pu_run r;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	ck_assert_int_eq(
	    run(&r, 5000,
		(const char *const[]){"/bin/grep", "^Sig[BI]", "/proc/self/status", NULL}),
	    0);
	ck_assert_int_eq(sscanf(r.out, "SigBlk: %llx SigIgn: %llx", &blk, &ign), 2);
	ck_assert_uint_eq(blk, 0);
	/* The ones the caller ignored (bit N-1 for signal N).  Others may be
	 * ignored by whoever started the test runner: not pu_run's to judge. */
	ck_assert_uint_eq(ign & (1ull << (SIGPIPE - 1) | 1ull << (SIGHUP - 1)), 0);
}
END_TEST

START_TEST(test_own_group)
{
	struct pu_run r;
	int pid = 0, pgid = 0;

	ck_assert_int_eq(sh(&r, 5000, "echo $$ $(cut -d' ' -f5 /proc/$$/stat)"), 0);
	ck_assert_int_eq(sscanf(r.out, "%d %d", &pid, &pgid), 2);
	ck_assert_int_eq(pid, pgid);
	ck_assert_int_ne(pgid, getpgrp());
}
END_TEST

/* ---- timeout ---------------------------------------------------------------- */

/* A child that forked a grandchild holding the pipe, both still running at
 * the deadline: the whole group is killed, the child reaped. */
START_TEST(test_timeout_kills_group)
{
	struct pu_run r;
	int bg = 0, child = 0;
	char d[128];

	prctl(PR_SET_CHILD_SUBREAPER, 1); /* the orphaned sleep comes back to us */
	ck_assert_int_eq(sh(&r, 300, "sleep 30 & echo $! $$; wait"), -ETIMEDOUT);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_int_eq(r.status, 128 + SIGKILL);
	ck_assert_int_ge(r.duration_ms, 300);
	ck_assert_int_lt(r.duration_ms, 300 + SLOW_MS);
	ck_assert_int_eq(sscanf(r.out, "%d %d", &bg, &child), 2);
	ck_assert(!pid_alive(child));
	ck_assert_int_eq(waitpid(child, NULL, WNOHANG), -1); /* reaped by pu_run */
	ck_assert(pid_dies(bg));
	waitpid(bg, NULL, 0); /* ours now, as subreaper */
	ck_assert_str_eq(pu_run_describe(&r, d, sizeof d), "timed out after 0.3 s (killed)");
}
END_TEST

/* The child exited; the grandchild it left holds stdout: the output never
 * ends, so the run times out and the grandchild is killed. */
START_TEST(test_timeout_grandchild_holds_pipe)
{
	struct pu_run r;
	int bg = 0;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	ck_assert_int_eq(sh(&r, 300, "sleep 30 & echo $!; exit 0"), -ETIMEDOUT);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_int_eq(sscanf(r.out, "%d", &bg), 1);
	ck_assert(pid_dies(bg));
	waitpid(bg, NULL, 0);
}
END_TEST

/* A child that closed its pipes and runs on is killed at the deadline. */
START_TEST(test_timeout_closed_pipes)
{
	struct pu_run r;
	int64_t t0 = (int64_t)pu_mono_ms();

	ck_assert_int_eq(sh(&r, 300, "exec >&- 2>&-; sleep 30"), -ETIMEDOUT);
	ck_assert_int_eq(r.timed_out, 1);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_int_lt((int64_t)pu_mono_ms() - t0, 300 + SLOW_MS);
}
END_TEST

START_TEST(test_duration)
{
	struct pu_run r;

	ck_assert_int_eq(sh(&r, 5000, "sleep 0.2"), 0);
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_ge(r.duration_ms, 200);
	ck_assert_int_lt(r.duration_ms, 200 + SLOW_MS);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"/bin/true", NULL}), 0);
	ck_assert_int_lt(r.duration_ms, 200);
}
END_TEST

/* ---- errors ----------------------------------------------------------------- */

START_TEST(test_missing_program)
{
	char path[] = "/tmp/hwh-plugin-run.XXXXXX";
	struct pu_run r;
	char d[256];
	int fd;

	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"/nonexistent/hwh-tool", NULL}),
			 -ENOENT);
	ck_assert_int_eq(r.status, -1);
	ck_assert_int_eq(r.timed_out, 0);
	ck_assert_str_eq(r.err, "cannot run /nonexistent/hwh-tool: No such file or directory");
	ck_assert_str_eq(pu_run_describe(&r, d, sizeof d),
			 "not run: cannot run /nonexistent/hwh-tool: No such file or directory");
	/* Not executable (mode 0600: not even for root). */
	ck_assert_int_ge(fd = mkstemp(path), 0);
	close(fd);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){path, NULL}), -EACCES);
	ck_assert_int_eq(r.status, -1);
	unlink(path);
}
END_TEST

START_TEST(test_relative_refused)
{
	struct pu_run r;
	char o[64] = "";

	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"sh", "-c", "true", NULL}), -EINVAL);
	ck_assert_str_eq(r.err, "not an absolute program path: sh");
	ck_assert_int_eq(r.status, -1);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"./true", NULL}), -EINVAL);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){"", NULL}), -EINVAL);
	ck_assert_int_eq(run(&r, 5000, (const char *const[]){NULL}), -EINVAL);
	ck_assert_str_eq(r.err, "not an absolute program path: (none)");
	/* Our own message is not the tool's stderr. */
	pu_run_output(&r, o, sizeof o);
	ck_assert_str_eq(o, "");
}
END_TEST

/* A struct reused: nothing of the last run survives a failed start. */
START_TEST(test_reset_between_runs)
{
	struct pu_run r;

	ck_assert_int_eq(sh(&r, 5000, "echo out; echo err >&2; sleep 0.1; exit 9"), 0);
	ck_assert_int_ge(r.duration_ms, 100);
	r.argv = (const char *const[]){"/nonexistent", NULL};
	ck_assert_int_eq(pu_run(&r), -ENOENT);
	ck_assert_int_eq(r.status, -1);
	ck_assert_int_eq(r.signal, 0);
	ck_assert_uint_eq(r.out_len, 0);
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(r.duration_ms, 0);
}
END_TEST

Suite *plugin_run_suite(void)
{
	Suite *s = suite_create("plugin_run");
	TCase *tc = tcase_create("status");

	tcase_add_test(tc, test_exit_zero);
	tcase_add_test(tc, test_exit_code);
	tcase_add_test(tc, test_killed_by_signal);
	tcase_add_test(tc, test_output_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("output");
	tcase_add_test(tc, test_capture_apart);
	tcase_add_test(tc, test_truncation);
	tcase_add_test(tc, test_exact_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("input");
	tcase_add_test(tc, test_stdin_text);
	tcase_add_test(tc, test_stdin_large);
	tcase_add_test(tc, test_stdin_unread);
	tcase_add_test(tc, test_stdin_devnull);
	suite_add_tcase(s, tc);

	tc = tcase_create("env");
	tcase_add_test(tc, test_env_exact);
	tcase_add_test(tc, test_env_default);
	tcase_add_test(tc, test_no_inherited_fds);
	tcase_add_test(tc, test_signals_reset);
	tcase_add_test(tc, test_own_group);
	suite_add_tcase(s, tc);

	tc = tcase_create("timeout");
	tcase_add_test(tc, test_timeout_kills_group);
	tcase_add_test(tc, test_timeout_grandchild_holds_pipe);
	tcase_add_test(tc, test_timeout_closed_pipes);
	tcase_add_test(tc, test_duration);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_missing_program);
	tcase_add_test(tc, test_relative_refused);
	tcase_add_test(tc, test_reset_between_runs);
	suite_add_tcase(s, tc);
	return s;
}
