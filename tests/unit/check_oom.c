/*
 * check_oom: running out of memory fails a call, it never reads as
 * success or as "not there".
 *
 * This suite is linked with the Makefile's OOM_WRAP, so every malloc,
 * calloc, realloc, strdup and strndup of the library goes through the
 * __wrap_ functions below, and it hands libxml2 the same counting
 * allocator (xmlMemSetup).  A sweep runs one operation again and again,
 * failing the 1st, 2nd, 3rd ... allocation, until a run meets no
 * injected failure.  Each run that met one must fail, or give the full,
 * correct result.  The fake transport (tests/support/fake_transport.h)
 * plays vCenter and is not itself subject to failures.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "tests/support/fake_transport.h"
#include "vsphere/disk.h"
#include "vsphere/preflight.h"
#include "vsphere/soap.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

/* --- the failing allocator --------------------------------------------- */

/* volatile: the compiler takes strdup() and malloc() for the builtins,
 * which touch no variable of ours. */
static volatile long af_left = -1;  /* allocations before the failing one */
static volatile bool af_fired;
static volatile int af_paused;

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* Where the injected failure happens: `break af_fire` in gdb (with
 * CK_FORK=no) shows who did not cope. */
__attribute__((noinline)) static void
af_fire(void)
{
	af_fired = true;
	__asm__ volatile("");
}

static bool
af_fail(void)
{
	if (af_left < 0 || af_paused > 0)
		return false;
	if (af_left-- > 0)
		return false;
	af_fire();
	return true;
}

void *
__wrap_malloc(size_t n)
{
	return af_fail() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return af_fail() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return af_fail() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return af_fail() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return af_fail() ? NULL : __real_strndup(s, n);
}

static void *
xml_malloc(size_t n)
{
	return af_fail() ? NULL : __real_malloc(n);
}

static void *
xml_realloc(void *p, size_t n)
{
	return af_fail() ? NULL : __real_realloc(p, n);
}

static char *
xml_strdup(const char *s)
{
	return af_fail() ? NULL : __real_strdup(s);
}

/* The k-th allocation from now fails (k >= 1), only that one. */
static void
af_arm(long k)
{
	af_fired = false;
	af_left = k - 1;
}

/* Disarms; true when the armed failure happened. */
static bool
af_disarm(void)
{
	af_left = -1;
	return af_fired;
}

/* The fake transport's own copies are the test's, not the library's. */
static int
paused_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
                 struct vs_http_response *resp, struct err *err)
{
	int rc;

	(void)t;
	af_paused++;
	rc = ft.base.roundtrip(&ft.base, req, resp, err);
	af_paused--;
	return rc;
}

static void
paused_free(struct vs_transport *t)
{
	(void)t;
}

static struct vs_transport paused = {
	.version = VS_TRANSPORT_VERSION,
	.roundtrip = paused_roundtrip,
	.free = paused_free,
};

static struct vs_client *
connect_paused(void)
{
	struct vs_client_opts o;

	ft_client_opts(&o);
	o.transport = &paused;
	return ft_connect_opts(&o);
}

/* Sweeps stop here; far above what one operation allocates. */
#define MAX_SWEEP 20000

/* --- vsphere/disk.c: the VM's settings read back ----------------------- */

static const struct vs_moref vm100 = { "VirtualMachine", "vm-100" };

#define OPT(k, v) "<OptionValue><key>" k "</key><value xsi:type=\""     \
	"xsd:string\">" v "</value></OptionValue>"

/* base64 of {"disks":{"disk-1":"0"}} */
#define SETTINGS_B64 "eyJkaXNrcyI6eyJkaXNrLTEiOiIwIn19"
#define SETTINGS "{\"disks\":{\"disk-1\":\"0\"}}"

