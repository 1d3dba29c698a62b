/*
 * check_drs: vsphere/drs.h over a fake transport: the DRS lock (retry on
 * DuplicateName with the injected clock, timeout, other faults, release
 * on every path), the anti-affinity rule spec (operation, key, member
 * list, vim25 order) and delete_vm's removal (one read when the VM is in
 * no rule, edit or remove otherwise).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "tests/support/fake_transport.h"
#include "vsphere/drs.h"
#include "vsphere/vsphere.h"

static const struct vs_moref cluster = { "ClusterComputeResource",
                                         "domain-c7" };
static const struct vs_moref pool = { "ResourcePool", "resgroup-8" };
static const struct vs_moref vm1 = { "VirtualMachine", "vm-1" };
static const struct vs_moref vm2 = { "VirtualMachine", "vm-2" };

static void
setup(void)
{
	ft_reset("drs");
}

static void
teardown(void)
{
	ft_clear();
}

static void
locked(int key)
{
	char *inner = ft_fmt("<returnval><key>%d</key><name>drs_lock</name>"
	                     "<type>string</type><managedObjectType>"
	                     "VirtualMachine</managedObjectType></returnval>",
	                     key);

	ft_reply("AddCustomFieldDef", inner);
	free(inner);
}

/* The cluster's configurationEx holding rules (ClusterRuleInfo XML). */
static void
config_ex(const char *obj, const char *rules)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\""
	                     "ClusterComputeResource\">%s</obj><propSet><name>"
	                     "configurationEx</name><val xsi:type=\""
	                     "ClusterConfigInfoEx\"><drsConfig/>%s</val>"
	                     "</propSet></objects></returnval>", obj, rules);

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

#define ANTI_RULE(key, name, vms)                                       \
	"<rule xsi:type=\"ClusterAntiAffinityRuleSpec\"><key>" key      \
	"</key><status>green</status><enabled>true</enabled><name>"     \
	name "</name><mandatory>false</mandatory>" vms "</rule>"
#define VM(v) "<vm type=\"VirtualMachine\">" v "</vm>"

static const char *
after(const char *hay, const char *needle, const char *from)
{
	const char *p = strstr(from != NULL ? from : hay, needle);

	ck_assert_msg(p != NULL, "%s missing (in order) from %s", needle,
	              hay);
	return p + strlen(needle);
}

START_TEST(test_rules_from_node)
{
	static const char xml[] =
		"<val xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/"
		"XMLSchema-instance\"><drsConfig/>"
		ANTI_RULE("3", "r1", VM("vm-1") VM("vm-2"))
		"<rule xsi:type=\"ClusterVmHostRuleInfo\"><key>4</key>"
		"<enabled>false</enabled><name>hg</name></rule></val>";
	struct vs_drs_rules *r = NULL;
	struct err err = {0};
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);

	ck_assert_ptr_nonnull(doc);
	ck_assert_int_eq(vs_drs_rules_from_node(&r, xmlDocGetRootElement(doc),
	                                        &err), 0);
	ck_assert_uint_eq(r->n, 2);
	ck_assert_int_eq(r->items[0].key, 3);
	ck_assert_str_eq(r->items[0].name, "r1");
	ck_assert_str_eq(r->items[0].type, "ClusterAntiAffinityRuleSpec");
	ck_assert(r->items[0].enabled);
	ck_assert_uint_eq(r->items[0].nvms, 2);
	ck_assert_str_eq(r->items[0].vms[1].value, "vm-2");
	ck_assert_str_eq(r->items[1].type, "ClusterVmHostRuleInfo");
	ck_assert(!r->items[1].enabled);
	ck_assert_uint_eq(r->items[1].nvms, 0);
	vs_drs_rules_free(r);
	xmlFreeDoc(doc);
}
END_TEST

/* A rule without a key is not a rule this code can edit. */
START_TEST(test_rules_from_node_bad)
{
	static const char xml[] =
		"<val xmlns=\"urn:vim25\"><rule><name>x</name></rule></val>";
	struct vs_drs_rules *r = NULL;
	struct err err = {0};
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), NULL, NULL, 0);

	ck_assert_int_eq(vs_drs_rules_from_node(&r, xmlDocGetRootElement(doc),
	                                        &err), ERR_EPARSE);
	ck_assert_ptr_null(r);
	xmlFreeDoc(doc);
}
END_TEST

/* The lock is held by another process twice, then taken: two sleeps of
 * 0.5 s, released by key afterwards. */
