/*
 * snmp_internal.h: what the snmp service's files share, and nothing the
 * core sees.  The plugin (build/plugins/snmp.so, an AgentX subagent
 * serving HWHEALTH-MIB) is these files:
 *
 *   snmp.c         the hwh_plugin descriptor, init/run/shutdown: the
 *                  service loop on the service's thread, the connection
 *                  state, notifications, the log of net-snmp's messages
 *   snmp_feed.c    the daemon's state as the agent serves it: the view
 *                  rebuilt through hwh_query() when older than `refresh`,
 *                  served stale for at most `stale-limit` when the daemon
 *                  does not answer
 *   snmp_opts.c    the options and their defaults (pure C, unit-tested)
 *   snmp_agent.c   everything net-snmp: one AgentX session to the
 *                  master (connect, answer, ping, notify, close), with
 *                  net-snmp's transports and AgentX codec, not its
 *                  agent.  The only file that includes net-snmp's headers.
 *   snmp_view.c, snmp_notify.c  (helper VIEW) pure C: the daemon's JSON
 *                  replies -> MIB instances, and -> notifications.
 *
 * Threading: net-snmp keeps all its state in process globals without
 * locks, so exactly one thread calls it: the service's thread, which runs
 * init(), run() and shutdown().  The handler runs inside snmpa_wait() on
 * that thread.  Only one snmp service can run in a process (snmp.c holds a
 * process-wide claim from init() to shutdown()).
 *
 * Every function declared here is hidden: the .so exports hwh_plugin alone.
 */
#ifndef HWH_SNMP_INTERNAL_H
#define HWH_SNMP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"
#include "snmp_notify.h"
#include "snmp_view.h"

#define SNMP_SOCKET_MAX 256			 /* bytes of agentx-socket with its NUL */
#define SNMP_SOCKET_DEFAULT "/var/agentx/master" /* net-snmp's own default */
#define SNMP_ROOT_DEFAULT "1.3.6.1.4.1.32473"	 /* HWHEALTH-MIB's hwhealthMIB */
#define SNMP_ROOT_MAXLEN (SNMPV_OID_MAX - 8)	 /* room for the deepest instance */
#define SNMP_PING_DEFAULT_MS 1000
#define SNMP_REFRESH_DEFAULT_MS 1000
#define SNMP_POLL_DEFAULT_MS 1000
#define SNMP_TIMEOUT_DEFAULT_MS 500
#define SNMP_STALE_DEFAULT_MS 30000
#define SNMP_TICK_MS 200 /* the loop wakes at least this often (hwh_stopping) */
#define SNMP_APP_NAME "hwhealthd"

/* The options of the one "service NAME { plugin snmp; ... }" block. */
#define SNMPO_UNIX_PATH_MAX 107 /* sun_path holds 108 bytes with the NUL */

struct snmpo_conf {
	char socket[SNMP_SOCKET_MAX]; /* net-snmp transport: "/path", "unix:/path", "tcp:H:P",
				       * "tcp6:[A]:P" */
	uint32_t root[SNMPV_OID_MAX]; /* the module's OID */
	size_t rootlen;
	uint64_t ping_ms;    /* AgentX ping / reconnect interval, whole seconds */
	uint64_t refresh_ms; /* a view is reused this long */
	uint64_t poll_ms;    /* state diffed for notifications this often */
	uint64_t timeout_ms; /* budget of one round of hwh_query()s */
	uint64_t stale_ms;   /* a view is served at most this long after the last good one */
};

/*
 * snmp_opts.c.  Fill *c from the options: defaults first, then each option
 * (agentx-socket, ping-interval, refresh, poll, oid-root, timeout,
 * stale-limit).  0, or -1 with err->option (the bad option's index, or -1)
 * and err->msg set.
 */
PU_HIDDEN int snmpo_parse(const struct hwh_option *opts, size_t nopts, struct snmpo_conf *c,
			  struct hwh_config_error *err);
/* "1.3.6.1.4.1.32473" (an optional leading '.') into oid: its length, or
 * -1 (not a numeric OID of 2 to max sub-identifiers up to 4294967295). */
PU_HIDDEN int snmpo_parse_oid(const char *s, uint32_t *oid, size_t max);
/* oid as "1.3.6..." into buf (cut at len). */
PU_HIDDEN void snmpo_format_oid(const uint32_t *oid, size_t len, char *buf, size_t buflen);

/*
 * snmp_feed.c: the view the handler answers from, and the replies the
 * notifications are diffed from.
 */
