/*
 * vsphere/vim_spec.c: typed request specs → vim25 XML.
 *
 * Children are emitted in vim25 schema order, which is the field order
 * of the matching Go struct in govmomi's vim25/types/types.go with the
 * base type's fields first.  Real vCenter rejects out-of-order specs (the
 * simulator does not), so each serializer names the struct it follows.
 * Values go through vs_soap_add_*(), which escape by construction.
 */
#include "vsphere/vim.h"

#include <string.h>

#include <libxml/xmlstring.h>

/* Selection specs nest; our own callers never go deep. */
#define MAX_SELECT_DEPTH 8

/* vs_soap_add_*() answer NULL both for values that are not valid XML
 * text (bad UTF-8, control characters) and when out of memory; the first
 * is what a caller can actually cause. */
static int
nomem(const char *name, struct err *err)
{
	return err_set(err, ERR_EINVAL,
	               "cannot add <%s>: invalid text or out of memory",
	               name);
}

/* What vs_soap_add_text() accepts: UTF-8 without C0 controls other than
 * tab, newline and carriage return. */
static bool
valid_text(const char *s)
{
	const unsigned char *p;

	if (!xmlCheckUTF8((const xmlChar *)s))
		return false;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	}
	return true;
}

static int
add_text(xmlNodePtr parent, const char *name, const char *v,
         struct err *err)
{
	if (v == NULL)
		return err_set(err, ERR_EINVAL, "<%s>: value missing",
		               name);
	if (vs_soap_add_text(parent, name, v) == NULL)
		return nomem(name, err);
	return 0;
}

static int
add_opt_text(xmlNodePtr parent, const char *name, const char *v,
             struct err *err)
{
	if (v == NULL)
		return 0;
	return add_text(parent, name, v, err);
}

static int
add_bool(xmlNodePtr parent, const char *name, bool v, struct err *err)
{
	if (vs_soap_add_bool(parent, name, v) == NULL)
		return nomem(name, err);
	return 0;
}

static int
add_tristate(xmlNodePtr parent, const char *name, int v,
             struct err *err)
{
	if (v == VS_UNSET)
		return 0;
	if (v != VS_TRUE && v != VS_FALSE)
		return err_set(err, ERR_EINVAL, "<%s>: bad value", name);
	return add_bool(parent, name, v == VS_TRUE, err);
}

static int
add_long(xmlNodePtr parent, const char *name, long long v,
         struct err *err)
{
	if (vs_soap_add_long(parent, name, v) == NULL)
		return nomem(name, err);
	return 0;
}

static int
add_moref(xmlNodePtr parent, const char *name, const struct vs_moref *r,
          struct err *err)
{
	if (r == NULL || r->type[0] == '\0' || r->value[0] == '\0')
		return err_set(err, ERR_EINVAL,
		               "<%s>: empty managed object reference",
		               name);
	if (vs_soap_add_moref(parent, name, r) == NULL)
		return nomem(name, err);
	return 0;
}

static int
add_opt_moref(xmlNodePtr parent, const char *name, const struct vs_moref *r,
              struct err *err)
{
	if (r == NULL)
		return 0;
	return add_moref(parent, name, r, err);
}

static int
add_obj(xmlNodePtr *out, xmlNodePtr parent, const char *name,
        const char *type, struct err *err)
{
	*out = vs_soap_add_obj(parent, name, type);
	if (*out == NULL)
		return nomem(name, err);
	return 0;
}

/* --- property collector ---------------------------------------------- */

/* SelectionSpec {name}; TraversalSpec {SelectionSpec; type, path, skip,
 * selectSet}. */
static int
add_selection(xmlNodePtr parent, const struct vs_selection_spec *s,
              int depth, struct err *err)
{
	xmlNodePtr n;
	size_t i;
	int rc;

	if (depth > MAX_SELECT_DEPTH)
		return err_set(err, ERR_EINVAL,
		               "selectSet nested too deep");
	if (s->type == NULL) {
		if (s->name == NULL)
			return err_set(err, ERR_EINVAL,
			               "SelectionSpec without a name");
		rc = add_obj(&n, parent, "selectSet", "SelectionSpec", err);
		if (rc == 0)
			rc = add_text(n, "name", s->name, err);
		return rc;
	}
	rc = add_obj(&n, parent, "selectSet", "TraversalSpec", err);
	if (rc == 0)
		rc = add_opt_text(n, "name", s->name, err);
	if (rc == 0)
		rc = add_text(n, "type", s->type, err);
	if (rc == 0)
		rc = add_text(n, "path", s->path, err);
	if (rc == 0)
		rc = add_bool(n, "skip", s->skip, err);
	for (i = 0; rc == 0 && i < s->nselect; i++)
		rc = add_selection(n, &s->select[i], depth + 1, err);
	return rc;
}

