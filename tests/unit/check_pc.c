/*
 * check_pc: property collector reads, paging, container views and
 * inventory path lookups, through a real client over a fake transport
 * that serves a script of canned replies and records every request.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vsphere.h"

static void
setup(void)
{
	ft_reset("pc");
}

static void
teardown(void)
{
	ft_clear();
}

#define VM(id, name)                                                    \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet>"   \
	"<name>name</name><val xsi:type=\"xsd:string\">" name "</val>"  \
	"</propSet></objects>"

static const char *const name_path[] = { "name", NULL };

static struct vs_pc_query
vm_query(struct vs_property_spec *ps, struct vs_object_spec *os)
{
	struct vs_pc_query q;

	memset(ps, 0, sizeof(*ps));
	memset(os, 0, sizeof(*os));
	ps->type = "VirtualMachine";
	ps->paths = name_path;
	snprintf(os->obj.type, sizeof(os->obj.type), "Folder");
	snprintf(os->obj.value, sizeof(os->obj.value), "group-v3");
	memset(&q, 0, sizeof(q));
	q.spec.props = ps;
	q.spec.nprops = 1;
	q.spec.objects = os;
	q.spec.nobjects = 1;
	return q;
}

/* --- tests ------------------------------------------------------------ */

START_TEST(test_paging_three_pages)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;
	const char *s;

	ft_reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	         VM("vm-1", "a") VM("vm-2", "b") "</returnval>");
	ft_reply("ContinueRetrievePropertiesEx", "<returnval><token>tok-2"
	         "</token>" VM("vm-3", "c") VM("vm-4", "d") "</returnval>");
	ft_reply("ContinueRetrievePropertiesEx", "<returnval>"
	         VM("vm-5", "e") "</returnval>");
	c = ft_connect();
	q.max_objects = 2;
	err_clear(&err);
	ck_assert_msg(vs_pc_retrieve(&list, c, &q, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(list->n, 5);
	ck_assert_str_eq(list->items[0].obj.value, "vm-1");
	ck_assert_str_eq(list->items[2].obj.value, "vm-3");
	ck_assert_str_eq(list->items[4].obj.value, "vm-5");
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[3], "name", &err),
	                 0);
	ck_assert_str_eq(s, "d");
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<maxObjects>2</maxObjects>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<pathSet>name</pathSet>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<token>tok-1</token>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<token>tok-2</token>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1),
	                             ">propertyCollector</_this>"));
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

START_TEST(test_no_token_single_page)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	         VM("vm-2", "b") VM("vm-3", "c") "</returnval>");
	c = ft_connect();
	q.max_objects = 1;      /* ignored by the simulator */
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_uint_eq(list->n, 3);
	ck_assert_uint_eq(ft_calls(), 1);
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

START_TEST(test_empty_reply)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(list->n, 0);
	/* the default page size went out */
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<maxObjects>100</maxObjects>"));
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

START_TEST(test_bad_page_cancels_token)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	         VM("vm-1", "a") "</returnval>");
	ft_reply("ContinueRetrievePropertiesEx", "<returnval><token>tok-2"
	         "</token><objects><obj>no-type</obj></objects></returnval>");
	ft_reply("CancelRetrievePropertiesEx", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), ERR_EPARSE);
	ck_assert_ptr_null(list);
	ck_assert_int_eq(err.code, ERR_EPARSE);
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_str_eq(ft_op_at(2), "CancelRetrievePropertiesEx");
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<token>tok-2</token>"));
	ft_finish(c);
}
END_TEST

START_TEST(test_fault_mid_paging)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	         VM("vm-1", "a") "</returnval>");
	ft_fault("ContinueRetrievePropertiesEx", "InvalidArgument");
	ft_reply("CancelRetrievePropertiesEx", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ck_assert_ptr_null(list);
	ft_finish(c);
}
END_TEST

#define MISSING(path, type)                                             \
	"<missingSet><path>" path "</path><fault><fault xsi:type=\""    \
	type "\"></fault><localizedMessage>no</localizedMessage>"       \
	"</fault></missingSet>"

