/*
 * cpi/methods_disk.c: create_disk, delete_disk, has_disk, get_disks,
 * resize_disk, set_disk_metadata; attach_disk and detach_disk are in
 * methods_disk_attach.c, the steps they share in disk_job.c (finding
 * the disk and the VM) and disk_env.c (hints and agent settings).
 *
 * Disks are "[ds] <disk_path>/disk-<uuid>.vmdk" (vsphere/disk.h).  A
 * disk is found by asking vCenter on the datacenter's datastores, the
 * persistent_datastore_pattern ones first: one QueryVirtualDiskUuid per
 * datastore tried, after one read of the datastores (Datacenter.datastore).
 *
 * Safety.  Only delete_disk deletes a disk file, and only after one
 * read through the datacenter's VM folders (recursively: a VM an
 * operator moved out of vm_folder too) found no VM with the disk
 * attached: that costs 1 round trip and reads every VM's device list
 * (O(VMs x devices) bytes).  vCenter itself also refuses to delete a
 * disk that is in use (the file is locked).
 *
 * Storage vMotion.  attach_disk records the disk on the VM (extraConfig
 * bosh.persistent_disk.<cid>, in the same reconfigure); detach_disk finds
 * it by file name or by that record and moves a file that Storage
 * vMotion moved into the VM's directory back to disk_path/<cid>.vmdk, so
 * has_disk, attach_disk and delete_disk find it where they look first
 * (vsphere/disk.h "Per-VM disk records").
 *
 * Agent settings.  attach_disk and detach_disk rewrite disks.persistent
 * of the settings the VM already has (guestinfo.userdata, decoded): the
 * new settings go into the same ReconfigVM_Task as the device change,
 * then env.iso is rebuilt and uploaded over the file the CD-ROM points
 * at (the CD-ROM itself is not touched).  When the VM has no readable
 * settings (not made by this CPI, or a replayed fixture, where the value
 * is redacted) the disk is still attached or detached and a warning is
 * logged: the v2 hint reaches the agent through the Director anyway.
 * The settings hold credentials: never logged, wiped before free.
 *
 * set_disk_metadata is a documented no-op: vCenter has no place for
 * metadata on a bare virtual disk file (custom fields exist on managed
 * entities only), and the Director ignores the method's absence anyway.
 */
#include "cpi/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "cpi/disk_job.h"
#include "cpi/storage_list.h"
#include "cpi/vcenter.h"
#include "cpi/vm_cid.h"
#include "vsphere/disk.h"
#include "vsphere/vm.h"

#define MAX_DISK_MB (62LL * 1024 * 1024)
#define MAX_DATASTORES 64

static int
disk_type(int *out, const json_t *cp, const struct cpi_call *call)
{
	const json_t *t = cp != NULL ? json_object_get(cp, "type") : NULL;
	const json_t *sp = cp != NULL ? json_object_get(cp, "storage_policy") :
	                   NULL;
	const char *s;

	*out = VS_DISK_PREALLOCATED;
	/* what the Ruby CPI honours and this CPI does not yet: refused */
	if (sp != NULL && !json_is_null(sp) &&
	    !(json_is_object(sp) && json_object_size(sp) == 0))
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_disk: cloud_properties."
		                   "storage_policy: not supported by this "
		                   "CPI (storage policies); remove it");
	switch (call->config->vcenter.default_disk_type) {
	case CPI_DISK_THIN:
		*out = VS_DISK_THIN;
		break;
	case CPI_DISK_EAGER_ZEROED_THICK:
		*out = VS_DISK_EAGER_ZEROED_THICK;
		break;
	default:
		*out = VS_DISK_PREALLOCATED;
		break;
	}
	if (t == NULL || json_is_null(t))
		return 0;
	s = json_string_value(t);
	if (s != NULL && strcmp(s, "thin") == 0)
		*out = VS_DISK_THIN;
	else if (s != NULL && strcmp(s, "preallocated") == 0)
		*out = VS_DISK_PREALLOCATED;
	else if (s != NULL && strcmp(s, "eagerZeroedThick") == 0)
		*out = VS_DISK_EAGER_ZEROED_THICK;
	else
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_disk: cloud_properties.type must "
		                   "be thin, preallocated or "
		                   "eagerZeroedThick");
	return 0;
}

/* Where create_disk may put the disk (cloud_properties.datastores,
 * borrowed from the request): datastore names and datastore clusters. */
struct disk_where {
	const char *names[MAX_DATASTORES];
	size_t nnames;
	const char *pods[MAX_DATASTORES];
	struct vs_pod_want want;        /* the datastore clusters asked for */
};

