/*
 * slurm: see slurm.h.  The layout of DIR:
 *   slurm.conf
 *   munge/{munge.key,munge.socket,munged.pid,seed,munged.log}  (user munge)
 *   state/ spool/                 slurmctld's and slurmd's
 *   log/{slurmctld,slurmd}.log    their logs, and *.out their stdout/stderr
 */
#include "slurm.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipmisim.h" /* ipmisim_free_port */

#define SLURM_MAX_ARGS 32
#define SLURM_LOG_TAIL 2000 /* bytes of a log quoted in a failure message */
#define MUNGE_KEY_BYTES 1024

static struct slurm *running; /* for the atexit hook */

static void xpath(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		ck_abort_msg("path too long: %s/%s", dir, name);
}

static void xmkdir(const char *dir, const char *name, mode_t mode)
{
	char path[TL_PATH_MAX];

	xpath(path, sizeof path, dir, name);
	if ((mkdir(path, mode) == -1 && errno != EEXIST) || chmod(path, mode) == -1)
		ck_abort_msg("mkdir %s: %s", path, strerror(errno));
}

/* munged refuses a key that is not its own with mode 0400, and a socket dir
 * others cannot enter (clients run as any user): 0755. */
static void write_munge_key(struct slurm *s)
{
	struct passwd *pw = getpwnam("munge");
	char dir[TL_PATH_MAX], key[TL_PATH_MAX], bytes[MUNGE_KEY_BYTES];
	int in, out;

	if (pw == NULL)
		ck_abort_msg("no user munge: is munge installed (make deps)?");
	xmkdir(s->dir, "munge", 0755);
	xpath(dir, sizeof dir, s->dir, "munge");
	xpath(key, sizeof key, dir, "munge.key");
	in = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	out = open(key, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0400);
	if (in == -1 || out == -1 || read(in, bytes, sizeof bytes) != (ssize_t)sizeof bytes ||
	    write(out, bytes, sizeof bytes) != (ssize_t)sizeof bytes)
		ck_abort_msg("munge key %s: %s", key, strerror(errno));
	close(in);
	close(out);
	if (chown(dir, pw->pw_uid, pw->pw_gid) == -1 || chown(key, pw->pw_uid, pw->pw_gid) == -1)
		ck_abort_msg("chown %s: %s", dir, strerror(errno));
}

static void write_conf(struct slurm *s)
{
	char host[256], *dot, *text;

	if (gethostname(host, sizeof host) == -1)
		ck_abort_msg("gethostname: %s", strerror(errno));
	host[sizeof host - 1] = '\0';
	if ((dot = strchr(host, '.')) != NULL) /* hostname -s */
		*dot = '\0';
	if (asprintf(&text,
		     "ClusterName=hwhtest\n"
		     "SlurmctldHost=%s(127.0.0.1)\n"
		     "SlurmUser=root\nSlurmdUser=root\n"
		     "SlurmctldPort=%d\nSlurmdPort=%d\n"
		     "AuthType=auth/munge\nAuthInfo=socket=%s\nCredType=cred/munge\n"
		     "StateSaveLocation=%s/state\nSlurmdSpoolDir=%s/spool\n"
		     "SlurmctldPidFile=%s/slurmctld.pid\nSlurmdPidFile=%s/slurmd.pid\n"
		     "SlurmctldLogFile=%s/log/slurmctld.log\nSlurmdLogFile=%s/log/slurmd.log\n"
		     "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
		     "SelectType=select/cons_tres\nJobAcctGatherType=jobacct_gather/none\n"
		     "AccountingStorageType=accounting_storage/none\nMpiDefault=none\n"
		     "SwitchType=switch/none\nReturnToService=2\nSlurmdTimeout=30\n"
		     "NodeName=" SLURM_NODE " NodeHostname=%s NodeAddr=127.0.0.1 CPUs=2 "
		     "RealMemory=1000 State=UNKNOWN\n"
		     "PartitionName=debug Nodes=" SLURM_NODE " Default=YES MaxTime=INFINITE "
		     "State=UP\n",
		     host, s->ctld_port, s->slurmd_port, s->socket, s->dir, s->dir, s->dir, s->dir,
		     s->dir, s->dir, host) == -1)
		ck_abort_msg("asprintf failed");
	if (write_file_str(s->conf, text) != 0)
		ck_abort_msg("write %s failed", s->conf);
	free(text);
}

/* ---- stop ------------------------------------------------------------------- */

static void stop_running(void)
{
	if (running != NULL)
		slurm_stop(running);
}

void slurm_stop(struct slurm *s)
{
	tl_stop_pid(&s->slurmd, SIGTERM, SLURM_STOP_TIMEOUT_MS);
	tl_stop_pid(&s->slurmctld, SIGTERM, SLURM_STOP_TIMEOUT_MS);
	tl_stop_pid(&s->munged, SIGTERM, SLURM_STOP_TIMEOUT_MS);
	if (running == s)
		running = NULL;
}

