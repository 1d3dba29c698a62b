/*
 * tests/unit/check_fake_transport.c: the shared scripted transport of
 * tests/support/fake_transport.h, driven directly (no client): queued
 * replies by op, mismatches, Logout, failures, size lies, content type,
 * downloads, upload ticks, the free/finish counts and the session
 * cookie's jar line (cookie_save, cookie_load).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/fake_transport.h"

static struct vs_http_request
request(const char *op)
{
	struct vs_http_request r;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = "https://vc.example/sdk";
	r.op = op;
	r.soap_action = "urn:vim25/8.0";
	r.body = "<x/>";
	r.body_len = 4;
	r.time_left_s = 7;
	return r;
}

static int
roundtrip(struct vs_http_response *resp, const struct vs_http_request *r,
          struct err *err)
{
	err_clear(err);
	return ft.base.roundtrip(&ft.base, r, resp, err);
}

static void
setup(void)
{
	ft_reset_empty(NULL);
}

static void
teardown(void)
{
	ft_clear();
}

START_TEST(replies_in_order_by_op)
{
	struct vs_http_request r = request("CreateFolder");
	struct vs_http_response resp;
	struct err err;

	ft_reply_raw("CreateFolder", 404, "gone");
	ft_reply("RetrievePropertiesEx", "<returnval/>");
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_int_eq(resp.status, 404);
	ck_assert_str_eq(resp.body, "gone");
	ck_assert_uint_eq(resp.body_len, 4);
	vs_http_response_clear(&resp);
	/* the request as sent */
	ck_assert_uint_eq(ft.nreq, 1);
	ck_assert_str_eq(ft.req[0].op, "CreateFolder");
	ck_assert_str_eq(ft.req[0].soap_action, "urn:vim25/8.0");
	ck_assert_str_eq(ft.req[0].body, "<x/>");
	ck_assert(ft.req[0].time_left_s == 7);
	/* not the next queued op: refused, the first mismatch kept */
	ck_assert_int_eq(roundtrip(&resp, &r, &err), ERR_EREPLAY);
	ck_assert_str_eq(ft.mismatch, "step 1: got CreateFolder, expected "
	                 "RetrievePropertiesEx");
	r.op = "RetrievePropertiesEx";
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_ptr_nonnull(strstr(resp.body, "<RetrievePropertiesEx"
	                             "Response xmlns=\"urn:vim25\">"
	                             "<returnval/>"));
	vs_http_response_clear(&resp);
	ck_assert_uint_eq(ft.next, ft.nsteps);
}
END_TEST

START_TEST(logout_answered_or_queued)
{
	struct vs_http_request r = request("Logout");
	struct vs_http_response resp;
	struct err err;

	/* nothing queued for it: answered anyway */
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_int_eq(resp.status, 200);
	ck_assert_ptr_nonnull(strstr(resp.body, "LogoutResponse"));
	vs_http_response_clear(&resp);
	/* queued: the queued reply (here a failure) */
	ft_fail("Logout", ERR_ETLS, false);
	ck_assert_int_eq(roundtrip(&resp, &r, &err), ERR_ETLS);
	ck_assert_ptr_nonnull(strstr(err.message, "fake transport failure"));
	ck_assert_ptr_nonnull(strstr(err.message, " to vc.example"));
	ck_assert(!err.maybe_sent);
	ck_assert_uint_eq(ft.logouts, 2);
	ck_assert_uint_eq(ft.nreq, 2);
	ft_all_used();
}
END_TEST

START_TEST(failures_and_size_lies)
{
	struct vs_http_request r = request("Login");
	struct vs_http_response resp;
	struct err err;

	ft_fail("Login", ERR_ETIMEOUT, true);
	ft_reply_raw("Login", 200, "abc");
	ft.steps[ft.nsteps - 1].claim_len = 1000;
	ck_assert_int_eq(roundtrip(&resp, &r, &err), ERR_ETIMEOUT);
	ck_assert(err.maybe_sent);
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_str_eq(resp.body, "abc");
	ck_assert_uint_eq(resp.body_len, 1000);
	ck_assert_ptr_null(resp.content_type);
	vs_http_response_clear(&resp);
	ft_all_used();
}
END_TEST

