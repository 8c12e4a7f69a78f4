/*
 * check_smart: unit tests of the smart plugin's parser
 * (plugins/smart_parse.c), which turns one `smartctl --json` document into
 * a struct smart_doc.
 *
 *   captures   every real capture in ../shared/fixtures/smartctl (from
 *              prometheus-community/smartctl_exporter testdata/, commit
 *              c0fe431, Apache-2.0; see its SOURCE.md) parses; cut in half
 *              it is "truncated", followed by a byte it has "trailing bytes"
 *   values     selected values of named captures, read from the files with
 *              jq and written into a table here
 *   synthetic  failing attributes and self-test logs, which no capture has:
 *              small documents written here in the shape smartctl 7.3
 *              prints, marked as synthetic
 *   malformed  wrong types, missing keys, out-of-range and huge numbers,
 *              empty, truncated, trailing, too deep, too large: the exact
 *              error, naming the JSON path
 *   words      exit-status and critical-warning bits as names
 *
 * The captures are read at run time from HWH_SRC_DIR "/../shared/fixtures/
 * smartctl": shared/ sits beside the repository.  Without it the capture
 * tests fail and say so; they never pass by finding nothing.
 *
 * To add a case: one row in a table below, with the exact expected value
 * or message.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/smart_internal.h"

#ifndef HWH_SRC_DIR
#define HWH_SRC_DIR "."
#endif
#define FIXTURES HWH_SRC_DIR "/../shared/fixtures/smartctl"
#define NA UINT64_MAX /* in the tables: the key is absent */

Suite *smart_suite(void); /* called by tests/main.c */

/* ---- helpers ------------------------------------------------------------------ */

/* The whole of FIXTURES/name, NUL-terminated, *len its length; aborts the
 * test when it cannot be read. */
static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	f = fopen(path, "rb");
	if (f == NULL)
		ck_abort_msg("cannot open capture %s (is ../shared beside the repository?)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The names of all *.json captures, sorted; *n their number.  Fails the
 * test when the directory is missing. */
static char **capture_names(size_t *n)
{
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	if (d == NULL)
		ck_abort_msg("fixture directory %s is missing: the smartctl captures live in "
			     "shared/, beside the repository",
			     FIXTURES);
	*n = 0;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof *names);
			ck_assert_ptr_nonnull(names);
		}
		names[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static struct smart_doc *doc_new(void)
{
	struct smart_doc *d = malloc(sizeof *d);

	ck_assert_ptr_nonnull(d);
	return d;
}

static const struct smart_attr *find_attr(const struct smart_doc *d, unsigned id)
{
	for (unsigned i = 0; i < d->nattrs; i++)
		if (d->attrs[i].id == id)
			return &d->attrs[i];
	return NULL;
}

/* ---- captures ----------------------------------------------------------------- */

/* Every capture parses, and what it holds matches its protocol.  The
 * counts are those of the 126 captures in shared/ (81 ATA, 41 NVMe, 4 SCSI). */
START_TEST(test_all_captures_parse)
{
	struct smart_doc *d = doc_new();
	size_t n, counts[4] = {0};
	char **names = capture_names(&n), err[SMART_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = slurp(names[i], &len);

		ck_assert_msg(smart_parse(text, len, d, err, sizeof err) == 0, "%s: %s", names[i],
			      err);
		ck_assert_msg(err[0] == '\0', "%s: error text on success", names[i]);
		counts[d->proto]++;
		ck_assert_msg(d->dev_name[0] == '/', "%s: device name \"%s\"", names[i],
			      d->dev_name);
		ck_assert_msg(d->model[0] != '\0' && d->has_capacity, "%s: identity", names[i]);
		ck_assert_msg(d->passed != SMART_TRI_ABSENT && d->has_temperature &&
				  d->has_power_on_hours,
			      "%s: health", names[i]);
		switch (d->proto) {
		case SMART_PROTO_ATA:
			ck_assert_msg(d->nattrs > 0 && !d->nvme.has, "%s: ATA", names[i]);
			/* exit 4 in the Kingston capture: its error log read failed */
			ck_assert_msg(d->has_error_log == !(d->exit_status & SMART_EXIT_COMMAND),
				      "%s: error log", names[i]);
			break;
		case SMART_PROTO_NVME:
			ck_assert_msg(d->nvme.has && d->nattrs == 0, "%s: NVMe", names[i]);
			ck_assert_msg((d->nvme.critical_warning != 0) ==
					  (d->passed == SMART_TRI_FAILED),
				      "%s: critical warning vs smart_status", names[i]);
			break;
		case SMART_PROTO_SCSI:
			ck_assert_msg(d->has_grown_defects && d->has_uncorrected[SMART_SCSI_READ],
				      "%s: SCSI", names[i]);
			break;
		default:
			ck_abort_msg("%s: protocol \"%s\"", names[i], d->protocol);
		}
		ck_assert_msg(!d->selftest.has, "%s: no capture has a self-test log", names[i]);
		free(text);
	}
	ck_assert_uint_eq(n, 126);
	ck_assert_uint_eq(counts[SMART_PROTO_ATA], 81);
	ck_assert_uint_eq(counts[SMART_PROTO_NVME], 41);
	ck_assert_uint_eq(counts[SMART_PROTO_SCSI], 4);
	free_names(names, n);
	free(d);
}
END_TEST

/* Every prefix of a capture (a sample of cut points) is an error: a
 * truncated document, never a partial struct. */
START_TEST(test_captures_truncated)
{
	struct smart_doc *d = doc_new();
	size_t n;
	char **names = capture_names(&n), err[SMART_ERR_MAX];

	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *text = slurp(names[i], &len);
		size_t cuts[] = {1, len / 3, len / 2, len - 2};

		for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
			ck_assert_int_eq(smart_parse(text, cuts[k], d, err, sizeof err), -1);
			ck_assert_msg(strncmp(err, "truncated JSON", 14) == 0, "%s cut at %zu: %s",
				      names[i], cuts[k], err);
			ck_assert_uint_eq(d->exit_status, 0); /* zeroed on failure */
			ck_assert_uint_eq(d->nattrs, 0);
		}
		free(text);
	}
	free_names(names, n);
	free(d);
}
END_TEST