START_TEST(test_missing_set)
{
	static const char *const optional[] = { "summary", NULL };
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;
	const char *s;

	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "VirtualMachine\">vm-1</obj>"
	         MISSING("summary", "NoPermission") "</objects></returnval>");
	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "VirtualMachine\">vm-1</obj><propSet><name>name</name><val>a"
	         "</val></propSet>" MISSING("summary", "NoPermission")
	         "</objects></returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NoPermission");
	ck_assert_ptr_nonnull(strstr(err.message, "summary"));
	ck_assert_ptr_null(list);

	q.optional = optional;
	err_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_ptr_null(vs_object_prop(&list->items[0], "nothing"));
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[0], "summary",
	                                   &err), ERR_ENOTFOUND);
	err_clear(&err);
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[0], "name",
	                                   &err), 0);
	ck_assert_str_eq(s, "a");
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

START_TEST(test_list_view_destroyed)
{
	static const char *const paths[] = { "name", NULL };
	/* VMs of a cluster: through a container view (under a folder or a
	 * datacenter they come in one walk: test_list_vms_walk) */
	struct vs_moref root = { "ClusterComputeResource", "domain-c7" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	         "session[x]view-1</returnval>");
	ft_reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	         VM("vm-2", "b") "</returnval>");
	ft_reply("DestroyView", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "VirtualMachine", paths,
	                            &err), 0);
	ck_assert_uint_eq(list->n, 2);
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<container type=\""
	                             "ClusterComputeResource\">domain-c7"
	                             "</container><type>"
	                             "VirtualMachine</type><recursive>true"
	                             "</recursive>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), ">ViewManager</_this>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<obj type=\""
	                             "ContainerView\">"
	                             "session[x]view-1</obj><skip>true"
	                             "</skip><selectSet xsi:type=\""
	                             "TraversalSpec\"><name>view</name>"
	                             "<type>ContainerView</type><path>view"
	                             "</path><skip>false</skip>"));
	ck_assert_str_eq(ft_op_at(2), "DestroyView");
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<_this type=\""
	                             "ContainerView\">session[x]view-1"
	                             "</_this>"));
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

START_TEST(test_list_view_destroyed_on_error)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref root = { "Folder", "group-d1" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	         "session[x]view-2</returnval>");
	ft_fault("RetrievePropertiesEx", "InvalidType");
	ft_reply("DestroyView", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "Bogus", paths, &err),
	                 ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidType");
	ck_assert_ptr_null(list);
	ck_assert_str_eq(ft_op_at(2), "DestroyView");
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "session[x]view-2"));
	ft_finish(c);
}
END_TEST

START_TEST(test_list_destroy_failure_only_logged)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref root = { "ClusterComputeResource", "domain-c7" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	         "session[x]view-3</returnval>");
	ft_reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	         "</returnval>");
	ft_fault("DestroyView", "ManagedObjectNotFound");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "VirtualMachine", paths,
	                            &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_ptr_nonnull(strstr(ft.last_log, "DestroyView"));
	vs_objects_free(list);
	ft_finish(c);
}
END_TEST

/* VMs under a folder, or a datacenter's vm folder: one read walking
 * Folder.childEntity and the vApps' VMs, no container view. */
START_TEST(test_list_vms_walk)
{
	static const char *const paths[] = { "name", NULL };
	const struct vs_moref roots[] = {
		{ "Folder", "group-v3" }, { "Datacenter", "datacenter-2" },
	};
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;
	const char *body;
	size_t k;

	for (k = 0; k < 2; k++) {
		ft_reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
		         VM("vm-2", "b") "</returnval>");
		c = ft_connect();
		err_clear(&err);
		ck_assert_int_eq(vs_pc_list(&list, c, &roots[k],
		                            "VirtualMachine", paths, &err), 0);
		ck_assert_uint_eq(list->n, 2);
		ck_assert_uint_eq(ft_calls(), 1);
		body = ft_body_at(0);
		ck_assert_ptr_null(strstr(body, "ContainerView"));
		ck_assert_ptr_nonnull(strstr(body, k == 0 ?
		                             ">group-v3</obj><skip>true" :
		                             ">datacenter-2</obj><skip>true"));
		ck_assert_ptr_nonnull(strstr(body, "<type>Folder</type><path>"
		                             "childEntity</path>"));
		ck_assert_ptr_nonnull(strstr(body, "<type>VirtualApp</type>"
		                             "<path>vm</path>"));
		/* the walk starts at the datacenter's vm folder, or at the
		 * folder's children (datacenters among them: into their vm
		 * folders) */
		ck_assert_ptr_nonnull(strstr(body, k == 0 ?
		                             "</skip><selectSet xsi:type=\""
		                             "TraversalSpec\"><name>f</name>" :
		                             "</skip><selectSet xsi:type=\""
		                             "TraversalSpec\"><name>dcV</name>"));
		ck_assert_ptr_nonnull(strstr(body, "<path>vmFolder</path>"));
		/* never from a VM to its pool (and the pool's other VMs) */
		ck_assert_ptr_null(strstr(body, "<path>resourcePool</path>"));
		vs_objects_free(list);
		list = NULL;
		ft_finish(c);
		ft_reset(NULL);
	}
}
END_TEST

