/*
 * tests/replay/sim_setup.c: shapes the fresh simulator before a scenario
 * is recorded (not recorded itself).  tests/replay/record.sh runs it once
 * per line of fixtures/S/sim-setup, with the words of the line as
 * arguments:
 *
 *   place-vm DC FOLDER VM NAME   moves the simulator's VM "DC/vm/VM" into
 *                                the VM folder "DC/vm/FOLDER" (created
 *                                when missing) and renames it NAME, so a
 *                                scenario can use a VM the way this CPI
 *                                would have created it
 *
 * Environment: VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_CA_CERT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/fixture.h"
#include "vsphere/task.h"
#include "vsphere/transports.h"
#include "vsphere/vm.h"
#include "vsphere/vsphere.h"

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL || v[0] == '\0') {
		fprintf(stderr, "sim_setup: %s is not set\n", name);
		exit(2);
	}
	return v;
}

static int
place_vm(struct vs_client *c, char **argv, struct err *err)
{
	struct vs_moref folder, vm;
	xmlDocPtr req = NULL;
	xmlNodePtr m;
	char *path = NULL;
	int rc;

	rc = vs_folder_ensure(&folder, c, argv[0], argv[1], err);
	/* done before (several scenarios share a simulator in the bench) */
	if (rc == 0)
		rc = vs_vm_path(&path, argv[0], argv[1], argv[3], err);
	if (rc == 0 && vs_vm_find(&vm, c, path, err) == 0) {
		free(path);
		return 0;
	}
	free(path);
	path = NULL;
	err_clear(err);
	if (rc == 0)
		rc = vs_vm_path(&path, argv[0], NULL, argv[2], err);
	if (rc == 0)
		rc = vs_vm_find(&vm, c, path, err);
	free(path);
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "MoveIntoFolder_Task",
		                         &folder, err);
	if (rc == 0) {
		vs_soap_add_moref(m, "list", &vm);
		rc = vs_task_call(NULL, c, req, 60, err);
	}
	if (rc == 0)
		rc = vs_soap_request_new(&req, &m, "Rename_Task", &vm, err);
	if (rc == 0) {
		vs_soap_add_text(m, "newName", argv[3]);
		rc = vs_task_call(NULL, c, req, 60, err);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	struct vs_curl_opts co = { .connect_timeout_s = 10, .timeout_s = 60 };
	struct vs_client_opts o = { 0 };
	struct vs_client *c = NULL;
	struct err err = { 0 };
	char *pem = NULL;
	int rc;

	if (argc != 6 || strcmp(argv[1], "place-vm") != 0) {
		fputs("usage: sim_setup place-vm DC FOLDER VM NAME\n", stderr);
		return 2;
	}
	o.url = env("VCSIM_URL");
	o.user = env("VCSIM_USER");
	o.password = env("VCSIM_PASSWORD");
	rc = vs_fixture_read_file(&pem, NULL, env("VCSIM_CA_CERT"),
	                          1024 * 1024, &err);
	co.ca_cert_pem = pem;
	if (rc == 0)
		rc = vs_transport_curl_new(&o.transport, &co, &err);
	if (rc == 0)
		rc = vs_client_new(&c, &o, &err);
	if (rc == 0)
		rc = vs_client_connect(c, &err);
	if (rc == 0)
		rc = place_vm(c, argv + 2, &err);
	if (rc == 0)
		rc = vs_client_close(c, &err);
	vs_client_free(c);
	free(pem);
	if (rc != 0) {
		fprintf(stderr, "sim_setup: %s\n", err.message);
		return 1;
	}
	printf("sim_setup: %s/vm/%s now holds %s\n", argv[2], argv[3],
	       argv[5]);
	return 0;
}
