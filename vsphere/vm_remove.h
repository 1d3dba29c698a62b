/*
 * vsphere/vm_remove.h: the one way a VM is removed, for delete_vm, the
 * leftover sweep, create_vm's cleanup and the stemcell import's cleanup.
 *
 * The steps, each as the options ask:
 *
 *  1. read: with keep_disks the VM's devices, disk records and power
 *     state (vs_disk_vm_read, 2 round trips); else, with power READ, its
 *     power state alone (one read);
 *  2. power off unless off (vs_vm_power_off);
 *  3. keep_disks: every persistent disk detached in one reconfigure and
 *     placed back under "<disk_path>/<cid>.vmdk" (vsphere/disk.h
 *     vs_disk_vm_keeps, vs_disk_detach_keeps, vs_disk_place_back); a disk
 *     that cannot be placed back keeps the VM (the destroy would take the
 *     file with it);
 *  4. leave_drs: out of the DRS anti-affinity rules and VM groups of its
 *     cluster (vs_drs_rules_remove_vm);
 *  5. Destroy_Task;
 *  6. dir: what is left of the VM's directory on the datastore of its
 *     files (vs_vm_remove_files).
 *
 * Log lines (through the client's log) and the messages of steps 3 and 6
 * start with opts->what ("delete_vm vm-1"); a failure of the VM itself
 * (steps 1, 2, 4, 5) comes as the lower layer reported it.
 */
#ifndef VS_VM_REMOVE_H
#define VS_VM_REMOVE_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "base/err.h"

struct vs_client;
struct vs_vm_names;

enum vs_vm_remove_power {
	/* powered off unless the state read says off; a failure stops */
	VS_VM_REMOVE_POWER_READ = 0,
	/* powered off without a read (a power on was tried); a failure is
	 * logged and the destroy runs all the same */
	VS_VM_REMOVE_POWER_TRY,
	/* never powered on: no power off */
	VS_VM_REMOVE_POWER_NONE,
};

/* A borrowed view. */
struct vs_vm_remove_opts {
	const char *what;           /* log and message prefix; NULL: the
	                               VM's moref value */
	int power;                  /* enum vs_vm_remove_power */
	/* Persistent disks outlive the VM (steps 1 and 3).  false: the VM
	 * has none (a fresh clone, a half-imported stemcell). */
	bool keep_disks;
	const char *datacenter;     /* inventory path (steps 3 and 6) */
	const char *disk_path;      /* where kept disks go back */
	bool leave_drs;             /* step 4 (needs keep_disks: the pool
	                               comes from that read) */
	const char *dir;            /* step 6: the VM's directory name
	                               ("<cid>"); NULL: no step 6 (needs
	                               keep_disks: the datastores come from
	                               that read) */
	bool gone_ok;               /* a VM that is gone (ERR_ENOTFOUND) ends
	                               the removal successfully */
};

/* Where a removal failed. */
enum vs_vm_remove_stage {
	VS_VM_REMOVE_AT_VM = 0,     /* reading, powering off, detaching,
	                               DRS, destroying: the VM is there */
	VS_VM_REMOVE_AT_DISKS,      /* a detached disk could not be placed
	                               back (transient): the VM is kept */
	VS_VM_REMOVE_AT_FILES,      /* destroyed, its directory not cleaned */
};

struct vs_vm_removal {
	int stage;                  /* enum vs_vm_remove_stage, on failure */
	bool gone;                  /* gone_ok: the VM was gone already */
	bool has_parent;            /* keep_disks: the folder that held it */
	struct vs_moref parent;
};

/* Removes vm as opts says (see above).  *out (may be NULL) tells where a
 * failure happened and, after keep_disks, the VM's folder. */
int vs_vm_remove(struct vs_vm_removal *out, struct vs_client *c,
                 const struct vs_moref *vm,
                 const struct vs_vm_remove_opts *opts, struct err *err);

/* Step 6 alone: on each of the nds datastores, "[ds] <dir>" goes unless
 * a kept disk (kept may be NULL) lies under it, then only
 * "<dir>/env.iso" and "<dir>/env.json" do.  A file already gone is
 * fine.  dc: the datacenter (DeleteDatastoreFile_Task's). */
int vs_vm_remove_files(struct vs_client *c, const struct vs_moref *dc,
                       const char *const *datastores, size_t nds,
                       const char *dir, const struct vs_vm_names *kept,
                       struct err *err);

#endif
