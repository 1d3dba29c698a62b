/*
 * vsphere/disk.c: persistent disk files (see disk.h for the rules;
 * disk_int.h for the module's other files).
 *
 * Round trips: a VirtualDiskManager task is one call plus the task wait
 * (one read when it has already finished); MakeDirectory one; a lookup
 * of a disk one QueryVirtualDiskUuid per datastore tried; the datastore
 * list and the scan for VMs using a disk one container view each (3).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsphere/client.h"
#include "vsphere/create.h"
#include "vsphere/files.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"

/* --- helpers -------------------------------------------------------- */

int
vs_disk__check_ref(const struct vs_moref *ref, const char *what,
                   struct err *err)
{
	if (ref == NULL || ref->type[0] == '\0' || ref->value[0] == '\0')
		return err_set(err, ERR_EINVAL, "%s: no reference", what);
	return 0;
}

bool
vs_disk_cid_valid(const char *cid)
{
	size_t i, len;

	if (cid == NULL || strncmp(cid, "disk-", 5) != 0)
		return false;
	len = strnlen(cid, VS_DISK_CID_MAX + 1);
	if (len <= 5 || len > VS_DISK_CID_MAX)
		return false;
	for (i = 5; i < len; i++) {
		char ch = cid[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= 'A' && ch <= 'Z') || ch == '-'))
			return false;
	}
	return true;
}

/* A VirtualDiskManager request (_this set) for a file of datacenter dc,
 * which is checked; with name (not NULL) its first arguments {name,
 * datacenter}. */
static int
vdm_request(xmlDocPtr *req, xmlNodePtr *m, struct vs_client *c,
            const char *method, const struct vs_moref *dc, const char *name,
            struct err *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	int rc;

	*req = NULL;
	rc = vs_disk__check_ref(dc, method, err);
	if (rc == 0)
		rc = vs_disk__check_ref(&sc->virtual_disk_manager,
		                        "VirtualDiskManager", err);
	if (rc == 0)
		rc = vs_soap_request_new(req, m, method,
		                         &sc->virtual_disk_manager, err);
	if (rc == 0 && name != NULL) {
		vs_soap_add_text(*m, "name", name);
		vs_soap_add_moref(*m, "datacenter", dc);
	}
	return rc;
}

/* Maps the faults that mean "no such file" to ERR_ENOTFOUND. */
static int
file_fault(int rc, struct err *e)
{
	if (rc != 0 && (strcmp(e->fault, "FileNotFound") == 0 ||
	                strcmp(e->fault, "NotFound") == 0))
		rc = e->code = ERR_ENOTFOUND;
	return rc;
}

/* Runs VirtualDiskManager request req (consumed) as a task: the faults
 * that mean "no such file" as ERR_ENOTFOUND, a failure's message
 * prefixed "<method> <path>". */
static int
vdm_run(struct vs_client *c, xmlDocPtr req, const char *method,
        const char *path, struct err *err)
{
	struct err e;
	int rc;

	err_clear(&e);
	rc = vs_task_call(NULL, c, req, VS_DISK_TASK_TIMEOUT_S, &e);
	rc = file_fault(rc, &e);
	if (rc != 0) {
		err_prefix(&e, "%s %s", method, path);
		err_keep_first(err, &e);
	}
	return rc;
}

/* --- disk files ----------------------------------------------------- */

void
vs_disk_loc_clear(struct vs_disk_loc *loc)
{
	if (loc == NULL)
		return;
	free(loc->path);
	free(loc->uuid);
	memset(loc, 0, sizeof(*loc));
}

int
vs_disk_path(char **out, const char *datastore, const char *disk_path,
             const char *cid, struct err *err)
{
	char rel[VS_DS_PATH_MAX];
	int n;

	*out = NULL;
	if (!vs_disk_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a disk cid of this "
		               "CPI");
	if (disk_path == NULL || disk_path[0] == '\0')
		n = snprintf(rel, sizeof(rel), "%s.vmdk", cid);
	else
		n = snprintf(rel, sizeof(rel), "%s/%s.vmdk", disk_path, cid);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return err_set(err, ERR_EINVAL, "disk path too long");
	return vs_ds_path_format(out, datastore, rel, err);
}

/* Lower-case 8-4-4-4-12 from vCenter's forms ("60 00 c2 9a …-…" or
 * already canonical) into *out; ERR_EPARSE when s does not hold 32 hex
 * digits, ERR_ENOMEM. */
static int
uuid_normalize(char **out, const char *s)
{
	char hex[33];
	size_t i, n = 0;

	*out = NULL;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) ||
		    n >= 32)
			return ERR_EPARSE;
		hex[n++] = ch;
	}
	if (n != 32)
		return ERR_EPARSE;
	hex[32] = '\0';
	*out = malloc(37);
	if (*out == NULL)
		return ERR_ENOMEM;
	snprintf(*out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	         hex + 12, hex + 16, hex + 20);
	return 0;
}