/* cloud_properties.datastores: names and {"clusters": [...]} entries
 * (cpi/storage_list.h). */
static int
ds_names(struct disk_where *w, const json_t *cp, const struct cpi_call *call)
{
	const json_t *a = cp != NULL ? json_object_get(cp, "datastores") :
	                  NULL;
	const char **names = w->names;
	char where[64];
	size_t i;
	int rc;

	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > MAX_DATASTORES)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_disk: cloud_properties.datastores "
		                   "must be an array of at most %d names",
		                   MAX_DATASTORES);
	for (i = 0; i < json_array_size(a); i++) {
		const json_t *e = json_array_get(a, i);

		if (cpi_storage_is_clusters(e)) {
			snprintf(where, sizeof(where), "create_disk: "
			         "cloud_properties.datastores[%zu]", i);
			rc = cpi_storage_clusters(w->pods, &w->want.nnames,
			                          MAX_DATASTORES, e, where,
			                          call->err);
			if (rc < 0)
				return rc;
			continue;
		}
		names[w->nnames] = json_string_value(e);
		if (names[w->nnames] == NULL || names[w->nnames][0] == '\0')
			return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
			                   "create_disk: cloud_properties."
			                   "datastores[%zu] must be a "
			                   "non-empty string", i);
		w->nnames++;
	}
	return 0;
}

/* The datastore clusters w asks for: those named, or without names,
 * the config's persistent_datastore_cluster_pattern. */
static void
disk_pods(struct disk_where *w, const struct cpi_datacenter *dc)
{
	w->want.names = w->pods;
	if (w->nnames == 0 && w->want.nnames == 0)
		w->want.pattern = dc->persistent_datastore_cluster_pattern;
}

/* create_disk's arguments checked: the disk type and the datastores
 * named, vm_cid, and somewhere to put the disk. */
static int
create_args(int *type, struct disk_where *w, long long size,
            const json_t *cp, const char *vm_cid, struct cpi_call *call)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	const char *pattern = dc->persistent_datastore_pattern;
	int rc;

	if (size <= 0 || size > MAX_DISK_MB)
		return cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_disk: size must be 1 to %lld MB",
		                   MAX_DISK_MB);
	rc = disk_type(type, cp, call);
	if (rc == 0)
		rc = ds_names(w, cp, call);
	if (rc == 0 && vm_cid != NULL)
		rc = cpi_vm_cid_check(vm_cid, call->method, call->err);
	disk_pods(w, dc);
	if (rc == 0 && w->nnames == 0 && !vs_pod_want_any(&w->want) &&
	    (pattern == NULL || pattern[0] == '\0'))
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "create_disk: no persistent_datastore_"
		                 "pattern is configured and "
		                 "cloud_properties names no datastores");
	return rc;
}

/* VM vm_cid into j->near, to place the disk near it (what its host
 * reaches is read with the datastores); a VM not found is only a
 * warning. */
static int
near_vm(struct cpi_disk_job *j, const char *vm_cid)
{
	int rc;

	rc = cpi_disk_find_vm(j, vm_cid);
	if (rc == 0) {
		j->near = j->vm;
		j->has_near = true;
	}
	if (rc != 0 && j->call->err->type == CPI_ERROR_VM_NOT_FOUND) {
		cpi_log_warn(j->call->log, "create_disk: VM %s not found; "
		             "placing the disk without it", vm_cid);
		err_clear(j->call->err);
		rc = 0;
	}
	return rc;
}

int
cpi_method_create_disk(json_t **result, struct cpi_call *call)
{
	long long size = cpi_arg_integer(call, 0);
	const json_t *cp = cpi_arg_object(call, 1);
	const char *vm_cid = cpi_arg_string(call, 2);
	struct disk_where w = {0};
	const struct vs_disk_ds *ds = NULL;
	struct err verr = {0};
	struct cpi_disk_job j = { .call = call, .pods = &w.want };
	char cid[64];
	int type = VS_DISK_PREALLOCATED, rc;

	*result = NULL;
	rc = create_args(&type, &w, size, cp, vm_cid, call);
	if (rc == 0 && uuid_id(cid, sizeof(cid), "disk") != 0)
		rc = cpi_err_set(call->err, CPI_ERROR_CPI, true, "create_disk: "
		                 "no random bytes for the disk id");
	if (rc == 0)
		rc = cpi_disk_open_dc(&j);
	if (rc == 0 && vm_cid != NULL)
		rc = near_vm(&j, vm_cid);
	if (rc == 0)
		rc = cpi_disk_read_datastores(&j);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_pick_datastore(&ds, j.dss,
	                            cpi_disk_dc_conf(&j)->
	                            persistent_datastore_pattern,
	                            w.names, w.nnames,
	                            j.has_reach ? &j.reach : NULL,
	                            size * 1048576, &verr);
	if (rc != 0) {
		rc = cpi_disk_cloud_error(&j, &verr, "placement");
		goto cleanup;
	}
	err_clear(&verr);
	rc = vs_disk_create(&j.loc, j.c, &j.dc, ds,
	                    cpi_disk_dc_conf(&j)->disk_path, cid, size, type,
	                    &verr);
	if (rc != 0) {
		rc = cpi_disk_cloud_error(&j, &verr, cid);
		goto cleanup;
	}
	cpi_log_info(call->log, "create_disk: %s (%lld MB) on %s", cid, size,
	             ds->name);
cleanup:
	return cpi_disk_answer(result, &j, rc, rc == 0 ? json_string(cid) :
	                       NULL);
}

