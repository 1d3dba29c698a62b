/*
 * vsphere/vm.c: reading a VM, its power, its virtual hardware version
 * and its destruction (see vm.h; folders are in folder.c, devices in
 * devices.c, custom fields in custom_field.c).
 *
 * Round trips are counted: a VM's state (properties, devices and
 * datastore names) is one RetrievePropertiesEx with a traversal, a task
 * one call plus the task wait (one read when the task has already
 * finished).  Faults that mean "already done" are told apart by type
 * and, where the type alone is ambiguous, confirmed with one read of the
 * VM's power state.
 */
#include "vsphere/vm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/files.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm_internal.h"

#define VM_MAX_PATHS 16          /* the VM read's property paths */

int
vs_vm__check_ref(const struct vs_moref *ref, const char *what,
                 struct err *err)
{
	if (ref == NULL || ref->type[0] == '\0' || ref->value[0] == '\0')
		return err_set(err, ERR_EINVAL, "%s: no reference", what);
	return 0;
}

void
vs_vm_info_free(struct vs_vm_info *info)
{
	size_t i;

	if (info == NULL)
		return;
	free(info->name);
	free(info->vm_path_name);
	for (i = 0; i < info->ndatastores; i++)
		free(info->datastores[i].name);
	free(info->datastores);
	vs_device_array_free(info->devices, info->ndevices);
	free(info);
}

const struct vs_device *
vs_vm_info_device(const struct vs_vm_info *info, int key)
{
	size_t i;

	if (info == NULL)
		return NULL;
	for (i = 0; i < info->ndevices; i++) {
		if (info->devices[i].key == key)
			return &info->devices[i];
	}
	return NULL;
}

static int
power_parse(int *out, const char *s, struct err *err)
{
	static const struct word states[] = {
		{ "poweredOff", VS_VM_POWERED_OFF },
		{ "poweredOn", VS_VM_POWERED_ON },
		{ "suspended", VS_VM_SUSPENDED },
	};

	return vs_parse_word(out, states, WORDS_N(states), s, "power state",
	                     err);
}

/* An optional property read into the local error e: absence
 * (ERR_ENOTFOUND) is success and leaves err untouched, any other failure is
 * passed on.  Reading straight into err would leave it filled on absence
 * and hide every later failure reported through it (the first wins). */
static int
get_optional(int rc, const struct err *e, struct err *err)
{
	if (rc == ERR_ENOTFOUND)
		return 0;
	if (rc != 0)
		err_keep_first(err, e);
	return rc;
}

static int
opt_str(char **out, const struct vs_object *o, const char *name,
        struct err *err)
{
	const char *s = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	*out = NULL;
	rc = get_optional(vs_object_get_str(&s, o, name, &e), &e, err);
	if (rc != 0 || s == NULL)
		return rc;
	*out = strdup(s);
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

static int
opt_moref(bool *has, struct vs_moref *out, const struct vs_object *o,
          const char *name, struct err *err)
{
	struct err e;
	int rc;

	*has = false;
	err_clear(&e);
	rc = vs_object_get_moref(out, o, name, &e);
	if (rc == 0)
		*has = true;
	return get_optional(rc, &e, err);
}

/* The VM's runtime.powerState, when it came back. */
static int
info_power(struct vs_vm_info *info, const struct vs_object *o,
           struct err *err)
{
	const char *s = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	rc = get_optional(vs_object_get_str(&s, o, "runtime.powerState", &e),
	                  &e, err);
	if (rc == 0 && s != NULL)
		rc = power_parse(&info->power, s, err);
	return rc;
}

/* The VM's datastores (their names are filled in afterwards). */
static int
info_datastores(struct vs_vm_info *info, const struct vs_object *o,
                struct err *err)
{
	const struct vs_moref *ds;
	struct err e;
	size_t i, nds = 0;
	int rc;

