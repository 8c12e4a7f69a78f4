/*
 * smart_run.c: running smartctl, with teeth.
 *
 * smart_run_jobs() drives up to `parallel` children from one poll(2) loop
 * on the source's own thread:
 *
 *   spawn   posix_spawn (never a shell, never a PATH search) with the
 *           argv given; its own process group (so a kill reaches whatever
 *           it started), an empty signal mask and default actions for the
 *           signals the daemon handles or ignores (SIG_IGN would otherwise
 *           survive exec), stdin /dev/null, stdout and stderr to pipes,
 *           every other descriptor closed, and an environment of PATH and
 *           LC_ALL only: the daemon's NOTIFY_SOCKET, WATCHDOG_USEC and
 *           WATCHDOG_PID must never reach a child (a child could otherwise
 *           speak to systemd in the daemon's name).
 *   loop    poll(2) on every open pipe, waking at least every
 *           SMART_WAKE_MS to check stop() and the deadlines.  stdout is
 *           kept up to SMART_JSON_MAX bytes (more kills the child: a
 *           document that large is not smartctl's), stderr's first
 *           SMART_STDERR_MAX bytes (for the error message).
 *   end     a child is done when it has exited and closed both pipes; at
 *           its deadline (or when too big, or when stopping) its process
 *           group gets SIGKILL and it is reaped.  A child that does not
 *           die within SMART_REAP_GRACE_MS (stuck in the kernel on a dying
 *           disk: SIGKILL waits for the I/O) goes to the caller's reaper,
 *           which reaps it at a later poll: no zombie is ever left, and
 *           the poll is never held hostage by one disk.
 *
 * Nothing here knows what smartctl prints: smart_outcome.c judges it.
 * To extend: a new per-child limit is a check in job_check().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "plugin_util.h"
#include "smart_internal.h"

#define OUT_CAP_INITIAL (64u << 10) /* smartctl -a --json=c: 5 to 30 KiB */
#define REAP_STEP_MS 5

/* Job states (struct smart_job.state). */
enum { JOB_PENDING = 0, JOB_RUNNING, JOB_DONE };

/* The only environment a child sees. */
static char *const child_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};

/* Signals whose disposition the daemon changes: reset to default in the
 * child (SIGPIPE is ignored by the daemon, and an ignored signal stays
 * ignored across exec). */
static const int child_sigdef[] = {SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2, SIGALRM};

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* ---- the reaper ----------------------------------------------------------------- */

static void reaper_add(struct smart_reaper *r, pid_t pid)
{
	if (r == NULL)
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 4;
		pid_t *np = realloc(r->pids, cap * sizeof *np);

		if (np == NULL)
			return; /* out of memory: this one may stay a zombie */
		r->pids = np;
		r->cap = cap;
	}
	r->pids[r->n++] = pid;
}

size_t smart_reaper_reap(struct smart_reaper *r, uint64_t wait_ms)
{
	uint64_t until = pu_mono_ms() + wait_ms;

	for (;;) {
		for (size_t i = 0; i < r->n;) {
			pid_t w = waitpid(r->pids[i], NULL, WNOHANG);

			/* reaped, or not ours any more (ECHILD): drop it */
			if (w == r->pids[i] || (w < 0 && errno != EINTR))
				r->pids[i] = r->pids[--r->n];
			else
				i++;
		}
		if (r->n == 0 || pu_mono_ms() >= until)
			return r->n;
		sleep_ms(REAP_STEP_MS);
	}
}

void smart_reaper_free(struct smart_reaper *r)
{
	free(r->pids);
	memset(r, 0, sizeof *r);
}

/* ---- one child ------------------------------------------------------------------- */

static void job_record_status(struct smart_job *j, int status)
{
	if (WIFEXITED(status)) {
		j->res.exited = true;
		j->res.exit_code = WEXITSTATUS(status);
	} else if (WIFSIGNALED(status)) {
		j->res.signal = WTERMSIG(status);
	}
}

static void job_finish(struct smart_job *j, uint64_t start_ms)
{
	close_fd(&j->fd_out);
	close_fd(&j->fd_err);
	j->res.ms = pu_mono_ms() - start_ms;
	j->state = JOB_DONE;
}

/* SIGKILL the child's process group, then reap it within the grace time
 * or hand it to the reaper. */
static void job_kill(struct smart_job *j, struct smart_reaper *reaper)
{
	uint64_t until = pu_mono_ms() + SMART_REAP_GRACE_MS;
	int status;

	if (j->pid <= 0)
		return;
	kill(-j->pid, SIGKILL);
	for (;;) {
		pid_t w = waitpid(j->pid, &status, WNOHANG);

		if (w == j->pid) {
			job_record_status(j, status);
			break;
		}
		if ((w < 0 && errno != EINTR) || pu_mono_ms() >= until) {
			if (w == 0)
				reaper_add(reaper, j->pid);
			break;
		}
		sleep_ms(REAP_STEP_MS);
	}
	j->pid = 0;
}

