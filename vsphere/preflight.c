/*
 * vsphere/preflight.c: the privilege query of `cpi check` (see
 * preflight.h).
 */
#include "vsphere/preflight.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"

#define MAX_PRIVS 4096

const char *
vs_client_api_type(const struct vs_client *c)
{
	const struct vs_service_content *sc = vs_client_sc(c);

	return sc != NULL ? sc->api_type : "";
}

static int
read_result(struct vs_entity_privs *out, xmlNodePtr rv, struct err *err)
{
	xmlNodePtr p;
	size_t n = vs_xml_count(rv, "privileges");
	int rc;

	rc = vs_xml_moref(&out->entity, vs_xml_child(rv, "entity"), err);
	if (rc < 0)
		return rc;
	if (n > MAX_PRIVS)
		return err_set(err, ERR_EPARSE, "FetchUserPrivilegeOn"
		               "Entities: too many privileges");
	out->privs = calloc(n + 1, sizeof(*out->privs));
	if (out->privs == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (p = vs_xml_child(rv, "privileges"); p != NULL;
	     p = vs_xml_next(p, "privileges")) {
		/* NULL only when out of memory: not an empty privilege */
		xmlChar *t = xmlNodeGetContent(p);

		out->privs[out->nprivs] = t != NULL ? strdup((char *)t) : NULL;
		xmlFree(t);
		if (out->privs[out->nprivs] == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		out->nprivs++;
	}
	return 0;
}

int
vs_privileges_fetch(struct vs_privileges **out, struct vs_client *c,
                    const struct vs_moref *entities, size_t n,
                    const char *user, struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_privileges *l = NULL;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, rv;
	size_t i, nrv;
	int rc;

	*out = NULL;
	if (sc == NULL || sc->authorization_manager.value[0] == '\0')
		return err_set(err, ERR_ENOTFOUND, "the server has no "
		               "authorization manager");
	rc = vs_soap_request_new(&req, &m, "FetchUserPrivilegeOnEntities",
	                         &sc->authorization_manager, err);
	if (rc < 0)
		goto cleanup;
	for (i = 0; i < n; i++)
		vs_soap_add_moref(m, "entities", &entities[i]);
	vs_soap_add_text(m, "userName", user);
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	nrv = vs_xml_count(r, "returnval");
	l = calloc(1, sizeof(*l));
	if (l != NULL)
		l->items = calloc(nrv + 1, sizeof(*l->items));
	if (l == NULL || l->items == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (rv = vs_xml_child(r, "returnval"); rv != NULL && rc == 0;
	     rv = vs_xml_next(rv, "returnval")) {
		rc = read_result(&l->items[l->n], rv, err);
		l->n++;
	}
	if (rc == 0) {
		*out = l;
		l = NULL;
	}
cleanup:
	if (rc < 0)
		err_prefix(err, "FetchUserPrivilegeOnEntities");
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	vs_privileges_free(l);
	return rc;
}

bool
vs_privileges_has(const struct vs_privileges *p,
                  const struct vs_moref *entity, const char *priv)
{
	size_t i, j;

	if (p == NULL)
		return false;
	for (i = 0; i < p->n; i++) {
		const struct vs_entity_privs *e = &p->items[i];

		if (strcmp(e->entity.value, entity->value) != 0 ||
		    strcmp(e->entity.type, entity->type) != 0)
			continue;
		for (j = 0; j < e->nprivs; j++)
			if (strcmp(e->privs[j], priv) == 0)
				return true;
	}
	return false;
}

void
vs_privileges_free(struct vs_privileges *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		for (j = 0; j < p->items[i].nprivs; j++)
			free(p->items[i].privs[j]);
		free(p->items[i].privs);
	}
	free(p->items);
	free(p);
}
