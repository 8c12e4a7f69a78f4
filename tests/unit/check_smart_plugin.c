/*
 * check_smart_plugin: unit tests of the smart plugin's parts around the
 * parser (which check_smart.c tests):
 *
 *   opts      smart_opts_parse(): defaults, each option, every error with
 *             its message and option index; device values, drive ids and
 *             the kept-state key of a serial
 *   scan      smart_scan_parse() on --scan-open output (smartctl 7.3's
 *             shapes, measured in notes/issue5), smart_devlist_merge()
 *   outcome   smart_classify(): ok, standby (by exit 3, by message, the
 *             real smartctl 7.3 SLEEP document), and each failure with the
 *             contract's sentence
 *   emit      smart_emit_doc() on real captures (ATA, NVMe with exit 8,
 *             SCSI) and synthetic documents: names, kinds, values, labels,
 *             texts; every capture's names are valid and unique
 *   run       smart_run_jobs() with real children (/bin/echo, /bin/sh,
 *             sleep, yes): output, stderr, cleaned environment, process
 *             group, signal mask, closed descriptors, timeout and group
 *             kill, output cap, spawn failure, parallelism, stop, reaping
 *
 * Captures are read from HWH_SRC_DIR "/../shared/fixtures/smartctl"
 * (smartctl_exporter testdata, commit c0fe431, Apache-2.0; see SOURCE.md
 * there).  To add a case: a row in a table, or a START_TEST in its TCase.
 */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/smart_internal.h"

#ifndef HWH_SRC_DIR
#define HWH_SRC_DIR "."
#endif
#define FIXTURES HWH_SRC_DIR "/../shared/fixtures/smartctl"
#define OPT(k, v)                                                                                  \
	{                                                                                          \
		.key = k, .value = v, .file = "t.conf", .line = __LINE__, .col = 3                 \
	}

