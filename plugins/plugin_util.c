/*
 * plugin_util: helpers shared by the source plugins.  See plugin_util.h.
 */
#include "plugin_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

uint64_t pu_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int pu_parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	unsigned long long n;
	char *end;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (n > UINT64_MAX / units[i].mult)
			return -1;
		*ms = n * units[i].mult;
		return 0;
	}
	return -1;
}

int pu_opt_repeated(const struct hwh_option *opts, size_t i, char *msg, size_t len)
{
	for (size_t j = 0; j < i; j++) {
		if (strcmp(opts[j].key, opts[i].key) == 0) {
			snprintf(msg, len, "option '%s' given twice (first at line %d)",
				 opts[i].key, opts[j].line);
			return 1;
		}
	}
	return 0;
}

int pu_short_hostname(char *buf, size_t len)
{
	char host[256];

	if (gethostname(host, sizeof host) < 0)
		return -errno;
	host[sizeof host - 1] = '\0';
	host[strcspn(host, ".")] = '\0';
	if (host[0] == '\0')
		return -ENOENT;
	if ((size_t)snprintf(buf, len, "%s", host) >= len)
		return -ENAMETOOLONG;
	return 0;
}
