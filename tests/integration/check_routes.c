/*
 * check_routes (simulator): one default route per address family, and
 * networks sharing a NIC (nic_group, BOSH RFC 0038), end to end.  create_vm runs through the built binary against a fresh
 * vcsim (tests/sim/run.sh: standard port groups BOSH-V4 and BOSH-V6;
 * check_routes.flags drops the model's own VMs).  The VM's env.iso is
 * downloaded and read back with xorriso, guestinfo.userdata decoded from
 * its extraConfig, and the routes of each network compared with what
 * the agent must get.  Refused requests must leave the simulator
 * untouched: not one SOAP request (VCSIM_REQUEST_DIR), no VM.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_agent_env.h"
#include "tests/support/sim_call.h"
#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_inventory.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/vim.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

#define ZERO6 "0000:0000:0000:0000:0000:0000:0000:0000"
#define GW6 "2001:0db8:0000:0000:0000:0000:0000:0001"

static char defcfg[4096];
static char stemcell[128];
static char outdir[2048];
static struct vs_client *cl;
static struct err err;

static void
setup(void)
{
	err_clear(&err);
	cl = sim_client_connect(NULL);
}

static void
teardown(void)
{
	vs_client_free(cl);
	cl = NULL;
}

/* Runs method (args stolen) through the binary; the parsed response. */
static json_t *
call(const char *method, json_t *args)
{
	struct cpi_test_run r;
	json_t *resp;

	resp = sim_call_checked(&r, defcfg, method, args, NULL);
	cpi_test_run_clear(&r);
	return resp;
}

static json_t *
vm_args(json_t *networks)
{
	return json_pack("[s,s,{s:i,s:i,s:i},o,[],{s:{s:s}}]",
	                 "agent-routes", stemcell, "cpu", 1, "ram", 512,
	                 "disk", 1024, networks, "bosh", "group", "routes");
}

/* --- the networks hashes --------------------------------------------- */

/* IPv4 holds the default gateway; IPv6 asks for its own default route
 * (and lists routes when routes6 is not NULL; stolen). */
static json_t *
v4_gateway_v6_route(json_t *routes6)
{
	json_t *nets = json_pack(
	    "{s:{s:s,s:s,s:s,s:s,s:[s],s:[s,s],s:{s:s}},"
	    " s:{s:s,s:s,s:s,s:s,s:[s],s:{s:s,s:b}}}",
	    "v4", "type", "manual", "ip", "10.0.0.10",
	    "netmask", "255.255.255.0", "gateway", "10.0.0.1",
	    "dns", "10.0.0.2", "default", "dns", "gateway",
	    "cloud_properties", "name", "BOSH-V4",
	    "v6", "type", "manual", "ip", "2001:db8::10",
	    "netmask", "ffff:ffff:ffff:ffff::", "gateway", "2001:db8::1",
	    "dns", "2001:db8::53",
	    "cloud_properties", "name", "BOSH-V6", "default_route", 1);

	ck_assert_ptr_nonnull(nets);
	if (routes6 != NULL)
		json_object_set_new(json_object_get(nets, "v6"), "routes",
		                    routes6);
	return nets;
}

/* --- looking at the VM ----------------------------------------------- */

/* SOAP requests the simulator received so far. */
static size_t
count_requests(void)
{
	DIR *d = opendir(sim_env("VCSIM_REQUEST_DIR"));
	struct dirent *de;
	size_t n = 0;

	ck_assert_ptr_nonnull(d);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] != '.')
			n++;
	}
	closedir(d);
	return n;
}

/* The settings from guestinfo.userdata of the VM's extraConfig. */
static json_t *
guestinfo_settings(const struct vs_moref *vm)
{
	char *found = sim_extra_config(cl, vm, "guestinfo.userdata", false);
	unsigned char *dec;
	size_t dlen;
	json_t *j;

	ck_assert_ptr_nonnull(found);
	dec = sim_b64_decode(found, &dlen);
	j = json_loadb((const char *)dec, dlen, JSON_REJECT_DUPLICATES, NULL);
	ck_assert_msg(j != NULL, "guestinfo.userdata is not JSON");
	free(dec);
	free(found);
	return j;
}

/* The settings the VM's CD-ROM holds: env.iso downloaded from its
 * datastore and read with xorriso; also checked equal to guestinfo. */
