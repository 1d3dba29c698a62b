/*
 * tests/support/sim_stemcell.h: the test stemcell of the simulator
 * suites, made once before the Check runner starts.
 *
 * No Check calls: this runs outside any test, so it reports on stderr
 * and returns -1; the caller exits.
 */
#ifndef TEST_SIM_STEMCELL_H
#define TEST_SIM_STEMCELL_H

#include <stddef.h>

/* Builds the image with tests/stemcell/make-image.sh (under
 * CPI_TEST_ROOT, else ".") into CPI_TEST_OUTDIR/images and uploads it
 * with create_stemcell through the binary with config; the call must
 * answer no error and a string result.  On success cid gets the
 * stemcell cid, outdir (may be NULL) CPI_TEST_OUTDIR and images (may be
 * NULL) the images directory, each NUL-terminated in its size.
 * Returns 0, or -1 after a line on stderr (CPI_TEST_OUTDIR unset or a
 * path too long for its buffer, the image script failed,
 * create_stemcell failed). */
int sim_stemcell_make(char *cid, size_t cid_size, char *outdir,
                      size_t outdir_size, char *images, size_t images_size,
                      const char *config);

#endif
