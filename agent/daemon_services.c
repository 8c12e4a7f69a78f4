/*
 * daemon_services: the daemon's side of its services (service.h): starting
 * and replacing them with the configuration, answering their queries on the
 * main loop as the control socket answers a client without root, and
 * showing them in "status".
 *
 * A reload keeps a service whose block did not change running (an SNMP
 * subagent keeps its session and what it last saw), stops the others, and
 * never starts a plugin's new instance while an old thread of the same
 * plugin is still inside it: a library that is not thread-safe (net-snmp)
 * must never see two threads.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "log.h"
#include "util.h"

/* Anyone but root: a service reads, it never drains. */
#define SVC_UID ((uid_t)65534)

/* A prepared instance waiting for its plugin's old thread to end. */
struct svc_pending {
	char *name;
	const struct plugin *plugin;
	void *inst;
};

int daemon_services_init(struct daemon *d)
{
	d->inbox = svc_inbox_new(d->wake_fd);
	return d->inbox != NULL ? 0 : -1;
}

static bool plugin_lingers(const struct daemon *d, const struct plugin *p)
{
	for (size_t i = 0; i < d->nlinger; i++)
		if (service_plugin(d->linger[i]) == p)
			return true;
	return false;
}

static void start_one(struct daemon *d, const char *name, const struct plugin *p, void *inst)
{
	struct service **v = realloc(d->svcs, (d->nsvcs + 1) * sizeof *v);
	struct service *s;

	if (v == NULL) {
		log_err("service %s: out of memory", name);
		p->api->shutdown(inst);
		return;
	}
	d->svcs = v;
	if ((s = service_start(name, p, inst, d->inbox)) == NULL)
		return;
	log_info("service %s: started (plugin %s)", name, p->name);
	d->svcs[d->nsvcs++] = s;
}

static void add_pending(struct daemon *d, const char *name, const struct plugin *p, void *inst)
{
	struct svc_pending *v = realloc(d->pending, (d->npending + 1) * sizeof *v);
	char *copy = strdup(name);

	if (v == NULL || copy == NULL) {
		log_err("service %s: out of memory", name);
		free(copy);
		if (v != NULL)
			d->pending = v;
		p->api->shutdown(inst);
		return;
	}
	d->pending = v;
	d->pending[d->npending++] = (struct svc_pending){copy, p, inst};
	log_warn("service %s: starts once the previous instance of plugin %s has stopped", name,
		 p->name);
}

static void drop_pending(struct daemon *d)
{
	for (size_t i = 0; i < d->npending; i++) {
		d->pending[i].plugin->api->shutdown(d->pending[i].inst);
		free(d->pending[i].name);
	}
	free(d->pending);
	d->pending = NULL;
	d->npending = 0;
}

/* Stop the services in v (n), against one deadline, answering their
 * queries meanwhile.  Those still running after it linger (keep is false
 * at exit: they are left to finish on their own). */
static void stop_list(struct daemon *d, struct service **v, size_t n, int64_t wait_ms, bool keep)
{
	int64_t deadline = mono_ms() + wait_ms;

	for (size_t i = 0; i < n; i++)
		service_request_stop(v[i]);
	for (size_t i = 0; i < n; i++)
		while (service_busy(v[i]) && mono_ms() < deadline) {
			daemon_services_serve(d);
			nanosleep(&(struct timespec){0, 10 * 1000000L}, NULL);
		}
	for (size_t i = 0; i < n; i++) {
		struct service **l;

		if (!keep || !service_busy(v[i]) ||
		    (l = realloc(d->linger, (d->nlinger + 1) * sizeof *l)) == NULL) {
			service_release(v[i]);
			continue;
		}
		log_warn("service %s: still in its plugin after %lld ms; its plugin's next "
			 "instance waits for it",
			 service_name(v[i]), (long long)wait_ms);
		d->linger = l;
		d->linger[d->nlinger++] = v[i];
	}
}

void daemon_services_stop(struct daemon *d, int64_t wait_ms)
{
	stop_list(d, d->svcs, d->nsvcs, wait_ms, false);
	free(d->svcs);
	d->svcs = NULL;
	d->nsvcs = 0;
	for (size_t i = 0; i < d->nlinger; i++)
		service_release(d->linger[i]);
	free(d->linger);
	d->linger = NULL;
	d->nlinger = 0;
	drop_pending(d);
}

void daemon_services_close(struct daemon *d)
{
	svc_inbox_close(d->inbox);
	d->inbox = NULL;
}

