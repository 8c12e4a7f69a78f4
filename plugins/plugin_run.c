/*
 * plugin_run: run one tool with a time limit and its output captured.  See
 * plugin_run.h.
 */
#include "plugin_run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const default_env[] = {PU_RUN_DEFAULT_PATH, "LC_ALL=C", NULL};

/* Signals a child gets back at their default action. */
static const int child_sigdef[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGCHLD};

/* Poll step while waiting for a child that closed its pipes. */
#define REAP_STEP_MS 5

struct run_io {
	int fd[3]; /* stdin (ours: write end), stdout, stderr (ours: read ends) */
	size_t in_off;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int spawn_actions(posix_spawn_file_actions_t *fa, posix_spawnattr_t *at, const int in[2],
			 const int out[2], const int err[2])
{
	sigset_t none, def;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < sizeof child_sigdef / sizeof child_sigdef[0]; i++)
		sigaddset(&def, child_sigdef[i]);
	if (in[0] >= 0)
		rc = posix_spawn_file_actions_adddup2(fa, in[0], 0);
	else
		rc = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, out[1], 1);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(fa, err[1], 2);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(fa, 3);
	if (rc == 0)
		rc = posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						      POSIX_SPAWN_SETSIGDEF);
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(at, 0);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(at, &none);
	if (rc == 0)
		rc = posix_spawnattr_setsigdefault(at, &def);
	return rc;
}

/* Spawn r->argv with pipes.  0 with *pid and io set, or an errno. */
static int run_spawn(struct pu_run *r, pid_t *pid, struct run_io *io)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	const char *const *env = r->envp ? r->envp : default_env;

	if ((r->input != NULL && pipe2(in, O_CLOEXEC) < 0) || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(err, O_CLOEXEC) < 0) {
		rc = errno;
		goto out;
	}
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto out;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto out;
	}
	rc = spawn_actions(&fa, &at, in, out, err);
	if (rc == 0)
		rc = posix_spawn(pid, r->argv[0], &fa, &at, (char *const *)r->argv,
				 (char *const *)env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc == 0) {
		io->fd[0] = in[1];
		io->fd[1] = out[0];
		io->fd[2] = err[0];
		in[1] = out[0] = err[0] = -1;
		for (int i = 0; i < 3; i++)
			if (io->fd[i] >= 0)
				fcntl(io->fd[i], F_SETFL, fcntl(io->fd[i], F_GETFL) | O_NONBLOCK);
	}
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	return rc;
}

/* Where stdout goes: the caller's out_buf when it gave one, else out[]. */
static char *run_out(struct pu_run *r)
{
	return r->out_buf != NULL && r->out_cap >= 2 ? r->out_buf : r->out;
}

static size_t run_out_cap(const struct pu_run *r)
{
	return r->out_buf != NULL && r->out_cap >= 2 ? r->out_cap : sizeof r->out;
}

/* Read what fd holds into buf (keeping at most cap - 1 bytes). */
static void drain_fd(int *fd, char *buf, size_t cap, size_t *len, int *truncated)
{
	char sink[1024];

	for (;;) {
		size_t room = cap - 1 - *len;
		ssize_t n = read(*fd, room ? buf + *len : sink, room ? room : sizeof sink);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				close_fd(fd);
			return;
		}
		if (room) {
			*len += (size_t)n;
			buf[*len] = '\0';
		} else {
			*truncated = 1;
		}
	}
}

/*
 * write() that cannot kill the caller with SIGPIPE when the child exits
 * without reading its input: SIGPIPE is blocked in this thread for the
 * write, and one it raised is taken back with sigtimedwait() (unless one
 * was pending already: that one is not ours).  The daemon ignores SIGPIPE,
 * but pu_run() must not depend on its host (actlib, a test runner).
 */
static ssize_t write_nosigpipe(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old, pending;
	int was_pending, saved;
	ssize_t n;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n < 0 && saved == EPIPE && !was_pending)
		sigtimedwait(&pipe_set, NULL, &(struct timespec){0, 0});
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

static void feed_input(struct pu_run *r, struct run_io *io)
{
	size_t len = strlen(r->input);

	while (io->in_off < len) {
		ssize_t n = write_nosigpipe(io->fd[0], r->input + io->in_off, len - io->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				close_fd(&io->fd[0]);
			return;
		}
		io->in_off += (size_t)n;
	}
	close_fd(&io->fd[0]);
}

static void record_status(struct pu_run *r, int status)
{
	if (WIFEXITED(status)) {
		r->status = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		r->status = 128 + WTERMSIG(status);
		r->signal = WTERMSIG(status);
	}
}

