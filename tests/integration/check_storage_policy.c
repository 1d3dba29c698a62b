/*
 * check_storage_policy (simulator): storage policies end to end.  The
 * simulator serves govmomi's PBM simulator under /pbm/sdk
 * (tests/sim/vcsim), with its default profiles; its
 * PbmCheckRequirements finds every datastore compatible.  The simulator
 * keeps no vmProfile or disk profile, so each create_vm is recorded
 * (VSPHERE_CPI_FIXTURES=record:DIR) and the recorded requests are read:
 * the four PBM calls (with the session cookie redacted) and the
 * settings reconfigure carrying the profile id.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/cpi_run.h"
#include "tests/support/sim_call.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_fixture.h"
#include "tests/support/sim_inventory.h"

#define ENV_SECRET "env-Secret-50a1"
#define VSAN "vSAN Default Storage Policy"
#define VSAN_ID "aa6d5a82-1c88-45da-85d3-3d74b91a5bad"
#define VVOL "VVol No Requirements Policy"
#define VVOL_ID "f4e5bade-15a2-4805-bf8e-52318c4ce443"

static int nrec;

/* create_vm with cloud_properties over cpu/ram/disk (cp: a JSON text),
 * recorded into a fresh directory (its path into dir). */
static json_t *
create_vm(const char *config, const char *cp, char *dir, size_t size)
{
	struct cpi_test_run r;
	json_t *nets, *args, *over, *resp;
	char env[2400];

	snprintf(dir, size, "%s/rec-%ld-%d", sim_fx.outdir, (long)getpid(),
	         ++nrec);
	snprintf(env, sizeof(env), "record:%s", dir);
	setenv("VSPHERE_CPI_FIXTURES", env, 1);
	nets = json_pack("{s:{s:s,s:{s:s}}}", "d", "type", "dynamic",
	                 "cloud_properties", "name", "BOSH-V4");
	args = json_pack("[s,s,{s:i,s:i,s:i},o,[],{s:{s:s}}]", "agent-sp",
	                 sim_fx.stemcell, "cpu", 1, "ram", 256, "disk", 1024,
	                 nets, "bosh", "password", ENV_SECRET);
	over = json_loads(cp, 0, NULL);
	ck_assert_ptr_nonnull(over);
	json_object_update(json_array_get(args, 2), over);
	json_decref(over);
	resp = sim_call_checked(&r, config, "create_vm", args, ENV_SECRET);
	unsetenv("VSPHERE_CPI_FIXTURES");
	if (sim_error_type(resp) != NULL)
		fprintf(stderr, "create_vm: %s\n", r.err);
	cpi_test_run_clear(&r);
	return resp;
}

static void
delete_vm(const json_t *resp)
{
	struct cpi_test_run r;
	const char *cid = json_string_value(json_array_get(
	                  json_object_get(resp, "result"), 0));
	json_t *d;

	ck_assert_ptr_nonnull(cid);
	d = sim_call_checked(&r, sim_fx.defcfg, "delete_vm",
	                     json_pack("[s]", cid), ENV_SECRET);
	ck_assert_ptr_null(sim_error_type(d));
	json_decref(d);
	cpi_test_run_clear(&r);
}

/* s without the blanks between tags (the recording is pretty
 * printed), in place. */
