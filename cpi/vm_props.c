/*
 * cpi/vm_props.c: the VM cloud properties of create_vm (cpu, ram, disk,
 * placement, vmx_options, the VM options, tags) read and checked before any
 * vCenter call, and what they make of the clone (cpi/vm_props.h).
 */
#include "cpi/vm_props.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpi/log.h"
#include "cpi/methods.h"
#include "cpi/storage_list.h"
#include "vsphere/placement.h"
#include "vsphere/vm.h"

#define MAX_CPU 768
#define MAX_RAM_MB (24LL * 1024 * 1024)
#define MAX_DISK_MB (62LL * 1024 * 1024)
#define MAX_LIST 64

void
cpi_vm_props_clear(struct vm_props *p)
{
	free(p->clusters);
	free(p->drs_rule);
	free(p->host_groups);
	free(p->datastores);
	free(p->pods);
	cpi_options_free(p->vmx, p->nvmx);
	free(p->extra);
	cpi_tags_clear(&p->tags);
	memset(p, 0, sizeof(*p));
}

/* The VM's extraConfig: the config's vmx_options, each key given again
 * in cloud_properties.vmx_options taking that value, then the others of
 * cloud_properties. */
static int
merge_vmx(struct vm_props *p, const struct cpi_vcenter *vc,
          struct err *err)
{
	size_t i, k;

	if (vc->nvmx_options + p->nvmx == 0)
		return 0;
	p->extra = calloc(vc->nvmx_options + p->nvmx, sizeof(*p->extra));
	if (p->extra == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	for (i = 0; i < vc->nvmx_options; i++) {
		p->extra[i].key = vc->vmx_options[i].key;
		p->extra[i].value = vc->vmx_options[i].value;
	}
	p->nextra = vc->nvmx_options;
	for (i = 0; i < p->nvmx; i++) {
		for (k = 0; k < vc->nvmx_options; k++) {
			if (strcmp(p->extra[k].key, p->vmx[i].key) == 0)
				break;
		}
		if (k == vc->nvmx_options)
			k = p->nextra++;
		p->extra[k].key = p->vmx[i].key;
		p->extra[k].value = p->vmx[i].value;
	}
	return 0;
}

/* VM cloud properties the Ruby CPI acts on and this CPI does not yet:
 * refused when set, never read and ignored. */
static const struct {
	const char *key;
	const char *what;
} unsupported_props[] = {
	{ "vgpus", "vGPUs" },
	{ "pci_passthroughs", "PCI passthrough" },
	{ "device_groups", "device groups" },
	{ "nsx", "NSX-V" },
	{ "nsxt", "NSX-T" },
};

static int
refuse_unsupported(const json_t *cp, struct err *err)
{
	size_t i;

	for (i = 0; i < sizeof(unsupported_props) /
	     sizeof(unsupported_props[0]); i++) {
		if (cpi_json_is_set(json_object_get(cp, unsupported_props[i].key)))
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties.%s: "
			                   "not supported by this CPI (%s); "
			                   "remove it",
			                   unsupported_props[i].key,
			                   unsupported_props[i].what);
	}
	return 0;
}

/* An optional boolean: *out 0 when absent (or null), 1 false, 2 true. */
static int
opt_bool(int *out, const json_t *cp, const char *key, struct err *err)
{
	const json_t *v = json_object_get(cp, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.%s must be "
		                   "true or false", key);
	*out = json_is_true(v) ? 2 : 1;
	return 0;
}

static int
positive(long long *out, const json_t *cp, const char *key, long long max,
         struct err *err)
{
	const json_t *v = json_object_get(cp, key);

	if (v == NULL || json_is_null(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.%s is "
		                   "required", key);
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > max)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.%s must be "
		                   "an integer from 1 to %lld", key, max);
	*out = json_integer_value(v);
	return 0;
}

