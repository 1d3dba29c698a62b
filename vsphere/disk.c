/*
 * vsphere/disk.c: persistent disks (see disk.h for the rules).
 *
 * Round trips: a VirtualDiskManager task is one call plus the task wait
 * (one read when it has already finished); MakeDirectory one; a lookup
 * of a disk one QueryVirtualDiskUuid per datastore tried; the datastore
 * list and the scan for VMs using a disk one container view each (3).
 */
#include "vsphere/disk.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vsphere/client.h"
#include "vsphere/create.h"
#include "vsphere/files.h"
#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"

#define SCSI_UNITS 16           /* units 0..15 per SCSI controller */
#define SCSI_SELF_UNIT 7        /* the controller's own */
#define MAX_SETTINGS ((size_t)16 * 1024 * 1024)

/* --- helpers -------------------------------------------------------- */

static bool
same_ref(const struct vs_moref *a, const struct vs_moref *b)
{
	return strcmp(a->type, b->type) == 0 &&
	       strcmp(a->value, b->value) == 0;
}

static int
check_ref(const struct vs_moref *ref, const char *what,
          struct vs_error *err)
{
	if (ref == NULL || ref->type[0] == '\0' || ref->value[0] == '\0')
		return vs_error_set(err, VS_EINVAL, "%s: no reference", what);
	return 0;
}

static void
wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	memset(s, 0, len);
	free(s);
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

/* A VirtualDiskManager request with _this set. */
static int
vdm_request(xmlDocPtr *req, xmlNodePtr *m, struct vs_client *c,
            const char *method, struct vs_error *err)
{
	const struct vs_service_content *sc = vs_client_sc(c);
	int rc;

	*req = NULL;
	rc = check_ref(&sc->virtual_disk_manager, "VirtualDiskManager", err);
	if (rc == 0)
		rc = vs_soap_request_new(req, m, method,
		                         &sc->virtual_disk_manager, err);
	return rc;
}

/* Maps the faults that mean "no such file" to VS_ENOTFOUND. */
static int
file_fault(int rc, struct vs_error *e)
{
	if (rc != 0 && (strcmp(e->fault, "FileNotFound") == 0 ||
	                strcmp(e->fault, "NotFound") == 0))
		rc = e->code = VS_ENOTFOUND;
	return rc;
}

/* --- datastores ----------------------------------------------------- */

static void
ds_clear(struct vs_disk_ds *d)
{
	free(d->name);
}

void
vs_disk_dss_free(struct vs_disk_dss *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++)
		ds_clear(&d->items[i]);
	free(d->items);
	free(d);
}

static int
ds_from_object(struct vs_disk_ds *d, const struct vs_object *o,
               struct vs_error *err)
{
	struct vs_ds_summary *sum = NULL;
	xmlNodePtr val;
	int rc;

	d->ref = o->obj;
	rc = vs_object_get_node(&val, o, "summary", err);
	if (rc == 0)
		rc = vs_ds_summary_from_node(&sum, val, err);
	if (rc != 0)
		goto cleanup;
	if (sum->name == NULL) {
		rc = vs_error_set(err, VS_EPARSE, "datastore %s: no name",
		                  o->obj.value);
		goto cleanup;
	}
	d->name = strdup(sum->name);
	if (d->name == NULL) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	d->capacity = sum->capacity;
	d->free_space = sum->free_space;
	d->usable = sum->accessible && (sum->maintenance_mode == NULL ||
	            strcmp(sum->maintenance_mode, "normal") == 0);
cleanup:
	vs_ds_summary_free(sum);
	return rc;
}

int
vs_disk_datastores(struct vs_disk_dss **out, struct vs_client *c,
                   const struct vs_moref *dc, struct vs_error *err)
{
	static const char *const paths[] = { "summary", NULL };
	struct vs_objects *list = NULL;
	struct vs_disk_dss *dss = NULL;
	size_t i;
	int rc;

	*out = NULL;
	rc = check_ref(dc, "datastores", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, dc, "Datastore", paths, err);
	if (rc != 0)
		goto cleanup;
	dss = calloc(1, sizeof(*dss));
	if (dss != NULL && list->n > 0)
		dss->items = calloc(list->n, sizeof(*dss->items));
	if (dss == NULL || (list->n > 0 && dss->items == NULL)) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		dss->n = i + 1;
		rc = ds_from_object(&dss->items[i], &list->items[i], err);
		if (rc != 0) {
			vs_error_prefix(err, "datastore %s",
			                list->items[i].obj.value);
			goto cleanup;
		}
	}
	*out = dss;
	dss = NULL;
cleanup:
	vs_disk_dss_free(dss);
	vs_objects_free(list);
	return rc;
}

void
vs_disk_reach_clear(struct vs_disk_reach *r)
{
	if (r == NULL)
		return;
	free(r->items);
	memset(r, 0, sizeof(*r));
}

