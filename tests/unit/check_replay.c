/*
 * check_replay: the recorded scenarios under fixtures/ (layout:
 * fixtures/README.md), replayed without any network.
 *
 *   - one test case per CPI-level scenario (fixtures/S/cpi/ exists):
 *     every request goes through `$CPI_TEST_BUILD/cpi --replay fixtures/S
 *     fixtures/S/config.json` with a fresh VSPHERE_CPI_REPLAY_CURSOR, the
 *     response must match the recorded one (without "log", volatile
 *     values masked) and no recorded vSphere exchange may be left unused
 *     (tests/support/scenario.h does the work);
 *   - vs_inventory: the vsphere-layer scenario "login + inventory query +
 *     logout" through the replay transport and vs_client_* / vs_pc_*;
 *   - tamper: altered copies of the scenarios (in a temp dir) must fail,
 *     with a message that says where;
 *   - redaction: no fixture file holds a password, session cookie or
 *     session key.
 * CK_RUN_CASE=<scenario> runs one scenario (tests/replay/run.sh).
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/scenario.h"
#include "tests/replay/vs_inventory.h"
#include "tests/support/cpi_run.h"
#include "vsphere/fixture.h"
#include "vsphere/transports.h"

#define MAX_SCENARIOS 64

static char *scenarios[MAX_SCENARIOS];    /* CPI-level, sorted */
static size_t nscenarios;
static char *with_exchanges[MAX_SCENARIOS];  /* CPI-level with vSphere */
static size_t nwith_exchanges;

static const char *
fixtures_dir(void)
{
	static char path[4096];
	const char *root = getenv("CPI_TEST_ROOT");

	scn_pathf(path, sizeof(path), "%s%sfixtures",
	         root != NULL ? root : "", root != NULL ? "/" : "");
	return path;
}

static void
scenario_dir(char *buf, size_t size, const char *name)
{
	scn_pathf(buf, size, "%s/%s", fixtures_dir(), name);
}

static size_t
count_exchanges(const char *dir)
{
	struct vs_fixture_entry *v = NULL;
	struct err err = { 0 };
	size_t n = 0;

	if (vs_fixture_list(&v, &n, dir, true, &err) != 0)
		n = 0;
	free(v);
	return n;
}

