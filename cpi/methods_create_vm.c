/*
 * cpi/methods_create_vm.c: create_vm.
 *
 *   create_vm(agent_id, stemcell_cid, cloud_properties, networks,
 *             disk_cids, env)  ->  v2: [vm_cid, networks]   v1: vm_cid
 *
 * Order of work (nothing is created until the input is known good):
 *   1. cloud_properties (cpu, ram, disk: positive integers; optional
 *      datacenters[].clusters, datastores and vmx_options) and the
 *      networks (through network/) are checked without any vCenter call;
 *   2. one session: placement (vsphere/placement.h: one inventory read
 *      resolving the cluster, datastore, every port group and the VM
 *      folder), the stemcell replica on the datastore, the VM folder when
 *      missing;
 *   3. the clone with its NICs, read back for the MACs and disk units
 *      (vsphere/create.h);
 *   4. the agent settings (network/ builder) go to the VM both ways
 *      stemcells read them: env.iso on the CD-ROM and guestinfo.userdata
 *      (one reconfigure, which also sets the vmx_options of the config
 *      and of cloud_properties as extraConfig), the hardware upgrade
 *      (UpgradeVM_Task, as the Ruby CPI does for every VM), then power
 *      on.
 *
 * Errors.  Bad input (cloud_properties, networks, an unknown or
 * ambiguous datacenter, cluster, resource pool or port group, no cluster
 * or datastore with room, an unknown stemcell) answers CloudError with
 * ok_to_retry false: a retry cannot help.  Any other vCenter trouble
 * before the clone answers VMCreationFailed with ok_to_retry telling
 * whether the cause was transient (connection, timeout, 503).  Once the
 * clone exists, every failure first removes it (power off, destroy,
 * delete "[ds] <vm_cid>") and answers VMCreationFailed, ok_to_retry
 * again from the cause (a clone the read-back refuses, e.g. a NIC
 * missing, is not transient).  Opening the session keeps cpi/vcenter.h's
 * CloudError; a failed logout after a success is only logged.
 *
 * Crash safety.  The clone spec marks the VM (extraConfig bosh.creating,
 * vsphere/create.h) until it is powered on; then the mark goes (one more
 * reconfigure) and the VM folder is looked through for VMs a killed call
 * left marked longer than leftover_vm_grace_seconds
 * (cpi_sweep_leftovers(), which only logs its trouble).
 *
 * Round trips with the VM folder in place and the stemcell on the chosen
 * datastore: 21 including login and logout (RetrieveServiceContent,
 * Login, the placement read, 2 for the stemcell lookup, CloneVM_Task + 1,
 * the read-back, the env.iso PUT, ReconfigVM_Task + 1, UpgradeVM_Task +
 * 1, PowerOnVM_Task + 1, ReconfigVM_Task + 1 removing the mark, the
 * leftover look-up 3, Logout), plus the IP conflict check: one
 * FindAllByIp per static address and one read when a VM answered; one
 * CreateFolder more per missing folder component.  The
 * count is logged before the logout.
 *
 * The settings hold the env and the mbus/blobstore credentials: they are
 * never logged, and wiped from memory before they are freed.
 */
#include "cpi/methods.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpi/image.h"
#include "cpi/vcenter.h"
#include "network/net.h"
#include "vsphere/create.h"
#include "vsphere/drs.h"
#include "vsphere/ipconflict.h"
#include "vsphere/placement.h"
#include "vsphere/stemcell.h"
#include "vsphere/vm.h"

#define MAX_CPU 768
#define MAX_RAM_MB (24LL * 1024 * 1024)
#define MAX_DISK_MB (62LL * 1024 * 1024)
#define MAX_NETWORKS 10             /* vCenter's NIC limit per VM */
#define MAX_LIST 64

/* --- cloud_properties ------------------------------------------------ */

struct vm_props {
	long long cpu;
	long long ram;
	long long disk;
	struct vs_placement_cluster *clusters;  /* from datacenters[] */
	const char **drs_rule;                  /* per cluster: its
	                                         * drs_rules[0].name or NULL */
	size_t nclusters;
	const char **datastores;
	size_t ndatastores;
	struct cpi_option *vmx;                 /* vmx_options */
	size_t nvmx;
	/* optional booleans: 0 unset, 1 false, 2 true */
	int upgrade_hw_version;
	int nested_hv;                  /* nested_hardware_virtualization */
	int cpu_hot_add;                /* cpu_hot_add_enabled */
	int memory_hot_add;             /* memory_hot_add_enabled */
	int cpu_reserve_full_mhz;
	int memory_reservation_locked;  /* memory_reservation_locked_to_max */
	long long root_disk_gb;         /* root_disk_size_gb; 0: unchanged */
	int disable_drs;                /* 0 unset, 1 false, 2 true */
	const char *vm_group;           /* vm_group: a cluster VM group, or
	                                 * NULL */
	/* the config's vmx_options with these over them (borrowed) */
	struct vs_vm_option *extra;
	size_t nextra;
};

static void
vm_props_clear(struct vm_props *p)
{
	free(p->clusters);
	free(p->drs_rule);
	free(p->datastores);
	cpi_options_free(p->vmx, p->nvmx);
	free(p->extra);
	memset(p, 0, sizeof(*p));
}

/* The VM's extraConfig: the config's vmx_options, each key given again
 * in cloud_properties.vmx_options taking that value, then the others of
 * cloud_properties. */
static int
merge_vmx(struct vm_props *p, const struct cpi_vcenter *vc,
          struct cpi_error *err)
{
	size_t i, k;

