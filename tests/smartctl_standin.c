/*
 * smartctl_standin: a stand-in for smartctl in the smart plugin's tests
 * (built as build/tests/smartctl-standin).  There is no disk on the test
 * machines, so the tests replay real `smartctl --json` captures
 * (../shared/fixtures/smartctl) through this program, given to the plugin
 * as its `smartctl` option.
 *
 * A test links it as W/smartctl; its data directory is then
 * dirname(argv[0])/smartctl.d/ (the daemon runs smartctl with a cleaned
 * environment, so no variable can say where).  In that directory:
 *
 *   scan.json       printed for --scan-open and for --scan (absent: a
 *                   document with no "devices" key, as smartctl 7.3 prints
 *                   when it finds nothing); calls.log says which ran
 *   NAME.json       printed for a device PATH (the last argument) whose
 *                   basename is NAME, exit status its smartctl.exit_status;
 *                   absent: smartctl's open failure (exit 2)
 *   NAME.mode       optional, one line:
 *                     hang        sleep (60 s: "forever" for a test), and
 *                                 so does a forked child, to test that
 *                                 the whole process group is killed
 *                     garbage     print text that is not JSON, exit 0
 *                     empty       print nothing, exit 2
 *                     truncate N  print the first N bytes of NAME.json
 *                     standby     print smartctl 7.3's standby document
 *                                 ("Device is in STANDBY mode, exit(3)"),
 *                                 exit 3
 *                     exit N      print NAME.json, exit N
 *   calls.log       one line appended per call: the arguments joined by
 *                   spaces, " | env:", then the names of the environment
 *                   variables, so tests see -n standby,3, -d TYPE and the
 *                   cleaned environment.
 *
 * Test-only code: it aborts with exit status 99 and a message on stderr
 * when its own data is broken, so a test fails loudly.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#define STANDIN_BROKEN 99
#define STANDIN_HANG_SEC 60 /* how long "hang" lasts */

extern char **environ;

static char dir[PATH_MAX]; /* dirname(argv[0])/smartctl.d */

static void die(const char *what, const char *path)
{
	fprintf(stderr, "smartctl-standin: %s %s: %s\n", what, path, strerror(errno));
	exit(STANDIN_BROKEN);
}

/* The whole of file name in dir, NUL-terminated, or NULL if absent. */
static char *slurp(const char *name, size_t *len)
{
	char path[PATH_MAX + 64], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		if (errno == ENOENT)
			return NULL;
		die("cannot open", path);
	}
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0)
		die("cannot size", path);
	if ((buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* One line per call, written with one write(2) on an O_APPEND file, so
 * parallel calls never interleave. */
static void log_call(int argc, char **argv)
{
	char path[PATH_MAX + 64], line[8192];
	size_t n = 0;
	int fd;

	for (int i = 0; i < argc && n < sizeof line - 256; i++)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", i ? " " : "", argv[i]);
	n += (size_t)snprintf(line + n, sizeof line - n, " | env:");
	for (char **e = environ; *e != NULL && n < sizeof line - 128; e++)
		n +=
		    (size_t)snprintf(line + n, sizeof line - n, " %.*s", (int)strcspn(*e, "="), *e);
	line[n++] = '\n';
	snprintf(path, sizeof path, "%s/calls.log", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) < 0)
		die("cannot open", path);
	if (write(fd, line, n) != (ssize_t)n)
		die("cannot write", path);
	close(fd);
}

static void print(const char *s, size_t n)
{
	fwrite(s, 1, n, stdout);
	fflush(stdout);
}

/* smartctl.exit_status of a document, or 0. */
static int exit_status_of(const char *json)
{
	json_object *root = json_tokener_parse(json), *sc, *st;
	int rc = 0;

	if (root != NULL && json_object_object_get_ex(root, "smartctl", &sc) &&
	    json_object_object_get_ex(sc, "exit_status", &st))
		rc = json_object_get_int(st);
	json_object_put(root);
	return rc;
}

static int scan(void)
{
	size_t len;
	char *doc = slurp("scan.json", &len);

	if (doc == NULL) {
		puts("{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],"
		     "\"argv\":[\"smartctl\",\"--scan-open\",\"--json=c\"],\"exit_status\":0}}");
		return 0;
	}
	print(doc, len);
	free(doc);
	return 0;
}

/* What smartctl 7.3 -d sat prints for a device it cannot open. */
static int open_failed(const char *path)
{
	printf("{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],\"messages\":"
	       "[{\"string\":\"Smartctl open device: %s failed: No such device\","
	       "\"severity\":\"error\"}],\"exit_status\":2}}\n",
	       path);
	return 2;
}

static int standby(const char *path)
{
	printf("{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],\"messages\":"
	       "[{\"string\":\"Device is in STANDBY mode, exit(3)\",\"severity\":"
	       "\"information\"}],\"exit_status\":3},\"device\":{\"name\":\"%s\","
	       "\"info_name\":\"%s\",\"type\":\"sat\",\"protocol\":\"ATA\"}}\n",
	       path, path);
	return 3;
}

/* Sleep "forever": far longer than any device-timeout a test uses, yet
 * bounded, so a test that fails before its daemon killed us (check ends a
 * failed test with _exit, and we run in a process group of our own)
 * leaves nothing running for long. */
static void hang(void)
{
	fork();			 /* both sleep, in the group the plugin must kill */
	alarm(STANDIN_HANG_SEC); /* per process: fork does not inherit it */
	for (;;)
		pause();
}

static int device(const char *path)
{
	char name[NAME_MAX + 8], mode[64] = "", *base, *doc, *mtext;
	char pathcopy[PATH_MAX];
	size_t len = 0, mlen;
	long n;

	snprintf(pathcopy, sizeof pathcopy, "%s", path);
	base = basename(pathcopy);
	snprintf(name, sizeof name, "%s.mode", base);
	if ((mtext = slurp(name, &mlen)) != NULL) {
		snprintf(mode, sizeof mode, "%.*s", (int)strcspn(mtext, "\n"), mtext);
		free(mtext);
	}
	if (strcmp(mode, "hang") == 0)
		hang();
	if (strcmp(mode, "garbage") == 0) {
		puts("smartctl: this is not JSON at all");
		return 0;
	}
	if (strcmp(mode, "empty") == 0)
		return 2;
	if (strcmp(mode, "standby") == 0)
		return standby(path);
	snprintf(name, sizeof name, "%s.json", base);
	if ((doc = slurp(name, &len)) == NULL)
		return open_failed(path);
	if (sscanf(mode, "truncate %ld", &n) == 1) {
		print(doc, (size_t)n < len ? (size_t)n : len);
		free(doc);
		return 0;
	}
	print(doc, len);
	if (sscanf(mode, "exit %ld", &n) != 1)
		n = exit_status_of(doc);
	free(doc);
	return (int)n;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];

	snprintf(self, sizeof self, "%s", argv[0]);
	snprintf(dir, sizeof dir, "%s/smartctl.d", dirname(self));
	log_call(argc, argv);
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--scan-open") == 0 || strcmp(argv[i], "--scan") == 0)
			return scan();
	if (argc < 2 || argv[argc - 1][0] != '/') {
		fprintf(stderr, "smartctl-standin: no device path\n");
		return 1;
	}
	return device(argv[argc - 1]);
}
