/*
 * cpi/check_inventory.c: the preflight's inventory checks, answered from
 * one property-collector read (vs_inventory_read): datacenter, folders,
 * clusters, resource pools, host groups, DRS, datastore patterns, port
 * groups, then the user's privileges on every object found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/check_run.h"
#include "vsphere/pbm.h"
#include "vsphere/placement.h"
#include "vsphere/vm.h"

#define VC CPI_CHECK_VC
#define DCK CPI_CHECK_DC
#define MAX_LISTED 8

enum {
	ON_DC = 1,          /* the datacenter */
	ON_FOLDER = 2,      /* vm_folder / template_folder (or the deepest
	                       existing part of them) */
	ON_POOL = 4,        /* each cluster's resource pool */
	ON_DS = 8,          /* each datastore a pattern matches */
	ON_NET = 16,        /* each port group of NETWORKS.json */
};

/* Keep in step with README "Preflight: cpi check" (privileges). */
static const struct {
	const char *priv;
	unsigned on;
} needed[] = {
	{ "Global.ManageCustomFields", ON_DC },
	{ "Datastore.FileManagement", ON_DC | ON_DS },
	{ "Folder.Create", ON_FOLDER },
	{ "VirtualMachine.Inventory.Create", ON_FOLDER | ON_POOL },
	{ "VirtualMachine.Inventory.CreateFromExisting", ON_FOLDER | ON_POOL },
	{ "VirtualMachine.Inventory.Delete", ON_FOLDER },
	{ "VirtualMachine.Provisioning.Clone", ON_FOLDER },
	{ "VirtualMachine.Provisioning.DeployTemplate", ON_FOLDER },
	{ "VirtualMachine.State.CreateSnapshot", ON_FOLDER },
	{ "VirtualMachine.Config.AddNewDisk", ON_FOLDER },
	{ "VirtualMachine.Config.AddExistingDisk", ON_FOLDER },
	{ "VirtualMachine.Config.RemoveDisk", ON_FOLDER },
	{ "VirtualMachine.Config.AddRemoveDevice", ON_FOLDER },
	{ "VirtualMachine.Config.EditDevice", ON_FOLDER },
	{ "VirtualMachine.Config.AdvancedConfig", ON_FOLDER },
	{ "VirtualMachine.Config.Resource", ON_FOLDER },
	{ "VirtualMachine.Config.Settings", ON_FOLDER },
	{ "VirtualMachine.Config.DiskExtend", ON_FOLDER },
	{ "VirtualMachine.Interact.PowerOn", ON_FOLDER },
	{ "VirtualMachine.Interact.PowerOff", ON_FOLDER },
	{ "VirtualMachine.Interact.Reset", ON_FOLDER },
	{ "Global.SetCustomField", ON_FOLDER },
	{ "VApp.Import", ON_FOLDER | ON_POOL },
	{ "Resource.AssignVMToPool", ON_POOL },
	{ "Datastore.AllocateSpace", ON_DS },
	{ "Datastore.Browse", ON_DS },
	{ "Network.Assign", ON_NET },
};

static void
ent_add(struct cpi_check_ents *e, const struct vs_moref *ref, unsigned on,
        const char *key, const char *kind, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		if (strcmp(e->v[i].ref.value, ref->value) == 0 &&
		    strcmp(e->v[i].ref.type, ref->type) == 0) {
			e->v[i].on |= on;
			return;
		}
	}
	if (e->n == CPI_CHECK_MAX_ENTITIES)
		return;
	e->v[e->n].ref = *ref;
	e->v[e->n].on = on;
	snprintf(e->v[e->n].key, sizeof(e->v[e->n].key), "%s", key);
	snprintf(e->v[e->n].what, sizeof(e->v[e->n].what), "%s '%s'", kind,
	         name);
	e->n++;
}

