/*
 * cpi/check.c: `cpi check` (see check.h): the run, NETWORKS.json, the
 * agent section and the subcommand.  The checks of the vCenter
 * connection are in check_vcenter.c, those of the inventory in
 * check_inventory.c, the report in check_report.c.
 *
 * The vCenter part is four kinds of round trip: RetrieveServiceContent
 * and Login, one property-collector read of the whole inventory
 * (vs_inventory_read), one FetchUserPrivilegeOnEntities, and Logout.
 * Every lookup after the read is answered from it, as create_vm answers
 * its own.
 */
#include "cpi/check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "cpi/check_run.h"
#include "cpi/log.h"
#include "cpi/vcenter.h"
#include "vsphere/placement.h"
#include "vsphere/vm.h"

#define VC CPI_CHECK_VC
#define DCK CPI_CHECK_DC

void
cpi_check__vs_error(struct cpi_check_run *x, enum cpi_check_status st,
                    const char *check, const char *key, const char *fix,
                    const struct err *e)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "%.1023s%s%s", e->message,
	         e->fault[0] != '\0' && strstr(e->message, e->fault) == NULL ?
	         " " : "", e->fault[0] != '\0' &&
	         strstr(e->message, e->fault) == NULL ? e->fault : "");
	cpi_log_redact(x->log, msg, sizeof(msg));
	cpi_check_add(x->r, st, check, key, fix, "%s", msg);
}

/* Replaying recorded fixtures: no name to resolve, no real server. */
bool
cpi_check__replaying(const struct cpi_check_run *x)
{
	const char *env = getenv("VSPHERE_CPI_FIXTURES");

	if (x->opts != NULL && x->opts->record_dir != NULL)
		return false;
	return (x->opts != NULL && x->opts->replay_dir != NULL) ||
	       (env != NULL && strncmp(env, "replay:", 7) == 0);
}


int
cpi_check_mbus(const char *m, const char **why, bool *creds)
{
	const char *sep = m != NULL ? strstr(m, "://") : NULL;
	const char *host, *end, *at, *colon = NULL;
	size_t slen = sep != NULL ? (size_t)(sep - m) : 0;

	*why = NULL;
	*creds = false;
	if (sep == NULL ||
	    !((slen == 4 && strncmp(m, "nats", 4) == 0) ||
	      (slen == 5 && strncmp(m, "https", 5) == 0) ||
	      (slen == 4 && strncmp(m, "http", 4) == 0))) {
		*why = "the mbus URL does not start with nats://, https:// or "
		       "http://";
		return -1;
	}
	host = sep + 3;
	/* The last '@' ends the credentials (a password may hold '/'). */
	at = strrchr(host, '@');
	if (at != NULL)
		host = at + 1;
	*creds = at != NULL;
	end = host + strcspn(host, "/?#");
	if (host < end && *host == '[') {
		const char *rb = memchr(host, ']', (size_t)(end - host));

		if (rb == NULL || rb == host + 1 ||
		    (rb + 1 < end && rb[1] != ':')) {
			*why = "the mbus URL has a malformed IPv6 host";
			return -1;
		}
		if (rb + 1 < end)
			colon = rb + 1;
	} else if (host < end) {
		colon = memchr(host, ':', (size_t)(end - host));
	}
	if (host >= end || host == colon) {
		*why = "the mbus URL names no host";
		return -1;
	}
	if (colon != NULL) {
		const char *p = colon + 1;
		long port = 0;

		for (; p < end && *p >= '0' && *p <= '9' && port < 100000;
		     p++)
			port = port * 10 + (*p - '0');
		if (p != end || port < 1 || port > 65535) {
			*why = "the mbus URL has a bad port (want 1-65535)";
			return -1;
		}
	}
	return 0;
}

