/*
 * log: stderr or journal output with levels.  See log.h.
 */
#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

static const char *const level_names[] = {
    [HWH_LOG_ERR] = "err",   [HWH_LOG_WARNING] = "warning", [HWH_LOG_NOTICE] = "notice",
    [HWH_LOG_INFO] = "info", [HWH_LOG_DEBUG] = "debug",
};

static atomic_int log_level = HWH_LOG_INFO;
static int use_journal;
static const char *log_ident = "hwhealthd";

/* True when stderr is the journal stream systemd gave us. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, int level)
{
	log_ident = ident;
	log_set_level(level);
	use_journal = stderr_is_journal();
}

void log_set_level(int level)
{
	if (level < HWH_LOG_ERR)
		level = HWH_LOG_ERR;
	if (level > HWH_LOG_DEBUG)
		level = HWH_LOG_DEBUG;
	atomic_store(&log_level, level);
}

int log_get_level(void)
{
	return atomic_load(&log_level);
}

int log_level_from_name(const char *name)
{
	for (int i = HWH_LOG_ERR; i <= HWH_LOG_DEBUG; i++)
		if (strcmp(level_names[i], name) == 0)
			return i;
	return -1;
}

const char *log_level_name(int level)
{
	if (level == LOG_CRIT_PRIO)
		return "crit";
	if (level < HWH_LOG_ERR || level > HWH_LOG_DEBUG)
		return "?";
	return level_names[level];
}

static void log_stderr(int prio, const char *prefix, const char *msg)
{
	char line[2048], stamp[32];
	struct timespec ts;
	struct tm tm;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof line, "%s.%03ldZ %s[%d] %s: %s%s%s\n", stamp,
		     ts.tv_nsec / 1000000, log_ident, (int)getpid(), log_level_name(prio),
		     prefix ? prefix : "", prefix ? ": " : "", msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	/* One write so lines from several threads never interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void log_vmsg(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char msg[1536];

	if (prio > atomic_load(&log_level))
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (use_journal)
		sd_journal_send("MESSAGE=%s%s%s", prefix ? prefix : "", prefix ? ": " : "", msg,
				"PRIORITY=%d", prio, "SYSLOG_IDENTIFIER=%s", log_ident,
				prefix ? "HWHEALTH_SOURCE=%s" : NULL, prefix, NULL);
	else
		log_stderr(prio, prefix, msg);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(prio, NULL, fmt, ap);
	va_end(ap);
}
