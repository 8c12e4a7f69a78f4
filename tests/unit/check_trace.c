/* Unit tests for agent/trace.c: every documented form read with exact
 * values, every error message exactly (with its line and column), the
 * writer's exact output, and writer -> reader round trips that keep every
 * double bit for bit, through a FILE and from memory. */
#include <check.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "trace.h"

#define T0_MS 1763700000000LL

/* Read the only record of text (which must parse). */
static void read_one(const char *text, struct trace_rec *rec, struct trace_reader **rp)
{
	char err[512] = "";
	struct trace_reader *r = trace_open_mem(text, strlen(text), "t");

	ck_assert_ptr_nonnull(r);
	ck_assert_msg(trace_next(r, rec, err, sizeof err) == 1, "error: %s", err);
	*rp = r; /* rec's strings live in r: the caller closes it */
}

/* Assert that text yields one error, want, before the end. */
static void expect_error(const char *text, size_t len, const char *want)
{
	struct trace_rec rec;
	char err[512] = "";
	struct trace_reader *r = trace_open_mem(text, len, "t");
	int rc;

	ck_assert_ptr_nonnull(r);
	while ((rc = trace_next(r, &rec, err, sizeof err)) == 1)
		;
	ck_assert_msg(rc == -1, "no error for \"%s\"", text);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
	trace_close(r);
}

#define EXPECT_ERROR(text, want) expect_error(text, strlen(text), want)

static void assert_no_limits_but(const struct trace_rec *rec, int a, int b)
{
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		if (i != a && i != b)
			ck_assert_msg(isnan(rec->limit[i]), "limit %d set", i);
}

/*
 * Reading: documented forms.
 */

START_TEST(test_read_sample)
{
	struct trace_reader *r;
	struct trace_rec rec;

	read_one("1763700000.000,sensors/coretemp-isa-0000/temp1,temperature,C,45.5,max=80,"
		 "crit=100\n",
		 &rec, &r);
	ck_assert_int_eq(rec.t_ms, T0_MS);
	ck_assert_str_eq(rec.id, "sensors/coretemp-isa-0000/temp1");
	ck_assert_str_eq(rec.source, "sensors");
	ck_assert_str_eq(rec.device, "coretemp-isa-0000");
	ck_assert_str_eq(rec.name, "temp1");
	ck_assert(!rec.is_event);
	ck_assert_int_eq(rec.kind, HWH_KIND_TEMPERATURE);
	ck_assert_str_eq(rec.unit, "C");
	ck_assert(rec.value == 45.5);
	ck_assert(rec.limit[HWH_LIM_MAX] == 80);
	ck_assert(rec.limit[HWH_LIM_CRIT] == 100);
	assert_no_limits_but(&rec, HWH_LIM_MAX, HWH_LIM_CRIT);
	trace_close(r);
}
END_TEST

START_TEST(test_read_event)
{
	struct trace_reader *r;
	struct trace_rec rec;

	read_one("1763700010.500,ipmi/bmc/sel,event,critical,\"Correctable ECC, DIMM \"\"A1\"\"\"",
		 &rec, &r);
	ck_assert_int_eq(rec.t_ms, T0_MS + 10500);
	ck_assert(rec.is_event);
	ck_assert_str_eq(rec.id, "ipmi/bmc/sel");
	ck_assert_str_eq(rec.name, "sel");
	ck_assert_int_eq(rec.severity, HWH_SEV_CRITICAL);
	ck_assert_str_eq(rec.text, "Correctable ECC, DIMM \"A1\"");
	trace_close(r);

	read_one("1,a/b/c,event,info,", &rec, &r); /* empty text */
	ck_assert_str_eq(rec.text, "");
	ck_assert_int_eq(rec.severity, HWH_SEV_INFO);
	trace_close(r);
	read_one("1,a/b/c,event,warning,\"\"", &rec, &r);
	ck_assert_int_eq(rec.severity, HWH_SEV_WARNING);
	ck_assert_str_eq(rec.text, "");
	trace_close(r);
}
END_TEST

START_TEST(test_read_times)
{
	static const struct {
		const char *t;
		long long ms;
	} cases[] = {
	    {"1763700000", T0_MS}, {"1763700000.5", T0_MS + 500},
	    {"1.25", 1250},	   {"0", 0},
	    {"0.001", 1},	   {"1.0005", 1001},
	    {"1.00049999", 1000},  {"0.0015", 2},
	    {"2.9995", 3000},	   {"007.100", 7100},
	};
	char line[128];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct trace_reader *r;
		struct trace_rec rec;

		snprintf(line, sizeof line, "%s,a/b/c,fan,RPM,1\n", cases[i].t);
		read_one(line, &rec, &r);
		ck_assert_msg(rec.t_ms == cases[i].ms, "%s -> %lld", cases[i].t,
			      (long long)rec.t_ms);
		trace_close(r);
	}
}
END_TEST

