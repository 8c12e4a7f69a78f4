/*
 * daemon: start-up, main loop, reload and shutdown of hwhealthd.
 * See daemon.h.  The loop sleeps in poll() until the nearest of: a control
 * socket event, a wake-up from a source thread or a signal (eventfd), a poll
 * deadline, the systemd watchdog, or a one-second housekeeping tick.
 */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "util.h"

#define HOUSEKEEPING_MS 1000
#define STOP_WAIT_MS 2000   /* how long shutdown waits for a busy poll thread */
#define RELOAD_WAIT_MS 1000 /* how long a reload waits for one */
#define EVENTS_KEPT 1024    /* recent events in memory (about 600 KiB) */
#define MAX_POLLFDS (CTL_MAX_CLIENTS + 2)
#define DAEMON_EVENT_SOURCE "hwhealthd" /* events the daemon itself records */

static volatile sig_atomic_t sig_stop, sig_reload;
static int sig_wake_fd = -1;

static void on_signal(int sig)
{
	uint64_t one = 1;
	int saved = errno;

	if (sig == SIGHUP)
		sig_reload = 1;
	else
		sig_stop = 1;
	if (sig_wake_fd >= 0 && write(sig_wake_fd, &one, sizeof one) < 0)
		(void)0; /* saturated: the loop wakes anyway */
	errno = saved;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void print_diag(const struct cfg_diag *diag, char *err, size_t errlen)
{
	size_t off = 0;

	if (err != NULL)
		err[0] = '\0';
	for (size_t i = 0; i < diag->n; i++) {
		log_err("%s", diag->msgs[i]);
		if (err != NULL && off < errlen)
			off += (size_t)snprintf(err + off, errlen - off, "%s%s", i ? "\n" : "",
						diag->msgs[i]);
	}
}

int daemon_check_config(const struct daemon_opts *o)
{
	struct plugin_registry reg = {0};
	struct cfg_diag diag = {0};
	struct prepared p;
	int rc = prepare_config(o, &reg, &p, &diag);

	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.msgs[i]);
	if (rc == 0)
		printf("configuration OK (%s, %zu source%s, %zu rule%s)\n",
		       p.cfg->path ? p.cfg->path : "built-in defaults", p.n, p.n == 1 ? "" : "s",
		       p.rules ? p.rules->n : 0, p.rules && p.rules->n == 1 ? "" : "s");
	prepared_free(&p);
	cfg_diag_free(&diag);
	plugin_registry_free(&reg);
	return rc == 0 ? 0 : 1;
}

/* ---- sources ------------------------------------------------------------ */

static struct source *start_source(struct daemon *d, const struct hwh_config *cfg,
				   struct prepared_source *ps)
{
	const struct cfg_source *cs = ps->cs;
	struct source *src =
	    source_new(cs->name, ps->plugin, ps->inst, cs->interval_ms, cs->timeout_ms,
		       cfg_source_stale_ms(cfg, cs), &d->store, &d->events, d->wake_fd);

	if (src == NULL)
		return NULL;
	ps->inst = NULL; /* the source owns it now */
	src->pstate = &d->pstate;
	src->watch = &d->watch;
	src->calls_done = &d->calls_done; /* its name was declared by apply_prepared() */
	if (source_start(src) < 0) {
		log_err("%s: cannot start its thread", cs->name);
		source_stop(src, 0);
		return NULL;
	}
	log_info("%s: started (plugin %s, every %g s, timeout %g s)", cs->name, ps->plugin->name,
		 cs->interval_ms / 1e3, cs->timeout_ms / 1e3);
	return src;
}

static void stop_sources(struct source **v, size_t n, int64_t wait_ms)
{
	/* Ask all first, then wait once for all, so hung ones cost wait_ms in total. */
	for (size_t i = 0; i < n; i++)
		source_signal_stop(v[i]);
	int64_t deadline = mono_ms() + wait_ms;
	for (size_t i = 0; i < n; i++) {
		int64_t left = deadline - mono_ms();
		source_stop(v[i], left > 0 ? left : 0);
	}
}

static int prepared_has(const struct prepared *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].cs->name, name) == 0)
			return 1;
	return 0;
}

/* Names of the running sources the new configuration drops (NULL-ended,
 * caller frees), or NULL on ENOMEM. */
