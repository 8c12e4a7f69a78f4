/*
 * service: a service block's thread, and the query inbox.  See service.h.
 */
#include "service.h"

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

/* ---- the inbox: queries waiting for the main loop ----------------------- */

struct svc_query {
	struct svc_query *next;
	char *request;
	char *reply;
	bool taken;	/* the main loop is answering it */
	bool done;	/* reply set (NULL: out of memory) */
	bool abandoned; /* its caller gave up: whoever holds it frees it */
};

struct svc_inbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct svc_query *head, *tail; /* waiting, not taken */
	int wake_fd;		       /* -1 once closed */
	bool closed;
	int refs; /* the daemon and every service holding it */
};

static void query_free(struct svc_query *q)
{
	free(q->request);
	free(q->reply);
	free(q);
}

struct svc_inbox *svc_inbox_new(int wake_fd)
{
	struct svc_inbox *in = calloc(1, sizeof *in);

	if (in == NULL)
		return NULL;
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->cond, NULL);
	in->wake_fd = wake_fd;
	in->refs = 1;
	return in;
}

static void inbox_ref(struct svc_inbox *in)
{
	pthread_mutex_lock(&in->lock);
	in->refs++;
	pthread_mutex_unlock(&in->lock);
}

static void inbox_unref(struct svc_inbox *in)
{
	bool last;

	pthread_mutex_lock(&in->lock);
	last = --in->refs == 0;
	pthread_mutex_unlock(&in->lock);
	if (!last)
		return;
	while (in->head != NULL) {
		struct svc_query *q = in->head;

		in->head = q->next;
		query_free(q);
	}
	pthread_mutex_destroy(&in->lock);
	pthread_cond_destroy(&in->cond);
	free(in);
}

void svc_inbox_close(struct svc_inbox *in)
{
	if (in == NULL)
		return;
	pthread_mutex_lock(&in->lock);
	in->closed = true;
	in->wake_fd = -1;
	pthread_cond_broadcast(&in->cond);
	pthread_mutex_unlock(&in->lock);
	inbox_unref(in);
}

void svc_inbox_serve(struct svc_inbox *in, svc_answer_fn answer, void *ud)
{
	struct svc_query *list, *next;

	pthread_mutex_lock(&in->lock);
	list = in->head;
	in->head = in->tail = NULL;
	for (struct svc_query *q = list; q != NULL; q = q->next)
		q->taken = true;
	pthread_mutex_unlock(&in->lock);
	for (struct svc_query *q = list; q != NULL; q = next) {
		char *reply = answer(ud, q->request);
		bool gone;

		next = q->next;
		pthread_mutex_lock(&in->lock);
		gone = q->abandoned;
		q->reply = reply;
		q->done = true;
		pthread_cond_broadcast(&in->cond);
		pthread_mutex_unlock(&in->lock);
		if (gone)
			query_free(q);
	}
}

static void wake(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof one) < 0 && errno != EAGAIN)
		log_debug("wake: %s", strerror(errno));
}

static void unlink_waiting(struct svc_inbox *in, struct svc_query *q)
{
	struct svc_query *prev = NULL;

	for (struct svc_query *p = in->head; p != NULL; prev = p, p = p->next) {
		if (p != q)
			continue;
		if (prev)
			prev->next = q->next;
		else
			in->head = q->next;
		if (in->tail == q)
			in->tail = prev;
		return;
	}
}

/* ---- the service and its host side of the ABI --------------------------- */

struct service {
	struct hwh_ctx_public pub; /* first: the plugin's hwh_ctx */
	char *name;
	const struct plugin *plugin;
	void *inst;
	struct svc_inbox *inbox;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop, finished;
	bool abandoned; /* the thread owns and frees this struct */
	const char *state;
	int ok;
	char text[SVC_STATUS_MAX + 1];
	int64_t since_wall_ms;
	int restarts;
};

static struct service *ctx_svc(struct hwh_ctx *ctx)
{
	return (struct service *)(void *)ctx;
}

static bool svc_stopping(struct service *s)
{
	bool stop;

	pthread_mutex_lock(&s->lock);
	stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void host_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	log_vmsg(prio, ctx_svc(ctx)->name, fmt, ap);
}

static void host_verror(struct hwh_ctx *ctx, const char *fmt, va_list ap)
{
	log_vmsg(HWH_LOG_ERR, ctx_svc(ctx)->name, fmt, ap);
}

static int host_stopping(struct hwh_ctx *ctx)
{
	return svc_stopping(ctx_svc(ctx));
}

