/*
 * vsphere/devop.h: what a device change does to the device and to its
 * file (VirtualDeviceConfigSpecOperation, …FileOperation), one enum for
 * the wire (vim.h's vs_device_change) and the VM layer (vm.h's
 * vs_vm_device_change).
 */
#ifndef VSPHERE_DEVOP_H
#define VSPHERE_DEVOP_H

enum vs_dev_op {
	VS_OP_ADD = 1,
	VS_OP_REMOVE,
	VS_OP_EDIT,
};

enum vs_file_op {
	VS_FILEOP_NONE = 0,
	VS_FILEOP_CREATE,
	VS_FILEOP_DESTROY,
};

#endif
