/*
 * cpi/config_datacenter.c: vcenters[0].datacenters[0] and its clusters.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/config_read.h"
#include "vsphere/pattern.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DC_KEY(k, kind, def, def_bool) \
	{ #k, kind, offsetof(struct cpi_datacenter, k), def, def_bool }

/* In the order they are read; the four patterns are consecutive. */
static const struct cpi_cfg_key datacenter_keys[] = {
	DC_KEY(name, CPI_CFG_STR_REQUIRED, NULL, false),
	DC_KEY(vm_folder, CPI_CFG_STR, "BOSH_VMs", false),
	DC_KEY(template_folder, CPI_CFG_STR, "BOSH_Templates", false),
	DC_KEY(disk_path, CPI_CFG_STR, "BOSH_Disks", false),
	DC_KEY(datastore_pattern, CPI_CFG_STR, NULL, false),
	DC_KEY(datastore_cluster_pattern, CPI_CFG_STR, NULL, false),
	DC_KEY(persistent_datastore_pattern, CPI_CFG_STR, NULL, false),
	DC_KEY(persistent_datastore_cluster_pattern, CPI_CFG_STR, NULL,
	       false),
	DC_KEY(allow_mixed_datastores, CPI_CFG_BOOL, NULL, true),
	DC_KEY(use_sub_folder, CPI_CFG_BOOL, NULL, false),
};
#define DC_PATTERNS (datacenter_keys + 4)
#define DC_NPATTERNS 4

static const struct cpi_cfg_unsupported cluster_unsupported[] = {
	{ "drs_rules", "DRS rules" },
};

/* A cluster's host_group, as the Ruby CPI reads it (cluster_config.rb):
 * a group name (rule MUST) or an object {name, drs_rule} (drs_rule
 * SHOULD when absent).  sub is the cluster's path. */
static int
parse_host_group(struct cpi_cluster *cl, const json_t *props,
                 const char *sub, const char *path, const char *name,
                 struct err *err)
{
	char hsub[CPI_CFG_PATH_MAX];
	const json_t *hg = cpi_cfg__get(props, "host_group");
	int rc;

	if (hg == NULL)
		return 0;
	if (json_is_string(hg)) {
		if (json_string_length(hg) == 0)
			return 0;
		rc = cpi_cfg__dup(&cl->host_group, json_string_value(hg),
		                  err);
		if (rc != 0)
			return rc;
		return cpi_cfg__dup(&cl->host_group_drs_rule, "MUST", err);
	}
	if (!json_is_object(hg))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.host_group: must be a string or an "
		                   "object, got %s", sub,
		                   cpi_cfg__type_of(hg));
	snprintf(hsub, sizeof(hsub), "%.160s.%.64s.host_group", path, name);
	rc = cpi_cfg__str(&cl->host_group, hg, hsub, "name", true, NULL,
	                  err);
	if (rc == 0)
		rc = cpi_cfg__str(&cl->host_group_drs_rule, hg, hsub,
		                  "drs_rule", false, "SHOULD", err);
	if (rc != 0)
		return rc;
	if (strcmp(cl->host_group_drs_rule, "MUST") != 0 &&
	    strcmp(cl->host_group_drs_rule, "SHOULD") != 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.drs_rule: must be MUST or SHOULD",
		                   hsub);
	return 0;
}

static int
parse_cluster_entry(struct cpi_cluster *cl, const json_t *v,
                    const char *path, struct err *err)
{
	char sub[CPI_CFG_PATH_MAX];
	const json_t *props;
	const char *name;
	int rc;

	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return cpi_err_set(err, CPI_ERROR_CPI, false,
			                   "%s: cluster name must not be "
			                   "empty", path);
		return cpi_cfg__dup(&cl->name, json_string_value(v), err);
	}
	if (!json_is_object(v) || json_object_size(v) != 1)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be a cluster name or an object "
		                   "with exactly one key (the cluster name)",
		                   path);
	name = json_object_iter_key(json_object_iter((json_t *)v));
	props = json_object_iter_value(json_object_iter((json_t *)v));
	if (name[0] == '\0')
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: cluster name must not be empty",
		                   path);
	rc = cpi_cfg__dup(&cl->name, name, err);
	if (rc != 0)
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.%.64s", path, name);
	if (json_is_null(props))
		return 0;
	if (!json_is_object(props))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", sub,
		                   cpi_cfg__type_of(props));
	rc = cpi_cfg__str(&cl->resource_pool, props, sub, "resource_pool",
	                  false, NULL, err);
	if (rc != 0)
		return rc;
	return parse_host_group(cl, props, sub, path, name, err);
}

