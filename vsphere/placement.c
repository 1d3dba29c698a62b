/*
 * vsphere/placement.c: where create_vm puts a VM: the cluster and
 * datastore picked, port groups and folder looked up, all from one
 * property collector read (see placement.h; placement_int.h for the
 * module's other files).
 *
 * The read starts at the root folder and follows Folder.childEntity,
 * the datacenters' host/datastore/network folders (never the vm folders:
 * the server would visit every VM), ComputeResource.resourcePool and
 * ResourcePool.resourcePool.  The VM folder is then looked up by
 * inventory path (one round trip when it exists).  A VM the caller names
 * (the stemcell) is looked up by path before the read and read in it.  Everything found is indexed by moref so
 * that parents can be followed to the datacenter an object belongs to.
 */
#include "vsphere/placement_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/uuid.h"
#include "vsphere/drs.h"
#include "vsphere/pattern.h"
#include "vsphere/pbm.h"
#include "vsphere/pc.h"
#include "vsphere/storage_pod.h"
#include "vsphere/vim.h"

/* Whether req lists datastores or datastore clusters (else its patterns
 * apply). */
static bool
listed(const struct vs_placement_req *req)
{
	return req->ndatastores > 0 || req->npods > 0;
}

/* The datastore clusters req asks for: none with a storage policy,
 * whose datastores replace the others (the Ruby CPI's precedence: the
 * pods are then neither read nor looked for). */
static void
pod_want(struct vs_pod_want *w, const struct vs_placement_req *req)
{
	bool policy = req->policy != NULL;

	w->names = policy ? NULL : req->pods;
	w->nnames = policy ? 0 : req->npods;
	w->pattern = listed(req) || policy ? NULL : req->pod_pattern;
}

/* Whether datastore ds is wanted: a member of a wanted datastore
 * cluster, named, or (nothing listed) matching re (NULL: none). */
static bool
ds_named(const struct vs_placement_req *req, const struct vs_pattern *re,
         const struct vs_pod_set *pods, const struct ent *ds)
{
	const char *name = ds->name;
	size_t i;

	if (req->policy != NULL)
		return vs_pbm_policy_has(req->policy, ds->o->obj.value);
	if (vs_pod_set_has(pods, &ds->o->obj))
		return true;
	if (listed(req)) {
		for (i = 0; i < req->ndatastores; i++)
			if (strcmp(req->datastores[i], name) == 0)
				return true;
		return false;
	}
	return re != NULL && vs_pattern_match(re, name);
}

/* Whether h is a host of cluster cl. */
static bool
host_of(const struct ent *h, const struct ent *cl)
{
	return h->kind == K_HOST && h->has_parent &&
	       vs_moref_eq(&h->parent, &cl->o->obj);
}

/* Whether host h is out of use: not connected (or, with need_state, no
 * connection state known), or in maintenance. */
static bool
host_down(const struct ent *h, bool need_state)
{
	struct err local = {0};
	const char *state = NULL;
	bool maint = false;

	if (vs_object_get_str(&state, h->o, "runtime.connectionState",
	                      &local) == 0) {
		if (strcmp(state, "connected") != 0)
			return true;
	} else if (need_state) {
		return true;
	}
	return vs_object_get_bool(&maint, h->o, "runtime.inMaintenanceMode",
	                          &local) == 0 && maint;
}

/* Memory (MB) the cluster can still give: over its hosts that are
 * connected and not in maintenance, memory size less current usage (what
 * the Ruby CPI counts); without host data, the cluster's effective
 * memory.  -1 when nothing is known. */
static long long
cluster_free_mb(const struct index *ix, const struct ent *cl)
{
	struct err local = {0};
	long long sum = 0, size, used, mem;
	size_t i, nhosts = 0;

	for (i = 0; i < ix->n; i++) {
		const struct ent *h = &ix->v[i];

		if (!host_of(h, cl))
			continue;
		nhosts++;
		if (vs_object_get_long(&size, h->o,
		                       "summary.hardware.memorySize",
		                       &local) < 0 ||
		    vs_object_get_long(&used, h->o,
		                       "summary.quickStats.overallMemoryUsage",
		                       &local) < 0 ||
		    host_down(h, false))
			continue;
		if (size / (1024 * 1024) > used)
			sum += size / (1024 * 1024) - used;
	}
	if (nhosts > 0)
		return sum;
	if (vs_object_get_long(&mem, cl->o, "summary.effectiveMemory",
	                       &local) < 0)
		return -1;
	return mem;
}

