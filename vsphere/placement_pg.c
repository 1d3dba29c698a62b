/*
 * vsphere/placement_pg.c: port groups by name or path: standard, distributed
 * and NSX opaque networks (placement.h).
 */
#include "vsphere/placement_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/pattern.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"

/* Where e's port group details are: the second read's object (placement:
 * vs_place__pg_details) or the inventory read's (cpi check). */
#define DETAIL(e) ((e)->detail != NULL ? (e)->detail : (e)->o)

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

static const char *
dvs_name_of(const struct index *ix, const struct ent *pg,
            const char **uuid_out)
{
	struct vs_moref ref;
	struct err local = {0};
	const struct ent *dvs;

	*uuid_out = NULL;
	if (vs_object_get_moref(&ref, DETAIL(pg), "config.distributedVirtualSwitch",
	                        &local) < 0)
		return NULL;
	dvs = vs_place__ent(ix, &ref);
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
            const char *query, struct err *err)
{
	struct err local = {0};
	xmlNodePtr summary = NULL;
	char *id = NULL, *type = NULL;
	int rc = 0;

	out->kind = VS_PG_OPAQUE;
	if (vs_object_get_node(&summary, DETAIL(e), "summary", &local) == 0 &&
	    (vs_vim_opt_text(&id, summary, "opaqueNetworkId") != 0 ||
	     vs_vim_opt_text(&type, summary, "opaqueNetworkType") != 0))
		rc = err_set(err, ERR_ENOMEM, "out of memory");
	if (rc == 0 && (id == NULL || type == NULL || id[0] == '\0' || type[0] == '\0'))
		rc = err_set(err, ERR_EPARSE, "opaque network '%s': "
		             "opaqueNetworkId or opaqueNetworkType "
		             "missing", query);
	if (rc == 0)
		rc = vs_place__dup(&out->opaque_id, id, err);
	if (rc == 0)
		rc = vs_place__dup(&out->opaque_type, type, err);
	xmlFree(id);
	xmlFree(type);
	return rc;
}

static int
fill_pg(struct vs_port_group *out, const struct index *ix,
        const struct ent *e, const char *query, struct err *err)
{
	struct err local = {0};
	const char *uuid = NULL, *key = NULL;
	int rc;

	out->network = e->o->obj;
	rc = vs_place__dup(&out->name, e->name, err);
	if (rc == 0 && strcmp(e->o->obj.type, "OpaqueNetwork") == 0)
		return fill_opaque(out, e, query, err);
	if (rc < 0 || e->kind != K_DVPG) {
		out->kind = VS_PG_STANDARD;
		return rc;
	}
	out->kind = VS_PG_DISTRIBUTED;
	(void)dvs_name_of(ix, e, &uuid);
	if (vs_object_get_str(&key, DETAIL(e), "config.key", &local) < 0)
		key = NULL;
	if (uuid == NULL || key == NULL)
		return err_set(err, ERR_EPARSE,
		               "distributed port group '%s': switch uuid "
		               "or port group key missing", query);
	rc = vs_place__dup(&out->switch_uuid, uuid, err);
	if (rc == 0)
		rc = vs_place__dup(&out->portgroup_key, key, err);
	return rc;
}

/* The opaque network id of an OpaqueNetwork (summary) into *out
 * (xmlFree), NULL when it has none. */
static int
opaque_id_of(char **out, const struct ent *e, struct err *err)
{
	struct err local = {0};
	xmlNodePtr summary = NULL;

	*out = NULL;
	if (vs_object_get_node(&summary, DETAIL(e), "summary", &local) != 0)
		return 0;
	if (vs_vim_opt_text(out, summary, "opaqueNetworkId") != 0)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* Whether every distributed port group of dc named name is NSX-backed
 * with logical switch referent (that of the first one when NULL). */
static bool
all_nsx(const struct index *ix, const struct ent *dc, const char *name,
        const char *referent)
{
	size_t i;

	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];
		struct err local = {0};
		const char *bt = NULL, *ls = NULL;

		if (e->kind != K_DVPG || e->name == NULL ||
		    strcmp(e->name, name) != 0 ||
		    vs_place__dc_of(ix, e) != dc)
			continue;
		if (vs_object_get_str(&bt, DETAIL(e), "config.backingType",
		                      &local) < 0 ||
		    strcmp(bt, "nsx") != 0 ||
		    vs_object_get_str(&ls, DETAIL(e), "config.logicalSwitchUuid",
		                      &local) < 0)
			return false;
		if (referent == NULL)
			referent = ls;
		if (strcmp(ls, referent) != 0)
			return false;
	}
	return true;
}

/* Several networks of the datacenter are named `name` exactly: resolve
 * as the Ruby CPI does (vcenter_client.rb find_network).  NSX-T 3 on a
 * vSphere 7 switch shows one segment as a port group per switch, and
 * maybe as one opaque network too: when every distributed port group of
 * that name is NSX-backed with the same logical switch (that of the one
 * opaque network, if any), the first port group is it.  Otherwise the
 * standard port group (a plain Network) of that name, the first one.
 * *out NULL when neither applies (ambiguous). */
static int
resolve_same_name(const struct ent **out, const struct index *ix,
                  const struct ent *dc, const char *name,
                  struct err *err)
{
	const struct ent *first_dvpg = NULL, *opaque = NULL;
	char *referent = NULL;
	size_t i, nopaque = 0;
	int rc = 0;