	if (vc->nvmx_options + p->nvmx == 0)
		return 0;
	p->extra = calloc(vc->nvmx_options + p->nvmx, sizeof(*p->extra));
	if (p->extra == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
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

/* A JSON string without embedded NUL, or NULL for other values. */
static const char *
json_text(const json_t *v)
{
	const char *s;

	if (!json_is_string(v))
		return NULL;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return NULL;
	return s;
}

/* Whether v is set to something else than "nothing": null, false, 0,
 * "", [] and {} count as unset. */
static bool
is_set(const json_t *v)
{
	if (v == NULL || json_is_null(v) || json_is_false(v))
		return false;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	if (json_is_object(v))
		return json_object_size(v) > 0;
	return true;
}

/* VM cloud properties the Ruby CPI acts on and this CPI does not yet:
 * refused when set, never read and ignored. */
static const struct {
	const char *key;
	const char *what;
} unsupported_props[] = {
	{ "tags", "vSphere tags" },
	{ "storage_policy", "storage policies" },
	{ "vgpus", "vGPUs" },
	{ "pci_passthroughs", "PCI passthrough" },
	{ "device_groups", "device groups" },
	{ "nsx", "NSX-V" },
	{ "nsxt", "NSX-T" },
};

static int
refuse_unsupported(const json_t *cp, struct cpi_error *err)
{
	size_t i;

	for (i = 0; i < sizeof(unsupported_props) /
	     sizeof(unsupported_props[0]); i++) {
		if (is_set(json_object_get(cp, unsupported_props[i].key)))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
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
opt_bool(int *out, const json_t *cp, const char *key, struct cpi_error *err)
{
	const json_t *v = json_object_get(cp, key);

	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.%s must be "
		                     "true or false", key);
	*out = json_is_true(v) ? 2 : 1;
	return 0;
}

static int
positive(long long *out, const json_t *cp, const char *key, long long max,
         struct cpi_error *err)
{
	const json_t *v = json_object_get(cp, key);

	if (v == NULL || json_is_null(v))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.%s is "
		                     "required", key);
	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > max)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
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
          struct cpi_error *err)
{
	const json_t *rules = json_object_get(props, "drs_rules");
	const json_t *rule;
	const char *type, *name;

	*out = NULL;
	if (rules == NULL || json_is_null(rules) ||
	    (json_is_array(rules) && json_array_size(rules) == 0))
		return 0;
	if (!json_is_array(rules))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu].drs_rules must be an "
		                     "array", i);
	if (json_array_size(rules) > 1)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu].drs_rules: only one DRS "
		                     "rule per cluster is supported", i);
	rule = json_array_get(rules, 0);
	type = json_text(json_object_get(rule, "type"));
	if (type == NULL || strcmp(type, "separate_vms") != 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu].drs_rules[0].type: only "
		                     "separate_vms is supported", i);
	name = json_text(json_object_get(rule, "name"));
	if (name == NULL || name[0] == '\0' || strlen(name) > 80)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu].drs_rules[0].name must "
		                     "be a string of 1 to 80 characters", i);
	*out = name;
	return 0;
}

/* One {"NAME": {resource_pool?}} entry of datacenters[0].clusters[i]. */
static int
cluster_entry(struct vm_props *p, const json_t *entry, size_t i,
              struct cpi_error *err)
{
	const char *key;
	const json_t *props, *rp;

	if (json_is_object(entry) && json_object_size(entry) > MAX_LIST)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu] names %zu clusters, at "
		                     "most %d are supported", i,
		                     json_object_size(entry), MAX_LIST);
	if (!json_is_object(entry) || json_object_size(entry) == 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters[%zu] must be {\"NAME\": "
		                     "{…}}", i);
	json_object_foreach((json_t *)entry, key, props) {
		struct vs_placement_cluster *cl = &p->clusters[p->nclusters++];

		cl->name = key;
		if (key[0] == '\0' || (!json_is_object(props) &&
		                       !json_is_null(props)))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties."
			                     "datacenters[0].clusters[%zu]: "
			                     "bad cluster", i);
		if (is_set(json_object_get(props, "host_group")))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties."
			                     "datacenters[0].clusters[%zu]: "
			                     "host_group is not supported by this "
			                     "CPI (VM-host groups); remove it", i);
		if (drs_rules(&p->drs_rule[p->nclusters - 1], props, i,
		              err) < 0)
			return CPI_ERR;
		rp = json_object_get(props, "resource_pool");
		if (rp == NULL || json_is_null(rp))
			continue;
		cl->resource_pool = json_text(rp);
		if (cl->resource_pool == NULL || cl->resource_pool[0] == '\0')
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
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
                  struct cpi_error *err)
{
	const json_t *dc, *clusters, *entry;
	const char *name;
	size_t i;
	int rc;

	if (!json_is_array(dcs) || json_array_size(dcs) != 1)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters "
		                     "must list exactly one datacenter");
	dc = json_array_get(dcs, 0);
	name = json_text(json_object_get(dc, "name"));
	if (name == NULL || strcmp(name, dc_name) != 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].name must be the configured "
		                     "datacenter '%s'", dc_name);
	clusters = json_object_get(dc, "clusters");
	if (clusters == NULL || json_is_null(clusters))
		return 0;
	if (json_is_array(clusters) && json_array_size(clusters) > MAX_LIST)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters has %zu entries, at most %d "
		                     "are supported", json_array_size(clusters),
		                     MAX_LIST);
	if (!json_is_array(clusters) || json_array_size(clusters) == 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datacenters"
		                     "[0].clusters must be a non-empty array");
	p->clusters = calloc(json_array_size(clusters) * MAX_LIST + 1,
	                     sizeof(*p->clusters));
	p->drs_rule = calloc(json_array_size(clusters) * MAX_LIST + 1,
	                     sizeof(*p->drs_rule));
	if (p->clusters == NULL || p->drs_rule == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "out of memory");
	json_array_foreach(clusters, i, entry) {
		rc = cluster_entry(p, entry, i, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
parse_props(struct vm_props *p, const json_t *cp, const char *dc_name,
            struct cpi_error *err)
{
	const json_t *v, *ds;
	size_t i;
	int rc;

	memset(p, 0, sizeof(*p));
	if (cp == NULL || !json_is_object(cp))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties with cpu, "
		                     "ram and disk is required");
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
	v = json_object_get(cp, "vm_group");
	if (rc == 0 && v != NULL && !json_is_null(v)) {
		p->vm_group = json_text(v);
		if (p->vm_group == NULL || p->vm_group[0] == '\0' ||
		    strlen(p->vm_group) > 80)
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties.vm_group "
			                     "must be a string of 1 to 80 "
			                     "characters");
	}
	v = json_object_get(cp, "root_disk_size_gb");
	if (rc == 0 && v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > MAX_DISK_MB / 1024)
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties."
			                     "root_disk_size_gb must be an "
			                     "integer from 0 to %lld",
			                     MAX_DISK_MB / 1024);
		p->root_disk_gb = json_integer_value(v);
	}
	if (rc < 0)
		return rc;
	v = json_object_get(cp, "datacenters");
	if (v != NULL && !json_is_null(v)) {
		rc = parse_datacenters(p, v, dc_name, err);
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
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datastores "
		                     "has %zu entries, at most %d are supported",
		                     json_array_size(v), MAX_LIST);
	if (!json_is_array(v) || json_array_size(v) == 0)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: cloud_properties.datastores "
		                     "must be a non-empty array of names");
	p->datastores = calloc(json_array_size(v), sizeof(*p->datastores));
	if (p->datastores == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "out of memory");
	json_array_foreach(v, i, ds) {
		const char *s = json_text(ds);

		if (json_is_object(ds) &&
		    json_object_get(ds, "clusters") != NULL)
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties."
			                     "datastores[%zu]: datastore "
			                     "clusters are not supported by "
			                     "this CPI; name datastores", i);
		if (s == NULL || s[0] == '\0')
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: cloud_properties."
			                     "datastores[%zu] must be a "
			                     "datastore name", i);
		p->datastores[p->ndatastores++] = s;
	}
	return 0;
}

