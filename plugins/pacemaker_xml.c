/*
 * pacemaker_xml: read `crm_mon -1 --output-as=xml` (Pacemaker 2.1, API
 * 2.25) with libxml2 into the drain budget's struct hwh_cluster.  Pure: a
 * string in, a struct out; unit-tested on captured documents
 * (tests/fixtures/pacemaker/).  See pacemaker_internal.h.
 *
 * The document is <pacemaker-result> holding <nodes> (one empty <node> per
 * cluster node, with online, standby, unclean, health... attributes) and a
 * final <status code="N" message="..."/>.  When the cluster cannot be
 * reached crm_mon prints only <status code="102" message="Not connected">
 * with <errors><error>...</error></errors> inside.  Node names also appear
 * inside <resources> and <node_history>: only <nodes>'s children count.
 *
 * To extend: a new reason to count a node as out is one test in
 * pm_node_out() and the attribute read in read_node().
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "pacemaker_internal.h"

#define ATTR_MAX 128 /* an attribute value we read (names, booleans, colours) */

/* Attribute name of element n into buf (len bytes, cut): buf, or NULL when
 * n has no such attribute. */
static const char *prop(xmlNode *n, const char *name, char *buf, size_t len)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	if (v == NULL)
		return NULL;
	snprintf(buf, len, "%s", (const char *)v);
	xmlFree(v);
	return buf;
}