	*out = NULL;
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if ((e->kind != K_NET && e->kind != K_DVPG) ||
		    e->name == NULL || strcmp(e->name, name) != 0 ||
		    vs_place__dc_of(ix, e) != dc)
			continue;
		if (e->kind == K_DVPG) {
			if (first_dvpg == NULL)
				first_dvpg = e;
		} else if (strcmp(e->o->obj.type, "OpaqueNetwork") == 0) {
			opaque = e;
			nopaque++;
		} else if (strcmp(e->o->obj.type, "Network") == 0 &&
		           *out == NULL) {
			*out = e;       /* the first standard one */
		}
	}
	if (first_dvpg == NULL || nopaque > 1)
		return 0;
	if (opaque != NULL)
		rc = opaque_id_of(&referent, opaque, err);
	if (rc == 0 && all_nsx(ix, dc, name, referent))
		*out = first_dvpg;
	xmlFree(referent);
	return rc;
}

int
vs_place__find_pg(struct vs_port_group *out, const struct index *ix,
                  const struct ent *dc, const char *query, const char *owner,
                  struct err *err)
{
	const char *want[MAX_COMPONENTS];
	char buf[1024];
	const struct ent *hit = NULL, *exact = NULL;
	int nwant, nhit = 0, nexact = 0;
	size_t i;

	nwant = vs_place__split_path(want, buf, sizeof(buf), query);
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];
		const char *have[MAX_COMPONENTS];
		const char *dvs = NULL, *uuid;
		int nhave;

		if ((e->kind != K_NET && e->kind != K_DVPG) ||
		    e->name == NULL || vs_place__dc_of(ix, e) != dc)
			continue;
		if (strcmp(e->name, query) == 0) {
			exact = e;
			nexact++;
		}
		if (nwant <= 0)
			continue;
		if (e->kind == K_DVPG)
			dvs = dvs_name_of(ix, e, &uuid);
		nhave = vs_place__path_of(have, NULL, ix, e, dvs);
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
		int rc = resolve_same_name(&exact, ix, dc, query, err);

		if (rc != 0)
			return rc;
		if (exact != NULL)
			return fill_pg(out, ix, exact, query, err);
	}
	if (nhit == 0 && nexact == 0)
		return err_set(err, ERR_ENOTFOUND,
		               "port group '%s' (network '%s') not found "
		               "in datacenter '%s'", query,
		               owner != NULL ? owner : "?", dc->name);
	return err_set(err, ERR_EINVAL,
	               "port group '%s' (network '%s') matches several "
	               "networks: name it as DVS/PORTGROUP or "
	               "FOLDER/PORTGROUP", query,
	               owner != NULL ? owner : "?");
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

/* --- the details, for the port groups asked for only ---------------- */

static const char *const dvpg_detail_paths[] = {
	"config.key", "config.distributedVirtualSwitch",
	"config.backingType", "config.logicalSwitchUuid", NULL,
};
static const char *const opaque_detail_paths[] = { "summary", NULL };
static const char *const detail_optional[] = {
	"config.key", "config.distributedVirtualSwitch",
	"config.backingType", "config.logicalSwitchUuid", NULL,
};

/* Whether e (a network of dc) may answer one of the queries: its name is
 * a whole query or a query's last component. */
static bool
pg_candidate(const struct ent *e, const char *const *queries, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *q = queries[i], *last = strrchr(q, '/');

		if (strcmp(e->name, q) == 0 ||
		    (last != NULL && strcmp(e->name, last + 1) == 0))
			return true;
	}
	return false;
}

/* The distributed and opaque networks of dc that may answer a query, as
 * object specs (*nout of them, malloc'd into *out). */
static int
pg_candidates(struct vs_object_spec **out, size_t *nout,
              const struct index *ix, const struct ent *dc,
              const char *const *queries, size_t n, struct err *err)
{
	size_t i;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < ix->n; i++) {
		const struct ent *e = &ix->v[i];

		if ((e->kind != K_DVPG &&
		     strcmp(e->o->obj.type, "OpaqueNetwork") != 0) ||
		    e->name == NULL || !pg_candidate(e, queries, n) ||
		    vs_place__dc_of(ix, e) != dc)
			continue;
		if (*out == NULL) {
			*out = calloc(ix->n, sizeof(**out));
			if (*out == NULL)
				return err_set(err, ERR_ENOMEM,
				               "out of memory");
		}
		(*out)[(*nout)++].obj = e->o->obj;
	}
	return 0;
}

int
vs_place__pg_details(struct vs_objects **out, struct vs_client *c,
                     struct index *ix, const struct ent *dc,
                     const char *const *queries, size_t n,
                     struct err *err)
{
	static const struct vs_property_spec props[] = {
		{ .type = "DistributedVirtualPortgroup",
		  .paths = dvpg_detail_paths },
		{ .type = "OpaqueNetwork", .paths = opaque_detail_paths },
	};
	struct vs_object_spec *os = NULL;
	struct vs_pc_query q = { .optional = detail_optional };
	size_t nos = 0, i;
	int rc;

	*out = NULL;
	rc = pg_candidates(&os, &nos, ix, dc, queries, n, err);
	if (rc != 0 || nos == 0)
		return rc;
	q.spec.props = props;
	q.spec.nprops = 2;
	q.spec.objects = os;
	q.spec.nobjects = nos;
	rc = vs_pc_retrieve(out, c, &q, err);
	free(os);
	if (rc != 0)
		return rc;
	for (i = 0; i < (*out)->n; i++) {
		const struct vs_object *o = &(*out)->items[i];
		const struct ent *e = vs_place__ent(ix, &o->obj);

		if (e != NULL)
			ix->v[e - ix->v].detail = o;
	}
	return 0;
}
