/*
 * vsphere/devices.c: a VM's virtual devices (see vm.h): the xml-free
 * copies vs_vm_info() hands out, device changes mapped onto the vim.h
 * spec for ReconfigVM_Task, and disk detaches.
 */
#include "vsphere/devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "vsphere/client.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm_internal.h"

static int
map_tristate(int v)
{
	switch (v) {
	case 1:
		return VS_FALSE;
	case 2:
		return VS_TRUE;
	default:
		return VS_UNSET;
	}
}

static int
map_disk(struct vs_device_spec *d, const struct vs_vm_device_change *in,
         size_t i, struct err *err)
{
	if (in->file_name == NULL)
		return err_set(err, ERR_EINVAL, "device change %zu: disk "
		               "without a file", i);
	d->type = VS_DEV_DISK;
	d->backing = VS_BACKING_DISK_FLAT;
	d->file_name = in->file_name;
	d->datastore = in->datastore;
	d->disk_mode = in->disk_mode != NULL ? in->disk_mode : "persistent";
	d->thin = map_tristate(in->thin);
	d->eager_scrub = map_tristate(in->eager_scrub);
	d->capacity_kb = in->capacity_kb;
	return 0;
}

static void
map_nic(struct vs_device_spec *d, const struct vs_vm_device_change *in)
{
	d->type = VS_DEV_VMXNET3;
	if (in->opaque_id != NULL) {
		d->backing = VS_BACKING_OPAQUE;
		d->opaque_id = in->opaque_id;
		d->opaque_type = in->opaque_type;
	} else if (in->switch_uuid != NULL) {
		d->backing = VS_BACKING_DVPORT;
		d->switch_uuid = in->switch_uuid;
		d->portgroup_key = in->portgroup_key;
	} else if (in->network_name != NULL) {
		d->backing = VS_BACKING_NETWORK;
		d->device_name = in->network_name;
		d->network = in->network;
	}
	d->address_type = in->address_type;
	d->mac_address = in->mac_address;
}

/* The addition of a SCSI controller, or the edit of one (with
 * deviceInfo: an edit without crashes the simulator's handler); the
 * serializer refuses any other type. */
static int
map_controller(struct vs_device_spec *d,
               const struct vs_vm_device_change *in, size_t i,
               struct err *err)
{
	if ((in->operation == VS_OP_ADD ? in->key >= 0 :
	     in->operation != VS_OP_EDIT || in->key < 0 ||
	     in->label == NULL) ||
	    in->type_name == NULL || in->bus_number < 0 ||
	    in->bus_number > 3 || in->file_operation != VS_FILEOP_NONE)
		return err_set(err, ERR_EINVAL, "device change %zu: only "
		               "the addition of a SCSI controller (new "
		               "key, bus 0-3) or the edit of one (its "
		               "key, deviceInfo) is supported", i);
	d->type = VS_DEV_SCSI_CONTROLLER;
	d->bus_number = in->bus_number;
	d->shared_bus = in->shared_bus != NULL ? in->shared_bus :
	                "noSharing";
	d->child_keys = in->child_keys;
	d->nchild_keys = in->nchild_keys;
	return 0;
}

/* One xml-free change into the vim.h spec (pointers borrowed). */
static int
map_change(struct vs_device_change *out, struct vs_device_spec *d,
           struct vs_connect_spec *conn,
           const struct vs_vm_device_change *in, size_t i,
           struct err *err)
{
	int rc = 0;

	memset(out, 0, sizeof(*out));
	memset(d, 0, sizeof(*d));
	memset(conn, 0, sizeof(*conn));
	out->operation = in->operation;     /* checked by the serializer */
	out->file_operation = in->file_operation;
	out->profile_id = in->profile_id;
	/* the serializer checks that type_name fits the kind and that
	 * deviceInfo has both parts */
	d->type_name = in->type_name;
	d->label = in->label;
	d->summary = in->summary;
	d->key = in->key;
	d->controller_key = in->controller_key;
	d->has_unit_number = in->has_unit_number;
	d->unit_number = in->unit_number;
	if (in->has_connectable && in->kind != VS_VM_DEV_CONTROLLER) {
		conn->start_connected = in->start_connected;
		conn->allow_guest_control = in->allow_guest_control;
		conn->connected = in->connected;
		d->connectable = conn;
	}
	switch (in->kind) {
	case VS_VM_DEV_DISK:
		rc = map_disk(d, in, i, err);
		break;
	case VS_VM_DEV_NIC:
		map_nic(d, in);
		break;
	case VS_VM_DEV_CDROM:
		d->type = VS_DEV_CDROM;
		if (in->file_name != NULL) {
			d->backing = VS_BACKING_ISO;
			d->file_name = in->file_name;
			d->datastore = in->datastore;
		}
		break;
	case VS_VM_DEV_CONTROLLER:
		rc = map_controller(d, in, i, err);
		break;
	default:
		return err_set(err, ERR_EINVAL, "device change %zu: "
		               "unsupported device kind %d", i, in->kind);
	}
	if (rc == 0)
		out->device = d;
	return rc;
}

