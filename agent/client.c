/*
 * client: one request and its response over hwhealthd's control socket.
 *
 * A struct conn carries the socket, its path and one CLOCK_MONOTONIC
 * deadline for the whole exchange; every wait goes through conn_wait(), a
 * poll() bounded by what is left of that deadline, so no step can outlive
 * the timeout.  The socket is non-blocking from the start: a full listen
 * backlog (EAGAIN on a Unix socket) is retried until the deadline instead of
 * blocking in connect().  Reads grow one buffer until the first '\n' or
 * CLIENT_MAX_RESPONSE; anything after that newline is ignored, since one
 * request gets one response.
 *
 * Every failure is described once, here, where its cause is known (see
 * client.h for the codes); the caller prints the text as it is.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* First read buffer; it doubles up to CLIENT_MAX_RESPONSE + 1. */
#define CLIENT_READ_CHUNK (64 * 1024)
/* Pause between connect() attempts while the listen backlog is full. */
#define CLIENT_RETRY_MS 10

struct conn {
	int fd;		     /* the socket, -1 before it exists */
	const char *path;    /* socket path, for messages */
	int timeout_ms;	     /* the user's timeout, for messages */
	int64_t deadline_ms; /* CLOCK_MONOTONIC time the exchange must end by */
	char *err;	     /* caller's message buffer */
	size_t errlen;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int conn_err(struct conn *c, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the message for rc into the caller's buffer; returns rc. */
static int conn_err(struct conn *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int conn_timeout(struct conn *c, const char *what)
{
	return conn_err(c, -ETIMEDOUT, "timed out after %g s %s hwhealthd on %s",
			c->timeout_ms / 1000.0, what, c->path);
}

/* Milliseconds left before the deadline, 0 when it has passed. */
static int conn_left(const struct conn *c)
{
	int64_t left = c->deadline_ms - now_ms();

	return left > 0 ? (int)left : 0;
}

/*
 * Waits until fd is ready for events.  Returns 0 when ready (or in error:
 * the next I/O call reports it), -ETIMEDOUT at the deadline, or -errno.
 */
static int conn_wait(struct conn *c, short events)
{
	struct pollfd pfd = {.fd = c->fd, .events = events};
	int left, n;

	for (;;) {
		if ((left = conn_left(c)) == 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

static int connect_failed(struct conn *c, int e)
{
	switch (e) {
	case ENOENT:
	case ECONNREFUSED:
		return conn_err(c, -e, "cannot connect to %s: %s (is hwhealthd running?)", c->path,
				strerror(e));
	case EACCES:
	case EPERM:
		return conn_err(
		    c, -e,
		    "cannot connect to %s: permission denied (are you in the socket's group?)",
		    c->path);
	default:
		return conn_err(c, -e, "cannot connect to %s: %s", c->path, strerror(e));
	}
}

/* Completes a connect() in progress: wait for it, then read its result. */
static int connect_finish(struct conn *c)
{
	socklen_t len = sizeof(int);
	int rc, soerr = 0;

	if ((rc = conn_wait(c, POLLOUT)) == -ETIMEDOUT)
		return conn_timeout(c, "connecting to");
	if (rc < 0)
		return connect_failed(c, -rc);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return connect_failed(c, errno);
	return soerr ? connect_failed(c, soerr) : 0;
}

static int conn_open(struct conn *c)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int left;

	if (strlen(c->path) >= sizeof(sun.sun_path))
		return conn_err(c, -ENAMETOOLONG, "socket path too long: %s", c->path);
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return conn_err(c, -errno, "socket: %s", strerror(errno));
	for (;;) {
		if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			return 0;
		if (errno == EINPROGRESS || errno == EINTR)
			return connect_finish(c);
		if (errno != EAGAIN)
			return connect_failed(c, errno);
		/* Backlog full: the daemon is alive but busy; retry. */
		if ((left = conn_left(c)) == 0)
			return conn_timeout(c, "connecting to");
		poll(NULL, 0, left < CLIENT_RETRY_MS ? left : CLIENT_RETRY_MS);
	}
}

static int conn_closed(struct conn *c)
{
	return conn_err(c, -ECONNRESET, "hwhealthd closed the connection on %s without answering",
			c->path);
}

static int conn_send(struct conn *c, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int rc;

	while (off < len) {
		n = send(c->fd, buf + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return conn_closed(c);
		if (errno != EAGAIN)
			return conn_err(c, -errno, "cannot send to %s: %s", c->path,
					strerror(errno));
		if ((rc = conn_wait(c, POLLOUT)) == -ETIMEDOUT)
			return conn_timeout(c, "sending to");
		if (rc < 0)
			return conn_err(c, rc, "poll: %s", strerror(-rc));
	}
	return 0;
}

/* Makes room for at least one more byte; -EMSGSIZE past the cap. */
static int buf_grow(struct conn *c, char **buf, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : CLIENT_READ_CHUNK;
	char *nbuf;

	if (*cap > CLIENT_MAX_RESPONSE)
		return conn_err(c, -EMSGSIZE, "response from hwhealthd on %s exceeds %u MiB",
				c->path, CLIENT_MAX_RESPONSE >> 20);
	if (ncap > CLIENT_MAX_RESPONSE + 1)
		ncap = CLIENT_MAX_RESPONSE + 1;
	if ((nbuf = realloc(*buf, ncap)) == NULL)
		return conn_err(c, -ENOMEM, "out of memory reading from %s", c->path);
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

/* The outcome of a read that returned 0 or failed, after len bytes. */
static int recv_failed(struct conn *c, ssize_t n, size_t len)
{
	int e = n == 0 ? 0 : errno;

	if (n == 0 && len > 0)
		return conn_err(
		    c, -ECONNRESET,
		    "hwhealthd closed the connection on %s in the middle of a response (%zu bytes)",
		    c->path, len);
	if (n == 0 || e == ECONNRESET)
		return conn_closed(c);
	return conn_err(c, -e, "cannot read from %s: %s", c->path, strerror(e));
}

/*
 * Reads up to and including the first '\n'.  Returns 0 with *out (malloc'd,
 * NUL-terminated) and *outlen (newline included), or a negative errno.
 */
static int conn_recv_line(struct conn *c, char **out, size_t *outlen)
{
	char *buf = NULL, *nl = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int rc = 0;

	while (nl == NULL) {
		if (len + 1 >= cap && (rc = buf_grow(c, &buf, &cap)) < 0)
			break;
		n = recv(c->fd, buf + len, cap - len - 1, 0);
		if (n > 0) {
			nl = memchr(buf + len, '\n', (size_t)n);
			len += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && errno == EAGAIN) {
			if ((rc = conn_wait(c, POLLIN)) == -ETIMEDOUT)
				rc = conn_timeout(c, "waiting for");
			else if (rc < 0)
				rc = conn_err(c, rc, "poll: %s", strerror(-rc));
			if (rc < 0)
				break;
		} else {
			rc = recv_failed(c, n, len);
			break;
		}
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*outlen = (size_t)(nl - buf) + 1;
	buf[*outlen] = '\0';
	*out = buf;
	return 0;
}

/* Parses one JSON object from buf; only whitespace may follow it. */
static int parse_response(struct conn *c, const char *buf, size_t len, json_object **resp)
{
	json_tokener *tok = json_tokener_new();
	json_object *obj = NULL;
	enum json_tokener_error jerr;
	size_t end;
	int rc = 0;

	if (tok == NULL)
		return conn_err(c, -ENOMEM, "out of memory parsing the response");
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL) {
		rc = conn_err(c, -EBADMSG, "malformed response from hwhealthd on %s: %s", c->path,
			      jerr == json_tokener_continue ? "incomplete JSON"
							    : json_tokener_error_desc(jerr));
	} else if (!json_object_is_type(obj, json_type_object)) {
		rc =
		    conn_err(c, -EBADMSG,
			     "malformed response from hwhealthd on %s: not a JSON object", c->path);
	} else if (strspn(buf + end, " \t\r\n") != len - end) {
		rc = conn_err(c, -EBADMSG,
			      "malformed response from hwhealthd on %s: data after the JSON object",
			      c->path);
	}
	json_tokener_free(tok);
	if (rc < 0)
		json_object_put(obj);
	else
		*resp = obj;
	return rc;
}

/* The request as one line: compact JSON plus '\n'.  NULL on ENOMEM. */
static char *request_line(json_object *req, size_t *len)
{
	const char *js = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = js ? strlen(js) : 0;
	char *line;

	if (js == NULL || (line = malloc(n + 2)) == NULL)
		return NULL;
	memcpy(line, js, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

int client_request(const char *path, json_object *req, int timeout_ms, json_object **resp,
		   char *err, size_t errlen)
{
	struct conn c = {
	    .fd = -1,
	    .path = path,
	    .timeout_ms = timeout_ms,
	    .deadline_ms = now_ms() + timeout_ms,
	    .err = err,
	    .errlen = errlen,
	};
	char *line = NULL, *answer = NULL;
	size_t len, alen;
	int rc;

	*resp = NULL;
	if ((line = request_line(req, &len)) == NULL) {
		rc = conn_err(&c, -ENOMEM, "out of memory building the request");
		goto out;
	}
	if ((rc = conn_open(&c)) < 0)
		goto out;
	if ((rc = conn_send(&c, line, len)) < 0)
		goto out;
	if ((rc = conn_recv_line(&c, &answer, &alen)) < 0)
		goto out;
	rc = parse_response(&c, answer, alen, resp);
out:
	if (c.fd >= 0)
		close(c.fd);
	free(line);
	free(answer);
	return rc;
}

/* Checks the envelope {"ok":..., "result"|"error":...} of resp. */
static int unwrap(const char *path, json_object *resp, json_object **result, char *err,
		  size_t errlen)
{
	json_object *ok, *v;

	if (!json_object_object_get_ex(resp, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		snprintf(err, errlen, "malformed response from hwhealthd on %s: no boolean \"ok\"",
			 path);
		return -EBADMSG;
	}
	if (!json_object_get_boolean(ok)) {
		if (json_object_object_get_ex(resp, "error", &v) &&
		    json_object_is_type(v, json_type_string))
			snprintf(err, errlen, "%s", json_object_get_string(v));
		else
			snprintf(err, errlen, "hwhealthd refused the request without saying why");
		return -EREMOTEIO;
	}
	if (!json_object_object_get_ex(resp, "result", &v) || v == NULL) {
		snprintf(err, errlen,
			 "malformed response from hwhealthd on %s: \"ok\" without \"result\"",
			 path);
		return -EBADMSG;
	}
	*result = json_object_get(v);
	return 0;
}

int client_call(const char *path, json_object *req, int timeout_ms, json_object **result, char *err,
		size_t errlen)
{
	json_object *resp;
	int rc;

	*result = NULL;
	if ((rc = client_request(path, req, timeout_ms, &resp, err, errlen)) < 0)
		return rc;
	rc = unwrap(path, resp, result, err, errlen);
	json_object_put(resp);
	return rc;
}
