/*
 * check_drs (simulator): DRS anti-affinity rules from the VM type's
 * datacenters[0].clusters entry (drs_rules: [{name, type:
 * separate_vms}]).  The rule is read back from the cluster's
 * configurationEx: created with the first VM, joined by the next, left by
 * delete_vm and dropped when empty.  Refused shapes make no VM.  With
 * the config's enable_auto_anti_affinity_drs_rules a VM joins the rule
 * named like its instance group (env.bosh.group), unless its VM type
 * names a rule.  vm_group puts the VM in that VM group of its cluster
 * (created when missing, dropped by the delete_vm of its last VM); a
 * failure after the VM joined a rule removes the VM and the rule.  A
 * host_group (the config's cluster entry, or the VM type's) puts the VM
 * in the VM group and VM-host rule named as Ruby names them, read back
 * from the cluster and gone after delete_vm.  Several
 * create_vm processes at once end in one rule holding every VM (the DRS
 * lock, a custom field definition, serializes them), and the lock is not
 * left behind.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/fake_transport.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"
#include "vsphere/client.h"
#include "vsphere/drs.h"
#include "vsphere/pc.h"
#include "vsphere/soap.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

#define ENV_SECRET "env-Secret-d75r"
#define NPROC 16

static char cids[NPROC][128];

/* create_vm arguments: rules (stolen) in the DC0_C0 entry, or no
 * datacenters at all when rules is NULL; env.bosh.group is group when
 * not NULL. */
static json_t *
vm_args_group(int i, json_t *rules, const char *group)
{
	char agent[32];
	json_t *nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                         "cloud_properties", "name", "BOSH-V4");
	json_t *cp = json_pack("{s:i,s:i,s:i}", "cpu", 1, "ram", 256, "disk",
	                       1024);
	json_t *bosh = json_pack("{s:s}", "password", ENV_SECRET);

	snprintf(agent, sizeof(agent), "agent-%d", i);
	if (rules != NULL)
		json_object_set_new(cp, "datacenters", json_pack(
		                    "[{s:s,s:[{s:{s:o}}]}]", "name", "DC0",
		                    "clusters", "DC0_C0", "drs_rules", rules));
	if (group != NULL)
		json_object_set_new(bosh, "group", json_string(group));
	return json_pack("[s,s,o,o,[],{s:o}]", agent, sim_fx.stemcell, cp, nets,
	                 "bosh", bosh);
}

static json_t *
vm_args(int i, json_t *rules)
{
	return vm_args_group(i, rules, NULL);
}

static json_t *
one_rule(const char *name, const char *type)
{
	return json_pack("[{s:s,s:s}]", "name", name, "type", type);
}

static const char *
message(const json_t *resp)
{
	return json_string_value(json_object_get(json_object_get(resp,
	                         "error"), "message"));
}

/* create_vm with args (stolen) and config cfg; the cid into cid. */
static void
create_with(char *cid, size_t size, const char *cfg, json_t *args)
{
	json_t *resp = sim_cpi_call(NULL, cfg, "create_vm", args);

	json_decref(args);
	ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s",
	              message(resp));
	snprintf(cid, size, "%s", json_string_value(json_array_get(
	         json_object_get(resp, "result"), 0)));
	json_decref(resp);
}

/* create_vm in rule `rule`; the cid (static buffer per call). */
static void
create(char *cid, size_t size, const char *rule)
{
	create_with(cid, size, sim_fx.defcfg,
	            vm_args(0, one_rule(rule, "separate_vms")));
}

static void
delete_vm(const char *cid)
{
	json_t *args = json_pack("[s]", cid);
	json_t *resp = sim_cpi_call(NULL, sim_fx.defcfg, "delete_vm", args);

	json_decref(args);
	ck_assert_msg(sim_error_type(resp) == NULL, "delete_vm: %s",
	              message(resp));
	json_decref(resp);
}

