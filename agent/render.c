/*
 * render: a finding's message from its rule's template and its evidence.
 *
 * ${name} is replaced by the metric's attribute, limit or the evidence of
 * the first call of that function in the rule's when-expression (see
 * docs/hwhealth.rules.5); ${min} and ${max} are the limits unless the rule
 * calls min() / max().  Slopes and rates are shown per minute, ETAs as
 * durations; what is unknown shows as "?".
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"

void eng_fmt_duration(double s, char *buf, size_t n)
{
	long long t;

	if (isnan(s)) {
		snprintf(buf, n, "?");
		return;
	}
	if (isinf(s) || s > 1e9) {
		snprintf(buf, n, "never");
		return;
	}
	t = s < 0 ? 0 : llround(s);
	if (t >= 86400)
		snprintf(buf, n, "%lldd%lldh", t / 86400, t % 86400 / 3600);
	else if (t >= 3600)
		snprintf(buf, n, "%lldh%lldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, n, "%lldm%llds", t / 60, t % 60);
	else
		snprintf(buf, n, "%llds", t);
}

static void fmt_num(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%.4g", v);
}

static const char *metric_attr(const struct metric *m, const struct eng_stream *s, const char *key)
{
	if (!strcmp(key, "id"))
		return m ? m->id : s->id;
	if (!strcmp(key, "source"))
		return m ? m->source : s->source;
	if (!strcmp(key, "device"))
		return m ? m->device : s->device;
	if (!strcmp(key, "name"))
		return m ? m->name : s->type;
	if (!strcmp(key, "type"))
		return s ? s->type : "";
	if (!strcmp(key, "label"))
		return m ? (m->label ? m->label : m->name) : s->type;
	if (!strcmp(key, "unit"))
		return m ? m->unit : "";
	if (!strcmp(key, "text"))
		return m && m->text ? m->text : "";
	return NULL;
}

/* The evidence named key (a function name) into buf; 0 if key is none. */
static int evidence(const struct binding *b, const char *key, char *buf, size_t n)
{
	for (int f = 0; f < RF_COUNT_FNS; f++) {
		if (strcmp(key, rx_fn_name((enum rx_fn)f)) != 0)
			continue;
		/* ${min} and ${max} are the limits, unless the rule calls min()/max(). */
		if ((f == RF_MIN || f == RF_MAX) && !(b->rule->uses & (1u << f)))
			return 0;
		double v = b->x && (b->x->have_ev & (1u << f)) ? b->x->ev[f] : NAN;
		if (f == RF_ETA)
			eng_fmt_duration(v, buf, n);
		else if ((f == RF_SLOPE || f == RF_RATE) && !isnan(v))
			snprintf(buf, n, "%+.3g/min", v * 60);
		else
			fmt_num(v, buf, n);
		return 1;
	}
	return 0;
}

static void expand(const struct binding *b, const char *key, char *buf, size_t n)
{
	const struct metric *m = b->tgt->m;
	const struct eng_stream *s = b->tgt->stream;
	const char *a = metric_attr(m, s, key);

	if (a != NULL) {
		snprintf(buf, n, "%s", a);
	} else if (!strcmp(key, "rule")) {
		snprintf(buf, n, "%s", b->rule->name);
	} else if (!strcmp(key, "value")) {
		fmt_num(m ? m->value : s->total, buf, n);
	} else if (evidence(b, key, buf, n)) {
		/* done */
	} else {
		for (int l = 0; l < HWH_LIM_COUNT; l++)
			if (m != NULL && !strcmp(key, limit_name((enum hwh_limit)l))) {
				fmt_num(m->limit[l], buf, n);
				return;
			}
		snprintf(buf, n, "?");
	}
}

void engine_render(const struct binding *b, char *buf, size_t n)
{
	const char *t = b->rule->message;
	size_t off = 0;
	char key[32], val[EVENT_TEXT_MAX];

	if (t == NULL) {
		expand(b, "value", val, sizeof val);
		snprintf(buf, n, "%s: %s is %s", b->rule->name, eng_target_id(b->tgt), val);
		return;
	}
	while (*t && off + 1 < n) {
		const char *end;
		if (t[0] == '$' && t[1] == '{' && (end = strchr(t + 2, '}')) != NULL &&
		    (size_t)(end - t - 2) < sizeof key) {
			memcpy(key, t + 2, (size_t)(end - t - 2));
			key[end - t - 2] = '\0';
			expand(b, key, val, sizeof val);
			off += (size_t)snprintf(buf + off, n - off, "%s", val);
			t = end + 1;
			continue;
		}
		buf[off++] = *t++;
	}
	buf[off < n ? off : n - 1] = '\0';
}
