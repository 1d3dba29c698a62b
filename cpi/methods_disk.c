/*
 * cpi/methods_disk.c: create_disk, delete_disk, has_disk, attach_disk,
 * detach_disk, get_disks, resize_disk, set_disk_metadata.
 *
 * Disks are "[ds] <disk_path>/disk-<uuid>.vmdk" (vsphere/disk.h).  A
 * disk is found by asking vCenter on the datacenter's datastores, the
 * persistent_datastore_pattern ones first: one QueryVirtualDiskUuid per
 * datastore tried, after one container view read of the datastores.
 *
 * Safety.  Only delete_disk deletes a disk file, and only after one
 * container view over the datacenter's VM folders (recursively: a VM an
 * operator moved out of vm_folder too) found no VM with the disk
 * attached: that costs 3 round trips and reads every VM's device list
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

#include "cpi/disk_cid.h"
#include "cpi/image.h"
#include "cpi/vcenter.h"
#include "vsphere/disk.h"
#include "vsphere/vm.h"

#define MAX_VM_CID 80
#define MAX_DISK_MB (62LL * 1024 * 1024)
#define MAX_DATASTORES 64

/* --- helpers ---------------------------------------------------------- */

static void
wipe_free(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

static int
check_vm_cid(const char *cid, const char *method, struct cpi_error *err)
{
	size_t i, len;

	len = cid != NULL ? strnlen(cid, MAX_VM_CID + 1) : 0;
	if (len == 0 || len > MAX_VM_CID || strcmp(cid, ".") == 0 ||
	    strcmp(cid, "..") == 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "%s: bad vm_cid", method);
	for (i = 0; i < len; i++) {
		char ch = cid[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "%s: vm_cid may only hold "
			                     "A-Z a-z 0-9 _ . -", method);
	}
	return 0;
}

static int
new_disk_cid(char *out, size_t size, struct cpi_error *err)
{
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;

	if (f != NULL) {
		got = fread(b, 1, sizeof(b), f);
		fclose(f);
	}
	if (got != sizeof(b))
		return cpi_error_set(err, CPI_ERROR_CPI, true,
		                     "create_disk: no random bytes for the "
		                     "disk id");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, size, "disk-%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	         b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	         b[13], b[14], b[15]);
	return 0;
}

/* What every method holds. */
struct job {
	struct cpi_call *call;
	struct vs_client *c;
	struct vs_moref dc;
	struct vs_disk_dss *dss;
	struct vs_moref vm;
	struct vs_disk_vm *v;
	struct vs_disk_loc loc;
	struct cpi_disk_cid id;     /* the disk cid: file name, pattern */
	bool attached;              /* loc found through a VM's devices */
};

static void
job_clear(struct job *j)
{
	vs_disk_dss_free(j->dss);
	vs_disk_vm_free(j->v);
	vs_disk_loc_clear(&j->loc);
	cpi_disk_cid_clear(&j->id);
}

static const struct cpi_datacenter *
dc_conf(const struct job *j)
{
	return &j->call->config->vcenter.datacenter;
}

/* A vsphere failure as a CloudError (ok_to_retry from the cause). */
static int
cloud_error(struct job *j, struct vs_error *verr, const char *what)
{
	vs_error_prefix(verr, "%s: %s", j->call->method, what);
	return cpi_error_from_vs(j->call->err, CPI_ERROR_CLOUD, verr);
}

/* Session and the datacenter. */
static int
open_dc(struct job *j)
{
	if (cpi_vcenter_open(&j->c, j->call) != 0)
		return CPI_ERR;
	return cpi_datacenter_find(&j->dc, j->c, j->call);
}

static int
read_datastores(struct job *j)
{
	struct vs_error verr = {0};

	if (vs_disk_datastores(&j->dss, j->c, &j->dc, &verr) != 0)
		return cloud_error(j, &verr, "datastores");
	return 0;
}

/* The disk where no "<disk_path>/<cid>.vmdk" is (moved by hand, or a
 * disk_path that changed): through the VM that has it attached,
 * anywhere in the datacenter (4 round trips, only on this path). */
static int
locate_attached(struct job *j, struct vs_error *verr)
{
	struct vs_moref root;
	char *path = NULL;
	int rc;

	vs_error_clear(verr);
	rc = vs_folder_path(&path, dc_conf(j)->name, NULL, verr);
	if (rc == 0)
		rc = vs_folder_find(&root, j->c, path, verr);
	free(path);
	if (rc == 0)
		rc = vs_disk_find_attached(&j->loc, j->c, &j->dc, &root,
		                           j->dss, j->id.name, verr);
	if (rc == 0) {
		j->attached = true;
		cpi_log_info(j->call->log, "%s: disk %s found attached as %s",
		             j->call->method, j->id.name, j->loc.path);
	}
	return rc;
}

/* Where disk j->id belongs: the cid's target_datastore_pattern (a Ruby
 * CPI cid), else persistent_datastore_pattern. */
static const char *
target_pattern(const struct job *j)
{
	return j->id.pattern != NULL ? j->id.pattern :
	       dc_conf(j)->persistent_datastore_pattern;
}

/* Finds disk j->id (cid is the Director's, for messages): the datastores
 * matching target_pattern() first; DiskNotFound when it is nowhere. */
static int
locate(struct job *j, const char *cid)
{
	struct vs_error verr = {0};
	int rc;

	if (j->dss == NULL && read_datastores(j) != 0)
		return CPI_ERR;
	rc = vs_disk_locate(&j->loc, j->c, &j->dc, j->dss, target_pattern(j),
	                    dc_conf(j)->disk_path, j->id.name, &verr);
	if (rc == VS_ENOTFOUND) {
		/* not where the cid says: by its file name on the datastores,
		 * then through the VMs (only on this path) */
		vs_error_clear(&verr);
		rc = vs_disk_search_name(&j->loc, j->c, &j->dc, j->dss,
		                         target_pattern(j), j->id.name, &verr);
		if (rc == 0)
			cpi_log_info(j->call->log, "%s: disk %s found at %s",
			             j->call->method, j->id.name, j->loc.path);
	}
	if (rc == VS_ENOTFOUND)
		rc = locate_attached(j, &verr);
	if (rc == VS_ENOTFOUND)
		return cpi_error_set(j->call->err, CPI_ERROR_DISK_NOT_FOUND,
		                     false, "Disk '%s' not found", cid);
	if (rc != 0)
		return cloud_error(j, &verr, cid);
	return 0;
}

/* Finds the VM where the Ruby CPI finds it (cpi_vm_lookup(): its path,
 * else by name anywhere in the datacenter); VMNotFound only when the
 * datacenter and vm_folder exist. */
static int
find_vm(struct job *j, const char *cid)
{
	int rc;

	rc = cpi_vm_lookup(&j->vm, j->c, j->call, cid);
	if (rc == 1)
		return cpi_error_set(j->call->err, CPI_ERROR_VM_NOT_FOUND,
		                     false, "VM '%s' not found", cid);
	return rc;
}

/* attach_disk and detach_disk: both cids checked, the session, then the
 * VM with its devices and agent settings (j->v). */
static int
open_vm(struct job *j, const char *vm_cid, const char *cid)
{
	struct cpi_call *call = j->call;
	struct vs_error verr = {0};
	int rc;

	rc = check_vm_cid(vm_cid, call->method, call->err);
	if (rc == 0)
		rc = cpi_disk_cid_parse(&j->id, cid, call->method, call->err);
	if (rc == 0)
		rc = open_dc(j);
	if (rc == 0)
		rc = find_vm(j, vm_cid);
	if (rc != 0)
		return rc;
	rc = vs_disk_vm_read(&j->v, j->c, &j->vm, &verr);
	if (rc == VS_ENOTFOUND)
		return cpi_error_set(call->err, CPI_ERROR_VM_NOT_FOUND,
		                     false, "VM '%s' not found", vm_cid);
	if (rc != 0)
		return cloud_error(j, &verr, vm_cid);
	return 0;
}

static int
finish(struct job *j, int rc)
{
	if (cpi_vcenter_close(j->c, j->call) != 0)
		rc = CPI_ERR;
	j->c = NULL;
	job_clear(j);
	return rc;
}

static int
nomem(struct cpi_call *call)
{
	return cpi_error_set(call->err, CPI_ERROR_CPI, false,
	                     "out of memory");
}

/* --- disk hints and agent settings ------------------------------------ */

/* The hint of device d: {"id": uuid} with disk.enableUUID (the device's
 * backing uuid, else the one vCenter reported for the file), else the
 * unit number as a string.  New reference. */
static json_t *
make_hint(const struct vs_disk_vm *v, const struct vs_vm_device *d,
          int unit, const char *file_uuid)
{
	char buf[16];
	char *uuid;
	json_t *h;
	size_t i;

	if (v->enable_uuid) {
		if (d != NULL && d->disk_uuid != NULL)
			file_uuid = d->disk_uuid;
		uuid = strdup(file_uuid != NULL ? file_uuid : "");
		if (uuid == NULL || uuid[0] == '\0') {
			free(uuid);
			return NULL;
		}
		for (i = 0; uuid[i] != '\0'; i++) {
			if (uuid[i] >= 'A' && uuid[i] <= 'Z')
				uuid[i] = (char)(uuid[i] - 'A' + 'a');
		}
		h = json_pack("{ss}", "id", uuid);
		free(uuid);
		return h;
	}
	snprintf(buf, sizeof(buf), "%d", d != NULL ? d->unit_number : unit);
	return json_string(buf);
}

/* The CD-ROM's ISO file, or NULL. */
static const char *
env_iso_path(const struct vs_vm_info *info)
{
	size_t i, len;

	for (i = 0; i < info->ndevices; i++) {
		const struct vs_vm_device *d = &info->devices[i];

		if (d->kind != VS_VM_DEV_CDROM || d->file_name == NULL)
			continue;
		len = strlen(d->file_name);
		if (len >= 8 && strcmp(d->file_name + len - 8, "/env.iso") == 0)
			return d->file_name;
	}
	return NULL;
}

/* The VM's settings with disks.persistent[cid] set to hint (hint NULL:
 * removed).  *out is NULL (nothing to rewrite) when the VM has no
 * readable settings; that is logged, not an error. */
static int
edit_settings(char **out, struct job *j, const char *cid, json_t *hint)
{
	json_t *root, *disks, *pers;
	json_error_t jerr;
	int rc = 0;

	*out = NULL;
	if (j->v->settings == NULL) {
		cpi_log_warn(j->call->log, "%s: VM has no readable agent "
		             "settings; disks.persistent not updated",
		             j->call->method);
		return 0;
	}
	root = json_loadb(j->v->settings, j->v->settings_len, 0, &jerr);
	if (root == NULL || !json_is_object(root)) {
		cpi_log_warn(j->call->log, "%s: the VM's agent settings are "
		             "not a JSON object; disks.persistent not updated",
		             j->call->method);
		goto cleanup;
	}
	disks = json_object_get(root, "disks");         /* borrowed */
	if (disks == NULL) {
		disks = json_object();
		if (json_object_set_new(root, "disks", disks) != 0) {
			rc = nomem(j->call);
			goto cleanup;
		}
	}
	if (!json_is_object(disks)) {
		rc = cpi_error_set(j->call->err, CPI_ERROR_CLOUD, false,
		                   "%s: the VM's agent settings hold a "
		                   "malformed disks entry", j->call->method);
		goto cleanup;
	}
	pers = json_object_get(disks, "persistent");    /* borrowed */
	if (pers == NULL || !json_is_object(pers)) {
		pers = json_object();
		if (json_object_set_new(disks, "persistent", pers) != 0) {
			rc = nomem(j->call);
			goto cleanup;
		}
	}
	if (hint != NULL && json_object_set(pers, cid, hint) != 0) {
		rc = nomem(j->call);
		goto cleanup;
	}
	if (hint == NULL)
		json_object_del(pers, cid);
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (*out == NULL)
		rc = nomem(j->call);
cleanup:
	json_decref(root);
	return rc;
}

/* Rebuilds env.iso from settings and uploads it over the CD-ROM's file
 * (sensitive: never recorded). */
static int
upload_env(struct job *j, const char *settings)
{
	const char *iso_path = env_iso_path(j->v->info);
	struct vs_error verr = {0};
	unsigned char *iso = NULL;
	size_t iso_len = 0;
	int rc;

	if (iso_path == NULL) {
		cpi_log_warn(j->call->log, "%s: the VM has no env.iso CD-ROM; "
		             "only guestinfo was updated", j->call->method);
		return 0;
	}
	rc = cpi_iso_build(&iso, &iso_len, "env",
	                   (const unsigned char *)settings, strlen(settings),
	                   NULL, j->call->err);
	if (rc < 0)
		return CPI_ERR;
	rc = vs_file_upload_mem(j->c, dc_conf(j)->name, iso_path, iso,
	                        iso_len, true, &verr);
	memset(iso, 0, iso_len);
	free(iso);
	if (rc != 0)
		return cloud_error(j, &verr, "env.iso upload");
	return 0;
}

/* env.iso made again from guestinfo with cid's entry set to hint (NULL:
 * removed): repairs what an earlier call left half done.  One upload. */
static int
rewrite_env(struct job *j, const char *cid, json_t *hint)
{
	char *settings = NULL;
	int rc;

	rc = edit_settings(&settings, j, cid, hint);
	if (rc == 0 && settings != NULL)
		rc = upload_env(j, settings);
	wipe_free(settings);
	return rc;
}

/* --- the methods -------------------------------------------------------- */

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
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
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
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_disk: cloud_properties.type must "
		                     "be thin, preallocated or "
		                     "eagerZeroedThick");
	return 0;
}

