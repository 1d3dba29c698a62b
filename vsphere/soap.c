/*
 * vsphere/soap.c: SOAP envelopes for vim25, built with the libxml2 tree
 * API (so every value is escaped by construction) and read back with
 * namespaces resolved by URI.
 *
 * Replies are hostile input: they are parsed without network access,
 * without entity substitution and without DTD loading; a reply carrying a
 * DTD at all is refused (SOAP 1.1 forbids one), oversized replies are
 * refused before parsing and libxml2's default depth and text limits stay
 * in force (XML_PARSE_HUGE is never set).
 */
#include "vsphere/soap.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include "base/utf8.h"

/* Set as doc->_private when a value could not be added to a request (not
 * valid XML text, or out of memory); vs_soap_serialize() then refuses
 * the document, so a caller that ignores a NULL return cannot send a
 * request missing a field. */
static char request_poisoned;

static bool
ns_is(const xmlNode *n, const char *href)
{
	return n->ns != NULL && n->ns->href != NULL &&
	       strcmp((const char *)n->ns->href, href) == 0;
}

static bool
is_elem(const xmlNode *n, const char *href, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && ns_is(n, href) &&
	       (name == NULL || strcmp((const char *)n->name, name) == 0);
}

/* Also refuses U+FFFE and U+FFFF, which XML 1.0 does not allow. */
bool
vs_utf8_valid(const char *s, size_t len, bool allow_ws)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < len) {
		k = utf8_decode(&cp, p + i, len - i);
		if (k == 0 || cp == 0xfffe || cp == 0xffff)
			return false;
		if ((cp < 0x20 || cp == 0x7f) && !(allow_ws &&
		    (cp == '\t' || cp == '\n' || cp == '\r')))
			return false;
		i += k;
	}
	return true;
}

/* Text that libxml2 can serialize into a well-formed document: valid
 * UTF-8 without the C0 controls XML 1.0 forbids. */
static bool
valid_xml_text(const char *s)
{
	return s != NULL && vs_utf8_valid(s, strlen(s), true);
}

static void
poison(xmlNodePtr parent)
{
	if (parent != NULL && parent->doc != NULL)
		parent->doc->_private = &request_poisoned;
}

/*
 * Out of memory, libxml2 2.9 builds trees that look whole but are not:
 * xmlNewTextChild() and xmlNodeAddContent() leave the element empty, a
 * node, attribute or namespace can lose its name, prefix or text (their
 * copies are not checked).  So every node built here is checked, and
 * vs_soap_serialize() walks the whole request once more (tree_whole()).
 */

/* An attribute we set: named, with its text. */
static bool
attr_whole(const xmlAttr *a)
{
	return a != NULL && a->name != NULL && a->children != NULL &&
	       a->children->type == XML_TEXT_NODE &&
	       a->children->content != NULL;
}

static bool
ns_whole(const xmlNs *ns, bool prefixed)
{
	return ns != NULL && ns->href != NULL &&
	       (!prefixed || ns->prefix != NULL);
}

static bool
tree_whole(const xmlNode *n, int depth)
{
	const xmlAttr *a;
	const xmlNs *ns;

	if (depth > 256)
		return false;
	for (; n != NULL; n = n->next) {
		if (n->type == XML_TEXT_NODE && n->content == NULL)
			return false;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (n->name == NULL)
			return false;
		for (ns = n->nsDef; ns != NULL; ns = ns->next)
			if (!ns_whole(ns, false))
				return false;
		for (a = n->properties; a != NULL; a = a->next)
			if (!attr_whole(a))
				return false;
		if (!tree_whole(n->children, depth + 1))
			return false;
	}
	return true;
}

/* Drops a node that came out without its name. */
static xmlNodePtr
named_or_drop(xmlNodePtr n)
{
	if (n != NULL && n->name == NULL) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		return NULL;
	}
	return n;
}

/* Appends value as n's text.  Not xmlNewTextChild() or
 * xmlNodeAddContent(): out of memory, they leave the element empty
 * without saying so. */