int
vs_disk_host_reach(struct vs_disk_reach *out, struct vs_client *c,
                   const struct vs_moref *host, struct vs_error *err)
{
	static const char *const paths[] = { "datastore", NULL };
	const struct vs_moref *refs;
	struct vs_object *o = NULL;
	struct vs_error e;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	rc = check_ref(host, "host datastores", err);
	if (rc == 0)
		rc = vs_get_props(&o, c, host, paths, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_object_get_morefs(&refs, &n, o, "datastore", &e);
	if (rc == VS_ENOTFOUND) {
		rc = 0;
		goto cleanup;
	}
	if (rc != 0) {
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	if (n > 0) {
		out->items = calloc(n, sizeof(*out->items));
		if (out->items == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
		memcpy(out->items, refs, n * sizeof(*refs));
		out->n = n;
	}
cleanup:
	vs_object_free(o);
	return rc;
}

bool
vs_disk_ds_reaches(const struct vs_disk_ds *ds,
                   const struct vs_disk_reach *reach)
{
	size_t i;

	if (ds == NULL || reach == NULL)
		return false;
	for (i = 0; i < reach->n; i++) {
		if (same_ref(&reach->items[i], &ds->ref))
			return true;
	}
	return false;
}

int
vs_disk_ds_wanted(bool *out, const struct vs_disk_ds *ds,
                  const char *pattern, const char *const *names,
                  size_t nnames, struct vs_error *err)
{
	size_t i;

	*out = false;
	if (nnames > 0) {
		for (i = 0; i < nnames; i++) {
			if (names[i] != NULL && strcmp(names[i], ds->name) == 0)
				*out = true;
		}
		return 0;
	}
	if (pattern == NULL || pattern[0] == '\0') {
		*out = true;
		return 0;
	}
	return vs_pattern_matches(out, pattern, ds->name,
	                          "persistent datastore pattern", err);
}

int
vs_disk_pick_datastore(const struct vs_disk_ds **out,
                       const struct vs_disk_dss *dss, const char *pattern,
                       const char *const *names, size_t nnames,
                       const struct vs_disk_reach *reach,
                       long long need_bytes, struct vs_error *err)
{
	const struct vs_disk_ds *best = NULL;
	bool best_near = false, wanted;
	size_t i, nwanted = 0;
	int rc;

	*out = NULL;
	for (i = 0; dss != NULL && i < dss->n; i++) {
		const struct vs_disk_ds *d = &dss->items[i];
		bool near;

		rc = vs_disk_ds_wanted(&wanted, d, pattern, names, nnames,
		                       err);
		if (rc != 0)
			return rc;
		if (!wanted)
			continue;
		nwanted++;
		if (!d->usable || d->free_space < need_bytes)
			continue;
		near = reach == NULL || vs_disk_ds_reaches(d, reach);
		if (best == NULL || (near && !best_near) ||
		    (near == best_near && d->free_space > best->free_space)) {
			best = d;
			best_near = near;
		}
	}
	if (best == NULL) {
		if (nwanted == 0)
			return vs_error_set(err, VS_ENOTFOUND, "no datastore "
			                    "matches the persistent datastore "
			                    "pattern or names");
		return vs_error_set(err, VS_ENOTFOUND, "none of the %zu "
		                    "matching datastores is usable with %lld "
		                    "MB free", nwanted, need_bytes / 1048576);
	}
	*out = best;
	return 0;
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
             const char *cid, struct vs_error *err)
{
	char rel[VS_DS_PATH_MAX];
	int n;

	*out = NULL;
	if (!vs_disk_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a disk cid of this "
		                    "CPI");
	if (disk_path == NULL || disk_path[0] == '\0')
		n = snprintf(rel, sizeof(rel), "%s.vmdk", cid);
	else
		n = snprintf(rel, sizeof(rel), "%s/%s.vmdk", disk_path, cid);
	if (n < 0 || (size_t)n >= sizeof(rel))
		return vs_error_set(err, VS_EINVAL, "disk path too long");
	return vs_ds_path_format(out, datastore, rel, err);
}

/* Lower-case 8-4-4-4-12 from vCenter's forms ("60 00 c2 9a …-…" or
 * already canonical); NULL when s does not hold 32 hex digits. */
static char *
uuid_normalize(const char *s)
{
	char hex[33], *out;
	size_t i, n = 0;

	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) ||
		    n >= 32)
			return NULL;
		hex[n++] = ch;
	}
	if (n != 32)
		return NULL;
	hex[32] = '\0';
	out = malloc(37);
	if (out == NULL)
		return NULL;
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8,
	         hex + 12, hex + 16, hex + 20);
	return out;
}

int
vs_disk_query_uuid(char **out, struct vs_client *c,
                   const struct vs_moref *dc, const char *ds_path,
                   struct vs_error *err)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	struct vs_error e;
	char *text = NULL;
	int rc;

	*out = NULL;
	vs_error_clear(&e);
	rc = check_ref(dc, "QueryVirtualDiskUuid", err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "QueryVirtualDiskUuid", err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "name", ds_path);
	vs_soap_add_moref(m, "datacenter", dc);
	rc = file_fault(vs_client_call(c, req, &resp, &r, &e), &e);
	if (rc != 0) {
		vs_error_prefix(&e, "QueryVirtualDiskUuid %s", ds_path);
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	text = vs_xml_child_text(r, "returnval");
	*out = text != NULL ? uuid_normalize(text) : NULL;
	if (*out == NULL)
		rc = vs_error_set(err, VS_EPARSE, "QueryVirtualDiskUuid %s: "
		                  "no uuid in the reply", ds_path);
cleanup:
	if (text != NULL)
		xmlFree(text);
	xmlFreeDoc(resp);
	return rc;
}