/* cloud_properties.datastores: names (borrowed from the request). */
static int
ds_names(const char **names, size_t *n, const json_t *cp,
         const struct cpi_call *call)
{
	const json_t *a = cp != NULL ? json_object_get(cp, "datastores") :
	                  NULL;
	size_t i;

	*n = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > MAX_DATASTORES)
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_disk: cloud_properties.datastores "
		                     "must be an array of at most %d names",
		                     MAX_DATASTORES);
	for (i = 0; i < json_array_size(a); i++) {
		names[i] = json_string_value(json_array_get(a, i));
		if (names[i] == NULL || names[i][0] == '\0')
			return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
			                     "create_disk: cloud_properties."
			                     "datastores[%zu] must be a "
			                     "non-empty string", i);
	}
	*n = json_array_size(a);
	return 0;
}

int
cpi_method_create_disk(json_t **result, struct cpi_call *call)
{
	long long size = cpi_arg_integer(call, 0);
	const json_t *cp = cpi_arg_object(call, 1);
	const char *vm_cid = cpi_arg_string(call, 2);
	const char *names[MAX_DATASTORES];
	const struct vs_disk_ds *ds = NULL;
	struct vs_disk_reach reach = {0};
	struct vs_vm_info *info = NULL;
	struct vs_error verr = {0};
	struct job j = { .call = call };
	char cid[64];
	size_t nnames = 0;
	bool has_host = false;
	int type, rc;

	*result = NULL;
	if (size <= 0 || size > MAX_DISK_MB)
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_disk: size must be 1 to %lld MB",
		                     MAX_DISK_MB);
	rc = disk_type(&type, cp, call);
	if (rc == 0)
		rc = ds_names(names, &nnames, cp, call);
	if (rc == 0 && vm_cid != NULL)
		rc = check_vm_cid(vm_cid, call->method, call->err);
	if (rc == 0 && nnames == 0 &&
	    (dc_conf(&j)->persistent_datastore_pattern == NULL ||
	     dc_conf(&j)->persistent_datastore_pattern[0] == '\0'))
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_disk: no persistent_datastore_"
		                   "pattern is configured and "
		                   "cloud_properties names no datastores");
	if (rc == 0)
		rc = new_disk_cid(cid, sizeof(cid), call->err);
	if (rc == 0)
		rc = open_dc(&j);
	if (rc == 0 && vm_cid != NULL) {
		/* near the VM: prefer what its host reaches */
		rc = find_vm(&j, vm_cid);
		if (rc == 0 && vs_vm_info(&info, j.c, &j.vm, &verr) == 0 &&
		    info->has_host &&
		    vs_disk_host_reach(&reach, j.c, &info->host, &verr) == 0)
			has_host = true;
		if (rc != 0 && call->err->type == CPI_ERROR_VM_NOT_FOUND) {
			cpi_log_warn(call->log, "create_disk: VM %s not found; "
			             "placing the disk without it", vm_cid);
			cpi_error_clear(call->err);
			rc = 0;
		}
	}
	if (rc == 0)
		rc = read_datastores(&j);
	if (rc != 0)
		goto cleanup;
	vs_error_clear(&verr);
	rc = vs_disk_pick_datastore(&ds, j.dss,
	                            dc_conf(&j)->persistent_datastore_pattern,
	                            names, nnames, has_host ? &reach : NULL,
	                            size * 1048576, &verr);
	if (rc != 0) {
		rc = cloud_error(&j, &verr, "placement");
		goto cleanup;
	}
	vs_error_clear(&verr);
	rc = vs_disk_create(&j.loc, j.c, &j.dc, ds, dc_conf(&j)->disk_path,
	                    cid, size, type, &verr);
	if (rc != 0) {
		rc = cloud_error(&j, &verr, cid);
		goto cleanup;
	}
	cpi_log_info(call->log, "create_disk: %s (%lld MB) on %s", cid, size,
	             ds->name);