START_TEST(test_read_unreadable_and_ids)
{
	struct trace_reader *r;
	struct trace_rec rec;

	read_one("1,a/b/c,fan,,", &rec, &r);
	ck_assert(isnan(rec.value));
	ck_assert_str_eq(rec.unit, "");
	assert_no_limits_but(&rec, -1, -1);
	trace_close(r);
	read_one("1,a/b/c,fan,RPM,nan,min=300", &rec, &r);
	ck_assert(isnan(rec.value));
	ck_assert(rec.limit[HWH_LIM_MIN] == 300);
	trace_close(r);
	read_one("1,a/b/c,fan,RPM,NaN", &rec, &r);
	ck_assert(isnan(rec.value));
	trace_close(r);

	/* The name keeps every '/' after the second; the id stays whole. */
	read_one("1,smart/nvme0/log/media_errors,counter,,18446744073709551615", &rec, &r);
	ck_assert_str_eq(rec.id, "smart/nvme0/log/media_errors");
	ck_assert_str_eq(rec.source, "smart");
	ck_assert_str_eq(rec.device, "nvme0");
	ck_assert_str_eq(rec.name, "log/media_errors");
	ck_assert_int_eq(rec.kind, HWH_KIND_COUNTER);
	ck_assert(rec.value == 18446744073709551615.0);
	trace_close(r);

	/* Every limit, negative and exponent forms. */
	read_one("1,a/b/c,voltage,V,-1.5e-3,lemerg=-3,lcrit=-2,min=-1,max=1,crit=2,emerg=3", &rec,
		 &r);
	ck_assert(rec.value == -1.5e-3);
	for (int i = 0; i < HWH_LIM_COUNT; i++)
		ck_assert(rec.limit[i] == i - 3 + (i >= 3));
	trace_close(r);
}
END_TEST

START_TEST(test_read_skips)
{
	const char *text = "# hwhealth trace 1\r\n"
			   "# time,id,kind,unit,value[,limit=number...]\r\n"
			   "time,id,kind,unit,value\r\n"
			   "\r\n"
			   "   \t\n"
			   "# a comment, with \"quotes\"\n"
			   "\n"
			   "1.5,a/b/c,fan,RPM,1200,min=300\r\n"
			   "#\n"
			   "2,\"x/y/z\",power,\"W\",\"7\"\r\n"
			   "2,p/q/r,event,info,done"; /* no final newline */
	struct trace_reader *r = trace_open_mem(text, strlen(text), "t");
	struct trace_rec rec;
	char err[256] = "";

	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_int_eq(rec.t_ms, 1500);
	ck_assert(rec.value == 1200 && rec.limit[HWH_LIM_MIN] == 300);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_str_eq(rec.id, "x/y/z");
	ck_assert_str_eq(rec.unit, "W");
	ck_assert(rec.value == 7);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_int_eq(rec.t_ms, 2000); /* equal times are fine */
	ck_assert_str_eq(rec.text, "done");
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
	ck_assert_str_eq(err, "");
	trace_close(r);
}
END_TEST

/* "time" as a first field is the column line only before any record. */
START_TEST(test_read_column_line_only_first)
{
	EXPECT_ERROR("1,a/b/c,fan,RPM,1\ntime,id,kind,unit,value\n",
		     "t:2:1: bad time \"time\" (expected seconds since the epoch, e.g. "
		     "1763700000.250)");
}
END_TEST

START_TEST(test_read_from_file)
{
	const char *text = "# hwhealth trace 1\n1,a/b/c,fan,RPM,1\n2,a/b/d,fan,RPM,2\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct trace_reader *r = trace_open(f, "f.csv");
	struct trace_rec rec;
	char err[256];

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_str_eq(rec.name, "c");
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_str_eq(rec.name, "d");
	ck_assert(rec.value == 2);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
	trace_close(r);
	fclose(f);
}
END_TEST

/*
 * Reading: errors.
 */

