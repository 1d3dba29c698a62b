/*
 * vsphere/create.h: the vCenter side of create_vm (xml-free; cpi/ uses
 * it).  The agent settings themselves are cpi/'s business: this layer
 * clones, reports what the agent needs (MACs, disk unit numbers), then
 * delivers the settings it is handed and powers the VM on.
 *
 *	vs_create_clone()    CloneVM_Task (linked clone from the snapshot)
 *	                     with CPU, memory and one VirtualVmxnet3 per port
 *	                     group, then ONE read of the new VM (vs_vm_info):
 *	                     MACs in NIC order, the system disk's unit, the
 *	                     unit chosen for the ephemeral disk
 *	vs_create_finish()   uploads env.iso, ONE ReconfigVM_Task (ephemeral
 *	                     disk, CD-ROM on the ISO, removal of NICs the
 *	                     stemcell brought, guestinfo.userdata, the VM
 *	                     options), UpgradeVM_Task (unless the clone
 *	                     is at that version already), power on
 *	vs_create_destroy()  after any failure once the clone exists: power
 *	                     off, Destroy_Task, delete "[ds] <name>"
 *
 * Why the disk and the CD-ROM go into the reconfigure and not the clone:
 * the reconfigure is needed anyway (guestinfo.userdata holds the MACs,
 * only known after the clone), and planning them from the clone's device
 * list saves reading the stemcell's devices first: one round trip less,
 * and the result is checked on a list the clone really produced (the
 * simulator drops clone-time device errors silently).
 *
 * NICs: vCenter appends the added NICs after the devices it copies, so
 * the last n NICs of the clone are ours, in request order; each one is
 * checked against its port group (network name or switch uuid + port
 * group key) and must carry a MAC.  Earlier NICs came with the stemcell
 * and are removed by the reconfigure.
 */
#ifndef VS_CREATE_H
#define VS_CREATE_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"
#include "vsphere/placement.h"
#include "base/err.h"

struct vs_client;

/* How long create_vm waits for each of its tasks. */
#define VS_CREATE_TASK_TIMEOUT_S 1800.0

/* Borrowed view; every pointer belongs to the caller. */
/* Crash safety is cpi/'s local journal of in-flight creates
 * (cpi/create_journal.h): the clone carries no mark. */

struct vs_create_req {
	const char *name;                   /* "vm-<uuid>" */
	const struct vs_moref *source;      /* stemcell or its replica */
	const struct vs_moref *snapshot;    /* NULL: full clone */
	const struct vs_moref *folder;
	const struct vs_moref *pool;
	const struct vs_moref *host;        /* NULL: vCenter picks */
	const struct vs_moref *datastore;
	const char *datastore_name;
	int num_cpus;
	long long memory_mb;
	long long disk_mb;                  /* ephemeral disk */
	bool thin;                          /* ephemeral disk provisioning */
	const struct vs_port_group *nics;   /* one VirtualVmxnet3 each */
	size_t nnics;
};

struct vs_created {
	bool exists;                /* the clone exists: destroy on failure */
	struct vs_moref vm;
	/* Joined a DRS rule or VM group of drs_pool's cluster (maybe half
	 * way): vs_create_destroy takes it out first, so no emptied rule or
	 * group stays behind. */
	bool in_drs;
	struct vs_moref drs_pool;
	char **macs;                /* one per NIC, lower case, ':' */
	size_t nmacs;
	int system_unit;            /* unit number of the system disk */
	int ephemeral_unit;         /* chosen for the ephemeral disk */
	/* The reconfigure plan (private to create.c). */
	int disk_controller;
	int cdrom_key;              /* 0: add one on ide_controller */
	int cdrom_controller;
	int cdrom_unit;
	int ide_controller;
	int ide_unit;
	/* The system disk, for growing it. */
	int sys_key;
	char *sys_file;             /* backing fileName */
	char *sys_label;            /* deviceInfo.label, or NULL */
	char *sys_disk_mode;        /* NULL: persistent */
	bool sys_has_datastore;
	struct vs_moref sys_datastore;
	long long sys_capacity_kb;
	/* The system disk's controller (scsi_key 0: none found). */
	int scsi_key;
	char scsi_type[64];
	char *scsi_label;           /* its deviceInfo.label, or NULL */
	int scsi_bus;
	char scsi_shared[32];
	int scsi_parent;            /* its controllerKey; 0: none */
	bool scsi_has_unit;
	int scsi_unit;
	int *scsi_children;         /* keys of the devices on it */
	size_t nscsi_children;
	int *remove_keys;           /* stemcell NICs */
	char **remove_types;        /* their xsi:types (malloc'd), parallel
	                             * to remove_keys; NULL, or a NULL
	                             * entry: VirtualVmxnet3 */
	size_t nremove;
	char *env_path;             /* "[ds] <name>/env.iso" */
	char *disk_path;            /* "[ds] <name>/ephemeral_disk.vmdk" */
	struct vs_moref datastore;
	long long disk_kb;
	bool thin;
	bool power_on_tried;        /* cleanup powers off only then */
};

void vs_created_free(struct vs_created *v);

/* The VM folder rel (relative to "<dc>/vm", as vs_folder_rel_path()
 * builds it) in the datacenter p describes: p->vm_folder when it exists;
 * otherwise every missing component is made with ONE CreateFolder under
 * the deepest existing one, as placement found it (no lookups).  A
 * DuplicateName (a racing process made it meanwhile) falls back to
 * vs_folder_ensure(). */
