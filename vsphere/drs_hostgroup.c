/*
 * vsphere/drs_hostgroup.c: a cluster entry's host_group: the VM group
 * and VM-host rule binding the VM to the host group (see drs.h; the
 * clone's host and the group's memory come from the placement read,
 * vsphere/placement.c).
 */
#include "vsphere/drs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/drs_int.h"
#include "vsphere/vim.h"

#define VM_HOST_RULE "ClusterVmHostRuleInfo"

int
vs_drs_host_group_names(char *vm_group, char *rule, const char *host_group,
                        bool must, struct err *err)
{
	int n;

	if (host_group == NULL || host_group[0] == '\0')
		return err_set(err, ERR_EINVAL, "host group: no name");
	/* resources/cluster.rb: vm_group, vm_host_affinity_rule_name */
	n = snprintf(vm_group, VS_DRS_NAME_MAX, "%s%s_vm_group", host_group,
	             must ? "MUST" : "SHOULD");
	if (n > 0 && n < VS_DRS_NAME_MAX)
		n = snprintf(rule, VS_DRS_NAME_MAX, "%s_rule", vm_group);
	if (n <= 0 || n >= VS_DRS_NAME_MAX)
		return err_set(err, ERR_EINVAL, "host group %.64s…: name too "
		               "long", host_group);
	return 0;
}

/* ClusterRuleSpec {ArrayUpdateSpec {operation}; info};
 * ClusterVmHostRuleInfo {ClusterRuleInfo {key, status, enabled, name,
 * mandatory, userCreated, inCompliance, ruleUuid}; vmGroupName,
 * affineHostGroupName, antiAffineHostGroupName}. */
static bool
add_rule(xmlNodePtr spec, const struct vs_drs_hg_spec *s)
{
	xmlNodePtr rs, info;

	rs = vs_soap_add_obj(spec, "rulesSpec", NULL);
	if (rs == NULL || vs_soap_add_text(rs, "operation", "add") == NULL)
		return false;
	info = vs_soap_add_obj(rs, "info", VM_HOST_RULE);
	return info != NULL &&
	       vs_soap_add_bool(info, "enabled", true) != NULL &&
	       vs_soap_add_text(info, "name", s->rule) != NULL &&
	       vs_soap_add_bool(info, "mandatory", s->must) != NULL &&
	       vs_soap_add_text(info, "vmGroupName", s->vm_group) != NULL &&
	       vs_soap_add_text(info, "affineHostGroupName",
	                        s->host_group) != NULL;
}

int
vs_drs_add_host_group_spec(xmlNodePtr m, const struct vs_drs_hg_spec *s,
                           struct err *err)
{
	xmlNodePtr spec;
	bool ok;

	if (s->vm_group == NULL || (s->rule != NULL && s->host_group == NULL))
		return err_set(err, ERR_EINVAL, "host group spec: bad "
		               "arguments");
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	ok = spec != NULL;
	if (ok && s->rule != NULL)
		ok = add_rule(spec, s);
	if (ok && s->op != NULL)
		ok = vs_drs__add_group_spec(spec, s->op, s->vm_group, s->vms,
		                            s->nvms) != NULL;
	if (!ok)
		return err_set(err, ERR_ENOMEM, "out of memory");
	return 0;
}

/* --- the join ---------------------------------------------------------- */

struct hg_job {
	struct vs_client *c;
	const struct vs_moref *cluster;
	const struct vs_moref *vm;
	struct vs_drs_hg_spec spec;
	char vm_group[VS_DRS_NAME_MAX];
	char rule[VS_DRS_NAME_MAX];
	struct vs_moref *vms;           /* the group's members with the VM */
};

/* One task with what is missing (nothing: no task). */
static int
hg_send(struct hg_job *j, bool add_rule, struct err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	int rc;

	j->spec.rule = add_rule ? j->rule : NULL;
	if (j->spec.op == NULL && !add_rule)
		return 0;
	vs_client_logf(j->c, 0, "DRS host group %s: %s%s%s%s",
	               j->spec.host_group, j->spec.op != NULL ?
	               j->vm->value : "", j->spec.op != NULL ? " joins " : "",
	               j->spec.op != NULL ? j->vm_group : "",
	               add_rule ? ", VM-host rule created" : "");
	rc = vs_soap_request_new(&doc, &m, "ReconfigureComputeResource_Task",
	                         j->cluster, err);
	if (rc == 0)
		rc = vs_drs_add_host_group_spec(m, &j->spec, err);
	if (rc != 0) {
		xmlFreeDoc(doc);
		return rc;
	}
	return vs_drs__send(j->c, j->cluster, doc, m, "VM group",
	                    j->vm_group, err);
}

