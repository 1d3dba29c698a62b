/*
 * tests/unit/check_tags.c: the `tags` cloud property (cpi/tags.h) and
 * the vAPI REST session under it (vsphere/rest.h), against the fake
 * transport.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/config.h"
#include "cpi/dispatch.h"
#include "cpi/log.h"
#include "cpi/tags.h"
#include "tests/support/fake_transport.h"
#include "vsphere/rest.h"

#define SESSION "sess-0123456789abcdef"
#define SESSION_REPLY "{\"value\":\"" SESSION "\"}"

static struct cpi_log *tlog;

static void
setup(void)
{
	struct err err = { 0 };

	ft_reset("tags");
	ck_assert_int_eq(cpi_log_new(&tlog, NULL, CPI_LOG_DEBUG, &err), 0);
}

static void
teardown(void)
{
	cpi_log_free(tlog);
	tlog = NULL;
	ft_clear();
}

/* --- parsing ------------------------------------------------------- */

static int
parse(struct cpi_tags *t, const char *text, struct err *err)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	int rc;

	ck_assert_ptr_nonnull(v);
	rc = cpi_tags_parse(t, v, err);
	json_decref(v);
	return rc;
}

START_TEST(test_parse_ok)
{
	struct err err = { 0 };
	struct cpi_tags t;

	ck_assert_int_eq(parse(&t, "[{\"category\":\" C \",\"tag\":\"T\\t\"},"
	                          "{\"category\":\"C\",\"tag\":\"U\","
	                          "\"extra\":1}]", &err), 0);
	ck_assert_uint_eq(t.n, 2);
	ck_assert_str_eq(t.v[0].category, "C");
	ck_assert_str_eq(t.v[0].tag, "T");
	ck_assert_str_eq(t.v[1].tag, "U");
	cpi_tags_clear(&t);
	ck_assert_int_eq(parse(&t, "[]", &err), 0);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(parse(&t, "null", &err), 0);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(cpi_tags_parse(&t, NULL, &err), 0);
	ck_assert_uint_eq(t.n, 0);
	cpi_tags_clear(&t);
	cpi_tags_clear(NULL);
}
END_TEST

START_TEST(test_parse_refused)
{
	static const char *const bad[] = {
		"\"C:T\"",
		"{\"category\":\"c\",\"tag\":\"t\"}",
		"[1]",
		"[\"c\"]",
		"[{\"category\":\"c\"}]",
		"[{\"tag\":\"t\"}]",
		"[{\"category\":\"\",\"tag\":\"t\"}]",
		"[{\"category\":\"c\",\"tag\":\" \"}]",
		"[{\"category\":\"c\",\"tag\":5}]",
		"[{\"category\":[\"c\"],\"tag\":\"t\"}]",
		"[{\"category\":\"c\",\"tag\":\"t\"},{\"category\":\"c\"}]",
	};
	struct cpi_tags t;
	json_t *many;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err err = { 0 };

		ck_assert_msg(parse(&t, bad[i], &err) < 0, "%s accepted",
		              bad[i]);
		ck_assert_int_eq(err.type, CPI_ERROR_CLOUD);
		ck_assert_msg(strstr(err.message, "cloud_properties.tags") !=
		              NULL, "%s: %s", bad[i], err.message);
		cpi_tags_clear(&t);
	}
	many = json_array();
	for (i = 0; i < 65; i++)
		json_array_append_new(many, json_pack("{s:s,s:s}", "category",
		                                      "c", "tag", "t"));
	{
		struct err err = { 0 };

		ck_assert_int_lt(cpi_tags_parse(&t, many, &err), 0);
		ck_assert_ptr_nonnull(strstr(err.message, "at most 64"));
	}
	cpi_tags_clear(&t);
	json_decref(many);
}
END_TEST

/* --- the REST session ---------------------------------------------- */

