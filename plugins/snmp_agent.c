/*
 * snmp_agent.c: the net-snmp side of the snmp service: an AgentX subagent
 * (libnetsnmpagent) with one handler at the module's root that answers
 * GET and GETNEXT from a view (GETBULK reaches it as GETNEXTs), and
 * notifications through the master.  See snmp_internal.h.
 *
 * net-snmp keeps sessions, alarms, the registry, callbacks, its default
 * store and its log handlers in process globals without locks: only the
 * service's thread calls anything here, and the handler runs inside
 * snmpa_wait() on it.  Set up, in this order, because each step reads
 * what the previous one set:
 *   - its log goes to a callback (never to stderr), one line per call;
 *   - no configuration file is read (DONT_READ_CONFIGS), no persistent
 *     file loaded or saved, no SIGALRM (alarms run from snmpa_wait());
 *   - no MIB is parsed: the subagent answers numeric OIDs only.  Without
 *     this, init_snmp() reads net-snmp's default module list and logs
 *     "Cannot find module" ~500 times on Debian.  The list comes from the
 *     MIBS environment variable, else the `mibs` token of snmp.conf, else
 *     the built-in default: the token is given here as a configuration
 *     line ("mibs :", an empty list) that net-snmp remembers and applies
 *     at init_snmp() even though files are not read, with an empty MIB
 *     directory list.  No setenv() on a threaded daemon.  (A MIBS set in
 *     the daemon's own environment still wins: net-snmp reads it first.)
 *   - init_agent(), then the AgentX ping interval: init_agent() resets it
 *     to 15 s, and init_snmp() uses it both for the first retry when the
 *     master is absent at start and for the pings afterwards, so it is
 *     set between the two;
 *   - the handler's registration, then init_snmp(), which connects.
 * init_snmp() also calls setlocale(LC_CTYPE, ""), and glibc's setlocale()
 * corrupts the heap when it races with json-c's duplocale()/newlocale() in
 * the daemon's other threads (measured: "malloc(): corrupted top size",
 * once at a daemon start in the tests, and within seconds in a loop).  It
 * is harmless when "" names the C locale the daemon runs in: c_locale_env()
 * makes it so for the length of init_snmp() (see there).
 *
 * The view's numbers are 32-bit sub-identifiers (uint32_t), net-snmp's are
 * `oid` (unsigned long): converted both ways here.
 *
 * To extend: a new value type is one case in set_value() and in
 * add_varbind().
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/library/large_fd_set.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_internal.h"

/* The subagent's session to the master, NULL while there is none
 * (agent/mibgroup/agentx/subagent.c; declared in no installed header). */
extern netsnmp_session *main_session;

/*
 * net-snmp 5.9 cannot initialise a subagent twice in one process on its own
 * (a reload does: snmpa_stop(), then snmpa_start() on a new thread):
 *   - shutdown closes the subagent's internal callback session but leaves
 *     agentx_callback_sess pointing at it, and the next subagent_init()
 *     keeps that stale pointer: every request then fails (genErr);
 *   - subagent_init() runs once until a shutdown *with a session to the
 *     master* resets its guard: after a shutdown while the master was away
 *     it returns at once, so the agent never connects again.
 * snmpa_stop() clears the pointer; subagent_repair() does subagent_init()'s
 * two steps when it skipped them.  These are libnetsnmpagent's exported
 * globals and functions (agent/mibgroup/agentx/subagent.c, snmp_agent.c),
 * declared in no installed header.
 */
extern netsnmp_session *agentx_callback_sess;
extern int callback_master_num;
int handle_subagent_response(int op, netsnmp_session *session, int reqid, netsnmp_pdu *pdu,
			     void *magic);
int subagent_startup(int major, int minor, void *serverarg, void *clientarg);

