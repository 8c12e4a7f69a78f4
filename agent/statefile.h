/*
 * statefile: the container of hwhealthd's state file, and the byte-level
 * encoding of its records.  What goes into the records is state.c's job.
 *
 * Layout (all integers little-endian):
 *   magic "HWHSTATE" (8 bytes) | u32 format version | u32 payload length |
 *   payload | u32 CRC-32 (zlib's, over everything before it)
 * The payload is a sequence of records: u16 type, u32 length, bytes.
 *
 * Writing is atomic: the bytes go to "PATH.tmp", which is fsync()ed and
 * rename()d over PATH, then the directory is fsync()ed, so a crash leaves
 * either the old file or the new one.  Reading trusts nothing: a file that
 * is too short, has another magic or version, a wrong length or checksum is
 * refused and moved aside to "PATH.bad" (replacing an older one) so that the
 * daemon starts fresh and an operator can look at it.
 */
#ifndef HWH_STATEFILE_H
#define HWH_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SF_MAGIC "HWHSTATE"
#define SF_VERSION 1
#define SF_MAX_BYTES (256u << 20) /* refuse larger files */

/* A growable byte buffer to build a payload in. */
struct sf_buf {
	unsigned char *p;
	size_t len, cap;
	bool oom; /* an append failed; the buffer is unusable */
};

void sf_buf_free(struct sf_buf *b);
void sf_put_u8(struct sf_buf *b, uint8_t v);
void sf_put_u16(struct sf_buf *b, uint16_t v);
void sf_put_u32(struct sf_buf *b, uint32_t v);
void sf_put_i64(struct sf_buf *b, int64_t v);
void sf_put_f32(struct sf_buf *b, float v);
void sf_put_f64(struct sf_buf *b, double v);
/* u32 length, then the bytes (no NUL); NULL is written as length 0xffffffff. */
void sf_put_str(struct sf_buf *b, const char *s);
/* Open a record: returns its start, to pass to sf_rec_end() when its
 * contents are written (which fills in the length). */
size_t sf_rec_begin(struct sf_buf *b, uint16_t type);
void sf_rec_end(struct sf_buf *b, size_t start);

/*
 * Write payload b to path atomically (see above).  0, or -errno with a
 * message in err.
 */
int sf_write(const char *path, const struct sf_buf *b, char *err, size_t errlen);

/*
 * Read path and check it.  Returns 0 with the payload in *out (caller
 * frees with sf_buf_free); 1 if the file does not exist; -1 if it was
 * refused (err says why, and it has been moved aside to PATH.bad).
 */
int sf_read(const char *path, struct sf_buf *out, char *err, size_t errlen);
/* Check a whole file image in memory as sf_read() does, without touching
 * any file: 0 with *payload / *len pointing into img, or -1 with err. */
int sf_check(const unsigned char *img, size_t n, const unsigned char **payload, size_t *len,
	     char *err, size_t errlen);
/* Move path aside to PATH.bad.  0 or -errno. */
int sf_move_aside(const char *path);

/* A reader over a payload: every get checks bounds; after the first
 * failure bad is set and every further get returns 0 / NULL. */
struct sf_cur {
	const unsigned char *p, *end;
	bool bad;
};

void sf_cur_init(struct sf_cur *c, const void *p, size_t len);
uint8_t sf_get_u8(struct sf_cur *c);
uint16_t sf_get_u16(struct sf_cur *c);
uint32_t sf_get_u32(struct sf_cur *c);
int64_t sf_get_i64(struct sf_cur *c);
float sf_get_f32(struct sf_cur *c);
double sf_get_f64(struct sf_cur *c);
/* A new NUL-terminated copy (caller frees), NULL for a written NULL or on
 * failure (then bad is set, or *was_null tells them apart if not NULL).
 * Strings holding a NUL byte are refused. */
char *sf_get_str(struct sf_cur *c, bool *was_null);
/* Next record: 1 with its type and a cursor over its contents, 0 at the
 * end, -1 if the record is malformed (bad set). */
int sf_next_rec(struct sf_cur *c, uint16_t *type, struct sf_cur *rec);

#endif
