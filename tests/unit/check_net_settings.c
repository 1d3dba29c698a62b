/* Unit tests of the agent settings document (cpi/agent_net.h): cpi/
 * writes network/'s validated networks and the rest with jansson. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/agent_net.h"
#include "network/net.h"

static struct net_networks *
validate(const struct net_network_in *in, size_t n)
{
	struct err err = { 0 };
	struct net_networks *nets = NULL;

	ck_assert_msg(net_networks_validate(&nets, in, n, &err) == 0,
	              "validate: %s", err.message);
	return nets;
}

/* The request's networks hash one_network() was read from. */
#define ONE_REQUEST \
	"{\"default\":{\"cloud_properties\":{\"name\":\"VM Network\"}}}"

static struct net_networks *
one_network(void)
{
	static const char *const dns[] = { "8.8.8.8" };
	struct net_network_in in = {
		.name = "default",
		.type = "manual",
		.ip = "10.0.0.10",
		.netmask = "255.255.255.0",
		.gateway = "10.0.0.1",
		.dns = dns,
		.ndns = 1,
		.port_group = "VM Network",
	};
	struct net_networks *nets = validate(&in, 1);
	struct err err = { 0 };

	ck_assert_int_eq(net_network_set_mac(&nets->v[0], "00:50:56:9a:12:34",
	                                     &err), 0);
	return nets;
}

/* JSON text as json_t (freed by the caller). */
static json_t *
js(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	ck_assert_msg(v != NULL, "bad test JSON %s", text);
	return v;
}

/* The document, compact; s->request_networks defaults to ONE_REQUEST. */
static char *
settings(struct cpi_agent_settings *s)
{
	struct err err = { 0 };
	json_t *req = NULL, *doc = NULL, *back;
	char *json;

	if (s->request_networks == NULL) {
		req = js(ONE_REQUEST);
		s->request_networks = req;
	}
	ck_assert_msg(cpi_agent_settings_json(&doc, s, &err) == 0,
	              "settings: %s", err.message);
	json = json_dumps(doc, JSON_COMPACT);
	ck_assert_ptr_nonnull(json);
	back = json_loads(json, 0, NULL);
	ck_assert(json_is_object(back));
	json_decref(back);
	cpi_agent_settings_free(doc);
	if (req != NULL) {
		s->request_networks = NULL;
		json_decref(req);
	}
	return json;
}

static void
settings_fail(const struct cpi_agent_settings *s, const char *want)
{
	struct err err = { 0 };
	json_t *doc = (json_t *)1;

	ck_assert_int_eq(cpi_agent_settings_json(&doc, s, &err), ERR_FAIL);
	ck_assert_ptr_null(doc);
	ck_assert_str_eq(err.message, want);
}

#define NET_ONE \
	"\"networks\":{\"default\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\"," \
	"\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\"," \
	"\"dns\":[\"8.8.8.8\"],\"default\":[\"dns\",\"gateway\"]," \
	"\"cloud_properties\":{\"name\":\"VM Network\"}," \
	"\"mac\":\"00:50:56:9a:12:34\"}}"

static char ntp_0[] = "0.pool.ntp.org";
static char ntp_1[] = "1.pool.ntp.org";
static char *ntp2[] = { ntp_0, ntp_1 };

