/* Unit tests of network/: validation of the create_vm networks hash;
 * and of cpi/agent_net.h, which reads it from the request and writes
 * network/'s result as JSON. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/agent_net.h"
#include "network/net.h"

static const char *const dns4[] = { "8.8.8.8", "10.0.0.2" };
static const char *const def_both[] = { "dns", "gateway" };
static const char *const def_gw[] = { "gateway" };
static const char *const def_dns[] = { "dns" };

static struct net_network_in
manual4(const char *name)
{
	struct net_network_in in = {
		.name = name,
		.type = "manual",
		.ip = "10.0.0.10",
		.netmask = "255.255.255.0",
		.gateway = "10.0.0.1",
		.prefix = "32",
		.dns = dns4,
		.ndns = 2,
		.port_group = "VM Network",
	};
	return in;
}

/* Validation must fail with ERR_EINVAL and a message containing every
 * one of the NULL-terminated fragments. */
static void
expect_fail(const struct net_network_in *in, size_t n, ...)
{
	struct err err = { 0 };
	struct net_networks *nets = (struct net_networks *)1;
	const char *frag;
	va_list ap;
	int rc;

	rc = net_networks_validate(&nets, in, n, &err);
	ck_assert_msg(rc == ERR_EINVAL, "accepted (rc %d)", rc);
	ck_assert_ptr_null(nets);
	ck_assert_int_eq(err.code, ERR_EINVAL);
	va_start(ap, n);
	for (;;) {
		frag = va_arg(ap, const char *);
		if (frag == NULL)
			break;
		ck_assert_msg(strstr(err.message, frag) != NULL,
		              "message \"%s\" lacks \"%s\"", err.message, frag);
	}
	va_end(ap);
}

static struct net_networks *
expect_ok(const struct net_network_in *in, size_t n)
{
	struct err err = { 0 };
	struct net_networks *nets = NULL;
	int rc;

	rc = net_networks_validate(&nets, in, n, &err);
	ck_assert_msg(rc == 0, "rejected: %s", err.message);
	ck_assert_ptr_nonnull(nets);
	ck_assert_uint_eq(nets->n, n);
	return nets;
}

/* The request cpi/ read nets from: each network's cloud_properties
 * {"name": its port group}, {} for a vip network. */
static json_t *
request_of(const struct net_networks *nets)
{
	json_t *req = json_object();
	size_t i;

	for (i = 0; i < nets->n; i++) {
		const char *pg = nets->v[i].port_group;

		json_object_set_new(req, nets->v[i].name,
		                    json_pack("{s:o}", "cloud_properties",
		                              pg != NULL ?
		                              json_pack("{s:s}", "name", pg) :
		                              json_object()));
	}
	return req;
}

/* nets as cpi/ writes them (cpi_networks_json), compact. */
static void
expect_json(const struct net_networks *nets, bool with_mac, const char *want)
{
	struct err err = { 0 };
	json_t *req = request_of(nets), *out = NULL;
	char *json;

	ck_assert_msg(cpi_networks_json(&out, nets, req, with_mac, &err) == 0,
	              "%s", err.message);
	json = json_dumps(out, JSON_COMPACT);
	ck_assert_str_eq(json, want);
	free(json);
	json_decref(out);
	json_decref(req);
}

