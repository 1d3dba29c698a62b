/*
 * vsphere/placement_index.c: the inventory read and its index: every object by
 * moref, its parent chain, the datacenter it belongs to and its path;
 * the lookups by name and path that placement and the checks share.
 */
#include "vsphere/placement_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/drs.h"
#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/storage_pod.h"
#include "vsphere/vim.h"

#define MAX_DEPTH 64

static int
kind_of(const char *type)
{
	static const struct {
		const char *type;
		int kind;
	} map[] = {
		{ "Folder", K_FOLDER },
		{ "StoragePod", K_FOLDER },
		{ "Datacenter", K_DC },
		{ "ClusterComputeResource", K_CLUSTER },
		{ "ResourcePool", K_POOL },
		{ "VirtualApp", K_POOL },
		{ "Datastore", K_DS },
		{ "Network", K_NET },
		{ "OpaqueNetwork", K_NET },
		{ "DistributedVirtualPortgroup", K_DVPG },
		{ "VmwareDistributedVirtualSwitch", K_DVS },
		{ "DistributedVirtualSwitch", K_DVS },
		{ "HostSystem", K_HOST },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].type, type) == 0)
			return map[i].kind;
	return K_OTHER;
}

static int
moref_cmp(const struct vs_moref *a, const struct vs_moref *b)
{
	int r = strcmp(a->value, b->value);

	return r != 0 ? r : strcmp(a->type, b->type);
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return moref_cmp(&x->o->obj, &y->o->obj);
}

