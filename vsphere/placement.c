/*
 * vsphere/placement.c: cluster, datastore, port group and folder lookup
 * for create_vm from one property collector read (see placement.h).
 *
 * The read starts at the root folder and follows Folder.childEntity,
 * the datacenters' host/datastore/network/vm folders, ComputeResource
 * .resourcePool and ResourcePool.resourcePool.  Only the types listed in
 * the property specs come back (VMs are walked by the server inside the
 * vm folders, never returned).  Everything found is indexed by moref so
 * that parents can be followed to the datacenter an object belongs to.
 */
#include "vsphere/placement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

#define MAX_DEPTH 64
#define MAX_COMPONENTS 32

enum kind {
	K_OTHER = 0,
	K_FOLDER,
	K_DC,
	K_CLUSTER,
	K_POOL,
	K_DS,
	K_NET,
	K_DVPG,
	K_DVS,
	K_HOST,
};

struct ent {
	const struct vs_object *o;
	int kind;
	const char *name;       /* NULL when absent */
	bool has_parent;
	struct vs_moref parent;
};

struct index {
	struct ent *v;
	size_t n;
};

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

static bool
moref_eq(const struct vs_moref *a, const struct vs_moref *b)
{
	return moref_cmp(a, b) == 0;
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;

	return moref_cmp(&x->o->obj, &y->o->obj);
}

static const struct ent *
find(const struct index *ix, const struct vs_moref *ref)
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

static const struct ent *
parent_of(const struct index *ix, const struct ent *e)
{
	return e->has_parent ? find(ix, &e->parent) : NULL;
}

static int
build_index(struct index *ix, const struct vs_objects *objs,
            struct vs_error *err)
{
	size_t i;

