/*
 * vsphere/pbm.h: the vCenter's storage policy service (SPBM, the SOAP
 * endpoint /pbm/sdk), as the Ruby CPI's pbm.rb uses it: a policy found
 * by name, and the datastores compatible with it.
 *
 * Every exchange goes through the client's transport (vs_client_http:
 * the same TLS verification, retries, deadline, record and replay).
 * PBM knows no login of its own: each request carries the vim25
 * session's cookie as the SOAP header vcSessionCookie (as govmomi's and
 * pyVmomi's PBM clients send it); record mode redacts it
 * (base/redact.h).  Four round trips, made only when a policy is asked
 * for:
 *
 *	PbmRetrieveServiceContent   the profile manager and placement
 *	                            solver
 *	PbmQueryProfile             the ids of the STORAGE REQUIREMENT
 *	                            profiles (pbm.rb's query)
 *	PbmRetrieveContent          their names (skipped when there are
 *	                            none)
 *	PbmCheckRequirements        the hubs compatible with the policy
 *	                            (a PbmPlacementCapabilityProfileRequirement,
 *	                            no hubs given: all of them)
 *
 * pbm.rb asks PbmCheckCompatibility(no hubs, profile), which answers the
 * same; PbmCheckRequirements is used because govmomi's PBM simulator
 * serves only it.  As pbm.rb does, results with an error are dropped
 * and only hubs of type Datastore kept (a StoragePod hub is not
 * expanded).
 */
#ifndef VS_PBM_H
#define VS_PBM_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct vs_client;

/* The SOAPAction of PBM requests: the pbm.version.version12 (6.7) of
 * the Ruby CPI's PbmStubAdapter. */
#define VS_PBM_SOAP_ACTION "urn:pbm/6.7"
#define VS_PBM_PATH "/pbm/sdk"

struct vs_pbm_policy {
	char *name;
	char *profile_id;       /* the profile's uniqueId */
	char **datastores;      /* moref values of the compatible
	                         * datastores, in PBM's order */
	size_t ndatastores;     /* >= 1 */
};

/* The storage policy named name and its compatible datastores.  A name
 * no STORAGE REQUIREMENT profile has: ERR_ENOTFOUND "Storage Policy:
 * <name> not found"; no compatible datastore: ERR_ENOTFOUND "No
 * compatible Datastore for Storage Policy: <name>" (pbm.rb's messages).
 * A client whose transport keeps no session cookie: ERR_ENOTFOUND. */
int vs_pbm_find_policy(struct vs_pbm_policy **out, struct vs_client *c,
                       const char *name, struct err *err);
void vs_pbm_policy_free(struct vs_pbm_policy *p);

/* Whether moref value ds is among p's compatible datastores. */
bool vs_pbm_policy_has(const struct vs_pbm_policy *p, const char *ds);

#endif
