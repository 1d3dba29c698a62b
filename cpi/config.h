/*
 * cpi/config.h: the CPI configuration (the cpi.json the vSphere CPI job
 * renders) as typed C structs.  json_t never leaves cpi/.
 *
 *   {"cloud":{"plugin":"vsphere","properties":{
 *     "vcenters":[{"host","user","password","datacenters":[{…}],…}],
 *     "agent":{"ntp":[…],"mbus":"…","blobstore":{…}},
 *     "plugins":{…}}}}
 *
 * Exactly one vCenter and one datacenter.  Unknown keys are ignored and
 * null counts as absent for optional keys.  Every error names the key path
 * ("cloud.properties.vcenters[0].datacenters[0].name: required string")
 * and never quotes a value.
 *
 * host forms: "vc.example.com", "vc.example.com:8443", "10.0.0.5",
 * "10.0.0.5:8443", "[2001:db8::5]", "[2001:db8::5]:443", or a URL
 * "https://…" / "http://…" (simulators) with an optional "/sdk" path.  A
 * bare IPv6 address is rejected (its last group reads like a port).
 *
 * TLS: the server certificate is verified by default, against
 * connection_options.ca_cert (PEM text) when given, else the system
 * trust store.  connection_options.insecure: true is the only way to
 * skip verification (code using it logs a warning on every call).
 *
 * The request's context is merged over vcenters[0] before validation,
 * key by key, except director_uuid, request_id and vm (a cpi-config may
 * supply host, user, password, datacenters, …).
 */
#ifndef CPI_CONFIG_H
#define CPI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpi/error.h"

#define CPI_CONFIG_MAX ((size_t)4 * 1024 * 1024)
/* connection_options.deadline_seconds when absent */
#define CPI_DEFAULT_DEADLINE_S 900

enum cpi_disk_type {
	CPI_DISK_PREALLOCATED = 0,  /* default */
	CPI_DISK_THIN,
	CPI_DISK_EAGER_ZEROED_THICK,
};

enum cpi_scsi_type {
	CPI_SCSI_PARAVIRTUAL = 0,   /* default */
	CPI_SCSI_LSI_LOGIC,
	CPI_SCSI_LSI_LOGIC_SAS,
};

struct cpi_cluster {
	char *name;
	char *resource_pool;        /* NULL: the cluster's root pool */
	char *host_group;           /* NULL: none */
	char *host_group_drs_rule;  /* "MUST" / "SHOULD"; NULL when no group */
};

struct cpi_datacenter {
	char *name;
	char *vm_folder;            /* default "BOSH_VMs" */
	char *template_folder;      /* default "BOSH_Templates" */
	char *disk_path;            /* default "BOSH_Disks" */
	/* Regular expressions; at least one of each pair is set. */
	char *datastore_pattern;
	char *datastore_cluster_pattern;
	char *persistent_datastore_pattern;
	char *persistent_datastore_cluster_pattern;
	bool allow_mixed_datastores;  /* default true */
	/* As configured, or true when any cluster names a resource pool. */
	bool use_sub_folder;
	struct cpi_cluster *clusters;
	size_t nclusters;           /* >= 1 */
};

/* One vmx_options entry; value is the text of a string, integer, real
 * or boolean ("true"/"false"); is_string tells strings apart. */
struct cpi_option {
	char *key;
	char *value;
	bool is_string;
};

/* A vmx_options object (NULL: none) into *out (n_out entries; free
 * with cpi_options_free).  Values: strings, numbers, booleans; keys as
 * .vmx files write them, guestinfo.userdata* refused.  where names the
 * object in messages ("vcenters[0].vmx_options"); errors have type
 * etype. */
int cpi_options_parse(struct cpi_option **out, size_t *n_out,
                      const json_t *opts, const char *where,
                      enum cpi_error_type etype, struct err *err);
void cpi_options_free(struct cpi_option *list, size_t n);

/* Longer than any create_vm can take (retries and a slow clone included). */
#define CPI_LEFTOVER_GRACE_DEFAULT 3600
#define CPI_LEFTOVER_GRACE_MIN 60

struct cpi_vcenter {
	char *host;                 /* without brackets: "2001:db8::5" */
	int port;                   /* default 443 (80 for http://) */
	char *scheme;               /* "https" or "http" */
	bool host_is_ipv6;
	char *url;                  /* "https://[2001:db8::5]:443/sdk" */
	char *user;
	char *password;             /* secret */
	char *ca_cert;              /* PEM or NULL */
	bool insecure;              /* explicit opt-out of verification */
	int deadline_seconds;       /* connection_options.deadline_seconds:
	                               the call's overall vCenter deadline */
	enum cpi_disk_type default_disk_type;
	enum cpi_scsi_type default_scsi_controller_type;
	bool enable_human_readable_name;
	bool enable_auto_anti_affinity_drs_rules;
	bool cpu_reserve_full_mhz;
	bool memory_reservation_locked_to_max;
	bool upgrade_hw_version;
	bool http_logging;
	bool ensure_no_ip_conflicts;  /* default true */
	int default_hw_version;       /* 0: not set */
	long long leftover_vm_grace_s; /* a VM still marked as being created
	                                  this long is a leftover; default
	                                  CPI_LEFTOVER_GRACE_DEFAULT */
	char *vm_storage_policy_name; /* NULL: none */
	char *leftover_journal_dir;   /* NULL: cpi/journal.h's default */
	char *session_dir;            /* NULL: no session kept between
	                                 calls (cpi/session_keep.h) */
	struct cpi_option *vmx_options;
	size_t nvmx_options;
	struct cpi_datacenter datacenter;
};

struct cpi_agent {
	char **ntp;                 /* may be empty */
	size_t nntp;
	char *mbus;                 /* secret: may hold credentials; NULL
	                             * when not configured */
	char *blobstore_json;       /* canonical JSON text or NULL; secret */
	char *json;                 /* the whole agent hash, canonical:
	                             * merged into every VM's settings */
};

struct cpi_config {
	struct cpi_vcenter vcenter;
	struct cpi_agent agent;
	char *director_uuid;        /* from the request context, or NULL */
	/* Strings that must never be written anywhere: the password, the
	 * mbus URL and its password, blobstore credential values. */
	char **secrets;
	size_t nsecrets;
};

/* Reads and validates the file at path, after merging context (the
 * request's, may be NULL) over vcenters[0]. */
int cpi_config_load(struct cpi_config **out, const char *path,
                    const json_t *context, struct err *err);
/* The same from JSON text (len bytes). */
int cpi_config_parse(struct cpi_config **out, const char *text, size_t len,
                     const json_t *context, struct err *err);
void cpi_config_free(struct cpi_config *cfg);

/* Parses one `host` value (see above) into vc's host, port, scheme,
 * host_is_ipv6 and url.  what names the key in error messages. */
int cpi_config_parse_host(struct cpi_vcenter *vc, const char *value,
                          const char *what, struct err *err);

const char *cpi_disk_type_name(enum cpi_disk_type t);
const char *cpi_scsi_type_name(enum cpi_scsi_type t);
/* The controller's vim25 type: "ParaVirtualSCSIController",
 * "VirtualLsiLogicController", "VirtualLsiLogicSASController". */
const char *cpi_scsi_type_vim(enum cpi_scsi_type t);

/* Whether a config key's or cloud property's value is set to something
 * ("nothing" is null, false, 0, "", [] and {}): what a refused key is
 * checked with, in the config and in cloud_properties alike. */
bool cpi_json_is_set(const json_t *v);

#endif
