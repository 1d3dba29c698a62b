/*
 * vsphere/preflight.h: the reads `cpi check` makes besides the inventory
 * (vs_inventory_read() in placement.h); xml-free, cpi/ uses it.  Both
 * only read: nothing in vCenter changes.
 */
#ifndef VS_PREFLIGHT_H
#define VS_PREFLIGHT_H

#include <stddef.h>

#include "vsphere/moref.h"
#include "base/err.h"

struct vs_client;

/* about.apiType after connect: "VirtualCenter", "HostAgent" or "". */
const char *vs_client_api_type(const struct vs_client *c);

/* The privileges user holds on one entity. */
struct vs_entity_privs {
	struct vs_moref entity;
	char **privs;
	size_t nprivs;
};

struct vs_privileges {
	struct vs_entity_privs *items;
	size_t n;
};

/* AuthorizationManager.FetchUserPrivilegeOnEntities for the n entities
 * (one round trip).  ERR_ENOTFOUND when the server has no authorization
 * manager. */
int vs_privileges_fetch(struct vs_privileges **out, struct vs_client *c,
                        const struct vs_moref *entities, size_t n,
                        const char *user, struct err *err);
/* Whether p grants priv on entity (false when entity is not in p). */
bool vs_privileges_has(const struct vs_privileges *p,
                       const struct vs_moref *entity, const char *priv);
void vs_privileges_free(struct vs_privileges *p);

#endif
