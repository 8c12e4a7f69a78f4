/*
 * probe: a test source plugin that reports what the ABI 1.2 host services
 * answer, so integration tests can see them through "hwhealth sensors".
 * Its own default interval is 250 ms and timeout 1.5 s (default_interval_ms,
 * default_timeout_ms).  Each poll emits:
 *   daemon/loop_age_ms, daemon/node_state, daemon/uptime_ms
 *                      hwh_daemon_health() (unreadable if it fails)
 *   up/NAME            for each "watch NAME" (repeatable): what
 *                      hwh_source_up() returned: 1, 0, or a negative errno
 *                      (-2: -ENOENT, no such source)
 *   down_ms/NAME       its down_ms (-1 when it set none)
 *   init_up/NAME       what hwh_source_up() returned in init()
 *   disk/x             the poll number, up to poll N of "hold-after N";
 *                      from poll N+1 on nothing, and hwh_hold(ctx, "disk",
 *                      "standby") instead (its return value as hold/rc)
 *   act/count          how many "self-fence" act() calls it took; text:
 *                      the last one's arg
 *   abi14/query, abi14/service_status
 *                      what hwh_query() and hwh_service_status() return
 *                      to a source (-ENOSYS: they are a service's)
 *   kept/acted         what hwh_state_get("acted") answers (its length, or
 *                      a negative errno), text: the kept value; each poll
 *                      after an act() keeps its arg there with
 *                      hwh_state_set(), as the watchdog keeps a fence
 * act(): "self-fence" is counted, or refused with -EPERM under "refuse yes";
 * any other action is -ENOTSUP.  "quiet yes" leaves out the daemon, up,
 * down_ms, init_up, hold and act metrics: a poll of a held disk then emits
 * nothing at all, as a smart poll does when every disk sleeps.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwhealth/plugin.h>

#define PROBE_WATCH_MAX 8
#define PROBE_ARG_MAX 128

struct probe {
	char *watch[PROBE_WATCH_MAX];
	int init_up[PROBE_WATCH_MAX];
	size_t nwatch;
	long hold_after; /* 0: never hold */
	int refuse;	 /* act("self-fence") answers -EPERM */
	int quiet;	 /* only disk/x */
	long polls;
	pthread_mutex_t lock; /* act() runs on the main thread: guards the two below */
	long acts;
	char act_arg[PROBE_ARG_MAX];
};

static void probe_free(struct probe *p)
{
	for (size_t i = 0; i < p->nwatch; i++)
		free(p->watch[i]);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int yes_no(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
		*out = strcmp(v, "yes") == 0;
		return 0;
	}
	return -1;
}

static int probe_option(struct probe *p, const struct hwh_option *o, char *msg, size_t len)
{
	char *end;

	if (strcmp(o->key, "watch") == 0) {
		if (p->nwatch == PROBE_WATCH_MAX) {
			snprintf(msg, len, "at most %d 'watch' options", PROBE_WATCH_MAX);
			return -1;
		}
		if ((p->watch[p->nwatch] = strdup(o->value)) == NULL) {
			snprintf(msg, len, "out of memory");
			return -1;
		}
		p->nwatch++;
		return 0;
	}
	if (strcmp(o->key, "hold-after") == 0) {
		p->hold_after = strtol(o->value, &end, 10);
		if (*end != '\0' || end == o->value || p->hold_after < 1) {
			snprintf(msg, len, "hold-after: expected a poll count of 1 or more");
			return -1;
		}
		return 0;
	}
	if (strcmp(o->key, "refuse") == 0 && yes_no(o->value, &p->refuse) == 0)
		return 0;
	if (strcmp(o->key, "quiet") == 0 && yes_no(o->value, &p->quiet) == 0)
		return 0;
	snprintf(msg, len,
		 "bad option '%s' for plugin probe (expected: watch NAME, hold-after N, "
		 "refuse yes|no, quiet yes|no)",
		 o->key);
	return -1;
}

static int probe_config(const struct hwh_option *opts, size_t n, void **inst,
			struct hwh_config_error *err)
{
	struct probe *p = calloc(1, sizeof *p);

	if (p == NULL)
		return -1;
	pthread_mutex_init(&p->lock, NULL);
	for (size_t i = 0; i < n; i++) {
		if (probe_option(p, &opts[i], err->msg, sizeof err->msg) < 0) {
			err->option = (int)i;
			probe_free(p);
			return -1;
		}
	}
	*inst = p;
	return 0;
}

