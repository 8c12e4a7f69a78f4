/*
 * smart: the SMART source plugin (build/plugins/smart.so), over smartctl
 * (smartmontools) run as a child with --json.
 *
 * One poll:
 *   1. discovery, when due: `smartctl --scan-open --json=c` at the first
 *      poll and after the core's rescan() (SIGHUP, `hwhealth rescan`);
 *      every `rescan` (1 h) `smartctl --scan --json=c`, which opens no
 *      device, so a sleeping disk is never woken by a periodic scan; merged
 *      with the `device` options (smart_scan.c).  After a --scan, a known
 *      drive keeps its type and a new one (unless its type holds a ',', as
 *      megaraid,N) is polled without -d until a poll reads it, then with
 *      the device.type that poll's document gave;
 *   2. `smartctl --json=c -a [-n standby,3] [-d TYPE] PATH` for every
 *      drive, `parallel` at a time, each killed at `device-timeout`
 *      (smart_run.c);
 *   3. each run classified (smart_outcome.c) and reported: ok -> the
 *      document's readings (smart_emit.c); standby -> hwh_hold() on the
 *      drive, so its other metrics neither turn stale nor read as new,
 *      then power_mode 0 (after the hold: a fresh sample, not held);
 *      failed -> smartctl_exit and every metric the drive ever reported,
 *      unreadable with the reason, so a hung or broken drive never reads
 *      as healthy;
 *   4. drive swap: the serial seen at each drive id is kept
 *      (hwh_state_set); another serial at the same id is an event
 *      "smart-drive-replaced".
 *
 * The poll's own time is at most device-timeout x ceil(drives / parallel)
 * plus a scan: the source's `timeout` must exceed it (documented in
 * hwhealth.conf(5)); the core fences off a poll that overruns.  Nothing is
 * done in config() but checking options: --check-config runs no smartctl.
 *
 * To extend: a new option is a row in smart_opts.c; a new metric is one
 * put in smart_emit.c; a new way for a run to fail is one test in
 * smart_outcome.c.  This file only wires them together.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"
#include "smart_internal.h"

#define SMART_ARGV_MAX 10      /* smartctl --json=c -a -n standby,3 -d TYPE PATH NULL */
#define SMART_MEMO_NAME_MAX 40 /* "cw_volatile_memory_backup_failed" is 32 */
#define SMART_INTERVAL_DEFAULT_MS (30 * 60 * 1000) /* smartd's default: 30 minutes */
#define SMART_TIMEOUT_DEFAULT_MS (5 * 60 * 1000)

/* A metric a drive reported: what to emit as unreadable when it fails. */
struct memo {
	char name[SMART_MEMO_NAME_MAX];
	enum hwh_kind kind;
	char unit[8];		    /* "" = the kind's */
	char label[SMART_NAME_MAX]; /* "" = none */
};

/* One drive polled. */
struct drive {
	struct smart_devspec spec;
	struct memo *memo; /* every metric it reported so far */
	size_t nmemo, capmemo;
	char last_err[SMART_ERR_MAX + 64]; /* last failure logged, "" when fine */
	bool standby;			   /* last poll found it asleep */
	bool adopt;			   /* scanned with no type: take device.type of a read */
	bool said_nospace;		   /* its serial key's ENOSPC was logged */
};

/* One instance: one "source NAME { plugin smart; ... }" block. */
struct smart {
	struct smart_opts o;
	struct drive *drives;
	size_t ndrives;
	bool scan_now;	       /* scan (--scan-open) before the next poll */
	bool opened;	       /* a --scan-open succeeded: periodic scans use --scan */
	uint64_t next_scan_ms; /* monotonic */
	char **said_skip;      /* scan entries whose skipping was logged */
	size_t nsaid;
	struct smart_devspec *unopened; /* what the last --scan-open could not open */
	size_t nunopened;
	bool said_empty, said_nohold;
	size_t said_stuck; /* children stuck after SIGKILL, as last logged */
	struct smart_reaper reaper;
};

