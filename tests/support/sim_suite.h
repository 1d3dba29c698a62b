/*
 * tests/support/sim_suite.h: the start and the run of a simulator
 * suite's main(), the same in every suite.
 *
 * No Check assertions: main() runs outside any test.
 */
#ifndef TEST_SIM_SUITE_H
#define TEST_SIM_SUITE_H

#include <check.h>
#include <stddef.h>

/* Checks that tests/sim/run.sh's environment is there and copies the
 * path of the default simulator config (sim_config(NULL)) into config.
 * Returns 0, or -1 after a line on stderr naming the suite. */
int sim_suite_start(char *config, size_t size, const char *name);

/* Runs every test of s (CK_NORMAL) and frees the runner; the exit
 * status for main(): 0 when none failed, else 1. */
int sim_suite_run(Suite *s);

/* This process's part of a suite, from CPI_TEST_SHARD "K/N" (set by
 * tests/sim/run.sh for a suite listed in tests/integration/<suite>.shards,
 * each part against a simulator of its own): *k = K, *parts = N; the
 * part runs cases K, K + N, K + 2N, ... (interleaved, so that slow cases
 * spread over the parts).  Unset or "-": 0 and 1.  Returns 0, or -1
 * after a line on stderr when the value is malformed. */
int sim_suite_shard(int *k, int *parts);

#endif
