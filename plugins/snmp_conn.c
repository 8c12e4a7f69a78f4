/*
 * snmp_conn.c: the socket to the AgentX master, made here and not by
 * net-snmp, so that nothing on it can block the service's thread for long:
 *   - snmpc_connect(): a non-blocking connect() to agentx-socket ("/path",
 *     "unix:/path", "tcp:HOST:PORT", "tcp6:[ADDRESS]:PORT"), waited for in
 *     steps of at most SNMP_TICK_MS, at most the given time, and given up
 *     as soon as the stop hook says so.  A unix socket whose listener's
 *     backlog is full fails at once (EAGAIN) instead of sleeping until the
 *     master accepts again.  A TCP host name is resolved with
 *     getaddrinfo(), which can block (a numeric address never does);
 *   - snmpc_transport(): a net-snmp stream transport over that socket: its
 *     sends wait for room at most the send timeout (and end on the stop
 *     hook), loop over partial writes and never raise SIGPIPE; its receives
 *     read what poll() said is there.
 * net-snmp's own unix and tcp transports connect with a blocking connect()
 * and send with a blocking send(): a master that stops accepting or
 * reading would hold the thread forever.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "snmp_internal.h"

/* A transport's domain: informative only, nothing here looks it up. */
static const oid conn_domain[] = {0, 0};

