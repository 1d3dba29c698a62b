/*
 * vsphere/create_plan.c: reading a fresh clone back (see
 * create_internal.h): its NICs checked against the request and their MAC
 * addresses taken, the stemcell's NICs to remove, the system disk and
 * its controller, a free unit for the ephemeral disk, the CD-ROM slot for
 * the env ISO.
 */
#include "vsphere/create_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/vm.h"

/* Unit numbers tried for the ephemeral disk (7 is the SCSI controller's
 * own). */
#define SCSI_UNITS 16
#define SCSI_RESERVED_UNIT 7
#define IDE_UNITS 2
#define MAC_LEN 17

static bool
nic_on(const struct vs_device *d, const struct vs_port_group *pg)
{
	if (pg->kind == VS_PG_OPAQUE)
		return d->opaque_id != NULL && pg->opaque_id != NULL &&
		       strcmp(d->opaque_id, pg->opaque_id) == 0;
	if (pg->kind == VS_PG_DISTRIBUTED)
		return d->switch_uuid != NULL && d->portgroup_key != NULL &&
		       strcmp(d->switch_uuid, pg->switch_uuid) == 0 &&
		       strcmp(d->portgroup_key, pg->portgroup_key) == 0;
	if (d->switch_uuid != NULL)
		return false;
	if (d->has_network)
		return strcmp(d->network.value, pg->network.value) == 0;
	return d->device_name != NULL && strcmp(d->device_name,
	                                         pg->name) == 0;
}

/* "00:0C:29:aa:bb:cc" -> "00:0c:29:aa:bb:cc"; NULL when malformed. */
static char *
mac_norm(const char *s)
{
	char *out;
	int i;

	if (s == NULL || strlen(s) != MAC_LEN)
		return NULL;
	for (i = 0; i < MAC_LEN; i++) {
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return NULL;
	}
	out = strdup(s);
	for (i = 0; out != NULL && i < MAC_LEN; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return out;
}

static bool
unit_used(const struct vs_vm_info *info, int controller, int unit)
{
	size_t i;

	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->has_controller_key && d->controller_key == controller &&
		    d->has_unit_number && d->unit_number == unit)
			return true;
	}
	return false;
}

static int
plan_nics(struct vs_created *v, const struct vs_vm_info *info,
          const struct vs_create_req *req, struct err *err)
{
	size_t i, nnic = 0, k = 0;

	for (i = 0; i < info->ndevices; i++)
		if (info->devices[i].kind == VS_VM_DEV_NIC)
			nnic++;
	if (nnic < req->nnics)
		return err_set(err, ERR_FAIL, "the clone has %zu NIC(s), "
		               "%zu were added", nnic, req->nnics);
	v->macs = calloc(req->nnics + 1, sizeof(*v->macs));
	v->remove_keys = calloc(nnic - req->nnics + 1,
	                        sizeof(*v->remove_keys));
	v->remove_types = calloc(nnic - req->nnics + 1,
	                         sizeof(*v->remove_types));
	if (v->macs == NULL || v->remove_keys == NULL ||
	    v->remove_types == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];
		const struct vs_port_group *pg;

		if (d->kind != VS_VM_DEV_NIC)
			continue;
		if (k++ < nnic - req->nnics) {
			/* removed with its own type: a VirtualE1000 sent as
			 * a VirtualVmxnet3 may be refused */
			v->remove_types[v->nremove] = strdup(d->type);
			if (v->remove_types[v->nremove] == NULL)
				return err_set(err, ERR_ENOMEM,
				               "out of memory");
			v->remove_keys[v->nremove++] = d->key;
			continue;
		}
		pg = &req->nics[v->nmacs];
		if (strcmp(d->type, "VirtualVmxnet3") != 0 || !nic_on(d, pg))
			return err_set(err, ERR_FAIL, "NIC %zu of the clone "
			               "is not a VirtualVmxnet3 on port "
			               "group '%s'", v->nmacs + 1,
			               pg->name);
		v->macs[v->nmacs] = mac_norm(d->mac_address);
		if (v->macs[v->nmacs] == NULL)
			return err_set(err, ERR_EPARSE, "NIC %zu of the "
			               "clone (port group '%s') has no "
			               "valid MAC address", v->nmacs + 1,
			               pg->name);
		v->nmacs++;
	}
	return 0;
}

/* Remembers the system disk's controller (v->disk_controller), for the
 * conversion to another SCSI type. */
