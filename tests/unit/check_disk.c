/*
 * check_disk: vsphere/disk.h and the vsphere/vm.c fixes it relies on,
 * through a real client over a fake transport (canned replies, recorded
 * requests).
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/cpi_run.h"
#include "tests/support/fake_transport.h"
#include "vsphere/disk.h"
#include "vsphere/pattern.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

/* --- fake transport (tests/support/fake_transport.h) --------------------- */

/* Requests are also saved for tests/schemacheck as disk-<pid>-<n>-<op>.xml
 * when CPI_TEST_OUTDIR is set. */
static void
setup(void)
{
	ft_reset("disk");
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

/* --- vm.c fixes ---------------------------------------------------------- */

/* A VM reply with only the power state: every other property of
 * vs_vm_info is absent. */
#define SPARSE_VM                                                       \
	"<returnval><objects><obj type=\"VirtualMachine\">vm-100</obj>"  \
	"<propSet><name>runtime.powerState</name><val xsi:type=\""       \
	"VirtualMachinePowerState\">poweredOff</val></propSet>"          \
	"</objects></returnval>"

START_TEST(test_vm_info_absent_props_leave_err_clear)
{
	const struct vs_vm_config bad = { .nchanges = 1, .changes = NULL };
	struct vs_client *c;
	struct err err;
	struct vs_vm_info *info = NULL;

	ft_reply("RetrievePropertiesEx", SPARSE_VM);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(info->name);
	ck_assert(!info->has_host);
	ck_assert(!info->has_parent);
	ck_assert_int_eq(info->power, VS_VM_POWERED_OFF);
	/* absence is not a failure: the error object stays empty ... */
	ck_assert_msg(!err_is_set(&err), "err left set: %s",
	              err.message);
	/* ... so the next failure reported through it is the one seen */
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad, &err), ERR_EINVAL);
	ck_assert_int_eq(err.code, ERR_EINVAL);
	ck_assert_str_eq(err.message, "ReconfigVM_Task: bad spec");
	vs_vm_info_free(info);
	ft_finish(c);
}
END_TEST

START_TEST(test_remove_carries_real_type)
{
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		  .type_name = "VirtualE1000", .key = 4000,
		  .network_name = "VM Network" },
		{ .operation = VS_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		  .key = 4001, .network_name = "VM Network" },
	};
	const struct vs_vm_config spec = { .changes = ch, .nchanges = 2 };
	struct vs_client *c;
	struct err err;
	const char *b;

	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	ck_assert_uint_eq(count(b, "<deviceChange>"), 2);
	ck_assert_ptr_nonnull(strstr(b, "<operation>remove</operation>"
	                             "<device xsi:type=\"VirtualE1000\">"
	                             "<key>4000</key>"));
	/* without a type the kind's default is kept */
	ck_assert_ptr_nonnull(strstr(b, "<device xsi:type=\"VirtualVmxnet3"
	                             "\"><key>4001</key>"));
	ck_assert_uint_eq(count(b, "VirtualVmxnet3"), 1);
	ft_finish(c);
}
END_TEST

START_TEST(test_edit_carries_device_info)
{
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		  .type_name = "VirtualCdrom", .key = 3000,
		  .controller_key = 200, .has_unit_number = true,
		  .unit_number = 0, .label = "CD/DVD drive 1",
		  .summary = "ISO [LocalDS_0] vm-abc/env.iso",
		  .file_name = "[LocalDS_0] vm-abc/env.iso" },
	};
	const struct vs_vm_config spec = { .changes = ch, .nchanges = 1 };
	struct vs_client *c;
	struct err err;
	const char *b;

	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	/* schema order: key, deviceInfo, backing, …, controllerKey */
	ck_assert_ptr_nonnull(strstr(b, "<operation>edit</operation><device "
	                             "xsi:type=\"VirtualCdrom\"><key>3000"
	                             "</key><deviceInfo><label>CD/DVD drive "
	                             "1</label><summary>ISO [LocalDS_0] "
	                             "vm-abc/env.iso</summary></deviceInfo>"
	                             "<backing xsi:type=\"VirtualCdromIso"
	                             "BackingInfo\">"));
	ck_assert_ptr_nonnull(strstr(b, "</backing><controllerKey>200"));
	ft_finish(c);
}
END_TEST

START_TEST(test_change_type_and_info_refused)
{
	const struct vs_vm_device_change wrong_family = {
		.operation = VS_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		.type_name = "VirtualDisk", .key = 4000,
		.network_name = "VM Network",
	};
	const struct vs_vm_device_change unknown = {
		.operation = VS_OP_REMOVE, .kind = VS_VM_DEV_DISK,
		.type_name = "VirtualDisk\" evil=\"1", .key = 2000,
		.file_name = "[ds] a/b.vmdk",
	};
	const struct vs_vm_device_change half_info = {
		.operation = VS_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		.key = 3000, .label = "x",
	};
	const struct vs_vm_device_change bad_text = {
		.operation = VS_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		.key = 3000, .label = "x", .summary = "a\x01b",
	};
	const struct vs_vm_device_change *cases[] = {
		&wrong_family, &unknown, &half_info, &bad_text,
	};
	struct vs_vm_config spec = { .nchanges = 1 };
	struct vs_client *c;
	struct err err;
	size_t i;

	c = ft_connect();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec.changes = cases[i];
		err_clear(&err);
		ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &spec, &err),
		                 ERR_EINVAL);
		ck_assert_str_ne(err.message, "");
	}
	ck_assert_uint_eq(ft_calls(), 0);      /* nothing was sent */
	ft_finish(c);
}
END_TEST

/* --- disk.c: pure parts -------------------------------------------------- */

