/*
 * Unit tests of network/: one default route per address family
 * (cloud_properties.default_route) and the route rules around it.
 *
 * The documents are cpi/'s (cpi/agent_net.h), from network/'s typed
 * result.  The "unchanged" case compares documents with files under
 * tests/data/network/ that were written by the code as it was before
 * default_route existed: networks without default_route must still give
 * those bytes.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/agent_net.h"
#include "network/net.h"
#include "tests/support/cpi_run.h"

/* --- the networks of the byte-for-byte comparison -------------------- */

static const char *const golden_dns4[] = { "10.0.0.2", "10.0.0.3" };
static const char *const golden_dns6[] = { "2001:db8::53" };
static const char *const golden_def[] = { "gateway", "dns" };
static const struct net_route_in golden_r4[] = {
	{ "192.168.0.0", "255.255.0.0", "10.0.0.254" },
	{ "172.16.0.0", "255.240.0.0", "10.0.0.253" },
};
static const struct net_route_in golden_r6[] = {
	{ "2001:db8:100::", "ffff:ffff:ffff::", "2001:DB8::fe" },
};

/* The networks hash of the request, as cpi/ read it: the
 * cloud_properties the networks were given. */
static const char golden_request[] =
	"{\"v4\":{\"cloud_properties\":{\"name\":\"BOSH-V4\"}},"
	"\"v6\":{\"cloud_properties\":{\"default_route\":false,"
	"\"name\":\"BOSH-V6\"}},"
	"\"dyn\":{\"cloud_properties\":{\"name\":\"DHCP\"}}}";

/* The pair of net_v4() and net_v6() (v4b and v6b the same). */
static const char pair_request[] =
	"{\"v4\":{\"cloud_properties\":{\"name\":\"BOSH-V4\"}},"
	"\"v6\":{\"cloud_properties\":{\"default_route\":true,"
	"\"name\":\"BOSH-V6\"}}}";

static json_t *
request(const char *text)
{
	json_t *req = json_loads(text, 0, NULL);

	ck_assert_ptr_nonnull(req);
	return req;
}

/* nets as cpi/ writes them, compact; NULL (and a message) on failure. */
static char *
networks_json(const struct net_networks *nets, const char *req_text,
              bool with_mac)
{
	struct err err = { 0 };
	json_t *req = request(req_text), *out = NULL;
	char *json = NULL;

	if (cpi_networks_json(&out, nets, req, with_mac, &err) < 0)
		fprintf(stderr, "networks: %s\n", err.message);
	else
		json = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(req);
	return json;
}

/* The agent settings s as cpi/ writes them, compact. */
static char *
settings_json(struct cpi_agent_settings *s, const char *req_text)
{
	struct err err = { 0 };
	json_t *req = request(req_text), *out = NULL;
	char *json = NULL;

	s->request_networks = req;
	if (cpi_agent_settings_json(&out, s, &err) < 0)
		fprintf(stderr, "settings: %s\n", err.message);
	else
		json = json_dumps(out, JSON_COMPACT);
	s->request_networks = NULL;
	json_decref(out);
	json_decref(req);
	return json;
}

/* Four networks of every kind, with operator routes on two of them and
 * an explicit "default_route": false on the IPv6 one. */
