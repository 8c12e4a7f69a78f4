/*
 * ipmi_values.c: the ipmi plugin's option values, parsed and checked one by
 * one: durations, the BMC key, yes/no and word choices, the host, the
 * workaround list, and the files an option names (interpretation files,
 * password-file).  ipmi_opts.c decides which option takes which and how
 * they fit together.
 *
 * Pure C like ipmi_opts.c (libipmimonitoring's header gives the workaround
 * flags' values only): the unit tests and the fuzz target link it.  The
 * only I/O is opening the files an option names.
 *
 * To extend: a new kind of value is a parser here, declared in
 * ipmi_internal.h; a new workaround is a row in workarounds[].
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ipmi_monitoring.h>

#include <hwhealth/plugin.h>

#include "ipmi_internal.h"

#define BMC_PASSWORD_FILE_READ 256 /* bytes of password-file looked at */
#define BMC_WORD_SHOWN 16	   /* bytes of an unknown workaround quoted */

/* ---- small parsers ------------------------------------------------------ */

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int bmc_parse_k_g(const char *s, unsigned char *out, unsigned *len)
{
	size_t n = strlen(s);

	if (n == 0)
		return -1;
	if (strncasecmp(s, "0x", 2) != 0) {
		if (n > BMC_K_G_MAX)
			return -1;
		memcpy(out, s, n);
		*len = (unsigned)n;
		return 0;
	}
	s += 2;
	n -= 2;
	if (n == 0 || n % 2 != 0 || n / 2 > BMC_K_G_MAX)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = (unsigned)(n / 2);
	return 0;
}

/* "yes" or "no" into *b.  0 or -1. */
int bmc_parse_bool(const char *s, int *b)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "no") == 0) {
		*b = s[0] == 'y';
		return 0;
	}
	return -1;
}

/* A word of names[] (NULL-terminated) into the matching vals[].  0 or -1. */
int bmc_parse_word(const char *s, const char *const *names, const int *vals, int *out)
{
	for (size_t i = 0; names[i] != NULL; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = vals[i];
			return 0;
		}
	}
	return -1;
}

/* ---- host --------------------------------------------------------------- */

/* A port number 1..65535.  0 or -1. */
static int check_port(const char *s)
{
	unsigned long v = 0;

	if (*s == '\0' || strlen(s) > 5)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	return v >= 1 && v <= 65535 ? 0 : -1;
}

/* A host name or IPv4 address: letters, digits, '-', '.', '_'. */
static int check_name(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-' || s[0] == '.')
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("-._", s[i]) == NULL)
			return -1;
	return 0;
}

/* An IPv6 address in brackets: hex digits, ':' and '.'. */
static int check_v6(const char *s, size_t n)
{
	if (n < 2)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
			return -1;
	return 0;
}

int bmc_check_host(const char *s, char *msg, size_t len)
{
	const char *colon, *port = NULL;
	size_t n = strlen(s);

	if (n > BMC_HOST_MAX) {
		snprintf(msg, len, "host: at most %d bytes, got %zu", BMC_HOST_MAX, n);
		return -1;
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || check_v6(s + 1, (size_t)(close - s - 1)) < 0 ||
		    (close[1] != '\0' && close[1] != ':')) {
			snprintf(msg, len,
				 "host: expected an IPv6 address in brackets such as [fd00::5] or "
				 "[fd00::5]:623, got '%s'",
				 s);
			return -1;
		}
		port = close[1] == ':' ? close + 2 : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL) {
			snprintf(msg, len,
				 "host: an IPv6 address goes in brackets: [%s] or [%s]:623", s, s);
			return -1;
		}
		if (check_name(s, colon ? (size_t)(colon - s) : n) < 0) {
			snprintf(msg, len,
				 "host: expected a host name or address, optionally with :PORT "
				 "(such as bmc1.example.com or 10.0.0.5:623), got '%s'",
				 s);
			return -1;
		}
		port = colon ? colon + 1 : NULL;
		if (port == NULL && (strcmp(s, "localhost") == 0 || strcmp(s, "127.0.0.1") == 0)) {
			snprintf(
			    msg, len,
			    "host: '%s' without a port means in-band to FreeIPMI; give the "
			    "port (%s:623) for a BMC on this machine's network, or leave 'host' "
			    "out for in-band",
			    s, s);
			return -1;
		}
	}
	if (port != NULL && check_port(port) < 0) {
		snprintf(msg, len, "host: expected a port from 1 to 65535 after ':', got '%s'", s);
		return -1;
	}
	return 0;
}

