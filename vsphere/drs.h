/*
 * vsphere/drs.h: DRS anti-affinity rules, as the Ruby CPI keeps them
 * (drs_rules/drs_rule.rb, drs_rules/drs_lock.rb).
 *
 * The lock.  Concurrent CPI processes serialize their rule updates with a
 * custom field definition used as a mutex: AddCustomFieldDef(name, moType
 * VirtualMachine) succeeds for exactly one process; the others get
 * DuplicateName and retry every 0.5 s until the deadline (Ruby: 600 s).
 * RemoveCustomFieldDef(key) releases it.  The same name as Ruby's
 * ("drs_lock"), so this CPI and a Ruby CPI on one vCenter exclude each
 * other.  Like Ruby's, a process killed while holding the lock leaves it
 * held: the others time out until an operator removes the custom field.
 *
 * The rule.  Under the lock the cluster's configurationEx is read; a
 * ClusterAntiAffinityRuleSpec named like the rule gets the VM added to its
 * members (operation edit, same key), else the rule is created with the
 * VM alone (operation add, enabled).  ReconfigureComputeResource_Task
 * (modify true) is waited for.  Ruby rebuilds the member list from VMs
 * tagged with a "drs_rule" custom value; this CPI keeps the members the
 * rule already has, and does not tag.
 */
#ifndef VS_DRS_H
#define VS_DRS_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "vsphere/client.h"

struct vs_object;

#define VS_DRS_LOCK "drs_lock"
#define VS_DRS_LOCK_TIMEOUT_S 600.0
#define VS_DRS_TASK_TIMEOUT_S 600.0

struct vs_drs_rule {
	int key;
	char *name;
	char type[64];              /* xsi:type, e.g.
	                             * "ClusterAntiAffinityRuleSpec" */
	bool enabled;
	struct vs_moref *vms;       /* anti-affinity / affinity members */
	size_t nvms;
	char *vm_group;             /* ClusterVmHostRuleInfo.vmGroupName or
	                             * NULL */
};

struct vs_drs_rules {
	struct vs_drs_rule *items;
	size_t n;
};

/* A cluster group: ClusterVmGroup (vms) or ClusterHostGroup (hosts, in
 * vms too). */
struct vs_drs_group {
	char *name;
	char type[64];              /* xsi:type */
	struct vs_moref *vms;
	size_t nvms;
};

struct vs_drs_groups {
	struct vs_drs_group *items;
	size_t n;
};

void vs_drs_groups_free(struct vs_drs_groups *g);
/* The groups of a ClusterConfigInfoEx element. */
int vs_drs_groups_from_node(struct vs_drs_groups **out, xmlNodePtr cfg,
                            struct err *err);

void vs_drs_rules_free(struct vs_drs_rules *r);
/* The rules of a ClusterConfigInfoEx element (configurationEx's <val>). */
int vs_drs_rules_from_node(struct vs_drs_rules **out, xmlNodePtr cfg,
                           struct err *err);
/* Appends <spec xsi:type="ClusterConfigSpecEx"> with one rulesSpec to m:
 * the anti-affinity rule `name` with the nvms members, operation "add"
 * (key < 0), "edit" (key >= 0, info.key = key) or, with remove true,
 * "remove" (removeKey = key, no info). */
int vs_drs_add_rule_spec(xmlNodePtr m, const char *name, int key,
                         bool remove, const struct vs_moref *vms,
                         size_t nvms, struct err *err);

/* Takes the lock (see above); *key_out is the custom field's key for
 * vs_drs_unlock().  ERR_ETIMEOUT when it stays held past timeout_s. */
int vs_drs_lock(int *key_out, struct vs_client *c, const char *name,
                double timeout_s, struct err *err);
int vs_drs_unlock(struct vs_client *c, int key, struct err *err);

/* Adds vm to the anti-affinity rule `rule` of cluster, creating the rule
 * when missing, under the lock.  A rule of that name of another type is
 * an error (ERR_EINVAL). */
int vs_drs_rule_add_vm(struct vs_client *c, const struct vs_moref *cluster,
                       const char *rule, const struct vs_moref *vm,
                       struct err *err);

#define VS_DRS_LOCK_VM_GROUP "drs_lock_vm_group"

