/*
 * vsphere/vm.h: virtual machine and VM folder operations, xml-free (the
 * public face for cpi/; typed results only).
 *
 * Conventions every part of the CPI follows:
 *
 *  - Inventory paths.  The datacenter is the config's datacenter name.
 *    VMs live in "<dc>/vm/<vm_folder>/<vm_cid>", stemcells in
 *    "<dc>/vm/<template_folder>/<stemcell_cid>".  When the config's
 *    use_sub_folder is true the folders are "<folder>/<director_uuid>"
 *    (the director uuid of the request context).  vs_folder_rel_path()
 *    and vs_vm_path() build these; path components never hold '/'.
 *
 *  - VM cids are "vm-<uuid>".  The agent env of a VM is
 *    "[<ds>] <vm_cid>/env.iso" on the datastore holding the VM's files.
 *
 *  - Persistent disks live outside the VM's directory:
 *    "[<ds>] <disk_path>/disk-<uuid>.vmdk".  RULE: a VirtualDisk whose
 *    backing fileName is NOT inside the VM's own directory (the directory
 *    of config.files.vmPathName, on any datastore) is a persistent disk.
 *    It must be detached (device remove WITHOUT fileOperation) before any
 *    Destroy_Task, because Destroy_Task deletes every attached disk.
 *    vs_vm_disk_is_persistent() decides; when in doubt (unparsable
 *    names, a VM file at a datastore's root) a disk counts as persistent:
 *    leaking a file is better than destroying data.  Storage vMotion
 *    moves attached disks INTO the VM's directory: delete_vm and
 *    detach_disk go by the VM's disk records first (vsphere/disk.h
 *    "Per-VM disk records", vs_disk_vm_keeps()), this RULE only for disks
 *    no record names.
 *
 * Every function returns 0 or a negative enum err_code with err set (the
 * first failure wins).  ERR_ENOTFOUND means the object is gone; SOAP
 * faults give ERR_EFAULT / ERR_ETASK with err->fault naming the fault type.
 */
#ifndef VS_VM_H
#define VS_VM_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "base/err.h"
#include "vsphere/device.h"
#include "vsphere/devop.h"

struct vs_client;
struct vs_object;
struct vs_objects;

/* How long the operations here wait for a task. */
#define VS_VM_TASK_TIMEOUT_S 1800.0

/* --- paths ---------------------------------------------------------- */

/* "<folder>" or, with sub_folder non-NULL, "<folder>/<sub_folder>" (the
 * folder path relative to "<dc>/vm").  folder may itself hold '/'
 * separated components; each must be non-empty text without control
 * characters; sub_folder must be one component. */
int vs_folder_rel_path(char **out, const char *folder,
                       const char *sub_folder, struct err *err);
/* "<dc>/vm/<folder_rel>/<name>" (folder_rel may be NULL or "": then
 * "<dc>/vm/<name>").  *out is malloc'd. */
int vs_vm_path(char **out, const char *dc, const char *folder_rel,
               const char *name, struct err *err);

/* "<dc>/vm" or, with folder_rel, "<dc>/vm/<folder_rel>" (a folder's
 * inventory path).  *out is malloc'd. */
int vs_folder_path(char **out, const char *dc, const char *folder_rel,
                   struct err *err);

/* --- lookups -------------------------------------------------------- */

/* ONE SearchIndex.FindByInventoryPath for a VirtualMachine; ERR_ENOTFOUND
 * when nothing (or something that is not a VM) is there. */
int vs_vm_find(struct vs_moref *out, struct vs_client *c,
               const char *inventory_path, struct err *err);
/* ONE FindByInventoryPath for any entity (datacenter "DC0", folder
 * "DC0/vm/BOSH_VMs"); ERR_ENOTFOUND when absent. */
int vs_folder_find(struct vs_moref *out, struct vs_client *c,
                   const char *inventory_path, struct err *err);
/* The VMs named name anywhere under container (a datacenter's "vm"
 * folder: recursively, every sub folder and vApp): one container view
 * reading every VM's name (3 round trips, O(VMs) bytes).  *nfound is
 * how many have the name; *out the first of them.  ERR_ENOTFOUND when
 * none. */
int vs_vm_find_by_name(struct vs_moref *out, size_t *nfound,
                       struct vs_client *c, const struct vs_moref *container,
                       const char *name, struct err *err);
