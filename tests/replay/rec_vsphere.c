/*
 * tests/replay/rec_vsphere.c: records the vsphere-layer scenario
 * "login + inventory query + logout" (tests/replay/vs_inventory.h)
 * against a live simulator through the record transport.
 *
 *   rec_vsphere DIR
 *
 * Environment (tests/replay/record.sh sets it): VCSIM_URL, VCSIM_USER,
 * VCSIM_PASSWORD, VCSIM_CA_CERT (a PEM file).  DIR must not hold
 * exchanges yet.  Prints what was found; the password is passed to the
 * record transport as a secret, so it is redacted wherever it appears.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/replay/vs_inventory.h"
#include "vsphere/fixture.h"
#include "vsphere/transports.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0') {
		fprintf(stderr, "rec_vsphere: %s is not set\n", name);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct vs_curl_opts co = { .connect_timeout_s = 10, .timeout_s = 60 };
	struct vs_client_opts o = { 0 };
	struct vs_transport *t = NULL;
	struct vs_fixture_entry *entries = NULL;
	struct err err = { 0 };
	struct inv_result res;
	const char *secrets[2];
	char *pem = NULL;
	size_t n = 0;
	int rc;

	if (argc != 2) {
		fputs("usage: rec_vsphere DIR\n", stderr);
		return 2;
	}
	o.url = env("VCSIM_URL");
	o.user = env("VCSIM_USER");
	o.password = env("VCSIM_PASSWORD");
	secrets[0] = o.password;
	secrets[1] = NULL;
	rc = vs_fixture_list(&entries, &n, argv[1], true, &err);
	free(entries);
	if (rc == 0 && n > 0) {
		fprintf(stderr, "rec_vsphere: %s already holds %zu "
		        "exchanges\n", argv[1], n);
		return 1;
	}
	if (rc == 0)
		rc = vs_fixture_read_file(&pem, NULL, env("VCSIM_CA_CERT"),
		                          1024 * 1024, &err);
	co.ca_cert_pem = pem;
	if (rc == 0)
		rc = vs_transport_curl_new(&t, &co, &err);
	if (rc == 0)
		rc = vs_transport_record_new(&t, t, argv[1], secrets, &err);
	if (rc == 0) {
		o.transport = t;
		rc = inv_run(&res, &o, &err);
	}
	free(pem);
	if (rc != 0) {
		fprintf(stderr, "rec_vsphere: %s\n", err.message);
		return 1;
	}
	printf("rec_vsphere: %zu datacenter(s) (first %s), %zu cluster(s), "
	       "%zu datastore(s), %u round trips\n", res.datacenters,
	       res.first_datacenter, res.clusters, res.datastores,
	       res.roundtrips);
	return 0;
}
