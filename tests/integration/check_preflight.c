/*
 * check_preflight (simulator): `cpi check` end to end.  Every check in
 * its ok form (the harness's config against the default inventory) and
 * its failing form (a wrong datacenter, cluster, resource pool, host
 * group, a datastore pattern matching nothing, a bad pattern, an unknown
 * port group, an untrusted certificate, a wrong password, an unreachable
 * port, a broken mbus URL, a user lacking privileges), the exit status,
 * the JSON and text reports, and the read-only promise: the only SOAP
 * requests are RetrieveServiceContent, Login, one RetrievePropertiesEx
 * (plus continuations), one FetchUserPrivilegeOnEntities and Logout; the
 * inventory, the task list and the session list are the same afterwards.
 *
 *   make integration INTEG_SRC=tests/integration/check_preflight.c
 */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"
#include "tests/support/sim_suite.h"
#include "vsphere/client.h"
#include "vsphere/pc.h"
#include "vsphere/task.h"

static char defcfg[4096];

/* --- running it ------------------------------------------------------ */

static const char *
write_file(const char *name, const char *text)
{
	static char path[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sim_env("CPI_TEST_OUTDIR"),
	         name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/* Runs `cpi check [--json] CONFIG [NETWORKS]`; raw keeps the output. */
static void
run_raw(struct cpi_test_run *raw, bool json, const char *config,
        const char *networks)
{
	char *argv[6];
	int n = 0;

	argv[n++] = (char *)cpi_test_binary();
	argv[n++] = (char *)"check";
	if (json)
		argv[n++] = (char *)"--json";
	argv[n++] = (char *)config;
	if (networks != NULL)
		argv[n++] = (char *)write_file("networks.json", networks);
	argv[n] = NULL;
	ck_assert_int_eq(cpi_test_run(raw, argv, "", 0), 0);
}

/* The JSON report (new reference); *status gets the exit status. */
static json_t *
run_check(int *status, const char *config, const char *networks)
{
	struct cpi_test_run raw = {0};
	json_t *doc;
	const char *secrets[] = { getenv("VCSIM_PASSWORD"), SIM_MBUS_SECRET,
	                          SIM_BLOBSTORE_SECRET };
	size_t i;

	run_raw(&raw, true, config, networks);
	doc = json_loads(raw.out, 0, NULL);
	ck_assert_msg(doc != NULL, "not JSON: %s\nstderr: %s", raw.out,
	              raw.err);
	for (i = 0; i < 3; i++) {
		ck_assert(strstr(raw.out, secrets[i]) == NULL);
		ck_assert(strstr(raw.err, secrets[i]) == NULL);
	}
	*status = raw.status;
	cpi_test_run_clear(&raw);
	return doc;
}

/* The first check item named check with status whose message holds
 * needle (NULL: any), or NULL. */
static const json_t *
item(const json_t *doc, const char *check, const char *status,
     const char *needle)
{
	const json_t *checks = json_object_get(doc, "checks"), *it;
	size_t i;

	json_array_foreach(checks, i, it) {
		const char *c = json_string_value(json_object_get(it,
		                                                  "check"));
		const char *s = json_string_value(json_object_get(it,
		                                                  "status"));
		const char *m = json_string_value(json_object_get(it,
		                                                  "message"));

		if (c != NULL && s != NULL && m != NULL &&
		    strcmp(c, check) == 0 && strcmp(s, status) == 0 &&
		    (needle == NULL || strstr(m, needle) != NULL))
			return it;
	}
	return NULL;
}

static const json_t *
want(const json_t *doc, const char *check, const char *status,
     const char *needle)
{
	const json_t *it = item(doc, check, status, needle);

	if (it == NULL) {
		char *t = json_dumps(doc, JSON_INDENT(1));

		fprintf(stderr, "%s\n", t != NULL ? t : "?");
		free(t);
		ck_abort_msg("no %s item '%s' holding '%s' (report on "
		             "stderr)", status, check,
		             needle != NULL ? needle : "");
	}
	return it;
}

static long long
count(const json_t *doc, const char *status)
{
	return json_integer_value(json_object_get(json_object_get(doc,
	                          "summary"), status));
}

static const char *
str_of(const json_t *it, const char *k)
{
	return json_string_value(json_object_get(it, k));
}

/* The harness's datacenter with key set to value (stolen; NULL: none). */
static const char *
config_dc(const char *key, json_t *value)
{
	json_t *dc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}",
	                       "name", "DC0", "vm_folder", "BOSH_VMs",
	                       "template_folder", "BOSH_Templates",
	                       "disk_path", "BOSH_Disks",
	                       "datastore_pattern", "^LocalDS_",
	                       "persistent_datastore_pattern", "^LocalDS_",
	                       "clusters", "DC0_C0");
	json_t *extra;
	const char *path;

	ck_assert_ptr_nonnull(dc);
	if (key != NULL)
		json_object_set_new(dc, key, value);
	extra = json_pack("{s:[o]}", "datacenters", dc);
	path = sim_config(extra);
	json_decref(extra);
	ck_assert_ptr_nonnull(path);
	return path;
}

