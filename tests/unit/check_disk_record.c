/*
 * check_disk_record: the per-VM disk records of vsphere/disk.h (parsing
 * hostile extraConfig text, formatting), finding a disk that Storage
 * vMotion moved and renamed among a VM's devices, the list of disks
 * delete_vm keeps, and the one reconfigure that detaches them (through a
 * fake transport).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/disk.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define UUID_A "6000c29a-1b2c-3d4e-5f60-718293a4b5c6"

static struct vs_device devs[16];
static struct vs_vm_info info;
static struct vs_disk_vm vmv;

static void
setup(void)
{
	ft_reset("disk_record");
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < vmv.nrecords; i++)
		vs_disk_record_clear(&vmv.records[i]);
	free(vmv.records);
	memset(&vmv, 0, sizeof(vmv));
	ft_clear();
}

static struct vs_device *
add_dev(int key, const char *type, int kind, int ctl, int unit)
{
	struct vs_device *d = &devs[info.ndevices++];

	memset(d, 0, sizeof(*d));
	d->key = key;
	d->kind = kind;
	snprintf(d->type, sizeof(d->type), "%s", type);
	d->has_controller_key = ctl != 0;
	d->controller_key = ctl;
	d->has_unit_number = unit >= 0;
	d->unit_number = unit;
	return d;
}

static struct vs_device *
add_ctl(int key, const char *type, int bus)
{
	struct vs_device *d = add_dev(key, type, VS_VM_DEV_CONTROLLER, 100,
	                                 -1);

	d->has_bus_number = true;
	d->bus_number = bus;
	return d;
}

static struct vs_device *
add_disk(int key, int ctl, int unit, const char *file, const char *mode)
{
	struct vs_device *d = add_dev(key, "VirtualDisk", VS_VM_DEV_DISK,
	                                 ctl, unit);

	d->file_name = (char *)file;
	d->disk_mode = (char *)mode;
	return d;
}

static void
record(const char *key, const char *value)
{
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(vs_disk_vm_take_option(&vmv, key, value, &err), 0);
}

/* A VM "vm-1" on [ds] with its system disk, two SCSI controllers (bus 0
 * and bus 1). */
static void
vm1(void)
{
	memset(&info, 0, sizeof(info));
	snprintf(info.vm.type, sizeof(info.vm.type), "VirtualMachine");
	snprintf(info.vm.value, sizeof(info.vm.value), "vm-100");
	info.vm_path_name = (char *)"[ds] vm-1/vm-1.vmx";
	info.devices = devs;
	add_ctl(1000, "ParaVirtualSCSIController", 0);
	add_ctl(1001, "VirtualLsiLogicController", 1);
	add_dev(200, "VirtualIDEController", VS_VM_DEV_CONTROLLER, 100, -1);
	add_disk(2000, 1000, 0, "[ds] vm-1/vm-1.vmdk", "persistent");
	vmv.info = &info;
}

START_TEST(test_parse)
{
	struct vs_disk_record r;

	ck_assert(vs_disk_record_parse(&r, "bosh.persistent_disk.disk-1",
	                               "scsi0:1"));
	ck_assert_str_eq(r.cid, "disk-1");
	ck_assert(!r.detached);
	ck_assert_int_eq(r.bus, 0);
	ck_assert_int_eq(r.unit, 1);
	ck_assert_ptr_null(r.uuid);
	vs_disk_record_clear(&r);
	/* the uuid in any case comes back lower-case */
	ck_assert(vs_disk_record_parse(&r, "bosh.persistent_disk.disk-1",
	          "scsi3:15 6000C29A-1B2C-3D4E-5F60-718293A4B5C6"));
	ck_assert_int_eq(r.bus, 3);
	ck_assert_int_eq(r.unit, 15);
	ck_assert_str_eq(r.uuid, UUID_A);
	vs_disk_record_clear(&r);
	ck_assert(vs_disk_record_parse(&r, "bosh.persistent_disk.disk-1",
	          "detached [ds 2] vm-1/vm-1_1.vmdk"));
	ck_assert(r.detached);
	ck_assert_str_eq(r.path, "[ds 2] vm-1/vm-1_1.vmdk");
	vs_disk_record_clear(&r);
	vs_disk_record_clear(NULL);
}
END_TEST