/* A vs_vm_config mapped onto the vim.h spec, with what it allocated. */
struct mapped_config {
	struct vs_config_spec cs;
	struct vs_device_change *changes;
	struct vs_device_spec *devs;
	struct vs_connect_spec *conns;
	struct vs_option *extra;
};

static void
mapped_config_clear(struct mapped_config *m)
{
	free(m->changes);
	free(m->devs);
	free(m->conns);
	free(m->extra);
	memset(m, 0, sizeof(*m));
}

static int
map_changes(struct mapped_config *m, const struct vs_vm_config *spec,
            struct err *err)
{
	size_t i;
	int rc;

	if (spec->nchanges == 0)
		return 0;
	m->changes = calloc(spec->nchanges, sizeof(*m->changes));
	m->devs = calloc(spec->nchanges, sizeof(*m->devs));
	m->conns = calloc(spec->nchanges, sizeof(*m->conns));
	if (m->changes == NULL || m->devs == NULL || m->conns == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < spec->nchanges; i++) {
		rc = map_change(&m->changes[i], &m->devs[i], &m->conns[i],
		                &spec->changes[i], i, err);
		if (rc != 0)
			return rc;
	}
	m->cs.changes = m->changes;
	m->cs.nchanges = spec->nchanges;
	return 0;
}

static int
map_config(struct mapped_config *m, const struct vs_vm_config *spec,
           struct err *err)
{
	size_t i;
	int rc;

	memset(m, 0, sizeof(*m));
	m->cs.name = spec->name;
	m->cs.num_cpus = spec->num_cpus;
	m->cs.memory_mb = spec->memory_mb;
	rc = map_changes(m, spec, err);
	if (rc != 0)
		return rc;
	if (spec->nextra > 0) {
		m->extra = calloc(spec->nextra, sizeof(*m->extra));
		if (m->extra == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
	}
	for (i = 0; i < spec->nextra; i++) {
		m->extra[i].key = spec->extra[i].key;
		m->extra[i].value = spec->extra[i].value;
	}
	m->cs.extra = m->extra;
	m->cs.nextra = spec->nextra;
	m->cs.memory_hot_add = map_tristate(spec->memory_hot_add);
	m->cs.cpu_hot_add = map_tristate(spec->cpu_hot_add);
	m->cs.memory_reservation_locked =
		map_tristate(spec->memory_reservation_locked);
	m->cs.nested_hv = map_tristate(spec->nested_hv);
	m->cs.has_cpu_reservation = spec->has_cpu_reservation;
	m->cs.cpu_reservation_mhz = spec->cpu_reservation_mhz;
	m->cs.vm_profile_id = spec->vm_profile_id;
	return 0;
}

int
vs_vm_reconfigure(struct vs_client *c, const struct vs_moref *vm,
                  const struct vs_vm_config *spec, struct err *err)
{
	struct mapped_config mc;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct err e;
	int rc;

	err_clear(&e);
	memset(&mc, 0, sizeof(mc));
	rc = vs_vm__check_ref(vm, "ReconfigVM_Task", err);
	if (rc != 0)
		return rc;
	if (spec == NULL || (spec->nchanges > 0 && spec->changes == NULL) ||
	    (spec->nextra > 0 && spec->extra == NULL))
		return err_set(err, ERR_EINVAL, "ReconfigVM_Task: bad "
		               "spec");
	rc = map_config(&mc, spec, err);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "ReconfigVM_Task", vm, err);
	if (rc == 0)
		rc = vs_add_config_spec(m, "spec", &mc.cs, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_task_call(NULL, c, req, VS_VM_TASK_TIMEOUT_S, &e);
	req = NULL;
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = ERR_ENOTFOUND;
		err_prefix(&e, "ReconfigVM_Task %s", vm->value);
		err_keep_first(err, &e);
	}
cleanup:
	xmlFreeDoc(req);
	mapped_config_clear(&mc);
	return rc;
}

