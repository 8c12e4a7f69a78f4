/*
 * fuzz_config: libFuzzer target for the hwhealth.conf parser.
 *
 * Feeds each input to config_parse() as a whole file, then walks the
 * result (so that a dangling or short string in a source or option is
 * touched under ASan) and frees everything, diagnostics included: a leak or
 * an out-of-bounds access anywhere in lexer, parser or setters fails.
 * Seeds are in tests/fuzz/corpus/fuzz_config/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every string of cfg; returns a sum so the reads are not optimised out. */
static size_t touch(const struct hwh_config *cfg)
{
	size_t n = strlen(cfg->path) + strlen(cfg->socket_path) + strlen(cfg->state_dir);

	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct cfg_source *s = &cfg->sources[i];

		n += strlen(s->name) + strlen(s->plugin) + strlen(s->file);
		n += (size_t)cfg_source_stale_ms(cfg, s) & 1;
		for (size_t j = 0; j < s->nopts; j++)
			n += strlen(s->opts[j].key) + strlen(s->opts[j].value) +
			     strlen(s->opts[j].file);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_diag diag = {0};
	struct hwh_config *cfg = NULL;
	volatile size_t sink = 0;

	if (config_parse("fuzz.conf", (const char *)data, size, &cfg, &diag) == 0) {
		if (!cfg || diag.n != 0)
			__builtin_trap(); /* success means a config and no errors */
		sink += touch(cfg);
	} else if (cfg || diag.n == 0) {
		__builtin_trap(); /* failure means no config and a reason */
	}
	for (size_t i = 0; i < diag.n; i++)
		sink += strlen(diag.msgs[i]);
	(void)sink;
	config_free(cfg);
	cfg_diag_free(&diag);
	return 0;
}