static json_t *
vm_settings(const char *cid)
{
	struct vs_moref vm = sim_vm_ref(cl, cid);
	struct vs_vm_info *info = NULL;
	json_t *j, *guest;

	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, cl, &vm, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(info->power, VS_VM_POWERED_ON);
	ck_assert_uint_ge(info->ndatastores, 1);
	j = sim_env_iso_settings(cl, outdir, cid, info->datastores[0].name);
	vs_vm_info_free(info);
	guest = guestinfo_settings(&vm);
	ck_assert(json_equal(guest, j));
	json_decref(guest);
	return j;
}

static void
delete_vm(const char *cid)
{
	json_t *resp = call("delete_vm", json_pack("[s]", cid));

	ck_assert_ptr_null(sim_error_type(resp));
	json_decref(resp);
}

/* Creates a VM, checks that it succeeded, returns the response. */
static json_t *
create_ok(json_t *nets)
{
	json_t *resp;

	ck_assert_ptr_nonnull(nets);
	resp = call("create_vm", vm_args(nets));
	const json_t *e = json_object_get(resp, "error");

	ck_assert_msg(sim_error_type(resp) == NULL, "create_vm: %s",
	              json_string_value(json_object_get(e, "message")));
	return resp;
}

static const char *
cid_of(const json_t *resp)
{
	const char *cid = json_string_value(json_array_get(json_object_get(
	                                    resp, "result"), 0));

	ck_assert_ptr_nonnull(cid);
	return cid;
}

static void
assert_routes(const json_t *network, const json_t *want)
{
	const json_t *got = json_object_get(network, "routes");
	char *g = got != NULL ? json_dumps(got, JSON_COMPACT) : NULL;
	char *w = json_dumps(want, JSON_COMPACT);

	ck_assert_msg(json_equal(got, want), "routes %s, want %s",
	              g != NULL ? g : "(none)", w);
	free(g);
	free(w);
}

/* --- cases ------------------------------------------------------------ */

/* The multihomed case of the README: IPv4 default gateway, IPv6 with
 * default_route.  The agent gets ::/0 via the IPv6 gateway, fully
 * expanded; IPv4 is left as it was. */
START_TEST(test_v6_default_route)
{
	json_t *resp = create_ok(v4_gateway_v6_route(NULL));
	json_t *settings = vm_settings(cid_of(resp));
	const json_t *nets = json_object_get(settings, "networks");
	const json_t *v6 = json_object_get(nets, "v6");
	json_t *want = json_pack("[{s:s,s:s,s:s}]", "destination", ZERO6,
	                         "netmask", ZERO6, "gateway", GW6);

	assert_routes(v6, want);
	ck_assert_ptr_null(json_object_get(json_object_get(nets, "v4"),
	                                   "routes"));
	ck_assert_str_eq(json_string_value(json_object_get(v6, "gateway")),
	                 GW6);
	ck_assert_uint_eq(json_array_size(json_object_get(v6, "default")),
	                  0);
	ck_assert(json_is_true(json_object_get(json_object_get(v6,
	          "cloud_properties"), "default_route")));
	ck_assert(json_is_string(json_object_get(v6, "mac")));
	/* create_vm's result says the same. */
	assert_routes(json_object_get(json_array_get(json_object_get(resp,
	              "result"), 1), "v6"), want);
	json_decref(want);
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

/* Routes the operator lists stay first, in order. */
START_TEST(test_listed_routes_kept)
{
	json_t *listed = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]",
	                           "destination", "2001:db8:100::",
	                           "netmask", "ffff:ffff:ffff::",
	                           "gateway", "2001:db8::fe",
	                           "destination", "fd00::",
	                           "netmask", "ff00::",
	                           "gateway", "2001:db8::fd");
	json_t *resp = create_ok(v4_gateway_v6_route(listed));
	json_t *settings = vm_settings(cid_of(resp));
	json_t *want = json_pack(
	    "[{s:s,s:s,s:s},{s:s,s:s,s:s},{s:s,s:s,s:s}]",
	    "destination", "2001:0db8:0100:0000:0000:0000:0000:0000",
	    "netmask", "ffff:ffff:ffff:0000:0000:0000:0000:0000",
	    "gateway", "2001:0db8:0000:0000:0000:0000:0000:00fe",
	    "destination", "fd00:0000:0000:0000:0000:0000:0000:0000",
	    "netmask", "ff00:0000:0000:0000:0000:0000:0000:0000",
	    "gateway", "2001:0db8:0000:0000:0000:0000:0000:00fd",
	    "destination", ZERO6, "netmask", ZERO6, "gateway", GW6);

	assert_routes(json_object_get(json_object_get(settings, "networks"),
	                              "v6"), want);
	json_decref(want);
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