static struct vs_drs_rules *
cluster_rules(void)
{
	struct vs_object *o = NULL;
	struct vs_drs_rules *r = NULL;
	xmlNodePtr val;

	err_clear(&sim_fx.err);
	sim_cluster_config(&o, &val, sim_fx.cl);
	ck_assert_msg(vs_drs_rules_from_node(&r, val, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	vs_object_free(o);
	return r;
}

static const struct vs_drs_rule *
find_rule(const struct vs_drs_rules *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].name, name) == 0)
			return &r->items[i];
	}
	return NULL;
}

static struct vs_moref
vm_ref(const char *cid)
{
	struct vs_moref vm;
	char path[256];

	snprintf(path, sizeof(path), "DC0/vm/%s", cid);
	err_clear(&sim_fx.err);
	if (vs_find_by_inventory_path(&vm, sim_fx.cl, path, &sim_fx.err) != 0) {
		/* elsewhere under the VM folder: search the whole tree */
		static const char *const paths[] = { "name", NULL };
		struct vs_objects *l = NULL;
		const char *n;
		size_t i;

		err_clear(&sim_fx.err);
		ck_assert_int_eq(vs_pc_list(&l, sim_fx.cl,
		                 &vs_client_sc(sim_fx.cl)->root_folder,
		                 "VirtualMachine", paths, &sim_fx.err), 0);
		memset(&vm, 0, sizeof(vm));
		for (i = 0; i < l->n; i++) {
			if (vs_object_get_str(&n, &l->items[i], "name",
			                      &sim_fx.err) == 0 &&
			    strcmp(n, cid) == 0)
				vm = l->items[i].obj;
		}
		vs_objects_free(l);
	}
	ck_assert_msg(vm.value[0] != '\0', "VM %s not found", cid);
	return vm;
}

static bool
rule_has(const struct vs_drs_rule *r, const struct vs_moref *vm)
{
	size_t i;

	for (i = 0; i < r->nvms; i++) {
		if (strcmp(r->vms[i].value, vm->value) == 0)
			return true;
	}
	return false;
}

/* No custom field named like the DRS lock is left. */
static void
assert_unlocked(void)
{
	static const char *const paths[] = { "field", NULL };
	struct vs_object *o = NULL;
	xmlNodePtr val, f;

	err_clear(&sim_fx.err);
	ck_assert_msg(vs_get_props(&o, sim_fx.cl,
	              &vs_client_sc(sim_fx.cl)->custom_fields_manager, paths,
	              &sim_fx.err) == 0, "%s", sim_fx.err.message);
	if (vs_object_get_node(&val, o, "field", &sim_fx.err) == 0) {
		for (f = vs_xml_child(val, "CustomFieldDef"); f != NULL;
		     f = vs_xml_next(f, "CustomFieldDef")) {
			char *name = vs_xml_child_text(f, "name");

			ck_assert_msg(name == NULL ||
			              (strcmp(name, VS_DRS_LOCK) != 0 &&
			               strcmp(name, VS_DRS_LOCK_VM_GROUP) != 0 &&
			               strcmp(name,
			                      VS_DRS_LOCK_HOST_VM_GROUP) != 0),
			              "the DRS lock %s was left held", name);
			xmlFree(name);
		}
	}
	vs_object_free(o);
}

static size_t
count_vms(void)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *l = NULL;
	const char *n;
	size_t i, k = 0;

	err_clear(&sim_fx.err);
	ck_assert_int_eq(vs_pc_list(&l, sim_fx.cl,
	                            &vs_client_sc(sim_fx.cl)->root_folder,
	                            "VirtualMachine", paths, &sim_fx.err), 0);
	for (i = 0; i < l->n; i++) {
		if (vs_object_get_str(&n, &l->items[i], "name",
		                      &sim_fx.err) == 0 &&
		    strncmp(n, "vm-", 3) == 0)
			k++;
	}
	vs_objects_free(l);
	return k;
}

/* Two VMs in rule r1: created with the first, joined by the second;
 * delete_vm takes each out, the last one drops the rule. */