/* A capture followed by anything but white space is refused; followed by
 * white space (smartctl ends with a newline) it is not. */
START_TEST(test_captures_trailing)
{
	struct smart_doc *d = doc_new();
	size_t n;
	char **names = capture_names(&n), err[SMART_ERR_MAX], want[64];

	for (size_t i = 0; i < n; i++) {
		size_t len, end;
		char *text = slurp(names[i], &len), *more;

		end = len;
		while (end > 0 && strchr(" \t\r\n", text[end - 1]) != NULL)
			end--;
		more = malloc(end + 8);
		ck_assert_ptr_nonnull(more);
		memcpy(more, text, end);
		memcpy(more + end, "\n}x", 3);
		ck_assert_int_eq(smart_parse(more, end + 3, d, err, sizeof err), -1);
		snprintf(want, sizeof want, "trailing bytes after the JSON document at byte %zu",
			 end + 1); /* the '}' after the newline */
		ck_assert_msg(strcmp(err, want) == 0, "%s: %s", names[i], err);
		memcpy(more + end, " \r\n\t\n", 5);
		ck_assert_msg(smart_parse(more, end + 5, d, err, sizeof err) == 0, "%s: %s",
			      names[i], err);
		free(more);
		free(text);
	}
	free_names(names, n);
	free(d);
}
END_TEST

/* ---- values ------------------------------------------------------------------- */

