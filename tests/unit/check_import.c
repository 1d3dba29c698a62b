/*
 * check_import: the OVF import sequence (vsphere/import.h) and the
 * stemcell helpers of vsphere/stemcell.h through a real client over a
 * fake transport (canned replies in order, every request recorded) and an
 * injected clock, so lease waits take no time.
 *
 * The descriptor and its disk are written into a fresh directory at test
 * time; the fake answers the NFC upload like the simulator (200) or with
 * a failure, and checks the URL, method, content type and that the body
 * is streamed from the file (upload_path, never an in-memory body).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/import.h"
#include "vsphere/ovf.h"
#include "vsphere/stemcell.h"
#include "vsphere/vsphere.h"

static char dir[256];
static char ovf_path[512];
static struct vs_ovf *ovf;

/* The NFC upload of the disk: on the fake's clock it takes 10 s. */
static void
reply_upload(long status)
{
	ft_reply_http("nfc-upload", status);
	ft.delay[ft.nsteps - 1] = 10.0;
}

/* --- the image on disk ----------------------------------------------- */

#define DISK_SIZE 3000

static const char ovf_text[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" "
	"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\" "
	"xmlns:rasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/"
	"CIM_ResourceAllocationSettingData\">\n"
	"<References><File ovf:id=\"file1\" ovf:href=\"image-disk1.vmdk\" "
	"ovf:size=\"3000\"/></References>\n"
	"<DiskSection><Info>d</Info><Disk ovf:diskId=\"vmdisk1\" "
	"ovf:fileRef=\"file1\" ovf:capacity=\"8\" "
	"ovf:capacityAllocationUnits=\"byte * 2^20\"/></DiskSection>\n"
	"<VirtualSystem ovf:id=\"vm\"><Info>vm</Info>"
	"<VirtualHardwareSection><Info>hw</Info>"
	"<Item><rasd:ElementName>disk0</rasd:ElementName>"
	"<rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>"
	"<rasd:InstanceID>4</rasd:InstanceID>"
	"<rasd:ResourceType>17</rasd:ResourceType></Item>"
	"</VirtualHardwareSection></VirtualSystem>\n</Envelope>\n";

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup(void)
{
	char path[600], *disk;
	struct err err;

	ft_reset(NULL);

	snprintf(dir, sizeof(dir), "%s/check_import-XXXXXX",
	         getenv("TMPDIR") != NULL && getenv("TMPDIR")[0] == '/' ?
	         getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(ovf_path, sizeof(ovf_path), "%s/image.ovf", dir);
	write_file(ovf_path, ovf_text, sizeof(ovf_text) - 1);
	disk = malloc(DISK_SIZE);
	ck_assert_ptr_nonnull(disk);
	memset(disk, 'd', DISK_SIZE);
	snprintf(path, sizeof(path), "%s/image-disk1.vmdk", dir);
	write_file(path, disk, DISK_SIZE);
	free(disk);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&ovf, ovf_path, &err) == 0, "%s",
	              err.message);
}

static void
teardown(void)
{
	char path[600];

	ft_clear();
	vs_ovf_free(ovf);
	ovf = NULL;
	snprintf(path, sizeof(path), "%s/image-disk1.vmdk", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/image-disk2.vmdk", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/two.ovf", dir);
	unlink(path);
	unlink(ovf_path);
	rmdir(dir);
}

static struct vs_client *
connect_client(void)
{
	struct vs_client_opts o;

	ft_client_opts(&o);
	o.url = "https://vc.example:8443/sdk";
	return ft_connect_opts(&o);
}

/* --- canned replies ---------------------------------------------------- */

#define LEASE "session[abc]lease-1"
#define IMPORT_SPEC_REPLY IMPORT_SPEC("false")
#define IMPORT_SPEC(create)                                             \
	"<returnval><importSpec xsi:type=\"VirtualMachineImportSpec\">" \
	"<configSpec><name>sc-x</name><numCPUs>1</numCPUs>"             \
	"<deviceChange xsi:type=\"VirtualDeviceConfigSpec\">"           \
	"<operation>add</operation><device xsi:type=\"VirtualE1000\">"  \
	"<key>800</key></device></deviceChange></configSpec>"           \
	"<resPoolEntity type=\"ResourcePool\">resgroup-26"              \
	"</resPoolEntity></importSpec>"                                 \
	"<fileItem><deviceId>/sc-x/disk:0</deviceId>"                   \
	"<path>image-disk1.vmdk</path><size>3000</size>"                \
	"<cimType>17</cimType><create>" create "</create></fileItem>"   \
	"</returnval>"
#define LEASE_PROPS(state, url)                                         \
	"<returnval><objects><obj type=\"HttpNfcLease\">" LEASE         \
	"</obj><propSet><name>state</name><val xsi:type=\""             \
	"HttpNfcLeaseState\">" state "</val></propSet><propSet><name>"  \
	"info</name><val xsi:type=\"HttpNfcLeaseInfo\"><lease type=\""  \
	"HttpNfcLease\">" LEASE "</lease><entity type=\""               \
	"VirtualMachine\">vm-88</entity><deviceUrl><key>/vm-88/disk:0"  \
	"</key><importKey>/sc-x/disk:0</importKey><url>" url "</url>"   \
	"<sslThumbprint></sslThumbprint><disk>true</disk><targetId>"    \
	"disk-0.vmdk</targetId></deviceUrl><totalDiskCapacityInKB>8192" \
	"</totalDiskCapacityInKB><leaseTimeout>300</leaseTimeout></val>" \
	"</propSet></objects></returnval>"
#define LEASE_INIT                                                      \
	"<returnval><objects><obj type=\"HttpNfcLease\">" LEASE         \
	"</obj><propSet><name>state</name><val xsi:type=\""             \
	"HttpNfcLeaseState\">initializing</val></propSet></objects>"    \
	"</returnval>"
#define NFC_URL "https://*/nfc/session%5Babc%5Dlease-1/disk-0.vmdk"
#define TASK_OK(task)                                                   \
	"<returnval type=\"Task\">" task "</returnval>"
#define TASK_PROPS(task, state)                                         \
	"<returnval><objects><obj type=\"Task\">" task "</obj><propSet>" \
	"<name>info.state</name><val xsi:type=\"TaskInfoState\">" state \
	"</val></propSet></objects></returnval>"
#define POWER(state)                                                    \
	"<returnval><objects><obj type=\"VirtualMachine\">vm-88</obj>"  \
	"<propSet><name>runtime.powerState</name><val xsi:type=\""      \
	"VirtualMachinePowerState\">" state "</val></propSet></objects>" \
	"</returnval>"

static struct vs_moref pool = { "ResourcePool", "resgroup-26" };
static struct vs_moref ds = { "Datastore", "datastore-11" };
static struct vs_moref folder = { "Folder", "group-v5" };

