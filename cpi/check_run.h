/*
 * cpi/check_run.h: what one `cpi check` run knows, shared by the files
 * of the preflight (cpi/check*.c) only.
 *
 *   check.c            the run, NETWORKS.json, the agent, the subcommand
 *   check_report.c     the report and its two formats
 *   check_vcenter.c    address, reachability, TLS, login, API version
 *   check_inventory.c  datacenter, folders, clusters, datastores, port
 *                      groups, privileges
 */
#ifndef CPI_CHECK_RUN_H
#define CPI_CHECK_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "cpi/check.h"
#include "cpi/config.h"
#include "vsphere/preflight.h"

#define CPI_CHECK_VC "cloud.properties.vcenters[0]"
#define CPI_CHECK_DC CPI_CHECK_VC ".datacenters[0]"
#define CPI_CHECK_MAX_ENTITIES 256

/* One entity whose privileges are checked. */
struct cpi_check_ent {
	struct vs_moref ref;
	unsigned on;            /* where privileges are needed: bits of
	                           check_inventory.c */
	char what[160];         /* "datastore 'LocalDS_0'" */
	char key[256];          /* config key */
};

struct cpi_check_ents {
	struct cpi_check_ent v[CPI_CHECK_MAX_ENTITIES];
	size_t n;
};

/* What one run knows; every pointer is borrowed or owned as noted. */
struct cpi_check_run {
	struct cpi_check_report *r;
	const struct cpi_config *cfg;
	const struct cpi_options *opts;
	struct cpi_log *log;
	struct vs_client *c;
	struct vs_inventory *inv;       /* owned */
	bool have_dc;
	struct vs_moref dc;
	char *dc_path;                  /* owned */
	struct vs_inv_cluster *clusters;    /* owned, one per config cluster */
	bool *cluster_found;            /* owned */
	struct cpi_check_ents ents;
	/* NETWORKS.json: port group names and their BOSH network (owned) */
	char **pg_names;
	char **pg_owners;
	size_t npgs, pg_cap;
};

/* Adds an item from a vsphere/ error (its fault type appended when the
 * message lacks it), redacted. */
void cpi_check__vs_error(struct cpi_check_run *x, enum cpi_check_status st,
                         const char *check, const char *key,
                         const char *fix, const struct err *e);
/* Replaying recorded fixtures: no name to resolve, no real server. */
bool cpi_check__replaying(const struct cpi_check_run *x);

/* check_vcenter.c: false when the name does not resolve / no session. */
bool cpi_check__address(struct cpi_check_run *x);
bool cpi_check__connect(struct cpi_check_run *x);
/* check_inventory.c: everything after the login. */
void cpi_check__inventory(struct cpi_check_run *x);

#endif
