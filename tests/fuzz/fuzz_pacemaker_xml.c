/*
 * fuzz_pacemaker_xml: libFuzzer target for the pacemaker actuator's reading
 * of `crm_mon -1 --output-as=xml` (plugins/pacemaker_xml.c) into the drain
 * budget's struct hwh_cluster.
 *
 * The input's first line is this node's name (self), the rest crm_mon's
 * output.  pm_xml_cluster() must answer 0, -ENOTCONN, -EPROTO or -ENOENT
 * with a detail in words, without reading out of bounds; the counts are
 * never negative, the other nodes out never more than the nodes; when self
 * was found (0) at most nodes - 1 others are out; the names end inside
 * their buffers, and a list that fills its buffer was cut, so it ends in
 * "...".  Seeds are the crm_mon documents of tests/fixtures/pacemaker/
 * behind a self line ("node1"), and a list of long names, in
 * tests/fuzz/corpus/fuzz_pacemaker_xml/.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "pacemaker_internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant does not hold: say which, then crash for libFuzzer. */
#define BROKEN() (fprintf(stderr, "fuzz_pacemaker_xml.c:%d: invariant broken\n", __LINE__), abort())

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser(); /* as config() does, on the main thread */
	return 0;
}

static void check(int rc, const struct hwh_cluster *c, const char *detail, size_t dlen)
{
	size_t n;

	if (rc != 0 && rc != -ENOTCONN && rc != -EPROTO && rc != -ENOENT)
		BROKEN();
	if (memchr(detail, '\0', dlen) == NULL || detail[0] == '\0')
		BROKEN(); /* detail always says something */
	if (memchr(c->self, '\0', sizeof c->self) == NULL ||
	    memchr(c->unhealthy_names, '\0', sizeof c->unhealthy_names) == NULL)
		BROKEN();
	if (c->nodes < 0 || c->unhealthy < 0 || c->unhealthy > c->nodes)
		BROKEN();
	if (rc == 0 && c->unhealthy > c->nodes - 1)
		BROKEN(); /* self is one of the nodes and not counted out */
	if (c->unhealthy == 0 && c->unhealthy_names[0] != '\0')
		BROKEN();
	/* A name is added only with room left for " ...": a list longer than
	 * that was cut, and says so. */
	n = strlen(c->unhealthy_names);
	if (n + 4 > sizeof c->unhealthy_names && strcmp(c->unhealthy_names + n - 3, "...") != 0)
		BROKEN();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t slen = nl != NULL ? (size_t)(nl - data) : size;
	struct hwh_cluster c;
	char self[128], detail[512];
	int rc;

	if (slen >= sizeof self)
		return 0;
	memcpy(self, data, slen);
	self[slen] = '\0';
	if (memchr(self, '\0', slen) != NULL)
		return 0; /* a name from the configuration holds no NUL */
	data += nl != NULL ? slen + 1 : slen;
	size -= nl != NULL ? slen + 1 : slen;
	memset(detail, 0, sizeof detail);
	rc = pm_xml_cluster((const char *)data, size, self, &c, detail, sizeof detail);
	check(rc, &c, detail, sizeof detail);
	return 0;
}