/* Values read with jq from the named captures (shared/fixtures/smartctl). */
static const struct expect {
	const char *file;
	enum smart_proto proto;
	const char *dev, *type, *model, *firmware;
	uint64_t capacity;
	unsigned exit_status;
	enum smart_tri passed;
	int64_t temp;
	uint64_t poh;
	/* ATA: the table's size, the error log count, and one attribute */
	unsigned nattrs;
	uint64_t error_log;
	unsigned attr_id, value, worst, thresh;
	uint64_t raw;
	const char *raw_str;
	bool prefail;
	/* NVMe health log */
	uint64_t cw, spare, spare_thr, used, media, nerr, unsafe, npoh;
	/* SCSI */
	uint64_t grown, unc_read, unc_write, unc_verify;
	int64_t trip; /* temperature.drive_trip */
} expects[] = {
    /* ATA: a reallocated-sector count of 304 */
    {.file = "ST3500418AS_12.json",
     .proto = SMART_PROTO_ATA,
     .dev = "/dev/sda",
     .type = "sat",
     .model = "ST3500418AS",
     .firmware = "REDACTED",
     .capacity = 500107862016,
     .passed = SMART_TRI_PASSED,
     .temp = 33,
     .poh = 44668,
     .nattrs = 22,
     .error_log = 0,
     .attr_id = 5,
     .value = 93,
     .worst = 93,
     .thresh = 36,
     .raw = 304,
     .raw_str = "304",
     .prefail = true},
    /* ATA: a raw value above 2^53 (Head_Flying_Hours), exact */
    {.file = "sat-Seagate_Exos_7E8-ST1000NM000A-2J3100-sdq.json",
     .proto = SMART_PROTO_ATA,
     .dev = "/dev/sdq",
     .type = "sat",
     .model = "ST1000NM000A-2J3100",
     .firmware = "REDACTED",
     .capacity = 1000204886016,
     .passed = SMART_TRI_PASSED,
     .temp = 26,
     .poh = 4886,
     .nattrs = 22,
     .error_log = 0,
     .attr_id = 240,
     .value = 100,
     .worst = 253,
     .thresh = 0,
     .raw = UINT64_C(10124616601178378),
     .raw_str = "4362h+39m+17.321s"},
    /* ATA: exit 64, error log with 12 errors, a packed temperature raw */
    {.file = "HGST_HUS724020ALE640_28.json",
     .proto = SMART_PROTO_ATA,
     .dev = "/dev/sdb",
     .type = "sat",
     .model = "HGST HUS724020ALE640",
     .firmware = "REDACTED",
     .capacity = 2000398934016,
     .exit_status = 64,
     .passed = SMART_TRI_PASSED,
     .temp = 26,
     .poh = 83425,
     .nattrs = 17,
     .error_log = 12,
     .attr_id = 194,
     .value = 230,
     .worst = 230,
     .thresh = 0,
     .raw = UINT64_C(176094511130),
     .raw_str = "26 (Min/Max 13/41)"},
    /* ATA: Seagate's packed Command_Timeout */
    {.file = "sat-Seagate_Exos_X16-ST16000NM001G-2KK103-sda.json",
     .proto = SMART_PROTO_ATA,
     .dev = "/dev/sda",
     .type = "sat",
     .model = "ST16000NM001G-2KK103",
     .firmware = "REDACTED",
     .capacity = 16000900661248,
     .passed = SMART_TRI_PASSED,
     .temp = 26,
     .poh = 13114,
     .nattrs = 22,
     .error_log = 0,
     .attr_id = 188,
     .value = 100,
     .worst = 97,
     .thresh = 0,
     .raw = UINT64_C(51540393996),
     .raw_str = "51540393996"},
    /* ATA: exit 4, no ata_smart_error_log at all */
    {.file = "sat-Phison_Driven_SSDs-KINGSTON_SA400M8120G-sda.json",
     .proto = SMART_PROTO_ATA,
     .dev = "/dev/sda",
     .type = "sat",
     .model = "KINGSTON SA400M8120G",
     .firmware = "REDACTED",
     .capacity = 120034123776,
     .exit_status = 4,
     .passed = SMART_TRI_PASSED,
     .temp = 38,
     .poh = 4994,
     .nattrs = 26,
     .error_log = NA,
     .attr_id = 194,
     .value = 38,
     .worst = 39,
     .thresh = 0,
     .raw = UINT64_C(120261640230),
     .raw_str = "38 (Min/Max 28/39)"},
    /* NVMe: critical_warning 16, DISK FAILING; capacity from nvme_total_capacity */
    {.file = "nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json",
     .proto = SMART_PROTO_NVME,
     .dev = "/dev/nvme0",
     .type = "nvme",
     .model = "SAMSUNG MZWLL3T2HAJQ-00005",
     .firmware = "REDACTED",
     .capacity = 3200631791616,
     .exit_status = 8,
     .passed = SMART_TRI_FAILED,
     .temp = 40,
     .poh = 18376,
     .cw = 16,
     .spare = 100,
     .spare_thr = 10,
     .used = 0,
     .media = 0,
     .nerr = 0,
     .unsafe = 4,
     .npoh = 18376},
    /* NVMe: 75 % used, 106 unsafe shutdowns */
    {.file = "nvme-null-INTEL_SSDPE2KX020T7-nvme6.json",
     .proto = SMART_PROTO_NVME,
     .dev = "/dev/nvme6",
     .type = "nvme",
     .model = "INTEL SSDPE2KX020T7",
     .firmware = "REDACTED",
     .capacity = 2000398934016,
     .passed = SMART_TRI_PASSED,
     .temp = 19,
     .poh = 49441,
     .cw = 0,
     .spare = 99,
     .spare_thr = 10,
     .used = 75,
     .media = 0,
     .nerr = 0,
     .unsafe = 106,
     .npoh = 49441},
    /* NVMe, smartctl 7.1: 40 error log entries */
    {.file = "nvme-null-Micron_7400_MTFDKCB1T6TFC-nvme2.json",
     .proto = SMART_PROTO_NVME,
     .dev = "/dev/nvme2",
     .type = "nvme",
     .model = "Micron_7400_MTFDKCB1T6TFC",
     .firmware = "REDACTED",
     .capacity = 1600321314816,
     .passed = SMART_TRI_PASSED,
     .temp = 35,
     .poh = 13108,
     .cw = 0,
     .spare = 100,
     .spare_thr = 10,
     .used = 4,
     .media = 0,
     .nerr = 40,
     .unsafe = 40,
     .npoh = 13108},
    /* SCSI: 260 grown defects, uncorrected read 1 / write 535, no verify log */
    {.file = "SEAGATE_ST373453LC_26.json",
     .proto = SMART_PROTO_SCSI,
     .dev = "/dev/sdb",
     .type = "scsi",
     .model = "SEAGATE ST373453LC",
     .firmware = "DX10",
     .capacity = 73407820800,
     .passed = SMART_TRI_PASSED,
     .temp = 33,
     .poh = 102880,
     .grown = 260,
     .unc_read = 1,
     .unc_write = 535,
     .unc_verify = NA,
     .trip = 68},
    {.file = "SEAGATE_ST373453LC_27.json",
     .proto = SMART_PROTO_SCSI,
     .dev = "/dev/sda",
     .type = "scsi",
     .model = "SEAGATE ST373453LC",
     .firmware = "DX10",
     .capacity = 73407820800,
     .passed = SMART_TRI_PASSED,
     .temp = 34,
     .poh = 91691,
     .grown = 0,
     .unc_read = 0,
     .unc_write = 0,
     .unc_verify = 0},
    {.file = "HITACHI_H109060SESUN600G_10.json",
     .proto = SMART_PROTO_SCSI,
     .dev = "/dev/sdb",
     .type = "scsi",
     .model = "HITACHI H109060SESUN600G",
     .firmware = "A31A",
     .capacity = 600127266816,
     .passed = SMART_TRI_PASSED,
     .temp = 26,
     .poh = 22364,
     .grown = 0,
     .unc_read = 0,
     .unc_write = 0,
     .unc_verify = 0},
    {.file = "HITACHI_H109060SESUN600G_9.json",
     .proto = SMART_PROTO_SCSI,
     .dev = "/dev/sda",
     .type = "scsi",
     .model = "HITACHI H109060SESUN600G",
     .firmware = "A690",
     .capacity = 600127266816,
     .passed = SMART_TRI_PASSED,
     .temp = 27,
     .poh = 982,
     .grown = 0,
     .unc_read = 0,
     .unc_write = 0,
     .unc_verify = 0,
     .trip = 85},
};

static void check_ata(const struct expect *e, const struct smart_doc *d)
{
	const struct smart_attr *a = find_attr(d, e->attr_id);

	ck_assert_uint_eq(d->nattrs, e->nattrs);
	if (e->error_log == NA) {
		ck_assert(!d->has_error_log);
	} else {
		ck_assert(d->has_error_log);
		ck_assert_uint_eq(d->error_log_count, e->error_log);
	}
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->value, e->value);
	ck_assert_uint_eq(a->worst, e->worst);
	ck_assert_uint_eq(a->thresh, e->thresh);
	ck_assert_uint_eq(a->raw, e->raw);
	ck_assert_str_eq(a->raw_str, e->raw_str);
	ck_assert_int_eq(a->prefail, e->prefail);
	ck_assert_int_eq(a->when_failed, SMART_WHEN_NEVER);
	ck_assert_uint_eq(d->attrs[0].id, 1); /* table order kept */
}

static void check_nvme(const struct expect *e, const struct smart_doc *d)
{
	const struct smart_nvme *n = &d->nvme;

	ck_assert(n->has && n->has_temperature && n->has_available_spare &&
		  n->has_available_spare_threshold && n->has_percentage_used &&
		  n->has_media_errors && n->has_num_err_log_entries && n->has_unsafe_shutdowns &&
		  n->has_power_on_hours);
	ck_assert_uint_eq(n->critical_warning, e->cw);
	ck_assert_int_eq(n->temperature, e->temp);
	ck_assert_uint_eq(n->available_spare, e->spare);
	ck_assert_uint_eq(n->available_spare_threshold, e->spare_thr);
	ck_assert_uint_eq(n->percentage_used, e->used);
	ck_assert_uint_eq(n->media_errors, e->media);
	ck_assert_uint_eq(n->num_err_log_entries, e->nerr);
	ck_assert_uint_eq(n->unsafe_shutdowns, e->unsafe);
	ck_assert_uint_eq(n->power_on_hours, e->npoh);
}

