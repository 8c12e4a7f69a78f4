/*
 * pcmk: see pcmk.h.  The layout of DIR:
 *   corosync.conf
 *   lib/{cib,pengine,blackbox,cores}  bound over /var/lib/pacemaker
 *   corosync/                         bound over /var/lib/corosync
 *   log/                              bound over /var/log/pacemaker; holds
 *                                     pacemaker.log, corosync.log and the
 *                                     daemons' stdout/stderr (*.out)
 */
#include "pcmk.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCMK_MAX_ARGS 32
#define PCMK_LOG_TAIL 3000 /* bytes of a log quoted in a failure message */
#define PCMK_USER "hacluster"
#define PCMK_GROUP "haclient"

static struct pcmk *running; /* for the atexit hook */
static char ns_dir[TL_PATH_MAX];

/* ---- files ---------------------------------------------------------------- */

static void xpath(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		ck_abort_msg("path too long: %s/%s", dir, name);
}

static void mkdir_owned(const char *dir, const char *name, mode_t mode, bool cluster)
{
	char path[TL_PATH_MAX];

	xpath(path, sizeof path, dir, name);
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", path, strerror(errno));
	if (chmod(path, mode) == -1)
		ck_abort_msg("chmod %s: %s", path, strerror(errno));
	if (cluster) {
		struct passwd *pw = getpwnam(PCMK_USER);
		struct group *gr = getgrnam(PCMK_GROUP);

		if (pw == NULL || gr == NULL)
			ck_abort_msg("no user %s / group %s: is pacemaker installed (make deps)?",
				     PCMK_USER, PCMK_GROUP);
		if (chown(path, pw->pw_uid, gr->gr_gid) == -1)
			ck_abort_msg("chown %s: %s", path, strerror(errno));
	}
}

void pcmk_write_corosync_conf(const char *path, const char *cluster, const char *logfile,
			      const char *quorum_extra, const char *nodelist)
{
	char *text;

	if (asprintf(&text,
		     "totem {\n  version: 2\n  cluster_name: %s\n  transport: knet\n"
		     "  crypto_cipher: none\n  crypto_hash: none\n  token: 1000\n}\n"
		     "logging {\n  to_stderr: no\n  to_logfile: yes\n  logfile: %s\n"
		     "  to_syslog: no\n  timestamp: hires\n}\n"
		     /* Every section over several lines: corosync rejects
		      * "quorum { provider: x }". */
		     "quorum {\n  provider: corosync_votequorum\n%s}\n"
		     "nodelist {\n%s}\n",
		     cluster, logfile, quorum_extra, nodelist) == -1)
		ck_abort_msg("asprintf failed");
	if (write_file_str(path, text) != 0)
		ck_abort_msg("write %s failed", path);
	free(text);
}

static void write_conf(const struct pcmk *p)
{
	char path[TL_PATH_MAX];

	xpath(path, sizeof path, p->dir, "corosync.conf");
	pcmk_write_corosync_conf(path, "hwhtest", p->corosync_log, "",
				 "  node {\n    name: " PCMK_NODE "\n    nodeid: 1\n"
				 "    ring0_addr: 127.0.0.1\n  }\n");
}

/* The seed CIB: the options that make a test cluster start fast and obey
 * node health, and the resources given. */
