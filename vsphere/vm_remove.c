/*
 * vsphere/vm_remove.c: the one way a VM is removed (see vm_remove.h).
 */
#include "vsphere/vm_remove.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/disk.h"
#include "vsphere/drs.h"
#include "vsphere/files.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"

#define MAX_DIR 80              /* vCenter's limit for entity names */

/* What one removal carries from step to step. */
struct removal {
	struct vs_client *c;
	const struct vs_moref *vm;
	const struct vs_vm_remove_opts *o;
	const char *what;
	struct vs_disk_vm *v;       /* keep_disks: the read */
	struct vs_objects *list;    /* its reply (the cluster's rules) */
	struct vs_disk_keeps *keeps;
	struct vs_vm_names *kept;   /* where every kept disk now lies */
};

/* --- the VM's directory ---------------------------------------------- */

/* True when a detached (kept) disk lives under "[ds] <dir>/". */
static bool
kept_disk_under(const struct vs_vm_names *kept, const char *ds,
                const char *dir)
{
	size_t i, dslen = strlen(ds), dirlen = strlen(dir);

	for (i = 0; kept != NULL && i < kept->n; i++) {
		const char *f = kept->items[i];

		if (f[0] == '[' && strncmp(f + 1, ds, dslen) == 0 &&
		    strncmp(f + 1 + dslen, "] ", 2) == 0 &&
		    strncmp(f + 3 + dslen, dir, dirlen) == 0 &&
		    f[3 + dslen + dirlen] == '/')
			return true;
	}
	return false;
}

/* Deletes one datastore path; a missing file is fine. */
static int
delete_file(struct vs_client *c, const struct vs_moref *dc, const char *ds,
            const char *path, struct err *err)
{
	struct err e = {0};
	char *p = NULL;
	int rc;

	rc = vs_ds_path_format(&p, ds, path, err);
	if (rc != 0)
		return rc;
	rc = vs_file_delete(c, dc, p, &e);
	if (rc == ERR_ENOTFOUND)
		rc = 0;
	else if (rc != 0)
		err_keep_first(err, &e);
	free(p);
	return rc;
}

int
vs_vm_remove_files(struct vs_client *c, const struct vs_moref *dc,
                   const char *const *datastores, size_t nds,
                   const char *dir, const struct vs_vm_names *kept,
                   struct err *err)
{
	static const char *const env_files[] = { "env.iso", "env.json" };
	char file[MAX_DIR + 16];
	size_t i, j;
	int rc = 0;

	if (dir == NULL || strlen(dir) > MAX_DIR)
		return err_set(err, ERR_EINVAL, "bad VM directory");
	for (i = 0; rc == 0 && i < nds; i++) {
		if (!kept_disk_under(kept, datastores[i], dir)) {
			rc = delete_file(c, dc, datastores[i], dir, err);
			continue;
		}
		for (j = 0; rc == 0 && j < 2; j++) {
			snprintf(file, sizeof(file), "%s/%s", dir,
			         env_files[j]);
			rc = delete_file(c, dc, datastores[i], file, err);
		}
	}
	return rc;
}

/* The datacenter: from the VM read, else found by its path. */
static int
find_dc(struct vs_moref *dc, const struct removal *r, struct err *err)
{
	if (r->v != NULL && r->v->info->has_datacenter) {
		*dc = r->v->info->datacenter;
		return 0;
	}
	return vs_folder_find(dc, r->c, r->o->datacenter, err);
}

/* Step 6: the datastore of the .vmx, else every datastore of the VM. */
static int
remove_dir(struct removal *r, struct err *err)
{
	const struct vs_vm_info *info = r->v->info;
	struct vs_ds_path vmx = { 0 };
	struct err e = {0};
	struct vs_moref dc;
	const char **dss;
	size_t i, nds = 0;
	int rc;

	dss = calloc(info->ndatastores + 1, sizeof(*dss));
	if (dss == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (info->vm_path_name != NULL &&
	    vs_ds_path_parse(&vmx, info->vm_path_name, &e) == 0) {
		dss[nds++] = vmx.datastore;
	} else {
		for (i = 0; i < info->ndatastores; i++) {
			if (info->datastores[i].name != NULL)
				dss[nds++] = info->datastores[i].name;
		}
	}
	rc = 0;
	if (nds == 0)
		vs_client_logf(r->c, 2, "%s: no datastore known, env files "
		               "not looked for", r->what);
	else
		rc = find_dc(&dc, r, err);
	if (rc == 0 && nds > 0)
		rc = vs_vm_remove_files(r->c, &dc, dss, nds, r->o->dir,
		                        r->kept, err);
	free(dss);
	vs_ds_path_clear(&vmx);
	return rc;
}

/* --- persistent disks ------------------------------------------------ */

/* "disk-<uuid>" from "[ds] BOSH_Disks/disk-<uuid>.vmdk": the last path
 * component without ".vmdk", into buf (for the log). */
static void
disk_cid(char *buf, size_t size, const char *file_name)
{
	const char *base = strrchr(file_name, '/');
	size_t len;

	if (base == NULL)
		base = strrchr(file_name, ' ');
	base = base != NULL ? base + 1 : file_name;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".vmdk") == 0)
		len -= 5;
	snprintf(buf, size, "%.*s", (int)len, base);
}