/* --- looking at the simulator ----------------------------------------- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "type:value:name" of every managed entity, sorted, one string. */
static char *
inventory_text(struct vs_client *cl)
{
	static const char *const paths[] = { "name", "parent", NULL };
	struct vs_objects *objs = NULL;
	struct err err = {0};
	char **lines;
	char *out;
	size_t i, len = 1;

	ck_assert_msg(vs_pc_list(&objs, cl, &vs_client_sc(cl)->root_folder,
	                         "ManagedEntity", paths, &err) == 0, "%s",
	              err.message);
	lines = calloc(objs->n + 1, sizeof(*lines));
	ck_assert_ptr_nonnull(lines);
	for (i = 0; i < objs->n; i++) {
		const char *name = "";
		struct vs_moref parent = {{0}, {0}};

		err_clear(&err);
		(void)vs_object_get_str(&name, &objs->items[i], "name", &err);
		err_clear(&err);
		(void)vs_object_get_moref(&parent, &objs->items[i], "parent",
		                          &err);
		lines[i] = malloc(2048);
		ck_assert_ptr_nonnull(lines[i]);
		snprintf(lines[i], 2048, "%s:%s:%.600s:%s\n",
		         objs->items[i].obj.type, objs->items[i].obj.value,
		         name, parent.value);
		len += strlen(lines[i]);
	}
	qsort(lines, objs->n, sizeof(*lines), str_cmp);
	out = calloc(len, 1);
	ck_assert_ptr_nonnull(out);
	for (i = 0; i < objs->n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	free(lines);
	vs_objects_free(objs);
	return out;
}

/* Children of a list-valued property (TaskManager.recentTask,
 * SessionManager.sessionList); 0 when unset. */
static size_t
prop_count(struct vs_client *cl, const struct vs_moref *obj,
           const char *path)
{
	const char *paths[] = { path, NULL };
	struct vs_object *o = NULL;
	struct err err = {0};
	const struct vs_prop *p;
	size_t n = 0;

	ck_assert_msg(vs_get_props(&o, cl, obj, paths, &err) == 0, "%s",
	              err.message);
	p = vs_object_prop(o, path);
	if (p != NULL && p->kind == VS_PROP_MOREFS)
		n = p->nrefs;
	else if (p != NULL && p->kind == VS_PROP_NODE) {
		xmlNodePtr c;

		for (c = p->node->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				n++;
	}
	vs_object_free(o);
	return n;
}

/* Request file names (NNNNN-Method.request) of the dump, sorted.  The
 * simulator may write a file just after it answered: wait a little. */
static size_t
requests(char ***out)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL;
	size_t n = 0;

	usleep(300 * 1000);
	d = opendir(sim_env("VCSIM_REQUEST_DIR"));
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".request") == NULL)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		ck_assert_ptr_nonnull(v);
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), str_cmp);
	*out = v;
	return n;
}

static void
free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Count of requests after index from whose method is method. */
static size_t
method_count(char **v, size_t from, size_t n, const char *method)
{
	size_t i, k = 0;
	char suffix[128];

	snprintf(suffix, sizeof(suffix), "-%s.request", method);
	for (i = from; i < n; i++) {
		const char *dash = strchr(v[i], '-');

		if (dash != NULL && strcmp(dash, suffix) == 0)
			k++;
	}
	return k;
}

/* --- tests -------------------------------------------------------------- */

static const char nets_hash[] =
	"{\"default\":{\"type\":\"manual\",\"cloud_properties\":"
	"{\"name\":\"VM Network\"}},"
	"\"dv\":{\"type\":\"dynamic\",\"cloud_properties\":"
	"{\"name\":\"DC0_DVPG0\"}},"
	"\"public\":{\"type\":\"vip\"}}";