static void
check_folder(struct cpi_check_run *x, const char *check, const char *key,
             const char *folder)
{
	char *rel = NULL;
	struct err e = {0};
	struct vs_moref deepest;
	size_t found = 0, total = 0;
	const char *sub = x->cfg->vcenter.datacenter.use_sub_folder ?
	                  " (use_sub_folder: a sub folder named after the "
	                  "Director's uuid is created in it)" : "";

	if (vs_folder_rel_path(&rel, folder, NULL, &e) < 0 ||
	    vs_inventory_vm_folder(&found, &total, &deepest, x->inv, &x->dc,
	                           rel, &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, check, key,
		                    "give a folder path below the datacenter's "
		                    "VM folder, components separated by '/'",
		                    &e);
		free(rel);
		return;
	}
	if (found == total)
		cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
		              "folder '%s/vm/%s' exists%s", x->dc_path, rel,
		              sub);
	else
		cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
		              "folder '%s/vm/%s' does not exist yet (%zu of "
		              "%zu part(s) missing): the CPI creates it "
		              "(Folder.Create, checked below)%s", x->dc_path,
		              rel, total - found, total, sub);
	/* Privileges count where the CPI acts: the deepest existing part. */
	{
		char where[512];
		size_t i, k = 0, len;

		len = (size_t)snprintf(where, sizeof(where), "%s/vm",
		                       x->dc_path);
		for (i = 0; rel[i] != '\0' && k < found &&
		     len + 1 < sizeof(where); i++) {
			if (i == 0 || rel[i - 1] == '/')
				where[len++] = '/';
			if (rel[i] == '/') {
				k++;
				continue;
			}
			where[len++] = rel[i];
		}
		where[len < sizeof(where) ? len : sizeof(where) - 1] = '\0';
		ent_add(&x->ents, &deepest, ON_FOLDER, key, "folder", where);
	}
	free(rel);
}

/* Cluster i's resource pool (the root pool when none is named). */
static void
check_pool(struct cpi_check_run *x, size_t i, const char *key)
{
	const struct cpi_cluster *cl = &x->cfg->vcenter.datacenter.clusters[i];
	struct err e = {0};
	struct vs_moref pool;

	if (vs_inventory_pool(&pool, x->inv, &x->clusters[i].ref,
	                      cl->resource_pool, &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "resource_pool", key,
		                    "name an existing resource pool of the "
		                    "cluster (clusters: [{CLUSTER: "
		                    "{resource_pool: POOL}}])", &e);
		return;
	}
	if (cl->resource_pool != NULL)
		cpi_check_add(x->r, CPI_CHECK_OK, "resource_pool", key, NULL,
		              "resource pool '%s' found in cluster '%s'",
		              cl->resource_pool, cl->name);
	ent_add(&x->ents, &pool, ON_POOL, key, "resource pool of cluster",
	        cl->name);
}

/* Cluster i's host group and whether DRS is on where rules need it. */
static void
check_drs(struct cpi_check_run *x, size_t i, const char *key)
{
	const struct cpi_cluster *cl = &x->cfg->vcenter.datacenter.clusters[i];
	const struct vs_inv_cluster *ic = &x->clusters[i];
	bool need_drs = cl->host_group != NULL;

	if (cl->host_group != NULL)
		cpi_check_add(x->r, ic->host_group_found ?
		              CPI_CHECK_OK : CPI_CHECK_ERROR,
		              "host_group", key,
		              ic->host_group_found ? NULL :
		              "create the host group in the cluster, or "
		              "fix its name",
		              "host group '%s' %s in cluster '%s'",
		              cl->host_group, ic->host_group_found ?
		              "found" : "not found", cl->name);
	if (x->cfg->vcenter.enable_auto_anti_affinity_drs_rules)
		need_drs = true;
	/* A warning: vCenter takes rules in a cluster with DRS off, they
	 * only have no effect there. */
	if (need_drs && ic->drs != 1)
		cpi_check_add(x->r, CPI_CHECK_WARNING, "drs", key,
		              "enable DRS on the cluster, or drop "
		              "host_group / enable_auto_anti_affinity_"
		              "drs_rules",
		              "cluster '%s': DRS is %s, but the config "
		              "asks for DRS rules (without effect while "
		              "DRS is off)", cl->name,
		              ic->drs == 0 ? "off" : "unknown");
}

static void
check_clusters(struct cpi_check_run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	char key[128];
	size_t i;

	for (i = 0; i < dc->nclusters; i++) {
		const struct cpi_cluster *cl = &dc->clusters[i];
		struct vs_inv_cluster *ic = &x->clusters[i];
		struct err e = {0};

		snprintf(key, sizeof(key), DCK ".clusters[%zu]", i);
		if (vs_inventory_cluster(ic, x->inv, &x->dc, cl->name,
		                         cl->host_group, &e) < 0) {
			cpi_check__vs_error(x, CPI_CHECK_ERROR, "cluster", key,
			                    "name an existing cluster of the "
			                    "datacenter (job property "
			                    "vcenter.datacenters[0].clusters)",
			                    &e);
			continue;
		}
		x->cluster_found[i] = true;
		cpi_check_add(x->r, ic->nhosts > 0 ? CPI_CHECK_OK :
		              CPI_CHECK_WARNING, "cluster", key,
		              ic->nhosts > 0 ? NULL : "add hosts to the "
		              "cluster", "cluster '%s': %zu host(s), DRS %s",
		              cl->name, ic->nhosts, ic->drs == 1 ? "on" :
		              ic->drs == 0 ? "off" : "unknown");
		check_pool(x, i, key);
		check_drs(x, i, key);
	}
}