static int
add_content(xmlNodePtr n, const char *value)
{
	xmlNodePtr t = xmlNewDocText(n->doc, (const xmlChar *)value);

	if (t == NULL || t->content == NULL) {
		xmlFreeNode(t);
		return -1;
	}
	if (xmlAddChild(n, t) == NULL) {
		xmlFreeNode(t);
		return -1;
	}
	return 0;
}

/* xmlNewProp()/xmlNewNsProp() that fails when the attribute is not
 * whole (removing what was added). */
static bool
add_attr(xmlNodePtr n, xmlNsPtr ns, const char *name, const char *value)
{
	xmlAttrPtr a = xmlNewNsProp(n, ns, (const xmlChar *)name,
	                            (const xmlChar *)value);

	if (a == NULL)
		return false;
	if (!attr_whole(a)) {
		xmlRemoveProp(a);
		return false;
	}
	return true;
}

static xmlNsPtr
vim_ns(xmlNodePtr parent)
{
	return xmlSearchNsByHref(parent->doc, parent,
	                         (const xmlChar *)VS_NS_VIM25);
}

static xmlNodePtr
add_elem(xmlNodePtr parent, const char *name, const char *value)
{
	xmlNodePtr n;
	xmlNsPtr ns;

	if (parent == NULL)
		return NULL;
	if (name == NULL || !valid_xml_text(name) ||
	    (value != NULL && !valid_xml_text(value))) {
		poison(parent);
		return NULL;
	}
	ns = vim_ns(parent);
	n = named_or_drop(xmlNewChild(parent, ns, (const xmlChar *)name,
	                              NULL));
	if (n != NULL && value != NULL && add_content(n, value) != 0) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		n = NULL;
	}
	if (n == NULL)
		poison(parent);
	return n;
}

int
vs_soap_request_new(xmlDocPtr *doc_out, xmlNodePtr *method_out,
                    const char *method, const struct vs_moref *this_ref,
                    struct err *err)
{
	return vs_soap_request_ns(doc_out, method_out, VS_NS_VIM25, method,
	                          this_ref, err);
}

int
vs_soap_request_ns(xmlDocPtr *doc_out, xmlNodePtr *method_out,
                   const char *ns, const char *method,
                   const struct vs_moref *this_ref, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr env, body, m;
	xmlNsPtr soapenv, vim;
	int rc = 0;

	*doc_out = NULL;
	*method_out = NULL;
	if (method == NULL || method[0] == '\0' || !valid_xml_text(method) ||
	    xmlValidateNCName((const xmlChar *)method, 0) != 0) {
		rc = err_set(err, ERR_EINVAL, "invalid SOAP method name");
		goto cleanup;
	}
	doc = xmlNewDoc((const xmlChar *)"1.0");
	if (doc == NULL)
		goto nomem;
	env = xmlNewDocNode(doc, NULL, (const xmlChar *)"Envelope", NULL);
	if (env == NULL)
		goto nomem;
	xmlDocSetRootElement(doc, env);
	if (env->name == NULL)
		goto nomem;
	soapenv = xmlNewNs(env, (const xmlChar *)VS_NS_SOAPENV,
	                   (const xmlChar *)"soapenv");
	if (!ns_whole(soapenv, true) ||
	    !ns_whole(xmlNewNs(env, (const xmlChar *)VS_NS_XSD,
	                       (const xmlChar *)"xsd"), true) ||
	    !ns_whole(xmlNewNs(env, (const xmlChar *)VS_NS_XSI,
	                       (const xmlChar *)"xsi"), true))
		goto nomem;
	xmlSetNs(env, soapenv);
	body = named_or_drop(xmlNewChild(env, soapenv,
	                                 (const xmlChar *)"Body", NULL));
	if (body == NULL)
		goto nomem;
	m = named_or_drop(xmlNewChild(body, NULL, (const xmlChar *)method,
	                              NULL));
	if (m == NULL)
		goto nomem;
	vim = xmlNewNs(m, (const xmlChar *)ns, NULL);
	if (!ns_whole(vim, false))
		goto nomem;
	xmlSetNs(m, vim);
	if (this_ref != NULL &&
	    vs_soap_add_moref(m, "_this", this_ref) == NULL) {
		rc = err_set(err, ERR_EINVAL, "%s: invalid _this reference",
		             method);
		goto cleanup;
	}
	*doc_out = doc;
	*method_out = m;
	doc = NULL;
	goto cleanup;
nomem:
	rc = err_set(err, ERR_ENOMEM, "out of memory building %s",
	             method);
cleanup:
	xmlFreeDoc(doc);
	return rc;
}

