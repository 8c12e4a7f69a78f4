/*
 * fuzz_ipmi_opts: libFuzzer target for the ipmi plugin's option parser
 * (plugins/ipmi_opts.c) and pure mappings (plugins/ipmi_class.c).
 *
 * Each input is a list of options, one per line, "key value" (split at the
 * first blank; a line without one is a key with no value), as a source
 * block would hand them to config().  The parse must either succeed with
 * consistent options (protocol matching host, timeouts in range, secrets
 * within IPMI's lengths) or fail with a message and an option index that
 * exists; everything is freed, so ASan catches leaks and overruns.  Every
 * value also goes through the name sanitizer, the metric name table, the
 * SEL position parser and the small parsers, whose outputs are checked.
 * Seeds are in tests/fuzz/corpus/fuzz_ipmi_opts/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"
#include "fuzz_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A successful parse must give options that make sense together. */
static void check_ok(const struct bmc_opts *o, const struct hwh_config_error *err)
{
	char buf[160];

	if (err->option != -1)
		__builtin_trap();
	if ((o->host == NULL) != (o->proto == BMC_INBAND))
		__builtin_trap();
	if (o->session_timeout_ms < 100 || o->session_timeout_ms > 60000 ||
	    o->retrans_timeout_ms < 10 || o->retrans_timeout_ms >= o->session_timeout_ms)
		__builtin_trap();
	if (o->password_len > (o->proto == BMC_LAN ? 16u : 20u) ||
	    strlen(o->password) > o->password_len || o->k_g_len > BMC_K_G_MAX)
		__builtin_trap();
	if (o->sdr_cache_dir == NULL || o->sdr_cache_dir[0] != '/' || (!o->sensors && !o->sel))
		__builtin_trap();
	if (o->user != NULL && strlen(o->user) > BMC_USER_MAX)
		__builtin_trap();
	if (bmc_describe(o, buf, sizeof buf)[0] == '\0')
		__builtin_trap();
}

/* A sanitized name is [a-z0-9] runs joined by single '_'. */
static void check_name(const char *s, size_t n)
{
	if (strlen(s) != n || n > BMC_NAME_BASE_MAX)
		__builtin_trap();
	if (n > 0 && (s[0] == '_' || s[n - 1] == '_' || strstr(s, "__") != NULL))
		__builtin_trap();
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
		__builtin_trap();
}

/* Feed one value to the pure helpers. */
static void check_value(struct bmc_names *t, unsigned i, const char *v)
{
	char name[BMC_NAME_MAX], msg[256], pos[32];
	unsigned char key[BMC_K_G_MAX];
	struct bmc_sel_pos p, q;
	unsigned flags, len;
	uint64_t ms;
	const char *got;

	check_name(name, bmc_name_sanitize(v, name, sizeof name));
	got = bmc_names_get(t, i * 131u, i, v);
	if (got == NULL || strlen(got) >= BMC_NAME_MAX || bmc_names_find(t, i, v) == NULL)
		__builtin_trap();
	if (bmc_sel_pos_parse(v, &p) == 0) {
		if (bmc_sel_pos_parse(bmc_sel_pos_format(&p, pos, sizeof pos), &q) < 0 ||
		    p.id != q.id || p.ts != q.ts || p.id > 0xFFFF)
			__builtin_trap();
	}
	(void)pu_parse_duration_ms(v, &ms);
	if (bmc_parse_k_g(v, key, &len) == 0 && (len == 0 || len > BMC_K_G_MAX))
		__builtin_trap();
	for (int proto = BMC_INBAND; proto <= BMC_LANPLUS; proto++)
		if (bmc_parse_workarounds(v, (enum bmc_proto)proto, &flags, msg, sizeof msg) < 0 &&
		    msg[0] == '\0')
			__builtin_trap();
	if (bmc_check_host(v, msg, sizeof msg) < 0 && msg[0] == '\0')
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwh_option opts[FUZZ_MAX_OPTS];
	struct hwh_config_error err;
	struct bmc_names names = {0};
	struct bmc_opts o;
	char *text = malloc(size + 1);
	size_t n;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = fuzz_split_opts(text, opts);
	memset(&o, 0, sizeof o);
	if (bmc_opts_parse(opts, n, &o, &err) == 0)
		check_ok(&o, &err);
	else if (err.msg[0] == '\0' || err.option < -1 || err.option >= (int)n)
		__builtin_trap(); /* a refusal names a real option and says why */
	bmc_opts_free(&o);
	for (size_t i = 0; i < n; i++)
		if (opts[i].value != NULL)
			check_value(&names, (unsigned)i, opts[i].value);
	bmc_names_sweep(&names);
	bmc_names_free(&names);
	free(text);
	return 0;
}
