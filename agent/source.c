/*
 * source: per-instance poll threads and the host side of the plugin ABI.
 * See source.h for the life cycle and the timeout rules.
 */
#include "source.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "watch.h"

static const char *const state_names[] = {
    [SRC_STARTING] = "starting",
    [SRC_OK] = "ok",
    [SRC_FAILED] = "failed",
    [SRC_UNAVAILABLE] = "unavailable",
};

const char *source_state_name(enum source_state st)
{
	return (unsigned)st <= SRC_UNAVAILABLE ? state_names[st] : "?";
}

/* ---- host side of the plugin ABI ---------------------------------------- */

static struct source *ctx_source(struct hwh_ctx *ctx)
{
	return (struct source *)(void *)ctx;
}

static void host_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	log_vmsg(prio, ctx_source(ctx)->name, fmt, ap);
}

/* Remember that emit number idx went to metric m (poll thread only). */
static void slot_remember(struct source *src, uint32_t idx, struct metric *m)
{
	if (idx >= src->nslot) {
		uint32_t n = idx < 64 ? 64 : idx * 2;
		struct metric **v = realloc(src->slot, n * sizeof *v);
		if (v == NULL)
			return; /* no cache: the slow path still works */
		memset(v + src->nslot, 0, (n - src->nslot) * sizeof *v);
		src->slot = v;
		src->nslot = n;
	}
	src->slot[idx] = m;
}

static int host_emit(struct hwh_ctx *ctx, const struct hwh_reading *r)
{
	struct source *src = ctx_source(ctx);
	uint32_t idx = src->emit_idx++;
	int64_t mono = mono_ms(), wall = wall_ms();
	struct metric *m = idx < src->nslot ? src->slot[idx] : NULL;
	int rc;

	if (atomic_load(&src->overrun))
		return 0; /* a late poll: its results are dropped (counted at its end) */
	ms_lock(src->store);
	/* Checked again under the lock: once the main thread has fenced this
	 * source off (overrun, or abandoned on stop) and then taken the lock to
	 * drop its metrics, no cached pointer of ours may be used. */
	if (atomic_load(&src->overrun)) {
		ms_unlock(src->store);
		return 0;
	}
	if (m != NULL && metric_is(m, r)) {
		rc = metric_set(m, r, mono, wall);
	} else {
		rc = ms_update(src->store, src->name, r, mono, wall, &m);
		if (rc == 0)
			slot_remember(src, idx, m);
	}
	ms_unlock(src->store);
	if (rc < 0) {
		pthread_mutex_lock(&src->lock);
		src->info.emit_errors++;
		pthread_mutex_unlock(&src->lock);
		return rc;
	}
	src->emitted++; /* only the poll thread touches it during a poll */
	return 0;
}

static int host_event(struct hwh_ctx *ctx, const struct hwh_event *e)
{
	struct source *src = ctx_source(ctx);

	if (atomic_load(&src->overrun))
		return 0; /* a late poll: dropped like its readings */
	if (src->events != NULL)
		events_add(src->events, src->name, e, wall_ms(), mono_ms());
	hwh_log(ctx, e->severity >= HWH_SEV_WARNING ? HWH_LOG_WARNING : HWH_LOG_NOTICE,
		"event %s/%s: %s", e->device ? e->device : "-", e->type ? e->type : "-",
		e->text ? e->text : "");
	return 0;
}

static void host_verror(struct hwh_ctx *ctx, const char *fmt, va_list ap)
{
	struct source *src = ctx_source(ctx);
	char buf[SOURCE_ERR_MAX];

	vsnprintf(buf, sizeof buf, fmt, ap);
	pthread_mutex_lock(&src->lock);
	util_strlcpy(src->pending_error, buf, sizeof src->pending_error);
	pthread_mutex_unlock(&src->lock);
}

static int host_stopping(struct hwh_ctx *ctx)
{
	struct source *src = ctx_source(ctx);
	int stop;

	pthread_mutex_lock(&src->lock);
	stop = src->stop;
	pthread_mutex_unlock(&src->lock);
	return stop;
}

/* A key or value a plugin may keep: not empty (keys), short, printable. */
static bool state_str_ok(const char *s, size_t max, bool empty_ok)
{
	size_t n = s != NULL ? strnlen(s, max) : max;

	return n < max && (empty_ok || n > 0);
}

