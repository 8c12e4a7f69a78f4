/*
 * watchdog: the hardware watchdog source plugin (build/plugins/watchdog.so).
 *
 * Holds a watchdog device (/dev/watchdog, or the "device" option) and pets
 * it while the daemon works, so that a hung or dead hwhealthd -- or one told
 * to fence its node -- gets the node reset by the hardware.  The kernel API
 * is Documentation/watchdog/watchdog-api.rst: opening arms the watchdog,
 * WDIOC_KEEPALIVE (or any write) pets it, WDIOC_SETTIMEOUT sets the timeout
 * and returns the one the driver took, and writing 'V' just before close
 * (magic close) disarms it; a close without 'V' leaves it running.
 *
 * Life of an instance:
 *   init()     checks the host can answer what "require" needs, opens the
 *              device (EBUSY: names the holders; the source fails, the
 *              daemon runs on and init is retried each interval), restores
 *              a fence kept earlier in this boot, reads its identity, sets
 *              the timeout, reads the boot status, pets once.  A fenced
 *              instance only reads the timeout and never pets: in the
 *              kernel WDIOC_SETTIMEOUT pings too, so a reload would restart
 *              the countdown of a node that has fenced itself.
 *   poll()     decides (wd_should_pet(): not self-fencing, main loop not
 *              stuck, required sources up or within their grace), pets or
 *              not, logs each change of reason once, and emits petting,
 *              timeout, timeleft, bootstatus and last_pet_age.  The first
 *              poll reports a watchdog-caused last boot as one event per
 *              boot id (kept with hwh_state_set()).
 *   act()      "self-fence", on the main thread: only sets a flag (and the
 *              reason) that the next poll reads.  Opt-in: "self-fence yes".
 *   shutdown() magic close, unless self-fencing: then close without 'V' so
 *              the hardware resets the node.
 * A self-fence is also kept as state ("fenced" = boot id and reason), so a
 * reload or a restart of the daemon in the same boot does not undo it.
 *
 * Safety: petting happens on the source's poll thread, after checking the
 * main loop's heartbeat.  A daemon that dies closes the device without 'V'
 * (the kernel's close), a stuck poll thread stops petting, a stuck main
 * loop is seen through loop_age_ms: each ends in a reset.  probe() answers
 * 0: arming a watchdog is never a default, only a configured source block.
 *
 * To extend: a new reading is one emit_num() call in emit_all(); a new
 * reason to stop petting goes into wd_should_pet() (watchdog_logic.c) with
 * the input gathered in gather().
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/watchdog.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"
#include "watchdog_internal.h"

#define WD_INTERVAL_DEFAULT_MS 5000 /* plugin.h default_interval_ms */
#define WD_TIMEOUT_POLL_MS 2000	    /* plugin.h default_timeout_ms */
#define KEY_RESET_BOOT "reset-boot" /* boot id whose watchdog reset was reported */
#define KEY_FENCED "fenced"	    /* "BOOTID reason" of a self-fence */
#define BOOT_ID_MAX 64

/* One instance: one "source NAME { plugin watchdog }" block. */
struct wd {
	struct wd_conf conf;
	struct hwh_ctx *ctx;		       /* from init: shutdown() gets none, logs with it */
	int fd;				       /* the device, -1 when not held */
	char devname[WD_NAME_MAX];	       /* device of the readings: the path's basename */
	char sysfs[PATH_MAX];		       /* sysfs directory, "" for none */
	char identity[40];		       /* WDIOC_GETSUPPORT identity, or sysfs's */
	unsigned support;		       /* WDIOF_* the driver supports */
	atomic_int timeout_sec;		       /* the driver's timeout, 0 unknown; act() reads it */
	int64_t max_loop_age_ms;	       /* the option, else from timeout_sec */
	int have_bootstatus;		       /* bootstatus was read */
	unsigned bootstatus;		       /* WDIOF_* of the last boot */
	int nowayout;			       /* sysfs says it cannot be stopped */
	int64_t last_pet_ms;		       /* monotonic time of the last pet that worked */
	int64_t last_poll_ms;		       /* monotonic time of the last poll (or init) */
	int reset_checked;		       /* the boot status was looked at by a poll */
	char fence_value[HWH_STATE_VALUE_MAX]; /* "BOOTID reason" kept while fencing */
	int fence_said;			       /* "cannot keep the self-fence" was logged */
	int said_interval;		       /* "polls too far apart" was logged */
	int said_no_health;		       /* "host has no daemon_health" was logged */
	struct wd_why last;		       /* the reason last logged */
	int64_t missing_since[WD_REQUIRE_MAX]; /* when a required source vanished */
	atomic_int fencing;		       /* set by act() on the main thread */
	atomic_int held;		       /* fd is open: act() may fence */
	pthread_mutex_t lock;		       /* fence_reason between act() and poll() */
	char fence_reason[WD_WHY_MAX];
};

