/*
 * vsphere/disk.h: persistent disks (xml-free; cpi/ uses it).
 *
 * A persistent disk is one virtual disk file outside every VM's
 * directory:
 *
 *	[<datastore>] <disk_path>/<disk_cid>.vmdk     (plus its -flat.vmdk)
 *
 * with disk_cid "disk-<uuid>".  The datastore is not part of the cid, so
 * a disk is found by asking vCenter (VirtualDiskManager.
 * QueryVirtualDiskUuid, one round trip per datastore tried) on the
 * datacenter's datastores, those matching the persistent pattern first.
 *
 * RULES.
 *  - Only vs_disk_delete() deletes a disk file, and cpi/ calls it only
 *    from delete_disk after vs_disk_users() found no VM using the disk.
 *    Every detach here is a device remove WITHOUT fileOperation.
 *  - A disk is attached as "independent_persistent" (snapshots of the VM
 *    leave it alone) on a free unit of a SCSI controller the VM has.
 *  - A device counts as "this disk" when its backing file's last path
 *    component is "<disk_cid>.vmdk", whatever datastore or directory it
 *    is on (a disk moved by vs_disk_move() keeps its name), or when the
 *    VM's record for disk_cid names the device's SCSI slot (see "Per-VM
 *    disk records" below: Storage vMotion renames the file).
 *
 * Every function returns 0 or a negative enum err_code with err set (the
 * first failure wins).  ERR_ENOTFOUND means the disk (or VM) is not
 * there.  Nothing here logs or returns the agent settings except to the
 * caller that asked for them.
 */
#ifndef VS_DISK_H
#define VS_DISK_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "vsphere/storage_pod.h"
#include "vsphere/vm.h"
#include "base/err.h"

struct vs_client;
struct vs_objects;
struct vs_disk_record;
struct vs_disk_vm;

/* How long the disk tasks are waited for. */
#define VS_DISK_TASK_TIMEOUT_S 1800.0
/* Longest disk cid accepted ("disk-" and a uuid is 41). */
#define VS_DISK_CID_MAX 64

/* "disk-" followed by 1..59 characters of [0-9A-Za-z-]: nothing that
 * could leave a datastore directory or a file name. */
bool vs_disk_cid_valid(const char *cid);

/* --- datastores --------------------------------------------------- */

struct vs_disk_ds {
	struct vs_moref ref;
	char *name;
	long long capacity;         /* bytes */
	long long free_space;       /* bytes */
	bool usable;                /* accessible, not in maintenance */
	bool in_pod;                /* a member of a wanted datastore
	                               cluster (vs_disk_datastores_pods) */
};

struct vs_disk_dss {
	struct vs_disk_ds *items;
	size_t n;
	bool pods_wanted;           /* datastore clusters were asked for: */
	bool pods_listed;           /* by name (else by pattern) */
	size_t pods_off;            /* of them, with Storage DRS off */
};

void vs_disk_dss_free(struct vs_disk_dss *d);
/* Every datastore of the datacenter dc (Datacenter.datastore) with its
 * summary: one RetrievePropertiesEx (more only when paging). */
int vs_disk_datastores(struct vs_disk_dss **out, struct vs_client *c,
                       const struct vs_moref *dc, struct err *err);

/* The datastores one host reaches (HostSystem.datastore: one read; the
 * host's own list is used rather than each Datastore's host mounts, which
 * the simulator leaves incomplete). */
struct vs_disk_reach {
	struct vs_moref *items;
	size_t n;
};

void vs_disk_reach_clear(struct vs_disk_reach *r);
/* vs_disk_datastores() and, in the same read, the datastores a host
 * reaches (HostSystem.datastore) into *reach: near is that host, or a VM
 * (its runtime.host, found through its resource pool's owner's hosts).
 * *has_reach is true when the host answered (near NULL, a VM without a
 * host, or an object gone meanwhile: false, the datastores alone are
 * read). */
int vs_disk_datastores_near(struct vs_disk_dss **out,
                            struct vs_disk_reach *reach, bool *has_reach,
                            struct vs_client *c, const struct vs_moref *dc,
                            const struct vs_moref *near,
                            struct err *err);
/* vs_disk_datastores_near(), and in the same read the datastore clusters
 * of want (vsphere/storage_pod.h; NULL or none: nothing more is read):
 * the members of those with Storage DRS on are marked in_pod.  A
 * datastore cluster named that does not exist is ERR_ENOTFOUND. */
