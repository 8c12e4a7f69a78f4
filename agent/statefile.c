/*
 * statefile: the state file container and its byte encoding.  See
 * statefile.h for the layout and the guarantees.
 *
 * Every integer is written byte by byte, least significant first, so the
 * file means the same on any host; floats go through their IEEE bit pattern
 * (memcpy to an unsigned integer of the same size).  Readers never index
 * past what they checked: sf_check() validates the whole image before a
 * cursor is made over the payload, and every cursor get checks its own
 * bounds, so a file cut short or scribbled on is refused, never trusted.
 *
 * To add a field type: a sf_put_X() built on sf_put_u32/sf_put_u64 and a
 * sf_get_X() built on take(), so the bounds check stays in one place.
 */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#define SF_HDR_BYTES 16u	/* magic, version, payload length */
#define SF_CRC_BYTES 4u		/* trailing CRC-32 */
#define SF_REC_HDR_BYTES 6u	/* u16 type, u32 length */
#define SF_NULL_STR 0xffffffffu /* string length meaning NULL */
#define SF_BUF_MIN 256u		/* first allocation of a buffer */
#define SF_READ_CHUNK 65536u	/* read() size when the file size is unknown */

/*
 * Buffer building.  An append that cannot allocate sets oom and every later
 * append is a no-op: callers put a whole payload and check oom once (sf_write
 * refuses such a buffer), instead of checking each put.
 */

void sf_buf_free(struct sf_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
	b->oom = false;
}