static void
queue_vm_read(const char *encoding)
{
	char *inner = ft_fmt("<returnval><objects><obj type=\"VirtualMachine\">"
	                     "vm-100</obj><propSet><name>runtime.powerState"
	                     "</name><val xsi:type=\"VirtualMachinePowerState"
	                     "\">poweredOff</val></propSet>"
	                     "<propSet><name>config.extraConfig"
	                     "</name><val xsi:type=\"ArrayOfOptionValue\">"
	                     OPT("disk.enableUUID", "TRUE")
	                     OPT("guestinfo.userdata", "%s")
	                     "%s</val></propSet></objects></returnval>",
	                     encoding != NULL ? SETTINGS_B64 : SETTINGS,
	                     encoding != NULL ?
	                     OPT("guestinfo.userdata.encoding", "base64") :
	                     "");

	ft_reply("RetrievePropertiesEx", inner);
	free(inner);
}

static void
sweep_vm_read(const char *encoding)
{
	long k;
	bool fired = true;

	for (k = 1; fired && k < MAX_SWEEP; k++) {
		struct vs_disk_vm *v = NULL;
		struct vs_client *c;
		struct err err;
		int rc;

		ft_reset(NULL);
		queue_vm_read(encoding);
		c = connect_paused();
		err_clear(&err);
		af_arm(k);
		rc = vs_disk_vm_read(&v, c, &vm100, &err);
		fired = af_disarm();
		if (rc != 0) {
			ck_assert_msg(fired, "failed without a failure: %s",
			              err.message);
			ck_assert(err_is_set(&err));
			ck_assert_ptr_null(v);
		} else {
			ck_assert_msg(v->enable_uuid, "allocation %ld: "
			              "disk.enableUUID lost", k);
			ck_assert_msg(v->settings != NULL &&
			              strcmp(v->settings, SETTINGS) == 0,
			              "allocation %ld failed, yet the read "
			              "succeeded with settings %s", k,
			              v->settings ? v->settings : "(none)");
		}
		vs_disk_vm_free(v);
		vs_client_free(c);
		ft_clear();
	}
	ck_assert_msg(!fired, "no run without a failure in %d", MAX_SWEEP);
	ck_assert_int_gt(k, 20);
}

START_TEST(test_vm_read_plain)
{
	sweep_vm_read(NULL);
}
END_TEST

START_TEST(test_vm_read_base64)
{
	sweep_vm_read("base64");
}
END_TEST

/* --- vsphere/disk_vm.c: the Ruby CPI's records (config.vAppConfig) ---- */

static void
queue_vm_read_vapp(void)
{
	ft_reply("RetrievePropertiesEx",
	         "<returnval><objects><obj type=\"VirtualMachine\">vm-100"
	         "</obj><propSet><name>runtime.powerState</name><val "
	         "xsi:type=\"VirtualMachinePowerState\">poweredOff</val>"
	         "</propSet><propSet><name>config.vAppConfig</name><val "
	         "xsi:type=\"VmConfigInfo\"><property><key>2001</key><id>"
	         "disk-1</id><category>BOSH Persistent Disks</category>"
	         "<label>disk-1</label></property></val></propSet>"
	         "</objects></returnval>");
}

/* A vApp property whose text could not be copied must fail the read,
 * not drop the record. */
START_TEST(test_vm_read_vapp)
{
	long k;
	bool fired = true;

	for (k = 1; fired && k < MAX_SWEEP; k++) {
		const struct vs_disk_record *r;
		struct vs_disk_vm *v = NULL;
		struct vs_client *c;
		struct err err;
		int rc;

		ft_reset(NULL);
		queue_vm_read_vapp();
		c = connect_paused();
		err_clear(&err);
		af_arm(k);
		rc = vs_disk_vm_read(&v, c, &vm100, &err);
		fired = af_disarm();
		if (rc != 0) {
			ck_assert_msg(fired, "failed without a failure: %s",
			              err.message);
			ck_assert(err_is_set(&err));
			ck_assert_ptr_null(v);
		} else {
			r = vs_disk_vm_record(v, "disk-1");
			ck_assert_msg(r != NULL && r->by_device_key &&
			              r->device_key == 2001, "allocation %ld "
			              "failed, yet the read succeeded without "
			              "the record", k);
		}
		vs_disk_vm_free(v);
		vs_client_free(c);
		ft_clear();
	}
	ck_assert_msg(!fired, "no run without a failure in %d", MAX_SWEEP);
	ck_assert_int_gt(k, 20);
}
END_TEST