/* A cluster entry, checked, then refused when it asks for what this CPI
 * does not do. */
static int
parse_cluster(struct cpi_cluster *cl, const json_t *v, const char *path,
              struct err *err)
{
	char sub[CPI_CFG_PATH_MAX];
	int rc = parse_cluster_entry(cl, v, path, err);

	if (rc != 0 || !json_is_object(v))
		return rc;
	snprintf(sub, sizeof(sub), "%.160s.%.64s", path, cl->name);
	return cpi_cfg__refuse_set(json_object_iter_value(json_object_iter(
	                           (json_t *)v)), sub, cluster_unsupported,
	                           N(cluster_unsupported), err);
}

/* A datastore pattern is a Ruby regular expression (vsphere/pattern.h):
 * one that does not compile is refused here, naming its key, rather than
 * at the first call that needs it. */
static int
check_pattern(const char *pattern, const char *path, const char *key,
              struct err *err)
{
	struct err verr = {0};
	char full[CPI_CFG_PATH_MAX];

	if (pattern == NULL)
		return 0;
	snprintf(full, sizeof(full), "%s.%s", path, key);
	if (vs_pattern_check(pattern, full, &verr) == 0)
		return 0;
	return cpi_err_set(err, CPI_ERROR_CPI, false, "%s", verr.message);
}

/* Every pattern compiles; one of each pair is set. */
static int
check_patterns(struct cpi_datacenter *dc, const char *path,
               struct err *err)
{
	const struct cpi_cfg_key *k;
	size_t i;
	int rc;

	for (i = 0; i < DC_NPATTERNS; i++) {
		k = &DC_PATTERNS[i];
		rc = check_pattern(*(char **)((char *)dc + k->offset), path,
		                   k->key, err);
		if (rc != 0)
			return rc;
	}
	if (dc->datastore_pattern == NULL &&
	    dc->datastore_cluster_pattern == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.datastore_pattern: required string "
		                   "(or datastore_cluster_pattern)", path);
	if (dc->persistent_datastore_pattern == NULL &&
	    dc->persistent_datastore_cluster_pattern == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.persistent_datastore_pattern: "
		                   "required string (or "
		                   "persistent_datastore_cluster_pattern)",
		                   path);
	return 0;
}

static int
parse_clusters(struct cpi_datacenter *dc, const json_t *obj,
               const char *path, struct err *err)
{
	char sub[CPI_CFG_PATH_MAX];
	const json_t *clusters = cpi_cfg__get(obj, "clusters");
	bool any_pool = false;
	size_t i;
	int rc;

	if (clusters == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: required array", path);
	if (!json_is_array(clusters))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: must be an array, got %s",
		                   path, cpi_cfg__type_of(clusters));
	if (json_array_size(clusters) == 0)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s.clusters: must not be empty", path);
	dc->clusters = calloc(json_array_size(clusters),
	                      sizeof(*dc->clusters));
	if (dc->clusters == NULL)
		return cpi_cfg__oom(err);
	dc->nclusters = json_array_size(clusters);
	for (i = 0; i < dc->nclusters; i++) {
		snprintf(sub, sizeof(sub), "%.160s.clusters[%zu]", path, i);
		rc = parse_cluster(&dc->clusters[i],
		                   json_array_get(clusters, i), sub, err);
		if (rc != 0)
			return rc;
		if (dc->clusters[i].resource_pool != NULL)
			any_pool = true;
	}
	if (any_pool)
		dc->use_sub_folder = true;
	return 0;
}

int
cpi_cfg__datacenter(struct cpi_datacenter *dc, const json_t *obj,
                    const char *path, struct err *err)
{
	int rc;

	if (!json_is_object(obj))
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "%s: must be an object, got %s", path,
		                   cpi_cfg__type_of(obj));
	rc = cpi_cfg__keys(dc, datacenter_keys, N(datacenter_keys), obj,
	                   path, err);
	if (rc == 0 && !dc->allow_mixed_datastores)
		rc = cpi_err_set(err, CPI_ERROR_CPI, false,
		                 "%s.allow_mixed_datastores: false is not "
		                 "supported by this CPI (keeping ephemeral "
		                 "and persistent disks on separate "
		                 "datastores); remove it", path);
	if (rc == 0)
		rc = check_patterns(dc, path, err);
	if (rc == 0)
		rc = parse_clusters(dc, obj, path, err);
	return rc;
}