/* The other way round: IPv6 default gateway, IPv4 with default_route. */
START_TEST(test_v4_default_route)
{
	json_t *nets = json_pack(
	    "{s:{s:s,s:s,s:s,s:{s:s,s:b}},"
	    " s:{s:s,s:s,s:s,s:[s,s],s:{s:s}}}",
	    "v4", "ip", "10.0.0.10", "netmask", "255.255.255.0",
	    "gateway", "10.0.0.1",
	    "cloud_properties", "name", "BOSH-V4", "default_route", 1,
	    "v6", "ip", "2001:db8::10", "prefix", "64",
	    "gateway", "2001:db8::1", "default", "dns", "gateway",
	    "cloud_properties", "name", "BOSH-V6");
	json_t *resp = create_ok(nets);
	json_t *settings = vm_settings(cid_of(resp));
	const json_t *n = json_object_get(settings, "networks");
	json_t *want = json_pack("[{s:s,s:s,s:s}]", "destination", "0.0.0.0",
	                         "netmask", "0.0.0.0", "gateway", "10.0.0.1");

	assert_routes(json_object_get(n, "v4"), want);
	ck_assert_ptr_null(json_object_get(json_object_get(n, "v6"),
	                                   "routes"));
	json_decref(want);
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

/* create_vm with nets must answer a CloudError naming needle, without a
 * single request to the simulator and without a VM. */
static void
assert_refused(json_t *nets, const char *needle)
{
	size_t vms, reqs;
	json_t *resp;
	const json_t *e;
	const char *msg;

	ck_assert_ptr_nonnull(nets);
	vms = sim_count_vms(cl, "vm-");
	reqs = count_requests();
	resp = call("create_vm", vm_args(nets));
	e = json_object_get(resp, "error");
	msg = json_string_value(json_object_get(e, "message"));
	ck_assert_uint_eq(count_requests(), reqs);
	ck_assert_ptr_nonnull(sim_error_type(resp));
	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' lacks '%s'",
	              msg, needle);
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
	ck_assert_uint_eq(sim_count_vms(cl, "vm-"), vms);
	json_decref(resp);
}

START_TEST(test_refused_before_vcenter)
{
	json_t *nets;

	/* the harness really sees the binary's requests */
	ck_assert_uint_gt(count_requests(), 0);
	/* on the default-gateway network itself */
	nets = v4_gateway_v6_route(NULL);
	json_object_set_new(json_object_get(json_object_get(nets, "v4"),
	                    "cloud_properties"), "default_route", json_true());
	assert_refused(nets, "network \"v4\" has default_route but is the "
	               "default gateway network");
	/* without a gateway */
	nets = v4_gateway_v6_route(NULL);
	json_object_del(json_object_get(nets, "v6"), "gateway");
	assert_refused(nets, "network \"v6\": default_route needs a "
	               "gateway");
	/* on a dynamic network */
	nets = v4_gateway_v6_route(NULL);
	json_object_set_new(json_object_get(nets, "v6"), "type",
	                    json_string("dynamic"));
	assert_refused(nets, "not a dynamic one");
	/* twice for IPv6 */
	nets = v4_gateway_v6_route(NULL);
	json_object_set_new(nets, "v6b", json_pack(
	    "{s:s,s:s,s:s,s:{s:s,s:b}}", "ip", "2001:db8:1::10",
	    "prefix", "64", "gateway", "2001:db8:1::1",
	    "cloud_properties", "name", "BOSH-V6", "default_route", 1));
	assert_refused(nets, "both have default_route for IPv6");
	/* a listed route of the other family */
	nets = v4_gateway_v6_route(json_pack("[{s:s,s:s,s:s}]",
	                           "destination", "192.168.0.0",
	                           "netmask", "255.255.0.0",
	                           "gateway", "10.0.0.254"));
	assert_refused(nets, "is IPv4 but the network is IPv6");
	/* a listed route whose gateway is off the subnet */
	nets = v4_gateway_v6_route(json_pack("[{s:s,s:s,s:s}]",
	                           "destination", "2001:db8:100::",
	                           "netmask", "ffff:ffff:ffff::",
	                           "gateway", "2001:db8:9::1"));
	assert_refused(nets, "is outside the network's subnet");
	/* not a boolean */
	nets = v4_gateway_v6_route(NULL);
	json_object_set_new(json_object_get(json_object_get(nets, "v6"),
	                    "cloud_properties"), "default_route",
	                    json_string("true"));
	assert_refused(nets, "cloud_properties.default_route must be true "
	               "or false");
}
END_TEST

