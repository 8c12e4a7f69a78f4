/*
 * hwhealth plugin ABI: the only contract between hwhealthd and its plugins.
 *
 * A plugin is a shared object that exports one symbol, HWH_PLUGIN_SYMBOL, a
 * const struct hwh_plugin.  The struct starts with abi_version and
 * struct_size: the core refuses a plugin whose major version differs from its
 * own and reads fields added later only when struct_size covers them.  New
 * fields go at the end, and bump HWH_ABI_MINOR.
 *
 * Life cycle of one instance (one "source NAME { ... }" block):
 *   config()   on the main thread, when a configuration is loaded or checked:
 *              validate the options and allocate the instance.  Must not
 *              touch hardware (it runs for --check-config too).
 *   init()     on the instance's own thread, before the first poll.
 *   poll()     on the instance's own thread, once per interval.  Report
 *              readings with hwh_emit() and events with hwh_event().
 *   rescan()   optional, on the instance's thread before a poll, when the
 *              operator asked for a rescan (SIGHUP, "hwhealth rescan").
 *   shutdown() on the instance's thread when it stops: free the instance.
 * A poll that overruns its timeout is not cancelled: the core marks the
 * source unavailable and drops what that poll emits.  So a plugin never has to
 * guard against its own slowness, only against its own errors.
 *
 * The host (core) side is reached only through struct hwh_host, the first
 * member of the opaque context passed to init/poll/rescan/act.  Plugins link
 * no core code: the helpers below are static inline.
 */
#ifndef HWHEALTH_PLUGIN_H
#define HWHEALTH_PLUGIN_H

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define HWH_ABI_MAJOR 1
#define HWH_ABI_MINOR 4
#define HWH_ABI_VERSION ((uint32_t)(HWH_ABI_MAJOR << 16 | HWH_ABI_MINOR))
#define HWH_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)

/* Name of the symbol each plugin exports. */
#define HWH_PLUGIN_SYMBOL "hwh_plugin"

/* What a metric measures. */
enum hwh_kind {
	HWH_KIND_OTHER = 0,   /* none of the below */
	HWH_KIND_TEMPERATURE, /* degrees Celsius */
	HWH_KIND_FAN,	      /* revolutions per minute */
	HWH_KIND_VOLTAGE,     /* volts */
	HWH_KIND_CURRENT,     /* amperes */
	HWH_KIND_POWER,	      /* watts */
	HWH_KIND_ENERGY,      /* joules */
	HWH_KIND_HUMIDITY,    /* percent relative humidity */
	HWH_KIND_INTRUSION,   /* 0 = closed, 1 = intrusion detected */
	HWH_KIND_COUNTER,     /* monotonically growing count (errors...) */
	HWH_KIND_PERCENT,     /* 0..100 */
	HWH_KIND_STATE,	      /* discrete state: HWH_STATE_*, words in hwh_reading.text */
	HWH_KIND_COUNT	      /* number of kinds, not a kind */
};

/* Values of a HWH_KIND_STATE reading: the hardware's (or its vendor
 * library's) own verdict on a discrete sensor, e.g. FreeIPMI's
 * interpretation of an IPMI power supply or memory sensor. */
#define HWH_STATE_NOMINAL 0.0
#define HWH_STATE_WARNING 1.0
#define HWH_STATE_CRITICAL 2.0

/* The limits a piece of hardware reports for its own reading. */
enum hwh_limit {
	HWH_LIM_LEMERG = 0, /* lower non-recoverable / emergency */
	HWH_LIM_LCRIT,	    /* lower critical */
	HWH_LIM_MIN,	    /* lower warning (min, lower non-critical) */
	HWH_LIM_MAX,	    /* upper warning (max, upper non-critical) */
	HWH_LIM_CRIT,	    /* upper critical */
	HWH_LIM_EMERG,	    /* upper non-recoverable / emergency */
	HWH_LIM_COUNT	    /* number of limits, not a limit */
};