	ix->n = 0;
	ix->v = calloc(objs->n + 1, sizeof(*ix->v));
	if (ix->v == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	for (i = 0; i < objs->n; i++) {
		const struct vs_object *o = &objs->items[i];
		struct ent *e = &ix->v[ix->n];
		struct vs_error local = {0};

		e->o = o;
		e->kind = kind_of(o->obj.type);
		if (vs_object_get_str(&e->name, o, "name", &local) < 0)
			e->name = NULL;
		vs_error_clear(&local);
		if (vs_object_get_moref(&e->parent, o, "parent", &local) == 0)
			e->has_parent = true;
		ix->n++;
	}
	qsort(ix->v, ix->n, sizeof(*ix->v), ent_cmp);
	return 0;
}

/* The datacenter e belongs to, or NULL. */
static const struct ent *
dc_of(const struct index *ix, const struct ent *e)
{
	int depth;

	for (depth = 0; e != NULL && depth < MAX_DEPTH; depth++) {
		e = parent_of(ix, e);
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
static int
path_of(const char *comps[MAX_COMPONENTS], const struct ent **top_out,
        const struct index *ix, const struct ent *e, const char *dvs_name)
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
		p = parent_of(ix, cur);
		if (p == NULL || p->kind == K_DC)
			return -1;
		pp = parent_of(ix, p);
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
static int
split_path(const char *comps[MAX_COMPONENTS], char *buf, size_t size,
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

static bool
suffix_match(const char *const *want, int nwant, const char *const *have,
             int nhave)
{
	int i;

	if (nwant > nhave)
		return false;
	for (i = 0; i < nwant; i++)
		if (strcmp(want[i], have[nhave - nwant + i]) != 0)
			return false;
	return true;
}

static int
dup_str(char **out, const char *s, struct vs_error *err)
{
	*out = strdup(s != NULL ? s : "");
	if (*out == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
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
	for (p = parent_of(ix, dc); p != NULL && p->has_parent &&
	     n < MAX_COMPONENTS; p = parent_of(ix, p))
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
static int
find_dc(const struct ent **out, char **path_out, const struct index *ix,
        const char *want, struct vs_error *err)
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
		return vs_error_set(err, VS_EINVAL,
		                    "several datacenters are named '%s': give "
		                    "its inventory path", want);
	*out = npath == 1 ? by_path : by_name;
	if (*out == NULL)
		return vs_error_set(err, VS_ENOTFOUND,
		                    "datacenter '%s' not found", want);
	dc_path(path, sizeof(path), ix, *out);
	return dup_str(path_out, path, err);
}

/* --- clusters and datastores --------------------------------------- */

static const struct ent *
find_cluster(const struct index *ix, const struct ent *dc, const char *name)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if (e->kind == K_CLUSTER && e->name != NULL &&
		    strcmp(e->name, name) == 0 && dc_of(ix, e) == dc)
			return e;
	}
	return NULL;
}

/* The resource pool named name below the cluster's root pool. */
static int
find_pool(struct vs_moref *out, const struct index *ix,
          const struct ent *cluster, const char *name, struct vs_error *err)
{
	struct vs_moref root;
	struct vs_error local = {0};
	size_t i;
	int nfound = 0;

	if (vs_object_get_moref(&root, cluster->o, "resourcePool",
	                        &local) < 0)
		return vs_error_set(err, VS_ENOTFOUND,
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
			if (moref_eq(&p->o->obj, &root))
				break;
			p = parent_of(ix, p);
		}
		if (p == NULL || depth == 0 || depth >= MAX_DEPTH)
			continue;
		*out = e->o->obj;
		nfound++;
	}
	if (nfound == 0)
		return vs_error_set(err, VS_ENOTFOUND,
		                    "resource pool '%s' not found in cluster "
		                    "'%s'", name, cluster->name);
	if (nfound > 1)
		return vs_error_set(err, VS_EINVAL,
		                    "several resource pools named '%s' in "
		                    "cluster '%s'", name, cluster->name);
	return 0;
}

static bool
ds_named(const struct vs_placement_req *req, const struct vs_pattern *re,
         const char *name)
{
	size_t i;

	if (req->ndatastores > 0) {
		for (i = 0; i < req->ndatastores; i++)
			if (strcmp(req->datastores[i], name) == 0)
				return true;
		return false;
	}
	return vs_pattern_match(re, name);
}

/* Free MB of a usable datastore, or -1. */
static long long
ds_free_mb(const struct ent *ds)
{
	struct vs_error local = {0};
	long long free_b;
	bool accessible = true;
	const char *mm = NULL;

	if (vs_object_get_long(&free_b, ds->o, "summary.freeSpace",
	                       &local) < 0 || free_b < 0)
		return -1;
	vs_error_clear(&local);
	if (vs_object_get_bool(&accessible, ds->o, "summary.accessible",
	                       &local) == 0 && !accessible)
		return -1;
	vs_error_clear(&local);
	if (vs_object_get_str(&mm, ds->o, "summary.maintenanceMode",
	                      &local) == 0 && strcmp(mm, "normal") != 0)
		return -1;
	return free_b / (1024 * 1024);
}

/* Memory (MB) the cluster can still give: over its hosts that are
 * connected and not in maintenance, memory size less current usage (what
 * the Ruby CPI counts); without host data, the cluster's effective
 * memory.  -1 when nothing is known. */
static long long
cluster_free_mb(const struct index *ix, const struct ent *cl)
{
	long long sum = 0, size, used, mem;
	size_t i, nhosts = 0;

	for (i = 0; i < ix->n; i++) {
		const struct ent *h = &ix->v[i];
		struct vs_error local = {0};
		const char *state = NULL;
		bool maint = false;

		if (h->kind != K_HOST || !h->has_parent ||
		    !moref_eq(&h->parent, &cl->o->obj))
			continue;
		nhosts++;
		if (vs_object_get_long(&size, h->o,
		                       "summary.hardware.memorySize",
		                       &local) < 0 ||
		    vs_object_get_long(&used, h->o,
		                       "summary.quickStats.overallMemoryUsage",
		                       &local) < 0)
			continue;
		if (vs_object_get_str(&state, h->o, "runtime.connectionState",
		                      &local) == 0 &&
		    strcmp(state, "connected") != 0)
			continue;
		if (vs_object_get_bool(&maint, h->o,
		                       "runtime.inMaintenanceMode",
		                       &local) == 0 && maint)
			continue;
		if (size / (1024 * 1024) > used)
			sum += size / (1024 * 1024) - used;
	}
	if (nhosts > 0)
		return sum;
	{
		struct vs_error local = {0};

		if (vs_object_get_long(&mem, cl->o, "summary.effectiveMemory",
		                       &local) < 0)
			return -1;
	}
	return mem;
}

/* The CPU speed (MHz) of the cluster's fastest host that is connected
 * and not in maintenance (what the Ruby CPI reserves per vCPU with
 * cpu_reserve_full_mhz); 0 when none is known. */
static long long
cluster_max_mhz(const struct index *ix, const struct ent *cl)
{
	long long best = 0, mhz;
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *h = &ix->v[i];
		struct vs_error local = {0};
		const char *state = NULL;
		bool maint = false;

		if (h->kind != K_HOST || !h->has_parent ||
		    !moref_eq(&h->parent, &cl->o->obj))
			continue;
		if (vs_object_get_str(&state, h->o, "runtime.connectionState",
		                      &local) < 0 ||
		    strcmp(state, "connected") != 0)
			continue;
		if (vs_object_get_bool(&maint, h->o,
		                       "runtime.inMaintenanceMode",
		                       &local) == 0 && maint)
			continue;
		if (vs_object_get_long(&mhz, h->o, "summary.hardware.cpuMhz",
		                       &local) == 0 && mhz > best)
			best = mhz;
	}
	return best;
}

static int
pick(struct vs_placement *p, const struct index *ix, const struct ent *dc,
     const struct vs_placement_req *req, struct vs_error *err)
{
	const struct ent *best_cl = NULL, *best_ds = NULL;
	const char *best_pool = NULL;
	long long best_free = -1, need_ds = req->disk_mb + req->memory_mb;
	struct vs_pattern *re = NULL;
	size_t i, j, nmem = 0;
	int rc = 0;

	if (req->ndatastores == 0) {
		const char *pat = req->datastore_pattern;

		rc = vs_pattern_compile(&re, pat != NULL ? pat : "",
		                        "datastore pattern", err);
		if (rc != 0)
			return rc;
	}
	for (i = 0; i < req->nclusters; i++) {
		const struct ent *cl;
		const struct vs_moref *dss = NULL;
		struct vs_error local = {0};
		long long mem;
		size_t nds = 0;

		cl = find_cluster(ix, dc, req->clusters[i].name);
		if (cl == NULL) {
			rc = vs_error_set(err, VS_ENOTFOUND, "cluster '%s' not "
			                  "found in datacenter '%s'",
			                  req->clusters[i].name, dc->name);
			goto cleanup;
		}
		mem = cluster_free_mb(ix, cl);
		if (mem < req->memory_mb + VS_PLACEMENT_MEMORY_HEADROOM_MB)
			continue;
		nmem++;
		vs_error_clear(&local);
		if (vs_object_get_morefs(&dss, &nds, cl->o, "datastore",
		                         &local) < 0)
			nds = 0;
		for (j = 0; j < nds; j++) {
			const struct ent *ds = find(ix, &dss[j]);
			long long f;

			if (ds == NULL || ds->kind != K_DS ||
			    ds->name == NULL || !ds_named(req, re, ds->name))
				continue;
			f = ds_free_mb(ds);
			if (f < need_ds || f <= best_free)
				continue;
			best_free = f;
			best_ds = ds;
			best_cl = cl;
			best_pool = req->clusters[i].resource_pool;
		}
	}
	if (nmem == 0) {
		rc = vs_error_set(err, VS_ENOTFOUND,
		                  "no cluster has %lld MB of memory to spare "
		                  "(%zu cluster(s) considered)",
		                  req->memory_mb +
		                  VS_PLACEMENT_MEMORY_HEADROOM_MB,
		                  req->nclusters);
		goto cleanup;
	}
	if (best_ds == NULL) {
		rc = vs_error_set(err, VS_ENOTFOUND,
		                  "no datastore %s has %lld MB free in the "
		                  "clusters considered",
		                  req->ndatastores > 0 ? "of those named" :
		                  "matching the datastore pattern", need_ds);
		goto cleanup;
	}
	rc = find_pool(&p->pool, ix, best_cl, best_pool, err);
	if (rc == 0)
		rc = dup_str(&p->cluster, best_cl->name, err);
	if (rc == 0)
		rc = dup_str(&p->datastore, best_ds->name, err);
	p->cluster_ref = best_cl->o->obj;
	p->datastore_ref = best_ds->o->obj;
	p->datastore_free_mb = best_free;
	p->max_host_mhz = cluster_max_mhz(ix, best_cl);

cleanup:
	vs_pattern_free(re);
	return rc;
}

/* --- port groups ---------------------------------------------------- */

static const char *
dvs_name_of(const struct index *ix, const struct ent *pg,
            const char **uuid_out)
{
	struct vs_moref ref;
	struct vs_error local = {0};
	const struct ent *dvs;

	*uuid_out = NULL;
	if (vs_object_get_moref(&ref, pg->o, "config.distributedVirtualSwitch",
	                        &local) < 0)
		return NULL;
	dvs = find(ix, &ref);
	if (dvs == NULL)
		return NULL;
	if (vs_object_get_str(uuid_out, dvs->o, "uuid", &local) < 0)
		*uuid_out = NULL;
	return dvs->name;
}

/* An NSX-T opaque network: its summary's opaqueNetworkId and
 * opaqueNetworkType (OpaqueNetworkSummary), for the NIC's opaque network
 * backing. */
static int
fill_opaque(struct vs_port_group *out, const struct ent *e,
            const char *query, struct vs_error *err)
{
	struct vs_error local = {0};
	xmlNodePtr summary = NULL;
	char *id = NULL, *type = NULL;
	int rc = 0;

	out->kind = VS_PG_OPAQUE;
	if (vs_object_get_node(&summary, e->o, "summary", &local) == 0) {
		id = vs_xml_child_text(summary, "opaqueNetworkId");
		type = vs_xml_child_text(summary, "opaqueNetworkType");
	}
	if (id == NULL || type == NULL || id[0] == '\0' || type[0] == '\0')
		rc = vs_error_set(err, VS_EPARSE, "opaque network '%s': "
		                  "opaqueNetworkId or opaqueNetworkType "
		                  "missing", query);
	if (rc == 0)
		rc = dup_str(&out->opaque_id, id, err);
	if (rc == 0)
		rc = dup_str(&out->opaque_type, type, err);
	xmlFree(id);
	xmlFree(type);
	return rc;
}

static int
fill_pg(struct vs_port_group *out, const struct index *ix,
        const struct ent *e, const char *query, struct vs_error *err)
{
	struct vs_error local = {0};
	const char *uuid = NULL, *key = NULL;
	int rc;

	out->network = e->o->obj;
	rc = dup_str(&out->name, e->name, err);
	if (rc == 0 && strcmp(e->o->obj.type, "OpaqueNetwork") == 0)
		return fill_opaque(out, e, query, err);
	if (rc < 0 || e->kind != K_DVPG) {
		out->kind = VS_PG_STANDARD;
		return rc;
	}
	out->kind = VS_PG_DISTRIBUTED;
	(void)dvs_name_of(ix, e, &uuid);
	if (vs_object_get_str(&key, e->o, "config.key", &local) < 0)
		key = NULL;
	if (uuid == NULL || key == NULL)
		return vs_error_set(err, VS_EPARSE,
		                    "distributed port group '%s': switch uuid "
		                    "or port group key missing", query);
	rc = dup_str(&out->switch_uuid, uuid, err);
	if (rc == 0)
		rc = dup_str(&out->portgroup_key, key, err);
	return rc;
}

/* The opaque network id of an OpaqueNetwork (summary), or NULL. */
static char *
opaque_id_of(const struct ent *e)
{
	struct vs_error local = {0};
	xmlNodePtr summary = NULL;

	if (vs_object_get_node(&summary, e->o, "summary", &local) != 0)
		return NULL;
	return vs_xml_child_text(summary, "opaqueNetworkId");
}

/* Several networks of the datacenter are named `name` exactly: resolve
 * as the Ruby CPI does (vcenter_client.rb find_network).  NSX-T 3 on a
 * vSphere 7 switch shows one segment as a port group per switch, and
 * maybe as one opaque network too: when every distributed port group of
 * that name is NSX-backed with the same logical switch (that of the one
 * opaque network, if any), the first port group is it.  Otherwise the
 * standard port group (a plain Network) of that name, the first one.
 * NULL when neither applies (ambiguous). */
static const struct ent *
resolve_same_name(const struct index *ix, const struct ent *dc,
                  const char *name)
{
	const struct ent *first_dvpg = NULL, *opaque = NULL, *standard = NULL;
	char *referent = NULL;
	size_t i, nopaque = 0;
	bool all_nsx = true;

	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if ((e->kind != K_NET && e->kind != K_DVPG) ||
		    e->name == NULL || strcmp(e->name, name) != 0 ||
		    dc_of(ix, e) != dc)
			continue;
		if (e->kind == K_DVPG) {
			if (first_dvpg == NULL)
				first_dvpg = e;
		} else if (strcmp(e->o->obj.type, "OpaqueNetwork") == 0) {
			opaque = e;
			nopaque++;
		} else if (strcmp(e->o->obj.type, "Network") == 0 &&
		           standard == NULL) {
			standard = e;
		}
	}
	if (first_dvpg != NULL && nopaque <= 1) {
		if (opaque != NULL)
			referent = opaque_id_of(opaque);
		for (i = 0; i < ix->n && all_nsx; i++) {
			const struct ent *e = &ix->v[i];
			struct vs_error local = {0};
			const char *bt = NULL, *ls = NULL;

			if (e->kind != K_DVPG || e->name == NULL ||
			    strcmp(e->name, name) != 0 || dc_of(ix, e) != dc)
				continue;
			if (vs_object_get_str(&bt, e->o, "config.backingType",
			                      &local) < 0 ||
			    strcmp(bt, "nsx") != 0 ||
			    vs_object_get_str(&ls, e->o,
			                      "config.logicalSwitchUuid",
			                      &local) < 0) {
				all_nsx = false;
				break;
			}
			if (referent == NULL) {
				referent = (char *)xmlStrdup(BAD_CAST ls);
				if (referent == NULL) {
					all_nsx = false;
					break;
				}
			}
			if (strcmp(ls, referent) != 0)
				all_nsx = false;
		}
		xmlFree(referent);
		if (all_nsx)
			return first_dvpg;
	}
	return standard;
}

