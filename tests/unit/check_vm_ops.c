/*
 * check_vm_ops: vsphere/vm.h through a real client over a fake transport
 * (canned replies, recorded requests): request counts and order, what a
 * persistent disk detach sends, tolerated faults, custom field races.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/fake_transport.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

/* --- fake transport (tests/support/fake_transport.h) --------------------- */

/* A 200 reply <resp_op>Response holding inner, for request op. */
static void
reply_as(const char *op, const char *resp_op, const char *inner)
{
	ft_step(op, 200)->body = ft_fmt(FT_ENV_HEAD "<%sResponse xmlns=\""
	                                "urn:vim25\">%s</%sResponse>"
	                                FT_ENV_TAIL, resp_op, inner, resp_op);
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

/* CustomFieldsManager.field with the given CustomFieldDef list. */
static void
fields(const char *defs)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\""
	                     "CustomFieldsManager\">CustomFieldsManager</obj>"
	                     "<propSet><name>field</name><val xsi:type=\""
	                     "ArrayOfCustomFieldDef\">%s</val></propSet>"
	                     "</objects></returnval>", defs);

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

#define FIELD(key, name, type)                                          \
	"<CustomFieldDef><key>" key "</key><name>" name "</name>"       \
	"<type>string</type>" type "</CustomFieldDef>"
#define VMTYPE "<managedObjectType>VirtualMachine</managedObjectType>"

/* Requests are also saved for tests/schemacheck as vm_ops-<pid>-<n>-<op>.xml
 * when CPI_TEST_OUTDIR is set. */
static void
setup(void)
{
	ft_reset("vm_ops");
}

static void
teardown(void)
{
	ft_clear();
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p;

	for (p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static const struct vs_moref vm100 = { "VirtualMachine", "vm-100" };

/* --- paths -------------------------------------------------------------- */

START_TEST(test_paths)
{
	struct err err;
	char *s = NULL;

	err_clear(&err);
	ck_assert_int_eq(vs_folder_rel_path(&s, "BOSH_VMs", NULL, &err), 0);
	ck_assert_str_eq(s, "BOSH_VMs");
	free(s);
	ck_assert_int_eq(vs_folder_rel_path(&s, "a b/BOSH_VMs", "uuid-1",
	                                    &err), 0);
	ck_assert_str_eq(s, "a b/BOSH_VMs/uuid-1");
	free(s);
	ck_assert_int_eq(vs_vm_path(&s, "DC0", "BOSH_VMs/uuid-1", "vm-1",
	                            &err), 0);
	ck_assert_str_eq(s, "DC0/vm/BOSH_VMs/uuid-1/vm-1");
	free(s);
	ck_assert_int_eq(vs_vm_path(&s, "DC0", NULL, "vm-1", &err), 0);
	ck_assert_str_eq(s, "DC0/vm/vm-1");
	free(s);
	ck_assert_int_eq(err.code, 0);
}
END_TEST

START_TEST(test_paths_refused)
{
	static const char *const bad_folders[] = {
		"", "/BOSH_VMs", "BOSH_VMs/", "a//b", "a%2fb", "a\tb",
		"a\x01", "\xff\xfe",
	};
	struct err err;
	char *s = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad_folders) / sizeof(bad_folders[0]); i++) {
		err_clear(&err);
		ck_assert_int_eq(vs_folder_rel_path(&s, bad_folders[i], NULL,
		                                    &err), ERR_EINVAL);
		ck_assert_ptr_null(s);
		ck_assert_str_ne(err.message, "");
	}
	err_clear(&err);
	ck_assert_int_eq(vs_folder_rel_path(&s, "f", "a/b", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_folder_rel_path(&s, NULL, NULL, &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_path(&s, "DC0", "f", "../x", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_path(&s, "D/C", "f", "x", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_path(&s, "DC0", "f", "", &err), ERR_EINVAL);
	ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_disk_is_persistent)
{
	static const char *const vmx = "[LocalDS_0] vm-1/vm-1.vmx";

	ck_assert(!vs_vm_disk_is_persistent("[LocalDS_0] vm-1/vm-1.vmdk",
	                                    vmx));
	/* the VM's directory on another datastore is still its own */
	ck_assert(!vs_vm_disk_is_persistent("[LocalDS_1] vm-1/eph.vmdk",
	                                    vmx));
	ck_assert(!vs_vm_disk_is_persistent("[LocalDS_0] vm-1/sub/x.vmdk",
	                                    vmx));
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] BOSH_Disks/"
	                                   "disk-1.vmdk", vmx));
	/* a prefix of the name is not the directory */
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] vm-10/disk.vmdk",
	                                   vmx));
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] vm-1.vmdk", vmx));
	/* when in doubt, keep */
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] vm-1/../x.vmdk",
	                                   vmx));
	ck_assert(vs_vm_disk_is_persistent("garbage", vmx));
	ck_assert(vs_vm_disk_is_persistent(NULL, vmx));
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] vm-1/x.vmdk", NULL));
	ck_assert(vs_vm_disk_is_persistent("[LocalDS_0] x.vmdk",
	                                   "[LocalDS_0] x.vmx"));
}
END_TEST