void pcmk_write_cib(const char *dir, bool stonith, const char *resources)
{
	struct passwd *pw = getpwnam(PCMK_USER);
	struct group *gr = getgrnam(PCMK_GROUP);
	char path[TL_PATH_MAX], *cib;

	if (asprintf(&cib,
		     "<cib validate-with=\"pacemaker-3.0\" epoch=\"1\" num_updates=\"0\" "
		     "admin_epoch=\"0\">\n"
		     "  <configuration>\n"
		     "    <crm_config>\n"
		     "      <cluster_property_set id=\"cib-bootstrap-options\">\n"
		     "        <nvpair id=\"opt-stonith\" name=\"stonith-enabled\" "
		     "value=\"%s\"/>\n"
		     "        <nvpair id=\"opt-dcdead\" name=\"dc-deadtime\" value=\"2s\"/>\n"
		     "        <nvpair id=\"opt-health\" name=\"node-health-strategy\" "
		     "value=\"migrate-on-red\"/>\n"
		     "      </cluster_property_set>\n"
		     "    </crm_config>\n"
		     "    <nodes/>\n"
		     "    <resources>%s</resources>\n"
		     "    <constraints/>\n"
		     "  </configuration>\n"
		     "  <status/>\n"
		     "</cib>\n",
		     stonith ? "true" : "false", resources) == -1)
		ck_abort_msg("asprintf failed");
	xpath(path, sizeof path, dir, "lib/cib/cib.xml");
	if (write_file_str(path, cib) != 0)
		ck_abort_msg("write %s failed", path);
	free(cib);
	if (pw == NULL || gr == NULL || chown(path, pw->pw_uid, gr->gr_gid) == -1 ||
	    chmod(path, 0600) == -1)
		ck_abort_msg("chown/chmod %s: %s", path, strerror(errno));
}

void pcmk_make_dirs(const char *dir)
{
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
	mkdir_owned(dir, "lib", 0750, true);
	mkdir_owned(dir, "lib/cib", 0750, true);
	mkdir_owned(dir, "lib/pengine", 0750, true);
	mkdir_owned(dir, "lib/blackbox", 0750, true);
	mkdir_owned(dir, "lib/cores", 0750, true);
	mkdir_owned(dir, "corosync", 0755, false);
	mkdir_owned(dir, "log", 0770, true);
	mkdir_owned(dir, "log/bundles", 0770, true);
}

/* ---- namespaces ------------------------------------------------------------- */

static void bind_dir(const char *dir, const char *name, const char *target)
{
	char src[TL_PATH_MAX];

	xpath(src, sizeof src, dir, name);
	if (mount(src, target, NULL, MS_BIND, NULL) == -1)
		ck_abort_msg("bind %s on %s: %s", src, target, strerror(errno));
}

static void loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (fd == -1 || ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		ck_abort_msg("lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		ck_abort_msg("lo up: %s", strerror(errno));
	close(fd);
}

/* Private mount and network namespaces for this test process and its
 * children, once; a second cluster in the same test must use the same dir
 * (the binds stay). */
static void enter_namespaces(const char *dir)
{
	const char *fork_env = getenv("CK_FORK");

	if (ns_dir[0] != '\0') {
		if (strcmp(ns_dir, dir) != 0)
			ck_abort_msg("pcmk: one cluster dir per test process (%s, then %s)", ns_dir,
				     dir);
		return;
	}
	if (geteuid() != 0)
		ck_abort_msg("the Pacemaker tests need root: they bind directories in a "
			     "private mount namespace");
	if (fork_env != NULL && strcmp(fork_env, "no") == 0)
		ck_abort_msg("the Pacemaker tests need check's fork mode (unset CK_FORK=no): "
			     "the namespaces must die with the test process");
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) == -1)
		ck_abort_msg("unshare(CLONE_NEWNS | CLONE_NEWNET): %s", strerror(errno));
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		ck_abort_msg("make / private: %s", strerror(errno));
	loopback_up();
	bind_dir(dir, "lib", "/var/lib/pacemaker");
	bind_dir(dir, "corosync", "/var/lib/corosync");
	bind_dir(dir, "log", "/var/log/pacemaker");
	/* corosync's pid lock, the resource agents' state, libqb's ring
	 * buffers: all fresh. */
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == -1 ||
	    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") == -1)
		ck_abort_msg("tmpfs on /run, /dev/shm: %s", strerror(errno));
	snprintf(ns_dir, sizeof ns_dir, "%s", dir);
}

/* ---- processes -------------------------------------------------------------- */

static struct pcmk_sweeper sweeper;

/* The sweeper watches this test process's own private network namespace. */
static void start_sweeper(void)
{
	char ns[1][PCMK_NS_ID_MAX];

	if (sweeper.pid > 0)
		return;
	if (pcmk_netns_id(getpid(), ns[0], sizeof ns[0]) != 0)
		ck_abort_msg("readlink /proc/self/ns/net: %s", strerror(errno));
	pcmk_sweeper_start(&sweeper, ns, 1);
}

