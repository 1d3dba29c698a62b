/*
 * check_pc: property collector reads, paging, container views and
 * inventory path lookups, through a real client over a fake transport
 * that serves a script of canned replies and records every request.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
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
static double fake_clock;
static char last_log[1024];

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

/* A 200 reply <op>Response holding inner. */
static void
reply(const char *op, const char *inner)
{
	struct step *s = &fk.steps[fk.nsteps++];

	ck_assert_uint_le(fk.nsteps, MAX_STEPS);
	s->op = op;
	s->status = 200;
	s->body = fmt(ENV_HEAD "<%sResponse xmlns=\"urn:vim25\">%s"
	              "</%sResponse>" ENV_TAIL, op, inner, op);
}

static void
reply_file(const char *op, const char *file)
{
	struct step *s = &fk.steps[fk.nsteps++];

	ck_assert_uint_le(fk.nsteps, MAX_STEPS);
	s->op = op;
	s->status = 200;
	s->body = read_data(file);
}

/* An HTTP 500 SOAP fault of the given type. */
static void
fault(const char *op, const char *type)
{
	struct step *s = &fk.steps[fk.nsteps++];

	ck_assert_uint_le(fk.nsteps, MAX_STEPS);
	s->op = op;
	s->status = 500;
	s->body = fmt(ENV_HEAD "<soapenv:Fault><faultcode>ServerFaultCode"
	              "</faultcode><faultstring>%s happened</faultstring>"
	              "<detail><%sFault xmlns=\"urn:vim25\" xsi:type=\"%s\">"
	              "</%sFault></detail></soapenv:Fault>" ENV_TAIL, type,
	              type, type, type);
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

	/* sensitive: the Login body holds the password */
	if (dir == NULL || dir[0] == '\0' || req->body == NULL ||
	    req->sensitive)
		return;
	snprintf(path, sizeof(path), "%s/pc-%ld-%04u-%s.xml", dir,
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
	f->req_body[f->nreq] = strndup(req->body, req->body_len);
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

static double
clock_now(void *ud)
{
	(void)ud;
	return fake_clock;
}

static void
clock_sleep(void *ud, double s)
{
	(void)ud;
	fake_clock += s;
}

static void
log_sink(void *ud, int level, const char *msg)
{
	(void)ud;
	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
}

static void
setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.base.version = VS_TRANSPORT_VERSION;
	fk.base.roundtrip = fake_roundtrip;
	fk.base.free = fake_free;
	fake_clock = 1000.0;
	last_log[0] = '\0';
	reply_file("RetrieveServiceContent",
	           "01_RetrieveServiceContent.response.xml");
	reply_file("Login", "02_Login.response.xml");
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
		.password = "p", .transport = &fk.base, .log = log_sink,
		.max_retries = -1, .now = clock_now, .sleep = clock_sleep,
	};
	struct vs_client *c = NULL;
	struct vs_error err;

	vs_error_clear(&err);
	ck_assert_int_eq(vs_client_new(&c, &o, &err), 0);
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	return c;
}

/* Requests after connect: index 0 is the first call under test. */
static const char *
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

#define VM(id, name)                                                    \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet>"   \
	"<name>name</name><val xsi:type=\"xsd:string\">" name "</val>"  \
	"</propSet></objects>"

static const char *const name_path[] = { "name", NULL };

static struct vs_pc_query
vm_query(struct vs_property_spec *ps, struct vs_object_spec *os)
{
	struct vs_pc_query q;

	memset(ps, 0, sizeof(*ps));
	memset(os, 0, sizeof(*os));
	ps->type = "VirtualMachine";
	ps->paths = name_path;
	snprintf(os->obj.type, sizeof(os->obj.type), "Folder");
	snprintf(os->obj.value, sizeof(os->obj.value), "group-v3");
	memset(&q, 0, sizeof(q));
	q.spec.props = ps;
	q.spec.nprops = 1;
	q.spec.objects = os;
	q.spec.nobjects = 1;
	return q;
}

/* --- tests ------------------------------------------------------------ */