	err_clear(&e);
	rc = vs_object_get_morefs(&ds, &nds, o, "datastore", &e);
	if (rc == ERR_ENOTFOUND)
		nds = 0;
	rc = get_optional(rc, &e, err);
	if (rc != 0 || nds == 0)
		return rc;
	info->datastores = calloc(nds, sizeof(*info->datastores));
	if (info->datastores == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < nds; i++)
		info->datastores[i].ref = ds[i];
	info->ndatastores = nds;
	return 0;
}

static int
info_devices(struct vs_vm_info *info, const struct vs_object *o,
             struct err *err)
{
	struct vs_devices *devs = NULL;
	struct err e;
	int rc;

	err_clear(&e);
	rc = get_optional(vs_object_get_devices(&devs, o,
	                  "config.hardware.device", &e), &e, err);
	if (rc == 0 && devs != NULL) {
		info->devices = devs->items;
		info->ndevices = devs->n;
		devs->items = NULL;
		devs->n = 0;
	}
	vs_devices_free(devs);
	return rc;
}

/* The VM object of a reply into info (datastore names are filled in
 * afterwards). */
static int
info_from_object(struct vs_vm_info *info, const struct vs_object *o,
                 struct err *err)
{
	int rc;

	rc = opt_str(&info->name, o, "name", err);
	if (rc == 0)
		rc = info_power(info, o, err);
	if (rc == 0)
		rc = opt_str(&info->vm_path_name, o, "config.files.vmPathName",
		             err);
	if (rc == 0)
		rc = opt_moref(&info->has_host, &info->host, o, "runtime.host",
		               err);
	if (rc == 0)
		rc = opt_moref(&info->has_resource_pool, &info->resource_pool,
		               o, "resourcePool", err);
	if (rc == 0)
		rc = opt_moref(&info->has_parent, &info->parent, o, "parent",
		               err);
	if (rc == 0)
		rc = info_datastores(info, o, err);
	if (rc == 0)
		rc = info_devices(info, o, err);
	return rc;
}

/* The datacenter and the cluster, when the read asked for them. */
static void
info_containers(struct vs_vm_info *info, const struct vs_objects *list)
{
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct vs_moref *r = &list->items[i].obj;

		if (strcmp(r->type, "Datacenter") == 0) {
			info->has_datacenter = true;
			info->datacenter = *r;
		} else if (strcmp(r->type, "ClusterComputeResource") == 0) {
			info->has_cluster = true;
			info->cluster = *r;
		}
	}
}

/* The names of info's datastores, from the objects of the same reply. */
static int
info_datastore_names(struct vs_vm_info *info, const struct vs_objects *list,
                     struct err *err)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; rc == 0 && i < info->ndatastores; i++) {
		for (j = 0; j < list->n; j++) {
			if (!vs_moref_eq(&list->items[j].obj,
			                     &info->datastores[i].ref))
				continue;
			rc = opt_str(&info->datastores[i].name,
			             &list->items[j], "name", err);
			break;
		}
	}
	return rc;
}

/* A failed VM read: a VM that is gone is ERR_ENOTFOUND (fault kept). */
static int
read_failed(int rc, const struct vs_moref *vm, struct err *e,
            struct err *err)
{
	if (strcmp(e->fault, "ManagedObjectNotFound") == 0) {
		rc = err_set(err, ERR_ENOTFOUND, "VM %s: not found",
		             vm->value);
		if (err != NULL)
			memcpy(err->fault, e->fault, sizeof(err->fault));
	}
	err_keep_first(err, e);
	return rc;
}

/* The traversals of the VM read: its datastores; up its folders to
 * the datacenter; its resource pool's owner. */
static const struct vs_selection_spec folder_up_ref = { .name = "folderUp" };
static const struct vs_selection_spec folder_up = {
	.name = "folderUp", .type = "Folder", .path = "parent",
	.skip = false, .select = &folder_up_ref, .nselect = 1,
};
static const struct vs_selection_spec pool_owner = {
	.type = "ResourcePool", .path = "owner", .skip = false,
};
static const struct vs_selection_spec vm_selects[] = {
	{ .name = "vmToDatastore", .type = "VirtualMachine",
	  .path = "datastore", .skip = false },
	{ .type = "VirtualMachine", .path = "parent", .skip = true,
	  .select = &folder_up, .nselect = 1 },
	{ .type = "VirtualMachine", .path = "resourcePool", .skip = true,
	  .select = &pool_owner, .nselect = 1 },
};