static struct net_networks *
golden_networks(void)
{
	static const struct net_network_in in[4] = {
		{
			.name = "v4", .type = "manual", .ip = "10.0.0.10",
			.netmask = "255.255.255.0", .gateway = "10.0.0.1",
			.dns = golden_dns4, .ndns = 2,
			.defaults = golden_def, .ndefaults = 2,
			.routes = golden_r4, .nroutes = 2,
			.port_group = "BOSH-V4",
		},
		{
			.name = "v6", .type = "manual",
			.ip = "2001:db8::10", .prefix = "64",
			.gateway = "2001:db8::1",
			.dns = golden_dns6, .ndns = 1,
			.routes = golden_r6, .nroutes = 1,
			.port_group = "BOSH-V6",
		},
		{
			.name = "dyn", .type = "dynamic",
			.port_group = "DHCP",
		},
		{
			.name = "pub", .type = "vip", .ip = "203.0.113.5",
		},
	};
	static const char *const macs[3] = {
		"00:50:56:01:02:03", "00:50:56:0a:0b:0c", "00:50:56:aa:bb:cc",
	};
	struct net_networks *nets = NULL;
	struct err err = { 0 };
	size_t i;

	if (net_networks_validate(&nets, in, 4, &err) < 0) {
		fprintf(stderr, "golden networks: %s\n", err.message);
		return NULL;
	}
	for (i = 0; i < 3; i++) {
		if (net_network_set_mac(&nets->v[i], macs[i], &err) < 0) {
			net_networks_free(nets);
			return NULL;
		}
	}
	return nets;
}

/* The agent settings of golden_networks(). */
static char *
golden_settings(const struct net_networks *nets)
{
	static char ntp0[] = "0.pool.ntp.org";
	static char *ntp[] = { ntp0 };
	static char mbus[] = "nats://nats:nats-pw@10.0.0.5:4222";
	static char blob[] = "{\"provider\":\"dav\"}";
	struct cpi_agent agent = {
		.ntp = ntp, .nntp = 1, .mbus = mbus, .blobstore_json = blob,
	};
	json_t *sys = json_string("0"), *eph = json_string("1");
	json_t *env = json_pack("{s:{s:s}}", "bosh", "group", "g");
	struct cpi_agent_settings s = {
		.agent_id = "agent-9",
		.vm_name = "vm-0b7e",
		.vm_id = "vm-77",
		.networks = nets,
		.disk_system = sys,
		.disk_ephemeral = eph,
		.env = env,
		.agent = &agent,
	};
	char *json = settings_json(&s, golden_request);

	json_decref(sys);
	json_decref(eph);
	json_decref(env);
	return json;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
	if (n >= 0) {
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf != NULL)
			buf[n] = '\0';
	}
	fclose(f);
	return buf;
}

/* The file holds the document and one final newline. */
static void
assert_same_as_file(const char *got, const char *rel)
{
	char *want = slurp(cpi_test_data(rel));
	size_t n;

	ck_assert_msg(want != NULL, "cannot read tests/data/%s", rel);
	n = strlen(want);
	ck_assert_msg(n > 0 && want[n - 1] == '\n', "%s: no final newline",
	              rel);
	want[n - 1] = '\0';
	ck_assert_str_eq(got, want);
	free(want);
}

START_TEST(test_unchanged_without_default_route)
{
	struct net_networks *nets = golden_networks();
	char *json = NULL;
	size_t i;

	ck_assert_ptr_nonnull(nets);
	json = golden_settings(nets);
	ck_assert_ptr_nonnull(json);
	assert_same_as_file(json, "network/unchanged-settings.json");
	free(json);
	json = networks_json(nets, golden_request, false);
	ck_assert_ptr_nonnull(json);
	assert_same_as_file(json, "network/unchanged-networks.json");
	free(json);
	/* Only the operator's routes. */
	ck_assert_uint_eq(nets->v[0].nroutes, 2);
	ck_assert_uint_eq(nets->v[1].nroutes, 1);
	for (i = 2; i < nets->n; i++)
		ck_assert_uint_eq(nets->v[i].nroutes, 0);
	net_networks_free(nets);
}
END_TEST

/* --- default_route --------------------------------------------------- */

#define ZERO6 "0000:0000:0000:0000:0000:0000:0000:0000"
#define GW6 "2001:0db8:0000:0001:0000:0000:0000:0001"

static const char *const def_both[] = { "dns", "gateway" };

/* The multihomed pair: v4 holds the default gateway, v6 none. */
static struct net_network_in
net_v4(const char *name)
{
	struct net_network_in in = {
		.name = name, .type = "manual", .ip = "10.0.0.10",
		.netmask = "255.255.255.0", .gateway = "10.0.0.1",
		.defaults = def_both, .ndefaults = 2,
		.port_group = "BOSH-V4",
	};
	return in;
}

