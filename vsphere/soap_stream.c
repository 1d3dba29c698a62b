/*
 * vsphere/soap_stream.c: a property collector page read as it is parsed
 * (see soap_stream.h), with libxml2's xmlTextReader: the reader frees
 * each subtree it has passed, so one ObjectContent is in memory at a
 * time.
 */
#include "vsphere/soap_stream.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include "vsphere/soap.h"
#include "vsphere/vim.h"

/* As pc.c pages: a token is short and never empty. */
#define MAX_TOKEN 1024

struct walk {
	xmlTextReaderPtr r;
	struct vs_soap_stream *st;
	const char *want;
	bool in_body;           /* inside soapenv:Body */
	bool body_child;        /* its first element met */
	bool nomem;             /* the parser ran out of memory */
	bool began;
};

static void
on_error(void *arg, xmlErrorPtr e)
{
	struct walk *w = arg;

	if (e != NULL && e->code == XML_ERR_NO_MEMORY)
		w->nomem = true;
}

/* Whether the reader stands on element name in namespace href. */
static bool
at(xmlTextReaderPtr r, const char *href, const char *name)
{
	const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);
	const xmlChar *local = xmlTextReaderConstLocalName(r);

	return ns != NULL && local != NULL &&
	       strcmp((const char *)ns, href) == 0 &&
	       strcmp((const char *)local, name) == 0;
}

static int
set_token(struct vs_soap_stream *st, const char *t, struct err *err)
{
	if (t == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (t[0] == '\0' || strlen(t) > MAX_TOKEN)
		return err_set(err, ERR_EPARSE, "bad RetrieveResult token");
	free(st->token);
	st->token = strdup(t);
	if (st->token == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

static void
begin(struct vs_soap_stream *st)
{
	free(st->token);
	st->token = NULL;
	st->not_authenticated = false;
	if (st->begin != NULL)
		st->begin(st->ud);
}

/* One ObjectContent: refused with NotAuthenticated in it (nothing more
 * is handed over), else handed to the callback. */
static int
deliver(struct vs_soap_stream *st, xmlNodePtr objects, struct err *err)
{
	if (st->not_authenticated)
		return 0;
	if (vs_soap_objects_not_authenticated(objects)) {
		st->not_authenticated = true;
		return 0;
	}
	return st->objects(st->ud, objects, err);
}

/* The element the reader stands on, at depth d: *next set when the walk
 * goes past its subtree rather than into it.  *whole: not the reply
 * expected. */
static int
element(struct walk *w, int d, bool *next, bool *whole, struct err *err)
{
	xmlTextReaderPtr r = w->r;
	xmlNodePtr n;
	xmlChar *t;
	int rc;

	*next = true;
	switch (d) {
	case 0:
		*whole = !at(r, VS_NS_SOAPENV, "Envelope");
		*next = false;
		return 0;
	case 1:
		w->in_body = at(r, VS_NS_SOAPENV, "Body");
		*next = !w->in_body;
		return 0;
	case 2:
		if (w->body_child)
			return 0;
		w->body_child = true;
		*whole = !at(r, VS_NS_VIM25, w->want);
		*next = false;
		return 0;
	case 3:
		*next = !at(r, VS_NS_VIM25, "returnval");
		return 0;
	case 4:
		if (!w->began) {
			begin(w->st);
			w->began = true;
		}
		if (at(r, VS_NS_VIM25, "token")) {
			/* NULL: no text (or no memory, said as such) */
			t = xmlTextReaderReadString(r);
			rc = set_token(w->st, t != NULL ? (const char *)t :
			               w->nomem ? NULL : "", err);
			xmlFree(t);
			return rc;
		}
		if (!at(r, VS_NS_VIM25, "objects"))
			return 0;
		n = xmlTextReaderExpand(r);
		if (n == NULL)
			return 0;       /* the read that follows reports it */
		return deliver(w->st, n, err);
	default:
		return 0;
	}
}

static int
walk(struct walk *w, bool *whole, struct err *err)
{
	bool next = false;
	int ret, rc = 0, type;

	ret = xmlTextReaderRead(w->r);
	while (ret == 1 && rc == 0 && !*whole) {
		type = xmlTextReaderNodeType(w->r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE)
			return err_set(err, ERR_EPARSE, "SOAP reply carries "
			               "a DTD; refused");
		next = false;
		if (type == XML_READER_TYPE_ELEMENT)
			rc = element(w, xmlTextReaderDepth(w->r), &next, whole,
			             err);
		if (rc == 0 && !*whole)
			ret = next ? xmlTextReaderNext(w->r) :
			      xmlTextReaderRead(w->r);
	}
	if (rc != 0 || *whole)
		return rc;
	if (w->nomem)
		return err_set(err, ERR_ENOMEM, "out of memory parsing the "
		               "SOAP reply");
	if (ret < 0)
		return err_set(err, ERR_EPARSE,
		               "SOAP reply is not well-formed XML");
	*whole = !w->body_child;        /* no Body content: say so whole */
	return 0;
}

int
vs_soap_stream_reply(bool *whole, const char *body, size_t len,
                     const char *want, struct vs_soap_stream *st,
                     struct err *err)
{
	struct walk w = { .st = st, .want = want };
	int rc;

	*whole = false;
	if (body == NULL || len == 0 || len > VS_SOAP_MAX_REPLY ||
	    len > INT_MAX) {
		*whole = true;          /* the whole parse says why */
		return 0;
	}
	w.r = xmlReaderForMemory(body, (int)len, "reply.xml", NULL,
	                         XML_PARSE_NONET | XML_PARSE_NOERROR |
	                         XML_PARSE_NOWARNING);
	if (w.r == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory parsing the "
		               "SOAP reply");
	xmlTextReaderSetStructuredErrorHandler(w.r, on_error, &w);
	rc = walk(&w, whole, err);
	xmlFreeTextReader(w.r);
	if (rc == 0 && !*whole && !w.began)
		begin(st);              /* an empty result */
	return rc;
}

int
vs_soap_stream_tree(xmlNodePtr response, struct vs_soap_stream *st,
                    struct err *err)
{
	xmlNodePtr rv, k;
	xmlChar *t;
	int rc = 0;

	begin(st);
	rv = vs_xml_child(response, "returnval");
	if (rv == NULL)
		return 0;
	k = vs_xml_child(rv, "token");
	if (k != NULL) {
		t = xmlNodeGetContent(k);
		rc = set_token(st, (const char *)t, err);
		xmlFree(t);
	}
	for (k = vs_xml_child(rv, "objects"); k != NULL && rc == 0;
	     k = vs_xml_next(k, "objects"))
		rc = deliver(st, k, err);
	return rc;
}

bool
vs_soap_objects_not_authenticated(xmlNodePtr objects)
{
	struct vs_fault f;
	xmlNodePtr ms;

	for (ms = vs_xml_child(objects, "missingSet"); ms != NULL;
	     ms = vs_xml_next(ms, "missingSet")) {
		vs_fault_from_node(&f, vs_xml_child(ms, "fault"));
		if (strcmp(f.type, "NotAuthenticated") == 0)
			return true;
	}
	return false;
}
