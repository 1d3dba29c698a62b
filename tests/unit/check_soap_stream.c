/*
 * check_soap_stream: property collector pages read as they are parsed
 * (vsphere/soap_stream.h): the objects handed over in order with the
 * token, replies that are not a page left to the whole parse, hostile
 * and broken XML refused, a NotAuthenticated missing set stopping the
 * delivery; and through vs_pc_retrieve over the fake transport: a 200
 * fault, a re-login in the middle of a page (what came before it is
 * dropped), a page cut short.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/soap_stream.h"
#include "vsphere/vsphere.h"

#define OBJ(id)                                                         \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><propSet>"   \
	"<name>name</name><val xsi:type=\"xsd:string\">n-" id "</val>"  \
	"</propSet></objects>"
#define NOT_AUTH(id)                                                    \
	"<objects><obj type=\"VirtualMachine\">" id "</obj><missingSet>" \
	"<path>name</path><fault><fault xsi:type=\"NotAuthenticated\">" \
	"</fault><localizedMessage>no</localizedMessage></fault>"       \
	"</missingSet></objects>"
#define PAGE(inner)                                                     \
	FT_ENV_HEAD "<RetrievePropertiesExResponse xmlns=\"urn:vim25\">" \
	inner "</RetrievePropertiesExResponse>" FT_ENV_TAIL

/* What a stream handed over: the objects' morefs in order. */
struct seen {
	char ids[8][256];
	size_t n;
	int begins;
	int fail_at;            /* the callback fails at this object (1-),
	                           0: never */
};

static int
on_objects(void *ud, xmlNodePtr objects, struct err *err)
{
	struct seen *s = ud;
	struct vs_object o;
	int rc;

	if (s->fail_at > 0 && s->n + 1 == (size_t)s->fail_at)
		return err_set(err, ERR_ENOMEM, "callback failed");
	rc = vs_object_from_node(&o, objects, NULL, err);
	if (rc < 0)
		return rc;
	ck_assert_uint_lt(s->n, 8);
	snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", o.obj.value);
	vs_object_clear(&o);
	return 0;
}

static void
on_begin(void *ud)
{
	struct seen *s = ud;

	s->n = 0;
	s->begins++;
}

/* body streamed; *whole_out as the read set it. */
static int
stream(struct seen *s, struct vs_soap_stream *st, bool *whole_out,
       const char *body, struct err *err)
{
	memset(s, 0, sizeof(*s));
	memset(st, 0, sizeof(*st));
	st->objects = on_objects;
	st->begin = on_begin;
	st->ud = s;
	err_clear(err);
	return vs_soap_stream_reply(whole_out, body, strlen(body),
	                            "RetrievePropertiesExResponse", st, err);
}

START_TEST(test_objects_and_token)
{
	struct vs_soap_stream st;
	struct seen s;
	struct err err;
	bool whole;

	ck_assert_int_eq(stream(&s, &st, &whole, PAGE("<returnval><token>"
	                        "tok-1</token>" OBJ("vm-1") OBJ("vm-2")
	                        OBJ("vm-3") "</returnval>"), &err), 0);
	ck_assert(!whole);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.ids[0], "vm-1");
	ck_assert_str_eq(s.ids[2], "vm-3");
	ck_assert_int_eq(s.begins, 1);
	ck_assert_str_eq(st.token, "tok-1");
	ck_assert(!st.not_authenticated);
	free(st.token);
	/* a Header is passed over; no token: the last page */
	ck_assert_int_eq(stream(&s, &st, &whole,
	                        "<soapenv:Envelope xmlns:soapenv=\"http://"
	                        "schemas.xmlsoap.org/soap/envelope/\" "
	                        "xmlns:xsi=\"http://www.w3.org/2001/"
	                        "XMLSchema-instance\"><soapenv:Header><x>"
	                        "<objects/></x></soapenv:Header><soapenv:"
	                        "Body><RetrievePropertiesExResponse xmlns="
	                        "\"urn:vim25\"><returnval>" OBJ("vm-9")
	                        "</returnval></RetrievePropertiesExResponse>"
	                        "</soapenv:Body></soapenv:Envelope>", &err),
	                 0);
	ck_assert(!whole);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.ids[0], "vm-9");
	ck_assert_ptr_null(st.token);
	/* no result at all: begun, nothing handed over */
	ck_assert_int_eq(stream(&s, &st, &whole, PAGE(""), &err), 0);
	ck_assert(!whole);
	ck_assert_int_eq(s.begins, 1);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