const struct ent *
vs_place__ent(const struct index *ix, const struct vs_moref *ref)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = moref_cmp(ref, &ix->v[mid].o->obj);

		if (r == 0)
			return &ix->v[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct ent *
vs_place__parent(const struct index *ix, const struct ent *e)
{
	return e->has_parent ? vs_place__ent(ix, &e->parent) : NULL;
}

int
vs_place__index(struct index *ix, const struct vs_objects *objs,
                struct err *err)
{
	size_t i;

	ix->n = 0;
	ix->v = calloc(objs->n + 1, sizeof(*ix->v));
	if (ix->v == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	for (i = 0; i < objs->n; i++) {
		const struct vs_object *o = &objs->items[i];
		struct ent *e = &ix->v[ix->n];
		struct err local = {0};

		e->o = o;
		e->kind = kind_of(o->obj.type);
		if (vs_object_get_str(&e->name, o, "name", &local) < 0)
			e->name = NULL;
		err_clear(&local);
		if (vs_object_get_moref(&e->parent, o, "parent", &local) == 0)
			e->has_parent = true;
		ix->n++;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), ent_cmp);
	return 0;
}

/* The datacenter e belongs to, or NULL. */
const struct ent *
vs_place__dc_of(const struct index *ix, const struct ent *e)
{
	int depth;

	for (depth = 0; e != NULL && depth < MAX_DEPTH; depth++) {
		e = vs_place__parent(ix, e);
		if (e != NULL && e->kind == K_DC)
			return e;
	}
	return NULL;
}

/*
 * Names of e and its ancestors below the datacenter's top folder (the
 * "vm", "host", "network" or "datastore" folder is left out), root first,
 * into comps; *top_out (may be NULL) receives that top folder.  For a
 * distributed port group the switch's name is put before its own.
 * Returns the count, or -1 when the chain is broken or too long.
 */
int
vs_place__path_of(const char *comps[MAX_COMPONENTS],
                  const struct ent **top_out, const struct index *ix,
                  const struct ent *e, const char *dvs_name)
{
	const char *rev[MAX_COMPONENTS];
	const struct ent *cur = e, *p, *pp;
	int n = 0, i;

	if (e->name == NULL)
		return -1;
	rev[n++] = e->name;
	if (dvs_name != NULL)
		rev[n++] = dvs_name;
	for (;;) {
		p = vs_place__parent(ix, cur);
		if (p == NULL || p->kind == K_DC)
			return -1;
		pp = vs_place__parent(ix, p);
		if (pp != NULL && pp->kind == K_DC)
			break;
		if (p->name == NULL || n >= MAX_COMPONENTS)
			return -1;
		rev[n++] = p->name;
		cur = p;
	}
	if (top_out != NULL)
		*top_out = p;
	for (i = 0; i < n; i++)
		comps[i] = rev[n - 1 - i];
	return n;
}

/* Splits s at '/' into comps (pointers into buf). */
int
vs_place__split_path(const char *comps[MAX_COMPONENTS], char *buf, size_t size,
                     const char *s)
{
	char *p, *slash;
	int n = 0;

	if (strlen(s) >= size)
		return -1;
	strcpy(buf, s);
	p = buf;
	for (;;) {
		if (n >= MAX_COMPONENTS)
			return -1;
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (*p == '\0')
			return -1;
		comps[n++] = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return n;
}

int
vs_place__dup(char **out, const char *s, struct err *err)
{
	*out = strdup(s != NULL ? s : "");
	if (*out == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* --- datacenter ----------------------------------------------------- */

/* The inventory path of a datacenter ("DC0", "folder/DC0") into buf. */
static void
dc_path(char *buf, size_t size, const struct index *ix, const struct ent *dc)
{
	const char *rev[MAX_COMPONENTS];
	const struct ent *p;
	size_t len = 0;
	int n = 0;

	rev[n++] = dc->name;
	/* Folders above the datacenter, up to (without) the root folder. */
	for (p = vs_place__parent(ix, dc); p != NULL && p->has_parent &&
	            n < MAX_COMPONENTS; p = vs_place__parent(ix, p))
		rev[n++] = p->name != NULL ? p->name : "";
	buf[0] = '\0';
	while (n > 0) {
		int w = snprintf(buf + len, size - len, "%s%s",
		                 len > 0 ? "/" : "", rev[--n]);

		if (w < 0 || (size_t)w >= size - len) {
			buf[0] = '\0';
			return;
		}
		len += (size_t)w;
	}
}

/* The datacenter whose inventory path is want or, failing that, the only
 * one named want. */
int
vs_place__find_dc(const struct ent **out, char **path_out,
                  const struct index *ix, const char *want,
                  struct err *err)
{
	const struct ent *by_path = NULL, *by_name = NULL;
	char path[1024];
	size_t i;
	int npath = 0, nname = 0;

	*out = NULL;
	*path_out = NULL;
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if (e->kind != K_DC || e->name == NULL)
			continue;
		dc_path(path, sizeof(path), ix, e);
		if (strcmp(path, want) == 0) {
			by_path = e;
			npath++;
		}
		if (strcmp(e->name, want) == 0) {
			by_name = e;
			nname++;
		}
	}
	if (npath != 1 && nname > 1)
		return err_set(err, ERR_EINVAL,
		               "several datacenters are named '%s': give "
		               "its inventory path", want);
	*out = npath == 1 ? by_path : by_name;
	if (*out == NULL)
		return err_set(err, ERR_ENOTFOUND,
		               "datacenter '%s' not found", want);
	dc_path(path, sizeof(path), ix, *out);
	return vs_place__dup(path_out, path, err);
}

/* --- clusters and datastores --------------------------------------- */

const struct ent *
vs_place__find_cluster(const struct index *ix, const struct ent *dc,
                       const char *name)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if (e->kind == K_CLUSTER && e->name != NULL &&
		    strcmp(e->name, name) == 0 && vs_place__dc_of(ix, e) == dc)
			return e;
	}
	return NULL;
}

/* The resource pool named name below the cluster's root pool. */
int
vs_place__find_pool(struct vs_moref *out, const struct index *ix,
                    const struct ent *cluster, const char *name,
                    struct err *err)
{
	struct vs_moref root;
	struct err local = {0};
	size_t i;
	int nfound = 0;

	if (vs_object_get_moref(&root, cluster->o, "resourcePool",
	                        &local) < 0)
		return err_set(err, ERR_ENOTFOUND,
		               "cluster '%s' has no resource pool",
		               cluster->name);
	if (name == NULL) {
		*out = root;
		return 0;
	}
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i], *p = e;
		int depth;

		if (e->kind != K_POOL || e->name == NULL ||
		    strcmp(e->name, name) != 0)
			continue;
		for (depth = 0; p != NULL && depth < MAX_DEPTH; depth++) {
			if (vs_moref_eq(&p->o->obj, &root))
				break;
			p = vs_place__parent(ix, p);
		}
		if (p == NULL || depth == 0 || depth >= MAX_DEPTH)
			continue;
		*out = e->o->obj;
		nfound++;
	}
	if (nfound == 0)
		return err_set(err, ERR_ENOTFOUND,
		               "resource pool '%s' not found in cluster "
		               "'%s'", name, cluster->name);
	if (nfound > 1)
		return err_set(err, ERR_EINVAL,
		               "several resource pools named '%s' in "
		               "cluster '%s'", name, cluster->name);
	return 0;
}

