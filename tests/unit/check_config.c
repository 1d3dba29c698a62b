/*
 * tests/unit/check_config.c: cpi/config.c, the typed CPI config.
 */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpi/config.h"
#include "tests/support/cpi_run.h"

#define PW "VCENTER-PASSWORD"
#define VC "cloud.properties.vcenters[0]"
#define DC VC ".datacenters[0]"

static json_t *
base(void)
{
	json_error_t jerr;
	json_t *root = json_load_file(cpi_test_data("cpi/cpi.json"), 0,
	                              &jerr);

	ck_assert_msg(root != NULL, "sample config: %s", jerr.text);
	return root;
}

static json_t *
props(json_t *root)
{
	return json_object_get(json_object_get(root, "cloud"), "properties");
}

static json_t *
vc(json_t *root)
{
	return json_array_get(json_object_get(props(root), "vcenters"), 0);
}

static json_t *
dc(json_t *root)
{
	return json_array_get(json_object_get(vc(root), "datacenters"), 0);
}

static json_t *
agent(json_t *root)
{
	return json_object_get(props(root), "agent");
}

/* Parses root (consumed) with context; every message is checked for the
 * password. */
static int
parse(struct cpi_config **out, json_t *root, const json_t *ctx,
      struct err *e)
{
	char *text = json_dumps(root, JSON_COMPACT);
	int rc;

	ck_assert_ptr_nonnull(text);
	memset(e, 0, sizeof(*e));
	rc = cpi_config_parse(out, text, strlen(text), ctx, e);
	ck_assert_msg(strstr(e->message, PW) == NULL, "message leaks: %s",
	              e->message);
	if (rc == 0)
		ck_assert_ptr_nonnull(*out);
	else
		ck_assert_ptr_null(*out);
	free(text);
	json_decref(root);
	return rc;
}

static void
expect_fail(json_t *root, const char *needle)
{
	struct cpi_config *cfg;
	struct err e;

	ck_assert_int_lt(parse(&cfg, root, NULL, &e), 0);
	ck_assert_int_eq(e.type, CPI_ERROR_CPI);
	ck_assert_msg(strstr(e.message, needle) != NULL,
	              "message '%s' lacks '%s'", e.message, needle);
}

static struct cpi_config *
expect_ok(json_t *root, const json_t *ctx)
{
	struct cpi_config *cfg = NULL;
	struct err e;

	ck_assert_msg(parse(&cfg, root, ctx, &e) == 0, "%s", e.message);
	return cfg;
}

static bool
has_secret(const struct cpi_config *cfg, const char *s)
{
	size_t i;

	for (i = 0; i < cfg->nsecrets; i++)
		if (strcmp(cfg->secrets[i], s) == 0)
			return true;
	return false;
}

START_TEST(test_sample)
{
	struct cpi_config *cfg = expect_ok(base(), NULL);
	const struct cpi_vcenter *v = &cfg->vcenter;
	const struct cpi_datacenter *d = &v->datacenter;

	ck_assert_str_eq(v->host, "127.0.0.1");
	ck_assert_int_eq(v->port, 443);
	ck_assert_str_eq(v->scheme, "https");
	ck_assert_str_eq(v->url, "https://127.0.0.1:443/sdk");
	ck_assert(!v->host_is_ipv6);
	ck_assert_str_eq(v->user, "VCENTER-USER");
	ck_assert_str_eq(v->password, PW);
	ck_assert_ptr_null(v->ca_cert);
	ck_assert(!v->insecure);
	ck_assert_int_eq(v->default_disk_type, CPI_DISK_PREALLOCATED);
	ck_assert_int_eq(v->default_scsi_controller_type,
	                 CPI_SCSI_PARAVIRTUAL);
	ck_assert(v->ensure_no_ip_conflicts);
	ck_assert_uint_eq(v->nvmx_options, 0);
	ck_assert_str_eq(d->name, "DC0");
	ck_assert_str_eq(d->vm_folder, "BOSH_VMs");
	ck_assert_str_eq(d->datastore_pattern, "LocalDS_.*");
	ck_assert_str_eq(d->persistent_datastore_pattern, "LocalDS_.*");
	ck_assert_ptr_null(d->datastore_cluster_pattern);
	ck_assert_uint_eq(d->nclusters, 1);
	ck_assert_str_eq(d->clusters[0].name, "DC0_C0");
	ck_assert_ptr_null(d->clusters[0].resource_pool);
	ck_assert(!d->use_sub_folder);
	ck_assert(d->allow_mixed_datastores);
	ck_assert_uint_eq(cfg->agent.nntp, 2);
	ck_assert_str_eq(cfg->agent.ntp[1], "1.pool.ntp.org");
	ck_assert_str_eq(cfg->agent.mbus,
	                 "nats://NATS-USER:NATS-PASSWORD@10.0.0.6:4222");
	ck_assert_ptr_null(cfg->agent.blobstore_json);
	ck_assert_ptr_null(cfg->director_uuid);
	ck_assert(has_secret(cfg, PW));
	ck_assert(has_secret(cfg, "NATS-PASSWORD"));
	ck_assert(has_secret(cfg, cfg->agent.mbus));
	ck_assert(!has_secret(cfg, "VCENTER-USER"));
	cpi_config_free(cfg);
	cpi_config_free(NULL);
}
END_TEST

