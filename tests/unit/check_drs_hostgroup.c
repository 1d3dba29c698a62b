/*
 * check_drs_hostgroup: vsphere/drs.h's host groups over a fake
 * transport: the names Ruby gives the VM group and the VM-host rule, the
 * ReconfigureComputeResource_Task body (rulesSpec before groupSpec,
 * ClusterVmHostRuleInfo's fields in vim25 order, mandatory for MUST
 * only), the locks (drs_lock_vm_group, host_vm_group inside it only when
 * the rule is missing), no task when nothing is missing, and the clone's
 * host (the first healthy host of a MUST group, none for SHOULD); the
 * VM cloud property host_group as cpi/vm_props.h reads it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/vm_props.h"
#include "tests/support/fake_transport.h"
#include "vsphere/drs.h"
#include "vsphere/vsphere.h"

static const struct vs_moref cluster = { "ClusterComputeResource",
                                         "domain-c7" };
static const struct vs_moref vm1 = { "VirtualMachine", "vm-1" };

static void
setup(void)
{
	ft_reset("drs_hostgroup");
}

static void
teardown(void)
{
	ft_clear();
}

static void
locked(int key, const char *name)
{
	char *inner = ft_fmt("<returnval><key>%d</key><name>%s</name>"
	                     "<type>string</type><managedObjectType>"
	                     "VirtualMachine</managedObjectType></returnval>",
	                     key, name);

	ft_reply("AddCustomFieldDef", inner);
	free(inner);
}

/* The cluster's configurationEx holding groups and rules; extra: more
 * <objects> (hosts). */
static void
config_ex(const char *inner_cfg, const char *extra)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\""
	                     "ClusterComputeResource\">domain-c7</obj>"
	                     "<propSet><name>configurationEx</name><val "
	                     "xsi:type=\"ClusterConfigInfoEx\"><drsConfig/>%s"
	                     "</val></propSet></objects>%s</returnval>",
	                     inner_cfg, extra);

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

#define VM(v) "<vm type=\"VirtualMachine\">" v "</vm>"
#define HOST(v) "<host type=\"HostSystem\">" v "</host>"
#define HOST_GROUP(name, hosts)                                         \
	"<group xsi:type=\"ClusterHostGroup\"><name>" name "</name>"    \
	hosts "</group>"
#define VM_GROUP(name, vms)                                             \
	"<group xsi:type=\"ClusterVmGroup\"><name>" name "</name>"      \
	vms "</group>"
#define VM_HOST_RULE(key, name, group, hg)                              \
	"<rule xsi:type=\"ClusterVmHostRuleInfo\"><key>" key "</key>"   \
	"<enabled>true</enabled><name>" name "</name><mandatory>true"   \
	"</mandatory><vmGroupName>" group "</vmGroupName>"              \
	"<affineHostGroupName>" hg "</affineHostGroupName></rule>"
START_TEST(test_names)
{
	char g[VS_DRS_NAME_MAX], r[VS_DRS_NAME_MAX];
	char *big = malloc(VS_DRS_NAME_MAX);
	struct err err = {0};

	ck_assert_int_eq(vs_drs_host_group_names(g, r, "hg1", true, &err), 0);
	ck_assert_str_eq(g, "hg1MUST_vm_group");
	ck_assert_str_eq(r, "hg1MUST_vm_group_rule");
	ck_assert_int_eq(vs_drs_host_group_names(g, r, "hg1", false, &err),
	                 0);
	ck_assert_str_eq(g, "hg1SHOULD_vm_group");
	ck_assert_str_eq(r, "hg1SHOULD_vm_group_rule");
	memset(big, 'x', VS_DRS_NAME_MAX - 1);
	big[VS_DRS_NAME_MAX - 1] = '\0';
	ck_assert_int_eq(vs_drs_host_group_names(g, r, big, true, &err),
	                 ERR_EINVAL);
	free(big);
}
END_TEST

/* Nothing there yet: both locks, the rules read again under the inner
 * one, then ONE task making the rule and the group. */