/* --- find --------------------------------------------------------------- */

START_TEST(test_find_found_four_round_trips)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref vm;

	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-100</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_find(&vm, c, "DC0/vm/BOSH_VMs/vm-abc", &err) == 0,
	              "%s", err.message);
	ck_assert_str_eq(vm.type, "VirtualMachine");
	ck_assert_str_eq(vm.value, "vm-100");
	ck_assert_uint_eq(ft_calls(), 1);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<inventoryPath>DC0/vm/"
	                             "BOSH_VMs/vm-abc</inventoryPath>"));
	ck_assert_int_eq(vs_client_close(c, &err), 0);
	/* RetrieveServiceContent, Login, FindByInventoryPath, Logout */
	ck_assert_uint_eq(ft.nreq, 4);
	ck_assert_str_eq(ft.req[3].op, "Logout");
	ft_finish(c);
}
END_TEST

START_TEST(test_find_missing)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref vm;

	ft_reply("FindByInventoryPath", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_find(&vm, c, "DC0/vm/BOSH_VMs/vm-x", &err),
	                 ERR_ENOTFOUND);
	ck_assert_uint_eq(ft_calls(), 1);
	err_clear(&err);
	ck_assert_int_eq(vs_client_close(c, &err), 0);
	ck_assert_uint_eq(ft.nreq, 4);
	ft_finish(c);
}
END_TEST

START_TEST(test_find_not_a_vm)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref vm;

	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">group-v9"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_find(&vm, c, "DC0/vm/BOSH_VMs", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(vm.value, "");
	ft_finish(c);
}
END_TEST

/* --- info and delete sequence ------------------------------------------- */

START_TEST(test_info)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_info *info = NULL;
	const struct vs_device *d;

	ft_reply_file("RetrievePropertiesEx", "vm/vm_info_poweredOn.xml");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(ft_calls(), 1);
	/* one read: the VM plus its datastores' names by traversal */
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<type>Datastore</type>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<path>datastore</path>"));
	ck_assert_str_eq(info->name, "vm-abc");
	ck_assert_int_eq(info->power, VS_VM_POWERED_ON);
	ck_assert_str_eq(info->vm_path_name, "[LocalDS_0] vm-abc/vm-abc.vmx");
	ck_assert(info->has_host);
	ck_assert_str_eq(info->host.value, "host-34");
	ck_assert(info->has_resource_pool);
	ck_assert(info->has_parent);
	ck_assert_str_eq(info->parent.value, "folder-70");
	ck_assert_uint_eq(info->ndatastores, 2);
	ck_assert_str_eq(info->datastores[0].ref.value, "datastore-1");
	ck_assert_str_eq(info->datastores[0].name, "LocalDS_0");
	ck_assert_str_eq(info->datastores[1].name, "LocalDS_1");
	ck_assert_uint_eq(info->ndevices, 6);
	d = vs_vm_info_device(info, 202);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(d->kind, VS_VM_DEV_CONTROLLER);
	d = vs_vm_info_device(info, 3000);
	ck_assert_int_eq(d->kind, VS_VM_DEV_CDROM);
	ck_assert_str_eq(d->file_name, "[LocalDS_0] vm-abc/env.iso");
	d = vs_vm_info_device(info, 2002);
	ck_assert_int_eq(d->kind, VS_VM_DEV_DISK);
	ck_assert_str_eq(d->file_name, "[LocalDS_1] BOSH_Disks/disk-1111.vmdk");
	ck_assert_int_eq(d->controller_key, 202);
	ck_assert_int_eq(d->unit_number, 2);
	ck_assert_int_eq(d->capacity_kb, 4096);
	ck_assert_str_eq(d->disk_mode, "independent_persistent");
	d = vs_vm_info_device(info, 4000);
	ck_assert_int_eq(d->kind, VS_VM_DEV_NIC);
	ck_assert_str_eq(d->mac_address, "00:50:56:aa:bb:cc");
	ck_assert_str_eq(d->device_name, "VM Network");
	ck_assert(d->has_network);
	ck_assert_str_eq(d->label, "Network adapter 1");
	ck_assert_ptr_null(vs_vm_info_device(info, 1));
	vs_vm_info_free(info);
	vs_vm_info_free(NULL);
	ft_finish(c);
}
END_TEST

