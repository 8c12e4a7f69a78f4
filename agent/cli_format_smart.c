/*
 * cli_format_smart: `hwhealth smart [DEVICE]`, from the daemon's "devices"
 * answer (docs/PROTOCOL.md) for the smart plugin.
 *
 * Without DEVICE: one line per drive (model, the drive's own verdict,
 * temperature, hours, power mode, its bad-sector counts, its worst
 * finding).  With DEVICE: the drive's identity, its ATA attributes (or
 * NVMe / SCSI counters) each with its change over the last hour and day,
 * and the findings on it.  The metric names are the smart plugin's
 * (hwhealth.conf(5), SMART PLUGIN): attrN_value / attrN_raw per ATA
 * attribute, the rest by name.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_format_internal.h"

#define SMART_ATTR_IDS 256

/* The metric named name in a device object, or NULL. */
static json_object *dev_metric(json_object *dev, const char *name)
{
	json_object *ms = cli_member(dev, "metrics");

	for (size_t i = 0; i < cli_array_len(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *n = cli_member_str(m, "name");
		if (n != NULL && strcmp(n, name) == 0)
			return m;
	}
	return NULL;
}

/* The metric's value formatted by kind, or "-". */
static const char *mval(char *buf, size_t len, json_object *dev, const char *name)
{
	json_object *m = dev_metric(dev, name);

	return cli_fmt_value(buf, len, m ? cli_member_str(m, "kind") : "other",
			     m ? cli_member(m, "value") : NULL);
}

/* "+3" / "0" / "-1" for a trend's delta, "-" without one. */
static const char *fmt_delta(char *buf, size_t len, json_object *m, const char *trend)
{
	json_object *d = cli_member(cli_member(m, trend), "delta");
	double v;

	if (!cli_is_number(d)) {
		snprintf(buf, len, "-");
		return buf;
	}
	v = json_object_get_double(d);
	if (v > 0) {
		buf[0] = '+';
		cli_trim_number(buf + 1, len - 1, v);
	} else {
		cli_trim_number(buf, len, v);
	}
	return buf;
}

/* The drive's device name as the user types it: "sda", or "ipmi2/sda" when
 * the source is not named "smart". */
static void dev_name(char *buf, size_t len, json_object *dev)
{
	const char *src = cli_member_str(dev, "source"), *d = cli_member_str(dev, "device");

	if (src != NULL && strcmp(src, "smart") != 0)
		snprintf(buf, len, "%s/%s", src, d ? d : "-");
	else
		snprintf(buf, len, "%s", d ? d : "-");
}

/* The worst finding on the device: "critical (2)", or "ok". */
static void worst_finding(char *buf, size_t len, json_object *dev)
{
	static const char *const order[] = {"fatal", "critical", "warning", "info"};
	json_object *fs = cli_member(dev, "findings");
	size_t n = cli_array_len(fs);

	for (size_t s = 0; s < sizeof order / sizeof order[0]; s++)
		for (size_t i = 0; i < n; i++) {
			const char *sev =
			    cli_member_str(json_object_array_get_idx(fs, i), "severity");
			if (sev != NULL && strcmp(sev, order[s]) == 0) {
				snprintf(buf, len, "%s (%zu finding%s)", sev, n, n == 1 ? "" : "s");
				return;
			}
		}
	snprintf(buf, len, "ok");
}

/* The bad-media counts this drive has: "5=304 197=0 198=0", "media=0", ... */
static void media_counts(char *buf, size_t len, json_object *dev)
{
	static const struct {
		const char *metric, *shown;
	} v[] = {{"attr5_raw", "5"},	       {"attr197_raw", "197"},
		 {"attr198_raw", "198"},       {"media_errors", "media"},
		 {"grown_defects", "defects"}, {"available_spare", "spare"}};
	char val[CLI_FMT_LEN];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof v / sizeof v[0] && used < len; i++) {
		if (dev_metric(dev, v[i].metric) == NULL)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "",
					 v[i].shown, mval(val, sizeof val, dev, v[i].metric));
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "-");
}

