/*
 * check_preflight (unit): the report of `cpi check` (items, the exit
 * decision, the JSON document and the text form) and the privilege query
 * (FetchUserPrivilegeOnEntities request in schema order, reply parsing, a
 * fault) over the fake transport.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/check.h"
#include "tests/support/fake_transport.h"
#include "vsphere/preflight.h"

static void
three_items(struct cpi_check_report *r)
{
	ck_assert_int_eq(cpi_check_add(r, CPI_CHECK_OK, "datacenter",
	                 "cloud.properties.vcenters[0].datacenters[0].name",
	                 NULL, "datacenter '%s' found", "DC0"), 0);
	ck_assert_int_eq(cpi_check_add(r, CPI_CHECK_WARNING, "agent.ntp",
	                 "cloud.properties.agent.ntp", "list NTP servers",
	                 "no NTP servers are configured"), 0);
	ck_assert_int_eq(cpi_check_add(r, CPI_CHECK_ERROR, "cluster",
	                 "cloud.properties.vcenters[0].datacenters[0]"
	                 ".clusters[1]", "name an existing cluster",
	                 "cluster '%s' not found", "CL9"), 0);
}

START_TEST(test_report_json)
{
	struct cpi_check_report r;
	size_t counts[3];
	json_t *doc, *it;

	memset(&r, 0, sizeof(r));
	three_items(&r);
	ck_assert(cpi_check_failed(&r, counts));
	ck_assert_uint_eq(counts[0], 1);
	ck_assert_uint_eq(counts[1], 1);
	ck_assert_uint_eq(counts[2], 1);
	doc = cpi_check_report_json(&r);
	ck_assert_ptr_nonnull(doc);
	ck_assert(json_is_false(json_object_get(doc, "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(
	                 doc, "summary"), "error")), 1);
	ck_assert(json_is_null(json_object_get(doc, "roundtrips")));
	ck_assert_ptr_null(json_object_get(doc, "incomplete"));
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "checks")), 3);
	it = json_array_get(json_object_get(doc, "checks"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(it, "check")),
	                 "datacenter");
	ck_assert_str_eq(json_string_value(json_object_get(it, "status")),
	                 "ok");
	ck_assert_str_eq(json_string_value(json_object_get(it, "message")),
	                 "datacenter 'DC0' found");
	ck_assert(json_is_null(json_object_get(it, "fix")));
	it = json_array_get(json_object_get(doc, "checks"), 2);
	ck_assert_str_eq(json_string_value(json_object_get(it, "status")),
	                 "error");
	ck_assert_str_eq(json_string_value(json_object_get(it, "fix")),
	                 "name an existing cluster");
	ck_assert_uint_eq(json_object_size(it), 5);
	json_decref(doc);

	/* only ok and warning: ok, with the round trips */
	cpi_check_report_clear(&r);
	ck_assert_uint_eq(r.n, 0);
	cpi_check_add(&r, CPI_CHECK_WARNING, "x", NULL, NULL, "w");
	r.has_roundtrips = true;
	r.roundtrips = 5;
	ck_assert(!cpi_check_failed(&r, counts));
	doc = cpi_check_report_json(&r);
	ck_assert(json_is_true(json_object_get(doc, "ok")));
	ck_assert_int_eq(json_integer_value(json_object_get(doc,
	                 "roundtrips")), 5);
	ck_assert(json_is_null(json_object_get(json_array_get(
	          json_object_get(doc, "checks"), 0), "key")));
	json_decref(doc);

	/* an incomplete report is never ok */
	r.incomplete = true;
	ck_assert(cpi_check_failed(&r, counts));
	doc = cpi_check_report_json(&r);
	ck_assert(json_is_false(json_object_get(doc, "ok")));
	ck_assert(json_is_true(json_object_get(doc, "incomplete")));
	json_decref(doc);
	cpi_check_report_clear(&r);
	cpi_check_report_clear(NULL);
}
END_TEST

static char *
text_of(const struct cpi_check_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(cpi_check_report_text(f, r), 0);
	fclose(f);
	return buf;
}

