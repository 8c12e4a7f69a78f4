/*
 * snmpd: see snmpd.h.  The layout of DIR:
 *   snmpd.conf snmptrapd.conf   written here
 *   persist/                    SNMP_PERSISTENT_DIR (engine ids, usmUser)
 *   agentx.sock                 the AgentX master's socket
 *   snmpd.log traps.log         -Lf logs; *.out the daemons' stdout/stderr
 */
#include "snmpd.h"

#include <arpa/inet.h>
#include <check.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipmisim.h" /* ipmisim_free_port */

#define SNMPD_MAX_ARGS 48
#define SNMPD_LOG_TAIL 2000 /* bytes of a log quoted in a failure message */
#define SNMPD_PROBE_MS 10   /* pause between readiness probes */
#define IETF_GLOB "/usr/lib/erlang/lib/snmp-*/mibs"
#define IETF_PROBE "SNMPv2-SMI.mib"
#define TRAP_TAG "HWHTRAP "
#define VB_SEP '\x1f' /* between varbinds in traps.log: never in a printed value */

static struct snmpd *running; /* for the atexit hook */

static void xpath(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		ck_abort_msg("path too long: %s/%s", dir, name);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- MIB directories ------------------------------------------------------- */

const char *snmp_ietf_mibs(void)
{
	static char ietf[TL_PATH_MAX];
	const char *env = getenv("HWH_IETF_MIBS");
	glob_t g;

	if (env != NULL && *env != '\0') {
		snprintf(ietf, sizeof ietf, "%s", env);
		return ietf;
	}
	if (glob(IETF_GLOB "/" IETF_PROBE, 0, NULL, &g) != 0 || g.gl_pathc == 0)
		ck_abort_msg("no IETF base MIBs (%s/%s): install erlang-snmp (make deps) or set "
			     "HWH_IETF_MIBS",
			     IETF_GLOB, IETF_PROBE);
	snprintf(ietf, sizeof ietf, "%s", g.gl_pathv[0]);
	*strrchr(ietf, '/') = '\0';
	globfree(&g);
	return ietf;
}

const char *snmp_mib_dirs(void)
{
	static char dirs[2 * TL_PATH_MAX + 8];

	snprintf(dirs, sizeof dirs, "%s/mibs:%s", HWH_SRC_DIR, snmp_ietf_mibs());
	return dirs;
}

/* ---- setup ----------------------------------------------------------------- */

static void stop_running(void)
{
	if (running != NULL) {
		snmpd_stop(running);
		snmptrapd_stop(running);
	}
}

/* Point every net-snmp program started from now on at DIR only. */
static void set_env(struct snmpd *s)
{
	char persist[TL_PATH_MAX];

	xpath(persist, sizeof persist, s->dir, "persist");
	if (setenv("SNMPCONFPATH", s->dir, 1) == -1 ||
	    setenv("SNMP_PERSISTENT_DIR", persist, 1) == -1 || setenv("MIBS", "", 1) == -1 ||
	    unsetenv("MIBDIRS") == -1)
		ck_abort_msg("setenv: %s", strerror(errno));
}

void snmpd_init(struct snmpd *s, const char *dir)
{
	char persist[TL_PATH_MAX];
	const char *extra = s->extra_conf; /* set by the caller before the start */

	if (s->dir[0] != '\0' && strcmp(s->dir, dir) == 0)
		return; /* the other daemon's start did it */
	memset(s, 0, sizeof *s);
	s->extra_conf = extra;
	if ((size_t)snprintf(s->dir, sizeof s->dir, "%s", dir) >= sizeof s->dir)
		ck_abort_msg("snmpd: dir too long");
	if ((mkdir(dir, 0755) == -1 && errno != EEXIST))
		ck_abort_msg("mkdir %s: %s", dir, strerror(errno));
	xpath(persist, sizeof persist, dir, "persist");
	if (mkdir(persist, 0700) == -1 && errno != EEXIST)
		ck_abort_msg("mkdir %s: %s", persist, strerror(errno));
	xpath(s->conf, sizeof s->conf, dir, "snmpd.conf");
	xpath(s->log, sizeof s->log, dir, "snmpd.log");
	xpath(s->agentx, sizeof s->agentx, dir, "agentx.sock");
	xpath(s->traps, sizeof s->traps, dir, "traps.log");
	set_env(s);
	if (running == NULL)
		atexit(stop_running);
	running = s;
}

static void write_snmpd_conf(struct snmpd *s)
{
	char trapsink[128] = "", *text;

	if (s->trap_port != 0)
		snprintf(trapsink, sizeof trapsink, "trap2sink 127.0.0.1:%d " SNMPD_COMMUNITY "\n",
			 s->trap_port);
	if (asprintf(&text,
		     "# hwhealth test master agent (tests/snmpd.c)\n"
		     "[snmp] persistentDir %s/persist\n"
		     "agentAddress udp:%s\n"
		     "master agentx\n"
		     "agentXSocket %s\n"
		     "agentXPerms 0660 0770\n"
		     "rocommunity " SNMPD_COMMUNITY " 127.0.0.1\n"
		     "createUser " SNMPD_V3_USER " SHA \"" SNMPD_V3_AUTH "\" AES \"" SNMPD_V3_PRIV
		     "\"\n"
		     "rouser " SNMPD_V3_USER " priv\n"
		     "%s%s",
		     s->dir, s->peer, s->agentx, trapsink,
		     s->extra_conf != NULL ? s->extra_conf : "") == -1)
		ck_abort_msg("asprintf failed");
	if (write_file_str(s->conf, text) != 0)
		ck_abort_msg("write %s failed", s->conf);
	free(text);
}

/* ---- tools ----------------------------------------------------------------- */

/* argv = prefix..., then the NULL-terminated va_list; run it bounded. */
static int run_v(struct cmd_result *res, const char *const *prefix, va_list ap)
{
	const char *argv[SNMPD_MAX_ARGS + 1];
	const char *a;
	int n = 0;

	for (; prefix[n] != NULL; n++)
		argv[n] = prefix[n];
	while ((a = va_arg(ap, const char *)) != NULL) {
		if (n == SNMPD_MAX_ARGS)
			ck_abort_msg("%s: more than %d arguments", argv[0], SNMPD_MAX_ARGS);
		argv[n++] = a;
	}
	argv[n] = NULL;
	return cmd_run(argv, res, SNMPD_CMD_TIMEOUT_MS);
}

int snmpd_run(struct snmpd *s, struct cmd_result *res, const char *tool, ...)
{
	const char *prefix[] = {tool,	"-M", snmp_mib_dirs(), "-m", "HWHEALTH-MIB",
				"-v2c", "-c", SNMPD_COMMUNITY, "-t", "1",
				"-r",	"2",  s->peer,	       NULL};
	va_list ap;
	int code;

	va_start(ap, tool);
	code = run_v(res, prefix, ap);
	va_end(ap);
	return code;
}

int snmpd_run_v3(struct snmpd *s, struct cmd_result *res, const char *tool, ...)
{
	const char *prefix[] = {tool,
				"-M",
				snmp_mib_dirs(),
				"-m",
				"HWHEALTH-MIB",
				"-v3",
				"-l",
				"authPriv",
				"-u",
				SNMPD_V3_USER,
				"-a",
				"SHA",
				"-A",
				SNMPD_V3_AUTH,
				"-x",
				"AES",
				"-X",
				SNMPD_V3_PRIV,
				"-t",
				"1",
				"-r",
				"2",
				s->peer,
				NULL};
	va_list ap;
	int code;

	va_start(ap, tool);
	code = run_v(res, prefix, ap);
	va_end(ap);
	return code;
}

int snmp_translate(struct cmd_result *res, ...)
{
	const char *prefix[] = {"snmptranslate", "-M", snmp_mib_dirs(), "-m", "HWHEALTH-MIB", NULL};
	va_list ap;
	int code;

	va_start(ap, res);
	code = run_v(res, prefix, ap);
	va_end(ap);
	return code;
}

void snmp_oid(const char *name, char *buf, size_t len)
{
	struct cmd_result res;
	size_t n;

	if (snmp_translate(&res, "-On", name, NULL) != 0)
		ck_abort_msg("snmptranslate -On %s: exit %d: %s", name, res.code, res.err);
	n = strcspn(res.out, "\n");
	if (n == 0 || n >= len)
		ck_abort_msg("snmptranslate -On %s: '%s'", name, res.out);
	memcpy(buf, res.out, n);
	buf[n] = '\0';
	cmd_result_free(&res);
}

int snmptrapd_send(struct snmpd *s, const char *trap_oid, ...)
{
	char peer[64];
	const char *prefix[] = {"snmptrap", "-v2c", "-c",     SNMPD_COMMUNITY,
				peer,	    "",	    trap_oid, NULL};
	struct cmd_result res;
	va_list ap;
	int code;

	snprintf(peer, sizeof peer, "127.0.0.1:%d", s->trap_port);
	va_start(ap, trap_oid);
	code = run_v(&res, prefix, ap);
	va_end(ap);
	if (code != 0)
		fprintf(stderr, "snmptrap %s: exit %d: %s", trap_oid, code, res.err);
	cmd_result_free(&res);
	return code;
}

/* ---- snmpd ----------------------------------------------------------------- */

/* One quick v2c get of sysUpTime.0 (no MIB: the tool parses nothing). */
static bool answers(struct snmpd *s)
{
	struct cmd_result res;
	int code;

	code = cmd_run((const char *const[]){"snmpget", "-v2c", "-c", SNMPD_COMMUNITY, "-t", "0.1",
					     "-r", "0", "-On", s->peer, SNMP_OID_SYSUPTIME, NULL},
		       &res, SNMPD_CMD_TIMEOUT_MS);
	cmd_result_free(&res);
	return code == 0;
}

static void abort_with_log(struct snmpd *s, const char *what, const char *log)
{
	char *tail = tl_file_tail(log, SNMPD_LOG_TAIL);

	snmpd_stop(s);
	snmptrapd_stop(s);
	ck_abort_msg("snmpd: %s (logs kept in %s)\n--- %s\n%s", what, s->dir, log, tail);
}

void snmpd_relaunch(struct snmpd *s)
{
	char out[TL_PATH_MAX];
	int64_t t0 = tl_mono_ms(), deadline = t0 + SNMPD_READY_TIMEOUT_MS;
	int code = 0;

	if (s->pid != 0)
		ck_abort_msg("snmpd_relaunch: snmpd is running");
	xpath(out, sizeof out, s->dir, "snmpd.out");
	s->pid =
	    tl_spawn((const char *const[]){"snmpd", "-f", "-Lf", s->log, "-C", "-c", s->conf, NULL},
		     out, NULL, NULL);
	while (!answers(s)) {
		if (!tl_child_running(&s->pid, &code)) {
			char what[64];

			snprintf(what, sizeof what, "snmpd exited with code %d", code);
			abort_with_log(s, what, s->log);
		}
		if (tl_mono_ms() > deadline)
			abort_with_log(s, "snmpd does not answer sysUpTime.0", s->log);
		sleep_ms(SNMPD_PROBE_MS);
	}
	s->ready_ms = tl_mono_ms() - t0;
}

void snmpd_start(struct snmpd *s, const char *dir)
{
	snmpd_init(s, dir);
	if (s->pid != 0)
		ck_abort_msg("snmpd_start: snmpd is running");
	s->port = ipmisim_free_port(SOCK_DGRAM);
	snprintf(s->peer, sizeof s->peer, "127.0.0.1:%d", s->port);
	write_snmpd_conf(s);
	snmpd_relaunch(s);
	fprintf(stderr, "snmpd: answering on %s in %lld ms (%s)\n", s->peer, (long long)s->ready_ms,
		dir);
}

int snmpd_kill(struct snmpd *s, int sig)
{
	return tl_stop_pid(&s->pid, sig, SNMPD_STOP_TIMEOUT_MS);
}

int64_t snmpd_restart(struct snmpd *s, int sig)
{
	int64_t t0 = tl_mono_ms();

	snmpd_kill(s, sig);
	snmpd_relaunch(s);
	return tl_mono_ms() - t0;
}

void snmpd_stop(struct snmpd *s)
{
	tl_stop_pid(&s->pid, SIGTERM, SNMPD_STOP_TIMEOUT_MS);
}

void snmptrapd_stop(struct snmpd *s)
{
	tl_stop_pid(&s->trapd_pid, SIGTERM, SNMPD_STOP_TIMEOUT_MS);
}

void snmpd_free(struct snmpd *s)
{
	snmpd_stop(s);
	snmptrapd_stop(s);
	if (running == s)
		running = NULL;
	if (s->dir[0] != '\0' && tl_rm_rf(s->dir) != 0)
		fprintf(stderr, "snmpd_free: cannot remove %s: %s\n", s->dir, strerror(errno));
	s->dir[0] = '\0';
}

/* ---- snmptrapd ------------------------------------------------------------- */

/* Is 127.0.0.1:port bound to a UDP socket (state 07, unconnected)? */
static bool udp_bound(int port)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/net/udp", "re");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof line, f) != NULL) {
		unsigned addr, lport, st;

		if (sscanf(line, " %*d: %8X:%4X %*X:%*X %X", &addr, &lport, &st) == 3 &&
		    (int)lport == port && addr == htonl(INADDR_LOOPBACK) && st == 0x07u)
			found = true;
	}
	fclose(f);
	return found;
}