START_TEST(test_info_gone)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_info *info = NULL;

	ft_fault("RetrievePropertiesEx", "ManagedObjectNotFound");
	ft_reply("RetrievePropertiesEx", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_info(&info, c, &vm100, &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(info);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_info(&info, c, &vm100, &err), ERR_ENOTFOUND);
	ft_finish(c);
}
END_TEST

/* delete_vm's vsphere sequence: power off (already off is fine), detach
 * the persistent disk only, without fileOperation, then destroy. */
START_TEST(test_delete_sequence_keeps_persistent_disk)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_info *info = NULL;
	struct vs_vm_names *kept = NULL;
	const char *rc_body;
	size_t i;

	ft_reply_file("RetrievePropertiesEx", "vm/vm_info_poweredOn.xml");
	/* raced: now off */
	ft_task("PowerOffVM_Task", NULL, "InvalidPowerState");
	power_state("poweredOff");
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("Destroy_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_info(&info, c, &vm100, &err), 0);
	ck_assert_msg(vs_vm_power_off(c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_msg(vs_vm_detach_disks_info(&kept, c, info,
	              VS_VM_DISKS_PERSISTENT, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(kept->n, 1);
	ck_assert_str_eq(kept->items[0],
	                 "[LocalDS_1] BOSH_Disks/disk-1111.vmdk");
	ck_assert_msg(vs_vm_destroy(c, &vm100, &err) == 0, "%s", err.message);

	ck_assert_str_eq(ft_op_at(1), "PowerOffVM_Task");
	ck_assert_str_eq(ft_op_at(3), "RetrievePropertiesEx");
	ck_assert_str_eq(ft_op_at(4), "ReconfigVM_Task");
	ck_assert_str_eq(ft_op_at(6), "Destroy_Task");
	rc_body = ft_body_at(4);
	ck_assert_uint_eq(count(rc_body, "<deviceChange>"), 1);
	ck_assert_ptr_nonnull(strstr(rc_body, "<operation>remove</operation>"));
	ck_assert_ptr_nonnull(strstr(rc_body, "<key>2002</key>"));
	ck_assert_ptr_nonnull(strstr(rc_body, "BOSH_Disks/disk-1111.vmdk"));
	ck_assert_ptr_nonnull(strstr(rc_body, "<controllerKey>202"
	                             "</controllerKey><unitNumber>2"
	                             "</unitNumber>"));
	ck_assert_ptr_nonnull(strstr(rc_body, "independent_persistent"));
	ck_assert_ptr_null(strstr(rc_body, "fileOperation"));
	ck_assert_ptr_null(strstr(rc_body, "vm-abc/vm-abc.vmdk"));
	ck_assert_ptr_null(strstr(rc_body, "ephemeral_disk"));
	for (i = 0; i + 2 < ft.nreq; i++)
		ck_assert_ptr_null(strstr(ft_body_at(i), "destroy<"));
	vs_vm_names_free(kept);
	vs_vm_info_free(info);
	ft_finish(c);
}
END_TEST

START_TEST(test_detach_nothing_no_task)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_info info;
	struct vs_vm_names *kept = NULL;

	memset(&info, 0, sizeof(info));
	info.vm = vm100;
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_detach_disks_info(&kept, c, &info,
	                 VS_VM_DISKS_PERSISTENT, &err), 0);
	ck_assert_uint_eq(kept->n, 0);
	ck_assert_uint_eq(ft_calls(), 0);
	vs_vm_names_free(kept);
	ck_assert_int_eq(vs_vm_detach_disks_info(&kept, c, &info, 7, &err),
	                 ERR_EINVAL);
	ft_finish(c);
}
END_TEST

START_TEST(test_detach_all)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_names *kept = NULL;

	ft_reply_file("RetrievePropertiesEx", "vm/vm_info_poweredOff.xml");
	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_detach_disks(&kept, c, &vm100, VS_VM_DISKS_ALL,
	                                 &err) == 0, "%s", err.message);
	ck_assert_uint_eq(kept->n, 3);
	ck_assert_uint_eq(count(ft_body_at(1), "<deviceChange>"), 3);
	ck_assert_ptr_null(strstr(ft_body_at(1), "fileOperation"));
	vs_vm_names_free(kept);
	ft_finish(c);
}
END_TEST