static int
find_pg(struct vs_port_group *out, const struct index *ix,
        const struct ent *dc, const char *query, const char *owner,
        struct vs_error *err)
{
	const char *want[MAX_COMPONENTS];
	char buf[1024];
	const struct ent *hit = NULL, *exact = NULL;
	int nwant, nhit = 0, nexact = 0;
	size_t i;

	nwant = split_path(want, buf, sizeof(buf), query);
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];
		const char *have[MAX_COMPONENTS];
		const char *dvs = NULL, *uuid;
		int nhave;

		if ((e->kind != K_NET && e->kind != K_DVPG) ||
		    e->name == NULL || dc_of(ix, e) != dc)
			continue;
		if (strcmp(e->name, query) == 0) {
			exact = e;
			nexact++;
		}
		if (nwant <= 0)
			continue;
		if (e->kind == K_DVPG)
			dvs = dvs_name_of(ix, e, &uuid);
		nhave = path_of(have, NULL, ix, e, dvs);
		if (nhave > 0 && suffix_match(want, nwant, have, nhave)) {
			hit = e;
			nhit++;
		}
	}
	if (nexact == 1)
		return fill_pg(out, ix, exact, query, err);
	if (nhit == 1)
		return fill_pg(out, ix, hit, query, err);
	if (nexact > 1) {
		exact = resolve_same_name(ix, dc, query);
		if (exact != NULL)
			return fill_pg(out, ix, exact, query, err);
	}
	if (nhit == 0 && nexact == 0)
		return vs_error_set(err, VS_ENOTFOUND,
		                    "port group '%s' (network '%s') not found "
		                    "in datacenter '%s'", query,
		                    owner != NULL ? owner : "?", dc->name);
	return vs_error_set(err, VS_EINVAL,
	                    "port group '%s' (network '%s') matches several "
	                    "networks: name it as DVS/PORTGROUP or "
	                    "FOLDER/PORTGROUP", query,
	                    owner != NULL ? owner : "?");
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
		nhave = path_of(have, &top, ix, e, NULL);
		if (nhave != k || top == NULL ||
		    !moref_eq(&top->o->obj, dc_vm_folder) ||
		    dc_of(ix, e) != dc)
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
static void
find_vm_folder(struct vs_placement *p, const struct index *ix,
               const struct ent *dc, const char *rel)
{
	const char *want[MAX_COMPONENTS];
	char buf[1024];
	int nwant, k;

	p->vm_folder = p->dc_vm_folder;
	p->vm_folder_found = 0;
	nwant = split_path(want, buf, sizeof(buf), rel);
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

/* --- the query ------------------------------------------------------ */

/* wide (cpi check): also cluster hosts, DRS and groups, datastore
 * mounts and capacity, host names. */
static int
read_inventory(struct vs_objects **out, struct vs_client *c, bool wide,
               struct vs_error *err)
{
	static const char *const folder_paths[] = { "name", "parent", NULL };
	static const char *const dc_paths[] = {
		"name", "parent", "vmFolder", NULL,
	};
	static const char *const cl_paths[] = {
		"name", "parent", "resourcePool", "datastore",
		"summary.effectiveMemory", NULL,
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
		"summary.hardware.cpuMhz", NULL,
	};
	static const struct vs_selection_spec ref_f = { .name = "f" };
	static const struct vs_selection_spec ref_rp = { .name = "rp" };
	static const struct vs_selection_spec f_sel[] = {
		{ .name = "f" }, { .name = "dcH" }, { .name = "dcD" },
		{ .name = "dcN" }, { .name = "dcV" }, { .name = "cr" },
		{ .name = "crH" },
	};
	static const struct vs_selection_spec specs[] = {
		{ .name = "f", .type = "Folder", .path = "childEntity",
		  .select = f_sel, .nselect = 7 },
		{ .name = "dcH", .type = "Datacenter", .path = "hostFolder",
		  .select = &ref_f, .nselect = 1 },
		{ .name = "dcD", .type = "Datacenter",
		  .path = "datastoreFolder", .select = &ref_f, .nselect = 1 },
		{ .name = "dcN", .type = "Datacenter", .path = "networkFolder",
		  .select = &ref_f, .nselect = 1 },
		{ .name = "dcV", .type = "Datacenter", .path = "vmFolder",
		  .select = &ref_f, .nselect = 1 },
		{ .name = "cr", .type = "ComputeResource",
		  .path = "resourcePool", .select = &ref_rp, .nselect = 1 },
		{ .name = "rp", .type = "ResourcePool", .path = "resourcePool",
		  .select = &ref_rp, .nselect = 1 },
		{ .name = "crH", .type = "ComputeResource", .path = "host" },
	};
	const struct vs_property_spec props[] = {
		{ .type = "Folder", .paths = folder_paths },
		{ .type = "Datacenter", .paths = dc_paths },
		{ .type = "ClusterComputeResource",
		  .paths = wide ? cl_wide : cl_paths },
		{ .type = "ResourcePool", .paths = folder_paths },
		{ .type = "Datastore", .paths = wide ? ds_wide : ds_paths },
		{ .type = "Network", .paths = folder_paths },
		{ .type = "DistributedVirtualPortgroup", .paths = dvpg_paths },
		{ .type = "DistributedVirtualSwitch", .paths = dvs_paths },
		{ .type = "HostSystem",
		  .paths = wide ? host_wide : host_paths },
		{ .type = "OpaqueNetwork", .paths = opaque_paths },
	};
	struct vs_object_spec os = {
		.obj = vs_client_sc(c)->root_folder,
		.skip = false,
		.select = specs,
		.nselect = sizeof(specs) / sizeof(specs[0]),
	};
	struct vs_pc_query q = {
		.spec = { .props = props,
		          .nprops = sizeof(props) / sizeof(props[0]),
		          .objects = &os, .nobjects = 1 },
		.max_objects = 1000,
		.optional = optional,
	};

	return vs_pc_retrieve(out, c, &q, err);
}

int
vs_placement_find(struct vs_placement **out, struct vs_client *c,
                  const struct vs_placement_req *req, struct vs_error *err)
{
	struct vs_placement *p = NULL;
	struct vs_objects *objs = NULL;
	struct index ix = {0};
	const struct ent *dc = NULL;
	struct vs_error local = {0};
	size_t i;
	int rc;

	*out = NULL;
	if (req->datacenter == NULL || req->nclusters == 0 ||
	    req->clusters == NULL || req->memory_mb <= 0 ||
	    req->disk_mb < 0) {
		rc = vs_error_set(err, VS_EINVAL, "placement: bad request");
		goto cleanup;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (req->nport_groups > 0) {
		p->pgs = calloc(req->nport_groups, sizeof(*p->pgs));
		if (p->pgs == NULL) {
			rc = vs_error_set(err, VS_ENOMEM, "out of memory");
			goto cleanup;
		}
		p->npgs = req->nport_groups;
	}
	rc = read_inventory(&objs, c, false, err);
	if (rc < 0) {
		vs_error_prefix(err, "reading the inventory");
		goto cleanup;
	}
	rc = build_index(&ix, objs, err);
	if (rc < 0)
		goto cleanup;
	rc = find_dc(&dc, &p->dc_path, &ix, req->datacenter, err);
	if (rc < 0)
		goto cleanup;
	p->datacenter = dc->o->obj;
	if (vs_object_get_moref(&p->dc_vm_folder, dc->o, "vmFolder",
	                        &local) < 0) {
		rc = vs_error_set(err, VS_EPARSE, "datacenter '%s' has no vm "
		                  "folder", req->datacenter);
		goto cleanup;
	}
	/* Port groups first: an unknown one is the likeliest bad input. */
	for (i = 0; i < req->nport_groups; i++) {
		rc = find_pg(&p->pgs[i], &ix, dc, req->port_groups[i],
		             req->pg_owners != NULL ? req->pg_owners[i] : NULL,
		             err);
		if (rc < 0)
			goto cleanup;
	}
	rc = pick(p, &ix, dc, req, err);
	if (rc < 0)
		goto cleanup;
	if (req->vm_folder != NULL)
		find_vm_folder(p, &ix, dc, req->vm_folder);
	*out = p;
	p = NULL;

cleanup:
	free(ix.v);
	vs_objects_free(objs);
	vs_placement_free(p);
	return rc;
}

void
vs_placement_free(struct vs_placement *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->npgs; i++) {
		free(p->pgs[i].name);
		free(p->pgs[i].switch_uuid);
		free(p->pgs[i].portgroup_key);
		free(p->pgs[i].opaque_id);
		free(p->pgs[i].opaque_type);
	}
	free(p->pgs);
	free(p->dc_path);
	free(p->cluster);
	free(p->datastore);
	free(p);
}

/* --- the inventory for preflight checks (cpi check) ----------------- */

struct vs_inventory {
	struct vs_objects *objs;
	struct index ix;
};

int
vs_inventory_read(struct vs_inventory **out, struct vs_client *c,
                  struct vs_error *err)
{
	struct vs_inventory *inv;
	int rc;

	*out = NULL;
	inv = calloc(1, sizeof(*inv));
	if (inv == NULL)
		return vs_error_set(err, VS_ENOMEM, "out of memory");
	rc = read_inventory(&inv->objs, c, true, err);
	if (rc < 0)
		vs_error_prefix(err, "reading the inventory");
	else
		rc = build_index(&inv->ix, inv->objs, err);
	if (rc < 0) {
		vs_inventory_free(inv);
		return rc;
	}
	*out = inv;
	return 0;
}

void
vs_inventory_free(struct vs_inventory *inv)
{
	if (inv == NULL)
		return;
	free(inv->ix.v);
	vs_objects_free(inv->objs);
	free(inv);
}

/* The entity of ref, which must be of kind. */
static const struct ent *
inv_ent(const struct vs_inventory *inv, const struct vs_moref *ref, int kind)
{
	const struct ent *e = find(&inv->ix, ref);

	return e != NULL && e->kind == kind ? e : NULL;
}

int
vs_inventory_datacenter(struct vs_moref *out, char **path_out,
                        struct vs_moref *vm_folder_out,
                        const struct vs_inventory *inv, const char *name,
                        struct vs_error *err)
{
	const struct ent *dc = NULL;
	struct vs_error local = {0};
	int rc;

	rc = find_dc(&dc, path_out, &inv->ix, name, err);
	if (rc < 0)
		return rc;
	*out = dc->o->obj;
	if (vs_object_get_moref(vm_folder_out, dc->o, "vmFolder",
	                        &local) < 0)
		return vs_error_set(err, VS_EPARSE, "datacenter '%s' has no "
		                    "vm folder", name);
	return 0;
}

int
vs_inventory_vm_folder(size_t *found_out, size_t *total_out,
                       struct vs_moref *deepest_out,
                       const struct vs_inventory *inv,
                       const struct vs_moref *dc, const char *rel,
                       struct vs_error *err)
{
	struct vs_placement p;
	const char *comps[MAX_COMPONENTS];
	char buf[1024];
	const struct ent *d = inv_ent(inv, dc, K_DC);
	struct vs_error local = {0};
	int n;

	memset(&p, 0, sizeof(p));
	n = split_path(comps, buf, sizeof(buf), rel);
	if (d == NULL || n <= 0)
		return vs_error_set(err, VS_EINVAL, "folder '%s': not a "
		                    "folder path", rel);
	if (vs_object_get_moref(&p.dc_vm_folder, d->o, "vmFolder",
	                        &local) < 0)
		return vs_error_set(err, VS_EPARSE, "datacenter has no vm "
		                    "folder");
	find_vm_folder(&p, &inv->ix, d, rel);
	*found_out = p.vm_folder_found;
	*total_out = (size_t)n;
	*deepest_out = p.vm_folder;
	return 0;
}

/* configurationEx: DRS and whether a host group named group exists. */
static void
cluster_config(struct vs_inv_cluster *out, const struct ent *cl,
               const char *group)
{
	xmlNodePtr cfg = NULL, drs, g;
	struct vs_error local = {0};
	char buf[64], type[64];

	out->drs = -1;
	if (vs_object_get_node(&cfg, cl->o, "configurationEx", &local) < 0)
		return;
	drs = vs_xml_child(cfg, "drsConfig");
	if (drs != NULL &&
	    vs_xml_child_copy(buf, sizeof(buf), drs, "enabled") == 0)
		out->drs = strcmp(buf, "true") == 0 ? 1 : 0;
	if (drs != NULL &&
	    vs_xml_child_copy(out->drs_behavior, sizeof(out->drs_behavior),
	                      drs, "defaultVmBehavior") != 0)
		out->drs_behavior[0] = '\0';
	if (group == NULL)
		return;
	for (g = vs_xml_child(cfg, "group"); g != NULL;
	     g = vs_xml_next(g, "group")) {
		vs_xml_xsi_type(type, sizeof(type), g);
		if (strcmp(type, "ClusterHostGroup") != 0)
			continue;
		if (vs_xml_child_copy(buf, sizeof(buf), g, "name") == 0 &&
		    strcmp(buf, group) == 0) {
			out->host_group_found = true;
			return;
		}
	}
}

int
vs_inventory_cluster(struct vs_inv_cluster *out,
                     const struct vs_inventory *inv,
                     const struct vs_moref *dc, const char *name,
                     const char *host_group, struct vs_error *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC), *cl;
	const struct vs_moref *hosts = NULL;
	struct vs_error local = {0};
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	cl = d != NULL ? find_cluster(&inv->ix, d, name) : NULL;
	if (cl == NULL)
		return vs_error_set(err, VS_ENOTFOUND, "cluster '%s' not "
		                    "found in datacenter '%s'", name,
		                    d != NULL && d->name != NULL ? d->name :
		                    "?");
	out->ref = cl->o->obj;
	if (vs_object_get_morefs(&hosts, &n, cl->o, "host", &local) == 0)
		out->nhosts = n;
	cluster_config(out, cl, host_group);
	return 0;
}

