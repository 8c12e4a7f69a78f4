/*
 * snmp_view_json: reading the daemon's replies for the SNMP view
 * (snmp_view_internal.h): a reply's text -> its "result" object, checked
 * (JSON, an object, ok true, a result object, nothing after it), and
 * dotted-path lookups that give NULL for anything missing, null or of
 * another type, so that the column code never checks types itself.
 */
#include <stdio.h>
#include <string.h>

#include "snmp_view_internal.h"

json_object *snmpv_path(json_object *obj, const char *path)
{
	char part[64];

	while (obj != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");

		if (n >= sizeof part || !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		if (!json_object_object_get_ex(obj, part, &obj))
			return NULL;
		path += n + (path[n] == '.');
	}
	return obj;
}

const char *snmpv_path_str(json_object *obj, const char *path)
{
	json_object *j = snmpv_path(obj, path);

	return json_object_is_type(j, json_type_string) ? json_object_get_string(j) : NULL;
}

bool snmpv_path_num(json_object *obj, const char *path, double *v)
{
	json_object *j = snmpv_path(obj, path);

	if (!json_object_is_type(j, json_type_int) && !json_object_is_type(j, json_type_double))
		return false;
	*v = json_object_get_double(j);
	return true;
}

static bool only_blanks(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

int snmpv_parse_reply(const char *text, const char *what, json_object **result, char *err,
		      size_t errlen)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o = NULL, *ok, *res;
	size_t len = strlen(text);
	int rc = -1;

	*result = NULL;
	if (tok == NULL) {
		snprintf(err, errlen, "%s reply: out of memory", what);
		return -1;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "%s reply: too long (%zu bytes)", what, len);
		goto out;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !only_blanks(text + json_tokener_get_parse_end(tok))) {
		enum json_tokener_error e = json_tokener_get_error(tok);

		snprintf(err, errlen, "%s reply: not JSON (%s)", what,
			 e == json_tokener_continue  ? "it ends early"
			 : e != json_tokener_success ? json_tokener_error_desc(e)
						     : "text after the object");
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "%s reply: not a JSON object", what);
		goto out;
	}
	if (!json_object_object_get_ex(o, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		snprintf(err, errlen, "%s reply: no \"ok\"", what);
		goto out;
	}
	if (!json_object_get_boolean(ok)) {
		const char *e = snmpv_path_str(o, "error");

		snprintf(err, errlen, "%s reply: ok:false: %s", what, e ? e : "(no error given)");
		goto out;
	}
	if (!json_object_object_get_ex(o, "result", &res) ||
	    !json_object_is_type(res, json_type_object)) {
		snprintf(err, errlen, "%s reply: no \"result\" object", what);
		goto out;
	}
	*result = json_object_get(res);
	rc = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

void snmpv_parsed_free(struct snmpv_parsed *p)
{
	json_object_put(p->status);
	json_object_put(p->sensors);
	json_object_put(p->explain);
	json_object_put(p->actions);
	*p = (struct snmpv_parsed){0};
}

int snmpv_parse_all(const struct snmpv_input *in, struct snmpv_parsed *p, char *err, size_t errlen)
{
	*p = (struct snmpv_parsed){.notifications_lost = in->notifications_lost};
	if ((in->status && snmpv_parse_reply(in->status, "status", &p->status, err, errlen) < 0) ||
	    (in->sensors &&
	     snmpv_parse_reply(in->sensors, "sensors", &p->sensors, err, errlen) < 0) ||
	    (in->explain &&
	     snmpv_parse_reply(in->explain, "explain", &p->explain, err, errlen) < 0) ||
	    (in->actions &&
	     snmpv_parse_reply(in->actions, "actions", &p->actions, err, errlen) < 0)) {
		snmpv_parsed_free(p);
		return -1;
	}
	return 0;
}
