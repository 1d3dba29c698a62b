/*
 * tests/support/cpi_run.h: run the built cpi binary as the Director does
 * (request on stdin, response on stdout, logs on stderr) from a test.
 */
#ifndef TEST_CPI_RUN_H
#define TEST_CPI_RUN_H

#include <stddef.h>

struct cpi_test_run {
	char *out;          /* stdout, NUL-terminated */
	size_t out_len;
	char *err;          /* stderr, NUL-terminated */
	size_t err_len;
	int status;         /* exit status, or 128 + signal */
};

/* $CPI_TEST_BUILD/cpi, else build/cpi (static storage). */
const char *cpi_test_binary(void);
/* $CPI_TEST_ROOT/tests/data/<rel>, else tests/data/<rel> (static
 * storage, overwritten by the next call). */
const char *cpi_test_data(const char *rel);

/* Runs argv[0] with argv, feeding in (in_len bytes; the child may stop
 * reading early) and collecting stdout/stderr.  Returns 0, or -1 when
 * the process could not be run. */
int cpi_test_run(struct cpi_test_run *r, char *const argv[],
                 const char *in, size_t in_len);
void cpi_test_run_clear(struct cpi_test_run *r);

#endif