START_TEST(test_cid_and_path)
{
	struct err err;
	char *s = NULL;

	ck_assert(vs_disk_cid_valid("disk-6f1c2b9e-0a4d-4c3e-9b8a-"
	                            "1d2e3f4a5b6c"));
	ck_assert(vs_disk_cid_valid("disk-1"));
	ck_assert(!vs_disk_cid_valid("disk-"));
	ck_assert(!vs_disk_cid_valid("disk-../x"));
	ck_assert(!vs_disk_cid_valid("disk-a b"));
	ck_assert(!vs_disk_cid_valid("disk-a/b"));
	ck_assert(!vs_disk_cid_valid("vm-1234"));
	ck_assert(!vs_disk_cid_valid(NULL));
	/* 64 characters at most */
	ck_assert(vs_disk_cid_valid("disk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                            "aaaaaaaaaaaaaaaaaaaaaaaaa"));
	ck_assert(!vs_disk_cid_valid("disk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	                             "aaaaaaaaaaaaaaaaaaaaaaaaaa"));
	err_clear(&err);
	ck_assert_int_eq(vs_disk_path(&s, "LocalDS_0", "BOSH_Disks", "disk-1",
	                              &err), 0);
	ck_assert_str_eq(s, "[LocalDS_0] BOSH_Disks/disk-1.vmdk");
	free(s);
	ck_assert_int_eq(vs_disk_path(&s, "ds 1", "a b/c", "disk-1", &err),
	                 0);
	ck_assert_str_eq(s, "[ds 1] a b/c/disk-1.vmdk");
	free(s);
	ck_assert_int_eq(vs_disk_path(&s, "ds", "../x", "disk-1", &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(s);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_path(&s, "d]s", "x", "disk-1", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_path(&s, "ds", "x", "disk-/1", &err),
	                 ERR_EINVAL);
}
END_TEST

static struct vs_disk_ds dss_items[4];
static struct vs_disk_dss dss = { .items = dss_items, .n = 4 };

static void
make_dss(void)
{
	static const char *const names[] = {
		"other", "LocalDS_0", "LocalDS_1", "LocalDS_2",
	};
	size_t i;

	memset(dss_items, 0, sizeof(dss_items));
	for (i = 0; i < 4; i++) {
		snprintf(dss_items[i].ref.type, sizeof(dss_items[i].ref.type),
		         "Datastore");
		snprintf(dss_items[i].ref.value,
		         sizeof(dss_items[i].ref.value), "datastore-%zu", i);
		dss_items[i].name = (char *)names[i];
		dss_items[i].usable = true;
		dss_items[i].free_space = (long long)(i + 1) << 30;
	}
}

START_TEST(test_pick_datastore)
{
	struct vs_moref near_refs[1];
	struct vs_disk_reach reach = { near_refs, 1 };
	const char *const named[] = { "LocalDS_0" };
	const struct vs_disk_ds *d = NULL;
	struct err err;

	make_dss();
	near_refs[0] = dss_items[1].ref;        /* the host reaches DS_0 */
	err_clear(&err);
	/* most free space among the pattern's */
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^LocalDS_", NULL,
	                                        0, NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "LocalDS_2");
	/* what the VM's host reaches wins over free space */
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^LocalDS_", NULL,
	                                        0, &reach, 1, &err), 0);
	ck_assert_str_eq(d->name, "LocalDS_0");
	/* ... unless it is too small, unusable */
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^LocalDS_", NULL,
	                                        0, &reach, 3LL << 30, &err),
	                 0);
	ck_assert_str_eq(d->name, "LocalDS_2");
	dss_items[3].usable = false;
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^LocalDS_", NULL,
	                                        0, NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "LocalDS_1");
	/* names replace the pattern */
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^other$", named,
	                                        1, NULL, 1, &err), 0);
	ck_assert_str_eq(d->name, "LocalDS_0");
	ck_assert_int_eq(err.code, 0);
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^nothing", NULL,
	                                        0, NULL, 1, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(d);
	ck_assert_ptr_nonnull(strstr(err.message, "no datastore matches"));
	err_clear(&err);
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "^LocalDS_", NULL,
	                                        0, NULL, 100LL << 30, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "none of the 3"));
	err_clear(&err);
	ck_assert_int_eq(vs_disk_pick_datastore(&d, &dss, "(", NULL, 0, NULL,
	                                        1, &err), ERR_EINVAL);
}
END_TEST

static bool
pmatch(const char *pattern, const char *name)
{
	struct err err;
	bool m = false;

	err_clear(&err);
	ck_assert_msg(vs_pattern_matches(&m, pattern, name, "k", &err) == 0,
	              "%s: %s", pattern, err.message);
	return m;
}

/* Datastore patterns read as Ruby reads them (POSIX ERE read "\d" as
 * "d": "^ds\d+$" matched nothing). */
