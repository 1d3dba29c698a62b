/*
 * cpi/agent_net.h: the networks of create_vm between the request's JSON
 * and network/'s typed values (network/net.h), both ways, and the agent
 * settings document built around them.  network/ holds no JSON: the
 * json_t stays here.
 */
#ifndef CPI_AGENT_NET_H
#define CPI_AGENT_NET_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/error.h"
#include "network/net.h"

/*
 * The request's networks hash (create_vm's fourth argument) read into
 * network/'s input and validated there (net_networks_validate): bad
 * input is a CloudError naming the network.
 */
int cpi_networks_parse(struct net_networks **out, const json_t *networks,
                       struct err *err);

/*
 * The networks object: {"<name>":{...},...} in input order, each entry
 *   {"type","ip"?,"netmask"?,"gateway"?,"prefix"?,"dns"?,"default",
 *    "routes"?,"cloud_properties"?,"mac"?,"alias"?,"nic_group"?}
 * with absent keys omitted, "routes" only when non-empty and "mac" only
 * when with_mac is set and a MAC was set.  cloud_properties is the
 * network's in request (the networks hash as the request sent it; may be
 * NULL), its keys sorted.  create_vm's API v2 result uses with_mac only
 * with nic_group; the agent settings always.
 */
int cpi_networks_json(json_t **out, const struct net_networks *nets,
                      const json_t *request, bool with_mac,
                      struct err *err);

struct cpi_disk_hint {
	const char *cid;
	const json_t *hint;             /* JSON string or object */
};

/* All pointers borrowed; NULL means absent (key omitted). */
struct cpi_agent_settings {
	const char *agent_id;           /* required */
	const char *vm_name;            /* required */
	const char *vm_id;              /* managed object id, e.g. vm-123 */
	const struct net_networks *networks;    /* required, with MACs */
	const json_t *request_networks; /* their cloud_properties */
	const json_t *disk_system;      /* JSON string or object */
	const json_t *disk_ephemeral;   /* JSON string or object */
	const struct cpi_disk_hint *persistent;  /* always written, {} */
	size_t npersistent;
	const json_t *env;              /* JSON object */
	const struct cpi_agent *agent;  /* the config's agent section */
};

/*
 * The settings the agent reads (env.iso, guestinfo.userdata), keys in
 * this order:
 *   {"agent_id","vm":{"name","id"?},"networks":{...with mac...},
 *    "disks":{"system"?,"ephemeral"?,"persistent":{cid:hint,...}},
 *    "env"?,"ntp"?,"mbus"?,"blobstore"?}
 * then, when the config's agent section holds more than ntp, mbus,
 * blobstore and env, all of its keys but env over these (as the Ruby CPI
 * merges it).  Strings must be valid UTF-8.  Messages start with "agent
 * settings: " and never quote env, mbus, blobstore or disk-hint content.
 * Written with JSON_COMPACT: same input, same bytes.
 */
int cpi_agent_settings_json(json_t **out, const struct cpi_agent_settings *s,
                            struct err *err);
/* Drops the document (NULL is fine), its strings (env, mbus, blobstore
 * credentials) wiped first where this was their last reference. */
void cpi_agent_settings_free(json_t *doc);

#endif
