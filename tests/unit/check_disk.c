/*
 * check_disk: vsphere/disk.h and the vsphere/vm.c fixes it relies on,
 * through a real client over a fake transport (canned replies, recorded
 * requests).
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

/* --- fake transport ------------------------------------------------------ */

#define MAX_STEPS 32

struct step {
	const char *op;     /* expected SOAP method */
	long status;
	char *body;         /* malloc'd reply */
};

struct fake {
	struct vs_transport base;
	struct step steps[MAX_STEPS];
	size_t nsteps, next;
	char *req_op[MAX_STEPS * 2];
	char *req_body[MAX_STEPS * 2];
	size_t nreq;
	unsigned logouts;
	char mismatch[256];
};

static struct fake fk;

static char *
read_data(const char *rel)
{
	const char *root = getenv("CPI_TEST_ROOT");
	char path[4096];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof(path), "%s/tests/data/%s",
	         root != NULL ? root : ".", rel);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(s);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

#define ENV_HEAD                                                        \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope "  \
	"xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "  \
	"xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\""   \
	"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>"
#define ENV_TAIL "</soapenv:Body></soapenv:Envelope>"

static struct step *
add_step(const char *op, long status)
{
	struct step *s;

	ck_assert_uint_lt(fk.nsteps, MAX_STEPS);
	s = &fk.steps[fk.nsteps++];
	s->op = op;
	s->status = status;
	return s;
}

/* A 200 reply <resp_op>Response holding inner, for request op. */
static void
reply_as(const char *op, const char *resp_op, const char *inner)
{
	add_step(op, 200)->body = fmt(ENV_HEAD "<%sResponse xmlns=\""
	                              "urn:vim25\">%s</%sResponse>" ENV_TAIL,
	                              resp_op, inner, resp_op);
}

static void
reply(const char *op, const char *inner)
{
	reply_as(op, op, inner);
}

static void
reply_file(const char *op, const char *rel)
{
	add_step(op, 200)->body = read_data(rel);
}

/* An HTTP 500 SOAP fault of the given type. */
static void __attribute__((unused))
fault(const char *op, const char *type)
{
	add_step(op, 500)->body = fmt(ENV_HEAD "<soapenv:Fault><faultcode>"
	                              "ServerFaultCode</faultcode><faultstring>"
	                              "%s happened</faultstring><detail><%s"
	                              "Fault xmlns=\"urn:vim25\" xsi:type=\"%s"
	                              "\"></%sFault></detail></soapenv:Fault>"
	                              ENV_TAIL, type, type, type, type);
}

/* method returns task-N; the task read says success or error(fault). */
static void
task(const char *op, const char *fault_type)
{
	reply(op, "<returnval type=\"Task\">task-1</returnval>");
	if (fault_type == NULL) {
		reply("RetrievePropertiesEx", "<returnval><objects><obj type="
		      "\"Task\">task-1</obj><propSet><name>info.state</name>"
		      "<val xsi:type=\"TaskInfoState\">success</val></propSet>"
		      "</objects></returnval>");
		return;
	}
	add_step("RetrievePropertiesEx", 200)->body = fmt(ENV_HEAD
	    "<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
	    "<objects><obj type=\"Task\">task-1</obj><propSet><name>"
	    "info.state</name><val xsi:type=\"TaskInfoState\">error</val>"
	    "</propSet><propSet><name>info.error</name><val xsi:type=\""
	    "LocalizedMethodFault\"><fault xsi:type=\"%s\"></fault>"
	    "<localizedMessage>*types.%s</localizedMessage></val></propSet>"
	    "</objects></returnval></RetrievePropertiesExResponse>" ENV_TAIL,
	    fault_type, fault_type);
}

/* With CPI_TEST_OUTDIR set, every request body is also written there
 * for tests/schemacheck (vim25 element order). */
static void
save_body(const struct vs_http_request *req)
{
	static unsigned n;
	const char *dir = getenv("CPI_TEST_OUTDIR");
	char path[4096];
	FILE *f;

	if (dir == NULL || dir[0] == '\0' || req->body == NULL ||
	    req->sensitive)
		return;
	snprintf(path, sizeof(path), "%s/disk-%ld-%04u-%s.xml", dir,
	         (long)getpid(), n++, req->op);
	f = fopen(path, "wb");
	ck_assert_msg(f != NULL, "cannot write %s", path);
	ck_assert_uint_eq(fwrite(req->body, 1, req->body_len, f),
	                  req->body_len);
	fclose(f);
}

