/*
 * vsphere/placement.h: where a new VM goes (xml-free; cpi/ uses it).
 *
 * vs_placement_find() reads the inventory in ONE RetrievePropertiesEx:
 * from the root folder through every folder, datacenter, cluster, host,
 * resource pool, datastore, network and distributed switch (names,
 * parents and the few numbers placement needs; never VMs).  From that it
 * picks, inside the named datacenter:
 *
 *  - a cluster among the wanted ones with at least memory_mb +
 *    VS_PLACEMENT_MEMORY_HEADROOM_MB of free memory (over its connected
 *    hosts not in maintenance: memory size less current usage; the
 *    cluster's effective memory when no host data came back; over the
 *    hosts of its host group when that group binds with MUST), and in it
 *    the resource pool named (any depth below the cluster's root pool) or
 *    the root pool;
 *  - among that cluster's datastores (accessible, not in maintenance)
 *    the ones named exactly in datastores[] or, without names, matching
 *    the POSIX extended regular expression datastore_pattern, with more
 *    free space than the ephemeral disk, the VM's swap file and
 *    VS_PLACEMENT_DISK_HEADROOM_MB (disk_mb + memory_mb + 1024, as the
 *    Ruby CPI's DiskPlacementSelectionPipeline asks); over the wanted
 *    clusters that leave fewest of the persistent disks' patterns
 *    (disk_patterns) without a usable matching datastore (the Ruby
 *    CPI's first scorer: the least to migrate), the one with the
 *    highest r * free space wins, r drawn uniformly in (0, 1] per
 *    datastore (the Ruby CPI's StableRandom scorer), so that parallel
 *    creates spread over the datastores with the emptier ones likelier;
 *  - each port group: its last '/' component names the network; earlier
 *    components, when given, must match the end of the network's path
 *    (network folders, then for a distributed port group its switch's
 *    name: "DVS0/DC0_DVPG0", "folder/DVS0/DC0_DVPG0", "folder/VM
 *    Network").  A name alone matching several networks is resolved as
 *    the Ruby CPI does (NSX-backed port groups of one logical switch,
 *    with at most one opaque network of it: the first port group; else
 *    the standard port group), else an error asking for the
 *    DVS/PORTGROUP form.  An OpaqueNetwork (NSX-T) gives VS_PG_OPAQUE;
 *  - the VM folder path (relative to the datacenter's vm folder), or its
 *    deepest existing part, so that the caller only creates what is
 *    missing, without looking anything up again;
 *  - optionally one VM's properties (the stemcell's, for create_vm):
 *    found by inventory path before the read and read in it, as a
 *    second ObjectSpec without traversal.
 *
 * Errors: ERR_ENOTFOUND for a datacenter, cluster, resource pool or port
 * group that does not exist and when no cluster or datastore qualifies;
 * ERR_EINVAL for an ambiguous port group or a bad pattern (both are bad
 * input: a retry cannot help); anything else comes from vCenter.
 * Messages name the objects asked for.
 */
#ifndef VS_PLACEMENT_H
#define VS_PLACEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "base/err.h"

struct vs_client;
struct vs_object;

/* Memory a cluster must have beyond the VM's own. */
#define VS_PLACEMENT_MEMORY_HEADROOM_MB 128
/* Space a datastore must have beyond the disk and swap file (strictly
 * more: the Ruby CPI's DISK_HEADROOM). */
#define VS_PLACEMENT_DISK_HEADROOM_MB 1024

/* A source of random bytes (base/uuid.h's uuid_random_bytes contract:
 * 0, or -1 when none could be read). */
typedef int (*vs_placement_rand_fn)(unsigned char *b, size_t n);

/* A fixed source (every byte 0xff: r = 1 for every datastore, so the
 * most free space wins, the first on ties), for replay and tests. */
int vs_placement_rand_fixed(unsigned char *b, size_t n);

struct vs_pbm_policy;

struct vs_placement_cluster {
	const char *name;
	const char *resource_pool;      /* NULL: the cluster's root pool */
	/* The cluster's host group (ClusterHostGroup) or NULL, as the Ruby
	 * CPI counts it: with host_group_must its connected hosts out of
	 * maintenance stand for the cluster's memory (and the clone goes to
	 * the first of them: vs_placement.host_group_host); either way its
	 * free memory breaks ties between equal datastore scores (the
	 * cluster's own without a group).  Missing: ERR_ENOTFOUND. */
	const char *host_group;
	bool host_group_must;
};

