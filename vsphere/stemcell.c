/*
 * vsphere/stemcell.c: stemcell names, import and deletion (see
 * vsphere/stemcell.h; placement is in stemcell_place.c, replicas in
 * stemcell_replica.c).
 */
#include "vsphere/stemcell.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "vsphere/import.h"
#include "vsphere/ovf.h"
#include "vsphere/pc.h"
#include "vsphere/stemcell_internal.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vm_remove.h"

#define SNAPSHOT_NAME "initial"
#define DS_ID_MAX 24

/* --- names and paths ------------------------------------------------ */

bool
vs_stemcell_cid_valid(const char *cid)
{
	return cid != NULL && strncmp(cid, "sc-", 3) == 0 &&
	       strnlen(cid, 40) == 39 && uuid_valid(cid + 3);
}

static bool
id_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       ch == '-';
}

int
vs_stemcell_replica_name(char *out, size_t size, const char *cid,
                         const char *ds_value, struct err *err)
{
	char id[DS_ID_MAX + 1];
	size_t i, len;
	uint64_t h = 1469598103934665603ULL;
	bool plain = true;
	int n;

	if (size > 0)
		out[0] = '\0';
	if (!vs_stemcell_cid_valid(cid))
		return err_set(err, ERR_EINVAL, "not a stemcell id");
	len = ds_value != NULL ? strnlen(ds_value, 256) : 0;
	if (len == 0 || len >= 256)
		return err_set(err, ERR_EINVAL, "bad datastore id");
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)ds_value[i];
		h *= 1099511628211ULL;
		if (!id_char(ds_value[i]))
			plain = false;
	}
	if (plain && len <= DS_ID_MAX)
		snprintf(id, sizeof(id), "%s", ds_value);
	else
		snprintf(id, sizeof(id), "h%016llx", (unsigned long long)h);
	n = snprintf(out, size, "%s-%s", cid, id);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, ERR_EINVAL, "replica name too long");
	return 0;
}

/* Checks one inventory path component list ("a/b"): non-empty parts,
 * no control characters, no "%" (inventory paths escape '/' as %2f). */
int
vs_stemcell__check_rel(const char *what, const char *s, struct err *err)
{
	size_t i, len;

	len = s != NULL ? strnlen(s, 1025) : 0;
	if (len == 0 || len > 1024)
		return err_set(err, ERR_EINVAL, "%s: empty or too long",
		               what);
	if (s[0] == '/' || s[len - 1] == '/' || strstr(s, "//") != NULL)
		return err_set(err, ERR_EINVAL, "%s: empty path component",
		               what);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '%')
			return err_set(err, ERR_EINVAL,
			               "%s: forbidden character", what);
	}
	return 0;
}

int
vs_stemcell__check_loc(const struct vs_stemcell_loc *loc, struct err *err)
{
	int rc;

	if (loc == NULL)
		return err_set(err, ERR_EINVAL, "no stemcell location");
	rc = vs_stemcell__check_rel("datacenter", loc->datacenter, err);
	if (rc == 0 && strchr(loc->datacenter, '/') != NULL)
		rc = err_set(err, ERR_EINVAL,
		             "datacenter: forbidden character");
	if (rc == 0)
		rc = vs_stemcell__check_rel("template folder",
		                            loc->template_folder, err);
	return rc;
}

/* malloc'd concatenation of parts (NULL-terminated). */
char *
vs_stemcell__join(const char *a, const char *b, const char *c_, const char *d)
{
	const char *parts[] = { a, b, c_, d };
	size_t n = 1, i;
	char *s;

	for (i = 0; i < 4; i++)
		n += parts[i] != NULL ? strlen(parts[i]) : 0;
	s = malloc(n);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (i = 0; i < 4; i++) {
		if (parts[i] != NULL)
			strcat(s, parts[i]);
	}
	return s;
}

/* "<dc>/vm/<folder>" */
char *
vs_stemcell__folder_path(const struct vs_stemcell_loc *loc)
{
	return vs_stemcell__join(loc->datacenter, "/vm/", loc->template_folder,
	                         NULL);
}

bool
vs_stemcell__moref_in(const struct vs_moref *r, const struct vs_moref *list,
                      size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i].value, r->value) == 0 &&
		    strcmp(list[i].type, r->type) == 0)
			return true;
	}
	return false;
}

/* --- after the import ------------------------------------------------- */

