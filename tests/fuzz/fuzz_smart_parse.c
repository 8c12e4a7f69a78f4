/*
 * libFuzzer target for the smart plugin's parser (plugins/smart_parse.c).
 * Whatever the bytes, smart_parse() either fills a struct smart_doc that
 * keeps its bounds (attributes counted and unique, normalised values and
 * the exit status within 0..255, every string NUL-terminated in its
 * buffer), or refuses with a non-empty reason and leaves the struct zeroed.
 * ASan and UBSan catch the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smart_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* s is a NUL-terminated string within its buffer of size len. */
static void bounded(const char *s, size_t len)
{
	if (memchr(s, '\0', len) == NULL)
		abort();
}

static void check_doc(const struct smart_doc *d)
{
	unsigned char seen[256] = {0};

	if (d->nattrs > SMART_ATTR_MAX || d->nmsgs > SMART_MSG_MAX || d->exit_status > 255)
		abort();
	bounded(d->protocol, sizeof d->protocol);
	bounded(d->dev_name, sizeof d->dev_name);
	bounded(d->dev_type, sizeof d->dev_type);
	bounded(d->model, sizeof d->model);
	bounded(d->serial, sizeof d->serial);
	bounded(d->firmware, sizeof d->firmware);
	bounded(d->selftest.type, sizeof d->selftest.type);
	bounded(d->selftest.status, sizeof d->selftest.status);
	for (unsigned i = 0; i < d->nmsgs; i++)
		bounded(d->msgs[i], sizeof d->msgs[i]);
	for (unsigned i = 0; i < d->nattrs; i++) {
		const struct smart_attr *a = &d->attrs[i];

		if (a->id < 1 || a->id > 255 || seen[a->id] || a->value > 255 || a->worst > 255 ||
		    a->thresh > 255 || a->raw == UINT64_MAX)
			abort();
		seen[a->id] = 1;
		bounded(a->name, sizeof a->name);
		bounded(a->raw_str, sizeof a->raw_str);
	}
	if (d->nvme.has && d->nvme.critical_warning > 0xFF)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smart_doc doc; /* large: not on the stack */
	char err[SMART_ERR_MAX], words[256];
	char *text = malloc(size ? size : 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size); /* not NUL-terminated: the parser takes a length */
	memset(&doc, 0x5a, sizeof doc);
	if (smart_parse(text, size, &doc, err, sizeof err) == 0) {
		check_doc(&doc);
		smart_exit_describe(doc.exit_status, words, sizeof words);
		smart_nvme_cw_describe(doc.nvme.critical_warning, words, sizeof words);
	} else if (err[0] == '\0' || doc.nattrs != 0 || doc.exit_status != 0) {
		abort(); /* a refusal says why and leaves nothing half-filled */
	}
	free(text);
	return 0;
}