static void check_scsi(const struct expect *e, const struct smart_doc *d)
{
	const uint64_t want[SMART_SCSI_DIRS] = {e->unc_read, e->unc_write, e->unc_verify};

	ck_assert(d->has_grown_defects);
	ck_assert_uint_eq(d->grown_defects, e->grown);
	if (e->trip != 0) {
		ck_assert(d->has_drive_trip);
		ck_assert_int_eq(d->drive_trip, e->trip);
	}
	for (int i = 0; i < SMART_SCSI_DIRS; i++) {
		ck_assert_int_eq(d->has_uncorrected[i], want[i] != NA);
		if (want[i] != NA)
			ck_assert_uint_eq(d->uncorrected[i], want[i]);
	}
}

START_TEST(test_capture_values)
{
	const struct expect *e = &expects[_i];
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];
	size_t len;
	char *text = slurp(e->file, &len);

	ck_assert_msg(smart_parse(text, len, d, err, sizeof err) == 0, "%s: %s", e->file, err);
	ck_assert_int_eq(d->proto, e->proto);
	ck_assert_str_eq(d->dev_name, e->dev);
	ck_assert_str_eq(d->dev_type, e->type);
	ck_assert_str_eq(d->model, e->model);
	ck_assert_str_eq(d->serial, "REDACTED");
	ck_assert_str_eq(d->firmware, e->firmware);
	ck_assert(d->has_capacity);
	ck_assert_uint_eq(d->capacity_bytes, e->capacity);
	ck_assert_uint_eq(d->exit_status, e->exit_status);
	ck_assert_int_eq(d->passed, e->passed);
	ck_assert(d->has_temperature && d->has_power_on_hours);
	ck_assert_int_eq(d->temperature, e->temp);
	if (e->proto != SMART_PROTO_SCSI)
		ck_assert(!d->has_drive_trip); /* only SCSI drives print a trip point */
	ck_assert_uint_eq(d->power_on_hours, e->poh);
	ck_assert_uint_eq(d->nmsgs, 0);
	if (e->proto == SMART_PROTO_ATA)
		check_ata(e, d);
	else if (e->proto == SMART_PROTO_NVME)
		check_nvme(e, d);
	else
		check_scsi(e, d);
	free(text);
	free(d);
}
END_TEST

/* ---- synthetic documents ------------------------------------------------------- */

/* The smallest document the parser accepts. */
#define MIN_DOC "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0}}"
/* A document with these members added (C string concatenation). */
#define DOC(members) "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0}," members "}"
/* One ATA attribute row with the given raw value text. */
#define ATTR(id, raw)                                                                              \
	"{\"id\":" #id ",\"name\":\"A" #id "\",\"value\":100,\"worst\":100,\"thresh\":10,"         \
	"\"raw\":{\"value\":" raw ",\"string\":\"" raw "\"},\"when_failed\":\"\","                 \
	"\"flags\":{\"value\":51,\"prefailure\":true}}"

static int parse_str(const char *text, struct smart_doc *d, char *err)
{
	return smart_parse(text, strlen(text), d, err, SMART_ERR_MAX);
}

START_TEST(test_minimal)
{
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	ck_assert_int_eq(parse_str(MIN_DOC, d, err), 0);
	ck_assert_int_eq(d->proto, SMART_PROTO_UNKNOWN);
	ck_assert_int_eq(d->passed, SMART_TRI_ABSENT);
	ck_assert(!d->has_temperature && !d->has_capacity && !d->nvme.has && !d->selftest.has);
	ck_assert_str_eq(d->model, "");
	free(d);
}
END_TEST

/* Synthetic (no capture has one): the shape smartctl 7.3 prints for an
 * attribute failing now and one that failed in the past, with flags.value
 * only; and the standby message of `smartctl -n standby` (measured, see
 * the issue 5 notes). */
START_TEST(test_synthetic_failing_attrs)
{
	static const char text[] = DOC(
	    "\"device\":{\"name\":\"/dev/sdz\",\"type\":\"sat\",\"protocol\":\"ATA\"},"
	    "\"smartctl\":{\"exit_status\":24,\"messages\":[{\"string\":\"Device is in SLEEP mode, "
	    "exit(2)\",\"severity\":\"information\"}]},"
	    "\"smart_status\":{\"passed\":false},"
	    "\"ata_smart_attributes\":{\"revision\":16,\"table\":["
	    "{\"id\":5,\"name\":\"Reallocated_Sector_Ct\",\"value\":1,\"worst\":1,\"thresh\":36,"
	    "\"when_failed\":\"now\",\"flags\":{\"value\":51},\"raw\":{\"value\":4000,"
	    "\"string\":\"4000\"}},"
	    "{\"id\":199,\"name\":\"UDMA_CRC_Error_Count\",\"value\":200,\"worst\":0,\"thresh\":0,"
	    "\"when_failed\":\"past\",\"flags\":{\"value\":50},\"raw\":{\"value\":"
	    "18446744073709551614}},"
	    "{\"id\":240,\"name\":\"Head_Flying_Hours\",\"value\":100,\"worst\":253,"
	    "\"thresh\":0,\"raw\":{\"value\":9007199254740993,\"string\":\"x\"}}]}");
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	/* the duplicate "smartctl" key: json-c keeps the last one */
	ck_assert_msg(parse_str(text, d, err) == 0, "%s", err);
	ck_assert_uint_eq(d->exit_status, 24);
	ck_assert_uint_eq(d->nmsgs, 1);
	ck_assert_str_eq(d->msgs[0], "Device is in SLEEP mode, exit(2)");
	ck_assert_int_eq(d->passed, SMART_TRI_FAILED);
	ck_assert_uint_eq(d->nattrs, 3);
	ck_assert_int_eq(d->attrs[0].when_failed, SMART_WHEN_NOW);
	ck_assert(d->attrs[0].prefail); /* flags.value bit 0 */
	ck_assert_uint_eq(d->attrs[0].raw, 4000);
	ck_assert_int_eq(d->attrs[1].when_failed, SMART_WHEN_PAST);
	ck_assert(!d->attrs[1].prefail);
	ck_assert_uint_eq(d->attrs[1].raw, UINT64_C(18446744073709551614));
	ck_assert_str_eq(d->attrs[1].raw_str, ""); /* raw.string absent */
	/* 2^53 + 1: a double would read 2^53 (the capture's 10124616601178378
	 * above 2^53 is even, so a double holds it and cannot tell) */
	ck_assert_uint_eq(d->attrs[2].raw, UINT64_C(9007199254740993));
	ck_assert(!d->attrs[2].prefail); /* no flags at all */
	free(d);
}
END_TEST