/* ---- helpers ------------------------------------------------------------------- */

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", FIXTURES, name);
	if ((f = fopen(path, "rb")) == NULL)
		ck_abort_msg("cannot open capture %s (is ../shared beside the repository?)", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- opts ------------------------------------------------------------------------ */

START_TEST(test_opts_defaults)
{
	struct smart_opts o;
	struct hwh_config_error err;

	ck_assert_int_eq(smart_opts_parse(NULL, 0, &o, &err), 0);
	ck_assert_str_eq(o.smartctl, "/usr/sbin/smartctl");
	ck_assert(o.scan); /* no device: discover */
	ck_assert(o.standby);
	ck_assert_uint_eq(o.parallel, 4);
	ck_assert_uint_eq(o.rescan_ms, 3600000);
	ck_assert_uint_eq(o.device_timeout_ms, 30000);
	ck_assert_uint_eq(o.ndevs, 0);
	ck_assert_int_eq(err.option, -1);
	smart_opts_free(&o);
}
END_TEST

START_TEST(test_opts_all)
{
	struct hwh_option opts[] = {
	    OPT("smartctl", "/bin/true"),
	    OPT("device", "/dev/sda sat"),
	    OPT("device", "/dev/bus/0 megaraid,3"),
	    OPT("device", "  /dev/nvme0  "),
	    OPT("rescan", "10m"),
	    OPT("device-timeout", "500ms"),
	    OPT("standby", "no"),
	    OPT("parallel", "64"),
	};
	struct smart_opts o;
	struct hwh_config_error err;

	ck_assert_int_eq(smart_opts_parse(opts, 8, &o, &err), 0);
	ck_assert_str_eq(o.smartctl, "/bin/true");
	ck_assert(!o.scan); /* devices given: no discovery unless asked */
	ck_assert(!o.standby);
	ck_assert_uint_eq(o.parallel, 64);
	ck_assert_uint_eq(o.rescan_ms, 600000);
	ck_assert_uint_eq(o.device_timeout_ms, 500);
	ck_assert_uint_eq(o.ndevs, 3);
	ck_assert_str_eq(o.devs[0].path, "/dev/sda");
	ck_assert_str_eq(o.devs[0].type, "sat");
	ck_assert_str_eq(o.devs[0].id, "sda");
	ck_assert_str_eq(o.devs[1].path, "/dev/bus/0");
	ck_assert_str_eq(o.devs[1].type, "megaraid,3");
	ck_assert_str_eq(o.devs[1].id, "bus-0-megaraid-3");
	ck_assert_str_eq(o.devs[2].path, "/dev/nvme0");
	ck_assert_str_eq(o.devs[2].type, "");
	ck_assert_str_eq(o.devs[2].id, "nvme0");
	smart_opts_free(&o);
}
END_TEST

START_TEST(test_opts_scan_explicit)
{
	struct hwh_option with[] = {OPT("device", "/dev/sda"), OPT("scan", "yes")};
	struct hwh_option without[] = {OPT("scan", "off")};
	struct smart_opts o;
	struct hwh_config_error err;

	ck_assert_int_eq(smart_opts_parse(with, 2, &o, &err), 0);
	ck_assert(o.scan);
	smart_opts_free(&o);
	ck_assert_int_eq(smart_opts_parse(without, 1, &o, &err), 0);
	ck_assert(!o.scan);
	smart_opts_free(&o);
}
END_TEST

static const struct bad_opt {
	const char *key, *value;
	const char *msg; /* the whole message, or its start when it ends in "..." */
} bad_opts[] = {
    {"smartclt", "/usr/sbin/smartctl",
     "unknown option 'smartclt' for plugin smart (expected one of: smartctl, device, scan, "
     "rescan, device-timeout, standby, parallel)"},
    {"smartctl", "smartctl",
     "smartctl: 'smartctl' is not an absolute path (expected such as /usr/sbin/smartctl)"},
    {"smartctl", "/nonexistent/smartctl",
     "smartctl: cannot run '/nonexistent/smartctl': No such file or directory (install "
     "smartmontools?)"},
    {"smartctl", "/tmp", "smartctl: '/tmp' is not a regular file"},
    {"smartctl", "", "option 'smartctl' needs a value"},
    {"device", "sda",
     "device: 'sda' is not an absolute device path (expected such as /dev/sda, at most 255 "
     "bytes, no blanks)"},
    {"device", "/dev/sda sat extra",
     "device: '/dev/sda sat extra': too many words (expected PATH [TYPE])"},
    {"device", "/dev/sda sat;reboot",
     "device: type 'sat;reboot' has characters smartctl's -d never takes (expected letters, "
     "digits and , _ / - +, such as sat, nvme or megaraid,3)"},
    {"device", "/dev/sda 0123456789012345678901234567890123456789",
     "device: type '01234567890123456789012345678901...' too long (at most 31 bytes)"},
    {"scan", "maybe", "scan: 'maybe' is not a boolean (expected yes or no)"},
    {"standby", "1", "standby: '1' is not a boolean (expected yes or no)"},
    {"rescan", "60",
     "rescan: '60' is not a duration (expected a number with a unit: ms, s, m "
     "or h, such as 30s)"},
    {"rescan", "5s", "rescan: 5s out of range (10000 ms to 31536000000 ms)"},
    {"device-timeout", "50ms", "device-timeout: 50ms out of range (100 ms to 3600000 ms)"},
    {"device-timeout", "2h", "device-timeout: 2h out of range (100 ms to 3600000 ms)"},
    {"parallel", "0", "parallel: '0' is not a number from 1 to 64"},
    {"parallel", "65", "parallel: '65' is not a number from 1 to 64"},
    {"parallel", "4x", "parallel: '4x' is not a number from 1 to 64"},
    {"parallel", "-1", "parallel: '-1' is not a number from 1 to 64"},
};

/* Each bad value, after a good option: the error names it (index 1). */
START_TEST(test_opts_bad)
{
	const struct bad_opt *b = &bad_opts[_i];
	struct hwh_option opts[] = {OPT("standby", "yes"), OPT(b->key, b->value)};
	struct smart_opts o;
	struct hwh_config_error err;
	size_t n = strlen(b->msg);

	if (strcmp(b->key, "standby") == 0)
		opts[0].key = "parallel", opts[0].value = "2";
	ck_assert_int_eq(smart_opts_parse(opts, 2, &o, &err), -1);
	ck_assert_int_eq(err.option, 1);
	if (n > 3 && strcmp(b->msg + n - 3, "...") == 0)
		ck_assert_msg(strncmp(err.msg, b->msg, n - 3) == 0, "got \"%s\"", err.msg);
	else
		ck_assert_str_eq(err.msg, b->msg);
	smart_opts_free(&o);
}
END_TEST

START_TEST(test_opts_twice)
{
	struct hwh_option opts[] = {OPT("parallel", "2"), OPT("device", "/dev/sda"),
				    OPT("device", "/dev/sdb"), OPT("parallel", "3")};
	struct hwh_option dup[] = {OPT("device", "/dev/sda"), OPT("device", "/dev/sda sat")};
	struct hwh_option sameid[] = {OPT("device", "/dev/a/b"), OPT("device", "/dev/a-b")};
	struct smart_opts o;
	struct hwh_config_error err;
	char want[96];

	ck_assert_int_eq(smart_opts_parse(opts, 4, &o, &err), -1);
	ck_assert_int_eq(err.option, 3);
	snprintf(want, sizeof want, "option 'parallel' given twice (first at line %d)",
		 opts[0].line);
	ck_assert_str_eq(err.msg, want);
	smart_opts_free(&o);
	ck_assert_int_eq(smart_opts_parse(dup, 2, &o, &err), -1);
	ck_assert_int_eq(err.option, 1);
	ck_assert_str_eq(err.msg, "device: '/dev/sda sat' given twice (drive id 'sda')");
	smart_opts_free(&o);
	ck_assert_int_eq(smart_opts_parse(sameid, 2, &o, &err), -1);
	ck_assert_str_eq(err.msg, "device: '/dev/a-b' has the same drive id 'a-b' as '/dev/a/b'");
	smart_opts_free(&o);
}
END_TEST

/* H1: the drives behind one RAID controller share a path and differ by
 * type; only an equal id is the same drive. */
START_TEST(test_opts_raid_one_path)
{
	struct hwh_option raid[] = {OPT("device", "/dev/bus/0 megaraid,0"),
				    OPT("device", "/dev/bus/0 sat+megaraid,1"),
				    OPT("device", "/dev/bus/0 cciss,1")};
	/* A SATA disk behind the controller (sat+megaraid,N, as --scan-open
	 * says) is the drive megaraid,N (as --scan says): the same id. */
	struct hwh_option sata[] = {OPT("device", "/dev/bus/0 megaraid,2"),
				    OPT("device", "/dev/bus/0 sat+megaraid,2")};
	struct hwh_option again[] = {OPT("device", "/dev/bus/0 megaraid,0"),
				     OPT("device", "/dev/bus/0 megaraid,0")};
	struct smart_opts o;
	struct hwh_config_error err;

	ck_assert_int_eq(smart_opts_parse(raid, 3, &o, &err), 0);
	ck_assert_uint_eq(o.ndevs, 3);
	ck_assert_str_eq(o.devs[0].id, "bus-0-megaraid-0");
	ck_assert_str_eq(o.devs[1].id, "bus-0-megaraid-1");
	ck_assert_str_eq(o.devs[2].id, "bus-0-cciss-1");
	ck_assert_str_eq(o.devs[1].type, "sat+megaraid,1");
	smart_opts_free(&o);
	ck_assert_int_eq(smart_opts_parse(sata, 2, &o, &err), -1);
	ck_assert_int_eq(err.option, 1);
	smart_opts_free(&o);
	ck_assert_int_eq(smart_opts_parse(again, 2, &o, &err), -1);
	ck_assert_int_eq(err.option, 1);
	ck_assert_str_eq(
	    err.msg, "device: '/dev/bus/0 megaraid,0' given twice (drive id 'bus-0-megaraid-0')");
	smart_opts_free(&o);
}
END_TEST

static const struct {
	const char *path, *type, *id;
} ids[] = {
    {"/dev/sda", "", "sda"},
    {"/dev/sda", "sat", "sda"},
    {"/dev/nvme0", "nvme", "nvme0"},
    {"/dev/nvme0n1", NULL, "nvme0n1"},
    {"/dev/bus/0", "megaraid,3", "bus-0-megaraid-3"},
    {"/dev/sg2", "areca,1/1", "sg2-areca-1-1"},
    {"/dev/disk/by-id/ata-ST3500418AS_9VM1", "sat", "disk-by-id-ata-ST3500418AS_9VM1"},
    {"/dev/weird:name!", "", "weird_name_"},
    {"/tmp/img", "", "tmp-img"},
    {"/dev/sdb", "cciss,0", "sdb-cciss-0"},
};

START_TEST(test_drive_ids)
{
	char buf[SMART_ID_MAX];

	ck_assert_int_eq(smart_drive_id(ids[_i].path, ids[_i].type, buf, sizeof buf), 0);
	ck_assert_str_eq(buf, ids[_i].id);
}
END_TEST

START_TEST(test_drive_id_limits)
{
	char buf[8], path[200];

	ck_assert_int_eq(smart_drive_id("/dev/sda", "", buf, sizeof buf), 0);
	ck_assert_int_eq(smart_drive_id("/dev/sdabcdefgh", "", buf, sizeof buf), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(smart_drive_id("/dev/", "", buf, sizeof buf), -1); /* empty id */
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	{
		struct smart_devspec d;
		char msg[256];

		ck_assert_int_eq(smart_devspec_parse(path, &d, msg, sizeof msg), -1);
		ck_assert_msg(strstr(msg, "makes a drive id longer than 95 bytes"), "%s", msg);
	}
	ck_assert(smart_type_ok("sat"));
	ck_assert(smart_type_ok("megaraid,31"));
	ck_assert(!smart_type_ok(""));
	ck_assert(!smart_type_ok("sat "));
	ck_assert(!smart_type_ok("a$b"));
}
END_TEST

START_TEST(test_serial_key)
{
	char k1[HWH_STATE_KEY_MAX], k2[HWH_STATE_KEY_MAX], id[SMART_ID_MAX];

	smart_serial_key("sda", k1, sizeof k1);
	ck_assert_str_eq(k1, "serial:sda");
	memset(id, 'x', 80);
	id[80] = '\0';
	smart_serial_key(id, k1, sizeof k1);
	id[79] = 'y';
	smart_serial_key(id, k2, sizeof k2);
	ck_assert_uint_eq(strlen(k1), HWH_STATE_KEY_MAX - 1);
	ck_assert_uint_eq(strlen(k2), HWH_STATE_KEY_MAX - 1);
	ck_assert_str_ne(k1, k2); /* cut the same, hashed apart */
	ck_assert_int_eq(k1[HWH_STATE_KEY_MAX - 1 - 9], '~');
	ck_assert_int_eq(strncmp(k1, "serial:xxxx", 11), 0);
	/* an id exactly at the limit is kept whole */
	id[56] = '\0';
	smart_serial_key(id, k1, sizeof k1);
	ck_assert_uint_eq(strlen(k1), 63);
	ck_assert_ptr_null(strchr(k1, '~'));
}
END_TEST

/* ---- scan ------------------------------------------------------------------------- */

/* What smartctl 7.3 printed here with /dev/sda (INQUIRY failed) and
 * /dev/nvme0 as fake nodes (notes/issue5/scan-fake.txt), plus a SATA disk. */
#define SCAN_DOC                                                                                   \
	"{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],\"exit_status\":0},"       \
	"\"devices\":[{\"name\":\"/dev/sda\",\"info_name\":\"/dev/sda\",\"type\":\"scsi\","        \
	"\"protocol\":\"SCSI\",\"open_error\":\"INQUIRY failed\"},{\"name\":\"/dev/nvme0\","       \
	"\"info_name\":\"/dev/nvme0\",\"type\":\"nvme\",\"protocol\":\"NVMe\"},{\"name\":"         \
	"\"/dev/sdb\",\"info_name\":\"/dev/sdb [SAT]\",\"type\":\"sat\",\"protocol\":\"ATA\"},"    \
	"{\"name\":\"/dev/bus/0\",\"info_name\":\"/dev/bus/0 [megaraid_disk_03]\",\"type\":"       \
	"\"megaraid,3\",\"protocol\":\"SCSI\"}]}"

START_TEST(test_scan_parse)
{
	struct smart_scan s;
	char err[SMART_ERR_MAX];

	ck_assert_int_eq(smart_scan_parse(SCAN_DOC, strlen(SCAN_DOC), &s, err, sizeof err), 0);
	ck_assert_uint_eq(s.n, 4);
	ck_assert_str_eq(s.ents[0].path, "/dev/sda");
	ck_assert_str_eq(s.ents[0].open_error, "INQUIRY failed");
	ck_assert_str_eq(s.ents[1].path, "/dev/nvme0");
	ck_assert_str_eq(s.ents[1].type, "nvme");
	ck_assert_str_eq(s.ents[1].open_error, "");
	ck_assert_str_eq(s.ents[3].type, "megaraid,3");
	smart_scan_free(&s);
}
END_TEST

/* No disk: smartctl 7.3 prints no "devices" key at all (measured). */
START_TEST(test_scan_none)
{
	static const char doc[] = "{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],"
				  "\"argv\":[\"smartctl\",\"--json=c\",\"--scan-open\"],"
				  "\"exit_status\":0}}\n";
	struct smart_scan s;
	char err[SMART_ERR_MAX];

	ck_assert_int_eq(smart_scan_parse(doc, strlen(doc), &s, err, sizeof err), 0);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.ents);
}
END_TEST

static const struct {
	const char *doc, *err;
} bad_scans[] = {
    {"", "empty output"},
    {"/dev/sda -d sat # /dev/sda [SAT], ATA device\n",
     "malformed JSON at byte 0: unexpected character"},
    {"{\"devices\":[]} x", "malformed JSON at byte 15: unexpected character"},
    {"{\"devices\":[{\"name\":\"/dev/sda\"}", "malformed JSON at byte 31: truncated"},
    {"[]", "expected a JSON object"},
    {"{\"devices\":{}}", "devices: expected an array"},
    {"{\"devices\":[1]}", "devices[0]: expected an object"},
    {"{\"devices\":[{\"type\":\"sat\"}]}", "devices[0].name: expected a device path"},
    {"{\"devices\":[{\"name\":\"/dev/sda\",\"type\":3}]}",
     "devices[0].type: expected a short string"},
    {"{\"devices\":[{\"name\":\"/dev/sda\",\"open_error\":false}]}",
     "devices[0].open_error: expected a string"},
};

START_TEST(test_scan_bad)
{
	struct smart_scan s;
	char err[SMART_ERR_MAX];
	const char *doc = bad_scans[_i].doc;

	ck_assert_int_eq(smart_scan_parse(doc, strlen(doc), &s, err, sizeof err), -1);
	ck_assert_str_eq(err, bad_scans[_i].err);
	ck_assert_ptr_null(s.ents);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(test_devlist_merge)
{
	static const char more[] =
	    "{\"devices\":[{\"name\":\"/dev/sdb\",\"type\":\"sat\"},{\"name\":\"/dev/nvme0\","
	    "\"type\":\"nvme\"},{\"name\":\"/dev/sda\",\"type\":\"scsi\",\"open_error\":\"x\"},"
	    "{\"name\":\"/dev/sdc\",\"type\":\"sat\"},{\"name\":\"/dev/sdc\",\"type\":\"scsi\"},"
	    "{\"name\":\"/dev/sdd\",\"type\":\"sat;rm\"},{\"name\":\"sde\",\"type\":\"sat\"},"
	    "{\"name\":\"/dev/sdf\"}]}";
	struct smart_devspec conf[1], *list;
	enum smart_skip skip[8];
	struct smart_scan s;
	char err[SMART_ERR_MAX];
	size_t n;

	ck_assert_int_eq(smart_devspec_parse("/dev/sdb scsi", &conf[0], err, sizeof err), 0);
	ck_assert_int_eq(smart_scan_parse(more, strlen(more), &s, err, sizeof err), 0);
	ck_assert_int_eq(smart_devlist_merge(conf, 1, &s, skip, &list, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(list[0].path, "/dev/sdb"); /* configured, with its own type */
	ck_assert_str_eq(list[0].type, "scsi");
	ck_assert_str_eq(list[1].id, "nvme0");
	ck_assert_str_eq(list[1].type, "nvme");
	ck_assert_str_eq(list[2].id, "sdc");
	ck_assert_str_eq(list[2].type, "sat");
	ck_assert_str_eq(list[3].id, "sdf");
	ck_assert_str_eq(list[3].type, "");
	ck_assert_int_eq(skip[0], SMART_SKIP_CONFIGURED);
	ck_assert_int_eq(skip[1], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[2], SMART_SKIP_OPEN_ERROR);
	ck_assert_int_eq(skip[3], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[4], SMART_SKIP_DUPLICATE);
	ck_assert_int_eq(skip[5], SMART_SKIP_BAD_PATH);
	ck_assert_int_eq(skip[6], SMART_SKIP_BAD_PATH);
	ck_assert_int_eq(skip[7], SMART_SKIP_NONE);
	free(list);
	smart_scan_free(&s);
	/* nothing at all */
	ck_assert_int_eq(smart_devlist_merge(NULL, 0, NULL, NULL, &list, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(list);
}
END_TEST

/* H1: several drives on one RAID path, in a scan and beside a configured
 * one. */
START_TEST(test_devlist_merge_raid)
{
	static const char raid[] =
	    "{\"devices\":[{\"name\":\"/dev/bus/0\",\"type\":\"megaraid,0\"},"
	    "{\"name\":\"/dev/bus/0\",\"type\":\"megaraid,1\"},"
	    "{\"name\":\"/dev/bus/0\",\"type\":\"megaraid,2\"},"
	    "{\"name\":\"/dev/bus/0\",\"type\":\"megaraid,1\"},"
	    "{\"name\":\"/dev/sda\",\"type\":\"sat\"}]}";
	struct smart_devspec conf[2], *list;
	enum smart_skip skip[5];
	struct smart_scan s;
	char err[SMART_ERR_MAX];
	size_t n;

	ck_assert_int_eq(smart_scan_parse(raid, strlen(raid), &s, err, sizeof err), 0);
	/* a scan alone: three drives on /dev/bus/0, the repeat of megaraid,1 once */
	ck_assert_int_eq(smart_devlist_merge(NULL, 0, &s, skip, &list, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(list[0].id, "bus-0-megaraid-0");
	ck_assert_str_eq(list[1].id, "bus-0-megaraid-1");
	ck_assert_str_eq(list[2].id, "bus-0-megaraid-2");
	ck_assert_str_eq(list[3].id, "sda");
	ck_assert_int_eq(skip[0], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[1], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[2], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[3], SMART_SKIP_DUPLICATE);
	free(list);
	/* a configured megaraid,0 drops only the scan's megaraid,0 */
	ck_assert_int_eq(smart_devspec_parse("/dev/bus/0 megaraid,0", &conf[0], err, sizeof err),
			 0);
	ck_assert_int_eq(smart_devlist_merge(conf, 1, &s, skip, &list, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(list[0].id, "bus-0-megaraid-0");
	ck_assert_str_eq(list[1].id, "bus-0-megaraid-1");
	ck_assert_str_eq(list[1].type, "megaraid,1");
	ck_assert_str_eq(list[2].id, "bus-0-megaraid-2");
	ck_assert_str_eq(list[3].id, "sda");
	ck_assert_int_eq(skip[0], SMART_SKIP_CONFIGURED);
	ck_assert_int_eq(skip[1], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[2], SMART_SKIP_NONE);
	ck_assert_int_eq(skip[3], SMART_SKIP_DUPLICATE);
	ck_assert_int_eq(skip[4], SMART_SKIP_NONE);
	free(list);
	/* a configured path with no type covers every entry on that path */
	ck_assert_int_eq(smart_devspec_parse("/dev/bus/0", &conf[0], err, sizeof err), 0);
	ck_assert_int_eq(smart_devspec_parse("/dev/sda scsi", &conf[1], err, sizeof err), 0);
	ck_assert_int_eq(smart_devlist_merge(conf, 2, &s, skip, &list, &n), 0);
	ck_assert_uint_eq(n, 2);
	for (size_t i = 0; i < 5; i++)
		ck_assert_int_eq(skip[i], SMART_SKIP_CONFIGURED); /* sda: the same id */
	free(list);
	smart_scan_free(&s);
}
END_TEST

/* ---- outcome ---------------------------------------------------------------------- */

/* A result that exited with code, printing out. */
static struct smart_result exited(int code, const char *out)
{
	struct smart_result r = {.exited = true, .exit_code = code};

	r.out = out ? strdup(out) : NULL;
	r.out_len = out ? strlen(out) : 0;
	return r;
}

static void classify(struct smart_result *r, bool standby, struct smart_verdict *v)
{
	struct smart_doc *doc = malloc(sizeof *doc);

	ck_assert_ptr_nonnull(doc);
	smart_classify(r, standby, 30000, "/usr/sbin/smartctl", doc, v);
	free(doc);
	free(r->out);
	r->out = NULL;
}

/* What /usr/sbin/smartctl 7.3 printed here for
 * `smartctl --json=c -a -n standby,3 -d sat /dev/null` (exit 3). */
#define REAL_SLEEP_DOC                                                                             \
	"{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],\"svn_revision\":"         \
	"\"5338\",\"argv\":[\"smartctl\",\"--json=c\",\"-a\",\"-n\",\"standby,3\",\"-d\","         \
	"\"sat\",\"/dev/null\"],\"messages\":[{\"string\":\"Device is in SLEEP mode, exit(3)\","   \
	"\"severity\":\"information\"}],\"exit_status\":3},\"local_time\":{\"time_t\":"            \
	"1795321471,\"asctime\":\"Sun Nov 22 04:24:31 2026 UTC\"},\"device\":{\"name\":"           \
	"\"/dev/null\",\"info_name\":\"/dev/null [SAT]\",\"type\":\"sat\",\"protocol\":\"ATA\"}}"
/* ... and for `smartctl --json=c -a -d sat /dev/nonexistent` (exit 2). */
#define REAL_OPEN_FAILED_DOC                                                                       \
	"{\"json_format_version\":[1,0],\"smartctl\":{\"version\":[7,3],\"messages\":[{"           \
	"\"string\":\"Smartctl open device: /dev/nonexistent [SAT] failed: No such device\","      \
	"\"severity\":\"error\"}],\"exit_status\":2}}"
#define BARE_EXIT2_DOC "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":2}}"

static const struct outcome_case {
	const char *name;
	struct smart_result r;
	const char *out; /* stdout */
	bool standby;	 /* the option */
	enum smart_outcome outcome;
	enum smart_fail fail;
	const char *text; /* the mode, or the error's exact text (or start, "...") */
} outcomes[] = {
    {"spawn ENOENT",
     {.spawn_err = ENOENT},
     NULL,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_SPAWN,
     "cannot run /usr/sbin/smartctl: No such file or directory"},
    {"timeout",
     {.timed_out = true, .signal = SIGKILL},
     NULL,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_TIMEOUT,
     "smartctl timed out after 30 s (killed)"},
    {"timeout with half a document",
     {.timed_out = true, .signal = SIGKILL},
     "{\"json_format_version\":[1,0],",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_TIMEOUT,
     "smartctl timed out after 30 s (killed)"},
    {"too big",
     {.too_big = true, .signal = SIGKILL},
     NULL,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl printed more than 4194304 bytes (killed)"},
    {"killed by someone",
     {.signal = SIGSEGV},
     NULL,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl killed by signal 11 (Segmentation fault)"},
    {"stopping",
     {.stopped = true},
     NULL,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl stopped: the source is stopping"},
    {"empty",
     {.exited = true, .exit_code = 2},
     "",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl printed no output (exit status 2)"},
    {"blank",
     {.exited = true, .exit_code = 0},
     " \n",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl printed no output (exit status 0)"},
    {"empty with stderr",
     {.exited = true, .exit_code = 1, .err = "smartctl: oops\nmore\n"},
     "",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl printed no output (exit status 1): smartctl: oops"},
    {"garbage",
     {.exited = true},
     "smartctl: this is not JSON at all\n",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "malformed JSON from smartctl: malformed JSON at byte 0..."},
    {"truncated",
     {.exited = true},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_st",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "malformed JSON from smartctl: truncated JSON: the input ends inside the document (49 "
     "bytes)"},
    {"trailing",
     {.exited = true},
     BARE_EXIT2_DOC "}",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "malformed JSON from smartctl: trailing bytes after the JSON document at byte 58"},
    {"no exit status",
     {.exited = true},
     "{\"json_format_version\":[1,0],\"smartctl\":{}}",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "malformed JSON from smartctl: smartctl.exit_status: missing"},
    {"open failed, smartctl's words",
     {.exited = true, .exit_code = 2},
     REAL_OPEN_FAILED_DOC,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "device open failed: Smartctl open device: /dev/nonexistent [SAT] failed: No such device"},
    {"open failed, no message",
     {.exited = true, .exit_code = 2},
     BARE_EXIT2_DOC,
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "device open failed: the device open failed, it returned no IDENTIFY data, or it is in a "
     "low-power mode (-n) (exit status 2)"},
    {"command line",
     {.exited = true, .exit_code = 1},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":1,\"messages\":[{\"string\":"
     "\"/dev/vda: Unable to detect device type\"}]}}",
     true,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl refused its command line: /dev/vda: Unable to detect device type"},
    {"exit 3 without standby",
     {.exited = true, .exit_code = 3},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":3}}",
     false,
     SMART_OUT_FAILED,
     SMART_FAIL_OTHER,
     "smartctl refused its command line: the command line did not parse"},
    {"real smartctl 7.3 SLEEP",
     {.exited = true, .exit_code = 3},
     REAL_SLEEP_DOC,
     true,
     SMART_OUT_STANDBY,
     SMART_FAIL_NONE,
     "sleep"},
    {"standby by exit 3 alone",
     {.exited = true, .exit_code = 3},
     "",
     true,
     SMART_OUT_STANDBY,
     SMART_FAIL_NONE,
     "standby"},
    {"standby by message, exit 2 (-n standby)",
     {.exited = true, .exit_code = 2},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":2,\"messages\":[{\"string\":"
     "\"Device is in STANDBY (OS) mode, exit(2)\"}]}}",
     false,
     SMART_OUT_STANDBY,
     SMART_FAIL_NONE,
     "standby"},
    {"idle",
     {.exited = true, .exit_code = 0},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0,\"messages\":[{\"string\":"
     "\"Device is in IDLE mode, exit(0)\"}]}}",
     true,
     SMART_OUT_STANDBY,
     SMART_FAIL_NONE,
     "idle"},
    {"ok, minimal",
     {.exited = true},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":0}}",
     true,
     SMART_OUT_OK,
     SMART_FAIL_NONE,
     ""},
    {"ok, error log bit",
     {.exited = true, .exit_code = 64},
     "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":64}}",
     true,
     SMART_OUT_OK,
     SMART_FAIL_NONE,
     ""},
};

START_TEST(test_outcome)
{
	const struct outcome_case *c = &outcomes[_i];
	struct smart_result r = c->r;
	struct smart_verdict v;
	size_t n = strlen(c->text);

	r.out = c->out ? strdup(c->out) : NULL;
	r.out_len = c->out ? strlen(c->out) : 0;
	classify(&r, c->standby, &v);
	ck_assert_msg(v.outcome == c->outcome, "%s: outcome %d (%s)", c->name, v.outcome, v.msg);
	ck_assert_int_eq(v.fail, c->fail);
	if (c->outcome == SMART_OUT_STANDBY)
		ck_assert_str_eq(v.mode, c->text);
	else if (n > 3 && strcmp(c->text + n - 3, "...") == 0)
		ck_assert_msg(strncmp(v.msg, c->text, n - 3) == 0, "%s: \"%s\"", c->name, v.msg);
	else
		ck_assert_msg(strcmp(v.msg, c->text) == 0, "%s: \"%s\"", c->name, v.msg);
}
END_TEST

/* A real capture is ok whatever its exit bits 2..7; cut, it is malformed. */
START_TEST(test_outcome_captures)
{
	static const char *const files[] = {"ST3200820AS_16.json",
					    "nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json",
					    "sat-Phison_Driven_SSDs-KINGSTON_SA400M8120G-sda.json"};
	struct smart_verdict v;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		size_t len;
		char *text = slurp(files[i], &len);
		struct smart_result r = exited(0, text);

		classify(&r, true, &v);
		ck_assert_msg(v.outcome == SMART_OUT_OK, "%s: %s", files[i], v.msg);
		r = exited(0, text);
		r.out_len = len / 2;
		classify(&r, true, &v);
		ck_assert_int_eq(v.outcome, SMART_OUT_FAILED);
		ck_assert_msg(strstr(v.msg, "malformed JSON from smartctl: truncated JSON"), "%s",
			      v.msg);
		free(text);
	}
}
END_TEST

START_TEST(test_standby_message)
{
	char m[16];

	ck_assert_int_eq(smart_standby_message("Device is in STANDBY mode, exit(3)", m, sizeof m),
			 1);
	ck_assert_str_eq(m, "standby");
	ck_assert_int_eq(smart_standby_message("Device is in SLEEP mode, exit(2)", m, sizeof m), 1);
	ck_assert_str_eq(m, "sleep");
	ck_assert_int_eq(
	    smart_standby_message("Device is in STANDBY (OS) mode, exit(2)", m, sizeof m), 1);
	ck_assert_str_eq(m, "standby");
	ck_assert_int_eq(
	    smart_standby_message("Device is in a bad mood today, says the mode", m, sizeof m), 0);
	ck_assert_int_eq(smart_standby_message("Device is in ", m, sizeof m), 0);
	ck_assert_int_eq(smart_standby_message("Read Device Identity failed", m, sizeof m), 0);
}
END_TEST

/* ---- emit -------------------------------------------------------------------------- */

#define MAXR 700

/* A copy of one reading. */
struct rd {
	char name[48], label[64], unit[8], text[SMART_TEXT_MAX], device[SMART_ID_MAX];
	enum hwh_kind kind;
	double value, crit;
	enum hwh_rstatus status;
	bool has_label, has_text, has_unit;
};

struct rlist {
	struct rd r[MAXR];
	size_t n;
};

static int collect(void *arg, const struct hwh_reading *r)
{
	struct rlist *l = arg;
	struct rd *d;

	ck_assert_uint_lt(l->n, MAXR);
	d = &l->r[l->n++];
	memset(d, 0, sizeof *d);
	snprintf(d->name, sizeof d->name, "%s", r->name);
	snprintf(d->device, sizeof d->device, "%s", r->device);
	d->has_label = r->label != NULL;
	d->has_text = r->text != NULL;
	d->has_unit = r->unit != NULL;
	snprintf(d->label, sizeof d->label, "%s", r->label ? r->label : "");
	snprintf(d->text, sizeof d->text, "%s", r->text ? r->text : "");
	snprintf(d->unit, sizeof d->unit, "%s", r->unit ? r->unit : "");
	d->kind = r->kind;
	d->value = r->value;
	d->crit = r->limit[HWH_LIM_CRIT];
	d->status = r->status;
	return 0;
}

static const struct rd *get(const struct rlist *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->r[i].name, name) == 0)
			return &l->r[i];
	return NULL;
}

static const struct rd *need(const struct rlist *l, const char *name)
{
	const struct rd *r = get(l, name);

	ck_assert_msg(r != NULL, "no reading %s", name);
	return r;
}

/* Parse a capture (or text) and emit it for id "sda" into l. */
static void emit_text(const char *text, size_t len, const char *type, struct rlist *l)
{
	struct smart_doc *d = malloc(sizeof *d);
	char err[SMART_ERR_MAX];

	ck_assert_ptr_nonnull(d);
	ck_assert_msg(smart_parse(text, len, d, err, sizeof err) == 0, "%s", err);
	l->n = 0;
	ck_assert_uint_eq(smart_emit_doc(d, "sda", type, collect, l), 0);
	free(d);
}

static struct rlist *emit_capture(const char *file, const char *type)
{
	struct rlist *l = malloc(sizeof *l);
	size_t len;
	char *text = slurp(file, &len);

	ck_assert_ptr_nonnull(l);
	emit_text(text, len, type, l);
	free(text);
	return l;
}

static void check_rd(const struct rd *r, enum hwh_kind kind, double value, const char *label,
		     const char *text)
{
	ck_assert_msg(r->kind == kind, "%s: kind %d", r->name, r->kind);
	ck_assert_msg(r->value == value || (isnan(value) && isnan(r->value)), "%s: value %.17g",
		      r->name, r->value);
	ck_assert_msg(label ? r->has_label && !strcmp(r->label, label) : !r->has_label,
		      "%s: label \"%s\"", r->name, r->label);
	ck_assert_msg(text ? r->has_text && !strcmp(r->text, text) : !r->has_text,
		      "%s: text \"%s\"", r->name, r->text);
	ck_assert_int_eq(r->status, HWH_R_OK);
	ck_assert_str_eq(r->device, "sda");
}

/* ST3500418AS_12: 304 reallocated sectors, exit 0. */
START_TEST(test_emit_ata)
{
	struct rlist *l = emit_capture("ST3500418AS_12.json", "sat");
	const struct rd *r;

	r = need(l, "identity");
	check_rd(r, HWH_KIND_OTHER, 500107862016.0, "ST3500418AS",
		 "ST3500418AS, serial REDACTED, firmware REDACTED, 500 GB, ATA (-d sat)");
	ck_assert_str_eq(r->unit, "B");
	check_rd(need(l, "power_mode"), HWH_KIND_OTHER, 1, NULL, "active");
	check_rd(need(l, "smartctl_exit"), HWH_KIND_OTHER, 0, NULL, "ok");
	check_rd(need(l, "exit_error_log"), HWH_KIND_OTHER, 0, NULL,
		 "the device error log contains records of errors");
	check_rd(need(l, "exit_prefail_at_threshold"), HWH_KIND_OTHER, 0, NULL,
		 "a prefail attribute is at or below its threshold");
	check_rd(need(l, "health_failed"), HWH_KIND_OTHER, 0, NULL, "PASSED");
	r = need(l, "temperature");
	check_rd(r, HWH_KIND_TEMPERATURE, 33, NULL, NULL);
	ck_assert(isnan(r->crit)); /* ATA: no limits */
	r = need(l, "power_on_hours");
	check_rd(r, HWH_KIND_OTHER, 44668, NULL, NULL);
	ck_assert_str_eq(r->unit, "h");
	check_rd(need(l, "attr5_value"), HWH_KIND_OTHER, 93, "Reallocated_Sector_Ct",
		 "worst 93, thresh 36, prefail");
	check_rd(need(l, "attr5_raw"), HWH_KIND_COUNTER, 304, "Reallocated_Sector_Ct", "raw 304");
	check_rd(need(l, "attr197_raw"), HWH_KIND_COUNTER, 0, "Current_Pending_Sector", "raw 0");
	ck_assert_int_eq(need(l, "attr9_raw")->kind, HWH_KIND_OTHER);
	ck_assert_int_eq(need(l, "attr9_value")->kind, HWH_KIND_OTHER);
	check_rd(need(l, "error_log_count"), HWH_KIND_COUNTER, 0, NULL, NULL);
	ck_assert_ptr_null(get(l, "critical_warning"));
	ck_assert_ptr_null(get(l, "grown_defects"));
	ck_assert_ptr_null(get(l, "selftest_failed")); /* no capture has a self-test log */
	ck_assert_ptr_null(get(l, "exit_open_failed"));
	/* 22 attributes x 2 + identity, power_mode, smartctl_exit, 6 exit bits,
	 * health_failed, temperature, power_on_hours, error_log_count */
	ck_assert_uint_eq(l->n, 44 + 13);
	free(l);
}
END_TEST

/* smartctl's own decoding of packed raw fields, from captures. */
START_TEST(test_emit_raw_decoding)
{
	struct rlist *l =
	    emit_capture("sat-Seagate_Enterprise_Capacity_3.5_HDD-ST2000NM0008-2F3100-"
			 "sdl.json",
			 "");
	const struct rd *r;

	/* Seagate 188 packs three 16-bit counters: "2 2 2" */
	check_rd(need(l, "attr188_raw"), HWH_KIND_COUNTER, 2, "Command_Timeout", "raw 8590065666");
	/* "26 (Min/Max 25/32)" style temperatures */
	r = need(l, "attr194_raw");
	ck_assert_int_eq(r->kind, HWH_KIND_OTHER);
	ck_assert_double_lt(r->value, 80);
	ck_assert_int_eq(strncmp(r->text, "raw ", 4), 0);
	free(l);
	/* a raw.value above 2^53 (240 Head_Flying_Hours), "4362h+39m+17.321s" style */
	l = emit_capture("sat-Seagate_Exos_7E8-ST1000NM000A-2J3100-sdq.json", "sat");
	r = need(l, "attr240_raw");
	ck_assert_str_eq(r->text, "raw 10124616601178378");
	ck_assert_double_lt(r->value, 1e6);
	free(l);
}
END_TEST

START_TEST(test_raw_value)
{
	struct smart_attr a = {.id = 5, .raw = 77};

	snprintf(a.raw_str, sizeof a.raw_str, "26 (Min/Max 25/32)");
	ck_assert_uint_eq(smart_raw_value(&a), 26);
	snprintf(a.raw_str, sizeof a.raw_str, "4362h+39m+17.321s");
	ck_assert_uint_eq(smart_raw_value(&a), 4362);
	snprintf(a.raw_str, sizeof a.raw_str, "2 2 2");
	ck_assert_uint_eq(smart_raw_value(&a), 2);
	snprintf(a.raw_str, sizeof a.raw_str, "0x00050000000a");
	ck_assert_uint_eq(smart_raw_value(&a), 0x00050000000aULL);
	snprintf(a.raw_str, sizeof a.raw_str, "%s", "");
	ck_assert_uint_eq(smart_raw_value(&a), 77);
	snprintf(a.raw_str, sizeof a.raw_str, "-");
	ck_assert_uint_eq(smart_raw_value(&a), 77);
	snprintf(a.raw_str, sizeof a.raw_str, "99999999999999999999999");
	ck_assert_uint_eq(smart_raw_value(&a), 77); /* beyond 64 bits: the raw field */
	ck_assert(smart_attr_is_counter(197));
	ck_assert(smart_attr_is_counter(5));
	ck_assert(!smart_attr_is_counter(194));
	ck_assert(!smart_attr_is_counter(9));
}
END_TEST

/* The one capture with a failing health: NVMe, exit 8, critical_warning 16. */
START_TEST(test_emit_nvme_failing)
{
	struct rlist *l = emit_capture("nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json", "nvme");
	static const char *const cw0[] = {"cw_spare_below_threshold", "cw_temperature",
					  "cw_reliability_degraded", "cw_read_only",
					  "cw_pmr_read_only"};

	check_rd(need(l, "identity"), HWH_KIND_OTHER, 3200631791616.0, "SAMSUNG MZWLL3T2HAJQ-00005",
		 "SAMSUNG MZWLL3T2HAJQ-00005, serial REDACTED, firmware REDACTED, 3.20 TB, NVMe "
		 "(-d nvme)");
	check_rd(need(l, "smartctl_exit"), HWH_KIND_OTHER, 8, NULL, "disk-failing");
	check_rd(need(l, "exit_disk_failing"), HWH_KIND_OTHER, 1, NULL,
		 "the SMART status check returned DISK FAILING");
	check_rd(need(l, "exit_command_failed"), HWH_KIND_OTHER, 0, NULL,
		 "a SMART or other command to the device failed, or a SMART data structure had a "
		 "checksum error");
	check_rd(need(l, "health_failed"), HWH_KIND_OTHER, 1, NULL, "FAILED");
	check_rd(need(l, "critical_warning"), HWH_KIND_OTHER, 16, NULL,
		 "volatile-memory-backup-failed");
	check_rd(need(l, "cw_volatile_memory_backup_failed"), HWH_KIND_OTHER, 1, NULL, NULL);
	for (size_t i = 0; i < sizeof cw0 / sizeof cw0[0]; i++)
		check_rd(need(l, cw0[i]), HWH_KIND_OTHER, 0, NULL, NULL);
	check_rd(need(l, "available_spare"), HWH_KIND_PERCENT, 100, NULL, "threshold 10 %");
	check_rd(need(l, "available_spare_threshold"), HWH_KIND_PERCENT, 10, NULL, NULL);
	check_rd(need(l, "spare_below_threshold"), HWH_KIND_OTHER, 0, NULL, NULL);
	check_rd(need(l, "percentage_used"), HWH_KIND_PERCENT, 0, NULL, NULL);
	check_rd(need(l, "media_errors"), HWH_KIND_COUNTER, 0, NULL, NULL);
	check_rd(need(l, "num_err_log_entries"), HWH_KIND_COUNTER, 0, NULL, NULL);
	check_rd(need(l, "unsafe_shutdowns"), HWH_KIND_COUNTER, 4, NULL, NULL);
	check_rd(need(l, "temperature"), HWH_KIND_TEMPERATURE, 40, NULL, NULL);
	check_rd(need(l, "power_on_hours"), HWH_KIND_OTHER, 18376, NULL, NULL);
	ck_assert_ptr_null(get(l, "attr5_raw"));
	ck_assert_ptr_null(get(l, "error_log_count"));
	free(l);
}
END_TEST

/* SCSI with grown defects and uncorrected errors; no verify log. */
START_TEST(test_emit_scsi)
{
	struct rlist *l = emit_capture("SEAGATE_ST373453LC_26.json", "");
	const struct rd *r;

	check_rd(need(l, "identity"), HWH_KIND_OTHER, 73407820800.0, "SEAGATE ST373453LC",
		 "SEAGATE ST373453LC, serial REDACTED, firmware DX10, 73.4 GB, SCSI (-d scsi)");
	check_rd(need(l, "grown_defects"), HWH_KIND_COUNTER, 260, NULL, NULL);
	check_rd(need(l, "read_uncorrected"), HWH_KIND_COUNTER, 1, NULL, NULL);
	check_rd(need(l, "write_uncorrected"), HWH_KIND_COUNTER, 535, NULL, NULL);
	ck_assert_ptr_null(get(l, "verify_uncorrected"));
	r = need(l, "temperature");
	check_rd(r, HWH_KIND_TEMPERATURE, 33, NULL, NULL);
	ck_assert_double_eq(r->crit, 68); /* temperature.drive_trip */
	ck_assert_ptr_null(get(l, "critical_warning"));
	free(l);
}
END_TEST

/* Synthetic (no capture has one): attributes failing now and in the past,
 * and a failed extended self-test, in smartctl 7.3's shape. */
START_TEST(test_emit_thresholds_selftest)
{
	static const char doc[] =
	    "{\"json_format_version\":[1,0],\"smartctl\":{\"exit_status\":48},"
	    "\"device\":{\"protocol\":\"ATA\",\"type\":\"sat\"},"
	    "\"ata_smart_attributes\":{\"table\":["
	    "{\"id\":5,\"name\":\"Reallocated_Sector_Ct\",\"value\":30,\"worst\":30,\"thresh\":36,"
	    "\"when_failed\":\"now\",\"flags\":{\"value\":51,\"prefailure\":true},"
	    "\"raw\":{\"value\":3000,\"string\":\"3000\"}},"
	    "{\"id\":10,\"name\":\"Spin_Retry_Count\",\"value\":100,\"worst\":40,\"thresh\":51,"
	    "\"when_failed\":\"past\",\"flags\":{\"value\":50,\"prefailure\":false},"
	    "\"raw\":{\"value\":2,\"string\":\"2\"}}]},"
	    "\"ata_smart_self_test_log\":{\"standard\":{\"table\":[{\"type\":{\"string\":"
	    "\"Extended offline\"},\"status\":{\"value\":121,\"string\":\"Completed: read "
	    "failure\",\"passed\":false},\"lifetime_hours\":1234}]}}}";
	struct rlist *l = malloc(sizeof *l);

	emit_text(doc, strlen(doc), "", l);
	check_rd(need(l, "exit_prefail_at_threshold"), HWH_KIND_OTHER, 1, NULL,
		 "a prefail attribute is at or below its threshold: 5 Reallocated_Sector_Ct value "
		 "30 <= thresh 36");
	check_rd(need(l, "exit_past_at_threshold"), HWH_KIND_OTHER, 1, NULL,
		 "an attribute (usage or prefail) was at or below its threshold in the past: 10 "
		 "Spin_Retry_Count worst 40 <= thresh 51");
	check_rd(need(l, "attr5_value"), HWH_KIND_OTHER, 30, "Reallocated_Sector_Ct",
		 "worst 30, thresh 36, prefail, failed now");
	check_rd(need(l, "attr10_value"), HWH_KIND_OTHER, 100, "Spin_Retry_Count",
		 "worst 40, thresh 51, old-age, failed in the past");
	check_rd(need(l, "attr10_raw"), HWH_KIND_COUNTER, 2, "Spin_Retry_Count", "raw 2");
	check_rd(need(l, "selftest_failed"), HWH_KIND_OTHER, 1, NULL,
		 "Extended offline: Completed: read failure at 1234 h");
	check_rd(need(l, "identity"), HWH_KIND_OTHER, NAN, NULL, "ATA (-d sat)");
	/* missing keys: no reading, never a 0 */
	ck_assert_ptr_null(get(l, "health_failed"));
	ck_assert_ptr_null(get(l, "temperature"));
	ck_assert_ptr_null(get(l, "power_on_hours"));
	ck_assert_ptr_null(get(l, "error_log_count"));
	free(l);
}
END_TEST

START_TEST(test_emit_power)
{
	struct rlist *l = malloc(sizeof *l);

	l->n = 0;
	ck_assert_int_eq(smart_emit_power("sda", "sleep", collect, l), 0);
	ck_assert_uint_eq(l->n, 1);
	check_rd(&l->r[0], HWH_KIND_OTHER, 0, NULL, "sleep");
	ck_assert_str_eq(l->r[0].name, "power_mode");
	free(l);
}
END_TEST

static bool name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) >= 40)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* Every capture: names valid and unique, identity and power_mode first,
 * exit bits always there, protocol-specific names only on their protocol. */
START_TEST(test_emit_all_captures)
{
	struct rlist *l = malloc(sizeof *l);
	DIR *d = opendir(FIXTURES);
	struct dirent *e;
	size_t files = 0;

	ck_assert_msg(d != NULL, "no %s", FIXTURES);
	while ((e = readdir(d)) != NULL) {
		size_t len, n = strlen(e->d_name);
		char *text;

		if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		text = slurp(e->d_name, &len);
		emit_text(text, len, "", l);
		free(text);
		files++;
		ck_assert_str_eq(l->r[0].name, "identity");
		ck_assert_str_eq(l->r[1].name, "power_mode");
		ck_assert_ptr_nonnull(get(l, "exit_selftest_log"));
		ck_assert_ptr_nonnull(get(l, "temperature"));
		for (size_t i = 0; i < l->n; i++) {
			ck_assert_msg(name_ok(l->r[i].name), "%s: name %s", e->d_name,
				      l->r[i].name);
			for (size_t k = 0; k < i; k++)
				ck_assert_msg(strcmp(l->r[i].name, l->r[k].name) != 0,
					      "%s: %s twice", e->d_name, l->r[i].name);
		}
		ck_assert_msg(
		    (get(l, "attr9_raw") != NULL) ==
			(get(l, "critical_warning") == NULL && get(l, "grown_defects") == NULL),
		    "%s: protocol names mixed", e->d_name);
	}
	closedir(d);
	ck_assert_uint_eq(files, 126);
	free(l);
}
END_TEST

START_TEST(test_format_bytes)
{
	static const struct {
		uint64_t b;
		const char *s;
	} rows[] = {{0, "0 B"},
		    {999, "999 B"},
		    {1000, "1.00 kB"},
		    {500107862016, "500 GB"},
		    {73407820800, "73.4 GB"},
		    {2000398934016, "2.00 TB"},
		    {1920383410176, "1.92 TB"},
		    {18000207937536, "18.0 TB"},
		    {UINT64_MAX, "18.4 EB"}};
	char buf[32];

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		smart_format_bytes(rows[i].b, buf, sizeof buf);
		ck_assert_str_eq(buf, rows[i].s);
	}
}
END_TEST

/* ---- run ----------------------------------------------------------------------------- */

/* Run one argv with timeout_ms; the result in *res (out copied). */
static void run1(char **argv, uint64_t timeout_ms, struct smart_result *res)
{
	struct smart_job j = {.argv = argv};
	struct smart_reaper reaper = {0};

	ck_assert_int_eq(smart_run_jobs(&j, 1, 1, timeout_ms, NULL, NULL, &reaper), 0);
	*res = j.res;
	ck_assert_uint_eq(reaper.n, 0);
	smart_reaper_free(&reaper);
}

START_TEST(test_run_output)
{
	char *argv[] = {"/bin/echo", "hello", "world", NULL};
	char *argv2[] = {"/bin/sh", "-c", "echo oops >&2; printf x; exit 3", NULL};
	struct smart_result r;

	run1(argv, 5000, &r);
	ck_assert(r.exited);
	ck_assert_int_eq(r.exit_code, 0);
	ck_assert_uint_eq(r.out_len, 12);
	ck_assert_str_eq(r.out, "hello world\n");
	ck_assert_str_eq(r.err, "");
	free(r.out);
	run1(argv2, 5000, &r);
	ck_assert_int_eq(r.exit_code, 3);
	ck_assert_str_eq(r.out, "x");
	ck_assert_str_eq(r.err, "oops\n");
	ck_assert(!r.timed_out && !r.too_big && r.spawn_err == 0);
	free(r.out);
}
END_TEST

/* The child sees PATH and LC_ALL only, whatever the daemon has. */
START_TEST(test_run_env)
{
	char *argv[] = {"/usr/bin/env", NULL};
	struct smart_result r;

	setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
	setenv("WATCHDOG_USEC", "1000000", 1);
	run1(argv, 5000, &r);
	ck_assert_str_eq(r.out, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\nLC_ALL=C\n");
	free(r.out);
}
END_TEST

/* Own process group, empty signal mask, SIGPIPE not ignored, stdin
 * /dev/null, no descriptor of ours.  Each read by a program spawned
 * directly: a shell changes its own mask while it waits. */
START_TEST(test_run_process_state)
{
	char *stat[] = {"/bin/cat", "/proc/self/stat", NULL};
	char *sig[] = {"/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL};
	char *in[] = {"/bin/cat", NULL};
	char *fds[] = {"/bin/ls", "/proc/self/fd", NULL};
	sigset_t set;
	struct smart_result r;
	int pid, pgid, leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC */
	char *p;

	ck_assert_int_ge(leak, 3);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	run1(stat, 5000, &r);
	p = strrchr(r.out, ')');
	ck_assert_int_eq(sscanf(r.out, "%d", &pid), 1);
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %d", &pgid), 1);
	ck_assert_int_eq(pid, pgid); /* its own group */
	ck_assert_int_ne(pgid, getpgrp());
	free(r.out);
	run1(sig, 5000, &r);
	ck_assert_msg(strstr(r.out, "SigBlk:\t0000000000000000\n"), "%s", r.out);
	p = strstr(r.out, "SigIgn:\t");
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(!(strtoull(p + 8, NULL, 16) & (1ULL << (SIGPIPE - 1))), "%s", r.out);
	free(r.out);
	run1(in, 5000, &r); /* stdin is /dev/null: cat ends at once */
	ck_assert(r.exited && !r.timed_out);
	ck_assert_uint_eq(r.out_len, 0);
	free(r.out);
	run1(fds, 5000, &r); /* 0 1 2, and ls's own directory */
	ck_assert_str_eq(r.out, "0\n1\n2\n3\n");
	close(leak);
	free(r.out);
}
END_TEST

static bool pid_alive(pid_t pid);

/* Whether pid is gone (or a zombie) within 2 s: SIGKILL is delivered
 * asynchronously, and a sanitizer build is slow to die. */
static bool pid_dies(pid_t pid)
{
	for (int i = 0; i < 200 && pid_alive(pid); i++)
		usleep(10 * 1000);
	return !pid_alive(pid);
}

static bool pid_alive(pid_t pid)
{
	char path[64], buf[512], *rp;
	FILE *f;
	bool alive;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	alive =
	    fgets(buf, sizeof buf, f) != NULL && (rp = strrchr(buf, ')')) != NULL && rp[2] != 'Z';
	fclose(f);
	return alive;
}

/* A child that outlives its deadline is killed with its whole group
 * (here a background sleep holding the pipe) and reaped. */
START_TEST(test_run_timeout_kills_group)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 30 & echo $! $$; wait", NULL};
	struct smart_result r;
	uint64_t t0 = now_ms();
	int bg, sh;

	prctl(PR_SET_CHILD_SUBREAPER, 1); /* the orphaned sleep comes back to us */
	run1(argv, 400, &r);
	ck_assert(r.timed_out);
	ck_assert(!r.exited);
	ck_assert_int_eq(r.signal, SIGKILL);
	ck_assert_uint_lt(now_ms() - t0, 2000);
	ck_assert_uint_ge(r.ms, 400);
	ck_assert_int_eq(sscanf(r.out, "%d %d", &bg, &sh), 2);
	ck_assert(!pid_alive(sh));			  /* reaped by the run */
	ck_assert(pid_dies(bg));			  /* killed by the group kill */
	ck_assert_int_eq(waitpid(sh, NULL, WNOHANG), -1); /* already reaped by the run */
	waitpid(bg, NULL, 0);				  /* ours now, as subreaper */
	free(r.out);
}
END_TEST

/* A child that exits but leaves a grandchild holding stdout: the
 * grandchild is killed at the deadline, the run ends. */
START_TEST(test_run_grandchild_holds_pipe)
{
	char *argv[] = {"/bin/sh", "-c", "sleep 30 & echo $!; exit 0", NULL};
	struct smart_result r;
	int bg;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	run1(argv, 400, &r);
	ck_assert(r.timed_out);
	ck_assert(r.exited);
	ck_assert_int_eq(sscanf(r.out, "%d", &bg), 1);
	ck_assert(pid_dies(bg));
	waitpid(bg, NULL, 0);
	free(r.out);
}
END_TEST

START_TEST(test_run_too_big)
{
	char *argv[] = {"/usr/bin/yes", NULL};
	struct smart_result r;

	run1(argv, 10000, &r);
	ck_assert(r.too_big);
	ck_assert(!r.timed_out);
	ck_assert_uint_gt(r.out_len, SMART_JSON_MAX);
	ck_assert_uint_le(r.out_len, SMART_JSON_MAX + 1);
	free(r.out);
}
END_TEST

START_TEST(test_run_spawn_fails)
{
	char *argv[] = {"/nonexistent/smartctl", "-a", "/dev/sda", NULL};
	char *argv2[] = {"/etc/passwd", NULL};
	struct smart_result r;

	run1(argv, 1000, &r);
	ck_assert_int_eq(r.spawn_err, ENOENT);
	ck_assert_ptr_null(r.out);
	run1(argv2, 1000, &r);
	ck_assert_int_eq(r.spawn_err, EACCES);
}
END_TEST

/* 6 jobs of 300 ms, 3 at a time: two rounds, not one, not six. */
START_TEST(test_run_parallel)
{
	char *argv[] = {"/bin/sleep", "0.3", NULL};
	struct smart_job jobs[6];
	uint64_t t0 = now_ms(), took;

	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < 6; i++)
		jobs[i].argv = argv;
	ck_assert_int_eq(smart_run_jobs(jobs, 6, 3, 5000, NULL, NULL, NULL), 0);
	took = now_ms() - t0;
	ck_assert_msg(took >= 550 && took < 1500, "took %llu ms", (unsigned long long)took);
	for (int i = 0; i < 6; i++)
		ck_assert(jobs[i].res.exited && jobs[i].res.exit_code == 0);
	smart_jobs_free(jobs, 6);
}
END_TEST

static uint64_t stop_at;

static int stop_later(void *arg)
{
	(void)arg;
	return now_ms() >= stop_at;
}

/* Stopping kills what runs and starts nothing more, within a wake-up. */
START_TEST(test_run_stop)
{
	char *argv[] = {"/bin/sh", "-c", "echo $$; exec sleep 30", NULL};
	struct smart_job jobs[3];
	uint64_t t0 = now_ms();
	int pid;

	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < 3; i++)
		jobs[i].argv = argv;
	stop_at = t0 + 300;
	ck_assert_int_eq(smart_run_jobs(jobs, 3, 2, 30000, stop_later, NULL, NULL), 0);
	ck_assert_uint_lt(now_ms() - t0, 300 + SMART_WAKE_MS + 500);
	for (int i = 0; i < 3; i++)
		ck_assert(jobs[i].res.stopped);
	ck_assert_ptr_null(jobs[2].res.out); /* never started */
	ck_assert_int_eq(sscanf(jobs[0].res.out, "%d", &pid), 1);
	ck_assert(pid_dies(pid));
	smart_jobs_free(jobs, 3);
}
END_TEST

/* No zombie after many runs: every child is reaped. */
START_TEST(test_run_no_zombies)
{
	char *argv[] = {"/bin/sh", "-c", "echo $$", NULL};
	struct smart_job jobs[20];
	char path[64];

	memset(jobs, 0, sizeof jobs);
	for (int i = 0; i < 20; i++)
		jobs[i].argv = argv;
	ck_assert_int_eq(smart_run_jobs(jobs, 20, 8, 5000, NULL, NULL, NULL), 0);
	for (int i = 0; i < 20; i++) {
		int pid;

		ck_assert_int_eq(sscanf(jobs[i].res.out, "%d", &pid), 1);
		snprintf(path, sizeof path, "/proc/%d", pid);
		ck_assert_msg(access(path, F_OK) != 0, "pid %d still there", pid);
	}
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	smart_jobs_free(jobs, 20);
}
END_TEST

/* ---- the plugin against a fake host ------------------------------------------------ */

/* build/plugins/smart.so loaded with dlopen and driven through its
 * callbacks by a host that records what the plugin asks of it: log lines
 * and the order of emits and holds.  smartctl is the stand-in, linked as
 * W/smartctl with its data in W/smartctl.d (see tests/smartctl_standin.c). */
#define SMART_SO HWH_BUILD_DIR "/plugins/smart.so"
#define STANDIN HWH_BUILD_DIR "/tests/smartctl-standin"
#define FH_MAX 256

struct fake_host {
	struct hwh_ctx_public pub; /* first: what hwh_host() reads */
	char *logs[FH_MAX];	   /* log lines, in order */
	size_t nlogs;
	char *calls[FH_MAX]; /* "emit DEV/NAME", "hold DEV" */
	size_t ncalls;
	char error[512];    /* the last hwh_error() */
	int state_set_rc;   /* what state_set returns */
	unsigned state_set; /* how often it was called */
};

static char fh_dir[256]; /* W */

static void fh_add(char **v, size_t *n, char *line)
{
	if (line != NULL && *n < FH_MAX)
		v[(*n)++] = line;
	else
		free(line);
}

static void fh_vlog(struct hwh_ctx *ctx, int prio, const char *fmt, va_list ap)
{
	struct fake_host *h = (struct fake_host *)ctx;
	char *line = NULL;

	(void)prio;
	if (vasprintf(&line, fmt, ap) < 0)
		line = NULL;
	fh_add(h->logs, &h->nlogs, line);
}

static void fh_verror(struct hwh_ctx *ctx, const char *fmt, va_list ap)
{
	struct fake_host *h = (struct fake_host *)ctx;

	vsnprintf(h->error, sizeof h->error, fmt, ap);
}

static int fh_emit(struct hwh_ctx *ctx, const struct hwh_reading *r)
{
	struct fake_host *h = (struct fake_host *)ctx;
	char *line = NULL;

	if (asprintf(&line, "emit %s/%s", r->device, r->name) < 0)
		line = NULL;
	fh_add(h->calls, &h->ncalls, line);
	return 0;
}

static int fh_event(struct hwh_ctx *ctx, const struct hwh_event *e)
{
	(void)ctx, (void)e;
	return 0;
}

static int fh_stopping(struct hwh_ctx *ctx)
{
	(void)ctx;
	return 0;
}

static int fh_state_get(struct hwh_ctx *ctx, const char *key, char *buf, size_t len)
{
	(void)ctx, (void)key, (void)buf, (void)len;
	return -ENOENT;
}

static int fh_state_set(struct hwh_ctx *ctx, const char *key, const char *value)
{
	struct fake_host *h = (struct fake_host *)ctx;

	(void)key, (void)value;
	h->state_set++;
	return h->state_set_rc;
}

static int fh_hold(struct hwh_ctx *ctx, const char *device, const char *why)
{
	struct fake_host *h = (struct fake_host *)ctx;
	char *line = NULL;

	(void)why;
	if (asprintf(&line, "hold %s", device) < 0)
		line = NULL;
	fh_add(h->calls, &h->ncalls, line);
	return 0;
}

static const struct hwh_host fh_host = {
    .abi_version = HWH_ABI_VERSION,
    .struct_size = sizeof(struct hwh_host),
    .vlog = fh_vlog,
    .emit = fh_emit,
    .event = fh_event,
    .verror = fh_verror,
    .stopping = fh_stopping,
    .state_get = fh_state_get,
    .state_set = fh_state_set,
    .hold = fh_hold,
};

static void fh_init(struct fake_host *h)
{
	memset(h, 0, sizeof *h);
	h->pub.host = &fh_host;
}

static void fh_free(struct fake_host *h)
{
	for (size_t i = 0; i < h->nlogs; i++)
		free(h->logs[i]);
	for (size_t i = 0; i < h->ncalls; i++)
		free(h->calls[i]);
	h->nlogs = h->ncalls = 0;
}

/* How many log lines hold needle. */
static int fh_logged(const struct fake_host *h, const char *needle)
{
	int n = 0;

	for (size_t i = 0; i < h->nlogs; i++)
		n += strstr(h->logs[i], needle) != NULL;
	return n;
}

/* Index of call line in h->calls, or -1. */
static int fh_call(const struct fake_host *h, const char *line)
{
	for (size_t i = 0; i < h->ncalls; i++)
		if (strcmp(h->calls[i], line) == 0)
			return (int)i;
	return -1;
}

/* W/smartctl.d/name holds text. */
static void fh_put(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/smartctl.d/%s", fh_dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* W/smartctl.d/dev.json: capture file. */
static void fh_capture(const char *dev, const char *file)
{
	char name[64], *text;
	size_t len;

	ck_assert_ptr_nonnull(text = slurp(file, &len));
	snprintf(name, sizeof name, "%s.json", dev);
	fh_put(name, text);
	free(text);
}

static void fh_setup(void)
{
	char path[512];

	snprintf(fh_dir, sizeof fh_dir, "/tmp/check_smart_plugin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fh_dir));
	snprintf(path, sizeof path, "%s/smartctl.d", fh_dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof path, "%s/smartctl", fh_dir);
	ck_assert_int_eq(symlink(STANDIN, path), 0);
}

static void fh_teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fh_dir);
	if (fh_dir[0] != '\0' && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", fh_dir);
}

/* The plugin, configured with opts (the stand-in as smartctl added) and
 * initialised on h. */
static const struct hwh_plugin *fh_start(struct fake_host *h, void **dl, void **inst,
					 struct hwh_option *opts, size_t nopts)
{
	struct hwh_option all[8];
	struct hwh_config_error err;
	const struct hwh_plugin *pl;
	static char exe[512];

	ck_assert_uint_lt(nopts, 8);
	snprintf(exe, sizeof exe, "%s/smartctl", fh_dir);
	all[0] = (struct hwh_option)OPT("smartctl", exe);
	memcpy(all + 1, opts, nopts * sizeof *opts);
	*dl = dlopen(SMART_SO, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(*dl != NULL, "%s", dlerror());
	ck_assert_ptr_nonnull(pl = dlsym(*dl, HWH_PLUGIN_SYMBOL));
	ck_assert_int_eq(pl->config(all, nopts + 1, inst, &err), 0);
	ck_assert_int_eq(pl->init(*inst, (struct hwh_ctx *)h), 0);
	return pl;
}

static void fh_stop(const struct hwh_plugin *pl, void *dl, void *inst)
{
	pl->shutdown(inst);
	dlclose(dl);
}

/* M2: an -ENOSPC from hwh_state_set (the core's limit of kept keys) is
 * logged once per drive, not at every poll. */
START_TEST(test_host_state_nospace_once)
{
	struct hwh_option opts[] = {OPT("device", "/dev/sda sat"), OPT("device", "/dev/sdb sat")};
	struct fake_host h;
	const struct hwh_plugin *pl;
	void *dl, *inst;

	fh_capture("sda", "ST3500418AS_12.json");
	fh_capture("sdb", "WDC_WD20EFRX-68EUZN0_18.json");
	fh_init(&h);
	h.state_set_rc = -ENOSPC;
	pl = fh_start(&h, &dl, &inst, opts, 2);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pl->poll(inst, (struct hwh_ctx *)&h), 0);
	ck_assert_uint_eq(h.state_set, 6); /* tried at each poll: it may fit later */
	ck_assert_int_eq(fh_logged(&h, "sda: cannot keep its serial"), 1);
	ck_assert_int_eq(fh_logged(&h, "sdb: cannot keep its serial"), 1);
	fh_stop(pl, dl, inst);
	fh_free(&h);
}
END_TEST

/* LOW4: a spawn error other than ENOENT or EACCES (EMFILE here, from
 * pipe2 at RLIMIT_NOFILE) fails the poll with its own errno and text. */
START_TEST(test_host_spawn_errno)
{
	struct hwh_option opts[] = {OPT("device", "/dev/sda sat")};
	struct fake_host h;
	const struct hwh_plugin *pl;
	struct rlimit old, low;
	void *dl, *inst;
	int fd, rc;

	fh_capture("sda", "ST3500418AS_12.json");
	fh_init(&h);
	pl = fh_start(&h, &dl, &inst, opts, 1);
	ck_assert_int_ge(fd = open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
	close(fd); /* the lowest free descriptor: a limit of fd leaves none */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	rc = pl->poll(inst, (struct hwh_ctx *)&h);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(rc, -EMFILE);
	ck_assert_msg(strstr(h.error, strerror(EMFILE)) != NULL, "error: %s", h.error);
	/* and it works again once descriptors are free */
	ck_assert_int_eq(pl->poll(inst, (struct hwh_ctx *)&h), 0);
	fh_stop(pl, dl, inst);
	fh_free(&h);
}
END_TEST

/* LOW11: a drive in standby is held first, then its power_mode emitted,
 * so power_mode shows its fresh sample rather than "held" (the core's
 * hold covers the metrics present at the call; an emit after it
 * refreshes that one). */
START_TEST(test_host_standby_hold_then_power_mode)
{
	struct hwh_option opts[] = {OPT("device", "/dev/sda sat")};
	struct fake_host h;
	const struct hwh_plugin *pl;
	void *dl, *inst;
	int hold, power;

	fh_capture("sda", "ST3500418AS_12.json");
	fh_init(&h);
	pl = fh_start(&h, &dl, &inst, opts, 1);
	ck_assert_int_eq(pl->poll(inst, (struct hwh_ctx *)&h), 0);
	ck_assert_int_eq(fh_call(&h, "hold sda"), -1);
	fh_free(&h);
	fh_put("sda.mode", "standby\n");
	ck_assert_int_eq(pl->poll(inst, (struct hwh_ctx *)&h), 0);
	hold = fh_call(&h, "hold sda");
	power = fh_call(&h, "emit sda/power_mode");
	ck_assert_int_ge(hold, 0);
	ck_assert_int_ge(power, 0);
	ck_assert_int_lt(hold, power);
	ck_assert_uint_eq(h.ncalls, 2); /* nothing else of a sleeping drive */
	fh_stop(pl, dl, inst);
	fh_free(&h);
}
END_TEST

Suite *smart_plugin_suite(void)
{
	Suite *s = suite_create("smart_plugin");
	TCase *tc = tcase_create("opts");

	tcase_add_test(tc, test_opts_defaults);
	tcase_add_test(tc, test_opts_all);
	tcase_add_test(tc, test_opts_scan_explicit);
	tcase_add_loop_test(tc, test_opts_bad, 0, sizeof bad_opts / sizeof bad_opts[0]);
	tcase_add_test(tc, test_opts_twice);
	tcase_add_test(tc, test_opts_raid_one_path);
	tcase_add_loop_test(tc, test_drive_ids, 0, sizeof ids / sizeof ids[0]);
	tcase_add_test(tc, test_drive_id_limits);
	tcase_add_test(tc, test_serial_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("scan");
	tcase_add_test(tc, test_scan_parse);
	tcase_add_test(tc, test_scan_none);
	tcase_add_loop_test(tc, test_scan_bad, 0, sizeof bad_scans / sizeof bad_scans[0]);
	tcase_add_test(tc, test_devlist_merge);
	tcase_add_test(tc, test_devlist_merge_raid);
	suite_add_tcase(s, tc);

	tc = tcase_create("outcome");
	tcase_add_loop_test(tc, test_outcome, 0, sizeof outcomes / sizeof outcomes[0]);
	tcase_add_test(tc, test_outcome_captures);
	tcase_add_test(tc, test_standby_message);
	suite_add_tcase(s, tc);

	tc = tcase_create("emit");
	tcase_add_test(tc, test_emit_ata);
	tcase_add_test(tc, test_emit_raw_decoding);
	tcase_add_test(tc, test_raw_value);
	tcase_add_test(tc, test_emit_nvme_failing);
	tcase_add_test(tc, test_emit_scsi);
	tcase_add_test(tc, test_emit_thresholds_selftest);
	tcase_add_test(tc, test_emit_power);
	tcase_add_test(tc, test_emit_all_captures);
	tcase_add_test(tc, test_format_bytes);
	suite_add_tcase(s, tc);

	tc = tcase_create("run");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_run_output);
	tcase_add_test(tc, test_run_env);
	tcase_add_test(tc, test_run_process_state);
	tcase_add_test(tc, test_run_timeout_kills_group);
	tcase_add_test(tc, test_run_grandchild_holds_pipe);
	tcase_add_test(tc, test_run_too_big);
	tcase_add_test(tc, test_run_spawn_fails);
	tcase_add_test(tc, test_run_parallel);
	tcase_add_test(tc, test_run_stop);
	tcase_add_test(tc, test_run_no_zombies);
	suite_add_tcase(s, tc);

	tc = tcase_create("host");
	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, fh_setup, fh_teardown);
	tcase_add_test(tc, test_host_state_nospace_once);
	tcase_add_test(tc, test_host_spawn_errno);
	tcase_add_test(tc, test_host_standby_hold_then_power_mode);
	suite_add_tcase(s, tc);
	return s;
}
