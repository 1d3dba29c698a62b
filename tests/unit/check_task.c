/*
 * check_task: vs_task_wait through a real client over a fake transport
 * (canned replies, recorded requests) and an injected clock, so waiting
 * takes no real time.  The fake is the same as check_pc's.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsphere/client.h"
#include "vsphere/task.h"
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
/* Seconds the "server" blocks before reply i, counting from the
 * RetrieveServiceContent (0) and Login (1) of connect_client(). */
static double server_block[MAX_STEPS * 2];
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
	snprintf(path, sizeof(path), "%s/task-%ld-%04u-%s.xml", dir,
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
	fake_clock += server_block[f->next];
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
	memset(server_block, 0, sizeof(server_block));
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

#define TASK_PROPS(state, extra)                                        \
	"<returnval><objects><obj type=\"Task\">task-1</obj><propSet>"  \
	"<name>info.state</name><val xsi:type=\"TaskInfoState\">" state \
	"</val></propSet>" extra "</objects></returnval>"
#define FILTER "<returnval type=\"PropertyFilter\">session[s]f-1</returnval>"
#define UPDATE(version, filter, obj, changes)                           \
	"<returnval><version>" version "</version><filterSet><filter "  \
	"type=\"PropertyFilter\">" filter "</filter><objectSet><kind>"  \
	"modify</kind><obj type=\"Task\">" obj "</obj>" changes         \
	"</objectSet></filterSet></returnval>"
#define CHANGE(name, val)                                               \
	"<changeSet><name>" name "</name><op>assign</op>" val           \
	"</changeSet>"

static struct vs_moref task1 = { "Task", "task-1" };

START_TEST(test_finished_one_round_trip)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("success",
	      "<propSet><name>info.result</name><val xsi:type=\""
	      "ManagedObjectReference\" type=\"VirtualMachine\">vm-63</val>"
	      "</propSet>"));
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_task_wait(&r, c, &task1, 60, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(r.moref.type, "VirtualMachine");
	ck_assert_str_eq(r.moref.value, "vm-63");
	ck_assert_ptr_null(r.text);
	ck_assert_uint_eq(calls(), 1);
	ck_assert_ptr_nonnull(strstr(body_at(0), "<pathSet>info.state"
	                             "</pathSet><pathSet>info.error</pathSet>"
	                             "<pathSet>info.result</pathSet>"));
	ck_assert_ptr_nonnull(strstr(body_at(0), "<obj type=\"Task\">task-1"
	                             "</obj>"));
	vs_task_result_clear(&r);
	vs_task_result_clear(&r);       /* idempotent */
	ck_assert_double_eq(fake_clock, 1000.0);
	finish(c);
}
END_TEST

START_TEST(test_finished_text_result_null_out)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("success",
	      "<propSet><name>info.result</name><val xsi:type=\"xsd:string\">"
	      "[LocalDS_0] disks/d-1.vmdk</val></propSet>"));
	reply("RetrievePropertiesEx", TASK_PROPS("success", ""));
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &task1, 60, &err), 0);
	ck_assert_str_eq(r.text, "[LocalDS_0] disks/d-1.vmdk");
	ck_assert_str_eq(r.moref.type, "");
	vs_task_result_clear(&r);
	ck_assert_ptr_null(r.text);
	/* callers that need no result pass NULL */
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), 0);
	finish(c);
}
END_TEST

START_TEST(test_task_error_typed_fault)
{
	struct vs_moref t70 = { "Task", "task-70" };
	struct vs_task_result r;
	struct vs_client *c;
	struct vs_error err;

	reply_file("RetrievePropertiesEx", "PowerOffVM_Task.task.response.xml");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &t70, 60, &err), VS_ETASK);
	ck_assert_int_eq(err.code, VS_ETASK);
	ck_assert_str_eq(err.fault, "InvalidPowerState");
	ck_assert_ptr_nonnull(strstr(err.message, "task-70"));
	ck_assert_ptr_nonnull(strstr(err.message, "*types.InvalidPowerState"));
	ck_assert(!err.transient);
	ck_assert_ptr_null(r.text);
	ck_assert_uint_eq(calls(), 1);
	finish(c);
}
END_TEST

START_TEST(test_task_error_without_fault)
{
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("error", ""));
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), VS_ETASK);
	ck_assert_str_eq(err.fault, "");
	finish(c);
}
END_TEST

