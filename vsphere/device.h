/*
 * vsphere/device.h: a VM's virtual devices as read from
 * config.hardware.device (vsphere/vim_device.c parses them): one owned,
 * xml-free struct for the whole CPI, the typed VIM layer (vim.h) and the
 * VM operations (vm.h) alike.
 */
#ifndef VS_DEVICE_H
#define VS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "vsphere/moref.h"

enum vs_vm_dev_kind {
	VS_VM_DEV_OTHER = 0,
	VS_VM_DEV_DISK,
	VS_VM_DEV_NIC,
	VS_VM_DEV_CDROM,
	VS_VM_DEV_CONTROLLER,   /* IDE, SCSI, SATA, NVMe, PCI, PS2, … */
};

struct vs_device {
	int key;
	int kind;                   /* enum vs_vm_dev_kind, from type */
	char type[64];              /* xsi:type, e.g. "VirtualVmxnet3" */
	char *label;                /* deviceInfo.label or NULL */
	bool has_controller_key;
	int controller_key;
	bool has_unit_number;
	int unit_number;
	bool has_bus_number;
	int bus_number;             /* controllers: busNumber */
	char backing_type[96];      /* backing xsi:type, "" without backing */
	char *file_name;            /* file backings */
	bool has_datastore;
	struct vs_moref datastore;
	char *device_name;          /* device and network backings */
	bool has_network;
	struct vs_moref network;
	char *switch_uuid;          /* DVS port backing: port.switchUuid */
	char *portgroup_key;        /* port.portgroupKey */
	char *opaque_id;            /* opaque network backing:
	                             * opaqueNetworkId */
	bool has_connectable;
	bool start_connected;
	bool allow_guest_control;
	bool connected;
	char *mac_address;          /* ethernet cards */
	char *address_type;
	bool has_capacity;
	long long capacity_kb;      /* disks */
	char *disk_mode;            /* disk backing diskMode */
	char *disk_uuid;            /* disk backing uuid */
	char shared_bus[32];        /* SCSI controllers: sharedBus; "" */
};

struct vs_devices {
	struct vs_device *items;
	size_t n;
};

void vs_devices_free(struct vs_devices *d);
/* The devices items[0..n-1] and the array itself (a vs_devices'
 * contents, or a copy of them taken over). */
void vs_device_array_free(struct vs_device *items, size_t n);
/* Ethernet card types (VirtualE1000, VirtualVmxnet3, …). */
bool vs_device_is_nic(const struct vs_device *d);
const struct vs_device *vs_devices_find_key(const struct vs_devices *d,
                                            int key);

#endif
