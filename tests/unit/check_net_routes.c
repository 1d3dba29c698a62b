/*
 * Unit tests of network/: one default route per address family
 * (cloud_properties.default_route) and the route rules around it.
 *
 * The "unchanged" case compares documents with files under
 * tests/data/network/ that were written by the code as it was before
 * default_route existed: networks without default_route must still give
 * those bytes.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
			.cloud_properties_json = "{\"name\":\"BOSH-V4\"}",
			.port_group = "BOSH-V4",
		},
		{
			.name = "v6", .type = "manual",
			.ip = "2001:db8::10", .prefix = "64",
			.gateway = "2001:db8::1",
			.dns = golden_dns6, .ndns = 1,
			.routes = golden_r6, .nroutes = 1,
			.cloud_properties_json = "{\"default_route\":false,"
			                         "\"name\":\"BOSH-V6\"}",
			.port_group = "BOSH-V6",
		},
		{
			.name = "dyn", .type = "dynamic",
			.cloud_properties_json = "{\"name\":\"DHCP\"}",
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
	struct net_error err = { 0 };
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
	static const char *const ntp[] = { "0.pool.ntp.org" };
	struct net_agent_settings s = {
		.agent_id = "agent-9",
		.vm_name = "vm-0b7e",
		.vm_id = "vm-77",
		.networks = nets,
		.disk_system = "\"0\"",
		.disk_ephemeral = "\"1\"",
		.env_json = "{\"bosh\":{\"group\":\"g\"}}",
		.ntp = ntp,
		.nntp = 1,
		.mbus = "nats://nats:nats-pw@10.0.0.5:4222",
		.blobstore_json = "{\"provider\":\"dav\"}",
	};
	struct net_error err = { 0 };
	char *json = NULL;

	if (net_agent_settings_json(&json, &s, &err) < 0)
		fprintf(stderr, "golden settings: %s\n", err.message);
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
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
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
	struct net_error err = { 0 };
	char *json = NULL;
	size_t i;

	ck_assert_ptr_nonnull(nets);
	json = golden_settings(nets);
	ck_assert_ptr_nonnull(json);
	assert_same_as_file(json, "network/unchanged-settings.json");
	free(json);
	json = NULL;
	ck_assert_int_eq(net_networks_json(&json, nets, false, &err), 0);
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

static Suite *
routes_suite(void)
{
	Suite *s = suite_create("net_routes");
	TCase *tc = tcase_create("default_route");

	tcase_add_test(tc, test_unchanged_without_default_route);
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