START_TEST(test_lock_retries)
{
	struct err err = {0};
	struct vs_client *c;
	int key = 0;

	ft_fault("AddCustomFieldDef", "DuplicateName");
	ft_fault("AddCustomFieldDef", "DuplicateName");
	locked(207);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_lock(&key, c, VS_DRS_LOCK, 600, &err), 0);
	ck_assert_int_eq(key, 207);
	ck_assert(ft.clock - FT_CLOCK_START > 0.99 &&
	          ft.clock - FT_CLOCK_START < 1.01);
	ck_assert_int_eq(vs_drs_unlock(c, key, &err), 0);
	ft_finish(c);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<name>drs_lock</name>"
	                             "<moType>VirtualMachine</moType>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "<key>207</key>"));
}
END_TEST

START_TEST(test_lock_timeout)
{
	struct err err = {0};
	struct vs_client *c;
	int key = 0;

	ft_fault("AddCustomFieldDef", "DuplicateName");
	ft_fault("AddCustomFieldDef", "DuplicateName");
	ft_fault("AddCustomFieldDef", "DuplicateName");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_lock(&key, c, VS_DRS_LOCK, 1.0, &err),
	                 ERR_ETIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "drs_lock"));
	ft_finish(c);
}
END_TEST

/* Any other fault is not contention: no retry. */
START_TEST(test_lock_other_fault)
{
	struct err err = {0};
	struct vs_client *c;
	int key = 0;

	ft_fault("AddCustomFieldDef", "NoPermission");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_lock(&key, c, VS_DRS_LOCK, 600, &err),
	                 ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NoPermission");
	ft_finish(c);
	ck_assert_uint_eq(ft_calls(), 1);
}
END_TEST

/* The field is gone already (a resend after a lost reply, or removed by
 * hand): released.  Another fault is an error. */
START_TEST(test_unlock_not_found)
{
	struct err err = {0};
	struct vs_client *c;

	ft_fault("RemoveCustomFieldDef", "NotFound");
	ft_fault("RemoveCustomFieldDef", "NoPermission");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_unlock(c, 5, &err), 0);
	ck_assert_int_eq(vs_drs_unlock(c, 5, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NoPermission");
	ft_finish(c);
}
END_TEST

/* No rule of that name: created with the VM alone (add, no key), the
 * lock taken before the read and released after the task. */
START_TEST(test_add_creates_rule)
{
	struct err err = {0};
	struct vs_client *c;
	const char *b, *p;

	locked(5);
	config_ex("domain-c7", ANTI_RULE("1", "other", VM("vm-9")));
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rule_add_vm(c, &cluster, "r1", &vm1, &err),
	                 0);
	ft_finish(c);
	ck_assert_str_eq(ft_op_at(0), "AddCustomFieldDef");
	ck_assert_str_eq(ft_op_at(1), "RetrievePropertiesEx");
	ck_assert_str_eq(ft_op_at(2), "ReconfigureComputeResource_Task");
	ck_assert_str_eq(ft_op_at(4), "RemoveCustomFieldDef");
	b = ft_body_at(2);
	p = after(b, "<spec xsi:type=\"ClusterConfigSpecEx\">", NULL);
	p = after(b, "<rulesSpec><operation>add</operation>", p);
	p = after(b, "<info xsi:type=\"ClusterAntiAffinityRuleSpec\">"
	          "<enabled>true</enabled><name>r1</name><vm type=\""
	          "VirtualMachine\">vm-1</vm></info></rulesSpec></spec>", p);
	after(b, "<modify>true</modify>", p);
	ck_assert_ptr_null(strstr(b, "<key>"));
	ck_assert_ptr_null(strstr(b, "vm-9"));
}
END_TEST

/* The rule exists: edited under its key with the members it had and
 * the VM. */
START_TEST(test_add_joins_rule)
{
	struct err err = {0};
	struct vs_client *c;
	const char *b, *p;

	locked(5);
	config_ex("domain-c7", ANTI_RULE("3", "r1", VM("vm-1")));
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rule_add_vm(c, &cluster, "r1", &vm2, &err),
	                 0);
	ft_finish(c);
	b = ft_body_at(2);
	p = after(b, "<rulesSpec><operation>edit</operation>", NULL);
	after(b, "<info xsi:type=\"ClusterAntiAffinityRuleSpec\"><key>3</key>"
	      "<enabled>true</enabled><name>r1</name><vm type=\""
	      "VirtualMachine\">vm-1</vm><vm type=\"VirtualMachine\">vm-2"
	      "</vm></info>", p);
}
END_TEST

/* Already a member (a retried call): nothing to change, lock released. */
START_TEST(test_add_already_member)
{
	struct err err = {0};
	struct vs_client *c;

	locked(5);
	config_ex("domain-c7", ANTI_RULE("3", "r1", VM("vm-1")));
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rule_add_vm(c, &cluster, "r1", &vm1, &err),
	                 0);
	ft_finish(c);
	ck_assert_uint_eq(ft_calls(), 3);
}
END_TEST