/* Moves one kept disk back; *path is where it now lies (NULL: it was
 * removed outside the CPI, nothing to keep). */
static int
move_back(char **path, struct removal *r, struct vs_moref *dc,
          bool *have_dc, const struct vs_disk_keep *k, struct err *err)
{
	struct err e = {0};
	int rc;

	if (!*have_dc) {
		rc = find_dc(dc, r, err);
		if (rc != 0)
			return rc;
		*have_dc = true;
	}
	rc = vs_disk_place_back(path, r->c, dc, k->file, r->o->disk_path,
	                        k->cid, &e);
	if (rc == ERR_ENOTFOUND) {
		vs_client_logf(r->c, 2, "%s: %s", r->what, e.message);
		return 0;
	}
	if (rc != 0) {
		err_prefix(&e, "%s: persistent disk %s is detached but "
		           "lies at %s; the VM is kept so that its "
		           "destruction cannot take the disk (retry "
		           "delete_vm)", r->what, k->cid, k->file);
		e.transient = true;
		err_keep_first(err, &e);
		return rc;
	}
	vs_client_logf(r->c, 1, "%s: moved persistent disk %s back from %s "
	               "to %s", r->what, k->cid, k->file, *path);
	return 0;
}

/* Step 3's second half: every kept disk that must go back to
 * "<disk_path>/<cid>.vmdk" is moved; r->kept lists where every kept disk
 * now lies. */
