/*
 * daemon: the one owner of hwhealthd's state (config, plugins, metric store,
 * sources, control socket) and its main loop.  Signal handlers only set
 * flags and wake the loop; the loop reloads, stops, watches poll deadlines,
 * serves the control socket and talks to systemd (sd_notify).
 */
#ifndef HWH_DAEMON_H
#define HWH_DAEMON_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "control.h"
#include "engine.h"
#include "events.h"
#include "health.h"
#include "metrics.h"
#include "policy.h"
#include "plugin.h"
#include "service.h"
#include "pstate.h"
#include "source.h"
#include "trend.h"
#include "watch.h"

/* Command-line settings; each non-NULL path overrides the configuration. */
struct daemon_opts {
	const char *config_path; /* -c; NULL = CFG_DEFAULT_PATH if it exists, else defaults */
	const char *socket_path;
	const char *state_dir;
	const char *plugin_dir;
	const char *rules_dir;
	int log_level; /* -1: as configured */
};

/* A configuration whose sources have been validated by their plugins. */
struct prepared_source {
	const struct cfg_source *cs;
	const struct plugin *plugin;
	void *inst;
	unsigned on; /* actions: bit (1 << enum act_kind) of the actions it is sent */
};

struct prepared {
	struct hwh_config *cfg;
	struct ruleset *rules; /* NULL once taken */
	struct prepared_source *v;
	size_t n;
	struct prepared_source *act; /* action blocks */
	size_t nact;
	struct prepared_source *svc; /* service blocks */
	size_t nsvc;
};

/* prepare.c: load (or default), apply overrides, autodetect, and create
 * every source's instance.  0, or -1 with every error in diag. */
int prepare_config(const struct daemon_opts *o, struct plugin_registry *reg, struct prepared *out,
		   struct cfg_diag *diag);
/* prepare_actions.c: the action blocks' instances (called by prepare_config).
 * 0, or -1 with every error in diag. */
int prepare_actions(struct hwh_config *cfg, struct plugin_registry *reg, struct prepared *out,
		    struct cfg_diag *diag);
/* Free what prepare_config made; instances still set are shut down. */
void prepared_free(struct prepared *p);

struct daemon {
	struct daemon_opts opts;
	struct hwh_config *cfg;
	struct plugin_registry plugins;
	struct metric_store store;
	struct event_ring events;
	struct source **sources;
	size_t nsources;
	struct control *ctl;
	int wake_fd;
	int64_t start_mono_ms;
	uint64_t watchdog_usec; /* systemd WatchdogSec, 0 if off */
	int64_t next_watchdog_ms;
	bool notify;			 /* NOTIFY_SOCKET set: systemd listens for sd_notify */
	char notified[160];		 /* last STATUS= sent */
	struct engine engine;		 /* rules, findings, node state (store lock) */
	struct pstate pstate;		 /* what plugins keep across restarts */
	struct watch watch;		 /* heartbeat and source table for watching plugins */
	atomic_uint_fast64_t calls_done; /* plugin calls ended (source.h) */
	uint_fast64_t calls_seen;	 /* ...as of the last evaluation */
	bool engine_up;
	struct health_report report; /* of the last evaluation, for the policy ... */
	bool report_ok;		     /* ... when that evaluation could build it */
	int64_t next_eval_ms;	     /* housekeeping evaluation */
	int64_t next_save_ms;	     /* state file */
	bool state_ok;		     /* the state directory could be set up */
	struct policy policy;	     /* what to do about the node's state */
	struct actuator **acts;	     /* the action blocks' instances */
	size_t nacts;
	struct svc_inbox *inbox; /* the services' queries to the main loop */
	struct service **svcs;	 /* the service blocks' instances */
	size_t nsvcs;
	struct service **linger; /* stopped, but still in their plugin past the wait */
	size_t nlinger;
	struct svc_pending *pending; /* to start once their plugin's old thread ends */
	size_t npending;
	FILE *record; /* trace being recorded, NULL if none */
	char *record_path;
};

/* Bring the daemon up: config, socket, sources.  0 or -1 (errors logged). */
int daemon_init(struct daemon *d, const struct daemon_opts *o);
/* Serve until SIGTERM/SIGINT.  Returns the exit status. */
int daemon_run(struct daemon *d);
/* Re-read the configuration; on error keep the running one.  0 or -1,
 * with the errors (one per line) in err. */
int daemon_reload(struct daemon *d, char *err, size_t errlen);
/* Ask every source to rediscover its devices.  Returns how many. */
size_t daemon_rescan(struct daemon *d);
/*
 * Ask every source that has an act() entry to carry out action with arg
 * ("self-fence", the reason).  Returns how many took it, their names
 * (space-separated) in names; with 0, err says why (none can, or the last
 * refusal).  Logged, with the reason, at crit.
 */
