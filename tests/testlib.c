/*
 * testlib: fake hwmon trees, a private mount namespace, and the real
 * hwhealthd / hwhealth binaries driven from check tests.  See testlib.h for
 * the contract of each helper.
 *
 * Layout of a fake tree W (W/class is bound over /sys/class):
 *   W/class/hwmon/hwmonN/{name,temp1_input,...,device -> ../../devices/BUS/DEV}
 *   W/class/devices/BUS/DEV/subsystem -> ../../../bus/BUS
 * libsensors takes the bus from the last component of the subsystem link and
 * the address from the device dir's name, so the links are relative and
 * resolve the same inside the namespace and out.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <pwd.h>
#include <grp.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "testlib.h"

extern char **environ;

#define TL_MAX_ARGS 64
#define TL_STEP_MS 10

static struct fake_tree *ns_tree; /* the tree this process's namespace shows */

int64_t tl_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void xsnprintf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* snprintf that fails the test instead of truncating. */
static void xsnprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < len, "path too long: %s", fmt);
}

static void xmkdir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", path, strerror(errno));
}

static void xsymlink(const char *target, const char *path)
{
	if (symlink(target, path) == -1)
		ck_abort_msg("symlink %s -> %s: %s", path, target, strerror(errno));
}

char *read_file_str(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 8192);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 8192;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	buf[len] = '\0';
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int write_file_str(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	int fd, err = 0;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) == -1 && err == 0)
		err = -errno;
	return err;
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path) == -1 ? -1 : 0;
	return unlink(path) == -1 ? -1 : 0;
}