static void
params(struct vs_import_params *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "sc-x";
	p->ovf = ovf;
	p->dir = dir;
	p->pool = &pool;
	p->datastore = &ds;
	p->folder = &folder;
	p->folder_path = "DC0/vm/BOSH_Templates";
}

/* The replies after a failure: abort, then the VM is powered off and
 * destroyed. */
static void
undo_replies(void)
{
	ft_reply("HttpNfcLeaseAbort", "");
	ft_reply("RetrievePropertiesEx", POWER("poweredOff"));
	ft_reply("Destroy_Task", TASK_OK("task-9"));
	ft_reply("RetrievePropertiesEx", TASK_PROPS("task-9", "success"));
}

static void
assert_undo_at(size_t i)
{
	ck_assert_str_eq(ft_req_at(i)->op, "HttpNfcLeaseAbort");
	ck_assert_ptr_nonnull(strstr(ft_req_at(i)->body, LEASE));
	ck_assert_str_eq(ft_req_at(i + 2)->op, "Destroy_Task");
	ck_assert_ptr_nonnull(strstr(ft_req_at(i + 2)->body,
	                             ">vm-88</_this>"));
}

/* --- device URLs ------------------------------------------------------- */

START_TEST(test_device_url)
{
	struct err err;
	char *u = NULL;

	err_clear(&err);
	ck_assert_int_eq(vs_import_device_url(&u, NFC_URL,
	                 "https://vc.example:8443", &err), 0);
	ck_assert_str_eq(u, "https://vc.example:8443/nfc/session%5Babc%5D"
	                 "lease-1/disk-0.vmdk");
	free(u);
	/* the lease's scheme is kept */
	ck_assert_int_eq(vs_import_device_url(&u, "http://*/nfc/x/d.vmdk",
	                 "https://[2001:db8::5]:443", &err), 0);
	ck_assert_str_eq(u, "http://[2001:db8::5]:443/nfc/x/d.vmdk");
	free(u);
	/* a real host is used as given */
	ck_assert_int_eq(vs_import_device_url(&u, "https://esx1.example/nfc/"
	                 "y/d.vmdk", "https://vc:443", &err), 0);
	ck_assert_str_eq(u, "https://esx1.example/nfc/y/d.vmdk");
	free(u);
}
END_TEST

START_TEST(test_device_url_hostile)
{
	static const char *const bad[] = {
		"ftp://*/nfc/x", "file:///etc/passwd", "https://*",
		"https://*/", "https:///nfc/x", "https://*/nfc/a b",
		"https://*/nfc/a\nb", "https://u:p@*/nfc/x", "*/nfc/x", "",
		"https://*/nfc/\"x",
	};
	struct err err;
	char *u;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u = (char *)1;
		err_clear(&err);
		ck_assert_msg(vs_import_device_url(&u, bad[i], "https://vc",
		              &err) < 0, "accepted %s", bad[i]);
		ck_assert_ptr_null(u);
		ck_assert(err.message[0] != '\0');
	}
}
END_TEST

/* CreateImportSpec, ImportVApp, and the lease read: ready, one disk. */
static void
lease_ready_replies(void)
{
	ft_reply("CreateImportSpec", IMPORT_SPEC_REPLY);
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_PROPS("ready", NFC_URL));
}

/* --- the import sequence ---------------------------------------------- */

START_TEST(test_import_ok)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;
	const struct ft_req *up;
	char expect[700];

	lease_ready_replies();
	reply_upload(200);
	ft_reply("HttpNfcLeaseComplete", "");
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(vm.type, "VirtualMachine");
	ck_assert_str_eq(vm.value, "vm-88");
	ck_assert_uint_eq(ft_calls(), 5);
	/* the descriptor verbatim, the placement, the entity name */
	ck_assert_ptr_nonnull(strstr(ft_req_at(0)->body, "<ovfDescriptor>"
	                             "&lt;?xml version=\"1.0\""));
	ck_assert_ptr_nonnull(strstr(ft_req_at(0)->body, "<resourcePool type=\""
	                             "ResourcePool\">resgroup-26"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(0)->body, "<entityName>sc-x"
	                             "</entityName></cisp>"));
	/* the import spec goes back as <spec>, xsi:type kept */
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body, "<spec "));
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body,
	                             ":type=\"VirtualMachineImportSpec\""));
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body, "<configSpec><name>"
	                             "sc-x</name>"));
	/* without no_nics the spec's NIC is imported as vCenter made it */
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body, "\"VirtualE1000\">"
	                             "<key>800</key>"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body, "<folder type=\""
	                             "Folder\">group-v5</folder>"));
	/* the upload: POST, '*' replaced, streamed from the file */
	up = ft_req_at(3);
	ck_assert_str_eq(up->method, "POST");
	ck_assert_str_eq(up->url, "https://vc.example:8443/nfc/session%5B"
	                 "abc%5Dlease-1/disk-0.vmdk");
	ck_assert_str_eq(up->content_type, VS_IMPORT_CONTENT_TYPE);
	ck_assert_ptr_null(up->body);
	snprintf(expect, sizeof(expect), "%s/image-disk1.vmdk", dir);
	ck_assert_str_eq(up->upload_path, expect);
	ck_assert_int_eq(up->upload_size, DISK_SIZE);
	ck_assert_str_eq(ft_req_at(4)->op, "HttpNfcLeaseComplete");
	ft_finish(c);
}
END_TEST

/* hw_version: the import spec's configSpec.version becomes it, put
 * after name where vim25 orders it, or replacing the OVF's. */
START_TEST(test_import_hw_version)
{
	static const char with_version[] =
		"<returnval><importSpec xsi:type=\"VirtualMachineImportSpec\">"
		"<configSpec><name>sc-x</name><version>vmx-10</version>"
		"<numCPUs>1</numCPUs></configSpec></importSpec>"
		"<fileItem><deviceId>/sc-x/disk:0</deviceId>"
		"<path>image-disk1.vmdk</path><size>3000</size>"
		"<cimType>17</cimType><create>false</create></fileItem>"
		"</returnval>";
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;
	int i;

	for (i = 0; i < 2; i++) {
		ft_reset(NULL);
		ft_reply("CreateImportSpec", i == 0 ? IMPORT_SPEC_REPLY :
		         with_version);
		ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">"
		         LEASE "</returnval>");
		ft_reply("RetrievePropertiesEx", LEASE_PROPS("ready",
		         NFC_URL));
		reply_upload(200);
		ft_reply("HttpNfcLeaseComplete", "");
		c = connect_client();
		params(&p);
		p.hw_version = "vmx-17";
		err_clear(&err);
		ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
		              err.message);
		ck_assert_msg(strstr(ft_req_at(1)->body, "<configSpec><name>"
		              "sc-x</name><version>vmx-17</version><numCPUs>")
		              != NULL, "%s", ft_req_at(1)->body);
		ck_assert_ptr_null(strstr(ft_req_at(1)->body, "vmx-10"));
		ft_finish(c);
	}
}
END_TEST