static const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err, buf, len);
}

/* The fence reason, copied under the lock. */
static void fence_reason(struct wd *w, char *buf, size_t len)
{
	pthread_mutex_lock(&w->lock);
	snprintf(buf, len, "%s", w->fence_reason);
	pthread_mutex_unlock(&w->lock);
}

/* Set the fence (first reason wins). */
static void fence_set(struct wd *w, const char *reason)
{
	pthread_mutex_lock(&w->lock);
	if (!atomic_load(&w->fencing))
		snprintf(w->fence_reason, sizeof w->fence_reason, "%s",
			 reason && reason[0] ? reason : "no reason given");
	atomic_store(&w->fencing, 1);
	pthread_mutex_unlock(&w->lock);
}

/* ---- the device ----------------------------------------------------------- */

/* Pet: WDIOC_KEEPALIVE with a pointer (never NULL: on a FUSE file the kernel
 * copies the _IOR result out and fails with EFAULT; a real driver ignores
 * the argument), or a write when the driver lacks the ioctl.  0 or -errno. */
static int pet(struct wd *w)
{
	int dummy = 0;

	if (ioctl(w->fd, WDIOC_KEEPALIVE, &dummy) < 0) {
		if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EINVAL)
			return -errno;
		if (write(w->fd, "k", 1) != 1) /* any byte but 'V' pets */
			return -errno;
	}
	w->last_pet_ms = (int64_t)pu_mono_ms();
	return 0;
}

/* The device is busy: say who holds it and who usually does. */
static void busy_error(struct wd *w, struct hwh_ctx *ctx)
{
	char who[WD_TEXT_MAX];

	if (wd_find_holders("/proc", w->conf.device, who, sizeof who) == 0)
		snprintf(who, sizeof who, "another process");
	hwh_error(ctx,
		  "%s is busy: held by %s; only one process may hold a watchdog (usually "
		  "systemd RuntimeWatchdogSec=, sbd or the watchdog daemon; see hwhealthd(8))",
		  w->conf.device, who);
}

/* The sysfs directory: the option's, else the char device's, else none. */
static void find_sysfs(struct wd *w, struct hwh_ctx *ctx)
{
	struct stat st;

	w->sysfs[0] = '\0';
	if (w->conf.sysfs != NULL)
		snprintf(w->sysfs, sizeof w->sysfs, "%s", w->conf.sysfs);
	else if (fstat(w->fd, &st) == 0 && S_ISCHR(st.st_mode))
		wd_sysfs_dir("/sys", major(st.st_rdev), minor(st.st_rdev), w->sysfs,
			     sizeof w->sysfs);
	hwh_log(ctx, HWH_LOG_DEBUG, "sysfs directory: %s", w->sysfs[0] ? w->sysfs : "none");
}

/*
 * A fenced instance that stops for a reload hands its open descriptor to the
 * next instance of the same device instead of closing it: Linux pings a
 * watchdog that is closed without magic close (watchdog_dev.c,
 * watchdog_release()), so every reload would give a fenced node another
 * timeout.  The daemon never unloads a plugin, so this survives reloads; the
 * process exiting still closes (and pings) it, once per restart.
 */
static pthread_mutex_t handover_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int fd; /* -1: none */
	char device[PATH_MAX];
	char reason[WD_WHY_MAX];
	int64_t last_pet_ms;
} handover = {.fd = -1};