/* vs_vm_find_by_name() from the datacenter dc (its vm folder), in ONE
 * read (vsphere/pc.h vs_pc_list_vm_tree()) that also tells whether the
 * folder "<dc>/vm/<folder_rel>" is there: *folder_found true only when
 * every component of folder_rel is a folder below the one before it
 * (false when unsure, e.g. a path it cannot split: look it up then). */
int vs_vm_find_by_name_in_dc(struct vs_moref *out, size_t *nfound,
                             bool *folder_found, struct vs_client *c,
                             const struct vs_moref *dc, const char *name,
                             const char *folder_rel, struct err *err);
/* Finds or creates the VM folder "<dc>/vm/<folder_rel>": one
 * FindByInventoryPath when it exists; when missing, its deepest existing
 * ancestor is looked up one component shorter at a time (down to
 * "<dc>/vm") and the components below it made with CreateFolder, with no
 * lookup in between (a DuplicateName from a racing process is answered by
 * looking up again).  folder_rel as built by vs_folder_rel_path(). */
int vs_folder_ensure(struct vs_moref *out, struct vs_client *c,
                     const char *dc, const char *folder_rel,
                     struct err *err);
/* vs_folder_ensure() with "<dc>/vm" known (vm_folder, the datacenter's
 * vmFolder; NULL or an empty value: looked up when needed). */
int vs_folder_ensure_in(struct vs_moref *out, struct vs_client *c,
                        const struct vs_moref *vm_folder, const char *dc,
                        const char *folder_rel, struct err *err);

/* Folder.CreateFolder(name) under parent: ONE call, no lookup (a
 * DuplicateName fault comes back as ERR_EFAULT). */
int vs_folder_create(struct vs_moref *out, struct vs_client *c,
                     const struct vs_moref *parent, const char *name,
                     struct err *err);

/* --- reading -------------------------------------------------------- */

enum vs_vm_power {
	VS_VM_POWER_UNKNOWN = 0,
	VS_VM_POWERED_OFF,
	VS_VM_POWERED_ON,
	VS_VM_SUSPENDED,
};

struct vs_vm_datastore {
	struct vs_moref ref;
	char *name;                 /* NULL when the name did not come back */
};

struct vs_vm_info {
	struct vs_moref vm;
	char *name;
	int power;                  /* enum vs_vm_power */
	char *vm_path_name;         /* config.files.vmPathName or NULL */
	bool has_host;
	struct vs_moref host;       /* runtime.host */
	bool has_resource_pool;
	struct vs_moref resource_pool;
	bool has_parent;
	struct vs_moref parent;     /* the folder holding the VM */
	bool has_datacenter;        /* asked for (vs_vm_read_more) */
	struct vs_moref datacenter;
	bool has_cluster;           /* asked for, and in a cluster */
	struct vs_moref cluster;
	struct vs_vm_datastore *datastores;
	size_t ndatastores;
	struct vs_device *devices;
	size_t ndevices;
};

void vs_vm_info_free(struct vs_vm_info *info);
/* Reads everything above in ONE RetrievePropertiesEx (the VM's
 * properties plus the names of its datastores through a traversal).  A
 * VM that is gone gives ERR_ENOTFOUND. */
int vs_vm_info(struct vs_vm_info **out, struct vs_client *c,
               const struct vs_moref *vm, struct err *err);
/* What vs_vm_info_read adds to the read. */
struct vs_vm_read_more {
	const char *const *paths;   /* more VM properties (NULL-terminated,
	                               may be NULL; at most 8) */
	bool datacenter;            /* info->datacenter, up the folders */
	bool cluster;               /* the cluster of the VM's resource pool
	                               and its configurationEx in the list */
};

/* vs_vm_info, the same ONE read also asking for what more says (may be
 * NULL).  With list_out, the reply stays in *list_out (the caller frees
 * it) and *vmo_out (may be NULL) points at the VM's object in it. */
int vs_vm_info_read(struct vs_vm_info **out, struct vs_objects **list_out,
                    const struct vs_object **vmo_out, struct vs_client *c,
                    const struct vs_moref *vm,
                    const struct vs_vm_read_more *more, struct err *err);
/* The device with this key, or NULL. */
const struct vs_device *vs_vm_info_device(const struct vs_vm_info *info,
                                             int key);
/* The RULE above: true when the disk file file_name ("[ds] dir/x.vmdk")
 * is not inside the directory of vm_path_name ("[ds] dir/x.vmx", any
 * datastore).  NULL or unparsable arguments answer true. */