START_TEST(test_errors_fields)
{
	EXPECT_ERROR("abc,a/b/c,temperature,C,1",
		     "t:1:1: bad time \"abc\" (expected seconds since the epoch, e.g. "
		     "1763700000.250)");
	EXPECT_ERROR("1.,a/b/c,fan,RPM,1",
		     "t:1:1: bad time \"1.\" (expected seconds since the epoch, e.g. "
		     "1763700000.250)");
	EXPECT_ERROR("1e9,a/b/c,fan,RPM,1",
		     "t:1:1: bad time \"1e9\" (expected seconds since the epoch, e.g. "
		     "1763700000.250)");
	EXPECT_ERROR("-1.5,a/b/c,fan,RPM,1",
		     "t:1:1: bad time \"-1.5\" (negative; expected seconds since the epoch)");
	EXPECT_ERROR("99999999999999999999,a/b/c,fan,RPM,1",
		     "t:1:1: bad time \"99999999999999999999\" (out of range; expected seconds "
		     "since the epoch)");
	EXPECT_ERROR("1,,fan,RPM,1", "t:1:3: empty id (expected source/device/name)");
	EXPECT_ERROR("1,a/b,fan,RPM,1",
		     "t:1:3: bad id \"a/b\" (expected source/device/name, no part empty)");
	EXPECT_ERROR("1,a//c,fan,RPM,1",
		     "t:1:3: bad id \"a//c\" (expected source/device/name, no part empty)");
	EXPECT_ERROR("1,a/b/,fan,RPM,1",
		     "t:1:3: bad id \"a/b/\" (expected source/device/name, no part empty)");
	EXPECT_ERROR("1,a/b/c,heat,C,1",
		     "t:1:9: unknown kind \"heat\" (expected temperature, fan, voltage, current, "
		     "power, energy, humidity, intrusion, counter, percent, state, other or "
		     "event)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,fast",
		     "t:1:17: bad number \"fast\" (expected a number, or empty or nan if "
		     "unreadable)");
	EXPECT_ERROR("1,a/b/c,fan,RPM, 5",
		     "t:1:17: bad number \" 5\" (expected a number, or empty or nan if "
		     "unreadable)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1e999",
		     "t:1:17: bad number \"1e999\" (expected a number, or empty or nan if "
		     "unreadable)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,maxx=3",
		     "t:1:19: unknown limit name \"maxx\" (expected lemerg, lcrit, min, max, crit "
		     "or emerg)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,max", "t:1:19: bad limit \"max\" (expected LIMIT=NUMBER)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,max=x",
		     "t:1:23: bad number \"x\" for limit max (expected a number)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,max=",
		     "t:1:23: bad number \"\" for limit max (expected a number)");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,max=2,max=3", "t:1:25: limit max given twice");
	EXPECT_ERROR("1,a/b/c,event,fatal,boom",
		     "t:1:15: unknown severity \"fatal\" (expected info, warning or critical)");
}
END_TEST

START_TEST(test_errors_line)
{
	EXPECT_ERROR("1", "t:1:2: too few fields (expected time,id,kind,unit,value)");
	EXPECT_ERROR("1,a/b/c", "t:1:8: too few fields (expected time,id,kind,unit,value)");
	EXPECT_ERROR("1,a/b/c,fan,RPM",
		     "t:1:16: too few fields (expected time,id,kind,unit,value)");
	EXPECT_ERROR("1,a/b/c,event,info",
		     "t:1:19: too few fields (expected time,id,event,severity,text)");
	EXPECT_ERROR("1,a/b/c,event,info,a,b",
		     "t:1:22: too many fields for an event (expected time,id,event,severity,text; "
		     "quote a text holding ',')");
	EXPECT_ERROR("1,a/b/c,fan,RPM,1,min=1,max=1,crit=1,lcrit=1,emerg=1,lemerg=1,x=1",
		     "t:1:63: too many fields (expected at most 6 limits)");
	EXPECT_ERROR("1,\"a/b/c,fan,RPM,1",
		     "t:1:3: unterminated quoted field (expected a closing '\"')");
	EXPECT_ERROR("1,\"a/b/c\"x,fan,RPM,1", "t:1:10: expected ',' after the closing quote");
	EXPECT_ERROR("1,a/b\"/c,fan,RPM,1",
		     "t:1:6: '\"' inside an unquoted field (expected the whole field quoted, with "
		     "\"\" for a quote)");
	EXPECT_ERROR("2,a/b/c,fan,RPM,1\n\n1.5,a/b/c,fan,RPM,1\n",
		     "t:3:1: time goes backwards (1.500 after 2.000; expected times in order)");
	EXPECT_ERROR("# hwhealth trace 2\n",
		     "t:1:18: unsupported trace version \"2\" (expected 1)");
	expect_error("1,a\0b/c,fan,RPM,1", 17, "t:1:4: NUL byte in the line (expected text)");
}
END_TEST