/* PropertyFilterSpec {propSet, objectSet, reportMissingObjectsInResults};
 * PropertySpec {type, all, pathSet}; ObjectSpec {obj, skip, selectSet}. */
int
vs_add_filter_spec(xmlNodePtr parent, const char *name,
                   const struct vs_filter_spec *s, struct err *err)
{
	xmlNodePtr spec, n;
	size_t i, j;
	int rc;

	if (s->nprops == 0 || s->nobjects == 0)
		return err_set(err, ERR_EINVAL,
		               "filter spec without properties or "
		               "objects");
	rc = add_obj(&spec, parent, name, NULL, err);
	for (i = 0; rc == 0 && i < s->nprops; i++) {
		const struct vs_property_spec *p = &s->props[i];

		rc = add_obj(&n, spec, "propSet", NULL, err);
		if (rc == 0)
			rc = add_text(n, "type", p->type, err);
		if (rc == 0 && p->all)
			rc = add_bool(n, "all", true, err);
		for (j = 0; rc == 0 && p->paths != NULL &&
		     p->paths[j] != NULL; j++)
			rc = add_text(n, "pathSet", p->paths[j], err);
	}
	for (i = 0; rc == 0 && i < s->nobjects; i++) {
		const struct vs_object_spec *o = &s->objects[i];

		rc = add_obj(&n, spec, "objectSet", NULL, err);
		if (rc == 0)
			rc = add_moref(n, "obj", &o->obj, err);
		if (rc == 0)
			rc = add_bool(n, "skip", o->skip, err);
		for (j = 0; rc == 0 && j < o->nselect; j++)
			rc = add_selection(n, &o->select[j], 0, err);
	}
	return rc;
}

/* RetrieveOptions {maxObjects}. */
int
vs_add_retrieve_options(xmlNodePtr parent, const char *name,
                        int max_objects, struct err *err)
{
	xmlNodePtr n;
	int rc;

	rc = add_obj(&n, parent, name, NULL, err);
	if (rc == 0 && max_objects > 0)
		rc = add_long(n, "maxObjects", max_objects, err);
	return rc;
}

/* --- devices ------------------------------------------------------------ */

static const char *
device_type_name(int type)
{
	switch (type) {
	case VS_DEV_VMXNET3:
		return "VirtualVmxnet3";
	case VS_DEV_DISK:
		return "VirtualDisk";
	case VS_DEV_CDROM:
		return "VirtualCdrom";
	case VS_DEV_SCSI_CONTROLLER:
		return "ParaVirtualSCSIController";
	default:
		return NULL;
	}
}

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return true;
	}
	return false;
}

/* Whether name (an xsi:type) is a member of kind type's family: every
 * field the serializer writes for the kind is valid in it. */
static bool
type_name_fits(int type, const char *name)
{
	static const char *const scsi[] = {
		"ParaVirtualSCSIController", "VirtualLsiLogicController",
		"VirtualLsiLogicSASController", "VirtualBusLogicController",
	};
	struct vs_device probe;

	switch (type) {
	case VS_DEV_VMXNET3:
		memset(&probe, 0, sizeof(probe));
		if (strlen(name) >= sizeof(probe.type))
			return false;
		memcpy(probe.type, name, strlen(name) + 1);
		return vs_device_is_nic(&probe);
	case VS_DEV_SCSI_CONTROLLER:
		return in_list(name, scsi, sizeof(scsi) / sizeof(scsi[0]));
	default:
		return strcmp(name, device_type_name(type)) == 0;
	}
}

/* VirtualSCSISharing. */
static bool
sharing_valid(const char *s)
{
	static const char *const modes[] = {
		"noSharing", "virtualSharing", "physicalSharing",
	};

	return s != NULL &&
	       in_list(s, modes, sizeof(modes) / sizeof(modes[0]));
}