START_TEST(test_parse_hostile)
{
	static const char *const bad_values[] = {
		"", "scsi", "scsi0", "scsi0:", "scsi:1", "scsi0:7", "scsi0:16",
		"scsi4:0", "scsi-1:0", "scsi0:1 ", "scsi0:1x", "scsi0:01234",
		"scsi00000:1", "SCSI0:1", " scsi0:1", "scsi0:1 " UUID_A " x",
		"scsi0:1 6000c29a1b2c3d4e5f60718293a4b5c6",
		"scsi0:1 6000c29a-1b2c-3d4e-5f60-718293a4b5cg",
		"detached", "detached ", "detached vm-1/x.vmdk",
		"detached [ds] ../x.vmdk", "attached scsi0:1",
	};
	static const char *const bad_keys[] = {
		"bosh.persistent_disk.", "bosh.persistent_disk.vm-1",
		"bosh.persistent_disk.disk-../x", "bosh.persistent_disk",
		"guestinfo.userdata", "BOSH.persistent_disk.disk-1",
	};
	struct vs_disk_record r;
	char big[4096];
	size_t i;

	for (i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
		ck_assert_msg(!vs_disk_record_parse(&r, "bosh.persistent_disk."
		              "disk-1", bad_values[i]), "accepted '%s'",
		              bad_values[i]);
		ck_assert_str_eq(r.cid, "");
		ck_assert_ptr_null(r.uuid);
		ck_assert_ptr_null(r.path);
	}
	for (i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++)
		ck_assert_msg(!vs_disk_record_parse(&r, bad_keys[i], "scsi0:1"),
		              "accepted key '%s'", bad_keys[i]);
	ck_assert(!vs_disk_record_parse(&r, NULL, "scsi0:1"));
	ck_assert(!vs_disk_record_parse(&r, "bosh.persistent_disk.disk-1",
	                                NULL));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "detached [ds] ", 14);
	ck_assert(!vs_disk_record_parse(&r, "bosh.persistent_disk.disk-1",
	                                big));
}
END_TEST

