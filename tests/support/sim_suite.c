/*
 * tests/support/sim_suite.c: the suite start and run of sim_suite.h.
 */
#include "tests/support/sim_suite.h"

#include <stdio.h>

#include "tests/support/sim_cpi.h"

int
sim_suite_start(char *config, size_t size, const char *name)
{
	const char *path;
	int n;

	if (!sim_available()) {
		fprintf(stderr, "%s: no simulator (run through "
		        "tests/sim/run.sh)\n", name);
		return -1;
	}
	path = sim_config(NULL);
	if (path == NULL) {
		fprintf(stderr, "cannot write the config\n");
		return -1;
	}
	n = snprintf(config, size, "%s", path);
	if (n < 0 || (size_t)n >= size) {
		fprintf(stderr, "%s: config path too long\n", name);
		return -1;
	}
	return 0;
}

int
sim_suite_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