void snmptrapd_start(struct snmpd *s, const char *dir)
{
	char conf[TL_PATH_MAX], out[TL_PATH_MAX], listen[64], *text;
	char format[] = TRAP_TAG "%b\x1f%V\x1f%v\n";
	int64_t t0 = tl_mono_ms();
	int code = 0;

	snmpd_init(s, dir);
	if (s->trapd_pid != 0)
		ck_abort_msg("snmptrapd_start: snmptrapd is running");
	s->trap_port = ipmisim_free_port(SOCK_DGRAM);
	xpath(conf, sizeof conf, dir, "snmptrapd.conf");
	if (asprintf(&text,
		     "# hwhealth test trap receiver (tests/snmpd.c)\n"
		     "[snmp] persistentDir %s/persist\n"
		     "authCommunity log " SNMPD_COMMUNITY "\n",
		     dir) == -1 ||
	    write_file_str(conf, text) != 0)
		ck_abort_msg("write %s failed", conf);
	free(text);
	snprintf(listen, sizeof listen, "udp:127.0.0.1:%d", s->trap_port);
	xpath(out, sizeof out, dir, "snmptrapd.out");
	s->trapd_pid = tl_spawn((const char *const[]){"snmptrapd", "-f", "-Lf", s->traps, "-On",
						      "-C", "-c", conf, "-F", format, listen, NULL},
				out, NULL, NULL);
	while (!udp_bound(s->trap_port)) {
		if (!tl_child_running(&s->trapd_pid, &code))
			abort_with_log(s, "snmptrapd exited", out);
		if (tl_mono_ms() - t0 > SNMPD_READY_TIMEOUT_MS)
			abort_with_log(s, "snmptrapd did not bind its port", out);
		sleep_ms(SNMPD_PROBE_MS);
	}
	fprintf(stderr, "snmptrapd: listening on %s in %lld ms\n", listen,
		(long long)(tl_mono_ms() - t0));
}