/* Wait for q's answer in short slices, so a stop is noticed within 100 ms. */
static int await_reply(struct service *s, struct svc_query *q, int64_t deadline, char **reply)
{
	struct svc_inbox *in = s->inbox;
	int rc = -ETIMEDOUT;

	pthread_mutex_lock(&in->lock);
	while (!q->done && !in->closed && mono_ms() < deadline) {
		struct timespec ts;

		pthread_mutex_unlock(&in->lock);
		if (svc_stopping(s)) {
			pthread_mutex_lock(&in->lock);
			rc = -ECANCELED;
			break;
		}
		pthread_mutex_lock(&in->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!q->done)
			pthread_cond_timedwait(&in->cond, &in->lock, &ts);
	}
	if (q->done) {
		rc = q->reply != NULL ? 0 : -ENOMEM;
		*reply = q->reply;
		q->reply = NULL;
		pthread_mutex_unlock(&in->lock);
		query_free(q);
		return rc;
	}
	if (in->closed)
		rc = -ECANCELED;
	if (q->taken) {
		q->abandoned = true; /* the main loop frees it */
		q = NULL;
	} else {
		unlink_waiting(in, q);
	}
	pthread_mutex_unlock(&in->lock);
	if (q != NULL)
		query_free(q);
	return rc;
}

static int host_query(struct hwh_ctx *ctx, const char *request, char **reply, int64_t timeout_ms)
{
	struct service *s = ctx_svc(ctx);
	struct svc_inbox *in = s->inbox;
	struct svc_query *q;

	*reply = NULL;
	if (request == NULL || timeout_ms < 0)
		return -EINVAL;
	if (svc_stopping(s))
		return -ECANCELED;
	if ((q = calloc(1, sizeof *q)) == NULL || (q->request = strdup(request)) == NULL) {
		free(q);
		return -ENOMEM;
	}
	pthread_mutex_lock(&in->lock);
	if (in->closed) {
		pthread_mutex_unlock(&in->lock);
		query_free(q);
		return -ECANCELED;
	}
	if (in->tail)
		in->tail->next = q;
	else
		in->head = q;
	in->tail = q;
	wake(in->wake_fd); /* under the lock: svc_inbox_close() may not close it meanwhile */
	pthread_mutex_unlock(&in->lock);
	if (timeout_ms > SVC_QUERY_MAX_MS)
		timeout_ms = SVC_QUERY_MAX_MS;
	return await_reply(s, q, mono_ms() + timeout_ms, reply);
}

/* t holds the first bytes of orig: if the cut fell inside a UTF-8
 * character, drop the part of it that was kept. */