START_TEST(test_single_manual_becomes_default)
{
	struct net_network_in in = manual4("private");
	struct net_networks *nets = expect_ok(&in, 1);
	struct net_network *nw = &nets->v[0];

	ck_assert_str_eq(nw->name, "private");
	ck_assert_int_eq(nw->type, NET_TYPE_MANUAL);
	ck_assert(nw->is_default_gateway);
	ck_assert(nw->is_default_dns);
	ck_assert_uint_eq(nw->ndefaults, 2);
	ck_assert_str_eq(nw->defaults[0], "dns");
	ck_assert_str_eq(nw->defaults[1], "gateway");
	ck_assert_str_eq(nw->port_group, "VM Network");
	ck_assert_int_eq(nw->subnet_prefix, 24);
	ck_assert(nw->has_ip);
	ck_assert_ptr_null(nw->mac);
	expect_json(nets, false,
	            "{\"private\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	            "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	            "\"prefix\":\"32\",\"dns\":[\"8.8.8.8\",\"10.0.0.2\"],"
	            "\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"}}}");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_single_ipv6_expanded)
{
	static const char *const dns6[] = { "2001:4860:4860::8888",
	                                    "FD00:EC2::253" };
	struct net_network_in in = {
		.name = "v6",
		.ip = "2600:1f16:a62:5c00::4",
		.netmask = "ffff:ffff:ffff:ffff::",
		.gateway = "2600:1f16:A62:5C00::1",
		.prefix = "128",
		.dns = dns6,
		.ndns = 2,
		.defaults = def_both,
		.ndefaults = 2,
		.port_group = "BOSH-V6",
	};
	struct net_networks *nets = expect_ok(&in, 1);

	expect_json(nets, false,
	            "{\"v6\":{\"type\":\"manual\","
	            "\"ip\":\"2600:1f16:0a62:5c00:0000:0000:0000:0004\","
	            "\"netmask\":\"ffff:ffff:ffff:ffff:0000:0000:0000:0000\","
	            "\"gateway\":\"2600:1f16:0a62:5c00:0000:0000:0000:0001\","
	            "\"prefix\":\"128\","
	            "\"dns\":[\"2001:4860:4860:0000:0000:0000:0000:8888\","
	            "\"fd00:0ec2:0000:0000:0000:0000:0000:0253\"],"
	            "\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"BOSH-V6\"}}}");
	ck_assert_int_eq(nets->v[0].subnet_prefix, 64);
	ck_assert_int_eq(nets->v[0].ip_addr.family, 6);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_netmask_from_prefix)
{
	struct net_network_in in = manual4("p");
	struct net_networks *nets;

	in.netmask = NULL;
	in.prefix = "22";
	in.ip = "10.0.2.10";
	nets = expect_ok(&in, 1);
	ck_assert_str_eq(nets->v[0].netmask, "255.255.252.0");
	ck_assert_str_eq(nets->v[0].prefix, "22");
	ck_assert_int_eq(nets->v[0].subnet_prefix, 22);
	net_networks_free(nets);

	in = manual4("p6");
	in.ip = "2601:646:100:69f1::165";
	in.gateway = "2601:646:100:69f1::1";
	in.netmask = NULL;
	in.prefix = "64";
	in.dns = NULL;
	nets = expect_ok(&in, 1);
	ck_assert_str_eq(nets->v[0].netmask,
	                 "ffff:ffff:ffff:ffff:0000:0000:0000:0000");
	ck_assert_str_eq(nets->v[0].ip,
	                 "2601:0646:0100:69f1:0000:0000:0000:0165");
	ck_assert_ptr_null(nets->v[0].dns);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_manual_requirements)
{
	struct net_network_in in = manual4("m");

	in.ip = NULL;
	expect_fail(&in, 1, "network \"m\"", "manual network needs an ip",
	            NULL);
	in = manual4("m");
	in.netmask = NULL;
	in.prefix = NULL;
	expect_fail(&in, 1, "network \"m\"", "needs a netmask or a prefix",
	            NULL);
	in = manual4("m");
	in.type = NULL;   /* NULL type is manual */
	in.ip = NULL;
	expect_fail(&in, 1, "manual network needs an ip", NULL);
}
END_TEST

START_TEST(test_prefix_rules)
{
	struct net_network_in in = manual4("pfx");

	in.prefix = "33";
	expect_fail(&in, 1, "network \"pfx\"", "invalid prefix \"33\"",
	            "IPv4", NULL);
	in.prefix = "24 ";
	expect_fail(&in, 1, "invalid prefix \"24 \"", NULL);
	in.prefix = "1e1";
	expect_fail(&in, 1, "invalid prefix", NULL);
	in = manual4("pfx");
	in.netmask = NULL;
	in.prefix = "-8";
	expect_fail(&in, 1, "invalid prefix \"-8\"", NULL);
}
END_TEST

static struct net_network_in
manual6(const char *name, const char *ip, const char *prefix)
{
	struct net_network_in in = manual4(name);

	in.ip = ip;
	in.netmask = "ffff:ffff:ffff:ffff::";
	in.gateway = "2001:db8::1";
	in.prefix = prefix;
	in.dns = NULL;
	in.ndns = 0;
	return in;
}

/* RFC 0038: prefix is the size of the block assigned at ip, not a
 * second netmask ("48" on an address of a /64 went through). */
