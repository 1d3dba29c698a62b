/*
 * tests/support/sim_fixture.c: the shared simulator suite state of
 * sim_fixture.h.
 */
#include "tests/support/sim_fixture.h"

#include "tests/support/sim_client.h"
#include "tests/support/sim_stemcell.h"
#include "tests/support/sim_suite.h"

struct sim_fixture sim_fx;

void
sim_fixture_setup(void)
{
	err_clear(&sim_fx.err);
	sim_fx.cl = sim_client_connect(NULL);
}

void
sim_fixture_teardown(void)
{
	vs_client_free(sim_fx.cl);
	sim_fx.cl = NULL;
}

TCase *
sim_fixture_tcase(double timeout_s)
{
	TCase *tc = tcase_create("sim");

	tcase_set_timeout(tc, timeout_s);
	tcase_add_checked_fixture(tc, sim_fixture_setup, sim_fixture_teardown);
	return tc;
}

int
sim_fixture_main(const char *name, bool stemcell, Suite *(*make)(void))
{
	if (sim_suite_start(sim_fx.defcfg, sizeof(sim_fx.defcfg), name) < 0)
		return 1;
	if (stemcell &&
	    sim_stemcell_make(sim_fx.stemcell, sizeof(sim_fx.stemcell),
	                      sim_fx.outdir, sizeof(sim_fx.outdir),
	                      sim_fx.images, sizeof(sim_fx.images),
	                      sim_fx.defcfg) < 0)
		return 1;
	return sim_suite_run(make());
}
