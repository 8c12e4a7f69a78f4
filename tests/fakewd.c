/*
 * fakewd: a fake hardware watchdog for the watchdog plugin's tests
 * (build/tests/fakewd).  A plain FUSE file with the semantics of
 * Documentation/watchdog/watchdog-api.rst, because this kernel has neither
 * softdog nor CUSE (see /work/notes/issue5-smart-edac-watchdog.md §3):
 *
 *   fakewd MOUNTDIR LOGFILE [--timeout-ms N] [--bootstatus N]
 *          [--granularity S] [--minimal]
 *
 * MOUNTDIR/watchdog is the device.  Opening arms it and starts its timer
 * when it is not running; opening one that runs (closed without magic
 * close) leaves the timer as it is, as watchdog_start() does for an active
 * watchdog.  A second opener gets EBUSY; a write, WDIOC_KEEPALIVE or
 * WDIOC_SETTIMEOUT (watchdog_dev.c pings after setting) pets it; a write
 * holding 'V' arms magic close, which the next write clears, so the close
 * that follows disarms it; a close without it leaves it running.  When not
 * petted within its timeout it logs EXPIRED (the real thing would reset the
 * node) and stops counting until opened again.  One difference from the
 * kernel: watchdog_release() pings once when a running watchdog is closed
 * without magic close; this fake does not (so each reload or restart of a
 * fenced daemon moves a real node's reset by up to one timeout, and the
 * tests do not see it).  WDIOC_GETSUPPORT,
 * GETSTATUS, GETBOOTSTATUS, SETTIMEOUT (whole seconds, 1 to 3600, rounded
 * up to --granularity and written back as the kernel does), GETTIMEOUT and
 * GETTIMELEFT answer; SETOPTIONS is accepted but its data never reaches a
 * FUSE server (_IOR in the kernel header).  --timeout-ms is the timeout
 * before any SETTIMEOUT (default 30000); --bootstatus the GETBOOTSTATUS
 * flags (default 0; 32 = WDIOF_CARDRESET); --minimal answers only
 * KEEPALIVE (ENOTTY for the rest), as a bare driver would, so that the
 * plugin's sysfs fallbacks can be tested.
 *
 * LOGFILE gets one line per event, "MONO_MS EVENT [details]", EVENT one of:
 *   ready, open pid=N, busy pid=N, keepalive, write N, magic,
 *   settimeout N keepalive, release armed, release disarmed, release stale,
 *   EXPIRED, exit N
 * (a SETTIMEOUT pets: its line says so; "open" is followed by "running"
 * when the watchdog was already running, "started" when the open started
 * it).
 * "release armed" is a close without magic close (the timer runs on),
 * "release stale" a release of a handle that is no longer the opener's.
 * Tests count them (tests/fakewd_ctl.h).  Stop with SIGTERM: the session
 * ends and the mount goes away.
 */
#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>

#include <errno.h>
#include <linux/watchdog.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define INO_ROOT 1
#define INO_WD 2
#define TICK_US 20000		   /* how often the timer looks */
#define TIMEOUT_MAX_SEC 3600	   /* SETTIMEOUT's upper bound */
#define IDENTITY "hwhealth fakewd" /* WDIOC_GETSUPPORT identity */

/* The device, under mu. */
static struct {
	pthread_mutex_t mu;
	int open;	      /* a handle is open */
	uint64_t gen;	      /* handle number of the current opener */
	int armed;	      /* the timer runs */
	int magic;	      /* the last write held 'V' */
	int64_t timeout_ms;   /* current timeout */
	int64_t last_pet_ms;  /* monotonic */
	unsigned bootstatus;  /* GETBOOTSTATUS answer */
	unsigned granularity; /* SETTIMEOUT rounds up to this many seconds */
	int minimal;	      /* only KEEPALIVE */
} wd = {.mu = PTHREAD_MUTEX_INITIALIZER, .timeout_ms = 30000, .granularity = 1};

static FILE *log_fp; /* NULL once closed: the timer may still log */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

__attribute__((format(printf, 1, 2))) static void logm(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_mu);
	if (log_fp != NULL) {
		fprintf(log_fp, "%lld ", (long long)now_ms());
		va_start(ap, fmt);
		vfprintf(log_fp, fmt, ap);
		va_end(ap);
		fputc('\n', log_fp);
		fflush(log_fp);
	}
	pthread_mutex_unlock(&log_mu);
}

/* ---- the file system: one directory, one file ------------------------------ */

