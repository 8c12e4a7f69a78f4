/*
 * client: one request and its response over hwhealthd's control socket.
 *
 * The exchange of docs/PROTOCOL.md: connect to the Unix socket, send one
 * JSON object ended by '\n', read one '\n'-terminated JSON object back.  The
 * whole exchange, connect included, runs against one deadline on a
 * non-blocking socket, so a daemon that is stuck, or a full listen backlog,
 * costs at most the timeout and never a hang.
 *
 * Errors come back as a negative errno plus one line of text for the
 * operator, already naming the socket and the likely cause; the caller only
 * prefixes its own name.
 */
#ifndef HWH_CLIENT_H
#define HWH_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

/* Largest response accepted; a status of thousands of sensors is ~1 MiB. */
#define CLIENT_MAX_RESPONSE (64u << 20)
/* Timeout used when the user gives none. */
#define CLIENT_DEFAULT_TIMEOUT_MS 5000
/* Room for any message in err, a daemon's list of config errors included. */
#define CLIENT_ERR_LEN 8192

/*
 * Sends req to the daemon on path and reads the response within timeout_ms.
 * Returns 0 and sets *resp to the parsed object (the caller owns it), or a
 * negative errno with a message in err:
 *   -ENOENT, -ECONNREFUSED  nothing listens ("... (is hwhealthd running?)")
 *   -EACCES, -EPERM         no permission on the socket
 *   -ETIMEDOUT              no complete answer within timeout_ms
 *   -ECONNRESET             the daemon closed the connection before answering
 *   -EMSGSIZE               the response exceeds CLIENT_MAX_RESPONSE
 *   -EBADMSG                the response is not one JSON object
 *   -ENAMETOOLONG, -ENOMEM, other errnos from the socket calls.
 */
int client_request(const char *path, json_object *req, int timeout_ms, json_object **resp,
		   char *err, size_t errlen);

/*
 * client_request() plus the response envelope: returns 0 and sets *result
 * to a new reference to the "result" member when "ok" is true.  When the
 * daemon answers "ok": false, returns -EREMOTEIO with the daemon's "error"
 * text in err.  -EBADMSG when the envelope is malformed; otherwise as
 * client_request().
 */
int client_call(const char *path, json_object *req, int timeout_ms, json_object **result, char *err,
		size_t errlen);

#endif /* HWH_CLIENT_H */
