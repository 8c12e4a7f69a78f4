/*
 * pcmk3: see pcmk3.h.  The layout of DIR:
 *   fence.log                     what fence_hwhtest was asked (with fencing)
 *   nI/corosync.conf              the same nodelist on every node
 *   nI/lib, nI/corosync, nI/log   as in pcmk.c, bound in node I only
 *   nI/sbin-up, nI/sbin-wk        the /usr/sbin overlay (with fencing)
 *
 * The order matters for leaks: holders first (they die with the test process
 * through PR_SET_PDEATHSIG), then the sweeper (it needs their namespaces),
 * then the network and the daemons.
 */
#include "pcmk3.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCMK3_MAX_ARGS 32
#define PCMK3_LOG_TAIL 2000 /* bytes of each log quoted in a failure message */
#define PCMK3_SUBNET "10.200.0."
#define PCMK3_SETTLE_TIMEOUT "15s" /* crm_resource --wait before stopping */

static const int ns_types[3] = {CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWNS};
static const char *const ns_names[3] = {"net", "uts", "mnt"};
static struct pcmk3 *running; /* for the atexit hook */

static void xpath(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		ck_abort_msg("path too long: %s/%s", dir, name);
}

const char *pcmk3_name(int i)
{
	static char names[PCMK3_MAX_NODES + 1][8];

	ck_assert_msg(i >= 1 && i <= PCMK3_MAX_NODES, "pcmk3: no node %d", i);
	snprintf(names[i], sizeof names[i], "node%d", i);
	return names[i];
}

struct pcmk3_node *pcmk3_node_at(struct pcmk3 *c, int i)
{
	ck_assert_msg(i >= 1 && i <= c->nodes, "pcmk3: no node %d of %d", i, c->nodes);
	return &c->node[i - 1];
}

/* ---- holders ---------------------------------------------------------------- */

/* In the holder (a fork of the test process that never execs): say why it
 * failed on the pipe and exit. */
static void holder_fail(int wfd, const char *what, const char *arg)
{
	char msg[TL_PATH_MAX + 128];
	int n = snprintf(msg, sizeof msg, "%s %s: %s", what, arg, strerror(errno));

	if (write(wfd, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1) < 0)
		_exit(2);
	_exit(1);
}

static void holder_bind(int wfd, const char *dir, const char *name, const char *target)
{
	char src[TL_PATH_MAX];

	snprintf(src, sizeof src, "%s/%s", dir, name);
	if (mount(src, target, NULL, MS_BIND, NULL) == -1)
		holder_fail(wfd, "bind over", target);
}

/* Node n's mount and UTS setup (n NULL: the bridge, network only). */
static void holder_node(int wfd, const struct pcmk3 *c, const struct pcmk3_node *n)
{
	char opts[3 * TL_PATH_MAX];

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		holder_fail(wfd, "make private", "/");
	if (sethostname(n->name, strlen(n->name)) == -1)
		holder_fail(wfd, "sethostname", n->name);
	holder_bind(wfd, n->dir, "lib", "/var/lib/pacemaker");
	holder_bind(wfd, n->dir, "corosync", "/var/lib/corosync");
	holder_bind(wfd, n->dir, "log", "/var/log/pacemaker");
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == -1)
		holder_fail(wfd, "tmpfs on", "/run");
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		holder_fail(wfd, "tmpfs on", "/dev/shm");
	if (!c->fencing)
		return;
	snprintf(opts, sizeof opts, "lowerdir=/usr/sbin,upperdir=%s/sbin-up,workdir=%s/sbin-wk",
		 n->dir, n->dir);
	if (mount("overlay", "/usr/sbin", "overlay", 0, opts) == -1)
		holder_fail(wfd, "overlay", opts);
}

