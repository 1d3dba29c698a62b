/*
 * vsphere/placement_int.h: what the files of the placement module share
 * (internal to placement.c, placement_index.c, placement_pg.c and
 * placement_inv.c).
 *
 *   placement_index.c  the inventory read and its index; lookups by name
 *                      and path
 *   placement.c        create_vm's placement: cluster and datastore
 *   placement_pg.c     port groups
 *   placement_inv.c    the inventory for preflight checks
 */
#ifndef VS_PLACEMENT_INT_H
#define VS_PLACEMENT_INT_H

#include "vsphere/placement.h"
#include "vsphere/vim.h"

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
	const struct vs_object *detail; /* a port group's details, read
	                                   apart (vs_place__pg_details);
	                                   NULL: they are in o */
	int kind;
	const char *name;       /* NULL when absent */
	bool has_parent;
	struct vs_moref parent;
};

struct index {
	struct ent *v;
	size_t n;
};

/* What vs_place__read reads beyond placement's own properties. */
enum {
	VS_PLACE_WIDE = 1,      /* cpi check: cluster hosts, DRS and groups,
	                           datastore mounts and capacity, host
	                           names, the vm folders */
	VS_PLACE_PODS = 2,      /* the datastore clusters' members and
	                           Storage DRS flag (vsphere/storage_pod.h) */
	VS_PLACE_GROUPS = 4,    /* the clusters' host groups */
};

/* The one property collector read of the inventory from the root
 * folder (what: VS_PLACE_* flags).  extra (may be NULL): one more object
 * with extra_paths in the same read, no traversal from it.  pgs (may be
 * NULL: every network): the port group names asked for (npgs); of the
 * networks, only those one of them can name are kept (vs_place__find_pg
 * matches a network's name to the whole name or its last '/' part). */
int vs_place__read(struct vs_objects **out, struct vs_client *c,
                   unsigned what, const struct vs_moref *extra,
                   const char *const *extra_paths,
                   const char *const *pgs, size_t npgs, struct err *err);
struct vs_drs_group;
struct vs_drs_groups;

/* The host group (ClusterHostGroup) name of cluster cl, from its
 * configurationEx (read with VS_PLACE_GROUPS or VS_PLACE_WIDE): *g
 * points into *groups (free it with vs_drs_groups_free), NULL when the
 * cluster has no host group of that name. */
int vs_place__host_group(struct vs_drs_groups **groups,
                         const struct vs_drs_group **g,
                         const struct ent *cl, const char *name,
                         struct err *err);

/* objs (borrowed: it must outlive ix) indexed by moref; free ix->v. */
int vs_place__index(struct index *ix, const struct vs_objects *objs,
                    struct err *err);
/* The entity of ref, or NULL. */
const struct ent *vs_place__ent(const struct index *ix,
                                const struct vs_moref *ref);
const struct ent *vs_place__parent(const struct index *ix,
                                   const struct ent *e);
/* The datacenter e belongs to, or NULL. */
const struct ent *vs_place__dc_of(const struct index *ix,
                                  const struct ent *e);

/*
 * Names of e and its ancestors below the datacenter's top folder (the
 * "vm", "host", "network" or "datastore" folder is left out), root first,
 * into comps; *top_out (may be NULL) receives that top folder.  For a
 * distributed port group the switch's name is put before its own.
 * Returns the count, or -1 when the chain is broken or too long.
 */
int vs_place__path_of(const char *comps[MAX_COMPONENTS],
                      const struct ent **top_out, const struct index *ix,
                      const struct ent *e, const char *dvs_name);
/* Splits s at '/' into comps (pointers into buf). */
int vs_place__split_path(const char *comps[MAX_COMPONENTS], char *buf,
                         size_t size, const char *s);
/* A copy of s ("" for NULL). */
int vs_place__dup(char **out, const char *s, struct err *err);

/* The datacenter whose inventory path is want or, failing that, the only
 * one named want. */
int vs_place__find_dc(const struct ent **out, char **path_out,
                      const struct index *ix, const char *want,
                      struct err *err);
/* Cluster name of datacenter dc, or NULL. */
const struct ent *vs_place__find_cluster(const struct index *ix,
                                         const struct ent *dc,
                                         const char *name);
/* The resource pool named name below the cluster's root pool. */
int vs_place__find_pool(struct vs_moref *out, const struct index *ix,
                        const struct ent *cluster, const char *name,
                        struct err *err);
/* Free MB of a usable datastore, or -1. */
long long vs_place__ds_free_mb(const struct ent *ds);
/* The deepest existing folder along rel (the datacenter's vm folder when
 * none exists). */
void vs_place__find_vm_folder(struct vs_placement *p, const struct index *ix,
                              const struct ent *dc, const char *rel);
/* Port group query (a name or a path; owner: the switch, when given) of
 * datacenter dc into out. */
int vs_place__find_pg(struct vs_port_group *out, const struct index *ix,
                      const struct ent *dc, const char *query,
                      const char *owner, struct err *err);

/* The details (distributed: config.key, switch, backing; opaque:
 * summary) of the networks of dc that may answer the queries (port group
 * names or paths), in one read of those objects only, attached to their
 * entries (ent.detail; *out owns them and must outlive ix).  No read
 * (and *out NULL) when none may. */
int vs_place__pg_details(struct vs_objects **out, struct vs_client *c,
                         struct index *ix, const struct ent *dc,
                         const char *const *queries, size_t n,
                         struct err *err);

#endif