/* The datastores l a pattern matched: the count, the first MAX_LISTED,
 * whether any is usable; each is an entity for the privilege check. */
static void
pattern_matches(struct cpi_check_run *x, const char *check, const char *key,
                const char *pattern, bool pods,
                const struct vs_inv_datastores *l)
{
	char list[1024];
	size_t i, len = 0, nusable = 0;

	list[0] = '\0';
	for (i = 0; i < l->n; i++) {
		const struct vs_inv_datastore *d = &l->items[i];
		int w;

		if (d->usable && (!pods || d->pod_sdrs != 0))
			nusable++;
		ent_add(&x->ents, &d->ref, ON_DS, key, "datastore",
		        d->name);
		if (i >= MAX_LISTED)
			continue;
		w = snprintf(list + len, sizeof(list) - len,
		             "%s%s%s%s (%lld of %lld GB free%s)",
		             i > 0 ? ", " : "", d->pod != NULL && pods ?
		             d->pod : "", d->pod != NULL && pods ? "/" : "",
		             d->name, d->free_mb >= 0 ? d->free_mb / 1024 : 0,
		             d->capacity_mb >= 0 ? d->capacity_mb / 1024 : 0,
		             !d->usable ? ", NOT usable" : pods &&
		             d->pod_sdrs == 0 ? ", Storage DRS off: left out" :
		             "");
		if (w > 0 && (size_t)w < sizeof(list) - len)
			len += (size_t)w;
	}
	cpi_check_add(x->r, nusable > 0 ? CPI_CHECK_OK : CPI_CHECK_ERROR,
	              check, key, nusable > 0 ? NULL : pods ? "turn Storage "
	              "DRS on in a matching datastore cluster, or bring a "
	              "member out of maintenance" : "bring a matching "
	              "datastore out of maintenance or make it accessible",
	              "pattern '%s' matches %zu datastore(s)%s: %s%s",
	              pattern, l->n, pods ? " in datastore clusters" : "",
	              list, l->n > MAX_LISTED ? ", …" : "");
}

/* Cluster j (found) must see a match of l, on every host. */
static void
pattern_cluster(struct cpi_check_run *x, const char *check,
                const char *key, const char *pattern,
                const struct vs_inv_datastores *l, size_t j)
{
	const char *name = x->cfg->vcenter.datacenter.clusters[j].name;
	size_t i, nattached = 0, npartial = 0, plen = 0;
	char partial[512];

	partial[0] = '\0';
	for (i = 0; i < l->n; i++) {
		struct err e = {0};
		size_t seen = 0, total = 0;
		bool attached = false;
		int w;

		if (vs_inventory_ds_seen(&seen, &total, &attached, x->inv,
		                         &x->clusters[j].ref, &l->items[i].ref,
		                         &e) < 0 || !attached)
			continue;
		nattached++;
		if (seen == total)
			continue;
		npartial++;
		w = snprintf(partial + plen, sizeof(partial) - plen,
		             "%s%s (%zu of %zu hosts)",
		             npartial > 1 ? ", " : "", l->items[i].name, seen,
		             total);
		if (w > 0 && (size_t)w < sizeof(partial) - plen)
			plen += (size_t)w;
	}
	if (nattached == 0)
		cpi_check_add(x->r, CPI_CHECK_ERROR, check, key,
		              "mount a matching datastore on the cluster's "
		              "hosts, or change the pattern",
		              "cluster '%s' sees none of the datastores "
		              "matching '%s'", name, pattern);
	else if (npartial > 0)
		cpi_check_add(x->r, CPI_CHECK_WARNING, check, key,
		              "mount the datastores on every host of the "
		              "cluster (vMotion and DRS need it)",
		              "cluster '%s': not every host sees %s", name,
		              partial);
	else
		cpi_check_add(x->r, CPI_CHECK_OK, check, key, NULL,
		              "cluster '%s': every host sees the %zu matching "
		              "datastore(s) it has", name, nattached);
}

