/*
 * check_inventory (simulator): the property collector, container views,
 * inventory paths and task waiting against a fresh vcsim started by
 * tests/sim/run.sh (VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_CA_CERT).
 *
 * Object ids are never hard-coded (they shift with the model); names of
 * the default VPX inventory are: DC0, cluster DC0_C0 with hosts
 * DC0_C0_H{0,1,2}, standalone DC0_H0, datastore LocalDS_0, "VM Network",
 * DVS0 with DC0_DVPG0, VMs DC0_H0_VM{0,1} and DC0_C0_RP0_VM{0,1}.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/sim_client.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/task.h"
#include "vsphere/vsphere.h"

static struct vs_client *cl;
static struct err err;

static void
setup(void)
{
	err_clear(&err);
	/* Exchanges recorded (password redacted) for tests/schemacheck. */
	cl = sim_client_connect("inventory");
}

static void
teardown(void)
{
	vs_client_free(cl);
	cl = NULL;
}

static const struct vs_moref *
root(void)
{
	return &vs_client_sc(cl)->root_folder;
}

/* The object of list named name, or NULL. */
static const struct vs_object *
by_name(const struct vs_objects *list, const char *name)
{
	struct err e;
	const char *s;
	size_t i;

	for (i = 0; i < list->n; i++) {
		err_clear(&e);
		if (vs_object_get_str(&s, &list->items[i], "name", &e) == 0 &&
		    strcmp(s, name) == 0)
			return &list->items[i];
	}
	return NULL;
}

static void
list_ok(struct vs_objects **out, const struct vs_moref *container,
        const char *type, const char *const *paths)
{
	err_clear(&err);
	ck_assert_msg(vs_pc_list(out, cl, container, type, paths, &err) == 0,
	              "%s: %s", type, err.message);
}

START_TEST(test_datacenters)
{
	static const char *const paths[] = {
		"name", "vmFolder", "hostFolder", "datastoreFolder",
		"networkFolder", NULL,
	};
	struct vs_objects *dcs = NULL;
	const struct vs_object *dc;
	struct vs_moref ref;

	list_ok(&dcs, root(), "Datacenter", paths);
	ck_assert_uint_eq(dcs->n, 1);
	dc = by_name(dcs, "DC0");
	ck_assert_ptr_nonnull(dc);
	ck_assert_str_eq(dc->obj.type, "Datacenter");
	ck_assert_int_eq(vs_object_get_moref(&ref, dc, "vmFolder", &err), 0);
	ck_assert_str_eq(ref.type, "Folder");
	ck_assert_int_eq(vs_object_get_moref(&ref, dc, "networkFolder", &err),
	                 0);
	ck_assert_str_eq(ref.type, "Folder");
	vs_objects_free(dcs);
}
END_TEST