START_TEST(test_lease_initializing_then_ready)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", IMPORT_SPEC("true"));
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_INIT);
	ft_reply("RetrievePropertiesEx", LEASE_INIT);
	ft_reply("RetrievePropertiesEx", LEASE_PROPS("ready", NFC_URL));
	reply_upload(201);
	ft_reply("HttpNfcLeaseComplete", "");
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
	              err.message);
	/* polled each second for 2 s, then a 10 s upload */
	ck_assert_double_eq(ft.clock, 1012.0);
	/* a file item marked create is PUT */
	ck_assert_str_eq(ft_req_at(5)->op, "nfc-upload");
	ck_assert_str_eq(ft_req_at(5)->method, "PUT");
	ft_finish(c);
}
END_TEST

static const char ovf_two[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" "
	"xmlns:ovf=\"http://schemas.dmtf.org/ovf/envelope/1\">\n"
	"<References><File ovf:id=\"file1\" ovf:href=\"image-disk1.vmdk\"/>"
	"<File ovf:id=\"file2\" ovf:href=\"image-disk2.vmdk\"/>"
	"</References>\n"
	"<DiskSection><Info>d</Info><Disk ovf:diskId=\"vmdisk1\" "
	"ovf:fileRef=\"file1\" ovf:capacity=\"8\" "
	"ovf:capacityAllocationUnits=\"byte * 2^20\"/><Disk "
	"ovf:diskId=\"vmdisk2\" ovf:fileRef=\"file2\" ovf:capacity=\"8\" "
	"ovf:capacityAllocationUnits=\"byte * 2^20\"/></DiskSection>\n"
	"<VirtualSystem ovf:id=\"vm\"><Info>vm</Info>"
	"<VirtualHardwareSection><Info>hw</Info></VirtualHardwareSection>"
	"</VirtualSystem>\n</Envelope>\n";

#define LEASE_TWO                                                       \
	"<returnval><objects><obj type=\"HttpNfcLease\">" LEASE         \
	"</obj><propSet><name>state</name><val xsi:type=\""             \
	"HttpNfcLeaseState\">ready</val></propSet><propSet><name>info"  \
	"</name><val xsi:type=\"HttpNfcLeaseInfo\"><entity type=\""     \
	"VirtualMachine\">vm-88</entity><deviceUrl><key>k1</key>"       \
	"<importKey>/sc-x/disk:1</importKey><url>https://*/nfc/l/d1"    \
	"</url><disk>true</disk></deviceUrl><deviceUrl><key>k0</key>"   \
	"<importKey>/sc-x/disk:0</importKey><url>https://*/nfc/l/d0"    \
	"</url><disk>true</disk></deviceUrl><totalDiskCapacityInKB>0"   \
	"</totalDiskCapacityInKB><leaseTimeout>300</leaseTimeout></val>" \
	"</propSet></objects></returnval>"

START_TEST(test_two_disks_progress)
{
	struct vs_import_params p;
	struct vs_ovf *two = NULL;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;
	char path[600], buf[DISK_SIZE];

	memset(buf, 'e', sizeof(buf));
	snprintf(path, sizeof(path), "%s/image-disk2.vmdk", dir);
	write_file(path, buf, sizeof(buf));
	snprintf(path, sizeof(path), "%s/two.ovf", dir);
	write_file(path, ovf_two, sizeof(ovf_two) - 1);
	err_clear(&err);
	ck_assert_msg(vs_ovf_read(&two, path, &err) == 0, "%s", err.message);
	ft_reply("CreateImportSpec", "<returnval><importSpec xsi:type=\""
	         "VirtualMachineImportSpec\"><configSpec/></importSpec>"
	         "<fileItem><deviceId>/sc-x/disk:0</deviceId><path>"
	         "image-disk1.vmdk</path></fileItem><fileItem><deviceId>"
	         "/sc-x/disk:1</deviceId><path>image-disk2.vmdk</path>"
	         "</fileItem></returnval>");
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_TWO);
	reply_upload(200);
	ft_reply("HttpNfcLeaseProgress", "");
	reply_upload(200);
	ft_reply("HttpNfcLeaseComplete", "");
	c = connect_client();
	params(&p);
	p.ovf = two;
	p.progress_interval_s = 5;
	ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
	              err.message);
	/* each file to the URL of its own device, progress in between */
	ck_assert_str_eq(ft_req_at(3)->url, "https://vc.example:8443/nfc/l/d0");
	ck_assert_int_eq(ft_req_at(3)->upload_size, DISK_SIZE);
	ck_assert_ptr_nonnull(strstr(ft_req_at(4)->body,
	                             "<percent>50</percent>"));
	ck_assert_str_eq(ft_req_at(5)->url, "https://vc.example:8443/nfc/l/d1");
	ck_assert_int_eq(ft_req_at(5)->upload_size, DISK_SIZE);
	ck_assert_str_eq(ft_req_at(6)->op, "HttpNfcLeaseComplete");
	ft_finish(c);
	vs_ovf_free(two);
}
END_TEST

START_TEST(test_lease_timeout)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", IMPORT_SPEC_REPLY);
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_INIT);
	ft_reply("RetrievePropertiesEx", LEASE_INIT);
	ft_reply("RetrievePropertiesEx", LEASE_INIT);
	/* the lease info never came: the VM is looked up by path */
	ft_reply("HttpNfcLeaseAbort", "");
	ft_reply("FindByInventoryPath", "<returnval type=\"VirtualMachine\">"
	         "vm-88</returnval>");
	ft_reply("RetrievePropertiesEx", POWER("poweredOff"));
	ft_reply("Destroy_Task", TASK_OK("task-9"));
	ft_reply("RetrievePropertiesEx", TASK_PROPS("task-9", "success"));
	c = connect_client();
	params(&p);
	p.lease_timeout_s = 2;
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_ETIMEOUT);
	ck_assert_ptr_nonnull(strstr(err.message, "not ready"));
	ck_assert_str_eq(vm.value, "");
	ck_assert_ptr_nonnull(strstr(ft_req_at(6)->body, "<inventoryPath>DC0/vm"
	                             "/BOSH_Templates/sc-x</inventoryPath>"));
	ft_finish(c);
}
END_TEST

/* One long disk: the lease hears from us while it streams, not only
 * between disks.  The fake's upload takes 30 s and curl's callback runs
 * every 10 s of it; the interval is 5 s, so each run sends progress. */
START_TEST(test_progress_during_one_upload)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	lease_ready_replies();
	reply_upload(200);
	ft.delay[ft.nsteps - 1] = 30.0;
	ft.ticks[ft.nsteps - 1] = 3;
	ft_reply("HttpNfcLeaseProgress", "");
	ft_reply("HttpNfcLeaseProgress", "");
	ft_reply("HttpNfcLeaseProgress", "");
	ft_reply("HttpNfcLeaseComplete", "");
	c = connect_client();
	params(&p);
	p.progress_interval_s = 5;
	err_clear(&err);
	ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(ft_req_at(3)->op, "nfc-upload");
	/* a third, two thirds, then everything sent: 99 until Complete */
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<percent>33</percent>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "<percent>66</percent>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), "<percent>99</percent>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(6), LEASE));
	ck_assert_str_eq(ft_req_at(7)->op, "HttpNfcLeaseComplete");
	ck_assert_uint_eq(ft_calls(), 8);
	ft_finish(c);
}
END_TEST