static void
squeeze(char *s)
{
	char *w = s, *r = s, *e;

	while (*r != '\0') {
		if (*r == '>') {
			*w++ = *r++;
			for (e = r; *e == ' ' || *e == '\n' || *e == '\t';)
				e++;
			if (*e == '<')
				r = e;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* The recorded request bodies of op in dir, concatenated and squeezed
 * (malloc'd, "" when there is none); *n: how many. */
static char *
requests(const char *dir, const char *op, size_t *n)
{
	char suffix[128], path[4096], *all = strdup(""), *body;
	struct dirent *de;
	size_t len = 0, sl, nl;
	DIR *d = opendir(dir);
	FILE *f;
	long fl;

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(all);
	snprintf(suffix, sizeof(suffix), "-%s.request", op);
	sl = strlen(suffix);
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl != 3 + sl || strcmp(de->d_name + 3, suffix) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		ck_assert_ptr_nonnull(f);
		fseek(f, 0, SEEK_END);
		fl = ftell(f);
		fseek(f, 0, SEEK_SET);
		body = realloc(all, len + (size_t)fl + 1);
		ck_assert_ptr_nonnull(body);
		all = body;
		ck_assert_uint_eq(fread(all + len, 1, (size_t)fl, f),
		                  (size_t)fl);
		len += (size_t)fl;
		all[len] = '\0';
		fclose(f);
		(*n)++;
	}
	closedir(d);
	squeeze(all);
	return all;
}

static size_t
count(const char *text, const char *needle)
{
	size_t n = 0;

	for (text = strstr(text, needle); text != NULL;
	     text = strstr(text + 1, needle))
		n++;
	return n;
}

/* The four PBM calls, once each, the cookie redacted. */
static void
assert_pbm_calls(const char *dir)
{
	static const char *const ops[] = {
		"PbmRetrieveServiceContent", "PbmQueryProfile",
		"PbmRetrieveContent", "PbmCheckRequirements",
	};
	size_t i, n;
	char *b;

	for (i = 0; i < 4; i++) {
		b = requests(dir, ops[i], &n);
		ck_assert_msg(n == 1, "%s sent %zu times", ops[i], n);
		ck_assert_ptr_nonnull(strstr(b, "<vcSessionCookie>REDACTED"
		                                "</vcSessionCookie>"));
		ck_assert_ptr_nonnull(strstr(b, "xmlns=\"urn:pbm\""));
		free(b);
	}
}

/* The settings reconfigure gives the VM, its system disk and its
 * ephemeral disk the profile id (as apply_storage_policy does). */
static void
assert_profile(const char *dir, const char *id)
{
	char want[160];
	size_t n;
	char *b = requests(dir, "ReconfigVM_Task", &n);

	ck_assert_uint_ge(n, 1);
	snprintf(want, sizeof(want), "<vmProfile xsi:type=\""
	         "VirtualMachineDefinedProfileSpec\"><profileId>%s"
	         "</profileId></vmProfile>", id);
	ck_assert_msg(count(b, want) == 1, "no vmProfile %s in %.1500s", id,
	              strstr(b, "<spec") != NULL ? strstr(b, "<spec") : b);
	snprintf(want, sizeof(want), "<profile xsi:type=\""
	         "VirtualMachineDefinedProfileSpec\"><profileId>%s"
	         "</profileId></profile>", id);
	ck_assert_uint_eq(count(b, want), 2);
	free(b);
}

/* The VM type's policy: PBM asked, the profile applied. */
START_TEST(test_vm_type_policy)
{
	char dir[2300];
	json_t *resp = create_vm(sim_fx.defcfg, "{\"storage_policy\":"
	                         "{\"name\":\"" VSAN "\"}}", dir, sizeof(dir));

	ck_assert_ptr_null(sim_error_type(resp));
	assert_pbm_calls(dir);
	assert_profile(dir, VSAN_ID);
	delete_vm(resp);
	json_decref(resp);
}
END_TEST

/* An unknown policy: CloudError naming it, nothing made. */
START_TEST(test_unknown_policy)
{
	size_t vms = sim_count_vms(sim_fx.cl, "vm-"), n;
	char dir[2300], *b;
	json_t *resp = create_vm(sim_fx.defcfg, "{\"storage_policy\":"
	                         "{\"name\":\"Gold\"}}", dir, sizeof(dir));
	const json_t *e = json_object_get(resp, "error");

	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(e,
	                      "message")), "Storage Policy: Gold not found"));
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
	ck_assert_uint_eq(sim_count_vms(sim_fx.cl, "vm-"), vms);
	b = requests(dir, "CloneVM_Task", &n);
	ck_assert_uint_eq(n, 0);
	free(b);
	json_decref(resp);
}
END_TEST