/* --- networks --------------------------------------------------------- */

struct net_buf {
	char prefix[32];
	char nic_group[32];
	char *cp_json;
	const char **dns;
	const char **defaults;
	struct net_route_in *routes;
};

struct nets_in {
	struct net_network_in *in;
	struct net_buf *buf;
	size_t n;
};

static void
nets_in_clear(struct nets_in *ni)
{
	size_t i;

	for (i = 0; ni->buf != NULL && i < ni->n; i++) {
		free(ni->buf[i].cp_json);
		free(ni->buf[i].dns);
		free(ni->buf[i].defaults);
		free(ni->buf[i].routes);
	}
	free(ni->in);
	free(ni->buf);
	memset(ni, 0, sizeof(*ni));
}

/* An optional string key; numbers become decimal text in buf when buf is
 * given. */
static int
opt_text(const char **out, const json_t *o, const char *key, char *buf,
         size_t size, const char *net, struct cpi_error *err)
{
	const json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (buf != NULL && json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		*out = buf;
		return 0;
	}
	*out = json_text(v);
	if (*out == NULL)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': %s must be a "
		                     "string", net, key);
	return 0;
}

static int
str_list(const char ***out, size_t *n_out, const json_t *o, const char *key,
         const char *net, struct cpi_error *err)
{
	const json_t *v = json_object_get(o, key), *e;
	size_t i;

	*out = NULL;
	*n_out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': %s has %zu "
		                     "entries, at most %d are supported", net,
		                     key, json_array_size(v), MAX_LIST);
	if (!json_is_array(v))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': %s must be an "
		                     "array of strings", net, key);
	*out = calloc(json_array_size(v) + 1, sizeof(**out));
	if (*out == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "out of memory");
	json_array_foreach(v, i, e) {
		(*out)[i] = json_text(e);
		if ((*out)[i] == NULL)
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: network '%s': %s[%zu] "
			                     "must be a string", net, key, i);
	}
	*n_out = json_array_size(v);
	return 0;
}

static int
routes_in(struct net_network_in *in, struct net_buf *b, const json_t *o,
          const char *net, struct cpi_error *err)
{
	const json_t *v = json_object_get(o, "routes"), *r;
	size_t i;
	int rc = 0;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v) && json_array_size(v) > MAX_LIST)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': routes has %zu "
		                     "entries, at most %d are supported", net,
		                     json_array_size(v), MAX_LIST);
	if (!json_is_array(v))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': routes must be "
		                     "an array", net);
	b->routes = calloc(json_array_size(v) + 1, sizeof(*b->routes));
	if (b->routes == NULL)
		return cpi_error_set(err, CPI_ERROR_CPI, false,
		                     "out of memory");
	json_array_foreach(v, i, r) {
		struct net_route_in *ri = &b->routes[i];

		if (!json_is_object(r))
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: network '%s': "
			                     "routes[%zu] must be an object",
			                     net, i);
		rc = opt_text(&ri->destination, r, "destination", NULL, 0,
		              net, err);
		if (rc == 0)
			rc = opt_text(&ri->netmask, r, "netmask", NULL, 0, net,
			              err);
		if (rc == 0)
			rc = opt_text(&ri->gateway, r, "gateway", NULL, 0, net,
			              err);
		if (rc < 0)
			return rc;
	}
	in->routes = b->routes;
	in->nroutes = json_array_size(v);
	return 0;
}