/* Free MB of a usable datastore, or -1. */
long long
vs_place__ds_free_mb(const struct ent *ds)
{
	struct err local = {0};
	long long free_b;
	bool accessible = true;
	const char *mm = NULL;

	if (vs_object_get_long(&free_b, ds->o, "summary.freeSpace",
	                       &local) < 0 || free_b < 0)
		return -1;
	err_clear(&local);
	if (vs_object_get_bool(&accessible, ds->o, "summary.accessible",
	                       &local) == 0 && !accessible)
		return -1;
	err_clear(&local);
	if (vs_object_get_str(&mm, ds->o, "summary.maintenanceMode",
	                      &local) == 0 && strcmp(mm, "normal") != 0)
		return -1;
	return free_b / (1024 * 1024);
}

/* --- vm folder ------------------------------------------------------ */

/* The folder at want[0..k-1] below the datacenter's vm folder, or NULL. */
static const struct ent *
vm_folder_at(const struct index *ix, const struct ent *dc,
             const struct vs_moref *dc_vm_folder, const char *const *want,
             int k)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i], *top = NULL;
		const char *have[MAX_COMPONENTS];
		int nhave, j;

		if (e->kind != K_FOLDER || e->name == NULL ||
		    strcmp(e->name, want[k - 1]) != 0)
			continue;
		nhave = vs_place__path_of(have, &top, ix, e, NULL);
		if (nhave != k || top == NULL ||
		    !vs_moref_eq(&top->o->obj, dc_vm_folder) ||
		    vs_place__dc_of(ix, e) != dc)
			continue;
		for (j = 0; j < k; j++)
			if (strcmp(want[j], have[j]) != 0)
				break;
		if (j == k)
			return e;
	}
	return NULL;
}

/* The deepest existing folder along rel (the datacenter's vm folder when
 * none exists). */
void
vs_place__find_vm_folder(struct vs_placement *p, const struct index *ix,
                         const struct ent *dc, const char *rel)
{
	const char *want[MAX_COMPONENTS];
	char buf[1024];
	int nwant, k;

	p->vm_folder = p->dc_vm_folder;
	p->vm_folder_found = 0;
	nwant = vs_place__split_path(want, buf, sizeof(buf), rel);
	for (k = nwant; k > 0; k--) {
		const struct ent *e = vm_folder_at(ix, dc, &p->dc_vm_folder,
		                                   want, k);

		if (e != NULL) {
			p->vm_folder = e->o->obj;
			p->vm_folder_found = (size_t)k;
			p->has_vm_folder = k == nwant;
			return;
		}
	}
}

int
vs_place__host_group(struct vs_drs_groups **groups,
                     const struct vs_drs_group **g, const struct ent *cl,
                     const char *name, struct err *err)
{
	xmlNodePtr cfg = NULL;
	size_t i;
	int rc;

	*groups = NULL;
	*g = NULL;
	rc = vs_object_get_node(&cfg, cl->o, "configurationEx", err);
	if (rc == 0)
		rc = vs_drs_groups_from_node(groups, cfg, err);
	for (i = 0; rc == 0 && i < (*groups)->n && *g == NULL; i++) {
		if (strcmp((*groups)->items[i].name, name) == 0 &&
		    strcmp((*groups)->items[i].type, "ClusterHostGroup") == 0)
			*g = &(*groups)->items[i];
	}
	return rc;
}

/* --- the query ------------------------------------------------------ */