/* Keep w's descriptor for the next instance (fenced, stopping). */
static void handover_put(struct wd *w, struct hwh_ctx *ctx)
{
	pthread_mutex_lock(&handover_lock);
	if (handover.fd >= 0)
		close(handover.fd); /* an older one nobody took: still fenced, now closed */
	handover.fd = w->fd;
	snprintf(handover.device, sizeof handover.device, "%s", w->conf.device);
	pthread_mutex_lock(&w->lock);
	snprintf(handover.reason, sizeof handover.reason, "%s", w->fence_reason);
	pthread_mutex_unlock(&w->lock);
	handover.last_pet_ms = w->last_pet_ms;
	pthread_mutex_unlock(&handover_lock);
	hwh_log(ctx, HWH_LOG_WARNING,
		"self-fenced: leaving %s open without magic close (a close would pet it; a "
		"reload takes it over); the watchdog resets this node within %d s",
		w->conf.device, w->timeout_sec);
	w->fd = -1;
}

/* Take a fenced descriptor an earlier instance left for w's device.  1 if
 * taken (w is then fenced too), else 0. */
static int handover_take(struct wd *w)
{
	char reason[WD_WHY_MAX];
	int taken = 0;

	pthread_mutex_lock(&handover_lock);
	if (handover.fd >= 0 && strcmp(handover.device, w->conf.device) == 0) {
		w->fd = handover.fd;
		w->last_pet_ms = handover.last_pet_ms;
		snprintf(reason, sizeof reason, "%s", handover.reason);
		handover.fd = -1;
		taken = 1;
	}
	pthread_mutex_unlock(&handover_lock);
	if (taken)
		fence_set(w, reason);
	return taken;
}

/* open(); arms the watchdog.  0, or -errno with hwh_error() called. */
static int dev_open(struct wd *w, struct hwh_ctx *ctx)
{
	char ebuf[128];
	int err;

	if (handover_take(w)) {
		hwh_log(ctx, HWH_LOG_WARNING,
			"self-fenced: took over %s from the previous configuration, still not "
			"petting it",
			w->conf.device);
		find_sysfs(w, ctx);
		return 0;
	}
	if ((w->fd = open(w->conf.device, O_WRONLY | O_CLOEXEC)) >= 0) {
		w->last_pet_ms = (int64_t)pu_mono_ms(); /* opening starts the timer */
		find_sysfs(w, ctx);
		return 0;
	}
	err = errno;
	if (err == EBUSY)
		busy_error(w, ctx);
	else if (err == ENOENT)
		hwh_error(ctx, "%s: no such device (is a watchdog driver loaded?)", w->conf.device);
	else
		hwh_error(ctx, "cannot open %s: %s", w->conf.device,
			  errstr(err, ebuf, sizeof ebuf));
	return -err;
}

/* Identity and supported options: the ioctl, else sysfs's identity. */
static void dev_identify(struct wd *w, struct hwh_ctx *ctx)
{
	struct watchdog_info wi;

	memset(&wi, 0, sizeof wi);
	if (ioctl(w->fd, WDIOC_GETSUPPORT, &wi) == 0) {
		snprintf(w->identity, sizeof w->identity, "%.*s", (int)sizeof wi.identity,
			 (const char *)wi.identity);
		w->support = wi.options;
	} else if (w->sysfs[0] == '\0' ||
		   wd_sysfs_text(w->sysfs, "identity", w->identity, sizeof w->identity) < 0) {
		snprintf(w->identity, sizeof w->identity, "unknown watchdog");
	}
	if (w->identity[0] == '\0')
		snprintf(w->identity, sizeof w->identity, "unknown watchdog");
	hwh_log(ctx, HWH_LOG_DEBUG, "%s: \"%s\", options 0x%x", w->conf.device, w->identity,
		w->support);
}

/* The timeout the driver has now: the ioctl, else sysfs.  0 unknown. */
static int dev_get_timeout(struct wd *w)
{
	unsigned long v;
	int t = 0;

	if (ioctl(w->fd, WDIOC_GETTIMEOUT, &t) == 0 && t > 0)
		return t;
	if (w->sysfs[0] && wd_sysfs_uint(w->sysfs, "timeout", &v) == 0 && v > 0 && v <= INT_MAX)
		return (int)v;
	return 0;
}