static struct net_network_in
net_v6(const char *name, bool default_route)
{
	struct net_network_in in = {
		.name = name, .type = "manual", .ip = "2001:db8:0:1::10",
		.prefix = "64", .gateway = "2001:DB8:0:1::1",
		.port_group = "BOSH-V6",
		.default_route = default_route,
	};
	return in;
}

static struct net_networks *
expect_ok(const struct net_network_in *in, size_t n)
{
	struct err err = { 0 };
	struct net_networks *nets = NULL;

	ck_assert_msg(net_networks_validate(&nets, in, n, &err) == 0,
	              "rejected: %s", err.message);
	ck_assert_ptr_nonnull(nets);
	ck_assert_int_eq(err.code, 0);
	return nets;
}

/* Refused with ERR_EINVAL, nothing returned, and the message holds every
 * one of the NULL-terminated fragments. */
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

static void
assert_route(const struct net_route *r, const char *dst, const char *mask,
             const char *gw)
{
	ck_assert_str_eq(r->destination, dst);
	ck_assert_str_eq(r->netmask, mask);
	ck_assert_str_eq(r->gateway, gw);
}

/* IPv4 default gateway, IPv6 with default_route: the whole agent
 * settings document, byte for byte. */
START_TEST(test_v6_default_route_settings)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };
	struct net_networks *nets = expect_ok(in, 2);
	struct cpi_agent_settings s = {
		.agent_id = "a", .vm_name = "vm-1", .networks = nets,
	};
	struct err err = { 0 };
	char *json = NULL;

	ck_assert(!nets->v[0].default_route);
	ck_assert_uint_eq(nets->v[0].nroutes, 0);
	ck_assert(nets->v[1].default_route);
	ck_assert_int_eq(nets->v[1].family, 6);
	ck_assert_uint_eq(nets->v[1].nroutes, 1);
	assert_route(&nets->v[1].routes[0], ZERO6, ZERO6, GW6);
	ck_assert_int_eq(net_network_set_mac(&nets->v[0], "00:50:56:00:00:01",
	                                     &err), 0);
	ck_assert_int_eq(net_network_set_mac(&nets->v[1], "00:50:56:00:00:02",
	                                     &err), 0);
	json = settings_json(&s, pair_request);
	ck_assert_ptr_nonnull(json);
	ck_assert_str_eq(json,
	    "{\"agent_id\":\"a\",\"vm\":{\"name\":\"vm-1\"},\"networks\":{"
	    "\"v4\":{\"type\":\"manual\",\"ip\":\"10.0.0.10\","
	    "\"netmask\":\"255.255.255.0\",\"gateway\":\"10.0.0.1\","
	    "\"default\":[\"dns\",\"gateway\"],"
	    "\"cloud_properties\":{\"name\":\"BOSH-V4\"},"
	    "\"mac\":\"00:50:56:00:00:01\"},"
	    "\"v6\":{\"type\":\"manual\","
	    "\"ip\":\"2001:0db8:0000:0001:0000:0000:0000:0010\","
	    "\"netmask\":\"ffff:ffff:ffff:ffff:0000:0000:0000:0000\","
	    "\"gateway\":\"" GW6 "\",\"prefix\":\"64\",\"default\":[],"
	    "\"routes\":[{\"destination\":\"" ZERO6 "\","
	    "\"netmask\":\"" ZERO6 "\",\"gateway\":\"" GW6 "\"}],"
	    "\"cloud_properties\":{\"default_route\":true,"
	    "\"name\":\"BOSH-V6\"},\"mac\":\"00:50:56:00:00:02\"}},"
	    "\"disks\":{\"persistent\":{}}}");
	free(json);
	/* create_vm's own result carries the route too. */
	json = networks_json(nets, pair_request, false);
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json,
	    "\"routes\":[{\"destination\":\"" ZERO6 "\",\"netmask\":\""
	    ZERO6 "\",\"gateway\":\"" GW6 "\"}]"));
	ck_assert_ptr_null(strstr(json, "\"mac\""));
	free(json);
	net_networks_free(nets);
}
END_TEST