static void stop_running(void)
{
	if (running != NULL)
		pcmk_stop(running);
}

bool pcmk_running(struct pcmk *p)
{
	return tl_child_running(&p->pacemakerd, &p->pacemakerd_code);
}

int pcmk_stop(struct pcmk *p)
{
	struct pcmk_daemon_id ids[PCMK_MAX_DAEMONS];
	int n = 0, code = -1;

	if (p->pacemakerd > 0) {
		n = pcmk_list_children(p->pacemakerd, ids, PCMK_MAX_DAEMONS);
		code = p->pacemakerd_code =
		    tl_stop_pid(&p->pacemakerd, SIGTERM, PCMK_STOP_TIMEOUT_MS);
		pcmk_kill_leftovers(ids, n);
	}
	if (p->corosync > 0)
		p->corosync_code = tl_stop_pid(&p->corosync, SIGTERM, PCMK_STOP_TIMEOUT_MS);
	pcmk_sweeper_stop(&sweeper);
	if (running == p)
		running = NULL;
	return code;
}

void pcmk_free(struct pcmk *p)
{
	pcmk_stop(p);
	if (p->dir[0] != '\0' && tl_rm_rf(p->dir) != 0)
		fprintf(stderr, "pcmk_free: cannot remove %s: %s\n", p->dir, strerror(errno));
	p->dir[0] = '\0';
}

/* ---- commands --------------------------------------------------------------- */

static int run_v(struct cmd_result *res, va_list ap)
{
	const char *argv[PCMK_MAX_ARGS + 1];
	int n = 0;
	const char *a;

	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n == PCMK_MAX_ARGS)
			ck_abort_msg("pcmk_run: more than %d arguments", PCMK_MAX_ARGS);
		argv[n++] = a;
	}
	argv[n] = NULL;
	if (n == 0)
		ck_abort_msg("pcmk_run: no command");
	return cmd_run(argv, res, PCMK_CMD_TIMEOUT_MS);
}

int pcmk_run(struct pcmk *p, struct cmd_result *res, ...)
{
	va_list ap;
	int code;

	(void)p; /* one cluster per test process: its namespaces are ours */
	va_start(ap, res);
	code = run_v(res, ap);
	va_end(ap);
	return code;
}

void pcmk_must(struct pcmk *p, ...)
{
	struct cmd_result res;
	va_list ap;
	const char *first;

	(void)p;
	va_start(ap, p);
	run_v(&res, ap);
	va_end(ap);
	va_start(ap, p);
	first = va_arg(ap, const char *);
	va_end(ap);
	if (res.code != 0)
		ck_abort_msg("%s exited %d: %s%s", first, res.code, res.err, res.out);
	cmd_result_free(&res);
}

char *pcmk_status_xml(struct pcmk *p)
{
	struct cmd_result res;

	if (pcmk_run(p, &res, "crm_mon", "-1", "--output-as=xml", NULL) != 0) {
		cmd_result_free(&res);
		return NULL;
	}
	free(res.err);
	return res.out;
}

/* ---- start ------------------------------------------------------------------ */

static bool corosync_ready(void *arg)
{
	struct pcmk *p = arg;
	struct cmd_result res;
	int code;

	if (!tl_child_running(&p->corosync, &p->corosync_code))
		return true; /* dead: the caller says so */
	code = pcmk_run(p, &res, "corosync-cfgtool", "-s", NULL);
	cmd_result_free(&res);
	return code == 0;
}

static bool node_online(void *arg)
{
	struct pcmk *p = arg;
	struct pcmk_node n;

	if (!pcmk_running(p))
		return true;
	return pcmk_node(p, PCMK_NODE, &n) && n.online;
}