/* What a poll's drives came to, for poll()'s return value. */
struct tally {
	size_t ok, standby, timeout, spawn, other;
	int spawn_err;
	const char *first_err, *first_id;
};

/* ---- remembering what each drive reported ---------------------------------------- */

static void memo_add(struct drive *dr, const struct hwh_reading *r)
{
	struct memo *m = NULL;

	for (size_t i = 0; i < dr->nmemo && m == NULL; i++)
		if (strcmp(dr->memo[i].name, r->name) == 0)
			m = &dr->memo[i];
	if (m == NULL) {
		if (dr->nmemo == dr->capmemo) {
			size_t cap = dr->capmemo ? 2 * dr->capmemo : 32;
			struct memo *nm = realloc(dr->memo, cap * sizeof *nm);

			if (nm == NULL)
				return; /* that metric will go stale rather than unreadable */
			dr->memo = nm;
			dr->capmemo = cap;
		}
		m = &dr->memo[dr->nmemo++];
		snprintf(m->name, sizeof m->name, "%s", r->name);
	}
	m->kind = r->kind;
	snprintf(m->unit, sizeof m->unit, "%s", r->unit ? r->unit : "");
	snprintf(m->label, sizeof m->label, "%s", r->label ? r->label : "");
}

/* The emit callback of smart_emit.c: remember, then hand to the core. */
struct emit_arg {
	struct hwh_ctx *ctx;
	struct drive *dr;
};

static int emit_cb(void *arg, const struct hwh_reading *r)
{
	struct emit_arg *a = arg;

	memo_add(a->dr, r);
	return hwh_emit(a->ctx, r);
}

/* smartctl_exit and every metric the drive ever reported, unreadable. */
static void emit_failed(struct hwh_ctx *ctx, struct drive *dr, const char *why)
{
	struct emit_arg a = {ctx, dr};
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = dr->spec.id;
	r.name = "smartctl_exit";
	r.status = HWH_R_UNREADABLE;
	r.error = why;
	emit_cb(&a, &r);
	for (size_t i = 0; i < dr->nmemo; i++) {
		const struct memo *m = &dr->memo[i];

		if (strcmp(m->name, "smartctl_exit") == 0)
			continue;
		r.name = m->name;
		r.kind = m->kind;
		r.unit = m->unit[0] ? m->unit : NULL;
		r.label = m->label[0] ? m->label : NULL;
		hwh_emit(ctx, &r);
	}
}

/* ---- the drive list ----------------------------------------------------------------- */

static void drives_free(struct drive *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].memo);
	free(d);
}

/* Replace the drive list by specs, keeping what each drive id had
 * (memos, last error).  0 or -ENOMEM (the old list stays). */
static int drives_set(struct smart *s, const struct smart_devspec *specs, size_t n)
{
	struct drive *nd = n ? calloc(n, sizeof *nd) : NULL;

	if (n > 0 && nd == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		nd[i].spec = specs[i];
		/* the configured devices come first: their type is the operator's */
		nd[i].adopt = i >= s->o.ndevs && specs[i].type[0] == '\0';
		for (size_t k = 0; k < s->ndrives; k++) {
			struct drive *old = &s->drives[k];

			if (strcmp(old->spec.id, specs[i].id) != 0)
				continue;
			nd[i].said_nospace = old->said_nospace;
			if (old->memo == NULL)
				continue;
			nd[i].memo = old->memo; /* moved */
			nd[i].nmemo = old->nmemo;
			nd[i].capmemo = old->capmemo;
			memcpy(nd[i].last_err, old->last_err, sizeof nd[i].last_err);
			old->memo = NULL;
		}
	}
	drives_free(s->drives, s->ndrives);
	s->drives = nd;
	s->ndrives = n;
	return 0;
}

/* ---- discovery ---------------------------------------------------------------------- */

static int stop_cb(void *arg)
{
	return hwh_stopping(arg);
}