/* --- vsphere/vim_device.c: a device list read ---------------------------- */

START_TEST(test_devices)
{
	static const char xml[] =
	    "<val xmlns=\"urn:vim25\" xmlns:xsi=\"http://www.w3.org/2001/"
	    "XMLSchema-instance\"><VirtualDevice xsi:type=\""
	    "ParaVirtualSCSIController\"><key>1000</key><deviceInfo><label>"
	    "SCSI controller 0</label></deviceInfo><busNumber>0</busNumber>"
	    "<sharedBus>noSharing</sharedBus></VirtualDevice></val>";
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "d.xml", NULL, 0);
	long k;
	bool fired = true;

	ck_assert_ptr_nonnull(doc);
	for (k = 1; fired && k < MAX_SWEEP; k++) {
		struct vs_devices *d = NULL;
		struct err err;
		int rc;

		err_clear(&err);
		af_arm(k);
		rc = vs_devices_from_node(&d, xmlDocGetRootElement(doc), &err);
		fired = af_disarm();
		if (rc != 0) {
			ck_assert_msg(fired, "failed without a failure: %s",
			              err.message);
			ck_assert(err_is_set(&err));
			ck_assert_ptr_null(d);
		} else {
			ck_assert_uint_eq(d->n, 1);
			ck_assert_msg(strcmp(d->items[0].shared_bus,
			                     "noSharing") == 0 &&
			              d->items[0].label != NULL,
			              "allocation %ld failed, yet the device "
			              "was read without its sharedBus or label",
			              k);
		}
		vs_devices_free(d);
	}
	xmlFreeDoc(doc);
	ck_assert_msg(!fired, "no run without a failure in %d", MAX_SWEEP);
}
END_TEST

/* --- vsphere/preflight.c: the privileges a user holds ------------------ */

/* A privilege whose text could not be copied must fail the read, not
 * become an empty one. */
START_TEST(test_privileges)
{
	static const struct vs_moref dc2 = { "Datacenter", "datacenter-2" };
	long k;
	bool fired = true;

	for (k = 1; fired && k < MAX_SWEEP; k++) {
		struct vs_privileges *p = NULL;
		struct vs_client *c;
		struct err err;
		int rc;

		ft_reset(NULL);
		ft_reply("FetchUserPrivilegeOnEntities",
		         "<returnval><entity type=\"Datacenter\">datacenter-2"
		         "</entity><privileges>System.View</privileges>"
		         "<privileges>Folder.Create</privileges></returnval>");
		c = connect_paused();
		err_clear(&err);
		af_arm(k);
		rc = vs_privileges_fetch(&p, c, &dc2, 1, "u", &err);
		fired = af_disarm();
		if (rc != 0) {
			ck_assert_msg(fired, "failed without a failure: %s",
			              err.message);
			ck_assert(err_is_set(&err));
		} else {
			/* (a reply cut short by the parser is soap.c's to
			 * catch; here: no privilege read as "") */
			size_t i, j;

			for (i = 0; i < p->n; i++)
				for (j = 0; j < p->items[i].nprivs; j++)
					ck_assert_msg(p->items[i].privs[j][0] !=
					              '\0', "allocation %ld "
					              "failed, yet a privilege "
					              "read as empty", k);
		}
		vs_privileges_free(p);
		vs_client_free(c);
		ft_clear();
	}
	ck_assert_msg(!fired, "no run without a failure in %d", MAX_SWEEP);
}
END_TEST

/* --- vsphere/vim_spec.c + soap.c: a request is whole or not sent ------ */