START_TEST(test_report_text)
{
	struct cpi_check_report r;
	char *t;

	memset(&r, 0, sizeof(r));
	three_items(&r);
	r.has_roundtrips = true;
	r.roundtrips = 4;
	t = text_of(&r);
	ck_assert_str_eq(t,
	    "ok       datacenter: datacenter 'DC0' found\n"
	    "         key: cloud.properties.vcenters[0].datacenters[0].name\n"
	    "WARNING  agent.ntp: no NTP servers are configured\n"
	    "         key: cloud.properties.agent.ntp\n"
	    "         fix: list NTP servers\n"
	    "ERROR    cluster: cluster 'CL9' not found\n"
	    "         key: cloud.properties.vcenters[0].datacenters[0]"
	    ".clusters[1]\n"
	    "         fix: name an existing cluster\n"
	    "\n"
	    "1 ok, 1 warning(s), 1 error(s); 4 vCenter round trip(s)\n"
	    "Some checks failed: fix the errors above before deploying.\n");
	free(t);
	cpi_check_report_clear(&r);

	cpi_check_add(&r, CPI_CHECK_OK, "config", NULL, NULL, "fine");
	t = text_of(&r);
	ck_assert_str_eq(t, "ok       config: fine\n\n"
	                 "1 ok, 0 warning(s), 0 error(s)\n"
	                 "Nothing here will stop a deploy.\n");
	free(t);
	cpi_check_report_clear(&r);
}
END_TEST

START_TEST(test_status_names)
{
	ck_assert_str_eq(cpi_check_status_name(CPI_CHECK_OK), "ok");
	ck_assert_str_eq(cpi_check_status_name(CPI_CHECK_WARNING), "warning");
	ck_assert_str_eq(cpi_check_status_name(CPI_CHECK_ERROR), "error");
}
END_TEST

