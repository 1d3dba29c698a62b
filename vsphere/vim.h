/*
 * vsphere/vim.h: the typed VIM layer, internal to vsphere/.
 *
 * Reading: property collector results (ObjectContent) become owned
 * struct vs_object values with typed getters; complex values (device
 * lists, lease info, datastore summaries, faults) have their own small
 * owned structs and deserializers.
 *
 * Writing: request specs are borrowed views.  Every pointer in a
 * struct vs_*_spec belongs to the caller and is only read while the
 * vs_add_*() serializer runs, so specs are filled on the stack and need no
 * _free.  Serializers emit children in vim25 schema order: the field
 * order of the Go structs in govmomi's vim25/types/types.go, base type
 * fields first.
 */
#ifndef VS_VIM_H
#define VS_VIM_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "base/words.h"
#include "vsphere/device.h"
#include "vsphere/devop.h"
#include "vsphere/soap.h"
#include "base/err.h"

/* --- reading: ObjectContent ---------------------------------------- */

enum vs_prop_kind {
	VS_PROP_TEXT = 1,   /* simple value: string, number, bool, enum */
	VS_PROP_MOREF,      /* ManagedObjectReference */
	VS_PROP_MOREFS,     /* ArrayOfManagedObjectReference */
	VS_PROP_NODE,       /* anything with element children */
	VS_PROP_MISSING,    /* missingSet entry the caller declared optional */
};

/* Kept small: an inventory read holds thousands of props. */
struct vs_prop {
	char *name;             /* property path: "config.hardware.device" */
	int kind;               /* enum vs_prop_kind */
	char *text;             /* VS_PROP_TEXT; VS_PROP_MISSING: the
	                           fault's type */
	struct vs_moref *refs;  /* VS_PROP_MOREF: refs[0]; VS_PROP_MOREFS:
	                           nrefs of them */
	size_t nrefs;
	xmlNodePtr node;        /* VS_PROP_NODE: copy of <val>, owned by the
	                           object's private document */
};

struct vs_object {
	struct vs_moref obj;
	struct vs_prop *props;
	size_t nprops;
	xmlDocPtr doc;          /* private; holds the VS_PROP_NODE copies */
};

struct vs_objects {
	struct vs_object *items;
	size_t n;
};

void vs_object_free(struct vs_object *o);
void vs_objects_free(struct vs_objects *list);
/* Releases what one element of a vs_objects array holds (not the element
 * itself). */
void vs_object_clear(struct vs_object *o);

/* How <objects> entries are read.  missingSet entries whose path is in
 * optional (NULL-terminated, may be NULL) become VS_PROP_MISSING props
 * (the getters then answer ERR_ENOTFOUND); any other missingSet entry fails
 * the read with ERR_EFAULT and err->fault set to its fault type. */
int vs_object_from_node(struct vs_object *out, xmlNodePtr objects,
                        const char *const *optional, struct err *err);

/* For a filter that drops <objects> entries before they are read: the
 * type attribute of the entry's <obj> and the text of its "name"
 * property, pointing into the tree (no copies, nothing checked beyond
 * finding them).  *type is NULL when <obj> or its type is missing; *name
 * is NULL unless the name's <val> holds exactly one text node, and
 * always NULL for an entry with a missingSet (such an entry must be
 * read, which reports its fault). */
void vs_object_peek(const char **type, const char **name,
                    xmlNodePtr objects);

/* The prop named name, or NULL when it did not come back. */
const struct vs_prop *vs_object_prop(const struct vs_object *o,
                                     const char *name);

/* Typed getters.  All return 0, ERR_ENOTFOUND when the property is absent
 * (unset or optional-missing), or ERR_EPARSE when its value has the wrong
 * shape.  Strings are borrowed from o. */
int vs_object_get_str(const char **out, const struct vs_object *o,
                      const char *name, struct err *err);
int vs_object_get_long(long long *out, const struct vs_object *o,
                       const char *name, struct err *err);
int vs_object_get_bool(bool *out, const struct vs_object *o,
                       const char *name, struct err *err);
int vs_object_get_moref(struct vs_moref *out, const struct vs_object *o,
                        const char *name, struct err *err);