START_TEST(test_rule_lifecycle)
{
	struct vs_drs_rules *r;
	const struct vs_drs_rule *rule;
	struct vs_moref a, b;
	char ca[128], cb[128];

	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "r1"));
	vs_drs_rules_free(r);
	create(ca, sizeof(ca), "r1");
	a = vm_ref(ca);
	r = cluster_rules();
	rule = find_rule(r, "r1");
	ck_assert_ptr_nonnull(rule);
	ck_assert_str_eq(rule->type, "ClusterAntiAffinityRuleSpec");
	ck_assert(rule->enabled);
	ck_assert_uint_eq(rule->nvms, 1);
	ck_assert(rule_has(rule, &a));
	vs_drs_rules_free(r);
	create(cb, sizeof(cb), "r1");
	b = vm_ref(cb);
	r = cluster_rules();
	rule = find_rule(r, "r1");
	ck_assert_ptr_nonnull(rule);
	ck_assert_uint_eq(rule->nvms, 2);
	ck_assert(rule_has(rule, &a) && rule_has(rule, &b));
	vs_drs_rules_free(r);
	assert_unlocked();
	delete_vm(ca);
	r = cluster_rules();
	rule = find_rule(r, "r1");
	ck_assert_ptr_nonnull(rule);
	ck_assert_uint_eq(rule->nvms, 1);
	ck_assert(rule_has(rule, &b));
	vs_drs_rules_free(r);
	delete_vm(cb);
	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "r1"));
	vs_drs_rules_free(r);
	assert_unlocked();
}
END_TEST

static void
assert_refused(json_t *rules, const char *want)
{
	size_t before = count_vms();
	json_t *args = vm_args(0, rules);
	json_t *resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);

	json_decref(args);
	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), want) != NULL, "%s",
	              message(resp));
	json_decref(resp);
	ck_assert_uint_eq(count_vms(), before);
}

/* As Ruby's validate_drs_rules: refused before anything is made. */
START_TEST(test_refused_shapes)
{
	assert_refused(one_rule("r2", "separate_hosts"),
	               "only separate_vms is supported");
	assert_refused(json_pack("[{s:s,s:s},{s:s,s:s}]", "name", "a",
	                         "type", "separate_vms", "name", "b", "type",
	                         "separate_vms"),
	               "only one DRS rule per cluster");
	assert_refused(json_pack("[{s:s}]", "type", "separate_vms"),
	               "drs_rules[0].name must be");
	assert_refused(json_pack("{s:s}", "name", "x"),
	               "drs_rules must be an array");
}
END_TEST

/* enable_auto_anti_affinity_drs_rules: a VM of instance group G (and no
 * drs_rules of its own) is in the rule G; drs_rules of the VM type win
 * over it; without a group, no rule. */
START_TEST(test_auto_rule_per_group)
{
	json_t *extra = json_pack("{s:b}", "enable_auto_anti_affinity_drs_"
	                          "rules", 1);
	const char *cfg = sim_config(extra);
	struct vs_drs_rules *r;
	const struct vs_drs_rule *rule;
	char cids3[3][128];
	struct vs_moref a, b;
	json_t *args, *resp;
	size_t before, i;

	json_decref(extra);
	r = cluster_rules();
	before = r->n;
	vs_drs_rules_free(r);
	for (i = 0; i < 3; i++) {
		args = i == 0 ? vm_args_group(0, NULL, "zookeeper") :
		       i == 1 ? vm_args_group(1, one_rule("own", "separate_"
		                              "vms"), "zookeeper") :
		       vm_args_group(2, NULL, NULL);
		resp = sim_cpi_call(NULL, cfg, "create_vm", args);
		json_decref(args);
		ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s",
		              message(resp));
		snprintf(cids3[i], sizeof(cids3[i]), "%s", json_string_value(
		         json_array_get(json_object_get(resp, "result"), 0)));
		json_decref(resp);
	}
	a = vm_ref(cids3[0]);
	b = vm_ref(cids3[1]);
	r = cluster_rules();
	rule = find_rule(r, "zookeeper");
	ck_assert_ptr_nonnull(rule);
	ck_assert_uint_eq(rule->nvms, 1);
	ck_assert(rule_has(rule, &a));
	rule = find_rule(r, "own");
	ck_assert_ptr_nonnull(rule);
	ck_assert_uint_eq(rule->nvms, 1);
	ck_assert(rule_has(rule, &b));
	/* the VM without a group is in no new rule */
	ck_assert_uint_eq(r->n, before + 2);
	vs_drs_rules_free(r);
	for (i = 0; i < 3; i++)
		delete_vm(cids3[i]);
	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "zookeeper"));
	ck_assert_ptr_null(find_rule(r, "own"));
	vs_drs_rules_free(r);
	assert_unlocked();
}
END_TEST