/* A cluster entry's drs_rules, as the Ruby CPI validates them before
 * anything is made (vm_config.rb validate_drs_rules): at most one rule,
 * of type separate_vms, with a name.  *out: the name, or NULL. */
static int
drs_rules(const char **out, const json_t *props, size_t i,
          struct err *err)
{
	const json_t *rules = json_object_get(props, "drs_rules");
	const json_t *rule;
	const char *type, *name;

	*out = NULL;
	if (rules == NULL || json_is_null(rules) ||
	    (json_is_array(rules) && json_array_size(rules) == 0))
		return 0;
	if (!json_is_array(rules))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].drs_rules must be an "
		                   "array", i);
	if (json_array_size(rules) > 1)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].drs_rules: only one DRS "
		                   "rule per cluster is supported", i);
	rule = json_array_get(rules, 0);
	type = cpi_json_text(json_object_get(rule, "type"));
	if (type == NULL || strcmp(type, "separate_vms") != 0)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].drs_rules[0].type: only "
		                   "separate_vms is supported", i);
	name = cpi_json_text(json_object_get(rule, "name"));
	if (name == NULL || name[0] == '\0' || strlen(name) > 80)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].drs_rules[0].name must "
		                   "be a string of 1 to 80 characters", i);
	*out = name;
	return 0;
}

/* A cluster entry's host_group, as the Ruby CPI reads it
 * (cluster_config.rb): a group name (rule MUST) or {name, drs_rule}
 * (drs_rule MUST or SHOULD, SHOULD when absent).  null or "": none. */
static int
host_group(struct vm_host_group *out, const json_t *props, size_t i,
           struct err *err)
{
	const json_t *hg = json_object_get(props, "host_group");
	const json_t *rule;
	const char *r;

	if (hg == NULL || json_is_null(hg) ||
	    (json_is_string(hg) && json_string_length(hg) == 0))
		return 0;
	out->must = json_is_string(hg);
	out->name = cpi_json_text(json_is_object(hg) ?
	                          json_object_get(hg, "name") : hg);
	if (out->name == NULL || out->name[0] == '\0' ||
	    strlen(out->name) > 80)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].host_group must be a "
		                   "host group name or {name, drs_rule} (name: "
		                   "1 to 80 characters)", i);
	rule = json_object_get(hg, "drs_rule");
	if (rule == NULL || json_is_null(rule))
		return 0;
	r = cpi_json_text(rule);
	if (r == NULL || (strcmp(r, "MUST") != 0 && strcmp(r, "SHOULD") != 0))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu].host_group.drs_rule "
		                   "must be MUST or SHOULD", i);
	out->must = strcmp(r, "MUST") == 0;
	return 0;
}

/* One {"NAME": {resource_pool?, drs_rules?, host_group?}} entry of
 * datacenters[0].clusters[i]. */
static int
cluster_entry(struct vm_props *p, const json_t *entry, size_t i,
              struct err *err)
{
	const char *key;
	const json_t *props, *rp;

	if (json_is_object(entry) && json_object_size(entry) > MAX_LIST)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu] names %zu clusters, at "
		                   "most %d are supported", i,
		                   json_object_size(entry), MAX_LIST);
	if (!json_is_object(entry) || json_object_size(entry) == 0)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters[%zu] must be {\"NAME\": "
		                   "{…}}", i);
	json_object_foreach((json_t *)entry, key, props) {
		struct vs_placement_cluster *cl = &p->clusters[p->nclusters++];

		cl->name = key;
		if (key[0] == '\0' || (!json_is_object(props) &&
		                       !json_is_null(props)))
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties."
			                   "datacenters[0].clusters[%zu]: "
			                   "bad cluster", i);
		if (host_group(&p->host_groups[p->nclusters - 1], props, i,
		               err) < 0)
			return ERR_FAIL;
		if (drs_rules(&p->drs_rule[p->nclusters - 1], props, i,
		              err) < 0)
			return ERR_FAIL;
		rp = json_object_get(props, "resource_pool");
		if (rp == NULL || json_is_null(rp))
			continue;
		cl->resource_pool = cpi_json_text(rp);
		if (cl->resource_pool == NULL || cl->resource_pool[0] == '\0')
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties."
			                   "datacenters[0].clusters[%zu]."
			                   "resource_pool must be a string",
			                   i);
	}
	return 0;
}