static int
plan_controller(struct vs_created *v, const struct vs_vm_info *info,
                struct err *err)
{
	const struct vs_device *ctl = NULL;
	size_t i, n = 0;

	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->key == v->disk_controller &&
		    (strcmp(d->type, "ParaVirtualSCSIController") == 0 ||
		     strcmp(d->type, "VirtualLsiLogicController") == 0 ||
		     strcmp(d->type, "VirtualLsiLogicSASController") == 0 ||
		     strcmp(d->type, "VirtualBusLogicController") == 0))
			ctl = d;
	}
	if (ctl == NULL)
		return 0;       /* not SCSI (IDE, SATA, NVMe): left alone */
	for (i = 0; i < info->ndevices; i++) {
		if (info->devices[i].has_controller_key &&
		    info->devices[i].controller_key == ctl->key)
			n++;
	}
	if (n > 0) {
		v->scsi_children = calloc(n, sizeof(*v->scsi_children));
		if (v->scsi_children == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	for (i = 0; i < info->ndevices; i++) {
		if (info->devices[i].has_controller_key &&
		    info->devices[i].controller_key == ctl->key)
			v->scsi_children[v->nscsi_children++] =
				info->devices[i].key;
	}
	if (ctl->label != NULL) {
		v->scsi_label = strdup(ctl->label);
		if (v->scsi_label == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	v->scsi_key = ctl->key;
	snprintf(v->scsi_type, sizeof(v->scsi_type), "%s", ctl->type);
	v->scsi_bus = ctl->bus_number;
	snprintf(v->scsi_shared, sizeof(v->scsi_shared), "%s",
	         ctl->shared_bus[0] != '\0' ? ctl->shared_bus : "noSharing");
	v->scsi_parent = ctl->has_controller_key ? ctl->controller_key : 0;
	v->scsi_has_unit = ctl->has_unit_number;
	v->scsi_unit = ctl->unit_number;
	return 0;
}

/* The system disk, remembered for growing it. */
static int
plan_system_disk(struct vs_created *v, const struct vs_device *sys,
                 struct err *err)
{
	if (sys == NULL || !sys->has_controller_key || !sys->has_unit_number)
		return err_set(err, ERR_FAIL, "the clone has no system "
		               "disk on a controller");
	v->system_unit = sys->unit_number;
	v->disk_controller = sys->controller_key;
	v->sys_key = sys->key;
	v->sys_capacity_kb = sys->capacity_kb;
	v->sys_has_datastore = sys->has_datastore;
	v->sys_datastore = sys->datastore;
	if ((sys->file_name != NULL &&
	     (v->sys_file = strdup(sys->file_name)) == NULL) ||
	    (sys->label != NULL &&
	     (v->sys_label = strdup(sys->label)) == NULL) ||
	    (sys->disk_mode != NULL &&
	     (v->sys_disk_mode = strdup(sys->disk_mode)) == NULL))
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* The first free unit on the system disk's controller. */
static int
plan_ephemeral_unit(struct vs_created *v, const struct vs_vm_info *info,
                    struct err *err)
{
	int u;

	for (u = 0; u < SCSI_UNITS; u++) {
		if (u != SCSI_RESERVED_UNIT &&
		    !unit_used(info, v->disk_controller, u)) {
			v->ephemeral_unit = u;
			return 0;
		}
	}
	v->ephemeral_unit = -1;
	return err_set(err, ERR_FAIL, "no free unit on the system disk's "
	               "controller %d", v->disk_controller);
}

/* The clone's CD-ROM (cd), else a free IDE slot for one. */
static int
plan_cdrom(struct vs_created *v, const struct vs_vm_info *info,
           const struct vs_device *cd, struct err *err)
{
	size_t i;
	int u;

	if (cd != NULL) {
		v->cdrom_key = cd->key;
		v->cdrom_controller = cd->has_controller_key ?
		                      cd->controller_key : 0;
		v->cdrom_unit = cd->has_unit_number ? cd->unit_number : -1;
		return 0;
	}
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (strcmp(d->type, "VirtualIDEController") != 0)
			continue;
		for (u = 0; u < IDE_UNITS; u++) {
			if (!unit_used(info, d->key, u)) {
				v->ide_controller = d->key;
				v->ide_unit = u;
				return 0;
			}
		}
	}
	return err_set(err, ERR_FAIL, "the clone has no CD-ROM and no "
	               "free IDE slot for one");
}

static int
plan_disks(struct vs_created *v, const struct vs_vm_info *info,
           struct err *err)
{
	const struct vs_device *sys = NULL, *cd = NULL;
	size_t i;
	int rc;

	for (i = 0; i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (d->kind == VS_VM_DEV_DISK && sys == NULL)
			sys = d;
		if (d->kind == VS_VM_DEV_CDROM && cd == NULL)
			cd = d;
	}
	rc = plan_system_disk(v, sys, err);
	if (rc == 0)
		rc = plan_controller(v, info, err);
	if (rc == 0)
		rc = plan_ephemeral_unit(v, info, err);
	if (rc == 0)
		rc = plan_cdrom(v, info, cd, err);
	return rc;
}

int
vs_create__plan(struct vs_created *v, const struct vs_vm_info *info,
                const struct vs_create_req *req, struct err *err)
{
	int rc;

	rc = plan_nics(v, info, req, err);
	if (rc == 0)
		rc = plan_disks(v, info, err);
	return rc;
}