cleanup:
	vs_vm_info_free(info);
	vs_disk_reach_clear(&reach);
	rc = finish(&j, rc);
	if (rc == 0) {
		*result = json_string(cid);
		if (*result == NULL)
			rc = nomem(call);
	}
	return rc;
}

int
cpi_method_has_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct job j = { .call = call };
	bool found = false;
	int rc;

	*result = NULL;
	if (cpi_disk_cid_parse(&j.id, cid, call->method, call->err) != 0) {
		cpi_error_clear(call->err);
		*result = json_false();     /* not a disk cid: not there */
		return 0;
	}
	rc = open_dc(&j);
	if (rc == 0) {
		rc = locate(&j, cid);
		found = rc == 0;
		if (rc != 0 && call->err->type == CPI_ERROR_DISK_NOT_FOUND) {
			cpi_error_clear(call->err);
			rc = 0;
		}
	}
	rc = finish(&j, rc);
	if (rc == 0) {
		*result = json_boolean(found);
		if (*result == NULL)
			rc = nomem(call);
	}
	return rc;
}

int
cpi_method_delete_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct vs_vm_names *users = NULL;
	struct vs_error verr = {0};
	struct job j = { .call = call };
	struct vs_moref folder;
	char path[1024];
	int rc;

	*result = NULL;
	rc = cpi_disk_cid_parse(&j.id, cid, call->method, call->err);
	if (rc == 0)
		rc = open_dc(&j);
	if (rc == 0)
		rc = locate(&j, cid);
	if (rc == 0 && j.attached)
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "delete_disk: disk '%s' is attached to a VM "
		                   "(as %s); detach it first", cid, j.loc.path);
	if (rc != 0)
		goto cleanup;
	/* refuse while a VM of the datacenter has it attached (any
	 * folder: VMs are found by name anywhere, so one moved out of
	 * vm_folder is still a VM of ours) */
	snprintf(path, sizeof(path), "%s/vm", dc_conf(&j)->name);
	rc = vs_folder_find(&folder, j.c, path, &verr);
	if (rc == 0)
		rc = vs_disk_users(&users, j.c, &folder, j.id.name, &verr);
	if (rc != 0) {
		rc = cloud_error(&j, &verr, "looking for VMs using the disk");
		goto cleanup;
	} else if (users->n > 0) {
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "delete_disk: disk '%s' is attached to VM "
		                   "'%s'%s; detach it first", cid,
		                   users->items[0], users->n > 1 ?
		                   " and others" : "");
		goto cleanup;
	}
	vs_error_clear(&verr);
	rc = vs_disk_delete(j.c, &j.dc, j.loc.path, &verr);
	if (rc == VS_ENOTFOUND) {
		/* found a moment ago: gone now, most likely by this very call
		 * (its first reply was lost and the client sent it again) */
		cpi_log_info(call->log, "delete_disk: %s already gone", cid);
		rc = 0;
	} else if (rc != 0) {
		rc = cloud_error(&j, &verr, cid);
	} else {
		cpi_log_info(call->log, "delete_disk: %s deleted", cid);
	}