START_TEST(test_mbus)
{
	static const struct {
		const char *url;
		int rc;
		bool creds;
		const char *why;
	} cases[] = {
		{ "nats://nats:pw@10.0.0.6:4222", 0, true, NULL },
		{ "nats://nats:p/w@x@10.0.0.6:4222", 0, true, NULL },
		{ "https://mbus:pw@192.0.2.6:6868", 0, true, NULL },
		{ "http://mbus.example", 0, false, NULL },
		{ "nats://u:p@[2001:db8::6]:4222", 0, true, NULL },
		{ "nats://[2001:db8::6]", 0, false, NULL },
		{ "nats://h:4222/path", 0, false, NULL },
		{ "", -1, false, "does not start with" },
		{ "nats:/h:4222", -1, false, "does not start with" },
		{ "amqp://h:5672", -1, false, "does not start with" },
		{ "natsx://h", -1, false, "does not start with" },
		{ "nats://u:p@:4222", -1, true, "names no host" },
		{ "nats://", -1, false, "names no host" },
		{ "nats://u:p@", -1, true, "names no host" },
		{ "nats://h:0", -1, false, "bad port" },
		{ "nats://h:65536", -1, false, "bad port" },
		{ "nats://h:42a", -1, false, "bad port" },
		{ "nats://h:", -1, false, "bad port" },
		{ "nats://h:99999999999999999999", -1, false, "bad port" },
		{ "nats://[2001:db8::6", -1, false, "malformed IPv6" },
		{ "nats://[]:4222", -1, false, "malformed IPv6" },
		{ "nats://[::1]x", -1, false, "malformed IPv6" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = "unset";
		bool creds = !cases[i].creds;
		int rc = cpi_check_mbus(cases[i].url, &why, &creds);

		ck_assert_msg(rc == cases[i].rc, "%s: rc %d", cases[i].url,
		              rc);
		ck_assert_msg(creds == cases[i].creds, "%s: creds",
		              cases[i].url);
		if (cases[i].why == NULL)
			ck_assert_ptr_null(why);
		else
			ck_assert_msg(why != NULL &&
			              strstr(why, cases[i].why) != NULL,
			              "%s: %s", cases[i].url, why);
		/* the reason never quotes the URL */
		ck_assert(why == NULL || cases[i].url[0] == '\0' ||
		          strstr(why, cases[i].url) == NULL);
	}
	ck_assert_int_eq(cpi_check_mbus(NULL, &(const char *){ NULL },
	                                &(bool){ false }), -1);
}
END_TEST

/* --- the privilege query ----------------------------------------------- */

static void
setup(void)
{
	ft_reset("preflight");
}

static void
teardown(void)
{
	ft_clear();
}

START_TEST(test_privileges_fetch)
{
	static const struct vs_moref ents[] = {
		{ "Datacenter", "datacenter-2" },
		{ "Network", "network-7" },
	};
	struct vs_privileges *p = NULL;
	struct err err = {0};
	struct vs_client *c;
	const char *body, *e1, *e2, *user;

	ft_reply("FetchUserPrivilegeOnEntities",
	         "<returnval><entity type=\"Datacenter\">datacenter-2</entity>"
	         "<privileges>System.View</privileges>"
	         "<privileges>Folder.Create</privileges></returnval>"
	         "<returnval><entity type=\"Network\">network-7</entity>"
	         "</returnval>");
	c = ft_connect();
	ck_assert_msg(vs_privileges_fetch(&p, c, ents, 2, "bosh@vsphere.local",
	              &err) == 0, "%s", err.message);
	ft_finish(c);
	body = ft_body_at(0);
	/* _this, entities…, userName: the schema's order */
	ck_assert_ptr_nonnull(strstr(body, "<_this type=\"AuthorizationManager\""));
	e1 = strstr(body, ">datacenter-2</entities>");
	e2 = strstr(body, ">network-7</entities>");
	user = strstr(body, "<userName>bosh@vsphere.local</userName>");
	ck_assert(e1 != NULL && e2 != NULL && user != NULL);
	ck_assert(e1 < e2 && e2 < user);
	ck_assert_uint_eq(p->n, 2);
	ck_assert(vs_privileges_has(p, &ents[0], "Folder.Create"));
	ck_assert(!vs_privileges_has(p, &ents[0], "Folder.Delete"));
	ck_assert(!vs_privileges_has(p, &ents[1], "Network.Assign"));
	ck_assert(!vs_privileges_has(p, &(struct vs_moref){ "Datastore",
	          "datacenter-2" }, "Folder.Create"));
	ck_assert(!vs_privileges_has(NULL, &ents[0], "Folder.Create"));
	vs_privileges_free(p);
	vs_privileges_free(NULL);
}
END_TEST

START_TEST(test_privileges_fault)
{
	static const struct vs_moref ent = { "Datacenter", "datacenter-2" };
	struct vs_privileges *p = NULL;
	struct err err = {0};
	struct vs_client *c;

	ft_fault("FetchUserPrivilegeOnEntities", "NoPermission");
	c = ft_connect();
	ck_assert_int_eq(vs_privileges_fetch(&p, c, &ent, 1, "u", &err),
	                 ERR_EFAULT);
	ft_finish(c);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err.fault, "NoPermission");
	ck_assert_ptr_nonnull(strstr(err.message,
	                             "FetchUserPrivilegeOnEntities"));
}
END_TEST

START_TEST(test_privileges_bad_reply)
{
	static const struct vs_moref ent = { "Datacenter", "datacenter-2" };
	struct vs_privileges *p = NULL;
	struct err err = {0};
	struct vs_client *c;

	/* a result without its entity */
	ft_reply("FetchUserPrivilegeOnEntities",
	         "<returnval><privileges>System.View</privileges></returnval>");
	c = ft_connect();
	ck_assert_int_lt(vs_privileges_fetch(&p, c, &ent, 1, "u", &err), 0);
	ft_finish(c);
	ck_assert_ptr_null(p);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("preflight");
	TCase *tc = tcase_create("report");
	TCase *tp = tcase_create("privileges");

	tcase_add_test(tc, test_report_json);
	tcase_add_test(tc, test_report_text);
	tcase_add_test(tc, test_status_names);
	tcase_add_test(tc, test_mbus);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_add_test(tp, test_privileges_fetch);
	tcase_add_test(tp, test_privileges_fault);
	tcase_add_test(tp, test_privileges_bad_reply);
	suite_add_tcase(s, tp);
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