static void abort_with_logs(struct pcmk *p, const char *what)
{
	char path[TL_PATH_MAX], *pl = tl_file_tail(p->log, PCMK_LOG_TAIL), *cl, *out;

	cl = tl_file_tail(p->corosync_log, PCMK_LOG_TAIL / 3);
	xpath(path, sizeof path, p->dir, "log/pacemakerd.out");
	out = tl_file_tail(path, PCMK_LOG_TAIL / 3);
	pcmk_stop(p);
	ck_abort_msg("pcmk: %s (logs kept in %s)\n--- corosync.log\n%s\n--- pacemakerd.out\n"
		     "%s\n--- pacemaker.log\n%s",
		     what, p->dir, cl, out, pl);
}

void pcmk_start(struct pcmk *p, const char *dir)
{
	static const char *const pcmk_env[] = {"PCMK_logfile=/var/log/pacemaker/pacemaker.log",
					       NULL};
	char conf[TL_PATH_MAX], out[TL_PATH_MAX];
	int64_t t0 = tl_mono_ms();

	memset(p, 0, sizeof *p);
	if ((size_t)snprintf(p->dir, sizeof p->dir, "%s", dir) >= sizeof p->dir)
		ck_abort_msg("pcmk: dir too long");
	pcmk_make_dirs(dir);
	xpath(p->log, sizeof p->log, dir, "log/pacemaker.log");
	xpath(p->corosync_log, sizeof p->corosync_log, dir, "log/corosync.log");
	write_conf(p);
	pcmk_write_cib(dir, false, "");
	enter_namespaces(dir);
	start_sweeper();
	if (running == NULL)
		atexit(stop_running);
	running = p;

	xpath(conf, sizeof conf, dir, "corosync.conf");
	xpath(out, sizeof out, dir, "log/corosync.out");
	p->corosync =
	    tl_spawn((const char *const[]){"corosync", "-f", "-c", conf, NULL}, out, NULL, NULL);
	if (!wait_until(corosync_ready, p, PCMK_COROSYNC_TIMEOUT_MS) || p->corosync == 0)
		abort_with_logs(p, "corosync did not come up");

	/* pacemakerd stays in the foreground (2.1 always does) and in check's
	 * process group, so its daemons die with the test process too. */
	xpath(out, sizeof out, dir, "log/pacemakerd.out");
	p->pacemakerd =
	    tl_spawn((const char *const[]){"/usr/sbin/pacemakerd", NULL}, out, NULL, pcmk_env);
	if (!wait_until(node_online, p, PCMK_ONLINE_TIMEOUT_MS))
		abort_with_logs(p, "node not online in time");
	if (p->pacemakerd == 0)
		abort_with_logs(p, "pacemakerd exited");
	fprintf(stderr, "pcmk: %s online in %lld ms (%s)\n", PCMK_NODE,
		(long long)(tl_mono_ms() - t0), dir);
}

/* ---- cluster changes ------------------------------------------------------- */

void pcmk_dummy_xml(const char *id, bool allow_unhealthy, char *xml, size_t len)
{
	char meta[256] = "";
	int n = 0;

	if (allow_unhealthy)
		n = snprintf(meta, sizeof meta,
			     "<meta_attributes id=\"%s-meta\"><nvpair id=\"%s-auh\" "
			     "name=\"allow-unhealthy-nodes\" value=\"true\"/></meta_attributes>",
			     id, id);
	if (n < 0 || (size_t)n >= sizeof meta ||
	    (size_t)snprintf(xml, len,
			     "<primitive id=\"%s\" class=\"ocf\" provider=\"pacemaker\" "
			     "type=\"Dummy\">%s<operations><op id=\"%s-mon\" name=\"monitor\" "
			     "interval=\"10s\"/></operations></primitive>",
			     id, meta, id) >= len)
		ck_abort_msg("pcmk_add_dummy: id too long");
}

void pcmk_add_dummy(struct pcmk *p, const char *id, bool allow_unhealthy)
{
	char xml[1024];

	pcmk_dummy_xml(id, allow_unhealthy, xml, sizeof xml);
	pcmk_must(p, "cibadmin", "--create", "-o", "resources", "--xml-text", xml, NULL);
}

void pcmk_set_property(struct pcmk *p, const char *name, const char *value)
{
	pcmk_must(p, "crm_attribute", "-t", "crm_config", "-n", name, "-v", value, NULL);
}

