/*
 * sensors_req: what one `sensors` request costs, for bench/sensors_req_bench.sh.
 *
 *   sensors_req N PACE_MS SOCKET PID [SOCKET PID ...]
 *
 * Sends {"cmd":"sensors"} N times to each daemon (at SOCKET, process PID),
 * one connection each, taking the daemons in turn, PACE_MS apart, and
 * reads each reply to its newline.  Taking them in turn puts two builds
 * under the same background load, so their figures compare even on a busy
 * machine.  For each request: the wall time from send to the end of the
 * reply, and the daemon's CPU time over it (its CPU-time clock,
 * clock_getcpuclockid: every thread, so a poll that happens to run
 * meanwhile counts too; the median leaves those out).  Prints one line per
 * daemon, in argument order:
 *   K wall_ms_median W wall_ms_p90 W cpu_ms_median C cpu_ms_p90 C
 *     reply_bytes B metrics M trends T
 * (metrics: ids in its last reply; trends: non-null "trend" objects in it).
 * Exits 1 on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double clock_ms(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) == -1) {
		perror("sensors_req: clock_gettime");
		exit(1);
	}
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of v[0..n), sorting v. */
static double quantile(double *v, long n, double q)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[(long)(q * (double)(n - 1) + 0.5)];
}

static long count(const char *s, const char *needle)
{
	long n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Read one reply (to its '\n') into *buf (grown as needed); its length. */
static size_t read_reply(int fd, char **buf, size_t *cap)
{
	size_t len = 0;

	for (;;) {
		ssize_t r;

		if (len + 65536 > *cap) {
			char *nb = realloc(*buf, *cap * 2);
			if (nb == NULL) {
				fprintf(stderr, "sensors_req: out of memory\n");
				exit(1);
			}
			*buf = nb;
			*cap *= 2;
		}
		r = read(fd, *buf + len, *cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "sensors_req: %s\n", r < 0 ? strerror(errno) : "closed");
			exit(1);
		}
		len += (size_t)r;
		if ((*buf)[len - 1] == '\n') {
			(*buf)[len] = '\0';
			return len;
		}
	}
}

/* One daemon under test. */
struct target {
	int fd;
	clockid_t clk;
	double *wall, *cpu;
	char *buf;
	size_t cap, len;
};

static int target_open(struct target *t, const char *sock, const char *pid, long n)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	t->cap = 1 << 20;
	t->buf = malloc(t->cap);
	t->wall = calloc((size_t)n, sizeof *t->wall);
	t->cpu = calloc((size_t)n, sizeof *t->cpu);
	if (t->buf == NULL || t->wall == NULL || t->cpu == NULL) {
		fprintf(stderr, "sensors_req: out of memory\n");
		return -1;
	}
	if (clock_getcpuclockid((pid_t)strtol(pid, NULL, 10), &t->clk) != 0) {
		fprintf(stderr, "sensors_req: no process %s\n", pid);
		return -1;
	}
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock);
	t->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		fprintf(stderr, "sensors_req: %s: %s\n", sock, strerror(errno));
		return -1;
	}
	return 0;
}

/* Request i of t. */
static int target_ask(struct target *t, long i)
{
	static const char req[] = "{\"cmd\":\"sensors\"}\n";
	double c0 = clock_ms(t->clk), t0 = clock_ms(CLOCK_MONOTONIC);

	if (write(t->fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) {
		perror("sensors_req: write");
		return -1;
	}
	t->len = read_reply(t->fd, &t->buf, &t->cap);
	t->wall[i] = clock_ms(CLOCK_MONOTONIC) - t0;
	t->cpu[i] = clock_ms(t->clk) - c0;
	if (strncmp(t->buf, "{\"ok\":true", 10) != 0) {
		fprintf(stderr, "sensors_req: %.200s\n", t->buf);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct target t[8];
	struct timespec pace;
	long n, pace_ms;
	int nt = (argc - 3) / 2;

	if (argc < 5 || (argc - 3) % 2 != 0 || nt > 8) {
		fprintf(stderr,
			"usage: sensors_req N PACE_MS SOCKET PID [SOCKET PID ...] (at most 8)\n");
		return 1;
	}
	n = strtol(argv[1], NULL, 10);
	pace_ms = strtol(argv[2], NULL, 10);
	if (n <= 0 || pace_ms < 0) {
		fprintf(stderr, "sensors_req: bad count or pace\n");
		return 1;
	}
	pace = (struct timespec){pace_ms / 1000, (pace_ms % 1000) * 1000000L};
	for (int k = 0; k < nt; k++)
		if (target_open(&t[k], argv[3 + 2 * k], argv[4 + 2 * k], n) < 0)
			return 1;
	for (long i = 0; i < n; i++)
		for (int k = 0; k < nt; k++) {
			if (target_ask(&t[k], i) < 0)
				return 1;
			nanosleep(&pace, NULL);
		}
	for (int k = 0; k < nt; k++) {
		printf("%d wall_ms_median %.3f wall_ms_p90 %.3f", k, quantile(t[k].wall, n, 0.5),
		       quantile(t[k].wall, n, 0.9));
		printf(" cpu_ms_median %.3f cpu_ms_p90 %.3f", quantile(t[k].cpu, n, 0.5),
		       quantile(t[k].cpu, n, 0.9));
		printf(" reply_bytes %zu metrics %ld trends %ld\n", t[k].len,
		       count(t[k].buf, "\"id\":"), count(t[k].buf, "\"slope_h\":"));
		close(t[k].fd);
		free(t[k].buf);
		free(t[k].wall);
		free(t[k].cpu);
	}
	return 0;
}