static int is_elem(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of parent named name, or NULL. */
static xmlNode *child(xmlNode *parent, const char *name)
{
	for (xmlNode *n = parent->children; n != NULL; n = n->next)
		if (is_elem(n, name))
			return n;
	return NULL;
}

static int is_true(const char *v)
{
	return v != NULL && pm_is_true(v);
}

const char *pm_node_out(const char *online, const char *unclean, const char *standby,
			const char *standby_onfail, const char *health, const char *maintenance)
{
	/* A node crm_mon does not call online is out, whatever the reason
	 * (stopped, fenced, still joining). */
	if (online == NULL || !pm_is_true(online))
		return "offline";
	if (is_true(unclean))
		return "unclean";
	if (is_true(standby) || is_true(standby_onfail))
		return "standby";
	if (health != NULL && strcmp(health, "red") == 0)
		return "health red";
	/* Maintenance: its resources are unmanaged, it takes no new work from
	 * a drained node; for the budget it is capacity out. */
	if (is_true(maintenance))
		return "maintenance";
	return NULL;
}

/* Why node n is out (pm_node_out()), or NULL; its name into name ("" if none). */
static const char *read_node(xmlNode *n, char *name, size_t nlen)
{
	char on[ATTR_MAX], uc[ATTR_MAX], sb[ATTR_MAX], sf[ATTR_MAX], h[ATTR_MAX], m[ATTR_MAX];

	if (prop(n, "name", name, nlen) == NULL)
		name[0] = '\0';
	return pm_node_out(prop(n, "online", on, sizeof on), prop(n, "unclean", uc, sizeof uc),
			   prop(n, "standby", sb, sizeof sb),
			   prop(n, "standby_onfail", sf, sizeof sf), prop(n, "health", h, sizeof h),
			   prop(n, "maintenance", m, sizeof m));
}

/* Append " name" to the space-separated list (size len); once a name does
 * not fit, end the list with "..." and add no more. */
static void list_add(char *list, size_t len, const char *name, int *cut)
{
	size_t used = strlen(list), need = strlen(name) + (used ? 1 : 0);

	if (*cut)
		return;
	if (used + need + 5 > len) { /* keep room for " ..." and its NUL */
		snprintf(list + used, len - used, "%s...", used ? " " : "");
		*cut = 1;
		return;
	}
	snprintf(list + used, len - used, "%s%s", used ? " " : "", name);
}

/* Count <nodes>'s children into c.  0, or -ENOENT when self is not one. */
static int count_nodes(xmlNode *nodes, const char *self, struct hwh_cluster *c, char *detail,
		       size_t dlen, char *reasons, size_t rlen)
{
	char name[ATTR_MAX], type[ATTR_MAX], item[2 * ATTR_MAX];
	int self_seen = 0, cut = 0, rcut = 0;

	for (xmlNode *n = nodes->children; n != NULL; n = n->next) {
		const char *why;

		if (!is_elem(n, "node"))
			continue;
		if (prop(n, "type", type, sizeof type) && strcmp(type, "ping") == 0)
			continue; /* a ping node runs nothing */
		if (prop(n, "id_as_resource", type, sizeof type))
			continue; /* a guest node (a VM or bundle replica): a resource of
				   * another node, offline whenever that one drains */
		why = read_node(n, name, sizeof name);
		c->nodes++;
		if (strcmp(name, self) == 0) {
			self_seen = 1;
			continue;
		}
		if (why == NULL)
			continue;
		c->unhealthy++;
		list_add(c->unhealthy_names, sizeof c->unhealthy_names, name, &cut);
		snprintf(item, sizeof item, "%s (%s)", name, why);
		list_add(reasons, rlen, item, &rcut);
	}
	if (!self_seen) {
		snprintf(detail, dlen, "this node '%s' is not among crm_mon's %d node(s)", self,
			 c->nodes);
		return -ENOENT;
	}
	return 0;
}

/* The <status> verdict: 0 for code 0, else a negative errno and detail. */
static int read_status(xmlNode *root, char *detail, size_t dlen)
{
	char code[ATTR_MAX], msg[ATTR_MAX] = "", err[ATTR_MAX] = "";
	xmlNode *st = child(root, "status"), *errors, *e;
	long n;

	if (st == NULL || prop(st, "code", code, sizeof code) == NULL) {
		snprintf(detail, dlen, "crm_mon's XML has no <status code=...>");
		return -EPROTO;
	}
	n = strtol(code, NULL, 10);
	if (n == 0)
		return 0;
	prop(st, "message", msg, sizeof msg);
	if ((errors = child(st, "errors")) != NULL && (e = child(errors, "error")) != NULL) {
		xmlChar *t = xmlNodeGetContent(e);

		if (t != NULL) {
			snprintf(err, sizeof err, "%s", (const char *)t);
			xmlFree(t);
		}
	}
	snprintf(detail, dlen, "%s: crm_mon status %ld (%s)%s%s",
		 n == PM_EX_NOT_CONNECTED ? "cluster not reachable" : "crm_mon failed", n,
		 msg[0] ? msg : "no message", err[0] ? ": " : "", err);
	return n == PM_EX_NOT_CONNECTED ? -ENOTCONN : -EPROTO;
}

/* The parsed document, or NULL with detail saying why. */
static xmlDoc *parse(const char *xml, size_t len, char *detail, size_t dlen)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc;

	if (len == 0) {
		snprintf(detail, dlen, "crm_mon printed nothing");
		return NULL;
	}
	if (len > INT_MAX) {
		snprintf(detail, dlen, "crm_mon's output is too large");
		return NULL;
	}
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		snprintf(detail, dlen, "out of memory for the XML parser");
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "crm_mon.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc == NULL) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		size_t n;

		snprintf(detail, dlen, "crm_mon's output is not XML: line %d: %s", e ? e->line : 0,
			 e && e->message ? e->message : "parse error");
		n = strlen(detail);
		if (n > 0 && detail[n - 1] == '\n')
			detail[n - 1] = '\0';
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

int pm_xml_cluster(const char *xml, size_t len, const char *self, struct hwh_cluster *c,
		   char *detail, size_t dlen)
{
	char reasons[512] = "";
	xmlDoc *doc;
	xmlNode *root, *nodes;
	int rc;

	memset(c, 0, sizeof *c);
	snprintf(c->self, sizeof c->self, "%s", self ? self : "");
	if ((doc = parse(xml, len, detail, dlen)) == NULL)
		return -EPROTO;
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_elem(root, "pacemaker-result")) {
		snprintf(detail, dlen, "not crm_mon's XML: root element <%s>",
			 root ? (const char *)root->name : "none");
		rc = -EPROTO;
	} else if ((rc = read_status(root, detail, dlen)) < 0) {
		; /* detail set */
	} else if ((nodes = child(root, "nodes")) == NULL) {
		snprintf(detail, dlen, "crm_mon's XML has no <nodes>");
		rc = -EPROTO;
	} else if ((rc = count_nodes(nodes, c->self, c, detail, dlen, reasons, sizeof reasons)) ==
		   0) {
		snprintf(detail, dlen, "%d node(s), %d other(s) out%s%s", c->nodes, c->unhealthy,
			 reasons[0] ? ": " : "", reasons);
	}
	xmlFreeDoc(doc);
	return rc;
}
