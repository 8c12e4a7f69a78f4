/*
 * cpuof: CPU time for bench/sensors_bench.sh, where the shell has no precise
 * way to get it.
 *
 *   cpuof pid PID           CPU time of process PID so far, in ms, from its
 *                           CPU-time clock (clock_getcpuclockid: nanosecond
 *                           resolution, unlike the 10 ms ticks of /proc/PID/stat)
 *   cpuof run [-i MS] [-x STATUS] N CMD [ARG]
 *                           run CMD N times one after the other (MS ms apart
 *                           with -i), output to /dev/null, and print the CPU per
 *                           run in ms: the children's (RUSAGE_CHILDREN) plus our
 *                           own spawn cost
 *
 * Exits 1 on any error, including a run of CMD that does not exit with
 * STATUS (default 0; smartctl on a device that does not answer exits 2).
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int want_status; /* -x: the exit status every run must have */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static double tv_ms(const struct timeval *tv)
{
	return tv->tv_sec * 1e3 + tv->tv_usec / 1e3;
}

static double rusage_ms(int who)
{
	struct rusage ru;

	if (getrusage(who, &ru) == -1) {
		perror("cpuof: getrusage");
		exit(1);
	}
	return tv_ms(&ru.ru_utime) + tv_ms(&ru.ru_stime);
}

static int cpu_of_pid(const char *arg)
{
	struct timespec ts;
	clockid_t clk;
	char *end;
	long pid;
	int err;

	pid = strtol(arg, &end, 10);
	if (*end != '\0' || pid <= 0) {
		fprintf(stderr, "cpuof: bad pid %s\n", arg);
		return 1;
	}
	if ((err = clock_getcpuclockid((pid_t)pid, &clk)) != 0) {
		fprintf(stderr, "cpuof: pid %ld: %s\n", pid, strerror(err));
		return 1;
	}
	if (clock_gettime(clk, &ts) == -1) {
		fprintf(stderr, "cpuof: pid %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("%.3f\n", ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
	return 0;
}

/* Run argv once, quietly; 0 if it exited with want_status. */
static int run_once(char **argv)
{
	posix_spawn_file_actions_t fa;
	int rc, status;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "cpuof: %s: %s\n", argv[0], strerror(rc));
		return -1;
	}
	while (waitpid(pid, &status, 0) == -1) {
		if (errno != EINTR) {
			perror("cpuof: waitpid");
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != want_status) {
		fprintf(stderr, "cpuof: %s failed (status 0x%x)\n", argv[0], status);
		return -1;
	}
	return 0;
}

static int cpu_of_runs(const char *narg, long interval_ms, char **argv)
{
	double self0, child0;
	char *end;
	long n;

	n = strtol(narg, &end, 10);
	if (*end != '\0' || n <= 0) {
		fprintf(stderr, "cpuof: bad count %s\n", narg);
		return 1;
	}
	self0 = rusage_ms(RUSAGE_SELF);
	child0 = rusage_ms(RUSAGE_CHILDREN);
	for (long i = 0; i < n; i++) {
		if (interval_ms > 0)
			sleep_ms(interval_ms);
		if (run_once(argv) == -1)
			return 1;
	}
	printf("%.3f\n",
	       (rusage_ms(RUSAGE_SELF) - self0 + rusage_ms(RUSAGE_CHILDREN) - child0) / (double)n);
	return 0;
}

int main(int argc, char **argv)
{
	long interval_ms = 0;
	char *end;
	int a = 2; /* first argument after "run" */

	if (argc == 3 && strcmp(argv[1], "pid") == 0)
		return cpu_of_pid(argv[2]);
	if (argc < 4 || strcmp(argv[1], "run") != 0)
		goto usage;
	while (argc - a >= 2 && (strcmp(argv[a], "-i") == 0 || strcmp(argv[a], "-x") == 0)) {
		long v = strtol(argv[a + 1], &end, 10);
		if (*end != '\0' || v < 0 || (argv[a][1] == 'x' && v > 255))
			goto usage;
		if (argv[a][1] == 'i')
			interval_ms = v;
		else
			want_status = (int)v;
		a += 2;
	}
	if (argc - a < 2)
		goto usage;
	return cpu_of_runs(argv[a], interval_ms, argv + a + 1);
usage:
	fprintf(stderr, "usage: cpuof pid PID | cpuof run [-i MS] [-x STATUS] N CMD [ARG...]\n");
	return 2;
}