/* --- power: the cases of tests/data/vs-cases/ (check_vs_cases) ---------- */

/* --- custom fields ------------------------------------------------------ */

START_TEST(test_custom_field_defined_once)
{
	static const char *const names[] = { "director", "deployment",
	                                     "director" };
	static const char *const values[] = { "d-1", "cf", "d-2" };
	struct vs_client *c;
	struct err err;

	fields(FIELD("0", "deployment", VMTYPE)
	       FIELD("1", "director", "<managedObjectType>HostSystem"
	             "</managedObjectType>"));
	ft_reply("AddCustomFieldDef", "<returnval><key>2</key><name>director"
	         "</name><type>string</type>" VMTYPE "</returnval>");
	reply_as("setCustomValue", "SetCustomValue", "");
	reply_as("setCustomValue", "SetCustomValue", "");
	reply_as("setCustomValue", "SetCustomValue", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_set_custom_fields(c, &vm100, names, values, 3,
	                                      &err) == 0, "%s", err.message);
	ck_assert_uint_eq(ft_calls(), 5);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<pathSet>field</pathSet>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<name>director</name>"
	                             "<moType>VirtualMachine</moType>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<_this type=\""
	                             "VirtualMachine\">vm-100</_this><key>"
	                             "director</key><value>d-1</value>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "<key>deployment</key>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<value>d-2</value>"));
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_duplicate_name_race)
{
	struct vs_client *c;
	struct err err;

	fields("");
	ft_fault("AddCustomFieldDef", "DuplicateName");
	fields(FIELD("5", "director", VMTYPE));
	reply_as("setCustomValue", "SetCustomValue", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_set_custom_field(c, &vm100, "director", "d",
	                                     &err) == 0, "%s", err.message);
	ck_assert_str_eq(ft_op_at(3), "setCustomValue");
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_duplicate_other_type)
{
	struct vs_client *c;
	struct err err;

	fields(FIELD("1", "director", "<managedObjectType>HostSystem"
	             "</managedObjectType>"));
	ft_fault("AddCustomFieldDef", "DuplicateName");
	fields(FIELD("1", "director", "<managedObjectType>HostSystem"
	             "</managedObjectType>"));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_ne(vs_vm_set_custom_field(c, &vm100, "director", "d",
	                                        &err), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "not for VMs"));
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_global_field_used)
{
	struct vs_client *c;
	struct err err;

	fields(FIELD("3", "director", ""));
	reply_as("setCustomValue", "SetCustomValue", "");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_set_custom_field(c, &vm100, "director", "x",
	                                        &err), 0);
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_vm_gone)
{
	struct vs_client *c;
	struct err err;

	fields(FIELD("3", "director", VMTYPE));
	ft_fault("setCustomValue", "ManagedObjectNotFound");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_set_custom_field(c, &vm100, "director", "x",
	                                        &err), ERR_ENOTFOUND);
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_refused_input)
{
	static const char *const names[] = { "" };
	static const char *const values[] = { "x" };
	struct vs_client *c;
	struct err err;

	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_set_custom_fields(c, &vm100, names, values, 1,
	                                         &err), ERR_EINVAL);
	ck_assert_int_eq(vs_vm_set_custom_fields(c, &vm100, NULL, NULL, 0,
	                                         &err), 0);
	ck_assert_uint_eq(ft_calls(), 0);
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_read_back_last_wins)
{
	struct vs_client *c;
	struct err err;
	char *v = NULL;

	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "CustomFieldsManager\">CustomFieldsManager</obj><propSet>"
	         "<name>"
	         "field</name><val xsi:type=\"ArrayOfCustomFieldDef\">"
	         FIELD("0", "other", VMTYPE) FIELD("4", "director", VMTYPE)
	         "</val></propSet></objects><objects><obj type=\"VirtualMachine"
	         "\">vm-100</obj><propSet><name>customValue</name>"
	         "<val xsi:type="
	         "\"ArrayOfCustomFieldValue\"><CustomFieldValue xsi:type=\""
	         "CustomFieldStringValue\"><key>4</key><value>first</value>"
	         "</CustomFieldValue><CustomFieldValue xsi:type=\""
	         "CustomFieldStringValue\"><key>0</key><value>o</value>"
	         "</CustomFieldValue><CustomFieldValue xsi:type=\""
	         "CustomFieldStringValue\"><key>4</key><value>second</value>"
	         "</CustomFieldValue></val></propSet></objects></returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_get_custom_field(&v, c, &vm100, "director",
	                                     &err) == 0, "%s", err.message);
	ck_assert_str_eq(v, "second");
	ck_assert_uint_eq(ft_calls(), 1);
	free(v);
	ft_finish(c);
}
END_TEST