START_TEST(test_prefix_is_a_block_size)
{
	struct net_network_in in = manual6("d6", "2001:db8::10", "48");
	struct net_networks *nets;

	expect_fail(&in, 1, "network \"d6\"", "prefix 48 is shorter than "
	            "the subnet's /64 (netmask)", NULL);
	in.prefix = "129";
	expect_fail(&in, 1, "invalid prefix \"129\"", NULL);
	/* a delegated /80 must start at ip */
	in.prefix = "80";
	expect_fail(&in, 1, "ip 2001:0db8:0000:0000:0000:0000:0000:0010 is "
	            "not the base address of its prefix 80 block (that is "
	            "2001:0db8:0000:0000:0000:0000:0000:0000)", NULL);
	in.ip = "2001:db8:0:0:1::";
	nets = expect_ok(&in, 1);
	/* passed on to the agent as it came */
	ck_assert_str_eq(nets->v[0].prefix, "80");
	net_networks_free(nets);
	in.prefix = "128";
	in.ip = "2001:db8::10";
	nets = expect_ok(&in, 1);
	net_networks_free(nets);
	/* the whole subnet is not a block to delegate */
	in.prefix = "64";
	expect_fail(&in, 1, "is not the base address of its prefix 64", NULL);

	/* IPv4: a /28 inside a /24, at its base */
	in = manual4("d4");
	in.prefix = "28";
	expect_fail(&in, 1, "ip 10.0.0.10 is not the base address of its "
	            "prefix 28 block (that is 10.0.0.0)", NULL);
	in.ip = "10.0.0.16";
	nets = expect_ok(&in, 1);
	ck_assert_str_eq(nets->v[0].prefix, "28");
	net_networks_free(nets);
	in.prefix = "16";
	expect_fail(&in, 1, "prefix 16 is shorter than the subnet's /24",
	            NULL);
	in.prefix = "128";
	expect_fail(&in, 1, "invalid prefix \"128\"", "IPv4", NULL);

	/* a vip is checked too (no subnet to compare with) */
	in = (struct net_network_in){
		.name = "pub", .type = "vip", .ip = "203.0.113.7",
		.prefix = "24",
	};
	expect_fail(&in, 1, "network \"pub\"", "ip 203.0.113.7 is not the "
	            "base address of its prefix 24 block", NULL);
}
END_TEST

START_TEST(test_dynamic_needs_nothing)
{
	struct net_network_in in = {
		.name = "dhcp",
		.type = "dynamic",
		.prefix = "32",
		.dns = dns4,
		.ndns = 1,
		.port_group = "VM Network",
	};
	struct net_networks *nets = expect_ok(&in, 1);

	ck_assert_int_eq(nets->v[0].type, NET_TYPE_DYNAMIC);
	ck_assert(nets->v[0].is_default_gateway);
	ck_assert(!nets->v[0].has_ip);
	expect_json(nets, true,
	            "{\"dhcp\":{\"type\":\"dynamic\",\"prefix\":\"32\","
	            "\"dns\":[\"8.8.8.8\"],\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"}}}");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_vip_rules)
{
	struct net_network_in in[2] = { manual4("private") };
	struct net_networks *nets;

	in[1] = (struct net_network_in){
		.name = "public", .type = "vip", .ip = "203.0.113.7",
		.prefix = "32",
	};
	nets = expect_ok(in, 2);
	ck_assert_ptr_null(nets->v[1].port_group);
	ck_assert(!nets->v[1].is_default_gateway);
	ck_assert(nets->v[0].is_default_gateway);
	ck_assert(nets->v[0].is_default_dns);
	expect_json(nets, false,
	            "{\"private\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	            "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	            "\"prefix\":\"32\",\"dns\":[\"8.8.8.8\",\"10.0.0.2\"],"
	            "\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"}},"
	            "\"public\":{\"type\":\"vip\",\"ip\":\"203.0.113.7\","
	            "\"prefix\":\"32\",\"default\":[],"
	            "\"cloud_properties\":{}}}");
	net_networks_free(nets);

	in[1].defaults = def_gw;
	in[1].ndefaults = 1;
	expect_fail(in, 2, "network \"public\"",
	            "a vip network cannot be a default", NULL);
	in[1].defaults = NULL;
	in[1].ndefaults = 0;
	in[1].ip = NULL;
	expect_fail(in, 2, "network \"public\"", "vip network needs an ip",
	            NULL);
	in[1].ip = "203.0.113.7";
	in[1].prefix = "64";
	expect_fail(in, 2, "network \"public\"", "invalid prefix \"64\"",
	            NULL);
}
END_TEST

START_TEST(test_two_default_gateways)
{
	struct net_network_in in[3] = { manual4("alpha"), manual4("beta"),
	                                manual4("gamma") };

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[1].defaults = def_gw;
	in[1].ndefaults = 1;
	in[1].ip = "10.0.0.11";
	in[2].ip = "10.0.0.12";
	expect_fail(in, 3, "networks \"alpha\" and \"beta\" are both the "
	            "default for gateway", NULL);
	in[1].defaults = def_dns;
	expect_fail(in, 3, "networks \"alpha\" and \"beta\" are both the "
	            "default for dns", NULL);
	in[1].defaults = NULL;
	in[1].ndefaults = 0;
	in[2].defaults = def_both;
	in[2].ndefaults = 2;
	expect_fail(in, 3, "\"alpha\" and \"gamma\"", "gateway", NULL);
}
END_TEST

