/*
 * tests/support/sim_fixture.h: the state and the set-up every simulator
 * suite that works with the test stemcell shares: the default config,
 * the stemcell, CPI_TEST_OUTDIR and its images directory (made once in
 * main(), before the runner), and for each test a client connected to
 * the simulator with a cleared error.
 *
 *	TCase *tc = sim_fixture_tcase(120);   (setup and teardown set)
 *	…
 *	int main(void) { return sim_fixture_main("check_x", suite); }
 */
#ifndef TEST_SIM_FIXTURE_H
#define TEST_SIM_FIXTURE_H

#include <check.h>

#include "vsphere/client.h"
#include "vsphere/vsphere.h"

struct sim_fixture {
	char defcfg[4096];      /* the default simulator config */
	char stemcell[128];     /* the test stemcell's cid */
	char outdir[2048];      /* CPI_TEST_OUTDIR */
	char images[2048];      /* its stemcell images directory */
	struct vs_client *cl;   /* connected for each test (setup) */
	struct err err;    /* cleared for each test (setup) */
};

extern struct sim_fixture sim_fx;

/* Check fixture: clears sim_fx.err and connects sim_fx.cl
 * (sim_client_connect(NULL)); the teardown frees the client. */
void sim_fixture_setup(void);
void sim_fixture_teardown(void);
/* A test case "sim" with this timeout (seconds) and the fixture. */
TCase *sim_fixture_tcase(double timeout_s);

/* A suite's main(): sim_suite_start() into sim_fx.defcfg; with
 * stemcell, sim_stemcell_make() into sim_fx.stemcell, .outdir and
 * .images; then the suite make() returns, run by sim_suite_run().
 * Returns the exit status (1 when the start failed). */
int sim_fixture_main(const char *name, bool stemcell, Suite *(*make)(void));

#endif
