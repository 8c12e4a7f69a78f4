/*
 * fuzz_snmp_view: libFuzzer target for the SNMP view and notifications
 * (plugins/snmp_view*.c, plugins/snmp_notify.c), pure C over json-c.
 *
 * Input: a flags byte, then up to seven NUL-separated texts: the status,
 * sensors, explain and actions replies of a first look, then the status,
 * explain and actions of a second.  Flag bit k (k < 7) leaves text k out
 * (NULL); bit 7 picks a longer custom root.
 *   snmpv_build(): 0 with a view, or -1 with a message and *out untouched.
 *   A view: a walk by snmpv_next() from nothing visits snmpv_count()
 *   instances in strictly increasing order, each under the root, found by
 *   snmpv_get(), of a known type with a value in its type's range (strings
 *   at most 255 octets, NUL-terminated); GETNEXT of OIDs made of the input
 *   returns something after them; snmpv_lookup() of each row's key finds an
 *   index the view has.
 *   snmpn_diff() of the first look (a baseline: no notice), then of the
 *   second: notices under root.0, at most 8 varbinds, each under the root.
 *   A failing diff leaves the state usable.
 * Seeds are in tests/fuzz/corpus/fuzz_snmp_view/ (the replies of
 * tests/fixtures/snmp/ and small hand-made ones).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snmp_notify.h"
#include "snmp_view_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then crash for libFuzzer. */
#define BROKEN() (fprintf(stderr, "fuzz_snmp_view.c:%d: invariant broken\n", __LINE__), abort())

#define NTEXTS 7

static const uint32_t root_short[] = {1, 3, 6, 1, 4, 1, 32473};
static const uint32_t root_long[] = {1, 3, 6,  1,  4,  1,  32473, 1,  2,  3,  4,  5,  6, 7,
				     8, 9, 10, 11, 12, 13, 14,	  15, 16, 17, 18, 19, 27};

static bool under_root(const uint32_t *oid, size_t len, const uint32_t *root, size_t rootlen)
{
	return len > rootlen && len <= SNMPV_OID_MAX &&
	       memcmp(oid, root, rootlen * sizeof *root) == 0;
}

static void check_var(const struct snmpv_var *x, const uint32_t *root, size_t rootlen)
{
	if (!under_root(x->oid, x->oidlen, root, rootlen) || x->oid[rootlen] != 1)
		BROKEN();
	switch (x->type) {
	case SNMPV_INTEGER:
		if (x->num < -2147483647 || x->num > 2147483647)
			BROKEN();
		break;
	case SNMPV_GAUGE32:
	case SNMPV_COUNTER32:
		if (x->num < 0 || x->num > 4294967295)
			BROKEN();
		break;
	case SNMPV_OCTETS:
		if (x->str == NULL || x->len > SNMPV_TEXT_MAX || x->str[x->len] != '\0')
			BROKEN();
		break;
	default:
		BROKEN();
	}
}