static int
loc_fill(struct vs_disk_loc *out, const struct vs_disk_ds *ds, char *path,
         struct vs_error *err)
{
	memset(out, 0, sizeof(*out));
	out->datastore = ds->ref;
	if (strlen(ds->name) >= sizeof(out->datastore_name)) {
		free(path);
		return vs_error_set(err, VS_EINVAL, "datastore name too long");
	}
	snprintf(out->datastore_name, sizeof(out->datastore_name), "%s",
	         ds->name);
	out->path = path;
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
            struct vs_error *err)
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
               int type, struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m, spec;
	struct vs_error e;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	if (size_mb <= 0 || size_mb > 62LL * 1024 * 1024 || type < 0 ||
	    type > VS_DISK_EAGER_ZEROED_THICK || ds == NULL)
		return vs_error_set(err, VS_EINVAL, "create disk: bad size, "
		                    "type or datastore");
	rc = check_ref(dc, "create disk", err);
	if (rc == 0)
		rc = target_path(&path, c, dc, ds->name, disk_path, cid, err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "CreateVirtualDisk_Task", err);
	if (rc != 0)
		goto cleanup;
	/* CreateVirtualDisk_Task {name, datacenter, spec};
	 * FileBackedVirtualDiskSpec {VirtualDiskSpec {diskType,
	 * adapterType}; capacityKb, profile, crypto} */
	vs_soap_add_text(m, "name", path);
	vs_soap_add_moref(m, "datacenter", dc);
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
			struct vs_error ignored;

			vs_client_cleanup(c);
			vs_error_clear(&ignored);
			if (vs_disk_delete(c, dc, path, &ignored) != 0 &&
			    ignored.code != VS_ENOTFOUND)
				vs_client_logf(c, 2, "create disk: could not "
				               "remove %s after a lost reply: %s",
				               path, ignored.message);
		}
		vs_error_prefix(&e, "CreateVirtualDisk_Task %s", path);
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	rc = loc_fill(out, ds, path, err);
	path = NULL;
cleanup:
	xmlFreeDoc(req);
	free(path);
	return rc;
}

/* Tries one datastore; 0 and out filled when the disk is there. */
static int
try_datastore(struct vs_disk_loc *out, struct vs_client *c,
              const struct vs_moref *dc, const struct vs_disk_ds *ds,
              const char *disk_path, const char *cid, struct vs_error *err)
{
	struct vs_error e;
	char *path = NULL, *uuid = NULL;
	int rc;

	vs_error_clear(&e);
	rc = vs_disk_path(&path, ds->name, disk_path, cid, err);
	if (rc != 0)
		return rc;
	rc = vs_disk_query_uuid(&uuid, c, dc, path, &e);
	if (rc != 0) {
		free(path);
		if (rc != VS_ENOTFOUND)
			vs_error_keep_first(err, &e);
		return rc;
	}
	rc = loc_fill(out, ds, path, err);
	if (rc == 0)
		out->uuid = uuid;
	else
		free(uuid);
	return rc;
}

int
vs_disk_locate(struct vs_disk_loc *out, struct vs_client *c,
               const struct vs_moref *dc, const struct vs_disk_dss *dss,
               const char *pattern, const char *disk_path, const char *cid,
               struct vs_error *err)
{
	bool wanted;
	size_t i;
	int pass, rc;

	memset(out, 0, sizeof(*out));
	if (!vs_disk_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a disk cid of this "
		                    "CPI");
	/* pass 0: the datastores of the pattern; pass 1: the others */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; dss != NULL && i < dss->n; i++) {
			const struct vs_disk_ds *d = &dss->items[i];

			if (!d->usable)
				continue;
			rc = vs_disk_ds_wanted(&wanted, d, pattern, NULL, 0,
			                       err);
			if (rc != 0)
				return rc;
			if (wanted != (pass == 0))
				continue;
			rc = try_datastore(out, c, dc, d, disk_path, cid, err);
			if (rc != VS_ENOTFOUND)
				return rc;
		}
	}
	return vs_error_set(err, VS_ENOTFOUND, "disk %s: not found on any "
	                    "datastore", cid);
}

int
vs_disk_delete(struct vs_client *c, const struct vs_moref *dc,
               const char *ds_path, struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	rc = check_ref(dc, "DeleteVirtualDisk_Task", err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "DeleteVirtualDisk_Task", err);
	if (rc != 0)
		return rc;
	vs_soap_add_text(m, "name", ds_path);
	vs_soap_add_moref(m, "datacenter", dc);
	rc = vs_task_call(NULL, c, req, VS_DISK_TASK_TIMEOUT_S, &e);
	rc = file_fault(rc, &e);
	if (rc != 0) {
		vs_error_prefix(&e, "DeleteVirtualDisk_Task %s", ds_path);
		vs_error_keep_first(err, &e);
	}
	return rc;
}