START_TEST(test_load_file)
{
	struct cpi_config *cfg = NULL;
	struct err e = { 0 };
	char dir[] = "/tmp/check_config.XXXXXX", path[128];
	FILE *f;
	size_t i;

	ck_assert_int_eq(cpi_config_load(&cfg, cpi_test_data("cpi/cpi.json"),
	                                 NULL, &e), 0);
	cpi_config_free(cfg);

	ck_assert_int_lt(cpi_config_load(&cfg, "/nonexistent/cpi.json", NULL,
	                                 &e), 0);
	ck_assert_ptr_null(cfg);
	ck_assert_ptr_nonnull(strstr(e.message, "cannot open CPI config "
	                                        "/nonexistent/cpi.json"));

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c.json", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"cloud\":{\"password\":\"" PW "\" oops}}", f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(cpi_config_load(&cfg, path, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "not valid JSON (line 1"));
	ck_assert_ptr_null(strstr(e.message, PW));

	f = fopen(path, "w");
	fputs("{\"cloud\":{},\"cloud\":{}}", f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(cpi_config_load(&cfg, path, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "duplicate object key"));

	f = fopen(path, "w");
	for (i = 0; i < CPI_CONFIG_MAX / 64 + 1; i++)
		fputs("                                                      "
		      "          ", f);
	fclose(f);
	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(cpi_config_load(&cfg, path, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "larger than 4 MiB"));
	unlink(path);
	rmdir(dir);

	memset(&e, 0, sizeof(e));
	ck_assert_int_lt(cpi_config_load(&cfg, NULL, NULL, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "no CPI config"));
}
END_TEST

/* --- required keys ------------------------------------------------- */

START_TEST(test_required_missing)
{
	json_t *r;

	r = base();
	json_object_del(r, "cloud");
	expect_fail(r, "config.cloud: required object");
	r = base();
	json_object_del(json_object_get(r, "cloud"), "properties");
	expect_fail(r, "cloud.properties: required object");
	r = base();
	json_object_del(props(r), "vcenters");
	expect_fail(r, "cloud.properties.vcenters: required array");
	r = base();
	json_object_del(vc(r), "host");
	expect_fail(r, VC ".host: required string");
	r = base();
	json_object_set_new(vc(r), "host", json_null());
	expect_fail(r, VC ".host: required string");
	r = base();
	json_object_del(vc(r), "user");
	expect_fail(r, VC ".user: required string");
	r = base();
	json_object_del(vc(r), "password");
	expect_fail(r, VC ".password: required string");
	r = base();
	json_object_del(vc(r), "datacenters");
	expect_fail(r, VC ".datacenters: required array");
	r = base();
	json_object_del(dc(r), "name");
	expect_fail(r, DC ".name: required string");
	r = base();
	json_object_set_new(dc(r), "name", json_string(""));
	expect_fail(r, DC ".name: must not be empty");
	r = base();
	json_object_del(dc(r), "datastore_pattern");
	expect_fail(r, DC ".datastore_pattern: required string");
	r = base();
	json_object_del(dc(r), "persistent_datastore_pattern");
	expect_fail(r, DC ".persistent_datastore_pattern: required string");
	r = base();
	json_object_del(dc(r), "clusters");
	expect_fail(r, DC ".clusters: required array");
	r = base();
	json_object_set_new(dc(r), "clusters", json_array());
	expect_fail(r, DC ".clusters: must not be empty");
	r = base();
	json_object_del(props(r), "agent");
	expect_fail(r, "cloud.properties.agent: required object");
}
END_TEST

/* agent: any hash, as in the Ruby CPI's schema: mbus may be absent, and
 * every key is kept (merged into the VMs' settings), credentials under
 * any of them counted as secrets. */
START_TEST(test_agent_section)
{
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_del(agent(r), "mbus");
	json_object_set_new(agent(r), "extra", json_pack("{s:{s:s}}", "nats",
	                    "password", "extra-Secret-5"));
	cfg = expect_ok(r, NULL);
	ck_assert_ptr_null(cfg->agent.mbus);
	ck_assert_ptr_nonnull(strstr(cfg->agent.json, "\"extra\":"));
	ck_assert(has_secret(cfg, "extra-Secret-5"));
	cpi_config_free(cfg);
}
END_TEST

/* Datastore clusters: a cluster pattern stands in for the plain one
 * (alone or beside it), as in the Ruby CPI; one that does not compile
 * is refused naming the key; empty or null counts as absent. */
START_TEST(test_pattern_alternatives)
{
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_del(dc(r), "datastore_pattern");
	json_object_del(dc(r), "persistent_datastore_pattern");
	json_object_set_new(dc(r), "datastore_cluster_pattern",
	                    json_string("SP_.*"));
	json_object_set_new(dc(r), "persistent_datastore_cluster_pattern",
	                    json_string("PSP_.*"));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->vcenter.datacenter.datastore_cluster_pattern,
	                 "SP_.*");
	ck_assert_str_eq(cfg->vcenter.datacenter.
	                 persistent_datastore_cluster_pattern, "PSP_.*");
	ck_assert_ptr_null(cfg->vcenter.datacenter.datastore_pattern);
	cpi_config_free(cfg);
	r = base();
	json_object_set_new(dc(r), "persistent_datastore_cluster_pattern",
	                    json_string("PSP_.*"));
	cfg = expect_ok(r, NULL);
	ck_assert_ptr_nonnull(cfg->vcenter.datacenter.
	                      persistent_datastore_pattern);
	cpi_config_free(cfg);
	r = base();
	json_object_set_new(dc(r), "datastore_cluster_pattern",
	                    json_string("(SP"));
	expect_fail(r, DC ".datastore_cluster_pattern: not a valid regular "
	            "expression");
	r = base();
	json_object_set_new(dc(r), "datastore_cluster_pattern",
	                    json_string(""));
	json_object_set_new(dc(r), "persistent_datastore_cluster_pattern",
	                    json_null());
	cfg = expect_ok(r, NULL);
	cpi_config_free(cfg);
}
END_TEST

/* Datastore patterns are Ruby regular expressions: the forms real
 * manifests hold load, one that does not compile is refused at load
 * naming its key (before, "^ds\\d+$" loaded and matched nothing). */
