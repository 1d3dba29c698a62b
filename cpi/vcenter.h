/*
 * cpi/vcenter.h: one vCenter session for one CPI call.
 *
 * cpi_vcenter_open() picks the transport (curl; or record/replay from
 * --record DIR / --replay DIR, else VSPHERE_CPI_FIXTURES), builds the
 * client from the config and logs in, or takes the session an earlier
 * call kept (vcenters[0].session_dir: cpi/session_keep.h).
 * cpi_vcenter_close() logs out, or keeps the session for the next call
 * when session_dir is set, and lets a replay transport report unused
 * exchanges; it runs on every path, so without session_dir no vCenter
 * session outlives the process.
 */
#ifndef CPI_VCENTER_H
#define CPI_VCENTER_H

#include <stdbool.h>

#include "cpi/dispatch.h"
#include "vsphere/vsphere.h"

/* Connects with call->config and call->opts.  On failure call->err is a
 * CloudError (ok_to_retry for transient causes) and *out is NULL. */
int cpi_vcenter_open(struct vs_client **out, struct cpi_call *call);
/* The same without the CloudError: *verr keeps the vsphere/ code (TLS,
 * network, InvalidLogin, …) for callers that classify it (cpi check).
 * *out is set whenever the client was made, also when connecting failed
 * (api version and round trips stay readable); free it with
 * cpi_vcenter_close() or vs_client_free().  retry false: transient
 * failures are reported at once instead of retried (the client's
 * default policy otherwise). */
int cpi_vcenter_connect(struct vs_client **out, struct cpi_call *call,
                        bool retry, struct err *verr);
/* Logs out, finishes the transport and frees c (NULL is fine).  A failure
 * is reported in call->err only when the call has no error yet, so the
 * root cause is kept; except a replay mismatch (ERR_EREPLAY), which
 * replaces any error: the replayed run is invalid. */
int cpi_vcenter_close(struct vs_client *c, struct cpi_call *call);

/* The inventory folder path relative to "<dc>/vm" for one of the
 * config's folders (vm_folder or template_folder): the folder itself, or
 * "<folder>/<director_uuid>" when use_sub_folder is set (then the request
 * context must carry director_uuid).  *out is malloc'd. */
int cpi_folder_rel(char **out, const struct cpi_call *call,
                   const char *folder);

/* The configured datacenter (ONE FindByInventoryPath).  One that does
 * not exist is a CloudError naming datacenters[0].name: never read as
 * "the object looked for is gone". */
int cpi_datacenter_find(struct vs_moref *out, struct vs_client *c,
                        struct cpi_call *call);
/* Whether the configured folder (key "vm_folder" or "template_folder",
 * its value folder) exists under "<dc>/vm" (ONE FindByInventoryPath):
 * 0 when it does, else a CloudError naming datacenters[0].<key>. */
int cpi_folder_check(struct vs_client *c, struct cpi_call *call,
                     const char *folder, const char *key);
/* Finds VM cid where the Ruby CPI finds it:
 *  1. at its expected path "<dc>/vm/<vm_folder>[/<director uuid>]/<cid>"
 *     (ONE FindByInventoryPath: the common case);
 *  2. else by name anywhere under the datacenter's VM folders (a VM an
 *     operator moved to another folder): the datacenter is looked up
 *     (missing: CloudError naming datacenters[0].name), then one read
 *     from it through its vm folder takes every VM's name and every
 *     folder's name and parent (no lookup of "<dc>/vm"); two VMs with
 *     the name is a CloudError;
 *  3. else "not found" only once vm_folder is known to exist (seen in
 *     that read, else looked up by its path): a missing vm_folder is a
 *     CloudError naming datacenters[0].vm_folder (a changed config must
 *     not make the Director forget its VMs).
 * Returns 0 (found, *out set), 1 (not found: nothing set in call->err)
 * or ERR_FAIL with call->err set. */
int cpi_vm_lookup(struct vs_moref *out, struct vs_client *c,
                  struct cpi_call *call, const char *cid);

#endif