/* The task fails: its error is answered, the lock still released. */
START_TEST(test_add_task_fails_unlocks)
{
	struct err err = {0};
	struct vs_client *c;

	locked(5);
	config_ex("domain-c7", "");
	ft_task("ReconfigureComputeResource_Task", NULL, "InvalidArgument");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_lt(vs_drs_rule_add_vm(c, &cluster, "r1", &vm1, &err),
	                 0);
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ck_assert_ptr_nonnull(strstr(err.message, "DRS rule r1"));
	ft_finish(c);
	ck_assert_str_eq(ft_op_at(ft_calls() - 1), "RemoveCustomFieldDef");
}
END_TEST

/* A rule of that name that is not anti-affinity: refused, unlocked. */
START_TEST(test_add_wrong_type)
{
	struct err err = {0};
	struct vs_client *c;

	locked(5);
	config_ex("domain-c7", "<rule xsi:type=\"ClusterAffinityRuleSpec\">"
	          "<key>3</key><enabled>true</enabled><name>r1</name>"
	          VM("vm-7") "</rule>");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rule_add_vm(c, &cluster, "r1", &vm1, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "ClusterAffinityRuleSpec"));
	ft_finish(c);
}
END_TEST

/* delete_vm of a VM in no rule: one read through the pool's owner, no
 * lock. */
START_TEST(test_remove_not_member)
{
	struct err err = {0};
	struct vs_client *c;
	size_t n = 9;

	config_ex("domain-c7", ANTI_RULE("3", "r1", VM("vm-2")));
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rules_remove_vm(&n, c, &pool, &vm1, &err), 0);
	ck_assert_uint_eq(n, 0);
	ft_finish(c);
	ck_assert_uint_eq(ft_calls(), 1);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "resgroup-8"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<path>owner</path>"));
}
END_TEST

/* A pool owned by a standalone host: nothing comes back, nothing done. */
START_TEST(test_remove_no_cluster)
{
	struct err err = {0};
	struct vs_client *c;
	size_t n = 9;

	ft_reply("RetrievePropertiesEx", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rules_remove_vm(&n, c, &pool, &vm1, &err), 0);
	ck_assert_uint_eq(n, 0);
	ft_finish(c);
}
END_TEST

/* In two rules: the one with another member is edited, the one it was
 * alone in is removed by key; under the lock, after a second read. */
START_TEST(test_remove_edit_and_drop)
{
	static const char rules[] = ANTI_RULE("3", "r1", VM("vm-1")
	                                      VM("vm-2"))
	                            ANTI_RULE("4", "r2", VM("vm-1"));
	struct err err = {0};
	struct vs_client *c;
	const char *b;
	size_t n = 0;

	config_ex("domain-c7", rules);
	locked(6);
	config_ex("domain-c7", rules);
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rules_remove_vm(&n, c, &pool, &vm1, &err), 0);
	ck_assert_uint_eq(n, 2);
	ft_finish(c);
	b = ft_body_at(3);
	after(b, "<rulesSpec><operation>edit</operation><info xsi:type=\""
	      "ClusterAntiAffinityRuleSpec\"><key>3</key><enabled>true"
	      "</enabled><name>r1</name><vm type=\"VirtualMachine\">vm-2</vm>"
	      "</info></rulesSpec>", NULL);
	ck_assert_ptr_null(strstr(b, "vm-1"));
	b = ft_body_at(5);
	after(b, "<rulesSpec><operation>remove</operation><removeKey "
	      "xsi:type=\"xsd:int\">4</removeKey></rulesSpec>", NULL);
	ck_assert_str_eq(ft_op_at(7), "RemoveCustomFieldDef");
}
END_TEST

#define VM_GROUP(name, vms)                                             \
	"<group xsi:type=\"ClusterVmGroup\"><name>" name "</name>"      \
	vms "</group>"

/* vm_group: created with the VM alone when missing, under its own lock
 * name. */
START_TEST(test_group_add_creates)
{
	struct err err = {0};
	struct vs_client *c;
	const char *b, *p;

	locked(8);
	config_ex("domain-c7", VM_GROUP("other", VM("vm-9")));
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_vm_group_add_vm(c, &cluster, "g1", &vm1,
	                                        &err), 0);
	ft_finish(c);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<name>drs_lock_vm_group</name>"));
	b = ft_body_at(2);
	p = after(b, "<spec xsi:type=\"ClusterConfigSpecEx\"><groupSpec>"
	          "<operation>add</operation><info xsi:type=\"ClusterVmGroup"
	          "\"><name>g1</name><vm type=\"VirtualMachine\">vm-1</vm>"
	          "</info></groupSpec></spec>", NULL);
	after(b, "<modify>true</modify>", p);
	ck_assert_ptr_null(strstr(b, "vm-9"));
}
END_TEST

