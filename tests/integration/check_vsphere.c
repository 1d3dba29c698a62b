/*
 * Integration suite of the SOAP client and datastore files against the
 * vCenter simulator over TLS (tests/sim/run.sh exports VCSIM_URL,
 * VCSIM_HOST, VCSIM_USER, VCSIM_PASSWORD, VCSIM_CA_CERT,
 * VCSIM_WRONG_CA_CERT and CPI_TEST_OUTDIR).
 *
 *   make BUILD=build/x INTEG_SRC=tests/integration/check_vsphere.c \
 *       integration
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/transports.h"
#include "vsphere/vim.h"
#include "vsphere/vsphere.h"

#define DC_PATH "DC0"
#define DS "LocalDS_0"

struct logbuf {
	char text[65536];
};

static struct logbuf logs;

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0',
	              "%s is not set: run this suite through tests/sim/run.sh",
	              name);
	return v;
}

static void
log_line(void *ud, int level, const char *msg)
{
	struct logbuf *b = ud;
	size_t n = strlen(b->text);

	snprintf(b->text + n, sizeof(b->text) - n, "%d %s\n", level, msg);
	fprintf(stderr, "vsphere[%d]: %s\n", level, msg);
}

static char *
read_file(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len_out != NULL)
		*len_out = (size_t)n;
	return buf;
}

/* A client over the curl transport.  ca: a PEM file, or NULL for the
 * insecure opt-out. */
static int
client_new(struct vs_client **out, const char *ca, const char *password,
           struct err *err)
{
	struct vs_curl_opts co;
	struct vs_client_opts o;
	struct vs_transport *t = NULL;
	char *pem = NULL;
	int rc;

	memset(&co, 0, sizeof(co));
	if (ca != NULL)
		pem = read_file(ca, NULL);
	co.ca_cert_pem = pem;
	co.insecure = ca == NULL;
	co.connect_timeout_s = 10;
	co.timeout_s = 60;
	co.log = log_line;
	co.log_ud = &logs;
	rc = vs_transport_curl_new(&t, &co, err);
	free(pem);
	if (rc != 0)
		return rc;
	memset(&o, 0, sizeof(o));
	o.url = env("VCSIM_URL");
	o.user = env("VCSIM_USER");
	o.password = password;
	o.transport = t;
	o.log = log_line;
	o.log_ud = &logs;
	o.max_retries = 1;
	o.retry_base_s = 0.1;
	return vs_client_new(out, &o, err);
}

static struct vs_client *
connected(void)
{
	struct vs_client *c = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_msg(client_new(&c, env("VCSIM_CA_CERT"),
	                         env("VCSIM_PASSWORD"), &err) == 0, "%s",
	              err.message);
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	return c;
}

static void
setup(void)
{
	logs.text[0] = '\0';
}

static void
teardown(void)
{
	const char *pw = getenv("VCSIM_PASSWORD");

	/* Whatever the test did, the password never reached a log line. */
	if (pw != NULL && pw[0] != '\0')
		ck_assert_ptr_null(strstr(logs.text, pw));
}

START_TEST(login_logout)
{
	struct vs_client *c;
	struct err err;
	unsigned n;

	c = connected();
	ck_assert(vs_client_logged_in(c));
	ck_assert_str_eq(vs_client_api_version(c), "6.5");
	ck_assert_str_eq(vs_client_sc(c)->api_type, "VirtualCenter");
	ck_assert_str_eq(vs_client_sc(c)->root_folder.value, "group-d1");
	ck_assert_uint_eq(vs_client_roundtrips(c), 2);
	err_clear(&err);
	ck_assert_int_eq(vs_client_logout(c, &err), 0);
	ck_assert(!vs_client_logged_in(c));
	n = vs_client_roundtrips(c);
	ck_assert_uint_eq(n, 3);
	printf("vsphere round trips: RetrieveServiceContent + Login + "
	       "Logout = %u\n", n);
	vs_client_free(c);
}
END_TEST

START_TEST(bad_password)
{
	struct vs_client *c = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(client_new(&c, env("VCSIM_CA_CERT"), "not-it", &err),
	                 0);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidLogin");
	ck_assert(!err.transient);
	ck_assert_ptr_nonnull(strstr(err.message, "Login: InvalidLogin"));
	ck_assert(!vs_client_logged_in(c));
	ck_assert_uint_eq(vs_client_roundtrips(c), 2);
	vs_client_free(c);
}
END_TEST

