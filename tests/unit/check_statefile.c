/* Unit tests for agent/statefile.c: the byte encoding (every put read back,
 * little-endian on any host), the cursor's bounds, the container checks
 * (magic, version, length, checksum) and the file side: atomic write, a
 * refused file moved aside to PATH.bad, errors naming the path. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "statefile.h"

static char dir[64];
static char path[PATH_MAX]; /* dir/state */

static void tmpdir_setup(void)
{
	strcpy(dir, "/tmp/check_statefile.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/state", dir);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void tmpdir_teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* Whole file into a malloc'd buffer; *n its size. */
static unsigned char *slurp(const char *p, size_t *n)
{
	FILE *f = fopen(p, "rb");
	unsigned char *buf;
	long sz;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	sz = ftell(f);
	ck_assert_int_ge(sz, 0);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return buf;
}

static void spit(const char *p, const void *data, size_t n)
{
	FILE *f = fopen(p, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* A small payload: one record of type 1 holding "abc" and 42. */
static void small_payload(struct sf_buf *b)
{
	size_t r;

	memset(b, 0, sizeof *b);
	r = sf_rec_begin(b, 1);
	sf_put_str(b, "abc");
	sf_put_u32(b, 42);
	sf_rec_end(b, r);
	ck_assert(!b->oom);
}

/* The file image sf_write() makes of small_payload(), in *n bytes. */
static unsigned char *small_image(size_t *n)
{
	struct sf_buf b;
	char err[256];

	small_payload(&b);
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	sf_buf_free(&b);
	return slurp(path, n);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Recompute the trailing CRC of an image, after changing its header. */
static void fix_crc(unsigned char *img, size_t n)
{
	put_le32(img + n - 4, (uint32_t)crc32(0, img, (uInt)(n - 4)));
}

/*
 * Encoding.
 */

START_TEST(test_put_get_round_trip)
{
	struct sf_buf b = {0};
	struct sf_cur c;
	bool was_null = false;
	char *s;
	float fz;

	sf_put_u8(&b, 0xab);
	sf_put_u16(&b, 0xbeef);
	sf_put_u32(&b, 0xdeadbeef);
	sf_put_i64(&b, -2);
	sf_put_i64(&b, INT64_MIN);
	sf_put_i64(&b, INT64_MAX);
	sf_put_f32(&b, 1.5f);
	sf_put_f32(&b, -0.0f);
	sf_put_f64(&b, 0.1);
	sf_put_f64(&b, 1e-300);
	sf_put_f64(&b, NAN);
	sf_put_f64(&b, -INFINITY);
	sf_put_str(&b, "hello, world");
	sf_put_str(&b, NULL);
	sf_put_str(&b, "");
	ck_assert(!b.oom);
	ck_assert_uint_eq(b.len, 1 + 2 + 4 + 3 * 8 + 2 * 4 + 4 * 8 + (4 + 12) + 4 + 4);

	sf_cur_init(&c, b.p, b.len);
	ck_assert_uint_eq(sf_get_u8(&c), 0xab);
	ck_assert_uint_eq(sf_get_u16(&c), 0xbeef);
	ck_assert_uint_eq(sf_get_u32(&c), 0xdeadbeef);
	ck_assert_int_eq(sf_get_i64(&c), -2);
	ck_assert(sf_get_i64(&c) == INT64_MIN);
	ck_assert(sf_get_i64(&c) == INT64_MAX);
	ck_assert(sf_get_f32(&c) == 1.5f);
	fz = sf_get_f32(&c);
	ck_assert(fz == 0.0f && signbit(fz));
	ck_assert(sf_get_f64(&c) == 0.1);
	ck_assert(sf_get_f64(&c) == 1e-300);
	ck_assert(isnan(sf_get_f64(&c)));
	ck_assert(sf_get_f64(&c) == -INFINITY);
	s = sf_get_str(&c, &was_null);
	ck_assert_str_eq(s, "hello, world");
	ck_assert(!was_null);
	free(s);
	ck_assert_ptr_null(sf_get_str(&c, &was_null));
	ck_assert(was_null);
	s = sf_get_str(&c, &was_null);
	ck_assert_str_eq(s, "");
	ck_assert(!was_null);
	free(s);
	ck_assert(!c.bad);
	ck_assert(c.p == c.end);
	sf_buf_free(&b);
	ck_assert_ptr_null(b.p);
}
END_TEST

/* The bytes are little-endian whatever the host: a file moves between hosts. */
START_TEST(test_little_endian_bytes)
{
	static const unsigned char want[] = {
	    0x04, 0x03, 0x02, 0x01, 0x02, 0x01, 0xfe, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0x00, 0x00, 0xc0, 0x3f, /* 1.5f */
	    0x03, 0x00, 0x00, 0x00, 'a',  'b',	'c',  0xff, 0xff, 0xff, 0xff};
	struct sf_buf b = {0};

	sf_put_u32(&b, 0x01020304);
	sf_put_u16(&b, 0x0102);
	sf_put_i64(&b, -2);
	sf_put_f32(&b, 1.5f);
	sf_put_str(&b, "abc");
	sf_put_str(&b, NULL);
	ck_assert_uint_eq(b.len, sizeof want);
	ck_assert_mem_eq(b.p, want, sizeof want);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_records)
{
	struct sf_buf b = {0};
	struct sf_cur c, rec;
	uint16_t type = 0;
	size_t r;
	char *s;

	r = sf_rec_begin(&b, 7);
	sf_put_str(&b, "cpu");
	sf_put_f64(&b, 45.5);
	sf_rec_end(&b, r);
	r = sf_rec_begin(&b, 0xffff);
	sf_rec_end(&b, r); /* empty record */
	/* record length: 4 + 3 + 8 = 15, little-endian after the type */
	ck_assert_uint_eq(b.p[0], 7);
	ck_assert_uint_eq(b.p[2], 15);
	ck_assert_uint_eq(b.p[3] | b.p[4] | b.p[5], 0);

	sf_cur_init(&c, b.p, b.len);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), 1);
	ck_assert_uint_eq(type, 7);
	s = sf_get_str(&rec, NULL);
	ck_assert_str_eq(s, "cpu");
	free(s);
	ck_assert(sf_get_f64(&rec) == 45.5);
	ck_assert(rec.p == rec.end && !rec.bad);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), 1);
	ck_assert_uint_eq(type, 0xffff);
	ck_assert(rec.p == rec.end);
	sf_get_u8(&rec); /* a record's cursor stops at its end, not the payload's */
	ck_assert(rec.bad);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), 0);
	ck_assert(!c.bad);
	sf_buf_free(&b);
}
END_TEST

