/*
 * tests/unit/check_pbm.c: the storage policy service (vsphere/pbm.h)
 * against the fake transport: the request bytes of the four PBM calls
 * (endpoint, SOAPAction, the session cookie header), reply parsing
 * (compatible datastore hubs only), the errors, and the transport's
 * cookie (vs_cookie_jar_line, vs_transport_cookie); then what create_vm
 * does with a policy: the placement among its datastores only
 * (vs_placement_req.policy), the profile in the settings reconfigure
 * (vs_create_opts.profile_id), the precedence of the cloud properties
 * (cpi/vm_props.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cpi/vm_props.h"
#include "tests/support/fake_transport.h"
#include "vsphere/client.h"
#include "vsphere/create.h"
#include "vsphere/pbm.h"
#include "vsphere/placement.h"
#include "vsphere/transport_fault.h"
#include "vsphere/transports.h"

#define COOKIE "52b4-c00k1e"
#define HEAD "<soapenv:Header><vcSessionCookie>" COOKIE \
	"</vcSessionCookie></soapenv:Header><soapenv:Body>"
#define PBM_REPLY(op, inner) \
	FT_ENV_HEAD "<" op "Response xmlns=\"urn:pbm\">" inner "</" op \
	"Response>" FT_ENV_TAIL

static void
setup(void)
{
	ft_reset("pbm");
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
}

static void
teardown(void)
{
	ft_clear();
}

static void
reply(const char *op, const char *body)
{
	ft_reply_raw(op, 200, body);
}

static void
reply_content(void)
{
	reply("PbmRetrieveServiceContent", PBM_REPLY("PbmRetrieveServiceContent",
	      "<returnval><aboutInfo><name>PBM</name><version>2.0</version>"
	      "<instanceUuid>u</instanceUuid></aboutInfo>"
	      "<sessionManager type=\"PbmSessionManager\">SessionManager"
	      "</sessionManager><profileManager type=\"PbmProfileProfileManager"
	      "\">ProfileManager</profileManager><placementSolver type=\""
	      "PbmPlacementSolver\">placementSolver</placementSolver>"
	      "</returnval>"));
}

static void
reply_ids(void)
{
	reply("PbmQueryProfile", PBM_REPLY("PbmQueryProfile",
	      "<returnval><uniqueId>id-other</uniqueId></returnval>"
	      "<returnval><uniqueId>id-gold</uniqueId></returnval>"));
}

static void
reply_profiles(const char *second)
{
	char *b = ft_fmt(PBM_REPLY("PbmRetrieveContent",
	    "<returnval xsi:type=\"PbmCapabilityProfile\"><profileId>"
	    "<uniqueId>id-other</uniqueId></profileId><name>Other</name>"
	    "</returnval><returnval xsi:type=\"PbmCapabilityProfile\">"
	    "<profileId><uniqueId>id-gold</uniqueId></profileId><name>%s"
	    "</name></returnval>"), second);

	reply("PbmRetrieveContent", b);
	free(b);
}

/* A datastore, a datastore cluster, an incompatible datastore, another
 * datastore. */
static void
reply_hubs(void)
{
	reply("PbmCheckRequirements", PBM_REPLY("PbmCheckRequirements",
	      "<returnval><hub><hubType>Datastore</hubType><hubId>datastore-1"
	      "</hubId></hub></returnval>"
	      "<returnval><hub><hubType>StoragePod</hubType><hubId>group-p1"
	      "</hubId></hub></returnval>"
	      "<returnval><hub><hubType>Datastore</hubType><hubId>datastore-2"
	      "</hubId></hub><error><localizedMessage>no</localizedMessage>"
	      "</error></returnval>"
	      "<returnval><hub><hubType>Datastore</hubType><hubId>datastore-3"
	      "</hubId></hub><howMany>1</howMany></returnval>"));
}