START_TEST(test_format)
{
	struct vs_disk_record r;
	struct err err;
	char *v = NULL, key[128];

	err_clear(&err);
	ck_assert(vs_disk_record_key(key, sizeof(key), "disk-1"));
	ck_assert_str_eq(key, "bosh.persistent_disk.disk-1");
	ck_assert(!vs_disk_record_key(key, 10, "disk-1"));
	ck_assert_str_eq(key, "");
	ck_assert(!vs_disk_record_key(key, sizeof(key), "../disk-1"));
	ck_assert(vs_disk_record_key(key, sizeof(key), "disk-1"));
	ck_assert_int_eq(vs_disk_record_attached(&v, 1, 5, UUID_A, &err), 0);
	ck_assert_str_eq(v, "scsi1:5 " UUID_A);
	ck_assert(vs_disk_record_parse(&r, key, v));
	ck_assert_str_eq(r.uuid, UUID_A);
	vs_disk_record_clear(&r);
	free(v);
	/* a uuid not in the canonical form is left out, not mangled */
	ck_assert_int_eq(vs_disk_record_attached(&v, 0, 1, "60 00 c2 9a",
	                                         &err), 0);
	ck_assert_str_eq(v, "scsi0:1");
	free(v);
	ck_assert_int_eq(vs_disk_record_attached(&v, 0, 7, NULL, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(v);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_record_detached(&v, "[ds] vm-1/vm-1_1.vmdk",
	                                         &err), 0);
	ck_assert(vs_disk_record_parse(&r, key, v));
	ck_assert(r.detached);
	ck_assert_str_eq(r.path, "[ds] vm-1/vm-1_1.vmdk");
	vs_disk_record_clear(&r);
	free(v);
	ck_assert_int_ne(vs_disk_record_detached(&v, "no brackets", &err), 0);
}
END_TEST

START_TEST(test_take_option)
{
	record("bosh.persistent_disk.disk-1", "scsi0:1");
	record("bosh.persistent_disk.disk-2", "scsi0:2");
	record("guestinfo.userdata", "x");
	record("bosh.persistent_disk.disk-1", "scsi1:1");
	ck_assert_uint_eq(vmv.nrecords, 2);
	ck_assert_int_eq(vs_disk_vm_record(&vmv, "disk-1")->bus, 1);
	record("bosh.persistent_disk.disk-1", "");
	ck_assert_ptr_null(vs_disk_vm_record(&vmv, "disk-1"));
	ck_assert_ptr_nonnull(vs_disk_vm_record(&vmv, "disk-2"));
	record("bosh.persistent_disk.disk-2", "garbage");
	ck_assert_uint_eq(vmv.nrecords, 0);
	record("bosh.persistent_disk.disk-3", "");
	ck_assert_uint_eq(vmv.nrecords, 0);
}
END_TEST

/* Storage vMotion moved disk-aa into the VM's directory and renamed it:
 * found by its record's slot. */
START_TEST(test_find_moved)
{
	struct vs_device *moved;
	char buf[64];

	vm1();
	moved = add_disk(2016, 1001, 0, "[ds2] vm-1/vm-1_1.vmdk",
	                 "independent_persistent");
	add_disk(2001, 1000, 1, "[ds] BOSH_Disks/disk-bb.vmdk",
	         "independent_persistent");
	record("bosh.persistent_disk.disk-aa", "scsi1:0 " UUID_A);
	record("bosh.persistent_disk.disk-bb", "scsi0:1");
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-aa"), moved);
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-bb"), &devs[5]);
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-cc"));
	ck_assert(vs_disk_vm_cid(buf, sizeof(buf), &vmv, moved));
	ck_assert_str_eq(buf, "disk-aa");
	ck_assert(vs_disk_vm_cid(buf, sizeof(buf), &vmv, &devs[5]));
	ck_assert_str_eq(buf, "disk-bb");
	ck_assert(!vs_disk_vm_cid(buf, 4, &vmv, moved));
	/* the system disk is nobody's */
	ck_assert(!vs_disk_vm_cid(buf, sizeof(buf), &vmv, &devs[3]));
	/* the backing uuid as vCenter spells it matches */
	moved->disk_uuid = (char *)"6000C29A-1B2C-3D4E-5F60-718293A4B5C6";
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-aa"), moved);
	/* another disk on the slot (uuid differs) is not disk-aa */
	moved->disk_uuid = (char *)"6000C29A-0000-3D4E-5F60-718293A4B5C6";
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-aa"));
	ck_assert(!vs_disk_vm_cid(buf, sizeof(buf), &vmv, moved));
	moved->disk_uuid = NULL;
	/* a file named for another disk is that disk, whatever the slot */
	moved->file_name = (char *)"[ds] BOSH_Disks/disk-dd.vmdk";
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-aa"));
	ck_assert(vs_disk_vm_cid(buf, sizeof(buf), &vmv, moved));
	ck_assert_str_eq(buf, "disk-dd");
	/* the slot's controller must be SCSI with a known bus */
	moved->file_name = (char *)"[ds2] vm-1/vm-1_1.vmdk";
	devs[1].has_bus_number = false;
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-aa"));
	devs[1].has_bus_number = true;
	moved->controller_key = 200;
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-aa"));
}
END_TEST

START_TEST(test_must_move)
{
	const char *vmx = "[ds] vm-1/vm-1.vmx";

	ck_assert(!vs_disk_must_move("[ds] BOSH_Disks/disk-1.vmdk", vmx,
	                             "disk-1"));
	ck_assert(!vs_disk_must_move("[ds2] other/disk-1.vmdk", vmx,
	                             "disk-1"));
	ck_assert(vs_disk_must_move("[ds2] vm-1/vm-1_1.vmdk", vmx,
	                            "disk-1"));
	ck_assert(vs_disk_must_move("[ds] vm-1/disk-1.vmdk", vmx, "disk-1"));
	ck_assert(vs_disk_must_move("[ds] BOSH_Disks/disk-12.vmdk", vmx,
	                            "disk-1"));
	ck_assert(vs_disk_must_move("[ds] BOSH_Disks/x.vmdk", vmx, "disk-1"));
}
END_TEST

START_TEST(test_keeps)
{
	struct vs_disk_keeps *k = NULL;
	struct err err;

	vm1();
	add_disk(2016, 1001, 0, "[ds2] vm-1/vm-1_1.vmdk",
	         "independent_persistent");
	add_disk(2001, 1000, 1, "[ds] BOSH_Disks/disk-bb.vmdk",
	         "independent_persistent");
	add_disk(2002, 1000, 2, "[ds] elsewhere/data.vmdk", "persistent");
	add_disk(2003, 1000, 3, "[ds] vm-1/ephemeral_disk.vmdk",
	         "persistent");
	record("bosh.persistent_disk.disk-aa", "scsi1:0");
	record("bosh.persistent_disk.disk-ee", "detached [ds] vm-1/vm-1_2.vmdk");
	err_clear(&err);
	ck_assert_msg(vs_disk_vm_keeps(&k, &vmv, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(k->n, 4);
	ck_assert_str_eq(k->items[0].cid, "disk-aa");
	ck_assert_ptr_eq(k->items[0].device, &devs[4]);
	ck_assert(k->items[0].move);
	ck_assert_str_eq(k->items[1].cid, "disk-bb");
	ck_assert(!k->items[1].move);
	/* outside the VM's directory without a cid: kept where it is */
	ck_assert_str_eq(k->items[2].cid, "");
	ck_assert_str_eq(k->items[2].file, "[ds] elsewhere/data.vmdk");
	ck_assert(!k->items[2].move);
	/* a move an earlier call did not finish */
	ck_assert_str_eq(k->items[3].cid, "disk-ee");
	ck_assert_ptr_null(k->items[3].device);
	ck_assert_str_eq(k->items[3].file, "[ds] vm-1/vm-1_2.vmdk");
	ck_assert(k->items[3].move);
	vs_disk_keeps_free(k);
	vs_disk_keeps_free(NULL);

	/* an independent disk in the VM's directory that nothing names:
	 * refused, naming the file */
	add_disk(2004, 1000, 4, "[ds] vm-1/vm-1_3.vmdk",
	         "independent_persistent");
	err_clear(&err);
	ck_assert_int_eq(vs_disk_vm_keeps(&k, &vmv, &err), ERR_EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(strstr(err.message, "[ds] vm-1/vm-1_3.vmdk"));
	ck_assert_ptr_nonnull(strstr(err.message, "not destroying"));
}
END_TEST

/* One reconfigure: both disks removed without fileOperation; the moved
 * one's record says where it lies, the other's is removed. */
START_TEST(test_detach_keeps_request)
{
	struct vs_disk_keeps *k = NULL;
	struct vs_client *c;
	struct err err;
	const char *b;

	vm1();
	add_disk(2016, 1001, 0, "[ds2] vm-1/vm-1_1.vmdk",
	         "independent_persistent");
	add_disk(2001, 1000, 1, "[ds] BOSH_Disks/disk-bb.vmdk",
	         "independent_persistent");
	record("bosh.persistent_disk.disk-aa", "scsi1:0");
	record("bosh.persistent_disk.disk-bb", "scsi0:1");
	err_clear(&err);
	ck_assert_int_eq(vs_disk_vm_keeps(&k, &vmv, &err), 0);
	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_disk_detach_keeps(c, &vmv, k, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	ck_assert_ptr_nonnull(strstr(b, "<operation>remove</operation>"
	                             "<device xsi:type=\"VirtualDisk\"><key>"
	                             "2016</key>"));
	ck_assert_ptr_nonnull(strstr(b, "<operation>remove</operation>"
	                             "<device xsi:type=\"VirtualDisk\"><key>"
	                             "2001</key>"));
	ck_assert_ptr_null(strstr(b, "<key>2000</key>"));
	ck_assert_ptr_null(strstr(b, "fileOperation"));
	ck_assert_ptr_nonnull(strstr(b, "<key>bosh.persistent_disk.disk-aa"
	                             "</key><value xsi:type=\"xsd:string\">"
	                             "detached [ds2] vm-1/vm-1_1.vmdk"
	                             "</value>"));
	/* "" removes the key on vCenter */
	ck_assert_ptr_nonnull(strstr(b, "<key>bosh.persistent_disk.disk-bb"
	                             "</key><value xsi:type=\"xsd:string\""
	                             "/>"));
	vs_disk_keeps_free(k);
	ft_finish(c);
}
END_TEST

/* A disk the Ruby CPI attached: its vApp property names the device key;
 * a record of ours, or our "none", wins over it. */
START_TEST(test_ruby_vapp_record)
{
	struct vs_device *moved;
	struct err err;
	char buf[64];

	vm1();
	moved = add_disk(2016, 1001, 0, "[ds2] vm-1/vm-1_1.vmdk",
	                 "independent_persistent");
	err_clear(&err);
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2016, "disk-rr", &err), 0);
	/* not a cid of this CPI: ignored */
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2000, "../x", &err), 0);
	ck_assert_uint_eq(vmv.nrecords, 1);
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-rr"), moved);
	ck_assert(vs_disk_vm_cid(buf, sizeof(buf), &vmv, moved));
	ck_assert_str_eq(buf, "disk-rr");
	/* only a disk attached the Ruby CPI's way */
	moved->disk_mode = (char *)"persistent";
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-rr"));
	moved->disk_mode = (char *)"independent_persistent";
	/* a second vApp record of the same cid does not replace the first */
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2000, "disk-rr", &err), 0);
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-rr"), moved);
	/* our "none" after a detach overrides it */
	record("bosh.persistent_disk.disk-rr", VS_DISK_RECORD_NONE);
	ck_assert_ptr_null(vs_disk_vm_find(&vmv, "disk-rr"));
	ck_assert_uint_eq(vmv.nrecords, 0);
	/* and a record of ours replaces it */
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2016, "disk-rr", &err), 0);
	record("bosh.persistent_disk.disk-rr", "scsi1:0");
	ck_assert(!vs_disk_vm_record(&vmv, "disk-rr")->by_device_key);
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-rr"), moved);
}
END_TEST