int
vs_disk_query_uuid(char **out, struct vs_client *c,
                   const struct vs_moref *dc, const char *ds_path,
                   struct err *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct err e;
	char *text = NULL;
	int rc;

	*out = NULL;
	err_clear(&e);
	rc = vdm_request(&req, &m, c, "QueryVirtualDiskUuid", dc, ds_path,
	                 err);
	if (rc != 0)
		return rc;
	rc = file_fault(vs_client_call(c, req, &resp, &r, &e), &e);
	if (rc != 0) {
		err_prefix(&e, "QueryVirtualDiskUuid %s", ds_path);
		err_keep_first(err, &e);
		goto cleanup;
	}
	rc = vs_vim_opt_text(&text, r, "returnval");
	if (rc == 0)
		rc = text != NULL ? uuid_normalize(out, text) : ERR_EPARSE;
	if (rc == ERR_ENOMEM)
		rc = err_set(err, ERR_ENOMEM, "QueryVirtualDiskUuid %s: "
		             "out of memory", ds_path);
	else if (rc != 0)
		rc = err_set(err, ERR_EPARSE, "QueryVirtualDiskUuid %s: "
		             "no uuid in the reply", ds_path);
cleanup:
	xmlFree(text);
	xmlFreeDoc(resp);
	return rc;
}

int
vs_disk__loc_fill(struct vs_disk_loc *out, const struct vs_disk_ds *ds,
                  char *path, char *uuid, struct err *err)
{
	memset(out, 0, sizeof(*out));
	out->datastore = ds->ref;
	if (strlen(ds->name) >= sizeof(out->datastore_name)) {
		free(path);
		free(uuid);
		return err_set(err, ERR_EINVAL, "datastore name too long");
	}
	snprintf(out->datastore_name, sizeof(out->datastore_name), "%s",
	         ds->name);
	out->path = path;
	out->uuid = uuid;
	return 0;
}

static const char *const disk_types[] = {
	[VS_DISK_PREALLOCATED] = "preallocated",
	[VS_DISK_THIN] = "thin",
	[VS_DISK_EAGER_ZEROED_THICK] = "eagerZeroedThick",
};

/* The disk's datastore path "[ds] <disk_path>/<cid>.vmdk" into *out,
 * with its directory made when missing. */
static int
target_path(char **out, struct vs_client *c, const struct vs_moref *dc,
            const char *ds_name, const char *disk_path, const char *cid,
            struct err *err)
{
	char *dir = NULL;
	int rc;

	rc = vs_disk_path(out, ds_name, disk_path, cid, err);
	if (rc == 0 && disk_path != NULL && disk_path[0] != '\0') {
		rc = vs_ds_path_format(&dir, ds_name, disk_path, err);
		if (rc == 0)
			rc = vs_file_make_directory(c, dc, dir, true, err);
	}
	free(dir);
	return rc;
}

int
vs_disk_create(struct vs_disk_loc *out, struct vs_client *c,
               const struct vs_moref *dc, const struct vs_disk_ds *ds,
               const char *disk_path, const char *cid, long long size_mb,
               int type, struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m, spec;
	struct err e;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	if (size_mb <= 0 || size_mb > 62LL * 1024 * 1024 || type < 0 ||
	    type > VS_DISK_EAGER_ZEROED_THICK || ds == NULL)
		return err_set(err, ERR_EINVAL, "create disk: bad size, "
		               "type or datastore");
	rc = vs_disk__check_ref(dc, "create disk", err);
	if (rc == 0)
		rc = target_path(&path, c, dc, ds->name, disk_path, cid, err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "CreateVirtualDisk_Task", dc,
		                 path, err);
	if (rc != 0)
		goto cleanup;
	/* CreateVirtualDisk_Task {name, datacenter, spec};
	 * FileBackedVirtualDiskSpec {VirtualDiskSpec {diskType,
	 * adapterType}; capacityKb, profile, crypto} */
	spec = vs_soap_add_obj(m, "spec", "FileBackedVirtualDiskSpec");
	vs_soap_add_text(spec, "diskType", disk_types[type]);
	vs_soap_add_text(spec, "adapterType", "lsiLogic");
	vs_soap_add_long(spec, "capacityKb", size_mb * 1024);
	rc = vs_task_call(NULL, c, req, VS_DISK_TASK_TIMEOUT_S, &e);
	req = NULL;
	if (rc != 0) {
		/* The reply was lost after vCenter may have run the task:
		 * remove what it may have made, so a failed create_disk
		 * leaves no file behind (a missing one is fine). */
		if (e.maybe_sent) {
			struct err ignored;

			vs_client_cleanup(c);
			err_clear(&ignored);
			if (vs_disk_delete(c, dc, path, &ignored) != 0 &&
			    ignored.code != ERR_ENOTFOUND)
				vs_client_logf(c, 2, "create disk: could not "
				               "remove %s after a lost reply: %s",
				               path, ignored.message);
		}
		err_prefix(&e, "CreateVirtualDisk_Task %s", path);
		err_keep_first(err, &e);
		goto cleanup;
	}
	rc = vs_disk__loc_fill(out, ds, path, NULL, err);
	path = NULL;
cleanup:
	xmlFreeDoc(req);
	free(path);
	return rc;
}