START_TEST(test_rest_session)
{
	struct vs_client *c = ft_connect();
	struct err err = { 0 };
	struct vs_rest *s = NULL;
	const struct ft_req *r;
	char *reply = NULL;
	size_t len = 0;

	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-x", 200, "{\"value\":[\"a\"]}");
	ft_reply_raw("rest-logout", 200, "");
	ck_assert_int_eq(vs_rest_login(&s, c, "u", "p", &err), 0);
	ck_assert_int_eq(vs_rest_call(&reply, &len, s, "POST",
	                              "/com/vmware/cis/tagging/category",
	                              "{\"a\":1}", "rest-x", &err), 0);
	ck_assert_str_eq(reply, "{\"value\":[\"a\"]}");
	ck_assert_uint_eq(len, strlen(reply));
	free(reply);
	ck_assert_int_eq(vs_rest_logout(s, &err), 0);
	ft_finish(c);
	r = ft_req_at(0);
	ck_assert_str_eq(r->method, "POST");
	ck_assert_str_eq(r->url, "https://vc.example:443/rest/com/vmware/"
	                         "cis/session");
	/* base64("u:p") */
	ck_assert_str_eq(r->headers, "Authorization: Basic dTpw\n"
	                             "Accept: application/json\n");
	ck_assert_ptr_null(r->body);
	ck_assert_ptr_null(r->content_type);
	r = ft_req_at(1);
	ck_assert_str_eq(r->url, "https://vc.example:443/rest/com/vmware/"
	                         "cis/tagging/category");
	ck_assert_str_eq(r->headers, "vmware-api-session-id: " SESSION "\n"
	                             "Accept: application/json\n");
	ck_assert_str_eq(r->body, "{\"a\":1}");
	ck_assert_str_eq(r->content_type, "application/json");
	r = ft_req_at(2);
	ck_assert_str_eq(r->method, "DELETE");
	ck_assert_str_eq(r->url, "https://vc.example:443/rest/com/vmware/"
	                         "cis/session");
	ck_assert_str_eq(r->headers, "vmware-api-session-id: " SESSION "\n"
	                             "Accept: application/json\n");
	/* nothing of the session in the client's log */
	ck_assert_ptr_null(strstr(ft.last_log, SESSION));
}
END_TEST

START_TEST(test_rest_errors)
{
	struct vs_client *c = ft_connect();
	struct err err = { 0 };
	struct vs_rest *s = NULL;
	char *reply = NULL;

	ft_reply_raw("rest-session", 401, "");
	ft_reply_raw("rest-session", 200, "{}");
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-get", 404, "no\nsuch");
	ft_reply_raw("rest-logout", 500, "");
	ck_assert_int_eq(vs_rest_login(&s, c, "u", "p", &err), ERR_EHTTP);
	ck_assert_ptr_null(s);
	ck_assert_int_eq(err.http_status, 401);
	ck_assert_str_eq(err.message, "REST rest-session: HTTP 401");
	err_clear(&err);
	ck_assert_int_eq(vs_rest_login(&s, c, "u", "p", &err), ERR_EPARSE);
	ck_assert_ptr_null(s);
	err_clear(&err);
	ck_assert_int_eq(vs_rest_login(&s, c, "u", "p", &err), 0);
	ck_assert_int_eq(vs_rest_call(&reply, NULL, s, "GET", "/x", NULL,
	                              "rest-get", &err), ERR_EHTTP);
	ck_assert_ptr_null(reply);
	ck_assert_str_eq(err.message, "REST rest-get: HTTP 404: "
	                              "no\\x0asuch");
	err_clear(&err);
	ck_assert_int_eq(vs_rest_logout(s, &err), ERR_EHTTP);
	ck_assert_int_eq(vs_rest_logout(NULL, &err), 0);
	ft_finish(c);
}
END_TEST

START_TEST(test_rest_path)
{
	struct err err = { 0 };
	char *p = NULL;

	ck_assert_int_eq(vs_rest_path(&p, "/t/id:", "urn:a b/c%~._-Z9",
	                              "?~action=x", &err), 0);
	ck_assert_str_eq(p, "/t/id:urn:a%20b%2Fc%25~._-Z9?~action=x");
	free(p);
}
END_TEST

/* --- attaching ----------------------------------------------------- */

/* A call whose config holds the fake's credentials. */
static struct cpi_config cfg;
static struct cpi_call call;

static const struct cpi_call *
fake_call(void)
{
	memset(&cfg, 0, sizeof(cfg));
	memset(&call, 0, sizeof(call));
	cfg.vcenter.user = (char *)"u";
	cfg.vcenter.password = (char *)"p";
	call.config = &cfg;
	call.log = tlog;
	return &call;
}