/* rm -rf path; 0 or -1 (a missing path is not an error). */
static int rm_rf(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- fake tree ---------------------------------------------------- */

int tl_rm_rf(const char *path)
{
	return rm_rf(path);
}

struct fake_tree *fake_tree_new(void)
{
	static const char *const dirs[] = {
	    "class",
	    "class/hwmon",
	    "class/devices",
	    "class/devices/platform",
	    "class/devices/pci",
	    "class/bus",
	    "class/bus/platform",
	    "class/bus/pci",
	};
	char path[TL_PATH_MAX];
	struct fake_tree *t;

	t = calloc(1, sizeof(*t));
	ck_assert_ptr_nonnull(t);
	xsnprintf(t->dir, sizeof(t->dir), "/tmp/hwhealth-test.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		xsnprintf(path, sizeof(path), "%s/%s", t->dir, dirs[i]);
		xmkdir(path, 0755);
	}
	return t;
}

/* Chip name as libsensors derives it from the bus and the device name. */
static void chip_id(struct fake_chip *c, const char *bus, const char *devname)
{
	unsigned dom, b, slot, fn;
	int addr;

	if (bus == NULL) {
		xsnprintf(c->id, sizeof(c->id), "%s-virtual-0", c->name);
	} else if (strcmp(bus, "platform") == 0) {
		if (sscanf(devname, "%*[a-z0-9_].%d", &addr) != 1)
			addr = 0;
		xsnprintf(c->id, sizeof(c->id), "%s-isa-%04x", c->name, (unsigned)addr);
	} else {
		if (sscanf(devname, "%x:%x:%x.%x", &dom, &b, &slot, &fn) != 4)
			ck_abort_msg("pci device name %s is not DDDD:BB:SS.F", devname);
		xsnprintf(c->id, sizeof(c->id), "%s-pci-%04x", c->name,
			  (dom << 16) + (b << 8) + (slot << 3) + fn);
	}
}

/* Default device name: NAME.K on platform, a fresh slot on pci. */
static void default_devname(struct fake_tree *t, const char *name, const char *bus, char *buf,
			    size_t len)
{
	int k = 0;

	if (strcmp(bus, "pci") == 0) {
		xsnprintf(buf, len, "0000:00:%02x.3", 0x18 + t->next_pci_slot++);
		return;
	}
	for (int i = 0; i < t->nchips; i++)
		if (strcmp(t->chips[i]->name, name) == 0 && t->chips[i]->devpath[0])
			k++;
	xsnprintf(buf, len, "%s.%d", name, k);
}

struct fake_chip *fake_chip_add_dev(struct fake_tree *t, const char *name, const char *bus,
				    const char *devname)
{
	char path[TL_PATH_MAX], target[TL_PATH_MAX];
	struct fake_chip *c;

	ck_assert_msg(t->nchips < TL_MAX_CHIPS, "too many fake chips");
	ck_assert_msg(bus == NULL || strcmp(bus, "platform") == 0 || strcmp(bus, "pci") == 0,
		      "bus %s: use platform, pci or NULL", bus);
	c = calloc(1, sizeof(*c));
	ck_assert_ptr_nonnull(c);
	c->tree = t;
	c->index = t->nchips;
	xsnprintf(c->name, sizeof(c->name), "%s", name);
	xsnprintf(c->path, sizeof(c->path), "%s/class/hwmon/hwmon%d", t->dir, c->index);
	xmkdir(c->path, 0755);
	fake_attr_set(c, "name", name);
	if (bus != NULL) {
		xsnprintf(c->devpath, sizeof(c->devpath), "%s/class/devices/%s/%s", t->dir, bus,
			  devname);
		xmkdir(c->devpath, 0755);
		xsnprintf(path, sizeof(path), "%s/subsystem", c->devpath);
		xsnprintf(target, sizeof(target), "../../../bus/%s", bus);
		xsymlink(target, path);
		xsnprintf(path, sizeof(path), "%s/device", c->path);
		xsnprintf(target, sizeof(target), "../../devices/%s/%s", bus, devname);
		xsymlink(target, path);
	}
	chip_id(c, bus, devname);
	t->chips[t->nchips++] = c;
	return c;
}

struct fake_chip *fake_chip_add(struct fake_tree *t, const char *name, const char *bus)
{
	char devname[64] = "";

	if (bus != NULL)
		default_devname(t, name, bus, devname, sizeof(devname));
	return fake_chip_add_dev(t, name, bus, devname);
}

/*
 * In place, not write+rename: the sensors plugin keeps each value file open
 * and re-reads it with pread at offset 0, so a new inode would never be seen.
 */
void fake_attr_set(struct fake_chip *c, const char *attr, const char *value)
{
	char path[TL_PATH_MAX], buf[256];
	int err;

	xsnprintf(path, sizeof(path), "%s/%s", c->path, attr);
	if (value[0] == '\0')
		buf[0] = '\0'; /* an empty file, for unreadable-value tests */
	else
		xsnprintf(buf, sizeof(buf), "%s\n", value);
	if ((err = write_file_str(path, buf)) < 0)
		ck_abort_msg("write %s: %s", path, strerror(-err));
}

void fake_attr_setf(struct fake_chip *c, const char *attr, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < sizeof(buf), "value too long");
	fake_attr_set(c, attr, buf);
}

void fake_chip_remove(struct fake_chip *c)
{
	if (rm_rf(c->path) == -1)
		ck_abort_msg("remove %s: %s", c->path, strerror(errno));
	if (c->devpath[0] && rm_rf(c->devpath) == -1)
		ck_abort_msg("remove %s: %s", c->devpath, strerror(errno));
	c->removed = true;
}

void fake_tree_free(struct fake_tree *t)
{
	if (t == NULL)
		return;
	if (ns_tree == t)
		ns_tree = NULL;
	/* Inside the namespace /sys/class is W/class: the files go either way,
	 * the mount point stays until the namespace dies with the process. */
	if (rm_rf(t->dir) == -1)
		fprintf(stderr, "testlib: cannot remove %s: %s\n", t->dir, strerror(errno));
	for (int i = 0; i < t->nchips; i++)
		free(t->chips[i]);
	free(t);
}

void fake_tree_path(const struct fake_tree *t, const char *name, char *buf, size_t len)
{
	xsnprintf(buf, len, "%s/%s", t->dir, name);
}

const char *fake_metric_id(const struct fake_chip *c, const char *feature)
{
	static char bufs[4][192];
	static unsigned next;
	char *b = bufs[next++ % 4];

	xsnprintf(b, sizeof(bufs[0]), "sensors/%s/%s", c->id, feature);
	return b;
}