int
vs_inventory_pool(struct vs_moref *out, const struct vs_inventory *inv,
                  const struct vs_moref *cluster, const char *name,
                  struct vs_error *err)
{
	const struct ent *cl = inv_ent(inv, cluster, K_CLUSTER);

	if (cl == NULL)
		return vs_error_set(err, VS_ENOTFOUND, "cluster not found");
	return find_pool(out, &inv->ix, cl, name, err);
}

static int
ds_item(struct vs_inv_datastore *d, const struct ent *e, const char *pod,
        struct vs_error *err)
{
	struct vs_error local = {0};
	long long v;
	int rc;

	d->ref = e->o->obj;
	d->free_mb = -1;
	d->capacity_mb = -1;
	if (vs_object_get_long(&v, e->o, "summary.freeSpace", &local) == 0)
		d->free_mb = v / (1024 * 1024);
	vs_error_clear(&local);
	if (vs_object_get_long(&v, e->o, "summary.capacity", &local) == 0)
		d->capacity_mb = v / (1024 * 1024);
	d->usable = ds_free_mb(e) >= 0;
	rc = dup_str(&d->name, e->name, err);
	if (rc == 0 && pod != NULL)
		rc = dup_str(&d->pod, pod, err);
	return rc;
}

int
vs_inventory_datastores(struct vs_inv_datastores **out,
                        const struct vs_inventory *inv,
                        const struct vs_moref *dc, const char *pattern,
                        bool pods, struct vs_error *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC);
	struct vs_inv_datastores *l = NULL;
	struct vs_pattern *re = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (d == NULL)
		return vs_error_set(err, VS_EINVAL, "no such datacenter");
	/* The same Ruby-regex reading as placement (vsphere/pattern.h). */
	rc = vs_pattern_compile(&re, pattern != NULL ? pattern : "",
	                        "pattern", err);
	if (rc != 0)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l != NULL)
		l->items = calloc(inv->ix.n + 1, sizeof(*l->items));
	if (l == NULL || l->items == NULL) {
		rc = vs_error_set(err, VS_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < inv->ix.n && rc == 0; i++) {
		const struct ent *e = &inv->ix.v[i], *p;
		const char *match;

		if (e->kind != K_DS || e->name == NULL || dc_of(&inv->ix, e) != d)
			continue;
		p = parent_of(&inv->ix, e);
		if (p != NULL && strcmp(p->o->obj.type, "StoragePod") != 0)
			p = NULL;
		if (pods && (p == NULL || p->name == NULL))
			continue;
		match = pods ? p->name : e->name;
		if (!vs_pattern_match(re, match))
			continue;
		rc = ds_item(&l->items[l->n], e, p != NULL ? p->name : NULL,
		             err);
		l->n++;
	}
	if (rc == 0) {
		*out = l;
		l = NULL;
	}
cleanup:
	vs_pattern_free(re);
	vs_inv_datastores_free(l);
	return rc;
}