START_TEST(test_custom_field_read_back_missing)
{
	struct vs_client *c;
	struct err err;
	char *v = NULL;

	/* field not defined */
	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "VirtualMachine\">vm-100</obj></objects></returnval>");
	/* defined, no value on this VM */
	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "CustomFieldsManager\">CustomFieldsManager</obj><propSet>"
	         "<name>"
	         "field</name><val xsi:type=\"ArrayOfCustomFieldDef\">"
	         FIELD("4", "director", VMTYPE) "</val></propSet></objects>"
	         "<objects><obj type=\"VirtualMachine\">vm-100</obj></objects>"
	         "</returnval>");
	ft_fault("RetrievePropertiesEx", "ManagedObjectNotFound");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_get_custom_field(&v, c, &vm100, "director",
	                                        &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "not defined"));
	err_clear(&err);
	ck_assert_int_eq(vs_vm_get_custom_field(&v, c, &vm100, "director",
	                                        &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "not set"));
	err_clear(&err);
	ck_assert_int_eq(vs_vm_get_custom_field(&v, c, &vm100, "director",
	                                        &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(v);
	ft_finish(c);
}
END_TEST

/* Hostile replies end in a clean error, nothing half-filled. */
START_TEST(test_hostile_replies)
{
	struct vs_client *c;
	struct err err;
	struct vs_vm_info *info = NULL;

	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "VirtualMachine\">vm-100</obj><propSet><name>runtime."
	         "powerState</name><val xsi:type=\"VirtualMachinePowerState\">"
	         "exploded</val></propSet></objects></returnval>");
	fields("<CustomFieldDef><name>director</name></CustomFieldDef>");
	fields("<CustomFieldDef><key>x1</key><name>director</name>"
	       "</CustomFieldDef>");
	ft_reply("PowerOffVM_Task", "<returnval type=\"Task\"></returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_info(&info, c, &vm100, &err), ERR_EPARSE);
	ck_assert_ptr_null(info);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_set_custom_field(c, &vm100, "director", "x",
	                                        &err), ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_ne(vs_vm_set_custom_field(c, &vm100, "director", "x",
	                                        &err), 0);
	err_clear(&err);
	ck_assert_int_ne(vs_vm_power_off(c, &vm100, &err), 0);
	ck_assert_str_ne(err.message, "");
	ft_finish(c);
}
END_TEST

/* --- folders ------------------------------------------------------------ */

START_TEST(test_folder_ensure_existing_one_round_trip)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">group-v7"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_folder_ensure(&f, c, "DC0", "BOSH_VMs/u-1",
	                                  &err), 0);
	ck_assert_str_eq(f.value, "group-v7");
	ck_assert_uint_eq(ft_calls(), 1);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "DC0/vm/BOSH_VMs/u-1<"));
	ft_finish(c);
}
END_TEST

START_TEST(test_folder_ensure_creates_with_race)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "");       /* DC0/vm/BOSH_VMs/u-1 */
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-9"
	         "</returnval>");                   /* DC0/vm/BOSH_VMs */
	ft_fault("CreateFolder", "DuplicateName"); /* a racing process */
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-12"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_folder_ensure(&f, c, "DC0", "BOSH_VMs/u-1",
	                               &err) == 0, "%s", err.message);
	ck_assert_str_eq(f.value, "folder-12");
	ck_assert_uint_eq(ft_calls(), 4);
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "DC0/vm/BOSH_VMs<"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<_this type=\"Folder\">"
	                             "folder-9</_this><name>u-1</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "DC0/vm/BOSH_VMs/u-1<"));
	ft_finish(c);
}
END_TEST

