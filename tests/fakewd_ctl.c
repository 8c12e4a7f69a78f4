/*
 * fakewd_ctl: see fakewd_ctl.h.
 */
#include "fakewd_ctl.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAKEWD_BIN HWH_BUILD_DIR "/tests/fakewd"
#define MAX_ARGS 16
#define MAX_FAKES 4 /* per test process, for the atexit hook */

extern char **environ;

static struct fakewd *running[MAX_FAKES];

/* ---- process and mount -------------------------------------------------- */

/* A private mount namespace for this test process and its children. */
static void enter_namespace(void)
{
	static int entered;
	const char *fork_env = getenv("CK_FORK");

	if (entered)
		return;
	if (geteuid() != 0)
		ck_abort_msg("the watchdog tests need root: they mount a FUSE file in a "
			     "private mount namespace");
	if (fork_env != NULL && strcmp(fork_env, "no") == 0)
		ck_abort_msg("the watchdog tests need check's fork mode (unset CK_FORK=no): "
			     "the FUSE mount must die with the test process");
	if (access("/dev/fuse", R_OK | W_OK) != 0)
		ck_abort_msg("/dev/fuse: %s (the fake watchdog is a FUSE file)", strerror(errno));
	if (unshare(CLONE_NEWNS) == -1)
		ck_abort_msg("unshare(CLONE_NEWNS): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		ck_abort_msg("make / private: %s", strerror(errno));
	entered = 1;
}

/* Is path a mount point in this namespace? */
static bool is_mounted(const char *path)
{
	char *mi = read_file_str("/proc/self/mountinfo"), needle[TL_PATH_MAX + 2];
	bool found;

	if (mi == NULL)
		return false;
	snprintf(needle, sizeof needle, " %s ", path);
	found = strstr(mi, needle) != NULL;
	free(mi);
	return found;
}

static void forget(struct fakewd *f)
{
	for (int i = 0; i < MAX_FAKES; i++)
		if (running[i] == f)
			running[i] = NULL;
}

/* A failed assertion exit()s the test process without its teardown. */
static void stop_all(void)
{
	for (int i = 0; i < MAX_FAKES; i++)
		if (running[i] != NULL)
			fakewd_stop(running[i]);
}

static void remember(struct fakewd *f)
{
	static int hooked;

	if (!hooked && atexit(stop_all) == 0)
		hooked = 1;
	for (int i = 0; i < MAX_FAKES; i++)
		if (running[i] == NULL) {
			running[i] = f;
			return;
		}
}

/* Wait for pid up to ms; true if it was reaped. */
static bool reap(pid_t pid, int ms)
{
	int64_t end = tl_mono_ms() + ms;
	int status;

	do {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		usleep(10 * 1000);
	} while (tl_mono_ms() < end);
	return false;
}

void fakewd_stop(struct fakewd *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		if (!reap(f->pid, FAKEWD_STOP_TIMEOUT_MS)) {
			kill(f->pid, SIGKILL);
			reap(f->pid, FAKEWD_STOP_TIMEOUT_MS);
		}
		f->pid = 0;
	}
	/* fakewd unmounts on SIGTERM; after a SIGKILL the mount is left. */
	if (f->mnt[0] != '\0' && is_mounted(f->mnt) && umount2(f->mnt, MNT_DETACH) == -1)
		fprintf(stderr, "fakewd_stop: umount %s: %s\n", f->mnt, strerror(errno));
	forget(f);
}

/* ---- start ---------------------------------------------------------------- */

static bool ready(void *arg)
{
	const struct fakewd *f = arg;
	struct stat st;

	return fakewd_count(f, "ready", 0) > 0 && stat(f->dev, &st) == 0 && S_ISREG(st.st_mode);
}

static pid_t spawn(struct fakewd *f, const char *const *argv)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		ck_abort_msg("posix_spawn_file_actions_init failed");
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, f->err, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		ck_abort_msg("cannot run %s: %s (make %s)", argv[0], strerror(rc), argv[0]);
	return pid;
}

void fakewd_start(struct fakewd *f, const char *dir, ...)
{
	const char *argv[MAX_ARGS + 4], *a;
	int n = 0;
	va_list ap;

	enter_namespace();
	memset(f, 0, sizeof *f);
	snprintf(f->mnt, sizeof f->mnt, "%s/wd", dir);
	snprintf(f->dev, sizeof f->dev, "%s/watchdog", f->mnt);
	snprintf(f->log, sizeof f->log, "%s/fakewd.log", dir);
	snprintf(f->err, sizeof f->err, "%s/fakewd.err", dir);
	if (mkdir(f->mnt, 0755) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", f->mnt, strerror(errno));
	argv[n++] = FAKEWD_BIN;
	argv[n++] = f->mnt;
	argv[n++] = f->log;
	va_start(ap, dir);
	while ((a = va_arg(ap, const char *)) != NULL && n < MAX_ARGS + 3)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	f->pid = spawn(f, argv);
	remember(f);
	if (!wait_until(ready, f, FAKEWD_START_TIMEOUT_MS)) {
		char *err = read_file_str(f->err);
		fakewd_stop(f);
		ck_abort_msg("fakewd did not come up on %s: %s", f->mnt, err ? err : "");
	}
}

/* ---- the log -------------------------------------------------------------- */

char *fakewd_log(const struct fakewd *f)
{
	char *s = read_file_str(f->log);

	return s != NULL ? s : strdup("");
}

/* Count the lines of event at or after since_ms; *last (if not NULL) gets
 * the time of the last one. */
static int scan(const struct fakewd *f, const char *event, int64_t since_ms, int64_t *last)
{
	char *log = fakewd_log(f), *line, *save = NULL, *rest;
	size_t n = strlen(event);
	int count = 0;

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long t = strtoll(line, &rest, 10);

		if (*rest++ != ' ' || strncmp(rest, event, n) != 0 ||
		    (rest[n] != '\0' && rest[n] != ' ') || t < since_ms)
			continue;
		count++;
		if (last != NULL)
			*last = t;
	}
	free(log);
	return count;
}

int fakewd_count(const struct fakewd *f, const char *event, int64_t since_ms)
{
	return scan(f, event, since_ms, NULL);
}

int64_t fakewd_last(const struct fakewd *f, const char *event)
{
	int64_t t = -1;

	scan(f, event, 0, &t);
	return t;
}

struct wait_arg {
	const struct fakewd *f;
	const char *event;
	int n;
};

static bool has_n(void *arg)
{
	const struct wait_arg *w = arg;

	return fakewd_count(w->f, w->event, 0) >= w->n;
}

bool fakewd_wait(const struct fakewd *f, const char *event, int n, int timeout_ms)
{
	struct wait_arg w = {f, event, n};

	return wait_until(has_n, &w, timeout_ms);
}
