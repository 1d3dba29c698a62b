/*
 * check_vim: the typed VIM layer.  Serializers are compared byte for byte
 * with hand-written vim25 XML in schema order; deserializers run on
 * replies recorded from the simulator (tests/data/vim/) and on hostile
 * variants of them.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "vsphere/soap.h"
#include "vsphere/vim.h"

/* --- helpers ------------------------------------------------------------ */

static char *
read_data(const char *name)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char path[4096];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/data/vim/%s",
	         root != NULL ? root : ".", name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Parses a reply held in memory; *resp is <XxxResponse>. */
static xmlDocPtr
parse_body(const char *body, xmlNodePtr *resp)
{
	struct err err;
	xmlDocPtr doc = NULL;
	int rc;

	err_clear(&err);
	rc = vs_soap_parse_reply(&doc, resp, body, strlen(body), NULL, &err);
	ck_assert_msg(rc == 0, "parse: %s", err.message);
	return doc;
}

static xmlDocPtr
parse_file(const char *name, xmlNodePtr *resp)
{
	char *body = read_data(name);
	xmlDocPtr doc = parse_body(body, resp);

	free(body);
	return doc;
}

/* Wraps objects XML into a RetrievePropertiesEx reply. */
static xmlDocPtr
parse_objects_xml(const char *inner, xmlNodePtr *resp)
{
	static const char head[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema"
		"\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
		"<soapenv:Body><RetrievePropertiesExResponse xmlns=\"urn:vim25"
		"\"><returnval>";
	static const char tail[] =
		"</returnval></RetrievePropertiesExResponse></soapenv:Body>"
		"</soapenv:Envelope>";
	size_t n = strlen(head) + strlen(inner) + strlen(tail) + 1;
	char *body = malloc(n);
	xmlDocPtr doc;

	ck_assert_ptr_nonnull(body);
	snprintf(body, n, "%s%s%s", head, inner, tail);
	doc = parse_body(body, resp);
	free(body);
	return doc;
}

static xmlNodePtr
first_objects(xmlNodePtr resp)
{
	xmlNodePtr rv = vs_xml_child(resp, "returnval");

	ck_assert_ptr_nonnull(rv);
	return vs_xml_child(rv, "objects");
}

static char *
dump(xmlNodePtr n)
{
	xmlBufferPtr b = xmlBufferCreate();
	char *s;

	ck_assert_ptr_nonnull(b);
	ck_assert_int_ge(xmlNodeDump(b, n->doc, n, 0, 0), 0);
	s = strdup((const char *)xmlBufferContent(b));
	xmlBufferFree(b);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* Like ck_assert_str_eq, but shows where long XML first differs (Check
 * cannot carry a message as long as a whole spec). */
static void
assert_xml_eq(const char *got, const char *want)
{
	size_t i = 0, from;

	while (got[i] != '\0' && got[i] == want[i])
		i++;
	from = i > 40 ? i - 40 : 0;
	ck_assert_msg(got[i] == want[i],
	              "XML differs at byte %zu:\n got: %.100s\nwant: %.100s",
	              i, got + from, want + from);
}

/* With CPI_TEST_OUTDIR set, the whole request goes to
 * $CPI_TEST_OUTDIR/vim-<name>.xml for tests/schemacheck, which checks
 * vim25 element order against govmomi's types. */
static void
save_request(const char *name, xmlDocPtr doc)
{
	const char *dir = getenv("CPI_TEST_OUTDIR");
	struct err err;
	char path[4096], *wire = NULL;
	size_t len = 0;
	FILE *f;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_serialize(&wire, &len, doc, &err), 0);
	if (dir != NULL && dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/vim-%s.xml", dir, name);
		f = fopen(path, "wb");
		ck_assert_msg(f != NULL, "cannot write %s", path);
		ck_assert_uint_eq(fwrite(wire, 1, len, f), len);
		fclose(f);
	}
	xmlFree(wire);
}

static xmlNodePtr
new_request(xmlDocPtr *doc, const char *method)
{
	struct vs_moref pc = { "PropertyCollector", "propertyCollector" };
	struct err err;
	xmlNodePtr m;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(doc, &m, method, &pc, &err), 0);
	return m;
}

/* The last element child of m: what a vs_add_*() call just added. */
static xmlNodePtr
last_child(xmlNodePtr m)
{
	xmlNodePtr n = xmlGetLastChild(m);

	ck_assert_ptr_nonnull(n);
	return n;
}

/* --- serializers ---------------------------------------------------------- */

static const char clone_expected[] =
	"<spec>"
	"<location>"
	"<folder type=\"Folder\">group-v3</folder>"
	"<datastore type=\"Datastore\">datastore-1</datastore>"
	"<diskMoveType>createNewChildDiskBacking</diskMoveType>"
	"<pool type=\"ResourcePool\">resgroup-26</pool>"
	"<host type=\"HostSystem\">host-42</host>"
	"</location>"
	"<template>false</template>"
	"<config>"
	"<numCPUs>2</numCPUs>"
	"<memoryMB>2048</memoryMB>"
	"<deviceChange>"
	"<operation>add</operation>"
	"<device xsi:type=\"VirtualVmxnet3\">"
	"<key>-1</key>"
	"<backing xsi:type=\"VirtualEthernetCardNetworkBackingInfo\">"
	"<deviceName>VM Network</deviceName>"
	"<network type=\"Network\">network-7</network>"
	"</backing>"
	"<connectable>"
	"<startConnected>true</startConnected>"
	"<allowGuestControl>false</allowGuestControl>"
	"<connected>true</connected>"
	"</connectable>"
	"<addressType>generated</addressType>"
	"</device>"
	"</deviceChange>"
	"<deviceChange>"
	"<operation>add</operation>"
	"<device xsi:type=\"VirtualVmxnet3\">"
	"<key>-2</key>"
	"<backing xsi:type=\"VirtualEthernetCardDistributedVirtual"
	"PortBackingInfo\">"
	"<port>"
	"<switchUuid>fea97929-4b2d-5972-b146-930c6d0b4014</switchUuid>"
	"<portgroupKey>dvportgroup-13</portgroupKey>"
	"</port>"
	"</backing>"
	"<connectable>"
	"<startConnected>true</startConnected>"
	"<allowGuestControl>false</allowGuestControl>"
	"<connected>true</connected>"
	"</connectable>"
	"<addressType>manual</addressType>"
	"<macAddress>00:50:56:aa:bb:cc</macAddress>"
	"</device>"
	"</deviceChange>"
	"<deviceChange>"
	"<operation>edit</operation>"
	"<device xsi:type=\"VirtualCdrom\">"
	"<key>3002</key>"
	"<backing xsi:type=\"VirtualCdromIsoBackingInfo\">"
	"<fileName>[LocalDS_0] vm-1/env.iso</fileName>"
	"<datastore type=\"Datastore\">datastore-1</datastore>"
	"</backing>"
	"<connectable>"
	"<startConnected>true</startConnected>"
	"<allowGuestControl>false</allowGuestControl>"
	"<connected>true</connected>"
	"</connectable>"
	"<controllerKey>200</controllerKey>"
	"<unitNumber>0</unitNumber>"
	"</device>"
	"</deviceChange>"
	"<deviceChange>"
	"<operation>add</operation>"
	"<fileOperation>create</fileOperation>"
	"<device xsi:type=\"VirtualDisk\">"
	"<key>-3</key>"
	"<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
	"<fileName>[LocalDS_0] vm-1/ephemeral_disk.vmdk</fileName>"
	"<datastore type=\"Datastore\">datastore-1</datastore>"
	"<diskMode>independent_persistent</diskMode>"
	"<thinProvisioned>true</thinProvisioned>"
	"<eagerlyScrub>false</eagerlyScrub>"
	"</backing>"
	"<controllerKey>202</controllerKey>"
	"<unitNumber>1</unitNumber>"
	"<capacityInKB>4194304</capacityInKB>"
	"</device>"
	"</deviceChange>"
	"<extraConfig>"
	"<key>disk.enableUUID</key>"
	"<value xsi:type=\"xsd:string\">TRUE</value>"
	"</extraConfig>"
	"<extraConfig>"
	"<key>guestinfo.note</key>"
	"<value xsi:type=\"xsd:string\">a&lt;b&amp;c\"d</value>"
	"</extraConfig>"
	"</config>"
	"<powerOn>false</powerOn>"
	"<snapshot type=\"VirtualMachineSnapshot\">snapshot-60</snapshot>"
	"</spec>";