/* The VM cloud property vm_group (Ruby's drs_rules/vm_group.rb): adds vm
 * to the cluster's VM group `group` (ClusterGroupSpec edit with the
 * members it had and the VM), creating it with the VM alone when missing
 * (add), under the lock VS_DRS_LOCK_VM_GROUP.  A host group of that name
 * is an error (ERR_EINVAL). */
int vs_drs_vm_group_add_vm(struct vs_client *c,
                           const struct vs_moref *cluster, const char *group,
                           const struct vs_moref *vm, struct err *err);

/* --- host groups (cluster_config.rb, resources/cluster.rb,
 * drs_rules/drs_rule.rb add_vm_host_affinity_rule) ---------------------
 *
 * A cluster entry's host_group H with rule type T (MUST or SHOULD): the
 * VM joins the VM group "H" T "_vm_group" (e.g. "hg1MUST_vm_group"),
 * created when missing, and the ClusterVmHostRuleInfo "<VM group>_rule"
 * binds that VM group to the host group (enabled; mandatory for MUST),
 * created when missing: the names Ruby gives them, so both CPIs share
 * them. */

#define VS_DRS_LOCK_HOST_VM_GROUP "host_vm_group"
#define VS_DRS_NAME_MAX 512

/* The VM group's and the rule's names; ERR_EINVAL when they do not fit
 * VS_DRS_NAME_MAX. */
int vs_drs_host_group_names(char *vm_group, char *rule,
                            const char *host_group, bool must,
                            struct err *err);

/* The ReconfigureComputeResource_Task body of a host group join. */
struct vs_drs_hg_spec {
	const char *vm_group;
	const char *op;                 /* "add" / "edit"; NULL: no
	                                 * groupSpec */
	const struct vs_moref *vms;     /* the VM group's members */
	size_t nvms;
	const char *rule;               /* NULL: no rulesSpec */
	const char *host_group;
	bool must;                      /* the rule's mandatory */
};

/* Appends <spec xsi:type="ClusterConfigSpecEx"> to m: the rulesSpec
 * adding the ClusterVmHostRuleInfo {enabled, name, mandatory,
 * vmGroupName, affineHostGroupName}, then the groupSpec (schema
 * order). */
int vs_drs_add_host_group_spec(xmlNodePtr m, const struct vs_drs_hg_spec *s,
                               struct err *err);

/* The VM joins the host group's VM group and the VM-host rule is made
 * when missing, in ONE ReconfigureComputeResource_Task (none when
 * nothing is missing): under VS_DRS_LOCK_VM_GROUP, the lock Ruby's
 * vm_group.rb takes, with VS_DRS_LOCK_HOST_VM_GROUP (drs_rule.rb's) taken
 * inside it too when the rule is missing, then the rules read again.  A
 * group of the VM group's name that is a host group is an error
 * (ERR_EINVAL). */
int vs_drs_host_group_add_vm(struct vs_client *c,
                             const struct vs_moref *cluster,
                             const char *host_group, bool must,
                             const struct vs_moref *vm, struct err *err);

/* For delete_vm, before the VM is destroyed: reads the configurationEx of
 * the cluster owning pool (the VM's resource pool) in one read; when the
 * VM is a member of anti-affinity rules, takes the lock, reads again and
 * removes the VM from each; a rule left without members is removed.
 * Then the same for the cluster's VM groups holding the VM, under
 * VS_DRS_LOCK_VM_GROUP: the VM leaves each; a group left empty is removed
 * with the VM-host rules naming it (as Ruby's delete_vm_groups).
 * *nrules_out (may be NULL): how many rules and groups were changed.  A
 * pool whose owner is not a cluster: nothing to do. */
int vs_drs_rules_remove_vm(size_t *nrules_out, struct vs_client *c,
                           const struct vs_moref *pool,
                           const struct vs_moref *vm, struct err *err);
/* The same without the read: cluster is the cluster's object holding
 * its configurationEx (read with the VM, vs_vm_read_more). */
int vs_drs_rules_remove_vm_in(size_t *nrules_out, struct vs_client *c,
                              const struct vs_object *cluster,
                              const struct vs_moref *vm, struct err *err);

#endif
