/*
 * hwhealthd: the hardware health daemon.  Parses the command line and hands
 * over to daemon.c.  Runs in the foreground (systemd Type=notify or any
 * supervisor); see docs/hwhealthd.8.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hwhealthd [options]\n"
		"  -c, --config FILE     configuration file (default %s;\n"
		"                        built-in defaults if that does not exist)\n"
		"  -n, --check-config    check the configuration and plugin options, then exit\n"
		"      --socket PATH     control socket (overrides the configuration)\n"
		"      --state-dir DIR   state directory\n"
		"      --plugin-dir DIR  plugin directory (default: plugins/ beside this binary\n"
		"                        if present, else %s)\n"
		"      --rules-dir DIR   rules directory\n"
		"  -v, --verbose         log debug messages\n"
		"  -q, --quiet           log warnings and errors only\n"
		"  -V, --version         print the version\n"
		"  -h, --help            this text\n",
		CFG_DEFAULT_PATH, CFG_DEFAULT_PLUGIN_DIR);
}

enum { OPT_SOCKET = 256, OPT_STATE_DIR, OPT_PLUGIN_DIR, OPT_RULES_DIR };

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"check-config", no_argument, NULL, 'n'},
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"plugin-dir", required_argument, NULL, OPT_PLUGIN_DIR},
    {"rules-dir", required_argument, NULL, OPT_RULES_DIR},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, struct daemon_opts *o, int *check)
{
	int c;

	while ((c = getopt_long(argc, argv, "c:nvqVh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->config_path = optarg;
			break;
		case 'n':
			*check = 1;
			break;
		case OPT_SOCKET:
			o->socket_path = optarg;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_PLUGIN_DIR:
			o->plugin_dir = optarg;
			break;
		case OPT_RULES_DIR:
			o->rules_dir = optarg;
			break;
		case 'v':
			o->log_level = HWH_LOG_DEBUG;
			break;
		case 'q':
			o->log_level = HWH_LOG_WARNING;
			break;
		case 'V':
			printf("hwhealthd %s (plugin ABI %d.%d)\n", HWH_VERSION, HWH_ABI_MAJOR,
			       HWH_ABI_MINOR);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hwhealthd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	return -1;
}

/* Started with standard input, output or error closed, the first files the
 * daemon opens would take those numbers: a pipe to a child (smartctl) could
 * become its stdin, a log line could land in the state file.  Put /dev/null
 * there first.  Returns 0, or -1 if that is impossible. */
static int std_fds_open(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd) {
			if (nfd >= 0)
				close(nfd);
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon_opts o = {.log_level = -1};
	struct daemon d;
	int check = 0, rc;

	if (std_fds_open() < 0)
		return 1;
	rc = parse_args(argc, argv, &o, &check);
	if (rc >= 0)
		return rc;
	log_init("hwhealthd", o.log_level >= 0 ? o.log_level : HWH_LOG_INFO);
	if (check)
		return daemon_check_config(&o);
	if (daemon_init(&d, &o) < 0) {
		daemon_shutdown(&d);
		return 1;
	}
	rc = daemon_run(&d);
	daemon_shutdown(&d);
	log_notice("stopped");
	return rc;
}