cleanup:
	vs_vm_names_free(users);
	return finish(&j, rc);
}

/* Moves the disk to a datastore the VM's host reaches when its own is
 * out of reach, or (a Ruby CPI cid) not one its target pattern names:
 * then to one matching target_pattern(), as the Ruby CPI does. */
static int
bring_near(struct job *j, const char *cid)
{
	const struct vs_vm_info *info = j->v->info;
	const struct vs_disk_ds *here = NULL, *there = NULL;
	struct vs_disk_loc moved = {0};
	struct vs_disk_reach reach = {0};
	struct vs_error verr = {0};
	bool in_target = true;
	size_t i;
	int rc;

	if (!info->has_host)
		return 0;
	for (i = 0; i < j->dss->n; i++) {
		if (strcmp(j->dss->items[i].ref.value,
		           j->loc.datastore.value) == 0)
			here = &j->dss->items[i];
	}
	if (here == NULL)
		return 0;
	rc = vs_disk_host_reach(&reach, j->c, &info->host, &verr);
	if (rc == 0 && j->id.pattern != NULL)
		rc = vs_disk_ds_wanted(&in_target, here, j->id.pattern, NULL,
		                       0, &verr);
	if (rc == 0 && vs_disk_ds_reaches(here, &reach) && in_target) {
		vs_disk_reach_clear(&reach);
		return 0;
	}
	if (rc == 0)
		rc = vs_disk_pick_datastore(&there, j->dss, target_pattern(j),
		                            NULL, 0, &reach, 0, &verr);
	if (rc == 0 && !vs_disk_ds_reaches(there, &reach))
		rc = vs_error_set(&verr, VS_ENOTFOUND, "no persistent "
		                  "datastore reachable from the VM's host");
	vs_disk_reach_clear(&reach);
	if (rc != 0)
		return cloud_error(j, &verr, "moving the disk");
	cpi_log_info(j->call->log, "attach_disk: moving %s from %s to %s",
	             cid, here->name, there->name);
	rc = vs_disk_move(&moved, j->c, &j->dc, j->loc.path, there,
	                  dc_conf(j)->disk_path, j->id.name, &verr);
	if (rc == 0)
		rc = vs_disk_query_uuid(&moved.uuid, j->c, &j->dc, moved.path,
		                        &verr);
	if (rc != 0) {
		vs_disk_loc_clear(&moved);
		return cloud_error(j, &verr, "moving the disk");
	}
	vs_disk_loc_clear(&j->loc);
	j->loc = moved;
	return 0;
}