/* Spawn job j.  0, or an errno (recorded in j->res.spawn_err, and j is
 * done) when it could not be started. */
static int job_spawn(struct smart_job *j, uint64_t timeout_ms)
{
	int out[2] = {-1, -1}, err[2] = {-1, -1}, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, def;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		rc = errno;
		goto fail;
	}
	sigemptyset(&none);
	sigemptyset(&def);
	for (size_t i = 0; i < sizeof child_sigdef / sizeof child_sigdef[0]; i++)
		sigaddset(&def, child_sigdef[i]);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		goto fail;
	if ((rc = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto fail;
	}
	if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, err[1], 2)) == 0 &&
	    (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) == 0 &&
	    (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						    POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&at, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&at, &def)) == 0)
		rc = posix_spawn(&j->pid, j->argv[0], &fa, &at, j->argv, child_env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		goto fail;
	close_fd(&out[1]);
	close_fd(&err[1]);
	/* Non-blocking on our side only: the child writes as it likes. */
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK);
	j->fd_out = out[0];
	j->fd_err = err[0];
	j->deadline_ms = pu_mono_ms() + timeout_ms;
	j->state = JOB_RUNNING;
	return 0;
fail:
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	j->pid = 0;
	j->res.spawn_err = rc;
	j->state = JOB_DONE;
	return rc;
}

/* Read what stdout holds.  Returns -1 when it grew beyond SMART_JSON_MAX. */
static int job_read_out(struct smart_job *j)
{
	for (;;) {
		ssize_t n;

		if (j->res.out_len == j->out_cap) {
			size_t cap = j->out_cap ? 2 * j->out_cap : OUT_CAP_INITIAL;
			char *nb;

			if (j->out_cap > SMART_JSON_MAX)
				return -1;
			if (cap > SMART_JSON_MAX + 1)
				cap = SMART_JSON_MAX + 1; /* one byte more shows "too big" */
			if ((nb = realloc(j->res.out, cap + 1)) == NULL)
				return -1;
			j->res.out = nb;
			j->out_cap = cap;
		}
		n = read(j->fd_out, j->res.out + j->res.out_len, j->out_cap - j->res.out_len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				close_fd(&j->fd_out);
			break;
		}
		j->res.out_len += (size_t)n;
		j->res.out[j->res.out_len] = '\0';
		if (j->res.out_len > SMART_JSON_MAX)
			return -1;
	}
	return 0;
}

/* Read stderr, keeping its start. */
static void job_read_err(struct smart_job *j)
{
	char sink[4096];

	for (;;) {
		size_t room = SMART_STDERR_MAX - 1 - j->err_len;
		char *dst = room > 0 ? j->res.err + j->err_len : sink;
		ssize_t n = read(j->fd_err, dst, room > 0 ? room : sizeof sink);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				close_fd(&j->fd_err);
			return;
		}
		if (room > 0) {
			j->err_len += (size_t)n;
			j->res.err[j->err_len] = '\0';
		}
	}
}

/* After reading: is j done, or due for a kill?  Returns 1 when it is no
 * longer running. */
static int job_check(struct smart_job *j, uint64_t now, uint64_t start, bool too_big,
		     struct smart_reaper *reaper)
{
	int status;

	if (j->pid > 0) {
		pid_t w = waitpid(j->pid, &status, WNOHANG);

		if (w == j->pid) {
			job_record_status(j, status);
			j->pid = 0;
		}
	}
	if (too_big) {
		j->res.too_big = true;
	} else if (j->pid == 0 && j->fd_out < 0 && j->fd_err < 0) {
		job_finish(j, start);
		return 1;
	} else if (now < j->deadline_ms) {
		return 0;
	} else {
		j->res.timed_out = true; /* or a grandchild kept the pipes open */
	}
	/* A child already reaped whose group still held the pipes was killed
	 * by kill_group_if_held(); the pipes close here either way. */
	if (j->pid > 0)
		job_kill(j, reaper);
	job_finish(j, start);
	return 1;
}

/* ---- the loop --------------------------------------------------------------------- */

/* Per running job: its pgid (= its first pid) and start, kept apart from
 * the job because job->pid turns 0 once it is reaped. */
struct slot {
	struct smart_job *job;
	pid_t pgid;
	uint64_t start_ms;
};

static void kill_group_if_held(struct slot *s)
{
	/* The child is gone but something in its group holds the pipes. */
	if (s->job->pid == 0 && (s->job->fd_out >= 0 || s->job->fd_err >= 0))
		kill(-s->pgid, SIGKILL);
}