START_TEST(test_pattern_ruby)
{
	char big[VS_PATTERN_MAX + 2], subject[4096];
	struct vs_pattern *p = NULL;
	struct err err;

	ck_assert(pmatch("^ds\\d+$", "ds12"));
	ck_assert(!pmatch("^ds\\d+$", "dsd"));
	ck_assert(!pmatch("^ds\\d+$", "ds1x"));
	ck_assert(pmatch("\\ALocalDS_0\\z", "LocalDS_0"));
	ck_assert(!pmatch("\\ALocalDS_0\\z", "LocalDS_01"));
	ck_assert(pmatch("(?i)^localds", "LocalDS_3"));
	ck_assert(!pmatch("^localds", "LocalDS_3"));
	/* unanchored: a match anywhere (Ruby's =~) */
	ck_assert(pmatch("DS_", "LocalDS_3"));
	ck_assert(pmatch("", "anything"));
	ck_assert(pmatch("^(LocalDS_1)$", "LocalDS_1"));
	ck_assert(pmatch("ds-[[:digit:]]", "ds-4"));
	/* refused: does not compile, too long, not UTF-8 */
	err_clear(&err);
	ck_assert_int_eq(vs_pattern_compile(&p, "ds(", "the.key", &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(p);
	ck_assert_ptr_nonnull(strstr(err.message, "the.key: not a valid "
	                             "regular expression"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_clear(&err);
	ck_assert_int_eq(vs_pattern_check(big, "k", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_pattern_check("\xff(", "k", &err), ERR_EINVAL);
	/* a hostile pattern is bounded: no match, quickly */
	memset(subject, 'a', sizeof(subject) - 2);
	subject[sizeof(subject) - 2] = 'b';
	subject[sizeof(subject) - 1] = '\0';
	ck_assert(!pmatch("^(a+)+$", subject));
	/* a name that is not UTF-8 matches nothing, harmlessly */
	ck_assert(!pmatch("^x", "\xff\xfe"));
	ck_assert(vs_pattern_match(NULL, "x"));
}
END_TEST

static struct vs_device devs[72];
static struct vs_vm_info vminfo;

static void
add_dev(size_t i, int key, const char *type, int kind, int ctl, int unit)
{
	memset(&devs[i], 0, sizeof(devs[i]));
	devs[i].key = key;
	devs[i].kind = kind;
	snprintf(devs[i].type, sizeof(devs[i].type), "%s", type);
	devs[i].has_controller_key = ctl != 0;
	devs[i].controller_key = ctl;
	devs[i].has_unit_number = unit >= 0;
	devs[i].unit_number = unit;
}

START_TEST(test_free_unit)
{
	struct err err;
	int ctl, unit, u;
	size_t n = 0;

	memset(&vminfo, 0, sizeof(vminfo));
	snprintf(vminfo.vm.value, sizeof(vminfo.vm.value), "vm-1");
	vminfo.devices = devs;
	add_dev(n++, 200, "VirtualIDEController", VS_VM_DEV_CONTROLLER, 0,
	        -1);
	add_dev(n++, 3000, "VirtualCdrom", VS_VM_DEV_CDROM, 200, 0);
	vminfo.ndevices = n;
	err_clear(&err);
	ck_assert_int_eq(vs_disk_free_unit(&ctl, &unit, &vminfo, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "no SCSI controller"));
	add_dev(n++, 1000, "ParaVirtualSCSIController",
	        VS_VM_DEV_CONTROLLER, 100, 3);
	add_dev(n++, 2000, "VirtualDisk", VS_VM_DEV_DISK, 1000, 0);
	add_dev(n++, 2001, "VirtualDisk", VS_VM_DEV_DISK, 1000, 1);
	/* the simulator's CD-ROM sits on the SCSI controller */
	add_dev(n++, 3001, "VirtualCdrom", VS_VM_DEV_CDROM, 1000, 2);
	/* a disk on another controller does not take the unit */
	add_dev(n++, 2002, "VirtualDisk", VS_VM_DEV_DISK, 200, 3);
	vminfo.ndevices = n;
	err_clear(&err);
	ck_assert_int_eq(vs_disk_free_unit(&ctl, &unit, &vminfo, &err), 0);
	ck_assert_int_eq(ctl, 1000);
	ck_assert_int_eq(unit, 3);
	/* fill 3..15: 7 is the controller's own and never chosen */
	for (u = 3; u < 16; u++) {
		if (u == 7)
			continue;
		add_dev(n++, 2100 + u, "VirtualDisk", VS_VM_DEV_DISK, 1000,
		        u);
		vminfo.ndevices = n;
		if (u < 15) {
			ck_assert_int_eq(vs_disk_free_unit(&ctl, &unit,
			                                   &vminfo, &err), 0);
			ck_assert_int_eq(unit, u + 1 == 7 ? 8 : u + 1);
		}
	}
	ck_assert_int_eq(vs_disk_free_unit(&ctl, &unit, &vminfo, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "taken"));
	/* a second controller with room */
	add_dev(n++, 1001, "VirtualLsiLogicController", VS_VM_DEV_CONTROLLER,
	        100, 4);
	vminfo.ndevices = n;
	err_clear(&err);
	ck_assert_int_eq(vs_disk_free_unit(&ctl, &unit, &vminfo, &err), 0);
	ck_assert_int_eq(ctl, 1001);
	ck_assert_int_eq(unit, 0);
}
END_TEST

START_TEST(test_device_cid)
{
	char buf[VS_DISK_CID_MAX + 1];
	size_t n = 0;

	memset(&vminfo, 0, sizeof(vminfo));
	vminfo.devices = devs;
	add_dev(n, 2000, "VirtualDisk", VS_VM_DEV_DISK, 1000, 0);
	devs[n++].file_name = (char *)"[LocalDS_0] vm-1/vm-1.vmdk";
	add_dev(n, 2001, "VirtualDisk", VS_VM_DEV_DISK, 1000, 1);
	devs[n++].file_name = (char *)"[LocalDS_1] BOSH_Disks/disk-77.vmdk";
	add_dev(n, 2002, "VirtualDisk", VS_VM_DEV_DISK, 1000, 2);
	devs[n++].file_name = (char *)"[LocalDS_0] disk-78.vmdk";
	add_dev(n, 3000, "VirtualCdrom", VS_VM_DEV_CDROM, 200, 0);
	devs[n++].file_name = (char *)"[LocalDS_0] disk-79.vmdk";
	vminfo.ndevices = n;
	ck_assert_ptr_eq(vs_disk_vm_device(&vminfo, "disk-77"), &devs[1]);
	ck_assert_ptr_eq(vs_disk_vm_device(&vminfo, "disk-78"), &devs[2]);
	/* only disks count */
	ck_assert_ptr_null(vs_disk_vm_device(&vminfo, "disk-79"));
	/* a prefix is not the name */
	ck_assert_ptr_null(vs_disk_vm_device(&vminfo, "disk-7"));
	ck_assert_ptr_null(vs_disk_vm_device(&vminfo, "../disk-77"));
	ck_assert(vs_disk_device_cid(buf, sizeof(buf), &devs[1]));
	ck_assert_str_eq(buf, "disk-77");
	ck_assert(!vs_disk_device_cid(buf, 4, &devs[1]));
	ck_assert(!vs_disk_device_cid(buf, sizeof(buf), &devs[3]));
}
END_TEST

START_TEST(test_new_controller_request)
{
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_OP_ADD, .kind = VS_VM_DEV_CONTROLLER,
		  .type_name = "ParaVirtualSCSIController", .key = -100,
		  .bus_number = 1 },
		{ .operation = VS_OP_ADD, .kind = VS_VM_DEV_DISK,
		  .key = -1, .controller_key = -100, .has_unit_number = true,
		  .unit_number = 0, .file_name = "[ds] BOSH_Disks/disk-1.vmdk",
		  .disk_mode = "independent_persistent" },
	};
	const struct vs_vm_option extra[] = { { "k", "v" } };
	const struct vs_vm_config spec = {
		.changes = ch, .nchanges = 2, .extra = extra, .nextra = 1,
	};
	const struct vs_vm_config alone = {
		.changes = ch, .nchanges = 1, .extra = extra, .nextra = 1,
	};
	struct vs_vm_device_change bad = ch[0];
	const struct vs_vm_config bad_spec = { .changes = &bad, .nchanges = 1 };
	struct vs_client *c;
	struct err err;
	const char *b;

	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	/* the controller first, in spec order, then the disk on its key */
	ck_assert_ptr_nonnull(strstr(b, "<spec><deviceChange><operation>add"
	                             "</operation><device xsi:type=\""
	                             "ParaVirtualSCSIController\"><key>-100"
	                             "</key>"
	                             "<busNumber>1</busNumber><sharedBus>"
	                             "noSharing</sharedBus></device>"
	                             "</deviceChange><deviceChange>"
	                             "<operation>add</operation><device "
	                             "xsi:type=\"VirtualDisk\"><key>-1</key>"));
	ck_assert_ptr_nonnull(strstr(b, "<controllerKey>-100</controllerKey>"
	                             "<unitNumber>0</unitNumber>"));
	ck_assert_ptr_nonnull(strstr(b, "</deviceChange><extraConfig>"));
	err_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &alone, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "<spec><deviceChange>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "</deviceChange>"
	                             "<extraConfig>"));
	/* only additions of SCSI controllers with a new key */
	bad.operation = VS_OP_REMOVE;
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad_spec, &err),
	                 ERR_EINVAL);
	bad = ch[0];
	bad.type_name = "VirtualIDEController";
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad_spec, &err),
	                 ERR_EINVAL);
	bad = ch[0];
	bad.key = 1000;
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad_spec, &err),
	                 ERR_EINVAL);
	bad = ch[0];
	bad.bus_number = 4;
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad_spec, &err),
	                 ERR_EINVAL);
	ck_assert_uint_eq(ft_calls(), 4);
	ft_finish(c);
}
END_TEST