int
vs_soap_add_header(xmlDocPtr doc, const char *name, const char *value,
                   struct err *err)
{
	xmlNodePtr env = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	xmlNodePtr hdr = NULL, n = NULL;

	if (env == NULL || env->children == NULL || name == NULL ||
	    !valid_xml_text(name) || !valid_xml_text(value))
		return err_set(err, ERR_EINVAL, "invalid SOAP header %s",
		               name != NULL ? name : "(no name)");
	hdr = named_or_drop(xmlNewDocNode(doc, env->ns,
	                                  (const xmlChar *)"Header", NULL));
	if (hdr != NULL)
		n = named_or_drop(xmlNewDocNode(doc, NULL,
		                                (const xmlChar *)name, NULL));
	if (n == NULL || xmlAddChild(hdr, n) == NULL) {
		xmlFreeNode(n);
		goto nomem;
	}
	if (add_content(n, value) != 0 ||
	    xmlAddPrevSibling(env->children, hdr) == NULL)
		goto nomem;
	return 0;
nomem:
	xmlFreeNode(hdr);
	return err_set(err, ERR_ENOMEM, "out of memory building a SOAP "
	               "header");
}

xmlNodePtr
vs_soap_add_text(xmlNodePtr parent, const char *name, const char *value)
{
	if (value == NULL)
		return NULL;
	return add_elem(parent, name, value);
}

xmlNodePtr
vs_soap_add_bool(xmlNodePtr parent, const char *name, bool v)
{
	return add_elem(parent, name, v ? "true" : "false");
}

xmlNodePtr
vs_soap_add_long(xmlNodePtr parent, const char *name, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return add_elem(parent, name, buf);
}

xmlNodePtr
vs_soap_add_moref(xmlNodePtr parent, const char *name,
                  const struct vs_moref *ref)
{
	xmlNodePtr n;

	if (parent == NULL)
		return NULL;
	if (ref == NULL || ref->type[0] == '\0' || ref->value[0] == '\0' ||
	    memchr(ref->type, '\0', sizeof(ref->type)) == NULL ||
	    memchr(ref->value, '\0', sizeof(ref->value)) == NULL ||
	    !valid_xml_text(ref->type)) {
		poison(parent);
		return NULL;
	}
	n = add_elem(parent, name, ref->value);
	if (n == NULL)
		return NULL;
	if (!add_attr(n, NULL, "type", ref->type)) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		poison(parent);
		return NULL;
	}
	return n;
}

static xmlNodePtr
add_typed(xmlNodePtr parent, const char *name, const char *type,
          const char *value)
{
	xmlNodePtr n;
	xmlNsPtr xsi;

	n = add_elem(parent, name, value);
	if (n == NULL || type == NULL)
		return n;
	xsi = xmlSearchNsByHref(n->doc, n, (const xmlChar *)VS_NS_XSI);
	if (!valid_xml_text(type) || xsi == NULL ||
	    !add_attr(n, xsi, "type", type)) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		poison(parent);
		return NULL;
	}
	return n;
}

xmlNodePtr
vs_soap_add_obj(xmlNodePtr parent, const char *name, const char *type)
{
	return add_typed(parent, name, type, NULL);
}

xmlNodePtr
vs_soap_add_typed_text(xmlNodePtr parent, const char *name,
                       const char *type, const char *value)
{
	if (value == NULL)
		return NULL;
	return add_typed(parent, name, type, value);
}

int
vs_soap_serialize(char **out, size_t *len_out, xmlDocPtr doc,
                  struct err *err)
{
	xmlChar *buf = NULL;
	int len = 0;

	*out = NULL;
	*len_out = 0;
	if (doc == NULL)
		return err_set(err, ERR_EINVAL, "no request document");
	if (doc->_private == &request_poisoned)
		return err_set(err, ERR_EINVAL,
		               "request holds a value that is not valid "
		               "XML text or could not be added (out of "
		               "memory)");
	if (!tree_whole(xmlDocGetRootElement(doc), 0))
		return err_set(err, ERR_ENOMEM, "request incomplete (out "
		               "of memory)");
	xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 0);
	if (buf == NULL || len <= 0) {
		xmlFree(buf);
		return err_set(err, ERR_ENOMEM,
		               "cannot serialize SOAP request");
	}
	*out = (char *)buf;
	*len_out = (size_t)len;
	return 0;
}