START_TEST(test_missing_default)
{
	struct net_network_in in[2] = { manual4("a"), manual4("b") };
	struct net_networks *nets;

	in[1].ip = "10.0.0.11";
	expect_fail(in, 2, "no network is the default for gateway", NULL);
	in[0].defaults = def_gw;
	in[0].ndefaults = 1;
	expect_fail(in, 2, "no network is the default for dns", NULL);
	in[1].defaults = def_dns;
	in[1].ndefaults = 1;
	nets = expect_ok(in, 2);
	ck_assert(nets->v[0].is_default_gateway);
	ck_assert(!nets->v[0].is_default_dns);
	ck_assert(!nets->v[1].is_default_gateway);
	ck_assert(nets->v[1].is_default_dns);
	ck_assert_uint_eq(nets->v[0].ndefaults, 1);
	ck_assert_str_eq(nets->v[0].defaults[0], "gateway");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_default_sorted_unique)
{
	static const char *const words[] = { "gateway", "addressable", "dns",
	                                     "gateway", "dns" };
	struct net_network_in in = manual4("s");
	struct net_networks *nets;

	in.defaults = words;
	in.ndefaults = 5;
	nets = expect_ok(&in, 1);
	ck_assert_uint_eq(nets->v[0].ndefaults, 3);
	ck_assert_str_eq(nets->v[0].defaults[0], "addressable");
	ck_assert_str_eq(nets->v[0].defaults[1], "dns");
	ck_assert_str_eq(nets->v[0].defaults[2], "gateway");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_default_unknown_word)
{
	static const char *const words[] = { "dns", "Gateway" };
	struct net_network_in in = manual4("u");

	in.defaults = words;
	in.ndefaults = 2;
	expect_fail(&in, 1, "network \"u\"", "unknown word \"Gateway\"", NULL);
}
END_TEST

START_TEST(test_default_gateway_needs_gateway)
{
	struct net_network_in in[2] = { manual4("a"), manual4("b") };
	struct net_networks *nets;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[0].gateway = NULL;
	in[1].ip = "10.0.0.11";
	expect_fail(in, 2, "network \"a\" is the default for gateway but "
	            "has no gateway", NULL);

	/* a lone network without a gateway is the default for dns only */
	in[0].defaults = NULL;
	in[0].ndefaults = 0;
	nets = expect_ok(in, 1);
	ck_assert(!nets->v[0].is_default_gateway);
	ck_assert(nets->v[0].is_default_dns);
	ck_assert_uint_eq(nets->v[0].ndefaults, 1);
	ck_assert_str_eq(nets->v[0].defaults[0], "dns");
	net_networks_free(nets);
	/* unless it asks for it explicitly */
	in[0].defaults = def_gw;
	in[0].ndefaults = 1;
	expect_fail(in, 1, "has no gateway", NULL);
}
END_TEST

START_TEST(test_gateway_outside_subnet)
{
	struct net_network_in in = manual4("out");

	in.gateway = "10.0.1.1";
	expect_fail(&in, 1, "network \"out\"", "gateway 10.0.1.1 is outside "
	            "the subnet 10.0.0.0/24 of ip 10.0.0.10", NULL);
	in = manual4("out6");
	in.ip = "2001:db8:0:1::10";
	in.netmask = "ffff:ffff:ffff:ffff::";
	in.gateway = "2001:db8:0:2::1";
	in.dns = NULL;
	expect_fail(&in, 1, "network \"out6\"",
	            "gateway 2001:0db8:0000:0002:0000:0000:0000:0001 is "
	            "outside the subnet", NULL);
}
END_TEST