START_TEST(test_folder_ensure_creates)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "");
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-3"
	         "</returnval>");
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-20"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_folder_ensure(&f, c, "DC0", "BOSH_VMs", &err) == 0,
	              "%s", err.message);
	ck_assert_str_eq(f.value, "folder-20");
	/* the full path, "DC0/vm", CreateFolder: no second lookup */
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "DC0/vm<"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "folder-3</_this><name>"
	                             "BOSH_VMs</name>"));
	ft_finish(c);
}
END_TEST

/* Nothing of the path there: looked up up to "DC0/vm", then every
 * component made in order under the one made before it. */
START_TEST(test_folder_ensure_creates_deep)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "");       /* DC0/vm/a/b/c */
	ft_reply("FindByInventoryPath", "");       /* DC0/vm/a/b */
	ft_reply("FindByInventoryPath", "");       /* DC0/vm/a */
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-3"
	         "</returnval>");                   /* DC0/vm */
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-a"
	         "</returnval>");
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-b"
	         "</returnval>");
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-c"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_folder_ensure(&f, c, "DC0", "a/b/c", &err) == 0,
	              "%s", err.message);
	ck_assert_str_eq(f.value, "folder-c");
	ck_assert_uint_eq(ft_calls(), 7);
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "DC0/vm/a/b<"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "DC0/vm/a<"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "DC0/vm<"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "folder-3</_this><name>"
	                             "a</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "folder-a</_this><name>"
	                             "b</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), "folder-b</_this><name>"
	                             "c</name>"));
	ft_finish(c);
}
END_TEST

/* "<dc>/vm" known (the datacenter's vmFolder): the walk up stops above
 * it, no lookup of "DC0/vm"; an empty value is looked up as before. */
START_TEST(test_folder_ensure_in_vm_folder)
{
	const struct vs_moref vmf = { "Folder", "group-v3" };
	const struct vs_moref none = { "", "" };
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "");       /* DC0/vm/a/b */
	ft_reply("FindByInventoryPath", "");       /* DC0/vm/a */
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-a"
	         "</returnval>");
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-b"
	         "</returnval>");
	ft_reply("FindByInventoryPath", "");       /* DC0/vm/x */
	ft_reply("FindByInventoryPath", "<returnval type=\"Folder\">folder-3"
	         "</returnval>");                   /* DC0/vm */
	ft_reply("CreateFolder", "<returnval type=\"Folder\">folder-x"
	         "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_folder_ensure_in(&f, c, &vmf, "DC0", "a/b", &err) ==
	              0, "%s", err.message);
	ck_assert_str_eq(f.value, "folder-b");
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "group-v3</_this><name>"
	                             "a</name>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "folder-a</_this><name>"
	                             "b</name>"));
	ck_assert_msg(vs_folder_ensure_in(&f, c, &none, "DC0", "x", &err) ==
	              0, "%s", err.message);
	ck_assert_str_eq(f.value, "folder-x");
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "DC0/vm<"));
	ck_assert_uint_eq(ft_calls(), 7);
	ft_finish(c);
}
END_TEST

/* No datacenter: the walk up ends at "DC9/vm" with its not-found error;
 * an ancestor that is not a folder is refused. */
START_TEST(test_folder_ensure_no_ancestor)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "");       /* DC9/vm/a/b */
	ft_reply("FindByInventoryPath", "");       /* DC9/vm/a */
	ft_reply("FindByInventoryPath", "");       /* DC9/vm */
	ft_reply("FindByInventoryPath", "");       /* DC0/vm/x/y */
	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-1</returnval>");               /* DC0/vm/x */
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_folder_ensure(&f, c, "DC9", "a/b", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "DC9/vm"));
	ck_assert_ptr_null(strstr(err.message, "DC9/vm/"));
	ck_assert_str_eq(f.value, "");
	err_clear(&err);
	ck_assert_int_eq(vs_folder_ensure(&f, c, "DC0", "x/y", &err),
	                 ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "not a folder"));
	ck_assert_uint_eq(ft_calls(), 5);
	ft_finish(c);
}
END_TEST

START_TEST(test_folder_ensure_not_a_folder)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref f;

	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-1</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_folder_ensure(&f, c, "DC0", "BOSH_VMs", &err),
	                 ERR_EINVAL);
	ck_assert_str_eq(f.value, "");
	ft_finish(c);
}
END_TEST

/* --- a VM by name from its datacenter, with the VM folder ------------- */

#define TREE_OBJ(type, id, props)                                       \
	"<objects><obj type=\"" type "\">" id "</obj>" props "</objects>"
#define TREE_STR(name, v)                                               \
	"<propSet><name>" name "</name><val xsi:type=\"xsd:string\">" v  \
	"</val></propSet>"