/* The VM's property paths: the base ones and more->paths into paths. */
static int
vm_paths(const char **paths, const struct vs_vm_read_more *more,
         struct err *err)
{
	static const char *const base[] = {
		"name", "runtime.powerState", "config.files.vmPathName",
		"config.hardware.device", "datastore", "runtime.host",
		"resourcePool", "parent",
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		paths[n++] = base[i];
	for (i = 0; more != NULL && more->paths != NULL &&
	     more->paths[i] != NULL; i++) {
		if (n == VM_MAX_PATHS)
			return err_set(err, ERR_EINVAL, "VM read: too many "
			               "properties");
		paths[n++] = more->paths[i];
	}
	paths[n] = NULL;
	return 0;
}

/* ONE RetrievePropertiesEx: the VM's properties and, through
 * traversals, its datastores' names (and, as more asks, its datacenter
 * and its cluster's configurationEx); *vmo is the VM's object in *list. */
static int
read_vm(struct vs_objects **list, const struct vs_object **vmo,
        struct vs_client *c, const struct vs_moref *vm,
        const struct vs_vm_read_more *more, struct err *err)
{
	static const char *const ds_paths[] = { "name", NULL };
	static const char *const cl_paths[] = { "configurationEx", NULL };
	const char *paths[VM_MAX_PATHS + 1];
	struct vs_property_spec ps[4] = {
		{ .type = "VirtualMachine", .paths = paths },
		{ .type = "Datastore", .paths = ds_paths },
	};
	struct vs_object_spec os = { .obj = *vm, .skip = false,
	                             .select = vm_selects, .nselect = 1 };
	struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = 2, .objects = &os,
		          .nobjects = 1 },
	};
	struct err e = {0};
	size_t i;
	int rc;

	*vmo = NULL;
	rc = vm_paths(paths, more, err);
	if (rc != 0)
		return rc;
	if (more != NULL && more->datacenter) {
		ps[q.spec.nprops++] = (struct vs_property_spec){
			.type = "Datacenter", .paths = ds_paths };
		os.nselect = 2;
	}
	if (more != NULL && more->cluster) {
		ps[q.spec.nprops++] = (struct vs_property_spec){
			.type = "ClusterComputeResource", .paths = cl_paths };
		os.nselect = 3;
	}
	rc = vs_pc_retrieve(list, c, &q, &e);
	if (rc != 0)
		return read_failed(rc, vm, &e, err);
	for (i = 0; i < (*list)->n; i++) {
		if (vs_moref_eq(&(*list)->items[i].obj, vm))
			*vmo = &(*list)->items[i];
	}
	if (*vmo == NULL)
		return err_set(err, ERR_ENOTFOUND, "VM %s: not found",
		               vm->value);
	return 0;
}

int
vs_vm_info(struct vs_vm_info **out, struct vs_client *c,
           const struct vs_moref *vm, struct err *err)
{
	return vs_vm_info_read(out, NULL, NULL, c, vm, NULL, err);
}