bool vs_vm_disk_is_persistent(const char *file_name,
                              const char *vm_path_name);

/* --- power ---------------------------------------------------------- */

/* The VM's runtime.powerState (one read) as an enum vs_vm_power. */
int vs_vm_power_state(int *out, struct vs_client *c,
                      const struct vs_moref *vm, struct err *err);
/* PowerOffVM_Task; a VM already off (InvalidPowerState, or found off) is
 * success. */
int vs_vm_power_off(struct vs_client *c, const struct vs_moref *vm,
                    struct err *err);
/* PowerOnVM_Task; a VM already on is success. */
int vs_vm_power_on(struct vs_client *c, const struct vs_moref *vm,
                   struct err *err);
/* ResetVM_Task. */
int vs_vm_reset(struct vs_client *c, const struct vs_moref *vm,
                struct err *err);
/* RebootGuest; on MethodNotFound, ToolsUnavailable, InvalidState or
 * NotSupported (and their subtypes vCenter reports, e.g.
 * InvalidPowerState) falls back to ResetVM_Task, and powers the VM on
 * when it turns out to be off.  *fallback_out (may be NULL) tells whether
 * the fallback ran. */
int vs_vm_reboot_guest(bool *fallback_out, struct vs_client *c,
                       const struct vs_moref *vm, struct err *err);

/* --- virtual hardware ------------------------------------------------ */

/* UpgradeVM_Task, waited for: to version ("vmx-17"; anything else is
 * ERR_EINVAL) or, with version NULL, to the newest version the VM's host
 * supports.  A VM already there (fault AlreadyUpgraded) is success. */
int vs_vm_upgrade_hw(struct vs_client *c, const struct vs_moref *vm,
                     const char *version, struct err *err);

/* --- changes -------------------------------------------------------- */

/* Destroy_Task, waited for.  Deletes every disk still attached: detach
 * persistent disks first (vs_vm_detach_disks). */
int vs_vm_destroy(struct vs_client *c, const struct vs_moref *vm,
                  struct err *err);

/* Kinds a change can carry: VS_VM_DEV_DISK (flat ver2 backing),
 * VS_VM_DEV_NIC (vmxnet3 unless type_name says otherwise; network or DVS
 * port backing), VS_VM_DEV_CDROM (ISO backing), and VS_VM_DEV_CONTROLLER
 * for a SCSI controller: type_name one of ParaVirtualSCSIController,
 * VirtualLsiLogicController, VirtualLsiLogicSASController,
 * VirtualBusLogicController, with bus_number and shared_bus; an ADD has
 * a negative key later changes of the same spec may use as their
 * controller_key; an EDIT (an existing controller's key, e.g. to change
 * its type) must carry deviceInfo and lists child_keys.
 *
 * type_name: the device's real xsi:type for a REMOVE or EDIT of a device
 * that exists (vs_device.type), so a removed VirtualE1000 is not sent
 * as a VirtualVmxnet3 (real vCenter may refuse the mismatch).  It must
 * belong to the kind's family: an ethernet card type for NICs,
 * "VirtualDisk", "VirtualCdrom"; anything else is ERR_EINVAL.  NULL: the
 * kind's default (VirtualVmxnet3, VirtualDisk, VirtualCdrom).
 *
 * label/summary: the device's deviceInfo (a Description: both or
 * neither), sent right after the key as the schema orders it; for an
 * EDIT that renames a device (or any change that wants to carry it).
 * NULL: no deviceInfo. */