START_TEST(test_pattern_ruby_regex)
{
	/* (the cluster patterns are refused whatever they hold: datastore
	 * clusters are not supported yet) */
	static const char *const keys[] = {
		"datastore_pattern", "persistent_datastore_pattern",
	};
	struct cpi_config *cfg;
	json_t *r;
	char needle[160];
	size_t i;

	r = base();
	json_object_set_new(dc(r), "datastore_pattern",
	                    json_string("^ds\\d+$"));
	json_object_set_new(dc(r), "persistent_datastore_pattern",
	                    json_string("(?i)\\Apersistent-[a-z]\\w*\\z"));
	cfg = expect_ok(r, NULL);
	cpi_config_free(cfg);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		r = base();
		json_object_set_new(dc(r), keys[i], json_string("ds(1"));
		snprintf(needle, sizeof(needle), DC ".%s: not a valid "
		         "regular expression", keys[i]);
		expect_fail(r, needle);
		r = base();
		json_object_set_new(dc(r), keys[i], json_string("[a-"));
		expect_fail(r, needle);
	}
}
END_TEST

/* --- wrong types --------------------------------------------------- */

enum where { ROOT, CLOUD, PROPS, VCENTER, DCENTER, AGENT };

static const struct {
	enum where where;
	const char *key;
	const char *value;      /* JSON */
	const char *needle;
} wrong[] = {
	{ ROOT, "cloud", "[]", "config.cloud: must be an object, got array" },
	{ CLOUD, "properties", "\"x\"",
	  "cloud.properties: must be an object, got string" },
	{ CLOUD, "plugin", "\"aws\"", "cloud.plugin: must be \"vsphere\"" },
	{ PROPS, "vcenters", "{}",
	  "cloud.properties.vcenters: must be an array, got object" },
	{ PROPS, "vcenters", "[]", "exactly one vCenter is supported, got 0" },
	{ PROPS, "vcenters", "[\"x\"]", VC ": must be an object, got string" },
	{ PROPS, "agent", "\"x\"",
	  "cloud.properties.agent: must be an object, got string" },
	{ VCENTER, "host", "5", VC ".host: must be a string, got integer" },
	{ VCENTER, "user", "true", VC ".user: must be a string, got boolean" },
	{ VCENTER, "password", "1", VC ".password: must be a string, got "
	  "integer" },
	{ VCENTER, "datacenters", "\"DC0\"",
	  VC ".datacenters: must be an array, got string" },
	{ VCENTER, "datacenters", "[]",
	  "exactly one datacenter is supported, got 0" },
	{ VCENTER, "default_disk_type", "\"thick\"",
	  VC ".default_disk_type: must be thin, preallocated or "
	  "eagerZeroedThick" },
	{ VCENTER, "default_disk_type", "1",
	  VC ".default_disk_type: must be a string" },
	{ VCENTER, "default_scsi_controller_type", "\"ide\"",
	  VC ".default_scsi_controller_type: must be paravirtual" },
	{ VCENTER, "connection_options", "\"x\"",
	  VC ".connection_options: must be an object, got string" },
	{ VCENTER, "connection_options", "{\"ca_cert\":1}",
	  VC ".connection_options.ca_cert: must be a string" },
	{ VCENTER, "connection_options", "{\"ca_cert\":\"not a cert\"}",
	  VC ".connection_options.ca_cert: must be PEM text" },
	{ VCENTER, "connection_options", "{\"insecure\":\"true\"}",
	  VC ".connection_options.insecure: must be a boolean, got string" },
	{ VCENTER, "connection_options", "{\"deadline_seconds\":0}",
	  VC ".connection_options.deadline_seconds: must be a whole number "
	  "of seconds from 1 to 86400" },
	{ VCENTER, "connection_options", "{\"deadline_seconds\":86401}",
	  VC ".connection_options.deadline_seconds: must be a whole number" },
	{ VCENTER, "connection_options", "{\"deadline_seconds\":\"900\"}",
	  VC ".connection_options.deadline_seconds: must be a whole number" },
	{ VCENTER, "connection_options", "{\"deadline_seconds\":1.5}",
	  VC ".connection_options.deadline_seconds: must be a whole number" },
	{ VCENTER, "enable_human_readable_name", "\"yes\"",
	  VC ".enable_human_readable_name: must be a boolean" },
	{ VCENTER, "enable_auto_anti_affinity_drs_rules", "1",
	  VC ".enable_auto_anti_affinity_drs_rules: must be a boolean" },
	{ VCENTER, "cpu_reserve_full_mhz", "[]",
	  VC ".cpu_reserve_full_mhz: must be a boolean" },
	{ VCENTER, "memory_reservation_locked_to_max", "{}",
	  VC ".memory_reservation_locked_to_max: must be a boolean" },
	{ VCENTER, "upgrade_hw_version", "\"no\"",
	  VC ".upgrade_hw_version: must be a boolean" },
	{ VCENTER, "http_logging", "0", VC ".http_logging: must be a boolean" },
	{ VCENTER, "session_dir", "1",
	  VC ".session_dir: must be a string, got integer" },
	{ VCENTER, "session_dir", "[\"/var/vcap/data\"]",
	  VC ".session_dir: must be a string, got array" },
	{ VCENTER, "session_dir", "true",
	  VC ".session_dir: must be a string" },
	{ VCENTER, "session_dir", "\"sessions\"",
	  VC ".session_dir: must be an absolute path" },
	{ VCENTER, "session_dir", "\"./sessions\"",
	  VC ".session_dir: must be an absolute path" },
	{ VCENTER, "session_dir", "\"~/sessions\"",
	  VC ".session_dir: must be an absolute path" },
	{ VCENTER, "session_dir", "\" /tmp\"",
	  VC ".session_dir: must be an absolute path" },
	{ VCENTER, "ensure_no_ip_conflicts", "\"false\"",
	  VC ".ensure_no_ip_conflicts: must be a boolean" },
	{ VCENTER, "vm_storage_policy_name", "7",
	  VC ".vm_storage_policy_name: must be a string" },
	{ VCENTER, "default_hw_version", "\"17\"",
	  VC ".default_hw_version: must be a positive integer" },
	{ VCENTER, "default_hw_version", "0",
	  VC ".default_hw_version: must be a positive integer" },
	{ VCENTER, "leftover_vm_grace_seconds", "59",
	  VC ".leftover_vm_grace_seconds: must be an integer from 60 to "
	  "2592000" },
	{ VCENTER, "leftover_vm_grace_seconds", "\"3600\"",
	  VC ".leftover_vm_grace_seconds: must be an integer from 60 to "
	  "2592000" },
	{ VCENTER, "leftover_vm_grace_seconds", "2592001",
	  VC ".leftover_vm_grace_seconds: must be an integer from 60 to "
	  "2592000" },
	{ VCENTER, "vmx_options", "[]",
	  VC ".vmx_options: must be an object, got array" },
	{ VCENTER, "vmx_options", "{\"a\":{}}",
	  VC ".vmx_options.a: must be a string, number or boolean" },
	{ VCENTER, "vmx_options", "{\"guestinfo.userdata\":\"x\"}",
	  VC ".vmx_options: key 'guestinfo.userdata' is set by the CPI" },
	{ VCENTER, "vmx_options", "{\"GuestInfo.UserData.encoding\":\"x\"}",
	  VC ".vmx_options: key 'GuestInfo.UserData.encoding' is set by" },
	{ VCENTER, "vmx_options", "{\"a b\":\"x\"}",
	  VC ".vmx_options: key 'a b' may hold only letters" },
	{ VCENTER, "vmx_options", "{\"a\\nb\":\"x\"}",
	  VC ".vmx_options: key 'a?b' may hold only letters" },
	{ VCENTER, "vmx_options", "{\"\":\"x\"}",
	  VC ".vmx_options: key '' must be 1 to 128 characters" },
	{ DCENTER, "name", "1", DC ".name: must be a string, got integer" },
	{ DCENTER, "vm_folder", "[]", DC ".vm_folder: must be a string" },
	{ DCENTER, "template_folder", "{}",
	  DC ".template_folder: must be a string" },
	{ DCENTER, "disk_path", "1", DC ".disk_path: must be a string" },
	{ DCENTER, "datastore_pattern", "1",
	  DC ".datastore_pattern: must be a string" },
	{ DCENTER, "persistent_datastore_pattern", "true",
	  DC ".persistent_datastore_pattern: must be a string" },
	{ DCENTER, "datastore_cluster_pattern", "1",
	  DC ".datastore_cluster_pattern: must be a string" },
	{ DCENTER, "persistent_datastore_cluster_pattern", "[]",
	  DC ".persistent_datastore_cluster_pattern: must be a string" },
	{ DCENTER, "allow_mixed_datastores", "\"yes\"",
	  DC ".allow_mixed_datastores: must be a boolean" },
	{ DCENTER, "use_sub_folder", "1", DC ".use_sub_folder: must be a "
	  "boolean" },
	{ DCENTER, "clusters", "{}", DC ".clusters: must be an array, got "
	  "object" },
	{ DCENTER, "clusters", "[1]", DC ".clusters[0]: must be a cluster "
	  "name or an object with exactly one key" },
	{ DCENTER, "clusters", "[\"A\",{\"B\":{},\"C\":{}}]",
	  DC ".clusters[1]: must be a cluster name or an object" },
	{ DCENTER, "clusters", "[\"\"]",
	  DC ".clusters[0]: cluster name must not be empty" },
	{ DCENTER, "clusters", "[{\"A\":\"rp\"}]",
	  DC ".clusters[0].A: must be an object, got string" },
	{ DCENTER, "clusters", "[{\"A\":{\"resource_pool\":1}}]",
	  DC ".clusters[0].A.resource_pool: must be a string" },
	{ DCENTER, "clusters", "[{\"A\":{\"host_group\":1}}]",
	  DC ".clusters[0].A.host_group: must be a string or an object" },
	{ DCENTER, "clusters", "[{\"A\":{\"host_group\":{\"drs_rule\":"
	  "\"MUST\"}}}]", DC ".clusters[0].A.host_group.name: required "
	  "string" },
	{ DCENTER, "clusters", "[{\"A\":{\"host_group\":{\"name\":\"H\","
	  "\"drs_rule\":\"MAYBE\"}}}]",
	  DC ".clusters[0].A.host_group.drs_rule: must be MUST or SHOULD" },
	{ AGENT, "mbus", "1", "cloud.properties.agent.mbus: must be a "
	  "string" },
	{ AGENT, "ntp", "\"pool\"", "cloud.properties.agent.ntp: must be an "
	  "array" },
	{ AGENT, "ntp", "[\"a\",1]", "cloud.properties.agent.ntp[1]: must "
	  "be a string, got integer" },
	{ AGENT, "blobstore", "\"x\"", "cloud.properties.agent.blobstore: "
	  "must be an object" },
};

