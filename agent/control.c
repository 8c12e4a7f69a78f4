/*
 * control: control socket server.  See control.h and docs/PROTOCOL.md.
 *
 * Each client has an input buffer (until '\n') and an output buffer drained
 * as the socket accepts it.  A client gets one request answered at a time;
 * further input waits until its answer is written, which bounds memory.
 */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct client {
	int fd;
	uid_t uid;
	char *in;
	size_t inlen;
	char *out;
	size_t outlen, outoff;
};

struct control {
	int fd;
	char *path;
	const struct ctl_cmd *cmds;
	void *ud;
	struct client clients[CTL_MAX_CLIENTS];
	size_t nclients;
};

static char *response_text(json_object *resp)
{
	const char *s = json_object_to_json_string_ext(resp, JSON_C_TO_STRING_PLAIN |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);
	char *out = malloc(n + 2);

	if (out != NULL) {
		memcpy(out, s, n);
		out[n] = '\n';
		out[n + 1] = '\0';
	}
	json_object_put(resp);
	return out;
}

static char *error_response(const char *msg)
{
	json_object *resp = json_object_new_object();

	json_object_object_add(resp, "ok", json_object_new_boolean(0));
	json_object_object_add(resp, "error", json_object_new_string(msg));
	return response_text(resp);
}

