/*
 * libFuzzer target for the edac plugin's pure parts (plugins/edac_value.c):
 * the strict count parser and the label cleaner.  Whatever the bytes, a
 * count is either a number no larger than 2^53 written only with digits
 * and at most one final newline, or refused with a reason; a cleaned label
 * fits its buffer and holds no control character.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "edac_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's contract, checked independently of it. */
static int well_formed(const char *s, size_t n)
{
	if (n > 0 && s[n - 1] == '\n')
		n--;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1), out[32];
	const char *why = NULL;
	uint64_t v = 0;
	size_t n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size); /* not NUL-terminated: the parser takes a length */
	if (edac_parse_count(text, size, &v, &why) == 0) {
		if (!well_formed(text, size) || v > (UINT64_C(1) << 53))
			abort();
	} else if (why == NULL) {
		abort(); /* a refusal always says why */
	}
	n = edac_clean_text(text, size, out, sizeof out);
	if (n >= sizeof out || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
	free(text);
	return 0;
}
