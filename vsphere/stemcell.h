/*
 * vsphere/stemcell.h: stemcells in vCenter (xml-free; cpi/ uses it).
 *
 * A stemcell is a powered-off VM (deliberately not a template: a template
 * cannot be cloned with location.pool on every vCenter, and linked clones
 * need a snapshot of a VM) named "sc-<uuid>" (lower-case RFC 4122 text)
 * in <datacenter>/vm/<template_folder>.  Its snapshot "initial" is the
 * base of linked clones.  It has no NIC: the NICs vCenter adds for the
 * OVF's networks are left out of the import spec before ImportVApp
 * (create_vm adds its own); the CD-ROM is kept (create_vm puts the agent
 * env ISO in it).
 *
 * Replicas: linked clones need the base disk on the clone's datastore, so
 * a stemcell living elsewhere is first copied there.  A replica is named
 * "<stemcell cid>-<datastore id>" in the same template folder, with its
 * own snapshot "initial".  The datastore id is the datastore's moref
 * value when that is at most 24 characters of [A-Za-z0-9_.-] (e.g.
 * "datastore-123"), else "h" and 16 hex digits of the 64-bit FNV-1a hash
 * of the moref value (moref values are stable for the life of the
 * datastore and unique within the vCenter; the simulator's hold '/' and
 * '@' and run long).  Names never hold '/' or '%' and stay under vCenter's
 * 80-character limit.
 * A replica the Ruby CPI made, "<cid> %2f <datastore moref value>" (a
 * '/' in the value written %2f), in the template folder, on the
 * datastore and with a current snapshot, is used as it is (looked for,
 * one folder read, only when this CPI's own replica is not there).
 * delete_stemcell removes the stemcell and every "<cid>-*" and
 * "<cid> %2f *" VM there.
 */
#ifndef VS_STEMCELL_H
#define VS_STEMCELL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct vs_client;
struct vs_moref;
struct vs_object;

/* Where stemcells live. */
struct vs_stemcell_loc {
	const char *datacenter;         /* inventory path of the datacenter,
	                                   e.g. "DC0" */
	const char *template_folder;    /* relative to <dc>/vm, e.g.
	                                   "BOSH_Templates", "a/b", or
	                                   "BOSH_Templates/<director uuid>"
	                                   with use_sub_folder (see
	                                   vs_folder_rel_path in vm.h) */
};

/* One configured cluster the import may use. */
struct vs_stemcell_cluster {
	const char *name;
	const char *resource_pool;      /* NULL: the cluster's root pool */
};

struct vs_stemcell_import {
	struct vs_stemcell_loc loc;
	const struct vs_stemcell_cluster *clusters;
	size_t nclusters;               /* >= 1 */
	const char *datastore_pattern;  /* POSIX ERE; NULL or "": any */
	const char *pattern_key;        /* config key named in errors */
	const char *ovf_path;           /* unpacked descriptor; its disks sit
	                                   next to it */
	double lease_timeout_s;         /* waiting for the lease; <= 0: 600 */
	double progress_interval_s;     /* HttpNfcLeaseProgress; <= 0: 5 */
	const char *disk_provisioning;  /* "thin", "thick",
	                                   "eagerZeroedThick"; NULL: vCenter's
	                                   default */
	int hw_version;                 /* > 0: the stemcell is made at
	                                   hardware version vmx-<hw_version>,
	                                   so that the VMs cloned from it need
	                                   no UpgradeVM_Task; 0: the OVF's */
};

/* Longest cid this module makes or accepts. */
#define VS_STEMCELL_CID_MAX 64

/* True for "sc-" followed by a lower-case RFC 4122 uuid. */
bool vs_stemcell_cid_valid(const char *cid);

/* Imports the OVF as a new stemcell (see above) and writes its cid into
 * cid_out (VS_STEMCELL_CID_MAX bytes).  On failure the lease is aborted
 * and no VM is left behind.
 *
 * Placement: the first configured cluster (in config order) that has a
 * datastore whose name matches datastore_pattern (a Ruby-style regular
 * expression, vsphere/pattern.h; a pattern that does not compile is
 * ERR_EINVAL naming pattern_key), is
 * accessible, not in maintenance and has room for the OVF's files (the
 * sum of their sizes); among those the one with most free space.  The
 * pool is the cluster's resource_pool under its root pool, else the root
 * pool.  Cluster, datastores and summaries come back in one
 * RetrievePropertiesEx (one FindByInventoryPath per cluster before it),
 * with the datacenter's vmFolder (up the cluster's parents), under which
 * a missing template folder is made without looking "<dc>/vm" up.
 * No datastore fits: ERR_ENOTFOUND. */
int vs_stemcell_create(char *cid_out, struct vs_client *c,
                       const struct vs_stemcell_import *imp,
                       struct err *err);

/* Removes the stemcell cid and every replica of it.  *found_out (may be
 * NULL) tells whether anything existed; nothing existing is success. */
int vs_stemcell_delete(bool *found_out, struct vs_client *c,
                       const struct vs_stemcell_loc *loc, const char *cid,
                       struct err *err);

/* The stemcell itself when it lives on datastore, else its replica there
 * (created when missing: CloneVM_Task onto datastore into pool, then a
 * snapshot "initial").  Several processes may race for the same replica:
 * a DuplicateName answer means another one is making it, and is waited on
 * (bounded) until the replica has a current snapshot.  vm_out and
 * snapshot_out receive the VM and its current snapshot, hw_out (may be
 * NULL; VS_STEMCELL_HW_MAX bytes) the stemcell's hardware version
 * ("vmx-17"; "" when unknown), which its replicas and their clones keep
 * (read in the same property read: no round trip).  A missing stemcell
 * gives ERR_ENOTFOUND. */
#define VS_STEMCELL_HW_MAX 32
int vs_stemcell_replica(struct vs_moref *vm_out,
                        struct vs_moref *snapshot_out, char *hw_out,
                        struct vs_client *c,
                        const struct vs_stemcell_loc *loc,
                        const char *stemcell_cid,
                        const struct vs_moref *datastore,
                        const struct vs_moref *pool, struct err *err);

/* What vs_stemcell_replica() reads of the stemcell (NULL-terminated). */
extern const char *const vs_stemcell_props[];

/* vs_stemcell_replica() for the stemcell sc, whose vs_stemcell_props
 * were read already (create_vm reads them in its placement read): no
 * lookup and no read of it.  sc NULL: vs_stemcell_replica(). */
int vs_stemcell_replica_of(struct vs_moref *vm_out,
                           struct vs_moref *snapshot_out, char *hw_out,
                           struct vs_client *c,
                           const struct vs_stemcell_loc *loc,
                           const char *stemcell_cid,
                           const struct vs_object *sc,
                           const struct vs_moref *datastore,
                           const struct vs_moref *pool, struct err *err);

/* The replica's name for cid on the datastore whose moref value is
 * ds_value, into out (size bytes). */
int vs_stemcell_replica_name(char *out, size_t size, const char *cid,
                             const char *ds_value, struct err *err);

#endif