START_TEST(test_pick_slot)
{
	struct vs_disk_slot slot;
	struct err err;
	size_t n = 0;
	int u, k;

	memset(&vminfo, 0, sizeof(vminfo));
	snprintf(vminfo.vm.value, sizeof(vminfo.vm.value), "vm-1");
	vminfo.devices = devs;
	err_clear(&err);
	/* no SCSI controller: a paravirtual one on bus 0 */
	ck_assert_int_eq(vs_disk_pick_slot(&slot, &vminfo, &err), 0);
	ck_assert(slot.new_controller);
	ck_assert_str_eq(slot.ctl_type, "ParaVirtualSCSIController");
	ck_assert_int_eq(slot.bus, 0);
	ck_assert_int_lt(slot.ctl_key, 0);
	add_dev(n++, 1000, "VirtualLsiLogicController", VS_VM_DEV_CONTROLLER,
	        100, 3);
	vminfo.ndevices = n;
	ck_assert_int_eq(vs_disk_pick_slot(&slot, &vminfo, &err), 0);
	ck_assert(!slot.new_controller);
	ck_assert_int_eq(slot.ctl_key, 1000);
	ck_assert_int_eq(slot.unit, 0);
	/* full: a second controller of the VM's type, on bus 1 */
	k = 2000;
	for (u = 0; u < 16; u++) {
		if (u != 7)
			add_dev(n++, k++, "VirtualDisk", VS_VM_DEV_DISK, 1000,
			        u);
	}
	vminfo.ndevices = n;
	ck_assert_int_eq(vs_disk_pick_slot(&slot, &vminfo, &err), 0);
	ck_assert(slot.new_controller);
	ck_assert_str_eq(slot.ctl_type, "VirtualLsiLogicController");
	ck_assert_int_eq(slot.bus, 1);
	ck_assert_int_eq(slot.unit, 0);
	/* four full controllers: nowhere to go */
	add_dev(n++, 1001, "VirtualLsiLogicController", VS_VM_DEV_CONTROLLER,
	        100, 4);
	add_dev(n++, 1002, "VirtualLsiLogicController", VS_VM_DEV_CONTROLLER,
	        100, 5);
	add_dev(n++, 1003, "VirtualLsiLogicController", VS_VM_DEV_CONTROLLER,
	        100, 6);
	vminfo.ndevices = n;
	ck_assert_int_eq(vs_disk_pick_slot(&slot, &vminfo, &err), 0);
	ck_assert(!slot.new_controller);        /* 1001 has room */
	ck_assert_int_eq(slot.ctl_key, 1001);
	for (k = 1001; k <= 1003; k++) {
		for (u = 0; u < 16; u++) {
			if (u != 7)
				add_dev(n++, k * 100 + u, "VirtualDisk",
				        VS_VM_DEV_DISK, k, u);
		}
	}
	vminfo.ndevices = n;
	ck_assert_uint_le(n, sizeof(devs) / sizeof(devs[0]));
	ck_assert_int_eq(vs_disk_pick_slot(&slot, &vminfo, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "4 SCSI controllers"));
}
END_TEST
/* --- disk.c through the fake transport ----------------------------------- */

static const struct vs_moref dc2 = { "Datacenter", "datacenter-2" };

#define UUID_REPLY(u) "<returnval>" u "</returnval>"

START_TEST(test_locate_pattern_first)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;

	make_dss();
	ft_fault("QueryVirtualDiskUuid", "FileNotFound");      /* LocalDS_0 */
	ft_reply("QueryVirtualDiskUuid", UUID_REPLY("60 00 C2 9a 0b 1c 2d 3e-"
	         "4f 50 61 72 83 94 a5 B6"));                   /* LocalDS_1 */
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_locate(&loc, c, &dc2, &dss, "^LocalDS_",
	                             "BOSH_Disks", "disk-1", &err) == 0, "%s",
	              err.message);
	ck_assert_msg(!err_is_set(&err), "%s", err.message);
	ck_assert_str_eq(loc.path, "[LocalDS_1] BOSH_Disks/disk-1.vmdk");
	ck_assert_str_eq(loc.datastore_name, "LocalDS_1");
	ck_assert_str_eq(loc.datastore.value, "datastore-2");
	ck_assert_str_eq(loc.uuid, "6000c29a-0b1c-2d3e-4f50-61728394a5b6");
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<name>[LocalDS_0] "
	                             "BOSH_Disks/disk-1.vmdk</name>"
	                             "<datacenter type=\"Datacenter\">"
	                             "datacenter-2</datacenter>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "[LocalDS_1]"));
	vs_disk_loc_clear(&loc);
	vs_disk_loc_clear(NULL);
	ft_finish(c);
}
END_TEST

START_TEST(test_locate_missing_everywhere)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;

	make_dss();
	dss_items[2].usable = false;        /* never asked */
	ft_fault("QueryVirtualDiskUuid", "FileNotFound");      /* LocalDS_0 */
	ft_fault("QueryVirtualDiskUuid", "FileNotFound");      /* LocalDS_2 */
	ft_fault("QueryVirtualDiskUuid", "FileNotFound");      /* other */
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_disk_locate(&loc, c, &dc2, &dss, "^LocalDS_",
	                                "BOSH_Disks", "disk-1", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "not found on any"));
	ck_assert_uint_eq(ft_calls(), 3);
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "[other]"));
	ck_assert_ptr_null(loc.path);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_locate(&loc, c, &dc2, &dss, "^LocalDS_",
	                                "BOSH_Disks", "disk-1/..", &err),
	                 ERR_EINVAL);
	ft_finish(c);
}
END_TEST

