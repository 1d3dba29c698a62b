/*
 * cpi/vm_props.h: the VM cloud properties of create_vm.  The strings
 * are borrowed from the request (and the config), which outlives them.
 */
#ifndef CPI_VM_PROPS_H
#define CPI_VM_PROPS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/dispatch.h"
#include "cpi/error.h"
#include "cpi/tags.h"
#include "vsphere/create.h"

struct vs_placement;
struct vs_placement_cluster;
struct vs_vm_option;

/* A cluster entry's host_group: the VM goes into a VM group bound to
 * the host group by a VM-host rule (vsphere/drs.h). */
struct vm_host_group {
	const char *name;               /* NULL: none */
	bool must;                      /* drs_rule MUST (else SHOULD) */
};

struct vm_props {
	long long cpu;
	long long ram;
	long long disk;
	struct vs_placement_cluster *clusters;  /* from datacenters[] */
	const char **drs_rule;                  /* per cluster: its
	                                         * drs_rules[0].name or NULL */
	struct vm_host_group *host_groups;      /* per cluster */
	size_t nclusters;
	const char **datastores;
	size_t ndatastores;
	const char **pods;                      /* datastore clusters of
	                                         * datastores[] */
	size_t npods;
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
	struct cpi_tags tags;           /* tags (cpi/tags.h) */
	const char *storage_policy;     /* storage_policy.name, or NULL */
	/* The storage policy in effect (storage_picker.rb's order): the
	 * VM type's, else, without datastores, the config's
	 * vm_storage_policy_name; NULL: none */
	const char *policy;
	/* the config's vmx_options with these over them (borrowed) */
	struct vs_vm_option *extra;
	size_t nextra;
};

/* Reads cloud_properties (cpu, ram, disk: positive integers; optional
 * datacenters[].clusters with drs_rules and host_group, datastores,
 * vmx_options, the VM options, vm_group, root_disk_size_gb, tags,
 * storage_policy),
 * refusing what this CPI does not support, and merges the config's
 * vmx_options under its own (into extra).  Bad input is a CloudError;
 * *p is then cleared by cpi_vm_props_clear. */
int cpi_vm_props_parse(struct vm_props *p, const json_t *cp,
                       const struct cpi_vcenter *vc, struct err *err);
void cpi_vm_props_clear(struct vm_props *p);

/* The virtual hardware, as the Ruby CPI decides it: the VM's
 * upgrade_hw_version, else the config's; buf (size bytes) holds the
 * version text co->hw_version may point at. */
void cpi_vm_props_hw_plan(struct vs_create_opts *co, char *buf, size_t size,
                          const struct vm_props *p,
                          const struct cpi_vcenter *vc);
/* The VM options of the clone (nested HV, hot add, reservations) from
 * p over the config's defaults; pl gives the CPU speed reserved. */
void cpi_vm_props_options(struct vs_create_opts *co, const struct vm_props *p,
                          const struct cpi_vcenter *vc,
                          const struct vs_placement *pl,
                          const struct cpi_call *call);
/* disk.enableUUID in the VM's merged vmx_options: 1, "1" or "TRUE". */
bool cpi_vm_props_disk_uuid(const struct vm_props *p);

#endif