static int overview_row(struct cli_table *t, json_object *dev)
{
	char name[128], model[128], health[16], temp[CLI_FMT_LEN], hours[CLI_FMT_LEN];
	char power[32], media[160], worst[48];
	json_object *id = dev_metric(dev, "identity"), *hf = dev_metric(dev, "health_failed");
	json_object *pm = dev_metric(dev, "power_mode");
	const char *lbl = id ? cli_member_str(id, "label") : NULL, *pmt;

	dev_name(name, sizeof name, dev);
	snprintf(model, sizeof model, "%s", lbl ? lbl : "-");
	if (hf != NULL && cli_is_number(cli_member(hf, "value")))
		snprintf(health, sizeof health, "%s",
			 json_object_get_double(cli_member(hf, "value")) > 0 ? "FAILED" : "PASSED");
	else
		snprintf(health, sizeof health, "-");
	mval(temp, sizeof temp, dev, "temperature");
	mval(hours, sizeof hours, dev, "power_on_hours");
	pmt = pm ? cli_member_str(pm, "text") : NULL;
	snprintf(power, sizeof power, "%s", pmt ? pmt : "-");
	media_counts(media, sizeof media, dev);
	worst_finding(worst, sizeof worst, dev);
	return cli_table_add(
	    t, (const char *const[]){name, model, health, temp, hours, power, media, worst});
}

int cli_print_drives(FILE *out, json_object *result)
{
	static const char *const hdr[] = {"DRIVE", "MODEL", "HEALTH", "TEMP",
					  "HOURS", "POWER", "MEDIA",  "FINDINGS"};
	json_object *devs = cli_member(result, "devices");
	struct cli_table t;
	int rc;

	if (cli_array_len(devs) == 0) {
		fputs("no drives (is a smart source configured?)\n", out);
		return ferror(out) ? -EIO : 0;
	}
	if ((rc = cli_table_init(&t, 8, hdr, 1u << 3 | 1u << 4)) < 0)
		return rc;
	for (size_t i = 0; i < cli_array_len(devs) && rc == 0; i++)
		rc = overview_row(&t, json_object_array_get_idx(devs, i));
	if (rc == 0)
		rc = cli_table_print(&t, out);
	cli_table_free(&t);
	return rc;
}

/* ---- one drive ---------------------------------------------------------- */

/* The ATA attribute id of an "attrN_raw" / "attrN_value" name, or -1. */
static int attr_id(const char *name, const char *suffix)
{
	char tail[16];
	int id, end = 0;

	if (sscanf(name, "attr%d%15s%n", &id, tail, &end) != 2 || name[end] != '\0' ||
	    strcmp(tail, suffix) != 0 || id < 1 || id >= SMART_ATTR_IDS)
		return -1;
	return id;
}

static int attr_row(struct cli_table *t, json_object *dev, int id)
{
	char vname[32], rname[32], sid[8], val[CLI_FMT_LEN], raw[CLI_FMT_LEN];
	char d1[CLI_FMT_LEN], d24[CLI_FMT_LEN];
	json_object *vm, *rm;
	const char *label, *note, *status;

	snprintf(vname, sizeof vname, "attr%d_value", id);
	snprintf(rname, sizeof rname, "attr%d_raw", id);
	vm = dev_metric(dev, vname);
	rm = dev_metric(dev, rname);
	label = cli_member_str(rm ? rm : vm, "label");
	note = vm ? cli_member_str(vm, "text") : NULL;
	status = cli_member_str(rm ? rm : vm, "status");
	snprintf(sid, sizeof sid, "%d", id);
	mval(val, sizeof val, dev, vname);
	mval(raw, sizeof raw, dev, rname);
	fmt_delta(d1, sizeof d1, rm, "trend_1h");
	fmt_delta(d24, sizeof d24, rm, "trend_24h");
	return cli_table_add(t, (const char *const[]){sid, label, val, raw, d1, d24, status, note});
}

