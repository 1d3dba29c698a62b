/*
 * vsphere/vm.c: VM and VM folder operations.
 *
 * Round trips are counted: a lookup is one FindByInventoryPath, a VM's
 * state (properties, devices and datastore names) one RetrievePropertiesEx
 * with a traversal, a task one call plus the task wait (one read when the
 * task has already finished).  Faults that mean "already done" are told
 * apart by type and, where the type alone is ambiguous, confirmed with
 * one read of the VM's power state.
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

#define MAX_NAME 1024           /* one inventory path component */
#define MAX_PATH 4096           /* a whole inventory path */

/* --- small helpers ------------------------------------------------- */

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int
check_ref(const struct vs_moref *ref, const char *what,
          struct vs_error *err)
{
	if (ref == NULL || ref->type[0] == '\0' || ref->value[0] == '\0')
		return vs_error_set(err, VS_EINVAL, "%s: no reference", what);
	return 0;
}

/* One inventory path component: non-empty text, no '/', no '%' (the
 * escape character of inventory paths), no control characters. */
static int
check_component(const char *s, const char *what, struct vs_error *err)
{
	size_t len;

	len = s != NULL ? strnlen(s, MAX_NAME + 1) : 0;
	if (len == 0)
		return vs_error_set(err, VS_EINVAL, "%s: empty name", what);
	if (len > MAX_NAME)
		return vs_error_set(err, VS_EINVAL, "%s: name too long", what);
	if (!vs_utf8_valid(s, len, false))
		return vs_error_set(err, VS_EINVAL, "%s: name is not valid "
		                    "text", what);
	if (strchr(s, '/') != NULL || strchr(s, '%') != NULL)
		return vs_error_set(err, VS_EINVAL, "%s: name may not hold "
		                    "'/' or '%%'", what);
	return 0;
}

/* A '/' separated path of components (no leading, trailing or double
 * '/'). */
static int
check_rel_path(const char *s, const char *what, struct vs_error *err)
{
	char buf[MAX_PATH + 1];
	char *p, *slash;
	size_t len;
	int rc;

	len = s != NULL ? strnlen(s, MAX_PATH + 1) : 0;
	if (len == 0)
		return vs_error_set(err, VS_EINVAL, "%s: empty path", what);
	if (len > MAX_PATH)
		return vs_error_set(err, VS_EINVAL, "%s: path too long", what);
	memcpy(buf, s, len + 1);
	p = buf;
	for (;;) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		rc = check_component(p, what, err);
		if (rc != 0 || slash == NULL)
			return rc;
		p = slash + 1;
	}
}

static int
join(char **out, const char *a, const char *b, const char *c,
     struct vs_error *err)
{
	size_t la = strlen(a), lb = b != NULL ? strlen(b) : 0;
	size_t lc = c != NULL ? strlen(c) : 0;
	char *s;

	*out = NULL;
	if (la + lb + lc + 3 > MAX_PATH)
		return vs_error_set(err, VS_EINVAL, "inventory path too long");
	s = malloc(la + lb + lc + 3);
	if (s == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	memcpy(s, a, la);
	if (b != NULL) {
		s[la] = '/';
		memcpy(s + la + 1, b, lb);
		la += lb + 1;
	}
	if (c != NULL) {
		s[la] = '/';
		memcpy(s + la + 1, c, lc);
		la += lc + 1;
	}
	s[la] = '\0';
	*out = s;
	return 0;
}

/* --- paths --------------------------------------------------------- */

int
vs_folder_rel_path(char **out, const char *folder, const char *sub_folder,
                   struct vs_error *err)
{
	int rc;

	*out = NULL;
	rc = check_rel_path(folder, "folder", err);
	if (rc == 0 && sub_folder != NULL)
		rc = check_component(sub_folder, "sub folder", err);
	if (rc == 0)
		rc = join(out, folder, sub_folder, NULL, err);
	return rc;
}

int
vs_vm_path(char **out, const char *dc, const char *folder_rel,
           const char *name, struct vs_error *err)
{
	char *base = NULL;
	int rc;

	*out = NULL;
	rc = check_component(dc, "datacenter", err);
	if (rc == 0 && folder_rel != NULL && folder_rel[0] != '\0')
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = check_component(name, "VM name", err);
	if (rc == 0)
		rc = join(&base, dc, "vm", NULL, err);
	if (rc == 0)
		rc = join(out, base, folder_rel != NULL &&
		          folder_rel[0] != '\0' ? folder_rel : NULL, name, err);
	free(base);
	return rc;
}

int
vs_folder_path(char **out, const char *dc, const char *folder_rel,
               struct vs_error *err)
{
	bool rel = folder_rel != NULL && folder_rel[0] != '\0';
	int rc;

