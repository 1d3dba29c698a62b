/*
 * vsphere/pbm.c: the storage policy service (vsphere/pbm.h).
 */
#include "vsphere/pbm.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "base/array.h"
#include "vsphere/client.h"
#include "vsphere/soap.h"

#define PBM_COOKIE "vmware_soap_session"

struct pbm {
	struct vs_client *c;
	char *cookie;                   /* the vim25 session cookie */
	struct vs_moref profile_manager;
	struct vs_moref placement_solver;
	size_t ds_cap;                  /* room in the policy's datastores */
};

/* An element named name from n on, in the PBM namespace (or vim25's,
 * where PBM replies embed vim types). */
static xmlNodePtr
pbm_elem_from(xmlNodePtr n, const char *name)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE || n->ns == NULL ||
		    strcmp((const char *)n->name, name) != 0)
			continue;
		if (strcmp((const char *)n->ns->href, VS_NS_PBM) == 0 ||
		    strcmp((const char *)n->ns->href, VS_NS_VIM25) == 0)
			return n;
	}
	return NULL;
}

static xmlNodePtr
pbm_child(xmlNodePtr parent, const char *name)
{
	return parent != NULL ? pbm_elem_from(parent->children, name) : NULL;
}

static xmlNodePtr
pbm_next(xmlNodePtr after, const char *name)
{
	return after != NULL ? pbm_elem_from(after->next, name) : NULL;
}

/* The text of parent's child name (malloc'd); ERR_EPARSE when absent
 * or empty. */
static int
pbm_text(char **out, xmlNodePtr parent, const char *name, struct err *err)
{
	xmlNodePtr n = pbm_child(parent, name);
	xmlChar *t = n != NULL ? xmlNodeGetContent(n) : NULL;

	*out = NULL;
	if (t != NULL && t[0] != '\0')
		*out = strdup((const char *)t);
	if (t != NULL && t[0] != '\0' && *out == NULL) {
		xmlFree(t);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	xmlFree(t);
	if (*out == NULL)
		return err_set(err, ERR_EPARSE, "reply without <%s>", name);
	return 0;
}

/* A request to method of this, with the session header. */
static int
request(xmlDocPtr *doc, xmlNodePtr *m, const struct pbm *s,
        const char *method, const struct vs_moref *this_ref,
        struct err *err)
{
	int rc;

	rc = vs_soap_request_ns(doc, m, VS_NS_PBM, method, this_ref, err);
	if (rc == 0)
		rc = vs_soap_add_header(*doc, "vcSessionCookie", s->cookie,
		                        err);
	if (rc != 0) {
		xmlFreeDoc(*doc);
		*doc = NULL;
	}
	return rc;
}

/* Sends req (always freed) to the PBM endpoint through the client (its
 * retries, HTTP and fault handling, errors prefixed with the method);
 * *doc_out owns the reply and *resp_out is its <method>Response. */
static int
call(xmlDocPtr *doc_out, xmlNodePtr *resp_out, struct pbm *s,
     xmlDocPtr req, struct err *err)
{
	static const struct vs_soap_endpoint pbm_sdk = {
		VS_PBM_PATH, VS_PBM_SOAP_ACTION
	};

	return vs_client_call_at(s->c, &pbm_sdk, req, doc_out, resp_out, err);
}

static int
service_content(struct pbm *s, struct err *err)
{
	static const struct vs_moref si = { "PbmServiceInstance",
	                                    "ServiceInstance" };
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp, rv;
	int rc;

	rc = request(&req, &m, s, "PbmRetrieveServiceContent", &si, err);
	if (rc == 0)
		rc = call(&doc, &resp, s, req, err);
	if (rc != 0)
		return rc;
	rv = pbm_child(resp, "returnval");
	rc = vs_xml_moref(&s->profile_manager,
	                  pbm_child(rv, "profileManager"), err);
	if (rc == 0)
		rc = vs_xml_moref(&s->placement_solver,
		                  pbm_child(rv, "placementSolver"), err);
	if (rc != 0)
		err_prefix(err, "PBM PbmRetrieveServiceContent");
	xmlFreeDoc(doc);
	return rc;
}

/* The ids (PbmProfileId uniqueId) of the STORAGE REQUIREMENT profiles,
 * as pbm.rb queries them: a request whose reply is in *doc_out. */
static int
query_profiles(xmlDocPtr *doc_out, xmlNodePtr *resp_out, struct pbm *s,
               struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m, rt;
	int rc;

	rc = request(&req, &m, s, "PbmQueryProfile", &s->profile_manager,
	             err);
	if (rc != 0)
		return rc;
	rt = vs_soap_add_obj(m, "resourceType", NULL);
	vs_soap_add_text(rt, "resourceType", "STORAGE");
	vs_soap_add_text(m, "profileCategory", "REQUIREMENT");
	return call(doc_out, resp_out, s, req, err);
}

/* Of the profiles listed in ids (PbmQueryProfile's reply), the id of
 * the one named name into *id_out (NULL: none has that name). */
static int
profile_named(char **id_out, struct pbm *s, xmlNodePtr ids,
              const char *name, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, resp, id, rv;
	char *text = NULL;
	int rc;

	*id_out = NULL;
	rc = request(&req, &m, s, "PbmRetrieveContent", &s->profile_manager,
	             err);
	if (rc != 0)
		return rc;
	for (id = pbm_child(ids, "returnval"); id != NULL;
	     id = pbm_next(id, "returnval")) {
		xmlNodePtr n = pbm_child(id, "uniqueId");
		xmlChar *u = n != NULL ? xmlNodeGetContent(n) : NULL;

		if (u != NULL && u[0] != '\0')
			vs_soap_add_text(vs_soap_add_obj(m, "profileIds",
			                                 NULL),
			                 "uniqueId", (const char *)u);
		xmlFree(u);
	}
	rc = call(&doc, &resp, s, req, err);
	for (rv = pbm_child(resp, "returnval"); rc == 0 && rv != NULL;
	     rv = pbm_next(rv, "returnval")) {
		rc = pbm_text(&text, rv, "name", err);
		if (rc == 0 && strcmp(text, name) == 0)
			rc = pbm_text(id_out, pbm_child(rv, "profileId"),
			              "uniqueId", err);
		free(text);
		if (*id_out != NULL)
			break;
	}
	if (rc != 0 && doc != NULL)
		err_prefix(err, "PBM PbmRetrieveContent");
	xmlFreeDoc(doc);
	return rc;
}

/* The policy's profile id (PbmQueryProfile, PbmRetrieveContent). */
static int
find_profile(struct vs_pbm_policy *p, struct pbm *s, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr ids = NULL;
	int rc;

	rc = query_profiles(&doc, &ids, s, err);
	if (rc == 0 && pbm_child(ids, "returnval") != NULL)
		rc = profile_named(&p->profile_id, s, ids, p->name, err);
	if (rc == 0 && p->profile_id == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "Storage Policy: %s not "
		             "found", p->name);
	xmlFreeDoc(doc);
	return rc;
}

/* A compatible result's datastore hub id appended to p (others are
 * skipped). */
static int
add_hub(struct vs_pbm_policy *p, struct pbm *s, xmlNodePtr result,
        struct err *err)
{
	xmlNodePtr hub = pbm_child(result, "hub");
	char *type = NULL, *id = NULL;
	int rc;

	if (pbm_child(result, "error") != NULL)
		return 0;
	rc = pbm_text(&type, hub, "hubType", err);
	if (rc == 0)
		rc = pbm_text(&id, hub, "hubId", err);
	if (rc == 0 && strcmp(type, "Datastore") == 0) {
		if (array_grow((void **)&p->datastores, &s->ds_cap,
		                p->ndatastores + 1, sizeof(char *), 8) != 0) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
		} else {
			p->datastores[p->ndatastores++] = id;
			id = NULL;
		}
	}
	free(type);
	free(id);
	return rc;
}

