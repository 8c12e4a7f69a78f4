/*
 * edac: the kernel EDAC source plugin (build/plugins/edac.so).
 *
 * Reports the memory error counters the kernel's EDAC drivers keep in sysfs
 * (Documentation/ABI/testing/sysfs-devices-edac), as HWH_KIND_COUNTER
 * readings with the kernel's values:
 *
 *   ROOT/mc/mcN/                ce_count, ue_count       -> device mcN, total_ce, total_ue
 *                               ce_noinfo_count, ue_noinfo_count (same names)
 *   ROOT/mc/mcN/dimmM/ (rankM/) dimm_ce_count, dimm_ue_count
 *                                                        -> device mcN-dimmM (mcN-rankM)
 *   ROOT/mc/mcN/csrowK/         chJ_ce_count             -> device mcN-csrowK, chJ_ce_count
 *                               ce_count, ue_count       -> csrow_total_ce, csrow_ue_count
 *
 * csrow directories (the legacy ABI) are read only for a controller that
 * has no dimm/rank directory, so a DIMM is never reported twice.  Labels:
 * dimm_label for a DIMM's counters, chJ_dimm_label for a channel's, the
 * controller's mc_name for its totals (none when the file reads empty, as
 * an unset label does).  The reading's text holds the size ("8192 MiB") and,
 * for a DIMM, its dimm_location ("8192 MiB, channel 0 slot 1"), on readings
 * that have a value.  The metric
 * names are chosen for rules/edac.rules: see edac_value.c.
 *
 * ROOT is /sys/devices/system/edac, or the "root" option (tests point it at
 * a fixture tree).  Discovery walks ROOT/mc at the first poll, after the
 * core's rescan(), and at every poll while it found no counter (so a driver
 * loaded later is seen); labels and sizes are read then.  A poll re-reads
 * each count file with open/read/close: a few dozen small files.  A file
 * that disappeared or does not hold a decimal count makes that reading
 * unreadable with the reason; a poll without any memory controller emits
 * nothing and says so once in the log (the core reports "source-empty").
 * The plugin never writes to sysfs (not even reset_counters).
 *
 * Counts reset to 0 when the EDAC driver loads and when someone writes
 * mcN/reset_counters; the core's bucket() only adds increases, so a reset
 * costs nothing but the errors before it.
 *
 * To extend: a new option is one case in opt_apply(); a new counter file is
 * a row in edac_value.c's count_names[]; a new directory kind is a walk
 * like disc_dimm() called from disc_mc().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hwhealth/plugin.h>

#include "edac_internal.h"
#include "plugin_util.h"

#define EDAC_ROOT_DEFAULT "/sys/devices/system/edac"
#define EDAC_PROBE_DIR EDAC_ROOT_DEFAULT "/mc"
#define EDAC_CAP_INITIAL 16 /* counters allocated at the first add */

/* One count file, found by discovery. */
struct ecount {
	char *path;		   /* absolute path of the count file */
	const char *rel;	   /* the same below ROOT, for messages */
	char device[EDAC_ID_MAX];  /* "mc0-dimm1" */
	char name[EDAC_ID_MAX];	   /* "dimm_ce_count" */
	char label[EDAC_TEXT_MAX]; /* "" = no label */
	char text[EDAC_TEXT_MAX];  /* "" = no text */
};

/* A list of counters, as discovery builds it. */
struct elist {
	struct ecount *c;
	size_t n, cap;
	size_t nmc; /* memory controllers seen */
};

/* One instance: one "source NAME { plugin edac }" block. */
struct edac {
	char *root;	   /* EDAC sysfs root, resolved */
	struct elist list; /* what the last discovery found */
	int discover_now;  /* rediscover at the next poll */
	int said_empty;	   /* "no memory controller" was logged */
};

/* ---- small helpers ------------------------------------------------------ */

static const char *errstr(int err, char *buf, size_t len)
{
	return strerror_r(err, buf, len);
}