int
vs_disk_move(struct vs_disk_loc *out, struct vs_client *c,
             const struct vs_moref *dc, const char *src,
             const struct vs_disk_ds *dst_ds, const char *disk_path,
             const char *cid, struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	char *path = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	rc = check_ref(dc, "MoveVirtualDisk_Task", err);
	if (rc == 0)
		rc = target_path(&path, c, dc, dst_ds->name, disk_path, cid,
		                 err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "MoveVirtualDisk_Task", err);
	if (rc != 0)
		goto cleanup;
	/* {sourceName, sourceDatacenter, destName, destDatacenter, force,
	 * profile} */
	vs_soap_add_text(m, "sourceName", src);
	vs_soap_add_moref(m, "sourceDatacenter", dc);
	vs_soap_add_text(m, "destName", path);
	vs_soap_add_moref(m, "destDatacenter", dc);
	vs_soap_add_bool(m, "force", false);
	rc = vs_task_call(NULL, c, req, VS_DISK_TASK_TIMEOUT_S, &e);
	rc = file_fault(rc, &e);
	req = NULL;
	if (rc != 0) {
		vs_error_prefix(&e, "MoveVirtualDisk_Task %s", src);
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	rc = loc_fill(out, dst_ds, path, err);
	path = NULL;
cleanup:
	xmlFreeDoc(req);
	free(path);
	return rc;
}

int
vs_disk_extend(struct vs_client *c, const struct vs_moref *dc,
               const char *ds_path, long long new_size_mb,
               struct vs_error *err)
{
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	struct vs_error e;
	int rc;

	vs_error_clear(&e);
	if (new_size_mb <= 0 || new_size_mb > 62LL * 1024 * 1024)
		return vs_error_set(err, VS_EINVAL, "extend disk: bad size");
	rc = check_ref(dc, "ExtendVirtualDisk_Task", err);
	if (rc == 0)
		rc = vdm_request(&req, &m, c, "ExtendVirtualDisk_Task", err);
	if (rc != 0)
		return rc;
	/* {name, datacenter, newCapacityKb, eagerZero} */
	vs_soap_add_text(m, "name", ds_path);
	vs_soap_add_moref(m, "datacenter", dc);
	vs_soap_add_long(m, "newCapacityKb", new_size_mb * 1024);
	vs_soap_add_bool(m, "eagerZero", false);
	rc = vs_task_call(NULL, c, req, VS_DISK_TASK_TIMEOUT_S, &e);
	rc = file_fault(rc, &e);
	if (rc != 0) {
		vs_error_prefix(&e, "ExtendVirtualDisk_Task %s", ds_path);
		vs_error_keep_first(err, &e);
	}
	return rc;
}

/* --- VMs ------------------------------------------------------------ */

void
vs_disk_vm_free(struct vs_disk_vm *v)
{
	size_t i;

	if (v == NULL)
		return;
	vs_vm_info_free(v->info);
	wipe_free(v->settings, v->settings_len);
	for (i = 0; i < v->nrecords; i++)
		vs_disk_record_clear(&v->records[i]);
	free(v->records);
	free(v);
}

static int
b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

/* Standard base64 with padding (whitespace skipped) into *out
 * (*len_out bytes, NUL-terminated).  VS_EPARSE when s is not base64,
 * VS_ENOMEM when out of memory. */
static int
b64_decode(char **out, size_t *len_out, const char *s)
{
	size_t len = strlen(s), n = 0, i;
	unsigned acc = 0;
	int bits = 0, pad = 0, v;
	bool ok = true;
	char *buf;

	*out = NULL;
	*len_out = 0;
	if (len / 4 * 3 + 1 > MAX_SETTINGS)
		return VS_EPARSE;
	buf = malloc(len / 4 * 3 + 4);
	if (buf == NULL)
		return VS_ENOMEM;
	for (i = 0; ok && i < len; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == ' ')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		v = b64_value(s[i]);
		if (v < 0 || pad > 0) {
			ok = false;
			continue;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	if (!ok || pad > 2 || n == 0) {
		wipe_free(buf, len / 4 * 3 + 4);
		return VS_EPARSE;
	}
	buf[n] = '\0';
	*out = buf;
	*len_out = n;
	return 0;
}

/* The text of parent's child name into *out (xmlFree), NULL when there
 * is no such child.  VS_ENOMEM when there is one but its text could not
 * be copied: that must not read as "absent". */
static int
opt_text(char **out, xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = vs_xml_child(parent, name);

	*out = NULL;
	if (n == NULL)
		return 0;
	*out = (char *)xmlNodeGetContent(n);
	return *out == NULL ? VS_ENOMEM : 0;
}

/* Replaces *slot (wiped) by a copy of value. */
static int
replace_copy(char **slot, const char *value)
{
	char *copy = strdup(value);

	if (copy == NULL)
		return VS_ENOMEM;
	if (*slot != NULL)
		wipe_free(*slot, strlen(*slot));
	*slot = copy;
	return 0;
}

/* The Ruby CPI's disk records in config.vAppConfig (disk.h): every
 * property of category "BOSH Persistent Disks".  Anything malformed is
 * skipped. */
static int
read_vapp(struct vs_disk_vm *v, const struct vs_object *o,
          struct vs_error *err)
{
	const struct vs_prop *p = vs_object_prop(o, "config.vAppConfig");
	struct vs_error e;
	xmlNodePtr val, prop;
	char *key, *cat, *label;
	long long k;
	int rc = 0;

	if (p == NULL || p->kind == VS_PROP_TEXT)
		return 0;
	vs_error_clear(&e);
	if (vs_object_get_node(&val, o, "config.vAppConfig", &e) != 0)
		return 0;
	for (prop = vs_xml_child(val, "property"); rc == 0 && prop != NULL;
	     prop = vs_xml_next(prop, "property")) {
		key = vs_xml_child_text(prop, "key");
		cat = vs_xml_child_text(prop, "category");
		label = vs_xml_child_text(prop, "label");
		if (label == NULL)
			label = vs_xml_child_text(prop, "id");
		vs_error_clear(&e);
		if (key != NULL && cat != NULL && label != NULL &&
		    strcmp(cat, "BOSH Persistent Disks") == 0 &&
		    vs_parse_long(&k, key, INT32_MIN, INT32_MAX, &e) == 0)
			rc = vs_disk_vm_take_vapp(v, k, label, err);
		xmlFree(key);
		xmlFree(cat);
		xmlFree(label);
	}
	return rc;
}

/* config.extraConfig: disk.enableUUID, guestinfo.userdata and the disk
 * records; config.vAppConfig: the Ruby CPI's disk records.  Settings
 * that are there but not readable (bad base64, an unknown encoding) are
 * left NULL with a warning; running out of memory fails the read, so a
 * caller never mistakes it for "no settings". */
static int
read_extra(struct vs_disk_vm *v, struct vs_client *c,
           const struct vs_moref *vm, struct vs_error *err)
{
	static const char *const paths[] = {
		"config.extraConfig", "config.vAppConfig", NULL,
	};
	struct vs_object *o = NULL;
	const struct vs_prop *p;
	struct vs_error e;
	xmlNodePtr val, opt;
	char *key = NULL, *value = NULL, *userdata = NULL, *encoding = NULL;
	int rc;

	vs_error_clear(&e);
	rc = vs_get_props(&o, c, vm, paths, err);
	if (rc != 0)
		return rc;
	rc = read_vapp(v, o, err);
	if (rc != 0)
		goto cleanup;
	p = vs_object_prop(o, "config.extraConfig");
	if (p != NULL && p->kind == VS_PROP_TEXT &&
	    (p->text == NULL || p->text[0] == '\0'))
		goto cleanup;   /* an empty list */
	rc = vs_object_get_node(&val, o, "config.extraConfig", &e);
	if (rc == VS_ENOTFOUND) {
		rc = 0;
		goto cleanup;
	}
	if (rc != 0) {
		vs_error_keep_first(err, &e);
		goto cleanup;
	}
	for (opt = vs_xml_child(val, "OptionValue"); rc == 0 && opt != NULL;
	     opt = vs_xml_next(opt, "OptionValue")) {
		rc = opt_text(&key, opt, "key");
		if (rc == 0)
			rc = opt_text(&value, opt, "value");
		if (rc == 0 && key != NULL && value != NULL) {
			rc = vs_disk_vm_take_option(v, key, value, err);
			if (rc != 0) {
				memset(value, 0, strlen(value));
				xmlFree(key);
				xmlFree(value);
				goto cleanup;
			}
			if (strcmp(key, "disk.enableUUID") == 0)
				v->enable_uuid = strcmp(value, "1") == 0 ||
				                 strcasecmp(value, "true") == 0;
			if (strcmp(key, "guestinfo.userdata") == 0)
				rc = replace_copy(&userdata, value);
			if (strcmp(key, "guestinfo.userdata.encoding") == 0)
				rc = replace_copy(&encoding, value);
		}
		if (value != NULL)
			memset(value, 0, strlen(value));
		xmlFree(key);
		xmlFree(value);
		key = value = NULL;
	}
	if (rc == 0 && userdata != NULL) {
		if (encoding != NULL && strcmp(encoding, "base64") == 0) {
			rc = b64_decode(&v->settings, &v->settings_len,
			                userdata);
			if (rc == VS_EPARSE)
				rc = 0;
		} else if (encoding == NULL) {
			rc = replace_copy(&v->settings, userdata);
			v->settings_len = v->settings != NULL ?
			                  strlen(v->settings) : 0;
		}
		if (rc == 0 && v->settings == NULL)
			vs_client_logf(c, 2, "VM %s: guestinfo.userdata is not "
			               "readable", vm->value);
	}
	if (rc != 0)
		rc = vs_error_set(err, VS_ENOMEM, "VM %s: out of memory "
		                  "reading config.extraConfig", vm->value);
cleanup:
	if (userdata != NULL)
		wipe_free(userdata, strlen(userdata));
	free(encoding);
	vs_object_free(o);
	return rc;
}

int
vs_disk_vm_read(struct vs_disk_vm **out, struct vs_client *c,
                const struct vs_moref *vm, struct vs_error *err)
{
	struct vs_disk_vm *v;
	int rc;

	*out = NULL;
	v = calloc(1, sizeof(*v));
	if (v == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	rc = vs_vm_info(&v->info, c, vm, err);
	if (rc == 0)
		rc = read_extra(v, c, vm, err);
	if (rc != 0) {
		vs_disk_vm_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/* The last path component of a "[ds] dir/file" name. */
static const char *
base_name(const char *file_name)
{
	const char *slash = strrchr(file_name, '/');
	const char *bracket;

	if (slash != NULL)
		return slash + 1;
	bracket = strchr(file_name, ']');
	if (bracket == NULL)
		return file_name;
	bracket++;
	while (*bracket == ' ')
		bracket++;
	return bracket;
}

bool
vs_disk_device_cid(char *buf, size_t size, const struct vs_vm_device *d)
{
	const char *b;
	size_t len;

	if (d == NULL || d->kind != VS_VM_DEV_DISK || d->file_name == NULL)
		return false;
	b = base_name(d->file_name);
	len = strlen(b);
	if (len <= 5 || strcmp(b + len - 5, ".vmdk") != 0 ||
	    len - 5 >= size)
		return false;
	memcpy(buf, b, len - 5);
	buf[len - 5] = '\0';
	return true;
}

const struct vs_vm_device *
vs_disk_vm_device(const struct vs_vm_info *info, const char *cid)
{
	char buf[VS_DISK_CID_MAX + 1];
	size_t i;

	if (info == NULL || !vs_disk_cid_valid(cid))
		return NULL;
	for (i = 0; i < info->ndevices; i++) {
		if (vs_disk_device_cid(buf, sizeof(buf), &info->devices[i]) &&
		    strcmp(buf, cid) == 0)
			return &info->devices[i];
	}
	return NULL;
}

static bool
is_scsi_controller(const struct vs_vm_device *d)
{
	static const char *const types[] = {
		"ParaVirtualSCSIController", "VirtualLsiLogicController",
		"VirtualLsiLogicSASController", "VirtualBusLogicController",
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(d->type, types[i]) == 0)
			return true;
	}
	return false;
}

int
vs_disk_free_unit(int *ctl_key_out, int *unit_out,
                  const struct vs_vm_info *info, struct vs_error *err)
{
	bool used[SCSI_UNITS];
	size_t i, j, nctl = 0;
	int u;

	*ctl_key_out = 0;
	*unit_out = -1;
	for (i = 0; info != NULL && i < info->ndevices; i++) {
		const struct vs_vm_device *ctl = &info->devices[i];

		if (!is_scsi_controller(ctl))
			continue;
		nctl++;
		memset(used, 0, sizeof(used));
		used[SCSI_SELF_UNIT] = true;
		for (j = 0; j < info->ndevices; j++) {
			const struct vs_vm_device *d = &info->devices[j];

			if (d->has_controller_key &&
			    d->controller_key == ctl->key &&
			    d->has_unit_number && d->unit_number >= 0 &&
			    d->unit_number < SCSI_UNITS)
				used[d->unit_number] = true;
		}
		for (u = 0; u < SCSI_UNITS; u++) {
			if (!used[u]) {
				*ctl_key_out = ctl->key;
				*unit_out = u;
				return 0;
			}
		}
	}
	if (nctl == 0)
		return vs_error_set(err, VS_ENOTFOUND, "VM %s has no SCSI "
		                    "controller", info != NULL ?
		                    info->vm.value : "?");
	return vs_error_set(err, VS_ENOTFOUND, "VM %s: every unit of its %zu "
	                    "SCSI controller(s) is taken", info->vm.value,
	                    nctl);
}

#define MAX_SCSI_CONTROLLERS 4
#define NEW_CONTROLLER_KEY (-100)

int
vs_disk_pick_slot(struct vs_disk_slot *out, const struct vs_vm_info *info,
                  struct vs_error *err)
{
	struct vs_error e;
	const char *type = "ParaVirtualSCSIController";
	size_t i;
	int nctl = 0, rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	rc = vs_disk_free_unit(&out->ctl_key, &out->unit, info, &e);
	if (rc != VS_ENOTFOUND) {
		if (rc != 0)
			vs_error_keep_first(err, &e);
		return rc;
	}
	for (i = 0; info != NULL && i < info->ndevices; i++) {
		if (!is_scsi_controller(&info->devices[i]))
			continue;
		if (nctl == 0)
			type = info->devices[i].type;
		nctl++;
	}
	if (info == NULL || nctl >= MAX_SCSI_CONTROLLERS)
		return vs_error_set(err, VS_ENOTFOUND, "VM %s: every unit of "
		                    "its %d SCSI controllers is taken",
		                    info != NULL ? info->vm.value : "?", nctl);
	out->new_controller = true;
	out->ctl_key = NEW_CONTROLLER_KEY;
	out->unit = 0;
	out->bus = nctl;
	snprintf(out->ctl_type, sizeof(out->ctl_type), "%s", type);
	return 0;
}

/* The reconfigure of attach and detach: the disk change (after a new
 * controller when ctl is not NULL) plus the settings. */
static int
disk_reconfigure(struct vs_client *c, const struct vs_vm_info *info,
                 const struct vs_vm_device_change *ctl,
                 const struct vs_vm_device_change *ch, const char *settings,
                 size_t settings_len, const struct vs_vm_option *recs,
                 size_t nrecs, struct vs_error *err)
{
	struct vs_vm_device_change both[2];
	struct vs_vm_option *extra = NULL;
	struct vs_vm_config cfg;
	char *userdata = NULL;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.changes = ch;
	cfg.nchanges = 1;
	if (ctl != NULL) {
		both[0] = *ctl;
		both[1] = *ch;
		cfg.changes = both;
		cfg.nchanges = 2;
	}
	if (nrecs > 16)
		return vs_error_set(err, VS_EINVAL, "too many disk records");
	extra = calloc(nrecs + 2, sizeof(*extra));
	if (extra == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	if (settings != NULL) {
		rc = vs_base64(&userdata, settings, settings_len, err);
		if (rc != 0) {
			free(extra);
			return rc;
		}
		extra[0].key = "guestinfo.userdata";
		extra[0].value = userdata;
		extra[1].key = "guestinfo.userdata.encoding";
		extra[1].value = "base64";
		cfg.nextra = 2;
	}
	if (nrecs > 0)
		memcpy(&extra[cfg.nextra], recs, nrecs * sizeof(*recs));
	cfg.nextra += nrecs;
	if (cfg.nextra > 0)
		cfg.extra = extra;
	rc = vs_vm_reconfigure(c, &info->vm, &cfg, err);
	if (userdata != NULL)
		wipe_free(userdata, strlen(userdata));
	free(extra);
	return rc;
}

int
vs_disk_attach(struct vs_client *c, const struct vs_vm_info *info,
               const char *ds_path, const struct vs_moref *ds,
               const struct vs_disk_slot *slot, const char *settings,
               size_t settings_len, const struct vs_vm_option *recs,
               size_t nrecs, struct vs_error *err)
{
	struct vs_vm_device_change ch, ctl;

	if (info == NULL || ds_path == NULL || slot == NULL ||
	    slot->unit < 0 || slot->unit >= SCSI_UNITS ||
	    slot->unit == SCSI_SELF_UNIT)
		return vs_error_set(err, VS_EINVAL, "attach disk: bad "
		                    "arguments");
	memset(&ctl, 0, sizeof(ctl));
	if (slot->new_controller) {
		ctl.operation = VS_VM_OP_ADD;
		ctl.kind = VS_VM_DEV_CONTROLLER;
		ctl.type_name = slot->ctl_type;
		ctl.key = slot->ctl_key;
		ctl.bus_number = slot->bus;
	}
	memset(&ch, 0, sizeof(ch));
	ch.operation = VS_VM_OP_ADD;
	ch.file_operation = VS_VM_FILEOP_NONE;      /* the file exists */
	ch.kind = VS_VM_DEV_DISK;
	ch.key = -1;
	ch.controller_key = slot->ctl_key;
	ch.has_unit_number = true;
	ch.unit_number = slot->unit;
	ch.file_name = ds_path;
	ch.datastore = ds;
	ch.disk_mode = "independent_persistent";
	ch.capacity_kb = 0;     /* an existing file: vCenter reads it */
	return disk_reconfigure(c, info, slot->new_controller ? &ctl : NULL,
	                        &ch, settings, settings_len, recs, nrecs, err);
}

int
vs_disk_detach(struct vs_client *c, const struct vs_vm_info *info,
               const struct vs_vm_device *d, const char *settings,
               size_t settings_len, const struct vs_vm_option *recs,
               size_t nrecs, struct vs_error *err)
{
	struct vs_vm_device_change ch;

	if (info == NULL || d == NULL || d->kind != VS_VM_DEV_DISK ||
	    d->file_name == NULL)
		return vs_error_set(err, VS_EINVAL, "detach disk: bad "
		                    "arguments");
	memset(&ch, 0, sizeof(ch));
	ch.operation = VS_VM_OP_REMOVE;
	ch.file_operation = VS_VM_FILEOP_NONE;      /* the file stays */
	ch.kind = VS_VM_DEV_DISK;
	ch.type_name = d->type;
	ch.key = d->key;
	ch.controller_key = d->has_controller_key ? d->controller_key : 0;
	ch.has_unit_number = d->has_unit_number;
	ch.unit_number = d->unit_number;
	ch.file_name = d->file_name;
	ch.datastore = d->has_datastore ? &d->datastore : NULL;
	ch.disk_mode = d->disk_mode;
	ch.capacity_kb = d->capacity_kb;
	return disk_reconfigure(c, info, NULL, &ch, settings, settings_len,
	                        recs, nrecs, err);
}

int
vs_disk_users(struct vs_vm_names **out, struct vs_client *c,
              const struct vs_moref *folder, const char *cid,
              struct vs_error *err)
{
	static const char *const paths[] = {
		"name", "config.hardware.device", NULL,
	};
	struct vs_objects *list = NULL;
	struct vs_vm_names *names = NULL;
	char want[VS_DISK_CID_MAX + 8];
	size_t i, j;
	int rc;

	*out = NULL;
	if (!vs_disk_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a disk cid of this "
		                    "CPI");
	snprintf(want, sizeof(want), "%s.vmdk", cid);
	rc = check_ref(folder, "disk users", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, folder, "VirtualMachine", paths, err);
	if (rc != 0)
		goto cleanup;
	names = calloc(1, sizeof(*names));
	if (names != NULL && list->n > 0)
		names->items = calloc(list->n, sizeof(char *));
	if (names == NULL || (list->n > 0 && names->items == NULL)) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < list->n; i++) {
		const struct vs_object *o = &list->items[i];
		struct vs_devices *devs = NULL;
		struct vs_error e;
		const char *name = NULL;
		bool uses = false;

		vs_error_clear(&e);
		rc = vs_object_get_devices(&devs, o, "config.hardware.device",
		                           &e);
		if (rc == VS_ENOTFOUND)
			continue;       /* no config (being created) */
		if (rc != 0) {
			vs_error_prefix(&e, "VM %s", o->obj.value);
			vs_error_keep_first(err, &e);
			goto cleanup;
		}
		for (j = 0; j < devs->n; j++) {
			const struct vs_device *d = &devs->items[j];

			if (strcmp(d->type, "VirtualDisk") == 0 &&
			    d->file_name != NULL &&
			    strcmp(base_name(d->file_name), want) == 0)
				uses = true;
		}
		vs_devices_free(devs);
		if (!uses)
			continue;
		vs_error_clear(&e);
		if (vs_object_get_str(&name, o, "name", &e) != 0)
			name = o->obj.value;
		names->items[names->n] = strdup(name);
		if (names->items[names->n] == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
		names->n++;
	}
	*out = names;
	names = NULL;
cleanup:
	vs_vm_names_free(names);
	vs_objects_free(list);
	return rc;
}

/* The file of the first VirtualDisk named want among list's VMs' devices
 * (malloc'd into *out, NULL when none). */
static int
attached_file(char **out, const struct vs_objects *list, const char *want,
              struct vs_error *err)
{
	size_t i, j;
	int rc;

	*out = NULL;
	for (i = 0; i < list->n && *out == NULL; i++) {
		struct vs_devices *devs = NULL;
		struct vs_error e;

		vs_error_clear(&e);
		rc = vs_object_get_devices(&devs, &list->items[i],
		                           "config.hardware.device", &e);
		if (rc == VS_ENOTFOUND)
			continue;       /* no config (being created) */
		if (rc != 0) {
			vs_error_prefix(&e, "VM %s", list->items[i].obj.value);
			vs_error_keep_first(err, &e);
			return rc;
		}
		for (j = 0; j < devs->n && *out == NULL; j++) {
			const struct vs_device *d = &devs->items[j];

			if (strcmp(d->type, "VirtualDisk") != 0 ||
			    d->file_name == NULL ||
			    strcmp(base_name(d->file_name), want) != 0)
				continue;
			*out = strdup(d->file_name);
			if (*out == NULL) {
				vs_devices_free(devs);
				return vs_error_set(err, VS_ENOMEM,
				                    "out of memory");
			}
		}
		vs_devices_free(devs);
	}
	return 0;
}

int
vs_disk_find_attached(struct vs_disk_loc *out, struct vs_client *c,
                      const struct vs_moref *dc,
                      const struct vs_moref *folder,
                      const struct vs_disk_dss *dss, const char *cid,
                      struct vs_error *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	struct vs_objects *list = NULL;
	struct vs_ds_path where = { 0 };
	const struct vs_disk_ds *ds = NULL;
	struct vs_error e;
	char want[VS_DISK_CID_MAX + 8], *file = NULL, *uuid = NULL;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	vs_error_clear(&e);
	if (!vs_disk_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a disk cid");
	snprintf(want, sizeof(want), "%s.vmdk", cid);
	rc = check_ref(folder, "disk attachments", err);
	if (rc == 0)
		rc = vs_pc_list(&list, c, folder, "VirtualMachine", paths, err);
	if (rc == 0)
		rc = attached_file(&file, list, want, err);
	if (rc == 0 && file == NULL)
		rc = vs_error_set(err, VS_ENOTFOUND, "disk %s: attached to no "
		                  "VM", cid);
	if (rc == 0)
		rc = vs_ds_path_parse(&where, file, err);
	for (i = 0; rc == 0 && dss != NULL && i < dss->n; i++) {
		if (strcmp(dss->items[i].name, where.datastore) == 0)
			ds = &dss->items[i];
	}
	if (rc == 0 && ds == NULL)
		rc = vs_error_set(err, VS_ENOTFOUND, "disk %s: attached as %s, "
		                  "a datastore of no datacenter's", cid, file);
	if (rc == 0) {
		rc = vs_disk_query_uuid(&uuid, c, dc, file, &e);
		if (rc != 0)
			vs_error_keep_first(err, &e);
	}
	if (rc == 0) {
		rc = loc_fill(out, ds, file, err);
		file = NULL;
	}
	if (rc == 0) {
		out->uuid = uuid;
		uuid = NULL;
	}
	free(uuid);
	free(file);
	vs_ds_path_clear(&where);
	vs_objects_free(list);
	return rc;
}

/* "<folderPath><want>" of the first file named want in the search
 * results node (ArrayOfHostDatastoreBrowserSearchResults), or NULL. */
static int
search_hit(char **out, xmlNodePtr results, const char *want,
           struct vs_error *err)
{
	xmlNodePtr r, f;
	char *folder, *path;
	size_t len;
	bool hit;

	*out = NULL;
	for (r = vs_xml_child(results, "HostDatastoreBrowserSearchResults");
	     r != NULL && *out == NULL;
	     r = vs_xml_next(r, "HostDatastoreBrowserSearchResults")) {
		folder = vs_xml_child_text(r, "folderPath");
		if (folder == NULL)
			continue;
		for (f = vs_xml_child(r, "file"); f != NULL && *out == NULL;
		     f = vs_xml_next(f, "file")) {
			path = vs_xml_child_text(f, "path");
			hit = path != NULL && strcmp(path, want) == 0;
			xmlFree(path);
			if (!hit)
				continue;
			len = strlen(folder);
			*out = malloc(len + strlen(want) + 2);
			if (*out == NULL) {
				xmlFree(folder);
				return vs_error_set(err, VS_ENOMEM,
				                    "out of memory");
			}
			/* "[ds]" (the root), "[ds] dir" or "[ds] dir/" */
			snprintf(*out, len + strlen(want) + 2, "%s%s%s", folder,
			         len == 0 || folder[len - 1] == '/' ||
			         folder[len - 1] == ' ' ? "" :
			         folder[len - 1] == ']' ? " " : "/", want);
		}
		xmlFree(folder);
	}
	return 0;
}

/* The path of want anywhere on datastore ds, or *out NULL. */
static int
search_datastore(char **out, struct vs_client *c, const struct vs_disk_ds *ds,
                 const char *want, struct vs_error *err)
{
	static const char *const bpaths[] = { "browser", NULL };
	static const char *const rpaths[] = { "info.result", NULL };
	struct vs_object *o = NULL, *t = NULL;
	struct vs_moref browser, task;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, spec, r, node;
	char root[300];
	int rc;

	*out = NULL;
	if (snprintf(root, sizeof(root), "[%s]", ds->name) >= (int)sizeof(root))
		return vs_error_set(err, VS_EINVAL, "datastore name too long");
	rc = vs_get_props(&o, c, &ds->ref, bpaths, err);
	if (rc == 0)
		rc = vs_object_get_moref(&browser, o, "browser", err);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "SearchDatastoreSubFolders_Task",
		                         &browser, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_text(m, "datastorePath", root);
	spec = vs_soap_add_obj(m, "searchSpec",
	                       "HostDatastoreBrowserSearchSpec");
	vs_soap_add_text(spec, "matchPattern", want);
	rc = vs_client_call(c, req, &resp, &r, err);
	if (rc == 0)
		rc = vs_xml_moref(&task, vs_xml_child(r, "returnval"), err);
	if (rc == 0)
		rc = vs_task_wait(NULL, c, &task, VS_DISK_TASK_TIMEOUT_S, err);
	if (rc == 0)
		rc = vs_get_props(&t, c, &task, rpaths, err);
	if (rc == 0 && vs_object_get_node(&node, t, "info.result", err) == 0)
		rc = search_hit(out, node, want, err);
	else if (rc == 0)
		vs_error_clear(err);    /* no result: nothing found */
cleanup:
	xmlFreeDoc(resp);
	vs_object_free(t);
	vs_object_free(o);
	return rc;
}

int
vs_disk_search_name(struct vs_disk_loc *out, struct vs_client *c,
                    const struct vs_moref *dc, const struct vs_disk_dss *dss,
                    const char *pattern, const char *cid,
                    struct vs_error *err)
{
	char want[VS_DISK_CID_MAX + 8], *path = NULL, *uuid = NULL;
	struct vs_error e;
	bool wanted;
	size_t i;
	int pass, rc;

	memset(out, 0, sizeof(*out));
	if (!vs_disk_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a disk cid");
	snprintf(want, sizeof(want), "%s.vmdk", cid);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; dss != NULL && i < dss->n; i++) {
			const struct vs_disk_ds *d = &dss->items[i];

			if (!d->usable)
				continue;
			rc = vs_disk_ds_wanted(&wanted, d, pattern, NULL, 0,
			                       err);
			if (rc != 0)
				return rc;
			if (wanted != (pass == 0))
				continue;
			vs_error_clear(&e);
			rc = search_datastore(&path, c, d, want, &e);
			if (rc != 0) {
				vs_error_prefix(&e, "searching %s", d->name);
				vs_error_keep_first(err, &e);
				return rc;
			}
			if (path == NULL)
				continue;
			rc = vs_disk_query_uuid(&uuid, c, dc, path, &e);
			if (rc != 0) {
				free(path);
				vs_error_keep_first(err, &e);
				return rc;
			}
			rc = loc_fill(out, d, path, err);
			if (rc == 0)
				out->uuid = uuid;
			else
				free(uuid);
			return rc;
		}
	}
	return vs_error_set(err, VS_ENOTFOUND, "disk %s: no datastore holds "
	                    "%s", cid, want);
}