void
vs_inv_datastores_free(struct vs_inv_datastores *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->items[i].name);
		free(l->items[i].pod);
	}
	free(l->items);
	free(l);
}

/* What the datastore's host mounts say of host: 1 mounted and
 * accessible, 0 listed but unmounted or inaccessible, -1 not listed. */
static int
ds_mount_state(const struct ent *ds, const struct vs_moref *host)
{
	xmlNodePtr val = NULL, m, info;
	struct vs_error local = {0};
	struct vs_moref key;
	char buf[16];

	if (vs_object_get_node(&val, ds->o, "host", &local) < 0)
		return -1;
	for (m = val->children; m != NULL; m = m->next) {
		if (m->type != XML_ELEMENT_NODE)
			continue;
		vs_error_clear(&local);
		if (vs_xml_moref(&key, vs_xml_child(m, "key"), &local) < 0 ||
		    !moref_eq(&key, host))
			continue;
		info = vs_xml_child(m, "mountInfo");
		if (info == NULL)
			return 1;
		if (vs_xml_child_copy(buf, sizeof(buf), info, "accessible") ==
		    0 && strcmp(buf, "false") == 0)
			return 0;
		if (vs_xml_child_copy(buf, sizeof(buf), info, "mounted") ==
		    0 && strcmp(buf, "false") == 0)
			return 0;
		return 1;
	}
	return -1;
}