int vs_disk_datastores_pods(struct vs_disk_dss **out,
                            struct vs_disk_reach *reach, bool *has_reach,
                            struct vs_client *c, const struct vs_moref *dc,
                            const struct vs_moref *near,
                            const struct vs_pod_want *want,
                            struct err *err);
int vs_disk_host_reach(struct vs_disk_reach *out, struct vs_client *c,
                       const struct vs_moref *host, struct err *err);
/* Whether ds is in reach (reach NULL: false). */
bool vs_disk_ds_reaches(const struct vs_disk_ds *ds,
                        const struct vs_disk_reach *reach);
/* Whether ds is wanted: named in names[] (exact, when nnames > 0) or
 * else matching the Ruby-style pattern (vsphere/pattern.h; NULL or "":
 * every datastore).  A bad pattern is ERR_EINVAL. */
int vs_disk_ds_wanted(bool *out, const struct vs_disk_ds *ds,
                      const char *pattern, const char *const *names,
                      size_t nnames, struct err *err);
/* The usable wanted datastore with need_bytes free: among them the ones
 * in reach (reach NULL: no preference) win, then the most free space.
 * Wanted: in_pod, or as vs_disk_ds_wanted() says (with datastore
 * clusters asked for by name, only the names; by pattern, pattern only
 * when given).
 * ERR_ENOTFOUND when none qualifies (the message says why). */
int vs_disk_pick_datastore(const struct vs_disk_ds **out,
                           const struct vs_disk_dss *dss,
                           const char *pattern, const char *const *names,
                           size_t nnames, const struct vs_disk_reach *reach,
                           long long need_bytes, struct err *err);

/* --- disk files --------------------------------------------------- */

enum vs_disk_type {
	VS_DISK_PREALLOCATED = 0,
	VS_DISK_THIN,
	VS_DISK_EAGER_ZEROED_THICK,
};

/* Where a disk is. */
struct vs_disk_loc {
	struct vs_moref datastore;
	char datastore_name[256];
	char *path;                 /* "[ds] <disk_path>/<cid>.vmdk" */
	char *uuid;                 /* lower-case 8-4-4-4-12, or NULL */
};

void vs_disk_loc_clear(struct vs_disk_loc *loc);

/* "[ds] <disk_path>/<cid>.vmdk", checked like vs_ds_path_format(). */
int vs_disk_path(char **out, const char *datastore, const char *disk_path,
                 const char *cid, struct err *err);

/* Makes "[ds] <disk_path>" when missing (FileManager.MakeDirectory, an
 * existing directory is fine), then VirtualDiskManager.
 * CreateVirtualDisk_Task (FileBackedVirtualDiskSpec: type, lsiLogic,
 * size_mb), waited for.  out->path is the new disk's path. */
int vs_disk_create(struct vs_disk_loc *out, struct vs_client *c,
                   const struct vs_moref *dc, const struct vs_disk_ds *ds,
                   const char *disk_path, const char *cid,
                   long long size_mb, int type, struct err *err);

/* QueryVirtualDiskUuid on each datastore of dss in turn (usable ones
 * matching pattern first, then the other usable ones) for
 * "[ds] <disk_path>/<cid>.vmdk"; the first hit fills out.  ERR_ENOTFOUND
 * when no datastore has it.  Cost: one round trip per datastore tried. */
int vs_disk_locate(struct vs_disk_loc *out, struct vs_client *c,
                   const struct vs_moref *dc, const struct vs_disk_dss *dss,
                   const char *pattern, const char *disk_path,
                   const char *cid, struct err *err);

/* QueryVirtualDiskUuid, normalized to lower-case 8-4-4-4-12.  A missing
 * file is ERR_ENOTFOUND. */
int vs_disk_query_uuid(char **out, struct vs_client *c,
                       const struct vs_moref *dc, const char *ds_path,
                       struct err *err);

/* DeleteVirtualDisk_Task (the descriptor and its extents), waited for.
 * FileNotFound is ERR_ENOTFOUND.  See RULES: delete_disk only. */
int vs_disk_delete(struct vs_client *c, const struct vs_moref *dc,
                   const char *ds_path, struct err *err);

/* MoveVirtualDisk_Task from src to "[dst_ds] <disk_path>/<cid>.vmdk"
 * (the directory made when missing), waited for; out->path is the new
 * path. */
int vs_disk_move(struct vs_disk_loc *out, struct vs_client *c,
                 const struct vs_moref *dc, const char *src,
                 const struct vs_disk_ds *dst_ds, const char *disk_path,
                 const char *cid, struct err *err);