START_TEST(test_find_by_inventory_path)
{
	struct vs_moref ref;
	struct vs_client *c;
	struct err err;

	ft_reply_file("FindByInventoryPath",
	              "vim/FindByInventoryPath.response.xml");
	ft_reply_file("FindByInventoryPath",
	              "vim/FindByInventoryPath_missing.response.xml");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c,
	                 "DC0/vm/vm-clone-1", &err), 0);
	ck_assert_str_eq(ref.type, "VirtualMachine");
	ck_assert_str_eq(ref.value, "vm-63");
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<inventoryPath>DC0/vm/"
	                             "vm-clone-1</inventoryPath>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), ">SearchIndex</_this>"));
	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c,
	                 "DC0/vm/BOSH_VMs/vm-gone", &err), ERR_ENOTFOUND);
	ck_assert_int_eq(err.code, ERR_ENOTFOUND);
	ck_assert_str_eq(ref.value, "");
	/* refused before any request */
	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c, "", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c, "DC0/vm/a\nb",
	                                           &err), ERR_EINVAL);
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

START_TEST(test_get_props)
{
	static const char *const paths[] = {
		"runtime.powerState", "config.template", NULL,
	};
	struct vs_moref vm = { "VirtualMachine", "vm-92" };
	struct vs_moref gone = { "VirtualMachine", "vm-63" };
	struct vs_object *o = NULL;
	struct vs_client *c;
	struct err err;
	const char *s;
	bool b;

	ft_reply_file("RetrievePropertiesEx", "vim/Get_newvm.response.xml");
	ft_reply_file("RetrievePropertiesEx", "vim/Get_destroyed.response.xml");
	ft_reply("RetrievePropertiesEx", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &vm, paths, &err), 0);
	ck_assert_str_eq(o->obj.value, "vm-92");
	ck_assert_int_eq(vs_object_get_str(&s, o, "runtime.powerState", &err),
	                 0);
	ck_assert_str_eq(s, "poweredOff");
	ck_assert_int_eq(vs_object_get_bool(&b, o, "config.template", &err),
	                 0);
	ck_assert(!b);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<propSet><type>"
	                             "VirtualMachine</type><pathSet>runtime."
	                             "powerState</pathSet><pathSet>config."
	                             "template</pathSet></propSet>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<objectSet><obj type=\""
	                             "VirtualMachine\">vm-92</obj><skip>false"
	                             "</skip></objectSet>"));
	vs_object_free(o);
	o = NULL;

	err_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &gone, paths, &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.fault, "ManagedObjectNotFound");
	ck_assert_ptr_null(o);
	err_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &gone, paths, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(o);
	ft_finish(c);
}
END_TEST

static Suite *
pc_suite(void)
{
	Suite *s = suite_create("pc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paging_three_pages);
	tcase_add_test(tc, test_no_token_single_page);
	tcase_add_test(tc, test_empty_reply);
	tcase_add_test(tc, test_bad_page_cancels_token);
	tcase_add_test(tc, test_fault_mid_paging);
	tcase_add_test(tc, test_missing_set);
	tcase_add_test(tc, test_list_view_destroyed);
	tcase_add_test(tc, test_list_view_destroyed_on_error);
	tcase_add_test(tc, test_list_destroy_failure_only_logged);
	tcase_add_test(tc, test_list_vms_walk);
	tcase_add_test(tc, test_find_by_inventory_path);
	tcase_add_test(tc, test_get_props);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
