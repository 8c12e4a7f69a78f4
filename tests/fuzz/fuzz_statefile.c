/*
 * fuzz_statefile: libFuzzer target for the state file container check and
 * the payload cursor.
 *
 * Each input is checked with sf_check() as a whole file image.  If it is
 * accepted (the seeds are valid files), its payload is walked record by
 * record with every getter.  The CRC makes almost every mutation a refused
 * file, which would leave the cursor unfuzzed, so the raw input is also
 * walked as if it were a payload: the cursor must never read out of bounds
 * whatever the bytes, as it is all that stands between a scribbled-on
 * file that happens to pass and the daemon's memory.
 * Seeds are in tests/fuzz/corpus/fuzz_statefile/ (written by sf_write()).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read rec to its end with getters picked by type and position; returns a
 * sum so the reads are not optimised out. */
static size_t walk_record(uint16_t type, struct sf_cur *rec)
{
	size_t n = 0;
	bool was_null;
	char *s;

	for (unsigned step = 0; !rec->bad && rec->p != rec->end; step++) {
		const unsigned char *before = rec->p;

		switch ((type + step) % 7) {
		case 0:
			n += sf_get_u8(rec);
			break;
		case 1:
			n += sf_get_u16(rec);
			break;
		case 2:
			n += sf_get_u32(rec);
			break;
		case 3:
			n += (size_t)sf_get_i64(rec);
			break;
		case 4:
			n += sf_get_f32(rec) > 0;
			break;
		case 5:
			n += sf_get_f64(rec) > 0;
			break;
		default:
			s = sf_get_str(rec, &was_null);
			if (s != NULL) {
				n += strlen(s);
				free(s);
			} else if (!rec->bad && !was_null) {
				__builtin_trap(); /* NULL means bad or a written NULL */
			}
			break;
		}
		if (!rec->bad && rec->p == before)
			__builtin_trap(); /* a good get consumes bytes */
		if (rec->p > rec->end)
			__builtin_trap();
	}
	/* Once bad, every get gives nothing. */
	if (rec->bad && (sf_get_u32(rec) != 0 || sf_get_str(rec, NULL) != NULL))
		__builtin_trap();
	return n;
}

static size_t walk_payload(const unsigned char *p, size_t len)
{
	struct sf_cur c, rec;
	uint16_t type = 0;
	size_t n = 0;
	int rc;

	sf_cur_init(&c, p, len);
	while ((rc = sf_next_rec(&c, &type, &rec)) == 1)
		n += walk_record(type, &rec);
	if (rc == -1 && !c.bad)
		__builtin_trap(); /* malformed means bad set */
	if (rc == 0 && c.p != c.end)
		__builtin_trap(); /* the end means all was read */
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const unsigned char *payload;
	volatile size_t sink = 0;
	size_t len;
	char err[256];

	if (sf_check(data, size, &payload, &len, err, sizeof err) == 0) {
		if (payload < data || len > size || payload + len > data + size)
			__builtin_trap(); /* the payload lies inside the image */
		sink += walk_payload(payload, len);
	} else {
		if (err[0] == '\0' || payload != NULL)
			__builtin_trap(); /* a refusal says why and gives nothing */
		sink += strlen(err);
	}
	sink += walk_payload(data, size);
	(void)sink;
	return 0;
}