static int
fake_roundtrip(struct vs_transport *t, const struct vs_http_request *req,
               struct vs_http_response *resp, struct vs_error *err)
{
	struct fake *f = (struct fake *)t;
	struct step *s;

	ck_assert_uint_lt(f->nreq, MAX_STEPS * 2);
	f->req_op[f->nreq] = strdup(req->op);
	f->req_body[f->nreq] = strndup(req->body != NULL ? req->body : "",
	                               req->body_len);
	f->nreq++;
	save_body(req);
	memset(resp, 0, sizeof(*resp));
	if (strcmp(req->op, "Logout") == 0) {
		f->logouts++;
		resp->status = 200;
		resp->body = strdup(ENV_HEAD "<LogoutResponse xmlns=\"urn:"
		                    "vim25\"></LogoutResponse>" ENV_TAIL);
		resp->body_len = strlen(resp->body);
		return 0;
	}
	if (f->next >= f->nsteps || strcmp(f->steps[f->next].op,
	                                   req->op) != 0) {
		if (f->mismatch[0] == '\0')
			snprintf(f->mismatch, sizeof(f->mismatch),
			         "step %zu: got %s, expected %s", f->next,
			         req->op, f->next < f->nsteps ?
			         f->steps[f->next].op : "nothing");
		return vs_error_set(err, VS_EREPLAY, "unexpected %s",
		                    req->op);
	}
	s = &f->steps[f->next++];
	resp->status = s->status;
	resp->body = strdup(s->body);
	resp->body_len = strlen(s->body);
	return 0;
}

static void
fake_free(struct vs_transport *t)
{
	(void)t;    /* static: the test reads it after the client is gone */
}

static void
setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.base.version = VS_TRANSPORT_VERSION;
	fk.base.roundtrip = fake_roundtrip;
	fk.base.free = fake_free;
	reply_file("RetrieveServiceContent",
	           "vim/01_RetrieveServiceContent.response.xml");
	reply_file("Login", "vim/02_Login.response.xml");
}

static void
teardown(void)
{
	size_t i;

	for (i = 0; i < fk.nsteps; i++)
		free(fk.steps[i].body);
	for (i = 0; i < fk.nreq; i++) {
		free(fk.req_op[i]);
		free(fk.req_body[i]);
	}
}

static struct vs_client *
connect_client(void)
{
	struct vs_client_opts o = {
		.url = "https://vc.example:443/sdk", .user = "u",
		.password = "p", .transport = &fk.base, .max_retries = -1,
	};
	struct vs_client *c = NULL;
	struct vs_error err;

	vs_error_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	return c;
}

/* Requests after connect: index 0 is the first call under test. */
static __attribute__((unused)) const char *
op_at(size_t i)
{
	ck_assert_uint_lt(i + 2, fk.nreq);
	return fk.req_op[i + 2];
}

static const char *
body_at(size_t i)
{
	ck_assert_uint_lt(i + 2, fk.nreq);
	return fk.req_body[i + 2];
}

static size_t
calls(void)
{
	return fk.nreq - 2 - fk.logouts;
}

static void
finish(struct vs_client *c)
{
	vs_client_free(c);
	ck_assert_msg(fk.mismatch[0] == '\0', "%s", fk.mismatch);
	ck_assert_uint_eq(fk.next, fk.nsteps);  /* every reply was used */
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
	struct vs_error err;
	struct vs_vm_info *info = NULL;

	reply("RetrievePropertiesEx", SPARSE_VM);
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_vm_info(&info, c, &vm100, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(info->name);
	ck_assert(!info->has_host);
	ck_assert(!info->has_parent);
	ck_assert_int_eq(info->power, VS_VM_POWERED_OFF);
	/* absence is not a failure: the error object stays empty ... */
	ck_assert_msg(!vs_error_is_set(&err), "err left set: %s",
	              err.message);
	/* ... so the next failure reported through it is the one seen */
	ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &bad, &err), VS_EINVAL);
	ck_assert_int_eq(err.code, VS_EINVAL);
	ck_assert_str_eq(err.message, "ReconfigVM_Task: bad spec");
	vs_vm_info_free(info);
	finish(c);
}
END_TEST