START_TEST(test_config_spec)
{
	static const struct vs_option extra[] = {
		{ "guestinfo.userdata", "{\"agent_id\":\"a-1\"}" },
		{ "disk.enableUUID", "TRUE" },
	};
	struct vs_config_spec s;
	long k;
	bool fired = true;

	memset(&s, 0, sizeof(s));
	s.name = "vm-name";
	s.num_cpus = 2;
	s.memory_mb = 1024;
	s.extra = extra;
	s.nextra = 2;
	s.managed_by_key = "com.vmware.bosh";
	s.managed_by_type = "vm";
	for (k = 1; fired && k < MAX_SWEEP; k++) {
		xmlDocPtr doc = NULL;
		xmlNodePtr m;
		struct err err;
		char *out = NULL;
		size_t len = 0;
		int rc;

		err_clear(&err);
		ck_assert_int_eq(vs_soap_request_new(&doc, &m,
		                 "ReconfigVM_Task", &vm100, &err), 0);
		af_arm(k);
		rc = vs_add_config_spec(m, "spec", &s, &err);
		if (rc == 0)
			rc = vs_soap_serialize(&out, &len, doc, &err);
		fired = af_disarm();
		if (rc != 0) {
			ck_assert_msg(fired, "failed without a failure: %s",
			              err.message);
			ck_assert_ptr_null(out);
		} else {
			ck_assert_msg(strstr(out, "<value xsi:type=\"xsd:string"
			                     "\">{\"agent_id\":\"a-1\"}</value>")
			              != NULL &&
			              strstr(out, "<value xsi:type=\"xsd:string"
			                     "\">TRUE</value>") != NULL &&
			              strstr(out, "<key>disk.enableUUID</key>")
			              != NULL &&
			              strstr(out, "<name>vm-name</name>") != NULL &&
			              strstr(out, "<numCPUs>2</numCPUs>") != NULL &&
			              strstr(out, "<memoryMB>1024</memoryMB>") !=
			              NULL &&
			              strstr(out, "<extensionKey>com.vmware.bosh"
			                     "</extensionKey><type>vm</type>") !=
			              NULL,
			              "allocation %ld failed, yet this went "
			              "out: %s", k, out);
		}
		xmlFree(out);
		xmlFreeDoc(doc);
	}
	ck_assert_msg(!fired, "no run without a failure in %d", MAX_SWEEP);
	ck_assert_int_gt(k, 10);
}
END_TEST

/* The sweep's own check: a failure it injects is seen. */
START_TEST(test_allocator_wrapped)
{
	/* volatile: the compiler may not fold the calls away. */
	const char *volatile src = "x";
	char *volatile p;

	af_arm(1);
	p = strdup(src);
	ck_assert(af_disarm());
	ck_assert_ptr_null(p);
	af_arm(1);
	p = (char *)xmlStrdup((const xmlChar *)src);
	ck_assert(af_disarm());
	ck_assert_ptr_null(p);
	af_arm(2);
	p = malloc(strlen(src));
	ck_assert(!af_disarm());
	ck_assert_ptr_nonnull(p);
	free(p);
}
END_TEST

static Suite *
oom_suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("sweep");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_allocator_wrapped);
	tcase_add_test(tc, test_vm_read_plain);
	tcase_add_test(tc, test_vm_read_base64);
	tcase_add_test(tc, test_vm_read_vapp);
	tcase_add_test(tc, test_devices);
	tcase_add_test(tc, test_privileges);
	tcase_add_test(tc, test_config_spec);
	suite_add_tcase(s, tc);
	return s;
}

/* Under ASan: libxml2 2.9 itself leaks when one of its allocations fails
 * mid-copy (xmlStaticCopyNodeList, xmlCopyPropList drop what they had
 * copied), so this suite does not report leaks whose allocation passed
 * through libxml2.  Every other suite still does. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libxml2.so\n";
}

static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	/* Before libxml2 allocates anything; its complaints about the
	 * failures are expected, not shown. */
	xmlMemSetup(free, xml_malloc, xml_realloc, xml_strdup);
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet);
	sr = srunner_create(oom_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