START_TEST(test_clusters_hosts_pools)
{
	static const char *const cpaths[] = {
		"name", "host", "resourcePool", NULL,
	};
	static const char *const hpaths[] = {
		"name", "parent", "runtime.connectionState", NULL,
	};
	static const char *const ppaths[] = { "name", "owner", NULL };
	struct vs_objects *cls = NULL, *hosts = NULL, *pools = NULL;
	const struct vs_object *cc, *h;
	const struct vs_moref *refs;
	struct vs_moref rp, parent;
	const char *s;
	size_t n, i;

	list_ok(&cls, root(), "ClusterComputeResource", cpaths);
	ck_assert_uint_eq(cls->n, 1);
	cc = by_name(cls, "DC0_C0");
	ck_assert_ptr_nonnull(cc);
	ck_assert_int_eq(vs_object_get_morefs(&refs, &n, cc, "host", &err), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(vs_object_get_moref(&rp, cc, "resourcePool", &err),
	                 0);
	ck_assert_str_eq(rp.type, "ResourcePool");

	list_ok(&hosts, root(), "HostSystem", hpaths);
	ck_assert_uint_eq(hosts->n, 4);
	for (i = 0; i < n; i++) {
		size_t j;
		bool found = false;

		for (j = 0; j < hosts->n; j++)
			found = found || strcmp(hosts->items[j].obj.value,
			                        refs[i].value) == 0;
		ck_assert_msg(found, "cluster host %s not listed",
		              refs[i].value);
	}
	h = by_name(hosts, "DC0_C0_H1");
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(vs_object_get_moref(&parent, h, "parent", &err), 0);
	ck_assert_str_eq(parent.value, cc->obj.value);
	ck_assert_int_eq(vs_object_get_str(&s, h, "runtime.connectionState",
	                                   &err), 0);
	ck_assert_str_eq(s, "connected");

	list_ok(&pools, root(), "ResourcePool", ppaths);
	ck_assert_uint_ge(pools->n, 2);
	for (i = 0; i < pools->n; i++) {
		if (strcmp(pools->items[i].obj.value, rp.value) != 0)
			continue;
		ck_assert_int_eq(vs_object_get_str(&s, &pools->items[i],
		                                   "name", &err), 0);
		ck_assert_str_eq(s, "Resources");
		ck_assert_int_eq(vs_object_get_moref(&parent,
		                 &pools->items[i], "owner", &err), 0);
		ck_assert_str_eq(parent.value, cc->obj.value);
	}
	vs_objects_free(cls);
	vs_objects_free(hosts);
	vs_objects_free(pools);
}
END_TEST

START_TEST(test_datastores_summary)
{
	static const char *const paths[] = { "name", "summary", NULL };
	struct vs_ds_summary *sum = NULL;
	struct vs_objects *dss = NULL;
	const struct vs_object *ds;
	xmlNodePtr n;

	list_ok(&dss, root(), "Datastore", paths);
	ck_assert_uint_ge(dss->n, 1);
	ds = by_name(dss, "LocalDS_0");
	ck_assert_ptr_nonnull(ds);
	ck_assert_int_eq(vs_object_get_node(&n, ds, "summary", &err), 0);
	ck_assert_msg(vs_ds_summary_from_node(&sum, n, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(sum->name, "LocalDS_0");
	ck_assert_str_ne(sum->url, "");
	ck_assert_int_gt(sum->capacity, 0);
	ck_assert_int_gt(sum->free_space, 0);
	ck_assert_int_le(sum->free_space, sum->capacity);
	ck_assert(sum->accessible);
	ck_assert(sum->has_datastore);
	/* the id holds '/' and '@' on the simulator: read back intact */
	ck_assert_str_eq(sum->datastore.value, ds->obj.value);
	vs_ds_summary_free(sum);
	vs_objects_free(dss);
}
END_TEST

START_TEST(test_networks)
{
	static const char *const npaths[] = { "name", NULL };
	static const char *const ppaths[] = {
		"name", "key", "config.distributedVirtualSwitch", NULL,
	};
	static const char *const spaths[] = { "uuid", "name", NULL };
	struct vs_objects *nets = NULL, *pgs = NULL;
	struct vs_object *dvs = NULL;
	const struct vs_object *o;
	struct vs_moref sw;
	const char *s;

	list_ok(&nets, root(), "Network", npaths);
	o = by_name(nets, "VM Network");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->obj.type, "Network");
	/* DVPGs are Networks too */
	o = by_name(nets, "DC0_DVPG0");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(o->obj.type, "DistributedVirtualPortgroup");

	list_ok(&pgs, root(), "DistributedVirtualPortgroup", ppaths);
	o = by_name(pgs, "DC0_DVPG0");
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(vs_object_get_str(&s, o, "key", &err), 0);
	ck_assert_str_eq(s, o->obj.value);  /* key = id on the simulator */
	ck_assert_int_eq(vs_object_get_moref(&sw, o,
	                 "config.distributedVirtualSwitch", &err), 0);
	ck_assert_int_eq(vs_get_props(&dvs, cl, &sw, spaths, &err), 0);
	ck_assert_int_eq(vs_object_get_str(&s, dvs, "name", &err), 0);
	ck_assert_str_eq(s, "DVS0");
	ck_assert_int_eq(vs_object_get_str(&s, dvs, "uuid", &err), 0);
	ck_assert_uint_eq(strlen(s), 36);
	vs_object_free(dvs);
	vs_objects_free(nets);
	vs_objects_free(pgs);
}
END_TEST

START_TEST(test_vms_in_vm_folder)
{
	static const char *const dpaths[] = { "vmFolder", NULL };
	static const char *const vpaths[] = {
		"name", "runtime.powerState", "config.hardware.device",
		"config.uuid", NULL,
	};
	struct vs_objects *dcs = NULL, *vms = NULL;
	struct vs_devices *devs = NULL;
	struct vs_moref folder;
	const char *s;
	size_t i, j, nics;

	list_ok(&dcs, root(), "Datacenter", dpaths);
	ck_assert_uint_eq(dcs->n, 1);
	ck_assert_int_eq(vs_object_get_moref(&folder, &dcs->items[0],
	                                     "vmFolder", &err), 0);
	list_ok(&vms, &folder, "VirtualMachine", vpaths);
	ck_assert_uint_eq(vms->n, 4);
	ck_assert_ptr_nonnull(by_name(vms, "DC0_H0_VM0"));
	ck_assert_ptr_nonnull(by_name(vms, "DC0_C0_RP0_VM1"));
	for (i = 0; i < vms->n; i++) {
		ck_assert_int_eq(vs_object_get_str(&s, &vms->items[i],
		                 "runtime.powerState", &err), 0);
		ck_assert_msg(vs_object_get_devices(&devs, &vms->items[i],
		              "config.hardware.device", &err) == 0, "%s",
		              err.message);
		for (j = 0, nics = 0; j < devs->n; j++) {
			if (!vs_device_is_nic(&devs->items[j]))
				continue;
			nics++;
			ck_assert_ptr_nonnull(devs->items[j].mac_address);
		}
		ck_assert_uint_ge(nics, 1);
		vs_devices_free(devs);
		devs = NULL;
	}
	vs_objects_free(dcs);
	vs_objects_free(vms);
}
END_TEST

START_TEST(test_small_pages)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_objects *all = NULL;
	struct vs_moref view;
	struct err e;
	const char *types[] = { "ManagedEntity", NULL };

	err_clear(&err);
	ck_assert_int_eq(vs_view_create(&view, cl, root(), types, true, &err),
	                 0);
	{
		struct vs_selection_spec ts = {
			.name = "view", .type = "ContainerView",
			.path = "view",
		};
		struct vs_property_spec ps = {
			.type = "ManagedEntity", .paths = paths,
		};
		struct vs_object_spec os = {
			.obj = view, .skip = true, .select = &ts, .nselect = 1,
		};
		struct vs_pc_query q = {
			.spec = { .props = &ps, .nprops = 1, .objects = &os,
			          .nobjects = 1 },
			.max_objects = 1,
		};

		ck_assert_msg(vs_pc_retrieve(&all, cl, &q, &err) == 0, "%s",
		              err.message);
	}
	/* every entity arrives, page size or not */
	ck_assert_uint_gt(all->n, 20);
	ck_assert_ptr_nonnull(by_name(all, "DC0"));
	ck_assert_ptr_nonnull(by_name(all, "LocalDS_0"));
	err_clear(&e);
	ck_assert_int_eq(vs_view_destroy(cl, &view, &e), 0);
	vs_objects_free(all);
}
END_TEST

START_TEST(test_find_by_inventory_path)
{
	struct vs_moref ref;

	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, cl, "DC0/vm/"
	                                           "DC0_H0_VM0", &err), 0);
	ck_assert_str_eq(ref.type, "VirtualMachine");
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, cl, "DC0/host/DC0_C0"
	                                           "/Resources", &err), 0);
	ck_assert_str_eq(ref.type, "ResourcePool");
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, cl, "DC0", &err), 0);
	ck_assert_str_eq(ref.type, "Datacenter");
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, cl, "DC0/vm/BOSH_VMs"
	                                           "/vm-missing", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(ref.value, "");
}
END_TEST