	*out = NULL;
	rc = check_component(dc, "datacenter", err);
	if (rc == 0 && rel)
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = join(out, dc, "vm", rel ? folder_rel : NULL, err);
	return rc;
}

/* --- lookups ------------------------------------------------------- */

int
vs_folder_find(struct vs_moref *out, struct vs_client *c,
               const char *inventory_path, struct vs_error *err)
{
	return vs_find_by_inventory_path(out, c, inventory_path, err);
}

int
vs_vm_find(struct vs_moref *out, struct vs_client *c,
           const char *inventory_path, struct vs_error *err)
{
	int rc;

	rc = vs_find_by_inventory_path(out, c, inventory_path, err);
	if (rc == 0 && strcmp(out->type, "VirtualMachine") != 0) {
		rc = vs_error_set(err, VS_ENOTFOUND, "%s: a %s, not a VM",
		                  inventory_path, out->type);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int
vs_vm_find_by_name(struct vs_moref *out, size_t *nfound,
                   struct vs_client *c, const struct vs_moref *container,
                   const char *name, struct vs_error *err)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *list = NULL;
	struct vs_error local = {0};
	const char *n;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	*nfound = 0;
	rc = vs_pc_list(&list, c, container, "VirtualMachine", paths, err);
	for (i = 0; rc == 0 && i < list->n; i++) {
		if (vs_object_get_str(&n, &list->items[i], "name",
		                      &local) != 0 || strcmp(n, name) != 0)
			continue;
		if ((*nfound)++ == 0)
			*out = list->items[i].obj;
	}
	if (rc == 0 && *nfound == 0)
		rc = vs_error_set(err, VS_ENOTFOUND, "no VM named '%s'", name);
	vs_objects_free(list);
	return rc;
}

/* Folder.CreateFolder(name) under parent. */
static int
create_folder(struct vs_moref *out, struct vs_client *c,
              const struct vs_moref *parent, const char *name,
              struct vs_error *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	int rc;

	rc = vs_soap_request_new(&req, &m, "CreateFolder", parent, err);
	if (rc < 0)
		goto cleanup;
	vs_soap_add_text(m, "name", name);
	rc = vs_client_call(c, req, &resp, &r, err);
	req = NULL;
	if (rc < 0)
		goto cleanup;
	rc = vs_xml_moref(out, vs_xml_child(r, "returnval"), err);
cleanup:
	xmlFreeDoc(req);
	xmlFreeDoc(resp);
	return rc;
}

static int
expect_folder(const struct vs_moref *ref, const char *path,
              struct vs_error *err)
{
	if (strcmp(ref->type, "Folder") != 0)
		return vs_error_set(err, VS_EINVAL, "%s is a %s, not a folder",
		                    path, ref->type);
	return 0;
}

int
vs_folder_ensure(struct vs_moref *out, struct vs_client *c, const char *dc,
                 const char *folder_rel, struct vs_error *err)
{
	struct vs_moref parent, child;
	struct vs_error e;
	char *full = NULL, *path = NULL, *rel = NULL, *p, *slash;
	int rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	rc = check_component(dc, "datacenter", err);
	if (rc == 0)
		rc = check_rel_path(folder_rel, "folder", err);
	if (rc == 0)
		rc = join(&full, dc, "vm", folder_rel, err);
	if (rc != 0)
		goto cleanup;
	/* The common case: the folder is there (one round trip). */
	rc = vs_find_by_inventory_path(&child, c, full, &e);
	if (rc == 0) {
		rc = expect_folder(&child, full, err);
		if (rc == 0)
			*out = child;
		goto cleanup;
	}
	if (rc != VS_ENOTFOUND) {
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	rc = join(&path, dc, "vm", NULL, err);
	if (rc == 0)
		rc = vs_find_by_inventory_path(&parent, c, path, err);
	if (rc != 0)
		goto cleanup;
	rel = strdup(folder_rel);
	if (rel == NULL) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (p = rel; p != NULL; p = slash != NULL ? slash + 1 : NULL) {
		char *next = NULL;

		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		rc = join(&next, path, p, NULL, err);
		if (rc != 0)
			goto cleanup;
		free(path);
		path = next;
		vs_error_clear(&e);
		rc = vs_find_by_inventory_path(&child, c, path, &e);
		if (rc == VS_ENOTFOUND) {
			vs_error_clear(&e);
			rc = create_folder(&child, c, &parent, p, &e);
			if (rc != 0 && strcmp(e.fault, "DuplicateName") == 0) {
				/* created by a racing process meanwhile */
				vs_client_logf(c, 0, "CreateFolder %s: "
				               "DuplicateName, looking up "
				               "again", path);
				vs_error_clear(&e);
				rc = vs_find_by_inventory_path(&child, c, path,
				                               &e);
			}
		}
		if (rc != 0) {
			vs_error_keep_first(err, &e);
			vs_error_prefix(err, "folder %s", path);
			goto cleanup;
		}
		rc = expect_folder(&child, path, err);
		if (rc != 0)
			goto cleanup;
		parent = child;
	}
	*out = parent;
cleanup:
	free(full);
	free(path);
	free(rel);
	return rc;
}

/* --- reading ------------------------------------------------------- */

static void
device_clear(struct vs_vm_device *d)
{
	free(d->label);
	free(d->file_name);
	free(d->disk_mode);
	free(d->disk_uuid);
	free(d->mac_address);
	free(d->network_name);
	free(d->switch_uuid);
	free(d->portgroup_key);
	free(d->opaque_id);
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
	for (i = 0; i < info->ndevices; i++)
		device_clear(&info->devices[i]);
	free(info->devices);
	free(info);
}

const struct vs_vm_device *
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
device_copy(struct vs_vm_device *out, const struct vs_device *d,
            struct vs_error *err)
{
	bool nic;

	memset(out, 0, sizeof(*out));
	out->key = d->key;
	out->kind = device_kind(d);
	nic = out->kind == VS_VM_DEV_NIC;
	snprintf(out->type, sizeof(out->type), "%s", d->type);
	out->has_controller_key = d->has_controller_key;
	out->controller_key = d->controller_key;
	out->has_unit_number = d->has_unit_number;
	out->unit_number = d->unit_number;
	out->has_bus_number = d->has_bus_number;
	out->bus_number = d->bus_number;
	out->has_datastore = d->has_datastore;
	out->datastore = d->datastore;
	out->capacity_kb = d->has_capacity ? d->capacity_kb : 0;
	memcpy(out->shared_bus, d->shared_bus, sizeof(out->shared_bus));
	out->has_network = nic && d->has_network;
	if (out->has_network)
		out->network = d->network;
	out->label = dup_or_null(d->label);
	out->file_name = dup_or_null(d->file_name);
	out->disk_mode = dup_or_null(d->disk_mode);
	out->disk_uuid = dup_or_null(d->disk_uuid);
	out->mac_address = dup_or_null(d->mac_address);
	out->network_name = nic ? dup_or_null(d->device_name) : NULL;
	out->switch_uuid = dup_or_null(d->switch_uuid);
	out->portgroup_key = dup_or_null(d->portgroup_key);
	out->opaque_id = nic ? dup_or_null(d->opaque_id) : NULL;
	if ((d->label != NULL && out->label == NULL) ||
	    (d->file_name != NULL && out->file_name == NULL) ||
	    (d->disk_mode != NULL && out->disk_mode == NULL) ||
	    (d->disk_uuid != NULL && out->disk_uuid == NULL) ||
	    (d->mac_address != NULL && out->mac_address == NULL) ||
	    (nic && d->device_name != NULL && out->network_name == NULL) ||
	    (d->switch_uuid != NULL && out->switch_uuid == NULL) ||
	    (d->portgroup_key != NULL && out->portgroup_key == NULL) ||
	    (nic && d->opaque_id != NULL && out->opaque_id == NULL))
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	return 0;
}

static int
power_parse(int *out, const char *s, struct vs_error *err)
{
	if (strcmp(s, "poweredOff") == 0)
		*out = VS_VM_POWERED_OFF;
	else if (strcmp(s, "poweredOn") == 0)
		*out = VS_VM_POWERED_ON;
	else if (strcmp(s, "suspended") == 0)
		*out = VS_VM_SUSPENDED;
	else
		return vs_error_set(err, VS_EPARSE, "unknown power state");
	return 0;
}

/* An optional property read into the local error e: absence
 * (VS_ENOTFOUND) is success and leaves err untouched, any other failure is
 * passed on.  Reading straight into err would leave it filled on absence
 * and hide every later failure reported through it (the first wins). */
static int
get_optional(int rc, const struct vs_error *e, struct vs_error *err)
{
	if (rc == VS_ENOTFOUND)
		return 0;
	if (rc != 0)
		vs_error_keep_first(err, e);
	return rc;
}

static int
opt_str(char **out, const struct vs_object *o, const char *name,
        struct vs_error *err)
{
	const char *s = NULL;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	*out = NULL;
	rc = get_optional(vs_object_get_str(&s, o, name, &e), &e, err);
	if (rc != 0 || s == NULL)
		return rc;
	*out = strdup(s);
	if (*out == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	return 0;
}

static int
opt_moref(bool *has, struct vs_moref *out, const struct vs_object *o,
          const char *name, struct vs_error *err)
{
	struct vs_error e;
	int rc;

	*has = false;
	vs_error_clear(&e);
	rc = vs_object_get_moref(out, o, name, &e);
	if (rc == 0)
		*has = true;
	return get_optional(rc, &e, err);
}

/* The VM object of a reply into info (datastore names are filled in
 * afterwards). */
static int
info_from_object(struct vs_vm_info *info, const struct vs_object *o,
                 struct vs_error *err)
{
	struct vs_devices *devs = NULL;
	const struct vs_moref *ds;
	const char *s;
	struct vs_error e;
	size_t i, nds = 0;
	int rc;

	vs_error_clear(&e);
	rc = opt_str(&info->name, o, "name", err);
	if (rc == 0) {
		s = NULL;
		rc = get_optional(vs_object_get_str(&s, o,
		                                    "runtime.powerState", &e),
		                  &e, err);
		if (rc == 0 && s != NULL)
			rc = power_parse(&info->power, s, err);
	}
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
	if (rc == 0) {
		vs_error_clear(&e);
		rc = vs_object_get_morefs(&ds, &nds, o, "datastore", &e);
		if (rc == VS_ENOTFOUND)
			nds = 0;
		rc = get_optional(rc, &e, err);
	}
	if (rc == 0 && nds > 0) {
		info->datastores = calloc(nds, sizeof(*info->datastores));
		if (info->datastores == NULL)
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		for (i = 0; rc == 0 && i < nds; i++)
			info->datastores[i].ref = ds[i];
		if (rc == 0)
			info->ndatastores = nds;
	}
	if (rc == 0) {
		vs_error_clear(&e);
		rc = get_optional(vs_object_get_devices(&devs, o,
		                  "config.hardware.device", &e), &e, err);
	}
	if (rc == 0 && devs != NULL && devs->n > 0) {
		info->devices = calloc(devs->n, sizeof(*info->devices));
		if (info->devices == NULL)
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		for (i = 0; rc == 0 && i < devs->n; i++) {
			rc = device_copy(&info->devices[i], &devs->items[i],
			                 err);
			info->ndevices = i + 1;
		}
	}
	vs_devices_free(devs);
	return rc;
}

static bool
same_ref(const struct vs_moref *a, const struct vs_moref *b)
{
	return strcmp(a->type, b->type) == 0 &&
	       strcmp(a->value, b->value) == 0;
}

int
vs_vm_info(struct vs_vm_info **out, struct vs_client *c,
           const struct vs_moref *vm, struct vs_error *err)
{
	static const char *const vm_paths[] = {
		"name", "runtime.powerState", "config.files.vmPathName",
		"config.hardware.device", "datastore", "runtime.host",
		"resourcePool", "parent", NULL,
	};
	static const char *const ds_paths[] = { "name", NULL };
	const struct vs_selection_spec to_ds = {
		.name = "vmToDatastore", .type = "VirtualMachine",
		.path = "datastore", .skip = false,
	};
	const struct vs_property_spec ps[2] = {
		{ .type = "VirtualMachine", .paths = vm_paths },
		{ .type = "Datastore", .paths = ds_paths },
	};
	struct vs_object_spec os = { .skip = false, .select = &to_ds,
	                             .nselect = 1 };
	struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = 2, .objects = &os,
		          .nobjects = 1 },
	};
	struct vs_objects *list = NULL;
	struct vs_vm_info *info = NULL;
	const struct vs_object *vmo = NULL;
	struct vs_error e;
	size_t i, j;
	int rc;

	*out = NULL;
	vs_error_clear(&e);
	rc = check_ref(vm, "VM info", err);
	if (rc != 0)
		return rc;
	os.obj = *vm;
	rc = vs_pc_retrieve(&list, c, &q, &e);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0) {
			rc = vs_error_set(err, VS_ENOTFOUND, "VM %s: not found",
			                  vm->value);
			if (err != NULL)
				memcpy(err->fault, e.fault, sizeof(err->fault));
		}
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		if (same_ref(&list->items[i].obj, vm))
			vmo = &list->items[i];
	}
	if (vmo == NULL) {
		rc = vs_error_set(err, VS_ENOTFOUND, "VM %s: not found",
		                  vm->value);
		goto cleanup;
	}
	info = calloc(1, sizeof(*info));
	if (info == NULL) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	info->vm = *vm;
	rc = info_from_object(info, vmo, err);
	for (i = 0; rc == 0 && i < info->ndatastores; i++) {
		for (j = 0; j < list->n; j++) {
			if (!same_ref(&list->items[j].obj,
			              &info->datastores[i].ref))
				continue;
			rc = opt_str(&info->datastores[i].name,
			             &list->items[j], "name", err);
			break;
		}
	}
	if (rc != 0) {
		vs_error_prefix(err, "VM %s", vm->value);
		goto cleanup;
	}
	*out = info;
	info = NULL;
cleanup:
	vs_vm_info_free(info);
	vs_objects_free(list);
	return rc;
}