START_TEST(test_wrong_types)
{
	json_t *r = base(), *target = NULL, *v;

	switch (wrong[_i].where) {
	case ROOT:
		target = r;
		break;
	case CLOUD:
		target = json_object_get(r, "cloud");
		break;
	case PROPS:
		target = props(r);
		break;
	case VCENTER:
		target = vc(r);
		break;
	case DCENTER:
		target = dc(r);
		break;
	case AGENT:
		target = agent(r);
		break;
	}
	v = json_loads(wrong[_i].value, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(json_object_set_new(target, wrong[_i].key, v), 0);
	expect_fail(r, wrong[_i].needle);
}
END_TEST

START_TEST(test_multiple)
{
	json_t *r = base();

	json_array_append(json_object_get(props(r), "vcenters"), vc(r));
	expect_fail(r, "cloud.properties.vcenters: exactly one vCenter is "
	               "supported, got 2");
	r = base();
	json_array_append(json_object_get(vc(r), "datacenters"), dc(r));
	expect_fail(r, VC ".datacenters: exactly one datacenter is "
	               "supported, got 2");
}
END_TEST

START_TEST(test_unknown_keys_ignored)
{
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_set_new(r, "extra", json_true());
	json_object_set_new(props(r), "nsxt", json_pack("{s:s}", "host", "n"));
	json_object_set_new(vc(r), "whatever", json_array());
	json_object_set_new(dc(r), "other", json_null());
	cfg = expect_ok(r, NULL);
	cpi_config_free(cfg);
}
END_TEST

/* --- host forms ---------------------------------------------------- */

static const struct {
	const char *in;
	const char *host;       /* NULL: must fail */
	int port;
	const char *url;        /* or the error needle */
	bool v6;
} hosts[] = {
	{ "vc.example.com", "vc.example.com", 443,
	  "https://vc.example.com:443/sdk", false },
	{ "vc.example.com:8443", "vc.example.com", 8443,
	  "https://vc.example.com:8443/sdk", false },
	{ "vcenter", "vcenter", 443, "https://vcenter:443/sdk", false },
	{ "10.0.0.5", "10.0.0.5", 443, "https://10.0.0.5:443/sdk", false },
	{ "10.0.0.5:8443", "10.0.0.5", 8443, "https://10.0.0.5:8443/sdk",
	  false },
	{ "[2001:db8::5]", "2001:db8::5", 443, "https://[2001:db8::5]:443/sdk",
	  true },
	{ "[2001:db8::5]:443", "2001:db8::5", 443,
	  "https://[2001:db8::5]:443/sdk", true },
	{ "[::1]:8989", "::1", 8989, "https://[::1]:8989/sdk", true },
	{ "https://vc.example.com", "vc.example.com", 443,
	  "https://vc.example.com:443/sdk", false },
	{ "https://vc.example.com:9443/sdk", "vc.example.com", 9443,
	  "https://vc.example.com:9443/sdk", false },
	{ "HTTPS://[2001:db8::5]/", "2001:db8::5", 443,
	  "https://[2001:db8::5]:443/sdk", true },
	{ "http://127.0.0.1:8989/sdk", "127.0.0.1", 8989,
	  "http://127.0.0.1:8989/sdk", false },
	{ "http://127.0.0.1", "127.0.0.1", 80, "http://127.0.0.1:80/sdk",
	  false },
	{ "10.0.0.5:65535", "10.0.0.5", 65535, "https://10.0.0.5:65535/sdk",
	  false },
	{ "10.0.0.5:1", "10.0.0.5", 1, "https://10.0.0.5:1/sdk", false },
	/* errors */
	{ "2001:db8::5", NULL, 0, "enclosed in brackets", false },
	{ "::1", NULL, 0, "enclosed in brackets", false },
	{ "2001:db8::5:443", NULL, 0, "enclosed in brackets", false },
	{ "", NULL, 0, "must not be empty", false },
	{ "10.0.0.5:0", NULL, 0, "port must be a number from 1 to 65535",
	  false },
	{ "10.0.0.5:65536", NULL, 0, "port must be", false },
	{ "vc:", NULL, 0, "port must be", false },
	{ "vc:https", NULL, 0, "port must be", false },
	{ "vc:-1", NULL, 0, "port must be", false },
	{ "vc:123456", NULL, 0, "port must be", false },
	{ "[2001:db8::5]:0", NULL, 0, "port must be", false },
	{ "[2001:db8::5", NULL, 0, "missing ']'", false },
	{ "[2001:db8::5]x", NULL, 0, "unexpected text after ']'", false },
	{ "[fe80::1%eth0]", NULL, 0, "invalid IPv6 address", false },
	{ "[10.0.0.5]", NULL, 0, "invalid IPv6 address", false },
	{ "[]", NULL, 0, "invalid IPv6 address", false },
	{ "[2001:db8::g]", NULL, 0, "invalid IPv6 address", false },
	{ "256.1.1.1", NULL, 0, "invalid host name or IPv4", false },
	{ "1.2.3", NULL, 0, "invalid host name or IPv4", false },
	{ "vc example", NULL, 0, "invalid host name", false },
	{ "-vc", NULL, 0, "invalid host name", false },
	{ "vc..example", NULL, 0, "invalid host name", false },
	{ "vc/sdk", NULL, 0, "invalid host name", false },
	{ "ftp://vc", NULL, 0, "only https:// and http://", false },
	{ "https://", NULL, 0, "no host name", false },
	{ "https://vc/other", NULL, 0, "URL path must be empty or /sdk",
	  false },
	{ "https://vc/sdk?x=1", NULL, 0, "URL path", false },
	{ "https://root:" PW "@vc", NULL, 0, "must not contain credentials",
	  false },
	{ "root@vc", NULL, 0, "must not contain credentials", false },
};

START_TEST(test_host_forms)
{
	struct cpi_vcenter v;
	struct err e = { 0 };
	int rc;

	memset(&v, 0, sizeof(v));
	rc = cpi_config_parse_host(&v, hosts[_i].in, "h", &e);
	if (hosts[_i].host == NULL) {
		ck_assert_msg(rc < 0, "'%s' accepted", hosts[_i].in);
		ck_assert_msg(strstr(e.message, hosts[_i].url) != NULL,
		              "'%s': '%s' lacks '%s'", hosts[_i].in, e.message,
		              hosts[_i].url);
		ck_assert_ptr_null(strstr(e.message, PW));
		ck_assert_ptr_null(v.host);
	} else {
		ck_assert_msg(rc == 0, "'%s': %s", hosts[_i].in, e.message);
		ck_assert_str_eq(v.host, hosts[_i].host);
		ck_assert_int_eq(v.port, hosts[_i].port);
		ck_assert_str_eq(v.url, hosts[_i].url);
		ck_assert_int_eq(v.host_is_ipv6, hosts[_i].v6);
		ck_assert_str_eq(v.scheme,
		                 strncmp(hosts[_i].url, "http:", 5) == 0 ?
		                 "http" : "https");
	}
	free(v.host);
	free(v.scheme);
	free(v.url);
}
END_TEST

START_TEST(test_host_in_config)
{
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_set_new(vc(r), "host", json_string("[2001:db8::5]:8443"));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->vcenter.url, "https://[2001:db8::5]:8443/sdk");
	cpi_config_free(cfg);
	r = base();
	json_object_set_new(vc(r), "host", json_string("2001:db8::5"));
	expect_fail(r, VC ".host: an IPv6 address must be enclosed in "
	               "brackets");
	r = base();
	json_object_set_new(vc(r), "host", json_string(""));
	expect_fail(r, VC ".host: must not be empty");
}
END_TEST