/* --- nic_group: dual stack on one NIC --------------------------------- */

/* The NICs of the VM, as vCenter holds them. */
static size_t
vm_nics(const char *cid, char macs[][18], size_t max)
{
	struct vs_moref vm = sim_vm_ref(cl, cid);
	struct vs_vm_info *info = NULL;
	size_t i, n = 0;

	err_clear(&err);
	ck_assert_msg(vs_vm_info(&info, cl, &vm, &err) == 0, "%s",
	              err.message);
	for (i = 0; i < info->ndevices; i++) {
		const char *mac = info->devices[i].mac_address;

		if (mac == NULL)
			continue;
		ck_assert_uint_lt(n, max);
		ck_assert_uint_eq(strlen(mac), 17);
		snprintf(macs[n++], 18, "%s", mac);
	}
	vs_vm_info_free(info);
	return n;
}

/* An IPv4 and an IPv6 manual network on BOSH-V4, both in nic_group
 * "dual" (extra, when not NULL, is added to the hash as "pd"). */
static json_t *
dual_stack(json_t *extra)
{
	json_t *nets = json_pack(
	    "{s:{s:s,s:s,s:s,s:s,s:[s],s:[s,s],s:s,s:{s:s}},"
	    " s:{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}}",
	    "ipv4", "type", "manual", "ip", "10.0.0.10",
	    "netmask", "255.255.255.0", "gateway", "10.0.0.1",
	    "dns", "10.0.0.2", "default", "dns", "gateway",
	    "nic_group", "dual", "cloud_properties", "name", "BOSH-V4",
	    "ipv6", "type", "manual", "ip", "2001:db8::10",
	    "netmask", "ffff:ffff:ffff:ffff::", "gateway", "2001:db8::1",
	    "prefix", "128", "nic_group", "dual",
	    "cloud_properties", "name", "BOSH-V4");

	ck_assert_ptr_nonnull(nets);
	if (extra != NULL)
		json_object_set_new(nets, "pd", extra);
	return nets;
}

static const char *
mac_of(const json_t *networks, const char *name)
{
	const char *mac = json_string_value(json_object_get(
	                  json_object_get(networks, name), "mac"));

	ck_assert_msg(mac != NULL, "network %s has no mac", name);
	return mac;
}

/* One NIC for both networks; both carry its MAC in env.iso, guestinfo
 * and create_vm's result. */
START_TEST(test_dual_stack_one_nic)
{
	json_t *resp = create_ok(dual_stack(NULL));
	json_t *settings = vm_settings(cid_of(resp));
	const json_t *n = json_object_get(settings, "networks");
	const json_t *res = json_array_get(json_object_get(resp, "result"), 1);
	char macs[4][18];

	ck_assert_uint_eq(vm_nics(cid_of(resp), macs, 4), 1);
	ck_assert_str_eq(mac_of(n, "ipv4"), macs[0]);
	ck_assert_str_eq(mac_of(n, "ipv6"), macs[0]);
	ck_assert_str_eq(json_string_value(json_object_get(
	                 json_object_get(n, "ipv6"), "ip")),
	                 "2001:0db8:0000:0000:0000:0000:0000:0010");
	ck_assert_str_eq(json_string_value(json_object_get(
	                 json_object_get(n, "ipv6"), "nic_group")), "dual");
	ck_assert_str_eq(mac_of(res, "ipv4"), macs[0]);
	ck_assert_str_eq(mac_of(res, "ipv6"), macs[0]);
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

/* A delegated /80 in the group, and default_route on the IPv6 member:
 * still one NIC; the prefix network's base address expanded, its
 * prefix handed on; the IPv6 default route on the same MAC. */
START_TEST(test_delegated_prefix_and_route_in_group)
{
	json_t *pd = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s}}",
	                       "type", "manual", "ip", "2001:db8::1:0:0:0",
	                       "netmask", "ffff:ffff:ffff:ffff::",
	                       "gateway", "2001:db8::1", "prefix", "80",
	                       "nic_group", "dual",
	                       "cloud_properties", "name", "BOSH-V4");
	json_t *nets = dual_stack(pd);
	json_t *resp, *settings, *want;
	const json_t *n;
	char macs[4][18];

	json_object_set_new(json_object_get(json_object_get(nets, "ipv6"),
	                    "cloud_properties"), "default_route", json_true());
	resp = create_ok(nets);
	settings = vm_settings(cid_of(resp));
	n = json_object_get(settings, "networks");
	ck_assert_uint_eq(vm_nics(cid_of(resp), macs, 4), 1);
	ck_assert_str_eq(mac_of(n, "pd"), macs[0]);
	ck_assert_str_eq(mac_of(n, "ipv6"), macs[0]);
	ck_assert_str_eq(json_string_value(json_object_get(
	                 json_object_get(n, "pd"), "ip")),
	                 "2001:0db8:0000:0000:0001:0000:0000:0000");
	ck_assert_str_eq(json_string_value(json_object_get(
	                 json_object_get(n, "pd"), "prefix")), "80");
	want = json_pack("[{s:s,s:s,s:s}]", "destination", ZERO6,
	                 "netmask", ZERO6, "gateway", GW6);
	assert_routes(json_object_get(n, "ipv6"), want);
	json_decref(want);
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