/* An ArrayOfManagedObjectReference (an empty array is n = 0). */
int vs_object_get_morefs(const struct vs_moref **out, size_t *n_out,
                         const struct vs_object *o, const char *name,
                         struct err *err);
/* The <val> element of a complex value, borrowed from o. */
int vs_object_get_node(xmlNodePtr *out, const struct vs_object *o,
                       const char *name, struct err *err);
/* A LocalizedMethodFault-valued property (HttpNfcLease.error). */
int vs_object_get_fault(struct vs_fault *out, const struct vs_object *o,
                        const char *name, struct err *err);

/* --- reading: scalars and faults ----------------------------------- */

/* Strict decimal in [min, max]; no spaces, no trailing junk. */
int vs_parse_long(long long *out, const char *s, long long min,
                  long long max, struct err *err);
/* "true"/"1" or "false"/"0". */
int vs_parse_bool(bool *out, const char *s, struct err *err);
/* The value of the word s (an enum's text in a reply) among the n words
 * of table; ERR_EPARSE "unknown <what>" when it is none of them (*out 0). */
int vs_parse_word(int *out, const struct word *table, size_t n,
                  const char *s, const char *what, struct err *err);
/* The text of parent's child name into *out (xmlFree), NULL when there
 * is no such child; ERR_ENOMEM (err untouched: the caller words it) when
 * there is one but its text could not be copied, which must not read as
 * "absent".  The one read of an optional child's text. */
int vs_vim_opt_text(char **out, xmlNodePtr parent, const char *name);
/* A LocalizedMethodFault element (<error>, <val>, missingSet's <fault>):
 * type from the inner <fault>'s xsi:type, localized from
 * <localizedMessage>.  ERR_EPARSE when there is no typed inner fault. */
int vs_lmf_from_node(struct vs_fault *out, xmlNodePtr lmf,
                     struct err *err);

/* --- reading: TaskInfo ---------------------------------------------- */

enum vs_task_state {
	VS_TASK_QUEUED = 1,
	VS_TASK_RUNNING,
	VS_TASK_SUCCESS,
	VS_TASK_ERROR,
};

int vs_task_state_parse(int *out, const char *s, struct err *err);

/* info.result: a moref, a simple value, or something complex (then
 * neither is set; read info.result with vs_get_props instead). */
struct vs_task_info {
	int state;                  /* enum vs_task_state, 0 if unknown */
	bool has_error;
	struct vs_fault error;      /* info.error */
	bool has_result_moref;
	struct vs_moref result_moref;
	char *result_text;          /* malloc'd or NULL */
};

void vs_task_info_clear(struct vs_task_info *ti);
/* Folds one property (name relative to the Task: "info.state",
 * "info.error", "info.result", or "info" itself) into ti.  val NULL means
 * unset (a changeSet without <val>). */
int vs_task_info_apply(struct vs_task_info *ti, const char *name,
                       xmlNodePtr val, struct err *err);

/* --- reading: devices (config.hardware.device) --------------------- */

/* val: an ArrayOfVirtualDevice element. */
int vs_devices_from_node(struct vs_devices **out, xmlNodePtr val,
                         struct err *err);
int vs_object_get_devices(struct vs_devices **out,
                          const struct vs_object *o, const char *name,
                          struct err *err);

/* --- reading: HttpNfcLease ------------------------------------------ */

enum vs_lease_state {
	VS_LEASE_INITIALIZING = 1,
	VS_LEASE_READY,
	VS_LEASE_DONE,
	VS_LEASE_ERROR,
};

int vs_lease_state_parse(int *out, const char *s, struct err *err);

struct vs_lease_url {
	char *key;          /* device key, e.g. "/vm-88/disk:0" */
	char *import_key;   /* "/sc-1234/disk:0": matches the import spec */
	char *url;          /* may hold "*" for the host */
	char *target_id;    /* NULL when absent */
	bool disk;
};

struct vs_lease_info {
	struct vs_moref entity;
	struct vs_lease_url *urls;
	size_t nurls;
	long long total_disk_kb;
};

void vs_lease_info_free(struct vs_lease_info *li);
int vs_lease_info_from_node(struct vs_lease_info **out, xmlNodePtr val,
                            struct err *err);