/* Under both locks: the rules read again, the rule made if still
 * missing. */
static int
hg_inner(void *ctx, struct err *err)
{
	struct hg_job *j = ctx;
	struct vs_drs_rules *rules = NULL;
	int rc;

	rc = vs_drs__read_config(&rules, NULL, j->c, j->cluster, err);
	if (rc == 0)
		rc = hg_send(j, vs_drs__rule_find(rules, j->rule) == NULL,
		             err);
	vs_drs_rules_free(rules);
	return rc;
}

/* The group's operation: add (missing), edit (the VM joins) or none. */
static int
hg_plan(struct hg_job *j, const struct vs_drs_groups *groups,
        struct err *err)
{
	const struct vs_drs_group *g = NULL;
	size_t i;

	for (i = 0; i < groups->n && g == NULL; i++) {
		if (strcmp(groups->items[i].name, j->vm_group) == 0)
			g = &groups->items[i];
	}
	if (g != NULL && strcmp(g->type, "ClusterVmGroup") != 0)
		return err_set(err, ERR_EINVAL, "DRS group %s in %s is a %s, "
		               "not a VM group", j->vm_group,
		               j->cluster->value, g->type);
	if (g != NULL && vs_drs__has_ref(g->vms, g->nvms, j->vm))
		return 0;
	j->vms = calloc((g != NULL ? g->nvms : 0) + 1, sizeof(*j->vms));
	if (j->vms == NULL)
		return err_set(err, ERR_ENOMEM, "out of memory");
	if (g != NULL && g->nvms > 0)
		memcpy(j->vms, g->vms, g->nvms * sizeof(*j->vms));
	j->spec.nvms = (g != NULL ? g->nvms : 0) + 1;
	j->vms[j->spec.nvms - 1] = *j->vm;
	j->spec.vms = j->vms;
	j->spec.op = g != NULL ? "edit" : "add";
	return 0;
}

/* Under VS_DRS_LOCK_VM_GROUP. */
static int
hg_outer(void *ctx, struct err *err)
{
	struct hg_job *j = ctx;
	struct vs_drs_rules *rules = NULL;
	struct vs_drs_groups *groups = NULL;
	int rc;

	rc = vs_drs__read_config(&rules, &groups, j->c, j->cluster, err);
	if (rc == 0)
		rc = hg_plan(j, groups, err);
	if (rc == 0 && vs_drs__rule_find(rules, j->rule) == NULL)
		rc = vs_drs__with_lock(j->c, VS_DRS_LOCK_HOST_VM_GROUP,
		                       hg_inner, j, err);
	else if (rc == 0)
		rc = hg_send(j, false, err);
	vs_drs_rules_free(rules);
	vs_drs_groups_free(groups);
	return rc;
}

int
vs_drs_host_group_add_vm(struct vs_client *c, const struct vs_moref *cluster,
                         const char *host_group, bool must,
                         const struct vs_moref *vm, struct err *err)
{
	struct hg_job j;
	int rc;

	if (cluster == NULL || vm == NULL)
		return err_set(err, ERR_EINVAL, "DRS host group: bad "
		               "arguments");
	memset(&j, 0, sizeof(j));
	rc = vs_drs_host_group_names(j.vm_group, j.rule, host_group, must,
	                             err);
	if (rc != 0)
		return rc;
	j.c = c;
	j.cluster = cluster;
	j.vm = vm;
	j.spec.vm_group = j.vm_group;
	j.spec.host_group = host_group;
	j.spec.must = must;
	rc = vs_drs__with_lock(c, VS_DRS_LOCK_VM_GROUP, hg_outer, &j, err);
	free(j.vms);
	return rc;
}