static char **removed_names(const struct daemon *d, const struct prepared *p)
{
	char **v = calloc(d->nsources + 1, sizeof *v);
	size_t n = 0;

	for (size_t i = 0; v != NULL && i < d->nsources; i++)
		if (!prepared_has(p, d->sources[i]->name) &&
		    (v[n++] = strdup(d->sources[i]->name)) == NULL)
			log_err("out of memory");
	return v;
}

/*
 * A dropped source takes its metrics with it: left behind they would read
 * "stale" and keep the node yellow forever.  Called after the sources have
 * stopped: a thread that was abandoned is fenced off (its emits are dropped
 * under the store lock), so none still writes to these metrics.
 */
static void forget_removed(struct daemon *d, char **names)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		ms_lock(&d->store);
		size_t n = ms_remove_source(&d->store, names[i]);
		ms_unlock(&d->store);
		log_notice("%s: no longer configured; forgot its %zu metric%s", names[i], n,
			   n == 1 ? "" : "s");
		free(names[i]);
	}
	free(names);
}

static struct engine_cfg engine_cfg_of(const struct hwh_config *cfg)
{
	return (struct engine_cfg){.score_yellow = cfg->score_yellow,
				   .score_red = cfg->score_red,
				   .score_critical = cfg->score_critical,
				   .recover_ms = cfg->recover_ms};
}

/* The new rules and thresholds; bindings of rules that keep their names
 * keep their state. */
static void apply_rules(struct daemon *d, struct prepared *p)
{
	struct engine_cfg ec = engine_cfg_of(p->cfg);
	size_t n = p->rules ? p->rules->n : 0;

	ms_lock(&d->store);
	engine_set_cfg(&d->engine, &ec);
	engine_set_rules(&d->engine, p->rules);
	p->rules = NULL;
	ms_unlock(&d->store);
	if (n == 0)
		log_warn("no rules loaded from %s or %s: only liveness is judged",
			 p->cfg->rules_dir, p->cfg->local_rules_dir);
	else
		log_info("%zu rule%s loaded", n, n == 1 ? "" : "s");
}

/* Swap in a prepared configuration: stop the old sources, start the new. */
static void apply_prepared(struct daemon *d, struct prepared *p, int64_t wait_ms)
{
	struct source **nv = calloc(p->n ? p->n : 1, sizeof *nv);
	char **gone = removed_names(d, p);
	size_t nn = 0;

	stop_sources(d->sources, d->nsources, wait_ms);
	forget_removed(d, gone);
	apply_rules(d, p);
	free(d->sources);
	/* All names first: a source's init() may ask hwh_source_up() about one
	 * configured after it, whose thread has not started yet. */
	for (size_t i = 0; i < p->n; i++)
		if (watch_declare(&d->watch, p->v[i].cs->name, mono_ms()) < 0)
			log_err("%s: out of memory", p->v[i].cs->name);
	for (size_t i = 0; nv != NULL && i < p->n; i++) {
		struct source *s = start_source(d, p->cfg, &p->v[i]);
		if (s != NULL)
			nv[nn++] = s;
	}
	d->sources = nv;
	d->nsources = nn;
	daemon_actions_apply(d, p, wait_ms);
	daemon_services_apply(d, p, wait_ms);
	config_free(d->cfg);
	d->cfg = p->cfg;
	p->cfg = NULL;
	log_set_level(d->opts.log_level >= 0 ? d->opts.log_level : d->cfg->log_level);
	record_open(d);
}

/* ---- start, reload, stop ------------------------------------------------ */

/* Plugins keep one fd per sensor input open (sensors: 1,000 inputs, 1,000
 * fds), so take the whole hard limit rather than the shell's 1,024. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the open-file limit: %s", strerror(errno));
	}
}

static bool setup_state_dir(const char *dir)
{
	int rc = mkdir_p(dir, 0755);

	if (rc < 0)
		log_warn("cannot create state directory %s: %s; state will not survive a restart",
			 dir, strerror(-rc));
	return rc == 0;
}

/* ---- findings and state changes ----------------------------------------- */

static void note_event(struct daemon *d, const char *type, enum hwh_severity sev, int64_t wall,
		       const char *text)
{
	struct hwh_event ev = {
	    .device = "node", .type = type, .text = text, .severity = sev, .time_wall_ms = wall};

	events_add(&d->events, DAEMON_EVENT_SOURCE, &ev, wall, mono_ms());
}

static enum hwh_severity event_sev(enum rule_severity s)
{
	return s >= RSEV_CRITICAL  ? HWH_SEV_CRITICAL
	       : s == RSEV_WARNING ? HWH_SEV_WARNING
				   : HWH_SEV_INFO;
}