START_TEST(wrong_ca)
{
	struct vs_client *c = NULL;
	struct err err;
	char host[256], *colon;

	snprintf(host, sizeof(host), "%s", env("VCSIM_HOST"));
	colon = strrchr(host, ':');
	if (colon != NULL)
		*colon = '\0';
	err_clear(&err);
	ck_assert_int_eq(client_new(&c, env("VCSIM_WRONG_CA_CERT"),
	                            env("VCSIM_PASSWORD"), &err), 0);
	ck_assert_int_eq(vs_client_connect(c, &err), ERR_ETLS);
	ck_assert_msg(strstr(err.message, host) != NULL,
	              "no host in: %s", err.message);
	ck_assert(!err.transient);
	/* A certificate problem is not retried. */
	ck_assert_uint_eq(vs_client_roundtrips(c), 1);
	ck_assert(!vs_client_logged_in(c));
	vs_client_free(c);
}
END_TEST

START_TEST(insecure_opt_out)
{
	struct vs_client *c = NULL;
	struct err err;

	err_clear(&err);
	ck_assert_int_eq(client_new(&c, NULL, env("VCSIM_PASSWORD"), &err),
	                 0);
	ck_assert_msg(vs_client_connect(c, &err) == 0, "%s", err.message);
	ck_assert(vs_client_logged_in(c));
	vs_client_free(c);
}
END_TEST

/* Ends the session behind the client's back, so the next call finds it
 * gone. */
static void
logout_behind_back(struct vs_client *c)
{
	struct err err;
	xmlDocPtr req, doc = NULL;
	xmlNodePtr m, resp;

	err_clear(&err);
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "Logout",
	                 &vs_client_sc(c)->session_manager, &err), 0);
	ck_assert_msg(vs_client_call(c, req, &doc, &resp, &err) == 0, "%s",
	              err.message);
	xmlFreeDoc(doc);
}

START_TEST(relogin_after_session_loss)
{
	static const char *const paths[] = { "name", NULL };
	struct vs_client *c;
	struct vs_object *o = NULL;
	struct err err;
	const char *name;
	xmlDocPtr req, doc = NULL;
	xmlNodePtr m, resp;
	unsigned before;

	c = connected();
	/* Property collector: the simulator answers with a missingSet
	 * NotAuthenticated. */
	logout_behind_back(c);
	before = vs_client_roundtrips(c);
	err_clear(&err);
	ck_assert_msg(vs_get_props(&o, c, &vs_client_sc(c)->root_folder,
	                           paths, &err) == 0, "%s", err.message);
	ck_assert_int_eq(vs_object_get_str(&name, o, "name", &err), 0);
	ck_assert_str_eq(name, "Datacenters");
	vs_object_free(o);
	ck_assert_uint_eq(vs_client_roundtrips(c) - before, 3);

	/* Any other method: a NotAuthenticated fault. */
	logout_behind_back(c);
	before = vs_client_roundtrips(c);
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CurrentTime",
	                 &(struct vs_moref){ "ServiceInstance",
	                                     "ServiceInstance" }, &err), 0);
	ck_assert_msg(vs_client_call(c, req, &doc, &resp, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_nonnull(vs_xml_child(resp, "returnval"));
	xmlFreeDoc(doc);
	ck_assert_uint_eq(vs_client_roundtrips(c) - before, 3);
	ck_assert_ptr_nonnull(strstr(logs.text, "logging in again"));
	vs_client_free(c);
}
END_TEST

static void
fill_bytes(unsigned char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)((i * 131u + 7u) & 0xff);
}