START_TEST(test_group_add_joins)
{
	struct err err = {0};
	struct vs_client *c;

	locked(8);
	config_ex("domain-c7", VM_GROUP("g1", VM("vm-1")));
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_vm_group_add_vm(c, &cluster, "g1", &vm2,
	                                        &err), 0);
	ft_finish(c);
	after(ft_body_at(2), "<groupSpec><operation>edit</operation><info "
	      "xsi:type=\"ClusterVmGroup\"><name>g1</name><vm type=\""
	      "VirtualMachine\">vm-1</vm><vm type=\"VirtualMachine\">vm-2"
	      "</vm></info></groupSpec>", NULL);
}
END_TEST

/* A host group of that name: refused, unlocked. */
START_TEST(test_group_add_host_group)
{
	struct err err = {0};
	struct vs_client *c;

	locked(8);
	config_ex("domain-c7", "<group xsi:type=\"ClusterHostGroup\"><name>"
	          "g1</name><host type=\"HostSystem\">host-1</host></group>");
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_vm_group_add_vm(c, &cluster, "g1", &vm1,
	                                        &err), ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "not a VM group"));
	ft_finish(c);
}
END_TEST

/* delete_vm: a group keeping another VM is edited; a group left empty
 * goes with the VM-host rule naming it (rulesSpec before groupSpec), the
 * rule naming another group stays. */
START_TEST(test_remove_from_groups)
{
	static const char cfg[] =
		VM_GROUP("g1", VM("vm-1") VM("vm-2"))
		VM_GROUP("hgMUST_vm_group", VM("vm-1"))
		"<rule xsi:type=\"ClusterVmHostRuleInfo\"><key>11</key>"
		"<enabled>true</enabled><name>hgMUST_vm_group_rule</name>"
		"<mandatory>true</mandatory><vmGroupName>hgMUST_vm_group"
		"</vmGroupName><affineHostGroupName>hg</affineHostGroupName>"
		"</rule>"
		"<rule xsi:type=\"ClusterVmHostRuleInfo\"><key>12</key>"
		"<enabled>true</enabled><name>keep</name><vmGroupName>g1"
		"</vmGroupName></rule>";
	struct err err = {0};
	struct vs_client *c;
	const char *b;
	size_t n = 0;

	config_ex("domain-c7", cfg);
	locked(9);
	config_ex("domain-c7", cfg);
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_task("ReconfigureComputeResource_Task", NULL, NULL);
	ft_reply("RemoveCustomFieldDef", "");
	c = ft_connect();
	ck_assert_int_eq(vs_drs_rules_remove_vm(&n, c, &pool, &vm1, &err), 0);
	ck_assert_uint_eq(n, 2);
	ft_finish(c);
	ck_assert_ptr_nonnull(strstr(ft_body_at(1),
	                             "<name>drs_lock_vm_group</name>"));
	b = ft_body_at(3);
	after(b, "<spec xsi:type=\"ClusterConfigSpecEx\"><groupSpec>"
	      "<operation>edit</operation><info xsi:type=\"ClusterVmGroup\">"
	      "<name>g1</name><vm type=\"VirtualMachine\">vm-2</vm></info>"
	      "</groupSpec></spec>", NULL);
	b = ft_body_at(5);
	after(b, "<spec xsi:type=\"ClusterConfigSpecEx\"><rulesSpec>"
	      "<operation>remove</operation><removeKey xsi:type=\"xsd:int\">"
	      "11</removeKey></rulesSpec><groupSpec><operation>remove"
	      "</operation><removeKey xsi:type=\"xsd:string\">"
	      "hgMUST_vm_group</removeKey></groupSpec></spec>", NULL);
	ck_assert_ptr_null(strstr(b, ">12<"));
}
END_TEST

static Suite *
drs_suite(void)
{
	Suite *s = suite_create("drs");
	TCase *tc = tcase_create("drs");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rules_from_node);
	tcase_add_test(tc, test_rules_from_node_bad);
	tcase_add_test(tc, test_lock_retries);
	tcase_add_test(tc, test_lock_timeout);
	tcase_add_test(tc, test_lock_other_fault);
	tcase_add_test(tc, test_unlock_not_found);
	tcase_add_test(tc, test_add_creates_rule);
	tcase_add_test(tc, test_add_joins_rule);
	tcase_add_test(tc, test_add_already_member);
	tcase_add_test(tc, test_add_task_fails_unlocks);
	tcase_add_test(tc, test_add_wrong_type);
	tcase_add_test(tc, test_remove_not_member);
	tcase_add_test(tc, test_remove_no_cluster);
	tcase_add_test(tc, test_remove_edit_and_drop);
	tcase_add_test(tc, test_group_add_creates);
	tcase_add_test(tc, test_group_add_joins);
	tcase_add_test(tc, test_group_add_host_group);
	tcase_add_test(tc, test_remove_from_groups);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(drs_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