/* A wait in poll()'s int milliseconds (a timeout of weeks must not wrap). */
static int poll_ms(uint64_t left)
{
	return left > INT_MAX ? INT_MAX : (int)left;
}

/* Wait for the pipes to close or the deadline.  1 when the deadline came. */
static int pump(struct pu_run *r, struct run_io *io, uint64_t deadline)
{
	while (io->fd[0] >= 0 || io->fd[1] >= 0 || io->fd[2] >= 0) {
		struct pollfd p[3];
		uint64_t now = pu_mono_ms();
		int n;

		if (r->timeout_ms > 0 && now >= deadline)
			return 1;
		for (int i = 0; i < 3; i++)
			p[i] = (struct pollfd){.fd = io->fd[i], .events = i ? POLLIN : POLLOUT};
		n = poll(p, 3, r->timeout_ms > 0 ? poll_ms(deadline - now) : -1);
		if (n < 0 && errno != EINTR)
			return 1;
		if (io->fd[0] >= 0 && p[0].revents)
			feed_input(r, io);
		if (io->fd[1] >= 0 && p[1].revents)
			drain_fd(&io->fd[1], run_out(r), run_out_cap(r), &r->out_len,
				 &r->truncated);
		if (io->fd[2] >= 0 && p[2].revents)
			drain_fd(&io->fd[2], r->err, sizeof r->err, &r->err_len, &r->truncated);
	}
	return 0;
}

/* The pipes are closed: wait for the child itself until the deadline. */
static int reap(struct pu_run *r, pid_t pid, uint64_t deadline)
{
	for (;;) {
		int status;
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			record_status(r, status);
			return 0;
		}
		if (w < 0 && errno != EINTR)
			return 0;
		if (r->timeout_ms > 0 && pu_mono_ms() >= deadline)
			return 1;
		nanosleep(&(struct timespec){0, REAP_STEP_MS * 1000000L}, NULL);
	}
}

static void kill_and_reap(struct pu_run *r, pid_t pid)
{
	int status;
	pid_t w;

	kill(-pid, SIGKILL);
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (w == pid)
		record_status(r, status);
}

int pu_run(struct pu_run *r)
{
	struct run_io io = {.fd = {-1, -1, -1}};
	uint64_t start = pu_mono_ms(), deadline = start + (uint64_t)r->timeout_ms;
	pid_t pid;
	int rc, late;

	r->status = -1;
	r->signal = 0;
	r->timed_out = 0;
	r->duration_ms = 0;
	r->out_len = r->err_len = 0;
	r->truncated = 0;
	r->out[0] = r->err[0] = '\0';
	run_out(r)[0] = '\0';
	if (r->argv == NULL || r->argv[0] == NULL || r->argv[0][0] != '/') {
		snprintf(r->err, sizeof r->err, "not an absolute program path: %s",
			 r->argv && r->argv[0] ? r->argv[0] : "(none)");
		r->err_len = strlen(r->err);
		return -EINVAL;
	}
	if ((rc = run_spawn(r, &pid, &io)) != 0) {
		snprintf(r->err, sizeof r->err, "cannot run %s: %s", r->argv[0], strerror(rc));
		r->err_len = strlen(r->err);
		return -rc;
	}
	late = pump(r, &io, deadline);
	if (!late)
		late = reap(r, pid, deadline);
	if (late) {
		kill_and_reap(r, pid);
		r->timed_out = 1;
	}
	for (int i = 0; i < 3; i++)
		close_fd(&io.fd[i]);
	r->duration_ms = (int64_t)(pu_mono_ms() - start);
	return late ? -ETIMEDOUT : 0;
}

const char *pu_run_describe(const struct pu_run *r, char *buf, size_t len)
{
	if (r->timed_out)
		snprintf(buf, len, "timed out after %.1f s (killed)",
			 (double)r->timeout_ms / 1000.0);
	else if (r->status < 0)
		snprintf(buf, len, "not run: %s", r->err);
	else if (r->signal > 0)
		snprintf(buf, len, "killed by signal %d after %lld ms", r->signal,
			 (long long)r->duration_ms);
	else
		snprintf(buf, len, "exit %d in %lld ms", r->status, (long long)r->duration_ms);
	return buf;
}

void pu_run_output(const struct pu_run *r, char *dst, size_t len)
{
	size_t used = strnlen(dst, len);

	if (r->out_len > 0 && used < len)
		used +=
		    (size_t)snprintf(dst + used, len - used, "%sstdout:\n%s", used ? "\n" : "",
				     r->out_buf != NULL && r->out_cap >= 2 ? r->out_buf : r->out);
	if (r->err_len > 0 && r->status >= 0 && used < len)
		snprintf(dst + used, len - used, "%sstderr:\n%s", used ? "\n" : "", r->err);
}