START_TEST(test_paging_three_pages)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;
	const char *s;

	reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	      VM("vm-1", "a") VM("vm-2", "b") "</returnval>");
	reply("ContinueRetrievePropertiesEx", "<returnval><token>tok-2"
	      "</token>" VM("vm-3", "c") VM("vm-4", "d") "</returnval>");
	reply("ContinueRetrievePropertiesEx", "<returnval>"
	      VM("vm-5", "e") "</returnval>");
	c = connect_client();
	q.max_objects = 2;
	vs_error_clear(&err);
	ck_assert_msg(vs_pc_retrieve(&list, c, &q, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(list->n, 5);
	ck_assert_str_eq(list->items[0].obj.value, "vm-1");
	ck_assert_str_eq(list->items[2].obj.value, "vm-3");
	ck_assert_str_eq(list->items[4].obj.value, "vm-5");
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[3], "name", &err),
	                 0);
	ck_assert_str_eq(s, "d");
	ck_assert_uint_eq(calls(), 3);
	ck_assert_ptr_nonnull(strstr(body_at(0),
	                             "<maxObjects>2</maxObjects>"));
	ck_assert_ptr_nonnull(strstr(body_at(0), "<pathSet>name</pathSet>"));
	ck_assert_ptr_nonnull(strstr(body_at(1), "<token>tok-1</token>"));
	ck_assert_ptr_nonnull(strstr(body_at(2), "<token>tok-2</token>"));
	ck_assert_ptr_nonnull(strstr(body_at(1),
	                             ">propertyCollector</_this>"));
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_no_token_single_page)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	      VM("vm-2", "b") VM("vm-3", "c") "</returnval>");
	c = connect_client();
	q.max_objects = 1;      /* ignored by the simulator */
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_uint_eq(list->n, 3);
	ck_assert_uint_eq(calls(), 1);
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_empty_reply)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_ptr_nonnull(list);
	ck_assert_uint_eq(list->n, 0);
	/* the default page size went out */
	ck_assert_ptr_nonnull(strstr(body_at(0),
	                             "<maxObjects>100</maxObjects>"));
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_bad_page_cancels_token)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	      VM("vm-1", "a") "</returnval>");
	reply("ContinueRetrievePropertiesEx", "<returnval><token>tok-2"
	      "</token><objects><obj>no-type</obj></objects></returnval>");
	reply("CancelRetrievePropertiesEx", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), VS_EPARSE);
	ck_assert_ptr_null(list);
	ck_assert_int_eq(err.code, VS_EPARSE);
	ck_assert_uint_eq(calls(), 3);
	ck_assert_str_eq(op_at(2), "CancelRetrievePropertiesEx");
	ck_assert_ptr_nonnull(strstr(body_at(2), "<token>tok-2</token>"));
	finish(c);
}
END_TEST

START_TEST(test_fault_mid_paging)
{
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	      VM("vm-1", "a") "</returnval>");
	fault("ContinueRetrievePropertiesEx", "InvalidArgument");
	reply("CancelRetrievePropertiesEx", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), VS_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ck_assert_ptr_null(list);
	finish(c);
}
END_TEST

#define MISSING(path, type)                                             \
	"<missingSet><path>" path "</path><fault><fault xsi:type=\""    \
	type "\"></fault><localizedMessage>no</localizedMessage>"       \
	"</fault></missingSet>"

START_TEST(test_missing_set)
{
	static const char *const optional[] = { "summary", NULL };
	struct vs_property_spec ps;
	struct vs_object_spec os;
	struct vs_pc_query q = vm_query(&ps, &os);
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;
	const char *s;

	reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	      "VirtualMachine\">vm-1</obj>" MISSING("summary", "NoPermission")
	      "</objects></returnval>");
	reply("RetrievePropertiesEx", "<returnval><objects><obj type=\""
	      "VirtualMachine\">vm-1</obj><propSet><name>name</name><val>a"
	      "</val></propSet>" MISSING("summary", "NoPermission")
	      "</objects></returnval>");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), VS_EFAULT);
	ck_assert_str_eq(err.fault, "NoPermission");
	ck_assert_ptr_nonnull(strstr(err.message, "summary"));
	ck_assert_ptr_null(list);

	q.optional = optional;
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_retrieve(&list, c, &q, &err), 0);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_ptr_null(vs_object_prop(&list->items[0], "nothing"));
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[0], "summary",
	                                   &err), VS_ENOTFOUND);
	vs_error_clear(&err);
	ck_assert_int_eq(vs_object_get_str(&s, &list->items[0], "name",
	                                   &err), 0);
	ck_assert_str_eq(s, "a");
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_list_view_destroyed)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref root = { "Folder", "group-d1" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	      "session[x]view-1</returnval>");
	reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	      VM("vm-2", "b") "</returnval>");
	reply("DestroyView", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "VirtualMachine", paths,
	                            &err), 0);
	ck_assert_uint_eq(list->n, 2);
	ck_assert_uint_eq(calls(), 3);
	ck_assert_ptr_nonnull(strstr(body_at(0), "<container type=\"Folder\">"
	                             "group-d1</container><type>"
	                             "VirtualMachine</type><recursive>true"
	                             "</recursive>"));
	ck_assert_ptr_nonnull(strstr(body_at(0), ">ViewManager</_this>"));
	ck_assert_ptr_nonnull(strstr(body_at(1), "<obj type=\"ContainerView\">"
	                             "session[x]view-1</obj><skip>true"
	                             "</skip><selectSet xsi:type=\""
	                             "TraversalSpec\"><name>view</name>"
	                             "<type>ContainerView</type><path>view"
	                             "</path><skip>false</skip>"));
	ck_assert_str_eq(op_at(2), "DestroyView");
	ck_assert_ptr_nonnull(strstr(body_at(2), "<_this type=\"ContainerView"
	                             "\">session[x]view-1</_this>"));
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_list_view_destroyed_on_error)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref root = { "Folder", "group-d1" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	      "session[x]view-2</returnval>");
	fault("RetrievePropertiesEx", "InvalidType");
	reply("DestroyView", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "Bogus", paths, &err),
	                 VS_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidType");
	ck_assert_ptr_null(list);
	ck_assert_str_eq(op_at(2), "DestroyView");
	ck_assert_ptr_nonnull(strstr(body_at(2), "session[x]view-2"));
	finish(c);
}
END_TEST

