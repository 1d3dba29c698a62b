/*
 * check_vm_remove: vsphere/vm_remove.h through a real client over a fake
 * transport: which steps each set of options runs, in which order, what
 * is tolerated (a VM already gone, a failed power off after a power on)
 * and where a failure is reported.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/vm.h"
#include "vsphere/vm_remove.h"
#include "vsphere/vsphere.h"

static const struct vs_moref vm100 = { "VirtualMachine", "vm-100" };
static const struct vs_moref dc2 = { "Datacenter", "datacenter-2" };

static void
setup(void)
{
	ft_reset("vm_remove");
}

static void
teardown(void)
{
	ft_clear();
}

static void
power_state(const char *state)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\"VirtualMachine\">"
	                     "vm-100</obj><propSet><name>runtime.powerState"
	                     "</name><val xsi:type=\"VirtualMachinePowerState"
	                     "\">%s</val></propSet></objects></returnval>",
	                     state);

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

/* vs_disk_vm_read's two reads: the VM (tests/data/vm/<file>, its
 * ephemeral disk made "persistent": BOSH makes it so) and its
 * extraConfig (no disk records). */
static void
disk_vm_more(const char *file, const char *more);

static void
disk_vm(const char *file)
{
	disk_vm_more(file, NULL);
}

/* The same with more objects (more, may be NULL) in the reply. */
static void
disk_vm_more(const char *file, const char *more)
{
	static const char indep[] = "ephemeral_disk.vmdk</fileName><datastore "
	                            "type=\"Datastore\">datastore-1</datastore>"
	                            "<diskMode>independent_persistent";
	char *body = ft_read_data(file), *p;

	ck_assert_ptr_nonnull(body);
	p = strstr(body, indep);
	ck_assert_ptr_nonnull(p);
	p += sizeof(indep) - 1 - strlen("independent_persistent");
	/* "independent_persistent" -> "persistent", cut in place */
	memmove(p, p + strlen("independent_"), strlen(p + strlen(
	        "independent_")) + 1);
	if (more != NULL) {
		char *end = strstr(body, "</returnval>"), *b;

		ck_assert_ptr_nonnull(end);
		*end = '\0';
		b = ft_fmt("%s%s</returnval>%s", body, more,
		           end + strlen("</returnval>"));
		free(body);
		body = b;
	}
	ft_step("RetrievePropertiesEx", 200)->body = body;
}

/* delete_vm's options for the VM of vm_info_poweredOff.xml. */
static void
delete_vm_opts(struct vs_vm_remove_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->what = "delete_vm vm-abc";
	o->keep_disks = true;
	o->datacenter = "DC0";
	o->disk_path = "BOSH_Disks";
	o->dir = "vm-abc";
}

/* Its replies: the reads, the detach, the destroy, the datacenter, the
 * directory's deletion (failing with delete_fault unless NULL). */
static void
delete_vm_replies(const char *delete_fault)
{
	disk_vm("vm/vm_info_poweredOff.xml");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	ft_reply("FindByInventoryPath", "<returnval type=\"Datacenter\">"
	         "datacenter-2</returnval>");
	ft_task("DeleteDatastoreFile_Task", NULL, delete_fault);
}

/* The import's removal: the power state read, off, destroyed. */
START_TEST(test_read_power_off_destroy)
{
	struct vs_vm_remove_opts o = { .gone_ok = true };
	struct vs_vm_removal out;
	struct vs_client *c;
	struct err err = {0};

	power_state("poweredOn");
	ft_task("PowerOffVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove(&out, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert(!out.gone);
	ck_assert(!out.has_parent);
	ck_assert_str_eq(ft_op_at(0), "RetrievePropertiesEx");
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "runtime.powerState"));
	ck_assert_str_eq(ft_op_at(1), "PowerOffVM_Task");
	ck_assert_str_eq(ft_op_at(3), "Destroy_Task");
	ft_finish(c);
}
END_TEST