bool
vs_vm_disk_is_persistent(const char *file_name, const char *vm_path_name)
{
	struct vs_ds_path disk = { 0 }, vmx = { 0 };
	struct vs_error e;
	const char *slash;
	size_t dirlen;
	bool persistent = true;

	vs_error_clear(&e);
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

/* --- tasks and power ----------------------------------------------- */

/* method(_this = vm) returning a Task, waited for.  A vanished VM
 * (ManagedObjectNotFound) gives VS_ENOTFOUND. */
static int
vm_task(struct vs_client *c, const struct vs_moref *vm, const char *method,
        struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	rc = check_ref(vm, method, err);
	if (rc != 0)
		return rc;
	rc = vs_soap_request_new(&req, &m, method, vm, err);
	if (rc != 0)
		return rc;
	rc = vs_task_call(NULL, c, req, VS_VM_TASK_TIMEOUT_S, &e);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			e.code = VS_ENOTFOUND;
		if (e.code != 0)
			rc = e.code;
		vs_error_prefix(&e, "%s %s", method, vm->value);
		vs_error_keep_first(err, &e);
	}
	return rc;
}

int
vs_vm_power_state(int *out, struct vs_client *c, const struct vs_moref *vm,
                  struct vs_error *err)
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
           const char *method, int want, struct vs_error *err)
{
	struct vs_error e, e2;
	int rc, state;

	vs_error_clear(&e);
	rc = vm_task(c, vm, method, &e);
	if (rc != 0 && strcmp(e.fault, "InvalidPowerState") == 0) {
		vs_error_clear(&e2);
		if (vs_vm_power_state(&state, c, vm, &e2) == 0 && state == want) {
			vs_client_logf(c, 0, "%s %s: already in that state",
			               method, vm->value);
			return 0;
		}
	}
	if (rc != 0)
		vs_error_keep_first(err, &e);
	return rc;
}

