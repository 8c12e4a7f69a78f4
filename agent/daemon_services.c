/*
 * daemon_services: the daemon's side of its services (service.h): starting
 * and replacing them with the configuration, answering their queries on the
 * main loop as the control socket answers a client without root, and
 * showing them in "status".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

/* Anyone but root: a service reads, it never drains. */
#define SVC_UID ((uid_t)65534)

int daemon_services_init(struct daemon *d)
{
	d->inbox = svc_inbox_new(d->wake_fd);
	return d->inbox != NULL ? 0 : -1;
}

void daemon_services_stop(struct daemon *d, int64_t wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;

	for (size_t i = 0; i < d->nsvcs; i++)
		service_request_stop(d->svcs[i]);
	for (size_t i = 0; i < d->nsvcs; i++)
		while (service_busy(d->svcs[i]) && mono_ms() < deadline) {
			/* A service may wait for an answer while it stops. */
			daemon_services_serve(d);
			nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
		}
	for (size_t i = 0; i < d->nsvcs; i++)
		service_release(d->svcs[i]);
	free(d->svcs);
	d->svcs = NULL;
	d->nsvcs = 0;
}

void daemon_services_close(struct daemon *d)
{
	svc_inbox_close(d->inbox);
	d->inbox = NULL;
}

void daemon_services_apply(struct daemon *d, struct prepared *p, int64_t wait_ms)
{
	struct service **v = calloc(p->nsvc ? p->nsvc : 1, sizeof *v);
	size_t n = 0;

	daemon_services_stop(d, wait_ms);
	for (size_t i = 0; i < p->nsvc; i++) {
		struct prepared_source *ps = &p->svc[i];

		if (v == NULL || d->inbox == NULL) {
			ps->plugin->api->shutdown(ps->inst);
		} else if ((v[n] = service_start(ps->cs->name, ps->plugin, ps->inst, d->inbox)) !=
			   NULL) {
			log_info("service %s: started (plugin %s)", ps->cs->name, ps->plugin->name);
			n++;
		}
		ps->inst = NULL; /* the service has it (or it was shut down) */
	}
	if ((v == NULL || d->inbox == NULL) && p->nsvc > 0)
		log_err("out of memory: no services");
	d->svcs = v;
	d->nsvcs = n;
}

static char *answer(void *ud, const char *request)
{
	return ctl_dispatch(daemon_commands, ud, request, strlen(request), SVC_UID);
}

void daemon_services_serve(struct daemon *d)
{
	if (d->inbox != NULL)
		svc_inbox_serve(d->inbox, answer, d);
}

json_object *daemon_services_json(struct daemon *d)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < d->nsvcs; i++) {
		struct svc_status st;
		json_object *o = json_object_new_object();

		service_get_status(d->svcs[i], &st);
		json_object_object_add(o, "name", json_object_new_string(st.name));
		json_object_object_add(o, "plugin", json_object_new_string(st.plugin));
		json_object_object_add(o, "state", json_object_new_string(st.state));
		json_object_object_add(o, "ok", st.ok < 0 ? NULL : json_object_new_boolean(st.ok));
		json_object_object_add(o, "status", json_object_new_string(st.text));
		json_object_object_add(o, "since", json_object_new_double(st.since_wall_ms / 1e3));
		json_object_object_add(o, "restarts", json_object_new_int(st.restarts));
		json_object_array_add(a, o);
	}
	return a;
}