/* A node state change as an event: getting worse is a warning, reaching
 * red or critical is critical, getting better is news. */
static enum hwh_severity state_severity(enum node_state from, enum node_state to)
{
	if (to <= from)
		return HWH_SEV_INFO;
	return to >= NODE_RED ? HWH_SEV_CRITICAL : HWH_SEV_WARNING;
}

/* The engine reports a change: log it with its evidence and keep it as an event. */
static void on_change(void *arg, const struct eng_change *c)
{
	struct daemon *d = arg;
	char text[ENG_MSG_MAX + 2 * METRIC_ID_MAX]; /* events_add() cuts it to fit */
	const struct rule *r = c->b ? c->b->rule : NULL;
	const char *msg = c->b && c->b->x ? c->b->x->msg : "";

	switch (c->kind) {
	case EC_FIRE:
		snprintf(text, sizeof text, "%s %s on %s: %s", rule_severity_name(r->severity),
			 r->name, c->target, msg);
		log_notice("finding: %s (score %g, node score %g)", text, r->score, c->score);
		note_event(d, "finding", event_sev(r->severity), c->t_wall_ms, text);
		break;
	case EC_CLEAR:
		snprintf(text, sizeof text, "%s on %s cleared", r->name, c->target);
		log_notice("finding: %s", text);
		note_event(d, "finding-cleared", HWH_SEV_INFO, c->t_wall_ms, text);
		break;
	case EC_ERROR:
		log_warn("%s: %s", c->target, msg);
		break;
	case EC_ERROR_GONE:
		log_notice("%s: rule %s evaluates again", c->target, r->name);
		break;
	case EC_STATE:
		snprintf(text, sizeof text, "node %s -> %s (score %g)", node_state_name(c->from),
			 node_state_name(c->to), c->score);
		log_notice("%s", text);
		note_event(d, "state", state_severity(c->from, c->to), c->t_wall_ms, text);
		break;
	}
}

static int start_engine(struct daemon *d, struct prepared *p)
{
	struct engine_cfg ec = engine_cfg_of(p->cfg);

	if (engine_init(&d->engine, NULL, &ec, &d->store) < 0)
		return -1;
	d->engine_up = true;
	d->engine.on_change = on_change;
	d->engine.on_sample = record_sample;
	d->engine.arg = d;
	d->store.on_new = engine_metric_new;
	d->store.on_free = engine_metric_free;
	d->store.hook_arg = &d->engine;
	return 0;
}

int daemon_init(struct daemon *d, const struct daemon_opts *o)
{
	struct cfg_diag diag = {0};
	struct prepared p;
	char err[512];

	memset(d, 0, sizeof *d);
	d->opts = *o;
	pstate_init(&d->pstate);
	watch_init(&d->watch, mono_ms());
	if (daemon_actions_init(d) < 0) {
		log_err("out of memory");
		return -1;
	}
	/* Shortest form that keeps ms time stamps: 0.577, not 0.57699999999999996. */
	json_c_set_serialization_double_format("%.15g", JSON_C_OPTION_GLOBAL);
	d->start_mono_ms = mono_ms();
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		log_err("eventfd: %s", strerror(errno));
		return -1;
	}
	sig_wake_fd = d->wake_fd;
	if (daemon_services_init(d) < 0) {
		log_err("out of memory");
		return -1;
	}
	install_signals();
	raise_fd_limit();
	if (prepare_config(o, &d->plugins, &p, &diag) < 0) {
		print_diag(&diag, NULL, 0);
		log_err("configuration refused; not starting");
		goto fail;
	}
	cfg_diag_free(&diag);
	if (ms_init(&d->store, p.cfg->history) < 0 || events_init(&d->events, EVENTS_KEPT) < 0) {
		log_err("out of memory");
		goto fail;
	}
	d->ctl = ctl_open(p.cfg->socket_path, p.cfg->socket_mode, p.cfg->socket_group,
			  daemon_commands, d, err, sizeof err);
	if (d->ctl == NULL) {
		log_err("control socket: %s", err);
		goto fail;
	}
	d->state_ok = setup_state_dir(p.cfg->state_dir);
	if (start_engine(d, &p) < 0) {
		log_err("out of memory");
		goto fail;
	}
	log_notice("hwhealthd %s starting: %s, %zu source%s, socket %s", HWH_VERSION,
		   p.cfg->path ? p.cfg->path : "built-in defaults", p.n, p.n == 1 ? "" : "s",
		   p.cfg->socket_path);
	if (p.n == 0)
		log_warn("no sources configured or detected: nothing to watch (node stays yellow)");
	if (d->state_ok)
		persist_load(d, p.cfg);
	apply_prepared(d, &p, 0);
	prepared_free(&p);
	d->next_save_ms = mono_ms() + d->cfg->state_interval_ms;
	if (sd_watchdog_enabled(0, &d->watchdog_usec) <= 0)
		d->watchdog_usec = 0;
	d->notify = getenv("NOTIFY_SOCKET") != NULL;
	return 0;