/* Synthetic: ATA self-test logs in the shape of smartctl 7.3's
 * ata_smart_self_test_log (newest entry first). */
START_TEST(test_synthetic_ata_selftest)
{
	static const char failed[] = DOC(
	    "\"ata_smart_self_test_log\":{\"standard\":{\"revision\":1,\"table\":["
	    "{\"type\":{\"value\":2,\"string\":\"Extended offline\"},"
	    "\"status\":{\"value\":121,\"string\":\"Completed: read failure\",\"passed\":false},"
	    "\"lifetime_hours\":8200,\"lba\":1193046},"
	    "{\"type\":{\"value\":1,\"string\":\"Short offline\"},"
	    "\"status\":{\"value\":0,\"string\":\"Completed without error\",\"passed\":true},"
	    "\"lifetime_hours\":8000}],\"count\":2,\"error_count_total\":1}}");
	static const char running[] =
	    DOC("\"ata_smart_self_test_log\":{\"extended\":{\"revision\":1,\"sectors\":2048,"
		"\"table\":[{\"type\":{\"value\":1,\"string\":\"Short "
		"offline\"},\"status\":{\"value\":249,"
		"\"string\":\"Self-test routine in progress\",\"remaining_percent\":90},"
		"\"lifetime_hours\":9}]},\"standard\":{\"revision\":1,\"table\":[]}}");
	static const char empty[] =
	    DOC("\"ata_smart_self_test_log\":{\"standard\":{\"revision\":1,\"table\":[]}}");
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	ck_assert_msg(parse_str(failed, d, err) == 0, "%s", err);
	ck_assert(d->selftest.has && d->selftest.has_hours);
	ck_assert_str_eq(d->selftest.type, "Extended offline");
	ck_assert_str_eq(d->selftest.status, "Completed: read failure");
	ck_assert_uint_eq(d->selftest.status_value, 121);
	ck_assert_int_eq(d->selftest.result, SMART_TRI_FAILED);
	ck_assert_uint_eq(d->selftest.hours, 8200);

	ck_assert_msg(parse_str(running, d, err) == 0, "%s", err);
	ck_assert(d->selftest.has);
	ck_assert_int_eq(d->selftest.result, SMART_TRI_ABSENT); /* no "passed" while running */
	ck_assert_uint_eq(d->selftest.status_value, 249);

	ck_assert_msg(parse_str(empty, d, err) == 0, "%s", err);
	ck_assert(!d->selftest.has);
	free(d);
}
END_TEST

/* Synthetic: an NVMe self-test log (smartctl 7.3 nvme_self_test_log). */
START_TEST(test_synthetic_nvme_selftest)
{
	static const char text[] = DOC(
	    "\"nvme_smart_health_information_log\":{\"critical_warning\":37,\"temperature\":-5},"
	    "\"nvme_self_test_log\":{\"current_self_test_operation\":{\"value\":0,\"string\":"
	    "\"No self-test in progress\"},\"table\":[{\"self_test_code\":{\"value\":2,\"string\":"
	    "\"Extended self-test\"},\"self_test_result\":{\"value\":7,\"string\":\"Completed: "
	    "failed segments\"},\"power_on_hours\":18376},{\"self_test_code\":{\"value\":1},"
	    "\"self_test_result\":{\"value\":0},\"power_on_hours\":18000}]}");
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX], words[128];

	ck_assert_msg(parse_str(text, d, err) == 0, "%s", err);
	ck_assert(d->nvme.has && d->nvme.has_temperature && !d->nvme.has_media_errors);
	ck_assert_int_eq(d->nvme.temperature, -5);
	ck_assert_uint_eq(d->nvme.critical_warning, 37);
	smart_nvme_cw_describe(d->nvme.critical_warning, words, sizeof words);
	ck_assert_str_eq(words, "spare-below-threshold, reliability-degraded, pmr-read-only");
	ck_assert(d->selftest.has);
	ck_assert_str_eq(d->selftest.type, "Extended self-test");
	ck_assert_str_eq(d->selftest.status, "Completed: failed segments");
	ck_assert_int_eq(d->selftest.result, SMART_TRI_FAILED);
	ck_assert_uint_eq(d->selftest.hours, 18376);
	free(d);
}
END_TEST

/* Strings are bounded and cleaned: control characters become '?', a long
 * string is cut at a character boundary. */