int vs_create_folder(struct vs_moref *out, struct vs_client *c,
                     const struct vs_placement *p, const char *rel,
                     struct err *err);

/* Clones and reads the clone back.  *out is set whenever the clone came
 * into existence, also when a later step failed (then rc < 0 and the
 * caller must vs_create_destroy() it).  When the clone task could not be
 * followed to its end (timeout, connection, unreadable reply) the VM is
 * looked for by name in the folder (SearchIndex.FindChild), so that a
 * clone finished behind our back is cleaned up too. */
int vs_create_clone(struct vs_created **out, struct vs_client *c,
                    const struct vs_create_req *req, struct err *err);

/* What vs_create_finish() sets beyond the devices and the agent
 * settings (a borrowed view). */
struct vs_vm_option;
struct vs_create_opts {
	const struct vs_vm_option *vmx;     /* the operator's vmx_options */
	size_t nvmx;
	/* UpgradeVM_Task after the reconfigure, before power on: to
	 * hw_version ("vmx-17") or, NULL, the host's newest.  Skipped (2
	 * round trips) when hw_version is what the clone has already:
	 * source_hw, the version of the VM it was cloned from (a clone keeps
	 * it; NULL or "": unknown). */
	bool upgrade_hw;
	const char *hw_version;
	const char *source_hw;
	/* VM options set in the settings reconfigure (each true: set to
	 * true; false: left as the stemcell has it, as the Ruby CPI does) */
	bool nested_hv;                     /* nestedHVEnabled */
	bool cpu_hot_add;                   /* cpuHotAddEnabled */
	bool memory_hot_add;                /* memoryHotAddEnabled */
	bool memory_reservation_locked;     /* memoryReservationLockedToMax */
	bool has_cpu_reservation;           /* cpuAllocation.reservation */
	long long cpu_reservation_mhz;
	/* The system disk's SCSI controller becomes this type (an edit in
	 * the same reconfigure, as the Ruby CPI converts it) unless it is
	 * of that type already; NULL: kept. */
	const char *scsi_type;              /* e.g. "ParaVirtualSCSIController" */
	/* > 0: the system disk grows to this size (an edit in the same
	 * reconfigure; needs a full clone: a linked clone's disk cannot
	 * grow).  Smaller than the disk: ERR_EINVAL, nothing sent. */
	long long root_disk_kb;
	/* A storage policy's profile id (vsphere/pbm.h): the reconfigure
	 * sets it as the VM's vmProfile and the profile of the system disk
	 * (an edit) and the ephemeral disk, as the Ruby CPI's
	 * apply_storage_policy does; NULL: none. */
	const char *profile_id;
	/* Non-NULL: after the power on, DRS is turned off for the VM in
	 * this cluster (a per-VM override, the Ruby CPI's disable_drs). */
	const struct vs_moref *drs_off_cluster;
};

/* Uploads iso (sensitive: never recorded) to v->env_path, reconfigures
 * with opts' extraConfig entries (opts may be NULL: none),
 * guestinfo.userdata = base64(settings) and guestinfo.userdata.encoding
 * = base64, upgrades the virtual hardware when opts asks and powers on.
 * dc_path is the datacenter's inventory path (for the datastore
 * URL). */
int vs_create_finish(struct vs_client *c, struct vs_created *v,
                     const char *dc_path, const char *settings,
                     size_t settings_len, const void *iso, size_t iso_len,
                     const struct vs_create_opts *opts,
                     struct err *err);

/* vs_create_finish() in steps, for settings that need what the
 * reconfigure made (the ephemeral disk's uuid, with disk.enableUUID):
 * vs_create_deliver() uploads and reconfigures (no power on);
 * vs_create_ephemeral_uuid() reads the new disk's uuid back (ONE read of
 * the VM: its backing uuid, else QueryVirtualDiskUuid in datacenter dc,
 * one more; *out malloc'd, lower case); vs_create_redeliver() uploads the new ISO
 * over the old and sets guestinfo.userdata again (one reconfigure);
 * vs_create_start() upgrades the hardware, powers on and turns DRS off
 * as opts asks.  vs_create_finish() is deliver + start. */
int vs_create_deliver(struct vs_client *c, struct vs_created *v,
                      const char *dc_path, const char *settings,
                      size_t settings_len, const void *iso, size_t iso_len,
                      const struct vs_create_opts *opts,
                      struct err *err);
int vs_create_ephemeral_uuid(char **out, struct vs_client *c,
                             const struct vs_moref *dc,
                             const struct vs_created *v,
                             struct err *err);
int vs_create_redeliver(struct vs_client *c, struct vs_created *v,
                        const char *dc_path, const char *settings,
                        size_t settings_len, const void *iso,
                        size_t iso_len, struct err *err);
int vs_create_start(struct vs_client *c, struct vs_created *v,
                    const struct vs_create_opts *opts, struct err *err);

/* Removes what a failed create_vm left: powers the VM off when a power
 * on was tried, destroys it (v NULL or not existing: nothing to destroy)
 * and deletes the directory "[datastore] name" (already gone is fine).
 * Every step runs; the first failure is reported. */
int vs_create_destroy(struct vs_client *c, const struct vs_moref *dc,
                      const struct vs_created *v, const char *datastore,
                      const char *name, struct err *err);

/* Standard base64 (with padding) of len bytes; *out malloc'd and
 * NUL-terminated. */
int vs_base64(char **out, const void *data, size_t len,
              struct err *err);

#endif