START_TEST(test_read_already_off)
{
	struct vs_vm_remove_opts o = { .gone_ok = true };
	struct vs_client *c;
	struct err err = {0};

	power_state("poweredOff");
	ft_task("Destroy_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove(NULL, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_str_eq(ft_op_at(1), "Destroy_Task");
	ft_finish(c);
}
END_TEST

/* Gone at the destroy: success with gone_ok, ERR_ENOTFOUND without. */
START_TEST(test_gone)
{
	struct vs_vm_remove_opts o = { .power = VS_VM_REMOVE_POWER_NONE };
	struct vs_vm_removal out;
	struct vs_client *c;
	struct err err = {0};

	ft_task("Destroy_Task", NULL, "ManagedObjectNotFound");
	ft_task("Destroy_Task", NULL, "ManagedObjectNotFound");
	c = ft_connect();
	ck_assert_int_eq(vs_vm_remove(&out, c, &vm100, &o, &err),
	                 ERR_ENOTFOUND);
	ck_assert_int_eq(out.stage, VS_VM_REMOVE_AT_VM);
	ck_assert_ptr_nonnull(strstr(err.message, "Destroy_Task vm-100"));
	err_clear(&err);
	o.gone_ok = true;
	ck_assert_msg(vs_vm_remove(&out, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert(out.gone);
	ck_assert(!err_is_set(&err));
	ft_finish(c);
}
END_TEST

/* create_vm's cleanup after a power on: a failed power off is logged,
 * the destroy runs all the same. */
START_TEST(test_try_power_off_fails)
{
	struct vs_vm_remove_opts o = {
		.what = "cleanup", .power = VS_VM_REMOVE_POWER_TRY,
	};
	struct vs_client *c;
	struct err err = {0};

	ft_task("PowerOffVM_Task", NULL, "TaskInProgress");
	ft_task("Destroy_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove(NULL, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(ft_op_at(0), "PowerOffVM_Task");
	ck_assert_str_eq(ft_op_at(2), "Destroy_Task");
	ck_assert_uint_eq(ft_calls(), 4);
	ft_finish(c);
}
END_TEST

START_TEST(test_destroy_fails)
{
	struct vs_vm_remove_opts o = { .power = VS_VM_REMOVE_POWER_NONE };
	struct vs_vm_removal out;
	struct vs_client *c;
	struct err err = {0};

	ft_task("Destroy_Task", NULL, "InvalidPowerState");
	c = ft_connect();
	ck_assert_int_eq(vs_vm_remove(&out, c, &vm100, &o, &err), ERR_ETASK);
	ck_assert_int_eq(out.stage, VS_VM_REMOVE_AT_VM);
	ck_assert_str_eq(err.fault, "InvalidPowerState");
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

/* Steps that need the disk read refuse to run without it: nothing is
 * sent. */
START_TEST(test_bad_options)
{
	struct vs_vm_remove_opts o = { .leave_drs = true };
	struct vs_client *c;
	struct err err = {0};

	c = ft_connect();
	ck_assert_int_eq(vs_vm_remove(NULL, c, &vm100, &o, &err), ERR_EINVAL);
	memset(&o, 0, sizeof(o));
	o.dir = "vm-abc";
	err_clear(&err);
	ck_assert_int_eq(vs_vm_remove(NULL, c, &vm100, &o, &err), ERR_EINVAL);
	memset(&o, 0, sizeof(o));
	o.keep_disks = true;
	err_clear(&err);
	ck_assert_int_eq(vs_vm_remove(NULL, c, &vm100, &o, &err), ERR_EINVAL);
	ck_assert_uint_eq(ft_calls(), 0);
	ft_finish(c);
}
END_TEST

/* delete_vm's removal: the persistent disk (in place already) detached
 * without fileOperation, the VM destroyed, then its directory deleted
 * whole (no kept disk lies there); the folder is reported. */
START_TEST(test_keep_disks_and_dir)
{
	struct vs_vm_remove_opts o;
	struct vs_vm_removal out;
	struct vs_client *c;
	struct err err = {0};
	const char *b;

	delete_vm_opts(&o);
	delete_vm_replies(NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove(&out, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert(out.has_parent);
	ck_assert_str_eq(out.parent.value, "folder-70");
	/* the VM, its disk records, datacenter and cluster: one read */
	b = ft_body_at(0);
	ck_assert_ptr_nonnull(strstr(b, "<pathSet>config.extraConfig"
	                             "</pathSet>"));
	ck_assert_ptr_nonnull(strstr(b, "<type>Datacenter</type>"));
	ck_assert_ptr_nonnull(strstr(b, "<type>ClusterComputeResource"
	                             "</type>"));
	ck_assert_str_eq(ft_op_at(1), "ReconfigVM_Task");
	b = ft_body_at(1);
	ck_assert_ptr_nonnull(strstr(b, "BOSH_Disks/disk-1111.vmdk"));
	ck_assert_ptr_null(strstr(b, "fileOperation"));
	ck_assert_str_eq(ft_op_at(3), "Destroy_Task");
	/* no datacenter in the reply: found by its path */
	ck_assert_str_eq(ft_op_at(5), "FindByInventoryPath");
	ck_assert_str_eq(ft_op_at(6), "DeleteDatastoreFile_Task");
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), "<name>[LocalDS_0] "
	                             "vm-abc</name>"));
	ft_all_used();
	ft_finish(c);
}
END_TEST

/* The datacenter and the cluster's DRS configuration come back with the
 * VM: no FindByInventoryPath, no rules read; the VM in no rule leaves
 * none.  7 exchanges for read, detach, destroy and directory. */
START_TEST(test_dc_and_cluster_in_read)
{
	static const char more[] =
	    "<objects><obj type=\"Datacenter\">datacenter-2</obj><propSet>"
	    "<name>name</name><val xsi:type=\"xsd:string\">DC0</val>"
	    "</propSet></objects><objects><obj type=\"ClusterComputeResource"
	    "\">domain-c7</obj><propSet><name>configurationEx</name><val "
	    "xsi:type=\"ClusterConfigInfoEx\"><drsConfig><enabled>true"
	    "</enabled></drsConfig></val></propSet></objects>";
	struct vs_vm_remove_opts o;
	struct vs_client *c;
	struct err err = {0};

	delete_vm_opts(&o);
	o.leave_drs = true;
	disk_vm_more("vm/vm_info_poweredOff.xml", more);
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove(NULL, c, &vm100, &o, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(ft_op_at(3), "Destroy_Task");
	ck_assert_str_eq(ft_op_at(5), "DeleteDatastoreFile_Task");
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "datacenter-2"));
	ck_assert_uint_eq(ft_calls(), 7);
	ft_finish(c);
}
END_TEST

/* A failure after the destroy is reported as such. */
START_TEST(test_dir_fails_after_destroy)
{
	struct vs_vm_remove_opts o;
	struct vs_vm_removal out;
	struct vs_client *c;
	struct err err = {0};

	delete_vm_opts(&o);
	delete_vm_replies("CannotDeleteFile");
	c = ft_connect();
	ck_assert_int_lt(vs_vm_remove(&out, c, &vm100, &o, &err), 0);
	ck_assert_int_eq(out.stage, VS_VM_REMOVE_AT_FILES);
	ck_assert_msg(strstr(err.message, "delete_vm vm-abc: VM destroyed, "
	                     "but its env files") == err.message, "%s",
	              err.message);
	ft_finish(c);
}
END_TEST

/* Step 6 alone: a kept disk under the directory keeps it (only the env
 * files go); a missing file is fine. */
START_TEST(test_files)
{
	static const char *const dss[] = { "LocalDS_0", "LocalDS_1" };
	struct vs_vm_names kept;
	char *items[] = { "[LocalDS_1] vm-abc/disk-1.vmdk" };
	struct vs_client *c;
	struct err err = {0};

	kept.items = items;
	kept.n = 1;
	ft_task("DeleteDatastoreFile_Task", NULL, "FileNotFound");
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	ft_task("DeleteDatastoreFile_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_vm_remove_files(c, &dc2, dss, 2, "vm-abc", &kept,
	                                 &err) == 0, "%s", err.message);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<name>[LocalDS_0] "
	                             "vm-abc</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<name>[LocalDS_1] "
	                             "vm-abc/env.iso</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<name>[LocalDS_1] "
	                             "vm-abc/env.json</name>"));
	ft_all_used();
	ck_assert_int_eq(vs_vm_remove_files(c, &dc2, dss, 2, NULL, NULL,
	                                    &err), ERR_EINVAL);
	ft_finish(c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("vm_remove");
	TCase *tc = tcase_create("remove");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_power_off_destroy);
	tcase_add_test(tc, test_read_already_off);
	tcase_add_test(tc, test_gone);
	tcase_add_test(tc, test_try_power_off_fails);
	tcase_add_test(tc, test_destroy_fails);
	tcase_add_test(tc, test_bad_options);
	tcase_add_test(tc, test_keep_disks_and_dir);
	tcase_add_test(tc, test_dc_and_cluster_in_read);
	tcase_add_test(tc, test_dir_fails_after_destroy);
	tcase_add_test(tc, test_files);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
