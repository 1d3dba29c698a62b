/*
 * cpi/check.h: `cpi check`, the read-only preflight.
 *
 *   cpi check [--json] [--replay DIR | --record DIR] CONFIG.json
 *             [NETWORKS.json]
 *
 * Makes every lookup the CPI will make (vCenter address, TLS, login, API
 * version, datacenter, folders, clusters, resource pools, host groups,
 * DRS, datastore and datastore-cluster patterns, port groups, the
 * user's privileges, the agent section) at once and reports each as ok,
 * warning or error with the config key it comes from and what to change.
 * It creates, changes and deletes nothing in vCenter and logs out.
 * Exit status: 0 when nothing is an error, 1 when something is, 2 on a
 * usage error.  Output formats and the privilege list: README "Preflight".
 */
#ifndef CPI_CHECK_H
#define CPI_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "cpi/dispatch.h"

enum cpi_check_status {
	CPI_CHECK_OK = 0,
	CPI_CHECK_WARNING,
	CPI_CHECK_ERROR,
};

struct cpi_check_item {
	enum cpi_check_status status;
	char *check;                /* what was checked: "datacenter" */
	char *key;                  /* the config key it comes from, or NULL */
	char *message;              /* one line, no secrets */
	char *fix;                  /* what to change, or NULL */
};

struct cpi_check_report {
	struct cpi_check_item *items;
	size_t n;
	size_t cap;
	bool incomplete;            /* an item could not be added (memory) */
	bool has_roundtrips;
	unsigned roundtrips;        /* vCenter round trips, logout included */
};

/* Adds one item (message printf-style; key and fix may be NULL).  On
 * failure sets r->incomplete and returns ERR_ENOMEM. */
int cpi_check_add(struct cpi_check_report *r, enum cpi_check_status status,
                  const char *check, const char *key, const char *fix,
                  const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Items per status (counts[3]) and whether any is an error. */
bool cpi_check_failed(const struct cpi_check_report *r, size_t counts[3]);
/* Releases what r holds (r itself is the caller's). */
void cpi_check_report_clear(struct cpi_check_report *r);

const char *cpi_check_status_name(enum cpi_check_status s);
/* {"ok":…,"summary":{"ok","warning","error"},"checks":[{"check",
 * "status","key","message","fix"}…],"roundtrips":…}; NULL on no memory. */
json_t *cpi_check_report_json(const struct cpi_check_report *r);
/* The human report; 0, or -1 when f could not be written. */
int cpi_check_report_text(FILE *f, const struct cpi_check_report *r);

/* Whether an agent mbus URL parses (SCHEME://[CREDS@]HOST[:PORT][/…],
 * scheme nats, https or http): 0, or -1 with *why (static text that never
 * quotes the URL).  *creds: it carries credentials. */
int cpi_check_mbus(const char *url, const char **why, bool *creds);

/* Runs every check for the config at opts->config_path and the networks
 * file networks_path (NULL: none) into r.  log gets the config's secrets
 * registered; every message is redacted through it. */
void cpi_check_run(struct cpi_check_report *r, const struct cpi_options *opts,
                   const char *networks_path, struct cpi_log *log);

/* The whole subcommand: argv[0] is "check".  Returns the exit status. */
int cpi_check_main(int argc, char **argv);

#endif