START_TEST(test_strings_bounded)
{
	struct smart_doc *d = doc_new();
	char text[512], err[SMART_ERR_MAX];
	size_t n;

	/* serial: 93 digits, then two "é" (2 bytes each): 93 + 2 bytes fit the
	 * 95 a string keeps, the second "é" does not and goes whole */
	n = (size_t)snprintf(text, sizeof text, "%s",
			     DOC("\"model_name\":\"a\\u0000b\\tc\",\"serial_number\":\""));
	n -= 1; /* drop the closing brace of DOC() */
	for (int i = 0; i < 93; i++)
		text[n++] = (char)('0' + i % 10);
	n += (size_t)snprintf(text + n, sizeof text - n, "\\u00e9\\u00e9\"}");
	ck_assert_msg(smart_parse(text, n, d, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(d->model, "a?b?c");
	ck_assert_uint_eq(strlen(d->serial), 95);
	ck_assert_str_eq(d->serial + 93, "\xc3\xa9");
	free(d);
}
END_TEST

/* ---- malformed ------------------------------------------------------------------ */

static const struct {
	const char *name, *text, *err;
} bad_docs[] = {
    {"empty", "", "empty input"},
    {"white space", " \n\t", "empty input"},
    {"truncated", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_",
     "truncated JSON: the input ends inside the document (47 bytes)"},
    /* MIN_DOC is 58 bytes long */
    {"trailing garbage", MIN_DOC " x", "trailing bytes after the JSON document at byte 59"},
    {"two documents", MIN_DOC MIN_DOC, "trailing bytes after the JSON document at byte 58"},
    {"syntax", "{\"a\" 1}",
     "malformed JSON at byte 5: object property name separator ':' expected"},
    {"trailing comma", "{\"a\":1,}", "malformed JSON at byte 7: unexpected character"},
    /* json-c 0.16 accepts a single-quoted key even in strict mode, not a value */
    {"single quotes", "{\"a\":'x'}", "malformed JSON at byte 5: unexpected character"},
    {"array document", "[1,2]", "(document): expected an object, got an array"},
    {"string document", "\"x\"", "(document): expected an object, got a string"},
    {"no version", "{\"smartctl\":{\"exit_status\":0}}", "json_format_version: missing"},
    {"version type", "{\"json_format_version\":\"1.0\"}",
     "json_format_version: expected an array, got a string"},
    {"version 2", "{\"json_format_version\":[2,0],\"smartctl\":{\"exit_status\":0}}",
     "json_format_version[0]: unsupported major version 2 (this parser reads 1)"},
    {"no smartctl", "{\"json_format_version\":[1,0]}", "smartctl: missing"},
    {"no exit status", "{\"json_format_version\":[1,0],\"smartctl\":{}}",
     "smartctl.exit_status: missing"},
    {"exit status string", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":\"0\"}}",
     "smartctl.exit_status: expected an integer, got a string"},
    {"exit status 256", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":256}}",
     "smartctl.exit_status: 256 out of range (at most 255)"},
    {"exit status negative", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":-1}}",
     "smartctl.exit_status: negative value -1"},
    {"exit status float", "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0.0}}",
     "smartctl.exit_status: expected an integer, got a number with a fraction or exponent"},
    {"messages type", DOC("\"smartctl\":{\"exit_status\":2,\"messages\":[\"x\"]}"),
     "smartctl.messages[0]: expected an object, got a string"},
    {"device type", DOC("\"device\":\"/dev/sda\""), "device: expected an object, got a string"},
    {"protocol type", DOC("\"device\":{\"protocol\":1}"),
     "device.protocol: expected a string, got an integer"},
    {"passed string", DOC("\"smart_status\":{\"passed\":\"yes\"}"),
     "smart_status.passed: expected a boolean, got a string"},
    {"temperature null", DOC("\"temperature\":{\"current\":null}"),
     "temperature.current: expected an integer, got null"},
    {"temperature huge", DOC("\"temperature\":{\"current\":-99999999999999999999}"),
     "temperature.current: integer out of range"},
    {"drive trip string", DOC("\"temperature\":{\"current\":30,\"drive_trip\":\"85\"}"),
     "temperature.drive_trip: expected an integer, got a string"},
    {"hours negative", DOC("\"power_on_time\":{\"hours\":-3}"),
     "power_on_time.hours: negative value -3"},
    {"capacity huge", DOC("\"user_capacity\":{\"bytes\":99999999999999999999999}"),
     "user_capacity.bytes: integer out of range"},
    {"attrs no table", DOC("\"ata_smart_attributes\":{\"revision\":16}"),
     "ata_smart_attributes.table: missing"},
    {"attr not object", DOC("\"ata_smart_attributes\":{\"table\":[5]}"),
     "ata_smart_attributes.table[0]: expected an object, got an integer"},
    {"attr raw double",
     DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(1, "0") "," ATTR(5, "1.5") "]}"),
     "ata_smart_attributes.table[1].raw.value: expected an integer, got a number with a "
     "fraction or exponent"},
    {"attr raw huge",
     DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(5, "99999999999999999999999") "]}"),
     "ata_smart_attributes.table[0].raw.value: integer out of range"},
    {"attr raw 2^64-1",
     DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(5, "18446744073709551615") "]}"),
     "ata_smart_attributes.table[0].raw.value: integer out of range"},
    {"attr raw negative", DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(5, "-1") "]}"),
     "ata_smart_attributes.table[0].raw.value: negative value -1"},
    {"attr id 0", DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(0, "0") "]}"),
     "ata_smart_attributes.table[0].id: attribute id 0 (ids are 1..255)"},
    {"attr id 256", DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(256, "0") "]}"),
     "ata_smart_attributes.table[0].id: 256 out of range (at most 255)"},
    {"attr duplicate",
     DOC("\"ata_smart_attributes\":{\"table\":[" ATTR(5, "0") "," ATTR(9, "0") "," ATTR(5,
											"0") "]}"),
     "ata_smart_attributes.table[2]: duplicate attribute id 5 (also at index 0)"},
    {"attr no name",
     DOC("\"ata_smart_attributes\":{\"table\":[{\"id\":5,\"value\":1,\"worst\":1,\"thresh\":1}]}"),
     "ata_smart_attributes.table[0].name: missing"},
    {"attr no raw",
     DOC("\"ata_smart_attributes\":{\"table\":[{\"id\":5,\"name\":\"x\",\"value\":1,\"worst\":1,"
	 "\"thresh\":1}]}"),
     "ata_smart_attributes.table[0].raw: missing"},
    {"attr value 300",
     DOC("\"ata_smart_attributes\":{\"table\":[{\"id\":5,\"name\":\"x\",\"value\":300}]}"),
     "ata_smart_attributes.table[0].value: 300 out of range (at most 255)"},
    {"attr when_failed",
     DOC("\"ata_smart_attributes\":{\"table\":[{\"id\":5,\"name\":\"x\",\"value\":1,\"worst\":1,"
	 "\"thresh\":1,\"raw\":{\"value\":0},\"when_failed\":\"soon\"}]}"),
     "ata_smart_attributes.table[0].when_failed: unexpected value \"soon\" (expected \"\", "
     "\"now\" or \"past\")"},
    {"error log count", DOC("\"ata_smart_error_log\":{\"summary\":{\"count\":\"12\"}}"),
     "ata_smart_error_log.summary.count: expected an integer, got a string"},
    {"selftest no status",
     DOC("\"ata_smart_self_test_log\":{\"standard\":{\"table\":[{\"lifetime_hours\":1}]}}"),
     "ata_smart_self_test_log.standard.table[0].status: missing"},
    {"nvme no warning", DOC("\"nvme_smart_health_information_log\":{\"temperature\":30}"),
     "nvme_smart_health_information_log.critical_warning: missing"},
    {"nvme warning 256", DOC("\"nvme_smart_health_information_log\":{\"critical_warning\":256}"),
     "nvme_smart_health_information_log.critical_warning: 256 out of range (at most 255)"},
    {"nvme spare bool",
     DOC("\"nvme_smart_health_information_log\":{\"critical_warning\":0,\"available_spare\":true}"),
     "nvme_smart_health_information_log.available_spare: expected an integer, got a boolean"},
    {"nvme selftest result 16",
     DOC("\"nvme_self_test_log\":{\"table\":[{\"self_test_result\":{\"value\":16}}]}"),
     "nvme_self_test_log.table[0].self_test_result.value: 16 out of range (at most 15)"},
    {"scsi defects string", DOC("\"scsi_grown_defect_list\":\"260\""),
     "scsi_grown_defect_list: expected an integer, got a string"},
    {"scsi write type", DOC("\"scsi_error_counter_log\":{\"write\":[]}"),
     "scsi_error_counter_log.write: expected an object, got an array"},
    {"scsi uncorrected negative",
     DOC("\"scsi_error_counter_log\":{\"verify\":{\"total_uncorrected_errors\":-1}}"),
     "scsi_error_counter_log.verify.total_uncorrected_errors: negative value -1"},
};

