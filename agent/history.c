/*
 * history: fixed-capacity sample rings.  See history.h.
 */
#include "history.h"

#include <stdlib.h>

size_t hist_bytes(uint32_t cap)
{
	return sizeof(struct hist_ring) + (size_t)cap * sizeof(struct hist_sample);
}

struct hist_ring *hist_new(uint32_t cap)
{
	struct hist_ring *h;

	if (cap == 0)
		return NULL;
	h = calloc(1, hist_bytes(cap));
	if (h != NULL)
		h->cap = cap;
	return h;
}

void hist_free(struct hist_ring *h)
{
	free(h);
}

void hist_push(struct hist_ring *h, int64_t t_ms, double v)
{
	h->s[h->head] = (struct hist_sample){.t_ms = t_ms, .v = v};
	h->head = (h->head + 1) % h->cap;
	if (h->len < h->cap)
		h->len++;
}

uint32_t hist_len(const struct hist_ring *h)
{
	return h->len;
}

const struct hist_sample *hist_at(const struct hist_ring *h, uint32_t i)
{
	uint32_t oldest;

	if (i >= h->len)
		return NULL;
	oldest = (h->head + h->cap - h->len) % h->cap;
	return &h->s[(oldest + i) % h->cap];
}

const struct hist_sample *hist_last(const struct hist_ring *h)
{
	if (h->len == 0)
		return NULL;
	return &h->s[(h->head + h->cap - 1) % h->cap];
}

/* Samples are pushed in time order, so a binary search over 0..len works. */
uint32_t hist_first_since(const struct hist_ring *h, int64_t since_ms)
{
	uint32_t lo = 0, hi = h->len;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (hist_at(h, mid)->t_ms < since_ms)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