/* --- defaults and options ------------------------------------------ */

START_TEST(test_defaults)
{
	struct cpi_config *cfg;
	const struct cpi_vcenter *v;
	const struct cpi_datacenter *d;
	json_t *r = base();
	static const char *const drop_vc[] = {
		"default_disk_type", "default_scsi_controller_type",
		"connection_options", "vmx_options", "ensure_no_ip_conflicts",
		"http_logging", "upgrade_hw_version",
		"enable_human_readable_name",
		"enable_auto_anti_affinity_drs_rules",
	};
	static const char *const drop_dc[] = {
		"vm_folder", "template_folder", "disk_path",
		"allow_mixed_datastores",
	};
	size_t i;

	for (i = 0; i < sizeof(drop_vc) / sizeof(drop_vc[0]); i++)
		json_object_del(vc(r), drop_vc[i]);
	for (i = 0; i < sizeof(drop_dc) / sizeof(drop_dc[0]); i++)
		json_object_del(dc(r), drop_dc[i]);
	json_object_set_new(dc(r), "template_folder", json_null());
	json_object_del(agent(r), "ntp");
	cfg = expect_ok(r, NULL);
	v = &cfg->vcenter;
	d = &v->datacenter;
	ck_assert_str_eq(d->vm_folder, "BOSH_VMs");
	ck_assert_str_eq(d->template_folder, "BOSH_Templates");
	ck_assert_str_eq(d->disk_path, "BOSH_Disks");
	ck_assert(d->allow_mixed_datastores);
	ck_assert(!d->use_sub_folder);
	ck_assert_int_eq(v->default_disk_type, CPI_DISK_PREALLOCATED);
	ck_assert_str_eq(cpi_disk_type_name(v->default_disk_type),
	                 "preallocated");
	ck_assert_int_eq(v->default_scsi_controller_type,
	                 CPI_SCSI_PARAVIRTUAL);
	ck_assert_str_eq(cpi_scsi_type_name(v->default_scsi_controller_type),
	                 "paravirtual");
	ck_assert_ptr_null(v->ca_cert);
	ck_assert(!v->insecure);
	ck_assert_int_eq(v->deadline_seconds, 900);
	ck_assert(v->ensure_no_ip_conflicts);
	ck_assert(!v->http_logging);
	ck_assert(!v->enable_auto_anti_affinity_drs_rules);
	ck_assert(!v->enable_human_readable_name);
	ck_assert_int_eq(v->default_hw_version, 0);
	ck_assert_int_eq(v->leftover_vm_grace_s, 3600);
	ck_assert_ptr_null(v->vm_storage_policy_name);
	ck_assert_uint_eq(cfg->agent.nntp, 0);
	cpi_config_free(cfg);
}
END_TEST