static int
place_back(struct removal *r, struct err *err)
{
	const struct vs_disk_keeps *keeps = r->keeps;
	struct vs_vm_names *kept;
	struct vs_moref dc;
	bool have_dc = false;
	char *path;
	size_t i;
	int rc = 0;

	kept = calloc(1, sizeof(*kept));
	if (kept != NULL && keeps->n > 0)
		kept->items = calloc(keeps->n, sizeof(char *));
	if (kept == NULL || (keeps->n > 0 && kept->items == NULL)) {
		vs_vm_names_free(kept);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	r->kept = kept;
	for (i = 0; rc == 0 && i < keeps->n; i++) {
		const struct vs_disk_keep *k = &keeps->items[i];

		path = NULL;
		if (!k->move) {
			path = strdup(k->file);
			if (path == NULL)
				rc = err_set(err, ERR_ENOMEM,
				             "out of memory");
		} else {
			rc = move_back(&path, r, &dc, &have_dc, k, err);
		}
		if (path != NULL)
			kept->items[kept->n++] = path;
	}
	return rc;
}

static void
log_kept(const struct removal *r)
{
	char dcid[256];
	size_t i;

	for (i = 0; i < r->kept->n; i++) {
		disk_cid(dcid, sizeof(dcid), r->kept->items[i]);
		vs_client_logf(r->c, 1, "%s: detached persistent disk %s (%s)",
		               r->what, dcid, r->kept->items[i]);
	}
}

/* --- the VM ----------------------------------------------------------- */

/* Steps 1 and 2. */
static int
read_and_power_off(struct removal *r, struct err *err)
{
	struct err e = {0};
	int rc = 0, state = VS_VM_POWER_UNKNOWN;

	if (r->o->keep_disks) {
		rc = vs_disk_vm_read_with(&r->v, &r->list, r->c, r->vm,
		                          true, err);
		if (rc == 0)
			state = r->v->info->power;
	} else if (r->o->power == VS_VM_REMOVE_POWER_READ) {
		rc = vs_vm_power_state(&state, r->c, r->vm, err);
	}
	if (rc != 0)
		return rc;
	switch (r->o->power) {
	case VS_VM_REMOVE_POWER_READ:
		if (state != VS_VM_POWERED_OFF)
			rc = vs_vm_power_off(r->c, r->vm, err);
		break;
	case VS_VM_REMOVE_POWER_TRY:
		rc = vs_vm_power_off(r->c, r->vm, &e);
		if (rc != 0 && rc != ERR_ENOTFOUND)
			vs_client_logf(r->c, 2, "%s: power off %s: %s",
			               r->what, r->vm->value, e.message);
		rc = 0;
		break;
	default:
		break;
	}
	return rc;
}

/* Step 4: one read when the VM is in no rule. */
static int
leave_drs(struct removal *r, struct err *err)
{
	const struct vs_object *cl = NULL;
	size_t i, nrules = 0;
	int rc;

	for (i = 0; r->v->info->has_cluster && i < r->list->n; i++) {
		if (strcmp(r->list->items[i].obj.value,
		           r->v->info->cluster.value) == 0)
			cl = &r->list->items[i];
	}
	if (cl == NULL)
		return 0;       /* not in a cluster */
	rc = vs_drs_rules_remove_vm_in(&nrules, r->c, cl, r->vm, err);
	if (rc == 0 && nrules > 0)
		vs_client_logf(r->c, 1, "%s: removed from %zu DRS rule(s)",
		               r->what, nrules);
	return rc;
}

/* Steps 1 to 5; *stage is where a failure happened. */
static int
remove_vm(int *stage, struct removal *r, struct err *err)
{
	int rc;

	*stage = VS_VM_REMOVE_AT_VM;
	rc = read_and_power_off(r, err);
	if (rc == 0 && r->o->keep_disks) {
		rc = vs_disk_vm_keeps(&r->keeps, r->v, err);
		if (rc == 0)
			rc = vs_disk_detach_keeps(r->c, r->v, r->keeps, err);
		if (rc == 0) {
			*stage = VS_VM_REMOVE_AT_DISKS;
			rc = place_back(r, err);
		}
		if (rc != 0)
			return rc;
		*stage = VS_VM_REMOVE_AT_VM;
		log_kept(r);
	}
	if (rc == 0 && r->o->leave_drs)
		rc = leave_drs(r, err);
	if (rc == 0)
		rc = vs_vm_destroy(r->c, r->vm, err);
	if (rc == 0)
		vs_client_logf(r->c, 1, "%s: destroyed", r->what);
	return rc;
}

static int
check_opts(const struct vs_vm_remove_opts *o, struct err *err)
{
	bool need_read = o->leave_drs || o->dir != NULL;

	if ((need_read && !o->keep_disks) ||
	    (o->keep_disks && (o->datacenter == NULL ||
	                       o->disk_path == NULL)) ||
	    (o->dir != NULL && o->datacenter == NULL))
		return err_set(err, ERR_EINVAL, "VM removal: bad options");
	return 0;
}

int
vs_vm_remove(struct vs_vm_removal *out, struct vs_client *c,
             const struct vs_moref *vm, const struct vs_vm_remove_opts *o,
             struct err *err)
{
	struct vs_vm_removal res;
	struct removal r = { .c = c, .vm = vm, .o = o };
	struct err e = {0};
	int rc;

	memset(&res, 0, sizeof(res));
	rc = check_opts(o, err);
	if (rc != 0)
		goto cleanup;
	r.what = o->what != NULL ? o->what : vm->value;
	rc = remove_vm(&res.stage, &r, &e);
	if ((rc == ERR_ENOTFOUND ||
	     strcmp(e.fault, "ManagedObjectNotFound") == 0) && o->gone_ok) {
		res.gone = true;
		rc = 0;
	} else if (rc != 0) {
		err_keep_first(err, &e);
	} else if (o->dir != NULL) {
		res.stage = VS_VM_REMOVE_AT_FILES;
		rc = remove_dir(&r, err);
		if (rc != 0)
			err_prefix(err, "%s: VM destroyed, but its env "
			           "files", r.what);
	}
	if (r.v != NULL && r.v->info->has_parent) {
		res.has_parent = true;
		res.parent = r.v->info->parent;
	}
cleanup:
	if (out != NULL)
		*out = res;
	vs_vm_names_free(r.kept);
	vs_disk_keeps_free(r.keeps);
	vs_disk_vm_free(r.v);
	vs_objects_free(r.list);
	return rc;
}
