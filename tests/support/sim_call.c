/*
 * tests/support/sim_call.c: the checked run of sim_call.h.
 */
#include "tests/support/sim_call.h"

#include <check.h>

#include "tests/support/sim_cpi.h"
#include "tests/support/sim_secrets.h"

json_t *
sim_call_checked(struct cpi_test_run *r, const char *config,
                 const char *method, json_t *args, const char *extra)
{
	json_t *resp;

	resp = sim_cpi_call(r, config, method, args);
	json_decref(args);
	ck_assert_msg(resp != NULL, "%s: no JSON response (status %d): %s",
	              method, r->status, r->err);
	sim_assert_no_secret(r, extra);
	return resp;
}