/* datacenters: [{name, clusters: [{NAME: {resource_pool?}}, …]}] */
static int
parse_datacenters(struct vm_props *p, const json_t *dcs, const char *dc_name,
                  struct err *err)
{
	const json_t *dc, *clusters, *entry;
	const char *name;
	size_t i;
	int rc;

	if (!json_is_array(dcs) || json_array_size(dcs) != 1)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters "
		                   "must list exactly one datacenter");
	dc = json_array_get(dcs, 0);
	name = cpi_json_text(json_object_get(dc, "name"));
	if (name == NULL || strcmp(name, dc_name) != 0)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].name must be the configured "
		                   "datacenter '%s'", dc_name);
	clusters = json_object_get(dc, "clusters");
	if (clusters == NULL || json_is_null(clusters))
		return 0;
	if (json_is_array(clusters) && json_array_size(clusters) > MAX_LIST)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters has %zu entries, at most %d "
		                   "are supported", json_array_size(clusters),
		                   MAX_LIST);
	if (!json_is_array(clusters) || json_array_size(clusters) == 0)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datacenters"
		                   "[0].clusters must be a non-empty array");
	p->clusters = calloc(json_array_size(clusters) * MAX_LIST + 1,
	                     sizeof(*p->clusters));
	p->drs_rule = calloc(json_array_size(clusters) * MAX_LIST + 1,
	                     sizeof(*p->drs_rule));
	p->host_groups = calloc(json_array_size(clusters) * MAX_LIST + 1,
	                        sizeof(*p->host_groups));
	if (p->clusters == NULL || p->drs_rule == NULL ||
	    p->host_groups == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	json_array_foreach(clusters, i, entry) {
		rc = cluster_entry(p, entry, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* cpu, ram and disk (required), the optional booleans. */
static int
parse_sizes(struct vm_props *p, const json_t *cp, struct err *err)
{
	int rc;

	rc = positive(&p->cpu, cp, "cpu", MAX_CPU, err);
	if (rc == 0)
		rc = refuse_unsupported(cp, err);
	if (rc == 0)
		rc = positive(&p->ram, cp, "ram", MAX_RAM_MB, err);
	if (rc == 0)
		rc = positive(&p->disk, cp, "disk", MAX_DISK_MB, err);
	if (rc == 0)
		rc = opt_bool(&p->upgrade_hw_version, cp, "upgrade_hw_version",
		              err);
	if (rc == 0)
		rc = opt_bool(&p->nested_hv, cp,
		              "nested_hardware_virtualization", err);
	if (rc == 0)
		rc = opt_bool(&p->cpu_hot_add, cp, "cpu_hot_add_enabled", err);
	if (rc == 0)
		rc = opt_bool(&p->memory_hot_add, cp, "memory_hot_add_enabled",
		              err);
	if (rc == 0)
		rc = opt_bool(&p->cpu_reserve_full_mhz, cp,
		              "cpu_reserve_full_mhz", err);
	if (rc == 0)
		rc = opt_bool(&p->memory_reservation_locked, cp,
		              "memory_reservation_locked_to_max", err);
	if (rc == 0)
		rc = opt_bool(&p->disable_drs, cp, "disable_drs", err);
	return rc;
}

/* vm_group and root_disk_size_gb. */
static int
parse_group_root(struct vm_props *p, const json_t *cp, struct err *err)
{
	const json_t *v;

	v = json_object_get(cp, "vm_group");
	if (v != NULL && !json_is_null(v)) {
		p->vm_group = cpi_json_text(v);
		if (p->vm_group == NULL || p->vm_group[0] == '\0' ||
		    strlen(p->vm_group) > 80)
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties.vm_group "
			                   "must be a string of 1 to 80 "
			                   "characters");
	}
	v = json_object_get(cp, "root_disk_size_gb");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > MAX_DISK_MB / 1024)
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties."
			                   "root_disk_size_gb must be an "
			                   "integer from 0 to %lld",
			                   MAX_DISK_MB / 1024);
		p->root_disk_gb = json_integer_value(v);
	}
	return 0;
}