/* Whether host sees ds: the host lists it among its datastores (or,
 * without that list, the datastore lists the host) and no mount entry
 * says it is unmounted or inaccessible there. */
static bool
host_sees(const struct index *ix, const struct vs_moref *host,
          const struct ent *ds)
{
	const struct ent *h = find(ix, host);
	const struct vs_moref *refs = NULL;
	struct vs_error local = {0};
	int state = ds_mount_state(ds, host);
	size_t i, n = 0;

	if (state == 0)
		return false;
	if (h == NULL || vs_object_get_morefs(&refs, &n, h->o, "datastore",
	                                      &local) < 0)
		return state == 1;
	for (i = 0; i < n; i++)
		if (moref_eq(&refs[i], &ds->o->obj))
			return true;
	return false;
}

int
vs_inventory_ds_seen(size_t *seen_out, size_t *total_out,
                     bool *attached_out, const struct vs_inventory *inv,
                     const struct vs_moref *cluster,
                     const struct vs_moref *ds, struct vs_error *err)
{
	const struct ent *cl = inv_ent(inv, cluster, K_CLUSTER);
	const struct ent *d = inv_ent(inv, ds, K_DS);
	const struct vs_moref *refs = NULL;
	struct vs_error local = {0};
	size_t i, n = 0;

	*seen_out = 0;
	*total_out = 0;
	*attached_out = false;
	if (cl == NULL || d == NULL)
		return vs_error_set(err, VS_EINVAL, "no such cluster or "
		                    "datastore");
	if (vs_object_get_morefs(&refs, &n, cl->o, "datastore", &local) == 0)
		for (i = 0; i < n; i++)
			if (moref_eq(&refs[i], ds))
				*attached_out = true;
	vs_error_clear(&local);
	n = 0;
	if (vs_object_get_morefs(&refs, &n, cl->o, "host", &local) < 0)
		n = 0;
	*total_out = n;
	for (i = 0; i < n; i++)
		if (host_sees(&inv->ix, &refs[i], d))
			(*seen_out)++;
	return 0;
}

int
vs_inventory_port_group(struct vs_port_group *out,
                        const struct vs_inventory *inv,
                        const struct vs_moref *dc, const char *name,
                        const char *owner, struct vs_error *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC);

	memset(out, 0, sizeof(*out));
	if (d == NULL)
		return vs_error_set(err, VS_EINVAL, "no such datacenter");
	return find_pg(out, &inv->ix, d, name, owner, err);
}

void
vs_port_group_clear(struct vs_port_group *pg)
{
	if (pg == NULL)
		return;
	free(pg->name);
	free(pg->switch_uuid);
	free(pg->portgroup_key);
	memset(pg, 0, sizeof(*pg));
}
