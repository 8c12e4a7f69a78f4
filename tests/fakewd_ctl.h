/*
 * fakewd_ctl: start, read and stop build/tests/fakewd (tests/fakewd.c), the
 * FUSE file that plays a hardware watchdog in the watchdog plugin's tests.
 *
 * fakewd_start() enters a private mount namespace first (once per test
 * process), so the FUSE mount lives only there: if a test fails or times
 * out, check kills the test's process group (fakewd and the daemon with
 * it), the namespace dies and the mount with it.  A normal end goes through
 * fakewd_stop() (teardown, and an atexit() hook for a test that failed in
 * an assertion): SIGTERM, wait, SIGKILL if needed, then unmount whatever is
 * left.  Needs root (FUSE mount, namespace) and check's fork mode.
 *
 * The fake's log has one line per event, "MONO_MS EVENT [details]"; the
 * timestamps are CLOCK_MONOTONIC milliseconds, the clock of tl_mono_ms(),
 * so a test can count the events after a moment of its own.
 */
#ifndef HWH_FAKEWD_CTL_H
#define HWH_FAKEWD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "testlib.h"

#define FAKEWD_START_TIMEOUT_MS 5000 /* mount answering by then */
#define FAKEWD_STOP_TIMEOUT_MS 5000  /* exit by then, else SIGKILL */

/* One fake watchdog. */
struct fakewd {
	pid_t pid;	       /* 0 when not running */
	char mnt[TL_PATH_MAX]; /* DIR/wd, the mount point */
	char dev[TL_PATH_MAX]; /* DIR/wd/watchdog, the device */
	char log[TL_PATH_MAX]; /* DIR/fakewd.log */
	char err[TL_PATH_MAX]; /* DIR/fakewd.err, its stderr */
};

/*
 * Start fakewd on dir/wd with the extra arguments (NULL-terminated, e.g.
 * "--bootstatus", "32", NULL) and wait until the device answers.  Aborts the
 * test (quoting fakewd's stderr) when it cannot.
 */
void fakewd_start(struct fakewd *f, const char *dir, ...) __attribute__((sentinel));
/* Stop it and make sure the mount is gone.  Safe to call twice. */
void fakewd_stop(struct fakewd *f);
/* The log, malloc'd (never NULL). */
char *fakewd_log(const struct fakewd *f);
/* Lines of event (a prefix of words: "release armed", "keepalive") with a
 * timestamp at or after since_ms (0: all). */
int fakewd_count(const struct fakewd *f, const char *event, int64_t since_ms);
/* Timestamp of the last such line, or -1. */
int64_t fakewd_last(const struct fakewd *f, const char *event);
/* Wait until at least n such lines are logged; whether they were. */
bool fakewd_wait(const struct fakewd *f, const char *event, int n, int timeout_ms);

#endif