/* What the inventory read asks for (vs_place__read). */
static const char *const folder_paths[] = { "name", "parent", NULL };
static const char *const dc_paths[] = {
	"name", "parent", "vmFolder", NULL,
};
static const char *const cl_paths[] = {
	"name", "parent", "resourcePool", "datastore",
	"summary.effectiveMemory", NULL,
};
/* cl_paths and the host groups (placement with a host_group). */
static const char *const cl_groups[] = {
	"name", "parent", "resourcePool", "datastore",
	"summary.effectiveMemory", "configurationEx", NULL,
};
static const char *const ds_paths[] = {
	"name", "parent", "summary.freeSpace", "summary.accessible",
	"summary.maintenanceMode", NULL,
};
static const char *const dvpg_paths[] = {
	"config.key", "config.distributedVirtualSwitch",
	"config.backingType", "config.logicalSwitchUuid", NULL,
};
static const char *const dvs_paths[] = {
	"name", "parent", "uuid", NULL,
};
static const char *const opaque_paths[] = { "summary", NULL };
static const char *const host_paths[] = {
	"parent", "summary.hardware.memorySize",
	"summary.quickStats.overallMemoryUsage",
	"runtime.connectionState", "runtime.inMaintenanceMode",
	"summary.hardware.cpuMhz", NULL,
};
static const char *const cl_wide[] = {
	"name", "parent", "resourcePool", "datastore",
	"summary.effectiveMemory", "host", "configurationEx", NULL,
};
static const char *const ds_wide[] = {
	"name", "parent", "summary.freeSpace", "summary.accessible",
	"summary.maintenanceMode", "summary.capacity", "host", NULL,
};
static const char *const host_wide[] = {
	"parent", "summary.hardware.memorySize",
	"summary.quickStats.overallMemoryUsage",
	"runtime.connectionState", "runtime.inMaintenanceMode", "name",
	"datastore", NULL,
};
static const char *const optional[] = {
	"summary.effectiveMemory", "summary.maintenanceMode",
	"summary.accessible", "datastore", "config.key",
	"config.distributedVirtualSwitch", "config.backingType",
	"config.logicalSwitchUuid", "uuid", "vmFolder",
	"resourcePool", "summary.hardware.memorySize",
	"summary.quickStats.overallMemoryUsage",
	"runtime.connectionState", "runtime.inMaintenanceMode",
	"host", "configurationEx", "summary.capacity",
	"summary.hardware.cpuMhz", "childEntity",
	"podStorageDrsEntry.storageDrsConfig.podConfig.enabled", NULL,
};
static const struct vs_selection_spec ref_f = { .name = "f" };
static const struct vs_selection_spec ref_rp = { .name = "rp" };
static const struct vs_selection_spec f_sel[] = {
	{ .name = "f" }, { .name = "dcH" }, { .name = "dcD" },
	{ .name = "dcN" }, { .name = "dcV" }, { .name = "cr" },
	{ .name = "crH" },
};
/* Placement's walk: the same without the datacenters' vm folders, so
 * that the server never visits a VM (a vCenter with thousands of VMs
 * would walk them all on every create_vm). */
static const struct vs_selection_spec f_sel_novm[] = {
	{ .name = "f" }, { .name = "dcH" }, { .name = "dcD" },
	{ .name = "dcN" }, { .name = "cr" }, { .name = "crH" },
};
/* A datacenter folder the walk enters; its children go on as "f". */
#define DC_FOLDER(n, p) \
	{ .name = (n), .type = "Datacenter", .path = (p), \
	  .select = &ref_f, .nselect = 1 }
/* Below a cluster or host: its pools, theirs, and its hosts. */
#define POOLS_AND_HOSTS \
	{ .name = "cr", .type = "ComputeResource", \
	  .path = "resourcePool", .select = &ref_rp, .nselect = 1 }, \
	{ .name = "rp", .type = "ResourcePool", .path = "resourcePool", \
	  .select = &ref_rp, .nselect = 1 }, \
	{ .name = "crH", .type = "ComputeResource", .path = "host" }
static const struct vs_selection_spec inv_specs[] = {
	{ .name = "f", .type = "Folder", .path = "childEntity",
	  .select = f_sel, .nselect = 7 },
	DC_FOLDER("dcH", "hostFolder"),
	DC_FOLDER("dcD", "datastoreFolder"),
	DC_FOLDER("dcN", "networkFolder"),
	DC_FOLDER("dcV", "vmFolder"),
	POOLS_AND_HOSTS,
};
#define NSPECS (sizeof(inv_specs) / sizeof(inv_specs[0]))

/* inv_specs less dcV, "f" following f_sel_novm (the same order, so a
 * request's text is unchanged). */
static const struct vs_selection_spec place_specs[] = {
	{ .name = "f", .type = "Folder", .path = "childEntity",
	  .select = f_sel_novm, .nselect = 6 },
	DC_FOLDER("dcH", "hostFolder"),
	DC_FOLDER("dcD", "datastoreFolder"),
	DC_FOLDER("dcN", "networkFolder"),
	POOLS_AND_HOSTS,
};
#undef DC_FOLDER
#undef POOLS_AND_HOSTS

/* Placement: networks (every subtype) give their names and parents
 * only; the details of the few port groups asked for come in a read of
 * their own (vs_place__pg_details), so that thousands of port groups
 * cost little. */
static const struct vs_property_spec props_narrow[] = {
	{ .type = "Folder", .paths = folder_paths },
	{ .type = "Datacenter", .paths = dc_paths },
	{ .type = "ClusterComputeResource", .paths = cl_paths },
	{ .type = "ResourcePool", .paths = folder_paths },
	{ .type = "Datastore", .paths = ds_paths },
	{ .type = "Network", .paths = folder_paths },
	{ .type = "DistributedVirtualSwitch", .paths = dvs_paths },
	{ .type = "HostSystem", .paths = host_paths },
};