/* curl calls back far more often than the interval: progress goes out
 * once per interval, not once per callback. */
START_TEST(test_progress_rate_limited)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	lease_ready_replies();
	reply_upload(200);
	ft.ticks[ft.nsteps - 1] = 20;   /* every half second of 10 s */
	ft_reply("HttpNfcLeaseProgress", "");
	ft_reply("HttpNfcLeaseProgress", "");
	ft_reply("HttpNfcLeaseComplete", "");
	c = connect_client();
	params(&p);
	p.progress_interval_s = 5;
	err_clear(&err);
	ck_assert_msg(vs_import_ovf(&vm, c, &p, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(strstr(ft_body_at(4), "<percent>50</percent>"));
	ck_assert_ptr_nonnull(strstr(ft_body_at(5), "<percent>99</percent>"));
	ck_assert_uint_eq(ft_calls(), 7);
	ft_finish(c);
}
END_TEST

/* The lease is gone mid-upload: the upload stops at once with that
 * error, the lease is aborted and the half-imported VM removed. */
START_TEST(test_progress_failure_stops_upload)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	lease_ready_replies();
	reply_upload(200);
	ft.delay[ft.nsteps - 1] = 60.0;
	ft.ticks[ft.nsteps - 1] = 6;
	ft_fault("HttpNfcLeaseProgress", "ManagedObjectNotFound");
	undo_replies();
	c = connect_client();
	params(&p);
	p.progress_interval_s = 5;
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "ManagedObjectNotFound");
	ck_assert_ptr_nonnull(strstr(err.message, "HttpNfcLeaseProgress"));
	ck_assert_ptr_nonnull(strstr(err.message, "image-disk1.vmdk"));
	ck_assert_str_eq(vm.value, "");
	/* one progress call only: the other callbacks never ran */
	ck_assert_str_eq(ft_req_at(4)->op, "HttpNfcLeaseProgress");
	assert_undo_at(5);
	ck_assert_uint_eq(ft_calls(), 9);
	ft_finish(c);
}
END_TEST

START_TEST(test_upload_failure_aborts)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	lease_ready_replies();
	reply_upload(403);
	undo_replies();
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 403);
	ck_assert_ptr_nonnull(strstr(err.message, "image-disk1.vmdk"));
	ck_assert_ptr_nonnull(strstr(err.message, "403"));
	assert_undo_at(4);
	/* never completed */
	ck_assert_uint_eq(ft_calls(), 8);
	ft_finish(c);
}
END_TEST

START_TEST(test_lease_error_aborts)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", IMPORT_SPEC_REPLY);
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_PROPS("error", NFC_URL));
	undo_replies();
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_lt(vs_import_ovf(&vm, c, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "lease ended in state "
	                             "error"));
	ft_finish(c);
}
END_TEST

START_TEST(test_hostile_lease_url_aborts)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", IMPORT_SPEC_REPLY);
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_PROPS("ready",
	      "file:///etc/shadow"));
	undo_replies();
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_EPARSE);
	assert_undo_at(3);
	ft_finish(c);
}
END_TEST

START_TEST(test_spec_error_stops)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", "<returnval><error><fault xsi:type=\""
	         "OvfUnsupportedDeviceBackingInfo\"></fault><localizedMessage>"
	         "bad backing</localizedMessage></error></returnval>");
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_lt(vs_import_ovf(&vm, c, &p, &err), 0);
	ck_assert_ptr_nonnull(strstr(err.message, "refused"));
	ck_assert_ptr_nonnull(strstr(err.message, "bad backing"));
	ck_assert_uint_eq(ft_calls(), 1);      /* nothing was created */
	ft_finish(c);
}
END_TEST

START_TEST(test_file_item_outside_ovf)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", "<returnval><importSpec xsi:type=\""
	         "VirtualMachineImportSpec\"><configSpec/></importSpec>"
	         "<fileItem><deviceId>/sc-x/disk:0</deviceId><path>../../etc/"
	         "passwd</path><size>1</size></fileItem></returnval>");
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "does not reference"));
	ck_assert_uint_eq(ft_calls(), 1);
	ft_finish(c);
}
END_TEST

START_TEST(test_import_vapp_fault_cleans_up)
{
	struct vs_import_params p;
	struct vs_client *c;
	struct vs_moref vm;
	struct err err;

	ft_reply("CreateImportSpec", IMPORT_SPEC_REPLY);
	ft_fault("ImportVApp", "InvalidArgument");
	/* no lease: nothing to abort; the path lookup finds no VM */
	ft_reply("FindByInventoryPath", "");
	c = connect_client();
	params(&p);
	err_clear(&err);
	ck_assert_int_eq(vs_import_ovf(&vm, c, &p, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ck_assert_ptr_nonnull(strstr(err.message, "ImportVApp"));
	ft_finish(c);
}
END_TEST

/* --- stemcell helpers -------------------------------------------------- */

START_TEST(test_cid_valid)
{
	ck_assert(vs_stemcell_cid_valid("sc-0d5462fe-21fd-4f41-bb94-"
	                                "1f1b0bd797c0"));
	ck_assert(!vs_stemcell_cid_valid("sc-0D5462FE-21FD-4F41-BB94-"
	                                 "1F1B0BD797C0"));
	ck_assert(!vs_stemcell_cid_valid("sc-0d5462fe-21fd-4f41-bb94-"
	                                 "1f1b0bd797c0-x"));
	ck_assert(!vs_stemcell_cid_valid("vm-0d5462fe-21fd-4f41-bb94-"
	                                 "1f1b0bd797c0"));
	ck_assert(!vs_stemcell_cid_valid("sc-../../DC0_C0_RP0_VM0/aaaaaaaa"
	                                 "aaaa"));
	ck_assert(!vs_stemcell_cid_valid("sc-"));
	ck_assert(!vs_stemcell_cid_valid(NULL));
}
END_TEST

START_TEST(test_replica_name)
{
	const char *cid = "sc-0d5462fe-21fd-4f41-bb94-1f1b0bd797c0";
	struct err err;
	char a[128], b[128];

	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_replica_name(a, sizeof(a), cid,
	                 "datastore-123", &err), 0);
	ck_assert_str_eq(a, "sc-0d5462fe-21fd-4f41-bb94-1f1b0bd797c0-"
	                 "datastore-123");
	/* the simulator's ids: hashed, stable, no '/' */
	ck_assert_int_eq(vs_stemcell_replica_name(a, sizeof(a), cid,
	                 "/tmp/govcsim-DC0-LocalDS_1-2486585111@folder-5",
	                 &err), 0);
	ck_assert_int_eq(vs_stemcell_replica_name(b, sizeof(b), cid,
	                 "/tmp/govcsim-DC0-LocalDS_1-2486585111@folder-5",
	                 &err), 0);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_null(strchr(a, '/'));
	ck_assert_ptr_null(strchr(a, '@'));
	ck_assert_uint_le(strlen(a), 80);
	ck_assert_int_eq(vs_stemcell_replica_name(b, sizeof(b), cid,
	                 "/tmp/govcsim-DC0-LocalDS_0-2486585111@folder-5",
	                 &err), 0);
	ck_assert_str_ne(a, b);
	/* "a/b" is short but not plain: hashed too */
	ck_assert_int_eq(vs_stemcell_replica_name(a, sizeof(a), cid, "a/b",
	                 &err), 0);
	ck_assert_ptr_null(strchr(a, '/'));
	ck_assert_int_lt(vs_stemcell_replica_name(a, sizeof(a), "sc-x",
	                 "datastore-1", &err), 0);
	err_clear(&err);
	ck_assert_int_lt(vs_stemcell_replica_name(a, 20, cid, "datastore-1",
	                 &err), 0);
}
END_TEST

START_TEST(test_delete_missing_folder_is_success)
{
	struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct vs_client *c;
	struct err err;
	bool found = true;

	ft_reply("FindByInventoryPath", "");
	c = connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_delete(&found, c, &loc, "sc-0d5462fe-"
	                 "21fd-4f41-bb94-1f1b0bd797c0", &err), 0);
	ck_assert(!found);
	ft_finish(c);
}
END_TEST