/* ExtendVirtualDisk_Task to new_size_mb (eagerZero false), waited for.
 * vCenter refuses a size below the current one; the simulator does not
 * implement the method at all (MethodNotFound). */
int vs_disk_extend(struct vs_client *c, const struct vs_moref *dc,
                   const char *ds_path, long long new_size_mb,
                   struct err *err);

/* --- per-VM disk records ------------------------------------------- */

/*
 * Storage vMotion (and Storage DRS) moves an attached disk into the VM's
 * directory under a VM-style name ("[ds2] vm-x/vm-x_1.vmdk"): neither
 * its file name nor its directory tells a BOSH persistent disk then.  So
 * the VM keeps one extraConfig record per disk attached by this CPI,
 * written in the same ReconfigVM_Task as the device change:
 *
 *	bosh.persistent_disk.<cid> = "scsi<bus>:<unit>[ <disk uuid>]"
 *
 * The SCSI slot is what vSphere keeps across a Storage vMotion, and so is
 * the disk's uuid (the backing uuid; QueryVirtualDiskUuid gives the same
 * value): a device on that slot whose backing uuid differs from the
 * record's is not the disk.  Detaching removes the record (an empty
 * value) in its own reconfigure, or, when the file must be moved back to
 * "<disk_path>/<cid>.vmdk" afterwards, turns it into
 *
 *	bosh.persistent_disk.<cid> = "detached <[ds] path of the file>"
 *
 * until the move is done, so a retry (or delete_vm) finishes the move.
 * An empty value is no record (vCenter removes a key set to ""), the
 * last entry of a key wins.
 *
 * Disks the Ruby CPI attached carry its record instead: a vApp property
 * (config.vAppConfig.property) of category "BOSH Persistent Disks" whose
 * key is the disk device's key and whose label is the cid.  It is read
 * too (for a cid without a record of ours) and names the device with
 * that key when it is attached independent_persistent.  This CPI never
 * writes or removes vApp properties: detach_disk overrides one with its
 * own entry "none" (no record, and read after the vApp properties).
 */
#define VS_DISK_RECORD_NONE "none"
#define VS_DISK_RECORD_PREFIX "bosh.persistent_disk."

struct vs_disk_record {
	char cid[VS_DISK_CID_MAX + 1];
	bool detached;              /* waiting for its move back */
	int bus;                    /* attached: SCSI bus and unit */
	int unit;
	char *uuid;                 /* attached: lower-case, or NULL */
	char *path;                 /* detached: where the file lies */
	bool by_device_key;         /* the Ruby CPI's vApp property */
	int device_key;
};

void vs_disk_record_clear(struct vs_disk_record *r);
/* One extraConfig entry: true and *out filled when key is a record key
 * of a valid cid and value a well-formed record; false otherwise
 * (out cleared).  A record is all text from vCenter: hostile input. */
bool vs_disk_record_parse(struct vs_disk_record *out, const char *key,
                          const char *value);
/* The extraConfig key of cid's record into buf; false when cid is not
 * valid or buf too small. */
bool vs_disk_record_key(char *buf, size_t size, const char *cid);
/* The record values above (*out malloc'd; uuid may be NULL). */
int vs_disk_record_attached(char **out, int bus, int unit, const char *uuid,
                            struct err *err);
int vs_disk_record_detached(char **out, const char *path,
                            struct err *err);
/* Takes one extraConfig entry into v->records: records replace an
 * earlier one of the same cid, an empty value removes it, any other key
 * is ignored.  Only ERR_ENOMEM fails. */
int vs_disk_vm_take_option(struct vs_disk_vm *v, const char *key,
                           const char *value, struct err *err);
/* Takes one of the Ruby CPI's vApp property records (device key, cid)
 * into v->records unless cid has a record already or is not valid.  Only
 * ERR_ENOMEM fails. */
int vs_disk_vm_take_vapp(struct vs_disk_vm *v, long long device_key,
                         const char *cid, struct err *err);
/* cid's record on v, or NULL. */
const struct vs_disk_record *vs_disk_vm_record(const struct vs_disk_vm *v,
                                               const char *cid);
/* The SCSI bus (the controller's busNumber) and unit of disk d of info;
 * false when d is not on a SCSI controller of info. */
bool vs_disk_device_slot(int *bus, int *unit, const struct vs_vm_info *info,
                         const struct vs_device *d);

