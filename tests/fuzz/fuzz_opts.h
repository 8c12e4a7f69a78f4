/*
 * fuzz_opts.h: what the plugin-option fuzz targets share: the fuzz input as
 * "KEY VALUE" lines turned into the hwh_option array a plugin's config()
 * receives.
 */
#ifndef HWH_FUZZ_OPTS_H
#define HWH_FUZZ_OPTS_H

#include <stddef.h>
#include <string.h>

#include <hwhealth/plugin.h>

#define FUZZ_MAX_OPTS 32

/* Split text (modified in place) into at most FUZZ_MAX_OPTS options, one
 * per line, the key up to the first blank; returns how many. */
static inline size_t fuzz_split_opts(char *text, struct hwh_option *opts)
{
	size_t n = 0;

	for (char *line = text; line != NULL && n < FUZZ_MAX_OPTS;) {
		char *next = strchr(line, '\n'), *sp;

		if (next != NULL)
			*next++ = '\0';
		sp = strchr(line, ' ');
		if (sp != NULL)
			*sp++ = '\0';
		opts[n] = (struct hwh_option){
		    .key = line, .value = sp, .file = "fuzz.conf", .line = (int)n + 1, .col = 1};
		n++;
		line = next;
	}
	return n;
}

#endif