/* The extraConfig entries of an attach at slot (vsphere/disk.h "Per-VM
 * disk records"): cid's record, and "" for records of other disks that
 * claim the same slot (left by a detach outside the CPI).  *n entries
 * into opts, their strings into keys/values (free them). */
#define MAX_RECS 8
static int
attach_records(struct vs_vm_option *opts, char **keys, char **values,
               size_t *n, struct job *j, const char *cid, int bus, int unit)
{
	struct vs_error verr = {0};
	size_t i;

	*n = 0;
	keys[0] = malloc(VS_DISK_CID_MAX + 32);
	if (keys[0] == NULL)
		return nomem(j->call);
	if (!vs_disk_record_key(keys[0], VS_DISK_CID_MAX + 32, cid))
		return cpi_error_set(j->call->err, CPI_ERROR_CPI, false,
		                     "%s: no record key for '%s'",
		                     j->call->method, cid);
	if (vs_disk_record_attached(&values[0], bus, unit, j->loc.uuid,
	                            &verr) != 0)
		return cloud_error(j, &verr, "disk record");
	opts[0].key = keys[0];
	opts[0].value = values[0];
	*n = 1;
	for (i = 0; i < j->v->nrecords && *n < MAX_RECS; i++) {
		const struct vs_disk_record *r = &j->v->records[i];

		if (r->detached || r->bus != bus || r->unit != unit ||
		    strcmp(r->cid, cid) == 0)
			continue;
		keys[*n] = malloc(VS_DISK_CID_MAX + 32);
		values[*n] = strdup("");
		if (keys[*n] == NULL || values[*n] == NULL ||
		    !vs_disk_record_key(keys[*n], VS_DISK_CID_MAX + 32,
		                        r->cid)) {
			free(keys[*n]);
			free(values[*n]);
			keys[*n] = values[*n] = NULL;
			return nomem(j->call);
		}
		opts[*n].key = keys[*n];
		opts[*n].value = values[*n];
		(*n)++;
	}
	return 0;
}