/* dir/name, malloc'd, or NULL (out of memory). */
static char *path_join(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* Read up to size bytes of path into buf; *len gets the count.  0, -errno,
 * or -EFBIG when the file holds size bytes or more. */
static int read_small(const char *path, char *buf, size_t size, size_t *len)
{
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	n = read(fd, buf, size);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n >= size)
		rc = -EFBIG;
	else
		*len = (size_t)n;
	close(fd);
	return rc;
}

/* The cleaned text of dir/file into out; "" when absent or unreadable
 * (a missing label is no label, not an error). */
static void read_text(const char *dir, const char *file, char *out, size_t outlen)
{
	char buf[EDAC_TEXT_MAX], *path = path_join(dir, file);
	size_t len;

	out[0] = '\0';
	if (path != NULL && read_small(path, buf, sizeof buf, &len) == 0)
		edac_clean_text(buf, len, out, outlen);
	free(path);
}

/* "N MiB" from dir/file into out, "" when it is not a count. */
static void read_size(const char *dir, const char *file, char *out, size_t outlen)
{
	char buf[EDAC_VALUE_MAX], *path = path_join(dir, file);
	const char *why;
	uint64_t mib;
	size_t len;

	out[0] = '\0';
	if (path != NULL && read_small(path, buf, sizeof buf, &len) == 0 &&
	    edac_parse_count(buf, len, &mib, &why) == 0)
		snprintf(out, outlen, "%llu MiB", (unsigned long long)mib);
	free(path);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- discovery ---------------------------------------------------------- */

static void list_free(struct elist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->c[i].path);
	free(l->c);
	*l = (struct elist){0};
}

/* Add dir/file as metric name of device, if the file exists.  0 or -ENOMEM. */
static int list_add(struct elist *l, const char *root, const char *dir, const char *file,
		    const char *device, const char *name, const char *label, const char *text)
{
	struct ecount *c;
	char *path = path_join(dir, file);

	if (path == NULL)
		return -ENOMEM;
	if (access(path, F_OK) != 0) {
		free(path);
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : EDAC_CAP_INITIAL;
		struct ecount *nc = realloc(l->c, cap * sizeof *nc);

		if (nc == NULL) {
			free(path);
			return -ENOMEM;
		}
		l->c = nc;
		l->cap = cap;
	}
	c = &l->c[l->n++];
	memset(c, 0, sizeof *c);
	c->path = path;
	c->rel = path + strlen(root) + 1;
	snprintf(c->device, sizeof c->device, "%s", device);
	snprintf(c->name, sizeof c->name, "%s", name);
	snprintf(c->label, sizeof c->label, "%s", label ? label : "");
	snprintf(c->text, sizeof c->text, "%s", text ? text : "");
	return 0;
}

/* Add the table's counters of level lvl found in dir.  0 or -ENOMEM. */
static int add_level(struct elist *l, const char *root, const char *dir, enum edac_level lvl,
		     const char *device, const char *label, const char *text)
{
	static const char *const files[] = {"ce_count",	       "ue_count",	"ce_noinfo_count",
					    "ue_noinfo_count", "dimm_ce_count", "dimm_ue_count"};
	const char *name;
	int rc;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if ((name = edac_metric_name(lvl, files[i])) == NULL)
			continue;
		if ((rc = list_add(l, root, dir, files[i], device, name, label, text)) < 0)
			return rc;
	}
	return 0;
}

/* mcN/dimmM or mcN/rankM: its two counters, labelled.  0 or -ENOMEM. */
static int disc_dimm(struct elist *l, const char *root, const char *dir, unsigned mc,
		     const char *sub)
{
	char device[EDAC_ID_MAX], label[EDAC_TEXT_MAX], size[32], loc[EDAC_TEXT_MAX - 48];
	char text[EDAC_TEXT_MAX];

	if (edac_device_name(device, sizeof device, mc, sub) < 0)
		return 0; /* cannot happen with bounded indexes */
	read_text(dir, "dimm_label", label, sizeof label);
	read_size(dir, "size", size, sizeof size);
	read_text(dir, "dimm_location", loc, sizeof loc);
	snprintf(text, sizeof text, "%s%s%s", size, size[0] && loc[0] ? ", " : "", loc);
	return add_level(l, root, dir, EDAC_LVL_DIMM, device, label, text);
}