/* The timeout of a fenced node: read, never set (SETTIMEOUT pets). */
static void dev_read_timeout(struct wd *w, struct hwh_ctx *ctx)
{
	w->timeout_sec = dev_get_timeout(w);
	if (w->timeout_sec > 0)
		return;
	w->timeout_sec = (int)w->conf.timeout_sec;
	hwh_log(ctx, HWH_LOG_WARNING, "cannot read the driver's timeout: assuming %u s",
		w->conf.timeout_sec);
}

/* WDIOC_SETTIMEOUT; the driver writes back the timeout it took (it may
 * round).  A driver that refuses keeps its own: say which, it matters.
 * It also pets (watchdog_dev.c pings after setting): never when fenced. */
static void dev_set_timeout(struct wd *w, struct hwh_ctx *ctx)
{
	int t = (int)w->conf.timeout_sec, err;
	char ebuf[128];

	if (ioctl(w->fd, WDIOC_SETTIMEOUT, &t) == 0 && t > 0) {
		w->timeout_sec = t;
		if ((unsigned)t != w->conf.timeout_sec)
			hwh_log(ctx, HWH_LOG_NOTICE, "timeout %u s asked, the driver took %d s",
				w->conf.timeout_sec, t);
		return;
	}
	err = errno;
	w->timeout_sec = dev_get_timeout(w);
	if (w->timeout_sec > 0)
		hwh_log(ctx, HWH_LOG_WARNING,
			"cannot set the timeout to %u s (%s): the driver keeps %d s",
			w->conf.timeout_sec, errstr(err, ebuf, sizeof ebuf), w->timeout_sec);
	else
		hwh_log(ctx, HWH_LOG_WARNING,
			"cannot set the timeout to %u s (%s) nor read the driver's: assuming %u s",
			w->conf.timeout_sec, errstr(err, ebuf, sizeof ebuf), w->conf.timeout_sec);
	if (w->timeout_sec == 0)
		w->timeout_sec = (int)w->conf.timeout_sec;
}

/* max-loop-age: the option, else half the timeout the driver took (not
 * the one asked: a driver may round or refuse).  Warns when a stuck main
 * loop would not stop petting before the hardware fires. */
static void set_loop_age(struct wd *w, struct hwh_ctx *ctx)
{
	char a[32];

	w->max_loop_age_ms = w->conf.max_loop_age_given
				 ? w->conf.max_loop_age_ms
				 : wd_loop_age_default((unsigned)w->timeout_sec);
	if (w->max_loop_age_ms >= (int64_t)w->timeout_sec * 1000)
		hwh_log(ctx, HWH_LOG_WARNING,
			"max-loop-age %s is not below the hardware timeout (%d s): a stuck main "
			"loop is not told apart from a dead daemon",
			wd_fmt_ms(w->max_loop_age_ms, a, sizeof a), w->timeout_sec);
}

/* Boot status (the ioctl, else sysfs) and nowayout (sysfs only). */
static void dev_status(struct wd *w, struct hwh_ctx *ctx)
{
	unsigned long v;
	int flags = 0;

	w->have_bootstatus = 1;
	if (ioctl(w->fd, WDIOC_GETBOOTSTATUS, &flags) == 0)
		w->bootstatus = (unsigned)flags;
	else if (w->sysfs[0] && wd_sysfs_uint(w->sysfs, "bootstatus", &v) == 0)
		w->bootstatus = (unsigned)v;
	else
		w->have_bootstatus = 0;
	w->nowayout = w->sysfs[0] && wd_sysfs_uint(w->sysfs, "nowayout", &v) == 0 && v == 1;
	if (w->nowayout)
		hwh_log(ctx, HWH_LOG_NOTICE,
			"nowayout is set: the watchdog cannot be disarmed, even by a clean "
			"stop of hwhealthd");
}

