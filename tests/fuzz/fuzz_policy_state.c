/*
 * fuzz_policy_state: libFuzzer target for the policy's state-file records
 * (policy.c's ST_POLICY, actlog.c's ST_ACTION, silence.c's ST_SILENCE),
 * behind the container checks that fuzz_statefile covers.
 *
 * The first byte picks what the rest is:
 *   even  a sequence of chunks "u8 kind, u16 length (LE), bytes", each
 *         framed as one record (sf_rec_begin/sf_rec_end) of type
 *         ST_POLICY, ST_ACTION, ST_SILENCE or another one (kind % 4), so
 *         that mutations reach the record parsers instead of breaking the
 *         framing; a chunk cut short by the input's end is taken as it is;
 *   odd   the raw payload, framing and all.
 * policy_load() must take it or refuse it with a message, without reading
 * out of bounds; what it took must hold the loaders' promises (counts
 * within their arrays, strings ending inside their buffers, ids below the
 * next id, finished results), show as JSON, and survive a round trip:
 * policy_save() of it loads back without error into a fresh policy that
 * saves the same bytes and shows the same JSON.  Everything is freed, so
 * ASan catches leaks.  Seeds are in tests/fuzz/corpus/fuzz_policy_state/:
 * records as policy_save() writes them, in chunks, and a raw payload.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then crash for libFuzzer. */
#define BROKEN() (fprintf(stderr, "fuzz_policy_state.c:%d: invariant broken\n", __LINE__), abort())

#define NOW_WALL 1763762400000LL /* fixed, so the JSON of two loads compares */

static const uint16_t rec_types[4] = {7, 5, 8, 6}; /* policy, action, silence, other */

/* Frame the chunks of data as records into b. */
static void frame(const uint8_t *data, size_t size, struct sf_buf *b)
{
	size_t i = 0;

	while (i < size) {
		uint16_t type = rec_types[data[i++] % 4];
		size_t len = 0, rec;

		if (i < size)
			len = data[i++];
		if (i < size)
			len |= (size_t)data[i++] << 8;
		if (len > size - i)
			len = size - i;
		rec = sf_rec_begin(b, type);
		for (size_t k = 0; k < len; k++)
			sf_put_u8(b, data[i + k]);
		sf_rec_end(b, rec);
		i += len;
	}
}

static void check_str(const char *s, size_t len)
{
	if (memchr(s, '\0', len) == NULL)
		BROKEN(); /* ends inside its buffer */
}

/* What the loaders promise about what they took. */
static void check_loaded(struct policy *p)
{
	struct actlog *l = &p->log;

	if (l->n > ACTLOG_MAX || p->ndrains > POLICY_DRAINS_MAX || p->sil.n > SILENCE_MAX ||
	    l->next_id < 1)
		BROKEN();
	check_str(p->fence_boot, sizeof p->fence_boot);
	check_str(p->budget_last, sizeof p->budget_last);
	for (size_t i = 0; i < l->n; i++) {
		const struct act_record *r = actlog_at(l, i);

		if (r->id <= 0 || r->id >= l->next_id || (unsigned)r->kind >= AK_COUNT ||
		    r->nevidence > ACT_EVIDENCE_MAX || (unsigned)r->result >= AR_COUNT ||
		    !act_result_final(r->result) || r->state < 0 || r->state > 3 ||
		    r->previous_state < 0 || r->previous_state > 3 ||
		    (r->output != NULL &&
		     (r->output[0] == '\0' || strlen(r->output) > ACT_OUTPUT_MAX)))
			BROKEN();
		check_str(r->actuator, sizeof r->actuator);
		check_str(r->user, sizeof r->user);
		check_str(r->reason, sizeof r->reason);
		check_str(r->detail, sizeof r->detail);
		for (unsigned e = 0; e < r->nevidence; e++)
			check_str(r->evidence[e], sizeof r->evidence[e]);
	}
	for (size_t i = 0; i < p->sil.n; i++) {
		const struct silence *x = &p->sil.v[i];

		check_str(x->target, sizeof x->target);
		check_str(x->reason, sizeof x->reason);
		check_str(x->user, sizeof x->user);
		if (x->id <= 0 || x->id >= p->sil.next_id || x->target[0] == '\0')
			BROKEN();
	}
}

/* Everything the control socket shows of p, as one string (caller frees). */
static char *show(struct policy *p)
{
	json_object *o = json_object_new_object(), *sil = json_object_new_array();
	char *s;

	json_object_object_add(o, "policy", policy_json(p, 0, NOW_WALL));
	json_object_object_add(o, "actions", actlog_json(&p->log, 0));
	for (size_t i = 0; i < p->sil.n; i++)
		json_object_array_add(sil, silence_json(&p->sil.v[i], NOW_WALL, 0));
	json_object_object_add(o, "silences", sil);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	if (s == NULL)
		abort();
	return s;
}

/* Save p, load that into a fresh policy, and compare. */
static void round_trip(struct policy *p)
{
	struct sf_buf b1 = {0}, b2 = {0};
	struct policy *q = malloc(sizeof *q);
	char err[256] = "", *j1, *j2;

	if (q == NULL || policy_init(q) < 0)
		abort();
	policy_save(p, &b1);
	if (b1.oom)
		abort();
	if (policy_load(q, b1.p, b1.len, err, sizeof err) != 0)
		BROKEN(); /* what we save must load */
	check_loaded(q);
	policy_save(q, &b2);
	if (b2.oom)
		abort();
	if (b1.len != b2.len || memcmp(b1.p, b2.p, b1.len) != 0)
		BROKEN(); /* and save the same */
	j1 = show(p);
	j2 = show(q);
	if (strcmp(j1, j2) != 0) {
		fprintf(stderr, "loaded: %s\nreloaded: %s\n", j1, j2);
		BROKEN(); /* and show the same */
	}
	free(j1);
	free(j2);
	sf_buf_free(&b1);
	sf_buf_free(&b2);
	policy_free(q);
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sf_buf in = {0};
	struct policy *p;
	char err[256] = "";
	int rc;

	if (size < 1 || size > (1u << 20))
		return 0;
	if ((p = malloc(sizeof *p)) == NULL || policy_init(p) < 0)
		abort();
	log_set_level(HWH_LOG_ERR); /* restores log at notice */
	if (data[0] & 1) {
		rc = policy_load(p, data + 1, size - 1, err, sizeof err);
	} else {
		frame(data + 1, size - 1, &in);
		if (in.oom)
			abort();
		rc = policy_load(p, in.p, in.len, err, sizeof err);
	}
	if (rc != 0 && (rc != -1 || err[0] == '\0'))
		BROKEN(); /* a refusal says why */
	/* What was taken before a refusal stays (persist.c keeps it). */
	check_loaded(p);
	round_trip(p);
	sf_buf_free(&in);
	policy_free(p);
	free(p);
	return 0;
}
