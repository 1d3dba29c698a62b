/*
 * vsphere/placement_inv.c: the inventory for preflight checks (cpi check,
 * placement.h).
 */
#include "vsphere/placement_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/drs.h"
#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

struct vs_inventory {
	struct vs_objects *objs;
	struct index ix;
};

int
vs_inventory_read(struct vs_inventory **out, struct vs_client *c, bool pods,
                  struct err *err)
{
	struct vs_inventory *inv;
	int rc;

	*out = NULL;
	inv = calloc(1, sizeof(*inv));
	if (inv == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	rc = vs_place__read(&inv->objs, c,
	                    VS_PLACE_WIDE | (pods ? VS_PLACE_PODS : 0), NULL,
	                    NULL, NULL, 0, err);
	if (rc < 0)
		err_prefix(err, "reading the inventory");
	else
		rc = vs_place__index(&inv->ix, inv->objs, err);
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
	const struct ent *e = vs_place__ent(&inv->ix, ref);

	return e != NULL && e->kind == kind ? e : NULL;
}

int
vs_inventory_datacenter(struct vs_moref *out, char **path_out,
                        struct vs_moref *vm_folder_out,
                        const struct vs_inventory *inv, const char *name,
                        struct err *err)
{
	const struct ent *dc = NULL;
	struct err local = {0};
	int rc;

	rc = vs_place__find_dc(&dc, path_out, &inv->ix, name, err);
	if (rc < 0)
		return rc;
	*out = dc->o->obj;
	if (vs_object_get_moref(vm_folder_out, dc->o, "vmFolder",
	                        &local) < 0)
		return err_set(err, ERR_EPARSE, "datacenter '%s' has no "
		               "vm folder", name);
	return 0;
}

int
vs_inventory_vm_folder(size_t *found_out, size_t *total_out,
                       struct vs_moref *deepest_out,
                       const struct vs_inventory *inv,
                       const struct vs_moref *dc, const char *rel,
                       struct err *err)
{
	struct vs_placement p;
	const char *comps[MAX_COMPONENTS];
	char buf[1024];
	const struct ent *d = inv_ent(inv, dc, K_DC);
	struct err local = {0};
	int n;

	memset(&p, 0, sizeof(p));
	n = vs_place__split_path(comps, buf, sizeof(buf), rel);
	if (d == NULL || n <= 0)
		return err_set(err, ERR_EINVAL, "folder '%s': not a "
		               "folder path", rel);
	if (vs_object_get_moref(&p.dc_vm_folder, d->o, "vmFolder",
	                        &local) < 0)
		return err_set(err, ERR_EPARSE, "datacenter has no vm "
		               "folder");
	vs_place__find_vm_folder(&p, &inv->ix, d, rel);
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
	struct vs_drs_groups *groups = NULL;
	const struct vs_drs_group *g = NULL;
	xmlNodePtr cfg = NULL, drs;
	struct err local = {0};
	char buf[64];

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
	if (group != NULL &&
	    vs_place__host_group(&groups, &g, cl, group, &local) == 0)
		out->host_group_found = g != NULL;
	vs_drs_groups_free(groups);
}

int
vs_inventory_cluster(struct vs_inv_cluster *out,
                     const struct vs_inventory *inv,
                     const struct vs_moref *dc, const char *name,
                     const char *host_group, struct err *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC), *cl;
	const struct vs_moref *hosts = NULL;
	struct err local = {0};
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	cl = d != NULL ? vs_place__find_cluster(&inv->ix, d, name) : NULL;
	if (cl == NULL)
		return err_set(err, ERR_ENOTFOUND, "cluster '%s' not "
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
                  struct err *err)
{
	const struct ent *cl = inv_ent(inv, cluster, K_CLUSTER);

	if (cl == NULL)
		return err_set(err, ERR_ENOTFOUND, "cluster not found");
	return vs_place__find_pool(out, &inv->ix, cl, name, err);
}

/* The path of pod p below its datacenter's datastore folder ("POD",
 * "folder/POD") into buf; false when its chain is broken. */
static bool
pod_path(char *buf, size_t size, const struct index *ix, const struct ent *p)
{
	const char *comps[MAX_COMPONENTS];
	size_t len = 0;
	int n = vs_place__path_of(comps, NULL, ix, p, NULL), i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%s%s",
		                 i > 0 ? "/" : "", comps[i]);

		if (w < 0 || (size_t)w >= size - len)
			return false;
		len += (size_t)w;
	}
	return n > 0;
}

/* The Storage DRS flag of pod p: 1 on, 0 off, -1 not read. */
static int
pod_sdrs(const struct ent *p)
{
	struct err local = {0};
	bool on = false;

	if (vs_object_get_bool(&on, p->o, "podStorageDrsEntry."
	                       "storageDrsConfig.podConfig.enabled",
	                       &local) != 0)
		return -1;
	return on ? 1 : 0;
}