/* Close, with magic close unless fencing.  Logs which. */
static void dev_close(struct wd *w, struct hwh_ctx *ctx, int magic)
{
	char ebuf[128];
	int t = w->timeout_sec;

	atomic_store(&w->held, 0);
	if (!magic)
		hwh_log(ctx, HWH_LOG_WARNING,
			"self-fenced: closing %s without magic close; the watchdog stays armed "
			"and resets this node within %d s",
			w->conf.device, t);
	else if (write(w->fd, "V", 1) != 1)
		hwh_log(ctx, HWH_LOG_ERR,
			"magic close of %s failed (%s): the watchdog stays armed and resets "
			"this node within %d s",
			w->conf.device, errstr(errno, ebuf, sizeof ebuf), t);
	else if (w->nowayout)
		hwh_log(ctx, HWH_LOG_WARNING,
			"magic close written, but %s has nowayout set: it keeps running and "
			"resets this node within %d s unless something else pets it",
			w->conf.device, t);
	else
		hwh_log(ctx, HWH_LOG_NOTICE, "magic close: %s disarmed", w->conf.device);
	if (close(w->fd) < 0)
		hwh_log(ctx, HWH_LOG_WARNING, "close %s: %s", w->conf.device,
			errstr(errno, ebuf, sizeof ebuf));
	w->fd = -1;
}

/* ---- kept state: the watchdog reset and the fence -------------------------- */

/* A fence kept earlier in this boot (a reload, a restart) still holds. */
static void fence_restore(struct wd *w, struct hwh_ctx *ctx)
{
	char id[BOOT_ID_MAX], kept[HWH_STATE_VALUE_MAX], reason[WD_WHY_MAX];
	size_t n;

	if (wd_boot_id(id, sizeof id) < 0 || hwh_state_get(ctx, KEY_FENCED, kept, sizeof kept) <= 0)
		return;
	n = strlen(id);
	if (strncmp(kept, id, n) != 0 || kept[n] != ' ')
		return; /* an earlier boot's: that fence did its work */
	snprintf(reason, sizeof reason, "%s (requested before a restart)", kept + n + 1);
	fence_set(w, reason);
	snprintf(w->fence_value, sizeof w->fence_value, "%s", kept); /* the first reason */
	hwh_log(ctx, HWH_LOG_WARNING,
		"self-fence requested earlier in this boot (%s): not petting, not setting the "
		"timeout (both would restart the countdown)",
		kept + n + 1);
}

/* Keep the fence, so that a reload or restart does not undo it.  Staged
 * again by every poll while fencing: the core drops what a poll staged when
 * that poll overruns, and staging the same value again costs nothing. */
static void fence_keep(struct wd *w, struct hwh_ctx *ctx)
{
	char id[BOOT_ID_MAX], reason[WD_WHY_MAX];

	if (!atomic_load(&w->fencing))
		return;
	if (w->fence_value[0] == '\0') {
		if (wd_boot_id(id, sizeof id) < 0) {
			if (!w->fence_said)
				hwh_log(ctx, HWH_LOG_WARNING,
					"cannot read the boot id: a restart of the daemon "
					"would undo this self-fence");
			w->fence_said = 1;
			return;
		}
		fence_reason(w, reason, sizeof reason);
		snprintf(w->fence_value, sizeof w->fence_value, "%s %s", id, reason);
	}
	if (hwh_state_set(ctx, KEY_FENCED, w->fence_value) < 0 && !w->fence_said) {
		w->fence_said = 1;
		hwh_log(ctx, HWH_LOG_WARNING,
			"cannot keep the self-fence: a restart of the "
			"daemon would undo it");
	}
}

/* The last boot was the watchdog's doing: one event per boot id. */
static void report_reset(struct wd *w, struct hwh_ctx *ctx)
{
	char id[BOOT_ID_MAX], kept[BOOT_ID_MAX], text[WD_TEXT_MAX + 64], bits[WD_TEXT_MAX];
	struct hwh_event e = {
	    .device = w->devname, .type = "watchdog-reset", .severity = HWH_SEV_WARNING};
	int have_id;

	w->reset_checked = 1;
	if (!w->have_bootstatus || !(w->bootstatus & WDIOF_CARDRESET))
		return;
	have_id = wd_boot_id(id, sizeof id) == 0;
	if (have_id && hwh_state_get(ctx, KEY_RESET_BOOT, kept, sizeof kept) > 0 &&
	    strcmp(kept, id) == 0) {
		hwh_log(ctx, HWH_LOG_DEBUG, "watchdog reset of boot %s already reported", id);
		return;
	}
	snprintf(text, sizeof text,
		 "the last reboot was caused by the watchdog (%s, bootstatus %s)", w->identity,
		 wd_bootstatus_text(w->bootstatus, bits, sizeof bits));
	e.text = text;
	if (hwh_event(ctx, &e) < 0)
		hwh_log(ctx, HWH_LOG_WARNING, "the core refused the watchdog-reset event");
	if (!have_id)
		hwh_log(ctx, HWH_LOG_WARNING,
			"cannot read the boot id: the watchdog-reset event "
			"will be reported again at the next start");
	else if (hwh_state_set(ctx, KEY_RESET_BOOT, id) < 0)
		hwh_log(ctx, HWH_LOG_WARNING, "cannot keep the boot id of the reported reset");
}

