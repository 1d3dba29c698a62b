/*
 * check_parity: the regression guard of drop-in parity with the Ruby
 * vSphere CPI.  tests/data/parity/ruby_keys.tsv lists every key the Ruby
 * CPI honours (job spec, config schema, VM and disk cloud properties)
 * with this CPI's state, acted or refused.  This suite fails when
 *  - a row's state is neither, or a row is malformed;
 *  - a key of the Ruby CPI (the lists below, from its v98 source) or of
 *    this release's job spec has no row;
 *  - a refused key is not really refused: the config loader (config
 *    rows, and job rows rendered into config), cpi.json.erb (job rows
 *    the template refuses) or create_vm / create_disk through the built
 *    binary, before any vCenter call (vm and disk rows), must answer an
 *    error naming it;
 *  - an acted config key with its sample value is refused.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cpi/config.h"
#include "tests/support/cpi_run.h"

#define MAX_ROWS 512

struct row {
	char scope[16];
	char key[128];
	char state[16];
	char check[512];
	char needle[256];
};

static struct row rows[MAX_ROWS];
static size_t nrows;

/* The Ruby CPI's job spec properties (jobs/vsphere_cpi/spec). */
static const char *const ruby_job[] = {
	"vcenter.host", "vcenter.address", "vcenter.default_disk_type",
	"vcenter.default_scsi_controller_type", "vcenter.user",
	"vcenter.password", "vcenter.datacenters",
	"vcenter.enable_auto_anti_affinity_drs_rules",
	"vcenter.cpu_reserve_full_mhz",
	"vcenter.memory_reservation_locked_to_max",
	"vcenter.upgrade_hw_version", "vcenter.default_hw_version",
	"vcenter.vm_storage_policy_name", "vcenter.enable_human_readable_name",
	"vcenter.connection_options.ca_cert", "vcenter.nsx.address",
	"vcenter.nsx.user", "vcenter.nsx.password", "vcenter.nsx.ca_cert",
	"vcenter.nsxt.host", "vcenter.nsxt.username", "vcenter.nsxt.password",
	"vcenter.nsxt.remote_auth", "vcenter.nsxt.auth_certificate",
	"vcenter.nsxt.auth_private_key", "vcenter.nsxt.ca_cert",
	"vcenter.vmx_options", "vcenter.nsxt.default_vif_type",
	"vcenter.nsxt.use_policy_api", "vcenter.nsxt.policy_api_migration_mode",
	"vcenter.nsxt.allow_overwrite", "vcenter.nsxt.tag_nsx_vm_objects",
	"vcenter.http_logging", "vcenter.ensure_no_ip_conflicts", "ntp",
	"agent.mbus", "agent.nats.address", "nats.user", "nats.password",
	"nats.address", "nats.port", "env.http_proxy", "env.https_proxy",
	"env.no_proxy", "plugins",
};

/* The Ruby CPI's config schema (config.rb), under cloud.properties. */
static const char *const ruby_config[] = {
	"vcenters[0].host", "vcenters[0].user", "vcenters[0].password",
	"vcenters[0].http_logging",
	"vcenters[0].enable_auto_anti_affinity_drs_rules",
	"vcenters[0].default_disk_type",
	"vcenters[0].default_scsi_controller_type",
	"vcenters[0].upgrade_hw_version", "vcenters[0].default_hw_version",
	"vcenters[0].cpu_reserve_full_mhz",
	"vcenters[0].memory_reservation_locked_to_max",
	"vcenters[0].vm_storage_policy_name", "vcenters[0].vmx_options",
	"vcenters[0].nsxt", "vcenters[0].enable_human_readable_name",
	"vcenters[0].ensure_no_ip_conflicts", "vcenters[0].connection_options",
	"vcenters[0].datacenters[0].name",
	"vcenters[0].datacenters[0].vm_folder",
	"vcenters[0].datacenters[0].template_folder",
	"vcenters[0].datacenters[0].use_sub_folder",
	"vcenters[0].datacenters[0].disk_path",
	"vcenters[0].datacenters[0].datastore_pattern",
	"vcenters[0].datacenters[0].datastore_cluster_pattern",
	"vcenters[0].datacenters[0].persistent_datastore_pattern",
	"vcenters[0].datacenters[0].persistent_datastore_cluster_pattern",
	"vcenters[0].datacenters[0].allow_mixed_datastores",
	"vcenters[0].datacenters[0].clusters",
	"vcenters[0].datacenters[0].clusters@host_group",
	"vcenters[0].datacenters[0].clusters@drs_rules",
	"plugins",
};