/* Without the config key, a group makes no rule. */
START_TEST(test_no_auto_rule_by_default)
{
	struct vs_drs_rules *r;
	json_t *args = vm_args_group(0, NULL, "kafka");
	json_t *resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
	char cid[128];

	json_decref(args);
	ck_assert_msg(sim_error_type(resp) == NULL, "%s", message(resp));
	snprintf(cid, sizeof(cid), "%s", json_string_value(json_array_get(
	         json_object_get(resp, "result"), 0)));
	json_decref(resp);
	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "kafka"));
	vs_drs_rules_free(r);
	delete_vm(cid);
}
END_TEST

/* --- VM groups -------------------------------------------------------- */

static struct vs_drs_groups *
cluster_groups(void)
{
	struct vs_object *o = NULL;
	struct vs_drs_groups *g = NULL;
	xmlNodePtr val;

	err_clear(&sim_fx.err);
	sim_cluster_config(&o, &val, sim_fx.cl);
	ck_assert_msg(vs_drs_groups_from_node(&g, val, &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	vs_object_free(o);
	return g;
}

static const struct vs_drs_group *
find_group(const struct vs_drs_groups *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		if (strcmp(g->items[i].name, name) == 0)
			return &g->items[i];
	}
	return NULL;
}

static bool
group_has(const struct vs_drs_group *g, const struct vs_moref *vm)
{
	size_t i;

	for (i = 0; i < g->nvms; i++) {
		if (strcmp(g->vms[i].value, vm->value) == 0)
			return true;
	}
	return false;
}

/* An operator's host group made with a raw request: empty, or with
 * every host of DC0_C0 (hosts true). */
static void
add_host_group(const char *name, bool hosts)
{
	static const char *const paths[] = { "host", NULL };
	struct vs_moref cluster, task;
	struct vs_object *o = NULL;
	const struct vs_moref *hs = NULL;
	size_t nhs = 0, i;
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r, spec, gs, info;

	err_clear(&sim_fx.err);
	ck_assert_int_eq(vs_find_by_inventory_path(&cluster, sim_fx.cl,
	                 "DC0/host/DC0_C0", &sim_fx.err), 0);
	ck_assert_int_eq(vs_get_props(&o, sim_fx.cl, &cluster, paths,
	                              &sim_fx.err), 0);
	if (hosts)
		ck_assert_int_eq(vs_object_get_morefs(&hs, &nhs, o, "host",
		                                      &sim_fx.err), 0);
	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "ReconfigureComputeResource_Task", &cluster,
	                 &sim_fx.err), 0);
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	gs = vs_soap_add_obj(spec, "groupSpec", NULL);
	vs_soap_add_text(gs, "operation", "add");
	info = vs_soap_add_obj(gs, "info", "ClusterHostGroup");
	vs_soap_add_text(info, "name", name);
	for (i = 0; i < nhs; i++)
		vs_soap_add_moref(info, "host", &hs[i]);
	vs_object_free(o);
	vs_soap_add_bool(m, "modify", true);
	ck_assert_msg(vs_client_call(sim_fx.cl, req, &resp, &r,
	                             &sim_fx.err) == 0, "%s",
	              sim_fx.err.message);
	ck_assert_int_eq(vs_xml_moref(&task, vs_xml_child(r, "returnval"),
	                              &sim_fx.err), 0);
	xmlFreeDoc(resp);
	sleep(1);       /* the simulator's task is done at once */
}