/* storage_policy {name} (vm_type.rb's storage_policy_name), then the
 * policy in effect as the Ruby CPI's storage_picker.rb ranks them: the
 * VM type's policy, else its datastores (no policy), else the config's
 * vm_storage_policy_name.  Needs p->ndatastores. */
static int
parse_storage_policy(struct vm_props *p, const json_t *cp,
                     const struct cpi_vcenter *vc, struct err *err)
{
	const json_t *v = json_object_get(cp, "storage_policy");
	const json_t *name = json_object_get(v, "name");

	if (v != NULL && !json_is_null(v) && !json_is_object(v))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.storage_policy "
		                   "must be an object with a name");
	if (name != NULL && !json_is_null(name)) {
		p->storage_policy = cpi_json_text(name);
		if (p->storage_policy == NULL || p->storage_policy[0] == '\0')
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties."
			                   "storage_policy.name must be a "
			                   "non-empty string");
	}
	p->policy = p->storage_policy;
	if (p->policy == NULL && p->ndatastores == 0 && p->npods == 0)
		p->policy = vc->vm_storage_policy_name;
	return 0;
}

/* datastores: a non-empty array of names and {"clusters": [...]}
 * entries (datastore clusters, cpi/storage_list.h). */
static int
parse_datastores(struct vm_props *p, const json_t *v, struct err *err)
{
	char where[64];
	const json_t *ds;
	size_t i;
	int rc;

	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datastores "
		                   "has %zu entries, at most %d are supported",
		                   json_array_size(v), MAX_LIST);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties.datastores "
		                   "must be a non-empty array of names");
	p->datastores = calloc(json_array_size(v), sizeof(*p->datastores));
	p->pods = calloc(MAX_LIST, sizeof(*p->pods));
	if (p->datastores == NULL || p->pods == NULL)
		return cpi_err_set(err, CPI_ERROR_CPI, false,
		                   "out of memory");
	json_array_foreach(v, i, ds) {
		const char *s = cpi_json_text(ds);

		if (cpi_storage_is_clusters(ds)) {
			snprintf(where, sizeof(where), "create_vm: "
			         "cloud_properties.datastores[%zu]", i);
			rc = cpi_storage_clusters(p->pods, &p->npods, MAX_LIST,
			                          ds, where, err);
			if (rc < 0)
				return rc;
			continue;
		}
		if (s == NULL || s[0] == '\0')
			return cpi_err_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: cloud_properties."
			                   "datastores[%zu] must be a "
			                   "datastore name", i);
		p->datastores[p->ndatastores++] = s;
	}
	return 0;
}