struct snmpf_feed {
	struct hwh_ctx *ctx;
	const struct snmpo_conf *conf;
	struct snmpv_view *view; /* the last good view, or NULL */
	uint64_t built_ms;	 /* when view was built (CLOCK_MONOTONIC) */
	uint64_t tried_ms;	 /* the last attempt, good or not */
	bool failing;		 /* the last attempt failed */
	bool expired;		 /* view dropped: older than stale-limit */
	bool dirty;		 /* rebuild at the next request (lost changed) */
	uint32_t lost;		 /* notifications lost: hwhNotificationsLost.0 */
	char err[256];		 /* why the last attempt failed */
};
/* The replies of one round of queries (NULL where not asked). */
struct snmpf_replies {
	char *status, *sensors, *explain, *actions;
};
PU_HIDDEN void snmpf_init(struct snmpf_feed *f, struct hwh_ctx *ctx, const struct snmpo_conf *conf);
PU_HIDDEN void snmpf_free(struct snmpf_feed *f);
/* The view to answer from at now_ms: rebuilt first when older than
 * refresh (at most one attempt per refresh); the old one while the daemon
 * does not answer and it is younger than stale-limit; NULL after that (the
 * handler answers genErr).  Logs each change of that state once. */
PU_HIDDEN const struct snmpv_view *snmpf_view(struct snmpf_feed *f, uint64_t now_ms);
/* Ask the daemon for the replies whose pointer in want is non-NULL
 * (status, sensors, explain, actions), within the timeout option.  0, or
 * a negative errno with err (size len) saying which request failed and
 * why; the replies got so far are freed then. */
PU_HIDDEN int snmpf_query(struct snmpf_feed *f, const struct snmpf_replies *want,
			  struct snmpf_replies *out, char *err, size_t len);
PU_HIDDEN void snmpf_replies_free(struct snmpf_replies *r);

/*
 * snmp_agent.c: net-snmp.  One agent per process; every function on the
 * service's thread only.
 */
/* What the handler answers from: the feed's view (NULL: genErr). */
typedef const struct snmpv_view *(*snmpa_view_fn)(void *arg);
/* One line of net-snmp's log (no trailing newline), syslog priority. */
typedef void (*snmpa_log_fn)(void *arg, int prio, const char *msg);
/* The outcome of a notification snmpa_notify() sent (what: its n->what):
 * 0, the master answered without error; -EREMOTEIO, it answered with one;
 * -ETIMEDOUT, no answer within the timeout; -ENOTCONN, the session closed
 * first.  Called from snmpa_wait() or snmpa_stop(). */
typedef void (*snmpa_sent_fn)(void *arg, const char *what, int err);
/* Whether the service is stopping: every wait longer than SNMP_TICK_MS
 * (connecting, Open, Register, a send) ends early when it says so. */
typedef bool (*snmpa_stopping_fn)(void *arg);
struct snmpa_conf {
	const char *socket;
	const uint32_t *root;
	size_t rootlen;
	int ping_s;    /* AgentX ping and reconnect interval, seconds >= 1 */
	int timeout_s; /* how long the master should wait for an answer (0: its default) */
	snmpa_view_fn view;
	snmpa_log_fn log;
	snmpa_sent_fn sent;	    /* NULL: outcomes not wanted */
	snmpa_stopping_fn stopping; /* NULL: never */
	void *arg;		    /* given to view, log, sent and stopping */
};
/* Set up net-snmp's log (through c->log) and transports, and try once to
 * open an AgentX session to the master and register root (no MIB parsing,
 * no configuration or persistent files); snmpa_wait() retries every ping_s
 * while there is none.  0, or -1 with err (size len). */
PU_HIDDEN int snmpa_start(const struct snmpa_conf *c, char *err, size_t len);
/* Serve: wait up to max_ms for the master's requests, answer them, ping
 * the master or reconnect when due.  Returns early on a request.  -errno
 * when poll() fails (other than EINTR), else 0. */
PU_HIDDEN int snmpa_wait(int64_t max_ms);
/* Whether a session to the master is open. */
PU_HIDDEN bool snmpa_connected(void);
/* Send n through the master, without waiting for its answer (its outcome
 * goes to c->sent).  0; -ENOTCONN (no session: not sent); -ENOMEM; -EIO
 * (the send failed: the session is closed). */
PU_HIDDEN int snmpa_notify(const struct snmpn_notice *n);
/* Close the session (c->sent hears of each notification not answered),
 * and undo snmpa_start() (snmpa_start may follow). */
PU_HIDDEN void snmpa_stop(void);

/* snmp_conn.c: the socket to the master (only snmp_agent.c uses these).
 * A connected non-blocking socket to addr (agentx-socket's forms), waited
 * for at most timeout_ms and not after stopping(arg); or -errno with why. */
PU_HIDDEN int snmpc_connect(const char *addr, int timeout_ms, snmpa_stopping_fn stopping, void *arg,
			    char *why, size_t len);
/* A net-snmp stream transport owning fd (closed with it), whose sends wait
 * at most send_timeout_ms for room; NULL: out of memory (fd not closed). */
struct netsnmp_transport_s;
PU_HIDDEN struct netsnmp_transport_s *snmpc_transport(int fd, int send_timeout_ms,
						      snmpa_stopping_fn stopping, void *arg);

#endif
