/*
 * vsphere/disk_int.h: what the files of the disk module share (internal
 * to disk.c, disk_ds.c, disk_vm.c, disk_attach.c, disk_find.c and
 * disk_record.c).
 *
 *   disk.c         the disk files: path, create, locate, delete, move,
 *                  extend, QueryVirtualDiskUuid
 *   disk_ds.c      the datacenter's datastores and which to use
 *   disk_vm.c      a VM's devices and settings read back
 *   disk_attach.c  SCSI slots, attach and detach
 *   disk_find.c    the VMs using a disk, a disk found by attachment or
 *                  by a datastore search
 *   disk_record.c  the per-VM disk records, disks kept across delete_vm
 */
#ifndef VS_DISK_INT_H
#define VS_DISK_INT_H

#include "vsphere/disk.h"

/* ERR_EINVAL "<what>: no reference" when ref is NULL or empty. */
int vs_disk__check_ref(const struct vs_moref *ref, const char *what,
                       struct err *err);

/* A location on datastore ds at path with uuid (may be NULL); both are
 * taken (freed on failure). */
int vs_disk__loc_fill(struct vs_disk_loc *out, const struct vs_disk_ds *ds,
                      char *path, char *uuid, struct err *err);

/* Whether d is a SCSI controller of a type this CPI knows. */
bool vs_disk__is_scsi_controller(const struct vs_device *d);

/* The last path component of a "[ds] dir/file" name. */
const char *vs_disk__base_name(const char *file_name);

/* One datastore tried by vs_disk__each_candidate: 0 (out filled) when
 * the disk is there, ERR_ENOTFOUND with err untouched to go on; any other
 * code, or err set, stops the search. */
typedef int (*vs_disk__try_fn)(struct vs_disk_loc *out,
                               const struct vs_disk_ds *ds, void *ctx,
                               struct err *err);

/* Tries the usable datastores of dss, the wanted ones first (pattern's
 * and the wanted datastore clusters' members, as vs_disk_pick_datastore()
 * wants them), until one answers other than ERR_ENOTFOUND, and returns
 * that; ERR_ENOTFOUND (err untouched) when none did. */
int vs_disk__each_candidate(struct vs_disk_loc *out,
                            const struct vs_disk_dss *dss,
                            const char *pattern, vs_disk__try_fn try_ds,
                            void *ctx, struct err *err);

#endif