static void
attach(const char *tags_json)
{
	struct vs_client *c = ft_connect();
	struct err err = { 0 };
	struct cpi_tags t;

	ck_assert_int_eq(parse(&t, tags_json, &err), 0);
	cpi_tags_attach(c, "vm-42", &t, "vm-cid", fake_call());
	cpi_tags_clear(&t);
	ft_finish(c);
}

static bool
logged(const char *needle)
{
	return strstr(cpi_log_text(tlog), needle) != NULL;
}

/* The request i's path after the host. */
static const char *
path_at(size_t i)
{
	const char *u = ft_req_at(i)->url;

	ck_assert_ptr_nonnull(u);
	return u + strlen("https://vc.example:443");
}

START_TEST(test_attach_one)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-category-list", 200,
	             "{\"value\":[\"cat:1\",\"cat:2\"]}");
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"id\":\"cat:1\",\"name\":\"other\"}}");
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"id\":\"cat:2\",\"name\":\"C\","
	             "\"cardinality\":\"SINGLE\",\"associable_types\":[]}}");
	ft_reply_raw("rest-tag-list", 200, "{\"value\":[\"tag:1\"]}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"T\"}}");
	ft_reply_raw("rest-tag-attach", 200, "");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"C\",\"tag\":\"T\"}]");
	ck_assert_str_eq(path_at(1), "/rest/com/vmware/cis/tagging/category");
	ck_assert_str_eq(ft_req_at(1)->method, "GET");
	ck_assert_str_eq(path_at(2), "/rest/com/vmware/cis/tagging/category/"
	                             "id:cat:1");
	ck_assert_str_eq(path_at(4), "/rest/com/vmware/cis/tagging/tag/"
	                             "id:cat:2?~action=list-tags-for-category");
	ck_assert_str_eq(ft_req_at(4)->method, "POST");
	ck_assert_str_eq(path_at(5), "/rest/com/vmware/cis/tagging/tag/"
	                             "id:tag:1");
	ck_assert_str_eq(path_at(6), "/rest/com/vmware/cis/tagging/"
	                             "tag-association/id:tag:1?~action=attach");
	ck_assert_str_eq(ft_body_at(6), "{\"object_id\":{\"id\":\"vm-42\","
	                                "\"type\":\"VirtualMachine\"}}");
	ck_assert_msg(!logged("WARN"), "%s", cpi_log_text(tlog));
	ck_assert(logged("attaching tags to vm 'vm-cid' finished"));
}
END_TEST

START_TEST(test_attach_several)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-category-list", 200, "{\"value\":[\"cat:1\"]}");
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"name\":\"C\",\"cardinality\":\"MULTIPLE\","
	             "\"associable_types\":[\"Datastore\","
	             "\"VirtualMachine\"]}}");
	ft_reply_raw("rest-tag-list", 200,
	             "{\"value\":[\"tag:1\",\"tag:2\",\"tag:3\"]}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"T\"}}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"X\"}}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"U\"}}");
	ft_reply_raw("rest-tag-attach-multiple", 200,
	             "{\"value\":{\"success\":true}}");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"C\",\"tag\":\"T\"},"
	       "{\"category\":\"C\",\"tag\":\"U\"},"
	       "{\"category\":\"C\",\"tag\":\"T\"}]");
	ck_assert_str_eq(path_at(7), "/rest/com/vmware/cis/tagging/"
	                             "tag-association?~action="
	                             "attach-multiple-tags-to-object");
	ck_assert_str_eq(ft_body_at(7), "{\"object_id\":{\"id\":\"vm-42\","
	                                "\"type\":\"VirtualMachine\"},"
	                                "\"tag_ids\":[\"tag:1\",\"tag:3\"]}");
	ck_assert(logged("duplicated tags found in tag category 'C'"));
}
END_TEST

START_TEST(test_attach_single_cardinality)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-category-list", 200, "{\"value\":[\"cat:1\"]}");
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"name\":\"C\",\"cardinality\":\"SINGLE\"}}");
	ft_reply_raw("rest-tag-list", 200,
	             "{\"value\":[\"tag:1\",\"tag:2\"]}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"T\"}}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"U\"}}");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"C\",\"tag\":\"T\"},"
	       "{\"category\":\"C\",\"tag\":\"U\"}]");
	ck_assert(logged("tag category 'C' does not support 'Multiple "
	                 "Cardinality'"));
}
END_TEST

