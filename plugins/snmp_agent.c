/*
 * snmp_agent.c: the net-snmp side of the snmp service: one AgentX session
 * to the master (RFC 2741), spoken with net-snmp's library (its transports,
 * its session layer, and its AgentX encoder and parser from
 * libnetsnmpagent), without net-snmp's agent: no init_snmp(), no
 * init_agent(), no subagent module, no handler registry, no internal
 * callback session.  See snmp_internal.h.
 *
 * Why not net-snmp's agent: every request then went from the master's
 * session through libnetsnmpagent's internal callback session (two pipe
 * writes and more select() rounds per request) and its request machinery:
 * 28 % of a walk's time in the daemon, the plugin's own code ~2 % of it
 * (bench/ANALYSIS.md, "SNMP subagent").  init_snmp() also called
 * setlocale(LC_CTYPE, ""), which corrupts the heap when it races with
 * json-c in the daemon's other threads, init_agent() leaked at each
 * restart, and a second start in one process needed repairs of its
 * globals.  None of that code runs now.
 *
 * What runs, all on the service's thread (net-snmp's session layer,
 * transports and log handlers are process globals without locks):
 *   - snmpa_start(): net-snmp's log to a callback (never to stderr), its
 *     transport domains registered, no configuration or persistent file
 *     (guards only: nothing here reads or writes one, and no MIB is
 *     parsed: OIDs are numeric), then a first connection attempt;
 *   - connecting: the transport from agentx-socket, a single session
 *     (snmp_sess_add_ex(): not in net-snmp's session list) with AgentX's
 *     parse / build / packet-length functions, then Open and Register of
 *     the module's root, each waited for at most the session timeout;
 *   - snmpa_wait(): poll() on the session's socket; the master's
 *     Get / GetNext / GetBulk are answered at once from the view; Ping
 *     every ping interval (no answer within it, an error, or EOF: the
 *     session is closed); while there is no session, a connection attempt
 *     every ping interval and nothing else (a plain sleep);
 *   - snmpa_notify(): a Notify sent without waiting; its outcome (the
 *     master's Response, or none) goes to the conf's `sent` callback.
 * libnetsnmpagent's agentx_open_session() / agentx_register() /
 * agentx_send_ping() are not used: their callback hands any other packet,
 * and a disconnection, to the subagent module (handle_agentx_packet()),
 * which then touches its globals and schedules its own reconnection.
 *
 * The view's numbers are 32-bit sub-identifiers (uint32_t), net-snmp's are
 * `oid` (unsigned long): converted both ways here.
 *
 * To extend: a new value type is one case in add_value().
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "snmp_internal.h"

/*
 * libnetsnmpagent's AgentX codec (agent/mibgroup/agentx/protocol.h, a
 * header Debian's libsnmp-dev does not install).  agentx_parse() gives a
 * Get* request's search ranges as varbinds: the start is the name, its type
 * ASN_PRIV_INCL_RANGE when the start is included, the end the value (an
 * OID, empty: no end).
 */
int agentx_parse(netsnmp_session *s, netsnmp_pdu *pdu, u_char *data, size_t len);
int agentx_realloc_build(netsnmp_session *s, netsnmp_pdu *pdu, u_char **buf, size_t *buf_len,
			 size_t *out_len);

/* The largest AgentX payload accepted from the master; a header claiming
 * more (or a length not a multiple of 4) ends the session. */
#define AX_PAYLOAD_MAX (1024 * 1024)
#define AX_HEADER_LEN 20
#define STOP_DRAIN_MS 200  /* at stop, how long Notifies' answers are awaited */
#define PINGS_MISSED_MAX 2 /* unanswered pings in a row that drop the session */

/* RFC 2741's numbers, as net-snmp's protocol.h spells them. */
#define AX_VERSION_1 (192 | 1)
#define AX_OPEN 1
#define AX_CLOSE 2
#define AX_REGISTER 3
#define AX_GET 5
#define AX_GETNEXT 6
#define AX_GETBULK 7
#define AX_TESTSET 8
#define AX_COMMITSET 9
#define AX_UNDOSET 10
#define AX_CLEANUPSET 11
#define AX_NOTIFY 12
#define AX_PING 13
#define AX_RESPONSE 18
#define AX_FLAG_NETWORK_BYTE_ORDER 0x10
#define AX_ERR_PROCESSING 268	/* processingError */
#define AX_CLOSE_SHUTDOWN 5	/* reasonShutdown */
#define AX_PRIORITY_DEFAULT 127 /* RFC 2741 6.2.3 */
#define BULK_MAX_VARBINDS 4096	/* a GetBulk answer stops there (RFC 2741 7.2.3.3 allows it) */