/* What a transport's sends need (t->data: net-snmp frees it with t). */
struct conn_data {
	int send_timeout_ms;
	snmpa_stopping_fn stopping;
	void *arg;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait for events on fd up to ms, in steps of SNMP_TICK_MS, ending early
 * when stopping: 1 ready, 0 not (time out or stopping), -errno. */
static int wait_for(int fd, short events, int ms, snmpa_stopping_fn stopping, void *arg)
{
	uint64_t end = mono_ms() + (uint64_t)(ms > 0 ? ms : 0);

	for (;;) {
		uint64_t now = mono_ms();
		struct pollfd p = {.fd = fd, .events = events};
		int step, n;

		if (stopping != NULL && stopping(arg))
			return 0;
		if (now >= end)
			return 0;
		step = end - now > SNMP_TICK_MS ? SNMP_TICK_MS : (int)(end - now);
		n = poll(&p, 1, step);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			return 1;
	}
}

/* addr as a socket address: 0, or -1 with why. */
static int resolve(const char *addr, struct sockaddr_storage *ss, socklen_t *sslen, char *why,
		   size_t len)
{
	const char *path = strncmp(addr, "unix:", 5) == 0 ? addr + 5 : addr;
	char host[SNMP_SOCKET_MAX];
	const char *port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	int r;

	memset(ss, 0, sizeof *ss);
	if (path[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;

		if (strlen(path) >= sizeof un->sun_path) {
			snprintf(why, len, "socket path too long");
			return -1;
		}
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, path, strlen(path) + 1);
		*sslen = (socklen_t)sizeof *un;
		return 0;
	}
	if (strncmp(addr, "tcp:", 4) == 0) {
		hints.ai_family = AF_INET;
		snprintf(host, sizeof host, "%s", addr + 4);
	} else if (strncmp(addr, "tcp6:", 5) == 0) {
		hints.ai_family = AF_INET6;
		snprintf(host, sizeof host, "%s", addr + 5);
	} else {
		snprintf(why, len, "unknown address form");
		return -1;
	}
	if (host[0] == '[') {
		char *close = strchr(host, ']');

		if (close == NULL || close[1] != ':') {
			snprintf(why, len, "expected [ADDRESS]:PORT");
			return -1;
		}
		*close = '\0';
		port = close + 2; /* not moved below: only "[ADDRESS" is */
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else {
		char *colon = strrchr(host, ':');

		if (colon == NULL) {
			snprintf(why, len, "expected HOST:PORT");
			return -1;
		}
		*colon = '\0';
		port = colon + 1;
	}
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0 || res == NULL) {
		snprintf(why, len, "cannot resolve %s port %s: %s", host, port,
			 r != 0 ? gai_strerror(r) : "no address");
		if (res != NULL)
			freeaddrinfo(res);
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int snmpc_connect(const char *addr, int timeout_ms, snmpa_stopping_fn stopping, void *arg,
		  char *why, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	int fd, r, err = 0;
	socklen_t errlen = sizeof err;

	if (resolve(addr, &ss, &sslen, why, len) < 0)
		return -EINVAL;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		snprintf(why, len, "socket: %s", strerror(-r));
		return r;
	}
	if (connect(fd, (struct sockaddr *)&ss, sslen) == 0)
		return fd;
	if (errno == EAGAIN) { /* a unix listener's backlog is full */
		snprintf(why, len, "the master does not accept connections (backlog full)");
		close(fd);
		return -EAGAIN;
	}
	if (errno != EINPROGRESS) {
		r = -errno;
		snprintf(why, len, "%s", strerror(-r));
		close(fd);
		return r;
	}
	r = wait_for(fd, POLLOUT, timeout_ms, stopping, arg);
	if (r <= 0) {
		snprintf(why, len, "%s", r == 0 ? "connect timed out" : strerror(-r));
		close(fd);
		return r == 0 ? -ETIMEDOUT : r;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0) {
		r = err != 0 ? -err : -errno;
		snprintf(why, len, "%s", strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}

static int conn_recv(netsnmp_transport *t, void *buf, int size, void **opaque, int *olength)
{
	ssize_t n;

	if (opaque != NULL)
		*opaque = NULL;
	if (olength != NULL)
		*olength = 0;
	if (t == NULL || t->sock < 0 || size <= 0)
		return -1;
	do
		n = recv(t->sock, buf, (size_t)size, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1; /* poll() said readable: treated as a broken session */
	return (int)n;
}

static int conn_send(netsnmp_transport *t, const void *buf, int size, void **opaque, int *olength)
{
	const struct conn_data *d = t != NULL ? t->data : NULL;
	const char *p = buf;
	size_t left = size > 0 ? (size_t)size : 0;
	uint64_t end;

	(void)opaque;
	(void)olength;
	if (t == NULL || d == NULL || t->sock < 0)
		return -1;
	end = mono_ms() + (uint64_t)d->send_timeout_ms;
	while (left > 0) {
		ssize_t n = send(t->sock, p, left, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			left -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			uint64_t now = mono_ms();

			if (now < end &&
			    wait_for(t->sock, POLLOUT, (int)(end - now), d->stopping, d->arg) > 0)
				continue;
			/* A partial packet may be out: the framing is lost, and
			 * the caller drops the session on this error. */
			snmp_log(LOG_WARNING, "AgentX master not reading: send timed out\n");
			return -1;
		}
		return -1;
	}
	return size;
}

static int conn_close(netsnmp_transport *t)
{
	int r = 0;

	if (t != NULL && t->sock >= 0) {
		r = close(t->sock);
		t->sock = -1;
	}
	return r;
}

netsnmp_transport *snmpc_transport(int fd, int send_timeout_ms, snmpa_stopping_fn stopping,
				   void *arg)
{
	netsnmp_transport *t = calloc(1, sizeof *t);
	struct conn_data *d = calloc(1, sizeof *d);

	if (t == NULL || d == NULL) {
		free(t);
		free(d);
		return NULL;
	}
	d->send_timeout_ms = send_timeout_ms;
	d->stopping = stopping;
	d->arg = arg;
	t->domain = conn_domain;
	t->domain_length = (int)(sizeof conn_domain / sizeof conn_domain[0]);
	t->sock = fd;
	t->flags = NETSNMP_TRANSPORT_FLAG_STREAM;
	t->data = d;
	t->data_length = (int)sizeof *d;
	t->msgMaxSize = SNMP_MAX_PACKET_LEN;
	t->f_recv = conn_recv;
	t->f_send = conn_send;
	t->f_close = conn_close;
	return t;
}