/* The body of request i from the soapenv:Header on, with its end. */
static void
assert_body(size_t i, const char *want)
{
	const char *b = ft_body_at(i), *h = strstr(b, "<soapenv:Header>");

	ck_assert_ptr_nonnull(h);
	ck_assert_str_eq(h, want);
}

START_TEST(test_find_policy)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };
	size_t i;

	reply_content();
	reply_ids();
	reply_profiles("Gold");
	reply_hubs();
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err), 0);
	ck_assert_str_eq(p->name, "Gold");
	ck_assert_str_eq(p->profile_id, "id-gold");
	ck_assert_uint_eq(p->ndatastores, 2);
	ck_assert_str_eq(p->datastores[0], "datastore-1");
	ck_assert_str_eq(p->datastores[1], "datastore-3");
	ck_assert(vs_pbm_policy_has(p, "datastore-3"));
	ck_assert(!vs_pbm_policy_has(p, "datastore-2"));
	ck_assert(!vs_pbm_policy_has(p, "group-p1"));
	ck_assert(!vs_pbm_policy_has(NULL, "datastore-1"));
	ck_assert_uint_eq(ft_calls(), 4);
	for (i = 0; i < 4; i++) {
		ck_assert_str_eq(ft_req_at(i)->url,
		                 "https://vc.example:443/pbm/sdk");
		ck_assert_str_eq(ft_req_at(i)->soap_action, "urn:pbm/6.7");
		ck_assert_str_eq(ft_req_at(i)->method, "POST");
		ck_assert(!ft_req_at(i)->sensitive);
	}
	assert_body(0, HEAD "<PbmRetrieveServiceContent xmlns=\"urn:pbm\">"
	            "<_this type=\"PbmServiceInstance\">ServiceInstance</_this>"
	            "</PbmRetrieveServiceContent></soapenv:Body>"
	            "</soapenv:Envelope>\n");
	assert_body(1, HEAD "<PbmQueryProfile xmlns=\"urn:pbm\"><_this type="
	            "\"PbmProfileProfileManager\">ProfileManager</_this>"
	            "<resourceType><resourceType>STORAGE</resourceType>"
	            "</resourceType><profileCategory>REQUIREMENT"
	            "</profileCategory></PbmQueryProfile></soapenv:Body>"
	            "</soapenv:Envelope>\n");
	assert_body(2, HEAD "<PbmRetrieveContent xmlns=\"urn:pbm\"><_this "
	            "type=\"PbmProfileProfileManager\">ProfileManager</_this>"
	            "<profileIds><uniqueId>id-other</uniqueId></profileIds>"
	            "<profileIds><uniqueId>id-gold</uniqueId></profileIds>"
	            "</PbmRetrieveContent></soapenv:Body>"
	            "</soapenv:Envelope>\n");
	assert_body(3, HEAD "<PbmCheckRequirements xmlns=\"urn:pbm\"><_this "
	            "type=\"PbmPlacementSolver\">placementSolver</_this>"
	            "<placementSubjectRequirement xsi:type=\""
	            "PbmPlacementCapabilityProfileRequirement\"><profileId>"
	            "<uniqueId>id-gold</uniqueId></profileId>"
	            "</placementSubjectRequirement></PbmCheckRequirements>"
	            "</soapenv:Body></soapenv:Envelope>\n");
	vs_pbm_policy_free(p);
	vs_pbm_policy_free(NULL);
	ft_finish(c);
}
END_TEST

/* No profile of that name: Ruby's message, no placement question. */
START_TEST(test_not_found)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };

	reply_content();
	reply_ids();
	reply_profiles("Silver");
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err.message, "Storage Policy: Gold not found");
	ck_assert_uint_eq(ft_calls(), 3);
	ft_finish(c);
}
END_TEST

/* No STORAGE profile at all: PbmRetrieveContent is not asked (it
 * refuses an empty list). */