/* The datastores compatible with the policy (PbmCheckRequirements). */
static int
compatible(struct vs_pbm_policy *p, struct pbm *s, struct err *err)
{
	xmlDocPtr req = NULL, doc = NULL;
	xmlNodePtr m, r, resp, rv;
	int rc;

	rc = request(&req, &m, s, "PbmCheckRequirements",
	             &s->placement_solver, err);
	if (rc != 0)
		return rc;
	r = vs_soap_add_obj(m, "placementSubjectRequirement",
	                    "PbmPlacementCapabilityProfileRequirement");
	vs_soap_add_text(vs_soap_add_obj(r, "profileId", NULL), "uniqueId",
	                 p->profile_id);
	rc = call(&doc, &resp, s, req, err);
	for (rv = pbm_child(resp, "returnval"); rc == 0 && rv != NULL;
	     rv = pbm_next(rv, "returnval"))
		rc = add_hub(p, s, rv, err);
	if (rc != 0 && doc != NULL)
		err_prefix(err, "PBM PbmCheckRequirements");
	if (rc == 0 && p->ndatastores == 0)
		rc = err_set(err, ERR_ENOTFOUND, "No compatible Datastore for "
		             "Storage Policy: %s", p->name);
	xmlFreeDoc(doc);
	return rc;
}

int
vs_pbm_find_policy(struct vs_pbm_policy **out, struct vs_client *c,
                   const char *name, struct err *err)
{
	struct vs_pbm_policy *p = NULL;
	struct pbm s = { .c = c };
	int rc;

	*out = NULL;
	if (c == NULL || name == NULL || name[0] == '\0')
		return err_set(err, ERR_EINVAL, "no client or policy name");
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->name = strdup(name)) == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_client_cookie(&s.cookie, c, PBM_COOKIE, err);
	if (rc != 0) {
		err_prefix(err, "PBM needs the vCenter session");
		goto cleanup;
	}
	rc = service_content(&s, err);
	if (rc == 0)
		rc = find_profile(p, &s, err);
	if (rc == 0)
		rc = compatible(p, &s, err);
	if (rc == 0) {
		*out = p;
		p = NULL;
	}
cleanup:
	if (s.cookie != NULL)
		explicit_bzero(s.cookie, strlen(s.cookie));
	free(s.cookie);
	vs_pbm_policy_free(p);
	return rc;
}

void
vs_pbm_policy_free(struct vs_pbm_policy *p)
{
	if (p == NULL)
		return;
	strv_free(p->datastores, p->ndatastores);
	free(p->name);
	free(p->profile_id);
	free(p);
}

bool
vs_pbm_policy_has(const struct vs_pbm_policy *p, const char *ds)
{
	size_t i;

	for (i = 0; p != NULL && ds != NULL && i < p->ndatastores; i++)
		if (strcmp(p->datastores[i], ds) == 0)
			return true;
	return false;
}