_Static_assert(SNMPV_INTEGER == ASN_INTEGER, "view types are BER tags");
_Static_assert(SNMPV_OCTETS == ASN_OCTET_STR, "view types are BER tags");
_Static_assert(SNMPV_COUNTER32 == ASN_COUNTER, "view types are BER tags");
_Static_assert(SNMPV_GAUGE32 == ASN_GAUGE, "view types are BER tags");

#define LOG_LINE_MAX 512

static const oid sysuptime_oid[] = {1, 3, 6, 1, 2, 1, 1, 3, 0};	     /* sysUpTime.0 */
static const oid trap_oid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */

/* A Notify sent, its Response not yet come. */
struct pending {
	int reqid;
	char what[sizeof(((struct snmpn_notice *)0)->what)];
};

/* The one agent of the process. */
static struct {
	bool started;
	snmpa_view_fn view;
	snmpa_log_fn log;
	snmpa_sent_fn sent;
	snmpa_stopping_fn stopping;
	void *arg;
	char socket[SNMP_SOCKET_MAX];
	oid root[SNMPV_OID_MAX];
	size_t rootlen;
	int ping_s, timeout_s;
	uint64_t start_ms; /* sysUpTime of the notifications and responses */
	void *sess;	   /* the session (snmp_sess_*), NULL while there is none */
	bool open;	   /* Open and Register answered: connected */
	bool dropped;	   /* EOF, Close, a failed send or ping: close it */
	bool closing;	   /* in snmp_sess_close() */
	long sessid;	   /* the master's h.sessionID for us */
	uint64_t next_try_ms, next_ping_ms;
	int ping_reqid;	    /* the Ping awaiting its Response, 0: none */
	int pings_missed;   /* unanswered in a row */
	uint64_t opened_ms; /* when the session was opened */
	bool refused;	    /* the master closed us (Close byManager etc.): back off */
	struct pending *pend;
	size_t npend, cappend;
} A;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool stopping(void)
{
	return A.stopping != NULL && A.stopping(A.arg);
}

/* Centiseconds since snmpa_start(), for TimeTicks. */
static u_long uptime_cs(void)
{
	return (u_long)((now_ms() - A.start_ms) / 10 % 4294967296ull);
}

static void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (A.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	A.log(A.arg, prio, line);
}

/* net-snmp's log: each line to A.log, without its newline. */
static int log_cb(int major, int minor, void *serverarg, void *clientarg)
{
	const struct snmp_log_message *m = serverarg;
	const char *p;

	(void)major;
	(void)minor;
	(void)clientarg;
	if (m == NULL || m->msg == NULL || A.log == NULL)
		return SNMPERR_SUCCESS;
	for (p = m->msg; *p != '\0';) {
		size_t n = strcspn(p, "\n");
		char line[LOG_LINE_MAX];

		snprintf(line, sizeof line, "%.*s", (int)n, p);
		/* Some warnings end with ": " and an empty strerror. */
		for (size_t l = strlen(line); l > 0 && (line[l - 1] == ' ' || line[l - 1] == ':');)
			line[--l] = '\0';
		if (line[0] != '\0')
			A.log(A.arg, m->priority, line);
		p += n;
		if (*p == '\n')
			p++;
	}
	return SNMPERR_SUCCESS;
}

/* name as the view's OID (at most SNMPV_OID_MAX sub-identifiers: a longer
 * one compares like its first SNMPV_OID_MAX, as no instance is longer). */
static size_t to_view_oid(const oid *name, size_t len, uint32_t *out)
{
	if (len > SNMPV_OID_MAX)
		len = SNMPV_OID_MAX;
	for (size_t i = 0; i < len; i++)
		out[i] = name[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)name[i];
	return len;
}

static size_t from_view_oid(const uint32_t *in, size_t len, oid *out)
{
	for (size_t i = 0; i < len; i++)
		out[i] = in[i];
	return len;
}

/* The view's a against net-snmp's b: <0, 0, >0 in OID order. */
static int cmp_oid(const uint32_t *a, size_t alen, const oid *b, size_t blen)
{
	for (size_t i = 0; i < alen && i < blen; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return alen < blen ? -1 : alen > blen;
}

/* ---- sessions ------------------------------------------------------------- */

/* The exchange being waited for (one at a time); a callback for an older
 * one (its reqid no longer here: it timed out) is ignored. */
static struct {
	int reqid;
	bool done;
	netsnmp_pdu *resp; /* a copy of the Response, NULL: none */
} X;

static int exchange_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	(void)s;
	(void)magic;
	if (reqid == 0 || reqid != X.reqid || X.done)
		return 1;
	X.done = true;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu != NULL)
		X.resp = snmp_clone_pdu(pdu);
	return 1;
}