static const struct cfg_source *old_block(const struct daemon *d, const char *name)
{
	for (size_t i = 0; d->cfg != NULL && i < d->cfg->nservices; i++)
		if (strcmp(d->cfg->services[i].name, name) == 0)
			return &d->cfg->services[i];
	return NULL;
}

/* The same block: same plugin, same options in the same order. */
static bool same_block(const struct cfg_source *a, const struct cfg_source *b)
{
	if (a == NULL || strcmp(a->plugin, b->plugin) != 0 || a->nopts != b->nopts)
		return false;
	for (size_t i = 0; i < a->nopts; i++)
		if (strcmp(a->opts[i].key, b->opts[i].key) != 0 ||
		    strcmp(a->opts[i].value, b->opts[i].value) != 0)
			return false;
	return true;
}

/* The running service the new block ps can keep, or NULL. */
static struct service *keepable(struct daemon *d, const struct prepared_source *ps)
{
	for (size_t i = 0; i < d->nsvcs; i++)
		if (d->svcs[i] != NULL && strcmp(service_name(d->svcs[i]), ps->cs->name) == 0 &&
		    service_plugin(d->svcs[i]) == ps->plugin &&
		    same_block(old_block(d, ps->cs->name), ps->cs))
			return d->svcs[i];
	return NULL;
}

void daemon_services_apply(struct daemon *d, struct prepared *p, int64_t wait_ms)
{
	struct service **kept = calloc(p->nsvc ? p->nsvc : 1, sizeof *kept);
	struct service **gone = calloc(d->nsvcs ? d->nsvcs : 1, sizeof *gone);
	size_t nkept = 0, ngone = 0;

	if (kept == NULL || gone == NULL || d->inbox == NULL) {
		log_err("out of memory: no services");
		free(kept);
		free(gone);
		for (size_t i = 0; i < p->nsvc; i++) {
			p->svc[i].plugin->api->shutdown(p->svc[i].inst);
			p->svc[i].inst = NULL;
		}
		return;
	}
	drop_pending(d); /* the new configuration decides again */
	for (size_t i = 0; i < p->nsvc; i++) {
		struct service *s = keepable(d, &p->svc[i]);

		if (s == NULL)
			continue;
		for (size_t j = 0; j < d->nsvcs; j++)
			if (d->svcs[j] == s)
				d->svcs[j] = NULL;
		kept[nkept++] = s;
		p->svc[i].plugin->api->shutdown(p->svc[i].inst); /* configured, never run */
		p->svc[i].inst = NULL;
		log_debug("service %s: unchanged, kept running", service_name(s));
	}
	for (size_t j = 0; j < d->nsvcs; j++)
		if (d->svcs[j] != NULL)
			gone[ngone++] = d->svcs[j];
	stop_list(d, gone, ngone, wait_ms, true);
	free(gone);
	free(d->svcs);
	d->svcs = kept;
	d->nsvcs = nkept;
	for (size_t i = 0; i < p->nsvc; i++) {
		struct prepared_source *ps = &p->svc[i];

		if (ps->inst == NULL)
			continue;
		if (plugin_lingers(d, ps->plugin))
			add_pending(d, ps->cs->name, ps->plugin, ps->inst);
		else
			start_one(d, ps->cs->name, ps->plugin, ps->inst);
		ps->inst = NULL; /* the service has it (or it was shut down) */
	}
}

/* Reap lingering threads that have ended; start what waited for them. */
static void reap(struct daemon *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nlinger; i++) {
		if (service_busy(d->linger[i])) {
			d->linger[n++] = d->linger[i];
			continue;
		}
		log_info("service %s: the old instance has stopped", service_name(d->linger[i]));
		service_release(d->linger[i]);
	}
	d->nlinger = n;
	n = 0;
	for (size_t i = 0; i < d->npending; i++) {
		struct svc_pending *w = &d->pending[i];

		if (plugin_lingers(d, w->plugin)) {
			d->pending[n++] = *w;
			continue;
		}
		start_one(d, w->name, w->plugin, w->inst);
		free(w->name);
	}
	d->npending = n;
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

void daemon_services_tick(struct daemon *d)
{
	if (d->nlinger > 0)
		reap(d);
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
	for (size_t i = 0; i < d->npending; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(d->pending[i].name));
		json_object_object_add(o, "plugin",
				       json_object_new_string(d->pending[i].plugin->name));
		json_object_object_add(o, "state", json_object_new_string("waiting"));
		json_object_object_add(o, "ok", NULL);
		json_object_object_add(o, "status",
				       json_object_new_string("the previous instance is still "
							      "stopping"));
		json_object_object_add(o, "since", NULL);
		json_object_object_add(o, "restarts", json_object_new_int(0));
		json_object_array_add(a, o);
	}
	return a;
}