START_TEST(test_no_profiles)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };

	reply_content();
	reply("PbmQueryProfile", PBM_REPLY("PbmQueryProfile", ""));
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.message, "Storage Policy: Gold not found");
	ck_assert_uint_eq(ft_calls(), 2);
	ft_finish(c);
}
END_TEST

START_TEST(test_none_compatible)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };

	reply_content();
	reply_ids();
	reply_profiles("Gold");
	reply("PbmCheckRequirements", PBM_REPLY("PbmCheckRequirements",
	      "<returnval><hub><hubType>Datastore</hubType><hubId>"
	      "datastore-2</hubId></hub><error><localizedMessage>no"
	      "</localizedMessage></error></returnval>"));
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_ENOTFOUND);
	ck_assert_str_eq(err.message,
	                 "No compatible Datastore for Storage Policy: Gold");
	ft_finish(c);
}
END_TEST

/* A fault names the PBM method; a reply without the managers or a hub
 * without its id is a parse error. */
START_TEST(test_faults)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };

	reply_content();
	ft_fault("PbmQueryProfile", "InvalidArgument");
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_EFAULT);
	ck_assert_ptr_nonnull(strstr(err.message, "PbmQueryProfile: "
	                             "InvalidArgument"));
	ck_assert_str_eq(err.fault, "InvalidArgument");
	ft_finish(c);

	setup();
	reply("PbmRetrieveServiceContent", PBM_REPLY(
	      "PbmRetrieveServiceContent", "<returnval></returnval>"));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_EPARSE);
	ck_assert_ptr_nonnull(strstr(err.message,
	                             "PBM PbmRetrieveServiceContent"));
	ft_finish(c);

	setup();
	reply_content();
	reply_ids();
	reply_profiles("Gold");
	reply("PbmCheckRequirements", PBM_REPLY("PbmCheckRequirements",
	      "<returnval><hub><hubType>Datastore</hubType></hub>"
	      "</returnval>"));
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_EPARSE);
	ck_assert_str_eq(err.message, "PBM PbmCheckRequirements: reply "
	                 "without <hubId>");
	ft_finish(c);

	/* an HTTP error */
	setup();
	ft_reply_http("PbmRetrieveServiceContent", 404);
	c = ft_connect();
	err_clear(&err);
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_EHTTP);
	ck_assert_int_eq(err.http_status, 404);
	ft_finish(c);
}
END_TEST

/* A PBM request carries the session in its body, so a NotAuthenticated
 * answer is not followed by vim25's re-login and resend: one PBM
 * request, no Login. */
START_TEST(test_no_relogin)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };
	size_t i;

	reply_content();
	ft_fault("PbmQueryProfile", "NotAuthenticated");
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_EFAULT);
	ck_assert_str_eq(err.fault, "NotAuthenticated");
	ck_assert_uint_eq(ft_calls(), 2);
	for (i = 0; i < ft_calls(); i++)
		ck_assert_str_ne(ft_req_at(i)->op, "Login");
	ft_finish(c);
}
END_TEST

/* Without the session cookie nothing is sent. */
START_TEST(test_no_cookie)
{
	struct vs_client *c;
	struct vs_pbm_policy *p = NULL;
	struct err err = { 0 };

	ft.cookie[0] = '\0';
	c = ft_connect();
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "Gold", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "PBM needs the vCenter "
	                             "session"));
	ck_assert_uint_eq(ft_calls(), 0);
	err_clear(&err);
	ck_assert_int_eq(vs_pbm_find_policy(&p, c, "", &err), ERR_EINVAL);
	ft_finish(c);
}
END_TEST