static void holder_main(int wfd, const struct pcmk3 *c, const struct pcmk3_node *n, pid_t parent)
{
	int flags = CLONE_NEWNET | (n != NULL ? CLONE_NEWNS | CLONE_NEWUTS : 0);
	struct ifreq ifr;
	int fd;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	if (unshare(flags) == -1)
		holder_fail(wfd, "unshare", n != NULL ? n->name : "bridge");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		holder_fail(wfd, "loopback", "lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		holder_fail(wfd, "loopback up", "lo");
	close(fd);
	if (n != NULL)
		holder_node(wfd, c, n);
	if (write(wfd, "ok", 2) != 2)
		_exit(1);
	/* Hold nothing of the test's but stdio (pipes, other namespaces). */
	close_range(3, ~0U, 0);
	for (;;)
		pause();
}

/* Fork a holder for n (NULL: the bridge) and wait until it has its
 * namespaces; aborts the test with the holder's reason. */
static pid_t holder_start(struct pcmk3 *c, const struct pcmk3_node *n)
{
	char msg[TL_PATH_MAX + 128] = "", self[PCMK_NS_ID_MAX], its[PCMK_NS_ID_MAX];
	struct pollfd pfd;
	pid_t parent = getpid(), pid;
	ssize_t len = 0;
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) == -1)
		ck_abort_msg("pipe2: %s", strerror(errno));
	pid = fork();
	if (pid == -1)
		ck_abort_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		holder_main(fds[1], c, n, parent);
	}
	close(fds[1]);
	pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
	if (poll(&pfd, 1, PCMK3_HOLDER_TIMEOUT_MS) == 1)
		len = read(fds[0], msg, sizeof msg - 1);
	close(fds[0]);
	msg[len > 0 ? len : 0] = '\0';
	if (strcmp(msg, "ok") != 0) {
		tl_stop_pid(&pid, SIGKILL, PCMK_STOP_TIMEOUT_MS);
		ck_abort_msg("pcmk3: holder of %s: %s", n != NULL ? n->name : "the bridge",
			     msg[0] != '\0' ? msg : "no answer");
	}
	/* Never configure the host's network by mistake. */
	if (pcmk_netns_id(getpid(), self, sizeof self) != 0 ||
	    pcmk_netns_id(pid, its, sizeof its) != 0 || strcmp(self, its) == 0)
		ck_abort_msg("pcmk3: holder %d is not in a network namespace of its own", (int)pid);
	return pid;
}

static int open_ns(pid_t pid, const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		ck_abort_msg("open %s: %s", path, strerror(errno));
	return fd;
}

int pcmk3_enter_node(void *node)
{
	const struct pcmk3_node *n = node;

	for (int k = 0; k < 3; k++)
		if (setns(n->ns[k], ns_types[k]) == -1)
			return -errno;
	/* Joining a mount namespace moves the cwd to its root. */
	return chdir(n->cwd) == -1 ? -errno : 0;
}

static int enter_bridge(void *c)
{
	return setns(((struct pcmk3 *)c)->bridge_ns, CLONE_NEWNET) == -1 ? -errno : 0;
}

/* ---- network ---------------------------------------------------------------- */