static int session_fd(void)
{
	netsnmp_transport *t = A.sess != NULL ? snmp_sess_transport(A.sess) : NULL;

	return t != NULL ? t->sock : -1;
}

/* Read what the socket holds (it is readable). */
static void read_session(void)
{
	netsnmp_large_fd_set fds;
	int fd = session_fd();

	if (fd < 0) {
		A.dropped = true;
		return;
	}
	netsnmp_large_fd_set_init(&fds, fd + 1);
	netsnmp_large_fd_setfd(fd, &fds);
	if (snmp_sess_read2(A.sess, &fds) < 0 && session_fd() < 0)
		A.dropped = true; /* EOF: net-snmp closed the socket */
	netsnmp_large_fd_set_cleanup(&fds);
}

/* Wait up to ms for the socket: 1 readable, 0 not, -errno. */
static int wait_fd(int64_t ms)
{
	struct pollfd p = {.fd = session_fd(), .events = POLLIN};
	int n;

	if (p.fd < 0)
		return 0;
	n = poll(&p, 1, ms > INT32_MAX ? INT32_MAX : (int)ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	return n > 0;
}

/* Send pdu (consumed) and wait for its Response, at most the session
 * timeout.  The Response (to free), or NULL with why. */
static netsnmp_pdu *exchange(netsnmp_pdu *pdu, const char **why)
{
	uint64_t end = now_ms() + (uint64_t)A.timeout_s * 1000;
	netsnmp_pdu *resp;

	X.done = false;
	X.resp = NULL;
	X.reqid = snmp_sess_async_send(A.sess, pdu, exchange_cb, NULL);
	if (X.reqid == 0) {
		snmp_free_pdu(pdu);
		*why = "cannot send";
		return NULL;
	}
	while (!X.done && !A.dropped) {
		uint64_t now = now_ms();
		int r;

		if (now >= end)
			break;
		if (stopping()) {
			*why = "stopping";
			break;
		}
		r = wait_fd(end - now > SNMP_TICK_MS ? SNMP_TICK_MS : (int64_t)(end - now));
		if (r < 0) {
			*why = "poll failed";
			A.dropped = true;
			break;
		}
		if (r > 0)
			read_session();
	}
	resp = X.resp;
	X.reqid = 0; /* a late answer is ignored */
	X.resp = NULL;
	if (resp == NULL && *why == NULL)
		*why = A.dropped ? "the master closed the connection" : "no answer";
	return resp;
}

/* Every Notify still pending is lost: tell the caller. */
static void fail_pending(int err)
{
	for (size_t i = 0; i < A.npend; i++)
		if (A.sent != NULL)
			A.sent(A.arg, A.pend[i].what, err);
	A.npend = 0;
}

static void close_session(bool say_close)
{
	if (A.sess == NULL)
		return;
	if (say_close && A.open && !A.dropped) {
		netsnmp_pdu *pdu = snmp_pdu_create(AX_CLOSE);

		if (pdu != NULL) {
			pdu->sessid = A.sessid;
			pdu->errstat = AX_CLOSE_SHUTDOWN;
			pdu->time = 0;
			if (snmp_sess_send(A.sess, pdu) == 0)
				snmp_free_pdu(pdu);
		}
	}
	A.open = false;
	/* Calls the callbacks of what is outstanding (ping_cb, notify_cb). */
	A.closing = true;
	snmp_sess_close(A.sess);
	A.closing = false;
	A.sess = NULL;
	A.dropped = false;
	A.ping_reqid = 0;
	fail_pending(-ENOTCONN);
}

static int packet_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic);

/* net-snmp's agentx_check_packet() takes any 32-bit payload length (and
 * one near 2^32 wraps): the session would buffer up to 2 GB, or lose the
 * framing.  The packet's length, or -1 (net-snmp then ends the session). */
static int check_packet(u_char *data, size_t len)
{
	uint32_t pl;

	if (len < AX_HEADER_LEN)
		return 0; /* not yet complete */
	pl = data[2] & AX_FLAG_NETWORK_BYTE_ORDER
		 ? (uint32_t)data[16] << 24 | (uint32_t)data[17] << 16 | (uint32_t)data[18] << 8 |
		       data[19]
		 : (uint32_t)data[19] << 24 | (uint32_t)data[18] << 16 | (uint32_t)data[17] << 8 |
		       data[16];
	if (pl > AX_PAYLOAD_MAX || pl % 4 != 0) {
		say(LOG_WARNING,
		    "AgentX master sent a packet of %" PRIu32
		    " bytes (at most %d, a multiple of 4): dropping the session",
		    pl, AX_PAYLOAD_MAX);
		A.dropped = true;
		return -1;
	}
	return (int)pl + AX_HEADER_LEN;
}