#define BROWSER_REPLY(ds)                                               \
	"<returnval><objects><obj type=\"Datastore\">" ds "</obj><propSet>" \
	"<name>browser</name><val type=\"HostDatastoreBrowser\" "         \
	"xsi:type=\"ManagedObjectReference\">browser-1</val></propSet>"   \
	"</objects></returnval>"
#define SEARCH_RESULT(results)                                          \
	"<returnval><objects><obj type=\"Task\">task-1</obj><propSet>"    \
	"<name>info.result</name><val xsi:type=\""                        \
	"ArrayOfHostDatastoreBrowserSearchResults\">" results "</val>"    \
	"</propSet></objects></returnval>"
#define SEARCH_FOLDER(folder, files)                                    \
	"<HostDatastoreBrowserSearchResults><datastore type=\"Datastore\">" \
	"datastore-2</datastore><folderPath>" folder "</folderPath>" files \
	"</HostDatastoreBrowserSearchResults>"
#define SEARCH_FILE(name)                                               \
	"<file xsi:type=\"FileInfo\"><path>" name "</path></file>"

/* One search of LocalDS_1 (the only usable datastore) answering
 * results; then the uuid when found. */
static void
search_replies(const char *results, bool found)
{
	ft_reply("RetrievePropertiesEx", BROWSER_REPLY("datastore-2"));
	ft_task("SearchDatastoreSubFolders_Task", NULL, NULL);
	ft_reply("RetrievePropertiesEx", results);
	if (found)
		ft_reply("QueryVirtualDiskUuid", UUID_REPLY("60 00 C2 9a 0b "
		         "1c 2d 3e-4f 50 61 72 83 94 a5 B6"));
}

/* A disk not at <disk_path>/<cid>.vmdk: found by its file name, in a
 * sub folder or at the datastore's root ("[ds]" joined with a space). */
START_TEST(test_search_name)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;

	make_dss();
	dss_items[0].usable = false;
	dss_items[1].usable = false;
	dss_items[3].usable = false;
	search_replies(SEARCH_RESULT(
	        SEARCH_FOLDER("[LocalDS_1] x", SEARCH_FILE("disk-1-flat.vmdk"))
	        SEARCH_FOLDER("[LocalDS_1] a/b", SEARCH_FILE("other.vmdk")
	                      SEARCH_FILE("disk-1.vmdk"))), true);
	search_replies(SEARCH_RESULT(
	        SEARCH_FOLDER("[LocalDS_1]", SEARCH_FILE("disk-1.vmdk"))), true);
	search_replies(SEARCH_RESULT(
	        SEARCH_FOLDER("[LocalDS_1] a/", SEARCH_FILE("disk-1.vmdk"))),
	        true);
	search_replies(SEARCH_RESULT(
	        SEARCH_FOLDER("[LocalDS_1] a", SEARCH_FILE("disk-10.vmdk"))),
	        false);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_search_name(&loc, c, &dc2, &dss, "^LocalDS_",
	                                  "disk-1", &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(loc.path, "[LocalDS_1] a/b/disk-1.vmdk");
	ck_assert_str_eq(loc.datastore.value, "datastore-2");
	ck_assert_str_eq(loc.uuid, "6000c29a-0b1c-2d3e-4f50-61728394a5b6");
	ck_assert_ptr_nonnull(strstr(ft_body_at(1), "<datastorePath>"
	                             "[LocalDS_1]</datastorePath><searchSpec "
	                             "xsi:type=\"HostDatastoreBrowserSearchSpec"
	                             "\"><matchPattern>disk-1.vmdk"
	                             "</matchPattern></searchSpec>"));
	vs_disk_loc_clear(&loc);
	ck_assert_int_eq(vs_disk_search_name(&loc, c, &dc2, &dss, "^LocalDS_",
	                                     "disk-1", &err), 0);
	ck_assert_str_eq(loc.path, "[LocalDS_1] disk-1.vmdk");
	vs_disk_loc_clear(&loc);
	ck_assert_int_eq(vs_disk_search_name(&loc, c, &dc2, &dss, "^LocalDS_",
	                                     "disk-1", &err), 0);
	ck_assert_str_eq(loc.path, "[LocalDS_1] a/disk-1.vmdk");
	vs_disk_loc_clear(&loc);
	ck_assert_int_eq(vs_disk_search_name(&loc, c, &dc2, &dss, "^LocalDS_",
	                                     "disk-1", &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(loc.path);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_search_name(&loc, c, &dc2, &dss, "^LocalDS_",
	                                     "disk-1/..", &err), ERR_EINVAL);
	ft_finish(c);
}
END_TEST

START_TEST(test_locate_other_fault_stops)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;

	make_dss();
	ft_fault("QueryVirtualDiskUuid", "NoPermission");
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_disk_locate(&loc, c, &dc2, &dss, "^LocalDS_",
	                                "BOSH_Disks", "disk-1", &err),
	                 ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NoPermission");
	ck_assert_uint_eq(ft_calls(), 1);
	ft_finish(c);
}
END_TEST

START_TEST(test_create_request)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;
	const char *b;

	make_dss();
	ft_fault("MakeDirectory", "FileAlreadyExists");        /* fine */
	ft_task("CreateVirtualDisk_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_create(&loc, c, &dc2, &dss_items[1],
	                             "BOSH_Disks", "disk-9", 2048,
	                             VS_DISK_THIN, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(loc.path, "[LocalDS_0] BOSH_Disks/disk-9.vmdk");
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<name>[LocalDS_0] "
	                             "BOSH_Disks</name>"));
	b = ft_body_at(1);
	ck_assert_ptr_nonnull(strstr(b, "<name>[LocalDS_0] BOSH_Disks/"
	                             "disk-9.vmdk</name><datacenter type=\""
	                             "Datacenter\">datacenter-2</datacenter>"
	                             "<spec xsi:type=\"FileBackedVirtualDisk"
	                             "Spec\"><diskType>thin</diskType>"
	                             "<adapterType>lsiLogic</adapterType>"
	                             "<capacityKb>2097152</capacityKb>"
	                             "</spec>"));
	vs_disk_loc_clear(&loc);
	err_clear(&err);
	ck_assert_int_eq(vs_disk_create(&loc, c, &dc2, &dss_items[1],
	                                "BOSH_Disks", "disk-9", 0,
	                                VS_DISK_THIN, &err), ERR_EINVAL);
	ck_assert_int_eq(vs_disk_create(&loc, c, &dc2, &dss_items[1],
	                                "BOSH_Disks", "disk-9", 1, 7, &err),
	                 ERR_EINVAL);
	ft_finish(c);
}
END_TEST