START_TEST(download_and_content_type)
{
	char path[] = "/tmp/check_fake_transport.XXXXXX";
	struct vs_http_request r = request("file-get");
	struct vs_http_response resp;
	struct err err;
	struct ft_step *st;
	char *text;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	r.method = "GET";
	r.body = NULL;
	r.body_len = 0;
	r.download_path = path;
	st = ft_step("file-get", 200);
	st->body = ft_fmt("%s", "file bytes");
	st->download = true;
	st->content_type = "application/octet-stream";
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_ptr_null(resp.body);
	ck_assert_str_eq(resp.content_type, "application/octet-stream");
	vs_http_response_clear(&resp);
	text = ft_read_file(path);
	ck_assert_str_eq(text, "file bytes");
	free(text);
	unlink(path);
	ck_assert_ptr_null(ft.req[0].body);
}
END_TEST

static int ticks_seen;

static int
count_ticks(void *ud, unsigned long long sent, unsigned long long total,
            struct err *err)
{
	(void)ud;
	(void)err;
	ck_assert_uint_le(sent, total);
	ticks_seen++;
	return 0;
}

START_TEST(upload_ticks_and_counts)
{
	struct vs_http_request r = request("nfc-upload");
	struct vs_http_response resp;
	struct err err;

	r.upload_path = "/dev/null";
	r.progress = count_ticks;
	ticks_seen = 0;
	ft_reply_http("nfc-upload", 201);
	ft.ticks[0] = 3;
	ft.delay[0] = 6;
	ck_assert_int_eq(roundtrip(&resp, &r, &err), 0);
	ck_assert_int_eq(resp.status, 201);
	vs_http_response_clear(&resp);
	ck_assert_int_eq(ticks_seen, 3);
	ck_assert(ft.clock == FT_CLOCK_START + 6);
	/* the owner's finish and free are counted, nothing is freed */
	ck_assert_int_eq(ft.base.finish(&ft.base, &err), 0);
	ft.base.free(&ft.base);
	ck_assert_uint_eq(ft.finishes, 1);
	ck_assert_uint_eq(ft.frees, 1);
	ck_assert_uint_eq(ft.nreq, 1);
}
END_TEST

START_TEST(cookie_jar_save_and_load)
{
	struct err err;
	char *line = NULL;

	/* no cookie yet: none to save */
	err_clear(&err);
	ck_assert_int_eq(vs_transport_cookie_save(&ft.base, &line,
	                 "vmware_soap_session", &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(line);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", "\"52a1-b2\"");
	/* another cookie's name: none either */
	ck_assert_int_eq(vs_transport_cookie_save(&ft.base, &line,
	                 "JSESSIONID", &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(line);
	ck_assert_int_eq(vs_transport_cookie_save(&ft.base, &line,
	                 "vmware_soap_session", &err), 0);
	ck_assert_str_eq(line, "127.0.0.1\tFALSE\t/\tFALSE\t0\t"
	                 "vmware_soap_session\t\"52a1-b2\"");
	ck_assert(vs_cookie_jar_is(line, "vmware_soap_session"));
	ck_assert(!vs_cookie_jar_is(line, "vmware_soap"));
	ck_assert_uint_eq(ft.cookie_saves, 3);
	/* loaded back into an empty jar: the value without its quotes */
	ft.cookie[0] = '\0';
	ck_assert_int_eq(vs_transport_cookie_load(&ft.base, line, &err), 0);
	ck_assert_str_eq(ft.cookie_line, line);
	ck_assert_str_eq(ft.cookie, "52a1-b2");
	ck_assert_uint_eq(ft.cookie_loads, 1);
	free(line);
	/* another cookie's line: refused, nothing changed */
	ck_assert_int_eq(vs_transport_cookie_load(&ft.base, "h\tFALSE\t/\t"
	                 "FALSE\t0\tJSESSIONID\tx", &err), ERR_EPARSE);
	ck_assert_str_eq(ft.cookie, "52a1-b2");
	/* a failure asked for */
	ft.cookie_load_rc = ERR_ENOMEM;
	ck_assert_int_eq(vs_transport_cookie_load(&ft.base, FT_JAR_HEAD "y",
	                 &err), ERR_ENOMEM);
	ck_assert_str_eq(ft.cookie, "52a1-b2");
	ck_assert_uint_eq(ft.cookie_loads, 3);
	ck_assert_uint_eq(ft.nreq, 0);
}
END_TEST

static Suite *
fake_transport_suite(void)
{
	Suite *s = suite_create("fake_transport");
	TCase *tc = tcase_create("fake");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, replies_in_order_by_op);
	tcase_add_test(tc, logout_answered_or_queued);
	tcase_add_test(tc, failures_and_size_lies);
	tcase_add_test(tc, download_and_content_type);
	tcase_add_test(tc, upload_ticks_and_counts);
	tcase_add_test(tc, cookie_jar_save_and_load);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(fake_transport_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