struct vs_vm_device_change {
	int operation;              /* enum vs_dev_op */
	int file_operation;         /* enum vs_file_op */
	int kind;                   /* enum vs_vm_dev_kind */
	const char *type_name;      /* NULL: the kind's default type */
	const char *label;          /* deviceInfo.label; NULL: none */
	const char *summary;        /* deviceInfo.summary */
	int bus_number;             /* controllers: busNumber */
	const char *shared_bus;     /* controllers; NULL: noSharing */
	const int *child_keys;      /* controllers: devices on it (EDIT) */
	size_t nchild_keys;
	int key;                    /* negative for new devices */
	int controller_key;         /* 0: omitted */
	bool has_unit_number;
	int unit_number;
	bool has_connectable;
	bool start_connected;
	bool allow_guest_control;
	bool connected;
	/* disks and CD-ROMs */
	const char *file_name;      /* "[ds] dir/file" */
	const struct vs_moref *datastore;   /* NULL: omitted */
	/* disks */
	long long capacity_kb;
	const char *disk_mode;      /* NULL: "persistent" */
	int thin;                   /* 0 unset, 1 false, 2 true */
	int eager_scrub;            /* 0 unset, 1 false, 2 true */
	/* NICs: network backing (network_name) or DVS port (switch_uuid and
	 * portgroup_key) */
	const char *network_name;
	const struct vs_moref *network;     /* NULL: omitted */
	const char *switch_uuid;
	const char *portgroup_key;
	const char *opaque_id;      /* NSX-T opaque network: opaqueNetworkId */
	const char *opaque_type;    /* and opaqueNetworkType */
	const char *address_type;   /* NULL: omitted */
	const char *mac_address;    /* NULL: omitted */
	/* a storage policy's profile id (the spec's profile, a
	 * VirtualMachineDefinedProfileSpec); NULL: none */
	const char *profile_id;
};

struct vs_vm_option {
	const char *key;
	const char *value;
};

/* A borrowed view (every pointer belongs to the caller). */
struct vs_vm_config {
	const char *name;           /* NULL: unchanged */
	int num_cpus;               /* 0: unchanged */
	long long memory_mb;        /* 0: unchanged */
	const struct vs_vm_device_change *changes;
	size_t nchanges;
	const struct vs_vm_option *extra;   /* extraConfig */
	size_t nextra;
	/* VM options, each 0 unchanged, 1 false, 2 true */
	int memory_hot_add;         /* memoryHotAddEnabled */
	int cpu_hot_add;            /* cpuHotAddEnabled */
	int memory_reservation_locked;  /* memoryReservationLockedToMax */
	int nested_hv;              /* nestedHVEnabled */
	bool has_cpu_reservation;   /* cpuAllocation.reservation (MHz) */
	long long cpu_reservation_mhz;
	const char *vm_profile_id;  /* vmProfile: a storage policy's
	                             * profile id; NULL: unchanged */
};

/* ReconfigVM_Task with spec, waited for. */
int vs_vm_reconfigure(struct vs_client *c, const struct vs_moref *vm,
                      const struct vs_vm_config *spec, struct err *err);

/* A list of strings (malloc'd). */
struct vs_vm_names {
	char **items;
	size_t n;
};

void vs_vm_names_free(struct vs_vm_names *names);
/* Appends a copy of s to names, whose items have room for it. */
int vs_vm_names_add(struct vs_vm_names *names, const char *s,
                    struct err *err);

enum vs_vm_disk_filter {
	VS_VM_DISKS_PERSISTENT = 1, /* per the RULE */
	VS_VM_DISKS_ALL,
};

/* Reads the VM's devices and removes the disks the filter selects in ONE
 * ReconfigVM_Task (device remove without fileOperation: the files stay).
 * *out (may be NULL) lists the backing file names detached, in device
 * order; an empty list when there was nothing to detach (no task then). */
int vs_vm_detach_disks(struct vs_vm_names **out, struct vs_client *c,
                       const struct vs_moref *vm, int filter,
                       struct err *err);
/* The same from an info already read (no extra read). */
int vs_vm_detach_disks_info(struct vs_vm_names **out, struct vs_client *c,
                            const struct vs_vm_info *info, int filter,
                            struct err *err);

/* Sets custom field `name` to value on the VM: reads the
 * CustomFieldsManager's `field` for the key, AddCustomFieldDef (moType
 * VirtualMachine) when missing (a DuplicateName from a race re-reads),
 * then setCustomValue on the VM. */
int vs_vm_set_custom_field(struct vs_client *c, const struct vs_moref *vm,
                           const char *name, const char *value,
                           struct err *err);
/* The same for n fields in one go: the definitions are read once.
 * names[i] is set to values[i] in order (a repeated name: the last value
 * wins). */
int vs_vm_set_custom_fields(struct vs_client *c, const struct vs_moref *vm,
                            const char *const *names,
                            const char *const *values, size_t n,
                            struct err *err);
/* The value of custom field `name` on the VM (customValue by the field's
 * key; the last entry wins).  ERR_ENOTFOUND when the field or the value
 * does not exist.  *out is malloc'd. */
int vs_vm_get_custom_field(char **out, struct vs_client *c,
                           const struct vs_moref *vm, const char *name,
                           struct err *err);

#endif
