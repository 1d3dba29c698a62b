/*
 * tests/support/sim_call.h: one run of the binary against the suite's
 * simulator with the checks every simulator suite makes on it.
 */
#ifndef TEST_SIM_CALL_H
#define TEST_SIM_CALL_H

#include <jansson.h>

#include "tests/support/cpi_run.h"

/* Runs method with args (stolen) through the binary with config and
 * fails the running Check test when the output is not one JSON
 * document or a secret leaked (sim_assert_no_secret() with extra, which
 * may be NULL).  r receives the raw output for further checks; clear it
 * with cpi_test_run_clear().  Returns the response (new reference). */
json_t *sim_call_checked(struct cpi_test_run *r, const char *config,
                         const char *method, json_t *args,
                         const char *extra);

#endif