#define TREE_REF(name, type, v)                                         \
	"<propSet><name>" name "</name><val type=\"" type "\" xsi:type="  \
	"\"ManagedObjectReference\">" v "</val></propSet>"
/* DC0 (vm folder group-v3) holding BOSH_VMs/u-1 and a folder u-1 of
 * the same name elsewhere, VMs "a" and "wanted" */
#define TREE_DC                                                         \
	TREE_OBJ("Datacenter", "datacenter-2",                          \
	         TREE_REF("vmFolder", "Folder", "group-v3"))            \
	TREE_OBJ("Folder", "group-v3", TREE_STR("name", "vm")           \
	         TREE_REF("parent", "Datacenter", "datacenter-2"))      \
	TREE_OBJ("Folder", "folder-5", TREE_STR("name", "BOSH_VMs")     \
	         TREE_REF("parent", "Folder", "group-v3"))              \
	TREE_OBJ("Folder", "folder-6", TREE_STR("name", "other")        \
	         TREE_REF("parent", "Folder", "group-v3"))              \
	TREE_OBJ("Folder", "folder-7", TREE_STR("name", "u-1")          \
	         TREE_REF("parent", "Folder", "folder-6"))              \
	TREE_OBJ("VirtualMachine", "vm-8", TREE_STR("name", "a"))       \
	TREE_OBJ("VirtualMachine", "vm-9", TREE_STR("name", "wanted"))

/* One read from the datacenter (reported, with its vmFolder), the
 * folders' names and parents with the VMs' names: the VM and whether
 * the folder is there, component by component. */
START_TEST(test_find_by_name_in_dc)
{
	static const struct { const char *rel; bool there; } cases[] = {
		{ "BOSH_VMs", true }, { "other/u-1", true },
		{ "BOSH_VMs/u-1", false }, { "u-1", false }, { "", false },
		{ "BOSH_VMs/", false }, { NULL, false },
	};
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;
	size_t i, n;
	bool there;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ft_reply("RetrievePropertiesEx", "<returnval>" TREE_DC
		         "</returnval>");
		c = ft_connect();
		err_clear(&err);
		ck_assert_msg(vs_vm_find_by_name_in_dc(&vm, &n, &there, c, &dc,
		                                       "wanted", cases[i].rel,
		                                       &err) == 0, "%s",
		              err.message);
		ck_assert_uint_eq(n, 1);
		ck_assert_str_eq(vm.value, "vm-9");
		ck_assert_msg(there == cases[i].there, "%s",
		              cases[i].rel != NULL ? cases[i].rel : "NULL");
		ck_assert_uint_eq(ft_calls(), 1);
		ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<obj type=\""
		                             "Datacenter\">datacenter-2</obj>"
		                             "<skip>false</skip>"));
		ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<type>Folder"
		                             "</type><pathSet>name</pathSet>"
		                             "<pathSet>parent</pathSet>"));
		ft_finish(c);
		ft_clear();
		ft_reset("vm_ops");
	}
}
END_TEST

/* No VM of the name: ERR_ENOTFOUND, the folder still told; two: both
 * counted, the first kept; no datacenter: refused unsent. */
