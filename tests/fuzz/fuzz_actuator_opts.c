/*
 * fuzz_actuator_opts: libFuzzer target for the actuators' option parsers:
 * pacemaker (pm_conf_parse(), plugins/pacemaker_logic.c), slurm
 * (slurm_opts_parse(), plugins/slurm_opts.c) and exec (its config(),
 * reached through the hwh_plugin descriptor compiled in: exec.c keeps its
 * options in a private struct, so only the answer is checked, and the
 * instance is freed through shutdown() so ASan sees leaks).
 *
 * The first byte picks the plugin (byte % 3), the rest is options, one per
 * line, "key value" (fuzz_opts.h).  Each parser accepts them with values
 * its header promises, or refuses them with a message and an option index
 * that exists (or -1 for the block).  Seeds are in
 * tests/fuzz/corpus/fuzz_actuator_opts/.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_opts.h"
#include "pacemaker_internal.h"
#include "slurm_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct hwh_plugin hwh_plugin; /* exec.c's */

/* An invariant does not hold: say which, then crash for libFuzzer. */
#define BROKEN() (fprintf(stderr, "fuzz_actuator_opts.c:%d: invariant broken\n", __LINE__), abort())

static void check_refusal(const struct hwh_config_error *err, size_t n)
{
	if (err->option < -1 || err->option >= (int)n || err->msg[0] == '\0' ||
	    memchr(err->msg, '\0', sizeof err->msg) == NULL)
		BROKEN();
}

/* A name pm_conf_parse() lets through: 1..PM_NAME_MAX-1 bytes, no '-'
 * first, letters, digits and the extra characters only. */
static int pm_name_ok(const char *s, const char *extra)
{
	size_t n = strlen(s);

	if (n == 0 || n >= PM_NAME_MAX || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr(extra, ch) != NULL))
			return 0;
	}
	return 1;
}

static void fuzz_pacemaker(struct hwh_option *opts, size_t n)
{
	struct hwh_config_error err = {.option = -2};
	struct pm_conf c;
	size_t tl;

	if (pm_conf_parse(opts, n, &c, &err) < 0) {
		check_refusal(&err, n);
		return;
	}
	tl = strnlen(c.tools_dir, sizeof c.tools_dir);
	if (err.option != -1 || (c.mode != PM_MODE_HEALTH && c.mode != PM_MODE_STANDBY) ||
	    (c.fence_action != PM_FENCE_REBOOT && c.fence_action != PM_FENCE_OFF) ||
	    (c.node[0] != '\0' && !pm_name_ok(c.node, "._-")) ||
	    !pm_name_ok(c.attribute, "#._:-") || strcmp(c.attribute, PM_MARKER_ATTR) == 0 ||
	    strcmp(c.attribute, "standby") == 0 || tl == 0 || tl >= sizeof c.tools_dir ||
	    c.tools_dir[0] != '/' || (tl > 1 && c.tools_dir[tl - 1] == '/'))
		BROKEN();
}

static void fuzz_slurm(struct hwh_option *opts, size_t n)
{
	struct hwh_config_error err = {.option = -2};
	struct slurm_conf *c = malloc(sizeof *c);
	size_t nl;

	if (c == NULL)
		abort();
	if (slurm_opts_parse(opts, n, c, &err) < 0) {
		check_refusal(&err, n);
		free(c);
		return;
	}
	nl = strnlen(c->node, sizeof c->node);
	if (err.option != -1 || nl == 0 || nl >= sizeof c->node ||
	    c->node[strcspn(c->node, " \t,=|[]\"'")] != '\0' || c->scontrol[0] != '/' ||
	    c->sinfo[0] != '/' || memchr(c->scontrol, '\0', sizeof c->scontrol) == NULL ||
	    memchr(c->sinfo, '\0', sizeof c->sinfo) == NULL ||
	    memchr(c->slurm_conf, '\0', sizeof c->slurm_conf) == NULL ||
	    (c->slurm_conf[0] != '\0' && strncmp(c->slurm_conf, "SLURM_CONF=/", 12) != 0))
		BROKEN();
	free(c);
}

static void fuzz_exec(struct hwh_option *opts, size_t n)
{
	struct hwh_config_error err = {.option = -2};
	void *inst = NULL;

	if (hwh_plugin.config(opts, n, &inst, &err) < 0) {
		check_refusal(&err, n);
		if (inst != NULL)
			BROKEN(); /* a refusal keeps nothing */
		return;
	}
	if (err.option != -1 || inst == NULL)
		BROKEN();
	hwh_plugin.shutdown(inst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwh_option opts[FUZZ_MAX_OPTS];
	char *text;
	size_t n;

	if (size < 1 || size > 65536)
		return 0;
	if ((text = malloc(size)) == NULL)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	n = fuzz_split_opts(text, opts);
	switch (data[0] % 3) {
	case 0:
		fuzz_pacemaker(opts, n);
		break;
	case 1:
		fuzz_slurm(opts, n);
		break;
	default:
		fuzz_exec(opts, n);
		break;
	}
	free(text);
	return 0;
}
