/*
 * rules_match: the "match ATTR [~] VALUE..." statement of a rule: values
 * as globs or POSIX regexes (each priced before regcomp(), since stacked
 * repetitions blow up glibc's compiler), kinds checked against the kind
 * names.  Part of the rules parser (rules_internal.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "rules_internal.h"
#include "rules_lex.h"

#define RULES_MAX_REGEX_COST 10000 /* see regex_cost() */

/* Is v (a glob) the name of some kind? */
static bool kind_glob_ok(const char *v)
{
	for (int i = 0; i < HWH_KIND_COUNT; i++)
		if (fnmatch(v, rp_kind_names[i], 0) == 0)
			return true;
	return false;
}

/* Where the bracket expression at s ('[') ends. */
static const char *skip_bracket(const char *s)
{
	s++;
	if (*s == '^')
		s++;
	if (*s == ']')
		s++; /* a literal ']' first */
	while (*s && *s != ']') {
		if (s[0] == '[' && (s[1] == ':' || s[1] == '.' || s[1] == '=')) {
			char e = s[1];

			for (s += 2; *s && !(s[0] == e && s[1] == ']'); s++)
				;
			s += *s ? 2 : 0;
		} else {
			s++;
		}
	}
	return *s ? s + 1 : s;
}

/* Copies an interval makes of its operand ("{2,5}" 5, "{3,}" 4), with
 * *end past its '}'; 0 if s (after the '{') is no interval. */
static double interval_copies(const char *s, const char **end)
{
	double n = 0, m = -1;

	if (!(*s >= '0' && *s <= '9') && *s != ',')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (*s - '0');
	if (*s == ',') {
		for (m = 0, s++; *s >= '0' && *s <= '9'; s++)
			m = m * 10 + (*s - '0');
		if (s[-1] == ',')
			m = n + 1; /* "{n,}": n copies and a star */
	}
	if (*s != '}')
		return 0;
	*end = s + 1;
	return fmax(fmax(n, m), 1);
}

/*
 * A rough size of the tree glibc's regcomp() builds for an ERE: '+' and
 * intervals copy their operand, so stacked or nested ones multiply ("x+"
 * twenty times over takes gigabytes).  Conservative: some patterns it
 * prices high compile cheaply, but no sensible name pattern comes close.
 */
static double regex_cost(const char *s)
{
	double sum[RULES_MAX_DEPTH + 1] = {0}, last[RULES_MAX_DEPTH + 1] = {0};
	int d = 0;

	while (*s && sum[d] <= RULES_MAX_REGEX_COST) {
		const char *end = s + 1;
		double atom = 1, f = 0;

		if (*s == '\\') {
			end = s[1] ? s + 2 : s + 1;
		} else if (*s == '[') {
			end = skip_bracket(s);
		} else if (*s == '(') {
			if (d == RULES_MAX_DEPTH)
				return HUGE_VAL;
			d++;
			sum[d] = last[d] = 0;
			s = end;
			continue;
		} else if (*s == ')' && d > 0) {
			atom = sum[d--] + 1;
		} else if (*s == '|') {
			last[d] = 0;
			s = end;
			continue;
		} else if (*s == '*' || *s == '?') {
			f = 1;
		} else if (*s == '+') {
			f = 2;
		} else if (*s == '{') {
			f = interval_copies(s + 1, &end);
		}
		if (f > 0) {
			sum[d] += last[d] * (f - 1) + 1;
			last[d] = last[d] * f + 1;
		} else {
			sum[d] += atom;
			last[d] = atom;
		}
		s = end;
	}
	for (int i = 0; i < d; i++)
		sum[d] += sum[i];
	return sum[d];
}

/* Compile m's values as regexes in place (regex_t is not moved once
 * compiled).  Every bad one is reported; m->re stays NULL then. */