/* The SCSI bus of the slot's controller, or -1 when unknown. */
static int
slot_bus(const struct vs_vm_info *info, const struct vs_disk_slot *slot)
{
	const struct vs_vm_device *ctl;

	if (slot->new_controller)
		return slot->bus;
	ctl = vs_vm_info_device(info, slot->ctl_key);
	return ctl != NULL && ctl->has_bus_number ? ctl->bus_number : -1;
}

/* An attached disk without its record (attached before records
 * existed, or by a call that stopped half way): write it (one
 * reconfigure, only then). */
static int
repair_record(struct job *j, const char *cid, const struct vs_vm_device *d)
{
	const struct vs_disk_record *r = vs_disk_vm_record(j->v, cid);
	struct vs_error verr = {0};
	char key[VS_DISK_CID_MAX + 32];
	char *value = NULL;
	int bus, unit, rc;

	if ((r != NULL && !r->detached) ||
	    !vs_disk_device_slot(&bus, &unit, j->v->info, d) ||
	    !vs_disk_record_key(key, sizeof(key), cid))
		return 0;
	rc = vs_disk_record_attached(&value, bus, unit, d->disk_uuid != NULL ?
	                             d->disk_uuid : j->loc.uuid, &verr);
	if (rc == 0)
		rc = vs_disk_vm_set_option(j->c, &j->vm, key, value, &verr);
	free(value);
	if (rc != 0)
		return cloud_error(j, &verr, "disk record");
	cpi_log_info(j->call->log, "%s: recorded disk %s on its VM",
	             j->call->method, cid);
	return 0;
}

int
cpi_method_attach_disk(json_t **result, struct cpi_call *call)
{
	const char *vm_cid = cpi_arg_string(call, 0);
	const char *cid = cpi_arg_string(call, 1);
	const struct vs_vm_device *d;
	struct vs_error verr = {0};
	struct job j = { .call = call };
	struct vs_disk_slot slot;
	struct vs_vm_option recs[MAX_RECS];
	char *rkeys[MAX_RECS] = {0}, *rvalues[MAX_RECS] = {0};
	json_t *hint = NULL;
	char *settings = NULL;
	size_t nrecs = 0, i;
	int rc, bus;

	*result = NULL;
	rc = open_vm(&j, vm_cid, cid);
	if (rc == 0)
		rc = locate(&j, cid);
	if (rc != 0)
		goto cleanup;
	/* The vsphere layer names a disk by its file name (j.id.name:
	 * "disk-<uuid>", also for a Ruby CPI cid); the agent settings and
	 * messages by the Director's cid. */
	d = vs_disk_vm_find(j.v, j.id.name);
	if (d != NULL) {
		/* Attached already: the same answer again.  A call whose
		 * reconfigure reply was lost, or whose env.iso upload failed,
		 * left guestinfo right and env.iso stale: write it again. */
		cpi_log_info(call->log, "attach_disk: %s is already attached "
		             "to %s", cid, vm_cid);
		hint = make_hint(j.v, d, 0, j.loc.uuid);
		if (hint == NULL) {
			rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
			                   "attach_disk: no uuid for disk '%s'",
			                   cid);
			goto cleanup;
		}
		rc = repair_record(&j, j.id.name, d);
		if (rc == 0)
			rc = rewrite_env(&j, cid, hint);
		goto cleanup;
	}
	rc = bring_near(&j, cid);
	if (rc != 0)
		goto cleanup;
	if (vs_disk_pick_slot(&slot, j.v->info, &verr) != 0) {
		rc = cloud_error(&j, &verr, "no free SCSI unit");
		goto cleanup;
	}
	if (slot.new_controller) {
		/* of the configured type, as new VMs' controllers are */
		snprintf(slot.ctl_type, sizeof(slot.ctl_type), "%s",
		         cpi_scsi_type_vim(call->config->vcenter.
		                           default_scsi_controller_type));
		cpi_log_info(call->log, "attach_disk: adding a %s on bus %d "
		             "to %s", slot.ctl_type, slot.bus, vm_cid);
	}
	hint = make_hint(j.v, NULL, slot.unit, j.loc.uuid);
	if (hint == NULL) {
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "attach_disk: no uuid for disk '%s'", cid);
		goto cleanup;
	}
	rc = edit_settings(&settings, &j, cid, hint);
	bus = slot_bus(j.v->info, &slot);
	if (rc == 0 && bus >= 0)
		rc = attach_records(recs, rkeys, rvalues, &nrecs, &j,
		                    j.id.name, bus, slot.unit);
	else if (rc == 0)
		cpi_log_warn(call->log, "attach_disk: the SCSI controller of "
		             "unit %d has no bus number; %s is not recorded "
		             "on %s", slot.unit, cid, vm_cid);
	if (rc != 0)
		goto cleanup;
	vs_error_clear(&verr);
	rc = vs_disk_attach(j.c, j.v->info, j.loc.path, &j.loc.datastore,
	                    &slot, settings, settings != NULL ?
	                    strlen(settings) : 0, recs, nrecs, &verr);
	if (rc != 0) {
		rc = cloud_error(&j, &verr, cid);
		goto cleanup;
	}
	if (settings != NULL)
		rc = upload_env(&j, settings);
	if (rc == 0)
		cpi_log_info(call->log, "attach_disk: %s on %s unit %d:%d",
		             cid, vm_cid, slot.ctl_key, slot.unit);
