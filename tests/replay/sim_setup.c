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
 *   tag-category NAME CARDINALITY [TYPE...]
 *                                makes the vAPI tag category NAME
 *                                (SINGLE or MULTIPLE, associable with
 *                                the TYPEs, none: every type)
 *   tag CATEGORY NAME            makes the tag NAME in the category
 *                                named CATEGORY (the first one
 *                                tag-category made in this run of
 *                                record.sh: looked up by name)
 *
 * Environment: VCSIM_URL, VCSIM_USER, VCSIM_PASSWORD, VCSIM_CA_CERT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsphere/client.h"
#include "vsphere/fixture.h"
#include "vsphere/rest.h"
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

/* POST body (a JSON text) to path in a REST session of c. */
static int
rest_post(struct vs_client *c, const char *path, const char *body,
          struct err *err)
{
	struct vs_rest *s = NULL;
	char *reply = NULL;
	int rc;

	rc = vs_rest_login(&s, c, env("VCSIM_USER"),
	                   env("VCSIM_PASSWORD"), err);
	if (rc == 0)
		rc = vs_rest_call(&reply, NULL, s, "POST", path, body,
		                  "sim-setup", err);
	if (rc == 0)
		printf("sim_setup: %s: %.*s\n", path,
		       (int)strcspn(reply, "\r\n"), reply);
	free(reply);
	vs_rest_logout(s, NULL);
	return rc;
}

/* tag-category NAME CARDINALITY [TYPE...]; names are plain words. */
static int
tag_category(struct vs_client *c, int argc, char **argv,
             struct err *err)
{
	char body[1024];
	size_t n;
	int i;

	n = (size_t)snprintf(body, sizeof(body), "{\"create_spec\":{\"name\":"
	                     "\"%s\",\"description\":\"\",\"cardinality\":"
	                     "\"%s\",\"associable_types\":[", argv[0],
	                     argv[1]);
	for (i = 2; i < argc && n < sizeof(body); i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"%s\"",
		                      i > 2 ? "," : "", argv[i]);
	if (n < sizeof(body))
		snprintf(body + n, sizeof(body) - n, "]}}");
	return rest_post(c, "/com/vmware/cis/tagging/category", body, err);
}

/* tag CATEGORY NAME: the category id is looked up by listing. */
static int
tag(struct vs_client *c, char **argv, struct err *err)
{
	struct vs_rest *s = NULL;
	char *list = NULL, *one = NULL, *path = NULL, *p, *q, *id = NULL;
	char body[1024], name[300];
	int rc;

	snprintf(name, sizeof(name), "\"name\":\"%s\"", argv[0]);
	rc = vs_rest_login(&s, c, env("VCSIM_USER"),
	                   env("VCSIM_PASSWORD"), err);
	if (rc == 0)
		rc = vs_rest_call(&list, NULL, s, "GET",
		                  "/com/vmware/cis/tagging/category", NULL,
		                  "sim-setup", err);
	/* {"value":["id",...]}: the ids hold no quotes */
	for (p = list != NULL ? strchr(list, '[') : NULL; rc == 0 && p != NULL &&
	     id == NULL && (p = strchr(p, '"')) != NULL; p = q + 1) {
		q = strchr(p + 1, '"');
		if (q == NULL)
			break;
		*q = '\0';
		rc = vs_rest_path(&path, "/com/vmware/cis/tagging/category/id:",
		                  p + 1, "", err);
		if (rc == 0)
			rc = vs_rest_call(&one, NULL, s, "GET", path, NULL,
			                  "sim-setup", err);
		if (rc == 0 && strstr(one, name) != NULL)
			id = p + 1;
		free(path);
		free(one);
		path = one = NULL;
	}
	if (rc == 0 && id == NULL)
		rc = err_set(err, ERR_ENOTFOUND, "no category %s", argv[0]);
	vs_rest_logout(s, NULL);
	if (rc == 0) {
		snprintf(body, sizeof(body), "{\"create_spec\":{\"name\":"
		         "\"%s\",\"description\":\"\",\"category_id\":"
		         "\"%s\"}}", argv[1], id);
		rc = rest_post(c, "/com/vmware/cis/tagging/tag", body, err);
	}
	free(list);
	return rc;
}

static int
run(struct vs_client *c, int argc, char **argv, struct err *err)
{
	if (argc == 6 && strcmp(argv[1], "place-vm") == 0)
		return place_vm(c, argv + 2, err);
	if (argc >= 4 && strcmp(argv[1], "tag-category") == 0)
		return tag_category(c, argc - 2, argv + 2, err);
	if (argc == 4 && strcmp(argv[1], "tag") == 0)
		return tag(c, argv + 2, err);
	return err_set(err, ERR_EINVAL, "unknown command");
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

	if (argc < 2 || (strcmp(argv[1], "place-vm") == 0 && argc != 6) ||
	    (strcmp(argv[1], "tag-category") == 0 && argc < 4) ||
	    (strcmp(argv[1], "tag") == 0 && argc != 4)) {
		fputs("usage: sim_setup place-vm DC FOLDER VM NAME\n"
		      "       sim_setup tag-category NAME CARDINALITY "
		      "[TYPE...]\n"
		      "       sim_setup tag CATEGORY NAME\n", stderr);
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
		rc = run(c, argc, argv, &err);
	if (rc == 0)
		rc = vs_client_close(c, &err);
	vs_client_free(c);
	free(pem);
	if (rc != 0) {
		fprintf(stderr, "sim_setup: %s\n", err.message);
		return 1;
	}
	if (strcmp(argv[1], "place-vm") == 0)
		printf("sim_setup: %s/vm/%s now holds %s\n", argv[2], argv[3],
		       argv[5]);
	return 0;
}