/* One datastore (or datastore cluster) pattern. */
static void
check_pattern(struct cpi_check_run *x, const char *check, const char *key,
              const char *pattern, bool pods)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	struct vs_inv_datastores *l = NULL;
	struct err e = {0};
	char fix[256];
	size_t j;

	if (vs_inventory_datastores(&l, x->inv, &x->dc, pattern, pods,
	                            &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, check, key,
		                    "give a POSIX extended regular expression",
		                    &e);
		return;
	}
	if (l->n == 0) {
		snprintf(fix, sizeof(fix), "change the pattern to match %s "
		         "of datacenter '%s'", pods ? "a datastore cluster "
		         "(with datastores)" : "datastores", x->dc_path);
		cpi_check_add(x->r, CPI_CHECK_ERROR, check, key, fix,
		              "pattern '%s' matches no %s", pattern,
		              pods ? "datastore cluster with datastores" :
		              "datastore");
		vs_inv_datastores_free(l);
		return;
	}
	pattern_matches(x, check, key, pattern, pods, l);
	for (j = 0; j < dc->nclusters; j++) {
		if (x->cluster_found[j])
			pattern_cluster(x, check, key, pattern, l, j);
	}
	vs_inv_datastores_free(l);
}

/* vm_storage_policy_name: looked up as create_vm does (vsphere/pbm.h: 4
 * round trips, only when set). */
static void
check_storage_policy(struct cpi_check_run *x)
{
	const char *name = x->cfg->vcenter.vm_storage_policy_name;
	struct vs_pbm_policy *p = NULL;
	struct err e = {0};

	if (name == NULL)
		return;
	if (vs_pbm_find_policy(&p, x->c, name, &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "storage_policy",
		                    VC ".vm_storage_policy_name", "name a VM "
		                    "storage policy of vCenter that some "
		                    "datastore is compatible with", &e);
		return;
	}
	cpi_check_add(x->r, CPI_CHECK_OK, "storage_policy",
	              VC ".vm_storage_policy_name", NULL, "storage policy "
	              "'%s' (profile %s): %zu compatible datastore(s); VMs "
	              "whose type names no datastores go to one of them",
	              name, p->profile_id, p->ndatastores);
	vs_pbm_policy_free(p);
}

static void
check_datastores(struct cpi_check_run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;

	if (dc->datastore_pattern != NULL)
		check_pattern(x, "datastore_pattern", DCK ".datastore_pattern",
		              dc->datastore_pattern, false);
	if (dc->persistent_datastore_pattern != NULL)
		check_pattern(x, "persistent_datastore_pattern",
		              DCK ".persistent_datastore_pattern",
		              dc->persistent_datastore_pattern, false);
	if (dc->datastore_cluster_pattern != NULL)
		check_pattern(x, "datastore_cluster_pattern",
		              DCK ".datastore_cluster_pattern",
		              dc->datastore_cluster_pattern, true);
	if (dc->persistent_datastore_cluster_pattern != NULL)
		check_pattern(x, "persistent_datastore_cluster_pattern",
		              DCK ".persistent_datastore_cluster_pattern",
		              dc->persistent_datastore_cluster_pattern, true);
	cpi_check_add(x->r, CPI_CHECK_OK, "disk_path", DCK ".disk_path",
	              NULL, "persistent disks go to '%s/' on the chosen "
	              "datastore; create_disk makes the directory when "
	              "missing (Datastore.FileManagement, checked below)",
	              dc->disk_path);
	check_storage_policy(x);
}

static void
check_networks(struct cpi_check_run *x)
{
	size_t i;

	for (i = 0; i < x->npgs; i++) {
		struct vs_port_group pg;
		struct err e = {0};
		char key[256];

		snprintf(key, sizeof(key), "NETWORKS.json %.200s",
		         x->pg_owners[i]);
		if (vs_inventory_port_group(&pg, x->inv, &x->dc,
		                            x->pg_names[i], x->pg_owners[i],
		                            &e) < 0) {
			cpi_check__vs_error(x, CPI_CHECK_ERROR, "port_group",
			                    key, e.code == ERR_EINVAL ?
			                    "name it as SWITCH/PORTGROUP or "
			                    "FOLDER/PORTGROUP in "
			                    "cloud_properties.name" :
			                    "name an existing port group of "
			                    "the datacenter in "
			                    "cloud_properties.name", &e);
			vs_port_group_clear(&pg);
			continue;
		}
		cpi_check_add(x->r, CPI_CHECK_OK, "port_group", key, NULL,
		              "port group '%s' found: %s", x->pg_names[i],
		              pg.kind == VS_PG_DISTRIBUTED ? "distributed" :
		              "standard");
		ent_add(&x->ents, &pg.network, ON_NET, key, "port group",
		        x->pg_names[i]);
		vs_port_group_clear(&pg);
	}
}

