/*
 * tests/support/sim_stemcell.c: the test stemcell of sim_stemcell.h.
 */
#include "tests/support/sim_stemcell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/support/sim_cpi.h"

/* snprintf that fails instead of truncating. */
static int
put(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s%s", a, b);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

int
sim_stemcell_make(char *cid, size_t cid_size, char *outdir,
                  size_t outdir_size, char *images, size_t images_size,
                  const char *config)
{
	const char *root = getenv("CPI_TEST_ROOT");
	const char *out = getenv("CPI_TEST_OUTDIR");
	char cmd[8192], img[4096], dir[2048];
	json_t *resp = NULL, *args;
	const char *res;
	int rc = -1;

	if (root == NULL)
		root = ".";
	if (out == NULL || out[0] == '\0' || strlen(root) > 2000 ||
	    strlen(out) > 1900 ||
	    (outdir != NULL && put(outdir, outdir_size, out, "") < 0) ||
	    put(dir, sizeof(dir), out, "/images") < 0 ||
	    (images != NULL && put(images, images_size, dir, "") < 0)) {
		fprintf(stderr, "CPI_TEST_OUTDIR/ROOT unusable\n");
		goto cleanup;
	}
	snprintf(cmd, sizeof(cmd), "sh '%s/tests/stemcell/make-image.sh' "
	         "'%s' >/dev/null", root, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot make the test image\n");
		goto cleanup;
	}
	snprintf(img, sizeof(img), "%s/image", dir);
	args = json_pack("[s,{}]", img);
	resp = sim_cpi_call(NULL, config, "create_stemcell", args);
	json_decref(args);
	res = json_string_value(json_object_get(resp, "result"));
	if (resp == NULL || sim_error_type(resp) != NULL || res == NULL ||
	    put(cid, cid_size, res, "") < 0) {
		fprintf(stderr, "create_stemcell failed\n");
		goto cleanup;
	}
	rc = 0;
cleanup:
	json_decref(resp);
	return rc;
}
