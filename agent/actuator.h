/*
 * actuator: one "action NAME { ... }" instance, run on its own thread.
 *
 * The policy (main thread) posts jobs: perform an action, or ask the
 * cluster for the drain budget.  The thread runs them one at a time, in
 * order, through the plugin's perform() / cluster(), which may block up to
 * the block's timeout (they spawn tools and kill them at it).  A finished
 * job goes to the done list and the main loop is woken (eventfd); the
 * policy collects it with actuator_take_done().  Neither side ever waits
 * for the other beyond a mutex.
 *
 * Stopping, in three steps so that many actuators share one deadline:
 * actuator_request_stop() asks the thread to end after its current job
 * (queued jobs never run); actuator_busy() says whether it is still in its
 * plugin (init() included); actuator_release() joins an idle thread and
 * frees everything, or detaches a busy one, which then frees itself if the
 * plugin ever returns (as sources do).  Results are collected (take_done)
 * between the last two steps; jobs that never ran are freed with the
 * actuator, and their records are the policy's to cancel.
 */
#ifndef HWH_ACTUATOR_H
#define HWH_ACTUATOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

#include "plugin.h"

#define ACTUATOR_QUEUE_MAX 32
#define ACT_REASON_MAX 256

/* Actions, as bits of an actuator's "on" set. */
enum act_kind { AK_NOTIFY = 0, AK_DRAIN, AK_UNDRAIN, AK_FENCE, AK_COUNT };
#define AK_ALL ((1u << AK_COUNT) - 1)

const char *act_kind_name(enum act_kind k);
/* -1 when name is none of them. */
int act_kind_parse(const char *name);

enum job_type { JOB_PERFORM, JOB_CLUSTER };

/* One unit of work and, once done, its result. */
struct act_job {
	enum job_type type;
	int64_t record; /* the action record it fills (JOB_PERFORM), or the request */
	enum act_kind kind;
	int state, previous_state;
	double score;
	char reason[ACT_REASON_MAX];
	int64_t id;
	bool manual, drained;
	/* result */
	int rc; /* perform()'s / cluster()'s return value; -ECANCELED: never ran */
	int64_t started_wall_ms, finished_wall_ms, duration_ms;
	struct hwh_action_result res;
	struct hwh_cluster cluster;
	struct act_job *next;
};

struct actuator {
	struct hwh_ctx_public pub; /* first: the plugin's hwh_ctx */
	char *name;
	const struct plugin *plugin;
	void *inst;
	int64_t timeout_ms;
	unsigned on; /* bit (1 << enum act_kind) of the actions it is sent */
	int wake_fd; /* the main loop's eventfd */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct act_job *queue, *queue_tail, *done, *done_tail; /* under lock */
	size_t queued;
	struct act_job *running;  /* under lock: the job in the plugin */
	int64_t running_since_ms; /* mono */
	bool stop, started, init_failed;
	bool in_init;	/* under lock: the thread is in the plugin's init() */
	bool abandoned; /* the thread owns and frees this struct */
};

/* Start the thread for an instance (inst: from the plugin's config(),
 * owned from now on).  NULL on failure (logged; inst shut down). */
struct actuator *actuator_start(const char *name, const struct plugin *plugin, void *inst,
				int64_t timeout_ms, unsigned on, int wake_fd);
/* Does the plugin have cluster()? */
bool actuator_has_cluster(const struct actuator *a);
/* Queue job (taken over).  0, or -EBUSY when the queue is full (job not taken). */
int actuator_post(struct actuator *a, struct act_job *job);
/* The finished jobs, oldest first, as a list the caller frees (act_job_free_list). */
struct act_job *actuator_take_done(struct actuator *a);
/* Jobs queued or running. */
size_t actuator_pending(struct actuator *a, bool *busy);
/* Stopping (see above). */
void actuator_request_stop(struct actuator *a);
bool actuator_busy(struct actuator *a);
/* a is invalid afterwards. */
void actuator_release(struct actuator *a);
void act_job_free_list(struct act_job *j);

#endif