START_TEST(test_clone_spec_xml)
{
	struct vs_moref folder = { "Folder", "group-v3" };
	struct vs_moref ds = { "Datastore", "datastore-1" };
	struct vs_moref pool = { "ResourcePool", "resgroup-26" };
	struct vs_moref host = { "HostSystem", "host-42" };
	struct vs_moref net = { "Network", "network-7" };
	struct vs_moref snap = { "VirtualMachineSnapshot", "snapshot-60" };
	struct vs_connect_spec on = { true, false, true };
	struct vs_device_spec nic1 = {
		.type = VS_DEV_VMXNET3, .key = -1, .connectable = &on,
		.backing = VS_BACKING_NETWORK, .device_name = "VM Network",
		.network = &net, .address_type = "generated",
	};
	struct vs_device_spec nic2 = {
		.type = VS_DEV_VMXNET3, .key = -2, .connectable = &on,
		.backing = VS_BACKING_DVPORT,
		.switch_uuid = "fea97929-4b2d-5972-b146-930c6d0b4014",
		.portgroup_key = "dvportgroup-13", .address_type = "manual",
		.mac_address = "00:50:56:aa:bb:cc",
	};
	struct vs_device_spec cd = {
		.type = VS_DEV_CDROM, .key = 3002, .controller_key = 200,
		.has_unit_number = true, .unit_number = 0,
		.connectable = &on, .backing = VS_BACKING_ISO,
		.file_name = "[LocalDS_0] vm-1/env.iso", .datastore = &ds,
	};
	struct vs_device_spec disk = {
		.type = VS_DEV_DISK, .key = -3, .controller_key = 202,
		.has_unit_number = true, .unit_number = 1,
		.backing = VS_BACKING_DISK_FLAT,
		.file_name = "[LocalDS_0] vm-1/ephemeral_disk.vmdk",
		.datastore = &ds, .disk_mode = "independent_persistent",
		.thin = VS_TRUE, .eager_scrub = VS_FALSE,
		.capacity_kb = 4194304,
	};
	struct vs_device_change changes[] = {
		{ VS_OP_ADD, VS_FILEOP_NONE, &nic1, NULL },
		{ VS_OP_ADD, VS_FILEOP_NONE, &nic2, NULL },
		{ VS_OP_EDIT, VS_FILEOP_NONE, &cd, NULL },
		{ VS_OP_ADD, VS_FILEOP_CREATE, &disk, NULL },
	};
	struct vs_option extra[] = {
		{ "disk.enableUUID", "TRUE" },
		{ "guestinfo.note", "a<b&c\"d" },
	};
	struct vs_config_spec config = {
		.num_cpus = 2, .memory_mb = 2048,
		.changes = changes, .nchanges = 4,
		.extra = extra, .nextra = 2,
	};
	struct vs_clone_spec cs = {
		.location = { .folder = &folder, .datastore = &ds,
		              .disk_move_type = "createNewChildDiskBacking",
		              .pool = &pool, .host = &host },
		.template_ = false, .config = &config, .power_on = false,
		.snapshot = &snap,
	};
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *got, *wire;
	size_t len;

	err_clear(&err);
	m = new_request(&doc, "CloneVM_Task");
	ck_assert_ptr_nonnull(vs_soap_add_moref(m, "folder", &folder));
	ck_assert_ptr_nonnull(vs_soap_add_text(m, "name", "vm-1"));
	ck_assert_int_eq(vs_add_clone_spec(m, "spec", &cs, &err), 0);
	save_request("CloneVM_Task", doc);
	got = dump(last_child(m));
	assert_xml_eq(got, clone_expected);
	/* The whole request still serializes (and the xsd/xsi prefixes are
	 * bound on the envelope). */
	ck_assert_int_eq(vs_soap_serialize(&wire, &len, doc, &err), 0);
	ck_assert_ptr_nonnull(strstr(wire, "xmlns:xsd="));
	ck_assert_ptr_nonnull(strstr(wire, "xmlns:xsi="));
	xmlFree(wire);
	free(got);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_config_spec_reconfig_xml)
{
	struct vs_moref net = { "Network", "network-7" };
	struct vs_device_spec nic = {
		.type = VS_DEV_VMXNET3, .key = 4000,
		.backing = VS_BACKING_NETWORK, .device_name = "VM Network",
		.network = &net,
	};
	struct vs_device_spec disk = {
		.type = VS_DEV_DISK, .key = 2001, .controller_key = 1000,
		.has_unit_number = true, .unit_number = 2,
		.backing = VS_BACKING_DISK_FLAT,
		.file_name = "[ds1] disks/disk-1.vmdk",
		.disk_mode = "independent_persistent",
		.capacity_kb = 1048576,
	};
	struct vs_device_change changes[] = {
		{ VS_OP_REMOVE, VS_FILEOP_NONE, &nic, NULL },
		{ VS_OP_REMOVE, VS_FILEOP_DESTROY, &disk, NULL },
	};
	struct vs_config_spec s = {
		.name = "vm-1234", .memory_mb = 4096,
		.changes = changes, .nchanges = 2,
		.managed_by_key = "com.vmware.bosh", .managed_by_type = "vm",
	};
	static const char expected[] =
		"<spec>"
		"<name>vm-1234</name>"
		"<memoryMB>4096</memoryMB>"
		"<deviceChange>"
		"<operation>remove</operation>"
		"<device xsi:type=\"VirtualVmxnet3\">"
		"<key>4000</key>"
		"<backing xsi:type=\"VirtualEthernetCardNetworkBackingInfo\">"
		"<deviceName>VM Network</deviceName>"
		"<network type=\"Network\">network-7</network>"
		"</backing>"
		"</device>"
		"</deviceChange>"
		"<deviceChange>"
		"<operation>remove</operation>"
		"<fileOperation>destroy</fileOperation>"
		"<device xsi:type=\"VirtualDisk\">"
		"<key>2001</key>"
		"<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
		"<fileName>[ds1] disks/disk-1.vmdk</fileName>"
		"<diskMode>independent_persistent</diskMode>"
		"</backing>"
		"<controllerKey>1000</controllerKey>"
		"<unitNumber>2</unitNumber>"
		"<capacityInKB>1048576</capacityInKB>"
		"</device>"
		"</deviceChange>"
		"<managedBy>"
		"<extensionKey>com.vmware.bosh</extensionKey>"
		"<type>vm</type>"
		"</managedBy>"
		"</spec>";
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *got;

	err_clear(&err);
	m = new_request(&doc, "ReconfigVM_Task");
	ck_assert_int_eq(vs_add_config_spec(m, "spec", &s, &err), 0);
	save_request("ReconfigVM_Task", doc);
	got = dump(last_child(m));
	assert_xml_eq(got, expected);
	free(got);
	xmlFreeDoc(doc);
}
END_TEST

/* What vm.c used to patch into the serializer's output: a device's real
 * type, its deviceInfo right after key, and SCSI controller additions
 * (VirtualDevice fields, then busNumber, then sharedBus). */