/* A fault, another response, no envelope, an empty Body: left whole,
 * nothing handed over. */
START_TEST(test_not_a_page)
{
	static const char *const bodies[] = {
		FT_ENV_HEAD "<soapenv:Fault><faultcode>x</faultcode>"
		"<faultstring>y</faultstring></soapenv:Fault>" FT_ENV_TAIL,
		FT_ENV_HEAD "<CreateFolderResponse xmlns=\"urn:vim25\">"
		"<returnval>" OBJ("vm-1") "</returnval>"
		"</CreateFolderResponse>" FT_ENV_TAIL,
		"<RetrievePropertiesExResponse xmlns=\"urn:vim25\"><returnval>"
		OBJ("vm-1") "</returnval></RetrievePropertiesExResponse>",
		FT_ENV_HEAD FT_ENV_TAIL,
		"",
	};
	struct vs_soap_stream st;
	struct seen s;
	struct err err;
	bool whole;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		ck_assert_int_eq(stream(&s, &st, &whole, bodies[i], &err), 0);
		ck_assert_msg(whole, "body %zu", i);
		ck_assert_uint_eq(s.n, 0);
		ck_assert_int_eq(s.begins, 0);
	}
}
END_TEST

/* A DTD, broken XML after an object, a bad token, a failing callback:
 * errors (what was handed over before, if anything, stays the caller's
 * to drop). */
START_TEST(test_refused)
{
	struct vs_soap_stream st;
	struct seen s;
	struct err err;
	bool whole;
	char *big;

	ck_assert_int_eq(stream(&s, &st, &whole, "<!DOCTYPE x [<!ENTITY e "
	                        "\"boom\">]><soapenv:Envelope xmlns:soapenv="
	                        "\"http://schemas.xmlsoap.org/soap/envelope/"
	                        "\"><soapenv:Body><RetrievePropertiesEx"
	                        "Response xmlns=\"urn:vim25\"><returnval>"
	                        "<token>&e;</token></returnval></Retrieve"
	                        "PropertiesExResponse></soapenv:Body></soap"
	                        "env:Envelope>", &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "DTD"));
	ck_assert_uint_eq(s.n, 0);
	ck_assert_int_eq(stream(&s, &st, &whole, PAGE("<returnval>"
	                        OBJ("vm-1") "<objects><obj>") , &err),
	                 ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "not well-formed"));
	ck_assert_int_eq(stream(&s, &st, &whole, PAGE("<returnval><token>"
	                        "</token>" OBJ("vm-1") "</returnval>"),
	                        &err), ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message, "token"));
	big = malloc(1100);
	ck_assert_ptr_nonnull(big);
	memset(big, 'x', 1099);
	big[1099] = '\0';
	{
		char *body = ft_fmt(PAGE("<returnval><token>%s</token>"
		                         "</returnval>"), big);

		ck_assert_int_eq(stream(&s, &st, &whole, body, &err),
		                 ERR_EPARSE);
		free(body);
	}
	free(big);
	memset(&s, 0, sizeof(s));
	memset(&st, 0, sizeof(st));
	s.fail_at = 2;
	st.objects = on_objects;
	st.ud = &s;
	err_clear(&err);
	ck_assert_int_eq(vs_soap_stream_reply(&whole, PAGE("<returnval>"
	                 OBJ("vm-1") OBJ("vm-2") OBJ("vm-3") "</returnval>"),
	                 strlen(PAGE("<returnval>" OBJ("vm-1") OBJ("vm-2")
	                 OBJ("vm-3") "</returnval>")),
	                 "RetrievePropertiesExResponse", &st, &err),
	                 ERR_ENOMEM);
	ck_assert_uint_eq(s.n, 1);
	free(st.token);
}
END_TEST

/* NotAuthenticated in an object's missing set: flagged, and nothing
 * from there on handed over; the tree path says the same. */
