/*
 * fuzz_rules: libFuzzer target for the rules-language parser.
 *
 * Feeds each input to rules_parse() as a whole file, then walks every rule
 * it kept (the rules of a failed parse too: they must be complete) touching
 * every string and expression node under ASan, runs each rule's matches
 * once through rule_matches() (globs and compiled regexes), and frees
 * everything, diagnostics included.  Success must mean no message, failure
 * at least one.  Seeds are in tests/fuzz/corpus/fuzz_rules/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every node and string of an expression; returns a sum so the reads
 * are not optimised out. */
static size_t touch_expr(const struct rx_node *n)
{
	if (!n)
		return 0;
	switch (n->op) {
	case RX_NUM:
		return (size_t)(n->u.num != 0);
	case RX_VAR:
		return strlen(rx_var_name(n->u.var));
	case RX_CALL:
		return strlen(rx_fn_name(n->u.call.fn)) +
		       (n->u.call.glob ? strlen(n->u.call.glob) : 0) + (size_t)n->u.call.window_ms +
		       (size_t)n->u.call.horizon_ms + n->u.call.slot + touch_expr(n->u.call.arg);
	default:
		return (size_t)n->op + touch_expr(n->u.bin.l) + touch_expr(n->u.bin.r);
	}
}

static size_t touch_rule(const struct rule *r)
{
	size_t n = strlen(r->name) + strlen(r->file) + (size_t)r->line + (size_t)r->col;

	if (r->description)
		n += strlen(r->description);
	if (r->message)
		n += strlen(r->message);
	for (size_t i = 0; i < r->nmatches; i++)
		for (size_t j = 0; j < r->matches[i].n; j++)
			n += strlen(r->matches[i].values[j]);
	n += touch_expr(r->when) + touch_expr(r->clear);
	n += strlen(rule_severity_name(r->severity)) + r->nbuckets + r->uses;
	n += rule_matches(r, "sensors", "coretemp-isa-0000", "temp1_input", "temperature", "C",
			  "Core 0", r->is_event ? "ecc-corrected" : NULL);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_diag diag = {0};
	struct ruleset rs = {0};
	volatile size_t sink = 0;
	int r = rules_parse("fuzz.rules", (const char *)data, size, &rs, &diag);

	if (r == 0 && diag.n != 0)
		__builtin_trap(); /* success means no errors */
	if (r != 0 && diag.n == 0)
		__builtin_trap(); /* failure means a reason */
	for (size_t i = 0; i < rs.n; i++)
		sink += touch_rule(rs.v[i]);
	for (size_t i = 0; i < diag.n; i++)
		sink += strlen(diag.msgs[i]);
	(void)sink;
	ruleset_clear(&rs);
	cfg_diag_free(&diag);
	return 0;
}
