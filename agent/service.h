/*
 * service: a "service NAME { ... }" block's plugin (ABI 1.4 run(): the SNMP
 * subagent) on its own thread, and the inbox through which services ask
 * the main loop what the control socket would answer (hwh_query()).
 *
 * The thread calls init() (again after a back-off while it fails), then
 * run() (again after a back-off when it fails), until the daemon stops the
 * service; then it calls shutdown() itself, so that a plugin whose library
 * is not thread-safe (net-snmp) sees every call on one thread.
 */
#ifndef HWH_SERVICE_H
#define HWH_SERVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "plugin.h"

#define SVC_STATUS_MAX 200
#define SVC_BACKOFF_MIN_MS 1000
#define SVC_BACKOFF_MAX_MS 60000

/* Answers one request line as a client without root would get it (a
 * malloc'd reply, or NULL when out of memory).  Main thread only. */
typedef char *(*svc_answer_fn)(void *ud, const char *request);

struct svc_inbox; /* shared by the daemon and its services, reference-counted */

struct svc_inbox *svc_inbox_new(int wake_fd);
/* Answer every waiting query (main loop, each round). */
void svc_inbox_serve(struct svc_inbox *in, svc_answer_fn answer, void *ud);
/* The daemon lets go: waiting and later queries get -ECANCELED, the wake fd
 * is no longer written.  Frees the inbox when no service holds it. */
void svc_inbox_close(struct svc_inbox *in);

/* What "hwhealth status" shows of a service. */
struct svc_status {
	char name[72];
	char plugin[72];
	const char *state; /* "starting", "running", "retrying", "stopping" */
	int ok;		   /* as last said by hwh_service_status(); -1 not yet */
	char text[SVC_STATUS_MAX + 1];
	int64_t since_wall_ms; /* when ok or text last changed, or the start */
	int restarts;	       /* failed init() or run() so far */
};

struct service;

/* Start the thread for an instance (inst: from the plugin's config(),
 * owned from now on).  NULL on failure (logged; inst shut down). */
struct service *service_start(const char *name, const struct plugin *plugin, void *inst,
			      struct svc_inbox *inbox);
void service_request_stop(struct service *s);
/* The thread has not finished yet. */
bool service_busy(struct service *s);
/* Join a finished thread and free s; a thread still running is left to
 * finish on its own (logged) and frees s itself. */
void service_release(struct service *s);
void service_get_status(struct service *s, struct svc_status *out);

#endif