/* Fills scenarios[] from fixtures/. */
static void
discover(void)
{
	char dir[4096], why[512];
	struct dirent *de;
	DIR *d = opendir(fixtures_dir());

	if (d == NULL)
		return;
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		scenario_dir(dir, sizeof(dir), de->d_name);
		if (!scn_is_cpi(dir) || nscenarios == MAX_SCENARIOS)
			continue;
		if (scn_pending(why, sizeof(why), dir)) {
			fprintf(stderr, "check_replay: scenario %s is pending, "
			        "not replayed: %s\n", de->d_name, why);
			continue;
		}
		scenarios[nscenarios++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(scenarios, nscenarios, sizeof(*scenarios), scn_name_cmp);
	for (size_t i = 0; i < nscenarios; i++) {
		scenario_dir(dir, sizeof(dir), scenarios[i]);
		if (count_exchanges(dir) > 0)
			with_exchanges[nwith_exchanges++] = scenarios[i];
	}
}

/* --- scratch copies ------------------------------------------------ */

static void
copy_file(const char *from, const char *to)
{
	struct err err = { 0 };
	char *data = NULL;
	size_t len = 0;

	ck_assert_msg(vs_fixture_read_file(&data, &len, from,
	              VS_FIXTURE_MAX_BODY, &err) == 0, "%s", err.message);
	ck_assert_msg(vs_fixture_write_file(to, data, len, true, &err) == 0,
	              "%s", err.message);
	free(data);
}

/* Copies a scenario directory (files and one level of subdirectories)
 * into a new temp dir, returned in buf. */
static void
copy_scenario(char *buf, size_t size, const char *name)
{
	char src[4096], from[8192], to[8192];
	struct scn_error e = { 0 };
	struct dirent *de;
	struct stat st;
	DIR *d;

	ck_assert_msg(scn_mkwork(buf, size, &e) == 0, "%s", e.msg);
	scenario_dir(src, sizeof(src), name);
	d = opendir(src);
	ck_assert_msg(d != NULL, "no scenario %s", src);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		scn_pathf(from, sizeof(from), "%s/%s", src, de->d_name);
		scn_pathf(to, sizeof(to), "%s/%s", buf, de->d_name);
		ck_assert_int_eq(lstat(from, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			struct dirent *se;
			DIR *sd = opendir(from);
			char f2[12288], t2[12288];

			ck_assert_ptr_nonnull(sd);
			ck_assert_int_eq(mkdir(to, 0755), 0);
			for (;;) {
				se = readdir(sd);
				if (se == NULL)
					break;
				if (se->d_name[0] == '.')
					continue;
				scn_pathf(f2, sizeof(f2), "%s/%s", from,
				         se->d_name);
				scn_pathf(t2, sizeof(t2), "%s/%s", to,
				         se->d_name);
				copy_file(f2, t2);
			}
			closedir(sd);
		} else if (S_ISREG(st.st_mode)) {
			copy_file(from, to);
		}
	}
	closedir(d);
}

/* Replaces the first occurrence of what by with in file path. */
static void
edit_file(const char *path, const char *what, const char *with)
{
	struct err err = { 0 };
	char *data = NULL, *at, *out;
	size_t len = 0, wl = strlen(what), nl = strlen(with);

	ck_assert_msg(vs_fixture_read_file(&data, &len, path,
	              VS_FIXTURE_MAX_BODY, &err) == 0, "%s", err.message);
	at = strstr(data, what);
	ck_assert_msg(at != NULL, "%s does not contain %s", path, what);
	out = malloc(len - wl + nl + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, data, (size_t)(at - data));
	memcpy(out + (at - data), with, nl);
	strcpy(out + (at - data) + nl, at + wl);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_msg(vs_fixture_write_file(path, out, strlen(out), true,
	              &err) == 0, "%s", err.message);
	free(out);
	free(data);
}

/* --- CPI-level scenarios ------------------------------------------- */

START_TEST(test_scenario)
{
	struct scn_error e = { 0 };
	char dir[4096];

	ck_assert_uint_lt((size_t)_i, nscenarios);
	scenario_dir(dir, sizeof(dir), scenarios[_i]);
	ck_assert_msg(scn_replay(cpi_test_binary(), dir, NULL, NULL,
	                         &e) == 0, "scenario %s: %s",
	              scenarios[_i], e.msg);
}
END_TEST

/* --- the vsphere-layer scenario ------------------------------------ */

static int
replay_inventory(struct inv_result *res, const char *dir,
                 struct err *err)
{
	struct vs_client_opts o = {
		.url = "https://vcenter.replay.invalid/sdk",
		.user = "vcsim-user", .password = "not-the-recorded-one",
	};
	const char *secrets[] = { o.password, NULL };
	struct vs_transport *t = NULL;
	int rc;

	rc = vs_transport_replay_new(&t, dir, secrets, 0, NULL, err);
	if (rc != 0)
		return rc;
	o.transport = t;
	return inv_run(res, &o, err);
}

START_TEST(test_vs_inventory)
{
	struct err err = { 0 };
	struct inv_result res;
	char dir[4096];

	scenario_dir(dir, sizeof(dir), "vs_inventory");
	ck_assert_msg(replay_inventory(&res, dir, &err) == 0, "%s",
	              err.message);
	ck_assert_uint_eq(res.datacenters, 1);
	ck_assert_str_eq(res.first_datacenter, "DC0");
	ck_assert_uint_eq(res.clusters, 1);
	ck_assert_uint_ge(res.datastores, 1);
	/* ServiceContent, Login, CreateContainerView, RetrievePropertiesEx,
	 * DestroyView, Logout */
	ck_assert_uint_eq(res.roundtrips, 6);
	ck_assert_uint_eq(count_exchanges(dir), 6);
}
END_TEST

/* --- tampered copies ----------------------------------------------- */

static void
expect_inventory_failure(const char *dir, const char *needle)
{
	struct err err = { 0 };
	struct inv_result res;

	ck_assert_msg(replay_inventory(&res, dir, &err) != 0,
	              "a tampered scenario replayed cleanly");
	ck_assert_msg(strstr(err.message, needle) != NULL,
	              "message \"%s\" lacks \"%s\"", err.message, needle);
}

START_TEST(test_tamper_request)
{
	char work[4096], path[8192];

	copy_scenario(work, sizeof(work), "vs_inventory");
	scn_pathf(path, sizeof(path), "%s/004-RetrievePropertiesEx.request",
	         work);
	/* the recorded body is laid out one element per line: the edit
	 * stays on one line of it */
	edit_file(path, "<type>Datastore</type>", "<type>HostSystem</type>");
	expect_inventory_failure(work, "004-RetrievePropertiesEx");
	expect_inventory_failure(work, "differs from the recording");
	scn_rmtree(work);
}
END_TEST

START_TEST(test_tamper_extra_exchange)
{
	char work[4096], from[8192], to[8192];
	static const char *const ext[] = { "request", "response", "meta" };
	size_t i;

	copy_scenario(work, sizeof(work), "vs_inventory");
	for (i = 0; i < 3; i++) {
		scn_pathf(from, sizeof(from), "%s/006-Logout.%s", work, ext[i]);
		scn_pathf(to, sizeof(to), "%s/007-Logout.%s", work, ext[i]);
		copy_file(from, to);
	}
	expect_inventory_failure(work, "not used");
	scn_rmtree(work);
}
END_TEST

START_TEST(test_tamper_missing_exchange)
{
	char work[4096], path[8192];

	copy_scenario(work, sizeof(work), "vs_inventory");
	scn_pathf(path, sizeof(path), "%s/006-Logout.meta", work);
	ck_assert_int_eq(unlink(path), 0);
	expect_inventory_failure(work, "beyond the recording");
	scn_rmtree(work);
}
END_TEST

START_TEST(test_tamper_cpi_response)
{
	struct scn_error e = { 0 };
	char work[4096], path[8192];

	copy_scenario(work, sizeof(work), "info");
	scn_pathf(path, sizeof(path), "%s/cpi/01-info.response.json", work);
	edit_file(path, "\"api_version\": 2", "\"api_version\": 3");
	ck_assert_int_ne(scn_replay(cpi_test_binary(), work, NULL, NULL, &e),
	                 0);
	ck_assert_msg(strstr(e.msg, "01-info") != NULL &&
	              strstr(e.msg, "differs") != NULL, "%s", e.msg);
	scn_rmtree(work);
}
END_TEST

/* An exchange nobody asks for must be reported. */
START_TEST(test_tamper_cpi_unused_exchange)
{
	struct scn_error e = { 0 };
	char work[4096], from[8192], to[8192], src[4096];
	static const char *const ext[] = { "request", "response", "meta" };
	size_t i;

	copy_scenario(work, sizeof(work), "info");
	scenario_dir(src, sizeof(src), "vs_inventory");
	for (i = 0; i < 3; i++) {
		scn_pathf(from, sizeof(from),
		          "%s/001-RetrieveServiceContent.%s", src, ext[i]);
		scn_pathf(to, sizeof(to), "%s/001-RetrieveServiceContent.%s",
		         work, ext[i]);
		copy_file(from, to);
	}
	ck_assert_int_ne(scn_replay(cpi_test_binary(), work, NULL, NULL, &e),
	                 0);
	ck_assert_msg(strstr(e.msg, "exchanges") != NULL, "%s", e.msg);
	scn_rmtree(work);
}
END_TEST

/* Each CPI scenario with vSphere exchanges: a changed request body in
 * the middle of it must fail the run. */
START_TEST(test_tamper_cpi_exchange)
{
	struct vs_fixture_entry *v = NULL;
	struct err err = { 0 };
	struct scn_error e = { 0 };
	char work[4096], path[8192];
	size_t n = 0, k;
	FILE *f;

	ck_assert_uint_lt((size_t)_i, nwith_exchanges);
	copy_scenario(work, sizeof(work), with_exchanges[_i]);
	ck_assert_int_eq(vs_fixture_list(&v, &n, work, false, &err), 0);
	ck_assert_uint_gt(n, 0);
	/* the first exchange after the middle that has a SOAP body */
	for (k = n / 2; k < n + n / 2; k++) {
		scn_pathf(path, sizeof(path), "%s/%s.request", work,
		         v[k % n].name);
		if (strstr(v[k % n].name, "Login") == NULL) {
			struct stat st;

			if (stat(path, &st) == 0 && st.st_size > 0)
				break;
		}
	}
	ck_assert_msg(k < n + n / 2, "no exchange with a request body");
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs("<!-- tampered -->", f);
	fclose(f);
	ck_assert_msg(scn_replay(cpi_test_binary(), work, NULL, NULL,
	                         &e) != 0, "tampered %s replayed cleanly",
	              v[k % n].name);
	free(v);
	scn_rmtree(work);
}
END_TEST

/* --- placeholders -------------------------------------------------- */

static void
write_text(const char *dir, const char *name, const char *text)
{
	struct err err = { 0 };
	char path[8192];

	scn_pathf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_msg(vs_fixture_write_file(path, text, strlen(text), false,
	              &err) == 0, "%s", err.message);
}

START_TEST(test_placeholders)
{
	char work[4096], cpi[4200];
	struct scn_error e = { 0 };
	json_t *resp[3], *req;
	struct scn *s = NULL;
	char *text;

	ck_assert_int_eq(scn_mkwork(work, sizeof(work), &e), 0);
	scn_pathf(cpi, sizeof(cpi), "%s/cpi", work);
	ck_assert_int_eq(mkdir(cpi, 0755), 0);
	write_text(cpi, "01-create_vm.request.json",
	           "{\"method\":\"create_vm\",\"arguments\":[]}");
	write_text(cpi, "02-has_vm.request.json",
	           "{\"method\":\"has_vm\",\"arguments\":"
	           "[\"{{01.result.0}}\",\"{{WORKDIR}}/img\","
	           "{\"k\":[\"{{1.result}}\"]}]}");
	write_text(cpi, "03-has_vm.request.json",
	           "{\"method\":\"has_vm\",\"arguments\":[\"{{04.result}}\"]}");
	ck_assert_msg(scn_load(&s, work, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(s->n, 3);
	resp[0] = json_pack("{s:[s,{}],s:n}", "result", "vm-1", "error");
	resp[1] = resp[2] = NULL;
	req = scn_request(s, 1, resp, "/w", &e);
	ck_assert_msg(req != NULL, "%s", e.msg);
	text = json_dumps(json_object_get(req, "arguments"), JSON_COMPACT);
	ck_assert_str_eq(text, "[\"vm-1\",\"/w/img\",{\"k\":[[\"vm-1\",{}]]}]");
	free(text);
	json_decref(req);
	/* a step that has not run is an error, not a literal string */
	ck_assert_ptr_null(scn_request(s, 2, resp, "/w", &e));
	ck_assert_msg(strstr(e.msg, "step 4") != NULL, "%s", e.msg);
	json_decref(resp[0]);
	scn_free(s);
	scn_rmtree(work);
}
END_TEST

START_TEST(test_placeholder_bad)
{
	char work[4096], cpi[4200];
	struct scn_error e = { 0 };
	json_t *resp[2] = { NULL, NULL };
	struct scn *s = NULL;

	ck_assert_int_eq(scn_mkwork(work, sizeof(work), &e), 0);
	scn_pathf(cpi, sizeof(cpi), "%s/cpi", work);
	ck_assert_int_eq(mkdir(cpi, 0755), 0);
	write_text(cpi, "01-info.request.json",
	           "{\"method\":\"info\",\"arguments\":[\"{{oops}}\"]}");
	write_text(cpi, "02-info.request.json",
	           "{\"method\":\"has_vm\",\"arguments\":[]}");
	ck_assert_int_eq(scn_load(&s, work, &e), 0);
	ck_assert_ptr_null(scn_request(s, 0, resp, NULL, &e));
	ck_assert_msg(strstr(e.msg, "bad placeholder") != NULL, "%s", e.msg);
	memset(&e, 0, sizeof(e));
	ck_assert_ptr_null(scn_request(s, 1, resp, NULL, &e));
	ck_assert_msg(strstr(e.msg, "differs from the file name") != NULL,
	              "%s", e.msg);
	scn_free(s);
	scn_rmtree(work);
}
END_TEST

/* --- redaction ----------------------------------------------------- */

/* The first password element, password key, cookie or session key in
 * text that is not REDACTED (its opening), or NULL. */
static const char *
leak_in(const char *text)
{
	static const char *const opens[] = {
		"<password>", "vmware_soap_session" "=", "session[",
		"\"password\": \"", NULL,
	};
	const char *p, *val;
	size_t i;

	for (i = 0; opens[i] != NULL; i++) {
		for (p = strstr(text, opens[i]); p != NULL;
		     p = strstr(p + 1, opens[i])) {
			val = p + strlen(opens[i]);
			if (*val == '"')
				val++;
			if (strncmp(val, "REDACTED", 8) != 0 && val[0] != '<')
				return opens[i];
		}
	}
	return NULL;
}

static void
check_file(const char *path, size_t *files)
{
	struct err err = { 0 };
	const char *leak;
	char *data = NULL;

	ck_assert_msg(vs_fixture_read_file(&data, NULL, path,
	              VS_FIXTURE_MAX_BODY, &err) == 0, "%s", err.message);
	leak = leak_in(data);
	ck_assert_msg(leak == NULL, "%s: %s… not redacted", path, leak);
	free(data);
	(*files)++;
}

/* Files of the scenario directories under dir (fixtures/) and of their
 * subdirectories. */
static void
check_dir(const char *dir, int depth, size_t *files)
{
	char path[8192];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	ck_assert_msg(d != NULL, "cannot open %s", dir);
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		scn_pathf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ck_assert_int_eq(lstat(path, &st), 0);
		/* fixtures/README.md names the elements it talks about */
		if (S_ISDIR(st.st_mode) && depth < 2)
			check_dir(path, depth + 1, files);
		else if (S_ISREG(st.st_mode) && depth > 0)
			check_file(path, files);
	}
	closedir(d);
}

START_TEST(test_redaction)
{
	size_t files = 0;

	check_dir(fixtures_dir(), 0, &files);
	ck_assert_uint_gt(files, 6);
}
END_TEST

/* The checker itself must see a leak. */
START_TEST(test_redaction_checker)
{
	ck_assert_ptr_null(leak_in("<password>REDACTED</password> "
	                           "vmware_soap_session" "=REDACTED; "
	                           "session[REDACTED]1234"));
	ck_assert_str_eq(leak_in("x<password>s3cret</" "password>"),
	                 "<password>");
	/* split literals: no secret-looking text in the source itself */
	ck_assert_str_eq(leak_in("vmware_soap_session" "=\"52a1b2c3d4\""),
	                 "vmware_soap_session" "=");
	ck_assert_str_eq(leak_in("<obj>session[52a1-77]9f</obj>"),
	                 "session[");
	ck_assert_str_eq(leak_in("{\"password\": \"hunter2\"}"),
	                 "\"password\": \"");
}
END_TEST

static Suite *
replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc;
	size_t i;

	for (i = 0; i < nscenarios; i++) {
		tc = tcase_create(scenarios[i]);
		tcase_set_timeout(tc, 300);
		tcase_add_loop_test(tc, test_scenario, (int)i, (int)i + 1);
		suite_add_tcase(s, tc);
	}
	tc = tcase_create("vs_inventory");
	tcase_add_test(tc, test_vs_inventory);
	suite_add_tcase(s, tc);

	tc = tcase_create("tamper");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_tamper_request);
	tcase_add_test(tc, test_tamper_extra_exchange);
	tcase_add_test(tc, test_tamper_missing_exchange);
	tcase_add_test(tc, test_tamper_cpi_response);
	tcase_add_test(tc, test_tamper_cpi_unused_exchange);
	if (nwith_exchanges > 0)
		tcase_add_loop_test(tc, test_tamper_cpi_exchange, 0,
		                    (int)nwith_exchanges);
	suite_add_tcase(s, tc);

	tc = tcase_create("placeholders");
	tcase_add_test(tc, test_placeholders);
	tcase_add_test(tc, test_placeholder_bad);
	suite_add_tcase(s, tc);

	tc = tcase_create("redaction");
	tcase_add_test(tc, test_redaction);
	tcase_add_test(tc, test_redaction_checker);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr;
	int failed;
	size_t i;

	discover();
	sr = srunner_create(replay_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	for (i = 0; i < nscenarios; i++)
		free(scenarios[i]);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