static void
power_off(struct vs_moref *task, const struct vs_moref *vm)
{
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "PowerOffVM_Task", vm,
	                                     &err), 0);
	ck_assert_msg(vs_client_call(cl, req, &resp, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(vs_xml_moref(task, vs_xml_child(r, "returnval"),
	                              &err), 0);
	ck_assert_str_eq(task->type, "Task");
	xmlFreeDoc(resp);
}

START_TEST(test_power_off_and_wait)
{
	static const char *const paths[] = { "runtime.powerState", NULL };
	struct vs_task_result res;
	struct vs_object *o = NULL;
	struct vs_moref vm, task;
	const char *s;
	unsigned before;

	err_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&vm, cl, "DC0/vm/"
	                                           "DC0_C0_RP0_VM1", &err), 0);
	power_off(&task, &vm);
	before = vs_client_roundtrips(cl);
	ck_assert_msg(vs_task_wait(&res, cl, &task, 60, &err) == 0, "%s",
	              err.message);
	/* the simulator finishes tasks inside the call: one read */
	ck_assert_uint_eq(vs_client_roundtrips(cl) - before, 1);
	vs_task_result_clear(&res);
	ck_assert_int_eq(vs_get_props(&o, cl, &vm, paths, &err), 0);
	ck_assert_int_eq(vs_object_get_str(&s, o, "runtime.powerState", &err),
	                 0);
	ck_assert_str_eq(s, "poweredOff");
	vs_object_free(o);

	/* again: the task ends in error with a typed fault */
	power_off(&task, &vm);
	err_clear(&err);
	ck_assert_int_eq(vs_task_wait(&res, cl, &task, 60, &err), ERR_ETASK);
	ck_assert_str_eq(err.fault, "InvalidPowerState");
	ck_assert_ptr_nonnull(strstr(err.message, task.value));
}
END_TEST

START_TEST(test_missing_object)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref gone = { "VirtualMachine", "vm-does-not-exist" };
	struct vs_object *o = NULL;

	err_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, cl, &gone, paths, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(o);
}
END_TEST

static Suite *
inventory_suite(void)
{
	Suite *s = suite_create("inventory");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_datacenters);
	tcase_add_test(tc, test_clusters_hosts_pools);
	tcase_add_test(tc, test_datastores_summary);
	tcase_add_test(tc, test_networks);
	tcase_add_test(tc, test_vms_in_vm_folder);
	tcase_add_test(tc, test_small_pages);
	tcase_add_test(tc, test_find_by_inventory_path);
	tcase_add_test(tc, test_power_off_and_wait);
	tcase_add_test(tc, test_missing_object);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(inventory_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