fail:
	cfg_diag_free(&diag);
	prepared_free(&p);
	return -1;
}

int daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct cfg_diag diag = {0};
	struct prepared p;

	sd_notify(0, "RELOADING=1");
	log_notice("reloading configuration");
	if (prepare_config(&d->opts, &d->plugins, &p, &diag) < 0) {
		print_diag(&diag, err, errlen);
		log_err("new configuration refused; keeping the running one");
		cfg_diag_free(&diag);
		prepared_free(&p);
		sd_notify(0, "READY=1");
		return -1;
	}
	cfg_diag_free(&diag);
	if (strcmp(p.cfg->socket_path, d->cfg->socket_path) != 0)
		log_warn("socket path changed to %s: takes effect at restart", p.cfg->socket_path);
	apply_prepared(d, &p, RELOAD_WAIT_MS);
	prepared_free(&p);
	if (d->state_ok)
		persist_save(d);
	log_notice("configuration reloaded: %zu source%s", d->nsources,
		   d->nsources == 1 ? "" : "s");
	sd_notify(0, "READY=1");
	return 0;
}

size_t daemon_rescan(struct daemon *d)
{
	for (size_t i = 0; i < d->nsources; i++)
		source_request_rescan(d->sources[i]);
	return d->nsources;
}

int daemon_act(struct daemon *d, const char *action, const char *arg, char *names, size_t len,
	       char *err, size_t errlen)
{
	struct source_info info;
	int taken = 0, refused = 0;
	size_t used = 0;

	names[0] = err[0] = '\0';
	for (size_t i = 0; i < d->nsources; i++) {
		struct source *src = d->sources[i];
		const struct hwh_plugin *api = src->plugin->api;
		int rc;

		if (api->act == NULL)
			continue;
		rc = api->act(src->inst, (struct hwh_ctx *)(void *)src, action, arg);
		if (rc == -ENOTSUP || rc == -ENOSYS)
			continue;
		if (rc < 0) {
			refused++;
			snprintf(err, errlen, "%s refused %s: %s", src->name, action,
				 strerror(-rc));
			log_warn("%s: refused %s (%s): %s", src->name, action, arg ? arg : "",
				 strerror(-rc));
			continue;
		}
		taken++;
		/* What the action changed (the watchdog keeps "fenced") is staged
		 * by the source's next poll: have it now, and save the state file
		 * right after it (daemon_run), not at the next state-interval. */
		source_get_info(src, &info);
		src->save_after_polls = info.polls + 1;
		source_request_poll(src);
		/* Past the end, names stays cut: never point beyond it. */
		if (used < len)
			used += (size_t)snprintf(names + used, len - used, "%s%s", used ? " " : "",
						 src->name);
		log_crit("%s: %s taken (%s)", src->name, action, arg ? arg : "");
	}
	if (taken == 0 && refused == 0)
		snprintf(err, errlen, "no source carries out %s (a watchdog source does)", action);
	return taken;
}

void daemon_shutdown(struct daemon *d)
{
	/* Actuators first, while the sources a fence may fall back on (the
	 * watchdog's self-fence) still run; the file gets what they did. */
	daemon_services_stop(d, STOP_WAIT_MS);
	daemon_services_close(d);
	daemon_actions_stop(d, STOP_WAIT_MS);
	stop_sources(d->sources, d->nsources, STOP_WAIT_MS);
	if (d->engine_up) {
		/* The last polls' events go into the file with the positions
		 * (pstate.h) their sources kept for them. */
		daemon_feed_events(d);
		if (d->state_ok && d->cfg != NULL)
			persist_save(d);
		ms_lock(&d->store);
		engine_destroy(&d->engine);
		d->store.on_new = NULL;
		d->store.on_free = NULL;
		ms_unlock(&d->store);
		d->engine_up = false;
	}
	record_close(d);
	free(d->sources);
	d->sources = NULL;
	d->nsources = 0;
	ctl_close(d->ctl);
	d->ctl = NULL;
	if (d->store.buckets != NULL)
		ms_destroy(&d->store);
	events_destroy(&d->events);
	pstate_destroy(&d->pstate);
	watch_destroy(&d->watch);
	config_free(d->cfg);
	d->cfg = NULL;
	policy_free(&d->policy);
	plugin_registry_free(&d->plugins);
	sig_wake_fd = -1;
	if (d->wake_fd >= 0)
		close(d->wake_fd);
}