START_TEST(test_disk_and_scsi_types)
{
	static const char *const disks[] = {
		"thin", "preallocated", "eagerZeroedThick",
	};
	static const char *const scsi[] = {
		"paravirtual", "lsi_logic", "lsi_logic_sas",
	};
	struct cpi_config *cfg;
	json_t *r;
	int i;

	for (i = 0; i < 3; i++) {
		r = base();
		json_object_set_new(vc(r), "default_disk_type",
		                    json_string(disks[i]));
		json_object_set_new(vc(r), "default_scsi_controller_type",
		                    json_string(scsi[i]));
		cfg = expect_ok(r, NULL);
		ck_assert_str_eq(cpi_disk_type_name(cfg->vcenter
		                                    .default_disk_type),
		                 disks[i]);
		ck_assert_str_eq(cpi_scsi_type_name(cfg->vcenter
		                     .default_scsi_controller_type), scsi[i]);
		cpi_config_free(cfg);
	}
}
END_TEST

START_TEST(test_tls_options)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n"
	                          "-----END CERTIFICATE-----\n";
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_set_new(vc(r), "connection_options",
	                    json_pack("{s:s}", "ca_cert", pem));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->vcenter.ca_cert, pem);
	ck_assert(!cfg->vcenter.insecure);
	cpi_config_free(cfg);

	r = base();
	json_object_set_new(vc(r), "connection_options",
	                    json_pack("{s:b}", "insecure", 1));
	cfg = expect_ok(r, NULL);
	ck_assert_ptr_null(cfg->vcenter.ca_cert);
	ck_assert(cfg->vcenter.insecure);
	ck_assert_int_eq(cfg->vcenter.deadline_seconds, 900);
	cpi_config_free(cfg);

	r = base();
	json_object_set_new(vc(r), "connection_options",
	                    json_pack("{s:i}", "deadline_seconds", 1));
	cfg = expect_ok(r, NULL);
	ck_assert_int_eq(cfg->vcenter.deadline_seconds, 1);
	cpi_config_free(cfg);

	r = base();
	json_object_set_new(vc(r), "connection_options",
	                    json_pack("{s:s,s:b}", "ca_cert", "",
	                              "insecure", 0));
	cfg = expect_ok(r, NULL);
	ck_assert_ptr_null(cfg->vcenter.ca_cert);
	ck_assert(!cfg->vcenter.insecure);
	cpi_config_free(cfg);
}
END_TEST