/* Borrowed view; every pointer belongs to the caller. */
struct vs_placement_req {
	const char *datacenter;         /* name (or inventory path) */
	const struct vs_placement_cluster *clusters;
	size_t nclusters;               /* >= 1 */
	const char *datastore_pattern;  /* used when ndatastores == 0 */
	const char *const *datastores;  /* exact names, or NULL */
	size_t ndatastores;
	long long memory_mb;
	long long disk_mb;
	const char *const *port_groups; /* cloud_properties.name per NIC */
	const char *const *pg_owners;   /* the BOSH network of each, for
	                                   messages; may be NULL */
	size_t nport_groups;
	const char *vm_folder;          /* relative path or NULL */
	/* A VM (create_vm: the stemcell) whose properties source_props come
	 * in the same inventory read, saving the caller a read: looked up
	 * first by inventory path "<datacenter>/<source_path>" (e.g.
	 * "vm/BOSH_Templates/sc-<uuid>").  NULL: none.  Not found there
	 * (or the datacenter is not at the path its name gives, or the VM
	 * went away meanwhile): vs_placement.source stays NULL, no error,
	 * and the caller reads it itself. */
	const char *source_path;
	const char *const *source_props;
	/* The datastore spread's random source; NULL: uuid_random_bytes. */
	vs_placement_rand_fn rand;
	/* Where the VM's persistent disks belong (create_vm's disk_cids:
	 * the target_datastore_pattern of the Ruby CPI's cid form), POSIX
	 * extended regular expressions: clusters with a usable datastore
	 * matching more of them are preferred. */
	const char *const *disk_patterns;
	size_t ndisk_patterns;
	/* A storage policy (vsphere/pbm.h): only its compatible datastores
	 * qualify, in place of datastores / datastore_pattern (the Ruby
	 * CPI's precedence: the policy's datastores replace the others).
	 * NULL: none. */
	const struct vs_pbm_policy *policy;
	/* Datastore clusters (vsphere/storage_pod.h), as the Ruby CPI's
	 * StoragePicker: pods names the VM type's (datastores: [{clusters:
	 * [{<pod>: {}}]}], a name or a path below the datastore folder);
	 * with pods or datastores[], the members of the named pods that
	 * have Storage DRS on join the datastores named.  Without either,
	 * pod_pattern (datastore_cluster_pattern) adds the members of the
	 * matching pods with Storage DRS on to datastore_pattern's
	 * datastores (NULL or "": no pattern).  Pods with Storage DRS off
	 * are left out.  The pods' members and flag come in the one
	 * inventory read (nothing more is read without pods). */
	const char *const *pods;
	size_t npods;
	const char *pod_pattern;
};

enum vs_pg_kind {
	VS_PG_STANDARD = 1,             /* Network: network backing */
	VS_PG_DISTRIBUTED,              /* DVPG: DVS port backing */
	VS_PG_OPAQUE,                   /* NSX-T OpaqueNetwork: opaque
	                                   network backing */
};

struct vs_port_group {
	int kind;                       /* enum vs_pg_kind */
	struct vs_moref network;
	char *name;                     /* the network's own name */
	char *switch_uuid;              /* distributed only */
	char *portgroup_key;            /* distributed only */
	char *opaque_id;                /* opaque only: opaqueNetworkId */
	char *opaque_type;              /* opaque only: opaqueNetworkType */
};

struct vs_placement {
	struct vs_moref datacenter;
	char *dc_path;                  /* inventory path, e.g. "DC0" */
	struct vs_moref dc_vm_folder;   /* the datacenter's vm folder */
	bool has_vm_folder;             /* req->vm_folder exists */
	struct vs_moref vm_folder;      /* it, or its deepest existing
	                                   ancestor (dc_vm_folder at worst) */
	size_t vm_folder_found;         /* path components that exist */
	size_t cluster_index;           /* its entry in req->clusters */
	char *cluster;                  /* the cluster's name */
	struct vs_moref cluster_ref;
	struct vs_moref pool;
	char *datastore;                /* the datastore's name */
	struct vs_moref datastore_ref;
	long long datastore_free_mb;
	long long max_host_mhz;         /* the cluster's fastest connected
	                                   host not in maintenance
	                                   (summary.hardware.cpuMhz); 0:
	                                   none known */
	struct vs_moref host_group_host; /* the chosen cluster's MUST host
	                                   group's first connected host out
	                                   of maintenance; type "": none */
	struct vs_port_group *pgs;      /* one per req->port_groups */
	size_t npgs;
	struct vs_object *source;       /* req->source_path's VM and its
	                                   source_props, or NULL */
};