/* ---- health, views ------------------------------------------------------ */

struct source_view *daemon_views(struct daemon *d)
{
	struct source_view *v = calloc(d->nsources ? d->nsources : 1, sizeof *v);

	for (size_t i = 0; v != NULL && i < d->nsources; i++) {
		v[i].name = d->sources[i]->name;
		v[i].stale_ms = d->sources[i]->stale_ms;
		source_get_info(d->sources[i], &v[i].info);
	}
	return v;
}

static const enum node_state sev_state[RSEV_COUNT] = {
    [RSEV_INFO] = NODE_GREEN,
    [RSEV_WARNING] = NODE_YELLOW,
    [RSEV_CRITICAL] = NODE_RED,
    [RSEV_FATAL] = NODE_CRITICAL,
};

/* The engine's findings join the liveness reasons; the state is the
 * engine's, which already weighs liveness and holds a recovering state. */
static void add_findings(struct daemon *d, struct health_report *r)
{
	for (const struct binding *b = d->engine.findings; b != NULL; b = b->x->next) {
		bool err = b->state < BS_ACTIVE;
		health_add_reason(r, err ? NODE_YELLOW : sev_state[b->rule->severity], "%s: %s",
				  err ? "rule error" : b->rule->name, b->x->msg);
	}
	r->state = d->engine.state;
	r->score = engine_score(&d->engine);
	r->since_wall_ms = d->engine.state_since_wall_ms;
}

void daemon_health(struct daemon *d, struct health_report *r)
{
	struct source_view *v = daemon_views(d);

	if (v == NULL) {
		memset(r, 0, sizeof *r);
		r->state = NODE_YELLOW;
		snprintf(r->reasons[r->nreasons++], sizeof r->reasons[0], "out of memory");
		return;
	}
	ms_lock(&d->store);
	daemon_liveness(d, v, r);
	add_findings(d, r);
	ms_unlock(&d->store);
	free(v);
}

void daemon_liveness(struct daemon *d, const struct source_view *v, struct health_report *live)
{
	health_eval(&d->store, v, d->nsources, mono_ms(), live);
	daemon_actions_live(d, live);
	/* Liveness is judged when asked (a metric turns stale by time alone):
	 * let the node state see it now rather than at the next evaluation. */
	engine_set_liveness(&d->engine, live->state, health_live_score(live));
	engine_update_state(&d->engine, mono_ms(), wall_ms());
}

/* Read new events from the ring into the engine (and the trace); store
 * lock held. */
static void feed_events(struct daemon *d, int64_t now)
{
	struct event ev[32];
	size_t n;

	while ((n = events_since(&d->events, d->engine.event_seq, ev, 32)) > 0) {
		for (size_t i = 0; i < n; i++) {
			d->engine.event_seq = ev[i].seq;
			if (strcmp(ev[i].source, DAEMON_EVENT_SOURCE) == 0)
				continue; /* our own findings and state changes */
			record_event(d, &ev[i]);
			engine_event(&d->engine, ev[i].source, ev[i].device, ev[i].type, now);
		}
	}
}

void daemon_feed_events(struct daemon *d)
{
	ms_lock(&d->store);
	feed_events(d, mono_ms());
	ms_unlock(&d->store);
}

void daemon_evaluate(struct daemon *d)
{
	struct source_view *v = daemon_views(d);
	struct health_report live;
	int64_t now = mono_ms(), wall = wall_ms();

	ms_lock(&d->store);
	if (v != NULL) {
		health_eval(&d->store, v, d->nsources, now, &live);
		daemon_actions_live(d, &live);
		if (live.state != d->engine.live_state)
			log_info("liveness %s%s%s", node_state_name(live.state),
				 live.nreasons ? ": " : "", live.nreasons ? live.reasons[0] : "");
		engine_set_liveness(&d->engine, live.state, health_live_score(&live));
	} else {
		engine_set_liveness(&d->engine, NODE_YELLOW, ENG_ERR_SCORE);
	}
	feed_events(d, now);
	engine_cycle(&d->engine, now, wall);
	/* The policy acts on this very report: no second liveness walk. */
	d->report_ok = v != NULL;
	if (v != NULL) {
		add_findings(d, &live);
		d->report = live;
	}
	ms_unlock(&d->store);
	if (v != NULL && watch_update(&d->watch, d->engine.state, v, d->nsources, now) < 0)
		log_err("out of memory updating the source table for watching plugins");
	record_flush(d);
	free(v);
}