/* mcN/csrowK: per-channel corrected counts (labelled chJ_dimm_label) and the
 * csrow's totals.  0 or -ENOMEM. */
static int disc_csrow(struct elist *l, const char *root, const char *dir, unsigned mc,
		      const char *sub, struct hwh_ctx *ctx)
{
	char device[EDAC_ID_MAX], label[EDAC_TEXT_MAX], size[32], lfile[32], ebuf[128];
	struct dirent *de;
	unsigned ch;
	DIR *d;
	int rc = 0;

	if (edac_device_name(device, sizeof device, mc, sub) < 0)
		return 0;
	read_size(dir, "size_mb", size, sizeof size);
	if ((d = opendir(dir)) == NULL) {
		hwh_log(ctx, HWH_LOG_WARNING, "cannot list %s: %s", dir,
			errstr(errno, ebuf, sizeof ebuf));
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!edac_chan_file(de->d_name, &ch))
			continue;
		snprintf(lfile, sizeof lfile, "ch%u_dimm_label", ch);
		read_text(dir, lfile, label, sizeof label);
		rc = list_add(l, root, dir, de->d_name, device, de->d_name, label, size);
	}
	closedir(d);
	if (rc == 0)
		rc = add_level(l, root, dir, EDAC_LVL_CSROW, device, NULL, size);
	return rc;
}

/* Walk mcN's subdirectories: dimm/rank ones, or csrow ones when there is
 * none of those (want_csrow).  Sets *ndimm.  0 or -ENOMEM. */