/* The CPU speed (MHz) of the cluster's fastest host that is connected
 * and not in maintenance (what the Ruby CPI reserves per vCPU with
 * cpu_reserve_full_mhz); 0 when none is known. */
static long long
cluster_max_mhz(const struct index *ix, const struct ent *cl)
{
	struct err local = {0};
	long long best = 0, mhz;
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *h = &ix->v[i];

		if (!host_of(h, cl) || host_down(h, true))
			continue;
		if (vs_object_get_long(&mhz, h->o, "summary.hardware.cpuMhz",
		                       &local) == 0 && mhz > best)
			best = mhz;
	}
	return best;
}

/* Host group name of cluster cl (read with VS_PLACE_GROUPS): the free
 * memory (MB) of its hosts that are connected and not in maintenance
 * (memory sizes less usages, summed as the Ruby CPI's
 * fetch_host_group_utilization) into *free_out, the first such host in
 * the group's order into *host_out (type "": none).  ERR_ENOTFOUND when
 * the cluster has no host group of that name. */
static int
host_group_of(long long *free_out, struct vs_moref *host_out,
              const struct index *ix, const struct ent *cl,
              const char *name, struct err *err)
{
	struct vs_drs_groups *groups = NULL;
	const struct vs_drs_group *g = NULL;
	long long size, used, total = 0, usage = 0;
	struct err local = {0};
	size_t i;
	int rc;

	*free_out = 0;
	memset(host_out, 0, sizeof(*host_out));
	rc = vs_place__host_group(&groups, &g, cl, name, err);
	if (rc == 0 && g == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "host group '%s' not found "
		             "in cluster '%s'", name, cl->name);
	for (i = 0; rc == 0 && i < g->nvms; i++) {
		const struct ent *h = vs_place__ent(ix, &g->vms[i]);

		if (h == NULL || h->kind != K_HOST || host_down(h, true))
			continue;
		if (host_out->type[0] == '\0')
			*host_out = g->vms[i];
		if (vs_object_get_long(&size, h->o,
		                       "summary.hardware.memorySize",
		                       &local) == 0 &&
		    vs_object_get_long(&used, h->o,
		                       "summary.quickStats.overallMemoryUsage",
		                       &local) == 0) {
			total += size / (1024 * 1024);
			usage += used;
		}
	}
	if (total > usage)
		*free_out = total - usage;
	vs_drs_groups_free(groups);
	return rc;
}

/* The best datastore so far: the highest r * free space (r drawn from
 * rand per datastore), clusters in order. */
struct best {
	const struct ent *cl;
	const struct ent *ds;
	size_t want;                    /* b->cl's entry in req->clusters */
	long long free_mb;
	double score;
	vs_placement_rand_fn rand;
	const struct vs_pod_set *pods;  /* wanted datastore clusters */
	struct vs_pattern **disk_re;    /* the persistent disks' patterns */
	size_t ndisk_re;
	size_t misses;                  /* of b->cl; SIZE_MAX: none yet */
	size_t cl_misses;               /* of the cluster considered */
	long long group_mb;             /* b->cl's host group free memory
	                                   (the cluster's without one) */
	long long cl_group_mb;          /* of the cluster considered */
};

int
vs_placement_rand_fixed(unsigned char *b, size_t n)
{
	memset(b, 0xff, n);
	return 0;
}

/* r in (0, 1], uniform over 2^32 steps; 1 when rand fails (the most free
 * space wins then, as with the fixed source). */
static double
draw(vs_placement_rand_fn rand)
{
	unsigned char b[4];
	uint32_t u;

	if (rand(b, sizeof(b)) != 0)
		return 1.0;
	u = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
	return ((double)u + 1.0) / 4294967296.0;
}

/* How many of the persistent disks' patterns match none of cluster
 * cl's usable datastores (the disks that attach_disk would move). */