static int
network_in(struct net_network_in *in, struct net_buf *b, const char *name,
           const json_t *o, struct cpi_error *err)
{
	const json_t *cp, *dr;
	int rc;

	in->name = name;
	if (!json_is_object(o))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s' must be an "
		                     "object", name);
	rc = opt_text(&in->type, o, "type", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->ip, o, "ip", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->netmask, o, "netmask", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->gateway, o, "gateway", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->prefix, o, "prefix", b->prefix,
		              sizeof(b->prefix), name, err);
	if (rc == 0)
		rc = opt_text(&in->alias, o, "alias", NULL, 0, name, err);
	if (rc == 0)
		rc = opt_text(&in->nic_group, o, "nic_group", b->nic_group,
		              sizeof(b->nic_group), name, err);
	if (rc == 0)
		rc = str_list(&b->dns, &in->ndns, o, "dns", name, err);
	in->dns = b->dns;
	if (rc == 0)
		rc = str_list(&b->defaults, &in->ndefaults, o, "default",
		              name, err);
	in->defaults = b->defaults;
	if (rc == 0)
		rc = routes_in(in, b, o, name, err);
	if (rc < 0)
		return rc;
	cp = json_object_get(o, "cloud_properties");
	if (cp == NULL || json_is_null(cp))
		return 0;
	if (!json_is_object(cp))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': "
		                     "cloud_properties must be an object",
		                     name);
	b->cp_json = json_dumps(cp, JSON_COMPACT | JSON_SORT_KEYS);
	if (b->cp_json == NULL)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': "
		                     "cloud_properties cannot be serialized",
		                     name);
	in->cloud_properties_json = b->cp_json;
	dr = json_object_get(cp, "default_route");
	if (dr != NULL && !json_is_null(dr) && !json_is_boolean(dr))
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: network '%s': "
		                     "cloud_properties.default_route must be "
		                     "true or false", name);
	in->default_route = json_is_true(dr);
	return opt_text(&in->port_group, cp, "name", NULL, 0, name, err);
}

static int
parse_networks(struct net_networks **out, const json_t *networks,
               struct cpi_error *err)
{
	struct nets_in ni = {0};
	struct net_error nerr = {0};
	const char *key;
	const json_t *v;
	size_t n = json_object_size(networks);
	int rc = 0;

	*out = NULL;
	if (n == 0 || n > MAX_NETWORKS)
		return cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                     "create_vm: networks must hold 1 to %d "
		                     "networks", MAX_NETWORKS);
	ni.in = calloc(n, sizeof(*ni.in));
	ni.buf = calloc(n, sizeof(*ni.buf));
	if (ni.in == NULL || ni.buf == NULL) {
		rc = cpi_error_set(err, CPI_ERROR_CPI, false, "out of memory");
		goto cleanup;
	}
	json_object_foreach((json_t *)networks, key, v) {
		if (strlen(key) == 0) {
			rc = cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                   "create_vm: a network has an empty "
			                   "name");
			goto cleanup;
		}
		ni.n++;
		rc = network_in(&ni.in[ni.n - 1], &ni.buf[ni.n - 1], key, v,
		                err);
		if (rc < 0)
			goto cleanup;
	}
	if (net_networks_validate(out, ni.in, ni.n, &nerr) < 0)
		rc = cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: networks: %s", nerr.message);

cleanup:
	nets_in_clear(&ni);
	return rc;
}

/* --- helpers ---------------------------------------------------------- */

static int
new_vm_cid(char *out, size_t size, struct cpi_error *err)
{
	unsigned char b[16];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t got = 0;

	if (f != NULL) {
		got = fread(b, 1, sizeof(b), f);
		fclose(f);
	}
	if (got != sizeof(b))
		return cpi_error_set(err, CPI_ERROR_CPI, true,
		                     "create_vm: no random bytes for the VM "
		                     "id");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, size, "vm-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	         b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	         b[14], b[15]);
	return 0;
}

/* A group or deployment name usable in a VM name (and so in a cid and
 * an inventory path): [A-Za-z0-9._-], not empty. */
static bool
name_part_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		      ch == '-'))
			return false;
	}
	return true;
}

/* enable_human_readable_name: "<instance group>_<deployment>_<12 hex>"
 * from env.bosh.groups (index 2, then 1) and the end of the uuid cid
 * already made, trimmed to vCenter's 80 characters as the Ruby CPI
 * trims it (the deployment keeps up to 25).  Without both names, or
 * with a character a cid cannot hold (Ruby: any that URI encoding
 * changes; here anything but A-Z a-z 0-9 . _ -), the uuid cid stays. */
static void
human_readable_name(char *cid, size_t size, const json_t *env)
{
	const json_t *groups = json_object_get(json_object_get(env, "bosh"),
	                                       "groups");
	const char *ig = json_string_value(json_array_get(groups, 2));
	const char *dep = json_string_value(json_array_get(groups, 1));
	const size_t max_prefix = 79 - 12 - 2;
	size_t ig_len, dep_len, n = strlen(cid);
	char suffix[13];

	if (!name_part_ok(ig) || !name_part_ok(dep) || n < 12)
		return;
	memcpy(suffix, cid + n - 12, 12);
	suffix[12] = '\0';
	ig_len = strlen(ig);
	dep_len = strlen(dep);
	if (ig_len + dep_len > max_prefix) {
		if (dep_len <= 25) {
			ig_len = max_prefix - dep_len;
		} else {
			ig_len = ig_len < max_prefix - 25 ? ig_len :
			         max_prefix - 25;
			dep_len = max_prefix - ig_len;
		}
	}
	snprintf(cid, size, "%.*s_%.*s_%s", (int)ig_len, ig, (int)dep_len,
	         dep, suffix);
}