START_TEST(test_basic_document)
{
	struct net_networks *nets = one_network();
	static char mbus[] = "https://mbus:pw@0.0.0.0:6868";
	struct cpi_agent agent = { .ntp = ntp2, .nntp = 2, .mbus = mbus };
	json_t *sys = js("\"0\""), *eph = js("\"1\"");
	json_t *env = js("{\"bosh\":{\"group\":\"g\",\"groups\":[\"g\"]}}");
	struct cpi_agent_settings s = {
		.agent_id = "a1b2c3",
		.vm_name = "vm-6f1c2d",
		.vm_id = "vm-1234",
		.networks = nets,
		.disk_system = sys,
		.disk_ephemeral = eph,
		.env = env,
		.agent = &agent,
	};
	char *json = settings(&s);

	ck_assert_str_eq(json,
	    "{\"agent_id\":\"a1b2c3\","
	    "\"vm\":{\"name\":\"vm-6f1c2d\",\"id\":\"vm-1234\"},"
	    NET_ONE ","
	    "\"disks\":{\"system\":\"0\",\"ephemeral\":\"1\","
	    "\"persistent\":{}},"
	    "\"env\":{\"bosh\":{\"group\":\"g\",\"groups\":[\"g\"]}},"
	    "\"ntp\":[\"0.pool.ntp.org\",\"1.pool.ntp.org\"],"
	    "\"mbus\":\"https://mbus:pw@0.0.0.0:6868\"}");
	free(json);
	json_decref(sys);
	json_decref(eph);
	json_decref(env);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_absent_keys_omitted)
{
	struct net_networks *nets = one_network();
	struct cpi_agent agent = { 0 };
	json_t *eph = js("{\"id\":\"6000c29a\"}");
	struct cpi_agent_settings s = {
		.agent_id = "a",
		.vm_name = "n",
		.networks = nets,
	};
	char *json = settings(&s);

	ck_assert_str_eq(json,
	    "{\"agent_id\":\"a\",\"vm\":{\"name\":\"n\"}," NET_ONE ","
	    "\"disks\":{\"persistent\":{}}}");
	free(json);

	/* a present but empty ntp list is written as [] */
	agent.ntp = ntp2;
	agent.nntp = 0;
	s.agent = &agent;
	s.disk_ephemeral = eph;
	json = settings(&s);
	ck_assert_str_eq(json,
	    "{\"agent_id\":\"a\",\"vm\":{\"name\":\"n\"}," NET_ONE ","
	    "\"disks\":{\"ephemeral\":{\"id\":\"6000c29a\"},"
	    "\"persistent\":{}},\"ntp\":[]}");
	free(json);
	json_decref(eph);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_multihomed_v4_v6)
{
	static const char *const dns4[] = { "10.0.0.2" };
	static const char *const dns6[] = { "2001:db8::53" };
	static const char *const def[] = { "gateway", "dns" };
	static char mbus[] = "nats://nats:secret@10.0.0.5:4222";
	static char blob[] = "{\"options\":{\"endpoint\":\"https://b\"},"
	                     "\"provider\":\"dav\"}";
	struct net_network_in in[2] = {
		{
			.name = "v4", .ip = "10.0.0.10",
			.netmask = "255.255.255.0", .gateway = "10.0.0.1",
			.prefix = "32", .dns = dns4, .ndns = 1,
			.defaults = def, .ndefaults = 2,
			.port_group = "BOSH-V4",
		},
		{
			.name = "v6", .type = "manual",
			.ip = "2001:db8:0:1::10", .prefix = "64",
			.gateway = "2001:DB8:0:1::1", .dns = dns6, .ndns = 1,
			.port_group = "BOSH-V6",
		},
	};
	json_t *h1 = js("\"2\""), *h2 = js("{\"id\":\"6000c29b\",\"lun\":\"3\"}");
	json_t *sys = js("\"0\""), *eph = js("{\"id\":\"6000c29a\"}");
	json_t *env = js("{}");
	json_t *req = js("{\"v4\":{\"cloud_properties\":{\"name\":\"BOSH-V4\"}},"
	                 "\"v6\":{\"cloud_properties\":{\"name\":\"BOSH-V6\"}}}");
	const struct cpi_disk_hint disks[] = {
		{ "disk-2f4e", h1 },
		{ "disk-\"q\"", h2 },
	};
	struct cpi_agent agent = {
		.ntp = ntp2, .nntp = 1, .mbus = mbus, .blobstore_json = blob,
	};
	struct err err = { 0 };
	struct net_networks *nets = validate(in, 2);
	struct cpi_agent_settings s = {
		.agent_id = "agent-1",
		.vm_name = "vm-abc",
		.vm_id = "vm-42",
		.networks = nets,
		.request_networks = req,
		.disk_system = sys,
		.disk_ephemeral = eph,
		.persistent = disks,
		.npersistent = 2,
		.env = env,
		.agent = &agent,
	};
	char *json;

	ck_assert_int_eq(net_network_set_mac(&nets->v[0], "00:50:56:01:02:03",
	                                     &err), 0);
	ck_assert_int_eq(net_network_set_mac(&nets->v[1], "00:50:56:0A:0B:0C",
	                                     &err), 0);
	json = settings(&s);
	ck_assert_str_eq(json,
	    "{\"agent_id\":\"agent-1\","
	    "\"vm\":{\"name\":\"vm-abc\",\"id\":\"vm-42\"},"
	    "\"networks\":{"
	    "\"v4\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	    "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	    "\"prefix\":\"32\",\"dns\":[\"10.0.0.2\"],"
	    "\"default\":[\"dns\",\"gateway\"],"
	    "\"cloud_properties\":{\"name\":\"BOSH-V4\"},"
	    "\"mac\":\"00:50:56:01:02:03\"},"
	    "\"v6\":{\"type\":\"manual\","
	    "\"ip\":\"2001:0db8:0000:0001:0000:0000:0000:0010\","
	    "\"netmask\":\"ffff:ffff:ffff:ffff:0000:0000:0000:0000\","
	    "\"gateway\":\"2001:0db8:0000:0001:0000:0000:0000:0001\","
	    "\"prefix\":\"64\","
	    "\"dns\":[\"2001:0db8:0000:0000:0000:0000:0000:0053\"],"
	    "\"default\":[],"
	    "\"cloud_properties\":{\"name\":\"BOSH-V6\"},"
	    "\"mac\":\"00:50:56:0a:0b:0c\"}},"
	    "\"disks\":{\"system\":\"0\",\"ephemeral\":{\"id\":\"6000c29a\"},"
	    "\"persistent\":{\"disk-2f4e\":\"2\","
	    "\"disk-\\\"q\\\"\":{\"id\":\"6000c29b\",\"lun\":\"3\"}}},"
	    "\"env\":{},"
	    "\"ntp\":[\"0.pool.ntp.org\"],"
	    "\"mbus\":\"nats://nats:secret@10.0.0.5:4222\","
	    "\"blobstore\":{\"options\":{\"endpoint\":\"https://b\"},"
	    "\"provider\":\"dav\"}}");
	free(json);
	json_decref(h1);
	json_decref(h2);
	json_decref(sys);
	json_decref(eph);
	json_decref(env);
	json_decref(req);
	net_networks_free(nets);
}
END_TEST

