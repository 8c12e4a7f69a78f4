/*
 * smart_scan.c: discovery.  The output of `smartctl --scan-open --json=c`
 * (or of `--scan`, the periodic rescan: the same shape, no open_error)
 * into a list of scan entries, and that list merged with the configured
 * devices into the drives a poll runs smartctl on.
 *
 * smartctl 7.3 prints {"devices":[{"name":"/dev/sda","info_name":...,
 * "type":"sat","protocol":"ATA"}, ...]}, an entry it could not open with
 * an "open_error" string, and no "devices" key at all when it found
 * nothing (measured: /work/notes/issue5-smart-edac-watchdog.md 1.4).
 * The text gets the same strictness as smart_parse(): bounded, no NUL,
 * strict JSON, nothing after the document, every present key of the
 * expected type.
 *
 * The scanned type is kept and passed as -d TYPE, so a later poll never
 * autodetects (autodetection may spin a sleeping disk up: smartctl(8),
 * -n).  A drive is known by its id (smart_drive_id: the path, plus the
 * type when it holds a ','), so the drives behind one RAID controller
 * (/dev/bus/0 with megaraid,0, megaraid,1, ...) are distinct.  A
 * configured device wins over a scanned entry with the same id, or with
 * the same path when the configured type is empty or the same.
 *
 * Pure: json-c and memory; linked alone by the unit tests and the fuzz
 * target.  To extend: a new per-entry field is one get in parse_ent().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "smart_internal.h"

#define SCAN_MAX_DEVICES 4096 /* more entries than any host has drives */

/* The text into a json-c object, or NULL with err set. */
static json_object *scan_tokenize(const char *json, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok;
	json_object *root;
	enum json_tokener_error e;
	size_t end;

	if (len == 0 || len > SMART_JSON_MAX || memchr(json, '\0', len) != NULL) {
		snprintf(err, errlen, "%s",
			 len == 0 ? "empty output" : "output too large or binary");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(SMART_JSON_DEPTH)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, json, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (root != NULL && end < len && strchr(" \t\r\n", json[end]) != NULL)
		end++;
	if (root == NULL || e != json_tokener_success || end != len) {
		snprintf(err, errlen, "malformed JSON at byte %zu: %s", end,
			 e == json_tokener_continue  ? "truncated"
			 : e != json_tokener_success ? json_tokener_error_desc(e)
						     : "trailing bytes");
		json_object_put(root);
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "expected a JSON object");
		json_object_put(root);
		return NULL;
	}
	return root;
}

/* Member key of o, a string copied into buf (size len); "" when absent.
 * 0, or -1 when present with another type or too long. */
static int get_str(json_object *o, const char *key, char *buf, size_t len)
{
	json_object *v;

	buf[0] = '\0';
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= len)
		return -1;
	memcpy(buf, json_object_get_string(v), (size_t)json_object_get_string_len(v) + 1);
	return 0;
}

static int parse_ent(json_object *o, size_t i, struct smart_scan_ent *e, char *err, size_t errlen)
{
	json_object *oe;

	memset(e, 0, sizeof *e);
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "devices[%zu]: expected an object", i);
		return -1;
	}
	if (get_str(o, "name", e->path, sizeof e->path) < 0 || e->path[0] == '\0') {
		snprintf(err, errlen, "devices[%zu].name: expected a device path", i);
		return -1;
	}
	if (get_str(o, "type", e->type, sizeof e->type) < 0) {
		snprintf(err, errlen, "devices[%zu].type: expected a short string", i);
		return -1;
	}
	/* An error text longer than we keep is still an error: cut it. */
	if (json_object_object_get_ex(o, "open_error", &oe)) {
		if (!json_object_is_type(oe, json_type_string)) {
			snprintf(err, errlen, "devices[%zu].open_error: expected a string", i);
			return -1;
		}
		snprintf(e->open_error, sizeof e->open_error, "%s",
			 json_object_get_string(oe)[0] ? json_object_get_string(oe) : "?");
	}
	return 0;
}