START_TEST(test_running_then_done)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	reply("CreateFilter", FILTER);
	reply("WaitForUpdatesEx", UPDATE("1", "session[s]f-1", "task-1",
	      CHANGE("info.state", "<val xsi:type=\"TaskInfoState\">running"
	             "</val>") CHANGE("info.error", "")));
	reply("WaitForUpdatesEx", "");
	server_block[5] = 10.0;         /* the empty reply took 10 s */
	/* another filter's news about another task is not ours */
	reply("WaitForUpdatesEx", UPDATE("2", "session[s]f-other", "task-1",
	      CHANGE("info.state", "<val>success</val>"))
	      );
	reply("WaitForUpdatesEx", UPDATE("3", "session[s]f-1", "task-9",
	      CHANGE("info.state", "<val>error</val>")));
	reply("WaitForUpdatesEx", UPDATE("4", "session[s]f-1", "task-1",
	      CHANGE("info.state", "<val xsi:type=\"TaskInfoState\">success"
	             "</val>") CHANGE("info.error", "")
	      CHANGE("info.result", "<val xsi:type=\"xsd:string\">done</val>")
	      ));
	reply("DestroyPropertyFilter", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_task_wait(&r, c, &task1, 600, &err) == 0, "%s",
	              err.message);
	ck_assert_str_eq(r.text, "done");
	ck_assert_uint_eq(calls(), 8);
	ck_assert_str_eq(op_at(1), "CreateFilter");
	ck_assert_ptr_nonnull(strstr(body_at(1), "<partialUpdates>false"
	                             "</partialUpdates>"));
	ck_assert_ptr_nonnull(strstr(body_at(1), "<spec><propSet><type>Task"
	                             "</type><pathSet>info.state</pathSet>"));
	ck_assert_ptr_nonnull(strstr(body_at(2), "<version></version>"));
	ck_assert_ptr_nonnull(strstr(body_at(2), "<options><maxWaitSeconds>10"
	                             "</maxWaitSeconds></options>"));
	ck_assert_ptr_nonnull(strstr(body_at(3), "<version>1</version>"));
	ck_assert_ptr_nonnull(strstr(body_at(4), "<version>1</version>"));
	ck_assert_ptr_nonnull(strstr(body_at(5), "<version>2</version>"));
	ck_assert_ptr_nonnull(strstr(body_at(6), "<version>3</version>"));
	ck_assert_str_eq(op_at(7), "DestroyPropertyFilter");
	ck_assert_ptr_nonnull(strstr(body_at(7), "<_this type=\""
	                             "PropertyFilter\">session[s]f-1</_this>"));
	/* only the server's blocking passed: the client never slept */
	ck_assert_double_eq(fake_clock, 1010.0);
	vs_task_result_clear(&r);
	finish(c);
}
END_TEST

START_TEST(test_simulator_quirks)
{
	struct vs_moref t65 = { "Task", "task-65" };
	struct vs_client *c;
	struct vs_error err;

	/* still running at first, then the simulator's real replies:
	 * version "-" and info.error without <val> */
	reply("RetrievePropertiesEx", "<returnval><objects><obj type=\"Task\">"
	      "task-65</obj><propSet><name>info.state</name><val>queued</val>"
	      "</propSet></objects></returnval>");
	reply_file("CreateFilter", "CreateFilter.response.xml");
	reply_file("WaitForUpdatesEx", "WaitForUpdatesEx_1.response.xml");
	reply_file("DestroyPropertyFilter",
	           "DestroyPropertyFilter.response.xml");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_msg(vs_task_wait(NULL, c, &t65, 60, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(calls(), 4);
	finish(c);
}
END_TEST

START_TEST(test_deadline_exceeded)
{
	struct vs_task_result r;
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	reply("CreateFilter", FILTER);
	/* a server answering "no change" at once: the client sleeps 1 s
	 * between polls rather than spinning */
	reply("WaitForUpdatesEx", "");
	reply("WaitForUpdatesEx", "");
	reply("WaitForUpdatesEx", "");
	reply("DestroyPropertyFilter", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(&r, c, &task1, 2.5, &err), VS_ETIMEOUT);
	ck_assert_int_eq(err.code, VS_ETIMEOUT);
	ck_assert(err.transient);
	ck_assert_ptr_nonnull(strstr(err.message, "task-1"));
	ck_assert_ptr_nonnull(strstr(body_at(2), "<maxWaitSeconds>3"
	                             "</maxWaitSeconds>"));
	ck_assert_ptr_nonnull(strstr(body_at(3), "<maxWaitSeconds>2"
	                             "</maxWaitSeconds>"));
	ck_assert_ptr_nonnull(strstr(body_at(4), "<maxWaitSeconds>1"
	                             "</maxWaitSeconds>"));
	ck_assert_str_eq(op_at(5), "DestroyPropertyFilter");
	ck_assert_double_eq(fake_clock, 1003.0);
	finish(c);
}
END_TEST

START_TEST(test_zero_timeout_no_filter)
{
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("queued", ""));
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 0, &err), VS_ETIMEOUT);
	/* the deadline had passed before a filter was worth creating */
	ck_assert_uint_eq(calls(), 1);
	finish(c);
}
END_TEST

