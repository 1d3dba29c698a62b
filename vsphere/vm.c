/*
 * vsphere/vm.c: VM and VM folder operations (stub bodies for now).
 */
#include <stdlib.h>

#include "vsphere/vm.h"

int
vs_folder_rel_path(char **out, const char *folder, const char *sub_folder, struct vs_error *err)
{
	(void)out;
	(void)folder;
	(void)sub_folder;
	return vs_error_set(err, VS_ERR, "vs_folder_rel_path: not implemented yet");
}

int
vs_vm_path(char **out, const char *dc, const char *folder_rel, const char *name, struct vs_error *err)
{
	(void)out;
	(void)dc;
	(void)folder_rel;
	(void)name;
	return vs_error_set(err, VS_ERR, "vs_vm_path: not implemented yet");
}

int
vs_vm_find(struct vs_moref *out, struct vs_client *c, const char *inventory_path, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)inventory_path;
	return vs_error_set(err, VS_ERR, "vs_vm_find: not implemented yet");
}

int
vs_folder_find(struct vs_moref *out, struct vs_client *c, const char *inventory_path, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)inventory_path;
	return vs_error_set(err, VS_ERR, "vs_folder_find: not implemented yet");
}

int
vs_folder_ensure(struct vs_moref *out, struct vs_client *c, const char *dc, const char *folder_rel, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)dc;
	(void)folder_rel;
	return vs_error_set(err, VS_ERR, "vs_folder_ensure: not implemented yet");
}

void
vs_vm_info_free(struct vs_vm_info *info)
{
	(void)info;
}

int
vs_vm_info(struct vs_vm_info **out, struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_info: not implemented yet");
}

const struct vs_vm_device *
vs_vm_info_device(const struct vs_vm_info *info, int key)
{
	(void)info;
	(void)key;
	return NULL;
}

bool
vs_vm_disk_is_persistent(const char *file_name, const char *vm_path_name)
{
	(void)file_name;
	(void)vm_path_name;
	return true;
}

int
vs_vm_power_off(struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_power_off: not implemented yet");
}

int
vs_vm_power_on(struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_power_on: not implemented yet");
}

int
vs_vm_reset(struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_reset: not implemented yet");
}

int
vs_vm_reboot_guest(bool *fallback_out, struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)fallback_out;
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_reboot_guest: not implemented yet");
}

int
vs_vm_destroy(struct vs_client *c, const struct vs_moref *vm, struct vs_error *err)
{
	(void)c;
	(void)vm;
	return vs_error_set(err, VS_ERR, "vs_vm_destroy: not implemented yet");
}

int
vs_vm_reconfigure(struct vs_client *c, const struct vs_moref *vm, const struct vs_vm_config *spec, struct vs_error *err)
{
	(void)c;
	(void)vm;
	(void)spec;
	return vs_error_set(err, VS_ERR, "vs_vm_reconfigure: not implemented yet");
}

void
vs_vm_names_free(struct vs_vm_names *names)
{
	(void)names;
}

int
vs_vm_detach_disks(struct vs_vm_names **out, struct vs_client *c, const struct vs_moref *vm, int filter, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)vm;
	(void)filter;
	return vs_error_set(err, VS_ERR, "vs_vm_detach_disks: not implemented yet");
}

int
vs_vm_detach_disks_info(struct vs_vm_names **out, struct vs_client *c, const struct vs_vm_info *info, int filter, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)info;
	(void)filter;
	return vs_error_set(err, VS_ERR, "vs_vm_detach_disks_info: not implemented yet");
}

int
vs_vm_set_custom_field(struct vs_client *c, const struct vs_moref *vm, const char *name, const char *value, struct vs_error *err)
{
	(void)c;
	(void)vm;
	(void)name;
	(void)value;
	return vs_error_set(err, VS_ERR, "vs_vm_set_custom_field: not implemented yet");
}

int
vs_vm_get_custom_field(char **out, struct vs_client *c, const struct vs_moref *vm, const char *name, struct vs_error *err)
{
	(void)out;
	(void)c;
	(void)vm;
	(void)name;
	return vs_error_set(err, VS_ERR, "vs_vm_get_custom_field: not implemented yet");
}