int
vs_vm_info_read(struct vs_vm_info **out, struct vs_objects **list_out,
                const struct vs_object **vmo_out, struct vs_client *c,
                const struct vs_moref *vm,
                const struct vs_vm_read_more *more, struct err *err)
{
	struct vs_objects *list = NULL;
	struct vs_vm_info *info = NULL;
	const struct vs_object *vmo = NULL;
	int rc;

	*out = NULL;
	if (list_out != NULL)
		*list_out = NULL;
	if (vmo_out != NULL)
		*vmo_out = NULL;
	rc = vs_vm__check_ref(vm, "VM info", err);
	if (rc != 0)
		return rc;
	rc = read_vm(&list, &vmo, c, vm, more, err);
	if (rc != 0)
		goto cleanup;
	info = calloc(1, sizeof(*info));
	if (info == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	info->vm = *vm;
	rc = info_from_object(info, vmo, err);
	if (rc == 0)
		rc = info_datastore_names(info, list, err);
	if (rc == 0)
		info_containers(info, list);
	if (rc != 0) {
		err_prefix(err, "VM %s", vm->value);
		goto cleanup;
	}
	*out = info;
	info = NULL;
	if (list_out != NULL) {
		*list_out = list;
		list = NULL;
		if (vmo_out != NULL)
			*vmo_out = vmo;
	}
cleanup:
	vs_vm_info_free(info);
	vs_objects_free(list);
	return rc;
}

bool
vs_vm_disk_is_persistent(const char *file_name, const char *vm_path_name)
{
	struct vs_ds_path disk = { 0 }, vmx = { 0 };
	struct err e;
	const char *slash;
	size_t dirlen;
	bool persistent = true;

	err_clear(&e);
	if (file_name == NULL || vm_path_name == NULL)
		return true;
	if (vs_ds_path_parse(&disk, file_name, &e) != 0 ||
	    vs_ds_path_parse(&vmx, vm_path_name, &e) != 0)
		goto cleanup;
	slash = strrchr(vmx.path, '/');
	if (slash == NULL)
		goto cleanup;   /* a VM at a datastore's root: cannot tell */
	dirlen = (size_t)(slash - vmx.path) + 1;    /* "dir/" */
	if (strncmp(disk.path, vmx.path, dirlen) == 0)
		persistent = false;
cleanup:
	vs_ds_path_clear(&disk);
	vs_ds_path_clear(&vmx);
	return persistent;
}

/* method(_this = vm) returning a Task, waited for.  A vanished VM
 * (ManagedObjectNotFound) gives ERR_ENOTFOUND. */
static int
vm_task(struct vs_client *c, const struct vs_moref *vm, const char *method,
        struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct err e;
	int rc;

	err_clear(&e);
	rc = vs_vm__check_ref(vm, method, err);
	if (rc != 0)
		return rc;
	rc = vs_soap_request_new(&req, &m, method, vm, err);
	if (rc != 0)
		return rc;
	rc = vs_task_call(NULL, c, req, VS_VM_TASK_TIMEOUT_S, &e);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			e.code = ERR_ENOTFOUND;
		if (e.code != 0)
			rc = e.code;
		err_prefix(&e, "%s %s", method, vm->value);
		err_keep_first(err, &e);
	}
	return rc;
}

int
vs_vm_power_state(int *out, struct vs_client *c, const struct vs_moref *vm,
                  struct err *err)
{
	static const char *const paths[] = { "runtime.powerState", NULL };
	struct vs_object *o = NULL;
	const char *s;
	int rc;

	*out = VS_VM_POWER_UNKNOWN;
	rc = vs_get_props(&o, c, vm, paths, err);
	if (rc == 0)
		rc = vs_object_get_str(&s, o, "runtime.powerState", err);
	if (rc == 0)
		rc = power_parse(out, s, err);
	vs_object_free(o);
	return rc;
}

/* Runs a power task; InvalidPowerState is success when the VM turns out
 * to be in state `want` already. */
static int
power_task(struct vs_client *c, const struct vs_moref *vm,
           const char *method, int want, struct err *err)
{
	struct err e, e2;
	int rc, state;

	err_clear(&e);
	rc = vm_task(c, vm, method, &e);
	if (rc != 0 && strcmp(e.fault, "InvalidPowerState") == 0) {
		err_clear(&e2);
		if (vs_vm_power_state(&state, c, vm, &e2) == 0 &&
		    state == want) {
			vs_client_logf(c, 0, "%s %s: already in that state",
			               method, vm->value);
			return 0;
		}
	}
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}

int
vs_vm_power_off(struct vs_client *c, const struct vs_moref *vm,
                struct err *err)
{
	return power_task(c, vm, "PowerOffVM_Task", VS_VM_POWERED_OFF, err);
}

int
vs_vm_power_on(struct vs_client *c, const struct vs_moref *vm,
               struct err *err)
{
	return power_task(c, vm, "PowerOnVM_Task", VS_VM_POWERED_ON, err);
}

int
vs_vm_reset(struct vs_client *c, const struct vs_moref *vm,
            struct err *err)
{
	return vm_task(c, vm, "ResetVM_Task", err);
}

