/*
 * vsphere/stemcell.c: stemcell import, deletion and replicas (see
 * vsphere/stemcell.h).
 */
#include "vsphere/stemcell.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "vsphere/import.h"
#include "vsphere/ovf.h"
#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/task.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vm_remove.h"

/* What separates cid and datastore id in the Ruby CPI's replica names. */
#define RUBY_SEP " %2f "

#define SNAPSHOT_NAME "initial"
#define REPLICA_WAIT_S 900.0
#define REPLICA_POLL_S 2.0
#define DS_ID_MAX 24
#define MAX_CLUSTERS 64

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
                         const char *ds_value, struct vs_error *err)
{
	char id[DS_ID_MAX + 1];
	size_t i, len;
	uint64_t h = 1469598103934665603ULL;
	bool plain = true;
	int n;

	if (size > 0)
		out[0] = '\0';
	if (!vs_stemcell_cid_valid(cid))
		return vs_error_set(err, VS_EINVAL, "not a stemcell id");
	len = ds_value != NULL ? strnlen(ds_value, 256) : 0;
	if (len == 0 || len >= 256)
		return vs_error_set(err, VS_EINVAL, "bad datastore id");
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
		return vs_error_set(err, VS_EINVAL, "replica name too long");
	return 0;
}

/* Checks one inventory path component list ("a/b"): non-empty parts,
 * no control characters, no "%" (inventory paths escape '/' as %2f). */
static int
check_rel(const char *what, const char *s, struct vs_error *err)
{
	size_t i, len;

	len = s != NULL ? strnlen(s, 1025) : 0;
	if (len == 0 || len > 1024)
		return vs_error_set(err, VS_EINVAL, "%s: empty or too long",
		                    what);
	if (s[0] == '/' || s[len - 1] == '/' || strstr(s, "//") != NULL)
		return vs_error_set(err, VS_EINVAL, "%s: empty path component",
		                    what);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '%')
			return vs_error_set(err, VS_EINVAL,
			                    "%s: forbidden character", what);
	}
	return 0;
}

static int
check_loc(const struct vs_stemcell_loc *loc, struct vs_error *err)
{
	int rc;

	if (loc == NULL)
		return vs_error_set(err, VS_EINVAL, "no stemcell location");
	rc = check_rel("datacenter", loc->datacenter, err);
	if (rc == 0 && strchr(loc->datacenter, '/') != NULL)
		rc = vs_error_set(err, VS_EINVAL,
		                  "datacenter: forbidden character");
	if (rc == 0)
		rc = check_rel("template folder", loc->template_folder, err);
	return rc;
}

/* malloc'd concatenation of parts (NULL-terminated). */
static char *
join(const char *a, const char *b, const char *c_, const char *d)
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
static char *
folder_path(const struct vs_stemcell_loc *loc)
{
	return join(loc->datacenter, "/vm/", loc->template_folder, NULL);
}

/* --- placement ------------------------------------------------------ */

struct placement {
	struct vs_moref pool;
	struct vs_moref datastore;
	char ds_name[256];
	long long free_space;
};

static bool
moref_in(const struct vs_moref *r, const struct vs_moref *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i].value, r->value) == 0 &&
		    strcmp(list[i].type, r->type) == 0)
			return true;
	}
	return false;
}

/* The best datastore of the cluster object o among all (datastores come
 * back in the same list): matching re, accessible, not in maintenance,
 * with need bytes free; most free space wins. */