int daemon_act(struct daemon *d, const char *action, const char *arg, char *names, size_t len,
	       char *err, size_t errlen);
void daemon_shutdown(struct daemon *d);
/* --check-config: prints "configuration OK" or the errors.  Exit status. */
int daemon_check_config(const struct daemon_opts *o);

/* Source views for health and reports (caller frees). */
struct source_view *daemon_views(struct daemon *d);
/* Current health (takes the store lock). */
void daemon_health(struct daemon *d, struct health_report *r);
/* Liveness as of now into live, and the node state brought up to it (store
 * lock held; v: daemon_views()), so that the two always agree. */
void daemon_liveness(struct daemon *d, const struct source_view *v, struct health_report *live);

/* Evaluate the rules now (takes the store lock). */
void daemon_evaluate(struct daemon *d);
/* Take new events into the engine without evaluating (store lock). */
void daemon_feed_events(struct daemon *d);

/* daemon_actions.c: the policy and its actuators. */
int daemon_actions_init(struct daemon *d);
/* Replace the actuators and policy settings with the prepared ones. */
void daemon_actions_apply(struct daemon *d, struct prepared *p, int64_t wait_ms);
/* Collect finished actions and, after an evaluation (evaluated) or a result,
 * let the policy act on the node's health.  True when the state file should
 * be written now (an action was recorded). */
bool daemon_actions_step(struct daemon *d, bool evaluated);
/* The policy's own liveness reason (a drain refused by the budget). */
void daemon_actions_live(struct daemon *d, struct health_report *live);
/* Stop the actuators (bounded), recording what they finished. */
void daemon_actions_stop(struct daemon *d, int64_t wait_ms);

/* daemon_services.c: the service blocks (service.h). */
struct svc_pending;
int daemon_services_init(struct daemon *d);
/* Replace the services with the prepared ones: an unchanged block keeps
 * running, the others stop and start again. */
void daemon_services_apply(struct daemon *d, struct prepared *p, int64_t wait_ms);
/* Stop the services (bounded), answering their queries meanwhile. */
void daemon_services_stop(struct daemon *d, int64_t wait_ms);
/* After the last stop: let go of the inbox. */
void daemon_services_close(struct daemon *d);
/* Answer the services' waiting queries (main loop). */
void daemon_services_serve(struct daemon *d);
/* Reap old instances that have ended and start what waited for them. */
void daemon_services_tick(struct daemon *d);
/* "services" in status. */
json_object *daemon_services_json(struct daemon *d);

/* commands_actions.c: actions, silences, silence, unsilence, drain, undrain, fence. */
json_object *cmd_actions(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_silences(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_silence(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_unsilence(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_drain(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_undrain(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_fence(void *ud, json_object *req, char *err, size_t errlen);

/* persist.c: state file and trace recording. */
void persist_load(struct daemon *d, const struct hwh_config *cfg);
int persist_save(struct daemon *d);
void record_open(struct daemon *d);
void record_close(struct daemon *d);
void record_sample(void *arg, const struct metric *m);
void record_event(struct daemon *d, const struct event *ev);
void record_flush(struct daemon *d);

/* commands_rules.c: explain, rules, history. */
json_object *cmd_explain(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_rules(void *ud, json_object *req, char *err, size_t errlen);
json_object *cmd_history(void *ud, json_object *req, char *err, size_t errlen);

/* commands_devices.c: devices (a source's metrics by device, with trends
 * and findings: hwhealth smart). */
json_object *cmd_devices(void *ud, json_object *req, char *err, size_t errlen);

/* Shared by the command files: one metric (commands.c) and one finding
 * (commands_rules.c) as docs/PROTOCOL.md shows them. */
json_object *metric_json(const struct metric *m, const struct source_view *v, int64_t now);
json_object *finding_json(const struct binding *b);
/* A metric's "trend" and "prediction" (trend.h), in two steps so that the
 * JSON is built after the store's lock is released: metric_trend_get()
 * (lock held; no allocation) reads the history, metric_trend_json() adds
 * both members to the metric's object. */
struct metric_trend {
	bool has_trend, has_prediction;
	struct trend t;
	struct prediction p;
};
void metric_trend_get(const struct metric *m, int64_t now, struct metric_trend *mt);
void metric_trend_json(json_object *o, const struct metric_trend *mt);

/* commands.c: the control socket's command table. */
extern const struct ctl_cmd daemon_commands[];

#endif
