/*
 * vsphere/stemcell_place.c: where a stemcell is imported (see
 * stemcell_internal.h): the first configured cluster with an accessible
 * datastore that matches the pattern and has room, its pool.
 */
#include "vsphere/stemcell_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

#define MAX_CLUSTERS 64

/* The best datastore of the cluster object o among all (datastores come
 * back in the same list): matching re, accessible, not in maintenance,
 * with need bytes free; most free space wins. */
static int
best_datastore(struct vs_stemcell_placement *pl, bool *found,
               struct vs_client *c, const struct vs_object *o,
               const struct vs_objects *all, const struct vs_pattern *re,
               long long need, struct err *err)
{
	const struct vs_moref *ds = NULL;
	struct vs_ds_summary *sum = NULL;
	struct err de;
	size_t nds = 0, i;
	xmlNodePtr node;
	int rc;

	*found = false;
	rc = vs_object_get_morefs(&ds, &nds, o, "datastore", err);
	if (rc == ERR_ENOTFOUND) {
		err_clear(err);
		return 0;
	}
	if (rc != 0)
		return rc;
	for (i = 0; i < all->n; i++) {
		const struct vs_object *d = &all->items[i];
		bool ok;

		if (strcmp(d->obj.type, "Datastore") != 0 ||
		    !vs_stemcell__moref_in(&d->obj, ds, nds))
			continue;
		/* A datastore whose summary is unreadable (e.g. one going
		 * away) is skipped, not fatal. */
		err_clear(&de);
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
              const struct vs_stemcell_import *imp, struct err *err)
{
	char *path;
	size_t i;
	int rc = 0;

	for (i = 0; i < imp->nclusters && rc == 0; i++) {
		if (vs_stemcell__check_rel("cluster", imp->clusters[i].name,
		                           err) != 0 ||
		    strchr(imp->clusters[i].name, '/') != NULL)
			return err_set(err, ERR_EINVAL, "bad cluster name");
		path = vs_stemcell__join(imp->loc.datacenter, "/host/",
		                         imp->clusters[i].name, NULL);
		if (path == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		rc = vs_find_by_inventory_path(&refs[i], c, path, err);
		if (rc == 0 && strcmp(refs[i].type,
		                      "ClusterComputeResource") != 0)
			rc = err_set(err, ERR_ENOTFOUND, "not a cluster");
		if (rc != 0)
			err_prefix(err, "cluster %s",
			           imp->clusters[i].name);
		free(path);
	}
	return rc;
}

static int
cluster_pool(struct vs_moref *out, struct vs_client *c,
             const struct vs_stemcell_import *imp, size_t i,
             const struct vs_object *o, struct err *err)
{
	const struct vs_stemcell_cluster *cl = &imp->clusters[i];
	char *path;
	int rc;

	if (cl->resource_pool == NULL || cl->resource_pool[0] == '\0')
		return vs_object_get_moref(out, o, "resourcePool", err);
	rc = vs_stemcell__check_rel("resource pool", cl->resource_pool, err);
	if (rc != 0)
		return rc;
	path = vs_stemcell__join(imp->loc.datacenter, "/host/", cl->name,
	                         "/Resources/");
	if (path == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	{
		char *full = vs_stemcell__join(path, cl->resource_pool, NULL,
		                               NULL);

		free(path);
		if (full == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		rc = vs_find_by_inventory_path(out, c, full, err);
		free(full);
	}
	if (rc != 0)
		err_prefix(err, "resource pool %s of cluster %s",
		           cl->resource_pool, cl->name);
	return rc;
}

/* The datastore pattern, compiled (*re stays NULL without one). */
static int
open_pattern(struct vs_pattern **re, const struct vs_stemcell_import *imp,
             struct err *err)
{
	*re = NULL;
	if (imp->datastore_pattern == NULL || imp->datastore_pattern[0] == '\0')
		return 0;
	return vs_pattern_compile(re, imp->datastore_pattern,
	                          imp->pattern_key != NULL ? imp->pattern_key :
	                          "datastore_pattern", err);
}

/* ONE read of the clusters refs (name, datastore, resourcePool) and,
 * through traversals, their datastores' summaries and, up the parent
 * chain, their datacenter's vmFolder (where the template folder goes: no
 * lookup of "<dc>/vm" when it is made). */
static int
read_clusters(struct vs_objects **list, struct vs_client *c,
              const struct vs_moref *refs, size_t n, struct err *err)
{
	static const char *const cl_paths[] = { "name", "datastore",
	                                        "resourcePool", NULL };
	static const char *const ds_paths[] = { "summary", NULL };
	static const char *const dc_paths[] = { "vmFolder", NULL };
	static const struct vs_selection_spec up_again = { .name = "up" };
	static const struct vs_selection_spec ts[2] = {
		{ .name = "ds", .type = "ComputeResource",
		  .path = "datastore", .skip = false },
		{ .name = "up", .type = "ManagedEntity", .path = "parent",
		  .skip = false, .select = &up_again, .nselect = 1 },
	};
	const struct vs_property_spec ps[3] = {
		{ .type = "ClusterComputeResource", .paths = cl_paths },
		{ .type = "Datastore", .paths = ds_paths },
		{ .type = "Datacenter", .paths = dc_paths },
	};
	struct vs_object_spec os[MAX_CLUSTERS];
	struct vs_pc_query q;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&os[i], 0, sizeof(os[i]));
		os[i].obj = refs[i];
		os[i].select = ts;
		os[i].nselect = 2;
	}
	memset(&q, 0, sizeof(q));
	q.spec.props = ps;
	q.spec.nprops = 3;
	q.spec.objects = os;
	q.spec.nobjects = n;
	return vs_pc_retrieve(list, c, &q, err);
}

/* The datacenter's vmFolder from the read (left empty when it is not
 * there: the folder code looks "<dc>/vm" up then). */
static void
read_vm_folder(struct vs_moref *out, const struct vs_objects *list)
{
	struct err e;
	size_t i;

	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (strcmp(list->items[i].obj.type, "Datacenter") == 0 &&
		    vs_object_get_moref(out, &list->items[i], "vmFolder",
		                        &e) == 0)
			return;
	}
	memset(out, 0, sizeof(*out));
}

/* The first cluster, in the configured order, with a datastore that
 * fits: its best datastore and its pool. */
static int
pick(struct vs_stemcell_placement *pl, bool *found, struct vs_client *c,
     const struct vs_stemcell_import *imp, const struct vs_moref *refs,
     const struct vs_objects *list, const struct vs_pattern *re,
     long long need, struct err *err)
{
	size_t i, j;
	int rc = 0;

	*found = false;
	for (i = 0; i < imp->nclusters && !*found && rc == 0; i++) {
		for (j = 0; j < list->n; j++) {
			if (strcmp(list->items[j].obj.value,
			           refs[i].value) == 0)
				break;
		}
		if (j == list->n)
			continue;
		rc = best_datastore(pl, found, c, &list->items[j], list, re,
		                    need, err);
		if (rc == 0 && *found)
			rc = cluster_pool(&pl->pool, c, imp, i,
			                  &list->items[j], err);
		if (rc == 0 && *found)
			vs_client_logf(c, 1, "stemcell placement: cluster %s, "
			               "datastore %s", imp->clusters[i].name,
			               pl->ds_name);
	}
	return rc;
}

int
vs_stemcell__place(struct vs_stemcell_placement *pl, struct vs_client *c,
                   const struct vs_stemcell_import *imp, long long need,
                   struct err *err)
{
	struct vs_moref refs[MAX_CLUSTERS];
	struct vs_objects *list = NULL;
	struct vs_pattern *re = NULL;
	bool found = false;
	int rc;

	memset(pl, 0, sizeof(*pl));
	if (imp->nclusters == 0 || imp->nclusters > MAX_CLUSTERS)
		return err_set(err, ERR_EINVAL,
		               "between 1 and %d clusters needed",
		               MAX_CLUSTERS);
	rc = open_pattern(&re, imp, err);
	if (rc != 0)
		return rc;
	rc = find_clusters(refs, c, imp, err);
	if (rc == 0)
		rc = read_clusters(&list, c, refs, imp->nclusters, err);
	if (rc == 0) {
		read_vm_folder(&pl->vm_folder, list);
		rc = pick(pl, &found, c, imp, refs, list, re, need, err);
	}
	if (rc == 0 && !found)
		rc = err_set(err, ERR_ENOTFOUND,
		             "no accessible datastore matching %s with "
		             "%lld bytes free in the configured clusters",
		             imp->pattern_key != NULL ? imp->pattern_key
		             : "datastore_pattern", need);
	vs_pattern_free(re);
	vs_objects_free(list);
	return rc;
}
