/*
 * slurm_parse.c: the slurm actuator's reading of sinfo and its decisions,
 * pure C (no tool is run here).  See slurm_internal.h.
 *
 * sinfo's %T is the long state word in lower case, with a suffix for a
 * flag: '*' not responding, '~' powered off, '#' powering up, '%' powering
 * down, '!' pending power down, '$' maintenance reservation, '@' pending
 * reboot, '^' reboot issued, '-' planned (sinfo(1), NODE STATE CODES).
 * Slurm 22.05 prints one word ("drained", "mixed"); later versions may
 * join flags with '+' ("idle+drain"), so both are read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slurm_internal.h"

#define SUFFIXES "*~#%!$@^-"
#define SLURM_NODES_MAX 1000000 /* nodes of one line of counts, and of them all */

/* Base state words that put a node out of service, for the drain budget.
 * unknown: slurmctld has not heard from it (counted out, on the side of
 * refusing a drain).  Powered-down, future and reserved nodes are not out:
 * their owner put them there on purpose, and they are not broken. */
static const char *const out_states[] = {"drain",   "drained", "draining", "down",	 "fail",
					 "failing", "inval",   "unknown",  "no_respond", NULL};

/* States whose reason someone set on purpose: an operator's drain. */
static const char *const held_states[] = {"drain", "drained", "draining", "down",
					  "fail",  "failing", NULL};

static int in_list(const char *const *list, const char *word, size_t len)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strlen(list[i]) == len && strncmp(list[i], word, len) == 0)
			return 1;
	return 0;
}

/* 1 if one of the '+'-joined words of state (suffixes aside) is in list;
 * *star set when a word carries '*'. */
static int state_has(const char *state, const char *const *list, int *star)
{
	int hit = 0;

	*star = 0;
	for (const char *w = state; *w != '\0';) {
		size_t n = strcspn(w, "+"), base = n;

		while (base > 0 && strchr(SUFFIXES, w[base - 1]) != NULL) {
			if (w[base - 1] == '*')
				*star = 1;
			base--;
		}
		if (in_list(list, w, base))
			hit = 1;
		w += n;
		if (*w == '+')
			w++;
	}
	return hit;
}

int slurm_state_out(const char *state)
{
	int star, hit = state_has(state, out_states, &star);

	return hit || star;
}

int slurm_state_drained(const char *state)
{
	static const char *const drained[] = {"drain", "drained", "draining", NULL};
	int star;

	return state_has(state, drained, &star);
}

int slurm_reason_ours(const char *reason)
{
	return strncmp(reason, SLURM_REASON_PREFIX, strlen(SLURM_REASON_PREFIX)) == 0;
}

/* A reason that is there: sinfo prints "none" for none. */
static int has_reason(const char *reason)
{
	return reason[0] != '\0' && strcmp(reason, "none") != 0;
}

enum slurm_verdict slurm_decide_drain(const struct slurm_node_info *info, char *why, size_t len)
{
	int star;

	if (state_has(info->state, held_states, &star) && has_reason(info->reason) &&
	    !slurm_reason_ours(info->reason)) {
		snprintf(why, len, "already %s by someone else: %s", info->state, info->reason);
		return SLURM_SKIP;
	}
	if (slurm_state_drained(info->state))
		snprintf(why, len, "already %s by hwhealth: reason updated", info->state);
	else
		snprintf(why, len, "drained (was %s)", info->state);
	return SLURM_DO;
}

enum slurm_verdict slurm_decide_undrain(const struct slurm_node_info *info, char *why, size_t len)
{
	if (!slurm_state_drained(info->state)) {
		snprintf(why, len, "not drained (%s): nothing to undo", info->state);
		return SLURM_SKIP;
	}
	if (!slurm_reason_ours(info->reason)) {
		snprintf(why, len, "not hwhealth's drain: %s by someone else: %s", info->state,
			 info->reason);
		return SLURM_SKIP;
	}
	snprintf(why, len, "resumed (was %s: %s)", info->state, info->reason);
	return SLURM_DO;
}