START_TEST(test_not_authenticated)
{
	static const char body[] = PAGE("<returnval>" OBJ("vm-1")
	                                NOT_AUTH("vm-2") OBJ("vm-3")
	                                "</returnval>");
	struct vs_soap_stream st;
	struct seen s;
	struct err err;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp = NULL;
	bool whole;

	ck_assert_int_eq(stream(&s, &st, &whole, body, &err), 0);
	ck_assert(st.not_authenticated);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.ids[0], "vm-1");
	ck_assert_int_eq(vs_soap_parse_reply(&doc, &resp, body, strlen(body),
	                                     NULL, &err), 0);
	memset(&s, 0, sizeof(s));
	st.not_authenticated = false;
	ck_assert_int_eq(vs_soap_stream_tree(resp, &st, &err), 0);
	ck_assert(st.not_authenticated);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_int_eq(s.begins, 1);
	xmlFreeDoc(doc);
}
END_TEST

/* --- through vs_pc_retrieve ------------------------------------------ */

static const char *const name_path[] = { "name", NULL };

static int
retrieve(struct vs_objects **list, struct vs_client *c, struct err *err)
{
	struct vs_property_spec ps = { .type = "VirtualMachine",
	                               .paths = name_path };
	struct vs_object_spec os = { .obj = { "Folder", "group-v3" } };
	struct vs_pc_query q = { .spec = { .props = &ps, .nprops = 1,
	                                   .objects = &os, .nobjects = 1 } };

	err_clear(err);
	return vs_pc_retrieve(list, c, &q, err);
}

/* The session gone while the collector answered a page: one re-login,
 * the page read again, and what its first answer gave before the
 * refusal is not kept twice. */
START_TEST(test_retrieve_relogin_mid_page)
{
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reset("soap_stream");
	ft_reply("RetrievePropertiesEx", "<returnval>" OBJ("vm-1")
	         NOT_AUTH("vm-2") "</returnval>");
	ft_reply_file("Login", "vim/02_Login.response.xml");
	ft_reply("RetrievePropertiesEx", "<returnval>" OBJ("vm-1")
	         OBJ("vm-2") "</returnval>");
	c = ft_connect();
	ck_assert_msg(retrieve(&list, c, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(list->n, 2);
	ck_assert_str_eq(list->items[0].obj.value, "vm-1");
	ck_assert_str_eq(list->items[1].obj.value, "vm-2");
	ck_assert_str_eq(ft_op_at(1), "Login");
	vs_objects_free(list);
	ft_finish(c);
	ft_clear();
}
END_TEST

/* A fault in a 200 reply is still the fault; a later page cut short
 * is an error with no list, the last token cancelled. */
START_TEST(test_retrieve_fault_and_cut)
{
	struct vs_objects *list = NULL;
	struct vs_client *c;
	struct err err;

	ft_reset("soap_stream");
	ft_reply_raw("RetrievePropertiesEx", 200, FT_ENV_HEAD
	             "<soapenv:Fault><faultcode>ServerFaultCode</faultcode>"
	             "<faultstring>no</faultstring><detail><InvalidArgument"
	             "Fault xmlns=\"urn:vim25\" xsi:type=\"InvalidArgument\">"
	             "</InvalidArgumentFault></detail></soapenv:Fault>"
	             FT_ENV_TAIL);
	ft_reply("RetrievePropertiesEx", "<returnval><token>tok-1</token>"
	         OBJ("vm-1") "</returnval>");
	ft_reply_raw("ContinueRetrievePropertiesEx", 200,
	             FT_ENV_HEAD "<ContinueRetrievePropertiesExResponse "
	             "xmlns=\"urn:vim25\"><returnval>" OBJ("vm-2")
	             "<objects>");
	ft_reply("CancelRetrievePropertiesEx", "");
	c = ft_connect();
	ck_assert_int_eq(retrieve(&list, c, &err), ERR_EFAULT);
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ck_assert_ptr_null(list);
	ck_assert_int_eq(retrieve(&list, c, &err), ERR_EPARSE);
	ck_assert_ptr_null(list);
	ck_assert_str_eq(ft_op_at(3), "CancelRetrievePropertiesEx");
	ck_assert_ptr_nonnull(strstr(ft_body_at(3), "<token>tok-1</token>"));
	ft_finish(c);
	ft_clear();
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("soap_stream");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_objects_and_token);
	tcase_add_test(tc, test_not_a_page);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_not_authenticated);
	tcase_add_test(tc, test_retrieve_relogin_mid_page);
	tcase_add_test(tc, test_retrieve_fault_and_cut);
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
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