static int
ds_item(struct vs_inv_datastore *d, const struct ent *e, const char *pod,
        struct err *err)
{
	struct err local = {0};
	long long v;
	int rc;

	d->ref = e->o->obj;
	d->free_mb = -1;
	d->capacity_mb = -1;
	if (vs_object_get_long(&v, e->o, "summary.freeSpace", &local) == 0)
		d->free_mb = v / (1024 * 1024);
	err_clear(&local);
	if (vs_object_get_long(&v, e->o, "summary.capacity", &local) == 0)
		d->capacity_mb = v / (1024 * 1024);
	d->usable = vs_place__ds_free_mb(e) >= 0;
	rc = vs_place__dup(&d->name, e->name, err);
	if (rc == 0 && pod != NULL)
		rc = vs_place__dup(&d->pod, pod, err);
	return rc;
}

int
vs_inventory_datastores(struct vs_inv_datastores **out,
                        const struct vs_inventory *inv,
                        const struct vs_moref *dc, const char *pattern,
                        bool pods, struct err *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC);
	struct vs_inv_datastores *l = NULL;
	struct vs_pattern *re = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (d == NULL)
		return err_set(err, ERR_EINVAL, "no such datacenter");
	/* The same Ruby-regex reading as placement (vsphere/pattern.h). */
	rc = vs_pattern_compile(&re, pattern != NULL ? pattern : "",
	                        "pattern", err);
	if (rc != 0)
		return rc;
	l = calloc(1, sizeof(*l));
	if (l != NULL)
		l->items = calloc(inv->ix.n + 1, sizeof(*l->items));
	if (l == NULL || l->items == NULL) {
		rc = err_set(err, ERR_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < inv->ix.n && rc == 0; i++) {
		const struct ent *e = &inv->ix.v[i], *p;
		const char *match;
		char path[1024];

		if (e->kind != K_DS || e->name == NULL ||
		    vs_place__dc_of(&inv->ix, e) != d)
			continue;
		p = vs_place__parent(&inv->ix, e);
		if (p != NULL && strcmp(p->o->obj.type, "StoragePod") != 0)
			p = NULL;
		if (pods && (p == NULL || p->name == NULL ||
		             !pod_path(path, sizeof(path), &inv->ix, p)))
			continue;
		match = pods ? path : e->name;
		if (!vs_pattern_match(re, match))
			continue;
		rc = ds_item(&l->items[l->n], e, p != NULL ? p->name : NULL,
		             err);
		l->items[l->n++].pod_sdrs = p != NULL ? pod_sdrs(p) : -1;
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
	struct err local = {0};
	struct vs_moref key;
	char buf[16];

	if (vs_object_get_node(&val, ds->o, "host", &local) < 0)
		return -1;
	for (m = val->children; m != NULL; m = m->next) {
		if (m->type != XML_ELEMENT_NODE)
			continue;
		err_clear(&local);
		if (vs_xml_moref(&key, vs_xml_child(m, "key"), &local) < 0 ||
		    !vs_moref_eq(&key, host))
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
	const struct ent *h = vs_place__ent(ix, host);
	const struct vs_moref *refs = NULL;
	struct err local = {0};
	int state = ds_mount_state(ds, host);
	size_t i, n = 0;

	if (state == 0)
		return false;
	if (h == NULL || vs_object_get_morefs(&refs, &n, h->o, "datastore",
	                                      &local) < 0)
		return state == 1;
	for (i = 0; i < n; i++)
		if (vs_moref_eq(&refs[i], &ds->o->obj))
			return true;
	return false;
}

int
vs_inventory_ds_seen(size_t *seen_out, size_t *total_out,
                     bool *attached_out, const struct vs_inventory *inv,
                     const struct vs_moref *cluster,
                     const struct vs_moref *ds, struct err *err)
{
	const struct ent *cl = inv_ent(inv, cluster, K_CLUSTER);
	const struct ent *d = inv_ent(inv, ds, K_DS);
	const struct vs_moref *refs = NULL;
	struct err local = {0};
	size_t i, n = 0;

	*seen_out = 0;
	*total_out = 0;
	*attached_out = false;
	if (cl == NULL || d == NULL)
		return err_set(err, ERR_EINVAL, "no such cluster or "
		               "datastore");
	if (vs_object_get_morefs(&refs, &n, cl->o, "datastore", &local) == 0)
		for (i = 0; i < n; i++)
			if (vs_moref_eq(&refs[i], ds))
				*attached_out = true;
	err_clear(&local);
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
                        const char *owner, struct err *err)
{
	const struct ent *d = inv_ent(inv, dc, K_DC);

	memset(out, 0, sizeof(*out));
	if (d == NULL)
		return err_set(err, ERR_EINVAL, "no such datacenter");
	return vs_place__find_pg(out, &inv->ix, d, name, owner, err);
}