/* ---- one poll --------------------------------------------------------------- */

/* Polls must come at least twice per timeout, or a late one lets the
 * hardware fire.  Said once. */
static void check_interval(struct wd *w, struct hwh_ctx *ctx, int64_t now)
{
	char a[32], b[32];
	int64_t gap = now - w->last_poll_ms;

	w->last_poll_ms = now;
	if (w->said_interval || w->timeout_sec <= 0 || gap * 2 <= (int64_t)w->timeout_sec * 1000)
		return;
	w->said_interval = 1;
	hwh_log(ctx, HWH_LOG_WARNING,
		"polls came %s apart, more than half the hardware timeout (%d s): set this "
		"source's interval below %s, or one late poll resets the node",
		wd_fmt_ms(gap, a, sizeof a), w->timeout_sec,
		wd_fmt_ms((int64_t)w->timeout_sec * 500, b, sizeof b));
}

/* What wd_should_pet() looks at. */
static void gather(struct wd *w, struct hwh_ctx *ctx, int64_t now, struct wd_inputs *in,
		   struct wd_req *req, char *reason, size_t rlen)
{
	struct hwh_daemon_health h;
	int rc;

	memset(in, 0, sizeof *in);
	in->fencing = atomic_load(&w->fencing);
	if (in->fencing)
		fence_reason(w, reason, rlen);
	in->fence_reason = reason;
	if ((rc = hwh_daemon_health(ctx, &h)) == 0) {
		in->have_health = 1;
		in->loop_age_ms = h.loop_age_ms;
	} else if (!w->said_no_health) {
		w->said_no_health = 1;
		hwh_log(ctx, HWH_LOG_DEBUG,
			"the daemon cannot tell its main loop's age (%d, an older host): "
			"taking the loop as healthy",
			rc);
	}
	in->max_loop_age_ms = w->max_loop_age_ms;
	for (size_t i = 0; i < w->conf.nrequire; i++) {
		req[i].name = w->conf.require[i];
		req[i].down_ms = 0;
		rc = hwh_source_up(ctx, req[i].name, &req[i].down_ms);
		req[i].up = rc >= 0 ? rc != 0 : -1;
		if (req[i].up >= 0) {
			w->missing_since[i] = 0;
			continue;
		}
		if (w->missing_since[i] == 0)
			w->missing_since[i] = now;
		req[i].down_ms = now - w->missing_since[i];
	}
	in->req = req;
	in->nreq = w->conf.nrequire;
	in->grace_ms = w->conf.grace_ms;
}

/* Log the reason not to pet when it changes (not every poll). */
static void say_why(struct wd *w, struct hwh_ctx *ctx, const struct wd_why *why)
{
	if (why->cause == w->last.cause && why->req == w->last.req)
		return;
	if (why->cause == WD_CAUSE_NONE)
		hwh_log(ctx, HWH_LOG_NOTICE, "petting %s again", w->conf.device);
	else
		hwh_log(ctx, HWH_LOG_WARNING,
			"not petting %s: %s; the hardware resets this node within %d s "
			"unless petting resumes",
			w->conf.device, why->text, w->timeout_sec);
	w->last = *why;
}