/* ---- workarounds -------------------------------------------------------- */

#define W_LAN (1u << BMC_LAN)
#define W_LANPLUS (1u << BMC_LANPLUS)
#define W_INBAND (1u << BMC_INBAND)

/* FreeIPMI's names (ipmi-sensors -W) and the protocols each applies to. */
static const struct {
	const char *name;
	unsigned protos;	       /* W_* */
	unsigned lan, lanplus, inband; /* the flag for each protocol */
} workarounds[] = {
#define WF(p) IPMI_MONITORING_WORKAROUND_FLAGS_##p
    {"authcap", W_LAN | W_LANPLUS, WF(PROTOCOL_VERSION_1_5_AUTHENTICATION_CAPABILITIES),
     WF(PROTOCOL_VERSION_2_0_AUTHENTICATION_CAPABILITIES), 0},
    {"idzero", W_LAN, WF(PROTOCOL_VERSION_1_5_ACCEPT_SESSION_ID_ZERO), 0, 0},
    {"unexpectedauth", W_LAN, WF(PROTOCOL_VERSION_1_5_CHECK_UNEXPECTED_AUTHCODE), 0, 0},
    {"forcepermsg", W_LAN, WF(PROTOCOL_VERSION_1_5_FORCE_PERMSG_AUTHENTICATION), 0, 0},
    {"endianseq", W_LAN, WF(PROTOCOL_VERSION_1_5_BIG_ENDIAN_SEQUENCE_NUMBER), 0, 0},
    {"noauthcodecheck", W_LAN, WF(PROTOCOL_VERSION_1_5_NO_AUTH_CODE_CHECK), 0, 0},
    {"nochecksumcheck", W_LAN | W_LANPLUS, WF(PROTOCOL_VERSION_1_5_NO_CHECKSUM_CHECK),
     WF(PROTOCOL_VERSION_2_0_NO_CHECKSUM_CHECK), 0},
    {"intel20", W_LANPLUS, 0, WF(PROTOCOL_VERSION_2_0_INTEL_2_0_SESSION), 0},
    {"supermicro20", W_LANPLUS, 0, WF(PROTOCOL_VERSION_2_0_SUPERMICRO_2_0_SESSION), 0},
    {"sun20", W_LANPLUS, 0, WF(PROTOCOL_VERSION_2_0_SUN_2_0_SESSION), 0},
    {"opensesspriv", W_LANPLUS, 0, WF(PROTOCOL_VERSION_2_0_OPEN_SESSION_PRIVILEGE), 0},
    {"integritycheckvalue", W_LANPLUS, 0, WF(PROTOCOL_VERSION_2_0_NON_EMPTY_INTEGRITY_CHECK_VALUE),
     0},
    {"assumeio", W_INBAND, 0, 0, WF(INBAND_ASSUME_IO_BASE_ADDRESS)},
    {"spinpoll", W_INBAND, 0, 0, WF(INBAND_SPIN_POLL)},
#undef WF
};
#define NWORKAROUNDS (sizeof workarounds / sizeof workarounds[0])

/* Where a workaround applies, for messages. */
static const char *protos_text(unsigned protos)
{
	if (protos == (W_LAN | W_LANPLUS))
		return "protocols lan and lanplus (not in-band)";
	if (protos == W_LAN)
		return "protocol lan (IPMI 1.5) only";
	if (protos == W_LANPLUS)
		return "protocol lanplus (IPMI 2.0) only";
	return "in-band access (no host) only";
}