/* wide (cpi check): also cluster hosts, DRS and groups, datastore
 * mounts and capacity, host names. */
static const struct vs_property_spec props_wide[] = {
	{ .type = "Folder", .paths = folder_paths },
	{ .type = "Datacenter", .paths = dc_paths },
	{ .type = "ClusterComputeResource", .paths = cl_wide },
	{ .type = "ResourcePool", .paths = folder_paths },
	{ .type = "Datastore", .paths = ds_wide },
	{ .type = "Network", .paths = folder_paths },
	{ .type = "DistributedVirtualPortgroup", .paths = dvpg_paths },
	{ .type = "DistributedVirtualSwitch", .paths = dvs_paths },
	{ .type = "HostSystem", .paths = host_wide },
	{ .type = "OpaqueNetwork", .paths = opaque_paths },
};

#define NNARROW (sizeof(props_narrow) / sizeof(props_narrow[0]))
#define NWIDE (sizeof(props_wide) / sizeof(props_wide[0]))

struct pg_names {
	const char *const *v;
	size_t n;
};

/* vs_pc_query.keep for placement: every object but a network no port
 * group asked for can name (neither the whole name nor its last '/'
 * part), so that thousands of port groups cost their parse only.  A
 * network whose name cannot be seen in place is kept (and read). */
static bool
named_network(const char *type, const char *name, const void *ud)
{
	const struct pg_names *w = ud;
	const char *last;
	int kind;
	size_t i;

	if (type == NULL || name == NULL)
		return true;
	kind = kind_of(type);
	if (kind != K_NET && kind != K_DVPG)
		return true;
	for (i = 0; i < w->n; i++) {
		last = strrchr(w->v[i], '/');
		if (strcmp(name, w->v[i]) == 0 ||
		    (last != NULL && strcmp(name, last + 1) == 0))
			return true;
	}
	return false;
}

/* The one property collector read of the inventory; what: VS_PLACE_WIDE
 * (cpi check): props_wide and the vm folders too (cpi check looks at
 * vm_folder in it); VS_PLACE_PODS: the datastore clusters' members and
 * Storage DRS flag too (the folder walk reaches them already: a
 * StoragePod is a Folder); VS_PLACE_GROUPS: the clusters' host groups
 * (configurationEx; props_wide has it).  extra (may be NULL): one more
 * object, read by itself (no traversal) with extra_paths, in the same
 * PropertyFilterSpec (placement: the stemcell).  pgs (may be NULL:
 * every network kept): the port group names asked for, of which
 * named_network keeps the networks they can name. */
int
vs_place__read(struct vs_objects **out, struct vs_client *c, unsigned what,
               const struct vs_moref *extra,
               const char *const *extra_paths,
               const char *const *pgs, size_t npgs, struct err *err)
{
	const struct pg_names names = { .v = pgs, .n = npgs };
	bool wide = (what & VS_PLACE_WIDE) != 0;
	struct vs_object_spec os[2] = {
		{ .obj = vs_client_sc(c)->root_folder, .skip = false,
		  .select = wide ? inv_specs : place_specs,
		  .nselect = wide ? NSPECS : NSPECS - 1 },
	};
	struct vs_property_spec ps[NWIDE + 2];
	size_t i;
	struct vs_pc_query q = {
		.spec = { .props = ps, .nprops = wide ? NWIDE : NNARROW,
		          .objects = os, .nobjects = 1 },
		.max_objects = 1000,
		.optional = optional,
		.keep = pgs != NULL ? named_network : NULL,
		.keep_ud = &names,
	};

	memcpy(ps, wide ? props_wide : props_narrow,
	       q.spec.nprops * sizeof(ps[0]));
	for (i = 0; !wide && (what & VS_PLACE_GROUPS) != 0 &&
	     i < q.spec.nprops; i++)
		if (strcmp(ps[i].type, "ClusterComputeResource") == 0)
			ps[i].paths = cl_groups;
	if ((what & VS_PLACE_PODS) != 0) {
		ps[q.spec.nprops].type = "StoragePod";
		ps[q.spec.nprops].all = false;
		ps[q.spec.nprops++].paths = vs_pod_paths;
	}
	if (extra != NULL) {
		ps[q.spec.nprops].type = extra->type;
		ps[q.spec.nprops].all = false;
		ps[q.spec.nprops++].paths = extra_paths;
		os[1].obj = *extra;
		q.spec.nobjects = 2;
	}
	return vs_pc_retrieve(out, c, &q, err);
}
