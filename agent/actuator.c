/*
 * actuator: an action instance's thread and job queue.  See actuator.h.
 */
#include "actuator.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host_none.h"
#include "log.h"
#include "util.h"

static const char *const kind_names[AK_COUNT] = {"notify", "drain", "undrain", "fence"};

const char *act_kind_name(enum act_kind k)
{
	return (unsigned)k < AK_COUNT ? kind_names[k] : "?";
}

int act_kind_parse(const char *name)
{
	for (int k = 0; k < AK_COUNT; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

/* ---- host side of the plugin ABI (what an actuator may use) ------------- */

static struct actuator *ctx_act(struct hwh_ctx *ctx)
{
	return (struct actuator *)(void *)ctx;
}

static void host_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	log_vmsg(prio, ctx_act(ctx)->name, fmt, ap);
}

static void host_verror(struct hwh_ctx *ctx, const char *fmt, va_list ap)
{
	log_vmsg(HWH_LOG_ERR, ctx_act(ctx)->name, fmt, ap);
}

static int host_stopping(struct hwh_ctx *ctx)
{
	struct actuator *a = ctx_act(ctx);
	int stop;

	pthread_mutex_lock(&a->lock);
	stop = a->stop;
	pthread_mutex_unlock(&a->lock);
	return stop;
}

/* ABI 1.1's services: kept values are a source's (the policy keeps what
 * actuators did in its own records). */
static const struct hwh_host act_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = offsetof(struct hwh_host, hold),
    .vlog = host_vlog,
    .emit = host_none_emit,
    .event = host_none_event,
    .verror = host_verror,
    .stopping = host_stopping,
    .state_get = host_none_state_get,
    .state_set = host_none_state_set,
};

/* ---- the thread --------------------------------------------------------- */

static void wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_debug("wake: %s", strerror(errno));
}

static void run_job(struct actuator *a, struct act_job *j)
{
	struct hwh_ctx *ctx = (struct hwh_ctx *)(void *)a;
	int64_t t0 = mono_ms();

	j->started_wall_ms = wall_ms();
	memset(&j->res, 0, sizeof j->res);
	j->res.exit_status = -1;
	if (a->init_failed) {
		j->rc = -EIO;
		snprintf(j->res.detail, sizeof j->res.detail, "the actuator failed to start");
	} else if (j->type == JOB_CLUSTER) {
		j->cluster.timeout_ms = a->timeout_ms;
		j->rc = a->plugin->api->cluster(a->inst, ctx, &j->cluster, j->res.detail,
						sizeof j->res.detail);
	} else {
		struct hwh_action act = {
		    .action = act_kind_name(j->kind),
		    .state = j->state,
		    .previous_state = j->previous_state,
		    .score = j->score,
		    .reason = j->reason,
		    .id = j->id,
		    .manual = j->manual,
		    .drained = j->drained,
		    .timeout_ms = a->timeout_ms,
		};
		j->rc = a->plugin->api->perform(a->inst, ctx, &act, &j->res);
	}
	j->res.detail[sizeof j->res.detail - 1] = '\0';
	j->res.output[sizeof j->res.output - 1] = '\0';
	j->finished_wall_ms = wall_ms();
	j->duration_ms = mono_ms() - t0;
}

static void push_done(struct actuator *a, struct act_job *j)
{
	j->next = NULL;
	if (a->done_tail)
		a->done_tail->next = j;
	else
		a->done = j;
	a->done_tail = j;
}

/* Take the next job, or NULL when told to stop. */
static struct act_job *next_job(struct actuator *a)
{
	struct act_job *j;

	pthread_mutex_lock(&a->lock);
	while (!a->stop && a->queue == NULL)
		pthread_cond_wait(&a->cond, &a->lock);
	j = a->stop ? NULL : a->queue;
	if (j != NULL) {
		a->queue = j->next;
		if (a->queue == NULL)
			a->queue_tail = NULL;
		a->queued--;
		a->running = j;
		a->running_since_ms = mono_ms();
	}
	pthread_mutex_unlock(&a->lock);
	return j;
}

static void free_actuator(struct actuator *a)
{
	act_job_free_list(a->queue);
	act_job_free_list(a->done);
	if (a->inst != NULL)
		a->plugin->api->shutdown(a->inst);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->cond);
	free(a->name);
	free(a);
}

