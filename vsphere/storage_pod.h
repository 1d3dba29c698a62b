/*
 * vsphere/storage_pod.h: datastore clusters (StoragePods) as the Ruby CPI
 * uses them (storage_picker.rb, storage_list.rb, resources/storage_pod.rb):
 * a datastore cluster stands for its member datastores when Storage DRS
 * is enabled on it (podStorageDrsEntry.storageDrsConfig.podConfig.enabled)
 * and is left out otherwise; the members then compete with the
 * datastores named or matched beside them in the usual datastore choice.
 *
 * Xml-free: the pods come from a property collector read the caller
 * makes anyway (placement's inventory read, create_disk's datastore
 * read), to which it adds vs_pod_paths for type StoragePod; Folder
 * objects (name, parent) give a pod's path below the datacenter's
 * datastore folder ("POD" or "folder/POD"), which names and patterns are
 * matched against.
 */
#ifndef VS_STORAGE_POD_H
#define VS_STORAGE_POD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "vsphere/moref.h"

struct vs_objects;

/* What to read of each StoragePod (with name and parent read for type
 * Folder, which a StoragePod is). */
extern const char *const vs_pod_paths[];

/* The datastore clusters asked for: by name or path (a VM or disk type's
 * datastores: [{clusters: [{<name>: {}}]}]), else by a pattern matched
 * against their paths (datastore_cluster_pattern); none when both are
 * empty. */
struct vs_pod_want {
	const char *const *names;
	size_t nnames;
	const char *pattern;            /* used when nnames == 0; may be NULL */
};

/* Whether w asks for any datastore cluster (w may be NULL). */
bool vs_pod_want_any(const struct vs_pod_want *w);

struct vs_pod_set {
	struct vs_moref *ds;            /* member datastores of the wanted
	                                   pods with Storage DRS enabled */
	size_t n;
	size_t cap;                     /* room in ds */
	size_t npods;                   /* wanted pods found */
	size_t noff;                    /* of them with Storage DRS off */
};

/* The wanted pods of datacenter dc in objs into *out.  A name that is
 * no pod of dc is ERR_ENOTFOUND (as the Ruby CPI); a bad pattern is
 * ERR_EINVAL.  Clear *out with vs_pod_set_clear() in any case. */
int vs_pod_set_build(struct vs_pod_set *out, const struct vs_objects *objs,
                     const struct vs_moref *dc, const struct vs_pod_want *w,
                     struct err *err);
bool vs_pod_set_has(const struct vs_pod_set *s, const struct vs_moref *ds);
void vs_pod_set_clear(struct vs_pod_set *s);

#endif