int
cpi_vm_props_parse(struct vm_props *p, const json_t *cp,
                   const struct cpi_vcenter *vc, struct err *err)
{
	const json_t *v;
	int rc;

	memset(p, 0, sizeof(*p));
	if (cp == NULL || !json_is_object(cp))
		return cpi_err_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: cloud_properties with cpu, "
		                   "ram and disk is required");
	rc = parse_sizes(p, cp, err);
	if (rc == 0)
		rc = parse_group_root(p, cp, err);
	if (rc == 0)
		rc = cpi_tags_parse(&p->tags, json_object_get(cp, "tags"), err);
	if (rc < 0)
		return rc;
	v = json_object_get(cp, "datacenters");
	if (v != NULL && !json_is_null(v)) {
		rc = parse_datacenters(p, v, vc->datacenter.name, err);
		if (rc < 0)
			return rc;
	}
	v = json_object_get(cp, "vmx_options");
	if (v != NULL && !json_is_null(v)) {
		rc = cpi_options_parse(&p->vmx, &p->nvmx, v, "create_vm: "
		                       "cloud_properties.vmx_options",
		                       CPI_ERROR_CLOUD, err);
		if (rc < 0)
			return rc;
	}
	v = json_object_get(cp, "datastores");
	if (v != NULL && !json_is_null(v)) {
		rc = parse_datastores(p, v, err);
		if (rc < 0)
			return rc;
	}
	rc = parse_storage_policy(p, cp, vc, err);
	if (rc < 0)
		return rc;
	return merge_vmx(p, vc, err);
}

/* The virtual hardware, as the Ruby CPI decides it: the VM's
 * upgrade_hw_version, else the config's; true upgrades to the host's
 * newest version, false to vmx-<default_hw_version> (the newest too when
 * that is not configured).  Every new VM is upgraded either way. */
void
cpi_vm_props_hw_plan(struct vs_create_opts *co, char *buf, size_t size,
                     const struct vm_props *p,
                     const struct cpi_vcenter *vc)
{
	bool newest = p->upgrade_hw_version != 0 ?
	              p->upgrade_hw_version == 2 : vc->upgrade_hw_version;

	co->upgrade_hw = true;
	co->hw_version = NULL;
	if (!newest && vc->default_hw_version > 0) {
		snprintf(buf, size, "vmx-%d", vc->default_hw_version);
		co->hw_version = buf;
	}
}

/* The VM options of cloud_properties, the config's cpu_reserve_full_mhz
 * and memory_reservation_locked_to_max being the defaults under them (as
 * the Ruby CPI merges them).  Only true values are sent: false leaves
 * what the stemcell has, as Ruby does.  The CPU reservation is cpu times
 * the speed of the placement cluster's fastest usable host. */
void
cpi_vm_props_options(struct vs_create_opts *co, const struct vm_props *p,
                     const struct cpi_vcenter *vc,
                     const struct vs_placement *pl,
                     const struct cpi_call *call)
{
	bool reserve = p->cpu_reserve_full_mhz != 0 ?
	               p->cpu_reserve_full_mhz == 2 : vc->cpu_reserve_full_mhz;

	co->nested_hv = p->nested_hv == 2;
	co->cpu_hot_add = p->cpu_hot_add == 2;
	co->memory_hot_add = p->memory_hot_add == 2;
	co->memory_reservation_locked = p->memory_reservation_locked != 0 ?
	                                p->memory_reservation_locked == 2 :
	                                vc->memory_reservation_locked_to_max;
	if (!reserve)
		return;
	co->has_cpu_reservation = true;
	co->cpu_reservation_mhz = pl->max_host_mhz * p->cpu;
	if (pl->max_host_mhz == 0)
		cpi_log_warn(call->log, "create_vm: cpu_reserve_full_mhz: no "
		             "connected host of cluster %s reports its CPU "
		             "speed; reserving 0 MHz", pl->cluster);
	else
		cpi_log_info(call->log, "create_vm: reserving %lld MHz (%lld "
		             "x %lld MHz)", co->cpu_reservation_mhz, p->cpu,
		             pl->max_host_mhz);
}

/* disk.enableUUID in the VM's vmx_options (the config's with the cloud
 * properties' over them), as the Ruby CPI tests it: 1, "1" or "TRUE". */
bool
cpi_vm_props_disk_uuid(const struct vm_props *p)
{
	size_t i;

	for (i = 0; i < p->nextra; i++) {
		if (strcmp(p->extra[i].key, "disk.enableUUID") == 0)
			return strcmp(p->extra[i].value, "1") == 0 ||
			       strcmp(p->extra[i].value, "TRUE") == 0;
	}
	return false;
}