/* ---- namespace ---------------------------------------------------- */

void test_enter_namespace(struct fake_tree *t)
{
	const char *fork_env = getenv("CK_FORK");
	char src[TL_PATH_MAX];

	if (geteuid() != 0)
		ck_abort_msg("integration tests need root: they bind a fake hwmon "
			     "tree over /sys/class in a private mount namespace "
			     "(run make check as root)");
	if (fork_env != NULL && strcmp(fork_env, "no") == 0)
		ck_abort_msg("integration tests need check's fork mode (unset CK_FORK=no): "
			     "the mount namespace must die with the test process");
	if (unshare(CLONE_NEWNS) == -1)
		ck_abort_msg("unshare(CLONE_NEWNS): %s", strerror(errno));
	/* Keep our bind mount from propagating to the host.  In a chroot "/" may
	 * not be a mount point (EINVAL): then /sys, the only tree we touch. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 &&
	    (errno != EINVAL || mount(NULL, "/sys", NULL, MS_REC | MS_PRIVATE, NULL) == -1))
		ck_abort_msg("make / (or /sys) private: %s", strerror(errno));
	xsnprintf(src, sizeof(src), "%s/class", t->dir);
	if (mount(src, "/sys/class", NULL, MS_BIND, NULL) == -1)
		ck_abort_msg("bind %s over /sys/class: %s", src, strerror(errno));
	ns_tree = t;
}

const char *test_plugin_dir(struct fake_tree *t, const char *dirname, ...)
{
	static const char *const where[] = {"plugins", "tests/plugins"};
	static char dir[TL_PATH_MAX];
	char src[TL_PATH_MAX], dst[TL_PATH_MAX];
	const char *name;
	va_list ap;

	xsnprintf(dir, sizeof(dir), "%s/%s", t->dir, dirname);
	xmkdir(dir, 0755);
	va_start(ap, dirname);
	while ((name = va_arg(ap, const char *)) != NULL) {
		size_t i;

		for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
			xsnprintf(src, sizeof(src), "%s/%s/%s.so", HWH_BUILD_DIR, where[i], name);
			if (access(src, R_OK) == 0)
				break;
		}
		if (i == sizeof(where) / sizeof(where[0]))
			ck_abort_msg("plugin %s.so not found under %s/plugins or "
				     "%s/tests/plugins (make all and the test plugins)",
				     name, HWH_BUILD_DIR, HWH_BUILD_DIR);
		xsnprintf(dst, sizeof(dst), "%s/%s.so", dir, name);
		xsymlink(src, dst);
	}
	va_end(ap);
	return dir;
}

/* ---- commands ----------------------------------------------------- */

/* A growing NUL-terminated buffer. */
struct buf {
	char *p;
	size_t len, cap;
};

static void buf_read(struct buf *b, int *fd)
{
	ssize_t n;

	if (b->cap - b->len < 4096) {
		char *np = realloc(b->p, b->cap + 16384);
		ck_assert_ptr_nonnull(np);
		b->p = np;
		b->cap += 16384;
		b->p[b->len] = '\0'; /* an output that ends here (EOF) is "" */
	}
	n = read(*fd, b->p + b->len, b->cap - b->len - 1);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return;
	}
	b->len += (size_t)n;
	b->p[b->len] = '\0';
}

static char *buf_take(struct buf *b)
{
	char *p = b->p;

	if (p == NULL) {
		p = strdup("");
		ck_assert_ptr_nonnull(p);
	}
	b->p = NULL;
	return p;
}

static int wait_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