cleanup:
	for (i = 0; i < MAX_RECS; i++) {
		free(rkeys[i]);
		free(rvalues[i]);
	}
	wipe_free(settings);
	rc = finish(&j, rc);
	if (rc == 0 && call->api_version >= 2) {
		*result = hint;
		hint = NULL;
	}
	json_decref(hint);
	return rc;
}

/* Puts detached disk cid (file: where it lies) back at
 * "<disk_path>/<cid>.vmdk", then removes its record.  A disk that cannot
 * be placed back is a CloudError naming where it is (the record stays:
 * the next detach_disk or delete_vm tries again). */
static int
finish_move(struct job *j, const char *cid, const char *file)
{
	struct vs_error verr = {0};
	char key[VS_DISK_CID_MAX + 32];
	char *path = NULL;
	int rc;

	rc = vs_disk_place_back(&path, j->c, &j->dc, file,
	                        dc_conf(j)->disk_path, cid, &verr);
	if (rc == VS_ENOTFOUND) {
		/* removed outside the CPI meanwhile: nothing to place */
		cpi_log_warn(j->call->log, "%s: %s", j->call->method,
		             verr.message);
		vs_error_clear(&verr);
	} else if (rc != 0) {
		vs_error_prefix(&verr, "disk %s is detached but lies at %s",
		                cid, file);
		verr.transient = true;
		return cloud_error(j, &verr, "cannot place the disk back "
		                   "(retry detach_disk)");
	}
	if (path != NULL)
		cpi_log_info(j->call->log, "%s: moved disk %s back from %s "
		             "to %s", j->call->method, cid, file, path);
	free(path);
	if (!vs_disk_record_key(key, sizeof(key), cid))
		return 0;
	if (vs_disk_vm_set_option(j->c, &j->vm, key, "", &verr) != 0)
		return cloud_error(j, &verr, "removing the disk record");
	return 0;
}