START_TEST(test_config_spec_device_extensions_xml)
{
	struct vs_moref net = { "Network", "network-7" };
	struct vs_connect_spec conn = { true, false, true };
	struct vs_device_spec e1000 = {
		.type = VS_DEV_VMXNET3, .type_name = "VirtualE1000",
		.key = 4000, .label = "Network adapter 1",
		.summary = "VM Network",
		.backing = VS_BACKING_NETWORK, .device_name = "VM Network",
		.network = &net, .address_type = "generated",
		.mac_address = "00:50:56:aa:bb:cc",
	};
	struct vs_device_spec cdrom = {
		.type = VS_DEV_CDROM, .type_name = "VirtualCdrom", .key = 3000,
		.label = "CD/DVD drive 1", .summary = "ISO [ds1] vm/env.iso",
		.backing = VS_BACKING_ISO, .file_name = "[ds1] vm/env.iso",
		.connectable = &conn, .controller_key = 200,
		.has_unit_number = true, .unit_number = 0,
	};
	struct vs_device_spec sas = {
		.type = VS_DEV_SCSI_CONTROLLER,
		.type_name = "VirtualLsiLogicSASController", .key = -101,
		.label = "SCSI controller 2", .summary = "LSI Logic SAS",
		.controller_key = 100, .has_unit_number = true,
		.unit_number = 4, .bus_number = 2,
		.shared_bus = "physicalSharing",
	};
	struct vs_device_spec pvscsi = {
		.type = VS_DEV_SCSI_CONTROLLER, .key = -100, .bus_number = 1,
		.shared_bus = "noSharing",
	};
	struct vs_device_spec lsi = {
		.type = VS_DEV_SCSI_CONTROLLER,
		.type_name = "VirtualLsiLogicController", .key = -102,
		.bus_number = 3, .shared_bus = "virtualSharing",
	};
	struct vs_device_change changes[] = {
		{ VS_OP_REMOVE, VS_FILEOP_NONE, &e1000, NULL },
		{ VS_OP_EDIT, VS_FILEOP_NONE, &cdrom, NULL },
		{ VS_OP_ADD, VS_FILEOP_NONE, &pvscsi, NULL },
		{ VS_OP_ADD, VS_FILEOP_NONE, &sas, NULL },
		{ VS_OP_ADD, VS_FILEOP_NONE, &lsi, NULL },
	};
	struct vs_config_spec s = {
		.changes = changes, .nchanges = 5,
	};
	static const char expected[] =
		"<spec>"
		"<deviceChange>"
		"<operation>remove</operation>"
		"<device xsi:type=\"VirtualE1000\">"
		"<key>4000</key>"
		"<deviceInfo>"
		"<label>Network adapter 1</label>"
		"<summary>VM Network</summary>"
		"</deviceInfo>"
		"<backing xsi:type=\"VirtualEthernetCardNetworkBackingInfo\">"
		"<deviceName>VM Network</deviceName>"
		"<network type=\"Network\">network-7</network>"
		"</backing>"
		"<addressType>generated</addressType>"
		"<macAddress>00:50:56:aa:bb:cc</macAddress>"
		"</device>"
		"</deviceChange>"
		"<deviceChange>"
		"<operation>edit</operation>"
		"<device xsi:type=\"VirtualCdrom\">"
		"<key>3000</key>"
		"<deviceInfo>"
		"<label>CD/DVD drive 1</label>"
		"<summary>ISO [ds1] vm/env.iso</summary>"
		"</deviceInfo>"
		"<backing xsi:type=\"VirtualCdromIsoBackingInfo\">"
		"<fileName>[ds1] vm/env.iso</fileName>"
		"</backing>"
		"<connectable>"
		"<startConnected>true</startConnected>"
		"<allowGuestControl>false</allowGuestControl>"
		"<connected>true</connected>"
		"</connectable>"
		"<controllerKey>200</controllerKey>"
		"<unitNumber>0</unitNumber>"
		"</device>"
		"</deviceChange>"
		"<deviceChange>"
		"<operation>add</operation>"
		"<device xsi:type=\"ParaVirtualSCSIController\">"
		"<key>-100</key>"
		"<busNumber>1</busNumber>"
		"<sharedBus>noSharing</sharedBus>"
		"</device>"
		"</deviceChange>"
		"<deviceChange>"
		"<operation>add</operation>"
		"<device xsi:type=\"VirtualLsiLogicSASController\">"
		"<key>-101</key>"
		"<deviceInfo>"
		"<label>SCSI controller 2</label>"
		"<summary>LSI Logic SAS</summary>"
		"</deviceInfo>"
		"<controllerKey>100</controllerKey>"
		"<unitNumber>4</unitNumber>"
		"<busNumber>2</busNumber>"
		"<sharedBus>physicalSharing</sharedBus>"
		"</device>"
		"</deviceChange>"
		"<deviceChange>"
		"<operation>add</operation>"
		"<device xsi:type=\"VirtualLsiLogicController\">"
		"<key>-102</key>"
		"<busNumber>3</busNumber>"
		"<sharedBus>virtualSharing</sharedBus>"
		"</device>"
		"</deviceChange>"
		"</spec>";
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *got;

	err_clear(&err);
	m = new_request(&doc, "ReconfigVM_Task");
	ck_assert_msg(vs_add_config_spec(m, "spec", &s, &err) == 0, "%s",
	              err.message);
	save_request("ReconfigVM_Task-devices", doc);
	got = dump(last_child(m));
	assert_xml_eq(got, expected);
	free(got);
	xmlFreeDoc(doc);
}
END_TEST

/* Each new field refused when it does not fit, before anything is
 * written. */
START_TEST(test_device_extensions_invalid)
{
	struct vs_connect_spec conn = { true, false, true };
	const struct vs_device_spec cases[] = {
		/* a type outside the kind's family */
		{ .type = VS_DEV_VMXNET3, .type_name = "VirtualDisk",
		  .key = 4000 },
		{ .type = VS_DEV_VMXNET3, .type_name = "VirtualE1000\" a=\"",
		  .key = 4000 },
		{ .type = VS_DEV_DISK, .type_name = "VirtualCdrom",
		  .key = 2000, .capacity_kb = 1 },
		{ .type = VS_DEV_CDROM, .type_name = "VirtualDisk",
		  .key = 3000 },
		{ .type = VS_DEV_SCSI_CONTROLLER,
		  .type_name = "VirtualIDEController", .key = -100,
		  .shared_bus = "noSharing" },
		{ .type = VS_DEV_SCSI_CONTROLLER,
		  .type_name = "VirtualVmxnet3", .key = -100,
		  .shared_bus = "noSharing" },
		{ .type = VS_DEV_SCSI_CONTROLLER, .type_name = "",
		  .key = -100, .shared_bus = "noSharing" },
		/* deviceInfo: both parts, valid text */
		{ .type = VS_DEV_CDROM, .key = 3000, .label = "x" },
		{ .type = VS_DEV_CDROM, .key = 3000, .summary = "x" },
		{ .type = VS_DEV_CDROM, .key = 3000, .label = "x",
		  .summary = "a\001b" },
		{ .type = VS_DEV_CDROM, .key = 3000, .label = "\xff",
		  .summary = "x" },
		/* controllers: no backing, no connectable, a bus, a sharing */
		{ .type = VS_DEV_SCSI_CONTROLLER, .key = -100,
		  .backing = VS_BACKING_ISO, .file_name = "[ds] a.iso",
		  .shared_bus = "noSharing" },
		{ .type = VS_DEV_SCSI_CONTROLLER, .key = -100,
		  .connectable = &conn, .shared_bus = "noSharing" },
		{ .type = VS_DEV_SCSI_CONTROLLER, .key = -100,
		  .bus_number = -1, .shared_bus = "noSharing" },
		{ .type = VS_DEV_SCSI_CONTROLLER, .key = -100 },
		{ .type = VS_DEV_SCSI_CONTROLLER, .key = -100,
		  .shared_bus = "NoSharing" },
	};
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	size_t i;

	m = new_request(&doc, "ReconfigVM_Task");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err_clear(&err);
		ck_assert_msg(vs_add_device(m, "device", &cases[i], &err) ==
		              ERR_EINVAL, "case %zu accepted", i);
		ck_assert_int_eq(err.code, ERR_EINVAL);
		ck_assert_str_ne(err.message, "");
	}
	/* the type and the field checks come first: nothing was written
	 * except for the invalid text, refused while writing */
	for (m = m->children; m != NULL; m = m->next) {
		if (m->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(m->name, BAD_CAST "device") == 0)
			i--;
	}
	ck_assert_uint_eq(i, sizeof(cases) / sizeof(cases[0]) - 2);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_filter_spec_xml)
{
	static const char *const paths[] = { "name", "parent", NULL };
	struct vs_selection_spec inner[] = {
		{ .name = "visitFolders" },
		{ .name = "dcToVm", .type = "Datacenter", .path = "vmFolder",
		  .skip = false },
	};
	struct vs_selection_spec outer = {
		.name = "visitFolders", .type = "Folder",
		.path = "childEntity", .skip = false,
		.select = inner, .nselect = 2,
	};
	struct vs_property_spec ps[] = {
		{ .type = "VirtualMachine", .paths = paths },
		{ .type = "Folder", .all = true },
	};
	struct vs_object_spec os = {
		.obj = { "Folder", "group-d1" }, .skip = true,
		.select = &outer, .nselect = 1,
	};
	struct vs_filter_spec fs = {
		.props = ps, .nprops = 2, .objects = &os, .nobjects = 1,
	};
	static const char expected[] =
		"<specSet>"
		"<propSet><type>VirtualMachine</type>"
		"<pathSet>name</pathSet><pathSet>parent</pathSet></propSet>"
		"<propSet><type>Folder</type><all>true</all></propSet>"
		"<objectSet>"
		"<obj type=\"Folder\">group-d1</obj>"
		"<skip>true</skip>"
		"<selectSet xsi:type=\"TraversalSpec\">"
		"<name>visitFolders</name><type>Folder</type>"
		"<path>childEntity</path><skip>false</skip>"
		"<selectSet xsi:type=\"SelectionSpec\">"
		"<name>visitFolders</name></selectSet>"
		"<selectSet xsi:type=\"TraversalSpec\">"
		"<name>dcToVm</name><type>Datacenter</type>"
		"<path>vmFolder</path><skip>false</skip></selectSet>"
		"</selectSet>"
		"</objectSet>"
		"</specSet>";
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;
	char *got;

	err_clear(&err);
	m = new_request(&doc, "RetrievePropertiesEx");
	ck_assert_int_eq(vs_add_filter_spec(m, "specSet", &fs, &err), 0);
	got = dump(last_child(m));
	assert_xml_eq(got, expected);
	free(got);
	ck_assert_int_eq(vs_add_retrieve_options(m, "options", 50, &err), 0);
	save_request("RetrievePropertiesEx", doc);
	got = dump(last_child(m));
	ck_assert_str_eq(got, "<options><maxObjects>50</maxObjects></options>");
	free(got);
	ck_assert_int_eq(vs_add_retrieve_options(m, "options", 0, &err), 0);
	got = dump(last_child(m));
	ck_assert_str_eq(got, "<options/>");
	free(got);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_spec_invalid)
{
	struct vs_moref empty = { "", "" };
	struct vs_device_spec bad_type = { .type = 99, .key = -1 };
	struct vs_device_spec nic_disk = {
		.type = VS_DEV_VMXNET3, .key = -1,
		.backing = VS_BACKING_DISK_FLAT, .file_name = "[ds] x.vmdk",
		.disk_mode = "persistent",
	};
	struct vs_device_spec nic_noname = {
		.type = VS_DEV_VMXNET3, .key = -1,
		.backing = VS_BACKING_NETWORK,
	};
	struct vs_device_spec cd_badds = {
		.type = VS_DEV_CDROM, .key = -1, .backing = VS_BACKING_ISO,
		.file_name = "[ds] env.iso", .datastore = &empty,
	};
	struct vs_device_spec disk_tri = {
		.type = VS_DEV_DISK, .key = -1,
		.backing = VS_BACKING_DISK_FLAT, .file_name = "[ds] x.vmdk",
		.disk_mode = "persistent", .thin = 7,
	};
	struct vs_device_change bad_op = { 0, VS_FILEOP_NONE, &nic_noname,
	                                   NULL };
	struct vs_option ctl[] = { { "guestinfo.x", "a\001b" } };
	struct vs_option bad_utf8[] = { { "guestinfo.x", "\xff\xfe" } };
	struct vs_config_spec half = { .managed_by_key = "k" };
	struct vs_config_spec cfg_ctl = { .extra = ctl, .nextra = 1 };
	struct vs_config_spec cfg_utf8 = { .extra = bad_utf8, .nextra = 1 };
	struct vs_config_spec cfg_name = { .name = "bad\002name" };
	struct vs_filter_spec nothing = { 0 };
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr m;

	m = new_request(&doc, "ReconfigVM_Task");
#define EXPECT_EINVAL(call)                                             \
	do {                                                            \
		err_clear(&err);                                   \
		ck_assert_int_eq((call), ERR_EINVAL);                    \
		ck_assert_int_eq(err.code, ERR_EINVAL);                  \
		ck_assert_str_ne(err.message, "");                      \
	} while (0)
	EXPECT_EINVAL(vs_add_device(m, "device", &bad_type, &err));
	EXPECT_EINVAL(vs_add_device(m, "device", &nic_disk, &err));
	EXPECT_EINVAL(vs_add_device(m, "device", &nic_noname, &err));
	EXPECT_EINVAL(vs_add_device(m, "device", &cd_badds, &err));
	EXPECT_EINVAL(vs_add_device(m, "device", &disk_tri, &err));
	EXPECT_EINVAL(vs_add_device_change(m, "deviceChange", &bad_op, &err));
	EXPECT_EINVAL(vs_add_config_spec(m, "spec", &half, &err));
	EXPECT_EINVAL(vs_add_config_spec(m, "spec", &cfg_ctl, &err));
	EXPECT_EINVAL(vs_add_config_spec(m, "spec", &cfg_utf8, &err));
	EXPECT_EINVAL(vs_add_config_spec(m, "spec", &cfg_name, &err));
	EXPECT_EINVAL(vs_add_filter_spec(m, "spec", &nothing, &err));
#undef EXPECT_EINVAL
	xmlFreeDoc(doc);
}
END_TEST

