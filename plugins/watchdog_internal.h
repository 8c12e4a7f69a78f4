/*
 * watchdog_internal.h: what the watchdog plugin's files share, and nothing
 * the core sees.  The plugin (build/plugins/watchdog.so) is three files:
 *
 *   watchdog.c        the hwh_plugin descriptor, the device (open, ioctls,
 *                     petting, magic close) and the callbacks
 *   watchdog_logic.c  pure C: the options, the decoding of the boot status
 *                     and the decision whether to pet (wd_should_pet()),
 *                     linked alone by the unit tests
 *   watchdog_sys.c    what the plugin reads beside the device: the sysfs
 *                     directory, the boot id, and /proc to name whoever
 *                     holds a busy device
 *
 * Every function declared here is hidden (WD_HIDDEN): the .so exports
 * hwh_plugin alone.
 *
 * To extend: a new option is a row in watchdog_logic.c's option table and a
 * field of struct wd_conf; a new reason to stop petting is an enum wd_cause
 * value and a test in wd_should_pet().
 */
#ifndef HWH_WATCHDOG_INTERNAL_H
#define HWH_WATCHDOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <hwhealth/plugin.h>

/* Shared between this plugin's files, not exported from watchdog.so. */
#define WD_HIDDEN __attribute__((visibility("hidden")))

#define WD_DEVICE_DEFAULT "/dev/watchdog"
#define WD_TIMEOUT_DEFAULT_SEC 60u
#define WD_TIMEOUT_MAX_SEC 3600u
#define WD_GRACE_DEFAULT_MS (2 * 60 * 1000)
/* The core's main loop goes round at least once a second, so a loop age
 * below this is normal: a smaller max-loop-age would stop petting a healthy
 * daemon. */
#define WD_LOOP_AGE_MIN_MS 1500
#define WD_REQUIRE_MAX 16 /* names in all require options together */
#define WD_NAME_MAX 65	  /* a source name (1 to 64 characters) and its NUL */
#define WD_WHY_MAX 192	  /* text of a reason not to pet */
#define WD_TEXT_MAX 128	  /* decoded boot status, identity, holders... */

/* A source block's options, validated. */
struct wd_conf {
	char *device;		 /* device to open */
	char *sysfs;		 /* its sysfs directory; NULL: derived from the device */
	unsigned timeout_sec;	 /* hardware timeout to set */
	int64_t grace_ms;	 /* require-grace */
	int64_t max_loop_age_ms; /* max-loop-age, resolved (default timeout / 2) */
	int max_loop_age_given;	 /* set by the option; else init() derives it from
				  * the timeout the driver took */
	int self_fence;		 /* act("self-fence") allowed */
	size_t nrequire;	 /* names in require[] */
	char require[WD_REQUIRE_MAX][WD_NAME_MAX];
};

/*
 * Parse a source block's options into c (zeroed by the caller; free with
 * wd_conf_free()).  Every key but require at most once.  0, or -1 with
 * err->option and err->msg set.
 */
WD_HIDDEN int wd_conf_parse(const struct hwh_option *opts, size_t nopts, struct wd_conf *c,
			    struct hwh_config_error *err);
WD_HIDDEN void wd_conf_free(struct wd_conf *c);
/* The default max-loop-age for a hardware timeout: half of it, at least
 * WD_LOOP_AGE_MIN_MS. */
WD_HIDDEN int64_t wd_loop_age_default(unsigned timeout_sec);

/*
 * The status bits of WDIOC_GETBOOTSTATUS (WDIOF_OVERHEAT ... WDIOF_POWEROVER)
 * as words: "card-reset", "overheat,fan-fault", "none" for 0; bits that are
 * no boot status are shown as "other(0x...)".  Returns buf.
 */
WD_HIDDEN const char *wd_bootstatus_text(unsigned flags, char *buf, size_t len);

/* A duration for people: "800ms", "1.5s", "2m", "2m10s", "1h5m". */
WD_HIDDEN const char *wd_fmt_ms(int64_t ms, char *buf, size_t len);

/* Why petting stopped. */
enum wd_cause {
	WD_CAUSE_NONE = 0, /* petting: every condition holds */
	WD_CAUSE_FENCE,	   /* self-fence was requested */
	WD_CAUSE_LOOP,	   /* the daemon's main loop is stuck */
	WD_CAUSE_REQUIRE,  /* a required source is down past its grace */
};

/* One required source as of this poll. */
struct wd_req {
	const char *name;
	int up;		 /* 1 up, 0 down, -1 no such source */
	int64_t down_ms; /* how long it has been down or missing */
};

/* What the decision looks at: gathered by the poll, decided here. */
struct wd_inputs {
	int fencing;		  /* self-fence requested */
	const char *fence_reason; /* its reason */
	int have_health;	  /* the host told the loop age */
	int64_t loop_age_ms;	  /* since the main loop last went round */
	int64_t max_loop_age_ms;
	const struct wd_req *req; /* required sources */
	size_t nreq;
	int64_t grace_ms; /* how long one may be down */
};

/* The decision, with its reason. */
struct wd_why {
	enum wd_cause cause; /* WD_CAUSE_NONE when petting */
	size_t req;	     /* WD_CAUSE_REQUIRE: index of the source */
	char text[WD_WHY_MAX];
};

/*
 * Whether to pet the watchdog now.  Returns 1 to pet (why->cause NONE,
 * text "ok"), or 0 with the first reason not to: a self-fence, then a
 * stuck main loop, then the first required source down (or missing) for
 * grace_ms or longer.  A host that cannot tell the loop age (have_health 0)
 * counts as a healthy loop.  Pure.
 */
WD_HIDDEN int wd_should_pet(const struct wd_inputs *in, struct wd_why *why);

/* ---- watchdog_sys.c ---- */

/* DIR/name's first line, without trailing blanks, into buf.  0, or -errno
 * (-EFBIG when it does not fit). */
WD_HIDDEN int wd_sysfs_text(const char *dir, const char *name, char *buf, size_t len);
/* DIR/name as a decimal number.  0, -errno, or -EINVAL if not a number. */
WD_HIDDEN int wd_sysfs_uint(const char *dir, const char *name, unsigned long *v);
/*
 * The sysfs directory of the watchdog char device with this rdev, into buf:
 * /sys/dev/char/MAJ:MIN when it has a bootstatus file, or for the legacy
 * /dev/watchdog (misc 10:130) the class directory of watchdog0, which the
 * kernel makes the same device.  sys is "/sys" (tests pass a tree).  0, or
 * -ENOENT with buf "" when there is none.
 */
WD_HIDDEN int wd_sysfs_dir(const char *sys, unsigned maj, unsigned min, char *buf, size_t len);
/* The kernel's boot id (/proc/sys/kernel/random/boot_id) into buf.  0 or
 * -errno. */
WD_HIDDEN int wd_boot_id(char *buf, size_t len);
/*
 * The processes holding path open, as "pid 123 (systemd), pid 456 (sbd)"
 * (at most three, then ", ..."), found by reading the /proc/PID/fd links
 * under proc ("/proc"); /dev/watchdog and /dev/watchdog0 count as one
 * device.  Reads links only, so a hung FUSE file elsewhere cannot block it.
 * Returns the number found (buf "" when none or /proc is unreadable).
 */
WD_HIDDEN int wd_find_holders(const char *proc, const char *path, char *buf, size_t len);

#endif