static int
best_datastore(struct placement *pl, bool *found, struct vs_client *c,
               const struct vs_object *o, const struct vs_objects *all,
               const struct vs_pattern *re, long long need, struct vs_error *err)
{
	const struct vs_moref *ds = NULL;
	struct vs_ds_summary *sum = NULL;
	struct vs_error de;
	size_t nds = 0, i;
	xmlNodePtr node;
	int rc;

	*found = false;
	rc = vs_object_get_morefs(&ds, &nds, o, "datastore", err);
	if (rc == VS_ENOTFOUND) {
		vs_error_clear(err);
		return 0;
	}
	if (rc != 0)
		return rc;
	for (i = 0; i < all->n; i++) {
		const struct vs_object *d = &all->items[i];
		bool ok;

		if (strcmp(d->obj.type, "Datastore") != 0 ||
		    !moref_in(&d->obj, ds, nds))
			continue;
		/* A datastore whose summary is unreadable (e.g. one going
		 * away) is skipped, not fatal. */
		vs_error_clear(&de);
		vs_ds_summary_free(sum);
		sum = NULL;
		if (vs_object_get_node(&node, d, "summary", &de) != 0 ||
		    vs_ds_summary_from_node(&sum, node, &de) != 0) {
			vs_client_logf(c, 2, "datastore %s skipped: %s",
			               d->obj.value, de.message);
			continue;
		}
		ok = sum->name != NULL && sum->accessible &&
		     (sum->maintenance_mode == NULL ||
		      strcmp(sum->maintenance_mode, "normal") == 0) &&
		     sum->free_space >= need &&
		     vs_pattern_match(re, sum->name);
		if (ok && (!*found || sum->free_space > pl->free_space)) {
			*found = true;
			pl->datastore = d->obj;
			pl->free_space = sum->free_space;
			snprintf(pl->ds_name, sizeof(pl->ds_name), "%s",
			         sum->name);
		}
	}
	vs_ds_summary_free(sum);
	return 0;
}

static int
find_clusters(struct vs_moref *refs, struct vs_client *c,
              const struct vs_stemcell_import *imp, struct vs_error *err)
{
	char *path;
	size_t i;
	int rc = 0;

	for (i = 0; i < imp->nclusters && rc == 0; i++) {
		if (check_rel("cluster", imp->clusters[i].name, err) != 0 ||
		    strchr(imp->clusters[i].name, '/') != NULL)
			return vs_error_set(err, VS_EINVAL, "bad cluster name");
		path = join(imp->loc.datacenter, "/host/",
		            imp->clusters[i].name, NULL);
		if (path == NULL)
			return vs_error_set(err, VS_ENOMEM, "out of memory");
		rc = vs_find_by_inventory_path(&refs[i], c, path, err);
		if (rc == 0 && strcmp(refs[i].type,
		                      "ClusterComputeResource") != 0)
			rc = vs_error_set(err, VS_ENOTFOUND, "not a cluster");
		if (rc != 0)
			vs_error_prefix(err, "cluster %s",
			                imp->clusters[i].name);
		free(path);
	}
	return rc;
}