_Static_assert(SNMPV_INTEGER == ASN_INTEGER, "view types are BER tags");
_Static_assert(SNMPV_OCTETS == ASN_OCTET_STR, "view types are BER tags");
_Static_assert(SNMPV_COUNTER32 == ASN_COUNTER, "view types are BER tags");
_Static_assert(SNMPV_GAUGE32 == ASN_GAUGE, "view types are BER tags");

#define LOG_LINE_MAX 512

static const oid trap_oid_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0}; /* snmpTrapOID.0 */

/* The one agent of the process. */
static struct {
	bool started;
	snmpa_view_fn view;
	snmpa_log_fn log;
	void *arg;
	oid root[SNMPV_OID_MAX];
	size_t rootlen;
} A;

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

/* vb's value from v: 0, or -1 (a type the view should not have). */
static int set_value(netsnmp_variable_list *vb, const struct snmpv_var *v)
{
	long n = (long)v->num;
	u_long u = (u_long)v->num;

	switch (v->type) {
	case SNMPV_INTEGER:
		return snmp_set_var_typed_value(vb, ASN_INTEGER, &n, sizeof n) ? -1 : 0;
	case SNMPV_COUNTER32:
	case SNMPV_GAUGE32:
		return snmp_set_var_typed_value(vb, v->type, &u, sizeof u) ? -1 : 0;
	case SNMPV_OCTETS:
		return snmp_set_var_typed_value(vb, ASN_OCTET_STR, v->str ? v->str : "", v->len)
			   ? -1
			   : 0;
	}
	return -1;
}

/* One varbind of a request, GET or GETNEXT, from view (not NULL). */
static void answer(const struct snmpv_view *view, int mode, netsnmp_agent_request_info *ri,
		   netsnmp_request_info *req)
{
	netsnmp_variable_list *vb = req->requestvb;
	const struct snmpv_var *v;
	uint32_t q[SNMPV_OID_MAX];
	oid name[SNMPV_OID_MAX];
	size_t n = to_view_oid(vb->name, vb->name_length, q);

	if (mode == MODE_GET) {
		v = vb->name_length <= SNMPV_OID_MAX ? snmpv_get(view, q, n) : NULL;
		if (v == NULL) {
			netsnmp_set_request_error(ri, req, SNMP_NOSUCHINSTANCE);
			return;
		}
	} else {
		/* inclusive: the agent moved a request from before our subtree to
		 * its start, which is then a candidate itself. */
		v = req->inclusive ? snmpv_get(view, q, n) : NULL;
		if (v == NULL)
			v = snmpv_next(view, q, n);
		if (v == NULL) /* nothing after it here: the agent asks the next subtree */
			return;
		snmp_set_var_objid(vb, name, from_view_oid(v->oid, v->oidlen, name));
	}
	if (set_value(vb, v) < 0)
		netsnmp_set_request_error(ri, req, SNMP_ERR_GENERR);
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *ri, netsnmp_request_info *requests)
{
	const struct snmpv_view *view = NULL;

	(void)h;
	(void)reg;
	if (ri->mode == MODE_GET || ri->mode == MODE_GETNEXT)
		view = A.view(A.arg);
	for (netsnmp_request_info *req = requests; req != NULL; req = req->next) {
		if (req->processed)
			continue;
		if (ri->mode != MODE_GET && ri->mode != MODE_GETNEXT)
			netsnmp_set_request_error(ri, req, SNMP_ERR_NOTWRITABLE);
		else if (view == NULL)
			netsnmp_set_request_error(ri, req, SNMP_ERR_GENERR);
		else
			answer(view, ri->mode, ri, req);
	}
	return SNMP_ERR_NOERROR;
}

/* Everything before init_agent(): logging, no files, no MIBs. */
static int pre_init(char *err, size_t len)
{
	char mibs_line[] = "mibs :"; /* an empty list; netsnmp_config() takes a writable line */

	snmp_disable_log();
	if (snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, log_cb, NULL) !=
	    SNMPERR_SUCCESS) {
		snprintf(err, len, "net-snmp: cannot register the log callback");
		return -1;
	}
	snmp_enable_calllog();
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_set_mib_directory("");
	/* The `mibs` token as a line of configuration: its handler first (which
	 * init_snmp() registers again), so that the line applies now. */
	register_mib_handlers();
	netsnmp_config(mibs_line);
	return 0;
}

