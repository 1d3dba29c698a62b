/*
 * tests/support/scenario.h: the CPI-level scenario runner shared by the
 * recorder (tests/replay/rec_cpi.c), the replay suite
 * (tests/unit/check_replay.c), the benchmark (tests/bench/) and the demo
 * (tests/replay/demo.c); the code is tests/support/scenario.c.  Layout
 * of a scenario (fixtures/README.md):
 *
 *   fixtures/S/config.json               cpi.json for replay
 *   fixtures/S/cpi/NN-method.request.json   requests, run in NN order
 *   fixtures/S/cpi/NN-method.response.json  responses as recorded
 *                                           (without "log")
 *   fixtures/S/NNN-op.{request,response,meta}  vSphere exchanges
 *   fixtures/S/prepare.sh                optional: sh prepare.sh WORKDIR
 *                                        makes local inputs
 *
 * Placeholders in requests, so later calls can use what earlier ones
 * returned (a cid is random on every run):
 *   a string that is exactly "{{NN.result}}"      the result of step NN
 *   a string that is exactly "{{NN.result.K}}"    element K (array) or
 *                                                 key K (object) of it
 *   "{{WORKDIR}}" anywhere in a string            the scratch directory
 *                                                 prepare.sh filled
 * Responses are compared without "log", keys sorted, and volatile
 * values (uuids, times, simulator paths) masked by vs_fixture_mask().
 */
#ifndef TEST_SUPPORT_SCENARIO_H
#define TEST_SUPPORT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "tests/support/cpi_run.h"

#define SCN_MAX_STEPS 99
#define SCN_MAX_DEPTH 32

struct scn_error {
	bool set;
	char msg[2048];
};

struct scn_step {
	unsigned number;
	char name[96];          /* "03-has_vm" */
	char method[64];        /* "has_vm" */
};

struct scn {
	char *dir;
	struct scn_step *steps;
	size_t n;
};

/* Sets e's message (the first one wins); returns -1. */
int scn_fail(struct scn_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* snprintf for paths: a path that does not fit becomes "" (every use
 * then fails to open it) instead of a silently shortened one. */
void scn_pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Frees a loaded scenario (NULL is fine). */
void scn_free(struct scn *s);

/* qsort comparator for an array of names (char *). */
int scn_name_cmp(const void *a, const void *b);

/* A scenario that cannot be replayed yet holds a file PENDING whose
 * first line says why; runners list it and skip it.  Returns that line
 * in buf, or false. */
bool scn_pending(char *buf, size_t size, const char *dir);

/* Is dir a CPI-level scenario (has a cpi/ directory)? */
bool scn_is_cpi(const char *dir);

/* Loads the steps of scenario dir (cpi/NN-method.request.json). */
int scn_load(struct scn **out, const char *dir, struct scn_error *e);

/* The whole file at path, malloc'd. */
int scn_read(char **out, const char *path, struct scn_error *e);

/* The JSON file at path (new reference), or NULL with e set. */
json_t *scn_load_json(const char *path, struct scn_error *e);

/* DIR/cpi/NN-method.<kind>.json of step i into buf. */
void scn_path(char *buf, size_t size, const struct scn *s, size_t i,
              const char *kind);

/* The request of step i with placeholders filled (new reference). */
json_t *scn_request(const struct scn *s, size_t i, json_t *const *responses,
                    const char *workdir, struct scn_error *e);

/* Runs `cpi [flag dir] config` with req on stdin; *resp is the parsed
 * response object.  run receives the raw output (clear it). */
int scn_call(json_t **resp, struct cpi_test_run *run, const char *cpi,
             const char *config, const char *flag, const char *dir,
             const json_t *req, struct scn_error *e);

/* rm -r dir (not following links). */
void scn_rmtree(const char *dir);

/* mkdtemp under $TMPDIR (or /tmp) into buf. */
int scn_mkwork(char *buf, size_t size, struct scn_error *e);

/* sh DIR/prepare.sh WORKDIR, when the scenario has one. */
int scn_prepare(const struct scn *s, const char *workdir, struct scn_error *e);

/* One run of a scenario: loaded, its scratch directory made and
 * prepared (prepare.sh), a slot for each step's response. */
struct scn_run {
	struct scn *s;
	char work[4096];                /* the scratch directory */
	json_t **responses;             /* s->n; NULL until the step ran */
	struct cpi_test_run run;        /* the binary's last output */
};

/* Opens a run of scenario dir (r is cleared first); scn_run_close()
 * also after a failure. */
int scn_run_open(struct scn_run *r, const char *dir, struct scn_error *e);
/* Frees the responses and the output, removes the scratch directory. */
void scn_run_close(struct scn_run *r);

/* Replays scenario dir with the binary cpi: every response must match
 * the recording and every exchange must be used.  show (may be NULL)
 * is called with each request and live response, for the demo. */
typedef void (*scn_show_fn)(void *ud, const struct scn_step *st,
                            const json_t *req, const json_t *resp);
int scn_replay(const char *cpi, const char *dir, scn_show_fn show, void *ud,
               struct scn_error *e);

#endif