static int host_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len)
{
	struct source *src = ctx_source(ctx);

	if (!state_str_ok(key, HWH_STATE_KEY_MAX, false) || buf == NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < src->nstage; i++) {
		const char *v = src->stage[i].value;
		if (strcmp(src->stage[i].key, key) != 0)
			continue;
		if (strlen(v) >= len)
			return -ENOSPC;
		memcpy(buf, v, strlen(v) + 1);
		return (int)strlen(v);
	}
	return src->pstate != NULL ? pstate_get(src->pstate, src->name, key, buf, len) : -ENOENT;
}

/* Staged until the poll ends: see poll_finish() and stage_commit(). */
static int host_state_set(struct hwh_ctx *ctx, const char *key, const char *value)
{
	struct source *src = ctx_source(ctx);
	uint32_t i;

	if (!state_str_ok(key, HWH_STATE_KEY_MAX, false) ||
	    !state_str_ok(value, HWH_STATE_VALUE_MAX, true))
		return -EINVAL;
	for (i = 0; i < src->nstage; i++)
		if (strcmp(src->stage[i].key, key) == 0)
			break;
	if (i == SOURCE_STAGE_MAX)
		return -ENOSPC;
	if (i == src->nstage)
		src->nstage++;
	util_strlcpy(src->stage[i].key, key, sizeof src->stage[i].key);
	util_strlcpy(src->stage[i].value, value, sizeof src->stage[i].value);
	return 0;
}

static int host_hold(struct hwh_ctx *ctx, const char *device, const char *why)
{
	struct source *src = ctx_source(ctx);
	size_t n;

	if (device == NULL)
		return -EINVAL;
	if (atomic_load(&src->overrun))
		return 0; /* a late poll: dropped like its readings */
	ms_lock(src->store);
	n = ms_hold(src->store, src->name, device, why, mono_ms());
	ms_unlock(src->store);
	/* Held metrics are this poll's too: a poll that holds every device
	 * (all disks asleep) did not "find nothing to read" (health.c). */
	src->emitted += (uint32_t)n;
	return n > 0 ? 0 : -ENOENT;
}

static int host_daemon_health(struct hwh_ctx *ctx, struct hwh_daemon_health *out)
{
	struct source *src = ctx_source(ctx);

	if (out == NULL)
		return -EINVAL;
	return src->watch != NULL ? watch_health(src->watch, mono_ms(), out) : -ENOSYS;
}

static int host_source_up(struct hwh_ctx *ctx, const char *name, int64_t *down_ms)
{
	struct source *src = ctx_source(ctx);

	return src->watch != NULL ? watch_source_up(src->watch, name, mono_ms(), down_ms) : -ENOSYS;
}

/* Up to ABI 1.3's services: hwh_query() and hwh_service_status() are a
 * service's (service.c), and answer -ENOSYS here. */
const struct hwh_host source_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = offsetof(struct hwh_host, query),
    .vlog = host_vlog,
    .emit = host_emit,
    .event = host_event,
    .verror = host_verror,
    .stopping = host_stopping,
    .state_get = host_state_get,
    .state_set = host_state_set,
    .hold = host_hold,
    .daemon_health = host_daemon_health,
    .source_up = host_source_up,
};

/* ---- the poll thread ---------------------------------------------------- */

struct source *source_new(const char *name, const struct plugin *plugin, void *inst,
			  int64_t interval_ms, int64_t timeout_ms, int64_t stale_ms,
			  struct metric_store *store, struct event_ring *events, int wake_fd)
{
	struct source *src = calloc(1, sizeof *src);
	pthread_condattr_t ca;

	if (src == NULL || (src->name = strdup(name)) == NULL) {
		free(src);
		return NULL;
	}
	src->pub.host = &source_host;
	src->plugin = plugin;
	src->inst = inst;
	src->interval_ms = interval_ms;
	src->timeout_ms = timeout_ms;
	src->stale_ms = stale_ms;
	src->store = store;
	src->events = events;
	src->wake_fd = wake_fd;
	pthread_mutex_init(&src->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&src->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&src->overrun, false);
	return src;
}

static void source_free(struct source *src)
{
	if (src->inst != NULL)
		src->plugin->api->shutdown(src->inst);
	pthread_mutex_destroy(&src->lock);
	pthread_cond_destroy(&src->cond);
	free(src->slot);
	free(src->name);
	free(src);
}

static void wake_main(struct source *src)
{
	uint64_t one = 1;

	if (src->wake_fd >= 0 && write(src->wake_fd, &one, sizeof one) < 0)
		return; /* the counter is saturated: the loop is awake anyway */
}

/* Sleep until due (absolute, monotonic ms) or until told to stop or rescan.
 * Called and returns with src->lock held.  Returns false when stopping. */