START_TEST(test_join_creates_both)
{
	struct err err = {0};
	struct vs_client *c;

	locked(8, "drs_lock_vm_group");
	config_ex(HOST_GROUP("hg", HOST("host-1")), "");
	locked(9, "host_vm_group");
	config_ex(HOST_GROUP("hg", HOST("host-1")), "");
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_host_group_add_vm(c, &cluster, "hg", true,
	                                          &vm1, &err), 0);
	ft_finish(c);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<name>drs_lock_vm_group</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2),
	                             "<name>host_vm_group</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4),
	      "<spec xsi:type=\"ClusterConfigSpecEx\"><rulesSpec><operation>"
	      "add</operation><info xsi:type=\"ClusterVmHostRuleInfo\">"
	      "<enabled>true</enabled><name>hgMUST_vm_group_rule</name>"
	      "<mandatory>true</mandatory><vmGroupName>hgMUST_vm_group"
	      "</vmGroupName><affineHostGroupName>hg</affineHostGroupName>"
	      "</info></rulesSpec><groupSpec><operation>add</operation><info "
	      "xsi:type=\"ClusterVmGroup\"><name>hgMUST_vm_group</name><vm "
	      "type=\"VirtualMachine\">vm-1</vm></info></groupSpec></spec>"
	      "<modify>true</modify>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), "<key>9</key>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(7), "<key>8</key>"));
}
END_TEST

/* SHOULD: the group exists with another VM, the rule is missing: edit
 * with both members and the rule not mandatory. */
START_TEST(test_join_should_edit)
{
	static const char cfg[] = VM_GROUP("hgSHOULD_vm_group", VM("vm-9"));
	struct err err = {0};
	struct vs_client *c;

	locked(8, "drs_lock_vm_group");
	config_ex(cfg, "");
	locked(9, "host_vm_group");
	config_ex(cfg, "");
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_host_group_add_vm(c, &cluster, "hg", false,
	                                          &vm1, &err), 0);
	ft_finish(c);
	ck_assert_ptr_nonnull(strstr(ft_body_at(4),
	      "<name>hgSHOULD_vm_group_rule</name><mandatory>false"
	      "</mandatory><vmGroupName>hgSHOULD_vm_group</vmGroupName>"
	      "<affineHostGroupName>hg</affineHostGroupName></info>"
	      "</rulesSpec><groupSpec><operation>edit</operation><info "
	      "xsi:type=\"ClusterVmGroup\"><name>hgSHOULD_vm_group</name>"
	      VM("vm-9") VM("vm-1") "</info></groupSpec>"));
}
END_TEST

/* The rule exists (made by another process, or by the Ruby CPI): one
 * lock, a task with the group only. */
START_TEST(test_join_rule_exists)
{
	struct err err = {0};
	struct vs_client *c;
	const char *b;

	locked(8, "drs_lock_vm_group");
	config_ex(VM_GROUP("hgMUST_vm_group", VM("vm-9"))
	          VM_HOST_RULE("3", "hgMUST_vm_group_rule", "hgMUST_vm_group",
	                       "hg"), "");
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_host_group_add_vm(c, &cluster, "hg", true,
	                                          &vm1, &err), 0);
	ft_finish(c);
	b = ft_body_at(2);
	ck_assert_ptr_nonnull(strstr(b, "<spec xsi:type=\""
	                             "ClusterConfigSpecEx\"><groupSpec>"
	                             "<operation>edit</operation>"));
	ck_assert_ptr_null(strstr(b, "rulesSpec"));
}
END_TEST

/* The VM in the group already and the rule there: no task. */
START_TEST(test_join_nothing_missing)
{
	struct err err = {0};
	struct vs_client *c;

	locked(8, "drs_lock_vm_group");
	config_ex(VM_GROUP("hgMUST_vm_group", VM("vm-1"))
	          VM_HOST_RULE("3", "hgMUST_vm_group_rule", "hgMUST_vm_group",
	                       "hg"), "");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_host_group_add_vm(c, &cluster, "hg", true,
	                                          &vm1, &err), 0);
	ft_finish(c);
	ck_assert_uint_eq(ft_calls(), 3);
}
END_TEST