int
cpi_method_detach_disk(json_t **result, struct cpi_call *call)
{
	const char *vm_cid = cpi_arg_string(call, 0);
	const char *cid = cpi_arg_string(call, 1);
	const struct vs_vm_device *d;
	const struct vs_disk_record *r;
	struct vs_vm_option rec = {0};
	struct vs_error verr = {0};
	struct job j = { .call = call };
	char key[VS_DISK_CID_MAX + 32];
	char *settings = NULL, *value = NULL, *file = NULL;
	bool move;
	int rc;

	*result = NULL;
	rc = open_vm(&j, vm_cid, cid);
	if (rc != 0)
		goto cleanup;
	d = vs_disk_vm_find(j.v, j.id.name);
	r = vs_disk_vm_record(j.v, j.id.name);
	if (d == NULL && r != NULL && r->detached) {
		/* an earlier detach_disk stopped before the disk was back
		 * in disk_path: finish it */
		rc = finish_move(&j, j.id.name, r->path);
		if (rc == 0)
			rc = rewrite_env(&j, cid, NULL);
		goto cleanup;
	}
	if (d == NULL) {
		/* A call whose reconfigure reply was lost, or whose env.iso
		 * upload failed, detached the disk but left env.iso naming
		 * it; the Director's retry ends here.  env.iso is written
		 * again from guestinfo before the answer. */
		rc = rewrite_env(&j, cid, NULL);
		if (rc == 0)
			rc = cpi_error_set(call->err,
			                   CPI_ERROR_DISK_NOT_ATTACHED, true,
			                   "Disk '%s' is not attached to VM "
			                   "'%s'", cid, vm_cid);
		goto cleanup;
	}
	/* moved by Storage vMotion: the record says where it lies until it
	 * is back */
	move = vs_disk_must_move(d->file_name, j.v->info->vm_path_name,
	                         j.id.name);
	file = strdup(d->file_name);
	if (file == NULL) {
		rc = nomem(call);
		goto cleanup;
	}
	if ((move || r != NULL) &&
	    vs_disk_record_key(key, sizeof(key), j.id.name)) {
		if (move)
			rc = vs_disk_record_detached(&value, file, &verr);
		else if (r != NULL && r->by_device_key)
			/* the Ruby CPI's vApp property stays: this entry
			 * overrides it (vsphere/disk.h) */
			value = strdup(VS_DISK_RECORD_NONE);
		else
			value = strdup("");
		if (rc != 0) {
			rc = cloud_error(&j, &verr, "disk record");
			goto cleanup;
		}
		if (value == NULL) {
			rc = nomem(call);
			goto cleanup;
		}
		rec.key = key;
		rec.value = value;
	}
	rc = edit_settings(&settings, &j, cid, NULL);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_detach(j.c, j.v->info, d, settings, settings != NULL ?
	                    strlen(settings) : 0, &rec, rec.key != NULL ? 1 :
	                    0, &verr);
	if (rc != 0) {
		rc = cloud_error(&j, &verr, cid);
		goto cleanup;
	}
	if (settings != NULL)
		rc = upload_env(&j, settings);
	if (rc == 0)
		cpi_log_info(call->log, "detach_disk: %s from %s", cid,
		             vm_cid);
	if (rc == 0 && move)
		rc = finish_move(&j, j.id.name, file);
cleanup:
	free(value);
	free(file);
	wipe_free(settings);
	return finish(&j, rc);
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

int
cpi_method_get_disks(json_t **result, struct cpi_call *call)
{
	const char *vm_cid = cpi_arg_string(call, 0);
	struct vs_disk_vm *v = NULL;
	struct vs_error verr = {0};
	struct job j = { .call = call };
	json_t *list = NULL, *settings = NULL;
	const json_t *persistent = NULL;
	char cid[VS_DISK_CID_MAX + 1];
	size_t i;
	int rc;

	*result = NULL;
	rc = check_vm_cid(vm_cid, call->method, call->err);
	if (rc == 0) {
		rc = cpi_vcenter_open(&j.c, call);
		if (rc != 0)
			rc = CPI_ERR;
	}
	if (rc == 0)
		rc = find_vm(&j, vm_cid);
	if (rc == 0) {
		rc = vs_disk_vm_read(&v, j.c, &j.vm, &verr);
		if (rc == VS_ENOTFOUND)
			rc = cpi_error_set(call->err, CPI_ERROR_VM_NOT_FOUND,
			                   false, "VM '%s' not found", vm_cid);
		else if (rc != 0)
			rc = cloud_error(&j, &verr, vm_cid);
	}
	if (rc != 0)
		goto cleanup;
	list = json_array();
	if (list == NULL) {
		rc = nomem(call);
		goto cleanup;
	}
	/* A disk made with a Ruby CPI cid is known to the Director by that
	 * cid, which the agent settings hold; unreadable settings leave the
	 * plain names. */
	if (v->settings != NULL)
		settings = json_loadb(v->settings, v->settings_len, 0, NULL);
	persistent = json_object_get(json_object_get(settings, "disks"),
	                             "persistent");
	if (!json_is_object(persistent))
		persistent = NULL;
	/* by record or file name, wherever the file lies (Storage
	 * vMotion) */
	for (i = 0; i < v->info->ndevices; i++) {
		const struct vs_vm_device *d = &v->info->devices[i];
		const char *known;

		if (!vs_disk_vm_cid(cid, sizeof(cid), v, d))
			continue;
		known = persistent != NULL ? director_cid(persistent, cid) :
		        cid;
		if (json_array_append_new(list, json_string(known)) != 0) {
			rc = nomem(call);
			goto cleanup;
		}
	}
cleanup:
	json_decref(settings);
	vs_disk_vm_free(v);
	rc = finish(&j, rc);
	if (rc == 0) {
		*result = list;
		list = NULL;
	}
	json_decref(list);
	return rc;
}

int
cpi_method_resize_disk(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	long long size = cpi_arg_integer(call, 1);
	struct vs_error verr = {0};
	struct job j = { .call = call };
	int rc;

	*result = NULL;
	rc = cpi_disk_cid_parse(&j.id, cid, call->method, call->err);
	if (rc == 0 && (size <= 0 || size > MAX_DISK_MB))
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "resize_disk: new_size must be 1 to %lld MB",
		                   MAX_DISK_MB);
	if (rc == 0)
		rc = open_dc(&j);
	if (rc == 0)
		rc = locate(&j, cid);
	if (rc != 0)
		goto cleanup;
	rc = vs_disk_extend(j.c, &j.dc, j.loc.path, size, &verr);
	if (rc == VS_ENOTFOUND) {
		rc = cpi_error_set(call->err, CPI_ERROR_DISK_NOT_FOUND, false,
		                   "Disk '%s' not found", cid);
	} else if (rc != 0 && (strcmp(verr.fault, "MethodNotFound") == 0 ||
	                       strcmp(verr.fault, "NotImplemented") == 0)) {
		rc = cloud_error(&j, &verr, "this vCenter cannot extend "
		                 "disks");
	} else if (rc != 0 && strcmp(verr.fault, "InvalidArgument") == 0) {
		/* vCenter's answer to a size below the current one */
		vs_error_prefix(&verr, "disk '%s' to %lld MB (disks can only "
		                "grow)", cid, size);
		rc = cloud_error(&j, &verr, "resize refused");
	} else if (rc != 0) {
		vs_error_prefix(&verr, "disk '%s' to %lld MB", cid, size);
		rc = cloud_error(&j, &verr, "resize");
	}
cleanup:
	return finish(&j, rc);
}

int
cpi_method_set_disk_metadata(json_t **result, struct cpi_call *call)
{
	const char *cid = cpi_arg_string(call, 0);
	struct cpi_disk_cid id;

	*result = NULL;
	if (cpi_disk_cid_parse(&id, cid, call->method, call->err) != 0)
		return CPI_ERR;
	cpi_disk_cid_clear(&id);
	cpi_log_debug(call->log, "set_disk_metadata: %s: nothing to store "
	              "(a documented no-op)", cid);
	return 0;
}