static json_t *
vm_args_vm_group(int i, json_t *rules, const char *vm_group)
{
	json_t *args = vm_args_group(i, rules, NULL);

	json_object_set_new(json_array_get(args, 2), "vm_group",
	                    json_string(vm_group));
	return args;
}

/* vm_group: the first VM creates the group, the second joins it;
 * delete_vm takes each out and the last one drops the group. */
START_TEST(test_vm_group_lifecycle)
{
	struct vs_drs_groups *g;
	const struct vs_drs_group *grp;
	struct vs_moref a, b;
	char cids2[2][128];
	json_t *args, *resp;
	int i;

	for (i = 0; i < 2; i++) {
		args = vm_args_vm_group(i, NULL, "vmg1");
		resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
		json_decref(args);
		ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s",
		              message(resp));
		snprintf(cids2[i], sizeof(cids2[i]), "%s", json_string_value(
		         json_array_get(json_object_get(resp, "result"), 0)));
		json_decref(resp);
	}
	a = vm_ref(cids2[0]);
	b = vm_ref(cids2[1]);
	g = cluster_groups();
	grp = find_group(g, "vmg1");
	ck_assert_ptr_nonnull(grp);
	ck_assert_str_eq(grp->type, "ClusterVmGroup");
	ck_assert_uint_eq(grp->nvms, 2);
	ck_assert(group_has(grp, &a) && group_has(grp, &b));
	vs_drs_groups_free(g);
	delete_vm(cids2[0]);
	g = cluster_groups();
	grp = find_group(g, "vmg1");
	ck_assert_ptr_nonnull(grp);
	ck_assert_uint_eq(grp->nvms, 1);
	ck_assert(group_has(grp, &b));
	vs_drs_groups_free(g);
	delete_vm(cids2[1]);
	g = cluster_groups();
	ck_assert_ptr_null(find_group(g, "vmg1"));
	vs_drs_groups_free(g);
	assert_unlocked();
}
END_TEST

/* A failure after the VM joined a rule (vm_group names a host group):
 * VMCreationFailed, the VM removed, and with it the rule it had made. */
START_TEST(test_failure_after_rule_cleans_up)
{
	struct vs_drs_rules *r;
	size_t before = count_vms();
	json_t *args, *resp;

	add_host_group("hosts-x", false);
	args = vm_args_vm_group(0, one_rule("r-fail", "separate_vms"),
	                        "hosts-x");
	resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
	json_decref(args);
	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp),
	                 "Bosh::Clouds::VMCreationFailed");
	ck_assert_msg(strstr(message(resp), "not a VM group") != NULL, "%s",
	              message(resp));
	json_decref(resp);
	ck_assert_uint_eq(count_vms(), before);
	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "r-fail"));
	vs_drs_rules_free(r);
	assert_unlocked();
}
END_TEST

/* --- host groups ---------------------------------------------------- */

/* create_vm arguments with props (stolen) as the DC0_C0 entry. */
static json_t *
vm_args_cluster(int i, json_t *props)
{
	json_t *args = vm_args_group(i, NULL, NULL);

	json_object_set_new(json_array_get(args, 2), "datacenters", json_pack(
	                    "[{s:s,s:[{s:o}]}]", "name", "DC0", "clusters",
	                    "DC0_C0", props));
	return args;
}

/* The text of field in the cluster's rule `rule` (malloc'd; NULL when
 * the rule or the field is missing). */
static char *
rule_field(const char *rule, const char *field)
{
	struct vs_object *o = NULL;
	xmlNodePtr val, n;
	char *name, *out = NULL;

	err_clear(&sim_fx.err);
	sim_cluster_config(&o, &val, sim_fx.cl);
	for (n = vs_xml_child(val, "rule"); n != NULL && out == NULL;
	     n = vs_xml_next(n, "rule")) {
		name = vs_xml_child_text(n, "name");
		if (name != NULL && strcmp(name, rule) == 0) {
			char *t = vs_xml_child_text(n, field);

			out = strdup(t != NULL ? t : "");
			xmlFree(t);
		}
		xmlFree(name);
	}
	vs_object_free(o);
	return out;
}