/* One attempt: transport, session, Open, Register.  0, or -1 (logged). */
static int connect_master(void)
{
	netsnmp_session in;
	netsnmp_transport *t;
	netsnmp_pdu *pdu, *resp;
	const char *why = NULL;
	const char descr[] = SNMP_APP_NAME;
	char cwhy[160];
	int fd;

	A.refused = false;
	fd = snmpc_connect(A.socket, A.timeout_s * 1000, A.stopping, A.arg, cwhy, sizeof cwhy);
	if (fd < 0) {
		say(LOG_DEBUG, "Failed to connect to the agentx master agent (%s: %s)", A.socket,
		    cwhy);
		return -1;
	}
	t = snmpc_transport(fd, A.timeout_s * 1000, A.stopping, A.arg);
	if (t == NULL) {
		close(fd);
		say(LOG_ERR, "out of memory for an AgentX session on %s", A.socket);
		return -1;
	}
	snmp_sess_init(&in);
	in.version = AX_VERSION_1;
	in.flags |= SNMP_FLAGS_STREAM_SOCKET;
	in.retries = 0;
	in.timeout = (long)A.timeout_s * 1000000L;
	in.callback = packet_cb;
	/* Frees t when it fails. */
	A.sess = snmp_sess_add_ex(&in, t, NULL, agentx_parse, NULL, NULL, agentx_realloc_build,
				  check_packet, NULL);
	if (A.sess == NULL) {
		say(LOG_ERR, "cannot set up an AgentX session on %s", A.socket);
		return -1;
	}
	A.dropped = false;
	pdu = snmp_pdu_create(AX_OPEN);
	if (pdu == NULL || snmp_pdu_add_variable(pdu, A.root, A.rootlen, ASN_OCTET_STR, descr,
						 strlen(descr)) == NULL) {
		snmp_free_pdu(pdu);
		why = "out of memory";
		goto fail;
	}
	pdu->time = (u_long)A.timeout_s; /* the master waits this long for us */
	resp = exchange(pdu, &why);
	if (resp == NULL)
		goto fail;
	if (resp->errstat != SNMP_ERR_NOERROR) {
		snmp_free_pdu(resp);
		why = "the master refused the session";
		goto fail;
	}
	A.sessid = resp->sessid;
	snmp_free_pdu(resp);

	pdu = snmp_pdu_create(AX_REGISTER);
	if (pdu == NULL || snmp_add_null_var(pdu, A.root, A.rootlen) == NULL) {
		snmp_free_pdu(pdu);
		why = "out of memory";
		goto fail;
	}
	pdu->sessid = A.sessid;
	pdu->time = (u_long)A.timeout_s;
	pdu->priority = AX_PRIORITY_DEFAULT;
	pdu->range_subid = 0;
	resp = exchange(pdu, &why);
	if (resp == NULL)
		goto fail;
	if (resp->errstat != SNMP_ERR_NOERROR) {
		say(LOG_ERR, "the AgentX master refused to register the module's root: error %ld",
		    resp->errstat);
		snmp_free_pdu(resp);
		A.open = true; /* the session is open: Close it */
		close_session(true);
		return -1;
	}
	snmp_free_pdu(resp);
	A.open = true;
	A.ping_reqid = 0;
	A.pings_missed = 0;
	A.opened_ms = now_ms();
	A.next_ping_ms = now_ms() + (uint64_t)A.ping_s * 1000;
	say(LOG_DEBUG, "AgentX subagent connected");
	return 0;
fail:
	say(LOG_DEBUG, "Failed to connect to the agentx master agent (%s: %s)", A.socket, why);
	close_session(false);
	return -1;
}

/* ---- answering the master ------------------------------------------------- */

/* v as a varbind of pdu: 0, or -1 (out of memory, or a type the view
 * should not have). */
static int add_value(netsnmp_pdu *pdu, const struct snmpv_var *v)
{
	oid name[SNMPV_OID_MAX];
	size_t n = from_view_oid(v->oid, v->oidlen, name);
	long i = (long)v->num;
	u_long u = (u_long)v->num;
	netsnmp_variable_list *r;

	switch (v->type) {
	case SNMPV_INTEGER:
		r = snmp_pdu_add_variable(pdu, name, n, ASN_INTEGER, &i, sizeof i);
		break;
	case SNMPV_COUNTER32:
	case SNMPV_GAUGE32:
		r = snmp_pdu_add_variable(pdu, name, n, v->type, &u, sizeof u);
		break;
	case SNMPV_OCTETS:
		r = snmp_pdu_add_variable(pdu, name, n, ASN_OCTET_STR, v->str ? v->str : "",
					  v->len);
		break;
	default:
		return -1;
	}
	return r != NULL ? 0 : -1;
}