static bool wait_due(struct source *src, int64_t due_ms)
{
	struct timespec ts = {.tv_sec = due_ms / MS_PER_SEC,
			      .tv_nsec = (due_ms % MS_PER_SEC) * 1000000};

	while (!src->stop && !src->rescan && !src->poll_now && mono_ms() < due_ms)
		if (pthread_cond_timedwait(&src->cond, &src->lock, &ts) == ETIMEDOUT)
			break;
	return !src->stop;
}

/* Hand what the finished call kept with hwh_state_set() to the pstate
 * table, behind every event stored so far (the call's own included). */
static void stage_commit(struct source *src)
{
	uint64_t seq = src->events != NULL ? events_last_seq(src->events) : 0;

	for (uint32_t i = 0; i < src->nstage && src->pstate != NULL; i++)
		if (pstate_set(src->pstate, src->name, src->stage[i].key, src->stage[i].value,
			       seq) < 0)
			log_err("%s: out of memory: state key %s not kept", src->name,
				src->stage[i].key);
	src->nstage = 0;
}

/* Does a poll's error say the device did not answer (plugin.h)? */
static bool rc_unreachable(int rc)
{
	return rc == -ETIMEDOUT || rc == -EHOSTUNREACH || rc == -ECONNREFUSED || rc == -ENETUNREACH;
}

/* Record the outcome of one call into the plugin (lock held). */
static void poll_finish(struct source *src, int rc, int64_t t0_us, int64_t cpu0_us,
			const char *what)
{
	struct source_info *in = &src->info;

	in->poll_us = mono_us() - t0_us;
	in->poll_cpu_us = thread_cpu_us() - cpu0_us;
	in->polls++;
	in->last_poll_mono_ms = mono_ms();
	in->last_poll_wall_ms = wall_ms();
	in->in_poll = false;
	if (atomic_load(&src->overrun)) {
		/* Already reported unavailable by the main thread. */
		src->nstage = 0; /* dropped like its readings */
		in->late_dropped++;
		log_notice("%s: late %s ended after %.1f s; its results were dropped", src->name,
			   what, in->poll_us / 1e6);
		return;
	}
	stage_commit(src); /* also after an error: its events are stored */
	if (rc < 0) {
		enum source_state st = rc_unreachable(rc) ? SRC_UNAVAILABLE : SRC_FAILED;
		in->failures++;
		if (in->state != st || strcmp(in->error, src->pending_error) != 0)
			log_warn("%s: %s %s: %s", src->name, what,
				 st == SRC_FAILED ? "failed" : "got no answer",
				 src->pending_error[0] ? src->pending_error : strerror(-rc));
		in->state = st;
		if (src->pending_error[0])
			util_strlcpy(in->error, src->pending_error, sizeof in->error);
		else
			snprintf(in->error, sizeof in->error, "%s failed: %s", what, strerror(-rc));
	} else if (strcmp(what, "poll") != 0 && in->state == SRC_STARTING) {
		/* init (or a rescan before the first poll) worked: still starting.
		 * "ok" with no metrics would read as "found nothing to read" and
		 * make the node yellow until the first poll. */
	} else {
		if (in->state == SRC_FAILED || in->state == SRC_UNAVAILABLE)
			log_notice("%s: recovered", src->name);
		in->state = SRC_OK;
		in->error[0] = '\0';
		if (strcmp(what, "poll") == 0)
			in->metrics = src->emitted;
	}
}

/* Call one plugin entry point under the deadline rules. */
static int call_plugin(struct source *src, int (*fn)(void *, struct hwh_ctx *), const char *what)
{
	int64_t t0_us, cpu0_us;
	bool abandoned;
	int rc;

	pthread_mutex_lock(&src->lock);
	src->pending_error[0] = '\0';
	src->emitted = 0;
	src->emit_idx = 0;
	src->info.in_poll = true;
	src->poll_start_mono_ms = mono_ms();
	atomic_store(&src->overrun, false);
	pthread_mutex_unlock(&src->lock);
	wake_main(src);

	t0_us = mono_us();
	cpu0_us = thread_cpu_us();
	rc = fn(src->inst, (struct hwh_ctx *)(void *)src);

	pthread_mutex_lock(&src->lock);
	poll_finish(src, rc, t0_us, cpu0_us, what);
	abandoned = src->abandoned;
	pthread_mutex_unlock(&src->lock);
	if (!abandoned && src->calls_done != NULL)
		atomic_fetch_add(src->calls_done, 1);
	/* Again at the end: the main loop evaluates what the poll brought, and
	 * saves at once what an act() made it keep, without waiting for its
	 * next round (up to a second).  Not for an abandoned thread: the
	 * daemon may have closed its eventfd by now. */
	if (!abandoned)
		wake_main(src);
	return rc;
}