int
vs_vm_power_off(struct vs_client *c, const struct vs_moref *vm,
                struct vs_error *err)
{
	return power_task(c, vm, "PowerOffVM_Task", VS_VM_POWERED_OFF, err);
}

int
vs_vm_power_on(struct vs_client *c, const struct vs_moref *vm,
               struct vs_error *err)
{
	return power_task(c, vm, "PowerOnVM_Task", VS_VM_POWERED_ON, err);
}

int
vs_vm_reset(struct vs_client *c, const struct vs_moref *vm,
            struct vs_error *err)
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
                   const struct vs_moref *vm, struct vs_error *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct vs_error e;
	int rc;

	if (fallback_out != NULL)
		*fallback_out = false;
	vs_error_clear(&e);
	rc = check_ref(vm, "RebootGuest", err);
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
		e.code = VS_ENOTFOUND;
		vs_error_prefix(&e, "RebootGuest %s", vm->value);
		vs_error_keep_first(err, &e);
		return VS_ENOTFOUND;
	}
	if (rc != VS_EFAULT || !reboot_falls_back(e.fault)) {
		vs_error_prefix(&e, "RebootGuest %s", vm->value);
		vs_error_keep_first(err, &e);
		return rc;
	}
	vs_client_logf(c, 1, "RebootGuest %s: %s, resetting instead",
	               vm->value, e.fault);
	if (fallback_out != NULL)
		*fallback_out = true;
	vs_error_clear(&e);
	rc = vm_task(c, vm, "ResetVM_Task", &e);
	if (rc != 0 && strcmp(e.fault, "InvalidPowerState") == 0) {
		/* the VM is off (or suspended): start it */
		vs_client_logf(c, 1, "ResetVM_Task %s: not running, powering "
		               "on", vm->value);
		vs_error_clear(&e);
		rc = vs_vm_power_on(c, vm, &e);
	}
	if (rc != 0)
		vs_error_keep_first(err, &e);
	return rc;
}