static void fill_stat(fuse_ino_t ino, struct stat *s)
{
	memset(s, 0, sizeof *s);
	s->st_ino = ino;
	s->st_uid = getuid();
	s->st_gid = getgid();
	if (ino == INO_ROOT) {
		s->st_mode = S_IFDIR | 0755;
		s->st_nlink = 2;
	} else {
		s->st_mode = S_IFREG | 0600;
		s->st_nlink = 1;
	}
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;

	if (parent != INO_ROOT || strcmp(name, "watchdog") != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	memset(&e, 0, sizeof e);
	e.ino = INO_WD;
	fill_stat(INO_WD, &e.attr);
	fuse_reply_entry(req, &e);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat s;

	(void)fi;
	if (ino != INO_ROOT && ino != INO_WD) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	fill_stat(ino, &s);
	fuse_reply_attr(req, &s, 0);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	pid_t pid = fuse_req_ctx(req)->pid;
	int running;

	if (ino != INO_WD) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	pthread_mutex_lock(&wd.mu);
	if (wd.open) {
		pthread_mutex_unlock(&wd.mu);
		logm("busy pid=%d", (int)pid);
		fuse_reply_err(req, EBUSY);
		return;
	}
	wd.open = 1;
	running = wd.armed;
	if (!running) { /* watchdog_start(): only a stopped watchdog starts */
		wd.armed = 1;
		wd.last_pet_ms = now_ms();
	}
	wd.magic = 0;
	fi->fh = ++wd.gen;
	pthread_mutex_unlock(&wd.mu);
	fi->direct_io = 1; /* every write reaches us */
	fi->nonseekable = 1;
	logm("open pid=%d %s", (int)pid, running ? "running" : "started");
	fuse_reply_open(req, fi);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t n, off_t off,
		     struct fuse_file_info *fi)
{
	int magic = memchr(buf, 'V', n) != NULL;

	(void)ino, (void)off;
	pthread_mutex_lock(&wd.mu);
	if (fi->fh == wd.gen) {
		wd.magic = magic; /* the last write decides, as in watchdog_dev.c */
		wd.last_pet_ms = now_ms();
	}
	pthread_mutex_unlock(&wd.mu);
	logm("write %zu", n);
	if (magic)
		logm("magic");
	fuse_reply_write(req, n);
}

/* SETTIMEOUT: whole seconds, rounded up to the granularity; pets, as the
 * kernel's does.  0 or an errno. */
static int set_timeout(const void *in, size_t in_sz, int *v)
{
	if (in_sz < sizeof *v)
		return EINVAL;
	memcpy(v, in, sizeof *v);
	if (*v < 1 || *v > TIMEOUT_MAX_SEC)
		return EINVAL;
	*v = (int)((*v + wd.granularity - 1) / wd.granularity * wd.granularity);
	wd.timeout_ms = (int64_t)*v * 1000;
	wd.last_pet_ms = now_ms();
	return 0;
}

/* Answer one ioctl under the lock: 0 with *v (or *wi) set, or an errno. */
static int ioctl_locked(unsigned cmd, const void *in, size_t in_sz, int *v,
			struct watchdog_info *wi)
{
	int64_t left;

	if (wd.minimal && cmd != WDIOC_KEEPALIVE)
		return ENOTTY;
	switch (cmd) {
	case WDIOC_GETSUPPORT:
		memset(wi, 0, sizeof *wi);
		wi->options = WDIOF_SETTIMEOUT | WDIOF_MAGICCLOSE | WDIOF_KEEPALIVEPING;
		wi->firmware_version = 1;
		memcpy(wi->identity, IDENTITY, sizeof IDENTITY);
		return 0;
	case WDIOC_GETSTATUS:
		*v = 0;
		return 0;
	case WDIOC_GETBOOTSTATUS:
		*v = (int)wd.bootstatus;
		return 0;
	case WDIOC_KEEPALIVE:
		wd.last_pet_ms = now_ms();
		*v = 0;
		return 0;
	case WDIOC_SETTIMEOUT:
		return set_timeout(in, in_sz, v);
	case WDIOC_GETTIMEOUT:
		*v = (int)(wd.timeout_ms / 1000);
		return 0;
	case WDIOC_GETTIMELEFT:
		left = wd.timeout_ms - (now_ms() - wd.last_pet_ms);
		*v = left > 0 ? (int)(left / 1000) : 0;
		return 0;
	case WDIOC_SETOPTIONS:
		*v = 0;
		return 0;
	default:
		return ENOTTY;
	}
}

static void op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		     struct fuse_file_info *fi, unsigned flags, const void *in, size_t in_sz,
		     size_t out_sz)
{
	struct watchdog_info wi;
	int v = 0, err;

	(void)ino, (void)arg, (void)flags;
	pthread_mutex_lock(&wd.mu);
	err = fi->fh == wd.gen ? ioctl_locked(cmd, in, in_sz, &v, &wi) : EBADF;
	pthread_mutex_unlock(&wd.mu);
	if (err != 0) {
		fuse_reply_err(req, err);
		return;
	}
	if (cmd == WDIOC_KEEPALIVE)
		logm("keepalive");
	else if (cmd == WDIOC_SETTIMEOUT)
		logm("settimeout %d keepalive", v);
	if (cmd == WDIOC_GETSUPPORT)
		fuse_reply_ioctl(req, 0, &wi, out_sz < sizeof wi ? out_sz : sizeof wi);
	else
		fuse_reply_ioctl(req, 0, &v, out_sz < sizeof v ? out_sz : sizeof v);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino, (void)fi;
	fuse_reply_err(req, 0);
}