/* jansson's escapes: the same as before but for \u00XX, whose hex
 * digits jansson writes in upper case (\u001F). */
START_TEST(test_string_escaping)
{
	static char ntp_ctl[] = "a\x01z\x1f\x7f";
	static char *ntp[] = { ntp_ctl };
	static char mbus[] = "\xef\xbf\xbf";
	struct net_networks *nets = one_network();
	struct cpi_agent agent = { .ntp = ntp, .nntp = 1, .mbus = mbus };
	struct cpi_agent_settings s = {
		.agent_id = "q\"b\\s/\b\f\n\r\t",
		.vm_name = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		.networks = nets,
		.agent = &agent,
	};
	char *json = settings(&s);

	ck_assert_str_eq(json,
	    "{\"agent_id\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\","
	    "\"vm\":{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"},"
	    NET_ONE ",\"disks\":{\"persistent\":{}},"
	    "\"ntp\":[\"a\\u0001z\\u001F\x7f\"],"
	    "\"mbus\":\"\xef\xbf\xbf\"}");
	free(json);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_invalid_utf8_rejected)
{
	static const char *const bad[] = {
		"\xc3",             /* truncated */
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong */
		"\xed\xa0\x80",     /* surrogate D800 */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\xff",
		"ok\x80",           /* stray continuation */
	};
	static char mbus[] = "nats://user:pa\xffss@host:4222";
	struct net_networks *nets = one_network();
	struct cpi_agent agent = { .mbus = mbus };
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s.agent_id = bad[i];
		settings_fail(&s,
		              "agent settings: agent_id is not valid UTF-8");
	}
	s.agent_id = "a";
	/* the message never carries the secret itself */
	s.agent = &agent;
	settings_fail(&s, "agent settings: mbus is not valid UTF-8");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_fragments_checked)
{
	static char blob[] = "{\"provider\":\"s3\",\"options\":{\"secret\":x}}";
	struct net_networks *nets = one_network();
	json_t *arr = js("[\"s3cret\"]"), *zero = js("0"), *two = js("2");
	json_t *sys = js("\"0\"");
	struct cpi_agent agent = { .blobstore_json = blob };
	struct cpi_disk_hint hint = { "disk-1", two };
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
	};

	s.env = arr;
	settings_fail(&s, "agent settings: env must be a JSON object");
	s.env = NULL;
	s.agent = &agent;
	/* the position is jansson's: after the byte that failed */
	settings_fail(&s, "agent settings: blobstore is not valid JSON "
	              "(at byte 38)");
	s.agent = NULL;
	s.disk_system = zero;
	settings_fail(&s, "agent settings: disks.system must be a JSON string "
	              "or object");
	s.disk_system = sys;
	s.persistent = &hint;
	s.npersistent = 1;
	settings_fail(&s, "agent settings: persistent disk hint must be a "
	              "JSON string or object");
	hint.hint = NULL;
	settings_fail(&s, "agent settings: persistent disk hint is missing");
	hint.hint = sys;
	hint.cid = "";
	settings_fail(&s, "agent settings: persistent disk 0 has no cid");
	json_decref(arr);
	json_decref(zero);
	json_decref(two);
	json_decref(sys);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_required_fields)
{
	struct net_networks *nets = one_network();
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
	};
	struct err err = { 0 };
	json_t *doc = (json_t *)1;

	s.agent_id = NULL;
	settings_fail(&s, "agent settings: agent_id missing");
	s.agent_id = "";
	settings_fail(&s, "agent settings: agent_id missing");
	s.agent_id = "a";
	s.vm_name = NULL;
	settings_fail(&s, "agent settings: vm name missing");
	s.vm_name = "n";
	s.networks = NULL;
	settings_fail(&s, "agent settings: networks missing");
	ck_assert_int_eq(cpi_agent_settings_json(&doc, NULL, &err), ERR_FAIL);
	ck_assert_ptr_null(doc);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_deterministic)
{
	static const char *const dns[] = { "2001:4860:4860::8888" };
	static char mbus[] = "m";
	static char blob[] = "{}";
	struct net_network_in in = {
		.name = "n6", .ip = "fe80::30:8cff:fe56:50e9",
		.netmask = "ffff:ffff:ffff:ffff::", .gateway = "fe80::1",
		.dns = dns, .ndns = 1, .port_group = "pg",
	};
	json_t *h3 = js("\"3\""), *hx = js("{\"id\":\"x\"}");
	json_t *sys = js("\"0\""), *env = js("{\"k\":[1,2.5e3,true,null]}");
	json_t *req = js("{\"n6\":{\"cloud_properties\":{\"name\":\"pg\"}}}");
	const struct cpi_disk_hint disks[] = { { "d1", h3 }, { "d2", hx } };
	struct cpi_agent agent = {
		.ntp = ntp2, .nntp = 2, .mbus = mbus, .blobstore_json = blob,
	};
	struct net_networks *a = validate(&in, 1);
	struct net_networks *b = validate(&in, 1);
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .vm_id = "vm-1",
		.request_networks = req,
		.disk_system = sys, .persistent = disks, .npersistent = 2,
		.env = env, .agent = &agent,
	};
	char *j1, *j2, *j3;

	s.networks = a;
	j1 = settings(&s);
	j2 = settings(&s);
	s.networks = b;
	j3 = settings(&s);
	ck_assert_str_eq(j1, j2);
	ck_assert_str_eq(j1, j3);
	ck_assert_ptr_nonnull(strstr(j1,
	    "\"ip\":\"fe80:0000:0000:0000:0030:8cff:fe56:50e9\""));
	free(j1);
	free(j2);
	free(j3);
	json_decref(h3);
	json_decref(hx);
	json_decref(sys);
	json_decref(env);
	json_decref(req);
	net_networks_free(a);
	net_networks_free(b);
}
END_TEST