static void stop_all(struct slot *slots, size_t nslots, struct smart_job *jobs, size_t n,
		     struct smart_reaper *reaper)
{
	for (size_t i = 0; i < nslots; i++) {
		if (slots[i].job == NULL)
			continue;
		kill_group_if_held(&slots[i]);
		slots[i].job->res.stopped = true;
		job_kill(slots[i].job, reaper);
		job_finish(slots[i].job, slots[i].start_ms);
		slots[i].job = NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].state == JOB_PENDING) {
			jobs[i].res.stopped = true;
			jobs[i].state = JOB_DONE;
		}
	}
}

/* Fill free slots with pending jobs.  Returns how many slots are busy. */
static size_t fill_slots(struct slot *slots, unsigned parallel, struct smart_job *jobs, size_t n,
			 size_t *next, uint64_t timeout_ms)
{
	size_t busy = 0;

	for (unsigned s = 0; s < parallel; s++) {
		while (slots[s].job == NULL && *next < n) {
			struct smart_job *j = &jobs[(*next)++];

			if (job_spawn(j, timeout_ms) == 0)
				slots[s] = (struct slot){j, j->pid, pu_mono_ms()};
		}
		busy += slots[s].job != NULL;
	}
	return busy;
}

/* The poll(2) timeout: SMART_WAKE_MS, or less to meet a deadline. */
static int wait_ms(const struct slot *slots, unsigned parallel, uint64_t now)
{
	uint64_t w = SMART_WAKE_MS;

	for (unsigned s = 0; s < parallel; s++) {
		if (slots[s].job == NULL)
			continue;
		if (slots[s].job->deadline_ms <= now)
			return 0;
		if (slots[s].job->deadline_ms - now < w)
			w = slots[s].job->deadline_ms - now;
		if (slots[s].job->fd_out < 0 && slots[s].job->fd_err < 0)
			w = w < REAP_STEP_MS ? w : REAP_STEP_MS; /* pipes shut: exit is near */
	}
	return (int)w;
}

/* Read every ready pipe, then settle each slot's job. */
static void service(struct slot *slots, unsigned parallel, struct pollfd *pfd, size_t npfd,
		    struct smart_reaper *reaper)
{
	uint64_t now = pu_mono_ms();

	for (unsigned s = 0; s < parallel; s++) {
		struct smart_job *j = slots[s].job;
		bool too_big = false;

		if (j == NULL)
			continue;
		for (size_t k = 0; k < npfd; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (pfd[k].fd == j->fd_out && job_read_out(j) < 0)
				too_big = true;
			else if (pfd[k].fd == j->fd_err)
				job_read_err(j);
		}
		if (now >= j->deadline_ms || too_big)
			kill_group_if_held(&slots[s]);
		if (job_check(j, now, slots[s].start_ms, too_big, reaper))
			slots[s].job = NULL;
	}
}

int smart_run_jobs(struct smart_job *jobs, size_t n, unsigned parallel, uint64_t timeout_ms,
		   smart_stop_fn stop, void *arg, struct smart_reaper *reaper)
{
	struct slot slots[SMART_PARALLEL_MAX];
	struct pollfd pfd[2 * SMART_PARALLEL_MAX];
	size_t next = 0;
	int rc = 0;

	if (parallel < 1)
		parallel = 1;
	if (parallel > SMART_PARALLEL_MAX)
		parallel = SMART_PARALLEL_MAX;
	memset(slots, 0, sizeof slots);
	for (size_t i = 0; i < n; i++) {
		memset(&jobs[i].res, 0, sizeof jobs[i].res);
		jobs[i].pid = 0;
		jobs[i].fd_out = jobs[i].fd_err = -1;
		jobs[i].out_cap = jobs[i].err_len = 0;
		jobs[i].state = JOB_PENDING;
	}
	for (;;) {
		size_t npfd = 0;

		if (stop != NULL && stop(arg)) {
			stop_all(slots, parallel, jobs, n, reaper);
			break;
		}
		if (fill_slots(slots, parallel, jobs, n, &next, timeout_ms) == 0)
			break;
		for (unsigned s = 0; s < parallel; s++) {
			struct smart_job *j = slots[s].job;

			if (j != NULL && j->fd_out >= 0)
				pfd[npfd++] = (struct pollfd){j->fd_out, POLLIN, 0};
			if (j != NULL && j->fd_err >= 0)
				pfd[npfd++] = (struct pollfd){j->fd_err, POLLIN, 0};
		}
		if (poll(pfd, npfd, wait_ms(slots, parallel, pu_mono_ms())) < 0 && errno != EINTR) {
			rc = -errno;
			stop_all(slots, parallel, jobs, n, reaper);
			break;
		}
		service(slots, parallel, pfd, npfd, reaper);
	}
	return rc;
}

void smart_jobs_free(struct smart_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].res.out);
		jobs[i].res.out = NULL;
		jobs[i].res.out_len = 0;
	}
}