/* An exception (noSuchInstance, endOfMibView) or NULL named name. */
static int add_empty(netsnmp_pdu *pdu, const oid *name, size_t len, u_char type)
{
	return snmp_pdu_add_variable(pdu, name, len, type, NULL, 0) != NULL ? 0 : -1;
}

/* The instance a GetNext of the search range rq asks for, after start
 * (start, startlen: the range's start or the last answer), or NULL. */
static const struct snmpv_var *next_in_range(const struct snmpv_view *view,
					     const netsnmp_variable_list *rq, const oid *start,
					     size_t startlen, bool include)
{
	uint32_t q[SNMPV_OID_MAX];
	size_t n = to_view_oid(start, startlen, q);
	const struct snmpv_var *v = NULL;
	size_t endlen = rq->val_len / sizeof(oid);

	/* net-snmp parses the null OID (no upper bound, RFC 2741 5.2) as 0.0. */
	if (endlen == 2 && rq->val.objid != NULL && rq->val.objid[0] == 0 && rq->val.objid[1] == 0)
		endlen = 0;

	if (include && startlen <= SNMPV_OID_MAX)
		v = snmpv_get(view, q, n);
	if (v == NULL)
		v = snmpv_next(view, q, n);
	/* The range's end is excluded; an empty end is none. */
	if (v != NULL && endlen > 0 && rq->val.objid != NULL &&
	    cmp_oid(v->oid, v->oidlen, rq->val.objid, endlen) >= 0)
		v = NULL;
	return v;
}

/* One GetNext varbind into resp: 0 or -1. */
static int answer_next(netsnmp_pdu *resp, const struct snmpv_view *view,
		       const netsnmp_variable_list *rq, const oid *start, size_t startlen,
		       bool include, const struct snmpv_var **got)
{
	const struct snmpv_var *v = next_in_range(view, rq, start, startlen, include);

	*got = v;
	if (v == NULL)
		return add_empty(resp, start, startlen, SNMP_ENDOFMIBVIEW);
	return add_value(resp, v);
}

static int answer_get(netsnmp_pdu *resp, const struct snmpv_view *view,
		      const netsnmp_variable_list *rq)
{
	uint32_t q[SNMPV_OID_MAX];
	size_t n = to_view_oid(rq->name, rq->name_length, q);
	const struct snmpv_var *v = rq->name_length <= SNMPV_OID_MAX ? snmpv_get(view, q, n) : NULL;

	if (v == NULL)
		return add_empty(resp, rq->name, rq->name_length, SNMP_NOSUCHINSTANCE);
	return add_value(resp, v);
}

/* A GetBulk: the non-repeaters once, then up to max-repetitions rounds of
 * the repeaters, each from its last answer; stops when every repeater is at
 * the end of its range.  0 or -1. */
static int answer_bulk(netsnmp_pdu *resp, const struct snmpv_view *view, netsnmp_pdu *req)
{
	const netsnmp_variable_list *rq = req->variables;
	long nonrep = req->non_repeaters < 0 ? 0 : req->non_repeaters;
	long maxrep = req->max_repetitions < 0 ? 0 : req->max_repetitions;
	const struct snmpv_var *got;
	struct cursor {
		const netsnmp_variable_list *rq;
		const struct snmpv_var *last; /* NULL: still at the range's start */
		bool ended;
	} *cur = NULL;
	size_t nrep = 0, added = 0;
	int r = 0;

	for (long i = 0; rq != NULL && i < nonrep; i++, rq = rq->next_variable, added++)
		if (answer_next(resp, view, rq, rq->name, rq->name_length,
				rq->type == ASN_PRIV_INCL_RANGE, &got) < 0)
			return -1;
	for (const netsnmp_variable_list *p = rq; p != NULL; p = p->next_variable)
		nrep++;
	if (nrep == 0 || maxrep == 0)
		return 0;
	cur = calloc(nrep, sizeof *cur);
	if (cur == NULL)
		return -1;
	for (size_t i = 0; i < nrep; i++, rq = rq->next_variable)
		cur[i].rq = rq;
	for (long round = 0; round < maxrep && r == 0; round++) {
		bool any = false;

		if (added + nrep > BULK_MAX_VARBINDS && round > 0)
			break;
		for (size_t i = 0; i < nrep && r == 0; i++, added++) {
			struct cursor *c = &cur[i];
			oid name[SNMPV_OID_MAX];
			size_t len;

			if (c->ended) {
				r = add_empty(resp, c->rq->name, c->rq->name_length,
					      SNMP_ENDOFMIBVIEW);
				continue;
			}
			if (c->last == NULL)
				r = answer_next(resp, view, c->rq, c->rq->name, c->rq->name_length,
						c->rq->type == ASN_PRIV_INCL_RANGE, &got);
			else {
				len = from_view_oid(c->last->oid, c->last->oidlen, name);
				r = answer_next(resp, view, c->rq, name, len, false, &got);
			}
			c->last = got;
			c->ended = got == NULL;
			any |= got != NULL;
		}
		if (!any)
			break;
	}
	free(cur);
	return r;
}