/* --- deserializers on simulator replies ---------------------------------- */

START_TEST(test_read_vm)
{
	const struct vs_device *d;
	const struct vs_moref *refs;
	struct vs_devices *devs = NULL;
	struct vs_object o;
	struct vs_moref ref;
	struct err err;
	const char *s;
	xmlNodePtr resp;
	xmlDocPtr doc;
	size_t n, i, nics = 0;

	err_clear(&err);
	doc = parse_file("06_RetrievePropertiesEx_vm.response.xml", &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	xmlFreeDoc(doc);        /* the object owns everything it keeps */
	ck_assert_str_eq(o.obj.type, "VirtualMachine");
	ck_assert_str_eq(o.obj.value, "vm-54");
	ck_assert_int_eq(vs_object_get_str(&s, &o, "name", &err), 0);
	ck_assert_str_eq(s, "DC0_C0_RP0_VM0");
	ck_assert_int_eq(vs_object_get_str(&s, &o, "config.uuid", &err), 0);
	ck_assert_str_eq(s, "cd0681bf-2f18-5c00-9b9b-8197c0095348");
	ck_assert_int_eq(vs_object_get_str(&s, &o, "runtime.powerState",
	                                   &err), 0);
	ck_assert_str_eq(s, "poweredOn");
	ck_assert_int_eq(vs_object_get_moref(&ref, &o, "resourcePool", &err),
	                 0);
	ck_assert_str_eq(ref.type, "ResourcePool");
	ck_assert_str_eq(ref.value, "resgroup-26");
	ck_assert_int_eq(vs_object_get_moref(&ref, &o, "runtime.host", &err),
	                 0);
	ck_assert_str_eq(ref.value, "host-42");
	ck_assert_int_eq(vs_object_get_morefs(&refs, &n, &o, "datastore",
	                                      &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(refs[0].type, "Datastore");
	ck_assert_str_eq(refs[0].value,
	                 "/tmp/govcsim-DC0-LocalDS_0-4218888849@folder-5");
	ck_assert_int_eq(vs_object_get_morefs(&refs, &n, &o, "network", &err),
	                 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(refs[0].type, "DistributedVirtualPortgroup");
	ck_assert_int_eq(err.code, 0);

	ck_assert_int_eq(vs_object_get_devices(&devs, &o,
	                                       "config.hardware.device", &err),
	                 0);
	ck_assert_uint_eq(devs->n, 13);
	d = vs_devices_find_key(devs, 1345084660);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->type, "VirtualDisk");
	ck_assert_str_eq(d->label, "disk-202-0");
	ck_assert_str_eq(d->backing_type, "VirtualDiskFlatVer2BackingInfo");
	ck_assert_str_eq(d->file_name, "[LocalDS_0] DC0_C0_RP0_VM0/disk1.vmdk");
	ck_assert(d->has_datastore);
	ck_assert_str_eq(d->datastore.type, "Datastore");
	ck_assert_str_eq(d->disk_mode, "persistent");
	ck_assert(d->has_controller_key);
	ck_assert_int_eq(d->controller_key, 202);
	ck_assert(d->has_unit_number);
	ck_assert_int_eq(d->unit_number, 0);
	ck_assert(d->has_capacity);
	ck_assert_int_eq(d->capacity_kb, 1024);
	ck_assert_ptr_null(d->disk_uuid);
	ck_assert(!vs_device_is_nic(d));

	d = vs_devices_find_key(devs, 4000);
	ck_assert_ptr_nonnull(d);
	ck_assert(vs_device_is_nic(d));
	ck_assert_str_eq(d->type, "VirtualE1000");
	ck_assert_str_eq(d->backing_type,
	                 "VirtualEthernetCardDistributedVirtual"
	                 "PortBackingInfo");
	ck_assert_str_eq(d->switch_uuid,
	                 "fea97929-4b2d-5972-b146-930c6d0b4014");
	ck_assert_str_eq(d->portgroup_key, "dvportgroup-13");
	ck_assert_str_eq(d->mac_address, "00:0c:29:33:34:38");
	ck_assert_str_eq(d->address_type, "generated");
	ck_assert(d->has_connectable);
	ck_assert(d->start_connected);
	ck_assert(d->allow_guest_control);
	ck_assert(!d->connected);
	ck_assert(!d->has_capacity);

	d = vs_devices_find_key(devs, 203);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->type, "VirtualCdrom");
	ck_assert_str_eq(d->backing_type, "VirtualCdromAtapiBackingInfo");
	ck_assert_str_eq(d->device_name, "cdrom--201-824638551208");
	ck_assert(d->connected);

	d = vs_devices_find_key(devs, 200);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->type, "VirtualIDEController");
	ck_assert(!d->has_controller_key);
	ck_assert(!d->has_unit_number);
	ck_assert_str_eq(d->backing_type, "");
	for (i = 0; i < devs->n; i++) {
		if (vs_device_is_nic(&devs->items[i]))
			nics++;
	}
	ck_assert_uint_eq(nics, 1);
	ck_assert_ptr_null(vs_devices_find_key(devs, 12345));
	vs_devices_free(devs);
	vs_object_clear(&o);
}
END_TEST

START_TEST(test_read_clone_devices)
{
	struct vs_devices *devs = NULL;
	const struct vs_device *d;
	struct vs_object o[2];
	struct err err;
	xmlNodePtr resp, objs;
	xmlDocPtr doc;

	err_clear(&err);
	doc = parse_file("11_RetrievePropertiesEx_clone.response.xml", &resp);
	objs = first_objects(resp);
	ck_assert_int_eq(vs_object_from_node(&o[0], objs, NULL, &err), 0);
	ck_assert_int_eq(vs_object_from_node(&o[1],
	                                     vs_xml_next(objs, "objects"),
	                                     NULL, &err), 0);
	xmlFreeDoc(doc);
	ck_assert_str_eq(o[0].obj.value, "vm-63");
	ck_assert_str_eq(o[1].obj.value, "vm-54");
	ck_assert_int_eq(vs_object_get_devices(&devs, &o[0],
	                                       "config.hardware.device", &err),
	                 0);
	d = vs_devices_find_key(devs, 204);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->type, "VirtualVmxnet3");
	ck_assert_str_eq(d->mac_address, "00:0c:29:32:66:30");
	ck_assert_str_eq(d->device_name, "VM Network");
	ck_assert(d->has_network);
	ck_assert_str_eq(d->network.type, "Network");
	ck_assert_str_eq(d->network.value, "network-7");
	ck_assert_int_eq(d->unit_number, 1);
	ck_assert(!d->allow_guest_control);
	vs_devices_free(devs);
	vs_object_clear(&o[0]);
	vs_object_clear(&o[1]);
}
END_TEST