/* Flags of a reading, as the hardware reports them. */
#define HWH_F_ALARM (1u << 0)	    /* some alarm is raised */
#define HWH_F_MIN_ALARM (1u << 1)   /* below min */
#define HWH_F_MAX_ALARM (1u << 2)   /* above max */
#define HWH_F_LCRIT_ALARM (1u << 3) /* below lcrit */
#define HWH_F_CRIT_ALARM (1u << 4)  /* above crit */
#define HWH_F_EMERG_ALARM (1u << 5) /* above emergency */
#define HWH_F_FAULT (1u << 6)	    /* sensor fault (open diode, ...) */
#define HWH_F_BEEP (1u << 7)	    /* chip beeps on alarm */

/* Status of one reading as its source saw it. */
enum hwh_rstatus {
	HWH_R_OK = 0,	  /* value read */
	HWH_R_UNREADABLE, /* the value could not be read; value is NAN */
	HWH_R_COUNT	  /* number of statuses, not a status */
};

/* One sample of one metric.  Strings are copied by hwh_emit(). */
struct hwh_reading {
	const char *device;	     /* e.g. "coretemp-isa-0000"; no '/' */
	const char *name;	     /* e.g. "temp1"; no '/' */
	const char *label;	     /* human label ("Core 0") or NULL */
	enum hwh_kind kind;	     /* what it measures */
	const char *unit;	     /* "C", "RPM", "V"... or NULL for the kind's */
	double value;		     /* NAN when unreadable */
	double limit[HWH_LIM_COUNT]; /* NAN where the hardware has none */
	unsigned flags;		     /* HWH_F_* */
	enum hwh_rstatus status;     /* OK or UNREADABLE */
	const char *text;	     /* optional state text (discrete sensors), or NULL */
	const char *error;	     /* why unreadable, or NULL */
};

/* Severity of an event, from the hardware's point of view. */
enum hwh_severity {
	HWH_SEV_INFO = 0, /* informational */
	HWH_SEV_WARNING,  /* degraded, not failed */
	HWH_SEV_CRITICAL, /* failed or about to */
	HWH_SEV_COUNT	  /* number of severities, not a severity */
};

/* A discrete happening: a SEL record, a failed self-test, a watchdog reset. */
struct hwh_event {
	const char *device; /* where it happened */
	const char *type;   /* short machine name, e.g. "ecc-corrected" */
	const char *text;   /* human text */
	enum hwh_severity severity;
	int64_t time_wall_ms; /* when the hardware says it happened (ms since epoch), 0 = now */
};

/* A plugin option from the configuration: "key value" inside a block. */
struct hwh_option {
	const char *key;
	const char *value;
	const char *file; /* configuration file it came from */
	int line, col;	  /* 1-based position of the key */
};

/* Where config() reports a bad option. */
struct hwh_config_error {
	int option;    /* index into the options array, or -1 for the block */
	char msg[256]; /* what is wrong and what was expected */
};

struct hwh_ctx; /* opaque: one plugin instance as the core sees it */

/* Log priorities: syslog's numbers. */
#define HWH_LOG_ERR 3
#define HWH_LOG_WARNING 4
#define HWH_LOG_NOTICE 5
#define HWH_LOG_INFO 6
#define HWH_LOG_DEBUG 7

/* Node states, as hwh_daemon_health() reports them. */
#define HWH_NODE_GREEN 0
#define HWH_NODE_YELLOW 1
#define HWH_NODE_RED 2
#define HWH_NODE_CRITICAL 3

/* The daemon's own health (ABI 1.2), for a plugin that must act on it: the
 * watchdog plugin pets the hardware only while the daemon works. */
struct hwh_daemon_health {
	int64_t loop_age_ms; /* since the daemon's main loop last went round
			      * (it goes round at least once a second) */
	int node_state;	     /* HWH_NODE_*, as of the last evaluation */
	int64_t uptime_ms;   /* since the daemon started */
};