int smart_scan_parse(const char *json, size_t len, struct smart_scan *out, char *err, size_t errlen)
{
	json_object *root = scan_tokenize(json, len, err, errlen), *devs;
	size_t n;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (root == NULL)
		return -1;
	if (!json_object_object_get_ex(root, "devices", &devs)) {
		rc = 0; /* smartctl found nothing */
		goto out;
	}
	if (!json_object_is_type(devs, json_type_array)) {
		snprintf(err, errlen, "devices: expected an array");
		goto out;
	}
	n = json_object_array_length(devs);
	if (n > SCAN_MAX_DEVICES) {
		snprintf(err, errlen, "devices: %zu entries (at most %d)", n, SCAN_MAX_DEVICES);
		goto out;
	}
	if (n > 0 && (out->ents = calloc(n, sizeof *out->ents)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (parse_ent(json_object_array_get_idx(devs, i), i, &out->ents[i], err, errlen) <
		    0)
			goto out;
		out->n++;
	}
	rc = 0;
out:
	json_object_put(root);
	if (rc < 0)
		smart_scan_free(out);
	return rc;
}

void smart_scan_free(struct smart_scan *s)
{
	free(s->ents);
	s->ents = NULL;
	s->n = 0;
}

/* Whether list (n entries) already has a drive with this id (the id holds
 * the type when it has a ',': megaraid,0 and megaraid,1 on one path are
 * two drives; sat and scsi on one path are one). */
static bool listed(const struct smart_devspec *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, id) == 0)
			return true;
	return false;
}

/* Whether configured device c already covers scan entry e (with id id):
 * the same path with no type or the same type, or the same id. */
static bool covers(const struct smart_devspec *c, const struct smart_scan_ent *e, const char *id)
{
	if (strcmp(c->path, e->path) == 0 && (c->type[0] == '\0' || strcmp(c->type, e->type) == 0))
		return true;
	return id != NULL && strcmp(c->id, id) == 0;
}

/* Why scan entry e is not taken, given the nconf configured devices at
 * the start of list and the n entries list has so far. */
static enum smart_skip skip_reason(const struct smart_scan_ent *e, const struct smart_devspec *list,
				   size_t nconf, size_t n, struct smart_devspec *d)
{
	char msg[SMART_ERR_MAX];
	char value[SMART_DEVPATH_MAX + SMART_TYPE_MAX + 1];

	if (e->open_error[0] != '\0')
		return SMART_SKIP_OPEN_ERROR;
	for (size_t i = 0; i < nconf; i++)
		if (covers(&list[i], e, NULL))
			return SMART_SKIP_CONFIGURED;
	/* The same checks a `device` option gets: what we pass smartctl. */
	if (strpbrk(e->path, " \t") != NULL || strpbrk(e->type, " \t") != NULL)
		return SMART_SKIP_BAD_PATH;
	snprintf(value, sizeof value, "%s%s%s", e->path, e->type[0] ? " " : "", e->type);
	if (smart_devspec_parse(value, d, msg, sizeof msg) < 0)
		return SMART_SKIP_BAD_PATH;
	for (size_t i = 0; i < nconf; i++)
		if (covers(&list[i], e, d->id))
			return SMART_SKIP_CONFIGURED;
	return listed(list, n, d->id) ? SMART_SKIP_DUPLICATE : SMART_SKIP_NONE;
}

int smart_devlist_merge(const struct smart_devspec *conf, size_t nconf,
			const struct smart_scan *scan, enum smart_skip *skip,
			struct smart_devspec **out, size_t *n)
{
	size_t max = nconf + (scan != NULL ? scan->n : 0);
	struct smart_devspec *list = NULL;

	*out = NULL;
	*n = 0;
	if (max == 0)
		return 0;
	if ((list = calloc(max, sizeof *list)) == NULL)
		return -ENOMEM;
	if (nconf > 0)
		memcpy(list, conf, nconf * sizeof *list);
	*n = nconf;
	for (size_t i = 0; scan != NULL && i < scan->n; i++) {
		enum smart_skip why = skip_reason(&scan->ents[i], list, nconf, *n, &list[*n]);

		if (skip != NULL)
			skip[i] = why;
		if (why == SMART_SKIP_NONE)
			(*n)++;
	}
	*out = list;
	return 0;
}