/* VmType's cloud properties (vm_type.rb) and its storage list. */
static const char *const ruby_vm[] = {
	"cpu", "cpu_hot_add_enabled", "cpu_reserve_full_mhz", "datacenters",
	"device_groups", "disable_drs", "disk", "memory_hot_add_enabled",
	"memory_reservation_locked_to_max", "nested_hardware_virtualization",
	"nsx", "nsxt", "pci_passthroughs", "ram", "root_disk_size_gb",
	"storage_policy", "tags", "upgrade_hw_version", "vgpus", "vm_group",
	"vmx_options", "datastores", "datacenters@drs_rules",
	"datacenters@host_group", "datastores@clusters",
};

/* create_disk's cloud properties (cloud.rb, disk_pool.rb). */
static const char *const ruby_disk[] = {
	"type", "datastores", "storage_policy", "datastores@clusters",
};

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_ge(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *
root_path(const char *rel)
{
	static char buf[2048];
	const char *root = getenv("CPI_TEST_ROOT");

	snprintf(buf, sizeof(buf), "%s/%s", root != NULL ? root : ".", rel);
	return buf;
}

static void
copy_field(char *dst, size_t size, const char *s, size_t n, size_t line)
{
	ck_assert_msg(n < size, "ruby_keys.tsv:%zu: field too long", line);
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void
load_rows(void)
{
	char *text = slurp(cpi_test_data("parity/ruby_keys.tsv"));
	char *line, *save = NULL;
	size_t lineno = 0;

	nrows = 0;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *f[5], *p = line;
		size_t len[5], i;
		struct row *r;

		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		for (i = 0; i < 5; i++) {
			const char *tab = strchr(p, '\t');

			ck_assert_msg(i == 4 ? tab == NULL : tab != NULL,
			              "ruby_keys.tsv: '%s': want 5 tab-separated "
			              "columns", line);
			f[i] = p;
			len[i] = tab != NULL ? (size_t)(tab - p) : strlen(p);
			p = tab != NULL ? tab + 1 : p + len[i];
		}
		ck_assert_uint_lt(nrows, MAX_ROWS);
		r = &rows[nrows++];
		copy_field(r->scope, sizeof(r->scope), f[0], len[0], lineno);
		copy_field(r->key, sizeof(r->key), f[1], len[1], lineno);
		copy_field(r->state, sizeof(r->state), f[2], len[2], lineno);
		copy_field(r->check, sizeof(r->check), f[3], len[3], lineno);
		copy_field(r->needle, sizeof(r->needle), f[4], len[4], lineno);
	}
	free(text);
	ck_assert_uint_gt(nrows, 100);
}

static const struct row *
find_row(const char *scope, const char *key)
{
	size_t i;

	for (i = 0; i < nrows; i++) {
		if (strcmp(rows[i].scope, scope) == 0 &&
		    strcmp(rows[i].key, key) == 0)
			return &rows[i];
	}
	return NULL;
}

static void
setup(void)
{
	load_rows();
}

/* Every row is acted or refused, in a known scope, and a refused row
 * says how it is refused. */
START_TEST(test_rows_well_formed)
{
	size_t i, k;

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		bool refused = strcmp(r->state, "refused") == 0;

		ck_assert_msg(strcmp(r->scope, "job") == 0 ||
		              strcmp(r->scope, "config") == 0 ||
		              strcmp(r->scope, "vm") == 0 ||
		              strcmp(r->scope, "disk") == 0,
		              "%s: unknown scope '%s'", r->key, r->scope);
		ck_assert_msg(refused || strcmp(r->state, "acted") == 0,
		              "%s %s: state '%s' is neither acted nor refused",
		              r->scope, r->key, r->state);
		if (refused && strcmp(r->scope, "job") != 0)
			ck_assert_msg(strcmp(r->check, "-") != 0 &&
			              strcmp(r->needle, "-") != 0,
			              "%s %s: refused without a value and a "
			              "needle", r->scope, r->key);
		if (refused && strcmp(r->scope, "job") == 0)
			ck_assert_msg(strncmp(r->check, "config:", 7) == 0 ||
			              strncmp(r->check, "render:", 7) == 0,
			              "job %s: refused neither by config nor "
			              "render", r->key);
		if (strcmp(r->scope, "config") == 0)
			ck_assert_msg(strcmp(r->check, "-") != 0,
			              "config %s: no value", r->key);
		for (k = 0; k < i; k++)
			ck_assert_msg(strcmp(rows[k].scope, r->scope) != 0 ||
			              strcmp(rows[k].key, r->key) != 0,
			              "%s %s listed twice", r->scope, r->key);
	}
}
END_TEST

