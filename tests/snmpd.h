/*
 * snmpd: a real net-snmp snmpd (AgentX master) and snmptrapd on loopback
 * for the tests of the snmp plugin (recipe in shared/HARNESS.md "SNMP").
 *
 * snmpd_start() writes DIR/snmpd.conf: persistentDir DIR/persist, an agent
 * on udp:127.0.0.1:PORT (a port asked of the kernel, so tests and
 * benchmarks may run side by side), `master agentx` on the socket
 * DIR/agentx.sock (agentXPerms 0660 0770), `rocommunity public 127.0.0.1`,
 * an SNMPv3 user (SNMPD_V3_USER, SHA/AES, authPriv, read-only) and, when a
 * snmptrapd was started first, `trap2sink` to it (snmpd then sends a
 * coldStart to it on every start).  It runs `snmpd -f -Lf DIR/snmpd.log -C
 * -c DIR/snmpd.conf` as a child of the test process with PR_SET_PDEATHSIG
 * and waits, bounded, until it answers an SNMPv2c get of sysUpTime.0.
 *
 * snmptrapd_start() writes DIR/snmptrapd.conf (`authCommunity log public`)
 * and runs snmptrapd on udp:127.0.0.1:PORT, logging one line per
 * notification to DIR/traps.log:
 *     HWHTRAP <source address>\x1f<varbind>\x1f<varbind>...\n
 * each varbind as net-snmp prints it with -On -Ot -Oe and no MIB loaded
 * (".1.3.6.1.4.1.32473.1.1.1.0 = INTEGER: 3"); the trap's OID is the
 * snmpTrapOID.0 varbind.  snmptrapd_wait() reads that file.
 *
 * Both set, in the test process's environment, SNMPCONFPATH=DIR (no
 * /etc/snmp file is read), SNMP_PERSISTENT_DIR=DIR/persist (nothing is
 * written to /var/lib/snmp) and an empty MIBS: every net-snmp tool and
 * subagent the test starts afterwards inherits them.  The tool helpers
 * (snmpd_run, snmp_translate) load the MIBs by name: -M REPO/mibs:IETF -m
 * HWHEALTH-MIB, IETF being the directory snmp_ietf_mibs() finds.
 *
 * snmpd_kill() / snmpd_relaunch() (snmpd_restart() does both) stop snmpd
 * and start it again on the same port and socket, for reconnect tests.
 * snmpd_stop() and snmptrapd_stop() SIGTERM, wait (bounded), then SIGKILL.
 * A test whose assertion failed is _exit()ed by check: then both die by
 * PR_SET_PDEATHSIG and check's SIGKILL of the process group, and DIR stays
 * for the logs; snmpd_free() stops both and removes DIR.
 *
 * To extend: one helper per concern; every wait takes a bound.
 */
#ifndef HWH_SNMPD_H
#define HWH_SNMPD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "testlib.h"

#define SNMPD_READY_TIMEOUT_MS 10000 /* snmpd answers sysUpTime.0 by then (~120 ms) */
#define SNMPD_STOP_TIMEOUT_MS 5000   /* snmpd/snmptrapd exit after SIGTERM by then */
#define SNMPD_CMD_TIMEOUT_MS 20000   /* one net-snmp tool */
#define SNMPD_TRAP_TIMEOUT_MS 10000  /* a notification reaches traps.log by then */

#define SNMPD_COMMUNITY "public"
#define SNMPD_V3_USER "hwhtest"
#define SNMPD_V3_AUTH "hwhtest-auth-pass" /* SHA */
#define SNMPD_V3_PRIV "hwhtest-priv-pass" /* AES */

#define SNMP_OID_SYSUPTIME ".1.3.6.1.2.1.1.3.0"
#define SNMP_OID_TRAPOID ".1.3.6.1.6.3.1.1.4.1.0" /* snmpTrapOID.0 */
#define SNMP_OID_COLDSTART ".1.3.6.1.6.3.1.1.5.1"

#define SNMP_TRAP_MAX_VARBINDS 32

/* The master agent and the trap receiver of one test, sharing DIR. */
struct snmpd {
	char dir[TL_PATH_MAX];	  /* DIR */
	char conf[TL_PATH_MAX];	  /* DIR/snmpd.conf */
	char log[TL_PATH_MAX];	  /* DIR/snmpd.log */
	char agentx[TL_PATH_MAX]; /* DIR/agentx.sock: the subagent's socket */
	char traps[TL_PATH_MAX];  /* DIR/traps.log */
	char peer[64];		  /* "127.0.0.1:PORT": snmpd's agent address */
	int port;		  /* snmpd's UDP port, 0 before snmpd_start */
	int trap_port;		  /* snmptrapd's UDP port, 0 before snmptrapd_start */
	pid_t pid;		  /* snmpd, 0 when not running */
	pid_t trapd_pid;	  /* snmptrapd, 0 when not running */
	int64_t ready_ms;	  /* last (re)start: spawn to first answer */
	long traps_read;	  /* traps.log offset snmptrapd_wait() consumed to */
	const char *extra_conf;	  /* lines appended to snmpd.conf, or NULL (set before the start) */
};