/* The Response to req: same session, transaction and packet IDs, the same
 * byte order. */
static netsnmp_pdu *response_to(const netsnmp_pdu *req)
{
	netsnmp_pdu *resp = snmp_pdu_create(AX_RESPONSE);

	if (resp == NULL)
		return NULL;
	resp->sessid = req->sessid;
	resp->transid = req->transid;
	resp->reqid = req->reqid;
	resp->flags = req->flags & AX_FLAG_NETWORK_BYTE_ORDER;
	resp->time = uptime_cs();
	resp->errstat = SNMP_ERR_NOERROR;
	resp->errindex = 0;
	return resp;
}

static void send_response(netsnmp_pdu *resp)
{
	if (snmp_sess_send(A.sess, resp) == 0) {
		snmp_free_pdu(resp);
		say(LOG_WARNING, "cannot send a response to the AgentX master");
		A.dropped = true;
	}
}

/* An error Response naming no varbind but the first. */
static void send_error(const netsnmp_pdu *req, long errstat)
{
	netsnmp_pdu *resp = response_to(req);

	if (resp == NULL) {
		say(LOG_ERR, "out of memory for a response to the AgentX master");
		return;
	}
	resp->errstat = errstat;
	resp->errindex = errstat == SNMP_ERR_NOERROR ? 0 : 1;
	send_response(resp);
}

static void answer_request(netsnmp_pdu *req)
{
	const struct snmpv_view *view = A.view(A.arg);
	netsnmp_pdu *resp;
	int r = 0;

	if (view == NULL) { /* the daemon's state is unavailable */
		send_error(req, SNMP_ERR_GENERR);
		return;
	}
	resp = response_to(req);
	if (resp == NULL) {
		say(LOG_ERR, "out of memory for a response to the AgentX master");
		return;
	}
	if (req->command == AX_GETBULK)
		r = answer_bulk(resp, view, req);
	else
		for (const netsnmp_variable_list *rq = req->variables; rq != NULL && r == 0;
		     rq = rq->next_variable) {
			const struct snmpv_var *got;

			r = req->command == AX_GET
				? answer_get(resp, view, rq)
				: answer_next(resp, view, rq, rq->name, rq->name_length,
					      rq->type == ASN_PRIV_INCL_RANGE, &got);
		}
	if (r < 0) {
		snmp_free_pdu(resp);
		send_error(req, SNMP_ERR_GENERR);
		return;
	}
	send_response(resp);
}

/* The session's callback: the master's requests (a Response to one of ours
 * goes to that request's own callback), and EOF. */
static int packet_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	(void)s;
	(void)reqid;
	(void)magic;
	if (op == NETSNMP_CALLBACK_OP_DISCONNECT) {
		A.dropped = true;
		return 1;
	}
	if (op != NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE || pdu == NULL)
		return 1;
	switch (pdu->command) {
	case AX_GET:
	case AX_GETNEXT:
	case AX_GETBULK:
		answer_request(pdu);
		break;
	case AX_TESTSET: /* nothing here is writable */
		send_error(pdu, SNMP_ERR_NOTWRITABLE);
		break;
	case AX_COMMITSET: /* not after a failed TestSet; answered all the same */
		send_error(pdu, SNMP_ERR_COMMITFAILED);
		break;
	case AX_UNDOSET:
		send_error(pdu, SNMP_ERR_UNDOFAILED);
		break;
	case AX_CLEANUPSET: /* no Response (RFC 2741 7.2.4.4) */
		break;
	case AX_CLOSE:
		say(LOG_DEBUG, "AgentX master disconnected us (Close, reason %ld)", pdu->errstat);
		A.dropped = true;
		A.refused = true;
		break;
	default:
		send_error(pdu, AX_ERR_PROCESSING);
		break;
	}
	return 1;
}

/* ---- pings and notifications ---------------------------------------------- */

