/*
 * vsphere/vim_device.c: device lists (config.hardware.device) read into
 * owned struct vs_device values (vim.h).
 */
#include "vsphere/vim_int.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"

static void
device_clear(void *p)
{
	struct vs_device *d = p;

	free(d->label);
	free(d->file_name);
	free(d->device_name);
	free(d->switch_uuid);
	free(d->portgroup_key);
	free(d->mac_address);
	free(d->address_type);
	free(d->disk_mode);
	free(d->disk_uuid);
	free(d->opaque_id);
	memset(d, 0, sizeof(*d));
}

void
vs_device_array_free(struct vs_device *items, size_t n)
{
	array_free(items, n, sizeof(*items), device_clear);
}

void
vs_devices_free(struct vs_devices *d)
{
	if (d == NULL)
		return;
	vs_device_array_free(d->items, d->n);
	free(d);
}

static int
device_kind(const struct vs_device *d)
{
	if (strcmp(d->type, "VirtualDisk") == 0)
		return VS_VM_DEV_DISK;
	if (vs_device_is_nic(d))
		return VS_VM_DEV_NIC;
	if (strcmp(d->type, "VirtualCdrom") == 0)
		return VS_VM_DEV_CDROM;
	if (strstr(d->type, "Controller") != NULL)
		return VS_VM_DEV_CONTROLLER;
	return VS_VM_DEV_OTHER;
}

static int
device_backing(struct vs_device *d, xmlNodePtr b, struct err *err)
{
	xmlNodePtr port;
	int rc;

	vs_xml_xsi_type(d->backing_type, sizeof(d->backing_type), b);
	if (d->backing_type[0] == '\0')
		return err_set(err, ERR_EPARSE, "backing without a type");
	rc = vs_vim__child_text(&d->file_name, b, "fileName", false, err);
	if (rc == 0)
		rc = vs_vim__child_moref(&d->datastore, &d->has_datastore, b,
		                         "datastore", err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->device_name, b, "deviceName", false,
		                        err);
	if (rc == 0)
		rc = vs_vim__child_moref(&d->network, &d->has_network, b,
		                         "network", err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->disk_mode, b, "diskMode", false,
		                        err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->disk_uuid, b, "uuid", false, err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->opaque_id, b, "opaqueNetworkId",
		                        false, err);
	if (rc < 0)
		return rc;
	port = vs_xml_child(b, "port");
	if (port == NULL)
		return 0;
	rc = vs_vim__child_text(&d->switch_uuid, port, "switchUuid", true, err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->portgroup_key, port, "portgroupKey",
		                        false, err);
	return rc;
}

static int
device_connectable(struct vs_device *d, xmlNodePtr c, struct err *err)
{
	int rc;

	d->has_connectable = true;
	rc = vs_vim__child_bool(&d->start_connected, NULL, c, "startConnected",
	                        err);
	if (rc == 0)
		rc = vs_vim__child_bool(&d->allow_guest_control, NULL, c,
		                        "allowGuestControl", err);
	if (rc == 0)
		rc = vs_vim__child_bool(&d->connected, NULL, c, "connected",
		                        err);
	return rc;
}