/* The locale variables the environment may hold, most binding first. */
static const char *const locale_vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
#define N_LOCALE_VARS (sizeof locale_vars / sizeof locale_vars[0])

/*
 * Make setlocale(LC_CTYPE, "") name "C" (the daemon's LC_CTYPE: it never
 * calls setlocale()), so that init_snmp()'s call changes nothing: each of
 * LC_ALL, LC_CTYPE and LANG that is set is set to "C", its value kept in
 * keep[] (NULL: not set, left alone).  glibc's setenv() of a variable that
 * exists replaces its pointer in the environment in place, under its lock,
 * and never frees the old string: another thread's getenv() meanwhile reads
 * the old value or the new one.  No variable is added or removed, so the
 * environment is never reallocated.  restore_locale_env() puts them back.
 */
static void c_locale_env(const char *keep[N_LOCALE_VARS])
{
	for (size_t i = 0; i < N_LOCALE_VARS; i++) {
		keep[i] = getenv(locale_vars[i]);
		if (keep[i] != NULL && setenv(locale_vars[i], "C", 1) < 0)
			keep[i] = NULL;
	}
}

static void restore_locale_env(const char *const keep[N_LOCALE_VARS])
{
	for (size_t i = 0; i < N_LOCALE_VARS; i++)
		if (keep[i] != NULL)
			setenv(locale_vars[i], keep[i], 1);
}

/* After init_agent(): see the comment at agentx_callback_sess.  0 or -1. */
static int subagent_repair(char *err, size_t len)
{
	if (agentx_callback_sess != NULL) /* subagent_init() did its work */
		return 0;
	agentx_callback_sess =
	    netsnmp_callback_open(callback_master_num, handle_subagent_response, NULL, NULL);
	if (agentx_callback_sess == NULL) {
		snprintf(err, len, "net-snmp: cannot open the subagent's callback session");
		return -1;
	}
	if (snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_POST_READ_CONFIG,
				   subagent_startup, NULL) != SNMPERR_SUCCESS) {
		snprintf(err, len, "net-snmp: cannot register the subagent's startup");
		return -1;
	}
	return 0;
}

int snmpa_start(const struct snmpa_conf *c, char *err, size_t len)
{
	netsnmp_handler_registration *reg;
	const char *keep[N_LOCALE_VARS], *cur;

	if (A.started) {
		snprintf(err, len, "net-snmp is already initialised in this process");
		return -1;
	}
	A.view = c->view;
	A.log = c->log;
	A.arg = c->arg;
	A.rootlen = from_view_oid(c->root, c->rootlen, A.root);
	if (pre_init(err, len) < 0)
		return -1;
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, c->socket);
	if (init_agent(SNMP_APP_NAME) != 0) {
		snprintf(err, len, "net-snmp: init_agent failed");
		goto fail;
	}
	if (subagent_repair(err, len) < 0)
		goto fail;
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   c->ping_s);
	reg = netsnmp_create_handler_registration("hwhealthMIB", handler, A.root, A.rootlen,
						  HANDLER_CAN_RONLY);
	if (reg == NULL) {
		snprintf(err, len, "net-snmp: out of memory for the registration");
		goto fail;
	}
	reg->timeout = c->timeout_s;
	/* netsnmp_register_handler() frees reg when it fails. */
	if (netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snprintf(err, len, "net-snmp: cannot register the handler");
		goto fail;
	}
	cur = setlocale(LC_CTYPE, NULL); /* a query: changes nothing */
	if (cur != NULL && strcmp(cur, "C") != 0 && strcmp(cur, "POSIX") != 0 && A.log != NULL)
		A.log(A.arg, LOG_WARNING,
		      "the process's LC_CTYPE is not C: init_snmp() will change it, which is "
		      "not thread-safe");
	c_locale_env(keep);
	init_snmp(SNMP_APP_NAME);
	restore_locale_env(keep);
	A.started = true;
	return 0;