START_TEST(test_delete_hostile_input)
{
	struct vs_stemcell_loc loc = { "DC0", "BOSH_Templates" };
	struct vs_stemcell_loc bad2 = { "DC0", "a//b" };
	struct vs_stemcell_loc bad3 = { "DC0/vm", "x" };
	struct vs_client *c;
	struct err err;

	c = connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_delete(NULL, c, &loc, "sc-*", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_delete(NULL, c, &bad2, "sc-0d5462fe-"
	                 "21fd-4f41-bb94-1f1b0bd797c0", &err), ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_delete(NULL, c, &bad3, "sc-0d5462fe-"
	                 "21fd-4f41-bb94-1f1b0bd797c0", &err), ERR_EINVAL);
	ck_assert_uint_eq(ft_calls(), 0);
	ft_finish(c);
}
END_TEST

/* --- replicas ------------------------------------------------------------ */

#define SC_CID "sc-0d5462fe-21fd-4f41-bb94-1f1b0bd797c0"
#define FOUND(type, v) "<returnval type=\"" type "\">" v "</returnval>"
#define VM_DS_SNAP(vm, dsv, snap)                                       \
	"<returnval><objects><obj type=\"VirtualMachine\">" vm "</obj>" \
	"<propSet><name>datastore</name><val xsi:type=\""               \
	"ArrayOfManagedObjectReference\"><ManagedObjectReference "      \
	"type=\"Datastore\">" dsv "</ManagedObjectReference></val>"     \
	"</propSet>" snap "</objects></returnval>"
#define SNAP(s)                                                         \
	"<propSet><name>snapshot</name><val xsi:type=\""                \
	"VirtualMachineSnapshotInfo\"><currentSnapshot type=\""         \
	"VirtualMachineSnapshot\">" s "</currentSnapshot></val>"        \
	"</propSet>"
#define TASK_RESULT(task, type, v)                                      \
	"<returnval><objects><obj type=\"Task\">" task "</obj><propSet>" \
	"<name>info.state</name><val xsi:type=\"TaskInfoState\">success" \
	"</val></propSet><propSet><name>info.result</name><val "        \
	"xsi:type=\"ManagedObjectReference\" type=\"" type "\">" v      \
	"</val></propSet></objects></returnval>"
#define TASK_FAULT(task, fault)                                         \
	"<returnval><objects><obj type=\"Task\">" task "</obj><propSet>" \
	"<name>info.state</name><val xsi:type=\"TaskInfoState\">error"  \
	"</val></propSet><propSet><name>info.error</name><val xsi:type" \
	"=\"LocalizedMethodFault\"><fault xsi:type=\"" fault "\"></fault>" \
	"<localizedMessage>" fault "</localizedMessage></val></propSet>" \
	"</objects></returnval>"

static struct vs_stemcell_loc tloc = { "DC0", "BOSH_Templates" };
static struct vs_moref ds2 = { "Datastore", "datastore-2" };

START_TEST(test_replica_on_own_datastore)
{
	struct vs_moref ds1 = { "Datastore", "datastore-1" };
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-50"));
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-50", "datastore-1",
	      SNAP("snapshot-51")));
	c = connect_client();
	err_clear(&err);
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc, SC_CID,
	              &ds1, &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, "vm-50");
	ck_assert_str_eq(snap.value, "snapshot-51");
	ck_assert_ptr_nonnull(strstr(ft_req_at(0)->body, "<inventoryPath>"
	                             "DC0/vm/BOSH_Templates/" SC_CID
	                             "</inventoryPath>"));
	ft_finish(c);
}
END_TEST

/* One VM of a folder listing (name only). */
#define NAMED(vm, name)                                                 \
	"<objects><obj type=\"VirtualMachine\">" vm "</obj><propSet>"   \
	"<name>name</name><val xsi:type=\"xsd:string\">" name "</val>"   \
	"</propSet></objects>"

/* The stemcell vm-50 lives on datastore-1; its replica on datastore-2
 * is missing, the folder is found, holds no Ruby CPI replica for
 * datastore-2 (one for datastore-1 and the stemcell itself), and
 * CloneVM_Task answers task-1 (its read is the caller's). */
static void
replica_clone_replies(void)
{
	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-50"));
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-50", "datastore-1",
	      SNAP("snapshot-51")));
	ft_reply("FindByInventoryPath", "");
	ft_reply("FindByInventoryPath", FOUND("Folder", "group-v5"));
	ft_reply("RetrievePropertiesEx", "<returnval>"
	         NAMED("vm-50", SC_CID)
	         NAMED("vm-60", SC_CID " %2f datastore-1")
	         "</returnval>");
	ft_reply("CloneVM_Task", TASK_OK("task-1"));
}

/* A replica the Ruby CPI made ("<cid> %2f <datastore id>") on the
 * datastore, with its snapshot, is used: no clone. */