START_TEST(test_delete_extend_move_requests)
{
	struct vs_disk_loc loc;
	struct vs_client *c;
	struct err err;

	make_dss();
	ft_task("DeleteVirtualDisk_Task", NULL, "FileNotFound");
	ft_task("ExtendVirtualDisk_Task", NULL, NULL);
	ft_reply("MakeDirectory", "");
	ft_task("MoveVirtualDisk_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_disk_delete(c, &dc2, "[LocalDS_0] BOSH_Disks/"
	                                "disk-9.vmdk", &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0),
	                             "<DeleteVirtualDisk_Task "));
	err_clear(&err);
	ck_assert_msg(vs_disk_extend(c, &dc2, "[LocalDS_0] BOSH_Disks/"
	                             "disk-9.vmdk", 4096, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(strstr(ft_body_at(2), "</datacenter>"
	                             "<newCapacityKb>4194304</newCapacityKb>"
	                             "<eagerZero>"
	                             "false</eagerZero>"));
	ck_assert_int_eq(vs_disk_extend(c, &dc2, "[x] y.vmdk", 0, &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_msg(vs_disk_move(&loc, c, &dc2, "[LocalDS_0] BOSH_Disks/"
	                           "disk-9.vmdk", &dss_items[2], "BOSH_Disks",
	                           "disk-9", &err) == 0, "%s", err.message);
	ck_assert_str_eq(loc.path, "[LocalDS_1] BOSH_Disks/disk-9.vmdk");
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "<sourceName>[LocalDS_0] "
	                             "BOSH_Disks/disk-9.vmdk</sourceName>"
	                             "<sourceDatacenter type=\"Datacenter\">"
	                             "datacenter-2</sourceDatacenter>"
	                             "<destName>[LocalDS_1] BOSH_Disks/"
	                             "disk-9.vmdk</destName>"));
	vs_disk_loc_clear(&loc);
	ft_finish(c);
}
END_TEST

START_TEST(test_attach_detach_requests)
{
	struct vs_moref ds = { "Datastore", "datastore-1" };
	const struct vs_disk_slot slot3 = { .ctl_key = 1000, .unit = 3 };
	const struct vs_disk_slot slot7 = { .ctl_key = 1000, .unit = 7 };
	const struct vs_vm_option rec = { "bosh.persistent_disk.disk-9",
	                                  "scsi0:3" };
	struct vs_client *c;
	struct err err;
	const char *b;

	memset(&vminfo, 0, sizeof(vminfo));
	vminfo.vm = vm100;
	vminfo.devices = devs;
	add_dev(0, 2005, "VirtualDisk", VS_VM_DEV_DISK, 1000, 5);
	devs[0].file_name = (char *)"[LocalDS_0] BOSH_Disks/disk-9.vmdk";
	devs[0].disk_mode = (char *)"independent_persistent";
	devs[0].capacity_kb = 1024;
	vminfo.ndevices = 1;
	ft_task("ReconfigVM_Task", NULL, NULL);
	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_attach(c, &vminfo, "[LocalDS_0] BOSH_Disks/"
	                             "disk-9.vmdk", &ds, &slot3, "{\"a\":1}",
	                             7, &rec, 1, &err) == 0, "%s",
	              err.message);
	b = ft_body_at(0);
	ck_assert_ptr_nonnull(strstr(b, "<deviceChange><operation>add"
	                             "</operation><device xsi:type=\""
	                             "VirtualDisk\"><key>-1</key>"));
	ck_assert_ptr_null(strstr(b, "fileOperation"));
	ck_assert_ptr_nonnull(strstr(b, "<diskMode>independent_persistent"));
	ck_assert_ptr_nonnull(strstr(b, "<controllerKey>1000</controllerKey>"
	                             "<unitNumber>3</unitNumber>"));
	ck_assert_ptr_nonnull(strstr(b, "<key>guestinfo.userdata</key>"
	                             "<value xsi:type=\"xsd:string\">"
	                             "eyJhIjoxfQ==</value>"));
	/* the disk record after the settings, in the same reconfigure */
	ck_assert_ptr_nonnull(strstr(b, "<value xsi:type=\"xsd:string\">"
	                             "base64</value></extraConfig>"
	                             "<extraConfig>"
	                             "<key>bosh.persistent_disk.disk-9</key>"
	                             "<value xsi:type=\"xsd:string\">"
	                             "scsi0:3</value></extraConfig>"));
	err_clear(&err);
	ck_assert_msg(vs_disk_detach(c, &vminfo, &devs[0], NULL, 0, NULL, 0,
	                             &err) == 0, "%s", err.message);
	b = ft_body_at(2);
	ck_assert_ptr_nonnull(strstr(b, "<operation>remove</operation>"
	                             "<device xsi:type=\"VirtualDisk\"><key>"
	                             "2005</key>"));
	ck_assert_ptr_null(strstr(b, "fileOperation"));
	ck_assert_ptr_null(strstr(b, "guestinfo"));
	/* unit 7 is the controller's */
	ck_assert_int_eq(vs_disk_attach(c, &vminfo, "[a] b.vmdk", &ds, &slot7,
	                                NULL, 0, NULL, 0, &err), ERR_EINVAL);
	ft_finish(c);
}
END_TEST

/* vs_vm_info's read with config.extraConfig (options) and vapp in the
 * same reply. */
static void
vm_with_extra_vapp(const char *options, const char *vapp)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\"VirtualMachine\">"
	                     "vm-100</obj><propSet><name>runtime.powerState"
	                     "</name><val xsi:type=\"VirtualMachinePowerState"
	                     "\">poweredOff</val></propSet>"
	                     "<propSet><name>config.extraConfig"
	                     "</name><val xsi:type=\"ArrayOfOptionValue\">%s"
	                     "</val></propSet>%s</objects></returnval>",
	                     options, vapp);

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

static void
vm_with_extra(const char *options)
{
	vm_with_extra_vapp(options, "");
}

#define OPT(k, v) "<OptionValue><key>" k "</key><value xsi:type=\""     \
	"xsd:string\">" v "</value></OptionValue>"

/* The Ruby CPI's records: vApp properties of category "BOSH Persistent
 * Disks" (key: the device key, label: the cid). */