/*
 * Cursor bounds.
 */

START_TEST(test_cursor_past_end_is_sticky)
{
	const unsigned char three[3] = {1, 2, 3};
	struct sf_cur c;

	sf_cur_init(&c, three, sizeof three);
	ck_assert_uint_eq(sf_get_u32(&c), 0);
	ck_assert(c.bad);
	ck_assert_uint_eq(sf_get_u8(&c), 0); /* there is a byte, but bad sticks */
	ck_assert_ptr_null(sf_get_str(&c, NULL));
	ck_assert(sf_get_f64(&c) == 0.0);

	sf_cur_init(&c, NULL, 0);
	ck_assert_int_eq(sf_get_i64(&c), 0);
	ck_assert(c.bad);
}
END_TEST

START_TEST(test_cursor_bad_strings)
{
	const unsigned char nul[] = {3, 0, 0, 0, 'a', 0, 'b'};
	const unsigned char longer[] = {100, 0, 0, 0, 'a', 'b', 'c'};
	const unsigned char huge[] = {0xfe, 0xff, 0xff, 0xff, 'a'};
	struct sf_cur c;
	bool was_null = true;

	sf_cur_init(&c, nul, sizeof nul);
	ck_assert_ptr_null(sf_get_str(&c, &was_null));
	ck_assert(c.bad);
	ck_assert(!was_null);

	sf_cur_init(&c, longer, sizeof longer);
	ck_assert_ptr_null(sf_get_str(&c, &was_null));
	ck_assert(c.bad);

	sf_cur_init(&c, huge, sizeof huge);
	ck_assert_ptr_null(sf_get_str(&c, NULL));
	ck_assert(c.bad);
}
END_TEST