/* Log a skipped scan entry once per path and type (the drives behind one
 * RAID controller share a path). */
static void say_skip(struct smart *s, struct hwh_ctx *ctx, const struct smart_scan_ent *e,
		     enum smart_skip why)
{
	char key[SMART_DEVPATH_MAX + SMART_TYPE_MAX + 1], id[SMART_ID_MAX];
	char **ns;

	if (why == SMART_SKIP_NONE || why == SMART_SKIP_CONFIGURED)
		return;
	snprintf(key, sizeof key, "%s %s", e->path, e->type);
	for (size_t i = 0; i < s->nsaid; i++)
		if (strcmp(s->said_skip[i], key) == 0)
			return;
	if (why == SMART_SKIP_OPEN_ERROR)
		hwh_log(ctx, HWH_LOG_NOTICE,
			"scan: skipping %s (type '%s'): smartctl cannot open it: %s", e->path,
			e->type, e->open_error);
	else if (why == SMART_SKIP_DUPLICATE &&
		 smart_drive_id(e->path, e->type, id, sizeof id) == 0)
		hwh_log(ctx, HWH_LOG_WARNING,
			"scan: skipping %s (type '%s'): drive id '%s' is listed already", e->path,
			e->type, id);
	else
		hwh_log(ctx, HWH_LOG_WARNING,
			"scan: skipping %s (type '%s'): not a path or type passed to smartctl",
			e->path, e->type);
	if ((ns = realloc(s->said_skip, (s->nsaid + 1) * sizeof *ns)) == NULL)
		return;
	s->said_skip = ns;
	if ((ns[s->nsaid] = strdup(key)) != NULL)
		s->nsaid++;
}

/* Whether the drive list changed (by ids) against specs. */
static bool list_changed(const struct smart *s, const struct smart_devspec *specs, size_t n)
{
	if (n != s->ndrives)
		return true;
	for (size_t i = 0; i < n; i++)
		if (strcmp(specs[i].id, s->drives[i].spec.id) != 0 ||
		    strcmp(specs[i].type, s->drives[i].spec.type) != 0)
			return true;
	return false;
}

static void log_list(struct smart *s, struct hwh_ctx *ctx)
{
	char buf[1024] = "";
	size_t len = 0;

	for (size_t i = 0; i < s->ndrives && len + 1 < sizeof buf; i++) {
		const struct smart_devspec *d = &s->drives[i].spec;
		int w = snprintf(buf + len, sizeof buf - len, "%s%s%s%s%s", i ? ", " : "", d->path,
				 d->type[0] ? " (" : "", d->type, d->type[0] ? ")" : "");

		if (w < 0)
			break;
		len += (size_t)w;
	}
	hwh_log(ctx, HWH_LOG_INFO, "%zu drive(s): %s", s->ndrives, s->ndrives ? buf : "none");
}

/* Remember the entries of a --scan-open that smartctl could not open (a
 * RAID volume, an unsupported bridge), for the plain --scans after it,
 * which open nothing and so cannot tell.  0 or -ENOMEM (then none is). */
static int scan_keep_unopened(struct smart *s, const struct smart_scan *scan)
{
	struct smart_devspec *u = NULL;
	size_t n = 0;

	free(s->unopened);
	s->unopened = NULL;
	s->nunopened = 0;
	for (size_t i = 0; i < scan->n; i++) {
		const struct smart_scan_ent *e = &scan->ents[i];

		if (e->open_error[0] == '\0')
			continue;
		if (u == NULL && (u = calloc(scan->n, sizeof *u)) == NULL)
			return -ENOMEM;
		if (smart_drive_id(e->path, e->type, u[n].id, sizeof u[n].id) < 0)
			continue;
		snprintf(u[n].path, sizeof u[n].path, "%s", e->path);
		n++;
	}
	s->unopened = u;
	s->nunopened = n;
	return 0;
}