static void compile_values(struct rparser *p, struct rule_match *m, const struct pos *at)
{
	bool ok = true;
	regex_t tmp;
	char eb[128];

	if (!(m->re = calloc(m->n, sizeof(*m->re)))) {
		rp_oom(p);
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		regex_t *re = ok ? &m->re[i] : &tmp;
		bool cheap = regex_cost(m->values[i]) <= RULES_MAX_REGEX_COST;
		int rc = cheap ? regcomp(re, m->values[i], REG_EXTENDED | REG_NOSUB) : -1;

		if (rc < 0) {
			rp_err(p, at[i].line, at[i].col,
			       "regular expression '%s' is too complex (its repetitions expand to "
			       "more "
			       "than %d terms)",
			       m->values[i], RULES_MAX_REGEX_COST);
		} else if (rc > 0) {
			regerror(rc, re, eb, sizeof(eb));
			rp_err(p, at[i].line, at[i].col, "invalid regular expression '%s': %s",
			       m->values[i], eb);
		}
		if (rc != 0) {
			for (size_t j = 0; ok && j < i; j++)
				regfree(&m->re[j]);
			ok = false;
		} else if (!ok) {
			regfree(&tmp);
		}
	}
	if (!ok) {
		free(m->re);
		m->re = NULL;
	}
}

/* One value of a match (the current token), checked and appended. */
static int match_value(struct rparser *p, struct rule_match *m, struct pos **at, size_t *cap)
{
	char list[160];

	if (!*p->tok.text) {
		rp_err(p, p->tok.line, p->tok.col, "empty value in 'match %s'",
		       rp_attr_names[m->attr]);
		return 0;
	}
	if (m->attr == RA_KIND && !m->regex && !kind_glob_ok(p->tok.text))
		rp_err(p, p->tok.line, p->tok.col, "unknown kind '%s' (expected one of: %s)",
		       p->tok.text, rp_join(rp_kind_names, HWH_KIND_COUNT, list, sizeof(list)));
	if (m->n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 4;
		char **v = realloc(m->values, ncap * sizeof(*v));
		struct pos *np;

		if (v)
			m->values = v;
		np = v ? realloc(*at, ncap * sizeof(*np)) : NULL;
		if (!np) {
			rp_oom(p);
			return -1;
		}
		*at = np;
		*cap = ncap;
	}
	(*at)[m->n] = rp_tok_pos(p);
	m->values[m->n++] = rp_steal_text(p);
	return 0;
}

/* Append m (taken over) to the rule, with where it was written. */
static int add_match(struct rparser *p, struct rblock *b, struct rule_match *m, struct pos at)
{
	struct rule *r = b->r;
	struct rule_match *v = realloc(r->matches, (r->nmatches + 1) * sizeof(*v));
	struct pos *mp;

	if (v)
		r->matches = v;
	mp = v ? realloc(b->mpos, (r->nmatches + 1) * sizeof(*mp)) : NULL;
	if (!mp) {
		rp_oom(p);
		return -1;
	}
	b->mpos = mp;
	b->mpos[r->nmatches] = at;
	r->matches[r->nmatches++] = *m;
	if (m->attr == RA_TYPE)
		r->is_event = true;
	return 0;
}

/* match ATTR [~] VALUE...; the current token is ATTR. */
bool rp_st_match(struct rparser *p, struct rblock *b, struct pos at)
{
	struct rule_match m = {0};
	struct pos *vat = NULL;
	size_t cap = 0, nwritten = 0; /* values written, the rejected ones too */
	char list[96], what[64];
	int a;

	if (p->tok.type != RT_IDENT) {
		rp_expected(p,
			    "a match attribute (source, device, name, kind, unit, label or type)");
		return false;
	}
	if ((a = rp_lookup(rp_attr_names, RA_COUNT, p->tok.text)) < 0) {
		rp_err(p, p->tok.line, p->tok.col,
		       "unknown match attribute '%s' (expected one of: %s)", p->tok.text,
		       rp_join(rp_attr_names, RA_COUNT, list, sizeof(list)));
		return false;
	}
	m.attr = (enum rule_attr)a;
	rp_advance_word(p);
	if (p->tok.type == RT_TILDE) {
		m.regex = true;
		rp_advance_word(p);
	}
	for (; p->tok.type == RT_WORD || p->tok.type == RT_STRING; nwritten++) {
		if (match_value(p, &m, &vat, &cap) < 0)
			break;
		rp_advance_word(p);
	}
	if (nwritten == 0) {
		snprintf(what, sizeof(what), "a value after 'match %s%s'", rp_attr_names[a],
			 m.regex ? " ~" : "");
		rp_expected(p, what);
	} else if (m.regex && m.n > 0) {
		compile_values(p, &m, vat);
	}
	free(vat);
	if (m.n == 0 || p->lx.stop || add_match(p, b, &m, at) < 0)
		rp_match_fini(&m);
	return nwritten > 0;
}
