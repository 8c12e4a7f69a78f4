/*
 * snmp: the SNMP service (build/plugins/snmp.so): an AgentX subagent that
 * serves HWHEALTH-MIB (mibs/HWHEALTH-MIB.txt) from the daemon's live state
 * and sends the module's notifications through the local snmpd.
 *
 *   service snmp {
 *       plugin snmp;
 *       agentx-socket /var/agentx/master;
 *   }
 *
 * Options: snmp_opts.c and hwhealth.conf(5), SNMP SERVICE.  The files:
 * snmp_internal.h.
 *
 * Life: config() on the main thread checks the options; init() on the
 * service's thread claims the process's one net-snmp agent (a second snmp
 * service is refused: net-snmp's agent is process-wide); run() starts
 * net-snmp, then loops until hwh_stopping():
 *   - snmpa_wait() serves the master's requests, pings it and reconnects
 *     when due, for at most SNMP_TICK_MS;
 *   - a change of the session to the master is logged once, shown with
 *     hwh_service_status(), and after a reconnection that followed lost
 *     notifications, one hwhNotificationsDropped is sent;
 *   - every `poll`, status, explain and actions are asked for and diffed
 *     (snmp_notify.c): each notification due is sent when a session is
 *     open, else counted in hwhNotificationsLost.0 and logged; one sent
 *     is counted lost too when the master refuses it or does not answer
 *     (agent_sent());
 * then shuts net-snmp down, so that a reload (which stops the service and
 * starts it again, on a new thread) initialises it afresh.
 *
 * net-snmp's own log lines go to the daemon's log prefixed "net-snmp:".
 * Those about the connection ("Failed to connect to the agentx master
 * agent", "disconnected us", "connected") are debug: the service logs one
 * line of its own per disconnection and reconnection.  Any line already
 * logged since the last change of the connection (or in the last hour) is
 * not repeated (the count of those left out goes with the next change's
 * line).
 *
 * To extend: a new periodic job is one more deadline in the run() loop.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_internal.h"

#define SEEN_MAX 32	    /* distinct net-snmp lines remembered between connection changes */
#define SEEN_FOR_MS 3600000 /* ...and for at most an hour */
#define STATUS_MAX 200	    /* hwh_service_status() cuts there */

/* One instance: the "service NAME { plugin snmp; ... }" block. */
struct snmp_inst {
	struct snmpo_conf conf;
	struct hwh_ctx *ctx;
	struct snmpf_feed feed;
	struct snmpn_state *nstate; /* what the last poll saw */
	bool connected;		    /* a session to the master was open at the last look */
	bool ever_connected;
	uint64_t changed_ms;	 /* when connected last changed */
	bool poll_failing;	 /* the last poll failed (logged once) */
	uint32_t seen[SEEN_MAX]; /* hashes of net-snmp lines logged since changed_ms */
	size_t nseen;		 /* how many of seen are set (a ring past SEEN_MAX) */
	unsigned suppressed;	 /* repeated lines left out since changed_ms */
	uint64_t seen_ms;	 /* when seen was last emptied */
	char status[STATUS_MAX]; /* the last text given to hwh_service_status() */
	int status_ok;		 /* its ok, -1 before the first */
	uint64_t status_key;	 /* what it was made of */
};

/* The instance that owns net-snmp in this process, or NULL. */
static _Atomic(struct snmp_inst *) owner;

/* hwhNotificationsLost counts from the daemon's start, across the
 * service's restarts and reloads (the .so stays loaded): each run() starts
 * from it and leaves its count in it.  Only the owner touches it. */
static uint32_t lost_since_start;
/* lost_since_start when the last hwhNotificationsDropped went out: process-
 * wide too, so that a restart of the service (a reload that changed its
 * block, a failed run) still reports what was lost before it. */
static uint32_t lost_reported;

static int svc_config(const struct hwh_option *opts, size_t nopts, void **inst,
		      struct hwh_config_error *err)
{
	struct snmp_inst *s = calloc(1, sizeof *s);