START_TEST(test_malformed)
{
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	memset(d, 0x5a, sizeof *d);
	ck_assert_msg(parse_str(bad_docs[_i].text, d, err) == -1, "%s: accepted",
		      bad_docs[_i].name);
	ck_assert_msg(strcmp(err, bad_docs[_i].err) == 0, "%s: got \"%s\", want \"%s\"",
		      bad_docs[_i].name, err, bad_docs[_i].err);
	ck_assert_uint_eq(d->exit_status, 0); /* zeroed, never half-filled */
	ck_assert_uint_eq(d->nattrs, 0);
	free(d);
}
END_TEST

/* A NUL inside the given length is an error; the length, not a NUL, ends
 * the text. */
START_TEST(test_nul_and_length)
{
	static const char text[] = MIN_DOC "\0 garbage";
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	ck_assert_int_eq(smart_parse(text, sizeof text - 1, d, err, sizeof err), -1);
	ck_assert_str_eq(err, "NUL byte at byte 58");
	ck_assert_int_eq(smart_parse(text, strlen(text), d, err, sizeof err), 0);
	ck_assert_int_eq(smart_parse(text, 20, d, err, sizeof err), -1);
	ck_assert_str_eq(err, "truncated JSON: the input ends inside the document (20 bytes)");
	free(d);
}
END_TEST

START_TEST(test_too_deep)
{
	char text[256] = "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0},\"x\":";
	size_t n = strlen(text);
	struct smart_doc *d = doc_new();
	char err[SMART_ERR_MAX];

	for (int i = 0; i < 40; i++)
		text[n++] = '[';
	for (int i = 0; i < 40; i++)
		text[n++] = ']';
	text[n++] = '}';
	ck_assert_int_eq(smart_parse(text, n, d, err, sizeof err), -1);
	/* the prefix is 62 bytes; the 16th '[' is level 17 */
	ck_assert_str_eq(err, "JSON nested deeper than 16 levels at byte 77");
	free(d);
}
END_TEST

START_TEST(test_too_large)
{
	size_t len = SMART_JSON_MAX + 1;
	char *text = malloc(len), err[SMART_ERR_MAX];
	struct smart_doc *d = doc_new();

	ck_assert_ptr_nonnull(text);
	memset(text, ' ', len);
	memcpy(text, MIN_DOC, strlen(MIN_DOC));
	ck_assert_int_eq(smart_parse(text, len, d, err, sizeof err), -1);
	ck_assert_str_eq(err, "document too large: 4194305 bytes (at most 4194304)");
	ck_assert_int_eq(smart_parse(text, len - 1, d, err, sizeof err), 0);
	free(text);
	free(d);
}
END_TEST

