/* Unit tests of network/nics.c: networks sharing a NIC (nic_group, BOSH
 * RFC 0038) and delegated prefixes inside a group. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/agent_net.h"
#include "network/net.h"

static const char *const def_both[] = { "dns", "gateway" };
static const char *const dns4[] = { "10.0.0.2" };

static struct net_network_in
v4(const char *name, const char *pg)
{
	struct net_network_in in = {
		.name = name,
		.ip = "10.0.0.10",
		.netmask = "255.255.255.0",
		.gateway = "10.0.0.1",
		.dns = dns4,
		.ndns = 1,
		.port_group = pg,
	};
	return in;
}

static struct net_network_in
v6(const char *name, const char *pg)
{
	struct net_network_in in = {
		.name = name,
		.ip = "2001:db8::10",
		.netmask = "ffff:ffff:ffff:ffff::",
		.gateway = "2001:db8::1",
		.prefix = "128",
		.port_group = pg,
	};
	return in;
}

/* A delegated /80 out of the same /64 (ip is the block's base). */
static struct net_network_in
v6_prefix(const char *name, const char *pg)
{
	struct net_network_in in = v6(name, pg);

	in.ip = "2001:db8::1:0:0:0";
	in.prefix = "80";
	return in;
}

static struct net_networks *
validate_ok(const struct net_network_in *in, size_t n)
{
	struct err err = { 0 };
	struct net_networks *nets = NULL;
	int rc;

	rc = net_networks_validate(&nets, in, n, &err);
	ck_assert_msg(rc == 0, "refused: %s", err.message);
	return nets;
}

static struct net_nics *
nics_ok(const struct net_networks *nets)
{
	struct err err = { 0 };
	struct net_nics *nics = NULL;

	ck_assert_msg(net_networks_nics(&nics, nets, &err) == 0, "%s",
	              err.message);
	return nics;
}