static void
assert_rule(const char *rule, const char *field, const char *want)
{
	char *got = rule_field(rule, field);

	ck_assert_msg(got != NULL, "rule %s missing", rule);
	ck_assert_str_eq(got, want);
	free(got);
}

/* The VM group `name` holds exactly the n VMs of cids. */
static void
assert_group(const char *name, char cids_[][128], size_t n)
{
	struct vs_drs_groups *g = cluster_groups();
	const struct vs_drs_group *grp = find_group(g, name);
	struct vs_moref vm;
	size_t i;

	ck_assert_msg(grp != NULL, "VM group %s missing", name);
	ck_assert_str_eq(grp->type, "ClusterVmGroup");
	ck_assert_uint_eq(grp->nvms, n);
	for (i = 0; i < n; i++) {
		vm = vm_ref(cids_[i]);
		ck_assert(group_has(grp, &vm));
	}
	vs_drs_groups_free(g);
}

static void
assert_group_and_rule_gone(const char *group, const char *rule)
{
	struct vs_drs_groups *g = cluster_groups();
	char *f = rule_field(rule, "name");

	ck_assert_ptr_null(find_group(g, group));
	ck_assert_msg(f == NULL, "rule %s left", rule);
	vs_drs_groups_free(g);
}

/* The last CloneVM_Task the simulator received asked for host `host`
 * of the group (the simulator itself keeps the source's host). */
static void
assert_clone_host(void)
{
	const char *dir = getenv("VCSIM_REQUEST_DIR");
	char best[256] = "", path[2200];
	struct dirent *de;
	char *body;
	DIR *d;

	if (dir == NULL || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, "-CloneVM_Task.request") != NULL &&
		    strcmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	ck_assert(best[0] != '\0');
	snprintf(path, sizeof(path), "%s/%s", dir, best);
	body = ft_read_file(path);
	ck_assert_msg(strstr(body, "</pool><host type=\"HostSystem\">") !=
	              NULL, "no host in %s", best);
	free(body);
}

/* The config's cluster entry with a plain host_group (MUST, as in Ruby):
 * the VM is cloned onto a host of the group, joins "hg1MUST_vm_group",
 * and the mandatory rule "hg1MUST_vm_group_rule" binds that group to the
 * host group; delete_vm drops both. */
START_TEST(test_host_group_config)
{
	json_t *extra = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s,s:s,s:[{s:{s:s}}]}]}",
	                          "datacenters", "name", "DC0", "vm_folder",
	                          "BOSH_VMs", "template_folder",
	                          "BOSH_Templates", "disk_path", "BOSH_Disks",
	                          "datastore_pattern", "^LocalDS_",
	                          "persistent_datastore_pattern", "^LocalDS_",
	                          "clusters", "DC0_C0", "host_group", "hg1");
	const char *cfg = sim_config(extra);
	char one[1][128];

	json_decref(extra);
	add_host_group("hg1", true);
	create_with(one[0], sizeof(one[0]), cfg, vm_args(0, NULL));
	assert_clone_host();
	assert_group("hg1MUST_vm_group", one, 1);
	assert_rule("hg1MUST_vm_group_rule", "mandatory", "true");
	assert_rule("hg1MUST_vm_group_rule", "vmGroupName",
	            "hg1MUST_vm_group");
	assert_rule("hg1MUST_vm_group_rule", "affineHostGroupName", "hg1");
	assert_rule("hg1MUST_vm_group_rule", "enabled", "true");
	assert_unlocked();
	delete_vm(one[0]);
	assert_group_and_rule_gone("hg1MUST_vm_group",
	                           "hg1MUST_vm_group_rule");
	assert_unlocked();
}
END_TEST