static void
wipe_free(char *s)
{
	if (s != NULL) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

/* Before the clone: bad input is a CloudError, vCenter trouble a
 * VMCreationFailed (retry when transient). */
static int
fail_before(struct cpi_call *call, struct vs_error *verr, const char *what)
{
	bool input = verr->code == VS_ENOTFOUND || verr->code == VS_EINVAL;

	vs_error_prefix(verr, "create_vm: %s", what);
	return cpi_error_from_vs(call->err, input ? CPI_ERROR_CLOUD :
	                         CPI_ERROR_VM_CREATION_FAILED, verr);
}

/* --- the pieces of the agent settings ------------------------------- */

struct settings_in {
	const char *agent_id;
	const char *vm_cid;
	const json_t *env;
	const char *ephemeral_uuid;     /* NULL: the unit number */
};

/* The whole agent section of the config merged into the settings, as
 * the Ruby CPI merges it (its keys over the CPI's, the request's env
 * excepted).  ntp, mbus and blobstore are written by the builder
 * already: the text is only rewritten when the section holds more. */
static int
merge_agent(char **settings, const struct cpi_agent *ag,
            struct cpi_error *err)
{
	json_t *agent = NULL, *obj = NULL, *v;
	const char *key;
	char *text = NULL;
	bool more = false;
	int rc = 0;

	if (ag->json == NULL)
		return 0;
	agent = json_loads(ag->json, 0, NULL);
	json_object_foreach(agent, key, v) {
		if (strcmp(key, "ntp") != 0 && strcmp(key, "mbus") != 0 &&
		    strcmp(key, "blobstore") != 0 && strcmp(key, "env") != 0)
			more = true;
	}
	if (!more)
		goto cleanup;
	obj = json_loads(*settings, 0, NULL);
	if (obj == NULL || !json_is_object(agent)) {
		rc = cpi_error_set(err, CPI_ERROR_CPI, false, "create_vm: "
		                   "agent settings cannot be merged");
		goto cleanup;
	}
	json_object_foreach(agent, key, v) {
		if (strcmp(key, "env") != 0 &&
		    json_object_set(obj, key, v) != 0) {
			rc = cpi_error_set(err, CPI_ERROR_CPI, false,
			                   "out of memory");
			goto cleanup;
		}
	}
	text = json_dumps(obj, JSON_COMPACT);
	if (text == NULL) {
		rc = cpi_error_set(err, CPI_ERROR_CPI, false, "out of memory");
		goto cleanup;
	}
	wipe_free(*settings);
	*settings = text;
cleanup:
	json_decref(agent);
	json_decref(obj);
	return rc;
}

static int
build_settings(char **out, struct net_networks *nets,
               const struct net_nics *nics, const struct vs_created *vm,
               const struct settings_in *si, const struct cpi_call *call,
               struct cpi_error *err)
{
	const struct cpi_agent *ag = &call->config->agent;
	struct net_agent_settings s = {0};
	struct net_error nerr = {0};
	char sys[32], eph[128];
	char *env = NULL;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (vm->nmacs < nics->n)
		return cpi_error_set(err, CPI_ERROR_VM_CREATION_FAILED, false,
		                     "create_vm: %zu NICs for %zu NICs asked "
		                     "for", vm->nmacs, nics->n);
	/* Every network of a NIC (one, or a nic_group's) gets its MAC. */
	for (i = 0; i < nics->n && rc == 0; i++) {
		if (net_nic_set_mac(nets, &nics->v[i], vm->macs[i], &nerr) < 0)
			rc = cpi_error_set(err, CPI_ERROR_VM_CREATION_FAILED,
			                   false, "create_vm: network '%s': %s",
			                   nets->v[nics->v[i].members[0]].name,
			                   nerr.message);
	}
	if (rc < 0)
		return rc;
	if (si->env != NULL && json_is_object(si->env)) {
		env = json_dumps(si->env, JSON_COMPACT);
		if (env == NULL)
			return cpi_error_set(err, CPI_ERROR_CLOUD, false,
			                     "create_vm: env cannot be "
			                     "serialized");
	}
	snprintf(sys, sizeof(sys), "\"%d\"", vm->system_unit);
	if (si->ephemeral_uuid != NULL)
		snprintf(eph, sizeof(eph), "{\"id\":\"%.64s\"}",
		         si->ephemeral_uuid);
	else
		snprintf(eph, sizeof(eph), "\"%d\"", vm->ephemeral_unit);
	s.agent_id = si->agent_id;
	s.vm_name = si->vm_cid;
	s.vm_id = vm->vm.value;
	s.networks = nets;
	s.disk_system = sys;
	s.disk_ephemeral = eph;
	s.env_json = env;
	s.ntp = (const char *const *)ag->ntp;
	s.nntp = ag->nntp;
	s.mbus = ag->mbus;
	s.blobstore_json = ag->blobstore_json;
	if (net_agent_settings_json(out, &s, &nerr) < 0)
		rc = cpi_error_set(err, CPI_ERROR_CLOUD, false,
		                   "create_vm: agent settings: %s",
		                   nerr.message);
	if (rc == 0)
		rc = merge_agent(out, ag, err);
	wipe_free(env);
	return rc;
}

static int
make_result(json_t **result, const struct net_networks *nets,
            const struct net_nics *nics, const char *vm_cid,
            const struct cpi_call *call)
{
	struct net_error nerr = {0};
	char *text = NULL;
	json_t *jn = NULL;

	if (call->api_version < 2) {
		*result = json_string(vm_cid);
		goto done;
	}
	/* With nic_group every network carries its NIC's MAC, so the
	 * Director sees which networks share a NIC; without, the result is
	 * the networks as given. */
	if (net_networks_json(&text, nets, nics->grouped, &nerr) < 0)
		return cpi_error_set(call->err, CPI_ERROR_CPI, false,
		                     "create_vm: networks result: %s",
		                     nerr.message);
	jn = json_loads(text, 0, NULL);
	free(text);
	*result = jn != NULL ? json_pack("[so]", vm_cid, jn) : NULL;

done:
	if (*result == NULL)
		return cpi_error_set(call->err, CPI_ERROR_CPI, false,
		                     "out of memory");
	return 0;
}

/* --- the method ------------------------------------------------------- */

struct job {
	struct vm_props props;
	struct net_networks *nets;
	struct net_nics *nics;
	const char **pgs;
	const char **owners;
	size_t npgs;
	char vm_cid[96];           /* "vm-<uuid>" or a name up to 79 */
	char *folder_rel;
	char *template_rel;         /* stemcells, relative to <dc>/vm */
	struct vs_client *c;
	struct vs_placement *pl;
	struct vs_created *vm;
	char *settings;
	unsigned char *iso;
	size_t iso_len;
	bool in_drs;                /* joined a DRS rule or VM group */
};

static int
prepare(struct job *j, struct cpi_call *call)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	const json_t *networks = json_array_get(call->args, 3);
	struct net_error nerr = {0};
	size_t i;
	int rc;

	rc = parse_props(&j->props, cpi_arg_object(call, 2), dc->name,
	                 call->err);
	if (rc == 0)
		rc = merge_vmx(&j->props, &call->config->vcenter, call->err);
	if (rc == 0)
		rc = parse_networks(&j->nets, networks, call->err);
	if (rc < 0)
		return rc;
	if (!vs_stemcell_cid_valid(cpi_arg_string(call, 1)))
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_vm: stemcell_cid is not a "
		                     "stemcell id of this CPI");
	if (cpi_arg_string(call, 0)[0] == '\0')
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_vm: agent_id is empty");
	if (j->props.ndatastores == 0 && (dc->datastore_pattern == NULL ||
	                                  dc->datastore_pattern[0] == '\0'))
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_vm: no datastore_pattern is "
		                     "configured and cloud_properties names "
		                     "no datastores");
	if (net_networks_nics(&j->nics, j->nets, &nerr) < 0)
		return cpi_error_set(call->err, CPI_ERROR_CPI, false,
		                     "create_vm: NICs: %s", nerr.message);
	j->pgs = calloc(j->nics->n + 1, sizeof(*j->pgs));
	j->owners = calloc(j->nics->n + 1, sizeof(*j->owners));
	if (j->pgs == NULL || j->owners == NULL)
		return cpi_error_set(call->err, CPI_ERROR_CPI, false,
		                     "out of memory");
	/* One NIC per nic_group or lone network; vip networks have none. */
	for (i = 0; i < j->nics->n; i++) {
		j->pgs[j->npgs] = j->nics->v[i].port_group;
		j->owners[j->npgs++] =
		    j->nets->v[j->nics->v[i].members[0]].name;
	}
	if (j->npgs == 0)
		return cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                     "create_vm: no network needs a NIC");
	rc = cpi_folder_rel(&j->folder_rel, call, dc->vm_folder);
	if (rc < 0)
		return rc;
	rc = cpi_folder_rel(&j->template_rel, call, dc->template_folder);
	if (rc < 0)
		return rc;
	rc = new_vm_cid(j->vm_cid, sizeof(j->vm_cid), call->err);
	if (rc == 0 && call->config->vcenter.enable_human_readable_name)
		human_readable_name(j->vm_cid, sizeof(j->vm_cid),
		                    cpi_arg_object(call, 5));
	return rc;
}