static void cut_utf8(char *t, const char *orig)
{
	size_t n = strlen(t);

	if (orig == NULL || orig[n] == '\0' || ((unsigned char)orig[n] & 0xc0) != 0x80)
		return; /* whole, or cut between two characters */
	while (n > 0 && ((unsigned char)t[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		n--; /* the character's first byte */
	t[n] = '\0';
}

static int host_service_status(struct hwh_ctx *ctx, int ok, const char *text)
{
	struct service *s = ctx_svc(ctx);
	char t[SVC_STATUS_MAX + 1];

	snprintf(t, sizeof t, "%s", text ? text : "");
	cut_utf8(t, text);
	for (char *c = t; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = ' ';
	pthread_mutex_lock(&s->lock);
	if (s->ok != (ok != 0) || strcmp(s->text, t) != 0) {
		s->ok = ok != 0;
		memcpy(s->text, t, sizeof t);
		s->since_wall_ms = wall_ms();
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static const struct hwh_host svc_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_host),
    .vlog = host_vlog,
    .emit = host_none_emit,
    .event = host_none_event,
    .verror = host_verror,
    .stopping = host_stopping,
    .state_get = host_none_state_get,
    .state_set = host_none_state_set,
    .hold = host_none_hold,
    .daemon_health = host_none_daemon_health,
    .source_up = host_none_source_up,
    .query = host_query,
    .service_status = host_service_status,
};

/* ---- the thread --------------------------------------------------------- */

static void set_state(struct service *s, const char *state)
{
	pthread_mutex_lock(&s->lock);
	s->state = state;
	pthread_mutex_unlock(&s->lock);
}

/* Sleep ms, or less when told to stop.  true: stop. */
static bool pause_ms(struct service *s, int64_t ms)
{
	int64_t end = mono_ms() + ms;
	bool stop;

	pthread_mutex_lock(&s->lock);
	while (!(stop = s->stop) && mono_ms() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->cond, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return stop;
}

/* A failed init() or run(): log it, count it, and wait the back-off. */
static bool back_off(struct service *s, const char *what, int rc, int64_t *backoff)
{
	pthread_mutex_lock(&s->lock);
	s->restarts++;
	s->state = "retrying";
	pthread_mutex_unlock(&s->lock);
	log_err("service %s: %s failed (%s); again in %lld s", s->name, what, strerror(-rc),
		(long long)(*backoff / 1000));
	if (pause_ms(s, *backoff))
		return true;
	*backoff = *backoff * 2 > SVC_BACKOFF_MAX_MS ? SVC_BACKOFF_MAX_MS : *backoff * 2;
	return false;
}

static void free_service(struct service *s)
{
	if (s->inbox != NULL)
		inbox_unref(s->inbox);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->name);
	free(s);
}

static void *service_main(void *arg)
{
	struct service *s = arg;
	struct hwh_ctx *ctx = (struct hwh_ctx *)(void *)s;
	const struct hwh_plugin *api = s->plugin->api;
	int64_t backoff = SVC_BACKOFF_MIN_MS;
	bool inited = api->init == NULL, abandoned;
	int rc;

	while (!svc_stopping(s)) {
		if (!inited) {
			rc = api->init(s->inst, ctx);
			if (rc == 0) {
				inited = true;
			} else {
				if (back_off(s, "init", rc < 0 ? rc : -EIO, &backoff))
					break;
				continue;
			}
		}
		set_state(s, "running");
		int64_t t0 = mono_ms();
		rc = api->run(s->inst, ctx);
		if (svc_stopping(s))
			break;
		if (rc == 0)
			rc = -EPIPE; /* returned without being asked to */
		else if (rc > 0)
			rc = -EIO;
		if (mono_ms() - t0 > SVC_BACKOFF_MAX_MS)
			backoff = SVC_BACKOFF_MIN_MS; /* it worked for a while */
		if (back_off(s, "run", rc, &backoff))
			break;
	}
	set_state(s, "stopping");
	/* shutdown() on this very thread: a plugin whose library is not
	 * thread-safe sees every call on one thread. */
	api->shutdown(s->inst);
	s->inst = NULL;
	pthread_mutex_lock(&s->lock);
	s->finished = true;
	abandoned = s->abandoned;
	pthread_mutex_unlock(&s->lock);
	if (abandoned)
		free_service(s);
	return NULL;
}

struct service *service_start(const char *name, const struct plugin *plugin, void *inst,
			      struct svc_inbox *inbox)
{
	struct service *s = calloc(1, sizeof *s);
	sigset_t all, old;
	int rc;

	if (s == NULL || (s->name = strdup(name)) == NULL) {
		log_err("service %s: out of memory", name);
		free(s);
		plugin->api->shutdown(inst);
		return NULL;
	}
	s->pub.host = &svc_host;
	s->plugin = plugin;
	s->inst = inst;
	s->state = "starting";
	s->ok = -1;
	s->since_wall_ms = wall_ms();
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	inbox_ref(inbox);
	s->inbox = inbox;
	/* The thread inherits a full signal mask: signals are the main loop's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, service_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		log_err("service %s: cannot start its thread: %s", name, strerror(rc));
		plugin->api->shutdown(inst);
		free_service(s);
		return NULL;
	}
	return s;
}

void service_request_stop(struct service *s)
{
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

bool service_busy(struct service *s)
{
	bool busy;

	pthread_mutex_lock(&s->lock);
	busy = !s->finished;
	pthread_mutex_unlock(&s->lock);
	return busy;
}

void service_release(struct service *s)
{
	pthread_t thread;
	bool busy;

	pthread_mutex_lock(&s->lock);
	busy = !s->finished;
	thread = s->thread;
	if (busy) {
		/* From here the thread owns s: never touch it again. */
		s->abandoned = true;
		log_warn("service %s: still in its plugin; left to finish on its own", s->name);
	}
	pthread_mutex_unlock(&s->lock);
	if (busy) {
		pthread_detach(thread);
		return;
	}
	pthread_join(thread, NULL);
	free_service(s);
}

const char *service_name(const struct service *s)
{
	return s->name;
}

const struct plugin *service_plugin(const struct service *s)
{
	return s->plugin;
}

void service_get_status(struct service *s, struct svc_status *out)
{
	memset(out, 0, sizeof *out);
	snprintf(out->name, sizeof out->name, "%s", s->name);
	snprintf(out->plugin, sizeof out->plugin, "%s", s->plugin->name);
	pthread_mutex_lock(&s->lock);
	out->state = s->state;
	out->ok = s->ok;
	memcpy(out->text, s->text, sizeof out->text);
	out->since_wall_ms = s->since_wall_ms;
	out->restarts = s->restarts;
	pthread_mutex_unlock(&s->lock);
}
