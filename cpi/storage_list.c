/*
 * cpi/storage_list.c: datastore clusters of a datastores list
 * (storage_list.h).
 */
#include "cpi/storage_list.h"

#include "cpi/error.h"

bool
cpi_storage_is_clusters(const json_t *entry)
{
	return json_is_object(entry) &&
	       json_object_get(entry, "clusters") != NULL;
}

/* One name of a clusters entry: non-empty, its value {} (or null). */
static int
add_cluster(const char **pods, size_t *npods, size_t max, const char *name,
            const json_t *value, const char *where, size_t i,
            struct err *err)
{
	if (name[0] == '\0')
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s.clusters[%zu]: the datastore cluster "
		                   "name is empty", where, i);
	if (!json_is_null(value) &&
	    !(json_is_object(value) && json_object_size(value) == 0))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s.clusters[%zu].%s must be {} (a datastore "
		                   "cluster takes no settings)", where, i, name);
	if (*npods >= max)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s.clusters: at most %zu datastore "
		                   "clusters are supported", where, max);
	pods[(*npods)++] = name;
	return 0;
}

int
cpi_storage_clusters(const char **pods, size_t *npods, size_t max,
                     const json_t *entry, const char *where,
                     struct err *err)
{
	const json_t *list = json_object_get(entry, "clusters"), *c, *v;
	const char *name;
	size_t i;
	int rc;

	if (!json_is_array(list))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "%s.clusters must be an array of "
		                   "{\"<datastore cluster>\": {}}", where);
	json_array_foreach(list, i, c) {
		if (!json_is_object(c) || json_object_size(c) == 0)
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "%s.clusters[%zu] must be "
			                   "{\"<datastore cluster>\": {}}",
			                   where, i);
		json_object_foreach((json_t *)c, name, v) {
			rc = add_cluster(pods, npods, max, name, v, where, i,
			                 err);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}