/* The device's controllerKey, unitNumber and busNumber, when present. */
static int
device_slot(struct vs_device *d, xmlNodePtr n, struct err *err)
{
	long long v;
	int rc;

	rc = vs_vim__child_long(&v, &d->has_controller_key, n, "controllerKey",
	                        INT32_MIN, INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->controller_key = (int)v;
	rc = vs_vim__child_long(&v, &d->has_unit_number, n, "unitNumber",
	                        INT32_MIN, INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->unit_number = (int)v;
	rc = vs_vim__child_long(&v, &d->has_bus_number, n, "busNumber", 0,
	                        INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->bus_number = (int)v;
	return 0;
}

/* A controller's sharedBus ("" when absent or too long). */
static int
device_shared_bus(struct vs_device *d, xmlNodePtr n, struct err *err)
{
	char *t = NULL;
	size_t len;

	if (vs_vim_opt_text(&t, n, "sharedBus") != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	len = t != NULL ? strlen(t) : 0;
	if (t != NULL && len < sizeof(d->shared_bus))
		memcpy(d->shared_bus, t, len + 1);
	xmlFree(t);
	return 0;
}

/* The device's deviceInfo, backing and connectable, when present. */
static int
device_parts(struct vs_device *d, xmlNodePtr n, struct err *err)
{
	xmlNodePtr k;
	int rc = 0;

	k = vs_xml_child(n, "deviceInfo");
	if (k != NULL)
		rc = vs_vim__child_text(&d->label, k, "label", false, err);
	k = vs_xml_child(n, "backing");
	if (rc == 0 && k != NULL)
		rc = device_backing(d, k, err);
	k = vs_xml_child(n, "connectable");
	if (rc == 0 && k != NULL)
		rc = device_connectable(d, k, err);
	return rc;
}

static int
device_from_node(struct vs_device *d, xmlNodePtr n, struct err *err)
{
	long long v;
	int rc;

	vs_xml_xsi_type(d->type, sizeof(d->type), n);
	if (d->type[0] == '\0')
		return err_set(err, ERR_EPARSE, "device without a type");
	d->kind = device_kind(d);
	rc = vs_vim__child_long(&v, NULL, n, "key", INT32_MIN, INT32_MAX, err);
	if (rc < 0)
		return rc;
	d->key = (int)v;
	rc = device_parts(d, n, err);
	if (rc == 0)
		rc = device_slot(d, n, err);
	if (rc == 0)
		rc = device_shared_bus(d, n, err);
	if (rc == 0)
		rc = vs_vim__child_long(&d->capacity_kb, &d->has_capacity, n,
		                        "capacityInKB", 0, LLONG_MAX, err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->mac_address, n, "macAddress", false,
		                        err);
	if (rc == 0)
		rc = vs_vim__child_text(&d->address_type, n, "addressType",
		                        false, err);
	return rc;
}

int
vs_devices_from_node(struct vs_devices **out, xmlNodePtr val,
                     struct err *err)
{
	struct vs_devices *d = NULL;
	size_t n = vs_xml_count_elems(val);
	xmlNodePtr k;
	int rc = 0;

	*out = NULL;
	if (n > MAX_LIST)
		return err_set(err, ERR_EPARSE, "device list too long");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (n > 0) {
		d->items = calloc(n, sizeof(*d->items));
		if (d->items == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (k = val->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)k->name, "VirtualDevice") != 0) {
			rc = err_set(err, ERR_EPARSE,
			             "unexpected <%s> in device list",
			             (const char *)k->name);
			goto cleanup;
		}
		rc = device_from_node(&d->items[d->n], k, err);
		d->n++;
		if (rc < 0) {
			err_prefix(err, "device %zu", d->n);
			goto cleanup;
		}
	}
	*out = d;
	d = NULL;
cleanup:
	vs_devices_free(d);
	return rc;
}

int
vs_object_get_devices(struct vs_devices **out, const struct vs_object *o,
                      const char *name, struct err *err)
{
	const struct vs_prop *p = vs_object_prop(o, name);
	xmlNodePtr n;
	int rc;

	*out = NULL;
	if (p != NULL && p->kind == VS_PROP_TEXT && p->text[0] == '\0') {
		/* an empty ArrayOfVirtualDevice */
		*out = calloc(1, sizeof(**out));
		if (*out == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		return 0;
	}
	rc = vs_object_get_node(&n, o, name, err);
	if (rc < 0)
		return rc;
	rc = vs_devices_from_node(out, n, err);
	if (rc < 0)
		err_prefix(err, "%s %s: %s", o->obj.type, o->obj.value,
		           name);
	return rc;
}

bool
vs_device_is_nic(const struct vs_device *d)
{
	static const char *const nics[] = {
		"VirtualE1000", "VirtualE1000e", "VirtualPCNet32",
		"VirtualVmxnet", "VirtualVmxnet2", "VirtualVmxnet3",
		"VirtualVmxnet3Vrdma", "VirtualSriovEthernetCard",
	};
	size_t i;

	for (i = 0; i < sizeof(nics) / sizeof(nics[0]); i++) {
		if (strcmp(d->type, nics[i]) == 0)
			return true;
	}
	return false;
}

const struct vs_device *
vs_devices_find_key(const struct vs_devices *d, int key)
{
	size_t i;

	for (i = 0; d != NULL && i < d->n; i++) {
		if (d->items[i].key == key)
			return &d->items[i];
	}
	return NULL;
}