START_TEST(test_clusters)
{
	struct cpi_config *cfg;
	const struct cpi_datacenter *d;
	json_t *r = base();

	json_object_set_new(dc(r), "clusters", json_loads(
		"[\"A\",{\"B\":{\"resource_pool\":\"RP\"}},"
		"{\"C\":{\"host_group\":\"\"}},"
		"{\"D\":{\"drs_rules\":[]}},{\"E\":null},{\"F\":{}}]", 0,
		NULL));
	cfg = expect_ok(r, NULL);
	d = &cfg->vcenter.datacenter;
	ck_assert_uint_eq(d->nclusters, 6);
	ck_assert_str_eq(d->clusters[0].name, "A");
	ck_assert_str_eq(d->clusters[1].name, "B");
	ck_assert_str_eq(d->clusters[1].resource_pool, "RP");
	ck_assert_ptr_null(d->clusters[1].host_group);
	ck_assert_ptr_null(d->clusters[2].host_group);
	ck_assert_str_eq(d->clusters[4].name, "E");
	ck_assert_str_eq(d->clusters[5].name, "F");
	ck_assert_ptr_null(d->clusters[5].resource_pool);
	/* A resource pool implies sub folders. */
	ck_assert(d->use_sub_folder);
	cpi_config_free(cfg);
}
END_TEST

/* A host group as the Ruby CPI reads it (cluster_config.rb): a plain
 * name means MUST, an object without drs_rule SHOULD. */
START_TEST(test_clusters_host_group)
{
	struct cpi_config *cfg;
	const struct cpi_datacenter *d;
	json_t *r = base();

	json_object_set_new(dc(r), "clusters", json_loads(
		"[{\"A\":{\"host_group\":\"HG\"}},"
		"{\"B\":{\"host_group\":{\"name\":\"HG2\"}}},"
		"{\"C\":{\"host_group\":{\"name\":\"HG3\","
		"\"drs_rule\":\"MUST\"}}},"
		"{\"D\":{\"host_group\":{\"name\":\"HG4\","
		"\"drs_rule\":\"SHOULD\"}}}]", 0, NULL));
	cfg = expect_ok(r, NULL);
	d = &cfg->vcenter.datacenter;
	ck_assert_uint_eq(d->nclusters, 4);
	ck_assert_str_eq(d->clusters[0].host_group, "HG");
	ck_assert_str_eq(d->clusters[0].host_group_drs_rule, "MUST");
	ck_assert_str_eq(d->clusters[1].host_group, "HG2");
	ck_assert_str_eq(d->clusters[1].host_group_drs_rule, "SHOULD");
	ck_assert_str_eq(d->clusters[2].host_group, "HG3");
	ck_assert_str_eq(d->clusters[2].host_group_drs_rule, "MUST");
	ck_assert_str_eq(d->clusters[3].host_group, "HG4");
	ck_assert_str_eq(d->clusters[3].host_group_drs_rule, "SHOULD");
	cpi_config_free(cfg);
}
END_TEST

/* DRS rules are checked, then refused naming the key: they are not
 * acted on yet. */
START_TEST(test_clusters_refused)
{
	static const char *const entries[][2] = {
		{ "[{\"E\":{\"drs_rules\":[{\"name\":\"r\",\"type\":"
		  "\"separate_vms\"}]}}]", ".clusters[0].E.drs_rules" },
	};
	char needle[256];
	size_t i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		json_t *r = base();

		json_object_set_new(dc(r), "clusters",
		                    json_loads(entries[i][0], 0, NULL));
		snprintf(needle, sizeof(needle), "%s%s: not supported by this "
		         "CPI", DC, entries[i][1]);
		expect_fail(r, needle);
	}
}
END_TEST

START_TEST(test_vmx_and_misc)
{
	struct cpi_config *cfg;
	const struct cpi_vcenter *v;
	json_t *r = base();

	json_object_set_new(vc(r), "vmx_options", json_loads(
		"{\"a.b\":\"x\",\"n\":1,\"t\":true,\"r\":1.5}", 0, NULL));
	json_object_set_new(vc(r), "default_hw_version", json_integer(19));
	json_object_set_new(vc(r), "leftover_vm_grace_seconds",
	                    json_integer(600));
	json_object_set_new(vc(r), "vm_storage_policy_name", json_string(""));
	json_object_set_new(vc(r), "enable_human_readable_name",
	                    json_false());
	json_object_set_new(vc(r), "ensure_no_ip_conflicts", json_false());
	json_object_set_new(vc(r), "enable_auto_anti_affinity_drs_rules",
	                    json_true());
	cfg = expect_ok(r, NULL);
	v = &cfg->vcenter;
	ck_assert(v->enable_auto_anti_affinity_drs_rules);
	ck_assert_uint_eq(v->nvmx_options, 4);
	ck_assert_str_eq(v->vmx_options[0].key, "a.b");
	ck_assert_str_eq(v->vmx_options[0].value, "x");
	ck_assert(v->vmx_options[0].is_string);
	ck_assert_str_eq(v->vmx_options[1].value, "1");
	ck_assert(!v->vmx_options[1].is_string);
	ck_assert_str_eq(v->vmx_options[2].value, "true");
	ck_assert_str_eq(v->vmx_options[3].value, "1.5");
	ck_assert_int_eq(v->default_hw_version, 19);
	ck_assert_int_eq(v->leftover_vm_grace_s, 600);
	ck_assert_ptr_null(v->vm_storage_policy_name);
	ck_assert(!v->enable_human_readable_name);
	ck_assert(!v->ensure_no_ip_conflicts);
	cpi_config_free(cfg);
}
END_TEST

/* vcenters[0].session_dir (cpi/session_keep.h): off when unset, kept as
 * given when absolute (a relative one or another type: test_wrong_types). */
START_TEST(test_session_dir)
{
	struct cpi_config *cfg;
	json_t *r;

	cfg = expect_ok(base(), NULL);
	ck_assert_ptr_null(cfg->vcenter.session_dir);
	cpi_config_free(cfg);

	r = base();
	json_object_set_new(vc(r), "session_dir",
	                    json_string("/var/vcap/data/vsphere_cpi/sessions"));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->vcenter.session_dir,
	                 "/var/vcap/data/vsphere_cpi/sessions");
	cpi_config_free(cfg);

	r = base();
	json_object_set_new(vc(r), "session_dir", json_string("/"));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->vcenter.session_dir, "/");
	cpi_config_free(cfg);

	/* null: unset */
	r = base();
	json_object_set_new(vc(r), "session_dir", json_null());
	cfg = expect_ok(r, NULL);
	ck_assert_ptr_null(cfg->vcenter.session_dir);
	cpi_config_free(cfg);
}
END_TEST