START_TEST(test_all_ok_and_read_only)
{
	struct vs_client *cl = sim_client_connect(NULL);
	struct vs_moref tm = { "TaskManager", "TaskManager" };
	struct err err = {0};
	char *inv_before, *inv_after, **reqs = NULL, **reqs2 = NULL;
	size_t tasks_before, sess_before, nbefore, nafter, i;
	json_t *doc;
	const json_t *it;
	int status = -1;

	inv_before = inventory_text(cl);
	tasks_before = prop_count(cl, &tm, "recentTask");
	sess_before = prop_count(cl, &vs_client_sc(cl)->session_manager,
	                         "sessionList");
	nbefore = requests(&reqs);
	free_list(reqs, nbefore);

	doc = run_check(&status, defcfg, nets_hash);

	nafter = requests(&reqs2);
	ck_assert_int_eq(status, 0);
	ck_assert(json_is_true(json_object_get(doc, "ok")));
	ck_assert_int_eq(count(doc, "error"), 0);
	want(doc, "config", "ok", NULL);
	want(doc, "vcenter.address", "ok", "IPv4");
	want(doc, "vcenter.reachable", "ok", NULL);
	it = want(doc, "vcenter.tls", "ok", "connection_options.ca_cert");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".connection_options.ca_cert");
	want(doc, "vcenter.login", "ok", "vcsim-user");
	want(doc, "vcenter.api", "ok", "API version");
	it = want(doc, "datacenter", "ok", "'DC0'");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".datacenters[0].name");
	ck_assert(json_is_null(json_object_get(it, "fix")));
	want(doc, "vm_folder", "ok", "DC0/vm/BOSH_VMs");
	want(doc, "template_folder", "ok", "DC0/vm/BOSH_Templates");
	want(doc, "disk_path", "ok", "BOSH_Disks");
	want(doc, "cluster", "ok", "cluster 'DC0_C0': 3 host(s)");
	want(doc, "datastore_pattern", "ok", "LocalDS_0 (");
	want(doc, "datastore_pattern", "ok", "every host sees");
	want(doc, "persistent_datastore_pattern", "ok", "LocalDS_0");
	want(doc, "networks", "ok", "2 port group(s)");
	want(doc, "port_group", "ok", "'VM Network' found: standard");
	want(doc, "port_group", "ok", "'DC0_DVPG0' found: distributed");
	want(doc, "privileges", "ok", "datacenter 'DC0'");
	/* BOSH_VMs does not exist yet: its parent is where it is made */
	want(doc, "privileges", "ok", "folder 'DC0/vm': the user holds the "
	     "21 privilege(s)");
	want(doc, "privileges", "ok", "datastore 'LocalDS_0'");
	want(doc, "privileges", "ok", "port group 'VM Network'");
	want(doc, "privileges", "ok", "resource pool of cluster 'DC0_C0'");
	want(doc, "agent.mbus", "ok", "nats");
	want(doc, "agent.ntp", "ok", NULL);

	/* Read-only and fast: exactly these requests. */
	printf("check: %zu round trips\n", nafter - nbefore);
	ck_assert_int_eq(json_integer_value(json_object_get(doc,
	                 "roundtrips")), (json_int_t)(nafter - nbefore));
	ck_assert_uint_eq(method_count(reqs2, nbefore, nafter,
	                  "RetrieveServiceContent"), 1);
	ck_assert_uint_eq(method_count(reqs2, nbefore, nafter, "Login"), 1);
	ck_assert_uint_eq(method_count(reqs2, nbefore, nafter,
	                  "RetrievePropertiesEx"), 1);
	ck_assert_uint_eq(method_count(reqs2, nbefore, nafter,
	                  "FetchUserPrivilegeOnEntities"), 1);
	ck_assert_uint_eq(method_count(reqs2, nbefore, nafter, "Logout"), 1);
	for (i = nbefore; i < nafter; i++)
		ck_assert_msg(strstr(reqs2[i], "-RetrieveServiceContent.") ||
		              strstr(reqs2[i], "-Login.") ||
		              strstr(reqs2[i], "-RetrievePropertiesEx.") ||
		              strstr(reqs2[i], "-ContinueRetrievePropertiesEx.") ||
		              strstr(reqs2[i], "-FetchUserPrivilegeOnEntities.") ||
		              strstr(reqs2[i], "-Logout."),
		              "unexpected request %s", reqs2[i]);
	ck_assert_uint_le(nafter - nbefore, 6);
	inv_after = inventory_text(cl);
	ck_assert_str_eq(inv_before, inv_after);
	ck_assert_uint_eq(prop_count(cl, &tm, "recentTask"), tasks_before);
	ck_assert_uint_eq(prop_count(cl, &vs_client_sc(cl)->session_manager,
	                             "sessionList"), sess_before);
	free_list(reqs2, nafter);
	free(inv_before);
	free(inv_after);
	json_decref(doc);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);
}
END_TEST