/* The Ruby CPI records the Director's cid, which for a disk type naming
 * datastores is "disk-<uuid>.<base64 JSON>": kept under the disk's name
 * (its file's), the name the vsphere layer looks disks up by. */
START_TEST(test_ruby_vapp_record_ruby_cid)
{
	struct vs_device *moved;
	struct err err;

	vm1();
	moved = add_disk(2016, 1001, 0, "[ds2] vm-1/vm-1_1.vmdk",
	                 "independent_persistent");
	err_clear(&err);
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2016, "disk-rr."
	                 "eyJ0YXJnZXRfZGF0YXN0b3JlX3BhdHRlcm4iOiJeZHMkIn0=",
	                 &err), 0);
	ck_assert_uint_eq(vmv.nrecords, 1);
	ck_assert_str_eq(vmv.records[0].cid, "disk-rr");
	ck_assert_ptr_eq(vs_disk_vm_find(&vmv, "disk-rr"), moved);
	/* a name that is not a disk's stays out */
	ck_assert_int_eq(vs_disk_vm_take_vapp(&vmv, 2000, "../x.eyJ9",
	                 &err), 0);
	ck_assert_uint_eq(vmv.nrecords, 1);
}
END_TEST

static Suite *
disk_record_suite(void)
{
	Suite *s = suite_create("disk_record");
	TCase *tc = tcase_create("records");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse);
	tcase_add_test(tc, test_parse_hostile);
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_take_option);
	tcase_add_test(tc, test_find_moved);
	tcase_add_test(tc, test_must_move);
	tcase_add_test(tc, test_keeps);
	tcase_add_test(tc, test_detach_keeps_request);
	tcase_add_test(tc, test_ruby_vapp_record);
	tcase_add_test(tc, test_ruby_vapp_record_ruby_cid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(disk_record_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