START_TEST(test_filter_destroyed_on_wait_error)
{
	struct vs_client *c;
	struct vs_error err;

	reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	reply("CreateFilter", FILTER);
	fault("WaitForUpdatesEx", "InvalidCollectorVersion");
	reply("DestroyPropertyFilter", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err), VS_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidCollectorVersion");
	ck_assert_str_eq(op_at(3), "DestroyPropertyFilter");
	finish(c);
}
END_TEST

START_TEST(test_bad_updates)
{
	static const char *const bad[] = {
		/* unknown state */
		UPDATE("1", "session[s]f-1", "task-1",
		       CHANGE("info.state", "<val>exploded</val>")),
		/* error without a typed fault */
		UPDATE("1", "session[s]f-1", "task-1",
		       CHANGE("info.error", "<val><localizedMessage>x"
		              "</localizedMessage></val>")),
		/* no version */
		"<returnval><filterSet><filter type=\"PropertyFilter\">"
		"session[s]f-1</filter></filterSet></returnval>",
		/* filter without a reference */
		"<returnval><version>1</version><filterSet></filterSet>"
		"</returnval>",
	};
	struct vs_client *c;
	struct vs_error err;
	int rc;

	reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	reply("CreateFilter", FILTER);
	reply("WaitForUpdatesEx", bad[_i]);
	reply("DestroyPropertyFilter", "");
	c = connect_client();
	vs_error_clear(&err);
	rc = vs_task_wait(NULL, c, &task1, 60, &err);
	ck_assert_msg(rc == VS_EPARSE, "case %d: rc %d %s", _i, rc,
	              err.message);
	ck_assert_str_eq(op_at(3), "DestroyPropertyFilter");
	finish(c);
}
END_TEST

START_TEST(test_task_gone)
{
	struct vs_client *c;
	struct vs_error err;

	fault("RetrievePropertiesEx", "ManagedObjectNotFound");
	reply("RetrievePropertiesEx", TASK_PROPS("running", ""));
	reply("CreateFilter", FILTER);
	reply("WaitForUpdatesEx", "<returnval><version>1</version><filterSet>"
	      "<filter type=\"PropertyFilter\">session[s]f-1</filter>"
	      "<objectSet><kind>leave</kind><obj type=\"Task\">task-1</obj>"
	      "</objectSet></filterSet></returnval>");
	reply("DestroyPropertyFilter", "");
	c = connect_client();
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err),
	                 VS_ENOTFOUND);
	ck_assert_str_eq(err.fault, "ManagedObjectNotFound");
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, &task1, 60, &err),
	                 VS_ENOTFOUND);
	vs_error_clear(&err);
	ck_assert_int_eq(vs_task_wait(NULL, c, NULL, 60, &err), VS_EINVAL);
	finish(c);
}
END_TEST

static Suite *
task_suite(void)
{
	Suite *s = suite_create("task");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_finished_one_round_trip);
	tcase_add_test(tc, test_finished_text_result_null_out);
	tcase_add_test(tc, test_task_error_typed_fault);
	tcase_add_test(tc, test_task_error_without_fault);
	tcase_add_test(tc, test_running_then_done);
	tcase_add_test(tc, test_simulator_quirks);
	tcase_add_test(tc, test_deadline_exceeded);
	tcase_add_test(tc, test_zero_timeout_no_filter);
	tcase_add_test(tc, test_filter_destroyed_on_wait_error);
	tcase_add_loop_test(tc, test_bad_updates, 0, 4);
	tcase_add_test(tc, test_task_gone);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(task_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
