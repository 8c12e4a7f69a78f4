/*
 * check_rules_parse: unit tests of the rules language (agent/rules_lex.c,
 * rules_parse.c, rules_load.c).
 *
 * Texts are parsed with rules_parse() under the name "t.rules"; tests
 * assert exact values, the shape of expression trees (printed as
 * s-expressions by sexpr(), e.g. "(+ value (* 2 (neg 3)))"), or the exact,
 * complete error messages with line and column.  rules_load() is tested on
 * mkdtemp() directories.  One TCase per concern: lexer, expressions, calls,
 * statements, errors, loading, matching, names.  To add an error case:
 * write the text, count the column by hand (tabs are one column), assert
 * the whole message.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"

#define NAME "t.rules"

Suite *rules_parse_suite(void); /* called by tests/main.c */

/* ---- helpers ---- */

/* Parse text that must be valid; fail with the first message if not. */
static struct ruleset parse_ok(const char *text)
{
	struct cfg_diag d = {0};
	struct ruleset rs = {0};
	int r = rules_parse(NAME, text, strlen(text), &rs, &d);

	ck_assert_msg(r == 0 && d.n == 0, "parse failed (%d): %s", r,
		      d.n ? d.msgs[0] : "no message");
	cfg_diag_free(&d);
	return rs;
}

/* Parse text that must be refused; the caller checks d and frees it. */
static void parse_bad(const char *text, struct cfg_diag *d, struct ruleset *rs)
{
	*d = (struct cfg_diag){0};
	ck_assert_int_eq(rules_parse(NAME, text, strlen(text), rs, d), -1);
	ck_assert_uint_ge(d->n, 1);
}