/* One varbind of a received notification, as snmptrapd printed it. */
struct snmp_varbind {
	char oid[128];	 /* numeric, with a leading dot */
	char type[32];	 /* "INTEGER", "STRING", "OID", "Gauge32", "Timeticks"... */
	char value[512]; /* STRING without its quotes; OID numeric; Timeticks a number */
};

/* One received notification. */
struct snmp_trap {
	char from[128];	    /* snmptrapd's %b: the sender's transport address */
	char trap_oid[128]; /* value of snmpTrapOID.0 */
	int nvb;	    /* varbinds, snmpTrapOID.0 and sysUpTime.0 included */
	struct snmp_varbind vb[SNMP_TRAP_MAX_VARBINDS];
};

/* Make dir (if missing) and zero s for it; called by the starters, which
 * may run in either order.  Aborts the test when dir is unusable. */
void snmpd_init(struct snmpd *s, const char *dir);
/* Start snmpd in dir (snmpd_init() first if s is not set up for dir) and
 * wait until it answers; aborts the test, quoting the log, when it does
 * not within SNMPD_READY_TIMEOUT_MS.  Start snmptrapd first for traps. */
void snmpd_start(struct snmpd *s, const char *dir);
/* Start snmptrapd in dir, wait until its port is bound. */
void snmptrapd_start(struct snmpd *s, const char *dir);
/* Stop snmpd with sig.  Either way the AgentX socket file stays, stale
 * (connect() is refused); snmpd takes it over at the next start.  Returns its exit code as
 * tl_stop_pid() does. */
int snmpd_kill(struct snmpd *s, int sig);
/* Start snmpd again with the same configuration, port and socket. */
void snmpd_relaunch(struct snmpd *s);
/* snmpd_kill(), then snmpd_relaunch(): the time it took, in ms. */
int64_t snmpd_restart(struct snmpd *s, int sig);
/* SIGTERM, bounded, then SIGKILL.  Safe to call twice. */
void snmpd_stop(struct snmpd *s);
void snmptrapd_stop(struct snmpd *s);
/* Stop both, then remove DIR. */
void snmpd_free(struct snmpd *s);

/*
 * Tools.  snmpd_run() runs tool (snmpget, snmpwalk, snmpbulkwalk,
 * snmpgetnext, snmptable) as
 *     tool -M MIBDIRS -m HWHEALTH-MIB -v2c -c public -t 1 -r 2 127.0.0.1:PORT ARGS...
 * and snmpd_run_v3() the same with SNMPv3 authPriv as SNMPD_V3_USER;
 * snmp_translate() runs snmptranslate -M MIBDIRS -m HWHEALTH-MIB ARGS...
 * Arguments are NULL-terminated; each is bounded by SNMPD_CMD_TIMEOUT_MS.
 * They return the exit code; the caller frees res.
 */
int snmpd_run(struct snmpd *s, struct cmd_result *res, const char *tool, ...)
    __attribute__((sentinel));
int snmpd_run_v3(struct snmpd *s, struct cmd_result *res, const char *tool, ...)
    __attribute__((sentinel));
int snmp_translate(struct cmd_result *res, ...) __attribute__((sentinel));
/* name ("HWHEALTH-MIB::hwhNodeState.0") as a numeric OID with its leading
 * dot in buf; aborts the test if snmptranslate cannot. */
void snmp_oid(const char *name, char *buf, size_t len);
/* Send a notification to snmptrapd directly with snmptrap -v2c: trap_oid,
 * then (oid, type letter, value) triples as snmptrap takes them, NULL-
 * terminated.  Returns snmptrap's exit code. */
int snmptrapd_send(struct snmpd *s, const char *trap_oid, ...) __attribute__((sentinel));

/*
 * Received notifications.  snmptrapd_wait() looks in traps.log, from where
 * the last successful wait stopped, for the next notification whose
 * snmpTrapOID.0 is trap_oid (numeric; NULL: any) and fills *out; it waits
 * up to timeout_ms for one to arrive.  Returns whether one did.
 * snmptrapd_count() counts those in the whole log (consumed or not).
 */
bool snmptrapd_wait(struct snmpd *s, const char *trap_oid, int timeout_ms, struct snmp_trap *out);
int snmptrapd_count(struct snmpd *s, const char *trap_oid);
/* The varbind of t whose OID is oid, or NULL. */
const struct snmp_varbind *snmp_trap_varbind(const struct snmp_trap *t, const char *oid);
/* Parse one traps.log line (without its newline) into *out: exposed for
 * its test.  False when it is not a HWHTRAP line. */
bool snmp_parse_trap_line(const char *line, struct snmp_trap *out);

/* The directory holding the IETF base MIBs (SNMPv2-SMI...): HWH_IETF_MIBS,
 * else Debian's erlang-snmp MIB directory; aborts the test naming both when
 * neither exists.  Static buffer. */
const char *snmp_ietf_mibs(void);
/* "REPO/mibs:IETF": the -M argument of the tool helpers.  Static buffer. */
const char *snmp_mib_dirs(void);
/* How many processes have dir in their command line (leak check). */
int snmpd_procs_in(const char *dir);

#endif