START_TEST(test_text_report)
{
	struct cpi_test_run raw = {0};

	run_raw(&raw, false, defcfg, "[\"VM Network\"]");
	ck_assert_msg(raw.status == 0, "%s%s", raw.out, raw.err);
	ck_assert_ptr_nonnull(strstr(raw.out, "ok       datacenter: "
	                             "datacenter 'DC0' found\n"));
	ck_assert_ptr_nonnull(strstr(raw.out, "         key: cloud.properties"
	                             ".vcenters[0].datacenters[0].name\n"));
	ck_assert_ptr_nonnull(strstr(raw.out, " 0 error(s); "));
	ck_assert_ptr_nonnull(strstr(raw.out, "vCenter round trip(s)\n"));
	ck_assert(strstr(raw.out, getenv("VCSIM_PASSWORD")) == NULL);
	cpi_test_run_clear(&raw);
}
END_TEST

START_TEST(test_wrong_datacenter)
{
	int status = -1;
	json_t *doc = run_check(&status, config_dc("name", json_string(
	                        "DC9")), NULL);
	const json_t *it;

	ck_assert_int_eq(status, 1);
	ck_assert(json_is_false(json_object_get(doc, "ok")));
	it = want(doc, "datacenter", "error", "'DC9' not found");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".datacenters[0].name");
	ck_assert_ptr_nonnull(strstr(str_of(it, "fix"), "vcenter."
	                             "datacenters[0].name"));
	/* nothing below the datacenter is claimed ok */
	ck_assert_ptr_null(item(doc, "cluster", "ok", NULL));
	want(doc, "vcenter.login", "ok", NULL);
	json_decref(doc);
}
END_TEST

START_TEST(test_wrong_cluster_pool_group)
{
	int status = -1;
	json_t *cls = json_pack("[{s:{s:s}},s,{s:{s:s}}]",
	                        "DC0_C0", "resource_pool", "NoSuchPool",
	                        "NoSuchCluster",
	                        "DC0_C0", "resource_pool", "DC0_C0_RP1");
	json_t *doc = run_check(&status, config_dc("clusters", cls), NULL);
	const json_t *it;

	ck_assert_int_eq(status, 1);
	it = want(doc, "cluster", "error", "'NoSuchCluster' not found");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".datacenters[0].clusters[1]");
	want(doc, "resource_pool", "error", "'NoSuchPool' not found");
	want(doc, "resource_pool", "ok", "'DC0_C0_RP1' found");
	want(doc, "cluster", "ok", "DRS on");
	json_decref(doc);
}
END_TEST

START_TEST(test_patterns)
{
	int status = -1;
	json_t *doc = run_check(&status, config_dc("datastore_pattern",
	                        json_string("^NoSuchDS$")), NULL);
	const json_t *it;

	ck_assert_int_eq(status, 1);
	it = want(doc, "datastore_pattern", "error",
	          "'^NoSuchDS$' matches no datastore");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".datacenters[0].datastore_pattern");
	ck_assert_ptr_nonnull(str_of(it, "fix"));
	want(doc, "persistent_datastore_pattern", "ok", "LocalDS_0");
	json_decref(doc);

	doc = run_check(&status, config_dc("persistent_datastore_pattern",
	                json_string("(")), NULL);
	ck_assert_int_eq(status, 1);
	/* a pattern that does not compile stops the config load (as for
	 * every call): one config error naming the key */
	want(doc, "config", "error", "persistent_datastore_pattern: not a "
	     "valid regular expression");
	json_decref(doc);

	/* a datastore cluster pattern is checked like the plain ones: no
	 * datastore cluster matches here */
	doc = run_check(&status, config_dc("datastore_cluster_pattern",
	                json_string("^POD")), NULL);
	ck_assert_int_eq(status, 1);
	want(doc, "datastore_cluster_pattern", "error", "pattern '^POD' "
	     "matches no datastore cluster with datastores");
	json_decref(doc);
}
END_TEST