int vs_placement_find(struct vs_placement **out, struct vs_client *c,
                      const struct vs_placement_req *req,
                      struct err *err);
void vs_placement_free(struct vs_placement *p);

/* --- the inventory for preflight checks (cpi check) -----------------
 *
 * vs_inventory_read() makes the same single read as vs_placement_find(),
 * with a few more properties (cluster hosts, DRS and groups, datastore
 * host mounts and capacity; with pods, the datastore clusters' Storage
 * DRS flags); the lookups below answer from it without another round
 * trip.  Nothing is changed in vCenter. */

struct vs_inventory;

int vs_inventory_read(struct vs_inventory **out, struct vs_client *c,
                      bool pods, struct err *err);
void vs_inventory_free(struct vs_inventory *inv);

/* The datacenter by inventory path or name (as vs_placement_find), its
 * path (*path_out malloc'd) and its vm folder. */
int vs_inventory_datacenter(struct vs_moref *out, char **path_out,
                            struct vs_moref *vm_folder_out,
                            const struct vs_inventory *inv,
                            const char *name, struct err *err);
/* How much of rel (relative to the datacenter's vm folder) exists:
 * *found_out of *total_out components, the deepest existing folder (the
 * vm folder itself when none) in *deepest_out. */
int vs_inventory_vm_folder(size_t *found_out, size_t *total_out,
                           struct vs_moref *deepest_out,
                           const struct vs_inventory *inv,
                           const struct vs_moref *dc, const char *rel,
                           struct err *err);

struct vs_inv_cluster {
	struct vs_moref ref;
	size_t nhosts;
	int drs;                        /* 1 on, 0 off, -1 unknown */
	char drs_behavior[32];          /* defaultVmBehavior or "" */
	bool host_group_found;          /* the host_group asked for */
};

/* ERR_ENOTFOUND when the datacenter has no cluster of that name. */
int vs_inventory_cluster(struct vs_inv_cluster *out,
                         const struct vs_inventory *inv,
                         const struct vs_moref *dc, const char *name,
                         const char *host_group, struct err *err);
/* The resource pool below the cluster's root pool (name NULL: the root
 * pool): ERR_ENOTFOUND, or ERR_EINVAL when several have the name. */
int vs_inventory_pool(struct vs_moref *out, const struct vs_inventory *inv,
                      const struct vs_moref *cluster, const char *name,
                      struct err *err);

struct vs_inv_datastore {
	char *name;
	struct vs_moref ref;
	long long free_mb;              /* -1 unknown */
	long long capacity_mb;          /* -1 unknown */
	bool usable;                    /* accessible, not in maintenance */
	char *pod;                      /* its datastore cluster or NULL */
	int pod_sdrs;                   /* that one's Storage DRS: 1 on,
	                                   0 off, -1 unknown (read with
	                                   vs_inventory_read's pods) */
};

struct vs_inv_datastores {
	struct vs_inv_datastore *items;
	size_t n;
};

/* The datacenter's datastores whose name matches the pattern (a Ruby
 * regular expression), or with pods, the datastores of the datastore
 * clusters (StoragePods) whose path below the datastore folder matches
 * ("POD", "folder/POD", as placement matches them).  ERR_EINVAL for a
 * bad pattern. */
int vs_inventory_datastores(struct vs_inv_datastores **out,
                            const struct vs_inventory *inv,
                            const struct vs_moref *dc, const char *pattern,
                            bool pods, struct err *err);
void vs_inv_datastores_free(struct vs_inv_datastores *l);
/* Of the cluster's hosts (*total_out), how many mount ds accessibly;
 * *attached_out: ds is among the cluster's datastores. */
int vs_inventory_ds_seen(size_t *seen_out, size_t *total_out,
                         bool *attached_out,
                         const struct vs_inventory *inv,
                         const struct vs_moref *cluster,
                         const struct vs_moref *ds, struct err *err);
/* A port group by name as create_vm looks it up (owner: the BOSH network,
 * for messages; may be NULL).  Clear *out with vs_port_group_clear(). */
int vs_inventory_port_group(struct vs_port_group *out,
                            const struct vs_inventory *inv,
                            const struct vs_moref *dc, const char *name,
                            const char *owner, struct err *err);
void vs_port_group_clear(struct vs_port_group *pg);

#endif