static void
check_agent(struct cpi_check_run *x)
{
	const char *m = x->cfg->agent.mbus, *why;
	bool creds;

	/* Never the URL itself: it holds the mbus credentials. */
	if (cpi_check_mbus(m, &why, &creds) < 0)
		cpi_check_add(x->r, CPI_CHECK_ERROR, "agent.mbus",
		              "cloud.properties.agent.mbus",
		              "give nats://USER:PASSWORD@HOST:PORT (a Director) "
		              "or https://USER:PASSWORD@HOST:PORT (create-env); "
		              "job property agent.mbus", "%s", why);
	else
		cpi_check_add(x->r, CPI_CHECK_OK, "agent.mbus",
		              "cloud.properties.agent.mbus", NULL,
		              "the mbus URL parses (%.*s, %s)",
		              (int)strcspn(m, ":"), m, creds ?
		              "with credentials" : "no credentials");
	if (x->cfg->agent.nntp > 0)
		cpi_check_add(x->r, CPI_CHECK_OK, "agent.ntp",
		              "cloud.properties.agent.ntp", NULL,
		              "%zu NTP server(s) given to the agents",
		              x->cfg->agent.nntp);
	else
		cpi_check_add(x->r, CPI_CHECK_WARNING, "agent.ntp",
		              "cloud.properties.agent.ntp",
		              "list NTP servers (job property ntp): VMs with "
		              "a drifting clock fail TLS and agent heartbeats",
		              "no NTP servers are configured");
}

/* --- NETWORKS.json --------------------------------------------------- */

static int
pg_add(struct cpi_check_run *x, const char *name, const char *owner)
{
	size_t cap = x->pg_cap;

	/* both arrays have room for pg_cap names */
	if (array_grow((void **)&x->pg_names, &cap, x->npgs + 1,
	               sizeof(*x->pg_names), 8) < 0)
		return -1;
	if (array_grow((void **)&x->pg_owners, &x->pg_cap, x->npgs + 1,
	               sizeof(*x->pg_owners), 8) < 0)
		return -1;
	x->pg_names[x->npgs] = strdup(name);
	x->pg_owners[x->npgs] = strdup(owner);
	if (x->pg_names[x->npgs] == NULL || x->pg_owners[x->npgs] == NULL) {
		free(x->pg_names[x->npgs]);
		free(x->pg_owners[x->npgs]);
		return -1;
	}
	x->npgs++;
	return 0;
}

static const char networks_fix[] =
	"give a create_vm networks hash "
	"{\"NET\":{\"cloud_properties\":{\"name\":\"PORTGROUP\"}}} or a "
	"list of port group names";

/* A list of port group names; false when an entry is not a string. */
static bool
load_pg_list(struct cpi_check_run *x, const json_t *doc)
{
	char owner[64];
	bool ok = true;
	json_t *v;
	size_t i;

	json_array_foreach(doc, i, v) {
		snprintf(owner, sizeof(owner), "[%zu]", i);
		if (!json_is_string(v)) {
			cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
			              "NETWORKS.json", networks_fix, "entry %s "
			              "is not a string", owner);
			ok = false;
		} else if (pg_add(x, json_string_value(v), owner) < 0) {
			x->r->incomplete = true;
		}
	}
	return ok;
}

/* A create_vm networks hash (vip networks have no port group); false
 * when a network names none. */
static bool
load_pg_hash(struct cpi_check_run *x, const json_t *doc)
{
	bool ok = true;
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)doc, k, v) {
		json_t *cp = json_object_get(v, "cloud_properties");
		json_t *name = json_object_get(cp, "name");
		json_t *type = json_object_get(v, "type");

		if (json_is_string(type) &&
		    strcmp(json_string_value(type), "vip") == 0)
			continue;
		if (!json_is_string(name)) {
			cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
			              "NETWORKS.json", networks_fix, "network "
			              "'%.64s': cloud_properties.name is not a "
			              "string", k);
			ok = false;
		} else if (pg_add(x, json_string_value(name), k) < 0) {
			x->r->incomplete = true;
		}
	}
	return ok;
}