void slurm_free(struct slurm *s)
{
	slurm_stop(s);
	if (s->dir[0] != '\0' && tl_rm_rf(s->dir) != 0)
		fprintf(stderr, "slurm_free: cannot remove %s: %s\n", s->dir, strerror(errno));
	s->dir[0] = '\0';
}

/* ---- commands --------------------------------------------------------------- */

static int run_v(struct cmd_result *res, va_list ap)
{
	const char *argv[SLURM_MAX_ARGS + 1];
	const char *a;
	int n = 0;

	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n == SLURM_MAX_ARGS)
			ck_abort_msg("slurm_run: more than %d arguments", SLURM_MAX_ARGS);
		argv[n++] = a;
	}
	argv[n] = NULL;
	if (n == 0)
		ck_abort_msg("slurm_run: no command");
	return cmd_run(argv, res, SLURM_CMD_TIMEOUT_MS);
}

int slurm_run(struct slurm *s, struct cmd_result *res, ...)
{
	va_list ap;
	int code;

	(void)s; /* SLURM_CONF in the environment names the cluster */
	va_start(ap, res);
	code = run_v(res, ap);
	va_end(ap);
	return code;
}

bool slurm_parse_sinfo(const char *text, const char *node, struct slurm_node *out)
{
	size_t nlen = strlen(node);

	memset(out, 0, sizeof *out);
	for (const char *line = text; *line != '\0';) {
		const char *eol = strchr(line, '\n'), *bar;

		if (eol == NULL)
			eol = line + strlen(line);
		bar = memchr(line, '|', (size_t)(eol - line));
		if (bar != NULL && (size_t)(bar - line) == nlen && strncmp(line, node, nlen) == 0) {
			const char *st = bar + 1, *bar2 = memchr(st, '|', (size_t)(eol - st));
			size_t sl, rl;

			if (bar2 == NULL)
				return false;
			sl = (size_t)(bar2 - st);
			rl = (size_t)(eol - bar2 - 1);
			if (sl >= sizeof out->state)
				sl = sizeof out->state - 1;
			if (rl >= sizeof out->reason)
				rl = sizeof out->reason - 1;
			memcpy(out->state, st, sl);
			out->state[sl] = '\0';
			memcpy(out->reason, bar2 + 1, rl);
			out->reason[rl] = '\0';
			return true;
		}
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return false;
}

bool slurm_node(struct slurm *s, const char *node, struct slurm_node *out)
{
	struct cmd_result res;
	bool found = false;

	memset(out, 0, sizeof *out);
	if (slurm_run(s, &res, "sinfo", "-h", "-N", "-n", node, "-o", "%N|%T|%E", NULL) == 0)
		found = slurm_parse_sinfo(res.out, node, out);
	cmd_result_free(&res);
	return found;
}

struct state_wait {
	struct slurm *s;
	const char *node, *state;
};

static bool has_state(void *arg)
{
	struct state_wait *w = arg;
	struct slurm_node n;

	return slurm_node(w->s, w->node, &n) && strcmp(n.state, w->state) == 0;
}

bool slurm_wait_state(struct slurm *s, const char *node, const char *state, int timeout_ms)
{
	struct state_wait w = {s, node, state};

	return wait_until(has_state, &w, timeout_ms);
}

static int update(struct slurm *s, const char *node, const char *state, const char *reason)
{
	char nn[128], st[64], rs[512];
	struct cmd_result res;
	int code;

	snprintf(nn, sizeof nn, "NodeName=%s", node);
	snprintf(st, sizeof st, "State=%s", state);
	if (reason != NULL) {
		snprintf(rs, sizeof rs, "Reason=%s", reason);
		code = slurm_run(s, &res, "scontrol", "update", nn, st, rs, NULL);
	} else {
		code = slurm_run(s, &res, "scontrol", "update", nn, st, NULL);
	}
	if (code != 0)
		fprintf(stderr, "scontrol update %s %s: exit %d: %s", nn, st, code, res.err);
	cmd_result_free(&res);
	return code;
}

int slurm_drain(struct slurm *s, const char *node, const char *reason)
{
	return update(s, node, "DRAIN", reason);
}

int slurm_resume(struct slurm *s, const char *node)
{
	return update(s, node, "RESUME", NULL);
}

/* ---- start ------------------------------------------------------------------ */

static bool munge_ready(void *arg)
{
	struct slurm *s = arg;
	struct cmd_result res;
	int code;

	if (!tl_child_running(&s->munged, NULL))
		return true;
	code = cmd_run((const char *const[]){"munge", "-S", s->socket, "-n", NULL}, &res,
		       SLURM_CMD_TIMEOUT_MS);
	cmd_result_free(&res);
	return code == 0;
}

static bool node_idle(void *arg)
{
	struct slurm *s = arg;
	struct slurm_node n;

	if (!tl_child_running(&s->slurmctld, NULL) || !tl_child_running(&s->slurmd, NULL))
		return true;
	return slurm_node(s, SLURM_NODE, &n) && strcmp(n.state, "idle") == 0;
}

static void abort_with_logs(struct slurm *s, const char *what)
{
	char path[TL_PATH_MAX], *ctld, *d, *m;

	xpath(path, sizeof path, s->dir, "log/slurmctld.log");
	ctld = tl_file_tail(path, SLURM_LOG_TAIL);
	xpath(path, sizeof path, s->dir, "log/slurmd.log");
	d = tl_file_tail(path, SLURM_LOG_TAIL);
	xpath(path, sizeof path, s->dir, "log/munged.out");
	m = tl_file_tail(path, SLURM_LOG_TAIL / 2);
	slurm_stop(s);
	ck_abort_msg("slurm: %s (logs kept in %s)\n--- munged.out\n%s\n--- slurmctld.log\n%s\n"
		     "--- slurmd.log\n%s",
		     what, s->dir, m, ctld, d);
}

void slurm_start(struct slurm *s, const char *dir)
{
	char key[TL_PATH_MAX], pid[TL_PATH_MAX], log[TL_PATH_MAX], seed[TL_PATH_MAX];
	char out[TL_PATH_MAX];
	int64_t t0 = tl_mono_ms();

	memset(s, 0, sizeof *s);
	if (geteuid() != 0)
		ck_abort_msg("the Slurm tests need root (SlurmUser=root, munged as munge)");
	if ((size_t)snprintf(s->dir, sizeof s->dir, "%s", dir) >= sizeof s->dir)
		ck_abort_msg("slurm: dir too long");
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST) || chmod(dir, 0755) == -1)
		ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
	xmkdir(dir, "state", 0700);
	xmkdir(dir, "spool", 0700);
	xmkdir(dir, "log", 0755);
	xpath(s->conf, sizeof s->conf, dir, "slurm.conf");
	xpath(s->socket, sizeof s->socket, dir, "munge/munge.socket");
	s->ctld_port = ipmisim_free_port(SOCK_STREAM);
	do
		s->slurmd_port = ipmisim_free_port(SOCK_STREAM);
	while (s->slurmd_port == s->ctld_port);
	write_munge_key(s);
	write_conf(s);
	if (setenv("SLURM_CONF", s->conf, 1) == -1)
		ck_abort_msg("setenv: %s", strerror(errno));
	if (running == NULL)
		atexit(stop_running);
	running = s;

	xpath(key, sizeof key, dir, "munge/munge.key");
	xpath(pid, sizeof pid, dir, "munge/munged.pid");
	xpath(log, sizeof log, dir, "munge/munged.log");
	xpath(seed, sizeof seed, dir, "munge/seed");
	xpath(out, sizeof out, dir, "log/munged.out");
	{
		char a_sock[TL_PATH_MAX + 16], a_key[TL_PATH_MAX + 16], a_pid[TL_PATH_MAX + 16];
		char a_log[TL_PATH_MAX + 16], a_seed[TL_PATH_MAX + 16];

		snprintf(a_sock, sizeof a_sock, "--socket=%s", s->socket);
		snprintf(a_key, sizeof a_key, "--key-file=%s", key);
		snprintf(a_pid, sizeof a_pid, "--pid-file=%s", pid);
		snprintf(a_log, sizeof a_log, "--log-file=%s", log);
		snprintf(a_seed, sizeof a_seed, "--seed-file=%s", seed);
		s->munged = tl_spawn((const char *const[]){"munged", "-F", a_sock, a_key, a_pid,
							   a_log, a_seed, NULL},
				     out, "munge", NULL);
	}
	if (!wait_until(munge_ready, s, SLURM_MUNGE_TIMEOUT_MS) || s->munged == 0)
		abort_with_logs(s, "munged did not come up");

	xpath(out, sizeof out, dir, "log/slurmctld.out");
	s->slurmctld = tl_spawn((const char *const[]){"slurmctld", "-D", "-f", s->conf, NULL}, out,
				NULL, NULL);
	xpath(out, sizeof out, dir, "log/slurmd.out");
	s->slurmd =
	    tl_spawn((const char *const[]){"slurmd", "-D", "-N", SLURM_NODE, "-f", s->conf, NULL},
		     out, NULL, NULL);
	if (!wait_until(node_idle, s, SLURM_IDLE_TIMEOUT_MS))
		abort_with_logs(s, SLURM_NODE " not idle in time");
	if (s->slurmctld == 0 || s->slurmd == 0)
		abort_with_logs(s, "slurmctld or slurmd exited");
	fprintf(stderr, "slurm: %s idle in %lld ms (%s)\n", SLURM_NODE,
		(long long)(tl_mono_ms() - t0), dir);
}