START_TEST(test_vm_read_ruby_records)
{
	struct vs_disk_vm *v = NULL;
	struct vs_client *c;
	struct err err;

	vm_with_extra_vapp(OPT("bosh.persistent_disk.disk-2", "scsi0:2"),
	    "<propSet><name>config.vAppConfig</name><val xsi:type=\""
	    "VmConfigInfo\"><property><key>2001</key><id>disk-1</id>"
	    "<category>BOSH Persistent Disks</category><label>disk-1</label>"
	    "<type>string</type><value>[ds] BOSH_Disks/disk-1.vmdk</value>"
	    "</property><property><key>2002</key><id>disk-2</id><category>"
	    "BOSH Persistent Disks</category><label>disk-2</label></property>"
	    "<property><key>2003</key><category>other</category><label>"
	    "disk-3</label></property><property><key>x</key><category>BOSH "
	    "Persistent Disks</category><label>disk-4</label></property>"
	    "</val></propSet>");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_vm_read(&v, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "<pathSet>config."
	                             "vAppConfig</pathSet>"));
	ck_assert_uint_eq(v->nrecords, 2);
	ck_assert(vs_disk_vm_record(v, "disk-1")->by_device_key);
	ck_assert_int_eq(vs_disk_vm_record(v, "disk-1")->device_key, 2001);
	/* ours wins over the Ruby CPI's */
	ck_assert(!vs_disk_vm_record(v, "disk-2")->by_device_key);
	ck_assert_ptr_null(vs_disk_vm_record(v, "disk-3"));
	ck_assert_ptr_null(vs_disk_vm_record(v, "disk-4"));
	vs_disk_vm_free(v);
	ft_finish(c);
}
END_TEST