START_TEST(test_list_destroy_failure_only_logged)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_moref root = { "Folder", "group-d1" };
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct vs_error err;

	reply("CreateContainerView", "<returnval type=\"ContainerView\">"
	      "session[x]view-3</returnval>");
	reply("RetrievePropertiesEx", "<returnval>" VM("vm-1", "a")
	      "</returnval>");
	fault("DestroyView", "ManagedObjectNotFound");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_pc_list(&list, c, &root, "VirtualMachine", paths,
	                            &err), 0);
	ck_assert_int_eq(err.code, 0);
	ck_assert_uint_eq(list->n, 1);
	ck_assert_ptr_nonnull(strstr(last_log, "DestroyView"));
	vs_objects_free(list);
	finish(c);
}
END_TEST

START_TEST(test_find_by_inventory_path)
{
	struct vs_moref ref;
	struct vs_client *c;
	struct vs_error err;

	reply_file("FindByInventoryPath", "FindByInventoryPath.response.xml");
	reply_file("FindByInventoryPath",
	           "FindByInventoryPath_missing.response.xml");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c,
	                 "DC0/vm/vm-clone-1", &err), 0);
	ck_assert_str_eq(ref.type, "VirtualMachine");
	ck_assert_str_eq(ref.value, "vm-63");
	ck_assert_ptr_nonnull(strstr(body_at(0), "<inventoryPath>DC0/vm/"
	                             "vm-clone-1</inventoryPath>"));
	ck_assert_ptr_nonnull(strstr(body_at(0), ">SearchIndex</_this>"));
	vs_error_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c,
	                 "DC0/vm/BOSH_VMs/vm-gone", &err), VS_ENOTFOUND);
	ck_assert_int_eq(err.code, VS_ENOTFOUND);
	ck_assert_str_eq(ref.value, "");
	/* refused before any request */
	vs_error_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c, "", &err),
	                 VS_EINVAL);
	vs_error_clear(&err);
	ck_assert_int_eq(vs_find_by_inventory_path(&ref, c, "DC0/vm/a\nb",
	                                           &err), VS_EINVAL);
	ck_assert_uint_eq(calls(), 2);
	finish(c);
}
END_TEST

START_TEST(test_get_props)
{
	static const char *const paths[] = {
		"runtime.powerState", "config.template", NULL,
	};
	struct vs_moref vm = { "VirtualMachine", "vm-92" };
	struct vs_moref gone = { "VirtualMachine", "vm-63" };
	struct vs_object *o = NULL;
	struct vs_client *c;
	struct vs_error err;
	const char *s;
	bool b;

	reply_file("RetrievePropertiesEx", "Get_newvm.response.xml");
	reply_file("RetrievePropertiesEx", "Get_destroyed.response.xml");
	reply("RetrievePropertiesEx", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &vm, paths, &err), 0);
	ck_assert_str_eq(o->obj.value, "vm-92");
	ck_assert_int_eq(vs_object_get_str(&s, o, "runtime.powerState", &err),
	                 0);
	ck_assert_str_eq(s, "poweredOff");
	ck_assert_int_eq(vs_object_get_bool(&b, o, "config.template", &err),
	                 0);
	ck_assert(!b);
	ck_assert_ptr_nonnull(strstr(body_at(0), "<propSet><type>"
	                             "VirtualMachine</type><pathSet>runtime."
	                             "powerState</pathSet><pathSet>config."
	                             "template</pathSet></propSet>"));
	ck_assert_ptr_nonnull(strstr(body_at(0), "<objectSet><obj type=\""
	                             "VirtualMachine\">vm-92</obj><skip>false"
	                             "</skip></objectSet>"));
	vs_object_free(o);
	o = NULL;

	vs_error_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &gone, paths, &err),
	                 VS_ENOTFOUND);
	ck_assert_str_eq(err.fault, "ManagedObjectNotFound");
	ck_assert_ptr_null(o);
	vs_error_clear(&err);
	ck_assert_int_eq(vs_get_props(&o, c, &gone, paths, &err),
	                 VS_ENOTFOUND);
	ck_assert_ptr_null(o);
	finish(c);
}
END_TEST

static Suite *
pc_suite(void)
{
	Suite *s = suite_create("pc");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_paging_three_pages);
	tcase_add_test(tc, test_no_token_single_page);
	tcase_add_test(tc, test_empty_reply);
	tcase_add_test(tc, test_bad_page_cancels_token);
	tcase_add_test(tc, test_fault_mid_paging);
	tcase_add_test(tc, test_missing_set);
	tcase_add_test(tc, test_list_view_destroyed);
	tcase_add_test(tc, test_list_view_destroyed_on_error);
	tcase_add_test(tc, test_list_destroy_failure_only_logged);
	tcase_add_test(tc, test_find_by_inventory_path);
	tcase_add_test(tc, test_get_props);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(pc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