/* --- reading: DatastoreSummary --------------------------------------- */

struct vs_ds_summary {
	bool has_datastore;
	struct vs_moref datastore;
	char *name;
	char *url;
	char *type;         /* "VMFS", "NFS", "vsan", … */
	long long capacity;
	long long free_space;
	bool accessible;
	char *maintenance_mode;  /* NULL when absent */
};

void vs_ds_summary_free(struct vs_ds_summary *s);
int vs_ds_summary_from_node(struct vs_ds_summary **out, xmlNodePtr val,
                            struct err *err);

/* --- writing: property collector specs ------------------------------- */

/* A SelectionSpec (type == NULL: refers to a named spec) or a
 * TraversalSpec (type and path set). */
struct vs_selection_spec {
	const char *name;
	const char *type;
	const char *path;
	bool skip;
	const struct vs_selection_spec *select;
	size_t nselect;
};

struct vs_property_spec {
	const char *type;
	bool all;                       /* emitted only when true */
	const char *const *paths;       /* NULL-terminated, may be NULL */
};

struct vs_object_spec {
	struct vs_moref obj;
	bool skip;
	const struct vs_selection_spec *select;
	size_t nselect;
};

struct vs_filter_spec {
	const struct vs_property_spec *props;
	size_t nprops;
	const struct vs_object_spec *objects;
	size_t nobjects;
};

int vs_add_filter_spec(xmlNodePtr parent, const char *name,
                       const struct vs_filter_spec *s, struct err *err);
/* RetrieveOptions; max_objects <= 0: <options/> without maxObjects. */
int vs_add_retrieve_options(xmlNodePtr parent, const char *name,
                            int max_objects, struct err *err);

/* --- writing: devices and VM specs ----------------------------------- */

/* Device kinds.  Each has a default xsi:type (in parentheses) that
 * vs_device_spec.type_name may replace with another member of the same
 * family; the kind decides which fields are written. */
enum vs_dev_type {
	VS_DEV_VMXNET3 = 1,     /* an ethernet card (VirtualVmxnet3) */
	VS_DEV_DISK,            /* VirtualDisk (no other type) */
	VS_DEV_CDROM,           /* VirtualCdrom (no other type) */
	VS_DEV_SCSI_CONTROLLER, /* a VirtualSCSIController subtype
	                         * (ParaVirtualSCSIController) */
};

enum vs_backing_type {
	VS_BACKING_NONE = 0,
	VS_BACKING_NETWORK,     /* VirtualEthernetCardNetworkBackingInfo */
	VS_BACKING_DVPORT,      /* …DistributedVirtualPortBackingInfo */
	VS_BACKING_DISK_FLAT,   /* VirtualDiskFlatVer2BackingInfo */
	VS_BACKING_ISO,         /* VirtualCdromIsoBackingInfo */
	VS_BACKING_OPAQUE,      /* VirtualEthernetCardOpaqueNetwork… (NSX-T) */
};

/* Optional booleans (xsd *bool fields). */
enum vs_tristate {
	VS_UNSET = 0,
	VS_FALSE,
	VS_TRUE,
};

struct vs_connect_spec {
	bool start_connected;
	bool allow_guest_control;
	bool connected;
};

/* type_name: the device's real xsi:type when it is not the kind's
 * default, e.g. "VirtualE1000" for the removal of an existing card.  It
 * must belong to the kind's family (ERR_EINVAL otherwise): an ethernet
 * card type (vs_device_is_nic()) for VS_DEV_VMXNET3; for
 * VS_DEV_SCSI_CONTROLLER one of ParaVirtualSCSIController,
 * VirtualLsiLogicController, VirtualLsiLogicSASController,
 * VirtualBusLogicController; "VirtualDisk" / "VirtualCdrom" for the
 * others.  NULL: the default.
 *
 * label/summary: deviceInfo, a Description {label, summary}; both or
 * neither (ERR_EINVAL).  Written right after key, as the schema orders
 * it.  NULL: no deviceInfo. */