/* A malformed storage_policy is refused before any vCenter call. */
START_TEST(test_malformed_policy)
{
	char dir[2300];
	json_t *resp = create_vm(sim_fx.defcfg, "{\"storage_policy\":"
	                         "\"" VSAN "\"}", dir, sizeof(dir));

	ck_assert_str_eq(sim_error_type(resp), "Bosh::Clouds::CloudError");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(
	                      json_object_get(resp, "error"), "message")),
	                      "cloud_properties.storage_policy"));
	json_decref(resp);
}
END_TEST

/* vm_storage_policy_name: used when the VM type names neither a policy
 * nor datastores; the VM type's policy wins over it; its datastores
 * mean no policy and no PBM traffic. */
START_TEST(test_global_policy)
{
	json_t *extra = json_pack("{s:s}", "vm_storage_policy_name", VVOL);
	char cfg[4096], dir[2300], *b;
	json_t *resp;
	size_t n;

	snprintf(cfg, sizeof(cfg), "%s", sim_config(extra));
	json_decref(extra);

	resp = create_vm(cfg, "{}", dir, sizeof(dir));
	ck_assert_ptr_null(sim_error_type(resp));
	assert_pbm_calls(dir);
	assert_profile(dir, VVOL_ID);
	delete_vm(resp);
	json_decref(resp);

	resp = create_vm(cfg, "{\"storage_policy\":{\"name\":\"" VSAN "\"}}",
	                 dir, sizeof(dir));
	ck_assert_ptr_null(sim_error_type(resp));
	assert_profile(dir, VSAN_ID);
	delete_vm(resp);
	json_decref(resp);

	resp = create_vm(cfg, "{\"datastores\":[\"LocalDS_0\"]}", dir,
	                 sizeof(dir));
	ck_assert_ptr_null(sim_error_type(resp));
	b = requests(dir, "PbmRetrieveServiceContent", &n);
	ck_assert_uint_eq(n, 0);
	free(b);
	b = requests(dir, "ReconfigVM_Task", &n);
	ck_assert_ptr_null(strstr(b, "Profile"));
	ck_assert_ptr_null(strstr(b, "<profile"));
	free(b);
	delete_vm(resp);
	json_decref(resp);
}
END_TEST

/* `cpi check --json` looks vm_storage_policy_name up: the report's
 * storage_policy item (ok, or an error naming the policy). */
static void
assert_check(const char *policy, const char *status, const char *needle)
{
	json_t *extra = json_pack("{s:s}", "vm_storage_policy_name", policy);
	struct cpi_test_run raw = { 0 };
	const json_t *it;
	json_t *doc;
	char *argv[5];
	size_t i;
	bool found = false;

	argv[0] = (char *)cpi_test_binary();
	argv[1] = (char *)"check";
	argv[2] = (char *)"--json";
	argv[3] = (char *)sim_config(extra);
	argv[4] = NULL;
	json_decref(extra);
	ck_assert_int_eq(cpi_test_run(&raw, argv, "", 0), 0);
	doc = json_loads(raw.out, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %s", raw.out);
	json_array_foreach(json_object_get(doc, "checks"), i, it) {
		const char *c = json_string_value(json_object_get(it, "check"));
		const char *s = json_string_value(json_object_get(it,
		                                                  "status"));
		const char *m = json_string_value(json_object_get(it,
		                                                  "message"));

		if (c != NULL && strcmp(c, "storage_policy") == 0) {
			ck_assert_str_eq(s, status);
			ck_assert_msg(strstr(m, needle) != NULL, "%s", m);
			found = true;
		}
	}
	ck_assert_msg(found, "no storage_policy item: %s", raw.out);
	json_decref(doc);
	cpi_test_run_clear(&raw);
}

START_TEST(test_preflight)
{
	assert_check(VVOL, "ok", "storage policy '" VVOL "' (profile "
	             VVOL_ID "): 1 compatible datastore(s)");
	assert_check("Gold", "error", "Storage Policy: Gold not found");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("storage_policy");
	TCase *tc = sim_fixture_tcase(180);

	tcase_add_test(tc, test_malformed_policy);
	tcase_add_test(tc, test_unknown_policy);
	tcase_add_test(tc, test_vm_type_policy);
	tcase_add_test(tc, test_global_policy);
	tcase_add_test(tc, test_preflight);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return sim_fixture_main("check_storage_policy", true, suite);
}