/* `ip ARGS` (NULL-terminated) in enter(arg)'s namespaces, or abort. */
static void ip_must(tl_enter_fn enter, void *arg, ...)
{
	const char *argv[PCMK3_MAX_ARGS + 1] = {"ip"};
	struct cmd_result res;
	int n = 1;
	va_list ap;

	va_start(ap, arg);
	while (n < PCMK3_MAX_ARGS && (argv[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	if (cmd_run_in(argv, &res, PCMK_CMD_TIMEOUT_MS, enter, arg) != 0)
		ck_abort_msg("pcmk3: ip %s %s %s exited %d: %s", argv[1], argv[2], argv[3],
			     res.code, res.err);
	cmd_result_free(&res);
}

/* br0 in the bridge's namespace; per node eth0 (10.200.0.I/24) with its
 * veth peer bI in br0. */
static void network_up(struct pcmk3 *c)
{
	char bridge[16], addr[32], peer[8];

	snprintf(bridge, sizeof bridge, "%d", (int)c->bridge);
	ip_must(enter_bridge, c, "link", "add", "br0", "type", "bridge", NULL);
	ip_must(enter_bridge, c, "link", "set", "br0", "up", NULL);
	for (int i = 1; i <= c->nodes; i++) {
		struct pcmk3_node *n = pcmk3_node_at(c, i);

		snprintf(peer, sizeof peer, "b%d", i);
		snprintf(addr, sizeof addr, PCMK3_SUBNET "%d/24", i);
		ip_must(pcmk3_enter_node, n, "link", "add", "eth0", "type", "veth", "peer", "name",
			peer, "netns", bridge, NULL);
		ip_must(pcmk3_enter_node, n, "addr", "add", addr, "dev", "eth0", NULL);
		ip_must(pcmk3_enter_node, n, "link", "set", "eth0", "up", NULL);
		ip_must(enter_bridge, c, "link", "set", peer, "master", "br0", NULL);
		ip_must(enter_bridge, c, "link", "set", peer, "up", NULL);
	}
}

/* ---- files ------------------------------------------------------------------ */

static void copy_agent(const struct pcmk3_node *n)
{
	char src[TL_PATH_MAX], dst[TL_PATH_MAX], *text;

	xpath(src, sizeof src, HWH_SRC_DIR, "tests/fence_hwhtest");
	xpath(dst, sizeof dst, n->dir, "sbin-up/fence_hwhtest");
	if ((text = read_file_str(src)) == NULL)
		ck_abort_msg("pcmk3: read %s: %s", src, strerror(errno));
	if (write_file_str(dst, text) != 0 || chmod(dst, 0755) == -1)
		ck_abort_msg("pcmk3: install %s failed", dst);
	free(text);
}

static void write_node_files(struct pcmk3 *c, struct pcmk3_node *n, const char *nodelist,
			     const char *resources)
{
	char path[TL_PATH_MAX];

	pcmk_make_dirs(n->dir);
	xpath(n->log, sizeof n->log, n->dir, "log/pacemaker.log");
	xpath(n->corosync_log, sizeof n->corosync_log, n->dir, "log/corosync.log");
	xpath(path, sizeof path, n->dir, "corosync.conf");
	pcmk_write_corosync_conf(path, "hwh3", n->corosync_log,
				 c->nodes == 2 ? "  two_node: 1\n" : "", nodelist);
	pcmk_write_cib(n->dir, c->fencing, resources);
	if (!c->fencing)
		return;
	xpath(path, sizeof path, n->dir, "sbin-up");
	if (mkdir(path, 0755) == -1)
		ck_abort_msg("mkdir %s: %s", path, strerror(errno));
	xpath(path, sizeof path, n->dir, "sbin-wk");
	if (mkdir(path, 0755) == -1)
		ck_abort_msg("mkdir %s: %s", path, strerror(errno));
	copy_agent(n);
}

static void write_files(struct pcmk3 *c)
{
	char nodelist[1024] = "", fence[1024] = "", sub[16];
	size_t len = 0;

	for (int i = 1; i <= c->nodes; i++)
		len += (size_t)snprintf(nodelist + len, sizeof nodelist - len,
					"  node {\n    name: node%d\n    nodeid: %d\n"
					"    ring0_addr: " PCMK3_SUBNET "%d\n  }\n",
					i, i, i);
	if (c->fencing &&
	    (size_t)snprintf(
		fence, sizeof fence,
		"<primitive id=\"fence-test\" class=\"stonith\" type=\"fence_hwhtest\">"
		"<instance_attributes id=\"fence-test-ia\">"
		"<nvpair id=\"fence-test-hl\" name=\"pcmk_host_list\" value=\"%s\"/>"
		"<nvpair id=\"fence-test-log\" name=\"log\" value=\"%s\"/>"
		"</instance_attributes></primitive>",
		c->nodes == 2 ? "node1 node2" : "node1 node2 node3", c->fence_log) >= sizeof fence)
		ck_abort_msg("pcmk3: dir too long");
	for (int i = 1; i <= c->nodes; i++) {
		struct pcmk3_node *n = pcmk3_node_at(c, i);

		snprintf(sub, sizeof sub, "n%d", i);
		xpath(n->dir, sizeof n->dir, c->dir, sub);
		write_node_files(c, n, nodelist, fence);
	}
}

/* ---- stop ------------------------------------------------------------------- */

static void stop_running(void)
{
	if (running != NULL)
		pcmk3_stop(running);
}

/* Let a transition in flight finish first: stopping every node in the
 * middle of one (right after a fence, say) left the last node's pacemakerd
 * waiting 20 s for an action on a node already gone. */
static void settle(struct pcmk3 *c)
{
	struct cmd_result res;

	for (int i = 1; i <= c->nodes; i++) {
		if (!tl_child_running(&c->node[i - 1].pacemakerd, &c->node[i - 1].pacemakerd_code))
			continue;
		if (pcmk3_run(c, i, &res, "crm_resource", "--wait", "-T", PCMK3_SETTLE_TIMEOUT,
			      NULL) != 0)
			fprintf(stderr, "pcmk3_stop: the cluster did not settle (%d): %s", res.code,
				res.err);
		cmd_result_free(&res);
		return;
	}
}

int pcmk3_stop(struct pcmk3 *c)
{
	struct pcmk_daemon_id ids[PCMK3_MAX_NODES][PCMK_MAX_DAEMONS];
	int nids[PCMK3_MAX_NODES] = {0}, code = 0;
	int64_t t0 = tl_mono_ms(), t1;

	if (c->nodes == 0 || running != c)
		return 0; /* never started, or stopped */
	settle(c);
	t1 = tl_mono_ms();
	/* All at once: the nodes stop in parallel (~1.5 s, not 3 x 1.5 s). */
	for (int k = 0; k < c->nodes; k++)
		if (c->node[k].pacemakerd > 0) {
			nids[k] =
			    pcmk_list_children(c->node[k].pacemakerd, ids[k], PCMK_MAX_DAEMONS);
			kill(c->node[k].pacemakerd, SIGTERM);
		}
	for (int k = 0; k < c->nodes; k++) {
		struct pcmk3_node *n = &c->node[k];

		if (n->pacemakerd > 0) {
			n->pacemakerd_code = tl_stop_pid(&n->pacemakerd, 0, PCMK_STOP_TIMEOUT_MS);
			if (n->pacemakerd_code != 0 && code == 0)
				code = n->pacemakerd_code;
		}
		pcmk_kill_leftovers(ids[k], nids[k]);
	}
	for (int k = 0; k < c->nodes; k++)
		if (c->node[k].corosync > 0)
			kill(c->node[k].corosync, SIGTERM);
	for (int k = 0; k < c->nodes; k++) {
		struct pcmk3_node *n = &c->node[k];

		n->corosync_code = tl_stop_pid(&n->corosync, 0, PCMK_STOP_TIMEOUT_MS);
		tl_stop_pid(&n->holder, SIGKILL, PCMK_STOP_TIMEOUT_MS);
		for (int t = 0; t < 3; t++)
			if (n->ns[t] >= 0) {
				close(n->ns[t]);
				n->ns[t] = -1;
			}
	}
	tl_stop_pid(&c->bridge, SIGKILL, PCMK_STOP_TIMEOUT_MS);
	if (c->bridge_ns >= 0) {
		close(c->bridge_ns);
		c->bridge_ns = -1;
	}
	pcmk_sweeper_stop(&c->sweeper);
	running = NULL;
	fprintf(stderr, "pcmk3: settled in %lld ms, stopped in %lld ms more\n",
		(long long)(t1 - t0), (long long)(tl_mono_ms() - t1));
	return code;
}

void pcmk3_free(struct pcmk3 *c)
{
	pcmk3_stop(c);
	if (c->dir[0] != '\0' && tl_rm_rf(c->dir) != 0)
		fprintf(stderr, "pcmk3_free: cannot remove %s: %s\n", c->dir, strerror(errno));
	c->dir[0] = '\0';
}

/* ---- start ------------------------------------------------------------------ */

static void abort_with_logs(struct pcmk3 *c, int i, const char *what)
{
	struct pcmk3_node *n = pcmk3_node_at(c, i);
	char path[TL_PATH_MAX], *pl = tl_file_tail(n->log, PCMK3_LOG_TAIL), *cl, *out;

	cl = tl_file_tail(n->corosync_log, PCMK3_LOG_TAIL / 2);
	xpath(path, sizeof path, n->dir, "log/pacemakerd.out");
	out = tl_file_tail(path, PCMK3_LOG_TAIL / 2);
	pcmk3_stop(c);
	ck_abort_msg("pcmk3: %s: %s (logs kept in %s)\n--- corosync.log\n%s\n"
		     "--- pacemakerd.out\n%s\n--- pacemaker.log\n%s",
		     n->name, what, n->dir, cl, out, pl);
}

static void holders_start(struct pcmk3 *c)
{
	char ns[PCMK3_MAX_NODES + 1][PCMK_NS_ID_MAX];

	c->bridge = holder_start(c, NULL);
	c->bridge_ns = open_ns(c->bridge, "net");
	pcmk_netns_id(c->bridge, ns[0], sizeof ns[0]);
	for (int i = 1; i <= c->nodes; i++) {
		struct pcmk3_node *n = pcmk3_node_at(c, i);

		n->holder = holder_start(c, n);
		for (int t = 0; t < 3; t++)
			n->ns[t] = open_ns(n->holder, ns_names[t]);
		pcmk_netns_id(n->holder, ns[i], sizeof ns[i]);
	}
	pcmk_sweeper_start(&c->sweeper, ns, c->nodes + 1);
}

static bool corosync_ready(void *arg)
{
	struct pcmk3_node *n = arg;
	struct cmd_result res;
	int code;

	if (!tl_child_running(&n->corosync, &n->corosync_code))
		return true; /* dead: the caller says so */
	code = cmd_run_in((const char *const[]){"corosync-cfgtool", "-s", NULL}, &res,
			  PCMK_CMD_TIMEOUT_MS, pcmk3_enter_node, n);
	cmd_result_free(&res);
	return code == 0;
}

/* Every node sees every node online (or a pacemakerd died). */
static bool all_online(void *arg)
{
	struct pcmk3 *c = arg;

	for (int i = 1; i <= c->nodes; i++) {
		char *xml;
		bool ok = true;

		if (!tl_child_running(&c->node[i - 1].pacemakerd, &c->node[i - 1].pacemakerd_code))
			return true;
		if ((xml = pcmk3_status_xml(c, i)) == NULL)
			return false;
		for (int j = 1; j <= c->nodes && ok; j++) {
			struct pcmk_node st;

			ok = pcmk_xml_node(xml, pcmk3_name(j), &st) && st.online;
		}
		free(xml);
		if (!ok)
			return false;
	}
	return true;
}

static void daemons_start(struct pcmk3 *c)
{
	static const char *const pcmk_env[] = {"PCMK_logfile=/var/log/pacemaker/pacemaker.log",
					       NULL};
	char conf[TL_PATH_MAX], out[TL_PATH_MAX];

	for (int i = 1; i <= c->nodes; i++) {
		struct pcmk3_node *n = pcmk3_node_at(c, i);

		xpath(conf, sizeof conf, n->dir, "corosync.conf");
		xpath(out, sizeof out, n->dir, "log/corosync.out");
		n->corosync = tl_spawn_in((const char *const[]){"corosync", "-f", "-c", conf, NULL},
					  out, NULL, NULL, pcmk3_enter_node, n);
	}
	for (int i = 1; i <= c->nodes; i++)
		if (!wait_until(corosync_ready, pcmk3_node_at(c, i), PCMK_COROSYNC_TIMEOUT_MS) ||
		    c->node[i - 1].corosync == 0)
			abort_with_logs(c, i, "corosync did not come up");
	/* pacemakerd stays in the foreground and in check's process group. */
	for (int i = 1; i <= c->nodes; i++) {
		struct pcmk3_node *n = pcmk3_node_at(c, i);

		xpath(out, sizeof out, n->dir, "log/pacemakerd.out");
		n->pacemakerd = tl_spawn_in((const char *const[]){"/usr/sbin/pacemakerd", NULL},
					    out, NULL, pcmk_env, pcmk3_enter_node, n);
	}
}

static void check_preconditions(void)
{
	const char *fork_env = getenv("CK_FORK");

	if (geteuid() != 0)
		ck_abort_msg("the Pacemaker tests need root: they create namespaces");
	if (fork_env != NULL && strcmp(fork_env, "no") == 0)
		ck_abort_msg("the Pacemaker tests need check's fork mode (unset CK_FORK=no): "
			     "the namespaces must die with the test process");
	if (running != NULL)
		ck_abort_msg("pcmk3: one cluster per test process at a time");
}

void pcmk3_start(struct pcmk3 *c, const char *dir, int nodes, bool fencing)
{
	int64_t t0 = tl_mono_ms();

	check_preconditions();
	ck_assert_msg(nodes >= 2 && nodes <= PCMK3_MAX_NODES, "pcmk3: %d nodes", nodes);
	memset(c, 0, sizeof *c);
	c->nodes = nodes;
	c->fencing = fencing;
	c->bridge_ns = -1;
	for (int k = 0; k < PCMK3_MAX_NODES; k++) {
		c->node[k] = (struct pcmk3_node){.index = k + 1, .ns = {-1, -1, -1}, .cwd = c->cwd};
		snprintf(c->node[k].name, sizeof c->node[k].name, "node%d", k + 1);
	}
	if ((size_t)snprintf(c->dir, sizeof c->dir, "%s", dir) >= sizeof c->dir ||
	    strchr(dir, ',') != NULL || getcwd(c->cwd, sizeof c->cwd) == NULL)
		ck_abort_msg("pcmk3: dir too long or holding ',', or no cwd");
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
	xpath(c->fence_log, sizeof c->fence_log, dir, "fence.log");
	write_files(c);

	if (atexit(stop_running) != 0)
		ck_abort_msg("atexit failed");
	running = c;
	holders_start(c);
	network_up(c);
	daemons_start(c);
	if (!wait_until(all_online, c, PCMK3_ONLINE_TIMEOUT_MS))
		abort_with_logs(c, 1, "not every node online in time");
	for (int i = 1; i <= nodes; i++)
		if (c->node[i - 1].pacemakerd == 0)
			abort_with_logs(c, i, "pacemakerd exited");
	fprintf(stderr, "pcmk3: %d nodes online in %lld ms (%s)\n", nodes,
		(long long)(tl_mono_ms() - t0), dir);
}

/* ---- using a node ----------------------------------------------------------- */

void pcmk3_daemon_start(struct pcmk3 *c, int i, struct test_daemon *d, const char *conf_text)
{
	daemon_start_in(d, conf_text, NULL, pcmk3_enter_node, pcmk3_node_at(c, i));
}

void pcmk3_bind(struct pcmk3 *c, int i, const char *src, const char *target)
{
	struct pcmk3_node *n = pcmk3_node_at(c, i);
	pid_t pid = fork();
	int code;

	if (pid == -1)
		ck_abort_msg("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(pcmk3_enter_node(n) != 0 || mount(src, target, NULL, MS_BIND, NULL) == -1
			  ? 1
			  : 0);
	code = tl_stop_pid(&pid, 0, PCMK_CMD_TIMEOUT_MS);
	if (code != 0)
		ck_abort_msg("pcmk3: bind %s over %s in %s failed (%d)", src, target, n->name,
			     code);
}

static int run_v(struct pcmk3_node *n, struct cmd_result *res, va_list ap)
{
	const char *argv[PCMK3_MAX_ARGS + 1];
	const char *a;
	int k = 0;

	while ((a = va_arg(ap, const char *)) != NULL) {
		if (k == PCMK3_MAX_ARGS)
			ck_abort_msg("pcmk3_run: more than %d arguments", PCMK3_MAX_ARGS);
		argv[k++] = a;
	}
	argv[k] = NULL;
	if (k == 0)
		ck_abort_msg("pcmk3_run: no command");
	return cmd_run_in(argv, res, PCMK_CMD_TIMEOUT_MS, pcmk3_enter_node, n);
}

int pcmk3_run(struct pcmk3 *c, int i, struct cmd_result *res, ...)
{
	struct pcmk3_node *n = pcmk3_node_at(c, i);
	va_list ap;
	int code;

	va_start(ap, res);
	code = run_v(n, res, ap);
	va_end(ap);
	return code;
}

void pcmk3_must(struct pcmk3 *c, int i, ...)
{
	struct pcmk3_node *n = pcmk3_node_at(c, i);
	struct cmd_result res;
	const char *first;
	va_list ap;

	va_start(ap, i);
	run_v(n, &res, ap);
	va_end(ap);
	va_start(ap, i);
	first = va_arg(ap, const char *);
	va_end(ap);
	if (res.code != 0)
		ck_abort_msg("%s on %s exited %d: %s%s", first, n->name, res.code, res.err,
			     res.out);
	cmd_result_free(&res);
}

char *pcmk3_status_xml(struct pcmk3 *c, int i)
{
	struct cmd_result res;

	if (pcmk3_run(c, i, &res, "crm_mon", "-1", "--output-as=xml", NULL) != 0) {
		cmd_result_free(&res);
		return NULL;
	}
	free(res.err);
	return res.out;
}

bool pcmk3_node(struct pcmk3 *c, int i, const char *name, struct pcmk_node *out)
{
	char *xml = pcmk3_status_xml(c, i);
	bool found = xml != NULL && pcmk_xml_node(xml, name, out);

	free(xml);
	return found;
}

bool pcmk3_resource(struct pcmk3 *c, int i, const char *id, struct pcmk_resource *out)
{
	char *xml = pcmk3_status_xml(c, i);
	bool found = xml != NULL && pcmk_xml_resource(xml, id, out);

	free(xml);
	return found;
}

void pcmk3_add_dummy(struct pcmk3 *c, const char *id, bool allow_unhealthy)
{
	char xml[1024];

	pcmk_dummy_xml(id, allow_unhealthy, xml, sizeof xml);
	pcmk3_must(c, 1, "cibadmin", "--create", "-o", "resources", "--xml-text", xml, NULL);
}

void pcmk3_set_health(struct pcmk3 *c, int i, const char *value)
{
	pcmk3_must(c, i, "attrd_updater", "-N", pcmk3_name(i), "-n", "#health-hwhealth", "-U",
		   value, NULL);
}

char *pcmk3_fence_log(struct pcmk3 *c)
{
	char *text = read_file_str(c->fence_log);

	if (text == NULL)
		text = strdup("");
	ck_assert_ptr_nonnull(text);
	return text;
}

bool pcmk3_pacemakerd_exited(struct pcmk3 *c, int i, int *code)
{
	struct pcmk3_node *n = pcmk3_node_at(c, i);
	bool exited = !tl_child_running(&n->pacemakerd, &n->pacemakerd_code);

	if (exited && code != NULL)
		*code = n->pacemakerd_code;
	return exited;
}