/* Every key of the Ruby CPI and of this release's job spec has a row. */
START_TEST(test_every_key_listed)
{
	char *spec = slurp(root_path("release/jobs/vsphere_cpi/spec"));
	char *line, *save = NULL;
	bool in_props = false;
	size_t i, n = 0;

	for (i = 0; i < sizeof(ruby_job) / sizeof(ruby_job[0]); i++)
		ck_assert_msg(find_row("job", ruby_job[i]) != NULL,
		              "job property %s has no row", ruby_job[i]);
	for (i = 0; i < sizeof(ruby_config) / sizeof(ruby_config[0]); i++)
		ck_assert_msg(find_row("config", ruby_config[i]) != NULL,
		              "config key %s has no row", ruby_config[i]);
	for (i = 0; i < sizeof(ruby_vm) / sizeof(ruby_vm[0]); i++)
		ck_assert_msg(find_row("vm", ruby_vm[i]) != NULL,
		              "VM cloud property %s has no row", ruby_vm[i]);
	for (i = 0; i < sizeof(ruby_disk) / sizeof(ruby_disk[0]); i++)
		ck_assert_msg(find_row("disk", ruby_disk[i]) != NULL,
		              "disk cloud property %s has no row",
		              ruby_disk[i]);
	for (line = strtok_r(spec, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[128];
		size_t len;

		if (strcmp(line, "properties:") == 0) {
			in_props = true;
			continue;
		}
		if (!in_props || strncmp(line, "  ", 2) != 0 || line[2] == ' ')
			continue;
		len = strcspn(line + 2, ":");
		if (len == 0 || len >= sizeof(key) || line[2 + len] != ':')
			continue;
		memcpy(key, line + 2, len);
		key[len] = '\0';
		ck_assert_msg(find_row("job", key) != NULL,
		              "this release's job property %s has no row", key);
		n++;
	}
	ck_assert_uint_gt(n, 40);
	free(spec);
}
END_TEST

/* Sets value (JSON text) at path ("a[0].b", "@" and after ignored) in
 * root. */
static void
set_path(json_t *root, const char *path, const char *value)
{
	char buf[256], *comp, *save = NULL, *at;
	json_t *cur = root, *v = json_loads(value, JSON_DECODE_ANY, NULL);
	char *last = NULL;

	ck_assert_msg(v != NULL, "%s: bad JSON %s", path, value);
	snprintf(buf, sizeof(buf), "%s", path);
	at = strchr(buf, '@');
	if (at != NULL)
		*at = '\0';
	for (comp = strtok_r(buf, ".", &save); comp != NULL;
	     comp = strtok_r(NULL, ".", &save)) {
		char *br;

		if (last != NULL) {
			cur = json_object_get(cur, last);
			ck_assert_msg(json_is_object(cur), "%s: no object at "
			              "%s", path, last);
		}
		br = strchr(comp, '[');
		if (br != NULL) {
			*br = '\0';
			cur = json_array_get(json_object_get(cur, comp), 0);
			ck_assert_msg(cur != NULL, "%s: no %s[0]", path, comp);
			last = NULL;
			continue;
		}
		last = comp;
	}
	ck_assert_ptr_nonnull(last);
	ck_assert_int_eq(json_object_set_new(cur, last, v), 0);
}

/* Config rows: a refused key set to its value is refused by the loader,
 * naming it; an acted one is accepted.  Job rows refused through the
 * config point at a refused config row; those refused at render time
 * are refused by cpi.json.erb. */
START_TEST(test_config_refusals)
{
	char *base = slurp(cpi_test_data("cpi/cpi.json"));
	char *erb = slurp(root_path("release/jobs/vsphere_cpi/templates/"
	                            "cpi.json.erb"));
	size_t i;

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		struct cpi_config *cfg = NULL;
		struct err e;
		json_t *root, *props;
		char *text, probe[256];
		int rc;

		if (strcmp(r->scope, "job") == 0 &&
		    strncmp(r->check, "config:", 7) == 0) {
			const struct row *c = find_row("config", r->check + 7);

			ck_assert_msg(c != NULL && strcmp(c->state, "refused") ==
			              0, "job %s: %s is no refused config row",
			              r->key, r->check);
			continue;
		}
		if (strcmp(r->scope, "job") == 0 &&
		    strncmp(r->check, "render:", 7) == 0) {
			snprintf(probe, sizeof(probe), "invalid.call('%s'",
			         r->check + 7);
			ck_assert_msg(strstr(erb, probe) != NULL, "job %s: "
			              "cpi.json.erb lacks %s", r->key, probe);
			continue;
		}
		if (strcmp(r->scope, "config") != 0)
			continue;
		root = json_loads(base, 0, NULL);
		ck_assert_ptr_nonnull(root);
		props = json_object_get(json_object_get(root, "cloud"),
		                        "properties");
		set_path(props, r->key, r->check);
		text = json_dumps(root, JSON_COMPACT);
		json_decref(root);
		memset(&e, 0, sizeof(e));
		rc = cpi_config_parse(&cfg, text, strlen(text), NULL, &e);
		free(text);
		cpi_config_free(cfg);
		if (strcmp(r->state, "acted") == 0) {
			ck_assert_msg(rc == 0, "config %s = %s refused: %s",
			              r->key, r->check, e.message);
			continue;
		}
		ck_assert_msg(rc < 0, "config %s = %s: accepted, but the "
		              "table says refused", r->key, r->check);
		ck_assert_msg(strstr(e.message, r->needle) != NULL,
		              "config %s: message '%s' lacks '%s'", r->key,
		              e.message, r->needle);
	}
	free(base);
	free(erb);
}
END_TEST

