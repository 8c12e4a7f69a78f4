/*
 * snmp_opts.c: the snmp service's options.  See snmp_internal.h and
 * hwhealth.conf(5), SNMP SERVICE.
 *
 *   agentx-socket ADDR      the master's AgentX socket: an absolute path
 *                           ("unix:" optional, at most 107 bytes),
 *                           tcp:HOST:PORT or tcp6:[ADDRESS]:PORT
 *                           (default /var/agentx/master)
 *   ping-interval DURATION  ping the master, and retry a lost or absent
 *                           one, this often: whole seconds, 1s..1h
 *                           (default 1s)
 *   refresh DURATION        reuse a view of the daemon's state this long,
 *                           100ms..1h (default 1s)
 *   poll DURATION           diff the state for notifications this often,
 *                           100ms..1h (default 1s)
 *   oid-root OID            the module's OID (default 1.3.6.1.4.1.32473)
 *   timeout DURATION        budget of one round of questions to the
 *                           daemon, 10ms..60s (default 500ms)
 *   stale-limit DURATION    serve the last view at most this long after
 *                           the daemon stopped answering, 0..1h
 *                           (default 30s; 0: never serve an old one)
 *
 * To extend: one row in the table below and a line above and in the man page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_internal.h"

#define MS_PER_S 1000ULL
#define MS_PER_H 3600000ULL

/* A duration option: where it goes and its bounds. */
struct dur_opt {
	const char *key;
	size_t offset; /* of its uint64_t in struct snmpo_conf */
	uint64_t min_ms, max_ms;
	bool whole_s; /* net-snmp counts it in seconds */
};

static const struct dur_opt dur_opts[] = {
    {"ping-interval", offsetof(struct snmpo_conf, ping_ms), MS_PER_S, MS_PER_H, true},
    {"refresh", offsetof(struct snmpo_conf, refresh_ms), 100, MS_PER_H, false},
    {"poll", offsetof(struct snmpo_conf, poll_ms), 100, MS_PER_H, false},
    {"timeout", offsetof(struct snmpo_conf, timeout_ms), 10, 60 * MS_PER_S, false},
    {"stale-limit", offsetof(struct snmpo_conf, stale_ms), 0, MS_PER_H, false},
};

int snmpo_parse_oid(const char *s, uint32_t *oid, size_t max)
{
	size_t n = 0;

	if (s == NULL)
		return -1;
	if (*s == '.')
		s++;
	for (;;) {
		unsigned long long v;
		char *end;

		if (*s < '0' || *s > '9' || n == max)
			return -1;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno != 0 || v > UINT32_MAX)
			return -1;
		oid[n++] = (uint32_t)v;
		if (*end == '\0')
			break;
		if (*end != '.')
			return -1;
		s = end + 1;
	}
	/* X.680: the first arc is 0, 1 or 2; under 0 and 1 the second is < 40. */
	if (n < 2 || oid[0] > 2 || (oid[0] < 2 && oid[1] >= 40))
		return -1;
	return (int)n;
}

