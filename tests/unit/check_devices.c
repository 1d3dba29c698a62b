/* tests/unit/check_devices.c: vs_vm_disk_remove_change, the one place a
 * disk's removal change is built from the VM's device. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/devices.h"

START_TEST(test_remove_change_copies_the_disk)
{
	struct vs_device d;
	struct vs_vm_device_change ch;
	char file[] = "[ds1] vm-1/disk-2.vmdk";
	char mode[] = "independent_persistent";

	memset(&d, 0, sizeof(d));
	d.key = 2001;
	d.kind = VS_VM_DEV_DISK;
	strcpy(d.type, "VirtualDisk");
	d.has_controller_key = true;
	d.controller_key = 1000;
	d.has_unit_number = true;
	d.unit_number = 3;
	d.file_name = file;
	d.has_datastore = true;
	strcpy(d.datastore.type, "Datastore");
	strcpy(d.datastore.value, "datastore-9");
	d.capacity_kb = 1048576;
	d.disk_mode = mode;
	memset(&ch, 0xff, sizeof(ch));  /* cleared first */
	vs_vm_disk_remove_change(&ch, &d);
	ck_assert_int_eq(ch.operation, VS_OP_REMOVE);
	ck_assert_int_eq(ch.file_operation, VS_FILEOP_NONE);
	ck_assert_int_eq(ch.kind, VS_VM_DEV_DISK);
	ck_assert_str_eq(ch.type_name, "VirtualDisk");
	ck_assert_int_eq(ch.key, 2001);
	ck_assert_int_eq(ch.controller_key, 1000);
	ck_assert(ch.has_unit_number);
	ck_assert_int_eq(ch.unit_number, 3);
	ck_assert_ptr_eq(ch.file_name, file);
	ck_assert_ptr_eq(ch.datastore, &d.datastore);
	ck_assert_ptr_eq(ch.disk_mode, mode);
	ck_assert_int_eq(ch.capacity_kb, 1048576);
	ck_assert_ptr_null(ch.label);
}
END_TEST

START_TEST(test_remove_change_defaults)
{
	struct vs_device d;
	struct vs_vm_device_change ch;

	memset(&d, 0, sizeof(d));
	d.key = 7;
	d.kind = VS_VM_DEV_DISK;
	d.controller_key = 55;          /* not had: not sent */
	vs_vm_disk_remove_change(&ch, &d);
	ck_assert_ptr_null(ch.type_name);       /* the kind's default */
	ck_assert_int_eq(ch.controller_key, 0);
	ck_assert(!ch.has_unit_number);
	ck_assert_ptr_null(ch.datastore);
	ck_assert_ptr_null(ch.file_name);
}
END_TEST

static Suite *
devices_suite(void)
{
	Suite *s = suite_create("devices");
	TCase *t = tcase_create("remove_change");

	tcase_add_test(t, test_remove_change_copies_the_disk);
	tcase_add_test(t, test_remove_change_defaults);
	suite_add_tcase(s, t);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(devices_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
