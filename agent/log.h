/*
 * log: the daemon's one way to say something.  Writes a line to stderr
 * (with an ISO-8601 time stamp unless stderr is the journal), or straight to
 * the journal with its priority when hwhealthd runs under systemd
 * (JOURNAL_STREAM names our stderr).  Thread-safe: each message is written
 * with a single write(2).
 */
#ifndef HWH_LOG_H
#define HWH_LOG_H

#include <stdarg.h>

#include <hwhealth/plugin.h> /* HWH_LOG_* */

void log_init(const char *ident, int level);
void log_set_level(int level);
int log_get_level(void);
/* Parse "err", "warning", "notice", "info", "debug"; -1 if unknown. */
int log_level_from_name(const char *name);
const char *log_level_name(int level);

/* prefix (may be NULL) is put before the message, e.g. a source's name. */
void log_vmsg(int prio, const char *prefix, const char *fmt, va_list ap);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* syslog's LOG_CRIT: automatic actions on the node itself (self-fence). */
#define LOG_CRIT_PRIO 2
#define log_crit(...) log_msg(LOG_CRIT_PRIO, __VA_ARGS__)
#define log_err(...) log_msg(HWH_LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(HWH_LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(HWH_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(HWH_LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(HWH_LOG_DEBUG, __VA_ARGS__)

#endif
