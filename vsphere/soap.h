/*
 * vsphere/soap.h: SOAP envelope building and reading, internal to
 * vsphere/ (xmlNode never leaves this directory).
 *
 * Requests are built with libxml2's tree API, so values are escaped by
 * construction.  Children must be added in vim25 schema order: the field
 * order of govmomi's vim25/types/types.go.  Responses are read with
 * namespaces (vim25 elements are in "urn:vim25"; xsi:type may sit under
 * any prefix bound to the XMLSchema-instance namespace).
 */
#ifndef VS_SOAP_H
#define VS_SOAP_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "vsphere/moref.h"
#include "base/err.h"

#define VS_NS_VIM25 "urn:vim25"
#define VS_NS_PBM "urn:pbm"         /* the storage policy service */
#define VS_NS_SOAPENV "http://schemas.xmlsoap.org/soap/envelope/"
#define VS_NS_XSI "http://www.w3.org/2001/XMLSchema-instance"
#define VS_NS_XSD "http://www.w3.org/2001/XMLSchema"

/* A typed SOAP fault (HTTP 500 with soapenv:Fault, or a task's
 * LocalizedMethodFault). */
struct vs_fault {
	char type[64];          /* detail's xsi:type, e.g. "InvalidLogin" */
	char faultcode[64];
	char faultstring[512];
	char localized[512];    /* localizedMessage when present */
};

/* Replies larger than this are refused unparsed (hostile input). */
#define VS_SOAP_MAX_REPLY ((size_t)64 * 1024 * 1024)

/* --- building ----------------------------------------------------- */

/* Added by soap.c: strict UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF, no NUL within len) without C0/DEL control characters;
 * allow_ws admits tab, LF and CR. */
bool vs_utf8_valid(const char *s, size_t len, bool allow_ws);

/* Added by soap.c: a value that is not valid XML text (bad UTF-8, C0
 * controls), a NULL/empty moref, or running out of memory while adding
 * it, adds nothing, returns NULL and marks the request invalid:
 * vs_soap_serialize() then fails with ERR_EINVAL, so a caller ignoring
 * the NULL cannot send a request missing a field.  A NULL value in
 * vs_soap_add_text() adds nothing (optional field). */

/* A new envelope whose Body holds <method xmlns="urn:vim25"> and, when
 * this_ref is not NULL, its <_this type="…">…</_this>.  *method_out is the
 * method element, owned by *doc_out. */
int vs_soap_request_new(xmlDocPtr *doc_out, xmlNodePtr *method_out,
                        const char *method, const struct vs_moref *this_ref,
                        struct err *err);
/* vs_soap_request_new() for another SOAP endpoint: the method element
 * (and everything added under it) in namespace ns, e.g. VS_NS_PBM. */
int vs_soap_request_ns(xmlDocPtr *doc_out, xmlNodePtr *method_out,
                       const char *ns, const char *method,
                       const struct vs_moref *this_ref, struct err *err);
/* A soapenv:Header before the Body of a request vs_soap_request_*()
 * made, holding <name>value</name> (no namespace, as PBM's
 * vcSessionCookie is sent). */
int vs_soap_add_header(xmlDocPtr doc, const char *name, const char *value,
                       struct err *err);
/* <name>value</name> in the method's namespace (vim25, or the one
 * vs_soap_request_ns() gave); value escaped by libxml2. */
xmlNodePtr vs_soap_add_text(xmlNodePtr parent, const char *name,
                            const char *value);
xmlNodePtr vs_soap_add_bool(xmlNodePtr parent, const char *name, bool v);
xmlNodePtr vs_soap_add_long(xmlNodePtr parent, const char *name,
                            long long v);
xmlNodePtr vs_soap_add_moref(xmlNodePtr parent, const char *name,
                             const struct vs_moref *ref);
/* <name xsi:type="type"> for polymorphic fields; children added by the
 * caller.  type NULL: no xsi:type. */
xmlNodePtr vs_soap_add_obj(xmlNodePtr parent, const char *name,
                           const char *type);
/* <name xsi:type="type">value</name>: vs_soap_add_obj() with text
 * (NULL value: adds nothing). */
xmlNodePtr vs_soap_add_typed_text(xmlNodePtr parent, const char *name,
                                  const char *type, const char *value);
/* Serialized request (UTF-8, no pretty printing); caller frees with
 * xmlFree(). */
int vs_soap_serialize(char **out, size_t *len_out, xmlDocPtr doc,
                      struct err *err);

/* --- reading ------------------------------------------------------ */

/* Parses a reply body (hostile input: no network, no entities, size
 * checked by the caller).  On success *body_child_out is the first element
 * child of soapenv:Body.  A soapenv:Fault there is turned into fault_out
 * (when not NULL) and ERR_EFAULT with err->fault set. */
int vs_soap_parse_reply(xmlDocPtr *doc_out, xmlNodePtr *body_child_out,
                        const char *body, size_t len,
                        struct vs_fault *fault_out, struct err *err);
/* Element children by local name in the vim25 namespace. */
xmlNodePtr vs_xml_child(xmlNodePtr parent, const char *name);
xmlNodePtr vs_xml_next(xmlNodePtr after, const char *name);
/* The first element child of parent in any namespace, or NULL. */
xmlNodePtr vs_xml_first_elem(xmlNodePtr parent);
/* How many element children parent has. */
size_t vs_xml_count_elems(xmlNodePtr parent);
/* How many vim25 children named name parent has (0 for NULL). */
size_t vs_xml_count(xmlNodePtr parent, const char *name);
/* Text content of the child (caller frees with xmlFree), or NULL when
 * absent or out of memory (vs_xml_child() tells which). */
char *vs_xml_child_text(xmlNodePtr parent, const char *name);
/* Copies the text of child `name` into buf; returns 0, or ERR_ENOTFOUND
 * when absent, ERR_EPARSE when it does not fit, ERR_ENOMEM when out of
 * memory. */
int vs_xml_child_copy(char *buf, size_t size, xmlNodePtr parent,
                      const char *name);
/* xsi:type of n (any prefix bound to VS_NS_XSI), local part only, into
 * buf; "" when absent. */
void vs_xml_xsi_type(char *buf, size_t size, xmlNodePtr n);
int vs_xml_moref(struct vs_moref *out, xmlNodePtr n, struct err *err);
/* A LocalizedMethodFault / MethodFault element into a vs_fault. */
void vs_fault_from_node(struct vs_fault *out, xmlNodePtr n);

#endif