static size_t
disk_misses(const struct best *b, const struct index *ix,
            const struct ent *cl)
{
	const struct vs_moref *dss = NULL;
	struct err local = {0};
	size_t i, j, nds = 0, n = 0;

	if (b->ndisk_re > 0 &&
	    vs_object_get_morefs(&dss, &nds, cl->o, "datastore", &local) < 0)
		nds = 0;
	for (i = 0; i < b->ndisk_re; i++) {
		for (j = 0; j < nds; j++) {
			const struct ent *ds = vs_place__ent(ix, &dss[j]);

			if (ds != NULL && ds->kind == K_DS && ds->name != NULL &&
			    vs_place__ds_free_mb(ds) >= 0 &&
			    vs_pattern_match(b->disk_re[i], ds->name))
				break;
		}
		if (j == nds)
			n++;
	}
	return n;
}

/* Considers cluster cl's datastores for b: fewer disk misses first,
 * then the highest score, then (the Ruby CPI's third scorer) the most
 * host group free memory. */
static void
best_in_cluster(struct best *b, const struct index *ix, const struct ent *cl,
                size_t want, const struct vs_placement_req *req,
                const struct vs_pattern *re, long long need_mb)
{
	const struct vs_moref *dss = NULL;
	struct err local = {0};
	size_t j, nds = 0;

	if (vs_object_get_morefs(&dss, &nds, cl->o, "datastore", &local) < 0)
		nds = 0;
	for (j = 0; j < nds; j++) {
		const struct ent *ds = vs_place__ent(ix, &dss[j]);
		long long f;
		double score;

		if (ds == NULL || ds->kind != K_DS ||
		    ds->name == NULL || !ds_named(req, re, b->pods, ds))
			continue;
		f = vs_place__ds_free_mb(ds);
		if (f <= need_mb + VS_PLACEMENT_DISK_HEADROOM_MB)
			continue;
		if (b->cl_misses > b->misses)
			return;
		score = draw(b->rand) * (double)f;
		if (b->cl_misses == b->misses && (score < b->score ||
		    (score == b->score && b->cl_group_mb <= b->group_mb)))
			continue;
		b->misses = b->cl_misses;
		b->group_mb = b->cl_group_mb;
		b->score = score;
		b->free_mb = f;
		b->ds = ds;
		b->cl = cl;
		b->want = want;
	}
}

/* The clusters with memory to spare into *nmem, their best datastore
 * into b. */
static int
best_of_clusters(struct best *b, size_t *nmem, const struct index *ix,
                 const struct ent *dc, const struct vs_placement_req *req,
                 const struct vs_pattern *re, struct err *err)
{
	long long need_ds = req->disk_mb + req->memory_mb, free_mb;
	struct vs_moref host;
	size_t i;
	int rc;

	*nmem = 0;
	for (i = 0; i < req->nclusters; i++) {
		const struct vs_placement_cluster *want = &req->clusters[i];
		const struct ent *cl;

		cl = vs_place__find_cluster(ix, dc, want->name);
		if (cl == NULL)
			return err_set(err, ERR_ENOTFOUND, "cluster '%s' "
			               "not found in datacenter '%s'",
			               want->name, dc->name);
		free_mb = cluster_free_mb(ix, cl);
		b->cl_group_mb = free_mb;
		rc = want->host_group == NULL ? 0 :
		     host_group_of(&b->cl_group_mb, &host, ix, cl,
		                   want->host_group, err);
		if (rc < 0)
			return rc;
		if (want->host_group != NULL && want->host_group_must)
			free_mb = b->cl_group_mb;
		if (free_mb < req->memory_mb + VS_PLACEMENT_MEMORY_HEADROOM_MB)
			continue;
		(*nmem)++;
		b->cl_misses = disk_misses(b, ix, cl);
		best_in_cluster(b, ix, cl, i, req, re, need_ds);
	}
	return 0;
}

/* b for req: its random source and the persistent disks' patterns
 * compiled; *re: the datastore pattern compiled (none with names, nor
 * when a datastore cluster pattern stands alone). */