static void *actuator_main(void *arg)
{
	struct actuator *a = arg;
	struct act_job *j;
	bool abandoned;

	if (a->plugin->api->init != NULL) {
		int rc;

		pthread_mutex_lock(&a->lock);
		a->in_init = true;
		pthread_mutex_unlock(&a->lock);
		rc = a->plugin->api->init(a->inst, (struct hwh_ctx *)(void *)a);
		pthread_mutex_lock(&a->lock);
		a->in_init = false;
		a->init_failed = rc != 0;
		pthread_mutex_unlock(&a->lock);
		if (rc != 0)
			log_err("action %s: init failed; its actions will fail", a->name);
	}
	while ((j = next_job(a)) != NULL) {
		run_job(a, j);
		pthread_mutex_lock(&a->lock);
		a->running = NULL;
		push_done(a, j);
		abandoned = a->abandoned;
		pthread_mutex_unlock(&a->lock);
		if (!abandoned)
			wake(a->wake_fd);
	}
	pthread_mutex_lock(&a->lock);
	abandoned = a->abandoned;
	pthread_mutex_unlock(&a->lock);
	if (abandoned)
		free_actuator(a);
	return NULL;
}

struct actuator *actuator_start(const char *name, const struct plugin *plugin, void *inst,
				int64_t timeout_ms, unsigned on, int wake_fd)
{
	struct actuator *a = calloc(1, sizeof *a);
	sigset_t all, old;
	int rc;

	if (a == NULL || (a->name = strdup(name)) == NULL) {
		log_err("action %s: out of memory", name);
		free(a);
		plugin->api->shutdown(inst);
		return NULL;
	}
	a->pub.host = &act_host;
	a->plugin = plugin;
	a->inst = inst;
	a->timeout_ms = timeout_ms;
	a->on = on;
	a->wake_fd = wake_fd;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	/* The thread inherits a full signal mask: signals are the main loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&a->thread, NULL, actuator_main, a);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_err("action %s: cannot start its thread", name);
		free_actuator(a);
		return NULL;
	}
	a->started = true;
	return a;
}

bool actuator_has_cluster(const struct actuator *a)
{
	return a->plugin->api->struct_size >=
		   offsetof(struct hwh_plugin, cluster) + sizeof a->plugin->api->cluster &&
	       a->plugin->api->cluster != NULL;
}

int actuator_post(struct actuator *a, struct act_job *job)
{
	int rc = 0;

	job->next = NULL;
	pthread_mutex_lock(&a->lock);
	if (a->queued >= ACTUATOR_QUEUE_MAX) {
		rc = -EBUSY;
	} else if (job->type == JOB_CLUSTER && !actuator_has_cluster(a)) {
		rc = -ENOTSUP;
	} else {
		if (a->queue_tail)
			a->queue_tail->next = job;
		else
			a->queue = job;
		a->queue_tail = job;
		a->queued++;
		pthread_cond_signal(&a->cond);
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

struct act_job *actuator_take_done(struct actuator *a)
{
	struct act_job *j;

	pthread_mutex_lock(&a->lock);
	j = a->done;
	a->done = a->done_tail = NULL;
	pthread_mutex_unlock(&a->lock);
	return j;
}

size_t actuator_pending(struct actuator *a, bool *busy)
{
	size_t n;

	pthread_mutex_lock(&a->lock);
	n = a->queued + (a->running != NULL);
	if (busy)
		*busy = a->running != NULL;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void act_job_free_list(struct act_job *j)
{
	while (j != NULL) {
		struct act_job *next = j->next;

		free(j);
		j = next;
	}
}

void actuator_request_stop(struct actuator *a)
{
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

bool actuator_busy(struct actuator *a)
{
	bool busy;

	pthread_mutex_lock(&a->lock);
	busy = a->running != NULL || a->in_init;
	pthread_mutex_unlock(&a->lock);
	return busy;
}

void actuator_release(struct actuator *a)
{
	pthread_t thread;
	bool busy;

	pthread_mutex_lock(&a->lock);
	busy = a->running != NULL || a->in_init;
	thread = a->thread;
	if (busy) {
		/* From here the thread owns a: never touch it again. */
		a->abandoned = true;
		log_warn("action %s: still in its plugin; left to finish on its own", a->name);
	}
	pthread_mutex_unlock(&a->lock);
	if (busy) {
		pthread_detach(thread);
		return;
	}
	pthread_join(thread, NULL);
	free_actuator(a);
}
