/*
 * cpi/storage_list.h: the datastore clusters of a VM or disk type's
 * datastores list, in the Ruby CPI's shape (storage_list.rb):
 * "datastores": ["ds1", {"clusters": [{"<pod>": {}}, ...]}], the plain
 * names and the cluster entries side by side.
 */
#ifndef CPI_STORAGE_LIST_H
#define CPI_STORAGE_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/err.h"

/* Whether entry of a datastores list is a {"clusters": ...} entry. */
bool cpi_storage_is_clusters(const json_t *entry);
/* The datastore cluster names of entry (every key of each object of its
 * "clusters" array, borrowed from entry) appended to pods (*npods of
 * them so far, room for max).  Each key's value is {} (or null): a
 * cluster takes no settings.  Anything else is a CloudError naming
 * where (e.g. "create_vm: cloud_properties.datastores[1]").  The Ruby
 * CPI takes only the first key of each object and ignores the values;
 * its own documented example puts two clusters in one object, so both
 * are taken here, and a value that would be ignored is refused. */
int cpi_storage_clusters(const char **pods, size_t *npods, size_t max,
                         const json_t *entry, const char *where,
                         struct err *err);

#endif