/* Matched to its opener by fh: the kernel may send a release after the
 * next open was answered. */
static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	const char *what = "stale";

	(void)ino;
	pthread_mutex_lock(&wd.mu);
	if (fi->fh == wd.gen && wd.open) {
		wd.open = 0;
		if (wd.magic)
			wd.armed = 0;
		/* The close's own verdict, even after an expiry. */
		what = wd.magic ? "disarmed" : "armed";
	}
	pthread_mutex_unlock(&wd.mu);
	logm("release %s", what);
	fuse_reply_err(req, 0);
}

static const struct fuse_lowlevel_ops ops = {
    .lookup = op_lookup,
    .getattr = op_getattr,
    .open = op_open,
    .write = op_write,
    .ioctl = op_ioctl,
    .flush = op_flush,
    .release = op_release,
};

/* ---- the timer ---------------------------------------------------------- */

static void *timer_main(void *arg)
{
	int64_t late;

	(void)arg;
	for (;;) {
		usleep(TICK_US);
		pthread_mutex_lock(&wd.mu);
		late = now_ms() - wd.last_pet_ms;
		if (wd.armed && late > wd.timeout_ms) {
			wd.armed = 0; /* the node would be resetting now */
			pthread_mutex_unlock(&wd.mu);
			logm("EXPIRED after %lld ms without keepalive (timeout %lld ms)",
			     (long long)late, (long long)wd.timeout_ms);
			continue;
		}
		pthread_mutex_unlock(&wd.mu);
	}
	return NULL;
}

/* ---- main --------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: fakewd MOUNTDIR LOGFILE [--timeout-ms N] [--bootstatus N] "
			"[--granularity S] [--minimal]\n");
	return 2;
}

/* A non-negative number, or -1. */
static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	return errno || *s == '\0' || *end != '\0' || v < 0 ? -1 : v;
}

static int parse_args(int argc, char **argv)
{
	long v;

	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--minimal") == 0) {
			wd.minimal = 1;
			continue;
		}
		if (i + 1 >= argc || (v = number(argv[i + 1])) < 0)
			return -1;
		if (strcmp(argv[i], "--timeout-ms") == 0 && v > 0)
			wd.timeout_ms = v;
		else if (strcmp(argv[i], "--bootstatus") == 0)
			wd.bootstatus = (unsigned)v;
		else if (strcmp(argv[i], "--granularity") == 0 && v > 0 && v <= TIMEOUT_MAX_SEC)
			wd.granularity = (unsigned)v;
		else
			return -1;
		i++;
	}
	return 0;
}

/* Mount, serve until a signal, unmount.  The exit code. */
static int serve(const char *mountdir)
{
	char *fargv[] = {"fakewd", "-o", "fsname=hwhfakewd,subtype=fakewd", NULL};
	struct fuse_args args = FUSE_ARGS_INIT(3, fargv);
	struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, NULL);
	pthread_t t;
	int rc = 1;

	if (se == NULL) {
		fprintf(stderr, "fakewd: fuse_session_new failed\n");
		return 1;
	}
	if (fuse_set_signal_handlers(se) != 0) {
		fprintf(stderr, "fakewd: cannot set signal handlers\n");
		goto out_destroy;
	}
	if (fuse_session_mount(se, mountdir) != 0) {
		fprintf(stderr, "fakewd: cannot mount on %s\n", mountdir);
		goto out_signals;
	}
	if ((errno = pthread_create(&t, NULL, timer_main, NULL)) != 0) {
		perror("fakewd: timer thread");
		goto out_unmount;
	}
	logm("ready");
	/* The loop returns the signal that ended it: a normal stop. */
	rc = fuse_session_loop(se);
	rc = rc == 0 || rc == SIGTERM || rc == SIGINT || rc == SIGHUP ? 0 : 1;
out_unmount:
	fuse_session_unmount(se);
out_signals:
	fuse_remove_signal_handlers(se);
out_destroy:
	fuse_session_destroy(se);
	return rc;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 3 || parse_args(argc, argv) < 0)
		return usage();
	if ((log_fp = fopen(argv[2], "a")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	rc = serve(argv[1]);
	logm("exit %d", rc);
	pthread_mutex_lock(&log_mu);
	fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&log_mu);
	return rc;
}
