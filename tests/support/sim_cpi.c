#include "tests/support/sim_cpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
sim_available(void)
{
	return getenv("VCSIM_HOST") != NULL &&
	       getenv("VCSIM_PASSWORD") != NULL &&
	       getenv("VCSIM_CA_CERT") != NULL;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL) {
			if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
				free(buf);
				buf = NULL;
			} else {
				buf[n] = '\0';
			}
		}
	}
	fclose(f);
	return buf;
}

const char *
sim_config(const json_t *extra)
{
	static char path[4096];
	static int seq;
	const char *outdir = getenv("CPI_TEST_OUTDIR");
	char *ca = NULL;
	json_t *vc = NULL, *doc = NULL;

	if (path[0] != '\0' && extra == NULL)
		return path;
	if (outdir == NULL)
		outdir = "/tmp";
	ca = slurp(getenv("VCSIM_CA_CERT"));
	vc = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:s,s:s,s:s,s:[s]}],"
	               "s:s,s:{s:s?}}",
	               "host", getenv("VCSIM_HOST"),
	               "user", getenv("VCSIM_USER"),
	               "password", getenv("VCSIM_PASSWORD"),
	               "datacenters",
	               "name", "DC0", "vm_folder", "BOSH_VMs",
	               "template_folder", "BOSH_Templates",
	               "disk_path", "BOSH_Disks",
	               "datastore_pattern", "^LocalDS_",
	               "persistent_datastore_pattern", "^LocalDS_",
	               "clusters", "DC0_C0",
	               "default_disk_type", "thin",
	               "connection_options", "ca_cert", ca);
	free(ca);
	if (vc == NULL)
		return NULL;
	if (extra != NULL)
		json_object_update(vc, (json_t *)extra);
	doc = json_pack("{s:{s:s,s:{s:[o],s:{s:[s],s:s,s:{s:s,s:{s:s,s:s}}}}}}",
	                "cloud", "plugin", "vsphere", "properties",
	                "vcenters", vc, "agent", "ntp", "0.pool.ntp.org",
	                "mbus", "nats://nats:" SIM_MBUS_SECRET
	                "@10.0.0.6:4222",
	                "blobstore", "provider", "dav", "options",
	                "user", "agent", "password", SIM_BLOBSTORE_SECRET);
	if (doc == NULL)
		return NULL;
	snprintf(path, sizeof(path), "%s/cpi-%d.json", outdir, seq++);
	if (json_dump_file(doc, path, JSON_INDENT(2)) != 0)
		path[0] = '\0';
	json_decref(doc);
	return path[0] != '\0' ? path : NULL;
}

json_t *
sim_cpi_call(struct cpi_test_run *run, const char *config,
             const char *method, json_t *args)
{
	struct cpi_test_run local = { 0 };
	struct cpi_test_run *r = run != NULL ? run : &local;
	char *argv[] = { (char *)cpi_test_binary(), (char *)config, NULL };
	json_t *req, *resp = NULL;
	char *text;

	req = json_pack("{s:s,s:O,s:{s:s},s:i}", "method", method,
	                "arguments", args, "context", "director_uuid",
	                "d-00000000-0000-0000-0000-000000000001",
	                "api_version", 2);
	text = req != NULL ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (text == NULL)
		return NULL;
	memset(r, 0, sizeof(*r));
	if (cpi_test_run(r, argv, text, strlen(text)) == 0 && r->status == 0)
		resp = json_loads(r->out, 0, NULL);
	free(text);
	if (resp != NULL && !json_is_object(resp)) {
		json_decref(resp);
		resp = NULL;
	}
	if (r == &local)
		cpi_test_run_clear(&local);
	return resp;
}

const char *
sim_error_type(const json_t *resp)
{
	const json_t *e = json_object_get(resp, "error");

	if (resp == NULL)
		return "no response";
	if (e == NULL || json_is_null(e))
		return NULL;
	return json_string_value(json_object_get(e, "type"));
}