START_TEST(test_read_task_success)
{
	struct vs_task_info ti = { 0 };
	struct vs_object o;
	struct vs_moref ref;
	struct err err;
	const char *s;
	long long v;
	xmlNodePtr resp;
	xmlDocPtr doc;
	int state;

	err_clear(&err);
	doc = parse_file("10_RetrievePropertiesEx_clonetask.response.xml",
	                 &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	ck_assert_int_eq(vs_object_get_str(&s, &o, "info.state", &err), 0);
	ck_assert_int_eq(vs_task_state_parse(&state, s, &err), 0);
	ck_assert_int_eq(state, VS_TASK_SUCCESS);
	ck_assert_int_eq(vs_object_get_moref(&ref, &o, "info.result", &err),
	                 0);
	ck_assert_str_eq(ref.type, "VirtualMachine");
	ck_assert_str_eq(ref.value, "vm-63");
	ck_assert_int_eq(vs_object_get_long(&v, &o, "info.progress", &err), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_ptr_null(vs_object_prop(&o, "info.error"));
	vs_object_clear(&o);

	/* The same reply folded through vs_task_info_apply on raw nodes. */
	{
		xmlNodePtr ps;
		char *name;

		for (ps = vs_xml_child(first_objects(resp), "propSet");
		     ps != NULL; ps = vs_xml_next(ps, "propSet")) {
			name = vs_xml_child_text(ps, "name");
			ck_assert_int_eq(vs_task_info_apply(&ti, name,
			                 vs_xml_child(ps, "val"), &err), 0);
			xmlFree(name);
		}
	}
	ck_assert_int_eq(ti.state, VS_TASK_SUCCESS);
	ck_assert(ti.has_result_moref);
	ck_assert_str_eq(ti.result_moref.value, "vm-63");
	ck_assert(!ti.has_error);
	vs_task_info_clear(&ti);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_read_task_error)
{
	struct vs_task_info ti = { 0 };
	struct vs_fault f;
	struct vs_object o;
	struct err err;
	xmlNodePtr resp, ps;
	xmlDocPtr doc;
	char *name;

	err_clear(&err);
	doc = parse_file("PowerOnVM_Task_again.task.response.xml", &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	ck_assert_int_eq(vs_object_get_fault(&f, &o, "info.error", &err), 0);
	ck_assert_str_eq(f.type, "InvalidPowerState");
	ck_assert_str_eq(f.localized, "*types.InvalidPowerState");
	vs_object_clear(&o);
	for (ps = vs_xml_child(first_objects(resp), "propSet"); ps != NULL;
	     ps = vs_xml_next(ps, "propSet")) {
		name = vs_xml_child_text(ps, "name");
		ck_assert_int_eq(vs_task_info_apply(&ti, name,
		                 vs_xml_child(ps, "val"), &err), 0);
		xmlFree(name);
	}
	ck_assert_int_eq(ti.state, VS_TASK_ERROR);
	ck_assert(ti.has_error);
	ck_assert_str_eq(ti.error.type, "InvalidPowerState");
	vs_task_info_clear(&ti);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_read_update_without_val)
{
	struct vs_task_info ti = { 0 };
	struct err err;
	xmlNodePtr resp, rv, os, cs;
	xmlDocPtr doc;
	char *name;
	int n = 0;

	err_clear(&err);
	doc = parse_file("WaitForUpdatesEx_1.response.xml", &resp);
	rv = vs_xml_child(resp, "returnval");
	os = vs_xml_child(vs_xml_child(rv, "filterSet"), "objectSet");
	ck_assert_ptr_nonnull(os);
	for (cs = vs_xml_child(os, "changeSet"); cs != NULL;
	     cs = vs_xml_next(cs, "changeSet")) {
		name = vs_xml_child_text(cs, "name");
		ck_assert_int_eq(vs_task_info_apply(&ti, name,
		                 vs_xml_child(cs, "val"), &err), 0);
		xmlFree(name);
		n++;
	}
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(ti.state, VS_TASK_SUCCESS);
	ck_assert(!ti.has_error);       /* info.error came without <val> */
	vs_task_info_clear(&ti);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_read_lease)
{
	struct vs_lease_info *li = NULL;
	struct vs_object o;
	struct err err;
	xmlNodePtr resp, n;
	xmlDocPtr doc;
	const char *s;
	int state;

	err_clear(&err);
	doc = parse_file("HttpNfcLease_props.response.xml", &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	xmlFreeDoc(doc);
	ck_assert_str_eq(o.obj.type, "HttpNfcLease");
	ck_assert_int_eq(vs_object_get_str(&s, &o, "state", &err), 0);
	ck_assert_int_eq(vs_lease_state_parse(&state, s, &err), 0);
	ck_assert_int_eq(state, VS_LEASE_READY);
	ck_assert_ptr_null(vs_object_prop(&o, "error"));
	ck_assert_int_eq(vs_object_get_node(&n, &o, "info", &err), 0);
	ck_assert_int_eq(vs_lease_info_from_node(&li, n, &err), 0);
	ck_assert_str_eq(li->entity.type, "VirtualMachine");
	ck_assert_str_eq(li->entity.value, "vm-88");
	ck_assert_uint_eq(li->nurls, 1);
	ck_assert_str_eq(li->urls[0].key, "/vm-88/disk:0");
	ck_assert_str_eq(li->urls[0].import_key, "/sc-1234/disk:0");
	ck_assert_str_eq(li->urls[0].url,
	                 "https://*/nfc/session%5B00000000-0000-0000-0000-"
	                 "000000000000%5D0cb2ad3b-b15c-4940-a827-7fe2425506a4"
	                 "/disk-0.vmdk");
	ck_assert_str_eq(li->urls[0].target_id, "disk-0.vmdk");
	ck_assert(li->urls[0].disk);
	ck_assert_int_eq(li->total_disk_kb, 0);
	vs_lease_info_free(li);
	vs_object_clear(&o);
}
END_TEST

START_TEST(test_read_lease_error)
{
	static const char xml[] =
		"<objects><obj type=\"HttpNfcLease\">lease-1</obj>"
		"<propSet><name>state</name><val xsi:type=\"HttpNfcLeaseState\">"
		"error</val></propSet><propSet><name>error</name><val "
		"xsi:type=\"LocalizedMethodFault\"><fault xsi:type=\""
		"FileNotFound\"><file>x.vmdk</file></fault><localizedMessage>"
		"File x.vmdk was not found</localizedMessage></val></propSet>"
		"</objects>";
	struct vs_object o;
	struct vs_fault f;
	struct err err;
	xmlNodePtr resp;
	xmlDocPtr doc;
	const char *s;
	int state;

	err_clear(&err);
	doc = parse_objects_xml(xml, &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	xmlFreeDoc(doc);
	ck_assert_int_eq(vs_object_get_str(&s, &o, "state", &err), 0);
	ck_assert_int_eq(vs_lease_state_parse(&state, s, &err), 0);
	ck_assert_int_eq(state, VS_LEASE_ERROR);
	ck_assert_int_eq(vs_object_get_fault(&f, &o, "error", &err), 0);
	ck_assert_str_eq(f.type, "FileNotFound");
	ck_assert_str_eq(f.localized, "File x.vmdk was not found");
	ck_assert_int_eq(vs_lease_state_parse(&state, "paused", &err),
	                 ERR_EPARSE);
	err_clear(&err);
	ck_assert_int_eq(vs_object_get_fault(&f, &o, "state", &err),
	                 ERR_EPARSE);
	vs_object_clear(&o);
}
END_TEST

START_TEST(test_read_two_objects)
{
	struct vs_object o;
	struct err err;
	xmlNodePtr resp, objs;
	xmlDocPtr doc;
	long long mem;
	bool tmpl;

	err_clear(&err);
	doc = parse_file("Get_newvm.response.xml", &resp);
	objs = vs_xml_next(first_objects(resp), "objects");
	ck_assert_ptr_nonnull(objs);
	ck_assert_int_eq(vs_object_from_node(&o, objs, NULL, &err), 0);
	ck_assert_str_eq(o.obj.value, "vm-88");
	ck_assert_int_eq(vs_object_get_bool(&tmpl, &o, "config.template",
	                                    &err), 0);
	ck_assert(tmpl);
	ck_assert_int_eq(vs_object_get_long(&mem, &o,
	                                    "config.hardware.memoryMB", &err),
	                 0);
	ck_assert_int_eq(mem, 512);
	vs_object_clear(&o);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_read_missing_set)
{
	static const char *const optional[] = { "name", NULL };
	struct vs_object o;
	struct err err;
	xmlNodePtr resp;
	xmlDocPtr doc;
	const char *s;

	doc = parse_file("AfterLogout_RetrievePropertiesEx.response.xml",
	                 &resp);
	err_clear(&err);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NotAuthenticated");
	ck_assert_ptr_nonnull(strstr(err.message, "name"));
	ck_assert_ptr_null(o.props);

	err_clear(&err);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp),
	                                     optional, &err), 0);
	ck_assert_ptr_nonnull(vs_object_prop(&o, "name"));
	ck_assert_str_eq(vs_object_prop(&o, "name")->text,
	                 "NotAuthenticated");
	ck_assert_int_eq(vs_object_get_str(&s, &o, "name", &err),
	                 ERR_ENOTFOUND);
	vs_object_clear(&o);
	xmlFreeDoc(doc);
}
END_TEST

/* vs_object_peek: the type and a plain-text name in place; NULL for
 * what is missing or not one text node, and no name beside a
 * missingSet. */
static const struct {
	const char *xml, *type, *name;
} peeks[] = {
	{ "<objects><obj type=\"Network\">network-7</obj><propSet><name>"
	  "parent</name><val type=\"Folder\" xsi:type=\"ManagedObjectRef"
	  "erence\">group-n1</val></propSet><propSet><name>name</name><val "
	  "xsi:type=\"xsd:string\">VM &amp; Network</val></propSet>"
	  "</objects>", "Network", "VM & Network" },
	{ "<objects><obj type=\"Folder\">group-1</obj></objects>",
	  "Folder", NULL },
	{ "<objects><obj>x-1</obj><propSet><name>name</name><val>a</val>"
	  "</propSet></objects>", NULL, "a" },
	{ "<objects><obj type=\"Network\">n-1</obj><propSet><name>name"
	  "</name><val>a<b/>c</val></propSet></objects>", "Network", NULL },
	{ "<objects><obj type=\"Network\">n-1</obj><propSet><name>name"
	  "</name><val></val></propSet></objects>", "Network", NULL },
	{ "<objects><obj type=\"Network\">n-1</obj><propSet><name>name"
	  "</name></propSet></objects>", "Network", NULL },
	{ "<objects><obj type=\"Network\">n-1</obj><propSet><name>name"
	  "</name><val>a</val></propSet><missingSet><path>parent</path>"
	  "<fault><fault xsi:type=\"NotAuthenticated\"/><localizedMessage/>"
	  "</fault></missingSet></objects>", "Network", NULL },
	{ "<objects><propSet><name>name</name><val>a</val></propSet>"
	  "</objects>", NULL, "a" },
};

START_TEST(test_object_peek)
{
	const char *type = "x", *name = "x";
	xmlNodePtr resp;
	xmlDocPtr doc = parse_objects_xml(peeks[_i].xml, &resp);

	vs_object_peek(&type, &name, first_objects(resp));
	if (peeks[_i].type == NULL)
		ck_assert_ptr_null(type);
	else
		ck_assert_str_eq(type, peeks[_i].type);
	if (peeks[_i].name == NULL)
		ck_assert_ptr_null(name);
	else
		ck_assert_str_eq(name, peeks[_i].name);
	xmlFreeDoc(doc);
}
END_TEST

/* vs_vim_opt_text: absent is NULL, an empty element "" (never NULL). */
START_TEST(test_opt_text)
{
	static const char xml[] =
	    "<r xmlns=\"urn:vim25\"><a>x &amp; y</a><e/><n><k>1</k></n></r>";
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "r.xml", NULL, 0);
	xmlNodePtr r;
	char *t = (char *)"unset";

	ck_assert_ptr_nonnull(doc);
	r = xmlDocGetRootElement(doc);
	ck_assert_int_eq(vs_vim_opt_text(&t, r, "a"), 0);
	ck_assert_str_eq(t, "x & y");
	xmlFree(t);
	ck_assert_int_eq(vs_vim_opt_text(&t, r, "e"), 0);
	ck_assert_str_eq(t, "");
	xmlFree(t);
	ck_assert_int_eq(vs_vim_opt_text(&t, r, "n"), 0);
	ck_assert_str_eq(t, "1");
	xmlFree(t);
	t = (char *)"unset";
	ck_assert_int_eq(vs_vim_opt_text(&t, r, "missing"), 0);
	ck_assert_ptr_null(t);
	xmlFreeDoc(doc);
}
END_TEST

START_TEST(test_read_ds_summary)
{
	struct vs_ds_summary *ds = NULL;
	struct vs_object o;
	struct err err;
	xmlNodePtr resp, n;
	xmlDocPtr doc;

	err_clear(&err);
	doc = parse_file("Get_ds_browser.response.xml", &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	xmlFreeDoc(doc);
	ck_assert_int_eq(vs_object_get_node(&n, &o, "summary", &err), 0);
	ck_assert_int_eq(vs_ds_summary_from_node(&ds, n, &err), 0);
	ck_assert_str_eq(ds->name, "LocalDS_0");
	ck_assert_str_eq(ds->url, "/tmp/govcsim-DC0-LocalDS_0-4218888849");
	ck_assert_int_eq(ds->capacity, 270553174016LL);
	ck_assert_int_eq(ds->free_space, 246133317632LL);
	ck_assert(ds->accessible);
	ck_assert_str_eq(ds->type, "OTHER");
	ck_assert_str_eq(ds->maintenance_mode, "normal");
	ck_assert(ds->has_datastore);
	vs_ds_summary_free(ds);
	vs_object_clear(&o);
}
END_TEST

START_TEST(test_getter_shapes)
{
	struct vs_object o;
	struct vs_moref ref;
	struct err err;
	const struct vs_moref *refs;
	xmlNodePtr resp, n;
	xmlDocPtr doc;
	const char *s;
	long long v;
	bool b;
	size_t cnt;

	err_clear(&err);
	doc = parse_file("06_RetrievePropertiesEx_vm.response.xml", &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	xmlFreeDoc(doc);
#define EXPECT(want, call)                                              \
	do {                                                            \
		err_clear(&err);                                   \
		ck_assert_int_eq((call), (want));                       \
		ck_assert_int_eq(err.code, (want));                     \
	} while (0)
	EXPECT(ERR_EPARSE, vs_object_get_str(&s, &o, "resourcePool", &err));
	EXPECT(ERR_EPARSE, vs_object_get_moref(&ref, &o, "name", &err));
	EXPECT(ERR_EPARSE, vs_object_get_long(&v, &o, "name", &err));
	EXPECT(ERR_EPARSE, vs_object_get_bool(&b, &o, "name", &err));
	EXPECT(ERR_EPARSE, vs_object_get_morefs(&refs, &cnt, &o, "name", &err));
	EXPECT(ERR_EPARSE, vs_object_get_node(&n, &o, "name", &err));
	EXPECT(ERR_EPARSE, vs_object_get_str(&s, &o, "config.hardware.device",
	                                     &err));
	EXPECT(ERR_ENOTFOUND, vs_object_get_str(&s, &o, "summary", &err));
	EXPECT(ERR_ENOTFOUND, vs_object_get_node(&n, &o, "summary", &err));
#undef EXPECT
	vs_object_clear(&o);
}
END_TEST

/* --- hostile replies ----------------------------------------------------- */

#define XSI "xmlns:X=\"http://www.w3.org/2001/XMLSchema-instance\" "
#define OBJ "<obj type=\"VirtualMachine\">vm-1</obj>"
#define DEVS(body)                                                      \
	"<objects>" OBJ "<propSet><name>d</name><val " XSI              \
	"X:type=\"ArrayOfVirtualDevice\">" body "</val></propSet></objects>"
#define DEV(type, body)                                                 \
	"<VirtualDevice X:type=\"" type "\">" body "</VirtualDevice>"
#define LEASE(body)                                                     \
	"<objects>" OBJ "<propSet><name>d</name><val " XSI              \
	"X:type=\"HttpNfcLeaseInfo\">" body "</val></propSet></objects>"
#define DS(body)                                                        \
	"<objects>" OBJ "<propSet><name>d</name><val " XSI              \
	"X:type=\"DatastoreSummary\">" body "</val></propSet></objects>"
#define DSOK_HEAD "<name>ds</name><url>/x</url>"

enum hostile_target {
	H_OBJECT,       /* vs_object_from_node fails */
	H_DEVICES,      /* prop "d" as a device list */
	H_LEASE,
	H_DS,
	H_TASK,         /* prop names fed to vs_task_info_apply */
};

static const struct {
	int target;
	const char *xml;
} hostile[] = {
	{ H_OBJECT, "<objects><propSet><name>x</name><val>1</val></propSet>"
	            "</objects>" },
	{ H_OBJECT, "<objects><obj>vm-1</obj></objects>" },
	{ H_OBJECT, "<objects><obj type=\"VirtualMachine\"></obj></objects>" },
	{ H_OBJECT, "<objects>" OBJ "<propSet><val>1</val></propSet>"
	            "</objects>" },
	{ H_OBJECT, "<objects>" OBJ "<propSet><name>x</name></propSet>"
	            "</objects>" },
	{ H_OBJECT, "<objects>" OBJ "<propSet><name>x</name><val " XSI
	            "X:type=\"ManagedObjectReference\">vm-2</val></propSet>"
	            "</objects>" },
	{ H_OBJECT, "<objects>" OBJ "<propSet><name>x</name><val " XSI
	            "X:type=\"ArrayOfManagedObjectReference\"><a>1</a></val>"
	            "</propSet></objects>" },
	{ H_OBJECT, "<objects>" OBJ "<missingSet><path>x</path></missingSet>"
	            "</objects>" },
	{ H_OBJECT, "<objects>" OBJ "<missingSet><path>x</path><fault>"
	            "<localizedMessage>m</localizedMessage></fault>"
	            "</missingSet></objects>" },
	{ H_OBJECT, "<objects>" OBJ "<missingSet><fault><fault " XSI
	            "X:type=\"NoPermission\"/></fault></missingSet>"
	            "</objects>" },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<controllerKey>1</controllerKey>"
	                  )) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>abc</key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key> 1</key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1x</key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>99999999999</key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>-</key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key></key>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key><x>1</x></key>")) },
	{ H_DEVICES, DEVS("<VirtualDevice><key>1</key></VirtualDevice>") },
	{ H_DEVICES, DEVS("<Other " XSI "X:type=\"VirtualDisk\"><key>1</key>"
	                  "</Other>") },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1</key><capacityInKB>-5"
	                  "</capacityInKB>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1</key><capacityInKB>"
	                  "99999999999999999999999</capacityInKB>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1</key><unitNumber>"
	                  "4294967296</unitNumber>")) },
	{ H_DEVICES, DEVS(DEV("VirtualCdrom", "<key>1</key><connectable>"
	                  "<startConnected>maybe</startConnected>"
	                  "<allowGuestControl>true</allowGuestControl>"
	                  "<connected>true</connected></connectable>")) },
	{ H_DEVICES, DEVS(DEV("VirtualCdrom", "<key>1</key><connectable>"
	                  "<startConnected>true</startConnected>"
	                  "</connectable>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1</key><backing>"
	                  "<fileName>x</fileName></backing>")) },
	{ H_DEVICES, DEVS(DEV("VirtualDisk", "<key>1</key><backing X:type=\""
	                  "VirtualDiskFlatVer2BackingInfo\"><fileName>x"
	                  "</fileName><datastore>ds-1</datastore></backing>"))
	},
	{ H_DEVICES, DEVS(DEV("VirtualE1000", "<key>1</key><backing X:type=\""
	                  "X\"><port><portgroupKey>p</portgroupKey></port>"
	                  "</backing>")) },
	{ H_DEVICES, DEVS(DEV("VirtualE1000", "<key>1</key><macAddress><b/>"
	                  "</macAddress>")) },
	{ H_LEASE, LEASE("<deviceUrl><key>k</key><importKey>i</importKey>"
	                 "<url>u</url></deviceUrl>") },
	{ H_LEASE, LEASE("<entity type=\"VirtualMachine\">vm-1</entity>"
	                 "<deviceUrl><key>k</key><importKey>i</importKey>"
	                 "</deviceUrl>") },
	{ H_LEASE, LEASE("<entity type=\"VirtualMachine\">vm-1</entity>"
	                 "<totalDiskCapacityInKB>lots</totalDiskCapacityInKB>")
	},
	{ H_LEASE, LEASE("<entity type=\"VirtualMachine\">vm-1</entity>"
	                 "<deviceUrl><key>k</key><importKey>i</importKey>"
	                 "<url>u</url><disk>yes</disk></deviceUrl>") },
	{ H_DS, DS("<url>/x</url><capacity>1</capacity><freeSpace>1"
	           "</freeSpace><accessible>true</accessible><type>VMFS</type>")
	},
	{ H_DS, DS(DSOK_HEAD "<capacity>1e10</capacity><freeSpace>1"
	           "</freeSpace><accessible>true</accessible><type>VMFS</type>")
	},
	{ H_DS, DS(DSOK_HEAD "<capacity>1</capacity><freeSpace>-1"
	           "</freeSpace><accessible>true</accessible><type>VMFS</type>")
	},
	{ H_DS, DS(DSOK_HEAD "<capacity>1</capacity><freeSpace>1"
	           "</freeSpace><type>VMFS</type>") },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info.state</name><val>"
	          "exploded</val></propSet></objects>" },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info.state</name><val>"
	          "<x/></val></propSet></objects>" },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info.error</name><val " XSI
	          "X:type=\"LocalizedMethodFault\"><localizedMessage>m"
	          "</localizedMessage></val></propSet></objects>" },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info.error</name><val " XSI
	          "X:type=\"LocalizedMethodFault\"><fault><a/></fault></val>"
	          "</propSet></objects>" },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info.result</name><val " XSI
	          "X:type=\"ManagedObjectReference\">vm-1</val></propSet>"
	          "</objects>" },
	{ H_TASK, "<objects>" OBJ "<propSet><name>info</name><val " XSI
	          "X:type=\"TaskInfo\"><key>k</key></val></propSet>"
	          "</objects>" },
};