void pcmk_set_health(struct pcmk *p, const char *node, const char *value)
{
	pcmk_must(p, "attrd_updater", "-N", node, "-n", "#health-hwhealth", "-U", value, NULL);
}

bool pcmk_node(struct pcmk *p, const char *node, struct pcmk_node *out)
{
	char *xml = pcmk_status_xml(p);
	bool found = xml != NULL && pcmk_xml_node(xml, node, out);

	free(xml);
	return found;
}

bool pcmk_resource(struct pcmk *p, const char *id, struct pcmk_resource *out)
{
	char *xml = pcmk_status_xml(p);
	bool found = xml != NULL && pcmk_xml_resource(xml, id, out);

	free(xml);
	return found;
}

void pcmk_node_attr(struct pcmk *p, const char *name, char *buf, size_t len)
{
	struct cmd_result res;
	int code =
	    pcmk_run(p, &res, "crm_attribute", "-N", PCMK_NODE, "-n", name, "-G", "-q", NULL);

	ck_assert_msg(code == 0 || code == PCMK_EX_NOSUCH, "crm_attribute -G %s: %d %s", name, code,
		      res.err);
	snprintf(buf, len, "%.*s", code == 0 ? (int)strcspn(res.out, "\n") : 0, res.out);
	cmd_result_free(&res);
}

void pcmk_assert_health(struct pcmk *p, const char *want)
{
	struct pcmk_node n;
	struct cmd_result res;
	char q[128];

	ck_assert(pcmk_node(p, PCMK_NODE, &n));
	ck_assert_str_eq(n.health, want);
	ck_assert_int_eq(pcmk_run(p, &res, "attrd_updater", "-Q", "-n", "#health-hwhealth", NULL),
			 0);
	snprintf(q, sizeof q, "value=\"%s\"", want);
	ck_assert_msg(strstr(res.out, q) != NULL, "attrd_updater -Q: %s", res.out);
	cmd_result_free(&res);
}

struct role_wait {
	struct pcmk *p;
	const char *id, *role;
};

static bool has_role(void *arg)
{
	struct role_wait *w = arg;
	struct pcmk_resource r;

	return pcmk_resource(w->p, w->id, &r) && strcmp(r.role, w->role) == 0;
}

bool pcmk_wait_role(struct pcmk *p, const char *id, const char *role, int timeout_ms)
{
	struct role_wait w = {p, id, role};

	return wait_until(has_role, &w, timeout_ms);
}

/* ---- the XML scanner -------------------------------------------------------- */

/* Does s start the tag <name (followed by a space, '/' or '>')? */
static bool is_tag(const char *s, const char *name)
{
	size_t n = strlen(name);

	return s[0] == '<' && strncmp(s + 1, name, n) == 0 &&
	       (s[n + 1] == ' ' || s[n + 1] == '\t' || s[n + 1] == '\n' || s[n + 1] == '/' ||
		s[n + 1] == '>');
}

/* The next <name tag at or after s, before end (NULL: no bound), or NULL. */
static const char *find_tag(const char *s, const char *end, const char *name)
{
	for (s = strchr(s, '<'); s != NULL && (end == NULL || s < end); s = strchr(s + 1, '<'))
		if (is_tag(s, name))
			return s;
	return NULL;
}

/* The '>' that ends the start tag at tag (quotes respected), or NULL. */
static const char *tag_end(const char *tag)
{
	char quote = 0;

	for (const char *s = tag; *s != '\0'; s++) {
		if (quote != 0) {
			if (*s == quote)
				quote = 0;
		} else if (*s == '"' || *s == '\'') {
			quote = *s;
		} else if (*s == '>') {
			return s;
		}
	}
	return NULL;
}

/* Contents of <name>...</name>: [*begin, *end).  False when absent or
 * empty (<name/>). */
static bool section(const char *xml, const char *name, const char **begin, const char **end)
{
	const char *s = find_tag(xml, NULL, name), *gt;
	char close[64];

	if (s == NULL || (gt = tag_end(s)) == NULL || gt[-1] == '/')
		return false;
	snprintf(close, sizeof close, "</%s>", name);
	*begin = gt + 1;
	*end = strstr(*begin, close);
	return *end != NULL;
}