static int disc_subdirs(struct elist *l, const char *root, const char *dir, unsigned mc,
			int want_csrow, size_t *ndimm, struct hwh_ctx *ctx)
{
	char ebuf[128], *sub;
	struct dirent *de;
	unsigned idx;
	DIR *d;
	int rc = 0, dimm;

	if ((d = opendir(dir)) == NULL) {
		hwh_log(ctx, HWH_LOG_WARNING, "cannot list %s: %s", dir,
			errstr(errno, ebuf, sizeof ebuf));
		return 0;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		dimm = edac_dir_index(de->d_name, "dimm", &idx) ||
		       edac_dir_index(de->d_name, "rank", &idx);
		if (want_csrow ? !edac_dir_index(de->d_name, "csrow", &idx) : !dimm)
			continue;
		if ((sub = path_join(dir, de->d_name)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		if (is_dir(sub)) {
			*ndimm += dimm;
			rc = dimm ? disc_dimm(l, root, sub, mc, de->d_name)
				  : disc_csrow(l, root, sub, mc, de->d_name, ctx);
		}
		free(sub);
	}
	closedir(d);
	return rc;
}

/* One controller ROOT/mc/mcN.  0 or -ENOMEM. */
static int disc_mc(struct elist *l, const char *root, const char *dir, unsigned mc,
		   struct hwh_ctx *ctx)
{
	char device[EDAC_ID_MAX], label[EDAC_TEXT_MAX], size[32];
	size_t ndimm = 0;
	int rc;

	if (edac_device_name(device, sizeof device, mc, NULL) < 0)
		return 0;
	read_text(dir, "mc_name", label, sizeof label);
	read_size(dir, "size_mb", size, sizeof size);
	if ((rc = add_level(l, root, dir, EDAC_LVL_MC, device, label, size)) < 0)
		return rc;
	if ((rc = disc_subdirs(l, root, dir, mc, 0, &ndimm, ctx)) < 0 || ndimm > 0)
		return rc;
	return disc_subdirs(l, root, dir, mc, 1, &ndimm, ctx);
}

/* Walk ROOT/mc into l.  0, or a negative errno with the reason in msg. */
static int disc_walk(struct elist *l, const char *root, struct hwh_ctx *ctx, char *msg, size_t len)
{
	char ebuf[128], *mcroot = path_join(root, "mc"), *dir;
	struct dirent *de;
	unsigned idx;
	DIR *d;
	int rc = 0;

	if (mcroot == NULL)
		return -ENOMEM;
	if ((d = opendir(mcroot)) == NULL) {
		rc = errno == ENOENT ? 0 : -errno; /* no EDAC driver: nothing to report */
		snprintf(msg, len, "cannot list %s: %s", mcroot, errstr(errno, ebuf, sizeof ebuf));
		free(mcroot);
		return rc;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (!edac_dir_index(de->d_name, "mc", &idx))
			continue;
		if ((dir = path_join(mcroot, de->d_name)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		if (is_dir(dir)) {
			l->nmc++;
			rc = disc_mc(l, root, dir, idx, ctx);
		}
		free(dir);
	}
	closedir(d);
	free(mcroot);
	if (rc == -ENOMEM)
		snprintf(msg, len, "out of memory discovering EDAC counters");
	return rc;
}

/* Rediscover: the new list replaces the old one only when the walk worked.
 * 0, or a negative errno with hwh_error() called. */
static int disc_run(struct edac *e, struct hwh_ctx *ctx)
{
	struct elist l = {0};
	char msg[PATH_MAX + 128] = "";
	int rc;

	if ((rc = disc_walk(&l, e->root, ctx, msg, sizeof msg)) < 0) {
		hwh_error(ctx, "%s", msg);
		list_free(&l);
		return rc;
	}
	list_free(&e->list);
	e->list = l;
	e->discover_now = 0;
	hwh_log(ctx, HWH_LOG_DEBUG, "%zu memory controller(s), %zu counter(s) under %s/mc", l.nmc,
		l.n, e->root);
	return 0;
}

/* ---- polling ------------------------------------------------------------ */

/* Read and emit one counter.  Returns what hwh_emit() returned. */
static int count_emit(struct hwh_ctx *ctx, const struct ecount *c)
{
	char buf[EDAC_VALUE_MAX], shown[24], err[PATH_MAX + 96], ebuf[128];
	struct hwh_reading r;
	const char *why;
	uint64_t v;
	size_t len;
	int rc;

	hwh_reading_init(&r);
	r.device = c->device;
	r.name = c->name;
	r.label = c->label[0] ? c->label : NULL;
	r.kind = HWH_KIND_COUNTER;
	if ((rc = read_small(c->path, buf, sizeof buf, &len)) < 0) {
		snprintf(err, sizeof err, "%s: %s", c->rel,
			 rc == -EFBIG ? "value too long" : errstr(-rc, ebuf, sizeof ebuf));
		r.status = HWH_R_UNREADABLE;
		r.error = err;
	} else if (edac_parse_count(buf, len, &v, &why) < 0) {
		edac_clean_text(buf, len, shown, sizeof shown);
		snprintf(err, sizeof err, "%s: %s ('%s')", c->rel, why, shown);
		r.status = HWH_R_UNREADABLE;
		r.error = err;
	} else {
		r.value = (double)v;
		/* Only with a value: the CLI shows a reading's text in place of
		 * a missing value, and "8192 MiB" is no count. */
		r.text = c->text[0] ? c->text : NULL;
	}
	return hwh_emit(ctx, &r);
}

/* ---- options ------------------------------------------------------------ */

/* "root PATH": an existing directory, resolved now (the daemon may chdir).
 * 0, or -1 with msg set. */
static int opt_root(struct edac *e, const char *path, char *msg, size_t len)
{
	char ebuf[128];
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(msg, len,
			 "root: cannot access '%s': %s (expected the EDAC sysfs directory, "
			 "such as " EDAC_ROOT_DEFAULT ")",
			 path, errstr(errno, ebuf, sizeof ebuf));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len,
			 "root: '%s' is not a directory (expected the EDAC sysfs directory, such "
			 "as " EDAC_ROOT_DEFAULT ")",
			 path);
		return -1;
	}
	free(e->root);
	if ((e->root = realpath(path, NULL)) == NULL) {
		snprintf(msg, len, "root: '%s': %s", path, errstr(errno, ebuf, sizeof ebuf));
		return -1;
	}
	return 0;
}

/* Apply one option.  0, or -1 with msg set. */
static int opt_apply(struct edac *e, const struct hwh_option *o, char *msg, size_t len)
{
	if (strcmp(o->key, "root") != 0) {
		snprintf(msg, len, "unknown option '%s' for plugin edac (expected one of: root)",
			 o->key);
		return -1;
	}
	if (o->value == NULL || o->value[0] == '\0') {
		snprintf(msg, len, "option '%s' needs a value", o->key);
		return -1;
	}
	return opt_root(e, o->value, msg, len);
}

/* ---- the plugin callbacks ----------------------------------------------- */

static int edac_probe(void)
{
	struct dirent *de;
	unsigned idx;
	DIR *d;
	int found = 0;

	if ((d = opendir(EDAC_PROBE_DIR)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL)
		found = edac_dir_index(de->d_name, "mc", &idx);
	closedir(d);
	return found;
}

static void edac_free(struct edac *e)
{
	list_free(&e->list);
	free(e->root);
	free(e);
}

static int edac_config(const struct hwh_option *opts, size_t nopts, void **inst,
		       struct hwh_config_error *err)
{
	struct edac *e = calloc(1, sizeof *e);

	err->option = -1;
	if (e == NULL || (e->root = strdup(EDAC_ROOT_DEFAULT)) == NULL) {
		snprintf(err->msg, sizeof err->msg, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < nopts; i++) {
		err->option = (int)i;
		if (pu_opt_repeated(opts, i, err->msg, sizeof err->msg))
			goto fail;
		if (opt_apply(e, &opts[i], err->msg, sizeof err->msg) < 0)
			goto fail;
	}
	*inst = e;
	return 0;
fail:
	if (e != NULL)
		edac_free(e);
	return -1;
}

static int edac_init(void *inst, struct hwh_ctx *ctx)
{
	struct edac *e = inst;

	/* Discovery waits for the first poll, under the core's poll timeout. */
	e->discover_now = 1;
	hwh_log(ctx, HWH_LOG_DEBUG, "root %s", e->root);
	return 0;
}

static int edac_poll(void *inst, struct hwh_ctx *ctx)
{
	struct edac *e = inst;
	size_t refused = 0;
	int rc;

	if ((e->discover_now || e->list.n == 0) && (rc = disc_run(e, ctx)) < 0)
		return rc;
	if (e->list.nmc == 0) {
		if (!e->said_empty)
			hwh_log(ctx, HWH_LOG_NOTICE,
				"no memory controller under %s/mc: nothing to report "
				"(is an EDAC driver loaded?)",
				e->root);
		e->said_empty = 1;
		return 0;
	}
	e->said_empty = 0;
	for (size_t i = 0; i < e->list.n && !hwh_stopping(ctx); i++)
		refused += count_emit(ctx, &e->list.c[i]) < 0;
	if (refused > 0)
		hwh_log(ctx, HWH_LOG_WARNING, "the core refused %zu readings", refused);
	return 0;
}

/* Rediscover at the next poll, which the core runs right after this. */
static int edac_rescan(void *inst, struct hwh_ctx *ctx)
{
	struct edac *e = inst;

	(void)ctx;
	e->discover_now = 1;
	return 0;
}

static void edac_shutdown(void *inst)
{
	edac_free(inst);
}

/* clang-format off */
__attribute__((visibility("default"))) const struct hwh_plugin hwh_plugin = {
	.abi_version = HWH_ABI_VERSION,
	.struct_size = sizeof(struct hwh_plugin),
	.name = "edac",
	.description = "kernel EDAC memory error counters (corrected and uncorrected, "
		       "per memory controller and DIMM)",
	.probe = edac_probe,
	.config = edac_config,
	.init = edac_init,
	.poll = edac_poll,
	.rescan = edac_rescan,
	.act = NULL,
	.shutdown = edac_shutdown,
};
/* clang-format on */