START_TEST(test_hostile)
{
	struct vs_devices *devs = NULL;
	struct vs_lease_info *li = NULL;
	struct vs_ds_summary *ds = NULL;
	struct vs_task_info ti = { 0 };
	struct vs_object o;
	struct err err;
	xmlNodePtr resp, objs, ps;
	xmlDocPtr doc;
	char *name;
	int rc = 0, target = hostile[_i].target;

	err_clear(&err);
	doc = parse_objects_xml(hostile[_i].xml, &resp);
	objs = first_objects(resp);
	ck_assert_ptr_nonnull(objs);
	if (target == H_OBJECT) {
		rc = vs_object_from_node(&o, objs, NULL, &err);
		ck_assert_msg(rc == ERR_EPARSE, "case %d: rc %d", _i, rc);
		ck_assert_int_eq(err.code, ERR_EPARSE);
		ck_assert_ptr_null(o.props);
		xmlFreeDoc(doc);
		return;
	}
	if (target == H_TASK) {
		ps = vs_xml_child(objs, "propSet");
		name = vs_xml_child_text(ps, "name");
		rc = vs_task_info_apply(&ti, name, vs_xml_child(ps, "val"),
		                        &err);
		xmlFree(name);
		vs_task_info_clear(&ti);
		ck_assert_msg(rc == ERR_EPARSE, "case %d: rc %d", _i, rc);
		xmlFreeDoc(doc);
		return;
	}
	rc = vs_object_from_node(&o, objs, NULL, &err);
	ck_assert_msg(rc == 0, "case %d: %s", _i, err.message);
	if (target == H_DEVICES) {
		rc = vs_object_get_devices(&devs, &o, "d", &err);
		ck_assert_ptr_null(devs);
	} else if (target == H_LEASE) {
		ck_assert_int_eq(vs_object_get_node(&ps, &o, "d", &err), 0);
		rc = vs_lease_info_from_node(&li, ps, &err);
		ck_assert_ptr_null(li);
	} else {
		ck_assert_int_eq(vs_object_get_node(&ps, &o, "d", &err), 0);
		rc = vs_ds_summary_from_node(&ds, ps, &err);
		ck_assert_ptr_null(ds);
	}
	ck_assert_msg(rc == ERR_EPARSE, "case %d: rc %d (%s)", _i, rc,
	              err.message);
	ck_assert_int_eq(err.code, ERR_EPARSE);
	vs_object_clear(&o);
	xmlFreeDoc(doc);
}
END_TEST