START_TEST(test_cursor_bad_records)
{
	const unsigned char cut[] = {1, 0, 10, 0, 0, 0, 'x'}; /* says 10, holds 1 */
	const unsigned char short_hdr[] = {1, 0, 10};	      /* header cut */
	struct sf_cur c, rec;
	uint16_t type = 0;

	sf_cur_init(&c, cut, sizeof cut);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), -1);
	ck_assert(c.bad && rec.bad);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), -1); /* stays refused */

	sf_cur_init(&c, short_hdr, sizeof short_hdr);
	ck_assert_int_eq(sf_next_rec(&c, &type, &rec), -1);
}
END_TEST

START_TEST(test_buf_misuse_poisons)
{
	struct sf_buf b = {0};
	char err[256];

	sf_put_u8(&b, 1);
	sf_rec_end(&b, 5); /* not a start from sf_rec_begin() */
	ck_assert(b.oom);
	sf_put_u32(&b, 2); /* no-op once poisoned */
	ck_assert_uint_eq(b.len, 1);
	ck_assert_int_eq(sf_write("/nonexistent/never", &b, err, sizeof err), -ENOMEM);
	ck_assert_str_eq(
	    err, "/nonexistent/never: payload incomplete (out of memory while building it)");
	sf_buf_free(&b);
	ck_assert(!b.oom);
}
END_TEST

/*
 * Container check (in memory).
 */

START_TEST(test_check_layout)
{
	const unsigned char *payload;
	unsigned char *img;
	size_t n, len;
	char err[256];

	img = small_image(&n);
	ck_assert_uint_eq(n, 16 + 6 + 7 + 4 + 4);
	ck_assert_mem_eq(img, "HWHSTATE\x01\x00\x00\x00\x11\x00\x00\x00", 16);
	ck_assert_uint_eq(img[n - 4] | img[n - 3] << 8 | img[n - 2] << 16 |
			      (uint32_t)img[n - 1] << 24,
			  (uint32_t)crc32(0, img, (uInt)(n - 4)));
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), 0);
	ck_assert_ptr_eq(payload, img + 16);
	ck_assert_uint_eq(len, 17);
	free(img);
}
END_TEST

START_TEST(test_check_refusals)
{
	const unsigned char *payload;
	unsigned char *img;
	size_t n, len;
	char err[256];

	img = small_image(&n);
	ck_assert_int_eq(sf_check((const unsigned char *)"", 0, &payload, &len, err, sizeof err),
			 -1);
	ck_assert_str_eq(err, "truncated (0 bytes, the header alone needs 20)");
	ck_assert_int_eq(sf_check(img, 5, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "truncated (5 bytes, the header alone needs 20)");
	ck_assert_int_eq(sf_check(img, n - 1, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "truncated (36 bytes, the header says 37)");
	ck_assert_ptr_null(payload);

	/* An oversize length field is refused before it is used to index. */
	put_le32(img + 12, 0xfffffff0u);
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "payload length 4294967280 exceeds the limit of 268435436 bytes");
	put_le32(img + 12, 17);

	put_le32(img + 8, 7);
	fix_crc(img, n);
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "state file version 7 is not supported (expected 1)");
	put_le32(img + 8, 1);
	fix_crc(img, n);

	img[0] = 'X';
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a hwhealth state file (bad magic)");
	ck_assert_int_eq(sf_check(img, 3, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "not a hwhealth state file (bad magic)");
	img[0] = 'H';

	img[20] ^= 0x01;
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "checksum mismatch");
	img[20] ^= 0x01;
	ck_assert_int_eq(sf_check(img, n, &payload, &len, err, sizeof err), 0);
	free(img);
}
END_TEST

START_TEST(test_check_trailing_garbage)
{
	const unsigned char *payload;
	unsigned char *img, *big;
	size_t n, len;
	char err[256];

	img = small_image(&n);
	big = malloc(n + 2);
	ck_assert_ptr_nonnull(big);
	memcpy(big, img, n);
	big[n] = big[n + 1] = 0;
	ck_assert_int_eq(sf_check(big, n + 2, &payload, &len, err, sizeof err), -1);
	ck_assert_str_eq(err, "2 bytes of trailing garbage (the header says 37 bytes)");
	free(big);
	free(img);
}
END_TEST

/*
 * Files.
 */