int
cpi_method_has_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct cpi_disk_job j = { .call = call };
	bool found = false;
	int rc;

	*result = NULL;
	if (cpi_disk_cid_parse(&j.id, cid, call->method, call->err) != 0) {
		err_clear(call->err);
		*result = json_false();     /* not a disk cid: not there */
		return 0;
	}
	rc = cpi_disk_open_dc(&j);
	if (rc == 0) {
		rc = cpi_disk_locate(&j, cid);
		found = rc == 0;
		if (rc != 0 && call->err->type == CPI_ERROR_DISK_NOT_FOUND) {
			err_clear(call->err);
			rc = 0;
		}
	}
	return cpi_disk_answer(result, &j, rc, json_boolean(found));
}

int
cpi_method_delete_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_vm_names *users = NULL;
	struct err verr = {0};
	struct cpi_disk_job j = { .call = call };
	int rc;

	*result = NULL;
	rc = cpi_disk_cid_parse(&j.id, cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_disk_open_dc(&j);
	if (rc == 0)
		rc = cpi_disk_locate(&j, cid);
	if (rc == 0 && j.attached)
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "delete_disk: disk '%s' is attached to a VM "
		                 "(as %s); detach it first", cid, j.loc.path);
	if (rc != 0)
		goto cleanup;
	/* refuse while a VM of the datacenter has it attached (any
	 * folder: VMs are found by name anywhere, so one moved out of
	 * vm_folder is still a VM of ours): one read from the datacenter
	 * through its vm folders */
	rc = vs_disk_users(&users, j.c, &j.dc, j.id.name, &verr);
	if (rc != 0) {
		rc = cpi_disk_cloud_error(&j, &verr,
		                          "looking for VMs using the disk");
		goto cleanup;
	} else if (users->n > 0) {
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "delete_disk: disk '%s' is attached to VM "
		                 "'%s'%s; detach it first", cid,
		                 users->items[0], users->n > 1 ?
		                 " and others" : "");
		goto cleanup;
	}
	err_clear(&verr);
	rc = vs_disk_delete(j.c, &j.dc, j.loc.path, &verr);
	if (rc == ERR_ENOTFOUND) {
		/* found a moment ago: gone now, most likely by this very call
		 * (its first reply was lost and the client sent it again) */
		cpi_log_info(call->log, "delete_disk: %s already gone", cid);
		rc = 0;
	} else if (rc != 0) {
		rc = cpi_disk_cloud_error(&j, &verr, cid);
	} else {
		cpi_log_info(call->log, "delete_disk: %s deleted", cid);
	}
cleanup:
	vs_vm_names_free(users);
	return cpi_disk_finish(&j, rc);
}

/* The cid the Director knows disk name by: the key of the VM's agent
 * settings (disks.persistent) that is name, or name plus a Ruby CPI cid's
 * ".<base64 JSON>" suffix (cpi/disk_cid.h); name itself when none is. */
static const char *
director_cid(const json_t *persistent, const char *name)
{
	const char *key;
	const json_t *val;
	size_t n = strlen(name);

	json_object_foreach((json_t *)persistent, key, val) {
		(void)val;
		if (strncmp(key, name, n) == 0 &&
		    (key[n] == '\0' || key[n] == '.'))
			return key;
	}
	return name;
}

/* VM vm_cid's devices, settings and records into *v. */
static int
read_vm(struct vs_disk_vm **v, struct cpi_disk_job *j, const char *vm_cid)
{
	struct cpi_call *call = j->call;
	struct err verr = {0};
	int rc;

	rc = cpi_vm_cid_check(vm_cid, call->method, call->err);
	if (rc == 0) {
		rc = cpi_vcenter_open(&j->c, call);
		if (rc != 0)
			rc = ERR_FAIL;
	}
	if (rc == 0)
		rc = cpi_disk_find_vm(j, vm_cid);
	if (rc != 0)
		return rc;
	rc = vs_disk_vm_read(v, j->c, &j->vm, &verr);
	if (rc == ERR_ENOTFOUND)
		rc = cpi_err_set(call->err, CPI_ERROR_VM_NOT_FOUND, false,
		                 "VM '%s' not found", vm_cid);
	else if (rc != 0)
		rc = cpi_disk_cloud_error(j, &verr, vm_cid);
	return rc;
}

