/*
 * tests/support/sim_secrets.h: the no-leak check every simulator suite
 * makes on each run of the binary.
 */
#ifndef TEST_SIM_SECRETS_H
#define TEST_SIM_SECRETS_H

#include "tests/support/cpi_run.h"

/* Fails the running Check test when stdout or stderr of r holds the
 * mbus or blobstore secret of sim_cpi.h, VCSIM_PASSWORD, extra (the
 * suite's own agent env secret; may be NULL) or a session cookie name.
 * The message names the secret by its index only, never its value. */
void sim_assert_no_secret(const struct cpi_test_run *r, const char *extra);

#endif