/* The VirtualDisk device of v that is disk cid: by file name (RULES),
 * else the device on the slot cid's attached record names (a uuid
 * mismatch rules it out).  NULL when none. */
const struct vs_device *vs_disk_vm_find(const struct vs_disk_vm *v,
                                           const char *cid);
/* The cid of disk device d of v: the attached record naming its slot
 * (uuid checked), else its file name when that is a valid cid.  false
 * when neither tells. */
bool vs_disk_vm_cid(char *buf, size_t size, const struct vs_disk_vm *v,
                    const struct vs_device *d);

/* Whether disk cid's file (attached or detached) must be moved back:
 * it lies inside the directory of vm_path_name (vs_vm_disk_is_persistent
 * false) or goes by another name than "<cid>.vmdk". */
bool vs_disk_must_move(const char *file, const char *vm_path_name,
                       const char *cid);

/* A disk that must outlive the VM (delete_vm) and what to do with it. */
struct vs_disk_keep {
	char cid[VS_DISK_CID_MAX + 1];      /* "" when unknown */
	const struct vs_device *device;  /* NULL: a detached record */
	const char *file;           /* where the file lies (borrowed) */
	bool move;                  /* not at <disk_path>/<cid>.vmdk: move
	                               it back after the detach */
};

struct vs_disk_keeps {
	struct vs_disk_keep *items;
	size_t n;
};

void vs_disk_keeps_free(struct vs_disk_keeps *k);
/* Every disk of v that is not the VM's own, and every detached record:
 *  - a disk with a cid (vs_disk_vm_cid), moved back when its file lies
 *    inside the VM's directory or under another name;
 *  - a disk without one that is attached independent (BOSH attaches its
 *    disks independent_persistent) or whose file lies outside the VM's
 *    directory (vs_vm_disk_is_persistent), kept where it is.
 * A disk of the second kind inside the VM's directory cannot be placed
 * back (nothing names its cid): ERR_EINVAL naming the file, so the caller
 * does not destroy the VM.  Pure: no I/O.  The items borrow from v. */
int vs_disk_vm_keeps(struct vs_disk_keeps **out, const struct vs_disk_vm *v,
                     struct err *err);
/* ONE ReconfigVM_Task: removes every kept device (no fileOperation) and
 * updates the records: "detached <file>" for the disks to move, removed
 * for the others.  Nothing to do: no task. */
int vs_disk_detach_keeps(struct vs_client *c, const struct vs_disk_vm *v,
                         const struct vs_disk_keeps *k,
                         struct err *err);
/* Moves the detached disk file to "[<its datastore>] <disk_path>/
 * <cid>.vmdk" (MoveVirtualDisk_Task; the directory made when missing)
 * unless it is there already.  A move an earlier call finished (file
 * gone, destination there) is success; a disk at neither place (removed
 * outside the CPI) is ERR_ENOTFOUND: nothing is left to keep.  *out (may
 * be NULL) is the path the disk now has. */
int vs_disk_place_back(char **out, struct vs_client *c,
                       const struct vs_moref *dc, const char *file,
                       const char *disk_path, const char *cid,
                       struct err *err);
/* ONE ReconfigVM_Task setting extraConfig key to value ("": removes it;
 * the disk records). */
int vs_disk_vm_set_option(struct vs_client *c, const struct vs_moref *vm,
                          const char *key, const char *value,
                          struct err *err);

/* --- VMs ---------------------------------------------------------- */

/* A VM as disk operations need it. */
struct vs_disk_vm {
	struct vs_vm_info *info;
	bool enable_uuid;           /* extraConfig disk.enableUUID true */
	char *settings;             /* decoded guestinfo.userdata (the
	                               agent settings: secret), or NULL when
	                               absent or not readable */
	size_t settings_len;
	struct vs_disk_record *records;     /* config.extraConfig records */
	size_t nrecords;
};

void vs_disk_vm_free(struct vs_disk_vm *v);
/* vs_vm_info() plus config.extraConfig and config.vAppConfig, in the
 * same ONE read (1 round trip). */
int vs_disk_vm_read(struct vs_disk_vm **out, struct vs_client *c,
                    const struct vs_moref *vm, struct err *err);
/* The same read also finding the VM's datacenter and cluster (info's
 * has_datacenter, has_cluster) when containers; with list_out the reply
 * (the cluster's configurationEx) stays in *list_out for the caller. */
int vs_disk_vm_read_with(struct vs_disk_vm **out, struct vs_objects **list_out,
                         struct vs_client *c, const struct vs_moref *vm,
                         bool containers, struct err *err);