/* A host group of the VM group's name: refused, both locks released. */
START_TEST(test_join_not_a_vm_group)
{
	struct err err = {0};
	struct vs_client *c;

	locked(8, "drs_lock_vm_group");
	config_ex(HOST_GROUP("hgMUST_vm_group", HOST("host-1")), "");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_host_group_add_vm(c, &cluster, "hg", true,
	                                          &vm1, &err), ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "not a VM group"));
	ft_finish(c);
}
END_TEST

/* The strings of *p are borrowed from the request: kept until the next
 * call (clusters NULL: only freed). */
static int
props(struct vm_props *p, struct err *err, const char *clusters)
{
	static json_t *cp;
	struct cpi_vcenter vc;
	char *text;
	int rc;

	json_decref(cp);
	cp = NULL;
	if (clusters == NULL)
		return 0;
	text = ft_fmt("{\"cpu\":1,\"ram\":256,\"disk\":1024,"
	              "\"datacenters\":[{\"name\":\"DC0\","
	              "\"clusters\":%s}]}", clusters);
	cp = json_loads(text, 0, NULL);
	ck_assert_ptr_nonnull(cp);
	memset(&vc, 0, sizeof(vc));
	vc.datacenter.name = "DC0";
	rc = cpi_vm_props_parse(p, cp, &vc, err);
	free(text);
	return rc;
}

/* A plain name means MUST, an object without drs_rule SHOULD (Ruby's
 * cluster_config.rb); null and "" are none; bad shapes are CloudErrors
 * naming the key. */
START_TEST(test_props)
{
	struct vm_props p;
	struct err err = {0};

	ck_assert_int_eq(props(&p, &err, "[{\"A\":{\"host_group\":\"hg\"}},"
	                       "{\"B\":{\"host_group\":{\"name\":\"h2\"}}},"
	                       "{\"C\":{\"host_group\":{\"name\":\"h3\","
	                       "\"drs_rule\":\"MUST\"}}},"
	                       "{\"D\":{\"host_group\":\"\"}}]"), 0);
	ck_assert_uint_eq(p.nclusters, 4);
	ck_assert_str_eq(p.host_groups[0].name, "hg");
	ck_assert(p.host_groups[0].must);
	ck_assert_str_eq(p.host_groups[1].name, "h2");
	ck_assert(!p.host_groups[1].must);
	ck_assert_str_eq(p.host_groups[2].name, "h3");
	ck_assert(p.host_groups[2].must);
	ck_assert_ptr_null(p.host_groups[3].name);
	cpi_vm_props_clear(&p);
	ck_assert_int_lt(props(&p, &err, "[{\"A\":{\"host_group\":1}}]"), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "clusters[0].host_group "
	                             "must be"));
	cpi_vm_props_clear(&p);
	err_clear(&err);
	ck_assert_int_lt(props(&p, &err, "[{\"A\":{\"host_group\":{"
	                       "\"name\":\"h\",\"drs_rule\":\"MAY\"}}}]"),
	                 0);
	ck_assert_ptr_nonnull(strstr(err.message, "drs_rule must be MUST or "
	                             "SHOULD"));
	cpi_vm_props_clear(&p);
	props(NULL, NULL, NULL);
}
END_TEST

static Suite *
drs_hostgroup_suite(void)
{
	Suite *s = suite_create("drs_hostgroup");
	TCase *tc = tcase_create("drs_hostgroup");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_join_creates_both);
	tcase_add_test(tc, test_join_should_edit);
	tcase_add_test(tc, test_join_rule_exists);
	tcase_add_test(tc, test_join_nothing_missing);
	tcase_add_test(tc, test_join_not_a_vm_group);
	tcase_add_test(tc, test_props);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(drs_hostgroup_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
