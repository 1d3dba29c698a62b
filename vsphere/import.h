/*
 * vsphere/import.h: OVF import through an HttpNfcLease (internal to
 * vsphere/; vsphere/stemcell.h is the public face).
 *
 *   OvfManager.CreateImportSpec(descriptor, pool, datastore, entityName)
 *   (with no_nics, the import spec's NIC deviceChanges dropped)
 *   ResourcePool.ImportVApp(importSpec, folder)      -> HttpNfcLease
 *   wait until the lease is ready (state polled once a second)
 *   for every fileItem: POST the local disk file to the lease's device URL
 *     whose importKey is the fileItem's deviceId, streamed from disk, with
 *     Content-Type application/x-vnd.vmware-streamVmdk
 *   HttpNfcLeaseProgress between uploads (at most every interval)
 *   HttpNfcLeaseComplete
 *
 * On any failure after ImportVApp the lease is aborted and the VM the
 * import created (if vCenter did not remove it itself) is destroyed.
 */
#ifndef VS_IMPORT_H
#define VS_IMPORT_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "vsphere/client.h"
#include "vsphere/ovf.h"

#define VS_IMPORT_TASK_TIMEOUT_S 1800.0
#define VS_IMPORT_CONTENT_TYPE "application/x-vnd.vmware-streamVmdk"

struct vs_import_params {
	const char *name;               /* entity name of the new VM */
	const struct vs_ovf *ovf;
	const char *dir;                /* local directory of ovf's files */
	const struct vs_moref *pool;
	const struct vs_moref *datastore;
	const struct vs_moref *folder;
	const char *folder_path;        /* inventory path of folder (used to
	                                   find a half-imported VM) */
	double lease_timeout_s;         /* <= 0: 600 */
	double progress_interval_s;     /* <= 0: 5 */
	const char *disk_provisioning;  /* cisp.diskProvisioning: "thin",
	                                   "thick", "eagerZeroedThick"; NULL:
	                                   vCenter's default */
	const char *hw_version;         /* "vmx-17": the import spec's
	                                   configSpec.version becomes it (the
	                                   VM is made at that hardware
	                                   version); NULL: the OVF's */
	bool no_nics;                   /* the NICs vCenter adds for the
	                                   OVF's networks are left out of the
	                                   import spec: the VM is made with
	                                   none (no reconfigure after) */
};

/* Imports p->ovf as a powered-off VM; *vm_out is the new VM. */
int vs_import_ovf(struct vs_moref *vm_out, struct vs_client *c,
                  const struct vs_import_params *p, struct err *err);

/* The URL to upload to: lease_url (its host is "*" on vCenter, or a
 * real host name) with a "*" host replaced by the host[:port] of base_url
 * ("https://vc:443"); the lease URL's scheme is kept.  Only http and
 * https URLs with an absolute path and no whitespace or control
 * characters are accepted.  *out is malloc'd. */
int vs_import_device_url(char **out, const char *lease_url,
                         const char *base_url, struct err *err);

/* How a VM an import made is removed (vsphere/vm_remove.h): powered
 * off when on, destroyed; a VM already gone is fine. */
struct vs_vm_remove_opts;
extern const struct vs_vm_remove_opts vs_import_vm_removal;

#endif