const char *slurm_reason_text(const char *reason, char *buf, size_t len)
{
	size_t n, max = len < SLURM_REASON_MAX ? len : SLURM_REASON_MAX;

	if (reason == NULL || reason[0] == '\0')
		reason = "no reason given";
	snprintf(buf, max, "%s %s", SLURM_REASON_PREFIX, reason);
	n = strlen(buf);
	/* Cut on a character boundary: drop a partial UTF-8 sequence. */
	if (n == max - 1) {
		size_t k = n;

		while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
			k--;
		if (k > 0 && (unsigned char)buf[k - 1] >= 0xC0) {
			unsigned char lead = (unsigned char)buf[k - 1];
			size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;

			if (n - (k - 1) < need)
				buf[k - 1] = '\0';
		}
	}
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
		else if (*p == '"')
			*p = '\'';
	}
	return buf;
}

/* Copy [s, s+n) into dst (size len), cut. */
static void copy_cut(char *dst, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

int slurm_parse_node(const char *text, const char *node, struct slurm_node_info *out)
{
	size_t nlen = strlen(node);

	memset(out, 0, sizeof *out);
	for (const char *line = text; *line != '\0';) {
		const char *eol = line + strcspn(line, "\n");
		const char *bar = memchr(line, '|', (size_t)(eol - line));

		if (bar != NULL && (size_t)(bar - line) == nlen && strncmp(line, node, nlen) == 0) {
			const char *st = bar + 1;
			const char *bar2 = memchr(st, '|', (size_t)(eol - st));
			const char *st_end = bar2 != NULL ? bar2 : eol;

			copy_cut(out->state, sizeof out->state, st, (size_t)(st_end - st));
			if (bar2 != NULL)
				copy_cut(out->reason, sizeof out->reason, bar2 + 1,
					 (size_t)(eol - bar2 - 1));
			return 1;
		}
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return 0;
}

int slurm_parse_counts(const char *text, int *nodes, int *out, char *why, size_t len)
{
	*nodes = *out = 0;
	for (const char *line = text; *line != '\0';) {
		const char *eol = line + strcspn(line, "\n");
		char state[SLURM_STATE_MAX], *end;
		long count;

		if (eol > line) {
			errno = 0;
			count = strtol(line, &end, 10);
			if (end == line || *end != '|' || count < 0 || count > SLURM_NODES_MAX ||
			    errno != 0 || end + 1 >= eol) {
				snprintf(why, len, "unexpected sinfo line: %.*s",
					 (int)(eol - line > 80 ? 80 : eol - line), line);
				return -EPROTO;
			}
			/* The per-line bound holds for the sum too: lines enough
			 * would otherwise overflow the int. */
			if (count > SLURM_NODES_MAX - *nodes) {
				snprintf(why, len, "sinfo counts more than %d nodes",
					 SLURM_NODES_MAX);
				return -EPROTO;
			}
			copy_cut(state, sizeof state, end + 1, (size_t)(eol - end - 1));
			*nodes += (int)count;
			if (slurm_state_out(state))
				*out += (int)count;
		}
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return 0;
}

/* Append name to names (space-separated) unless it is there; 0, or -1
 * when it does not fit (names stays whole names). */
static int add_name(char *names, size_t len, const char *name, size_t n)
{
	size_t used = strlen(names);

	for (const char *p = names; *p != '\0';) {
		size_t w = strcspn(p, " ");

		if (w == n && strncmp(p, name, n) == 0)
			return 0;
		p += w;
		if (*p == ' ')
			p++;
	}
	if (used + (used ? 1 : 0) + n + 1 > len)
		return -1;
	if (used)
		names[used++] = ' ';
	memcpy(names + used, name, n);
	names[used + n] = '\0';
	return 0;
}

int slurm_parse_out_names(const char *text, const char *self, char *names, size_t len)
{
	int self_state = -1, full = 0;
	size_t slen = strlen(self);

	if (len)
		names[0] = '\0';
	for (const char *line = text; *line != '\0';) {
		const char *eol = line + strcspn(line, "\n");
		const char *bar = memchr(line, '|', (size_t)(eol - line));

		if (bar != NULL && bar > line) {
			char state[SLURM_STATE_MAX];
			size_t n = (size_t)(bar - line);
			int is_out;

			copy_cut(state, sizeof state, bar + 1, (size_t)(eol - bar - 1));
			is_out = slurm_state_out(state);
			if (n == slen && strncmp(line, self, n) == 0)
				self_state = self_state == 1 ? 1 : is_out;
			else if (is_out && !full && len)
				full = add_name(names, len, line, n) < 0;
		}
		line = *eol == '\n' ? eol + 1 : eol;
	}
	return self_state;
}