START_TEST(file_round_trip)
{
	static const char path[] = "[" DS "] p5 files/sub dir/f \xc3\xbc+%.bin";
	struct vs_client *c;
	struct err err;
	unsigned char data[70000];
	char *back = NULL, local_in[1024], local_out[1024];
	const char *outdir = env("CPI_TEST_OUTDIR");
	size_t len = 0;
	FILE *f;

	fill_bytes(data, sizeof(data));
	c = connected();
	err_clear(&err);
	ck_assert_msg(vs_file_upload_mem(c, DC_PATH, path, data, sizeof(data),
	                                 false, &err) == 0, "%s", err.message);
	ck_assert_msg(vs_file_download_mem(&back, &len, c, DC_PATH, path,
	                                   &err) == 0, "%s", err.message);
	ck_assert_uint_eq(len, sizeof(data));
	ck_assert_mem_eq(back, data, sizeof(data));
	free(back);

	/* Local files, both ways. */
	snprintf(local_in, sizeof(local_in), "%s/p5-in.bin", outdir);
	snprintf(local_out, sizeof(local_out), "%s/p5-out.bin", outdir);
	f = fopen(local_in, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, 1000, f), 1000);
	fclose(f);
	ck_assert_msg(vs_file_upload(c, DC_PATH, "[" DS "] p5 files/b.bin",
	                             local_in, &err) == 0, "%s", err.message);
	ck_assert_msg(vs_file_download(c, DC_PATH, "[" DS "] p5 files/b.bin",
	                               local_out, &err) == 0, "%s",
	              err.message);
	back = read_file(local_out, &len);
	ck_assert_uint_eq(len, 1000);
	ck_assert_mem_eq(back, data, 1000);
	free(back);

	/* Missing file, unknown datastore. */
	ck_assert_int_eq(vs_file_download_mem(&back, &len, c, DC_PATH,
	                 "[" DS "] p5 files/none.bin", &err), ERR_ENOTFOUND);
	ck_assert_int_eq(err.http_status, 404);
	err_clear(&err);
	ck_assert_int_eq(vs_file_download_mem(&back, &len, c, DC_PATH,
	                 "[NoSuchDS] x.bin", &err), ERR_ENOTFOUND);
	vs_client_free(c);
}
END_TEST

START_TEST(directories_and_delete)
{
	struct vs_client *c;
	struct err err;
	struct vs_moref dc;
	char *back = NULL;
	size_t len;
	unsigned before;

	c = connected();
	err_clear(&err);
	ck_assert_msg(vs_find_by_inventory_path(&dc, c, DC_PATH, &err) == 0,
	              "%s", err.message);
	ck_assert_str_eq(dc.type, "Datacenter");
	ck_assert_msg(vs_file_make_directory(c, &dc, "[" DS "] p5-dir/a/b",
	                                     true, &err) == 0, "%s",
	              err.message);
	/* Again, without parents so the simulator answers FileAlreadyExists:
	 * success. */
	before = vs_client_roundtrips(c);
	ck_assert_msg(vs_file_make_directory(c, &dc, "[" DS "] p5-dir/a/b",
	                                     false, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(vs_client_roundtrips(c) - before, 1);
	ck_assert_ptr_nonnull(strstr(logs.text, "already exists"));
	/* Without parents below a missing directory: a real error. */
	ck_assert_int_eq(vs_file_make_directory(c, &dc, "[" DS "] p5-no/x",
	                                        false, &err), ERR_EFAULT);
	ck_assert_str_ne(err.fault, "");
	err_clear(&err);

	ck_assert_msg(vs_file_upload_mem(c, DC_PATH, "[" DS "] p5-dir/a/f",
	                                 "x", 1, false, &err) == 0, "%s",
	              err.message);
	ck_assert_msg(vs_file_delete(c, &dc, "[" DS "] p5-dir", &err) == 0,
	              "%s", err.message);
	ck_assert_int_eq(vs_file_download_mem(&back, &len, c, DC_PATH,
	                 "[" DS "] p5-dir/a/f", &err), ERR_ENOTFOUND);
	err_clear(&err);
	ck_assert_int_eq(vs_file_delete(c, &dc, "[" DS "] p5-dir", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.fault, "FileNotFound");
	err_clear(&err);
	ck_assert_int_eq(vs_file_delete(c, &dc, "[" DS "] never/there",
	                                &err), ERR_ENOTFOUND);
	vs_client_free(c);
}
END_TEST

static Suite *
vsphere_suite(void)
{
	Suite *s = suite_create("vsphere");
	TCase *tc = tcase_create("simulator");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, login_logout);
	tcase_add_test(tc, bad_password);
	tcase_add_test(tc, wrong_ca);
	tcase_add_test(tc, insecure_opt_out);
	tcase_add_test(tc, relogin_after_session_loss);
	tcase_add_test(tc, file_round_trip);
	tcase_add_test(tc, directories_and_delete);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(vsphere_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	xmlCleanupParser();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