START_TEST(test_remove_carries_real_type)
{
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_VM_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		  .type_name = "VirtualE1000", .key = 4000,
		  .network_name = "VM Network" },
		{ .operation = VS_VM_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		  .key = 4001, .network_name = "VM Network" },
	};
	const struct vs_vm_config spec = { .changes = ch, .nchanges = 2 };
	struct vs_client *c;
	struct vs_error err;
	const char *b;

	task("ReconfigVM_Task", NULL);
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = body_at(0);
	ck_assert_uint_eq(count(b, "<deviceChange>"), 2);
	ck_assert_ptr_nonnull(strstr(b, "<operation>remove</operation>"
	                             "<device xsi:type=\"VirtualE1000\">"
	                             "<key>4000</key>"));
	/* without a type the kind's default is kept */
	ck_assert_ptr_nonnull(strstr(b, "<device xsi:type=\"VirtualVmxnet3"
	                             "\"><key>4001</key>"));
	ck_assert_uint_eq(count(b, "VirtualVmxnet3"), 1);
	finish(c);
}
END_TEST

START_TEST(test_edit_carries_device_info)
{
	const struct vs_vm_device_change ch[] = {
		{ .operation = VS_VM_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		  .type_name = "VirtualCdrom", .key = 3000,
		  .controller_key = 200, .has_unit_number = true,
		  .unit_number = 0, .label = "CD/DVD drive 1",
		  .summary = "ISO [LocalDS_0] vm-abc/env.iso",
		  .file_name = "[LocalDS_0] vm-abc/env.iso" },
	};
	const struct vs_vm_config spec = { .changes = ch, .nchanges = 1 };
	struct vs_client *c;
	struct vs_error err;
	const char *b;

	task("ReconfigVM_Task", NULL);
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_vm_reconfigure(c, &vm100, &spec, &err) == 0, "%s",
	              err.message);
	b = body_at(0);
	/* schema order: key, deviceInfo, backing, …, controllerKey */
	ck_assert_ptr_nonnull(strstr(b, "<operation>edit</operation><device "
	                             "xsi:type=\"VirtualCdrom\"><key>3000"
	                             "</key><deviceInfo><label>CD/DVD drive "
	                             "1</label><summary>ISO [LocalDS_0] "
	                             "vm-abc/env.iso</summary></deviceInfo>"
	                             "<backing xsi:type=\"VirtualCdromIso"
	                             "BackingInfo\">"));
	ck_assert_ptr_nonnull(strstr(b, "</backing><controllerKey>200"));
	finish(c);
}
END_TEST

START_TEST(test_change_type_and_info_refused)
{
	const struct vs_vm_device_change wrong_family = {
		.operation = VS_VM_OP_REMOVE, .kind = VS_VM_DEV_NIC,
		.type_name = "VirtualDisk", .key = 4000,
		.network_name = "VM Network",
	};
	const struct vs_vm_device_change unknown = {
		.operation = VS_VM_OP_REMOVE, .kind = VS_VM_DEV_DISK,
		.type_name = "VirtualDisk\" evil=\"1", .key = 2000,
		.file_name = "[ds] a/b.vmdk",
	};
	const struct vs_vm_device_change half_info = {
		.operation = VS_VM_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		.key = 3000, .label = "x",
	};
	const struct vs_vm_device_change bad_text = {
		.operation = VS_VM_OP_EDIT, .kind = VS_VM_DEV_CDROM,
		.key = 3000, .label = "x", .summary = "a\x01b",
	};
	const struct vs_vm_device_change *cases[] = {
		&wrong_family, &unknown, &half_info, &bad_text,
	};
	struct vs_vm_config spec = { .nchanges = 1 };
	struct vs_client *c;
	struct vs_error err;
	size_t i;

	c = connect_client();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spec.changes = cases[i];
		vs_error_clear(&err);
		ck_assert_int_eq(vs_vm_reconfigure(c, &vm100, &spec, &err),
		                 VS_EINVAL);
		ck_assert_str_ne(err.message, "");
	}
	ck_assert_uint_eq(calls(), 0);      /* nothing was sent */
	finish(c);
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