START_TEST(test_port_groups)
{
	int status = -1;
	json_t *doc = run_check(&status, defcfg, "[\"VM Network\", "
	                        "\"NoSuchPG\", \"DVS0/DC0_DVPG0\"]");
	const json_t *it;

	ck_assert_int_eq(status, 1);
	want(doc, "port_group", "ok", "'VM Network' found: standard");
	want(doc, "port_group", "ok", "'DVS0/DC0_DVPG0' found: "
	     "distributed");
	it = want(doc, "port_group", "error", "'NoSuchPG'");
	ck_assert_str_eq(str_of(it, "key"), "NETWORKS.json [1]");
	json_decref(doc);

	doc = run_check(&status, defcfg, "{\"n\":{\"cloud_properties\":{}}}");
	ck_assert_int_eq(status, 1);
	want(doc, "networks", "error", "cloud_properties.name");
	json_decref(doc);
}
END_TEST

START_TEST(test_untrusted_certificate)
{
	int status = -1;
	json_t *extra, *doc;
	const json_t *it;
	char pem[16384];
	size_t n;
	FILE *f;

	/* VCSIM_WRONG_CA_CERT is the path of an unrelated CA's PEM */
	f = fopen(sim_env("VCSIM_WRONG_CA_CERT"), "r");
	ck_assert_ptr_nonnull(f);
	n = fread(pem, 1, sizeof(pem) - 1, f);
	pem[n] = '\0';
	fclose(f);
	extra = json_pack("{s:{s:s}}", "connection_options", "ca_cert", pem);
	doc = run_check(&status, sim_config(extra), NULL);
	json_decref(extra);
	ck_assert_int_eq(status, 1);
	it = want(doc, "vcenter.tls", "error", "certificate verify failed");
	ck_assert_ptr_nonnull(strstr(str_of(it, "fix"),
	                      "vcenter.connection_options.ca_cert"));
	ck_assert_ptr_nonnull(strstr(str_of(it, "fix"), "insecure: true"));
	ck_assert_ptr_null(item(doc, "vcenter.login", "ok", NULL));
	json_decref(doc);

	extra = json_pack("{s:{s:b}}", "connection_options", "insecure", 1);
	doc = run_check(&status, sim_config(extra), NULL);
	json_decref(extra);
	ck_assert_int_eq(status, 0);
	want(doc, "vcenter.tls", "warning", "NOT verified");
	json_decref(doc);
}
END_TEST

START_TEST(test_wrong_password_and_port)
{
	int status = -1;
	json_t *extra = json_pack("{s:s}", "password", "Wrong-Secret-2x9");
	json_t *doc = run_check(&status, sim_config(extra), NULL);
	char host[300], *text;
	const char *colon;
	struct timespec t0, t1;

	json_decref(extra);
	ck_assert_int_eq(status, 1);
	want(doc, "vcenter.login", "error", "InvalidLogin");
	text = json_dumps(doc, 0);
	ck_assert_ptr_nonnull(text);
	ck_assert(strstr(text, "Wrong-Secret-2x9") == NULL);
	free(text);
	json_decref(doc);

	/* the simulator's host with a port nobody listens on */
	colon = strrchr(sim_env("VCSIM_HOST"), ':');
	ck_assert_ptr_nonnull(colon);
	snprintf(host, sizeof(host), "%.*s:1",
	         (int)(colon - sim_env("VCSIM_HOST")), sim_env("VCSIM_HOST"));
	extra = json_pack("{s:s}", "host", host);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	doc = run_check(&status, sim_config(extra), NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	json_decref(extra);
	ck_assert_int_eq(status, 1);
	want(doc, "vcenter.reachable", "error", NULL);
	/* one attempt, no backoff (retries would take 7.5 s) */
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 5);
	ck_assert(json_is_null(json_object_get(doc, "roundtrips")) ||
	          json_integer_value(json_object_get(doc, "roundtrips")) >= 0);
	json_decref(doc);
}
END_TEST

START_TEST(test_agent)
{
	int status = -1;
	const char *path;
	json_t *doc;
	char cfg[8192];
	FILE *f;
	size_t n;
	char *p;

	/* the harness's config with a broken mbus URL */
	f = fopen(defcfg, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(cfg, 1, sizeof(cfg) - 1, f);
	cfg[n] = '\0';
	fclose(f);
	p = strstr(cfg, "nats://");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "nats:/", 6);
	p[6] = 'x';
	path = write_file("bad-mbus.json", cfg);
	doc = run_check(&status, path, NULL);
	ck_assert_int_eq(status, 1);
	want(doc, "agent.mbus", "error", "does not start with");
	json_decref(doc);
}
END_TEST