static void unescape(const char *s, size_t n, char *buf, size_t len)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = {
	    {"&quot;", '"'}, {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}};
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len;) {
		size_t k, el = 0;

		for (k = 0; s[i] == '&' && k < sizeof ents / sizeof ents[0]; k++) {
			el = strlen(ents[k].ent);
			if (i + el <= n && strncmp(s + i, ents[k].ent, el) == 0)
				break;
		}
		if (s[i] == '&' && k < sizeof ents / sizeof ents[0]) {
			buf[o++] = ents[k].c;
			i += el;
		} else {
			buf[o++] = s[i++];
		}
	}
	buf[o] = '\0';
}

bool pcmk_xml_attr(const char *tag, const char *name, char *buf, size_t len)
{
	const char *end = tag_end(tag), *s = tag + 1;
	size_t nlen = strlen(name);

	if (len > 0)
		buf[0] = '\0';
	if (end == NULL)
		return false;
	while (s < end && *s != ' ' && *s != '\t' && *s != '\n') /* the element name */
		s++;
	while (s < end) {
		const char *an, *v;
		char quote;

		while (s < end && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
			s++;
		an = s;
		while (s < end && *s != '=' && *s != ' ' && *s != '/')
			s++;
		if (s >= end || *s != '=' || (s[1] != '"' && s[1] != '\''))
			return false; /* "/>" or malformed: no more attributes */
		quote = s[1];
		v = s + 2;
		s = memchr(v, quote, (size_t)(end - v));
		if (s == NULL)
			return false;
		if ((size_t)(v - 2 - an) == nlen && strncmp(an, name, nlen) == 0) {
			if (len > 0)
				unescape(v, (size_t)(s - v), buf, len);
			return true;
		}
		s++;
	}
	return false;
}

static bool attr_true(const char *tag, const char *name)
{
	char v[8];

	return pcmk_xml_attr(tag, name, v, sizeof v) && strcmp(v, "true") == 0;
}

bool pcmk_xml_node(const char *xml, const char *node, struct pcmk_node *out)
{
	const char *begin, *end, *tag;
	char name[128], num[16];

	memset(out, 0, sizeof *out);
	if (!section(xml, "nodes", &begin, &end))
		return false;
	for (tag = find_tag(begin, end, "node"); tag != NULL;
	     tag = find_tag(tag + 1, end, "node")) {
		if (!pcmk_xml_attr(tag, "name", name, sizeof name) || strcmp(name, node) != 0)
			continue;
		out->online = attr_true(tag, "online");
		out->standby = attr_true(tag, "standby");
		out->unclean = attr_true(tag, "unclean");
		out->maintenance = attr_true(tag, "maintenance");
		pcmk_xml_attr(tag, "health", out->health, sizeof out->health);
		if (pcmk_xml_attr(tag, "resources_running", num, sizeof num))
			out->resources_running = atoi(num);
		return true;
	}
	return false;
}

bool pcmk_xml_resource(const char *xml, const char *id, struct pcmk_resource *out)
{
	const char *begin, *end, *tag, *gt, *close, *n;
	char rid[128];

	memset(out, 0, sizeof *out);
	if (!section(xml, "resources", &begin, &end))
		return false;
	for (tag = find_tag(begin, end, "resource"); tag != NULL;
	     tag = find_tag(tag + 1, end, "resource")) {
		if (!pcmk_xml_attr(tag, "id", rid, sizeof rid) || strcmp(rid, id) != 0)
			continue;
		pcmk_xml_attr(tag, "role", out->role, sizeof out->role);
		out->active = attr_true(tag, "active");
		out->failed = attr_true(tag, "failed");
		gt = tag_end(tag);
		if (gt == NULL || gt[-1] == '/')
			return true; /* <resource .../>: runs nowhere */
		close = strstr(gt, "</resource>");
		n = find_tag(gt, close != NULL && close < end ? close : end, "node");
		if (n != NULL)
			pcmk_xml_attr(n, "name", out->node, sizeof out->node);
		return true;
	}
	return false;
}