/* cloud_properties come from the request with their keys sorted (as
 * json_dumps' JSON_SORT_KEYS wrote them), at every depth. */
START_TEST(test_cloud_properties_sorted)
{
	struct net_networks *nets = one_network();
	json_t *req = js("{\"default\":{\"cloud_properties\":{\"name\":"
	                 "\"VM Network\",\"b\":[{\"z\":1,\"a\":2}],"
	                 "\"a\":{\"y\":null,\"x\":1.5}}}}");
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
		.request_networks = req,
	};
	char *json = settings(&s);

	ck_assert_ptr_nonnull(strstr(json,
	    "\"cloud_properties\":{\"a\":{\"x\":1.5,\"y\":null},"
	    "\"b\":[{\"a\":2,\"z\":1}],\"name\":\"VM Network\"}"));
	free(json);
	json_decref(req);
	net_networks_free(nets);
}
END_TEST

/* The config's agent section is merged over the document when it holds
 * more than ntp, mbus, blobstore and env (env never). */
START_TEST(test_agent_section_merged)
{
	static char mbus[] = "m";
	static char only[] = "{\"mbus\":\"other\",\"env\":{\"x\":1}}";
	static char more[] = "{\"mbus\":\"other\",\"env\":{\"x\":1},"
	                     "\"extra\":{\"k\":true}}";
	struct net_networks *nets = one_network();
	struct cpi_agent agent = { .mbus = mbus, .json = only };
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
		.agent = &agent,
	};
	char *json = settings(&s);

	ck_assert_ptr_nonnull(strstr(json, ",\"mbus\":\"m\"}"));
	free(json);
	agent.json = more;
	json = settings(&s);
	ck_assert_ptr_nonnull(strstr(json,
	    ",\"mbus\":\"other\",\"extra\":{\"k\":true}}"));
	ck_assert_ptr_null(strstr(json, "\"env\""));
	free(json);
	net_networks_free(nets);
}
END_TEST