START_TEST(test_usage)
{
	struct cpi_test_run raw = {0};
	char *argv[5];
	int status = -1;
	json_t *doc;

	argv[0] = (char *)cpi_test_binary();
	argv[1] = (char *)"check";
	argv[2] = NULL;
	ck_assert_int_eq(cpi_test_run(&raw, argv, "", 0), 0);
	ck_assert_int_eq(raw.status, 2);
	cpi_test_run_clear(&raw);
	argv[2] = (char *)"--bogus";
	argv[3] = (char *)defcfg;
	argv[4] = NULL;
	ck_assert_int_eq(cpi_test_run(&raw, argv, "", 0), 0);
	ck_assert_int_eq(raw.status, 2);
	cpi_test_run_clear(&raw);

	doc = run_check(&status, "/nonexistent/cpi.json", NULL);
	ck_assert_int_eq(status, 1);
	want(doc, "config", "error", NULL);
	json_decref(doc);
}
END_TEST

/* --- shaping the simulator ---------------------------------------------- */

static struct vs_moref
at_path(struct vs_client *cl, const char *path)
{
	struct vs_moref ref;
	struct err err = {0};

	ck_assert_msg(vs_find_by_inventory_path(&ref, cl, path, &err) == 0,
	              "%s: %s", path, err.message);
	return ref;
}

/* Sends req; a Task reply is waited for.  *out (may be NULL) gets the
 * returned moref. */
static void
call(struct vs_client *cl, xmlDocPtr req, struct vs_moref *out)
{
	struct err err = {0};
	struct vs_moref ref;
	xmlDocPtr resp = NULL;
	xmlNodePtr r;

	ck_assert_msg(vs_client_call(cl, req, &resp, &r, &err) == 0, "%s",
	              err.message);
	ck_assert_int_eq(vs_xml_moref(&ref, vs_xml_child(r, "returnval"),
	                              &err), 0);
	xmlFreeDoc(resp);
	if (strcmp(ref.type, "Task") == 0)
		ck_assert_msg(vs_task_wait(NULL, cl, &ref, 60, &err) == 0,
		              "%s", err.message);
	if (out != NULL)
		*out = ref;
}

/* Host group HG1 in DC0_C0; datastore cluster POD1 holding LocalDS_0. */
static void
make_group_and_pod(void)
{
	struct vs_client *cl = sim_client_connect("preflight-setup");
	struct vs_moref cluster = at_path(cl, "DC0/host/DC0_C0");
	struct vs_moref dsf = at_path(cl, "DC0/datastore");
	struct vs_moref ds = at_path(cl, "DC0/datastore/LocalDS_0");
	struct vs_moref pod;
	struct err err = {0};
	xmlDocPtr req = NULL;
	xmlNodePtr m, spec, gs, info;

	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "ReconfigureComputeResource_Task", &cluster, &err),
	                 0);
	spec = vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	gs = vs_soap_add_obj(spec, "groupSpec", NULL);
	vs_soap_add_text(gs, "operation", "add");
	info = vs_soap_add_obj(gs, "info", "ClusterHostGroup");
	vs_soap_add_text(info, "name", "HG1");
	vs_soap_add_bool(m, "modify", true);
	call(cl, req, NULL);

	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CreateStoragePod",
	                 &dsf, &err), 0);
	vs_soap_add_text(m, "name", "POD1");
	call(cl, req, &pod);
	ck_assert_int_eq(vs_soap_request_new(&req, &m, "MoveIntoFolder_Task",
	                 &pod, &err), 0);
	vs_soap_add_moref(m, "list", &ds);
	call(cl, req, NULL);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);
}

/* Storage DRS off in datastore cluster DC0/datastore/name. */
static void
sdrs_off(const char *name)
{
	struct vs_client *cl = sim_client_connect("preflight-setup");
	struct vs_moref srm = { "StorageResourceManager",
	                        "StorageResourceManager" };
	struct vs_moref pod;
	struct err err = {0};
	xmlDocPtr req = NULL;
	xmlNodePtr m, spec, pc;
	char path[256];

	snprintf(path, sizeof(path), "DC0/datastore/%s", name);
	pod = at_path(cl, path);
	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "ConfigureStorageDrsForPod_Task", &srm, &err), 0);
	vs_soap_add_moref(m, "pod", &pod);
	spec = vs_soap_add_obj(m, "spec", "StorageDrsConfigSpec");
	pc = vs_soap_add_obj(spec, "podConfigSpec", NULL);
	vs_soap_add_bool(pc, "enabled", false);
	vs_soap_add_bool(m, "modify", true);
	call(cl, req, NULL);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);
}