static int print_attrs(FILE *out, json_object *dev)
{
	static const char *const hdr[] = {"ID", "ATTRIBUTE", "VALUE",  "RAW",
					  "1H", "24H",	     "STATUS", "NOTE"};
	json_object *ms = cli_member(dev, "metrics");
	bool seen[SMART_ATTR_IDS] = {false};
	struct cli_table t;
	int rc, n = 0;

	for (size_t i = 0; i < cli_array_len(ms); i++) {
		const char *name = cli_member_str(json_object_array_get_idx(ms, i), "name");
		int id = name ? attr_id(name, "_raw") : -1;
		if (id < 0 && name != NULL)
			id = attr_id(name, "_value");
		if (id > 0 && !seen[id]) {
			seen[id] = true;
			n++;
		}
	}
	if (n == 0)
		return 0;
	if ((rc = cli_table_init(&t, 8, hdr, 1u << 0 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5)) < 0)
		return rc;
	for (int id = 1; id < SMART_ATTR_IDS && rc == 0; id++)
		if (seen[id])
			rc = attr_row(&t, dev, id);
	if (rc == 0) {
		fputc('\n', out);
		rc = cli_table_print(&t, out);
	}
	cli_table_free(&t);
	return rc;
}

/* Every metric that is not an ATA attribute nor shown in the header. */
static int print_others(FILE *out, json_object *dev)
{
	static const char *const hdr[] = {"METRIC", "VALUE", "1H", "24H", "STATUS", "NOTE"};
	json_object *ms = cli_member(dev, "metrics");
	struct cli_table t;
	int rc;

	if ((rc = cli_table_init(&t, 6, hdr, 1u << 1 | 1u << 2 | 1u << 3)) < 0)
		return rc;
	for (size_t i = 0; i < cli_array_len(ms) && rc == 0; i++) {
		json_object *m = json_object_array_get_idx(ms, i);
		const char *name = cli_member_str(m, "name"), *note;
		char val[CLI_FMT_LEN], d1[CLI_FMT_LEN], d24[CLI_FMT_LEN];

		if (name == NULL || attr_id(name, "_raw") > 0 || attr_id(name, "_value") > 0 ||
		    strcmp(name, "identity") == 0)
			continue;
		note = cli_member_str(m, "error");
		if (note == NULL)
			note = cli_member_str(m, "text");
		cli_fmt_value(val, sizeof val, cli_member_str(m, "kind"), cli_member(m, "value"));
		rc = cli_table_add(
		    &t, (const char *const[]){name, val, fmt_delta(d1, sizeof d1, m, "trend_1h"),
					      fmt_delta(d24, sizeof d24, m, "trend_24h"),
					      cli_member_str(m, "status"), note});
	}
	if (rc == 0 && t.nrows > 0) {
		fputc('\n', out);
		rc = cli_table_print(&t, out);
	}
	cli_table_free(&t);
	return rc;
}

static void print_findings(FILE *out, json_object *dev)
{
	json_object *fs = cli_member(dev, "findings");

	if (cli_array_len(fs) == 0) {
		fputs("\nno findings on this drive\n", out);
		return;
	}
	fputs("\nfindings:\n", out);
	for (size_t i = 0; i < cli_array_len(fs); i++) {
		json_object *f = json_object_array_get_idx(fs, i);
		const char *sev = cli_member_str(f, "severity"), *rule = cli_member_str(f, "rule");
		const char *msg = cli_member_str(f, "message");

		fprintf(out, "  %s %s: ", sev ? sev : "-", rule ? rule : "-");
		cli_put_clean(out, msg ? msg : "-");
		fputc('\n', out);
	}
}

int cli_print_drive(FILE *out, json_object *result)
{
	json_object *devs = cli_member(result, "devices");
	json_object *dev = cli_array_len(devs) > 0 ? json_object_array_get_idx(devs, 0) : NULL;
	json_object *id = dev ? dev_metric(dev, "identity") : NULL;
	const char *text = id ? cli_member_str(id, "text") : NULL;
	char name[128];
	int rc;

	if (dev == NULL) {
		fputs("no such drive\n", out);
		return ferror(out) ? -EIO : 0;
	}
	dev_name(name, sizeof name, dev);
	cli_put_clean(out, name);
	fputs(": ", out);
	cli_put_clean(out, text ? text : "(no identity yet)");
	fputc('\n', out);
	if ((rc = print_attrs(out, dev)) == 0)
		rc = print_others(out, dev);
	if (rc == 0)
		print_findings(out, dev);
	return rc < 0 ? rc : ferror(out) ? -EIO : 0;
}