/* --- reading ------------------------------------------------------ */

/* Copies s into buf as one printable line: control characters become
 * spaces; truncation never splits a UTF-8 sequence. */
static void
copy_line(char *buf, size_t size, const char *s)
{
	size_t i, n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (s == NULL)
		return;
	for (i = 0; s[i] != '\0' && n + 1 < size; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf[n++] = (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	buf[n] = '\0';
	if (s[i] != '\0') {
		/* Truncated: drop a partial multi-byte sequence. */
		while (n > 0 && ((unsigned char)buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)buf[n - 1] & 0x80) != 0)
			n--;
		buf[n] = '\0';
	}
}

/* A fault type name as vim25 spells them: letters, digits, '_' and '.'
 * only (anything else is not a type name and is dropped). */
static void
copy_type(char *buf, size_t size, const char *s)
{
	size_t i, len;

	buf[0] = '\0';
	if (s == NULL)
		return;
	len = strlen(s);
	if (len == 0 || len >= size)
		return;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
			return;
	}
	memcpy(buf, s, len + 1);
}

xmlNodePtr
vs_xml_first_elem(xmlNodePtr parent)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			return n;
	}
	return NULL;
}

size_t
vs_xml_count_elems(xmlNodePtr parent)
{
	xmlNodePtr n;
	size_t count = 0;

	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			count++;
	}
	return count;
}

/* A child element by local name in no namespace or any namespace (the
 * faultcode/faultstring of a SOAP 1.1 Fault are unqualified). */
static xmlNodePtr
any_child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = parent->children; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)n->name, name) == 0)
			return n;
	}
	return NULL;
}

static void
node_text(char *buf, size_t size, xmlNodePtr n)
{
	xmlChar *t;

	buf[0] = '\0';
	if (n == NULL)
		return;
	t = xmlNodeGetContent(n);
	copy_line(buf, size, (const char *)t);
	xmlFree(t);
}

/* The type of a MethodFault element: its xsi:type, else its element name
 * without the "Fault" suffix (<InvalidLoginFault> → InvalidLogin). */
static void
fault_type_of(char *buf, size_t size, xmlNodePtr n)
{
	char name[128];
	size_t len;

	vs_xml_xsi_type(buf, size, n);
	if (buf[0] != '\0')
		return;
	copy_type(name, sizeof(name), (const char *)n->name);
	len = strlen(name);
	if (len > 5 && strcmp(name + len - 5, "Fault") == 0) {
		name[len - 5] = '\0';
		copy_type(buf, size, name);
	}
}

static void
parse_fault(struct vs_fault *f, xmlNodePtr fault)
{
	xmlNodePtr detail, d;

	memset(f, 0, sizeof(*f));
	node_text(f->faultcode, sizeof(f->faultcode),
	          any_child(fault, "faultcode"));
	node_text(f->faultstring, sizeof(f->faultstring),
	          any_child(fault, "faultstring"));
	detail = any_child(fault, "detail");
	if (detail == NULL)
		return;
	d = vs_xml_first_elem(detail);
	if (d == NULL)
		return;
	fault_type_of(f->type, sizeof(f->type), d);
	node_text(f->localized, sizeof(f->localized),
	          vs_xml_child(d, "localizedMessage"));
}

/* The SOAP fault f as the error message: "<type>: <text>", "<type>", or
 * "SOAP fault <faultcode>: <faultstring>" when vCenter names no type. */
