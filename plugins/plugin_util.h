/*
 * plugin_util: small helpers every source plugin needs.  Plugins link no
 * core code (include/hwhealth/plugin.h), so these are linked into each
 * plugin's .so instead, hidden: a .so exports its hwh_plugin alone.
 */
#ifndef HWH_PLUGIN_UTIL_H
#define HWH_PLUGIN_UTIL_H

#include <stddef.h>
#include <stdint.h>

struct hwh_option;

#define PU_HIDDEN __attribute__((visibility("hidden")))

/* CLOCK_MONOTONIC in milliseconds. */
PU_HIDDEN uint64_t pu_mono_ms(void);

/* "500ms", "10s", "5m" or "1h" into milliseconds; a unit is required (a
 * bare number would be ambiguous: FreeIPMI's tools read it as ms, the
 * daemon's configuration as seconds).  0, or -1 on anything else. */
PU_HIDDEN int pu_parse_duration_ms(const char *s, uint64_t *ms);

/* If an option before opts[i] has its key: "option 'KEY' given twice (first
 * at line N)" into msg (size len) and 1; else 0.  For config(), which then
 * reports opts[i]. */
PU_HIDDEN int pu_opt_repeated(const struct hwh_option *opts, size_t i, char *msg, size_t len);

/* The host name up to its first '.' (what `hostname -s` prints), for an
 * actuator's default node name.  0; -ENAMETOOLONG when it does not fit in
 * len; -ENOENT when empty; another -errno from gethostname(). */
PU_HIDDEN int pu_short_hostname(char *buf, size_t len);

#endif