/* Refused with ERR_EINVAL and every NULL-terminated fragment. */
static void
expect_fail(const struct net_network_in *in, size_t n, ...)
{
	struct err err = { 0 };
	struct net_networks *nets = (struct net_networks *)1;
	const char *frag;
	va_list ap;

	ck_assert_int_eq(net_networks_validate(&nets, in, n, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(nets);
	va_start(ap, n);
	while ((frag = va_arg(ap, const char *)) != NULL)
		ck_assert_msg(strstr(err.message, frag) != NULL,
		              "message \"%s\" lacks \"%s\"", err.message, frag);
	va_end(ap);
}

static const char *
member(const struct net_networks *nets, const struct net_nics *nics,
       size_t nic, size_t k)
{
	ck_assert_uint_lt(nic, nics->n);
	ck_assert_uint_lt(k, nics->v[nic].nmembers);
	return nets->v[nics->v[nic].members[k]].name;
}

START_TEST(test_without_groups_input_order)
{
	struct net_network_in in[3] = { v6("zz", "PG-B"), v4("aa", "PG-A"),
	                                { .name = "vip", .type = "vip",
	                                  .ip = "192.0.2.5" } };
	struct net_networks *nets;
	struct net_nics *nics;

	in[1].defaults = def_both;
	in[1].ndefaults = 2;
	nets = validate_ok(in, 3);
	nics = nics_ok(nets);
	/* One NIC per non-vip network, in input order (the gateway's NIC
	 * is not moved first: byte-for-byte what it always was). */
	ck_assert(!nics->grouped);
	ck_assert_uint_eq(nics->n, 2);
	ck_assert_str_eq(member(nets, nics, 0, 0), "zz");
	ck_assert_str_eq(nics->v[0].port_group, "PG-B");
	ck_assert_str_eq(member(nets, nics, 1, 0), "aa");
	ck_assert_uint_eq(nics->v[0].nmembers, 1);
	ck_assert_uint_eq(nics->v[1].nmembers, 1);
	net_nics_free(nics);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_dual_stack_one_nic)
{
	struct net_network_in in[3] = { v4("ipv4", "PG-A"),
	                                v6("ipv6", "PG-A"),
	                                v4("other", "PG-C") };
	struct err err = { 0 };
	struct net_networks *nets;
	struct net_nics *nics;
	struct err cerr = { 0 };
	json_t *doc = NULL;
	char *json = NULL;

	in[0].nic_group = "dual";
	in[1].nic_group = "dual";
	in[1].defaults = def_both;
	in[1].ndefaults = 2;
	in[2].ip = "10.0.1.10";
	in[2].gateway = "10.0.1.1";
	in[2].netmask = "255.255.255.0";
	nets = validate_ok(in, 3);
	nics = nics_ok(nets);
	ck_assert(nics->grouped);
	ck_assert_uint_eq(nics->n, 2);
	/* The group holding the default gateway first, though "other"
	 * sorts before "dual" would not: then by name. */
	ck_assert_uint_eq(nics->v[0].nmembers, 2);
	ck_assert_str_eq(member(nets, nics, 0, 0), "ipv4");
	ck_assert_str_eq(member(nets, nics, 0, 1), "ipv6");
	ck_assert_str_eq(nics->v[0].port_group, "PG-A");
	ck_assert_str_eq(member(nets, nics, 1, 0), "other");

	ck_assert_int_eq(net_nic_set_mac(nets, &nics->v[0],
	                                 "00:50:56:AA:BB:01", &err), 0);
	ck_assert_int_eq(net_nic_set_mac(nets, &nics->v[1],
	                                 "00:50:56:aa:bb:02", &err), 0);
	ck_assert_str_eq(nets->v[0].mac, "00:50:56:aa:bb:01");
	ck_assert_str_eq(nets->v[1].mac, "00:50:56:aa:bb:01");
	ck_assert_str_eq(nets->v[2].mac, "00:50:56:aa:bb:02");
	/* as cpi/ writes them (no cloud_properties in this request) */
	ck_assert_int_eq(cpi_networks_json(&doc, nets, NULL, true, &cerr), 0);
	json = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	ck_assert_ptr_nonnull(strstr(json, "\"ip\":\"2001:0db8:0000:0000:"
	                             "0000:0000:0000:0010\""));
	ck_assert_ptr_nonnull(strstr(json, "\"mac\":\"00:50:56:aa:bb:01\","
	                             "\"nic_group\":\"dual\"}"));
	free(json);
	net_nics_free(nics);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_order_by_group_name)
{
	struct net_network_in in[4] = { v4("gw", "PG-G"), v4("n-b", "PG-B"),
	                                v6("z-late", "PG-A"),
	                                v4("m-mid", "PG-M") };
	struct net_networks *nets;
	struct net_nics *nics;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[1].nic_group = "b";
	in[2].nic_group = "a";
	nets = validate_ok(in, 4);
	nics = nics_ok(nets);
	ck_assert_uint_eq(nics->n, 4);
	ck_assert_str_eq(member(nets, nics, 0, 0), "gw");
	ck_assert_str_eq(member(nets, nics, 1, 0), "z-late");   /* "a" */
	ck_assert_str_eq(member(nets, nics, 2, 0), "n-b");      /* "b" */
	ck_assert_str_eq(member(nets, nics, 3, 0), "m-mid");
	net_nics_free(nics);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_delegated_prefix_in_group)
{
	struct net_network_in in[3] = { v4("ipv4", "PG-A"),
	                                v6("ipv6", "PG-A"),
	                                v6_prefix("pd", "PG-A") };
	struct net_networks *nets;
	struct net_nics *nics;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[0].nic_group = "g";
	in[1].nic_group = "g";
	in[2].nic_group = "g";
	nets = validate_ok(in, 3);
	nics = nics_ok(nets);
	ck_assert_uint_eq(nics->n, 1);
	ck_assert_uint_eq(nics->v[0].nmembers, 3);
	/* The block's base, expanded; the prefix passed on as given. */
	ck_assert_str_eq(nets->v[2].ip,
	                 "2001:0db8:0000:0000:0001:0000:0000:0000");
	ck_assert_str_eq(nets->v[2].prefix, "80");
	net_nics_free(nics);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_dynamic_with_manual_ipv6)
{
	struct net_network_in in[2] = { { .name = "dhcp", .type = "dynamic",
	                                  .port_group = "PG-A",
	                                  .nic_group = "g" },
	                                v6("ipv6", "PG-A") };
	struct net_networks *nets;
	struct net_nics *nics;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[1].nic_group = "g";
	nets = validate_ok(in, 2);
	nics = nics_ok(nets);
	ck_assert_uint_eq(nics->n, 1);
	ck_assert_uint_eq(nics->v[0].nmembers, 2);
	net_nics_free(nics);
	net_networks_free(nets);

	/* A DHCP network of unknown family takes the IPv4 place. */
	in[1] = v4("ipv4", "PG-A");
	in[1].nic_group = "g";
	expect_fail(in, 2, "nic_group \"g\"", "\"dhcp\" and \"ipv4\"",
	            "IPv4 address", NULL);
}
END_TEST

START_TEST(test_default_route_in_group)
{
	struct net_network_in in[2] = { v4("ipv4", "PG-A"),
	                                v6("ipv6", "PG-A") };
	struct net_networks *nets;
	struct net_nics *nics;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[0].nic_group = "g";
	in[1].nic_group = "g";
	in[1].default_route = true;
	nets = validate_ok(in, 2);
	nics = nics_ok(nets);
	ck_assert_uint_eq(nics->n, 1);
	ck_assert_uint_eq(nets->v[1].nroutes, 1);
	ck_assert_str_eq(nets->v[1].routes[0].gateway,
	                 "2001:0db8:0000:0000:0000:0000:0000:0001");
	net_nics_free(nics);
	net_networks_free(nets);
}
END_TEST

/* A manual network without a netmask takes its prefix for its subnet:
 * that is the NIC's address, not a delegated block. */
START_TEST(test_prefix_without_netmask_is_an_address)
{
	struct net_network_in in[3] = { v4("ipv4", "PG-A"),
	                                v6("ipv6", "PG-A"),
	                                v6("ipv6b", "PG-A") };
	struct net_networks *nets;

	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[0].nic_group = "g";
	in[1].nic_group = "g";
	in[1].netmask = NULL;
	in[1].prefix = "64";
	nets = validate_ok(in, 2);
	ck_assert(!nets->v[1].delegated);
	net_networks_free(nets);
	in[2].ip = "2001:db8::11";
	in[2].nic_group = "g";
	expect_fail(in, 3, "\"ipv6\" and \"ipv6b\"", "IPv6 address", NULL);
}
END_TEST

START_TEST(test_refusals)
{
	struct net_network_in in[3];

	/* Different port groups. */
	in[0] = v4("ipv4", "PG-A");
	in[1] = v6("ipv6", "PG-B");
	in[0].defaults = def_both;
	in[0].ndefaults = 2;
	in[0].nic_group = "g";
	in[1].nic_group = "g";
	expect_fail(in, 2, "nic_group \"g\"", "\"ipv4\" and \"ipv6\"",
	            "different port groups", "\"PG-A\"", "\"PG-B\"", NULL);

	/* Two IPv6 addresses (neither a delegated prefix). */
	in[1] = v6("ipv6", "PG-A");
	in[1].nic_group = "g";
	in[2] = v6("ipv6b", "PG-A");
	in[2].ip = "2001:db8::11";
	in[2].nic_group = "g";
	expect_fail(in, 3, "nic_group \"g\"", "\"ipv6\" and \"ipv6b\"",
	            "IPv6 address", NULL);

	/* Two IPv4 addresses. */
	in[1] = v4("ipv4b", "PG-A");
	in[1].ip = "10.0.0.11";
	in[1].nic_group = "g";
	expect_fail(in, 2, "\"ipv4\" and \"ipv4b\"", "IPv4 address", NULL);

	/* Only delegated prefixes. */
	in[1] = v6_prefix("pd", "PG-A");
	in[1].nic_group = "only";
	expect_fail(in, 2, "nic_group \"only\"", "only delegated prefixes",
	            NULL);

	/* A vip network in a group. */
	in[1] = (struct net_network_in){ .name = "vip", .type = "vip",
	                                 .ip = "192.0.2.5",
	                                 .nic_group = "g" };
	expect_fail(in, 2, "nic_group \"g\"", "\"vip\"", "vip network",
	            NULL);

	/* An empty group name. */
	in[1] = v6("ipv6", "PG-A");
	in[1].nic_group = "";
	expect_fail(in, 2, "network \"ipv6\"", "nic_group is empty", NULL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("net_nics");
	TCase *tc = tcase_create("nics");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_without_groups_input_order);
	tcase_add_test(tc, test_dual_stack_one_nic);
	tcase_add_test(tc, test_order_by_group_name);
	tcase_add_test(tc, test_delegated_prefix_in_group);
	tcase_add_test(tc, test_dynamic_with_manual_ipv6);
	tcase_add_test(tc, test_default_route_in_group);
	tcase_add_test(tc, test_prefix_without_netmask_is_an_address);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