/* 257 attributes are refused before any is read; 255 distinct ones fit. */
START_TEST(test_too_many_attrs)
{
	size_t cap = 300 * 200, n;
	char *text = malloc(cap), err[SMART_ERR_MAX];
	struct smart_doc *d = doc_new();

	ck_assert_ptr_nonnull(text);
	for (int total = 255; total <= 257; total += 2) {
		n = (size_t)snprintf(text, cap, "%s", DOC("\"ata_smart_attributes\":{\"table\":["));
		n -= 1; /* drop the closing brace of DOC() */
		for (int i = 1; i <= total; i++)
			n += (size_t)snprintf(text + n, cap - n,
					      "%s{\"id\":%d,\"name\":\"x\",\"value\":1,\"worst\":1,"
					      "\"thresh\":1,\"raw\":{\"value\":%d}}",
					      i > 1 ? "," : "", i <= 255 ? i : 1, i);
		n += (size_t)snprintf(text + n, cap - n, "]}}");
		if (total == 255) {
			ck_assert_msg(smart_parse(text, n, d, err, sizeof err) == 0, "%s", err);
			ck_assert_uint_eq(d->nattrs, 255);
			ck_assert_uint_eq(d->attrs[254].raw, 255);
		} else {
			ck_assert_int_eq(smart_parse(text, n, d, err, sizeof err), -1);
			ck_assert_str_eq(err,
					 "ata_smart_attributes.table: 257 entries (at most 256)");
		}
	}
	free(text);
	free(d);
}
END_TEST

/* A small error buffer gets a cut message, never an overflow. */
START_TEST(test_small_err_buffer)
{
	struct smart_doc *d = doc_new();
	char err[12];

	memset(err, 'Z', sizeof err);
	ck_assert_int_eq(smart_parse("{\"json_format_version\":[1,0]}", 29, d, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "smartctl: m");
	ck_assert_int_eq(smart_parse("", 0, d, NULL, 0), -1);
	free(d);
}
END_TEST

/* ---- words ---------------------------------------------------------------------- */

START_TEST(test_exit_words)
{
	char buf[256], tiny[10];

	ck_assert_str_eq(smart_exit_bit_name(0), "cmdline-error");
	ck_assert_str_eq(smart_exit_bit_name(1), "open-failed");
	ck_assert_str_eq(smart_exit_bit_name(2), "command-failed");
	ck_assert_str_eq(smart_exit_bit_name(3), "disk-failing");
	ck_assert_str_eq(smart_exit_bit_name(4), "prefail-at-threshold");
	ck_assert_str_eq(smart_exit_bit_name(5), "past-at-threshold");
	ck_assert_str_eq(smart_exit_bit_name(6), "error-log");
	ck_assert_str_eq(smart_exit_bit_name(7), "selftest-log");
	ck_assert_ptr_null(smart_exit_bit_name(8));
	ck_assert_str_eq(smart_exit_bit_text(3), "the SMART status check returned DISK FAILING");
	ck_assert_ptr_null(smart_exit_bit_text(8));
	ck_assert_uint_eq(smart_exit_describe(0, buf, sizeof buf), 2);
	ck_assert_str_eq(buf, "ok");
	smart_exit_describe(64, buf, sizeof buf);
	ck_assert_str_eq(buf, "error-log");
	smart_exit_describe(SMART_EXIT_OPEN | SMART_EXIT_FAILING | SMART_EXIT_SELFTEST_LOG, buf,
			    sizeof buf);
	ck_assert_str_eq(buf, "open-failed, disk-failing, selftest-log");
	ck_assert_uint_eq(smart_exit_describe(0xFF, tiny, sizeof tiny), strlen(tiny));
	ck_assert_uint_lt(strlen(tiny), sizeof tiny);
}
END_TEST

START_TEST(test_nvme_cw_words)
{
	char buf[256];

	ck_assert_str_eq(smart_nvme_cw_name(0), "spare-below-threshold");
	ck_assert_str_eq(smart_nvme_cw_name(1), "temperature");
	ck_assert_str_eq(smart_nvme_cw_name(2), "reliability-degraded");
	ck_assert_str_eq(smart_nvme_cw_name(3), "read-only");
	ck_assert_str_eq(smart_nvme_cw_name(4), "volatile-memory-backup-failed");
	ck_assert_str_eq(smart_nvme_cw_name(5), "pmr-read-only");
	ck_assert_ptr_null(smart_nvme_cw_name(8));
	smart_nvme_cw_describe(0, buf, sizeof buf);
	ck_assert_str_eq(buf, "none");
	smart_nvme_cw_describe(16, buf, sizeof buf); /* the Samsung capture's */
	ck_assert_str_eq(buf, "volatile-memory-backup-failed");
	smart_nvme_cw_describe(0xC2, buf, sizeof buf);
	ck_assert_str_eq(buf, "temperature, reserved-bit-6, reserved-bit-7");
	ck_assert_str_eq(smart_proto_name(SMART_PROTO_NVME), "NVMe");
	ck_assert_str_eq(smart_proto_name(SMART_PROTO_UNKNOWN), "unknown");
}
END_TEST

Suite *smart_suite(void)
{
	Suite *s = suite_create("smart");
	TCase *tc = tcase_create("captures");

	tcase_add_test(tc, test_all_captures_parse);
	tcase_add_test(tc, test_captures_truncated);
	tcase_add_test(tc, test_captures_trailing);
	tcase_add_loop_test(tc, test_capture_values, 0, sizeof expects / sizeof expects[0]);
	suite_add_tcase(s, tc);

	tc = tcase_create("synthetic");
	tcase_add_test(tc, test_minimal);
	tcase_add_test(tc, test_synthetic_failing_attrs);
	tcase_add_test(tc, test_synthetic_ata_selftest);
	tcase_add_test(tc, test_synthetic_nvme_selftest);
	tcase_add_test(tc, test_strings_bounded);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_add_loop_test(tc, test_malformed, 0, sizeof bad_docs / sizeof bad_docs[0]);
	tcase_add_test(tc, test_nul_and_length);
	tcase_add_test(tc, test_too_deep);
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_too_many_attrs);
	tcase_add_test(tc, test_small_err_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("words");
	tcase_add_test(tc, test_exit_words);
	tcase_add_test(tc, test_nvme_cw_words);
	suite_add_tcase(s, tc);
	return s;
}