static int ping_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	(void)s;
	(void)magic;
	if (reqid != A.ping_reqid)
		return 1; /* an older session's */
	A.ping_reqid = 0;
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu != NULL &&
	    pdu->errstat == SNMP_ERR_NOERROR) {
		A.pings_missed = 0;
		return 1;
	}
	if (A.closing || !A.open)
		return 1;
	if (op == NETSNMP_CALLBACK_OP_TIMED_OUT && ++A.pings_missed < PINGS_MISSED_MAX) {
		say(LOG_DEBUG, "AgentX master agent did not answer a ping within %ds", A.timeout_s);
		return 1;
	}
	say(LOG_DEBUG, "AgentX master agent failed to respond to ping");
	A.dropped = true;
	return 1;
}

static void send_ping(void)
{
	netsnmp_pdu *pdu;
	int id;

	if (A.ping_reqid != 0) /* the last one has its own timeout: skip this interval */
		return;
	pdu = snmp_pdu_create(AX_PING);
	if (pdu == NULL) {
		say(LOG_ERR, "out of memory for an AgentX ping");
		return;
	}
	pdu->sessid = A.sessid;
	pdu->time = 0;
	id = snmp_sess_async_send(A.sess, pdu, ping_cb, NULL);
	if (id == 0) {
		snmp_free_pdu(pdu);
		A.dropped = true;
		return;
	}
	A.ping_reqid = id;
}

static int notify_cb(int op, netsnmp_session *s, int reqid, netsnmp_pdu *pdu, void *magic)
{
	int err = -ETIMEDOUT;
	char what[sizeof A.pend[0].what];
	size_t i;

	(void)s;
	(void)magic;
	for (i = 0; i < A.npend && A.pend[i].reqid != reqid; i++)
		;
	if (i == A.npend)
		return 1; /* already reported */
	snprintf(what, sizeof what, "%s", A.pend[i].what);
	A.pend[i] = A.pend[--A.npend];
	if (op == NETSNMP_CALLBACK_OP_RECEIVED_MESSAGE && pdu != NULL)
		err = pdu->errstat == SNMP_ERR_NOERROR ? 0 : -EREMOTEIO;
	else if (op == NETSNMP_CALLBACK_OP_DISCONNECT || A.closing)
		err = -ENOTCONN;
	if (A.sent != NULL)
		A.sent(A.arg, what, err);
	return 1;
}

/* ---- the interface ---------------------------------------------------------- */

int snmpa_start(const struct snmpa_conf *c, char *err, size_t len)
{
	netsnmp_session dummy;

	if (A.started) {
		snprintf(err, len, "net-snmp is already initialised in this process");
		return -1;
	}
	if (c->rootlen < 2 || c->rootlen > SNMPV_OID_MAX || c->ping_s < 1 ||
	    strlen(c->socket) >= sizeof A.socket) {
		snprintf(err, len, "snmp agent: bad configuration");
		return -1;
	}
	memset(&A, 0, sizeof A);
	A.view = c->view;
	A.log = c->log;
	A.sent = c->sent;
	A.stopping = c->stopping;
	A.arg = c->arg;
	snprintf(A.socket, sizeof A.socket, "%s", c->socket);
	A.rootlen = from_view_oid(c->root, c->rootlen, A.root);
	A.ping_s = c->ping_s;
	A.timeout_s = c->timeout_s > 0 ? c->timeout_s : c->ping_s;
	A.start_ms = now_ms();

	snmp_disable_log();
	if (snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, NULL) !=
	    SNMPERR_SUCCESS) {
		snprintf(err, len, "net-snmp: cannot register the log callback");
		A.log = NULL;
		return -1;
	}
	snmp_enable_calllog();
	/* Guards: nothing below reads a configuration or persistent file. */
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	/* The transport domains (unix, tcp, ...).  The library's first
	 * snmp_sess_init() in the process registers them too (only that
	 * one): so run it, then register them afresh, so that there is one
	 * set whichever start this is; snmpa_stop() frees their prefix lists
	 * (the library may be unloaded with the plugin). */
	snmp_sess_init(&dummy);
	netsnmp_clear_tdomain_list();
	netsnmp_tdomain_init();
	A.started = true;
	A.next_try_ms = now_ms() + (uint64_t)A.ping_s * 1000; /* from the attempt's start */
	if (connect_master() == 0)
		A.next_try_ms = 0;
	return 0;
}