/* A create_vm networks hash ({"NET":{"type","cloud_properties":{"name"}}})
 * or a list of port group names.  false when the file is unusable. */
static bool
load_networks(struct cpi_check_run *x, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	bool ok;

	if (doc == NULL) {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
		              "NETWORKS.json", networks_fix, "cannot read it: "
		              "line %d: %.200s", jerr.line, jerr.text);
		return false;
	}
	if (json_is_array(doc)) {
		ok = load_pg_list(x, doc);
	} else if (json_is_object(doc)) {
		ok = load_pg_hash(x, doc);
	} else {
		cpi_check_add(x->r, CPI_CHECK_ERROR, "networks",
		              "NETWORKS.json", networks_fix,
		              "neither an object nor a list");
		ok = false;
	}
	json_decref(doc);
	if (ok)
		cpi_check_add(x->r, CPI_CHECK_OK, "networks", "NETWORKS.json",
		              NULL, "%zu port group(s) to look up", x->npgs);
	return ok;
}

/* --- the run ---------------------------------------------------------- */

/* Names in messages come from the config and vCenter: a secret that
 * happens to be among them is masked. */
static void
redact_all(struct cpi_check_report *r, const struct cpi_log *log)
{
	char buf[4096];
	size_t i;

	for (i = 0; i < r->n; i++) {
		char **s[] = { &r->items[i].message, &r->items[i].fix };
		size_t j;

		for (j = 0; j < 2; j++) {
			char *t;

			if (*s[j] == NULL)
				continue;
			snprintf(buf, sizeof(buf), "%s", *s[j]);
			cpi_log_redact(log, buf, sizeof(buf));
			if (strcmp(buf, *s[j]) == 0)
				continue;
			t = strdup(buf);
			if (t == NULL) {
				(*s[j])[0] = '\0';
				r->incomplete = true;
				continue;
			}
			free(*s[j]);
			*s[j] = t;
		}
	}
}

/* Logs out; a failure here is worth a line, not an error. */
static void
run_logout(struct cpi_check_run *x)
{
	struct err e = {0};

	if (x->c == NULL)
		return;
	if (vs_client_close(x->c, &e) < 0)
		cpi_check__vs_error(x, CPI_CHECK_WARNING, "vcenter.logout",
		                    VC ".host", NULL, &e);
	x->r->has_roundtrips = true;
	x->r->roundtrips = vs_client_roundtrips(x->c);
	cpi_log_info(x->log, "check: %u vCenter round trips",
	             x->r->roundtrips);
	vs_client_free(x->c);
	x->c = NULL;
}

static void
run_clear(struct cpi_check_run *x)
{
	vs_inventory_free(x->inv);
	free(x->dc_path);
	free(x->clusters);
	free(x->cluster_found);
	strv_free(x->pg_names, x->npgs);
	strv_free(x->pg_owners, x->npgs);
}

void
cpi_check_run(struct cpi_check_report *r, const struct cpi_options *opts,
              const char *networks_path, struct cpi_log *log)
{
	struct cpi_check_run x;
	struct cpi_config *cfg = NULL;
	struct err err = {0};
	size_t i;

	memset(&x, 0, sizeof(x));
	x.r = r;
	x.opts = opts;
	x.log = log;
	if (cpi_config_load(&cfg, opts->config_path, NULL, &err) < 0) {
		cpi_log_redact(log, err.message, sizeof(err.message));
		cpi_check_add(r, CPI_CHECK_ERROR, "config", "CONFIG.json",
		              "fix the config (README \"Config keys\")", "%s",
		              err.message);
		return;
	}
	for (i = 0; i < cfg->nsecrets; i++)
		if (cpi_log_secret(log, cfg->secrets[i]) != 0)
			r->incomplete = true;
	x.cfg = cfg;
	cpi_check_add(r, CPI_CHECK_OK, "config", "CONFIG.json", NULL,
	              "the config is valid");
	x.clusters = calloc(cfg->vcenter.datacenter.nclusters,
	                    sizeof(*x.clusters));
	x.cluster_found = calloc(cfg->vcenter.datacenter.nclusters,
	                         sizeof(*x.cluster_found));
	if (x.clusters == NULL || x.cluster_found == NULL) {
		r->incomplete = true;
		goto cleanup;
	}
	if (networks_path != NULL)
		(void)load_networks(&x, networks_path);
	check_agent(&x);
	if (cpi_check__address(&x) && cpi_check__connect(&x))
		cpi_check__inventory(&x);
	run_logout(&x);
cleanup:
	redact_all(r, log);
	run_clear(&x);
	cpi_config_free(cfg);
}