/* One call of the built binary with the sample config; the response. */
static json_t *
run(const char *method, json_t *args)
{
	char *argv[] = { (char *)cpi_test_binary(), NULL, NULL };
	struct cpi_test_run r;
	char config[4096];
	json_t *req, *resp;
	char *text;

	snprintf(config, sizeof(config), "%s", cpi_test_data("cpi/cpi.json"));
	argv[1] = config;
	req = json_pack("{s:s,s:o,s:i}", "method", method, "arguments", args,
	                "api_version", 2);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(cpi_test_run(&r, argv, text, strlen(text)), 0);
	free(text);
	ck_assert_int_eq(r.status, 0);
	resp = json_loads(r.out, 0, NULL);
	ck_assert_msg(resp != NULL, "no response: %s", r.err);
	/* refused before any vCenter call: nothing logged about one */
	ck_assert_msg(strstr(r.err, "round trip") == NULL, "%s", r.err);
	cpi_test_run_clear(&r);
	return resp;
}

static void
expect_refused(json_t *resp, const struct row *r)
{
	const json_t *e = json_object_get(resp, "error");
	const char *msg = json_string_value(json_object_get(e, "message"));

	ck_assert_msg(json_is_object(e), "%s %s: accepted, but the table "
	              "says refused", r->scope, r->key);
	ck_assert_str_eq(json_string_value(json_object_get(e, "type")),
	                 "Bosh::Clouds::CloudError");
	ck_assert_msg(msg != NULL && strstr(msg, r->needle) != NULL,
	              "%s %s: message '%s' lacks '%s'", r->scope, r->key,
	              msg != NULL ? msg : "(none)", r->needle);
	ck_assert(json_is_false(json_object_get(e, "ok_to_retry")));
}

/* VM and disk rows: refused keys are refused by create_vm / create_disk
 * before any vCenter call, naming the key. */
START_TEST(test_cloud_property_refusals)
{
	size_t i, n = 0;

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char top[128];
		json_t *cp, *args, *resp;

		if (strcmp(r->state, "refused") != 0 ||
		    (strcmp(r->scope, "vm") != 0 &&
		     strcmp(r->scope, "disk") != 0))
			continue;
		snprintf(top, sizeof(top), "%.*s",
		         (int)strcspn(r->key, "@"), r->key);
		cp = json_loads("{}", 0, NULL);
		set_path(cp, top, r->check);
		if (strcmp(r->scope, "vm") == 0) {
			json_object_set_new(cp, "cpu", json_integer(1));
			json_object_set_new(cp, "ram", json_integer(512));
			json_object_set_new(cp, "disk", json_integer(1024));
			args = json_pack("[s,s,o,{s:{s:s,s:s,s:s,s:s,s:{s:s}}},"
			                 "[],{}]", "agent-1",
			                 "sc-0e5a6b44-8d3c-4b6a-9a8e-2f1b3c4d5e6f",
			                 cp, "n", "type", "manual", "ip",
			                 "10.0.0.5", "netmask", "255.255.255.0",
			                 "gateway", "10.0.0.1", "cloud_properties",
			                 "name", "VM Network");
			resp = run("create_vm", args);
		} else {
			args = json_pack("[i,o,n]", 1024, cp);
			resp = run("create_disk", args);
		}
		expect_refused(resp, r);
		json_decref(resp);
		n++;
	}
	/* The loop ran over the table's refused rows (their number falls
	 * as keys become acted on; test_every_key_listed checks that the
	 * table is complete). */
	ck_assert_uint_gt(n, 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("parity");
	TCase *tc = tcase_create("keys");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_rows_well_formed);
	tcase_add_test(tc, test_every_key_listed);
	tcase_add_test(tc, test_config_refusals);
	tcase_add_test(tc, test_cloud_property_refusals);
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