/* Without nic_group nothing changes: one NIC per network, and the
 * result carries no MAC. */
START_TEST(test_no_group_one_nic_each)
{
	json_t *nets = dual_stack(NULL);
	json_t *resp, *settings;
	const json_t *n, *res;
	char macs[4][18];

	json_object_del(json_object_get(nets, "ipv4"), "nic_group");
	json_object_del(json_object_get(nets, "ipv6"), "nic_group");
	resp = create_ok(nets);
	settings = vm_settings(cid_of(resp));
	n = json_object_get(settings, "networks");
	res = json_array_get(json_object_get(resp, "result"), 1);
	ck_assert_uint_eq(vm_nics(cid_of(resp), macs, 4), 2);
	ck_assert_str_eq(mac_of(n, "ipv4"), macs[0]);
	ck_assert_str_eq(mac_of(n, "ipv6"), macs[1]);
	ck_assert_ptr_null(json_object_get(json_object_get(res, "ipv4"),
	                                   "mac"));
	json_decref(settings);
	delete_vm(cid_of(resp));
	json_decref(resp);
}
END_TEST

START_TEST(test_group_refused_before_vcenter)
{
	json_t *nets;

	nets = dual_stack(NULL);
	json_object_set_new(json_object_get(json_object_get(nets, "ipv6"),
	                    "cloud_properties"), "name",
	                    json_string("BOSH-V6"));
	assert_refused(nets, "name different port groups");
	nets = dual_stack(json_pack("{s:s,s:s,s:s,s:s,s:{s:s}}",
	                            "ip", "10.0.0.11",
	                            "netmask", "255.255.255.0",
	                            "gateway", "10.0.0.1",
	                            "nic_group", "dual",
	                            "cloud_properties", "name", "BOSH-V4"));
	assert_refused(nets, "both give the NIC an IPv4 address");
	nets = dual_stack(json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s}}",
	                            "ip", "2001:db8::1:0:0:0",
	                            "netmask", "ffff:ffff:ffff:ffff::",
	                            "gateway", "2001:db8::1",
	                            "prefix", "80", "nic_group", "lonely",
	                            "cloud_properties", "name", "BOSH-V4"));
	assert_refused(nets, "holds only delegated prefixes");
	nets = dual_stack(json_pack("{s:s,s:s,s:s}", "type", "vip",
	                            "ip", "192.0.2.5", "nic_group", "dual"));
	assert_refused(nets, "vip network");
}
END_TEST

/* --- main ------------------------------------------------------------- */

static Suite *
suite(void)
{
	Suite *s = suite_create("routes");
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_v6_default_route);
	tcase_add_test(tc, test_listed_routes_kept);
	tcase_add_test(tc, test_v4_default_route);
	tcase_add_test(tc, test_refused_before_vcenter);
	tcase_add_test(tc, test_dual_stack_one_nic);
	tcase_add_test(tc, test_delegated_prefix_and_route_in_group);
	tcase_add_test(tc, test_no_group_one_nic_each);
	tcase_add_test(tc, test_group_refused_before_vcenter);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sim_suite_start(defcfg, sizeof(defcfg), "check_routes") < 0)
		return 1;
	if (sim_stemcell_make(stemcell, sizeof(stemcell), outdir,
	                      sizeof(outdir), NULL, 0, defcfg) < 0)
		return 1;
	return sim_suite_run(suite());
}