/* An unknown category, a category not for VMs, an unknown tag, a
 * failing read: warnings naming them, and the next category is tried. */
START_TEST(test_attach_warnings)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-category-list", 200,
	             "{\"value\":[\"cat:1\",\"cat:2\",\"cat:3\"]}");
	/* X: read every category, none matches */
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"name\":\"DS\",\"associable_types\":"
	             "[\"Datastore\"]}}");
	ft_reply_raw("rest-category-get", 200,
	             "{\"value\":{\"name\":\"C\"}}");
	ft_reply_raw("rest-category-get", 500, "boom");
	/* DS: read already, not for VMs.  C: its tags, none named Z */
	ft_reply_raw("rest-tag-list", 200, "{\"value\":[\"tag:1\"]}");
	ft_reply_raw("rest-tag-get", 200, "{\"value\":{\"name\":\"T\"}}");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"X\",\"tag\":\"T\"},"
	       "{\"category\":\"DS\",\"tag\":\"T\"},"
	       "{\"category\":\"C\",\"tag\":\"Z\"}]");
	ck_assert_msg(logged("category 'X': REST rest-category-get: HTTP 500: "
	                     "boom"), "%s", cpi_log_text(tlog));
	ck_assert(logged("tag category 'DS' is not associated with object "
	                 "type: 'Virtual Machine'"));
	ck_assert(logged("unable to locate tag with name 'Z' in category "
	                 "'C'"));
	ck_assert(logged("none of the provided tags exist for the category "
	                 "'C'"));
	ck_assert(logged("finished"));
}
END_TEST

START_TEST(test_attach_unknown_category)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	ft_reply_raw("rest-category-list", 200, "{\"value\":[\"cat:1\"]}");
	ft_reply_raw("rest-category-get", 200, "{\"value\":{\"name\":\"C\"}}");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"X\",\"tag\":\"T\"}]");
	ck_assert(logged("unable to locate category with name 'X' on "
	                 "vCenter"));
}
END_TEST

START_TEST(test_attach_no_categories)
{
	ft_reply_raw("rest-session", 200, SESSION_REPLY);
	/* the simulator leaves an empty list out */
	ft_reply_raw("rest-category-list", 200, "{}");
	ft_reply_raw("rest-logout", 200, "");
	attach("[{\"category\":\"C\",\"tag\":\"T\"}]");
	ck_assert(logged("no category exists on vCenter"));
}
END_TEST

/* No vAPI session: a warning, create_vm goes on; no logout. */
START_TEST(test_attach_no_session)
{
	ft_reply_raw("rest-session", 404, "");
	attach("[{\"category\":\"C\",\"tag\":\"T\"}]");
	ck_assert(logged("unable to attach tags: REST rest-session: HTTP "
	                 "404"));
	ck_assert_uint_eq(ft_calls(), 1);
}
END_TEST

START_TEST(test_attach_nothing)
{
	struct vs_client *c = ft_connect();

	cpi_tags_attach(c, "vm-42", NULL, "vm-cid", fake_call());
	ft_finish(c);
	ck_assert_uint_eq(ft_calls(), 0);
}
END_TEST

static Suite *
tags_suite(void)
{
	Suite *s = suite_create("tags");
	TCase *tc = tcase_create("tags");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_parse_ok);
	tcase_add_test(tc, test_parse_refused);
	tcase_add_test(tc, test_rest_session);
	tcase_add_test(tc, test_rest_errors);
	tcase_add_test(tc, test_rest_path);
	tcase_add_test(tc, test_attach_one);
	tcase_add_test(tc, test_attach_several);
	tcase_add_test(tc, test_attach_single_cardinality);
	tcase_add_test(tc, test_attach_warnings);
	tcase_add_test(tc, test_attach_unknown_category);
	tcase_add_test(tc, test_attach_no_categories);
	tcase_add_test(tc, test_attach_no_session);
	tcase_add_test(tc, test_attach_nothing);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(tags_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