/* Read both pipes until EOF; SIGKILL the child at the deadline. */
static void drain_pipes(pid_t pid, int fds[2], struct buf bufs[2], int timeout_ms)
{
	int64_t deadline = tl_mono_ms() + timeout_ms;
	bool killed = false;

	while (fds[0] != -1 || fds[1] != -1) {
		struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
		int64_t left = deadline - tl_mono_ms();

		if (left <= 0) {
			if (killed)
				break; /* a grandchild holds the pipe: give up */
			kill(pid, SIGKILL);
			killed = true;
			deadline = tl_mono_ms() + 1000;
			continue;
		}
		if (poll(pfd, 2, (int)left) == -1 && errno != EINTR)
			ck_abort_msg("poll: %s", strerror(errno));
		for (int i = 0; i < 2; i++)
			if (fds[i] != -1 && pfd[i].revents)
				buf_read(&bufs[i], &fds[i]);
	}
	for (int i = 0; i < 2; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

/* fork, enter(arg), stdin from /dev/null, stdout/stderr to out/err, exec:
 * for a command that must run in other namespaces (posix_spawn cannot
 * setns).  0 or an errno, like posix_spawn. */
static int fork_enter(pid_t *pid, const char *const *argv, int in, int out, int err,
		      tl_enter_fn enter, void *arg)
{
	*pid = fork();
	if (*pid == -1)
		return errno;
	if (*pid > 0)
		return 0;
	/* The child: async-signal-safe calls only, 127 on any failure. */
	if (enter(arg) != 0 || dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		_exit(127);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

int cmd_run(const char *const *argv, struct cmd_result *res, int timeout_ms)
{
	return cmd_run_in(argv, res, timeout_ms, NULL, NULL);
}

int cmd_run_in(const char *const *argv, struct cmd_result *res, int timeout_ms, tl_enter_fn enter,
	       void *arg)
{
	posix_spawn_file_actions_t fa;
	struct buf bufs[2] = {{NULL, 0, 0}, {NULL, 0, 0}};
	int out[2], err[2], fds[2], status, rc, nullfd = -1;
	int64_t t0;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1)
		ck_abort_msg("pipe: %s", strerror(errno));
	if (posix_spawn_file_actions_init(&fa) != 0)
		ck_abort_msg("posix_spawn_file_actions_init failed");
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	t0 = tl_mono_ms();
	if (enter != NULL) {
		if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			ck_abort_msg("/dev/null: %s", strerror(errno));
		rc = fork_enter(&pid, argv, nullfd, out[1], err[1], enter, arg);
		close(nullfd);
	} else if (strchr(argv[0], '/') != NULL)
		rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	else
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);
	if (rc != 0) {
		close(out[0]);
		close(err[0]);
		res->out = strdup("");
		if (asprintf(&res->err, "cannot run %s: %s\n", argv[0], strerror(rc)) == -1)
			res->err = NULL;
		ck_assert_ptr_nonnull(res->out);
		ck_assert_ptr_nonnull(res->err);
		res->code = 127;
		return res->code;
	}
	fds[0] = out[0];
	fds[1] = err[0];
	drain_pipes(pid, fds, bufs, timeout_ms);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			ck_abort_msg("waitpid: %s", strerror(errno));
	res->ms = tl_mono_ms() - t0;
	res->code = wait_code(status);
	res->out = buf_take(&bufs[0]);
	res->err = buf_take(&bufs[1]);
	return res->code;
}

void cmd_result_free(struct cmd_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

/* ---- daemon ------------------------------------------------------- */

static void daemon_paths(struct test_daemon *d)
{
	if (d->tree == NULL)
		d->tree = ns_tree;
	ck_assert_msg(d->tree != NULL, "daemon: set d->tree or call test_enter_namespace() first");
	xsnprintf(d->conf, sizeof(d->conf), "%s/hwhealth.conf", d->tree->dir);
	xsnprintf(d->sock, sizeof(d->sock), "%s/hwhealthd.sock", d->tree->dir);
	xsnprintf(d->state, sizeof(d->state), "%s/state", d->tree->dir);
	xsnprintf(d->log, sizeof(d->log), "%s/daemon.log", d->tree->dir);
}

void daemon_write_conf(struct test_daemon *d, const char *conf_text)
{
	int err;

	daemon_paths(d);
	if ((err = write_file_str(d->conf, conf_text)) < 0)
		ck_abort_msg("write %s: %s", d->conf, strerror(-err));
}

int daemon_check_config(struct test_daemon *d, const char *conf_text, struct cmd_result *res)
{
	const char *argv[] = {HWH_BUILD_DIR "/hwhealthd", "-n", "-c", d->conf, NULL};

	daemon_write_conf(d, conf_text);
	return cmd_run(argv, res, TL_CMD_TIMEOUT_MS);
}

int cli_as_nobody(struct test_daemon *d, const char *const *args, char *err, size_t errlen)
{
	char cli[TL_PATH_MAX], errpath[TL_PATH_MAX];
	const char *argv[16] = {cli, "--socket", d->sock};
	int status, n = 3;
	char *text;
	pid_t pid;

	for (; *args != NULL && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	snprintf(cli, sizeof cli, "%s/hwhealth", HWH_BUILD_DIR);
	snprintf(errpath, sizeof errpath, "%s/nobody.err", d->tree->dir);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		int null = open("/dev/null", O_WRONLY);
		if (fd < 0 || null < 0 || dup2(fd, 2) < 0 || dup2(null, 1) < 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0)
			_exit(126);
		execv(cli, (char *const *)argv);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	text = read_file_str(errpath);
	snprintf(err, errlen, "%s", text ? text : "");
	free(text);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

bool daemon_running(struct test_daemon *d)
{
	int status;
	pid_t r;

	if (d->pid <= 0)
		return false;
	r = waitpid(d->pid, &status, WNOHANG);
	if (r == 0)
		return true;
	if (r == d->pid)
		d->exit_code = wait_code(status);
	else
		d->exit_code = -1;
	d->pid = 0;
	return false;
}

/* Write all of s; MSG_NOSIGNAL so a daemon closing early cannot SIGPIPE
 * the test.  0 or -1. */
static int send_all(int fd, const char *s)
{
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

struct json_object *daemon_request(struct test_daemon *d, const char *request_json)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct timeval tv = {2, 0};
	struct json_object *obj = NULL;
	char buf[65536];
	size_t len = 0;
	int fd;

	if (strlen(d->sock) >= sizeof(sun.sun_path))
		ck_abort_msg("socket path too long: %s", d->sock);
	memcpy(sun.sun_path, d->sock, strlen(d->sock) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		ck_abort_msg("socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		goto out;
	if (send_all(fd, request_json) == -1 || send_all(fd, "\n") == -1)
		goto out;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	if (len > 0)
		obj = json_tokener_parse(buf);
out:
	close(fd);
	return obj;
}

/* True when the daemon answers ping with ok:true. */
static bool daemon_pings(struct test_daemon *d)
{
	struct json_object *r = daemon_request(d, "{\"cmd\":\"ping\"}");
	struct json_object *ok;
	bool up;

	up = r != NULL && json_object_object_get_ex(r, "ok", &ok) && json_object_get_boolean(ok);
	json_object_put(r);
	return up;
}

void daemon_start_args(struct test_daemon *d, const char *conf_text, const char *const *extra)
{
	daemon_start_in(d, conf_text, extra, NULL, NULL);
}

/* Start the daemon with stdin from /dev/null and stdout+stderr appended to
 * d->log, in enter()'s namespaces if enter is not NULL: 0 or an errno. */
static int daemon_spawn(struct test_daemon *d, const char *bin, const char *const *argv,
			tl_enter_fn enter, void *arg)
{
	posix_spawn_file_actions_t fa;
	int rc, in, log;

	if (enter == NULL) {
		if (posix_spawn_file_actions_init(&fa) != 0)
			ck_abort_msg("posix_spawn_file_actions_init failed");
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, d->log, O_WRONLY | O_CREAT | O_APPEND,
						 0644);
		posix_spawn_file_actions_adddup2(&fa, 2, 1);
		rc = posix_spawn(&d->pid, bin, &fa, NULL, (char *const *)argv, environ);
		posix_spawn_file_actions_destroy(&fa);
		return rc;
	}
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log = open(d->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (in == -1 || log == -1)
		ck_abort_msg("open /dev/null, %s: %s", d->log, strerror(errno));
	rc = fork_enter(&d->pid, argv, in, log, log, enter, arg);
	close(in);
	close(log);
	return rc;
}

void daemon_start_in(struct test_daemon *d, const char *conf_text, const char *const *extra,
		     tl_enter_fn enter, void *arg)
{
	const char *argv[TL_MAX_ARGS];
	char bin[TL_PATH_MAX];
	int64_t deadline;
	int n = 0, rc;

	ck_assert_msg(d->pid == 0, "daemon already running (pid %d)", (int)d->pid);
	daemon_write_conf(d, conf_text);
	xsnprintf(bin, sizeof(bin), "%s/hwhealthd", HWH_BUILD_DIR);
	ck_assert_msg(access(bin, X_OK) == 0, "%s: %s (make all first)", bin, strerror(errno));
	xmkdir(d->state, 0755);
	unlink(d->sock);
	argv[n++] = bin;
	argv[n++] = "-c";
	argv[n++] = d->conf;
	argv[n++] = "--socket";
	argv[n++] = d->sock;
	argv[n++] = "--state-dir";
	argv[n++] = d->state;
	for (; extra != NULL && *extra != NULL; extra++) {
		ck_assert_msg(n < TL_MAX_ARGS - 1, "too many daemon arguments");
		argv[n++] = *extra;
	}
	argv[n] = NULL;

	/* The daemon stays in the test's process group: check kills the
	 * group when the test ends, so a failed test never leaves it behind. */
	rc = daemon_spawn(d, bin, argv, enter, arg);
	if (rc != 0) {
		d->pid = 0;
		ck_abort_msg("spawn %s: %s", bin, strerror(rc));
	}

	deadline = tl_mono_ms() + TL_START_TIMEOUT_MS;
	while (!daemon_pings(d)) {
		if (!daemon_running(d)) {
			char *log = daemon_log(d);
			ck_abort_msg("hwhealthd exited (code %d) before answering; log:\n%s",
				     d->exit_code, log);
		}
		if (tl_mono_ms() > deadline) {
			char *log = daemon_log(d);
			ck_abort_msg("hwhealthd did not answer a ping on %s within %d ms; "
				     "log:\n%s",
				     d->sock, TL_START_TIMEOUT_MS, log);
		}
		sleep_ms(TL_STEP_MS);
	}
}

void daemon_start(struct test_daemon *d, const char *conf_text)
{
	daemon_start_args(d, conf_text, NULL);
}

void daemon_signal(struct test_daemon *d, int sig)
{
	ck_assert_msg(d->pid > 0, "daemon not running");
	if (kill(d->pid, sig) == -1)
		ck_abort_msg("kill %d: %s", (int)d->pid, strerror(errno));
}

int daemon_stop(struct test_daemon *d)
{
	int64_t deadline;

	if (!daemon_running(d))
		return d->exit_code;
	if (kill(d->pid, SIGTERM) == -1)
		ck_abort_msg("kill %d: %s", (int)d->pid, strerror(errno));
	deadline = tl_mono_ms() + TL_STOP_TIMEOUT_MS;
	while (daemon_running(d)) {
		if (tl_mono_ms() > deadline) {
			int status;
			char *log;

			kill(d->pid, SIGKILL);
			waitpid(d->pid, &status, 0);
			d->pid = 0;
			log = daemon_log(d);
			ck_abort_msg("hwhealthd still running %d ms after SIGTERM "
				     "(killed); log:\n%s",
				     TL_STOP_TIMEOUT_MS, log);
		}
		sleep_ms(TL_STEP_MS);
	}
	daemon_check_sanitizers(d);
	return d->exit_code;
}

/* A sanitizer report in the daemon's log fails the test, whatever the test
 * itself asserts: the ASan/UBSan build (make check SANITIZE=1) checks every
 * daemon run this way. */
void daemon_check_sanitizers(struct test_daemon *d)
{
	static const char *const marks[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
					    "runtime error:"};
	char *log = daemon_log(d);

	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (strstr(log, marks[i]) != NULL)
			ck_abort_msg("sanitizer report in the daemon log:\n%s", log);
	free(log);
}

char *daemon_log(struct test_daemon *d)
{
	char *s = read_file_str(d->log);

	if (s == NULL) {
		s = strdup("");
		ck_assert_ptr_nonnull(s);
	}
	return s;
}

bool daemon_log_has(struct test_daemon *d, const char *needle)
{
	char *s = daemon_log(d);
	bool has = strstr(s, needle) != NULL;

	free(s);
	return has;
}

/* ---- CLI ---------------------------------------------------------- */

/* argv: hwhealth --socket SOCK [--json] then the variadic args. */
static int cli_vrun(struct test_daemon *d, struct cmd_result *res, bool json, va_list ap)
{
	static char bin[TL_PATH_MAX];
	const char *argv[TL_MAX_ARGS];
	const char *a;
	int n = 0;

	xsnprintf(bin, sizeof(bin), "%s/hwhealth", HWH_BUILD_DIR);
	ck_assert_msg(access(bin, X_OK) == 0, "%s: %s (make all first)", bin, strerror(errno));
	argv[n++] = bin;
	argv[n++] = "--socket";
	argv[n++] = d->sock;
	if (json)
		argv[n++] = "--json";
	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(n < TL_MAX_ARGS - 1, "too many CLI arguments");
		argv[n++] = a;
	}
	argv[n] = NULL;
	return cmd_run(argv, res, TL_CMD_TIMEOUT_MS);
}

int cli_run(struct test_daemon *d, struct cmd_result *res, int *exit_code, ...)
{
	va_list ap;
	int code;

	va_start(ap, exit_code);
	code = cli_vrun(d, res, false, ap);
	va_end(ap);
	if (exit_code != NULL)
		*exit_code = code;
	return code;
}

struct json_object *cli_json(struct test_daemon *d, ...)
{
	enum json_tokener_error jerr;
	struct cmd_result res;
	struct json_object *obj;
	va_list ap;

	va_start(ap, d);
	cli_vrun(d, &res, true, ap);
	va_end(ap);
	obj = json_tokener_parse_verbose(res.out, &jerr);
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		ck_abort_msg("hwhealth --json: exit %d, stdout not a JSON object (%s):\n"
			     "%s\nstderr:\n%s",
			     res.code, obj ? "not an object" : json_tokener_error_desc(jerr),
			     res.out, res.err);
	cmd_result_free(&res);
	return obj;
}

/* ---- JSON --------------------------------------------------------- */

/* Follow a dotted path of object members. */
static struct json_object *json_path(struct json_object *obj, const char *key)
{
	char part[128];
	const char *dot;

	while (obj != NULL && key != NULL) {
		size_t len;

		dot = strchr(key, '.');
		len = dot ? (size_t)(dot - key) : strlen(key);
		if (len >= sizeof(part))
			return NULL;
		memcpy(part, key, len);
		part[len] = '\0';
		if (!json_object_is_type(obj, json_type_object) ||
		    !json_object_object_get_ex(obj, part, &obj))
			return NULL;
		key = dot ? dot + 1 : NULL;
	}
	return obj;
}

static struct json_object *json_find(struct json_object *result, const char *array,
				     const char *field, const char *want)
{
	struct json_object *arr = json_path(result, array);

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		const char *v = json_str(e, field);

		if (v != NULL && strcmp(v, want) == 0)
			return e;
	}
	return NULL;
}

struct json_object *json_metric(struct json_object *result, const char *id)
{
	return json_find(result, "metrics", "id", id);
}

struct json_object *json_source(struct json_object *result, const char *name)
{
	return json_find(result, "sources", "name", name);
}

struct json_object *json_finding(struct json_object *explain, const char *rule, const char *target)
{
	struct json_object *f;

	if (explain == NULL || !json_object_object_get_ex(explain, "findings", &f))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(f); i++) {
		struct json_object *x = json_object_array_get_idx(f, i);
		const char *r = json_str(x, "rule"), *t = json_str(x, "target");

		if (r && strcmp(r, rule) == 0 && (target == NULL || (t && strcmp(t, target) == 0)))
			return x;
	}
	return NULL;
}

const char *json_str(struct json_object *obj, const char *key)
{
	struct json_object *v = json_path(obj, key);

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

double json_num(struct json_object *obj, const char *key)
{
	struct json_object *v = json_path(obj, key);

	if (v == NULL ||
	    !(json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
		return NAN;
	return json_object_get_double(v);
}

bool json_array_has(struct json_object *obj, const char *key, const char *s)
{
	struct json_object *arr = json_path(obj, key);

	if (arr == NULL || !json_object_is_type(arr, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) &&
		    strcmp(json_object_get_string(e), s) == 0)
			return true;
	}
	return false;
}

/* ---- waiting ------------------------------------------------------ */

bool wait_until(bool (*cond)(void *), void *arg, int timeout_ms)
{
	int64_t deadline = tl_mono_ms() + timeout_ms;

	for (;;) {
		if (cond(arg))
			return true;
		if (tl_mono_ms() >= deadline)
			return false;
		sleep_ms(TL_POLL_MS);
	}
}

/* ---- background processes ----------------------------------------- */

/* In the child between fork and exec: only async-signal-safe calls, and
 * _exit(127) on any failure (the parent sees it as the exit code). */
static void spawn_child(const char *const *argv, int logfd, const struct passwd *pw,
			const char *const *env, tl_enter_fn enter, void *arg)
{
	int nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (enter != NULL && enter(arg) != 0)
		_exit(127);
	if (nullfd == -1 || dup2(nullfd, 0) == -1 || dup2(logfd, 1) == -1 || dup2(logfd, 2) == -1)
		_exit(127);
	if (pw != NULL && (initgroups(pw->pw_name, pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
			   setuid(pw->pw_uid) == -1))
		_exit(127);
	/* After setuid: a change of credentials clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(127);
	for (int i = 0; env != NULL && env[i] != NULL; i++)
		if (putenv((char *)env[i]) != 0)
			_exit(127);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

pid_t tl_spawn(const char *const *argv, const char *log, const char *user, const char *const *env)
{
	return tl_spawn_in(argv, log, user, env, NULL, NULL);
}

pid_t tl_spawn_in(const char *const *argv, const char *log, const char *user,
		  const char *const *env, tl_enter_fn enter, void *arg)
{
	struct passwd *pw = NULL;
	int logfd;
	pid_t pid;

	if (user != NULL && (pw = getpwnam(user)) == NULL)
		ck_abort_msg("tl_spawn %s: no user %s", argv[0], user);
	logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd == -1)
		ck_abort_msg("tl_spawn %s: %s: %s", argv[0], log, strerror(errno));
	pid = fork();
	if (pid == -1)
		ck_abort_msg("fork: %s", strerror(errno));
	if (pid == 0)
		spawn_child(argv, logfd, pw, env, enter, arg);
	close(logfd);
	return pid;
}

bool tl_child_running(pid_t *pid, int *code)
{
	int status;
	pid_t r;

	if (*pid <= 0)
		return false;
	r = waitpid(*pid, &status, WNOHANG);
	if (r == 0)
		return true;
	if (code != NULL)
		*code = r == *pid ? wait_code(status) : -1;
	*pid = 0;
	return false;
}

int tl_stop_pid(pid_t *pid, int sig, int timeout_ms)
{
	int code = -1;

	if (*pid <= 0)
		return -1;
	kill(*pid, sig);
	for (int round = 0; round < 2; round++) {
		int64_t deadline = tl_mono_ms() + timeout_ms;

		while (tl_mono_ms() < deadline) {
			if (!tl_child_running(pid, &code))
				return code;
			sleep_ms(TL_STEP_MS);
		}
		if (round == 0)
			kill(*pid, SIGKILL);
	}
	fprintf(stderr, "tl_stop_pid: %d survives SIGKILL\n", (int)*pid);
	*pid = 0;
	return -1;
}

char *tl_file_tail(const char *path, size_t max_bytes)
{
	char *all = read_file_str(path), *tail;
	size_t len;

	if (all == NULL) {
		tail = strdup("(no such file)");
		ck_assert_ptr_nonnull(tail);
		return tail;
	}
	len = strlen(all);
	if (len <= max_bytes)
		return all;
	tail = strdup(all + len - max_bytes);
	free(all);
	ck_assert_ptr_nonnull(tail);
	return tail;
}