START_TEST(test_replica_ruby_named)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-50"));
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-50", "datastore-1",
	      SNAP("snapshot-51")));
	ft_reply("FindByInventoryPath", "");
	ft_reply("FindByInventoryPath", FOUND("Folder", "group-v5"));
	ft_reply("RetrievePropertiesEx", "<returnval>"
	         NAMED("vm-50", SC_CID)
	         NAMED("vm-60", SC_CID " %2f datastore-1")
	         NAMED("vm-61", SC_CID " %2f datastore-2")
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-61", "datastore-2",
	      SNAP("snapshot-62")));
	c = connect_client();
	err_clear(&err);
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc, SC_CID,
	              &ds2, &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, "vm-61");
	ck_assert_str_eq(snap.value, "snapshot-62");
	ck_assert_uint_eq(ft_calls(), 6);
	ft_finish(c);
}
END_TEST

/* One without a snapshot (a Ruby clone that never finished) is not
 * used: this CPI makes its own. */
START_TEST(test_replica_ruby_named_unfinished)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-50"));
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-50", "datastore-1",
	      SNAP("snapshot-51")));
	ft_reply("FindByInventoryPath", "");
	ft_reply("FindByInventoryPath", FOUND("Folder", "group-v5"));
	ft_reply("RetrievePropertiesEx", "<returnval>"
	         NAMED("vm-61", SC_CID " %2f datastore-2") "</returnval>");
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-61", "datastore-2",
	      ""));
	ft_reply("CloneVM_Task", TASK_OK("task-1"));
	ft_reply("RetrievePropertiesEx", TASK_FAULT("task-1", "NoDiskSpace"));
	c = connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc,
	                 SC_CID, &ds2, &pool, &err), ERR_ETASK);
	ck_assert_str_eq(snap.value, "");
	ft_finish(c);
}
END_TEST

START_TEST(test_replica_clone_and_snapshot)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	replica_clone_replies();
	ft_reply("RetrievePropertiesEx", TASK_RESULT("task-1", "VirtualMachine",
	      "vm-77"));
	ft_reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	         "VirtualMachine\">vm-77</obj><propSet><name>name</name><val "
	         "xsi:type=\"xsd:string\">" SC_CID "-datastore-2</val>"
	         "</propSet></objects></returnval>");
	ft_reply("CreateSnapshot_Task", TASK_OK("task-2"));
	ft_reply("RetrievePropertiesEx", TASK_RESULT("task-2",
	      "VirtualMachineSnapshot", "snapshot-78"));
	c = connect_client();
	err_clear(&err);
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc, SC_CID,
	              &ds2, &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, "vm-77");
	ck_assert_str_eq(snap.value, "snapshot-78");
	ck_assert_ptr_nonnull(strstr(ft_req_at(2)->body, "BOSH_Templates/"
	                             SC_CID "-datastore-2</inventoryPath>"));
	/* the folder's VMs read for a Ruby CPI replica */
	ck_assert_ptr_nonnull(strstr(ft_req_at(4)->body, "group-v5"));
	/* clone: into the folder, onto the datastore, into the pool */
	ck_assert_ptr_nonnull(strstr(ft_req_at(5)->body, "<_this type=\""
	                             "VirtualMachine\">vm-50</_this>"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(5)->body, "<name>" SC_CID
	                             "-datastore-2</name>"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(5)->body, ">datastore-2<"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(5)->body, ">resgroup-26<"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(8)->body, "<name>initial</name>"
	                             "<memory>false</memory><quiesce>false"
	                             "</quiesce>"));
	ft_finish(c);
}
END_TEST

START_TEST(test_replica_duplicate_name_waits)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	replica_clone_replies();
	ft_reply("RetrievePropertiesEx", TASK_FAULT("task-1", "DuplicateName"));
	/* the other process has cloned but not yet taken the snapshot */
	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-76"));
	ft_reply("RetrievePropertiesEx",
	         VM_DS_SNAP("vm-76", "datastore-2", ""));
	ft_reply("FindByInventoryPath", FOUND("VirtualMachine", "vm-76"));
	ft_reply("RetrievePropertiesEx", VM_DS_SNAP("vm-76", "datastore-2",
	      SNAP("snapshot-80")));
	c = connect_client();
	err_clear(&err);
	ck_assert_msg(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc, SC_CID,
	              &ds2, &pool, &err) == 0, "%s", err.message);
	ck_assert_str_eq(vm.value, "vm-76");
	ck_assert_str_eq(snap.value, "snapshot-80");
	ck_assert_double_eq(ft.clock, 1002.0);
	ft_finish(c);
}
END_TEST

START_TEST(test_replica_other_clone_failure)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	replica_clone_replies();
	ft_reply("RetrievePropertiesEx", TASK_FAULT("task-1", "NoDiskSpace"));
	c = connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc,
	                 SC_CID, &ds2, &pool, &err), ERR_ETASK);
	ck_assert_str_eq(err.fault, "NoDiskSpace");
	ck_assert_str_eq(vm.value, "");
	ft_finish(c);
}
END_TEST

START_TEST(test_replica_missing_stemcell)
{
	struct vs_moref vm, snap;
	struct vs_client *c;
	struct err err;

	ft_reply("FindByInventoryPath", "");
	c = connect_client();
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_replica(&vm, &snap, NULL, c, &tloc,
	                 SC_CID, &ds2, &pool, &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, SC_CID));
	ft_finish(c);
}
END_TEST

/* --- create: placement, NIC removal, snapshot, cleanup --------------- */

#define DS_SUMMARY(ref, name, free, extra)                              \
	"<objects><obj type=\"Datastore\">" ref "</obj><propSet><name>" \
	"summary</name><val xsi:type=\"DatastoreSummary\"><datastore "  \
	"type=\"Datastore\">" ref "</datastore><name>" name "</name>"   \
	"<url>ds:///" ref "/</url><capacity>1000000000000</capacity>"   \
	"<freeSpace>" free "</freeSpace><accessible>true</accessible>"  \
	"<type>VMFS</type>" extra "</val></propSet></objects>"
#define PLACEMENT_REPLY                                                 \
	"<returnval><objects><obj type=\"ClusterComputeResource\">"     \
	"domain-c7</obj><propSet><name>name</name><val xsi:type=\""     \
	"xsd:string\">C0</val></propSet><propSet><name>datastore</name>" \
	"<val xsi:type=\"ArrayOfManagedObjectReference\">"              \
	"<ManagedObjectReference type=\"Datastore\">ds-1"               \
	"</ManagedObjectReference><ManagedObjectReference type=\""      \
	"Datastore\">ds-2</ManagedObjectReference><ManagedObjectReference" \
	" type=\"Datastore\">ds-3</ManagedObjectReference>"             \
	"<ManagedObjectReference type=\"Datastore\">ds-4"               \
	"</ManagedObjectReference><ManagedObjectReference type=\""      \
	"Datastore\">ds-5</ManagedObjectReference><ManagedObjectReference" \
	" type=\"Datastore\">ds-6</ManagedObjectReference></val>"       \
	"</propSet>"                                                    \
	"<propSet><name>"                                               \
	"resourcePool</name><val xsi:type=\"ManagedObjectReference\" "  \
	"type=\"ResourcePool\">resgroup-8</val></propSet></objects>"    \
	DS_SUMMARY("ds-1", "LocalDS_0", "5000000", "")                  \
	DS_SUMMARY("ds-2", "LocalDS_1", "9000000", "")                  \
	DS_SUMMARY("ds-3", "Other", "900000000", "")                    \
	DS_SUMMARY("ds-4", "LocalDS_2", "800000000",                    \
	           "<maintenanceMode>inMaintenance</maintenanceMode>")  \
	DS_SUMMARY("ds-5", "LocalDS_9", "100", "")                      \
	"<objects><obj type=\"Datastore\">ds-6</obj><propSet><name>"   \
	"summary</name><val xsi:type=\"DatastoreSummary\"><name>"       \
	"LocalDS_6</name></val></propSet></objects>"                    \
	"</returnval>"
