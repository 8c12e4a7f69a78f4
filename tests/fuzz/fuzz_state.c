/*
 * fuzz_state: libFuzzer target for the state file's records (state.c),
 * behind the container checks that fuzz_statefile covers.
 *
 * The input is taken as a payload that already passed the CRC: a corrupt
 * but checksummed file, or a file from a buggy writer.  engine_load() must
 * refuse it or take it without reading out of bounds, and the restored
 * pieces must be claimable: a metric and an event stream named like the
 * seeds' are created afterwards, so restored history and bindings get used
 * and freed under ASan.  Seeds are in tests/fuzz/corpus/fuzz_state/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ruleset *rules(void)
{
	static const char text[] =
	    "rule hot { when value > 10; severity warning; }\n"
	    "rule ce { when bucket(10 per 24h) >= 3; severity warning; }\n"
	    "rule sel { match type \"*\"; when count(1h) > 2; severity info; }\n";
	struct ruleset *rs = calloc(1, sizeof *rs);
	struct cfg_diag diag = {0};

	if (rs != NULL && rules_parse("fuzz.rules", text, sizeof text - 1, rs, &diag) != 0)
		__builtin_trap(); /* the fixed rules must parse */
	cfg_diag_free(&diag);
	return rs;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_cfg cfg = {10, 50, 100, 0};
	struct metric_store ms;
	struct engine e;
	struct hwh_reading r;
	char err[256];

	if (ms_init(&ms, 16) < 0)
		return 0;
	if (engine_init(&e, rules(), &cfg, &ms) < 0) {
		ms_destroy(&ms);
		return 0;
	}
	ms.on_new = engine_metric_new;
	ms.on_free = engine_metric_free;
	ms.hook_arg = &e;
	if (engine_load(&e, data, size, 1000000, 2000000, err, sizeof err) == 0) {
		hwh_reading_init(&r);
		r.device = "d";
		r.name = "n";
		r.kind = HWH_KIND_COUNTER;
		r.value = 42;
		ms_update(&ms, "s", &r, 1000100, 2000100, NULL);
		engine_event(&e, "s", "d", "t", 1000100);
		engine_cycle(&e, 1000200, 2000200);
	} else if (err[0] == '\0') {
		__builtin_trap(); /* a refusal says why */
	}
	engine_destroy(&e);
	ms_destroy(&ms);
	return 0;
}