START_TEST(test_cookie_jar_line)
{
	struct err err = { 0 };
	char *v = NULL;

	ck_assert_int_eq(vs_cookie_jar_line(&v, "#HttpOnly_vc.example\tFALSE"
	                 "\t/\tTRUE\t0\tvmware_soap_session\t\"52b4-c00k1e\"",
	                 "vmware_soap_session", &err), 1);
	ck_assert_str_eq(v, "52b4-c00k1e");
	free(v);
	ck_assert_int_eq(vs_cookie_jar_line(&v, "vc\tFALSE\t/\tFALSE\t0\t"
	                 "vmware_soap_session\tplain\n", "vmware_soap_session",
	                 &err), 1);
	ck_assert_str_eq(v, "plain");
	free(v);
	ck_assert_int_eq(vs_cookie_jar_line(&v, "vc\tFALSE\t/\tFALSE\t0\t"
	                 "vmware_soap_session_x\tv", "vmware_soap_session",
	                 &err), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(vs_cookie_jar_line(&v, "short\tline",
	                 "vmware_soap_session", &err), 0);
	ck_assert_int_eq(vs_cookie_jar_line(&v, "vc\tFALSE\t/\tFALSE\t0\t"
	                 "vmware_soap_session\t", "vmware_soap_session",
	                 &err), 1);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(vs_transport_cookie(NULL, &v, "x", &err),
	                 ERR_ENOTFOUND);
	ck_assert_ptr_null(v);
}
END_TEST

/* The decorating transports pass the cookie question to the one they
 * wrap; replay answers a stand-in. */
START_TEST(test_transports_cookie)
{
	char dir[] = "/tmp/check_pbm.XXXXXX";
	struct vs_transport *t = NULL;
	struct err err = { 0 };
	char *v = NULL;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(vs_transport_record_new(&t, &ft.base, dir, NULL,
	                                         &err), 0);
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), 0);
	ck_assert_str_eq(v, COOKIE);
	free(v);
	ft.cookie[0] = '\0';
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), ERR_ENOTFOUND);
	ck_assert_ptr_null(v);
	vs_transport_free(t);
	snprintf(ft.cookie, sizeof(ft.cookie), "%s", COOKIE);
	err_clear(&err);
	ck_assert_int_eq(vs_transport_fault_new(&t, &ft.base, "refused@99",
	                                        NULL, &err), 0);
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), 0);
	ck_assert_str_eq(v, COOKIE);
	free(v);
	vs_transport_free(t);
	ck_assert_msg(vs_transport_replay_new(&t, dir, NULL, 0, NULL,
	                                      &err) == 0, "%s", err.message);
	ck_assert_int_eq(vs_transport_cookie(t, &v, "vmware_soap_session",
	                                     &err), 0);
	ck_assert_str_eq(v, "replayed-session");
	free(v);
	vs_transport_free(t);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* --- create_vm with a policy ---------------------------------------- */

static const struct vs_placement_cluster c0[] = { { .name = "C0" } };

/* vs_placement_find() over tests/data/create_vm/inventory.xml, whose
 * cluster C0 has datastore-1 (LocalDS_0, 10 GB), datastore-2 (LocalDS_1,
 * 50 GB), datastore-4 (other-ds, 500 GB), datastore-5 (in maintenance),
 * datastore-6 (inaccessible). */
static int
place_with(struct vs_placement **out, const struct vs_pbm_policy *policy,
           struct err *err)
{
	struct vs_placement_req r = {
		.datacenter = "DC0", .clusters = c0, .nclusters = 1,
		.datastore_pattern = "^LocalDS_", .memory_mb = 1024,
		.disk_mb = 2048, .rand = vs_placement_rand_fixed,
		.policy = policy,
	};
	struct vs_client *c;
	int rc;

	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	c = ft_connect();
	rc = vs_placement_find(out, c, &r, err);
	ft_finish(c);
	return rc;
}

/* The policy's datastores replace the pattern (other-ds matches none);
 * unusable ones stay unusable. */
