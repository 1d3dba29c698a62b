/*
 * cpi/vm_place.h: what create_vm adds to its placement request
 * (vsphere/placement.h): the random source of the datastore draw and
 * the persistent disks' datastore patterns from disk_cids.
 */
#ifndef CPI_VM_PLACE_H
#define CPI_VM_PLACE_H

#include <stddef.h>

#include "cpi/dispatch.h"
#include "vsphere/placement.h"

struct vs_client;
struct vs_pbm_policy;

/* The datastore draw's random source: vs_placement_rand_fixed (the
 * most free space wins) when the vSphere calls are recorded or
 * replayed, since the requests must match the recording, and in a
 * test-hook build with VSPHERE_CPI_PLACEMENT_RANDOM=fixed; else NULL
 * (the kernel's). */
vs_placement_rand_fn cpi_vm_place_rand(const struct cpi_call *call);
/* The target_datastore_pattern of each of create_vm's disk_cids (the
 * 4th argument) in the Ruby CPI's cid form into *out (malloc'd, *n of
 * them); a cid that does not parse is left to attach_disk.  Only out of
 * memory fails (CpiError). */
int cpi_vm_place_disk_patterns(char ***out, size_t *n,
                               const struct cpi_call *call);
void cpi_vm_place_patterns_free(char **v, size_t n);
/* The storage policy name (create_vm's, cpi/vm_props.h) and its
 * compatible datastores into *out (vsphere/pbm.h; the 4 PBM round
 * trips), logged; NULL name: *out NULL, no round trip.  vCenter's
 * answer (an unknown policy: ERR_ENOTFOUND) is left in verr. */
int cpi_vm_place_policy(struct vs_pbm_policy **out, struct vs_client *c,
                        const char *name, const struct cpi_call *call,
                        struct err *verr);

#endif