/* ensure_no_ip_conflicts (on by default, as in the Ruby CPI): refuses,
 * before anything is made, an address another VM on the same port group
 * reports through its guest tools.  One round trip per address, one more
 * when some VM answers; none for dynamic networks. */
static int
check_ip_conflicts(struct job *j, struct cpi_call *call)
{
	struct vs_ip_want *want = NULL;
	struct vs_ip_conflict hit;
	struct vs_error verr = {0};
	bool found = false;
	size_t i, k = 0, n = 0;
	int rc = 0;

	want = calloc(j->nets->n + 1, sizeof(*want));
	if (want == NULL)
		return cpi_error_set(call->err, CPI_ERROR_CPI, false,
		                     "out of memory");
	for (i = 0; i < j->nets->n; i++) {
		const struct net_network *nw = &j->nets->v[i];

		if (nw->port_group == NULL)
			continue;       /* vip: no NIC */
		if (k >= j->pl->npgs)
			break;
		if (nw->ip != NULL && nw->ip[0] != '\0') {
			want[n].pg = &j->pl->pgs[k];
			want[n].ip = nw->ip;
			n++;
		}
		k++;
	}
	if (n == 0)
		goto cleanup;
	rc = vs_ip_conflict_find(&found, &hit, j->c, &j->pl->datacenter,
	                         want, n, &verr);
	if (rc < 0) {
		rc = fail_before(call, &verr, "IP conflict check");
		goto cleanup;
	}
	if (found)
		rc = cpi_error_set(call->err, CPI_ERROR_CLOUD, false,
		                   "create_vm: IP conflict: %s is in use by VM "
		                   "'%s' on port group '%s' (ensure_no_ip_"
		                   "conflicts)", want[hit.want].ip, hit.vm_name,
		                   want[hit.want].pg->name);
cleanup:
	free(want);
	return rc;
}

static int
place(struct job *j, struct cpi_call *call, struct vs_moref *src,
      struct vs_moref *snap, struct vs_moref *folder)
{
	const struct cpi_datacenter *dc = &call->config->vcenter.datacenter;
	struct vs_placement_cluster *cls = NULL;
	struct vs_placement_req pr = {0};
	struct vs_stemcell_loc loc = {0};
	struct vs_error verr = {0};
	size_t i;
	int rc;

	if (j->props.nclusters == 0) {
		cls = calloc(dc->nclusters + 1, sizeof(*cls));
		if (cls == NULL)
			return cpi_error_set(call->err, CPI_ERROR_CPI, false,
			                     "out of memory");
		for (i = 0; i < dc->nclusters; i++) {
			cls[i].name = dc->clusters[i].name;
			cls[i].resource_pool = dc->clusters[i].resource_pool;
		}
	}
	pr.datacenter = dc->name;
	pr.clusters = cls != NULL ? cls : j->props.clusters;
	pr.nclusters = cls != NULL ? dc->nclusters : j->props.nclusters;
	pr.datastore_pattern = dc->datastore_pattern;
	pr.datastores = j->props.datastores;
	pr.ndatastores = j->props.ndatastores;
	pr.memory_mb = j->props.ram;
	pr.disk_mb = j->props.disk;
	pr.port_groups = j->pgs;
	pr.pg_owners = j->owners;
	pr.nport_groups = j->npgs;
	pr.vm_folder = j->folder_rel;
	rc = vs_placement_find(&j->pl, j->c, &pr, &verr);
	free(cls);
	if (rc < 0)
		return fail_before(call, &verr, "placement");
	cpi_log_info(call->log, "create_vm: %s goes to cluster %s, "
	             "datastore %s", j->vm_cid, j->pl->cluster,
	             j->pl->datastore);
	if (call->config->vcenter.ensure_no_ip_conflicts) {
		rc = check_ip_conflicts(j, call);
		if (rc < 0)
			return rc;
	}
	loc.datacenter = j->pl->dc_path;
	loc.template_folder = j->template_rel;
	vs_error_clear(&verr);
	rc = vs_stemcell_replica(src, snap, j->c, &loc,
	                         cpi_arg_string(call, 1),
	                         &j->pl->datastore_ref, &j->pl->pool, &verr);
	if (rc < 0)
		return fail_before(call, &verr, "stemcell");
	vs_error_clear(&verr);
	rc = vs_create_folder(folder, j->c, j->pl, j->folder_rel, &verr);
	if (rc < 0)
		return fail_before(call, &verr, "VM folder");
	return 0;
}