/* ---- traps.log ------------------------------------------------------------- */

static void copy_n(char *dst, size_t len, const char *src, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* "STRING: \"a \\\"b\\\"\"" -> a "b"; "Timeticks: (42) 0:00:00.42" -> 42. */
static void parse_value(struct snmp_varbind *vb, const char *v, size_t n)
{
	size_t o = 0;

	if (strcmp(vb->type, "STRING") == 0 && n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n && o + 1 < sizeof vb->value; i++) {
			if (v[i] == '\\' && i + 2 < n)
				i++;
			vb->value[o++] = v[i];
		}
		vb->value[o] = '\0';
	} else if (strcmp(vb->type, "Timeticks") == 0 && n > 1 && v[0] == '(') {
		copy_n(vb->value, sizeof vb->value, v + 1, strcspn(v + 1, ")"));
	} else {
		copy_n(vb->value, sizeof vb->value, v, n);
	}
}

/* One "OID = TYPE: value" of n bytes. */
static bool parse_varbind(struct snmp_varbind *vb, const char *p, size_t n)
{
	const char *eq = memmem(p, n, " = ", 3), *v, *colon;

	memset(vb, 0, sizeof *vb);
	if (eq == NULL)
		return false;
	copy_n(vb->oid, sizeof vb->oid, p, (size_t)(eq - p));
	v = eq + 3;
	colon = memmem(v, (size_t)(p + n - v), ": ", 2);
	if (colon != NULL && colon > v) {
		bool word = true;

		for (const char *c = v; c < colon; c++)
			word = word && (isalnum((unsigned char)*c) || *c == '-');
		if (word) {
			copy_n(vb->type, sizeof vb->type, v, (size_t)(colon - v));
			v = colon + 2;
		}
	}
	if (vb->type[0] == '\0' && p + n - v == 2 && v[0] == '"' && v[1] == '"')
		snprintf(vb->type, sizeof vb->type, "STRING"); /* net-snmp prints "" bare */
	parse_value(vb, v, (size_t)(p + n - v));
	return true;
}