/* After a plain --scan (whose types are guesses from the names: a SATA
 * disk reads "scsi"): an entry the last --scan-open could not open stays
 * skipped; an entry of a known drive (by id) takes that drive's type; a
 * new one is polled without -d (smartctl detects, once) unless its type
 * holds a ',' (megaraid,N addresses a drive behind a controller). */
static void scan_known_types(const struct smart *s, struct smart_scan *scan)
{
	char id[SMART_ID_MAX];

	for (size_t i = 0; i < scan->n; i++) {
		struct smart_scan_ent *e = &scan->ents[i];
		const struct drive *known = NULL;

		if (smart_drive_id(e->path, e->type, id, sizeof id) < 0)
			continue; /* skipped by the merge */
		for (size_t k = 0; k < s->nunopened; k++)
			if (strcmp(s->unopened[k].id, id) == 0)
				snprintf(e->open_error, sizeof e->open_error, "%s",
					 "smartctl --scan-open could not open it (until the next "
					 "hwhealth rescan)");
		if (e->open_error[0] != '\0')
			continue;
		for (size_t k = 0; k < s->ndrives && known == NULL; k++)
			if (strcmp(s->drives[k].spec.id, id) == 0)
				known = &s->drives[k];
		if (known != NULL)
			snprintf(e->type, sizeof e->type, "%s", known->spec.type);
		else if (strchr(e->type, ',') == NULL)
			e->type[0] = '\0';
	}
}

/* The scan's output (of --scan-open when open, else of --scan) into the
 * drive list.  0, or a negative errno with msg set. */
static int scan_apply(struct smart *s, struct hwh_ctx *ctx, const struct smart_result *r, bool open,
		      char *msg, size_t len)
{
	struct smart_scan scan;
	struct smart_devspec *list = NULL;
	enum smart_skip *skip = NULL;
	char perr[SMART_ERR_MAX];
	size_t n = 0;
	int rc = -EIO;

	if (r->out == NULL || smart_scan_parse(r->out, r->out_len, &scan, perr, sizeof perr) < 0) {
		snprintf(msg, len, "smartctl %s printed %s%s (exit status %d)",
			 open ? "--scan-open" : "--scan", r->out ? "no device list: " : "nothing",
			 r->out ? perr : "", r->exit_code);
		return -EIO;
	}
	if (!open)
		scan_known_types(s, &scan);
	else if (scan_keep_unopened(s, &scan) < 0) {
		snprintf(msg, len, "out of memory keeping the scan");
		rc = -ENOMEM;
		goto out;
	}
	if ((scan.n > 0 && (skip = calloc(scan.n, sizeof *skip)) == NULL) ||
	    smart_devlist_merge(s->o.devs, s->o.ndevs, &scan, skip, &list, &n) < 0) {
		snprintf(msg, len, "out of memory merging the scan");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < scan.n; i++)
		say_skip(s, ctx, &scan.ents[i], skip[i]);
	if (list_changed(s, list, n) || s->next_scan_ms == 0) {
		if ((rc = drives_set(s, list, n)) < 0) {
			snprintf(msg, len, "out of memory keeping the drive list");
			goto out;
		}
		log_list(s, ctx);
	}
	rc = 0;
out:
	free(skip);
	free(list);
	smart_scan_free(&scan);
	return rc;
}

/* Run the scan: --scan-open when open, else --scan.  0, or a negative
 * errno with msg set (the list stays). */
static int scan_run(struct smart *s, struct hwh_ctx *ctx, bool open, char *msg, size_t len)
{
	char *argv[] = {s->o.smartctl, open ? "--scan-open" : "--scan", "--json=c", NULL};
	struct smart_job job = {.argv = argv};
	int rc = smart_run_jobs(&job, 1, 1, s->o.device_timeout_ms, stop_cb, ctx, &s->reaper);

	if (rc < 0)
		snprintf(msg, len, "scan: %s", strerror(-rc));
	else if (job.res.spawn_err != 0)
		snprintf(msg, len, "cannot run %s: %s", s->o.smartctl,
			 strerror(rc = job.res.spawn_err));
	else if (job.res.timed_out)
		snprintf(msg, len, "smartctl %s timed out (killed)", argv[1]);
	else if (!job.res.stopped)
		rc = scan_apply(s, ctx, &job.res, open, msg, len);
	if (job.res.spawn_err != 0)
		rc = -job.res.spawn_err;
	else if (job.res.timed_out)
		rc = -ETIMEDOUT;
	smart_jobs_free(&job, 1);
	return rc;
}

