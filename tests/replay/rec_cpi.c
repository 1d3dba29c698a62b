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

/* Records step i of r and prints its outcome. */
static int
record_step(struct scn_run *r, size_t i, const char *cpi,
            const char *config, const char *dir, struct scn_error *e)
{
	const char *password = getenv("VCSIM_PASSWORD");
	const struct scn_step *st = &r->s->steps[i];
	json_t *req, *resp = NULL;
	const json_t *err;
	int rc;

	req = scn_request(r->s, i, r->responses, r->work, e);
	if (req == NULL)
		return -1;
	rc = scn_call(&resp, &r->run, cpi, config, "--record", dir, req, e);
	if (rc == 0 && password != NULL && password[0] != '\0' &&
	    (strstr(r->run.out, password) != NULL ||
	     strstr(r->run.err, password) != NULL))
		rc = scn_fail(e, "%s: the password leaked into the output",
		              st->name);
	if (rc == 0)
		rc = write_response(r->s, i, resp, e);
	if (rc == 0) {
		err = json_object_get(resp, "error");
		printf("  %-28s %s\n", st->name, json_is_null(err) ? "ok" :
		       json_string_value(json_object_get(err, "type")));
	}
	r->responses[i] = resp;
	json_decref(req);
	cpi_test_run_clear(&r->run);
	return rc;
}

static int
record(const char *cpi, const char *config, const char *dir,
       struct scn_error *e)
{
	struct scn_run r;
	size_t i;
	int rc;

	rc = scn_run_open(&r, dir, e);
	if (rc != 0)
		goto cleanup;
	unsetenv("VSPHERE_CPI_FIXTURES");
	for (i = 0; i < r.s->n && rc == 0; i++)
		rc = record_step(&r, i, cpi, config, dir, e);
cleanup:
	scn_run_close(&r);
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