bool snmp_parse_trap_line(const char *line, struct snmp_trap *out)
{
	const char *p, *end;

	memset(out, 0, sizeof *out);
	if (strncmp(line, TRAP_TAG, strlen(TRAP_TAG)) != 0)
		return false;
	p = line + strlen(TRAP_TAG);
	end = strchr(p, VB_SEP);
	if (end == NULL)
		return false;
	copy_n(out->from, sizeof out->from, p, (size_t)(end - p));
	while (*end == VB_SEP && out->nvb < SNMP_TRAP_MAX_VARBINDS) {
		struct snmp_varbind *vb = &out->vb[out->nvb];

		p = end + 1;
		end = strchr(p, VB_SEP);
		if (end == NULL)
			end = p + strlen(p);
		if (!parse_varbind(vb, p, (size_t)(end - p)))
			return false;
		if (strcmp(vb->oid, SNMP_OID_TRAPOID) == 0)
			snprintf(out->trap_oid, sizeof out->trap_oid, "%s", vb->value);
		out->nvb++;
	}
	return out->trap_oid[0] != '\0';
}

const struct snmp_varbind *snmp_trap_varbind(const struct snmp_trap *t, const char *oid)
{
	for (int i = 0; i < t->nvb; i++)
		if (strcmp(t->vb[i].oid, oid) == 0)
			return &t->vb[i];
	return NULL;
}

