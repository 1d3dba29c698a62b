/*
 * vsphere/devices.h: device changes built from a VM's devices
 * (vsphere/devices.c), shared by the operations that detach disks.
 */
#ifndef VSPHERE_DEVICES_H
#define VSPHERE_DEVICES_H

#include "vsphere/vm.h"

/* *ch (cleared first) becomes the removal of disk d from its VM, its
 * file left where it is, sent as d's own xsi:type (the default
 * VirtualDisk when d has none); ch borrows d's strings. */
void vs_vm_disk_remove_change(struct vs_vm_device_change *ch,
                              const struct vs_device *d);

#endif