/* A cluster without hosts (CreateClusterEx in DC0's host folder) is a
 * warning, and its datastores match nothing: an error. */
START_TEST(test_empty_cluster)
{
	struct vs_client *cl = sim_client_connect("preflight-setup");
	struct vs_moref hostf = at_path(cl, "DC0/host");
	struct err err = {0};
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	int status = -1;
	json_t *doc;
	const json_t *it;

	ck_assert_int_eq(vs_soap_request_new(&req, &m, "CreateClusterEx",
	                 &hostf, &err), 0);
	vs_soap_add_text(m, "name", "EMPTY_CL");
	vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx");
	call(cl, req, NULL);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);

	doc = run_check(&status, config_dc("clusters", json_pack("[s,s]",
	                "DC0_C0", "EMPTY_CL")), NULL);
	ck_assert_int_eq(status, 1);
	it = want(doc, "cluster", "warning", "cluster 'EMPTY_CL': 0 host(s)");
	ck_assert_str_eq(str_of(it, "key"), "cloud.properties.vcenters[0]"
	                 ".datacenters[0].clusters[1]");
	want(doc, "datastore_pattern", "error", "cluster 'EMPTY_CL' sees none "
	     "of the datastores matching '^LocalDS_'");
	want(doc, "datastore_pattern", "ok", "cluster 'DC0_C0': every host");
	json_decref(doc);
}
END_TEST

START_TEST(test_host_group_and_datastore_cluster)
{
	int status = -1;
	json_t *cls = json_pack("[{s:{s:{s:s,s:s}}}]", "DC0_C0",
	                        "host_group", "name", "HG1", "drs_rule",
	                        "MUST");
	json_t *dc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o}",
	                       "name", "DC0", "vm_folder", "BOSH_VMs",
	                       "template_folder", "BOSH_Templates",
	                       "disk_path", "BOSH_Disks",
	                       "datastore_cluster_pattern", "^POD",
	                       "persistent_datastore_pattern", "^LocalDS_",
	                       "clusters", cls);
	json_t *extra = json_pack("{s:[o]}", "datacenters", dc);
	json_t *doc;
	/* The datastore cluster POD1 (LocalDS_0) is found through the
	 * pattern, with its datastore. */
	const char *cfg;

	make_group_and_pod();
	cfg = sim_config(extra);
	json_decref(extra);
	doc = run_check(&status, cfg, NULL);
	want(doc, "datastore_cluster_pattern", "ok", "matches 1 datastore(s) "
	     "in datastore clusters: POD1/LocalDS_0");
	ck_assert_ptr_null(item(doc, "config", "error", NULL));
	json_decref(doc);
	/* Storage DRS off: placement leaves the pod out, and so says the
	 * check */
	sdrs_off("POD1");
	doc = run_check(&status, cfg, NULL);
	ck_assert_int_eq(status, 1);
	want(doc, "datastore_cluster_pattern", "error", "POD1/LocalDS_0 (");
	want(doc, "datastore_cluster_pattern", "error", "Storage DRS off: "
	     "left out");
	json_decref(doc);
}
END_TEST

/* A host_group is acted on (#16): cpi check finds it, or reports it
 * missing, and says nothing of a refusal. */
START_TEST(test_host_group_checked)
{
	struct vs_client *cl = sim_client_connect("preflight-setup");
	struct vs_moref cluster = at_path(cl, "DC0/host/DC0_C0");
	struct err err = {0};
	xmlDocPtr req = NULL;
	xmlNodePtr m, gs, info;
	int status = -1;
	json_t *doc;

	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "ReconfigureComputeResource_Task", &cluster, &err),
	                 0);
	gs = vs_soap_add_obj(vs_soap_add_obj(m, "spec", "ClusterConfigSpecEx"),
	                     "groupSpec", NULL);
	vs_soap_add_text(gs, "operation", "add");
	info = vs_soap_add_obj(gs, "info", "ClusterHostGroup");
	vs_soap_add_text(info, "name", "HG2");
	vs_soap_add_bool(m, "modify", true);
	call(cl, req, NULL);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);
	doc = run_check(&status, config_dc("clusters", json_pack("[{s:{s:s}},"
	                "{s:{s:{s:s}}}]", "DC0_C0", "host_group", "HG2",
	                "DC0_C0", "host_group", "name", "HG-none")), NULL);
	ck_assert_int_eq(status, 1);
	ck_assert_ptr_null(item(doc, "config", "error", NULL));
	want(doc, "host_group", "ok", "host group 'HG2' found");
	want(doc, "host_group", "error", "host group 'HG-none' not found");
	json_decref(doc);
}
END_TEST