static int
cluster_pool(struct vs_moref *out, struct vs_client *c,
             const struct vs_stemcell_import *imp, size_t i,
             const struct vs_object *o, struct vs_error *err)
{
	const struct vs_stemcell_cluster *cl = &imp->clusters[i];
	char *path;
	int rc;

	if (cl->resource_pool == NULL || cl->resource_pool[0] == '\0')
		return vs_object_get_moref(out, o, "resourcePool", err);
	rc = check_rel("resource pool", cl->resource_pool, err);
	if (rc != 0)
		return rc;
	path = join(imp->loc.datacenter, "/host/", cl->name, "/Resources/");
	if (path == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	{
		char *full = join(path, cl->resource_pool, NULL, NULL);

		free(path);
		if (full == NULL)
			return vs_error_set(err, VS_ENOMEM, "out of memory");
		rc = vs_find_by_inventory_path(out, c, full, err);
		free(full);
	}
	if (rc != 0)
		vs_error_prefix(err, "resource pool %s of cluster %s",
		                cl->resource_pool, cl->name);
	return rc;
}

static int
place(struct placement *pl, struct vs_client *c,
      const struct vs_stemcell_import *imp, long long need,
      struct vs_error *err)
{
	static const char *const cl_paths[] = { "name", "datastore",
	                                        "resourcePool", NULL };
	static const char *const ds_paths[] = { "summary", NULL };
	struct vs_moref refs[MAX_CLUSTERS];
	struct vs_object_spec os[MAX_CLUSTERS];
	struct vs_objects *list = NULL;
	struct vs_pattern *re = NULL;
	bool found = false;
	size_t i, j;
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (imp->nclusters == 0 || imp->nclusters > MAX_CLUSTERS)
		return vs_error_set(err, VS_EINVAL,
		                    "between 1 and %d clusters needed",
		                    MAX_CLUSTERS);
	if (imp->datastore_pattern != NULL &&
	    imp->datastore_pattern[0] != '\0') {
		rc = vs_pattern_compile(&re, imp->datastore_pattern,
		                        imp->pattern_key != NULL ?
		                        imp->pattern_key :
		                        "datastore_pattern", err);
		if (rc != 0)
			return rc;
	}
	rc = find_clusters(refs, c, imp, err);
	if (rc != 0)
		goto cleanup;
	{
		struct vs_selection_spec ts = {
			.name = "ds", .type = "ComputeResource",
			.path = "datastore", .skip = false,
		};
		struct vs_property_spec ps[2] = {
			{ .type = "ClusterComputeResource", .paths = cl_paths },
			{ .type = "Datastore", .paths = ds_paths },
		};
		struct vs_pc_query q;

		for (i = 0; i < imp->nclusters; i++) {
			memset(&os[i], 0, sizeof(os[i]));
			os[i].obj = refs[i];
			os[i].select = &ts;
			os[i].nselect = 1;
		}
		memset(&q, 0, sizeof(q));
		q.spec.props = ps;
		q.spec.nprops = 2;
		q.spec.objects = os;
		q.spec.nobjects = imp->nclusters;
		rc = vs_pc_retrieve(&list, c, &q, err);
		if (rc != 0)
			goto cleanup;
	}
	for (i = 0; i < imp->nclusters && !found; i++) {
		for (j = 0; j < list->n; j++) {
			if (strcmp(list->items[j].obj.value,
			           refs[i].value) == 0)
				break;
		}
		if (j == list->n)
			continue;
		rc = best_datastore(pl, &found, c, &list->items[j], list,
		                    re, need, err);
		if (rc == 0 && found)
			rc = cluster_pool(&pl->pool, c, imp, i,
			                  &list->items[j], err);
		if (rc != 0)
			goto cleanup;
		if (found)
			vs_client_logf(c, 1, "stemcell placement: cluster %s, "
			               "datastore %s", imp->clusters[i].name,
			               pl->ds_name);
	}
	if (!found)
		rc = vs_error_set(err, VS_ENOTFOUND,
		                  "no accessible datastore matching %s with "
		                  "%lld bytes free in the configured clusters",
		                  imp->pattern_key != NULL ? imp->pattern_key
		                  : "datastore_pattern", need);
cleanup:
	vs_pattern_free(re);
	vs_objects_free(list);
	return rc;
}

/* --- after the import ------------------------------------------------- */

/* ReconfigVM_Task removing every NIC (copies of the devices as read). */
static int
remove_nics(struct vs_client *c, const struct vs_moref *vm,
            struct vs_error *err)
{
	static const char *const paths[] = { "config.hardware.device", NULL };
	struct vs_object *o = NULL;
	struct vs_device d;
	xmlDocPtr req = NULL;
	xmlNodePtr m, spec, val, dev, dc;
	size_t n = 0;
	int rc;

	rc = vs_get_props(&o, c, vm, paths, err);
	if (rc == 0)
		rc = vs_object_get_node(&val, o, "config.hardware.device",
		                        err);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "ReconfigVM_Task", vm,
		                         err);
	if (rc != 0)
		goto cleanup;
	spec = vs_soap_add_obj(m, "spec", NULL);
	for (dev = val->children; dev != NULL && rc == 0; dev = dev->next) {
		if (dev->type != XML_ELEMENT_NODE)
			continue;
		memset(&d, 0, sizeof(d));
		vs_xml_xsi_type(d.type, sizeof(d.type), dev);
		if (!vs_device_is_nic(&d))
			continue;
		dc = vs_soap_add_obj(spec, "deviceChange", NULL);
		vs_soap_add_text(dc, "operation", "remove");
		rc = vs_import_copy_node(dc, dev, "device", err);
		n++;
	}
	if (rc != 0 || n == 0)
		goto cleanup;
	rc = vs_task_call(NULL, c, req, VS_IMPORT_TASK_TIMEOUT_S, err);
	req = NULL;
	if (rc == 0)
		vs_client_logf(c, 1, "removed %zu NIC(s) from %s", n,
		               vm->value);
cleanup:
	if (rc != 0)
		vs_error_prefix(err, "removing the stemcell's NICs");
	xmlFreeDoc(req);
	vs_object_free(o);
	return rc;
}

