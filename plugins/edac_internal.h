/*
 * edac_internal.h: what the edac plugin's files share, and nothing the core
 * sees.  The plugin (build/plugins/edac.so) is two files:
 *
 *   edac.c        the hwh_plugin descriptor, its options, discovery of the
 *                 memory controllers under ROOT/mc and the per-poll reads
 *   edac_value.c  pure C: the strict parser of a sysfs count, label
 *                 cleaning and the naming of devices and metrics (linked
 *                 alone by the unit tests and tests/fuzz/fuzz_edac_value.c)
 *
 * Every function declared here is hidden (EDAC_HIDDEN): the .so exports
 * hwh_plugin alone.
 *
 * To extend: a new sysfs counter file is one row in edac_value.c's naming
 * tables; a new kind of directory is a new enum edac_level value, its
 * table, and its walk in edac.c.
 */
#ifndef HWH_EDAC_INTERNAL_H
#define HWH_EDAC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Shared between this plugin's files, not exported from edac.so. */
#define EDAC_HIDDEN __attribute__((visibility("hidden")))

#define EDAC_VALUE_MAX 64   /* bytes of a count file read: "4294967295\n" is 11 */
#define EDAC_TEXT_MAX 128   /* bytes of a label or a location kept */
#define EDAC_ID_MAX 48	    /* device and metric names with their NUL */
#define EDAC_INDEX_MAX 9999 /* largest mcN / dimmN / csrowN / chN index accepted */

/* Where in the EDAC tree a counter file lives. */
enum edac_level {
	EDAC_LVL_MC = 0, /* mcN/: the controller's totals and unplaced errors */
	EDAC_LVL_DIMM,	 /* mcN/dimmM/ or mcN/rankM/: one DIMM (or rank) */
	EDAC_LVL_CSROW,	 /* mcN/csrowK/: legacy csrow totals */
	EDAC_LVL_COUNT	 /* number of levels, not a level */
};

/*
 * Parse the text of a sysfs count file (len bytes, not NUL-terminated,
 * may hold NULs): decimal digits, then at most one newline, nothing else.
 * No sign, no spaces, no leading '+', at most 2^53 so that the double the
 * core keeps is exact.  0 with *v set, or -1 with *why a static message.
 */
EDAC_HIDDEN int edac_parse_count(const char *buf, size_t len, uint64_t *v, const char **why);

/*
 * Clean the text of a label or location file into out (size outlen >= 1):
 * one trailing newline and trailing spaces dropped, control characters
 * replaced by '?', truncated to fit.  Returns the length of out; 0 means
 * no label (the kernel reads an unset dimm_label as empty).
 */
EDAC_HIDDEN size_t edac_clean_text(const char *buf, size_t len, char *out, size_t outlen);

/*
 * If name is prefix followed by a decimal index (no sign, no leading zero
 * unless it is "0", at most EDAC_INDEX_MAX), set *idx and return 1; else 0.
 * edac_dir_index("dimm12", "dimm", &i) gives 12.
 */
EDAC_HIDDEN int edac_dir_index(const char *name, const char *prefix, unsigned *idx);

/* If name is a csrow's per-channel count file "chJ_ce_count", set *chan =
 * J and return 1; else 0. */
EDAC_HIDDEN int edac_chan_file(const char *name, unsigned *chan);

/*
 * The metric name of counter file `file` at level lvl, or NULL when the
 * plugin does not report that file.  Controller and csrow totals get names
 * that edac.rules' corrected-error rule does not match ("total_ce",
 * "csrow_total_ce"...), so that no error is counted twice; see the table
 * in edac_value.c.  Per-channel files (chJ_ce_count) keep their name and
 * are not in the table.
 */
EDAC_HIDDEN const char *edac_metric_name(enum edac_level lvl, const char *file);

/*
 * The device of a metric into buf (size len): "mcN" for a controller,
 * "mcN-SUB" for one of its dimm/rank/csrow directories (sub = "dimm3").
 * sub NULL or "" gives "mcN".  0, or -1 if it does not fit.
 */
EDAC_HIDDEN int edac_device_name(char *buf, size_t len, unsigned mc, const char *sub);

#endif /* HWH_EDAC_INTERNAL_H */