/* The simulator answers FetchUserPrivilegeOnEntities with the Admin
 * role's privileges: this test takes two from the role (and runs last). */
static void
admin_role_without(const char *const *drop)
{
	static const char *const privs[] = {
		"Global.ManageCustomFields", "Datastore.FileManagement",
		"Folder.Create", "VirtualMachine.Inventory.Create",
		"VirtualMachine.Inventory.CreateFromExisting",
		"VirtualMachine.Inventory.Delete",
		"VirtualMachine.Provisioning.Clone",
		"VirtualMachine.Provisioning.DeployTemplate",
		"VirtualMachine.State.CreateSnapshot",
		"VirtualMachine.Config.AddNewDisk",
		"VirtualMachine.Config.AddExistingDisk",
		"VirtualMachine.Config.RemoveDisk",
		"VirtualMachine.Config.AddRemoveDevice",
		"VirtualMachine.Config.EditDevice",
		"VirtualMachine.Config.AdvancedConfig",
		"VirtualMachine.Config.Resource",
		"VirtualMachine.Config.Settings",
		"VirtualMachine.Config.DiskExtend",
		"VirtualMachine.Interact.PowerOn",
		"VirtualMachine.Interact.PowerOff",
		"VirtualMachine.Interact.Reset", "Global.SetCustomField",
		"VApp.Import", "Resource.AssignVMToPool",
		"Datastore.AllocateSpace", "Datastore.Browse", "Network.Assign",
		NULL,
	};
	struct vs_client *cl = sim_client_connect(NULL);
	struct err err = {0};
	xmlDocPtr req = NULL, resp = NULL;
	xmlNodePtr m, r;
	size_t i, j;

	ck_assert_int_eq(vs_soap_request_new(&req, &m,
	                 "UpdateAuthorizationRole",
	                 &vs_client_sc(cl)->authorization_manager, &err), 0);
	vs_soap_add_text(m, "roleId", "-1");
	vs_soap_add_text(m, "newName", "Admin");
	for (i = 0; privs[i] != NULL; i++) {
		bool dropped = false;

		for (j = 0; drop[j] != NULL; j++)
			if (strcmp(drop[j], privs[i]) == 0)
				dropped = true;
		if (!dropped)
			vs_soap_add_text(m, "privIds", privs[i]);
	}
	ck_assert_msg(vs_client_call(cl, req, &resp, &r, &err) == 0, "%s",
	              err.message);
	xmlFreeDoc(resp);
	ck_assert_int_eq(vs_client_close(cl, &err), 0);
	vs_client_free(cl);
}

START_TEST(test_missing_privileges)
{
	static const char *const drop[] = {
		"Network.Assign", "Datastore.Browse", NULL,
	};
	int status = -1;
	json_t *doc;
	const json_t *it;

	admin_role_without(drop);
	doc = run_check(&status, defcfg, "[\"VM Network\"]");
	ck_assert_int_eq(status, 1);
	it = want(doc, "privileges", "error", "port group 'VM Network': the "
	          "user lacks 1 of 1 privilege(s): Network.Assign");
	ck_assert_str_eq(str_of(it, "key"), "NETWORKS.json [0]");
	want(doc, "privileges", "error", "datastore 'LocalDS_0': the user "
	     "lacks 1 of 3 privilege(s): Datastore.Browse");
	want(doc, "privileges", "ok", "datacenter 'DC0'");
	json_decref(doc);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("preflight");
	TCase *tc = tcase_create("check");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_all_ok_and_read_only);
	tcase_add_test(tc, test_text_report);
	tcase_add_test(tc, test_wrong_datacenter);
	tcase_add_test(tc, test_wrong_cluster_pool_group);
	tcase_add_test(tc, test_patterns);
	tcase_add_test(tc, test_port_groups);
	tcase_add_test(tc, test_untrusted_certificate);
	tcase_add_test(tc, test_wrong_password_and_port);
	tcase_add_test(tc, test_agent);
	tcase_add_test(tc, test_usage);
	/* these change the simulator: last */
	tcase_add_test(tc, test_empty_cluster);
	tcase_add_test(tc, test_host_group_and_datastore_cluster);
	tcase_add_test(tc, test_host_group_checked);
	tcase_add_test(tc, test_missing_privileges);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	if (sim_suite_start(defcfg, sizeof(defcfg), "check_preflight") != 0)
		return 1;
	return sim_suite_run(suite());
}