/* Scan when due: --scan-open at the first poll (until one succeeded) and
 * when asked (rescan()), --scan (which opens no device, so wakes no disk)
 * every `rescan`.  0, or a negative errno with hwh_error() called when
 * there is no drive to poll without it. */
static int scan_if_due(struct smart *s, struct hwh_ctx *ctx)
{
	char msg[SMART_ERR_MAX + 128];
	uint64_t now = pu_mono_ms();
	bool open = s->scan_now || !s->opened;
	int rc;

	if (!s->o.scan || (!s->scan_now && now < s->next_scan_ms))
		return 0;
	rc = scan_run(s, ctx, open, msg, sizeof msg);
	if (rc == 0 && open && !hwh_stopping(ctx))
		s->opened = true;
	s->scan_now = false;
	s->next_scan_ms = now + s->o.rescan_ms;
	if (rc == 0 || hwh_stopping(ctx))
		return 0;
	if (s->ndrives == 0) {
		s->scan_now = true; /* nothing to poll: try again next time, not in an hour */
		hwh_error(ctx, "%s", msg);
		return rc;
	}
	hwh_log(ctx, HWH_LOG_WARNING, "%s; polling the %zu drive(s) known", msg, s->ndrives);
	return 0;
}

/* ---- one poll of every drive ------------------------------------------------------ */

/* argv for drive dr into argv (SMART_ARGV_MAX). */
static void drive_argv(const struct smart *s, struct drive *dr, char **argv)
{
	int n = 0;

	argv[n++] = s->o.smartctl;
	argv[n++] = "--json=c";
	argv[n++] = "-a";
	if (s->o.standby) {
		argv[n++] = "-n";
		argv[n++] = "standby,3"; /* exit 3: otherwise impossible (smartctl(8)) */
	}
	if (dr->spec.type[0]) {
		argv[n++] = "-d";
		argv[n++] = dr->spec.type;
	}
	argv[n++] = dr->spec.path;
	argv[n] = NULL;
}

/* Another serial than the one kept for this drive id: an event.  The
 * core keeps a bounded number of keys per poll and per source: -ENOSPC is
 * said once per drive (it is tried again at each poll, and may fit later),
 * not at every poll. */
static void check_swap(struct hwh_ctx *ctx, struct drive *dr, const struct smart_doc *d)
{
	char key[HWH_STATE_KEY_MAX], old[HWH_STATE_VALUE_MAX], text[SMART_TEXT_MAX];
	int rc;

	if (d->serial[0] == '\0')
		return;
	smart_serial_key(dr->spec.id, key, sizeof key);
	rc = hwh_state_get(ctx, key, old, sizeof old);
	if (rc >= 0 && strcmp(old, d->serial) == 0)
		return;
	if (rc >= 0) {
		snprintf(text, sizeof text, "serial %s -> %s, model %s", old, d->serial,
			 d->model[0] ? d->model : "unknown");
		hwh_event(ctx, &(struct hwh_event){.device = dr->spec.id,
						   .type = "smart-drive-replaced",
						   .text = text,
						   .severity = HWH_SEV_INFO});
	}
	rc = hwh_state_set(ctx, key, d->serial);
	if (rc == -ENOSPC) {
		if (!dr->said_nospace)
			hwh_log(ctx, HWH_LOG_WARNING,
				"%s: cannot keep its serial: %s (the daemon's limit of kept "
				"state keys; tried again at each poll, a drive swap is not seen "
				"until it fits; said once)",
				dr->spec.id, strerror(-rc));
		dr->said_nospace = true;
	} else if (rc < 0 && rc != -ENOSYS) {
		hwh_log(ctx, HWH_LOG_WARNING, "%s: cannot keep its serial: %s", dr->spec.id,
			strerror(-rc));
	} else if (rc == 0) {
		dr->said_nospace = false;
	}
}