START_TEST(test_subnet_zero)
{
	struct net_network_in in = manual4("z");
	struct net_networks *nets;

	in.ip = "10.0.0.0";
	expect_fail(&in, 1, "network \"z\"", "ip 10.0.0.0 is the network "
	            "address", NULL);
	in.ip = "10.0.0.0";
	in.netmask = "255.255.255.254";
	in.gateway = "10.0.0.1";
	nets = expect_ok(&in, 1);   /* /31: no network address */
	net_networks_free(nets);
	in.netmask = "255.255.255.255";
	in.gateway = NULL;
	nets = expect_ok(&in, 1);
	net_networks_free(nets);

	in = manual4("z6");
	in.dns = NULL;
	in.ip = "2001:db8::";
	in.netmask = "ffff:ffff:ffff:ffff::";
	in.gateway = "2001:db8::1";
	/* prefix "128": one address, no delegation, the rule applies */
	in.prefix = "128";
	expect_fail(&in, 1, "network \"z6\"", "is the network address", NULL);
	in.netmask = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe";
	nets = expect_ok(&in, 1);   /* /127 */
	net_networks_free(nets);

	/* prefix delegation: a /80 block based on the subnet's first
	 * address is not a host address */
	in.netmask = "ffff:ffff:ffff:ffff::";
	in.prefix = "80";
	nets = expect_ok(&in, 1);
	ck_assert_str_eq(nets->v[0].prefix, "80");
	net_networks_free(nets);
	in.prefix = "128";
	expect_fail(&in, 1, "is the network address", NULL);
	in.prefix = "80";
	in.netmask = NULL;   /* prefix is then the subnet's own */
	expect_fail(&in, 1, "is the network address", NULL);
}
END_TEST

START_TEST(test_noncontiguous_mask)
{
	struct net_network_in in = manual4("nc");

	in.netmask = "255.0.255.0";
	expect_fail(&in, 1, "network \"nc\"", "netmask 255.0.255.0 is not "
	            "contiguous", NULL);
}
END_TEST

START_TEST(test_wrong_family)
{
	struct net_network_in in = manual4("wf");

	in.netmask = "ffff:ffff:ffff:ffff::";
	expect_fail(&in, 1, "network \"wf\"", "netmask", "is IPv6 but ip is "
	            "IPv4", NULL);
	in = manual4("wf");
	in.gateway = "::ffff:10.0.0.1";
	expect_fail(&in, 1, "network \"wf\"", "gateway", "is IPv6 but ip is "
	            "IPv4", NULL);
	in = manual4("wf6");
	in.ip = "2001:db8::5";
	in.netmask = "255.255.255.0";
	expect_fail(&in, 1, "network \"wf6\"", "netmask 255.255.255.0 is "
	            "IPv4 but ip is IPv6", NULL);
}
END_TEST

START_TEST(test_unparsable_addresses)
{
	static const char *const bad_dns[] = { "8.8.8.8", "8.8.8" };
	struct net_network_in in = manual4("bad");

	in.dns = bad_dns;
	expect_fail(&in, 1, "network \"bad\"", "dns",
	            "invalid IP address \"8.8.8\"", NULL);
	in = manual4("bad");
	in.ip = "10.0.0.300";
	expect_fail(&in, 1, "network \"bad\": ip: invalid IP address "
	            "\"10.0.0.300\"", NULL);
	in = manual4("bad");
	in.netmask = "255.255.255";
	expect_fail(&in, 1, "netmask: invalid IP address", NULL);
	in = manual4("bad");
	in.gateway = "fe80::1%eth0";
	expect_fail(&in, 1, "gateway: invalid IP address", NULL);
}
END_TEST

START_TEST(test_port_group_required)
{
	struct net_network_in in = manual4("pg");

	in.port_group = NULL;
	expect_fail(&in, 1, "network \"pg\"", "no port group", NULL);
	in.port_group = "";
	expect_fail(&in, 1, "network \"pg\"", "no port group", NULL);
	in = manual4("pg");
	in.type = "dynamic";
	in.port_group = NULL;
	expect_fail(&in, 1, "no port group", NULL);
}
END_TEST