START_TEST(test_placement_policy)
{
	char *ok[] = { "datastore-1", "datastore-4" };
	char *bad[] = { "datastore-5", "datastore-6", "datastore-3" };
	struct vs_pbm_policy p = { .name = "Gold", .profile_id = "id-gold",
	                           .datastores = ok, .ndatastores = 2 };
	struct vs_placement *pl = NULL;
	struct err err = { 0 };

	ck_assert_msg(place_with(&pl, &p, &err) == 0, "%s", err.message);
	ck_assert_str_eq(pl->datastore, "other-ds");
	ck_assert_str_eq(pl->datastore_ref.value, "datastore-4");
	vs_placement_free(pl);
	pl = NULL;
	setup();
	p.datastores = bad;
	p.ndatastores = 3;
	ck_assert_int_eq(place_with(&pl, &p, &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.message, "no datastore compatible "
	                             "with the storage policy"));
	ck_assert_ptr_null(pl);
}
END_TEST

/* With a policy, the datastore clusters named (or a pattern for them)
 * give way as in the Ruby CPI: not read (no StoragePod in the request),
 * and a pod that does not exist is no error. */
START_TEST(test_placement_policy_over_pods)
{
	static const char *const pods[] = { "no-such-pod" };
	char *ok[] = { "datastore-2" };
	struct vs_pbm_policy p = { .name = "Gold", .profile_id = "id-gold",
	                           .datastores = ok, .ndatastores = 1 };
	struct vs_placement_req r = {
		.datacenter = "DC0", .clusters = c0, .nclusters = 1,
		.datastore_pattern = "^LocalDS_", .memory_mb = 1024,
		.disk_mb = 2048, .rand = vs_placement_rand_fixed,
		.policy = &p, .pods = pods, .npods = 1,
		.pod_pattern = "^pod",
	};
	struct vs_placement *pl = NULL;
	struct err err = { 0 };
	struct vs_client *c;

	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	c = ft_connect();
	ck_assert_msg(vs_placement_find(&pl, c, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_ptr_null(strstr(ft_body_at(0), "StoragePod"));
	ft_finish(c);
	ck_assert_str_eq(pl->datastore, "LocalDS_1");
	vs_placement_free(pl);
	/* without the policy the same pod is looked for, and missing */
	setup();
	r.policy = NULL;
	ft_reply_file("RetrievePropertiesEx", "create_vm/inventory.xml");
	c = ft_connect();
	ck_assert_int_eq(vs_placement_find(&pl, c, &r, &err), ERR_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(ft_body_at(0), "StoragePod"));
	ck_assert_ptr_nonnull(strstr(err.message, "no-such-pod"));
	ft_finish(c);
}
END_TEST

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *s;

	for (s = strstr(hay, needle); s != NULL; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* The settings reconfigure: vmProfile after nestedHVEnabled (the vim25
 * order), the profile after the device of the system disk's edit and the
 * ephemeral disk's add (apply_storage_policy's three). */
START_TEST(test_reconfigure_profile)
{
	struct vs_create_opts opts = { .profile_id = "id-gold",
	                               .nested_hv = true };
	struct vs_created *v = calloc(1, sizeof(*v));
	struct err err = { 0 };
	struct vs_client *c;
	const char *body, *want;

	ck_assert_ptr_nonnull(v);
	v->exists = true;
	snprintf(v->vm.type, sizeof(v->vm.type), "VirtualMachine");
	snprintf(v->vm.value, sizeof(v->vm.value), "vm-1");
	v->ephemeral_unit = 1;
	v->disk_controller = 1000;
	v->sys_key = 2000;
	v->sys_file = strdup("[LocalDS_1] vm-1/vm-1.vmdk");
	v->sys_capacity_kb = 8192;
	v->env_path = strdup("[LocalDS_1] vm-1/env.iso");
	v->disk_path = strdup("[LocalDS_1] vm-1/ephemeral_disk.vmdk");
	snprintf(v->datastore.type, sizeof(v->datastore.type), "Datastore");
	snprintf(v->datastore.value, sizeof(v->datastore.value),
	         "datastore-2");
	v->disk_kb = 4096;
	ft_step("file-put", 200)->body = strdup("");
	ft_task("ReconfigVM_Task", NULL, NULL);
	c = ft_connect();
	ck_assert_msg(vs_create_deliver(c, v, "DC0", "{}", 2, "x", 1, &opts,
	                                &err) == 0, "%s", err.message);
	body = ft_body_at(1);
	want = "<profile xsi:type=\"VirtualMachineDefinedProfileSpec\">"
	       "<profileId>id-gold</profileId></profile>";
	ck_assert_uint_eq(count(body, want), 2);
	ck_assert_ptr_nonnull(strstr(body, "<key>2000</key>"));
	/* the system disk keeps its size */
	ck_assert_ptr_nonnull(strstr(body, "<capacityInKB>8192"
	                             "</capacityInKB></device>" ));
	ck_assert_ptr_nonnull(strstr(body, "<nestedHVEnabled>true"
	                             "</nestedHVEnabled><vmProfile xsi:type="
	                             "\"VirtualMachineDefinedProfileSpec\">"
	                             "<profileId>id-gold</profileId>"
	                             "</vmProfile></spec>"));
	ft_finish(c);
	vs_created_free(v);
}
END_TEST

/* The VM type's policy, else (no datastores) the config's; malformed
 * values are refused. */
START_TEST(test_props_policy)
{
	static const struct {
		const char *cp;
		const char *global;
		const char *want;       /* the policy in effect, or NULL */
		int rc;
	} cases[] = {
		{ "{\"storage_policy\":{\"name\":\"A\"}}", "G", "A", 0 },
		{ "{\"storage_policy\":{\"name\":\"A\"},"
		  "\"datastores\":[\"ds\"]}", "G", "A", 0 },
		{ "{}", "G", "G", 0 },
		{ "{\"datastores\":[\"ds\"]}", "G", NULL, 0 },
		{ "{\"storage_policy\":{}}", "G", "G", 0 },
		{ "{\"storage_policy\":null}", NULL, NULL, 0 },
		{ "{\"storage_policy\":\"A\"}", NULL, NULL, -1 },
		{ "{\"storage_policy\":{\"name\":\"\"}}", NULL, NULL, -1 },
		{ "{\"storage_policy\":{\"name\":7}}", NULL, NULL, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cpi_vcenter vc = { .vm_storage_policy_name =
		                          (char *)cases[i].global };
		struct err err = { 0 };
		struct vm_props p;
		json_t *cp = json_loads(cases[i].cp, 0, NULL);
		int rc;

		ck_assert_ptr_nonnull(cp);
		json_object_set_new(cp, "cpu", json_integer(1));
		json_object_set_new(cp, "ram", json_integer(256));
		json_object_set_new(cp, "disk", json_integer(1024));
		vc.datacenter.name = "DC0";
		rc = cpi_vm_props_parse(&p, cp, &vc, &err);
		ck_assert_msg(rc == cases[i].rc, "case %zu: %d %s", i, rc,
		              err.message);
		if (rc == 0 && cases[i].want != NULL)
			ck_assert_str_eq(p.policy, cases[i].want);
		else if (rc == 0)
			ck_assert_ptr_null(p.policy);
		else
			ck_assert_ptr_nonnull(strstr(err.message,
			                      "cloud_properties.storage_policy"));
		cpi_vm_props_clear(&p);
		json_decref(cp);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("pbm");
	TCase *tc = tcase_create("pbm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_find_policy);
	tcase_add_test(tc, test_no_relogin);
	tcase_add_test(tc, test_not_found);
	tcase_add_test(tc, test_no_profiles);
	tcase_add_test(tc, test_none_compatible);
	tcase_add_test(tc, test_faults);
	tcase_add_test(tc, test_no_cookie);
	tcase_add_test(tc, test_cookie_jar_line);
	tcase_add_test(tc, test_transports_cookie);
	tcase_add_test(tc, test_placement_policy);
	tcase_add_test(tc, test_placement_policy_over_pods);
	tcase_add_test(tc, test_reconfigure_profile);
	tcase_add_test(tc, test_props_policy);
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
