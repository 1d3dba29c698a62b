/*
 * tests/support/sim_client.c: the simulator client of sim_client.h.
 */
#include "tests/support/sim_client.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/support/fake_transport.h"
#include "vsphere/transports.h"

const char *
sim_env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && v[0] != '\0', "%s is not set (run through "
	              "tests/sim/run.sh)", name);
	return v;
}

struct vs_client *
sim_client_connect(const char *record)
{
	char *pem = ft_read_file(sim_env("VCSIM_CA_CERT"));
	struct vs_curl_opts co = {
		.ca_cert_pem = pem, .connect_timeout_s = 10, .timeout_s = 60,
	};
	struct vs_client_opts o = {
		.url = sim_env("VCSIM_URL"), .user = sim_env("VCSIM_USER"),
		.password = sim_env("VCSIM_PASSWORD"),
	};
	const char *out = getenv("CPI_TEST_OUTDIR");
	const char *secrets[] = { o.password, NULL };
	struct vs_transport *t = NULL;
	struct vs_client *c = NULL;
	struct vs_error e;
	char dir[4096];

	vs_error_clear(&e);
	ck_assert_msg(vs_transport_curl_new(&t, &co, &e) == 0, "%s",
	              e.message);
	free(pem);
	if (record != NULL && out != NULL && out[0] != '\0') {
		snprintf(dir, sizeof(dir), "%s/%s", out, record);
		ck_assert_msg(vs_transport_record_new(&t, t, dir, secrets,
		              &e) == 0, "%s", e.message);
	}
	o.transport = t;
	ck_assert_msg(vs_client_new(&c, &o, &e) == 0, "%s", e.message);
	ck_assert_msg(vs_client_connect(c, &e) == 0, "%s", e.message);
	return c;
}