/* Apply one workaround name of n bytes.  0 or -1 with msg set. */
static int workaround_one(const char *w, size_t n, enum bmc_proto proto, unsigned *flags,
			  unsigned *seen, char *msg, size_t len)
{
	for (size_t i = 0; i < NWORKAROUNDS; i++) {
		if (strlen(workarounds[i].name) != n || strncmp(w, workarounds[i].name, n) != 0)
			continue;
		if (!(workarounds[i].protos & (1u << proto))) {
			snprintf(msg, len, "'%.*s' is for %s; this source uses %s", (int)n, w,
				 protos_text(workarounds[i].protos), bmc_proto_name(proto));
			return -1;
		}
		if (*seen & (1u << i)) {
			snprintf(msg, len, "'%.*s' listed twice", (int)n, w);
			return -1;
		}
		*seen |= 1u << i;
		*flags |= proto == BMC_LAN	 ? workarounds[i].lan
			  : proto == BMC_LANPLUS ? workarounds[i].lanplus
						 : workarounds[i].inband;
		return 0;
	}
	snprintf(msg, len,
		 "unknown workaround '%.*s' (expected FreeIPMI's: authcap, idzero, "
		 "unexpectedauth, forcepermsg, endianseq, noauthcodecheck, nochecksumcheck, "
		 "intel20, supermicro20, sun20, opensesspriv, integritycheckvalue, assumeio, "
		 "spinpoll)",
		 (int)(n > BMC_WORD_SHOWN ? BMC_WORD_SHOWN : n), w);
	return -1;
}

int bmc_parse_workarounds(const char *s, enum bmc_proto proto, unsigned *flags, char *msg,
			  size_t len)
{
	unsigned seen = 0;

	*flags = 0;
	for (;;) {
		size_t n;

		while (*s == ' ' || *s == '\t')
			s++;
		n = strcspn(s, ",");
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if (n == 0) {
			snprintf(msg, len,
				 "empty name in the list (expected names separated by commas, "
				 "such as opensesspriv,intel20)");
			return -1;
		}
		if (workaround_one(s, n, proto, flags, &seen, msg, len) < 0)
			return -1;
		s += strcspn(s, ",");
		if (*s == '\0')
			return 0;
		s++; /* the comma */
	}
}

/* ---- files -------------------------------------------------------------- */

/* Open path for reading without blocking on a FIFO or a device, and make
 * sure it is a regular file.  The fd, or -1 with msg set. */
static int open_regular(const char *key, const char *path, const char *expected, char *msg,
			size_t len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		snprintf(msg, len, "%s: cannot open '%s': %s (expected %s)", key, path,
			 strerror(errno), expected);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(msg, len, "%s: '%s' is not a regular file (expected %s)", key, path,
			 expected);
		close(fd);
		return -1;
	}
	return fd;
}

/* A readable regular file, kept as an absolute path in *dst. */
int bmc_set_file(char **dst, const char *key, const char *path, const char *expected, char *msg,
		 size_t len)
{
	int fd = open_regular(key, path, expected, msg, len);

	if (fd < 0)
		return -1;
	close(fd);
	free(*dst);
	if ((*dst = realpath(path, NULL)) == NULL) {
		snprintf(msg, len, "%s: '%s': %s", key, path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The first line of password-file into o->password. */
int bmc_read_password_file(struct bmc_opts *o, const char *path, char *msg, size_t len)
{
	char buf[BMC_PASSWORD_FILE_READ];
	const char *nl;
	ssize_t n;
	size_t line;
	int fd =
	    open_regular("password-file", path, "a readable file holding the password", msg, len);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof buf);
	if (n < 0) {
		snprintf(msg, len, "password-file: cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	nl = memchr(buf, '\n', (size_t)n);
	line = nl != NULL ? (size_t)(nl - buf) : (size_t)n;
	if (memchr(buf, '\0', line) != NULL) {
		snprintf(msg, len, "password-file: '%s': the first line holds a NUL byte", path);
		explicit_bzero(buf, sizeof buf);
		return -1;
	}
	if (line > 0 && buf[line - 1] == '\r')
		line--;
	if (line > BMC_PASSWORD_MAX_LANPLUS) {
		snprintf(msg, len,
			 "password-file: the password in '%s' is longer than %d bytes (IPMI "
			 "allows at most %d with lanplus, %d with lan)",
			 path, BMC_PASSWORD_MAX_LANPLUS, BMC_PASSWORD_MAX_LANPLUS,
			 BMC_PASSWORD_MAX_LAN);
		explicit_bzero(buf, sizeof buf);
		return -1;
	}
	memcpy(o->password, buf, line);
	o->password[line] = '\0';
	o->password_len = line;
	explicit_bzero(buf, sizeof buf);
	return 0;
}