/* The well-formed neighbours of the hostile cases parse, so the cases
 * above fail for the reason they were written for. */
START_TEST(test_hostile_controls)
{
	static const char good[] =
		DEVS(DEV("VirtualCdrom", "<key>-7</key><connectable>"
		     "<startConnected>1</startConnected>"
		     "<allowGuestControl>false</allowGuestControl>"
		     "<connected>0</connected></connectable>"
		     "<unitNumber>2147483647</unitNumber>"
		     "<capacityInKB>9223372036854775807</capacityInKB>"));
	struct vs_devices *devs = NULL;
	struct vs_object o;
	struct err err;
	xmlNodePtr resp;
	xmlDocPtr doc;

	err_clear(&err);
	doc = parse_objects_xml(good, &resp);
	ck_assert_int_eq(vs_object_from_node(&o, first_objects(resp), NULL,
	                                     &err), 0);
	ck_assert_int_eq(vs_object_get_devices(&devs, &o, "d", &err), 0);
	ck_assert_uint_eq(devs->n, 1);
	ck_assert_int_eq(devs->items[0].key, -7);
	ck_assert(devs->items[0].start_connected);
	ck_assert(!devs->items[0].connected);
	ck_assert_int_eq(devs->items[0].unit_number, INT_MAX);
	ck_assert_int_eq(devs->items[0].capacity_kb, LLONG_MAX);
	vs_devices_free(devs);
	vs_object_clear(&o);
	xmlFreeDoc(doc);
}
END_TEST