/* The VirtualDisk device of info that is disk cid (see RULES), or
 * NULL. */
const struct vs_device *vs_disk_vm_device(const struct vs_vm_info *info,
                                             const char *cid);
/* The cid of a disk device: its file's last component without ".vmdk",
 * into buf; false when it has no such name. */
bool vs_disk_device_cid(char *buf, size_t size,
                        const struct vs_device *d);

/* A free unit on the VM's SCSI controllers (in device order; unit 7 is
 * the controller's own).  ERR_ENOTFOUND when the VM has no SCSI
 * controller or every one is full. */
int vs_disk_free_unit(int *ctl_key_out, int *unit_out,
                      const struct vs_vm_info *info, struct err *err);

/* Where a disk goes: a free unit of an existing SCSI controller, or
 * unit 0 of a new one (new_controller: of the type the VM's first SCSI
 * controller has, ParaVirtualSCSIController without one, on the next bus;
 * ctl_key is then the new controller's temporary negative key). */
struct vs_disk_slot {
	int ctl_key;
	int unit;
	bool new_controller;
	char ctl_type[64];
	int bus;
};

/* vs_disk_free_unit(), else a new controller while the VM has fewer than
 * 4 SCSI controllers (ERR_ENOTFOUND at 4).  The new controller's bus is
 * the number of SCSI controllers the VM has (buses 0..n-1 taken). */
int vs_disk_pick_slot(struct vs_disk_slot *out,
                      const struct vs_vm_info *info, struct err *err);

/* ONE ReconfigVM_Task: the new controller when slot asks for one, the
 * existing disk file ds_path (no fileOperation) at the slot, and, when
 * settings is not NULL, guestinfo.userdata = base64(settings), then the
 * nrecs extraConfig entries recs (the disk records; may be NULL). */
int vs_disk_attach(struct vs_client *c, const struct vs_vm_info *info,
                   const char *ds_path, const struct vs_moref *ds,
                   const struct vs_disk_slot *slot, const char *settings,
                   size_t settings_len, const struct vs_vm_option *recs,
                   size_t nrecs, struct err *err);
/* ONE ReconfigVM_Task: remove device d WITHOUT fileOperation (the file
 * stays), and the settings and records as above. */
int vs_disk_detach(struct vs_client *c, const struct vs_vm_info *info,
                   const struct vs_device *d, const char *settings,
                   size_t settings_len, const struct vs_vm_option *recs,
                   size_t nrecs, struct err *err);

/* The VMs under folder (a Folder, or a Datacenter: its vm folder;
 * recursively, vApps too: vs_pc_list()'s one read walking the folders,
 * whatever their size, with every VM's devices: O(VMs x devices) bytes)
 * that have disk cid attached.  *out lists their names. */
int vs_disk_users(struct vs_vm_names **out, struct vs_client *c,
                  const struct vs_moref *folder, const char *cid,
                  struct err *err);

/* A disk that is not where its cid says (vs_disk_locate() found no
 * "<disk_path>/<cid>.vmdk"), searched for by its file name "<cid>.vmdk"
 * in every folder of each usable datastore of dss (those matching
 * pattern first): Datastore.browser, then
 * HostDatastoreBrowser.SearchDatastoreSubFolders_Task (matchPattern),
 * waited for, and its info.result read: about 4 round trips per
 * datastore.  The first hit fills out as vs_disk_locate() does;
 * ERR_ENOTFOUND when no datastore has the file. */
int vs_disk_search_name(struct vs_disk_loc *out, struct vs_client *c,
                        const struct vs_moref *dc,
                        const struct vs_disk_dss *dss, const char *pattern,
                        const char *cid, struct err *err);

/* A disk that is not where its cid says (vs_disk_locate() found no
 * "<disk_path>/<cid>.vmdk"), found through the VMs that have it attached,
 * as the Ruby CPI's last resort: the first VirtualDisk device under
 * folder (as vs_disk_users() walks it: one read with every VM's
 * devices) whose file's last component is "<cid>.vmdk", on a
 * datastore of dss; then QueryVirtualDiskUuid on it.  out as
 * vs_disk_locate() fills it; ERR_ENOTFOUND when no VM has it. */
int vs_disk_find_attached(struct vs_disk_loc *out, struct vs_client *c,
                          const struct vs_moref *dc,
                          const struct vs_moref *folder,
                          const struct vs_disk_dss *dss, const char *cid,
                          struct err *err);

#endif