int snmpa_wait(int64_t max_ms)
{
	uint64_t now = now_ms(), until;
	int r;

	if (max_ms < 0)
		max_ms = 0;
	if (!A.started)
		return 0;
	if (A.sess == NULL) {
		if (now >= A.next_try_ms) {
			/* every ping interval from one attempt's start to the next */
			A.next_try_ms = now + (uint64_t)A.ping_s * 1000;
			if (connect_master() == 0)
				return 0;
			now = now_ms();
			if (A.next_try_ms <= now) /* the attempt took the interval */
				A.next_try_ms = now + SNMP_TICK_MS;
		}
		until = now + (uint64_t)max_ms;
		if (until > A.next_try_ms)
			until = A.next_try_ms;
		if (until > now) {
			struct timespec ts = {(time_t)((until - now) / 1000),
					      (long)((until - now) % 1000 * 1000000)};

			nanosleep(&ts, NULL); /* EINTR: returns early, as select did */
		}
		return 0;
	}
	if (now >= A.next_ping_ms) {
		send_ping();
		A.next_ping_ms = now + (uint64_t)A.ping_s * 1000;
	}
	until = now + (uint64_t)max_ms;
	if (until > A.next_ping_ms)
		until = A.next_ping_ms;
	r = A.dropped ? 0 : wait_fd((int64_t)(until - now));
	if (r > 0)
		read_session();
	if (A.sess != NULL)
		snmp_sess_timeout(A.sess); /* the callbacks of Notifies not answered */
	if (A.dropped) {
		uint64_t t = now_ms();
		/* once at once after a session that lasted, then every ping
		 * interval; a master that closes a fresh session, or Closes us,
		 * is retried a ping interval later (no tight loop) */
		bool fresh = t - A.opened_ms < (uint64_t)A.ping_s * 1000;

		A.next_try_ms = fresh || A.refused ? t + (uint64_t)A.ping_s * 1000 : t;
		close_session(false);
	}
	return r < 0 ? r : 0;
}

bool snmpa_connected(void)
{
	return A.started && A.sess != NULL && A.open && !A.dropped;
}

int snmpa_notify(const struct snmpn_notice *notice)
{
	netsnmp_pdu *pdu;
	oid trap[SNMPV_OID_MAX];
	size_t n;
	u_long up = uptime_cs();
	int id;

	if (!snmpa_connected())
		return -ENOTCONN;
	if (A.npend == A.cappend) {
		size_t cap = A.cappend ? A.cappend * 2 : 8;
		struct pending *p = realloc(A.pend, cap * sizeof *p);

		if (p == NULL)
			return -ENOMEM;
		A.pend = p;
		A.cappend = cap;
	}
	pdu = snmp_pdu_create(AX_NOTIFY);
	if (pdu == NULL)
		return -ENOMEM;
	pdu->sessid = A.sessid;
	pdu->time = 0;
	n = from_view_oid(notice->trap, notice->traplen, trap);
	if (snmp_pdu_add_variable(pdu, sysuptime_oid, OID_LENGTH(sysuptime_oid), ASN_TIMETICKS, &up,
				  sizeof up) == NULL ||
	    snmp_pdu_add_variable(pdu, trap_oid_oid, OID_LENGTH(trap_oid_oid), ASN_OBJECT_ID, trap,
				  n * sizeof(oid)) == NULL)
		goto nomem;
	for (size_t i = 0; i < notice->nvb; i++)
		if (add_value(pdu, &notice->vb[i]) < 0)
			goto nomem;
	id = snmp_sess_async_send(A.sess, pdu, notify_cb, NULL);
	if (id == 0) {
		snmp_free_pdu(pdu);
		A.dropped = true;
		return -EIO;
	}
	A.pend[A.npend].reqid = id;
	snprintf(A.pend[A.npend].what, sizeof A.pend[A.npend].what, "%s", notice->what);
	A.npend++;
	return 0;
nomem:
	snmp_free_pdu(pdu);
	return -ENOMEM;
}

void snmpa_stop(void)
{
	if (!A.started)
		return;
	/* Notifies just sent: their answers usually come within the same
	 * instant; wait for them a little (those still unanswered then are
	 * reported -ENOTCONN: lost, though the master may yet send them). */
	for (uint64_t end = now_ms() + STOP_DRAIN_MS;
	     A.sess != NULL && A.npend > 0 && !A.dropped;) {
		uint64_t now = now_ms();
		int r;

		if (now >= end)
			break;
		r = wait_fd((int64_t)(end - now));
		if (r < 0)
			break;
		if (r > 0)
			read_session();
	}
	close_session(true);
	A.sent = NULL; /* nothing outstanding: close_session() reported it */
	free(A.pend);
	A.pend = NULL;
	A.npend = A.cappend = 0;
	snmp_disable_calllog();
	snmp_unregister_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, NULL, 1);
	shutdown_snmp_logging();
	netsnmp_clear_tdomain_list();
	A.started = false;
	A.log = NULL;
}