static bool
backing_fits(int type, int backing)
{
	if (backing == VS_BACKING_NONE)
		return true;
	switch (type) {
	case VS_DEV_VMXNET3:
		return backing == VS_BACKING_NETWORK ||
		       backing == VS_BACKING_DVPORT ||
		       backing == VS_BACKING_OPAQUE;
	case VS_DEV_DISK:
		return backing == VS_BACKING_DISK_FLAT;
	case VS_DEV_CDROM:
		return backing == VS_BACKING_ISO;
	default:
		return false;   /* controllers have none */
	}
}

/* VirtualEthernetCardNetworkBackingInfo {VirtualDeviceDeviceBackingInfo
 * {deviceName, useAutoDetect}; network, inPassthroughMode}.
 * VirtualEthernetCardDistributedVirtualPortBackingInfo {port}, port being
 * DistributedVirtualSwitchPortConnection {switchUuid, portgroupKey,
 * portKey, connectionCookie}.
 * VirtualDiskFlatVer2BackingInfo {VirtualDeviceFileBackingInfo {fileName,
 * datastore, backingObjectId}; diskMode, split, writeThrough,
 * thinProvisioned, eagerlyScrub, …}.
 * VirtualCdromIsoBackingInfo {VirtualDeviceFileBackingInfo}. */
static int
add_nic_backing(xmlNodePtr dev, const struct vs_device_spec *d,
                struct err *err)
{
	xmlNodePtr b, port;
	int rc;

	switch (d->backing) {
	case VS_BACKING_NETWORK:
		rc = add_obj(&b, dev, "backing",
		             "VirtualEthernetCardNetworkBackingInfo", err);
		if (rc == 0)
			rc = add_text(b, "deviceName", d->device_name, err);
		if (rc == 0)
			rc = add_opt_moref(b, "network", d->network, err);
		return rc;
	case VS_BACKING_DVPORT:
		rc = add_obj(&b, dev, "backing", "VirtualEthernetCard"
		             "DistributedVirtualPortBackingInfo", err);
		if (rc == 0)
			rc = add_obj(&port, b, "port", NULL, err);
		if (rc == 0)
			rc = add_text(port, "switchUuid", d->switch_uuid, err);
		if (rc == 0)
			rc = add_opt_text(port, "portgroupKey",
			                  d->portgroup_key, err);
		return rc;
	default:
		/* VirtualEthernetCardOpaqueNetworkBackingInfo
		 * {opaqueNetworkId, opaqueNetworkType} */
		rc = add_obj(&b, dev, "backing", "VirtualEthernetCard"
		             "OpaqueNetworkBackingInfo", err);
		if (rc == 0)
			rc = add_text(b, "opaqueNetworkId", d->opaque_id, err);
		if (rc == 0)
			rc = add_text(b, "opaqueNetworkType", d->opaque_type,
			              err);
		return rc;
	}
}

static int
add_file_backing(xmlNodePtr dev, const struct vs_device_spec *d,
                 struct err *err)
{
	bool disk = d->backing == VS_BACKING_DISK_FLAT;
	xmlNodePtr b;
	int rc;

	rc = add_obj(&b, dev, "backing", disk ?
	             "VirtualDiskFlatVer2BackingInfo" :
	             "VirtualCdromIsoBackingInfo", err);
	if (rc == 0)
		rc = add_text(b, "fileName", d->file_name, err);
	if (rc == 0)
		rc = add_opt_moref(b, "datastore", d->datastore, err);
	if (rc == 0 && disk)
		rc = add_text(b, "diskMode", d->disk_mode, err);
	if (rc == 0 && disk)
		rc = add_tristate(b, "thinProvisioned", d->thin, err);
	if (rc == 0 && disk)
		rc = add_tristate(b, "eagerlyScrub", d->eager_scrub, err);
	return rc;
}

static int
add_backing(xmlNodePtr dev, const struct vs_device_spec *d,
            struct err *err)
{
	switch (d->backing) {
	case VS_BACKING_NETWORK:
	case VS_BACKING_DVPORT:
	case VS_BACKING_OPAQUE:
		return add_nic_backing(dev, d, err);
	case VS_BACKING_DISK_FLAT:
	case VS_BACKING_ISO:
		return add_file_backing(dev, d, err);
	default:
		return 0;
	}
}