/* The other way round: IPv6 default gateway, IPv4 default_route. */
START_TEST(test_v4_default_route)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", false) };
	struct net_networks *nets;

	in[0].defaults = NULL;
	in[0].ndefaults = 0;
	in[0].default_route = true;
	in[1].defaults = def_both;
	in[1].ndefaults = 2;
	nets = expect_ok(in, 2);
	ck_assert(nets->v[1].is_default_gateway);
	ck_assert_uint_eq(nets->v[1].nroutes, 0);
	ck_assert_int_eq(nets->v[0].family, 4);
	ck_assert_uint_eq(nets->v[0].nroutes, 1);
	assert_route(&nets->v[0].routes[0], "0.0.0.0", "0.0.0.0", "10.0.0.1");
	net_networks_free(nets);
}
END_TEST

/* The operator's routes stay first, in order; the default route is
 * appended after them. */
START_TEST(test_listed_routes_kept_in_order)
{
	static const struct net_route_in r6[] = {
		{ "2001:db8:100::", "ffff:ffff:ffff::", "2001:db8:0:1::fe" },
		{ "fd00::", "ff00::", "2001:db8:0:1::fd" },
	};
	static const struct net_route_in r4[] = {
		{ "192.168.0.0", "255.255.0.0", "10.0.0.254" },
	};
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };
	struct net_networks *nets;

	in[0].routes = r4;
	in[0].nroutes = 1;
	in[1].routes = r6;
	in[1].nroutes = 2;
	nets = expect_ok(in, 2);
	ck_assert_uint_eq(nets->v[0].nroutes, 1);
	assert_route(&nets->v[0].routes[0], "192.168.0.0", "255.255.0.0",
	             "10.0.0.254");
	ck_assert_uint_eq(nets->v[1].nroutes, 3);
	assert_route(&nets->v[1].routes[0],
	             "2001:0db8:0100:0000:0000:0000:0000:0000",
	             "ffff:ffff:ffff:0000:0000:0000:0000:0000",
	             "2001:0db8:0000:0001:0000:0000:0000:00fe");
	assert_route(&nets->v[1].routes[1],
	             "fd00:0000:0000:0000:0000:0000:0000:0000",
	             "ff00:0000:0000:0000:0000:0000:0000:0000",
	             "2001:0db8:0000:0001:0000:0000:0000:00fd");
	assert_route(&nets->v[1].routes[2], ZERO6, ZERO6, GW6);
	net_networks_free(nets);
}
END_TEST

/* A network that is not the default gateway, of the other family, next
 * to one more network of the gateway's family without default_route. */
START_TEST(test_three_networks)
{
	struct net_network_in in[3] = { net_v4("v4"), net_v6("v6", true),
	                                net_v4("v4b") };
	struct net_networks *nets;

	in[2].ip = "10.1.0.10";
	in[2].gateway = "10.1.0.1";
	in[2].defaults = NULL;
	in[2].ndefaults = 0;
	nets = expect_ok(in, 3);
	ck_assert_uint_eq(nets->v[0].nroutes, 0);
	ck_assert_uint_eq(nets->v[1].nroutes, 1);
	ck_assert_uint_eq(nets->v[2].nroutes, 0);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_default_route_false_is_absent)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", false) };
	struct net_networks *nets = expect_ok(in, 2);

	ck_assert(!nets->v[1].default_route);
	ck_assert_uint_eq(nets->v[1].nroutes, 0);
	ck_assert_ptr_null(nets->v[1].routes);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_refused_on_default_gateway_network)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", false) };
	struct net_network_in one = net_v6("solo", true);

	in[0].default_route = true;
	expect_fail(in, 2, "network \"v4\" has default_route but is the "
	            "default gateway network", NULL);
	/* A lone network with a gateway is the default gateway without
	 * saying so. */
	expect_fail(&one, 1, "network \"solo\"", "is the default gateway "
	            "network", NULL);
}
END_TEST