START_TEST(test_agent_blobstore)
{
	struct cpi_config *cfg;
	json_t *r = base();

	json_object_set_new(agent(r), "blobstore", json_loads(
		"{\"provider\":\"dav\",\"options\":{\"user\":\"agent\","
		"\"password\":\"blob-pw-1\",\"endpoint\":\"http://b:25250\","
		"\"tls\":{\"cert\":{\"ca\":\"CA-TEXT-1\"}}}}", 0, NULL));
	cfg = expect_ok(r, NULL);
	ck_assert_str_eq(cfg->agent.blobstore_json,
	                 "{\"options\":{\"endpoint\":\"http://b:25250\","
	                 "\"password\":\"blob-pw-1\",\"tls\":{\"cert\":"
	                 "{\"ca\":\"CA-TEXT-1\"}},\"user\":\"agent\"},"
	                 "\"provider\":\"dav\"}");
	ck_assert(has_secret(cfg, "blob-pw-1"));
	ck_assert(has_secret(cfg, "CA-TEXT-1"));
	ck_assert(!has_secret(cfg, "agent"));
	ck_assert(!has_secret(cfg, "dav"));
	ck_assert_ptr_nonnull(strstr(cfg->agent.json, "\"mbus\":"));
	cpi_config_free(cfg);
}
END_TEST

/* --- context merge ------------------------------------------------- */

START_TEST(test_context_merge)
{
	struct cpi_config *cfg;
	json_t *ctx = json_loads(
		"{\"director_uuid\":\"uuid-1\",\"request_id\":\"cpi-1\","
		"\"vm\":{\"stemcell\":{\"api_version\":3}},"
		"\"host\":\"10.1.1.1:444\",\"user\":\"ctxuser\","
		"\"password\":\"ctx-pw-1\",\"default_disk_type\":\"thin\","
		"\"datacenters\":[{\"name\":\"DC1\",\"datastore_pattern\":"
		"\"ds1\",\"persistent_datastore_pattern\":\"ds2\","
		"\"clusters\":[\"C1\"]}]}", 0, NULL);

	ck_assert_ptr_nonnull(ctx);
	cfg = expect_ok(base(), ctx);
	ck_assert_str_eq(cfg->vcenter.host, "10.1.1.1");
	ck_assert_int_eq(cfg->vcenter.port, 444);
	ck_assert_str_eq(cfg->vcenter.user, "ctxuser");
	ck_assert_str_eq(cfg->vcenter.password, "ctx-pw-1");
	ck_assert_int_eq(cfg->vcenter.default_disk_type, CPI_DISK_THIN);
	ck_assert_str_eq(cfg->vcenter.datacenter.name, "DC1");
	ck_assert_str_eq(cfg->vcenter.datacenter.clusters[0].name, "C1");
	/* Defaults still apply to the merged datacenter. */
	ck_assert_str_eq(cfg->vcenter.datacenter.vm_folder, "BOSH_VMs");
	ck_assert_str_eq(cfg->director_uuid, "uuid-1");
	ck_assert(has_secret(cfg, "ctx-pw-1"));
	ck_assert(!has_secret(cfg, PW));
	cpi_config_free(cfg);
	json_decref(ctx);

	/* A context without config keys changes nothing. */
	ctx = json_pack("{s:s,s:s}", "director_uuid", "u", "request_id", "r");
	cfg = expect_ok(base(), ctx);
	ck_assert_str_eq(cfg->vcenter.user, "VCENTER-USER");
	ck_assert_str_eq(cfg->vcenter.datacenter.name, "DC0");
	cpi_config_free(cfg);
	json_decref(ctx);
}
END_TEST

START_TEST(test_context_merge_invalid)
{
	struct cpi_config *cfg;
	struct err e;
	json_t *ctx = json_pack("{s:i}", "host", 5);

	ck_assert_int_lt(parse(&cfg, base(), ctx, &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, VC ".host: must be a string"));
	json_decref(ctx);
	/* director_uuid, request_id and vm are not vCenter keys: a
	 * director_uuid of the wrong type is simply not taken. */
	ctx = json_pack("{s:i,s:i,s:s}", "director_uuid", 5, "request_id", 6,
	                "vm", "x");
	cfg = expect_ok(base(), ctx);
	ck_assert_ptr_null(cfg->director_uuid);
	cpi_config_free(cfg);
	json_decref(ctx);
}
END_TEST

static Suite *
config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, test_sample);
	tcase_add_test(tc, test_load_file);
	tcase_add_test(tc, test_required_missing);
	tcase_add_test(tc, test_pattern_alternatives);
	tcase_add_test(tc, test_pattern_ruby_regex);
	tcase_add_test(tc, test_clusters_refused);
	tcase_add_test(tc, test_clusters_host_group);
	tcase_add_test(tc, test_agent_section);
	tcase_add_loop_test(tc, test_wrong_types, 0,
	                    sizeof(wrong) / sizeof(wrong[0]));
	tcase_add_test(tc, test_multiple);
	tcase_add_test(tc, test_unknown_keys_ignored);
	tcase_add_loop_test(tc, test_host_forms, 0,
	                    sizeof(hosts) / sizeof(hosts[0]));
	tcase_add_test(tc, test_host_in_config);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_disk_and_scsi_types);
	tcase_add_test(tc, test_tls_options);
	tcase_add_test(tc, test_clusters);
	tcase_add_test(tc, test_vmx_and_misc);
	tcase_add_test(tc, test_session_dir);
	tcase_add_test(tc, test_agent_blobstore);
	tcase_add_test(tc, test_context_merge);
	tcase_add_test(tc, test_context_merge_invalid);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