/* --- virtual hardware --------------------------------------------- */

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
                 const char *version, struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	rc = check_ref(vm, "UpgradeVM_Task", err);
	if (rc != 0)
		return rc;
	if (version != NULL && !hw_version_valid(version))
		return vs_error_set(err, VS_EINVAL, "UpgradeVM_Task: version "
		                    "must be vmx-N");
	rc = vs_soap_request_new(&req, &m, "UpgradeVM_Task", vm, err);
	if (rc != 0)
		return rc;
	if (version != NULL && vs_soap_add_text(m, "version", version) ==
	    NULL) {
		xmlFreeDoc(req);
		return vs_error_set(err, VS_ENOMEM, "out of memory");
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
			rc = e.code = VS_ENOTFOUND;
		vs_error_prefix(&e, "UpgradeVM_Task %s", vm->value);
		vs_error_keep_first(err, &e);
	}
	return rc;
}

/* --- changes ------------------------------------------------------- */

int
vs_vm_destroy(struct vs_client *c, const struct vs_moref *vm,
              struct vs_error *err)
{
	return vm_task(c, vm, "Destroy_Task", err);
}

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

/* One xml-free change into the vim.h spec (pointers borrowed). */
static int
map_change(struct vs_device_change *out, struct vs_device_spec *d,
           struct vs_connect_spec *conn,
           const struct vs_vm_device_change *in, size_t i,
           struct vs_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(d, 0, sizeof(*d));
	memset(conn, 0, sizeof(*conn));
	switch (in->operation) {
	case VS_VM_OP_ADD:
		out->operation = VS_OP_ADD;
		break;
	case VS_VM_OP_REMOVE:
		out->operation = VS_OP_REMOVE;
		break;
	case VS_VM_OP_EDIT:
		out->operation = VS_OP_EDIT;
		break;
	default:
		return vs_error_set(err, VS_EINVAL, "device change %zu: bad "
		                    "operation", i);
	}
	switch (in->file_operation) {
	case VS_VM_FILEOP_NONE:
		out->file_operation = VS_FILEOP_NONE;
		break;
	case VS_VM_FILEOP_CREATE:
		out->file_operation = VS_FILEOP_CREATE;
		break;
	case VS_VM_FILEOP_DESTROY:
		out->file_operation = VS_FILEOP_DESTROY;
		break;
	default:
		return vs_error_set(err, VS_EINVAL, "device change %zu: bad "
		                    "file operation", i);
	}
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
		if (in->file_name == NULL)
			return vs_error_set(err, VS_EINVAL, "device change "
			                    "%zu: disk without a file", i);
		d->type = VS_DEV_DISK;
		d->backing = VS_BACKING_DISK_FLAT;
		d->file_name = in->file_name;
		d->datastore = in->datastore;
		d->disk_mode = in->disk_mode != NULL ? in->disk_mode :
		               "persistent";
		d->thin = map_tristate(in->thin);
		d->eager_scrub = map_tristate(in->eager_scrub);
		d->capacity_kb = in->capacity_kb;
		break;
	case VS_VM_DEV_NIC:
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
		/* the addition of a SCSI controller, or the edit of one
		 * (with deviceInfo: an edit without crashes the simulator's
		 * handler); the serializer refuses any other type */
		if ((in->operation == VS_VM_OP_ADD ? in->key >= 0 :
		     in->operation != VS_VM_OP_EDIT || in->key < 0 ||
		     in->label == NULL) ||
		    in->type_name == NULL || in->bus_number < 0 ||
		    in->bus_number > 3 ||
		    in->file_operation != VS_VM_FILEOP_NONE)
			return vs_error_set(err, VS_EINVAL, "device change "
			                    "%zu: only the addition of a SCSI "
			                    "controller (new key, bus 0-3) or "
			                    "the edit of one (its key, "
			                    "deviceInfo) is supported", i);
		d->type = VS_DEV_SCSI_CONTROLLER;
		d->bus_number = in->bus_number;
		d->shared_bus = in->shared_bus != NULL ? in->shared_bus :
		                "noSharing";
		d->child_keys = in->child_keys;
		d->nchild_keys = in->nchild_keys;
		break;
	default:
		return vs_error_set(err, VS_EINVAL, "device change %zu: "
		                    "unsupported device kind %d", i, in->kind);
	}
	out->device = d;
	return 0;
}

