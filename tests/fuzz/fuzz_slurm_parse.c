/*
 * fuzz_slurm_parse: libFuzzer target for the slurm actuator's reading of
 * sinfo and its decisions (plugins/slurm_parse.c), pure C.
 *
 * The first byte picks what the rest is (byte % 4):
 *   0  a node name line, then `sinfo -h -N -o '%N|%T|%E'` output:
 *      slurm_parse_node() finds the node or leaves the info empty; a state
 *      holds no '|' or newline, a reason no newline; the drain decision
 *      never overwrites someone else's drain reason and the undrain one
 *      lifts only hwhealth's drain (slurm_internal.h);
 *   1  `sinfo -h -o '%D|%T'` output: slurm_parse_counts() refuses it with
 *      a reason or counts 0 <= out <= nodes;
 *   2  a self line, then `sinfo -h -N -o '%N|%T'` output, the second byte
 *      sizing the names buffer: slurm_parse_out_names() says -1, 0 or 1,
 *      the names fit, and (for names without blanks) each is listed once
 *      and self is not among them;
 *   3  a reason: slurm_reason_text() starts with "hwhealth: ", fits in
 *      SLURM_REASON_MAX - 1 bytes, holds no control character or '"', and
 *      is valid UTF-8 when the reason was.
 * Every state word met is also checked: drained implies out.  Seeds are in
 * tests/fuzz/corpus/fuzz_slurm_parse/ (the unit tests' sinfo strings).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slurm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then crash for libFuzzer. */
#define BROKEN() (fprintf(stderr, "fuzz_slurm_parse.c:%d: invariant broken\n", __LINE__), abort())

/* 1 if s is well-formed UTF-8 (lead and continuation bytes in place). */
static int utf8_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
		size_t need = *p < 0x80	  ? 0
			      : *p < 0xC0 ? 9
			      : *p < 0xE0 ? 1
			      : *p < 0xF0 ? 2
			      : *p < 0xF8 ? 3
					  : 9;

		if (need == 9)
			return 0;
		p++;
		for (size_t k = 0; k < need; k++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void check_state(const char *state)
{
	if (slurm_state_drained(state) && !slurm_state_out(state))
		BROKEN();
}

/* Split "line\nrest" in place: rest, line in *first. */
static char *first_line(char *text, char **first)
{
	char *nl = strchr(text, '\n');

	*first = text;
	if (nl == NULL)
		return text + strlen(text);
	*nl = '\0';
	return nl + 1;
}

static void fuzz_node(char *text)
{
	struct slurm_node_info info;
	char *node, *rest = first_line(text, &node), why[256];
	int found = slurm_parse_node(rest, node, &info);
	int held, theirs;

	if (found != 0 && found != 1)
		BROKEN();
	if (memchr(info.state, '\0', sizeof info.state) == NULL ||
	    memchr(info.reason, '\0', sizeof info.reason) == NULL)
		BROKEN();
	if (!found && (info.state[0] != '\0' || info.reason[0] != '\0'))
		BROKEN();
	if (strpbrk(info.state, "|\n") != NULL || strchr(info.reason, '\n') != NULL)
		BROKEN();
	check_state(info.state);
	/* drained by someone else, with their reason: leave it */
	held = slurm_state_drained(info.state);
	theirs = info.reason[0] != '\0' && strcmp(info.reason, "none") != 0 &&
		 !slurm_reason_ours(info.reason);
	why[0] = '\0';
	if (slurm_decide_drain(&info, why, sizeof why) == SLURM_DO && held && theirs)
		BROKEN();
	if (why[0] == '\0')
		BROKEN();
	why[0] = '\0';
	if (slurm_decide_undrain(&info, why, sizeof why) == SLURM_DO &&
	    (!held || !slurm_reason_ours(info.reason)))
		BROKEN();
	if (why[0] == '\0')
		BROKEN();
}

static void fuzz_counts(const char *text)
{
	char why[256] = "";
	int nodes = -1, out = -1, rc = slurm_parse_counts(text, &nodes, &out, why, sizeof why);

	if (rc == -EPROTO) {
		if (why[0] == '\0')
			BROKEN();
	} else if (rc != 0 || nodes < 0 || out < 0 || out > nodes) {
		BROKEN();
	}
}

/* Each blank-separated word of names once, and none of them self. */
static void check_names(const char *names, const char *self)
{
	size_t slen = strlen(self);

	for (const char *w = names; *w != '\0';) {
		size_t n = strcspn(w, " ");

		if (n == 0 || (n == slen && strncmp(w, self, n) == 0))
			BROKEN();
		for (const char *v = w + n; *v != '\0';) {
			size_t m = strcspn(v, " ");

			if (m == n && strncmp(v, w, n) == 0)
				BROKEN();
			v += m;
			if (*v == ' ')
				v++;
		}
		w += n;
		if (*w == ' ')
			w++;
	}
}

static void fuzz_names(char *text, size_t len)
{
	char *self, *rest = first_line(text, &self), *names = malloc(len ? len : 1);
	int rc;

	if (names == NULL)
		abort();
	memset(names, 'x', len);
	rc = slurm_parse_out_names(rest, self, names, len);
	if (rc < -1 || rc > 1)
		BROKEN();
	if (len > 0) {
		if (memchr(names, '\0', len) == NULL)
			BROKEN();
		if (strchr(rest, ' ') == NULL && strchr(self, ' ') == NULL)
			check_names(names, self);
	}
	free(names);
}

static void fuzz_reason(const char *reason, size_t extra)
{
	char buf[SLURM_REASON_MAX + 64];
	const char *out = slurm_reason_text(reason, buf, SLURM_REASON_MAX + extra % 64);

	if (out != buf || strncmp(buf, SLURM_REASON_PREFIX " ", strlen(SLURM_REASON_PREFIX) + 1) ||
	    strlen(buf) > SLURM_REASON_MAX - 1)
		BROKEN();
	for (const char *p = buf; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"')
			BROKEN();
	if (utf8_ok(reason) && !utf8_ok(buf))
		BROKEN(); /* cut on a character boundary */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 2 || size > 65536)
		return 0;
	if ((text = malloc(size - 1)) == NULL)
		return 0;
	memcpy(text, data + 2, size - 2);
	text[size - 2] = '\0';
	switch (data[0] % 4) {
	case 0:
		fuzz_node(text);
		break;
	case 1:
		fuzz_counts(text);
		break;
	case 2:
		fuzz_names(text, data[1]);
		break;
	default:
		fuzz_reason(text, data[1]);
		break;
	}
	free(text);
	return 0;
}