/* An error costs its line only: reading goes on, and a refused line does
 * not move the clock. */
START_TEST(test_error_then_more)
{
	const char *text = "5,a/b/c,fan,RPM,1\n"
			   "9,a/b/c,fan,RPM,bad\n"
			   "6,a/b/c,fan,RPM,2\n";
	struct trace_reader *r = trace_open_mem(text, strlen(text), "t");
	struct trace_rec rec;
	char err[256];

	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), -1);
	ck_assert_str_eq(err, "t:2:17: bad number \"bad\" (expected a number, or empty or nan if "
			      "unreadable)");
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert_int_eq(rec.t_ms, 6000);
	ck_assert(rec.value == 2);
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
	trace_close(r);

	/* A tiny err buffer is cut, not overrun. */
	r = trace_open_mem("x", 1, "name");
	ck_assert_int_eq(trace_next(r, &rec, err, 5), -1);
	ck_assert_str_eq(err, "name");
	trace_close(r);
}
END_TEST

/*
 * Writing.
 */

/* Everything written by fn into a string (caller frees). */
static char *written(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	ck_assert_ptr_nonnull(f);
	fn(f);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void write_doc_example(FILE *f)
{
	double lim[HWH_LIM_COUNT] = {NAN, NAN, NAN, 80, 100, NAN};

	ck_assert_int_eq(trace_write_header(f), 0);
	ck_assert_int_eq(trace_write_sample(f, T0_MS, "sensors/coretemp-isa-0000/temp1",
					    HWH_KIND_TEMPERATURE, "C", 45.5, lim),
			 0);
	ck_assert_int_eq(trace_write_event(f, T0_MS + 10500, "ipmi/bmc/sel", HWH_SEV_CRITICAL,
					   "Correctable ECC, DIMM A1"),
			 0);
	ck_assert_int_eq(trace_write_sample(f, 5007, "a/b/c", HWH_KIND_FAN, NULL, NAN, NULL), 0);
	ck_assert_int_eq(
	    trace_write_event(f, 5007, "a/b/c", HWH_SEV_INFO, "say \"hi\"\nbye, friend"), 0);
	ck_assert_int_eq(trace_write_sample(f, 5008, "x/y/z", HWH_KIND_OTHER, " C", 0.1, NULL), 0);
}

START_TEST(test_write_exact)
{
	char *s = written(write_doc_example);

	ck_assert_str_eq(s, "# hwhealth trace 1\n"
			    "# time,id,kind,unit,value[,limit=number...]\n"
			    "1763700000.000,sensors/coretemp-isa-0000/temp1,temperature,C,45.5,"
			    "max=80,crit=100\n"
			    "1763700010.500,ipmi/bmc/sel,event,critical,\"Correctable ECC, DIMM "
			    "A1\"\n"
			    "5.007,a/b/c,fan,,\n"
			    "5.007,a/b/c,event,info,\"say \"\"hi\"\" bye, friend\"\n"
			    "5.008,x/y/z,other,\" C\",0.1\n");
	free(s);
}
END_TEST

static void write_bad(FILE *f)
{
	errno = 0;
	ck_assert_int_eq(trace_write_sample(f, -1, "a/b/c", HWH_KIND_FAN, "", 1, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(trace_write_event(f, 1, "a/b/c", HWH_SEV_COUNT, "x"), -1);
	ck_assert_int_eq(errno, EINVAL);
}

START_TEST(test_write_refuses)
{
	char *s = written(write_bad);

	ck_assert_str_eq(s, ""); /* nothing half-written */
	free(s);
}
END_TEST

static const double rt_values[] = {
    0.1,
    1e-300,
    -2.5e-7,
    1.0 / 3,
    45.5,
    0,
    -0.0,
    4.9e-324,
    DBL_MAX,
    -DBL_MIN,
    INFINITY,
    -INFINITY,
    9007199254740993.0,
    123456789012345678.0,
    18446744073709551615.0,
    1e22,
    NAN,
    2.2250738585072009e-308,
};
#define RT_N (sizeof rt_values / sizeof rt_values[0])

static void write_round_trip(FILE *f)
{
	double lim[HWH_LIM_COUNT];

	ck_assert_int_eq(trace_write_header(f), 0);
	for (size_t i = 0; i < RT_N; i++) {
		for (int l = 0; l < HWH_LIM_COUNT; l++)
			lim[l] = (size_t)l == i % HWH_LIM_COUNT ? rt_values[(i + 1) % RT_N] : NAN;
		ck_assert_int_eq(trace_write_sample(f, T0_MS + (int64_t)i, "s,1/d \"q\"/n/x",
						    (enum hwh_kind)(i % HWH_KIND_COUNT), "u,\"",
						    rt_values[i], lim),
				 0);
	}
	ck_assert_int_eq(
	    trace_write_event(f, T0_MS + 999, " s/d/t ", HWH_SEV_WARNING, " lead, \"trail\" "), 0);
}

static void check_round_trip(struct trace_reader *r)
{
	struct trace_rec rec;
	char err[256] = "";

	for (size_t i = 0; i < RT_N; i++) {
		double want = rt_values[i], got;
		size_t li = i % HWH_LIM_COUNT;

		ck_assert_msg(trace_next(r, &rec, err, sizeof err) == 1, "record %zu: %s", i, err);
		got = rec.value;
		ck_assert_int_eq(rec.t_ms, T0_MS + (int64_t)i);
		ck_assert_str_eq(rec.id, "s,1/d \"q\"/n/x");
		ck_assert_str_eq(rec.source, "s,1");
		ck_assert_str_eq(rec.device, "d \"q\"");
		ck_assert_str_eq(rec.name, "n/x");
		ck_assert_str_eq(rec.unit, "u,\"");
		ck_assert_int_eq(rec.kind, (int)(i % HWH_KIND_COUNT));
		if (isnan(want))
			ck_assert(isnan(got));
		else
			ck_assert_msg(memcmp(&got, &want, sizeof got) == 0, "%.17g read as %.17g",
				      want, got);
		want = rt_values[(i + 1) % RT_N];
		if (isnan(want)) { /* a NaN limit is not written: absent */
			assert_no_limits_but(&rec, -1, -1);
		} else {
			ck_assert(memcmp(&rec.limit[li], &want, sizeof want) == 0);
			assert_no_limits_but(&rec, (int)li, -1);
		}
	}
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 1);
	ck_assert(rec.is_event);
	ck_assert_str_eq(rec.id, " s/d/t ");
	ck_assert_str_eq(rec.source, " s");
	ck_assert_str_eq(rec.name, "t ");
	ck_assert_int_eq(rec.severity, HWH_SEV_WARNING);
	ck_assert_str_eq(rec.text, " lead, \"trail\" ");
	ck_assert_int_eq(trace_next(r, &rec, err, sizeof err), 0);
}

START_TEST(test_round_trip)
{
	char *s = written(write_round_trip);
	struct trace_reader *r;
	FILE *f;

	r = trace_open_mem(s, strlen(s), "mem");
	ck_assert_ptr_nonnull(r);
	check_round_trip(r);
	trace_close(r);

	f = fmemopen(s, strlen(s), "r");
	ck_assert_ptr_nonnull(f);
	r = trace_open(f, "file");
	ck_assert_ptr_nonnull(r);
	check_round_trip(r);
	trace_close(r);
	fclose(f);
	free(s);
}
END_TEST

START_TEST(test_kind_parse)
{
	for (int k = 0; k < HWH_KIND_COUNT; k++)
		ck_assert_int_eq(trace_kind_parse(kind_name((enum hwh_kind)k)), k);
	ck_assert_int_eq(trace_kind_parse("temperature"), HWH_KIND_TEMPERATURE);
	ck_assert_int_eq(trace_kind_parse("Temperature"), -1);
	ck_assert_int_eq(trace_kind_parse("event"), -1);
	ck_assert_int_eq(trace_kind_parse(""), -1);
}
END_TEST

/* Declared for -Wmissing-prototypes; tests/main.c finds it via suites.inc. */
Suite *trace_suite(void);

Suite *trace_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc;

	tc = tcase_create("trace_next");
	tcase_add_test(tc, test_read_sample);
	tcase_add_test(tc, test_read_event);
	tcase_add_test(tc, test_read_times);
	tcase_add_test(tc, test_read_unreadable_and_ids);
	tcase_add_test(tc, test_read_skips);
	tcase_add_test(tc, test_read_column_line_only_first);
	tcase_add_test(tc, test_read_from_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace_next errors");
	tcase_add_test(tc, test_errors_fields);
	tcase_add_test(tc, test_errors_line);
	tcase_add_test(tc, test_error_then_more);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace_write");
	tcase_add_test(tc, test_write_exact);
	tcase_add_test(tc, test_write_refuses);
	tcase_add_test(tc, test_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("trace_kind_parse");
	tcase_add_test(tc, test_kind_parse);
	suite_add_tcase(s, tc);
	return s;
}