/* --- the subcommand --------------------------------------------------- */

static void
usage(FILE *f)
{
	fputs("usage: cpi check [--json] [--replay DIR | --record DIR] "
	      "CONFIG.json [NETWORKS.json]\n"
	      "\n"
	      "Read-only preflight: makes every lookup the CPI will make and\n"
	      "reports each as ok, warning or error with the config key and\n"
	      "the fix.  NETWORKS.json: a create_vm networks hash or a list\n"
	      "of port group names.  Exit status: 0 no error, 1 errors, 2\n"
	      "usage.\n", f);
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A usage error: the message, then the usage, on stderr; exit status 2. */
static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("cpi check: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	usage(stderr);
	return 2;
}

/* The command line into *opts, *networks, *json: -1 to go on, else the
 * exit status. */
static int
parse_args(struct cpi_options *opts, const char **networks, bool *json,
           int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0) {
			*json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return fflush(stdout) != 0 ? 1 : 0;
		} else if (strcmp(a, "--replay") == 0 ||
		           strcmp(a, "--record") == 0) {
			if (i + 1 >= argc || argv[i + 1][0] == '\0')
				return usage_error("%s needs a directory\n",
				                   a);
			if (strcmp(a, "--replay") == 0)
				opts->replay_dir = argv[++i];
			else
				opts->record_dir = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option %.64s\n", a);
		} else if (opts->config_path == NULL) {
			opts->config_path = a;
		} else if (*networks == NULL) {
			*networks = a;
		} else {
			return usage_error("too many arguments\n");
		}
	}
	if (opts->config_path == NULL)
		return usage_error("missing CONFIG.json\n");
	if (opts->replay_dir != NULL && opts->record_dir != NULL)
		return usage_error("--replay and --record exclude each "
		                   "other\n");
	return -1;
}

/* r on stdout, as JSON or text: 0, or 1 when it could not be written. */
static int
print_report(const struct cpi_check_report *r, bool json)
{
	json_t *doc;
	int status = 0;

	if (!json)
		return cpi_check_report_text(stdout, r) < 0 ? 1 : 0;
	doc = cpi_check_report_json(r);
	if (doc == NULL ||
	    json_dumpf(doc, stdout,
	               JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		status = 1;
	json_decref(doc);
	return status;
}

int
cpi_check_main(int argc, char **argv)
{
	struct cpi_options opts = { NULL, NULL, NULL };
	struct cpi_check_report r;
	const char *networks = NULL;
	struct cpi_log *log = NULL;
	struct err err = {0};
	size_t counts[3];
	bool json = false;
	int status;

	memset(&r, 0, sizeof(r));
	status = parse_args(&opts, &networks, &json, argc, argv);
	if (status >= 0)
		return status;
	/* Only warnings and errors of the layers below reach stderr: the
	 * report is the output. */
	if (cpi_log_new(&log, stderr, CPI_LOG_WARN, &err) < 0) {
		fprintf(stderr, "cpi check: %s\n", err.message);
		return 1;
	}
	cpi_log_set_tag(log, "check");
	cpi_check_run(&r, &opts, networks, log);
	status = cpi_check_failed(&r, counts) ? 1 : 0;
	if (print_report(&r, json) != 0)
		status = 1;
	cpi_check_report_clear(&r);
	cpi_log_free(log);
	return status;
}