/* Emit one reading of the device.  0 or what hwh_emit() returned. */
static int emit_num(struct wd *w, struct hwh_ctx *ctx, const char *name, double value,
		    const char *unit, const char *text)
{
	struct hwh_reading r;

	hwh_reading_init(&r);
	r.device = w->devname;
	r.name = name;
	r.label = w->identity;
	r.kind = HWH_KIND_OTHER;
	r.unit = unit;
	r.value = value;
	r.text = text;
	return hwh_emit(ctx, &r);
}

/* Seconds before the hardware fires, or -1: the ioctl, else sysfs. */
static int timeleft(struct wd *w)
{
	unsigned long v;
	int t = -1;

	if (ioctl(w->fd, WDIOC_GETTIMELEFT, &t) == 0 && t >= 0)
		return t;
	if (w->sysfs[0] && wd_sysfs_uint(w->sysfs, "timeleft", &v) == 0 && v <= INT_MAX)
		return (int)v;
	return -1;
}

static void emit_all(struct wd *w, struct hwh_ctx *ctx, const struct wd_why *why, int petting,
		     int64_t now)
{
	char bits[WD_TEXT_MAX];
	int refused = 0, left = timeleft(w);

	refused += emit_num(w, ctx, "petting", petting, NULL, why->text) < 0;
	refused += emit_num(w, ctx, "timeout", w->timeout_sec, "s", NULL) < 0;
	if (left >= 0)
		refused += emit_num(w, ctx, "timeleft", left, "s", NULL) < 0;
	if (w->have_bootstatus)
		refused += emit_num(w, ctx, "bootstatus", w->bootstatus, NULL,
				    wd_bootstatus_text(w->bootstatus, bits, sizeof bits)) < 0;
	refused +=
	    emit_num(w, ctx, "last_pet_age", (double)(now - w->last_pet_ms) / 1000, "s", NULL) < 0;
	if (refused > 0)
		hwh_log(ctx, HWH_LOG_WARNING, "the core refused %d readings", refused);
}

/* ---- the plugin callbacks --------------------------------------------------- */

/* Never part of a default configuration: arming a watchdog is a decision. */
static int wd_probe(void)
{
	return 0;
}