static int
fault_error(const struct vs_fault *f, struct err *err)
{
	const char *text;
	int rc;

	text = f->faultstring[0] != '\0' ? f->faultstring : f->localized;
	if (f->type[0] != '\0' && text[0] != '\0')
		rc = err_set(err, ERR_EFAULT, "%s: %s", f->type, text);
	else if (f->type[0] != '\0')
		rc = err_set(err, ERR_EFAULT, "%s", f->type);
	else
		rc = err_set(err, ERR_EFAULT, "SOAP fault %s: %s",
		             f->faultcode[0] != '\0' ?
		             f->faultcode : "(no faultcode)",
		             text[0] != '\0' ? text : "(no faultstring)");
	if (err != NULL && err->fault[0] == '\0')
		copy_type(err->fault, sizeof(err->fault), f->type);
	return rc;
}

/* body as an XML document: bounded, well-formed, no DTD, no network. */
static int
read_reply_doc(xmlDocPtr *doc_out, const char *body, size_t len,
               struct err *err)
{
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int rc = 0;

	*doc_out = NULL;
	if (body == NULL || len == 0)
		return err_set(err, ERR_EPARSE, "empty SOAP reply");
	if (len > VS_SOAP_MAX_REPLY || len > INT_MAX)
		return err_set(err, ERR_EPARSE, "SOAP reply of %zu bytes "
		               "is too large", len);
	ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory parsing "
		               "the SOAP reply");
	doc = xmlCtxtReadMemory(ctxt, body, (int)len, "reply.xml", NULL,
	                        XML_PARSE_NONET | XML_PARSE_NOERROR |
	                        XML_PARSE_NOWARNING);
	/* libxml2 2.9 stops at an allocation failure and hands back the
	 * tree so far as if well-formed: a reply cut short. */
	if (ctxt->errNo == XML_ERR_NO_MEMORY)
		rc = err_set(err, ERR_ENOMEM, "out of memory parsing the "
		             "SOAP reply");
	else if (doc == NULL)
		rc = err_set(err, ERR_EPARSE,
		             "SOAP reply is not well-formed XML");
	else if (doc->intSubset != NULL || doc->extSubset != NULL)
		rc = err_set(err, ERR_EPARSE,
		             "SOAP reply carries a DTD; refused");
	if (rc == 0) {
		*doc_out = doc;
		doc = NULL;
	}
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return rc;
}

/* The first element inside the envelope's Body. */
static int
body_child(xmlNodePtr *out, xmlDocPtr doc, struct err *err)
{
	xmlNodePtr root, b;

	*out = NULL;
	root = xmlDocGetRootElement(doc);
	if (!is_elem(root, VS_NS_SOAPENV, "Envelope"))
		return err_set(err, ERR_EPARSE,
		               "reply is not a SOAP envelope");
	for (b = root->children; b != NULL; b = b->next) {
		if (is_elem(b, VS_NS_SOAPENV, "Body"))
			break;
	}
	*out = b == NULL ? NULL : vs_xml_first_elem(b);
	if (*out == NULL)
		return err_set(err, ERR_EPARSE, "SOAP reply has no Body "
		               "content");
	return 0;
}

int
vs_soap_parse_reply(xmlDocPtr *doc_out, xmlNodePtr *body_child_out,
                    const char *body, size_t len,
                    struct vs_fault *fault_out, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr child;
	struct vs_fault f;
	int rc;

	*doc_out = NULL;
	*body_child_out = NULL;
	if (fault_out != NULL)
		memset(fault_out, 0, sizeof(*fault_out));
	rc = read_reply_doc(&doc, body, len, err);
	if (rc == 0)
		rc = body_child(&child, doc, err);
	if (rc < 0)
		goto cleanup;
	if (is_elem(child, VS_NS_SOAPENV, "Fault")) {
		parse_fault(&f, child);
		rc = fault_error(&f, err);
		if (fault_out != NULL)
			*fault_out = f;
		goto cleanup;
	}
	*doc_out = doc;
	*body_child_out = child;
	doc = NULL;
cleanup:
	xmlFreeDoc(doc);
	return rc;
}

/* The first element named name in the vim25 namespace, from n on. */
static xmlNodePtr
vim_elem_from(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next) {
		if (is_elem(n, VS_NS_VIM25, name))
			return n;
	}
	return NULL;
}

xmlNodePtr
vs_xml_child(xmlNodePtr parent, const char *name)
{
	if (parent == NULL || name == NULL)
		return NULL;
	return vim_elem_from(parent->children, name);
}

