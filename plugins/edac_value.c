/*
 * edac_value.c: the edac plugin's pure parts, with no I/O and no state:
 * parsing a sysfs count, cleaning a label, recognising directory and file
 * names, and naming devices and metrics.
 *
 * Kept apart from edac.c so that the unit tests (tests/unit/check_edac.c)
 * and the fuzz target (tests/fuzz/fuzz_edac_value.c) link it alone.  A
 * count file holds one unsigned decimal number and a newline (the kernel
 * prints them with "%u\n" or "%d\n"); anything else -- empty, a sign, a
 * space, trailing text, a number too large -- is an unreadable value with
 * a reason, never 0.
 *
 * To extend: a new counter file is one row in count_names[] below.
 */
#include <stdio.h>
#include <string.h>

#include "edac_internal.h"

#define EDAC_COUNT_LIMIT (UINT64_C(1) << 53) /* largest count a double holds exactly */

/* Counter files the plugin reports, per level, and the metric names they
 * get.  Names are chosen for edac.rules: the corrected-error rule matches
 * "dimm_ce_count" and "ch*_ce_count" (one per DIMM), the uncorrected one
 * "dimm_ue_count", "csrow_ue_count" (the finest UE count a csrow-only
 * driver has) and "ue_noinfo_count"; totals carry names neither matches,
 * so an error is never counted on its DIMM and on its controller too. */
static const struct {
	enum edac_level lvl;
	const char *file;
	const char *name;
} count_names[] = {
    {EDAC_LVL_MC, "ce_count", "total_ce"},
    {EDAC_LVL_MC, "ue_count", "total_ue"},
    {EDAC_LVL_MC, "ce_noinfo_count", "ce_noinfo_count"},
    {EDAC_LVL_MC, "ue_noinfo_count", "ue_noinfo_count"},
    {EDAC_LVL_DIMM, "dimm_ce_count", "dimm_ce_count"},
    {EDAC_LVL_DIMM, "dimm_ue_count", "dimm_ue_count"},
    {EDAC_LVL_CSROW, "ce_count", "csrow_total_ce"},
    {EDAC_LVL_CSROW, "ue_count", "csrow_ue_count"},
};

int edac_parse_count(const char *buf, size_t len, uint64_t *v, const char **why)
{
	uint64_t n = 0;
	size_t i;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len == 0) {
		*why = "empty value";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (buf[i] < '0' || buf[i] > '9') {
			*why = buf[i] == '-' ? "negative count" : "not a decimal count";
			return -1;
		}
		n = n * 10 + (uint64_t)(buf[i] - '0');
		if (n > EDAC_COUNT_LIMIT) {
			*why = "count out of range";
			return -1;
		}
	}
	*v = n;
	return 0;
}

size_t edac_clean_text(const char *buf, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	while (len > 0 && buf[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < len && n + 1 < outlen; i++) {
		unsigned char c = (unsigned char)buf[i];
		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
	return n;
}

/* Parse a decimal index at s, running to the end of s or to stop.  The
 * position after it, or NULL. */
static const char *parse_index(const char *s, unsigned *idx)
{
	unsigned n = 0;
	const char *p = s;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > EDAC_INDEX_MAX)
			return NULL;
	}
	*idx = n;
	return p;
}

int edac_dir_index(const char *name, const char *prefix, unsigned *idx)
{
	size_t plen = strlen(prefix);
	const char *end;

	if (strncmp(name, prefix, plen) != 0)
		return 0;
	end = parse_index(name + plen, idx);
	return end != NULL && *end == '\0';
}

int edac_chan_file(const char *name, unsigned *chan)
{
	const char *end;

	if (strncmp(name, "ch", 2) != 0)
		return 0;
	end = parse_index(name + 2, chan);
	return end != NULL && strcmp(end, "_ce_count") == 0;
}

const char *edac_metric_name(enum edac_level lvl, const char *file)
{
	for (size_t i = 0; i < sizeof count_names / sizeof count_names[0]; i++)
		if (count_names[i].lvl == lvl && strcmp(count_names[i].file, file) == 0)
			return count_names[i].name;
	return NULL;
}

int edac_device_name(char *buf, size_t len, unsigned mc, const char *sub)
{
	int n;

	if (sub == NULL || sub[0] == '\0')
		n = snprintf(buf, len, "mc%u", mc);
	else
		n = snprintf(buf, len, "mc%u-%s", mc, sub);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}
