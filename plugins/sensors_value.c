/*
 * sensors_value.c: parse one sysfs hwmon attribute's text into a number.
 *
 * Kept apart from the read path, with no dependency on libsensors or the
 * plugin's state, so that tests/fuzz/fuzz_sysfs_value.c can fuzz it alone.
 * sysfs attributes hold one decimal number and a newline; anything else
 * (empty, text, trailing garbage, out of range) is an unreadable value, never 0.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "sensors_internal.h"

int sens_parse_raw(const char *buf, double *raw, const char **why)
{
	char *end;
	double v;

	while (isspace((unsigned char)*buf))
		buf++;
	if (*buf == '\0') {
		*why = "empty value";
		return -1;
	}
	errno = 0;
	v = strtod(buf, &end);
	while (end != buf && isspace((unsigned char)*end))
		end++;
	if (end == buf || *end != '\0' || errno == ERANGE || !isfinite(v)) {
		*why = "not a number";
		return -1;
	}
	*raw = v;
	return 0;
}