	if (s == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	if (snmpo_parse(opts, nopts, &s->conf, err) < 0) {
		free(s);
		return -1;
	}
	*inst = s;
	return 0;
}

/* ---- net-snmp's log ------------------------------------------------------ */

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Lines net-snmp logs about the connection; the service says it once. */
static bool connection_noise(const char *msg)
{
	static const char *const noise[] = {
	    "Failed to connect to the agentx master agent",
	    "AgentX master disconnected us",
	    "AgentX subagent connected",
	    "AgentX master agent failed to respond to ping",
	};

	for (size_t i = 0; i < sizeof noise / sizeof noise[0]; i++)
		if (strstr(msg, noise[i]) != NULL)
			return true;
	return false;
}

static void log_netsnmp(void *arg, int prio, const char *msg)
{
	struct snmp_inst *s = arg;
	uint32_t h = fnv1a(msg);
	uint64_t now = pu_mono_ms();
	size_t n;
	int level;

	if (now - s->seen_ms >= SEEN_FOR_MS) { /* an hour on: say it again */
		if (s->suppressed > 0)
			hwh_log(s->ctx, HWH_LOG_INFO, "%u repeated net-snmp lines left out",
				s->suppressed);
		s->nseen = 0;
		s->suppressed = 0;
		s->seen_ms = now;
	}
	n = s->nseen < SEEN_MAX ? s->nseen : SEEN_MAX;

	for (size_t i = 0; i < n; i++)
		if (s->seen[i] == h) {
			s->suppressed++;
			return;
		}
	s->seen[s->nseen++ % SEEN_MAX] = h;
	if (connection_noise(msg))
		level = HWH_LOG_DEBUG;
	else if (prio <= HWH_LOG_ERR)
		level = HWH_LOG_ERR;
	else
		level = prio > HWH_LOG_DEBUG ? HWH_LOG_DEBUG : prio;
	hwh_log(s->ctx, level, "net-snmp: %s", msg);
}

/* ---- state shown in "hwhealth status" -------------------------------------- */

static void update_status(struct snmp_inst *s)
{
	char text[STATUS_MAX];
	int ok = s->connected && !s->feed.expired && !s->poll_failing;
	/* What the text is made of: formatted only when it changed (this runs
	 * after every request). */
	uint64_t key = (uint64_t)s->connected | (uint64_t)s->ever_connected << 1 |
		       (uint64_t)s->feed.expired << 2 | (uint64_t)s->poll_failing << 3 |
		       (uint64_t)s->feed.lost << 4;
	int w;

	if (s->status_ok >= 0 && key == s->status_key)
		return;
	s->status_key = key;

	if (s->connected)
		w = snprintf(text, sizeof text, "connected to the AgentX master at %s",
			     s->conf.socket);
	else
		w = snprintf(text, sizeof text, "AgentX master at %s %s (retrying every %llus)",
			     s->conf.socket, s->ever_connected ? "lost" : "not reached yet",
			     (unsigned long long)(s->conf.ping_ms / 1000));
	if (s->feed.expired && w >= 0 && (size_t)w < sizeof text)
		w += snprintf(text + w, sizeof text - (size_t)w, "; daemon state unavailable: %s",
			      s->feed.err);
	if (s->poll_failing && w >= 0 && (size_t)w < sizeof text)
		w += snprintf(text + w, sizeof text - (size_t)w,
			      "; notifications: cannot poll the daemon's state");
	if (s->feed.lost > 0 && w >= 0 && (size_t)w < sizeof text)
		snprintf(text + w, sizeof text - (size_t)w, "; %u notifications lost",
			 s->feed.lost);
	if (ok == s->status_ok && strcmp(text, s->status) == 0)
		return;
	s->status_ok = ok;
	snprintf(s->status, sizeof s->status, "%s", text);
	hwh_service_status(s->ctx, ok, text);
}

/* ---- notifications --------------------------------------------------------- */

/* n is lost (why: errno, -ENOTCONN when there was no master). */
static void count_lost(struct snmp_inst *s, const char *what, int why)
{
	s->feed.lost++;
	lost_since_start = s->feed.lost;
	s->feed.dirty = true; /* hwhNotificationsLost.0 changed */
	hwh_log(s->ctx, HWH_LOG_WARNING, "notification lost (%s): %s; %u lost since start",
		why == -ENOTCONN    ? "no AgentX master"
		: why == -EREMOTEIO ? "the AgentX master refused it"
		: why == -ETIMEDOUT ? "the AgentX master did not answer"
				    : strerror(-why),
		what, s->feed.lost);
}

static void deliver(struct snmp_inst *s, const struct snmpn_notice *n)
{
	int r = snmpa_notify(n);

	if (r == 0)
		hwh_log(s->ctx, HWH_LOG_INFO, "notification sent: %s", n->what);
	else
		count_lost(s, n->what, r);
}

/* The master's answer to a notification sent: lost unless it took it. */
static void agent_sent(void *arg, const char *what, int err)
{
	struct snmp_inst *s = arg;

	if (err == 0)
		hwh_log(s->ctx, HWH_LOG_DEBUG, "notification delivered: %s", what);
	else
		count_lost(s, what, err);
}

/* Connected, with losses not reported yet (after a reconnection, a
 * restart of the service, or a send that failed while connected): tell the
 * manager how many were lost. */
static void report_lost(struct snmp_inst *s)
{
	struct snmpn_notice d;
	int r;

	if (!s->connected || s->feed.lost == lost_reported)
		return;
	memset(&d, 0, sizeof d);
	snmpn_dropped(s->conf.root, s->conf.rootlen, s->feed.lost, &d);
	r = snmpa_notify(&d);
	if (r < 0) {
		hwh_log(s->ctx, HWH_LOG_WARNING, "cannot send hwhNotificationsDropped: %s",
			strerror(-r));
		return;
	}
	hwh_log(s->ctx, HWH_LOG_NOTICE,
		"sent hwhNotificationsDropped: %u notifications lost since the last report "
		"(%u since start)",
		s->feed.lost - lost_reported, s->feed.lost);
	lost_reported = s->feed.lost;
}

static void poll_state(struct snmp_inst *s)
{
	static char ask; /* a non-NULL marker: "ask for this reply" */
	const struct snmpf_replies want = {&ask, NULL, &ask, &ask};
	struct snmpf_replies rep;
	struct snmpn_notice *v = NULL;
	struct snmpv_input in;
	size_t n = 0;
	char err[256];
	int r = snmpf_query(&s->feed, &want, &rep, err, sizeof err);

	if (r == -ECANCELED) /* stopping */
		return;
	if (r == 0) {
		in = (struct snmpv_input){rep.status, NULL, rep.explain, rep.actions, s->feed.lost};
		if (snmpn_diff(&s->nstate, &in, s->conf.root, s->conf.rootlen, &v, &n, err,
			       sizeof err) == 0) {
			if (s->poll_failing)
				hwh_log(s->ctx, HWH_LOG_NOTICE,
					"polling the daemon's state for notifications works again");
			s->poll_failing = false;
			/* The daemon answers again: a view that expired while no
			 * manager asked is rebuilt now, not at the next request,
			 * so the status does not go on saying it is unavailable. */
			if (s->feed.expired)
				(void)snmpf_view(&s->feed, pu_mono_ms());
			for (size_t i = 0; i < n; i++)
				deliver(s, &v[i]);
			report_lost(s);
			snmpn_notices_free(v, n);
			snmpf_replies_free(&rep);
			return;
		}
		snmpf_replies_free(&rep);
	}
	if (!s->poll_failing)
		hwh_log(s->ctx, HWH_LOG_WARNING,
			"cannot poll the daemon's state for notifications: %s (retrying every "
			"%llums; changes are compared with the last state seen)",
			err, (unsigned long long)s->conf.poll_ms);
	s->poll_failing = true;
}

/* ---- the connection to the master ---------------------------------------- */

static void check_connection(struct snmp_inst *s, uint64_t now)
{
	bool up = snmpa_connected();
	char left_out[64] = "";

	if (up == s->connected)
		return;
	if (s->suppressed > 0)
		snprintf(left_out, sizeof left_out, " (%u repeated net-snmp lines left out)",
			 s->suppressed);
	if (up)
		hwh_log(s->ctx, HWH_LOG_NOTICE, "connected to the AgentX master at %s%s%s",
			s->conf.socket, s->ever_connected ? " again" : "", left_out);
	else
		hwh_log(s->ctx, HWH_LOG_WARNING,
			"lost the AgentX master at %s: not served until it is back (retrying every "
			"%llus)%s",
			s->conf.socket, (unsigned long long)(s->conf.ping_ms / 1000), left_out);
	s->connected = up;
	s->ever_connected |= up;
	s->changed_ms = s->seen_ms = now;
	s->nseen = 0;
	s->suppressed = 0;
	if (up)
		report_lost(s);
}

static const struct snmpv_view *agent_view(void *arg)
{
	struct snmp_inst *s = arg;

	return snmpf_view(&s->feed, pu_mono_ms());
}

/* ---- the life of the service ------------------------------------------- */

static int svc_init(void *inst, struct hwh_ctx *ctx)
{
	struct snmp_inst *s = inst;
	struct snmp_inst *expected = NULL;

	s->ctx = ctx;
	if (!atomic_compare_exchange_strong(&owner, &expected, s) && expected != s) {
		hwh_error(ctx, "another snmp service already runs in this process: net-snmp's "
			       "agent is process-wide, configure only one");
		hwh_service_status(ctx, 0, "refused: another snmp service runs in this process");
		return -EBUSY;
	}
	return 0;
}

static bool agent_stopping(void *arg)
{
	const struct snmp_inst *s = arg;

	return hwh_stopping(s->ctx);
}

static int svc_run(void *inst, struct hwh_ctx *ctx)
{
	struct snmp_inst *s = inst;
	const struct snmpa_conf ac = {
	    .socket = s->conf.socket,
	    .root = s->conf.root,
	    .rootlen = s->conf.rootlen,
	    .ping_s = (int)(s->conf.ping_ms / 1000),
	    .timeout_s = (int)((s->conf.timeout_ms + 999) / 1000 + 1),
	    .view = agent_view,
	    .log = log_netsnmp,
	    .sent = agent_sent,
	    .stopping = agent_stopping,
	    .arg = s,
	};
	uint64_t next_poll;
	char err[256];
	int r = 0;

	s->ctx = ctx;
	snmpf_init(&s->feed, ctx, &s->conf);
	s->feed.lost = lost_since_start;
	s->connected = s->ever_connected = false;
	s->status[0] = '\0';
	s->status_ok = -1;
	s->seen_ms = pu_mono_ms();
	s->nseen = 0;
	s->suppressed = 0;
	if (snmpa_start(&ac, err, sizeof err) < 0) {
		hwh_error(ctx, "%s", err);
		hwh_service_status(ctx, 0, err);
		snmpf_free(&s->feed);
		return -EIO;
	}
	s->changed_ms = next_poll = pu_mono_ms();
	check_connection(s, next_poll);
	if (!s->connected)
		hwh_log(ctx, HWH_LOG_WARNING,
			"AgentX master at %s not reached yet: retrying every %llus", s->conf.socket,
			(unsigned long long)(s->conf.ping_ms / 1000));
	while (!hwh_stopping(ctx)) {
		uint64_t now = pu_mono_ms();

		if (now >= next_poll) {
			poll_state(s);
			next_poll += s->conf.poll_ms;
			if (next_poll <= now) /* fell behind: no burst of polls */
				next_poll = now + s->conf.poll_ms;
		}
		update_status(s);
		r = snmpa_wait(next_poll - now < SNMP_TICK_MS ? (int64_t)(next_poll - now)
							      : SNMP_TICK_MS);
		if (r < 0) {
			hwh_error(ctx, "select: %s", strerror(-r));
			hwh_service_status(ctx, 0, "internal error: select failed");
			break;
		}
		check_connection(s, pu_mono_ms());
	}
	snmpa_stop();
	snmpf_free(&s->feed);
	snmpn_state_free(s->nstate);
	s->nstate = NULL;
	return r < 0 ? -EIO : 0;
}

static void svc_shutdown(void *inst)
{
	struct snmp_inst *s = inst;
	struct snmp_inst *expected = s;

	atomic_compare_exchange_strong(&owner, &expected, NULL);
	free(s);
}

static int svc_probe(void)
{
	return 0; /* a service is never added by autodetection */
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "snmp",
	.description = "AgentX subagent: serves HWHEALTH-MIB and sends its notifications "
		       "through snmpd",
	.probe = svc_probe,
	.config = svc_config,
	.init = svc_init,
	.poll = NULL,
	.rescan = NULL,
	.act = NULL,
	.shutdown = svc_shutdown,
	.perform = NULL,
	.cluster = NULL,
	.run = svc_run,
};
/* clang-format on */