static void cmd_names(const struct ctl_cmd *cmds, char *buf, size_t n)
{
	size_t off = 0;

	buf[0] = '\0';
	for (const struct ctl_cmd *c = cmds; c->name != NULL && off < n; c++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", off ? ", " : "", c->name);
}

static const struct ctl_cmd *find_cmd(const struct ctl_cmd *cmds, const char *name)
{
	for (const struct ctl_cmd *c = cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

char *ctl_dispatch(const struct ctl_cmd *cmds, void *ud, const char *line, size_t len, uid_t uid)
{
	json_tokener *tok = json_tokener_new();
	json_object *req, *jcmd, *result, *resp;
	const struct ctl_cmd *c;
	char err[512], names[256];

	if (tok == NULL)
		return NULL;
	req = json_tokener_parse_ex(tok, line, (int)len);
	if (req == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		snprintf(err, sizeof err, "malformed request: %s (expected one JSON object)",
			 req == NULL ? json_tokener_error_desc(json_tokener_get_error(tok))
				     : "trailing data");
		json_object_put(req);
		json_tokener_free(tok);
		return error_response(err);
	}
	json_tokener_free(tok);
	cmd_names(cmds, names, sizeof names);
	if (!json_object_is_type(req, json_type_object) ||
	    !json_object_object_get_ex(req, "cmd", &jcmd) ||
	    !json_object_is_type(jcmd, json_type_string)) {
		json_object_put(req);
		snprintf(err, sizeof err, "request lacks a string \"cmd\" (expected one of: %s)",
			 names);
		return error_response(err);
	}
	c = find_cmd(cmds, json_object_get_string(jcmd));
	if (c == NULL) {
		snprintf(err, sizeof err, "unknown command '%.64s' (expected one of: %s)",
			 json_object_get_string(jcmd), names);
		json_object_put(req);
		return error_response(err);
	}
	if (c->root_only && uid != 0) {
		snprintf(err, sizeof err, "permission denied: '%s' requires root", c->name);
		json_object_put(req);
		return error_response(err);
	}
	err[0] = '\0';
	result = c->fn(ud, req, err, sizeof err);
	json_object_put(req);
	if (result == NULL)
		return error_response(err[0] ? err : "command failed");
	resp = json_object_new_object();
	json_object_object_add(resp, "ok", json_object_new_boolean(1));
	json_object_object_add(resp, "result", result);
	return response_text(resp);
}

/* ---- sockets ------------------------------------------------------------ */

/* Is a daemon already answering on path? */
static int socket_in_use(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return 0;
	util_strlcpy(sa.sun_path, path, sizeof sa.sun_path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	close(fd);
	return rc == 0;
}

static int socket_perms(const char *path, unsigned mode, const char *group, char *err,
			size_t errlen)
{
	if (group != NULL) {
		struct group *gr = getgrnam(group);
		if (gr == NULL) {
			snprintf(err, errlen, "socket-group '%s': no such group", group);
			return -1;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) != 0) {
			snprintf(err, errlen, "chown %s: %s", path, strerror(errno));
			return -1;
		}
	}
	if (chmod(path, mode) != 0) {
		snprintf(err, errlen, "chmod %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int ctl_listen(const char *path, unsigned mode, const char *group, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[sizeof sa.sun_path];
	char *slash;
	int fd;

	if (util_strlcpy(sa.sun_path, path, sizeof sa.sun_path) >= sizeof sa.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	util_strlcpy(dir, path, sizeof dir);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0755) < 0) {
			snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
			return -1;
		}
	}
	if (socket_in_use(path)) {
		snprintf(err, errlen, "another hwhealthd is already listening on %s", path);
		return -1;
	}
	unlink(path); /* a stale socket of a dead daemon */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (socket_perms(path, mode, group, err, errlen) != 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

struct control *ctl_open(const char *path, unsigned mode, const char *group,
			 const struct ctl_cmd *cmds, void *ud, char *err, size_t errlen)
{
	struct control *ctl = calloc(1, sizeof *ctl);

	if (ctl == NULL || (ctl->path = strdup(path)) == NULL) {
		free(ctl);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ctl->cmds = cmds;
	ctl->ud = ud;
	ctl->fd = ctl_listen(path, mode, group, err, errlen);
	if (ctl->fd < 0) {
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	return ctl;
}

static void client_drop(struct control *ctl, size_t i)
{
	struct client *c = &ctl->clients[i];

	close(c->fd);
	free(c->in);
	free(c->out);
	ctl->clients[i] = ctl->clients[--ctl->nclients];
}

void ctl_close(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->nclients > 0)
		client_drop(ctl, ctl->nclients - 1);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

static void ctl_accept(struct control *ctl)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (ctl->nclients == CTL_MAX_CLIENTS) {
		log_warn("control: %d clients connected, refusing another", CTL_MAX_CLIENTS);
		close(fd);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
		log_warn("control: SO_PEERCRED: %s", strerror(errno));
		close(fd);
		return;
	}
	ctl->clients[ctl->nclients++] = (struct client){.fd = fd, .uid = cred.uid};
}

size_t ctl_pollfds(struct control *ctl, struct pollfd *fds, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return 0;
	fds[n++] = (struct pollfd){.fd = ctl->fd, .events = POLLIN};
	for (size_t i = 0; i < ctl->nclients && n < max; i++) {
		struct client *c = &ctl->clients[i];
		fds[n++] = (struct pollfd){.fd = c->fd, .events = c->out ? POLLOUT : POLLIN};
	}
	return n;
}

/* Answer the first complete line in c->in, if any.  Returns -1 to drop. */
static int client_answer(struct control *ctl, struct client *c)
{
	char *nl = memchr(c->in, '\n', c->inlen);
	size_t len;

	if (nl == NULL)
		return c->inlen > CTL_MAX_REQUEST ? -1 : 0;
	len = (size_t)(nl - c->in);
	c->out = ctl_dispatch(ctl->cmds, ctl->ud, c->in, len, c->uid);
	if (c->out == NULL)
		return -1;
	c->outlen = strlen(c->out);
	c->outoff = 0;
	memmove(c->in, nl + 1, c->inlen - len - 1);
	c->inlen -= len + 1;
	return 0;
}

static int client_read(struct control *ctl, struct client *c)
{
	char buf[4096];
	ssize_t n = read(c->fd, buf, sizeof buf);
	char *nin;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	nin = realloc(c->in, c->inlen + (size_t)n);
	if (nin == NULL)
		return -1;
	c->in = nin;
	memcpy(c->in + c->inlen, buf, (size_t)n);
	c->inlen += (size_t)n;
	return client_answer(ctl, c);
}

static int client_write(struct control *ctl, struct client *c)
{
	ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	c->outoff += (size_t)n;
	if (c->outoff < c->outlen)
		return 0;
	free(c->out);
	c->out = NULL;
	return client_answer(ctl, c); /* a pipelined request may be waiting */
}

void ctl_handle(struct control *ctl, const struct pollfd *fds, size_t n)
{
	/* Walk clients from the end so dropping (swap with last) is safe. */
	for (size_t k = n; k-- > 1;) {
		size_t i = k - 1;
		struct client *c;
		int rc = 0;

		if (i >= ctl->nclients || fds[k].revents == 0)
			continue;
		c = &ctl->clients[i];
		if (c->fd != fds[k].fd)
			continue;
		if (fds[k].revents & (POLLERR | POLLNVAL))
			rc = -1;
		else if (c->out != NULL && (fds[k].revents & (POLLOUT | POLLHUP)))
			rc = client_write(ctl, c);
		else if (c->out == NULL && (fds[k].revents & (POLLIN | POLLHUP)))
			rc = client_read(ctl, c);
		if (rc < 0)
			client_drop(ctl, i);
	}
	if (n > 0 && (fds[0].revents & POLLIN))
		ctl_accept(ctl);
}
