/*
 * fuzz_smart_opts: libFuzzer target for the smart plugin's option parser
 * and discovery (plugins/smart_opts.c, plugins/smart_scan.c).
 *
 * The first byte picks what the rest is:
 *   even  options, one per line, "key value" (split at the first blank),
 *         as a source block hands them to config(): either accepted with
 *         consistent values (parallel 1..64, durations in range, drives
 *         with valid, distinct ids; one path may hold several drives, as
 *         megaraid,N) or refused with a message and an
 *         option index that exists;
 *   odd   `smartctl --scan-open --json=c` output: parsed or refused with
 *         a message, and when parsed, merged with a configured drive into
 *         a list whose every drive has a valid, distinct id and an
 *         absolute path, the configured one first.
 * Everything is freed, so ASan catches leaks and overruns.  Seeds are in
 * tests/fuzz/corpus/fuzz_smart_opts/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smart_internal.h"
#include "fuzz_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A drive id as smart_drive_id() promises it. */
static void check_id(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n >= SMART_ID_MAX)
		__builtin_trap();
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			__builtin_trap();
	}
}

static void check_list(const struct smart_devspec *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		check_id(l[i].id);
		if (l[i].path[0] != '/' || (l[i].type[0] && !smart_type_ok(l[i].type)))
			__builtin_trap();
		/* distinct ids; one path may hold several drives (megaraid,N) */
		for (size_t k = 0; k < i; k++)
			if (!strcmp(l[i].id, l[k].id))
				__builtin_trap();
	}
}

static void fuzz_opts(char *text)
{
	struct hwh_option opts[FUZZ_MAX_OPTS];
	struct hwh_config_error err;
	struct smart_opts o;
	size_t n = fuzz_split_opts(text, opts);
	char key[HWH_STATE_KEY_MAX];

	if (smart_opts_parse(opts, n, &o, &err) < 0) {
		if (err.option < -1 || err.option >= (int)n || err.msg[0] == '\0')
			__builtin_trap();
	} else {
		if (err.option != -1 || o.parallel < 1 || o.parallel > SMART_PARALLEL_MAX ||
		    o.device_timeout_ms < 100 || o.rescan_ms < 10000 || o.smartctl[0] != '/' ||
		    (o.ndevs == 0 && !o.scan))
			__builtin_trap();
		check_list(o.devs, o.ndevs);
		for (size_t i = 0; i < o.ndevs; i++) {
			smart_serial_key(o.devs[i].id, key, sizeof key);
			if (strlen(key) >= HWH_STATE_KEY_MAX || strncmp(key, "serial:", 7) != 0)
				__builtin_trap();
		}
	}
	smart_opts_free(&o);
}

static void fuzz_scan(const char *text, size_t len)
{
	struct smart_devspec conf, *list = NULL;
	struct smart_scan s;
	enum smart_skip *skip;
	char err[SMART_ERR_MAX];
	size_t n;

	if (smart_scan_parse(text, len, &s, err, sizeof err) < 0) {
		if (err[0] == '\0' || s.n != 0 || s.ents != NULL)
			__builtin_trap();
		return;
	}
	if (smart_devspec_parse("/dev/sda sat", &conf, err, sizeof err) < 0)
		__builtin_trap();
	skip = calloc(s.n + 1, sizeof *skip);
	if (skip != NULL && smart_devlist_merge(&conf, 1, &s, skip, &list, &n) == 0) {
		if (n < 1 || strcmp(list[0].path, "/dev/sda") != 0)
			__builtin_trap();
		check_list(list, n);
		free(list);
	}
	free(skip);
	smart_scan_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1 || size > 65536)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		fuzz_scan(text, size - 1);
	else
		fuzz_opts(text);
	free(text);
	return 0;
}