struct vs_device_spec {
	int type;                       /* enum vs_dev_type */
	const char *type_name;          /* NULL: the kind's default */
	int key;                        /* negative for new devices */
	const char *label;              /* deviceInfo.label; NULL: none */
	const char *summary;            /* deviceInfo.summary */
	int controller_key;             /* 0: omitted */
	bool has_unit_number;
	int unit_number;
	const struct vs_connect_spec *connectable;  /* NULL: omitted */
	int backing;                    /* enum vs_backing_type */
	/* VS_BACKING_NETWORK */
	const char *device_name;        /* network name */
	const struct vs_moref *network; /* NULL: omitted */
	/* VS_BACKING_DVPORT */
	const char *switch_uuid;
	const char *portgroup_key;
	/* VS_BACKING_OPAQUE */
	const char *opaque_id;          /* opaqueNetworkId */
	const char *opaque_type;        /* opaqueNetworkType */
	/* VS_BACKING_DISK_FLAT, VS_BACKING_ISO */
	const char *file_name;          /* "[ds] dir/file" */
	const struct vs_moref *datastore;   /* NULL: omitted */
	/* VS_BACKING_DISK_FLAT */
	const char *disk_mode;          /* "persistent", "independent_…" */
	int thin;                       /* enum vs_tristate */
	int eager_scrub;                /* enum vs_tristate */
	/* VS_DEV_VMXNET3 */
	const char *address_type;       /* "generated", "manual"; NULL: none */
	const char *mac_address;        /* NULL: omitted */
	/* VS_DEV_DISK (always emitted: capacityInKB is required) */
	long long capacity_kb;
	/* VS_DEV_SCSI_CONTROLLER (no backing, no connectable) */
	int bus_number;                 /* busNumber, >= 0 */
	const int *child_keys;          /* device: keys of the devices on
	                                 * it (an edit keeps them) */
	size_t nchild_keys;
	const char *shared_bus;         /* VirtualSCSISharing: "noSharing",
	                                 * "virtualSharing",
	                                 * "physicalSharing" */
};

struct vs_device_change {
	int operation;                  /* enum vs_dev_op */
	int file_operation;             /* enum vs_file_op */
	const struct vs_device_spec *device;
	const char *profile_id;         /* profile: a storage policy's
	                                 * profile id; NULL: omitted */
};

struct vs_option {
	const char *key;
	const char *value;              /* sent as xsd:string */
};

struct vs_config_spec {
	const char *name;               /* NULL: omitted */
	int num_cpus;                   /* 0: omitted */
	long long memory_mb;            /* 0: omitted */
	int memory_hot_add;             /* enum vs_tristate */
	int cpu_hot_add;                /* enum vs_tristate */
	bool has_cpu_reservation;       /* cpuAllocation.reservation */
	long long cpu_reservation_mhz;  /* >= 0 */
	int memory_reservation_locked;  /* enum vs_tristate:
	                                 * memoryReservationLockedToMax */
	int nested_hv;                  /* enum vs_tristate: nestedHVEnabled */
	const struct vs_device_change *changes;
	size_t nchanges;
	const struct vs_option *extra;
	size_t nextra;
	const char *managed_by_key;     /* both or neither */
	const char *managed_by_type;
	const char *vm_profile_id;      /* vmProfile; NULL: omitted */
};

struct vs_relocate_spec {
	const struct vs_moref *folder;      /* each NULL: omitted */
	const struct vs_moref *datastore;
	const char *disk_move_type;
	const struct vs_moref *pool;
	const struct vs_moref *host;
};

struct vs_clone_spec {
	struct vs_relocate_spec location;
	bool template_;
	const struct vs_config_spec *config;    /* NULL: omitted */
	bool power_on;
	const struct vs_moref *snapshot;        /* NULL: omitted */
};

int vs_add_device(xmlNodePtr parent, const char *name,
                  const struct vs_device_spec *d, struct err *err);
int vs_add_device_change(xmlNodePtr parent, const char *name,
                         const struct vs_device_change *dc,
                         struct err *err);
int vs_add_config_spec(xmlNodePtr parent, const char *name,
                       const struct vs_config_spec *s, struct err *err);
int vs_add_relocate_spec(xmlNodePtr parent, const char *name,
                         const struct vs_relocate_spec *s,
                         struct err *err);
int vs_add_clone_spec(xmlNodePtr parent, const char *name,
                      const struct vs_clone_spec *s, struct err *err);

#endif