static void wd_free(struct wd *w)
{
	wd_conf_free(&w->conf);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static int wd_config(const struct hwh_option *opts, size_t nopts, void **inst,
		     struct hwh_config_error *err)
{
	struct wd *w = calloc(1, sizeof *w);
	const char *base;

	if (w == NULL) {
		err->option = -1;
		snprintf(err->msg, sizeof err->msg, "out of memory");
		return -1;
	}
	w->fd = -1;
	pthread_mutex_init(&w->lock, NULL);
	atomic_init(&w->fencing, 0);
	atomic_init(&w->held, 0);
	atomic_init(&w->timeout_sec, 0);
	if (wd_conf_parse(opts, nopts, &w->conf, err) < 0) {
		wd_free(w);
		return -1;
	}
	base = strrchr(w->conf.device, '/') + 1; /* the path is absolute */
	snprintf(w->devname, sizeof w->devname, "%s", base[0] ? base : "watchdog");
	*inst = w;
	return 0;
}

/* What require needs from the host, before anything is armed. */
static int check_require(struct wd *w, struct hwh_ctx *ctx)
{
	int64_t down;
	int rc;

	for (size_t i = 0; i < w->conf.nrequire; i++) {
		rc = hwh_source_up(ctx, w->conf.require[i], &down);
		if (rc == -ENOSYS) {
			hwh_error(ctx, "require: this hwhealthd cannot tell whether a source is "
				       "up (no source_up, plugin ABI 1.2): remove require or "
				       "upgrade");
			return rc;
		}
		if (rc == -ENOENT) {
			hwh_error(ctx, "require: no source named '%s' in this configuration",
				  w->conf.require[i]);
			return rc;
		}
	}
	return 0;
}

static int wd_init(void *inst, struct hwh_ctx *ctx)
{
	struct wd *w = inst;
	char ebuf[128];
	int rc;

	w->ctx = ctx;
	if ((rc = check_require(w, ctx)) < 0 || (rc = dev_open(w, ctx)) < 0)
		return rc;
	/* First, before any ioctl that pets: a fenced node must not be given
	 * another timeout by a reload or a restart. */
	fence_restore(w, ctx);
	dev_identify(w, ctx);
	if (atomic_load(&w->fencing))
		dev_read_timeout(w, ctx);
	else
		dev_set_timeout(w, ctx);
	set_loop_age(w, ctx);
	dev_status(w, ctx);
	if (!atomic_load(&w->fencing) && (rc = pet(w)) < 0) {
		hwh_error(ctx, "%s: keepalive failed: %s", w->conf.device,
			  errstr(-rc, ebuf, sizeof ebuf));
		dev_close(w, ctx, 1);
		return rc;
	}
	w->last_poll_ms = (int64_t)pu_mono_ms();
	w->last = (struct wd_why){.cause = WD_CAUSE_NONE};
	w->reset_checked = 0;
	atomic_store(&w->held, 1);
	hwh_log(ctx, HWH_LOG_INFO, "holding %s (%s), timeout %d s, max-loop-age %lld ms%s%s",
		w->conf.device, w->identity, w->timeout_sec, (long long)w->max_loop_age_ms,
		w->conf.self_fence ? ", self-fence allowed" : "",
		atomic_load(&w->fencing) ? ", self-fenced: not petting" : "");
	return 0;
}

static int wd_poll(void *inst, struct hwh_ctx *ctx)
{
	struct wd *w = inst;
	struct wd_req req[WD_REQUIRE_MAX];
	char reason[WD_WHY_MAX], ebuf[128];
	struct wd_inputs in;
	struct wd_why why;
	int64_t now = (int64_t)pu_mono_ms();
	int petting, rc = 0;

	check_interval(w, ctx, now);
	gather(w, ctx, now, &in, req, reason, sizeof reason);
	petting = wd_should_pet(&in, &why);
	if (petting && (rc = pet(w)) < 0) {
		petting = 0;
		snprintf(why.text, sizeof why.text, "keepalive failed: %s",
			 errstr(-rc, ebuf, sizeof ebuf));
	}
	say_why(w, ctx, &why);
	fence_keep(w, ctx);
	if (!w->reset_checked)
		report_reset(w, ctx);
	emit_all(w, ctx, &why, petting, (int64_t)pu_mono_ms());
	if (rc < 0) {
		hwh_error(ctx, "%s: %s", w->conf.device, why.text);
		return rc;
	}
	return 0;
}

/* "self-fence" on the main thread: a flag the next poll reads. */
static int wd_act(void *inst, struct hwh_ctx *ctx, const char *action, const char *arg)
{
	struct wd *w = inst;

	if (action == NULL || strcmp(action, "self-fence") != 0)
		return -ENOTSUP;
	if (!w->conf.self_fence) {
		hwh_log(ctx, HWH_LOG_WARNING,
			"self-fence refused: not enabled for this source (set 'self-fence yes' "
			"in its block to allow it)");
		return -EPERM;
	}
	if (!atomic_load(&w->held)) {
		hwh_log(ctx, HWH_LOG_WARNING,
			"self-fence refused: %s is not held (the source "
			"has not started)",
			w->conf.device);
		return -ENODEV;
	}
	fence_set(w, arg);
	hwh_log(ctx, HWH_LOG_WARNING,
		"self-fence requested (%s): petting stops; the hardware resets this node "
		"within %d s",
		arg && arg[0] ? arg : "no reason given", atomic_load(&w->timeout_sec));
	return 0;
}

static void wd_shutdown(void *inst)
{
	struct wd *w = inst;

	if (w->fd >= 0 && atomic_load(&w->fencing))
		handover_put(w, w->ctx);
	else if (w->fd >= 0)
		dev_close(w, w->ctx, 1);
	wd_free(w);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "watchdog",
	.description = "hardware watchdog: petted while the daemon works, self-fence on "
		       "request, watchdog-caused reboots",
	.probe = wd_probe,
	.config = wd_config,
	.init = wd_init,
	.poll = wd_poll,
	.rescan = NULL,
	.act = wd_act,
	.shutdown = wd_shutdown,
	.default_interval_ms = WD_INTERVAL_DEFAULT_MS,
	.default_timeout_ms = WD_TIMEOUT_POLL_MS,
	.multiword_options = (const char *const[]){"require", NULL},
};
/* clang-format on */
