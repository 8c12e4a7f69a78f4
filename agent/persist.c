/*
 * persist: the daemon's state file and trace recording.
 *
 * The state file (STATE_DIR/state) is written every state-interval, after a
 * reload and at a clean stop, so a SIGKILL loses at most one interval.  It
 * is built under the store lock (a memory copy) and written outside it.  At
 * start-up a file that fails its checks is moved aside by sf_read() and
 * the daemon starts fresh; one whose records do not make sense is moved
 * aside here.
 *
 * Plugins' kept values (pstate.h) go into the same file, each only once
 * the engine has taken in the events before it.
 *
 * Recording ("record PATH") appends every new sample and event to a trace
 * that `hwhealth replay` reads (docs/hwhealth-trace.5).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "trace.h"
#include "util.h"

#define STATE_FILE "state"

static char *state_path(const struct hwh_config *cfg)
{
	return path_join(cfg->state_dir, STATE_FILE);
}

/* The restored node state holds until every source has had two polls to
 * report its metrics again (their findings come back with them), so that a
 * restart never shows a red node green for a moment. */
static void hold_restored(struct daemon *d, const struct hwh_config *cfg)
{
	int64_t longest = cfg->interval_ms;

	for (size_t i = 0; i < cfg->nsources; i++)
		if (cfg->sources[i].interval_ms > longest)
			longest = cfg->sources[i].interval_ms;
	d->engine.hold_until_ms = mono_ms() + 2 * longest + 1000;
}

/* Before the sources start, so that their first metrics find what is theirs. */
void persist_load(struct daemon *d, const struct hwh_config *cfg)
{
	char *path = state_path(cfg), err[512];
	struct sf_buf b = {0};
	int rc;

	if (path == NULL) {
		log_err("out of memory: state not restored");
		return;
	}
	rc = sf_read(path, &b, err, sizeof err);
	if (rc == 1) {
		log_info("no state file %s: starting fresh", path);
	} else if (rc == -1) {
		log_warn("%s; moved aside to %s.bad, starting fresh", err, path);
	} else if (rc < 0) {
		log_err("%s; starting without it (left in place)", err);
	} else if (engine_load(&d->engine, b.p, b.len, mono_ms(), wall_ms(), err, sizeof err) < 0) {
		log_warn("%s: %s; moved aside to %s.bad, starting fresh", path, err, path);
		sf_move_aside(path);
	} else if (policy_load(&d->policy, b.p, b.len, err, sizeof err) < 0) {
		log_warn("%s: %s; the policy's records after it not restored", path, err);
		hold_restored(d, cfg);
	} else if (pstate_load(&d->pstate, b.p, b.len, err, sizeof err) < 0) {
		log_warn("%s: %s; plugin positions (SEL...) after it not restored", path, err);
		hold_restored(d, cfg);
	} else {
		hold_restored(d, cfg);
		log_notice("state restored from %s: node was %s", path,
			   node_state_name(d->engine.state));
	}
	sf_buf_free(&b);
	free(path);
}

int persist_save(struct daemon *d)
{
	char *path = state_path(d->cfg), err[512];
	struct sf_buf b = {0};
	int rc = -1;

	if (path == NULL) {
		log_err("out of memory: state not saved");
		return -1;
	}
	ms_lock(&d->store);
	engine_save(&d->engine, &b, mono_ms(), wall_ms());
	pstate_commit(&d->pstate, d->engine.event_seq);
	pstate_save(&d->pstate, &b);
	ms_unlock(&d->store);
	policy_save(&d->policy, &b);
	if (b.oom)
		log_err("out of memory: state not saved");
	else if ((rc = sf_write(path, &b, err, sizeof err)) < 0)
		log_err("state not saved: %s", err);
	sf_buf_free(&b);
	free(path);
	return rc;
}

/* ---- recording ---------------------------------------------------------- */

void record_close(struct daemon *d)
{
	if (d->record != NULL && fclose(d->record) != 0)
		log_err("record %s: %s", d->record_path, strerror(errno));
	d->record = NULL;
	free(d->record_path);
	d->record_path = NULL;
}

/* Open (or keep, or close) the trace the configuration asks for. */
void record_open(struct daemon *d)
{
	const char *want = d->cfg->record_path;

	if (d->record_path != NULL && want != NULL && strcmp(want, d->record_path) == 0)
		return;
	record_close(d);
	if (want == NULL)
		return;
	d->record = fopen(want, "ae");
	if (d->record == NULL) {
		log_err("record %s: %s; not recording", want, strerror(errno));
		return;
	}
	d->record_path = strdup(want);
	if (ftell(d->record) == 0)
		trace_write_header(d->record);
	log_notice("recording samples to %s", want);
}

void record_sample(void *arg, const struct metric *m)
{
	struct daemon *d = arg;

	if (d->record != NULL &&
	    trace_write_sample(d->record, m->t_wall_ms, m->id, m->kind, m->unit ? m->unit : "",
			       m->value, m->limit) < 0) {
		log_err("record %s: %s; recording stopped", d->record_path, strerror(errno));
		record_close(d);
	}
}

void record_event(struct daemon *d, const struct event *ev)
{
	char id[3 * EVENT_NAME_MAX + 3];

	if (d->record == NULL)
		return;
	snprintf(id, sizeof id, "%s/%s/%s", ev->source, ev->device, ev->type);
	if (trace_write_event(d->record, ev->t_wall_ms, id, ev->severity, ev->text) < 0) {
		log_err("record %s: %s; recording stopped", d->record_path, strerror(errno));
		record_close(d);
	}
}

void record_flush(struct daemon *d)
{
	if (d->record != NULL && fflush(d->record) != 0) {
		log_err("record %s: %s; recording stopped", d->record_path, strerror(errno));
		record_close(d);
	}
}
