/*
 * vsphere/soap_stream.h: a property collector page read as it is parsed
 * (internal to vsphere/).
 *
 * A RetrievePropertiesEx reply over thousands of objects (port groups on
 * an NSX-T estate) would otherwise be held whole as a tree, at several
 * times its size, next to the objects made from it.  Streamed, only one
 * ObjectContent's subtree exists at a time: each is handed to a callback
 * and freed.  Same rules as vs_soap_parse_reply() for hostile input (no
 * network, no entity substitution, a DTD refused, libxml2's default
 * limits).
 */
#ifndef VS_SOAP_STREAM_H
#define VS_SOAP_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "base/err.h"

struct vs_soap_stream {
	/* Each returnval/objects element (an ObjectContent), valid only
	 * during the call; a negative return stops the read with it. */
	int (*objects)(void *ud, xmlNodePtr objects, struct err *err);
	/* Called before the first object of each reply read (a reply may
	 * be read again after a re-login): forget what came before. */
	void (*begin)(void *ud);
	void *ud;
	/* out: returnval/token (malloc'd) or NULL; set by the read */
	char *token;
	/* out: an object's missingSet holds NotAuthenticated (the session
	 * expired while the collector answered); the objects from there on
	 * were not handed over */
	bool not_authenticated;
};

/*
 * Reads body, a reply whose SOAP Body holds the element want (e.g.
 * "RetrievePropertiesExResponse", vim25 namespace), streaming its
 * returnval's objects to st->objects and keeping its token.  *whole is
 * set, with nothing handed over and 0 returned, when the body is not
 * such a reply (a fault, another element, no envelope): the caller then
 * parses it whole.  Errors: ERR_EPARSE (not well-formed, a DTD, a bad
 * token), ERR_ENOMEM, or the callback's.
 */
int vs_soap_stream_reply(bool *whole, const char *body, size_t len,
                         const char *want, struct vs_soap_stream *st,
                         struct err *err);

/* The same delivery from a reply already parsed whole (response: the
 * Body's element), so that both paths give one result. */
int vs_soap_stream_tree(xmlNodePtr response, struct vs_soap_stream *st,
                        struct err *err);

/* Whether an ObjectContent's missingSet holds NotAuthenticated. */
bool vs_soap_objects_not_authenticated(xmlNodePtr objects);

#endif