/* The checks vs_add_device() makes before writing anything. */
static int
check_device(const char **type_out, const struct vs_device_spec *d,
             struct err *err)
{
	const char *type = device_type_name(d->type);

	if (type == NULL)
		return err_set(err, ERR_EINVAL, "unknown device type %d",
		               d->type);
	if (d->type_name != NULL) {
		if (!type_name_fits(d->type, d->type_name))
			return err_set(err, ERR_EINVAL, "type %.64s is "
			               "not a device of kind %d",
			               d->type_name, d->type);
		type = d->type_name;
	}
	if (!backing_fits(d->type, d->backing))
		return err_set(err, ERR_EINVAL,
		               "%s cannot take backing %d", type,
		               d->backing);
	if ((d->label == NULL) != (d->summary == NULL))
		return err_set(err, ERR_EINVAL, "%s: deviceInfo needs a "
		               "label and a summary", type);
	if (d->type == VS_DEV_SCSI_CONTROLLER) {
		if (d->connectable != NULL)
			return err_set(err, ERR_EINVAL, "%s cannot be "
			               "connectable", type);
		if (d->bus_number < 0)
			return err_set(err, ERR_EINVAL, "%s: negative "
			               "busNumber", type);
		if (!sharing_valid(d->shared_bus))
			return err_set(err, ERR_EINVAL, "%s: sharedBus "
			               "missing or not a "
			               "VirtualSCSISharing", type);
	}
	*type_out = type;
	return 0;
}

/* VirtualDevice {key, deviceInfo, backing, connectable, slotInfo,
 * controllerKey, unitNumber}; Description {label, summary};
 * VirtualDeviceConnectInfo {migrateConnect, startConnected,
 * allowGuestControl, connected, status};
 * VirtualVmxnet3 → VirtualVmxnet → VirtualEthernetCard {VirtualDevice;
 * addressType, macAddress, wakeOnLanEnabled, …} (VirtualE1000 & co.
 * derive from VirtualEthernetCard directly);
 * VirtualDisk {VirtualDevice; capacityInKB, capacityInBytes, …};
 * VirtualCdrom {VirtualDevice};
 * ParaVirtualSCSIController (and the LSI Logic / BusLogic ones) →
 * VirtualSCSIController {VirtualController {VirtualDevice; busNumber,
 * device}; hotAddRemove, sharedBus, scsiCtlrUnitNumber}. */
int
vs_add_device(xmlNodePtr parent, const char *name,
              const struct vs_device_spec *d, struct err *err)
{
	const char *type = NULL;
	xmlNodePtr dev, c;
	int rc;

	rc = check_device(&type, d, err);
	if (rc == 0)
		rc = add_obj(&dev, parent, name, type, err);
	if (rc == 0)
		rc = add_long(dev, "key", d->key, err);
	if (rc == 0 && d->label != NULL) {
		rc = add_obj(&c, dev, "deviceInfo", NULL, err);
		if (rc == 0)
			rc = add_text(c, "label", d->label, err);
		if (rc == 0)
			rc = add_text(c, "summary", d->summary, err);
	}
	if (rc == 0)
		rc = add_backing(dev, d, err);
	if (rc == 0 && d->connectable != NULL) {
		rc = add_obj(&c, dev, "connectable", NULL, err);
		if (rc == 0)
			rc = add_bool(c, "startConnected",
			              d->connectable->start_connected, err);
		if (rc == 0)
			rc = add_bool(c, "allowGuestControl",
			              d->connectable->allow_guest_control, err);
		if (rc == 0)
			rc = add_bool(c, "connected",
			              d->connectable->connected, err);
	}
	if (rc == 0 && d->controller_key != 0)
		rc = add_long(dev, "controllerKey", d->controller_key, err);
	if (rc == 0 && d->has_unit_number)
		rc = add_long(dev, "unitNumber", d->unit_number, err);
	if (rc == 0 && d->type == VS_DEV_VMXNET3) {
		rc = add_opt_text(dev, "addressType", d->address_type, err);
		if (rc == 0)
			rc = add_opt_text(dev, "macAddress", d->mac_address,
			                  err);
	}
	if (rc == 0 && d->type == VS_DEV_DISK)
		rc = add_long(dev, "capacityInKB", d->capacity_kb, err);
	if (rc == 0 && d->type == VS_DEV_SCSI_CONTROLLER) {
		size_t i;

		rc = add_long(dev, "busNumber", d->bus_number, err);
		for (i = 0; rc == 0 && i < d->nchild_keys; i++)
			rc = add_long(dev, "device", d->child_keys[i], err);
		if (rc == 0)
			rc = add_text(dev, "sharedBus", d->shared_bus, err);
	}
	return rc;
}