START_TEST(test_write_read_back)
{
	struct sf_buf b = {0}, out;
	char err[256], tmp[PATH_MAX + 8];
	struct stat st;
	size_t r;

	for (int i = 0; i < 1000; i++) { /* bigger than one buffer growth step */
		r = sf_rec_begin(&b, (uint16_t)i);
		sf_put_i64(&b, (int64_t)i * 1000);
		sf_put_str(&b, i % 2 ? "odd" : NULL);
		sf_rec_end(&b, r);
	}
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	ck_assert(!exists(tmp));

	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.len, b.len);
	ck_assert_mem_eq(out.p, b.p, b.len);
	sf_buf_free(&out);

	/* Writing again replaces the file. */
	sf_buf_free(&b);
	small_payload(&b);
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.len, 17);
	sf_buf_free(&out);
	sf_buf_free(&b);
}
END_TEST

START_TEST(test_empty_payload)
{
	struct sf_buf b = {0}, out;
	char err[256];

	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.len, 0);
	sf_buf_free(&out);
}
END_TEST

START_TEST(test_read_missing)
{
	struct sf_buf out;
	char err[256] = "";

	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 1);
	ck_assert_ptr_null(out.p);
	ck_assert_uint_eq(out.len, 0);
}
END_TEST

/* Read the image img back from path: refused with message want, and moved
 * aside to PATH.bad holding exactly img. */
static void expect_refused(const unsigned char *img, size_t n, const char *want)
{
	struct sf_buf out;
	char err[3 * PATH_MAX], bad[PATH_MAX + 8], msg[3 * PATH_MAX];
	unsigned char *moved;
	size_t mn;

	spit(path, img, n);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), -1);
	snprintf(msg, sizeof msg, "%s: %s", path, want);
	ck_assert_str_eq(err, msg);
	ck_assert_ptr_null(out.p);
	ck_assert(!exists(path));
	snprintf(bad, sizeof bad, "%s.bad", path);
	moved = slurp(bad, &mn);
	ck_assert_uint_eq(mn, n);
	if (n > 0)
		ck_assert_mem_eq(moved, img, n);
	free(moved);
}

START_TEST(test_read_corrupt_payload)
{
	unsigned char *img;
	size_t n;

	img = small_image(&n);
	img[n / 2] ^= 0x40;
	expect_refused(img, n, "checksum mismatch");
	free(img);
}
END_TEST

START_TEST(test_read_refusals)
{
	const char *junk = "this is not a state file\n";
	unsigned char *img;
	size_t n;

	expect_refused((const unsigned char *)junk, strlen(junk),
		       "not a hwhealth state file (bad magic)");
	img = small_image(&n);
	put_le32(img + 8, 7);
	fix_crc(img, n);
	expect_refused(img, n, "state file version 7 is not supported (expected 1)");
	free(img);
	img = small_image(&n);
	expect_refused(img, n - 5, "truncated (32 bytes, the header says 37)");
	expect_refused(img, 0, "truncated (0 bytes, the header alone needs 20)");
	put_le32(img + 12, 0x7fffffffu);
	expect_refused(img, n, "payload length 2147483647 exceeds the limit of 268435436 bytes");
	free(img);
}
END_TEST

/* A new refusal replaces an older PATH.bad (only the latest is kept). */
START_TEST(test_bad_replaced)
{
	char bad[PATH_MAX + 8];
	unsigned char *img;
	size_t n;

	snprintf(bad, sizeof bad, "%s.bad", path);
	spit(bad, "old", 3);
	img = small_image(&n);
	img[n - 1] ^= 0xff;
	expect_refused(img, n, "checksum mismatch");
	free(img);
}
END_TEST

/* A crash mid-write leaves PATH.tmp: it neither hides PATH nor blocks the
 * next write. */
START_TEST(test_leftover_tmp)
{
	struct sf_buf b, out;
	char err[256], tmp[PATH_MAX + 8];

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	small_payload(&b);
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	spit(tmp, "HWHSTATE half a fi", 18);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.len, 17);
	sf_buf_free(&out);

	sf_put_u8(&b, 9);
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), 0);
	ck_assert(!exists(tmp));
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.len, 18);
	sf_buf_free(&out);
	sf_buf_free(&b);

	/* Only a leftover tmp, no file: as if there were none. */
	ck_assert_int_eq(unlink(path), 0);
	spit(tmp, "junk", 4);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), 1);
}
END_TEST

