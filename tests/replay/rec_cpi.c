/*
 * tests/replay/rec_cpi.c: records a CPI-level scenario (layout:
 * tests/support/scenario.h, fixtures/README.md).
 *
 *   rec_cpi CPI LIVE_CONFIG SCENARIO_DIR
 *
 * Runs every SCENARIO_DIR/cpi/NN-method.request.json in order through
 * `CPI --record SCENARIO_DIR LIVE_CONFIG` (placeholders filled from the
 * responses so far) and writes each response, pretty and without its
 * "log", to NN-method.response.json.  The vSphere exchanges land in
 * SCENARIO_DIR through the record transport.  Fails when the live
 * password (VCSIM_PASSWORD) shows up in any output of the binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/scenario.h"

static int
write_response(const struct scn *s, size_t i, const json_t *resp,
               struct scn_error *e)
{
	char path[4096];
	json_t *copy = json_deep_copy(resp);
	int rc = 0;

	if (copy == NULL)
		return scn_fail(e, "out of memory");
	json_object_del(copy, "log");
	scn_path(path, sizeof(path), s, i, "response");
	if (json_dump_file(copy, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	                   JSON_ENSURE_ASCII) != 0)
		rc = scn_fail(e, "cannot write %s", path);
	json_decref(copy);
	if (rc == 0) {
		FILE *f = fopen(path, "a");

		if (f == NULL || fputc('\n', f) == EOF)
			rc = scn_fail(e, "cannot write %s", path);
		if (f != NULL)
			fclose(f);
	}
	return rc;
}

static int
record(const char *cpi, const char *config, const char *dir,
       struct scn_error *e)
{
	const char *password = getenv("VCSIM_PASSWORD");
	json_t **responses = NULL, *req = NULL, *resp = NULL;
	struct cpi_test_run run;
	char work[4096] = "";
	struct scn *s = NULL;
	size_t i;
	int rc;

	memset(&run, 0, sizeof(run));
	rc = scn_load(&s, dir, e);
	if (rc == 0)
		rc = scn_mkwork(work, sizeof(work), e);
	if (rc == 0)
		rc = scn_prepare(s, work, e);
	if (rc != 0)
		goto cleanup;
	responses = calloc(s->n, sizeof(*responses));
	if (responses == NULL) {
		rc = scn_fail(e, "out of memory");
		goto cleanup;
	}
	unsetenv("VSPHERE_CPI_FIXTURES");
	for (i = 0; i < s->n && rc == 0; i++) {
		req = scn_request(s, i, responses, work, e);
		if (req == NULL) {
			rc = -1;
			break;
		}
		rc = scn_call(&resp, &run, cpi, config, "--record", dir, req,
		              e);
		if (rc == 0 && password != NULL && password[0] != '\0' &&
		    (strstr(run.out, password) != NULL ||
		     strstr(run.err, password) != NULL))
			rc = scn_fail(e, "%s: the password leaked into the "
			              "output", s->steps[i].name);
		if (rc == 0)
			rc = write_response(s, i, resp, e);
		if (rc == 0) {
			const json_t *err = json_object_get(resp, "error");

			printf("  %-28s %s\n", s->steps[i].name,
			       json_is_null(err) ? "ok" :
			       json_string_value(json_object_get(err,
			                                         "type")));
		}
		responses[i] = resp;
		resp = NULL;
		json_decref(req);
		req = NULL;
		cpi_test_run_clear(&run);
	}
cleanup:
	for (i = 0; responses != NULL && i < s->n; i++)
		json_decref(responses[i]);
	free(responses);
	cpi_test_run_clear(&run);
	scn_rmtree(work);
	scn_free(s);
	return rc;
}

int
main(int argc, char **argv)
{
	struct scn_error e = { 0 };

	if (argc != 4) {
		fputs("usage: rec_cpi CPI LIVE_CONFIG SCENARIO_DIR\n", stderr);
		return 2;
	}
	if (record(argv[1], argv[2], argv[3], &e) != 0) {
		fprintf(stderr, "rec_cpi: %s: %s\n", argv[3], e.msg);
		return 1;
	}
	return 0;
}