/* A scanned drive with no type, read: pass the device.type smartctl
 * detected as -d from now on, so later polls never autodetect.  A type
 * with a ',' would change the drive id: not taken. */
static void adopt_type(struct hwh_ctx *ctx, struct drive *dr, const struct smart_doc *d)
{
	if (!dr->adopt || dr->spec.type[0] != '\0')
		return;
	dr->adopt = false;
	if (!smart_type_ok(d->dev_type) || strchr(d->dev_type, ',') != NULL ||
	    strlen(d->dev_type) >= sizeof dr->spec.type) {
		hwh_log(ctx, HWH_LOG_NOTICE,
			"%s: smartctl gave no usable device.type ('%s'): it detects the type at "
			"every poll",
			dr->spec.id, d->dev_type);
		return;
	}
	snprintf(dr->spec.type, sizeof dr->spec.type, "%s", d->dev_type);
	hwh_log(ctx, HWH_LOG_INFO, "%s: type '%s' (detected by smartctl), passed as -d from now on",
		dr->spec.id, dr->spec.type);
}

static void drive_ok(struct smart *s, struct hwh_ctx *ctx, struct drive *dr,
		     const struct smart_doc *d)
{
	struct emit_arg a = {ctx, dr};
	unsigned refused;

	(void)s;
	if (dr->last_err[0] != '\0')
		hwh_log(ctx, HWH_LOG_NOTICE, "%s: readable again", dr->spec.id);
	dr->last_err[0] = '\0';
	dr->standby = false;
	if ((refused = smart_emit_doc(d, dr->spec.id, dr->spec.type, emit_cb, &a)) > 0)
		hwh_log(ctx, HWH_LOG_WARNING, "%s: the core refused %u readings", dr->spec.id,
			refused);
	check_swap(ctx, dr, d);
	adopt_type(ctx, dr, d);
}

static void drive_standby(struct smart *s, struct hwh_ctx *ctx, struct drive *dr, const char *mode)
{
	struct emit_arg a = {ctx, dr};
	int rc;

	if (!dr->standby)
		hwh_log(ctx, HWH_LOG_DEBUG, "%s: in %s mode, not woken; its metrics are held",
			dr->spec.id, mode);
	dr->standby = true;
	dr->last_err[0] = '\0';
	/* Hold first: the hold covers the metrics present at the call, and the
	 * power_mode emitted after it is a fresh sample, not "held".  -ENOENT
	 * (asleep since the first poll: nothing to hold) is fine. */
	rc = hwh_hold(ctx, dr->spec.id, "standby");
	smart_emit_power(dr->spec.id, mode, emit_cb, &a);
	if (rc == -ENOSYS && !s->said_nohold) {
		hwh_log(ctx, HWH_LOG_NOTICE,
			"this daemon cannot hold metrics (hwh_hold: ENOSYS): a sleeping drive's "
			"metrics will turn stale");
		s->said_nohold = true;
	}
}

static void drive_failed(struct hwh_ctx *ctx, struct drive *dr, const struct smart_verdict *v)
{
	if (strcmp(dr->last_err, v->msg) != 0)
		hwh_log(ctx, HWH_LOG_WARNING, "%s: %s", dr->spec.id, v->msg);
	snprintf(dr->last_err, sizeof dr->last_err, "%s", v->msg);
	dr->standby = false;
	emit_failed(ctx, dr, v->msg);
}