struct locate_ctx {
	struct vs_client *c;
	const struct vs_moref *dc;
	const char *disk_path;
	const char *cid;
};

/* Tries one datastore; 0 and out filled when the disk is there. */
static int
try_datastore(struct vs_disk_loc *out, const struct vs_disk_ds *ds,
              void *ctx, struct err *err)
{
	const struct locate_ctx *x = ctx;
	struct err e;
	char *path = NULL, *uuid = NULL;
	int rc;

	err_clear(&e);
	rc = vs_disk_path(&path, ds->name, x->disk_path, x->cid, err);
	if (rc != 0)
		return rc;
	rc = vs_disk_query_uuid(&uuid, x->c, x->dc, path, &e);
	if (rc != 0) {
		free(path);
		if (rc != ERR_ENOTFOUND)
			err_keep_first(err, &e);
		return rc;
	}
	return vs_disk__loc_fill(out, ds, path, uuid, err);
}

int
vs_disk_locate(struct vs_disk_loc *out, struct vs_client *c,
               const struct vs_moref *dc, const struct vs_disk_dss *dss,
               const char *pattern, const char *disk_path, const char *cid,
               struct err *err)
{
	struct locate_ctx x = { c, dc, disk_path, cid };
	int rc;

	memset(out, 0, sizeof(*out));
	if (!vs_disk_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a disk cid of this "
		               "CPI");
	rc = vs_disk__each_candidate(out, dss, pattern, try_datastore, &x,
	                             err);
	if (rc == ERR_ENOTFOUND)
		rc = err_set(err, ERR_ENOTFOUND, "disk %s: not found on "
		             "any datastore", cid);
	return rc;
}

int
vs_disk_delete(struct vs_client *c, const struct vs_moref *dc,
               const char *ds_path, struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	rc = vdm_request(&req, &m, c, "DeleteVirtualDisk_Task", dc, ds_path,
	                 err);
	if (rc != 0)
		return rc;
	return vdm_run(c, req, "DeleteVirtualDisk_Task", ds_path, err);
}

int
vs_disk_move(struct vs_disk_loc *out, struct vs_client *c,
             const struct vs_moref *dc, const char *src,
             const struct vs_disk_ds *dst_ds, const char *disk_path,
             const char *cid, struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = vs_disk__check_ref(dc, "MoveVirtualDisk_Task", err);
	if (rc == 0)
		rc = target_path(&path, c, dc, dst_ds->name, disk_path, cid,
		                 err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "MoveVirtualDisk_Task", dc,
		                 NULL, err);
	if (rc != 0)
		goto cleanup;
	/* {sourceName, sourceDatacenter, destName, destDatacenter, force,
	 * profile} */
	vs_soap_add_text(m, "sourceName", src);
	vs_soap_add_moref(m, "sourceDatacenter", dc);
	vs_soap_add_text(m, "destName", path);
	vs_soap_add_moref(m, "destDatacenter", dc);
	vs_soap_add_bool(m, "force", false);
	rc = vdm_run(c, req, "MoveVirtualDisk_Task", src, err);
	req = NULL;
	if (rc == 0) {
		rc = vs_disk__loc_fill(out, dst_ds, path, NULL, err);
		path = NULL;
	}
cleanup:
	xmlFreeDoc(req);
	free(path);
	return rc;
}

int
vs_disk_extend(struct vs_client *c, const struct vs_moref *dc,
               const char *ds_path, long long new_size_mb,
               struct err *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	if (new_size_mb <= 0 || new_size_mb > 62LL * 1024 * 1024)
		return err_set(err, ERR_EINVAL, "extend disk: bad size");
	rc = vdm_request(&req, &m, c, "ExtendVirtualDisk_Task", dc, ds_path,
	                 err);
	if (rc != 0)
		return rc;
	/* {name, datacenter, newCapacityKb, eagerZero} */
	vs_soap_add_long(m, "newCapacityKb", new_size_mb * 1024);
	vs_soap_add_bool(m, "eagerZero", false);
	return vdm_run(c, req, "ExtendVirtualDisk_Task", ds_path, err);
}