int
vs_vm_reconfigure(struct vs_client *c, const struct vs_moref *vm,
                  const struct vs_vm_config *spec, struct vs_error *err)
{
	struct vs_device_change *changes = NULL;
	struct vs_device_spec *devs = NULL;
	struct vs_connect_spec *conns = NULL;
	struct vs_option *extra = NULL;
	struct vs_config_spec cs;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	size_t i;
	int rc;

	vs_error_clear(&e);
	rc = check_ref(vm, "ReconfigVM_Task", err);
	if (rc != 0)
		return rc;
	if (spec == NULL || (spec->nchanges > 0 && spec->changes == NULL) ||
	    (spec->nextra > 0 && spec->extra == NULL))
		return vs_error_set(err, VS_EINVAL, "ReconfigVM_Task: bad "
		                    "spec");
	memset(&cs, 0, sizeof(cs));
	cs.name = spec->name;
	cs.num_cpus = spec->num_cpus;
	cs.memory_mb = spec->memory_mb;
	if (spec->nchanges > 0) {
		changes = calloc(spec->nchanges, sizeof(*changes));
		devs = calloc(spec->nchanges, sizeof(*devs));
		conns = calloc(spec->nchanges, sizeof(*conns));
		if (changes == NULL || devs == NULL || conns == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (i = 0; i < spec->nchanges; i++) {
		rc = map_change(&changes[i], &devs[i], &conns[i],
		                &spec->changes[i], i, err);
		if (rc != 0)
			goto cleanup;
	}
	cs.changes = changes;
	cs.nchanges = spec->nchanges;
	if (spec->nextra > 0) {
		extra = calloc(spec->nextra, sizeof(*extra));
		if (extra == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (i = 0; i < spec->nextra; i++) {
		extra[i].key = spec->extra[i].key;
		extra[i].value = spec->extra[i].value;
	}
	cs.extra = extra;
	cs.nextra = spec->nextra;
	cs.memory_hot_add = map_tristate(spec->memory_hot_add);
	cs.cpu_hot_add = map_tristate(spec->cpu_hot_add);
	cs.memory_reservation_locked =
		map_tristate(spec->memory_reservation_locked);
	cs.nested_hv = map_tristate(spec->nested_hv);
	cs.has_cpu_reservation = spec->has_cpu_reservation;
	cs.cpu_reservation_mhz = spec->cpu_reservation_mhz;
	rc = vs_soap_request_new(&req, &m, "ReconfigVM_Task", vm, err);
	if (rc == 0)
		rc = vs_add_config_spec(m, "spec", &cs, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_task_call(NULL, c, req, VS_VM_TASK_TIMEOUT_S, &e);
	req = NULL;
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = VS_ENOTFOUND;
		vs_error_prefix(&e, "ReconfigVM_Task %s", vm->value);
		vs_error_keep_first(err, &e);
	}
cleanup:
	xmlFreeDoc(req);
	free(changes);
	free(devs);
	free(conns);
	free(extra);
	return rc;
}

void
vs_vm_names_free(struct vs_vm_names *names)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < names->n; i++)
		free(names->items[i]);
	free(names->items);
	free(names);
}

static bool
disk_selected(const struct vs_vm_device *d, const struct vs_vm_info *info,
              int filter)
{
	if (d->kind != VS_VM_DEV_DISK)
		return false;
	if (filter == VS_VM_DISKS_ALL)
		return true;
	return vs_vm_disk_is_persistent(d->file_name, info->vm_path_name);
}

int
vs_vm_detach_disks_info(struct vs_vm_names **out, struct vs_client *c,
                        const struct vs_vm_info *info, int filter,
                        struct vs_error *err)
{
	struct vs_vm_device_change *changes = NULL;
	struct vs_vm_names *names = NULL;
	struct vs_vm_config spec;
	size_t i, n = 0;
	int rc = 0;

	if (out != NULL)
		*out = NULL;
	if (info == NULL || (filter != VS_VM_DISKS_PERSISTENT &&
	                     filter != VS_VM_DISKS_ALL))
		return vs_error_set(err, VS_EINVAL, "detach disks: bad "
		                    "arguments");
	names = calloc(1, sizeof(*names));
	if (names == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	if (info->ndevices > 0) {
		changes = calloc(info->ndevices, sizeof(*changes));
		names->items = calloc(info->ndevices, sizeof(char *));
		if (changes == NULL || names->items == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (i = 0; i < info->ndevices; i++) {
		const struct vs_vm_device *d = &info->devices[i];
		struct vs_vm_device_change *ch = &changes[n];

		if (!disk_selected(d, info, filter))
			continue;
		if (d->file_name == NULL) {
			rc = vs_error_set(err, VS_EPARSE, "VM %s: disk %d has "
			                  "no file", info->vm.value, d->key);
			goto cleanup;
		}
		ch->operation = VS_VM_OP_REMOVE;
		ch->file_operation = VS_VM_FILEOP_NONE;   /* files stay */
		ch->kind = VS_VM_DEV_DISK;
		ch->key = d->key;
		ch->controller_key = d->has_controller_key ?
		                     d->controller_key : 0;
		ch->has_unit_number = d->has_unit_number;
		ch->unit_number = d->unit_number;
		ch->file_name = d->file_name;
		ch->datastore = d->has_datastore ? &d->datastore : NULL;
		ch->disk_mode = d->disk_mode;
		ch->capacity_kb = d->capacity_kb;
		names->items[n] = strdup(d->file_name);
		if (names->items[n] == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
		names->n = ++n;
	}
	if (n > 0) {
		memset(&spec, 0, sizeof(spec));
		spec.changes = changes;
		spec.nchanges = n;
		rc = vs_vm_reconfigure(c, &info->vm, &spec, err);
		if (rc != 0) {
			vs_error_prefix(err, "detaching %zu disk(s)", n);
			goto cleanup;
		}
	}
	if (out != NULL) {
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
                   struct vs_error *err)
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

/* --- custom fields ------------------------------------------------- */

struct field_def {
	long long key;
	char *name;
	char mo_type[64];       /* "" when the field is global */
};

struct field_defs {
	struct field_def *items;
	size_t n;
};

static void
field_defs_clear(struct field_defs *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->items[i].name);
	free(f->items);
	memset(f, 0, sizeof(*f));
}

/* An ArrayOfCustomFieldDef value (prop may be NULL: no fields). */
static int
field_defs_from_prop(struct field_defs *out, const struct vs_prop *p,
                     struct vs_error *err)
{
	xmlNodePtr n;
	size_t cap = 0, count = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (p == NULL || p->kind == VS_PROP_MISSING)
		return 0;
	if (p->kind == VS_PROP_TEXT && (p->text == NULL ||
	                                p->text[0] == '\0'))
		return 0;
	if (p->kind != VS_PROP_NODE)
		return vs_error_set(err, VS_EPARSE, "custom field "
		                    "definitions: unexpected value");
	for (n = vs_xml_child(p->node, "CustomFieldDef"); n != NULL;
	     n = vs_xml_next(n, "CustomFieldDef"))
		cap++;
	if (cap == 0)
		return 0;
	out->items = calloc(cap, sizeof(*out->items));
	if (out->items == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	for (n = vs_xml_child(p->node, "CustomFieldDef"); n != NULL;
	     n = vs_xml_next(n, "CustomFieldDef")) {
		struct field_def *f = &out->items[count];
		char buf[32];
		char *name;

		rc = vs_xml_child_copy(buf, sizeof(buf), n, "key");
		if (rc == 0)
			rc = vs_parse_long(&f->key, buf, -2147483648LL,
			                   2147483647LL, err);
		else
			rc = vs_error_set(err, VS_EPARSE, "custom field "
			                  "definition without a key");
		if (rc != 0)
			goto fail;
		name = vs_xml_child_text(n, "name");
		if (name == NULL) {
			rc = vs_error_set(err, VS_EPARSE, "custom field "
			                  "definition without a name");
			goto fail;
		}
		f->name = strdup(name);
		xmlFree(name);
		if (f->name == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto fail;
		}
		if (vs_xml_child_copy(f->mo_type, sizeof(f->mo_type), n,
		                      "managedObjectType") != 0)
			f->mo_type[0] = '\0';
		out->n = ++count;
	}
	return 0;
fail:
	field_defs_clear(out);
	return rc;
}

static int
read_field_defs(struct field_defs *out, struct vs_client *c,
                struct vs_error *err)
{
	static const char *const paths[] = { "field", NULL };
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_object *o = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = check_ref(&sc->custom_fields_manager, "CustomFieldsManager",
	               err);
	if (rc == 0)
		rc = vs_get_props(&o, c, &sc->custom_fields_manager, paths,
		                  err);
	if (rc == 0)
		rc = field_defs_from_prop(out, vs_object_prop(o, "field"),
		                          err);
	vs_object_free(o);
	return rc;
}

/* A field usable on VMs: named name, for VirtualMachine or global. */
static const struct field_def *
field_find(const struct field_defs *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (strcmp(f->items[i].name, name) == 0 &&
		    (f->items[i].mo_type[0] == '\0' ||
		     strcmp(f->items[i].mo_type, "VirtualMachine") == 0))
			return &f->items[i];
	}
	return NULL;
}

static int
add_field_def(struct vs_client *c, const char *name, struct vs_error *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	int rc;

	rc = vs_soap_request_new(&req, &m, "AddCustomFieldDef",
	                         &sc->custom_fields_manager, err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "name", name);
	vs_soap_add_text(m, "moType", "VirtualMachine");
	rc = vs_client_call(c, req, &resp, &r, err);
	xmlFreeDoc(resp);
	return rc;
}

/* Remembers a field just defined (its key is not needed: setCustomValue
 * names the field). */
static int
field_defs_add(struct field_defs *defs, const char *name,
               struct vs_error *err)
{
	struct field_def *grown;

	grown = realloc(defs->items, (defs->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	defs->items = grown;
	memset(&grown[defs->n], 0, sizeof(grown[defs->n]));
	grown[defs->n].key = -1;
	grown[defs->n].name = strdup(name);
	if (grown[defs->n].name == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	snprintf(grown[defs->n].mo_type, sizeof(grown[defs->n].mo_type),
	         "VirtualMachine");
	defs->n++;
	return 0;
}

/* Makes sure field name exists (defs is re-read after a race). */
static int
ensure_field(struct field_defs *defs, struct vs_client *c, const char *name,
             struct vs_error *err)
{
	struct field_defs fresh;
	struct vs_error e;
	int rc;

	if (field_find(defs, name) != NULL)
		return 0;
	vs_error_clear(&e);
	rc = add_field_def(c, name, &e);
	if (rc == 0) {
		vs_client_logf(c, 0, "custom field %s defined", name);
		return field_defs_add(defs, name, err);
	}
	if (strcmp(e.fault, "DuplicateName") != 0) {
		vs_error_prefix(&e, "AddCustomFieldDef %s", name);
		vs_error_keep_first(err, &e);
		return rc;
	}
	/* defined by a racing process meanwhile, or defined for another
	 * managed object type */
	rc = read_field_defs(&fresh, c, err);
	if (rc != 0)
		return rc;
	field_defs_clear(defs);
	*defs = fresh;
	if (field_find(defs, name) == NULL)
		return vs_error_set(err, VS_EFAULT, "custom field %s exists "
		                    "but not for VMs", name);
	return 0;
}

static int
set_custom_value(struct vs_client *c, const struct vs_moref *vm,
                 const char *name, const char *value, struct vs_error *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	/* the wire name is lower-case; its key is the field's name */
	rc = vs_soap_request_new(&req, &m, "setCustomValue", vm, err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "key", name);
	vs_soap_add_text(m, "value", value);
	rc = vs_client_call(c, req, &resp, &r, &e);
	xmlFreeDoc(resp);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = VS_ENOTFOUND;
		vs_error_prefix(&e, "setCustomValue %s on %s", name,
		                vm->value);
		vs_error_keep_first(err, &e);
	}
	return rc;
}

int
vs_vm_set_custom_fields(struct vs_client *c, const struct vs_moref *vm,
                        const char *const *names,
                        const char *const *values, size_t n,
                        struct vs_error *err)
{
	struct field_defs defs = { 0 };
	size_t i;
	int rc;

	rc = check_ref(vm, "set custom fields", err);
	if (rc != 0)
		return rc;
	if (n > 0 && (names == NULL || values == NULL))
		return vs_error_set(err, VS_EINVAL, "set custom fields: bad "
		                    "arguments");
	for (i = 0; i < n; i++) {
		if (names[i] == NULL || names[i][0] == '\0' ||
		    values[i] == NULL)
			return vs_error_set(err, VS_EINVAL, "custom field %zu: "
			                    "empty name or no value", i);
	}
	if (n == 0)
		return 0;
	rc = read_field_defs(&defs, c, err);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = ensure_field(&defs, c, names[i], err);
		if (rc == 0)
			rc = set_custom_value(c, vm, names[i], values[i], err);
	}
	field_defs_clear(&defs);
	return rc;
}

int
vs_vm_set_custom_field(struct vs_client *c, const struct vs_moref *vm,
                       const char *name, const char *value,
                       struct vs_error *err)
{
	return vs_vm_set_custom_fields(c, vm, &name, &value, 1, err);
}

int
vs_vm_get_custom_field(char **out, struct vs_client *c,
                       const struct vs_moref *vm, const char *name,
                       struct vs_error *err)
{
	static const char *const cfm_paths[] = { "field", NULL };
	static const char *const vm_paths[] = { "customValue", NULL };
	const struct vs_service_content *sc = vs_client_sc(c);
	struct vs_property_spec ps[2] = {
		{ .type = "CustomFieldsManager", .paths = cfm_paths },
		{ .type = "VirtualMachine", .paths = vm_paths },
	};
	struct vs_object_spec os[2];
	struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = 2, .objects = os,
		          .nobjects = 2 },
	};
	struct vs_objects *list = NULL;
	struct field_defs defs = { 0 };
	const struct field_def *f;
	const struct vs_object *vmo = NULL, *cfm = NULL;
	const struct vs_prop *p;
	xmlNodePtr n;
	struct vs_error e;
	char *found = NULL;
	size_t i;
	int rc;

	*out = NULL;
	vs_error_clear(&e);
	rc = check_ref(vm, "get custom field", err);
	if (rc == 0)
		rc = check_ref(&sc->custom_fields_manager,
		               "CustomFieldsManager", err);
	if (rc != 0)
		return rc;
	memset(os, 0, sizeof(os));
	os[0].obj = sc->custom_fields_manager;
	os[1].obj = *vm;
	rc = vs_pc_retrieve(&list, c, &q, &e);
	if (rc != 0) {
		if (strcmp(e.fault, "ManagedObjectNotFound") == 0)
			rc = e.code = VS_ENOTFOUND;
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		if (same_ref(&list->items[i].obj, vm))
			vmo = &list->items[i];
		else if (same_ref(&list->items[i].obj,
		                  &sc->custom_fields_manager))
			cfm = &list->items[i];
	}
	if (vmo == NULL) {
		rc = vs_error_set(err, VS_ENOTFOUND, "VM %s: not found",
		                  vm->value);
		goto cleanup;
	}
	rc = field_defs_from_prop(&defs, cfm != NULL ?
	                          vs_object_prop(cfm, "field") : NULL, err);
	if (rc != 0)
		goto cleanup;
	f = field_find(&defs, name);
	if (f == NULL) {
		rc = vs_error_set(err, VS_ENOTFOUND, "custom field %s: not "
		                  "defined", name);
		goto cleanup;
	}
	p = vs_object_prop(vmo, "customValue");
	if (p != NULL && p->kind == VS_PROP_NODE) {
		for (n = vs_xml_child(p->node, "CustomFieldValue"); n != NULL;
		     n = vs_xml_next(n, "CustomFieldValue")) {
			char buf[32];
			long long key;
			struct vs_error ignore;
			char *v;

			vs_error_clear(&ignore);
			if (vs_xml_child_copy(buf, sizeof(buf), n,
			                      "key") != 0 ||
			    vs_parse_long(&key, buf, -2147483648LL,
			                  2147483647LL, &ignore) != 0 ||
			    key != f->key)
				continue;
			v = vs_xml_child_text(n, "value");
			free(found);
			found = strdup(v != NULL ? v : "");
			xmlFree(v);
			if (found == NULL) {
				rc = vs_error_set(err, VS_ENOMEM,
				                  "out of memory");
				goto cleanup;
			}
		}
	}
	if (found == NULL) {
		rc = vs_error_set(err, VS_ENOTFOUND, "VM %s: custom field %s "
		                  "not set", vm->value, name);
		goto cleanup;
	}
	*out = found;
	found = NULL;
cleanup:
	free(found);
	field_defs_clear(&defs);
	vs_objects_free(list);
	return rc;
}
