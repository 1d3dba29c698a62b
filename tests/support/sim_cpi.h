/*
 * tests/support/sim_cpi.h: drive the built cpi binary against the
 * simulator that tests/sim/run.sh started for this suite.
 *
 * The config is written from VCSIM_HOST, VCSIM_USER, VCSIM_PASSWORD and
 * VCSIM_CA_CERT into CPI_TEST_OUTDIR (datacenter DC0, cluster DC0_C0,
 * datastore pattern ^LocalDS_, port groups named by the harness), with
 * distinctive mbus and blobstore secrets, so every suite can check that
 * none of them leaks.
 */
#ifndef TEST_SIM_CPI_H
#define TEST_SIM_CPI_H

#include <jansson.h>

#include "tests/support/cpi_run.h"

#define SIM_MBUS_SECRET "mbus-Secret-7f3a"
#define SIM_BLOBSTORE_SECRET "blob-Secret-91c2"

/* True when the harness environment is present. */
int sim_available(void);
/* Path of a config for the simulator (written once per process). extra
 * is merged over vcenters[0] (may be NULL; e.g. {"datacenters":…} or
 * {"connection_options":{…}}); a non-NULL extra writes a fresh file. */
const char *sim_config(const json_t *extra);

/* Runs `cpi CONFIG` with {"method","arguments","api_version":2} (args is
 * borrowed) and returns the parsed response (new reference) or NULL when
 * the output was not one JSON document.  run (may be NULL) receives the
 * raw output for leak checks; clear it with cpi_test_run_clear(). */
json_t *sim_cpi_call(struct cpi_test_run *run, const char *config,
                     const char *method, json_t *args);
/* The response's error type or NULL on success (borrowed). */
const char *sim_error_type(const json_t *resp);

#endif