void snmpo_format_oid(const uint32_t *oid, size_t len, char *buf, size_t buflen)
{
	size_t used = 0;

	if (buflen == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < len && used < buflen; i++) {
		int w = snprintf(buf + used, buflen - used, "%s%u", i ? "." : "", oid[i]);

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

static int set_socket(struct snmpo_conf *c, const char *v, char *msg, size_t len)
{
	const char *path = strncmp(v, "unix:", 5) == 0 ? v + 5 : v;

	if (strncmp(v, "tcp:", 4) == 0 || strncmp(v, "tcp6:", 5) == 0) {
		const char *host = v + (v[3] == ':' ? 4 : 5);

		if (*host == '\0' || strrchr(host, ':') == NULL || (v[3] == ':' && *host == '[')) {
			snprintf(msg, len,
				 "agentx-socket %s: expected tcp:HOST:PORT (IPv4 or a name) or "
				 "tcp6:[ADDRESS]:PORT",
				 v);
			return -1;
		}
	} else if (path[0] != '/') {
		snprintf(msg, len,
			 "agentx-socket must be an absolute path (unix:/PATH also) or "
			 "tcp:HOST:PORT, got '%s'",
			 v);
		return -1;
	}
	if (path[0] == '/' && strlen(path) > SNMPO_UNIX_PATH_MAX) {
		snprintf(msg, len, "agentx-socket: a socket path is at most %d bytes, got %zu",
			 SNMPO_UNIX_PATH_MAX, strlen(path));
		return -1;
	}
	if (strlen(v) >= sizeof c->socket) {
		snprintf(msg, len, "agentx-socket: longer than %zu bytes", sizeof c->socket - 1);
		return -1;
	}
	snprintf(c->socket, sizeof c->socket, "%s", v);
	return 0;
}

static int set_duration(struct snmpo_conf *c, const struct dur_opt *d, const char *v, char *msg,
			size_t len)
{
	uint64_t ms;

	if (strcmp(v, "0") == 0) /* "stale-limit 0": no unit needed for nothing */
		ms = 0;
	else if (pu_parse_duration_ms(v, &ms) < 0) {
		snprintf(msg, len, "%s: '%s' is not a duration (a number with ms, s, m or h)",
			 d->key, v);
		return -1;
	}
	if (ms < d->min_ms || ms > d->max_ms) {
		snprintf(msg, len, "%s %s: out of range (%llums..%llums)", d->key, v,
			 (unsigned long long)d->min_ms, (unsigned long long)d->max_ms);
		return -1;
	}
	if (d->whole_s && ms % MS_PER_S != 0) {
		snprintf(msg, len, "%s %s: whole seconds only (net-snmp counts it in seconds)",
			 d->key, v);
		return -1;
	}
	*(uint64_t *)(void *)((char *)c + d->offset) = ms;
	return 0;
}

static int opt_apply(struct snmpo_conf *c, const struct hwh_option *o, char *msg, size_t len)
{
	const char *v = o->value ? o->value : "";
	int n;

	if (strcmp(o->key, "agentx-socket") == 0)
		return set_socket(c, v, msg, len);
	if (strcmp(o->key, "oid-root") == 0) {
		n = snmpo_parse_oid(v, c->root, SNMP_ROOT_MAXLEN);
		if (n < 0) {
			snprintf(msg, len,
				 "oid-root '%s': expected a numeric OID such as %s (2 to %d "
				 "sub-identifiers)",
				 v, SNMP_ROOT_DEFAULT, SNMP_ROOT_MAXLEN);
			return -1;
		}
		c->rootlen = (size_t)n;
		return 0;
	}
	for (size_t i = 0; i < sizeof dur_opts / sizeof dur_opts[0]; i++)
		if (strcmp(o->key, dur_opts[i].key) == 0)
			return set_duration(c, &dur_opts[i], v, msg, len);
	snprintf(msg, len,
		 "unknown option '%s' (expected agentx-socket, ping-interval, refresh, poll, "
		 "oid-root, timeout or stale-limit)",
		 o->key);
	return -1;
}

static void set_defaults(struct snmpo_conf *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->socket, sizeof c->socket, "%s", SNMP_SOCKET_DEFAULT);
	c->rootlen = (size_t)snmpo_parse_oid(SNMP_ROOT_DEFAULT, c->root, SNMP_ROOT_MAXLEN);
	c->ping_ms = SNMP_PING_DEFAULT_MS;
	c->refresh_ms = SNMP_REFRESH_DEFAULT_MS;
	c->poll_ms = SNMP_POLL_DEFAULT_MS;
	c->timeout_ms = SNMP_TIMEOUT_DEFAULT_MS;
	c->stale_ms = SNMP_STALE_DEFAULT_MS;
}

int snmpo_parse(const struct hwh_option *opts, size_t nopts, struct snmpo_conf *c,
		struct hwh_config_error *err)
{
	set_defaults(c);
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (pu_opt_repeated(opts, i, err->msg, sizeof err->msg) ||
		    opt_apply(c, &opts[i], err->msg, sizeof err->msg) < 0)
			return -1;
	}
	err->option = -1;
	if (c->stale_ms != 0 && c->stale_ms < c->refresh_ms) {
		snprintf(err->msg, sizeof err->msg,
			 "stale-limit (%llums) is shorter than refresh (%llums): every view "
			 "would expire before the next; use 0 or at least refresh",
			 (unsigned long long)c->stale_ms, (unsigned long long)c->refresh_ms);
		return -1;
	}
	return 0;
}