/*
 * ABI 1.3: actuators.  An "action NAME { ... }" block runs a plugin that
 * has perform(): the policy (agent/policy.c) decides, the core calls
 * perform() on the actuator's own thread, one action at a time, and records
 * the result.  Actions, by name:
 *   "notify"   the node state changed (state / previous_state), or the
 *              policy has news (a drain refused by the budget, a failed
 *              action): tell someone.  Pacemaker publishes the state.
 *   "drain"    move work off this node; "undrain" lift hwhealth's own drain
 *              (and only that: see HWH_ACT_SKIPPED).
 *   "fence"    take this node out of the cluster now (opt-in).
 * An actuator that has no use for an action returns -ENOTSUP: nothing is
 * recorded for it.
 */
struct hwh_action {
	const char *action; /* "notify", "drain", "undrain", "fence" */
	int state;	    /* HWH_NODE_*: the node state the policy acts on */
	int previous_state; /* HWH_NODE_*: the one before it */
	double score;	    /* the node's score */
	const char *reason; /* one line: why ("red: fan1 below 600 RPM ...") */
	int64_t id;	    /* the action's number in "hwhealth actions" */
	int manual;	    /* 1: an operator asked (hwhealth drain ...) */
	int drained;	    /* 1: hwhealth's drain is in force (after this action) */
	int64_t timeout_ms; /* the block's timeout: finish (kill tools) before it */
};

/* What perform() reports besides its return value.  The core zeroes it. */
struct hwh_action_result {
	int exit_status;   /* of the last tool run: 0.., -1 killed or none */
	char detail[256];  /* one line: what was done, or why not */
	char output[4096]; /* the tools' stdout and stderr, as captured (may be cut) */
};

/* perform() returned this: nothing to do, detail says why ("standby was
 * set by someone else", "reason is not hwhealth's").  Not a failure. */
#define HWH_ACT_SKIPPED 1

/* The cluster as an actuator sees it, for the drain budget. */
struct hwh_cluster {
	int64_t timeout_ms;	   /* in: the block's timeout; finish (kill tools) before it */
	int nodes;		   /* nodes in the cluster, this one included */
	int unhealthy;		   /* OTHER nodes drained, unhealthy, down or fenced */
	char self[64];		   /* this node's name in the cluster */
	char unhealthy_names[256]; /* their names, space-separated (may be cut) */
};

/*
 * ABI 1.4: services.  A "service NAME { plugin P; ... }" block runs a
 * plugin that has run() (the SNMP subagent): the core calls config() when
 * it loads the configuration, then init() and run() on the service's own
 * thread, and shutdown() after run() has returned.  A reload stops every
 * service and starts it again with the new configuration.  A service reads
 * the daemon's state only through hwh_query(): the same JSON the control
 * socket answers, so what it shows always equals "hwhealth --json".
 * shutdown() is called on the service's thread too: a plugin built on a
 * library that is not thread-safe (net-snmp) sees every call on one thread.
 */

