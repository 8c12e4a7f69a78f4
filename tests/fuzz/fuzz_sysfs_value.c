/*
 * libFuzzer target for the sensors plugin's sysfs value parser
 * (plugins/sensors_value.c: sens_parse_raw).  Whatever the bytes, it must
 * either give a finite number or say why not, and never read past the text.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensors_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	const char *why = NULL;
	double v = NAN;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (sens_parse_raw(text, &v, &why) == 0) {
		if (!isfinite(v))
			abort(); /* a parsed value is always a real number */
	} else if (why == NULL) {
		abort(); /* a refusal always says why */
	}
	free(text);
	return 0;
}
