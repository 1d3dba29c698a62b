/*
 * vsphere/disk_ds.c: the datacenter's datastores and which one a disk
 * goes to (disk.h).
 */
#include "vsphere/disk_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/array.h"
#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

static void
ds_clear(void *d)
{
	free(((struct vs_disk_ds *)d)->name);
}

void
vs_disk_dss_free(struct vs_disk_dss *d)
{
	if (d == NULL)
		return;
	array_free(d->items, d->n, sizeof(*d->items), ds_clear);
	free(d);
}

static int
ds_from_object(struct vs_disk_ds *d, const struct vs_object *o,
               struct err *err)
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
		rc = err_set(err, ERR_EPARSE, "datastore %s: no name",
		             o->obj.value);
		goto cleanup;
	}
	d->name = strdup(sum->name);
	if (d->name == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
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

/* Datacenter.datastore: every datastore of the datacenter, nested in
 * folders and datastore clusters too.  From a VM: its resource pool's
 * owner (the cluster or host) and that one's hosts, whose datastore lists
 * come back; the VM's runtime.host tells which is its own. */
static const struct vs_selection_spec dc_datastores = {
	.name = "dcDs", .type = "Datacenter", .path = "datastore",
};
static const struct vs_selection_spec cr_hosts = {
	.name = "crH", .type = "ComputeResource", .path = "host",
};
static const struct vs_selection_spec rp_owner = {
	.name = "rpOwner", .type = "ResourcePool", .path = "owner",
	.skip = true, .select = &cr_hosts, .nselect = 1,
};
static const struct vs_selection_spec vm_pool = {
	.name = "vmRp", .type = "VirtualMachine", .path = "resourcePool",
	.skip = true, .select = &rp_owner, .nselect = 1,
};
/* With datastore clusters: the datacenter's datastore folder and the
 * folders and datastore clusters below it (a StoragePod is a Folder). */
static const struct vs_selection_spec ref_f = { .name = "f" };
static const struct vs_selection_spec dc_pods[] = {
	{ .name = "dcDs", .type = "Datacenter", .path = "datastore" },
	{ .name = "dcD", .type = "Datacenter", .path = "datastoreFolder",
	  .select = &ref_f, .nselect = 1 },
	{ .name = "f", .type = "Folder", .path = "childEntity",
	  .select = &ref_f, .nselect = 1 },
};
static const char *const ds_paths[] = { "summary", NULL };
static const char *const host_paths[] = { "datastore", NULL };
static const char *const vm_paths[] = { "runtime.host", NULL };
static const char *const folder_paths[] = { "name", "parent", NULL };
static const char *const read_optional[] = {
	"datastore", "runtime.host", "childEntity",
	"podStorageDrsEntry.storageDrsConfig.podConfig.enabled", NULL,
};

/* The one read: the datacenter's datastores and, with near (a
 * HostSystem or a VirtualMachine), the datastore list of that host or of
 * the VM's cluster's hosts; with pods, the datastore clusters too. */
static int
read_datastores(struct vs_objects **out, struct vs_client *c,
                const struct vs_moref *dc, const struct vs_moref *near,
                bool pods, struct err *err)
{
	static const struct vs_property_spec all[] = {
		{ .type = "Datastore", .paths = ds_paths },
		{ .type = "HostSystem", .paths = host_paths },
		{ .type = "VirtualMachine", .paths = vm_paths },
		{ .type = "Folder", .paths = folder_paths },
		{ .type = "StoragePod", .paths = vs_pod_paths },
	};
	struct vs_property_spec props[5];
	bool vm = near != NULL &&
	          strcmp(near->type, "VirtualMachine") == 0;
	struct vs_object_spec os[2] = {
		{ .obj = *dc, .skip = true, .select = &dc_datastores,
		  .nselect = 1 },
	};
	struct vs_pc_query q = {
		.spec = { .props = props,
		          .nprops = near == NULL ? 1 : vm ? 3 : 2,
		          .objects = os, .nobjects = near != NULL ? 2 : 1 },
		.optional = read_optional,
	};

	memcpy(props, all, q.spec.nprops * sizeof(props[0]));
	if (pods) {
		props[q.spec.nprops++] = all[3];
		props[q.spec.nprops++] = all[4];
		os[0].select = dc_pods;
		os[0].nselect = 3;
	}
	if (near != NULL)
		os[1].obj = *near;
	if (vm) {
		os[1].select = &vm_pool;
		os[1].nselect = 1;
	}
	return vs_pc_retrieve(out, c, &q, err);
}

/* host's datastore list (from o) into reach. */
static int
reach_from_object(struct vs_disk_reach *reach, const struct vs_object *o,
                  struct err *err)
{
	const struct vs_moref *refs;
	struct err e = {0};
	size_t n = 0;
	int rc;

	rc = vs_object_get_morefs(&refs, &n, o, "datastore", &e);
	if (rc == ERR_ENOTFOUND)
		return 0;
	if (rc != 0) {
		err_keep_first(err, &e);
		return rc;
	}
	if (n == 0)
		return 0;
	reach->items = calloc(n, sizeof(*reach->items));
	if (reach->items == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	memcpy(reach->items, refs, n * sizeof(*refs));
	reach->n = n;
	return 0;
}

/* The host whose reach is wanted: near itself, or the VM's runtime.host
 * (false when the VM has none). */
static bool
wanted_host(struct vs_moref *out, const struct vs_objects *list,
            const struct vs_moref *near)
{
	struct err e = {0};
	size_t i;

	if (strcmp(near->type, "VirtualMachine") != 0) {
		*out = *near;
		return true;
	}
	for (i = 0; i < list->n; i++)
		if (vs_moref_eq(&list->items[i].obj, near))
			return vs_object_get_moref(out, &list->items[i],
			                           "runtime.host", &e) == 0;
	return false;
}

/* The datastores of list into a new *out, the wanted host's list (near:
 * see wanted_host; NULL: none) into reach (*has_reach). */
static int
dss_from_list(struct vs_disk_dss **out, struct vs_disk_reach *reach,
              bool *has_reach, const struct vs_objects *list,
              const struct vs_moref *near, struct err *err)
{
	struct vs_disk_dss *dss;
	struct vs_moref host;
	bool any = near != NULL && reach != NULL &&
	           wanted_host(&host, list, near);
	size_t i;
	int rc = 0;

	dss = calloc(1, sizeof(*dss));
	if (dss != NULL && list->n > 0)
		dss->items = calloc(list->n, sizeof(*dss->items));
	if (dss == NULL || (list->n > 0 && dss->items == NULL)) {
		vs_disk_dss_free(dss);
		return err_set(err, ERR_ENOMEM, "out of memory");
	}
	for (i = 0; i < list->n && rc == 0; i++) {
		const struct vs_object *o = &list->items[i];

		if (strcmp(o->obj.type, "HostSystem") == 0) {
			if (any && !*has_reach && vs_moref_eq(&o->obj, &host)) {
				rc = reach_from_object(reach, o, err);
				*has_reach = true;
			}
			continue;
		}
		if (strcmp(o->obj.type, "Datastore") != 0)
			continue;
		rc = ds_from_object(&dss->items[dss->n++], o, err);
		if (rc != 0)
			err_prefix(err, "datastore %s", o->obj.value);
	}
	if (rc == 0)
		*out = dss;
	else
		vs_disk_dss_free(dss);
	return rc;
}

/* The wanted datastore clusters' members of list marked in dss. */
static int
mark_pods(struct vs_disk_dss *dss, const struct vs_objects *list,
          const struct vs_moref *dc, const struct vs_pod_want *want,
          struct err *err)
{
	struct vs_pod_set set;
	size_t i;
	int rc;

	rc = vs_pod_set_build(&set, list, dc, want, err);
	if (rc == 0) {
		dss->pods_wanted = true;
		dss->pods_listed = want->nnames > 0;
		dss->pods_off = set.noff;
		for (i = 0; i < dss->n; i++)
			dss->items[i].in_pod = vs_pod_set_has(&set,
			                                      &dss->items[i].ref);
	}
	vs_pod_set_clear(&set);
	return rc;
}

int
vs_disk_datastores_pods(struct vs_disk_dss **out, struct vs_disk_reach *reach,
                        bool *has_reach, struct vs_client *c,
                        const struct vs_moref *dc, const struct vs_moref *near,
                        const struct vs_pod_want *want, struct err *err)
{
	struct vs_objects *list = NULL;
	struct err e = {0};
	bool got = false, pods = vs_pod_want_any(want);
	int rc;

	*out = NULL;
	if (reach != NULL)
		memset(reach, 0, sizeof(*reach));
	if (has_reach != NULL)
		*has_reach = false;
	rc = vs_disk__check_ref(dc, "datastores", err);
	if (rc != 0)
		return rc;
	if (reach == NULL || (near != NULL &&
	    vs_disk__check_ref(near, "host datastores", &e) != 0))
		near = NULL;
	err_clear(&e);
	rc = read_datastores(&list, c, dc, near, pods, &e);
	if (rc != 0 && near != NULL) {
		/* the host or VM went away meanwhile: the datastores alone */
		vs_objects_free(list);
		list = NULL;
		near = NULL;
		err_clear(&e);
		rc = read_datastores(&list, c, dc, NULL, pods, &e);
	}
	if (rc == 0)
		rc = dss_from_list(out, reach, &got, list, near, &e);
	if (rc == 0 && pods)
		rc = mark_pods(*out, list, dc, want, &e);
	if (rc != 0) {
		vs_disk_dss_free(*out);
		*out = NULL;
		err_keep_first(err, &e);
	} else if (has_reach != NULL) {
		*has_reach = got;
	}
	vs_objects_free(list);
	return rc;
}

int
vs_disk_datastores_near(struct vs_disk_dss **out, struct vs_disk_reach *reach,
                        bool *has_reach, struct vs_client *c,
                        const struct vs_moref *dc, const struct vs_moref *near,
                        struct err *err)
{
	return vs_disk_datastores_pods(out, reach, has_reach, c, dc, near,
	                               NULL, err);
}

int
vs_disk_datastores(struct vs_disk_dss **out, struct vs_client *c,
                   const struct vs_moref *dc, struct err *err)
{
	return vs_disk_datastores_near(out, NULL, NULL, c, dc, NULL, err);
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
                   const struct vs_moref *host, struct err *err)
{
	static const char *const paths[] = { "datastore", NULL };
	const struct vs_moref *refs;
	struct vs_object *o = NULL;
	struct err e;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	rc = vs_disk__check_ref(host, "host datastores", err);
	if (rc == 0)
		rc = vs_get_props(&o, c, host, paths, err);
	if (rc != 0)
		goto cleanup;
	rc = vs_object_get_morefs(&refs, &n, o, "datastore", &e);
	if (rc == ERR_ENOTFOUND) {
		rc = 0;
		goto cleanup;
	}
	if (rc != 0) {
		err_keep_first(err, &e);
		goto cleanup;
	}
	if (n > 0) {
		out->items = calloc(n, sizeof(*out->items));
		if (out->items == NULL) {
			rc = err_set(err, ERR_ENOMEM, "out of memory");
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
		if (vs_moref_eq(&reach->items[i], &ds->ref))
			return true;
	}
	return false;
}

int
vs_disk_ds_wanted(bool *out, const struct vs_disk_ds *ds,
                  const char *pattern, const char *const *names,
                  size_t nnames, struct err *err)
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

/* Whether d is wanted for a new disk: a member of a wanted datastore
 * cluster; else with clusters named, only a datastore named; with a
 * cluster pattern, the pattern's datastores only when there is one; else
 * as vs_disk_ds_wanted() says. */
static int
pick_wanted(bool *out, const struct vs_disk_dss *dss,
            const struct vs_disk_ds *d, const char *pattern,
            const char *const *names, size_t nnames, struct err *err)
{
	*out = d->in_pod;
	if (*out || (dss->pods_listed && nnames == 0) ||
	    (dss->pods_wanted && !dss->pods_listed &&
	     (pattern == NULL || pattern[0] == '\0')))
		return 0;
	return vs_disk_ds_wanted(out, d, pattern, names, nnames, err);
}

int
vs_disk_pick_datastore(const struct vs_disk_ds **out,
                       const struct vs_disk_dss *dss, const char *pattern,
                       const char *const *names, size_t nnames,
                       const struct vs_disk_reach *reach,
                       long long need_bytes, struct err *err)
{
	const struct vs_disk_ds *best = NULL;
	bool best_near = false, wanted;
	size_t i, nwanted = 0;
	int rc;

	*out = NULL;
	for (i = 0; dss != NULL && i < dss->n; i++) {
		const struct vs_disk_ds *d = &dss->items[i];
		bool near;

		rc = pick_wanted(&wanted, dss, d, pattern, names, nnames, err);
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
		if (nwanted == 0 && dss != NULL && dss->pods_off > 0)
			return err_set(err, ERR_ENOTFOUND, "no datastore "
			               "matches the persistent datastore "
			               "pattern or names (datastore clusters "
			               "with Storage DRS off are left out, as "
			               "the Ruby CPI leaves them out)");
		if (nwanted == 0)
			return err_set(err, ERR_ENOTFOUND, "no datastore "
			               "matches the persistent datastore "
			               "pattern or names");
		return err_set(err, ERR_ENOTFOUND, "none of the %zu "
		               "matching datastores is usable with %lld "
		               "MB free", nwanted, need_bytes / 1048576);
	}
	*out = best;
	return 0;
}

int
vs_disk__each_candidate(struct vs_disk_loc *out,
                        const struct vs_disk_dss *dss,
                        const char *pattern,
                        vs_disk__try_fn try_ds, void *ctx,
                        struct err *err)
{
	bool wanted, was_set = err_is_set(err);
	size_t i;
	int pass, rc;

	/* pass 0: the datastores of the pattern; pass 1: the others */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; dss != NULL && i < dss->n; i++) {
			const struct vs_disk_ds *d = &dss->items[i];

			if (!d->usable)
				continue;
			rc = pick_wanted(&wanted, dss, d, pattern, NULL, 0,
			                 err);
			if (rc != 0)
				return rc;
			if (wanted != (pass == 0))
				continue;
			rc = try_ds(out, d, ctx, err);
			if (rc != ERR_ENOTFOUND ||
			    err_is_set(err) != was_set)
				return rc;
		}
	}
	return ERR_ENOTFOUND;
}