START_TEST(test_write_no_dir)
{
	struct sf_buf b;
	char p[PATH_MAX], err[2 * PATH_MAX + 64], want[2 * PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/no/such/dir/state", dir);
	small_payload(&b);
	ck_assert_int_eq(sf_write(p, &b, err, sizeof err), -ENOENT);
	snprintf(want, sizeof want, "%s: open %s.tmp: No such file or directory", p, p);
	ck_assert_str_eq(err, want);
	sf_buf_free(&b);
}
END_TEST

/* A step failing after the tmp file exists: the tmp file is removed and
 * whatever was at PATH is untouched. */
START_TEST(test_write_rename_fails)
{
	struct sf_buf b;
	char err[2 * PATH_MAX + 64], want[2 * PATH_MAX + 64], tmp[PATH_MAX + 8];
	struct stat st;

	ck_assert_int_eq(mkdir(path, 0700), 0); /* rename(file, dir) fails */
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	small_payload(&b);
	ck_assert_int_eq(sf_write(path, &b, err, sizeof err), -EISDIR);
	snprintf(want, sizeof want, "%s: rename %s: Is a directory", path, tmp);
	ck_assert_str_eq(err, want);
	ck_assert(!exists(tmp));
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	sf_buf_free(&b);
}
END_TEST

/* When the move aside fails, the message says so (the caller cannot know). */
START_TEST(test_move_aside_fails)
{
	struct sf_buf out;
	char bad[PATH_MAX + 8], err[3 * PATH_MAX], want[3 * PATH_MAX];

	snprintf(bad, sizeof bad, "%s.bad", path);
	ck_assert_int_eq(mkdir(bad, 0700), 0); /* rename(file, dir) fails */
	spit(path, "junk", 4);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), -1);
	snprintf(want, sizeof want,
		 "%s: not a hwhealth state file (bad magic) (and moving it aside to "
		 "%s.bad failed: Is a directory)",
		 path, path);
	ck_assert_str_eq(err, want);
	ck_assert(exists(path));
	ck_assert_int_eq(sf_move_aside(path), -EISDIR);
}
END_TEST

/* A file that cannot be read is an error, but says nothing about its
 * contents: it is not moved aside. */
START_TEST(test_read_error_not_moved)
{
	struct sf_buf out;
	char err[PATH_MAX + 64], want[PATH_MAX + 64];

	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(sf_read(path, &out, err, sizeof err), -EISDIR);
	snprintf(want, sizeof want, "%s: read: Is a directory", path);
	ck_assert_str_eq(err, want);
	ck_assert(exists(path));
}
END_TEST

/* Declared for -Wmissing-prototypes; tests/main.c finds it via suites.inc. */
Suite *statefile_suite(void);

Suite *statefile_suite(void)
{
	Suite *s = suite_create("statefile");
	TCase *tc;

	tc = tcase_create("encoding");
	tcase_add_test(tc, test_put_get_round_trip);
	tcase_add_test(tc, test_little_endian_bytes);
	tcase_add_test(tc, test_records);
	tcase_add_test(tc, test_buf_misuse_poisons);
	suite_add_tcase(s, tc);

	tc = tcase_create("cursor");
	tcase_add_test(tc, test_cursor_past_end_is_sticky);
	tcase_add_test(tc, test_cursor_bad_strings);
	tcase_add_test(tc, test_cursor_bad_records);
	suite_add_tcase(s, tc);

	tc = tcase_create("sf_check");
	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_check_layout);
	tcase_add_test(tc, test_check_refusals);
	tcase_add_test(tc, test_check_trailing_garbage);
	suite_add_tcase(s, tc);

	tc = tcase_create("sf_write");
	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_write_read_back);
	tcase_add_test(tc, test_empty_payload);
	tcase_add_test(tc, test_leftover_tmp);
	tcase_add_test(tc, test_write_no_dir);
	tcase_add_test(tc, test_write_rename_fails);
	suite_add_tcase(s, tc);

	tc = tcase_create("sf_read");
	tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
	tcase_add_test(tc, test_read_missing);
	tcase_add_test(tc, test_read_corrupt_payload);
	tcase_add_test(tc, test_read_refusals);
	tcase_add_test(tc, test_bad_replaced);
	tcase_add_test(tc, test_move_aside_fails);
	tcase_add_test(tc, test_read_error_not_moved);
	suite_add_tcase(s, tc);
	return s;
}