/* Make room for n more bytes.  false (and oom set) if that is impossible. */
static bool reserve(struct sf_buf *b, size_t n)
{
	size_t want, cap;
	unsigned char *p;

	if (b->oom)
		return false;
	if (n <= b->cap - b->len)
		return true;
	if (n > SIZE_MAX - b->len) {
		b->oom = true;
		return false;
	}
	want = b->len + n;
	cap = b->cap ? b->cap : SF_BUF_MIN;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

static void put_le(struct sf_buf *b, uint64_t v, unsigned nbytes)
{
	if (!reserve(b, nbytes))
		return;
	for (unsigned i = 0; i < nbytes; i++)
		b->p[b->len++] = (unsigned char)(v >> (8 * i));
}

static void put_bytes(struct sf_buf *b, const void *s, size_t n)
{
	if (n == 0 || !reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void sf_put_u8(struct sf_buf *b, uint8_t v)
{
	put_le(b, v, 1);
}

void sf_put_u16(struct sf_buf *b, uint16_t v)
{
	put_le(b, v, 2);
}

void sf_put_u32(struct sf_buf *b, uint32_t v)
{
	put_le(b, v, 4);
}

void sf_put_i64(struct sf_buf *b, int64_t v)
{
	put_le(b, (uint64_t)v, 8);
}

void sf_put_f32(struct sf_buf *b, float v)
{
	uint32_t bits;

	memcpy(&bits, &v, sizeof bits);
	put_le(b, bits, 4);
}

void sf_put_f64(struct sf_buf *b, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	put_le(b, bits, 8);
}

void sf_put_str(struct sf_buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		sf_put_u32(b, SF_NULL_STR);
		return;
	}
	n = strlen(s);
	if (n >= SF_NULL_STR) { /* cannot be encoded: fail the whole payload */
		b->oom = true;
		return;
	}
	sf_put_u32(b, (uint32_t)n);
	put_bytes(b, s, n);
}

size_t sf_rec_begin(struct sf_buf *b, uint16_t type)
{
	size_t start = b->len;

	sf_put_u16(b, type);
	sf_put_u32(b, 0); /* length, filled in by sf_rec_end() */
	return start;
}

void sf_rec_end(struct sf_buf *b, size_t start)
{
	size_t body;

	if (b->oom)
		return;
	if (start > b->len || b->len - start < SF_REC_HDR_BYTES) {
		b->oom = true; /* not a start from sf_rec_begin(): poison the payload */
		return;
	}
	body = b->len - start - SF_REC_HDR_BYTES;
	if (body > UINT32_MAX) {
		b->oom = true;
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		b->p[start + 2 + i] = (unsigned char)(body >> (8 * i));
}

/*
 * Container check.
 */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Continue CRC-32 crc over p[0..n). */
static uLong crc_update(uLong crc, const unsigned char *p, size_t n)
{
	/* zlib takes uInt lengths: feed it in pieces so any size is right. */
	while (n > 0) {
		uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;

		crc = crc32(crc, p, chunk);
		p += chunk;
		n -= chunk;
	}
	return crc;
}

static uint32_t crc_of(const unsigned char *p, size_t n)
{
	return (uint32_t)crc_update(crc32(0L, Z_NULL, 0), p, n);
}

int sf_check(const unsigned char *img, size_t n, const unsigned char **payload, size_t *len,
	     char *err, size_t errlen)
{
	const size_t mlen = sizeof SF_MAGIC - 1;
	uint32_t version, plen;
	size_t want;

	*payload = NULL;
	*len = 0;
	/* Look at the magic first, even in a short file: a short file that is
	 * not ours is better reported as "not ours" than as "truncated". */
	if (n > 0 && memcmp(img, SF_MAGIC, n < mlen ? n : mlen) != 0) {
		snprintf(err, errlen, "not a hwhealth state file (bad magic)");
		return -1;
	}
	if (n < SF_HDR_BYTES + SF_CRC_BYTES) {
		snprintf(err, errlen, "truncated (%zu bytes, the header alone needs %u)", n,
			 SF_HDR_BYTES + SF_CRC_BYTES);
		return -1;
	}
	version = le32(img + mlen);
	if (version != SF_VERSION) {
		snprintf(err, errlen, "state file version %u is not supported (expected %u)",
			 version, SF_VERSION);
		return -1;
	}
	plen = le32(img + mlen + 4);
	if (plen > SF_MAX_BYTES - SF_HDR_BYTES - SF_CRC_BYTES) {
		snprintf(err, errlen, "payload length %u exceeds the limit of %u bytes", plen,
			 SF_MAX_BYTES - SF_HDR_BYTES - SF_CRC_BYTES);
		return -1;
	}
	want = (size_t)SF_HDR_BYTES + plen + SF_CRC_BYTES;
	if (n < want) {
		snprintf(err, errlen, "truncated (%zu bytes, the header says %zu)", n, want);
		return -1;
	}
	if (n > want) {
		snprintf(err, errlen, "%zu bytes of trailing garbage (the header says %zu bytes)",
			 n - want, want);
		return -1;
	}
	if (crc_of(img, want - SF_CRC_BYTES) != le32(img + want - SF_CRC_BYTES)) {
		snprintf(err, errlen, "checksum mismatch");
		return -1;
	}
	*payload = img + SF_HDR_BYTES;
	*len = plen;
	return 0;
}

/*
 * Files.
 */

/* dst = path + suffix.  0 or -ENAMETOOLONG. */
static int path_with(char *dst, size_t n, const char *path, const char *suffix)
{
	int w = snprintf(dst, n, "%s%s", path, suffix);

	return w < 0 || (size_t)w >= n ? -ENAMETOOLONG : 0;
}

int sf_move_aside(const char *path)
{
	char bad[PATH_MAX];
	int rc = path_with(bad, sizeof bad, path, ".bad");

	if (rc < 0)
		return rc;
	/* rename() replaces an older PATH.bad atomically: only the latest
	 * refused file is kept, so a file refused at every start cannot fill
	 * the disk. */
	if (rename(path, bad) != 0)
		return -errno;
	return 0;
}

/* Write all of p, through short writes and signals.  0 or -errno. */
static int write_all(int fd, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO; /* cannot happen for a regular file; do not spin */
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync the directory holding path, so that a rename() in it is durable. */
static int fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (slash == NULL) {
		strcpy(dir, ".");
	} else if (slash == path) {
		strcpy(dir, "/");
	} else {
		if ((size_t)(slash - path) >= sizeof dir)
			return -ENAMETOOLONG;
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Some file systems cannot fsync a directory (EINVAL): there is
	 * nothing more we can do for durability, and the data itself is safe. */
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

/* The header (magic, version, length) of a payload of plen bytes. */
static void make_header(unsigned char hdr[SF_HDR_BYTES], uint32_t plen)
{
	const size_t mlen = sizeof SF_MAGIC - 1;

	memcpy(hdr, SF_MAGIC, mlen);
	for (unsigned i = 0; i < 4; i++) {
		hdr[mlen + i] = (unsigned char)((uint32_t)SF_VERSION >> (8 * i));
		hdr[mlen + 4 + i] = (unsigned char)(plen >> (8 * i));
	}
}

/* Write the container of b into fd.  0 or -errno, with step set. */
static int write_image(int fd, const struct sf_buf *b, const char **step)
{
	unsigned char hdr[SF_HDR_BYTES], tail[SF_CRC_BYTES];
	uLong crc;
	int rc;

	make_header(hdr, (uint32_t)b->len);
	crc = crc_update(crc32(0L, Z_NULL, 0), hdr, sizeof hdr);
	crc = crc_update(crc, b->p, b->len);
	for (unsigned i = 0; i < 4; i++)
		tail[i] = (unsigned char)((uint32_t)crc >> (8 * i));
	*step = "write";
	rc = write_all(fd, hdr, sizeof hdr);
	if (rc == 0 && b->len > 0)
		rc = write_all(fd, b->p, b->len);
	if (rc == 0)
		rc = write_all(fd, tail, sizeof tail);
	if (rc != 0)
		return rc;
	/* Data on disk before the rename makes it visible: otherwise a crash
	 * could leave PATH naming an empty or partial file. */
	*step = "fsync";
	return fsync(fd) != 0 ? -errno : 0;
}

int sf_write(const char *path, const struct sf_buf *b, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *step = "open";
	int fd = -1, rc;

	if (b->oom) {
		snprintf(err, errlen, "%s: payload incomplete (out of memory while building it)",
			 path);
		return -ENOMEM;
	}
	if (b->len > SF_MAX_BYTES - SF_HDR_BYTES - SF_CRC_BYTES) {
		snprintf(err, errlen, "%s: payload of %zu bytes exceeds the limit of %u bytes",
			 path, b->len, SF_MAX_BYTES - SF_HDR_BYTES - SF_CRC_BYTES);
		return -EFBIG;
	}
	rc = path_with(tmp, sizeof tmp, path, ".tmp");
	if (rc < 0) {
		snprintf(err, errlen, "%s: path too long", path);
		return rc;
	}
	/* O_TRUNC: a PATH.tmp left by a crash mid-write is simply overwritten. */
	fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: open %s: %s", path, tmp, strerror(-rc));
		return rc; /* nothing created, nothing to unlink */
	}
	rc = write_image(fd, b, &step);
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
		step = "close";
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -errno;
		step = "rename";
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s %s: %s", path, step, tmp, strerror(-rc));
		unlink(tmp); /* best effort: the old PATH is untouched */
		return rc;
	}
	rc = fsync_dir_of(path);
	if (rc != 0) {
		/* The new file is in place; only its durability is in doubt. */
		snprintf(err, errlen, "%s: fsync of its directory: %s", path, strerror(-rc));
		return rc;
	}
	return 0;
}

/*
 * Read the whole of fd into a new buffer, at most SF_MAX_BYTES + 1 bytes (one
 * more than allowed tells "too large" apart).  0 or -errno.
 */
static int read_bounded(int fd, unsigned char **out, size_t *n)
{
	struct stat st;
	size_t cap, len = 0;
	unsigned char *p = NULL;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (fstat(fd, &st) != 0)
		return -errno;
	/* st_size is only a hint: the file may change while we read it. */
	cap = st.st_size > 0 && (uint64_t)st.st_size <= SF_MAX_BYTES ? (size_t)st.st_size + 1
								     : SF_READ_CHUNK;
	for (;;) {
		ssize_t r;

		if (len == cap || p == NULL) {
			size_t ncap = p == NULL ? cap : cap * 2;
			unsigned char *np;

			if (ncap > (size_t)SF_MAX_BYTES + 1)
				ncap = (size_t)SF_MAX_BYTES + 1;
			np = realloc(p, ncap);
			if (np == NULL) {
				rc = -ENOMEM;
				goto out;
			}
			p = np;
			cap = ncap;
		}
		r = read(fd, p + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SF_MAX_BYTES)
			break; /* enough to refuse it */
	}
out:
	if (rc != 0) {
		free(p);
		return rc;
	}
	*out = p;
	*n = len;
	return 0;
}

/* Refuse path: move it aside and say why in err (msg is the reason).  The
 * caller adds that it was moved aside (statefile.h's contract); only a failed
 * move is spelled out here, as the caller cannot know of it. */
static int refuse(const char *path, const char *msg, char *err, size_t errlen)
{
	int rc = sf_move_aside(path);

	if (rc == 0)
		snprintf(err, errlen, "%s: %s", path, msg);
	else
		snprintf(err, errlen, "%s: %s (and moving it aside to %s.bad failed: %s)", path,
			 msg, path, strerror(-rc));
	return -1;
}

int sf_read(const char *path, struct sf_buf *out, char *err, size_t errlen)
{
	unsigned char *img = NULL;
	const unsigned char *payload;
	char why[256];
	size_t n, plen;
	int fd, rc;

	memset(out, 0, sizeof *out);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		rc = -errno;
		snprintf(err, errlen, "%s: open: %s", path, strerror(-rc));
		return rc;
	}
	rc = read_bounded(fd, &img, &n);
	close(fd);
	if (rc != 0) {
		/* Could not read it: that says nothing about its contents, so it
		 * is not moved aside (a later start may read it fine). */
		snprintf(err, errlen, "%s: read: %s", path, strerror(-rc));
		return rc;
	}
	if (n > SF_MAX_BYTES) {
		free(img);
		snprintf(why, sizeof why, "too large (more than %u bytes)", SF_MAX_BYTES);
		return refuse(path, why, err, errlen);
	}
	if (sf_check(img, n, &payload, &plen, why, sizeof why) != 0) {
		free(img);
		return refuse(path, why, err, errlen);
	}
	/* Keep the read buffer: slide the payload to its start. */
	memmove(img, payload, plen);
	out->p = img;
	out->len = plen;
	out->cap = n;
	return 0;
}

/*
 * Cursor.
 */

void sf_cur_init(struct sf_cur *c, const void *p, size_t len)
{
	c->p = p;
	/* NULL + 0 is undefined in C: an empty cursor needs no arithmetic. */
	c->end = p != NULL ? (const unsigned char *)p + len : NULL;
	c->bad = false;
}

/* The next n bytes, or NULL (bad set) if they are not all there. */
static const unsigned char *take(struct sf_cur *c, size_t n)
{
	const unsigned char *p = c->p;

	if (c->bad)
		return NULL;
	if ((size_t)(c->end - c->p) < n) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	return p;
}

static uint64_t get_le(struct sf_cur *c, unsigned nbytes)
{
	const unsigned char *p = take(c, nbytes);
	uint64_t v = 0;

	if (p == NULL)
		return 0;
	for (unsigned i = 0; i < nbytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint8_t sf_get_u8(struct sf_cur *c)
{
	return (uint8_t)get_le(c, 1);
}

uint16_t sf_get_u16(struct sf_cur *c)
{
	return (uint16_t)get_le(c, 2);
}

uint32_t sf_get_u32(struct sf_cur *c)
{
	return (uint32_t)get_le(c, 4);
}

int64_t sf_get_i64(struct sf_cur *c)
{
	return (int64_t)get_le(c, 8);
}

float sf_get_f32(struct sf_cur *c)
{
	uint32_t bits = (uint32_t)get_le(c, 4);
	float v;

	memcpy(&v, &bits, sizeof v);
	return v;
}

double sf_get_f64(struct sf_cur *c)
{
	uint64_t bits = get_le(c, 8);
	double v;

	memcpy(&v, &bits, sizeof v);
	return v;
}

char *sf_get_str(struct sf_cur *c, bool *was_null)
{
	const unsigned char *p;
	uint32_t n;
	char *s;

	if (was_null != NULL)
		*was_null = false;
	n = sf_get_u32(c);
	if (c->bad)
		return NULL;
	if (n == SF_NULL_STR) {
		if (was_null != NULL)
			*was_null = true;
		return NULL;
	}
	p = take(c, n);
	if (p == NULL)
		return NULL;
	if (memchr(p, '\0', n) != NULL) { /* would be silently cut by C strings */
		c->bad = true;
		return NULL;
	}
	s = malloc((size_t)n + 1);
	if (s == NULL) {
		c->bad = true;
		return NULL;
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int sf_next_rec(struct sf_cur *c, uint16_t *type, struct sf_cur *rec)
{
	const unsigned char *body;
	uint16_t t;
	uint32_t n;

	sf_cur_init(rec, NULL, 0);
	if (!c->bad && c->p == c->end)
		return 0;
	t = sf_get_u16(c);
	n = sf_get_u32(c);
	body = take(c, n);
	if (body == NULL) {
		rec->bad = true;
		return -1;
	}
	*type = t;
	sf_cur_init(rec, body, n);
	return 1;
}