/* An import spec as vCenter makes it from an OVF with two networks:
 * a controller, a CD-ROM, the disk and two NICs. */
#define DEV_CHANGE(type, key, extra)                                    \
	"<deviceChange xsi:type=\"VirtualDeviceConfigSpec\"><operation>" \
	"add</operation>" extra "<device xsi:type=\"" type "\"><key>"   \
	key "</key></device></deviceChange>"
#define IMPORT_SPEC_NICS                                                \
	"<returnval><importSpec xsi:type=\"VirtualMachineImportSpec\">" \
	"<configSpec><name>sc-x</name><numCPUs>1</numCPUs>"             \
	DEV_CHANGE("VirtualLsiLogicController", "-201", "")             \
	DEV_CHANGE("VirtualE1000", "-300", "")                          \
	DEV_CHANGE("VirtualCdrom", "-202", "")                          \
	DEV_CHANGE("VirtualDisk", "-203",                               \
	           "<fileOperation>create</fileOperation>")             \
	DEV_CHANGE("VirtualVmxnet3", "-301", "")                        \
	"</configSpec><resPoolEntity type=\"ResourcePool\">resgroup-26" \
	"</resPoolEntity></importSpec>"                                 \
	"<fileItem><deviceId>/sc-x/disk:0</deviceId>"                   \
	"<path>image-disk1.vmdk</path><size>3000</size>"                \
	"<cimType>17</cimType><create>false</create></fileItem>"        \
	"</returnval>"

/* The datacenter the placement read reaches up the cluster's parents. */
#define DC_VM_FOLDER                                                    \
	"<objects><obj type=\"Datacenter\">datacenter-2</obj><propSet>" \
	"<name>vmFolder</name><val xsi:type=\"ManagedObjectReference\" " \
	"type=\"Folder\">group-v3</val></propSet></objects>"

static void
import_replies(void)
{
	ft_reply("CreateImportSpec", IMPORT_SPEC_NICS);
	ft_reply("ImportVApp", "<returnval type=\"HttpNfcLease\">" LEASE
	         "</returnval>");
	ft_reply("RetrievePropertiesEx", LEASE_PROPS("ready", NFC_URL));
	reply_upload(200);
	ft_reply("HttpNfcLeaseComplete", "");
	ft_reply("CreateSnapshot_Task", TASK_OK("task-4"));
}

static void
create_replies(void)
{
	ft_reply("FindByInventoryPath", FOUND("ClusterComputeResource",
	      "domain-c7"));
	ft_reply("RetrievePropertiesEx", PLACEMENT_REPLY);
	ft_reply("FindByInventoryPath", FOUND("Folder", "group-v5"));
	import_replies();
}

static void
import_args(struct vs_stemcell_import *imp, struct vs_stemcell_cluster *cl)
{
	memset(imp, 0, sizeof(*imp));
	cl->name = "C0";
	cl->resource_pool = NULL;
	imp->loc = tloc;
	imp->clusters = cl;
	imp->nclusters = 1;
	imp->datastore_pattern = "^LocalDS_";
	imp->pattern_key = "datastore_pattern";
	imp->ovf_path = ovf_path;
}

START_TEST(test_create_sequence)
{
	struct vs_stemcell_import imp;
	struct vs_stemcell_cluster cl;
	struct vs_client *c;
	struct err err;
	char cid[VS_STEMCELL_CID_MAX];
	const char *b;

	create_replies();
	ft_reply("RetrievePropertiesEx", TASK_RESULT("task-4",
	      "VirtualMachineSnapshot", "snapshot-9"));
	c = connect_client();
	import_args(&imp, &cl);
	imp.disk_provisioning = "thin";
	err_clear(&err);
	ck_assert_msg(vs_stemcell_create(cid, c, &imp, &err) == 0, "%s",
	              err.message);
	ck_assert(vs_stemcell_cid_valid(cid));
	ck_assert_ptr_nonnull(strstr(ft_req_at(0)->body, "<inventoryPath>DC0/"
	                             "host/C0</inventoryPath>"));
	/* one read for the cluster and its datastores */
	ck_assert_ptr_nonnull(strstr(ft_req_at(1)->body, "<path>datastore"
	                             "</path>"));
	/* the matching datastore with most room (ds-6's unreadable
	 * summary is skipped); the root pool */
	b = ft_req_at(3)->body;
	ck_assert_ptr_nonnull(strstr(b, "<datastore type=\"Datastore\">ds-2"
	                             "</datastore>"));
	ck_assert_ptr_nonnull(strstr(b, "<resourcePool type=\"ResourcePool\""
	                             ">resgroup-8</resourcePool>"));
	ck_assert_ptr_nonnull(strstr(b, cid));
	ck_assert_ptr_nonnull(strstr(b, "</entityName><diskProvisioning>thin"
	                             "</diskProvisioning></cisp>"));
	/* both NICs left out of the import spec, nothing else: the VM is
	 * made without them, no reconfigure after */
	b = ft_req_at(4)->body;
	ck_assert_str_eq(ft_req_at(4)->op, "ImportVApp");
	ck_assert_ptr_null(strstr(b, "<key>-300</key>"));
	ck_assert_ptr_null(strstr(b, "<key>-301</key>"));
	ck_assert_ptr_null(strstr(b, "VirtualE1000"));
	ck_assert_ptr_null(strstr(b, "VirtualVmxnet3"));
	ck_assert_ptr_nonnull(strstr(b, "<key>-201</key>"));
	ck_assert_ptr_nonnull(strstr(b, "<key>-202</key>"));
	ck_assert_ptr_nonnull(strstr(b, "<fileOperation>create</fileOperation>"
	                             "<device "));
	ck_assert_ptr_nonnull(strstr(b, "<key>-203</key>"));
	ck_assert_str_eq(ft_req_at(8)->op, "CreateSnapshot_Task");
	ck_assert_uint_eq(ft_calls(), 10);
	ft_finish(c);
}
END_TEST

/* A fresh vCenter: the placement read also brings the datacenter's
 * vmFolder (up the cluster's parents), so the missing template folder is
 * made in it with no lookup of "DC0/vm". */