static bool
reboot_falls_back(const char *fault)
{
	static const char *const faults[] = {
		"MethodNotFound", "ToolsUnavailable", "InvalidState",
		"InvalidPowerState", "NotSupported", "NotImplemented",
	};
	size_t i;

	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		if (strcmp(fault, faults[i]) == 0)
			return true;
	}
	return false;
}

int
vs_vm_reboot_guest(bool *fallback_out, struct vs_client *c,
                   const struct vs_moref *vm, struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct err e;
	int rc;

	if (fallback_out != NULL)
		*fallback_out = false;
	err_clear(&e);
	rc = vs_vm__check_ref(vm, "RebootGuest", err);
	if (rc != 0)
		return rc;
	rc = vs_soap_request_new(&req, &m, "RebootGuest", vm, err);
	if (rc != 0)
		return rc;
	rc = vs_client_call(c, req, &resp, &r, &e);
	xmlFreeDoc(resp);
	if (rc == 0)
		return 0;
	if (strcmp(e.fault, "ManagedObjectNotFound") == 0) {
		e.code = ERR_ENOTFOUND;
		err_prefix(&e, "RebootGuest %s", vm->value);
		err_keep_first(err, &e);
		return ERR_ENOTFOUND;
	}
	if (rc != ERR_EFAULT || !reboot_falls_back(e.fault)) {
		err_prefix(&e, "RebootGuest %s", vm->value);
		err_keep_first(err, &e);
		return rc;
	}
	vs_client_logf(c, 1, "RebootGuest %s: %s, resetting instead",
	               vm->value, e.fault);
	if (fallback_out != NULL)
		*fallback_out = true;
	err_clear(&e);
	rc = vm_task(c, vm, "ResetVM_Task", &e);
	if (rc != 0 && strcmp(e.fault, "InvalidPowerState") == 0) {
		/* the VM is off (or suspended): start it */
		vs_client_logf(c, 1, "ResetVM_Task %s: not running, powering "
		               "on", vm->value);
		err_clear(&e);
		rc = vs_vm_power_on(c, vm, &e);
	}
	if (rc != 0)
		err_keep_first(err, &e);
	return rc;
}

/* "vmx-" and 1 to 3 digits. */
static bool
hw_version_valid(const char *v)
{
	size_t i, n;

	if (strncmp(v, "vmx-", 4) != 0)
		return false;
	n = strlen(v + 4);
	if (n == 0 || n > 3)
		return false;
	for (i = 0; i < n; i++) {
		if (v[4 + i] < '0' || v[4 + i] > '9')
			return false;
	}
	return true;
}

int
vs_vm_upgrade_hw(struct vs_client *c, const struct vs_moref *vm,
                 const char *version, struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct err e;
	int rc;

	err_clear(&e);
	rc = vs_vm__check_ref(vm, "UpgradeVM_Task", err);
	if (rc != 0)
		return rc;
	if (version != NULL && !hw_version_valid(version))
		return err_set(err, ERR_EINVAL, "UpgradeVM_Task: version "
		               "must be vmx-N");
	rc = vs_soap_request_new(&req, &m, "UpgradeVM_Task", vm, err);
	if (rc != 0)
		return rc;
	if (version != NULL && vs_soap_add_text(m, "version", version) ==
	    NULL) {
		xmlFreeDoc(req);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	rc = vs_task_call(NULL, c, req, VS_VM_TASK_TIMEOUT_S, &e);
	if (rc != 0 && strcmp(e.fault, "AlreadyUpgraded") == 0) {
		vs_client_logf(c, 0, "UpgradeVM_Task %s: already at %s",
		               vm->value, version != NULL ? version :
		               "the newest version");
		return 0;
	}
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = ERR_ENOTFOUND;
		err_prefix(&e, "UpgradeVM_Task %s", vm->value);
		err_keep_first(err, &e);
	}
	return rc;
}

int
vs_vm_destroy(struct vs_client *c, const struct vs_moref *vm,
              struct err *err)
{
	return vm_task(c, vm, "Destroy_Task", err);
}