fail:
	snmp_shutdown(SNMP_APP_NAME);
	shutdown_agent();
	agentx_callback_sess = NULL;
	return -1;
}

int snmpa_wait(int64_t max_ms)
{
	netsnmp_large_fd_set fds;
	struct timeval tv;
	int numfds = 0, block = 0, n, r = 0;

	if (max_ms < 0)
		max_ms = 0;
	tv.tv_sec = (time_t)(max_ms / 1000);
	tv.tv_usec = (suseconds_t)(max_ms % 1000 * 1000);
	netsnmp_large_fd_set_init(&fds, FD_SETSIZE);
	snmp_select_info2(&numfds, &fds, &tv, &block);
	if (block) { /* net-snmp has nothing timed: our bound */
		tv.tv_sec = (time_t)(max_ms / 1000);
		tv.tv_usec = (suseconds_t)(max_ms % 1000 * 1000);
	}
	n = netsnmp_large_fd_set_select(numfds, &fds, NULL, NULL, &tv);
	if (n > 0)
		snmp_read2(&fds);
	else if (n == 0)
		snmp_timeout();
	else if (errno != EINTR)
		r = -errno;
	run_alarms();
	netsnmp_check_outstanding_agent_requests();
	netsnmp_large_fd_set_cleanup(&fds);
	return r;
}

bool snmpa_connected(void)
{
	return A.started && main_session != NULL;
}

/* Append one notice varbind to *vars: 0 or -1. */
static int add_varbind(netsnmp_variable_list **vars, const struct snmpv_var *v)
{
	oid name[SNMPV_OID_MAX];
	size_t n = from_view_oid(v->oid, v->oidlen, name);
	long i = (long)v->num;
	u_long u = (u_long)v->num;
	netsnmp_variable_list *r;

	switch (v->type) {
	case SNMPV_INTEGER:
		r = snmp_varlist_add_variable(vars, name, n, ASN_INTEGER, &i, sizeof i);
		break;
	case SNMPV_COUNTER32:
	case SNMPV_GAUGE32:
		r = snmp_varlist_add_variable(vars, name, n, v->type, &u, sizeof u);
		break;
	case SNMPV_OCTETS:
		r = snmp_varlist_add_variable(vars, name, n, ASN_OCTET_STR, v->str ? v->str : "",
					      v->len);
		break;
	default:
		return -1;
	}
	return r != NULL ? 0 : -1;
}

int snmpa_notify(const struct snmpn_notice *notice)
{
	netsnmp_variable_list *vars = NULL;
	oid trap[SNMPV_OID_MAX];
	size_t n;

	if (!snmpa_connected())
		return -ENOTCONN; /* send_v2trap() would drop it without a word */
	n = from_view_oid(notice->trap, notice->traplen, trap);
	if (snmp_varlist_add_variable(&vars, trap_oid_oid, OID_LENGTH(trap_oid_oid), ASN_OBJECT_ID,
				      trap, n * sizeof(oid)) == NULL)
		goto nomem;
	for (size_t i = 0; i < notice->nvb; i++)
		if (add_varbind(&vars, &notice->vb[i]) < 0)
			goto nomem;
	send_v2trap(vars);
	snmp_free_varbind(vars);
	return 0;
nomem:
	snmp_free_varbind(vars);
	return -ENOMEM;
}

void snmpa_stop(void)
{
	if (!A.started)
		return;
	snmp_shutdown(SNMP_APP_NAME);
	shutdown_agent();
	agentx_callback_sess = NULL;
	A.started = false;
	A.log = NULL;
}