START_TEST(test_refused_without_gateway)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };

	in[1].gateway = NULL;
	expect_fail(in, 2, "network \"v6\": default_route needs a gateway",
	            NULL);
}
END_TEST

START_TEST(test_refused_on_dynamic_and_vip)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };

	in[1].type = "dynamic";
	in[1].ip = NULL;
	in[1].prefix = NULL;
	expect_fail(in, 2, "network \"v6\": default_route is for manual "
	            "networks, not a dynamic one", NULL);
	/* even with every address given */
	in[1] = net_v6("v6", true);
	in[1].type = "dynamic";
	expect_fail(in, 2, "not a dynamic one", NULL);
	in[1] = net_v6("v6", true);
	in[1].type = "vip";
	in[1].prefix = "128";    /* a vip is one address */
	in[1].port_group = NULL;
	expect_fail(in, 2, "network \"v6\": default_route is for manual "
	            "networks, not a vip one", NULL);
}
END_TEST

START_TEST(test_refused_twice_in_a_family)
{
	struct net_network_in in[3] = { net_v4("v4"), net_v6("v6", true),
	                                net_v6("v6b", true) };
	struct net_network_in same[2] = { net_v4("v4"), net_v4("v4b") };

	in[2].ip = "2001:db8:0:2::10";
	in[2].gateway = "2001:db8:0:2::1";
	expect_fail(in, 3, "networks \"v6\" and \"v6b\" both have "
	            "default_route for IPv6", NULL);
	/* The default gateway network already is its family's one. */
	same[1].ip = "10.1.0.10";
	same[1].gateway = "10.1.0.1";
	same[1].defaults = NULL;
	same[1].ndefaults = 0;
	same[1].default_route = true;
	expect_fail(same, 2, "network \"v4b\" has default_route for IPv4, "
	            "but the default gateway network \"v4\" already gives "
	            "IPv4 its default route", NULL);
}
END_TEST

/* With a dynamic default gateway of unknown family the rule cannot be
 * checked: refused.  With an address it can. */
START_TEST(test_dynamic_default_gateway)
{
	struct net_network_in in[2] = { net_v4("dhcp"), net_v6("v6", true) };
	struct net_networks *nets;

	in[0].type = "dynamic";
	in[0].ip = NULL;
	in[0].netmask = NULL;
	in[0].gateway = NULL;
	expect_fail(in, 2, "network \"v6\" has default_route but the family "
	            "of the default gateway network \"dhcp\" is unknown",
	            NULL);
	in[0].ip = "10.0.0.10";
	nets = expect_ok(in, 2);
	ck_assert_int_eq(nets->v[0].family, 4);
	ck_assert_uint_eq(nets->v[1].nroutes, 1);
	assert_route(&nets->v[1].routes[0], ZERO6, ZERO6, GW6);
	net_networks_free(nets);
}
END_TEST

START_TEST(test_refused_listed_route)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };
	struct net_route_in r;

	in[1].routes = &r;
	in[1].nroutes = 1;
	/* gateway outside the network's subnet */
	r = (struct net_route_in){ "2001:db8:100::", "ffff:ffff:ffff::",
	                           "2001:db8:0:2::1" };
	expect_fail(in, 2, "network \"v6\": route 0: gateway "
	            "2001:0db8:0000:0002:0000:0000:0000:0001 is outside the "
	            "network's subnet", NULL);
	/* another family, in each field */
	r = (struct net_route_in){ "2001:db8:100::", "ffff:ffff:ffff::",
	                           "10.0.0.254" };
	expect_fail(in, 2, "route 0: gateway 10.0.0.254 is IPv4 but the "
	            "network is IPv6", NULL);
	r = (struct net_route_in){ "192.168.0.0", "255.255.0.0",
	                           "2001:db8:0:1::fe" };
	expect_fail(in, 2, "route 0: destination 192.168.0.0 is IPv4 but "
	            "the network is IPv6", NULL);
	r = (struct net_route_in){ "2001:db8:100::", "255.255.0.0",
	                           "2001:db8:0:1::fe" };
	expect_fail(in, 2, "route 0: netmask 255.255.0.0 is IPv4", NULL);
	/* the same on the network without default_route */
	in[1] = net_v6("v6", false);
	r = (struct net_route_in){ "10.9.0.0", "255.255.0.0", "10.9.0.1" };
	in[0].routes = &r;
	in[0].nroutes = 1;
	expect_fail(in, 2, "network \"v4\": route 0: gateway 10.9.0.1 is "
	            "outside the network's subnet 10.0.0.0/24", NULL);
}
END_TEST