static void check_view(const struct snmpv_view *v, const uint32_t *root, size_t rootlen,
		       const uint8_t *data, size_t size)
{
	const struct snmpv_var *x, *prev = NULL;
	size_t n = 0;
	uint32_t oid[SNMPV_OID_MAX + 4];

	for (x = snmpv_next(v, NULL, 0); x != NULL;
	     prev = x, x = snmpv_next(v, x->oid, x->oidlen)) {
		check_var(x, root, rootlen);
		if (snmpv_get(v, x->oid, x->oidlen) != x || snmpv_at(v, n) != x)
			BROKEN();
		if (prev != NULL && snmpv_oid_cmp(prev->oid, prev->oidlen, x->oid, x->oidlen) >= 0)
			BROKEN();
		if (++n > snmpv_count(v))
			BROKEN();
	}
	if (n != snmpv_count(v))
		BROKEN();
	/* GETNEXT of a few OIDs made of the input: the root, then its bytes */
	for (size_t k = 0; k < 4 && k < size; k++) {
		size_t len = rootlen;

		memcpy(oid, root, rootlen * sizeof *root);
		for (size_t i = k; i < size && len < sizeof oid / sizeof oid[0]; i += 4)
			oid[len++] = data[i] % 10;
		x = snmpv_next(v, oid, len);
		if (x != NULL && snmpv_oid_cmp(x->oid, x->oidlen, oid, len) <= 0)
			BROKEN();
		x = snmpv_get(v, oid, len);
		if (x != NULL && snmpv_oid_cmp(x->oid, x->oidlen, oid, len) != 0)
			BROKEN();
	}
	/* every string row key (name, id) is found again */
	for (size_t i = 0; (x = snmpv_at(v, i)) != NULL; i++) {
		unsigned t = x->oid[rootlen + 1];
		bool key = x->oidlen == rootlen + 5 && x->type == SNMPV_OCTETS &&
			   x->oid[rootlen + 3] == 2 &&
			   (t == SNMPV_TABLE_SOURCE || t == SNMPV_TABLE_METRIC);

		if (key && x->len < SNMPV_TEXT_MAX && strlen(x->str) == x->len &&
		    (t == SNMPV_TABLE_METRIC || x->len < 64) &&
		    snmpv_lookup(v, t, x->str) != x->oid[rootlen + 4])
			BROKEN();
	}
}

static void check_notices(const struct snmpn_notice *v, size_t n, const uint32_t *root,
			  size_t rootlen)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].traplen != rootlen + 2 || memcmp(v[i].trap, root, rootlen * 4) != 0 ||
		    v[i].trap[rootlen] != 0 || v[i].trap[rootlen + 1] < 1 ||
		    v[i].trap[rootlen + 1] > 8 || v[i].nvb > 8 || strlen(v[i].what) >= 128)
			BROKEN();
		for (size_t k = 0; k < v[i].nvb; k++)
			check_var(&v[i].vb[k], root, rootlen);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *text[NTEXTS] = {NULL};
	const uint32_t *root;
	size_t rootlen, n = 0;
	struct snmpv_view *v = (struct snmpv_view *)0x1;
	struct snmpn_state *st = NULL;
	struct snmpn_notice *no = NULL;
	struct snmpv_input in;
	char err[256];
	uint8_t flags;

	if (size < 1 || size > 1 << 20)
		return 0;
	flags = data[0];
	root = flags & 0x80 ? root_long : root_short;
	rootlen = flags & 0x80 ? sizeof root_long / 4 : sizeof root_short / 4;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (char *p = buf; n < NTEXTS; n++) {
		text[n] = flags & (1u << n) ? NULL : p;
		if (p >= buf + size - 1)
			break;
		p += strlen(p) + 1;
		if (p >= buf + size)
			p = buf + size - 1;
	}

	in = (struct snmpv_input){text[0], text[1], text[2], text[3], (uint32_t)size};
	err[0] = '\0';
	if (snmpv_build(&in, root, rootlen, &v, err, sizeof err) == 0) {
		check_view(v, root, rootlen, data, size);
		snmpv_free(v);
	} else if (v != (struct snmpv_view *)0x1 || err[0] == '\0') {
		BROKEN();
	}

	if (snmpn_diff(&st, &in, root, rootlen, &no, &n, err, sizeof err) == 0) {
		if (st == NULL || n != 0 || no != NULL)
			BROKEN(); /* the first look is a baseline */
	} else if (st != NULL || no != NULL || n != 0) {
		BROKEN();
	}
	in = (struct snmpv_input){text[4], NULL, text[5], text[6], 0};
	if (snmpn_diff(&st, &in, root, rootlen, &no, &n, err, sizeof err) == 0) {
		check_notices(no, n, root, rootlen);
		snmpn_notices_free(no, n);
		/* the same again: nothing new */
		if (snmpn_diff(&st, &in, root, rootlen, &no, &n, err, sizeof err) != 0 || n != 0)
			BROKEN();
	} else if (no != NULL || n != 0) {
		BROKEN();
	}
	snmpn_state_free(st);
	free(buf);
	return 0;
}