START_TEST(test_names_and_types)
{
	struct net_network_in in[2] = { manual4("dup"), manual4("dup") };
	struct net_networks *nets = (struct net_networks *)1;
	struct err err = { 0 };

	in[1].ip = "10.0.0.11";
	expect_fail(in, 2, "network \"dup\" is given twice", NULL);
	in[0].name = "";
	expect_fail(in, 1, "network 0 has no name", NULL);
	in[0].name = NULL;
	expect_fail(in, 1, "has no name", NULL);
	in[0] = manual4("t");
	in[0].type = "Manual";
	expect_fail(in, 1, "network \"t\"", "unknown type \"Manual\"", NULL);
	ck_assert_int_eq(net_networks_validate(&nets, in, 0, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(nets);
	in[0] = manual4("only");
	in[0].type = "vip";
	in[0].port_group = NULL;
	expect_fail(in, 1, "no manual or dynamic network", NULL);
}
END_TEST

START_TEST(test_hostile_text)
{
	struct net_network_in in = manual4("h");

	in.port_group = "VM \xc3\x28 Network";
	expect_fail(&in, 1, "network \"h\"", "not valid UTF-8", NULL);
	in = manual4("\xff\xfe");
	expect_fail(&in, 1, "network name \"\\xff\\xfe\"", NULL);
	in = manual4("h");
	in.alias = "eth\x80";
	expect_fail(&in, 1, "alias is not valid UTF-8", NULL);
}
END_TEST

START_TEST(test_input_order_kept)
{
	struct net_network_in in[3] = { manual4("zeta"), manual4("alpha"),
	                                manual4("mid") };
	struct net_networks *nets;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[1].ip = "10.0.0.11";
	in[2].ip = "10.0.0.12";
	in[2].alias = "eth1";
	in[2].nic_group = "1";
	nets = expect_ok(in, 3);
	ck_assert_str_eq(nets->v[0].name, "zeta");
	ck_assert_str_eq(nets->v[1].name, "alpha");
	ck_assert_str_eq(nets->v[2].name, "mid");
	ck_assert_ptr_eq(net_networks_find(nets, "mid"), &nets->v[2]);
	ck_assert_ptr_null(net_networks_find(nets, "nope"));
	ck_assert_int_eq(nets->v[1].ndefaults, 0);
	ck_assert_ptr_nonnull(nets->v[1].defaults);
	ck_assert_str_eq(nets->v[2].alias, "eth1");
	ck_assert_str_eq(nets->v[2].nic_group, "1");
	net_networks_free(nets);
}
END_TEST

START_TEST(test_routes)
{
	static const struct net_route_in r4[] = {
		{ "192.168.0.0", "255.255.0.0", "10.0.0.254" },
		{ "172.16.0.0", "255.240.0.0", "10.0.0.253" },
	};
	static const struct net_route_in r6[] = {
		{ "2001:db8:100::", "ffff:ffff:ffff::", "2001:db8::fe" },
	};
	struct net_network_in in = manual4("r");
	struct net_network_in in6 = manual4("r6");
	struct net_route_in bad;
	struct net_networks *nets;

	in.routes = r4;
	in.nroutes = 2;
	in.dns = NULL;
	nets = expect_ok(&in, 1);
	ck_assert_uint_eq(nets->v[0].nroutes, 2);
	expect_json(nets, false,
	            "{\"r\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	            "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	            "\"prefix\":\"32\",\"default\":[\"dns\",\"gateway\"],"
	            "\"routes\":[{\"destination\":\"192.168.0.0\","
	            "\"netmask\":\"255.255.0.0\",\"gateway\":\"10.0.0.254\"},"
	            "{\"destination\":\"172.16.0.0\","
	            "\"netmask\":\"255.240.0.0\",\"gateway\":\"10.0.0.253\"}],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"}}}");
	net_networks_free(nets);

	in6.ip = "2001:db8::10";
	in6.prefix = "128";
	in6.netmask = "ffff:ffff:ffff:ffff::";
	in6.gateway = "2001:db8::1";
	in6.dns = NULL;
	in6.routes = r6;
	in6.nroutes = 1;
	nets = expect_ok(&in6, 1);
	ck_assert_str_eq(nets->v[0].routes[0].destination,
	                 "2001:0db8:0100:0000:0000:0000:0000:0000");
	ck_assert_str_eq(nets->v[0].routes[0].netmask,
	                 "ffff:ffff:ffff:0000:0000:0000:0000:0000");
	ck_assert_str_eq(nets->v[0].routes[0].gateway,
	                 "2001:0db8:0000:0000:0000:0000:0000:00fe");
	net_networks_free(nets);

	bad = (struct net_route_in){ "192.168.0.0", "255.255.0.0",
	                             "10.9.0.1" };
	in.routes = &bad;
	in.nroutes = 1;
	expect_fail(&in, 1, "network \"r\": route 0: gateway 10.9.0.1 is "
	            "outside the network's subnet 10.0.0.0/24", NULL);
	bad = (struct net_route_in){ "2001:db8:100::", "ffff:ffff:ffff::",
	                             "10.0.0.254" };
	expect_fail(&in, 1, "route 0", "destination", "is IPv6 but the "
	            "network is IPv4", NULL);
	bad = (struct net_route_in){ "192.168.1.0", "255.255.0.0",
	                             "10.0.0.254" };
	expect_fail(&in, 1, "destination 192.168.1.0 has host bits set for "
	            "prefix /16", NULL);
	bad = (struct net_route_in){ "192.168.0.0", "255.0.255.0",
	                             "10.0.0.254" };
	expect_fail(&in, 1, "route 0", "not contiguous", NULL);
	bad = (struct net_route_in){ "192.168.0.0", "255.255.0.0", NULL };
	expect_fail(&in, 1, "route 0: gateway: missing IP address", NULL);
	bad = (struct net_route_in){ "192.168.0.0/16", "255.255.0.0",
	                             "10.0.0.254" };
	expect_fail(&in, 1, "route 0: destination: invalid IP address",
	            NULL);
}
END_TEST