static int probe_init(void *inst, struct hwh_ctx *ctx)
{
	struct probe *p = inst;

	for (size_t i = 0; i < p->nwatch; i++)
		p->init_up[i] = hwh_source_up(ctx, p->watch[i], NULL);
	return 0;
}

static void put(struct hwh_ctx *ctx, const char *device, const char *name, double value,
		const char *text)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = device;
	r.name = name;
	r.value = value;
	r.text = text;
	hwh_emit(ctx, &r);
}

static void put_health(struct hwh_ctx *ctx)
{
	static const char *const names[] = {"loop_age_ms", "node_state", "uptime_ms"};
	struct hwh_daemon_health h = {0};
	int rc = hwh_daemon_health(ctx, &h);
	double v[] = {(double)h.loop_age_ms, h.node_state, (double)h.uptime_ms};

	for (size_t i = 0; i < 3; i++) {
		struct hwh_reading r;

		hwh_reading_init(&r);
		r.device = "daemon";
		r.name = names[i];
		if (rc == 0) {
			r.value = v[i];
		} else {
			r.status = HWH_R_UNREADABLE;
			r.error = strerror(-rc);
		}
		hwh_emit(ctx, &r);
	}
}

/* kept/acted: what the state holds for "acted" (from before a restart too). */
static void put_kept(struct hwh_ctx *ctx)
{
	char kept[PROBE_ARG_MAX];
	int rc = hwh_state_get(ctx, "acted", kept, sizeof kept);

	put(ctx, "kept", "acted", rc, rc >= 0 ? kept : NULL);
}

/* ABI 1.4's service calls, which a source must not have: their return
 * values (-ENOSYS, not a crash). */
static void put_services(struct hwh_ctx *ctx)
{
	char *reply;

	put(ctx, "abi14", "query", hwh_query(ctx, "{\"cmd\":\"ping\"}", &reply, 100), NULL);
	free(reply);
	put(ctx, "abi14", "service_status", hwh_service_status(ctx, 1, "x"), NULL);
}

static int probe_poll(void *inst, struct hwh_ctx *ctx)
{
	struct probe *p = inst;
	char arg[PROBE_ARG_MAX];
	long acts;

	p->polls++;
	if (p->hold_after == 0 || p->polls <= p->hold_after) {
		put(ctx, "disk", "x", (double)p->polls, NULL);
	} else {
		int rc = hwh_hold(ctx, "disk", "standby");
		if (!p->quiet)
			put(ctx, "hold", "rc", rc, NULL);
	}
	if (p->quiet)
		return 0;
	put_health(ctx);
	for (size_t i = 0; i < p->nwatch; i++) {
		int64_t down = -1;
		int rc = hwh_source_up(ctx, p->watch[i], &down);

		put(ctx, "up", p->watch[i], rc, NULL);
		put(ctx, "down_ms", p->watch[i], (double)down, NULL);
		put(ctx, "init_up", p->watch[i], p->init_up[i], NULL);
	}
	pthread_mutex_lock(&p->lock);
	acts = p->acts;
	memcpy(arg, p->act_arg, sizeof arg);
	pthread_mutex_unlock(&p->lock);
	put(ctx, "act", "count", (double)acts, acts > 0 ? arg : NULL);
	if (acts > 0)
		hwh_state_set(ctx, "acted", arg);
	put_kept(ctx);
	put_services(ctx);
	return 0;
}

static int probe_act(void *inst, struct hwh_ctx *ctx, const char *action, const char *arg)
{
	struct probe *p = inst;

	(void)ctx;
	if (strcmp(action, "self-fence") != 0)
		return -ENOTSUP;
	if (p->refuse)
		return -EPERM;
	pthread_mutex_lock(&p->lock);
	p->acts++;
	snprintf(p->act_arg, sizeof p->act_arg, "%s", arg != NULL ? arg : "");
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static void probe_shutdown(void *inst)
{
	probe_free(inst);
}

__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_plugin),
    .name = "probe",
    .description = "test source reporting what the ABI 1.2 host services answer",
    .config = probe_config,
    .init = probe_init,
    .poll = probe_poll,
    .act = probe_act,
    .shutdown = probe_shutdown,
    .default_interval_ms = 250,
    .default_timeout_ms = 1500,
    .multiword_options = (const char *const[]){"watch", NULL},
};