/* The core's services, reached through hwh_host(ctx). */
struct hwh_host {
	uint32_t abi_version;
	uint32_t struct_size;
	/* Log a message; the core prefixes the instance name. */
	void (*vlog)(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap);
	/* Report a reading.  Returns 0, or -ENOMEM / -EINVAL (bad ids). */
	int (*emit)(struct hwh_ctx *ctx, const struct hwh_reading *r);
	/* Report an event.  Returns 0 or a negative errno. */
	int (*event)(struct hwh_ctx *ctx, const struct hwh_event *e);
	/* Say why the current poll failed (shown by "hwhealth status"). */
	void (*verror)(struct hwh_ctx *ctx, const char *fmt, va_list ap);
	/* Non-zero when the core is stopping this instance: end the poll early. */
	int (*stopping)(struct hwh_ctx *ctx);
	/* ABI 1.1.  Small strings the core keeps for this instance across
	 * restarts, in its state file (a read position, say).  Use
	 * hwh_state_get() / hwh_state_set(), which check that the host has
	 * them. */
	int (*state_get)(struct hwh_ctx *ctx, const char *key, char *buf, size_t len);
	int (*state_set)(struct hwh_ctx *ctx, const char *key, const char *value);
	/* ABI 1.2.  Keep the metrics of one device as they are, unsampled,
	 * so they do not turn stale: see hwh_hold(). */
	int (*hold)(struct hwh_ctx *ctx, const char *device, const char *why);
	/* ABI 1.2.  The daemon's own health: see hwh_daemon_health(). */
	int (*daemon_health)(struct hwh_ctx *ctx, struct hwh_daemon_health *out);
	/* ABI 1.2.  Whether another source is up: see hwh_source_up(). */
	int (*source_up)(struct hwh_ctx *ctx, const char *name, int64_t *down_ms);
	/* ABI 1.4.  A service's read of the daemon's state: see hwh_query(). */
	int (*query)(struct hwh_ctx *ctx, const char *request, char **reply, int64_t timeout_ms);
	/* ABI 1.4.  A service's own state for "hwhealth status": see
	 * hwh_service_status(). */
	int (*service_status)(struct hwh_ctx *ctx, int ok, const char *text);
};

/* A plugin: the one symbol a .so exports. */
struct hwh_plugin {
	uint32_t abi_version; /* HWH_ABI_VERSION the plugin was built against */
	uint32_t struct_size; /* sizeof(struct hwh_plugin) it was built with */
	const char *name;     /* equals the file name without ".so" */
	const char *description;
	/* 1 if the hardware or tool this source reads is present here, else 0.
	 * Used to build the default configuration.  May be NULL (never). */
	int (*probe)(void);
	/* Validate options and allocate an instance.  0, or -1 with err set. */
	int (*config)(const struct hwh_option *opts, size_t nopts, void **inst,
		      struct hwh_config_error *err);
	/* Open resources.  0, or a negative errno with hwh_error() called. */
	int (*init)(void *inst, struct hwh_ctx *ctx);
	/* Read the hardware.  0, or a negative errno with hwh_error() called:
	 * the source is then down with that reason until a poll works.
	 * -ETIMEDOUT, -EHOSTUNREACH, -ECONNREFUSED and -ENETUNREACH mean the
	 * device did not answer (source state "unavailable"); any other error
	 * means it answered wrongly or the request was refused ("failed"). */
	int (*poll)(void *inst, struct hwh_ctx *ctx);
	/* Rediscover devices (may be NULL). */
	int (*rescan)(void *inst, struct hwh_ctx *ctx);
	/* Carry out an action (NULL when the plugin has none).  Action plugins
	 * act here; a source may too (the watchdog's "self-fence").  Called on
	 * the main thread, possibly while a poll runs on the instance's own
	 * thread, and possibly before init() has run or while it keeps
	 * failing: keep it short and thread-safe (set a flag the poll reads).
	 * A main thread stuck here stops the daemon's heartbeat.
	 * 0, or a negative errno (-ENOTSUP for an action it does not know). */
	int (*act)(void *inst, struct hwh_ctx *ctx, const char *action, const char *arg);
	/* Release everything; inst is invalid afterwards. */
	void (*shutdown)(void *inst);
	/* ABI 1.2.  The poll interval and timeout a source block of this
	 * plugin gets when it sets none (0: the daemon's defaults).  smart
	 * polls every 30 minutes, as smartd does; the watchdog every few
	 * seconds. */
	int64_t default_interval_ms;
	int64_t default_timeout_ms;
	/* ABI 1.2.  The options that take several words ("device /dev/sda
	 * sat"), NULL-terminated; NULL: none.  The configuration joins their
	 * words with one space; any other option with more than one word is
	 * refused at its second word. */
	const char *const *multiword_options;
	/* ABI 1.3: actuators (see struct hwh_action).  Both on the actuator's
	 * own thread, never concurrently with each other, and each bounded by
	 * the block's timeout (a->timeout_ms, c->timeout_ms): kill what you spawn at it.
	 * perform(): 0 done, HWH_ACT_SKIPPED, -ENOTSUP not an action of this
	 * plugin, -ETIMEDOUT a tool overran, other negative errno failed (r
	 * says how).  NULL for a source. */
	int (*perform)(void *inst, struct hwh_ctx *ctx, const struct hwh_action *a,
		       struct hwh_action_result *r);
	/* How many other nodes are already out, for the drain budget: 0 with
	 * *c filled, or a negative errno with detail (size len) saying why (the
	 * cluster cannot be reached: the core then does not drain).  NULL: the
	 * actuator knows no cluster (exec), and the budget does not ask it. */
	int (*cluster)(void *inst, struct hwh_ctx *ctx, struct hwh_cluster *c, char *detail,
		       size_t len);
	/* ABI 1.4: services (see "ABI 1.4: services" above).  The service's whole life
	 * after init(), on its own thread: serve until hwh_stopping() turns
	 * non-zero (check it at least every 250 ms), then return 0.  A negative
	 * errno (with hwh_service_status() saying why) makes the core call
	 * run() again after a back-off of 1 s, doubling up to 60 s (a failed
	 * init() is retried the same way; a successful one is not repeated).
	 * NULL for sources and actuators. */
	int (*run)(void *inst, struct hwh_ctx *ctx);
};