/* Report one finished run and count it. */
static void drive_report(struct smart *s, struct hwh_ctx *ctx, struct drive *dr,
			 const struct smart_result *r, struct smart_doc *doc, struct tally *t)
{
	struct smart_verdict v;

	smart_classify(r, s->o.standby, s->o.device_timeout_ms, s->o.smartctl, doc, &v);
	switch (v.outcome) {
	case SMART_OUT_OK:
		drive_ok(s, ctx, dr, doc);
		t->ok++;
		return;
	case SMART_OUT_STANDBY:
		drive_standby(s, ctx, dr, v.mode);
		t->standby++;
		return;
	case SMART_OUT_FAILED:
		drive_failed(ctx, dr, &v);
		break;
	}
	if (v.fail == SMART_FAIL_TIMEOUT)
		t->timeout++;
	else if (v.fail == SMART_FAIL_SPAWN)
		t->spawn++, t->spawn_err = r->spawn_err;
	else
		t->other++;
	if (t->first_err == NULL) {
		t->first_err = dr->last_err;
		t->first_id = dr->spec.id;
	}
}

/* poll()'s result from the tally (contract: 0 if any drive answered). */
static int tally_rc(struct smart *s, struct hwh_ctx *ctx, const struct tally *t)
{
	size_t n = s->ndrives;

	if (t->ok + t->standby > 0 || n == 0)
		return 0;
	if (t->spawn == n) {
		/* its own errno: EMFILE, EAGAIN or ENOMEM are passing, not ENOENT */
		hwh_error(ctx, "cannot run %s: %s", s->o.smartctl, strerror(t->spawn_err));
		return t->spawn_err > 0 ? -t->spawn_err : -EIO;
	}
	if (t->timeout == n) {
		hwh_error(ctx, "every drive timed out: %s", t->first_err);
		return -ETIMEDOUT;
	}
	hwh_error(ctx, "no drive could be read: %s: %s", t->first_id, t->first_err);
	return -EIO;
}