/* default_route next to a prefix-0 route the operator listed would give
 * the family two default routes. */
START_TEST(test_refused_with_listed_default)
{
	static const struct net_route_in r6[] = {
		{ "2001:db8:100::", "ffff:ffff:ffff::", "2001:db8:0:1::fe" },
		{ "::", "::", "2001:db8:0:1::fe" },
	};
	static const struct net_route_in r4[] = {
		{ "0.0.0.0", "0.0.0.0", "10.0.0.254" },
	};
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };
	struct net_network_in v6gw[2] = { net_v4("v4"), net_v6("v6", false) };
	struct net_networks *nets;

	in[1].routes = r6;
	in[1].nroutes = 2;
	expect_fail(in, 2, "network \"v6\" has default_route and lists a "
	            "default route (route 1) already", NULL);
	/* IPv4 alike */
	v6gw[0].defaults = NULL;
	v6gw[0].ndefaults = 0;
	v6gw[0].default_route = true;
	v6gw[0].routes = r4;
	v6gw[0].nroutes = 1;
	v6gw[1].defaults = def_both;
	v6gw[1].ndefaults = 2;
	expect_fail(v6gw, 2, "network \"v4\" has default_route and lists a "
	            "default route (route 0) already", NULL);
	/* Without default_route the listed one is the operator's business,
	 * as before. */
	in[1] = net_v6("v6", false);
	in[1].routes = r6;
	in[1].nroutes = 2;
	nets = expect_ok(in, 2);
	ck_assert_uint_eq(nets->v[1].nroutes, 2);
	net_networks_free(nets);
}
END_TEST

/* Refusals come from validation alone (no I/O) and keep the first
 * error. */
START_TEST(test_first_error_wins)
{
	struct net_network_in in[2] = { net_v4("v4"), net_v6("v6", true) };
	struct net_networks *nets = NULL;
	struct err err = { 0 };

	in[1].gateway = NULL;
	err_set(&err, ERR_EINVAL, "earlier failure");
	ck_assert_int_eq(net_networks_validate(&nets, in, 2, &err),
	                 ERR_EINVAL);
	ck_assert_ptr_null(nets);
	ck_assert_str_eq(err.message, "earlier failure");
}
END_TEST

static Suite *
routes_suite(void)
{
	Suite *s = suite_create("net_routes");
	TCase *tc = tcase_create("default_route");

	tcase_add_test(tc, test_unchanged_without_default_route);
	tcase_add_test(tc, test_v6_default_route_settings);
	tcase_add_test(tc, test_v4_default_route);
	tcase_add_test(tc, test_listed_routes_kept_in_order);
	tcase_add_test(tc, test_three_networks);
	tcase_add_test(tc, test_default_route_false_is_absent);
	tcase_add_test(tc, test_refused_on_default_gateway_network);
	tcase_add_test(tc, test_refused_without_gateway);
	tcase_add_test(tc, test_refused_on_dynamic_and_vip);
	tcase_add_test(tc, test_refused_twice_in_a_family);
	tcase_add_test(tc, test_dynamic_default_gateway);
	tcase_add_test(tc, test_refused_listed_route);
	tcase_add_test(tc, test_refused_with_listed_default);
	tcase_add_test(tc, test_first_error_wins);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(routes_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