/* The virtual hardware, as the Ruby CPI decides it: the VM's
 * upgrade_hw_version, else the config's; true upgrades to the host's
 * newest version, false to vmx-<default_hw_version> (the newest too when
 * that is not configured).  Every new VM is upgraded either way. */
static void
hw_plan(struct vs_create_opts *co, char *buf, size_t size,
        const struct vm_props *p, const struct cpi_vcenter *vc)
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
static void
vm_options(struct vs_create_opts *co, const struct vm_props *p,
           const struct cpi_vcenter *vc, const struct vs_placement *pl,
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
static bool
disk_uuid_enabled(const struct vm_props *p)
{
	size_t i;

	for (i = 0; i < p->nextra; i++) {
		if (strcmp(p->extra[i].key, "disk.enableUUID") == 0)
			return strcmp(p->extra[i].value, "1") == 0 ||
			       strcmp(p->extra[i].value, "TRUE") == 0;
	}
	return false;
}

/* With disk.enableUUID the agent finds the ephemeral disk by its uuid
 * ({"id": "<uuid>"}, as the Ruby CPI's disk env), which exists once the
 * settings reconfigure made the disk: read it, then deliver the settings
 * again before the power on (one read, the ISO upload and one
 * reconfigure more). */
static int
deliver_with_uuid(struct job *j, struct cpi_call *call,
                  struct settings_in *si, const struct vs_create_opts *co,
                  struct vs_error *verr)
{
	char *uuid = NULL;
	int rc;

	rc = vs_create_deliver(j->c, j->vm, j->pl->dc_path, j->settings,
	                       strlen(j->settings), j->iso, j->iso_len, co,
	                       verr);
	if (rc == 0)
		rc = vs_create_ephemeral_uuid(&uuid, j->c, &j->pl->datacenter,
		                              j->vm, verr);
	if (rc < 0)
		goto cleanup;
	si->ephemeral_uuid = uuid;
	wipe_free(j->settings);
	j->settings = NULL;
	if (j->iso != NULL) {
		memset(j->iso, 0, j->iso_len);
		free(j->iso);
		j->iso = NULL;
	}
	rc = build_settings(&j->settings, j->nets, j->nics, j->vm, si, call,
	                    call->err);
	if (rc == 0)
		rc = cpi_iso_build(&j->iso, &j->iso_len, "env",
		                   (const unsigned char *)j->settings,
		                   strlen(j->settings), NULL, call->err);
	if (rc == 0)
		rc = vs_create_redeliver(j->c, j->vm, j->pl->dc_path,
		                         j->settings, strlen(j->settings),
		                         j->iso, j->iso_len, verr);
	if (rc == 0)
		rc = vs_create_start(j->c, j->vm, co, verr);
cleanup:
	si->ephemeral_uuid = NULL;
	free(uuid);
	return rc;
}

/* The chosen cluster's drs_rules[0], else with the config's
 * enable_auto_anti_affinity_drs_rules the instance group's rule, named
 * env.bosh.group as the Ruby CPI names it (no group: no rule): the
 * powered-on VM joins the anti-affinity rule, created when missing
 * (vsphere/drs.h); no round trip when there is none. */
static int
join_drs_rule(struct job *j, struct cpi_call *call, struct vs_error *verr)
{
	const char *rule = NULL;
	const json_t *bosh;
	size_t i;
	int rc;

	for (i = 0; i < j->props.nclusters && rule == NULL; i++) {
		if (j->props.drs_rule[i] != NULL &&
		    strcmp(j->props.clusters[i].name, j->pl->cluster) == 0)
			rule = j->props.drs_rule[i];
	}
	if (rule == NULL &&
	    call->config->vcenter.enable_auto_anti_affinity_drs_rules) {
		bosh = json_object_get(cpi_arg_object(call, 5), "bosh");
		rule = json_text(json_object_get(bosh, "group"));
		if (rule != NULL && (rule[0] == '\0' || strlen(rule) > 80)) {
			cpi_log_warn(call->log, "create_vm %s: env.bosh.group "
			             "is empty or longer than 80 characters: "
			             "no automatic DRS rule", j->vm_cid);
			rule = NULL;
		}
	}
	if (rule == NULL)
		return 0;
	j->in_drs = true;       /* maybe half-way: cleaned up on failure */
	rc = vs_drs_rule_add_vm(j->c, &j->pl->cluster_ref, rule, &j->vm->vm,
	                        verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm %s: in DRS rule %s of "
		             "cluster %s", j->vm_cid, rule, j->pl->cluster);
	return rc;
}

/* vm_group: the powered-on VM joins that VM group of its cluster,
 * created when missing (vsphere/drs.h); no round trip without it. */
static int
join_vm_group(struct job *j, struct cpi_call *call, struct vs_error *verr)
{
	int rc;

	if (j->props.vm_group == NULL)
		return 0;
	j->in_drs = true;
	rc = vs_drs_vm_group_add_vm(j->c, &j->pl->cluster_ref,
	                            j->props.vm_group, &j->vm->vm, verr);
	if (rc == 0)
		cpi_log_info(call->log, "create_vm %s: in VM group %s of "
		             "cluster %s", j->vm_cid, j->props.vm_group,
		             j->pl->cluster);
	return rc;
}

static int
build(struct job *j, struct cpi_call *call, struct vs_moref *src,
      struct vs_moref *snap, struct vs_moref *folder)
{
	const struct cpi_vcenter *vc = &call->config->vcenter;
	struct vs_port_group *nics = j->pl->pgs;
	struct vs_create_req cr = {0};
	struct vs_create_opts co = {0};
	struct settings_in si = {0};
	struct vs_error verr = {0};
	char mark[32];
	char hw[16];
	int rc;

	/* marked as being created until vs_create_finish() is done: a
	 * killed call leaves a VM the next create_vm or delete_vm removes */
	snprintf(mark, sizeof(mark), "%lld", (long long)time(NULL));
	cr.name = j->vm_cid;
	cr.marker = mark;
	cr.source = src;
	/* a linked clone's disk cannot grow: root_disk_size_gb means a full
	 * clone, as in the Ruby CPI */
	cr.snapshot = snap->type[0] != '\0' && j->props.root_disk_gb == 0 ?
	              snap : NULL;
	cr.folder = folder;
	cr.pool = &j->pl->pool;
	cr.datastore = &j->pl->datastore_ref;
	cr.datastore_name = j->pl->datastore;
	cr.num_cpus = (int)j->props.cpu;
	cr.memory_mb = j->props.ram;
	cr.disk_mb = j->props.disk;
	cr.thin = vc->default_disk_type == CPI_DISK_THIN;
	cr.nics = nics;
	cr.nnics = j->pl->npgs;
	rc = vs_create_clone(&j->vm, j->c, &cr, &verr);
	if (rc < 0)
		goto failed;
	si.agent_id = cpi_arg_string(call, 0);
	si.vm_cid = j->vm_cid;
	si.env = cpi_arg_object(call, 5);
	rc = build_settings(&j->settings, j->nets, j->nics, j->vm, &si,
	                    call, call->err);
	if (rc == 0)
		rc = cpi_iso_build(&j->iso, &j->iso_len, "env",
		                   (const unsigned char *)j->settings,
		                   strlen(j->settings), NULL, call->err);
	if (rc < 0)
		goto failed;
	co.vmx = j->props.extra;
	co.nvmx = j->props.nextra;
	hw_plan(&co, hw, sizeof(hw), &j->props, vc);
	co.scsi_type = cpi_scsi_type_vim(vc->default_scsi_controller_type);
	co.root_disk_kb = j->props.root_disk_gb * 1024 * 1024;
	if (j->props.disable_drs == 2)
		co.drs_off_cluster = &j->pl->cluster_ref;
	vm_options(&co, &j->props, vc, j->pl, call);
	vs_error_clear(&verr);
	co.unmark = true;
	if (disk_uuid_enabled(&j->props))
		rc = deliver_with_uuid(j, call, &si, &co, &verr);
	else
		rc = vs_create_finish(j->c, j->vm, j->pl->dc_path, j->settings,
		                      strlen(j->settings), j->iso, j->iso_len,
		                      &co, &verr);
	if (rc == 0)
		rc = join_drs_rule(j, call, &verr);
	if (rc == 0)
		rc = join_vm_group(j, call, &verr);

failed:
	if (rc < 0) {
		struct vs_error cerr = {0};

		if (vs_error_is_set(&verr)) {
			vs_error_prefix(&verr, "create_vm %s", j->vm_cid);
			cpi_error_from_vs(call->err,
			                  CPI_ERROR_VM_CREATION_FAILED, &verr);
		}
		cpi_log_warn(call->log, "create_vm: removing %s after: %s",
		             j->vm_cid, call->err->message);
		vs_client_cleanup(j->c);
		/* out of the DRS rules and VM groups it joined first (vCenter
		 * does it when the VM goes; this leaves no emptied rule or
		 * group behind) */
		if (j->in_drs && vs_drs_rules_remove_vm(NULL, j->c,
		                                        &j->pl->pool,
		                                        &j->vm->vm, &cerr) < 0) {
			cpi_log_warn(call->log, "create_vm: DRS cleanup of "
			             "%s: %s", j->vm_cid, cerr.message);
			vs_error_clear(&cerr);
		}
		if (vs_create_destroy(j->c, &j->pl->datacenter, j->vm,
		                      j->pl->datastore, j->vm_cid, &cerr) < 0)
			cpi_log_error(call->log, "create_vm: cleanup of %s: "
			              "%s", j->vm_cid, cerr.message);
		call->err->type = CPI_ERROR_VM_CREATION_FAILED;
	}
	return rc;
}

int
cpi_method_create_vm(json_t **result, struct cpi_call *call)
{
	struct job j;
	struct vs_moref src, snap, folder;
	int rc;

	*result = NULL;
	memset(&j, 0, sizeof(j));
	memset(&src, 0, sizeof(src));
	memset(&snap, 0, sizeof(snap));
	memset(&folder, 0, sizeof(folder));
	rc = prepare(&j, call);
	if (rc < 0)
		goto cleanup;
	rc = cpi_vcenter_open(&j.c, call);
	if (rc < 0)
		goto cleanup;
	rc = place(&j, call, &src, &snap, &folder);
	if (rc == 0)
		rc = build(&j, call, &src, &snap, &folder);
	if (rc == 0)
		cpi_sweep_leftovers(j.c, call, &folder);
	if (rc == 0)
		rc = make_result(result, j.nets, j.nics, j.vm_cid, call);

cleanup:
	/* A failed logout after a success must not turn the answer into an
	 * error: the Director would never learn the VM's cid and the VM
	 * would leak, while the session simply expires. */
	if (j.c != NULL && cpi_vcenter_close(j.c, call) < 0 && rc == 0) {
		cpi_log_warn(call->log, "create_vm: %s", call->err->message);
		cpi_error_clear(call->err);
	}
	if (j.iso != NULL) {
		memset(j.iso, 0, j.iso_len);
		free(j.iso);
	}
	wipe_free(j.settings);
	vs_created_free(j.vm);
	vs_placement_free(j.pl);
	free(j.folder_rel);
	free(j.template_rel);
	free(j.pgs);
	free(j.owners);
	net_nics_free(j.nics);
	net_networks_free(j.nets);
	vm_props_clear(&j.props);
	return rc < 0 ? CPI_ERR : 0;
}