/* The document's strings are wiped when it goes, but for values still
 * referenced elsewhere. */
START_TEST(test_free_wipes_only_its_own)
{
	json_t *doc = json_pack("{s:s,s:{s:s}}", "mbus", "nats://u:pw@h",
	                        "blobstore", "secret", "s3cret");
	json_t *kept = json_object_get(doc, "mbus");
	json_t *inner = json_object_get(json_object_get(doc, "blobstore"),
	                                "secret");
	char *copy;

	ck_assert_ptr_nonnull(doc);
	json_incref(kept);
	json_incref(inner);
	copy = (char *)json_string_value(inner);
	/* inner is shared: it stays as it is */
	cpi_agent_settings_free(doc);
	ck_assert_str_eq(json_string_value(kept), "nats://u:pw@h");
	ck_assert_str_eq(copy, "s3cret");
	json_decref(kept);
	/* the last reference: wiped, then freed */
	cpi_agent_settings_free(inner);
	cpi_agent_settings_free(NULL);
}
END_TEST

static Suite *
settings_suite(void)
{
	Suite *s = suite_create("net_settings");
	TCase *tc = tcase_create("settings");

	tcase_add_test(tc, test_basic_document);
	tcase_add_test(tc, test_absent_keys_omitted);
	tcase_add_test(tc, test_multihomed_v4_v6);
	tcase_add_test(tc, test_string_escaping);
	tcase_add_test(tc, test_invalid_utf8_rejected);
	tcase_add_test(tc, test_fragments_checked);
	tcase_add_test(tc, test_required_fields);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_cloud_properties_sorted);
	tcase_add_test(tc, test_agent_section_merged);
	tcase_add_test(tc, test_free_wipes_only_its_own);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(settings_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
