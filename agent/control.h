/*
 * control: the control socket server.  One JSON request per line in, one
 * JSON response per line out (docs/PROTOCOL.md).  Runs entirely on the main
 * thread's poll loop with non-blocking sockets, so a slow or stuck client
 * never delays the daemon; a request larger than CTL_MAX_REQUEST closes the
 * connection.  The peer's uid (SO_PEERCRED) decides whether it may run
 * commands marked root-only.
 */
#ifndef HWH_CONTROL_H
#define HWH_CONTROL_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define CTL_MAX_REQUEST (64 * 1024)
#define CTL_MAX_CLIENTS 64

/*
 * A command handler: returns the result object (ownership passes to the
 * caller), or NULL with err filled to answer ok:false.
 */
typedef json_object *(*ctl_handler)(void *ud, json_object *req, char *err, size_t errlen);

struct ctl_cmd {
	const char *name;
	bool root_only; /* state-changing: peer must be uid 0 */
	ctl_handler fn;
};

struct control;

/* Create, bind and listen on path with mode and group (NULL = ours).
 * Refuses if another daemon answers on path.  NULL with err set on failure. */
struct control *ctl_open(const char *path, unsigned mode, const char *group,
			 const struct ctl_cmd *cmds, void *ud, char *err, size_t errlen);
void ctl_close(struct control *ctl);

/* Fill pollfds for the listener and clients; returns how many. */
size_t ctl_pollfds(struct control *ctl, struct pollfd *fds, size_t max);
/* Act on the revents of the fds ctl_pollfds() filled. */
void ctl_handle(struct control *ctl, const struct pollfd *fds, size_t n);

/*
 * Answer one request line as a peer with uid would get it: a new string
 * "{...}\n" the caller frees (NULL on ENOMEM).  The dispatch core, apart
 * from sockets, for tests.
 */
char *ctl_dispatch(const struct ctl_cmd *cmds, void *ud, const char *line, size_t len, uid_t uid);

#endif