/* Scan complete lines of traps.log from offset *pos for trap_oid: true and
 * *out filled (and *pos past that line) at the first match; else *pos is
 * left after the last complete line.  *count (if not NULL) counts matches
 * to the end instead of stopping. */
static bool scan_log(struct snmpd *s, long *pos, const char *trap_oid, struct snmp_trap *out,
		     int *count)
{
	char *text = read_file_str(s->traps), *line, *eol;
	bool found = false;

	if (text == NULL)
		return false;
	if (*pos > (long)strlen(text))
		*pos = 0; /* truncated: a new file */
	for (line = text + *pos; !found && (eol = strchr(line, '\n')) != NULL; line = eol + 1) {
		struct snmp_trap t;

		*eol = '\0';
		*pos = (long)(eol + 1 - text);
		if (!snmp_parse_trap_line(line, &t) ||
		    (trap_oid != NULL && strcmp(t.trap_oid, trap_oid) != 0))
			continue;
		if (count != NULL) {
			(*count)++;
			continue;
		}
		if (out != NULL)
			*out = t;
		found = true;
	}
	free(text);
	return found;
}

bool snmptrapd_wait(struct snmpd *s, const char *trap_oid, int timeout_ms, struct snmp_trap *out)
{
	int64_t deadline = tl_mono_ms() + timeout_ms;
	long pos = s->traps_read;

	for (;;) {
		if (scan_log(s, &pos, trap_oid, out, NULL)) {
			s->traps_read = pos;
			return true;
		}
		if (tl_mono_ms() > deadline)
			return false;
		sleep_ms(SNMPD_PROBE_MS);
	}
}

int snmptrapd_count(struct snmpd *s, const char *trap_oid)
{
	long pos = 0;
	int count = 0;

	scan_log(s, &pos, trap_oid, NULL, &count);
	return count;
}

/* ---- leak check ------------------------------------------------------------ */

/* Does /proc/PID/cmdline (arguments joined by NULs) contain needle? */
static bool cmdline_has(const char *pid, const char *needle)
{
	char path[64], buf[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/cmdline", pid);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

int snmpd_procs_in(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (isdigit((unsigned char)de->d_name[0]) && atoi(de->d_name) != getpid() &&
		    cmdline_has(de->d_name, dir))
			n++;
	closedir(d);
	return n;
}