static int poll_drives(struct smart *s, struct hwh_ctx *ctx)
{
	char *(*argvs)[SMART_ARGV_MAX] = calloc(s->ndrives, sizeof *argvs);
	struct smart_job *jobs = calloc(s->ndrives, sizeof *jobs);
	struct smart_doc *doc = malloc(sizeof *doc); /* ~40 KiB: not on the stack */
	struct tally t = {0};
	int rc;

	if (argvs == NULL || jobs == NULL || doc == NULL) {
		hwh_error(ctx, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->ndrives; i++) {
		drive_argv(s, &s->drives[i], argvs[i]);
		jobs[i].argv = argvs[i];
	}
	rc = smart_run_jobs(jobs, s->ndrives, s->o.parallel, s->o.device_timeout_ms, stop_cb, ctx,
			    &s->reaper);
	if (rc < 0) {
		hwh_error(ctx, "running smartctl: %s", strerror(-rc));
		goto out;
	}
	if (hwh_stopping(ctx))
		goto out; /* the children were killed: nothing to report */
	for (size_t i = 0; i < s->ndrives; i++)
		drive_report(s, ctx, &s->drives[i], &jobs[i].res, doc, &t);
	rc = tally_rc(s, ctx, &t);
out:
	if (jobs != NULL)
		smart_jobs_free(jobs, s->ndrives);
	free(jobs);
	free(argvs);
	free(doc);
	return rc;
}

/* ---- the plugin callbacks ------------------------------------------------------- */

/* A block device SMART can speak to: sd* (SATA, SAS, and SAT behind USB or
 * RAID), hd* (PATA) or nvme*, with a device behind it.  Not loop, ram, zram,
 * dm, md or virtio (vd*) devices, which have no SMART: a probe that counted
 * them would run a source that finds nothing, a yellow node on every VM. */
static int smart_disk_name(const char *name)
{
	return strncmp(name, "sd", 2) == 0 || strncmp(name, "hd", 2) == 0 ||
	       strncmp(name, "nvme", 4) == 0;
}

/* smartctl is installed and the kernel shows at least one such disk. */
static int smart_probe(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	if (access(SMART_SMARTCTL_DEFAULT, X_OK) != 0 || (d = opendir("/sys/block")) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (!smart_disk_name(de->d_name))
			continue;
		snprintf(path, sizeof path, "/sys/block/%s/device", de->d_name);
		found = access(path, F_OK) == 0;
	}
	closedir(d);
	return found;
}

static void smart_free(struct smart *s)
{
	smart_reaper_reap(&s->reaper, 0);
	smart_reaper_free(&s->reaper);
	drives_free(s->drives, s->ndrives);
	for (size_t i = 0; i < s->nsaid; i++)
		free(s->said_skip[i]);
	free(s->said_skip);
	free(s->unopened);
	smart_opts_free(&s->o);
	free(s);
}

static int smart_config(const struct hwh_option *opts, size_t nopts, void **inst,
			struct hwh_config_error *err)
{
	struct smart *s = calloc(1, sizeof *s);

	err->option = -1;
	if (s == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	if (smart_opts_parse(opts, nopts, &s->o, err) < 0) {
		smart_free(s);
		return -1;
	}
	*inst = s;
	return 0;
}

static int smart_init(void *inst, struct hwh_ctx *ctx)
{
	struct smart *s = inst;

	if (drives_set(s, s->o.devs, s->o.ndevs) < 0) {
		hwh_error(ctx, "out of memory");
		return -ENOMEM;
	}
	s->scan_now = s->o.scan; /* at the first poll, under the core's timeout */
	hwh_log(ctx, HWH_LOG_DEBUG,
		"smartctl %s, %zu configured drive(s), scan %s, device-timeout %llu ms, "
		"parallel %u, standby %s",
		s->o.smartctl, s->o.ndevs, s->o.scan ? "yes" : "no",
		(unsigned long long)s->o.device_timeout_ms, s->o.parallel,
		s->o.standby ? "yes" : "no");
	return 0;
}

/* Children stuck after SIGKILL in an earlier poll: reap, say so when the
 * number changes. */
static void reap_leftovers(struct smart *s, struct hwh_ctx *ctx)
{
	size_t left = s->reaper.n ? smart_reaper_reap(&s->reaper, 0) : 0;

	if (left != s->said_stuck && left > 0)
		hwh_log(ctx, HWH_LOG_WARNING,
			"%zu smartctl process(es) still alive after SIGKILL (stuck in the kernel "
			"on a device?)",
			left);
	s->said_stuck = left;
}

static int smart_poll(void *inst, struct hwh_ctx *ctx)
{
	struct smart *s = inst;
	int rc;

	reap_leftovers(s, ctx);
	if ((rc = scan_if_due(s, ctx)) < 0)
		return rc;
	if (s->ndrives == 0) {
		if (!s->said_empty)
			hwh_log(ctx, HWH_LOG_NOTICE,
				"no drives: none configured%s; nothing to report",
				s->o.scan ? " and smartctl --scan-open found none" : "");
		s->said_empty = true;
		return 0;
	}
	s->said_empty = false;
	return poll_drives(s, ctx);
}

/* Scan at the next poll, which the core runs right after this. */
static int smart_rescan(void *inst, struct hwh_ctx *ctx)
{
	struct smart *s = inst;

	if (!s->o.scan)
		hwh_log(ctx, HWH_LOG_DEBUG,
			"rescan: scan is off, the drives are the configured ones");
	s->scan_now = s->o.scan;
	return 0;
}

static void smart_shutdown(void *inst)
{
	smart_free(inst);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "smart",
	.description = "SMART health of ATA, NVMe and SCSI drives, read with smartctl --json "
		       "(smartmontools)",
	.probe = smart_probe,
	.config = smart_config,
	.init = smart_init,
	.poll = smart_poll,
	.rescan = smart_rescan,
	.act = NULL,
	.shutdown = smart_shutdown,
	.default_interval_ms = SMART_INTERVAL_DEFAULT_MS,
	.default_timeout_ms = SMART_TIMEOUT_DEFAULT_MS,
	.multiword_options = (const char *const[]){"device", NULL},
};
/* clang-format on */