/* Randomly damaged copies of a real reply (bytes overwritten, cut short):
 * each either fails to parse or reads into a clean success or a clean
 * error.  Mostly useful under ASan and valgrind. */
START_TEST(test_damaged_replies)
{
	static const char *const files[] = {
		"06_RetrievePropertiesEx_vm.response.xml",
		"HttpNfcLease_props.response.xml",
		"Get_ds_browser.response.xml",
	};
	static const char junk[] = "<>/\"=&x0-9 ";
	unsigned seed = 12345u + (unsigned)_i;
	char *orig = read_data(files[_i % 3]);
	size_t len = strlen(orig), k, pos;
	int round;

	for (round = 0; round < 100; round++) {
		char *body = strdup(orig);
		struct vs_devices *devs = NULL;
		struct vs_lease_info *li = NULL;
		struct vs_ds_summary *ds = NULL;
		struct vs_object o;
		struct err err;
		xmlNodePtr resp, objs, n;
		xmlDocPtr doc = NULL;
		size_t blen = len;
		int rc;

		ck_assert_ptr_nonnull(body);
		for (k = 0; k < 1 + (size_t)round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			pos = (seed >> 8) % len;
			body[pos] = junk[(seed >> 4) % (sizeof(junk) - 1)];
		}
		if (round % 5 == 4)
			blen = (seed >> 3) % len;
		err_clear(&err);
		rc = vs_soap_parse_reply(&doc, &resp, body, blen, NULL, &err);
		free(body);
		if (rc < 0)
			continue;
		objs = vs_xml_child(vs_xml_child(resp, "returnval"),
		                    "objects");
		if (objs == NULL || vs_object_from_node(&o, objs, NULL,
		                                        &err) < 0) {
			xmlFreeDoc(doc);
			continue;
		}
		xmlFreeDoc(doc);
		err_clear(&err);
		if (vs_object_get_devices(&devs, &o, "config.hardware.device",
		                          &err) == 0)
			vs_devices_free(devs);
		err_clear(&err);
		if (vs_object_get_node(&n, &o, "info", &err) == 0 &&
		    vs_lease_info_from_node(&li, n, &err) == 0)
			vs_lease_info_free(li);
		err_clear(&err);
		if (vs_object_get_node(&n, &o, "summary", &err) == 0 &&
		    vs_ds_summary_from_node(&ds, n, &err) == 0)
			vs_ds_summary_free(ds);
		vs_object_clear(&o);
	}
	free(orig);
}
END_TEST

START_TEST(test_parse_scalars)
{
	static const struct {
		const char *s;
		long long min, max, want;
		int rc;
	} longs[] = {
		{ "0", 0, 10, 0, 0 },
		{ "-1", -5, 5, -1, 0 },
		{ "10", 0, 10, 10, 0 },
		{ "11", 0, 10, 0, ERR_EPARSE },
		{ "-6", -5, 5, 0, ERR_EPARSE },
		{ "9223372036854775807", LLONG_MIN, LLONG_MAX, LLONG_MAX, 0 },
		{ "9223372036854775808", LLONG_MIN, LLONG_MAX, 0, ERR_EPARSE },
		{ "-9223372036854775809", LLONG_MIN, LLONG_MAX, 0, ERR_EPARSE },
		{ "", 0, 10, 0, ERR_EPARSE },
		{ "+1", 0, 10, 0, ERR_EPARSE },
		{ " 1", 0, 10, 0, ERR_EPARSE },
		{ "1 ", 0, 10, 0, ERR_EPARSE },
		{ "0x10", 0, 100, 0, ERR_EPARSE },
		{ "--1", -5, 5, 0, ERR_EPARSE },
		{ "1.5", 0, 10, 0, ERR_EPARSE },
	};
	static const struct {
		const char *s;
		bool want;
		int rc;
	} bools[] = {
		{ "true", true, 0 }, { "1", true, 0 }, { "false", false, 0 },
		{ "0", false, 0 }, { "TRUE", false, ERR_EPARSE },
		{ "", false, ERR_EPARSE }, { "yes", false, ERR_EPARSE },
	};
	struct err err;
	long long v;
	bool b;
	size_t i;

	for (i = 0; i < sizeof(longs) / sizeof(longs[0]); i++) {
		err_clear(&err);
		ck_assert_msg(vs_parse_long(&v, longs[i].s, longs[i].min,
		                            longs[i].max, &err) == longs[i].rc,
		              "long case %zu", i);
		ck_assert_int_eq(v, longs[i].want);
	}
	err_clear(&err);
	ck_assert_int_eq(vs_parse_long(&v, NULL, 0, 1, &err), ERR_EPARSE);
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		err_clear(&err);
		ck_assert_msg(vs_parse_bool(&b, bools[i].s, &err) ==
		              bools[i].rc, "bool case %zu", i);
		ck_assert(b == bools[i].want);
	}
}
END_TEST

/* vs_parse_word: an enum's word from a table, "unknown <what>" else. */
START_TEST(test_parse_word)
{
	static const struct word states[] = {
		{ "ready", 2 }, { "done", 3 },
	};
	struct err err;
	int v = 9;

	err_clear(&err);
	ck_assert_int_eq(vs_parse_word(&v, states, WORDS_N(states), "done",
	                               "lease state", &err), 0);
	ck_assert_int_eq(v, 3);
	ck_assert_int_eq(vs_parse_word(&v, states, WORDS_N(states), "Done",
	                               "lease state", &err), ERR_EPARSE);
	ck_assert_int_eq(v, 0);
	ck_assert_str_eq(err.message, "unknown lease state");
	err_clear(&err);
	ck_assert_int_eq(vs_parse_word(&v, states, WORDS_N(states), NULL,
	                               "task state", &err), ERR_EPARSE);
	ck_assert_str_eq(err.message, "unknown task state");
}
END_TEST

static Suite *
vim_suite(void)
{
	Suite *s = suite_create("vim");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_clone_spec_xml);
	tcase_add_test(tc, test_parse_word);
	tcase_add_test(tc, test_config_spec_reconfig_xml);
	tcase_add_test(tc, test_config_spec_device_extensions_xml);
	tcase_add_test(tc, test_device_extensions_invalid);
	tcase_add_test(tc, test_filter_spec_xml);
	tcase_add_test(tc, test_spec_invalid);
	tcase_add_test(tc, test_read_vm);
	tcase_add_test(tc, test_read_clone_devices);
	tcase_add_test(tc, test_read_task_success);
	tcase_add_test(tc, test_read_task_error);
	tcase_add_test(tc, test_read_update_without_val);
	tcase_add_test(tc, test_read_lease);
	tcase_add_test(tc, test_read_lease_error);
	tcase_add_test(tc, test_read_two_objects);
	tcase_add_test(tc, test_read_missing_set);
	tcase_add_loop_test(tc, test_object_peek, 0,
	                    (int)(sizeof(peeks) / sizeof(peeks[0])));
	tcase_add_test(tc, test_read_ds_summary);
	tcase_add_test(tc, test_opt_text);
	tcase_add_test(tc, test_getter_shapes);
	tcase_add_loop_test(tc, test_hostile, 0,
	                    (int)(sizeof(hostile) / sizeof(hostile[0])));
	tcase_add_test(tc, test_hostile_controls);
	tcase_add_loop_test(tc, test_damaged_replies, 0, 6);
	tcase_add_test(tc, test_parse_scalars);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vim_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