static int
best_init(struct best *b, struct vs_pattern **re,
          const struct vs_placement_req *req,
          const struct vs_pod_set *pods, struct err *err)
{
	const char *pat = req->datastore_pattern;
	struct vs_pod_want w;
	bool pods_alone;
	size_t i;
	int rc = 0;

	*b = (struct best){ .free_mb = -1, .score = -1.0, .rand = req->rand,
	                    .misses = SIZE_MAX, .pods = pods,
	                    .group_mb = -1 };
	if (b->rand == NULL)
		b->rand = uuid_random_bytes;
	pod_want(&w, req);
	/* a datastore cluster pattern alone: its pods' members only */
	pods_alone = (pat == NULL || pat[0] == '\0') && vs_pod_want_any(&w);
	if (!listed(req) && !pods_alone && req->policy == NULL)
		rc = vs_pattern_compile(re, pat != NULL ? pat : "",
		                        "datastore pattern", err);
	if (rc == 0 && req->ndisk_patterns > 0) {
		b->disk_re = calloc(req->ndisk_patterns, sizeof(*b->disk_re));
		if (b->disk_re == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		b->ndisk_re = req->ndisk_patterns;
	}
	for (i = 0; rc == 0 && i < b->ndisk_re; i++)
		rc = vs_pattern_compile(&b->disk_re[i], req->disk_patterns[i],
		                        "disk's datastore pattern", err);
	return rc;
}

static void
best_clear(struct best *b)
{
	size_t i;

	for (i = 0; i < b->ndisk_re; i++)
		vs_pattern_free(b->disk_re[i]);
	free(b->disk_re);
}

/* No datastore qualifies: the message names what was asked for. */
static int
no_datastore(const struct vs_placement_req *req,
             const struct vs_pod_set *pods, struct err *err)
{
	struct vs_pod_want w;
	const char *what;

	pod_want(&w, req);
	if (req->policy != NULL)
		what = "compatible with the storage policy";
	else if (!vs_pod_want_any(&w))
		what = req->ndatastores > 0 ? "of those named" :
		       "matching the datastore pattern";
	else
		what = listed(req) ? "of those named or of the datastore "
		       "clusters named" : "matching the datastore pattern "
		       "or the datastore cluster pattern";
	return err_set(err, ERR_ENOTFOUND,
	               "no datastore %s has more than %lld MB free in the "
	               "clusters considered%s", what,
	               req->disk_mb + req->memory_mb +
	               VS_PLACEMENT_DISK_HEADROOM_MB, pods->noff == 0 ? "" :
	               " (datastore clusters with Storage DRS off are left "
	               "out, as the Ruby CPI leaves them out)");
}

/* Whether a cluster of req names a host group (must: bound with MUST). */
static bool
any_group(const struct vs_placement_req *req, bool must)
{
	size_t i;

	for (i = 0; i < req->nclusters; i++)
		if (req->clusters[i].host_group != NULL &&
		    (!must || req->clusters[i].host_group_must))
			return true;
	return false;
}

static int
pick(struct vs_placement *p, const struct index *ix, const struct ent *dc,
     const struct vs_placement_req *req, const struct vs_pod_set *pods,
     struct err *err)
{
	const struct vs_placement_cluster *want;
	struct vs_pattern *re = NULL;
	long long group_mb;
	struct best b;
	size_t nmem = 0;
	int rc;

	rc = best_init(&b, &re, req, pods, err);
	if (rc != 0)
		goto cleanup;
	rc = best_of_clusters(&b, &nmem, ix, dc, req, re, err);
	if (rc != 0)
		goto cleanup;
	if (nmem == 0) {
		rc = err_set(err, ERR_ENOTFOUND,
		             "no cluster has %lld MB of memory to spare "
		             "(%zu cluster(s) considered%s)",
		             req->memory_mb +
		             VS_PLACEMENT_MEMORY_HEADROOM_MB,
		             req->nclusters, any_group(req, true) ? "; a host "
		             "group bound with MUST counts its connected "
		             "hosts out of maintenance only" : "");
		goto cleanup;
	}
	if (b.ds == NULL) {
		rc = no_datastore(req, pods, err);
		goto cleanup;
	}
	want = &req->clusters[b.want];
	rc = vs_place__find_pool(&p->pool, ix, b.cl, want->resource_pool,
	                         err);
	/* the clone's host: the chosen MUST group's first healthy one */
	if (rc == 0 && want->host_group != NULL && want->host_group_must)
		rc = host_group_of(&group_mb, &p->host_group_host, ix, b.cl,
		                   want->host_group, err);
	if (rc == 0)
		rc = vs_place__dup(&p->cluster, b.cl->name, err);
	if (rc == 0)
		rc = vs_place__dup(&p->datastore, b.ds->name, err);
	p->cluster_ref = b.cl->o->obj;
	p->datastore_ref = b.ds->o->obj;
	p->datastore_free_mb = b.free_mb;
	p->max_host_mhz = cluster_max_mhz(ix, b.cl);
	p->cluster_index = b.want;

cleanup:
	best_clear(&b);
	vs_pattern_free(re);
	return rc;
}

/* An empty placement for req (its port group slots allocated). */
static int
placement_new(struct vs_placement **out, const struct vs_placement_req *req,
              struct err *err)
{
	struct vs_placement *p;

	*out = NULL;
	if (req->datacenter == NULL || req->nclusters == 0 ||
	    req->clusters == NULL || req->memory_mb <= 0 ||
	    req->disk_mb < 0)
		return err_set(err, ERR_EINVAL, "placement: bad request");
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (req->nport_groups > 0) {
		p->pgs = calloc(req->nport_groups, sizeof(*p->pgs));
		if (p->pgs == NULL) {
			free(p);
			return err_set(err, ERR_ENOMEM, "out of memory");
		}
		p->npgs = req->nport_groups;
	}
	*out = p;
	return 0;
}

/* The deepest existing folder along rel below the datacenter's vm
 * folder, by inventory path ("<dc>/vm/<rel>", then shorter prefixes while
 * not found): one round trip when the folder exists.  The placement read
 * leaves the vm folders out, so that no VM is walked. */
static int
find_vm_folder(struct vs_placement *p, struct vs_client *c, const char *rel,
               struct err *err)
{
	const char *want[MAX_COMPONENTS];
	char buf[1024], path[4096];
	int nwant, k, j, rc;

	p->vm_folder = p->dc_vm_folder;
	p->vm_folder_found = 0;
	nwant = vs_place__split_path(want, buf, sizeof(buf), rel);
	for (k = nwant; k > 0; k--) {
		struct vs_moref ref;
		struct err e = {0};
		size_t len = (size_t)snprintf(path, sizeof(path), "%s/vm",
		                              p->dc_path);

		for (j = 0; j < k && len < sizeof(path); j++)
			len += (size_t)snprintf(path + len, sizeof(path) - len,
			                        "/%s", want[j]);
		if (len >= sizeof(path))
			return err_set(err, ERR_EINVAL, "VM folder '%s': "
			               "path too long", rel);
		rc = vs_find_by_inventory_path(&ref, c, path, &e);
		if (rc == ERR_ENOTFOUND ||
		    (rc == 0 && strcmp(ref.type, "Folder") != 0))
			continue;
		if (rc < 0) {
			err_prefix(&e, "looking up VM folder '%s'", rel);
			err_keep_first(err, &e);
			return rc;
		}
		p->vm_folder = ref;
		p->vm_folder_found = (size_t)k;
		p->has_vm_folder = k == nwant;
		return 0;
	}
	return 0;
}

/* Everything of p inside datacenter dc: its vm folder, the port groups,
 * cluster and datastore, the folder. */
static int
place_in_dc(struct vs_placement *p, struct vs_objects **details,
            struct vs_client *c, struct index *ix,
            const struct ent *dc, const struct vs_placement_req *req,
            const struct vs_pod_set *pods, struct err *err)
{
	struct err local = {0};
	size_t i;
	int rc;

	p->datacenter = dc->o->obj;
	if (vs_object_get_moref(&p->dc_vm_folder, dc->o, "vmFolder",
	                        &local) < 0)
		return err_set(err, ERR_EPARSE, "datacenter '%s' has no "
		               "vm folder", req->datacenter);
	/* Port groups first: an unknown one is the likeliest bad input. */
	rc = vs_place__pg_details(details, c, ix, dc, req->port_groups,
	                          req->nport_groups, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < req->nport_groups; i++) {
		rc = vs_place__find_pg(&p->pgs[i], ix, dc,
		                       req->port_groups[i],
		                       req->pg_owners != NULL ?
		                       req->pg_owners[i] : NULL, err);
		if (rc < 0)
			return rc;
	}
	rc = pick(p, ix, dc, req, pods, err);
	if (rc < 0)
		return rc;
	if (req->vm_folder != NULL)
		return find_vm_folder(p, c, req->vm_folder, err);
	return 0;
}

/* req->source_path's VM, looked up in the datacenter named as a path:
 * *found false (no error) when it is not there, is no VM or the lookup
 * fails (the caller then reads it itself, meeting any real trouble
 * again). */
static void
find_source(bool *found, struct vs_moref *out, struct vs_client *c,
            const struct vs_placement_req *req)
{
	struct err e = {0};
	char path[4096];
	int n;

	*found = false;
	if (req->source_path == NULL || req->source_props == NULL)
		return;
	n = snprintf(path, sizeof(path), "%s/%s", req->datacenter,
	             req->source_path);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	*found = vs_find_by_inventory_path(out, c, path, &e) == 0 &&
	         strcmp(out->type, "VirtualMachine") == 0;
}

/* Moves the object of ref out of objs into *out (malloc'd), if there. */
static int
take_object(struct vs_object **out, struct vs_objects *objs,
            const struct vs_moref *ref, struct err *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < objs->n; i++) {
		if (!vs_moref_eq(&objs->items[i].obj, ref))
			continue;
		*out = malloc(sizeof(**out));
		if (*out == NULL)
			return err_set(err, ERR_ENOMEM, "out of memory");
		**out = objs->items[i];
		objs->items[i] = objs->items[--objs->n];
		return 0;
	}
	return 0;
}