/* The VM type's cluster entry with host_group {name, drs_rule: SHOULD}:
 * two VMs share the group and the one rule (not mandatory); the group
 * and rule go with the last VM. */
START_TEST(test_host_group_vm_type)
{
	char two[2][128];
	int i;

	add_host_group("hg2", true);
	for (i = 0; i < 2; i++)
		create_with(two[i], sizeof(two[i]), sim_fx.defcfg,
		            vm_args_cluster(i, json_pack("{s:{s:s,s:s}}",
		                            "host_group", "name", "hg2",
		                            "drs_rule", "SHOULD")));
	assert_group("hg2SHOULD_vm_group", two, 2);
	assert_rule("hg2SHOULD_vm_group_rule", "mandatory", "false");
	assert_rule("hg2SHOULD_vm_group_rule", "affineHostGroupName", "hg2");
	delete_vm(two[0]);
	assert_group("hg2SHOULD_vm_group", two + 1, 1);
	assert_rule("hg2SHOULD_vm_group_rule", "vmGroupName",
	            "hg2SHOULD_vm_group");
	delete_vm(two[1]);
	assert_group_and_rule_gone("hg2SHOULD_vm_group",
	                           "hg2SHOULD_vm_group_rule");
	assert_unlocked();
}
END_TEST

/* A host group the cluster lacks: CloudError before anything is made;
 * a failure after the VM joined (vm_group naming a host group): the VM,
 * its VM group and the rule go. */
START_TEST(test_host_group_missing_and_failure)
{
	size_t before = count_vms();
	json_t *resp, *args;

	args = vm_args_cluster(0, json_pack("{s:s}", "host_group", "nope"));
	resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
	json_decref(args);
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), "host group 'nope' not found "
	                     "in cluster 'DC0_C0'") != NULL, "%s",
	              message(resp));
	json_decref(resp);
	ck_assert_uint_eq(count_vms(), before);
	add_host_group("hg3", true);
	add_host_group("hosts-y", false);
	args = vm_args_cluster(0, json_pack("{s:s}", "host_group", "hg3"));
	json_object_set_new(json_array_get(args, 2), "vm_group",
	                    json_string("hosts-y"));
	resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
	json_decref(args);
	ck_assert_str_eq(sim_error_type(resp),
	                 "Bosh::Clouds::VMCreationFailed");
	json_decref(resp);
	ck_assert_uint_eq(count_vms(), before);
	assert_group_and_rule_gone("hg3MUST_vm_group",
	                           "hg3MUST_vm_group_rule");
	assert_unlocked();
}
END_TEST

/* A host group bound with MUST stands for its cluster's memory, as in
 * the Ruby CPI: a group without hosts leaves DC0_C0 none (CloudError
 * before anything is made, naming the rule); the same group with SHOULD
 * counts the cluster's memory, and the VM is made (DRS places it). */
START_TEST(test_host_group_must_memory)
{
	size_t before = count_vms();
	char one[1][128];
	json_t *resp, *args;

	add_host_group("hg-empty", false);
	args = vm_args_cluster(0, json_pack("{s:s}", "host_group",
	                                    "hg-empty"));
	resp = sim_cpi_call(NULL, sim_fx.defcfg, "create_vm", args);
	json_decref(args);
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_msg(strstr(message(resp), "memory to spare") != NULL &&
	              strstr(message(resp), "MUST") != NULL, "%s",
	              message(resp));
	json_decref(resp);
	ck_assert_uint_eq(count_vms(), before);
	create_with(one[0], sizeof(one[0]), sim_fx.defcfg,
	            vm_args_cluster(0, json_pack("{s:{s:s,s:s}}",
	                            "host_group", "name", "hg-empty",
	                            "drs_rule", "SHOULD")));
	assert_group("hg-emptySHOULD_vm_group", one, 1);
	delete_vm(one[0]);
	assert_group_and_rule_gone("hg-emptySHOULD_vm_group",
	                           "hg-emptySHOULD_vm_group_rule");
	assert_unlocked();
}
END_TEST

/* --- many at once ---------------------------------------------------- */

