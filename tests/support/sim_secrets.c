/*
 * tests/support/sim_secrets.c: the no-leak check of sim_secrets.h.
 */
#include "tests/support/sim_secrets.h"

#include <check.h>
#include <string.h>

#include "tests/support/sim_client.h"
#include "tests/support/sim_cpi.h"

void
sim_assert_no_secret(const struct cpi_test_run *r, const char *extra)
{
	const char *secrets[] = { SIM_MBUS_SECRET, SIM_BLOBSTORE_SECRET,
	                          sim_env("VCSIM_PASSWORD"), extra,
	                          "vmware_soap_session" };
	size_t i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		if (secrets[i] == NULL)
			continue;
		ck_assert_msg(strstr(r->out, secrets[i]) == NULL,
		              "secret %zu on stdout", i);
		ck_assert_msg(strstr(r->err, secrets[i]) == NULL,
		              "secret %zu on stderr", i);
	}
}