START_TEST(test_set_mac)
{
	struct net_network_in in = manual4("m");
	struct net_networks *nets = expect_ok(&in, 1);
	struct err err = { 0 };
	struct net_network *nw = &nets->v[0];

	ck_assert_int_eq(net_network_set_mac(nw, "00:50:56:9A:12:fF", &err),
	                 0);
	ck_assert_str_eq(nw->mac, "00:50:56:9a:12:ff");
	ck_assert_int_eq(net_network_set_mac(nw, "00:50:56:9a:12:34", &err),
	                 0);
	ck_assert_str_eq(nw->mac, "00:50:56:9a:12:34");
	ck_assert_int_eq(net_network_set_mac(nw, "00-50-56-9a-12-34", &err),
	                 ERR_EINVAL);
	ck_assert_str_eq(err.message,
	                 "invalid MAC address \"00-50-56-9a-12-34\"");
	err_clear(&err);
	ck_assert_int_eq(net_network_set_mac(nw, "00:50:56:9a:12:3", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(net_network_set_mac(nw, "00:50:56:9a:12:345", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(net_network_set_mac(nw, "00:50:56:9g:12:34", &err),
	                 ERR_EINVAL);
	err_clear(&err);
	ck_assert_int_eq(net_network_set_mac(nw, NULL, &err), ERR_EINVAL);
	/* failures leave the previous value */
	ck_assert_str_eq(nw->mac, "00:50:56:9a:12:34");
	expect_json(nets, true,
	            "{\"m\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	            "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	            "\"prefix\":\"32\",\"dns\":[\"8.8.8.8\",\"10.0.0.2\"],"
	            "\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"},"
	            "\"mac\":\"00:50:56:9a:12:34\"}}");
	/* the v2 result leaves the MAC out */
	expect_json(nets, false,
	            "{\"m\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	            "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	            "\"prefix\":\"32\",\"dns\":[\"8.8.8.8\",\"10.0.0.2\"],"
	            "\"default\":[\"dns\",\"gateway\"],"
	            "\"cloud_properties\":{\"name\":\"VM Network\"}}}");
	net_networks_free(nets);
	net_networks_free(NULL);
}
END_TEST

START_TEST(test_list_limits)
{
	struct net_network_in in = manual4("big");
	const char **many = calloc(1025, sizeof(*many));
	struct net_route_in *routes = calloc(1025, sizeof(*routes));
	struct net_networks *nets;
	size_t i;

	ck_assert_ptr_nonnull(many);
	ck_assert_ptr_nonnull(routes);
	for (i = 0; i < 1025; i++) {
		many[i] = "10.0.0.2";
		routes[i] = (struct net_route_in){ "192.168.0.0",
		                                   "255.255.0.0", "10.0.0.1" };
	}
	in.dns = many;
	in.ndns = 1024;
	nets = expect_ok(&in, 1);
	ck_assert_uint_eq(nets->v[0].ndns, 1024);
	net_networks_free(nets);
	in.ndns = 1025;
	expect_fail(&in, 1, "too many dns servers (1025, at most 1024)",
	            NULL);
	in.ndns = (size_t)-1;
	expect_fail(&in, 1, "too many dns servers", NULL);
	in.ndns = 1;
	in.routes = routes;
	in.nroutes = 1025;
	expect_fail(&in, 1, "too many routes", NULL);
	free(many);
	free(routes);
}
END_TEST

START_TEST(test_first_error_wins)
{
	struct net_network_in in = manual4("fe");
	struct net_networks *nets = NULL;
	struct err err = { 0 };

	err_set(&err, ERR_EINVAL, "earlier failure");
	in.ip = "bogus";
	ck_assert_int_eq(net_networks_validate(&nets, &in, 1, &err),
	                 ERR_EINVAL);
	ck_assert_str_eq(err.message, "earlier failure");
}
END_TEST

/* cpi/agent_net.h: the request's networks hash read into network/'s
 * input, and the errors of the reading (before network/ sees it). */
static void
parse_fail(const char *text, const char *want)
{
	struct err err = { 0 };
	struct net_networks *nets = (struct net_networks *)1;
	json_t *req = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(req);
	ck_assert_int_eq(cpi_networks_parse(&nets, req, &err), ERR_FAIL);
	ck_assert_ptr_null(nets);
	ck_assert_int_eq(err.type, CPI_ERROR_CLOUD);
	ck_assert_msg(strstr(err.message, want) != NULL,
	              "message \"%s\" lacks \"%s\"", err.message, want);
	json_decref(req);
}

START_TEST(test_request_parsed)
{
	struct err err = { 0 };
	struct net_networks *nets = NULL;
	json_t *req = json_loads(
	    "{\"priv\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	    "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	    "\"prefix\":32,\"dns\":[\"8.8.8.8\"],"
	    "\"default\":[\"gateway\",\"dns\"],\"nic_group\":7,"
	    "\"routes\":[{\"destination\":\"192.168.0.0\","
	    "\"netmask\":\"255.255.0.0\",\"gateway\":\"10.0.0.254\"}],"
	    "\"cloud_properties\":{\"name\":\"VM Network\","
	    "\"default_route\":false}}}", 0, NULL);

	ck_assert_ptr_nonnull(req);
	ck_assert_msg(cpi_networks_parse(&nets, req, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(nets->n, 1);
	ck_assert_str_eq(nets->v[0].prefix, "32");
	ck_assert_str_eq(nets->v[0].nic_group, "7");
	ck_assert_str_eq(nets->v[0].port_group, "VM Network");
	ck_assert_uint_eq(nets->v[0].nroutes, 1);
	ck_assert(!nets->v[0].default_route);
	net_networks_free(nets);
	json_decref(req);

	parse_fail("{}", "create_vm: networks must hold 1 to 10 networks");
	parse_fail("{\"a\":[]}", "create_vm: network 'a' must be an object");
	parse_fail("{\"a\":{\"ip\":10}}",
	           "create_vm: network 'a': ip must be a string");
	parse_fail("{\"a\":{\"dns\":\"8.8.8.8\"}}",
	           "create_vm: network 'a': dns must be an array of strings");
	parse_fail("{\"a\":{\"routes\":[1]}}",
	           "create_vm: network 'a': routes[0] must be an object");
	parse_fail("{\"a\":{\"cloud_properties\":[\"VM Network\"]}}",
	           "create_vm: network 'a': cloud_properties must be an "
	           "object");
	parse_fail("{\"a\":{\"cloud_properties\":{\"default_route\":1}}}",
	           "create_vm: network 'a': cloud_properties.default_route "
	           "must be true or false");
	parse_fail("{\"a\":{\"ip\":\"10.0.0.300\",\"netmask\":"
	           "\"255.255.255.0\",\"cloud_properties\":{\"name\":\"x\"}}}",
	           "create_vm: networks: network \"a\": ip");
}
END_TEST

static Suite *
networks_suite(void)
{
	Suite *s = suite_create("net_networks");
	TCase *tc = tcase_create("validate");

	tcase_add_test(tc, test_single_manual_becomes_default);
	tcase_add_test(tc, test_single_ipv6_expanded);
	tcase_add_test(tc, test_netmask_from_prefix);
	tcase_add_test(tc, test_manual_requirements);
	tcase_add_test(tc, test_prefix_rules);
	tcase_add_test(tc, test_prefix_is_a_block_size);
	tcase_add_test(tc, test_dynamic_needs_nothing);
	tcase_add_test(tc, test_vip_rules);
	tcase_add_test(tc, test_two_default_gateways);
	tcase_add_test(tc, test_missing_default);
	tcase_add_test(tc, test_default_sorted_unique);
	tcase_add_test(tc, test_default_unknown_word);
	tcase_add_test(tc, test_default_gateway_needs_gateway);
	tcase_add_test(tc, test_gateway_outside_subnet);
	tcase_add_test(tc, test_subnet_zero);
	tcase_add_test(tc, test_noncontiguous_mask);
	tcase_add_test(tc, test_wrong_family);
	tcase_add_test(tc, test_unparsable_addresses);
	tcase_add_test(tc, test_port_group_required);
	tcase_add_test(tc, test_names_and_types);
	tcase_add_test(tc, test_hostile_text);
	tcase_add_test(tc, test_input_order_kept);
	tcase_add_test(tc, test_routes);
	tcase_add_test(tc, test_set_mac);
	tcase_add_test(tc, test_list_limits);
	tcase_add_test(tc, test_first_error_wins);
	tcase_add_test(tc, test_request_parsed);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(networks_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