/* The cids of v's disks, by record or file name wherever the file lies
 * (Storage vMotion), into list. */
static int
list_disks(json_t *list, const struct vs_disk_vm *v, struct cpi_call *call)
{
	const json_t *persistent;
	json_t *settings = NULL;
	char cid[VS_DISK_CID_MAX + 1];
	size_t i;
	int rc = 0;

	/* A disk made with a Ruby CPI cid is known to the Director by that
	 * cid, which the agent settings hold; unreadable settings leave the
	 * plain names. */
	if (v->settings != NULL)
		settings = json_loadb(v->settings, v->settings_len, 0, NULL);
	persistent = json_object_get(json_object_get(settings, "disks"),
	                             "persistent");
	if (!json_is_object(persistent))
		persistent = NULL;
	for (i = 0; rc == 0 && i < v->info->ndevices; i++) {
		const struct vs_device *d = &v->info->devices[i];
		const char *known;

		if (!vs_disk_vm_cid(cid, sizeof(cid), v, d))
			continue;
		known = persistent != NULL ? director_cid(persistent, cid) :
		        cid;
		if (json_array_append_new(list, json_string(known)) != 0)
			rc = cpi_disk_nomem(call);
	}
	json_decref(settings);
	return rc;
}

int
cpi_method_get_disks(json_t **result, struct cpi_call *call)
{
	const char *vm_cid = cpi_arg_string(call, 0);
	struct vs_disk_vm *v = NULL;
	struct cpi_disk_job j = { .call = call };
	json_t *list = NULL;
	int rc;

	*result = NULL;
	rc = read_vm(&v, &j, vm_cid);
	if (rc != 0)
		goto cleanup;
	list = json_array();
	if (list == NULL)
		rc = cpi_disk_nomem(call);
	else
		rc = list_disks(list, v, call);
cleanup:
	vs_disk_vm_free(v);
	return cpi_disk_answer(result, &j, rc, list);
}

int
cpi_method_resize_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	long long size = cpi_arg_integer(call, 1);
	struct err verr = {0};
	struct cpi_disk_job j = { .call = call };
	int rc;

	*result = NULL;
	rc = cpi_disk_cid_parse(&j.id, cid, call->method, call->err);
	if (rc == 0 && (size <= 0 || size > MAX_DISK_MB))
		rc = cpi_err_set(call->err, CPI_ERROR_CLOUD, false,
		                 "resize_disk: new_size must be 1 to %lld MB",
		                 MAX_DISK_MB);
	if (rc == 0)
		rc = cpi_disk_open_dc(&j);
	if (rc == 0)
		rc = cpi_disk_locate(&j, cid);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_extend(j.c, &j.dc, j.loc.path, size, &verr);
	if (rc == ERR_ENOTFOUND) {
		rc = cpi_err_set(call->err, CPI_ERROR_DISK_NOT_FOUND, false,
		                 "Disk '%s' not found", cid);
	} else if (rc != 0 && (strcmp(verr.fault, "MethodNotFound") == 0 ||
	                       strcmp(verr.fault, "NotImplemented") == 0)) {
		rc = cpi_disk_cloud_error(&j, &verr, "this vCenter cannot "
		                          "extend disks");
	} else if (rc != 0 && strcmp(verr.fault, "InvalidArgument") == 0) {
		/* vCenter's answer to a size below the current one */
		err_prefix(&verr, "disk '%s' to %lld MB (disks can only "
		           "grow)", cid, size);
		rc = cpi_disk_cloud_error(&j, &verr, "resize refused");
	} else if (rc != 0) {
		err_prefix(&verr, "disk '%s' to %lld MB", cid, size);
		rc = cpi_disk_cloud_error(&j, &verr, "resize");
	}
cleanup:
	return cpi_disk_finish(&j, rc);
}

int
cpi_method_set_disk_metadata(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct cpi_disk_cid id;

	*result = NULL;
	if (cpi_disk_cid_parse(&id, cid, call->method, call->err) != 0)
		return ERR_FAIL;
	cpi_disk_cid_clear(&id);
	cpi_log_debug(call->log, "set_disk_metadata: %s: nothing to store "
	              "(a documented no-op)", cid);
	return 0;
}