void
vs_vm_names_free(struct vs_vm_names *names)
{
	if (names == NULL)
		return;
	strv_free(names->items, names->n);
	free(names);
}

int
vs_vm_names_add(struct vs_vm_names *names, const char *s, struct err *err)
{
	names->items[names->n] = strdup(s);
	if (names->items[names->n] == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	names->n++;
	return 0;
}

static bool
disk_selected(const struct vs_device *d, const struct vs_vm_info *info,
              int filter)
{
	if (d->kind != VS_VM_DEV_DISK)
		return false;
	if (filter == VS_VM_DISKS_ALL)
		return true;
	return vs_vm_disk_is_persistent(d->file_name, info->vm_path_name);
}

void
vs_vm_disk_remove_change(struct vs_vm_device_change *ch,
                         const struct vs_device *d)
{
	memset(ch, 0, sizeof(*ch));
	ch->operation = VS_OP_REMOVE;
	ch->file_operation = VS_FILEOP_NONE;     /* the file stays */
	ch->kind = VS_VM_DEV_DISK;
	ch->type_name = d->type[0] != '\0' ? d->type : NULL;
	ch->key = d->key;
	ch->controller_key = d->has_controller_key ? d->controller_key : 0;
	ch->has_unit_number = d->has_unit_number;
	ch->unit_number = d->unit_number;
	ch->file_name = d->file_name;
	ch->datastore = d->has_datastore ? &d->datastore : NULL;
	ch->disk_mode = d->disk_mode;
	ch->capacity_kb = d->capacity_kb;
}

/* The changes removing the disks of info that filter selects, into
 * changes (room for every device); names lists their files. */
static int
plan_detach(struct vs_vm_device_change *changes, struct vs_vm_names *names,
            const struct vs_vm_info *info, int filter, struct err *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < info->ndevices; i++) {
		const struct vs_device *d = &info->devices[i];

		if (!disk_selected(d, info, filter))
			continue;
		if (d->file_name == NULL)
			return err_set(err, ERR_EPARSE, "VM %s: disk %d "
			               "has no file", info->vm.value,
			               d->key);
		vs_vm_disk_remove_change(&changes[names->n], d);
		rc = vs_vm_names_add(names, d->file_name, err);
	}
	return rc;
}

int
vs_vm_detach_disks_info(struct vs_vm_names **out, struct vs_client *c,
                        const struct vs_vm_info *info, int filter,
                        struct err *err)
{
	struct vs_vm_device_change *changes = NULL;
	struct vs_vm_names *names = NULL;
	struct vs_vm_config spec;
	int rc = 0;

	if (out != NULL)
		*out = NULL;
	if (info == NULL || (filter != VS_VM_DISKS_PERSISTENT &&
	                     filter != VS_VM_DISKS_ALL))
		return err_set(err, ERR_EINVAL, "detach disks: bad "
		               "arguments");
	names = calloc(1, sizeof(*names));
	if (names == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (info->ndevices > 0) {
		changes = calloc(info->ndevices, sizeof(*changes));
		names->items = calloc(info->ndevices, sizeof(char *));
		if (changes == NULL || names->items == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	rc = plan_detach(changes, names, info, filter, err);
	if (rc == 0 && names->n > 0) {
		memset(&spec, 0, sizeof(spec));
		spec.changes = changes;
		spec.nchanges = names->n;
		rc = vs_vm_reconfigure(c, &info->vm, &spec, err);
		if (rc != 0)
			err_prefix(err, "detaching %zu disk(s)", names->n);
	}
	if (rc == 0 && out != NULL) {
		*out = names;
		names = NULL;
	}
cleanup:
	free(changes);
	vs_vm_names_free(names);
	return rc;
}

int
vs_vm_detach_disks(struct vs_vm_names **out, struct vs_client *c,
                   const struct vs_moref *vm, int filter,
                   struct err *err)
{
	struct vs_vm_info *info = NULL;
	int rc;

	if (out != NULL)
		*out = NULL;
	rc = vs_vm_info(&info, c, vm, err);
	if (rc == 0)
		rc = vs_vm_detach_disks_info(out, c, info, filter, err);
	vs_vm_info_free(info);
	return rc;
}
