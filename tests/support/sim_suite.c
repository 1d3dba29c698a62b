/*
 * tests/support/sim_suite.c: the suite start and run of sim_suite.h.
 */
#include "tests/support/sim_suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
sim_suite_shard(int *k, int *parts)
{
	const char *v = getenv("CPI_TEST_SHARD");
	char tail;

	*k = 0;
	*parts = 1;
	if (v == NULL || v[0] == '\0' || strcmp(v, "-") == 0)
		return 0;
	if (sscanf(v, "%d/%d%c", k, parts, &tail) != 2 || *parts < 1 ||
	    *parts > 64 || *k < 0 || *k >= *parts) {
		fprintf(stderr, "CPI_TEST_SHARD: want K/N, got '%s'\n", v);
		return -1;
	}
	return 0;
}