/* Helpers every plugin uses.  Static inline so plugins link nothing. */
struct hwh_ctx_public {
	const struct hwh_host *host; /* first member of every context */
};

static inline const struct hwh_host *hwh_host(struct hwh_ctx *ctx)
{
	return ((const struct hwh_ctx_public *)(const void *)ctx)->host;
}

__attribute__((format(printf, 3, 4))) static inline void hwh_log(struct hwh_ctx *ctx, int prio,
								 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hwh_host(ctx)->vlog(ctx, prio, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline void hwh_error(struct hwh_ctx *ctx,
								   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hwh_host(ctx)->verror(ctx, fmt, ap);
	va_end(ap);
}

static inline int hwh_emit(struct hwh_ctx *ctx, const struct hwh_reading *r)
{
	return hwh_host(ctx)->emit(ctx, r);
}

static inline int hwh_event(struct hwh_ctx *ctx, const struct hwh_event *e)
{
	return hwh_host(ctx)->event(ctx, e);
}

static inline int hwh_stopping(struct hwh_ctx *ctx)
{
	return hwh_host(ctx)->stopping(ctx);
}

/* Keys and values of the kept state: at most this long, and no NUL. */
#define HWH_STATE_KEY_MAX 64
#define HWH_STATE_VALUE_MAX 256

#define HWH_HOST_HAS(h, member)                                                                    \
	((h)->struct_size >= offsetof(struct hwh_host, member) + sizeof(h)->member)

/*
 * The value kept for key, as last set by this instance (in this run or,
 * from the state file, before the restart), copied NUL-terminated into buf.
 * Returns its length; -ENOENT if none was kept; -ENOSPC if buf is too
 * small; -ENOSYS on a host older than ABI 1.1.
 */
static inline int hwh_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len)
{
	const struct hwh_host *h = hwh_host(ctx);

	return HWH_HOST_HAS(h, state_get) ? h->state_get(ctx, key, buf, len) : -ENOSYS;
}

/*
 * Keep value for key.  It takes effect when the current poll ends, and not
 * at all if the poll overran its timeout (its readings and events are
 * dropped too).  It reaches the state file only together with the events
 * reported before it, so "the last record I reported" stays true across a
 * crash: after a restart the plugin never skips an event, and reports one
 * twice only if the daemon died between the event and the next save.
 * Returns 0; -EINVAL for a key or value too long; -ENOMEM; -ENOSYS on a
 * host older than ABI 1.1.
 */
static inline int hwh_state_set(struct hwh_ctx *ctx, const char *key, const char *value)
{
	const struct hwh_host *h = hwh_host(ctx);

	return HWH_HOST_HAS(h, state_set) ? h->state_set(ctx, key, value) : -ENOSYS;
}

/*
 * The plugin chose not to read device this poll (a disk in standby that a
 * read would wake): keep that device's metrics of this instance as they
 * are, with no new sample, and do not let them turn stale.  why ("standby")
 * is shown beside them.  A metric whose last reading was unreadable is not
 * held: it stays unreadable until the device is read again.  The hold lasts until the device's next
 * reading; call it each poll the device is skipped.  Returns 0; -ENOENT if the instance has no
 * metric of that device yet; -ENOSYS on a host older than ABI 1.2 (the metrics will then turn
 * stale).
 */
static inline int hwh_hold(struct hwh_ctx *ctx, const char *device, const char *why)
{
	const struct hwh_host *h = hwh_host(ctx);
	return HWH_HOST_HAS(h, hold) ? h->hold(ctx, device, why) : -ENOSYS;
}

/*
 * The daemon's own health into *out (any thread, cheap: a few atomic
 * loads).  Returns 0, or -ENOSYS on a host older than ABI 1.2.
 */
static inline int hwh_daemon_health(struct hwh_ctx *ctx, struct hwh_daemon_health *out)
{
	const struct hwh_host *h = hwh_host(ctx);
	return HWH_HOST_HAS(h, daemon_health) ? h->daemon_health(ctx, out) : -ENOSYS;
}

/*
 * Whether the source named name (another instance, "ipmi") is up: its last
 * poll worked and it is not stale.  Returns 1 up; 0 down, with *down_ms
 * (if not NULL) how long it has been down (since its last good poll, or
 * since the daemon started); -ENOENT if no source has that name; -ENOSYS
 * on a host older than ABI 1.2.  As of the main loop's last round.
 */
static inline int hwh_source_up(struct hwh_ctx *ctx, const char *name, int64_t *down_ms)
{
	const struct hwh_host *h = hwh_host(ctx);
	return HWH_HOST_HAS(h, source_up) ? h->source_up(ctx, name, down_ms) : -ENOSYS;
}

/*
 * A service asks the daemon what the control socket would answer to the
 * request line (a JSON object, as in docs/PROTOCOL.md: {"cmd":"sensors"}),
 * as a client without root: a command that needs root is refused in the
 * reply.  The main loop answers it between two rounds; the caller waits at
 * most timeout_ms.  On success *reply is the answer ({"ok":true,
 * "result":...} or {"ok":false,"error":...}), NUL-terminated, to free() by
 * the caller.  Returns 0; -ETIMEDOUT (the loop did not get to it in time:
 * ask again later); -ECANCELED (the service is stopping); -EINVAL;
 * -ENOMEM; -ENOSYS on a host older than ABI 1.4 or for a source or
 * actuator.
 */
static inline int hwh_query(struct hwh_ctx *ctx, const char *request, char **reply,
			    int64_t timeout_ms)
{
	const struct hwh_host *h = hwh_host(ctx);
	*reply = NULL;
	return HWH_HOST_HAS(h, query) ? h->query(ctx, request, reply, timeout_ms) : -ENOSYS;
}

/*
 * A service says how it is doing, shown by "hwhealth status" under
 * services: ok 1 ("connected to /var/agentx/master"), 0 ("AgentX master
 * unreachable: ...").  text is one line, cut at 200 bytes.  Call it on each
 * change, not in a loop.  Returns 0, or -ENOSYS as above.
 */
static inline int hwh_service_status(struct hwh_ctx *ctx, int ok, const char *text)
{
	const struct hwh_host *h = hwh_host(ctx);
	return HWH_HOST_HAS(h, service_status) ? h->service_status(ctx, ok, text) : -ENOSYS;
}

/* Initialise a reading: no value, no limits, no flags, status OK. */
static inline void hwh_reading_init(struct hwh_reading *r)
{
	*r = (struct hwh_reading){.value = NAN, .status = HWH_R_OK};
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		r->limit[i] = NAN;
}

#endif