START_TEST(test_vm_read_settings)
{
	struct vs_disk_vm *v = NULL;
	struct vs_client *c;
	struct err err;

	/* base64 of {"disks":{}}; the simulator appends a reconfigured key,
	 * so the last value wins */
	vm_with_extra(OPT("disk.enableUUID", "TRUE")
	              OPT("bosh.persistent_disk.disk-1", "scsi0:1")
	              OPT("guestinfo.userdata", "b2xk")
	              OPT("bosh.persistent_disk.disk-2", "scsi0:2")
	              OPT("guestinfo.userdata.encoding", "base64")
	              OPT("bosh.persistent_disk.disk-1", "scsi1:3")
	              OPT("bosh.persistent_disk.disk-2", "")
	              OPT("bosh.persistent_disk.disk-3", "scsi9:0")
	              OPT("bosh.persistent_disk.disk-4",
	                  "detached [ds] vm-1/vm-1_1.vmdk")
	              OPT("guestinfo.userdata", "eyJkaXNrcyI6e319"));
	vm_with_extra(OPT("guestinfo.userdata", "REDACTED!")
	              OPT("guestinfo.userdata.encoding", "base64"));
	vm_with_extra("");
	c = ft_connect();
	err_clear(&err);
	ck_assert_msg(vs_disk_vm_read(&v, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert(v->enable_uuid);
	ck_assert_ptr_nonnull(v->settings);
	ck_assert_str_eq(v->settings, "{\"disks\":{}}");
	ck_assert_uint_eq(v->settings_len, 12);
	ck_assert_int_eq(v->info->power, VS_VM_POWERED_OFF);
	/* the disk records: the last entry of a key wins, "" and a
	 * malformed value are no record */
	ck_assert_uint_eq(v->nrecords, 2);
	ck_assert_ptr_nonnull(vs_disk_vm_record(v, "disk-1"));
	ck_assert_int_eq(vs_disk_vm_record(v, "disk-1")->bus, 1);
	ck_assert_int_eq(vs_disk_vm_record(v, "disk-1")->unit, 3);
	ck_assert_ptr_null(vs_disk_vm_record(v, "disk-2"));
	ck_assert_ptr_null(vs_disk_vm_record(v, "disk-3"));
	ck_assert(vs_disk_vm_record(v, "disk-4")->detached);
	ck_assert_str_eq(vs_disk_vm_record(v, "disk-4")->path,
	                 "[ds] vm-1/vm-1_1.vmdk");
	vs_disk_vm_free(v);
	/* unreadable settings: no settings, no failure */
	ck_assert_msg(vs_disk_vm_read(&v, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(v->settings);
	ck_assert(!v->enable_uuid);
	vs_disk_vm_free(v);
	ck_assert_msg(vs_disk_vm_read(&v, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(v->settings);
	vs_disk_vm_free(v);
	vs_disk_vm_free(NULL);
	ck_assert(!err_is_set(&err));
	ft_finish(c);
}
END_TEST

#define VMOBJ(id, name, file)                                           \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet><name>" \
	"name</name><val xsi:type=\"xsd:string\">" name "</val></propSet>"  \
	"<propSet><name>config.hardware.device</name><val xsi:type=\""      \
	"ArrayOfVirtualDevice\"><VirtualDevice xsi:type=\"VirtualDisk\">"   \
	"<key>2000</key><backing xsi:type=\"VirtualDiskFlatVer2Backing"     \
	"Info\"><fileName>" file "</fileName><diskMode>persistent"          \
	"</diskMode></backing><controllerKey>1000</controllerKey>"          \
	"<unitNumber>0</unitNumber><capacityInKB>1024</capacityInKB>"       \
	"</VirtualDevice></val></propSet></objects>"

/* The VMs using a disk: one read walking the folders (no container
 * view), from a folder or from a datacenter's vm folder, vApps too. */
START_TEST(test_users_one_read)
{
	const struct vs_moref folder = { "Folder", "group-v3" };
	const struct vs_moref dc = { "Datacenter", "datacenter-2" };
	struct vs_vm_names *users = NULL;
	struct vs_client *c;
	struct err err;
	const char *body;
	int k;

	for (k = 0; k < 2; k++) {
		ft_reply("RetrievePropertiesEx", "<returnval>"
		         VMOBJ("vm-1", "vm-a", "[LocalDS_0] vm-a/vm-a.vmdk")
		         VMOBJ("vm-2", "vm-b",
		               "[LocalDS_1] BOSH_Disks/disk-9.vmdk")
		         VMOBJ("vm-3", "vm-c",
		               "[LocalDS_1] BOSH_Disks/disk-99.vmdk")
		         "</returnval>");
		c = ft_connect();
		err_clear(&err);
		ck_assert_msg(vs_disk_users(&users, c, k == 0 ? &folder : &dc,
		                            "disk-9", &err) == 0,
		              "%s", err.message);
		ck_assert_uint_eq(users->n, 1);
		ck_assert_str_eq(users->items[0], "vm-b");
		ck_assert_uint_eq(ft_calls(), 1);
		ck_assert_str_eq(ft_op_at(0), "RetrievePropertiesEx");
		body = ft_body_at(0);
		ck_assert_ptr_nonnull(strstr(body, "<path>childEntity</path>"));
		ck_assert_ptr_nonnull(strstr(body, "<type>VirtualApp</type>"));
		ck_assert_ptr_nonnull(strstr(body, k == 0 ? ">group-v3</obj>" :
		                             ">datacenter-2</obj>"));
		/* from a datacenter: its vm folder first */
		ck_assert((strstr(body, "</skip><selectSet xsi:type=\""
		                  "TraversalSpec\"><name>dcV</name>") !=
		           NULL) == (k == 1));
		vs_vm_names_free(users);
		users = NULL;
		ft_finish(c);
		ft_reset(NULL);
	}
}
END_TEST

/* --- the methods' input checks through the binary ----------------------- */

/* Runs method with args (JSON text) through build/cpi with a config whose
 * vCenter is never reached by these requests. */
static json_t *
run_method(const char *method, const char *args)
{
	char *argv[] = { (char *)cpi_test_binary(), NULL, NULL };
	struct cpi_test_run r;
	char config[4096];
	char *text;
	json_t *resp;
	int n;

	snprintf(config, sizeof(config), "%s", cpi_test_data("cpi/cpi.json"));
	argv[1] = config;
	n = snprintf(NULL, 0, "{\"method\":\"%s\",\"arguments\":%s,"
	             "\"api_version\":2}", method, args);
	text = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	snprintf(text, (size_t)n + 1, "{\"method\":\"%s\",\"arguments\":%s,"
	         "\"api_version\":2}", method, args);
	ck_assert_int_eq(cpi_test_run(&r, argv, text, strlen(text)), 0);
	free(text);
	ck_assert_int_eq(r.status, 0);
	resp = json_loads(r.out, 0, NULL);
	ck_assert_msg(resp != NULL, "no response: %s", r.err);
	/* nothing was asked of a vCenter */
	ck_assert_msg(strstr(r.err, "round trips") == NULL, "%s: %s", method,
	              r.err);
	cpi_test_run_clear(&r);
	return resp;
}

static const struct {
	const char *method;
	const char *args;
	const char *needle;
} refused_disk[] = {
	{ "create_disk", "[0,{},null]", "size must be 1 to" },
	{ "create_disk", "[-5,null,null]", "size must be 1 to" },
	{ "create_disk", "[1024,{\"type\":\"sparse\"},null]",
	  "type must be thin, preallocated or eagerZeroedThick" },
	{ "create_disk", "[1024,{\"type\":7},null]", "type must be" },
	{ "create_disk", "[1024,{\"datastores\":\"ds\"},null]",
	  "datastores must be an array" },
	{ "create_disk", "[1024,{\"datastores\":[\"\"]},null]",
	  "datastores[0] must be a non-empty string" },
	{ "create_disk", "[1024,{},\"../vm\"]", "vm_cid may only hold" },
	{ "delete_disk", "[\"disk-../x\"]", "not a disk id (disk-<uuid>" },
	{ "delete_disk", "[\"vm-1234\"]", "not a disk id (disk-<uuid>" },
	{ "attach_disk", "[\"vm-1\",\"[ds] x.vmdk\"]", "not a disk id" },
	{ "attach_disk", "[\"vm 1\",\"disk-1\"]", "vm_cid may only hold" },
	{ "detach_disk", "[\"..\",\"disk-1\"]", "bad vm_cid" },
	{ "get_disks", "[\"vm/1\"]", "vm_cid may only hold" },
	{ "resize_disk", "[\"disk-1\",0]", "new_size must be 1 to" },
	{ "resize_disk", "[\"disk-\",10]", "not a disk id" },
	{ "set_disk_metadata", "[\"disk-1/..\",{}]", "not a disk id" },
};

START_TEST(test_methods_refuse_bad_input)
{
	json_t *resp, *e;
	const char *msg;
	size_t i;

	for (i = 0; i < sizeof(refused_disk) / sizeof(refused_disk[0]); i++) {
		resp = run_method(refused_disk[i].method, refused_disk[i].args);
		e = json_object_get(resp, "error");
		ck_assert_msg(json_is_object(e), "case %zu accepted", i);
		ck_assert_str_eq(json_string_value(json_object_get(e, "type")),
		                 "Bosh::Clouds::CloudError");
		ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
		msg = json_string_value(json_object_get(e, "message"));
		ck_assert_msg(msg != NULL && strstr(msg,
		              refused_disk[i].needle) != NULL,
		              "case %zu: '%s' lacks '%s'", i, msg,
		              refused_disk[i].needle);
		json_decref(resp);
	}
	/* no vCenter needed: a cid of another form is not there, metadata
	 * is a documented no-op */
	resp = run_method("has_disk", "[\"../etc/passwd\"]");
	ck_assert(json_is_null(json_object_get(resp, "error")));
	ck_assert(json_is_false(json_object_get(resp, "result")));
	json_decref(resp);
	resp = run_method("set_disk_metadata", "[\"disk-1\",{\"a\":\"b\"}]");
	ck_assert(json_is_null(json_object_get(resp, "error")));
	ck_assert(json_is_null(json_object_get(resp, "result")));
	json_decref(resp);
}
END_TEST

static Suite *
disk_suite(void)
{
	Suite *s = suite_create("disk");
	TCase *tc = tcase_create("vm_fixes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_vm_info_absent_props_leave_err_clear);
	tcase_add_test(tc, test_remove_carries_real_type);
	tcase_add_test(tc, test_edit_carries_device_info);
	tcase_add_test(tc, test_change_type_and_info_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("disk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_cid_and_path);
	tcase_add_test(tc, test_pick_datastore);
	tcase_add_test(tc, test_pattern_ruby);
	tcase_add_test(tc, test_search_name);
	tcase_add_test(tc, test_free_unit);
	tcase_add_test(tc, test_device_cid);
	tcase_add_test(tc, test_new_controller_request);
	tcase_add_test(tc, test_pick_slot);
	tcase_add_test(tc, test_locate_pattern_first);
	tcase_add_test(tc, test_locate_missing_everywhere);
	tcase_add_test(tc, test_locate_other_fault_stops);
	tcase_add_test(tc, test_create_request);
	tcase_add_test(tc, test_delete_extend_move_requests);
	tcase_add_test(tc, test_attach_detach_requests);
	tcase_add_test(tc, test_vm_read_settings);
	tcase_add_test(tc, test_vm_read_ruby_records);
	tcase_add_test(tc, test_users_one_read);
	suite_add_tcase(s, tc);
	tc = tcase_create("methods");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_methods_refuse_bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(disk_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
