/*
 * floor: what a minimal C reader spends per poll cycle on a hwmon tree,
 * the yardstick for hwhealthd in bench/sensors_bench.sh.
 *
 *   floor [-p] [-i MS] [-d DIR] CYCLES
 *
 * Finds every *_input file in DIR/hwmonN/ (DIR defaults to /sys/class/hwmon),
 * then for CYCLES cycles reads each one: open, read, close (the default,
 * what a plain reader does), or with -p a pread at offset 0 on fds kept open
 * (what sysfs allows and the fastest way to get a fresh value).  With -i,
 * sleeps MS milliseconds between cycles, as a daemon polling on an interval
 * does: each cycle then starts with cold CPU caches, as the daemon's do,
 * instead of re-running in a hot loop.  Prints
 * "MS_PER_CYCLE FILES": process CPU (user + system, getrusage) per cycle in
 * milliseconds, and how many files one cycle read.  Exits 1 if a file cannot
 * be read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MAX_FILES 65536
#define FLOOR_PATH_MAX 512

struct files {
	char **path;
	int *fd;
	size_t n;
};

static int add_file(struct files *f, const char *dir, const char *name)
{
	char buf[FLOOR_PATH_MAX];
	int len;

	if (f->n == FLOOR_MAX_FILES) {
		fprintf(stderr, "floor: more than %d inputs\n", FLOOR_MAX_FILES);
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= sizeof(buf) || (f->path[f->n] = strdup(buf)) == NULL) {
		fprintf(stderr, "floor: %s/%s: path too long or no memory\n", dir, name);
		return -1;
	}
	f->fd[f->n++] = -1;
	return 0;
}

/* Every *_input of one hwmonN directory. */
static int scan_chip(struct files *f, const char *dir)
{
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "floor: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 6 && strcmp(de->d_name + len - 6, "_input") == 0)
			rc = add_file(f, dir, de->d_name);
	}
	closedir(d);
	return rc;
}

static int scan(struct files *f, const char *root)
{
	char dir[FLOOR_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	f->path = calloc(FLOOR_MAX_FILES, sizeof(*f->path));
	f->fd = calloc(FLOOR_MAX_FILES, sizeof(*f->fd));
	if (f->path == NULL || f->fd == NULL) {
		fprintf(stderr, "floor: out of memory\n");
		return -1;
	}
	if ((d = opendir(root)) == NULL) {
		fprintf(stderr, "floor: %s: %s\n", root, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "hwmon", 5) != 0)
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name) >= (int)sizeof(dir))
			rc = -1;
		else
			rc = scan_chip(f, dir);
	}
	closedir(d);
	return rc;
}

/* Parse what was read so that the loop does what a reader must do. */
static long parse(const char *buf, ssize_t n, const char *path)
{
	char tmp[64];

	if (n <= 0 || n >= (ssize_t)sizeof(tmp)) {
		fprintf(stderr, "floor: %s: unreadable\n", path);
		exit(1);
	}
	memcpy(tmp, buf, (size_t)n);
	tmp[n] = '\0';
	return strtol(tmp, NULL, 10);
}

static long cycle_open(struct files *f)
{
	char buf[64];
	long sum = 0;

	for (size_t i = 0; i < f->n; i++) {
		int fd = open(f->path[i], O_RDONLY | O_CLOEXEC);
		ssize_t n;

		if (fd == -1) {
			fprintf(stderr, "floor: %s: %s\n", f->path[i], strerror(errno));
			exit(1);
		}
		n = read(fd, buf, sizeof(buf));
		close(fd);
		sum += parse(buf, n, f->path[i]);
	}
	return sum;
}

static long cycle_pread(struct files *f)
{
	char buf[64];
	long sum = 0;

	for (size_t i = 0; i < f->n; i++) {
		if (f->fd[i] == -1 && (f->fd[i] = open(f->path[i], O_RDONLY | O_CLOEXEC)) == -1) {
			fprintf(stderr, "floor: %s: %s\n", f->path[i], strerror(errno));
			exit(1);
		}
		sum += parse(buf, pread(f->fd[i], buf, sizeof(buf), 0), f->path[i]);
	}
	return sum;
}

static double cpu_ms(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1) {
		perror("floor: getrusage");
		exit(1);
	}
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void usage(void)
{
	fprintf(stderr, "usage: floor [-p] [-i MS] [-d DIR] CYCLES\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *root = "/sys/class/hwmon";
	struct files f = {NULL, NULL, 0};
	volatile long sink = 0;
	int usepread = 0, ch;
	long cycles, interval_ms = 0;
	double t0;
	char *end;

	while ((ch = getopt(argc, argv, "pi:d:")) != -1) {
		switch (ch) {
		case 'p':
			usepread = 1;
			break;
		case 'i':
			interval_ms = strtol(optarg, &end, 10);
			if (*end != '\0' || interval_ms < 0)
				usage();
			break;
		case 'd':
			root = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	cycles = strtol(argv[optind], &end, 10);
	if (*end != '\0' || cycles <= 0)
		usage();
	if (scan(&f, root) == -1)
		return 1;
	if (f.n == 0) {
		fprintf(stderr, "floor: no *_input files under %s\n", root);
		return 1;
	}
	if (usepread)
		sink += cycle_pread(&f); /* open the fds outside the measurement */
	t0 = cpu_ms();
	for (long c = 0; c < cycles; c++) {
		if (interval_ms > 0)
			sleep_ms(interval_ms);
		sink += usepread ? cycle_pread(&f) : cycle_open(&f);
	}
	printf("%.3f %zu\n", (cpu_ms() - t0) / (double)cycles, f.n);
	(void)sink;
	return 0;
}