/* The inventory read, with req->source_path's VM when it is found (into
 * p->source; a VM gone before the read is read without). */
static int
read_inventory(struct vs_objects **out, struct vs_placement *p,
               struct vs_client *c, const struct vs_placement_req *req,
               struct err *err)
{
	struct vs_moref src;
	struct err e = {0};
	struct vs_pod_want w;
	unsigned what;
	bool found;
	int rc;

	pod_want(&w, req);
	what = (vs_pod_want_any(&w) ? VS_PLACE_PODS : 0) |
	       (any_group(req, false) ? VS_PLACE_GROUPS : 0);
	find_source(&found, &src, c, req);
	rc = vs_place__read(out, c, what, found ? &src : NULL,
	                    req->source_props, req->port_groups,
	                    req->nport_groups, &e);
	if (rc < 0 && found &&
	    strcmp(e.fault, "ManagedObjectNotFound") == 0) {
		err_clear(&e);
		found = false;
		rc = vs_place__read(out, c, what, NULL, NULL, req->port_groups,
		                    req->nport_groups, &e);
	}
	if (rc < 0) {
		err_prefix(&e, "reading the inventory");
		err_keep_first(err, &e);
		return rc;
	}
	return found ? take_object(&p->source, *out, &src, err) : 0;
}

int
vs_placement_find(struct vs_placement **out, struct vs_client *c,
                  const struct vs_placement_req *req, struct err *err)
{
	struct vs_placement *p = NULL;
	struct vs_objects *objs = NULL, *details = NULL;
	struct index ix = {0};
	struct vs_pod_set pods = {0};
	struct vs_pod_want w;
	const struct ent *dc = NULL;
	int rc;

	*out = NULL;
	pod_want(&w, req);
	rc = placement_new(&p, req, err);
	if (rc == 0)
		rc = read_inventory(&objs, p, c, req, err);
	if (rc == 0)
		rc = vs_place__index(&ix, objs, err);
	if (rc == 0)
		rc = vs_place__find_dc(&dc, &p->dc_path, &ix, req->datacenter,
		                       err);
	/* the source was looked up in the datacenter at that path only */
	if (rc == 0 && strcmp(p->dc_path, req->datacenter) != 0) {
		vs_object_free(p->source);
		p->source = NULL;
	}
	if (rc == 0)
		rc = vs_pod_set_build(&pods, objs, &dc->o->obj, &w, err);
	if (rc == 0)
		rc = place_in_dc(p, &details, c, &ix, dc, req, &pods, err);
	if (rc < 0)
		goto cleanup;
	*out = p;
	p = NULL;

cleanup:
	vs_pod_set_clear(&pods);
	free(ix.v);
	vs_objects_free(details);
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
	vs_object_free(p->source);
	free(p->dc_path);
	free(p->cluster);
	free(p->datastore);
	free(p);
}