static void
child(const char *tag, int i)
{
	bool create_ = strcmp(tag, "create") == 0;
	json_t *args, *resp;
	char path[2200];
	FILE *f;

	args = create_ ? vm_args(i, one_rule("many", "separate_vms")) :
	       json_pack("[s]", cids[i]);
	resp = sim_cpi_call(NULL, sim_fx.defcfg,
	                    create_ ? "create_vm" : "delete_vm",
	                    args);
	json_decref(args);
	snprintf(path, sizeof(path), "%s/drs-%s-%d", sim_fx.outdir, tag, i);
	f = fopen(path, "w");
	if (f == NULL)
		_exit(2);
	if (resp == NULL)
		fprintf(f, "ERR no answer\n");
	else if (sim_error_type(resp) != NULL)
		fprintf(f, "ERR %s\n", message(resp));
	else if (create_)
		fprintf(f, "OK %s\n", json_string_value(json_array_get(
		        json_object_get(resp, "result"), 0)));
	else
		fprintf(f, "OK -\n");
	fclose(f);
	json_decref(resp);
	_exit(0);
}

static int
run_all(const char *tag)
{
	pid_t pids[NPROC];
	char path[2200], line[1024];
	int i, st, nfail = 0;
	FILE *f;

	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			child(tag, i);
	}
	for (i = 0; i < NPROC; i++) {
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	for (i = 0; i < NPROC; i++) {
		snprintf(path, sizeof(path), "%s/drs-%s-%d", sim_fx.outdir, tag,
		         i);
		f = fopen(path, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert(fgets(line, sizeof(line), f) != NULL);
		fclose(f);
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "OK ", 3) != 0) {
			fprintf(stderr, "%s %d: %s\n", tag, i, line);
			nfail++;
			if (strcmp(tag, "create") == 0)
				cids[i][0] = '\0';
		} else if (strcmp(tag, "create") == 0) {
			snprintf(cids[i], sizeof(cids[i]), "%.120s",
			         line + 3);
		}
	}
	return nfail;
}

/* NPROC create_vm at once in one rule: one rule holding all of them;
 * then NPROC delete_vm at once: no rule left, no lock left. */
START_TEST(test_concurrent_one_rule)
{
	struct vs_drs_rules *r;
	const struct vs_drs_rule *rule;
	struct vs_moref vm;
	int i, nfail;

	nfail = run_all("create");
	r = cluster_rules();
	rule = find_rule(r, "many");
	if (nfail == 0) {
		ck_assert_ptr_nonnull(rule);
		ck_assert_uint_eq(rule->nvms, NPROC);
		for (i = 0; i < NPROC; i++) {
			vm = vm_ref(cids[i]);
			ck_assert_msg(rule_has(rule, &vm), "%s not in the "
			              "rule", cids[i]);
		}
	}
	vs_drs_rules_free(r);
	assert_unlocked();
	ck_assert_int_eq(nfail, 0);
	nfail = run_all("delete");
	ck_assert_int_eq(nfail, 0);
	r = cluster_rules();
	ck_assert_ptr_null(find_rule(r, "many"));
	vs_drs_rules_free(r);
	assert_unlocked();
	ck_assert_uint_eq(count_vms(), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("drs");
	TCase *tc = sim_fixture_tcase(900);

	tcase_add_test(tc, test_rule_lifecycle);
	tcase_add_test(tc, test_refused_shapes);
	tcase_add_test(tc, test_auto_rule_per_group);
	tcase_add_test(tc, test_no_auto_rule_by_default);
	tcase_add_test(tc, test_vm_group_lifecycle);
	tcase_add_test(tc, test_failure_after_rule_cleans_up);
	tcase_add_test(tc, test_host_group_config);
	tcase_add_test(tc, test_host_group_vm_type);
	tcase_add_test(tc, test_host_group_missing_and_failure);
	tcase_add_test(tc, test_host_group_must_memory);
	tcase_add_test(tc, test_concurrent_one_rule);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_drs", true, suite);
}