static void
check_privileges(struct cpi_check_run *x)
{
	struct vs_moref refs[CPI_CHECK_MAX_ENTITIES];
	struct vs_privileges *p = NULL;
	struct err e = {0};
	size_t i, j;

	for (i = 0; i < x->ents.n; i++)
		refs[i] = x->ents.v[i].ref;
	if (x->ents.n == 0)
		return;
	if (vs_privileges_fetch(&p, x->c, refs, x->ents.n,
	                        x->cfg->vcenter.user, &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_WARNING, "privileges",
		                    VC ".user", "compare the user's role with "
		                    "the privilege list in the README by hand",
		                    &e);
		return;
	}
	for (i = 0; i < x->ents.n; i++) {
		const struct cpi_check_ent *en = &x->ents.v[i];
		char missing[1024];
		size_t len = 0, nmissing = 0, nneeded = 0;

		missing[0] = '\0';
		for (j = 0; j < sizeof(needed) / sizeof(needed[0]); j++) {
			int w;

			if ((needed[j].on & en->on) == 0)
				continue;
			nneeded++;
			if (vs_privileges_has(p, &en->ref, needed[j].priv))
				continue;
			nmissing++;
			w = snprintf(missing + len, sizeof(missing) - len,
			             "%s%s", nmissing > 1 ? ", " : "",
			             needed[j].priv);
			if (w > 0 && (size_t)w < sizeof(missing) - len)
				len += (size_t)w;
		}
		if (nmissing == 0)
			cpi_check_add(x->r, CPI_CHECK_OK, "privileges",
			              en->key, NULL, "%s: the user holds the "
			              "%zu privilege(s) the CPI needs there",
			              en->what, nneeded);
		else
			cpi_check_add(x->r, CPI_CHECK_ERROR, "privileges",
			              en->key, "grant the user (" VC ".user) a "
			              "role with these privileges on the object "
			              "(README lists them all)",
			              "%s: the user lacks %zu of %zu "
			              "privilege(s): %s", en->what, nmissing,
			              nneeded, missing);
	}
	vs_privileges_free(p);
}

void
cpi_check__inventory(struct cpi_check_run *x)
{
	const struct cpi_datacenter *dc = &x->cfg->vcenter.datacenter;
	struct vs_moref vm_folder;
	struct err e = {0};

	if (vs_inventory_read(&x->inv, x->c,
	                      (dc->datastore_cluster_pattern != NULL &&
	                       dc->datastore_cluster_pattern[0] != '\0') ||
	                      (dc->persistent_datastore_cluster_pattern !=
	                       NULL && dc->persistent_datastore_cluster_pattern
	                       [0] != '\0'), &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "inventory",
		                    VC ".user", "the user needs read access "
		                    "(System.View, System.Read) on the "
		                    "inventory", &e);
		return;
	}
	if (vs_inventory_datacenter(&x->dc, &x->dc_path, &vm_folder, x->inv,
	                            dc->name, &e) < 0) {
		cpi_check__vs_error(x, CPI_CHECK_ERROR, "datacenter",
		                    DCK ".name", "name an existing datacenter "
		                    "(job property "
		                    "vcenter.datacenters[0].name)", &e);
		return;
	}
	x->have_dc = true;
	cpi_check_add(x->r, CPI_CHECK_OK, "datacenter", DCK ".name", NULL,
	              "datacenter '%s' found", x->dc_path);
	ent_add(&x->ents, &x->dc, ON_DC, DCK ".name", "datacenter",
	        x->dc_path);
	check_folder(x, "vm_folder", DCK ".vm_folder", dc->vm_folder);
	check_folder(x, "template_folder", DCK ".template_folder",
	             dc->template_folder);
	check_clusters(x);
	check_datastores(x);
	check_networks(x);
	check_privileges(x);
}