int
vs_stemcell__take_snapshot(struct vs_moref *snap_out, struct vs_client *c,
                           const struct vs_moref *vm, struct err *err)
{
	struct vs_task_result res;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = vs_soap_request_new(&req, &m, "CreateSnapshot_Task", vm, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_text(m, "name", SNAPSHOT_NAME);
	vs_soap_add_bool(m, "memory", false);
	vs_soap_add_bool(m, "quiesce", false);
	rc = vs_task_call(&res, c, req, VS_IMPORT_TASK_TIMEOUT_S, err);
	req = NULL;
	if (rc == 0 && snap_out != NULL)
		*snap_out = res.moref;
cleanup:
	if (rc != 0)
		err_prefix(err, "CreateSnapshot %s", vm->value);
	vs_task_result_clear(&res);
	xmlFreeDoc(req);
	return rc;
}

/* --- create ----------------------------------------------------------- */

static int
ovf_dir(char **out, const char *ovf_path, struct err *err)
{
	const char *slash = strrchr(ovf_path, '/');

	if (slash == NULL)
		*out = strdup(".");
	else if (slash == ovf_path)
		*out = strdup("/");
	else
		*out = strndup(ovf_path, (size_t)(slash - ovf_path));
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* The OVF of imp read, with its directory and the bytes its files
 * need. */
static int
read_ovf(struct vs_ovf **ovf, char **dir, long long *need,
         const struct vs_stemcell_import *imp, struct err *err)
{
	size_t i;
	int rc;

	*need = 0;
	rc = vs_ovf_read(ovf, imp->ovf_path, err);
	if (rc == 0 && (*ovf)->nfiles == 0)
		rc = err_set(err, ERR_EINVAL,
		             "the OVF references no disk file");
	if (rc == 0)
		rc = ovf_dir(dir, imp->ovf_path, err);
	for (i = 0; rc == 0 && i < (*ovf)->nfiles; i++)
		*need += (long long)(*ovf)->files[i].size;
	return rc;
}

/* Where the import goes: a cluster's pool and datastore, the template
 * folder (made when missing), a fresh cid. */
static int
place_import(struct vs_stemcell_placement *pl, struct vs_moref *folder,
             char *cid, size_t size, struct vs_client *c,
             const struct vs_stemcell_import *imp, long long need,
             struct err *err)
{
	int rc;

	rc = vs_stemcell__place(pl, c, imp, need, err);
	if (rc == 0) {
		rc = vs_folder_ensure_in(folder, c, &pl->vm_folder,
		                         imp->loc.datacenter,
		                         imp->loc.template_folder, err);
		if (rc != 0)
			err_prefix(err, "template folder");
	}
	if (rc == 0 && uuid_id(cid, size, "sc") != 0)
		rc = err_set(err, ERR_EIO, "no random bytes for a uuid");
	return rc;
}

static void
import_params(struct vs_import_params *ip, const char *cid,
              const struct vs_ovf *ovf, const char *dir,
              const struct vs_stemcell_placement *pl,
              const struct vs_moref *folder, const char *fpath,
              const struct vs_stemcell_import *imp)
{
	memset(ip, 0, sizeof(*ip));
	ip->name = cid;
	ip->ovf = ovf;
	ip->dir = dir;
	ip->pool = &pl->pool;
	ip->datastore = &pl->datastore;
	ip->folder = folder;
	ip->folder_path = fpath;
	ip->lease_timeout_s = imp->lease_timeout_s;
	ip->progress_interval_s = imp->progress_interval_s;
	ip->disk_provisioning = imp->disk_provisioning;
	ip->no_nics = true;     /* create_vm adds its own */
}

/* What an import that failed after ImportVApp left: removed. */
static void
remove_failed(struct vs_client *c, const struct vs_moref *vm)
{
	struct err de;

	vs_client_cleanup(c);
	err_clear(&de);
	if (vs_vm_remove(NULL, c, vm, &vs_import_vm_removal, &de) != 0)
		vs_client_logf(c, 3, "removing %s after a failed import: %s",
		               vm->value, de.message);
}

int
vs_stemcell_create(char *cid_out, struct vs_client *c,
                   const struct vs_stemcell_import *imp,
                   struct err *err)
{
	struct vs_ovf *ovf = NULL;
	struct vs_stemcell_placement pl;
	struct vs_moref folder, vm;
	struct vs_import_params ip;
	struct err e;
	char cid[VS_STEMCELL_CID_MAX], hw[32];
	char *dir = NULL, *fpath = NULL;
	long long need = 0;
	int rc;

	cid_out[0] = '\0';
	err_clear(&e);
	if (imp == NULL || imp->ovf_path == NULL)
		return err_set(err, ERR_EINVAL, "no OVF to import");
	rc = vs_stemcell__check_loc(&imp->loc, &e);
	if (rc == 0)
		rc = read_ovf(&ovf, &dir, &need, imp, &e);
	if (rc == 0)
		rc = place_import(&pl, &folder, cid, sizeof(cid), c, imp, need,
		                  &e);
	if (rc != 0)
		goto cleanup;
	fpath = vs_stemcell__folder_path(&imp->loc);
	if (fpath == NULL) {
		rc = err_set(&e, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	import_params(&ip, cid, ovf, dir, &pl, &folder, fpath, imp);
	if (imp->hw_version > 0) {
		snprintf(hw, sizeof(hw), "vmx-%d", imp->hw_version);
		ip.hw_version = hw;
	}
	rc = vs_import_ovf(&vm, c, &ip, &e);
	if (rc != 0)
		goto cleanup;
	rc = vs_stemcell__take_snapshot(NULL, c, &vm, &e);
	if (rc == 0) {
		snprintf(cid_out, VS_STEMCELL_CID_MAX, "%s", cid);
		vs_client_logf(c, 1, "stemcell %s imported as %s", cid,
		               vm.value);
	} else {
		remove_failed(c, &vm);
	}
cleanup:
	if (rc != 0) {
		err_prefix(&e, "create_stemcell");
		err_keep_first(err, &e);
	}
	free(fpath);
	free(dir);
	vs_ovf_free(ovf);
	return rc;
}

/* --- the template folder ---------------------------------------------- */

/* VMs directly in folder, with name. */
int
vs_stemcell__list_folder_vms(struct vs_objects **out, struct vs_client *c,
                             const struct vs_moref *folder,
                             struct err *err)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_selection_spec ts = {
		.name = "children", .type = "Folder",
		.path = "childEntity", .skip = false,
	};
	struct vs_property_spec ps = { .type = "VirtualMachine",
	                               .paths = paths };
	struct vs_object_spec os = {
		.obj = *folder, .skip = true, .select = &ts, .nselect = 1,
	};
	struct vs_pc_query q;

	memset(&q, 0, sizeof(q));
	q.spec.props = &ps;
	q.spec.nprops = 1;
	q.spec.objects = &os;
	q.spec.nobjects = 1;
	return vs_pc_retrieve(out, c, &q, err);
}

/* Whether name is cid's replica (pass 0: "<cid>-…" or the Ruby CPI's
 * "<cid> %2f …") or cid itself (pass 1). */
static bool
stemcell_vm_name(const char *name, const char *cid, int pass)
{
	size_t len = strlen(cid);

	if (strncmp(name, cid, len) != 0)
		return false;
	if (pass == 1)
		return name[len] == '\0';
	return name[len] == '-' ||
	       strncmp(name + len, VS_STEMCELL_RUBY_SEP,
	               strlen(VS_STEMCELL_RUBY_SEP)) == 0;
}

/* Removes cid's VMs of list: replicas first, the stemcell last (a
 * failure half-way leaves the stemcell, so a retried delete finds the
 * rest again).  *found: how many. */
static int
delete_listed(size_t *found, struct vs_client *c,
              const struct vs_objects *list, const char *cid,
              struct err *err)
{
	struct err e;
	const char *name;
	size_t i;
	int rc = 0, pass;

	*found = 0;
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (i = 0; i < list->n && rc == 0; i++) {
			err_clear(&e);
			if (vs_object_get_str(&name, &list->items[i], "name",
			                      &e) != 0 ||
			    !stemcell_vm_name(name, cid, pass))
				continue;
			(*found)++;
			vs_client_logf(c, 1, "deleting %s (%s)", name,
			               list->items[i].obj.value);
			rc = vs_vm_remove(NULL, c, &list->items[i].obj,
			                  &vs_import_vm_removal, err);
		}
	}
	return rc;
}

int
vs_stemcell_delete(bool *found_out, struct vs_client *c,
                   const struct vs_stemcell_loc *loc, const char *cid,
                   struct err *err)
{
	struct vs_objects *list = NULL;
	struct vs_moref folder;
	struct err e;
	char *path = NULL;
	size_t found = 0;
	int rc;

	if (found_out != NULL)
		*found_out = false;
	err_clear(&e);
	rc = vs_stemcell__check_loc(loc, &e);
	if (rc == 0 && !vs_stemcell_cid_valid(cid))
		rc = err_set(&e, ERR_EINVAL, "not a stemcell id");
	if (rc == 0) {
		path = vs_stemcell__folder_path(loc);
		if (path == NULL)
			rc = err_set(&e, ERR_ENOMEM, "out of memory");
	}
	if (rc == 0)
		rc = vs_find_by_inventory_path(&folder, c, path, &e);
	if (rc == ERR_ENOTFOUND) {
		vs_client_logf(c, 1, "%s: no template folder, nothing to "
		               "delete", cid);
		rc = 0;
		goto cleanup;
	}
	if (rc == 0)
		rc = vs_stemcell__list_folder_vms(&list, c, &folder, &e);
	if (rc == 0)
		rc = delete_listed(&found, c, list, cid, &e);
	if (rc == 0 && found == 0)
		vs_client_logf(c, 1, "%s: not found, nothing to delete", cid);
	if (found_out != NULL)
		*found_out = found > 0;
cleanup:
	if (rc != 0) {
		err_prefix(&e, "delete_stemcell");
		err_keep_first(err, &e);
	}
	vs_objects_free(list);
	free(path);
	return rc;
}