/* ---- main loop ---------------------------------------------------------- */

static void notify_status(struct daemon *d)
{
	struct health_report r;
	char buf[sizeof d->notified];

	if (!d->notify)
		return; /* nobody listens: spare the health evaluation */
	daemon_health(d, &r);
	snprintf(buf, sizeof buf, "STATUS=node %s, %zu source%s, %zu metrics",
		 node_state_name(r.state), d->nsources, d->nsources == 1 ? "" : "s",
		 d->store.count);
	if (strcmp(buf, d->notified) != 0) {
		sd_notify(0, buf);
		util_strlcpy(d->notified, buf, sizeof d->notified);
	}
}

/* Milliseconds until the loop must look again. */
static int64_t loop_timeout(struct daemon *d, int64_t now)
{
	int64_t t = HOUSEKEEPING_MS;

	for (size_t i = 0; i < d->nsources; i++) {
		int64_t left = source_check_deadline(d->sources[i], now);
		if (left < t)
			t = left;
	}
	if (d->watchdog_usec != 0) {
		if (now >= d->next_watchdog_ms) {
			sd_notify(0, "WATCHDOG=1");
			d->next_watchdog_ms = now + (int64_t)(d->watchdog_usec / 2000);
		}
		if (d->next_watchdog_ms - now < t)
			t = d->next_watchdog_ms - now;
	}
	return t < 0 ? 0 : t;
}

static void drain_wake(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof v) > 0)
		;
}

/* A source that carried out an action has polled since (daemon_act()): its
 * kept state should reach the file now.  Clears what it reports. */
static bool act_save_due(struct daemon *d)
{
	struct source_info info;
	bool due = false;

	for (size_t i = 0; i < d->nsources; i++) {
		struct source *src = d->sources[i];
		if (src->save_after_polls == 0)
			continue;
		source_get_info(src, &info);
		if (info.polls >= src->save_after_polls) {
			src->save_after_polls = 0;
			due = true;
		}
	}
	return due;
}

int daemon_run(struct daemon *d)
{
	struct pollfd fds[MAX_POLLFDS];
	int64_t next_house = 0;
	bool woken = false;

	sd_notify(0, "READY=1");
	while (!sig_stop) {
		int64_t now = mono_ms();
		watch_tick(&d->watch, now);
		if (sig_reload) {
			sig_reload = 0;
			daemon_reload(d, NULL, 0);
		}
		int64_t timeout = loop_timeout(d, now);
		/* Evaluate when a poll has ended (not merely started: a source
		 * wakes the loop for both), and once a second regardless. */
		uint_fast64_t done = atomic_load(&d->calls_done);
		bool evaluated = (woken && done != d->calls_seen) || now >= next_house;
		if (evaluated) {
			d->calls_seen = done;
			daemon_evaluate(d);
		}
		/* The policy acts on what the evaluation found, and collects
		 * what the actuators did (they wake the loop too). */
		if (daemon_actions_step(d, evaluated))
			d->next_save_ms = now;
		woken = false;
		if (now >= next_house) {
			notify_status(d);
			next_house = now + HOUSEKEEPING_MS;
		}
		if (act_save_due(d)) {
			/* Feed every event stored so far first: pstate saves a
			 * value only behind the events reported before it. */
			daemon_evaluate(d);
			d->next_save_ms = now;
		}
		if (now >= d->next_save_ms) {
			if (d->state_ok)
				persist_save(d);
			d->next_save_ms = now + d->cfg->state_interval_ms;
		}
		fds[0] = (struct pollfd){.fd = d->wake_fd, .events = POLLIN};
		size_t n = 1 + ctl_pollfds(d->ctl, fds + 1, MAX_POLLFDS - 1);
		if (poll(fds, n, (int)timeout) < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		if (fds[0].revents & POLLIN) {
			drain_wake(d->wake_fd);
			woken = true; /* a poll started or ended */
		}
		ctl_handle(d->ctl, fds + 1, n - 1);
		daemon_services_serve(d);
	}
	sd_notify(0, "STOPPING=1");
	log_notice("stopping");
	return 0;
}
