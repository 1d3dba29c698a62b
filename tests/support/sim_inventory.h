/*
 * tests/support/sim_inventory.h: looking at the simulator's inventory
 * from outside the CPI, for the simulator suites.
 *
 * Every function fails the running Check test on error; call them from
 * tests only.
 */
#ifndef TEST_SIM_INVENTORY_H
#define TEST_SIM_INVENTORY_H

#include <stddef.h>

#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

/* Where the CPI puts its VMs in the simulator's config. */
#define SIM_VM_FOLDER "DC0/vm/BOSH_VMs"
/* The simulator's cluster (DRS rules and groups, VM overrides). */
#define SIM_CLUSTER "DC0/host/DC0_C0"

/* The VM named cid in SIM_VM_FOLDER (the test fails when it is not
 * there). */
struct vs_moref sim_vm_ref(struct vs_client *cl, const char *cid);

/* VirtualMachine objects anywhere whose name starts with prefix. */
size_t sim_count_vms(struct vs_client *cl, const char *prefix);

/* The configurationEx of SIM_CLUSTER: *val is borrowed from *obj, which
 * the caller frees with vs_object_free(). */
void sim_cluster_config(struct vs_object **obj, xmlNodePtr *val,
                        struct vs_client *cl);

#endif