static void *source_thread(void *arg)
{
	struct source *src = arg;
	const struct hwh_plugin *api = src->plugin->api;
	bool inited = api->init == NULL;
	int64_t due = mono_ms();
	bool abandoned;

	pthread_mutex_lock(&src->lock);
	while (wait_due(src, due)) {
		bool rescan = src->rescan;
		src->rescan = false;
		src->poll_now = false;
		pthread_mutex_unlock(&src->lock);

		if (!inited)
			inited = call_plugin(src, api->init, "init") == 0;
		if (inited && rescan && api->rescan != NULL)
			call_plugin(src, api->rescan, "rescan");
		if (inited)
			call_plugin(src, api->poll, "poll");

		int64_t now = mono_ms();
		due += src->interval_ms;
		if (due <= now) /* overran a whole interval: skip, don't burst */
			due = now + src->interval_ms;
		pthread_mutex_lock(&src->lock);
	}
	src->running = false;
	abandoned = src->abandoned;
	pthread_mutex_unlock(&src->lock);
	if (abandoned) {
		log_notice("%s: abandoned poll thread finished; freeing it", src->name);
		source_free(src);
	}
	return NULL;
}

int source_start(struct source *src)
{
	sigset_t all, old;
	int rc;

	/* Signals belong to the main loop: the thread inherits a full mask. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	src->running = true;
	rc = pthread_create(&src->thread, NULL, source_thread, src);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		src->running = false;
		return -rc;
	}
	char tname[16];
	snprintf(tname, sizeof tname, "src:%s", src->name);
	pthread_setname_np(src->thread, tname);
	return 0;
}

void source_signal_stop(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->stop = true;
	pthread_cond_signal(&src->cond);
	pthread_mutex_unlock(&src->lock);
}

int source_stop(struct source *src, int64_t wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;
	struct timespec ts;
	int rc;

	source_signal_stop(src);

	ts.tv_sec = 0;
	clock_gettime(CLOCK_REALTIME, &ts); /* pthread_timedjoin_np wants CLOCK_REALTIME */
	ts.tv_sec += wait_ms / MS_PER_SEC;
	ts.tv_nsec += (wait_ms % MS_PER_SEC) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	rc = pthread_timedjoin_np(src->thread, NULL, &ts);
	if (rc == 0) {
		source_free(src);
		return 0;
	}
	pthread_mutex_lock(&src->lock);
	if (!src->running) { /* finished just now */
		pthread_mutex_unlock(&src->lock);
		pthread_join(src->thread, NULL);
		source_free(src);
		return 0;
	}
	src->abandoned = true;
	atomic_store(&src->overrun, true); /* whatever it emits from now on is dropped */
	pthread_mutex_unlock(&src->lock);
	pthread_detach(src->thread);
	log_warn("%s: poll thread still busy in the plugin after %lld ms; abandoning it", src->name,
		 (long long)(wait_ms + mono_ms() - deadline));
	return 1;
}

int64_t source_check_deadline(struct source *src, int64_t now_mono)
{
	int64_t left = INT64_MAX;

	pthread_mutex_lock(&src->lock);
	if (src->info.in_poll && !atomic_load(&src->overrun)) {
		int64_t end = src->poll_start_mono_ms + src->timeout_ms;
		if (now_mono >= end) {
			atomic_store(&src->overrun, true);
			src->info.overruns++;
			src->info.state = SRC_UNAVAILABLE;
			snprintf(src->info.error, sizeof src->info.error,
				 "poll timed out after %.1f s (still running)",
				 src->timeout_ms / 1e3);
			log_warn("%s: poll timed out after %.1f s; source unavailable", src->name,
				 src->timeout_ms / 1e3);
		} else {
			left = end - now_mono;
		}
	}
	pthread_mutex_unlock(&src->lock);
	return left;
}

void source_request_rescan(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->rescan = true;
	pthread_cond_signal(&src->cond);
	pthread_mutex_unlock(&src->lock);
}

void source_request_poll(struct source *src)
{
	pthread_mutex_lock(&src->lock);
	src->poll_now = true;
	pthread_cond_signal(&src->cond);
	pthread_mutex_unlock(&src->lock);
}

void source_get_info(struct source *src, struct source_info *out)
{
	pthread_mutex_lock(&src->lock);
	*out = src->info;
	pthread_mutex_unlock(&src->lock);
}