static int
take_snapshot(struct vs_moref *snap_out, struct vs_client *c,
              const struct vs_moref *vm, struct vs_error *err)
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
		vs_error_prefix(err, "CreateSnapshot %s", vm->value);
	vs_task_result_clear(&res);
	xmlFreeDoc(req);
	return rc;
}

/* --- create ----------------------------------------------------------- */

static int
ovf_dir(char **out, const char *ovf_path, struct vs_error *err)
{
	const char *slash = strrchr(ovf_path, '/');

	if (slash == NULL)
		*out = strdup(".");
	else if (slash == ovf_path)
		*out = strdup("/");
	else
		*out = strndup(ovf_path, (size_t)(slash - ovf_path));
	if (*out == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	return 0;
}

int
vs_stemcell_create(char *cid_out, struct vs_client *c,
                   const struct vs_stemcell_import *imp,
                   struct vs_error *err)
{
	struct vs_ovf *ovf = NULL;
	struct placement pl;
	struct vs_moref folder, vm;
	struct vs_import_params ip;
	struct vs_error e;
	char uuid[UUID_LEN + 1], cid[VS_STEMCELL_CID_MAX];
	char *dir = NULL, *fpath = NULL;
	long long need = 0;
	bool imported = false;
	size_t i;
	int rc;

	cid_out[0] = '\0';
	vs_error_clear(&e);
	if (imp == NULL || imp->ovf_path == NULL)
		return vs_error_set(err, VS_EINVAL, "no OVF to import");
	rc = check_loc(&imp->loc, &e);
	if (rc == 0)
		rc = vs_ovf_read(&ovf, imp->ovf_path, &e);
	if (rc == 0 && ovf->nfiles == 0)
		rc = vs_error_set(&e, VS_EINVAL,
		                  "the OVF references no disk file");
	if (rc == 0)
		rc = ovf_dir(&dir, imp->ovf_path, &e);
	if (rc != 0)
		goto cleanup;
	for (i = 0; i < ovf->nfiles; i++)
		need += (long long)ovf->files[i].size;
	rc = place(&pl, c, imp, need, &e);
	if (rc == 0) {
		rc = vs_folder_ensure(&folder, c, imp->loc.datacenter,
		                      imp->loc.template_folder, &e);
		if (rc != 0)
			vs_error_prefix(&e, "template folder");
	}
	if (rc == 0 && uuid_v4(uuid) != 0)
		rc = vs_error_set(&e, VS_EIO, "no random bytes for a uuid");
	if (rc != 0)
		goto cleanup;
	snprintf(cid, sizeof(cid), "sc-%s", uuid);
	fpath = folder_path(&imp->loc);
	if (fpath == NULL) {
		rc = vs_error_set(&e, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	memset(&ip, 0, sizeof(ip));
	ip.name = cid;
	ip.ovf = ovf;
	ip.dir = dir;
	ip.pool = &pl.pool;
	ip.datastore = &pl.datastore;
	ip.folder = &folder;
	ip.folder_path = fpath;
	ip.lease_timeout_s = imp->lease_timeout_s;
	ip.progress_interval_s = imp->progress_interval_s;
	ip.disk_provisioning = imp->disk_provisioning;
	rc = vs_import_ovf(&vm, c, &ip, &e);
	if (rc != 0)
		goto cleanup;
	imported = true;
	rc = remove_nics(c, &vm, &e);
	if (rc == 0)
		rc = take_snapshot(NULL, c, &vm, &e);
	if (rc == 0) {
		snprintf(cid_out, VS_STEMCELL_CID_MAX, "%s", cid);
		vs_client_logf(c, 1, "stemcell %s imported as %s", cid,
		               vm.value);
	}
cleanup:
	if (rc != 0 && imported) {
		struct vs_error de;

		vs_client_cleanup(c);
		vs_error_clear(&de);
		if (vs_vm_remove(NULL, c, &vm, &vs_import_vm_removal, &de) != 0)
			vs_client_logf(c, 3, "removing %s after a failed "
			               "import: %s", vm.value, de.message);
	}
	if (rc != 0) {
		vs_error_prefix(&e, "create_stemcell");
		vs_error_keep_first(err, &e);
	}
	free(fpath);
	free(dir);
	vs_ovf_free(ovf);
	return rc;
}

/* --- listing the template folder -------------------------------------- */

/* VMs directly in folder, with name. */
static int
list_folder_vms(struct vs_objects **out, struct vs_client *c,
                const struct vs_moref *folder, struct vs_error *err)
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

/* --- delete ----------------------------------------------------------- */

int
vs_stemcell_delete(bool *found_out, struct vs_client *c,
                   const struct vs_stemcell_loc *loc, const char *cid,
                   struct vs_error *err)
{
	struct vs_objects *list = NULL;
	struct vs_moref folder;
	struct vs_error e;
	char *path = NULL;
	const char *name;
	size_t i, len, found = 0;
	int rc, pass;

	if (found_out != NULL)
		*found_out = false;
	vs_error_clear(&e);
	rc = check_loc(loc, &e);
	if (rc == 0 && !vs_stemcell_cid_valid(cid))
		rc = vs_error_set(&e, VS_EINVAL, "not a stemcell id");
	if (rc != 0)
		goto cleanup;
	path = folder_path(loc);
	if (path == NULL) {
		rc = vs_error_set(&e, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_find_by_inventory_path(&folder, c, path, &e);
	if (rc == VS_ENOTFOUND) {
		vs_client_logf(c, 1, "%s: no template folder, nothing to "
		               "delete", cid);
		rc = 0;
		goto cleanup;
	}
	if (rc == 0)
		rc = list_folder_vms(&list, c, &folder, &e);
	if (rc != 0)
		goto cleanup;
	len = strlen(cid);
	/* Replicas first, the stemcell last: a failure half-way leaves the
	 * stemcell, so a retried delete finds the rest again. */
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		for (i = 0; i < list->n && rc == 0; i++) {
			if (vs_object_get_str(&name, &list->items[i], "name",
			                      &e) != 0) {
				vs_error_clear(&e);
				continue;
			}
			if (strncmp(name, cid, len) != 0 ||
			    (pass == 0 && name[len] != '-' &&
			     strncmp(name + len, RUBY_SEP,
			             strlen(RUBY_SEP)) != 0) ||
			    (pass == 1 && name[len] != '\0'))
				continue;
			found++;
			vs_client_logf(c, 1, "deleting %s (%s)", name,
			               list->items[i].obj.value);
			rc = vs_vm_remove(NULL, c, &list->items[i].obj,
			                  &vs_import_vm_removal, &e);
		}
	}
	if (rc == 0 && found == 0)
		vs_client_logf(c, 1, "%s: not found, nothing to delete", cid);
	if (found_out != NULL)
		*found_out = found > 0;
cleanup:
	if (rc != 0) {
		vs_error_prefix(&e, "delete_stemcell");
		vs_error_keep_first(err, &e);
	}
	vs_objects_free(list);
	free(path);
	return rc;
}

/* --- replicas ---------------------------------------------------------- */

/* The VM's datastores and current snapshot (has_snap false when none). */
static int
vm_ds_snap(const struct vs_moref **ds, size_t *nds, bool *has_snap,
           struct vs_moref *snap, struct vs_object **o_out,
           struct vs_client *c, const struct vs_moref *vm,
           struct vs_error *err)
{
	static const char *const paths[] = { "datastore", "snapshot", NULL };
	xmlNodePtr node, cur;
	int rc;

	*has_snap = false;
	*ds = NULL;
	*nds = 0;
	rc = vs_get_props(o_out, c, vm, paths, err);
	if (rc != 0)
		return rc;
	rc = vs_object_get_morefs(ds, nds, *o_out, "datastore", err);
	if (rc == VS_ENOTFOUND) {
		vs_error_clear(err);
		rc = 0;
	}
	if (rc != 0)
		return rc;
	if (vs_object_get_node(&node, *o_out, "snapshot", err) != 0) {
		vs_error_clear(err);
		return 0;
	}
	cur = vs_xml_child(node, "currentSnapshot");
	if (cur != NULL) {
		rc = vs_xml_moref(snap, cur, err);
		*has_snap = rc == 0;
	}
	return rc;
}

static bool
moref_less(const struct vs_moref *a, const struct vs_moref *b)
{
	size_t la = strlen(a->value), lb = strlen(b->value);

	if (la != lb)
		return la < lb;
	return strcmp(a->value, b->value) < 0;
}

/* Waits until path names a VM with a current snapshot. */
static int
wait_replica(struct vs_moref *vm_out, struct vs_moref *snap_out,
             struct vs_client *c, const char *path, struct vs_error *err)
{
	double deadline = vs_client_now(c) + REPLICA_WAIT_S;
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	size_t nds;
	bool has_snap;
	int rc;

	for (;;) {
		vs_object_free(o);
		o = NULL;
		rc = vs_find_by_inventory_path(vm_out, c, path, err);
		if (rc == 0)
			rc = vm_ds_snap(&ds, &nds, &has_snap, snap_out, &o, c,
			                vm_out, err);
		if (rc == VS_ENOTFOUND) {
			vs_error_clear(err);
			has_snap = false;
			rc = 0;
		}
		if (rc != 0 || has_snap)
			break;
		if (vs_client_now(c) >= deadline) {
			rc = vs_error_set(err, VS_ETIMEOUT,
			                  "replica %s not ready after %.0f s",
			                  path, REPLICA_WAIT_S);
			err->transient = true;
			break;
		}
		vs_client_sleep(c, REPLICA_POLL_S);
	}
	vs_object_free(o);
	return rc;
}

static int
clone_replica(struct vs_moref *out, struct vs_client *c,
              const struct vs_moref *src, const struct vs_moref *folder,
              const char *name, const struct vs_moref *datastore,
              const struct vs_moref *pool, struct vs_error *err)
{
	struct vs_task_result res;
	struct vs_clone_spec cs;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int rc;

	memset(&res, 0, sizeof(res));
	memset(&cs, 0, sizeof(cs));
	cs.location.datastore = datastore;
	cs.location.pool = pool;
	rc = vs_soap_request_new(&req, &m, "CloneVM_Task", src, err);
	if (rc != 0)
		goto cleanup;
	vs_soap_add_moref(m, "folder", folder);
	vs_soap_add_text(m, "name", name);
	rc = vs_add_clone_spec(m, "spec", &cs, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_task_call(&res, c, req, VS_IMPORT_TASK_TIMEOUT_S, err);
	req = NULL;
	if (rc == 0 && strcmp(res.moref.type, "VirtualMachine") != 0)
		rc = vs_error_set(err, VS_EPARSE,
		                  "clone task returned no VM");
	if (rc == 0)
		*out = res.moref;
cleanup:
	vs_task_result_clear(&res);
	xmlFreeDoc(req);
	return rc;
}

/* Another VM of the same name that sorts before mine (created earlier
 * by a racing process on a vCenter that let both names through)? */
static int
earlier_twin(bool *yes, struct vs_client *c, const struct vs_moref *folder,
             const char *name, const struct vs_moref *mine,
             struct vs_error *err)
{
	struct vs_objects *list = NULL;
	const char *n;
	size_t i;
	int rc;

	*yes = false;
	rc = list_folder_vms(&list, c, folder, err);
	for (i = 0; rc == 0 && i < list->n; i++) {
		if (vs_object_get_str(&n, &list->items[i], "name", err) != 0) {
			vs_error_clear(err);
			continue;
		}
		if (strcmp(n, name) == 0 &&
		    moref_less(&list->items[i].obj, mine))
			*yes = true;
	}
	vs_objects_free(list);
	return rc;
}

/* The Ruby CPI's replica name for cid on the datastore ds_value:
 * "<cid> %2f <ds_value>", a '/' in ds_value escaped as "%2f" (vCenter
 * keeps an escape sequence in a name as it is). */
static int
ruby_replica_name(char *out, size_t size, const char *cid,
                  const char *ds_value, struct vs_error *err)
{
	size_t i, n;

	n = (size_t)snprintf(out, size, "%s%s", cid, RUBY_SEP);
	for (i = 0; n < size && ds_value[i] != '\0'; i++) {
		if (ds_value[i] == '/') {
			if (n + 3 >= size)
				break;
			memcpy(out + n, "%2f", 3);
			n += 3;
		} else {
			out[n++] = ds_value[i];
		}
	}
	if (n >= size || ds_value[i] != '\0') {
		if (size > 0)
			out[0] = '\0';
		return vs_error_set(err, VS_EINVAL, "replica name too long");
	}
	out[n] = '\0';
	return 0;
}

/* A replica the Ruby CPI made of cid on datastore, in folder: found
 * (vm_out, snap_out set) only when it lies on datastore and has a current
 * snapshot.  One folder read, one property read when a name matches. */
static int
ruby_replica(bool *found, struct vs_moref *vm_out, struct vs_moref *snap_out,
             struct vs_client *c, const struct vs_moref *folder,
             const char *cid, const struct vs_moref *datastore,
             struct vs_error *err)
{
	struct vs_objects *list = NULL;
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	const char *n;
	char name[512];
	size_t i, nds;
	bool has_snap = false;
	int rc;

	*found = false;
	rc = ruby_replica_name(name, sizeof(name), cid, datastore->value,
	                       err);
	if (rc != 0)
		return rc;
	rc = list_folder_vms(&list, c, folder, err);
	for (i = 0; rc == 0 && i < list->n && !*found; i++) {
		if (vs_object_get_str(&n, &list->items[i], "name", err) != 0) {
			vs_error_clear(err);
			continue;
		}
		if (strcmp(n, name) != 0)
			continue;
		vs_object_free(o);
		o = NULL;
		rc = vm_ds_snap(&ds, &nds, &has_snap, snap_out, &o, c,
		                &list->items[i].obj, err);
		if (rc == VS_ENOTFOUND) {
			vs_error_clear(err);
			rc = 0;
			continue;
		}
		if (rc == 0 && has_snap && moref_in(datastore, ds, nds)) {
			*vm_out = list->items[i].obj;
			*found = true;
			vs_client_logf(c, 1, "using the replica %s (%s)", n,
			               vm_out->value);
		}
	}
	if (!*found)
		memset(snap_out, 0, sizeof(*snap_out));
	vs_object_free(o);
	vs_objects_free(list);
	return rc;
}

int
vs_stemcell_replica(struct vs_moref *vm_out,
                    struct vs_moref *snapshot_out, struct vs_client *c,
                    const struct vs_stemcell_loc *loc,
                    const char *stemcell_cid,
                    const struct vs_moref *datastore,
                    const struct vs_moref *pool, struct vs_error *err)
{
	struct vs_object *o = NULL;
	const struct vs_moref *ds;
	struct vs_moref sc, folder, mine;
	struct vs_error e;
	char name[128];
	char *fpath = NULL, *spath = NULL, *rpath = NULL;
	size_t nds;
	bool has_snap, twin;
	int rc;

	memset(vm_out, 0, sizeof(*vm_out));
	memset(snapshot_out, 0, sizeof(*snapshot_out));
	vs_error_clear(&e);
	rc = check_loc(loc, &e);
	if (rc == 0 && (datastore == NULL || pool == NULL))
		rc = vs_error_set(&e, VS_EINVAL,
		                  "replica: datastore and pool required");
	if (rc == 0)
		rc = vs_stemcell_replica_name(name, sizeof(name),
		                              stemcell_cid, datastore->value,
		                              &e);
	if (rc != 0)
		goto cleanup;
	fpath = folder_path(loc);
	spath = fpath != NULL ? join(fpath, "/", stemcell_cid, NULL) : NULL;
	rpath = fpath != NULL ? join(fpath, "/", name, NULL) : NULL;
	if (spath == NULL || rpath == NULL) {
		rc = vs_error_set(&e, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	rc = vs_find_by_inventory_path(&sc, c, spath, &e);
	if (rc == 0)
		rc = vm_ds_snap(&ds, &nds, &has_snap, snapshot_out, &o, c,
		                &sc, &e);
	if (rc != 0) {
		vs_error_prefix(&e, "stemcell %s", stemcell_cid);
		goto cleanup;
	}
	if (moref_in(datastore, ds, nds)) {
		if (!has_snap)
			rc = vs_error_set(&e, VS_ENOTFOUND,
			                  "stemcell %s has no snapshot",
			                  stemcell_cid);
		else
			*vm_out = sc;
		goto cleanup;
	}
	rc = vs_find_by_inventory_path(vm_out, c, rpath, &e);
	if (rc == 0) {
		rc = wait_replica(vm_out, snapshot_out, c, rpath, &e);
		goto cleanup;
	}
	if (rc != VS_ENOTFOUND)
		goto cleanup;
	vs_error_clear(&e);
	rc = vs_find_by_inventory_path(&folder, c, fpath, &e);
	if (rc == 0) {
		/* one the Ruby CPI made there is as good */
		rc = ruby_replica(&twin, vm_out, snapshot_out, c, &folder,
		                  stemcell_cid, datastore, &e);
		if (rc == 0 && twin)
			goto cleanup;
	}
	if (rc == 0) {
		vs_client_logf(c, 1, "replicating %s to datastore %s as %s",
		               stemcell_cid, datastore->value, name);
		rc = clone_replica(&mine, c, &sc, &folder, name, datastore,
		                   pool, &e);
	}
	if (rc != 0 && strcmp(e.fault, "DuplicateName") == 0) {
		vs_client_logf(c, 1, "replica %s is being made by another "
		               "process; waiting", name);
		vs_error_clear(&e);
		rc = wait_replica(vm_out, snapshot_out, c, rpath, &e);
		goto cleanup;
	}
	if (rc == 0)
		rc = earlier_twin(&twin, c, &folder, name, &mine, &e);
	if (rc != 0)
		goto cleanup;
	if (twin) {
		vs_client_logf(c, 1, "replica %s was made twice; keeping the "
		               "older one", name);
		rc = vs_vm_remove(NULL, c, &mine, &vs_import_vm_removal, &e);
		if (rc == 0)
			rc = wait_replica(vm_out, snapshot_out, c, rpath, &e);
		goto cleanup;
	}
	rc = take_snapshot(snapshot_out, c, &mine, &e);
	if (rc == 0)
		*vm_out = mine;
cleanup:
	if (rc != 0) {
		memset(vm_out, 0, sizeof(*vm_out));
		memset(snapshot_out, 0, sizeof(*snapshot_out));
		vs_error_prefix(&e, "stemcell replica");
		vs_error_keep_first(err, &e);
	}
	vs_object_free(o);
	free(rpath);
	free(spath);
	free(fpath);
	return rc;
}
