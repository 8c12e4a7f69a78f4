/*
 * history: a fixed-capacity ring of (time, value) samples per metric.
 *
 * Memory is bounded: one allocation of hist_bytes(cap) per metric, made when
 * the metric first appears; pushing never allocates.  Times are monotonic
 * milliseconds (see util.h), so a wall-clock step never bends a trend.
 * The rules issue adds coarser aggregate rings beside this raw one.
 */
#ifndef HWH_HISTORY_H
#define HWH_HISTORY_H

#include <stddef.h>
#include <stdint.h>

struct hist_sample {
	int64_t t_ms; /* CLOCK_MONOTONIC, milliseconds */
	double v;     /* NAN for an unreadable sample */
};

struct hist_ring {
	uint32_t cap;  /* samples the ring holds */
	uint32_t len;  /* samples in it, <= cap */
	uint32_t head; /* index the next push writes */
	struct hist_sample s[];
};

/* Bytes one ring of cap samples takes. */
size_t hist_bytes(uint32_t cap);
/* A new empty ring, or NULL (cap == 0 or ENOMEM). */
struct hist_ring *hist_new(uint32_t cap);
void hist_free(struct hist_ring *h);
/* Append a sample, overwriting the oldest when full. */
void hist_push(struct hist_ring *h, int64_t t_ms, double v);
/* Number of samples held. */
uint32_t hist_len(const struct hist_ring *h);
/* The i-th sample, 0 = oldest.  NULL if i >= len. */
const struct hist_sample *hist_at(const struct hist_ring *h, uint32_t i);
/* The newest sample, or NULL if empty. */
const struct hist_sample *hist_last(const struct hist_ring *h);
/* Index (0 = oldest) of the first sample with t_ms >= since; len if none. */
uint32_t hist_first_since(const struct hist_ring *h, int64_t since_ms);

#endif