START_TEST(test_create_makes_folder_in_vm_folder)
{
	static const char reply[] = PLACEMENT_REPLY;
	struct vs_stemcell_import imp;
	struct vs_stemcell_cluster cl;
	struct vs_client *c;
	struct err err;
	char cid[VS_STEMCELL_CID_MAX], placement[sizeof(reply) + 400];
	const char *b;

	snprintf(placement, sizeof(placement), "%.*s%s</returnval>",
	         (int)(sizeof(reply) - 1 - strlen("</returnval>")), reply,
	         DC_VM_FOLDER);
	ft_reply("FindByInventoryPath", FOUND("ClusterComputeResource",
	      "domain-c7"));
	ft_reply("RetrievePropertiesEx", placement);
	ft_reply("FindByInventoryPath", "");
	ft_reply("CreateFolder", FOUND("Folder", "group-v9"));
	import_replies();
	ft_reply("RetrievePropertiesEx", TASK_RESULT("task-4",
	      "VirtualMachineSnapshot", "snapshot-9"));
	c = connect_client();
	import_args(&imp, &cl);
	err_clear(&err);
	ck_assert_msg(vs_stemcell_create(cid, c, &imp, &err) == 0, "%s",
	              err.message);
	/* the read goes up the parents to the datacenter's vmFolder */
	b = ft_req_at(1)->body;
	ck_assert_ptr_nonnull(strstr(b, "<type>Datacenter</type><pathSet>"
	                             "vmFolder</pathSet>"));
	ck_assert_ptr_nonnull(strstr(b, "<name>up</name><type>ManagedEntity"
	                             "</type><path>parent</path><skip>false"
	                             "</skip><selectSet xsi:type=\""
	                             "SelectionSpec\"><name>up</name>"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(2)->body, "DC0/vm/"
	                             "BOSH_Templates<"));
	ck_assert_str_eq(ft_req_at(3)->op, "CreateFolder");
	ck_assert_ptr_nonnull(strstr(ft_req_at(3)->body, ">group-v3</_this>"
	                             "<name>BOSH_Templates</name>"));
	ck_assert_ptr_nonnull(strstr(ft_req_at(5)->body, "<folder type=\""
	                             "Folder\">group-v9</folder>"));
	ck_assert_uint_eq(ft_calls(), 11);
	ft_finish(c);
}
END_TEST

START_TEST(test_create_snapshot_failure_removes_vm)
{
	struct vs_stemcell_import imp;
	struct vs_stemcell_cluster cl;
	struct vs_client *c;
	struct err err;
	char cid[VS_STEMCELL_CID_MAX];

	create_replies();
	ft_reply("RetrievePropertiesEx", TASK_FAULT("task-4", "InvalidState"));
	ft_reply("RetrievePropertiesEx", POWER("poweredOff"));
	ft_reply("Destroy_Task", TASK_OK("task-9"));
	ft_reply("RetrievePropertiesEx", TASK_PROPS("task-9", "success"));
	c = connect_client();
	import_args(&imp, &cl);
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_create(cid, c, &imp, &err), ERR_ETASK);
	ck_assert_str_eq(cid, "");
	ck_assert_str_eq(err.fault, "InvalidState");
	ck_assert_ptr_nonnull(strstr(err.message, "CreateSnapshot"));
	ck_assert_str_eq(ft_req_at(11)->op, "Destroy_Task");
	ck_assert_ptr_nonnull(strstr(ft_req_at(11)->body, ">vm-88</_this>"));
	ft_finish(c);
}
END_TEST

START_TEST(test_create_bad_pattern)
{
	struct vs_stemcell_import imp;
	struct vs_stemcell_cluster cl;
	struct vs_client *c;
	struct err err;
	char cid[VS_STEMCELL_CID_MAX];

	c = connect_client();
	import_args(&imp, &cl);
	imp.datastore_pattern = "(((";
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_create(cid, c, &imp, &err), ERR_EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "datastore_pattern"));
	ck_assert_uint_eq(ft_calls(), 0);
	ft_finish(c);
}
END_TEST

START_TEST(test_create_no_room)
{
	struct vs_stemcell_import imp;
	struct vs_stemcell_cluster cl;
	struct vs_client *c;
	struct err err;
	char cid[VS_STEMCELL_CID_MAX];

	ft_reply("FindByInventoryPath", FOUND("ClusterComputeResource",
	      "domain-c7"));
	ft_reply("RetrievePropertiesEx", PLACEMENT_REPLY);
	c = connect_client();
	import_args(&imp, &cl);
	/* LocalDS_2 has room but is in maintenance; LocalDS_9 has 100
	 * bytes free for a 3000-byte disk */
	imp.datastore_pattern = "^LocalDS_[29]$";
	err_clear(&err);
	ck_assert_int_eq(vs_stemcell_create(cid, c, &imp, &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "no accessible datastore"));
	ck_assert_ptr_nonnull(strstr(err.message, "3000 bytes"));
	ck_assert_uint_eq(ft_calls(), 2);      /* nothing was created */
	ft_finish(c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("import");
	TCase *tc = tcase_create("import");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_device_url);
	tcase_add_test(tc, test_device_url_hostile);
	tcase_add_test(tc, test_import_ok);
	tcase_add_test(tc, test_import_hw_version);
	tcase_add_test(tc, test_lease_initializing_then_ready);
	tcase_add_test(tc, test_two_disks_progress);
	tcase_add_test(tc, test_lease_timeout);
	tcase_add_test(tc, test_progress_during_one_upload);
	tcase_add_test(tc, test_progress_rate_limited);
	tcase_add_test(tc, test_progress_failure_stops_upload);
	tcase_add_test(tc, test_upload_failure_aborts);
	tcase_add_test(tc, test_lease_error_aborts);
	tcase_add_test(tc, test_hostile_lease_url_aborts);
	tcase_add_test(tc, test_spec_error_stops);
	tcase_add_test(tc, test_file_item_outside_ovf);
	tcase_add_test(tc, test_import_vapp_fault_cleans_up);
	tcase_add_test(tc, test_cid_valid);
	tcase_add_test(tc, test_replica_name);
	tcase_add_test(tc, test_delete_missing_folder_is_success);
	tcase_add_test(tc, test_delete_hostile_input);
	tcase_add_test(tc, test_replica_on_own_datastore);
	tcase_add_test(tc, test_replica_clone_and_snapshot);
	tcase_add_test(tc, test_replica_duplicate_name_waits);
	tcase_add_test(tc, test_replica_other_clone_failure);
	tcase_add_test(tc, test_replica_ruby_named);
	tcase_add_test(tc, test_replica_ruby_named_unfinished);
	tcase_add_test(tc, test_replica_missing_stemcell);
	tcase_add_test(tc, test_create_sequence);
	tcase_add_test(tc, test_create_makes_folder_in_vm_folder);
	tcase_add_test(tc, test_create_snapshot_failure_removes_vm);
	tcase_add_test(tc, test_create_bad_pattern);
	tcase_add_test(tc, test_create_no_room);
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
