/* Unit tests of network/: the agent settings document and the JSON
 * fragment checks behind it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "network/net.h"
#include "network/net_internal.h"

static struct net_networks *
validate(const struct net_network_in *in, size_t n)
{
	struct net_error err = { 0 };
	struct net_networks *nets = NULL;

	ck_assert_msg(net_networks_validate(&nets, in, n, &err) == 0,
	              "validate: %s", err.message);
	return nets;
}

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
		.cloud_properties_json = "{\"name\":\"VM Network\"}",
		.port_group = "VM Network",
	};
	struct net_networks *nets = validate(&in, 1);
	struct net_error err = { 0 };

	ck_assert_int_eq(net_network_set_mac(&nets->v[0], "00:50:56:9a:12:34",
	                                     &err), 0);
	return nets;
}

static char *
settings(const struct net_agent_settings *s)
{
	struct net_error err = { 0 };
	char *json = NULL;

	ck_assert_msg(net_agent_settings_json(&json, s, &err) == 0,
	              "settings: %s", err.message);
	ck_assert_ptr_nonnull(json);
	ck_assert_int_eq(net__json_check(json, NET__JSON_OBJECT, "out", &err),
	                 0);
	return json;
}

static void
settings_fail(const struct net_agent_settings *s, const char *want)
{
	struct net_error err = { 0 };
	char *json = (char *)1;

	ck_assert_int_eq(net_agent_settings_json(&json, s, &err), NET_EINVAL);
	ck_assert_ptr_null(json);
	ck_assert_str_eq(err.message, want);
}

#define NET_ONE \
	"\"networks\":{\"default\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\"," \
	"\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\"," \
	"\"dns\":[\"8.8.8.8\"],\"default\":[\"dns\",\"gateway\"]," \
	"\"cloud_properties\":{\"name\":\"VM Network\"}," \
	"\"mac\":\"00:50:56:9a:12:34\"}}"

static const char *const ntp2[] = { "0.pool.ntp.org", "1.pool.ntp.org" };

START_TEST(test_basic_document)
{
	struct net_networks *nets = one_network();
	struct net_agent_settings s = {
		.agent_id = "a1b2c3",
		.vm_name = "vm-6f1c2d",
		.vm_id = "vm-1234",
		.networks = nets,
		.disk_system = "\"0\"",
		.disk_ephemeral = "\"1\"",
		.env_json = "{\"bosh\":{\"group\":\"g\",\"groups\":[\"g\"]}}",
		.ntp = ntp2,
		.nntp = 2,
		.mbus = "https://mbus:pw@0.0.0.0:6868",
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
	net_networks_free(nets);
}
END_TEST

START_TEST(test_absent_keys_omitted)
{
	struct net_networks *nets = one_network();
	struct net_agent_settings s = {
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
	s.ntp = ntp2;
	s.nntp = 0;
	s.disk_ephemeral = "{\"id\":\"6000c29a\"}";
	json = settings(&s);
	ck_assert_str_eq(json,
	    "{\"agent_id\":\"a\",\"vm\":{\"name\":\"n\"}," NET_ONE ","
	    "\"disks\":{\"ephemeral\":{\"id\":\"6000c29a\"},"
	    "\"persistent\":{}},\"ntp\":[]}");
	free(json);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_multihomed_v4_v6)
{
	static const char *const dns4[] = { "10.0.0.2" };
	static const char *const dns6[] = { "2001:db8::53" };
	static const char *const def[] = { "gateway", "dns" };
	struct net_network_in in[2] = {
		{
			.name = "v4", .ip = "10.0.0.10",
			.netmask = "255.255.255.0", .gateway = "10.0.0.1",
			.prefix = "32", .dns = dns4, .ndns = 1,
			.defaults = def, .ndefaults = 2,
			.cloud_properties_json = "{\"name\":\"BOSH-V4\"}",
			.port_group = "BOSH-V4",
		},
		{
			.name = "v6", .type = "manual",
			.ip = "2001:db8:0:1::10", .prefix = "64",
			.gateway = "2001:DB8:0:1::1", .dns = dns6, .ndns = 1,
			.cloud_properties_json = "{\"name\":\"BOSH-V6\"}",
			.port_group = "BOSH-V6",
		},
	};
	static const struct net_disk_hint disks[] = {
		{ "disk-2f4e", "\"2\"" },
		{ "disk-\"q\"", "{\"id\":\"6000c29b\",\"lun\":\"3\"}" },
	};
	struct net_error err = { 0 };
	struct net_networks *nets = validate(in, 2);
	struct net_agent_settings s = {
		.agent_id = "agent-1",
		.vm_name = "vm-abc",
		.vm_id = "vm-42",
		.networks = nets,
		.disk_system = "\"0\"",
		.disk_ephemeral = "{\"id\":\"6000c29a\"}",
		.persistent = disks,
		.npersistent = 2,
		.env_json = "{}",
		.ntp = ntp2,
		.nntp = 1,
		.mbus = "nats://nats:secret@10.0.0.5:4222",
		.blobstore_json = "{\"options\":{\"endpoint\":\"https://b\"},"
		                  "\"provider\":\"dav\"}",
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
	net_networks_free(nets);
}
END_TEST

START_TEST(test_string_escaping)
{
	static const char *const ntp[] = { "a\x01z\x1f\x7f" };
	struct net_networks *nets = one_network();
	struct net_agent_settings s = {
		.agent_id = "q\"b\\s/\b\f\n\r\t",
		.vm_name = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		.networks = nets,
		.ntp = ntp,
		.nntp = 1,
		.mbus = "\xef\xbf\xbf",
	};
	char *json = settings(&s);

	ck_assert_str_eq(json,
	    "{\"agent_id\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\","
	    "\"vm\":{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"},"
	    NET_ONE ",\"disks\":{\"persistent\":{}},"
	    "\"ntp\":[\"a\\u0001z\\u001f\x7f\"],"
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
	struct net_networks *nets = one_network();
	struct net_agent_settings s = {
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
	s.mbus = "nats://user:pa\xffss@host:4222";
	settings_fail(&s, "agent settings: mbus is not valid UTF-8");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_fragments_checked)
{
	struct net_networks *nets = one_network();
	struct net_disk_hint hint = { "disk-1", "2" };
	struct net_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
	};

	s.env_json = "{\"bosh\":{\"password\":\"s3cret\"}";
	settings_fail(&s, "agent settings: env is not valid JSON (at byte 29)");
	s.env_json = "[\"s3cret\"]";
	settings_fail(&s, "agent settings: env must be a JSON object");
	s.env_json = NULL;
	s.blobstore_json = "{\"provider\":\"s3\",\"options\":{\"secret\":x}}";
	settings_fail(&s, "agent settings: blobstore is not valid JSON "
	              "(at byte 37)");
	s.blobstore_json = NULL;
	s.disk_system = "0";
	settings_fail(&s, "agent settings: disks.system must be a JSON string "
	              "or object");
	s.disk_system = "\"0\"";
	s.persistent = &hint;
	s.npersistent = 1;
	settings_fail(&s, "agent settings: persistent disk hint must be a "
	              "JSON string or object");
	hint.hint_json = NULL;
	settings_fail(&s, "agent settings: persistent disk hint is missing");
	hint.hint_json = "\"2\"";
	hint.cid = "";
	settings_fail(&s, "agent settings: persistent disk 0 has no cid");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_required_fields)
{
	struct net_networks *nets = one_network();
	struct net_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .networks = nets,
	};
	struct net_error err = { 0 };
	char *json = (char *)1;

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
	ck_assert_int_eq(net_agent_settings_json(&json, NULL, &err),
	                 NET_EINVAL);
	ck_assert_ptr_null(json);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_deterministic)
{
	static const char *const dns[] = { "2001:4860:4860::8888" };
	static const struct net_disk_hint disks[] = {
		{ "d1", "\"3\"" }, { "d2", "{\"id\":\"x\"}" },
	};
	struct net_network_in in = {
		.name = "n6", .ip = "fe80::30:8cff:fe56:50e9",
		.netmask = "ffff:ffff:ffff:ffff::", .gateway = "fe80::1",
		.dns = dns, .ndns = 1, .port_group = "pg",
		.cloud_properties_json = "{\"name\":\"pg\"}",
	};
	struct net_networks *a = validate(&in, 1);
	struct net_networks *b = validate(&in, 1);
	struct net_agent_settings s = {
		.agent_id = "a", .vm_name = "n", .vm_id = "vm-1",
		.disk_system = "\"0\"", .persistent = disks, .npersistent = 2,
		.env_json = "{\"k\":[1,2.5e3,true,null]}", .ntp = ntp2,
		.nntp = 2, .mbus = "m", .blobstore_json = "{}",
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
	net_networks_free(a);
	net_networks_free(b);
}
END_TEST

struct frag_case {
	const char *text;
	enum net__json_kind kind;
	bool ok;
};

static const struct frag_case frag_cases[] = {
	{ "{}", NET__JSON_OBJECT, true },
	{ " { } ", NET__JSON_OBJECT, true },
	{ "{\"a\":[1,-2,3.5,-0.5e-7,1E+2,true,false,null,{}],\"b\":\"\\u00e9"
	  "\\n\\/\"}", NET__JSON_OBJECT, true },
	{ "\"x\"", NET__JSON_STRING_OR_OBJECT, true },
	{ "\"x\"", NET__JSON_OBJECT, false },
	{ "[]", NET__JSON_OBJECT, false },
	{ "1", NET__JSON_STRING_OR_OBJECT, false },
	{ "", NET__JSON_OBJECT, false },
	{ "{", NET__JSON_OBJECT, false },
	{ "{}}", NET__JSON_OBJECT, false },
	{ "{\"a\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":}", NET__JSON_OBJECT, false },
	{ "{\"a\":1,}", NET__JSON_OBJECT, false },
	{ "{a:1}", NET__JSON_OBJECT, false },
	{ "{\"a\":01}", NET__JSON_OBJECT, false },
	{ "{\"a\":1.}", NET__JSON_OBJECT, false },
	{ "{\"a\":-}", NET__JSON_OBJECT, false },
	{ "{\"a\":tru}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"\\x\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"\\u12g4\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"\\u12\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"tab\there\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"\xc3\"}", NET__JSON_OBJECT, false },
	{ "{\"a\":[1 2]}", NET__JSON_OBJECT, false },
	{ "{\"a\":\"unterminated}", NET__JSON_OBJECT, false },
	{ "\"x\" \"y\"", NET__JSON_STRING_OR_OBJECT, false },
};

START_TEST(test_json_fragments)
{
	const struct frag_case *c = &frag_cases[_i];
	struct net_error err = { 0 };
	int rc;

	rc = net__json_check(c->text, c->kind, "frag", &err);
	ck_assert_msg((rc == 0) == c->ok, "\"%s\": rc %d %s", c->text, rc,
	              err.message);
}
END_TEST

START_TEST(test_json_depth_limit)
{
	struct net_error err = { 0 };
	char *deep;
	size_t i, n = 100000;

	/* far deeper than the limit: must fail, not overflow the stack */
	deep = malloc(2 * n + 6);
	ck_assert_ptr_nonnull(deep);
	deep[0] = '{';
	deep[1] = '"';
	deep[2] = 'a';
	deep[3] = '"';
	deep[4] = ':';
	for (i = 0; i < n; i++)
		deep[5 + i] = '[';
	for (i = 0; i < n; i++)
		deep[5 + n + i] = ']';
	deep[5 + 2 * n - 2] = '\0';
	/* truncated on purpose: even unbalanced input stops at the limit */
	ck_assert_int_eq(net__json_check(deep, NET__JSON_OBJECT, "deep", &err),
	                 NET_EINVAL);
	free(deep);

	/* 200 levels are fine */
	deep = malloc(2 * 200 + 16);
	ck_assert_ptr_nonnull(deep);
	strcpy(deep, "{\"a\":");
	for (i = 0; i < 200; i++)
		strcat(deep, "[");
	for (i = 0; i < 200; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	net_error_clear(&err);
	ck_assert_msg(net__json_check(deep, NET__JSON_OBJECT, "deep", &err) ==
	              0, "%s", err.message);
	free(deep);
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
	tcase_add_loop_test(tc, test_json_fragments, 0,
	                    (int)(sizeof(frag_cases) / sizeof(frag_cases[0])));
	tcase_add_test(tc, test_json_depth_limit);
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