xmlNodePtr
vs_xml_next(xmlNodePtr after, const char *name)
{
	if (after == NULL || name == NULL)
		return NULL;
	return vim_elem_from(after->next, name);
}

size_t
vs_xml_count(xmlNodePtr parent, const char *name)
{
	size_t n = 0;
	xmlNodePtr k;

	for (k = vs_xml_child(parent, name); k != NULL;
	     k = vs_xml_next(k, name))
		n++;
	return n;
}

char *
vs_xml_child_text(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = vs_xml_child(parent, name);

	if (n == NULL)
		return NULL;
	return (char *)xmlNodeGetContent(n);
}

int
vs_xml_child_copy(char *buf, size_t size, xmlNodePtr parent,
                  const char *name)
{
	char *t;
	size_t len;
	int rc = 0;

	if (size > 0)
		buf[0] = '\0';
	if (vs_xml_child(parent, name) == NULL)
		return ERR_ENOTFOUND;
	t = vs_xml_child_text(parent, name);
	if (t == NULL)
		return ERR_ENOMEM;
	len = strlen(t);
	if (len >= size) {
		rc = ERR_EPARSE;
		goto cleanup;
	}
	memcpy(buf, t, len + 1);
cleanup:
	xmlFree(t);
	return rc;
}

void
vs_xml_xsi_type(char *buf, size_t size, xmlNodePtr n)
{
	xmlAttrPtr a;
	xmlChar *v;
	const char *local;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	for (a = n->properties; a != NULL; a = a->next) {
		if (a->ns != NULL && a->ns->href != NULL &&
		    strcmp((const char *)a->ns->href, VS_NS_XSI) == 0 &&
		    strcmp((const char *)a->name, "type") == 0)
			break;
	}
	if (a == NULL)
		return;
	v = xmlNodeListGetString(n->doc, a->children, 1);
	if (v == NULL)
		return;
	local = strrchr((const char *)v, ':');
	local = local == NULL ? (const char *)v : local + 1;
	copy_type(buf, size, local);
	xmlFree(v);
}

int
vs_xml_moref(struct vs_moref *out, xmlNodePtr n, struct err *err)
{
	xmlChar *type = NULL, *value = NULL;
	size_t tlen, vlen;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (n == NULL || n->type != XML_ELEMENT_NODE) {
		rc = err_set(err, ERR_EPARSE, "missing object reference");
		goto cleanup;
	}
	type = xmlGetNoNsProp(n, (const xmlChar *)"type");
	value = xmlNodeGetContent(n);
	if (type == NULL || value == NULL) {
		rc = err_set(err, ERR_EPARSE,
		             "<%s> is not an object reference",
		             (const char *)n->name);
		goto cleanup;
	}
	tlen = strlen((const char *)type);
	vlen = strlen((const char *)value);
	if (tlen == 0 || vlen == 0 || tlen >= sizeof(out->type) ||
	    vlen >= sizeof(out->value)) {
		rc = err_set(err, ERR_EPARSE,
		             "<%s>: object reference empty or too long",
		             (const char *)n->name);
		goto cleanup;
	}
	copy_type(out->type, sizeof(out->type), (const char *)type);
	if (out->type[0] == '\0') {
		rc = err_set(err, ERR_EPARSE,
		             "<%s>: invalid object reference type",
		             (const char *)n->name);
		goto cleanup;
	}
	memcpy(out->value, value, vlen + 1);
cleanup:
	if (rc != 0)
		memset(out, 0, sizeof(*out));
	xmlFree(type);
	xmlFree(value);
	return rc;
}

void
vs_fault_from_node(struct vs_fault *out, xmlNodePtr n)
{
	xmlNodePtr inner;

	memset(out, 0, sizeof(*out));
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return;
	/* A LocalizedMethodFault wraps the typed fault in <fault>; a bare
	 * MethodFault carries the type itself. */
	inner = vs_xml_child(n, "fault");
	fault_type_of(out->type, sizeof(out->type), inner != NULL ? inner : n);
	node_text(out->localized, sizeof(out->localized),
	          vs_xml_child(n, "localizedMessage"));
	if (out->localized[0] == '\0' && inner != NULL)
		node_text(out->localized, sizeof(out->localized),
		          vs_xml_child(inner, "localizedMessage"));
}