/* A VirtualMachineDefinedProfileSpec {profileId, replicationSpec,
 * profileData, profileParams} named name (none for a NULL id). */
static int
add_profile(xmlNodePtr parent, const char *name, const char *profile_id,
            struct err *err)
{
	xmlNodePtr n;
	int rc;

	if (profile_id == NULL)
		return 0;
	rc = add_obj(&n, parent, name, "VirtualMachineDefinedProfileSpec",
	             err);
	if (rc == 0)
		rc = add_text(n, "profileId", profile_id, err);
	return rc;
}

/* VirtualDeviceConfigSpec {operation, fileOperation, device, profile,
 * backing}. */
int
vs_add_device_change(xmlNodePtr parent, const char *name,
                     const struct vs_device_change *dc, struct err *err)
{
	static const char *const ops[] = { NULL, "add", "remove", "edit" };
	static const char *const fops[] = { NULL, "create", "destroy" };
	xmlNodePtr n;
	int rc;

	if (dc->operation < VS_OP_ADD || dc->operation > VS_OP_EDIT)
		return err_set(err, ERR_EINVAL, "bad device operation");
	if (dc->file_operation < VS_FILEOP_NONE ||
	    dc->file_operation > VS_FILEOP_DESTROY)
		return err_set(err, ERR_EINVAL, "bad file operation");
	if (dc->device == NULL)
		return err_set(err, ERR_EINVAL, "device change without "
		               "a device");
	rc = add_obj(&n, parent, name, NULL, err);
	if (rc == 0)
		rc = add_text(n, "operation", ops[dc->operation], err);
	if (rc == 0 && dc->file_operation != VS_FILEOP_NONE)
		rc = add_text(n, "fileOperation", fops[dc->file_operation],
		              err);
	if (rc == 0)
		rc = vs_add_device(n, "device", dc->device, err);
	if (rc == 0)
		rc = add_profile(n, "profile", dc->profile_id, err);
	return rc;
}

/* One extraConfig OptionValue {key, value (xsi:type)}.  An empty value
 * (which removes the key) is written <value xsi:type="xsd:string"/>,
 * without a text node. */
static int
add_extra(xmlNodePtr spec, const struct vs_option *o, struct err *err)
{
	xmlNodePtr n, v;
	int rc;

	if (o->value == NULL || !valid_text(o->value))
		return err_set(err, ERR_EINVAL, "extraConfig %s: missing "
		               "or invalid value", o->key != NULL ?
		               o->key : "(no key)");
	rc = add_obj(&n, spec, "extraConfig", NULL, err);
	if (rc == 0)
		rc = add_text(n, "key", o->key, err);
	if (rc == 0 && o->value[0] == '\0')
		rc = add_obj(&v, n, "value", "xsd:string", err);
	else if (rc == 0 &&
	         vs_soap_add_typed_text(n, "value", "xsd:string",
	                                o->value) == NULL)
		rc = nomem("value", err);
	return rc;
}

/* VirtualMachineConfigSpec {changeVersion, name, …, numCPUs, …, memoryMB,
 * memoryHotAddEnabled, cpuHotAddEnabled, …, deviceChange, cpuAllocation,
 * …, extraConfig, …, managedBy, memoryReservationLockedToMax,
 * nestedHVEnabled, …, vmProfile, …};
 * ResourceAllocationInfo {reservation, expandableReservation, limit,
 * shares, overheadLimit};
 * OptionValue {key, value (xsi:type)}; ManagedByInfo {extensionKey,
 * type}. */
