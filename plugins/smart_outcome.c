/*
 * smart_outcome.c: what one smartctl run means for its drive.
 *
 *   ok       its output parsed (smart_parse()) and smartctl could open and
 *            identify the device: emit the document.
 *   standby  smartctl did not read the disk because it sleeps: exit status
 *            3 when we passed `-n standby,3` (3 is otherwise impossible:
 *            smartctl(8) returns bit 0 alone), or a "Device is in STANDBY
 *            mode, exit(N)" message (smartctl.cpp also says SLEEP, IDLE and
 *            "STANDBY (OS)").  Not an error: the drive's metrics are held.
 *   failed   anything else without a usable document: spawn failure,
 *            timeout, killed, no output, output that is not one complete
 *            JSON document, or exit-status bit 0 (command line) or 1
 *            (device open failed).  A run killed at its deadline may have
 *            printed half a document: that is the timeout, never a parse
 *            error.
 *
 * The error sentences are what an operator reads in `hwhealth sensors`:
 * each names what happened and, where smartctl said why, its words.
 * Pure (smart_parse() and strings); unit-tested in check_smart_plugin.c.
 * To extend: a new way to fail is one test in smart_classify(), placed
 * by precedence (what happened to the process first, then its output).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "smart_internal.h"

#define STANDBY_EXIT 3 /* the N of -n standby,N the plugin passes */

static void fail(struct smart_verdict *v, enum smart_fail why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct smart_verdict *v, enum smart_fail why, const char *fmt, ...)
{
	va_list ap;

	v->outcome = SMART_OUT_FAILED;
	v->fail = why;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof v->msg, fmt, ap);
	va_end(ap);
}

/* "30 s", "1.5 s", "0.2 s". */
static void fmt_secs(uint64_t ms, char *buf, size_t len)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%llu s", (unsigned long long)(ms / 1000));
	else
		snprintf(buf, len, "%.1f s", (double)ms / 1000.0);
}

/* The first line of s, at most len - 1 bytes, into buf. */
static void first_line(const char *s, char *buf, size_t len)
{
	size_t n = strcspn(s, "\r\n");

	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return false;
	return true;
}

int smart_standby_message(const char *msg, char *buf, size_t len)
{
	static const char pre[] = "Device is in ";
	const char *w = strstr(msg, pre), *end;
	size_t n;

	if (w == NULL || len == 0)
		return 0;
	w += sizeof pre - 1;
	n = strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
	end = strstr(w + n, " mode");
	/* "STANDBY mode" or "STANDBY (OS) mode": one word, perhaps a note */
	if (n == 0 || end == NULL || end - (w + n) > 8)
		return 0;
	if (n >= len)
		n = len - 1;
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)w[i]);
	buf[n] = '\0';
	return 1;
}

/* What happened to the process, before its output is looked at.  Returns
 * 1 when that settled the verdict. */
static int classify_process(const struct smart_result *r, uint64_t timeout_ms, const char *smartctl,
			    struct smart_verdict *v)
{
	char secs[32];

	if (r->spawn_err != 0) {
		fail(v, SMART_FAIL_SPAWN, "cannot run %s: %s", smartctl, strerror(r->spawn_err));
	} else if (r->stopped) {
		fail(v, SMART_FAIL_OTHER, "smartctl stopped: the source is stopping");
	} else if (r->timed_out) {
		fmt_secs(timeout_ms, secs, sizeof secs);
		fail(v, SMART_FAIL_TIMEOUT, "smartctl timed out after %s (killed)", secs);
	} else if (r->too_big) {
		fail(v, SMART_FAIL_OTHER, "smartctl printed more than %u bytes (killed)",
		     SMART_JSON_MAX);
	} else if (!r->exited) {
		fail(v, SMART_FAIL_OTHER, "smartctl killed by signal %d (%s)", r->signal,
		     strsignal(r->signal));
	} else {
		return 0;
	}
	return 1;
}

/* Standby, by exit status or by message.  1 when it is. */
static int classify_standby(const struct smart_result *r, bool standby, bool parsed,
			    const struct smart_doc *doc, struct smart_verdict *v)
{
	for (unsigned i = 0; parsed && i < doc->nmsgs; i++) {
		if (smart_standby_message(doc->msgs[i], v->mode, sizeof v->mode)) {
			v->outcome = SMART_OUT_STANDBY;
			return 1;
		}
	}
	if (standby && r->exit_code == STANDBY_EXIT) {
		snprintf(v->mode, sizeof v->mode, "standby");
		v->outcome = SMART_OUT_STANDBY;
		return 1;
	}
	return 0;
}

/* A parsed document whose exit status says smartctl never got to the
 * device.  1 when it is such a failure. */
static int classify_exit(const struct smart_result *r, const struct smart_doc *doc,
			 struct smart_verdict *v)
{
	unsigned st = doc->exit_status | (unsigned)r->exit_code;
	const char *said = doc->nmsgs > 0 ? doc->msgs[0] : NULL;

	if (st & SMART_EXIT_CMDLINE) {
		fail(v, SMART_FAIL_OTHER, "smartctl refused its command line: %s",
		     said ? said : smart_exit_bit_text(0));
	} else if (st & SMART_EXIT_OPEN) {
		/* smartctl 7.3 -d sat on a device that does not answer IDENTIFY
		 * exits 2 with no message at all: say what bit 1 means. */
		if (said != NULL)
			fail(v, SMART_FAIL_OTHER, "device open failed: %s", said);
		else
			fail(v, SMART_FAIL_OTHER, "device open failed: %s (exit status %u)",
			     smart_exit_bit_text(1), st);
	} else {
		return 0;
	}
	return 1;
}

void smart_classify(const struct smart_result *r, bool standby, uint64_t timeout_ms,
		    const char *smartctl, struct smart_doc *doc, struct smart_verdict *v)
{
	char perr[SMART_ERR_MAX], line[128];
	bool parsed;

	memset(v, 0, sizeof *v);
	memset(doc, 0, sizeof *doc);
	if (classify_process(r, timeout_ms, smartctl, v))
		return;
	parsed = r->out_len > 0 && smart_parse(r->out, r->out_len, doc, perr, sizeof perr) == 0;
	if (classify_standby(r, standby, parsed, doc, v))
		return;
	if (r->out_len == 0 || blank(r->out, r->out_len)) {
		first_line(r->err, line, sizeof line);
		fail(v, SMART_FAIL_OTHER, "smartctl printed no output (exit status %d)%s%s",
		     r->exit_code, line[0] ? ": " : "", line);
	} else if (!parsed) {
		fail(v, SMART_FAIL_OTHER, "malformed JSON from smartctl: %s", perr);
	} else if (!classify_exit(r, doc, v)) {
		v->outcome = SMART_OUT_OK;
	}
}
