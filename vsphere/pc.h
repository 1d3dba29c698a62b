/*
 * vsphere/pc.h: PropertyCollector reads, container views and inventory
 * path lookups (internal to vsphere/).
 */
#ifndef VS_PC_H
#define VS_PC_H

#include <stdbool.h>

#include "vsphere/client.h"
#include "vsphere/vim.h"

#define VS_PC_PAGE 100          /* default RetrieveOptions.maxObjects */

struct vs_pc_query {
	struct vs_filter_spec spec;
	int max_objects;                /* page size; 0: VS_PC_PAGE */
	/* Property paths (NULL-terminated, may be NULL) whose missingSet
	 * entries mean "absent" instead of failing the read. */
	const char *const *optional;
	/* May be NULL.  Asked for each object before it is read, with
	 * what vs_object_peek finds (its type and name, each may be
	 * NULL): false drops it unread, so a read of thousands of objects
	 * of which the caller wants a few builds and holds those few (an
	 * object it drops is not checked either). */
	bool (*keep)(const char *type, const char *name, const void *ud);
	const void *keep_ud;
};

/* RetrievePropertiesEx, then ContinueRetrievePropertiesEx while a token
 * comes back.  No reply (no returnval) is an empty list.  A missingSet
 * entry not covered by q->optional fails with ERR_EFAULT and err->fault
 * set to its fault type (NotAuthenticated is first handled by the
 * client's re-login).  *out is always a list, possibly empty. */
int vs_pc_retrieve(struct vs_objects **out, struct vs_client *c,
                   const struct vs_pc_query *q, struct err *err);

/* One object's properties (paths NULL-terminated).  A missing object
 * (ManagedObjectNotFound, or nothing returned) gives ERR_ENOTFOUND. */
int vs_get_props(struct vs_object **out, struct vs_client *c,
                 const struct vs_moref *obj, const char *const *paths,
                 struct err *err);

/* ViewManager.CreateContainerView; types NULL-terminated (NULL or empty:
 * every ManagedEntity). */
int vs_view_create(struct vs_moref *view_out, struct vs_client *c,
                   const struct vs_moref *container,
                   const char *const *types, bool recursive,
                   struct err *err);
int vs_view_destroy(struct vs_client *c, const struct vs_moref *view,
                    struct err *err);

/* Every object of `type` under container (recursively) with the given
 * paths, through a container view that is destroyed on every path (3
 * round trips).  VMs under a Folder or a Datacenter (its vm folder) come
 * in one read walking the folders and the vApps in them instead (a vApp
 * nested in a vApp is not walked). */
int vs_pc_list(struct vs_objects **out, struct vs_client *c,
               const struct vs_moref *container, const char *type,
               const char *const *paths, struct err *err);

/* The VMs of datacenter dc (vm_paths) as vs_pc_list() reads them from a
 * Datacenter, and in the same read every folder below its vm folder
 * (name, parent) and dc itself (vmFolder): one read, no container
 * view. */
int vs_pc_list_vm_tree(struct vs_objects **out, struct vs_client *c,
                       const struct vs_moref *dc,
                       const char *const *vm_paths, struct err *err);

/* SearchIndex.FindByInventoryPath, e.g. "DC0/vm/BOSH_VMs/vm-1234".  An
 * empty answer gives ERR_ENOTFOUND. */
int vs_find_by_inventory_path(struct vs_moref *out, struct vs_client *c,
                              const char *path, struct err *err);

#endif