int
vs_add_config_spec(xmlNodePtr parent, const char *name,
                   const struct vs_config_spec *s, struct err *err)
{
	xmlNodePtr spec, n;
	size_t i;
	int rc;

	if (s->num_cpus < 0 || s->memory_mb < 0 ||
	    (s->has_cpu_reservation && s->cpu_reservation_mhz < 0))
		return err_set(err, ERR_EINVAL, "negative CPU, memory or "
		               "reservation");
	if ((s->managed_by_key == NULL) != (s->managed_by_type == NULL))
		return err_set(err, ERR_EINVAL,
		               "managedBy needs both key and type");
	rc = add_obj(&spec, parent, name, NULL, err);
	if (rc == 0)
		rc = add_opt_text(spec, "name", s->name, err);
	if (rc == 0 && s->num_cpus > 0)
		rc = add_long(spec, "numCPUs", s->num_cpus, err);
	if (rc == 0 && s->memory_mb > 0)
		rc = add_long(spec, "memoryMB", s->memory_mb, err);
	if (rc == 0)
		rc = add_tristate(spec, "memoryHotAddEnabled",
		                  s->memory_hot_add, err);
	if (rc == 0)
		rc = add_tristate(spec, "cpuHotAddEnabled", s->cpu_hot_add,
		                  err);
	for (i = 0; rc == 0 && i < s->nchanges; i++)
		rc = vs_add_device_change(spec, "deviceChange", &s->changes[i],
		                          err);
	if (rc == 0 && s->has_cpu_reservation) {
		rc = add_obj(&n, spec, "cpuAllocation", NULL, err);
		if (rc == 0)
			rc = add_long(n, "reservation", s->cpu_reservation_mhz,
			              err);
	}
	for (i = 0; rc == 0 && i < s->nextra; i++)
		rc = add_extra(spec, &s->extra[i], err);
	if (rc == 0 && s->managed_by_key != NULL) {
		rc = add_obj(&n, spec, "managedBy", NULL, err);
		if (rc == 0)
			rc = add_text(n, "extensionKey", s->managed_by_key,
			              err);
		if (rc == 0)
			rc = add_text(n, "type", s->managed_by_type, err);
	}
	if (rc == 0)
		rc = add_tristate(spec, "memoryReservationLockedToMax",
		                  s->memory_reservation_locked, err);
	if (rc == 0)
		rc = add_tristate(spec, "nestedHVEnabled", s->nested_hv, err);
	if (rc == 0)
		rc = add_profile(spec, "vmProfile", s->vm_profile_id, err);
	return rc;
}

/* VirtualMachineRelocateSpec {service, folder, datastore, diskMoveType,
 * pool, host, disk, transform, deviceChange, profile, cryptoSpec}. */
int
vs_add_relocate_spec(xmlNodePtr parent, const char *name,
                     const struct vs_relocate_spec *s, struct err *err)
{
	xmlNodePtr n;
	int rc;

	rc = add_obj(&n, parent, name, NULL, err);
	if (rc == 0)
		rc = add_opt_moref(n, "folder", s->folder, err);
	if (rc == 0)
		rc = add_opt_moref(n, "datastore", s->datastore, err);
	if (rc == 0)
		rc = add_opt_text(n, "diskMoveType", s->disk_move_type, err);
	if (rc == 0)
		rc = add_opt_moref(n, "pool", s->pool, err);
	if (rc == 0)
		rc = add_opt_moref(n, "host", s->host, err);
	return rc;
}

/* VirtualMachineCloneSpec {location, template, config, customization,
 * powerOn, snapshot, memory}. */
int
vs_add_clone_spec(xmlNodePtr parent, const char *name,
                  const struct vs_clone_spec *s, struct err *err)
{
	xmlNodePtr n;
	int rc;

	rc = add_obj(&n, parent, name, NULL, err);
	if (rc == 0)
		rc = vs_add_relocate_spec(n, "location", &s->location, err);
	if (rc == 0)
		rc = add_bool(n, "template", s->template_, err);
	if (rc == 0 && s->config != NULL)
		rc = vs_add_config_spec(n, "config", s->config, err);
	if (rc == 0)
		rc = add_bool(n, "powerOn", s->power_on, err);
	if (rc == 0)
		rc = add_opt_moref(n, "snapshot", s->snapshot, err);
	return rc;
}