START_TEST(test_find_by_name_in_dc_none_and_two)
{
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	const struct vs_moref folder = { "Folder", "group-v3" };
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;
	size_t n;
	bool there;

	ft_reply("RetrievePropertiesEx", "<returnval>" TREE_DC "</returnval>");
	ft_reply("RetrievePropertiesEx", "<returnval>" TREE_DC
	         TREE_OBJ("VirtualMachine", "vm-10", TREE_STR("name",
	                  "wanted")) "</returnval>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_vm_find_by_name_in_dc(&vm, &n, &there, c, &dc,
	                                          "gone", "BOSH_VMs", &err),
	                 ERR_ENOTFOUND);
	ck_assert_uint_eq(n, 0);
	ck_assert(there);
	err_clear(&err);
	ck_assert_int_eq(vs_vm_find_by_name_in_dc(&vm, &n, &there, c, &dc,
	                                          "wanted", "BOSH_VMs", &err),
	                 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(vm.value, "vm-9");
	err_clear(&err);
	ck_assert_int_eq(vs_vm_find_by_name_in_dc(&vm, &n, &there, c, &folder,
	                                          "wanted", "BOSH_VMs", &err),
	                 ERR_EINVAL);
	ck_assert(!there);
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

/* --- reconfigure -------------------------------------------------------- */

START_TEST(test_reconfigure_spec)
{
	const struct vs_moref ds = { "Datastore", "datastore-1" };
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_OP_ADD,
		  .file_operation = VS_FILEOP_CREATE,
		  .kind = VS_VM_DEV_DISK, .key = -1, .controller_key = 202,
		  .has_unit_number = true, .unit_number = 3,
		  .file_name = "[LocalDS_0] vm-abc/ephemeral_disk.vmdk",
		  .datastore = &ds, .capacity_kb = 1024, .thin = 2 },
		{ .operation = VS_OP_ADD, .kind = VS_VM_DEV_NIC,
		  .key = -2, .network_name = "VM Network",
		  .address_type = "generated" },
		{ .operation = VS_OP_ADD, .kind = VS_VM_DEV_CDROM,
		  .key = -3, .controller_key = 200,
		  .file_name = "[LocalDS_0] vm-abc/env.iso",
		  .has_connectable = true, .start_connected = true,
		  .connected = true },
	};
	const struct vs_vm_option extra[] = { { "disk.enableUUID", "TRUE" } };
	const struct vs_vm_config spec = {
		.changes = ch, .nchanges = 3, .extra = extra, .nextra = 1,
	};
	const struct vs_vm_device_change bad = { .operation = 9,
	                                         .kind = VS_VM_DEV_DISK };
	const struct vs_vm_config bad_spec = { .changes = &bad,
	                                       .nchanges = 1 };
	struct vs_client *c;
	struct err err;
	const char *b;

	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	ck_assert_uint_eq(count(b, "<deviceChange>"), 3);
	ck_assert_ptr_nonnull(strstr(b, "<fileOperation>create"));
	ck_assert_ptr_nonnull(strstr(b, "VirtualDiskFlatVer2BackingInfo"));
	ck_assert_ptr_nonnull(strstr(b, "<diskMode>persistent</diskMode>"
	                             "<thinProvisioned>true"));
	ck_assert_ptr_nonnull(strstr(b, "VirtualVmxnet3"));
	ck_assert_ptr_nonnull(strstr(b, "<deviceName>VM Network"));
	ck_assert_ptr_nonnull(strstr(b, "VirtualCdromIsoBackingInfo"));
	ck_assert_ptr_nonnull(strstr(b, "<key>disk.enableUUID</key>"));
	err_clear(&err);
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad_spec, &err),
	                 ERR_EINVAL);
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, NULL, &err), ERR_EINVAL);
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

static Suite *
vm_ops_suite(void)
{
	Suite *s = suite_create("vm_ops");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_paths_refused);
	tcase_add_test(tc, test_disk_is_persistent);
	tcase_add_test(tc, test_find_found_four_round_trips);
	tcase_add_test(tc, test_find_missing);
	tcase_add_test(tc, test_find_not_a_vm);
	tcase_add_test(tc, test_info);
	tcase_add_test(tc, test_info_gone);
	tcase_add_test(tc, test_delete_sequence_keeps_persistent_disk);
	tcase_add_test(tc, test_detach_nothing_no_task);
	tcase_add_test(tc, test_detach_all);
	tcase_add_test(tc, test_custom_field_defined_once);
	tcase_add_test(tc, test_custom_field_duplicate_name_race);
	tcase_add_test(tc, test_custom_field_duplicate_other_type);
	tcase_add_test(tc, test_custom_field_global_field_used);
	tcase_add_test(tc, test_custom_field_vm_gone);
	tcase_add_test(tc, test_custom_field_refused_input);
	tcase_add_test(tc, test_custom_field_read_back_last_wins);
	tcase_add_test(tc, test_custom_field_read_back_missing);
	tcase_add_test(tc, test_hostile_replies);
	tcase_add_test(tc, test_folder_ensure_existing_one_round_trip);
	tcase_add_test(tc, test_folder_ensure_creates_with_race);
	tcase_add_test(tc, test_folder_ensure_creates);
	tcase_add_test(tc, test_folder_ensure_creates_deep);
	tcase_add_test(tc, test_folder_ensure_in_vm_folder);
	tcase_add_test(tc, test_folder_ensure_no_ancestor);
	tcase_add_test(tc, test_folder_ensure_not_a_folder);
	tcase_add_test(tc, test_find_by_name_in_dc);
	tcase_add_test(tc, test_find_by_name_in_dc_none_and_two);
	tcase_add_test(tc, test_reconfigure_spec);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vm_ops_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