/* text must give exactly the messages given (NULL-terminated), in order. */
static void expect_errors(const char *text, ...)
{
	struct cfg_diag d;
	struct ruleset rs = {0};
	const char *m;
	size_t i = 0;
	va_list ap;

	parse_bad(text, &d, &rs);
	va_start(ap, text);
	while ((m = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(i < d.n, "missing message %zu: %s", i, m);
		ck_assert_str_eq(d.msgs[i], m);
		i++;
	}
	va_end(ap);
	ck_assert_msg(d.n == i, "%zu messages, extra: %s", d.n, d.n > i ? d.msgs[i] : "");
	cfg_diag_free(&d);
	ruleset_clear(&rs);
}

#define expect_error(text, msg) expect_errors(text, msg, (const char *)NULL)

/* An expression tree as an s-expression, appended to buf. */
static void sexpr(const struct rx_node *n, char *buf, size_t len)
{
	static const char *const ops[] = {
	    [RX_NEG] = "neg", [RX_NOT] = "not", [RX_ADD] = "+",	  [RX_SUB] = "-", [RX_MUL] = "*",
	    [RX_DIV] = "/",   [RX_LT] = "<",	[RX_LE] = "<=",	  [RX_GT] = ">",  [RX_GE] = ">=",
	    [RX_EQ] = "==",   [RX_NE] = "!=",	[RX_AND] = "and", [RX_OR] = "or",
	};
	size_t k = strlen(buf);

	ck_assert_ptr_nonnull(n);
	switch (n->op) {
	case RX_NUM:
		snprintf(buf + k, len - k, "%g", n->u.num);
		return;
	case RX_VAR:
		snprintf(buf + k, len - k, "%s", rx_var_name(n->u.var));
		return;
	case RX_CALL:
		snprintf(buf + k, len - k, "%s()", rx_fn_name(n->u.call.fn));
		return;
	case RX_NEG:
	case RX_NOT:
		snprintf(buf + k, len - k, "(%s ", ops[n->op]);
		sexpr(n->u.bin.l, buf, len);
		strncat(buf, ")", len - strlen(buf) - 1);
		return;
	default:
		snprintf(buf + k, len - k, "(%s ", ops[n->op]);
		sexpr(n->u.bin.l, buf, len);
		strncat(buf, " ", len - strlen(buf) - 1);
		sexpr(n->u.bin.r, buf, len);
		strncat(buf, ")", len - strlen(buf) - 1);
	}
}

/* "rule t { when EXPR; severity info }" must parse; its rule (one). */
static struct ruleset parse_when(const char *expr)
{
	char text[4096];
	struct ruleset rs;

	snprintf(text, sizeof(text), "rule t { when %s; severity info }", expr);
	rs = parse_ok(text);
	ck_assert_uint_eq(rs.n, 1);
	return rs;
}

/* "rule m { MATCHES; when 1; severity info }" must parse. */
static struct ruleset one_rule_text(const char *matches)
{
	char text[512];

	snprintf(text, sizeof(text), "rule m { %s; when 1; severity info }", matches);
	return parse_ok(text);
}

/* The when-expression expr must have the shape want. */
static void expect_tree(const char *expr, const char *want)
{
	struct ruleset rs = parse_when(expr);
	char buf[1024] = "";

	sexpr(rs.v[0]->when, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
	ruleset_clear(&rs);
}

/* The when-expression expr is one number: its value. */
static double when_num(const char *expr)
{
	struct ruleset rs = parse_when(expr);
	double v;

	ck_assert_int_eq(rs.v[0]->when->op, RX_NUM);
	v = rs.v[0]->when->u.num;
	ruleset_clear(&rs);
	return v;
}

/* ---- lexer ---- */

START_TEST(test_durations)
{
	ck_assert_double_eq(when_num("500ms"), 0.5);
	ck_assert_double_eq(when_num("30s"), 30);
	ck_assert_double_eq(when_num("5m"), 300);
	ck_assert_double_eq(when_num("2h"), 7200);
	ck_assert_double_eq(when_num("1d"), 86400);
	ck_assert_double_eq(when_num("1.5h"), 5400);
	ck_assert_double_eq(when_num("0s"), 0);
}
END_TEST

START_TEST(test_numbers)
{
	ck_assert_double_eq(when_num("42"), 42);
	ck_assert_double_eq(when_num("1.5"), 1.5);
	ck_assert_double_eq(when_num(".25"), 0.25);
	ck_assert_double_eq(when_num("1e3"), 1000);
	ck_assert_double_eq(when_num("2.5E-1"), 0.25);
	ck_assert_double_eq(when_num("1e3s"), 1000);
}
END_TEST

START_TEST(test_bad_numbers)
{
	expect_error("rule t { when 1h30m; severity info }",
		     NAME ":1:15: invalid number '1h30m' (expected e.g. 10, 1.5, 1e3 or a "
			  "duration such as 500ms, 30s, 5m, 2h, 1d)");
	expect_error("rule t { when 5x > 1; severity info }",
		     NAME ":1:15: invalid number '5x' (expected e.g. 10, 1.5, 1e3 or a duration "
			  "such as 500ms, 30s, 5m, 2h, 1d)");
	expect_error("rule t { when 1.2.3; severity info }",
		     NAME ":1:15: invalid number '1.2.3' (expected e.g. 10, 1.5, 1e3 or a "
			  "duration such as 500ms, 30s, 5m, 2h, 1d)");
	expect_error("rule t { when 1e999; severity info }",
		     NAME ":1:15: number '1e999' is too large");
}
END_TEST

START_TEST(test_comments_and_separators)
{
	struct ruleset rs = parse_ok("# heading\n\n"
				     "rule a { # after the brace\n"
				     "\twhen value > 1 # trailing\n"
				     "\tseverity info;;\n"
				     "}\r\n"
				     "rule b { when 1; severity info; }; rule c { when 0\r\n"
				     "severity warning }");

	ck_assert_uint_eq(rs.n, 3);
	ck_assert_str_eq(rs.v[0]->name, "a");
	ck_assert_str_eq(rs.v[1]->name, "b");
	ck_assert_str_eq(rs.v[2]->name, "c");
	ck_assert_int_eq(rs.v[2]->severity, RSEV_WARNING);
	ck_assert_int_eq(rs.v[2]->line, 7);
	ck_assert_int_eq(rs.v[2]->col, 36);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_newline_in_parentheses)
{
	struct ruleset rs = parse_ok("rule t {\n"
				     "\twhen (value >\n"
				     "\t      crit or\n"
				     "\t      eta(30m,\n"
				     "\t          crit) < 5m)\n"
				     "\tseverity info\n"
				     "}\n");
	char buf[256] = "";

	sexpr(rs.v[0]->when, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(or (> value crit) (< eta() 300))");
	ck_assert_int_eq(rs.v[0]->severity, RSEV_INFO);
	ruleset_clear(&rs);

	/* outside parentheses a newline ends the statement */
	expect_errors("rule t {\n\twhen value >\n\t1\n\tseverity info\n}\n",
		      NAME ":2:14: expected an expression, got end of line",
		      NAME ":3:2: expected a statement, got '1'", (const char *)NULL);
}
END_TEST

START_TEST(test_strings)
{
	struct ruleset rs =
	    parse_ok("rule t { description \"a \\\"b\\\" \\\\ c\\td\\n\";"
		     " when 1; severity info; message \"# not a comment ${value}\" }");

	ck_assert_str_eq(rs.v[0]->description, "a \"b\" \\ c\td\n");
	ck_assert_str_eq(rs.v[0]->message, "# not a comment ${value}");
	ruleset_clear(&rs);
	expect_error("rule t { description \"x\\q\"; when 1; severity info }",
		     NAME ":1:24: invalid escape '\\q' in string (use \\\", \\\\, \\n or \\t)");
	expect_error("rule t { description \"open\n when 1; severity info }",
		     NAME ":1:22: unterminated string (expected '\"' on this line)");
}
END_TEST

START_TEST(test_nul_in_string)
{
	static const char text[] = "rule t { description \"a\0b\"; when 1; severity info }";
	struct cfg_diag d = {0};
	struct ruleset rs = {0};

	ck_assert_int_eq(rules_parse(NAME, text, sizeof(text) - 1, &rs, &d), -1);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.msgs[0], NAME ":1:24: invalid NUL byte in string");
	ck_assert_uint_eq(rs.n, 0);
	cfg_diag_free(&d);
}
END_TEST

/* '-' belongs to a rule name and to match values, but is minus in
 * expressions. */
START_TEST(test_dash_in_names)
{
	struct ruleset rs = parse_ok("rule temp-rising.v2 {\n"
				     "\tmatch device coretemp-* nct6775-isa-0290\n"
				     "\twhen value-crit > -1\n"
				     "\tseverity info\n"
				     "}\n");
	const struct rule *r = rs.v[0];
	char buf[256] = "";

	ck_assert_str_eq(r->name, "temp-rising.v2");
	ck_assert_uint_eq(r->matches[0].n, 2);
	ck_assert_str_eq(r->matches[0].values[0], "coretemp-*");
	ck_assert_str_eq(r->matches[0].values[1], "nct6775-isa-0290");
	sexpr(r->when, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(> (- value crit) (neg 1))");
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_bad_characters)
{
	expect_errors("rule t { when value & 1 || !fault = 2 $; severity info }",
		      NAME ":1:21: unexpected character '&' (use 'and')",
		      NAME ":1:25: unexpected character '|' (use 'or')",
		      NAME ":1:28: unexpected character '!' (use 'not' or '!=')",
		      NAME ":1:35: unexpected character '=' (use '==' to compare)",
		      NAME ":1:39: unexpected character '$'", (const char *)NULL);
	expect_error("rule t { when 'x'; severity info }",
		     NAME ":1:15: single quotes are not supported (use double quotes)");
}
END_TEST

/* ---- expressions ---- */

START_TEST(test_precedence)
{
	expect_tree("value or alarm and not fault < 1 + 2 * -3",
		    "(or value (and alarm (not (< fault (+ 1 (* 2 (neg 3)))))))");
	expect_tree("not value == 1 and alarm or fault",
		    "(or (and (not (== value 1)) alarm) fault)");
	expect_tree("-value * 2 + 3 / -crit", "(+ (* (neg value) 2) (/ 3 (neg crit)))");
	expect_tree("(value + 1) * 2", "(* (+ value 1) 2)");
	expect_tree("not not alarm", "(not (not alarm))");
	expect_tree("- - value", "(neg (neg value))");
}
END_TEST

START_TEST(test_associativity)
{
	expect_tree("1 - 2 - 3", "(- (- 1 2) 3)");
	expect_tree("8 / 4 / 2", "(/ (/ 8 4) 2)");
	expect_tree("alarm or fault or value", "(or (or alarm fault) value)");
	expect_tree("alarm and fault and value", "(and (and alarm fault) value)");
}
END_TEST

START_TEST(test_comparisons)
{
	expect_tree("value < 1", "(< value 1)");
	expect_tree("value <= 1", "(<= value 1)");
	expect_tree("value > 1", "(> value 1)");
	expect_tree("value >= 1", "(>= value 1)");
	expect_tree("value == 1", "(== value 1)");
	expect_tree("value != 1", "(!= value 1)");
	expect_error("rule t { when 1 < value < 3; severity info }",
		     NAME ":1:25: unexpected '<': comparisons do not chain (expected 'and' between "
			  "two comparisons)");
}
END_TEST

START_TEST(test_variables)
{
	static const char *const names[] = {"value", "alarm", "fault", "lemerg", "lcrit",
					    "min",   "max",   "crit",  "emerg"};
	static const int vars[] = {RV_VALUE,
				   RV_ALARM,
				   RV_FAULT,
				   RV_LIMIT0 + HWH_LIM_LEMERG,
				   RV_LIMIT0 + HWH_LIM_LCRIT,
				   RV_LIMIT0 + HWH_LIM_MIN,
				   RV_LIMIT0 + HWH_LIM_MAX,
				   RV_LIMIT0 + HWH_LIM_CRIT,
				   RV_LIMIT0 + HWH_LIM_EMERG};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct ruleset rs = parse_when(names[i]);

		ck_assert_int_eq(rs.v[0]->when->op, RX_VAR);
		ck_assert_int_eq(rs.v[0]->when->u.var, vars[i]);
		ruleset_clear(&rs);
	}
}
END_TEST

/* min and max are limits bare, functions when called. */
START_TEST(test_min_max)
{
	struct ruleset rs = parse_when("min(5m) < min and max(1h) > max");
	const struct rx_node *w = rs.v[0]->when, *l = w->u.bin.l, *r = w->u.bin.r;

	ck_assert_int_eq(l->u.bin.l->op, RX_CALL);
	ck_assert_int_eq(l->u.bin.l->u.call.fn, RF_MIN);
	ck_assert_int_eq(l->u.bin.l->u.call.window_ms, 300000);
	ck_assert_int_eq(l->u.bin.r->op, RX_VAR);
	ck_assert_int_eq(l->u.bin.r->u.var, RV_LIMIT0 + HWH_LIM_MIN);
	ck_assert_int_eq(r->u.bin.l->u.call.fn, RF_MAX);
	ck_assert_int_eq(r->u.bin.l->u.call.window_ms, 3600000);
	ck_assert_int_eq(r->u.bin.r->u.var, RV_LIMIT0 + HWH_LIM_MAX);
	ck_assert_uint_eq(rs.v[0]->uses, (1u << RF_MIN) | (1u << RF_MAX));
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_positions)
{
	struct ruleset rs = parse_when("(value +\n(crit * avg(5m)))");
	const struct rx_node *w = rs.v[0]->when;

	/* operators at the operator, calls at the name */
	ck_assert_int_eq(w->line, 1);
	ck_assert_int_eq(w->col, 22);
	ck_assert_int_eq(w->u.bin.l->col, 16);
	ck_assert_int_eq(w->u.bin.r->line, 2);
	ck_assert_int_eq(w->u.bin.r->col, 7);
	ck_assert_int_eq(w->u.bin.r->u.bin.r->line, 2);
	ck_assert_int_eq(w->u.bin.r->u.bin.r->col, 9);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_depth_limit)
{
	char expr[512] = "", text[1024];

	for (int i = 0; i < 100; i++)
		strcat(expr, "(");
	strcat(expr, "1");
	for (int i = 0; i < 100; i++)
		strcat(expr, ")");
	snprintf(text, sizeof(text), "rule t { when %s; severity info }", expr);
	/* 64 levels: the expression is level 1, the 63rd '(' opens level 64;
	 * reported where level 65 would start, after the 64th '(' */
	expect_error(text, NAME ":1:79: expression nested too deeply (at most 64 levels)");
}
END_TEST

START_TEST(test_node_limit)
{
	size_t n = 20000;
	char *text = malloc(n);
	size_t k;

	ck_assert_ptr_nonnull(text);
	k = (size_t)snprintf(text, n, "rule t { when 1");
	for (int i = 0; i < 600; i++)
		k += (size_t)snprintf(text + k, n - k, "+1");
	snprintf(text + k, n - k, "; severity info }");
	/* the 1001st node is the 500th '+', at column 15 + 2 * 499 + 1 */
	expect_error(text, NAME ":1:1014: expression too long (at most 1000 terms)");
	free(text);
}
END_TEST

/* ---- calls ---- */

START_TEST(test_call_fields)
{
	struct ruleset rs =
	    parse_when("avg(30s) + delta(1m) + rate(2h) + slope(24h) + predict(10m, 1h) + "
		       "eta(30m, crit - 1) + abs(value) + count(\"ecc-*\", 1d)");
	const struct rx_node *n = rs.v[0]->when;
	const struct rx_node *c[8];

	/* left-deep sum: walk down collecting the right operands */
	for (int i = 7; i > 0; i--) {
		c[i] = n->u.bin.r;
		n = n->u.bin.l;
	}
	c[0] = n;
	ck_assert_int_eq(c[0]->u.call.fn, RF_AVG);
	ck_assert_int_eq(c[0]->u.call.window_ms, 30000);
	ck_assert_int_eq(c[1]->u.call.fn, RF_DELTA);
	ck_assert_int_eq(c[1]->u.call.window_ms, 60000);
	ck_assert_int_eq(c[2]->u.call.fn, RF_RATE);
	ck_assert_int_eq(c[2]->u.call.window_ms, 7200000);
	ck_assert_int_eq(c[3]->u.call.fn, RF_SLOPE);
	ck_assert_int_eq(c[3]->u.call.window_ms, RULE_MAX_WINDOW_MS);
	ck_assert_int_eq(c[4]->u.call.fn, RF_PREDICT);
	ck_assert_int_eq(c[4]->u.call.window_ms, 600000);
	ck_assert_int_eq(c[4]->u.call.horizon_ms, 3600000);
	ck_assert_int_eq(c[5]->u.call.fn, RF_ETA);
	ck_assert_int_eq(c[5]->u.call.window_ms, 1800000);
	ck_assert_int_eq(c[5]->u.call.arg->op, RX_SUB);
	ck_assert_int_eq(c[6]->u.call.fn, RF_ABS);
	ck_assert_int_eq(c[6]->u.call.window_ms, 0);
	ck_assert_int_eq(c[6]->u.call.arg->op, RX_VAR);
	ck_assert_int_eq(c[7]->u.call.fn, RF_COUNT);
	ck_assert_str_eq(c[7]->u.call.glob, "ecc-*");
	ck_assert_int_eq(c[7]->u.call.window_ms, 86400000);
	for (int i = 0; i < 5; i++)
		ck_assert_ptr_null(c[i]->u.call.glob);
	ck_assert_uint_eq(rs.v[0]->uses, (1u << RF_AVG) | (1u << RF_DELTA) | (1u << RF_RATE) |
					     (1u << RF_SLOPE) | (1u << RF_PREDICT) |
					     (1u << RF_ETA) | (1u << RF_ABS) | (1u << RF_COUNT));
	ck_assert_uint_eq(rs.v[0]->nbuckets, 0);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_bucket_slots)
{
	struct ruleset rs =
	    parse_ok("rule t {\n"
		     "\tmatch kind counter\n"
		     "\twhen bucket(10 per 24h) > 10 or abs(bucket(2.5 per 30m)) > 1\n"
		     "\tclear when bucket(1 per 1h) < 1\n"
		     "\tseverity warning\n"
		     "}\n");
	const struct rule *r = rs.v[0];
	const struct rx_node *b0 = r->when->u.bin.l->u.bin.l;
	const struct rx_node *b1 = r->when->u.bin.r->u.bin.l->u.call.arg;
	const struct rx_node *b2 = r->clear->u.bin.l;

	ck_assert_uint_eq(r->nbuckets, 3);
	ck_assert_int_eq(b0->u.call.fn, RF_BUCKET);
	ck_assert_uint_eq(b0->u.call.slot, 0);
	ck_assert_double_eq(b0->u.call.capacity, 10);
	ck_assert_int_eq(b0->u.call.window_ms, 86400000);
	ck_assert_uint_eq(b1->u.call.slot, 1);
	ck_assert_double_eq(b1->u.call.capacity, 2.5);
	ck_assert_int_eq(b1->u.call.window_ms, 1800000);
	ck_assert_uint_eq(b2->u.call.slot, 2);
	ck_assert_int_eq(b2->u.call.window_ms, 3600000);
	ck_assert_uint_eq(r->uses, (1u << RF_BUCKET) | (1u << RF_ABS));
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_window_errors)
{
	expect_errors("rule t { when avg(5) + avg(0s) + avg(25h) + avg(-5m) + avg((5m)) > 1; "
		      "severity info }",
		      NAME ":1:19: the window of 'avg' must be a duration such as 30s or 5m",
		      NAME ":1:28: the window of 'avg' must be greater than 0",
		      NAME ":1:38: the window of 'avg' must be at most 24h",
		      NAME ":1:49: the window of 'avg' must be a duration such as 30s or 5m",
		      NAME ":1:60: the window of 'avg' must be a duration such as 30s or 5m",
		      (const char *)NULL);
	expect_errors("rule t { when predict(5m, 3) + predict(5m, 400d) + predict(5m, 0ms); "
		      "severity info }",
		      NAME ":1:27: the horizon of 'predict' must be a duration such as 30s or 5m",
		      NAME ":1:44: the horizon of 'predict' must be at most 365d",
		      NAME ":1:64: the horizon of 'predict' must be greater than 0",
		      (const char *)NULL);
}
END_TEST

START_TEST(test_argument_errors)
{
	expect_errors(
	    "rule t { when avg() + avg(5m, 3) + eta(5m) + predict(5m) + abs(1, 2) + rate(\"x\") "
	    "> 1; severity info }",
	    NAME ":1:15: wrong number of arguments for 'avg' (expected avg(WINDOW), got 0)",
	    NAME ":1:23: wrong number of arguments for 'avg' (expected avg(WINDOW), got 2)",
	    NAME
	    ":1:36: wrong number of arguments for 'eta' (expected eta(WINDOW, THRESHOLD), got 1)",
	    NAME ":1:46: wrong number of arguments for 'predict' (expected predict(WINDOW, "
		 "HORIZON), got 1)",
	    NAME ":1:60: wrong number of arguments for 'abs' (expected abs(EXPRESSION), got 2)",
	    NAME ":1:77: unexpected string in the arguments of 'rate' (expected rate(WINDOW))",
	    (const char *)NULL);
	expect_error("rule t { when eta(5m, 1 per 2) > 1; severity info }",
		     NAME ":1:23: unexpected 'per' in the arguments of 'eta' (expected eta(WINDOW, "
			  "THRESHOLD))");
	expect_error("rule t { when avg(5m 3) > 1; severity info }",
		     NAME ":1:22: expected ',' or ')' in the arguments of 'avg', got '3'");
	expect_error("rule t { when avg(5m, ) > 1; severity info }",
		     NAME ":1:23: expected an expression, got ')'");
}
END_TEST

START_TEST(test_bucket_errors)
{
	expect_errors("rule t { match kind counter; when bucket(10) + bucket(0 per 1h) + "
		      "bucket(5 per 3) + bucket(1m per 1h) + bucket() > 1; severity info }",
		      NAME ":1:42: the argument of 'bucket' must be 'N per WINDOW', e.g. "
			   "bucket(10 per 24h)",
		      NAME ":1:55: the capacity of 'bucket' must be a number greater than 0, e.g. "
			   "bucket(10 per 24h)",
		      NAME ":1:80: the window of 'bucket' must be a duration such as 30s or 5m",
		      NAME ":1:92: the capacity of 'bucket' must be a number greater than 0, e.g. "
			   "bucket(10 per 24h)",
		      NAME ":1:105: wrong number of arguments for 'bucket' (expected bucket(N per "
			   "WINDOW), got 0)",
		      (const char *)NULL);
}
END_TEST

START_TEST(test_count_errors)
{
	expect_errors(
	    "rule t { when count(\"\", 5m) + count(5, 5m) + count(\"a\", \"b\") + count() "
	    "> 1; severity info }",
	    NAME ":1:21: the glob of 'count' must not be empty",
	    NAME ":1:37: the first argument of 'count' must be a quoted glob (expected "
		 "count(WINDOW) or count(\"GLOB\", WINDOW))",
	    NAME ":1:57: unexpected string in the arguments of 'count' (expected "
		 "count(WINDOW) or count(\"GLOB\", WINDOW))",
	    NAME ":1:64: wrong number of arguments for 'count' (expected count(WINDOW) or "
		 "count(\"GLOB\", WINDOW), got 0)",
	    (const char *)NULL);
	/* count(W) counts the rule's own events: not in a metric rule */
	expect_error("rule t { when count(5m) > 1; severity info }",
		     NAME ":1:15: count(WINDOW) counts a rule's own events and needs an event rule "
			  "(one with 'match type'); expected count(\"GLOB\", WINDOW) here");
}
END_TEST

START_TEST(test_unknown_names)
{
	expect_errors("rule t { when foo(3) + bar + avg + value(1) > 1; severity info }",
		      NAME ":1:15: unknown function 'foo' (expected one of: avg, min, max, delta, "
			   "rate, slope, predict, eta, count, bucket, abs)",
		      NAME ":1:24: unknown variable 'bar' (expected one of: value, alarm, fault, "
			   "lemerg, lcrit, min, max, crit, emerg)",
		      NAME ":1:30: 'avg' is a function (expected avg(WINDOW))",
		      NAME ":1:36: unknown function 'value' (expected one of: avg, min, max, "
			   "delta, rate, slope, predict, eta, count, bucket, abs)",
		      (const char *)NULL);
}
END_TEST

/* Event rules see events: no value history, no limits, no metric
 * attributes. */
START_TEST(test_event_rules)
{
	struct ruleset rs =
	    parse_ok("rule ecc {\n"
		     "\tmatch type ecc-corrected \"ecc-*\"\n"
		     "\tmatch source ipmi\n"
		     "\twhen count(1h) > 3 or bucket(10 per 24h) > 10 or value > 100 or "
		     "count(\"sel-*\", 5m) > 0\n"
		     "\tseverity critical\n"
		     "}\n");

	ck_assert(rs.v[0]->is_event);
	ck_assert_uint_eq(rs.v[0]->nbuckets, 1);
	ck_assert_uint_eq(rs.v[0]->uses, (1u << RF_COUNT) | (1u << RF_BUCKET));
	ruleset_clear(&rs);
	expect_errors("rule e {\n"
		      "\twhen avg(5m) > 1 or crit > 1 or alarm or eta(1h, 5) < 1\n"
		      "\tmatch type x\n"
		      "\tmatch label foo\n"
		      "\tseverity info\n"
		      "}\n",
		      NAME ":4:2: 'match label' cannot be used in an event rule (events have only "
			   "source, device and type)",
		      NAME ":2:7: 'avg' cannot be used in an event rule (a rule with 'match type' "
			   "sees events, which have no values; expected count() or bucket())",
		      NAME ":2:22: 'crit' cannot be used in an event rule (a rule with 'match "
			   "type' sees events, which have no limits or flags; expected value, "
			   "count() or bucket())",
		      NAME ":2:34: 'alarm' cannot be used in an event rule (a rule with 'match "
			   "type' sees events, which have no limits or flags; expected value, "
			   "count() or bucket())",
		      NAME ":2:43: 'eta' cannot be used in an event rule (a rule with 'match type' "
			   "sees events, which have no values; expected count() or bucket())",
		      (const char *)NULL);
}
END_TEST

/* ---- statements ---- */

/* The example of rules.h, field by field. */
START_TEST(test_header_example)
{
	struct ruleset rs = parse_ok(
	    "# Why the numbers are what they are.\n"
	    "rule temp-rising {\n"
	    "        description \"temperature heading for its critical limit\";\n"
	    "        match kind temperature;         # metric attributes, see below\n"
	    "        match name \"temp*_input\";       # a glob ...\n"
	    "        match label ~ \"^(Core|Package)\"; # ... or, with ~, a POSIX ERE\n"
	    "        when eta(30m, crit) < 20m and value < crit;\n"
	    "        for 2m;                         # debounce: true this long\n"
	    "        clear when eta(30m, crit) > 40m; # hysteresis (default: not when)\n"
	    "        clear after 5m;                 # clear only after this long\n"
	    "        severity warning;               # info | warning | critical | fatal\n"
	    "        score 30;                       # default by severity: 1 10 50 100\n"
	    "        message \"${label} ${value} C, rising ${slope}: crit ${crit} C in ${eta}\";\n"
	    "}\n");
	const struct rule *r = rs.v[0];
	char buf[256] = "";

	ck_assert_uint_eq(rs.n, 1);
	ck_assert_str_eq(r->name, "temp-rising");
	ck_assert_str_eq(r->file, NAME);
	ck_assert_int_eq(r->line, 2);
	ck_assert_int_eq(r->col, 1);
	ck_assert_str_eq(r->description, "temperature heading for its critical limit");
	ck_assert_uint_eq(r->nmatches, 3);
	ck_assert_int_eq(r->matches[0].attr, RA_KIND);
	ck_assert(!r->matches[0].regex);
	ck_assert_str_eq(r->matches[0].values[0], "temperature");
	ck_assert_int_eq(r->matches[1].attr, RA_NAME);
	ck_assert_str_eq(r->matches[1].values[0], "temp*_input");
	ck_assert_int_eq(r->matches[2].attr, RA_LABEL);
	ck_assert(r->matches[2].regex);
	ck_assert_ptr_nonnull(r->matches[2].re);
	ck_assert_str_eq(r->matches[2].values[0], "^(Core|Package)");
	ck_assert(!r->is_event);
	sexpr(r->when, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(and (< eta() 1200) (< value crit))");
	buf[0] = '\0';
	sexpr(r->clear, buf, sizeof(buf));
	ck_assert_str_eq(buf, "(> eta() 2400)");
	ck_assert_int_eq(r->for_ms, 120000);
	ck_assert_int_eq(r->clear_after_ms, 300000);
	ck_assert_int_eq(r->severity, RSEV_WARNING);
	ck_assert_double_eq(r->score, 30);
	ck_assert_str_eq(r->message,
			 "${label} ${value} C, rising ${slope}: crit ${crit} C in ${eta}");
	ck_assert(r->enabled);
	ck_assert_uint_eq(r->nbuckets, 0);
	ck_assert_uint_eq(r->uses, 1u << RF_ETA);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_defaults)
{
	static const char *const sevs[] = {"info", "warning", "critical", "fatal"};
	static const double scores[] = {1, 10, 50, 100};

	for (int i = 0; i < 4; i++) {
		char text[128];
		struct ruleset rs;
		const struct rule *r;

		snprintf(text, sizeof(text), "rule d { when value > 1; severity %s }", sevs[i]);
		rs = parse_ok(text);
		r = rs.v[0];
		ck_assert_int_eq(r->severity, i);
		ck_assert_double_eq(r->score, scores[i]);
		ck_assert(r->enabled);
		ck_assert_ptr_null(r->description);
		ck_assert_ptr_null(r->message);
		ck_assert_ptr_null(r->clear);
		ck_assert_int_eq(r->for_ms, 0);
		ck_assert_int_eq(r->clear_after_ms, 0);
		ck_assert_uint_eq(r->nmatches, 0);
		ck_assert_uint_eq(r->uses, 0);
		ruleset_clear(&rs);
	}
}
END_TEST

START_TEST(test_score_and_enabled)
{
	struct ruleset rs =
	    parse_ok("rule a { when 1; severity fatal; score 0 }\n"
		     "rule b { when 1; severity info; score 2.5; enabled \"yes\" }\n"
		     "rule c { when 1; severity info; enabled off }\n"
		     "rule d { enabled no }\n");

	ck_assert_double_eq(rs.v[0]->score, 0);
	ck_assert_double_eq(rs.v[1]->score, 2.5);
	ck_assert(rs.v[1]->enabled);
	ck_assert(!rs.v[2]->enabled);
	/* a disabled rule needs no when or severity: it switches a rule off */
	ck_assert(!rs.v[3]->enabled);
	ck_assert_ptr_null(rs.v[3]->when);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_matches)
{
	struct ruleset rs = parse_ok("rule m {\n"
				     "\tmatch source sensors ipmi\n"
				     "\tmatch unit ~ \"^R\" ^V$\n"
				     "\tmatch kind fan temp*\n"
				     "\tmatch source s*\n"
				     "\twhen 1; severity info\n"
				     "}\n");
	const struct rule *r = rs.v[0];

	ck_assert_uint_eq(r->nmatches, 4);
	ck_assert_uint_eq(r->matches[0].n, 2);
	ck_assert_str_eq(r->matches[0].values[1], "ipmi");
	ck_assert(r->matches[1].regex);
	ck_assert_uint_eq(r->matches[1].n, 2);
	ck_assert_str_eq(r->matches[1].values[1], "^V$");
	ck_assert_int_eq(r->matches[2].attr, RA_KIND);
	ck_assert_int_eq(r->matches[3].attr, RA_SOURCE);
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_message_templates)
{
	static const char *const ok[] = {
	    "value", "min",    "max",	 "lcrit",   "crit",  "lemerg", "emerg",	 "unit",
	    "id",    "source", "device", "name",    "label", "type",   "rule",	 "avg",
	    "delta", "rate",   "slope",	 "predict", "eta",   "count",  "bucket",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char text[128];
		struct ruleset rs;

		snprintf(text, sizeof(text),
			 "rule t { when 1; severity info; message \"$x ${%s}$\" }", ok[i]);
		rs = parse_ok(text);
		ruleset_clear(&rs);
	}
	/* columns count the string as written, escapes included */
	expect_errors(
	    "rule t { when 1; severity info; message \"\\\"${valu} ${value} ${x\" }",
	    NAME ":1:44: unknown variable '${valu}' in the message (expected one of: "
		 "value, min, max, lcrit, crit, lemerg, emerg, unit, id, source, device, "
		 "name, label, type, rule, text, avg, delta, rate, slope, predict, eta, count, "
		 "bucket)",
	    NAME ":1:61: unterminated '${' in the message (expected '}')", (const char *)NULL);
}
END_TEST

/* A rule with errors is dropped, the others are kept. */
START_TEST(test_partial_result)
{
	struct cfg_diag d;
	struct ruleset rs = {0};

	parse_bad("rule a { when 1; severity info }\n"
		  "rule b { when 1; severity bad }\n"
		  "rule c { when 2; severity info }\n",
		  &d, &rs);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_uint_eq(rs.n, 2);
	ck_assert_str_eq(rs.v[0]->name, "a");
	ck_assert_str_eq(rs.v[1]->name, "c");
	cfg_diag_free(&d);
	ruleset_clear(&rs);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_statement_errors)
{
	expect_error("rule t { when 1; severity info; foo 3 }",
		     NAME ":1:33: unknown statement 'foo' (expected one of: description, match, "
			  "when, for, clear when, clear after, severity, score, message, enabled)");
	expect_error("rule t { when 1; severity info; clear maybe }",
		     NAME ":1:39: expected 'when' or 'after' after 'clear', got 'maybe'");
	expect_error("rule t { when 1; severity bad }",
		     NAME ":1:27: invalid severity 'bad' (expected info, warning, critical or "
			  "fatal)");
	expect_error("rule t { when 1; severity info; score -1 }",
		     NAME ":1:39: expected a non-negative number after 'score', got '-'");
	expect_error("rule t { when 1; severity info; score 5m }",
		     NAME ":1:39: expected a non-negative number after 'score', got '5m'");
	expect_error("rule t { when 1; severity info; enabled maybe }",
		     NAME ":1:41: invalid value 'maybe' for 'enabled' (expected yes or no)");
	expect_error("rule t { when 1; severity info; for 5 }",
		     NAME ":1:37: expected a duration such as 30s or 5m after 'for', got '5'");
	expect_error("rule t { when 1; severity info; clear after 400d }",
		     NAME ":1:45: 'clear after' must be at most 365d");
	expect_error("rule t { when 1; severity info; description foo }",
		     NAME ":1:45: expected a quoted string after 'description', got 'foo'");
	expect_error("rule t { when 1; severity info warning }",
		     NAME ":1:32: unexpected 'warning' after the 'severity' statement (expected "
			  "';' or a newline)");
	expect_error("rule t { when value > 1 crit; severity info }",
		     NAME ":1:25: unexpected 'crit' after the expression of 'when' (expected an "
			  "operator, ';' or a newline)");
	expect_error("rule t { when; severity info }",
		     NAME ":1:14: expected an expression, got ';'");
	expect_error("rule t { when (1 + 2; severity info }", NAME ":1:21: expected ')', got ';'");
}
END_TEST

START_TEST(test_duplicates)
{
	expect_errors("rule t {\n"
		      "\twhen 1; severity info\n"
		      "\twhen 2\n"
		      "\tclear when 1; clear when 2\n"
		      "\tclear after 1s; clear after 2s\n"
		      "\tmatch kind fan; match kind fan\n"
		      "\tmessage \"a\"; message \"b\"\n"
		      "}\n"
		      "rule t { when 1; severity info }\n",
		      NAME ":3:2: 'when' already set at " NAME ":2:2",
		      NAME ":4:16: 'clear when' already set at " NAME ":4:2",
		      NAME ":5:18: 'clear after' already set at " NAME ":5:2",
		      NAME ":7:15: 'message' already set at " NAME ":7:2",
		      NAME ":9:6: duplicate rule 't' (first defined at " NAME ":1:6)",
		      (const char *)NULL);
}
END_TEST

START_TEST(test_required)
{
	expect_errors("rule a { severity info }\n"
		      "\n"
		      "  rule b { when 1 }\n",
		      NAME ":1:1: rule 'a' has no 'when' statement (expected 'when CONDITION')",
		      NAME ":3:3: rule 'b' has no 'severity' statement (expected 'severity "
			   "info|warning|critical|fatal')",
		      (const char *)NULL);
}
END_TEST

START_TEST(test_match_errors)
{
	expect_errors(
	    "rule t {\n"
	    "\tmatch colour red\n"
	    "\tmatch kind tempreature fan fa*\n"
	    "\tmatch name\n"
	    "\tmatch label ~ \"(\" ok \"[a\"\n"
	    "\tmatch name \"\"\n"
	    "\twhen 1; severity info\n"
	    "}\n",
	    NAME ":2:8: unknown match attribute 'colour' (expected one of: source, device, name, "
		 "kind, unit, label, type)",
	    NAME ":3:13: unknown kind 'tempreature' (expected one of: other, temperature, fan, "
		 "voltage, current, power, energy, humidity, intrusion, counter, percent, state)",
	    NAME ":4:12: expected a value after 'match name', got end of line",
	    NAME ":5:16: invalid regular expression '(': Unmatched ( or \\(",
	    NAME ":5:23: invalid regular expression '[a': Unmatched [, [^, [:, [., or [=",
	    NAME ":6:13: empty value in 'match name'", (const char *)NULL);
}
END_TEST

/* Stacked or nested repetitions make glibc's regcomp() take time and
 * memory exponentially (found by fuzz_rules): refused before compiling. */
START_TEST(test_regex_too_complex)
{
	struct ruleset rs = one_rule_text("match label ~ \"^(Core|Package) [0-9]+$\" "
					  "\"^[[:alpha:]]{1,20}(-[a-z]+)*$\" \"a{100}{99}\"");

	ck_assert_ptr_nonnull(rs.v[0]->matches[0].re);
	ruleset_clear(&rs);
	expect_errors("rule t { match name ~ \"a++++++++++++++++++++++++\" ok \"((x{100}){100})\" "
		      "\"[a{]{9999}{9}\"; when 1; severity info }",
		      NAME ":1:23: regular expression 'a++++++++++++++++++++++++' is too complex "
			   "(its repetitions expand to more than 10000 terms)",
		      NAME ":1:54: regular expression '((x{100}){100})' is too complex (its "
			   "repetitions expand to more than 10000 terms)",
		      NAME ":1:72: regular expression '[a{]{9999}{9}' is too complex (its "
			   "repetitions expand to more than 10000 terms)",
		      (const char *)NULL);
}
END_TEST

START_TEST(test_block_errors)
{
	expect_error("garbage here\nrule t { when 1; severity info }",
		     NAME ":1:1: unknown statement 'garbage' (expected 'rule NAME { ... }')");
	expect_error("}\n", NAME ":1:1: unexpected '}' (no block to close)");
	expect_error("rule { when 1; severity info }",
		     NAME ":1:6: expected a rule name after 'rule', got '{'");
	expect_error("rule -x { when 1; severity info }",
		     NAME ":1:6: invalid rule name '-x' (expected letters, digits, '_', '-' and "
			  "'.', at most 64, not starting with '-' or '.')");
	expect_error("rule t when 1", NAME ":1:8: expected '{' after the rule name, got 'when'");
	expect_error("rule t { when 1; severity info\n",
		     NAME ":1:8: unclosed block 'rule t' (expected '}' for this '{')");
	expect_error("rule t { when 1; severity info; { x } }",
		     NAME ":1:33: unexpected '{' (blocks cannot be nested)");
	expect_error("42 { }", NAME ":1:1: expected 'rule NAME { ... }', got '42'");
	/* a forgotten '}' does not swallow the next rule */
	expect_error("rule a {\n when 1; severity info\nrule b { when 2; severity info }\n",
		     NAME ":1:8: unclosed block 'rule a' (expected '}' before the next rule)");
	/* the brace may start the next line */
	ruleset_clear((struct ruleset[]){parse_ok("rule t\n{\nwhen 1\nseverity info\n}\n")});
}
END_TEST

/* An unclosed '(' loses its statement, not the next one (and the broken
 * "when" is not reported missing too). */
START_TEST(test_recovery)
{
	expect_errors("rule a {\n"
		      "\twhen avg(5m > 3\n"
		      "\tseverity warning\n"
		      "}\n"
		      "rule b { when value >; severity info }\n"
		      "rule c { when 1; severity info }\n",
		      NAME ":3:2: expected ',' or ')' in the arguments of 'avg', got 'severity'",
		      NAME ":5:22: expected an expression, got ';'", (const char *)NULL);
}
END_TEST

/* A keyword that stopped one resync and fails again at once must not
 * stop the next one too (this looped forever, found by fuzz_rules). */
START_TEST(test_recovery_progress)
{
	expect_errors("foo (\n"
		      " clear after 5m\n"
		      "rule t {\n"
		      " when (1\n"
		      " when 2\n"
		      " severity info\n"
		      "}\n",
		      NAME ":1:1: unknown statement 'foo' (expected 'rule NAME { ... }')",
		      NAME ":2:2: unknown statement 'clear' (expected 'rule NAME { ... }')",
		      NAME ":5:2: expected ')', got 'when'",
		      NAME ":5:2: 'when' already set at " NAME ":4:2", (const char *)NULL);
	expect_error("rule t { when 1 \x01\x01\x01; severity info }",
		     NAME ":1:17: unexpected character '\\x01'");
}
END_TEST

START_TEST(test_too_many_errors)
{
	char *text = malloc(200 * 32);
	struct cfg_diag d;
	struct ruleset rs = {0};
	size_t k = 0;

	ck_assert_ptr_nonnull(text);
	for (int i = 0; i < 200; i++)
		k += (size_t)sprintf(text + k, "bad%d\n", i);
	parse_bad(text, &d, &rs);
	ck_assert_uint_eq(d.n, 101);
	ck_assert_str_eq(d.msgs[0],
			 NAME ":1:1: unknown statement 'bad0' (expected 'rule NAME { ... }')");
	ck_assert_str_eq(d.msgs[100], NAME ":101:1: too many errors, giving up");
	cfg_diag_free(&d);
	free(text);
}
END_TEST

START_TEST(test_empty_and_null)
{
	struct cfg_diag d = {0};
	struct ruleset rs = {0};

	ck_assert_int_eq(rules_parse(NAME, NULL, 0, &rs, &d), 0);
	ck_assert_int_eq(rules_parse(NULL, "", 0, &rs, &d), 0);
	ck_assert_uint_eq(rs.n, 0);
	ck_assert_uint_eq(d.n, 0);
	ck_assert_int_eq(rules_parse(NULL, "x", 1, &rs, &d), -1);
	ck_assert_str_eq(d.msgs[0],
			 "(rules):1:1: unknown statement 'x' (expected 'rule NAME { ... }')");
	cfg_diag_free(&d);
}
END_TEST

/* ---- loading ---- */

/* A temporary tree: dirs[0..n) under one mkdtemp() directory. */
struct tmptree {
	char root[64];
	char dirs[3][96];
};

static void tree_init(struct tmptree *t)
{
	char root[sizeof(t->root)] = "/tmp/check_rules.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(root));
	memcpy(t->root, root, sizeof(root));
	for (int i = 0; i < 3; i++)
		snprintf(t->dirs[i], sizeof(t->dirs[i]), "%s/d%d", root, i);
}

static void tree_write(const struct tmptree *t, int dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	mkdir(t->dirs[dir], 0755);
	snprintf(path, sizeof(path), "%s/%s", t->dirs[dir], name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void tree_free(const struct tmptree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	ck_assert_int_eq(system(cmd), 0);
}

/* Load the tree's three directories; they must load. */
static struct ruleset *load_ok(const struct tmptree *t)
{
	const char *dirs[3] = {t->dirs[0], t->dirs[1], t->dirs[2]};
	struct cfg_diag d = {0};
	struct ruleset *rs = NULL;
	int r = rules_load(dirs, 3, &rs, &d);

	ck_assert_msg(r == 0 && d.n == 0, "load failed (%d): %s", r, d.n ? d.msgs[0] : "-");
	ck_assert_ptr_nonnull(rs);
	return rs;
}

static const struct rule *find(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i]->name, name) == 0)
			return rs->v[i];
	return NULL;
}

START_TEST(test_load_order_and_skip)
{
	struct tmptree t;
	struct ruleset *rs;

	tree_init(&t);
	/* d0 and d2 exist, d1 does not: skipped */
	tree_write(&t, 0, "20-b.rules", "rule b { when 1; severity info }\n");
	tree_write(&t, 0, "10-a.rules", "rule a { when 1; severity info }\n");
	tree_write(&t, 0, "notes.txt", "not rules\n");
	tree_write(&t, 0, ".hidden.rules", "garbage\n");
	tree_write(&t, 2, "05-c.rules", "rule c { when 1; severity info }\n");
	rs = load_ok(&t);
	ck_assert_uint_eq(rs->n, 3);
	ck_assert_str_eq(rs->v[0]->name, "a");
	ck_assert_str_eq(rs->v[1]->name, "b");
	ck_assert_str_eq(rs->v[2]->name, "c");
	ck_assert(strstr(rs->v[0]->file, "/d0/10-a.rules") != NULL);
	ruleset_free(rs);
	tree_free(&t);
}
END_TEST

/* A later directory's file of the same name replaces the earlier file:
 * none of its rules are loaded, even a broken file is never read. */
START_TEST(test_load_file_override)
{
	struct tmptree t;
	struct ruleset *rs;

	tree_init(&t);
	tree_write(&t, 0, "temp.rules",
		   "rule old-only { when 1; severity info }\nrule x { when 1; severity info }\n");
	tree_write(&t, 0, "broken.rules", "this does not parse\n");
	tree_write(&t, 1, "temp.rules", "rule x { when 2; severity fatal }\n");
	tree_write(&t, 1, "broken.rules", "rule fixed { when 3; severity info }\n");
	rs = load_ok(&t);
	ck_assert_uint_eq(rs->n, 2);
	ck_assert_ptr_null(find(rs, "old-only"));
	ck_assert_int_eq(find(rs, "x")->severity, RSEV_FATAL);
	ck_assert_ptr_nonnull(find(rs, "fixed"));
	ck_assert(strstr(find(rs, "x")->file, "/d1/temp.rules") != NULL);
	ruleset_free(rs);
	tree_free(&t);
}
END_TEST

/* A rule with the name of an earlier rule replaces it in place; "enabled
 * no" switches one off. */
START_TEST(test_load_rule_override)
{
	struct tmptree t;
	struct ruleset *rs;

	tree_init(&t);
	tree_write(&t, 0, "10-shipped.rules",
		   "rule first { when 1; severity info }\n"
		   "rule hot { when value > 80; severity warning }\n"
		   "rule noisy { when 1; severity info }\n");
	tree_write(&t, 0, "20-more.rules", "rule hot { when value > 85; severity warning }\n");
	tree_write(&t, 1, "local.rules",
		   "rule hot { when value > 90; severity critical }\n"
		   "rule noisy { enabled no }\n"
		   "rule mine { when 1; severity info }\n");
	rs = load_ok(&t);
	ck_assert_uint_eq(rs->n, 4);
	ck_assert_str_eq(rs->v[0]->name, "first");
	ck_assert_str_eq(rs->v[1]->name, "hot");
	ck_assert_int_eq(rs->v[1]->severity, RSEV_CRITICAL);
	ck_assert_double_eq(rs->v[1]->when->u.bin.r->u.num, 90);
	ck_assert_str_eq(rs->v[2]->name, "noisy");
	ck_assert(!rs->v[2]->enabled);
	ck_assert_str_eq(rs->v[3]->name, "mine");
	ruleset_free(rs);
	tree_free(&t);
}
END_TEST

START_TEST(test_load_errors)
{
	struct tmptree t;
	const char *dirs[2];
	struct cfg_diag d = {0};
	struct ruleset *rs = (struct ruleset *)1;
	char want[256], sub[160];

	tree_init(&t);
	tree_write(&t, 0, "a.rules", "rule a { when 1; severity bad }\n");
	tree_write(&t, 0, "b.rules", "rule b { when 1; severity info }\n");
	snprintf(sub, sizeof(sub), "%s/c.rules", t.dirs[0]);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	dirs[0] = t.dirs[0];
	dirs[1] = t.dirs[1]; /* missing: fine */
	ck_assert_int_eq(rules_load(dirs, 2, &rs, &d), -1);
	ck_assert_ptr_null(rs);
	ck_assert_uint_eq(d.n, 2);
	snprintf(want, sizeof(want),
		 "%s/a.rules:1:27: invalid severity 'bad' (expected info, warning, critical or "
		 "fatal)",
		 t.dirs[0]);
	ck_assert_str_eq(d.msgs[0], want);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", sub);
	ck_assert_str_eq(d.msgs[1], want);
	cfg_diag_free(&d);

	/* a "directory" that is a file */
	snprintf(sub, sizeof(sub), "%s/b.rules", t.dirs[0]);
	dirs[0] = sub;
	ck_assert_int_eq(rules_load(dirs, 1, &rs, &d), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Not a directory", sub);
	ck_assert_str_eq(d.msgs[0], want);
	cfg_diag_free(&d);
	tree_free(&t);
}
END_TEST

START_TEST(test_load_nothing)
{
	const char *dirs[] = {"/nonexistent/hwhealth/rules"};
	struct cfg_diag d = {0};
	struct ruleset *rs = NULL;

	ck_assert_int_eq(rules_load(dirs, 1, &rs, &d), 0);
	ck_assert_ptr_nonnull(rs);
	ck_assert_uint_eq(rs->n, 0);
	ck_assert_uint_eq(d.n, 0);
	ruleset_free(rs);
	ck_assert_int_eq(rules_load(NULL, 0, &rs, &d), 0);
	ruleset_free(rs);
	ruleset_free(NULL);
}
END_TEST

/* ---- matching ---- */

START_TEST(test_match_globs)
{
	struct ruleset rs =
	    one_rule_text("match name \"temp*_input\" fan?; match device coretemp-*");
	const struct rule *r = rs.v[0];

	ck_assert(rule_matches(r, "sensors", "coretemp-isa-0000", "temp1_input", "temperature", "C",
			       "Core 0", NULL));
	ck_assert(
	    rule_matches(r, "sensors", "coretemp-isa-0000", "fan1", "fan", "RPM", NULL, NULL));
	ck_assert(
	    !rule_matches(r, "sensors", "coretemp-isa-0000", "fan10", "fan", "RPM", NULL, NULL));
	ck_assert(!rule_matches(r, "sensors", "nct6775-isa-0290", "temp1_input", "temperature", "C",
				NULL, NULL));
	ruleset_clear(&rs);

	/* no match statement: every metric */
	rs = one_rule_text("description \"all\"");
	ck_assert(rule_matches(rs.v[0], "s", "d", "n", "other", "", NULL, NULL));
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_match_regex_and_label)
{
	struct ruleset rs = one_rule_text("match label ~ \"^(Core|Package)\" \"^CPU[0-9]+$\"");
	const struct rule *r = rs.v[0];

	ck_assert(rule_matches(r, "s", "d", "temp2", "temperature", "C", "Core 1", NULL));
	ck_assert(rule_matches(r, "s", "d", "temp1", "temperature", "C", "Package id 0", NULL));
	ck_assert(rule_matches(r, "s", "d", "temp1", "temperature", "C", "CPU12", NULL));
	ck_assert(!rule_matches(r, "s", "d", "temp1", "temperature", "C", "CPU12 fan", NULL));
	ck_assert(!rule_matches(r, "s", "d", "temp1", "temperature", "C", "My Core", NULL));
	/* a metric without a label does not match a label pattern */
	ck_assert(!rule_matches(r, "s", "d", "temp1", "temperature", "C", NULL, NULL));
	ruleset_clear(&rs);

	/* regexes are not anchored unless written so */
	rs = one_rule_text("match name ~ emp");
	ck_assert(rule_matches(rs.v[0], "s", "d", "temp1", "temperature", "C", NULL, NULL));
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_match_kind_and_unit)
{
	struct ruleset rs = one_rule_text("match kind temperature fan; match unit C RPM");
	const struct rule *r = rs.v[0];

	ck_assert(rule_matches(r, "s", "d", "n", "temperature", "C", NULL, NULL));
	ck_assert(rule_matches(r, "s", "d", "n", "fan", "RPM", NULL, NULL));
	ck_assert(!rule_matches(r, "s", "d", "n", "voltage", "C", NULL, NULL));
	ck_assert(!rule_matches(r, "s", "d", "n", "temperature", "V", NULL, NULL));
	ck_assert(!rule_matches(r, "s", "d", "n", "temperature", NULL, NULL, NULL));
	ruleset_clear(&rs);
}
END_TEST

START_TEST(test_match_events)
{
	struct ruleset rs = parse_ok("rule e { match type \"ecc-*\"; match source ipmi; when "
				     "count(1h) > 1; severity info }\n"
				     "rule m { match source ipmi; when 1; severity info }\n");
	const struct rule *e = rs.v[0], *m = rs.v[1];

	ck_assert(e->is_event);
	ck_assert(rule_matches(e, "ipmi", "bmc", NULL, NULL, NULL, NULL, "ecc-corrected"));
	ck_assert(!rule_matches(e, "ipmi", "bmc", NULL, NULL, NULL, NULL, "watchdog"));
	ck_assert(!rule_matches(e, "smart", "sda", NULL, NULL, NULL, NULL, "ecc-corrected"));
	/* an event rule never matches a metric, a metric rule never an event */
	ck_assert(!rule_matches(e, "ipmi", "bmc", "ecc", "counter", "", NULL, NULL));
	ck_assert(!m->is_event);
	ck_assert(rule_matches(m, "ipmi", "bmc", "fan1", "fan", "RPM", NULL, NULL));
	ck_assert(!rule_matches(m, "ipmi", "bmc", NULL, NULL, NULL, NULL, "ecc-corrected"));
	ruleset_clear(&rs);
}
END_TEST

/* ---- names ---- */

START_TEST(test_names)
{
	ck_assert_str_eq(rule_severity_name(RSEV_INFO), "info");
	ck_assert_str_eq(rule_severity_name(RSEV_FATAL), "fatal");
	ck_assert_str_eq(rule_severity_name(RSEV_COUNT), "?");
	ck_assert_int_eq(rule_severity_parse("critical"), RSEV_CRITICAL);
	ck_assert_int_eq(rule_severity_parse("warning"), RSEV_WARNING);
	ck_assert_int_eq(rule_severity_parse("Critical"), -1);
	ck_assert_int_eq(rule_severity_parse(NULL), -1);
	ck_assert_double_eq(rule_severity_score(RSEV_INFO), 1);
	ck_assert_double_eq(rule_severity_score(RSEV_WARNING), 10);
	ck_assert_double_eq(rule_severity_score(RSEV_CRITICAL), 50);
	ck_assert_double_eq(rule_severity_score(RSEV_FATAL), 100);
	ck_assert_str_eq(rx_fn_name(RF_PREDICT), "predict");
	ck_assert_str_eq(rx_fn_name(RF_ABS), "abs");
	ck_assert_str_eq(rx_fn_name(RF_COUNT_FNS), "?");
	ck_assert_str_eq(rx_var_name(RV_VALUE), "value");
	ck_assert_str_eq(rx_var_name(RV_LIMIT0 + HWH_LIM_CRIT), "crit");
	ck_assert_str_eq(rx_var_name(RV_LIMIT0 + HWH_LIM_LEMERG), "lemerg");
	ck_assert_str_eq(rx_var_name(RV_LIMIT0 + HWH_LIM_COUNT), "?");
}
END_TEST

Suite *rules_parse_suite(void)
{
	Suite *s = suite_create("rules_parse");
	TCase *tc = tcase_create("lexer");

	tcase_add_test(tc, test_durations);
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_bad_numbers);
	tcase_add_test(tc, test_comments_and_separators);
	tcase_add_test(tc, test_newline_in_parentheses);
	tcase_add_test(tc, test_strings);
	tcase_add_test(tc, test_nul_in_string);
	tcase_add_test(tc, test_dash_in_names);
	tcase_add_test(tc, test_bad_characters);
	suite_add_tcase(s, tc);

	tc = tcase_create("expressions");
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_associativity);
	tcase_add_test(tc, test_comparisons);
	tcase_add_test(tc, test_variables);
	tcase_add_test(tc, test_min_max);
	tcase_add_test(tc, test_positions);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_node_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("calls");
	tcase_add_test(tc, test_call_fields);
	tcase_add_test(tc, test_bucket_slots);
	tcase_add_test(tc, test_window_errors);
	tcase_add_test(tc, test_argument_errors);
	tcase_add_test(tc, test_bucket_errors);
	tcase_add_test(tc, test_count_errors);
	tcase_add_test(tc, test_unknown_names);
	tcase_add_test(tc, test_event_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("statements");
	tcase_add_test(tc, test_header_example);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_score_and_enabled);
	tcase_add_test(tc, test_matches);
	tcase_add_test(tc, test_message_templates);
	tcase_add_test(tc, test_partial_result);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_statement_errors);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_required);
	tcase_add_test(tc, test_match_errors);
	tcase_add_test(tc, test_regex_too_complex);
	tcase_add_test(tc, test_block_errors);
	tcase_add_test(tc, test_recovery);
	tcase_add_test(tc, test_recovery_progress);
	tcase_add_test(tc, test_too_many_errors);
	tcase_add_test(tc, test_empty_and_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_test(tc, test_load_order_and_skip);
	tcase_add_test(tc, test_load_file_override);
	tcase_add_test(tc, test_load_rule_override);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_load_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("matching");
	tcase_add_test(tc, test_match_globs);
	tcase_add_test(tc, test_match_regex_and_label);
	tcase_add_test(tc, test_match_kind_and_unit);
	tcase_add_test(tc, test_match_events);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}
